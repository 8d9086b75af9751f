"""Tables and label series the report shows, shaped from a :class:`ReportData`."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from clientlib.messages import catalog, number
from clientlib.reports.data import ReportData
from clientlib.reports.text import t

__all__ = [
    "about_items",
    "agreement_figure",
    "crosstab_figure",
    "crosstabs",
    "flow_counts",
    "flow_figures",
    "framework_figure",
    "framework_table",
    "k_figure",
    "profile_figure",
    "persona_label",
    "quality_table",
    "quality_warnings",
    "rfm_figure",
    "rfm_rows",
    "rfm_table",
    "skipped_ids",
    "skipped_items",
    "transition_counts",
]


def _word(lang: str, key: str, fallback: str) -> str:
    # A catalog entry when there is one (table names, reasons), else the id as it is.
    return t(lang, key) if f"report.{key}" in catalog() else fallback


def quality_table(rd: ReportData) -> pd.DataFrame:
    """Rows used and set aside per table and reason (``QualityReport.to_frame``), localised.

    Columns: table, outcome (in words), rows, share, outcome id (the id the docs and the JSON
    use; the report shows it as code).
    """
    lang = rd.lang
    frames = [q.to_frame(lang) for q in rd.study.quality]  # reasons from the io catalog
    if not frames:
        return pd.DataFrame()
    df = pd.concat(frames, ignore_index=True)
    df["table"] = [_word(lang, f"table_{x}", str(x)) for x in df["table"]]
    df["meaning"] = [
        t(lang, "reason_used") if o == "used" else (str(m) or str(o))
        for o, m in zip(df["outcome"], df["meaning"], strict=True)
    ]
    df = df[["table", "meaning", "rows", "share", "outcome"]]
    return df.rename(columns=_cols(lang, "table", "meaning", "rows", "share", "outcome"))


# The reader's warnings (clientlib.io) are English sentences; the ones it writes are recognised
# here and said again in the report's language. Unknown ones are shown as they are.
_WARNINGS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"discount values above 1 were read as percentages"), "warning_discount_percent"),
    (re.compile(r"^(?P<n>[\d,]+) events of unknown kind\(s\) (?P<kinds>.+?) are kept"),
     "warning_unknown_events"),
    (re.compile(r"^(?P<n>[\d,]+) sentiment values are neither numbers nor "
                r"negative/neutral/positive \(e\.g\. (?P<examples>.+?)\); those events are kept"),
     "warning_sentiment"),
    (re.compile(r"^(?P<n>[\d,]+) amount\(s\) over (?P<factor>[\d,.]+)× the median "
                r"\((?P<median>[\d,.]+)\), the largest (?P<top>[\d,.]+)"),
     "warning_large_amounts"),
]


def _as_number(text: str) -> float:
    return float(text.replace(",", ""))


def quality_warnings(rd: ReportData) -> list[str]:
    """Every reader warning, ``table: warning``, in the report's language."""
    out = []
    for q in rd.study.quality:
        table = _word(rd.lang, f"table_{q.table}", q.table)
        for w in q.warnings:
            out.append(f"{table}: {_warning(w, rd.lang)}")
    return out


def _warning(w: str, lang: str) -> str:
    for pattern, key in _WARNINGS:
        m = pattern.search(w)
        if not m:
            continue
        fields = m.groupdict()
        for name in ("n", "factor"):
            if name in fields:
                fields[name] = number(_as_number(fields[name]), lang)
        for name in ("median", "top"):
            if name in fields:
                fields[name] = number(_as_number(fields[name]), lang, 2)
        return t(lang, key, **fields)
    return w


_MISSING = re.compile(r"framework '(?P<id>[^']+)' skipped: the data has no column\(s\) "
                      r"(?P<columns>[^;]+)")
_CONSTANT = re.compile(r"^(?P<id>[\w.-]+): (?P<columns>.+) holds? one value for every customer")
_QUOTED = re.compile(r"framework '(?P<id>[^']+)'[^:]*: (?P<why>.+)")
_NAMED = re.compile(r"^(?P<id>[\w.-]+): (?P<why>.+)")


def skipped_items(rd: ReportData) -> list[tuple[str, list[str]]]:
    """Why each framework did not run: ``(sentence, columns)`` in the report's language.

    The sentence names the framework by its title; the columns are ids (the report shows them
    as code after the sentence). Messages of a form not known here are shown as they are.
    """
    out = []
    for s in rd.study.skipped:
        for pattern, key in ((_MISSING, "skipped_missing"), (_CONSTANT, "skipped_constant")):
            m = pattern.search(s)
            if m:
                title = rd.titles.get(m["id"]) or _title(m["id"], rd.lang)
                cols = [c.strip() for c in m["columns"].split(",") if c.strip()]
                out.append((t(rd.lang, key, framework=title, columns="").rstrip(), cols))
                break
        else:
            m = _QUOTED.search(s) or _NAMED.search(s)
            if m:
                title = rd.titles.get(m["id"]) or _title(m["id"], rd.lang)
                out.append((t(rd.lang, "skipped_other", framework=title, why=m["why"]), []))
            else:
                out.append((s, []))
    return out


def skipped_ids(skipped: list[str]) -> list[str]:
    """The framework id each "not run" message is about (the message itself when unknown).

    Examples
    --------
    >>> skipped_ids(["framework 'awareness' skipped: the data has no column(s) x",
    ...              "buyer_types: free_share holds one value for every customer"])
    ['awareness', 'buyer_types']
    """
    out = []
    for s in skipped:
        m = _QUOTED.search(s) or _NAMED.search(s)
        out.append(m["id"] if m else s)
    return out


def _title(name: str, lang: str) -> str:
    from clientlib.reports.data import framework_titles

    return framework_titles([name], lang)[name]


def about_items(rd: ReportData) -> list[tuple[str, str]]:
    """The report parameters as ``(name in words, value)`` pairs; values stay as given."""
    out = []
    for key, value in rd.parameters.items():
        if value in ("", None):
            continue
        out.append((_word(rd.lang, f"param_{key}", key), str(value)))
    return out


def persona_label(persona: Any, lang: str) -> str:
    """The hidden true persona of the workshop data in words (``loyal_fan`` -> "Loyal fan").

    Examples
    --------
    >>> persona_label("loyal_fan", "ru")
    'верный поклонник'
    """
    return _word(lang, f"persona_{persona}", str(persona))


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
    g = g[["label", "customers", "share", "action", "class"]].reset_index(drop=True)
    return g.rename(columns=_cols(rd.lang, "label", "customers", "share", "action", "class"))


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
    s = s[["label", *[c for c in s.columns if c not in ("label", "class")], "class"]]
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
        s = s.map(lambda p: persona_label(p, rd.lang))
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


# ---------------------------------------------------------------------------------------------
# the report's figures, at the report's size (the template shows them; tests check their layout)


def framework_figure(rd: ReportData, framework: str) -> Any:
    """Customers per class of one framework (labels), as the report draws it."""
    from clientlib import plots

    rows = rd.rows(framework)
    return plots.segment_sizes(rows["label"].value_counts(), lang=rd.lang,
                               title=rd.titles.get(framework, framework))


def rfm_figure(rd: ReportData) -> Any:
    """The RFM R × F grid of customers, or None when RFM did not run."""
    from clientlib import plots

    rows = rfm_rows(rd)
    return None if rows.empty else plots.rfm_heatmap(rows, lang=rd.lang)


def k_figure(rd: ReportData) -> Any:
    """Elbow and silhouette/stability side by side, or None when k was fixed."""
    from clientlib import plots

    kchoice = rd.study.kchoice
    return None if kchoice is None else plots.kchoice_figure(kchoice, lang=rd.lang)


def profile_figure(rd: ReportData) -> Any:
    """The clusters' snake plot with their names, or None without a model."""
    from clientlib import plots

    model = rd.study.model
    if model is None:
        return None
    return plots.snake_plot(model.profiles_, names=rd.cluster_names, lang=rd.lang)


def agreement_figure(rd: ReportData) -> Any:
    """AMI between every pair of labelings, named by their titles, or None."""
    from clientlib import plots

    agreement = rd.study.agreement
    if agreement is None or agreement.empty:
        return None
    matrix = agreement.rename(index=rd.titles, columns=rd.titles)
    return plots.agreement_heatmap(matrix, lang=rd.lang)


def crosstab_figure(rd: ReportData, agreement: Any) -> Any:
    """Row shares of one crosstab of :func:`crosstabs`."""
    from clientlib import plots

    return plots.crosstab_heatmap(agreement, normalize="index", lang=rd.lang)


def flow_figures(rd: ReportData) -> list[Any]:
    """Lifecycle status counts over time and the transitions, or [] without a timeline."""
    from clientlib import plots

    if rd.snapshots is None:
        return []
    counts = flow_counts(rd)
    if len(counts) < 2:
        return []
    return [plots.flows_area(counts, lang=rd.lang),
            plots.transition_heatmap(transition_counts(rd), lang=rd.lang)]
