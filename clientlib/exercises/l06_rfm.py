# ruff: noqa: E501
# (long one-line strings: converted mechanically from the old exercises.py)
"""Exercises of lesson 06 (RFM)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import pandas as pd

from clientlib.exercises import Exercise, class_choices
from clientlib.exercises._common import ibis_table

__all__ = ["EXERCISES"]

LESSON = "06_rfm"


def _rfm_table(facts: Any, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    from clientlib import frameworks, rfm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = frameworks.classify(ibis_table(facts), "rfm", params=params).to_pandas()
    return rfm.segment_summary(out)


def _rfm_scored(facts: Any) -> pd.DataFrame:
    from clientlib import frameworks

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return frameworks.classify(ibis_table(facts), "rfm").to_pandas()


def _rfm_r5_revenue(facts: Any) -> float:
    scored = _rfm_scored(facts)
    return float(scored.loc[scored["R"] == 5, "monetary"].sum() / scored["monetary"].sum())


def _rfm_bins4_champions(facts: Any) -> int:
    table = _rfm_table(facts, {"scoring": {"bins": 4}}).set_index("class")
    return int(table.loc["champions", "customers"]) if "champions" in table.index else 0


def _rfm_top_spend(facts: Any) -> set[str]:
    table = _rfm_table(facts).set_index("class")
    per = (table["revenue"] / table["customers"]).dropna()
    return set(per[per == per.max()].index)


EXERCISES = [
    Exercise(
        "rfm_r5_revenue",
        LESSON,
        {
            "en": "What share of revenue comes from customers with the best recency score (R = 5)?",
            "ru": "What share of revenue comes from customers with the best recency score (R = 5)?",
        },
        "share",
        ("facts",),
        _rfm_r5_revenue,
        {
            "en": "In the RFM output, sum monetary over the rows with R == 5 and divide by the sum of monetary over all rows.",
            "ru": "В результате RFM сложите monetary по строкам с R == 5 и разделите на сумму monetary по всем строкам.",
        },
        tolerance=0.005,
    ),
    Exercise(
        "rfm_bins4_champions",
        LESSON,
        {
            "en": "Score R, F and M from 1 to 4 instead of 1 to 5: how many Champions now?",
            "ru": "Score R, F and M from 1 to 4 instead of 1 to 5: how many Champions now?",
        },
        "count",
        ("facts",),
        _rfm_bins4_champions,
        {
            "en": "Pass params={'scoring': {'bins': 4}} to frameworks.classify(facts, 'rfm', ...) and count class == 'champions'.",
            "ru": "Передайте params={'scoring': {'bins': 4}} в frameworks.classify(facts, 'rfm', ...) и посчитайте class == 'champions'.",
        },
    ),
    Exercise(
        "rfm_top_spend",
        LESSON,
        {
            "en": "Which RFM segment has the highest spend per customer (class id)?",
            "ru": "Which RFM segment has the highest spend per customer (class id)?",
        },
        "label",
        ("facts",),
        _rfm_top_spend,
        {
            "en": "In rfm.segment_summary(...) divide revenue by customers and take the class with the largest value.",
            "ru": "В rfm.segment_summary(...) разделите revenue на customers и возьмите класс с наибольшим значением.",
        },
        choices=class_choices("rfm"),
    ),
]
