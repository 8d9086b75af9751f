"""The whole study by stage (read, facts, frameworks, clusters, compare) as the customers grow.

Run: ``.venv/bin/python benchmarks/bench_pipeline.py --customers 100000,300000,1000000``
(``--profile STAGE`` writes a pyinstrument text profile of the whole run at the largest size).

For each size a fresh subprocess generates the seeded workshop data
(``datasets.load("workshop", ...)``, not timed), reads the three tables
(:func:`read_transactions` etc.: typing, cleaning and the quality report — stage ``read``), and
calls :func:`clientlib.pipeline.run_study` (all frameworks, ``k='auto'``), whose ``timings`` give
the other stages. The table shows the seconds per stage, the peak RSS of the subprocess (data
generation included), the BLAS/OpenMP thread cap k-means ran under (``Study.threads``), and the
growth exponent b of each stage (least-squares fit of time ≈ a·nᵇ over the sizes: 1 is linear,
2 quadratic).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

STAGES = ("read", "facts", "frameworks", "clusters", "compare")


def worker(n: int, seed: int, profile: str | None) -> dict:
    from clientlib.datasets import load
    from clientlib.io import read_customers, read_events, read_transactions
    from clientlib.pipeline import run_study

    ds = load("workshop", n_customers=n, seed=seed)
    lines = len(ds.transactions)
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    t0 = time.perf_counter()
    tx = read_transactions(ds.transactions, ds.mapping)
    ev = read_events(ds.events, analysis_date=tx.analysis_date)
    cu = read_customers(ds.customers)
    read = time.perf_counter() - t0
    t0 = time.perf_counter()
    study = run_study(tx, ev, cu, frameworks="all", k="auto", random_state=seed)
    wall = time.perf_counter() - t0
    if profiler is not None:
        profiler.stop()
        Path(profile).write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    timings = {"read": read, **study.timings}
    return {
        "customers": n,
        "lines": lines,
        "events": len(ds.events),
        "timings": timings,
        "k": study.kchoice.recommended_k if study.kchoice is not None else None,
        "threads": study.threads,
        "run_study_s": wall,  # the stages (read excluded) should add up to this
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def exponent(ns: list[int], ts: list[float]) -> float:
    """Least-squares slope of log t on log n."""
    x = [math.log(n) for n in ns]
    y = [math.log(max(t, 1e-6)) for t in ts]
    mx, my = sum(x) / len(x), sum(y) / len(y)
    return sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True)) / sum(
        (a - mx) ** 2 for a in x
    )


def table(rows: list[dict]) -> str:
    stages = [s for s in STAGES if all(s in r["timings"] for r in rows)]
    stages += [s for s in rows[0]["timings"] if s not in stages]
    head = "| customers | lines | events | " + " | ".join(f"{s} s" for s in stages)
    lines = [head + " | total s | peak RSS MiB | threads |", "|" + "---:|" * (len(stages) + 6)]
    for r in rows:
        t = r["timings"]
        lines.append(
            f"| {r['customers']:,} | {r['lines']:,} | {r['events']:,} | "
            + " | ".join(f"{t.get(s, float('nan')):.2f}" for s in stages)
            + f" | {sum(t.values()):.2f} | {r['peak_rss_mib']:,.0f} | {r.get('threads', '')} |"
        )
    if len(rows) >= 2:
        ns = [r["customers"] for r in rows]
        exps = [exponent(ns, [r["timings"][s] for r in rows]) for s in stages]
        total = exponent(ns, [sum(r["timings"].values()) for r in rows])
        lines.append(
            "| growth exponent b | | | "
            + " | ".join(f"{e:.2f}" for e in exps)
            + f" | {total:.2f} | | |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--customers", default="100000,300000,1000000")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--profile", help="write a pyinstrument profile of the largest size here")
    p.add_argument("--json", help="also write the raw results here")
    p.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.worker:
        print(json.dumps(worker(a.worker, a.seed, a.profile)))
        return []
    sizes = [int(s) for s in a.customers.split(",")]
    rows = []
    for n in sizes:
        cmd = [sys.executable, __file__, "--worker", str(n), "--seed", str(a.seed)]
        if a.profile and n == max(sizes):
            cmd += ["--profile", a.profile]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode:  # report the sizes that finished
            print(proc.stderr[-3000:], file=sys.stderr)
            print(f"size {n} failed (exit {proc.returncode})", file=sys.stderr)
            break
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(rows[-1], file=sys.stderr)
    if rows:
        print(table(rows))
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=1))
    return rows


if __name__ == "__main__":
    main()
