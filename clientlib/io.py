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
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from clientlib.schema import (
    EVENT_KINDS,
    RETURN_POLICIES,
    ClientlibError,
    ColumnTypeError,
    EmptyInputError,
    QualityReport,
    ReturnsError,
    examples_text,
    parse_mapping,
    resolve_columns,
)

Source = str | os.PathLike | pd.DataFrame | ir.Table | Any  # Any: a polars DataFrame

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


def read_transactions(
    source: Source,
    mapping: Mapping[str, str] | None = None,
    *,
    analysis_date: Any = None,
    returns: str = "net",
    sep: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    con: Any = None,
) -> Loaded:
    """Read transactions (orders or line items) into a validated table.

    Parameters
    ----------
    source : path, pandas or polars DataFrame, or Ibis table
        CSV/TSV (optionally ``.gz``) or Parquet file, or an in-memory / warehouse table.
    mapping : dict, optional
        ``{role: column}`` for columns not named like their role (``customer_id``, ``timestamp``,
        ``amount`` or ``quantity`` × ``unit_price``, ``order_id``, ``discount``, ``is_express``,
        ``is_premium``).
    analysis_date : date-like, optional
        Rows dated on or after it are excluded (counted). Default: the day after the last
        transaction.
    returns : {"net", "drop", "error"}
        Negative-amount lines: ``net`` lowers the customer's spend and leaves the order count
        unchanged; ``drop`` excludes them (counted); ``error`` refuses the input.
    sep, decimal, encoding : str, optional
        CSV options; by default the separator is sniffed from the header, decimal commas are
        recognised in text amounts, and the encoding is UTF-8 (a BOM is fine).
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
    if returns not in RETURN_POLICIES:
        raise ClientlibError(
            f"returns must be one of {', '.join(RETURN_POLICIES)}, not {returns!r}"
        )
    typed, report, raw_examples = _typed(
        "transactions", source, mapping, sep, decimal, encoding, con
    )
    cutoff = parse_analysis_date(analysis_date)
    return _clean_transactions(typed, report, raw_examples, cutoff, returns)


def read_events(
    source: Source,
    mapping: Mapping[str, str] | None = None,
    *,
    analysis_date: Any = None,
    sep: str | None = None,
    encoding: str | None = None,
    con: Any = None,
) -> Loaded:
    """Read the event log (leads, negotiations, contacts, complaints, referrals…).

    ``analysis_date`` should be the one used for the transactions (events on or after it are
    excluded and counted); when omitted, nothing is cut.
    """
    typed, report, raw_examples = _typed("events", source, mapping, sep, None, encoding, con)
    cutoff = parse_analysis_date(analysis_date)
    t = typed
    reason = ibis.cases(
        (_missing_id(t), "missing_customer_id"),
        (t.timestamp.isnull(), "unparsable_timestamp"),
        *([(t.timestamp >= _ts_literal(cutoff), "after_analysis_date")] if cutoff else []),
        else_=ibis.null("string"),
    )
    clean, report = _account(t, reason, report, raw_examples, _in_memory(t))
    kinds = clean.group_by("kind").agg(n=clean.count()).execute()
    unknown = kinds[~kinds["kind"].isin(EVENT_KINDS)]
    if len(unknown):
        report.warnings.append(
            f"{int(unknown['n'].sum())} events of unknown kind(s) "
            f"{examples_text(sorted(unknown['kind'].astype(str)), 5)} are kept but no feature uses "
            f"them; known kinds: {', '.join(EVENT_KINDS)}"
        )
    return Loaded(clean, report, cutoff)


def read_customers(
    source: Source,
    mapping: Mapping[str, str] | None = None,
    *,
    sep: str | None = None,
    encoding: str | None = None,
) -> Loaded:
    """Read the customers table (id plus attribute and survey columns).

    Customers tables are small, so this runs in pandas. A repeated customer id keeps its first
    row; the others are counted under ``duplicate_customer``.
    """
    raw = _load_raw(source, "customers", sep, None, encoding, None)
    if isinstance(raw, ir.Table):
        raw = raw.execute()
    if len(raw) == 0:
        raise EmptyInputError(f"customers: {_name(source)} has no data rows")
    resolved = resolve_columns("customers", list(raw.columns), mapping)
    df = raw.rename(columns={resolved["customer_id"]: "customer_id"}).copy()
    df["customer_id"] = _ids(df["customer_id"])
    for col in df.columns:
        if col != "customer_id" and _looks_boolean(df[col]):
            df[col] = _booleans(df[col])
    report = QualityReport("customers", rows_read=len(df))
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
    returns: str = "net",
    sep: str | None = None,
    encoding: str | None = None,
    dataset_options: Mapping[str, Any] | None = None,
) -> Inputs:
    """Read transactions, events and customers from files or an embedded dataset.

    Give either ``input`` (with optional ``events`` and ``customers``) or ``dataset``; a
    dataset's own column mapping applies first, ``mapping`` on top of it.

    Examples
    --------
    >>> inputs = read_inputs(dataset="workshop", dataset_options={"n_customers": 50})
    >>> inputs.source, inputs.customers.quality.rows_used
    ('workshop', 50)
    """
    from clientlib import datasets

    if (input is None) == (dataset is None):
        raise ClientlibError("give either an INPUT file or --dataset NAME (not both, not neither)")
    roles = parse_mapping(mapping)
    if dataset is not None:
        if dataset not in datasets.available():
            raise ClientlibError(
                f"unknown dataset {dataset!r}; available: {', '.join(datasets.available())}"
            )
        ds = datasets.load(dataset, **dict(dataset_options or {}))
        roles = {**(ds.mapping or {}), **roles}
        tx_src, ev_src, cu_src, source = ds.transactions, ds.events, ds.customers, dataset
    else:
        tx_src, ev_src, cu_src = input, events, customers
        source = Path(input).name if isinstance(input, str | os.PathLike) else _name(input)
    opts = {"sep": sep, "encoding": encoding}
    tx = read_transactions(tx_src, roles, analysis_date=analysis_date, returns=returns, **opts)
    ev = (
        read_events(ev_src, roles, analysis_date=tx.analysis_date, **opts)
        if ev_src is not None
        else None
    )
    cu = read_customers(cu_src, roles, **opts) if cu_src is not None else None
    return Inputs(tx, ev, cu, source)


def parse_analysis_date(value: Any) -> dt.date | None:
    """Read an analysis date (``"2024-06-30"``, a date, a datetime or a Timestamp) or None.

    Examples
    --------
    >>> parse_analysis_date("2006-12-31")
    datetime.date(2006, 12, 31)
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        ts = pd.Timestamp(str(value).strip())
    except (ValueError, TypeError):
        ts = pd.NaT
    if pd.isna(ts):
        raise ClientlibError(
            f"analysis date {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-06-30"
        )
    return ts.date()


# ---------------------------------------------------------------------------------------------
# stage 1: typing


def _typed(kind, source, mapping, sep, decimal, encoding, con):
    raw = _load_raw(source, kind, sep, decimal, encoding, con)
    columns = list(raw.columns)
    resolved = resolve_columns(kind, columns, mapping)
    report = QualityReport(kind)
    if isinstance(raw, ir.Table):
        typed = _type_ibis(kind, raw, resolved)
        report.rows_read = int(typed.count().execute())
        raw_examples: dict[str, list] = {}
    else:
        prepared, raw_examples, warnings = _type_pandas(kind, raw, resolved, decimal)
        report.rows_read = len(prepared)
        report.warnings += warnings
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


def _name(source) -> str:
    if isinstance(source, str | os.PathLike):
        return str(source)
    return f"the {type(source).__name__} given"


def _load_raw(source, kind, sep, decimal, encoding, con):
    """Return a pandas DataFrame (text and in-memory inputs) or an Ibis table (Parquet, tables)."""
    if isinstance(source, ir.Table):
        return source
    if isinstance(source, pd.DataFrame):
        return source
    if type(source).__module__.startswith("polars"):
        return source.to_pandas()
    if not isinstance(source, str | os.PathLike):
        raise ClientlibError(
            f"{kind}: cannot read a {type(source).__name__}; give a CSV or Parquet path, a pandas "
            "or polars DataFrame, or an Ibis table"
        )
    path = Path(source)
    if not path.exists():
        raise ClientlibError(f"{kind}: no such file: {path}")
    if path.is_dir() or path.suffix.lower() in {".parquet", ".pq"}:
        con = con or ibis.duckdb.connect()
        return con.read_parquet(str(path))
    return _read_csv(path, kind, sep, decimal, encoding)


def _read_csv(path: Path, kind, sep, decimal, encoding) -> pd.DataFrame:
    encoding = encoding or "utf-8-sig"
    compression = "infer"
    try:
        header = pd.read_csv(
            path, nrows=0, sep=sep or _sniff_sep(path, encoding), encoding=encoding
        )
    except UnicodeDecodeError as exc:
        raise ClientlibError(
            f"{kind}: {path} is not valid {encoding} "
            f"(byte {exc.object[exc.start : exc.start + 1]!r} at position {exc.start}); "
            "pass the file's encoding, e.g. --encoding cp1251 or --encoding latin-1"
        ) from None
    except pd.errors.EmptyDataError:
        raise EmptyInputError(f"{kind}: {path} is empty (no header, no rows)") from None
    sep = sep or _sniff_sep(path, encoding)
    # Ids stay text so leading zeros and long numbers survive.
    id_like = [c for c in header.columns if "id" in str(c).lower()]
    try:
        return pd.read_csv(
            path,
            sep=sep,
            encoding=encoding,
            compression=compression,
            dtype={c: "string" for c in id_like},
            decimal=decimal or ".",
            low_memory=False,
        )
    except UnicodeDecodeError as exc:
        raise ClientlibError(
            f"{kind}: {path} is not valid {encoding} past the header (position {exc.start}); "
            "pass the file's encoding, e.g. --encoding cp1251"
        ) from None
    except pd.errors.ParserError as exc:
        raise ClientlibError(
            f"{kind}: {path} is not a well-formed CSV ({exc}); check --sep"
        ) from None


def _sniff_sep(path: Path, encoding: str) -> str:
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding=encoding, errors="replace") as fh:
            line = fh.readline()
    except OSError:
        return ","
    counts = {s: line.count(s) for s in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _type_pandas(kind, raw: pd.DataFrame, resolved: dict[str, str], decimal):
    """Parse the mapped columns of a pandas frame that are text (a new frame, role-named).

    Columns that already hold their role's type (string or integer ids, naive datetimes,
    numbers) are passed on as they are, and roles that are not mapped are left out: the engine
    does the rest (:func:`_type_ibis`). Values that do not parse become nulls, remembered with
    their row numbers.
    """
    out: dict[str, pd.Series] = {}
    bad: dict[str, list] = {}
    warnings: list[str] = []
    col = {role: raw[c] for role, c in resolved.items()}
    out["customer_id"] = _ids(col["customer_id"])
    ts = _timestamps(col["timestamp"])
    _unusable(kind, resolved["timestamp"], col["timestamp"], ts, "a date or date-time")
    bad["unparsable_timestamp"] = _bad_values(col["timestamp"], ts)
    out["timestamp"] = ts
    if kind == "transactions":
        if "amount" in col:
            amount, used_comma = _numbers(col["amount"], decimal)
            _unusable(kind, resolved["amount"], col["amount"], amount, "a number")
            bad["unparsable_amount"] = _bad_values(col["amount"], amount)
        else:
            qty, c1 = _numbers(col["quantity"], decimal)
            price, c2 = _numbers(col["unit_price"], decimal)
            _unusable(kind, resolved["quantity"], col["quantity"], qty, "a number")
            _unusable(kind, resolved["unit_price"], col["unit_price"], price, "a number")
            amount, used_comma = qty * price, c1 or c2
            bad["unparsable_amount"] = _bad_values(col["quantity"], qty) + _bad_values(
                col["unit_price"], price
            )
        if used_comma:
            warnings.append("amounts were written with decimal commas and read as such")
        out["amount"] = amount
        if "order_id" in col:
            out["order_id"] = _ids(col["order_id"])
        if "discount" in col:
            disc, _ = _numbers(col["discount"], decimal)
            disc = disc.fillna(0.0)
            if (disc > 1).any():
                warnings.append(
                    "discount values above 1 were read as percentages and divided by 100"
                )
                disc = disc.where(disc <= 1, disc / 100.0)
            out["discount"] = disc.clip(0.0, 1.0).astype("float64")
        for flag in ("is_express", "is_premium"):
            if flag in col:
                out[flag] = _booleans(col[flag])
    else:  # events
        kinds = col["kind"]
        # String columns go to the engine as they are; it strips and lower-cases (_type_ibis).
        out["kind"] = kinds if _is_text(kinds) else kinds.astype("string").str.strip().str.lower()
        if "sentiment" in col:
            s = col["sentiment"]
            if not pd.api.types.is_numeric_dtype(s):
                words = s.astype("string").str.strip().str.lower().map(_SENTIMENT_WORDS)
                s = pd.to_numeric(s, errors="coerce").fillna(words.astype("float64"))
            out["sentiment"] = s.astype("float64")
        if "referred_customer_id" in col:
            out["referred_customer_id"] = _ids(col["referred_customer_id"])
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
    return df, bad, warnings


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

    cols: dict[str, Any] = {
        "customer_id": _strip(c["customer_id"].cast("string")),
        "timestamp": ts(c["timestamp"]),
    }
    if kind == "transactions":
        amount = num(c["amount"]) if "amount" in c else num(c["quantity"]) * num(c["unit_price"])
        cols["order_id"] = (
            _strip(c["order_id"].cast("string")).nullif("")
            if "order_id" in c
            else ibis.null("string")
        )
        cols["amount"] = amount
        cols["discount"] = (
            num(c["discount"]).fill_null(0.0) if "discount" in c else ibis.literal(0.0)
        )
        for f in ("is_express", "is_premium"):
            cols[f] = flag(c[f]) if f in c else ibis.literal(False)
    else:
        cols["kind"] = _strip(c["kind"].cast("string")).lower()
        cols["sentiment"] = num(c["sentiment"]) if "sentiment" in c else ibis.null("float64")
        cols["referred_customer_id"] = (
            _strip(c["referred_customer_id"].cast("string")).nullif("")
            if "referred_customer_id" in c
            else ibis.null("string")
        )
    if "_rowkey" in t.columns:
        cols["_rowkey"] = t._rowkey
    return t.select(**cols)


_BLANKS = (" ", "\t", "\n")


def _strip(v):
    """``v.strip()``, evaluated only where the first or last character is blank.

    Most ids have no blanks around them, and trimming a set of characters costs DuckDB about
    three times the test (0.97 s against 0.32 s for 10 million ids, benchmarks/README.md).
    """
    return ibis.ifelse(v.substr(0, 1).isin(_BLANKS) | v.right(1).isin(_BLANKS), v.strip(), v)


def _is_text(s: pd.Series) -> bool:
    """A string dtype (not ``object``, which may mix types): Arrow takes it without a copy."""
    return pd.api.types.is_string_dtype(s) and not pd.api.types.is_object_dtype(s)


def _ids(s: pd.Series) -> pd.Series:
    if pd.api.types.is_integer_dtype(s) or _is_text(s):
        return s  # the engine casts and strips (:func:`_type_ibis`)
    if pd.api.types.is_float_dtype(s):
        # 12345.0 read from a CSV is the id "12345", not "12345.0".
        whole = s.dropna()
        if (whole == np.floor(whole)).all():
            s = s.astype("Int64")
    out = s.astype("string").str.strip()
    return out.mask(out == "")


def _timestamps(s: pd.Series) -> pd.Series:
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")
    if pd.api.types.is_datetime64_dtype(s):
        return s.astype("datetime64[us]")
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        # Whole numbers like 19970101 are read as YYYYMMDD (CDNOW and many legacy exports).
        text = s.astype("Int64").astype("string")
        return pd.to_datetime(text, format="%Y%m%d", errors="coerce").astype("datetime64[us]")
    text = s.astype("string").str.strip()
    text = text.mask(text == "")
    out = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
    retry = out.isna() & text.notna()
    if retry.any():
        with_mixed = pd.to_datetime(text[retry], errors="coerce", utc=True, format="mixed")
        out = out.copy()
        out[retry] = with_mixed
    return out.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")


def _numbers(s: pd.Series, decimal) -> tuple[pd.Series, bool]:
    if pd.api.types.is_bool_dtype(s):
        return pd.Series(np.nan, index=s.index, dtype="float64"), False
    if pd.api.types.is_numeric_dtype(s):
        return s.astype("float64"), False
    text = s.astype("string").str.strip()
    out = pd.to_numeric(text, errors="coerce").astype("float64")
    failed = out.isna() & text.notna() & (text != "")
    if failed.any() and decimal != ".":
        fixed = pd.to_numeric(
            text[failed].str.replace(" ", "", regex=False).str.replace(",", ".", regex=False),
            errors="coerce",
        )
        if fixed.notna().any():
            out = out.copy()
            out[failed] = fixed.astype("float64")
            return out, True
    return out, False


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

    In-memory inputs become an Arrow memtable (it runs on any backend, DuckDB or Spark, like its
    input). Files opened by DuckDB become a temporary DuckDB table, which DuckDB spills to disk
    when it outgrows memory. Other engines (Spark, warehouses) keep the lazy expression: their
    users may not create tables, and the engine streams it anyway. Columns that are constants
    (roles the input does not have) are not stored but put back as the same constants.
    """
    con = None if in_memory else t._find_backend(use_default=False)
    if not in_memory and getattr(con, "name", None) != "duckdb":
        return t
    fixed = constants(t)
    stored = t.drop(*fixed) if fixed else t
    if in_memory:
        stored = ibis.memtable(stored.to_pyarrow())
    else:
        import uuid

        stored = con.create_table(f"clientlib_clean_{uuid.uuid4().hex}", stored, temp=True)
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


def _clean_transactions(t: ir.Table, report, raw_examples, cutoff, returns) -> Loaded:
    usable = ~_missing_id(t) & t.timestamp.notnull() & t.amount.notnull()
    if cutoff is None:
        last = t.filter(usable).timestamp.max().execute()
        if last is None or pd.isna(last):
            raise ClientlibError(
                f"transactions: no row has a customer id, a readable timestamp and an amount "
                f"({report.rows_read:,} rows read); check the --map option"
            )
        cutoff = pd.Timestamp(last).date() + dt.timedelta(days=1)
        report.notes["analysis_date"] = f"{cutoff} (default: the day after the last transaction)"
    else:
        report.notes["analysis_date"] = str(cutoff)
    reason = ibis.cases(
        (_missing_id(t), "missing_customer_id"),
        (t.timestamp.isnull(), "unparsable_timestamp"),
        (t.amount.isnull(), "unparsable_amount"),
        (t.timestamp >= _ts_literal(cutoff), "after_analysis_date"),
        ((t.amount == 0) & (t.discount < 1), "zero_amount"),
        *([((t.amount < 0), "return_line")] if returns == "drop" else []),
        else_=ibis.null("string"),
    )
    in_memory = _in_memory(t)
    clean, report = _account(t, reason, report, raw_examples, in_memory)
    # One scan of the clean rows gathers what the checks below need; the median only feeds a
    # warning, so file and warehouse tables get the engine's approximate one (an exact median
    # holds every amount). A filtered approximate median is not a constant expression on Spark:
    # the other rows are nulled instead.
    paid_amount = ibis.ifelse(clean.amount > 0, clean.amount, ibis.null("float64"))
    found = (
        clean.agg(
            returns=(clean.amount < 0).cast("int64").sum(),
            median=paid_amount.median() if in_memory else paid_amount.approx_median(),
            top=clean.amount.max(),
        )
        .execute()
        .iloc[0]
    )
    # A row without an order id stays with a null id: features count it as an order of its own.
    returns_n = int(found["returns"] or 0)
    if returns_n:
        if returns == "error":
            ex = _records(clean.filter(clean.amount < 0).limit(3).execute())
            raise ReturnsError(
                f"transactions: {returns_n:,} return lines (negative amount), e.g. {ex}; "
                "use --returns net (lower the spend) or --returns drop (exclude them)"
            )
        report.notes["return_lines_netted"] = returns_n
    median, top = found["median"], found["top"]
    if pd.notna(median) and float(median) > 0 and float(top) > _ABSURD_FACTOR * float(median):
        limit = _ABSURD_FACTOR * float(median)
        n_big = int(clean.filter(clean.amount > limit).count().execute())
        report.warnings.append(
            f"{n_big:,} amount(s) over {_ABSURD_FACTOR:,.0f}× the median "
            f"({float(median):,.2f}), the largest {float(top):,.2f}; "
            "kept — check for typos or a unit error"
        )
    return Loaded(clean, report, cutoff)


def _account(
    t: ir.Table, reason, report: QualityReport, raw_examples, in_memory: bool = False
) -> tuple[ir.Table, QualityReport]:
    """Count each exclusion reason, remove exact duplicates, and return the clean rows.

    The typed rows and their reasons are computed once (:func:`materialize`). Whether there are
    duplicates at all is checked by counting the distinct hashes of the usable rows: as many
    hashes as rows proves every row distinct (a hash collision can only send an input down the
    slower path, never hide a duplicate), and the clean rows are then a filter of the stored
    ones. Otherwise the distinct rows are computed and stored too.
    """
    marked = materialize(t.mutate(_reason=reason), in_memory)
    counts = marked.group_by("_reason").agg(n=marked.count()).execute()
    for r, n in zip(counts["_reason"], counts["n"], strict=True):
        if r is None or (isinstance(r, float) and np.isnan(r)) or r is pd.NA:
            continue
        report.excluded[str(r)] = int(n)
    valid = marked.filter(marked._reason.isnull()).drop("_reason")
    n_valid = report.rows_read - report.rows_excluded
    # A grouped distinct, not count(DISTINCT): DuckDB spills the former to disk when it outgrows
    # its memory limit (100M rows), and it is no slower.
    # Constant columns (roles the input lacks) cannot tell rows apart: leave them out.
    fixed = constants(valid)
    varying = [c for c in valid.columns if c not in fixed] or list(valid.columns)
    keys = valid.select(_key=ibis.struct({c: valid[c] for c in varying}).hash())
    n_keys = int(keys.distinct().count().execute())
    clean = _without_rowkey(valid)
    if n_keys != n_valid:
        clean = materialize(_without_rowkey(valid.distinct()), in_memory)
        n_unique = int(clean.count().execute())
        if n_valid - n_unique:
            report.excluded["duplicate"] = n_valid - n_unique
    report.rows_used = report.rows_read - report.rows_excluded
    # Keep the reasons in the documented order, then fill in a few examples for each.
    order = [
        "missing_customer_id",
        "unparsable_timestamp",
        "unparsable_amount",
        "after_analysis_date",
        "zero_amount",
        "return_line",
        "duplicate",
    ]
    report.excluded = {r: report.excluded[r] for r in order if r in report.excluded}
    for r in report.excluded:
        if raw_examples.get(r):
            report.examples[r] = raw_examples[r]
        elif r == "duplicate":
            cols = list(valid.columns)
            dup = valid.group_by(cols).agg(copies=valid.count()).filter(lambda x: x.copies > 1)
            dup = dup.drop(*[c for c in ("_rowkey",) if c in cols])
            report.examples[r] = _records(dup.order_by(cols[:2]).limit(3).execute())
        else:
            rows = marked.filter(marked._reason == r).drop("_reason").limit(3).execute()
            rows = rows.drop(columns=["_rowkey"], errors="ignore")
            report.examples[r] = _records(rows)
    report.check()
    if report.rows_used == 0:
        raise ClientlibError(
            f"{report.table}: none of the {report.rows_read:,} rows can be used "
            f"({', '.join(f'{r}: {n:,}' for r, n in report.excluded.items())}); "
            "check the --map option and the analysis date"
        )
    return clean, report
