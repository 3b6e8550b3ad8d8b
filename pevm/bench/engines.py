"""The engines a benchmark compares, each run by its own interpreter in its own process.

pevm runs the installed (mypyc-compiled) build: its driver is started by path with the source
tree off `sys.path`. pevm-pure puts the source tree first on PYTHONPATH. The peers live in
`.venv-peers/<name>` (installed by `make bench-peers`); a missing one is skipped with a reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

DRIVERS: Final = Path(__file__).resolve().parent / "drivers"
PEERS: Final = ("py-evm", "eels", "pyrevm")


@dataclass(frozen=True)
class Engine:
    """How to start one engine's driver, and what it can run."""

    name: str
    python: Path
    driver: Path
    environment: dict[str, str]
    modes: tuple[str, ...] = ("msg", "tx")
    mainnet: bool = False
    workers: tuple[int, ...] = (1,)
    missing: str = field(default="")  # why the engine cannot run, if it cannot

    def command(self, request_path: Path) -> list[str]:
        return [str(self.python), str(self.driver), str(request_path), self.name]


def source_root() -> Path | None:
    """The repository holding the pure-Python source (the working directory when it is one);
    None outside a checkout, where only the installed build exists."""
    for candidate in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if (candidate / "interp" / "loop.py").is_file() and (candidate / "pyproject.toml").is_file():
            return candidate
    return None


def _pevm_python(root: Path | None) -> Path:
    venv = root / ".venv" / "bin" / "python" if root is not None else None
    return venv if venv is not None and venv.exists() else Path(sys.executable)


def free_threaded(python: Path) -> bool:
    """PYTHON_GIL=0 is an error on a GIL build, so ask the interpreter first."""
    query = "import sysconfig; print(sysconfig.get_config_var('Py_GIL_DISABLED'))"
    done = subprocess.run([str(python), "-c", query], capture_output=True, text=True, check=False)
    return done.stdout.strip() == "1"


def pevm_engines(root: Path | None, workers: int) -> list[Engine]:
    python = _pevm_python(root)
    base = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHON_GIL")}
    if free_threaded(python):
        base["PYTHON_GIL"] = "0"  # ckzg and safe-pysha3 would turn the GIL back on
    driver = DRIVERS / "pevm_driver.py"
    # Without a checkout, PYTHONPATH would point nowhere and "pevm-pure" would run compiled code.
    no_source = "" if root is not None else "no pevm source checkout here: run `pevm bench` from the repository"
    return [
        Engine("pevm", python, driver, base, mainnet=True, workers=tuple(sorted({1, workers}))),
        Engine("pevm-pure", python, driver, dict(base, PYTHONPATH=str(root)), mainnet=True, missing=no_source),
    ]


def peer_engines(root: Path | None) -> list[Engine]:
    engines = []
    drivers = {"py-evm": "pyevm_driver.py", "eels": "eels_driver.py", "pyrevm": "pyrevm_driver.py"}
    environment = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHON_GIL")}
    for name in PEERS:
        python = (root or Path.cwd()) / ".venv-peers" / name / "bin" / "python"
        missing = "" if python.exists() else f"{python} not found: `make bench-peers` installs it"
        modes = ("msg",) if name == "pyrevm" else ("msg", "tx")
        engines.append(Engine(name, python, DRIVERS / drivers[name], environment, modes=modes, missing=missing))
    return engines
