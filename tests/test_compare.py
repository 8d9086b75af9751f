"""Tests for clientlib.compare: agreement metrics, matching, matrices and segment files."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency
from sklearn import metrics

from clientlib.compare import (
    adjusted_mutual_info,
    agreement_matrix,
    compare,
    compare_files,
    cramers_v,
    matching,
)

A = ["fan", "fan", "fan", "novice", "novice", "novice", "dormant", "dormant", "fan", "novice"]
B = [0, 0, 1, 1, 1, 1, 2, 2, 0, 2]


def test_metrics_equal_sklearn():
    ag = compare(A, B)
    assert ag.n == 10
    assert ag.ari == pytest.approx(metrics.adjusted_rand_score(A, B))
    assert ag.ami == pytest.approx(metrics.adjusted_mutual_info_score(A, B))
    assert ag.nmi == pytest.approx(metrics.normalized_mutual_info_score(A, B))
    assert ag.homogeneity == pytest.approx(metrics.homogeneity_score(A, B))
    assert ag.completeness == pytest.approx(metrics.completeness_score(A, B))
    assert ag.v_measure == pytest.approx(metrics.v_measure_score(A, B))


def test_cramers_v_by_hand():
    ag = compare(A, B)
    table = pd.crosstab(np.array(A), np.array(B)).to_numpy()
    chi2 = chi2_contingency(table, correction=False)[0]
    expected = math.sqrt(chi2 / (table.sum() * (min(table.shape) - 1)))
    assert ag.cramers_v == pytest.approx(expected)
    assert ag.chi2 == pytest.approx(chi2)
    assert cramers_v(np.array([[10, 0], [0, 10]]))[0] == pytest.approx(1.0)
    assert math.isnan(cramers_v(np.array([[3, 4]]))[0])


def test_crosstab_and_breakdown():
    ag = compare(A, B)
    assert ag.crosstab.loc["fan"].tolist() == [3, 1, 0]
    assert ag.crosstab.to_numpy().sum() == 10
    assert ag.breakdown["fan"] == {0: 0.75, 1: 0.25, 2: 0.0}
    for shares in ag.breakdown.values():
        assert sum(shares.values()) == pytest.approx(1.0)


def test_hungarian_purity_hand_case():
    # greedy would pair x->p (8) then y->q (1): 9; the best one-to-one is x->q, y->p: 7 + 6 = 13
    ct = pd.DataFrame([[8, 7], [6, 1]], index=["x", "y"], columns=["p", "q"])
    pairs, purity = matching(ct)
    assert pairs == [("x", "q", 7), ("y", "p", 6)]
    assert purity == pytest.approx(13 / 22)
    # rectangular: 2 classes vs 3 clusters, one cluster stays unmatched
    ct2 = pd.DataFrame([[5, 1, 4], [0, 6, 0]], index=["a", "b"], columns=[0, 1, 2])
    pairs2, purity2 = matching(ct2)
    assert pairs2 == [("a", 0, 5), ("b", 1, 6)]
    assert purity2 == pytest.approx(11 / 16)
    ag = compare(A, B)
    assert ag.matching == [("dormant", 2, 2), ("fan", 0, 3), ("novice", 1, 3)]
    assert ag.purity == pytest.approx(0.8)


def test_identical_labelings_agree_fully():
    ag = compare(["a", "b", "b", "c"], [7, 8, 8, 9])
    assert ag.ari == ag.ami == ag.v_measure == ag.purity == pytest.approx(1.0)
    assert ag.cramers_v == pytest.approx(1.0)


def test_series_aligned_on_index_and_counts_only_in():
    a = pd.Series(["x", "x", "y", "y"], index=["c1", "c2", "c3", "c4"], name="rules")
    b = pd.Series([1, 1, 2, 9], index=["c4", "c3", "c2", "c5"], name="kmeans")
    ag = compare(a, b)
    assert (ag.name_a, ag.name_b) == ("rules", "kmeans")
    assert ag.n == 3 and ag.only_in_a == 1 and ag.only_in_b == 1
    # c2: x->2, c3: y->1, c4: y->1
    assert ag.crosstab.loc["y", 1] == 2 and ag.crosstab.loc["x", 2] == 1


def test_arrays_of_different_length_rejected():
    with pytest.raises(ValueError, match="aligned"):
        compare([1, 2, 3], [1, 2])


def test_dataframes_joined_on_customer_id():
    a = pd.DataFrame({"customer_id": ["1", "2", "3"], "framework": "lifecycle",
                      "class": ["fan", "fan", "novice"]})
    b = pd.DataFrame({"customer_id": ["3", "2", "1"], "framework": "kmeans",
                      "class": ["c1", "c0", "c0"]})
    before = a.copy()
    ag = compare(a, b)
    pd.testing.assert_frame_equal(a, before)
    assert (ag.name_a, ag.name_b) == ("lifecycle", "kmeans")
    assert ag.purity == 1.0 and ag.ari == 1.0
    with pytest.raises(ValueError, match="no column 'label'.*columns found"):
        compare(a, b, on="label")
    dup = pd.concat([a, a.head(1)])
    with pytest.raises(ValueError, match="1 duplicated customer_id"):
        compare(dup, b)


def test_missing_labels_are_counted_and_warned():
    with pytest.warns(UserWarning, match="2 customer"):
        ag = compare(["x", None, "y", "y"], [1, 1, np.nan, 2])
    assert ag.n == 2 and ag.n_missing == 2


def test_to_dict_json_and_to_frame():
    ag = compare(A, B)
    d = json.loads(json.dumps(ag.to_dict()))
    assert d["n"] == 10
    assert d["crosstab"]["rows"] == ["dormant", "fan", "novice"]
    assert d["crosstab"]["counts"][1] == [3, 1, 0]
    assert d["scores"]["purity"] == pytest.approx(0.8)
    assert d["matching"][0] == {"a": "dormant", "b": "2", "count": 2}
    frame = ag.to_frame()
    assert list(frame.columns) == ["metric", "value"]
    assert set(frame["metric"]) >= {"ari", "ami", "nmi", "cramers_v", "purity", "v_measure"}
    single = compare(["x", "x"], [1, 2]).to_dict()
    assert single["scores"]["cramers_v"] is None
    json.dumps(single)


def test_agreement_matrix():
    rng = np.random.default_rng(0)
    idx = [f"c{i}" for i in range(60)]
    base = pd.Series(rng.integers(0, 3, 60), index=idx)
    labelings = {
        "rules": base.map({0: "a", 1: "b", 2: "c"}),
        "kmeans": base.sample(frac=1, random_state=0),  # same partition, shuffled order
        "noise": pd.Series(rng.integers(0, 4, 60), index=idx),
    }
    m = agreement_matrix(labelings)
    assert list(m.index) == list(m.columns) == ["rules", "kmeans", "noise"]
    np.testing.assert_allclose(np.diag(m), 1.0)
    np.testing.assert_allclose(m.to_numpy(), m.to_numpy().T)
    assert m.loc["rules", "kmeans"] == pytest.approx(1.0)
    expected = metrics.adjusted_mutual_info_score(base, labelings["noise"])
    assert m.loc["rules", "noise"] == pytest.approx(expected)
    ari = agreement_matrix(labelings, metric="ari")
    assert ari.loc["noise", "rules"] == pytest.approx(
        metrics.adjusted_rand_score(base, labelings["noise"])
    )
    with pytest.raises(ValueError, match="metric must be one of"):
        agreement_matrix(labelings, metric="homogeneity")


def _segment_csv(path, framework, ids, classes):
    pd.DataFrame({
        "customer_id": ids, "framework": framework, "class": classes,
        "label": [c.title() for c in classes], "reason": "rule", "action": "act",
    }).to_csv(path, index=False)


def test_compare_files(tmp_path):
    a, b = tmp_path / "lifecycle.csv", tmp_path / "kmeans.csv"
    _segment_csv(a, "lifecycle", ["007", "008", "009", "010"], ["fan", "fan", "novice", "lead"])
    _segment_csv(b, "kmeans", ["009", "008", "007", "011"], ["c1", "c0", "c0", "c2"])
    ag = compare_files(a, b)
    assert (ag.name_a, ag.name_b) == ("lifecycle", "kmeans")
    assert ag.n == 3 and ag.only_in_a == 1 and ag.only_in_b == 1  # ids kept as strings
    assert ag.purity == 1.0
    by_label = compare_files(a, b, on="label")
    assert "Fan" in by_label.crosstab.index
    with pytest.raises(ValueError, match="no column 'segment'; columns found"):
        compare_files(a, b, on="segment")


def test_compare_files_same_framework_named_by_file(tmp_path):
    a, b = tmp_path / "jan.csv", tmp_path / "feb.csv"
    _segment_csv(a, "lifecycle", ["1", "2"], ["fan", "novice"])
    _segment_csv(b, "lifecycle", ["1", "2"], ["fan", "fan"])
    ag = compare_files(a, b)
    assert ag.name_a == "lifecycle (jan)" and ag.name_b == "lifecycle (feb)"
    assert ag.crosstab.loc["novice", "fan"] == 1


@pytest.mark.parametrize("n", [20_000, 300_000])
@pytest.mark.parametrize("ka,kb", [(2, 2), (3, 7), (10, 4), (12, 12)])
def test_adjusted_mutual_info_equals_sklearn_on_large_inputs(n, ka, kb):
    rng = np.random.default_rng(n + 31 * ka + kb)
    # Skewed class sizes (one class holds most customers) and a partial agreement.
    a = np.minimum(rng.geometric(0.35, n) - 1, ka - 1)
    b = np.where(rng.random(n) < 0.6, a % kb, rng.integers(0, kb, n))
    expected = metrics.adjusted_mutual_info_score(a, b)
    assert adjusted_mutual_info(a, b) == pytest.approx(expected, abs=1e-10)
    # Labels of any type give the same value as their codes.
    assert adjusted_mutual_info(a.astype(str), b) == pytest.approx(expected, abs=1e-10)


def test_adjusted_mutual_info_edge_cases_follow_sklearn():
    for a, b in [([0, 1], [0, 1]), ([0, 0], [1, 1]), ([0, 0, 1], [2, 2, 2]), ([5], [7])]:
        assert adjusted_mutual_info(a, b) == metrics.adjusted_mutual_info_score(a, b)
    with pytest.raises(ValueError, match="different lengths"):
        adjusted_mutual_info([0, 1], [0])
