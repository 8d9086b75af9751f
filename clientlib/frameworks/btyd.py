"""BTYD: a buy-till-you-die model's P(alive) as a framework (the statistical "dormant").

``fit`` learns the parameters of the model the ``model`` param names (:data:`MODELS`:
``pareto_nbd`` by default, ``bgnbd``, ``mbgnbd``; times in days) from the customers'
``frequency``, ``recency`` and ``T``.  The summary is grouped in the engine first (customers
with the same three values are one row with a weight), so only the distinct summaries are
collected; past ``max_fit_rows`` distinct rows the fit uses a seeded Bernoulli sample of the
customers.  :func:`not_applicable` refuses data the model cannot be trusted on (fewer than
:data:`MIN_REPEAT_BUYERS` repeat buyers, a fit that ran away, non-finite predictions).

``prepare`` adds, in the engine:

``p_alive``
    BG/NBD: ``1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x)) ** (r + x))``
    (Fader, Hardie & Lee 2005a, eq. 12), MBG/NBD the same with ``b + x`` and no ``[x > 0]``,
    both as Ibis expressions; Pareto/NBD's needs the Gauss hypergeometric function (below).
    Null for customers who never bought.
``expected_purchases``
    purchases expected in the next ``horizon_days``.  It needs the Gauss hypergeometric
    function, which no SQL engine has: the distinct (frequency, recency, T) of the facts are
    collected, scored with :func:`scipy.special.hyp2f1`, and joined back in the engine as a
    small table.
``p_alive_assumed``
    true where P(alive) = 1 by BG/NBD's assumption (no repeat purchase): the ``one_time`` class.

Examples
--------
>>> import ibis
>>> f = ibis.memtable({"customer_id": ["a", "b", "c"], "frequency": [0.0, 3.0, 1.0],
...                    "recency": [0.0, 200.0, 20.0], "T": [100.0, 210.0, 300.0]})
>>> params = {"model": "bgnbd", "horizon_days": 90, "max_fit_rows": 500_000, "seed": 0}
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

__all__ = [
    "DEFAULT_MODEL",
    "HOOK",
    "MIN_REPEAT_BUYERS",
    "MODELS",
    "fit",
    "model_sentence",
    "not_applicable",
    "prepare",
]


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


#: The models the framework can fit (``model`` param) and their classes and parameter names.
MODELS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "bgnbd": ("clientlib.btyd", "BetaGeoModel", ("r", "alpha", "a", "b")),
    "mbgnbd": ("clientlib.models.mbgnbd", "ModifiedBetaGeoModel", ("r", "alpha", "a", "b")),
    "pareto_nbd": ("clientlib.models.pareto_nbd", "ParetoNBDModel", ("r", "alpha", "s", "beta")),
}
#: The model when the rulebook does not name one (the backtest's best, see btyd.yaml).
DEFAULT_MODEL = "pareto_nbd"
#: Fewer customers with a repeat purchase than this: the rates cannot be learned.
MIN_REPEAT_BUYERS = 20


def _model_name(params: Mapping[str, Any]) -> str:
    name = params.get("model", DEFAULT_MODEL)
    if name not in MODELS:
        raise OptionError(f"btyd: model is one of {', '.join(MODELS)}, not {name!r}")
    return str(name)


def _model(params: Mapping[str, Any], learned: Mapping[str, Any] | None = None) -> Any:
    """A model object of the ``model`` param (SciPy and scikit-learn imported only here),
    with the learned parameters set when given.
    """
    import importlib

    module, cls, names = MODELS[_model_name(params)]
    model = getattr(importlib.import_module(module), cls)(
        time_unit="days", penalizer=params.get("penalizer", 0.0)
    )  # the model checks the penalizer
    if learned is not None:
        model.params_ = {k: float(learned[k]) for k in names}
    return model


def model_sentence(learned: Mapping[str, Any], lang: str = "en") -> str:
    """Which model the framework used and why, in ``lang`` (the report's appendix).

    Examples
    --------
    >>> model_sentence({"model": "bgnbd"})
    'Still a customer?: model BG/NBD (chosen in the parameters of the run)'
    """
    name = _model_name(learned)
    why = "model_reason_default" if name == DEFAULT_MODEL else "model_reason_chosen"
    return text(
        "btyd.model_used", lang, model=text(f"btyd.model_{name}", lang),
        reason=text(f"btyd.{why}", lang),
    )  # fmt: skip


def _check(params: Mapping[str, Any]) -> None:
    _model_name(params)
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


# The last fit, by its data and settings: not_applicable fits to judge the fit, then fit
# returns the same model without a second optimisation.
_LAST: dict[tuple[Any, ...], Any] = {}


def _fitted(facts: ir.Table, params: Mapping[str, Any]) -> tuple[Any, tuple[np.ndarray, ...]]:
    import hashlib

    max_rows = int(params.get("max_fit_rows", 500_000))
    cols = _collect(facts, max_rows, int(params.get("seed", 0)))
    digest = hashlib.sha256(b"".join(c.tobytes() for c in cols)).hexdigest()
    key = (_model_name(params), repr(params.get("penalizer", 0.0)), digest)
    model = _LAST.get(key)
    if model is None:
        x, tx, T, n = cols
        model = _model(params).fit(x, tx, T, sample_weight=n)
        _LAST.clear()
        _LAST[key] = model
    return model, cols


def fit(facts: ir.Table, params: Mapping[str, Any]) -> dict[str, Any]:
    """Fit the ``model`` param's model on the facts (days); return its parameters and details.

    Returns
    -------
    dict
        The model's parameters (``r, alpha, a, b`` or Pareto/NBD's ``r, alpha, s, beta``;
        rates per day), ``model``, ``log_likelihood``, ``fit_customers`` (customers the fit
        used) and the standard errors as ``se_<name>``.
    """
    if "active_min" in params:
        _check(params)
    model, cols = _fitted(facts, params)
    return {
        **model.params_,
        "model": _model_name(params),
        "log_likelihood": model.log_likelihood_,
        "fit_customers": int(cols[3].sum()),
        **{f"se_{k}": v for k, v in model.standard_errors_.items()},
    }


def _p_alive(t: ir.Table, r: float, alpha: float, a: float, b: float, k: int) -> ir.FloatingValue:
    """BG/NBD (``k = 0``) or MBG/NBD (``k = 1``) P(alive) as an engine expression."""
    x = t.frequency.cast("float64")
    tx = t.recency.cast("float64")
    T = t["T"].cast("float64")
    # ratio ** (r + x) as exp(log): engines differ on pow of large exponents
    log_odds = math.log(a) - (b + x - 1 + k).ln() + (r + x) * ((alpha + T).ln() - (alpha + tx).ln())
    alive = 1.0 / (1.0 + log_odds.exp())
    judged = (x > 0) if k == 0 else x.notnull()
    return ibis.cases((T.isnull(), ibis.null("float64")), (judged, alive), else_=1.0)


def _with_lookup(t: ir.Table, params: Mapping[str, Any], model: Any) -> ir.Table:
    """``expected_purchases`` (and Pareto/NBD's ``p_alive``) scored in Python on the distinct
    (frequency, recency, T) and joined back: both need the Gauss hypergeometric function,
    which no SQL engine has.
    """
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
    args = (keys["_f"], keys["_r"], keys["_T"])
    new: dict[str, str] = {}
    if "p_alive" not in t.columns:
        keys["_p"] = model.p_alive(*args)
        new["p_alive"] = "_p"
    if "horizon_days" in params:
        keys["_e"] = model.expected_purchases(float(params["horizon_days"]), *args)
        new["expected_purchases"] = "_e"
    if not new:
        return t
    lut = ibis.memtable(keys)
    on = [
        t.frequency.cast("float64") == lut._f,
        t.recency.cast("float64") == lut._r,
        t["T"].cast("float64") == lut._T,
    ]
    joined = t.left_join(lut, on)
    return joined.select(*t.columns, **{c: joined[k] for c, k in new.items()})


def prepare(facts: ir.Table, params: Mapping[str, Any]) -> ir.Table:
    """The facts plus ``p_alive``, ``expected_purchases`` and ``p_alive_assumed`` (Ibis).

    ``params`` carries the rulebook's params and the values :func:`fit` learned.
    ``p_alive_assumed`` is true where P(alive) is 1 by the model's assumption, not by
    evidence: BG/NBD customers without a repeat purchase (the ``one_time`` class).
    """
    name = _model_name(params)
    model = _model(params, params)
    t = facts
    if name in ("bgnbd", "mbgnbd"):
        r, alpha, a, b = (float(params[k]) for k in ("r", "alpha", "a", "b"))
        t = t.mutate(p_alive=_p_alive(t, r, alpha, a, b, 1 if name == "mbgnbd" else 0))
    t = _with_lookup(t, params, model)
    assumed = (t.frequency == 0) if name == "bgnbd" else ibis.literal(False)
    return t.mutate(p_alive_assumed=assumed.fill_null(False))


def not_applicable(facts: ir.Table, params: Mapping[str, Any]) -> str | None:
    """Why the model cannot be trusted on these facts, in English, or ``None``.

    Too few repeat buyers (fewer than :data:`MIN_REPEAT_BUYERS`) is said before fitting; then
    the model is fitted and refused when a log-parameter ended at the optimizer's bounds, the
    Hessian gives no finite standard error (a flat likelihood: parameters running away, as on
    three customers or on a thousand identical ones) or a prediction is not finite.
    """
    counts = facts.aggregate(
        buyers=facts["T"].notnull().cast("int64").sum(),
        repeat=(facts.frequency > 0).fill_null(False).cast("int64").sum(),
    ).to_pandas()
    buyers, repeat = int(counts["buyers"].fillna(0)[0]), int(counts["repeat"].fillna(0)[0])
    lang = str(params.get("lang") or "en")
    title = text(f"btyd.model_{_model_name(params)}", lang)
    if repeat == 0:
        return "btyd: " + text("btyd.not_applicable", lang, n=number(buyers, lang), model=title)
    if repeat < MIN_REPEAT_BUYERS:
        return "btyd: " + text(
            "btyd.too_few_repeat", lang, n=repeat, min=number(MIN_REPEAT_BUYERS, lang),
            model=title,
        )  # fmt: skip
    model, (x, tx, T, _n) = _fitted(facts, params)
    if model.at_bounds_ or not all(np.isfinite(v) for v in model.standard_errors_.values()):
        decimal = "," if lang == "ru" else "."
        values = ", ".join(f"{k} = {v:.4g}".replace(".", decimal) for k, v in model.params_.items())
        return "btyd: " + text("btyd.runaway", lang, model=title, params=values)
    horizon = float(params.get("horizon_days", 90))
    with np.errstate(all="ignore"):
        scored = np.concatenate(
            [model.p_alive(x, tx, T), model.expected_purchases(horizon, x, tx, T)]
        )
    if not np.isfinite(scored).all():
        return "btyd: " + text("btyd.not_finite", lang, model=title)
    return None


HOOK = Hook(
    requires=frozenset({"frequency", "recency", "T"}),
    provides={"p_alive": "num", "expected_purchases": "num", "p_alive_assumed": "bool"},
    fit=fit,
    prepare=prepare,
    outputs=("p_alive", "expected_purchases"),
    not_applicable=not_applicable,
)
