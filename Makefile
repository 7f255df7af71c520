# The two commands of the README: `make demo` and `make test`. Each one creates or
# updates .venv from the pins in pyproject.toml, so a fresh machine needs only Python.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest system-deps bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==26.0.1"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	bash scripts/fetch-web-assets.sh
	touch $(STAMP)

# Debian packages some stages use (installed only where we are root and apt exists).
system-deps:
	bash scripts/install-system-deps.sh

demo: $(STAMP) system-deps
	$(BIN)/olfato demo

lint: $(STAMP)
	$(BIN)/ruff check olfato tests benchmarks
	$(BIN)/ruff format --check olfato tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy olfato

pytest: $(STAMP) system-deps
	$(BIN)/python -m pytest --cov=olfato --cov-report=term:skip-covered

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/read.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage
