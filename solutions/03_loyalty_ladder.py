"""Solutions to the exercises of lesson notebooks/src/03_loyalty_ladder.py."""

from _data import facts, lang

from clientlib import exercises, frameworks
from clientlib.frameworks.ladder import conversion

ladder = frameworks.classify(facts, "ladder").to_pandas()
conv = conversion(ladder).set_index("rung")

# Exercise 1: share of all customers who reached at least the buyer rung
answer = conv.loc["buyer", "reached"] / conv.loc["potential", "reached"]
exercises.check("ladder_reached_buyer", answer, facts=facts, lang=lang)

# Exercise 2: regular buyers need 3 orders
strict = frameworks.classify(facts, "ladder", params={"regular_min_orders": 3}).to_pandas()
answer = int((strict["class"] == "regular").sum())
exercises.check("ladder_regular_min3", answer, facts=facts, lang=lang)

# Exercise 3: the rung reached with the lowest conversion
answer = conv["conversion"].idxmin()
exercises.check("ladder_weakest_step", answer, facts=facts, lang=lang)

# Exercise 4 (open): one rung up (a model answer; see README for the rubric)
steps = conv["conversion"].dropna()
weak = steps.idxmin()
below = conv.index[list(conv.index).index(weak) - 1]
answer = (
    f"The weakest step is {weak}: only {steps.min():.0%} of the {conv.loc[below, 'reached']} "
    f"customers who reached {below} got there. They are buyers who have bought and trusted us "
    "once but were never asked for anything more. Technique: after the second order the manager "
    "asks for a recommendation with a small thank-you for both sides. Target for next quarter: "
    f"{min(steps.min() + 0.05, 1):.0%}, checked on the quarterly shares."
)
exercises.check("ladder_step_plan", answer, lang=lang)
