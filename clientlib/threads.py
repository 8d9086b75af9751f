"""How many threads the numeric libraries (BLAS, OpenMP: NumPy, SciPy, scikit-learn) may use.

They start one thread per core of the machine. On a shared or containerised machine that is too
many: the process may be pinned to fewer cores (``os.sched_getaffinity``), limited by a CPU
quota (cgroup ``cpu.max``), or share its cores with other busy processes. OpenMP threads then
wait for each other at every barrier while the scheduler runs someone else — k-means on a loaded
2-core machine took 45 s with 2 threads and 6.9 s with 1 (issue #15). :func:`limited_threads`
caps the pools at :func:`thread_limit` for the duration of a block; the study's timings record
the limit that applied (:func:`describe`).
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["allowed_cores", "busy_cores", "describe", "limited_threads", "thread_limit"]

#: Environment variable that fixes the limit (an integer >= 1), e.g. for reproducible timings.
ENV = "CLIENTLIB_THREADS"


def allowed_cores() -> int:
    """The cores this process may run on: its CPU affinity, capped by a cgroup CPU quota.

    Examples
    --------
    >>> 1 <= allowed_cores() <= (os.cpu_count() or 1)
    True
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    try:  # cgroup v2: "max 100000" or "<quota> <period>"
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, cores)


def busy_cores(samples: int = 5, interval: float = 0.01) -> int:
    """Cores kept busy by other processes right now (Linux; 0 where unknown).

    The number of runnable tasks in ``/proc/loadavg`` (this process included, hence the − 1),
    the median of a few samples ``interval`` seconds apart: an instantaneous count, unlike the
    load averages, which trail by a minute.

    Examples
    --------
    >>> busy_cores() >= 0
    True
    """
    counts = []
    for i in range(samples):
        try:
            running = Path("/proc/loadavg").read_text().split()[3].split("/")[0]
        except (OSError, IndexError):
            return 0
        counts.append(int(running) - 1)
        if i + 1 < samples:
            time.sleep(interval)
    counts.sort()
    return max(0, counts[len(counts) // 2])


def thread_limit(*, load_aware: bool = True) -> int:
    """Threads a numeric pool should use in this process now.

    ``CLIENTLIB_THREADS`` when set; otherwise the allowed cores (:func:`allowed_cores`), minus
    the cores other processes keep busy (:func:`busy_cores`) when ``load_aware``; at least 1.

    Examples
    --------
    >>> 1 <= thread_limit() <= allowed_cores()
    True
    """
    fixed = os.environ.get(ENV, "").strip()
    if fixed:
        try:
            value = int(fixed)
        except ValueError:
            value = 0
        if value < 1:
            from clientlib.errors import OptionError

            raise OptionError(f"{ENV}={fixed!r}: expected a whole number of threads >= 1")
        return value
    cores = allowed_cores()
    if load_aware:
        cores -= busy_cores()
    return max(1, min(cores, allowed_cores()))


@contextlib.contextmanager
def limited_threads(limit: int | None = None) -> Iterator[int]:
    """Cap the BLAS and OpenMP thread pools for the duration of the block.

    Parameters
    ----------
    limit : int, optional
        Threads per pool; default :func:`thread_limit` (decided once, on entry).

    Yields
    ------
    int
        The limit that applies (record it beside the timings it affects).

    Examples
    --------
    >>> import numpy, sklearn.cluster  # load the BLAS and OpenMP libraries
    >>> from threadpoolctl import threadpool_info
    >>> with limited_threads(1) as n:
    ...     {p["num_threads"] for p in threadpool_info()}
    {1}
    >>> n
    1
    """
    from threadpoolctl import threadpool_limits

    n = thread_limit() if limit is None else int(limit)
    with threadpool_limits(limits=n):
        yield n


def describe(limit: int) -> dict[str, int]:
    """The thread figures to store beside timings: the limit, the allowed and the busy cores.

    Examples
    --------
    >>> sorted(describe(1))
    ['allowed_cores', 'busy_cores', 'threads']
    """
    return {"threads": int(limit), "allowed_cores": allowed_cores(), "busy_cores": busy_cores()}
