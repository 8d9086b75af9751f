"""Run several frameworks over one facts table and gather the classes in pandas."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from clientlib import frameworks as _fw
from clientlib.rules import MissingColumnsError

__all__ = ["BASE_COLUMNS", "RFM_COLUMNS", "segment", "summary"]

#: Columns every framework contributes, in output order.
BASE_COLUMNS: tuple[str, ...] = ("customer_id", "framework", "class", "label", "reason", "action")
#: Extra columns of the rfm framework.
RFM_COLUMNS: tuple[str, ...] = ("recency", "frequency", "monetary", "R", "F", "M")


def segment(
    facts: ir.Table,
    frameworks: Sequence[str] | str = "all",
    rules: str | Path | None = None,
    params: dict[str, Any] | None = None,
    lang: str = "en",
) -> tuple[pd.DataFrame, list[str]]:
    """Classify customers with several frameworks; skip those whose columns are missing.

    Parameters
    ----------
    facts : ibis.Table
        Customer facts (docs/CONTRACTS.md).
    frameworks : list of str or 'all'
        Framework names or rulebook paths (see :func:`clientlib.frameworks.load`);
        ``'all'`` runs every built-in framework.
    rules : path, optional
        A user rulebook (YAML) run in addition to the frameworks listed.
    params : dict, optional
        Param overrides, either ``{framework: {param: value}}`` or, when a
        single framework is run, ``{param: value}``.
    lang : {'en', 'ru'}
        Language of labels and actions.

    Returns
    -------
    (pandas.DataFrame, list of str)
        One row per customer per framework with ``customer_id, framework,
        class, label, reason, action`` (plus ``recency, frequency, monetary,
        R, F, M`` when rfm ran, and the value-tier flags when value_tiers
        ran), sorted by framework then customer_id; and one message per
        skipped framework naming the missing columns.

    Examples
    --------
    >>> import ibis
    >>> facts = ibis.memtable({"customer_id": ["b", "a"], "orders": [0, 3],
    ...                        "referrals": [0, 0], "touchpoints": [2, 0]})
    >>> df, skipped = segment(facts, ["ladder", "qualification"])
    >>> df[["customer_id", "class"]].values.tolist()
    [['a', 'regular'], ['b', 'client']]
    >>> skipped[0].startswith("framework 'qualification' skipped")
    True
    """
    names: list[str | Path] = (
        list(_fw.available())
        if frameworks == "all"
        else [frameworks]
        if isinstance(frameworks, str)
        else list(frameworks)
    )
    if rules is not None:
        names.append(Path(rules))
    params = dict(params or {})
    nested = any(isinstance(v, dict) and k != "scoring" for k, v in params.items())
    frames: list[pd.DataFrame] = []
    skipped: list[str] = []
    for name in names:
        rb = _fw.load(name, _params_for(name, params, nested, len(names)))
        try:
            table = rb.classify(facts, lang=lang)
        except MissingColumnsError as exc:
            skipped.append(str(exc))
            continue
        frames.append(table.to_pandas())
    columns = list(BASE_COLUMNS)
    for f in frames:
        columns += [c for c in f.columns if c not in columns]
    if not frames:
        return pd.DataFrame(columns=columns), skipped
    out = pd.concat([f.reindex(columns=columns) for f in frames], ignore_index=True)
    out = out.sort_values(["framework", "customer_id"], kind="stable").reset_index(drop=True)
    return out, skipped


def _params_for(
    name: str | Path, params: dict[str, Any], nested: bool, n: int
) -> dict[str, Any] | None:
    if not params:
        return None
    if nested:
        key = name if isinstance(name, str) else Path(name).stem
        return params.get(key)
    if n == 1:
        return params
    raise ValueError(
        "params for several frameworks must be nested by framework, "
        "e.g. {'lifecycle': {'fan_min_orders': 4}}"
    )


def summary(df: pd.DataFrame) -> pd.DataFrame:
    """Customers and share of customers per framework and class.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`segment`.

    Returns
    -------
    pandas.DataFrame
        ``framework, class, label, customers, share`` (share within the
        framework), sorted by framework then customers (largest first).

    Examples
    --------
    >>> df = pd.DataFrame({"customer_id": ["a", "b", "c"], "framework": ["x"] * 3,
    ...                    "class": ["p", "q", "q"], "label": ["P", "Q", "Q"]})
    >>> summary(df)[["class", "customers", "share"]].round(2).values.tolist()
    [['q', 2, 0.67], ['p', 1, 0.33]]
    """
    if df.empty:
        return pd.DataFrame(columns=["framework", "class", "label", "customers", "share"])
    g = (
        df.groupby(["framework", "class", "label"], sort=True)
        .size()
        .rename("customers")
        .reset_index()
    )
    g["share"] = g["customers"] / g.groupby("framework")["customers"].transform("sum")
    return g.sort_values(
        ["framework", "customers", "class"], ascending=[True, False, True], kind="stable"
    ).reset_index(drop=True)
