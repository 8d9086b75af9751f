"""Solutions to the exercises of lesson notebooks/src/07_kmeans.py.

Rubric of the open exercise (4, ``kmeans_your_k``) is at the end of this file.
"""

import numpy as np
from _data import facts_df, lang

from clientlib import exercises
from clientlib.clusters import RFM_FEATURES, CustomerClusters, choose_k, name_clusters

buyers = facts_df[facts_df["orders"] > 0].reset_index(drop=True)

# Exercise 1: k = 3, size of the largest cluster
model = CustomerClusters(n_clusters=3, random_state=0).fit(buyers)
answer = int(np.bincount(model.labels_).max())
exercises.check("kmeans_k3_largest", answer, buyers=buyers, lang=lang)

# Exercise 2: the cluster with the highest median spend (its name, or its number as text)
model = CustomerClusters(n_clusters=4, random_state=0).fit(buyers)
names = name_clusters(model.profiles_, lang=lang)
best = int(buyers["total_spend"].groupby(model.labels_).median().idxmax())
exercises.check("kmeans_top_spend_cluster", names[best], buyers=buyers, lang=lang)
exercises.check("kmeans_top_spend_cluster", str(best), buyers=buyers, lang=lang)

# Exercise 3: avg_spend as a fourth feature, best silhouette in 2..6
kc = choose_k(buyers, range(2, 7), features=[*RFM_FEATURES, "avg_spend"], n_seeds=2)
answer = int(kc.table["silhouette"].idxmax())
exercises.check("kmeans_four_features", answer, buyers=buyers, lang=lang)

# Exercise 4 (open): one good answer, with its numbers computed here
kc = choose_k(buyers, range(2, 8), random_state=0, n_seeds=3)
sizes = {k: int(np.bincount(CustomerClusters(n_clusters=k, random_state=0).fit(buyers).labels_)
               .min()) for k in (2, 3, 4)}  # fmt: skip
row = kc.table.loc[4]
answer = (
    f"k = 4. Its silhouette ({row['silhouette']:.2f}) is below k = 2's "
    f"({kc.table.loc[2, 'silhouette']:.2f}), but two groups only say good against the rest, which "
    f"the shop knows already. k = 4 is still stable ({row['stability']:.2f} >= 0.8), and its "
    f"smallest cluster has {sizes[4]} buyers, enough for a campaign of its own. Actions: reward "
    f"the recent frequent big spenders, win back the lapsed mid spenders, nudge the cooling ones "
    f"with a reminder, and leave the lapsed one-order buyers to the cheap newsletter."
)
exercises.check("kmeans_your_k", answer, lang=lang)

# Rubric for exercise 4 (kmeans_your_k): 4 points, one for each.
# 1. The k is stable (stability >= 0.8 in the k table), or the answer says why not.
# 2. Does not take the best silhouette blindly: weighs k = 2 against what the team can act on.
# 3. Quotes the size of the smallest cluster and judges whether a campaign can target it.
# 4. Names every cluster and gives it an action.
# Full marks need 2 and 4.
