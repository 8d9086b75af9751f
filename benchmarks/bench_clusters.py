"""Time k-means on one million synthetic customers: fit, and choose_k over k = 2..8.

Run: ``.venv/bin/python benchmarks/bench_clusters.py [n_customers] [seed] [--full]``.

The customers are RFM-like and seeded: recency in days (lognormal, median ~60), orders
(1 + a geometric count), total spend (orders × a lognormal basket). Rows timed:

* ``fit k=4 (sampled)``: :class:`CustomerClusters` defaults — past ``large_n`` = 200 000 rows the
  pipeline is fitted on a seeded sample, then every row is assigned;
* ``fit k=4 (full Lloyd)`` (with ``--full``): ``large_n=None``, KMeans on every row, and the
  adjusted Rand index between the two labelings (how much the sample costs);
* ``choose_k k=2..8``: defaults (``n_init=10``, silhouette and 5-seed stability on 10 000 rows).

Prints a small table (wall seconds, peak RSS of this process) and the recommended k.
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from clientlib.clusters import CustomerClusters, choose_k


def synthetic_facts(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    orders = 1 + rng.geometric(0.35, n) - 1 + rng.poisson(0.5, n)
    recency = np.floor(rng.lognormal(np.log(60), 1.0, n)).astype("int64")
    spend = np.round(orders * rng.lognormal(np.log(40), 0.6, n), 2)
    return pd.DataFrame(
        {
            "customer_id": np.char.add("c", np.arange(n).astype(str)),
            "recency_days": recency,
            "orders": orders.astype("int64"),
            "total_spend": spend,
        }
    )


def _peak_mib() -> float:
    # ru_maxrss is in KiB on Linux (the benchmark targets Linux)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(n: int = 1_000_000, seed: int = 0, full: bool = False) -> pd.DataFrame:
    facts = synthetic_facts(n, seed)
    rows = []

    t0 = time.perf_counter()
    sampled = CustomerClusters(n_clusters=4, random_state=seed).fit(facts)
    rows.append({"step": "fit k=4 (sampled)", "seconds": time.perf_counter() - t0,
                 "peak_rss_mib": _peak_mib(), "note": f"fit on {sampled.fit_sample_size_:,} rows"})

    if full:
        t0 = time.perf_counter()
        whole = CustomerClusters(n_clusters=4, random_state=seed, large_n=None).fit(facts)
        ari = adjusted_rand_score(whole.labels_, sampled.labels_)
        rows.append({"step": "fit k=4 (full Lloyd)", "seconds": time.perf_counter() - t0,
                     "peak_rss_mib": _peak_mib(), "note": f"ARI vs sampled = {ari:.4f}"})

    t0 = time.perf_counter()
    kc = choose_k(facts, k_range=range(2, 9), random_state=seed)
    rows.append({"step": "choose_k k=2..8", "seconds": time.perf_counter() - t0,
                 "peak_rss_mib": _peak_mib(), "note": f"recommended k={kc.recommended_k}, "
                 f"elbow k={kc.elbow_k}"})

    table = pd.DataFrame(rows).round({"seconds": 2, "peak_rss_mib": 1})
    print(f"n_customers={n:,} seed={seed}")
    print(table.to_string(index=False))
    print()
    print(kc.table.round(3).to_string())
    print(kc.reason)
    print()
    print(sampled.profiles_[["size", "share", "recency_days_median", "orders_median",
                             "total_spend_median"]].round(2).to_string())
    print(sampled.names_)
    return table


if __name__ == "__main__":
    flags = [a for a in sys.argv[1:] if a.startswith("--")]
    args = [int(a) for a in sys.argv[1:] if not a.startswith("--")][:2]
    main(*args, full="--full" in flags)
