"""Exercises of lesson 04 (key clients): the 80/20 check, a narrower gold, accounts needing care."""

from __future__ import annotations

from typing import Any

import pandas as pd

from clientlib import messages
from clientlib.exercises import Exercise, Mistake
from clientlib.exercises._common import classify, count, ibis_table, label_of

__all__ = ["EXERCISES", "alerts_by_class"]

LESSON = "04_key_clients"

#: What the trainer's solution script computes first (the lesson's own variables).
SETUP = """
from clientlib.frameworks.value_tiers import pareto

curve = pareto(facts)
tiers = frameworks.classify(facts, "value_tiers", lang=lang).to_pandas()
"""


def alerts_by_class(tiers: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Customers per value tier, and how many of them have at least one account-care alert.

    Examples
    --------
    >>> t = pd.DataFrame({"class": ["gold", "gold", "silver"], "alerts": ["a", "", None]})
    >>> alerts_by_class(t, "ru").to_dict("list")
    {'клиентов': [2, 1], 'хотя бы с одним сигналом': [1, 0]}
    """
    flagged = tiers["alerts"].fillna("").astype(str).str.strip() != ""
    g = pd.DataFrame({"class": tiers["class"], "flag": flagged}).groupby("class", sort=False)
    order = [c for c in ("gold", "silver", "bronze", "false_client", "prospect") if c in g.groups]
    order += [c for c in g.groups if c not in order]
    out = pd.DataFrame({
        messages.text("exercises.col_customers", lang): g.size().reindex(order),
        messages.text("exercises.col_with_alert", lang): g["flag"].sum().reindex(order).astype(int),
    })  # fmt: skip
    out.index = [label_of("value_tiers", c, lang) for c in order]
    out.index.name = messages.text("exercises.col_class", lang)
    return out


def _top20_revenue(facts: Any) -> float:
    from clientlib.frameworks.value_tiers import pareto

    curve = pareto(ibis_table(facts))
    return float(curve.loc[curve["customer_share"] >= 0.2 - 1e-12, "revenue_share"].iloc[0])


def _gold_half(facts: Any) -> int:
    return count(facts, "value_tiers", "gold", {"gold_share": 0.5})


def _gold_alerts(facts: Any) -> int:
    out = classify(facts, "value_tiers")
    return int(((out["class"] == "gold") & (out["alerts"].fillna("") != "")).sum())


def _gold_default(facts: Any) -> int:
    return count(facts, "value_tiers", "gold")


def _all_alerts(facts: Any) -> int:
    out = classify(facts, "value_tiers")
    return int((out["alerts"].fillna("") != "").sum())


def _textbook(facts: Any) -> float:
    return 0.8


EXERCISES = [
    Exercise(
        "key_top20_revenue", LESSON,
        {"en": "What share of revenue do the top 20% of buyers bring (0..1)?",
         "ru": "Какую долю выручки приносят 20 % самых крупных покупателей (от 0 до 1)?"},
        "share", ("facts",), _top20_revenue,
        {"en": "The line under the Pareto curve says what share of revenue the top 20% bring: "
               "write it as a share (78% is 0.78).",
         "ru": "Строка под кривой Парето говорит, какую долю выручки приносят 20 % самых "
               "крупных: запишите её долей (78 % — это 0,78)."},
        tolerance=0.01,
        code="answer = curve.loc[curve['customer_share'] >= 0.2 - 1e-12, 'revenue_share'].iloc[0]",
        route='lessons.say("lessons.l04_pareto"', route_kind="printed",
        mistakes=(Mistake("textbook", _textbook),),
    ),
    Exercise(
        "key_gold_half", LESSON,
        {"en": "If gold covers 50% of revenue instead of 80%, how many gold customers are there?",
         "ru": "Сколько будет золотых клиентов, если золото покрывает 50 % выручки, а не 80 %?"},
        "count", ("facts",), _gold_half,
        {"en": "The table above the exercise counts gold customers for several coverages "
               "(gold_share): read the row 0.5.",
         "ru": "Таблица над упражнением считает золотых клиентов при разном покрытии "
               "(gold_share): прочитайте строку 0,5."},
        code="gold = frameworks.classify(facts, 'value_tiers', params={'gold_share': 0.5})"
             ".to_pandas()\nanswer = int((gold['class'] == 'gold').sum())",
        route='exercises.sweep(facts, "value_tiers", "gold_share"', route_kind="table",
        mistakes=(Mistake("default", _gold_default),),
    ),
    Exercise(
        "key_gold_alerts", LESSON,
        {"en": "How many gold customers have at least one account-care alert?",
         "ru": "У скольких золотых клиентов есть хотя бы один сигнал по ведению?"},
        "count", ("facts",), _gold_alerts,
        {"en": "The table of alerts per tier (above the exercise): read the row 'Gold', column "
               "'with at least one alert'.",
         "ru": "Таблица сигналов по уровням (над упражнением): строка «золотой», столбец «хотя "
               "бы с одним сигналом»."},
        code="answer = int(((tiers['class'] == 'gold') & (tiers['alerts'].fillna('') != ''))"
             ".sum())",
        route="l04.alerts_by_class(tiers, lang)", route_kind="table",
        mistakes=(Mistake("all_classes", _all_alerts),),
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
        model={
            "en": "The top fifth of buyers brings most of the revenue and the largest customer "
                  "alone holds the share printed above, so losing it would cost that much of a "
                  "year's revenue. Each manager gets a book of about the same revenue, not the "
                  "same number of accounts. The silver customers closest to gold get a quarterly "
                  "review and a bundle offer to spread the revenue. Gold stays covered: a "
                  "positive contact every ten days and an up-to-date dossier.",
            "ru": "Пятая часть покупателей приносит большую часть выручки, а у самого крупного "
                  "клиента доля, напечатанная выше, — столько выручки за год мы потеряем вместе "
                  "с ним. Каждому менеджеру — портфель примерно одинаковой выручки, а не "
                  "одинакового числа клиентов. Серебряным клиентам, ближе всего к золоту, — "
                  "ежеквартальная встреча и комплексное предложение, чтобы распределить выручку. "
                  "Золото не бросаем: позитивный контакт раз в десять дней и актуальное досье.",
        },
    ),
]  # fmt: skip
