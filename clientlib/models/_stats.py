"""What every maximum-likelihood fit shares: Hessian standard errors and trust checks.

The standard errors are the square roots of the diagonal of the inverse observed information
(the Hessian of the negative log-likelihood at the optimum), on the natural parameter scale,
as CLVTools and lifetimes report them.  At the optimum this equals the delta method applied to
a fit on log-parameters, so a model may optimise on either scale.

Examples
--------
>>> import numpy as np
>>> x = np.array([1.0, 2.0, 3.0, 4.0])
>>> def nll(p):  # normal with known sd 1: the SE of the mean is 1 / sqrt(n)
...     return 0.5 * float(((x - p[0]) ** 2).sum())
>>> round(float(standard_errors(nll, np.array([2.5]))[0]), 6)
0.5
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["hessian", "standard_errors", "at_bounds"]


def hessian(f: Callable[[np.ndarray], float], x: np.ndarray, rel_step: float = 1e-4) -> np.ndarray:
    """Central-difference Hessian of ``f`` at ``x`` (steps relative to each coordinate)."""
    x = np.asarray(x, dtype="float64")
    n = x.size
    h = rel_step * np.maximum(np.abs(x), 1e-2)
    H = np.empty((n, n))
    f0 = f(x)
    for i in range(n):
        ei = np.zeros(n)
        ei[i] = h[i]
        H[i, i] = (f(x + ei) - 2.0 * f0 + f(x - ei)) / h[i] ** 2
        for j in range(i + 1, n):
            ej = np.zeros(n)
            ej[j] = h[j]
            H[i, j] = H[j, i] = (
                f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)
            ) / (4.0 * h[i] * h[j])
    return H


def standard_errors(
    nll: Callable[[np.ndarray], float], params: np.ndarray, rel_step: float = 1e-4
) -> np.ndarray:
    """Standard errors of ``params`` (natural scale) from the total negative log-likelihood.

    ``nll`` must be the *sum* over customers (weights included), not a mean.  Returns NaN for
    every parameter when the Hessian is not positive definite (a fit at a boundary or a flat
    likelihood): there is no honest standard error then.
    """
    H = hessian(nll, np.asarray(params, dtype="float64"), rel_step)
    try:
        cov = np.linalg.inv(H)
    except np.linalg.LinAlgError:
        return np.full(len(params), np.nan)
    diag = np.diag(cov)
    if not np.all(np.isfinite(diag)) or (diag <= 0).any():
        return np.full(len(params), np.nan)
    return np.sqrt(diag)


def at_bounds(log_params: np.ndarray, bound: float, margin: float = 0.5) -> bool:
    """True when an optimum on log-parameters sits within ``margin`` of ``±bound``.

    Such a fit has run away (a parameter heading to 0 or infinity): its predictions are not
    to be trusted and the caller says so instead of classifying.
    """
    return bool((np.abs(np.asarray(log_params, dtype="float64")) >= bound - margin).any())
