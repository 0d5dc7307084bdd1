# The two commands a user needs: `make run` and `make test`. Both create the venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint unit bench histories clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

# `make run ARGS="--workers 3"` passes options through (see `orders run --help`).
run: $(STAMP)
	$(BIN)/orders run $(ARGS)

test: lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q

# `make bench ARGS="--json --idle 0"` passes options through (see `python -m starter.bench --help`).
bench: $(STAMP)
	$(BIN)/python -m starter.bench $(ARGS)

# Re-record the replay histories after any change to workflow or domain code.
histories: $(STAMP)
	$(BIN)/python -m tests.replay.record

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis .mypy_cache
