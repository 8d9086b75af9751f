"""Exercises of lesson 10 (the backtest): who came back on CDNOW, the lifecycle's repeat gap, how
far BG/NBD's forecast fell short, and an open question on acting on the ranking.

The solvers compute from the raw CDNOW rows with pandas and the facts, not through
:mod:`clientlib.backtest`, so an exercise checks the lesson's numbers independently.
"""

from __future__ import annotations

import pandas as pd

from clientlib.exercises import Exercise, Mistake
from clientlib.exercises._common import classes

__all__ = ["EXERCISES"]

LESSON = "10_backtest"
CUTOFF, HOLDOUT_END = "1997-09-30", "1998-06-30"

#: What the trainer's solution script computes first (the lesson's own variables).
SETUP = """
import warnings

from clientlib import backtest, datasets

cdnow = datasets.load_cdnow_sample()
with warnings.catch_warnings():  # RFM's note that CDNOW's frequencies repeat (lesson 06)
    warnings.simplefilter("ignore")
    cd = backtest.run_backtest("cdnow_sample", cutoff="1997-09-30", lang=lang,
                               params={"btyd": {"model": "bgnbd"}})
"""


def _holdout(cdnow: pd.DataFrame, *, with_cutoff: bool = False) -> pd.DataFrame:
    """The rows after the cutoff (or from it: the off-by-one mistake) to the holdout's end."""
    day = pd.to_datetime(cdnow["date"])
    start = day >= pd.Timestamp(CUTOFF) if with_cutoff else day > pd.Timestamp(CUTOFF)
    return cdnow[start & (day <= pd.Timestamp(HOLDOUT_END))]


def _came_back(cdnow: pd.DataFrame) -> int:
    return int(_holdout(cdnow)["customer_id"].nunique())


def _purchases_not_customers(cdnow: pd.DataFrame) -> set[int]:
    """Rows, and days with a purchase (the paper's repeat purchases), instead of customers."""
    held = _holdout(cdnow)
    return {len(held), int(held.groupby("customer_id")["date"].nunique().sum())}


def _with_cutoff_day(cdnow: pd.DataFrame) -> int:
    return int(_holdout(cdnow, with_cutoff=True)["customer_id"].nunique())


def _lifecycle_shares(cdnow: pd.DataFrame) -> pd.Series:
    """Share who bought in the holdout per lifecycle class at the cutoff (10+ customers)."""
    from clientlib.datasets import CDNOW_MAPPING
    from clientlib.features import customer_facts
    from clientlib.io import read_transactions

    tx = read_transactions(cdnow, CDNOW_MAPPING, analysis_date="1997-10-01")
    life = classes(customer_facts(tx), "lifecycle")
    back = pd.Series(life.index.isin(set(_holdout(cdnow)["customer_id"])), index=life.index)
    shares = back.groupby(life).agg(["size", "mean"])
    return shares.loc[shares["size"] >= 10, "mean"]


def _lifecycle_gap(cdnow: pd.DataFrame) -> float:
    shares = _lifecycle_shares(cdnow)
    return float(shares.max() - shares.min())


def _one_class_share(cdnow: pd.DataFrame) -> set[float]:
    """The best or the worst class's share alone, not their difference."""
    shares = _lifecycle_shares(cdnow)
    return {float(shares.max()), float(shares.min())}


def _totals(cdnow: pd.DataFrame) -> tuple[float, float]:
    """Observed and BG/NBD-predicted holdout repeat purchases (weeks, as the paper)."""
    from clientlib.btyd import BetaGeoModel, calibration_summary

    cal = calibration_summary(cdnow, CUTOFF, HOLDOUT_END, timestamp="date", time_unit="weeks")
    bg = BetaGeoModel(time_unit="weeks").fit(cal["frequency"], cal["recency"], cal["T"])
    weeks = (pd.Timestamp(HOLDOUT_END) - pd.Timestamp(CUTOFF)).days / 7
    predicted = bg.expected_purchases(weeks, cal["frequency"], cal["recency"], cal["T"]).sum()
    return float(cal["frequency_holdout"].sum()), float(predicted)


def _shortfall(cdnow: pd.DataFrame) -> float:
    observed, predicted = _totals(cdnow)
    return (observed - predicted) / observed


def _by_forecast(cdnow: pd.DataFrame) -> float:
    observed, predicted = _totals(cdnow)
    return (observed - predicted) / predicted


def _sign_reversed(cdnow: pd.DataFrame) -> float:
    return -_shortfall(cdnow)


EXERCISES = [
    Exercise(
        "backtest_cdnow_came_back", LESSON,
        {"en": "How many CDNOW customers bought in the holdout (1 October 1997 to 30 June 1998)?",
         "ru": "Сколько клиентов CDNOW купили в проверочном периоде (с 01.10.1997 по "
               "30.06.1998)?"},
        "count", ("cdnow",), _came_back,
        {"en": "In the CDNOW section, the line under BG/NBD's totals says how many of the "
               "customers bought in the holdout: read its first number.",
         "ru": "В разделе о CDNOW строка под итогами BG/NBD говорит, сколько клиентов купили в "
               "проверочном периоде: прочитайте первое число в ней."},
        code="held = cdnow[(cdnow['date'] > '1997-09-30') & (cdnow['date'] <= '1998-06-30')]\n"
             "answer = held['customer_id'].nunique()",
        route='t("lesson_came_back"', route_kind="printed",
        mistakes=(Mistake("purchases_for_customers", _purchases_not_customers),
                  Mistake("cutoff_included", _with_cutoff_day)),
    ),
    Exercise(
        "backtest_lifecycle_gap", LESSON,
        {"en": "On CDNOW at the cutoff 30 September 1997, what is the lifecycle's repeat gap (best "
               "class minus worst, 0..1)?",
         "ru": "Каков разрыв «Дао клиента» на CDNOW при дате отсечки 30.09.1997 (лучший класс "
               "минус худший, от 0 до 1)?"},
        "share", ("cdnow",), _lifecycle_gap,
        {"en": "The ranking on CDNOW (the second ranking table): read the gap on the row of the "
               "customer lifecycle and write it as a share (45.6% is 0.456).",
         "ru": "Рейтинг на CDNOW (вторая таблица рейтинга): прочитайте разрыв в строке «Дао "
               "клиента» и запишите его долей (45,6 % — это 0,456)."},
        tolerance=0.002,
        code="life = cd.by_class[cd.by_class['framework'] == 'lifecycle']\n"
             "life = life[life['customers'] >= 10]\n"
             "answer = life['bought_again'].max() - life['bought_again'].min()",
        route="backtest.ranking_view(cd, lang", route_kind="table",
        mistakes=(Mistake("one_class_share", _one_class_share),),
    ),
    Exercise(
        "backtest_bgnbd_shortfall", LESSON,
        {"en": "By what share of the repeat purchases made in the holdout did BG/NBD's forecast "
               "fall short on CDNOW (0..1)?",
         "ru": "На какую долю от совершённых в проверочном периоде повторных покупок прогноз "
               "BG/NBD на CDNOW оказался меньше факта (от 0 до 1)?"},
        "share", ("cdnow",), _shortfall,
        {"en": "The line 'BG/NBD: … observed …, predicted …' in the CDNOW section: subtract "
               "the predicted purchases from the observed ones and divide by the observed.",
         "ru": "Строка «BG/NBD: … совершено …, прогноз …» в разделе о CDNOW: вычтите прогноз "
               "из совершённых покупок и разделите на совершённые."},
        tolerance=0.002,
        code="answer = (cd.btyd['observed'] - cd.btyd['predicted']) / cd.btyd['observed']",
        route="print(cd.btyd_sentence(lang))", route_kind="printed",
        mistakes=(Mistake("divided_by_forecast", _by_forecast),
                  Mistake("forecast_minus_observed", _sign_reversed)),
    ),
    Exercise(
        "backtest_act_on_ranking_open", LESSON,
        {"en": "The ranking puts one classification first: would you run the campaigns on it "
               "alone? What would you check?",
         "ru": "Рейтинг ставит одну классификацию первой: вели бы вы кампании только по ней? "
               "Что бы вы проверили?"},
        "open", (), None,
        {"en": "Think of what the ranking measures (bought again or not), of the holdout's "
               "length, of the class sizes and of the action each class drives.",
         "ru": "Вспомните, что измеряет рейтинг (купил снова или нет), длину проверочного "
               "периода, размеры классов и действие, которое задаёт каждый класс."},
        points={
            "en": [
                "the ranking measures one outcome (bought again in the holdout), not revenue, "
                "margin or the response to a campaign",
                "a classification that separates buyers well can still drive the wrong action: "
                "each class's action must make sense, not only its repeat rate",
                "the result depends on the cutoff and the holdout length: repeat it at other "
                "cutoffs (seasons) before trusting it",
                "tiny classes, or a classification with one huge class, inform little: read the "
                "gap and the mutual information with the class sizes",
                "classifications answer different questions (value tiers, lifecycle): combine "
                "them; use the checks to tune the purchase cycle or the P(alive) thresholds",
            ],
            "ru": [
                "рейтинг измеряет один исход (купил ли клиент снова в проверочном периоде), а не "
                "выручку, маржу или отклик на кампанию",
                "классификация, хорошо разделяющая покупателей, может подсказывать неверное "
                "действие: важен смысл действия каждого класса, а не только доля вернувшихся",
                "результат зависит от даты отсечки и длины проверочного периода: прежде чем "
                "доверять, повторить проверку на других датах (в другой сезон)",
                "крошечные классы или классификация с одним огромным классом мало что говорят: "
                "разрыв и взаимную информацию читать вместе с размерами классов",
                "классификации отвечают на разные вопросы (ценность, жизненный цикл): их "
                "сочетают; проверки помогают настроить цикл покупки или пороги P(alive)",
            ],
        },
        model={
            "en": "Not on that classification alone. The ranking measures one outcome, whether a "
                  "customer bought again in this holdout, not revenue or how a customer answers "
                  "a campaign, and each class's action has to make sense for the business. I "
                  "would repeat the backtest at other cutoffs (another season) and with another "
                  "holdout length, read the gap and the mutual information together with the "
                  "class sizes, and combine the winner with the value tiers; the checks then "
                  "tell me whether to change the purchase cycle or the P(alive) thresholds.",
            "ru": "Только по ней — нет. Рейтинг измеряет один исход — купил ли клиент снова в "
                  "этом проверочном периоде, — а не выручку и не то, как клиент откликается на "
                  "кампанию, и действие каждого класса должно иметь смысл для бизнеса. Я бы "
                  "повторил проверку с другими датами отсечки (в другой сезон) и другой длиной "
                  "проверочного периода, читал разрыв и взаимную информацию вместе с размерами "
                  "классов и сочетал победителя с уровнями ценности клиентов; проверки настроек "
                  "затем подскажут, менять ли цикл покупки или пороги P(alive).",
        },
    ),
]  # fmt: skip
