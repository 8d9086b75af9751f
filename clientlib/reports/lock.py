"""A lock so two batches never write into the same output folder at once (``filelock``).

The lock is an OS-level lock (``flock``) on ``.clientlib-reports.lock`` taken with the
`filelock <https://py-filelock.readthedocs.io>`_ library: the kernel releases it when the
holding process ends, however it ends (``kill -9`` included), so there is no stale lock to
detect or take over, and a PID reused by an unrelated process can never hold a folder. The lock
file itself stays in the folder (removing it would race with a batch that is opening it); the
holder writes its PID, host and start time to ``.clientlib-reports.owner`` so that the second
batch can say who holds the folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from clientlib.errors import ClientlibError

__all__ = ["LOCK_NAME", "OWNER_NAME", "BatchLock", "LockedError"]

LOCK_NAME = ".clientlib-reports.lock"
OWNER_NAME = ".clientlib-reports.owner"


class LockedError(ClientlibError):
    """Another batch holds the output folder."""


class BatchLock:
    """Context manager holding the lock of an output folder.

    Parameters
    ----------
    folder : path
        The output folder (created when missing).
    note : callable, optional
        Kept for callers that pass a progress function; the lock has nothing to report.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> with BatchLock(d) as lock:
    ...     lock.read()["pid"] == os.getpid()
    True
    >>> try:
    ...     with BatchLock(d), BatchLock(d):
    ...         pass
    ... except LockedError as exc:
    ...     "another report batch" in str(exc)
    True
    """

    def __init__(self, folder: str | os.PathLike[str], note: Callable[[str], None] | None = None):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.owner = self.folder / OWNER_NAME
        # thread_local=False and a fresh object per BatchLock: a second BatchLock in the same
        # process is refused like another process (filelock is re-entrant per object only).
        self._lock = FileLock(self.path, timeout=0, thread_local=False, is_singleton=False)

    def read(self) -> dict[str, Any] | None:
        """Who holds (or last held) the folder: ``{pid, host, started}``, or None."""
        try:
            return json.loads(self.owner.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def acquire(self) -> BatchLock:
        """Take the lock at once, or raise :class:`LockedError` naming the holder."""
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            info = self.read() or {}
            raise LockedError(
                f"another report batch is writing to {self.folder} (pid {info.get('pid', '?')} "
                f"on {info.get('host', '?')}, started {info.get('started', '?')}); wait for it "
                "to finish — the lock is released when that process ends"
            ) from None
        payload = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        from clientlib.files import atomic_path

        with atomic_path(self.owner) as tmp:
            tmp.write_text(json.dumps(payload), encoding="utf-8")
        return self

    def release(self) -> None:
        """Release the lock (and forget the owner note) if this object holds it."""
        if self._lock.is_locked:
            self.owner.unlink(missing_ok=True)
            self._lock.release(force=True)

    def __enter__(self) -> BatchLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
