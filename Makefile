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

# The executable specification (EELS), the fuzzer's reference: it needs a CPython >= 3.11 with
# the GIL (it does not install on 3.13t), so it lives in its own venv.
PEERS := .venv-peers
EELS_VERSION := 2.20.0
EELS_STAMP := $(PEERS)/eels/.eels-$(EELS_VERSION)
FUZZ_SECONDS ?= 1800
# Benchmark peers for `make bench-peers`, each in $(PEERS)/<name> under a CPython with a GIL:
# py-evm (a pre-release, with coincurve for signatures) and pyrevm (no wheel for 3.13).
PYREVM_VERSION := 0.3.7
PYEVM_STAMP := $(PEERS)/py-evm/.installed
PYREVM_STAMP := $(PEERS)/pyrevm/.pyrevm-$(PYREVM_VERSION)
# matplotlib for `pevm analyze --plot OUT.png|OUT.pdf` (no free-threaded build); `make test`
# installs it too (~20 s) so the tests of that path run.
PLOT_STAMP := $(PEERS)/plot/.installed

.PHONY: setup demo test test-pure test-slow conformance conformance-repeated lint clean peers peers-plot fuzz bench \
	bench-peers

setup: $(STAMP)

$(STAMP): $(SOURCES)
	@scripts/setup-venv.sh
	@rm -f $(VENV)/.pevm-*
	@touch $@

demo: setup
	$(VENV)/bin/pevm demo

test: setup peers
	$(PYTEST) -n $(JOBS) -q -m "not slow"

# The fast pure-Python slice: source tree on the path, shadowing the compiled build.
test-pure: setup
	PYTHONPATH=$(CURDIR) $(PYTEST) -n $(JOBS) -q -m "pure and not slow"

test-slow: setup
	$(PYTEST) -n $(JOBS) -q -m slow

# Every conformance fixture: GeneralStateTests of every fork, BlockchainTests, and the
# execution-spec-tests Prague/Osaka state tests; then all three through the parallel executor
# (state tests through Block-STM, BlockchainTests through each parallel way). Nothing is skipped
# sequentially; the longest file is stTimeConsuming/CALLBlake2f_MaxRounds.json (2**32-1 BLAKE2
# rounds, ~9 min), which the parallel run skips: one transaction spending 9 minutes in one
# precompile call, the same call on a worker thread.
SHARED := $${PEVM_SHARED:-../shared}
conformance: setup
	$(VENV)/bin/pevm statetest -j $(JOBS) --durations 10 $(SHARED)/ethereum-tests/GeneralStateTests
	$(VENV)/bin/pevm blocktest -j $(JOBS) $(SHARED)/ethereum-tests/BlockchainTests
	$(VENV)/bin/pevm statetest -j $(JOBS) --durations 10 $(SHARED)/eest-state-tests
	$(VENV)/bin/pevm statetest -j $(JOBS) --parallel --skip-file stTimeConsuming/CALLBlake2f_MaxRounds.json \
		$(SHARED)/ethereum-tests/GeneralStateTests
	$(VENV)/bin/pevm blocktest -j $(JOBS) --parallel $(SHARED)/ethereum-tests/BlockchainTests
	$(VENV)/bin/pevm statetest -j $(JOBS) --parallel $(SHARED)/eest-state-tests

# Parallel equals sequential every time: all of the conformance material through the parallel
# executor again, on 1, 2, 4 and 8 worker threads, each case REPEATS times (it passes only if
# every run does). One pass over the three suites at 2 workers takes ~2 min on 2 cores, so the
# whole target ~2.5 hours.
REPEATS ?= 20
conformance-repeated: setup
	@for workers in 1 2 4 8; do \
		echo "== $$workers workers, every case $(REPEATS) times"; \
		$(VENV)/bin/pevm blocktest -j $(JOBS) --parallel --workers $$workers --repeat $(REPEATS) \
			$(SHARED)/ethereum-tests/BlockchainTests && \
		$(VENV)/bin/pevm statetest -j $(JOBS) --parallel --workers $$workers --repeat $(REPEATS) \
			--skip-file stTimeConsuming/CALLBlake2f_MaxRounds.json $(SHARED)/ethereum-tests/GeneralStateTests && \
		$(VENV)/bin/pevm statetest -j $(JOBS) --parallel --workers $$workers --repeat $(REPEATS) \
			$(SHARED)/eest-state-tests || exit 1; \
	done

# $(call install-peer,NAME,PIP ARGS): a venv in $(PEERS)/NAME; on failure none, and the fuzz
# oracle, tests or benchmark rows that need it skip with a message.
define install-peer
	@python=; for candidate in python3.12 python3.11 python3.13 python3; do \
		if $$candidate -c 'import sys; assert sys.version_info >= (3, 11) and getattr(sys, "_is_gil_enabled", lambda: True)()' 2>/dev/null; \
		then python=$$candidate; break; fi; done; \
	if [[ -z $$python ]]; then echo "peers: no CPython >= 3.11 with a GIL; $(1) and what needs it will skip" >&2; exit 0; fi; \
	echo "peers: installing $(2) into $(PEERS)/$(1)" >&2; \
	rm -rf $(PEERS)/$(1) && $$python -m venv $(PEERS)/$(1) \
	&& $(PEERS)/$(1)/bin/pip install -q --disable-pip-version-check $(2) \
	&& touch $@ || { echo "peers: could not install $(1); what needs it will skip" >&2; rm -rf $(PEERS)/$(1); }
endef

peers: $(EELS_STAMP) $(PLOT_STAMP)

$(EELS_STAMP):
	$(call install-peer,eels,ethereum-execution==$(EELS_VERSION))

# Throughput of pevm (compiled, pure Python, 1 and 2 workers); with the peers side by side.
bench: setup
	$(VENV)/bin/pevm bench

bench-peers: setup peers $(PYEVM_STAMP) $(PYREVM_STAMP)
	$(VENV)/bin/pevm bench --peers --json bench-peers.json

$(PYEVM_STAMP):
	$(call install-peer,py-evm,--pre py-evm coincurve)

$(PYREVM_STAMP):
	$(call install-peer,pyrevm,pyrevm==$(PYREVM_VERSION))

peers-plot: $(PLOT_STAMP)

$(PLOT_STAMP):
	$(call install-peer,plot,matplotlib)

# A long campaign of each oracle; reproducers go to fuzz-out/.
fuzz: setup peers
	$(VENV)/bin/pevm fuzz --oracle parallel --seconds $(FUZZ_SECONDS) --out fuzz-out
	$(VENV)/bin/pevm fuzz --oracle eels --seconds $(FUZZ_SECONDS) --out fuzz-out

lint: setup
	$(VENV)/bin/mypy -p primitives -p interp -p opcodes -p precompiles -p parallel

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .hypothesis
