"""Exercises of lesson 03 (the loyalty ladder): reach, a stricter regular, the weakest step."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from clientlib.exercises import Exercise, Mistake, class_choices
from clientlib.exercises._common import classes, count

__all__ = ["EXERCISES"]

LESSON = "03_loyalty_ladder"

#: What the trainer's solution script computes first (the lesson's own variables).
SETUP = """
from clientlib.frameworks.ladder import conversion

segments, _ = segment.segment(facts, ["ladder"], lang=lang)
conv = conversion(segments[["customer_id", "class"]])
"""


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


def _reached_buyer_count(facts: Any) -> int:
    return int(_table(facts).set_index("rung").loc["buyer", "reached"])


def _buyer_rung_only(facts: Any) -> float:
    cls = classes(facts, "ladder")
    return float((cls == "buyer").mean())


def _regular_default(facts: Any) -> int:
    return count(facts, "ladder", "regular")


EXERCISES = [
    Exercise(
        "ladder_reached_buyer", LESSON,
        {"en": "What share of all customers has reached at least the buyer rung (0..1)?",
         "ru": "Какая доля всех клиентов дошла хотя бы до ступени «покупатель» (от 0 до 1)?"},
        "share", ("facts",), _reached_buyer,
        {"en": "In the conversion table, 'reached' counts the customers on a rung or higher: "
               "divide the 'reached' of 'Buyer' by the 'reached' of 'Potential client' (all "
               "customers).",
         "ru": "В таблице переходов «дошли» — это клиенты на ступени или выше: разделите «дошли» "
               "у ступени «покупатель» на «дошли» у «потенциальный клиент» (все клиенты)."},
        tolerance=0.005,
        code="rows = conv.set_index('rung')\n"
             "answer = rows.loc['buyer', 'reached'] / rows.loc['potential', 'reached']",
        route="conv = conversion(ladder)", route_kind="table",
        mistakes=(Mistake("count_for_share", _reached_buyer_count),
                  Mistake("rung_only", _buyer_rung_only)),
    ),
    Exercise(
        "ladder_regular_min3", LESSON,
        {"en": "If a regular buyer needs 3 orders, how many regular buyers are there?",
         "ru": "Сколько будет постоянных покупателей, если для этого нужно 3 заказа?"},
        "count", ("facts",), _regular_min3,
        {"en": "Under the ladder's slider (regular_min_orders), set 3 and read the number of "
               "customers on the row 'Regular buyer'.",
         "ru": "Поставьте ползунок лестницы (regular_min_orders) на 3 и прочитайте число "
               "клиентов в строке «постоянный покупатель»."},
        code="answer = int((segment.segment(facts, ['ladder'], params={'ladder': "
             "{'regular_min_orders': 3}})[0]['class'] == 'regular').sum())",
        route="lessons.explore(lessons.ladder_shares", route_kind="widget",
        mistakes=(Mistake("default", _regular_default),),
    ),
    Exercise(
        "ladder_weakest_step", LESSON,
        {"en": "Which rung is reached with the lowest conversion from the rung below?",
         "ru": "На какую ступень переходит меньшая доля клиентов с предыдущей ступени?"},
        "label", ("facts",), _weakest_step,
        {"en": "In the conversion table, find the smallest value of the 'conversion' column "
               "(the first rung has none) and write the name of its rung.",
         "ru": "В таблице переходов найдите наименьшее значение в столбце «переход» (у первой "
               "ступени его нет) и напишите название этой ступени."},
        choices=class_choices("ladder"),
        code="answer = conv.set_index('rung')['conversion'].idxmin()",
        route="conv = conversion(ladder)", route_kind="table",
        mistakes=(Mistake("other_framework"),),
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
        model={
            "en": "The weakest step in the conversion table is the last one, from regular buyer "
                  "to advocate. The regulars below it buy often but have never recommended us. "
                  "Technique: after the third order, ask for one recommendation with a gift for "
                  "both the customer and the friend, so they move exactly one rung. Target: raise "
                  "that conversion by five points, which the table turns into a number of "
                  "customers; we check the shares again next quarter.",
            "ru": "Самый слабый шаг в таблице переходов — последний, от постоянного покупателя к "
                  "приверженцу. Постоянные покупатели под ним покупают часто, но ни разу нас не "
                  "рекомендовали. Приём: после третьего заказа попросить одну рекомендацию с "
                  "подарком и клиенту, и другу, чтобы подняться ровно на одну ступень. Цель: "
                  "поднять этот переход на пять пунктов, а таблица переводит это в число "
                  "клиентов; доли проверяем снова в следующем квартале.",
        },
    ),
]  # fmt: skip
