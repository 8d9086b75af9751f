"""Where clientlib's read + validate + rfm_summary spends its time: queries, scans, fixed costs.

Run: ``.venv/bin/python benchmarks/profile_read.py --n 1000000 [--source pandas|parquet]``

Builds the same deterministic data as ``bench_facts.py``, then wraps the Ibis DuckDB backend's
entry points (every query clientlib sends goes through one of them) to log each query with its
wall time, the Ibis compile time and the rows it returns, and runs the whole path under cProfile.
Prints: the query log, how many of the queries scan the input (their SQL names the input table),
the cumulative profile (top functions), and the fixed cost — the same path on 1,000 lines.
"""

from __future__ import annotations

import argparse
import cProfile
import io as _io
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

LOG: list[dict] = []


def _install_log() -> None:
    from ibis.backends.duckdb import Backend

    def wrap(name):
        orig = getattr(Backend, name)

        def logged(self, expr, *args, **kwargs):
            if LOG and LOG[-1].get("_open"):  # nested call (to_pyarrow -> _to_duckdb_relation)
                return orig(self, expr, *args, **kwargs)
            entry = {"call": name, "_open": True}
            LOG.append(entry)
            t0 = time.perf_counter()
            try:
                sql = expr if isinstance(expr, str) else self.compile(expr)
            except Exception:  # noqa: BLE001 - logging must not break the run
                sql = repr(expr)[:200]
            entry["compile_s"] = time.perf_counter() - t0 if not isinstance(expr, str) else 0.0
            t0 = time.perf_counter()
            try:
                out = orig(self, expr, *args, **kwargs)
            finally:
                entry["s"] = time.perf_counter() - t0
                entry["sql"] = sql if isinstance(sql, str) else str(sql)
                entry.pop("_open")
            entry["rows"] = getattr(out, "shape", [getattr(out, "num_rows", None)])[0]
            return out

        setattr(Backend, name, logged)

    for name in ("execute", "to_pyarrow", "raw_sql", "create_table"):
        wrap(name)


def run(n: int, source: str, data: Path):
    import pandas as pd

    from clientlib.engine import to_pandas
    from clientlib.features import rfm_summary
    from clientlib.io import read_transactions

    src = pd.read_parquet(data) if source == "pandas" else str(data)
    t0 = time.perf_counter()
    tx = read_transactions(src, analysis_date="2024-01-01")
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = to_pandas(rfm_summary(tx))
    t_sum = time.perf_counter() - t0
    return tx, out, t_read, t_sum


def main(argv: list[str] | None = None) -> None:
    from bench_facts import make_data

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--source", choices=("pandas", "parquet"), default="pandas")
    p.add_argument("--dir", default=tempfile.gettempdir())
    p.add_argument("--top", type=int, default=25)
    a = p.parse_args(argv)
    small = make_data(1000, Path(a.dir) / "clientlib_bench_tx_1000_0.parquet")
    data = make_data(a.n, Path(a.dir) / f"clientlib_bench_tx_{a.n}_0.parquet")
    t0 = time.perf_counter()
    import clientlib.features  # noqa: F401
    import clientlib.io  # noqa: F401

    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    from clientlib import engine

    engine.default()
    import ibis

    ibis.get_backend()
    t_connect = time.perf_counter() - t0
    run(1000, a.source, small)  # every code path loaded once
    fixed = sorted(sum(run(1000, a.source, small)[2:]) for _ in range(3))[1]
    _, out, t_read, t_sum = run(a.n, a.source, data)  # timed without the log
    _install_log()
    run(1000, a.source, small)
    n_small = len(LOG)
    LOG.clear()
    prof = cProfile.Profile()
    prof.enable()
    run(a.n, a.source, data)
    prof.disable()
    print(
        f"# {a.n:,} lines from {a.source}: read_transactions {t_read:.2f} s, rfm_summary + "
        f"collect {t_sum:.2f} s ({len(out):,} customers)"
    )
    print(
        f"import clientlib.io + features {t_import:.2f} s; "
        f"first DuckDB connection {t_connect:.2f} s"
    )
    print(
        f"fixed cost (the same path on 1,000 lines, median of 3, warm): {fixed:.3f} s; "
        f"{n_small} queries on 1,000 lines"
    )
    print()
    print("| # | call | s | compile s | rows out | scans input | SQL (start) |")
    print("|---:|---|---:|---:|---:|---|---|")
    total = comp = 0.0
    scans = 0
    for i, e in enumerate(LOG, 1):
        sql = re.sub(r"\s+", " ", e["sql"])
        scan = bool(
            re.search(
                r"ibis_pandas_memtable|ibis_pyarrow_memtable|read_parquet|"
                r"clientlib_clean_|_memtable_",
                sql,
            )
        )
        scans += scan
        total += e["s"]
        comp += e["compile_s"]
        print(
            f"| {i} | {e['call']} | {e['s']:.3f} | {e['compile_s']:.3f} | {e['rows']} "
            f"| {'yes' if scan else ''} | `{sql[:90]}` |"
        )
    print(
        f"\n{len(LOG)} queries, {scans} reading a stored table, {total:.2f} s in queries "
        f"(logged run, cProfile on); Ibis compilation {comp:.2f} s (compiled once more by "
        "the log, so the calls' times include it once)"
    )
    s = _io.StringIO()
    pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(a.top)
    print("\n```\n" + "\n".join(s.getvalue().splitlines()[: a.top + 12]) + "\n```")


if __name__ == "__main__":
    main()
