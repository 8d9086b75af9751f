"""BTYD: the BG/NBD model's P(alive) as a framework (the statistical "dormant").

``fit`` learns the BG/NBD parameters (``r``, ``alpha``, ``a``, ``b``; times in days) from the
customers' ``frequency``, ``recency`` and ``T``.  The summary is grouped in the engine first
(customers with the same three values are one row with a weight), so only the distinct
summaries are collected; past ``max_fit_rows`` distinct rows the fit uses a seeded Bernoulli
sample of the customers.

``prepare`` adds, as Ibis expressions (classification stays in the engine):

``p_alive``
    ``1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x)) ** (r + x))``
    (Fader, Hardie & Lee 2005a, eq. 12); null for customers who never bought.
``expected_purchases``
    purchases expected in the next ``horizon_days`` (FHL 2005a, eq. 10).  It needs the Gauss
    hypergeometric function, which no SQL engine has: the distinct (frequency, recency, T) of
    the facts are collected, scored with :func:`scipy.special.hyp2f1`, and joined back in the
    engine as a small table.

Examples
--------
>>> import ibis
>>> f = ibis.memtable({"customer_id": ["a", "b", "c"], "frequency": [0.0, 3.0, 1.0],
...                    "recency": [0.0, 200.0, 20.0], "T": [100.0, 210.0, 300.0]})
>>> params = {"horizon_days": 90, "max_fit_rows": 500_000, "seed": 0}
>>> learned = HOOK.fit(f, params)
>>> sorted(learned)[:4]
['a', 'alpha', 'b', 'fit_customers']
>>> HOOK.prepare(f, {**params, **learned}).order_by("customer_id").p_alive.to_pandas()[0]
np.float64(1.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np

from clientlib.errors import OptionError
from clientlib.frameworks.hooks import Hook
from clientlib.messages import number, text

__all__ = ["HOOK", "fit", "not_applicable", "prepare"]


def _collect(facts: ir.Table, max_rows: int, seed: int) -> tuple[np.ndarray, ...]:
    """Distinct (frequency, recency, T) of buyers with their counts, grouped in the engine."""
    buyers = facts.filter(facts["T"].notnull() & facts.frequency.notnull())
    grouped = buyers.group_by(
        frequency=buyers.frequency.cast("float64"),
        recency=buyers.recency.cast("float64"),
        T=buyers["T"].cast("float64"),
    ).aggregate(n=buyers.count())
    # A stable row order, whatever order the engine returned (same data, same fit).
    df = grouped.to_pandas().sort_values(["frequency", "recency", "T"], kind="stable")
    if len(df) > max_rows:
        # A seeded Bernoulli sample of customers (each kept with chance f, so every row's
        # count is thinned binomially: unbiased), f chosen so about max_rows rows stay.
        n = df["n"].to_numpy(dtype="float64")
        lo, hi = 0.0, 1.0
        for _ in range(50):
            f = (lo + hi) / 2
            lo, hi = (f, hi) if np.sum(1 - (1 - f) ** n) < max_rows else (lo, f)
        kept = np.random.default_rng(seed).binomial(df["n"].to_numpy(), lo)
        df = df.assign(n=kept)[kept > 0]
    return tuple(df[c].to_numpy(dtype="float64") for c in ("frequency", "recency", "T", "n"))


def _check(params: Mapping[str, Any]) -> None:
    lo, hi = params.get("at_risk_min"), params.get("active_min")
    for name in ("active_min", "at_risk_min"):
        v = params.get(name)
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v <= 1:
            raise OptionError(f"btyd: {name} is a probability between 0 and 1, not {v!r}")
    if float(lo) > float(hi):  # type: ignore[arg-type]  # both checked just above
        raise OptionError(f"btyd: at_risk_min ({lo}) must not exceed active_min ({hi})")
    h = params.get("horizon_days")
    if not isinstance(h, (int, float)) or isinstance(h, bool) or h <= 0:
        raise OptionError(f"btyd: horizon_days is a number of days > 0, not {h!r}")


def fit(facts: ir.Table, params: Mapping[str, Any]) -> dict[str, Any]:
    """Fit BG/NBD on the facts (days); return ``r, alpha, a, b`` and fit details.

    Returns
    -------
    dict
        ``r``, ``alpha`` (days), ``a``, ``b``, ``log_likelihood``, ``fit_customers`` (customers
        the fit used).
    """
    if "active_min" in params:
        _check(params)
    max_rows = int(params.get("max_fit_rows", 500_000))
    x, tx, T, n = _collect(facts, max_rows, int(params.get("seed", 0)))
    from clientlib.btyd import BetaGeoModel  # SciPy and scikit-learn: only when a model is fitted

    model = BetaGeoModel(time_unit="days").fit(x, tx, T, sample_weight=n)
    return {
        **model.params_,
        "log_likelihood": model.log_likelihood_,
        "fit_customers": int(n.sum()),
    }


def _p_alive(t: ir.Table, r: float, alpha: float, a: float, b: float) -> ir.FloatingValue:
    x = t.frequency.cast("float64")
    tx = t.recency.cast("float64")
    T = t["T"].cast("float64")
    # ratio ** (r + x) as exp(log): engines differ on pow of large exponents
    log_odds = math.log(a) - (b + x - 1).ln() + (r + x) * ((alpha + T).ln() - (alpha + tx).ln())
    alive = 1.0 / (1.0 + log_odds.exp())
    return ibis.cases((T.isnull(), ibis.null("float64")), (x > 0, alive), else_=1.0)


def _with_expected(t: ir.Table, params: Mapping[str, Any]) -> ir.Table:
    buyers = t.filter(t["T"].notnull() & t.frequency.notnull())
    # A grouping, not DISTINCT: Ibis 12 cannot compile DISTINCT over the sorted facts for Spark
    # (its rewrite for sort keys outside the selection raises KeyError on a repeated column).
    keys = (
        buyers.group_by(
            _f=buyers.frequency.cast("float64"),
            _r=buyers.recency.cast("float64"),
            _T=buyers["T"].cast("float64"),
        )
        .agg(_n=buyers.count())
        .to_pandas()
        .drop(columns="_n")
    )
    from clientlib.btyd import BetaGeoModel

    model = BetaGeoModel(time_unit="days")
    model.params_ = {k: float(params[k]) for k in ("r", "alpha", "a", "b")}
    keys["_e"] = model.expected_purchases(
        float(params["horizon_days"]), keys["_f"], keys["_r"], keys["_T"]
    )
    lut = ibis.memtable(keys)
    on = [
        t.frequency.cast("float64") == lut._f,
        t.recency.cast("float64") == lut._r,
        t["T"].cast("float64") == lut._T,
    ]
    joined = t.left_join(lut, on)
    return joined.select(*t.columns, expected_purchases=joined._e)


def prepare(facts: ir.Table, params: Mapping[str, Any]) -> ir.Table:
    """The facts plus ``p_alive`` and ``expected_purchases`` (Ibis expressions).

    ``params`` carries the rulebook's params and the values :func:`fit` learned.
    """
    r, alpha, a, b = (float(params[k]) for k in ("r", "alpha", "a", "b"))
    t = facts.mutate(p_alive=_p_alive(facts, r, alpha, a, b))
    if "horizon_days" in params:
        t = _with_expected(t, params)
    return t


def not_applicable(facts: ir.Table, params: Mapping[str, Any]) -> str | None:
    """Why BG/NBD cannot be fitted on these facts (no repeat buyer), or ``None``."""
    counts = facts.aggregate(
        buyers=facts["T"].notnull().cast("int64").sum(),
        repeat=(facts.frequency > 0).fill_null(False).cast("int64").sum(),
    ).to_pandas()
    buyers, repeat = int(counts["buyers"].fillna(0)[0]), int(counts["repeat"].fillna(0)[0])
    if repeat == 0:
        return "btyd: " + text("btyd.not_applicable", "en", n=number(buyers, "en"))
    return None


HOOK = Hook(
    requires=frozenset({"frequency", "recency", "T"}),
    provides={"p_alive": "num", "expected_purchases": "num"},
    fit=fit,
    prepare=prepare,
    outputs=("p_alive", "expected_purchases"),
    not_applicable=not_applicable,
)
