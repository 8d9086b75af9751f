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
# # 08 · Rules against clusters
#
# We now have two kinds of grouping for the same customers:
#
# * **rules** written from business experience (the lifecycle, the ladder, value tiers, RFM
#   segments…): each class has a meaning and an action, but the boundaries are chosen by people;
# * **clusters** found by k-means: the boundaries follow the data, but the meaning has to be read
#   afterwards.
#
# Where they agree, the rules describe real structure in the data. Where they disagree, either the
# rules mix customers who behave differently, or the clusters split along something the business
# does not care about. This notebook measures the agreement.
#
# **How agreement is measured.** A crosstab counts customers per pair (class, cluster). Scores
# summarise it: the **adjusted Rand index** (ARI: 0 = no better than chance, 1 = the same grouping),
# **adjusted mutual information** (AMI, same scale, less sensitive to group sizes), **Cramér's V**
# (strength of association, 0 to 1) and **purity** (share of customers on the best one-to-one
# matching of classes to clusters).

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
from clientlib.clusters import CustomerClusters
from clientlib.compare import agreement_matrix, compare
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
segments, skipped = segment.segment(facts, "all", lang=lang)
buyers = facts_df[facts_df["orders"] > 0].reset_index(drop=True)
model = CustomerClusters(n_clusters=4, random_state=seed).fit(buyers)
clusters = pd.Series(model.labels_, index=buyers["customer_id"], name="kmeans")
print({int(i): name for i, name in model.names_.items()})


# %%
def classes(framework):
    part = segments[segments["framework"] == framework]
    return part.set_index("customer_id")["class"].rename(framework)


# %% [markdown]
# ## RFM segments against k-means
#
# Both look at the same three numbers, so they should agree more than any other pair.

# %%
ag = compare(classes("rfm").loc[clusters.index], clusters)
ag.to_frame().round(3)

# %%
plots.crosstab_heatmap(ag, normalize="index", lang=lang)
plt.show()

# %%
pd.DataFrame(ag.matching, columns=["rfm segment", "cluster", "customers"])

# %% [markdown]
# ## Every framework against every other
#
# Adjusted mutual information between all labelings, on the buyers (k-means knows only them).
# Frameworks that read the survey (qualification, awareness) should agree with nothing built from
# purchases; frameworks built from orders should agree with each other and with the clusters.

# %%
labelings = {name: classes(name).loc[clusters.index] for name in segments["framework"].unique()}
labelings["kmeans"] = clusters
matrix = agreement_matrix(labelings, metric="ami")
matrix.round(2)

# %%
plots.agreement_heatmap(matrix, metric="AMI", lang=lang)
plt.show()

# %% [markdown]
# ## Who finds the truth?
#
# The workshop data carries each customer's hidden persona. No method was built to recover it, but
# the persona drives the behaviour, so a framework that captures behaviour well should line up with
# it. Here every customer counts, buyers or not.

# %%
persona = customers_df.set_index("customer_id")["persona"]
sizes = segments.groupby("framework")["class"].nunique().rename("classes").to_frame()
sizes["purity vs persona"] = [
    round(compare(persona, classes(name)).purity, 3) for name in sizes.index
]
sizes

# %% [markdown]
# ## Exercises
#
# Use `compare`, `classes(name)`, `clusters` and `persona`.

# %% [markdown]
# ### Exercise 1: lifecycle against clusters
#
# What is the **adjusted Rand index** between the lifecycle classes and the k-means clusters (buyers only)?

# %%
answer = None  # your code here

# %%
exercises.check("compare_lifecycle_kmeans", answer, segments=segments, clusters=clusters, lang=lang)

# %% [markdown]
# ### Exercise 2: closest to the truth
#
# Which framework agrees best with the hidden persona, measured by **AMI** over all customers? Answer with the framework name.

# %%
answer = None  # your code here

# %%
exercises.check("compare_best_persona", answer, segments=segments, customers=customers_df, lang=lang)

# %% [markdown]
# ## Take-aways
#
# * Rules and clusters answer different questions; high agreement is not the goal in itself.
# * Low agreement between a purchase-based framework and the clusters is a prompt to look at the
#   crosstab: which class is split across clusters, and does the split call for a different action?
# * Survey-based frameworks add what purchases cannot show; that is why they agree with little else.
