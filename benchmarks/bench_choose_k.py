"""How much cheaper settings of :func:`clientlib.clusters.choose_k` change its recommendation.

Run: ``.venv/bin/python benchmarks/bench_choose_k.py --seeds 0,1,2 --json out.json``

Data: the workshop generator at 100,000 customers (seed 0) and CDNOW (23,570 customers), as
customer facts (``read_transactions`` → ``customer_facts``); choose_k sees the buyers, as
``kmeans_segments`` does. For every ``random_state`` in ``--seeds``, the default settings (the
reference: ``k_range = 2..8`` as ``kmeans_segments`` uses, silhouette and stability on 5,000
rows since stop 10 (10,000 before), fits on at most 50,000 rows, ``n_init=10``, 5 stability
seeds) and each cheaper variant run on the same facts. The
figure of merit is the *agreement*: the share of seeds whose recommended k equals the reference's
at the same seed; beside it the largest silhouette difference over the common k and the time.
BLAS/OpenMP threads are limited (``clientlib.threads``), the limit is printed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import numpy as np

VARIANTS = {
    "reference": {},
    "sample 5000": {"sample_size": 5_000},
    "sample 2000": {"sample_size": 2_000},
    "n_init 3": {"n_init": 3},
    "3 stability seeds": {"n_seeds": 3},
    "fit on 20000": {"large_n": 20_000},
    "fit on 10000": {"large_n": 10_000},
    "sample 5000 + n_init 3 + 3 seeds": {"sample_size": 5_000, "n_init": 3, "n_seeds": 3},
}
K_RANGE = range(2, 9)


def facts(name: str):
    from clientlib import datasets
    from clientlib.clusters import RFM_FEATURES
    from clientlib.engine import to_pandas
    from clientlib.features import customer_facts
    from clientlib.io import read_transactions

    ds = (
        datasets.load("workshop", n_customers=100_000, seed=0)
        if name == "workshop"
        else datasets.load("cdnow")
    )
    f = to_pandas(customer_facts(read_transactions(ds.transactions, ds.mapping)))
    return f[f["orders"] > 0][list(RFM_FEATURES)]


def main(argv: list[str] | None = None) -> dict:
    from clientlib.clusters import choose_k
    from clientlib.threads import describe, limited_threads

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--data", default="cdnow,workshop")
    p.add_argument("--variants", default=",".join(VARIANTS))
    p.add_argument("--json")
    a = p.parse_args(argv)
    seeds = [int(s) for s in a.seeds.split(",")]
    out: dict = {"runs": []}
    with limited_threads() as n_threads:
        out["threads"] = describe(n_threads)
        print(f"threads: {out['threads']}", file=sys.stderr)
        for name in a.data.split(","):
            X = facts(name)
            for seed in seeds:
                for variant in a.variants.split(","):
                    t0 = time.perf_counter()
                    kc = choose_k(X, K_RANGE, random_state=seed, **VARIANTS[variant])
                    run = {
                        "data": name,
                        "customers": len(X),
                        "seed": seed,
                        "variant": variant,
                        "seconds": time.perf_counter() - t0,
                        "k": kc.recommended_k,
                        "silhouette": kc.table["silhouette"].tolist(),
                        "stability": kc.table["stability"].tolist(),
                    }
                    out["runs"].append(run)
                    print(json.dumps(run), file=sys.stderr)
                    if a.json:
                        with open(a.json, "w") as fh:
                            json.dump(out, fh, indent=1)
    print(summary(out))
    return out


def recommend(run: dict, k_min: int = 2, threshold: float = 0.8) -> int:
    """choose_k's rule on a run's table, restricted to k >= k_min: the highest silhouette among
    the stable k (stability >= threshold; all k when none is), ties to the smaller k."""
    rows = [
        (k, s, st)
        for k, s, st in zip(K_RANGE, run["silhouette"], run["stability"], strict=True)
        if k >= k_min
    ]
    pool = [r for r in rows if r[2] >= threshold] or rows
    best = max(s for _, s, _ in pool)
    return min(k for k, s, _ in pool if s == best)


def summary(out: dict) -> str:
    runs = out["runs"]
    lines = [
        "| data | buyers | variant | seeds | same k as reference | k chosen "
        "| same k among k ≥ 3 | k ≥ 3 chosen | same top 3 k by silhouette | max |Δ silhouette| "
        "| median s | time vs reference |",
        "|---|---:|---|---:|---:|---|---:|---|---:|---:|---:|---:|",
    ]
    for name in dict.fromkeys(r["data"] for r in runs):
        ref = {r["seed"]: r for r in runs if r["data"] == name and r["variant"] == "reference"}
        t_ref = statistics.median(r["seconds"] for r in ref.values())
        for variant in dict.fromkeys(r["variant"] for r in runs if r["data"] == name):
            rs = [
                r
                for r in runs
                if r["data"] == name and r["variant"] == variant and r["seed"] in ref
            ]
            same = sum(r["k"] == ref[r["seed"]]["k"] for r in rs)
            dsil = max(
                float(np.nanmax(np.abs(np.subtract(r["silhouette"], ref[r["seed"]]["silhouette"]))))
                for r in rs
            )
            # the order of the candidate k by silhouette: what the recommendation rests on
            ranked = sum(
                list(np.argsort(r["silhouette"])[::-1][:3])
                == list(np.argsort(ref[r["seed"]]["silhouette"])[::-1][:3])
                for r in rs
            )
            same3 = sum(recommend(r, 3) == recommend(ref[r["seed"]], 3) for r in rs)
            t = statistics.median(r["seconds"] for r in rs)
            lines.append(
                f"| {name} | {rs[0]['customers']:,} | {variant} | {len(rs)} | {same}/{len(rs)} "
                f"| {', '.join(str(r['k']) for r in rs)} | {same3}/{len(rs)} "
                f"| {', '.join(str(recommend(r, 3)) for r in rs)} | {ranked}/{len(rs)} "
                f"| {dsil:.3f} "
                f"| {t:.1f} | {t / t_ref:.2f}× |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--summary"]:  # re-print the table of saved --json files
        runs = []
        for f in sys.argv[2:]:
            with open(f) as fh:
                runs += json.load(fh)["runs"]
        print(summary({"runs": runs}))
    else:
        main()
