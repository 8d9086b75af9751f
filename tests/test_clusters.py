"""Tests for clientlib.clusters: the k-means estimator, choose_k, profiles and names."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.exceptions import NotFittedError
from sklearn.metrics import adjusted_rand_score

from clientlib.clusters import (
    RFM_FEATURES,
    CustomerClusters,
    choose_k,
    elbow,
    kmeans_segments,
    name_clusters,
    profile,
)

# four well-separated blobs in log space (recency, orders, spend), all values positive
CENTERS = [[1.5, 2.5, 7.0], [5.0, 0.7, 3.0], [1.5, 0.7, 4.0], [5.0, 2.5, 6.5]]


def blobs(n: int = 800, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    pts, y = make_blobs(n_samples=n, centers=CENTERS, cluster_std=0.2, random_state=seed)
    facts = pd.DataFrame(np.expm1(pts), columns=list(RFM_FEATURES))
    facts.insert(0, "customer_id", [f"c{i:04d}" for i in range(n)])
    return facts, y


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, np.ndarray]:
    return blobs()


@pytest.fixture(scope="module")
def fitted(data) -> CustomerClusters:
    return CustomerClusters(n_clusters=4).fit(data[0])


def test_blobs_are_recovered(data, fitted):
    facts, y = data
    assert adjusted_rand_score(y, fitted.labels_) > 0.9
    assert fitted.labels_.shape == (len(facts),)
    assert fitted.n_features_in_ == 3
    assert list(fitted.feature_names_in_) == list(RFM_FEATURES)


def test_cluster_ids_ordered_by_size(fitted):
    sizes = np.bincount(fitted.labels_)
    assert list(sizes) == sorted(sizes, reverse=True)
    assert fitted.profiles_["size"].tolist() == sizes.tolist()


def test_centers_in_original_units(fitted):
    centres = fitted.cluster_centers_
    assert list(centres.columns) == list(RFM_FEATURES)
    expected = np.expm1(np.asarray(CENTERS))
    # every fitted centre is close (in log space) to one true centre
    for _, row in centres.iterrows():
        gap = np.abs(np.log1p(row.to_numpy()) - np.log1p(expected)).max(axis=1)
        assert gap.min() < 0.1


def test_predict_transform_fit_predict(data, fitted):
    facts, _ = data
    np.testing.assert_array_equal(fitted.predict(facts), fitted.labels_)
    dist = fitted.transform(facts)
    assert dist.shape == (len(facts), 4)
    np.testing.assert_array_equal(dist.argmin(axis=1), fitted.labels_)
    np.testing.assert_array_equal(CustomerClusters(4).fit_predict(facts), fitted.labels_)
    assert list(fitted.get_feature_names_out()) == [f"distance_{i}" for i in range(4)]
    assert fitted.score(facts) == pytest.approx(-fitted.inertia_)
    assert fitted.label_names().tolist()[:3] == [fitted.names_[i] for i in fitted.labels_[:3]]


def test_same_seed_same_clusters_and_names(data, fitted):
    again = CustomerClusters(n_clusters=4, random_state=0).fit(data[0])
    np.testing.assert_array_equal(again.labels_, fitted.labels_)
    assert again.names_ == fitted.names_
    pd.testing.assert_frame_equal(again.cluster_centers_, fitted.cluster_centers_)


def expected_names(facts: pd.DataFrame, labels) -> dict[int, str]:
    """Names written out from the stated rule, with pandas alone: each cluster's medians against
    recent <= 90 < cooling <= 180 < lapsed days, one-time <= 1 < repeat <= 4 < frequent orders,
    and the buyers' spend terciles."""
    med = facts[list(RFM_FEATURES)].astype(float).groupby(np.asarray(labels)).median()
    q33, q67 = facts["total_spend"].astype(float).quantile([1 / 3, 2 / 3])

    def word(v, lo, hi, words):
        return words[0] if v <= lo else words[2] if v > hi else words[1]

    return {
        int(c): " · ".join([
            word(r.recency_days, 90, 180, ["Recent", "Cooling", "Lapsed"]),
            word(r.orders, 1, 4, ["one-time", "repeat", "frequent"]),
            word(r.total_spend, q33, q67, ["low spend", "mid spend", "high spend"]),
        ])
        for c, r in med.iterrows()
    }


def test_names_follow_the_medians_and_are_unique(data, fitted):
    names = fitted.names_
    assert len(set(names.values())) == 4
    assert names == expected_names(data[0], fitted.labels_)


def test_names_override(data):
    model = CustomerClusters(n_clusters=4, names={0: "VIP"}).fit(data[0])
    assert model.names_[0] == "VIP"
    assert model.names == {0: "VIP"}
    with pytest.raises(ValueError, match="outside 0..3"):
        CustomerClusters(n_clusters=4, names={7: "x"}).fit(data[0])


def test_params_and_clone():
    model = CustomerClusters(n_clusters=3, features=("orders", "total_spend"), large_n=10)
    params = model.get_params()
    assert params["features"] == ("orders", "total_spend")
    assert params["n_clusters"] == 3 and params["large_n"] == 10
    twin = clone(model)
    assert twin.get_params() == params
    twin.set_params(n_clusters=5)
    assert twin.n_clusters == 5 and model.n_clusters == 3


def test_not_fitted():
    with pytest.raises(NotFittedError):
        CustomerClusters().predict(pd.DataFrame({f: [1.0] for f in RFM_FEATURES}))


def test_input_not_modified(data):
    facts = data[0]
    before = facts.copy()
    CustomerClusters(n_clusters=2).fit(facts)
    pd.testing.assert_frame_equal(facts, before)


def test_sampled_fit_past_large_n(data):
    facts, y = data
    model = CustomerClusters(n_clusters=4, large_n=300).fit(facts)
    assert model.fit_sample_size_ == 300
    assert len(model.labels_) == len(facts)
    assert adjusted_rand_score(y, model.labels_) > 0.9
    np.testing.assert_array_equal(model.predict(facts), model.labels_)
    again = CustomerClusters(n_clusters=4, large_n=300).fit(facts)
    np.testing.assert_array_equal(again.labels_, model.labels_)


def test_other_features_and_array_input(data):
    facts, y = data
    model = CustomerClusters(n_clusters=2, features=("orders",)).fit(facts)
    assert model.n_features_in_ == 1
    arr = facts[list(RFM_FEATURES)].to_numpy()
    m2 = CustomerClusters(n_clusters=4).fit(arr)
    assert adjusted_rand_score(y, m2.labels_) > 0.9


def test_null_recency_raises_with_count_and_fix():
    facts = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "recency_days": [3.0, None, 10.0, None],
            "orders": [2, 0, 1, 0],
            "total_spend": [10.0, 0.0, 5.0, 0.0],
        }
    )
    with pytest.raises(ValueError, match=r"'recency_days' has 2 null") as err:
        CustomerClusters(n_clusters=2).fit(facts)
    assert "orders" in str(err.value) and "'b'" in str(err.value)
    buyers = facts[facts["orders"] > 0]
    assert len(CustomerClusters(n_clusters=2).fit(buyers).labels_) == 2


def test_missing_column_named():
    facts = pd.DataFrame({"orders": [1, 2], "total_spend": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"\['recency_days'\].*columns found.*orders"):
        CustomerClusters(n_clusters=2).fit(facts)


def test_negative_values_rejected_unless_log_off():
    facts = pd.DataFrame(
        {"recency_days": [1, 2, 3, 40], "orders": [1, 2, 3, 4], "total_spend": [5, -1, 7, 80]}
    )
    with pytest.raises(ValueError, match=r"'total_spend' has 1 negative.*clip"):
        CustomerClusters(n_clusters=2).fit(facts)
    assert len(CustomerClusters(n_clusters=2, log=False).fit(facts).labels_) == 4


def test_too_few_distinct_points():
    facts = pd.DataFrame({"recency_days": [1, 1, 1, 5], "orders": [2, 2, 2, 1],
                          "total_spend": [9, 9, 9, 3]})
    with pytest.raises(ValueError, match="Only 2 distinct customers"):
        CustomerClusters(n_clusters=3).fit(facts)


def test_choose_k_picks_four():
    facts, _ = blobs(600, seed=1)
    kc = choose_k(facts, k_range=range(2, 8), sample_size=400, n_seeds=3, n_init=3)
    assert kc.recommended_k == 4
    assert kc.elbow_k == 4
    assert list(kc.table.index) == list(range(2, 8))
    assert set(kc.table.columns) == {
        "inertia", "silhouette", "calinski_harabasz", "davies_bouldin", "stability",
    }
    assert kc.table.loc[4, "stability"] > 0.99
    assert kc.table["inertia"].is_monotonic_decreasing
    assert kc.reason.startswith("k = 4: the best silhouette") and kc.best_k == 4
    assert kc.sample_size == 400 and kc.n_samples == 600
    json.dumps(kc.to_dict())


def test_choose_k_deterministic_and_sampled_fit():
    facts, _ = blobs(500, seed=2)
    a = choose_k(facts, range(2, 6), sample_size=200, n_seeds=2, n_init=2, large_n=250)
    b = choose_k(facts, range(2, 6), sample_size=200, n_seeds=2, n_init=2, large_n=250)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.recommended_k == 4


def test_choose_k_rejects_bad_range(data):
    with pytest.raises(ValueError, match=">= 2"):
        choose_k(data[0], k_range=[1, 2])


def test_elbow_hand_case():
    assert elbow([1, 2, 3, 4, 5], [100, 40, 12, 10, 9]) == 3
    assert elbow([2, 3], [5, 1]) == 2


def test_profile_values():
    df = pd.DataFrame({"orders": [1, 1, 5, 7, 3], "total_spend": [10.0, 20, 30, 40, 50]})
    before = df.copy()
    p = profile(df, [1, 1, 0, 0, 2], ["orders", "total_spend"])
    pd.testing.assert_frame_equal(df, before)
    assert p.index.tolist() == [0, 1, 2]
    assert p["size"].tolist() == [2, 2, 1]
    assert p["share"].sum() == pytest.approx(1.0)
    assert p.loc[0, "orders_mean"] == 6.0 and p.loc[0, "orders_median"] == 6.0
    assert p.loc[1, "total_spend_rel"] == pytest.approx(15 / 30 - 1)
    assert p.attrs["population"]["orders"]["mean"] == pytest.approx(3.4)
    z = np.log1p(df["orders"])
    z = (z - z.mean()) / z.std(ddof=0)
    assert p.loc[0, "orders_z"] == pytest.approx(z[[2, 3]].mean())


def test_name_clusters_hand_case_languages_overlap_duplicates():
    df = pd.DataFrame({"recency_days": [5, 6, 300, 320, 150, 160],
                       "orders": [9, 8, 1, 1, 4, 4],
                       "total_spend": [900, 1000, 20, 10, 300, 310]})
    labels = [0, 0, 1, 1, 2, 2]
    p = profile(df, labels)
    # medians: 5.5 / 310 / 155 days, 8.5 / 1 / 4 orders, 950 / 15 / 305 against spend terciles
    # 206.7 and 506.7 (computed by hand from the six values)
    assert name_clusters(p) == {
        0: "Recent · frequent · high spend",
        1: "Lapsed · one-time · low spend",
        2: "Cooling · repeat · mid spend",
    }
    assert name_clusters(p, levels={"recency_days": (200, 400)})[2].startswith("Recent")
    # a hand-made table with the relative columns only (mean vs population mean) still names
    rel_only = p.drop(columns=[c for c in p.columns if c.endswith(("_z", "_median"))])
    assert name_clusters(rel_only)[0] == "Recent · frequent · high spend"
    assert name_clusters(p, lang="ru") == {
        0: "недавние · частые · большие траты",
        1: "ушедшие · разовые · малые траты",
        2: "остывающие · повторные · средние траты",
    }
    seg = ["Champions", "Champions", "Lost", "Hibernating", "At risk", "At risk"]
    named = name_clusters(p, labels=labels, segments=seg)
    assert named[0].endswith("(≈ Champions 100%)")
    assert named[1].endswith("(≈ Hibernating 50%)")  # tie broken alphabetically
    dup = profile(df, [0, 0, 1, 1, 1, 1], ["orders"])
    dup2 = pd.concat([dup, dup.rename(index={0: 2, 1: 3})])
    assert name_clusters(dup2) == {
        0: "Frequent", 1: "Repeat", 2: "Frequent (2)", 3: "Repeat (2)"
    }
    with pytest.raises(ValueError, match="lang"):
        name_clusters(p, lang="de")
    # the same words for two clusters: told apart by the median that differs most (recency)
    twins = pd.DataFrame({"recency_days": [200, 220, 500, 520, 5, 6], "orders": [1, 1, 1, 1, 9, 9],
                          "total_spend": [10, 12, 11, 12, 900, 950]})
    named = name_clusters(profile(twins, [0, 0, 1, 1, 2, 2]))
    assert named[0] == "Lapsed · one-time · low spend (median recency (days): 210)"
    assert named[1] == "Lapsed · one-time · low spend (median recency (days): 510)"
    assert name_clusters(profile(twins, [0, 0, 1, 1, 2, 2]), lang="ru")[1] == (
        "ушедшие · разовые · малые траты (медиана «давность (дней)»: 510)"
    )


def test_kmeans_segments_table(data):
    facts = data[0].copy()
    facts["orders"] = facts["orders"].round() + 1
    extra = pd.DataFrame({"customer_id": ["zz"], "recency_days": [np.nan], "orders": [0],
                          "total_spend": [0.0]})
    facts = pd.concat([facts.iloc[:100], extra, facts.iloc[100:]], ignore_index=True)
    table, model, kc = kmeans_segments(facts, k="auto", k_range=range(2, 6))
    assert list(table.columns) == ["customer_id", "framework", "class", "label", "reason",
                                   "action"]
    assert table["customer_id"].tolist() == facts["customer_id"].tolist()
    assert table.loc[100, "class"] == "not_clustered"
    assert kc is not None and model.n_clusters == kc.recommended_k == 4
    assert table["class"].nunique() == 5
    assert table.loc[0, "reason"].startswith("nearest k-means centre")


@pytest.mark.parametrize("working_memory", [1, 128])
def test_silhouette_from_precomputed_distances_is_sklearns_to_the_bit(monkeypatch, working_memory):
    """choose_k computes the sample's distances once for every k; each silhouette must still be
    exactly sklearn's own ``silhouette_score`` (checked across several chunks)."""
    from sklearn.metrics import silhouette_score

    from clientlib import clusters

    monkeypatch.setattr(clusters, "_WORKING_MEMORY", working_memory)
    monkeypatch.setattr(clusters, "_FILL_MEMORY", working_memory)
    Z = np.random.default_rng(3).normal(size=(1500, 3))
    D = clusters._distances(Z)
    for k in (2, 3, 5):
        labels = np.arange(len(Z)) % k
        assert clusters._silhouette(Z, labels, D) == silhouette_score(Z, labels)


def test_kmeans_framework_fits_on_the_seeded_sample_of_buyers():
    """Above sample_size the buyers are sampled by id (drawn in Python, joined in the engine):
    the model is the one fitted on exactly those rows, selected here with pandas."""
    import ibis
    from sklearn.utils import check_random_state

    from clientlib.clusters import CustomerClusters, KMeansFramework

    rng = np.random.default_rng(5)
    n = 400
    facts = pd.DataFrame({
        "customer_id": [f"c{i:04d}" for i in rng.permutation(n)],
        "orders": rng.integers(0, 6, n),
        "recency_days": rng.integers(0, 500, n).astype(float),
        "total_spend": rng.lognormal(4, 1, n),
    })
    fw = KMeansFramework(k=3, sample_size=120, random_state=7).fit(ibis.memtable(facts))
    buyers = facts[facts["orders"] > 0]
    ids = buyers["customer_id"].to_numpy()
    keep = np.sort(ids[check_random_state(7).choice(len(ids), size=120, replace=False)])
    sample = buyers[buyers["customer_id"].isin(keep)].sort_values("customer_id")
    expected = CustomerClusters(n_clusters=3, random_state=7).fit(sample.astype(
        {"recency_days": float, "orders": float, "total_spend": float}))
    assert fw.n_buyers_ == len(buyers) and len(fw.model_.labels_) == 120
    np.testing.assert_array_equal(fw.model_.labels_, expected.labels_)


# ---- k for people, and what KChoice says (issue 21)


def k_table(sil, stab) -> pd.DataFrame:
    ks = range(2, 2 + len(sil))
    return pd.DataFrame(
        {"inertia": [10.0 / k for k in ks], "silhouette": sil, "stability": stab},
        index=pd.Index(ks, name="k"),
    )


@pytest.mark.parametrize(
    ("sil", "stab", "best", "chosen", "key"),
    [
        # k = 2 best; 3 and 4 within 0.15, 3 the better separated of them
        ([0.48, 0.37, 0.34, 0.30], [1.0, 0.97, 0.9, 0.9], 2, 3, "clusters.k_people"),
        # 3 is unstable: the next stable k of 3..6 within 0.15 is taken
        ([0.48, 0.40, 0.36, 0.30], [1.0, 0.5, 0.9, 0.9], 2, 4, "clusters.k_people"),
        # nothing in 3..6 within 0.15 of the best: the evidence's best, said so
        ([0.70, 0.40, 0.36, 0.30], [1.0, 0.97, 0.9, 0.9], 2, 2, "clusters.k_best_only"),
        # the best is already in 3..6
        ([0.40, 0.45, 0.36, 0.30], [1.0, 0.97, 0.9, 0.9], 3, 3, "clusters.k_best"),
        # nothing stable: the best silhouette overall, no preference claimed
        ([0.48, 0.37, 0.34, 0.30], [0.5, 0.5, 0.5, 0.5], 2, 2, "clusters.k_unstable"),
        # stability not measured (one seed): said so
        ([0.48, 0.37, 0.34, 0.30], [np.nan] * 4, 2, 2, "clusters.k_unmeasured"),
    ],
)
def test_pick_k_prefers_three_to_six_within_the_tolerance(sil, stab, best, chosen, key):
    from clientlib.clusters import pick_k

    b, c, k, fields = pick_k(k_table(sil, stab))
    assert (b, c, k) == (best, chosen, key)
    assert fields["k"] == chosen
    if key == "clusters.k_people":
        assert fields["best_k"] == best and fields["best_sil"] == sil[best - 2]
        assert fields["sil"] == sil[chosen - 2] >= sil[best - 2] - 0.15


def test_kchoice_sentence_in_both_languages():
    from clientlib.clusters import KChoice, pick_k

    best, chosen, key, fields = pick_k(k_table([0.44, 0.41, 0.3, 0.2], [1, 1, 1, 1]))
    kc = KChoice(k_table([0.44, 0.41, 0.3, 0.2], [1, 1, 1, 1]), 3, chosen, "",
                 best_k=best, reason_key=key, reason_fields=fields)
    assert kc.sentence("en").startswith("k = 3: the best-separated choice among 3 to 6 clusters")
    assert "silhouette 0.41 against the best 0.44 at k = 2" in kc.sentence("en")
    assert "силуэт 0,41 против лучшего 0,44 при k = 2" in kc.sentence("ru")
    json.dumps(kc.to_dict())


@pytest.fixture(scope="module")
def workshop():
    from clientlib import lessons
    from clientlib.features import customer_facts

    inputs = lessons.load_inputs(n_customers=2000, seed=0)
    return inputs, customer_facts(inputs.transactions, inputs.events, inputs.customers)


def test_auto_k_on_the_workshop_shop_is_one_people_can_use(workshop):
    from clientlib.clusters import KMeansFramework

    _, facts = workshop
    fw = KMeansFramework(lang="ru").fit(facts)
    kc = fw.kchoice_
    t = kc.table
    stable = t[t["stability"] >= 0.8]
    # the evidence alone (independent of pick_k): the best silhouette among stable k
    assert kc.best_k == int(stable["silhouette"].idxmax())
    assert 3 <= kc.recommended_k <= 6 and fw.params_["k"] == kc.recommended_k
    assert t.loc[kc.recommended_k, "stability"] >= 0.8
    assert t.loc[kc.recommended_k, "silhouette"] >= t.loc[kc.best_k, "silhouette"] - 0.15
    said = kc.sentence("ru")
    assert said.startswith(f"k = {kc.recommended_k}:")
    assert f"при k = {kc.best_k}" in said
    assert fw.naming_note_.startswith("Названия кластеров описывают медианного клиента")


def test_k_set_by_the_user_and_capped_by_the_buyers_is_said_once():
    import ibis

    from clientlib.clusters import KMeansFramework

    facts = ibis.memtable(pd.DataFrame({
        "customer_id": ["a", "b", "c", "d"], "recency_days": [3.0, 40.0, 300.0, None],
        "orders": [9, 3, 1, 0], "total_spend": [900.0, 200.0, 20.0, 0.0],
    }))
    capped = KMeansFramework(k=10).fit(facts)
    kc = capped.kchoice_
    assert capped.params_["k"] == kc.recommended_k == 3 and kc.requested == 10
    assert kc.sentence("en") == (
        "k = 3: 10 clusters were asked for, but only 3 buyers have distinct values"
    )
    assert "10" in kc.sentence("ru") and "3 покупателей" in kc.sentence("ru")
    assert kc.reason == kc.sentence("en")
    two = KMeansFramework(k=2, lang="ru").fit(facts).kchoice_
    assert two.recommended_k == 2 and two.sentence("ru") == (
        "k = 2 — задано в параметрах (не выбрано по данным)"
    )
    few = KMeansFramework(k="auto").fit(facts.filter(facts.customer_id != "c")).kchoice_
    assert few.recommended_k == 2 and few.requested == "auto"
    assert few.sentence("en").startswith("k = 2: only 2 buyers have distinct values")


def _names_at(facts_df: pd.DataFrame, k: int) -> tuple[dict[int, str], dict[int, str]]:
    import ibis

    from clientlib.clusters import KMeansFramework

    fw = KMeansFramework(k=k).fit(ibis.memtable(facts_df))
    out = fw.transform(ibis.memtable(facts_df)).to_pandas()
    buyers = out[out["class"] != "not_clustered"].merge(facts_df, on="customer_id")
    labels = buyers["class"].str.removeprefix("cluster_").astype(int)
    return fw.params_["names"], expected_names(buyers, labels.to_numpy())


@pytest.mark.parametrize("dataset", ["workshop", "cdnow"])
def test_names_follow_medians_and_hold_when_the_date_moves_a_day(dataset, workshop):
    import datetime as dt

    from clientlib import datasets
    from clientlib.features import customer_facts
    from clientlib.io import read_transactions

    if dataset == "workshop":
        inputs, _ = workshop
        tx, ev, cu = inputs.transactions, inputs.events, inputs.customers
    else:
        ds = datasets.load("cdnow")
        tx, ev, cu = read_transactions(ds.transactions, ds.mapping), None, None
    day = tx.analysis_date
    named = []
    for d in (day, day - dt.timedelta(days=1)):
        df = customer_facts(tx, ev, cu, analysis_date=d).to_pandas()
        names, expected = _names_at(df, 4)
        assert names == expected, d  # the medians of each cluster, by the stated rule
        named.append(names)
    assert named[0] == named[1]
