"""What the discrete-time models (BG/BB, sBG) share: checks, the fit loop and the bound check.

The optimiser, the bound on log-parameters and the grouping of identical rows are
:mod:`clientlib.btyd`'s (one L-BFGS-B set-up for every BTYD model); this module adds the
penalised objective, the Hessian standard errors of :mod:`clientlib.models._stats` and the one
error every model raises when its fit runs away.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

from clientlib import messages
from clientlib.btyd import _BOUND, _minimize
from clientlib.errors import InputError, OptionError
from clientlib.models._stats import at_bounds, standard_errors

__all__ = ["check_penalizer", "fit_log_params", "not_fitted", "whole_numbers"]


@cache
def _blas() -> ThreadpoolController:
    # Finding the loaded BLAS libraries takes 0.01 s; limiting them once found, 20 µs.
    return ThreadpoolController()


def check_penalizer(penalizer: Any, lang: str) -> float:
    """The penalizer as a float >= 0, or :class:`OptionError` in ``lang``."""
    try:
        value = float(penalizer)
    except (TypeError, ValueError):
        value = float("nan")
    if not np.isfinite(value) or value < 0:
        raise OptionError(messages.text("discrete.bad_penalizer", lang, value=repr(penalizer)))
    return value


def not_fitted(model: str, lang: str) -> Exception:
    """sklearn's NotFittedError with the catalog's sentence."""
    from sklearn.exceptions import NotFittedError

    return NotFittedError(messages.text("discrete.not_fitted", lang, model=model))


def whole_numbers(values: Any, low: int, lang: str) -> np.ndarray:
    """``values`` as a float array of whole numbers >= ``low``, or :class:`InputError`."""
    arr = np.asarray(values, dtype="float64")
    bad = ~np.isfinite(arr) | (arr < low) | (np.mod(arr, 1) != 0)
    if bad.any():
        shown = arr[bad].ravel()[:3].tolist()
        raise InputError(messages.text("discrete.bad_periods", lang, low=low, values=shown))
    return arr


def fit_log_params(
    ll_grad: Callable[[np.ndarray], tuple[float, np.ndarray]],
    total: float,
    names: tuple[str, ...],
    penalizer: float,
    model: str,
    why: str,
    lang: str,
    x0: np.ndarray | None = None,
    beta_pairs: tuple[tuple[int, int], ...] = (),
) -> tuple[dict[str, float], float, dict[str, float], bool]:
    """Maximise a log-likelihood on log-parameters; params, LL (no penalty), SEs, converged.

    ``ll_grad(theta)`` returns the weighted log-likelihood and its gradient in
    ``theta = log(params)``.  The objective is lifetimes' ``-LL / total + penalizer * sum(p**2)``
    (the L2 penalty on the natural scale, ``penalizer_coef``).  A fit at the bound, or whose
    beta distribution ``(params[i], params[j])`` of a ``beta_pairs`` entry has its mean within
    1e-4 of 0 or 1, raises :class:`InputError` naming the runaway parameters and ``why``
    (the data's likely cause, already in ``lang``).  The standard errors are of the same
    penalised objective (times ``total``).
    """
    k = len(names)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        ll, grad = ll_grad(theta)
        p = np.exp(theta)
        pen = penalizer * float((p**2).sum())
        return -ll / total + pen, -grad / total + 2.0 * penalizer * p**2

    # One BLAS thread: the vectors are 2-4 long, and idle BLAS threads waking at every
    # L-BFGS-B step cost 0.01 s each on a shared machine (0.3 s instead of 0.01 s a fit).
    with _blas().limit(limits=1, user_api="blas"):
        res = _minimize(objective, np.zeros(k) if x0 is None else x0)
        theta = np.asarray(res.x, dtype="float64")
        _refuse_runaway(theta, names, beta_pairs, bool(np.isfinite(res.fun)), model, why, lang)
        params = np.exp(theta)

        def total_nll(p: np.ndarray) -> float:
            return -ll_grad(np.log(p))[0] + total * penalizer * float((p**2).sum())

        se = standard_errors(total_nll, params)
        ll = float(ll_grad(theta)[0])
    return (
        {n: float(v) for n, v in zip(names, params, strict=True)},
        ll,
        {n: float(v) for n, v in zip(names, se, strict=True)},
        # L-BFGS-B stops "abnormally" in its line search when the per-customer gradient is
        # already ~1e-8 (float noise): that is an optimum too.
        bool(res.success or np.abs(np.asarray(res.jac)).max() < 1e-6),
    )


def _refuse_runaway(
    theta: np.ndarray,
    names: tuple[str, ...],
    beta_pairs: tuple[tuple[int, int], ...],
    finite: bool,
    model: str,
    why: str,
    lang: str,
) -> None:
    """Raise :class:`InputError` when the optimum has run away.

    A runaway fit stalls on its flat likelihood before it reaches the bound: a beta mixing
    distribution whose mean is within 1e-4 of 0 or 1 (nobody buys, everybody stays) says the
    same as a log-parameter at the bound.
    """
    p = np.exp(theta)
    stuck: set[int] = set()
    for i, j in beta_pairs:
        mean = p[i] / (p[i] + p[j])
        if min(mean, 1 - mean) < 1e-4:
            stuck |= {i, j}
    stuck |= {i for i, t in enumerate(theta) if abs(t) >= _BOUND - 0.5}
    if stuck or at_bounds(theta, _BOUND) or not finite:
        gone = ", ".join(f"{names[i]} = {p[i]:.3g}" for i in sorted(stuck)) or "-"
        raise InputError(
            messages.text("discrete.at_bounds", lang, model=model, params=gone, why=why)
        )
