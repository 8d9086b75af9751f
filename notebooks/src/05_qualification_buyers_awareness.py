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
# # 05 · Qualification, buyer types, awareness stages, "fast, good, cheap"
#
# Four smaller frameworks, each answering one practical question about a customer:
#
# 1. **Is this prospect worth a salesperson's time now?** Qualification by five criteria (Mendocha).
# 2. **What does this buyer really come for?** Four buyer types (Reese).
# 3. **How much does this prospect know about what we sell?** Awareness stages.
# 4. **Which two of speed, quality and price does this customer care about?** "Fast, good, cheap:
#    pick two".
#
# The first and third read survey or CRM answers (the `customers` table); the second and fourth read
# the customer's orders (shares of discounted, free, premium and express orders).

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
segments, skipped = segment.segment(
    facts, ["qualification", "buyer_types", "awareness", "fast_good_cheap"], lang=lang)
persona = customers_df.set_index("customer_id")["persona"]
segments["persona"] = segments["customer_id"].map(persona)


def counts(framework):
    part = segments[segments["framework"] == framework]
    out = part.groupby(["class", "label"]).size().rename("customers").reset_index()
    return out.sort_values("customers", ascending=False, ignore_index=True)


# %% [markdown]
# ## 1. Qualification by five criteria
#
# A prospect is worth selling to when five things are true at once: they **have the money**, they
# have a **pressing problem** our product solves, they **like what makes our offer different**, the
# person we talk to **can decide**, and they find **the terms acceptable**. All five: sell now. Most
# of them (three or more by default): let the prospect mature and keep in touch. Fewer: park the
# contact in the database for later.

# %%
pd.DataFrame(frameworks.load("qualification").describe(lang))

# %%
counts("qualification")

# %% [markdown]
# ## 2. Four buyer types
#
# Reese's types describe what a buyer is after, judged from how they buy:
#
# * **freeloader**: takes what is free or nearly free (half of the orders free or at 80 %+ off);
# * **discount hunter**: buys when there is a sale (60 %+ of orders discounted);
# * **result-focused**: pays for the premium option and rarely waits for a discount;
# * **seeker**: weighs price against quality; everyone else who buys.
#
# The advice that comes with the types: attract the seekers and the result-focused, do not build the
# business around the first two. A price rise sheds them. Customers who never bought get their own
# class, so that "seeker" means a real buyer.

# %%
counts("buyer_types")

# %% [markdown]
# The workshop data knows each customer's hidden persona. A crosstab shows whether the rules find the
# bargain hunters and freeloaders the generator planted:

# %%
part = segments[segments["framework"] == "buyer_types"]
pd.crosstab(part["persona"], part["class"])

# %% [markdown]
# ## 3. Awareness stages
#
# Before a prospect buys, they move through stages of knowing: they know nothing about the product;
# they know it exists but not how it would help them; they know both and are looking for a vendor.
# Two side branches matter as much: the company that **does the job in-house** and is happy (leave it
# alone, send an occasional newsletter) and the one that **tried on its own and hit problems** (sell
# expertise and support). Each stage needs a different message.

# %%
pd.DataFrame(frameworks.load("awareness").describe(lang))[["id", "label", "rule", "action"]]

# %%
counts("awareness")

# %% [markdown]
# ## 4. Fast, good, cheap: pick two
#
# A classic trade-off: a customer can have any two of speed, quality and a low price, not all three.
# From the orders: mostly express and premium is "fast and good" (so expensive); express and
# discounted is "fast and cheap" (quality comes second); premium and discounted is "good and cheap"
# (so it takes time). Everyone else has no clear pair yet. Each group needs its own offer, and a
# "fast and cheap" buyer should not consume premium service time.

# %%
counts("fast_good_cheap")

# %%
fgc = segments[segments["framework"] == "fast_good_cheap"]
plots.segment_sizes(fgc["label"].value_counts(), lang=lang)
plt.show()

# %% [markdown]
# ## Exercises
#
# Use `frameworks.classify(facts, name, params=...)` and the `segments` table.

# %% [markdown]
# ### Exercise 1: a stricter nurture
#
# If nurturing needs **4** of the 5 criteria (`nurture_min`), how many customers are in `nurture`?

# %%
answer = None  # your code here

# %%
exercises.check("qualification_nurture4", answer, facts=facts, lang=lang)

# %% [markdown]
# ### Exercise 2: a looser hunter
#
# With a discount-hunter threshold of **50 %** discounted orders (`hunter_min_discount_share`), how many discount hunters are there?

# %%
answer = None  # your code here

# %%
exercises.check("buyer_hunters_50", answer, facts=facts, lang=lang)

# %% [markdown]
# ### Exercise 3: the common pair
#
# Among customers with a clear pair (not `undecided`), which pair is the most common? Answer with the class id.

# %%
answer = None  # your code here

# %%
exercises.check("fgc_top_pair", answer, facts=facts, lang=lang)
