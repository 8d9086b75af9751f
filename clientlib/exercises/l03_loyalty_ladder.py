"""Exercises of lesson 03 (the loyalty ladder): reach, a stricter regular, the weakest step."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from clientlib.exercises import Exercise, class_choices
from clientlib.exercises._common import classes, count

__all__ = ["EXERCISES"]

LESSON = "03_loyalty_ladder"


def _table(facts: Any, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    from clientlib.frameworks.ladder import conversion

    return conversion(classes(facts, "ladder", params).rename("class").to_frame())


def _reached_buyer(facts: Any) -> float:
    table = _table(facts).set_index("rung")
    return float(table.loc["buyer", "reached"] / table.loc["potential", "reached"])


def _regular_min3(facts: Any) -> int:
    return count(facts, "ladder", "regular", {"regular_min_orders": 3})


def _weakest_step(facts: Any) -> set[str]:
    conv = _table(facts).set_index("rung")["conversion"].dropna()
    return set(conv[conv == conv.min()].index)


EXERCISES = [
    Exercise(
        "ladder_reached_buyer", LESSON,
        {"en": "What share of all customers has reached at least the buyer rung (0..1)?",
         "ru": "Какая доля всех клиентов дошла хотя бы до ступени «покупатель» (от 0 до 1)?"},
        "share", ("facts",), _reached_buyer,
        {"en": "A customer on a rung has passed every rung below it: divide the 'reached' value "
               "of the rung 'buyer' by the number of all customers (the 'reached' of "
               "'potential').",
         "ru": "Клиент на ступени прошёл все ступени ниже: разделите значение 'reached' "
               "ступени 'buyer' на число всех клиентов ('reached' ступени 'potential')."},
        tolerance=0.005,
    ),
    Exercise(
        "ladder_regular_min3", LESSON,
        {"en": "If a regular buyer needs 3 orders, how many regular buyers are there?",
         "ru": "Сколько будет постоянных покупателей, если для этого нужно 3 заказа?"},
        "count", ("facts",), _regular_min3,
        {"en": "Classify with params={'regular_min_orders': 3} and count class == 'regular'.",
         "ru": "Классифицируйте с params={'regular_min_orders': 3} и посчитайте "
               "class == 'regular'."},
    ),
    Exercise(
        "ladder_weakest_step", LESSON,
        {"en": "Which rung is reached with the lowest conversion from the rung below?",
         "ru": "На какую ступень переходит меньшая доля клиентов с предыдущей ступени?"},
        "label", ("facts",), _weakest_step,
        {"en": "Look at the conversion column of the conversion table and take the rung with "
               "the smallest value (the first rung has none).",
         "ru": "Посмотрите на столбец conversion и возьмите ступень с наименьшим значением "
               "(у первой ступени его нет)."},
        choices=class_choices("ladder"),
    ),
    Exercise(
        "ladder_step_plan", LESSON,
        {"en": "Describe who is stuck below the weakest step, one technique to move them up, and "
               "a target in numbers.",
         "ru": "Опишите, кто застрял под самым слабым шагом, один приём, чтобы поднять их, и "
               "цель в цифрах."},
        "open", (), None,
        {"en": "Start from the conversion table: the rung below the weakest step, how many are "
               "on it, and what conversion would be a realistic gain.",
         "ru": "Начните с таблицы переходов: ступень под самым слабым шагом, сколько на ней "
               "людей и какой переход будет реалистичным ростом."},
        points={
            "en": ["the portrait uses facts from the data (orders, contacts), not a guess",
                   "the technique moves people exactly one rung (no rung is skipped)",
                   "a target conversion and the number of customers it means",
                   "how and when the result is checked (next quarter's shares)"],
            "ru": ["портрет опирается на факты из данных (заказы, контакты), а не на догадку",
                   "приём поднимает ровно на одну ступень (ступени не перепрыгивают)",
                   "целевой переход и сколько это клиентов",
                   "как и когда проверяется результат (доли в следующем квартале)"],
        },
    ),
]
