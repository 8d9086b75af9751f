"""Lifecycle: the ``auto`` purchase cycle (needs an aggregate over all customers)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

import ibis.expr.types as ir

from clientlib.errors import NotApplicableError
from clientlib.frameworks.hooks import Hook

__all__ = ["HOOK", "estimate_purchase_cycle"]


def estimate_purchase_cycle(facts: ir.Table) -> float | None:
    """Estimate the purchase cycle: 2 x the median of repeat buyers' median gaps.

    Repeat buyers are customers with ``purchase_days >= 2``; each contributes
    its own ``median_gap_days`` (so a heavy buyer does not outweigh the others).
    Computed in the engine (exact median, linear interpolation).

    Returns
    -------
    float or None
        Days, or None when there are no repeat buyers.

    Examples
    --------
    >>> import ibis
    >>> f = ibis.memtable({"purchase_days": [1, 2, 3, 4],
    ...                     "median_gap_days": [None, 10.0, 20.0, 40.0]})
    >>> estimate_purchase_cycle(f)
    40.0
    """
    missing = sorted({"purchase_days", "median_gap_days"} - set(facts.columns))
    if missing:
        raise NotApplicableError(
            f"lifecycle (purchase_cycle_days: auto): the data has no column(s) {', '.join(missing)}"
        )
    repeat = facts.filter((facts.purchase_days >= 2) & facts.median_gap_days.notnull())
    value = repeat.median_gap_days.cast("float64").quantile(0.5).to_pandas()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return 2.0 * float(value)


def _fit(facts: ir.Table, params: Mapping[str, Any]) -> dict[str, Any]:
    if params.get("purchase_cycle_days") != "auto":
        return {}
    cycle = estimate_purchase_cycle(facts)
    if cycle is None:
        warnings.warn(
            "lifecycle: purchase_cycle_days is 'auto' but there are no repeat buyers to estimate "
            "it from; nobody is classed dormant. Set purchase_cycle_days to a number of days.",
            UserWarning,
            stacklevel=4,
        )
    return {"purchase_cycle_days": cycle}


#: ``hook: lifecycle``: the ``auto`` purchase cycle is learned in ``fit``.
HOOK = Hook(
    fit=_fit,
    auto_params=frozenset({"purchase_cycle_days"}),
    optional=frozenset({"purchase_days", "median_gap_days"}),  # read by the auto estimate
)
