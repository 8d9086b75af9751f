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
# # 04 · Key clients and value tiers
#
# Not every customer is worth the same effort. In most businesses a small group of customers brings
# most of the money: the well-known "80/20" observation says that about a fifth of the customers make
# about four fifths of the revenue. Those few are the **key clients**, and losing one of them hurts
# more than losing a hundred small ones.
#
# The framework ranks the buyers by revenue (or profit, when it is known) and cuts the ranking into
# tiers:
#
# | tier | rule (defaults) | what to do |
# |---|---|---|
# | gold (золотой) | the smallest group of top spenders that together make **80 %** of revenue | personal account care |
# | silver (серебряный) | the next **15 %** of revenue | grow them towards gold |
# | bronze (бронзовый) | the remaining buyers | standard, low-cost service |
# | false client (ложный клиент) | never bought; a negotiation open for over **60 days** and postponed again and again | stop spending time |
# | prospect (перспективный) | any other non-buyer | qualify and convert |
#
# Two flags sit beside the tier: `key_account` when one customer brings at least 10 % of revenue,
# and `mono_client` when one brings more than half, a dangerous dependence the business should
# reduce. For gold and key accounts the framework also raises **account-care alerts** from the
# contact log: no positive contact for 10 days, a negative contact not followed up within 14 days, a
# client file not reviewed for 90 days.

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
from clientlib.frameworks.value_tiers import pareto
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

# %% [markdown]
# ## The Pareto curve
#
# Rank the buyers from the biggest spender down and plot the running share of revenue against the
# running share of customers. The further the curve bulges above the diagonal, the more the revenue
# is concentrated.

# %%
curve = pareto(facts)
curve.head()

# %%
plots.pareto_curve(curve, x="customer_share", y="revenue_share", lang=lang)
plt.show()

# %% [markdown]
# ## Tiers

# %%
rb = frameworks.load("value_tiers")
tiers = rb.classify(facts, lang=lang).to_pandas().sort_values("customer_id", ignore_index=True)
spend = facts_df.set_index("customer_id")["total_spend"]
tiers["total_spend"] = tiers["customer_id"].map(spend)
summary = tiers.groupby(["class", "label"]).agg(
    customers=("customer_id", "size"), revenue=("total_spend", "sum")).reset_index()
summary["revenue_share"] = (summary["revenue"] / summary["revenue"].sum()).round(3)
summary["revenue"] = summary["revenue"].round(0)
summary.sort_values("revenue", ascending=False, ignore_index=True)

# %%
print("key accounts (>= 10% of revenue):", int(tiers["key_account"].sum()))
print("mono-client (> 50% of revenue):", int(tiers["mono_client"].sum()))

# %% [markdown]
# ## Account-care alerts
#
# The `alerts` column lists the alerts of each gold or key account, separated by spaces. Counting
# each alert shows where the account managers are falling behind.

# %%
alerts = tiers.loc[tiers["alerts"].fillna("") != "", "alerts"].str.split().explode()
alerts.value_counts().rename("gold or key accounts").to_frame()

# %%
tiers.loc[tiers["class"] == "gold", ["customer_id", "total_spend", "revenue_share", "alerts"]] \
    .sort_values(["total_spend", "customer_id"], ascending=[False, True]).head(5).round(4).reset_index(drop=True)

# %% [markdown]
# ## Exercises
#
# Use `curve` (the Pareto table), `tiers` and `frameworks.classify(facts, "value_tiers", params=...)`.

# %% [markdown]
# ### Exercise 1: the 80/20 check
#
# What share of revenue do the **top 20 %** of buyers bring? Give a share between 0 and 1.

# %%
answer = None  # your code here

# %%
exercises.check("key_top20_revenue", answer, facts=facts, lang=lang)

# %% [markdown]
# ### Exercise 2: a narrower gold
#
# If gold covers only **50 %** of revenue (`gold_share`), how many gold customers are there?

# %%
answer = None  # your code here

# %%
exercises.check("key_gold_half", answer, facts=facts, lang=lang)

# %% [markdown]
# ### Exercise 3: accounts needing care
#
# How many **gold** customers have at least one account-care alert?

# %%
answer = None  # your code here

# %%
exercises.check("key_gold_alerts", answer, facts=facts, lang=lang)
