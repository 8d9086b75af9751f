"""Time the discrete-time fits (BG/BB, sBG) on one million customers, against lifetimes.

Run: ``.venv/bin/python benchmarks/bench_discrete.py [--n 1000000] [--rounds 5] [--seed 0]
[--tools clientlib-bgbb,lifetimes-bgbb-grouped]``
(lifetimes, from the ``bench`` extra, is timed when installed).

The data are simulated from each model's own story (seeded) and written once to ``.npy`` files
in a temporary folder:

* BG/BB: ``n`` donors over 6 yearly opportunities with the donations parameters of Fader,
  Hardie & Shang (2010), alpha 1.204, beta 0.750, gamma 0.657, delta 2.783: a donor's
  probability to give is beta(alpha, beta), her drop-out probability before each opportunity
  beta(gamma, delta); the rows are (frequency, recency, n_periods), at most 28 distinct ones.
* sBG: ``n`` subscribers whose churn probability per period is beta(0.704, 1.182) (FH 2007
  "regular"), observed for 7 periods; a fit counts the survivors and fits the curve.

Every measurement is its own process (``--worker TOOL``): it loads the arrays, times the fit
with ``time.perf_counter`` and prints JSON (fit seconds, the process' peak RSS, the params).
The parent also times the whole process (interpreter start, imports, load, fit).  Before any
timing every tool fits once and the parameters are checked equal (relative 1e-3) to
clientlib's and to the parameters that made the data (within sampling error, 2 %).  Rounds are
interleaved (tool order rotates each round) and the table shows medians.

Tools:

``clientlib-bgbb``
    ``BetaGeoBetaBinomModel().fit`` on the 1M raw rows (it groups identical rows itself).
``lifetimes-bgbb-raw``
    ``BetaGeoBetaBinomFitter().fit`` on the same 1M raw rows.
``lifetimes-bgbb-grouped``
    the rows grouped with pandas (timed) and ``BetaGeoBetaBinomFitter().fit(..., weights=)``,
    as lifetimes' documentation advises.
``clientlib-sbg``
    survivors counted with ``np.bincount`` (timed) and ``ShiftedBetaGeoModel().fit``;
    lifetimes has no sBG.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

BGBB_TRUE = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
SBG_TRUE = {"alpha": 0.704, "beta": 1.182}
N_OPPORTUNITIES, N_SBG_PERIODS = 6, 7
TOOLS = ("clientlib-bgbb", "lifetimes-bgbb-raw", "lifetimes-bgbb-grouped", "clientlib-sbg")


def simulate_bgbb(n: int, seed: int = 0, periods: int = N_OPPORTUNITIES) -> np.ndarray:
    """(frequency, recency, n_periods) of ``n`` BG/BB customers, as an int64 (n, 3) array."""
    rng = np.random.default_rng(seed)
    p = rng.beta(BGBB_TRUE["alpha"], BGBB_TRUE["beta"], n)
    theta = rng.beta(BGBB_TRUE["gamma"], BGBB_TRUE["delta"], n)
    alive_through = rng.geometric(theta) - 1  # opportunities survived (death before each one)
    k = np.arange(1, periods + 1)
    buys = (rng.random((n, periods)) < p[:, None]) & (k <= alive_through[:, None])
    x = buys.sum(1)
    last = periods - np.argmax(buys[:, ::-1], axis=1)  # last opportunity with a purchase
    tx = np.where(x > 0, last, 0)
    return np.column_stack([x, tx, np.full(n, periods)]).astype(np.int64)


def simulate_sbg(n: int, seed: int = 0) -> np.ndarray:
    """The period in which each of ``n`` sBG customers churns (int64, 1, 2, …)."""
    rng = np.random.default_rng(seed + 1)
    theta = rng.beta(SBG_TRUE["alpha"], SBG_TRUE["beta"], n)
    return rng.geometric(theta).astype(np.int64)


def _worker(tool: str, folder: Path) -> dict:
    # imports before the clock: the fit is timed, the whole process includes them
    import pandas as pd

    from clientlib.models.bgbb import BetaGeoBetaBinomModel
    from clientlib.models.sbg import ShiftedBetaGeoModel

    if tool.startswith("lifetimes"):
        from lifetimes import BetaGeoBetaBinomFitter

        warnings.simplefilter("ignore")
    if "bgbb" in tool:
        rows = np.load(folder / "bgbb.npy")
        x, tx, n = rows[:, 0], rows[:, 1], rows[:, 2]
    else:
        churn = np.load(folder / "sbg.npy")
    start = time.perf_counter()
    if tool == "clientlib-bgbb":
        params = BetaGeoBetaBinomModel().fit(x, tx, n).params_
    elif tool.startswith("lifetimes-bgbb"):
        if tool == "lifetimes-bgbb-raw":
            fitted = BetaGeoBetaBinomFitter().fit(x, tx, n)
        else:
            df = pd.DataFrame({"x": x, "tx": tx, "n": n})
            g = df.groupby(["x", "tx", "n"]).size().reset_index(name="w")
            fitted = BetaGeoBetaBinomFitter().fit(g["x"], g["tx"], g["n"], weights=g["w"])
        params = {k: float(v) for k, v in fitted.params_.items()}
    elif tool == "clientlib-sbg":
        churned = np.bincount(np.minimum(churn, N_SBG_PERIODS + 1), minlength=N_SBG_PERIODS + 2)
        survivors = len(churn) - np.cumsum(churned)[: N_SBG_PERIODS + 1]
        params = ShiftedBetaGeoModel().fit(survivors).params_
    else:
        raise SystemExit(f"unknown tool {tool}")
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"tool": tool, "fit_s": seconds, "peak_mb": peak_mb, "params": params}


def _run(tool: str, folder: Path) -> dict:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--worker", tool, "--folder", str(folder)],
        check=True,
        capture_output=True,
        text=True,
    )
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["process_s"] = time.perf_counter() - start
    return res


def _check(results: dict[str, dict], n: int) -> None:
    # sampling error: 2 % at 1M customers (about 3 standard errors of delta), more when fewer
    tol = 0.02 * max(1.0, (1e6 / n) ** 0.5)
    ref = results.get("clientlib-bgbb", {}).get("params", BGBB_TRUE)
    for k, v in BGBB_TRUE.items():
        assert abs(ref[k] / v - 1) < tol, f"BG/BB {k} = {ref[k]} vs true {v}"
    for tool in ("lifetimes-bgbb-raw", "lifetimes-bgbb-grouped"):
        if tool in results:
            got = results[tool]["params"]
            for k, v in ref.items():
                assert abs(got[k] / v - 1) < 1e-3, f"{tool} {k} = {got[k]} vs clientlib {v}"
    sbg = results.get("clientlib-sbg", {}).get("params", SBG_TRUE)
    for k, v in SBG_TRUE.items():
        assert abs(sbg[k] / v - 1) < tol, f"clientlib sBG {k} = {sbg[k]} vs true {v}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tools", help=f"comma-separated subset of {', '.join(TOOLS)}")
    ap.add_argument("--worker")
    ap.add_argument("--folder")
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(_worker(args.worker, Path(args.folder))))
        return
    try:
        import lifetimes  # noqa: F401

        tools = list(TOOLS)
    except ImportError:
        tools = [t for t in TOOLS if not t.startswith("lifetimes")]
    if args.tools:
        tools = [t for t in args.tools.split(",") if t in tools]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        np.save(folder / "bgbb.npy", simulate_bgbb(args.n, args.seed))
        np.save(folder / "sbg.npy", simulate_sbg(args.n, args.seed))
        first = {t: _run(t, folder) for t in tools}
        _check(first, args.n)
        runs: dict[str, list[dict]] = {t: [] for t in tools}
        for r in range(args.rounds):
            order = tools[r % len(tools) :] + tools[: r % len(tools)]
            for t in order:
                runs[t].append(_run(t, folder))
    load = os.getloadavg()
    print(f"n = {args.n:,}, rounds = {args.rounds}, seed = {args.seed}")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; load average {load[0]:.1f} / {load[1]:.1f} / "
          f"{load[2]:.1f} (1 / 5 / 15 min, at the end)")  # fmt: skip
    print("| tool | fit s (median) | fit s (min–max) | whole process s (median) | peak RSS MB |")
    print("|---|---:|---:|---:|---:|")
    for t in tools:
        fit = [r["fit_s"] for r in runs[t]]
        proc = [r["process_s"] for r in runs[t]]
        rss = statistics.median(r["peak_mb"] for r in runs[t])
        print(f"| {t} | {statistics.median(fit):.3f} | {min(fit):.3f}–{max(fit):.3f} | "
              f"{statistics.median(proc):.2f} | {rss:.0f} |")  # fmt: skip
    for t in tools:
        shown = ", ".join(f"{k} {v:.4f}" for k, v in first[t]["params"].items())
        print(f"{t}: {shown}")


if __name__ == "__main__":
    main()
