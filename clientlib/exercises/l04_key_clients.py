"""Exercises of lesson 04 (key clients): the 80/20 check, a narrower gold, accounts needing care."""

from __future__ import annotations

from typing import Any

from clientlib.exercises import Exercise
from clientlib.exercises._common import classify, count, ibis_table

__all__ = ["EXERCISES"]

LESSON = "04_key_clients"


def _top20_revenue(facts: Any) -> float:
    from clientlib.frameworks.value_tiers import pareto

    curve = pareto(ibis_table(facts))
    return float(curve.loc[curve["customer_share"] >= 0.2 - 1e-12, "revenue_share"].iloc[0])


def _gold_half(facts: Any) -> int:
    return count(facts, "value_tiers", "gold", {"gold_share": 0.5})


def _gold_alerts(facts: Any) -> int:
    out = classify(facts, "value_tiers")
    return int(((out["class"] == "gold") & (out["alerts"].fillna("") != "")).sum())


EXERCISES = [
    Exercise(
        "key_top20_revenue", LESSON,
        {"en": "What share of revenue do the top 20% of buyers bring (0..1)?",
         "ru": "Какую долю выручки приносят 20 % самых крупных покупателей (от 0 до 1)?"},
        "share", ("facts",), _top20_revenue,
        {"en": "pareto(facts) lists buyers from the biggest spender down with cumulative shares; "
               "take the first revenue_share where customer_share >= 0.2.",
         "ru": "pareto(facts) перечисляет покупателей от самого крупного с накопленными долями; "
               "возьмите первое revenue_share, где customer_share >= 0.2."},
        tolerance=0.01,
    ),
    Exercise(
        "key_gold_half", LESSON,
        {"en": "If gold covers 50% of revenue instead of 80%, how many gold customers are there?",
         "ru": "Сколько будет золотых клиентов, если золото покрывает 50 % выручки, а не 80 %?"},
        "count", ("facts",), _gold_half,
        {"en": "Classify value_tiers with params={'gold_share': 0.5} and count class == 'gold'.",
         "ru": "Классифицируйте value_tiers с params={'gold_share': 0.5} и посчитайте "
               "class == 'gold'."},
    ),
    Exercise(
        "key_gold_alerts", LESSON,
        {"en": "How many gold customers have at least one account-care alert?",
         "ru": "У скольких золотых клиентов есть хотя бы один сигнал по ведению?"},
        "count", ("facts",), _gold_alerts,
        {"en": "In the value_tiers output keep class == 'gold' and a non-empty alerts column "
               "(alerts != '').",
         "ru": "В результате value_tiers оставьте class == 'gold' и непустой столбец alerts "
               "(alerts != '')."},
    ),
    Exercise(
        "key_dependence_plan", LESSON,
        {"en": "How exposed is the business to its largest customers, and how would you reduce "
               "the risk?",
         "ru": "Насколько бизнес зависит от самых крупных клиентов и как снизить этот риск?"},
        "open", (), None,
        {"en": "Use the Pareto line, the key-account and mono-client flags and the largest "
               "customer's share printed above.",
         "ru": "Опирайтесь на строку о кривой Парето, флаги ключевых клиентов и моноклиента и "
               "долю самого крупного клиента выше."},
        points={
            "en": ["quotes the largest customer's share and what its loss would cost",
                   "a workload per manager set by revenue, not by number of accounts",
                   "a measure to grow silver towards gold (spreading the revenue)",
                   "gold clients kept: the contact rhythm and the dossier stay in place"],
            "ru": ["приведена доля самого крупного клиента и цена его потери",
                   "нагрузка на менеджера задана выручкой, а не числом клиентов",
                   "мера, чтобы растить серебро до золота (распределить выручку)",
                   "золотые клиенты не брошены: ритм контактов и досье сохраняются"],
        },
    ),
]
