"""RFM scoring (quantile or fixed cut points) and named segment maps.

Recency = ``recency_days``, frequency = ``orders``, monetary = ``total_spend``
from the customer facts; only buyers (``orders >= 1`` and a positive net spend) are
scored, others get null scores and the class ``non_buyer`` (first in every map).
Each dimension is scored 1..``bins`` by counting the cut points a value has reached;
recency is reversed (most recent = ``bins``).  Equal values therefore always share a score.

Cut points are either fixed (``method: thresholds``) or the 1/bins, 2/bins ...
quantiles of the buyers' values computed in the engine with linear
interpolation (R's default type 7, numpy's ``'linear'``), plus an optional
``edge_offset`` (R ``rfm`` adds 1).  ``closed: left`` means bins ``[a, b)`` (a
value equal to a cut point goes up), ``right`` means ``(a, b]``.

Built-in segment maps (rulebooks in :mod:`clientlib.frameworks`):

``r_tests``  (``rfm.yaml``)
    The set used by the R package ``rfm`` 0.3.0 test suite; reproduces its
    published result on ``rfm_data_orders`` (Champions = 158 customers,
    1,234 orders, 120,178 revenue).
``r_docs``  (``rfm_r_docs.yaml``)
    The set in the package's 0.3.0 documentation: as ``r_tests`` but with
    *Hibernating* (R1-2 F1-2 M1-2) before *Lost*, and *Lost* narrowed to
    R1 F1 M1.  Under first match *Lost* is then unreachable, so customers the
    test-suite set calls Lost are called Hibernating.
``simple``  (``rfm_simple.yaml``)
    champions / loyal / new / at_risk / lost / others.

In both R sets *New Customers* and *Promising* are never reached: their boxes
lie inside *Potential Loyalist*, which comes first (R's ``rfm_segment`` also
assigns the first matching segment).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from clientlib.frameworks.hooks import Hook
from clientlib.frameworks.language import RulebookError

__all__ = [
    "DIMENSIONS",
    "RULE_SETS",
    "HOOK",
    "cut_points",
    "quantile_cuts",
    "rulebook",
    "score_expr",
    "score_values",
    "scoring_spec",
    "segment_summary",
]

#: RFM dimension -> customer-facts column it is read from.
DIMENSIONS: dict[str, str] = {
    "recency": "recency_days",
    "frequency": "orders",
    "monetary": "total_spend",
}
_SCORE = {"recency": "R", "frequency": "F", "monetary": "M"}

#: Built-in segment maps -> rulebook name in clientlib.frameworks.
RULE_SETS: dict[str, str] = {"r_tests": "rfm", "r_docs": "rfm_r_docs", "simple": "rfm_simple"}

_DEFAULT_SCORING: dict[str, Any] = {
    "bins": 5,
    "method": "quantile",
    "closed": "left",
    "edge_offset": 0,
    "thresholds": None,
}


def scoring_spec(scoring: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate a ``scoring`` block and fill in defaults.

    Examples
    --------
    >>> scoring_spec({"bins": 3})["method"]
    'quantile'
    """
    spec = {**_DEFAULT_SCORING, **dict(scoring or {})}
    extra = set(spec) - set(_DEFAULT_SCORING)
    if extra:
        raise RulebookError(
            f"rfm scoring: unknown key(s) {sorted(extra)}; allowed: {sorted(_DEFAULT_SCORING)}"
        )
    bins = spec["bins"]
    if not isinstance(bins, int) or isinstance(bins, bool) or bins < 2:
        raise RulebookError(f"rfm scoring: bins must be a whole number >= 2, got {bins!r}")
    if spec["method"] not in ("quantile", "thresholds"):
        raise RulebookError(
            f"rfm scoring: method must be quantile or thresholds, got {spec['method']!r}"
        )
    if spec["closed"] not in ("left", "right"):
        raise RulebookError(f"rfm scoring: closed must be left or right, got {spec['closed']!r}")
    if spec["method"] == "thresholds":
        th = spec["thresholds"] or {}
        for dim in DIMENSIONS:
            cuts = th.get(dim)
            if cuts is None or len(cuts) != bins - 1:
                raise RulebookError(
                    f"rfm scoring: thresholds.{dim} needs {bins - 1} ascending cut points for "
                    f"{bins} bins, got {cuts!r}"
                )
            if any(b < a for a, b in zip(cuts, cuts[1:], strict=False)):
                raise RulebookError(
                    f"rfm scoring: thresholds.{dim} must be ascending, got {cuts!r}"
                )
    return spec


def quantile_cuts(
    values: Sequence[float] | np.ndarray | pd.Series, bins: int = 5, edge_offset: float = 0.0
) -> list[float]:
    """Cut points at the 1/bins .. (bins-1)/bins quantiles (R type 7), plus an offset.

    Nulls are ignored.

    Examples
    --------
    >>> quantile_cuts([1, 2, 3, 4, 5, 6], bins=5, edge_offset=1)
    [3.0, 4.0, 5.0, 6.0]
    """
    arr = np.asarray(pd.Series(values, dtype="float64").dropna(), dtype="float64")
    if arr.size == 0:
        return [float("nan")] * (bins - 1)
    probs = np.arange(1, bins) / bins
    return [float(q) + edge_offset for q in np.quantile(arr, probs, method="linear")]


def score_values(
    values: Sequence[float] | np.ndarray | pd.Series,
    cuts: Sequence[float],
    closed: str = "left",
    reverse: bool = False,
) -> pd.Series:
    """Score values 1..len(cuts)+1 in pandas (the same rule as :func:`score_expr`).

    Examples
    --------
    >>> score_values([1, 5, 9], [5], closed="left").tolist()
    [1, 2, 2]
    >>> score_values([1, 5, 9], [5], closed="right", reverse=True).tolist()
    [2, 2, 1]
    """
    s = pd.Series(values, dtype="float64")
    c = np.asarray(cuts, dtype="float64")
    side: Literal["left", "right"] = "right" if closed == "left" else "left"  # cuts <= x
    counts = np.searchsorted(c, s.to_numpy(), side=side)
    scores = (len(c) + 1 - counts) if reverse else (counts + 1)
    return pd.Series(scores, index=s.index, dtype="Int64").where(s.notna())


def score_expr(
    col: ir.NumericValue, cuts: Sequence[float], closed: str = "left", reverse: bool = False
) -> ir.IntegerValue:
    """Ibis expression scoring ``col`` 1..len(cuts)+1 (null stays null).

    Examples
    --------
    >>> import ibis
    >>> t = ibis.memtable({"x": [1.0, 5.0, 9.0]})
    >>> t.select(s=score_expr(t.x, [5.0])).to_pandas()["s"].tolist()
    [1, 2, 2]
    """
    reached = ibis.literal(0)
    for c in cuts:
        hit = (col >= c) if closed == "left" else (col > c)
        reached = reached + hit.cast("int64")
    n = len(cuts) + 1
    return ((n - reached) if reverse else (reached + 1)).cast("int64")


def _rfm_inputs(facts: ir.Table) -> ir.Table:
    # Only buyers are scored: a paid order and a positive net spend (returns alone are not).
    buyer = (facts.orders >= 1) & (facts.total_spend > 0)
    return facts.mutate(
        recency=ibis.cases((buyer, facts.recency_days.cast("float64")), else_=ibis.null("float64")),
        frequency=ibis.cases((buyer, facts.orders.cast("int64")), else_=ibis.null("int64")),
        monetary=ibis.cases((buyer, facts.total_spend.cast("float64")), else_=ibis.null("float64")),
    )


def cut_points(facts: ir.Table, scoring: Mapping[str, Any] | None = None) -> dict[str, list[float]]:
    """Cut points per dimension for a scoring block (computed in the engine for quantiles).

    Warns (``UserWarning``) when cut points repeat, i.e. some bins collapse and
    their scores are never given.

    Examples
    --------
    >>> import ibis
    >>> facts = ibis.memtable({"customer_id": list("abcde"), "orders": [1, 2, 3, 4, 5],
    ...                        "recency_days": [10, 20, 30, 40, 50],
    ...                        "total_spend": [10.0, 20.0, 30.0, 40.0, 50.0]})
    >>> cut_points(facts, {"bins": 2})["frequency"]
    [3.0]
    """
    spec = scoring_spec(scoring)
    bins = spec["bins"]
    if spec["method"] == "thresholds":
        cuts = {d: [float(x) for x in spec["thresholds"][d]] for d in DIMENSIONS}
    else:
        t = _rfm_inputs(facts)
        probs = [k / bins for k in range(1, bins)]
        aggs = {f"{d}_{k}": t[d].quantile(p) for d in DIMENSIONS for k, p in enumerate(probs)}
        row = t.aggregate(**aggs).to_pandas().iloc[0]
        off = float(spec["edge_offset"] or 0)
        cuts = {}
        for d in DIMENSIONS:
            vals = [row[f"{d}_{k}"] for k in range(len(probs))]
            cuts[d] = [float("nan") if pd.isna(v) else round(float(v), 10) + off for v in vals]
    for d, cs in cuts.items():
        finite = [c for c in cs if not np.isnan(c)]
        if len(finite) < len(cs):
            warnings.warn(
                f"RFM {d}: no buyers to compute cut points from; scores are null",
                UserWarning,
                stacklevel=3,
            )
        elif len(set(finite)) < len(finite):
            warnings.warn(
                f"RFM {d}: cut points {finite} repeat, so bins collapse and some of the scores "
                f"1..{bins} are never given (many equal values); "
                "use fewer bins or fixed thresholds",
                UserWarning,
                stacklevel=3,
            )
    return cuts


def _fit(facts: ir.Table, params: Mapping[str, Any]) -> dict[str, Any]:
    spec = scoring_spec(params.get("scoring"))
    return {"cut_points": cut_points(facts, spec), "scoring": spec}


def _prepare(facts: ir.Table, params: Mapping[str, Any]) -> ir.Table:
    spec, cuts = params["scoring"], params["cut_points"]
    t = _rfm_inputs(facts)
    scores = {
        _SCORE[d]: ibis.cases(
            (t[d].notnull(), score_expr(t[d], cuts[d], spec["closed"], reverse=(d == "recency"))),
            else_=ibis.null("int64"),
        )
        for d in DIMENSIONS
    }
    return t.mutate(**scores)


#: The code side of the RFM rulebooks (``hook: rfm``): cut points learned in ``fit``.
HOOK = Hook(
    requires=frozenset(DIMENSIONS.values()),
    provides={
        "R": "num",
        "F": "num",
        "M": "num",
        "recency": "num",
        "frequency": "num",
        "monetary": "num",
    },
    fit=_fit,
    prepare=_prepare,
    outputs=("recency", "frequency", "monetary", "R", "F", "M"),
)


def rulebook(rules: str = "r_tests", scoring: Mapping[str, Any] | None = None) -> Any:
    """Load a built-in RFM segment map, optionally with another scoring block.

    Parameters
    ----------
    rules : {'r_tests', 'r_docs', 'simple'} or path
        A built-in map (see module docs) or a path to a user rulebook.
    scoring : dict, optional
        Keys merged into the scoring block (bins, method, closed, edge_offset,
        thresholds).

    Examples
    --------
    >>> rb = rulebook("simple", scoring={"bins": 3, "edge_offset": 0})
    >>> rb.scoring["bins"], rb.classes[1].id
    (3, 'champions')
    """
    from clientlib import frameworks

    name = RULE_SETS.get(rules, rules)
    return frameworks.load(name, params={"scoring": dict(scoring)} if scoring else None)


def segment_summary(classified: pd.DataFrame) -> pd.DataFrame:
    """Customers, orders, revenue, average order value and shares per RFM segment.

    Parameters
    ----------
    classified : pandas.DataFrame
        RFM output (columns ``class``, ``label``, ``frequency``, ``monetary``).

    Returns
    -------
    pandas.DataFrame
        ``class, label, customers, orders, revenue, avg_order_value,
        customer_share, revenue_share``, largest revenue first.

    Examples
    --------
    >>> df = pd.DataFrame({"class": ["a", "a", "b"], "label": ["A", "A", "B"],
    ...                    "frequency": [2, 3, 1], "monetary": [20.0, 30.0, 50.0]})
    >>> segment_summary(df)[["class", "customers", "avg_order_value"]].values.tolist()
    [['a', 2, 10.0], ['b', 1, 50.0]]
    """
    g = (
        classified.groupby(["class", "label"], sort=True, dropna=False)
        .agg(customers=("class", "size"), orders=("frequency", "sum"), revenue=("monetary", "sum"))
        .reset_index()
    )
    g["orders"] = g["orders"].astype("int64")
    g["avg_order_value"] = g["revenue"] / g["orders"].where(g["orders"] > 0)
    g["customer_share"] = g["customers"] / g["customers"].sum()
    total = g["revenue"].sum()
    g["revenue_share"] = g["revenue"] / total if total else np.nan
    return g.sort_values(["revenue", "class"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )
