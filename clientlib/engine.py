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

__all__ = ["connect", "default", "execute", "kept", "read_parquet", "spark", "store", "to_pandas"]

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
    backend = _spark_backend()  # imports Ibis' backend first, where PySpark's warning is handled
    ibis.pyspark  # noqa: B018  (loading Ibis' backend registers its options)
    return backend().connect(builder.getOrCreate())


@functools.cache
def _spark_backend() -> type:
    """Ibis' PySpark backend, exchanging rows with Spark as Arrow where PySpark can (>= 4.0).

    Ibis 12 sends every in-memory table to Spark and every result back through pandas, where
    PySpark 4 converts with ``astype(copy=False)``, deprecated in pandas 3. PySpark 4 takes and
    gives Arrow tables (``createDataFrame``, ``toArrow``); the frames are the same (Ibis'
    ``PySparkPandasData`` converts either). Decimal columns keep Ibis' own path.
    """
    import warnings

    with warnings.catch_warnings():
        # PySpark 4.3 warns once, when Ibis' backend defines a pandas_udf at import, that its
        # pandas >= 3 support is incomplete. clientlib exchanges rows with Spark as Arrow (below)
        # and its tests compare every Spark result with DuckDB's, so the warning, which names
        # no fix a user could make, is not shown; anywhere else it is an error in the tests.
        warnings.filterwarnings(
            "ignore", "PySpark does not yet fully support pandas", FutureWarning
        )
        from ibis.backends.pyspark import Backend
    from ibis.backends.pyspark.converter import PySparkPandasData
    from ibis.backends.pyspark.datatypes import PySparkSchema
    from pyspark.sql import DataFrame

    if not hasattr(DataFrame, "toArrow"):  # PySpark 3.5
        return Backend

    class ArrowSpark(Backend):
        def _register_in_memory_table(self, op: Any) -> None:
            schema = op.schema
            if any(dtype.is_decimal() for dtype in schema.types):
                return super()._register_in_memory_table(op)
            df = self._session.createDataFrame(op.data.to_pyarrow(schema),
                                               schema=PySparkSchema.from_ibis(schema))
            df.createOrReplaceTempView(op.name)
            return None

        def execute(self, expr: Any, /, *, params: Any = None, limit: Any = None,
                    **kwargs: Any) -> Any:
            self._run_pre_execute_hooks(expr)
            table = expr.as_table()
            schema = table.schema()
            if any(dtype.is_decimal() for dtype in schema.types):
                return super().execute(expr, params=params, limit=limit, **kwargs)
            sql = self.compile(table, params=params, limit=limit, **kwargs)
            with self._safe_raw_sql(sql) as query:
                arrow = query.toArrow()
            frame = PySparkPandasData.convert_table(arrow.to_pandas(), schema)
            return expr.__pandas_result__(frame)

    return ArrowSpark


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
    return expr.__pandas_result__(_frame(arrow, schema), schema=schema, data_mapper=_pandas_data())


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
        table = _create_temp_table(con, name, expr)
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
    return _pandas_data().convert_table(_frame(table, schema), schema)


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


# --- Ibis 12 on DuckDB 2 and pandas 3 ----------------------------------------------------------
# Ibis 12 reads a DuckDB table's schema with ``fetch_arrow_table()`` (deprecated in DuckDB 2 for
# ``to_arrow_table()``), and converts results to pandas asking pandas for its ``future.
# infer_string`` option (deprecated in pandas 3, where it is always on). clientlib's own calls
# take the same steps without either: a temporary table and a Parquet view are created as Ibis
# creates them and described with ``to_arrow_table``; results are converted by Ibis' own
# ``PandasData`` with the dtype that option gave. pyproject's filterwarnings turn both
# deprecations into errors, so a path that meets them again fails the tests.


def _duckdb_table(con: Any, name: str) -> ir.Table:
    """``con.table(name)`` of Ibis' DuckDB backend, the schema read with ``to_arrow_table``."""
    import ibis.expr.operations as ops
    import ibis.expr.schema as sch
    import sqlglot as sg
    import sqlglot.expressions as sge

    query = sge.Describe(this=sg.table(name, quoted=con.compiler.quoted)).sql(con.dialect)
    meta = con.con.sql(query).to_arrow_table()
    mapper = con.compiler.type_mapper
    schema = sch.Schema({
        col: mapper.from_string(typ, nullable=null == "YES")
        for col, typ, null in zip(meta["column_name"].to_pylist(),
                                  meta["column_type"].to_pylist(),
                                  meta["null"].to_pylist(), strict=True)
    })  # fmt: skip
    return ops.DatabaseTable(name, schema=schema, source=con,
                             namespace=ops.Namespace(catalog=None, database=None)).to_expr()


def _create_temp_table(con: Any, name: str, expr: ir.Table) -> ir.Table:
    """``con.create_table(name, expr, temp=True)`` then ``con.table(name)``, as Ibis 12 does it.

    The columns are declared from the expression's schema, then the rows inserted.
    """
    import sqlglot as sg
    import sqlglot.expressions as sge

    con._run_pre_execute_hooks(expr)  # registers the in-memory tables the query reads
    quoted, dialect = con.compiler.quoted, con.dialect
    target = sg.table(name, catalog="temp", db="main", quoted=quoted)
    create = sge.Create(
        kind="TABLE",
        this=sge.Schema(this=target, expressions=expr.schema().to_sqlglot_column_defs(dialect)),
        properties=sge.Properties(expressions=[sge.TemporaryProperty()]),
    )
    insert = sge.insert(con.compiler.to_sqlglot(expr), into=target,
                        columns=[sge.to_identifier(c, quoted=quoted) for c in expr.columns])
    with con._safe_raw_sql(create) as cur:
        cur.execute(insert.sql(dialect)).fetchall()
    return _duckdb_table(con, name)


def read_parquet(con: Any, paths: str | list[str]) -> ir.Table:
    """``con.read_parquet(paths)``: a view over Parquet files (DuckDB as Ibis 12 makes it).

    Other backends: their own ``read_parquet``.

    Examples
    --------
    >>> import tempfile, pathlib, pyarrow as pa, pyarrow.parquet as pq
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.parquet"
    >>> pq.write_table(pa.table({"x": [1, 2]}), p)
    >>> read_parquet(default(), str(p)).x.sum().to_pyarrow().as_py()
    3
    """
    if getattr(con, "name", None) != "duckdb":
        return con.read_parquet(paths)
    import sqlglot as sg
    from ibis import util

    files = util.normalize_filenames(paths)
    name = util.gen_name("read_parquet")
    if any(f.startswith(("http://", "https://", "s3://")) for f in files):
        con._load_extensions(["httpfs"])
    con._create_temp_view(name, sg.select("*").from_(con.compiler.f.read_parquet(files)))
    return _duckdb_table(con, name)


@functools.cache
def _pandas_data() -> Any:
    """Ibis' ``PandasData`` with the dtypes of its ``PandasType.from_ibis`` under pandas 3."""
    import numpy as np
    import pandas as pd
    import pandas.api.types as pdt
    from ibis.formats import pandas as ibis_pandas
    from ibis.formats.numpy import NumpyType

    if int(pd.__version__.split(".")[0]) < 3:
        return ibis_pandas.PandasData  # the option is not deprecated there: Ibis' own
    resolution = ibis_pandas._DEFAULT_DATETIME_RESOLUTION

    def pandas_type(dtype: Any) -> Any:
        # PandasType.from_ibis of Ibis 12, with the option's answer under pandas 3 (always on)
        if dtype.is_string():
            return pd.StringDtype(na_value=np.nan)
        if dtype.is_timestamp():
            return (pdt.DatetimeTZDtype(resolution, dtype.timezone) if dtype.timezone
                    else np.dtype(f"datetime64[{resolution}]"))
        if dtype.is_date():
            return np.dtype("datetime64[s]")
        if dtype.is_interval():
            return np.dtype(f"timedelta64[{dtype.unit.short}]")
        return NumpyType.from_ibis(dtype)

    class Pandas3Data(ibis_pandas.PandasData):
        @classmethod
        def convert_column(cls, obj: Any, dtype: Any) -> Any:
            convert = getattr(cls, f"convert_{dtype.__class__.__name__}", cls.convert_default)
            return convert(obj, dtype, pandas_type(dtype))

        @classmethod
        def convert_scalar(cls, obj: Any, dtype: Any) -> Any:
            import ibis.expr.schema as sch

            value = cls.convert_table(obj, sch.Schema({str(obj.columns[0]): dtype})).iat[0, 0]
            try:  # as Ibis' convert_scalar
                return value.tolist() if dtype.is_array() else value.item()
            except AttributeError:
                return value

    return Pandas3Data
