"""Readers: mapping, types, the quality report, returns policy, time zones and file formats."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from clientlib.io import parse_analysis_date, read_customers, read_events, read_transactions
from clientlib.options import InputOptions
from clientlib.schema import (
    ClientlibError,
    ColumnTypeError,
    EmptyInputError,
    MissingColumnsError,
    ReturnsError,
    parse_mapping,
)


def _tx(**cols):
    base = {
        "customer_id": ["a", "a", "b", "c"],
        "timestamp": ["2024-01-01", "2024-01-10", "2024-01-05", "2024-01-07"],
        "amount": [10.0, 20.0, 5.0, 7.0],
    }
    base.update(cols)
    return pd.DataFrame(base)


def test_mapping_renames_user_columns():
    df = _tx().rename(columns={"customer_id": "Client", "timestamp": "When", "amount": "Sum"})
    loaded = read_transactions(df, parse_mapping("customer_id=Client,timestamp=When,amount=Sum"))
    out = loaded.table.to_pandas()
    assert set(out.columns) >= {"customer_id", "timestamp", "amount", "order_id"}
    assert loaded.quality.rows_used == 4


def test_missing_column_names_it_and_the_columns_found():
    df = _tx().drop(columns="amount")
    with pytest.raises(MissingColumnsError) as err:
        read_transactions(df)
    msg = str(err.value)
    assert "amount" in msg and "customer_id, timestamp" in msg and "--map" in msg


def test_mapping_to_absent_column_is_refused():
    with pytest.raises(MissingColumnsError, match=r"amount=Revenue.*columns found"):
        read_transactions(_tx(), {"amount": "Revenue"})


def test_bad_mapping_syntax_and_unknown_role():
    with pytest.raises(ClientlibError, match="ROLE=COLUMN"):
        parse_mapping("customer_id")
    with pytest.raises(ClientlibError, match="unknown role 'client'"):
        parse_mapping("client=x")


def test_wrong_type_with_no_usable_row_names_column_count_examples():
    df = _tx(amount=["ten", "twenty", "five", "seven"])
    with pytest.raises(ColumnTypeError) as err:
        read_transactions(df)
    msg = str(err.value)
    assert "'amount'" in msg and "4 values" in msg and "'ten', 'twenty', 'five'" in msg


def test_empty_and_header_only_inputs(tmp_path):
    header_only = tmp_path / "h.csv"
    header_only.write_text("customer_id,timestamp,amount\n")
    with pytest.raises(EmptyInputError, match="no data rows"):
        read_transactions(header_only)
    empty = tmp_path / "e.csv"
    empty.write_text("")
    with pytest.raises(EmptyInputError, match="empty"):
        read_transactions(empty)
    with pytest.raises(EmptyInputError):
        read_transactions(_tx().iloc[:0])


def test_quality_report_counts_every_row_by_reason():
    df = pd.DataFrame(
        {
            "customer_id": ["a", "a", None, "", "b", "b", "c", "d", "e"],
            "timestamp": [
                "2024-01-01",
                "2024-01-01",
                "2024-01-02",
                "2024-01-02",
                "nope",
                "2024-01-03",
                "2024-03-01",
                "2024-01-04",
                "2024-01-04",
            ],
            "amount": [10, 10, 5, 5, 5, 0, 9, "x", -3],
        }
    )
    loaded = read_transactions(
        df, analysis_date="2024-02-01", duplicates="drop", zero_amount="drop"
    )
    q = loaded.quality
    assert q.excluded == {
        "missing_customer_id": 2,
        "unparsable_timestamp": 1,
        "unparsable_amount": 1,
        "after_analysis_date": 1,
        "zero_amount": 1,
        "duplicate": 1,
    }
    assert q.rows_read == 9 and q.rows_used == 2
    q.check()
    # Customers a, b, c, d, e: a and e are used; b lost its lines (unparsable date, zero),
    # c (after the analysis date) and d (amount x) have none left; e has only a return.
    assert q.customers == 2
    assert q.customers_without_purchase == {
        "unparsable_timestamp": 1,
        "unparsable_amount": 1,
        "after_analysis_date": 1,
        "only_return_lines": 1,
    }
    # The defaults keep the zero-amount line and the repeated line (noted, not excluded).
    default = read_transactions(df, analysis_date="2024-02-01").quality
    assert default.rows_used == 4 and "zero_amount" not in default.excluded
    assert default.notes["duplicates_kept"] == 1 and default.notes["zero_amount_lines_kept"] == 1
    assert default.orders == 3 and default.revenue == 10 + 10 + 0 - 3
    assert q.examples["unparsable_timestamp"] == [{"row": 5, "value": "nope"}]
    assert q.notes["return_lines_netted"] == 1
    frame = q.to_frame()
    assert frame["rows"].sum() == 9


def test_returns_policy():
    df = _tx(amount=[10.0, -4.0, 5.0, 7.0])
    assert read_transactions(df, returns="net").quality.rows_used == 4
    dropped = read_transactions(df, returns="drop").quality
    assert dropped.excluded == {"return_line": 1} and dropped.rows_used == 3
    with pytest.raises(ReturnsError, match="1 return lines"):
        read_transactions(df, returns="error")
    with pytest.raises(ClientlibError, match="returns: must be one of"):
        read_transactions(df, returns="keep")


def test_time_zone_rule_aware_to_utc_naive_kept_date_is_midnight():
    df = _tx(
        timestamp=["2024-01-01T23:30:00-02:00", "2024-01-10 08:00", "2024-01-05", "2024-01-07"]
    )
    out = read_transactions(df).table.to_pandas().sort_values(["customer_id", "timestamp"])
    got = list(out["timestamp"])
    assert got[0] == pd.Timestamp("2024-01-02 01:30")
    assert got[1] == pd.Timestamp("2024-01-10 08:00")
    assert got[2] == pd.Timestamp("2024-01-05 00:00")


def test_tz_aware_pandas_column():
    ts = pd.to_datetime(
        ["2024-01-01 23:00", "2024-01-02 00:00", "2024-01-03 00:00", "2024-01-04 00:00"]
    ).tz_localize("Europe/Moscow")
    out = read_transactions(_tx(timestamp=ts)).table.to_pandas().sort_values("timestamp")
    assert out["timestamp"].iloc[0] == pd.Timestamp("2024-01-01 20:00")


def test_default_analysis_date_is_day_after_last_transaction():
    loaded = read_transactions(_tx())
    assert loaded.analysis_date == dt.date(2024, 1, 11)
    assert "2024-01-11" in loaded.quality.notes["analysis_date"]


def test_analysis_date_that_is_not_a_date():
    with pytest.raises(ClientlibError, match="analysis_date: write the date as YYYY-MM-DD"):
        parse_analysis_date("yesterday-ish")
    # ISO only: no day-first or month-first guessing for the cut-off either.
    with pytest.raises(ClientlibError, match="YYYY-MM-DD"):
        parse_analysis_date("01/02/2024")
    with pytest.raises(ClientlibError, match="YYYY-MM-DD"):
        read_transactions(_tx(), analysis_date="31/31/2024")


def test_line_items_quantity_times_price_and_order_ids():
    df = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b"],
            "order_id": ["o1", "o1", "o2", "o3"],
            "timestamp": ["2024-01-01", "2024-01-01", "2024-01-05", "2024-01-02"],
            "quantity": [2, 1, 3, 1],
            "unit_price": [5.0, 4.0, 1.5, 10.0],
        }
    )
    out = read_transactions(df).table.to_pandas().sort_values(["order_id", "amount"])
    assert list(out["amount"]) == [4.0, 10.0, 4.5, 10.0]
    assert sorted(out["order_id"].unique()) == ["o1", "o2", "o3"]


def test_bom_semicolon_decimal_comma_csv(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "\ufeffcustomer_id;timestamp;amount\na;2024-01-01;10,50\nb;2024-01-02;1 234,25\n".encode()
    )
    loaded = read_transactions(path)
    out = loaded.table.to_pandas().sort_values("customer_id")
    assert list(out["amount"]) == [10.5, 1234.25]
    assert loaded.quality.notes["amount_format"] == "decimal comma"


def test_non_utf8_file_is_read_in_its_encoding_or_refused_with_the_option(tmp_path):
    path = tmp_path / "cp1251.csv"
    path.write_bytes("customer_id,timestamp,amount\nИван,2024-01-01,5\n".encode("cp1251"))
    loaded = read_transactions(path)  # detected (issue 23)
    assert loaded.table.to_pandas()["customer_id"].iloc[0] == "Иван"
    # one Cyrillic letter cannot tell cp1251 from KOI8-R: refused with the option
    path.write_bytes("customer_id,timestamp,amount\nЯ,2024-01-01,5\n".encode("cp1251"))
    with pytest.raises(ClientlibError, match="--encoding"):
        read_transactions(path)
    loaded = read_transactions(path, encoding="cp1251")
    assert loaded.table.to_pandas()["customer_id"].iloc[0] == "Я"


def test_parquet_polars_and_pandas_agree(tmp_path):
    pl = pytest.importorskip("polars")
    df = _tx(timestamp=pd.to_datetime(["2024-01-01", "2024-01-10", "2024-01-05", "2024-01-07"]))
    path = tmp_path / "tx.parquet"
    df.to_parquet(path)
    cols = ["customer_id", "timestamp", "amount"]
    frames = [
        read_transactions(src).table.to_pandas()[cols].sort_values(cols).reset_index(drop=True)
        for src in (df, path, pl.from_pandas(df))
    ]
    for other in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], other, check_dtype=False)


def test_three_parquet_files_give_the_facts_of_the_same_frames(tmp_path):
    # Each file used to open a DuckDB connection of its own: the facts (one query joining the
    # stored rows of all three) failed with "Table ... does not exist".
    from clientlib import datasets
    from clientlib.engine import to_pandas
    from clientlib.features import customer_facts

    ds = datasets.load("workshop", n_customers=200, seed=8)
    paths = {}
    for name in ("transactions", "events", "customers"):
        paths[name] = tmp_path / f"{name}.parquet"
        getattr(ds, name).to_parquet(paths[name], index=False)

    def facts(tx_src, ev_src, cu_src):
        tx = read_transactions(tx_src, ds.mapping)
        ev = read_events(ev_src, analysis_date=tx.analysis_date)
        got = to_pandas(customer_facts(tx, ev, read_customers(cu_src)))
        return got.sort_values("customer_id", ignore_index=True)

    from_files = facts(paths["transactions"], paths["events"], paths["customers"])
    from_frames = facts(ds.transactions, ds.events, ds.customers)
    assert len(from_files) == 200
    pd.testing.assert_frame_equal(from_files, from_frames, check_dtype=False)


def test_input_frame_is_not_modified():
    df = _tx(timestamp=["2024-01-01", "bad", "2024-01-05", "2024-01-07"])
    before = df.copy()
    read_transactions(df)
    pd.testing.assert_frame_equal(df, before)


def test_events_and_customers():
    ev = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", None],
            "timestamp": ["2024-01-01", "2024-01-01", "2024-02-02", "2024-01-01"],
            "kind": ["Contact", "Contact", "gossip", "lead"],
            "sentiment": ["negative", "negative", None, None],
        }
    )
    loaded = read_events(ev, analysis_date="2024-03-01", options=InputOptions(duplicates="drop"))
    assert loaded.quality.excluded == {"missing_customer_id": 1, "duplicate": 1}
    out = loaded.table.to_pandas().sort_values("customer_id")
    assert list(out["kind"]) == ["contact", "gossip"] and out["sentiment"].iloc[0] == -1.0
    assert any("gossip" in w for w in loaded.quality.warnings)

    cu = pd.DataFrame(
        {"customer_id": ["a", "a", "b", "b"], "likes_usp": ["yes", "yes", "no", "да"]}
    )
    loaded = read_customers(cu)
    assert loaded.quality.excluded == {"duplicate": 1, "duplicate_customer": 1}
    out = loaded.table.to_pandas()
    assert out["likes_usp"].tolist() == [True, False]


def test_typed_and_text_frames_give_the_same_rows():
    """Typed columns skip pandas parsing; the engine must then strip, cast and check the same."""
    text = pd.DataFrame(
        {
            "customer_id": [" a", "a ", "b", "", "c"],
            "timestamp": ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"],
            "amount": ["10", "20", "5", "7", "0"],
        }
    )
    typed = text.assign(
        customer_id=text["customer_id"].astype("string"),
        timestamp=pd.to_datetime(text["timestamp"]),
        amount=pd.to_numeric(text["amount"]),
    )
    a = read_transactions(text, analysis_date="2024-02-01", zero_amount="drop")
    b = read_transactions(typed, analysis_date="2024-02-01", zero_amount="drop")
    assert a.quality.excluded == b.quality.excluded == {"missing_customer_id": 1, "zero_amount": 1}
    cols = ["customer_id", "timestamp", "amount"]
    rows_a = a.table.to_pandas().sort_values(cols).reset_index(drop=True)
    rows_b = b.table.to_pandas().sort_values(cols).reset_index(drop=True)
    pd.testing.assert_frame_equal(rows_a, rows_b)
    assert rows_b["customer_id"].tolist() == ["a", "a", "b"]
    # Integer ids are read as text too.
    ints = read_transactions(typed.assign(customer_id=[1, 1, 2, 3, 4]), analysis_date="2024-02-01")
    # Customer 4's zero-amount line is an order with zero spend (--zero-amount keep).
    assert sorted(ints.table.to_pandas()["customer_id"].unique()) == ["1", "2", "3", "4"]


def test_unmapped_columns_decide_what_is_an_exact_duplicate():
    df = _tx(
        customer_id=["a", "a", "a", "b"],
        timestamp=["2024-01-01"] * 4,
        amount=[10.0, 10.0, 10.0, 5.0],
        store=["north", "south", "south", "north"],
    )
    q = read_transactions(df, duplicates="drop").quality
    # Rows 2 and 3 are the same whole row; row 1 differs in the unmapped 'store' column.
    assert q.excluded == {"duplicate": 1} and q.rows_used == 3
    assert read_transactions(df.drop(columns="store"), duplicates="drop").quality.excluded == {
        "duplicate": 2
    }


def test_clean_rows_keep_absent_roles_as_constants():
    loaded = read_transactions(_tx(), analysis_date="2024-02-01")
    out = loaded.table.to_pandas()
    assert out["order_id"].isna().all() and (out["discount"] == 0.0).all()
    assert not out["is_express"].any() and not out["is_premium"].any()
    assert loaded.table.schema()["order_id"].is_string()


def test_mapped_but_unused_columns_still_tell_rows_apart():
    # Two free items in one order: same amount (0) and time, different list prices.
    df = _tx(
        customer_id=["a", "a", "b", "c"],
        timestamp=["2024-01-01"] * 4,
        amount=[0.0, 0.0, 5.0, 7.0],
        unit_price=[123.65, 78.18, 5.0, 7.0],
        quantity=[1, 1, 1, 1],
        discount=[1.0, 1.0, 0.0, 0.0],
    )
    q = read_transactions(df, duplicates="drop").quality
    assert "duplicate" not in q.excluded and q.rows_used == 4


def _count_queries(monkeypatch) -> list[str]:
    """Record every call that runs SQL on DuckDB (what the engine is asked to do)."""
    from ibis.backends.duckdb import Backend

    calls: list[str] = []
    depth = [0]  # calls made inside a recorded call (execute -> to_pyarrow) are not new queries
    for name in ("execute", "to_pyarrow", "create_table", "raw_sql"):
        orig = getattr(Backend, name)

        def wrapped(self, *args, _orig=orig, _name=name, **kwargs):
            dropping = isinstance(args[0], str) and args[0].startswith("DROP")  # released tables
            if not depth[0] and not dropping:
                calls.append(_name)
            depth[0] += 1
            try:
                return _orig(self, *args, **kwargs)
            finally:
                depth[0] -= 1

        monkeypatch.setattr(Backend, name, wrapped)
    return calls


def test_a_clean_input_is_typed_once_and_accounted_in_one_query(monkeypatch):
    # The whole quality report of a clean input (reasons, duplicates, customers, orders,
    # revenue, dates, returns, customers without a purchase) comes from one aggregate over the
    # stored rows; the analysis date, when not given, from one more.
    df = _tx(order_id=["o1", "o2", "o3", "o4"])
    calls = _count_queries(monkeypatch)
    loaded = read_transactions(df, analysis_date="2024-02-01")
    assert calls == ["to_pyarrow", "execute"]
    assert (loaded.quality.customers, loaded.quality.orders) == (3, 4)
    calls.clear()
    read_transactions(df)
    assert calls == ["to_pyarrow", "execute", "execute"]


def test_stored_rows_of_an_in_memory_input_are_the_typed_rows():
    df = _tx(amount=[10.0, -20.0, 5.0, 0.0])
    loaded = read_transactions(df, analysis_date="2024-02-01")
    out = loaded.table.to_pandas().sort_values(["customer_id", "timestamp"])
    assert out["amount"].tolist() == [10.0, -20.0, 5.0, 0.0]
    assert not {"_early", "_key", "_reason", "_rowkey"} & set(out.columns)
    q = loaded.quality
    assert (q.customers, q.orders, q.revenue) == (3, 3, -5.0)
    assert q.notes["return_lines_netted"] == 1 and q.notes["zero_amount_lines_kept"] == 1
