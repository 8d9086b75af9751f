"""k-means with and without the thread limit, while other processes keep the cores busy.

Run: ``.venv/bin/python benchmarks/bench_threads.py --rounds 5 --hogs 2``

A CPU hog (``--hogs`` busy-looping processes, default one per allowed core) runs for the whole
benchmark. Each round runs two fresh processes, one after the other, in alternating order:
``limited`` — :func:`clientlib.clusters.choose_k` inside :func:`clientlib.threads.limited_threads`
(the limit it chose is recorded) — and ``default`` — the same call with the libraries' own
thread counts (one per core). Both compute the same choice of k on the same seeded synthetic
customers (checked equal before the times count). Prints the medians, the ratio, the machine's
load and the limits that applied.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _hog(stop_at: float) -> None:
    x = 0
    while time.time() < stop_at:
        x += 1


def worker(mode: str, n: int, seed: int) -> dict:
    sys.path.insert(0, str(HERE))
    import resource

    from bench_clusters import synthetic_facts

    from clientlib.clusters import choose_k
    from clientlib.threads import describe, limited_threads, thread_limit

    facts = synthetic_facts(n, seed)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    if mode == "limited":
        limit = thread_limit()
        with limited_threads(limit):
            kc = choose_k(facts, k_range=range(2, 7), random_state=seed)
    else:
        limit = None
        kc = choose_k(facts, k_range=range(2, 7), random_state=seed)
    seconds = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu_s = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    from threadpoolctl import threadpool_info

    pools = sorted({p["num_threads"] for p in threadpool_info()})
    return {
        "mode": mode,
        "seconds": seconds,
        "cpu_s": cpu_s,  # what the run cost the other processes
        "limit": limit,
        "default_threads": pools,
        "threads": describe(limit or 0),
        "k": kc.recommended_k,
        "silhouette": kc.table["silhouette"].round(6).tolist(),
    }


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--hogs", type=int, default=len(os.sched_getaffinity(0)))
    p.add_argument("--n", type=int, default=100_000, help="synthetic customers")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--worker", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.worker:
        print(json.dumps(worker(a.worker, a.n, a.seed)))
        return {}
    load0 = os.getloadavg()
    stop_at = time.time() + 3600
    hogs = [mp.Process(target=_hog, args=(stop_at,), daemon=True) for _ in range(a.hogs)]
    for h in hogs:
        h.start()
    time.sleep(1.0)
    runs: dict[str, list[dict]] = {"limited": [], "default": []}
    try:
        for r in range(a.rounds):
            order = ("limited", "default") if r % 2 == 0 else ("default", "limited")
            for mode in order:
                cmd = [
                    sys.executable,
                    __file__,
                    "--worker",
                    mode,
                    "--n",
                    str(a.n),
                    "--seed",
                    str(a.seed),
                ]
                out = subprocess.run(cmd, capture_output=True, text=True, check=True)
                res = json.loads(out.stdout.strip().splitlines()[-1])
                runs[mode].append(res)
                print(
                    f"round {r + 1} {mode}: {res['seconds']:.2f} s (limit {res['limit']}, "
                    f"threads {res['threads']})",
                    file=sys.stderr,
                )
    finally:
        for h in hogs:
            h.terminate()
            h.join()
    ref = runs["limited"][0]
    for res in runs["limited"] + runs["default"]:  # the same answer, whatever the threads
        assert (res["k"], res["silhouette"]) == (ref["k"], ref["silhouette"]), res
    med = {m: statistics.median(x["seconds"] for x in v) for m, v in runs.items()}
    cpu = {m: statistics.median(x["cpu_s"] for x in v) for m, v in runs.items()}
    summary = {
        "n": a.n,
        "hogs": a.hogs,
        "rounds": a.rounds,
        "load_before": load0,
        "load_after": os.getloadavg(),
        "median_s": med,
        "ratio_default_to_limited": med["default"] / med["limited"],
        "median_cpu_s": cpu,
        "limits": sorted({x["limit"] for x in runs["limited"]}),
        "default_threads": runs["default"][0]["default_threads"],
        "k": ref["k"],
    }
    print(json.dumps(summary, indent=1))
    return summary


if __name__ == "__main__":
    main()
