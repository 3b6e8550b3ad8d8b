"""The `pevm` command: one subcommand per module in `pevm.commands`.

On a free-threaded CPython the process must run with the GIL forced off: ckzg and safe-pysha3
do not declare free-threading support, and importing them would turn the GIL back on. So the
entry point re-executes itself once with PYTHON_GIL=0 before importing anything heavy.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import platform
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Final

from pevm import __version__

# subcommand -> module in pevm.commands (each defines add_arguments(parser) and run(args) -> int)
COMMANDS = {
    "demo": "demo",
    "run-block": "run_block",
    "statetest": "statetest",
    "blocktest": "blocktest",
    "bench": "bench",
    "fuzz": "fuzz",
    "analyze": "analyze",
}


def _free_threaded() -> bool:
    return sysconfig.get_config_var("Py_GIL_DISABLED") == 1


def ensure_gil_off(argv: list[str]) -> None:
    """Re-exec with PYTHON_GIL=0 on a free-threaded build unless the GIL is already forced off."""
    if not _free_threaded() or os.environ.get("PYTHON_GIL") == "0" or getattr(sys.flags, "gil", None) == 0:
        return
    environment = dict(os.environ, PYTHON_GIL="0")
    # -P: `-m` would put the working directory first on sys.path, and in a source checkout its
    # interp/, opcodes/, ... would shadow the compiled modules (every command 5-10x slower).
    os.execve(sys.executable, [sys.executable, "-P", "-m", "pevm", *argv], environment)


def describe_build() -> str:
    """`pevm --version`: the version, whether the interpreter loop is the mypyc build, the GIL."""
    import interp.loop

    compiled = str(interp.loop.__file__).endswith(str(sysconfig.get_config_var("EXT_SUFFIX")))
    gil = "on" if getattr(sys, "_is_gil_enabled", lambda: True)() else "off"
    kind = "compiled" if compiled else "pure Python"
    return f"pevm {__version__} ({kind}; CPython {platform.python_version()}, GIL {gil})"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pevm", description="A parallel-aware EVM in Python.")
    parser.add_argument("--version", action="version", version=describe_build())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        try:
            module = importlib.import_module(f"pevm.commands.{module_name}")
        except ModuleNotFoundError as missing:
            if missing.name != f"pevm.commands.{module_name}":
                raise
            continue
        command = commands.add_parser(name, help=module.__doc__.strip().splitlines()[0] if module.__doc__ else None)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


# `--json -`: the JSON alone on standard output, to pipe (`pevm run-block B --json - | jq`).
STDOUT: Final = Path("-")


def _json_to_stdout(args: argparse.Namespace) -> int:
    """Run a command whose `--json` is `-`: it writes its JSON to a file of its own while its
    report goes to standard error, and the file is then copied to standard output."""
    with tempfile.TemporaryDirectory(prefix="pevm-json-") as directory:
        args.json = Path(directory) / "out.json"
        with contextlib.redirect_stdout(sys.stderr):
            result: int = args.run(args)
        if args.json.is_file():
            sys.stdout.write(args.json.read_text())
            sys.stdout.flush()
    return result


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if argv is None:
        ensure_gil_off(arguments)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))  # call depth 1024, pure Python
    parser = build_parser()
    args = parser.parse_args(arguments)
    if args.command is None:
        parser.print_help()
        return 2
    from pevm.errors import UserError

    try:
        if getattr(args, "json", None) == STDOUT:
            return _json_to_stdout(args)
        result: int = args.run(args)
        return result
    except UserError as error:
        print(f"pevm: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pevm: interrupted", file=sys.stderr)
        return 130
