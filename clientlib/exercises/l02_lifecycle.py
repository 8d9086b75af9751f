"""Exercises of lesson 02 (the lifecycle): a 60-day cycle, a stricter fan, the best month."""

from __future__ import annotations

from typing import Any

import pandas as pd

from clientlib.exercises import Exercise
from clientlib.exercises._common import count

__all__ = ["EXERCISES"]

LESSON = "02_lifecycle"


def _dormant_60(facts: Any) -> int:
    return count(facts, "lifecycle", "dormant", {"purchase_cycle_days": 60})


def _fans_5(facts: Any) -> int:
    return count(facts, "lifecycle", "fan", {"fan_min_orders": 5})


def _fan_month(snaps: pd.DataFrame) -> set[pd.Period]:
    from clientlib.timeline import new_in_class

    new = new_in_class(snaps, ["fan"])
    best = new[new["customers"] == new["customers"].max()]
    return {pd.Timestamp(d).to_period("M") for d in best["period_end"]}


EXERCISES = [
    Exercise(
        "lifecycle_dormant_60", LESSON,
        {"en": "With a purchase cycle of 60 days, how many customers are dormant?",
         "ru": "Сколько клиентов заснули при цикле покупки 60 дней?"},
        "count", ("facts",), _dormant_60,
        {"en": "Classify with params={'purchase_cycle_days': 60} and count class == 'dormant'.",
         "ru": "Классифицируйте с params={'purchase_cycle_days': 60} и посчитайте "
               "class == 'dormant'."},
    ),
    Exercise(
        "lifecycle_fans_5", LESSON,
        {"en": "If a fan needs 5 orders instead of 3, how many fans are there?",
         "ru": "Сколько будет поклонников, если поклоннику нужно 5 заказов, а не 3?"},
        "count", ("facts",), _fans_5,
        {"en": "Classify with params={'fan_min_orders': 5} and count class == 'fan'. Customers "
               "who drop out of 'fan' become novices (or stay dormant / returnees).",
         "ru": "Классифицируйте с params={'fan_min_orders': 5} и посчитайте class == 'fan'. "
               "Кто перестал быть поклонником, становится новичком (или остаётся заснувшим / "
               "возвращенцем)."},
    ),
    Exercise(
        "lifecycle_fan_month", LESSON,
        {"en": "In which month did the most customers become fans?",
         "ru": "В каком месяце больше всего клиентов стали поклонниками?"},
        "month", ("snaps",), _fan_month,
        {"en": "Use timeline.new_in_class(snaps, ['fan']) and find the period_end with the most "
               "customers (idxmax); answer like '2024-03'.",
         "ru": "Используйте timeline.new_in_class(snaps, ['fan']) и найдите period_end с "
               "наибольшим числом клиентов (idxmax); ответ в виде '2024-03'."},
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
    ),
]
