# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: clientlib (Python 3)
#     language: python
#     name: clientlib
# ---

# %% [markdown]
# # 07 · k-means: letting the data form the groups
#
# RFM still uses a man-made grid. **k-means** goes one step further: it is told only how many groups
# to form (k) and places them where the customers are densest. Each customer joins the group whose
# centre is nearest.
#
# Three choices decide what comes out:
#
# 1. **Features.** By default recency, frequency and monetary value, as in RFM, but any numeric
#    customer fact can join.
# 2. **Scaling.** Spend is in currency, recency in days, frequency in orders; and all three are
#    skewed (a few customers spend a hundred times the median). `clientlib` takes the logarithm
#    (`log1p`) and then standardises each feature, so that no feature dominates because of its
#    unit and a few giants do not pull a centre towards themselves.
# 3. **k.** Two signals help: the **elbow** of the inertia curve (where adding a group stops paying
#    off) and the **silhouette** (how much closer customers are to their own group than to the next
#    one, from −1 to 1). `clientlib` also measures **stability**: do different random starts give the
#    same groups? It recommends the k with the best silhouette among the stable ones.
#
# k-means only sees buyers: someone who never bought has no recency.

# %% tags=["parameters"]
# Parameters (papermill can override them, e.g. -p lang ru -p data orders.csv)
lang = "en"  # language of the outputs: "en" or "ru"
data = None  # None: the workshop shop; else your transactions file (or a dict of files)
mapping = None  # {role: column} for your columns, e.g. {"customer_id": "Client"}
analysis_date = None  # "YYYY-MM-DD"; None: the day after the last transaction
returns = None  # reader options (None: the default) - "net", "drop" or "error"
duplicates = None  # "keep", "drop" or "error"
zero_amount = None  # "keep" or "drop"
sep = None  # CSV separator such as ";" (sniffed when None)
encoding = None  # such as "cp1251" (UTF-8 when None)
date_format = None  # such as "%d.%m.%Y"
dayfirst = None  # True reads 01/02/2024 as 1 February
decimal = None  # "," or "."
seed = 0  # seed of the synthetic workshop shop
n_customers = 2000  # size of the workshop shop

# %%
import matplotlib.pyplot as plt
import pandas as pd

from clientlib import exercises, frameworks, lessons, plots, segment
from clientlib.features import customer_facts
import numpy as np

from clientlib.clusters import RFM_FEATURES, CustomerClusters, choose_k
lessons.setup_notebook()

# %%
inputs = lessons.load_inputs(
    data, mapping, analysis_date, seed=seed, n_customers=n_customers,
    returns=returns, duplicates=duplicates, zero_amount=zero_amount, sep=sep, encoding=encoding,
    date_format=date_format, dayfirst=dayfirst, decimal=decimal,
)
tx, ev, cu = inputs.transactions, inputs.events, inputs.customers
customers_df = cu.table.to_pandas()
facts = customer_facts(tx, ev, cu)
facts_df = facts.to_pandas().sort_values("customer_id", ignore_index=True)
print(f"{len(facts_df):,} customers, analysis date {tx.analysis_date}")

# %%
buyers = facts_df[facts_df["orders"] > 0].reset_index(drop=True)
print(f"{len(buyers):,} buyers of {len(facts_df):,} customers")
buyers[list(RFM_FEATURES)].describe().round(1)

# %% [markdown]
# ## Choosing k

# %%
kc = choose_k(buyers, range(2, 8), random_state=seed, n_seeds=3)
print(kc.reason)
kc.table.round(3)

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
plots.elbow_plot(kc, ax=axes[0], lang=lang)
plots.silhouette_plot(kc, ax=axes[1], lang=lang)
plt.show()

# %% [markdown]
# The best silhouette is often at k = 2: "good customers" against "the rest" is the cleanest split
# in most shops, and rarely the most useful one. A business usually wants a few more groups that it
# can act on, as long as they stay stable. Here we take **k = 4**, a common choice next to the
# elbow, and check what the groups look like.

# %%
k = 4
model = CustomerClusters(n_clusters=k, random_state=seed).fit(buyers)
pd.Series(model.names_, name="name").rename_axis("cluster").to_frame().assign(
    customers=np.bincount(model.labels_))

# %% [markdown]
# ## What each cluster is
#
# `profiles_` describes each cluster in the original units. The names come from the pattern of
# high and low values (recent or lapsed, frequent or rare, high or low spend). Cluster 0 is always
# the largest.

# %%
cols = ["size", "share"] + [f"{f}_mean" for f in RFM_FEATURES] + [f"{f}_median" for f in RFM_FEATURES]
model.profiles_[[c for c in cols if c in model.profiles_.columns]].round(2)

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
plots.snake_plot(model.profiles_, ax=axes[0], names=model.names_, value="z", lang=lang)
plots.cluster_scatter(buyers, model.labels_, ax=axes[1], names=model.names_, lang=lang)
plt.show()

# %% [markdown]
# ## Clusters against the hidden persona
#
# Do the clusters find the kinds of customers the generator planted? The crosstab shows where each
# persona landed.

# %%
persona = customers_df.set_index("customer_id")["persona"]
pd.crosstab(buyers["customer_id"].map(persona), model.label_names().to_numpy(),
            rownames=["persona"], colnames=["cluster"])

# %% [markdown]
# ## Exercises
#
# Use `buyers`, `CustomerClusters` and `choose_k`.

# %% [markdown]
# ### Exercise 1: three clusters
#
# Fit k-means with **k = 3** (`random_state=0`): how many customers are in the largest cluster?

# %%
answer = None  # your code here

# %%
exercises.check("kmeans_k3_largest", answer, buyers=buyers, lang=lang)

# %% [markdown]
# ### Exercise 2: a fourth feature
#
# Add `avg_spend` (spend per order) as a fourth feature: which k in 2..6 has the highest silhouette?

# %%
answer = None  # your code here

# %%
exercises.check("kmeans_four_features", answer, buyers=buyers, lang=lang)
