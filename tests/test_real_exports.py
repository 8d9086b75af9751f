"""The catalogue of real exports (issue #11): files as spreadsheets and shop systems write them.

Each case is a file (or folder), the command line used on it, the expected exit code and a
fragment of what the user must read. Every case also checks that the input's bytes are
unchanged, that no traceback is printed, and that a refused input leaves no output file.
Round-trip tests check that outputs read back to exactly the rows written.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from _cli import run_cli
from _exports import one_c_export

HEAD = "customer_id,timestamp,amount\n"


def _csv(rows: list[str], head: str = HEAD) -> bytes:
    return (head + "\n".join(rows) + "\n").encode()


def _parquet_bytes() -> bytes:
    buf = io.BytesIO()
    table = pa.table(
        {"customer_id": ["a", "b"], "timestamp": ["2024-01-01", "2024-01-02"], "amount": [1.0, 2]}
    )
    pq.write_table(table, buf)
    return buf.getvalue()


def _zip(names: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, b in names.items():
            z.writestr(n, b)
    return buf.getvalue()


def _parquet_float_ids() -> bytes:
    buf = io.BytesIO()
    table = pa.table(
        {"customer_id": [1.0, 2.0, None], "timestamp": ["2024-01-01"] * 3, "amount": [1.0, 2, 3]}
    )
    pq.write_table(table, buf)
    return buf.getvalue()


def _parquet_of(csv_bytes: bytes) -> bytes:
    """The same rows as Parquet (every column text, as the CSV holds it)."""
    frame = pd.read_csv(io.BytesIO(csv_bytes), dtype=str, keep_default_na=False)
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def _one_c() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "1c.csv"
        one_c_export(path, n_customers=2000)  # about 0.7 MB: far over the 64 KiB of issue 23
        return path.read_bytes()


#: "José" composed and decomposed, "Анна" plain and with a zero-width space: two customers.
IDS_TWO_WAYS = _csv(
    [
        f"{unicodedata.normalize('NFC', 'José')},2024-01-01,1",
        f"{unicodedata.normalize('NFD', 'José')},2024-01-02,2",
        "Анна,2024-01-03,3",
        "Ан\u200bна,2024-01-04,4",
    ]
)
ONE_C = _one_c()
GOOD = _csv(["a,2024-01-01,10", "a,2024-01-05,20", "b,2024-01-03,5"])
GZ = gzip.compress(GOOD)
UK = _csv(["a,01/12/2010 08:26,10", "a,13/12/2010 09:00,5", "b,02/12/2010 10:00,7"])
US = _csv(["a,12/01/2010 08:26,10", "a,12/13/2010 09:00,5", "b,12/02/2010 10:00,7"])
AMBIGUOUS = _csv(["a,01/12/2010 08:26,10", "b,02/11/2010 09:00,5"])


@dataclass
class Case:
    id: str
    content: bytes | dict[str, bytes] | None
    code: int
    fragment: str
    args: list[str] = field(default_factory=list)
    name: str = "orders.csv"
    command: str = "facts"
    out_is_input: bool = False


CASES = [
    # --- dates: one reading per column
    Case("uk_day_first", UK, 0, "day-first (DD/MM/YYYY)"),
    Case("us_month_first", US, 0, "month-first (MM/DD/YYYY)"),
    Case("ambiguous_refused", AMBIGUOUS, 2, "--dayfirst or --monthfirst"),
    Case("ambiguous_dayfirst", AMBIGUOUS, 0, "day-first", ["--dayfirst"]),
    Case("ambiguous_monthfirst", AMBIGUOUS, 0, "month-first", ["--monthfirst"]),
    Case("date_format", AMBIGUOUS, 0, "format %d/%m/%Y %H:%M", ["--date-format", "%d/%m/%Y %H:%M"]),
    Case(
        "day_and_month_first_mixed",
        _csv(["a,13/01/2010,1", "b,01/13/2010,2"]),
        2,
        "mixes day-first and month-first",
    ),
    Case("dotted_day_first", _csv(["a,05.03.2024,1", "b,06.03.2024,2"]), 0, "DD.MM.YYYY"),
    Case(
        "minority_format_counted",
        _csv(["a,2024-01-01,1", "b,2024-01-02,2", "c,05.03.2024,3"]),
        0,
        "unparsable_timestamp",
    ),
    Case(
        "two_digit_year_pm",
        _csv(["a,3/4/24 1:05 PM,1", "b,13/4/24 11:05 AM,2"]),
        0,
        "day-first",
    ),
    Case(
        "year_9999_excluded",
        _csv(["a,2024-01-01,1", "b,9999-12-31,2"]),
        0,
        "implausible_timestamp",
    ),
    Case(
        "year_9999_only",
        _csv(["a,9999-12-31,1", "b,9999-01-01,2"]),
        2,
        "no row has a customer id, a plausible timestamp",
    ),
    Case("year_1850_excluded", _csv(["a,2024-01-01,1", "b,1850-06-01,2"]), 0, "implausible"),
    Case("analysis_date_not_iso", GOOD, 2, "YYYY-MM-DD", ["--analysis-date", "01/02/2024"]),
    Case(
        "analysis_date_iso", GOOD, 0, "analysis_date: 2024-02-01", ["--analysis-date", "2024-02-01"]
    ),
    # --- numbers: one decimal separator per column
    Case(
        "comma_thousands",
        _csv(['a,2024-01-01,"1,234"', 'b,2024-01-02,"2,000,000"']),
        0,
        "comma thousands separator",
    ),
    Case(
        "comma_ambiguous", _csv(['a,2024-01-01,"1,234"', 'b,2024-01-02,"5,678"']), 2, "--decimal ,"
    ),
    Case(
        "comma_decided_by_option",
        _csv(['a,2024-01-01,"1,234"', 'b,2024-01-02,"5,678"']),
        0,
        "decimal comma",
        ["--decimal", ","],
    ),
    Case(
        "comma_and_point_decimals",
        _csv(['a,2024-01-01,"1,5"', "b,2024-01-02,2.75"]),
        2,
        "--decimal , or --decimal .",
    ),
    Case(
        "currency_symbols",
        _csv(['a,2024-01-01,"$1,234.50"', "b,2024-01-02,$5", "c,2024-01-03,-$2"]),
        0,
        "currency stripped ($)",
    ),
    Case(
        "rubles_semicolon",
        "customer_id;timestamp;amount\nа;05.03.2024;1 234,50 руб\nб;06.03.2024;12,5 руб\n".encode(),
        0,
        "currency stripped (руб)",
    ),
    Case(
        "non_finite_amounts",
        _csv(["a,2024-01-01,10", "b,2024-01-02,inf", "c,2024-01-03,1e309", "d,2024-01-04,NaN"]),
        0,
        "non_finite_amount",
    ),
    Case("decimal_option_invalid", GOOD, 2, "decimal: must be one of", ["--decimal", "x"]),
    # --- ids
    Case("float_ids", _csv(["17850.0,2024-01-01,1", "13047.0,2024-01-02,2"]), 0, "read as 17850"),
    Case(
        "long_ids_one_empty",
        _csv(["12345678901234567,2024-01-01,1", "12345678901234568,2024-01-02,2", ",2024-01-03,3"]),
        0,
        "missing_customer_id",
    ),
    # --- duplicates and zero amounts
    Case(
        "duplicates_kept",
        _csv(["a,2024-01-01,5", "a,2024-01-01,5", "b,2024-01-02,1"]),
        0,
        "duplicates_kept: 1",
    ),
    Case(
        "duplicates_dropped",
        _csv(["a,2024-01-01,5", "a,2024-01-01,5", "b,2024-01-02,1"]),
        0,
        "excluded 1: duplicate",
        ["--duplicates", "drop"],
    ),
    Case(
        "duplicates_refused",
        _csv(["a,2024-01-01,5", "a,2024-01-01,5", "b,2024-01-02,1"]),
        2,
        "--duplicates keep",
        ["--duplicates", "error"],
    ),
    Case("duplicates_option_invalid", GOOD, 2, "duplicates: must be one of", ["--duplicates", "x"]),
    Case("zero_kept", _csv(["a,2024-01-01,0", "b,2024-01-02,1"]), 0, "zero_amount_lines_kept: 1"),
    Case(
        "zero_dropped",
        _csv(["a,2024-01-01,0", "b,2024-01-02,1"]),
        0,
        "excluded 1: zero_amount",
        ["--zero-amount", "drop"],
    ),
    # --- files
    Case("truncated_gzip", GZ[: len(GZ) // 2], 2, "truncated or corrupt gzip", name="o.csv.gz"),
    Case("corrupt_gzip", GZ[:10] + b"\x00garbage" * 20, 2, "gzip", name="o.csv.gz"),
    Case("upper_case_gz", GZ, 0, "3 rows read", name="ORDERS.CSV.GZ"),
    Case(
        "folder_without_parquet", {"notes.txt": b"hello"}, 2, "folder without Parquet", name="dir"
    ),
    Case(
        "parquet_dataset_folder", {"part-0.parquet": _parquet_bytes()}, 0, "2 rows read", name="ds"
    ),
    Case("parquet_named_csv", _parquet_bytes(), 2, "is a Parquet file named like text"),
    Case("csv_named_parquet", GOOD, 2, "named .parquet but holds text", name="orders.parquet"),
    Case(
        "xlsx_named_csv",
        _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<w/>"}),
        2,
        "Excel workbook",
    ),
    Case("zip_named_csv", _zip({"orders.csv": GOOD}), 2, "zip archive"),
    Case("binary_file", b"\x00\x01\x02\x03" * 100, 2, "binary data"),
    Case(
        "unclosed_quote",
        _csv(["a,2024-01-01,1", 'b,"2024-01-02,2', "c,2024-01-03,3"]),
        2,
        "unclosed quote",
    ),
    Case(
        "duplicate_header",
        _csv(["a,2024-01-01,1"], head="customer_id,timestamp,amount,amount\n"),
        2,
        "more than once in its header",
    ),
    # --- encodings decided from the bytes (issue 23): a byte-order mark, or the letters
    Case("utf16_bom", GOOD.decode().encode("utf-16"), 0, "encoding: utf-16 (detected)"),
    Case(
        "utf16_be_bom",
        GOOD.decode().encode("utf-16-be").join([b"\xfe\xff", b""]),
        0,
        "encoding: utf-16 (detected)",
    ),
    Case("utf8_bom", b"\xef\xbb\xbf" + GOOD, 0, "encoding: utf-8 (BOM) (detected)"),
    Case("ascii_is_utf8", GOOD, 0, "encoding: utf-8 (detected)"),
    Case(
        "utf16_with_option",
        GOOD.decode().encode("utf-16"),
        0,
        "3 rows read",
        ["--encoding", "utf-16"],
    ),
    # Was "cp1251_refused": two Russian names are enough to tell cp1251 from KOI8-R now.
    Case(
        "cp1251_detected",
        _csv(["Иван,2024-01-01,1", "Пётр,2024-01-02,2"]).decode().encode("cp1251"),
        0,
        "encoding: cp1251 (detected)",
    ),
    Case(
        "koi8r_detected",
        _csv(["Иван,2024-01-01,1", "Пётр,2024-01-02,2"]).decode().encode("koi8-r"),
        0,
        "encoding: koi8-r (detected)",
    ),
    Case(
        "latin1_detected",
        _csv(["José,2024-01-01,1", "Müller,2024-01-02,2"]).decode().encode("latin-1"),
        0,
        "encoding: latin-1 (detected)",
    ),
    Case(
        "cyrillic_too_few_letters",
        _csv(["Я,2024-01-01,1", "b,2024-01-02,2"]).decode().encode("koi8-r"),
        2,
        "--encoding cp1251 (1C, Excel, Windows) or --encoding koi8-r",
    ),
    Case(
        "cp1251_given",
        _csv(["Я,2024-01-01,1", "b,2024-01-02,2"]).decode().encode("cp1251"),
        0,
        "encoding: cp1251 (given)",
        ["--encoding", "cp1251"],
    ),
    Case(
        "cp1251_large_all_cyrillic_header",
        ("Покупатель;Дата;Сумма\n" + "Анна Петрова;05.03.2024;1\u00a0234,50\n" * 3000).encode(
            "cp1251"
        ),
        0,
        "encoding: cp1251 (detected)",
    ),
    Case(
        "header_over_64k",
        _csv(
            ["a,2024-01-01,1" + ",0" * 10_000],
            head=HEAD.strip() + "".join(f",extra_{i}" for i in range(1, 10_001)) + "\n",
        ),
        0,
        "1 rows read",
    ),
    Case(
        "cp1251_with_option",
        _csv(["Иван,2024-01-01,1", "Пётр,2024-01-02,2"]).decode().encode("cp1251"),
        0,
        "2 rows read",
        ["--encoding", "cp1251"],
    ),
    Case("empty_file", b"", 2, "empty"),
    Case("header_only", HEAD.encode(), 2, "no data rows"),
    Case("missing_file", None, 2, "no such file"),
    # --- mapping
    Case(
        "role_mapped_twice",
        GOOD,
        2,
        "role 'customer_id' twice",
        ["--map", "customer_id=customer_id,customer_id=amount"],
    ),
    Case(
        "column_mapped_to_two_roles",
        GOOD,
        2,
        "two roles",
        ["--map", "customer_id=customer_id,order_id=customer_id"],
    ),
    Case("sep_invalid", GOOD, 2, "separator is one character", ["--sep", ";;"]),
    # --- options checked before any input is read (the input here does not even exist)
    Case(
        "unknown_framework", None, 2, "unknown framework 'nope'", ["-f", "nope"], command="segment"
    ),
    Case(
        "param_list",
        None,
        2,
        "not a list",
        ["-f", "lifecycle", "-p", "fan_min_orders=[1, 2]"],
        command="segment",
    ),
    Case(
        "param_negative",
        None,
        2,
        "must be greater than 0",
        ["-f", "lifecycle", "-p", "fan_min_orders=-3"],
        command="segment",
    ),
    Case(
        "param_unknown",
        None,
        2,
        "no framework run here declares",
        ["-f", "lifecycle", "-p", "nope=1"],
        command="segment",
    ),
    Case(
        "k_too_small",
        None,
        2,
        "--k must be 2 or more",
        ["-f", "kmeans", "--k", "1"],
        command="segment",
    ),
    Case("lang_unknown", None, 2, "--lang must be en or ru", ["--lang", "fr"], command="segment"),
    Case(
        "rules_missing",
        None,
        2,
        "--rules: no such file",
        ["--rules", "nope.yaml"],
        command="segment",
    ),
    # --- outputs
    Case("output_is_the_input", GOOD, 2, "is the input", out_is_input=True),
    # --- ids and values that stay themselves (issue 23)
    Case("ids_nfc_nfd_zero_width", IDS_TWO_WAYS, 0, "2 customers, 4 orders"),
    Case("ids_changed_counted", IDS_TWO_WAYS, 0, "2 ids changed"),
    Case(
        "id_only_zero_width",
        _csv(["\u200b,2024-01-01,1", "a,2024-01-02,2"]),
        0,
        "excluded 1: missing_customer_id",
    ),
    Case(
        "amounts_overflow",
        _csv(["a,2024-01-01,1e308", "b,2024-01-02,1e308"]),
        2,
        "the amounts in column 'amount' add up to more than the largest number",
    ),
    Case(
        "amounts_overflow_ru",
        _csv(["a,2024-01-01,1e308", "b,2024-01-02,1e308"]),
        2,
        "суммы в столбце 'amount' складываются в число больше наибольшего",
        ["-f", "lifecycle", "--lang", "ru"],
        command="segment",
    ),
    Case("parquet_float_ids", _parquet_float_ids(), 0, "2 customers", name="o.parquet"),
    Case("parquet_ids_two_ways", _parquet_of(IDS_TWO_WAYS), 0, "2 customers, 4 orders",
         name="o.parquet"),  # fmt: skip
    # --- the 1C export: cp1251, ';', Cyrillic headers, dd.mm.yyyy, decimal comma, NBSP
    Case("one_c_export", ONE_C, 0, "encoding: cp1251 (detected)"),
    Case(
        "one_c_export_roles_recognised",
        ONE_C,
        0,
        "columns_recognised: customer_id=Покупатель, timestamp=Дата, amount=Сумма, "
        "order_id=Номер документа",
    ),
    Case("one_c_export_ru", ONE_C, 0, "кодировка: cp1251 (определена по содержимому)",
         ["-f", "lifecycle", "--lang", "ru"], command="segment"),  # fmt: skip

    # --- database sources (issue #23; against a real server: tests/test_sources.py)
    Case("source_and_input_file", GOOD, 2, "not two of them",
         ["--source", "postgres://analyst:pw-1@127.0.0.1/shop", "--table", "orders"]),
    Case("source_table_and_query", None, 2, "either --table NAME or --query SQL",
         ["--source", "postgres://analyst@127.0.0.1/shop", "--table", "t", "--query", "SELECT 1"]),
    Case("table_without_source", GOOD, 2, "needs a database URL", ["--table", "orders"]),
    Case("source_not_a_url", GOOD, 2, "is not a database URL",
         ["--source", "orders.db", "--table", "orders"]),
    Case("source_segment_ru", None, 2, "укажите либо --table", ["--lang", "ru", "--source",
         "postgres://analyst@127.0.0.1/shop"], command="segment"),
    Case("engine_unknown", GOOD, 2, "--engine must be duckdb or spark", ["--engine", "polars"]),
    Case("source_with_events_file", None, 2, "--events-table NAME", ["--source",
         "postgres://analyst@127.0.0.1:1/shop", "--table", "orders", "--events", "ev.csv"]),
]


# --- spreadsheets (issue 23, item 2): xlsx / xls / ods with a 1C title block above the table


def _book(rows: list[list], *, sheets: tuple[str, ...] = ("Продажи",), fmt: str = "") -> bytes:
    """An xlsx (openpyxl) whose first sheet holds ``rows``; other sheets hold one word."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = sheets[0]
    for row in rows:
        wb.active.append(row)
    if fmt:
        for cell in wb.active["B"]:
            if isinstance(cell.value, float):
                cell.number_format = fmt
    for name in sheets[1:]:
        wb.create_sheet(name).append(["другое"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _ods(rows: list[list]) -> bytes | None:
    try:
        import odf  # noqa: F401  (pandas writes .ods through odfpy)
    except ImportError:
        return None
    buf = io.BytesIO()
    width = max(len(r) for r in rows)
    cells = [[*r, *[None] * (width - len(r))] for r in rows]
    pd.DataFrame(cells).to_excel(buf, header=False, index=False, engine="odf")
    return buf.getvalue()


def _thumbnail_first(book: bytes) -> bytes:
    """The same workbook with a large first member: its directory is not in the first 4 KiB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as src, zipfile.ZipFile(buf, "w") as dst:
        dst.writestr("docProps/thumbnail.jpeg", bytes(range(256)) * 40)
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
    return buf.getvalue()


_TITLE = [["Отчёт о продажах"], ["Период: 01.01.2024 - 31.12.2024"], []]
_CELLS = _TITLE + [
    ["customer_id", "timestamp", "amount"],
    ["a", pd.Timestamp("2024-01-01").to_pydatetime(), 10.5],
    ["a", pd.Timestamp("2024-01-05").to_pydatetime(), 1234.0],
    ["b", pd.Timestamp("2024-01-03").to_pydatetime(), 5.0],
]
_TEXT_1C = _TITLE + [
    ["Контрагент", "Дата", "Сумма"],
    ["ООО Ромашка", "01.01.2024 10:00:00", "10,50"],
    ["ООО Ромашка", "05.01.2024 12:30:00", "1\u00a0234,00"],
    ["ИП Иванов", "03.01.2024 9:15:00", "5,00"],
]
_SERIAL = _TITLE + [
    ["customer_id", "timestamp", "amount"], ["a", 45292.5, 10.0], ["b", 45300.0, 5.0]
]
_MAP_1C = ["--map", "customer_id=Контрагент,timestamp=Дата,amount=Сумма"]
_ODS = _ods(_CELLS)

CASES += [
    Case("xlsx_title_block_cells", _book(_CELLS), 0, "header_row: 4", name="orders.xlsx"),
    Case("xlsx_1c_text_cells", _book(_TEXT_1C), 0, "day-first (DD.MM.YYYY)", _MAP_1C,
         name="1c.xlsx"),
    Case("xlsx_1c_decimal_comma", _book(_TEXT_1C), 0, "decimal comma", _MAP_1C, name="1c.xlsx"),
    Case("xlsx_named_csv_read", _book(_CELLS), 0, "sheet: Продажи", name="export.csv"),
    Case("xlsx_directory_past_4k", _thumbnail_first(_book(_CELLS)), 0, "header_row: 4",
         name="orders.xlsx"),
    Case("xlsx_serial_dates", _book(_SERIAL, fmt="0.0"), 0, "Excel serial day numbers",
         name="orders.xlsx"),
    Case("xlsx_sheet_by_position", _book(_CELLS, sheets=("Продажи", "Возвраты")), 0,
         "sheet: Продажи", ["--sheet", "1"], name="orders.xlsx"),
    Case("xlsx_missing_sheet", _book(_CELLS, sheets=("Продажи", "Возвраты")), 2,
         "its sheets: 1 «Продажи», 2 «Возвраты»", ["--sheet", "Клиенты"], name="orders.xlsx"),
    Case("xlsx_header_row_given", _book(_CELLS), 0, "header_row_found: False",
         ["--header-row", "4"], name="orders.xlsx"),
    Case("xlsx_header_row_beyond", _book(_CELLS), 2, "--header-row 40 is below the last row",
         ["--header-row", "40"], name="orders.xlsx"),
    Case("xlsx_header_row_empty", _book(_CELLS), 2, "is empty, so it cannot be the header",
         ["--header-row", "3"], name="orders.xlsx"),
    Case("xls_corrupt", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, 2,
         "cannot be read as an old Excel workbook (.xls)", name="old.xls"),
]  # fmt: skip
if _ODS is not None:  # without odfpy no .ods can be written here; the xlsx cases still run
    CASES.append(Case("ods_title_block", _ODS, 0, "header_row: 4", name="orders.ods"))


def _write(path: Path, content) -> None:
    if content is None:
        return
    if isinstance(content, dict):
        path.mkdir()
        for n, b in content.items():
            (path / n).write_bytes(b)
    else:
        path.write_bytes(content)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_real_export(case: Case, tmp_path, monkeypatch, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    src = inputs / case.name
    _write(src, case.content)
    before = _snapshot(inputs)
    outdir = tmp_path / "out"
    outdir.mkdir()
    out = src if case.out_is_input else outdir / "result.csv"
    monkeypatch.chdir(tmp_path)
    code, stdout, stderr = run_cli([case.command, src, *case.args, "-o", out], monkeypatch, capsys)
    assert code == case.code, stderr
    assert case.fragment in stdout + stderr, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    if case.code:
        assert stderr.startswith("error: ") and stderr.count("\n") == 1, stderr
        assert list(outdir.iterdir()) == []
    else:
        assert out.is_file() and (out.stat().st_mode & 0o777) == 0o644
    assert _snapshot(inputs) == before, "the input was modified"


def test_catalogue_is_large_enough():
    assert len(CASES) >= 40 and len({c.id for c in CASES}) == len(CASES)


def test_read_only_folder_and_parent_that_is_a_file(tmp_path, monkeypatch, capsys):
    src = tmp_path / "orders.csv"
    src.write_bytes(GOOD)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run_cli(["facts", src, "-o", blocker / "out.csv"], monkeypatch, capsys)
    assert code == 2 and "is a file, not a folder" in err
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.access(locked, os.W_OK):
        # Root writes anywhere: make the permission check see the folder as the mode says.
        real = os.access
        monkeypatch.setattr(os, "access", lambda p, m: False if Path(p) == locked else real(p, m))
    try:
        code, _, err = run_cli(["facts", src, "-o", locked / "out.csv"], monkeypatch, capsys)
        assert code == 2 and "read-only" in err and list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)
    assert src.read_bytes() == GOOD


def test_uk_dates_are_read_day_first_for_every_row(tmp_path):
    """The seen bug: days 1-12 month-first, later days day-first. Now one reading."""
    from clientlib.io import read_transactions

    src = tmp_path / "uk.csv"
    src.write_bytes(UK)
    got = read_transactions(src).table.to_pandas().sort_values("timestamp")
    assert got["timestamp"].dt.strftime("%Y-%m-%d").tolist() == [
        "2010-12-01",
        "2010-12-02",
        "2010-12-13",
    ]
    # The dotted form is day-first too: 5 March, not 3 May.
    dotted = tmp_path / "ru.csv"
    dotted.write_bytes(_csv(["a,05.03.2024,1"]))
    ts = read_transactions(dotted).table.to_pandas()["timestamp"][0]
    assert (ts.month, ts.day) == (3, 5)


def test_implausible_dates_do_not_move_the_analysis_date(tmp_path):
    from clientlib.io import read_transactions

    src = tmp_path / "o.csv"
    src.write_bytes(_csv(["a,2024-01-01,1", "b,2099-01-01,2", "c,1850-01-01,3"]))
    loaded = read_transactions(src)
    assert str(loaded.analysis_date) == "2024-01-02"
    assert loaded.quality.excluded == {"implausible_timestamp": 2}
    assert loaded.quality.customers_without_purchase == {"implausible_timestamp": 2}


def test_thousands_and_infinite_amounts_are_read_right(tmp_path):
    from clientlib.io import read_transactions

    src = tmp_path / "o.csv"
    src.write_bytes(_csv(['a,2024-01-01,"1,234"', 'b,2024-01-02,"2,000,000"', "c,2024-01-03,inf"]))
    loaded = read_transactions(src)
    amounts = loaded.table.to_pandas().set_index("customer_id")["amount"].to_dict()
    assert amounts == {"a": 1234.0, "b": 2_000_000.0}
    assert loaded.quality.excluded == {"non_finite_amount": 1}
    assert loaded.quality.revenue == 2_001_234.0


def test_unreadable_sentiment_is_counted(tmp_path):
    from clientlib.io import read_events

    ev = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "timestamp": ["2024-01-01"] * 3,
            "kind": ["contact"] * 3,
            "sentiment": ["positive", "0.5", "so-so"],
        }
    )
    q = read_events(ev).quality
    assert q.notes["unreadable_sentiment"] == 1 and any("so-so" in w for w in q.warnings)


# --- round trips: every output reads back to exactly the rows written

HOSTILE_IDS = [
    "007",
    "0000000000000000001",
    "12345678901234567",
    "123456789012345678901",
    'quote"inside',
    "comma,inside",
    "new\nline",
    "carriage\rreturn",
    "tab\tinside",
    "юникод-клиент",
    "emoji-🙂",
    "NA",
    "null",
    "=1+2",
    "-5",
]


ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


def test_hostile_ids_round_trip_through_facts(tmp_path, monkeypatch, capsys):
    rows = pd.DataFrame(
        {
            "customer_id": [f"\u00a0{i}\r" if n % 3 == 0 else i for n, i in enumerate(HOSTILE_IDS)],
            "timestamp": ["2024-01-01"] * len(HOSTILE_IDS),
            "amount": [1.0] * len(HOSTILE_IDS),
        }
    )
    src = tmp_path / "hostile.csv"
    rows.to_csv(src, index=False, quoting=csv.QUOTE_ALL)  # as a careful exporter writes \r
    out = tmp_path / "facts.csv"
    code, _, err = run_cli(["facts", src, "-o", out], monkeypatch, capsys)
    assert code == 0, err
    back = pd.read_csv(out, dtype={"customer_id": str}, keep_default_na=False, na_values=[""])
    # Ids are NFC with control and zero-width characters removed (issue 23), computed here
    # from the Unicode categories: "new\nline" is the customer "newline".
    def visible(i: str) -> str:
        nfc = unicodedata.normalize("NFC", i)
        return "".join(c for c in nfc if unicodedata.category(c) != "Cc" and c not in ZERO_WIDTH)

    assert sorted(back["customer_id"]) == sorted(visible(i) for i in HOSTILE_IDS)
    assert len(back) == len(HOSTILE_IDS)


@pytest.mark.parametrize("excel", [False, True])
def test_write_csv_round_trip(tmp_path, excel):
    from clientlib.files import write_csv

    df = pd.DataFrame({"customer_id": HOSTILE_IDS, "n": range(len(HOSTILE_IDS))})
    out = tmp_path / "x.csv"
    write_csv(df, out, excel=excel)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == excel
    back = pd.read_csv(
        out,
        dtype={"customer_id": str},
        keep_default_na=False,
        na_values=[""],
        encoding="utf-8-sig",
    )
    assert len(back) == len(df) and back["n"].tolist() == df["n"].tolist()
    if excel:
        # Formula-like cells are neutralised with a leading apostrophe, the others unchanged.
        risky = {"=1+2", "-5"}
        expected = [("'" + i) if i in risky else i for i in HOSTILE_IDS]
        assert back["customer_id"].tolist() == expected
    else:
        assert back["customer_id"].tolist() == HOSTILE_IDS


def test_excel_flag_on_the_command_line(tmp_path, monkeypatch, capsys):
    src = tmp_path / "o.csv"
    src.write_bytes(_csv(["=cmd,2024-01-01,1", "b,2024-01-02,2"]))
    out = tmp_path / "f.csv"
    code, _, err = run_cli(["facts", src, "--excel", "-o", out], monkeypatch, capsys)
    assert code == 0, err
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(out, dtype={"customer_id": str}, encoding="utf-8-sig")
    assert "'=cmd" in back["customer_id"].tolist()


def test_compare_refuses_empty_and_binary_files(tmp_path, monkeypatch, capsys):
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\x00\x01" * 50)
    for path, fragment in ((empty, "is empty"), (binary, "not CSV text")):
        code, _, err = run_cli(["compare", path, path], monkeypatch, capsys)
        assert code == 2 and fragment in err and "Traceback" not in err


def test_internal_errors_are_one_line_and_debug_shows_the_traceback(tmp_path, monkeypatch, capsys):
    import clientlib.cli as cli

    def boom(*a, **k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(cli, "load_inputs", boom)
    code, _, err = run_cli(
        ["facts", "--dataset", "workshop", "-o", tmp_path / "f.csv"], monkeypatch, capsys
    )
    assert code == 1 and "internal error (RuntimeError: kaboom)" in err and "--debug" in err
    with pytest.raises(RuntimeError, match="kaboom"):
        run_cli(
            ["--debug", "facts", "--dataset", "workshop", "-o", tmp_path / "f.csv"],
            monkeypatch,
            capsys,
        )


# --- issue 23, items 3-6: a mapping per table, money discounts, line items, what to add
DISC_HEAD = "customer_id,timestamp,amount,discount\n"
MAP_CASES = [
    Case(
        "discount_in_money_refused",
        _csv(["a,2024-01-01,10,2.50", "b,2024-01-02,20,0", "c,2024-01-03,5,1.25"], DISC_HEAD),
        2,
        "holds 2 values outside 0..1 (0..100 when written with %), e.g. '2.50', '1.25'; it looks "
        "like money: map it as discount_amount if it is money",
    ),
    Case(
        "discount_in_money_as_discount_amount",
        _csv(["a,2024-01-01,10,2.50", "b,2024-01-02,20,0", "c,2024-01-03,5,1.25"], DISC_HEAD),
        0,
        "wrote 3 customers",
        ["--map", "discount_amount=discount"],
    ),
    Case(
        "discount_written_with_percent",
        _csv(["a,2024-01-01,10,15%", "b,2024-01-02,20,0%"], DISC_HEAD),
        0,
        "wrote 2 customers",
    ),
    Case(
        "discount_percent_over_100_refused",
        _csv(["a,2024-01-01,10,150%", "b,2024-01-02,20,0%"], DISC_HEAD),
        2,
        "map it as discount_amount if it is money",
    ),
    Case(
        "line_items_without_order_id",
        _csv(
            ["a,2024-01-01 10:00,10,R1", "a,2024-01-01 10:00,3,R1", "b,2024-01-02 11:00,5,R2"],
            "customer_id,timestamp,amount,Receipt No\n",
        ),
        0,
        "66.7% of the lines share a customer and a time with another line, and order_id is not "
        "mapped: the file looks like line items",
    ),
    Case(
        "line_items_names_the_receipt_column",
        _csv(
            ["a,2024-01-01 10:00,10,R1", "a,2024-01-01 10:00,3,R1", "b,2024-01-02 11:00,5,R2"],
            "customer_id,timestamp,amount,Receipt No\n",
        ),
        0,
        "Column 'Receipt No' looks like a document number: --map order_id=Receipt No",
    ),
    Case(
        "map_events_role_unknown",
        GOOD,
        2,
        "the events table has no role 'date' (mapping item 'events.date=redemption_date'); its "
        "roles are: customer_id, timestamp, kind, sentiment, referred_customer_id",
        ["--map", "events.date=redemption_date"],
    ),
    Case(
        "map_table_unknown",
        GOOD,
        2,
        "unknown table 'event'",
        ["--map", "event.timestamp=redemption_date"],
    ),
    Case(
        "map_events_item_without_events_file",
        GOOD,
        0,
        "wrote 2 customers",
        ["--map", "events.timestamp=redemption_date", "--events-map", "kind=type"],
    ),
    Case(
        "customers_map_role_unknown",
        GOOD,
        2,
        "its roles are: customer_id, has_money",
        ["--customers-map", "awareness_stage=Stage"],
    ),
    Case(
        "not_applicable_says_what_to_add_ru",
        GOOD,
        0,
        "в таблице клиентов нет столбцов для ролей: does_in_house, had_problems, knows_product, "
        "seeking_vendor, tried_diy. Добавьте файл клиентов с этими столбцами или сопоставьте свои "
        "столбцы: --customers ФАЙЛ, --map customers.does_in_house=ВАШ_СТОЛБЕЦ",
        ["--framework", "awareness,ladder", "--lang", "ru"],
        command="segment",
    ),
    Case(
        "not_applicable_says_what_to_add_en",
        GOOD,
        0,
        "there is no column in the customers table for the roles: does_in_house",
        ["--framework", "awareness,ladder"],
        command="segment",
    ),
]


@pytest.mark.parametrize("case", MAP_CASES, ids=[c.id for c in MAP_CASES])
def test_real_export_maps(case: Case, tmp_path, monkeypatch, capsys):
    test_real_export(case, tmp_path, monkeypatch, capsys)


# --- issue 23: compare reads an --excel output back; memory; float ids; the 1C file's facts


def test_compare_reads_excel_output_back_to_the_same_ids(tmp_path, monkeypatch, capsys):
    ids = ["=1+2", "-5", "+7", "@x", "plain", "'quoted"]
    rows = [f"{i},2024-01-0{d},{d}" for d in (1, 2) for i in ids]
    src = tmp_path / "orders.csv"
    pd.DataFrame([r.rsplit(",", 2) for r in rows], columns=HEAD.strip().split(",")).to_csv(
        src, index=False
    )
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    for out, extra in ((plain, []), (excel, ["--excel"])):
        code, _, err = run_cli(["segment", src, "-f", "lifecycle", "-o", out, *extra],
                               monkeypatch, capsys)  # fmt: skip
        assert code == 0, err
    assert b"'=1+2" in excel.read_bytes()  # escaped for Excel, as written
    code, out, err = run_cli(["compare", plain, excel, "--json"], monkeypatch, capsys)
    assert code == 0, err
    import json

    result = json.loads(out)
    assert (result["n"], result["only_in_a"], result["only_in_b"]) == (len(ids), 0, 0)


def _limited(limit_mb: int):
    def preexec() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit_mb << 20, limit_mb << 20))

    return preexec


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS (ulimit -v) as Linux counts it")
def test_out_of_memory_is_one_line(tmp_path):
    # 2 million lines (about 50 MB): reading them needs well over the 700 MB the process may
    # map, which is enough for Python, pandas and DuckDB to start (checked with --help).
    src = tmp_path / "big.csv"
    n = 2_000_000
    frame = pd.DataFrame(
        {
            "customer_id": pd.Series(range(n)).mod(100_000).map("c{}".format),
            "timestamp": "2024-01-01",
            "amount": pd.Series(range(n)).mod(997) + 0.5,
        }
    )
    frame.to_csv(src, index=False)
    exe = [sys.executable, "-c", "from clientlib.cli import main; main()"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    started = subprocess.run([*exe, "--help"], preexec_fn=_limited(700), env=env,
                             capture_output=True, text=True, timeout=300)  # fmt: skip
    assert started.returncode == 0, started.stderr[-500:]
    for lang, said in (("en", "not enough memory to read"), ("ru", "не хватает памяти")):
        out = tmp_path / f"seg_{lang}.csv"
        run = subprocess.run(
            [*exe, "segment", str(src), "-f", "lifecycle", "--lang", lang, "-o", str(out)],
            preexec_fn=_limited(700), env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert run.returncode == 2, run.stderr[-2000:]
        assert run.stderr.startswith("error: ") and said in run.stderr, run.stderr[-2000:]
        assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
        assert "well-formed" not in run.stderr and not out.exists()


def test_parquet_float_ids_as_the_csv_reader_gives_them(tmp_path):
    from clientlib.io import read_transactions

    for ids in ([1.0, 2.0, None, 3.0], [1.0, 2.5, None, 3.0]):
        frame = pd.DataFrame(
            {"customer_id": ids, "timestamp": pd.to_datetime(["2024-01-01"] * 4),
             "amount": [1.0, 2.0, 3.0, 4.0]}
        )  # fmt: skip
        frame.to_parquet(tmp_path / "t.parquet")
        frame.to_csv(tmp_path / "t.csv", index=False)
        # what a CSV holds, read by pandas as text: "1.0" everywhere when one id is not whole
        text = pd.read_csv(tmp_path / "t.csv", dtype={"customer_id": str})["customer_id"]
        whole = all(float(v).is_integer() for v in text.dropna())
        want = sorted({re.sub(r"\.0$", "", v) if whole else v for v in text.dropna()})
        for src in (tmp_path / "t.parquet", tmp_path / "t.csv", frame):
            got = read_transactions(src).table.execute()["customer_id"]
            assert sorted(set(got)) == want, (src, ids)


def test_csv_and_parquet_give_the_same_id_text(tmp_path):
    from clientlib.io import read_transactions

    ids = [unicodedata.normalize("NFD", "José"), "Ан\u200bна", "\u2060Zoë\u200d", "plain", "x\x07y"]
    frame = pd.DataFrame(
        {"customer_id": ids, "timestamp": ["2024-01-01"] * 5, "amount": [1.0, 2, 3, 4, 5]}
    )
    frame.to_csv(tmp_path / "t.csv", index=False)
    frame.to_parquet(tmp_path / "t.parquet", index=False)
    # NFC, then no zero-width or control character (Unicode category Cc), computed here
    want = sorted(
        "".join(c for c in unicodedata.normalize("NFC", i)
                if unicodedata.category(c) != "Cc" and c not in ZERO_WIDTH)
        for i in ids
    )  # fmt: skip
    csv_ids = sorted(read_transactions(tmp_path / "t.csv").table.execute()["customer_id"])
    assert csv_ids == want
    # Parquet: the same, except a control character inside a plain ASCII id (documented)
    pq_ids = sorted(read_transactions(tmp_path / "t.parquet").table.execute()["customer_id"])
    assert "x\x07y" in pq_ids
    assert [i for i in pq_ids if i != "x\x07y"] == [i for i in want if i != "xy"]
