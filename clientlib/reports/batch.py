"""Scheduled batches: a YAML file of named reports -> one folder with an index and a manifest.

Each report is rendered by :func:`clientlib.reports.render.render_report` into
``{name}_{date}.html`` (``date`` is the report's ``analysis_date`` when it sets one, else the
batch's run date), with its executed notebook beside it. After every report the folder's
``index.html`` (links and statuses) and ``manifest.json`` are rewritten atomically, so a batch
killed midway leaves every finished report, a truthful index, and reports still ``pending``;
running the same command again redoes the batch (``--skip-existing`` keeps reports whose HTML
is already there) and removes the killed run's temporary ``.*.part*`` files. A failing report
does not stop the others: it keeps its executed notebook as ``{name}_{date}.failed.ipynb``
and the batch ends with a non-zero exit code.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from clientlib.files import atomic_path, inside, safe_name
from clientlib.reports.execute import ReportFailed
from clientlib.reports.lock import BatchLock
from clientlib.reports.render import failed_notebook_path, render_report
from clientlib.schema import ClientlibError

__all__ = ["BatchConfig", "BatchResult", "Entry", "load_config", "output_stem", "run_batch"]

_TOP_KEYS = {"output", "run_date", "defaults", "reports", "kernel", "timeout"}


@dataclass
class BatchConfig:
    """A parsed batch file.

    Attributes
    ----------
    output : Path
        Output folder (relative paths are taken from the config file's folder).
    run_date : datetime.date
        Date used in file names of reports without an ``analysis_date``.
    reports : dict of str to dict
        Report name -> template parameters (``defaults`` merged in), in file order.
    base_dir : Path
        The config file's folder: relative ``input`` / ``events`` / ``customers`` paths start here.
    kernel : str or None
    timeout : float or None
        Seconds allowed per notebook cell.
    """

    output: Path
    run_date: dt.date
    reports: dict[str, dict[str, Any]]
    base_dir: Path
    kernel: str | None = None
    timeout: float | None = 600


@dataclass
class Entry:
    """One report of a batch, as listed in the index and the manifest."""

    name: str
    status: str  # pending, ok, kept (skipped, HTML already there), failed
    html: str
    notebook: str
    seconds: float | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    error: str = ""


@dataclass
class BatchResult:
    """What :func:`run_batch` did."""

    entries: list[Entry]
    index: Path
    manifest: Path

    @property
    def failed(self) -> list[Entry]:
        """Entries whose report failed."""
        return [e for e in self.entries if e.status == "failed"]


def _date(value: Any, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ClientlibError(f"{what} must be a date YYYY-MM-DD, not {value!r}") from None


def _check_name(name: Any) -> str:
    text = str(name)
    try:
        clean = safe_name(text)
    except ClientlibError:
        clean = ""
    if clean != text:
        hint = f" (e.g. {clean!r})" if clean else ""
        raise ClientlibError(
            f"report name {text!r} is not a plain file name; use letters, digits, '.', '_' "
            f"or '-'{hint}"
        )
    return text


def load_config(path: str | Path, run_date: Any = None) -> BatchConfig:
    """Read and check a batch file (``yaml.safe_load``).

    Parameters
    ----------
    path : path
        The YAML file: ``output`` (folder), optional ``run_date``, ``defaults`` (parameters
        for every report), ``kernel``, ``timeout``, and ``reports`` (name -> parameters).
    run_date : date-like, optional
        Overrides the file's ``run_date``; default today.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "b.yml"
    >>> _ = p.write_text("output: out\\nreports:\\n  weekly: {lang: ru}\\n")
    >>> cfg = load_config(p, run_date="2025-01-06")
    >>> cfg.output.name, cfg.reports, str(cfg.run_date)
    ('out', {'weekly': {'lang': 'ru'}}, '2025-01-06')
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ClientlibError(f"batch file not found: {path}") from None
    except yaml.YAMLError as exc:
        raise ClientlibError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ClientlibError(f"{path}: expected a mapping with 'output' and 'reports'")
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise ClientlibError(
            f"{path}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_TOP_KEYS))}"
        )
    if not raw.get("output"):
        raise ClientlibError(f"{path}: 'output' (the folder for the reports) is missing")
    reports = raw.get("reports")
    if not isinstance(reports, dict) or not reports:
        raise ClientlibError(f"{path}: 'reports' must map report names to their parameters")
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise ClientlibError(f"{path}: 'defaults' must be a mapping of parameters")
    merged: dict[str, dict[str, Any]] = {}
    for name, params in reports.items():
        if params is not None and not isinstance(params, dict):
            raise ClientlibError(f"{path}: parameters of report {name!r} must be a mapping")
        merged[_check_name(name)] = {**defaults, **(params or {})}
    base = path.resolve().parent
    output = Path(str(raw["output"])).expanduser()
    date = run_date if run_date is not None else raw.get("run_date")
    timeout = raw.get("timeout", 600)
    return BatchConfig(
        output=output if output.is_absolute() else base / output,
        run_date=_date(date, "run_date") if date is not None else dt.date.today(),
        reports=merged,
        base_dir=base,
        kernel=raw.get("kernel"),
        timeout=float(timeout) if timeout is not None else None,
    )


def output_stem(name: str, parameters: Mapping[str, Any], run_date: dt.date) -> str:
    """``{name}_{analysis_date or run_date}``: the file name of a report, without suffix.

    Examples
    --------
    >>> output_stem("weekly", {"analysis_date": "2024-06-30"}, dt.date(2025, 1, 6))
    'weekly_2024-06-30'
    >>> output_stem("weekly", {}, dt.date(2025, 1, 6))
    'weekly_2025-01-06'
    """
    given = parameters.get("analysis_date")
    date = _date(given, f"analysis_date of report {name!r}") if given else run_date
    return f"{_check_name(name)}_{date.isoformat()}"


# ---------------------------------------------------------------------------------------------
# index and manifest


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1000px; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #ddd; vertical-align: top; }
td.num { text-align: right; }
.ok, .kept { color: #17612c; } .failed { color: #a11; font-weight: bold; } .pending { color: #777; }
.error { font-family: monospace; font-size: 12px; white-space: pre-wrap; }
"""


def _link(folder: Path, name: str, text: str) -> str:
    if not name or not (folder / name).exists():
        return ""
    return f'<a href="{html.escape(quote(name))}">{html.escape(text)}</a>'


def index_html(folder: Path, entries: list[Entry], run_date: dt.date, source: str) -> str:
    """The batch's index page: every report with its status, time and links (all escaped)."""
    rows = []
    for e in entries:
        page = _link(folder, e.html, e.name) or html.escape(e.name)
        nb = _link(folder, e.notebook, "notebook")
        note = ""
        if e.status == "failed" and (folder / e.html).exists():
            note = " (earlier good version)"
        secs = f"{e.seconds:.1f}" if e.seconds is not None else ""
        params = ", ".join(f"{k}={v}" for k, v in e.parameters.items() if v not in ("", None))
        rows.append(
            "<tr>"
            f"<td>{page}{html.escape(note)}</td>"
            f'<td class="{html.escape(e.status)}">{html.escape(e.status)}</td>'
            f'<td class="num">{secs}</td>'
            f"<td>{nb}</td>"
            f"<td>{html.escape(params)}</td>"
            f'<td class="error">{html.escape(e.error)}</td>'
            "</tr>"
        )
    counts = {s: sum(e.status == s for e in entries) for s in ("ok", "kept", "failed", "pending")}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Reports {run_date.isoformat()}</title><style>{_STYLE}</style></head><body>"
        f"<h1>Reports {run_date.isoformat()}</h1>"
        f"<p>Batch {html.escape(source)}: {html.escape(summary)}.</p>"
        "<table><thead><tr><th>report</th><th>status</th><th>seconds</th><th>notebook</th>"
        "<th>parameters</th><th>error</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></body></html>\n"
    )


def _write_outputs(cfg: BatchConfig, entries: list[Entry], source: str) -> tuple[Path, Path]:
    index = inside(cfg.output, "index.html")
    manifest = inside(cfg.output, "manifest.json")
    state = "running" if any(e.status == "pending" for e in entries) else (
        "failed" if any(e.status == "failed" for e in entries) else "ok"
    )
    data = {
        "batch": source,
        "run_date": cfg.run_date.isoformat(),
        "status": state,
        "reports": [asdict(e) for e in entries],
    }
    with atomic_path(manifest) as tmp:
        tmp.write_text(
            json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
        )
    with atomic_path(index) as tmp:
        tmp.write_text(index_html(cfg.output, entries, cfg.run_date, source), encoding="utf-8")
    return index, manifest


# ---------------------------------------------------------------------------------------------
# the run


def _remove_leftovers(folder: Path) -> None:
    """Delete temporary files of a killed run (``.NAME.XXXX.part``); call holding the lock."""
    for path in folder.glob(".*.part*"):
        if path.is_file():
            path.unlink(missing_ok=True)


def run_batch(
    config: str | Path | BatchConfig,
    *,
    run_date: Any = None,
    skip_existing: bool = False,
    kernel: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> BatchResult:
    """Render every report of a batch file into its output folder.

    Parameters
    ----------
    config : path or BatchConfig
        The YAML batch file (see :func:`load_config` and ``examples/reports.yml``).
    run_date : date-like, optional
        Date in the file names (overrides the file's ``run_date``; default today).
    skip_existing : bool
        Keep reports whose HTML already exists (to finish an interrupted batch).
    kernel : str, optional
        Jupyter kernel (overrides the file's ``kernel``).
    progress : callable, optional
        Receives one line per report: position, name, status, seconds, file.

    Returns
    -------
    BatchResult
        ``failed`` lists the reports that failed (the caller exits non-zero).

    Raises
    ------
    LockedError
        Another batch is writing to the same folder.
    """
    cfg = config if isinstance(config, BatchConfig) else load_config(config, run_date)
    if isinstance(config, BatchConfig) and run_date is not None:
        cfg.run_date = _date(run_date, "run_date")
    say = progress or (lambda line: None)
    source = Path(config).name if isinstance(config, str | Path) else "batch"
    entries: list[Entry] = []
    for name, params in cfg.reports.items():
        stem = output_stem(name, params, cfg.run_date)
        inside(cfg.output, stem + ".html")  # refuse anything that would leave the folder
        entries.append(Entry(name, "pending", stem + ".html", stem + ".ipynb", parameters=params))
    width = max(len(e.name) for e in entries)
    with BatchLock(cfg.output, note=say):
        _remove_leftovers(cfg.output)
        _write_outputs(cfg, entries, source)
        for i, entry in enumerate(entries, 1):
            out = inside(cfg.output, entry.html)
            start = time.perf_counter()
            if skip_existing and out.exists():
                entry.status = "kept"
            else:
                try:
                    render_report(entry.parameters, out, kernel=kernel or cfg.kernel,
                                  timeout=cfg.timeout, base_dir=cfg.base_dir)
                    entry.status = "ok"
                except ClientlibError as exc:  # ReportFailed and bad parameters alike
                    kept = isinstance(exc, ReportFailed) and exc.notebook is not None
                    entry.status = "failed"
                    entry.error = exc.reason if isinstance(exc, ReportFailed) else str(exc)
                    entry.notebook = failed_notebook_path(out).name if kept else ""
            entry.seconds = round(time.perf_counter() - start, 1)
            shown = entry.html if entry.status != "failed" else entry.error
            say(f"[{i}/{len(entries)}] {entry.name:<{width}}  {entry.status:<6} "
                f"{entry.seconds:6.1f} s  {shown}")
            index, manifest = _write_outputs(cfg, entries, source)
    return BatchResult(entries, index, manifest)
