# The two commands of the README: `make setup` (install, then consolidate the
# sample province) and `make test`. Both work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SAMPLE := data/raw/thai-nguyen-2026

.PHONY: setup install sample test bench clean

setup: install sample

install: $(BIN)/giamngheo

$(BIN)/giamngheo: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

sample: install
	$(BIN)/giamngheo run --raw $(SAMPLE)/communes --out data/processed \
	  --targets $(SAMPLE)/chi_tieu_giao_2026.xlsx

test: install
	$(BIN)/ruff check
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/national.py

clean:
	rm -rf data/processed/* .pytest_cache
