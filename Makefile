# pevm: `make demo` and `make test` are all a user needs; both run `make setup` first.
SHELL := /bin/bash
VENV := .venv
MODE := $(if $(filter 1,$(PEVM_PURE)),pure,compiled)
STAMP := $(VENV)/.pevm-$(MODE)
SOURCES := $(shell find primitives interp opcodes precompiles parallel ethtests pevm -name '*.py' -o -name '*.txt' -o -name '*.gz' 2>/dev/null) pyproject.toml setup.py scripts/setup-venv.sh scripts/ensure-python.sh
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# ckzg and safe-pysha3 do not declare free-threading support: keep the GIL forced off.
export PYTHON_GIL := 0
PYTEST := $(VENV)/bin/pytest

.PHONY: setup demo test test-pure test-slow conformance lint clean

setup: $(STAMP)

$(STAMP): $(SOURCES)
	@scripts/setup-venv.sh
	@rm -f $(VENV)/.pevm-*
	@touch $@

demo: setup
	$(VENV)/bin/pevm demo

test: setup
	$(PYTEST) -n $(JOBS) -q -m "not slow"

# The fast pure-Python slice: source tree on the path, shadowing the compiled build.
test-pure: setup
	PYTHONPATH=$(CURDIR) $(PYTEST) -n $(JOBS) -q -m "pure and not slow"

test-slow: setup
	$(PYTEST) -n $(JOBS) -q -m slow

conformance: setup
	$(VENV)/bin/pevm statetest -j $(JOBS) --fork Cancun $${PEVM_SHARED:-../shared}/ethereum-tests/GeneralStateTests

lint: setup
	$(VENV)/bin/mypy -p primitives -p interp -p opcodes -p precompiles -p parallel

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .hypothesis
