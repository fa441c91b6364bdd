# The README's two commands: `make plan STACK=plano` and `make test`. Each bootstraps .venv from
# a fresh clone with only python3 and make, then runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STACK ?= plano

.PHONY: install plan validate test lint bench snapshots schema urns clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

plan: $(STAMP)
	$(BIN)/gpudc plan $(STACK)

validate: $(STAMP)
	$(BIN)/gpudc validate $(STACK)

test: $(STAMP)
	$(BIN)/python -m pytest -q

snapshots: $(STAMP)
	$(BIN)/python -m pytest -q --snapshot-update

schema: $(STAMP)
	$(BIN)/gpudc schema > schema/stack-file.schema.json

# Rewrite tests/urns/<stack>.txt on purpose, after a change that removes or renames resources.
urns: $(STAMP)
	$(BIN)/python -m gpudc.preview.urns tests/urns

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy components/gpudc infra
	$(BIN)/mypy examples/own-program bench
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/plan_bench.py

clean:
	rm -rf out $(VENV)
