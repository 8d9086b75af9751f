"""Exercises of lesson 01 (quickstart): buyers, fans, the biggest ladder rung."""

from __future__ import annotations

from typing import Any

from clientlib.exercises import Exercise, Mistake, class_choices
from clientlib.exercises._common import classes, count, pandas_table

__all__ = ["EXERCISES"]

LESSON = "01_quickstart"

#: What the trainer's solution script computes first (the lesson's own variables).
SETUP = """
segments, _ = segment.segment(facts, "all", lang=lang)
"""


def _buyers(facts: Any) -> int:
    return int((pandas_table(facts)["orders"] >= 1).sum())


def _fans(facts: Any) -> int:
    return count(facts, "lifecycle", "fan")


def _top_rung(facts: Any) -> set[str]:
    counts = classes(facts, "ladder").value_counts()
    return set(counts[counts == counts.max()].index)


def _buyers_share(facts: Any) -> float:
    return _buyers(facts) / len(pandas_table(facts))


def _fans_share(facts: Any) -> float:
    return _fans(facts) / len(pandas_table(facts))


EXERCISES = [
    Exercise(
        "quickstart_buyers", LESSON,
        {"en": "How many customers have bought at least once?",
         "ru": "Сколько клиентов купили хотя бы раз?"},
        "count", ("facts",), _buyers,
        {"en": "The first line under 'For discussion' says how many customers never bought and "
               "how many there are in all: subtract.",
         "ru": "Первая строка раздела «Для обсуждения» говорит, сколько клиентов ни разу не "
               "покупали и сколько их всего: вычтите одно из другого."},
        code="answer = int((facts_df['orders'] >= 1).sum())",
        route='lessons.say("lessons.l01_never_bought"', route_kind="printed",
        mistakes=(Mistake("share_for_count", _buyers_share),),
    ),
    Exercise(
        "quickstart_fans", LESSON,
        {"en": "How many customers does the lifecycle framework call fans?",
         "ru": "Скольких клиентов жизненный цикл называет поклонниками?"},
        "count", ("facts",), _fans,
        {"en": "In the summary table of classes, find the lifecycle and read the number of "
               "customers on the row 'Fan'.",
         "ru": "В сводной таблице классов найдите «Дао клиента» и прочитайте число клиентов в "
               "строке «поклонник»."},
        code="answer = int(((segments['framework'] == 'lifecycle') & (segments['class'] == 'fan'))"
             ".sum())",
        route="segment.summary(segments)", route_kind="table",
        mistakes=(Mistake("share_for_count", _fans_share),),
    ),
    Exercise(
        "quickstart_top_rung", LESSON,
        {"en": "Which rung of the loyalty ladder holds the most customers?",
         "ru": "На какой ступени лестницы лояльности больше всего клиентов?"},
        "label", ("facts",), _top_rung,
        {"en": "In the summary table of classes, compare the rows of the loyalty ladder and "
               "write the name of the largest one.",
         "ru": "В сводной таблице классов сравните строки лестницы лояльности и напишите "
               "название самой большой."},
        choices=class_choices("ladder"),
        code="answer = segments.loc[segments['framework'] == 'ladder', 'class'].value_counts()"
             ".idxmax()",
        route="segment.summary(segments)", route_kind="table",
        mistakes=(Mistake("other_framework"),),
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
        model={
            "en": "The dormant customers of the lifecycle (their number is in the summary "
                  "table). This month the CRM manager sends each of them a personal reminder "
                  "with the product they bought most, and the call centre phones the ones who "
                  "spent the most. Next month we count the dormant class again: it should shrink "
                  "by a tenth, and the woken-up customers should show up as novices or fans.",
            "ru": "Заснувшие клиенты по «Дао клиента» (их число — в сводной таблице). В этом "
                  "месяце CRM-менеджер отправляет каждому личное напоминание с товаром, который "
                  "клиент покупал чаще всего, а колл-центр звонит тем, кто потратил больше всех. "
                  "Через месяц снова считаем заснувших: их должно стать на десятую часть меньше, "
                  "а проснувшиеся должны появиться среди новичков или поклонников.",
        },
    ),
]  # fmt: skip
