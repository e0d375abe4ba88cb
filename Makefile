# The two commands in the README: `make run` (set up, run the sample corpus) and
# `make test` (set up, run the tests). Both create .venv/ in the project root first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test bench bench-quality clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	# Migrate a Prefect database once; each fresh PREFECT_HOME starts from a copy of it.
	$(BIN)/python -m flows.startup --build-template
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/newsflow run

test: setup
	sh tests/install_system_deps.sh
	$(BIN)/python -m pytest -q

bench-quality: setup
	$(BIN)/python bench/quality.py

clean:
	rm -rf $(VENV) warehouse/*.duckdb warehouse/*.duckdb.wal warehouse/staging warehouse/data_docs
