"""Solutions to the exercises of lesson notebooks/src/06_rfm.py.

Rubric of the open exercise (5, ``rfm_budget_plan``) is at the end of this file.
"""

import warnings

from _data import facts, lang

from clientlib import exercises, frameworks

warnings.simplefilter("ignore")  # repeated cut points are expected with 4 bins
scored = frameworks.classify(facts, "rfm", lang=lang).to_pandas()

# Exercise 1: share of revenue of customers with R = 5
answer = scored.loc[scored["R"] == 5, "monetary"].sum() / scored["monetary"].sum()
exercises.check("rfm_r5_revenue", answer, facts=facts, lang=lang)

# Exercise 2: scores 1..4 -> champions
four = frameworks.classify(facts, "rfm", params={"scoring": {"bins": 4}}).to_pandas()
answer = int((four["class"] == "champions").sum())
exercises.check("rfm_bins4_champions", answer, facts=facts, lang=lang)

# Exercise 3: the segment with the highest spend per customer (id or label, either language)
groups = scored.groupby(["class", "label"])
per = groups["monetary"].sum() / groups.size()
best_id, best_label = per.idxmax()
exercises.check("rfm_top_spend", best_id, facts=facts, lang=lang)
exercises.check("rfm_top_spend", best_label, facts=facts, lang=lang)

# Exercise 4: at risk with the top monetary score
answer = int(((scored["class"] == "at_risk") & (scored["M"] == 5)).sum())
exercises.check("rfm_at_risk_m5", answer, facts=facts, lang=lang)

# Exercise 5 (open): one good answer, with its numbers computed here
at_risk = scored[scored["class"] == "at_risk"]
top = at_risk.sort_values("monetary", ascending=False)
calls = min(len(top), 200)
answer = (
    f"Spend most of the 300 contacts on At Risk ({len(at_risk)} customers, "
    f"{at_risk['monetary'].sum():,.0f} spent): call the {calls} biggest spenders among them, "
    f"M = 5 first. The other {300 - calls} go to Need Attention and Loyal Customers with a "
    f"limited-time offer. Champions get an e-mail thank-you and early access, not a call. Keep a "
    f"random tenth of each group uncontacted and compare repeat purchases after a month."
)
exercises.check("rfm_budget_plan", answer, lang=lang)

# Rubric for exercise 5 (rfm_budget_plan): 4 points, one for each.
# 1. Adds up to about 300 and names the segments with their sizes from the tables.
# 2. Weighs value (M, revenue per customer) against the chance of an answer (R): At Risk and
#    Can't Lose Them before Lost; Lost only if nothing better is left.
# 3. Champions are kept with something cheap (thanks, early access, a review request), not the
#    costly personal contact, unless the answer says why.
# 4. Says how the result will be measured: repeat purchases within a month against a held-out
#    group of the same segment.
# Common mistake: putting the whole budget on Champions because they bring most revenue.
