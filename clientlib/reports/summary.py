"""The report's automatically written words beside the decisions: findings and the appendix.

:func:`findings` are the few lines a manager reads under the decisions (customers, rows set
aside, where BG/NBD and the lifecycle disagree and why, the RFM segment with most revenue, the
classifications that could not run, named by their titles). :func:`appendix_points` are the
statistics an analyst wants and a manager does not: the largest class of every classification
in teaching order (the rulebooks' ``order:``), the classifications that carry no information on
the data (listed once, never as a finding), agreement between classifications (AMI) and the
choice of k.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from clientlib.messages import date, number, percent
from clientlib.messages import text as message
from clientlib.reports.text import t

__all__ = [
    "ACTIVE_CLASSES",
    "NO_SIGNAL_SHARE",
    "STABILITY_THRESHOLD",
    "appendix_points",
    "disagreement",
    "findings",
    "k_sentence",
    "no_signal",
    "summary_points",
    "teaching_order",
]

#: Stability (mean pairwise ARI) a k needs to count as stable; ``clusters.choose_k``'s default.
STABILITY_THRESHOLD = 0.8
#: A classification whose largest class holds at least this share of customers says nothing.
NO_SIGNAL_SHARE = 0.95
#: Class ids of the BG/NBD rulebook (or any P(alive) rulebook) that call a customer alive.
ACTIVE_CLASSES = ("active", "alive")


def _name(titles: Mapping[str, str], key: str) -> str:
    return titles.get(key, key)


def teaching_order(names: Sequence[str]) -> list[str]:
    """Framework ids in the rulebooks' ``order:`` (lifecycle first), unknown ones last by id.

    Examples
    --------
    >>> teaching_order(["btyd", "awareness", "kmeans", "lifecycle"])
    ['lifecycle', 'awareness', 'btyd', 'kmeans']
    """
    from clientlib import frameworks
    from clientlib.schema import ClientlibError

    def key(name: str) -> tuple[int, str]:
        try:
            return int(frameworks.load(name).rulebook.order), name
        except (ClientlibError, AttributeError):  # k-means, a user rulebook path
            return 10_000, name

    return sorted(dict.fromkeys(names), key=key)


def _largest_class(rows: pd.DataFrame) -> tuple[str, str, float, int]:
    counts = rows.groupby(["class", "label"], sort=True).size().reset_index(name="n")
    counts = counts.sort_values(["n", "class"], ascending=[False, True], kind="stable")
    top = counts.iloc[0]
    return str(top["class"]), str(top["label"]), float(top["n"]) / len(rows), len(counts)


def no_signal(segments: pd.DataFrame) -> list[str]:
    """Frameworks whose classes carry no information on this data, in teaching order.

    One class holding at least :data:`NO_SIGNAL_SHARE` of the customers (or the only class)
    tells nothing about anyone; such a framework is never a finding.

    Examples
    --------
    >>> seg = pd.DataFrame({"customer_id": range(40), "framework": "buyer_types",
    ...                     "class": ["seeker"] * 39 + ["freeloader"], "label": "x"})
    >>> no_signal(seg)
    ['buyer_types']
    """
    out = []
    for fw, rows in segments.groupby("framework", sort=False):
        if fw == "kmeans" or rows.empty:
            continue
        _, _, share, n_classes = _largest_class(rows)
        if share >= NO_SIGNAL_SHARE or n_classes < 2:
            out.append(str(fw))
    return teaching_order(out)


def _largest(segments: pd.DataFrame, titles: Mapping[str, str], lang: str,
             skip: set[str]) -> list[str]:
    out = []
    names = teaching_order([str(f) for f in segments["framework"].unique()])
    for fw in names:
        if fw in skip:
            continue
        rows = segments[segments["framework"] == fw]
        _, label, share, _ = _largest_class(rows)
        out.append(t(lang, "s_largest", framework=_name(titles, fw), label=label,
                     share=percent(share, lang, 0)))
    return out


def _pairs(agreement: pd.DataFrame, titles: Mapping[str, str], lang: str) -> list[str]:
    names = [n for n in agreement.index if n != "persona"]
    pairs = [
        (float(agreement.loc[a, b]), a, b)
        for i, a in enumerate(names)
        for b in names[i + 1 :]
        if not pd.isna(agreement.loc[a, b])
    ]
    out = []
    if len(pairs) >= 2:
        # sort by value, then by names, so ties resolve the same way every run
        hi = max(pairs, key=lambda p: (p[0], p[1], p[2]))
        lo = min(pairs, key=lambda p: (p[0], p[1], p[2]))
        out.append(
            t(lang, "s_pairs", a=_name(titles, hi[1]), b=_name(titles, hi[2]),
              v=number(hi[0], lang, 2), c=_name(titles, lo[1]), d=_name(titles, lo[2]),
              w=number(lo[0], lang, 2))
        )
    if "persona" in agreement.index and names:
        col = agreement.loc[names, "persona"].astype(float).dropna()
        if len(col):
            best = col.sort_index().idxmax()
            out.append(t(lang, "s_persona", a=_name(titles, best),
                         v=number(float(col[best]), lang, 2)))
    return out


def k_sentence(study: Any, lang: str = "en", asked: Any = None) -> str:
    """What k k-means used and why, in one sentence.

    ``asked`` is the k of the report parameters (``"auto"`` or a number); when the data had
    fewer distinct buyers than asked, the sentence says both and why.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> k_sentence(SimpleNamespace(kchoice=None, model=SimpleNamespace(n_clusters=4)))
    'k-means uses k = 4, as set in the report parameters.'
    >>> s = k_sentence(SimpleNamespace(kchoice=None, model=SimpleNamespace(n_clusters=3)), "en", 10)
    >>> s.startswith("k-means uses k = 3: the report parameters asked for 10")
    True
    """
    kchoice, model = study.kchoice, study.model
    if model is None:
        return t(lang, "s_k_none")
    used = int(model.n_clusters)
    if kchoice is not None and getattr(kchoice, "reason_key", None):
        # the KChoice records what k was used and why (auto, set, or capped by the buyers)
        return "k-means: " + kchoice.sentence(lang) + "."
    if kchoice is None:
        if isinstance(asked, int | np.integer) and int(asked) != used:
            return t(lang, "s_k_capped", k=used, asked=int(asked))
        return t(lang, "s_k_fixed", k=used)
    table = kchoice.table
    k = used if used in table.index else int(kchoice.recommended_k)
    row = table.loc[k]
    sil = float(row.get("silhouette", np.nan))
    stab = row.get("stability", np.nan)
    key = "s_k_auto" if not pd.isna(stab) and float(stab) >= STABILITY_THRESHOLD else "s_k_unstable"
    return t(lang, key, k=k, sil=number(sil, lang, 2), thr=number(STABILITY_THRESHOLD, lang, 2),
             elbow=int(kchoice.elbow_k))


def _rfm(segments: pd.DataFrame, lang: str) -> list[str]:
    from clientlib.rfm import segment_summary

    rows = segments[segments["framework"] == "rfm"]
    if rows.empty or not {"frequency", "monetary"} <= set(rows.columns):
        return []
    top = segment_summary(rows).iloc[0]
    if pd.isna(top["revenue_share"]):
        return []
    return [
        t(lang, "s_rfm", label=top["label"], cshare=percent(float(top["customer_share"]), lang, 0),
          rshare=percent(float(top["revenue_share"]), lang, 0))
    ]


def _netted(study: Any, lang: str) -> list[str]:
    """Buyers with net spend <= 0 (returns, zero amounts): why RFM and the lifecycle differ."""
    facts = study.facts
    if "rfm" not in set(study.segments.get("framework", [])) or not {
            "orders", "total_spend"} <= set(facts.columns):
        return []
    n = int(((facts["orders"] > 0) & (facts["total_spend"].fillna(0) <= 0)).sum())
    return [t(lang, "s_netted", n=number(n, lang))] if n else []


def _cycle(study: Any) -> float | None:
    fitted = getattr(study, "fitted", None) or {}
    params = getattr(fitted.get("lifecycle"), "params_", None) or {}
    value = params.get("purchase_cycle_days")
    return None if value is None else float(value)


def disagreement(study: Any, lang: str = "en") -> str | None:
    """Where BG/NBD calls customers alive and the lifecycle calls them dormant: how many, why.

    Any class of a P(alive) framework (``btyd``) whose id is in :data:`ACTIVE_CLASSES`
    against the lifecycle's ``dormant``. The customers with no repeat purchase (frequency 0)
    are ones the model cannot judge; the others buy at a rhythm slower than the one purchase
    cycle the lifecycle applies to everybody. None when the two agree or either did not run.
    """
    seg = study.segments
    bt = seg.loc[(seg["framework"] == "btyd") & seg["class"].isin(ACTIVE_CLASSES)]
    lc = seg.loc[(seg["framework"] == "lifecycle") & (seg["class"] == "dormant")]
    if bt.empty or lc.empty:
        return None
    both = bt.merge(lc[["customer_id", "label"]], on="customer_id", suffixes=("", "_lc"))
    if both.empty:
        return None
    facts = study.facts.set_index("customer_id")
    freq = facts["frequency"] if "frequency" in facts else facts["purchase_days"] - 1
    once = int((freq.reindex(both["customer_id"]).fillna(0) <= 0).sum())
    rest = len(both) - once
    label_a = str(both["label"].mode().iloc[0])
    label_b = str(both["label_lc"].iloc[0])
    fitted = (getattr(study, "fitted", None) or {}).get("btyd")
    name = str(getattr(fitted, "params_", {}).get("model", "bgnbd"))
    model = message(f"btyd.model_{name}", lang)
    parts = [t(lang, "s_disagree", n=number(len(both), lang), a=label_a, b=label_b, model=model)]
    if once:
        # only BG/NBD gives a one-time buyer P(alive) = 1 by assumption; the others judge them
        key = "s_disagree_once" if name == "bgnbd" else "s_disagree_once_real"
        parts.append(t(lang, key, once=number(once, lang)))
    if rest:
        cycle = _cycle(study)
        if cycle is None:
            parts.append(t(lang, "s_disagree_rest_plain", rest=number(rest, lang)))
        else:
            parts.append(t(lang, "s_disagree_rest", rest=number(rest, lang),
                           cycle=number(round(cycle), lang)))
    return " ".join(parts)


def _skipped_names(study: Any, titles: Mapping[str, str], lang: str) -> list[str]:
    from clientlib.reports.data import framework_titles
    from clientlib.reports.views import skipped_ids

    ids = teaching_order(skipped_ids(study.skipped))
    known = {**framework_titles([i for i in ids if i not in titles], lang), **titles}
    return [_name(known, i) for i in ids]


def findings(study: Any, lang: str = "en", titles: Mapping[str, str] | None = None) -> list[str]:
    """The few lines a manager reads under the decisions.

    Customers and buyers at the analysis date; transaction rows set aside (when any); where
    BG/NBD and the lifecycle disagree, how many and why (once); the RFM segment with most
    revenue; buyers whose returns net their spend to zero or less (RFM's non-buyers, the
    lifecycle's buyers); the classifications that could not run, by their titles in ``lang``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> seg = pd.DataFrame({"customer_id": list("abc"), "framework": "ladder",
    ...                     "class": ["client", "client", "regular"],
    ...                     "label": ["Client", "Client", "Regular"]})
    >>> study = SimpleNamespace(facts=pd.DataFrame({"orders": [1, 0, 3]}), quality=[],
    ...     analysis_date="2024-01-01", segments=seg, skipped=[], kchoice=None, model=None,
    ...     agreement=pd.DataFrame())
    >>> findings(study)
    ['3 customers were analysed at 2024-01-01; 2 of them have bought at least once.']
    """
    titles = dict(titles or {})
    facts = study.facts
    buyers = int((facts["orders"] > 0).sum()) if "orders" in facts.columns else 0
    points = [t(lang, "s_customers", customers=number(len(facts), lang),
                date=date(study.analysis_date, lang), buyers=number(buyers, lang))]
    for q in study.quality:
        if q.table == "transactions" and q.rows_excluded:
            points.append(t(lang, "s_excluded", excluded=number(q.rows_excluded, lang),
                            read=number(q.rows_read, lang)))
    if not study.segments.empty:
        said = disagreement(study, lang)
        if said:
            points.append(said)
    points += _rfm(study.segments, lang)
    points += _netted(study, lang)
    if study.skipped:
        names = _skipped_names(study, titles, lang)
        points.append(t(lang, "s_skipped", n=number(len(names), lang), names=", ".join(names)))
    return points


def appendix_points(
    study: Any, lang: str = "en", titles: Mapping[str, str] | None = None, asked_k: Any = None
) -> list[str]:
    """The analyst's statistics: largest classes, no-signal classifications, AMI, k.

    The largest class of every classification that carries information, in teaching order;
    the classifications that carry none, once; the closest and the most independent pair
    (AMI) and the labeling closest to the true personas when the data has them; what k
    k-means used and why.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> seg = pd.DataFrame({"customer_id": list("abc"), "framework": "ladder",
    ...                     "class": ["client", "client", "regular"],
    ...                     "label": ["Client", "Client", "Regular"]})
    >>> study = SimpleNamespace(facts=pd.DataFrame({"orders": [1, 0, 3]}), segments=seg,
    ...     kchoice=None, model=None, agreement=pd.DataFrame())
    >>> appendix_points(study)
    ['ladder: the largest class is «Client» with 67% of customers.']
    """
    titles = dict(titles or {})
    points: list[str] = []
    seg = study.segments
    if not seg.empty:
        silent = no_signal(seg)
        points += _largest(seg, titles, lang, set(silent))
        if silent:
            points.append(t(lang, "s_no_signal", n=number(len(silent), lang),
                            names=", ".join(f"«{_name(titles, s)}»" for s in silent)))
    if study.agreement is not None and not study.agreement.empty:
        points += _pairs(study.agreement, titles, lang)
    if "kmeans" in set(seg.get("framework", [])) or study.model is not None:
        points.append(k_sentence(study, lang, asked_k))
    btyd = (getattr(study, "fitted", None) or {}).get("btyd")
    if btyd is not None and hasattr(btyd, "params_"):
        from clientlib.frameworks.btyd import model_sentence

        points.append(model_sentence(btyd.params_, lang))  # which BTYD model ran, and why
    return points


def summary_points(
    study: Any, lang: str = "en", titles: Mapping[str, str] | None = None
) -> list[str]:
    """:func:`findings` then :func:`appendix_points` (the old single list, for callers of it)."""
    return findings(study, lang, titles) + appendix_points(study, lang, titles)
