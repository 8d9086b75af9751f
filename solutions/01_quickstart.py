"""Solutions to the exercises of lesson notebooks/src/01_quickstart.py.

Run from the repo top: python solutions/01_quickstart.py
"""

from _data import facts, facts_df, lang

from clientlib import exercises, segment

segments, _ = segment.segment(facts, "all", lang=lang)

# Exercise 1: customers who bought at least once
answer = int((facts_df["orders"] >= 1).sum())
exercises.check("quickstart_buyers", answer, facts=facts, lang=lang)

# Exercise 2: lifecycle fans
life = segments[segments["framework"] == "lifecycle"]
answer = int((life["class"] == "fan").sum())
exercises.check("quickstart_fans", answer, facts=facts, lang=lang)

# Exercise 3: the ladder rung with the most customers
ladder = segments[segments["framework"] == "ladder"]
answer = ladder["class"].value_counts().idxmax()
exercises.check("quickstart_top_rung", answer, facts=facts, lang=lang)

# Exercise 4 (open): one class, one action, one owner, one number (a model answer; see README)
dormant = int((life["class"] == "dormant").sum())
answer = (
    f"Dormant lifecycle customers: {dormant} of {len(life)}. This month the CRM manager sends "
    "each of them a personal reminder with the product they bought most, and the call centre "
    "phones the ones who spent the most. Next month we count the dormant class again: it should "
    "shrink by a tenth, and the woken-up customers should show up as novices or fans."
)
exercises.check("quickstart_first_action", answer, lang=lang)
