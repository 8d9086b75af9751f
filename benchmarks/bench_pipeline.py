"""The whole study by stage (read, facts, frameworks, clusters, compare) as the customers grow.

Run: ``.venv/bin/python benchmarks/bench_pipeline.py --customers 100000,300000,1000000``
(``--profile STAGE`` writes a pyinstrument text profile of the whole run at the largest size).

For each size the seeded workshop data (``datasets.load("workshop", ...)``) is generated once in
a process of its own and written to Parquet files (kept in ``--dir`` for the next run; the
target excludes generation). A fresh subprocess then reads the three files as a user's export
(:func:`read_transactions` etc.: typing, cleaning and the quality report — stage ``read``), and
calls :func:`clientlib.pipeline.run_study` (all frameworks, ``k='auto'``), whose ``timings`` give
the other stages. The table shows the seconds per stage, the peak RSS of that subprocess
(interpreter, libraries, reading and the study; no generation), the BLAS/OpenMP thread cap
k-means ran under (``Study.threads``), and the growth exponent b of each stage (least-squares fit
of time ≈ a·nᵇ over the sizes: 1 is linear, 2 quadratic). ``--in-memory`` reads the generated
frames from pandas instead (generation then happens in the measured process, as before stop 12).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGES = ("read", "facts", "frameworks", "clusters", "compare")


def generate(n: int, seed: int, folder: Path) -> Path:
    """The workshop data for ``n`` customers as Parquet files (written once, then reused)."""
    out = folder / f"clientlib_bench_workshop_{n}_{seed}"
    if (out / "mapping.json").exists():
        return out
    from clientlib.datasets import load

    ds = load("workshop", n_customers=n, seed=seed)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("transactions", "events", "customers"):
        getattr(ds, name).to_parquet(out / f"{name}.parquet", index=False)
    (out / "mapping.json").write_text(json.dumps(ds.mapping))
    return out


def worker(n: int, seed: int, profile: str | None, data: str | None) -> dict:
    from clientlib.io import read_customers, read_events, read_transactions
    from clientlib.pipeline import run_study

    if data is None:
        from clientlib.datasets import load

        ds = load("workshop", n_customers=n, seed=seed)
        sources = (ds.transactions, ds.events, ds.customers)
        mapping = ds.mapping
        lines, events = len(ds.transactions), len(ds.events)
    else:
        import pyarrow.parquet as pq

        folder = Path(data)
        sources = tuple(
            str(folder / f"{t}.parquet") for t in ("transactions", "events", "customers")
        )
        mapping = json.loads((folder / "mapping.json").read_text())
        lines, events = (pq.ParquetFile(s).metadata.num_rows for s in sources[:2])
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    t0 = time.perf_counter()
    tx = read_transactions(sources[0], mapping)
    ev = read_events(sources[1], analysis_date=tx.analysis_date)
    cu = read_customers(sources[2])
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
        "events": events,
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
    p.add_argument("--dir", default=os.environ.get("BENCH_DIR", tempfile.gettempdir()))
    p.add_argument(
        "--in-memory", action="store_true", help="generate in the measured process (pandas in)"
    )
    p.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    p.add_argument("--data", help=argparse.SUPPRESS)
    p.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.worker:
        print(json.dumps(worker(a.worker, a.seed, a.profile, a.data)))
        return []
    if a.generate:
        print(generate(a.generate, a.seed, Path(a.dir)))
        return []
    sizes = [int(s) for s in a.customers.split(",")]
    rows = []
    for n in sizes:
        cmd = [sys.executable, __file__, "--worker", str(n), "--seed", str(a.seed)]
        if not a.in_memory:
            gen = [sys.executable, __file__, "--generate", str(n), "--seed", str(a.seed)]
            folder = subprocess.run(
                [*gen, "--dir", a.dir], check=True, capture_output=True, text=True
            ).stdout.strip()
            cmd += ["--data", folder]
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
