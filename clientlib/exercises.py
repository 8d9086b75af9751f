"""Workshop exercises: self-checks for the teaching notebooks.

Every exercise has a name, a prompt and a hint. :func:`check` compares a participant's answer with
the expected one, which is **computed** from the data handed in as context (``facts=...``,
``snaps=...``) by the package itself, so the check stays right when the dataset, the seed or a
default changes. Nothing is hard-coded.

:func:`check` prints one of three messages and never raises on a wrong answer:

* ``not answered yet`` (the answer is ``None``: the placeholder of the committed notebooks) and
  the hint;
* what is wrong (wrong type, too high, too low, a percentage where a share was asked…) and the
  hint;
* a success message.

Examples
--------
>>> import pandas as pd
>>> from clientlib import exercises
>>> facts = pd.DataFrame({"customer_id": ["a", "b", "c"], "orders": [0, 2, 1]})
>>> exercises.check("quickstart_buyers", None, facts=facts)  # doctest: +ELLIPSIS
… quickstart_buyers: not answered yet.
   Hint: ...
>>> exercises.check("quickstart_buyers", 2, facts=facts)
✓ quickstart_buyers: correct (2).
>>> exercises.evaluate("quickstart_buyers", 3, facts=facts).status
'wrong'
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "EXERCISES",
    "Exercise",
    "Feedback",
    "check",
    "evaluate",
    "expected",
    "exercises_for",
    "setup_notebook",
]

# ---------------------------------------------------------------------------------------------
# helpers shared by the solvers
# ---------------------------------------------------------------------------------------------


def _ibis(facts: Any) -> Any:
    """An Ibis table for the frameworks (a pandas DataFrame becomes a memtable)."""
    import ibis

    if isinstance(facts, pd.DataFrame):
        return ibis.memtable(facts)
    return getattr(facts, "table", facts)


def _pandas(facts: Any) -> pd.DataFrame:
    if isinstance(facts, pd.DataFrame):
        return facts
    return _ibis(facts).to_pandas()


def _classes(facts: Any, framework: str, params: Mapping[str, Any] | None = None) -> pd.Series:
    """Class of every customer under one framework (quietly: no warnings printed)."""
    from clientlib import frameworks

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = frameworks.classify(_ibis(facts), framework, params=params).to_pandas()
    return out.set_index("customer_id")["class"]


def _count(facts: Any, framework: str, cls: str, params: Mapping[str, Any] | None = None) -> int:
    return int((_classes(facts, framework, params) == cls).sum())


# ---------------------------------------------------------------------------------------------
# solvers: each returns the expected answer computed from the context
# ---------------------------------------------------------------------------------------------


def _quickstart_buyers(facts: Any) -> int:
    return int((_pandas(facts)["orders"] >= 1).sum())


def _quickstart_fans(facts: Any) -> int:
    return _count(facts, "lifecycle", "fan")


def _quickstart_top_rung(facts: Any) -> set[str]:
    counts = _classes(facts, "ladder").value_counts()
    return set(counts[counts == counts.max()].index)


def _lifecycle_dormant_60(facts: Any) -> int:
    return _count(facts, "lifecycle", "dormant", {"purchase_cycle_days": 60})


def _lifecycle_fans_5(facts: Any) -> int:
    return _count(facts, "lifecycle", "fan", {"fan_min_orders": 5})


def _lifecycle_fan_month(snaps: pd.DataFrame) -> set[pd.Period]:
    from clientlib.timeline import new_in_class

    new = new_in_class(snaps, ["fan"])
    best = new[new["customers"] == new["customers"].max()]
    return {pd.Timestamp(d).to_period("M") for d in best["period_end"]}


def _ladder_table(facts: Any, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    from clientlib.frameworks.ladder import conversion

    return conversion(_classes(facts, "ladder", params).rename("class").to_frame())


def _ladder_reached_buyer(facts: Any) -> float:
    table = _ladder_table(facts).set_index("rung")
    return float(table.loc["buyer", "reached"] / table.loc["potential", "reached"])


def _ladder_regular_min3(facts: Any) -> int:
    return _count(facts, "ladder", "regular", {"regular_min_orders": 3})


def _ladder_weakest_step(facts: Any) -> set[str]:
    conv = _ladder_table(facts).set_index("rung")["conversion"].dropna()
    return set(conv[conv == conv.min()].index)


def _key_top20_revenue(facts: Any) -> float:
    from clientlib.frameworks.value_tiers import pareto

    curve = pareto(_ibis(facts))
    return float(curve.loc[curve["customer_share"] >= 0.2 - 1e-12, "revenue_share"].iloc[0])


def _key_gold_half(facts: Any) -> int:
    return _count(facts, "value_tiers", "gold", {"gold_share": 0.5})


def _key_gold_alerts(facts: Any) -> int:
    from clientlib import frameworks

    out = frameworks.classify(_ibis(facts), "value_tiers").to_pandas()
    return int(((out["class"] == "gold") & (out["alerts"].fillna("") != "")).sum())


def _qualification_nurture4(facts: Any) -> int:
    return _count(facts, "qualification", "nurture", {"nurture_min": 4})


def _buyer_hunters_50(facts: Any) -> int:
    return _count(facts, "buyer_types", "discount_hunter", {"hunter_min_discount_share": 0.5})


def _fgc_top_pair(facts: Any) -> set[str]:
    counts = _classes(facts, "fast_good_cheap").value_counts().drop("undecided", errors="ignore")
    return set(counts[counts == counts.max()].index)


def _rfm_table(facts: Any, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    from clientlib import frameworks, rfm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = frameworks.classify(_ibis(facts), "rfm", params=params).to_pandas()
    return rfm.segment_summary(out)


def _rfm_scored(facts: Any) -> pd.DataFrame:
    from clientlib import frameworks

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return frameworks.classify(_ibis(facts), "rfm").to_pandas()


def _rfm_r5_revenue(facts: Any) -> float:
    scored = _rfm_scored(facts)
    return float(scored.loc[scored["R"] == 5, "monetary"].sum() / scored["monetary"].sum())


def _rfm_bins4_champions(facts: Any) -> int:
    table = _rfm_table(facts, {"scoring": {"bins": 4}}).set_index("class")
    return int(table.loc["champions", "customers"]) if "champions" in table.index else 0


def _rfm_top_spend(facts: Any) -> set[str]:
    table = _rfm_table(facts).set_index("class")
    per = (table["revenue"] / table["customers"]).dropna()
    return set(per[per == per.max()].index)


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


def _compare_lifecycle_kmeans(segments: pd.DataFrame, clusters: pd.Series) -> float:
    from clientlib.compare import compare

    life = segments.loc[segments["framework"] == "lifecycle"].set_index("customer_id")["class"]
    common = clusters.index.intersection(life.index)
    return float(compare(life.loc[common], clusters.loc[common]).ari)


def _compare_best_persona(segments: pd.DataFrame, customers: pd.DataFrame) -> set[str]:
    from sklearn.metrics import adjusted_mutual_info_score

    persona = customers.set_index("customer_id")["persona"]
    scores = {}
    for name, part in segments.groupby("framework", sort=True):
        cls = part.set_index("customer_id")["class"]
        common = cls.index.intersection(persona.index)
        scores[name] = adjusted_mutual_info_score(persona.loc[common], cls.loc[common])
    best = max(scores.values())
    return {k for k, v in scores.items() if math.isclose(v, best, rel_tol=0, abs_tol=1e-12)}


# ---------------------------------------------------------------------------------------------
# the registry
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exercise:
    """One workshop exercise.

    Attributes
    ----------
    name : str
        Stable id used in :func:`check`.
    notebook : str
        Notebook the exercise belongs to (file stem, e.g. ``"02_lifecycle"``).
    prompt : str
        The question, in English (the notebook's Markdown asks it in its own words).
    kind : {"count", "share", "number", "label", "month"}
        What the answer is: a whole number of customers, a share 0..1, any number, a class /
        framework id, or a calendar month.
    needs : tuple of str
        Context keywords the solver needs (``facts``, ``snaps``, ``buyers``…).
    solve : callable
        ``solve(**context)`` -> expected answer (a set for labels and months: ties all count).
    hint : dict
        Hint per language (``en``, ``ru``).
    tolerance : float
        Absolute tolerance for ``share`` and ``number`` answers.
    """

    name: str
    notebook: str
    prompt: str
    kind: str
    needs: tuple[str, ...]
    solve: Callable[..., Any]
    hint: dict[str, str] = field(default_factory=dict)
    tolerance: float = 0.0


def _ex(name, notebook, prompt, kind, needs, solve, hint_en, hint_ru, tolerance=0.0) -> Exercise:
    return Exercise(name, notebook, prompt, kind, tuple(needs), solve,
                    {"en": hint_en, "ru": hint_ru}, tolerance)  # fmt: skip


_ALL = [
    # 01 quickstart
    _ex("quickstart_buyers", "01_quickstart",
        "How many customers have bought at least once?", "count", ["facts"], _quickstart_buyers,
        "Take the facts as pandas and count the rows with orders >= 1: "
        "(facts_df['orders'] >= 1).sum().",
        "Возьмите факты как pandas и посчитайте строки с orders >= 1: "
        "(facts_df['orders'] >= 1).sum()."),
    _ex("quickstart_fans", "01_quickstart",
        "How many customers does the lifecycle framework call fans?", "count", ["facts"],
        _quickstart_fans,
        "Keep the rows of `segments` where framework == 'lifecycle' and class == 'fan', "
        "then count them.",
        "Оставьте строки `segments`, где framework == 'lifecycle' и class == 'fan', "
        "и посчитайте их."),
    _ex("quickstart_top_rung", "01_quickstart",
        "Which rung of the loyalty ladder holds the most customers (class id)?", "label",
        ["facts"], _quickstart_top_rung,
        "Filter `segments` to framework == 'ladder' and use value_counts() on the class column; "
        "answer with the class id, e.g. 'buyer'.",
        "Отфильтруйте `segments` по framework == 'ladder' и вызовите value_counts() "
        "для столбца class; ответ - id класса, например 'buyer'."),
    # 02 lifecycle
    _ex("lifecycle_dormant_60", "02_lifecycle",
        "With a purchase cycle of 60 days, how many customers are dormant?", "count",
        ["facts"], _lifecycle_dormant_60,
        "Classify again with params={'purchase_cycle_days': 60} "
        "(frameworks.classify(facts, 'lifecycle', params=...)) and count class == 'dormant'.",
        "Классифицируйте заново с params={'purchase_cycle_days': 60} "
        "(frameworks.classify(facts, 'lifecycle', params=...)) и посчитайте class == 'dormant'."),
    _ex("lifecycle_fans_5", "02_lifecycle",
        "If a fan needs 5 orders instead of 3, how many fans are there?", "count", ["facts"],
        _lifecycle_fans_5,
        "Classify with params={'fan_min_orders': 5} and count class == 'fan'. Customers who "
        "drop out of 'fan' become novices (or stay dormant / returnees).",
        "Классифицируйте с params={'fan_min_orders': 5} и посчитайте class == 'fan'. Кто "
        "перестал быть поклонником, становится новичком (или остаётся заснувшим / "
        "возвращенцем)."),
    _ex("lifecycle_fan_month", "02_lifecycle",
        "In which month did the most customers become fans?", "month", ["snaps"],
        _lifecycle_fan_month,
        "Use timeline.new_in_class(snaps, ['fan']) and find the period_end with the most "
        "customers (idxmax); answer like '2024-03'.",
        "Используйте timeline.new_in_class(snaps, ['fan']) и найдите period_end с наибольшим "
        "числом клиентов (idxmax); ответ в виде '2024-03'."),
    # 03 loyalty ladder
    _ex("ladder_reached_buyer", "03_loyalty_ladder",
        "What share of all customers has reached at least the buyer rung (a share 0..1)?",
        "share", ["facts"], _ladder_reached_buyer,
        "A customer on a rung has passed every rung below it: divide the 'reached' value of "
        "the rung 'buyer' by the number of all customers (the 'reached' of 'potential').",
        "Клиент на ступени прошёл все ступени ниже: разделите значение 'reached' ступени "
        "'buyer' на число всех клиентов ('reached' ступени 'potential').",
        tolerance=0.005),
    _ex("ladder_regular_min3", "03_loyalty_ladder",
        "If a regular buyer needs 3 orders, how many regular buyers are there?", "count",
        ["facts"], _ladder_regular_min3,
        "Classify with params={'regular_min_orders': 3} and count class == 'regular'.",
        "Классифицируйте с params={'regular_min_orders': 3} и посчитайте class == 'regular'."),
    _ex("ladder_weakest_step", "03_loyalty_ladder",
        "Which rung is reached with the lowest conversion (class id of the upper rung)?",
        "label", ["facts"], _ladder_weakest_step,
        "Look at the conversion column of the conversion table and take the rung with the "
        "smallest value (the first rung has none).",
        "Посмотрите на столбец conversion и возьмите ступень с наименьшим значением "
        "(у первой ступени его нет)."),
    # 04 key clients
    _ex("key_top20_revenue", "04_key_clients",
        "What share of revenue do the top 20% of buyers bring (a share 0..1)?", "share",
        ["facts"], _key_top20_revenue,
        "pareto(facts) lists buyers from the biggest spender down with cumulative shares; "
        "take the first revenue_share where customer_share >= 0.2.",
        "pareto(facts) перечисляет покупателей от самого крупного с накопленными долями; "
        "возьмите первое revenue_share, где customer_share >= 0.2.",
        tolerance=0.01),
    _ex("key_gold_half", "04_key_clients",
        "If gold covers 50% of revenue instead of 80%, how many gold customers are there?",
        "count", ["facts"], _key_gold_half,
        "Classify value_tiers with params={'gold_share': 0.5} and count class == 'gold'.",
        "Классифицируйте value_tiers с params={'gold_share': 0.5} и посчитайте class == 'gold'."),
    _ex("key_gold_alerts", "04_key_clients",
        "How many gold customers have at least one account-care alert?", "count", ["facts"],
        _key_gold_alerts,
        "In the value_tiers output keep class == 'gold' and a non-empty alerts column "
        "(alerts != '').",
        "В результате value_tiers оставьте class == 'gold' и непустой столбец alerts "
        "(alerts != '')."),
    # 05 qualification, buyer types, awareness, fast/good/cheap
    _ex("qualification_nurture4", "05_qualification_buyers_awareness",
        "If nurturing needs 4 of the 5 criteria, how many customers are in 'nurture'?", "count",
        ["facts"], _qualification_nurture4,
        "Classify qualification with params={'nurture_min': 4} and count class == 'nurture'.",
        "Классифицируйте qualification с params={'nurture_min': 4} и посчитайте "
        "class == 'nurture'."),
    _ex("buyer_hunters_50", "05_qualification_buyers_awareness",
        "With a discount-hunter threshold of 50% discounted orders, how many discount hunters?",
        "count", ["facts"], _buyer_hunters_50,
        "Classify buyer_types with params={'hunter_min_discount_share': 0.5} and count "
        "class == 'discount_hunter'. Freeloaders are matched first and stay freeloaders.",
        "Классифицируйте buyer_types с params={'hunter_min_discount_share': 0.5} и посчитайте "
        "class == 'discount_hunter'. Халявщики проверяются раньше и остаются халявщиками."),
    _ex("fgc_top_pair", "05_qualification_buyers_awareness",
        "Among customers with a clear pair, which pair of fast/good/cheap is the most common?",
        "label", ["facts"], _fgc_top_pair,
        "Count the fast_good_cheap classes, leave out 'undecided', and answer with the id of "
        "the largest one (e.g. 'good_cheap').",
        "Посчитайте классы fast_good_cheap без 'undecided' и ответьте id самого большого "
        "(например 'good_cheap')."),
    # 06 RFM
    _ex("rfm_r5_revenue", "06_rfm",
        "What share of revenue comes from customers with the best recency score (R = 5)?",
        "share", ["facts"], _rfm_r5_revenue,
        "In the RFM output, sum monetary over the rows with R == 5 and divide by the sum of "
        "monetary over all rows.",
        "В результате RFM сложите monetary по строкам с R == 5 и разделите на сумму monetary "
        "по всем строкам.",
        tolerance=0.005),
    _ex("rfm_bins4_champions", "06_rfm",
        "Score R, F and M from 1 to 4 instead of 1 to 5: how many Champions now?", "count",
        ["facts"], _rfm_bins4_champions,
        "Pass params={'scoring': {'bins': 4}} to frameworks.classify(facts, 'rfm', ...) and "
        "count class == 'champions'.",
        "Передайте params={'scoring': {'bins': 4}} в frameworks.classify(facts, 'rfm', ...) и "
        "посчитайте class == 'champions'."),
    _ex("rfm_top_spend", "06_rfm",
        "Which RFM segment has the highest spend per customer (class id)?", "label", ["facts"],
        _rfm_top_spend,
        "In rfm.segment_summary(...) divide revenue by customers and take the class with the "
        "largest value.",
        "В rfm.segment_summary(...) разделите revenue на customers и возьмите класс с "
        "наибольшим значением."),
    # 07 k-means
    _ex("kmeans_k3_largest", "07_kmeans",
        "Fit k-means with k=3 (random_state=0): how many customers are in the largest cluster?",
        "count", ["buyers"], _kmeans_k3_largest,
        "CustomerClusters(n_clusters=3, random_state=0).fit(buyers); cluster 0 is the largest, "
        "so count labels_ == 0 (or np.bincount(model.labels_).max()).",
        "CustomerClusters(n_clusters=3, random_state=0).fit(buyers); кластер 0 самый большой, "
        "посчитайте labels_ == 0 (или np.bincount(model.labels_).max())."),
    _ex("kmeans_four_features", "07_kmeans",
        "Add avg_spend as a fourth feature: which k in 2..6 has the highest silhouette?",
        "number", ["buyers"], _kmeans_four_features,
        "choose_k(buyers, range(2, 7), features=[*RFM_FEATURES, 'avg_spend'], n_seeds=2), "
        "then the index of the largest value of .table['silhouette'].",
        "choose_k(buyers, range(2, 7), features=[*RFM_FEATURES, 'avg_spend'], n_seeds=2), "
        "затем индекс наибольшего значения .table['silhouette']."),
    # 08 rules vs clusters
    _ex("compare_lifecycle_kmeans", "08_rules_vs_clusters",
        "What is the adjusted Rand index between lifecycle classes and the k-means clusters "
        "(buyers only)?", "number", ["segments", "clusters"], _compare_lifecycle_kmeans,
        "Take the lifecycle classes of the clustered customers (index by customer_id, "
        ".loc[clusters.index]) and call compare(lifecycle, clusters).ari.",
        "Возьмите классы lifecycle для кластеризованных клиентов (индекс customer_id, "
        ".loc[clusters.index]) и вызовите compare(lifecycle, clusters).ari.",
        tolerance=0.01),
    _ex("compare_best_persona", "08_rules_vs_clusters",
        "Which framework agrees best with the hidden persona (highest AMI)?", "label",
        ["segments", "customers"], _compare_best_persona,
        "For each framework, compare its classes with the persona of the same customers "
        "(compare(persona, classes).ami) and take the framework with the highest value.",
        "Для каждого фреймворка сравните его классы с персоной тех же клиентов "
        "(compare(persona, classes).ami) и возьмите фреймворк с наибольшим значением."),
]

#: All exercises by name, in notebook order.
EXERCISES: dict[str, Exercise] = {e.name: e for e in _ALL}


def exercises_for(notebook: str) -> list[Exercise]:
    """Exercises of one notebook (file stem, e.g. ``"06_rfm"``), in order.

    Examples
    --------
    >>> [e.name for e in exercises_for("06_rfm")]
    ['rfm_r5_revenue', 'rfm_bins4_champions', 'rfm_top_spend']
    """
    return [e for e in _ALL if e.notebook == notebook]


# ---------------------------------------------------------------------------------------------
# checking
# ---------------------------------------------------------------------------------------------

_TEXT = {
    "en": {
        "unanswered": "… {name}: not answered yet.",
        "correct": "✓ {name}: correct ({answer}).",
        "wrong": "✗ {name}: {why}",
        "hint": "   Hint: {hint}",
        "high": "{answer} is too high.",
        "low": "{answer} is too low.",
        "not_number": "expected a single number, got {what}.",
        "not_whole": "expected a whole number of customers, got {answer}.",
        "percent": "{answer} looks like a percentage; give a share between 0 and 1 "
        "(e.g. 0.25 for 25%).",
        "not_share": "a share lies between 0 and 1, got {answer}.",
        "not_label": "expected an id as text (e.g. 'fan'), got {what}.",
        "wrong_label": "'{answer}' is not the one.",
        "label_close": "'{answer}' is a label; answer with the class id (e.g. 'fan').",
        "not_month": "expected a month such as '2024-03', got {what}.",
        "wrong_month": "{answer} is not the month with the most.",
        "series": "a {kind} of {n} values (pick one value: .loc[...], .iloc[0], .sum() or len())",
    },
    "ru": {
        "unanswered": "… {name}: ответа пока нет.",
        "correct": "✓ {name}: верно ({answer}).",
        "wrong": "✗ {name}: {why}",
        "hint": "   Подсказка: {hint}",
        "high": "{answer} - слишком много.",
        "low": "{answer} - слишком мало.",
        "not_number": "ожидалось одно число, получено {what}.",
        "not_whole": "ожидалось целое число клиентов, получено {answer}.",
        "percent": "{answer} похоже на проценты; дайте долю от 0 до 1 (0.25 для 25%).",
        "not_share": "доля лежит между 0 и 1, получено {answer}.",
        "not_label": "ожидался id в виде текста (например 'fan'), получено {what}.",
        "wrong_label": "'{answer}' - не то.",
        "label_close": "'{answer}' - это название; ответьте id класса (например 'fan').",
        "not_month": "ожидался месяц вида '2024-03', получено {what}.",
        "wrong_month": "{answer} - не месяц с наибольшим числом.",
        "series": "{kind} из {n} значений (выберите одно: .loc[...], .iloc[0], .sum() или len())",
    },
}


@dataclass
class Feedback:
    """Outcome of :func:`evaluate`.

    Attributes
    ----------
    name : str
    status : {"correct", "wrong", "unanswered"}
    message : str
        What :func:`check` prints (with the hint when the answer is not correct).
    expected : Any
        The expected answer computed from the context (``None`` when not answered: the
        solver is not run then). Shown to nobody by :func:`check`; for trainers and tests.
    """

    name: str
    status: str
    message: str
    expected: Any = None

    @property
    def ok(self) -> bool:
        """True when the answer is correct."""
        return self.status == "correct"


def _what(x: Any, t: dict[str, str]) -> str:
    if isinstance(x, (pd.Series, pd.DataFrame, np.ndarray, list, tuple, set)):
        kind = type(x).__name__
        return t["series"].format(kind=kind, n=len(x))
    return f"{type(x).__name__} {x!r}"


def _scalar(x: Any) -> Any:
    """Unwrap one-element containers and numpy scalars."""
    if isinstance(x, (pd.Series, pd.DataFrame, np.ndarray)) and x.size == 1:
        return x.to_numpy().ravel()[0] if not isinstance(x, np.ndarray) else x.ravel()[0]
    if isinstance(x, np.generic):
        return x.item()
    return x


def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:.4g}"
    return str(x)


def _judge(ex: Exercise, answer: Any, want: Any, t: dict[str, str]) -> str | None:
    """None when correct, else why not."""
    a = _scalar(answer)
    if ex.kind in ("count", "share", "number"):
        if isinstance(a, bool) or not isinstance(a, numbers.Real):
            return t["not_number"].format(what=_what(answer, t))
        a = float(a)
        if math.isnan(a):
            return t["not_number"].format(what="NaN")
        if ex.kind == "count" and a != round(a):
            return t["not_whole"].format(answer=_fmt(a))
        if ex.kind == "share" and not 0 <= a <= 1:
            if 1 < a <= 100 and abs(a / 100 - want) <= max(ex.tolerance, 1e-9):
                return t["percent"].format(answer=_fmt(a))
            return t["not_share"].format(answer=_fmt(a))
        if isinstance(want, set):  # ties: any of them
            if any(abs(a - w) <= ex.tolerance for w in want):
                return None
            target = min(want, key=lambda w: abs(a - w))
        else:
            target = want
        if abs(a - target) <= ex.tolerance:
            return None
        key = "high" if a > target else "low"
        return t[key].format(answer=_fmt(int(a) if ex.kind == "count" else a))
    if ex.kind == "label":
        if not isinstance(a, str):
            return t["not_label"].format(what=_what(answer, t))
        norm = a.strip().casefold()
        if norm in {str(w).casefold() for w in want}:
            return None
        if " " in norm or norm[:1].isupper():
            return t["label_close"].format(answer=a)
        return t["wrong_label"].format(answer=a)
    if ex.kind == "month":
        try:
            month = pd.Timestamp(str(a) if isinstance(a, pd.Period) else a).to_period("M")
        except (TypeError, ValueError):
            return t["not_month"].format(what=_what(answer, t))
        if month in want:
            return None
        return t["wrong_month"].format(answer=str(month))
    raise ValueError(f"unknown exercise kind {ex.kind!r}")  # pragma: no cover


def _get(name: str) -> Exercise:
    try:
        return EXERCISES[name]
    except KeyError:
        raise KeyError(
            f"unknown exercise {name!r}; known: {', '.join(EXERCISES)}"
        ) from None


def expected(name: str, **context: Any) -> Any:
    """The expected answer of exercise ``name``, computed from the context.

    Parameters
    ----------
    name : str
        An exercise name (see :data:`EXERCISES`).
    **context
        The data the exercise needs (:attr:`Exercise.needs`), e.g. ``facts=facts``.

    Returns
    -------
    Any
        A number, or a set of accepted ids / months (ties all count).

    Examples
    --------
    >>> import pandas as pd
    >>> expected("quickstart_buyers", facts=pd.DataFrame({"orders": [0, 1, 4]}))
    2
    """
    ex = _get(name)
    missing = [k for k in ex.needs if k not in context]
    if missing:
        raise TypeError(
            f"check({name!r}, ...) needs {', '.join(f'{k}=...' for k in missing)} as context"
        )
    return ex.solve(**{k: context[k] for k in ex.needs})


def evaluate(name: str, answer: Any, *, lang: str = "en", **context: Any) -> Feedback:
    """Judge an answer without printing; see :func:`check`.

    Examples
    --------
    >>> import pandas as pd
    >>> fb = evaluate("quickstart_buyers", 5, facts=pd.DataFrame({"orders": [0, 1, 4]}))
    >>> fb.status, fb.expected
    ('wrong', 2)
    """
    ex = _get(name)
    t = _TEXT.get(lang, _TEXT["en"])
    hint = t["hint"].format(hint=ex.hint.get(lang) or ex.hint["en"])
    if answer is None:
        return Feedback(name, "unanswered", t["unanswered"].format(name=name) + "\n" + hint)
    want = expected(name, **context)
    why = _judge(ex, answer, want, t)
    if why is None:
        shown = _scalar(answer)
        shown = _fmt(float(shown)) if ex.kind in ("share", "number") else shown
        if ex.kind == "count":
            shown = int(shown)
        return Feedback(name, "correct", t["correct"].format(name=name, answer=shown), want)
    return Feedback(name, "wrong", t["wrong"].format(name=name, why=why) + "\n" + hint, want)


def check(name: str, answer: Any, *, lang: str = "en", **context: Any) -> None:
    """Check a workshop answer and print what is wrong (with a hint) or a success message.

    An unanswered exercise (``answer is None``) prints "not answered yet" and the hint, so a
    notebook with open exercises still runs top to bottom. A wrong answer never raises.

    Parameters
    ----------
    name : str
        Exercise name (see :data:`EXERCISES`).
    answer : Any
        The participant's answer; ``None`` means not answered yet.
    lang : {"en", "ru"}
        Language of the messages.
    **context
        The data the expected answer is computed from, e.g. ``facts=facts``.

    Examples
    --------
    >>> import pandas as pd
    >>> check("quickstart_buyers", 7, facts=pd.DataFrame({"orders": [0, 1, 4]}))
    ✗ quickstart_buyers: 7 is too high.
       Hint: Take the facts as pandas and count the rows with orders >= 1: (facts_df['orders'] >= 1).sum().
    """  # noqa: E501
    print(evaluate(name, answer, lang=lang, **context).message)


def setup_notebook() -> None:
    """Make a teaching notebook's outputs reproducible and free of noise.

    Silences a known third-party deprecation warning (pandas' ``future.infer_string`` option,
    touched by Ibis), and fixes figure defaults (PNG, fixed DPI, no hash salt) so re-running a
    notebook gives the same outputs.

    Examples
    --------
    >>> setup_notebook()
    """
    import matplotlib

    warnings.filterwarnings("ignore", message=".*future.infer_string.*")
    matplotlib.rcParams["svg.hashsalt"] = "clientlib"
    matplotlib.rcParams["figure.dpi"] = 80
    matplotlib.rcParams["savefig.dpi"] = 80
    pd.set_option("display.width", 120)
    pd.set_option("display.max_columns", 20)
    pd.set_option("display.max_colwidth", 100)
    try:  # inside IPython: PNG figures only (nbval skips comparing images)
        from IPython import get_ipython

        ip = get_ipython()
        if ip is not None:
            ip.run_line_magic("config", "InlineBackend.figure_formats = ['png']")
    except ImportError:  # pragma: no cover - IPython is optional
        pass
