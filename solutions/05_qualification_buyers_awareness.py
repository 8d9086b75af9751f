"""Solutions to the exercises of lesson notebooks/src/05_qualification_buyers_awareness.py."""

from _data import facts, lang

from clientlib import exercises, frameworks

# Exercise 1: nurture needs 4 of 5 criteria
q4 = frameworks.classify(facts, "qualification", params={"nurture_min": 4}).to_pandas()
answer = int((q4["class"] == "nurture").sum())
exercises.check("qualification_nurture4", answer, facts=facts, lang=lang)

# Exercise 2: discount hunters from 50 % discounted orders
bt = frameworks.classify(
    facts, "buyer_types", params={"hunter_min_discount_share": 0.5}
).to_pandas()
answer = int((bt["class"] == "discount_hunter").sum())
exercises.check("buyer_hunters_50", answer, facts=facts, lang=lang)

# Exercise 3: the most common clear pair
fgc = frameworks.classify(facts, "fast_good_cheap").to_pandas()
answer = fgc.loc[fgc["class"] != "undecided", "class"].value_counts().idxmax()
exercises.check("fgc_top_pair", answer, facts=facts, lang=lang)
