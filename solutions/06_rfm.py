"""Solutions to the exercises of lesson notebooks/src/06_rfm.py."""

import warnings

from _data import facts, lang

from clientlib import exercises, frameworks, rfm

warnings.simplefilter("ignore")  # repeated cut points are expected with 4 bins
scored = frameworks.classify(facts, "rfm").to_pandas()

# Exercise 1: share of revenue of customers with R = 5
answer = scored.loc[scored["R"] == 5, "monetary"].sum() / scored["monetary"].sum()
exercises.check("rfm_r5_revenue", answer, facts=facts, lang=lang)

# Exercise 2: scores 1..4 -> champions
four = frameworks.classify(facts, "rfm", params={"scoring": {"bins": 4}}).to_pandas()
answer = int((four["class"] == "champions").sum())
exercises.check("rfm_bins4_champions", answer, facts=facts, lang=lang)

# Exercise 3: the segment with the highest spend per customer
summary = rfm.segment_summary(scored).set_index("class")
answer = (summary["revenue"] / summary["customers"]).idxmax()
exercises.check("rfm_top_spend", answer, facts=facts, lang=lang)
