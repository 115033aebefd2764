# Two commands a new user needs:  `make run` (set up and start the bot)
#                                 `make test` (set up and run the whole test suite)
# Both install the exact versions pinned in requirements.lock; `make lock` regenerates it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock
# uv, in a virtualenv of its own, resolves the lock from PyPI (pinned for stable output).
UV_VERSION := 0.13.9
TOOLS ?= .tools
UV := $(TOOLS)/bin/uv
# `make lock LOCK_FLAGS=--upgrade` moves every pin to the newest release pyproject allows.
LOCK_FLAGS ?=

.PHONY: setup run test lint bench locales lock clean

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/python -m bot

test: setup lint
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/faq_eval.py
	$(BIN)/python bench/images.py
	$(BIN)/python bench/broadcast.py
	$(BIN)/python bench/http_clients.py
	$(BIN)/python bench/throughput.py --floor --seconds 10
	$(BIN)/python bench/sql_per_update.py

locales: setup
	$(BIN)/python -m bot.catalog_tools

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet 'uv==$(UV_VERSION)'

# Every platform and Python 3.11+, with hashes; pins already in the lock are kept when allowed.
lock: $(UV)
	$(UV) pip compile --quiet pyproject.toml --extra test --universal --python-version 3.11 \
	  --generate-hashes --custom-compile-command 'make lock' $(LOCK_FLAGS) --output-file $(LOCK)

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .ruff_cache
