"""Exercises of lesson 01 (quickstart): buyers, fans, the biggest ladder rung."""

from __future__ import annotations

from typing import Any

from clientlib.exercises import Exercise, class_choices
from clientlib.exercises._common import classes, count, pandas_table

__all__ = ["EXERCISES"]

LESSON = "01_quickstart"


def _buyers(facts: Any) -> int:
    return int((pandas_table(facts)["orders"] >= 1).sum())


def _fans(facts: Any) -> int:
    return count(facts, "lifecycle", "fan")


def _top_rung(facts: Any) -> set[str]:
    counts = classes(facts, "ladder").value_counts()
    return set(counts[counts == counts.max()].index)


EXERCISES = [
    Exercise(
        "quickstart_buyers", LESSON,
        {"en": "How many customers have bought at least once?",
         "ru": "Сколько клиентов купили хотя бы раз?"},
        "count", ("facts",), _buyers,
        {"en": "Take the facts as pandas and count the rows with orders >= 1: "
               "(facts_df['orders'] >= 1).sum().",
         "ru": "Возьмите факты как pandas и посчитайте строки с orders >= 1: "
               "(facts_df['orders'] >= 1).sum()."},
    ),
    Exercise(
        "quickstart_fans", LESSON,
        {"en": "How many customers does the lifecycle framework call fans?",
         "ru": "Скольких клиентов жизненный цикл называет поклонниками?"},
        "count", ("facts",), _fans,
        {"en": "Keep the rows of `segments` where framework == 'lifecycle' and class == 'fan', "
               "then count them.",
         "ru": "Оставьте строки `segments`, где framework == 'lifecycle' и class == 'fan', и "
               "посчитайте их."},
    ),
    Exercise(
        "quickstart_top_rung", LESSON,
        {"en": "Which rung of the loyalty ladder holds the most customers?",
         "ru": "На какой ступени лестницы лояльности больше всего клиентов?"},
        "label", ("facts",), _top_rung,
        {"en": "Filter `segments` to framework == 'ladder' and use value_counts() on the class "
               "(or label) column; answer with the class id or its name.",
         "ru": "Отфильтруйте `segments` по framework == 'ladder' и примените value_counts() к "
               "столбцу class (или label); ответьте id класса или его названием."},
        choices=class_choices("ladder"),
    ),
    Exercise(
        "quickstart_first_action", LESSON,
        {"en": "Pick one class and say what to do with it this month, who does it, and which "
               "number will show whether it worked.",
         "ru": "Выберите класс и напишите, что с ним делать в этом месяце, кто отвечает и по "
               "какой цифре будет видно, что сработало."},
        "open", (), None,
        {"en": "Name the class and its size from the summary table, one action, one owner, and "
               "one number to watch next month.",
         "ru": "Назовите класс и его размер из сводной таблицы, одно действие, одного "
               "ответственного и одну цифру, за которой следить через месяц."},
        points={
            "en": ["names one class and how many customers it holds (from the table)",
                   "one concrete action that fits the class (not 'improve loyalty')",
                   "who does it: a role in the business",
                   "a measurable result: which class should grow or shrink, and by how much"],
            "ru": ["назван один класс и сколько в нём клиентов (по таблице)",
                   "одно конкретное действие, подходящее классу (не «повысить лояльность»)",
                   "кто это делает: роль в компании",
                   "измеримый результат: какой класс должен вырасти или уменьшиться и насколько"],
        },
    ),
]
