"""Exercises of lesson 02 (the lifecycle): a 60-day cycle, a stricter fan, the best month."""

from __future__ import annotations

from typing import Any

import pandas as pd

from clientlib.exercises import Exercise, Mistake
from clientlib.exercises._common import count, pandas_table

__all__ = ["EXERCISES"]

LESSON = "02_lifecycle"

#: What the trainer's solution script computes first (the lesson's own variables).
SETUP = """
snaps = timeline.snapshots(tx, ev, cu, framework="lifecycle", freq="MS")
"""


def _dormant_60(facts: Any) -> int:
    return count(facts, "lifecycle", "dormant", {"purchase_cycle_days": 60})


def _fans_5(facts: Any) -> int:
    return count(facts, "lifecycle", "fan", {"fan_min_orders": 5})


def _fan_month(snaps: pd.DataFrame) -> set[pd.Period]:
    from clientlib.timeline import new_in_class

    new = new_in_class(snaps, ["fan"])
    best = new[new["customers"] == new["customers"].max()]
    return {pd.Timestamp(d).to_period("M") for d in best["period_end"]}


def _dormant_default(facts: Any) -> int:
    return count(facts, "lifecycle", "dormant")


def _dormant_60_share(facts: Any) -> float:
    return _dormant_60(facts) / len(pandas_table(facts))


def _fans_default(facts: Any) -> int:
    return count(facts, "lifecycle", "fan")


EXERCISES = [
    Exercise(
        "lifecycle_dormant_60", LESSON,
        {"en": "With a purchase cycle of 60 days, how many customers are dormant?",
         "ru": "Сколько клиентов заснули при цикле покупки 60 дней?"},
        "count", ("facts",), _dormant_60,
        {"en": "The table 'How much the purchase cycle matters' counts the dormant customers for "
               "several cycles: read the row 60.",
         "ru": "Таблица в разделе «Насколько важен цикл покупки» считает заснувших при разных "
               "циклах: прочитайте строку 60."},
        code="answer = int((segment.segment(facts, ['lifecycle'], params={'lifecycle': "
             "{'purchase_cycle_days': 60}})[0]['class'] == 'dormant').sum())",
        route="cycles = [30, 60, 90, 180, 365]", route_kind="table",
        mistakes=(Mistake("default", _dormant_default),
                  Mistake("share_for_count", _dormant_60_share)),
    ),
    Exercise(
        "lifecycle_fans_5", LESSON,
        {"en": "If a fan needs 5 orders instead of 3, how many fans are there?",
         "ru": "Сколько будет поклонников, если поклоннику нужно 5 заказов, а не 3?"},
        "count", ("facts",), _fans_5,
        {"en": "Under 'Try it live', set the fan slider (fan_min_orders) to 5 and read the "
               "number of customers on the row 'Fan'. Those who drop out become novices.",
         "ru": "В разделе «Попробуйте сами» поставьте ползунок поклонника (fan_min_orders) на 5 "
               "и прочитайте число клиентов в строке «поклонник». Выбывшие становятся "
               "новичками."},
        code="answer = int((segment.segment(facts, ['lifecycle'], params={'lifecycle': "
             "{'fan_min_orders': 5}})[0]['class'] == 'fan').sum())",
        route="lessons.explore(lessons.lifecycle_shares", route_kind="widget",
        mistakes=(Mistake("default", _fans_default),),
    ),
    Exercise(
        "lifecycle_fan_month", LESSON,
        {"en": "In which month did the most customers become fans?",
         "ru": "В каком месяце больше всего клиентов стали поклонниками?"},
        "month", ("snaps",), _fan_month,
        {"en": "The table of new novices and fans per month (above this exercise): find the "
               "largest number in the fans column; answer like 'Oct 2023' or '2023-10'.",
         "ru": "Таблица новых новичков и поклонников по месяцам (над упражнением): найдите "
               "наибольшее число в столбце поклонников; ответ вида «октябрь 2023» или "
               "«10.2023»."},
        code="new = timeline.new_in_class(snaps, ['fan'])\n"
             "answer = str(new.loc[new['customers'].idxmax(), 'period_end'])[:7]",
        route="lessons.localize(per_month, lang)", route_kind="table",
    ),
    Exercise(
        "lifecycle_wakeup_plan", LESSON,
        {"en": "Write a wake-up plan for the dormant former fans.",
         "ru": "Напишите план пробуждения для заснувших бывших поклонников."},
        "open", (), None,
        {"en": "Use the numbers printed under 'For discussion': how many, what they used to "
               "bring, how many wake up on their own each month.",
         "ru": "Опирайтесь на цифры из раздела «Для обсуждения»: сколько их, сколько они "
               "приносили, сколько просыпается само каждый месяц."},
        points={
            "en": ["an order of priority (e.g. by past spend or by how recently they slept)",
                   "a channel and an offer, and a budget per customer tied to what they brought",
                   "a success measure within one purchase cycle (how many woke up)",
                   "returnees treated differently: a complaint is answered, not couponed"],
            "ru": ["порядок очереди (например, по прошлой выручке или по давности сна)",
                   "канал и предложение, бюджет на клиента, связанный с тем, что он приносил",
                   "мерило успеха в пределах одного цикла покупки (сколько проснулось)",
                   "возвращенцы — отдельно: на жалобу отвечают разговором, а не купоном"],
        },
        model={
            "en": "First the dormant former fans who spent the most, then the ones asleep for "
                  "the shortest time. Each gets a personal e-mail with their usual product and a "
                  "small gift; the budget per customer stays below a tenth of what they used to "
                  "bring in a year. After one purchase cycle we count how many bought again, "
                  "against the few who wake up on their own each month. Returnees are not "
                  "couponed: a manager calls them about their complaint first.",
            "ru": "Сначала заснувшие бывшие поклонники, которые потратили больше всех, затем те, "
                  "кто спит меньше всего. Каждому — личное письмо с его привычным товаром и "
                  "небольшим подарком; бюджет на клиента — меньше десятой части того, что он "
                  "приносил за год. Через один цикл покупки считаем, сколько купили снова, и "
                  "сравниваем с теми немногими, кто просыпается сам каждый месяц. Возвращенцам "
                  "купон не шлём: сначала менеджер звонит и разбирает их жалобу.",
        },
    ),
]  # fmt: skip
