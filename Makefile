# `make run`: set up everything on a fresh machine and run the main example.
# `make test`: set up everything and run the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME_SRC := $(wildcard runtime/lc_*.c runtime/*.h runtime/*.inc) runtime/build_runtime.py

.PHONY: all setup run test bench lint clean

all: setup

setup: $(STAMP) runtime/.built

$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	touch runtime/.built
	touch $(STAMP)

# Rebuild the C runtime extension in place when its sources change (build_ext itself compares
# them, headers included, with the extension: build_runtime.py names them as depends).
runtime/.built: $(RUNTIME_SRC) | $(STAMP)
	$(BIN)/python setup.py -q build_ext --inplace
	touch runtime/.built

run: setup
	$(BIN)/python examples/w1.py

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m pytest -q bench --benchmark-only

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) build *.egg-info runtime/*.so runtime/.built
