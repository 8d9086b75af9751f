"""Solutions to the exercises of lesson notebooks/src/02_lifecycle.py."""

from _data import cu, ev, facts, lang, tx

from clientlib import exercises, frameworks, timeline

# Exercise 1: purchase cycle of 60 days -> dormant customers
life60 = frameworks.classify(facts, "lifecycle", params={"purchase_cycle_days": 60}).to_pandas()
answer = int((life60["class"] == "dormant").sum())
exercises.check("lifecycle_dormant_60", answer, facts=facts, lang=lang)

# Exercise 2: a fan needs 5 orders
life5 = frameworks.classify(facts, "lifecycle", params={"fan_min_orders": 5}).to_pandas()
answer = int((life5["class"] == "fan").sum())
exercises.check("lifecycle_fans_5", answer, facts=facts, lang=lang)

# Exercise 3: the month with the most new fans
snaps = timeline.snapshots(tx, ev, cu, framework="lifecycle", freq="MS")
new = timeline.new_in_class(snaps, ["fan"])
answer = new.loc[new["customers"].idxmax(), "period_end"].strftime("%Y-%m")
exercises.check("lifecycle_fan_month", answer, snaps=snaps, lang=lang)

# Exercise 4 (open): a wake-up plan (a model answer; see README for the rubric)
life = frameworks.classify(facts, "lifecycle").to_pandas().merge(
    facts.to_pandas()[["customer_id", "orders", "total_spend"]], on="customer_id")
sleeping = life[(life["class"] == "dormant") & (life["orders"] >= 3)]
answer = (
    f"{len(sleeping)} dormant former fans brought {sleeping['total_spend'].sum():,.0f} in total. "
    "First the top tenth by past spend get a call from their former manager, the rest an e-mail "
    "with their usual products and a limited offer worth at most a tenth of their average order. "
    "Success: the share of them buying again within one purchase cycle. Returnees are not sent "
    "coupons: someone senior calls them about the complaint first."
)
exercises.check("lifecycle_wakeup_plan", answer, lang=lang)
