# The README's two commands: `make plan STACK=plano` and `make test`. Each bootstraps .venv from
# a fresh clone with only python3 and make, then runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STACK ?= plano
# checkov pins its own dependencies (packaging, boto3, ...), so it lives in a virtualenv of its
# own inside .venv; the manifest scan (tests/policy/test_checkov.py) runs it offline.
CHECKOV_VERSION := 3.3.30
CHECKOV := $(VENV)/checkov/bin/checkov

.PHONY: install plan validate test lint bench snapshots schema urns scan clean

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

$(CHECKOV):
	$(PYTHON) -m venv $(VENV)/checkov
	$(VENV)/checkov/bin/python -m pip install --quiet 'checkov==$(CHECKOV_VERSION)'

test: $(STAMP) $(CHECKOV)
	CHECKOV=$(abspath $(CHECKOV)) $(BIN)/python -m pytest -q

scan: $(STAMP) $(CHECKOV)
	for stack in $$(ls stacks | sed -n 's/^Pulumi\.\(.*\)\.yaml$$/\1/p'); do $(BIN)/gpudc plan $$stack > /dev/null || exit 2; done
	CHECKOV=$(abspath $(CHECKOV)) $(BIN)/python policy/scan.py out/*/manifests

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
