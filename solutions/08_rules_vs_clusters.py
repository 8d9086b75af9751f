"""Solutions to the exercises of lesson notebooks/src/08_rules_vs_clusters.py."""

import pandas as pd
from _data import customers_df, facts, facts_df, lang

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

# Exercise 2: the framework closest to the hidden persona (AMI over all customers)
persona = customers_df.set_index("customer_id")["persona"]
ami = {name: compare(persona, classes(name)).ami for name in segments["framework"].unique()}
answer = max(ami, key=ami.get)
exercises.check("compare_best_persona", answer, segments=segments, customers=customers_df,
                lang=lang)
