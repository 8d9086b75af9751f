"""Statuses at each period end, flows between them and newcomers per class."""

from __future__ import annotations

import pandas as pd
import pytest

from clientlib.io import read_events, read_transactions
from clientlib.timeline import NONE, flows, new_in_class, period_ends, snapshots

TX = pd.DataFrame(
    {
        "customer_id": ["a", "a", "a", "b"],
        "timestamp": ["2024-01-10", "2024-02-10", "2024-03-10", "2024-01-15"],
        "amount": [10.0, 20.0, 30.0, 5.0],
    }
)
EV = pd.DataFrame({"customer_id": ["c"], "timestamp": ["2024-02-05"], "kind": ["lead"]})


#: The data end on 2024-03-10; an analysis date after March lets March be a complete month.
THROUGH_MARCH = "2024-04-01"


@pytest.fixture(scope="module")
def snaps() -> pd.DataFrame:
    tx = read_transactions(TX, analysis_date=THROUGH_MARCH)
    ev = read_events(EV, analysis_date=tx.analysis_date)
    return snapshots(tx, ev, params={"purchase_cycle_days": 60})


def day(s: str) -> pd.Timestamp:
    return pd.Timestamp(s)


def test_period_ends_start_and_end_frequencies():
    assert period_ends("2024-01-01", "2024-02-01", "MS") == [
        (pd.Timestamp("2023-12-31").date(), pd.Timestamp("2024-01-01").date()),
        (pd.Timestamp("2024-01-31").date(), pd.Timestamp("2024-02-01").date()),
    ]
    assert [p for p, _ in period_ends("2024-01-01", "2024-02-29", "M")] == [
        pd.Timestamp("2024-01-31").date(),
        pd.Timestamp("2024-02-29").date(),
    ]


def test_snapshots_follow_the_lifecycle(snaps):
    wide = snaps.pivot(index="customer_id", columns="period_end", values="class")
    assert list(wide.columns) == [day("2024-01-31"), day("2024-02-29"), day("2024-03-31")]
    assert wide.loc["a"].tolist() == ["novice", "novice", "fan"]
    assert wide.loc["b"].tolist() == ["novice", "novice", "dormant"]  # 77 days > 60 at 03-31
    assert wide.loc["c"].fillna(NONE).tolist() == [NONE, "lead", "lead"]
    # the empty first month start (period end 2023-12-31) yields no rows
    assert snaps["period_end"].min() == day("2024-01-31")
    assert snaps.equals(snaps.sort_values(["period_end", "customer_id"]).reset_index(drop=True))


def test_flows_between_consecutive_snapshots(snaps):
    fl = flows(snaps)
    last = fl[fl["period"] == day("2024-03-31")]
    got = {(r.from_class, r.to_class): r.customers for r in last.itertuples()}
    assert got == {("novice", "fan"): 1, ("novice", "dormant"): 1, ("lead", "lead"): 1}
    feb = fl[fl["period"] == day("2024-02-29")]
    got = {(r.from_class, r.to_class): r.customers for r in feb.itertuples()}
    assert got == {(NONE, "lead"): 1, ("novice", "novice"): 2}
    assert fl.columns.tolist() == ["period", "from_class", "to_class", "customers"]


def test_new_in_class_counts_entries(snaps):
    got = new_in_class(snaps, classes=("novice", "fan"))
    assert got.columns.tolist() == ["period_end", "class", "customers"]
    table = got.set_index(["period_end", "class"])["customers"]
    assert table[(day("2024-02-29"), "novice")] == 0
    assert table[(day("2024-03-31"), "fan")] == 1
    assert table[(day("2024-03-31"), "novice")] == 0
    assert day("2024-01-31") not in got["period_end"].tolist()  # the first snapshot is the base


def test_month_end_frequency_and_pinned_auto_cycle_give_the_same_statuses(snaps):
    tx = read_transactions(TX, analysis_date=THROUGH_MARCH)
    ev = read_events(EV, analysis_date=tx.analysis_date)
    # 'M' dates are period ends; 'auto' is estimated once at the last one: a's median gap is
    # 30 days -> cycle 60, the value the fixture sets by hand
    m = snapshots(tx, ev, freq="M")
    pd.testing.assert_frame_equal(m, snaps)


def test_input_frame_untouched_and_other_framework():
    before = TX.copy()
    out = snapshots(TX, framework="ladder", start="2024-02-01", end="2024-04-01",
                    analysis_date=THROUGH_MARCH)
    pd.testing.assert_frame_equal(TX, before)
    last = out[out["period_end"] == day("2024-03-31")].set_index("customer_id")["class"]
    assert last.to_dict() == {"a": "regular", "b": "buyer"}


def test_compiled_once_timeline_equals_compiling_every_period(monkeypatch):
    """The template path (DuckDB, compiled for two probe dates) gives what Ibis' own compilation
    of every period gives, byte for byte in the frame."""
    import clientlib.timeline as tl
    from clientlib import engine

    tx = read_transactions(TX, analysis_date=THROUGH_MARCH)
    ev = read_events(EV, analysis_date=tx.analysis_date)
    rendered: list[object] = []
    render = tl._Template.render
    monkeypatch.setattr(
        tl._Template, "render", lambda self, d: rendered.append(d) or render(self, d)
    )
    fast = snapshots(tx, ev, params={"purchase_cycle_days": 60}, freq="W")
    assert len(rendered) > 3  # the template ran (it is not the fallback)
    monkeypatch.setattr(tl, "_collect", lambda cutoffs, build: [
        engine.to_pandas(build(c)) for c in cutoffs])
    slow = snapshots(tx, ev, params={"purchase_cycle_days": 60}, freq="W")
    pd.testing.assert_frame_equal(fast, slow)


def test_template_fills_in_dates_and_refuses_other_differences():
    import datetime as dt

    from clientlib.timeline import _PROBES, _Template

    def sql(d: dt.date) -> str:
        return f"SELECT 5, MAKE_DATE({d.year}, {d.month}, {d.day}), DATE '{d:%Y-%m-%d}' LIMIT 3"

    template = _Template(*(sql(d) for d in _PROBES))
    day = dt.date(2024, 11, 3)
    assert template.render(day) == sql(day)
    with pytest.raises(ValueError):
        _Template(sql(_PROBES[0]), sql(_PROBES[1]).replace("LIMIT 3", "LIMIT 10"))
    with pytest.raises(ValueError):
        _Template(sql(_PROBES[0]), sql(_PROBES[1]) + " OFFSET 1")


# ---- never past the analysis date (issue 21: a month with no data made every customer dormant)


def test_no_snapshot_after_the_analysis_date():
    # TX ends on 2024-03-10: the analysis date is 2024-03-11 and March is not complete
    for kwargs in ({}, {"end": "2024-06-01"}, {"freq": "M"}, {"freq": "W"}):
        out = snapshots(TX, params={"purchase_cycle_days": 60}, **kwargs)
        cutoffs = out["period_end"] + pd.Timedelta(days=1)
        assert cutoffs.max() <= day("2024-03-11"), kwargs
    monthly = snapshots(TX, params={"purchase_cycle_days": 60})
    assert monthly["period_end"].max() == day("2024-02-29")  # the last complete month
    # a Loaded's analysis date is the bound; an explicit one wins
    tx = read_transactions(TX, analysis_date="2024-03-05")
    assert snapshots(tx, params={"purchase_cycle_days": 60})["period_end"].max() == day(
        "2024-02-29"
    )
    early = snapshots(TX, params={"purchase_cycle_days": 60}, analysis_date="2024-02-15")
    assert early["period_end"].max() == day("2024-01-31")


@pytest.fixture(scope="module")
def mid_month_shop() -> tuple[pd.DataFrame, dict]:
    """The workshop shop cut on 15 November 2024: its data end in the middle of a month."""
    from clientlib import datasets

    ds = datasets.load("workshop", n_customers=600, seed=4)
    raw = ds.transactions.copy()
    ts = pd.to_datetime(raw[ds.mapping.get("timestamp", "timestamp")])
    return raw[ts < pd.Timestamp("2024-11-16")].reset_index(drop=True), ds.mapping


def test_mid_month_data_end_with_the_last_complete_month(mid_month_shop):
    raw, mapping = mid_month_shop
    tx = read_transactions(raw, mapping)
    cycle = 60
    snaps = snapshots(tx, params={"purchase_cycle_days": cycle})
    last = snaps["period_end"].max()
    assert tx.analysis_date == pd.Timestamp("2024-11-16").date()
    assert last == day("2024-10-31")  # October, the last complete month; not November
    # "fell asleep" in October, independently of clientlib: a buyer is dormant at a cut-off when
    # the last purchase (a paid line) before it is more than `cycle` days earlier
    ts = pd.to_datetime(raw[mapping.get("timestamp", "timestamp")])
    paid = pd.DataFrame({"customer_id": raw[mapping.get("customer_id", "customer_id")].astype(str),
                         "ts": ts})[raw[mapping.get("amount", "amount")] >= 0]

    def dormant_at(cutoff: str) -> pd.Series:
        c = pd.Timestamp(cutoff)
        last_buy = paid[paid["ts"] < c].groupby("customer_id")["ts"].max()
        return (c.normalize() - last_buy.dt.normalize()).dt.days > cycle

    before, now = dormant_at("2024-10-01"), dormant_at("2024-11-01")
    fell = now[now].index.difference(before[before].index)
    fl = flows(snaps)
    into = (fl["period"] == last) & (fl["to_class"] == "dormant")
    oct_ = fl[into & (fl["from_class"] != "dormant")]
    assert int(oct_["customers"].sum()) == len(fell) > 0
    # and nobody "woke up" by an artefact: every dormant customer really was silent
    at_last = snaps[snaps["period_end"] == last].set_index("customer_id")["class"]
    assert set(at_last[at_last == "dormant"].index) == set(now[now].index)
