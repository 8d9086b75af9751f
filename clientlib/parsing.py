"""Reading dates and numbers written as text: one interpretation per column, decided from all of it.

A spreadsheet or shop export writes ``01/12/2010 08:26`` (day first in the UK, month first in the
US), ``05.03.2024`` (day first), ``1,234`` (a thousand in one column, one and a quarter in
another), ``$1,234.50`` or ``1 234,50 руб``.  Reading each value on its own gives two readings in
one column; here every column gets **one** reading, decided from its distinct values, or is
refused with the column, two examples and the option that settles it.

The work is done on the distinct values of a column (``pd.unique`` / ``value_counts``), with
vectorised string operations, and mapped back: a million rows with a few thousand distinct
dates cost a few thousand parses.

Examples
--------
>>> import pandas as pd
>>> s = pd.Series(["01/12/2010 08:26", "13/12/2010 09:00"])
>>> ts, info = parse_dates(s, "InvoiceDate")
>>> ts.dt.strftime("%Y-%m-%d").tolist(), info
(['2010-12-01', '2010-12-13'], 'day-first (DD/MM/YYYY)')
>>> values, info = parse_numbers(pd.Series(["1,234", "2,000,000"]), "amount")
>>> values.tolist(), info
([1234.0, 2000000.0], 'comma thousands separator')
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from clientlib.errors import InputError

__all__ = [
    "CURRENCIES",
    "AmbiguousColumnError",
    "parse_dates",
    "parse_numbers",
    "plausible_range",
    "strip_text",
]

#: Characters stripped around ids and values: every Unicode space, \r, \t, BOM, zero-width space.
_SPACE = "\\s\u00a0\u2007\u202f\u2009\u200b\ufeff\u3000"
_EDGES = re.compile(f"^[{_SPACE}]+|[{_SPACE}]+$")
_BLANK_CHARS = " \t\r\n\v\f\u00a0\u2007\u202f\u2009\u200b\ufeff\u3000\u1680\u2028\u2029"


class AmbiguousColumnError(InputError):
    """A column can be read two ways; the message names the option that decides."""


def strip_text(s: pd.Series) -> pd.Series:
    """Text with every kind of blank (NBSP, ``\\r``, tab, BOM…) removed at both ends; ``""`` → NA.

    Examples
    --------
    >>> strip_text(pd.Series(["\\u00a0a\\r", " ", "b"])).tolist()
    ['a', <NA>, 'b']
    """
    arr = pc.utf8_trim(_arrow(s), characters=_BLANK_CHARS)
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
    return _pandas(arr, s.index)


def _arrow(s: pd.Series) -> pa.Array:
    """The text of ``s`` as an Arrow string array (no copy for Arrow-backed strings)."""
    arr = pa.array(s.astype("string[pyarrow]").array)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _pandas(arr: pa.Array, index) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(pc.cast(arr, pa.large_string())), index=index)


def _map_back(text: pd.Series, values: pd.Series, parsed: np.ndarray) -> np.ndarray:
    """``parsed[i]`` for each row whose text is ``values[i]`` (NaT/NaN elsewhere), via Arrow."""
    arr, keys = _arrow(text), _arrow(values)
    pos = pc.index_in(arr, value_set=keys).to_numpy(zero_copy_only=False)
    missing = np.isnan(pos) if pos.dtype.kind == "f" else np.zeros(len(pos), bool)
    take = np.where(missing, 0, pos).astype("int64")
    out = parsed[take] if len(parsed) else np.full(len(take), parsed.dtype.type("NaT"))
    if missing.any():
        out = out.copy()
        out[missing] = np.array("NaT" if out.dtype.kind == "M" else np.nan, dtype=out.dtype)
    return out


def _extract(values: pd.Series, pattern: re.Pattern) -> pd.DataFrame:
    """``values.str.extract(pattern)`` through Arrow's RE2 (named groups; no backreferences)."""
    got = pc.extract_regex(_arrow(values), pattern.pattern.replace("(?P=sep)", "[./-]"))
    names = [f.name for f in got.type]
    cols = {}
    for n in names:
        f = pc.if_else(got.is_valid(), got.field(n), pa.scalar(None, got.type.field(n).type))
        cols[n] = _pandas(pc.if_else(pc.equal(f, ""), pa.scalar(None, f.type), f), values.index)
    return pd.DataFrame(cols, index=values.index)


# ---------------------------------------------------------------------------------------------
# dates

_DMY = re.compile(
    r"^(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})"
    r"(?:[ T]+(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)?$"
)
_YMD_SLASH = re.compile(
    r"^(?P<y>\d{4})(?P<sep>[./])(?P<b>\d{1,2})(?P=sep)(?P<a>\d{1,2})"
    r"(?:[ T]+(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?))?$"
)
_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:$|[ T]\d)")
_COMPACT = re.compile(r"^\d{8}$")
_LETTERS = re.compile(r"[A-Za-zА-Яа-яЁё]")

_FAMILY_TEXT = {
    "iso": "ISO (YYYY-MM-DD)",
    "ymd": "year-first (YYYY/MM/DD)",
    "dotted": "day-first (DD.MM.YYYY)",
    "dayfirst": "day-first (DD/MM/YYYY)",
    "monthfirst": "month-first (MM/DD/YYYY)",
    "compact": "YYYYMMDD",
    "words": "dates with month names",
}


def _iso_text(parts: pd.DataFrame, day: str, month: str) -> pd.Series:
    """``YYYY-MM-DD HH:MM:SS`` from regex groups (two-digit years as Python's ``%y``), in Arrow."""

    def arr(name):
        return pc.cast(_arrow(parts[name]), pa.string())

    def pad(a):
        return pc.utf8_lpad(a, width=2, padding="0")

    year = arr("y")
    short = pc.equal(pc.utf8_length(year), 2)
    if pc.any(short).as_py():
        yy = pc.cast(year, pa.int64())
        full = pc.if_else(pc.less(yy, 69), pc.add(yy, 2000), pc.add(yy, 1900))
        year = pc.if_else(short, pc.cast(full, pa.string()), year)
    date = pc.binary_join_element_wise(year, pad(arr(month)), pad(arr(day)), "-")
    if "time" in parts and parts["time"].notna().any():
        time = pc.replace_substring(arr("time"), ",", ".")
        # HH:MM gets :00 so every clock has three fields.
        time = pc.if_else(
            pc.equal(pc.count_substring(time, ":"), 1),
            pc.binary_join_element_wise(time, pa.scalar("00"), ":"),
            time,
        )
        hms = pc.split_pattern(time, ":")
        hh = pc.cast(pc.list_element(hms, 0), pa.int64())
        if "ampm" in parts and parts["ampm"].notna().any():
            ap = pc.utf8_lower(arr("ampm"))
            pm = pc.fill_null(pc.starts_with(ap, "p"), False)
            am = pc.fill_null(pc.starts_with(ap, "a"), False)
            hh = pc.if_else(pc.and_(pm, pc.less(hh, 12)), pc.add(hh, 12), hh)
            hh = pc.if_else(pc.and_(am, pc.equal(hh, 12)), 0, hh)
        clock = pc.binary_join_element_wise(
            pad(pc.cast(hh, pa.string())), pc.list_element(hms, 1), pc.list_element(hms, 2), ":"
        )
        date = pc.if_else(pc.is_null(clock), date, pc.binary_join_element_wise(date, clock, " "))
    return _pandas(date, parts.index)


def _parse_iso(values: pd.Series) -> pd.Series:
    out = pd.to_datetime(values, errors="coerce", utc=True, format="ISO8601")
    return out.dt.tz_convert("UTC").dt.tz_localize(None)


def parse_dates(
    s: pd.Series,
    column: str,
    *,
    date_format: str | None = None,
    dayfirst: bool | None = None,
) -> tuple[pd.Series, str]:
    """Parse a text column of dates with one reading for the whole column.

    Parameters
    ----------
    s : pandas.Series
        The column as read (text).
    column : str
        Its name, for messages.
    date_format : str, optional
        A ``strptime`` format applied to every value (``'%d/%m/%Y %H:%M'``).
    dayfirst : bool, optional
        Settles ``01/02/2024``: ``True`` day first, ``False`` month first. Without it the column
        decides: a first field above 12 means day first, a second field above 12 month first;
        a column where no field exceeds 12 is refused, and one where both happen is refused.

    Returns
    -------
    (pandas.Series, str)
        Naive ``datetime64`` values (UTC for zoned input; NaT where unreadable, including values
        of another format than the column's majority) and the reading used, in words.

    Raises
    ------
    AmbiguousColumnError
        When the column stays ambiguous or mixes day-first and month-first values.

    Examples
    --------
    >>> ts, info = parse_dates(pd.Series(["05.03.2024"]), "date")
    >>> str(ts[0].date()), info
    ('2024-03-05', 'day-first (DD.MM.YYYY)')
    """
    text = strip_text(s)
    if not date_format:
        # The common case first: a column that is ISO throughout, parsed in one vectorised
        # pass (format ISO8601 reads no other order, so nothing is guessed).
        iso_all = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
        if int(iso_all.notna().sum()) == int(text.notna().sum()) and text.notna().any():
            out = iso_all.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")
            return pd.Series(out.to_numpy(), index=s.index), _FAMILY_TEXT["iso"]
    counts = text.value_counts(dropna=True, sort=False)
    values = pd.Series(counts.index.astype("string"), dtype="string")
    n = counts.to_numpy()
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    if len(values) == 0:
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]"), "no values"
    if date_format:
        parsed = pd.to_datetime(values, format=date_format, errors="coerce")
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None) if parsed.dt.tz else parsed
        info = f"format {date_format}"
    else:
        family = pd.Series(pd.NA, index=values.index, dtype="string")
        # ISO first (the common case): parsed once, the other families only see the rest.
        iso_arr = pc.match_substring_regex(_arrow(values), _ISO.pattern)
        iso = pd.Series(
            pc.fill_null(iso_arr, False).to_numpy(zero_copy_only=False), index=values.index
        )
        if iso.any():
            parsed[iso.to_numpy()] = _parse_iso(values[iso]).astype("datetime64[us]").to_numpy()
        family[iso.to_numpy()] = "iso"
        if iso.all():
            info = _FAMILY_TEXT["iso"]
            out = _map_back(text, values, parsed.to_numpy(dtype="datetime64[us]"))
            return pd.Series(out, index=s.index), info
        rest = ~iso
        dmy = _extract(values[rest], _DMY)
        has = dmy["a"].notna()
        dmy = dmy[has]
        if len(dmy):
            a = pd.Series(pc.cast(_arrow(dmy["a"]), pa.int64()).to_numpy(), index=dmy.index)
            b = pd.Series(pc.cast(_arrow(dmy["b"]), pa.int64()).to_numpy(), index=dmy.index)
            dotted = dmy["sep"] == "."
            family[dmy.index[dotted]] = "dotted"
            slash = dmy[~dotted]
            if len(slash):
                fa, fb = a[~dotted], b[~dotted]
                day_first = bool((fa > 12).any())
                month_first = bool((fb > 12).any())
                if dayfirst is None and day_first and month_first:
                    ex_d = slash.index[(fa > 12).to_numpy()][0]
                    ex_m = slash.index[(fb > 12).to_numpy()][0]
                    raise AmbiguousColumnError(
                        f"column {column!r} mixes day-first and month-first dates "
                        f"(e.g. {values[ex_d]!r} and {values[ex_m]!r}); fix the export, or say "
                        "which with --date-format '%d/%m/%Y %H:%M', --dayfirst or --monthfirst"
                    )
                if dayfirst is None and not (day_first or month_first):
                    ex = values[slash.index[:2]].tolist()
                    raise AmbiguousColumnError(
                        f"column {column!r} has dates that read both ways (e.g. "
                        f"{', '.join(repr(x) for x in ex)}: no day or month above 12 tells which "
                        "comes first); pass --date-format '%d/%m/%Y %H:%M', or --dayfirst or "
                        "--monthfirst"
                    )
                first = dayfirst if dayfirst is not None else day_first
                family[slash.index] = "dayfirst" if first else "monthfirst"
        rest = family.isna()
        ymd = _extract(values[rest], _YMD_SLASH)
        ymd = ymd[ymd["y"].notna()]
        family[ymd.index] = "ymd"
        compact = family.isna() & values.str.match(_COMPACT).fillna(False)
        family[compact] = "compact"
        words = family.isna() & values.str.contains(_LETTERS, regex=True).fillna(False)
        family[words] = "words"
        # Parse each family with its one reading.
        for fam in family.dropna().unique():
            idx = family.index[(family == fam).to_numpy()]
            v = values[idx]
            if fam == "iso":
                continue
            if fam in ("dotted", "dayfirst", "monthfirst"):
                parts = dmy.loc[idx]
                iso_text = _iso_text(parts, *(("b", "a") if fam == "monthfirst" else ("a", "b")))
                parsed[idx] = _parse_iso(iso_text).astype("datetime64[us]")
            elif fam == "ymd":
                parsed[idx] = _parse_iso(_iso_text(ymd.loc[idx], "a", "b")).astype("datetime64[us]")
            elif fam == "compact":
                parsed[idx] = pd.to_datetime(v, format="%Y%m%d", errors="coerce").astype(
                    "datetime64[us]"
                )
            else:
                with_words = pd.to_datetime(
                    v, errors="coerce", utc=True, format="mixed", dayfirst=bool(dayfirst)
                )
                parsed[idx] = (
                    with_words.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")
                )
                family[idx[with_words.isna().to_numpy()]] = pd.NA
        # One reading per column: the family of most rows wins, others are unreadable here.
        weight = pd.Series(n, index=values.index).groupby(family).sum()
        if len(weight):
            main = str(weight.idxmax())
            others = family.notna() & (family != main)
            parsed[others.to_numpy()] = pd.NaT
            info = _FAMILY_TEXT[main]
            if others.any():
                info += (
                    f"; {int(n[others.to_numpy()].sum()):,} values in another format "
                    f"(e.g. {values[others].iloc[0]!r}) counted as unparsable"
                )
        else:
            info = "none readable"
    out = _map_back(text, values, parsed.to_numpy(dtype="datetime64[us]"))
    return pd.Series(out, index=s.index), info


# ---------------------------------------------------------------------------------------------
# numbers

#: Currency signs and codes stripped from amounts (reported in the quality report).
CURRENCIES = ("$", "€", "£", "₽", "¥", "руб.", "руб", "р.", "USD", "EUR", "RUB", "GBP", "CHF")
_CUR = "|".join(re.escape(c) for c in sorted(CURRENCIES, key=len, reverse=True))
_CUR_RE = re.compile(f"(?:{_CUR})", flags=re.IGNORECASE)
_GROUPS = re.compile(f"[{_SPACE}'’]")
_NONFINITE = {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan", "-nan"}


def parse_numbers(
    s: pd.Series, column: str, *, decimal: str | None = None
) -> tuple[pd.Series, str]:
    """Parse a text column of numbers with one decimal separator for the whole column.

    Spaces (also no-break and thin ones) and apostrophes are digit groups; currency signs and
    codes (:data:`CURRENCIES`) are stripped.  A value with both ``,`` and ``.`` shows which is
    the decimal (the last one); several commas (``2,000,000``) make the comma a thousands
    separator; ``12,5`` makes it a decimal.  ``1,234`` alone is ambiguous: refused unless
    another value of the column or ``decimal`` decides.  ``inf``, ``nan`` and overflowing
    values come back as ``inf`` (the reader counts them as ``non_finite_amount``).

    Returns
    -------
    (pandas.Series, str)
        float64 values (NaN where unreadable) and what was done, in words ('' when nothing).

    Examples
    --------
    >>> v, info = parse_numbers(pd.Series(["1 234,50 руб", "12,5"]), "sum")
    >>> v.tolist(), info
    ([1234.5, 12.5], 'decimal comma; currency stripped (руб)')
    """
    text = strip_text(s)
    values = pd.Series(pd.unique(text.dropna()), dtype="string")
    notes: list[str] = []
    if len(values) == 0:
        return pd.Series(np.nan, index=s.index, dtype="float64"), ""
    clean = values
    cur = clean.str.extract(f"(?i)({_CUR})")[0]
    found = sorted(set(cur.dropna().tolist()))
    if found:
        clean = clean.str.replace(_CUR_RE, "", regex=True)
        clean = clean.str.replace(_EDGES, "", regex=True)
        # "$-5" and "-$5" both mean minus five.
        clean = clean.str.replace(r"^-\s*", "-", regex=True)
    clean = clean.str.replace(_GROUPS, "", regex=True)
    has_c = clean.str.contains(",", regex=False)
    if decimal is None:

        def full(pattern):
            return clean.str.fullmatch(pattern).fillna(False)

        # Only well-formed groups count as evidence ("12.3.4" is just unreadable).
        dot_groups = full(r"[-+]?\d{1,3}(\.\d{3}){2,}") | full(r"[-+]?\d{1,3}(\.\d{3})+,\d+")
        comma_groups = full(r"[-+]?\d{1,3}(,\d{3}){2,}") | full(r"[-+]?\d{1,3}(,\d{3})+\.\d+")
        amb_c = full(r"[-+]?[1-9]\d{0,2},\d{3}")
        amb_d = full(r"[-+]?[1-9]\d{0,2}\.\d{3}")
        comma_dec = full(r"[-+]?\d*,\d+") & ~amb_c | dot_groups
        point_dec = full(r"[-+]?\d*\.\d+") & ~amb_d | comma_groups
        if comma_dec.any() and point_dec.any():
            ex = [values[comma_dec].iloc[0], values[point_dec].iloc[0]]
            raise AmbiguousColumnError(
                f"column {column!r} writes numbers with both a decimal comma and a decimal point "
                f"(e.g. {ex[0]!r} and {ex[1]!r}); pass --decimal , or --decimal ."
            )
        if comma_dec.any():
            decimal = ","
        elif point_dec.any():
            decimal = "."
        elif amb_c.any():
            raise AmbiguousColumnError(
                f"column {column!r} has numbers like {values[amb_c].iloc[0]!r} that read as a "
                "thousand or as a decimal; pass --decimal , (decimal comma) or --decimal . "
                "(comma groups thousands)"
            )
        elif amb_d.any():
            raise AmbiguousColumnError(
                f"column {column!r} has numbers like {values[amb_d].iloc[0]!r} that read as a "
                "thousand or as a decimal; pass --decimal . (decimal point) or --decimal , "
                "(point groups thousands)"
            )
    if decimal == ",":
        notes.append("decimal comma")
    elif has_c.any():
        notes.append("comma thousands separator")
    if decimal == ",":
        clean = clean.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        clean = clean.str.replace(",", "", regex=False)
    out = pd.to_numeric(clean, errors="coerce").astype("float64")
    bad = clean.str.lower().isin(_NONFINITE).fillna(False).to_numpy()
    out[bad] = np.inf
    if found:
        notes.append(f"currency stripped ({', '.join(found)})")
    result = pd.Series(_map_back(text, values, out.to_numpy(dtype="float64")), index=s.index)
    return result, "; ".join(n for n in notes if n)


def plausible_range(today: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Timestamps outside ``[1900-01-01, today + 1 year)`` are implausible.

    Examples
    --------
    >>> plausible_range(dt.date(2026, 1, 1))[1]
    datetime.datetime(2027, 1, 1, 0, 0)
    """
    today = today or dt.date.today()
    try:
        end = today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        end = today.replace(year=today.year + 1, day=28)
    return dt.datetime(1900, 1, 1), dt.datetime(end.year, end.month, end.day)
