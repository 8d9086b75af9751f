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
# # 02 · The customer lifecycle ("Дао клиента")
#
# The lifecycle framework follows a person from the moment they are merely part of the market to the
# moment they buy again and again, and it watches for the two ways out.
#
# | step | who | what the business does |
# |---|---|---|
# | target customer | fits the market, no contact yet | make the first contact |
# | lead | we know them (a lead record, an enquiry, a visit, a talk), no purchase | warm them up with offers |
# | novice | has bought | a series of touches so that a second and third purchase follow |
# | fan | buys repeatedly (3 orders by default) | keep them: a retention programme |
# | dormant | bought before, but has been silent for longer than the **purchase cycle** | a wake-up campaign |
# | returnee | bought, then complained or asked for a refund, and has not bought since | win back with dedicated care |
#
# The **purchase cycle** is the heart of the framework: how long a normal customer of this business
# goes between purchases. It depends on the trade: days for groceries, months for clothes, a year for
# a dentist, years for furniture. With `auto`, `clientlib` estimates it from the data as twice the
# typical gap between purchases of repeat buyers, and tells you the value it used.
#
# The order of the rules matters. An unhappy customer is also a customer who has gone quiet, so the
# returnee rule comes before the dormant rule; a fan who has gone quiet is dormant first, because the
# wake-up is the urgent action.

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
# ## The rulebook
#
# Every framework is a YAML rulebook inside the package. `describe()` lists the classes in the order
# they are tried.

# %%
rb = frameworks.load("lifecycle")
pd.DataFrame(rb.describe(lang))

# %%
life = rb.classify(facts, lang=lang).to_pandas().sort_values("customer_id", ignore_index=True)
print("purchase cycle used:", rb.resolved_params_["purchase_cycle_days"], "days")
counts = life.groupby(["class", "label", "action"]).size().rename("customers").reset_index()
counts.sort_values("customers", ascending=False, ignore_index=True)

# %% [markdown]
# Each customer carries the reason for the class: the rule that fired, with the customer's own
# values. One example per class:

# %%
life.groupby("class").head(1).sort_values("class")[["customer_id", "class", "reason"]].reset_index(drop=True)

# %% [markdown]
# ## How much the purchase cycle matters
#
# The dormant class depends on one number. A cycle that is too short calls loyal customers dormant
# and spends wake-up money on people who were about to buy anyway; one that is too long notices
# lost customers months late. Let us count the dormant customers for a few cycles.

# %%
cycles = [30, 90, 180, 365]
dormant = {
    c: int((frameworks.classify(facts, "lifecycle", params={"purchase_cycle_days": c})
            .to_pandas()["class"] == "dormant").sum())
    for c in cycles
}
pd.Series(dormant, name="dormant customers").rename_axis("purchase cycle, days").to_frame()

# %% [markdown]
# ## The lifecycle over time
#
# A status is a snapshot: the same customer is a novice in March, a fan in June, dormant next winter.
# `timeline.snapshots` measures the facts at the end of every month and classifies everyone again.
# The purchase cycle is estimated once (at the last month) and kept fixed, so a status changes only
# because the customer's behaviour changed, not because the yardstick moved.

# %%
snaps = timeline.snapshots(tx, ev, cu, framework="lifecycle", freq="MS")
status = snaps.pivot_table(index="period_end", columns="class", values="customer_id",
                           aggfunc="count", fill_value=0)
status.tail(6)

# %%
long = status.stack().rename("count").reset_index().rename(columns={"period_end": "period"})
plots.flows_area(long, share=True, lang=lang)
plt.show()

# %% [markdown]
# ### Flows between statuses
#
# `timeline.flows` counts how many customers moved from one status to another between two
# consecutive month ends (`(none)` means the customer was not known yet). Here is the last month as a
# matrix: rows are where customers were, columns where they are now.

# %%
fl = timeline.flows(snaps)
last = fl[fl["period"] == fl["period"].max()]
matrix = last.pivot_table(index="from_class", columns="to_class", values="customers",
                          aggfunc="sum", fill_value=0)
matrix

# %%
plots.transition_heatmap(matrix, lang=lang)
plt.show()

# %% [markdown]
# ### New novices and fans per month
#
# How many customers a business gains each month on the early steps of the path is one of the
# figures worth tracking: it shows whether acquisition and onboarding work.

# %%
new = timeline.new_in_class(snaps, ["novice", "fan"])
per_month = new.pivot_table(index="period_end", columns="class", values="customers",
                            aggfunc="sum")
per_month.index = per_month.index.strftime("%Y-%m")
per_month.tail(12)

# %%
ax = per_month[["novice", "fan"]].plot.bar(figsize=(9, 3.5), width=0.8)
ax.set_xlabel("")
ax.set_ylabel({"en": "new customers in the class", "ru": "новых клиентов в классе"}[lang])
plt.show()

# %% [markdown]
# ## Exercises
#
# Use `facts` with `frameworks.classify(...)`, and `snaps` for the timeline.

# %% [markdown]
# ### Exercise 1: a shorter cycle
#
# Set the purchase cycle to **60 days**: how many customers are dormant now?

# %%
answer = None  # your code here

# %%
exercises.check("lifecycle_dormant_60", answer, facts=facts, lang=lang)

# %% [markdown]
# ### Exercise 2: a stricter fan
#
# If a fan needs **5 orders** instead of 3 (`fan_min_orders`), how many fans are there?

# %%
answer = None  # your code here

# %%
exercises.check("lifecycle_fans_5", answer, facts=facts, lang=lang)

# %% [markdown]
# ### Exercise 3: the best month for fans
#
# In which month did the most customers become fans? Answer with a month as text, e.g. `'2024-03'`.

# %%
answer = None  # your code here

# %%
exercises.check("lifecycle_fan_month", answer, snaps=snaps, lang=lang)
