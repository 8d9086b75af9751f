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
# # 06 · RFM: scoring customers from their purchases
#
# The frameworks so far start from business rules. RFM starts from three numbers every shop has:
#
# * **R**ecency: days since the last purchase (fewer is better);
# * **F**requency: number of orders;
# * **M**onetary: total spend.
#
# Each number becomes a **score from 1 to 5**: the buyers are split into five equal groups (quintiles)
# on that number, and the best fifth gets 5. Recency is turned around so that the most recent buyers
# score 5. A customer is then three digits, such as 5-4-4, and a **segment map** gives names to boxes
# of scores: *Champions* bought recently, often and for a lot; *At Risk* used to buy a lot but not
# lately; *Lost* bought little, rarely and long ago.
#
# `clientlib` ships the segment map of the R package `rfm` (its test suite reproduces the published
# figures) and a simpler map. Two details worth knowing:
#
# * the map is first-match like every rulebook, so two boxes of the R map (*New Customers*,
#   *Promising*) lie inside an earlier box and never fire;
# * with many equal values (lots of one-order customers) some quintile cut points coincide, so some
#   scores are never given. `clientlib` warns when that happens.

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
import warnings

from clientlib import rfm
lessons.setup_notebook()

# %%
inputs = lessons.load_inputs(
    data, mapping, analysis_date, seed=seed, n_customers=n_customers,
    returns=returns, duplicates=duplicates, zero_amount=zero_amount, sep=sep, encoding=encoding,
    date_format=date_format, dayfirst=dayfirst, decimal=decimal,
)
tx, ev, cu = inputs.transactions, inputs.events, inputs.customers
facts = customer_facts(tx, ev, cu)
facts_df = facts.to_pandas().sort_values("customer_id", ignore_index=True)
print(f"{len(facts_df):,} customers, analysis date {tx.analysis_date}")

# %%
rb = rfm.rulebook("r_tests")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    scored = rb.classify(facts, lang=lang).to_pandas().sort_values("customer_id", ignore_index=True)
for w in caught:
    if "RFM" in str(w.message):
        print("warning:", w.message)
print("cut points:", rb.resolved_params_["cut_points"])

# %%
scored.loc[scored["R"].notna(), ["customer_id", "recency", "frequency", "monetary", "R", "F", "M",
                                 "class", "label"]].head()

# %% [markdown]
# ## Segments
#
# `segment_summary` gives customers, orders, revenue and average order value per segment. Customers
# who never bought have no scores and fall into *Others*.

# %%
summary = rfm.segment_summary(scored)
summary.round({"revenue": 0, "avg_order_value": 1, "customer_share": 3, "revenue_share": 3})

# %%
plots.segment_sizes(scored["label"].value_counts(), kind="treemap", lang=lang)
plt.show()

# %% [markdown]
# ## The R × F grid
#
# Customers per recency and frequency score, and their average spend. The top right corner holds
# the best customers; the top left, recent buyers not yet loyal; the bottom right, loyal customers
# slipping away.

# %%
buyers = scored[scored["R"].notna()]
fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
plots.rfm_heatmap(buyers, ax=axes[0], lang=lang)
plots.rfm_heatmap(buyers, value="monetary", ax=axes[1], lang=lang)
plt.show()

# %% [markdown]
# ## A simpler map
#
# The same scores, a shorter list of names (`rfm_simple`). Which map to use is a business choice;
# the scores do not change.

# %%
simple = rfm.rulebook("simple").classify(facts, lang=lang).to_pandas()
both = scored.merge(simple, on="customer_id", suffixes=("_r", "_simple"))
pd.crosstab(both["class_r"], both["class_simple"])

# %% [markdown]
# ## Exercises
#
# Use `scored`, `summary` and `frameworks.classify(facts, "rfm", params=...)`.

# %% [markdown]
# ### Exercise 1: the most recent fifth
#
# What share of revenue comes from the customers with the best recency score (**R = 5**)? Give a share between 0 and 1.

# %%
answer = None  # your code here

# %%
exercises.check("rfm_r5_revenue", answer, facts=facts, lang=lang)

# %% [markdown]
# ### Exercise 2: four scores instead of five
#
# Score R, F and M from **1 to 4** (`params={'scoring': {'bins': 4}}`): how many Champions are there now?

# %%
answer = None  # your code here

# %%
exercises.check("rfm_bins4_champions", answer, facts=facts, lang=lang)

# %% [markdown]
# ### Exercise 3: the most valuable segment
#
# Which segment has the highest **spend per customer** (revenue divided by customers)? Answer with the class id.

# %%
answer = None  # your code here

# %%
exercises.check("rfm_top_spend", answer, facts=facts, lang=lang)
