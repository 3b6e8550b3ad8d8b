"""pevm: a parallel-aware EVM in Python (Block-STM on free-threaded CPython, mypyc-compiled).

This package is the thin command-line layer over `interp`, `parallel` and `ethtests`.
"""

__version__ = "0.1.0"
