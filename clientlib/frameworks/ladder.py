"""Loyalty ladder: conversion rates rung to rung."""

from __future__ import annotations

import pandas as pd

__all__ = ["RUNGS", "conversion"]

#: Rungs from the bottom (market) to the top (advocate).
RUNGS: tuple[str, ...] = ("potential", "client", "buyer", "regular", "advocate")


def conversion(classified: pd.DataFrame) -> pd.DataFrame:
    """Customers on each rung, reaching it, and the conversion from the rung below.

    A customer on a rung has passed every rung below it, so ``reached`` counts
    customers on that rung or higher and ``conversion`` = reached(rung) /
    reached(rung below).

    Parameters
    ----------
    classified : pandas.DataFrame
        Ladder output (a ``class`` column; other frameworks' rows are ignored
        when a ``framework`` column is present).

    Returns
    -------
    pandas.DataFrame
        ``rung, customers, share, reached, conversion`` from the bottom up.

    Examples
    --------
    >>> df = pd.DataFrame({"class": ["potential", "client", "buyer", "buyer", "regular"]})
    >>> conversion(df)["conversion"].round(2).tolist()
    [nan, 0.8, 0.75, 0.33, 0.0]
    """
    df = classified
    if "framework" in df.columns:
        df = df[df["framework"] == "ladder"]
    counts = df["class"].value_counts()
    rows = []
    total = int(len(df))
    reached = total
    prev = None
    for rung in RUNGS:
        n = int(counts.get(rung, 0))
        conv = (reached / prev) if prev else float("nan")
        rows.append(
            {
                "rung": rung,
                "customers": n,
                "share": n / total if total else float("nan"),
                "reached": reached,
                "conversion": conv,
            }
        )
        prev = reached
        reached -= n
    out = pd.DataFrame(rows)
    return out
