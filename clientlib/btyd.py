"""Buy-till-you-die models: BG/NBD for purchases and Gamma-Gamma for spend.

:class:`BetaGeoModel` is the BG/NBD model of Fader, Hardie & Lee (2005a, "Counting your customers
the easy way"): while alive a customer buys at a Poisson rate (gamma-distributed across customers,
shape ``r``, rate ``alpha``) and after each purchase drops out with a probability
(beta-distributed, ``a``, ``b``).  :class:`GammaGammaModel` is the spend model of Fader, Hardie &
Lee (2005b, "RFM and CLV"): a customer's average repeat spend is gamma with shape ``p`` around a
personal rate that is gamma(``q``, ``v``) across customers.

Both are fitted by maximum likelihood on the per-customer summary (the lifetimes-style
``frequency`` = repeat purchase days, ``recency`` = first → last purchase, ``T`` = first purchase →
end of the period, and the average spend of the repeat purchase days), with ``scipy.optimize``
on log-parameters and analytic gradients.  Rows with the same summary are fitted once, with a
weight, so a million customers fit in about a second.

Times are in ``time_unit`` (``"days"``, ``"weeks"`` or ``"months"`` of :data:`MONTH_DAYS` days);
:func:`summary_from_facts` turns clientlib customer facts (in days) into that unit.

Why written here: ``lifetimes`` is archived (2020) and kept in the development environment only as
a comparison oracle; ``btyd`` (0.1a1 on PyPI) pins ``pymc<5``, ``autograd==1.4`` and
``dill==0.3.5.1`` and does not install beside numpy 2; ``pymc-marketing`` needs Python >= 3.12.

Examples
--------
>>> import numpy as np
>>> f = np.array([2, 1, 0, 0, 5, 0, 3, 1]); tx = np.array([30.4, 1.7, 0, 0, 35.0, 0, 20.0, 8.0])
>>> T = np.array([38.9, 38.9, 38.9, 38.9, 38.9, 38.9, 38.9, 38.9])
>>> bg = BetaGeoModel(time_unit="weeks").fit(f, tx, T)
>>> sorted(bg.params_)
['a', 'alpha', 'b', 'r']
>>> float(bg.p_alive(f, tx, T)[2])
1.0
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import betaln, digamma, gammaln, hyp2f1
from sklearn.base import BaseEstimator

from clientlib.errors import InputError, OptionError
from clientlib.models._stats import at_bounds, standard_errors

__all__ = [
    "MONTH_DAYS",
    "TIME_UNITS",
    "BetaGeoModel",
    "GammaGammaModel",
    "calibration_summary",
    "summary_from_facts",
]

#: Days in a month: the mean Gregorian month, 365.25 / 12 (pymc-marketing's month).  CLV horizons
#: and the ``"months"`` time unit use it; lifetimes' CLV uses 30 days or 4.345 weeks instead
#: (pass ``month_days`` to :meth:`GammaGammaModel.clv` to reproduce it).
MONTH_DAYS: float = 30.4375
#: Days in one unit of time.
TIME_UNITS: dict[str, float] = {"days": 1.0, "weeks": 7.0, "months": MONTH_DAYS}
# Log-parameters stay in a range where every term is finite (e^±20).
_BOUND = 20.0


def _unit(time_unit: str) -> float:
    if time_unit not in TIME_UNITS:
        raise OptionError(f"time_unit is one of {', '.join(TIME_UNITS)}, not {time_unit!r}")
    return TIME_UNITS[time_unit]


def _arrays(**cols: Any) -> dict[str, np.ndarray]:
    """The inputs as float arrays of one length, finite and >= 0, or one line saying what is off."""
    out = {k: np.asarray(v, dtype="float64").ravel() for k, v in cols.items()}
    n = {len(v) for v in out.values()}
    if len(n) > 1:
        raise InputError(
            f"{', '.join(out)} have different lengths: {[len(v) for v in out.values()]}"
        )
    for k, v in out.items():
        bad = ~np.isfinite(v) | (v < 0)
        if bad.any():
            raise InputError(
                f"{k}: {int(bad.sum())} value(s) missing, negative or infinite "
                f"(e.g. {v[bad][:3].tolist()}); give customers with at least one purchase"
            )
    return out


def _weights(sample_weight: Any, n: int) -> np.ndarray:
    if sample_weight is None:
        return np.ones(n)
    w = np.asarray(sample_weight, dtype="float64").ravel()
    if len(w) != n or not np.isfinite(w).all() or (w < 0).any():
        raise InputError(f"sample_weight: {n} finite weights >= 0 are needed, got {len(w)}")
    return w


def _compress(
    weight: np.ndarray, *cols: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """Distinct rows of the columns, with their summed weights.

    The likelihood is a weighted sum over customers, so customers with the same summary are
    evaluated once.  Each column is factorised (``levels[k][codes[k]]`` gives the distinct rows'
    values), so terms that depend on one column only (a frequency, an age) are computed once a
    level, not once a row.
    """
    levels, inverses = [], []
    for c in cols:
        u, inv = np.unique(c, return_inverse=True)
        levels.append(u)
        inverses.append(inv.ravel())
    sizes = [len(u) for u in levels]
    if math.prod(sizes) < 2**62:
        key = np.zeros(len(weight), dtype=np.int64)
        for inv, size in zip(inverses, sizes, strict=True):
            key = key * size + inv
        ukey, inv = np.unique(key, return_inverse=True)
        codes = []
        for size in reversed(sizes):
            codes.append(ukey % size)
            ukey = ukey // size
        codes.reverse()
    else:  # pragma: no cover - continuous times with millions of distinct values
        rows, inv = np.unique(np.column_stack(inverses), axis=0, return_inverse=True)
        codes = [rows[:, k] for k in range(len(cols))]
    w = np.bincount(inv.ravel(), weights=weight, minlength=len(codes[0]))
    return levels, codes, w


def _summary(
    frequency: Any, recency: Any, T: Any, sample_weight: Any, model: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Checked ``frequency, recency, T`` and weights of a purchase model's fit."""
    d = _arrays(frequency=frequency, recency=recency, T=T)
    x, tx, T_ = d["frequency"], d["recency"], d["T"]
    weight = _weights(sample_weight, len(x))
    if len(x) == 0:
        raise InputError(f"no customers to fit the {model} model on")
    if (tx > T_).any():
        bad = int((tx > T_).sum())
        raise InputError(f"recency > T for {bad} customer(s); recency is first -> last purchase")
    if not (x[weight > 0] > 0).any():
        raise InputError(f"no customer has a repeat purchase: the {model} model cannot be fitted")
    return x, tx, T_, weight


def _minimize(fun, x0: np.ndarray) -> optimize.OptimizeResult:
    res = optimize.minimize(
        fun, x0, jac=True, method="L-BFGS-B", bounds=[(-_BOUND, _BOUND)] * len(x0),
        options={"maxiter": 2000, "gtol": 1e-9, "ftol": 1e-14},
    )  # fmt: skip
    return res


# --------------------------------------------------------------------------------------------
# BG/NBD
# --------------------------------------------------------------------------------------------


def _dot(u: np.ndarray, v: np.ndarray) -> float:
    return float(np.add.reduce(u * v))


def _bgnbd_ll(
    theta: np.ndarray,
    levels: list[np.ndarray],
    codes: list[np.ndarray],
    w: np.ndarray,
    shift: int = 0,
) -> tuple[float, np.ndarray]:
    """Weighted log-likelihood (FHL 2005a, eq. 6) and its gradient in log(r, alpha, a, b).

    ``levels``/``codes``/``w`` come from :func:`_compress` on (frequency, recency, T).
    Per customer: ``A1 + A2 + log(exp(A3) + [x > 0] exp(A4))`` with
    ``A1 = lnG(r+x) - lnG(r) + r ln(alpha)``, ``A2 = lnB(a, b+x) - lnB(a, b)``,
    ``A3 = -(r+x) ln(alpha+T)``, ``A4 = ln(a) - ln(b+x-1) - (r+x) ln(alpha+t_x)``.
    ``shift=1`` is the MBG/NBD of Batislam et al. (2007), where a customer may also drop out
    right after the first purchase: ``b + x`` becomes ``b + x + 1`` in ``A2`` and ``A4`` holds
    for every customer, ``x = 0`` included.
    """
    r, alpha, a, b = np.exp(theta)
    ux, utx, uT = levels
    ix, itx, iT = codes
    k = float(shift)
    wx = np.bincount(ix, weights=w, minlength=len(ux))  # customers per frequency level
    # terms of one frequency level
    rep = (ux > 0) | (shift > 0)
    xm = np.where(rep, ux, 1.0)  # keeps b + x - 1 > 0 where the term is masked out
    a12 = gammaln(r + ux) - gammaln(r) + betaln(a, b + ux + k) - betaln(a, b)
    c4 = np.where(rep, np.log(a) - np.log(b + xm - 1 + k), -np.inf)
    dab = digamma(a + b) - digamma(a + b + ux + k)
    # terms of one row
    rx = r + ux[ix]
    lT, lR = np.log(alpha + uT)[iT], np.log(alpha + utx)[itx]
    a3 = -rx * lT
    a4 = c4[ix] - rx * lR
    mix = np.logaddexp(a3, a4)
    w4 = np.exp(a4 - mix)  # share of "dropped out after the last purchase"
    ww4 = w * w4
    total = w.sum()
    # Sums of products without BLAS: its threads spin and slow down on a loaded machine.
    ll = _dot(wx, a12) + total * r * np.log(alpha) + _dot(w, mix)
    d_r = (
        _dot(wx, digamma(r + ux) - digamma(r))
        + total * np.log(alpha)
        - _dot(w, lT)
        - _dot(ww4, lR - lT)
    )
    inv_T, inv_R = (1 / (alpha + uT))[iT], (1 / (alpha + utx))[itx]
    d_alpha = total * r / alpha - _dot(w * rx, inv_T + w4 * (inv_R - inv_T))
    s4x = np.bincount(ix, weights=ww4, minlength=len(ux))  # sum of w * w4 per level
    d_a = _dot(wx, dab) + s4x.sum() / a
    d_b = _dot(wx, dab + digamma(b + ux + k) - digamma(b)) - _dot(s4x, 1 / (b + xm - 1 + k))
    grad = np.array([d_r, d_alpha, d_a, d_b]) * np.array([r, alpha, a, b])
    return float(ll), grad


def _penalized(loglik: Any, total: float, penalizer: float, factor: Any = 1.0) -> Any:
    """Objective of a fit on log-parameters: mean negative log-likelihood plus lifetimes'
    ``penalizer_coef * sum((factor * params) ** 2)``; ``factor`` puts the params on lifetimes'
    scale (rates per the oldest customer's age, which lifetimes rescales to 1).
    """
    f2 = np.asarray(factor, dtype="float64") ** 2

    def nll(theta: np.ndarray) -> tuple[float, np.ndarray]:
        ll, grad = loglik(theta)
        p2 = np.exp(2 * theta) * f2
        return -ll / total + penalizer * float(np.sum(p2)), -grad / total + 2.0 * penalizer * p2

    return nll


#: The factor from the fits' time scale (oldest customer 10) to lifetimes' (oldest 1), for the
#: penalty on rates (alpha, beta).
_TO_LIFETIMES = 0.1


def _penalizer(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise OptionError(f"penalizer is a number >= 0, not {value!r}")
    return float(value)


def _not_fitted(model: Any, how: str) -> None:
    if not hasattr(model, "params_"):
        from sklearn.exceptions import NotFittedError

        raise NotFittedError(f"{type(model).__name__} is not fitted yet; call {how}")


def _euler_hyp2f1_log(aa: Any, bb: Any, cc: Any, z: Any) -> np.ndarray:
    """``log 2F1(aa, bb; cc; z)`` for 0 <= z < 1, by Euler's transformation where the direct
    series overflows (as lifetimes does) and by Pfaff's, ``(1-z)^-aa 2F1(aa, cc-bb; cc;
    z/(z-1))``, where both fail (huge ``aa`` with ``z`` near 1, as on degenerate fits).
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ln_h = np.log(hyp2f1(aa, bb, cc, z))
        alt = np.log(hyp2f1(cc - aa, cc - bb, cc, z)) + (cc - aa - bb) * np.log1p(-z)
        pfaff = np.log(hyp2f1(aa, cc - bb, cc, z / (z - 1))) - aa * np.log1p(-z)
    ln_h = np.where(np.isfinite(ln_h), ln_h, alt)
    return np.where(np.isfinite(ln_h), ln_h, pfaff)


class BetaGeoModel(BaseEstimator):
    """BG/NBD (Fader, Hardie & Lee 2005a) fitted by maximum likelihood.

    Parameters
    ----------
    time_unit : {"days", "weeks", "months"}, default "days"
        Unit of ``recency``, ``T`` and every horizon ``t``; ``alpha`` is in this unit.
    penalizer : float, default 0.0
        L2 penalty ``penalizer * sum(params ** 2)`` added to the mean negative log-likelihood,
        as lifetimes' ``penalizer_coef`` (``alpha`` on lifetimes' scale: times divided by the
        oldest customer's ``T``), so the same value gives lifetimes' fit; 0 is the plain
        maximum-likelihood fit.

    Attributes
    ----------
    params_ : dict
        ``r``, ``alpha``, ``a``, ``b``.
    standard_errors_ : dict
        Their standard errors from the Hessian of the log-likelihood (same keys; NaN when the
        Hessian is not positive definite, e.g. a fit that ran away).
    log_likelihood_ : float
        Log-likelihood of the data at ``params_`` (times in ``time_unit``).
    n_customers_ : int
    converged_ : bool
        Whether the optimizer reported success.
    at_bounds_ : bool
        Whether a log-parameter ended at the optimizer's bounds (a fit not to be trusted).

    Notes
    -----
    The start point is fixed (all parameters 1 on times rescaled so the longest ``T`` is 10, as
    in lifetimes), so there is no ``random_state``: the same data give the same fit.

    Examples
    --------
    >>> import numpy as np
    >>> bg = BetaGeoModel(time_unit="weeks").fit([0, 2, 1, 4], [0, 30.4, 1.7, 35.0], [38.9] * 4)
    >>> bg.p_alive([0, 2], [0, 10.0], [38.9, 38.9]).round(3).tolist()[0]
    1.0
    >>> sorted(bg.standard_errors_) == sorted(bg.params_)
    True
    """

    # b + x + _SHIFT in the likelihood: 0 for BG/NBD, 1 for MBG/NBD (drop-out at the first purchase)
    _SHIFT = 0
    _NAME = "BG/NBD"

    def __init__(self, time_unit: str = "days", penalizer: float = 0.0) -> None:
        self.time_unit = time_unit
        self.penalizer = penalizer

    # ---- fitting

    def fit(self, frequency: Any, recency: Any, T: Any, sample_weight: Any = None) -> BetaGeoModel:
        """Fit on per-customer ``frequency`` (repeat purchases), ``recency`` and ``T``.

        ``sample_weight`` counts customers per row (rows of identical summaries grouped
        beforehand, e.g. in the engine); the fit is the same as on the repeated rows.

        Examples
        --------
        >>> BetaGeoModel().fit([1, 0, 3], [40, 0, 200], [300, 100, 250]).n_customers_
        3
        """
        _unit(self.time_unit)
        penalizer = _penalizer(self.penalizer)
        x, tx, T_, weight = _summary(frequency, recency, T, sample_weight, self._NAME)
        levels, codes, w = _compress(weight, x, tx, T_)
        # Fit on times rescaled so the oldest customer is 10 (lifetimes rescales to 1): a start
        # at all-ones suits any unit; alpha scales back, r, a, b and the optimum do not change.
        scale = 10.0 / T_.max() if T_.max() > 0 else 1.0
        scaled = [levels[0], levels[1] * scale, levels[2] * scale]
        shift = self._SHIFT
        nll = _penalized(
            lambda th: _bgnbd_ll(th, scaled, codes, w, shift), w.sum(), penalizer,
            [1.0, _TO_LIFETIMES, 1.0, 1.0],
        )  # fmt: skip
        res = _minimize(nll, np.zeros(4))
        r, alpha, a, b = np.exp(res.x)
        names = ("r", "alpha", "a", "b")
        natural = np.array([r, alpha / scale, a, b])
        self.params_ = dict(zip(names, natural.tolist(), strict=True))
        self.log_likelihood_ = _bgnbd_ll(np.log(natural), levels, codes, w, shift)[0]
        with np.errstate(invalid="ignore", divide="ignore"):  # a step past 0 gives NaN: no SE
            se = standard_errors(
                lambda p: -_bgnbd_ll(np.log(p), levels, codes, w, shift)[0], natural
            )
        self.standard_errors_ = dict(zip(names, se.tolist(), strict=True))
        self.n_customers_ = int(round(weight.sum()))
        self.converged_ = bool(res.success)
        self.at_bounds_ = at_bounds(res.x, _BOUND)
        return self

    def _p(self) -> tuple[float, float, float, float]:
        _not_fitted(self, "fit(frequency, recency, T)")
        p = self.params_
        return p["r"], p["alpha"], p["a"], p["b"]

    # ---- per customer

    def p_alive(self, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """P(alive | frequency, recency, T): the chance the customer has not dropped out.

        ``1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x)) ** (r + x))``
        (FHL 2005a, eq. 12); 1 for customers with no repeat purchase.

        Examples
        --------
        >>> bg = BetaGeoModel(time_unit="weeks")
        >>> bg.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
        >>> round(float(bg.p_alive(2, 30.43, 38.86)[0]), 3)
        0.727
        """
        r, alpha, a, b = self._p()
        d = _arrays(frequency=frequency, recency=recency, T=T)
        x, tx, T_ = d["frequency"], d["recency"], d["T"]
        k = self._SHIFT
        rep = (x > 0) | (k > 0)
        xm = np.where(rep, x, 1.0)
        log_odds = (
            np.log(a) - np.log(b + xm - 1 + k)
            + (r + x) * (np.log(alpha + T_) - np.log(alpha + tx))
        )  # fmt: skip
        with np.errstate(over="ignore"):
            return np.where(rep, 1.0 / (1.0 + np.exp(log_odds)), 1.0)

    def expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """Expected repeat purchases in the next ``t`` periods given the history (FHL eq. 10).

        Examples
        --------
        >>> bg = BetaGeoModel(time_unit="weeks")
        >>> bg.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
        >>> round(float(bg.expected_purchases(39, 2, 30.43, 38.86)[0]), 2)
        1.23
        """
        r, alpha, a, b = self._p()
        d = _arrays(frequency=frequency, recency=recency, T=T)
        x, tx, T_ = d["frequency"], d["recency"], d["T"]
        t = np.asarray(t, dtype="float64")
        k = self._SHIFT
        aa, bb, cc = r + x, b + x + k, a + b + x - 1 + k
        z = t / (alpha + T_ + t)
        ln_h = _euler_hyp2f1_log(aa, bb, cc, z)
        first = (a + b + x - 1 + k) / (a - 1)
        # 1 - 2F1 (..)^(r+x) as -expm1: no cancellation when the product is close to 1
        second = -np.expm1(ln_h + (r + x) * (np.log(alpha + T_) - np.log(alpha + T_ + t)))
        return first * second * self.p_alive(x, tx, T_)

    def expected_purchases_new(self, t: Any) -> np.ndarray:
        """Expected repeat purchases in ``t`` periods of a new customer (FHL 2005a, eq. 9).

        Examples
        --------
        >>> bg = BetaGeoModel(time_unit="weeks")
        >>> bg.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
        >>> round(float(bg.expected_purchases_new(39)), 3)
        1.197
        """
        r, alpha, a, b = self._p()
        t = np.asarray(t, dtype="float64")
        k = self._SHIFT
        first = (b if k else a + b - 1) / (a - 1)
        ln_h = _euler_hyp2f1_log(r, b + k, a + b - 1 + k, t / (alpha + t))
        return first * -np.expm1(ln_h + r * (np.log(alpha) - np.log(alpha + t)))

    def predict(self, t: Any, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """Alias of :meth:`expected_purchases` (the name lifetimes' CLV calls)."""
        return self.expected_purchases(t, frequency, recency, T)


# --------------------------------------------------------------------------------------------
# Gamma-Gamma
# --------------------------------------------------------------------------------------------


def _gg_ll(
    p: float, q: float, v: float, x: np.ndarray, m: np.ndarray
) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Per-customer log-likelihood of the average spend ``m`` over ``x`` purchases and gradient."""
    px = p * x
    lxm = np.log(x * m + v)
    ll = (
        gammaln(px + q) - gammaln(q) + q * np.log(v) - gammaln(px)
        + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * lxm
    )  # fmt: skip
    dpq = digamma(px + q)
    d_p = x * (dpq - digamma(px) + np.log(m) + np.log(x) - lxm)
    d_q = dpq - digamma(q) + np.log(v) - lxm
    d_v = q / v - (px + q) / (x * m + v)
    return ll, (d_p, d_q, d_v)


class GammaGammaModel(BaseEstimator):
    """Gamma-Gamma spend model (Fader, Hardie & Lee 2005b) fitted by maximum likelihood.

    Fit on customers with at least one repeat purchase: ``frequency`` > 0 and
    ``monetary_value`` (their average spend per repeat purchase day) > 0.

    Parameters
    ----------
    time_unit : {"days", "weeks", "months"}, default "days"
        Only used by :meth:`clv` (the unit of the BG/NBD model's times).
    penalizer : float, default 0.0
        L2 penalty ``penalizer * sum(params ** 2)`` on the mean negative log-likelihood, as
        lifetimes' ``penalizer_coef`` (``v`` in the currency of ``monetary_value``).

    Attributes
    ----------
    params_ : dict
        ``p``, ``q``, ``v`` (``v`` is the paper's gamma).
    standard_errors_ : dict
        Their Hessian standard errors (same keys).
    log_likelihood_ : float
    n_customers_ : int
    converged_ : bool
    at_bounds_ : bool

    Examples
    --------
    >>> gg = GammaGammaModel().fit([1, 2, 5, 3, 1], [20.0, 35.5, 18.2, 60.0, 12.0])
    >>> sorted(gg.params_)
    ['p', 'q', 'v']
    """

    def __init__(self, time_unit: str = "days", penalizer: float = 0.0) -> None:
        self.time_unit = time_unit
        self.penalizer = penalizer

    def fit(self, frequency: Any, monetary_value: Any) -> GammaGammaModel:
        """Fit on repeat buyers' ``frequency`` and average repeat spend ``monetary_value``.

        Examples
        --------
        >>> GammaGammaModel().fit([1, 2, 5, 3], [20.0, 35.5, 18.2, 60.0]).n_customers_
        4
        """
        d = _arrays(frequency=frequency, monetary_value=monetary_value)
        x, m = d["frequency"], d["monetary_value"]
        bad = (x <= 0) | (m <= 0)
        if bad.any():
            raise InputError(
                f"Gamma-Gamma is fitted on repeat buyers with positive spend: {int(bad.sum())} "
                "customer(s) have frequency 0 or monetary_value <= 0; filter them out first"
            )
        if len(x) < 2:
            raise InputError("Gamma-Gamma needs at least 2 repeat buyers")
        penalizer = _penalizer(self.penalizer)
        scale = 1.0 / m.mean()  # spend ~1, so the fixed start point suits any currency
        (ux, um), (ix, im), w = _compress(np.ones(len(x)), x, m * scale)
        xs, ms = ux[ix], um[im]
        total = w.sum()
        # the penalty is on the natural v (as lifetimes, which does not rescale spend)
        to_natural = np.array([0.0, 0.0, -np.log(scale)])

        def loglik(theta: np.ndarray) -> tuple[float, np.ndarray]:
            p = np.exp(theta - to_natural)
            ll, grads = _gg_ll(p[0], p[1], p[2], xs, ms)
            return _dot(w, ll), np.array([_dot(w, gi) for gi in grads]) * p

        # optimised on log-parameters of the rescaled spend: natural ones are these + to_natural
        pen = _penalized(loglik, total, penalizer)
        res = _minimize(lambda th: pen(th + to_natural), np.zeros(3))
        p, q, v = np.exp(res.x)
        natural = np.array([p, q, v / scale])
        self.params_ = dict(zip(("p", "q", "v"), natural.tolist(), strict=True))
        ll, _ = _gg_ll(p, q, v / scale, x, m)
        self.log_likelihood_ = float(ll.sum())
        with np.errstate(invalid="ignore", divide="ignore"):  # a step past 0 gives NaN: no SE
            se = standard_errors(
                lambda n: -float(_gg_ll(n[0], n[1], n[2], x, m)[0].sum()), natural
            )
        self.standard_errors_ = dict(zip(("p", "q", "v"), se.tolist(), strict=True))
        self.n_customers_ = int(len(x))
        self.converged_ = bool(res.success)
        self.at_bounds_ = at_bounds(res.x, _BOUND)
        return self

    def _p(self) -> tuple[float, float, float]:
        _not_fitted(self, "fit(frequency, monetary_value)")
        return self.params_["p"], self.params_["q"], self.params_["v"]

    def expected_spend(self, frequency: Any, monetary_value: Any) -> np.ndarray:
        """Conditional expected average spend per purchase (FHL 2005b, eq. 5).

        A weighted mean of the population mean ``p v / (q - 1)`` and the customer's own average,
        the weight ``p x / (p x + q - 1)`` growing with the purchases seen; customers with no
        repeat purchase get the population mean.

        Examples
        --------
        >>> gg = GammaGammaModel()
        >>> gg.params_ = {"p": 6.25, "q": 3.74, "v": 15.44}
        >>> gg.expected_spend([0, 2], [0.0, 22.35]).round(2).tolist()
        [35.22, 24.66]
        """
        p, q, v = self._p()
        d = _arrays(frequency=frequency, monetary_value=monetary_value)
        x, m = d["frequency"], d["monetary_value"]
        weight = p * x / (p * x + q - 1)
        return (1 - weight) * (p * v / (q - 1)) + weight * m

    def clv(
        self,
        bg: BetaGeoModel,
        frequency: Any,
        recency: Any,
        T: Any,
        monetary_value: Any,
        horizon: int = 12,
        discount_rate: float = 0.01,
        month_days: float = MONTH_DAYS,
    ) -> np.ndarray:
        """Discounted CLV over ``horizon`` months of ``month_days`` days.

        Month ``k`` contributes expected spend × the BG/NBD purchases expected in that month,
        divided by ``(1 + discount_rate) ** k`` (a monthly rate).  A month is
        :data:`MONTH_DAYS` = 30.4375 days (365.25 / 12, as pymc-marketing) in the model's unit:
        4.348 weeks; ``month_days=30`` (days) or ``7 * 4.345`` (weeks) gives lifetimes' CLV.

        Examples
        --------
        >>> bg = BetaGeoModel(time_unit="weeks")
        >>> bg.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
        >>> gg = GammaGammaModel(time_unit="weeks")
        >>> gg.params_ = {"p": 6.25, "q": 3.74, "v": 15.44}
        >>> round(float(gg.clv(bg, 2, 30.43, 38.86, 22.35)[0]), 1)
        36.3
        """
        if not isinstance(horizon, (int, np.integer)) or horizon < 1:
            raise OptionError(f"horizon is a whole number of months >= 1, not {horizon!r}")
        if not 0 <= float(discount_rate) < 1:
            raise OptionError(f"discount_rate is a monthly rate in [0, 1), not {discount_rate!r}")
        if not (math.isfinite(float(month_days)) and float(month_days) > 0):
            raise OptionError(f"month_days is a number of days > 0, not {month_days!r}")
        per_month = float(month_days) / _unit(bg.time_unit)
        spend = self.expected_spend(frequency, monetary_value)
        total = np.zeros_like(spend)
        before = np.zeros_like(spend)
        for k in range(1, int(horizon) + 1):
            upto = bg.expected_purchases(k * per_month, frequency, recency, T)
            total += spend * (upto - before) / (1 + discount_rate) ** k
            before = upto
        return total


# --------------------------------------------------------------------------------------------
# From clientlib facts
# --------------------------------------------------------------------------------------------


def summary_from_facts(facts: Any, time_unit: str = "days") -> pd.DataFrame:
    """``frequency``, ``recency``, ``T`` of buyers from clientlib facts, in ``time_unit``.

    Facts measure ``recency`` and ``T`` in days; customers without a purchase are left out.
    ``monetary_value`` (average spend of the repeat purchase days) is not in the facts, so it is
    not returned; see :func:`clientlib.btyd.GammaGammaModel.fit`.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"customer_id": ["a", "b"], "frequency": [1.0, None],
    ...                   "recency": [14.0, None], "T": [70.0, None]})
    >>> summary_from_facts(f, "weeks").to_dict("records")
    [{'customer_id': 'a', 'frequency': 1.0, 'recency': 2.0, 'T': 10.0}]
    """
    days = _unit(time_unit)
    df = facts if isinstance(facts, pd.DataFrame) else facts.to_pandas()
    missing = sorted({"customer_id", "frequency", "recency", "T"} - set(df.columns))
    if missing:
        raise InputError(f"facts lack column(s) {', '.join(missing)} (see docs/CONTRACTS.md)")
    out = df.loc[df["T"].notna(), ["customer_id", "frequency", "recency", "T"]].reset_index(
        drop=True
    )
    out = out.astype({"frequency": "float64", "recency": "float64", "T": "float64"})
    out["recency"] = out["recency"] / days
    out["T"] = out["T"] / days
    return out


def calibration_summary(
    transactions: pd.DataFrame,
    calibration_end: Any,
    holdout_end: Any = None,
    *,
    customer_id: str = "customer_id",
    timestamp: str = "timestamp",
    amount: str = "amount",
    time_unit: str = "days",
) -> pd.DataFrame:
    """Per-customer calibration summary (and holdout counts), in the papers' conventions.

    Purchases are counted by day (several on one day are one purchase, their amounts summed).
    Over the customers whose first purchase is on or before ``calibration_end`` (the last day
    of the calibration period, included, as in Fader & Hardie's CDNOW files and lifetimes'
    ``calibration_and_holdout_data``):

    ``frequency``
        repeat purchase days up to ``calibration_end``;
    ``recency``, ``T``
        first → last purchase day, first purchase day → ``calibration_end``;
    ``monetary_value``
        mean spend of the repeat purchase days (0 with no repeat purchase), the Gamma-Gamma input;
    ``frequency_holdout``, ``duration_holdout``
        purchase days after ``calibration_end`` up to ``holdout_end`` (included) and the
        length of that period, when ``holdout_end`` is given.

    Zero amounts count as purchases here (as in the papers' data); clientlib's facts exclude
    them and measure ``T`` to the start of the analysis date, one day more
    (see :func:`summary_from_facts`).

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-02-01", "2024-01-05"]),
    ...     "amount": [10.0, 20.0, 5.0, 7.0]})
    >>> s = calibration_summary(tx, "2024-01-15", "2024-02-14", time_unit="weeks").round(2)
    >>> s.drop(columns="duration_holdout").to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'customer_id': ['a', 'b'], 'frequency': [1.0, 0.0], 'recency': [1.0, 0.0], 'T': [2.0, 1.43],
     'monetary_value': [20.0, 0.0], 'frequency_holdout': [1.0, 0.0]}
    """
    days = _unit(time_unit)
    missing = sorted({customer_id, timestamp, amount} - set(transactions.columns))
    if missing:
        raise InputError(f"transactions lack column(s) {', '.join(missing)}")
    cal_end = pd.Timestamp(calibration_end).normalize()
    day = pd.to_datetime(transactions[timestamp]).dt.normalize()
    by_day = (
        pd.DataFrame({"c": transactions[customer_id].to_numpy(), "d": day.to_numpy(),
                      "m": transactions[amount].to_numpy(dtype="float64")})
        .groupby(["c", "d"], sort=True, as_index=False)["m"].sum()
    )  # fmt: skip
    cal = by_day[by_day["d"] <= cal_end]
    g = cal.groupby("c", sort=True)
    first, last = g["d"].min(), g["d"].max()
    n, spend = g.size(), g["m"].sum()
    first_spend = g["m"].first()  # rows are sorted by day within a customer
    out = pd.DataFrame({"customer_id": first.index.to_numpy()})
    out["frequency"] = (n - 1).to_numpy(dtype="float64")
    out["recency"] = (last - first).dt.days.to_numpy(dtype="float64") / days
    out["T"] = (cal_end - first).dt.days.to_numpy(dtype="float64") / days
    repeat_spend = (spend - first_spend).to_numpy()
    out["monetary_value"] = np.where(
        out["frequency"] > 0, repeat_spend / np.maximum(out["frequency"], 1), 0.0
    )
    if holdout_end is not None:
        hold_end = pd.Timestamp(holdout_end).normalize()
        if hold_end <= cal_end:
            raise OptionError(
                f"holdout_end ({hold_end.date()}) must be after calibration_end ({cal_end.date()})"
            )
        hold = by_day[(by_day["d"] > cal_end) & (by_day["d"] <= hold_end)]
        counts = hold.groupby("c").size()
        out["frequency_holdout"] = (
            counts.reindex(out["customer_id"]).fillna(0).to_numpy(dtype="float64")
        )
        out["duration_holdout"] = (hold_end - cal_end).days / days
    return out
