"""Time the workshop generator at about 10 million transaction lines.

Run: ``.venv/bin/python benchmarks/bench_workshop.py [n_transactions] [seed]``.
Prints the customer count, the row counts, wall seconds and the peak RSS of this process.
"""

from __future__ import annotations

import resource
import sys
import time

from clientlib.datasets import workshop, workshop_customers_for


def main(n_transactions: int = 10_000_000, seed: int = 0) -> dict[str, float]:
    n_customers = workshop_customers_for(n_transactions)
    t0 = time.perf_counter()
    w = workshop(n_customers=n_customers, seed=seed)
    seconds = time.perf_counter() - t0
    # ru_maxrss is in KiB on Linux (bytes on macOS); the benchmark targets Linux.
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {
        "n_customers": n_customers,
        "transactions": len(w.transactions),
        "events": len(w.events),
        "seconds": round(seconds, 2),
        "peak_rss_mib": round(peak_mib, 1),
    }
    print(" ".join(f"{k}={v}" for k, v in out.items()))
    return out


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
