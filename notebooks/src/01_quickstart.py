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
# # 01 · Quickstart: from orders to customer classes
#
# A business rarely treats all its customers alike. Sales teams put a newcomer on a welcome track, a
# regular on a loyalty programme and a silent former buyer on a reminder list. Each of those
# decisions is a **classification rule**: look at what we know about a customer, put them in a
# class, and let the class decide the next action.
#
# `clientlib` turns such rules into data. In this workshop you will meet seven frameworks that
# practitioners use to sort customers (the lifecycle, the loyalty ladder, key clients, five-criteria
# qualification, buyer types, awareness stages and "fast, good, cheap"), then set them next to what
# the data says on its own: RFM scores and k-means clusters.
#
# This first notebook walks the whole path once:
#
# ```
# orders + events + survey ──► checked tables ──► one row per customer ──► classes with reasons
# ```
#
# **How the notebooks work.** The first code cell holds the parameters (language, seed, size of the
# data). Run the cells top to bottom. Each notebook ends with a few exercises: write your answer in
# the cell that says `answer = None`, then run the check cell below it. It tells you whether the
# answer is right and, if not, gives a hint.

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

lessons.setup_notebook()

# %% [markdown]
# ## The workshop shop
#
# The data is a synthetic shop generated from a seed, so everyone in the room gets the same numbers.
# It has three tables, in the shape `clientlib` expects from any business:
#
# * **transactions**: one row per order line (customer, order id, time, amount, discount, express
#   and premium flags). Returns are negative lines.
# * **events**: the contact log (leads, enquiries, visits, negotiations, contacts with a sentiment,
#   complaints, refunds, referrals, reviews).
# * **customers**: one row per customer with survey answers. It also holds a hidden column,
#   `persona`, the "true" type the generator used for each customer. Real data never has it; here it
#   lets us ask later how well rules and clusters find the truth.

# %%
inputs = lessons.load_inputs(
    data, mapping, analysis_date, seed=seed, n_customers=n_customers,
    returns=returns, duplicates=duplicates, zero_amount=zero_amount, sep=sep, encoding=encoding,
    date_format=date_format, dayfirst=dayfirst, decimal=decimal,
)
tx, ev, cu = inputs.transactions, inputs.events, inputs.customers

# %%
pd.DataFrame({name: (t.quality.rows_used, len(t.table.columns))
              for name, t in [("transactions", tx), ("events", ev), ("customers", cu)] if t},
             index=["rows", "columns"])

# %%
tx.table.head().to_pandas()

# %% [markdown]
# ## Reading and checking the tables
#
# The readers map your column names to the roles `clientlib` knows, parse types and count every row
# they cannot use, with the reason. Nothing disappears without a line in the quality report. The
# **analysis date** is the moment at which everything is measured; by default it is the day after
# the last transaction.

# %%
print(tx.quality)

# %% [markdown]
# ## Customer facts: one row per customer
#
# Frameworks do not look at raw orders. They look at **facts** about each customer measured at the
# analysis date: how many orders, how much spent, how many days since the last purchase, what share
# of orders was discounted, how many complaints came after the last purchase, the survey answers,
# and so on. `customer_facts` builds them inside the database engine (DuckDB here) and hands back a
# table; `.to_pandas()` brings it into pandas.

# %%
facts = customer_facts(tx, ev, cu)
facts_df = facts.to_pandas().sort_values("customer_id", ignore_index=True)
facts_df[["customer_id", "orders", "total_spend", "recency_days", "discount_share",
          "touchpoints", "referrals", "complaints_since_last_purchase"]].head()

# %%
facts_df[["orders", "total_spend", "recency_days", "touchpoints"]].describe().round(1)

# %% [markdown]
# ## Classes for every framework at once
#
# Each framework is a **rulebook**: an ordered list of classes, each with a condition. A customer
# goes to the first class whose condition holds, and the last class catches everyone else, so every
# customer ends up in exactly one class. Next to the class you get the **reason** (the rule that
# fired, with the customer's values) and the suggested **action**. Labels and actions come in
# English or Russian (`lang`).

# %%
segments, skipped = segment.segment(facts, "all", lang=lang)
print("frameworks run:", ", ".join(segments["framework"].unique()))
print("skipped:", skipped or "none")

# %%
table = segment.summary(segments)
table["share"] = table["share"].round(3)
table

# %% [markdown]
# One customer seen through every framework: the same person can be a fan in the lifecycle, a
# regular on the ladder and a silver client by revenue. The frameworks answer different questions,
# so they do not have to agree.

# %%
who = facts_df.loc[facts_df["orders"] >= 3, "customer_id"].iloc[0]
one = segments[segments["customer_id"] == who].reset_index(drop=True)
print("customer", who)
one[["framework", "class", "label", "reason"]]

# %%
life = segments[segments["framework"] == "lifecycle"]
plots.segment_sizes(life["label"].value_counts(), lang=lang)
plt.show()

# %% [markdown]
# ## Exercises
#
# Use `facts_df` (pandas) and `segments` (the table of classes above).

# %% [markdown]
# ### Exercise 1: buyers
#
# How many customers have bought at least once (`orders >= 1`)?

# %%
answer = None  # your code here

# %%
exercises.check("quickstart_buyers", answer, facts=facts, lang=lang)

# %% [markdown]
# ### Exercise 2: fans
#
# How many customers does the lifecycle framework call **fans** (class id `fan`)?

# %%
answer = None  # your code here

# %%
exercises.check("quickstart_fans", answer, facts=facts, lang=lang)

# %% [markdown]
# ### Exercise 3: the biggest rung
#
# Which rung of the loyalty ladder holds the most customers? Answer with the class id (text such as `'client'`).

# %%
answer = None  # your code here

# %%
exercises.check("quickstart_top_rung", answer, facts=facts, lang=lang)

# %% [markdown]
# ## Where next
#
# * `02_lifecycle`: the lifecycle in depth, and how statuses change month by month.
# * `03_loyalty_ladder` to `05_...`: the other frameworks.
# * `06_rfm`, `07_kmeans`: what the data says without business rules.
# * `08_rules_vs_clusters`: how far the two views agree.
