"""Spreadsheets in and out (issue 23, item 2): xlsx / xls / ods read like the CSV of the same data,
xlsx written for people, ``--excel`` CSV in the user's locale.

The facts read from a workbook are checked against an independent pandas computation on the
data the workbook was made from, and against the CSV reader on the CSV of the same data.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import types
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _cli import run_cli
from openpyxl import Workbook, load_workbook

from clientlib.io import read_inputs, read_transactions, sniff

MAP = "customer_id=Контрагент,timestamp=Дата,amount=Сумма,order_id=Номер"
ROLES = dict(item.split("=") for item in MAP.split(","))
TITLE = [["Отчёт о продажах по контрагентам"], ["Период: 01.01.2024 - 31.12.2024"], []]
HEADER = ["Контрагент", "Дата", "Номер", "Сумма"]


def _data(n: int = 240, seed: int = 7) -> pd.DataFrame:
    """Orders of 40 customers over 2024: ids, timestamps, order numbers, amounts in kopecks."""
    rng = np.random.default_rng(seed)
    start = dt.datetime(2024, 1, 1)
    days = rng.integers(0, 365, n)
    minutes = rng.integers(8 * 60, 20 * 60, n)
    when = [start + dt.timedelta(days=int(d), minutes=int(m))
            for d, m in zip(days, minutes, strict=True)]  # fmt: skip
    return pd.DataFrame({
        "Контрагент": [f"ООО Клиент {i:02d}" for i in rng.integers(0, 40, n)],
        "Дата": when,
        "Номер": [f"ЗК-{i:05d}" for i in range(n)],
        "Сумма": np.round(rng.lognormal(7.5, 1.2, n), 2),
    })  # fmt: skip


def _expected(df: pd.DataFrame) -> pd.DataFrame:
    """The facts computed independently: orders, spend, first and last purchase per customer."""
    g = df.groupby("Контрагент")
    return pd.DataFrame({
        "orders": g["Номер"].nunique(),
        "total_spend": g["Сумма"].sum(),
        "first_purchase": g["Дата"].min().dt.date,
        "last_purchase": g["Дата"].max().dt.date,
    }).sort_index()  # fmt: skip


def _rub(x: float) -> str:
    """An amount as 1C writes it in text: no-break space groups, decimal comma."""
    whole, frac = f"{x:.2f}".split(".")
    return f"{int(whole):,}".replace(",", "\u00a0") + "," + frac


def _text_rows(df: pd.DataFrame) -> list[list[str]]:
    rows = df.itertuples(index=False)
    return [[c, d.strftime("%d.%m.%Y %H:%M:%S"), o, _rub(a)] for c, d, o, a in rows]


def _workbook(path: Path, rows: list[list], *, title: bool = True, number_format: str | None = None,
              sheets: tuple[str, ...] = ("Продажи",)) -> Path:  # fmt: skip
    wb = Workbook()
    ws = wb.active
    ws.title = sheets[0]
    for line in (TITLE if title else []) + [HEADER] + rows:
        ws.append(line)
    if number_format:
        for cell in ws["B"]:
            if isinstance(cell.value, float | int):
                cell.number_format = number_format
    for name in sheets[1:]:
        wb.create_sheet(name).append(["другое"])
    wb.save(path)
    return path


def _facts(path: Path, **options) -> pd.DataFrame:
    from clientlib.features import customer_facts

    inputs = read_inputs(path, mapping=ROLES, **options)
    facts = customer_facts(inputs.transactions).execute().set_index("customer_id").sort_index()
    return facts[["orders", "total_spend", "first_purchase", "last_purchase"]]


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.index) == list(want.index)
    assert got["orders"].tolist() == want["orders"].tolist()
    assert np.allclose(got["total_spend"].to_numpy(float), want["total_spend"].to_numpy(float))
    for col in ("first_purchase", "last_purchase"):
        assert [pd.Timestamp(x).date() for x in got[col]] == want[col].tolist()


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return _data()


@pytest.fixture(scope="module")
def csv_facts(data, tmp_path_factory) -> pd.DataFrame:
    """The CSV of the same data (as 1C writes it: ;, dd.mm.yyyy, decimal comma), read by the CSV
    reader."""
    path = tmp_path_factory.mktemp("csv") / "sales.csv"
    lines = [";".join(HEADER)] + [";".join(r) for r in _text_rows(data)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return _facts(path)


def test_xlsx_with_cells_and_a_title_block_reads_like_the_csv(data, csv_facts, tmp_path):
    rows = [[c, d, o, a] for c, d, o, a in data.itertuples(index=False)]
    path = _workbook(tmp_path / "sales.xlsx", rows)
    got = _facts(path)
    _same(got, _expected(data))
    _same(got, csv_facts.assign(first_purchase=csv_facts["first_purchase"].map(
        lambda x: pd.Timestamp(x).date()), last_purchase=csv_facts["last_purchase"].map(
        lambda x: pd.Timestamp(x).date())))  # fmt: skip
    quality = read_transactions(path, ROLES).quality
    assert quality.notes["header_row"] == 4 and quality.notes["sheet"] == "Продажи"
    items = dict(quality.summary_frame("ru").itertuples(index=False))
    assert items["лист"] == "Продажи" and items["строка заголовка"].startswith("4 (")


def test_xlsx_with_text_cells_as_1c_writes_them(data, csv_facts, tmp_path):
    path = _workbook(tmp_path / "sales_1c.xlsx", _text_rows(data))
    got = _facts(path)
    _same(got, _expected(data))
    quality = read_transactions(path, ROLES).quality
    assert quality.notes["header_row"] == 4
    assert "day-first" in quality.notes["timestamp_format"]
    assert "decimal comma" in quality.notes["amount_format"]


def test_dates_as_excel_serial_numbers(data, tmp_path):
    serial = [(d - dt.datetime(1899, 12, 30)) / dt.timedelta(days=1) for d in data["Дата"]]
    lines = zip(data.itertuples(index=False), serial, strict=True)
    rows = [[c, s, o, a] for (c, _, o, a), s in lines]
    path = _workbook(tmp_path / "serial.xlsx", rows, number_format="0.00000")
    _same(_facts(path), _expected(data))
    assert "serial" in read_transactions(path, ROLES).quality.notes["timestamp_format"]


def test_ods_reads_like_the_csv(data, tmp_path):
    pytest.importorskip("odf", reason="odfpy writes the .ods file (pip install odfpy)")
    path = tmp_path / "sales.ods"
    # one frame of cells, the title block above the header: the header is row 4 of the sheet
    cells = [[*line, *[None] * (4 - len(line))] for line in TITLE] + [HEADER]
    cells += [list(r) for r in data.itertuples(index=False)]
    pd.DataFrame(cells).to_excel(path, sheet_name="Продажи", header=False, index=False,
                                 engine="odf")  # fmt: skip
    assert sniff(path) == "ods"
    _same(_facts(path), _expected(data))
    assert read_transactions(path, ROLES).quality.notes["header_row"] == 4


def test_xlsx_whose_zip_directory_is_not_at_the_start(data, tmp_path):
    """An xlsx whose first member is large (a thumbnail) was called a zip archive."""
    plain = _workbook(tmp_path / "plain.xlsx", _text_rows(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as dst:
        dst.writestr("docProps/thumbnail.jpeg", np.random.default_rng(1).bytes(20000))
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
    moved = tmp_path / "export.csv"  # named like text: the bytes decide
    moved.write_bytes(buf.getvalue())
    assert b"[Content_Types]" not in moved.read_bytes()[:4096]
    assert sniff(moved) == "xlsx"
    _same(_facts(moved), _expected(data))


def test_sheet_by_name_and_by_position(data, tmp_path):
    path = tmp_path / "two.xlsx"
    wb = Workbook()
    wb.active.title = "Сводка"
    wb.active.append(["Итого за год", 12345])
    ws = wb.create_sheet("Продажи")
    for line in TITLE + [HEADER] + _text_rows(data):
        ws.append(line)
    wb.save(path)
    want = _expected(data)
    _same(_facts(path, sheet="Продажи"), want)
    _same(_facts(path, sheet="2"), want)
    _same(_facts(path, sheet=2), want)


def test_missing_sheet_is_one_line_listing_the_sheets(data, tmp_path, monkeypatch, capsys):
    path = _workbook(tmp_path / "s.xlsx", _text_rows(data), sheets=("Продажи", "Возвраты"))
    out = tmp_path / "f.csv"
    code, _, err = run_cli(["facts", path, "-m", MAP, "--sheet", "Клиенты", "-o", out],
                           monkeypatch, capsys)  # fmt: skip
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "1 «Продажи», 2 «Возвраты»" in err and "'Клиенты'" in err
    assert not out.exists()
    code, _, err = run_cli(["facts", path, "-m", MAP, "--sheet", "3", "-o", out],
                           monkeypatch, capsys)  # fmt: skip
    assert code == 2 and "no sheet '3'" in err and not out.exists()


def test_header_row_given(data, tmp_path, monkeypatch, capsys):
    path = _workbook(tmp_path / "h.xlsx", _text_rows(data))
    quality = read_transactions(path, ROLES, header_row=4).quality
    assert quality.notes["header_row"] == 4 and not quality.notes["header_row_found"]
    out = tmp_path / "f.csv"
    # Row 2 ("Период: ...") as the header: the roles are not found, said in one line.
    code, _, err = run_cli(["facts", path, "-m", MAP, "--header-row", "2", "-o", out],
                           monkeypatch, capsys)  # fmt: skip
    assert code == 2 and "columns found: Период" in err and err.count("\n") == 1
    code, _, err = run_cli(["facts", path, "-m", MAP, "--header-row", "9999", "-o", out],
                           monkeypatch, capsys)  # fmt: skip
    assert code == 2 and "--header-row 9999" in err
    code, _, err = run_cli(["facts", path, "-m", MAP, "--header-row", "3", "-o", out],
                           monkeypatch, capsys)  # fmt: skip
    assert code == 2 and "row 3" in err and "empty" in err
    code, _, err = run_cli(["facts", path, "-m", MAP, "--header-row", "0", "-o", out],
                           monkeypatch, capsys)  # fmt: skip
    assert code == 2 and "header_row" in err and not out.exists()


def test_customers_table_from_a_sheet(tmp_path):
    path = tmp_path / "c.xlsx"
    wb = Workbook()
    ws = wb.active
    for line in [["Клиенты"], [], ["customer_id", "has_money", "region"],
                 ["007", True, "Москва"], ["8", False, "Казань"]]:  # fmt: skip
        ws.append(line)
    wb.save(path)
    from clientlib.io import read_customers

    loaded = read_customers(path)
    df = loaded.table.execute().sort_values("customer_id")
    assert df["customer_id"].tolist() == ["007", "8"]
    assert df["has_money"].tolist() == [True, False]
    assert loaded.quality.notes["header_row"] == 3


def test_broken_xls_is_one_line(tmp_path, monkeypatch, capsys):
    src = tmp_path / "old.xls"
    src.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    code, _, err = run_cli(["facts", src, "-o", tmp_path / "f.csv"], monkeypatch, capsys)
    assert code == 2 and err.count("\n") == 1 and "old Excel workbook (.xls)" in err


def test_lesson_reads_a_sheet_and_says_a_missing_one_in_russian(data, tmp_path, capsys):
    from clientlib import lessons
    from clientlib.reports.views import quality_warnings

    path = _workbook(tmp_path / "l.xlsx", _text_rows(data), sheets=("Продажи", "Возвраты"))
    inputs = lessons.load_inputs(str(path), mapping=MAP, lang="ru", sheet="Продажи")
    assert inputs.transactions.quality.rows_used == len(data)
    lessons.show_quality(inputs, "ru")
    assert "лист «Продажи», названия столбцов найдены в строке 4" in capsys.readouterr().out
    study = types.SimpleNamespace(quality=[inputs.transactions.quality])
    said = quality_warnings(types.SimpleNamespace(study=study, lang="en"))
    assert any("column names found in row 4" in line for line in said)
    with pytest.raises(lessons.LessonError) as err:
        lessons.load_inputs(str(path), mapping=MAP, lang="ru", sheet="Клиенты")
    message = str(err.value)
    assert "нет листа" in message and "«Возвраты»" in message and "покупки" in message


def test_sheet_options_reach_reports_and_batches():
    from clientlib.options import InputOptions
    from clientlib.reports.parameters import input_options, option_parameters, template_parameters

    params = option_parameters(InputOptions(sheet="Продажи", header_row=4))
    assert params == {"sheet": "Продажи", "header_row": "4"}
    assert {"sheet", "header_row"} <= set(template_parameters())
    opts = input_options(sheet="2", header_row="4")
    assert (opts.sheet, opts.header_row) == ("2", 4)


def test_batch_yaml_takes_sheet(tmp_path):
    from clientlib.errors import ClientlibError
    from clientlib.reports.batch import load_config

    good = tmp_path / "b.yml"
    good.write_text("output: out\nreports:\n  a: {input: x.xlsx, sheet: Продажи, header_row: 4}\n",
                    encoding="utf-8")  # fmt: skip
    assert load_config(good).reports["a"]["sheet"] == "Продажи"
    bad = tmp_path / "c.yml"
    bad.write_text("output: out\nreports:\n  a: {input: x.xlsx, header_row: 0}\n",
                   encoding="utf-8")  # fmt: skip
    with pytest.raises(ClientlibError, match="header_row"):
        load_config(bad)


# ---------------------------------------------------------------------------------------------
# out


def test_facts_as_xlsx(tmp_path, monkeypatch, capsys):
    plain, book = tmp_path / "f.csv", tmp_path / "f.xlsx"
    assert run_cli(["facts", "-d", "workshop", "-o", plain], monkeypatch, capsys)[0] == 0
    code, out, err = run_cli(["facts", "-d", "workshop", "-o", book, "--lang", "ru"],
                             monkeypatch, capsys)  # fmt: skip
    assert code == 0, err
    assert "записано клиентов: 2\u00a0000" in out
    want = pd.read_csv(plain, dtype={"customer_id": str})
    ws = load_workbook(book).active
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header == list(want.columns)
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(want)
    got = pd.DataFrame(rows, columns=header)
    assert got["customer_id"].tolist() == want["customer_id"].tolist()
    assert np.allclose(got["total_spend"].astype(float), want["total_spend"])
    dates = got["first_purchase"].dropna()
    assert len(dates) and all(isinstance(x, dt.datetime) for x in dates)
    assert [x.date().isoformat() for x in dates] == want["first_purchase"].dropna().tolist()
    col = header.index("first_purchase") + 1
    assert ws.cell(row=2, column=col).number_format == "DD.MM.YYYY"
    assert ws.cell(row=2, column=header.index("total_spend") + 1).number_format == "#,##0.00"


@pytest.mark.parametrize("lang, sep, decimal", [("ru", ";", ","), ("en", ",", ".")])
def test_excel_csv_in_the_users_locale(lang, sep, decimal, tmp_path, monkeypatch, capsys):
    plain, excel = tmp_path / "s.csv", tmp_path / "s_excel.csv"
    args = ["segment", "-d", "workshop", "-f", "rfm,lifecycle", "--lang", lang]
    assert run_cli([*args, "-o", plain], monkeypatch, capsys)[0] == 0
    assert run_cli([*args, "--excel", "-o", excel], monkeypatch, capsys)[0] == 0
    raw = excel.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.splitlines()[0].count(sep.encode()) >= 5
    want = pd.read_csv(plain, dtype={"customer_id": str})
    got = pd.read_csv(excel, sep=sep, decimal=decimal, dtype={"customer_id": str},
                      encoding="utf-8-sig")  # fmt: skip
    assert list(got.columns) == list(want.columns)
    for col in ("recency", "frequency", "monetary"):
        # read with the locale's decimal mark, fractional values come back as the same floats
        assert got[col].dtype.kind == "f" and np.allclose(got[col], want[col], equal_nan=True)
    assert (want["monetary"].dropna() % 1 != 0).any()
    # compare reads the Excel file back to the same customers and classes
    code, out, err = run_cli(["compare", excel, plain, "--framework-a", "rfm", "--framework-b",
                              "rfm", "--json"], monkeypatch, capsys)  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    assert result["n"] == want["customer_id"].nunique()
    assert result["only_in_a"] == 0 and result["only_in_b"] == 0
    assert result["scores"]["ari"] == pytest.approx(1.0)


def test_segment_xlsx_compares_with_its_csv(tmp_path, monkeypatch, capsys):
    plain, book = tmp_path / "s.csv", tmp_path / "s.xlsx"
    args = ["segment", "-d", "workshop", "-f", "lifecycle"]
    assert run_cli([*args, "-o", plain], monkeypatch, capsys)[0] == 0
    assert run_cli([*args, "-o", book], monkeypatch, capsys)[0] == 0
    code, out, err = run_cli(["compare", book, plain, "--json"], monkeypatch, capsys)
    assert code == 0, err
    result = json.loads(out)
    assert result["only_in_a"] == 0 and result["scores"]["ari"] == pytest.approx(1.0)
    code, _, err = run_cli(["compare", book, plain, "--sheet", "nope"], monkeypatch, capsys)
    assert code == 2 and "«segments»" in err


def test_call_lists_beside_a_report_in_the_report_language(tmp_path):
    from clientlib.reports.changes import write_call_lists
    from clientlib.reports.decisions import call_columns

    for lang, sep, decimal in (("ru", ";", ","), ("en", ",", ".")):
        cols = call_columns(lang)
        frame = pd.DataFrame({cols[0]: ["007", "A-1"], cols[1]: ["x", "y"], cols[2]: ["p", "q"],
                              cols[3]: ["05.03.2024" if lang == "ru" else "2024-03-05"] * 2,
                              cols[4]: [1234.5, 0.25]})  # fmt: skip
        frame = frame.reindex(columns=cols)
        decisions = types.SimpleNamespace(calls={"unhappy": frame})
        folder = tmp_path / lang
        folder.mkdir()
        written = write_call_lists(decisions, {"folder": str(folder), "stem": "r"}, lang)
        assert written == {"unhappy": "r.call_unhappy.xlsx"}
        back = pd.read_csv(folder / "r.call_unhappy.csv", sep=sep, decimal=decimal,
                           dtype={cols[0]: str}, encoding="utf-8-sig")  # fmt: skip
        assert back[cols[0]].tolist() == ["007", "A-1"]
        assert back[cols[4]].tolist() == [1234.5, 0.25]


def test_xlsx_keeps_formula_like_ids_as_text(tmp_path):
    from clientlib.spreadsheet import read_sheet, write_xlsx

    ids = ["=1+2", "-5", "@SUM(A1)", "+7", "007", "Анна"]
    path = write_xlsx(pd.DataFrame({"customer_id": ids, "n": range(6)}), tmp_path / "ids.xlsx")
    ws = load_workbook(path).active
    assert [c.data_type for c in ws["A"][1:]] == ["s"] * len(ids)  # no cell is a formula
    assert read_sheet(path, "customers")["customer_id"].tolist() == ids


def test_default_sheet_is_the_first_visible_one(data, tmp_path):
    path = tmp_path / "hidden.xlsx"
    wb = Workbook()
    wb.active.title = "Служебный"
    wb.active.append(["настройки выгрузки", 1])
    wb.active.sheet_state = "hidden"
    ws = wb.create_sheet("Продажи")
    for line in TITLE + [HEADER] + _text_rows(data):
        ws.append(line)
    wb.save(path)
    assert read_transactions(path, ROLES).quality.notes["sheet"] == "Продажи"
    _same(_facts(path), _expected(data))


def test_columns_mixing_cells_and_text_get_one_reading(tmp_path):
    """Some amounts as number cells, some as 1C text; some dates as date cells, some as text."""
    rows = [
        ["a", dt.datetime(2024, 3, 5, 10, 30), "N1", 1234.5],
        ["b", "06.03.2024 11:00:00", "N2", "1\u00a0234,75"],
        ["a", "07.03.2024", "N3", 12],
        ["c", dt.datetime(2024, 3, 8), "N4", "7,25"],
    ]
    path = _workbook(tmp_path / "mixed.xlsx", rows)
    df = read_transactions(path, ROLES).table.execute().sort_values("order_id")
    assert df["amount"].tolist() == [1234.5, 1234.75, 12.0, 7.25]
    assert [str(x) for x in df["timestamp"]] == [
        "2024-03-05 10:30:00", "2024-03-06 11:00:00", "2024-03-07 00:00:00", "2024-03-08 00:00:00"
    ]


def test_one_workbook_a_sheet_per_table(data, tmp_path):
    path = tmp_path / "book.xlsx"
    wb = Workbook()
    wb.active.title = "Продажи"
    for line in TITLE + [HEADER] + _text_rows(data):
        wb.active.append(line)
    ws = wb.create_sheet("Клиенты")
    ws.append(["Анкета клиентов"])
    ws.append([])
    ws.append(["Контрагент", "Регион"])
    names = sorted(set(data["Контрагент"]))
    for i, name in enumerate(names):
        ws.append([name, "Москва" if i % 2 else "Казань"])
    wb.save(path)
    inputs = read_inputs(path, customers=path, mapping=ROLES,
                         sheet="transactions=Продажи,customers=Клиенты")  # fmt: skip
    assert inputs.transactions.quality.rows_used == len(data)
    assert inputs.customers.quality.notes == {"sheet": "Клиенты", "header_row": 3,
                                              "header_row_found": True}  # fmt: skip
    got = inputs.customers.table.execute().sort_values("customer_id")
    assert got["customer_id"].tolist() == names
