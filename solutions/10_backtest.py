"""Solutions to the exercises of lesson notebooks/src/10_backtest.py (rubric of the open question:
10_backtest_rubric.md)."""

import warnings

from _data import lang

from clientlib import backtest, datasets, exercises

cdnow = datasets.load_cdnow_sample()
with warnings.catch_warnings():  # RFM's note on CDNOW's repeated frequencies
    warnings.simplefilter("ignore")
    cd = backtest.run_backtest("cdnow_sample", cutoff="1997-09-30", lang=lang)

# Exercise 1: customers with a purchase in the holdout, from the raw rows
held = cdnow[(cdnow["date"] > "1997-09-30") & (cdnow["date"] <= "1998-06-30")]
answer = held["customer_id"].nunique()
exercises.check("backtest_cdnow_came_back", answer, cdnow=cdnow, lang=lang)

# Exercise 2: the lifecycle's repeat gap (classes of 10 or more customers)
life = cd.by_class[(cd.by_class["framework"] == "lifecycle") & (cd.by_class["customers"] >= 10)]
answer = life["bought_again"].max() - life["bought_again"].min()
exercises.check("backtest_lifecycle_gap", answer, cdnow=cdnow, lang=lang)

# Exercise 3: BG/NBD's shortfall as a share of the observed repeat purchases
answer = (cd.btyd["observed"] - cd.btyd["predicted"]) / cd.btyd["observed"]
exercises.check("backtest_bgnbd_shortfall", answer, cdnow=cdnow, lang=lang)

# Exercise 4 (open): a model answer; the points to look for are in 10_backtest_rubric.md
best = cd.ranking.iloc[0]["framework"]
answer = (
    f"Not on {best} alone. The ranking measures one outcome, whether a customer bought again in "
    "this holdout, not revenue or how a customer answers a campaign, and each class's action has "
    "to make sense for the business. I would repeat the backtest at other cutoffs (another "
    "season) and with another holdout length, read the gap and the mutual information with the "
    "class sizes, and combine it with the value tiers; the checks then tell me whether to change "
    "the purchase cycle or the P(alive) thresholds."
)
exercises.check("backtest_act_on_ranking_open", answer, lang=lang)
