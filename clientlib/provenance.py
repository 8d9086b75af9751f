"""What a second analyst needs to rerun a study and compare: the lock's hash and the versions.

``requirements.lock`` (``make lock``) pins every package the Makefile installs. Its short
sha256 names the environment a report, a batch manifest or a facts JSON was made in: the
wheel carries a copy of the lock (``clientlib/requirements.lock``, added at build time), an
editable install reads the checkout's; without either the hash is ``"unlocked"``.

Examples
--------
>>> h = lock_hash()
>>> h == UNLOCKED or (len(h) == 12 and int(h, 16) >= 0)
True
>>> sorted(versions())[:3]
['clientlib', 'duckdb', 'ibis-framework']
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "LOCK_NAME",
    "UNLOCKED",
    "input_digests",
    "lock_file",
    "lock_hash",
    "record",
    "version_text",
    "versions",
]

LOCK_NAME = "requirements.lock"
#: The hash of an install that has no lock file beside it (a plain ``pip install clientlib``).
UNLOCKED = "unlocked"
#: Distributions ``clientlib --version`` names (what decides a report's numbers).
_NAMED = ("ibis-framework", "duckdb", "pandas", "scikit-learn")
_PACKAGE = Path(__file__).resolve().parent


def lock_file() -> Path | None:
    """The lock this install came from: the wheel's copy, else the checkout's, else None."""
    for path in (_PACKAGE / LOCK_NAME, _PACKAGE.parent / LOCK_NAME):
        if path.is_file():
            return path
    return None


def lock_hash(path: str | Path | None = None) -> str:
    """The first 12 hex digits of the lock's sha256 (``"unlocked"`` when there is none).

    Line endings are normalised first, so a checkout on Windows names the same lock.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "requirements.lock"
    >>> _ = p.write_bytes(b"abc\\n")
    >>> lock_hash(p) == hashlib.sha256(b"abc\\n").hexdigest()[:12]
    True
    """
    found = Path(path) if path is not None else lock_file()
    if found is None or not found.is_file():
        return UNLOCKED
    data = found.read_bytes().replace(b"\r\n", b"\n")
    return hashlib.sha256(data).hexdigest()[:12]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "—"


def versions() -> dict[str, str]:
    """clientlib, the lock's hash, Python and the libraries that decide a report's numbers."""
    out = {"clientlib": _version("clientlib"), "lock": lock_hash(),
           "python": platform.python_version()}
    out.update({name: _version(name) for name in _NAMED})
    return out


def version_text(lang: str = "en") -> str:
    """``clientlib --version``: one line per item, in ``lang``.

    Examples
    --------
    >>> version_text("ru").splitlines()[0].startswith("clientlib ")
    True
    """
    from clientlib.messages import check_lang, text

    lang = check_lang(lang)
    v = versions()
    lock = v["lock"] if v["lock"] != UNLOCKED else text("cli.version_unlocked", lang)
    lines = [text("cli.version_head", lang, version=v["clientlib"]),
             text("cli.version_lock", lang, lock=lock),
             text("cli.version_python", lang, version=v["python"])]
    lines += [text("cli.version_library", lang, name=name, version=v[name]) for name in _NAMED]
    return "\n".join(lines)


def input_digests(
    params: Mapping[str, Any], base: str | Path | None = None
) -> list[dict[str, Any]]:
    """``{role, path, sha256, bytes}`` of every input file of a report's parameters.

    ``input``, ``events``, ``customers`` (relative paths from ``base``, default the current
    folder); without an ``input`` the embedded dataset, ``{role: "dataset", name}`` (its rows
    follow from its name, its parameters and the lock); a database ``source`` is recorded by
    the batch, which asks the database. A missing file is an
    :class:`~clientlib.errors.OptionError`.

    Examples
    --------
    >>> input_digests({"dataset": "workshop"})
    [{'role': 'dataset', 'name': 'workshop'}]
    """
    from clientlib.errors import OptionError
    from clientlib.reports.manifest import file_digest
    from clientlib.reports.parameters import PATH_PARAMETERS

    found = []
    for role in PATH_PARAMETERS:
        value = params.get(role)
        if not value:
            continue
        p = Path(str(value)).expanduser()
        p = p if p.is_absolute() else Path(base or Path.cwd()) / p
        if not p.is_file():
            raise OptionError(f"{role} file not found: {p}")
        found.append({"role": role, **file_digest(p.resolve())})
    if not params.get("input") and not params.get("source"):
        found.append({"role": "dataset", "name": str(params.get("dataset") or "workshop")})
    return found


def record(params: Mapping[str, Any], base: str | Path | None = None) -> dict[str, Any]:
    """What an output names so that a second analyst can rerun and compare: lock and inputs.

    Examples
    --------
    >>> sorted(record({"dataset": "cdnow"}))
    ['inputs', 'lock']
    """
    return {"lock": lock_hash(), "inputs": input_digests(params, base)}
