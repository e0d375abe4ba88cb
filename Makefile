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

# Throughput/memory benchmark against the floor and datatrove (bench/run_bench.py).
# The peer lives in its own virtualenv; it is never a project dependency.
BENCH_STAMP := .venv-bench/.installed
$(BENCH_STAMP): bench/requirements-peer.txt
	test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet -r bench/requirements-peer.txt
	touch $(BENCH_STAMP)

bench: setup $(BENCH_STAMP)
	$(BIN)/python bench/run_bench.py $(BENCH_ARGS)

bench-quality: setup
	$(BIN)/python bench/quality.py

clean:
	rm -rf $(VENV) .venv-bench warehouse/*.duckdb warehouse/*.duckdb.wal warehouse/staging warehouse/*.reports
