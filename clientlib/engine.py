"""The Ibis connection: DuckDB in-process by default, Spark for data beyond one machine, or any
Ibis backend the caller already holds (Postgres, BigQuery, Snowflake, Trino…).

Every computation in clientlib is an Ibis expression; this module only decides where it runs and
how a result comes back to pandas (:func:`to_pandas`). Nothing here imports Ibis, DuckDB or pandas
until a function is called, so ``import clientlib.engine`` is free.
"""

from __future__ import annotations

import contextlib
import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - typing only
    import ibis.expr.types as ir
    import pandas as pd
    import pyarrow as pa

__all__ = ["connect", "default", "execute", "kept", "spark", "store", "to_pandas"]

#: Backends whose ``to_pyarrow`` is native (no detour through pandas): results come back through
#: Arrow. Others (Spark builds its Arrow table from pandas) use the backend's own ``to_pandas``.
ARROW_NATIVE = frozenset({"duckdb"})


@functools.lru_cache(maxsize=1)
def default() -> Any:
    """The process-wide in-process DuckDB connection, opened on first use.

    It is Ibis' default backend (where expressions on in-memory tables run) unless that is not
    DuckDB.

    Opening it costs ~0.25 s (mostly importing Ibis' SQL compilers), paid once per process and
    only by the paths that compute something.

    Examples
    --------
    >>> default() is default()
    True
    """
    import ibis

    # Ibis' own default backend, so that in-memory tables run where clientlib stores them.
    con = ibis.get_backend()
    return con if getattr(con, "name", None) == "duckdb" else ibis.duckdb.connect()


def spark(master: str = "local[2]", app_name: str = "clientlib", **conf: str) -> Any:
    """An Ibis connection to a Spark session (created or reused).

    The session time zone is set to UTC so that naive timestamps mean the same on every engine.
    Pass ``master="spark://host:7077"`` (or run under ``spark-submit``) for a cluster.

    Examples
    --------
    >>> con = spark()                              # doctest: +SKIP
    >>> facts = customer_facts(tx.table)           # doctest: +SKIP
    >>> to_pandas(facts, con)                      # doctest: +SKIP
    """
    import ibis
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
    """Return an Ibis backend: ``"duckdb"`` (default), ``"spark"``, or an existing connection.

    Examples
    --------
    >>> connect() is default()
    True
    """
    if not isinstance(backend, str):
        return backend
    if backend == "duckdb":
        if not kwargs:
            return default()
        import ibis

        return ibis.duckdb.connect(**kwargs)
    if backend in {"spark", "pyspark"}:
        return spark(**kwargs)
    raise ValueError(f"unknown engine {backend!r}: use 'duckdb', 'spark' or an Ibis connection")


def execute(expr: ir.Table, con: Any = None) -> pd.DataFrame:
    """Run an expression on ``con`` (default: DuckDB) and return pandas (see :func:`to_pandas`)."""
    return to_pandas(expr, default() if con is None else con)


def _backend(expr: ir.Expr, con: Any) -> Any:
    if con is not None:
        return con
    try:
        return expr._find_backend(use_default=True)
    except Exception:  # noqa: BLE001 - several backends in one expression: let Ibis raise later
        return None


def to_pandas(expr: ir.Expr, con: Any = None) -> pd.DataFrame | pd.Series | Any:
    """Run ``expr`` and return the result as pandas, collected through Arrow.

    The same frame as ``expr.to_pandas()`` — the same columns and dtypes: integers ``int64``
    (``float64`` where a column holds some nulls, ``object`` None when all are null, as Ibis gives
    them), dates ``datetime64[s]``, text pandas' string dtype — without Ibis' detour through Python
    ``date`` objects for dates and through ``to_pylist`` for every column holding a null.
    Integers an engine returns as decimals (sums of counts: DuckDB's ``HUGEINT``) come back as
    ``int64`` where the expression's type says integer. On backends without a native Arrow result
    (Spark) this is the backend's own ``to_pandas``.

    Parameters
    ----------
    expr : ibis Table, Column or Scalar
    con : Ibis backend, optional
        Where to run it; default: the backend the expression is bound to (DuckDB for memtables).

    Returns
    -------
    pandas.DataFrame for a table, Series for a column, a Python scalar for a scalar.

    Examples
    --------
    >>> import datetime as dt
    >>> import ibis
    >>> t = ibis.memtable({"n": [1, 2, None], "day": [dt.date(2024, 1, 2)] * 3},
    ...                   schema={"n": "int64", "day": "date"})
    >>> df = to_pandas(t.mutate(m=t.n.sum()))
    >>> [str(df[c].dtype) for c in df.columns]
    ['float64', 'datetime64[s]', 'int64']
    >>> to_pandas(t.n.sum())
    3
    """
    backend = _backend(expr, con)
    if getattr(backend, "name", None) not in ARROW_NATIVE:
        return expr.to_pandas() if con is None else con.to_pandas(expr)
    import pyarrow_hotfix  # noqa: F401  (what Ibis' own execute imports)

    table_expr = expr.as_table()
    schema = table_expr.schema()
    arrow = backend.to_pyarrow(table_expr) if con is not None else table_expr.to_pyarrow()
    # __pandas_result__ applies Ibis' dtype conversion (once: Ibis' own execute does it twice)
    return expr.__pandas_result__(_frame(arrow, schema), schema=schema)


def store(expr: ir.Table, con: Any = None, *, portable: bool = True) -> ir.Table:
    """Compute ``expr`` once and return its rows as a table that later queries scan.

    With ``portable`` (in-memory inputs) the rows come back as Arrow in an Ibis in-memory
    table: it runs on any engine, Spark included, and DuckDB scans it in place — and runs the
    facts' window and joins over it about twice as fast as over a temporary DuckDB table of the
    same rows (``benchmarks/README.md``). Otherwise (files DuckDB opened) the rows become a
    temporary table of ``con`` (default :func:`default`), which DuckDB spills to disk when it
    outgrows the memory limit. Either is released when the returned expression is no longer
    referenced, and so are the in-memory inputs of ``expr`` that DuckDB held for it.

    Examples
    --------
    >>> import ibis
    >>> t = store(ibis.memtable({"x": [1, 2, 3]}).mutate(y=ibis._.x * 2))
    >>> int(t.y.sum().to_pyarrow().as_py())
    12
    """
    import uuid
    import weakref

    import ibis
    import ibis.expr.operations as ops

    con = default() if con is None else con
    if portable:
        table = ibis.memtable(con.to_pyarrow(expr))
        weakref.finalize(table.op(), _unregister, con, table.op().name)
    else:
        name = f"clientlib_stored_{uuid.uuid4().hex}"
        con.create_table(name, expr, temp=True)
        table = con.table(name)
        weakref.finalize(table.op(), _drop, con, name)
    for memtable in expr.op().find(ops.InMemoryTable):
        # DuckDB keeps a registered Arrow input alive for the connection's lifetime.
        if memtable in con._memtables:
            con._memtables.discard(memtable)
            with contextlib.suppress(Exception):
                con.con.unregister(memtable.name)
    return table


def kept(expr: ir.Table) -> ir.Table:
    """``expr`` computed once on the engine it is bound to, for several queries to scan.

    DuckDB: a temporary table (:func:`store`; not Ibis' ``cache``, whose finalizer's ``DROP``
    fails to parse on DuckDB 2). Other engines: Ibis' ``cache`` (Spark's cache). Either lives
    until the returned table is no longer referenced. An engine that may not create tables
    gives ``expr`` back, to be recomputed by each query.

    Examples
    --------
    >>> import ibis
    >>> t = kept(ibis.memtable({"x": [1, 2, 2]}).group_by("x").agg(n=ibis._.count()))
    >>> sorted(t.to_pyarrow().column("n").to_pylist())
    [1, 2]
    """
    con = _backend(expr, None)
    if getattr(con, "name", None) == "duckdb":
        return store(expr, con, portable=False)
    try:
        return expr.cache()
    except Exception:  # noqa: BLE001 - an engine that may not create tables: recompute instead
        return expr


def _drop(con: Any, name: str) -> None:
    with contextlib.suppress(Exception):  # the connection may be closed already
        con.raw_sql(f'DROP TABLE IF EXISTS temp.main."{name}"')  # our own generated name


def _unregister(con: Any, name: str) -> None:
    with contextlib.suppress(Exception):  # never registered, or the connection is closed
        con.con.unregister(name)


def arrow_to_pandas(table: pa.Table, schema: Any) -> pd.DataFrame:
    """A pyarrow Table as the pandas frame Ibis would give for ``schema`` (see :func:`to_pandas`).

    Examples
    --------
    >>> import ibis, pyarrow as pa
    >>> t = pa.table({"x": pa.array([1, 2], pa.decimal128(38, 0))})
    >>> arrow_to_pandas(t, ibis.schema({"x": "int64"}))["x"].dtype
    dtype('int64')
    """
    from ibis.formats.pandas import PandasData

    return PandasData.convert_table(_frame(table, schema), schema)


def _frame(table: pa.Table, schema: Any) -> pd.DataFrame:
    """The columns of ``table`` as pandas, before Ibis' dtype conversion."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.types as pat

    columns = {}
    for (name, dtype), col in zip(schema.items(), table.columns, strict=True):
        if pat.is_decimal(col.type) and dtype.is_integer():
            col = col.cast(pa.int64())  # exact: the engine's type is wider than the values
        if (
            pat.is_nested(col.type)
            or pat.is_dictionary(col.type)
            or (col.null_count and pat.is_boolean(col.type))
        ):
            columns[name] = pd.Series(col.to_pylist())  # as Ibis: Python objects, None for null
        elif col.null_count and col.null_count == len(col) and not pat.is_floating(col.type):
            columns[name] = pd.Series([None] * len(col), dtype=object)  # as Ibis: all None
        else:
            # integers with some nulls become float64 with NaN, as Ibis' lists of int and None do
            columns[name] = col.to_pandas(date_as_object=False)
    return pd.DataFrame(columns) if columns else pd.DataFrame(index=range(table.num_rows))
