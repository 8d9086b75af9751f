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
# # 03 · The loyalty ladder
#
# The ladder pictures the customer base as five steps. Everyone in the market stands on the bottom
# step; each step up means the person trusts the business a little more, and the top step is the
# customer who not only buys but brings others.
#
# | rung (bottom → top) | Russian term | who stands there |
# |---|---|---|
# | potential client | потенциальный клиент | anyone in the market we could serve |
# | client (in talks) | клиент | has been in touch: a visit, an enquiry, a negotiation, a lead record |
# | buyer | покупатель | has paid for one order |
# | regular buyer | постоянный покупатель | has paid for two or more orders |
# | advocate | приверженец | has bought and recommended us to someone else (a referral) |
#
# What makes the ladder practical is that every rung can be **counted**. Two figures are worth
# following over time: how many customers stand on each rung, and the **conversion rate** from each
# rung to the next, i.e. the share of those who reached a rung that also climbed to the next one.
# The weakest step is where the marketing effort pays off most.
#
# The rules are tried from the top: an advocate is checked first, a potential client is whoever is
# left.

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
from clientlib import timeline
from clientlib.frameworks.ladder import conversion
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
rb = frameworks.load("ladder")
pd.DataFrame(rb.describe(lang))

# %%
ladder = rb.classify(facts, lang=lang).to_pandas().sort_values("customer_id", ignore_index=True)
counts = ladder.groupby(["class", "label"]).size().rename("customers").reset_index()
counts.sort_values("customers", ascending=False, ignore_index=True)

# %% [markdown]
# ## Conversion from rung to rung
#
# Someone on a rung has passed all the rungs below it, so `reached` counts the customers on a rung
# or higher, and `conversion` divides it by the `reached` of the rung below.

# %%
conv = conversion(ladder)
conv.round(3)

# %%
ax = conv.set_index("rung")["customers"].plot.barh(figsize=(6, 3), color="C0")
ax.set_xlabel({"en": "customers", "ru": "клиенты"}[lang])
ax.set_ylabel("")
ax.set_title({"en": "Customers on each rung (bottom rung first)",
              "ru": "Клиенты на каждой ступени (снизу вверх)"}[lang])
plt.show()

# %% [markdown]
# ## The ladder quarter by quarter
#
# The seed article insists on watching the shares over time: a ladder that fills from below but not
# at the top means acquisition works and retention does not. `timeline.snapshots` classifies every
# customer at the end of each quarter.

# %%
snaps = timeline.snapshots(tx, ev, cu, framework="ladder", freq="QS")
shares = pd.crosstab(snaps["period_end"], snaps["class"], normalize="index")
shares = shares[[r for r in conv["rung"] if r in shares.columns]]
shares.index = shares.index.strftime("%Y-%m")
shares.round(3)

# %%
long = snaps.groupby(["period_end", "class"]).size().rename("count").reset_index()
plots.flows_area(long.rename(columns={"period_end": "period"}), share=True, lang=lang)
plt.show()

# %% [markdown]
# ## Exercises
#
# Use `ladder`, `conv` and `frameworks.classify(facts, "ladder", params=...)`.

# %% [markdown]
# ### Exercise 1: how many climbed to buying
#
# What share of **all** customers has reached at least the buyer rung? Give a share between 0 and 1.

# %%
answer = None  # your code here

# %%
exercises.check("ladder_reached_buyer", answer, facts=facts, lang=lang)

# %% [markdown]
# ### Exercise 2: a stricter regular
#
# If a regular buyer needs **3 orders** (`regular_min_orders`), how many regular buyers are there?

# %%
answer = None  # your code here

# %%
exercises.check("ladder_regular_min3", answer, facts=facts, lang=lang)

# %% [markdown]
# ### Exercise 3: the weakest step
#
# Which rung is reached with the **lowest** conversion from the rung below? Answer with the class id of that rung.

# %%
answer = None  # your code here

# %%
exercises.check("ladder_weakest_step", answer, facts=facts, lang=lang)
