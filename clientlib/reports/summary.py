"""The report's automatically written findings: short sentences computed from the numbers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from clientlib.messages import date, number, percent
from clientlib.reports.text import t

__all__ = ["STABILITY_THRESHOLD", "k_sentence", "summary_points"]

#: Stability (mean pairwise ARI) a k needs to count as stable; ``clusters.choose_k``'s default.
STABILITY_THRESHOLD = 0.8


def _name(titles: Mapping[str, str], key: str) -> str:
    return titles.get(key, key)


def _largest(segments: pd.DataFrame, titles: Mapping[str, str], lang: str) -> list[str]:
    out = []
    for fw, rows in segments.groupby("framework", sort=False):
        counts = rows.groupby(["class", "label"], sort=True).size().reset_index(name="n")
        counts = counts.sort_values(["n", "class"], ascending=[False, True], kind="stable")
        top = counts.iloc[0]
        share = float(top["n"]) / len(rows)
        name = _name(titles, fw)
        out.append(t(lang, "s_largest", framework=name, label=top["label"],
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


def k_sentence(study: Any, lang: str = "en") -> str:
    """Why k-means uses the number of clusters it uses, in one sentence.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> k_sentence(SimpleNamespace(kchoice=None, model=SimpleNamespace(n_clusters=4)))
    'k-means uses k = 4, as set in the report parameters.'
    """
    kchoice, model = study.kchoice, study.model
    if model is None:
        return t(lang, "s_k_none")
    if kchoice is None:
        return t(lang, "s_k_fixed", k=int(model.n_clusters))
    k = int(kchoice.recommended_k)
    row = kchoice.table.loc[k]
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


def summary_points(
    study: Any, lang: str = "en", titles: Mapping[str, str] | None = None
) -> list[str]:
    """Main findings of a study as short sentences, in English or Russian.

    In order: customers and buyers at the analysis date; transaction rows set aside (when
    any); the largest class of every framework; the closest and the most independent pair
    of classifications (AMI), and which labeling is closest to the true personas when the
    data has them; the number of clusters and why; the RFM segment with most revenue; the
    frameworks that could not run.

    Parameters
    ----------
    study : clientlib.pipeline.Study
        Anything with ``facts``, ``quality``, ``analysis_date``, ``segments``, ``skipped``,
        ``kchoice``, ``model`` and ``agreement``.
    lang : {'en', 'ru'}
    titles : mapping, optional
        Display name per framework id (default: the ids).

    Returns
    -------
    list of str

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> seg = pd.DataFrame({"customer_id": list("abc"), "framework": "ladder",
    ...                     "class": ["client", "client", "regular"],
    ...                     "label": ["Client", "Client", "Regular"]})
    >>> study = SimpleNamespace(facts=pd.DataFrame({"orders": [1, 0, 3]}), quality=[],
    ...     analysis_date="2024-01-01", segments=seg, skipped=[], kchoice=None, model=None,
    ...     agreement=pd.DataFrame())
    >>> summary_points(study)[1]
    'ladder: the largest class is «Client» with 67% of customers.'
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
        points += _largest(study.segments, titles, lang)
    if study.agreement is not None and not study.agreement.empty:
        points += _pairs(study.agreement, titles, lang)
    if "kmeans" in set(study.segments.get("framework", [])) or study.model is not None:
        points.append(k_sentence(study, lang))
    points += _rfm(study.segments, lang)
    if study.skipped:
        from clientlib.reports.views import skipped_ids

        names = skipped_ids(study.skipped)
        shown = ", ".join(_name(titles, n) for n in names)
        points.append(t(lang, "s_skipped", n=number(len(names), lang), names=shown))
    return points
