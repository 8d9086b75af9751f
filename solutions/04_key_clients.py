"""Solutions to the exercises of lesson notebooks/src/04_key_clients.py."""

from _data import facts, lang

from clientlib import exercises, frameworks
from clientlib.frameworks.value_tiers import pareto

# Exercise 1: share of revenue of the top 20 % of buyers
curve = pareto(facts)
answer = curve.loc[curve["customer_share"] >= 0.2, "revenue_share"].iloc[0]
exercises.check("key_top20_revenue", answer, facts=facts, lang=lang)

# Exercise 2: gold covers 50 % of revenue
half = frameworks.classify(facts, "value_tiers", params={"gold_share": 0.5}).to_pandas()
answer = int((half["class"] == "gold").sum())
exercises.check("key_gold_half", answer, facts=facts, lang=lang)

# Exercise 3: gold customers with at least one alert
tiers = frameworks.classify(facts, "value_tiers").to_pandas()
answer = int(((tiers["class"] == "gold") & (tiers["alerts"] != "")).sum())
exercises.check("key_gold_alerts", answer, facts=facts, lang=lang)

# Exercise 4 (open): the dependence risk (a model answer; see README for the rubric)
spend = facts.to_pandas().set_index("customer_id")["total_spend"]
largest = spend.max() / spend.sum()
n_gold = int((tiers["class"] == "gold").sum())
answer = (
    f"The largest customer brings {largest:.1%} of revenue and {n_gold} "
    "customers make the gold tier, so losing the largest one costs that share at once. Each "
    "manager gets a book of accounts of about the same revenue, not the same number of accounts. "
    "We grow the silver customers closest to gold with a dedicated manager, and keep the contact "
    "rhythm and the dossier of every gold client so none of them is neglected."
)
exercises.check("key_dependence_plan", answer, lang=lang)
