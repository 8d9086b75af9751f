"""All frameworks (and RFM) for N customers: seconds and peak memory.

Facts come from the workshop generator, so every framework has its columns:

    .venv/bin/python benchmarks/bench_frameworks.py --customers 1000000
"""

from __future__ import annotations

import argparse
import resource
import time
import warnings

import ibis


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    warnings.simplefilter("ignore")

    from clientlib import datasets
    from clientlib.features import customer_facts
    from clientlib.io import read_customers, read_events, read_transactions
    from clientlib.segment import segment

    t0 = time.perf_counter()
    ds = datasets.load("workshop", n_customers=args.customers, seed=args.seed)
    tx = read_transactions(ds.transactions, ds.mapping)
    ev = read_events(ds.events, analysis_date=tx.analysis_date)
    cu = read_customers(ds.customers)
    facts = customer_facts(tx, ev, cu).to_pandas()
    t1 = time.perf_counter()
    out, skipped = segment(ibis.memtable(facts), "all")
    t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("| customers | lines | data + facts s | all frameworks s | rows out | peak RSS MiB |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {len(facts):,} | {len(ds.transactions):,} | {t1 - t0:.1f} | {t2 - t1:.1f} "
        f"| {len(out):,} | {peak:,.0f} |"
    )
    if skipped:
        print("skipped:", skipped)


if __name__ == "__main__":
    main()
