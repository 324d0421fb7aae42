# Two commands matter: `make sandbox` and `make test`. Each sets itself up on first use.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install sandbox test run lint format i18n migrate bench-delivery bench-crash bench-enqueue bench-publicity bench-stats bench-updates bench-startup bench-cluster bench-imports

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

sandbox: install  ## the bot against a local Telegram, chat page on http://127.0.0.1:8080
	$(BIN)/python -m bot sandbox

# The suite waits on the sandbox and child processes more than it computes: three workers
# keep it under ten minutes on two cores (TEST_WORKERS=0 runs it in one process). Idle workers
# steal from busy ones, so a few long tests don't end the run on one worker; the slowest are
# listed at the end, to keep an eye on the ten minutes.
TEST_WORKERS ?= 3
test: install  ## the whole suite (PostgreSQL / Redis too when TEST_DATABASE_URL / TEST_REDIS_URL are set)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal --durations=15

run: install  ## the real bot: needs BOT_TOKEN
	$(BIN)/python -m bot run

migrate: install
	$(BIN)/python -m bot db upgrade

# ruff on everything, mypy (configured in pyproject.toml) on the code that ships.
lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy bot handlers storage

format: install
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

# Babel's standard extraction (keywords in pyproject.toml's [tool.babel]) into a template,
# then the keys the catalogs lack are added at their end, untranslated (the catalog test fails
# until both languages have them), and the keys the extraction does not see are counted (the
# test fails unless that is 0). Not `pybabel update`: it moves every entry into the template's
# order; see bot/app/catalogs.py. tests/unit/test_catalogs.py runs this same `pybabel extract`.
I18N_TEMPLATE := build/messages.pot

i18n: install
	@mkdir -p $(dir $(I18N_TEMPLATE))
	$(BIN)/pybabel extract -F pyproject.toml -o $(I18N_TEMPLATE) bot handlers storage
	$(BIN)/python -m bot.app.catalogs $(I18N_TEMPLATE)

bench-delivery: install
	$(BIN)/python -m bench.delivery

bench-enqueue: install  ## single vs bulk enqueue of 10k outbox rows
	$(BIN)/python -m bench.enqueue

bench-crash: install
	$(BIN)/python -m bench.crash

bench-publicity: install  ## a round over 2,351 risks in 40 units, 10k subscribers told
	$(BIN)/python -m bench.publicity
bench-stats: install  ## the overview and chart at district and province scale, SQLite and PostgreSQL
	$(BIN)/python -m bench.stats
bench-updates: install  ## /start, /help, /risks, a page: Qingfeng (SQLite, PostgreSQL) beside a bare echo bot
	$(BIN)/python -m bench.updates
bench-startup: install  ## start-up to first getUpdates, db current, idle RSS, the scans at 1/10/100 districts
	$(BIN)/python -m bench.startup

bench-cluster: install  ## two replicas on PostgreSQL + Redis, the leader SIGKILLed mid-broadcast
	$(BIN)/python -m bench.cluster
bench-imports: install  ## a district's four imports and ten districts', in process and through the CLI
	$(BIN)/python -m bench.imports
