# ruff: noqa: E501
# (long one-line strings: converted mechanically from the old exercises.py)
"""Exercises of lesson 08 (rules vs clusters)."""

from __future__ import annotations

import math

import pandas as pd

from clientlib.exercises import Exercise, framework_choices

__all__ = ["EXERCISES"]

LESSON = "08_rules_vs_clusters"


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


EXERCISES = [
    Exercise(
        "compare_lifecycle_kmeans",
        LESSON,
        {
            "en": "What is the adjusted Rand index between lifecycle classes and the k-means clusters (buyers only)?",
            "ru": "What is the adjusted Rand index between lifecycle classes and the k-means clusters (buyers only)?",
        },
        "number",
        ("segments", "clusters"),
        _compare_lifecycle_kmeans,
        {
            "en": "Take the lifecycle classes of the clustered customers (index by customer_id, .loc[clusters.index]) and call compare(lifecycle, clusters).ari.",
            "ru": "Возьмите классы lifecycle для кластеризованных клиентов (индекс customer_id, .loc[clusters.index]) и вызовите compare(lifecycle, clusters).ari.",
        },
        tolerance=0.01,
    ),
    Exercise(
        "compare_best_persona",
        LESSON,
        {
            "en": "Which framework agrees best with the hidden persona (highest AMI)?",
            "ru": "Which framework agrees best with the hidden persona (highest AMI)?",
        },
        "label",
        ("segments", "customers"),
        _compare_best_persona,
        {
            "en": "For each framework, compare its classes with the persona of the same customers (compare(persona, classes).ami) and take the framework with the highest value.",
            "ru": "Для каждого фреймворка сравните его классы с персоной тех же клиентов (compare(persona, classes).ami) и возьмите фреймворк с наибольшим значением.",
        },
        choices=framework_choices,
    ),
]
