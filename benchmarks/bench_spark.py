"""The same study on Spark ``local[N]`` and on DuckDB: read + validate, customer facts, every
rulebook (issue #15: "the same 10M study on Spark local[2] timed and its ratio to DuckDB").

Run: ``.venv/bin/python benchmarks/bench_spark.py --n 10000000``
(``--engines duckdb`` for one side, ``--master local[2]``, ``--driver-memory 8g``).

The input is ``bench_facts``' deterministic Parquet file (customer_id, timestamp, amount; n / 10
customers). Each engine runs in its own fresh process and opens the file itself (DuckDB:
``read_parquet`` on a connection; Spark: a temporary view of the file), so nothing crosses from
Python into the engine. The stages, timed one after the other in that process:

- ``read``: :func:`clientlib.io.read_transactions` at a pinned analysis date (typing, every
  exclusion reason counted, the duplicate check: the quality report is computed here);
- ``facts``: :func:`clientlib.features.customer_facts`, collected (one row per customer);
- ``frameworks``: :func:`clientlib.segment.segment` ``"all"`` on the facts expression: each
  rulebook is fitted and classifies every customer on the engine the facts are bound to, and
  its classes are collected.

Before the ratios are printed, the parent checks that both engines give the same quality report,
the same facts (every column, floats to 1e-9 relative) and the same class of every customer in
every framework. Speed is never a timed assertion in the tests; this script is the measurement.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_facts import CUTOFF, PeakSampler, _load, machine, make_data  # noqa: E402

STAGES = ("start", "read", "facts", "frameworks")


def _connect(engine_name: str, master: str, driver_memory: str):
    from clientlib import engine

    if engine_name == "duckdb":
        import ibis

        return ibis.duckdb.connect()
    # The driver's JVM heap is fixed when the session starts: the collected facts and classes
    # (one row per customer and framework) need more than Spark's 1 GB default at 10M lines.
    return engine.spark(
        master,
        **{
            "spark.driver.memory": driver_memory,
            "spark.sql.execution.arrow.pyspark.enabled": "true",
        },
    )


def worker(engine_name: str, path: str, out: str, master: str, driver_memory: str) -> dict:
    from clientlib.engine import to_pandas
    from clientlib.features import customer_facts
    from clientlib.io import read_transactions
    from clientlib.segment import segment

    times: dict[str, float] = {}
    with PeakSampler(0.05) as mem:
        t0 = time.perf_counter()
        con = _connect(engine_name, master, driver_memory)
        source = con.read_parquet(path)
        times["start"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        tx = read_transactions(source, analysis_date=CUTOFF)
        quality = dataclasses.asdict(tx.quality)
        times["read"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        facts = customer_facts(tx)
        facts_df = to_pandas(facts, con)
        times["facts"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        classes, skipped = segment(facts, "all")
        times["frameworks"] = time.perf_counter() - t0
    facts_df.to_parquet(f"{out}.facts.parquet", index=False)
    classes[["framework", "customer_id", "class"]].to_parquet(f"{out}.classes.parquet", index=False)
    return {
        "engine": engine_name,
        "times": times,
        "total": sum(times.values()),
        "peak_rss": mem.peak,
        "skipped": skipped,
        "quality": json.loads(json.dumps(quality, default=str)),
        "customers": len(facts_df),
        "class_rows": len(classes),
    }


def _same(ref: str, got: str) -> str:
    """What was checked equal between the two engines' outputs (raises when they differ)."""
    a = pd.read_parquet(f"{ref}.facts.parquet").sort_values("customer_id", ignore_index=True)
    b = pd.read_parquet(f"{got}.facts.parquet").sort_values("customer_id", ignore_index=True)
    assert list(a.columns) == list(b.columns), (list(a.columns), list(b.columns))
    assert len(a) == len(b), (len(a), len(b))
    for c in a.columns:
        x, y = a[c], b[c]
        if pd.api.types.is_float_dtype(x) or pd.api.types.is_float_dtype(y):
            x, y = x.astype("float64").to_numpy(), y.astype("float64").to_numpy()
            bad = ~((abs(x - y) <= 1e-9 * (1 + abs(x))) | (pd.isna(x) & pd.isna(y)))
        else:
            bad = ~((x.astype(str) == y.astype(str)) | (x.isna() & y.isna())).to_numpy()
        assert not bad.any(), f"fact {c} differs on {int(bad.sum())} customers"
    ca = pd.read_parquet(f"{ref}.classes.parquet")
    cb = pd.read_parquet(f"{got}.classes.parquet")
    keys = ["framework", "customer_id"]
    ca, cb = (c.sort_values(keys, ignore_index=True) for c in (ca, cb))
    assert ca.equals(cb), "classes differ"
    return f"{len(a.columns)} facts of {len(a):,} customers; {len(ca):,} classes"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=10_000_000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--engines", default="duckdb,spark")
    p.add_argument("--master", default="local[2]")
    p.add_argument("--driver-memory", default="8g")
    p.add_argument("--dir", default=os.environ.get("BENCH_DIR", tempfile.gettempdir()))
    p.add_argument("--json", help="also write the raw results here")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--path", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.worker:
        result = worker(a.worker, a.path, a.out, a.master, a.driver_memory)
        Path(f"{a.out}.json").write_text(json.dumps(result))
        return

    work = Path(a.dir)
    data = make_data(a.n, work / f"clientlib_bench_tx_{a.n}_{a.seed}.parquet", a.seed)
    engines = a.engines.split(",")
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {machine()}; load {_load()}")
    results = {}
    for name in engines:
        out = str(work / f"bench_spark_{name}")
        cmd = [
            sys.executable,
            __file__,
            "--worker",
            name,
            "--path",
            str(data),
            "--out",
            out,
            "--master",
            a.master,
            "--driver-memory",
            a.driver_memory,
        ]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True)
        wall = time.perf_counter() - t0
        results[name] = json.loads(Path(f"{out}.json").read_text()) | {"process_s": wall}
    checked = ""
    if len(engines) == 2:
        r0, r1 = (results[e] for e in engines)
        q0, q1 = dict(r0["quality"]), dict(r1["quality"])
        rev0, rev1 = q0.pop("revenue"), q1.pop("revenue")  # summed in another order
        assert q0 == q1 and abs(rev0 - rev1) <= 1e-9 * abs(rev0), (r0["quality"], r1["quality"])
        checked = _same(
            str(work / f"bench_spark_{engines[0]}"), str(work / f"bench_spark_{engines[1]}")
        )
    ref = results[engines[0]]
    print(
        f"load at the end {_load()}; n = {a.n:,} lines; Spark master {a.master}, "
        f"driver memory {a.driver_memory}"
    )
    print(
        "| engine | "
        + " | ".join(f"{s} s" for s in STAGES)
        + " | total s | ratio to "
        + engines[0]
        + " | process s | peak RSS MiB (Python) |"
    )
    print("|---|" + "---:|" * (len(STAGES) + 4))
    for name in engines:
        r = results[name]
        cells = " | ".join(f"{r['times'][s]:.2f}" for s in STAGES)
        print(
            f"| {name} | {cells} | {r['total']:.2f} | {r['total'] / ref['total']:.2f}× | "
            f"{r['process_s']:.1f} | {r['peak_rss'] / 2**20:,.0f} |"
        )
    if checked:
        print(f"checked equal: the quality report; {checked}")
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
