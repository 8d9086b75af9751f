"""Helpers shared by the exercise solvers of every lesson (not part of the public API)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["classes", "classify", "count", "ibis_table", "pandas_table"]


def ibis_table(facts: Any) -> Any:
    """An Ibis table for the frameworks (a pandas DataFrame becomes a memtable)."""
    import ibis

    if isinstance(facts, pd.DataFrame):
        return ibis.memtable(facts)
    return getattr(facts, "table", facts)


def pandas_table(facts: Any) -> pd.DataFrame:
    """The facts as pandas."""
    if isinstance(facts, pd.DataFrame):
        return facts
    return ibis_table(facts).to_pandas()


def classify(facts: Any, framework: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The framework's output as pandas (quietly: no warnings printed)."""
    from clientlib import frameworks

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return frameworks.classify(ibis_table(facts), framework, params=params).to_pandas()


def classes(facts: Any, framework: str, params: Mapping[str, Any] | None = None) -> pd.Series:
    """Class of every customer under one framework, indexed by customer id."""
    return classify(facts, framework, params).set_index("customer_id")["class"]


def count(facts: Any, framework: str, cls: str, params: Mapping[str, Any] | None = None) -> int:
    """How many customers a framework puts in one class."""
    return int((classes(facts, framework, params) == cls).sum())
