"""Build: compile the hot packages with mypyc as one compilation unit (PEVM_PURE=1 skips it).

Everything in `COMPILED_PACKAGES` is compiled except the modules in `MYPYC_EXCLUDE`, each
with the reason it stays interpreted. `ethtests/` and `pevm/` (I/O, CLI) are never compiled.
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).parent
COMPILED_PACKAGES = ["primitives", "interp", "opcodes", "precompiles", "parallel"]
MYPYC_EXCLUDE = {
    # A mypyc object mutated by one thread while another read it crashed free-threaded 3.13.
    # MvMemory, Scheduler and Worker are compiled: their objects never change after
    # construction and their shared state is builtin containers behind locks.
    "parallel/executor.py": "thread orchestration; nothing hot of its own (the door, parallel/block.py, is compiled)",
    "parallel/senders.py": "thread orchestration around libsecp256k1 calls",
    "parallel/pool.py": "the worker threads themselves; nothing hot",
    "parallel/types.py": "markers and exceptions shared with the interpreted modules above",
}


class ParallelBuildExt(build_ext):
    """Compile the generated C files on every core (mypyc's multi_file output)."""

    def finalize_options(self) -> None:
        super().finalize_options()
        if not self.parallel:
            self.parallel = os.cpu_count() or 1


def compiled_modules() -> list[str]:
    modules = []
    for package in COMPILED_PACKAGES:
        for path in sorted((ROOT / package).glob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if path.name == "__init__.py" or relative in MYPYC_EXCLUDE:
                continue
            modules.append(relative)
    return modules


def release_bytes_concat_operands() -> None:
    """Correct mypyc's description of `bytes + bytes` before compiling. mypyc before 2.2 says
    its C function (CPyBytes_Concat) takes over the left operand's reference, which it never
    releases, so every concatenation in compiled code leaked its left operand (mypyc/mypyc#1192,
    fixed in mypy 2.2 by python/mypy#21469): ~4.5 MB a mainnet block, and the slow test suite
    ran out of memory. mypy 2.2+ needs ast-serialize, which has no free-threaded wheel here."""
    import mypyc.primitives.bytes_ops  # noqa: F401 - registers the primitive corrected here
    from mypyc.primitives import registry

    additions = registry.binary_ops["+"]
    for op in list(additions):
        if op.c_function_name == "CPyBytes_Concat" and op.steals:
            additions.remove(op)
            registry.binary_op("+", op.arg_types, op.return_type, op.error_kind, c_function_name=op.c_function_name)


def extensions() -> list[object]:
    if os.environ.get("PEVM_PURE") == "1":
        return []
    from mypyc.build import mypycify

    release_bytes_concat_operands()
    return list(mypycify(compiled_modules(), opt_level="3", debug_level="0", multi_file=True))


if __name__ == "__main__":
    setup(ext_modules=extensions(), cmdclass={"build_ext": ParallelBuildExt})
