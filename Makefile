# Two commands matter: `make sandbox` and `make test`. Each sets itself up on first use.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' && { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install sandbox test run lint format i18n migrate bench-delivery bench-crash bench-enqueue bench-stats

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

sandbox: install  ## the bot against a local Telegram, chat page on http://127.0.0.1:8080
	$(BIN)/python -m bot sandbox

test: install  ## the whole suite (PostgreSQL / Redis too when TEST_DATABASE_URL / TEST_REDIS_URL are set)
	$(BIN)/python -m pytest

run: install  ## the real bot: needs BOT_TOKEN
	$(BIN)/python -m bot run

migrate: install
	$(BIN)/python -m bot db upgrade

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

# Add the message keys the code uses to both catalogs, untranslated (the catalog test fails
# until both languages have them); never removes or reorders what is there.
i18n: install
	$(BIN)/python -m bot.i18n_extract

bench-delivery: install
	$(BIN)/python -m bench.delivery

bench-enqueue: install  ## single vs bulk enqueue of 10k outbox rows
	$(BIN)/python -m bench.enqueue

bench-crash: install
	$(BIN)/python -m bench.crash

bench-stats: install  ## the overview and chart at district and province scale, SQLite and PostgreSQL
	$(BIN)/python -m bench.stats
