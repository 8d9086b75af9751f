"""BG/BB: the beta-geometric/beta-binomial model of Fader, Hardie & Shang (2010).

"Customer-Base Analysis in a Discrete-Time Noncontractual Setting", *Marketing Science* 29(6),
1086-1108.  Transactions can only happen at discrete opportunities (a yearly fund-raising
drive, an annual event, a weekly market day).  While alive a customer transacts at each
opportunity with probability ``p``, beta(``alpha``, ``beta``) across customers; before each
opportunity an alive customer dies with probability ``theta``, beta(``gamma``, ``delta``) across
customers.  A customer is summarised by ``frequency`` x (opportunities with a transaction),
``recency`` t_x (the last such opportunity, 0 with none) and ``n_periods`` n (opportunities
observed), so a cohort observed for n opportunities has at most (n+1)(n+2)/2 distinct rows:
the fit groups them and costs the same for a thousand or a million customers.

Examples
--------
>>> from clientlib.datasets import load_donations
>>> d = load_donations()
>>> m = BetaGeoBetaBinomModel().fit(d["frequency"], d["recency"], d["n_periods"], d["count"])
>>> {k: round(v, 3) for k, v in m.params_.items()}
{'alpha': 1.204, 'beta': 0.75, 'gamma': 0.657, 'delta': 2.783}
>>> round(m.log_likelihood_, 1), m.n_customers_
(-33225.6, 11104)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import betaln, digamma, gammaln
from sklearn.base import BaseEstimator

from clientlib import messages
from clientlib.btyd import _compress
from clientlib.errors import InputError
from clientlib.models._discrete import check_penalizer, fit_log_params, not_fitted

__all__ = ["BetaGeoBetaBinomModel"]

_NAMES = ("alpha", "beta", "gamma", "delta")
_MODEL = "BG/BB"


def _rows(frequency: Any, recency: Any, n_periods: Any, lang: str) -> tuple[np.ndarray, ...]:
    """(x, t_x, n) as float arrays of one length that obey the model's rules, or InputError."""
    cols = [np.asarray(c, dtype="float64").ravel() for c in (frequency, recency, n_periods)]
    lengths = [len(c) for c in cols]
    if len(set(lengths)) > 1:
        raise InputError(
            messages.text("discrete.bad_lengths", lang,
                          names="frequency, recency, n_periods", lengths=lengths)
        )  # fmt: skip
    x, tx, n = cols
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(x) & np.isfinite(tx) & np.isfinite(n)
        whole &= (np.mod(x, 1) == 0) & (np.mod(tx, 1) == 0) & (np.mod(n, 1) == 0)
        bad = ~whole | (x < 0) | (x > tx) | (tx > n) | (n < 1) | ((x == 0) & (tx != 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            messages.text("discrete.bad_counts", lang, n=int(bad.sum()),
                          x=f"{x[i]:g}", tx=f"{tx[i]:g}", n_periods=f"{n[i]:g}")
        )  # fmt: skip
    return x, tx, n


def _group(
    x: np.ndarray, tx: np.ndarray, n: np.ndarray, weight: np.ndarray, unit: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (x, t_x, n) rows with their summed weights.

    The values are small whole numbers, so one integer key and :func:`numpy.bincount` group a
    million rows in a few milliseconds (sorting them, as :func:`clientlib.btyd._compress` does
    for continuous times, takes 20 times longer); beyond 99 opportunities, that sort.
    """
    m = int(n.max()) + 1
    if m**3 > 1_000_000:
        levels, codes, w = _compress(weight, x, tx, n)
        ux, utx, un = (lv[c] for lv, c in zip(levels, codes, strict=True))
        return ux, utx, un, w
    key = (n.astype(np.int64) * m + tx.astype(np.int64)) * m + x.astype(np.int64)
    counts = np.bincount(key, None if unit else weight, minlength=m**3).astype("float64")
    seen = np.flatnonzero(counts)
    return (
        (seen % m).astype("float64"),
        (seen // m % m).astype("float64"),
        (seen // (m * m)).astype("float64"),
        counts[seen],
    )


def _terms(x: np.ndarray, tx: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, ...]:
    """The likelihood's terms of each row: row index and the offsets of the four beta arguments.

    FHS 2010: ``L = B(a+x, b+n-x)/B(a,b) B(g, d+n)/B(g,d)`` (alive through all n
    opportunities) ``+ sum_{i=0}^{n-t_x-1} B(a+x, b+t_x-x+i)/B(a,b) B(g+1, d+t_x+i)/B(g,d)``
    (died just before opportunity t_x+i+1).  Term k adds ``(oa, ob, og, od)[k]`` to
    ``(alpha, beta, gamma, delta)``.
    """
    k = (n - tx).astype(np.int64)
    rows = np.arange(len(x))
    row = np.concatenate([rows, np.repeat(rows, k)])
    i = np.arange(int(k.sum())) - np.repeat(np.cumsum(k) - k, k)  # 0 .. n - t_x - 1 per row
    xr, txr = np.repeat(x, k), np.repeat(tx, k)
    oa = np.concatenate([x, xr])
    ob = np.concatenate([n - x, txr - xr + i])
    og = np.concatenate([np.zeros(len(x)), np.ones(len(xr))])
    od = np.concatenate([n, txr + i])
    return row, oa, ob, og, od


def _loglik(
    theta: np.ndarray, terms: tuple[np.ndarray, ...], n_rows: int, w: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Log-likelihood of each row and, with weights ``w``, the weighted gradient in log-params."""
    a, b, g, d = np.exp(theta)
    row, oa, ob, og, od = terms
    lt = betaln(a + oa, b + ob) - betaln(a, b) + betaln(g + og, d + od) - betaln(g, d)
    top = np.full(n_rows, -np.inf)
    np.maximum.at(top, row, lt)
    ll = top + np.log(np.bincount(row, weights=np.exp(lt - top[row]), minlength=n_rows))
    if w is None:
        return ll, None
    share = w[row] * np.exp(lt - ll[row])  # each term's weight in its row's likelihood
    total = w.sum()
    ab, gd = a + b + oa + ob, g + d + og + od
    grad = np.array([
        share @ (digamma(a + oa) - digamma(ab)) + total * (digamma(a + b) - digamma(a)),
        share @ (digamma(b + ob) - digamma(ab)) + total * (digamma(a + b) - digamma(b)),
        share @ (digamma(g + og) - digamma(gd)) + total * (digamma(g + d) - digamma(g)),
        share @ (digamma(d + od) - digamma(gd)) + total * (digamma(g + d) - digamma(d)),
    ])  # fmt: skip
    return ll, grad * np.array([a, b, g, d])


def _why(x: np.ndarray, tx: np.ndarray, n: np.ndarray, w: np.ndarray, lang: str) -> str:
    """The likely cause of a runaway fit, read from the data."""
    seen = w > 0
    if not (x[seen] > 0).any():
        key = "why_no_buyer"
    elif (x[seen] == n[seen]).all():
        key = "why_every_period"
    elif (tx[seen & (x > 0)] == n[seen & (x > 0)]).all():
        key = "why_no_lapse"
    else:
        key = "why_flat"
    return messages.text(f"discrete.{key}", lang)


class BetaGeoBetaBinomModel(BaseEstimator):
    """BG/BB (Fader, Hardie & Shang 2010) fitted by maximum likelihood.

    Parameters
    ----------
    penalizer : float, default 0.0
        L2 penalty on the parameters, as lifetimes' ``penalizer_coef``: the fit minimises
        ``-LL / customers + penalizer * (alpha² + beta² + gamma² + delta²)``.
    lang : {"en", "ru"}, default "en"
        Language of the errors.

    Attributes
    ----------
    params_ : dict
        ``alpha``, ``beta`` (transaction probability ~ beta(alpha, beta)), ``gamma``, ``delta``
        (drop-out probability ~ beta(gamma, delta)).
    standard_errors_ : dict
        Standard errors of ``params_`` from the Hessian of the (penalised) negative
        log-likelihood; NaN when it is not positive definite.
    log_likelihood_ : float
        Log-likelihood of the data at ``params_`` (without the penalty).
    n_customers_ : int
    converged_ : bool
        Whether the optimiser reported success.

    Notes
    -----
    The start point is fixed (all parameters 1), so the same data give the same fit.  A fit
    whose parameters run away (to the bound, or a beta mean within 1e-4 of 0 or 1) raises
    :class:`clientlib.errors.InputError` saying why (nobody bought, everyone bought every time,
    nobody lapsed, too little data).

    Examples
    --------
    >>> m = BetaGeoBetaBinomModel().fit([0, 1, 2, 3, 1, 2, 0, 3], [0, 1, 3, 3, 3, 2, 0, 3], [3] * 8)
    >>> sorted(m.params_)
    ['alpha', 'beta', 'delta', 'gamma']
    """

    def __init__(self, penalizer: float = 0.0, lang: str = "en") -> None:
        self.penalizer = penalizer
        self.lang = lang

    def fit(
        self, frequency: Any, recency: Any, n_periods: Any, sample_weight: Any = None
    ) -> BetaGeoBetaBinomModel:
        """Fit on per-customer ``frequency``, ``recency`` and ``n_periods``.

        ``sample_weight`` counts customers per row (a recency/frequency table with counts, as
        FHS publish their data); the fit is the same as on the repeated rows.

        Examples
        --------
        >>> m = BetaGeoBetaBinomModel().fit(
        ...     [0, 1, 2, 3, 1, 2], [0, 1, 3, 3, 3, 2], [3] * 6, sample_weight=[5, 4, 3, 2, 2, 1])
        >>> m.n_customers_
        17
        """
        lang = messages.check_lang(self.lang)
        penalizer = check_penalizer(self.penalizer, lang)
        x, tx, n = _rows(frequency, recency, n_periods, lang)
        if sample_weight is None:
            weight = np.ones(len(x))
        else:
            weight = np.asarray(sample_weight, dtype="float64").ravel()
            if len(weight) != len(x) or not np.isfinite(weight).all() or (weight < 0).any():
                raise InputError(
                    messages.text("discrete.bad_weights", lang, n=len(x), got=len(weight))
                )
        if len(x) == 0 or weight.sum() <= 0:
            raise InputError(messages.text("discrete.no_customers", lang, model=_MODEL))
        ux, utx, un, w = _group(x, tx, n, weight, sample_weight is None)
        terms = _terms(ux, utx, un)

        def ll_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
            ll, grad = _loglik(theta, terms, len(w), w)
            assert grad is not None
            return float(w @ ll), grad

        self.params_, self.log_likelihood_, self.standard_errors_, self.converged_ = (
            fit_log_params(
                ll_grad, float(w.sum()), _NAMES, penalizer, _MODEL,
                _why(ux, utx, un, w, lang), lang, beta_pairs=((0, 1), (2, 3)),
            )
        )  # fmt: skip
        self.n_customers_ = int(round(float(weight.sum())))
        return self

    def _p(self) -> tuple[float, float, float, float]:
        if not hasattr(self, "params_"):
            raise not_fitted(_MODEL, self.lang if self.lang in messages.LANGS else "en")
        return tuple(self.params_[k] for k in _NAMES)  # type: ignore[return-value]

    def _row_ll(self, x: np.ndarray, tx: np.ndarray, n: np.ndarray) -> np.ndarray:
        theta = np.log(self._p())
        return _loglik(theta, _terms(x, tx, n), len(x))[0]

    def p_alive(
        self, frequency: Any, recency: Any, n_periods: Any, periods_ahead: int = 1
    ) -> np.ndarray:
        """P(alive at opportunity n + ``periods_ahead`` | x, t_x, n).

        ``B(alpha+x, beta+n-x)/B(alpha, beta) · B(gamma, delta+n+m)/B(gamma, delta) / L``:
        with the default ``periods_ahead=1`` this is FHS 2010's "P(alive in period n+1)",
        the chance the customer is there at the next opportunity; ``periods_ahead=0`` is the
        chance she was still alive at the last observed opportunity.  lifetimes'
        ``conditional_probability_alive(m, ...)`` is the same with ``m = periods_ahead``.

        Examples
        --------
        >>> m = BetaGeoBetaBinomModel()
        >>> m.params_ = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
        >>> m.p_alive([6, 1, 0], [6, 1, 0], [6, 6, 6]).round(3).tolist()
        [0.93, 0.069, 0.108]
        """
        a, b, g, d = self._p()
        lang = self.lang if self.lang in messages.LANGS else "en"
        x, tx, n = _rows(frequency, recency, n_periods, lang)
        m = _horizon(periods_ahead, lang)
        log_alive = betaln(a + x, b + n - x) - betaln(a, b) + betaln(g, d + n + m) - betaln(g, d)
        return np.exp(log_alive - self._row_ll(x, tx, n))

    def expected_purchases(
        self, n: Any, frequency: Any, recency: Any, n_periods: Any
    ) -> np.ndarray:
        """Expected transactions in the next ``n`` opportunities given the history (FHS 2010).

        Examples
        --------
        >>> m = BetaGeoBetaBinomModel()
        >>> m.params_ = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
        >>> m.expected_purchases(5, [6, 3, 0], [6, 3, 0], [6, 6, 6]).round(3).tolist()
        [3.752, 0.224, 0.073]
        """
        a, b, g, d = self._p()
        lang = self.lang if self.lang in messages.LANGS else "en"
        x, tx, nn = _rows(frequency, recency, n_periods, lang)
        h = _horizon(n, lang)
        log_buy = betaln(a + x + 1, b + nn - x) - betaln(a, b) - self._row_ll(x, tx, nn)
        return np.exp(log_buy) * _future(g, d, nn, h)

    def expected_purchases_new(self, n: Any) -> np.ndarray:
        """Expected transactions of a new customer in her first ``n`` opportunities (FHS 2010).

        ``alpha/(alpha+beta) · delta/(gamma-1) · [1 - G(gamma+delta) G(1+delta+n) /
        (G(gamma+delta+n) G(1+delta))]``, G the gamma function.

        Examples
        --------
        >>> m = BetaGeoBetaBinomModel()
        >>> m.params_ = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
        >>> round(float(m.expected_purchases_new(6)), 3)
        2.22
        """
        a, b, g, d = self._p()
        lang = self.lang if self.lang in messages.LANGS else "en"
        h = _horizon(n, lang)
        return a / (a + b) * _future(g, d, np.zeros_like(h), h)


def _horizon(n: Any, lang: str) -> np.ndarray:
    arr = np.asarray(n, dtype="float64")
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(arr) | (arr < 0) | (np.mod(arr, 1) != 0)
    if bad.any():
        raise InputError(messages.text("discrete.bad_horizon", lang, value=arr[bad].ravel()[0]))
    return arr


def _future(g: float, d: float, n: np.ndarray, h: np.ndarray) -> np.ndarray:
    """``sum_{t=n+1}^{n+h} B(gamma, delta+t)/B(gamma, delta)``: expected alive opportunities.

    In closed form ``delta/(gamma-1) · G(gamma+delta)/G(1+delta) · [G(1+delta+n)/G(gamma+delta+n)
    - G(1+delta+n+h)/G(gamma+delta+n+h)]``; near gamma = 1 the closed form divides 0 by 0, so
    the sum is taken term by term there.
    """
    n, h = np.broadcast_arrays(np.asarray(n, dtype="float64"), np.asarray(h, dtype="float64"))
    if abs(g - 1.0) > 1e-6:
        c = d / (g - 1) * np.exp(gammaln(g + d) - gammaln(1 + d))
        return c * (
            np.exp(gammaln(1 + d + n) - gammaln(g + d + n))
            - np.exp(gammaln(1 + d + n + h) - gammaln(g + d + n + h))
        )
    out = np.zeros(n.shape)
    for idx in np.ndindex(n.shape):  # pragma: no cover - gamma within 1e-6 of 1
        t = np.arange(float(n[idx]) + 1, float(n[idx] + h[idx]) + 1)
        out[idx] = np.exp(betaln(g, d + t) - betaln(g, d)).sum()
    return out
