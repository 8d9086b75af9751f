"""Exercises of lesson 09 (rule or model): a stricter active, rule vs model, who came back, and an
open question on the wake-up campaign.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clientlib.exercises import Exercise
from clientlib.exercises._common import classes, pandas_table

__all__ = ["EXERCISES"]

LESSON = "09_btyd"


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


EXERCISES = [
    Exercise(
        "btyd_active_08",
        LESSON,
        {
            "en": "If active needs P(alive) >= 0.8, how many buyers are active?",
            "ru": "Сколько покупателей активны, если для этого нужна P(alive) >= 0,8?",
        },
        "count",
        ("facts",),
        _active_08,
        {
            "en": "Count the rows of `summary` with p_alive >= 0.8: "
            "(summary['p_alive'] >= 0.8).sum(). One-off buyers (P(alive) = 1) are all in.",
            "ru": "Посчитайте строки `summary` с p_alive >= 0.8: "
            "(summary['p_alive'] >= 0.8).sum(). Разовые покупатели (P(alive) = 1) входят все.",
        },
    ),
    Exercise(
        "btyd_rule_dormant_model_active",
        LESSON,
        {
            "en": "How many repeat buyers are dormant by the rule but active for the model?",
            "ru": "Сколько повторных покупателей заснули по правилу, но активны по модели?",
        },
        "count",
        ("facts",),
        _rule_dormant_model_active,
        {
            "en": "In `both`, keep class == 'dormant', btyd == 'active' and frequency > 0, "
            "then count the rows.",
            "ru": "В `both` оставьте class == 'dormant', btyd == 'active' и frequency > 0 и "
            "посчитайте строки.",
        },
    ),
    Exercise(
        "btyd_cdnow_dormant_came_back",
        LESSON,
        {
            "en": "What share of CDNOW's rule-dormant customers bought again in the holdout?",
            "ru": "Какая доля заснувших по правилу клиентов CDNOW купила снова "
            "в проверочном периоде?",
        },
        "share",
        ("cdnow",),
        _cdnow_dormant_came_back,
        {
            "en": "In `judged`, keep class == 'dormant' and take the mean of "
            "(frequency_holdout > 0). A share, not a percentage.",
            "ru": "В `judged` оставьте class == 'dormant' и возьмите среднее "
            "(frequency_holdout > 0). Доля, а не проценты.",
        },
        tolerance=0.001,
    ),
    Exercise(
        "btyd_campaign_open",
        LESSON,
        {
            "en": "Rule or model for the wake-up campaign: what would you answer and check?",
            "ru": "Правило или модель для кампании пробуждения: что ответить и что проверить?",
        },
        "open",
        (),
        None,
        {
            "en": "Think of the one-off buyers, of the holdout table, and of what a wrong "
            "contact costs.",
            "ru": "Вспомните разовых покупателей, таблицу проверочного периода и цену ошибочного "
            "контакта.",
        },
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
    ),
]
