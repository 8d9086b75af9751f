"""A lock file so two batches never write into the same output folder at once.

The lock ``.clientlib-reports.lock`` holds JSON with the PID, host and start time of the
batch that owns the folder. It is created atomically (written in full to a temporary file,
then hard-linked into place, which fails when a lock exists), and removed when the batch ends.

Stale locks: a batch that was killed leaves its lock behind. A lock whose process no longer
runs on this host is stale and is taken over (with a note). A lock from another host, or from
a PID that is alive (possibly reused by an unrelated process), is respected: the second batch
stops with a message naming the file; delete it by hand once you are sure no batch runs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clientlib.schema import ClientlibError

__all__ = ["LOCK_NAME", "BatchLock", "LockedError"]

LOCK_NAME = ".clientlib-reports.lock"


class LockedError(ClientlibError):
    """Another batch holds the output folder."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class BatchLock:
    """Context manager holding ``folder/.clientlib-reports.lock``.

    Parameters
    ----------
    folder : path
        The output folder (created when missing).
    note : callable, optional
        Receives a message when a stale lock is taken over.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> with BatchLock(d) as lock:
    ...     lock.path.exists()
    True
    >>> (Path(d) / LOCK_NAME).exists()
    False
    """

    def __init__(self, folder: str | os.PathLike[str], note: Callable[[str], None] | None = None):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.note = note or (lambda message: None)
        self._held = False

    def read(self) -> dict[str, Any] | None:
        """The current lock's content, or None when there is no readable lock."""
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def _stale(self, info: dict[str, Any] | None) -> bool:
        if info is None:  # unreadable: only a crash between link and nothing; treat as stale
            return self.path.exists()
        if info.get("host") != socket.gethostname():
            return False
        pid = info.get("pid")
        return isinstance(pid, int) and not _alive(pid)

    def acquire(self) -> BatchLock:
        """Take the lock, taking over a stale one; raise :class:`LockedError` when held."""
        self.folder.mkdir(parents=True, exist_ok=True)
        payload = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": dt.datetime.now().isoformat(timespec="seconds"),
        }
        fd, name = tempfile.mkstemp(prefix=".lock.", dir=self.folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(payload, fh)
            for _attempt in range(2):
                try:
                    os.link(name, self.path)
                    self._held = True
                    return self
                except FileExistsError:
                    info = self.read()
                    if not self._stale(info):
                        raise LockedError(
                            f"another report batch is writing to {self.folder} "
                            f"(pid {info.get('pid') if info else '?'} on "
                            f"{info.get('host') if info else '?'}, started "
                            f"{info.get('started') if info else '?'}); wait for it to finish, "
                            f"or delete {self.path} if no batch is running"
                        ) from None
                    self.note(f"taking over a stale lock of pid {info.get('pid') if info else '?'}")
                    if self.read() == info:  # not replaced meanwhile by another batch
                        with contextlib.suppress(FileNotFoundError):
                            self.path.unlink()
            raise LockedError(f"could not take the lock {self.path}; try again")
        finally:
            Path(name).unlink(missing_ok=True)

    def release(self) -> None:
        """Remove the lock if this process holds it."""
        if self._held:
            info = self.read()
            if info is None or info.get("pid") == os.getpid():
                self.path.unlink(missing_ok=True)
            self._held = False

    def __enter__(self) -> BatchLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
