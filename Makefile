# Two entry points (see README): `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	@echo "Setting up $(VENV) (first run, or pyproject.toml changed)..."
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is required")'
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@# The editable install is meant to import from this folder: silence setuptools' warning about it.
	@PYTHONWARNINGS="ignore:Editable installation:UserWarning" \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	@$(BIN)/python -m bot run

test: $(STAMP)
	$(BIN)/ruff check bot tests scripts benchmarks
	$(BIN)/mypy bot
	$(BIN)/python -m bot eval knowledge/eval/ --min-accuracy 0.90 --max-wrong 0.02 --max-false 0.01
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	@$(BIN)/python -c 'import bm25s' 2>/dev/null || $(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	@$(BIN)/python -m benchmarks.matching
	@$(BIN)/python -m benchmarks.telegram
	@$(BIN)/python scripts/bench_store.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
