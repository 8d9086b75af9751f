"""Exercises of lesson 09 (rule or model): a stricter active, rule vs model, who came back, and an
open question on the wake-up campaign.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clientlib import messages
from clientlib.exercises import Exercise, Mistake
from clientlib.exercises._common import classes, pandas_table

__all__ = ["EXERCISES", "active_by_threshold"]

LESSON = "09_btyd"

#: What the trainer's solution script computes first (the lesson's own variables).
SETUP = """
from clientlib import btyd, datasets
from clientlib.io import read_transactions

summary = btyd.summary_from_facts(facts_df, "days")
bg = btyd.BetaGeoModel(time_unit="days").fit(summary["frequency"], summary["recency"], summary["T"])
summary["p_alive"] = bg.p_alive(summary["frequency"], summary["recency"], summary["T"])
summary["btyd"] = np.where(summary["p_alive"] >= 0.7, "active", "other")
life = frameworks.load("lifecycle").classify(facts).to_pandas()
both = life[["customer_id", "class"]].merge(summary, on="customer_id")
cdnow = datasets.load_cdnow_sample()
cal = btyd.calibration_summary(cdnow, "1997-09-30", "1998-06-30", timestamp="date")
cd_tx = read_transactions(cdnow, datasets.CDNOW_MAPPING, analysis_date="1997-10-01")
cd_life = frameworks.load("lifecycle").classify(customer_facts(cd_tx)).to_pandas()
judged = cd_life[["customer_id", "class"]].merge(cal, on="customer_id")
"""


def active_by_threshold(summary: pd.DataFrame, thresholds: Any = (0.5, 0.6, 0.7, 0.8, 0.9),
                        lang: str = "en") -> pd.DataFrame:  # fmt: skip
    """How many buyers are active for each P(alive) threshold.

    Examples
    --------
    >>> active_by_threshold(pd.DataFrame({"p_alive": [0.95, 0.75, 0.2]}), [0.7, 0.8], "ru")
    ... # doctest: +NORMALIZE_WHITESPACE
                        активных покупателей
    P(alive) не меньше
    0,7                                    2
    0,8                                    1
    """
    from clientlib.exercises._common import values_text

    p = summary["p_alive"].astype(float)
    out = pd.DataFrame(
        {messages.text("exercises.col_active", lang): [int((p >= x).sum()) for x in thresholds]},
        index=pd.Index(values_text(list(thresholds), lang),
                       name=messages.text("exercises.col_threshold", lang)),
    )  # fmt: skip
    return out


def _p_alive(facts: Any) -> pd.DataFrame:
    """Buyers with their BG/NBD P(alive), the model fitted on these facts (days)."""
    from clientlib.btyd import BetaGeoModel, summary_from_facts

    s = summary_from_facts(pandas_table(facts), "days")
    bg = BetaGeoModel(time_unit="days").fit(s["frequency"], s["recency"], s["T"])
    return s.assign(p_alive=bg.p_alive(s["frequency"], s["recency"], s["T"]))


def _active_08(facts: Any) -> int:
    return int((_p_alive(facts)["p_alive"] >= 0.8).sum())


def _rule_dormant_model_active(facts: Any) -> int:
    s = _p_alive(facts).set_index("customer_id")
    life = classes(facts, "lifecycle").reindex(s.index)
    return int(((life == "dormant") & (s["p_alive"] >= 0.7) & (s["frequency"] > 0)).sum())


def _cdnow_dormant_came_back(cdnow: pd.DataFrame) -> float:
    from clientlib.btyd import calibration_summary
    from clientlib.datasets import CDNOW_MAPPING
    from clientlib.features import customer_facts
    from clientlib.io import read_transactions

    tx = read_transactions(cdnow, CDNOW_MAPPING, analysis_date="1997-10-01")
    life = classes(customer_facts(tx), "lifecycle")
    cal = calibration_summary(cdnow, "1997-09-30", "1998-06-30", timestamp="date")
    back = cal.set_index("customer_id")["frequency_holdout"].reindex(life.index) > 0
    return float(np.mean(back[life == "dormant"]))


def _active_default(facts: Any) -> int:
    return int((_p_alive(facts)["p_alive"] >= 0.7).sum())


def _with_one_off(facts: Any) -> int:
    s = _p_alive(facts).set_index("customer_id")
    life = classes(facts, "lifecycle").reindex(s.index)
    return int(((life == "dormant") & (s["p_alive"] >= 0.7)).sum())


EXERCISES = [
    Exercise(
        "btyd_active_08", LESSON,
        {"en": "If active needs P(alive) >= 0.8, how many buyers are active?",
         "ru": "Сколько покупателей активны, если для этого нужна P(alive) >= 0,8?"},
        "count", ("facts",), _active_08,
        {"en": "The table of active buyers per threshold (above the exercise): read the row "
               "0.8. One-off buyers (P(alive) = 1) are all in.",
         "ru": "Таблица активных покупателей при разных порогах (над упражнением): прочитайте "
               "строку 0,8. Разовые покупатели (P(alive) = 1) входят все."},
        code="answer = int((summary['p_alive'] >= 0.8).sum())",
        route="l09.active_by_threshold(summary", route_kind="table",
        mistakes=(Mistake("default", _active_default),),
    ),
    Exercise(
        "btyd_rule_dormant_model_active", LESSON,
        {"en": "How many repeat buyers are dormant by the rule but active for the model?",
         "ru": "Сколько повторных покупателей заснули по правилу, но активны по модели?"},
        "count", ("facts",), _rule_dormant_model_active,
        {"en": "The table of the three cases where rule and model disagree: read the row of the "
               "slow but steady rhythm.",
         "ru": "Таблица трёх случаев, где правило и модель расходятся: прочитайте строку "
               "«медленный, но ровный ритм»."},
        code="answer = int(((both['class'] == 'dormant') & (both['p_alive'] >= 0.7)\n"
             "               & (both['frequency'] > 0)).sum())",
        route='"case_rhythm": dormant', route_kind="table",
        mistakes=(Mistake("one_off_included", _with_one_off),),
    ),
    Exercise(
        "btyd_cdnow_dormant_came_back", LESSON,
        {"en": "What share of CDNOW's rule-dormant customers bought again in the holdout?",
         "ru": "Какая доля заснувших по правилу клиентов CDNOW купила снова "
               "в проверочном периоде?"},
        "share", ("cdnow",), _cdnow_dormant_came_back,
        {"en": "The holdout table by the rule's class: read 'bought again' on the row 'Dormant'. "
               "A share, not a percentage.",
         "ru": "Таблица проверочного периода по классам правила: прочитайте «купили снова» в "
               "строке «заснувший». Доля, а не проценты."},
        tolerance=0.001,
        code="answer = float((judged.loc[judged['class'] == 'dormant', 'frequency_holdout'] > 0)"
             ".mean())",
        route='named(holdout_table("class"))', route_kind="table",
    ),
    Exercise(
        "btyd_campaign_open", LESSON,
        {"en": "Rule or model for the wake-up campaign: what would you answer and check?",
         "ru": "Правило или модель для кампании пробуждения: что ответить и что проверить?"},
        "open", (), None,
        {"en": "Think of the one-off buyers, of the holdout table, and of what a wrong "
               "contact costs.",
         "ru": "Вспомните разовых покупателей, таблицу проверочного периода и цену ошибочного "
               "контакта."},
        points={
            "en": [
                "one-off buyers have P(alive) = 1 by the model's assumption (drop-out only after a "
                "purchase), so the model never sends them a wake-up; the rule does",
                "the holdout shows who actually came back in each class: judge both on it",
                "among repeat buyers the model uses each customer's own rhythm; one cycle does not",
                "thresholds (0.7 / 0.3) and the cycle are business choices: cost of a contact vs "
                "value of a customer (CLV) decide them",
                "check the calibration/holdout fit on your own data first (seasonality, "
                "promotions, changes break the model's steady-rate assumption)",
            ],
            "ru": [
                "у разовых покупателей P(alive) = 1 по допущению модели (уход только после "
                "покупки), поэтому модель им кампанию не отправит, а правило — отправит",
                "проверочный период показывает, кто на самом деле вернулся в каждом классе: "
                "судить нужно по нему",
                "среди повторных покупателей модель учитывает собственный ритм клиента, единый "
                "цикл — нет",
                "пороги (0,7 / 0,3) и цикл — решения бизнеса: их определяют цена контакта и "
                "ценность клиента (CLV)",
                "сначала проверить калибровку и прогноз на своих данных (сезонность, акции, "
                "перемены нарушают допущение о постоянном темпе)",
            ],
        },
        model={
            "en": "Not as it stands. BG/NBD gives one-off buyers P(alive) = 1 because in the model "
                  "a customer can only leave right after a purchase, so the campaign would never "
                  "reach them, while the holdout shows most of them did not come back. Among "
                  "repeat buyers the model is better than one cycle: its likely lost came back "
                  "far less often than its active. I would combine them (the rule for one-off "
                  "buyers, the model for repeat buyers), set the thresholds from the cost of a "
                  "contact against the CLV, and first check the calibration and holdout fit on "
                  "our own data.",
            "ru": "Не в таком виде. BG/NBD даёт разовым покупателям P(alive) = 1, потому что в "
                  "модели клиент может уйти только сразу после покупки, и кампания до них не "
                  "дойдёт, хотя проверочный период показывает, что большинство из них не "
                  "вернулось. Среди повторных покупателей модель лучше единого цикла: её «скорее "
                  "всего ушёл» возвращались гораздо реже, чем её «активные». Я бы совместил их "
                  "(правило для разовых покупателей, модель для повторных), выбрал пороги по "
                  "цене контакта и ценности клиента (CLV) и сначала проверил калибровку и "
                  "прогноз на наших данных.",
        },
    ),
]
