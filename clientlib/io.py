"""Readers: CSV, Parquet, pandas, polars or Ibis tables in; validated, standardised Ibis tables out.

Two stages, one concern each:

1. *Typing* turns the user's columns into the roles of :mod:`clientlib.schema` with one type each
   (text inputs are parsed in pandas, typed inputs are cast in the engine with ``try_cast``).
   Values that cannot be read become nulls, remembered with examples.
2. *Cleaning* runs in the engine (any Ibis backend): each row gets its first exclusion reason or
   none, the reasons are counted into a :class:`~clientlib.schema.QualityReport`, and the clean
   rows flow on as an Ibis expression. Nothing is dropped without being counted.

Timestamp rule (one for every input): time-zone-aware values are converted to UTC and the zone is
dropped; naive values are taken as they are; date-only values mean midnight. A row counts when its
timestamp is before the analysis date (the analysis date is the cut-off at the start of that day).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from clientlib.errors import InputError, OptionError
from clientlib.options import InputOptions
from clientlib.parsing import parse_dates, parse_numbers, plausible_range, strip_text
from clientlib.schema import (
    EVENT_KINDS,
    ClientlibError,
    ColumnTypeError,
    EmptyInputError,
    QualityReport,
    ReturnsError,
    examples_text,
    parse_mapping,
    resolve_columns,
    said,
    table_mapping,
)

Source: TypeAlias = str | os.PathLike | pd.DataFrame | ir.Table | Any  # Any: polars

_TRUE = {"true", "t", "yes", "y", "1", "да", "x"}
_SENTIMENT_WORDS = {"negative": -1.0, "neutral": 0.0, "positive": 1.0, "neg": -1.0, "pos": 1.0}
#: Amounts above this many times the median are flagged in a warning, not dropped.
_ABSURD_FACTOR = 1000.0


@dataclass
class Loaded:
    """A validated table: the clean rows as an Ibis expression, and the account of every row.

    Attributes
    ----------
    table : ibis.Table
        Clean rows with the standard columns of ``docs/CONTRACTS.md``.
    quality : QualityReport
        Rows read, used and excluded by reason.
    analysis_date : datetime.date or None
        The cut-off applied (transactions and events); None for customers.
    """

    table: ir.Table
    quality: QualityReport
    analysis_date: dt.date | None = None


# ---------------------------------------------------------------------------------------------
# public readers


@contextmanager
def _enough_memory(kind: str, source: Any) -> Iterator[None]:
    """Running out of memory while reading is one line that says so (and what to try), never a
    "malformed CSV" nor a traceback: Python's and Arrow's ``MemoryError``, DuckDB's
    out-of-memory error, pandas' tokenizer running out.
    """
    # Parquet and tables are read in parts already: only more memory helps them.
    whole = isinstance(source, str | os.PathLike) and not (
        Path(source).is_dir() or Path(source).suffix.lower() in {".parquet", ".pq"}
    )
    key = "out_of_memory" if whole else "out_of_memory_parts"
    try:
        yield
    except ClientlibError:
        raise
    except MemoryError:
        raise said(InputError, f"io.{key}", kind=kind, path=_name(source)) from None
    except Exception as exc:
        if _out_of_memory(exc):
            raise said(InputError, f"io.{key}", kind=kind, path=_name(source)) from None
        raise


def _out_of_memory(exc: BaseException) -> bool:
    """Whether ``exc`` (or an error it was raised from) means memory ran out."""
    import sys

    duckdb = sys.modules.get("duckdb")
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, MemoryError):
            return True
        if duckdb is not None and isinstance(seen, duckdb.OutOfMemoryException):
            return True
        message = str(seen)
        if isinstance(seen, pd.errors.ParserError) and "out of memory" in message.lower():
            return True
        # Arrow could not make a Python object: only an allocation fails there.
        if isinstance(seen, pa.ArrowException) and re.match(r"Unknown error: Wrapping .* failed$",
                                                             message):  # fmt: skip
            return True
        # A library loaded late (DuckDB's) could not be mapped into memory.
        if isinstance(seen, ImportError) and "failed to map segment" in message:
            return True
        suppressed = seen.__suppress_context__
        seen = seen.__cause__ or (None if suppressed else seen.__context__)
    return False


def _options(options: InputOptions | None, **given: Any) -> InputOptions:
    """One :class:`InputOptions` from ``options`` and keyword arguments (those not None win).

    Options are checked here, before any input is read; errors name the field.
    """
    base = options.model_dump() if options is not None else {}
    base.update({k: v for k, v in given.items() if v is not None})
    if isinstance(base.get("analysis_date"), dt.datetime | pd.Timestamp):
        base["analysis_date"] = base["analysis_date"].date()
    return InputOptions.parse(base)


def read_transactions(
    source: Source,
    mapping: Mapping[str, str] | None = None,
    *,
    analysis_date: Any = None,
    returns: str | None = None,
    duplicates: str | None = None,
    zero_amount: str | None = None,
    sep: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    date_format: str | None = None,
    dayfirst: bool | None = None,
    sheet: int | str | None = None,
    header_row: int | None = None,
    options: InputOptions | None = None,
    con: Any = None,
) -> Loaded:
    """Read transactions (orders or line items) into a validated table.

    Parameters
    ----------
    source : path, pandas or polars DataFrame, or Ibis table
        CSV/TSV (optionally gzipped, any case of ``.gz``), xlsx / xls / ods, or Parquet file or
        folder, or an in-memory / warehouse table.
    mapping : dict, optional
        ``{role: column}`` for columns not named like their role (``customer_id``, ``timestamp``,
        ``amount`` or ``quantity`` × ``unit_price``, ``order_id``, ``discount``, ``is_express``,
        ``is_premium``).
    analysis_date : date or ``YYYY-MM-DD``, optional
        Rows dated on or after it are excluded (counted). Default: the day after the last
        plausible transaction.
    returns : {"net", "drop", "error"}
        Negative-amount lines: ``net`` (default) lowers the customer's spend and leaves the
        order count unchanged; ``drop`` excludes them (counted); ``error`` refuses the input.
    duplicates : {"keep", "drop", "error"}
        Exact copies of an input row: kept (default; counted in a note), excluded, or refused.
    zero_amount : {"keep", "drop"}
        A zero-amount line is an order with zero spend (default) or excluded (counted).
    sep, decimal, encoding, date_format, dayfirst : optional
        CSV separator (sniffed), decimal separator (decided per column), encoding (decided from
        the bytes, :mod:`clientlib.encodings`), a ``strptime`` format for dates, day-first or
        month-first dates (decided per column); see :class:`clientlib.options.InputOptions`.
    sheet, header_row : optional
        A spreadsheet's sheet (name, or position from 1; default the first) and the row of its
        column names (default found below any title block); see :mod:`clientlib.spreadsheet`.
    options : InputOptions, optional
        The same options as one object; keyword arguments given explicitly win.
    con : Ibis backend, optional
        Where Parquet files are opened; in-memory inputs run on whichever backend executes them.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"client": ["a", "a", "b"], "date": ["2024-01-02", "2024-02-01", "x"],
    ...                    "sum": [10.0, 5.0, 7.0]})
    >>> loaded = read_transactions(df, {"customer_id": "client", "timestamp": "date",
    ...                                 "amount": "sum"})
    >>> loaded.quality.rows_used, loaded.quality.excluded
    (2, {'unparsable_timestamp': 1})
    """
    opts = _options(
        options,
        analysis_date=analysis_date,
        returns=returns,
        duplicates=duplicates,
        zero_amount=zero_amount,
        sep=sep,
        decimal=decimal,
        encoding=encoding,
        date_format=date_format,
        dayfirst=dayfirst,
        sheet=sheet,
        header_row=header_row,
    )
    with _enough_memory("transactions", source):
        typed, report, raw_examples = _typed("transactions", source, mapping, opts, con)
        return _clean_transactions(typed, report, raw_examples, opts)


def read_events(
    source: Source,
    mapping: Mapping[str, str] | None = None,
    *,
    analysis_date: Any = None,
    sep: str | None = None,
    encoding: str | None = None,
    date_format: str | None = None,
    dayfirst: bool | None = None,
    sheet: int | str | None = None,
    header_row: int | None = None,
    options: InputOptions | None = None,
    con: Any = None,
) -> Loaded:
    """Read the event log (leads, negotiations, contacts, complaints, referrals…).

    ``analysis_date`` should be the one used for the transactions (events on or after it are
    excluded and counted); when omitted, nothing is cut. Sentiment values that are neither
    numbers nor negative/neutral/positive are counted in the report (the event is kept).

    Examples
    --------
    >>> import pandas as pd
    >>> ev = read_events(pd.DataFrame({"customer_id": ["a"], "timestamp": ["2024-01-02"],
    ...                                "kind": ["contact"], "sentiment": ["great"]}))
    >>> ev.quality.notes["unreadable_sentiment"]
    1
    """
    opts = _options(
        options,
        analysis_date=analysis_date,
        sep=sep,
        encoding=encoding,
        date_format=date_format,
        dayfirst=dayfirst,
        sheet=sheet,
        header_row=header_row,
    )
    with _enough_memory("events", source):
        typed, report, raw_examples = _typed("events", source, mapping, opts, con)
        return _clean_events(typed, report, raw_examples, opts)


def _clean_events(typed, report, raw_examples, opts: InputOptions) -> Loaded:
    cutoff = opts.analysis_date
    t = typed
    low, high = (_ts_value(x) for x in plausible_range())
    early: Reasons = [
        ("missing_customer_id", _missing_id(t)),
        ("unparsable_timestamp", t.timestamp.isnull()),
        ("implausible_timestamp", (t.timestamp < low) | (t.timestamp >= high)),
    ]
    in_memory = _in_memory(t)
    stored = _store(t, early, in_memory)
    late: Reasons = (
        [("after_analysis_date", stored.timestamp >= _ts_literal(cutoff))] if cutoff else []
    )
    clean, report, _ = _account(
        stored, [n for n, _ in early], late, report, raw_examples, in_memory, opts.duplicates
    )
    kinds = clean.group_by("kind").agg(n=clean.count()).execute()
    unknown = kinds[~kinds["kind"].isin(EVENT_KINDS)]
    if len(unknown):
        report.warnings.append(
            f"{int(unknown['n'].sum())} events of unknown kind(s) "
            f"{examples_text(sorted(unknown['kind'].astype(str)), 5)} are kept but no feature uses "
            f"them; known kinds: {', '.join(EVENT_KINDS)}"
        )
    report.analysis_date = cutoff
    return Loaded(clean, report, cutoff)


def read_customers(
    source: Source,
    mapping: Mapping[str, str] | None = None,
    *,
    sep: str | None = None,
    encoding: str | None = None,
    sheet: int | str | None = None,
    header_row: int | None = None,
    options: InputOptions | None = None,
    **ignored: Any,
) -> Loaded:
    """Read the customers table (id plus attribute and survey columns).

    Customers tables are small, so this runs in pandas. A repeated customer id keeps its first
    row; the others are counted under ``duplicate_customer``. Options that concern dates or
    amounts (``returns``…) are accepted and do not apply here.

    Examples
    --------
    >>> import pandas as pd
    >>> read_customers(pd.DataFrame({"customer_id": [" 007", "8"]})).quality.rows_used
    2
    """
    opts = _options(options, sep=sep, encoding=encoding, sheet=sheet, header_row=header_row)
    with _enough_memory("customers", source):
        return _read_customers(source, mapping, opts)


def _read_customers(source, mapping, opts: InputOptions) -> Loaded:
    raw = _load_raw(source, "customers", opts, None, mapping)
    if isinstance(raw, ir.Table):
        raw = raw.execute()
    if len(raw) == 0:
        raise EmptyInputError(f"customers: {_name(source)} has no data rows")
    resolved = resolve_columns("customers", list(raw.columns), mapping)
    renamed = {c: r for r, c in resolved.items() if c != r}
    # a mapped answer replaces a column already named like the role
    df = raw.drop(columns=[r for r in renamed.values() if r in raw.columns])
    df = df.rename(columns=renamed).copy()
    report = QualityReport("customers", rows_read=len(df))
    report.notes.update(raw.attrs.get("notes", {}))  # the sheet and header row read
    _say_reading(report, raw, resolved, mapping)
    ids, id_note = _ids(df["customer_id"])
    ids, n_changed = _visible_ids(ids)
    df["customer_id"] = strip_text(ids) if not pd.api.types.is_integer_dtype(ids) else ids
    if id_note:
        report.notes["customer_id"] = id_note
    if n_changed:
        report.say("ids_cleaned", "io.ids_cleaned", n=n_changed)
    for col in df.columns:
        if col != "customer_id" and _looks_boolean(df[col]):
            df[col] = _booleans(df[col])
    missing = df["customer_id"].isna()
    dup_exact = df.duplicated() & ~missing
    dup_id = df["customer_id"].duplicated() & ~missing & ~dup_exact
    for reason, mask in (
        ("missing_customer_id", missing),
        ("duplicate", dup_exact),
        ("duplicate_customer", dup_id),
    ):
        if mask.any():
            report.excluded[reason] = int(mask.sum())
            report.examples[reason] = _records(df[mask].head(3))
    keep = df[~(missing | dup_exact | dup_id)].reset_index(drop=True)
    report.rows_used = len(keep)
    report.customers = int(keep["customer_id"].nunique())
    report.check()
    return Loaded(ibis.memtable(keep), report, None)


@dataclass
class Inputs:
    """The tables of one study, read and validated, and a short name of where they came from."""

    transactions: Loaded
    events: Loaded | None = None
    customers: Loaded | None = None
    source: str = ""


def read_inputs(
    input: Source | None = None,
    *,
    dataset: str | None = None,
    mapping: Mapping[str, str] | str | None = None,
    events: Source | None = None,
    customers: Source | None = None,
    analysis_date: Any = None,
    returns: str | None = None,
    duplicates: str | None = None,
    zero_amount: str | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    date_format: str | None = None,
    dayfirst: bool | None = None,
    sheet: int | str | None = None,
    header_row: int | None = None,
    options: InputOptions | None = None,
    dataset_options: Mapping[str, Any] | None = None,
) -> Inputs:
    """Read transactions, events and customers from files or an embedded dataset.

    Give either ``input`` (with optional ``events`` and ``customers``) or ``dataset``; a
    dataset's own column mapping applies first, ``mapping`` on top of it. The reader options
    (see :class:`clientlib.options.InputOptions`) are checked before any file is opened.

    Examples
    --------
    >>> inputs = read_inputs(dataset="workshop", dataset_options={"n_customers": 50})
    >>> inputs.source, inputs.customers.quality.rows_used
    ('workshop', 50)
    """
    from clientlib import datasets

    opts = _options(
        options,
        analysis_date=analysis_date,
        returns=returns,
        duplicates=duplicates,
        zero_amount=zero_amount,
        sep=sep,
        encoding=encoding,
        decimal=decimal,
        date_format=date_format,
        dayfirst=dayfirst,
        sheet=sheet,
        header_row=header_row,
    )
    if (input is None) == (dataset is None):
        raise OptionError("give either an INPUT file or --dataset NAME (not both, not neither)")
    roles = parse_mapping(mapping)
    if dataset is not None:
        if dataset not in datasets.available():
            raise OptionError(
                f"unknown dataset {dataset!r}; available: {', '.join(datasets.available())}"
            )
        ds = datasets.load(dataset, **dict(dataset_options or {}))
        roles = {**(ds.mapping or {}), **roles}
        tx_src, ev_src, cu_src, source = ds.transactions, ds.events, ds.customers, dataset
    else:
        tx_src, ev_src, cu_src = input, events, customers
        source = Path(input).name if isinstance(input, str | os.PathLike) else _name(input)
    # one mapping per table: bare roles for every table, "events.ROLE" items for one
    tx = read_transactions(tx_src, table_mapping("transactions", roles), options=opts)
    ev_opts = opts.model_copy(update={"analysis_date": tx.analysis_date})
    ev_map, cu_map = table_mapping("events", roles), table_mapping("customers", roles)
    ev = read_events(ev_src, ev_map, options=ev_opts) if ev_src is not None else None
    cu = read_customers(cu_src, cu_map, options=opts) if cu_src is not None else None
    return Inputs(tx, ev, cu, source)


def input_paths(*sources: Any) -> list[Path]:
    """The resolved paths among ``sources`` (files and folders), for output checks.

    Examples
    --------
    >>> [p.name for p in input_paths("a.csv", None, 3)]
    ['a.csv']
    """
    return [Path(s).resolve() for s in sources if isinstance(s, str | os.PathLike)]


def parse_analysis_date(value: Any) -> dt.date | None:
    """Read an analysis date (ISO ``"2024-06-30"``, a date, a datetime or a Timestamp) or None.

    Examples
    --------
    >>> parse_analysis_date("2006-12-31")
    datetime.date(2006, 12, 31)
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return InputOptions.parse({"analysis_date": value}).analysis_date


# ---------------------------------------------------------------------------------------------
# stage 1: typing


def _typed(kind, source, mapping, opts: InputOptions, con):
    raw = _load_raw(source, kind, opts, con, mapping)
    columns = list(raw.columns)
    resolved = resolve_columns(kind, columns, mapping)
    report = QualityReport(kind, columns=dict(resolved))
    report.unmapped = [str(c) for c in columns if c not in resolved.values()]
    _say_reading(report, raw, resolved, mapping)
    if isinstance(raw, ir.Table):
        if "discount" in resolved:
            _check_discount_share(raw, resolved["discount"])
        typed = _type_ibis(kind, raw, resolved)
        typed, n_changed = _visible_ids_ibis(typed)
        if n_changed:
            report.say("ids_cleaned", "io.ids_cleaned", n=n_changed)
        # The input's own count: typing keeps every row, and a file's count is in its metadata.
        report.rows_read = int(raw.count().execute())
        raw_examples: dict[str, list] = {}
    else:
        report.rows_read = len(raw)
        report.notes.update(raw.attrs.get("notes", {}))  # the sheet and header row read
        if report.rows_read == 0:
            raise EmptyInputError(
                f"{kind}: {_name(source)} has no data rows (only a header?); nothing to analyse"
            )
        prepared, raw_examples, warnings, notes = _type_pandas(kind, raw, resolved, opts)
        if n_changed := notes.pop("_ids_cleaned", 0):
            report.say("ids_cleaned", "io.ids_cleaned", n=n_changed)
        report.warnings += warnings
        report.notes.update(notes)
        # Columns that are already typed pass through untouched (no copy); the engine casts,
        # strips and fills in the absent roles, as it does for any Ibis table.
        arrow = pa.Table.from_pandas(prepared, preserve_index=False)
        roles = {c: c for c in prepared.columns if c != "_rowkey"}
        typed = _type_ibis(kind, ibis.memtable(arrow), roles)
    if report.rows_read == 0:
        raise EmptyInputError(
            f"{kind}: {_name(source)} has no data rows (only a header?); nothing to analyse"
        )
    return typed, report, raw_examples


#: How an encoding is shown: its codec name, the BOM said.
_ENCODING_SHOWN = {"utf-8-sig": "utf-8 (BOM)"}


def _say_reading(report: QualityReport, raw: Any, resolved: dict[str, str], mapping) -> None:
    """Note how a file was read: its encoding (given or detected) and the roles recognised by a
    Russian column name (:data:`clientlib.schema.ALIASES`).
    """
    from clientlib.schema import aliased

    attrs = getattr(raw, "attrs", None) or {}
    if "encoding" in attrs:
        name, how = attrs["encoding"]
        report.say("encoding", f"io.encoding_{how}", name=_ENCODING_SHOWN.get(name, name))
    found = aliased(resolved, mapping)
    if found:
        report.say(
            "columns_recognised",
            "io.columns_recognised",
            columns=", ".join(f"{r}={c}" for r, c in found.items()),
        )


def _name(source) -> str:
    if isinstance(source, str | os.PathLike):
        return str(source)
    return f"the {type(source).__name__} given"


def _load_raw(source, kind, opts: InputOptions, con, mapping=None):
    """Return a pandas DataFrame (text and in-memory inputs) or an Ibis table (Parquet, tables)."""
    if isinstance(source, ir.Table):
        return source
    if isinstance(source, pd.DataFrame):
        return source
    if type(source).__module__.startswith("polars"):
        return source.to_pandas()
    if not isinstance(source, str | os.PathLike):
        raise InputError(
            f"{kind}: cannot read a {type(source).__name__}; give a CSV or Parquet path, a pandas "
            "or polars DataFrame, or an Ibis table"
        )
    path = Path(source)
    if not path.exists():
        raise InputError(f"{kind}: no such file: {path}")
    if path.is_dir():
        parts = sorted(p for p in path.rglob("*") if p.suffix.lower() in {".parquet", ".pq"})
        if not parts:
            raise InputError(
                f"{kind}: {path} is a folder without Parquet files; give a file (CSV or "
                "Parquet) or a Parquet dataset folder"
            )
        return _read_parquet(kind, path, [str(p) for p in parts], con)
    what = sniff(path)
    parquet_name = path.suffix.lower() in {".parquet", ".pq"}
    if what == "parquet":
        if not parquet_name and path.suffix.lower() not in {".csv", ".tsv", ".txt", ".gz"}:
            return _read_parquet(kind, path, [str(path)], con)
        if not parquet_name:
            raise InputError(
                f"{kind}: {path} is a Parquet file named like text; rename it to "
                f"{path.stem}.parquet"
            )
        return _read_parquet(kind, path, [str(path)], con)
    if parquet_name:
        raise InputError(
            f"{kind}: {path} is named .parquet but holds {_WHAT[what]}; "
            + ("rename it to .csv" if what in {"text", "gzip", "utf16"} else "export it as CSV")
        )
    if what in _SPREADSHEETS:  # xlsx / xls / ods (clientlib.spreadsheet)
        from clientlib.spreadsheet import read_sheet, sheet_for

        return read_sheet(path, kind, sheet=sheet_for(kind, opts.sheet),
                          header_row=opts.header_row, mapping=mapping, what=what)  # fmt: skip
    if what in {"zip", "binary", "pdf"}:
        raise InputError(
            f"{kind}: {path} is {_WHAT[what]}, not CSV text; "
            + ("unzip it first" if what == "zip" else "save or export it as CSV")
        )
    return _read_csv(path, kind, opts, what, mapping)


_SPREADSHEETS = ("xlsx", "xls", "ods")
_WHAT = {
    "parquet": "a Parquet file",
    "gzip": "gzip-compressed data",
    "xlsx": "an Excel workbook (.xlsx)",
    "xls": "an old Excel workbook (.xls)",
    "ods": "an OpenDocument spreadsheet (.ods)",
    "zip": "a zip archive",
    "pdf": "a PDF document",
    "utf16": "UTF-16 text",
    "binary": "binary data",
    "text": "text",
}


def sniff(path: str | os.PathLike) -> str:
    """What a file holds, from its first bytes: ``parquet``, ``gzip``, ``xlsx``, ``xls``,
    ``ods``, ``zip``, ``pdf``, ``utf16``, ``binary`` or ``text`` (a zip by its directory).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes(b"PAR1....")
    >>> sniff(p)
    'parquet'
    """
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"PK\x03\x04"):
        from clientlib.spreadsheet import zip_kind

        return zip_kind(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf16"
    if b"\x00" in head:
        return "binary"
    return "text"


def _read_parquet(kind, path: Path, files: list[str], con):
    import duckdb

    from clientlib import engine

    # One connection for every file (not one each): the facts join transactions, events and
    # customers, and a query cannot read another connection's stored rows.
    con = con or engine.default()
    try:
        table = engine.read_parquet(con, files if len(files) > 1 else files[0])
        table.limit(0).execute()
    except (duckdb.Error, OSError, ValueError) as exc:
        if _out_of_memory(exc):
            raise MemoryError from None
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{kind}: {path} cannot be read as Parquet ({first})") from None
    return table


def _head_text(path: Path, compressed: bool, kind: str = "", nbytes: int = 65536) -> bytes:
    import gzip
    import zlib

    if not compressed:
        with open(path, "rb") as fh:
            return fh.read(nbytes)
    try:
        with gzip.open(path, "rb") as fh:
            return fh.read(nbytes)
    except (EOFError, OSError, zlib.error) as exc:
        raise InputError(
            f"{kind}: {path} is a truncated or corrupt gzip file ({exc}); download or "
            "compress it again"
        ) from None


def _encoding_hint(head: bytes) -> str:
    """The ``--encoding`` option that fits ``head`` (a sample of the file), or the choices."""
    from clientlib.encodings import guess

    found = guess(_whole_lines(head)).name
    if found and found not in {"utf-8", "utf-8-sig"}:
        return f"--encoding {found}"
    return "--encoding cp1251, --encoding koi8-r or --encoding latin-1 (the file's encoding)"


def _whole_lines(head: bytes) -> bytes:
    """``head`` cut after its last line end (a character is never cut in two)."""
    cut = head.rfind(b"\n")
    return head[: cut + 1] if cut >= 0 and len(head) >= 65536 else head


def _encoding(path: Path, kind: str, opts: InputOptions, compressed: bool) -> tuple[str, str]:
    """The encoding to read ``path`` with and how it was decided (``given`` or ``detected``).

    ``--encoding`` wins; otherwise the bytes decide (:func:`clientlib.encodings.detect`), and
    a file they do not decide is refused with the options that fix it.
    """
    import zlib

    from clientlib.encodings import detect

    if opts.encoding:
        try:
            "".encode(opts.encoding)
        except LookupError:
            raise OptionError(
                f"encoding: unknown encoding {opts.encoding!r}; e.g. utf-8, cp1251, latin-1"
            ) from None
        return opts.encoding, "given"
    try:
        found = detect(path, compressed)
    except (EOFError, OSError, zlib.error) as exc:
        raise InputError(
            f"{kind}: {path} is a truncated or corrupt gzip file ({exc}); download or "
            "compress it again"
        ) from None
    if found.name is None:
        raise said(InputError, f"io.encoding_unsure_{found.why}", kind=kind, path=str(path))
    return found.name, "detected"


def _header_line(path: Path, encoding: str, compressed: bool) -> tuple[str, bool]:
    """The file's first line, however long, and whether the file holds anything but blanks."""
    import gzip
    import io as stdio

    with (
        gzip.open(path, "rb") if compressed else open(path, "rb") as raw,
        stdio.TextIOWrapper(raw, encoding=encoding, newline="") as fh,
    ):
        line = fh.readline()
        blank = not line.strip() and not fh.read(65536).strip()
    return line.rstrip("\r\n"), not blank


def _read_csv(path: Path, kind, opts: InputOptions, what: str, mapping=None) -> pd.DataFrame:
    import csv
    import gzip
    import zlib

    compressed = what == "gzip"
    head = _head_text(path, compressed, kind)
    if compressed and head.startswith(b"PAR1"):
        raise InputError(f"{kind}: {path} is a gzipped Parquet file; unzip it to .parquet")
    if compressed and b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{kind}: {path} holds binary data inside the gzip, not CSV text")
    encoding, how = _encoding(path, kind, opts, compressed)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) and not encoding.lower().replace(
        "_", "-"
    ).startswith("utf-16"):
        raise InputError(
            f"{kind}: {path} is UTF-16 text (it starts with a UTF-16 byte-order mark); "
            "pass --encoding utf-16"
        )
    try:
        header_line, anything = _header_line(path, encoding, compressed)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{kind}: {path} is not valid {encoding} "
            f"(byte {exc.object[exc.start : exc.start + 1]!r} at position {exc.start}); "
            f"pass {_encoding_hint(head)}"
        ) from None
    if not anything:
        raise EmptyInputError(f"{kind}: {path} is empty (no header, no rows)")
    sep = opts.sep or _sniff_sep_line(header_line)
    names = next(csv.reader([header_line], delimiter=sep)) if header_line else []
    names = [n.strip() for n in names]
    seen: dict[str, int] = {}
    for n in names:
        seen[n] = seen.get(n, 0) + 1
    twice = [n for n, c in seen.items() if c > 1]
    if twice:
        raise InputError(
            f"{kind}: {path} has the column name{'s' if len(twice) > 1 else ''} "
            f"{', '.join(repr(n) for n in twice)} more than once in its header; rename the "
            "columns so each name is unique"
        )
    try:
        resolved = resolve_columns(kind, names, mapping) if kind != "customers" else {}
    except ClientlibError:
        resolved = {}
    text_cols = set(resolved.values()) | {c for c in names if "id" in c.lower()}
    if kind == "customers":
        text_cols |= {mapping.get("customer_id", "customer_id")} if mapping else {"customer_id"}
    text_cols &= set(names)
    from pandas._libs.parsers import STR_NA_VALUES

    na_values = {c: ([""] if c in text_cols else sorted(STR_NA_VALUES)) for c in names}
    compression = "gzip" if compressed else None
    try:
        df = pd.read_csv(
            path,
            sep=sep,
            encoding=encoding,
            compression=compression,
            dtype={c: "string" for c in text_cols},
            keep_default_na=False,
            na_values=na_values,
            low_memory=False,
            skipinitialspace=False,
        )
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{kind}: {path} is not valid {encoding} past the header (position {exc.start}); "
            f"pass {_encoding_hint(head)}"
        ) from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise InputError(
            f"{kind}: {path} is a truncated or corrupt gzip file ({exc}); download or "
            "compress it again"
        ) from None
    except pd.errors.ParserError as exc:
        msg = str(exc)
        if _out_of_memory(exc):
            raise MemoryError from None
        m = re.search(r"EOF inside string starting at row (\d+)", msg)
        if m:
            raise InputError(
                f'{kind}: {path} has an unclosed quote (") starting at line '
                f"{int(m.group(1)) + 1}; close the quote or fix the export"
            ) from None
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
        if m:
            raise InputError(
                f"{kind}: {path} line {m.group(2)} has {m.group(3)} fields where the header has "
                f"{m.group(1)}; check --sep (now {sep!r}) or quote the values"
            ) from None
        raise InputError(
            f"{kind}: {path} is not a well-formed CSV ({msg[:200]}); check --sep"
        ) from None
    except pd.errors.EmptyDataError:
        raise EmptyInputError(f"{kind}: {path} is empty (no header, no rows)") from None
    except OSError as exc:
        raise InputError(f"{kind}: {path} cannot be read ({exc})") from None
    df.attrs["encoding"] = (encoding, how)
    return df


def _sniff_sep_line(line: str) -> str:
    counts = {s: line.count(s) for s in (",", ";", "\t", "|")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def _type_pandas(kind, raw: pd.DataFrame, resolved: dict[str, str], opts: InputOptions):
    """Parse the mapped columns of a pandas frame that are text (a new frame, role-named).

    Columns that already hold their role's type (integer ids, naive datetimes, numbers) are
    passed on as they are, and roles that are not mapped are left out: the engine does the rest
    (:func:`_type_ibis`). Values that do not parse become nulls, remembered with their row
    numbers; how each text column was read (date format, decimal separator, currency) goes to
    the report's notes.
    """
    out: dict[str, pd.Series] = {}
    bad: dict[str, list] = {}
    warnings: list[str] = []
    notes: dict[str, Any] = {}
    col = {role: raw[c] for role, c in resolved.items()}
    out["customer_id"], id_note = _ids(col["customer_id"])
    out["customer_id"], n_changed = _visible_ids(out["customer_id"])
    if id_note:
        notes["customer_id"] = id_note
    if n_changed:
        notes["_ids_cleaned"] = n_changed
    ts, ts_info = _timestamps(col["timestamp"], resolved["timestamp"], opts)
    if ts_info:
        notes["timestamp_format"] = ts_info
    _unusable(kind, resolved["timestamp"], col["timestamp"], ts, "a date or date-time")
    bad["unparsable_timestamp"] = _bad_values(col["timestamp"], ts)
    low, high = plausible_range()
    odd = ((ts < low) | (ts >= high)).fillna(False).to_numpy()
    if odd.any():
        idx = np.flatnonzero(odd)[:3]
        bad["implausible_timestamp"] = [
            {"row": int(i) + 1, "value": _plain(col["timestamp"].iloc[i])} for i in idx
        ]
    out["timestamp"] = ts
    if kind == "transactions":
        how: list[str] = []
        if "amount" in col:
            amount, info = _numbers(col["amount"], resolved["amount"], opts.decimal)
            _unusable(kind, resolved["amount"], col["amount"], amount, "a number")
            bad["unparsable_amount"] = _bad_values(col["amount"], amount)
            how.append(info)
        else:
            qty, i1 = _numbers(col["quantity"], resolved["quantity"], opts.decimal)
            price, i2 = _numbers(col["unit_price"], resolved["unit_price"], opts.decimal)
            _unusable(kind, resolved["quantity"], col["quantity"], qty, "a number")
            _unusable(kind, resolved["unit_price"], col["unit_price"], price, "a number")
            amount = qty * price
            bad["unparsable_amount"] = _bad_values(col["quantity"], qty) + _bad_values(
                col["unit_price"], price
            )
            how += [i1, i2]
        how = [h for h in how if h]
        if how:
            notes["amount_format"] = "; ".join(dict.fromkeys(how))
        inf = np.isinf(amount.to_numpy(dtype="float64", na_value=np.nan))
        if inf.any():
            src = col["amount"] if "amount" in col else col["unit_price"]
            bad["non_finite_amount"] = [
                {"row": int(i) + 1, "value": _plain(src.iloc[i])} for i in np.flatnonzero(inf)[:3]
            ]
        out["amount"] = amount
        if "order_id" in col:
            out["order_id"], order_note = _ids(col["order_id"])
            out["order_id"], _ = _visible_ids(out["order_id"])
            if order_note:
                notes["order_id"] = order_note
        if "discount" in col:
            out["discount"] = _discount_share(col["discount"], resolved["discount"], opts)
        elif "discount_amount" in col:
            money, _ = _numbers(col["discount_amount"], resolved["discount_amount"], opts.decimal)
            out["discount"] = discount_from_amount(amount, money)
        for flag in ("is_express", "is_premium"):
            if flag in col:
                out[flag] = _booleans(col[flag])
    else:  # events
        kinds = col["kind"]
        out["kind"] = strip_text(kinds).str.lower()
        if "sentiment" in col:
            s = col["sentiment"]
            if not pd.api.types.is_numeric_dtype(s):
                text = strip_text(s)
                words = text.str.lower().map(_SENTIMENT_WORDS).astype("float64")
                num = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
                s = num.astype("float64").fillna(words)
                unread = text.notna() & s.isna()
                if unread.any():
                    notes["unreadable_sentiment"] = int(unread.sum())
                    warnings.append(
                        f"{int(unread.sum()):,} sentiment values are neither numbers nor "
                        f"negative/neutral/positive (e.g. "
                        f"{examples_text(text[unread].unique()[:3].tolist())}); those events are "
                        "kept without a sentiment"
                    )
            out["sentiment"] = s.astype("float64")
        if "referred_customer_id" in col:
            out["referred_customer_id"], _ = _ids(col["referred_customer_id"])
            out["referred_customer_id"], _ = _visible_ids(out["referred_customer_id"])
    df = pd.DataFrame({k: v.reset_index(drop=True) for k, v in out.items()}, copy=False)
    # "Exact duplicate" means the whole input row: the columns that no typed column was made
    # from (not mapped, or mapped but unused, like quantity beside amount) are compared through
    # one hash, computed only when there are such columns.
    used = {resolved[role] for role in out if role in resolved}
    if kind == "transactions" and "amount" not in resolved:
        used |= {resolved["quantity"], resolved["unit_price"]}
    unmapped = [c for c in raw.columns if c not in used]
    if unmapped:
        key = pd.util.hash_pandas_object(raw[unmapped], index=False)
        df["_rowkey"] = key.to_numpy().view("int64")
    return df, bad, warnings, notes


def _discount_share(raw: pd.Series, column: str, opts: InputOptions) -> pd.Series:
    """A ``discount`` column as a share of the price (0..1), or refused when it is not one.

    A column written with ``%`` (every value) is read as 0..100 and divided by 100 as a whole;
    any other value outside 0..1 refuses the column, naming ``discount_amount`` for money:
    values are never rescaled one at a time.
    """
    scale = 1.0
    if not pd.api.types.is_numeric_dtype(raw):
        text = strip_text(raw)
        given = text.dropna()
        given = given[given != ""]
        if len(given) and given.str.endswith("%").all():
            raw, scale = text.str.rstrip("%").str.strip(), 100.0
    disc, _ = _numbers(raw, column, opts.decimal)
    disc = disc.where(np.isfinite(disc), np.nan)
    outside = (disc < 0) | (disc > scale)
    if outside.any():
        examples = examples_text(raw[outside].drop_duplicates().head(3).tolist())
        n = int(outside.sum())
        raise said(
            ColumnTypeError, "mapping.discount_not_share", column=column, n=n, examples=examples
        )
    return (disc / scale).fillna(0.0).astype("float64")


def _check_discount_share(raw: ir.Table, column: str) -> None:
    """Refuse a typed ``discount`` column of an Ibis table with values outside 0..1."""
    v = raw[column]
    v = v.cast("float64") if v.type().is_numeric() else v.cast("string").try_cast("float64")
    bad = raw.filter((v < 0) | (v > 1))
    n = int(bad.count().execute())
    if n:
        values = bad.select(column).distinct().limit(3).execute()[column].tolist()
        raise said(
            ColumnTypeError, "mapping.discount_not_share", column=column, n=n,
            examples=examples_text(sorted(values)),
        )  # fmt: skip


def discount_from_amount(amount: Any, money: Any) -> Any:
    """The discount share of a line from the money taken off: ``money / (amount + money)``.

    ``amount`` is what was paid for the line; a line with nothing taken off, or with no
    price before the discount (a return), has share 0. Works on pandas Series and Ibis columns.

    Examples
    --------
    >>> discount_from_amount(pd.Series([75.0, 0.0, 10.0]), pd.Series([25.0, 5.0, 0.0])).tolist()
    [0.25, 1.0, 0.0]
    """
    full = amount + money
    if isinstance(amount, pd.Series):
        share = (money / full).where((full > 0) & (money > 0), 0.0)
        return share.fillna(0.0).clip(0.0, 1.0).astype("float64")
    share = ibis.ifelse((full > 0) & (money > 0), money / full, 0.0)
    return share.fill_null(0.0).clip(0.0, 1.0)


def _type_ibis(kind, t: ir.Table, resolved: dict[str, str]) -> ir.Table:
    """Cast a typed table's columns to the roles, in the engine; unreadable values become null."""
    c = {role: t[col] for role, col in resolved.items()}

    def ts(v):
        if v.type().is_timestamp():
            return v.cast("timestamp")
        if v.type().is_date():
            return v.cast("timestamp")
        return v.cast("string").try_cast("timestamp")

    def num(v):
        return v.cast("float64") if v.type().is_numeric() else v.cast("string").try_cast("float64")

    def flag(v):
        return (
            v.cast("boolean").fill_null(False)
            if v.type().is_boolean()
            else (v.cast("string").lower().isin(list(_TRUE))).fill_null(False)
        )

    def ident(v):
        # A float id column whose values are all whole (1.0: how pandas stores integer ids
        # with gaps) gives "1", as the CSV reader does (:func:`_ids`); one scan of the column
        # decides. Below 2**53 every whole float is an exact integer.
        if v.type().is_floating():
            whole = v.isnull() | ((v == v.floor()) & (v.abs() < 2.0**53))
            if bool(whole.all().execute()):
                return v.cast("int64").cast("string")
        return v.cast("string")

    cols: dict[str, Any] = {
        "customer_id": _strip(ident(c["customer_id"])),
        "timestamp": ts(c["timestamp"]),
    }
    if kind == "transactions":
        amount = num(c["amount"]) if "amount" in c else num(c["quantity"]) * num(c["unit_price"])
        cols["order_id"] = (
            _strip(ident(c["order_id"])).nullif("")
            if "order_id" in c
            else ibis.null("string")
        )
        cols["amount"] = amount
        if "discount" in c:
            cols["discount"] = num(c["discount"]).fill_null(0.0)
        elif "discount_amount" in c:
            cols["discount"] = discount_from_amount(amount, num(c["discount_amount"]))
        else:
            cols["discount"] = ibis.literal(0.0)
        for f in ("is_express", "is_premium"):
            cols[f] = flag(c[f]) if f in c else ibis.literal(False)
    else:
        cols["kind"] = _strip(c["kind"].cast("string")).lower()
        cols["sentiment"] = num(c["sentiment"]) if "sentiment" in c else ibis.null("float64")
        cols["referred_customer_id"] = (
            _strip(ident(c["referred_customer_id"])).nullif("")
            if "referred_customer_id" in c
            else ibis.null("string")
        )
    if "_rowkey" in t.columns:
        cols["_rowkey"] = t._rowkey
    return t.select(**cols)


_BLANKS = (" ", "\t", "\n", "\r", "\u00a0", "\ufeff", "\u202f", "\u2007", "\u3000", "\v", "\f")
_BLANK_RE = "[\\s\\x{00a0}\\x{feff}\\x{202f}\\x{2007}\\x{3000}\\x{200b}]"


def _strip(v):
    """``v`` without blanks of any kind at either end, evaluated only where the first or last
    character is one.

    Most ids have no blanks around them, and trimming costs DuckDB about three times the test
    (0.97 s against 0.32 s for 10 million ids, benchmarks/README.md).
    """
    trimmed = v.re_replace(f"^{_BLANK_RE}+|{_BLANK_RE}+$", "")
    return ibis.ifelse(v.substr(0, 1).isin(_BLANKS) | v.right(1).isin(_BLANKS), trimmed, v)


def _is_text(s: pd.Series) -> bool:
    """A string dtype (not ``object``, which may mix types): Arrow takes it without a copy."""
    return pd.api.types.is_string_dtype(s) and not pd.api.types.is_object_dtype(s)


def _ids(s: pd.Series) -> tuple[pd.Series, str]:
    """Ids as text (never through float64), stripped; a column of ``17850.0`` becomes
    ``17850``. Returns the ids and a note saying what was normalised ('' when nothing).
    """
    if pd.api.types.is_integer_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s, ""  # the engine casts (_type_ibis)
    if pd.api.types.is_float_dtype(s):
        # 12345.0 in a float column is the id "12345", not "12345.0".
        whole = s.dropna()
        if len(whole) and (whole == np.floor(whole)).all():
            out = s.astype("Int64").astype("string")
            return out, "ids held as whole floats (17850.0) were read as 17850"
        return strip_text(s.astype("string")), ""
    # Text ids go to the engine as they are (no copy); it strips every kind of blank
    # (_strip). Only a column with whole numbers written as 17850.0 is rewritten here.
    text = s if _is_text(s) else s.astype("string")
    arr = pa.array(text.astype("string[pyarrow]").array)
    if not pc.any(pc.ends_with(arr, ".0")).as_py():
        return text, ""
    stripped = strip_text(text)
    arr = pa.array(stripped.astype("string[pyarrow]").array)
    if pc.all(pc.match_substring_regex(arr, r"^-?\d+(\.0+)?$")).as_py() is False:
        return text, ""
    note = "ids written as 17850.0 were read as 17850"
    return stripped.str.replace(r"\.0+$", "", regex=True), note


#: Characters an id never means: zero-width ones and controls (C0, DEL, C1).
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\x00-\x1f\x7f-\x9f]")


def _visible_ids(s: pd.Series) -> tuple[pd.Series, int]:
    """Text ids in Unicode NFC with zero-width and control characters removed, so that
    ``José`` typed two ways, or ``Анна`` with a zero-width space, is one customer; returns the
    ids and how many distinct ids changed. An id left empty is a missing id (counted later).

    Plain ASCII ids without controls — nearly all — are checked in Arrow and passed on as
    they are.
    """
    if pd.api.types.is_numeric_dtype(s) or len(s) == 0:
        return s, 0
    arr = pa.array(s.astype("string[pyarrow]").array)
    suspect = pc.fill_null(
        pc.or_(
            pc.invert(pc.string_is_ascii(arr)),
            pc.match_substring_regex(arr, "[\\x00-\\x1f\\x7f]"),
        ),
        False,
    )
    if not pc.any(suspect).as_py():
        return s, 0
    import unicodedata

    changed: dict[str, str] = {}
    for value in pc.unique(pc.filter(arr, suspect)).to_pylist():
        clean = _INVISIBLE.sub("", unicodedata.normalize("NFC", value))
        if clean != value:
            changed[value] = clean
    if not changed:
        return s, 0
    text = s.astype("string")
    return text.where(~text.isin(list(changed)), text.map(changed)), len(changed)


def _visible_ids_ibis(t: ir.Table) -> tuple[ir.Table, int]:
    """:func:`_visible_ids` in DuckDB, for Parquet files and DuckDB tables: the customer ids
    (and referred ids) in Unicode NFC with zero-width and control characters removed; returns
    the table and how many distinct customer ids changed.

    Only ids with a character outside ASCII are looked at: finding them compares byte and
    character lengths (0.006 s for 10 million ids, against 1.7 s for a regular expression),
    and when there are none the table is returned as it is. Control characters inside plain
    ASCII ids are therefore left in these inputs (the CSV reader removes them), and other
    engines (Spark, warehouses) read ids as they are.
    """
    if getattr(t._find_backend(use_default=True), "name", "") != "duckdb":
        return t, 0
    ids = t.customer_id

    def wide(v):
        return _bytes(v) != v.length()

    if not bool(wide(ids).any().execute()):
        return t, 0

    def clean(v):
        return _strip(_nfc(v.re_replace(_INVISIBLE.pattern, "")))

    def fixed(v):
        return ibis.ifelse(wide(v), clean(v), v)

    changed = t.filter(wide(ids) & (clean(ids) != ids)).select("customer_id").distinct()
    n = int(changed.count().execute())
    cols = {"customer_id": fixed(ids)}
    if "referred_customer_id" in t.columns:
        cols["referred_customer_id"] = fixed(t.referred_customer_id)
    return t.mutate(**cols), n


@ibis.udf.scalar.builtin(name="nfc_normalize")
def _nfc(value: str) -> str:  # type: ignore[empty-body]
    """DuckDB's Unicode NFC normalisation."""


@ibis.udf.scalar.builtin(name="strlen")
def _bytes(value: str) -> int:  # type: ignore[empty-body]
    """DuckDB's length of a string in bytes."""


def _timestamps(s: pd.Series, column: str, opts: InputOptions) -> tuple[pd.Series, str]:
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]"), ""
    if pd.api.types.is_datetime64_dtype(s):
        return s.astype("datetime64[us]"), ""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        # Whole numbers like 19970101 are read as YYYYMMDD (CDNOW and many legacy exports).
        text = s.astype("Int64").astype("string")
        out = pd.to_datetime(text, format="%Y%m%d", errors="coerce").astype("datetime64[us]")
        return out, "YYYYMMDD"
    return parse_dates(s, column, date_format=opts.date_format, dayfirst=opts.dayfirst)


def _numbers(s: pd.Series, column: str, decimal) -> tuple[pd.Series, str]:
    if pd.api.types.is_bool_dtype(s):
        return pd.Series(np.nan, index=s.index, dtype="float64"), ""
    if pd.api.types.is_numeric_dtype(s):
        return s.astype("float64"), ""
    return parse_numbers(s, column, decimal=decimal)


def _looks_boolean(s: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(s):
        return True
    if pd.api.types.is_numeric_dtype(s):
        return False
    vals = set(s.dropna().astype(str).str.strip().str.lower().unique()[:10])
    return bool(vals) and vals <= (_TRUE | {"false", "f", "no", "n", "0", "нет", ""})


def _booleans(s: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(s):
        return s.fillna(False).astype(bool)
    if pd.api.types.is_numeric_dtype(s):
        return s.fillna(0).astype("float64") != 0
    return s.astype("string").str.strip().str.lower().isin(list(_TRUE)).fillna(False).astype(bool)


def _bad_values(raw: pd.Series, parsed: pd.Series) -> list:
    """Up to three raw values that did not parse, with their 1-based data row numbers."""
    mask = parsed.isna().to_numpy()
    idx = np.flatnonzero(mask)[:3]
    return [{"row": int(i) + 1, "value": _plain(raw.iloc[i])} for i in idx]


def _unusable(kind, column, raw: pd.Series, parsed: pd.Series, expected: str) -> None:
    """Refuse a column where values are present but none can be read."""
    if len(parsed) and parsed.notna().any():
        return
    present = raw.notna() & (raw.astype("string").str.strip() != "")
    if len(raw) and present.any() and parsed[present].isna().all():
        examples = examples_text(raw[present].head(3).tolist())
        raise ColumnTypeError(
            f"{kind}: column {column!r} should hold {expected}, but none of its "
            f"{int(present.sum()):,} values can be read as one (e.g. {examples}). "
            "Check the --map option points at the right column, or fix the export."
        )


def _plain(v):
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT:
        return None
    return v.item() if hasattr(v, "item") else v


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in df.to_dict("records")]


# ---------------------------------------------------------------------------------------------
# stage 2: cleaning in the engine


def _in_memory(t: ir.Table) -> bool:
    """True when the table's only sources are in-memory tables (no file, no warehouse)."""
    import ibis.expr.operations as ops

    sources = t.op().find(ops.PhysicalTable)
    return bool(sources) and all(isinstance(op, ops.InMemoryTable) for op in sources)


def materialize(t: ir.Table, in_memory: bool) -> ir.Table:
    """Compute ``t`` once, so that later queries do not repeat the typing and the checks.

    In-memory inputs become a temporary table of the default DuckDB connection
    (:func:`clientlib.engine.store`: scanned faster than Arrow, and still usable on any engine,
    Spark included). Files opened by DuckDB become a temporary table of their connection, which
    DuckDB spills to disk when it outgrows memory. Other engines (Spark, warehouses) keep the
    lazy expression: their users may not create tables, and the engine streams it anyway.
    Columns that are constants (roles the input does not have) are not stored but put back as
    the same constants.
    """
    from clientlib import engine

    con = engine.default() if in_memory else t._find_backend(use_default=False)
    if getattr(con, "name", None) != "duckdb":
        return t
    fixed = constants(t)
    stored = engine.store(t.drop(*fixed) if fixed else t, con, portable=in_memory)
    if fixed:
        stored = stored.mutate(**fixed).select(*t.columns)
    return stored


def constants(t: ir.Table) -> dict[str, ir.Value]:
    """The columns of ``t`` that are a literal, found by following projections, filters and
    dropped columns back to where the column was made (roles the input did not have).

    Queries use it to skip work that a constant makes pointless, e.g. grouping lines into
    orders when no line has an order id.
    """
    import ibis.expr.operations as ops

    passthrough = (ops.Filter, ops.DropColumns, ops.Sort, ops.Limit)

    def resolve(rel, name):
        while True:
            if isinstance(rel, passthrough):
                rel = rel.parent
            elif isinstance(rel, ops.Project) and name in rel.values:
                value = rel.values[name]
                if isinstance(value, ops.Literal):
                    return value
                if not isinstance(value, ops.Field):
                    return None
                rel, name = value.rel, value.name
            else:
                return None

    found = {name: resolve(t.op(), name) for name in t.columns}
    return {name: value.to_expr() for name, value in found.items() if value is not None}


def _without_rowkey(t: ir.Table) -> ir.Table:
    return t.drop("_rowkey") if "_rowkey" in t.columns else t


def _missing_id(t: ir.Table):
    # Ids were stripped when typed (_type_ibis).
    return t.customer_id.isnull() | (t.customer_id == "")


def _ts_literal(d: dt.date):
    return ibis.literal(dt.datetime(d.year, d.month, d.day), type="timestamp")


def _ts_value(x: dt.datetime):
    return ibis.literal(x, type="timestamp")


#: Exclusion reasons in the order rows are checked (a row counts under its first reason).
_ORDER = (
    "missing_customer_id",
    "unparsable_timestamp",
    "implausible_timestamp",
    "unparsable_amount",
    "non_finite_amount",
    "after_analysis_date",
    "zero_amount",
    "return_line",
    "duplicate",
)
#: Columns the cleaning adds to the stored rows; the clean table does not have them.
_INTERNAL = ("_early", "_key", "_reason", "_rowkey")

Reasons: TypeAlias = list[tuple[str, Any]]


def _store(t: ir.Table, early: Reasons, in_memory: bool) -> ir.Table:
    """The typed rows, each with its first reason that does not depend on the analysis date
    (``_early``) and a hash of the whole row (``_key``), computed once (:func:`materialize`).

    The hash is taken here, in the pass that writes the rows anyway, so that the duplicate
    check is one grouping of a stored integer column. Constant columns (roles the input lacks)
    cannot tell rows apart and are left out of it.
    """
    fixed = constants(t)
    varying = [c for c in t.columns if c not in fixed] or list(t.columns)
    marked = t.mutate(
        _early=ibis.cases(*[(cond, name) for name, cond in early], else_=ibis.null("string")),
        _key=_row_hash(t, varying),
    )
    return materialize(marked, in_memory)


#: Engines that hash a struct (a whole row) natively; others hash the row's text.
_STRUCT_HASH = frozenset({"duckdb", "pyspark"})


def _row_hash(t: ir.Table, columns: list[str]) -> ir.IntegerValue:
    """One 64-bit hash of ``columns`` per row, on any engine.

    DuckDB and Spark hash the row as a struct. Warehouses such as PostgreSQL hash only scalars:
    there the hash is of the values as text, joined by a separator no value holds (unit
    separator; a null is the record separator, so a null and an empty text differ).
    """
    try:
        name = t._find_backend(use_default=True).name
    except Exception:  # noqa: BLE001 - several backends in one expression: the portable form
        name = ""
    if name in _STRUCT_HASH:
        return ibis.struct({c: t[c] for c in columns}).hash()
    parts = [t[c].cast("string").fill_null("\x1e") for c in columns]
    return ibis.literal("\x1f").join(parts).hash()


def _clean_transactions(t: ir.Table, report, raw_examples, opts: InputOptions) -> Loaded:
    low, high = (_ts_value(x) for x in plausible_range())
    in_memory = _in_memory(t)
    early: Reasons = [
        ("missing_customer_id", _missing_id(t)),
        ("unparsable_timestamp", t.timestamp.isnull()),
        ("implausible_timestamp", (t.timestamp < low) | (t.timestamp >= high)),
        ("unparsable_amount", t.amount.isnull()),
        ("non_finite_amount", t.amount.isinf() | t.amount.isnan()),
    ]
    stored = _store(t, early, in_memory)
    cutoff = opts.analysis_date
    if cutoff is None:
        last = stored.filter(stored._early.isnull()).timestamp.max().execute()
        if last is None or pd.isna(last):
            raise InputError(
                f"transactions: no row has a customer id, a plausible timestamp and a finite "
                f"amount ({report.rows_read:,} rows read); check the --map option"
            )
        cutoff = pd.Timestamp(last).date() + dt.timedelta(days=1)
        report.notes["analysis_date"] = f"{cutoff} (default: the day after the last transaction)"
    else:
        report.notes["analysis_date"] = str(cutoff)
    report.analysis_date = cutoff
    late: Reasons = [("after_analysis_date", stored.timestamp >= _ts_literal(cutoff))]
    if opts.zero_amount == "drop":
        late.append(("zero_amount", (stored.amount == 0) & (stored.discount < 1)))
    if opts.returns == "drop":
        late.append(("return_line", stored.amount < 0))
    clean, report, found = _account(
        stored,
        [name for name, _ in early],
        late,
        report,
        raw_examples,
        in_memory,
        opts.duplicates,
        stats=lambda rows: _transaction_stats(rows, in_memory),
    )
    if _no_order_ids(stored):
        report.orders = _int(found["lines"])
        _line_items(clean, report)
    else:
        report.orders = _int(found["orders"]) + _int(found["alone"])
    if pd.notna(found["spread"]) and not np.isfinite(float(found["spread"])):
        # Some sum of amounts (a customer's, the total) is infinite: no total can be trusted.
        money = report.columns
        column = (
            repr(money["amount"])
            if "amount" in money
            else f"{money.get('quantity')!r} × {money.get('unit_price')!r}"
        )
        raise said(InputError, "io.sum_overflow", kind=report.table, column=column)
    report.revenue = round(float(found["revenue"]) if pd.notna(found["revenue"]) else 0.0, 6)
    report.first_date = pd.Timestamp(found["first"]).date() if pd.notna(found["first"]) else None
    report.last_date = pd.Timestamp(found["last"]).date() if pd.notna(found["last"]) else None
    # A row without an order id stays with a null id: features count it as an order of its own.
    returns_n = _int(found["returns"])
    if returns_n:
        if opts.returns == "error":
            ex = _records(clean.filter(clean.amount < 0).limit(3).execute())
            raise ReturnsError(
                f"transactions: {returns_n:,} return lines (negative amount), e.g. {ex}; "
                "use --returns net (lower the spend) or --returns drop (exclude them)"
            )
        report.notes["return_lines_netted"] = returns_n
        if only := _only_returns(clean):
            report.customers_without_purchase["only_return_lines"] = only
    if _int(found["zero"]):
        report.notes["zero_amount_lines_kept"] = int(found["zero"])
    _absurd_amounts(clean, found, report, in_memory)
    return Loaded(clean, report, cutoff)


#: Share of lines sharing (customer, time) with another line that makes a file look like line
#: items: one basket a line, each counted as an order when no order id is mapped.
LINE_ITEM_SHARE = 0.1
# Above this many used lines the line-item check reads a fixed eighth of the customers.
_LINE_ITEM_SAMPLE = 200_000
# Column names that look like a document (order, receipt, invoice) number.
_DOCUMENT_NAME = re.compile(
    r"order|invoice|receipt|basket|bill|check|cheque|doc|trans(action)?_?(id|no|num)"
    r"|заказ|чек|документ|накладн|счет|счёт",
    re.IGNORECASE,
)


def _line_items(clean: ir.Table, report: QualityReport) -> None:
    """Note when lines without an order id look like line items: many share (customer, time).

    The note (``report.notes["line_items"]``: the share of such lines and a column named like a
    document number, if any) is said in the user's language by :meth:`QualityReport.advice`.
    """
    if (report.rows_used or 0) > _LINE_ITEM_SAMPLE:
        # a hint, not a count: an eighth of the customers (all their lines) tells as well
        clean = clean.filter(clean.customer_id.hash() % 8 == 0)
    groups = clean.group_by("customer_id", "timestamp").agg(n=clean.count())
    found = groups.agg(
        shared=groups.n.sum(where=groups.n > 1), total=groups.n.sum()
    ).execute().iloc[0]
    total, shared = _int(found["total"]), _int(found["shared"])
    if not total or shared / total < LINE_ITEM_SHARE:
        return
    named = [c for c in report.unmapped if _DOCUMENT_NAME.search(c)]
    report.notes["line_items"] = {
        "share": round(shared / total, 4),
        "column": named[0] if named else None,
    }


def _transaction_stats(rows: ir.Table, in_memory: bool) -> dict[str, ir.Value]:
    """What the report and the checks need from the used lines ``rows``, as aggregates of one
    scan.

    The median only gates the absurd-amount warning, so it is estimated on the lines whose row
    hash is a multiple of 16 — a fixed sample, the same on every run and engine, and a
    sixteenth of the sorting (:func:`_absurd_amounts` confirms it exactly when it matters).
    Without a row hash (the distinct rows of an input with duplicates) it is the exact median
    in memory and the engine's approximate one elsewhere. A filtered approximate median is not
    a constant expression on Spark, so the other rows are nulled instead of filtered.
    """
    paid = rows.amount > 0
    if "_key" in rows.columns:
        median = ibis.ifelse(paid & (rows._key % 16 == 0), rows.amount, None).median()
    else:
        median = ibis.ifelse(paid, rows.amount, None)
        median = median.median() if in_memory else median.approx_median()
    return {
        "returns": rows.count(where=rows.amount < 0),
        "zero": rows.count(where=rows.amount == 0),
        "median": median,
        "top": rows.amount.max(),
        "revenue": rows.amount.sum(),
        # Finite when no partial sum of amounts can overflow (checked after the scan).
        "spread": rows.amount.abs().sum(),
        "first": rows.timestamp.min(),
        "last": rows.timestamp.max(),
        "lines": rows.count(where=rows.amount >= 0),
        "alone": rows.count(where=(rows.amount >= 0) & rows.order_id.isnull()),
    }


def _absurd_amounts(clean: ir.Table, found, report: QualityReport, in_memory: bool) -> None:
    """Warn about amounts over ``_ABSURD_FACTOR`` × the median (kept: a typo or a unit error?).

    ``found`` holds the largest amount and an estimate of the median; the exact median is
    computed only when the estimate is missing (a small input) or puts the largest amount
    within a factor of two of the limit, and the warning states the exact one.
    """
    median, top = found["median"], found["top"]
    if pd.isna(top) or float(top) <= 0:
        return
    if pd.isna(median) or float(top) > _ABSURD_FACTOR / 2 * float(median):
        paid = clean.filter(clean.amount > 0).amount
        median = (paid.median() if in_memory else paid.approx_median()).execute()
    if pd.notna(median) and float(median) > 0 and float(top) > _ABSURD_FACTOR * float(median):
        limit = _ABSURD_FACTOR * float(median)
        n_big = int(clean.filter(clean.amount > limit).count().execute())
        report.warnings.append(
            f"{n_big:,} amount(s) over {_ABSURD_FACTOR:,.0f}× the median "
            f"({float(median):,.2f}), the largest {float(top):,.2f}; "
            "kept — check for typos or a unit error"
        )


def _int(value: Any) -> int:
    """A count from a result row: engines give null (or NaN) where no row matched."""
    return 0 if value is None or pd.isna(value) else int(value)


def _no_order_ids(t: ir.Table) -> bool:
    order_id = constants(t).get("order_id")
    return order_id is not None and order_id.op().value is None


def _account(
    stored: ir.Table,
    early: list[str],
    late: Reasons,
    report: QualityReport,
    raw_examples,
    in_memory: bool = False,
    duplicates: str = "drop",
    stats=None,
) -> tuple[ir.Table, QualityReport, Any]:
    """Count each exclusion reason, apply the duplicates policy, and return the clean rows.

    ``stored`` holds the rows with their early reason (one of ``early``) and their hash
    (:func:`_store`); ``late`` are the reasons that needed the analysis date. Everything the
    report needs from a clean input is one query: the count of every reason, the ``stats`` of
    the used rows (transactions), the number of distinct row hashes and, with ``stats``, the
    distinct customers and orders. As many hashes as used rows proves every row distinct (a
    hash collision can only send an input down the slower path, never hide a duplicate), and
    the clean rows are then a filter of the stored ones; otherwise the distinct rows are
    counted (and, under ``drop``, stored) and the stats taken again on them. Customers left
    without a used line are looked for only when rows were excluded.
    Returns the clean rows, the report and the one row of ``stats`` (None without them).
    """
    reason = stored._early
    if late:
        later = ibis.cases(*[(cond, name) for name, cond in late], else_=ibis.null("string"))
        reason = ibis.coalesce(reason, later)
    marked = stored.mutate(_reason=reason)
    names = [*dict.fromkeys([*early, *(name for name, _ in late)])]
    used = marked._reason.isnull()
    rows = marked.filter(used)
    # Most rows have no reason: a grouping by reason is far cheaper than a filter per reason.
    by_reason = marked.group_by("_reason").agg(n=marked.count())
    counts = by_reason.agg(
        **{f"_n{i}": by_reason.n.sum(where=by_reason._reason == n) for i, n in enumerate(names)}
    )
    parts = [counts, rows.select("_key").distinct().agg(_keys=ibis._.count())]
    if stats is not None:
        parts.insert(0, rows.agg(**stats(rows)))
    if stats is not None:
        parts.append(rows.select("customer_id").distinct().agg(_customers=ibis._.count()))
        if not _no_order_ids(marked):
            orders = rows.filter((rows.amount >= 0) & rows.order_id.notnull())
            parts.append(
                orders.select("customer_id", "order_id").distinct().agg(orders=ibis._.count())
            )
    one = parts[0]
    for part in parts[1:]:
        one = one.cross_join(part)
    found = one.execute().iloc[0]
    for i, name in enumerate(names):
        if _int(found[f"_n{i}"]):
            report.excluded[name] = int(found[f"_n{i}"])
    n_valid = report.rows_read - report.rows_excluded
    internal = [c for c in _INTERNAL if c in marked.columns]
    clean = rows.drop(*internal)
    n_dup = 0
    dup_examples: list = []
    if _int(found["_keys"]) != n_valid:
        distinct = rows.drop(*[c for c in internal if c != "_rowkey"]).distinct()
        if duplicates == "drop":
            clean = materialize(_without_rowkey(distinct), in_memory)
            n_dup = n_valid - int(clean.count().execute())
        else:
            n_dup = n_valid - int(distinct.count().execute())
    if n_dup:
        cols = [c for c in rows.columns if c not in internal or c == "_rowkey"]
        dup = rows.group_by(cols).agg(copies=rows.count()).filter(lambda x: x.copies > 1)
        dup = dup.drop(*[c for c in ("_rowkey",) if c in cols])
        dup_examples = _records(dup.order_by(cols[:2]).limit(3).execute())
        if duplicates == "drop":
            report.excluded["duplicate"] = n_dup
            if stats is not None:
                again = clean.agg(**stats(clean)).execute().iloc[0]
                found = pd.concat([found.drop(again.index, errors="ignore"), again])
        elif duplicates == "error":
            raise InputError(
                f"{report.table}: {n_dup:,} rows are exact copies of an earlier row, e.g. "
                f"{json.dumps(dup_examples[:2], default=str, ensure_ascii=False)}; use "
                "--duplicates keep (count them as separate lines) or --duplicates drop"
            )
        else:
            report.notes["duplicates_kept"] = n_dup
            report.examples["duplicates_kept"] = dup_examples
    report.rows_used = report.rows_read - report.rows_excluded
    if stats is not None:
        report.customers = _int(found["_customers"])
        if report.rows_excluded:
            report.customers_without_purchase = _lost_customers(marked, clean)
    # Keep the reasons in the documented order, then fill in a few examples for each.
    order = [*_ORDER, *sorted(set(report.excluded) - set(_ORDER))]
    report.excluded = {r: report.excluded[r] for r in order if r in report.excluded}
    for r in report.excluded:
        if raw_examples.get(r):
            report.examples[r] = raw_examples[r]
        elif r == "duplicate":
            report.examples[r] = dup_examples
        else:
            ex = marked.filter(marked._reason == r).drop(*internal).limit(3).execute()
            report.examples[r] = _records(ex)
    report.check()
    if report.rows_used == 0:
        raise InputError(
            f"{report.table}: none of the {report.rows_read:,} rows can be used "
            f"({', '.join(f'{r}: {n:,}' for r, n in report.excluded.items())}); "
            "check the --map option and the analysis date"
        )
    return clean, report, found if stats is not None else None


def _lost_customers(marked: ir.Table, clean: ir.Table) -> dict[str, int]:
    """Customers left without a used line, by the reason of their first excluded row (in the
    documented order).

    Only the customers of excluded rows (usually few) are looked at: the used rows are probed
    against them, not grouped.
    """
    out = marked.filter(marked._reason.notnull() & ~_missing_id(marked))
    rank = ibis.cases(*[(out._reason == r, i) for i, r in enumerate(_ORDER)], else_=99)
    firsts = out.group_by("customer_id").agg(first=rank.min())
    kept = clean.select("customer_id").semi_join(firsts, "customer_id").distinct()
    lost = firsts.anti_join(kept, "customer_id")
    got = lost.group_by("first").agg(n=lost.count()).execute()
    found = {int(f): int(n) for f, n in zip(got["first"], got["n"], strict=True)}
    return {(_ORDER[f] if f < len(_ORDER) else "other"): n for f, n in sorted(found.items())}


def _only_returns(clean: ir.Table) -> int:
    """Customers whose used lines are all returns: those with a return line, probed."""
    theirs = clean.semi_join(
        clean.filter(clean.amount < 0).select("customer_id").distinct(), "customer_id"
    )
    per = theirs.group_by("customer_id").agg(bought=theirs.count(where=theirs.amount >= 0))
    return int(per.count(where=per.bought == 0).execute())
