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
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from _cli import run_cli

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
    Case("utf16_bom", GOOD.decode().encode("utf-16"), 2, "--encoding utf-16"),
    Case(
        "utf16_with_option",
        GOOD.decode().encode("utf-16"),
        0,
        "3 rows read",
        ["--encoding", "utf-16"],
    ),
    Case(
        "cp1251_refused",
        _csv(["Иван,2024-01-01,1", "Пётр,2024-01-02,2"]).decode().encode("cp1251"),
        2,
        "--encoding cp1251",
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
    assert sorted(back["customer_id"]) == sorted(HOSTILE_IDS)
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
