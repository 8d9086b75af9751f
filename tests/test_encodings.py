"""Encodings decided from the bytes, headers of any width, and the 1C export (issue 23)."""

from __future__ import annotations

import codecs
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _cli import run_cli
from _exports import ONE_C_HEADER, one_c_export

from clientlib.encodings import detect, guess
from clientlib.errors import InputError
from clientlib.features import customer_facts
from clientlib.io import read_transactions

RUSSIAN = "Покупатель;Дата;Сумма\nАнна Петрова;05.03.2024;1 234,50\nПётр Иванов;06.03.2024;12,5\n"


@pytest.fixture(scope="module")
def one_c(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    path = tmp_path_factory.mktemp("onec") / "продажи.csv"
    return path, one_c_export(path)


# --- the decision itself


@pytest.mark.parametrize("name", ["cp1251", "koi8-r"])
def test_cyrillic_single_byte_told_apart(name):
    assert guess(RUSSIAN.encode(name)).name == name


def test_punctuation_says_nothing():
    # №, « », a no-break space and a dash are cp1251 bytes that KOI8-R reads as box drawing
    line = "№ документа;Покупатель\n12;«Ромашка» — опт\xa0\n"
    assert guess(line.encode("cp1251")).name == "cp1251"
    koi = "N документа;Покупатель\n12;\"Ромашка\" - опт\xa0\n"  # KOI8-R has no №, « », —
    assert guess(koi.encode("koi8-r")).name == "koi8-r"


def test_short_names_told_apart():
    # two names of four letters: the case pattern and the letters still decide
    data = "Иван,2024-01-01,1\nПётр,2024-01-02,2\n"
    assert guess(data.encode("cp1251")).name == "cp1251"
    assert guess(data.encode("koi8-r")).name == "koi8-r"


@pytest.mark.parametrize("data", ["ООО".encode("cp1251"), "Я".encode("koi8-r")])
def test_too_few_letters_is_unsure(data):
    assert guess(data).name is None


def test_western_and_unicode():
    assert guess("José;Müller;Ærø\n".encode("latin-1")).name == "latin-1"
    assert guess("Straße;5 €\n".encode("cp1252")).name == "cp1252"
    assert guess(b"customer_id,amount\na,1\n").name == "utf-8"
    assert guess(codecs.BOM_UTF8 + "Анна".encode()).name == "utf-8-sig"
    assert guess("Анна".encode("utf-16-le").join([codecs.BOM_UTF16_LE, b""])).name == "utf-16"
    assert guess(codecs.BOM_UTF16_BE + "Анна".encode("utf-16-be")).name == "utf-16"


def test_cp1251_after_a_megabyte_of_ascii(tmp_path):
    # the first non-ASCII byte is far past any head a reader looks at
    path = tmp_path / "late.csv"
    path.write_bytes(b"customer_id,amount\n" + b"a,1\n" * 400_000 + RUSSIAN.encode("cp1251"))
    assert detect(path).name == "cp1251"


def test_utf8_then_cp1251_is_mixed(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes("Анна,1\n".encode() * 200_000 + "Анна,1\n".encode("cp1251"))
    assert detect(path).name is None


# --- reading


def _facts(source, **kw) -> pd.DataFrame:
    facts = customer_facts(read_transactions(source, **kw)).execute()
    return facts.sort_values("customer_id").reset_index(drop=True)


def test_one_c_file_reads_without_options(one_c, tmp_path):
    path, frame = one_c
    assert path.stat().st_size > 2_000_000
    loaded = read_transactions(path)
    q = loaded.quality
    assert q.notes["encoding"] == "cp1251 (detected)"
    assert q.rows_read == len(frame)
    ru = dict(q.summary_frame("ru").itertuples(index=False))
    assert ru["кодировка"] == "cp1251 (определена по содержимому)"
    assert "customer_id=Покупатель" in ru["столбцы, узнанные по названию"]
    # The same rows as a plain UTF-8 comma CSV give the same facts.
    plain = tmp_path / "plain.csv"
    frame.to_csv(plain, index=False)
    got = _facts(path)
    want = _facts(plain)
    pd.testing.assert_frame_equal(got, want)
    # ...and the facts are the data's, computed here with pandas.
    by = frame.groupby("customer_id")
    paid = frame[frame["amount"] >= 0]
    exp = pd.DataFrame(
        {
            "total_spend": by["amount"].sum(),
            "orders": paid.groupby("customer_id")["order_id"].nunique(),
            "first_purchase": paid.groupby("customer_id")["timestamp"].min(),
        }
    ).dropna(subset=["orders"])
    got = got.set_index("customer_id").loc[exp.index]
    np.testing.assert_allclose(got["total_spend"], exp["total_spend"], rtol=1e-9, atol=1e-6)
    assert got["orders"].astype(int).tolist() == exp["orders"].astype(int).tolist()
    assert (pd.to_datetime(got["first_purchase"]) == exp["first_purchase"]).all()


def test_one_c_file_in_koi8r(one_c, tmp_path):
    path, frame = one_c
    koi = tmp_path / "koi.csv"
    koi.write_bytes(path.read_bytes().decode("cp1251").encode("koi8-r"))
    q = read_transactions(koi).quality
    assert q.notes["encoding"] == "koi8-r (detected)"
    assert q.customers == frame.loc[frame["amount"].notna(), "customer_id"].nunique()


def test_encoding_given_is_said(tmp_path):
    path = tmp_path / "ru.csv"
    path.write_bytes(RUSSIAN.encode("cp1251"))
    q = read_transactions(path, encoding="cp1251").quality
    assert q.notes["encoding"] == "cp1251 (given)"
    assert dict(q.summary_frame("ru").itertuples(index=False))["кодировка"] == (
        "cp1251 (задана параметром)"
    )


def test_unsure_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "few.csv"
    path.write_bytes("customer_id;timestamp;amount\nЯ;2024-01-01;1\n".encode("koi8-r"))
    with pytest.raises(InputError, match="--encoding cp1251"):
        read_transactions(path)


def test_wide_header(tmp_path):
    # 10,000 columns: the header line alone is about 100 KiB
    names = ["customer_id", "timestamp", "amount"] + [f"extra_{i}" for i in range(1, 10_001)]
    row = ["a", "2024-01-01", "5"] + ["0"] * 10_000
    path = tmp_path / "wide.csv"
    path.write_text(",".join(names) + "\n" + ",".join(row) + "\n" + ",".join(row) + "\n")
    assert len(names[0:]) and len(",".join(names)) > 65_536
    q = read_transactions(path).quality
    assert (q.rows_read, q.customers) == (2, 1)


def test_cli_one_c_without_options(one_c, tmp_path, monkeypatch, capsys):
    path, frame = one_c
    out = tmp_path / "facts.csv"
    code, _, err = run_cli(["facts", path, "-o", out], monkeypatch, capsys)
    assert code == 0, err
    assert "encoding: cp1251 (detected)" in err
    facts = pd.read_csv(out)
    assert set(facts["customer_id"]) == set(frame["customer_id"])
    assert ONE_C_HEADER[0] in err


# --- in a lesson: one line in the lesson's language


def test_lesson_reads_the_one_c_file(one_c):
    from clientlib.lessons import load_inputs

    path, frame = one_c
    inputs = load_inputs(str(path), lang="ru")
    assert inputs.transactions.quality.rows_read == len(frame)


@pytest.mark.parametrize(
    ("content", "ru"),
    [
        ("customer_id;timestamp;amount\nЯ;2024-01-01;1\n".encode("koi8-r"),
         "чтобы отличить Windows-1251 от KOI8-R: добавьте -p encoding cp1251"),
        (b"customer_id,timestamp,amount\na,2024-01-01,1e308\nb,2024-01-02,1e308\n",
         "суммы в столбце 'amount' складываются"),
    ],
)  # fmt: skip
def test_lesson_reader_errors_are_one_line_in_its_language(tmp_path, content, ru):
    from clientlib.lessons import LessonError, load_inputs

    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(LessonError) as err:
        load_inputs(str(path), lang="ru")
    line = str(err.value)
    assert ru in line and "\n" not in line


def test_memory_error_while_reading_is_said(tmp_path, monkeypatch):
    # pandas running out of memory inside its tokenizer is a ParserError, not a bad CSV
    import clientlib.io as cio

    path = tmp_path / "x.csv"
    path.write_text("customer_id,timestamp,amount\na,2024-01-01,1\n")

    def tokenizer_out_of_memory(*args, **kwargs):
        raise pd.errors.ParserError("Error tokenizing data. C error: out of memory")

    monkeypatch.setattr(cio.pd, "read_csv", tokenizer_out_of_memory)
    with pytest.raises(InputError, match="not enough memory to read") as err:
        read_transactions(path)
    from clientlib.lessons import explain

    assert explain(err.value, "ru").startswith("не хватает памяти, чтобы прочитать")


def test_duckdb_out_of_memory_is_said(tmp_path):
    # DuckDB held to 8 MB without a spill folder cannot store a million typed rows
    import duckdb
    import ibis

    from clientlib.lessons import explain

    path = tmp_path / "big.parquet"
    duckdb.connect().execute(
        "copy (select 'C' || (i % 100000)::varchar as customer_id, timestamp '2024-01-01' + "
        "interval (i % 700) day as timestamp, (i % 997) * 1.0 as amount from range(1000000) "
        f"t(i)) to '{path}'"
    )
    con = ibis.duckdb.connect(memory_limit="8MB", temp_directory="", threads=1)
    with pytest.raises(InputError, match="not enough memory to read") as err:
        read_transactions(path, con=con)
    assert "Parquet (" not in str(err.value)  # it is Parquet already
    assert explain(err.value, "ru").startswith("не хватает памяти, чтобы прочитать")


@pytest.mark.parametrize(
    ("argv", "lang"),
    [(["facts", "x.csv"], "en"), (["segment", "--lang", "ru"], "ru"), (["x", "--lang=ru"], "ru"),
     (["report", "-p", "lang=ru"], "ru"), (["report", "-p", "k=4"], "en")],
)  # fmt: skip
def test_an_error_line_in_the_language_asked_for(argv, lang, monkeypatch):
    import sys

    from clientlib import cli

    monkeypatch.setattr(sys, "argv", ["clientlib", *argv])
    assert cli._argv_lang() == lang
