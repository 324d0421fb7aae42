# Qingfeng: `docker build -t qingfeng .`; see compose.yaml for PostgreSQL, Redis, two replicas
# and a reverse proxy. Not built in this project's CI (no Docker engine there).
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY locales ./locales
# The wheel's build step compiles the catalogs (.po → .mo) into the package.
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 LOG_FORMAT=json
RUN useradd --create-home --uid 10001 qingfeng
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER qingfeng
WORKDIR /home/qingfeng
EXPOSE 8081
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8081/healthz', timeout=4)"
CMD ["qingfeng", "run"]
