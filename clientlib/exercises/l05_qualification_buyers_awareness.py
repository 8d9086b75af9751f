# ruff: noqa: E501
# (long one-line strings: converted mechanically from the old exercises.py)
"""Exercises of lesson 05 (qualification, buyer types, awareness, fast/good/cheap)."""

from __future__ import annotations

from typing import Any

from clientlib.exercises import Exercise, class_choices
from clientlib.exercises._common import classes, count

__all__ = ["EXERCISES"]

LESSON = "05_qualification_buyers_awareness"


def _qualification_nurture4(facts: Any) -> int:
    return count(facts, "qualification", "nurture", {"nurture_min": 4})


def _buyer_hunters_50(facts: Any) -> int:
    return count(facts, "buyer_types", "discount_hunter", {"hunter_min_discount_share": 0.5})


def _fgc_top_pair(facts: Any) -> set[str]:
    counts = classes(facts, "fast_good_cheap").value_counts().drop("undecided", errors="ignore")
    return set(counts[counts == counts.max()].index)


EXERCISES = [
    Exercise(
        "qualification_nurture4",
        LESSON,
        {
            "en": "If nurturing needs 4 of the 5 criteria, how many customers are in 'nurture'?",
            "ru": "If nurturing needs 4 of the 5 criteria, how many customers are in 'nurture'?",
        },
        "count",
        ("facts",),
        _qualification_nurture4,
        {
            "en": "Classify qualification with params={'nurture_min': 4} and count class == 'nurture'.",
            "ru": "Классифицируйте qualification с params={'nurture_min': 4} и посчитайте class == 'nurture'.",
        },
    ),
    Exercise(
        "buyer_hunters_50",
        LESSON,
        {
            "en": "With a discount-hunter threshold of 50% discounted orders, how many discount hunters?",
            "ru": "With a discount-hunter threshold of 50% discounted orders, how many discount hunters?",
        },
        "count",
        ("facts",),
        _buyer_hunters_50,
        {
            "en": "Classify buyer_types with params={'hunter_min_discount_share': 0.5} and count class == 'discount_hunter'. Freeloaders are matched first and stay freeloaders.",
            "ru": "Классифицируйте buyer_types с params={'hunter_min_discount_share': 0.5} и посчитайте class == 'discount_hunter'. Халявщики проверяются раньше и остаются халявщиками.",
        },
    ),
    Exercise(
        "fgc_top_pair",
        LESSON,
        {
            "en": "Among customers with a clear pair, which pair of fast/good/cheap is the most common?",
            "ru": "Among customers with a clear pair, which pair of fast/good/cheap is the most common?",
        },
        "label",
        ("facts",),
        _fgc_top_pair,
        {
            "en": "Count the fast_good_cheap classes, leave out 'undecided', and answer with the id of the largest one (e.g. 'good_cheap').",
            "ru": "Посчитайте классы fast_good_cheap без 'undecided' и ответьте id самого большого (например 'good_cheap').",
        },
        choices=class_choices("fast_good_cheap"),
    ),
]
