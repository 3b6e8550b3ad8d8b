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


# One code object per traceback location (C strings, fixed at compile time), made on first use.
TRACEBACK_CODE_CACHE = """
static PyObject *pevm_traceback_codes;  /* (filename, funcname, line) -> code object */
static PyMutex pevm_traceback_codes_lock;

static PyCodeObject *pevm_traceback_code(const char *filename, const char *funcname, int line) {
    PyObject *key = Py_BuildValue("(nni)", (Py_ssize_t)filename, (Py_ssize_t)funcname, line);
    if (key == NULL) {
        return NULL;
    }
    PyObject *code = NULL;
    PyMutex_Lock(&pevm_traceback_codes_lock);
    if (pevm_traceback_codes == NULL) {
        pevm_traceback_codes = PyDict_New();
    }
    if (pevm_traceback_codes != NULL && PyDict_GetItemRef(pevm_traceback_codes, key, &code) == 0) {
        code = (PyObject *)PyCode_NewEmpty(filename, funcname, line);
        if (code != NULL && PyDict_SetItem(pevm_traceback_codes, key, code) < 0) {
            Py_CLEAR(code);
        }
    }
    PyMutex_Unlock(&pevm_traceback_codes_lock);
    Py_DECREF(key);
    return (PyCodeObject *)code;
}

"""


def cache_traceback_code_objects(build_dir: Path) -> None:
    """Give mypyc's runtime one code object per traceback location. mypyc's CPy_AddTraceback
    makes a new code object for every compiled function an exception passes through, and
    free-threaded CPython 3.13 makes the code objects made after the process's first extra
    thread immortal, so each raise leaked ~275 bytes per compiled frame for good: 264 objects
    per execution of mainnet block 15537394 once the worker pool existed (BENCHMARKS.md, stop 44)."""
    path = build_dir / "exc_ops.c"
    text = path.read_text(encoding="utf-8")
    made = "    PyCodeObject *code_obj = PyCode_NewEmpty(filename, funcname, line);\n"
    entry = "void CPy_AddTraceback("
    if text.count(made) != 1 or text.count(entry) != 1:
        raise RuntimeError(f"{path}: mypyc's CPy_AddTraceback is not the one this build patches")
    text = text.replace(made, made.replace("PyCode_NewEmpty", "pevm_traceback_code"))
    path.write_text(text.replace(entry, TRACEBACK_CODE_CACHE + entry), encoding="utf-8")


def extensions() -> list[object]:
    if os.environ.get("PEVM_PURE") == "1":
        return []
    from mypyc.build import mypycify

    release_bytes_concat_operands()
    built = list(mypycify(compiled_modules(), opt_level="3", debug_level="0", multi_file=True))
    cache_traceback_code_objects(ROOT / "build")
    return built


if __name__ == "__main__":
    setup(ext_modules=extensions(), cmdclass={"build_ext": ParallelBuildExt})
