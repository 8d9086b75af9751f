"""The batch manifest: ``manifest.json``, a versioned record of what a batch did.

The schema is documented in ``docs/manifest.md`` and published as JSON Schema by
:func:`manifest_schema` (``schema_version`` 1). It is rewritten atomically after every report,
so a batch that is killed leaves a manifest that is true up to that moment (``status:
running``, unfinished reports ``pending`` or ``running``).

Examples
--------
>>> e = Entry("weekly", "ok", "weekly_2025-01-06.html", seconds=12.5)
>>> e.to_dict()["status"], sorted(manifest_schema()["properties"])[:3]
('ok', ['batch', 'config', 'finished'])
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
from dataclasses import asdict, dataclass, field, fields
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "MANIFEST_SCHEMA",
    "MANIFEST_VERSION",
    "STATUSES",
    "Entry",
    "file_digest",
    "library_versions",
    "manifest_schema",
    "read_manifest",
    "utc_now",
]

MANIFEST_SCHEMA = "clientlib-batch-manifest"
#: Bumped when a field changes meaning or is removed (adding a field keeps the version).
MANIFEST_VERSION = 1
#: Statuses of a report; ``kept`` = its HTML was there and ``--skip-existing`` kept it.
STATUSES = ("pending", "running", "ok", "kept", "failed", "timeout")
#: Distributions whose versions decide what a report shows.
_LIBRARIES = ("clientlib", "pandas", "numpy", "pyarrow", "ibis-framework", "duckdb",
              "scikit-learn", "matplotlib", "papermill", "nbconvert", "ipykernel",
              "jupyter_client")


#: File kinds of the call lists beside a report (``reports.decisions.ACTIONS`` × csv/xlsx).
_CALL_LISTS = [f"call_{a}_{ext}" for a in ("this_week", "unhappy", "dormant", "lost", "month")
               for ext in ("csv", "xlsx")]


def utc_now() -> str:
    """The current time in UTC, ISO 8601 with seconds and ``Z``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def library_versions() -> dict[str, str]:
    """Python and the versions of the libraries that shape a report (``"absent"`` if missing).

    Examples
    --------
    >>> {"pandas", "python", "lock"} <= set(library_versions())
    True
    """
    from clientlib.provenance import lock_hash

    # the lock's hash names every version at once (clientlib.provenance)
    out = {"python": platform.python_version(), "lock": lock_hash()}
    for name in _LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def file_digest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """``{path, sha256, bytes}`` of an input file (read in 1 MiB blocks).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_bytes(b"abc")
    >>> file_digest(p)["sha256"][:12], file_digest(p)["bytes"]
    ('ba7816bf8f01', 3)
    """
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
            size += len(block)
    return {"path": str(path), "sha256": h.hexdigest(), "bytes": size}


@dataclass
class Entry:
    """One report of a batch, as the manifest and the index list it.

    ``files`` holds only files that exist (names relative to the output folder): ``html``,
    ``notebook``, ``facts``, ``snapshot``, ``call_ACTION_csv`` / ``call_ACTION_xlsx`` (the call
    lists), and ``failed_notebook`` for a report that failed.
    ``analysis_date`` … ``revenue`` come from the report's own ``.facts.json`` (what the
    notebook actually used), not from the parameters.
    """

    name: str
    status: str
    html: str
    parameters: dict[str, Any] = field(default_factory=dict)
    inputs: list[dict[str, Any]] = field(default_factory=list)
    analysis_date: str | None = None
    customers: int | None = None
    buyers: int | None = None
    orders: int | None = None
    revenue: float | None = None
    started: str | None = None
    finished: str | None = None
    seconds: float | None = None
    files: dict[str, str] = field(default_factory=dict)
    compared_with: dict[str, str] | None = None
    error: str = ""
    kept_from: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The entry as JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entry:
        """An entry from a manifest (unknown fields of later versions ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """An earlier manifest, or None when absent, unreadable or of another schema."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or data.get("schema") != MANIFEST_SCHEMA:
        return None
    return data


def _nullable(kind: str | list[str]) -> dict[str, Any]:
    kinds = [kind] if isinstance(kind, str) else list(kind)
    return {"type": [*kinds, "null"]}


def manifest_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of ``manifest.json``, schema version 1."""
    entry = {
        "type": "object",
        "required": ["name", "status", "html", "parameters", "files", "error"],
        "properties": {
            "name": {"type": "string", "description": "report name (key in the config)"},
            "status": {"enum": list(STATUSES)},
            "html": {"type": "string", "description": "file name of the report page "
                     "(exists only when listed in files)"},
            "parameters": {"type": "object", "description": "template parameters, defaults "
                           "merged in, as given"},
            "inputs": {"type": "array", "items": {"type": "object", "properties": {
                "role": {"enum": ["input", "events", "customers", "dataset", "source"]},
                "path": {"type": "string"}, "name": {"type": "string"},
                "sha256": {"type": "string"}, "bytes": {"type": "integer"},
                # a database source: the URL without its password, what was read, as counted
                "url": {"type": "string"}, "table": {"type": "string"},
                "query": {"type": "string"}, "rows": {"type": "integer"},
                "max_timestamp": _nullable("string")}}},
            "analysis_date": {**_nullable("string"), "format": "date"},
            "customers": _nullable("integer"),
            "buyers": _nullable("integer"),
            "orders": _nullable("integer"),
            "revenue": _nullable("number"),
            "started": {**_nullable("string"), "format": "date-time"},
            "finished": {**_nullable("string"), "format": "date-time"},
            "seconds": _nullable("number"),
            "files": {"type": "object", "additionalProperties": {"type": "string"},
                      "propertyNames": {"enum": ["html", "notebook", "facts", "snapshot",
                                                 "failed_notebook", *_CALL_LISTS]}},
            "compared_with": {**_nullable("object"), "properties": {
                "snapshot": {"type": "string"}, "date": {"type": "string"}}},
            "error": {"type": "string"},
            "kept_from": {**_nullable("string"), "description": "start of the batch that "
                          "rendered a kept report"},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "clientlib batch manifest",
        "type": "object",
        "required": ["schema", "schema_version", "batch", "run_date", "started", "status",
                     "versions", "reports"],
        "properties": {
            "schema": {"const": MANIFEST_SCHEMA},
            "schema_version": {"const": MANIFEST_VERSION},
            "batch": {"type": "string", "description": "config file name"},
            "config": {"type": "string", "description": "config file, absolute path"},
            "lang": {"enum": ["en", "ru"]},
            "run_date": {"type": "string", "format": "date"},
            "started": {"type": "string", "format": "date-time"},
            "finished": {**_nullable("string"), "format": "date-time"},
            "status": {"enum": ["running", "ok", "failed", "interrupted"]},
            "jobs": {"type": "integer", "minimum": 1},
            "versions": {"type": "object", "additionalProperties": {"type": "string"}},
            "previous": {**_nullable("object"), "properties": {
                "run_date": {"type": "string"}, "index": {"type": "string"},
                "manifest": {"type": "string"}}},
            "reports": {"type": "array", "items": entry},
        },
    }
