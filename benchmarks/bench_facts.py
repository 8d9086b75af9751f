"""Customer facts (the RFM summary) from N synthetic transactions: clientlib against its peers.

Run: ``.venv/bin/python benchmarks/bench_facts.py --n 1000000 --repeat 3``
(``--tools clientlib-pandas,duckdb-sql`` for a subset, ``--keep`` to keep the data file).

Every tool computes, per customer, at the same analysis date (the day after the last
transaction): ``frequency`` (distinct purchase days − 1), ``recency`` (days first → last purchase
day), ``T`` (days first purchase day → analysis date) — lifetimes' summary — plus ``monetary``
(total spend) and ``orders`` (transactions) where the tool has them. Before the timings are
trusted, every tool's output is checked equal to the hand-written pandas groupby on the whole
result (sorted by customer).

Each tool runs in a fresh subprocess that first loads the input (pandas tools: the Parquet file
read into a pandas DataFrame, not timed) and then runs the tool ``--repeat`` times; the table shows
the median wall time and the peak RSS during the timed runs (sampled every 5 ms by psutil), the
RSS before the input was loaded (interpreter + libraries) and the input columns' size in bytes
(``DataFrame.memory_usage(deep=True)``). ``mem ratio`` = (peak − RSS before the input) / input
bytes: the memory the data costs, the input itself included.

The data is deterministic: DuckDB writes it from ``range(n)`` with hash-derived customers (n / 10
of them), timestamps (second resolution, 2021-01-01 .. 2023-12-31) and lognormal amounts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
CUTOFF = dt.date(2024, 1, 1)  # the day after the last possible transaction
SECONDS = 3 * 365 * 86400  # 2021-01-01 .. 2023-12-31
TOOLS = (
    "clientlib-pandas",
    "clientlib-pandas-ibis-collect",
    "clientlib-parquet",
    "clientlib-all-facts",
    "clientlib-summary-only",
    "clientlib-facts-only",
    "lifetimes",
    "rfm",
    "pandas-groupby",
    "duckdb-sql",
    "duckdb-sql-parquet",
    "polars",
    "polars-parquet",
)
PARQUET_TOOLS = {"clientlib-parquet", "duckdb-sql-parquet", "polars-parquet"}
#: The hand-written queries: ratios are to the fastest of them in the same run.
HAND = ("duckdb-sql", "duckdb-sql-parquet", "polars", "polars-parquet")
#: What `make bench` runs (rfm 1.0.9 does not run on pandas 3; add it with --tools).
DEFAULT_TOOLS = tuple(t for t in TOOLS if t != "rfm")
KEYS = ("frequency", "recency", "T", "monetary", "orders")


# ---------------------------------------------------------------------------------------------
# data


def generate_sql(n: int, path: str | os.PathLike, seed: int = 0) -> str:
    """A DuckDB ``COPY`` that writes ``n`` deterministic transactions to a Parquet file.

    It streams from ``range(n)``, so 100 million rows need no more memory than a few row groups.
    """
    n_customers = max(1, n // 10)
    h = lambda k: f"hash(i, {seed}, {k})"  # noqa: E731  (UBIGINT, deterministic)
    u = lambda k: f"(({h(k)} % 1000000)::DOUBLE + 0.5) / 1e6"  # noqa: E731  uniform (0, 1)
    z = f"sqrt(-2 * ln({u(3)})) * cos(2 * pi() * {u(4)})"
    return f"""
    COPY (
      SELECT 'C' || lpad(({h(1)} % {n_customers})::VARCHAR, 8, '0') AS customer_id,
             TIMESTAMP '2021-01-01' + to_seconds(({h(2)} % {SECONDS})::BIGINT) AS timestamp,
             round(exp(ln(40) + 0.8 * {z}), 2) + 0.01 AS amount
      FROM range({n}) r(i)
    ) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)
    """


def make_data(n: int, path: Path, seed: int = 0) -> Path:
    import duckdb

    if not path.exists():
        con = duckdb.connect()
        con.execute(generate_sql(n, path.with_suffix(".tmp"), seed))
        con.close()
        path.with_suffix(".tmp").rename(path)
    return path


# ---------------------------------------------------------------------------------------------
# the tools: each returns a pandas frame indexed by nothing, with customer_id and some of KEYS


def run_tool(tool: str, df: pd.DataFrame | None, path: str) -> pd.DataFrame:
    if tool == "clientlib-pandas":
        return _clientlib(df)
    if tool == "clientlib-pandas-ibis-collect":
        return _clientlib(df, collect="ibis")
    if tool == "clientlib-parquet":
        return _clientlib(path)
    if tool == "clientlib-all-facts":
        return _clientlib(df, everything=True)
    if tool == "clientlib-facts-only":
        return _clientlib_facts_only(df)
    if tool == "clientlib-summary-only":
        return _clientlib_facts_only(df, summary=True)
    if tool == "lifetimes":
        from lifetimes.utils import summary_data_from_transaction_data

        s = summary_data_from_transaction_data(
            df, "customer_id", "timestamp", observation_period_end=pd.Timestamp(CUTOFF), freq="D"
        )
        return s.reset_index()[["customer_id", "frequency", "recency", "T"]]
    if tool == "rfm":
        from rfm import RFM

        r = RFM(df.copy(), "customer_id", "timestamp", "amount")
        t = r.rfm_table.rename(columns={"frequency": "orders", "monetary_value": "monetary"})
        return t[["customer_id", "orders", "monetary"]]
    if tool == "pandas-groupby":
        return pandas_groupby(df)
    if tool in {"duckdb-sql", "duckdb-sql-parquet"}:
        import duckdb

        con = duckdb.connect()
        if os.environ.get("BENCH_MEMORY_LIMIT"):
            con.execute(f"SET memory_limit = '{os.environ['BENCH_MEMORY_LIMIT']}'")
        src = "df" if tool == "duckdb-sql" else f"read_parquet('{path}')"
        if tool == "duckdb-sql":
            con.register("df", df)
        out = con.sql(DUCKDB_SQL.format(src=src, cutoff=CUTOFF)).df()
        con.close()
        return out
    if tool in {"polars", "polars-parquet"}:
        import polars as pl

        lf = pl.from_pandas(df).lazy() if tool == "polars" else pl.scan_parquet(path)
        return polars_query(lf, pl).collect().to_pandas()
    raise ValueError(f"unknown tool {tool!r}")


def _clientlib(source, everything: bool = False, collect: str = "arrow") -> pd.DataFrame:
    """read_transactions (typing, checks, duplicates) then rfm_summary, or all ~30 facts,
    collected by ``engine.to_pandas`` (Arrow) or, ``collect="ibis"``, Ibis' ``to_pandas``."""
    import ibis

    from clientlib.engine import to_pandas
    from clientlib.features import customer_facts, rfm_summary
    from clientlib.io import read_transactions

    con = None
    limit = os.environ.get("BENCH_MEMORY_LIMIT")
    if isinstance(source, str) and limit:
        con = ibis.duckdb.connect(memory_limit=limit)
    elif limit:
        ibis.get_backend().raw_sql(f"SET memory_limit = '{limit}'")
    tx = read_transactions(source, analysis_date=CUTOFF, con=con)
    expr = customer_facts(tx) if everything else rfm_summary(tx)
    f = expr.to_pandas() if collect == "ibis" else to_pandas(expr)
    return f.rename(columns={"total_spend": "monetary"})[["customer_id", *KEYS]]


def _clientlib_facts_only(df: pd.DataFrame, summary: bool = False) -> pd.DataFrame:
    """customer_facts (all facts), or rfm_summary, alone on the already-validated rows (io.py not
    timed): the computation the peers do, without clientlib's typing and checks."""
    from clientlib.engine import to_pandas
    from clientlib.features import customer_facts, rfm_summary

    fn = rfm_summary if summary else customer_facts
    f = to_pandas(fn(_clean_table(df), analysis_date=CUTOFF))
    return f.rename(columns={"total_spend": "monetary"})[["customer_id", *KEYS]]


_CLEAN = None


def _clean_table(df: pd.DataFrame):
    """The clean rows of ``df`` (read_transactions), stored once as Arrow before the timed runs,
    with the roles the input lacks kept as constants (as read_transactions leaves them)."""
    from clientlib.io import materialize, read_transactions

    global _CLEAN
    if _CLEAN is None:
        _CLEAN = materialize(read_transactions(df, analysis_date=CUTOFF).table, in_memory=True)
    return _CLEAN


def pandas_groupby(df: pd.DataFrame) -> pd.DataFrame:
    day = df["timestamp"].dt.floor("D")
    g = df.assign(day=day).groupby("customer_id", sort=True)
    out = g.agg(
        first=("day", "min"),
        last=("day", "max"),
        days=("day", "nunique"),
        monetary=("amount", "sum"),
        orders=("amount", "size"),
    )
    cutoff = pd.Timestamp(CUTOFF)
    return pd.DataFrame(
        {
            "customer_id": out.index.to_numpy(),
            "frequency": (out["days"] - 1).to_numpy("float64"),
            "recency": (out["last"] - out["first"]).dt.days.to_numpy("float64"),
            "T": (cutoff - out["first"]).dt.days.to_numpy("float64"),
            "monetary": out["monetary"].to_numpy(),
            "orders": out["orders"].to_numpy(),
        }
    )


DUCKDB_SQL = """
SELECT customer_id,
       count(DISTINCT timestamp::DATE) - 1.0                              AS frequency,
       date_diff('day', min(timestamp)::DATE, max(timestamp)::DATE)::DOUBLE AS recency,
       date_diff('day', min(timestamp)::DATE, DATE '{cutoff}')::DOUBLE     AS T,
       sum(amount)                                                         AS monetary,
       count(*)                                                            AS orders
FROM {src}
WHERE timestamp < TIMESTAMP '{cutoff}'
GROUP BY customer_id
ORDER BY customer_id
"""


def polars_query(lf, pl):
    cutoff = dt.datetime(CUTOFF.year, CUTOFF.month, CUTOFF.day)
    day = pl.col("timestamp").dt.date()
    return (
        lf.filter(pl.col("timestamp") < cutoff)
        .group_by("customer_id")
        .agg(
            first=day.min(),
            last=day.max(),
            days=day.n_unique(),
            monetary=pl.col("amount").sum(),
            orders=pl.len(),
        )
        .select(
            "customer_id",
            frequency=(pl.col("days") - 1).cast(pl.Float64),
            recency=(pl.col("last") - pl.col("first")).dt.total_days().cast(pl.Float64),
            T=(pl.lit(CUTOFF) - pl.col("first")).dt.total_days().cast(pl.Float64),
            monetary=pl.col("monetary"),
            orders=pl.col("orders"),
        )
        .sort("customer_id")
    )


# ---------------------------------------------------------------------------------------------
# one tool in this (fresh) process


class PeakSampler:
    """Peak RSS of this process while the block runs, sampled every ``interval`` seconds."""

    def __init__(self, interval: float = 0.005) -> None:
        import psutil

        self.proc = psutil.Process()
        self.interval = interval
        self.peak = 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakSampler:
        self._stop = threading.Event()
        self.peak = self.proc.memory_info().rss
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)


def worker(tool: str, path: str, repeat: int, out: str) -> dict:
    import psutil

    import clientlib.features  # noqa: F401  (libraries loaded before the baseline is read)

    rss0 = psutil.Process().memory_info().rss
    df = None
    if tool not in PARQUET_TOOLS:
        df = pd.read_parquet(path)
    input_bytes = 0 if df is None else int(df.memory_usage(deep=True, index=False).sum())
    if tool in {"clientlib-facts-only", "clientlib-summary-only"}:
        _clean_table(df)
    times: list[float] = []
    result = None
    error = None
    with PeakSampler() as mem:
        for _ in range(repeat):
            t0 = time.perf_counter()
            try:
                result = run_tool(tool, df, path)
            except Exception as exc:  # a peer that does not run is reported, not fatal
                error = f"{type(exc).__name__}: {exc}"
                break
            times.append(time.perf_counter() - t0)
    if result is not None:
        result.to_parquet(out, index=False)
    return {
        "tool": tool,
        "times": times,
        "peak_rss": mem.peak,
        "rss_before_input": rss0,
        "input_bytes": input_bytes,
        "error": error,
    }


# ---------------------------------------------------------------------------------------------
# the parent: data, one subprocess per tool, checks, the table


def check_equal(ref: pd.DataFrame, got: pd.DataFrame, tool: str) -> str:
    got = got.sort_values("customer_id").reset_index(drop=True)
    assert len(got) == len(ref), f"{tool}: {len(got)} customers, reference {len(ref)}"
    assert (got["customer_id"].astype(str).to_numpy() == ref["customer_id"].to_numpy()).all(), tool
    cols = [c for c in KEYS if c in got.columns]
    for c in cols:
        a, b = ref[c].to_numpy("float64"), got[c].to_numpy("float64")
        tol = 1e-9 * abs(a).max() if c == "monetary" else 0
        bad = abs(a - b) > tol
        assert not bad.any(), f"{tool}: column {c} differs on {int(bad.sum())} customers"
    return ", ".join(cols)


def machine() -> str:
    """CPU model, allowed cores, RAM, load averages: the conditions every table states."""
    import platform

    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = psutil.virtual_memory().total / 2**30
    return f"{cpu}, {len(os.sched_getaffinity(0))} cores allowed, {ram:.0f} GiB RAM"


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def run_worker(tool: str, data: Path, repeat: int, out: Path, work: Path) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        tool,
        "--path",
        str(data),
        "--repeat",
        str(repeat),
        "--out",
        str(out),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=work)
    if proc.returncode:
        print(f"{tool}: failed\n{proc.stderr[-2000:]}", file=sys.stderr)
        return {"tool": tool, "times": [], "error": proc.stderr.strip().splitlines()[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="interleaved rounds: every tool once per round, each in a fresh process",
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="timed calls per process (the first call pays the fixed costs a user "
        "pays; the table shows the median of each process' first call)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tools", default=",".join(DEFAULT_TOOLS))
    p.add_argument("--dir", default=os.environ.get("BENCH_DIR", tempfile.gettempdir()))
    p.add_argument("--keep", action="store_true", help="keep the generated Parquet file")
    p.add_argument("--json", help="also write the raw results here")
    p.add_argument(
        "--readme",
        help="replace the generated table in this Markdown file "
        "(between the bench_facts markers for this --n)",
    )
    p.add_argument(
        "--reference",
        help="check against this tool's output instead of a pandas groupby (for N too large "
        "for pandas, e.g. --n 100000000 --tools duckdb-sql-parquet,clientlib-parquet "
        "--reference duckdb-sql-parquet); input bytes then come from the Parquet metadata "
        "(uncompressed column sizes)",
    )
    p.add_argument(
        "--memory-limit",
        help="DuckDB memory_limit for the DuckDB-based tools (clientlib on Parquet gets its own "
        "connection with it), e.g. 4GB; default: DuckDB's 80%% of RAM",
    )
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--path", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.worker:
        print(json.dumps(worker(a.worker, a.path, a.repeat, a.out)))
        return []

    if a.memory_limit:
        os.environ["BENCH_MEMORY_LIMIT"] = a.memory_limit  # inherited by the workers
    work = Path(a.dir) / f"clientlib_bench_facts_{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    data = Path(a.dir) / f"clientlib_bench_tx_{a.n}_{a.seed}.parquet"
    t0 = time.perf_counter()
    make_data(a.n, data, a.seed)
    print(
        f"data: {a.n:,} rows, {data.stat().st_size / 2**20:,.0f} MiB Parquet "
        f"({time.perf_counter() - t0:.1f} s); load {_load()}",
        file=sys.stderr,
    )
    started = dt.datetime.now(dt.UTC)
    load_start = _load()
    if a.reference:
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(data).metadata
        input_bytes = sum(
            meta.row_group(i).column(j).total_uncompressed_size
            for i in range(meta.num_row_groups)
            for j in range(meta.num_columns)
        )
        ref = None
    else:
        ref = pd.read_parquet(data)
        input_bytes = int(ref.memory_usage(deep=True, index=False).sum())
        ref = pandas_groupby(ref).sort_values("customer_id").reset_index(drop=True)
        ref["customer_id"] = ref["customer_id"].astype(str)
    tools = a.tools.split(",")
    if a.reference and a.reference in tools:  # the reference runs first in every round
        tools = [a.reference, *(t for t in tools if t != a.reference)]
    rows = {t: {"tool": t, "times": [], "warm": [], "peak_rss": 0} for t in tools}
    for r in range(a.rounds):
        # rotate the order so that no tool always runs first (or after the same neighbour)
        order = tools if a.reference else tools[r % len(tools) :] + tools[: r % len(tools)]
        for tool in order:
            row = rows[tool]
            if row.get("error"):
                continue
            out = work / f"{tool}.parquet"
            res = run_worker(tool, data, a.repeat, out, work)
            if not res["times"]:
                row["error"] = res.get("error") or "no result"
                continue
            got = pd.read_parquet(out)
            if ref is None and tool == a.reference:
                ref = got.sort_values("customer_id").reset_index(drop=True)
                ref["customer_id"] = ref["customer_id"].astype(str)
                row["checked"] = "reference"
            else:  # every run's output is checked before its time counts
                row["checked"] = check_equal(ref, got, tool)
            row["times"].append(res["times"][0])
            row["warm"] += res["times"][1:]
            row["peak_rss"] = max(row["peak_rss"], res["peak_rss"])
            row["rss_before_input"] = res["rss_before_input"]
            row["input_bytes"] = res["input_bytes"] or input_bytes
            print(f"round {r + 1} {tool}: {res['times']}", file=sys.stderr)
    result = list(rows.values())
    meta = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "load": f"{load_start} at the start, {_load()} at the end (1 / 5 / 15 min)",
        "commit": _commit(),
        "command": "python benchmarks/bench_facts.py "
        + " ".join(
            x
            for x in (argv if argv is not None else sys.argv[1:])
            if not x.startswith("--readme") and not x.endswith(".md")
        ),
        "rounds": a.rounds,
    }
    text = table(result, a.n, meta)
    print(text)
    if a.readme:
        replace_section(Path(a.readme), f"bench_facts n={a.n}", text)
    if a.json:
        Path(a.json).write_text(json.dumps({"n": a.n, "meta": meta, "rows": result}, indent=1))
    for f in work.iterdir():
        f.unlink()
    work.rmdir()
    if not a.keep:
        data.unlink()
    return result


def _commit() -> str:
    proc = subprocess.run(
        ["git", "-C", str(HERE), "describe", "--always", "--dirty"], capture_output=True, text=True
    )
    return proc.stdout.strip() or "unknown"


def replace_section(path: Path, key: str, text: str) -> None:
    """Put ``text`` between ``<!-- key: start -->`` and ``<!-- key: end -->`` in ``path`` (the
    markers are appended at the end the first time)."""
    start, end = f"<!-- {key}: start -->", f"<!-- {key}: end -->"
    doc = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{start}\n{text}\n{end}"
    if start in doc and end in doc:
        doc = doc[: doc.index(start)] + block + doc[doc.index(end) + len(end) :]
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(doc, encoding="utf-8")
    tmp.replace(path)


def table(rows: list[dict], n: int, meta: dict | None = None) -> str:
    mib = 2**20
    meds = {r["tool"]: statistics.median(r["times"]) for r in rows if r.get("times")}
    hand = [t for t in HAND if t in meds]
    fastest = min(hand, key=meds.get) if hand else min(meds, key=meds.get, default=None)
    lines = [f"N = {n:,} transactions ({max(1, n // 10):,} customers)", ""]
    if meta:
        lines += [
            f"{meta['date']}, commit `{meta['commit']}`; {meta['machine']}; load average "
            f"{meta['load']}. `{meta['command']}`: {meta['rounds']} interleaved rounds, every "
            "tool once per round in a fresh process (order rotated), median of the rounds; "
            f"ratios to the fastest hand-written query of this run (`{fastest}`).",
            "",
        ]
    lines += [
        "| tool | median s | ratio to fastest | rounds | min–max s | peak RSS MiB "
        "| RSS before input MiB | input MiB | mem ratio | checked equal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        if not r.get("times"):
            error = str(r.get("error")).strip().splitlines()[0]
            lines.append(f"| {r['tool']} | — | | 0 | | | | | | does not run: `{error}` |")
            continue
        med = meds[r["tool"]]
        ratio = (r["peak_rss"] - r["rss_before_input"]) / r["input_bytes"]
        lines.append(
            f"| {r['tool']} | {med:.2f} | {med / meds[fastest]:.2f}× | {len(r['times'])} "
            f"| {min(r['times']):.2f}–{max(r['times']):.2f} | {r['peak_rss'] / mib:,.0f} "
            f"| {r['rss_before_input'] / mib:,.0f} | {r['input_bytes'] / mib:,.0f} | {ratio:.2f} "
            f"| {r.get('checked', '')} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
