"""Lesson 06 (RFM): exercises, the lesson's tables and the function behind its widget.

Examples
--------
>>> import pandas as pd
>>> buyers = pd.DataFrame({"R": [5, 1], "F": [2, 1], "M": [3, 1], "recency": [3.0, 400.0],
...                        "frequency": [4, 1], "monetary": [50.0, 9.0]})
>>> score_ranges(buyers, bins=5, lang="ru").index.name
'оценка'
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from clientlib import messages
from clientlib.exercises import Exercise, Mistake, class_choices
from clientlib.exercises._common import ibis_table
from clientlib.exercises.l05_qualification_buyers_awareness import _n, _t

__all__ = [
    "EXERCISES",
    "by_score",
    "example_customers",
    "map_crosstab",
    "say_at_risk",
    "say_bins_change",
    "say_champions",
    "say_missing_scores",
    "score_ranges",
    "score_crosstab",
    "shares_by_bins",
    "spend_per_customer",
]

LESSON = "06_rfm"

#: What the trainer's solution script computes first (the lesson's own variables).
SETUP = """
import warnings

warnings.simplefilter("ignore")  # repeated cut points are expected with 4 bins
scored = frameworks.classify(facts, "rfm", lang=lang).to_pandas()
"""


def _x(key: str, lang: str, **fields: Any) -> str:
    return messages.text(f"exercises.{key}", lang, **fields)


def by_score(scored: pd.DataFrame, score: str = "R", lang: str = "en") -> pd.DataFrame:
    """Buyers, share of customers and share of revenue per value of one score (R, F or M).

    Examples
    --------
    >>> s = pd.DataFrame({"R": [5, 5, 1, None], "monetary": [30.0, 10.0, 60.0, 0.0]})
    >>> by_score(s, "R")["share of revenue"].tolist()
    [0.6, 0.4]
    """
    part = scored[scored[score].notna()]
    g = part.groupby(part[score].astype(int))
    total = float(part["monetary"].sum())
    out = pd.DataFrame({
        _x("col_customers", lang): g.size(),
        _x("col_customer_share", lang): (g.size() / len(part)).round(3),
        _x("col_revenue_share", lang): (g["monetary"].sum() / total).round(3) if total else 0.0,
    })  # fmt: skip
    out.index.name = score
    return out


def spend_per_customer(scored: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Customers and revenue per customer of each RFM segment, highest first."""
    g = scored.groupby("label", sort=True)
    out = pd.DataFrame({
        _x("col_customers", lang): g.size(),
        _x("col_revenue_per_customer", lang): (g["monetary"].sum() / g.size()).round(1),
    })  # fmt: skip
    out = out.sort_values(_x("col_revenue_per_customer", lang), ascending=False, kind="stable")
    out.index.name = _x("col_class", lang)
    return out


def score_crosstab(scored: pd.DataFrame, score: str = "M", lang: str = "en") -> pd.DataFrame:
    """Buyers per RFM segment (rows) and value of one score (columns)."""
    part = scored[scored[score].notna()]
    out = pd.crosstab(part["label"], part[score].astype(int))
    out.index.name = _x("col_class", lang)
    out.columns.name = score
    return out
_DIMS = (("R", "recency"), ("F", "frequency"), ("M", "monetary"))


def _range(values: pd.Series, lang: str, digits: int) -> str:
    if values.empty:
        return "–"
    lo, hi = values.min(), values.max()
    if lo == hi:
        return _n(lo, lang, digits)
    return f"{_n(lo, lang, digits)} – {_n(hi, lang, digits)}"


def score_ranges(buyers: pd.DataFrame, bins: int = 5, lang: str = "en") -> pd.DataFrame:
    """For each score (highest first), the range of days, orders and spend it covers.

    ``buyers`` is the RFM output of the customers with scores (columns ``R, F, M, recency,
    frequency, monetary``); a score no customer got shows "–".

    Examples
    --------
    >>> df = pd.DataFrame({"R": [2, 1, 2], "F": [1, 1, 2], "M": [1, 2, 2],
    ...                    "recency": [5.0, 90.0, 9.0], "frequency": [1, 1, 3],
    ...                    "monetary": [5.0, 20.0, 30.0]})
    >>> score_ranges(df, bins=2).iloc[0].tolist()
    ['5 – 9', '3', '20.00 – 30.00']
    """
    rows = {}
    for s in range(bins, 0, -1):
        rows[s] = {
            _t(f"col_{dim}", lang): _range(
                buyers.loc[buyers[score] == s, dim], lang, 2 if dim == "monetary" else 0
            )
            for score, dim in _DIMS
        }
    out = pd.DataFrame(rows).T
    out.index.name = _t("col_score", lang)
    return out


def example_customers(
    scored: pd.DataFrame, classes: Sequence[str] = ("champions", "at_risk", "potential_loyalist",
                                                    "lost"), lang: str = "en",
) -> pd.DataFrame:  # fmt: skip
    """One customer of each of ``classes`` (the first by id): scores, numbers, segment, action.

    Examples
    --------
    >>> df = pd.DataFrame({"customer_id": ["b", "a"], "class": ["lost", "lost"],
    ...                    "label": ["Lost", "Lost"], "action": ["Let go", "Let go"],
    ...                    "R": [1, 1], "F": [1, 2], "M": [2, 1], "recency": [400.0, 500.0],
    ...                    "frequency": [1, 2], "monetary": [9.0, 5.0]})
    >>> example_customers(df, ["lost"]).iloc[0, 0]
    '1-2-1'
    """
    rows = []
    for cls in classes:
        part = scored[(scored["class"] == cls) & scored["R"].notna()].sort_values("customer_id")
        if part.empty:
            continue
        r = part.iloc[0]
        rows.append({
            _t("col_customer", lang): r["customer_id"],
            _t("col_scores", lang): f"{int(r['R'])}-{int(r['F'])}-{int(r['M'])}",
            _t("col_recency", lang): _n(r["recency"], lang),
            _t("col_frequency", lang): _n(r["frequency"], lang),
            _t("col_monetary", lang): _n(r["monetary"], lang, 2),
            _t("col_label", lang): r["label"],
            _t("col_action", lang): r["action"],
        })  # fmt: skip
    return pd.DataFrame(rows).set_index(_t("col_customer", lang))


def say_missing_scores(buyers: pd.DataFrame, bins: int = 5, lang: str = "en") -> list[str]:
    """Print which scores no customer got (ties in the data); return them as ``"F=2"`` strings."""
    missing = [
        f"{score}={s}"
        for score, _ in _DIMS
        for s in range(1, bins + 1)
        if not (buyers[score] == s).any()
    ]
    if missing:
        print(_t("l06_missing_scores", lang, scores=", ".join(missing)))
    else:
        print(_t("l06_all_scores", lang, bins=bins))
    return missing


def _summary(scored: pd.DataFrame) -> pd.DataFrame:
    g = scored.groupby(["class", "label"], sort=True).agg(
        customers=("customer_id", "size"), revenue=("monetary", "sum"),
        recency=("recency", "median"),
    )  # fmt: skip
    return g.reset_index().set_index("class")


def say_champions(scored: pd.DataFrame, lang: str = "en") -> None:
    """Print the champions' share of customers and of revenue."""
    g = _summary(scored)
    label = _label(scored, "champions", lang)
    if "champions" not in g.index:
        print(_t("l06_class_absent", lang, label=label))
        return
    row = g.loc["champions"]
    print(_t("l06_champions", lang, label=row["label"], n=_n(row["customers"], lang),
             customer_share=messages.percent(row["customers"] / g["customers"].sum(), lang),
             revenue_share=messages.percent(row["revenue"] / g["revenue"].sum(),
                                            lang)))  # fmt: skip


def say_at_risk(scored: pd.DataFrame, lang: str = "en") -> None:
    """Print how many customers are at risk, what they spent and how long ago they bought."""
    g = _summary(scored)
    if "at_risk" not in g.index:
        print(_t("l06_class_absent", lang, label=_label(scored, "at_risk", lang)))
        return
    row = g.loc["at_risk"]
    print(_t("l06_at_risk", lang, label=row["label"], n=_n(row["customers"], lang),
             revenue=_n(row["revenue"], lang),
             per_customer=_n(row["revenue"] / row["customers"], lang),
             days=_n(row["recency"], lang)))  # fmt: skip


def _label(scored: pd.DataFrame, cls: str, lang: str) -> str:
    hit = scored.loc[scored["class"] == cls, "label"]
    if len(hit):
        return str(hit.iloc[0])
    from clientlib import frameworks

    rows = {r["id"]: r["label"] for r in frameworks.load("rfm").describe(lang)}
    return rows.get(cls, cls)


def shares_by_bins(facts: Any, bins: Sequence[int] = (3, 4, 5, 6, 7), lang: str = "en"
                   ) -> pd.DataFrame:  # fmt: skip
    """Share of customers per RFM segment for several numbers of scores, side by side.

    Built on :func:`clientlib.lessons.rfm_shares` (the function behind the lesson's slider).

    Examples
    --------
    >>> from clientlib.lessons import load_facts_example
    >>> t = shares_by_bins(load_facts_example(), (3, 5))
    >>> t.columns.tolist(), bool(abs(t[3].sum() - 1) < 0.02)
    ([3, 5], True)
    """
    from clientlib.lessons import rfm_shares

    cols = {}
    for b in bins:
        counts = rfm_shares(facts, int(b), lang=lang).iloc[:, 0]  # customers per segment
        cols[int(b)] = counts / counts.sum()
    out = pd.DataFrame(cols).fillna(0.0)
    out = out.sort_values(out.columns[len(out.columns) // 2], ascending=False, kind="stable")
    out.columns.name = _t("col_bins", lang)
    out.index.name = _t("col_label", lang)
    return out


def say_bins_change(table: pd.DataFrame, lang: str = "en") -> None:
    """Print the segment whose share changes most between the first and last column of
    :func:`shares_by_bins`.
    """
    lo, hi = table.columns[0], table.columns[-1]
    diff = (table[hi] - table[lo]).abs()
    label = diff.idxmax()
    print(_t("l06_bins_change", lang, lo=lo, hi=hi, label=label,
             share_lo=messages.percent(table.loc[label, lo], lang, 0),
             share_hi=messages.percent(table.loc[label, hi], lang, 0)))  # fmt: skip


def map_crosstab(full: pd.DataFrame, simple: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Customers per segment of the full R map (rows) and of the simple map (columns)."""
    both = full[["customer_id", "label"]].merge(
        simple[["customer_id", "label"]], on="customer_id", suffixes=("_full", "_simple")
    )
    return pd.crosstab(both["label_full"].rename(_t("col_map_full", lang)),
                       both["label_simple"].rename(_t("col_map_simple", lang)))  # fmt: skip


# ---------------------------------------------------------------------------------------------
# exercises
# ---------------------------------------------------------------------------------------------


def _rfm_scored(facts: Any, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    from clientlib import frameworks

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return frameworks.classify(ibis_table(facts), "rfm", params=params).to_pandas()


def _rfm_r5_revenue(facts: Any) -> float:
    scored = _rfm_scored(facts)
    return float(scored.loc[scored["R"] == 5, "monetary"].sum() / scored["monetary"].sum())


def _rfm_bins4_champions(facts: Any) -> int:
    scored = _rfm_scored(facts, {"scoring": {"bins": 4}})
    return int((scored["class"] == "champions").sum())


def _rfm_top_spend(facts: Any) -> set[str]:
    g = _summary(_rfm_scored(facts))
    per = (g["revenue"] / g["customers"]).dropna()
    return set(per[per == per.max()].index)


def _rfm_at_risk_m5(facts: Any) -> int:
    scored = _rfm_scored(facts)
    return int(((scored["class"] == "at_risk") & (scored["M"] == 5)).sum())


def _customer_share_r5(facts: Any) -> float:
    scored = _rfm_scored(facts)
    buyers = scored[scored["R"].notna()]
    return float((buyers["R"] == 5).mean())


def _champions_default(facts: Any) -> int:
    return int((_rfm_scored(facts)["class"] == "champions").sum())


def _m5_all(facts: Any) -> int:
    return int((_rfm_scored(facts)["M"] == 5).sum())


EXERCISES = [
    Exercise(
        "rfm_r5_revenue", LESSON,
        {"en": "What share of revenue comes from customers with the best recency score (R = 5)?",
         "ru": "Какая доля выручки приходится на клиентов с лучшей оценкой давности (R = 5)?"},
        "share", ("facts",), _rfm_r5_revenue,
        {"en": "The table by recency score above the exercise: read the share of revenue on the "
               "row R = 5 (as a share: 76% is 0.76).",
         "ru": "Таблица по оценке давности над упражнением: прочитайте долю выручки в строке "
               "R = 5 (долей: 76 % — это 0,76)."},
        tolerance=0.005,
        code="answer = scored.loc[scored['R'] == 5, 'monetary'].sum() / scored['monetary'].sum()",
        route='l06.by_score(scored, "R"', route_kind="table",
        mistakes=(Mistake("customer_share", _customer_share_r5),),
    ),
    Exercise(
        "rfm_bins4_champions", LESSON,
        {"en": "Score R, F and M from 1 to 4 instead of 1 to 5: how many Champions now?",
         "ru": "Оценки R, F и M от 1 до 4 вместо 1–5: сколько теперь Чемпионов?"},
        "count", ("facts",), _rfm_bins4_champions,
        {"en": "Set the slider of the number of scores (bins) to 4 and read the number of "
               "customers on the row 'Champions'.",
         "ru": "Поставьте ползунок числа оценок (bins) на 4 и прочитайте число клиентов в "
               "строке «чемпионы»."},
        code="four = frameworks.classify(facts, 'rfm', params={'scoring': {'bins': 4}})"
             ".to_pandas()\nanswer = int((four['class'] == 'champions').sum())",
        route="lessons.explore(lessons.rfm_shares", route_kind="widget",
        mistakes=(Mistake("default", _champions_default),),
    ),
    Exercise(
        "rfm_top_spend", LESSON,
        {"en": "Which RFM segment has the highest spend per customer?",
         "ru": "У какого сегмента RFM самая высокая выручка на клиента?"},
        "label", ("facts",), _rfm_top_spend,
        {"en": "The table of revenue per customer above the exercise is sorted: write the name "
               "of its first segment (without purchases it is not a segment of buyers).",
         "ru": "Таблица выручки на клиента над упражнением отсортирована: напишите название "
               "первого сегмента."},
        choices=class_choices("rfm"),
        code="per = scored.groupby('class')['monetary'].sum() / scored.groupby('class').size()\n"
             "answer = per.idxmax()",
        route="l06.spend_per_customer(scored", route_kind="table",
        mistakes=(Mistake("other_framework"),),
    ),
    Exercise(
        "rfm_at_risk_m5", LESSON,
        {"en": "How many customers At Risk have a monetary score of 5?",
         "ru": "Сколько клиентов в зоне риска имеют денежную оценку M = 5?"},
        "count", ("facts",), _rfm_at_risk_m5,
        {"en": "The table of segments by monetary score above the exercise: read the cell of "
               "the row 'At Risk' and the column 5.",
         "ru": "Таблица сегментов по денежной оценке над упражнением: клетка строки «в зоне "
               "риска» и столбца 5."},
        code="answer = int(((scored['class'] == 'at_risk') & (scored['M'] == 5)).sum())",
        route='l06.score_crosstab(scored, "M"', route_kind="table",
        mistakes=(Mistake("all_classes", _m5_all),),
    ),
    Exercise(
        "rfm_budget_plan", LESSON,
        {"en": "With a personal contact for 300 customers this month, which segments, how many "
               "from each, and why?",
         "ru": "Личный контакт с 300 клиентами в этом месяце: какие сегменты, сколько из каждого "
               "и почему?"},
        "open", (), None,
        {"en": "Start from the segment table: revenue per customer, and how long ago each "
               "segment last bought.",
         "ru": "Начните с таблицы сегментов: выручка на клиента и давность последней покупки "
               "в каждом сегменте."},
        points={
            "en": ["the plan adds up to about 300 customers and names the segments with their "
                   "numbers from the tables",
                   "it weighs value (revenue per customer, M) against the chance of a response "
                   "(recency, R): At Risk and Can't Lose Them before Lost",
                   "champions get something cheap (thanks, early access), not the costly "
                   "personal contact, or the answer says why they do",
                   "it says how the effect will be measured (e.g. the share who buy again within "
                   "a month, against a held-out group)"],
            "ru": ["план складывается примерно в 300 клиентов и называет сегменты с цифрами из "
                   "таблиц",
                   "ценность (выручка на клиента, M) взвешена против шанса на отклик "
                   "(давность, R): "
                   "«В зоне риска» и «Нельзя потерять» раньше «Потерянных»",
                   "чемпионам — что-то недорогое (благодарность, ранний доступ), а не дорогой "
                   "личный контакт, или объяснено, почему иначе",
                   "сказано, как измерить эффект (например, доля повторных покупок за месяц "
                   "против контрольной группы)"],
        },
        min_words=25,
        model={
            "en": "Most of the 300 contacts go to At Risk: the 200 biggest spenders among them, "
                  "M = 5 first, because they were worth a lot and left recently enough to answer. "
                  "Can't Lose Them come next if the table shows any. The rest go to Need "
                  "Attention with a limited-time offer. Champions get an e-mail thank-you and "
                  "early access, not a call. A random tenth of each group is not contacted, and "
                  "after a month we compare the share who bought again.",
            "ru": "Большая часть из 300 контактов — сегменту «в зоне риска»: 200 самых крупных "
                  "из них, сначала M = 5, потому что они приносили много и ушли недавно, так что "
                  "ещё могут откликнуться. Следом — «нельзя потерять», если они есть в таблице. "
                  "Остальные — «требуют внимания», с предложением на ограниченный срок. "
                  "Чемпионам — письмо с благодарностью и ранний доступ, а не звонок. Случайной "
                  "десятой части каждой группы не звоним и через месяц сравниваем долю "
                  "повторных покупок.",
        },
    ),
]  # fmt: skip
