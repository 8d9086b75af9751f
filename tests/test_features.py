"""Customer facts: hand-checked values, the analysis-date cut, row order, lifetimes and Spark."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _frames import assert_same_rows

from clientlib import datasets
from clientlib.features import FACT_COLUMNS, customer_facts, rfm_summary
from clientlib.io import read_customers, read_events, read_transactions

TX = pd.DataFrame(
    {
        "customer_id": ["a", "a", "a", "a", "b", "c"],
        "order_id": ["o1", "o1", "o2", "o3", "o4", "o5"],
        "timestamp": [
            "2024-01-01 10:00",
            "2024-01-01 10:00",
            "2024-01-11",
            "2024-01-31",
            "2024-01-20",
            "2024-01-25",
        ],
        "amount": [10.0, 20.0, 30.0, -5.0, 0.0, 50.0],
        "discount": [0.0, 0.5, 0.0, 0.0, 1.0, 0.0],
        "is_express": [True, False, False, False, False, True],
        "is_premium": [False, False, True, False, False, True],
    }
)
EV = pd.DataFrame(
    {
        "customer_id": ["a", "a", "d", "d", "d", "e", "c"],
        "timestamp": [
            "2024-01-05",
            "2024-01-15",
            "2024-01-02",
            "2024-01-03",
            "2024-01-10",
            "2024-01-20",
            "2024-01-28",
        ],
        "kind": [
            "contact",
            "complaint",
            "lead",
            "negotiation",
            "postponement",
            "referral",
            "dossier_review",
        ],
        "sentiment": [1, None, None, None, None, None, None],
    }
)


def facts_of(tx=TX, ev=EV, cu=None, analysis_date="2024-02-01"):
    t = read_transactions(tx, analysis_date=analysis_date)
    e = read_events(ev, analysis_date=t.analysis_date) if ev is not None else None
    c = read_customers(cu) if cu is not None else None
    return customer_facts(t, e, c).to_pandas().set_index("customer_id")


def test_hand_checked_facts():
    f = facts_of()
    assert list(f.index) == ["a", "b", "c", "d", "e"]
    a, b, d = f.loc["a"], f.loc["b"], f.loc["d"]
    # a: orders o1 (2 lines, 30.0, one discounted line, express) and o2 (premium); o3 is a return.
    assert a.orders == 2 and a.purchase_days == 2
    assert a.total_spend == pytest.approx(55.0)  # 10 + 20 + 30 - 5: returns are netted
    assert a.avg_spend == pytest.approx(27.5)
    assert a.recency_days == 21 and a.tenure_days == 31 and a.median_gap_days == 10
    assert (a.discount_share, a.express_share, a.premium_share, a.free_share) == (
        0.5,
        0.5,
        0.5,
        0.0,
    )
    assert a.contacts == 1 and a.touchpoints == 1
    assert (
        a.complaints_since_last_purchase == 1
    )  # complaint on 15 Jan, after the purchase of 11 Jan
    assert a.days_since_positive_contact == 27 and a.days_since_negative_contact == 17
    assert (a["frequency"], a["recency"], a["T"]) == (1.0, 10.0, 31.0)
    # b: one free order (100% discount, amount 0) is an order and a free one.
    assert b.orders == 1 and b.free_share == 1.0 and b.total_spend == 0.0
    # d: never bought, in talks since 3 Jan, postponed once.
    assert d.orders == 0 and np.isnan(d.recency_days) and d.touchpoints == 2
    assert d.open_negotiations == 1 and d.negotiation_age_days == 29 and d.postponements == 1
    assert f.loc["e"].referrals == 1
    assert f.loc["c"].days_since_dossier_review == 4
    assert set(FACT_COLUMNS) <= {"customer_id", *f.columns}
    assert (f["analysis_date"] == pd.Timestamp("2024-02-01")).all()


def test_customer_attributes_are_joined_and_non_buyers_appear():
    cu = pd.DataFrame({"customer_id": ["a", "z"], "has_money": [True, False]})
    f = facts_of(cu=cu)
    assert "z" in f.index and f.loc["z"].orders == 0
    assert bool(f.loc["a"].has_money) is True


def test_nothing_after_the_analysis_date_counts():
    later = pd.DataFrame(
        {
            "customer_id": ["a", "f"],
            "order_id": ["o9", "o10"],
            "timestamp": ["2024-02-01", "2024-03-05"],
            "amount": [999.0, 5.0],
            "discount": [0.0, 0.0],
            "is_express": [False, False],
            "is_premium": [False, False],
        }
    )
    late_ev = pd.DataFrame(
        {
            "customer_id": ["a"],
            "timestamp": ["2024-02-02"],
            "kind": ["complaint"],
            "sentiment": [None],
        }
    )
    base = facts_of()
    more = facts_of(pd.concat([TX, later]), pd.concat([EV, late_ev]))
    pd.testing.assert_frame_equal(base, more)


def test_row_order_does_not_matter():
    shuffled = TX.sample(frac=1.0, random_state=3)
    pd.testing.assert_frame_equal(facts_of(), facts_of(shuffled, EV.iloc[::-1]))


def test_default_analysis_date_is_carried_from_the_reader():
    t = read_transactions(TX)
    f = customer_facts(t).to_pandas()
    assert (f["analysis_date"] == pd.Timestamp("2024-02-01")).all()
    assert f.set_index("customer_id").loc["a"].recency_days == 21


def test_lifetimes_summary_matches_on_cdnow():
    """With the defaults, CDNOW reads as published (23,570 customers, 69,659 purchases,
    2,500,315.63) and frequency/recency/T equal lifetimes' summary of ALL its rows."""
    lifetimes_utils = pytest.importorskip(
        "lifetimes.utils", reason="lifetimes is not installed (pip install '.[bench]')"
    )
    ds = datasets.load("cdnow")
    loaded = read_transactions(ds.transactions, ds.mapping)
    q = loaded.quality
    assert q.rows_read == q.rows_used == 69_659 and q.excluded == {}
    assert q.customers == 23_570 and round(q.revenue, 2) == 2_500_315.63
    # The published cohort keeps the 255 repeated same-day lines and the $0 purchases.
    assert q.notes["duplicates_kept"] > 0 and q.notes["zero_amount_lines_kept"] > 0
    ours = (
        customer_facts(loaded).to_pandas().set_index("customer_id")[["frequency", "recency", "T"]]
    )
    raw = ds.transactions.rename(columns={"date": "timestamp"})  # the vendored file, all rows
    theirs = lifetimes_utils.summary_data_from_transaction_data(
        raw, "customer_id", "timestamp", observation_period_end=pd.Timestamp(loaded.analysis_date)
    )
    theirs.index = theirs.index.astype(str)
    assert len(ours) == len(theirs) == 23_570
    pd.testing.assert_frame_equal(
        ours.sort_index(),
        theirs.sort_index()[["frequency", "recency", "T"]],
        check_names=False,
        check_index_type=False,
    )


@pytest.mark.spark
def test_duckdb_and_spark_give_identical_facts(spark_con):
    ds = datasets.load("workshop", n_customers=300, seed=7)
    t = read_transactions(ds.transactions, ds.mapping)
    e = read_events(ds.events, analysis_date=t.analysis_date)
    c = read_customers(ds.customers)
    expr = customer_facts(t, e, c)
    duck = expr.to_pandas()
    spark = spark_con.to_pandas(expr)
    assert len(duck) == 300
    assert_same_rows(duck, spark, [c for c in duck.columns if c in FACT_COLUMNS])
    summary = rfm_summary(t)
    assert_same_rows(summary.to_pandas(), spark_con.to_pandas(summary), SUMMARY_COLUMNS)


SUMMARY_COLUMNS = [
    "customer_id",
    "analysis_date",
    "orders",
    "purchase_days",
    "total_spend",
    "first_purchase",
    "last_purchase",
    "recency_days",
    "frequency",
    "recency",
    "T",
]


def _summary_and_facts(loaded):
    facts = customer_facts(loaded).to_pandas()[SUMMARY_COLUMNS]
    return rfm_summary(loaded).to_pandas(), facts


def test_rfm_summary_equals_the_same_facts():
    # Order lines, a return-only customer, a free order and a return inside the window.
    tx = pd.concat(
        [TX, pd.DataFrame({"customer_id": ["r"], "timestamp": ["2024-01-09"], "amount": [-4.0]})],
        ignore_index=True,
    )
    summary, facts = _summary_and_facts(read_transactions(tx, analysis_date="2024-02-01"))
    pd.testing.assert_frame_equal(summary, facts, check_dtype=False)
    r = summary.set_index("customer_id").loc["r"]
    assert r.orders == 0 and r.total_spend == -4.0 and pd.isna(r.frequency)
    ds = datasets.load("workshop", n_customers=400, seed=11)
    summary, facts = _summary_and_facts(read_transactions(ds.transactions, ds.mapping))
    assert len(summary) > 300
    pd.testing.assert_frame_equal(summary, facts, check_dtype=False)


def test_rfm_summary_equals_the_facts_on_cdnow():
    ds = datasets.load("cdnow")
    loaded = read_transactions(ds.transactions, ds.mapping)
    summary, facts = _summary_and_facts(loaded)
    assert len(summary) == 23_570  # every customer, the $0-only ones included
    pd.testing.assert_frame_equal(summary, facts, check_dtype=False)


@pytest.mark.spark
def test_lines_without_order_ids_give_identical_facts_on_spark(spark_con):
    # Without an order_id column the order id is a constant null and the order grouping is
    # skipped (features._orders); Spark must agree with DuckDB on that path too.
    tx = TX.drop(columns=["order_id"])
    loaded = read_transactions(tx, analysis_date="2024-02-01")
    for expr, cols in (
        (customer_facts(loaded), list(FACT_COLUMNS)),
        (rfm_summary(loaded), SUMMARY_COLUMNS),
    ):
        assert_same_rows(expr.to_pandas(), spark_con.to_pandas(expr), cols)
    facts = customer_facts(loaded).to_pandas().set_index("customer_id")
    assert facts.loc["a", "orders"] == 3  # three paid lines, three one-line orders (and a return)
