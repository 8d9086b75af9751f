"""The manager's page (issue 21): decisions checked against pandas, call lists, snapshot checks.

Every expected number here is computed with pandas from the study's facts and classes, never
from :mod:`clientlib.reports.decisions`. The rendered page in Chromium is checked in
``tests/test_report_browser.py``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from _text import numbers

from clientlib import messages as M
from clientlib.reports import changes, decisions
from clientlib.reports.decisions import currency_from_notes, decide, money
from clientlib.reports.index import index_html
from clientlib.reports.summary import (
    appendix_points,
    disagreement,
    findings,
    k_sentence,
    no_signal,
    teaching_order,
)

CLI = [sys.executable, "-c", "from clientlib.cli import main; main()"]


@pytest.fixture(scope="module")
def workshop():
    from clientlib.reports.data import prepare

    return {lang: prepare(lang=lang, timeline_months=3, currency="₽" if lang == "ru" else "")
            for lang in ("en", "ru")}


def _expected(rd):
    """Independent pandas figures: per decision, customers per tier, revenue, share."""
    facts = rd.study.facts.set_index("customer_id")
    spend = facts["total_spend"].fillna(0.0)
    total = spend.sum()
    seg = rd.study.segments
    cls = seg.pivot(index="customer_id", columns="framework", values="class")
    valuable = cls["value_tiers"].isin(["gold", "silver"])
    out = {}
    for key, mask in (("unhappy", cls["lifecycle"] == "returnee"),
                      ("dormant", cls["lifecycle"] == "dormant"),
                      ("lost", cls["btyd"] == "likely_lost")):
        ids = cls.index[mask & valuable]
        out[key] = {"gold": int((cls.loc[ids, "value_tiers"] == "gold").sum()),
                    "silver": int((cls.loc[ids, "value_tiers"] == "silver").sum()),
                    "revenue": spend[ids].sum(), "share": spend[ids].sum() / total, "ids": ids}
    return out, spend, total, cls


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_revenue_at_risk_by_tier_matches_pandas(workshop, lang):
    rd = workshop[lang]
    d = decide(rd)
    expected, _spend, total, _cls = _expected(rd)
    assert d.revenue == pytest.approx(total)
    for key in ("unhappy", "dormant", "lost"):
        e = expected[key]
        got = d.get(key)
        if e["gold"] + e["silver"] == 0:
            assert got is None
            continue
        assert got is not None, key
        assert got.tiers == {"gold": e["gold"], "silver": e["silver"]}
        assert got.revenue == pytest.approx(e["revenue"]) and got.share == pytest.approx(e["share"])
        # the sentence shows the same numbers, written the language's way
        nums = numbers(got.text, lang)
        head = [n for n in (e["gold"], e["silver"]) if n]
        assert nums[: len(head)] == head, got.text
        assert nums[len(head)] == round(e["revenue"]), got.text
        assert nums[len(head) + 1] == pytest.approx(round(100 * e["share"], 1)), got.text
    ru = workshop["ru"]
    assert "₽" in decide(ru).get("dormant").text  # the currency asked for


def test_this_week_is_the_most_valuable_at_risk_ranked_by_revenue(workshop):
    rd = workshop["ru"]
    d = decide(rd)
    expected, spend, total, _cls = _expected(rd)
    pool = expected["unhappy"]["ids"].union(expected["dormant"]["ids"]).union(
        expected["lost"]["ids"])
    frame = pd.DataFrame({"id": pool.astype(str), "s": spend[pool].to_numpy()})
    top = frame.sort_values(["s", "id"], ascending=[False, True]).head(20)
    week = d.calls["this_week"]
    assert week.iloc[:, 0].tolist() == top["id"].tolist()
    assert week.iloc[:, 4].tolist() == pytest.approx(top["s"].round(2).tolist())
    got = d.get("this_week")
    assert got.customers == len(top) and got.revenue == pytest.approx(top["s"].sum())
    assert got.share == pytest.approx(top["s"].sum() / total)
    # last purchase as dd.mm.yyyy, from the facts
    last = pd.to_datetime(rd.study.facts.set_index("customer_id")["last_purchase"])
    assert week.iloc[0, 3] == last[top["id"].iloc[0]].strftime("%d.%m.%Y")


def test_month_moves_match_the_timeline(workshop):
    rd = workshop["en"]
    snaps = rd.snapshots
    ends = sorted(snaps["period_end"].unique())
    a = snaps[snaps.period_end == ends[-2]].set_index("customer_id")["class"]
    b = snaps[snaps.period_end == ends[-1]].set_index("customer_id")["class"]
    before = a.reindex(b.index)
    asleep = b.index[(before.notna() & (before != "dormant") & (b == "dormant")).to_numpy()]
    woke = b.index[(before.notna() & (before == "dormant") & (b != "dormant")).to_numpy()]
    fans = b.index[((b == "fan") & (before != "fan")).to_numpy()]
    spend = rd.study.facts.set_index("customer_id")["total_spend"].fillna(0.0)
    got = decide(rd).get("month")
    assert got is not None and got.customers == len(asleep)
    assert got.revenue == pytest.approx(spend[asleep].sum())
    nums = numbers(got.text, "en")
    assert int(nums[1]) == len(asleep) and int(nums[5]) == len(woke), got.text
    assert nums[3] == round(spend[asleep].sum())
    assert int(nums[7]) == len(fans)
    assert re.match(r"In [A-Z][a-z]+ \d{4}: ", got.text)


def test_money_and_currency_from_the_reader():
    assert money(190073.2, "ru", "₽") == "190\u00a0073\u00a0₽"
    assert money(190073.2, "en", "₽") == "₽190,073" and money(1234, "en", "$") == "$1,234"
    assert money(1234, "en", "") == "1,234"
    note = [SimpleNamespace(table="transactions",
                            notes={"amount_format": "currency stripped (руб)"})]
    assert currency_from_notes(note) == "₽"
    assert currency_from_notes([]) == ""


def test_currency_parameter_and_the_stripped_sign(tmp_path):
    from clientlib.reports.data import prepare

    tx = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c", "d"],
                       "timestamp": ["2024-01-03", "2024-03-01", "2024-02-05", "2024-01-10",
                                     "2024-02-20", "2024-03-02"],
                       "amount": ["1 200,50 руб", "300 руб", "45,10 руб", "1 000 руб", "20 руб",
                                  "5 руб"]})
    path = tmp_path / "shop.csv"
    tx.to_csv(path, index=False)
    rd = prepare(input=str(path), k=2, timeline_months=0, lang="ru")
    assert rd.currency == "₽"
    assert prepare(input=str(path), k=2, timeline_months=0, currency="none").currency == ""
    assert prepare(input=str(path), k=2, timeline_months=0, currency="$").currency == "$"


def test_findings_and_appendix(workshop):
    rd = workshop["ru"]
    study = rd.study
    points = findings(study, "ru", rd.titles)
    # the BG/NBD "active" vs lifecycle "dormant" disagreement, counted by hand, said once
    seg = study.segments
    act = set(seg[(seg.framework == "btyd") & (seg["class"] == "active")].customer_id)
    dor = set(seg[(seg.framework == "lifecycle") & (seg["class"] == "dormant")].customer_id)
    both = act & dor
    model = study.fitted["btyd"].params_["model"]
    name = M.text(f"btyd.model_{model}", "ru")
    said = [p for p in points if f"Модель {name}" in p and "расходятся" in p]
    assert len(said) == 1 and M.number(len(both), "ru") in said[0]
    facts = study.facts.set_index("customer_id")
    once = int((facts.loc[sorted(both), "frequency"] == 0).sum())
    slower = len(both) - once
    if model == "bgnbd":
        # one-time buyers have their own BG/NBD class, so none of them can be "active"
        assert once == 0 and "только одна покупка" not in said[0]
    elif once:
        # MBG/NBD and Pareto/NBD judge them: said as a real P(alive), never "= 1"
        assert f"У {M.number(once, 'ru')} клиент" in said[0] and "P(alive) = 1" not in said[0]
    if slower:
        assert f"У {M.number(slower, 'ru')} клиент" in said[0]
    # R18: RFM's non-buyers minus the customers without an order, explained in one line
    rfm_none = int((seg[seg.framework == "rfm"]["class"] == "non_buyer").sum())
    gap = rfm_none - int((facts["orders"] == 0).sum())
    netted = [p for p in points if "возвраты" in p]
    assert gap > 0 and len(netted) == 1 and f"У {gap} клиент" in netted[0]
    # statistics are in the appendix, frameworks in teaching order (lifecycle first)
    assert not any("AMI" in p or "крупнейший класс" in p for p in points)
    appendix = appendix_points(study, "ru", rd.titles, "auto")
    largest = [p for p in appendix if "крупнейший класс" in p]
    assert largest[0].startswith(rd.titles["lifecycle"])
    assert any("AMI" in p for p in appendix)
    assert teaching_order(["btyd", "rfm", "lifecycle", "kmeans"]) == [
        "lifecycle", "rfm", "btyd", "kmeans"]


def test_a_framework_with_one_class_of_95_percent_is_no_finding():
    seg = pd.DataFrame({"customer_id": [f"c{i}" for i in range(100)] * 2,
                        "framework": ["buyer_types"] * 100 + ["ladder"] * 100,
                        "class": ["seeker"] * 96 + ["freeloader"] * 4 + ["client"] * 60
                        + ["regular"] * 40,
                        "label": ["Seeker"] * 96 + ["Freeloader"] * 4 + ["Client"] * 60
                        + ["Regular"] * 40})
    assert no_signal(seg) == ["buyer_types"]
    study = SimpleNamespace(facts=pd.DataFrame({"orders": [1] * 100}), segments=seg,
                            kchoice=None, model=None, agreement=pd.DataFrame(), quality=[],
                            analysis_date="2024-01-01", skipped=[])
    titles = {"buyer_types": "Four buyer types", "ladder": "Loyalty ladder"}
    pts = appendix_points(study, "en", titles)
    assert not any("Seeker" in p for p in pts)
    assert sum("Four buyer types" in p for p in pts) == 1
    assert not any("Four buyer types" in p for p in findings(study, "en", titles))


def test_skipped_frameworks_are_named_by_their_russian_titles():
    study = SimpleNamespace(
        facts=pd.DataFrame({"orders": [1, 2]}), quality=[], analysis_date="2024-01-01",
        segments=pd.DataFrame(columns=["customer_id", "framework", "class", "label"]),
        skipped=["framework 'awareness' skipped: the data has no column(s) x",
                 "fast_good_cheap: discount_share hold one value for every customer"],
        kchoice=None, model=None, agreement=pd.DataFrame())
    line = findings(study, "ru", {})[-1]
    assert "awareness" not in line and "fast_good_cheap" not in line
    assert "Стадии осведомлённости" in line


def test_k_sentence_says_the_k_used_and_why():
    study = SimpleNamespace(kchoice=None, model=SimpleNamespace(n_clusters=3))
    ru = k_sentence(study, "ru", 10)
    assert "k = 3" in ru and "10" in ru and "k = 10" not in ru
    assert k_sentence(study, "en", 3) == "k-means uses k = 3, as set in the report parameters."


def test_k_asked_beyond_the_buyers_is_shown_as_used(tmp_path):
    from clientlib.reports.data import prepare

    tx = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c"],
                       "timestamp": ["2024-01-01", "2024-02-01", "2024-01-05", "2024-01-03",
                                     "2024-03-01"], "amount": [1.0, 2.0, 3.0, 4.0, 5.0]})
    path = tmp_path / "three.csv"
    tx.to_csv(path, index=False)
    with pytest.warns(UserWarning):  # RFM bins collapse on three buyers
        rd = prepare(input=str(path), k=10, timeline_months=0)
    used = rd.study.model.n_clusters
    assert used == 3 and rd.parameters["k"] == "10 → 3"
    said = appendix_points(rd.study, "en", rd.titles, 10)
    k_lines = [p for p in said if "k = " in p]
    assert len(k_lines) == 1 and "k = 3" in k_lines[0] and "k = 10" not in k_lines[0]


def test_disagreement_is_silent_when_the_two_agree():
    seg = pd.DataFrame({"customer_id": ["a", "a"], "framework": ["btyd", "lifecycle"],
                        "class": ["active", "fan"], "label": ["Active", "Fan"]})
    study = SimpleNamespace(segments=seg, facts=pd.DataFrame({"customer_id": ["a"],
                                                              "frequency": [3]}))
    assert disagreement(study, "en") is None


# ---------------------------------------------------------------------------------------------
# call lists and snapshots (files)


def test_call_lists_are_written_beside_the_report_and_read_back(workshop, tmp_path):
    import openpyxl

    rd = workshop["ru"]
    d = decide(rd)
    run = {"snapshot": str(tmp_path / ".weekly_2025-01-06.classes.parquet.ab12cd34.part")}
    written = changes.write_call_lists(d, run, "ru")
    assert set(written) == set(decisions.ACTIONS)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(changes.call_list_names("weekly_2025-01-06"))
    expected, spend, _total, _cls = _expected(rd)
    ids = expected["dormant"]["ids"]
    frame = pd.DataFrame({"id": ids.astype(str), "s": spend[ids].round(2).to_numpy()})
    frame = frame.sort_values(["s", "id"], ascending=[False, True])
    wb = openpyxl.load_workbook(tmp_path / "weekly_2025-01-06.call_dormant.xlsx")
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0] == ("Клиент", "Класс", "Причина", "Последняя покупка", "Выручка",
                       "Что делать")
    assert [r[0] for r in rows[1:]] == frame["id"].tolist()
    assert [r[4] for r in rows[1:]] == pytest.approx(frame["s"].tolist())
    last = pd.to_datetime(rd.study.facts.set_index("customer_id")["last_purchase"])
    assert rows[1][3].date() == last[rows[1][0]].date()  # a real date cell
    csv = (tmp_path / "weekly_2025-01-06.call_dormant.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel shows Cyrillic
    # a Russian list is for Russian Excel: ';' between fields, a decimal comma
    back = pd.read_csv(tmp_path / "weekly_2025-01-06.call_dormant.csv", dtype=str, sep=";",
                       encoding="utf-8-sig")
    assert back["Клиент"].tolist() == frame["id"].tolist()
    assert back["Последняя покупка"].iloc[0] == last[rows[1][0]].strftime("%d.%m.%Y")


def test_formula_like_ids_are_quoted_in_both_files(tmp_path):
    import openpyxl

    cols = decisions.call_columns("en")
    frame = pd.DataFrame([["=HYPERLINK(1)", "Gold", "r", "2024-01-01", 10.0, "call"]],
                         columns=cols)
    d = SimpleNamespace(calls={"unhappy": frame})
    run = {"folder": str(tmp_path), "stem": "x"}
    changes.write_call_lists(d, run, "en")
    wb = openpyxl.load_workbook(tmp_path / "x.call_unhappy.xlsx")
    assert wb.active["A2"].value == "'=HYPERLINK(1)" and wb.active["A2"].data_type == "s"
    assert "'=HYPERLINK(1)" in (tmp_path / "x.call_unhappy.csv").read_text(encoding="utf-8-sig")


def _snapshot(path: Path, ids: list[str]) -> Path:
    changes.write_snapshot(pd.DataFrame({"customer_id": ids, "framework": "lifecycle",
                                         "class": "fan"}), path)
    return path


def test_check_snapshot_refuses_doubles_damage_and_other_schemas(tmp_path):
    good = _snapshot(tmp_path / "a.classes.parquet", ["1", "2"])
    assert len(changes.check_snapshot(good)) == 2
    doubled = _snapshot(tmp_path / "b.classes.parquet", ["1", "2", "1", "2"])
    with pytest.raises(changes.InputError, match="2 customers more than once"):
        changes.check_snapshot(doubled)
    broken = tmp_path / "c.classes.parquet"
    broken.write_bytes(good.read_bytes()[:200])
    with pytest.raises(changes.InputError, match="cannot be read as a Parquet snapshot"):
        changes.check_snapshot(broken)
    other = tmp_path / "d.parquet"
    pd.DataFrame({"customer_id": ["1"], "amount": [3.0]}).to_parquet(other)
    with pytest.raises(changes.InputError, match="column.*framework, class missing"):
        changes.check_snapshot(other)


@pytest.mark.parametrize("case", ["doubled", "corrupt", "schema"])
def test_batch_refuses_a_bad_snapshot_before_any_output(tmp_path, case):
    import subprocess

    bad = tmp_path / "old.classes.parquet"
    if case == "doubled":
        _snapshot(bad, ["1", "1"])
    elif case == "corrupt":
        bad.write_bytes(b"PAR1 this is not parquet")
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({"customer_id": ["1"], "framework": ["x"], "class": ["y"]})
        table = table.replace_schema_metadata(
            {b"clientlib": b'{"schema": "clientlib-batch-manifest", "schema_version": 1}'})
        pq.write_table(table, bad)
    cfg = tmp_path / "b.yml"
    cfg.write_text("output: out\nreports:\n  weekly: {n_customers: 100, timeline_months: 0}\n",
                   encoding="utf-8")
    proc = subprocess.run([*CLI, "reports", "run", str(cfg), "--compare-to", str(bad)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr and "weekly" in lines[0]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_index_names_the_snapshots_compared_with_when_no_earlier_index():
    manifest = {"lang": "ru", "run_date": "2025-01-06", "batch": "b.yml", "started": "x",
                "finished": None, "status": "ok", "previous": None,
                "reports": [{"name": "w", "status": "ok", "html": "w.html", "files": {},
                             "compared_with": {"snapshot": "/x/w_2024-12-01.classes.parquet",
                                               "date": "2024-12-01"}}]}
    page = index_html(manifest)
    assert M.text("batch.index_no_previous", "ru") not in page
    assert "01.12.2024" in page
    manifest["reports"][0]["compared_with"] = None
    assert M.text("batch.index_no_previous", "ru") in index_html(manifest)


def test_since_the_previous_snapshot_names_the_biggest_move_with_money(workshop):
    rd = workshop["en"]
    seg = rd.study.segments
    cur = seg[["customer_id", "framework", "class"]].astype(str)
    prev = cur.copy()
    # by hand: 30 of today's dormant were fans, 12 of today's fans were novices before
    lc = prev["framework"] == "lifecycle"
    dormant = prev.index[lc & (prev["class"] == "dormant")][:30]
    fans = prev.index[lc & (prev["class"] == "fan")][:12]
    prev.loc[dormant, "class"] = "fan"
    prev.loc[fans, "class"] = "novice"
    got = decide(rd, previous=prev, since="2024-12-01").get("since")
    moved = prev.loc[dormant, "customer_id"]
    spend = rd.study.facts.set_index("customer_id")["total_spend"].fillna(0.0)
    assert got is not None and got.customers == 30
    assert got.revenue == pytest.approx(spend[moved].sum())
    assert "from «Fan» to «Dormant»" in got.text and "2024-12-01" in got.text
    nums = numbers(got.text.split("):", 1)[1], "en")
    assert nums[0] == 30 and nums[1] == round(spend[moved].sum())


def test_the_manifest_knows_every_call_list_kind():
    from clientlib.reports.manifest import manifest_schema

    files = manifest_schema()["properties"]["reports"]["items"]["properties"]["files"]
    kinds = set(files["propertyNames"]["enum"])
    names = changes.call_list_names("x")
    assert {n[2:].replace(".", "_") for n in names} <= kinds


def test_no_decision_without_the_lifecycle_and_the_tiers():
    from clientlib.reports.data import prepare

    rd = prepare(n_customers=200, frameworks="rfm", k=2, timeline_months=2)
    d = decide(rd)
    assert d.items == [] and all(frame.empty for frame in d.calls.values())
    assert set(d.calls) == set(decisions.ACTIONS)  # the same files, header only
