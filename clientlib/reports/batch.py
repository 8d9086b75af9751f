"""Scheduled batches: a YAML file of named reports -> one folder with an index and a manifest.

A batch renders every report of its config into the output folder, ``--jobs`` at a time, each
in its own process and Jupyter kernel with a per-report timeout (see :mod:`.worker`): a report
that fails or hangs is recorded and killed, the others go on. Files are named
``{name}_{date}.html`` (``date`` is the report's ``analysis_date`` when it sets one, else the
batch's run date) with ``.ipynb``, ``.facts.json`` and ``.classes.parquet`` beside each. After
every report ``manifest.json`` (:mod:`.manifest`) and ``index.html`` (:mod:`.index`) are
rewritten atomically, so a batch killed midway leaves every finished report and a truthful
manifest; ``--skip-existing`` then keeps the reports whose HTML is there, with their earlier
manifest entries. Only the exact temporary names the batch's own files are written through
(:func:`~clientlib.reports.render.temporary_pattern`) are ever removed from the folder.

Why processes and not threads or a process pool: papermill and the kernel client are not
meant to run side by side in one process, and a hung report must be stoppable on its own; a
``concurrent.futures`` pool cannot kill one task without breaking the pool, a process of its
own (in its own process group) can be killed cleanly, kernel included.

Exit codes of ``clientlib reports run``: 0 every report rendered (or kept), 1 some report
failed or timed out, 2 a bad config or argument, or the folder is locked by another batch;
130 / 143 when stopped by Ctrl-C / SIGTERM (running reports are killed, the manifest says
``interrupted``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from clientlib import yamlio
from clientlib.errors import OptionError
from clientlib.files import atomic_path, inside, safe_name
from clientlib.messages import LANGS, check_lang
from clientlib.options import InputOptions, option_error
from clientlib.reports.changes import call_list_names, check_snapshot, latest_snapshot
from clientlib.reports.lock import OWNER_NAME, BatchLock
from clientlib.reports.manifest import (
    MANIFEST_SCHEMA,
    MANIFEST_VERSION,
    Entry,
    library_versions,
    read_manifest,
    utc_now,
)
from clientlib.reports.parameters import (
    coerce,
    option_parameters,
    template_parameters,
)
from clientlib.reports.render import (
    facts_path,
    failed_notebook_path,
    output_files,
    snapshot_path,
    temporary_pattern,
)
from clientlib.schema import ClientlibError

__all__ = [
    "BatchConfig",
    "BatchResult",
    "batch_schema",
    "default_jobs",
    "load_config",
    "output_stem",
    "run_batch",
]

#: Seconds a report may run (kernel start to HTML) unless the config or --timeout says otherwise.
DEFAULT_TIMEOUT = 1800.0
_INPUT_OPTIONS = tuple(InputOptions.model_fields)


def default_jobs() -> int:
    """Reports rendered at once by default: the cores this process may use.

    Examples
    --------
    >>> default_jobs() >= 1
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# ---------------------------------------------------------------------------------------------
# the config model


@cache
def _entry_model() -> type[BaseModel]:
    """Pydantic model of one report entry: the template's parameters, input options, timeout."""
    fields: dict[str, Any] = {}
    for name, spec in template_parameters().items():
        kind = str(spec.get("inferred_type_name", "str")).replace(" ", "")
        help_text = str(spec.get("help") or "")
        if kind == "int":
            fields[name] = (int | None, Field(None, description=help_text))
        elif kind.startswith("Union[") and "int" in kind:
            fields[name] = (int | str | None, Field(None, description=help_text))
        else:  # text parameters also take dates, lists and mappings (see parameters.coerce)
            fields[name] = (Any, Field(None, description=help_text))
    for name in _INPUT_OPTIONS:
        info = InputOptions.model_fields[name]
        fields.setdefault(name, (Any, Field(None, description=f"input option ({info.annotation})")))
    fields["map"] = (Any, Field(None, description=(
        "your column per role: ROLE=COLUMN,... text, or a mapping with nested events: and "
        "customers: (or dotted keys events.timestamp: COLUMN); merged into column_map")))
    fields["timeout"] = (float | None, Field(None, gt=0, description=(
        "seconds this report may run, kernel start to HTML; it is stopped and marked "
        "'timeout' after that")))
    return create_model("ReportEntry", __config__=ConfigDict(extra="forbid"), **fields)


@cache
def _file_model() -> type[BaseModel]:
    entry: Any = _entry_model()  # a model built at run time: mypy cannot see it as a type
    return create_model(
        "BatchFile",
        __config__=ConfigDict(extra="forbid", title="clientlib batch config"),
        output=(str | None, Field(None, description="output folder, relative to this file "
                                  "(or --output DIR)")),
        run_date=(dt.date | None, Field(None, description="date in file names of reports "
                                        "without analysis_date (default today, or --date)")),
        lang=(str, Field("en", description=f"language of the index page: {', '.join(LANGS)}")),
        jobs=(int | None, Field(None, ge=1, description="reports rendered at once "
                                "(default: usable cores, or --jobs)")),
        timeout=(float | None, Field(None, gt=0, description="seconds each report may run "
                                     f"(default {DEFAULT_TIMEOUT:.0f}, or --timeout)")),
        kernel=(str | None, Field(None, description="Jupyter kernel (default clientlib, "
                                  "else python3)")),
        defaults=(entry | None, Field(None, description="parameters every report starts from")),
        reports=(dict[str, entry | None], Field(..., min_length=1,
                                                description="report name -> parameters")),
    )


def batch_schema() -> dict[str, Any]:
    """JSON Schema of the batch config (for ``clientlib schema batch`` and editors).

    Examples
    --------
    >>> s = batch_schema()
    >>> s["required"], s["additionalProperties"]
    (['reports'], False)
    >>> "n_customers" in s["$defs"]["ReportEntry"]["properties"]
    True
    """
    return _file_model().model_json_schema()


@dataclass
class BatchConfig:
    """A checked batch file.

    Attributes
    ----------
    output : Path
        Output folder (a relative ``output:`` starts at the config file's folder).
    run_date : datetime.date
        Date in the file names of reports without an ``analysis_date``.
    reports : dict of str to dict
        Report name -> template parameters (``defaults`` merged in), in file order.
    base_dir : Path
        The config file's folder: relative ``input`` / ``events`` / ``customers`` start here.
    kernel : str or None
    timeout : float
        Seconds each report may run.
    timeouts : dict of str to float
        Per-report timeouts set in the file.
    lang : str
        Language of the index page.
    jobs : int or None
    source : str
        The config file's name (shown on the index page).
    path : Path or None
        The config file.
    """

    output: Path
    run_date: dt.date
    reports: dict[str, dict[str, Any]]
    base_dir: Path
    kernel: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    timeouts: dict[str, float] = field(default_factory=dict)
    lang: str = "en"
    jobs: int | None = None
    source: str = "batch"
    path: Path | None = None


def _date(value: Any, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise OptionError(f"{what} must be a date YYYY-MM-DD, not {value!r}") from None


def _check_name(name: Any) -> str:
    text = str(name)
    try:
        clean = safe_name(text)
    except ClientlibError:
        clean = ""
    if clean != text:
        hint = f" (e.g. {clean!r})" if clean else ""
        raise OptionError(
            f"report name {text!r} is not a plain file name; use letters, digits, '.', '_' "
            f"or '-'{hint}"
        )
    return text


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Line (1-based) of every mapping key, by its path: ``("reports", "weekly", "k") -> 9``."""
    lines: dict[tuple[str, ...], int] = {}

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                here = (*path, str(key.value))
                lines[here] = key.start_mark.line + 1
                walk(value, here)

    walk(yaml.compose(text, Loader=yaml.SafeLoader), ())
    return lines


def _line_of(lines: Mapping[tuple[str, ...], int], loc: tuple[Any, ...]) -> int | None:
    path = tuple(str(p) for p in loc)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None


def _refuse(origin: str, lines: Mapping[tuple[str, ...], int], exc: ValidationError,
            prefix: tuple[str, ...] = ()) -> OptionError:
    # a misspelt field also makes the right one "missing": name the misspelling first
    errs = sorted(exc.errors(), key=lambda e: e.get("type") != "extra_forbidden")
    err = errs[0]
    loc = (*prefix, *err.get("loc", ()))
    line = _line_of(lines, loc)
    where = f"{origin}, line {line}" if line else origin
    one = option_error(
        ValidationError.from_exception_data(exc.title, [err])  # type: ignore[list-item]
    )
    text = str(one)
    field_name = ".".join(str(p) for p in loc)
    text = text.split(": ", 1)[1] if ": " in text else text
    if err.get("type") == "extra_forbidden":
        known = sorted(_file_model().model_fields) if len(loc) == 1 else sorted(
            _entry_model().model_fields)
        text = f"unknown field; allowed here: {', '.join(known)}"
    elif err.get("type") == "missing":
        text = "missing; name the reports to render, each with its parameters"
    return OptionError(f"{where}: {field_name}: {text}")


def load_config(
    path: str | os.PathLike[str],
    run_date: Any = None,
    *,
    output: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
) -> BatchConfig:
    """Read and check a batch file (:func:`clientlib.yamlio.load` and a pydantic model).

    Duplicate keys and unknown fields are refused with the field's name and line; report
    parameters are checked against the template (names and types) and input options against
    :class:`clientlib.options.InputOptions` before anything runs.

    Parameters
    ----------
    path : path
        The YAML file: ``output``, ``run_date``, ``lang``, ``jobs``, ``timeout``, ``kernel``,
        ``defaults`` (parameters for every report) and ``reports`` (name -> parameters); see
        :func:`batch_schema` and ``examples/reports.yml``.
    run_date : date-like, optional
        Overrides the file's ``run_date``; default today.
    output : path, optional
        Overrides the file's ``output`` (a relative path starts at the current folder).
    timeout : float, optional
        Overrides every report's timeout.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "b.yml"
    >>> _ = p.write_text("output: out\\nreports:\\n  weekly: {lang: ru}\\n")
    >>> cfg = load_config(p, run_date="2025-01-06")
    >>> cfg.output.name, cfg.reports, str(cfg.run_date)
    ('out', {'weekly': {'lang': 'ru'}}, '2025-01-06')
    >>> _ = p.write_text("output: out\\nreports:\\n  weekly: {colour: red}\\n")
    >>> load_config(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    clientlib.errors.OptionError: b.yml, line 3: reports.weekly.colour: unknown field; ...
    """
    path = Path(path)
    origin = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise OptionError(f"batch file not found: {path}") from None
    except UnicodeDecodeError:
        raise OptionError(f"{path} is not UTF-8 text") from None
    try:
        raw = yamlio.load(text, origin=origin)
    except yaml.YAMLError as exc:
        raise OptionError(f"{origin} is not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise OptionError(f"{origin}: expected a mapping with 'output' and 'reports'")
    lines = _key_lines(text)
    try:
        model = _file_model().model_validate(raw)
    except ValidationError as exc:
        raise _refuse(origin, lines, exc) from None
    spec = template_parameters()
    defaults = dict(raw.get("defaults") or {})
    merged: dict[str, dict[str, Any]] = {}
    timeouts: dict[str, float] = {}
    for name, params in raw["reports"].items():
        report = _check_name(name)
        values = {**defaults, **(params or {})}
        if values.get("timeout") is not None:
            timeouts[report] = float(values["timeout"])
        values.pop("timeout", None)
        try:
            _column_map(values)
        except ClientlibError as exc:
            loc = ("reports", report, "map")
            line = _line_of(lines, loc) or _line_of(lines, ("defaults", "map"))
            raise OptionError(f"{origin}, line {line}: reports.{report}.map: {exc}") from None
        options = {k: v for k, v in values.items() if k in _INPUT_OPTIONS}
        try:
            InputOptions(**options)
        except ValidationError as exc:
            where = ("reports", report) if any(
                ("reports", report, str(k)) in lines for k in options) else ("defaults",)
            raise _refuse(origin, lines, exc, where) from None
        unsupported = sorted(k for k in options if k not in spec)
        if unsupported:
            loc = ("reports", report, unsupported[0])
            line = _line_of(lines, loc) or _line_of(lines, ("defaults", unsupported[0]))
            raise OptionError(
                f"{origin}, line {line}: {'.'.join(loc)}: input option the report template "
                f"does not take yet; the template takes: {', '.join(spec)}"
            )
        try:
            coerce(values, spec)
        except ClientlibError as exc:
            line = _line_of(lines, ("reports", report))
            raise OptionError(f"{origin}, line {line}: reports.{report}: {exc}") from None
        merged[report] = values
    lang = check_lang(model.lang)  # type: ignore[attr-defined]
    base = path.resolve().parent
    if output is not None:
        out = Path(output).expanduser().resolve()
    elif model.output:  # type: ignore[attr-defined]
        out = Path(model.output).expanduser()  # type: ignore[attr-defined]
        out = out if out.is_absolute() else base / out
    else:
        raise OptionError(f"{origin}: no output folder; set 'output:' in the file or pass "
                          "--output DIR")
    date = run_date if run_date is not None else model.run_date  # type: ignore[attr-defined]
    for_all = timeout if timeout is not None else model.timeout  # type: ignore[attr-defined]
    if timeout is not None:
        timeouts = {}
    return BatchConfig(
        output=out,
        run_date=_date(date, "run_date") if date is not None else dt.date.today(),
        reports=merged,
        base_dir=base,
        kernel=model.kernel,  # type: ignore[attr-defined]
        timeout=float(for_all) if for_all else DEFAULT_TIMEOUT,
        timeouts=timeouts,
        lang=lang,
        jobs=model.jobs,  # type: ignore[attr-defined]
        source=path.name,
        path=path.resolve(),
    )


def _column_map(values: dict[str, Any]) -> None:
    """Merge a report's ``map:`` (text, nested or dotted mapping) into its ``column_map`` text.

    Examples
    --------
    >>> v = {"column_map": "customer_id=Client", "map": {"events": {"timestamp": "redeemed"}}}
    >>> _column_map(v); v
    {'column_map': 'customer_id=Client,events.timestamp=redeemed'}
    """
    from clientlib.schema import mapping_text, parse_mapping

    given = values.pop("map", None)
    if given is None and not isinstance(values.get("column_map"), dict):
        return
    merged = {**parse_mapping(values.get("column_map") or None), **parse_mapping(given)}
    values["column_map"] = mapping_text(merged)


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
# the run


@dataclass
class BatchResult:
    """What :func:`run_batch` did."""

    entries: list[Entry]
    index: Path
    manifest: Path

    @property
    def failed(self) -> list[Entry]:
        """Entries whose report failed or timed out."""
        return [e for e in self.entries if e.status in ("failed", "timeout")]


@dataclass
class _Job:
    entry: Entry
    number: int
    timeout: float
    compare: tuple[Path, dt.date] | None = None
    proc: subprocess.Popen[bytes] | None = None
    start: float = 0.0
    folder: Path | None = None


def _inputs(params: Mapping[str, Any], base: Path, lang: str = "en") -> list[dict[str, Any]]:
    """What the manifest records of a report's inputs: each file's hash, or a database
    source's redacted URL, table or query, row count and latest timestamp (counted by the
    database, which also proves it answers); a missing or broken input raises its one line.
    """
    from clientlib.provenance import input_digests

    found = [_source_digest(params, lang)] if params.get("source") else []
    return found + input_digests(params, base)


def _source_digest(params: Mapping[str, Any], lang: str) -> dict[str, Any]:
    from clientlib import sources
    from clientlib.schema import parse_mapping, resolve_columns

    db = sources.database(params.get("source"), params.get("table"), params.get("query"),
                          what="source", lang=lang)
    assert db is not None
    sources.check_files(params.get("events") or None, params.get("customers") or None, lang=lang)
    with sources.guard(db, lang=lang):
        con = sources.connect(db, lang=lang)
        table = sources.open_table(db, con, lang=lang)
        sources.check_types(db, table, "transactions", params.get("column_map") or None,
                            lang=lang)
        for name in (params.get("events_table"), params.get("customers_table")):
            if name:
                sources.open_table(sources.Database(db.url, table=str(name)), con, lang=lang)
        roles = resolve_columns("transactions", list(table.columns),
                                parse_mapping(params.get("column_map") or None))
        return sources.describe(db, table, roles.get("timestamp"))


def _hide_source(params: dict[str, Any]) -> dict[str, Any]:
    """The parameters with a source URL's password moved to the environment (the report
    process and its kernel inherit it; the manifest, the index and job files never see it).
    """
    from clientlib import sources

    if params.get("source") and sources.is_url(str(params["source"])):
        return {**params, "source": sources.hide(str(params["source"]))}
    return params


def _files(folder: Path, html: str) -> dict[str, str]:
    out = folder / html
    names = {"html": out, "notebook": out.with_suffix(".ipynb"), "facts": facts_path(out),
             "snapshot": snapshot_path(out), "failed_notebook": failed_notebook_path(out)}
    for name in call_list_names(out.stem):  # the call lists beside the report
        names[name[len(out.stem) + 1 :].replace(".", "_")] = out.with_name(name)
    return {k: p.name for k, p in names.items() if p.exists()}


def _apply_facts(entry: Entry, facts: Mapping[str, Any]) -> None:
    for key in ("analysis_date", "customers", "buyers", "orders", "revenue"):
        if facts.get(key) is not None:
            setattr(entry, key, facts[key])


def _remove_temporaries(folder: Path, names: list[str]) -> None:
    """Delete the temporary files a killed run left for exactly these outputs."""
    pattern = temporary_pattern(names)
    for path in folder.iterdir():
        if pattern.match(path.name) and path.is_file():
            path.unlink(missing_ok=True)


def _keep_running_notebook(folder: Path, entry: Entry) -> None:
    """After a timeout: keep the partly executed notebook as the failed notebook."""
    html = folder / entry.html
    nb = html.with_suffix(".ipynb").name
    pattern = temporary_pattern([nb])
    running = [p for p in folder.iterdir() if pattern.match(p.name) and p.name.endswith(
        ".part.ipynb") and p.stat().st_size > 0]
    if running:
        newest = max(running, key=lambda p: p.stat().st_mtime)
        os.replace(newest, failed_notebook_path(html))


class _Writer:
    """Writes manifest.json and index.html, keeping the batch-level fields in one place."""

    def __init__(self, cfg: BatchConfig, jobs: int, previous: dict[str, Any] | None):
        self.cfg = cfg
        self.head: dict[str, Any] = {
            "schema": MANIFEST_SCHEMA,
            "schema_version": MANIFEST_VERSION,
            "batch": cfg.source,
            "config": str(cfg.path) if cfg.path else None,
            "lang": cfg.lang,
            "run_date": cfg.run_date.isoformat(),
            "started": utc_now(),
            "finished": None,
            "status": "running",
            "jobs": jobs,
            "versions": library_versions(),
            "previous": previous,
        }

    def write(self, entries: list[Entry], status: str | None = None) -> tuple[Path, Path]:
        from clientlib.reports.index import index_html

        folder = self.cfg.output
        for e in entries:
            if e.status not in ("pending", "running"):
                e.files = _files(folder, e.html)
        if status:
            self.head["status"] = status
            self.head["finished"] = utc_now()
        data = {**self.head, "reports": [e.to_dict() for e in entries]}
        manifest = inside(folder, "manifest.json")
        index = inside(folder, "index.html")
        with atomic_path(manifest) as tmp:
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n",
                           encoding="utf-8")
        with atomic_path(index) as tmp:
            tmp.write_text(index_html(data), encoding="utf-8")
        return index, manifest


def _archive_previous(folder: Path, run_date: dt.date) -> dict[str, Any] | None:
    """Keep the last run's index and manifest under dated names; return the link to them."""
    old = read_manifest(folder / "manifest.json")
    if old is None:
        return None
    if old.get("run_date") == run_date.isoformat():  # a rerun of the same day: same previous
        return old.get("previous")
    day = str(old.get("run_date"))
    index, manifest = f"index_{day}.html", f"manifest_{day}.json"
    for src, dst in (("index.html", index), ("manifest.json", manifest)):
        if (folder / src).exists():
            with atomic_path(inside(folder, dst)) as tmp:
                shutil.copyfile(folder / src, tmp)
    return {"run_date": day, "index": index, "manifest": manifest}


def _compare_source(
    compare_to: Path | None, folder: Path, name: str, day: dt.date
) -> tuple[Path, dt.date] | None:
    if compare_to is None:
        return latest_snapshot(folder, name, day)
    if compare_to.is_dir():  # another batch's folder: its latest snapshot of this report
        return latest_snapshot(compare_to, name, day + dt.timedelta(days=1))
    m = compare_to.name.rsplit("_", 1)[-1].split(".", 1)[0]
    try:
        when = dt.date.fromisoformat(m)
    except ValueError:
        when = dt.date.fromtimestamp(compare_to.stat().st_mtime)
    return compare_to, when


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def run_batch(
    config: str | os.PathLike[str] | BatchConfig,
    *,
    run_date: Any = None,
    skip_existing: bool = False,
    kernel: str | None = None,
    output: str | os.PathLike[str] | None = None,
    jobs: int | None = None,
    timeout: float | None = None,
    compare_to: str | os.PathLike[str] | None = None,
    input_options: InputOptions | None = None,
    progress: Callable[[str], None] | None = None,
    events: Callable[[dict[str, Any]], None] | None = None,
) -> BatchResult:
    """Render every report of a batch file into its output folder.

    Parameters
    ----------
    config : path or BatchConfig
        The YAML batch file (see :func:`load_config` and ``examples/reports.yml``).
    run_date : date-like, optional
        Date in the file names (overrides the file's ``run_date``; default today).
    skip_existing : bool
        Keep reports whose HTML already exists, with their earlier manifest entries.
    kernel : str, optional
        Jupyter kernel (overrides the file's ``kernel``).
    output : path, optional
        Output folder (overrides the file's ``output``).
    jobs : int, optional
        Reports rendered at once (default: the file's ``jobs``, else :func:`default_jobs`).
    timeout : float, optional
        Seconds each report may run (overrides the file).
    compare_to : path, optional
        An earlier ``.classes.parquet`` snapshot, or an earlier batch's folder, to compare
        with instead of the latest earlier snapshot in the output folder.
    input_options : InputOptions, optional
        Reader options (the CLI's ``--returns`` …) for every report; those that differ from
        the defaults override the file's values.
    progress : callable, optional
        Receives one text line per report: position, name, status, seconds, path.
    events : callable, optional
        Receives one dict per report and one for the batch (for ``--log-json``).

    Returns
    -------
    BatchResult
        ``failed`` lists the reports that failed or timed out (the caller exits 1).

    Raises
    ------
    LockedError
        Another batch is writing to the same folder.
    OptionError
        A bad config, before anything is written.
    """
    if isinstance(config, BatchConfig):
        cfg = config
        if run_date is not None:
            cfg.run_date = _date(run_date, "run_date")
        if output is not None:
            cfg.output = Path(output).expanduser().resolve()
        if timeout is not None:
            cfg.timeout, cfg.timeouts = float(timeout), {}
    else:
        cfg = load_config(config, run_date, output=output, timeout=timeout)
    n_jobs = jobs or cfg.jobs or default_jobs()
    if n_jobs < 1:
        raise OptionError(f"--jobs must be 1 or more, not {n_jobs}")
    say = progress or (lambda line: None)
    emit = events or (lambda event: None)
    against = Path(compare_to).expanduser().resolve() if compare_to else None
    if against is not None and not against.exists():
        raise OptionError(f"--compare-to: {against} does not exist; give an earlier report's "
                          ".classes.parquet or an earlier batch's folder")
    over = option_parameters(input_options)
    if over:
        cfg.reports = {name: {**params, **over} for name, params in cfg.reports.items()}
    entries: list[Entry] = []
    jobs_list: list[_Job] = []
    cfg.reports = {name: _hide_source(params) for name, params in cfg.reports.items()}
    for i, (name, params) in enumerate(cfg.reports.items(), 1):
        stem = output_stem(name, params, cfg.run_date)
        inside(cfg.output, stem + ".html")  # refuse anything that would leave the folder
        # a missing or broken input fails its own report (recorded with the reason), not the
        # batch: the others are rendered (README, "Reports and scheduled batches")
        try:
            found, why = _inputs(params, cfg.base_dir, str(params.get("lang") or cfg.lang)), ""
        except ClientlibError as exc:
            found, why = [], _one_line(str(exc), 2000)
        entry = Entry(name, "failed" if why else "pending", stem + ".html",
                      parameters=json.loads(json.dumps(params, default=str)), inputs=found)
        entry.error = why
        entries.append(entry)
        jobs_list.append(_Job(entry, i, cfg.timeouts.get(name, cfg.timeout)))
    ours = [p.name for e in entries for p in output_files(cfg.output / e.html)]
    ours += [n for e in entries for n in call_list_names(e.html[: -len(".html")])]
    ours += ["index.html", "manifest.json", OWNER_NAME]
    width = max(len(e.name) for e in entries)

    def report_line(job: _Job) -> None:
        e = job.entry
        shown = e.files.get("html") if e.status in ("ok", "kept") else e.files.get(
            "failed_notebook")
        path = cfg.output / shown if shown else "-"  # a timeout before any cell ran: no file
        tail = f"  {_one_line(e.error, 200)}" if e.error else ""
        say(f"[{job.number}/{len(entries)}] {e.name:<{width}}  {e.status:<7} "
            f"{(e.seconds or 0):6.1f} s  {path}{tail}")
        emit({"event": "report", "time": utc_now(), "batch": cfg.source, "report": e.name,
              "status": e.status, "seconds": e.seconds, "path": str(path),
              "analysis_date": e.analysis_date, "customers": e.customers, "error": e.error})

    # every snapshot a report will compare with is checked before anything is written or run:
    # a damaged, foreign or doubled one is refused with one line (exit 2)
    for job in jobs_list:
        e = job.entry
        if (skip_existing and (cfg.output / e.html).exists()) or e.status == "failed":
            continue
        source = _compare_source(against, cfg.output, e.name,
                                 dt.date.fromisoformat(e.html[-15:-5]))
        if source is not None:
            try:
                check_snapshot(source[0])
            except ClientlibError as exc:
                raise OptionError(f"report {e.name}: {exc}") from None
    with BatchLock(cfg.output):
        _remove_temporaries(cfg.output, ours)
        earlier = read_manifest(cfg.output / "manifest.json") or {}
        earlier_entries = {(r.get("name"), r.get("html")): r for r in earlier.get("reports", [])}
        writer = _Writer(cfg, n_jobs, _archive_previous(cfg.output, cfg.run_date))
        todo: list[_Job] = []
        for job in jobs_list:
            e = job.entry
            if skip_existing and (cfg.output / e.html).exists():
                old = earlier_entries.get((e.name, e.html))
                if old and old.get("status") in ("ok", "kept"):
                    kept = Entry.from_dict(old)
                    kept.kept_from = old.get("kept_from") or earlier.get("started")
                else:  # HTML there but no earlier entry: rebuild what the files say
                    kept = e
                    kept.kept_from = None
                    fp = facts_path(cfg.output / e.html)
                    if fp.exists():
                        _apply_facts(kept, json.loads(fp.read_text(encoding="utf-8")))
                kept.status = "kept"
                job.entry = kept
                entries[job.number - 1] = kept
            elif e.status == "failed":  # its input is missing or broken: not run
                e.started = e.finished = utc_now()
            else:
                job.compare = _compare_source(against, cfg.output, e.name,
                                              dt.date.fromisoformat(e.html[-15:-5]))
                todo.append(job)
        writer.write(entries)
        for job in jobs_list:
            if job.entry.status in ("kept", "failed"):
                report_line(job)
        work = Path(tempfile.mkdtemp(prefix="clientlib-batch-"))
        running: list[_Job] = []
        stopped: list[int] = []
        previous_term = signal.getsignal(signal.SIGTERM)

        def on_term(signum: int, _frame: Any) -> None:
            stopped.append(signum)
            raise KeyboardInterrupt

        if previous_term in (signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, on_term)
        try:
            queue = list(todo)
            while queue or running:
                while queue and len(running) < n_jobs:
                    job = queue.pop(0)
                    _start(job, cfg, kernel, work)
                    running.append(job)
                    writer.write(entries)
                time.sleep(0.1)
                for job in list(running):
                    if _finished(job, cfg):
                        running.remove(job)
                        writer.write(entries)
                        report_line(job)
            final = "failed" if any(e.status in ("failed", "timeout") for e in entries) else "ok"
            index, manifest = writer.write(entries, final)
        except BaseException as exc:
            for job in running:
                _kill(job)
                job.entry.status = "failed"
                job.entry.error = "the batch was stopped before this report finished"
                job.entry.finished = utc_now()
            writer.write(entries, "interrupted")
            if isinstance(exc, KeyboardInterrupt):  # Ctrl-C or SIGTERM: a line, no traceback
                print(f"batch stopped by {'SIGTERM' if stopped else 'Ctrl-C'}; the manifest "
                      f"lists what finished: {cfg.output / 'manifest.json'}", file=sys.stderr)
                raise SystemExit(143 if stopped else 130) from None
            raise
        finally:
            if previous_term in (signal.SIG_DFL, None):
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _remove_temporaries(cfg.output, ours)
            shutil.rmtree(work, ignore_errors=True)
    counts = {s: sum(e.status == s for e in entries) for s in ("ok", "kept", "failed", "timeout")}
    emit({"event": "batch", "time": utc_now(), "batch": cfg.source, "status": final,
          **counts, "index": str(index), "manifest": str(manifest)})
    return BatchResult(entries, index, manifest)


def _start(job: _Job, cfg: BatchConfig, kernel: str | None, work: Path) -> None:
    e = job.entry
    job.folder = work / f"{job.number:03d}"
    job.folder.mkdir()
    spec = {
        "parameters": cfg.reports[e.name],
        "html": str(cfg.output / e.html),
        "kernel": kernel or cfg.kernel,
        "timeout": job.timeout,
        "base_dir": str(cfg.base_dir),
        "compare_to": str(job.compare[0]) if job.compare else "",
        "compare_label": job.compare[1].isoformat() if job.compare else "",
        "result": str(job.folder / "result.json"),
        "parent_pid": os.getpid(),
    }
    if job.compare:
        e.compared_with = {"snapshot": str(job.compare[0]), "date": job.compare[1].isoformat()}
    (job.folder / "job.json").write_text(json.dumps(spec, default=str), encoding="utf-8")
    log = open(job.folder / "worker.log", "wb")  # noqa: SIM115 (closed in _finished)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    job.proc = subprocess.Popen(
        [sys.executable, "-m", "clientlib.reports.worker", str(job.folder / "job.json")],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=cfg.base_dir, env=env,
        start_new_session=True,  # its own process group: a timeout kills it and nothing else
    )
    log.close()
    job.start = time.perf_counter()
    e.status, e.started = "running", utc_now()


def _kill(job: _Job) -> None:
    if job.proc is not None and job.proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(job.proc.pid, signal.SIGKILL)
        job.proc.wait()


def _finished(job: _Job, cfg: BatchConfig) -> bool:
    """Poll a running report; record its outcome when it ended or ran out of time."""
    assert job.proc is not None and job.folder is not None
    e = job.entry
    elapsed = time.perf_counter() - job.start
    code = job.proc.poll()
    if code is None and elapsed <= job.timeout:
        return False
    e.seconds = round(elapsed, 1)
    e.finished = utc_now()
    if code is None:
        _kill(job)
        time.sleep(1.2)  # the kernel notices its parent is gone within a second
        _keep_running_notebook(cfg.output, e)
        e.status = "timeout"
        e.error = f"stopped after {job.timeout:g} s (the report's timeout)"
        return True
    result_file = job.folder / "result.json"
    if result_file.exists():
        result = json.loads(result_file.read_text(encoding="utf-8"))
        e.status = "ok" if result.get("status") == "ok" else "failed"
        e.error = _one_line(result.get("error") or "", 2000) if e.status == "failed" else ""
        _apply_facts(e, result.get("facts") or {})
    else:
        log = (job.folder / "worker.log").read_text(encoding="utf-8", errors="replace")
        last = [ln for ln in log.splitlines() if ln.strip()][-1:] or [f"exit code {code}"]
        e.status, e.error = "failed", _one_line(f"the report process ended: {last[0]}")
    return True
