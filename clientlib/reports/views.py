"""Tables and label series the report shows, shaped from a :class:`ReportData`."""

from __future__ import annotations

import contextlib
import re
from typing import Any

import pandas as pd

from clientlib.messages import catalog, date, number, text
from clientlib.reports.data import ReportData
from clientlib.reports.text import t

#: Frameworks that are a path a customer walks (the lifecycle, the loyalty ladder): their
#: classes are shown in the path's order, from the first step, never by size.
FUNNELS: tuple[str, ...] = ("lifecycle", "ladder")

__all__ = [
    "FUNNELS",
    "about_items",
    "agreement_figure",
    "class_order",
    "codes_table",
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


def _p(lang: str, key: str, **fields: Any) -> str:
    # The reading and printing words (messages/print.yaml).
    return text(f"print.{key}", lang, **fields)


def _human_date(d: Any, lang: str) -> str:
    # A date a person reads: 01.01.2025 in Russian, 1 January 2025 in English (ISO is for files).
    return date(d, lang, long=lang == "en")


def class_order(framework: str) -> list[str]:
    """The class ids of a funnel framework in the path's order, from the first step.

    The rulebook lists a path's classes from its end (they are tried first: the advocate
    before the regular, the returnee and the dormant before the fan), so the path is the
    rulebook's order read backwards: target, lead, novice, fan, dormant, returnee; potential,
    client, buyer, regular, advocate. Not a funnel (or an unknown name): ``[]``.

    Examples
    --------
    >>> class_order("ladder")
    ['potential', 'client', 'buyer', 'regular', 'advocate']
    """
    from clientlib import plots

    if framework not in FUNNELS:
        return []
    return plots._rulebook_classes(framework)[::-1]


def _label_colors(rd: ReportData, framework: str) -> dict[str, str]:
    # Class colours (plots.class_colors, keyed by class id) by the labels the charts show.
    from clientlib import plots

    rows = rd.rows(framework)
    pairs = rows[["class", "label"]].drop_duplicates("class")
    colors = plots.class_colors(framework, list(pairs["class"]))
    return {str(lbl): colors[c] for c, lbl in pairs.itertuples(index=False)}


def _word(lang: str, key: str, fallback: str) -> str:
    # A catalog entry when there is one (table names, reasons), else the id as it is.
    return t(lang, key) if f"report.{key}" in catalog() else fallback


def quality_table(rd: ReportData) -> pd.DataFrame:
    """Rows used and set aside per table and reason (``QualityReport.to_frame``), localised.

    Columns: table, outcome (in words), rows, share. The outcome ids of the JSON (``used``…)
    are left out: they mean nothing to the manager who reads the report.
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
    df = df[["table", "meaning", "rows", "share"]]
    return df.rename(columns=_cols(lang, "table", "meaning", "rows", "share"))


# The reader's warnings (clientlib.io) are English sentences; the ones it writes are recognised
# here and said again in the report's language. Unknown ones are shown as they are.
_WARNINGS: list[tuple[re.Pattern[str], str]] = [
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
        out += [f"{table}: {line}" for line in q.advice(rd.lang)]
        if q.notes.get("header_row_found") and int(q.notes.get("header_row", 1)) > 1:
            from clientlib.spreadsheet import sheet_sentence  # a title block was skipped

            out.append(f"{table}: {sheet_sentence(q.notes, rd.lang)}")
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
    as code after the sentence). A message that carries its fields
    (:class:`clientlib.frameworks.skipped.Skipped`) gives several pairs: what is missing, the
    options that add it, an example. Messages of a form not known here are shown as they are.
    """
    from clientlib.frameworks.skipped import Skipped, skip_parts

    out: list[tuple[str, list[str]]] = []
    for s in rd.study.skipped:
        if isinstance(s, Skipped) and (s.missing or s.constant):
            # the producer's fields: which table, which role, how to add it (no parsing)
            title = rd.titles.get(s.framework) or _title(s.framework, rd.lang)
            out += [(f"{sentence}:", codes) for sentence, codes in skip_parts(s, rd.lang,
                                                                               title=title)]
            continue
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
        if hasattr(s, "framework"):  # a clientlib.frameworks.skipped.Skipped
            out.append(str(s.framework))
            continue
        m = _QUOTED.search(s) or _NAMED.search(s)
        out.append(m["id"] if m else s)
    return out


def _title(name: str, lang: str) -> str:
    from clientlib.reports.data import framework_titles

    return framework_titles([name], lang)[name]


def about_items(rd: ReportData) -> list[tuple[str, str]]:
    """The report parameters as ``(name in words, value in words)`` pairs, then provenance.

    The analysis date as the language writes it (01.01.2025), ``all`` / ``auto`` and the
    language in words, with the k that was chosen; file and dataset names stay as given.
    Last the lock's hash and each input file's SHA-256 (:mod:`clientlib.provenance`).
    """
    lang = rd.lang
    out = []
    for key, value in rd.parameters.items():
        if value in ("", None):
            continue
        shown = str(value)
        if key == "analysis_date":
            shown = _human_date(value, lang)
        elif key == "frameworks" and value == "all":
            shown = _p(lang, "frameworks_all")
        elif key == "k" and value == "auto":
            chosen = len(rd.cluster_names)
            shown = (_p(lang, "k_auto", k=chosen) if chosen else _p(lang, "k_auto_none"))
        elif key == "lang" and f"print.lang_{value}" in catalog():
            shown = _p(lang, f"lang_{value}")
        out.append((_word(lang, f"param_{key}", key), shown))
    return out + _provenance_items(rd)


def _provenance_items(rd: ReportData) -> list[tuple[str, str]]:
    # The lock's hash and each input file's sha256 (first 12 digits): enough to rerun, compare
    from clientlib.provenance import UNLOCKED, record

    lang = rd.lang
    rec = record(rd.parameters)
    lock = rec["lock"] if rec["lock"] != UNLOCKED else t(lang, "about_unlocked")
    out = [(t(lang, "about_lock"), lock)]
    for item in rec["inputs"]:
        if "sha256" in item:
            what = _word(lang, f"param_{item['role']}", item["role"])
            out.append((t(lang, "about_input_hash", what=what), item["sha256"][:12]))
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

    A funnel (:data:`FUNNELS`) lists its classes in the path's order (:func:`class_order`),
    any other framework largest first; the action is the rulebook's (empty for k-means).
    Class ids are not shown (see :func:`codes_table` for the analyst's appendix).
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
    path = class_order(framework)
    if path:
        rank = {c: i for i, c in enumerate(path)}
        g = g.sort_values("class", key=lambda c: c.map(rank).fillna(len(rank)), kind="stable")
    g = g[["label", "customers", "share", "action"]].reset_index(drop=True)
    return g.rename(columns=_cols(rd.lang, "label", "customers", "share", "action"))


def codes_table(rd: ReportData) -> pd.DataFrame:
    """The analyst's appendix: every class shown in the report with the id files and code use.

    Columns: framework (title), class (label), id (``dormant``, ``ready_to_buy``…); the
    frameworks in the report's order, classes as :func:`framework_table` lists them.
    """
    out = []
    for fw in [*rd.frameworks, "kmeans"]:
        rows = rd.rows(fw)
        if rows.empty:
            continue
        pairs = rows[["class", "label"]].drop_duplicates("class")
        path = class_order(fw)
        if path:
            rank = {c: i for i, c in enumerate(path)}
            pairs = pairs.sort_values("class", key=lambda c: c.map(rank).fillna(len(rank)))
        else:
            pairs = pairs.sort_values("class")
        for cid, label in pairs.itertuples(index=False):
            out.append((rd.titles.get(fw, fw), str(label), str(cid)))
    lang = rd.lang
    return pd.DataFrame(out, columns=[_p(lang, "col_framework"), t(lang, "col_label"),
                                      _p(lang, "col_code")])


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
    s = s[["label", *[c for c in s.columns if c not in ("label", "class")]]]
    names = {
        "customer_share": t(rd.lang, "col_share"),
        "revenue_share": t(rd.lang, "col_revenue_share"),
        "avg_order_value": t(rd.lang, "col_aov"),
        **_cols(rd.lang, "label", "customers", "orders", "revenue"),
    }
    return s.rename(columns=names)


def _labels(rd: ReportData, name: str) -> pd.Series:
    if name == "persona":
        s = rd.study.facts.set_index("customer_id")["persona"]
        s = s.map(lambda p: persona_label(p, rd.lang))
        # only synthetic data knows it: say so wherever it is named
        return s.rename(_p(rd.lang, "persona_training"))
    s = rd.rows(name).set_index("customer_id")["label"]
    return s.rename(rd.titles.get(name, name))


def crosstabs(rd: ReportData, limit: int = 3) -> list[Any]:
    """Agreements (``compare.compare``, on labels) worth a crosstab in the report.

    Lifecycle and RFM against k-means, and k-means against the true personas when the data
    has them (synthetic training data only; named so); at most ``limit``, in that order.
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
    """Customers per lifecycle status (columns, labelled) at each month end (rows).

    Statuses in the path's order (:func:`class_order`), the first step first.
    """
    snaps = rd.snapshots
    if snaps is None or snaps.empty:
        return pd.DataFrame()
    names = _label_map(rd, "lifecycle")
    wide = snaps.groupby(["period_end", "class"]).size().unstack("class", fill_value=0)
    wide.index = pd.PeriodIndex(wide.index, freq="M")
    path = class_order("lifecycle")
    order = [c for c in path if c in wide.columns] + sorted(c for c in wide.columns
                                                            if c not in path)
    return wide[order].rename(columns=lambda c: names.get(c, c))


def transition_counts(rd: ReportData, *, last: bool = False) -> pd.DataFrame:
    """Moves between lifecycle statuses summed over consecutive month ends (from × to).

    Customers who stayed in their status are counted too (the diagonal); customers not yet
    known at the earlier month end are left out. ``last=True``: the last two month ends only
    (last month's moves; the two dates are in ``attrs["start"]`` and ``attrs["end"]``).
    Statuses in the path's order (:func:`class_order`).
    """
    from clientlib.timeline import NONE, flows

    snaps = rd.snapshots
    if snaps is None or snaps["period_end"].nunique() < 2:
        return pd.DataFrame()
    ends = sorted(snaps["period_end"].unique())
    if last:
        snaps = snaps[snaps["period_end"].isin(ends[-2:])]
    fl = flows(snaps)
    fl = fl[fl["from_class"] != NONE]
    names = _label_map(rd, "lifecycle")
    ct = fl.pivot_table(index="from_class", columns="to_class", values="customers",
                        aggfunc="sum", fill_value=0, sort=True)
    path = class_order("lifecycle")

    def ordered(ids: Any) -> list[str]:
        return [c for c in path if c in ids] + sorted(c for c in ids if c not in path)

    ct = ct.loc[ordered(ct.index), ordered(ct.columns)]
    ct = ct.rename(index=lambda c: names.get(c, c), columns=lambda c: names.get(c, c))
    ct.attrs.update(start=pd.Timestamp(ends[-2 if last else 0]), end=pd.Timestamp(ends[-1]))
    return ct


# ---------------------------------------------------------------------------------------------
# the report's figures, at the report's size (the template shows them; tests check their layout)


def framework_figure(rd: ReportData, framework: str) -> Any:
    """Customers per class of one framework (labels), as the report draws it."""
    from clientlib import plots

    rows = rd.rows(framework)
    names = _label_map(rd, framework)
    order = [names[c] for c in class_order(framework) if c in names] or None
    ax = plots.segment_sizes(rows["label"].value_counts(), lang=rd.lang,
                             title=rd.titles.get(framework, framework),
                             colors=_label_colors(rd, framework), order=order)
    return _tag(ax, rd.lang)


def rfm_figure(rd: ReportData) -> Any:
    """The RFM R × F grid of customers, or None when RFM did not run."""
    from clientlib import plots

    rows = rfm_rows(rd)
    return None if rows.empty else _tag(plots.rfm_heatmap(rows, lang=rd.lang), rd.lang)


def k_figure(rd: ReportData) -> Any:
    """Elbow and silhouette/stability side by side, or None when k was fixed."""
    from clientlib import plots

    kchoice = rd.study.kchoice
    if kchoice is None:
        return None
    # two panels in a printable width (plots.MAX_WIDTH), not the 12 in of the lessons
    return _tag(plots.kchoice_figure(kchoice, lang=rd.lang, figsize=(plots.MAX_WIDTH, 3.9)),
                rd.lang)


def profile_figure(rd: ReportData) -> Any:
    """The clusters' snake plot with their names, or None without a model."""
    from clientlib import plots

    model = rd.study.model
    if model is None:
        return None
    colors = plots.class_colors("kmeans", [f"cluster_{c}" for c in model.profiles_.index])
    return _tag(plots.snake_plot(model.profiles_, names=rd.cluster_names, lang=rd.lang,
                                 colors={c: colors[f"cluster_{c}"] for c in model.profiles_.index}),
                rd.lang)


def agreement_figure(rd: ReportData) -> Any:
    """AMI between every pair of labelings, named by their titles, or None."""
    from clientlib import plots

    agreement = rd.study.agreement
    if agreement is None or agreement.empty:
        return None
    # the true persona exists in synthetic data only: named as training data here too
    titles = {**rd.titles, "persona": _p(rd.lang, "persona_training")}
    matrix = agreement.rename(index=titles, columns=titles)
    return _tag(plots.agreement_heatmap(matrix, lang=rd.lang), rd.lang)


def crosstab_figure(rd: ReportData, agreement: Any) -> Any:
    """Row shares of one crosstab of :func:`crosstabs`."""
    import dataclasses

    from clientlib import plots

    ct = agreement.crosstab
    rows = [r for r in _path_labels(rd, agreement.name_a) if r in ct.index]
    cols = [c for c in _path_labels(rd, agreement.name_b) if c in ct.columns]
    if rows or cols:  # a funnel's classes in the path's order
        rows += [r for r in ct.index if r not in rows]
        cols += [c for c in ct.columns if c not in cols]
        agreement = dataclasses.replace(agreement, crosstab=ct.loc[rows, cols])
    return _tag(plots.crosstab_heatmap(agreement, normalize="index", lang=rd.lang), rd.lang)


def _path_labels(rd: ReportData, title: str) -> list[str]:
    # The labels of the funnel titled ``title`` in the path's order (else none).
    for fw in FUNNELS:
        if rd.titles.get(fw) == title:
            names = _label_map(rd, fw)
            return [names[c] for c in class_order(fw) if c in names]
    return []


def flow_figures(rd: ReportData) -> list[Any]:
    """Lifecycle status counts over time and the transitions, or [] without a timeline."""
    from clientlib import plots

    if rd.snapshots is None:
        return []
    counts = flow_counts(rd)
    if len(counts) < 2:
        return []
    moves = transition_counts(rd, last=True)
    start, end = (_human_date(moves.attrs[k], rd.lang) for k in ("start", "end"))
    return [
        _tag(plots.flows_area(counts, lang=rd.lang, colors=_label_colors(rd, "lifecycle")),
             rd.lang),
        _tag(plots.transition_heatmap(moves, lang=rd.lang,
                                      from_label=_p(rd.lang, "class_on", date=start),
                                      to_label=_p(rd.lang, "class_on", date=end)), rd.lang),
    ]


# ---------------------------------------------------------------------------------------------
# the manager's page (issue 21): decisions first, each with its call list


def decisions_html(decisions: Any, links: dict[str, tuple[str, str]], lang: str) -> str:
    """The decisions as an ordered list: the numbers, the action, links to the call lists.

    ``links`` maps an action to its (XLSX, CSV) file names beside the report (relative links);
    a decision whose call list is empty or not written gets no link. Every text is escaped.

    Examples
    --------
    >>> from types import SimpleNamespace as S
    >>> d = S(items=[S(key="unhappy", text="7 <gold>", action="Call.", calls="unhappy",
    ...                customers=7)])
    >>> html = decisions_html(d, {"unhappy": ("r.call_unhappy.xlsx", "r.call_unhappy.csv")}, "en")
    >>> 'data-decision="unhappy"' in html, "&lt;gold&gt;" in html
    (True, True)
    >>> 'href="r.call_unhappy.xlsx"' in html
    True
    """
    import html as _html
    from urllib.parse import quote

    def a(href: str, text: str) -> str:  # file names are ids: shown as code
        return f'<a href="{_html.escape(quote(href))}"><code>{_html.escape(text)}</code></a>'

    rows = []
    for d in decisions.items:
        tail = ""
        files = links.get(d.calls) if d.calls and d.customers else None
        if files:
            xlsx, csv = files
            tail = (f' <span class="calls">{_html.escape(t(lang, "d_list"))} {a(xlsx, xlsx)}'
                    f" · {a(csv, 'CSV')}</span>")
        action = f' <em class="action">{_html.escape(d.action)}</em>' if d.action else ""
        body = _html.escape(d.text)
        for code in getattr(d, "codes", None) or []:  # ids (a customer's) are not words
            safe = _html.escape(code)
            body = body.replace(safe, f"<code>{safe}</code>", 1)
        rows.append(f'<li data-decision="{_html.escape(d.key)}">{body}{action}{tail}</li>')
    style = ("<style>ol.clientlib-decisions{padding-left:1.4em;margin:.4em 0}"
             "ol.clientlib-decisions li{margin:.35em 0;line-height:1.35}"
             "ol.clientlib-decisions .action{font-style:normal;font-weight:600}</style>")
    return style + '<ol class="clientlib-decisions">' + "".join(rows) + "</ol>"


# ---------------------------------------------------------------------------------------------
# alt text: each figure the report shows carries a description in the report's language


#: The language of the report being drawn (the last figure made here); figures the template
#: draws without these functions are described in it too.
_ALT_LANG: list[str] = []


def _tag(made: Any, lang: str) -> Any:
    """Remember ``lang`` and make inline figures carry an ``alt`` description; return ``made``.

    The notebook's inline figures then carry their :func:`clientlib.plots.describe` text as
    ``alt`` metadata, read back by :mod:`clientlib.reports.render`.
    """
    _ALT_LANG[:] = [lang]
    _describe_inline_figures()
    return made


def _describe_inline_figures() -> None:
    # matplotlib-inline asks _fetch_figure_metadata for each figure it displays; wrap it once.
    import sys

    backend = sys.modules.get("matplotlib_inline.backend_inline")
    if backend is None or getattr(backend._fetch_figure_metadata, "clientlib_alt", False):
        return
    original = backend._fetch_figure_metadata

    def with_alt(fig: Any) -> Any:
        from clientlib import plots

        meta = original(fig) or {}
        # a description is a courtesy: never lose the figure for it
        with contextlib.suppress(Exception):
            if _ALT_LANG:
                meta = {**meta, "alt": plots.describe(fig, _ALT_LANG[0])}
        return meta or None

    with_alt.clientlib_alt = True  # type: ignore[attr-defined]
    backend._fetch_figure_metadata = with_alt  # type: ignore[attr-defined]
