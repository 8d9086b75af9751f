"""Helpers shared by the exercise solvers of every lesson (not part of the public API)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

__all__ = ["classes", "classify", "count", "ibis_table", "label_of", "pandas_table", "sweep",
           "values_text"]


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


def label_of(framework: str, cls: str, lang: str) -> str:
    """A class's label in ``lang`` (its id when the framework does not know it)."""
    from clientlib import frameworks

    rows = frameworks.load(framework).describe(lang)
    return next((str(r["label"]) for r in rows if r["id"] == cls), cls)


def sweep(
    facts: Any,
    framework: str,
    param: str,
    values: Sequence[Any],
    cls: str,
    lang: str = "en",
) -> pd.DataFrame:
    """How many customers one class holds at each value of one parameter: a table the lesson
    shows so that a parameter exercise is answered by reading, without code.

    Examples
    --------
    >>> from clientlib.lessons import load_facts_example
    >>> t = sweep(load_facts_example(), "lifecycle", "fan_min_orders", [2, 3], "fan", "ru")
    >>> t.index.tolist(), t.columns.tolist()
    (['2', '3'], ['клиентов в классе «поклонник»'])
    """
    from clientlib import messages

    column = messages.text("exercises.col_customers_in", lang, label=label_of(framework, cls, lang))
    out = pd.DataFrame(
        {column: [count(facts, framework, cls, {param: v}) for v in values]},
        index=pd.Index(values_text(values, lang), name=param),
    )
    return out


def values_text(values: Sequence[Any], lang: str) -> list[str]:
    """Parameter values written the language's way (``0,5`` in Russian), as a table's index.

    Examples
    --------
    >>> values_text([0.5, 0.75, 3], "ru")
    ['0,5', '0,75', '3']
    """
    from clientlib import messages

    out = []
    for v in values:
        digits = next((d for d in range(4) if abs(round(float(v), d) - float(v)) < 1e-9), 3)
        out.append(messages.number(v, lang, digits))
    return out
