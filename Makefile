# Two commands for newcomers: `make run` (set up and serve) and `make test` (set up and test);
# `make check` runs the gate (lint, types, import contracts) before you commit.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
export PORT

.PHONY: run room dev test check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-deps: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.test-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.run-deps

## Set up (virtualenv, packages, database), load the demo data and serve with gunicorn.
run: $(VENV)/.run-deps
	scripts/run.sh

## Run a class from a laptop: listen on the local network, print the address phones join at.
room: $(VENV)/.run-deps
	ROOM=1 scripts/run.sh

## The Flask debug server with reloading, for development.
dev: $(VENV)/.run-deps
	FLASK_DEBUG=1 $(BIN)/flask --app wsgi db upgrade
	FLASK_DEBUG=1 $(BIN)/flask --app wsgi demo seed
	FLASK_DEBUG=1 $(BIN)/flask --app wsgi run --port $(PORT)

## Set up and run the whole test suite (TEST_DATABASE_URL=postgresql://... adds PostgreSQL), one
## worker process per core (pytest-xdist; TEST_WORKERS=0 runs everything in this process).
TEST_WORKERS ?= auto
test: $(VENV)/.test-deps
	scripts/test-tools.sh
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

## The gate: ruff (lint), mypy (types over app/) and import-linter (the import contracts), all
## configured in pyproject.toml. CI runs it before the tests.
check: $(VENV)/.test-deps
	$(BIN)/ruff check --no-cache .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf $(VENV) .pytest_cache
