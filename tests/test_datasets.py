"""Tests of clientlib.datasets: the vendored CDNOW file, the workshop generator, load and export."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clientlib import datasets
from clientlib.datasets import EVENT_KINDS, PERSONAS, SURVEY_COLUMNS, workshop
from clientlib.errors import OutputError


@pytest.fixture(scope="module")
def w() -> datasets.WorkshopData:
    return workshop()


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return datasets.load_cdnow()


# --- registry --------------------------------------------------------------------------------


def test_available_and_describe():
    assert datasets.available() == ["cdnow", "cdnow_sample", "workshop"]
    for name in datasets.available():
        text = datasets.describe(name)
        assert text and "\n" not in text
    with pytest.raises(ValueError, match="available: cdnow, cdnow_sample, workshop"):
        datasets.describe("nope")
    with pytest.raises(ValueError, match="unknown dataset"):
        datasets.load("nope")
    with pytest.raises(TypeError, match="takes no options"):
        datasets.load("cdnow", seed=1)


# --- CDNOW ------------------------------------------------------------------------------------


def test_cdnow_known_figures(cdnow):
    assert len(cdnow) == 69_659
    assert cdnow["customer_id"].nunique() == 23_570
    assert cdnow["date"].min() == pd.Timestamp("1997-01-01")
    assert cdnow["date"].max() == pd.Timestamp("1998-06-30")
    assert round(float(cdnow["amount"].sum()), 2) == 2_500_315.63
    assert int(cdnow["cds"].sum()) == 167_881


def test_cdnow_columns_and_mapping(cdnow):
    assert list(cdnow.columns) == ["customer_id", "date", "cds", "amount"]
    assert pd.api.types.is_string_dtype(cdnow["customer_id"])
    assert cdnow["customer_id"].iloc[0] == "00001"  # leading zeros kept
    assert cdnow["date"].dtype == "datetime64[us]"
    assert cdnow["cds"].dtype == "int64" and cdnow["amount"].dtype == "float64"
    ds = datasets.load("cdnow")
    assert ds.mapping == {"customer_id": "customer_id", "timestamp": "date", "amount": "amount"}
    assert ds.events is None and ds.customers is None
    assert set(ds.tables()) == {"transactions"}


def test_cdnow_file_is_the_vendored_one():
    import hashlib

    gz = datasets.data_dir().joinpath("cdnow", "CDNOW_master.txt.gz").read_bytes()
    digest = hashlib.sha256(gz).hexdigest()
    assert digest == "ce9d3785b68a7d9d27120947dd510aec663c667b96ac0314988cbecbf2459436"
    assert datasets.data_dir().joinpath("cdnow", "LICENSE").read_text().startswith("The MIT")


def test_data_dir_prefers_packaged_copy(tmp_path, monkeypatch):
    # A wheel install carries the folder as clientlib/_datasets: simulate that layout.
    pkg = tmp_path / "clientlib"
    shutil.copytree(Path(datasets.__file__).resolve().parents[1] / "datasets", pkg / "_datasets")
    monkeypatch.setattr(datasets.resources, "files", lambda _name: pkg)
    assert Path(str(datasets.data_dir())) == pkg / "_datasets"
    assert len(datasets.load_cdnow()) == 69_659
    # Without a packaged copy the checkout folder is used.
    monkeypatch.setattr(datasets.resources, "files", lambda _name: tmp_path / "nowhere")
    assert Path(str(datasets.data_dir())).name == "datasets"


# --- workshop: shape, dtypes, determinism ----------------------------------------------------


def test_workshop_columns_and_dtypes(w):
    assert list(w.customers.columns) == ["customer_id", *SURVEY_COLUMNS, "persona"]
    assert list(w.transactions.columns) == [
        "customer_id", "order_id", "timestamp", "amount", "quantity", "unit_price", "discount",
        "is_express", "is_premium",
    ]  # fmt: skip
    assert list(w.events.columns) == [
        "customer_id", "timestamp", "kind", "sentiment", "referred_customer_id",
    ]  # fmt: skip
    c, t, e = w.customers, w.transactions, w.events
    assert len(c) == 2000 and c["customer_id"].is_unique
    assert c["customer_id"].iloc[0] == "W000001" and c["customer_id"].is_monotonic_increasing
    for col in SURVEY_COLUMNS:
        assert c[col].dtype == bool, col
    for df in (c, t, e):
        assert pd.api.types.is_string_dtype(df["customer_id"])
    assert pd.api.types.is_string_dtype(t["order_id"])
    assert t["timestamp"].dtype == "datetime64[us]" and e["timestamp"].dtype == "datetime64[us]"
    assert t["amount"].dtype == "float64" and t["unit_price"].dtype == "float64"
    assert t["discount"].dtype == "float64" and t["quantity"].dtype == "int64"
    assert t["is_express"].dtype == bool and t["is_premium"].dtype == bool
    assert e["sentiment"].dtype == "float64"
    assert pd.api.types.is_string_dtype(e["kind"])
    assert pd.api.types.is_string_dtype(e["referred_customer_id"])
    # every id refers to a known customer; rows are sorted by customer then time
    known = set(c["customer_id"])
    assert set(t["customer_id"]) <= known and set(e["customer_id"]) <= known
    for df in (t, e):
        keys = df[["customer_id", "timestamp"]]
        assert keys.equals(keys.sort_values(["customer_id", "timestamp"], kind="stable"))
    lo, hi = pd.Timestamp("2023-01-01"), pd.Timestamp("2025-01-01")
    for ts in (t["timestamp"], e["timestamp"]):
        assert ts.min() >= lo and ts.max() < hi


def test_workshop_is_deterministic(w):
    again = workshop()
    for name in ("customers", "transactions", "events"):
        a, b = getattr(w, name), getattr(again, name)
        pd.testing.assert_frame_equal(a, b)
        assert a.to_csv(index=False) == b.to_csv(index=False)  # byte-identical CSV
    other = workshop(seed=1)
    assert not other.transactions.equals(w.transactions)
    assert not other.customers["persona"].equals(w.customers["persona"])


def test_workshop_personas_and_event_kinds_present(w):
    counts = w.customers["persona"].value_counts()
    assert set(counts.index) == set(PERSONAS)
    assert counts.sum() == 2000
    assert set(w.events["kind"]) == set(EVENT_KINDS)
    # small sizes still have every persona (exact counts, at least one each)
    tiny = workshop(n_customers=len(PERSONAS), seed=5)
    assert sorted(tiny.customers["persona"]) == sorted(PERSONAS)


def test_workshop_line_amounts_and_returns(w):
    t = w.transactions
    paid = ~t["order_id"].str.startswith("R")
    expected = (t["quantity"] * t["unit_price"] * (1 - t["discount"])).round(2)
    assert np.allclose(t["amount"], expected, atol=0.011)
    assert t["discount"].between(0, 1).all()
    ret = t[~paid]
    assert 0 < len(ret) < 0.05 * len(t)
    assert (ret["amount"] < 0).all() and (ret["quantity"] < 0).all()
    assert (t.loc[paid, "amount"] >= 0).all()
    # free items: 100 % discount and amount 0
    free = t[paid & (t["discount"] == 1.0)]
    assert len(free) > 0 and (free["amount"] == 0).all()


def test_workshop_events_fields(w):
    e = w.events
    has_sent = e["kind"].isin(["contact", "review"])
    assert e.loc[~has_sent, "sentiment"].isna().all()
    assert set(e.loc[has_sent, "sentiment"].unique()) == {-1.0, 0.0, 1.0}
    ref = e["kind"] == "referral"
    assert e.loc[ref, "referred_customer_id"].notna().all()
    assert e.loc[~ref, "referred_customer_id"].isna().all()
    assert (e.loc[ref, "referred_customer_id"] != e.loc[ref, "customer_id"]).all()
    assert set(e.loc[ref, "referred_customer_id"]) <= set(w.customers["customer_id"])


def _classes(w: datasets.WorkshopData) -> dict[str, set[str]]:
    """The first-match rules of FRAMEWORKS.md with their default parameters, in plain pandas."""
    t, e, c = w.transactions, w.events, w.customers
    ad = t["timestamp"].max().normalize() + pd.Timedelta(days=1)
    o = t.groupby(["customer_id", "order_id"], as_index=False).agg(
        total=("amount", "sum"), ts=("timestamp", "min"), disc=("discount", "max"),
        ex=("is_express", "max"), pr=("is_premium", "max"),
    )  # fmt: skip
    o = o[o["total"] >= 0]  # orders, not credit notes
    o["free"] = (o["total"] == 0) | (o["disc"] >= 0.8)
    o["discounted"] = o["disc"] > 0
    paid = o[o["total"] > 0]
    f = pd.DataFrame(index=pd.Index(c["customer_id"]))
    f["orders"] = paid.groupby("customer_id").size()
    f["spend"] = t.groupby("customer_id")["amount"].sum()
    f["last"] = paid.groupby("customer_id")["ts"].max()
    shares = o.groupby("customer_id")[["free", "discounted", "ex", "pr"]].mean()
    f = f.join(shares).fillna({"orders": 0, "spend": 0.0})
    days = paid.assign(day=paid["ts"].dt.normalize()).drop_duplicates(["customer_id", "day"])
    days = days.sort_values(["customer_id", "day"])
    cycle = 2 * days.groupby("customer_id")["day"].diff().dt.days.median()
    e = e.join(f["last"], on="customer_id")
    kind, by = e["kind"], e["customer_id"]
    bad = kind.isin(["complaint", "refund"]) | ((kind == "contact") & (e["sentiment"] < 0))
    f["compl"] = (bad & (e["timestamp"] > e["last"])).groupby(by).sum()
    f["touch"] = kind.isin(["lead", "enquiry", "visit", "negotiation", "contact"]).groupby(by).sum()
    f["refs"] = (kind == "referral").groupby(by).sum()
    first_neg = e[kind == "negotiation"].groupby("customer_id")["timestamp"].min()
    f["neg_age"] = (ad - first_neg).dt.days
    f["postp"] = (e["kind"] == "postponement").groupby(by).sum()
    f = f.fillna({"compl": 0, "touch": 0, "refs": 0, "postp": 0}).join(c.set_index("customer_id"))
    b = f["orders"] >= 1
    rec = (ad - f["last"]).dt.days
    s = f.loc[b, "spend"].sort_values(ascending=False)
    before = (s.cumsum() / s.sum()).shift(fill_value=0)
    k = f[list(SURVEY_COLUMNS[:5])].sum(axis=1)
    sel = np.select
    disc, ex, pr = f["discounted"], f["ex"], f["pr"]
    out = {
        "lifecycle": sel([b & (f["compl"] > 0), b & (rec > cycle), f["orders"] >= 3, b,
                          f["touch"] > 0],
                         ["returnee", "dormant", "fan", "novice", "lead"], "target"),
        "ladder": sel([b & (f["refs"] > 0), f["orders"] >= 2, b, f["touch"] > 0],
                      ["advocate", "regular", "buyer", "client"], "potential"),
        "value": np.r_[sel([before < 0.8, before < 0.95], ["gold", "silver"], "bronze"),
                       sel([(f.loc[~b, "neg_age"] > 60) & (f.loc[~b, "postp"] > 0)],
                           ["false_client"], "prospect")],
        "mendocha": sel([k == 5, k >= 3], ["qualified", "nurture"], "defer"),
        "reese": sel([f["free"] >= 0.5, disc >= 0.6, (pr >= 0.5) & (disc <= 0.1)],
                     ["freeloader", "discount_hunter", "result_focused"], "seeker")[b],
        "awareness": sel([f["does_in_house"] & ~f["had_problems"],
                          f["tried_diy"] & f["had_problems"], f["seeking_vendor"],
                          f["knows_product"]],
                         ["self_sufficient", "failed_diy", "ready_to_buy", "aware_no_use"],
                         "unaware"),
        "fgc": sel([(ex >= 0.5) & (pr >= 0.5), (ex >= 0.5) & (disc >= 0.5),
                    (pr >= 0.5) & (disc >= 0.5)],
                   ["fast_good", "fast_cheap", "good_cheap"], "undecided")[b],
        "key_account_flag": {"yes"} if (s.iloc[0] / s.sum()) >= 0.10 else set(),
    }  # fmt: skip
    return {name: set(v) for name, v in out.items()}


def test_every_framework_class_occurs(w):
    found = _classes(w)
    expected = {
        "lifecycle": {"returnee", "dormant", "fan", "novice", "lead", "target"},
        "ladder": {"advocate", "regular", "buyer", "client", "potential"},
        "value": {"gold", "silver", "bronze", "false_client", "prospect"},
        "mendocha": {"qualified", "nurture", "defer"},
        "reese": {"freeloader", "discount_hunter", "result_focused", "seeker"},
        "awareness": {"self_sufficient", "failed_diy", "ready_to_buy", "aware_no_use", "unaware"},
        "fgc": {"fast_good", "fast_cheap", "good_cheap", "undecided"},
        "key_account_flag": {"yes"},
    }
    assert found == expected


def test_workshop_scaling_and_options():
    n = datasets.workshop_customers_for(30_000)
    big = workshop(n_transactions=30_000, seed=2)
    assert len(big.customers) == n
    assert 0.85 * 30_000 < len(big.transactions) < 1.15 * 30_000
    more = workshop(n_customers=300, seed=2, orders_scale=2.0)
    less = workshop(n_customers=300, seed=2)
    assert len(more.transactions) > 1.5 * len(less.transactions)
    only = workshop(n_customers=100, mix={"prospect": 1, "false_client": 1})
    assert set(only.customers["persona"]) == {"prospect", "false_client"}
    assert only.transactions.empty and list(only.transactions.columns)[0] == "customer_id"
    short = workshop(n_customers=200, start="2024-06-01", end="2024-06-30")
    assert short.transactions["timestamp"].min() >= pd.Timestamp("2024-06-01")
    assert short.events["timestamp"].max() < pd.Timestamp("2024-07-01")
    with pytest.raises(ValueError, match="unknown persona"):
        workshop(mix={"alien": 1})
    with pytest.raises(ValueError, match="before start"):
        workshop(start="2024-01-02", end="2024-01-01")


# --- export -------------------------------------------------------------------------------------


def test_export_roundtrip_and_no_temp_file(tmp_path, w):
    out = datasets.export("workshop", tmp_path / "sub" / "tx.csv")
    assert out == tmp_path / "sub" / "tx.csv"
    assert [p.name for p in out.parent.iterdir()] == ["tx.csv"]  # no temp file left
    back = pd.read_csv(out, parse_dates=["timestamp"], dtype={"customer_id": "str"})
    back["timestamp"] = back["timestamp"].astype("datetime64[us]")
    pd.testing.assert_frame_equal(back, w.transactions, check_dtype=False, check_exact=False)
    ev = datasets.export("workshop", tmp_path / "ev.csv", table="events", n_customers=100)
    assert pd.read_csv(ev)["kind"].isin(EVENT_KINDS).all()
    cd = datasets.export("cdnow", tmp_path / "cdnow.csv")
    assert pd.read_csv(cd, dtype={"customer_id": "str"}).shape == (69_659, 4)


def test_export_replaces_file_and_refuses_directory(tmp_path):
    target = tmp_path / "c.csv"
    target.write_text("old")
    datasets.export("workshop", target, table="customers", n_customers=20)
    assert target.read_text().startswith("customer_id,")
    # Outputs are shared files: mode 0644, as every clientlib output (clientlib.files).
    assert target.stat().st_mode & 0o777 == 0o644
    with pytest.raises(OutputError, match="is a folder"):
        datasets.export("workshop", tmp_path, table="customers", n_customers=20)
    with pytest.raises(ValueError, match="no events table"):
        datasets.export("cdnow", tmp_path / "x.csv", table="events")
    with pytest.raises(ValueError, match="unknown table"):
        datasets.export("cdnow", tmp_path / "x.csv", table="orders")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv"]


def test_export_leaves_nothing_on_error(tmp_path, monkeypatch):
    def boom(self, *args, **kwargs):
        raise OSError("disk full")

    target = tmp_path / "keep.csv"
    target.write_text("previous")
    monkeypatch.setattr(pd.DataFrame, "to_csv", boom)
    with pytest.raises(OSError, match="disk full"):
        datasets.export("workshop", target, table="customers", n_customers=20)
    with pytest.raises(OSError, match="disk full"):
        datasets.export("workshop", tmp_path / "new.csv", table="customers", n_customers=20)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.csv"]
    assert target.read_text() == "previous"  # the old file is untouched
