#!/usr/bin/env bash
# Create .venv from a free-threaded CPython and install pevm into it, compiled with mypyc
# (PEVM_PURE=1: pure Python). Called by `make setup` when sources changed.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
PYTHON=$(scripts/ensure-python.sh)
log() { echo "setup: $*" >&2; }

# The system's libsecp256k1 makes sender recovery ~50x faster than the Python fallback.
if ! ldconfig -p 2>/dev/null | grep -q libsecp256k1.so.1; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        log "installing libsecp256k1-1 (fast secp256k1 recovery)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q libsecp256k1-1 >&2 \
            || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q libsecp256k1-1 >&2; } \
            || log "could not install libsecp256k1-1; falling back to the compiled Python implementation"
    else
        log "libsecp256k1 not found; sender recovery uses the compiled Python implementation"
    fi
fi

if [[ -x $VENV/bin/python ]] && [[ "$($VENV/bin/python -c 'import sys; print(sys._base_executable)')" != "$("$PYTHON" -c 'import sys; print(sys.executable)')" ]]; then
    log "recreating $VENV for $PYTHON"
    rm -rf "$VENV"
fi
if [[ ! -x $VENV/bin/python ]]; then
    log "creating $VENV with $PYTHON"
    "$PYTHON" -m venv "$VENV"
fi

# Build requirements live in the venv, so the build reuses them instead of an isolated env.
$VENV/bin/python -m pip install -q --disable-pip-version-check "setuptools>=75" wheel "mypy==1.20.2" "mypy_extensions>=1.0"
if [[ "${PEVM_PURE:-0}" == "1" ]]; then
    log "installing pevm (pure Python, PEVM_PURE=1)"
else
    log "installing pevm, compiling with mypyc (~2 min on 2 cores)"
fi
# Dependencies first: mypyc type-checks against them while it compiles pevm.
$VENV/bin/python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print("\n".join(p["dependencies"] + p["optional-dependencies"]["test"]))' \
    | $VENV/bin/python -m pip install -q --disable-pip-version-check -r /dev/stdin
PEVM_PURE="${PEVM_PURE:-0}" $VENV/bin/python -m pip install -q --disable-pip-version-check --no-build-isolation --no-deps --force-reinstall .
# coincurve installs only where the GIL exists (cffi refuses free-threaded 3.13).
if [[ "$($VENV/bin/python -c 'import sysconfig; print(sysconfig.get_config_var("Py_GIL_DISABLED") or 0)')" != "1" ]]; then
    $VENV/bin/python -m pip install -q --disable-pip-version-check coincurve || log "coincurve unavailable; fine"
fi
rm -rf build pevm.egg-info
log "ready: $($VENV/bin/python -c 'import sys; print(sys.version.split()[0], "free-threaded" if not sys._is_gil_enabled() else "with GIL")')"
