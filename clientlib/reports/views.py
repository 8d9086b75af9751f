"""Tables and label series the report shows, shaped from a :class:`ReportData`."""

from __future__ import annotations

from typing import Any

import pandas as pd

from clientlib.reports.data import ReportData
from clientlib.reports.text import REASONS, t

__all__ = [
    "crosstabs",
    "flow_counts",
    "framework_table",
    "quality_table",
    "rfm_rows",
    "rfm_table",
    "transition_counts",
]


def quality_table(rd: ReportData) -> pd.DataFrame:
    """Rows used and set aside per table and reason (``QualityReport.to_frame``), localised."""
    frames = [q.to_frame() for q in rd.study.quality]
    if not frames:
        return pd.DataFrame()
    df = pd.concat(frames, ignore_index=True)
    if rd.lang in REASONS:  # the outcome id stays (it is what the docs and JSON use)
        df["meaning"] = df["outcome"].map(REASONS[rd.lang]).fillna("")
    return df.rename(columns=_cols(rd.lang, "table", "outcome", "rows", "meaning", "share"))


def _cols(lang: str, *names: str) -> dict[str, str]:
    return {n: t(lang, f"col_{n}") for n in names}


def framework_table(rd: ReportData, framework: str) -> pd.DataFrame:
    """Customers and share per class of one framework, with the suggested action.

    Classes are listed largest first; the action is the rulebook's (empty for k-means).
    """
    rows = rd.rows(framework)
    g = (
        rows.groupby(["class", "label"], sort=True, dropna=False)
        .agg(customers=("customer_id", "size"), action=("action", "first"))
        .reset_index()
    )
    g["share"] = g["customers"] / max(len(rows), 1)
    g["action"] = g["action"].fillna("")
    g = g.sort_values(["customers", "class"], ascending=[False, True], kind="stable")
    g = g[["class", "label", "customers", "share", "action"]].reset_index(drop=True)
    return g.rename(columns=_cols(rd.lang, "class", "label", "customers", "share", "action"))


def rfm_rows(rd: ReportData) -> pd.DataFrame:
    """The RFM framework's rows (scores R, F, M per customer); empty when RFM did not run."""
    return rd.rows("rfm")


def rfm_table(rd: ReportData) -> pd.DataFrame:
    """``rfm.segment_summary`` of the RFM rows, localised column names."""
    from clientlib.rfm import segment_summary

    rows = rfm_rows(rd)
    if rows.empty:
        return pd.DataFrame()
    s = segment_summary(rows)
    names = {
        "customer_share": t(rd.lang, "col_share"),
        "revenue_share": t(rd.lang, "col_revenue_share"),
        "avg_order_value": t(rd.lang, "col_aov"),
        **_cols(rd.lang, "class", "label", "customers", "orders", "revenue"),
    }
    return s.rename(columns=names)


def _labels(rd: ReportData, name: str) -> pd.Series:
    if name == "persona":
        s = rd.study.facts.set_index("customer_id")["persona"]
    else:
        s = rd.rows(name).set_index("customer_id")["label"]
    return s.rename(rd.titles.get(name, name))


def crosstabs(rd: ReportData, limit: int = 3) -> list[Any]:
    """Agreements (``compare.compare``, on labels) worth a crosstab in the report.

    Lifecycle and RFM against k-means, and k-means against the true personas when the data
    has them; at most ``limit``, in that order.
    """
    from clientlib.compare import compare

    present = set(rd.study.segments["framework"])
    wanted = [("lifecycle", "kmeans"), ("rfm", "kmeans")]
    if "persona" in rd.study.facts.columns:
        wanted.append(("kmeans", "persona"))
    out = []
    for a, b in wanted:
        if (a in present or a == "persona") and (b in present or b == "persona"):
            out.append(compare(_labels(rd, a), _labels(rd, b)))
    return out[:limit]


def _label_map(rd: ReportData, framework: str) -> dict[str, str]:
    rows = rd.rows(framework)
    return dict(zip(rows["class"], rows["label"], strict=False))


def flow_counts(rd: ReportData) -> pd.DataFrame:
    """Customers per lifecycle status (columns, labelled) at each month end (rows)."""
    snaps = rd.snapshots
    if snaps is None or snaps.empty:
        return pd.DataFrame()
    names = _label_map(rd, "lifecycle")
    wide = snaps.groupby(["period_end", "class"]).size().unstack("class", fill_value=0)
    wide.index = pd.PeriodIndex(wide.index, freq="M")
    order = wide.iloc[-1].sort_values(ascending=False, kind="stable").index
    return wide[order].rename(columns=lambda c: names.get(c, c))


def transition_counts(rd: ReportData) -> pd.DataFrame:
    """Moves between lifecycle statuses summed over consecutive month ends (from × to).

    Customers who stayed in their status are counted too (the diagonal); customers not yet
    known at the earlier month end are left out.
    """
    from clientlib.timeline import NONE, flows

    snaps = rd.snapshots
    if snaps is None or snaps["period_end"].nunique() < 2:
        return pd.DataFrame()
    fl = flows(snaps)
    fl = fl[fl["from_class"] != NONE]
    names = _label_map(rd, "lifecycle")
    ct = fl.pivot_table(index="from_class", columns="to_class", values="customers",
                        aggfunc="sum", fill_value=0, sort=True)
    return ct.rename(index=lambda c: names.get(c, c), columns=lambda c: names.get(c, c))
