"""Solutions to the exercises of lesson notebooks/src/05_qualification_buyers_awareness.py.

Rubric of the open exercise (5, ``call_list``) is at the end of this file.
"""

import pandas as pd
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

# Exercise 3: the most common clear pair (the id, or its label in either language)
fgc = frameworks.classify(facts, "fast_good_cheap", lang=lang).to_pandas()
top = fgc.loc[fgc["class"] != "undecided", ["class", "label"]].value_counts().index[0]
exercises.check("fgc_top_pair", top[0], facts=facts, lang=lang)
exercises.check("fgc_top_pair", top[1], facts=facts, lang=lang)

# Exercise 4: qualified and looking for a vendor
q = frameworks.classify(facts, "qualification").to_pandas().set_index("customer_id")["class"]
a = frameworks.classify(facts, "awareness").to_pandas().set_index("customer_id")["class"]
both = pd.concat([q, a], axis=1, keys=["qualification", "awareness"])
answer = int(((both["qualification"] == "qualified") & (both["awareness"] == "ready_to_buy")).sum())
exercises.check("qualified_ready", answer, facts=facts, lang=lang)

# Exercise 5 (open): one good answer, with its numbers computed here
orders = facts.to_pandas().set_index("customer_id")["orders"]
first = both[(both["qualification"] == "qualified") & (orders.reindex(both.index) == 0)]
ready = first[first["awareness"].isin(["ready_to_buy", "failed_diy"])]
answer = (
    f"First the qualified prospects who never bought ({len(first)} on the workshop data): they "
    f"pass all five criteria and only need a call. Within them, those looking for a vendor or "
    f"rescuing a "
    f"failed attempt ({len(ready)}) come first, with a quote or an offer of support; then the rest "
    f"of the qualified non-buyers with an application example. The list is topped up to 50 with "
    f"qualified buyers who are seekers or result-focused, never with discount hunters."
)
exercises.check("call_list", answer, lang=lang)

# Rubric for exercise 5 (call_list): 4 points, one for each.
# 1. Uses qualification to decide who is worth a call now, and at least one other framework
#    (awareness, buyer types) to order the list.               0: one framework only.
# 2. Computes how many customers the rule gives on the data, and narrows or widens it to about
#    50 (e.g. qualified non-buyers are only a few dozen, so add ready-to-buy nurture prospects).
# 3. The order has a reason: ready_to_buy / failed_diy before aware_no_use / unaware; seekers
#    and result-focused before discount hunters and freeloaders (the seed: avoid those two).
# 4. Says what the salesperson offers each group (quote, support, an application example):
#    the message follows the awareness stage.
# Full marks need 3 and 4; a list sorted by spend alone misses the point of the lesson.
