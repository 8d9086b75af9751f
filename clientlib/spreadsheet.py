"""Spreadsheets in and out: xlsx / xls / ods read with python-calamine, xlsx written with openpyxl.

Reading turns one sheet into the same pandas frame the CSV reader gives (:mod:`clientlib.io`
types it the same way afterwards): a column of date cells is a datetime column, a column of number
cells a number column, anything written as text stays text and goes through the one text parser of
:mod:`clientlib.parsing` (``01.02.2024``, ``1 234,50``). 1C and Excel reports put a title block
above the table (a title line, ``Период: 01.01.2024 - 31.12.2024``, an empty row); the header row
is found (:func:`find_header`), or given as ``header_row``, and said in the quality report.

The format is decided from the bytes (:func:`zip_kind`, :func:`clientlib.io.sniff`), not the name.

Examples
--------
>>> import tempfile, pathlib, pandas as pd
>>> p = pathlib.Path(tempfile.mkdtemp()) / "orders.xlsx"
>>> pd.DataFrame({"client": ["a", "b"], "sum": ["1 234,50", "7,25"]}).to_excel(p, index=False)
>>> df = read_sheet(p, "transactions")
>>> df["sum"].tolist(), df.attrs["notes"]["header_row"]
(['1 234,50', '7,25'], 1)
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clientlib.errors import InputError

__all__ = [
    "FORMATS",
    "SheetError",
    "find_header",
    "read_sheet",
    "sheet_names",
    "write_xlsx",
    "zip_kind",
]

#: What :func:`clientlib.io.sniff` calls the spreadsheets this module reads.
FORMATS = ("xlsx", "xls", "ods")

_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
#: Rows looked at for the header, and rows below a candidate that judge it.
_HEADER_SCAN = 50
_LOOK_AHEAD = 50
#: Excel's 1900 date system: serial 1 is 1900-01-01 (counting the 1900-02-29 that never was).
_EPOCH = dt.datetime(1899, 12, 30)
_SERIAL_MAX = 2958465  # 9999-12-31


class SheetError(InputError):
    """A spreadsheet that cannot be read as asked; its words come from the message catalog.

    ``key`` and ``fields`` say it again in another language (:meth:`in_language`).
    """

    def __init__(self, key: str, **fields: Any) -> None:
        self.key = f"spreadsheet.{key}"
        self.fields = fields
        super().__init__(self.in_language("en"))

    def in_language(self, lang: str) -> str:
        """The message in ``lang`` (the table's name in that language too)."""
        from clientlib.messages import catalog, text

        fields = dict(self.fields)
        table = f"cli.table_{fields.get('table', '')}"
        if table in catalog():
            fields["table"] = text(table, lang)
        if fields.get("what") in FORMATS:
            fields["what"] = text(f"spreadsheet.what_{fields['what']}", lang)
        return text(str(self.key), lang, **fields)


def zip_kind(path: str | os.PathLike[str]) -> str:
    """What a zip file holds: ``xlsx`` (``[Content_Types].xml`` and ``xl/``), ``ods`` (its
    ``mimetype`` member) or ``zip``. Read from the zip's directory, wherever the members lie.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.zip"
    >>> with zipfile.ZipFile(p, "w") as z:
    ...     z.writestr("docProps/app.xml", "x" * 9000); z.writestr("[Content_Types].xml", "")
    ...     z.writestr("xl/workbook.xml", "")
    >>> zip_kind(p)
    'xlsx'
    """
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
                return "xlsx"
            if "mimetype" in names and z.read("mimetype").strip() == _ODS_MIME:
                return "ods"
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return "zip"
    return "zip"


def _workbook(path: Path, kind: str, what: str) -> Any:
    import python_calamine as pc

    try:
        return pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError:
        raise SheetError("password", table=kind, path=str(path)) from None
    except (pc.CalamineError, OSError, ValueError) as exc:
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        if "password" in detail.lower() or "encrypt" in detail.lower():
            raise SheetError("password", table=kind, path=str(path)) from None
        raise SheetError("unreadable", table=kind, path=str(path), what=what,
                         detail=detail) from None  # fmt: skip


def sheet_names(path: str | os.PathLike[str]) -> list[str]:
    """The sheets of a workbook, in order.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "b.xlsx"
    >>> with pd.ExcelWriter(p) as w:
    ...     pd.DataFrame({"a": [1]}).to_excel(w, sheet_name="one")
    ...     pd.DataFrame({"a": [1]}).to_excel(w, sheet_name="two")
    >>> sheet_names(p)
    ['one', 'two']
    """
    return list(_workbook(Path(path), "table", "xlsx").sheet_names)


_TABLES = ("transactions", "events", "customers")


def sheet_for(kind: str, sheet: int | str | None) -> int | str | None:
    """The sheet asked for the table ``kind``: ``sheet`` itself, or from per-table items
    ``transactions=Продажи,customers=Клиенты`` (one workbook, a sheet per table; a table not
    named there reads its first sheet).

    Examples
    --------
    >>> sheet_for("customers", "transactions=Продажи,customers=Клиенты")
    'Клиенты'
    >>> sheet_for("events", "transactions=Продажи"), sheet_for("events", "Итоги=2024")
    (None, 'Итоги=2024')
    """
    if not isinstance(sheet, str) or "=" not in sheet:
        return sheet
    items = [part.partition("=") for part in sheet.split(",")]
    if not all(sep and table.strip() in _TABLES and name.strip() for table, sep, name in items):
        return sheet  # a sheet whose name holds "="
    return {table.strip(): name.strip() for table, _, name in items}.get(kind)


def _choose(names: Sequence[str], visible: Sequence[bool], sheet: Any, kind: str,
            path: Path) -> str:  # fmt: skip
    """The sheet asked for: a name, else a 1-based position; by default the first visible."""
    if sheet is None or (isinstance(sheet, str) and not sheet.strip()):
        shown = [n for n, v in zip(names, visible, strict=True) if v]
        if not names:
            raise SheetError("empty_sheet", table=kind, sheet="1", path=str(path))
        return (shown or list(names))[0]
    text = str(sheet).strip()
    if text in names:
        return text
    folded = [n for n in names if n.strip().casefold() == text.casefold()]
    if len(folded) == 1:
        return folded[0]
    if re.fullmatch(r"\d+", text) and 1 <= int(text) <= len(names):
        return names[int(text) - 1]
    listed = ", ".join(f"{i} «{n}»" for i, n in enumerate(names, 1))
    raise SheetError("no_sheet", table=kind, path=str(path), sheet=repr(text), sheets=listed)


# ---------------------------------------------------------------------------------------------
# cells


def _kind(value: Any) -> str | None:
    """A cell's kind: ``text``, ``number``, ``date``, ``bool`` or None (empty)."""
    if value is None:
        return None
    if isinstance(value, str):
        return "text" if value.strip() else None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return None if isinstance(value, float) and math.isnan(value) else "number"
    if isinstance(value, dt.datetime | dt.date):
        return "date"
    return "text"  # times, durations: shown as text


def _consistent(header: Sequence[str | None], below: list[Sequence[Any]]) -> bool:
    """Whether the rows ``below`` a candidate header look like its table: almost no cell where
    the header has none, and each column of one kind (a total or a note line may differ).
    """
    named = [j for j, k in enumerate(header) if k]
    stray = sum(
        any(_kind(v) for j, v in enumerate(row) if j >= len(header) or not header[j])
        for row in below
    )
    if stray > 0.1 * len(below):
        return False
    for j in named:
        kinds = [k for row in below if j < len(row) and (k := _kind(row[j]))]
        if kinds and max(kinds.count(k) for k in set(kinds)) < 0.9 * len(kinds):
            return False
    return True


def find_header(rows: Sequence[Sequence[Any]]) -> int | None:
    """The 0-based index of the header row: among the first rows whose cells are all text,
    the one with the most names whose rows below are consistently typed (the first of equals);
    None for a sheet without any text row.

    A title line and ``Период: ...`` have one or two cells and rows below that do not fit
    them; the header has a name over every column of the table.

    Examples
    --------
    >>> find_header([["Продажи"], ["Период: 01.01.2024 - 31.12.2024"], [],
    ...              ["Клиент", "Дата", "Сумма"], ["a", "01.01.2024", 5.0],
    ...              ["b", "02.01.2024", 7.0]])
    3
    """
    found: list[tuple[int, bool, int]] = []
    for r, row in enumerate(rows[:_HEADER_SCAN]):
        kinds = [_kind(v) for v in row]
        filled = [k for k in kinds if k]
        if not filled or any(k != "text" for k in filled):
            continue
        below = [x for x in rows[r + 1 : r + 1 + _LOOK_AHEAD] if any(_kind(v) for v in x)]
        found.append((len(filled), not below or _consistent(kinds, below), r))
    if not found:
        return None
    fitting = [f for f in found if f[1]] or found
    most = max(n for n, _, _ in fitting)
    return min(r for n, _, r in fitting if n == most)


def _name(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def _number_text(x: float, comma: bool) -> str:
    text = str(int(x)) if float(x).is_integer() and abs(x) < 2**53 else repr(float(x))
    return text.replace(".", ",") if comma else text


_COMMA_DECIMAL = re.compile(r"^[-+]?[\d\s\u00a0\u202f.]*,\d+\D*$")
_DOTTED_DATE = re.compile(r"^\s*\d{1,2}\.\d{1,2}\.\d{2,4}")


def _column(values: list[Any]) -> pd.Series:
    """One column of cells as the CSV reader would give it: dates, numbers, booleans or text.

    A column of one kind keeps its type; a column that mixes kinds becomes text, its number and
    date cells written the way its text cells are (decimal comma, day-first dots), so the one
    reading :mod:`clientlib.parsing` decides for the column covers them all.
    """
    kinds = [_kind(v) for v in values]
    present = {k for k in kinds if k}
    cells = [v if k else None for v, k in zip(values, kinds, strict=True)]
    if present == {"number"}:
        arr = np.array([np.nan if v is None else float(v) for v in cells], dtype="float64")
        whole = arr[~np.isnan(arr)]
        if len(whole) and np.all(whole == np.floor(whole)) and np.all(np.abs(whole) < 2**53):
            return pd.Series(pd.array([None if v is None else int(v) for v in cells], "Int64"))
        return pd.Series(arr)
    if present == {"date"}:
        stamps = [None if v is None else pd.Timestamp(v) for v in cells]
        return pd.Series(pd.to_datetime(stamps)).astype("datetime64[us]")
    if present == {"bool"}:
        return pd.Series(pd.array(cells, dtype="boolean"))
    if present <= {"text"}:
        return pd.Series(pd.array(cells, dtype="string"))
    texts = [str(v) for v, k in zip(cells, kinds, strict=True) if k == "text"]
    comma = any(_COMMA_DECIMAL.match(t) for t in texts)
    dotted = any(_DOTTED_DATE.match(t) for t in texts)

    def as_text(v: Any, k: str | None) -> str | None:
        if k is None:
            return None
        if k == "number":
            return _number_text(v, comma)
        if k == "date":
            stamp = pd.Timestamp(v)
            clock = "" if stamp == stamp.normalize() else " %H:%M:%S"
            return stamp.strftime(("%d.%m.%Y" if dotted else "%Y-%m-%d") + clock)
        return str(v)

    return pd.Series(pd.array([as_text(v, k) for v, k in zip(cells, kinds, strict=True)],
                              dtype="string"))  # fmt: skip


def _serial_dates(s: pd.Series) -> pd.Series | None:
    """Whole or fractional Excel serial day numbers as datetimes, when every value is one."""
    values = s.astype("float64")
    known = values.dropna()
    if not len(known) or not ((known >= 1) & (known <= _SERIAL_MAX)).all():
        return None
    days = pd.to_timedelta(values.to_numpy(), unit="D").round("s")
    return pd.Series(pd.DatetimeIndex(_EPOCH + days).astype("datetime64[us]"), index=s.index)


# ---------------------------------------------------------------------------------------------
# reading


def read_sheet(
    path: str | os.PathLike[str],
    kind: str,
    *,
    sheet: int | str | None = None,
    header_row: int | None = None,
    mapping: Mapping[str, str] | None = None,
    what: str = "xlsx",
) -> pd.DataFrame:
    """One sheet as a frame of columns, found below its header row.

    Parameters
    ----------
    path : path
        The workbook (xlsx, xlsm, xls or ods; python-calamine reads them all).
    kind : str
        The table (``transactions``, ``events``, ``customers``), for messages and for finding
        the timestamp column written as Excel serial numbers.
    sheet : str or int, optional
        A sheet name, or its position (1 = the first); default the first visible sheet.
    header_row : int, optional
        The 1-based row of the column names; default found by :func:`find_header`.
    mapping : dict, optional
        ``{role: column}``, as given to the reader.
    what : {'xlsx', 'xls', 'ods'}
        The format, for messages.

    Returns
    -------
    pandas.DataFrame
        Fully empty rows and unnamed empty columns left out; ``attrs["notes"]`` holds the
        ``sheet``, the ``header_row`` and whether it was ``header_row_found``.

    Raises
    ------
    SheetError
        A missing sheet (the sheets are listed), an unreadable or protected file, an empty
        sheet, a header row out of range or empty, repeated column names.
    """
    path = Path(path)
    wb = _workbook(path, kind, what)
    meta = list(getattr(wb, "sheets_metadata", []) or [])
    names = list(wb.sheet_names)
    # the default sheet is the first visible worksheet (not a hidden one, not a chart)
    visible = [
        str(getattr(m, "visible", "")).endswith(".Visible")
        and str(getattr(m, "typ", "")).endswith("WorkSheet")
        for m in meta
    ]
    chosen = _choose(names, visible if len(visible) == len(names) else [True] * len(names),
                     sheet, kind, path)  # fmt: skip
    try:
        rows = wb.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001 - calamine's errors differ by format and version
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise SheetError("unreadable", table=kind, path=str(path), what=what,
                         detail=detail) from None  # fmt: skip
    shown = f"«{chosen}»"
    if not any(_kind(v) for row in rows for v in row):
        raise SheetError("empty_sheet", table=kind, sheet=shown, path=str(path))
    if header_row is not None:
        if header_row > len(rows):
            raise SheetError("header_beyond", table=kind, row=header_row, rows=len(rows),
                             sheet=shown, path=str(path))  # fmt: skip
        top = header_row - 1
        if not any(_kind(v) for v in rows[top]):
            raise SheetError("header_empty", table=kind, row=header_row, sheet=shown,
                             path=str(path))  # fmt: skip
    else:
        found = find_header(rows)
        top = found if found is not None else next(
            r for r, row in enumerate(rows) if any(_kind(v) for v in row))
    width = max(len(r) for r in rows)
    header = [_name(v) for v in rows[top]] + [""] * (width - len(rows[top]))
    body = [list(r) + [None] * (width - len(r)) for r in rows[top + 1 :]]
    body = [r for r in body if any(_kind(v) for v in r)]
    columns: dict[str, pd.Series] = {}
    seen: dict[str, int] = {}
    for j, name in enumerate(header):
        cells = [r[j] for r in body]
        if not name:
            if not any(_kind(v) for v in cells):
                continue  # an empty column beside the table
            name = f"Unnamed: {j}"
        seen[name] = seen.get(name, 0) + 1
        columns[name] = _column(cells)
    twice = [n for n, c in seen.items() if c > 1]
    if twice:
        raise SheetError("duplicate_columns", table=kind, row=top + 1, sheet=shown,
                         path=str(path), names=", ".join(repr(n) for n in twice))  # fmt: skip
    df = pd.DataFrame(columns) if columns else pd.DataFrame(index=range(len(body)))
    notes: dict[str, Any] = {"sheet": chosen, "header_row": top + 1,
                             "header_row_found": header_row is None}  # fmt: skip
    stamp = _timestamp_column(kind, list(df.columns), mapping)
    if stamp is not None and pd.api.types.is_numeric_dtype(df[stamp]):
        serial = _serial_dates(df[stamp])
        if serial is not None:
            df[stamp] = serial
            notes["timestamp_format"] = "Excel serial day numbers (1900 date system)"
    df.attrs["notes"] = notes
    return df


def _timestamp_column(kind: str, columns: list[str], mapping: Mapping[str, str] | None):
    """The column the reader will take as the timestamp, or None (customers, or not found)."""
    if kind not in ("transactions", "events"):
        return None
    from clientlib.schema import ClientlibError, resolve_columns

    try:
        return resolve_columns(kind, columns, mapping).get("timestamp")
    except ClientlibError:
        return None


def note_items(notes: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    """The quality report's lines about the sheet read (``[(item, value)]`` in ``lang``).

    Examples
    --------
    >>> note_items({"sheet": "Лист1", "header_row": 4, "header_row_found": True}, "en")[1][1]
    '4 (found: the row of column names above the table; --header-row N chooses another)'
    """
    from clientlib.messages import text

    if "header_row" not in notes:
        return []
    how = "header_found" if notes.get("header_row_found") else "header_given"
    return [
        (text("spreadsheet.note_sheet", lang), str(notes.get("sheet", ""))),
        (text("spreadsheet.note_header_row", lang),
         text(f"spreadsheet.{how}", lang, row=notes["header_row"])),
    ]  # fmt: skip


def sheet_sentence(notes: Mapping[str, Any], lang: str) -> str:
    """One line in ``lang`` on the sheet and header row read ('' for a table not from a sheet);
    a header found below row 1 says that the rows above were skipped and how to choose another.

    Examples
    --------
    >>> sheet_sentence({"sheet": "Лист1", "header_row": 1, "header_row_found": True}, "ru")
    'лист «Лист1», названия столбцов в строке 1'
    """
    from clientlib.messages import text

    if "header_row" not in notes:
        return ""
    skipped = bool(notes.get("header_row_found")) and int(notes["header_row"]) > 1
    key = "spreadsheet.sheet_read_found" if skipped else "spreadsheet.sheet_read"
    return text(key, lang, sheet=notes.get("sheet", ""), row=notes["header_row"])


# ---------------------------------------------------------------------------------------------
# writing


def write_xlsx(
    frame: pd.DataFrame,
    out: str | os.PathLike[str],
    *,
    sheet: str = "data",
    inputs: Iterable[str | os.PathLike[str]] = (),
    lang: str = "en",
) -> Path:
    """Write a table as an Excel workbook for a person: real date cells, number formats, the
    header bold and frozen, columns sized; through the atomic writer.

    Datetime columns become date cells shown ``DD.MM.YYYY`` (ru) or ``YYYY-MM-DD`` (en);
    fractional numbers get two decimals with grouped thousands (Excel shows them in the reader's
    own locale); text is always a text cell, so ``=1+2`` is shown and read back as it is and
    never runs as a formula (no apostrophe needed, unlike CSV). Missing values are empty cells.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "f.xlsx"
    >>> df = pd.DataFrame({"customer_id": ["007"], "first": pd.to_datetime(["2024-03-05"]),
    ...                    "spend": [1234.5]})
    >>> _ = write_xlsx(df, p)
    >>> back = read_sheet(p, "customers")
    >>> back["customer_id"][0], back["first"][0].date(), float(back["spend"][0])
    ('007', datetime.date(2024, 3, 5), 1234.5)
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font


    wb = Workbook()
    ws = wb.active
    ws.title = re.sub(r"[\[\]:*?/\\]", "_", sheet)[:31] or "data"
    ws.append([str(c) for c in frame.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    kinds: list[str] = []
    for col in frame.columns:
        s = frame[col]
        known = s.dropna()
        if pd.api.types.is_datetime64_any_dtype(s) or (
            s.dtype == object and len(known) and known.map(_is_date).all()
        ):
            kinds.append("date")
        elif pd.api.types.is_bool_dtype(s):
            kinds.append("bool")
        elif pd.api.types.is_integer_dtype(s) or (
            pd.api.types.is_float_dtype(s) and len(known) and (known == known.round()).all()
        ):
            kinds.append("int")  # counts of days held as floats (nullable) too
        elif pd.api.types.is_float_dtype(s):
            kinds.append("float")
        else:
            kinds.append("text")
    for row in frame.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if cell.data_type == "f":  # text starting with "=": a text cell, not a formula
                cell.data_type = "s"
    date_fmt = "DD.MM.YYYY" if lang == "ru" else "YYYY-MM-DD"
    formats = {"date": date_fmt, "int": "#,##0", "float": "#,##0.00"}
    for j, (col, kind) in enumerate(zip(frame.columns, kinds, strict=True), 1):
        letter = ws.cell(row=1, column=j).column_letter
        shown = [str(v) for v in frame[col].head(200)]
        widest = max([len(str(col))] + [len(v) for v in shown])
        ws.column_dimensions[letter].width = min(60, widest + 2)
        if kind in formats:
            for cell in ws[letter][1:]:
                cell.number_format = formats[kind]
    ws.freeze_panes = "A2"
    save_workbook(wb, out, inputs=inputs)
    return Path(out)


#: The time a saved workbook says it was made and its zip entries' times: fixed, so the same
#: table gives the same bytes (openpyxl stamps the save time into docProps/core.xml and the zip).
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_TIMES = re.compile(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def save_workbook(wb: Any, out: str | os.PathLike[str], inputs: Any = ()) -> Path:
    """Save an openpyxl workbook atomically, byte for byte the same for the same content.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from openpyxl import Workbook
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> wb = Workbook(); wb.active.append(["a", 1])
    >>> a = save_workbook(wb, d / "a.xlsx").read_bytes()
    >>> b = save_workbook(wb, d / "b.xlsx").read_bytes()
    >>> a == b
    True
    """
    import io

    from clientlib.files import atomic_path

    buf = io.BytesIO()
    wb.save(buf)
    with (
        zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src,
        atomic_path(out, inputs=inputs) as tmp,
        zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = _CORE_TIMES.sub(r"\g<1>1980-01-01T00:00:00Z\g<2>", data.decode()).encode()
            dst.writestr(zipfile.ZipInfo(item.filename, _FIXED_TIME), data, zipfile.ZIP_DEFLATED)
    return Path(out)


def _is_date(value: Any) -> bool:
    return isinstance(value, dt.date)  # datetimes and Timestamps are dates too


def _cell(value: Any) -> Any:
    """A value as openpyxl takes it: None for missing, plain Python scalars, naive datetimes."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        stamp = value.tz_convert(None) if value.tzinfo else value
        return stamp.to_pydatetime()
    if isinstance(value, float) and math.isinf(value):
        return str(value)
    if hasattr(value, "item"):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, dt.timedelta):
        return str(value)
    return value
