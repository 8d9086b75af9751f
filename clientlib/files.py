"""Writing outputs safely: atomic replacement and paths that stay inside their folder.

A scheduled job may be killed at any moment and two jobs may share a folder, so every output is
written to a temporary file beside its destination and moved into place with ``os.replace``:
readers see the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from clientlib.schema import ClientlibError


@contextlib.contextmanager
def atomic_path(out: str | os.PathLike[str], suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``out``; on success move it onto ``out``, else remove it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "a.txt") as tmp:
    ...     _ = tmp.write_text("hello")
    >>> (d / "a.txt").read_text()
    'hello'
    """
    out = Path(out)
    if out.is_dir():
        raise ClientlibError(f"{out} is a folder; give a file name for the output")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(
        prefix=f".{out.name}.", suffix=suffix or out.suffix + ".part", dir=out.parent
    )
    os.close(fd)
    tmp = Path(name)
    readable(tmp)
    try:
        yield tmp
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()


def readable(path: str | os.PathLike[str]) -> None:
    """Give a file made by ``tempfile.mkstemp`` the usual permissions (``0o666`` less the umask).

    ``mkstemp`` creates files readable by their owner only; outputs are meant to be served and
    shared like any other file.
    """
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


def write_csv(df, out: str | os.PathLike[str]) -> Path:
    """Write a DataFrame as UTF-8 CSV atomically (same bytes for the same frame)."""
    with atomic_path(out) as tmp:
        df.to_csv(tmp, index=False, lineterminator="\n")
    return Path(out)


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    """A file-name-safe version of a user-given name (no separators, no leading dots).

    Examples
    --------
    >>> safe_name("../../etc/passwd")
    'etc_passwd'
    """
    cleaned = _SAFE.sub("_", str(name)).strip("._")
    if not cleaned:
        raise ClientlibError(f"{name!r} cannot be used as a file name")
    return cleaned


def inside(base: str | os.PathLike[str], *parts: str) -> Path:
    """Join ``parts`` under ``base`` and refuse any result that escapes ``base``."""
    root = Path(base).resolve()
    target = root.joinpath(*parts).resolve()
    if target != root and root not in target.parents:
        raise ClientlibError(
            f"{'/'.join(parts)!r} would write outside the output folder {root}; use a plain name"
        )
    return target
