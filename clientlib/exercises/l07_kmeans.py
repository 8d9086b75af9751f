"""Lesson 07 (k-means): exercises and the lesson's tables in the lesson's language.

Examples
--------
>>> import pandas as pd
>>> buyers = pd.DataFrame({"recency_days": [1, 10, 300], "orders": [5, 2, 1],
...                        "total_spend": [100.0, 20.0, 5.0]})
>>> feature_summary(buyers, lang="ru").index.tolist()
['дней с последней покупки', 'заказов', 'сумма покупок']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from clientlib import messages
from clientlib.exercises import Exercise, Mistake
from clientlib.exercises.l05_qualification_buyers_awareness import _n, _t, persona_names

__all__ = [
    "EXERCISES",
    "cluster_table",
    "feature_name",
    "feature_summary",
    "k_table",
    "persona_crosstab",
    "say_clusters",
    "say_k",
    "say_scaling",
    "say_skew",
    "sizes_by_k",
]

LESSON = "07_kmeans"

#: What the trainer's solution script computes first (the lesson's own variables).
SETUP = """
from clientlib.clusters import RFM_FEATURES, CustomerClusters, choose_k, name_clusters

buyers = facts_df[facts_df["orders"] > 0].reset_index(drop=True)
model = CustomerClusters(n_clusters=4, random_state=0).fit(buyers)
names = name_clusters(model.profiles_, list(RFM_FEATURES), lang=lang)
"""


def sizes_by_k(buyers: pd.DataFrame, ks: Any = range(2, 7), random_state: int = 0,
               lang: str = "en") -> pd.DataFrame:  # fmt: skip
    """The size of the largest cluster for each k (k-means on the lesson's three features).

    Examples
    --------
    >>> b = pd.DataFrame({"recency_days": [1, 2, 300, 310, 600], "orders": [5, 6, 1, 1, 1],
    ...                   "total_spend": [100.0, 120.0, 5.0, 6.0, 4.0]})
    >>> sizes_by_k(b, [2], lang="ru").columns.tolist()
    ['клиентов в самом большом кластере']
    """
    from clientlib.clusters import CustomerClusters

    rows = {}
    for k in ks:
        model = CustomerClusters(n_clusters=int(k), random_state=random_state).fit(buyers)
        rows[int(k)] = int(np.bincount(model.labels_).max())
    out = pd.DataFrame({messages.text("exercises.col_largest_cluster", lang): pd.Series(rows)})
    out.index.name = "k"
    return out
_FEATURES = ("recency_days", "orders", "total_spend")


def feature_name(feature: str, lang: str = "en") -> str:
    """A customer fact's readable name in ``lang`` (the column id when the catalog has none).

    Examples
    --------
    >>> feature_name("total_spend", "ru"), feature_name("referrals", "ru")
    ('сумма покупок', 'referrals')
    """
    try:
        return _t(f"feat_{feature}", lang)
    except KeyError:
        return feature


def feature_summary(buyers: pd.DataFrame, features=_FEATURES, lang: str = "en") -> pd.DataFrame:
    """Median, mean, maximum and maximum ÷ median of each feature, one row per feature."""
    rows = {}
    for f in features:
        s = buyers[f].astype(float)
        med = float(s.median())
        rows[feature_name(f, lang)] = {
            _t("col_median", lang): round(med, 1),
            _t("col_mean", lang): round(float(s.mean()), 1),
            _t("col_max", lang): round(float(s.max()), 1),
            _t("col_max_over_median", lang): round(float(s.max()) / med, 1) if med else np.nan,
        }
    out = pd.DataFrame(rows).T
    out.index.name = _t("col_feature", lang)
    return out


def say_skew(buyers: pd.DataFrame, lang: str = "en") -> None:
    """Print how many times the median buyer's spend the biggest spender spent."""
    s = buyers["total_spend"].astype(float)
    med, top = float(s.median()), float(s.max())
    if med <= 0:
        return
    # one decimal: Russian says "в 4,4 раза" for every fraction
    print(_t("l07_skew", lang, ratio=_n(top / med, lang, 1), max=_n(top, lang),
             median=_n(med, lang)))  # fmt: skip


def say_scaling(buyers: pd.DataFrame, k: int = 4, random_state: int = 0, lang: str = "en") -> None:
    """Print the cluster sizes of k-means fitted without and with the logarithm (both scaled).

    Without ``log1p`` a few very large spenders pull one centre to themselves and the other
    customers crowd into the remaining clusters; the sizes show it.
    """
    from clientlib.clusters import CustomerClusters

    sizes = {}
    for log in (False, True):
        model = CustomerClusters(n_clusters=k, random_state=random_state, log=log).fit(buyers)
        sizes[log] = " · ".join(_n(v, lang) for v in np.bincount(model.labels_, minlength=k))
    print(_t("l07_scaling", lang, raw=sizes[False], logged=sizes[True]))


_K_COLUMNS = {"inertia": "col_inertia", "silhouette": "col_silhouette",
              "calinski_harabasz": "col_calinski", "davies_bouldin": "col_davies",
              "stability": "col_stability"}  # fmt: skip


def k_table(kchoice: Any, lang: str = "en") -> pd.DataFrame:
    """The table of :func:`clientlib.clusters.choose_k` with headers in ``lang``, rounded."""
    table = kchoice.table[[c for c in _K_COLUMNS if c in kchoice.table.columns]].round(3)
    return table.rename(columns={c: _t(k, lang) for c, k in _K_COLUMNS.items()})


def _stable(kchoice: Any, threshold: float = 0.8) -> list[int]:
    st = kchoice.table["stability"]
    return [int(k) for k in st.index[st >= threshold]]


def say_k(kchoice: Any, lang: str = "en") -> None:
    """Print the recommended k and why (:meth:`KChoice.sentence`), the stable k and the elbow."""
    stable = _stable(kchoice)
    print(_t("l07_k", lang, why=kchoice.sentence(lang),
             stable=", ".join(map(str, stable)) or _t("l07_no_stable", lang),
             elbow=int(kchoice.elbow_k)))  # fmt: skip


def cluster_table(
    model: Any, buyers: pd.DataFrame, names: Mapping[int, str], lang: str = "en"
) -> pd.DataFrame:
    """One row per cluster: name, customers, shares of buyers and revenue, medians."""
    labels = pd.Series(model.labels_, index=buyers.index)
    g = buyers.groupby(labels)
    spend = buyers["total_spend"].astype(float)
    out = pd.DataFrame({
        _t("col_name", lang): pd.Series(dict(names)),
        _t("col_customers", lang): g.size(),
        _t("col_customer_share", lang): (g.size() / len(buyers)).round(3),
        _t("col_revenue_share", lang): (g["total_spend"].sum() / spend.sum()).round(3),
        _t("col_median_recency", lang): g["recency_days"].median().round(0),
        _t("col_median_orders", lang): g["orders"].median().round(1),
        _t("col_median_spend", lang): g["total_spend"].median().round(1),
    })  # fmt: skip
    out.index.name = _t("col_cluster", lang)
    return out


def say_clusters(
    model: Any, buyers: pd.DataFrame, names: Mapping[int, str], lang: str = "en"
) -> None:
    """Print the smallest cluster's size and revenue share, and the largest's."""
    labels = np.asarray(model.labels_)
    sizes = np.bincount(labels)
    spend = buyers["total_spend"].astype(float).to_numpy()
    rev = np.bincount(labels, weights=spend) / spend.sum()
    small, big = int(np.argmin(sizes)), int(np.argmax(sizes))
    print(_t("l07_clusters", lang, name=names[small], n=_n(sizes[small], lang),
             share=messages.percent(sizes[small] / len(labels), lang),
             revenue_share=messages.percent(rev[small], lang), big=names[big],
             big_revenue_share=messages.percent(rev[big], lang)))  # fmt: skip


def persona_crosstab(
    model: Any, buyers: pd.DataFrame, names: Mapping[int, str], lang: str = "en"
) -> pd.DataFrame | None:
    """Buyers per hidden persona (rows) and cluster name (columns), or ``None`` without personas."""
    if "persona" not in buyers.columns:
        print(_t("no_persona", lang))
        return None
    clusters = pd.Series(model.labels_, index=buyers.index).map(dict(names))
    return pd.crosstab(persona_names(buyers["persona"], lang).rename(_t("col_persona", lang)),
                       clusters.rename(_t("col_cluster", lang)))  # fmt: skip


# ---------------------------------------------------------------------------------------------
# exercises
# ---------------------------------------------------------------------------------------------


def _kmeans_k3_largest(buyers: pd.DataFrame) -> int:
    from clientlib.clusters import CustomerClusters

    model = CustomerClusters(n_clusters=3, random_state=0).fit(buyers)
    return int(np.bincount(model.labels_).max())


def _kmeans_four_features(buyers: pd.DataFrame) -> set[int]:
    from clientlib.clusters import RFM_FEATURES, choose_k

    kc = choose_k(
        buyers, range(2, 7), features=[*RFM_FEATURES, "avg_spend"], random_state=0, n_seeds=2
    )
    sil = kc.table["silhouette"]
    return {int(k) for k in sil[sil == sil.max()].index}


def _kmeans_top_spend_cluster(buyers: pd.DataFrame) -> set[str]:
    """The cluster (k = 4, random_state 0) with the highest median spend: its number as text
    and its name in every language (a tie accepts each).
    """
    from clientlib.clusters import CustomerClusters, name_clusters

    model = CustomerClusters(n_clusters=4, random_state=0).fit(buyers)
    med = buyers["total_spend"].groupby(model.labels_).median()
    best = [int(c) for c in med.index[med == med.max()]]
    out = {str(c) for c in best}
    for lang in messages.LANGS:
        names = name_clusters(model.profiles_, list(model.feature_names_in_), lang=lang)
        out |= {names[c] for c in best}
    return out


def _k4_largest(buyers: pd.DataFrame) -> int:
    from clientlib.clusters import CustomerClusters

    model = CustomerClusters(n_clusters=4, random_state=0).fit(buyers)
    return int(np.bincount(model.labels_).max())


def _three_features_best_k(buyers: pd.DataFrame) -> set[int]:
    from clientlib.clusters import choose_k

    sil = choose_k(buyers, range(2, 7), random_state=0, n_seeds=2).table["silhouette"]
    return {int(k) for k in sil[sil == sil.max()].index}


EXERCISES = [
    Exercise(
        "kmeans_k3_largest", LESSON,
        {"en": "Fit k-means with k=3 (random_state=0): how many customers are in the largest "
               "cluster?",
         "ru": "k-means с k=3 (random_state=0): сколько клиентов в самом большом кластере?"},
        "count", ("buyers",), _kmeans_k3_largest,
        {"en": "The table of the largest cluster per k (above the exercise): read the row k = 3.",
         "ru": "Таблица самого большого кластера при каждом k (над упражнением): прочитайте "
               "строку k = 3."},
        code="answer = int(np.bincount(CustomerClusters(n_clusters=3, random_state=0)"
             ".fit(buyers).labels_).max())",
        route="l07.sizes_by_k(buyers", route_kind="table",
        mistakes=(Mistake("default", _k4_largest),),
    ),
    Exercise(
        "kmeans_top_spend_cluster", LESSON,
        {"en": "In the k = 4 model, which cluster has the highest median total spend?",
         "ru": "В модели с k = 4 у какого кластера самая высокая медиана суммы покупок?"},
        "label", ("buyers",), _kmeans_top_spend_cluster,
        {"en": "In the table of the four clusters, find the largest median spend and write that "
               "cluster's name (or its number).",
         "ru": "В таблице четырёх кластеров найдите наибольшую медиану суммы покупок и напишите "
               "название этого кластера (или его номер)."},
        code="med = buyers['total_spend'].groupby(model.labels_).median()\n"
             "answer = names[int(med.idxmax())]",
        route="l07.cluster_table(model, buyers, names", route_kind="table",
    ),
    Exercise(
        "kmeans_four_features", LESSON,
        {"en": "Add avg_spend as a fourth feature: which k in 2..6 has the highest silhouette?",
         "ru": "Добавьте avg_spend четвёртым признаком: у какого k от 2 до 6 самый высокий "
               "силуэт?"},
        "number", ("buyers",), _kmeans_four_features,
        {"en": "The k table with four features (above the exercise): write the k with the "
               "highest silhouette.",
         "ru": "Таблица k с четырьмя признаками (над упражнением): напишите k с самым высоким "
               "силуэтом."},
        code="kc4 = choose_k(buyers, range(2, 7), features=[*RFM_FEATURES, 'avg_spend'], "
             "random_state=0, n_seeds=2)\nanswer = int(kc4.table['silhouette'].idxmax())",
        route='features=[*RFM_FEATURES, "avg_spend"]', route_kind="table",
        mistakes=(Mistake("default", _three_features_best_k),),
    ),
    Exercise(
        "kmeans_your_k", LESSON,
        {"en": "Which k would you hand to the marketing team for this shop, and why?",
         "ru": "Какое k вы передали бы маркетингу этого магазина и почему?"},
        "open", (), None,
        {"en": "Read the k table: silhouette, stability, and the size of the smallest cluster "
               "for each k.",
         "ru": "Прочтите таблицу k: силуэт, устойчивость и размер самого маленького кластера "
               "при каждом k."},
        points={
            "en": ["the k is stable (stability ≥ 0.8 in the table) or the answer says why a less "
                   "stable k is still acceptable",
                   "it does not take the best silhouette blindly: k = 2 is weighed against what "
                   "the business can act on",
                   "the smallest cluster is big enough for its own campaign, with its size "
                   "quoted",
                   "each cluster gets a name and an action the team would understand"],
            "ru": ["k устойчиво (устойчивость ≥ 0,8 в таблице), или объяснено, почему менее "
                   "устойчивое k всё же приемлемо",
                   "лучший силуэт не взят вслепую: k = 2 сопоставлено с тем, с чем бизнес может "
                   "работать",
                   "самый маленький кластер достаточно велик для своей кампании, его размер "
                   "назван",
                   "у каждого кластера есть понятное команде название и действие"],
        },
        min_words=25,
        model={
            "en": "I would hand over k = 4. It is stable in the k table, and its silhouette is "
                  "only a little below k = 2, which would merely split recent from lapsed buyers. "
                  "The smallest of the four clusters still holds enough buyers for a campaign of "
                  "its own (its size is in the cluster table). Each cluster gets a name and an "
                  "action: the frequent big spenders a thank-you, the recent one-off buyers a "
                  "second-purchase offer, the lapsed ones a win-back, the small recent ones a "
                  "welcome series.",
            "ru": "Я бы передал k = 4. Это k устойчиво по таблице, а силуэт лишь немного ниже, "
                  "чем при k = 2, которое просто отделило бы недавних покупателей от ушедших. "
                  "Самый маленький из четырёх кластеров всё ещё достаточно велик для своей "
                  "кампании (размер есть в таблице кластеров). У каждого кластера — название и "
                  "действие: частым крупным покупателям — благодарность, недавним разовым — "
                  "предложение второй покупки, ушедшим — возврат, небольшим недавним — "
                  "приветственная серия писем.",
        },
    ),
]  # fmt: skip
