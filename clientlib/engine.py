"""The Ibis connection: DuckDB in-process by default, Spark for data beyond one machine, or any
Ibis backend the caller already holds (Postgres, BigQuery, Snowflake, Trino…).

Every computation in clientlib is an Ibis expression; this module only decides where it runs.
"""

from __future__ import annotations

import functools
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd


@functools.lru_cache(maxsize=1)
def default() -> Any:
    """The process-wide in-process DuckDB connection (memtables and local files run here)."""
    return ibis.duckdb.connect()


def spark(master: str = "local[2]", app_name: str = "clientlib", **conf: str) -> Any:
    """An Ibis connection to a Spark session (created or reused).

    The session time zone is set to UTC so that naive timestamps mean the same on every engine.
    Pass ``master="spark://host:7077"`` (or run under ``spark-submit``) for a cluster.

    Examples
    --------
    >>> con = spark()                              # doctest: +SKIP
    >>> facts = customer_facts(tx.table)           # doctest: +SKIP
    >>> con.to_pandas(facts)                       # doctest: +SKIP
    """
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.ansi.enabled", "false")
    )
    for key, value in conf.items():
        builder = builder.config(key, value)
    return ibis.pyspark.connect(builder.getOrCreate())


def connect(backend: str | Any = "duckdb", **kwargs: Any) -> Any:
    """Return an Ibis backend: ``"duckdb"`` (default), ``"spark"``, or an existing connection."""
    if not isinstance(backend, str):
        return backend
    if backend == "duckdb":
        return default() if not kwargs else ibis.duckdb.connect(**kwargs)
    if backend in {"spark", "pyspark"}:
        return spark(**kwargs)
    raise ValueError(f"unknown engine {backend!r}: use 'duckdb', 'spark' or an Ibis connection")


def execute(expr: ir.Table, con: Any = None) -> pd.DataFrame:
    """Run an expression on ``con`` (default: DuckDB) and return a pandas DataFrame."""
    con = default() if con is None else con
    return con.to_pandas(expr)
