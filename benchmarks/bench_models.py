"""Time the customer-base models' fits on 1M customers: clientlib, lifetimes, pymc-marketing.

Run: ``make bench-models`` (= ``.venv/bin/python benchmarks/bench_models.py --n 1000000
--rounds 5 --readme benchmarks/README.md``); ``--models bgnbd,gg`` or
``--tools clientlib,lifetimes`` pick rows. pymc-marketing (MAP) needs Python >= 3.12: its rows
run in ``build/peers-venv`` (``make peers`` = ``benchmarks/peers.sh``) and are left out, said,
when that venv is absent.

Rows (model × tool; every fit on the same simulated customers, one row per customer):

* BG/NBD, MBG/NBD: frequency, recency, T in days, simulated from the BG/NBD process with the
  CDNOW parameters (``bench_btyd.simulate``); lifetimes ``BetaGeoFitter`` /
  ``ModifiedBetaGeoFitter``, pymc-marketing ``BetaGeoModel`` / ``ModifiedBetaGeoModel``;
* Pareto/NBD: simulated from the Pareto/NBD process (FHL 2005's parameters, in weeks scaled
  to days); lifetimes ``ParetoNBDFitter``, pymc-marketing ``ParetoNBDModel``;
* Gamma-Gamma: the BG/NBD data's repeat buyers with average spends from the Gamma-Gamma
  process (p 6.25, q 3.74, v 15.44); lifetimes ``GammaGammaFitter``, pymc-marketing
  ``GammaGammaModel``;
* BG/BB: 6 opportunities, the donation parameters (alpha 1.204, beta 0.750, gamma 0.657,
  delta 2.783); lifetimes ``BetaGeoBetaBinomFitter``, pymc-marketing ``BetaGeoBetaBinomModel``;
* sBG: 12 periods, FH 2007's "regular" parameters (alpha 0.704, beta 1.182); clientlib fits the
  survival curve (counted from the customers inside the timing), pymc-marketing
  ``ShiftedBetaGeoModel`` the customers; lifetimes has no sBG.

clientlib's models that are not importable yet are left out with "not built yet".
``--tools ...,pymc-marketing-flat`` adds pymc-marketing's MAP with flat priors (``HalfFlat`` on
every parameter, so the MAP is the MLE): its default priors are on the scale of weeks and can
pull the MAP of data in days off the MLE by more than ``--rtol``.
``--lifetimes-weights pareto`` (the default: a model whose lifetimes fit on the raw rows is too
slow to time in rounds) fits lifetimes on the rows grouped by hand by distinct (frequency, recency,
T/n_periods) with its ``weights=`` argument; the grouping (``np.unique``) is inside the timing,
and the row says so.

Method: the data is simulated once per model (seeded) and saved under ``build/bench-models/``.
Every fit runs in its own fresh process (``--worker``), which loads the data and imports its
library untimed, then times one ``fit`` (wall and CPU seconds) and reports its parameters and
its peak RSS. A first round checks that every tool's parameters are within ``--rtol`` of the
reference (clientlib's fit, or lifetimes' when clientlib has no such model yet) before anything
is timed; a row that disagrees is reported and not timed. Then ``--rounds`` interleaved rounds
(the order of the rows rotates each round) give the median.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "build" / "bench-models"
PEERS = ROOT / "build" / "peers-venv" / "bin" / "python"

#: model -> (title, data kind, parameter names)
MODELS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "bgnbd": ("BG/NBD", "bgnbd", ("r", "alpha", "a", "b")),
    "mbgnbd": ("MBG/NBD", "bgnbd", ("r", "alpha", "a", "b")),
    "pareto": ("Pareto/NBD", "pareto", ("r", "alpha", "s", "beta")),
    "gg": ("Gamma-Gamma", "gg", ("p", "q", "v")),
    "bgbb": ("BG/BB", "bgbb", ("alpha", "beta", "gamma", "delta")),
    "sbg": ("sBG", "sbg", ("alpha", "beta")),
}
TOOLS = ("clientlib", "lifetimes", "pymc-marketing")
#: lifetimes on the rows grouped by hand (``--lifetimes-weights``): the worker's tool name
GROUPED = "lifetimes-grouped"
#: pymc-marketing's MAP with flat priors (``HalfFlat``: the MAP is the MLE), for a model whose
#: default priors pull the MAP off the MLE on this data (``--tools ...,pymc-marketing-flat``)
PYMC_FLAT = "pymc-marketing-flat"
LABELS = {"pymc-marketing": "pymc-marketing MAP",
          PYMC_FLAT: "pymc-marketing MAP, flat priors (`HalfFlat`)",
          GROUPED: "lifetimes, rows grouped by hand + `weights=` (grouping timed)"}
#: (model, tool) -> how the worker fits (None: the tool has no such model)
LIFETIMES = {"bgnbd": "BetaGeoFitter", "mbgnbd": "ModifiedBetaGeoFitter",
             "pareto": "ParetoNBDFitter", "gg": "GammaGammaFitter",
             "bgbb": "BetaGeoBetaBinomFitter"}  # fmt: skip
PYMC = {"bgnbd": "BetaGeoModel", "mbgnbd": "ModifiedBetaGeoModel", "pareto": "ParetoNBDModel",
        "gg": "GammaGammaModel", "bgbb": "BetaGeoBetaBinomModel", "sbg": "ShiftedBetaGeoModel"}
CLIENTLIB = {"bgnbd": ("clientlib.btyd", "BetaGeoModel"),
             "mbgnbd": ("clientlib.models.mbgnbd", "ModifiedBetaGeoModel"),
             "pareto": ("clientlib.models.pareto_nbd", "ParetoNBDModel"),
             "gg": ("clientlib.btyd", "GammaGammaModel"),
             "bgbb": ("clientlib.models.bgbb", "BetaGeoBetaBinomModel"),
             "sbg": ("clientlib.models.sbg", "ShiftedBetaGeoModel")}  # fmt: skip


# --- simulated data ----------------------------------------------------------------------------


def _bgnbd(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_btyd import simulate

    d = simulate(n, int(rng.integers(2**31)))
    f, r, T = (d[c].to_numpy(dtype="float64") for c in ("frequency", "recency", "T"))
    # Gamma-Gamma spends for the repeat buyers: nu ~ Gamma(q, rate v), mean ~ Gamma(p x, rate nu x)
    p, q, v = 6.25, 3.74, 15.44
    buyers = f > 0
    nu = rng.gamma(q, 1 / v, buyers.sum())
    x = f[buyers]
    spend = rng.gamma(p * x, 1 / (nu * x))
    return {"frequency": f, "recency": r, "T": T, "gg_frequency": x, "gg_monetary": spend}


def _pareto(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    # FHL 2005 on CDNOW in weeks (r 0.553, alpha 10.58, s 0.606, beta 11.67), in days (x 7)
    lam = rng.gamma(0.553, 1 / (10.58 * 7), n)
    mu = rng.gamma(0.606, 1 / (11.67 * 7), n)
    T = rng.integers(0, 546, n).astype("float64")
    alive_for = np.minimum(rng.exponential(1 / np.maximum(mu, 1e-300)), T)
    x = rng.poisson(lam * alive_for).astype("float64")
    # the last of x uniform purchase times in [0, alive_for]: alive_for * U^(1/x), whole days
    last = np.where(x > 0, alive_for * rng.random(n) ** (1 / np.maximum(x, 1)), 0.0)
    return {"frequency": x, "recency": np.floor(last), "T": T}


def _bgbb(n: int, rng: np.random.Generator, periods: int = 6) -> dict[str, np.ndarray]:
    p = rng.beta(1.204, 0.750, n)
    theta = rng.beta(0.657, 2.783, n)
    alive = np.ones(n, dtype=bool)
    x = np.zeros(n)
    last = np.zeros(n)
    for t in range(1, periods + 1):
        alive &= rng.random(n) >= theta  # dies at the start of an opportunity
        buy = alive & (rng.random(n) < p)
        x += buy
        last[buy] = t
    return {"frequency": x, "recency": last, "n_periods": np.full(n, float(periods))}


def _sbg(n: int, rng: np.random.Generator, periods: int = 12) -> dict[str, np.ndarray]:
    theta = rng.beta(0.704, 1.182, n)
    churn = rng.geometric(theta).astype("float64")  # the period a customer leaves in (>= 1)
    return {"churn": churn, "periods": np.array([float(periods)])}


SIMULATE = {"bgnbd": _bgnbd, "pareto": _pareto, "bgbb": _bgbb, "sbg": _sbg}


def data_file(kind: str, n: int, seed: int) -> Path:
    """The saved simulation of ``kind`` (made once per n and seed)."""
    kind = "bgnbd" if kind == "gg" else kind
    path = DATA / f"{kind}_{n}_{seed}.npz"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        arrays = SIMULATE[kind](n, np.random.default_rng(seed))
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, **arrays)
        os.replace(tmp, path)
        print(f"simulated {kind} for {n:,} customers in {time.perf_counter() - t0:.1f} s")
    return path


# --- one fit in its own process ----------------------------------------------------------------


def _inputs(model: str, d: dict[str, np.ndarray], tool: str):
    """The fit's arguments as the tool takes them (made before the timing)."""
    if model == "gg":
        x, m = d["gg_frequency"], d["gg_monetary"]
        if tool.startswith("pymc-marketing"):
            import pandas as pd

            return pd.DataFrame({"customer_id": np.arange(x.size), "frequency": x,
                                 "monetary_value": m})
        return x, m
    if model == "sbg":
        churn, T = d["churn"], int(d["periods"][0])
        if tool.startswith("pymc-marketing"):
            import pandas as pd

            # a churn seen in periods 1 .. T-1; still a customer at T: recency = T
            return pd.DataFrame({"customer_id": np.arange(churn.size),
                                 "recency": np.minimum(churn, T), "T": float(T),
                                 "cohort": "all"})
        return churn, T
    third = d["n_periods"] if model == "bgbb" else d["T"]
    if tool.startswith("pymc-marketing"):
        import pandas as pd

        return pd.DataFrame({"customer_id": np.arange(third.size), "frequency": d["frequency"],
                             "recency": d["recency"], "T": third})
    return d["frequency"], d["recency"], third


def _fit(model: str, tool: str, args):
    """Fit once; return the parameters by the names of :data:`MODELS`."""
    names = MODELS[model][2]
    if tool == "clientlib":
        import importlib

        module, cls = CLIENTLIB[model]
        est = getattr(importlib.import_module(module), cls)()
        if model == "sbg":  # the survival curve: customers still there after period 0 .. T-1
            churn, T = args
            counts = np.bincount(churn.astype("int64").clip(max=T), minlength=T + 1)
            survivors = churn.size - np.cumsum(counts)[:T]
            est.fit(survivors)
        else:
            est.fit(*args)
        return {k: float(est.params_[k]) for k in names}
    if tool in ("lifetimes", GROUPED):
        import lifetimes

        est = getattr(lifetimes, LIFETIMES[model])()
        if tool == GROUPED:  # one row per distinct history, counted: lifetimes' weights=
            rows, weights = np.unique(np.column_stack(args), axis=0, return_counts=True)
            est.fit(*rows.T, weights=weights)
        else:
            est.fit(*args)
        return {k: float(est.params_[k]) for k in names}
    import pymc_marketing.clv as clv

    config = None
    if tool == PYMC_FLAT:
        from pymc_extras.prior import Prior

        config = {k: Prior("HalfFlat") for k in names}
    est = getattr(clv, PYMC[model])(model_config=config)
    est.fit(data=args, method="map", progressbar=False)
    post = est.idata.posterior
    return {k: float(post[k].values.mean()) for k in names}


def worker(model: str, tool: str, path: str) -> None:
    """Print one JSON line: wall and CPU seconds of the fit, its parameters, peak RSS."""
    import warnings

    warnings.simplefilter("ignore")  # the peers' own deprecation noise is not ours to show
    with np.load(path) as z:
        d = {k: z[k] for k in z.files}
    args = _inputs(model, d, tool)
    if tool == "clientlib":  # import before the timing, as for the peers below
        import importlib

        importlib.import_module(CLIENTLIB[model][0])
    elif tool in ("lifetimes", GROUPED):
        import lifetimes  # noqa: F401
    else:
        import pymc_marketing.clv  # noqa: F401
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0, c0 = time.perf_counter(), time.process_time()
    params = _fit(model, tool, args)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall": wall, "cpu": cpu, "params": params, "peak_rss_mb": rss1,
                      "fit_rss_mb": rss1 - rss0}))


# --- the benchmark -----------------------------------------------------------------------------


def _available(model: str, tool: str) -> str | None:
    """Why a row cannot run here (None: it can)."""
    if tool in ("lifetimes", GROUPED) and model not in LIFETIMES:
        return "lifetimes has no such model"
    if tool.startswith("pymc-marketing") and not PEERS.exists():
        return "no build/peers-venv (make peers)"
    if tool == "clientlib":
        import importlib.util

        module, cls = CLIENTLIB[model]
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found or not hasattr(importlib.import_module(module), cls):
            return "not built yet"
    if tool in ("lifetimes", GROUPED):
        import importlib.util

        if importlib.util.find_spec("lifetimes") is None:
            return "lifetimes not installed (pip install '.[bench]')"
    return None


def run_one(model: str, tool: str, path: Path, timeout: float) -> dict:
    """One fit in a fresh process (clientlib's venv, or the peers' for pymc-marketing)."""
    python = str(PEERS) if tool.startswith("pymc-marketing") else sys.executable
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH", "")])])}
    if tool.startswith("pymc-marketing"):  # the peers' venv must not see clientlib's packages
        env["PYTHONPATH"] = str(ROOT / "benchmarks")
    cmd = [python, str(Path(__file__).resolve()), "--worker", model, tool, str(path)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:.0f} s"}
    if out.returncode:
        last = (out.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": last[:200]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _close(a: dict[str, float], b: dict[str, float], rtol: float) -> float:
    """The largest relative difference between two parameter sets."""
    return max(abs(a[k] - b[k]) / max(abs(b[k]), 1e-12) for k in b)


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def _versions() -> str:
    from importlib import metadata

    out = []
    for name in ("lifetimes", "numpy", "scipy"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out.append(f"{name} {metadata.version(name)}")
    if PEERS.exists():
        code = ("import sys, pymc_marketing, pymc; print(pymc_marketing.__version__, "
                "pymc.__version__, sys.version.split()[0])")
        v = subprocess.run([str(PEERS), "-c", code], capture_output=True, text=True).stdout.split()
        if len(v) == 3:
            out.append(f"pymc-marketing {v[0]} (PyMC {v[1]}, Python {v[2]})")
    return ", ".join(out)


def main(argv: list[str] | None = None) -> str:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--rtol", type=float, default=0.02,
                    help="largest relative parameter difference to the reference")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per fit")
    ap.add_argument("--readme", type=Path, help="write the table into this file's section")
    ap.add_argument("--stop-by", help="UTC HH:MM: start no round that would end after it")
    # lifetimes' Pareto/NBD on 1M raw rows: 315 s a fit (2026-12-08), too slow for rounds
    ap.add_argument("--lifetimes-weights", default="pareto",
                    help="models whose lifetimes fit runs on the rows grouped by hand (weights=); "
                    "'' for none")
    a = ap.parse_args(argv)
    started = dt.datetime.now(dt.UTC)
    load0 = os.getloadavg()
    rows, skipped = [], []
    grouped = set(filter(None, a.lifetimes_weights.split(",")))
    for model in a.models.split(","):
        for tool in a.tools.split(","):
            tool = GROUPED if tool == "lifetimes" and model in grouped else tool
            why = _available(model, tool)
            (skipped.append((model, tool, why)) if why else rows.append((model, tool)))
    paths = {m: data_file(MODELS[m][1], a.n, a.seed) for m in {m for m, _ in rows}}

    # the check round: every tool's parameters against the reference, before any timing
    params, refused = {}, []
    for model, tool in rows:
        res = run_one(model, tool, paths[model], a.timeout)
        if "error" in res:
            refused.append((model, tool, f"failed: {res['error']}"))
            continue
        params[model, tool] = res["params"]
        print(f"check {model:7} {tool:15} {res['wall']:8.2f} s  {res['params']}", flush=True)
    for model, tool in list(params):
        ref = next((t for t in ("clientlib", "lifetimes", GROUPED) if (model, t) in params),
                   None)
        if ref and ref != tool:
            diff = _close(params[model, tool], params[model, ref], a.rtol)
            if diff > a.rtol:
                refused.append((model, tool, f"parameters {diff:.1%} from {ref}'s: not timed"))
                del params[model, tool]
    timed = [row for row in rows if row in params]

    runs: dict[tuple[str, str], list[dict]] = {row: [] for row in timed}
    stop = None
    if a.stop_by:  # today's HH:MM in UTC (tomorrow's if already past)
        h, m = map(int, a.stop_by.split(":"))
        stop = started.replace(hour=h, minute=m, second=0, microsecond=0)
        stop += dt.timedelta(days=1) if stop < started else dt.timedelta(0)
    a.done = 0
    for i in range(a.rounds):
        t_round = time.monotonic()
        order = timed[i % len(timed):] + timed[: i % len(timed)] if timed else []
        for model, tool in order:
            res = run_one(model, tool, paths[model], a.timeout)
            if "error" not in res:
                runs[model, tool].append(res)
        a.done = i + 1
        print(f"round {i + 1}/{a.rounds} done, load {os.getloadavg()[0]:.1f}", flush=True)
        took = dt.timedelta(seconds=time.monotonic() - t_round)
        if stop and i + 1 < a.rounds and dt.datetime.now(dt.UTC) + took > stop:
            print(f"stopping: another round would end after {a.stop_by} UTC", flush=True)
            break
    load1 = os.getloadavg()
    text = _table(a, runs, params, refused + skipped, started, load0, load1)
    print(text)
    if a.readme:
        _write_section(a.readme, text)
    return text


def _table(a, runs, params, left_out, started, load0, load1) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    lines = [
        f"Run {started:%Y-%m-%d %H:%M} UTC, commit `{_git('rev-parse', '--short', 'HEAD')}`"
        f"{' (+ uncommitted changes)' if dirty else ''}"
        f", {os.cpu_count()} cores ({cpu}), load average {load0[0]:.1f} before, "
        f"{load1[0]:.1f} after; Python {platform.python_version()}; {_versions()}.",
        "",
        f"Command: `.venv/bin/python benchmarks/bench_models.py --n {a.n} --rounds {a.rounds} "
        f"--seed {a.seed} --models {a.models} --tools {a.tools}"
        f" --lifetimes-weights {a.lifetimes_weights or repr('')}"
        f" --timeout {a.timeout:g}{' --stop-by ' + a.stop_by if a.stop_by else ''}"
        f"{' --readme ' + str(a.readme) if a.readme else ''}`",
        "",
        f"{a.n:,} customers (seed {a.seed}); every fit in its own process; median of "
        f"{a.done} interleaved rounds"
        f"{f' (of {a.rounds}: --stop-by ended the run)' if a.done < a.rounds else ''}; "
        "the time of `fit` alone (data loaded and library imported before). Peak RSS of "
        "the fitting process, and in brackets how far the fit "
        "raised it (0: the fit stayed below the peak reached while loading the data). On a "
        "loaded machine read the CPU seconds: the wall seconds include waiting for a core. "
        "Ratio: the tool's median over clientlib's for the same model (wall / CPU).",
        "",
        "| model | tool | median wall s | median CPU s | ratio to clientlib (wall / CPU) "
        "| runs (wall s) | peak RSS MB (fit) | parameters |",
        "|---|---|---:|---:|---:|---|---:|---|",
    ]
    med = {row: (statistics.median(r["wall"] for r in res),
                 statistics.median(r["cpu"] for r in res))
           for row, res in runs.items() if res}  # fmt: skip
    for (model, tool), res in runs.items():
        if not res:
            continue
        walls = [r["wall"] for r in res]
        p = params[model, tool]
        base = med.get((model, "clientlib"))
        ratio = (f"{med[model, tool][0] / base[0]:.1f}× / {med[model, tool][1] / base[1]:.1f}×"
                 if base else "—")
        lines.append(
            f"| {MODELS[model][0]} | {LABELS.get(tool, tool)} "
            f"| {med[model, tool][0]:.2f} | {med[model, tool][1]:.2f} | {ratio} "
            f"| {' '.join(f'{w:.2f}' for w in walls)} "
            f"| {statistics.median(r['peak_rss_mb'] for r in res):.0f} "
            f"({statistics.median(r['fit_rss_mb'] for r in res):.0f}) "
            f"| {', '.join(f'{k} {v:.4g}' for k, v in p.items())} |")
    for model, tool, why in left_out:
        lines.append(f"| {MODELS[model][0]} | {LABELS.get(tool, tool)} | — | — | — | {why} "
                     "| — | — |")
    return "\n".join(lines)


_BEGIN = "<!-- bench_models: begin (make bench-models rewrites this section) -->"
_END = "<!-- bench_models: end -->"


def _write_section(readme: Path, table: str) -> None:
    """Replace the section between the markers (appended the first time)."""
    text = readme.read_text(encoding="utf-8")
    block = (f"{_BEGIN}\n## Issue #26: the models' fits at 1M customers (`make bench-models`)\n\n"
             f"{table}\n{_END}")
    if _BEGIN in text and _END in text:
        head, rest = text.split(_BEGIN, 1)
        text = head + block + rest.split(_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        worker(*sys.argv[2:])
    else:
        main()
