"""Solutions to the exercises of lesson notebooks/src/08_rules_vs_clusters.py.

Rubric of the open exercise (4, ``compare_split_or_keep``) is at the end of this file.
"""

import pandas as pd
from _data import facts, facts_df, lang

from clientlib import exercises, segment
from clientlib.clusters import CustomerClusters
from clientlib.compare import compare

segments, _ = segment.segment(facts, "all", lang=lang)
buyers = facts_df[facts_df["orders"] > 0].reset_index(drop=True)
model = CustomerClusters(n_clusters=4, random_state=0).fit(buyers)
clusters = pd.Series(model.labels_, index=buyers["customer_id"], name="kmeans")


def classes(framework):
    part = segments[segments["framework"] == framework]
    return part.set_index("customer_id")["class"].rename(framework)


# Exercise 1: ARI between lifecycle and k-means on buyers
answer = compare(classes("lifecycle").loc[clusters.index], clusters).ari
exercises.check("compare_lifecycle_kmeans", answer, segments=segments, clusters=clusters,
                lang=lang)

# Exercise 2: Cramér's V between the ladder and k-means on buyers
answer = compare(classes("ladder").loc[clusters.index], clusters).cramers_v
exercises.check("compare_ladder_cramers", answer, segments=segments, clusters=clusters,
                lang=lang)

# Exercise 3: the framework closest to the hidden persona, buyers only (AMI)
persona = buyers.set_index("customer_id")["persona"]
ami = {
    name: compare(persona, classes(name).loc[persona.index]).ami
    for name in segments["framework"].unique()
}
answer = max(ami, key=ami.get)
exercises.check("compare_best_persona", answer, segments=segments, customers=facts_df, lang=lang)

# Exercise 4 (open): one good answer, with its numbers computed here
split = pd.crosstab(classes("ladder").loc[clusters.index], clusters, normalize="index")
row = split.loc["regular"].sort_values(ascending=False)
days = buyers.groupby(model.labels_)["recency_days"].median()
a, b = int(row.index[0]), int(row.index[1])
answer = (
    f"The ladder's regular buyers are spread over the clusters: {row.iloc[0]:.0%} in cluster {a} "
    f"({model.names_[a]}), {row.iloc[1]:.0%} in cluster {b} ({model.names_[b]}). The profiles "
    f"differ most in recency: a median of {days[a]:.0f} days since the last purchase against "
    f"{days[b]:.0f}. I would split 'regular' into active and lapsed regulars: the active ones get "
    f"the referral ask that moves them up the ladder, the lapsed ones a win-back offer. I would "
    f"test it on a sample of lapsed regulars for a month before changing the rulebook."
)
exercises.check("compare_split_or_keep", answer, lang=lang)

# Rubric for exercise 4 (compare_split_or_keep): 4 points, one for each.
# 1. Names the class and quotes its split across clusters (shares or counts).
# 2. Reads the cluster profiles: what differs between the halves (recency, frequency, spend).
# 3. The decision follows from the action: split only if the halves need different actions,
#    and names both actions; "keep" is a full answer when the actions would be the same.
# 4. Proposes a check before the rule changes (a test group, next month's data).
