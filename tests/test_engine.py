"""engine.to_pandas: the same frame as Ibis' own ``to_pandas`` (the oracle), through Arrow."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
import pyarrow as pa
import pytest

from clientlib import datasets, engine
from clientlib.features import customer_facts, rfm_summary
from clientlib.io import read_events, read_transactions

SCHEMA = {
    "id": "string",
    "n": "int64",
    "n_null": "int64",
    "flag": "boolean",
    "flag_null": "boolean",
    "x": "float64",
    "x_null": "float64",
    "day": "date",
    "day_null": "date",
    "ts": "timestamp",
    "ts_null": "timestamp",
    "s_null": "string",
    "all_null": "int64",
}


@pytest.fixture(scope="module")
def mixed() -> ibis.Table:
    """Every type clientlib's results carry, each with and without nulls."""
    d, t = dt.date(2024, 2, 29), dt.datetime(2024, 2, 29, 13, 5, 7)
    return ibis.memtable(
        {
            "id": ["a", "b", "c"],
            "n": [1, -2, 2**40],
            "n_null": [1, None, 3],
            "flag": [True, False, True],
            "flag_null": [True, None, False],
            "x": [0.5, 1.5, -2.0],
            "x_null": [0.5, None, 2.0],
            "day": [d, dt.date(1999, 12, 31), dt.date(2030, 1, 1)],
            "day_null": [None, d, d],
            "ts": [t, t, t],
            "ts_null": [t, None, t],
            "s_null": ["x", None, "z"],
            "all_null": [None, None, None],
        },
        schema=SCHEMA,
    )


@pytest.fixture(scope="module")
def workshop():
    ds = datasets.load("workshop", n_customers=300, seed=11)
    tx = read_transactions(ds.transactions, ds.mapping)
    ev = read_events(ds.events, analysis_date=tx.analysis_date)
    return tx, ev


def test_mixed_types_equal_ibis(mixed):
    got = engine.to_pandas(mixed)
    pd.testing.assert_frame_equal(got, mixed.to_pandas())
    # the dtypes the notebooks show: ints int64 (float64 with some nulls), dates datetime64[s]
    assert got["n"].dtype == "int64" and got["n"].iloc[2] == 2**40
    assert got["n_null"].dtype == "float64" and got["n_null"].isna().tolist() == [0, 1, 0]
    assert got["day"].dtype == "datetime64[s]" and got["day_null"].isna().tolist() == [1, 0, 0]


def test_facts_equal_ibis(workshop):
    tx, ev = workshop
    for expr in (customer_facts(tx, ev), rfm_summary(tx)):
        pd.testing.assert_frame_equal(engine.to_pandas(expr), expr.to_pandas())


def test_column_scalar_and_empty(mixed):
    pd.testing.assert_series_equal(engine.to_pandas(mixed.day), mixed.day.to_pandas())
    assert engine.to_pandas(mixed.n.sum()) == mixed.n.sum().to_pandas() == 1 - 2 + 2**40
    empty = mixed.filter(mixed.n > 2**50)
    pd.testing.assert_frame_equal(engine.to_pandas(empty), empty.to_pandas())


def test_explicit_connection(mixed):
    con = engine.default()
    pd.testing.assert_frame_equal(engine.to_pandas(mixed, con), con.to_pandas(mixed))


def test_decimal_counts_become_int64():
    # DuckDB sums integers into HUGEINT, which reaches Arrow as decimal128(38, 0)
    rel = engine.default().con.sql("SELECT sum(x) AS n FROM range(3) t(x)").to_arrow_table()
    assert pa.types.is_decimal(rel.schema.field("n").type)
    big = pa.table({"n": pa.array([2**62 + 1], pa.decimal128(38, 0))})
    for table, want in ((rel, [0 + 1 + 2]), (big, [2**62 + 1])):
        got = engine.arrow_to_pandas(table, ibis.schema({"n": "int64"}))
        assert got["n"].dtype == "int64" and got["n"].tolist() == want


def test_default_is_lazy_and_shared():
    assert engine.connect() is engine.default() is engine.default()
    with pytest.raises(ValueError, match="unknown engine"):
        engine.connect("sqlite3")


@pytest.mark.spark
def test_spark_equals_ibis_and_duckdb(spark_con, mixed, workshop):
    spark_con.create_view("engine_mixed", mixed, overwrite=True)
    t = spark_con.table("engine_mixed").order_by("id")
    got = engine.to_pandas(t, spark_con)
    pd.testing.assert_frame_equal(got, spark_con.to_pandas(t))
    duck = engine.to_pandas(mixed.order_by("id"))
    # Spark's own representation differs in two places: its timestamps' unit, and an all-null
    # integer column (NaN there, None in Ibis' DuckDB result); the values are the same
    pd.testing.assert_frame_equal(
        got.drop(columns="all_null"), duck.drop(columns="all_null"), check_dtype=False
    )
    assert got["all_null"].isna().all() and duck["all_null"].isna().all()
    assert got["n"].dtype == duck["n"].dtype == "int64"


def test_stored_rows_are_released_with_the_last_reference():
    # read_transactions keeps its rows in DuckDB; a notebook that reads the same export ten
    # times must not hold ten copies (nor the Arrow inputs DuckDB was given to copy from).
    import gc

    con = engine.default()

    def held() -> tuple[int, int]:
        tables = con.raw_sql("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchall()[0]
        views = con.raw_sql("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchall()[0]
        return tables[0], views[0]

    gc.collect()
    before = held()
    df = pd.DataFrame(
        {
            "customer_id": ["a", "b"] * 50,
            "timestamp": pd.date_range("2024-01-01", periods=100, freq="h"),
            "amount": 1.0,
        }
    )
    for _ in range(3):
        tx = read_transactions(df)
        assert engine.to_pandas(tx.table.count()) == 100
        assert sum(held()) == sum(before) + 1  # this read's rows, nothing of the earlier ones
    del tx
    gc.collect()
    assert held() == before
