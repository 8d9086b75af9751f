"""Where the whole study's memory and time go, from the Parquet files ``bench_pipeline`` writes.

Run: ``.venv/bin/python benchmarks/profile_study.py --customers 1000000`` (memory: the RSS after
each stage and the peak so far, sampled every 10 ms) or ``--kmeans`` (a pyinstrument profile of
k-means with the choice of k on the collected facts, printed).

The data folder is ``bench_pipeline``'s (``--dir``, default the temporary folder); it is written
first when absent (generation is not measured).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _folder(n: int, seed: int, where: str) -> Path:
    cmd = [
        sys.executable,
        str(HERE / "bench_pipeline.py"),
        "--generate",
        str(n),
        "--seed",
        str(seed),
        "--dir",
        where,
    ]
    return Path(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip())


def memory(folder: Path) -> None:
    import psutil

    proc = psutil.Process()
    peak = [0]

    def sample() -> None:
        while True:
            peak[0] = max(peak[0], proc.memory_info().rss)
            time.sleep(0.01)

    threading.Thread(target=sample, daemon=True).start()

    def mark(what: str) -> None:
        rss = proc.memory_info().rss
        print(f"{what:30s} RSS {rss / 2**20:7,.0f} MiB   peak so far {peak[0] / 2**20:7,.0f} MiB")

    import clientlib.pipeline as pipeline
    from clientlib.io import read_customers, read_events, read_transactions

    mark("imports")
    mapping = json.loads((folder / "mapping.json").read_text())
    tx = read_transactions(str(folder / "transactions.parquet"), mapping)
    mark("read transactions")
    ev = read_events(str(folder / "events.parquet"), analysis_date=tx.analysis_date)
    mark("read events")
    cu = read_customers(str(folder / "customers.parquet"))
    mark("read customers")
    apply = pipeline.apply

    def traced(frameworks, *args, **kwargs):
        out = apply(frameworks, *args, **kwargs)
        mark(f"apply {', '.join(f.id for f in frameworks)[:22]}")
        return out

    pipeline.apply = traced
    study = pipeline.run_study(tx, ev, cu, k="auto", random_state=0)
    mark("run_study")
    seg = study.segments.memory_usage(deep=True).sum() / 2**20
    facts = study.facts.memory_usage(deep=True).sum() / 2**20
    print(f"segments table {seg:,.0f} MiB ({len(study.segments):,} rows); facts {facts:,.0f} MiB")


def kmeans(folder: Path) -> None:
    import ibis
    from pyinstrument import Profiler

    from clientlib.clusters import KMeansFramework
    from clientlib.engine import to_pandas
    from clientlib.features import customer_facts
    from clientlib.io import read_customers, read_events, read_transactions
    from clientlib.segment import apply
    from clientlib.threads import limited_threads

    mapping = json.loads((folder / "mapping.json").read_text())
    tx = read_transactions(str(folder / "transactions.parquet"), mapping)
    ev = read_events(str(folder / "events.parquet"), analysis_date=tx.analysis_date)
    cu = read_customers(str(folder / "customers.parquet"))
    table = ibis.memtable(to_pandas(customer_facts(tx, ev, cu)))
    km = KMeansFramework(k="auto", random_state=0)
    profiler = Profiler()
    profiler.start()
    t0 = time.perf_counter()
    with limited_threads() as threads:
        apply([km], table)
    wall = time.perf_counter() - t0
    profiler.stop()
    print(f"clusters {wall:.2f} s, {threads} threads, k = {km.kchoice_.recommended_k}")
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--customers", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dir", default=os.environ.get("BENCH_DIR", tempfile.gettempdir()))
    p.add_argument("--kmeans", action="store_true", help="profile k-means instead of memory")
    a = p.parse_args()
    folder = _folder(a.customers, a.seed, a.dir)
    (kmeans if a.kmeans else memory)(folder)


if __name__ == "__main__":
    main()
