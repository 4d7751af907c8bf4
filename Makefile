# CUBE-PRO developer commands. `make run` and `make test` set up everything they need.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install run migrate seed test test-browser lint format browser-deps screenshots bench throughput clean messages

CATALOGUES := $(wildcard cube/translations/*/LC_MESSAGES/messages.po)

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

cube/static/vendor/.built: node_modules/.installed scripts/copy-assets.mjs
	npm run --silent build
	touch $@

cube/translations/.compiled: $(BIN)/.installed $(CATALOGUES)
	$(BIN)/python -m cube.catalogues compile
	touch $@

## install: Python packages into .venv, front-end assets into cube/static/vendor, compiled translations
install: $(BIN)/.installed cube/static/vendor/.built cube/translations/.compiled

## messages: extract the marked strings into messages.pot and merge them into each language's .po
messages: $(BIN)/.installed
	$(BIN)/python -m cube.catalogues extract
	$(BIN)/python -m cube.catalogues check || true

## migrate: bring the database schema up to date
migrate: install
	$(FLASK) db upgrade

## run: install, migrate, add demo data to an empty database, serve on http://127.0.0.1:5000
run: migrate
	$(FLASK) cube seed-demo --if-empty
	$(FLASK) run --host $(HOST) --port $(PORT)

## seed: add the demo data (safe to repeat)
seed: migrate
	$(FLASK) cube seed-demo

## browser-deps: Debian's Chromium for the browser tests (installed when missing and we are root)
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is needed for the browser tests: sudo apt-get install chromium" >&2; exit 1; \
	  fi; \
	fi

## test: the whole suite, browser tests included (DATABASE_URL selects PostgreSQL or MariaDB)
test: install browser-deps
	$(BIN)/pytest $(PYTEST_ARGS)

## test-browser: only the Playwright tests
test-browser: install browser-deps
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

## lint: ruff checks and formatting
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## screenshots: regenerate docs/screenshots from a demo database and from the daily-paths browser walk
screenshots: install browser-deps
	$(BIN)/python scripts/screenshots.py
	CUBE_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/browser/test_browser_daily_paths.py

## bench: performance benchmarks (print figures)
bench: install
	$(BIN)/python -m bench

## throughput: every page through Gunicorn under wrk against /healthz (PostgreSQL 10,000 and 1,000,000 work orders, SQLite)
throughput: install
	@command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
	$(BIN)/python -m bench throughput $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules cube/static/vendor .pytest_cache .ruff_cache cube/translations/.compiled
	find cube/translations -name '*.mo' -delete
