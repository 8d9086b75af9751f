"""Lesson 08 (rules against clusters): exercises and the lesson's tables in its language.

Examples
--------
>>> toy_scores("ru").index.name
'классификация'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from clientlib import messages
from clientlib.exercises import Exercise, Mistake, framework_choices
from clientlib.exercises.l05_qualification_buyers_awareness import _n, _t, persona_names, title

__all__ = [
    "EXERCISES",
    "agreement_with_clusters",
    "matching_table",
    "persona_ami_buyers",
    "persona_recovery",
    "persona_scores",
    "say_matrix",
    "say_split",
    "scores_table",
    "toy_scores",
]

LESSON = "08_rules_vs_clusters"

#: What the trainer's solution script computes first (the lesson's own variables).
SETUP = """
from clientlib.clusters import CustomerClusters
from clientlib.compare import compare

segments, _ = segment.segment(facts, "all", lang=lang)
buyers = facts_df[facts_df["orders"] > 0].reset_index(drop=True)
model = CustomerClusters(n_clusters=4, random_state=0).fit(buyers)
clusters = pd.Series(model.labels_, index=buyers["customer_id"], name="kmeans")


def classes(framework):
    part = segments[segments["framework"] == framework]
    return part.set_index("customer_id")["class"].rename(framework)
"""

#: The lesson's variable for a context keyword, where the names differ.
CONTEXT = {"customers": "facts_df"}
_SHOWN = ("ari", "ami", "cramers_v", "purity")


def _metric(name: str, lang: str) -> str:
    return _t(f"metric_{name}", lang)


def toy_scores(lang: str = "en") -> pd.DataFrame:
    """ARI, AMI, Cramér's V and purity of three small groupings against a rule (a a b b c c).

    Examples
    --------
    >>> toy_scores().iloc[0].tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    from clientlib.compare import compare

    rule = ["a", "a", "b", "b", "c", "c"]
    others = {
        "toy_same": [2, 2, 0, 0, 1, 1],
        "toy_moved": [0, 0, 1, 1, 1, 2],
        "toy_unrelated": [0, 1, 2, 0, 1, 2],
    }
    rows = {}
    for key, labels in others.items():
        ag = compare(rule, labels)
        rows[_t(key, lang)] = {_metric(m, lang): round(float(getattr(ag, m)), 3) for m in _SHOWN}
    out = pd.DataFrame(rows).T
    out.index.name = _t("col_grouping", lang)
    return out


def scores_table(agreement: Any, lang: str = "en") -> pd.DataFrame:
    """Every score of a :class:`clientlib.compare.Agreement`, named in ``lang``, rounded."""
    out = pd.DataFrame({
        _t("col_value", lang): [round(float(v), 3) for v in agreement.scores.values()]
    }, index=[_metric(k, lang) for k in agreement.scores])  # fmt: skip
    out.index.name = _t("col_metric", lang)
    return out


def matching_table(agreement: Any, lang: str = "en") -> pd.DataFrame:
    """The best one-to-one matching of classes to clusters, with its customers."""
    return pd.DataFrame(
        agreement.matching,
        columns=[_t("col_matched_class", lang), _t("col_matched_cluster", lang),
                 _t("col_customers", lang)],
    )  # fmt: skip


def say_split(
    segments: pd.DataFrame, clusters: pd.Series, names: Mapping[int, str], framework: str,
    lang: str = "en", min_share: float = 0.05,
) -> str | None:  # fmt: skip
    """Print the class (of at least ``min_share`` of the buyers) that k-means splits most evenly.

    "Most evenly": the smallest share in its main cluster. The catch-all class of the framework
    (its ``otherwise`` rule) is left out: it is a remainder, not a segment. Returns the class id.
    """
    from clientlib import frameworks

    rest = {r["id"] for r in frameworks.load(framework).describe() if r["rule"] == "otherwise"}
    part = segments[segments["framework"] == framework].set_index("customer_id")
    part = part.reindex(clusters.index).dropna(subset=["class"])
    part = part[~part["class"].isin(rest)]
    ct = pd.crosstab(part["class"], clusters.reindex(part.index))
    sizes = ct.sum(axis=1)
    ct = ct[sizes >= min_share * sizes.sum()]
    if ct.empty:
        return None
    shares = ct.div(ct.sum(axis=1), axis=0)
    cls = shares.max(axis=1).sort_values(kind="stable").index[0]
    top = shares.loc[cls].sort_values(ascending=False, kind="stable")
    label = part.loc[part["class"] == cls, "label"].iloc[0]
    print(_t("l08_split", lang, label=label, n=_n(int(ct.loc[cls].sum()), lang),
             a=names[int(top.index[0])], a_share=messages.percent(top.iloc[0], lang, 0),
             b=names[int(top.index[1])],
             b_share=messages.percent(top.iloc[1], lang, 0)))  # fmt: skip
    return str(cls)


def say_matrix(matrix: pd.DataFrame, kmeans: str = "k-means", lang: str = "en") -> None:
    """Print the labeling closest to k-means in an agreement matrix, and the furthest."""
    col = matrix[kmeans].drop(kmeans)
    col = col.where(col.abs() >= 0.005, 0.0)  # -0.00 is written 0.00
    near, far = col.idxmax(), col.idxmin()
    print(_t("l08_matrix", lang, near=near, near_value=_n(col[near], lang, 2), far=far,
             far_value=_n(col[far], lang, 2)))  # fmt: skip


def _persona_labelings(
    segments: pd.DataFrame, clusters: pd.Series, persona: pd.Series, names: Iterable[str],
    lang: str,
) -> dict[str, pd.Series]:  # fmt: skip
    out = {}
    for name in names:
        part = segments[segments["framework"] == name]
        out[name] = part.set_index("customer_id")["class"].reindex(persona.index)
    km = clusters.reindex(persona.index).astype("object")
    out["kmeans"] = km.where(km.notna(), _t("not_clustered", lang)).astype(str)
    return out


def persona_scores(
    segments: pd.DataFrame, clusters: pd.Series, persona: pd.Series, names: Iterable[str],
    lang: str = "en",
) -> pd.DataFrame:  # fmt: skip
    """AMI and purity of every framework (and k-means) against the hidden persona, best first.

    Every customer counts; for k-means the customers with no purchase form a group of their own.
    """
    from clientlib.compare import compare

    rows = {}
    for name, labels in _persona_labelings(segments, clusters, persona, names, lang).items():
        ag = compare(persona, labels)
        shown = "k-means" if name == "kmeans" else title(name, lang)
        rows[shown] = {_metric("ami", lang): round(float(ag.ami), 3),
                       _metric("purity", lang): round(float(ag.purity), 3)}  # fmt: skip
    out = pd.DataFrame(rows).T.sort_values(_metric("ami", lang), ascending=False, kind="stable")
    out.index.name = _t("col_framework", lang)
    return out


def persona_recovery(
    segments: pd.DataFrame, persona: pd.Series, names: Iterable[str], lang: str = "en"
) -> pd.DataFrame:
    """For each persona: the class of any framework that matches it best.

    "Best": the highest F1 score, the harmonic mean of the share of the persona in the class
    (recall) and the share of the class that is the persona (precision), so that a huge class
    holding every persona does not win. Columns: framework · class, recall, precision.
    """
    persona = persona_names(persona, lang)
    best: dict[str, tuple[float, float, float, str]] = {}
    for name in names:
        part = segments[segments["framework"] == name].set_index("customer_id")
        part = part.reindex(persona.index)
        ct = pd.crosstab(persona, part["label"])
        recall = ct.div(ct.sum(axis=1), axis=0)
        precision = ct.div(ct.sum(axis=0), axis=1)
        f1 = 2 * recall * precision / (recall + precision).where(recall + precision > 0)
        for p in ct.index:
            cls = f1.loc[p].idxmax()
            cand = (float(f1.loc[p, cls]), float(recall.loc[p, cls]),
                    float(precision.loc[p, cls]), f"{title(name, lang)} · {cls}")  # fmt: skip
            if p not in best or cand[0] > best[p][0]:
                best[p] = cand
    out = pd.DataFrame(
        {_t("col_best_class", lang): {p: v[3] for p, v in best.items()},
         _t("col_recall", lang): {p: round(v[1], 3) for p, v in best.items()},
         _t("col_precision", lang): {p: round(v[2], 3) for p, v in best.items()}}
    ).sort_index()  # fmt: skip
    out.index.name = _t("col_persona", lang)
    return out


# ---------------------------------------------------------------------------------------------
# exercises
# ---------------------------------------------------------------------------------------------


def _classes_of(segments: pd.DataFrame, framework: str, clusters: pd.Series) -> tuple:
    cls = segments.loc[segments["framework"] == framework].set_index("customer_id")["class"]
    common = clusters.index.intersection(cls.index)
    return cls.loc[common], clusters.loc[common]


def _compare_lifecycle_kmeans(segments: pd.DataFrame, clusters: pd.Series) -> float:
    from clientlib.compare import compare

    return float(compare(*_classes_of(segments, "lifecycle", clusters)).ari)


def _compare_ladder_cramers(segments: pd.DataFrame, clusters: pd.Series) -> float:
    from clientlib.compare import compare

    return float(compare(*_classes_of(segments, "ladder", clusters)).cramers_v)


def _persona_ami(segments: pd.DataFrame, customers: pd.DataFrame) -> dict[str, float]:
    # buyers only (the lesson's persona table shows all customers); sklearn gives the AMI
    from sklearn.metrics import adjusted_mutual_info_score

    persona = customers.set_index("customer_id")["persona"]
    rfm = segments[segments["framework"] == "rfm"]
    if "orders" in customers.columns:  # the facts: buyers have orders
        persona = persona[customers.set_index("customer_id")["orders"] > 0]
    elif "R" in rfm.columns and len(rfm):  # the customers table: buyers have RFM scores
        persona = persona.loc[persona.index.intersection(rfm.loc[rfm["R"].notna(), "customer_id"])]
    scores = {}
    for name, part in segments.groupby("framework", sort=True):
        cls = part.set_index("customer_id")["class"]
        common = cls.index.intersection(persona.index)
        scores[str(name)] = float(adjusted_mutual_info_score(persona.loc[common], cls.loc[common]))
    return scores


def _compare_best_persona(segments: pd.DataFrame, customers: pd.DataFrame) -> set[str]:
    scores = _persona_ami(segments, customers)
    best = max(scores.values())
    return {k for k, v in scores.items() if math.isclose(v, best, rel_tol=0, abs_tol=1e-12)}


def agreement_with_clusters(
    segments: pd.DataFrame, clusters: pd.Series, names: Iterable[str], lang: str = "en"
) -> pd.DataFrame:
    """ARI, AMI and Cramér's V of every framework against the k-means clusters (buyers only)."""
    from clientlib.compare import compare

    rows = {}
    for name in names:
        part = segments[segments["framework"] == name].set_index("customer_id")["class"]
        common = clusters.index.intersection(part.index)
        if not len(common):
            continue
        ag = compare(part.loc[common], clusters.loc[common])
        rows[title(name, lang)] = {_metric(m, lang): round(float(getattr(ag, m)), 3)
                                   for m in ("ari", "ami", "cramers_v")}  # fmt: skip
    out = pd.DataFrame(rows).T
    out.index.name = messages.text("exercises.col_framework", lang)
    return out


def persona_ami_buyers(segments: pd.DataFrame, customers: pd.DataFrame, lang: str = "en"
                       ) -> pd.DataFrame:  # fmt: skip
    """AMI of every framework with the hidden persona among the buyers only, best first."""
    scores = _persona_ami(segments, customers)
    out = pd.DataFrame({messages.text("exercises.col_ami_buyers", lang): {
        title(k, lang): round(v, 3) for k, v in scores.items()}})  # fmt: skip
    out = out.sort_values(out.columns[0], ascending=False, kind="stable")
    out.index.name = messages.text("exercises.col_framework", lang)
    return out


def _ari_lifecycle_as_ami(segments: pd.DataFrame, clusters: pd.Series) -> float:
    from clientlib.compare import compare

    return float(compare(*_classes_of(segments, "lifecycle", clusters)).ami)


def _ladder_other_metrics(segments: pd.DataFrame, clusters: pd.Series) -> set[float]:
    from clientlib.compare import compare

    ag = compare(*_classes_of(segments, "ladder", clusters))
    return {float(ag.ari), float(ag.ami)}


EXERCISES = [
    Exercise(
        "compare_lifecycle_kmeans", LESSON,
        {"en": "What is the adjusted Rand index between lifecycle classes and the k-means "
               "clusters (buyers only)?",
         "ru": "Чему равен скорректированный индекс Рэнда между классами Дао клиента и "
               "кластерами k-means (только покупатели)?"},
        "number", ("segments", "clusters"), _compare_lifecycle_kmeans,
        {"en": "The table of every classification against the clusters (above the exercise): "
               "read the ARI on the row of the customer lifecycle.",
         "ru": "Таблица всех классификаций против кластеров (над упражнением): прочитайте ARI в "
               "строке «Дао клиента»."},
        tolerance=0.01,
        code="answer = compare(classes('lifecycle').loc[clusters.index], clusters).ari",
        route="l08.agreement_with_clusters(segments, clusters", route_kind="table",
        mistakes=(Mistake("other_metric", _ari_lifecycle_as_ami),),
    ),
    Exercise(
        "compare_ladder_cramers", LESSON,
        {"en": "What is Cramér's V between the loyalty ladder and the k-means clusters (buyers "
               "only)?",
         "ru": "Чему равен V Крамера между лестницей лояльности и кластерами k-means (только "
               "покупатели)?"},
        "number", ("segments", "clusters"), _compare_ladder_cramers,
        {"en": "The same table: read Cramér's V on the row of the loyalty ladder.",
         "ru": "Та же таблица: прочитайте V Крамера в строке «Лестница лояльности»."},
        tolerance=0.01,
        code="answer = compare(classes('ladder').loc[clusters.index], clusters).cramers_v",
        route="l08.agreement_with_clusters(segments, clusters", route_kind="table",
        mistakes=(Mistake("other_metric", _ladder_other_metrics),),
    ),
    Exercise(
        "compare_best_persona", LESSON,
        {"en": "Among the buyers only, which framework agrees best with the hidden persona "
               "(highest AMI)?",
         "ru": "Какая классификация лучше всех совпадает со скрытой персоной среди одних только "
               "покупателей (наибольший AMI)?"},
        "label", ("segments", "customers"), _compare_best_persona,
        {"en": "The table of AMI with the persona among buyers (above the exercise) is sorted: "
               "write the name of its first classification.",
         "ru": "Таблица AMI с персоной среди покупателей (над упражнением) отсортирована: "
               "напишите название первой классификации."},
        choices=framework_choices,
        code="persona = buyers.set_index('customer_id')['persona']\n"
             "ami = {name: compare(persona, classes(name).loc[persona.index]).ami\n"
             "       for name in segments['framework'].unique()}\n"
             "answer = max(ami, key=ami.get)",
        route="l08.persona_ami_buyers(segments", route_kind="table",
    ),
    Exercise(
        "compare_split_or_keep", LESSON,
        {"en": "Pick a rule class that k-means spreads over several clusters: split it or keep "
               "it, and why?",
         "ru": "Выберите класс правил, который k-means разносит по нескольким кластерам: "
               "разделить его или оставить и почему?"},
        "open", (), None,
        {"en": "The heatmap of RFM against the clusters and the line under it show where each "
               "class went; the cluster profiles say how the halves differ.",
         "ru": "Тепловая карта RFM против кластеров и строка под ней показывают, куда попал "
               "каждый класс; профили кластеров говорят, чем различаются половины."},
        points={
            "en": ["it names the class and quotes its split across clusters (shares or counts)",
                   "it reads the clusters' profiles: what differs between the two halves "
                   "(recency, frequency or spend)",
                   "the decision follows from the action: split only if the halves need "
                   "different actions, and it names them",
                   "it proposes a check before changing the rule (a test group, the next "
                   "month's data)"],
            "ru": ["назван класс и приведено его распределение по кластерам (доли или числа)",
                   "прочитаны профили кластеров: чем различаются половины (давность, частота "
                   "или сумма)",
                   "решение следует из действия: делить, только если половинам нужны разные "
                   "действия, и они названы",
                   "предложена проверка до изменения правила (тестовая группа, данные "
                   "следующего месяца)"],
        },
        min_words=25,
        model={
            "en": "The ladder's regular buyers are spread over two clusters, most of them in the "
                  "recent, frequent one and a large part in a lapsed one. The profiles differ "
                  "most in recency: the median days since the last purchase are far apart. I "
                  "would split 'regular' into active and lapsed regulars: the active ones get "
                  "the referral ask that moves them up the ladder, the lapsed ones a win-back "
                  "offer. I would test it on a sample of lapsed regulars for a month before "
                  "changing the rulebook.",
            "ru": "Постоянные покупатели лестницы разнесены по двум кластерам: большая часть — в "
                  "недавнем и частом, заметная доля — в ушедшем. Профили сильнее всего "
                  "различаются давностью: медианы дней с последней покупки далеко друг от "
                  "друга. Я бы разделил класс на активных и ушедших постоянных: активных "
                  "просим порекомендовать нас, чтобы подняться по лестнице, ушедшим "
                  "предлагаем вернуться. Сначала проверим это месяц на выборке ушедших "
                  "постоянных и только потом поменяем свод правил.",
        },
    ),
]  # fmt: skip
