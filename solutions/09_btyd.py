"""Solutions to the exercises of lesson notebooks/src/09_btyd.py (rubric of the open question:
09_btyd_rubric.md)."""

from _data import facts, lang

from clientlib import btyd, datasets, exercises, frameworks
from clientlib.features import customer_facts
from clientlib.io import read_transactions

facts_df = facts.to_pandas()
summary = btyd.summary_from_facts(facts_df, "days")
bg = btyd.BetaGeoModel().fit(summary["frequency"], summary["recency"], summary["T"])
summary["p_alive"] = bg.p_alive(summary["frequency"], summary["recency"], summary["T"])

# Exercise 1: active needs P(alive) >= 0.8
answer = int((summary["p_alive"] >= 0.8).sum())
exercises.check("btyd_active_08", answer, facts=facts, lang=lang)

# Exercise 2: dormant by the rule, active for the model, at least one repeat purchase
life = frameworks.load("lifecycle").classify(facts).to_pandas()[["customer_id", "class"]]
both = life.merge(summary, on="customer_id")
answer = int(((both["class"] == "dormant") & (both["p_alive"] >= 0.7)
              & (both["frequency"] > 0)).sum())  # fmt: skip
exercises.check("btyd_rule_dormant_model_active", answer, facts=facts, lang=lang)

# Exercise 3: CDNOW, share of the rule's dormant who bought in the holdout
cdnow = datasets.load_cdnow_sample()
cal = btyd.calibration_summary(cdnow, "1997-09-30", "1998-06-30", timestamp="date")
tx = read_transactions(cdnow, datasets.CDNOW_MAPPING, analysis_date="1997-10-01")
cd_life = frameworks.load("lifecycle").classify(customer_facts(tx)).to_pandas()
judged = cd_life[["customer_id", "class"]].merge(cal, on="customer_id")
answer = float((judged.loc[judged["class"] == "dormant", "frequency_holdout"] > 0).mean())
exercises.check("btyd_cdnow_dormant_came_back", answer, cdnow=cdnow, lang=lang)

# Exercise 4 (open): a model answer; the points to look for are in 09_btyd_rubric.md
answer = (
    "Not as it stands. BG/NBD gives one-off buyers P(alive) = 1 because in the model a customer "
    "can only leave right after a purchase, so the campaign would never reach them, while the "
    "holdout shows most of them did not come back. Among repeat buyers the model is better than "
    "one cycle: its likely_lost came back far less often than its active. I would combine them "
    "(rule for one-off buyers, model for repeat buyers), set the thresholds from the cost of a "
    "contact against the CLV, and first check the calibration/holdout fit on our own data."
)
exercises.check("btyd_campaign_open", answer, lang=lang)
