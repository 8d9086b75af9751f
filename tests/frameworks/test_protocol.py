"""Every framework is an estimator with a unique id, composed through one function."""

from __future__ import annotations

import warnings

import ibis
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from clientlib import datasets, frameworks
from clientlib.clusters import KMeansFramework
from clientlib.features import customer_facts
from clientlib.frameworks import RulebookError
from clientlib.io import read_customers, read_events, read_transactions
from clientlib.pipeline import run_study
from clientlib.segment import apply, resolve, segment
from clientlib.timeline import snapshots


@pytest.fixture(scope="module")
def shop():
    ds = datasets.load("workshop", n_customers=300, seed=3)
    tx = read_transactions(ds.transactions, ds.mapping)
    ev = read_events(ds.events, analysis_date=tx.analysis_date)
    cu = read_customers(ds.customers)
    facts = customer_facts(tx, ev, cu).to_pandas()
    return ds, tx, ibis.memtable(facts)


@pytest.mark.parametrize("name", [*frameworks.builtin_names(), "kmeans"])
def test_every_framework_follows_the_estimator_protocol(shop, name):
    _, _, facts = shop
    fw = frameworks.load(name)
    assert fw.id == name
    with pytest.raises(NotFittedError):
        fw.transform(facts)
    twin = clone(fw)
    assert twin is not fw and twin.get_params().keys() == fw.get_params().keys()
    twin.set_params(lang="ru")
    assert twin.lang == "ru" and fw.lang == "en"  # params stored untouched, not shared
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert fw.fit(facts) is fw
    assert isinstance(fw.params_, dict)
    out = fw.transform(facts).to_pandas()
    assert list(out.columns[:6]) == list(frameworks.BASE_COLUMNS)
    assert out["customer_id"].is_unique and len(out) == facts.count().to_pyarrow().as_py()
    assert (out["framework"] == name).all() and out["class"].notna().all()


def test_the_two_rfm_maps_run_side_by_side(shop):
    _, _, facts = shop
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df, _ = segment(facts, ["rfm", "rfm_simple", "rfm_r_docs"])
    assert not df.duplicated(["customer_id", "framework"]).any()
    n = facts.count().to_pyarrow().as_py()
    assert df.groupby("framework").size().to_dict() == {
        "rfm": n,
        "rfm_r_docs": n,
        "rfm_simple": n,
    }


def test_run_study_with_an_alternative_rfm_map(shop):
    ds, tx, _ = shop
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = run_study(tx, frameworks=["rfm", "rfm_simple"], k=2)
    counts = study.segments.groupby("framework")["customer_id"].nunique()
    assert set(counts.index) == {"rfm", "rfm_simple", "kmeans"}
    assert not study.segments.duplicated(["customer_id", "framework"]).any()


USER_RFM = """
id: rfm
hook: rfm
title: {en: My RFM, ru: Мой RFM}
params: {}
scoring: {bins: 3, method: quantile, closed: left, edge_offset: 0}
classes:
  - {id: best, label: {en: Best, ru: Лучшие}, when: "R >= 3 and F >= 3"}
  - {id: rest, label: {en: Rest, ru: Остальные}, otherwise: true}
"""


def test_a_user_rulebook_with_a_builtin_id_replaces_it(shop, tmp_path):
    _, _, facts = shop
    path = tmp_path / "mine.yaml"
    path.write_text(USER_RFM, encoding="utf-8")
    df, messages = segment(facts, ["rfm", "lifecycle"], rules=path)
    assert any("mine.yaml replaces the built-in framework 'rfm'" in m for m in messages)
    rfm_rows = df[df["framework"] == "rfm"]
    assert rfm_rows["customer_id"].is_unique
    assert set(rfm_rows["class"]) <= {"best", "rest"}
    assert not df.duplicated(["customer_id", "framework"]).any()


def test_two_different_frameworks_with_one_id_are_refused(tmp_path):
    other = frameworks.Rulebook.from_yaml(USER_RFM)
    with pytest.raises(RulebookError, match="two different frameworks have the id 'rfm'"):
        resolve(["rfm", frameworks.load(other)])


def test_apply_refuses_a_list_with_one_id_twice(shop):
    _, _, facts = shop
    with pytest.raises(RulebookError, match="given twice"):
        apply([frameworks.load("ladder"), frameworks.load("ladder")], facts)


NEW_FRAMEWORK = """
id: big_spenders
title: {en: Big spenders, ru: Крупные покупатели}
params: {min_spend: 500}
classes:
  - id: big
    label: {en: Big spender, ru: Крупный покупатель}
    when: "total_spend >= min_spend"
    action: {en: Thank them, ru: Поблагодарить}
  - id: other
    label: {en: Other, ru: Остальные}
    otherwise: true
"""


def test_a_new_framework_is_one_yaml_file(shop, tmp_path, monkeypatch):
    _, _, facts = shop
    folder = tmp_path / "frameworks"
    folder.mkdir()
    (folder / "big_spenders.yaml").write_text(NEW_FRAMEWORK, encoding="utf-8")
    monkeypatch.setenv(frameworks.PATH_VARIABLE, str(folder))
    assert "big_spenders" in frameworks.available()
    fw = frameworks.load("big_spenders", min_spend=100, lang="ru")
    out = fw.fit_transform(facts).to_pandas()
    spend = facts.select("customer_id", "total_spend").to_pandas().set_index("customer_id")
    want = np.where(spend.loc[out["customer_id"], "total_spend"] >= 100, "big", "other")
    assert (out["class"].to_numpy() == want).all()
    assert set(out["label"]) <= {"Крупный покупатель", "Остальные"}
    df, _ = segment(facts, "all")
    assert "big_spenders" in set(df["framework"])


def test_a_new_framework_runs_from_the_command_line(tmp_path, monkeypatch, capsys):
    from tests._cli import run_cli

    path = tmp_path / "big_spenders.yaml"
    path.write_text(NEW_FRAMEWORK, encoding="utf-8")
    out = tmp_path / "seg.csv"
    code, _, err = run_cli(
        ["segment", "--dataset", "workshop", "--framework", "ladder", "--rules", path, "-o", out],
        monkeypatch,
        capsys,
    )
    assert code == 0, err
    df = pd.read_csv(out, dtype=str)
    assert set(df["framework"]) == {"ladder", "big_spenders"}
    assert not df.duplicated(["customer_id", "framework"]).any()


def test_timeline_fits_once_and_classifies_every_period(shop):
    _, tx, _ = shop
    fw = frameworks.load("lifecycle")
    snaps = snapshots(tx, framework=fw, freq="QE")
    cycle = fw.params_["purchase_cycle_days"]
    assert isinstance(cycle, float) and cycle > 0
    assert snaps["period_end"].nunique() >= 2


def test_kmeans_assigns_in_the_engine_like_the_fitted_model(shop):
    _, _, facts = shop
    fw = KMeansFramework(k=3, random_state=0).fit(facts)
    out = fw.transform(facts).to_pandas().set_index("customer_id")
    df = facts.to_pandas().set_index("customer_id")
    buyers = df[df["orders"] > 0]
    X = buyers[["recency_days", "orders", "total_spend"]].astype(float).clip(lower=0)
    want = pd.Series(fw.model_.predict(X), index=buyers.index).map(lambda i: f"cluster_{i}")
    assert (out.loc[buyers.index, "class"] == want).all()
    assert (out.loc[df.index.difference(buyers.index), "class"] == "not_clustered").all()


def test_frameworks_without_signal_are_not_applicable():
    facts = ibis.memtable(
        pd.DataFrame(
            {
                "customer_id": ["a", "b", "c"],
                "orders": [1, 2, 3],
                "total_spend": [10.0, 20.0, 30.0],
                "free_share": [0.0, 0.0, 0.0],
                "discount_share": [0.0, 0.0, 0.0],
                "premium_share": [0.0, 0.0, 0.0],
                "express_share": [0.0, 0.0, 0.0],
            }
        )
    )
    out = apply([frameworks.load("buyer_types"), frameworks.load("fast_good_cheap")], facts)
    assert out.classes.empty and len(out.skipped) == 2
    assert "buyer_types: discount_share, free_share, premium_share hold one value" in out.skipped[0]


def test_value_tier_alerts_need_a_contact_log():
    facts = ibis.memtable(
        pd.DataFrame(
            {
                "customer_id": ["a", "b"],
                "orders": [5, 1],
                "total_spend": [900.0, 10.0],
                "open_negotiations": [0, 0],
                "negotiation_age_days": pd.array([None, None], dtype="Int64"),
                "postponements": [0, 0],
                "days_since_positive_contact": pd.array([None, None], dtype="Int64"),
                "days_since_negative_contact": pd.array([None, None], dtype="Int64"),
                "days_since_dossier_review": pd.array([None, None], dtype="Int64"),
            }
        )
    )
    fw = frameworks.load("value_tiers").fit(facts)
    assert fw.params_["alert_inputs"] == []
    out = fw.transform(facts).to_pandas().set_index("customer_id")
    assert out.loc["a", "class"] == "gold" and out.loc["a", "alerts"] == ""
    with_log = facts.mutate(days_since_dossier_review=ibis.literal(200, "int64"))
    fw2 = frameworks.load("value_tiers").fit(with_log)
    assert fw2.transform(with_log).to_pandas().set_index("customer_id").loc["a", "alerts"] == (
        "dossier_stale"
    )
