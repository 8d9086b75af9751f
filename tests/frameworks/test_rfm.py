"""RFM scoring, the R rfm rule sets and the reproduction of the package's published result."""

from __future__ import annotations

import warnings

import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientlib import frameworks, rfm
from clientlib.frameworks import RulebookError

R_CUTS = {
    "recency": [115.0, 181.0, 297.4, 482.0],
    "frequency": [4.0, 5.0, 6.0, 8.0],
    "monetary": [255.8, 382.0, 506.4, 666.0],
}


@pytest.fixture(scope="module")
def r_facts(shared_data):
    """Customer facts of R rfm's rfm_data_orders at 2006-12-31, from clientlib's own pipeline."""
    from clientlib.features import customer_facts
    from clientlib.io import read_transactions

    path = shared_data / "rfm_data_orders.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    tx = read_transactions(
        path, {"timestamp": "order_date", "amount": "revenue"}, analysis_date="2006-12-31"
    )
    # materialise once: every test below reuses the same 995 rows
    return ibis.memtable(customer_facts(tx).to_pandas())


def facts_frame(recency, orders, spend) -> ibis.Table:
    n = len(orders)
    return ibis.memtable(
        pd.DataFrame(
            {
                "customer_id": [f"c{i:03d}" for i in range(n)],
                "recency_days": pd.array(recency, dtype="Int64"),
                "orders": pd.array(orders, dtype="Int64"),
                "total_spend": pd.array(spend, dtype="Float64"),
            }
        )
    )


# ------------------------------------------------------------------ R reproduction


def test_reproduces_r_rfm_published_champions(r_facts):
    rb = frameworks.load("rfm")
    out = rb.classify(r_facts).to_pandas()
    assert len(out) == 995
    for dim, cuts in R_CUTS.items():
        assert rb.resolved_params_["cut_points"][dim] == pytest.approx(cuts), dim
    s = rfm.segment_summary(out).set_index("class")
    assert s.loc["champions", "customers"] == 158
    assert s.loc["champions", "orders"] == 1234
    assert s.loc["champions", "revenue"] == pytest.approx(120178)
    assert s["customers"].sum() == 995
    assert s["customer_share"].sum() == pytest.approx(1.0)
    assert s["revenue_share"].sum() == pytest.approx(1.0)
    # first match: these boxes lie inside potential_loyalist, as in R
    assert "new_customers" not in s.index and "promising" not in s.index


def test_engine_cut_points_equal_numpy_type7(r_facts):
    df = r_facts.to_pandas()
    got = rfm.cut_points(r_facts, {"bins": 5, "edge_offset": 1})
    for dim, col in rfm.DIMENSIONS.items():
        want = np.quantile(df[col].astype(float), [0.2, 0.4, 0.6, 0.8], method="linear") + 1
        assert got[dim] == pytest.approx(list(want)), dim


def test_fixed_thresholds_give_the_same_segments(r_facts):
    quant = frameworks.load("rfm").classify(r_facts).to_pandas().set_index("customer_id")
    fixed_rb = frameworks.load(
        "rfm", params={"scoring": {"method": "thresholds", "thresholds": R_CUTS}}
    )
    fixed = fixed_rb.classify(r_facts).to_pandas().set_index("customer_id")
    pd.testing.assert_series_equal(quant["class"], fixed["class"].loc[quant.index])
    assert (quant[["R", "F", "M"]] == fixed.loc[quant.index, ["R", "F", "M"]]).all().all()


def test_r_docs_set_differs_only_by_hibernating(r_facts):
    tests_set = rfm.rulebook("r_tests").classify(r_facts).to_pandas().set_index("customer_id")
    docs_set = rfm.rulebook("r_docs").classify(r_facts).to_pandas().set_index("customer_id")
    docs_set = docs_set.loc[tests_set.index]
    changed = tests_set["class"] != docs_set["class"]
    assert set(tests_set.loc[changed, "class"]) == {"lost"}
    assert set(docs_set.loc[changed, "class"]) == {"hibernating"}
    assert (docs_set["class"] == "lost").sum() == 0  # unreachable under first match
    assert changed.sum() == 111


def test_simple_map_runs(r_facts):
    out = rfm.rulebook("simple").classify(r_facts).to_pandas()
    assert set(out["class"]) <= {"champions", "loyal", "new", "at_risk", "lost", "others"}
    assert (out["class"] == "champions").sum() == 158


# ------------------------------------------------------------------ scoring rules


def test_closed_left_and_right_at_cut_points():
    vals = [1.0, 2.0, 2.5, 3.0, 4.0]
    assert rfm.score_values(vals, [2.0, 3.0], closed="left").tolist() == [1, 2, 2, 3, 3]
    assert rfm.score_values(vals, [2.0, 3.0], closed="right").tolist() == [1, 1, 2, 2, 3]
    assert rfm.score_values(vals, [2.0, 3.0], reverse=True).tolist() == [3, 2, 2, 1, 1]


def test_recency_reversed_and_boundaries_in_engine():
    t = facts_frame([114, 115, 482, 481], [3, 4, 8, 7], [255.7, 255.8, 666.0, 665.9])
    rb = frameworks.load("rfm", params={"scoring": {"method": "thresholds", "thresholds": R_CUTS}})
    out = rb.classify(t).to_pandas().set_index("customer_id")
    assert out["R"].tolist() == [5, 4, 1, 2]
    assert out["F"].tolist() == [1, 2, 5, 4]
    assert out["M"].tolist() == [1, 2, 5, 4]
    right = frameworks.load(
        "rfm",
        params={"scoring": {"method": "thresholds", "thresholds": R_CUTS, "closed": "right"}},
    )
    out = right.classify(t).to_pandas().set_index("customer_id")
    assert out["R"].tolist() == [5, 5, 2, 2]  # 115 and 482 stay in the lower bin
    assert out["F"].tolist() == [1, 1, 4, 4]


def test_equal_values_share_a_bin_and_collapse_warns():
    t = facts_frame([10] * 8 + [20, 30], [1] * 8 + [2, 3], [5.0] * 8 + [6.0, 7.0])
    with pytest.warns(UserWarning, match="bins collapse"):
        rb = frameworks.load("rfm")
        out = rb.classify(t).to_pandas()
    assert out.groupby("frequency")["F"].nunique().eq(1).all()
    assert out.groupby("recency")["R"].nunique().eq(1).all()


@pytest.mark.parametrize("name", ["rfm", "rfm_r_docs", "rfm_simple"])
def test_non_buyers_and_returns_only_get_their_own_class(name):
    # c000 bought; c001 never did; c002's returns exceed its purchases (one paid order).
    t = facts_frame([5, None, 40], [2, 0, 1], [10.0, 0.0, -3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fw = frameworks.load(name).fit(t)
        out = fw.transform(t).to_pandas().set_index("customer_id")
    assert out.loc["c000", "class"] != "non_buyer"
    assert out.loc[["c001", "c002"], "class"].tolist() == ["non_buyer", "non_buyer"]
    assert out.loc[["c001", "c002"], ["R", "F", "M", "monetary"]].isna().all().all()
    assert out.loc["c002", "reason"] == "total_spend=-3 <= 0"
    # the cut points are learned from buyers only: c002's spend is not among them
    assert fw.params_["cut_points"]["monetary"] == [11.0] * 4


@pytest.mark.parametrize(
    ("scoring", "words"),
    [
        ({"bins": 1}, "bins"),
        ({"method": "kmeans"}, "method"),
        ({"closed": "both"}, "closed"),
        ({"method": "thresholds"}, "thresholds.recency needs 4"),
        (
            {"method": "thresholds", "thresholds": {**R_CUTS, "frequency": [5, 4, 6, 8]}},
            "ascending",
        ),
        ({"binz": 5}, "unknown key"),
    ],
)
def test_scoring_errors_at_load(scoring, words):
    with pytest.raises(RulebookError, match=words):
        frameworks.load("rfm", params={"scoring": scoring})


@settings(max_examples=20, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.integers(0, 20)), min_size=1, max_size=15),
    cuts=st.lists(st.integers(0, 20), min_size=1, max_size=4).map(sorted),
    closed=st.sampled_from(["left", "right"]),
    reverse=st.booleans(),
)
def test_engine_and_pandas_scores_agree(values, cuts, closed, reverse):
    s = pd.Series(values, dtype="Float64")
    t = ibis.memtable(pd.DataFrame({"i": range(len(s)), "x": s}))
    got = (
        t.select("i", y=rfm.score_expr(t.x, [float(c) for c in cuts], closed, reverse))
        .to_pandas()
        .sort_values("i")["y"]
    )
    want = rfm.score_values(s.astype("float64"), cuts, closed, reverse)
    assert [None if pd.isna(v) else int(v) for v in got] == [
        None if pd.isna(v) else int(v) for v in want
    ]


def test_quantile_cuts_match_numpy():
    x = [3, 1, 4, 1, 5, 9, 2, 6]
    assert rfm.quantile_cuts(x, 4) == pytest.approx(list(np.quantile(x, [0.25, 0.5, 0.75])))
    assert rfm.quantile_cuts([None, 2.0], 2, edge_offset=1) == [3.0]


def test_segment_summary_columns():
    df = pd.DataFrame(
        {
            "class": ["a", "b", "b"],
            "label": ["A", "B", "B"],
            "frequency": [1, 2, 2],
            "monetary": [10.0, 30.0, 60.0],
        }
    )
    s = rfm.segment_summary(df)
    assert s.columns.tolist() == [
        "class",
        "label",
        "customers",
        "orders",
        "revenue",
        "avg_order_value",
        "customer_share",
        "revenue_share",
    ]
    assert s.iloc[0].to_dict() | {} == {
        "class": "b",
        "label": "B",
        "customers": 2,
        "orders": 4,
        "revenue": 90.0,
        "avg_order_value": 22.5,
        "customer_share": pytest.approx(2 / 3),
        "revenue_share": 0.9,
    }
