"""Pareto/NBD: Schmittlein, Morrison & Colombo (1987), fitted by maximum likelihood.

While alive a customer buys at a Poisson rate ``lambda`` (gamma across customers, shape ``r``,
rate ``alpha``) and stays alive for an exponential time of rate ``mu`` (gamma, ``s``,
``beta``): a customer can drop out at any moment, not only right after a purchase.  The
likelihood is Fader & Hardie's (2005, "A note on deriving the Pareto/NBD model and related
expressions", eq. 22):

``L = G(r+x) alpha^r beta^s / G(r) [1 / ((alpha+T)^(r+x) (beta+T)^s) + s / (r+s+x) A0]``

with ``A0`` written with the Gauss hypergeometric function ``2F1(r+s+x, t; r+s+x+1; z)``
whose argument ``z = |alpha - beta| / (max(alpha, beta) + t)`` is always in [0, 1): the
parameter pair that keeps the series convergent is chosen by whether ``alpha`` or ``beta`` is
the larger (as lifetimes and CLVTools do), and the two terms of ``A0`` are combined on the log
scale.  Fitted, as the other models here, on distinct (frequency, recency, T) with weights, on
log-parameters (L-BFGS-B, numerical gradient: ``2F1`` has no closed-form derivative in its
parameters), on times rescaled so the oldest customer is 10.

Examples
--------
>>> m = ParetoNBDModel(time_unit="weeks")
>>> m.params_ = {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67}
>>> round(float(m.expected_purchases_new(39)), 3)
1.213
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import gammaln, hyp2f1
from sklearn.base import BaseEstimator

from clientlib.btyd import (
    _BOUND,
    _TO_LIFETIMES,
    _arrays,
    _compress,
    _minimize,
    _not_fitted,
    _penalizer,
    _summary,
    _unit,
)
from clientlib.models._stats import at_bounds, standard_errors

__all__ = ["ParetoNBDModel"]

_NAMES = ("r", "alpha", "s", "beta")


def _log_term(
    r: float, alpha: float, s: float, beta: float, x: np.ndarray, t: np.ndarray
) -> np.ndarray:
    """``log[2F1(r+s+x, c; r+s+x+1; z) / (m + t)^(r+s+x)]``, ``z = |alpha - beta| / (m + t)``,
    ``m = max(alpha, beta)``: one of the two terms of ``A0`` (FHL note, eq. 21-22).
    """
    big, second = (alpha, s + 1.0) if alpha >= beta else (beta, r + x)
    rsx = r + s + x
    with np.errstate(divide="ignore", invalid="ignore"):
        h = hyp2f1(rsx, second, rsx + 1.0, abs(alpha - beta) / (big + t))
        return np.log(h) - rsx * np.log(big + t)


def _log_a0(
    r: float, alpha: float, s: float, beta: float, x: np.ndarray, tx: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """``log A0``: the term at ``t_x`` minus the term at ``T``, on the log scale."""
    return _a0(_log_term(r, alpha, s, beta, x, tx), _log_term(r, alpha, s, beta, x, T))


def _a0(l1: np.ndarray, l2: np.ndarray) -> np.ndarray:
    # log(e^l1 - e^l2), l1 >= l2 (the integrand is positive); -inf at t_x = T
    with np.errstate(divide="ignore", invalid="ignore"):
        return l1 + np.log(-np.expm1(l2 - l1))


def _row_ll(p: np.ndarray, x: np.ndarray, T: np.ndarray, la0: np.ndarray) -> np.ndarray:
    """Per-row log-likelihood at natural parameters ``p`` given ``log A0``."""
    r, alpha, s, beta = p
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    # at t_x = T the A0 term vanishes (log 0 = -inf): logaddexp gives the first term;
    # far outside the usual range 2F1 may be NaN, which the fit treats as an infinite loss
    gone = np.log(s) - np.log(r + s + x) + la0
    with np.errstate(invalid="ignore"):
        return a1 + np.logaddexp(alive, gone)


def _pairs(
    levels: list[np.ndarray], codes: list[np.ndarray]
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """Distinct (x, t_x) and (x, T) pairs and each row's index in them: 2F1 depends on one
    time only, so it is evaluated once a pair, not once a row (far fewer on a million).
    """
    ux, utx, uT = levels
    ix, itx, iT = codes
    out = []
    for lv, ic in ((utx, itx), (uT, iT)):
        key = ix.astype(np.int64) * len(lv) + ic
        u, inv = np.unique(key, return_inverse=True)
        out.append((ux[u // len(lv)], lv[u % len(lv)], inv.ravel()))
    return out[0], out[1]


def _pareto_ll(
    p: np.ndarray,
    levels: list[np.ndarray],
    codes: list[np.ndarray],
    w: np.ndarray,
    pairs: Any = None,
) -> float:
    ux, _utx, uT = levels
    ix, _itx, iT = codes
    (xr, tr, ir), (xT, tT, iTT) = pairs if pairs is not None else _pairs(levels, codes)
    r, alpha, s, beta = p
    la0 = _a0(_log_term(r, alpha, s, beta, xr, tr)[ir], _log_term(r, alpha, s, beta, xT, tT)[iTT])
    return float(np.sum(w * _row_ll(p, ux[ix], uT[iT], la0)))


class ParetoNBDModel(BaseEstimator):
    """Pareto/NBD (Schmittlein et al. 1987) fitted by maximum likelihood.

    Parameters
    ----------
    time_unit : {"days", "weeks"}, default "days"
        Unit of ``recency``, ``T`` and every horizon ``t``; ``alpha`` and ``beta`` are in it.
    penalizer : float, default 0.0
        L2 penalty ``penalizer * sum(params ** 2)`` on the mean negative log-likelihood, rates
        on times divided by the oldest customer's ``T``, as lifetimes' ``penalizer_coef`` for
        BG/NBD (lifetimes' Pareto/NBD adds it to the *total*, not the mean).

    Attributes
    ----------
    params_ : dict
        ``r``, ``alpha`` (purchase rate), ``s``, ``beta`` (drop-out rate).
    standard_errors_ : dict
        Hessian standard errors, same keys (NaN when the Hessian is not positive definite).
    log_likelihood_ : float
    n_customers_ : int
    converged_ : bool
    at_bounds_ : bool
        Whether a log-parameter ended at the optimizer's bounds.

    Examples
    --------
    >>> m = ParetoNBDModel(time_unit="weeks")
    >>> m = m.fit([0, 2, 1, 4, 0, 3], [0, 30.4, 1.7, 35.0, 0, 12.0], [38.9] * 6)
    >>> sorted(m.params_)
    ['alpha', 'beta', 'r', 's']
    >>> m.params_ = {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67}
    >>> round(float(m.p_alive(0, 0.0, 38.86)[0]), 3)
    0.295
    """

    def __init__(self, time_unit: str = "days", penalizer: float = 0.0) -> None:
        self.time_unit = time_unit
        self.penalizer = penalizer

    def fit(
        self, frequency: Any, recency: Any, T: Any, sample_weight: Any = None
    ) -> ParetoNBDModel:
        """Fit on per-customer ``frequency`` (repeat purchases), ``recency`` and ``T``.

        ``sample_weight`` counts customers per row; the fit equals the one on repeated rows.

        Examples
        --------
        >>> ParetoNBDModel().fit([1, 0, 3], [40, 0, 200], [300, 100, 250]).n_customers_
        3
        """
        _unit(self.time_unit)
        penalizer = _penalizer(self.penalizer)
        x, tx, T_, weight = _summary(frequency, recency, T, sample_weight, "Pareto/NBD")
        levels, codes, w = _compress(weight, x, tx, T_)
        scale = 10.0 / T_.max() if T_.max() > 0 else 1.0
        scaled = [levels[0], levels[1] * scale, levels[2] * scale]
        total = w.sum()
        pairs = _pairs(levels, codes)
        scaled_pairs = tuple((px, pt * scale, pi) for px, pt, pi in pairs)

        def nll(theta: np.ndarray) -> float:
            p = np.exp(theta)
            pen = penalizer * float(np.sum((p * [1.0, _TO_LIFETIMES, 1.0, _TO_LIFETIMES]) ** 2))
            v = -_pareto_ll(p, scaled, codes, w, scaled_pairs) / total + pen
            return v if np.isfinite(v) else 1e300  # steer the line search off overflow

        def fun(theta: np.ndarray) -> tuple[float, np.ndarray]:
            # central differences: hyp2f1 has no closed-form derivative in its parameters
            f0 = nll(theta)
            g = np.empty(4)
            for i in range(4):
                e = np.zeros(4)
                e[i] = 1e-6
                g[i] = (nll(theta + e) - nll(theta - e)) / 2e-6
            return f0, g

        res = _minimize(fun, np.zeros(4))
        r, alpha, s, beta = np.exp(res.x)
        natural = np.array([r, alpha / scale, s, beta / scale])
        self.params_ = dict(zip(_NAMES, natural.tolist(), strict=True))
        self.log_likelihood_ = _pareto_ll(natural, levels, codes, w, pairs)
        with np.errstate(invalid="ignore", divide="ignore"):  # a step past 0 gives NaN: no SE
            se = standard_errors(lambda p: -_pareto_ll(p, levels, codes, w, pairs), natural)
        self.standard_errors_ = dict(zip(_NAMES, se.tolist(), strict=True))
        self.n_customers_ = int(round(weight.sum()))
        self.converged_ = bool(res.success)
        self.at_bounds_ = at_bounds(res.x, _BOUND)
        return self

    def _p(self) -> np.ndarray:
        _not_fitted(self, "fit(frequency, recency, T)")
        return np.array([self.params_[k] for k in _NAMES], dtype="float64")

    def p_alive(self, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """P(alive | frequency, recency, T) (FHL 2005 note, eq. 18).

        ``1 / (1 + s / (r + s + x) (alpha + T)^(r+x) (beta + T)^s A0)``: below 1 for every
        customer with ``t_x < T``, one-time buyers included.

        Examples
        --------
        >>> m = ParetoNBDModel(time_unit="weeks")
        >>> m.params_ = {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67}
        >>> round(float(m.p_alive(2, 30.43, 38.86)[0]), 3)
        0.869
        """
        r, alpha, s, beta = self._p()
        d = _arrays(frequency=frequency, recency=recency, T=T)
        x, tx, T_ = d["frequency"], d["recency"], d["T"]
        la0 = _log_a0(r, alpha, s, beta, x, tx, T_)
        log_odds = (
            np.log(s) - np.log(r + s + x)
            + (r + x) * np.log(alpha + T_) + s * np.log(beta + T_) + la0
        )  # fmt: skip
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(log_odds))

    def expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """Expected repeat purchases in the next ``t`` periods given the history (FHL note,
        eq. 41): ``P(alive) (r + x) (beta + T) / ((alpha + T) (s - 1))
        [1 - ((beta + T) / (beta + T + t))^(s-1)]``.

        Examples
        --------
        >>> m = ParetoNBDModel(time_unit="weeks")
        >>> m.params_ = {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67}
        >>> round(float(m.expected_purchases(39, 2, 30.43, 38.86)[0]), 2)
        1.46
        """
        r, alpha, s, beta = self._p()
        d = _arrays(frequency=frequency, recency=recency, T=T)
        x, tx, T_ = d["frequency"], d["recency"], d["T"]
        t = np.asarray(t, dtype="float64")
        return (
            self.p_alive(x, tx, T_) * (r + x) * (beta + T_) / (alpha + T_)
            * _survival_integral(s, np.log((beta + T_) / (beta + T_ + t)))
        )  # fmt: skip

    def expected_purchases_new(self, t: Any) -> np.ndarray:
        """Expected purchases in ``t`` periods of a new customer (FHL note, eq. 17):
        ``r beta / (alpha (s - 1)) [1 - (beta / (beta + t))^(s-1)]``.

        Examples
        --------
        >>> m = ParetoNBDModel(time_unit="weeks")
        >>> m.params_ = {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67}
        >>> round(float(m.expected_purchases_new(78)), 3)
        1.909
        """
        r, alpha, s, beta = self._p()
        t = np.asarray(t, dtype="float64")
        return r * beta / alpha * _survival_integral(s, np.log(beta / (beta + t)))

    def predict(self, t: Any, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """Alias of :meth:`expected_purchases` (the name lifetimes' CLV calls)."""
        return self.expected_purchases(t, frequency, recency, T)


def _survival_integral(s: float, log_q: Any) -> np.ndarray:
    """``(1 - q^(s-1)) / (s - 1)`` from ``log q``, and its limit ``-log q`` at ``s = 1``."""
    log_q = np.asarray(log_q, dtype="float64")
    if abs(s - 1.0) < 1e-12:
        return -log_q
    return -np.expm1((s - 1.0) * log_q) / (s - 1.0)
