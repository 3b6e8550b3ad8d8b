#!/usr/bin/env bash
# Print the path of a free-threaded CPython >= 3.13, building one if none is found.
#
# Order: $PEVM_PYTHON, python3.14t / python3.13t on PATH, our cached build. If none, build
# CPython 3.13.5 with --disable-gil (PGO by default) from Debian trixie's python3.13 source
# package into ${PEVM_CACHE:-$HOME/.cache/pevm}/cpython-3.13t, so later setups reuse it.
# Progress goes to stderr; stdout carries only the interpreter path.
set -euo pipefail

CACHE_DIR="${PEVM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pevm}"
PREFIX="$CACHE_DIR/cpython-3.13t"
PY_VERSION="3.13.5"
# sha256 of the upstream tarball as trixie's python3.13 .dsc lists it (Debian revisions change,
# the upstream tarball does not).
PY_TARBALL_SHA256="93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640"
PY_TARBALL="python3.13_${PY_VERSION}.orig.tar.xz"

log() { echo "ensure-python: $*" >&2; }

is_free_threaded() {
    "$1" - <<'PY' >/dev/null 2>&1
import sys, sysconfig
ok = sys.version_info >= (3, 13) and sysconfig.get_config_var("Py_GIL_DISABLED") == 1
sys.exit(0 if ok else 1)
PY
}

if [[ -n "${PEVM_PYTHON:-}" ]]; then
    if is_free_threaded "$PEVM_PYTHON"; then
        command -v "$PEVM_PYTHON"
        exit 0
    fi
    log "PEVM_PYTHON=$PEVM_PYTHON is not a free-threaded CPython >= 3.13"
    exit 2
fi

for candidate in python3.14t python3.13t; do
    if path=$(command -v "$candidate" 2>/dev/null) && is_free_threaded "$path"; then
        echo "$path"
        exit 0
    fi
done

if [[ -x "$PREFIX/bin/python3.13t" ]] && is_free_threaded "$PREFIX/bin/python3.13t"; then
    echo "$PREFIX/bin/python3.13t"
    exit 0
fi

log "no free-threaded CPython found; building $PY_VERSION into $PREFIX (PGO: ~14 min on 2 cores)"

install_build_deps() {
    local deps=(build-essential pkg-config libssl-dev libffi-dev zlib1g-dev libbz2-dev liblzma-dev
        libsqlite3-dev libreadline-dev libncurses-dev libgdbm-dev libgdbm-compat-dev uuid-dev
        libzstd-dev xz-utils)
    local missing=()
    for dep in "${deps[@]}"; do
        dpkg-query -W -f='${Status}' "$dep" 2>/dev/null | grep -q "install ok installed" || missing+=("$dep")
    done
    if ((${#missing[@]})); then
        if [[ $(id -u) -ne 0 ]]; then
            log "missing build dependencies (run as root or install them): ${missing[*]}"
            exit 2
        fi
        log "installing build dependencies: ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 \
            || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2; }
    fi
}

# The mirror URI comes from the machine's own apt configuration (deb822 or one-line format).
debian_mirror() {
    local uri=""
    if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
        uri=$(awk '/^URIs:/ {print $2}' /etc/apt/sources.list.d/*.sources | grep -v security | head -n 1 || true)
    fi
    if [[ -z "$uri" && -f /etc/apt/sources.list ]]; then
        uri=$(awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' \
            /etc/apt/sources.list | grep -v security | head -n 1 || true)
    fi
    if [[ -z "$uri" ]]; then
        log "cannot find a Debian mirror URI in the apt configuration"
        exit 2
    fi
    echo "$uri"
}

fetch_source() {
    local work="$1" mirror
    mirror=$(debian_mirror)
    local apt_dir="$work/apt"
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/etc/preferences.d"
    echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" \
        >"$apt_dir/etc/sources.list"
    local apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/etc/sources.list"
        -o "Dir::Etc::SourceParts=/dev/null"
        -o "Dir::Etc::PreferencesParts=$apt_dir/etc/preferences.d"
        -o "Dir::State::Lists=$apt_dir/lists"
        -o "Dir::Cache=$apt_dir/cache"
        -o "APT::Sandbox::User=root")
    log "fetching python3.13 sources from $mirror (trixie) with a private apt state"
    apt-get "${apt_opts[@]}" -q update >&2
    (cd "$work" && apt-get "${apt_opts[@]}" -q source --download-only python3.13 >&2)
}

WORK=""
cleanup() { [[ -n "$WORK" ]] && rm -rf "$WORK"; return 0; }
trap cleanup EXIT

build() {
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/pevm-cpython.XXXXXX")
    local work="$WORK"
    fetch_source "$work"
    local tarball="$work/$PY_TARBALL"
    if [[ ! -f "$tarball" ]]; then
        log "the source package has no $PY_TARBALL (trixie moved past $PY_VERSION?)"
        exit 2
    fi
    echo "$PY_TARBALL_SHA256  $tarball" | sha256sum -c --quiet - >&2 \
        || { log "sha256 mismatch for $PY_TARBALL"; exit 2; }
    tar -C "$work" -xf "$tarball"
    local src="$work/Python-$PY_VERSION"
    local configure_opts=(--prefix="$PREFIX" --disable-gil --with-ensurepip=install)
    if [[ "${PEVM_PGO:-1}" != "0" ]]; then
        configure_opts+=(--enable-optimizations)
    fi
    log "configure ${configure_opts[*]}"
    (cd "$src" && ./configure "${configure_opts[@]}" >"$work/configure.log" 2>&1) \
        || { tail -n 40 "$work/configure.log" >&2; exit 1; }
    log "make (log: $work/make.log)"
    # A flaky profile-task test must not abort the PGO build.
    (cd "$src" && make -j"$(nproc)" PROFILE_TASK='-m test --pgo --timeout=1200 || true' \
        >"$work/make.log" 2>&1) || { tail -n 40 "$work/make.log" >&2; exit 1; }
    log "make install"
    rm -rf "$PREFIX"
    (cd "$src" && make install >"$work/install.log" 2>&1) || { tail -n 40 "$work/install.log" >&2; exit 1; }
}

mkdir -p "$CACHE_DIR"
install_build_deps
build
is_free_threaded "$PREFIX/bin/python3.13t" || { log "the build did not produce a free-threaded python"; exit 1; }
echo "$PREFIX/bin/python3.13t"
