"""Where the reader keeps an in-memory input's typed rows: Arrow (today) or a DuckDB temp table.

Run: ``.venv/bin/python benchmarks/bench_store.py --n 10000000 --rounds 3``

Each round runs both variants in fresh processes (order alternating): ``read_transactions`` of
the ``bench_facts.py`` data from a pandas frame, then ``customer_facts`` collected to pandas.
The ``duckdb`` variant stores the rows with ``engine.store(..., portable=False)`` (the temporary
table files get). Prints the median of each phase per variant.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def worker(variant: str, path: str) -> dict:
    import datetime as dt

    import pandas as pd

    import clientlib.engine as engine

    if variant == "duckdb":
        original = engine.store
        engine.store = lambda expr, con=None, *, portable=True: original(  # type: ignore[assignment]
            expr, con, portable=False
        )
    from clientlib.features import customer_facts
    from clientlib.io import read_transactions

    df = pd.read_parquet(path)
    t0 = time.perf_counter()
    tx = read_transactions(df, analysis_date=dt.date(2024, 1, 1))
    t1 = time.perf_counter()
    engine.to_pandas(customer_facts(tx))
    t2 = time.perf_counter()
    return {"variant": variant, "read": t1 - t0, "facts": t2 - t1}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", default="/tmp/clientlib_bench")
    ap.add_argument("--worker", nargs=2, metavar=("VARIANT", "PATH"))
    a = ap.parse_args()
    if a.worker:
        print(json.dumps(worker(*a.worker)))
        return
    import bench_facts

    path = bench_facts.make_data(a.n, Path(a.dir) / f"clientlib_bench_tx_{a.n}_0.parquet")
    runs: dict[str, list[dict]] = {"arrow": [], "duckdb": []}
    for i in range(a.rounds):
        for variant in ("arrow", "duckdb") if i % 2 == 0 else ("duckdb", "arrow"):
            out = subprocess.run(
                [sys.executable, __file__, "--worker", variant, str(path)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            runs[variant].append(json.loads(out.strip().splitlines()[-1]))
    for variant, rs in runs.items():
        med = {k: statistics.median(r[k] for r in rs) for k in ("read", "facts")}
        each = ", ".join(f"{r['facts']:.1f}" for r in rs)
        print(
            f"{variant:7s} read {med['read']:.2f} s  customer_facts {med['facts']:.2f} s  "
            f"({len(rs)} runs; customer_facts each: {each})"
        )


if __name__ == "__main__":
    main()
