"""Run several frameworks over one facts table and gather the classes in pandas."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from clientlib import frameworks as _fw
from clientlib.rules import MissingColumnsError, Rulebook, RulebookError

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
        Param overrides: ``{framework: {param: value}}``,
        ``{"framework.param": value}``, or ``{param: value}`` (applied to every
        framework that declares the param; an unknown name is an error).
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
    books = [_fw.load(name) for name in names]
    overrides = _route_params(books, dict(params or {}))
    frames: list[pd.DataFrame] = []
    skipped: list[str] = []
    for i, (name, rb) in enumerate(zip(names, books, strict=True)):
        if overrides[i]:
            rb = _fw.load(name, overrides[i])
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


def _route_params(books: list[Rulebook], params: dict[str, Any]) -> list[dict[str, Any]]:
    """Split param overrides by rulebook (one dict per rulebook, in order).

    Accepted forms: ``{framework: {param: value}}``, ``{"framework.param": value}``, and
    plain ``{param: value}``, given to every framework that declares the param
    (``scoring`` goes to RFM rulebooks). A name no framework declares is an error.
    """
    out: list[dict[str, Any]] = [{} for _ in books]
    by_framework: dict[str, list[int]] = {}
    for i, rb in enumerate(books):
        by_framework.setdefault(rb.framework, []).append(i)
    for key, value in params.items():
        if key in by_framework and isinstance(value, dict):
            targets = [(i, k, v) for i in by_framework[key] for k, v in value.items()]
        elif "." in key and key.split(".", 1)[0] in by_framework:
            fw, name = key.split(".", 1)
            targets = [(i, name, value) for i in by_framework[fw]]
        else:
            targets = [
                (i, key, value)
                for i, rb in enumerate(books)
                if key in rb.params or (key == "scoring" and rb.framework == "rfm")
            ]
            if not targets:
                known = sorted({k for rb in books for k in rb.params})
                raise RulebookError(
                    f"param '{key}' is not used by {', '.join(rb.framework for rb in books)}; "
                    f"known: {', '.join(known) or '(none)'}"
                )
        for i, name, v in targets:
            out[i][name] = v
    return out


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
