"""sBG: the shifted-beta-geometric retention model of Fader & Hardie (2007).

"How to Project Customer Retention", *Journal of Interactive Marketing* 21(1), 76-90.  In a
contractual setting (subscriptions, memberships, contracts renewed each period) every customer
has a constant churn probability ``theta`` per period, beta(``alpha``, ``beta``) across
customers.  Heterogeneity alone makes the cohort's retention rate rise over time (the likely
churners leave first), which is why projecting a straight line through early retention rates
under-estimates survival.  The model is fitted on one cohort's survival curve: the customers
still there at the end of period 0, 1, 2, …

The discounted expected residual lifetime (DERL) is that of Fader & Hardie (2010),
"Customer-Base Valuation in a Contractual Setting: The Perils of Ignoring Heterogeneity",
*Marketing Science* 29(1), 85-93.

Examples
--------
>>> m = ShiftedBetaGeoModel().fit([1000, 631, 468, 382, 326, 289, 262, 241])
>>> {k: round(v, 3) for k, v in m.params_.items()}
{'alpha': 0.704, 'beta': 1.182}
>>> (1000 * m.survival([8, 12])).round(1).tolist()
[220.1, 170.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import betaln, digamma, hyp2f1
from sklearn.base import BaseEstimator

from clientlib import messages
from clientlib.errors import InputError, OptionError
from clientlib.models._discrete import (
    check_penalizer,
    fit_log_params,
    not_fitted,
    whole_numbers,
)

__all__ = ["ShiftedBetaGeoModel"]

_NAMES = ("alpha", "beta")
_MODEL = "sBG"


def _survivors(survivors: Any, lang: str) -> np.ndarray:
    s = np.asarray(survivors, dtype="float64").ravel()
    with np.errstate(invalid="ignore"):
        ok = (
            len(s) >= 2 and bool(np.isfinite(s).all()) and s[0] > 0
            and bool((s >= 0).all()) and bool((np.diff(s) <= 0).all())
        )  # fmt: skip
    if not ok:
        shown = s[:10].tolist() + (["…"] if len(s) > 10 else [])
        raise InputError(messages.text("discrete.bad_survivors", lang, values=shown))
    return s


def _loglik(theta: np.ndarray, churned: np.ndarray, left: float) -> tuple[float, np.ndarray]:
    """Log-likelihood and gradient in log(alpha, beta) (FH 2007).

    ``churned[t-1]`` customers churned in period t: ``P(T=t) = B(a+1, b+t-1)/B(a, b)``;
    ``left`` are still there after the last period T: ``S(T) = B(a, b+T)/B(a, b)``.
    """
    a, b = np.exp(theta)
    t = np.arange(1, len(churned) + 1, dtype="float64")
    big_t = float(len(churned))
    lp = betaln(a + 1, b + t - 1) - betaln(a, b)
    ls = betaln(a, b + big_t) - betaln(a, b)
    ll = float(churned @ lp + left * ls)
    total = churned.sum() + left
    base_a, base_b = digamma(a + b) - digamma(a), digamma(a + b) - digamma(b)
    d_a = (
        churned @ (digamma(a + 1) - digamma(a + b + t))
        + left * (digamma(a) - digamma(a + b + big_t))
        + total * base_a
    )
    d_b = (
        churned @ (digamma(b + t - 1) - digamma(a + b + t))
        + left * (digamma(b + big_t) - digamma(a + b + big_t))
        + total * base_b
    )
    return ll, np.array([d_a * a, d_b * b])


class ShiftedBetaGeoModel(BaseEstimator):
    """sBG (Fader & Hardie 2007) fitted by maximum likelihood on a survival curve.

    Parameters
    ----------
    penalizer : float, default 0.0
        L2 penalty on the parameters, as lifetimes' ``penalizer_coef``: the fit minimises
        ``-LL / customers + penalizer * (alpha² + beta²)``.
    lang : {"en", "ru"}, default "en"
        Language of the errors.

    Attributes
    ----------
    params_ : dict
        ``alpha``, ``beta``: the churn probability per period is beta(alpha, beta).
    standard_errors_ : dict
        Standard errors from the Hessian of the (penalised) negative log-likelihood.
    log_likelihood_ : float
        Log-likelihood at ``params_`` (without the penalty).
    n_customers_ : int
        Customers of the cohort (``survivors[0]``).
    n_periods_ : int
        Periods observed.
    converged_ : bool

    Examples
    --------
    >>> m = ShiftedBetaGeoModel().fit([1000, 869, 743, 653, 593, 551, 517, 491])
    >>> {k: round(v, 3) for k, v in m.params_.items()}
    {'alpha': 0.668, 'beta': 3.806}
    """

    def __init__(self, penalizer: float = 0.0, lang: str = "en") -> None:
        self.penalizer = penalizer
        self.lang = lang

    def fit(self, survivors: Any) -> ShiftedBetaGeoModel:
        """Fit on ``survivors``: the customers alive at the end of period 0, 1, …, T.

        ``survivors[0]`` is the cohort's size; counts never grow.  Counts need not be whole
        numbers (a survival curve in per cent works, the likelihood is then per 100 customers).

        Examples
        --------
        >>> ShiftedBetaGeoModel().fit([100, 80, 65, 55]).n_periods_
        3
        """
        lang = messages.check_lang(self.lang)
        penalizer = check_penalizer(self.penalizer, lang)
        s = _survivors(survivors, lang)
        churned = -np.diff(s)
        left = float(s[-1])
        if not churned.any():
            why = messages.text("discrete.why_no_churn", lang, n=len(churned))
        elif left == 0 and churned[0] == s[0]:
            why = messages.text("discrete.why_all_churn", lang)
        else:
            why = messages.text("discrete.why_flat", lang)

        def ll_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
            return _loglik(theta, churned, left)

        self.params_, self.log_likelihood_, self.standard_errors_, self.converged_ = fit_log_params(
            ll_grad, float(s[0]), _NAMES, penalizer, _MODEL, why, lang, beta_pairs=((0, 1),)
        )
        self.n_customers_ = int(round(float(s[0])))
        self.n_periods_ = len(churned)
        return self

    def _p(self) -> tuple[float, float]:
        if not hasattr(self, "params_"):
            raise not_fitted(_MODEL, self._lang())
        return self.params_["alpha"], self.params_["beta"]

    def _lang(self) -> str:
        return self.lang if self.lang in messages.LANGS else "en"

    def survival(self, t: Any) -> np.ndarray:
        """S(t) = P(still a customer after period t) = B(alpha, beta+t) / B(alpha, beta).

        Multiply by the cohort's size for projected survivors.

        Examples
        --------
        >>> m = ShiftedBetaGeoModel()
        >>> m.params_ = {"alpha": 0.704, "beta": 1.182}
        >>> m.survival([0, 1, 7]).round(3).tolist()
        [1.0, 0.627, 0.239]
        """
        a, b = self._p()
        tt = whole_numbers(t, 0, self._lang())
        return np.exp(betaln(a, b + tt) - betaln(a, b))

    def churn_probability(self, t: Any) -> np.ndarray:
        """P(T = t): the chance a new customer churns in period t (t >= 1), as in FH 2007.

        Examples
        --------
        >>> m = ShiftedBetaGeoModel()
        >>> m.params_ = {"alpha": 0.704, "beta": 1.182}
        >>> m.churn_probability([1, 2]).round(3).tolist()
        [0.373, 0.153]
        """
        a, b = self._p()
        tt = whole_numbers(t, 1, self._lang())
        return np.exp(betaln(a + 1, b + tt - 1) - betaln(a, b))

    def retention_rate(self, t: Any) -> np.ndarray:
        """r_t = S(t) / S(t-1) = (beta + t - 1) / (alpha + beta + t - 1), rising in t.

        Examples
        --------
        >>> m = ShiftedBetaGeoModel()
        >>> m.params_ = {"alpha": 0.704, "beta": 1.182}
        >>> m.retention_rate([1, 2, 10]).round(3).tolist()
        [0.627, 0.756, 0.935]
        """
        a, b = self._p()
        tt = whole_numbers(t, 1, self._lang())
        return (b + tt - 1) / (a + b + tt - 1)

    def derl(self, discount_rate: float, renewals: Any = 0) -> np.ndarray:
        """Discounted expected residual lifetime of a customer after ``renewals`` renewals.

        FH 2010: for a customer at the end of her period n = ``renewals`` + 1, about to
        decide on the next renewal, ``DERL = sum_{t>=n} S(t | T > n-1) / (1+d)^(t-n)``
        ``= (beta+n-1)/(alpha+beta+n-1) · 2F1(1, beta+n; alpha+beta+n; 1/(1+d))``: the
        renewals still to come, each discounted to now.  Times a payment per period it is the
        customer's expected residual value.

        Examples
        --------
        >>> m = ShiftedBetaGeoModel()
        >>> m.params_ = {"alpha": 0.668, "beta": 3.806}
        >>> m.derl(0.1, [0, 4]).round(2).tolist()
        [5.41, 6.9]
        """
        a, b = self._p()
        d = float(discount_rate)
        if not 0 <= d < 1:
            raise OptionError(messages.text("discrete.bad_discount", self._lang(), value=d))
        n = whole_numbers(renewals, 0, self._lang()) + 1
        return (b + n - 1) / (a + b + n - 1) * hyp2f1(1.0, b + n, a + b + n, 1.0 / (1.0 + d))
