"""Solutions to the exercises of lesson notebooks/src/07_kmeans.py."""

import numpy as np
from _data import facts_df, lang

from clientlib import exercises
from clientlib.clusters import RFM_FEATURES, CustomerClusters, choose_k

buyers = facts_df[facts_df["orders"] > 0].reset_index(drop=True)

# Exercise 1: k = 3, size of the largest cluster
model = CustomerClusters(n_clusters=3, random_state=0).fit(buyers)
answer = int(np.bincount(model.labels_).max())
exercises.check("kmeans_k3_largest", answer, buyers=buyers, lang=lang)

# Exercise 2: avg_spend as a fourth feature, best silhouette in 2..6
kc = choose_k(buyers, range(2, 7), features=[*RFM_FEATURES, "avg_spend"], n_seeds=2)
answer = int(kc.table["silhouette"].idxmax())
exercises.check("kmeans_four_features", answer, buyers=buyers, lang=lang)
