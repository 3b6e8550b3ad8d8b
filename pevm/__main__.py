"""`python -m pevm`: the same entry point as the `pevm` console script."""

from pevm.cli import main

raise SystemExit(main())
