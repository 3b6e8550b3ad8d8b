"""Work split into parts that may run side by side, for code that must not depend on threads.

A `Spread` calls `job(part, parts)` once for every part in `range(parts)`, where `parts` is at
most what the caller asks for (it may be 1), and returns when every call has returned. Each
part must write only its own slots of builtin containers, so the outcome does not depend on
which thread ran which part or in what order. `serially` runs one part on the caller's thread;
`parallel.pool.spread_over` runs the parts on worker threads.
"""

from __future__ import annotations

from collections.abc import Callable

Job = Callable[[int, int], None]
Spread = Callable[[Job, int], None]


def serially(job: Job, most: int) -> None:
    """The whole job as one part, on the calling thread."""
    job(0, 1)
