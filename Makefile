# Two commands a new user needs:  `make run` (set up and start the bot)
#                                 `make test` (set up and run the whole test suite)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench locales clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/python -m bot

test: setup lint
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup
	$(BIN)/python bench/faq_eval.py
	$(BIN)/python bench/images.py
	$(BIN)/python bench/broadcast.py
	$(BIN)/python bench/http_clients.py
	$(BIN)/python bench/throughput.py --floor --seconds 10
	$(BIN)/python bench/sql_per_update.py

locales: setup
	$(BIN)/python -m bot.catalog_tools

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
