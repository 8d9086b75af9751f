# ruff: noqa: E501
# (long one-line strings: converted mechanically from the old exercises.py)
"""Exercises of lesson 07 (k-means)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from clientlib.exercises import Exercise

__all__ = ["EXERCISES"]

LESSON = "07_kmeans"


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


EXERCISES = [
    Exercise(
        "kmeans_k3_largest",
        LESSON,
        {
            "en": "Fit k-means with k=3 (random_state=0): how many customers are in the largest cluster?",
            "ru": "Fit k-means with k=3 (random_state=0): how many customers are in the largest cluster?",
        },
        "count",
        ("buyers",),
        _kmeans_k3_largest,
        {
            "en": "CustomerClusters(n_clusters=3, random_state=0).fit(buyers); cluster 0 is the largest, so count labels_ == 0 (or np.bincount(model.labels_).max()).",
            "ru": "CustomerClusters(n_clusters=3, random_state=0).fit(buyers); кластер 0 самый большой, посчитайте labels_ == 0 (или np.bincount(model.labels_).max()).",
        },
    ),
    Exercise(
        "kmeans_four_features",
        LESSON,
        {
            "en": "Add avg_spend as a fourth feature: which k in 2..6 has the highest silhouette?",
            "ru": "Add avg_spend as a fourth feature: which k in 2..6 has the highest silhouette?",
        },
        "number",
        ("buyers",),
        _kmeans_four_features,
        {
            "en": "choose_k(buyers, range(2, 7), features=[*RFM_FEATURES, 'avg_spend'], n_seeds=2), then the index of the largest value of .table['silhouette'].",
            "ru": "choose_k(buyers, range(2, 7), features=[*RFM_FEATURES, 'avg_spend'], n_seeds=2), затем индекс наибольшего значения .table['silhouette'].",
        },
    ),
]
