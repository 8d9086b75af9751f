"""Figure functions: each takes ``ax=None`` (a new figure when None) and returns the Axes.

Plain matplotlib with seaborn-like defaults (no seaborn needed): a title, axis labels with
units, a light grid. User-facing text follows ``lang="en"|"ru"``; class and cluster names are
shown as given.

Artists each figure draws (useful in tests and when restyling):

========================  ===================================================================
``elbow_plot``            2 lines (inertia, dashed elbow marker at ``elbow_k``)
``silhouette_plot``       3 lines (silhouette, stability, dashed marker at ``recommended_k``)
``cluster_scatter``       1 collection per cluster (PCA of log1p + standardised features)
``snake_plot``            1 line per cluster + the zero line
``crosstab_heatmap``      1 image + 1 text per cell (``annot=True``)
``agreement_heatmap``     1 image + 1 text per cell
``segment_sizes``         1 bar / rectangle per class
``pareto_curve``          4 lines (curve, equality diagonal, the two guides at 80 % revenue)
``flows_area``            1 filled area per class
``transition_heatmap``    1 image + 1 text per cell
``rfm_heatmap``           1 image + 1 text per cell
========================  ===================================================================
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state

from clientlib.clusters import RFM_FEATURES, KChoice, _feature_matrix, profile
from clientlib.compare import Agreement

__all__ = [
    "HEADINGS",
    "elbow_plot",
    "silhouette_plot",
    "cluster_scatter",
    "snake_plot",
    "crosstab_heatmap",
    "agreement_heatmap",
    "segment_sizes",
    "pareto_curve",
    "flows_area",
    "transition_heatmap",
    "rfm_heatmap",
]

#: User-facing headings per language.
HEADINGS: dict[str, dict[str, str]] = {
    "en": {
        "elbow_title": "Elbow: inertia by number of clusters",
        "k": "Number of clusters k",
        "inertia": "Inertia (sum of squared distances, standardised units)",
        "elbow": "elbow k={k}",
        "silhouette_title": "Silhouette and stability by number of clusters",
        "score": "Score (−1…1; stability: ARI 0…1)",
        "silhouette": "silhouette",
        "stability": "stability (ARI across seeds)",
        "recommended": "recommended k={k}",
        "scatter_title": "Clusters on the first two principal components",
        "pc": "PC{i} ({share:.0%} of variance)",
        "cluster": "cluster",
        "snake_title": "Cluster profiles (snake plot)",
        "feature": "Feature",
        "relative": "Cluster mean vs population mean (%)",
        "zscore": "Mean standardised log score (SD)",
        "crosstab_title": "{a} × {b}",
        "count": "Customers",
        "share_row": "Share of row (%)",
        "share_col": "Share of column (%)",
        "share_all": "Share of all customers (%)",
        "agreement_title": "Agreement between labelings ({metric})",
        "labeling": "Labeling",
        "sizes_title": "Customers per class",
        "class": "Class",
        "pareto_title": "Pareto curve: customers vs revenue",
        "share_customers": "Share of customers, ranked by revenue (%)",
        "share_revenue": "Cumulative share of revenue (%)",
        "equality": "equal shares",
        "pareto_guide": "{c:.0%} of customers bring {r:.0%} of revenue",
        "flows_title": "Customers per status over time",
        "period": "Period end",
        "share": "Share of customers (%)",
        "transition_title": "Transitions between statuses",
        "from": "From (earlier period)",
        "to": "To (later period)",
        "rfm_title": "RFM grid: {value}",
        "r": "Recency score R (higher = more recent)",
        "f": "Frequency score F (higher = more orders)",
        "customers": "customers",
    },
    "ru": {
        "elbow_title": "Метод локтя: инерция по числу кластеров",
        "k": "Число кластеров k",
        "inertia": "Инерция (сумма квадратов расстояний, стандартизованные единицы)",
        "elbow": "локоть k={k}",
        "silhouette_title": "Силуэт и устойчивость по числу кластеров",
        "score": "Оценка (−1…1; устойчивость: ARI 0…1)",
        "silhouette": "силуэт",
        "stability": "устойчивость (ARI между запусками)",
        "recommended": "рекомендуемое k={k}",
        "scatter_title": "Кластеры на первых двух главных компонентах",
        "pc": "ГК{i} ({share:.0%} дисперсии)",
        "cluster": "кластер",
        "snake_title": "Профили кластеров (змейка)",
        "feature": "Признак",
        "relative": "Среднее кластера относительно среднего по всем (%)",
        "zscore": "Средняя стандартизованная оценка логарифма (СО)",
        "crosstab_title": "{a} × {b}",
        "count": "Клиентов",
        "share_row": "Доля строки (%)",
        "share_col": "Доля столбца (%)",
        "share_all": "Доля всех клиентов (%)",
        "agreement_title": "Согласие разметок ({metric})",
        "labeling": "Разметка",
        "sizes_title": "Клиентов в каждом классе",
        "class": "Класс",
        "pareto_title": "Кривая Парето: клиенты и выручка",
        "share_customers": "Доля клиентов по убыванию выручки (%)",
        "share_revenue": "Накопленная доля выручки (%)",
        "equality": "равные доли",
        "pareto_guide": "{c:.0%} клиентов дают {r:.0%} выручки",
        "flows_title": "Клиенты по статусам во времени",
        "period": "Конец периода",
        "share": "Доля клиентов (%)",
        "transition_title": "Переходы между статусами",
        "from": "Из (ранний период)",
        "to": "В (поздний период)",
        "rfm_title": "Сетка RFM: {value}",
        "r": "Оценка давности R (выше = недавнее)",
        "f": "Оценка частоты F (выше = больше заказов)",
        "customers": "клиенты",
    },
}


def _h(lang: str) -> dict[str, str]:
    if lang not in HEADINGS:
        raise ValueError(f"lang must be one of {sorted(HEADINGS)}, got {lang!r}.")
    return HEADINGS[lang]


def _axes(ax: Axes | None, figsize: tuple[float, float] = (7.0, 4.5)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _style(ax: Axes, grid: bool = True) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if grid:
        ax.grid(True, color="0.9", linewidth=0.8)
        ax.set_axisbelow(True)


def _percent_axis(ax: Axes, axis: str = "y") -> None:
    from matplotlib.ticker import PercentFormatter

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(PercentFormatter(1.0))


# ---------------------------------------------------------------------------------------------
# choice of k
# ---------------------------------------------------------------------------------------------


def elbow_plot(kchoice: KChoice, ax: Axes | None = None, *, lang: str = "en") -> Axes:
    """Inertia against k with the elbow marked.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from clientlib.clusters import KChoice
    >>> kc = KChoice(pd.DataFrame({"inertia": [9.0, 4.0, 1.0, 0.8], "silhouette": 0.5,
    ...      "stability": 1.0}, index=pd.Index([2, 3, 4, 5], name="k")), 4, 4, "demo")
    >>> len(elbow_plot(kc).lines)
    2
    """
    h = _h(lang)
    ax = _axes(ax)
    t = kchoice.table
    ax.plot(t.index, t["inertia"], marker="o", color="C0", label=h["inertia"].split(" (")[0])
    elbow_label = h["elbow"].format(k=kchoice.elbow_k)
    ax.axvline(kchoice.elbow_k, color="0.4", linestyle="--", label=elbow_label)
    ax.set_xticks(list(t.index))
    ax.set_title(h["elbow_title"])
    ax.set_xlabel(h["k"])
    ax.set_ylabel(h["inertia"])
    ax.legend(frameon=False)
    _style(ax)
    return ax


def silhouette_plot(kchoice: KChoice, ax: Axes | None = None, *, lang: str = "en") -> Axes:
    """Silhouette (on the sample) and stability (mean pairwise ARI) against k.

    The dashed line marks ``recommended_k``.
    """
    h = _h(lang)
    ax = _axes(ax)
    t = kchoice.table
    ax.plot(t.index, t["silhouette"], marker="o", color="C0", label=h["silhouette"])
    ax.plot(t.index, t["stability"], marker="s", color="C1", label=h["stability"])
    ax.axvline(
        kchoice.recommended_k,
        color="0.4",
        linestyle="--",
        label=h["recommended"].format(k=kchoice.recommended_k),
    )
    ax.set_xticks(list(t.index))
    ax.set_title(h["silhouette_title"])
    ax.set_xlabel(h["k"])
    ax.set_ylabel(h["score"])
    ax.legend(frameon=False)
    _style(ax)
    return ax


# ---------------------------------------------------------------------------------------------
# clusters
# ---------------------------------------------------------------------------------------------


def cluster_scatter(
    X: pd.DataFrame,
    labels: Any,
    ax: Axes | None = None,
    *,
    features: Sequence[str] = RFM_FEATURES,
    names: Mapping[Any, str] | None = None,
    log: bool = True,
    max_points: int = 20_000,
    random_state: Any = 0,
    lang: str = "en",
) -> Axes:
    """Customers on the first two principal components, coloured by cluster.

    The features are scaled as the clustering scales them (log1p, then standardised). Above
    ``max_points`` rows a seeded sample is drawn (the PCA is fitted on all rows).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> df = pd.DataFrame({"recency_days": [1, 2, 90, 95], "orders": [5, 6, 1, 1],
    ...                    "total_spend": [500, 550, 20, 25]})
    >>> len(cluster_scatter(df, [0, 0, 1, 1]).collections)
    2
    """
    h = _h(lang)
    A = _feature_matrix(X, features, log=log)
    labels = np.asarray(labels)
    if len(labels) != len(A):
        raise ValueError(f"labels has {len(labels)} entries, X has {len(A)} rows.")
    Z = StandardScaler().fit_transform(np.log1p(A) if log else A)
    n_comp = min(2, Z.shape[1])
    pca = PCA(n_components=n_comp, random_state=0).fit(Z)
    P = pca.transform(Z)
    if P.shape[1] == 1:
        P = np.column_stack([P[:, 0], np.zeros(len(P))])
    idx = np.arange(len(P))
    if len(P) > max_points:
        idx = np.sort(check_random_state(random_state).choice(len(P), max_points, replace=False))
    ax = _axes(ax, (6.5, 5.0))
    for i, c in enumerate(pd.unique(labels)):
        keep = idx[labels[idx] == c]
        if len(keep) == 0:
            continue
        name = names.get(c, str(c)) if names else f"{h['cluster']} {c}"
        ax.scatter(P[keep, 0], P[keep, 1], s=10, alpha=0.6, color=f"C{i % 10}", label=name)
    ratios = list(pca.explained_variance_ratio_) + [0.0]
    ax.set_title(h["scatter_title"])
    ax.set_xlabel(h["pc"].format(i=1, share=ratios[0]))
    ax.set_ylabel(h["pc"].format(i=2, share=ratios[1]))
    ax.legend(frameon=False, markerscale=2)
    _style(ax)
    return ax


def snake_plot(
    data: pd.DataFrame,
    labels: Any = None,
    ax: Axes | None = None,
    *,
    features: Sequence[str] | None = None,
    names: Mapping[Any, str] | None = None,
    value: str = "rel",
    lang: str = "en",
) -> Axes:
    """Each cluster's mean per feature relative to the population (a "snake plot").

    ``value="rel"`` (default) plots cluster mean / population mean − 1 in %; ``value="z"``
    plots the mean standardised log score (the space k-means works in, in standard
    deviations; the classic snake plot).

    ``data`` is either a :func:`~clientlib.clusters.profile` table (``labels`` None) or
    customer facts with ``labels`` (profiled here on ``features``, RFM by default).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> df = pd.DataFrame({"recency_days": [1, 2, 90, 95], "orders": [5, 6, 1, 1],
    ...                    "total_spend": [500, 550, 20, 25]})
    >>> len(snake_plot(df, [0, 0, 1, 1]).lines)
    3
    """
    h = _h(lang)
    prof = data if labels is None else profile(data, labels, features or RFM_FEATURES)
    if features is None:
        features = [c[: -len("_rel")] for c in prof.columns if c.endswith("_rel")]
    if value not in ("rel", "z"):
        raise ValueError(f"value must be 'rel' or 'z', got {value!r}.")
    cols = [f"{f}_{value}" for f in features]
    missing = [c for c in cols if c not in prof.columns]
    if missing:
        raise ValueError(
            f"Profile table lacks {missing}; pass a profile() table or facts with labels."
        )
    ax = _axes(ax)
    x = np.arange(len(features))
    for i, (cid, row) in enumerate(prof[cols].iterrows()):
        name = names.get(cid, str(cid)) if names else f"{h['cluster']} {cid}"
        ax.plot(x, row.to_numpy(dtype=float), marker="o", color=f"C{i % 10}", label=name)
    ax.axhline(0, color="0.3", linewidth=0.8)
    ax.set_xticks(x, list(features))
    if value == "rel":
        _percent_axis(ax)
    ax.set_title(h["snake_title"])
    ax.set_xlabel(h["feature"])
    ax.set_ylabel(h["relative"] if value == "rel" else h["zscore"])
    ax.legend(frameon=False)
    _style(ax)
    return ax


# ---------------------------------------------------------------------------------------------
# heatmaps
# ---------------------------------------------------------------------------------------------


def _heatmap(
    ax: Axes,
    frame: pd.DataFrame,
    *,
    fmt: str,
    cmap: str,
    cbar_label: str,
    vmin: float | None = None,
    vmax: float | None = None,
    annot: bool = True,
) -> None:
    values = frame.to_numpy(dtype=float)
    im = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    ax.set_xticks(np.arange(values.shape[1]), [str(c) for c in frame.columns])
    ax.set_yticks(np.arange(values.shape[0]), [str(r) for r in frame.index])
    ax.tick_params(axis="x", labelrotation=30)
    for lab in ax.get_xticklabels():
        lab.set_horizontalalignment("right")
    cbar = ax.figure.colorbar(im, ax=ax, shrink=0.85)
    cbar.set_label(cbar_label)
    if annot:
        lo = np.nanmin(values) if vmin is None else vmin
        hi = np.nanmax(values) if vmax is None else vmax
        mid = (lo + hi) / 2
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                v = values[i, j]
                text = "" if np.isnan(v) else format(v, fmt)
                color = "white" if (not np.isnan(v) and v > mid) else "black"
                ax.text(j, i, text, ha="center", va="center", color=color, fontsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _normalise(ct: pd.DataFrame, normalize: str | None, h: dict[str, str]) -> tuple:
    if normalize is None:
        return ct, "d", h["count"]
    if normalize == "index":
        return ct.div(ct.sum(axis=1).replace(0, np.nan), axis=0) * 100, ".0f", h["share_row"]
    if normalize == "columns":
        return ct.div(ct.sum(axis=0).replace(0, np.nan), axis=1) * 100, ".0f", h["share_col"]
    if normalize == "all":
        return ct / ct.to_numpy().sum() * 100, ".1f", h["share_all"]
    raise ValueError(f"normalize must be None, 'index', 'columns' or 'all', got {normalize!r}.")


def crosstab_heatmap(
    data: Agreement | pd.DataFrame,
    ax: Axes | None = None,
    *,
    normalize: str | None = None,
    annot: bool = True,
    lang: str = "en",
) -> Axes:
    """Heatmap of a crosstab (an :class:`~clientlib.compare.Agreement` or a count table).

    ``normalize``: None (counts), ``"index"`` (row %), ``"columns"`` (column %), ``"all"``.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from clientlib.compare import compare
    >>> ax = crosstab_heatmap(compare(["x", "x", "y"], [0, 1, 1]))
    >>> len(ax.images), len(ax.texts)
    (1, 4)
    """
    h = _h(lang)
    if isinstance(data, Agreement):
        ct, a, b = data.crosstab, data.name_a, data.name_b
    else:
        ct = data
        a = ct.index.name or "a"
        b = ct.columns.name or "b"
    values, fmt, label = _normalise(ct, normalize, h)
    if fmt == "d":
        values = values.astype(float)
        fmt = ".0f"
    ax = _axes(ax, (1.2 + 0.8 * ct.shape[1], 1.0 + 0.5 * ct.shape[0]))
    _heatmap(ax, values, fmt=fmt, cmap="Blues", cbar_label=label, vmin=0, annot=annot)
    ax.set_title(h["crosstab_title"].format(a=a, b=b))
    ax.set_xlabel(str(b))
    ax.set_ylabel(str(a))
    return ax


def agreement_heatmap(
    matrix: pd.DataFrame,
    ax: Axes | None = None,
    *,
    metric: str = "AMI",
    annot: bool = True,
    lang: str = "en",
) -> Axes:
    """Heatmap of :func:`~clientlib.compare.agreement_matrix` (1 on the diagonal).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> m = pd.DataFrame([[1, 0.4], [0.4, 1]], index=["rfm", "kmeans"], columns=["rfm", "kmeans"])
    >>> len(agreement_heatmap(m).texts)
    4
    """
    h = _h(lang)
    ax = _axes(ax, (2.0 + 0.8 * matrix.shape[1], 1.5 + 0.6 * matrix.shape[0]))
    lo = min(0.0, float(np.nanmin(matrix.to_numpy(dtype=float))))
    _heatmap(ax, matrix, fmt=".2f", cmap="viridis", cbar_label=metric, vmin=lo, vmax=1.0,
             annot=annot)
    ax.set_title(h["agreement_title"].format(metric=metric))
    ax.set_xlabel(h["labeling"])
    ax.set_ylabel(h["labeling"])
    return ax


def transition_heatmap(
    flows: pd.DataFrame,
    ax: Axes | None = None,
    *,
    normalize: str | None = "index",
    annot: bool = True,
    lang: str = "en",
) -> Axes:
    """Heatmap of a flow matrix: rows = status in the earlier period, columns = later.

    ``normalize="index"`` (default) shows where each status went (rows sum to 100 %); None
    shows counts.
    """
    h = _h(lang)
    values, fmt, label = _normalise(flows, normalize, h)
    if fmt == "d":
        values, fmt = values.astype(float), ".0f"
    ax = _axes(ax, (1.5 + 0.8 * flows.shape[1], 1.0 + 0.55 * flows.shape[0]))
    _heatmap(ax, values, fmt=fmt, cmap="Purples", cbar_label=label, vmin=0, annot=annot)
    ax.set_title(h["transition_title"])
    ax.set_xlabel(h["to"])
    ax.set_ylabel(h["from"])
    return ax


def rfm_heatmap(
    df: pd.DataFrame,
    ax: Axes | None = None,
    *,
    r: str = "R",
    f: str = "F",
    value: str | None = None,
    agg: str = "mean",
    annot: bool = True,
    lang: str = "en",
) -> Axes:
    """Grid of R score (rows, highest on top) × F score (columns) coloured by ``value``.

    ``value`` None counts customers per cell; otherwise ``agg`` (e.g. ``"mean"``,
    ``"sum"``, ``"median"``) of that column (for example monetary ``total_spend``).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> df = pd.DataFrame({"R": [1, 1, 2, 2], "F": [1, 2, 1, 2], "total_spend": [1, 2, 3, 4]})
    >>> len(rfm_heatmap(df, value="total_spend").texts)
    4
    """
    h = _h(lang)
    missing = [c for c in (r, f) + ((value,) if value else ()) if c not in df.columns]
    if missing:
        raise ValueError(f"Missing column(s) {missing}; columns found: {list(df.columns)}.")
    if value is None:
        grid = df.groupby([r, f]).size().unstack(f)
        label, fmt, title = h["count"], ".0f", h["customers"]
    else:
        grid = df.groupby([r, f])[value].agg(agg).unstack(f)
        label, fmt, title = f"{value} ({agg})", ".3g", f"{value} ({agg})"
    grid = grid.sort_index(ascending=False).sort_index(axis=1)
    ax = _axes(ax, (1.5 + 0.8 * grid.shape[1], 1.0 + 0.55 * grid.shape[0]))
    _heatmap(ax, grid, fmt=fmt, cmap="YlGnBu", cbar_label=label, annot=annot)
    ax.set_title(h["rfm_title"].format(value=title))
    ax.set_xlabel(h["f"])
    ax.set_ylabel(h["r"])
    return ax


# ---------------------------------------------------------------------------------------------
# sizes, Pareto, flows
# ---------------------------------------------------------------------------------------------


def _worst(row: list[float], side: float) -> float:
    s = sum(row)
    return max(max(row) * side**2 / s**2, s**2 / (side**2 * min(row)))


def squarify(values: Sequence[float], x: float, y: float, w: float, h: float) -> list[tuple]:
    """Squarified treemap layout (Bruls, Huizing & van Wijk 2000), largest values first.

    Returns one ``(x, y, width, height)`` per value, in the order given; values must be > 0.

    Examples
    --------
    >>> [tuple(round(v, 2) for v in r) for r in squarify([2, 1, 1], 0, 0, 2, 2)]
    [(0.0, 0.0, 1.0, 2.0), (1.0, 0.0, 1.0, 1.0), (1.0, 1.0, 1.0, 1.0)]
    """
    vals = np.asarray(values, dtype=float)
    if (vals <= 0).any():
        raise ValueError("squarify needs positive values.")
    order = np.argsort(-vals, kind="stable")
    areas = (vals[order] * (w * h) / vals.sum()).tolist()
    x, y, w, h = float(x), float(y), float(w), float(h)
    out: list[tuple] = []
    while areas:
        side = min(w, h)
        row = [areas[0]]
        i = 1
        while i < len(areas) and _worst(row + [areas[i]], side) <= _worst(row, side):
            row.append(areas[i])
            i += 1
        s = sum(row)
        if w >= h:
            cw, yy = s / h, y
            for a in row:
                out.append((x, yy, cw, a / cw))
                yy += a / cw
            x, w = x + cw, w - cw
        else:
            rh, xx = s / w, x
            for a in row:
                out.append((xx, y, a / rh, rh))
                xx += a / rh
            y, h = y + rh, h - rh
        areas = areas[i:]
    result: list[tuple] = [()] * len(vals)
    for pos, rect in zip(order, out, strict=True):
        result[pos] = rect
    return result


def segment_sizes(
    counts: pd.Series | Mapping[str, int],
    ax: Axes | None = None,
    *,
    kind: str = "bar",
    lang: str = "en",
    title: str | None = None,
) -> Axes:
    """Customers per class as horizontal bars (largest on top) or a treemap.

    ``counts`` is a Series (or mapping) class -> number of customers, e.g.
    ``df["class"].value_counts()``. Bars are annotated with the count and share; the treemap
    (squarified, no extra dependency) labels each rectangle the same way.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> counts = pd.Series({"fan": 30, "novice": 50, "dormant": 20})
    >>> len(segment_sizes(counts).patches), len(segment_sizes(counts, kind="treemap").patches)
    (3, 3)
    """
    h = _h(lang)
    s = pd.Series(counts, dtype=float) if not isinstance(counts, pd.Series) else counts
    s = s.astype(float).sort_values(ascending=False, kind="stable")
    total = s.sum()
    ax = _axes(ax)
    if kind == "bar":
        ypos = np.arange(len(s))[::-1]
        ax.barh(ypos, s.to_numpy(), color="C0")
        ax.set_yticks(ypos, [str(i) for i in s.index])
        for yy, v in zip(ypos, s.to_numpy(), strict=True):
            ax.annotate(f" {v:,.0f} ({v / total:.0%})", (v, yy), va="center", fontsize=8)
        ax.set_xlabel(h["count"])
        ax.set_ylabel(h["class"])
        ax.set_xlim(0, s.max() * 1.2 if len(s) and s.max() > 0 else 1)
        _style(ax)
        ax.grid(False, axis="y")
    elif kind == "treemap":
        pos = s[s > 0]
        rects = squarify(pos.to_numpy(), 0, 0, 1, 1)
        for i, ((name, v), (rx, ry, rw, rh)) in enumerate(zip(pos.items(), rects, strict=True)):
            ax.add_patch(Rectangle((rx, ry), rw, rh, facecolor=f"C{i % 10}", edgecolor="white",
                                   linewidth=2, alpha=0.85))
            ax.text(rx + rw / 2, ry + rh / 2, f"{name}\n{v:,.0f} ({v / total:.0%})",
                    ha="center", va="center", fontsize=8, color="white")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(h["count"] + " (area)" if lang == "en" else h["count"] + " (площадь)")
        ax.set_ylabel("")
        for side in ("top", "right", "left", "bottom"):
            ax.spines[side].set_visible(False)
    else:
        raise ValueError(f"kind must be 'bar' or 'treemap', got {kind!r}.")
    ax.set_title(title or h["sizes_title"])
    return ax


def pareto_curve(
    df: pd.DataFrame | pd.Series,
    ax: Axes | None = None,
    *,
    x: str = "share_customers",
    y: str = "share_revenue",
    at: float = 0.8,
    lang: str = "en",
) -> Axes:
    """Cumulative share of revenue against share of customers ranked by revenue.

    ``df`` holds ``share_customers`` and ``share_revenue`` (0..1, cumulative, ascending), or is
    a Series of revenue per customer (the curve is computed). Guides mark the share of
    customers that brings ``at`` (80 %) of revenue.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> len(pareto_curve(pd.Series([100, 50, 10, 5, 1])).lines)
    4
    """
    h = _h(lang)
    if isinstance(df, pd.Series):
        v = np.sort(df.dropna().to_numpy(dtype=float))[::-1]
        if len(v) == 0 or v.sum() == 0:
            raise ValueError("No revenue to draw a Pareto curve from.")
        cx = np.r_[0.0, np.arange(1, len(v) + 1) / len(v)]
        cy = np.r_[0.0, np.cumsum(v) / v.sum()]
    else:
        if (x, y) == ("share_customers", "share_revenue") and x not in df.columns:
            # The output of clientlib.frameworks.pareto names them the other way round.
            x, y = "customer_share", "revenue_share"
        missing = [c for c in (x, y) if c not in df.columns]
        if missing:
            raise ValueError(f"Missing column(s) {missing}; columns found: {list(df.columns)}.")
        cx = df[x].to_numpy(dtype=float)
        cy = df[y].to_numpy(dtype=float)
        if cx[0] != 0:
            cx, cy = np.r_[0.0, cx], np.r_[0.0, cy]
    ax = _axes(ax, (6.0, 5.0))
    ax.plot(cx, cy, color="C0", linewidth=2, label=h["share_revenue"].split(" (")[0])
    ax.plot([0, 1], [0, 1], color="0.6", linestyle=":", label=h["equality"])
    reach = cx[np.argmax(cy >= at - 1e-12)] if (cy >= at - 1e-12).any() else 1.0
    guide = h["pareto_guide"].format(c=reach, r=at)
    ax.plot([reach, reach], [0, at], color="C3", linestyle="--", linewidth=1, label=guide)
    ax.plot([0, reach], [at, at], color="C3", linestyle="--", linewidth=1)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    _percent_axis(ax, "x")
    _percent_axis(ax, "y")
    ax.set_title(h["pareto_title"])
    ax.set_xlabel(h["share_customers"])
    ax.set_ylabel(h["share_revenue"])
    ax.legend(frameon=False, loc="lower right")
    _style(ax)
    return ax


def flows_area(
    counts: pd.DataFrame,
    ax: Axes | None = None,
    *,
    share: bool = False,
    period: str = "period",
    cls: str = "class",
    value: str = "count",
    lang: str = "en",
) -> Axes:
    """Stacked area of customers per class at each period end.

    ``counts`` is wide (index = period, one column per class) or long (columns ``period``,
    ``class``, ``count``; names configurable). ``share=True`` stacks shares (each period sums
    to 100 %).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> wide = pd.DataFrame({"novice": [5, 6, 7], "fan": [1, 2, 4]},
    ...                     index=pd.period_range("2024-01", periods=3, freq="M"))
    >>> len(flows_area(wide).collections)
    2
    """
    h = _h(lang)
    if {period, cls, value} <= set(counts.columns):
        wide = counts.pivot_table(index=period, columns=cls, values=value, aggfunc="sum",
                                  fill_value=0, sort=True)
    else:
        wide = counts
    wide = wide.fillna(0).astype(float)
    if share:
        wide = wide.div(wide.sum(axis=1).replace(0, np.nan), axis=0).fillna(0)
    idx = wide.index
    xs = idx.to_timestamp(how="end") if isinstance(idx, pd.PeriodIndex) else idx
    ax = _axes(ax, (8.0, 4.5))
    ax.stackplot(xs, wide.to_numpy().T, labels=[str(c) for c in wide.columns], alpha=0.85)
    ax.set_title(h["flows_title"])
    ax.set_xlabel(h["period"])
    if share:
        _percent_axis(ax)
        ax.set_ylabel(h["share"])
        ax.set_ylim(0, 1)
    else:
        ax.set_ylabel(h["count"])
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _style(ax)
    return ax


# ---------------------------------------------------------------------------------------------
# ---- BTYD (clientlib.btyd: BG/NBD calibration/holdout, P(alive) curves)
# ---------------------------------------------------------------------------------------------


def _btyd_unit(model: Any, lang: str) -> str:
    from clientlib.messages import text

    return text(f"btyd.unit_{model.time_unit}", lang)


def calibration_holdout_plot(
    summary: pd.DataFrame,
    model: Any,
    ax: Axes | None = None,
    *,
    max_frequency: int = 7,
    lang: str = "en",
) -> Axes:
    """Mean holdout purchases by calibration purchases: actual vs the BG/NBD prediction.

    The classic check of Fader, Hardie & Lee (2005a, Figure 5): customers are grouped by their
    repeat purchases in the calibration period (the last group is ``max_frequency`` and more);
    for each group the mean of the purchases they actually made in the holdout period is drawn
    beside the mean the model expected from their calibration history.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`clientlib.btyd.calibration_summary` with ``holdout_end`` (``frequency``,
        ``recency``, ``T``, ``frequency_holdout``, ``duration_holdout``), in the model's unit.
    model : clientlib.btyd.BetaGeoModel
        Fitted on the calibration columns.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from clientlib.btyd import BetaGeoModel
    >>> s = pd.DataFrame({"frequency": [0, 1, 2, 0, 3], "recency": [0, 5, 20, 0, 30],
    ...     "T": [30, 30, 35, 20, 40], "frequency_holdout": [0, 1, 2, 0, 1],
    ...     "duration_holdout": 39.0})
    >>> m = BetaGeoModel(time_unit="weeks").fit(s.frequency, s.recency, s["T"])
    >>> [line.get_label() for line in calibration_holdout_plot(s, m).get_lines()]
    ['actual', 'predicted (BG/NBD)']
    """
    from clientlib.messages import text

    pred = model.expected_purchases(
        summary["duration_holdout"].to_numpy(dtype="float64"),
        summary["frequency"], summary["recency"], summary["T"],
    )  # fmt: skip
    group = np.minimum(summary["frequency"].to_numpy(dtype="float64"), max_frequency)
    df = pd.DataFrame({"g": group, "actual": summary["frequency_holdout"].to_numpy(), "pred": pred})
    agg = df.groupby("g").agg(actual=("actual", "mean"), pred=("pred", "mean"), n=("pred", "size"))
    ax = _axes(ax)
    ax.plot(agg.index, agg["actual"], marker="o", color="0.2", label=text("btyd.actual", lang))
    ax.plot(agg.index, agg["pred"], marker="s", linestyle="--", color="C0",
            label=text("btyd.predicted", lang))  # fmt: skip
    ticks = [f"{int(g)}" for g in agg.index]
    if len(ticks) and agg.index[-1] == max_frequency:
        ticks[-1] = f"{max_frequency}+"
    ax.set_xticks(agg.index, ticks)
    for g, row in agg.iterrows():
        ax.annotate(f"{int(row['n']):,}", (g, 0), xytext=(0, 2), textcoords="offset points",
                    ha="center", va="bottom", fontsize=7, color="0.5")  # fmt: skip
    ax.set_title(text("btyd.holdout_title", lang))
    ax.set_xlabel(text("btyd.holdout_x", lang))
    ax.set_ylabel(text("btyd.holdout_y", lang))
    ax.legend(frameon=False)
    _style(ax)
    return ax


def p_alive_curves(
    model: Any,
    T: float,
    ax: Axes | None = None,
    *,
    frequencies: Sequence[float] = (1, 2, 5, 10),
    cycle: float | None = None,
    lang: str = "en",
) -> Axes:
    """P(alive) against the time since the last purchase, one curve per purchase count.

    For customers of age ``T`` (in the model's unit), ``recency`` runs from ``T`` (bought just
    now) down to 0 (no purchase since the first).  ``cycle`` draws the lifecycle rule's dormant
    boundary (silent for longer than the purchase cycle), in the same unit, so the rule and the
    model can be read off one picture: the rule is one vertical line for everybody, the model
    lets frequent buyers fall faster.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from clientlib.btyd import BetaGeoModel
    >>> m = BetaGeoModel(time_unit="weeks")
    >>> m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    >>> len(p_alive_curves(m, 39, cycle=10).get_lines())
    5
    """
    from clientlib.messages import text

    unit = _btyd_unit(model, lang)
    since = np.linspace(0, T, 200)
    ax = _axes(ax)
    for k, x in enumerate(frequencies):
        p = model.p_alive(np.full(since.size, float(x)), T - since, np.full(since.size, float(T)))
        ax.plot(since, p, color=f"C{k}", label=text("btyd.frequency_curve", lang, x=x))
    if cycle is not None:
        ax.axvline(cycle, color="0.3", linestyle=":",
                   label=text("btyd.cycle_line", lang, cycle=cycle, unit=unit))  # fmt: skip
    ax.set_ylim(0, 1.02)
    ax.set_title(text("btyd.p_alive_title", lang, T=T, unit=unit))
    ax.set_xlabel(text("btyd.p_alive_x", lang, unit=unit))
    ax.set_ylabel(text("btyd.p_alive_y", lang))
    ax.legend(frameon=False, fontsize=8)
    _style(ax)
    return ax


__all__ += ["calibration_holdout_plot", "p_alive_curves"]
