"""Time the BG/NBD fit on one million customers' summaries, against lifetimes on the same data.

Run: ``.venv/bin/python benchmarks/bench_btyd.py [n_customers] [repeats] [seed]``
(defaults 1 000 000, 5, 0; lifetimes, from the ``bench`` extra, is timed when installed).

The summaries are simulated from the BG/NBD process itself (seeded), with the parameters fitted
on CDNOW in days (r = 0.243, alpha = 30.9 days, a = 0.793, b = 2.426) and first purchases spread
over 18 months: while alive a customer buys at a gamma-distributed Poisson rate and after each
purchase drops out with a beta-distributed probability; times are whole days, as in clientlib's
facts. So the benchmark also checks that the fit recovers the parameters that made the data.

Rows timed, each the median of ``repeats`` runs in this one process, as wall seconds and as CPU
seconds of this process (on a shared, loaded machine the CPU time is the steadier figure):

* ``BetaGeoModel.fit``: numpy arrays in, identical summaries grouped by ``np.unique`` inside;
* ``btyd hook fit (DuckDB)``: the framework's ``fit`` on an Ibis memtable — grouped in DuckDB,
  distinct rows collected, weighted fit;
* ``btyd hook prepare (DuckDB)``: P(alive) and expected purchases for every customer, executed;
* ``lifetimes BetaGeoFitter.fit``: the same arrays (fewer repeats when it is slow).

Prints the load average (the machine is shared), a table and the fitted parameters.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import ibis
import numpy as np
import pandas as pd

from clientlib.btyd import BetaGeoModel
from clientlib.frameworks import btyd as hook

TRUE = {"r": 0.243, "alpha": 30.9, "a": 0.793, "b": 2.426}


def simulate(n: int, seed: int = 0, params: dict[str, float] = TRUE) -> pd.DataFrame:
    """``frequency`` (repeat purchases), ``recency``, ``T`` (days) of ``n`` BG/NBD customers."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(params["r"], 1 / params["alpha"], n)  # purchases per day while alive
    p = rng.beta(params["a"], params["b"], n)  # drop-out chance after each purchase
    T = rng.integers(0, 546, n).astype("float64")  # days since the first purchase
    t = np.zeros(n)
    last = np.zeros(n)
    x = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        t[idx] += rng.exponential(1 / np.maximum(lam[idx], 1e-300))
        inside = t[idx] <= T[idx]
        buy = idx[inside]
        x[buy] += 1
        last[buy] = t[buy]
        alive[idx[~inside]] = False
        alive[buy] = rng.random(buy.size) >= p[buy]  # drop out after the purchase
    # whole days, as in the facts (several purchases in one day stay several here)
    return pd.DataFrame(
        {"customer_id": np.arange(n).astype(str), "frequency": x, "recency": np.floor(last), "T": T}
    )


def timed(fn, repeats: int) -> tuple[float, list[float], float, object]:
    """Median wall seconds, every run's wall seconds, median CPU seconds of this process."""
    times, cpu, out = [], [], None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(times), times, statistics.median(cpu), out


def main(n: int = 1_000_000, repeats: int = 5, seed: int = 0) -> pd.DataFrame:
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}, "
          f"cpus: {os.cpu_count()}")  # fmt: skip
    t0 = time.perf_counter()
    d = simulate(n, seed)
    print(f"simulated {n:,} customers in {time.perf_counter() - t0:.1f} s; "
          f"{int((d.frequency > 0).sum()):,} repeat buyers, "
          f"{len(d.groupby(['frequency', 'recency', 'T'])):,} distinct summaries")  # fmt: skip
    f, r, T = (d[c].to_numpy() for c in ("frequency", "recency", "T"))
    rows, fitted = [], {}

    med, all_t, cpu, model = timed(lambda: BetaGeoModel().fit(f, r, T), repeats)
    rows.append(("BetaGeoModel.fit", med, all_t, cpu))
    fitted["clientlib"] = model.params_

    table = ibis.memtable(d)
    params = {"active_min": 0.7, "at_risk_min": 0.3, "horizon_days": 90,
              "max_fit_rows": 500_000, "seed": 0}  # fmt: skip
    med, all_t, cpu, learned = timed(lambda: hook.fit(table, params), repeats)
    rows.append(("btyd hook fit (DuckDB)", med, all_t, cpu))
    fitted["hook"] = {k: learned[k] for k in TRUE}

    med, all_t, cpu, _ = timed(
        lambda: hook.prepare(table, {**params, **learned}).to_pyarrow(), repeats
    )
    rows.append(("btyd hook prepare (DuckDB)", med, all_t, cpu))

    try:
        from lifetimes import BetaGeoFitter
    except ImportError:
        print("lifetimes not installed: its row is left out (pip install '.[bench]')")
    else:
        lt_repeats = max(1, min(repeats, 3))
        med, all_t, cpu, lt = timed(lambda: BetaGeoFitter().fit(f, r, T), lt_repeats)
        rows.append(("lifetimes BetaGeoFitter.fit", med, all_t, cpu))
        fitted["lifetimes"] = dict(lt.params_)

    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    out = pd.DataFrame(
        [{"step": s, "median_wall_s": round(m, 2), "median_cpu_s": round(c, 2),
          "runs_wall_s": " ".join(f"{v:.2f}" for v in ts)} for s, m, ts, c in rows]
    )  # fmt: skip
    print(out.to_string(index=False))
    print(pd.DataFrame({"true": TRUE, **fitted}).round(4).to_string())
    return out


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*args)
