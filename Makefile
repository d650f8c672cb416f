# The two commands of the README: `make run` and `make test`. Each installs what is missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-citus install system-deps lint format schema bench clean-db http-audit fuzz

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "gridgov needs Python >= 3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# GraphiQL's own files (web/graphiql, pinned by its package-lock.json): /graphql serves
# them instead of a CDN's. npm ci again when the lock file is newer than node_modules.
GRAPHIQL := web/graphiql
$(GRAPHIQL)/node_modules/.installed: $(GRAPHIQL)/package.json $(GRAPHIQL)/package-lock.json
	@if command -v npm >/dev/null; then \
		cd $(GRAPHIQL) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else \
		echo "npm is missing: GraphiQL's files are not installed (apt-get install nodejs npm)" >&2; \
	fi

# The pages' libraries (web/app: MapLibre GL JS, ECharts, graphql-ws, pinned by its lock file)
APP := web/app
$(APP)/node_modules/.installed: $(APP)/package.json $(APP)/package-lock.json
	@if command -v npm >/dev/null; then \
		cd $(APP) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else \
		echo "npm is missing: the pages' libraries are not installed (apt-get install nodejs npm)" >&2; \
	fi

system-deps:
	@scripts/install-system-deps.sh

install: system-deps $(BIN)/.installed $(GRAPHIQL)/node_modules/.installed $(APP)/node_modules/.installed

## Start the private database, load the demo once, serve on http://$(HOST):$(PORT)/graphql
run: install
	$(BIN)/gridgov demo load --if-empty
	$(BIN)/gridgov serve --host $(HOST) --port $(PORT)

## Lint, check the layers and the types, audit GraphQL-over-HTTP compliance, run the tests
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	BIN=$(BIN) scripts/http-audit.sh
	BIN=$(BIN) scripts/fuzz.sh
	$(BIN)/python -m pytest

## Citus: install it if need be (built from CITUS_SOURCE, a source tarball), then the tests on
## a private coordinator and two workers (tests_citus/)
test-citus: install
	scripts/citus-install.sh
	$(BIN)/python -m pytest tests_citus

## schemathesis against a running server (FUZZ_SEED=N replays, FUZZ_EXAMPLES=N per operation)
fuzz: install
	BIN=$(BIN) scripts/fuzz.sh

## graphql-http's audit (node) against a running server; fails on any error or warning
http-audit: install
	BIN=$(BIN) scripts/http-audit.sh

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

## Rewrite schema.graphql from the composed schema (a test keeps it in sync)
schema: install
	$(BIN)/gridgov schema export --output schema.graphql

clean-db:
	$(BIN)/gridgov db stop || true
	rm -rf var/pgdata

## Benchmarks (figures, not tests): a private cluster under var/bench, kept between runs
bench: install
	$(BIN)/python -m bench.run
