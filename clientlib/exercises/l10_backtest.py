"""Exercises of lesson 10 (the backtest): who came back on CDNOW, the lifecycle's repeat gap, how
far BG/NBD's forecast fell short, and an open question on acting on the ranking.

The solvers compute from the raw CDNOW rows with pandas and the facts, not through
:mod:`clientlib.backtest`, so an exercise checks the lesson's numbers independently.
"""

from __future__ import annotations

import pandas as pd

from clientlib.exercises import Exercise
from clientlib.exercises._common import classes

__all__ = ["EXERCISES"]

LESSON = "10_backtest"
CUTOFF, HOLDOUT_END = "1997-09-30", "1998-06-30"


def _holdout_buyers(cdnow: pd.DataFrame) -> set[str]:
    day = pd.to_datetime(cdnow["date"])
    held = cdnow[(day > pd.Timestamp(CUTOFF)) & (day <= pd.Timestamp(HOLDOUT_END))]
    return set(held["customer_id"])


def _came_back(cdnow: pd.DataFrame) -> int:
    return len(_holdout_buyers(cdnow))


def _lifecycle_gap(cdnow: pd.DataFrame) -> float:
    from clientlib.datasets import CDNOW_MAPPING
    from clientlib.features import customer_facts
    from clientlib.io import read_transactions

    tx = read_transactions(cdnow, CDNOW_MAPPING, analysis_date="1997-10-01")
    life = classes(customer_facts(tx), "lifecycle")
    back = pd.Series(life.index.isin(_holdout_buyers(cdnow)), index=life.index)
    shares = back.groupby(life).agg(["size", "mean"])
    shares = shares[shares["size"] >= 10]
    return float(shares["mean"].max() - shares["mean"].min())


def _shortfall(cdnow: pd.DataFrame) -> float:
    from clientlib.btyd import BetaGeoModel, calibration_summary

    cal = calibration_summary(cdnow, CUTOFF, HOLDOUT_END, timestamp="date", time_unit="weeks")
    bg = BetaGeoModel(time_unit="weeks").fit(cal["frequency"], cal["recency"], cal["T"])
    predicted = bg.expected_purchases(39, cal["frequency"], cal["recency"], cal["T"]).sum()
    observed = cal["frequency_holdout"].sum()
    return float((observed - predicted) / observed)


_AT = {"en": "on 30 September 1997", "ru": "на 30 сентября 1997"}

EXERCISES = [
    Exercise(
        "backtest_cdnow_came_back",
        LESSON,
        {
            "en": "How many CDNOW customers bought in the holdout "
            "(1 October 1997 to 30 June 1998)?",
            "ru": "Сколько клиентов CDNOW купили в проверочном периоде (с 1 октября 1997 по "
            "30 июня 1998)?",
        },
        "count",
        ("cdnow",),
        _came_back,
        {
            "en": "In `cdnow`, keep the rows with date after 1997-09-30 and up to 1998-06-30, then "
            "count the distinct customer_id.",
            "ru": "В `cdnow` оставьте строки с датой после 1997-09-30 и не позже 1998-06-30 и "
            "посчитайте разные customer_id.",
        },
    ),
    Exercise(
        "backtest_lifecycle_gap",
        LESSON,
        {
            "en": f"The lifecycle's repeat gap on CDNOW {_AT['en']}: best minus worst class?",
            "ru": f"Разрыв «Дао клиента» на CDNOW {_AT['ru']}: лучший класс минус худший?",
        },
        "share",
        ("cdnow",),
        _lifecycle_gap,
        {
            "en": "In `cd.by_class`, keep framework == 'lifecycle' and classes of 10 or more "
            "customers; subtract the smallest bought_again from the largest. A share, not a "
            "percentage.",
            "ru": "В `cd.by_class` оставьте framework == 'lifecycle' и классы от 10 клиентов; "
            "вычтите наименьшее bought_again из наибольшего. Доля, а не проценты.",
        },
        tolerance=0.001,
    ),
    Exercise(
        "backtest_bgnbd_shortfall",
        LESSON,
        {
            "en": "By what share of the observed holdout repeat purchases did BG/NBD fall short "
            "on CDNOW?",
            "ru": "На какую долю от совершённых повторных покупок прогноз BG/NBD на CDNOW оказался "
            "меньше факта?",
        },
        "share",
        ("cdnow",),
        _shortfall,
        {
            "en": "(observed − predicted) / observed, from `cd.btyd`: both totals are in it.",
            "ru": "(факт − прогноз) / факт по `cd.btyd`: оба итога есть там.",
        },
        tolerance=0.001,
    ),
    Exercise(
        "backtest_act_on_ranking_open",
        LESSON,
        {
            "en": "The ranking puts one classification first: would you run the campaigns on it "
            "alone? What would you check?",
            "ru": "Рейтинг ставит одну классификацию первой: вели бы вы кампании только по ней? "
            "Что бы вы проверили?",
        },
        "open",
        (),
        None,
        {
            "en": "Think of what the ranking measures (bought again or not), of the holdout's "
            "length, of the class sizes and of the action each class drives.",
            "ru": "Вспомните, что измеряет рейтинг (купил снова или нет), длину проверочного "
            "периода, размеры классов и действие, которое задаёт каждый класс.",
        },
        points={
            "en": [
                "the ranking measures one outcome (bought again in the holdout), not revenue, "
                "margin or the response to a campaign",
                "a framework that separates buyers well can still drive the wrong action: each "
                "class's action must make sense, not only its repeat rate",
                "the result depends on the cutoff and the holdout length: repeat it at other "
                "cutoffs (seasons) before trusting it",
                "classes that are tiny or a framework with one huge class inform little; "
                "mutual information and the gap must be read with the class sizes",
                "frameworks answer different questions (value tiers, lifecycle): combine them; "
                "use the checks to tune the purchase cycle or P(alive) thresholds",
            ],
            "ru": [
                "рейтинг измеряет один исход (купил ли снова в проверочном периоде), а не "
                "выручку, маржу или отклик на кампанию",
                "классификация, хорошо разделяющая покупателей, может подсказывать неверное "
                "действие: важен смысл действия каждого класса, а не только доля вернувшихся",
                "результат зависит от даты отсечки и длины проверочного периода: повторить на "
                "других датах (сезонах), прежде чем доверять",
                "крошечные классы или классификация с одним огромным классом мало что говорят: "
                "взаимную информацию и разрыв читать вместе с размерами классов",
                "классификации отвечают на разные вопросы (ценность, жизненный цикл): их "
                "сочетают; проверки помогают настроить цикл покупки или пороги P(alive)",
            ],
        },
    ),
]
