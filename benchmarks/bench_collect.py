"""Collecting a result to pandas: Ibis' ``to_pandas`` against :func:`clientlib.engine.to_pandas`.

Run: ``.venv/bin/python benchmarks/bench_collect.py --n 1000000 --rounds 5``

The RFM summary of ``bench_facts.py``'s data (N lines, N/10 customers) is computed once into a
DuckDB temporary table; then the two collectors alternate on that table (the query is a plain
scan, so the difference is the conversion). Both frames are checked equal first.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main(argv: list[str] | None = None) -> dict:
    import pandas as pd
    from bench_facts import CUTOFF, make_data

    from clientlib import engine
    from clientlib.features import customer_facts, rfm_summary
    from clientlib.io import read_transactions

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--facts", action="store_true", help="all customer facts, not the summary")
    a = p.parse_args(argv)
    data = make_data(a.n, Path(tempfile.gettempdir()) / f"clientlib_bench_tx_{a.n}_0.parquet")
    tx = read_transactions(pd.read_parquet(data), analysis_date=CUTOFF)
    expr = customer_facts(tx) if a.facts else rfm_summary(tx)
    con = expr._find_backend(use_default=True)
    con.con.register("bench_collect_src", expr.to_pyarrow())
    con.raw_sql("CREATE TEMP TABLE bench_collect AS SELECT * FROM bench_collect_src")
    t = con.table("bench_collect")
    pd.testing.assert_frame_equal(engine.to_pandas(t), t.to_pandas())
    times: dict[str, list[float]] = {"ibis to_pandas": [], "engine.to_pandas": []}
    for r in range(a.rounds):
        order = list(times) if r % 2 == 0 else list(times)[::-1]
        for name in order:
            t0 = time.perf_counter()
            engine.to_pandas(t) if name == "engine.to_pandas" else t.to_pandas()
            times[name].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"{t.count().execute():,} rows × {len(t.columns)} columns; medians of {a.rounds}: "
        + ", ".join(f"{k} {v:.3f} s" for k, v in med.items())
        + f"; ratio {med['ibis to_pandas'] / med['engine.to_pandas']:.1f}×"
    )
    return med


if __name__ == "__main__":
    main()
