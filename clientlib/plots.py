"""Figure functions: each takes ``ax=None`` (a new figure when None) and returns the Axes.

Axes-level functions in seaborn's style: pass ``ax=`` to draw into a figure of your own, or leave
it None for a figure at the report's size; :func:`kchoice_figure` composes two of them. The
heatmaps are drawn with :func:`seaborn.heatmap`; their annotations are black or white, whichever
contrasts more with the cell (WCAG relative luminance), so every value stays readable.
Every word comes from the message catalog (``clientlib/messages/plots.yaml``) in ``lang``
("en" or "ru"), numbers are written as the language writes them
(:func:`clientlib.messages.number`), long labels are wrapped, and class and cluster names are
shown as given.

Artists each figure draws (useful in tests and when restyling):

========================  ===================================================================
``elbow_plot``            2 lines (inertia, dashed elbow marker at ``elbow_k``)
``silhouette_plot``       3 lines (silhouette, stability, dashed marker at ``recommended_k``)
``cluster_scatter``       1 collection per cluster (PCA of log1p + standardised features)
``snake_plot``            1 line per cluster + the zero line
``crosstab_heatmap``      1 mesh (seaborn) + 1 text per cell (``annot=True``)
``agreement_heatmap``     1 mesh + 1 text per cell
``segment_sizes``         1 bar / rectangle per class
``pareto_curve``          4 lines (curve, equality diagonal, the two guides at 80 % revenue)
``flows_area``            1 filled area per class
``transition_heatmap``    1 mesh + 1 text per cell
``rfm_heatmap``           1 mesh + 1 text per cell
========================  ===================================================================
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.colors import Colormap, Normalize, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator
from sklearn.decomposition import PCA
from sklearn.utils import check_random_state

from clientlib.clusters import RFM_FEATURES, KChoice, _feature_matrix, profile, scaled_features
from clientlib.compare import Agreement
from clientlib.messages import LANGS, catalog, number, percent, text

__all__ = [
    "agreement_heatmap",
    "annotation_color",
    "class_colors",
    "cluster_scatter",
    "contrast_ratio",
    "crosstab_heatmap",
    "describe",
    "elbow_plot",
    "feature_name",
    "flows_area",
    "kchoice_figure",
    "pareto_curve",
    "relative_luminance",
    "rfm_heatmap",
    "segment_sizes",
    "silhouette_plot",
    "snake_plot",
    "squarify",
    "transition_heatmap",
]

#: Font sizes (points) of tick labels and annotations; titles and axis labels use rcParams.
TICK_SIZE = 8.0
ANNOT_SIZE = 8.0


def _check(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {sorted(LANGS)}, got {lang!r}.")
    return lang


def _w(key: str, lang: str, **fields: Any) -> str:
    return text(f"plots.{key}", lang, **fields)


def _p(key: str, lang: str, **fields: Any) -> str:
    # Words about reading and printing figures (alt texts) live in messages/print.yaml.
    return text(f"print.{key}", lang, **fields)


def feature_name(feature: str, lang: str = "en") -> str:
    """Display name of a customer-facts column (``recency_days`` -> "Recency (days)").

    Columns the catalog does not name are shown as they are.

    Examples
    --------
    >>> feature_name("total_spend", "ru"), feature_name("my_column", "ru")
    ('Сумма покупок', 'my_column')
    """
    key = f"plots.feature_{feature}"
    return text(key, lang) if key in catalog() else str(feature)


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
    ax.tick_params(labelsize=TICK_SIZE)


# ---- text that fits: wrapping by the room an axes has ----------------------------------------


def _wrap(label: Any, width: int) -> str:
    """``label`` broken at spaces into lines of about ``width`` characters.

    A word is never cut and never hyphenated: a word longer than ``width`` keeps a line of its
    own («Стадии / осведомлённости», not «Стадии освед / омлённости»).

    Examples
    --------
    >>> _wrap("Стадии осведомлённости", 8)
    'Стадии\\nосведомлённости'
    """
    lines = []
    for part in str(label).split("\n"):
        lines += textwrap.wrap(part, max(int(width), 4), break_long_words=False,
                               break_on_hyphens=False) or [""]
    return "\n".join(lines)


def _chars(inches: float, size: float) -> int:
    # Characters of a sans-serif font of ``size`` points that fit in ``inches`` (≈ 0.55 em each).
    return max(int(inches * 72 / (size * 0.55)), 6)


def _figure(ax: Axes) -> Figure:
    # Axes.figure is typed Figure | SubFigure; clientlib only draws on whole figures.
    return cast(Figure, ax.figure)


def _room(ax: Axes) -> tuple[float, float]:
    """Width and height of the axes in inches, as far as the figure size tells before layout."""
    fw, fh = _figure(ax).get_size_inches()
    box = ax.get_position()
    return max(fw * box.width, 1.0), max(fh * box.height, 1.0)


def _fit(ax: Axes) -> None:
    """Wrap the title and axis labels to the room the axes has (no text beyond the figure)."""
    w, h = _room(ax)
    size = plt.rcParams["axes.titlesize"]
    title_pt = size if isinstance(size, int | float) else 12.0
    label_size = plt.rcParams["axes.labelsize"]
    label_pt = label_size if isinstance(label_size, int | float) else 10.0
    # constrained layout shrinks the axes to make room for ticks: wrap to ~80 % of the figure.
    fw, fh = _figure(ax).get_size_inches()
    ax.set_title(_wrap(ax.get_title(), _chars(max(w, 0.8 * fw * _share(ax, 0)), title_pt * 1.1)))
    ax.set_xlabel(_wrap(ax.get_xlabel(), _chars(max(w, 0.75 * fw * _share(ax, 0)), label_pt)))
    ax.set_ylabel(_wrap(ax.get_ylabel(), _chars(max(h * 0.9, 0.6 * fh * _share(ax, 1)),
                                               label_pt)))


def _share(ax: Axes, axis: int) -> float:
    # The share of the figure's width (0) or height (1) this axes' subplot slot takes.
    spec = ax.get_subplotspec()
    if spec is None:
        return 1.0
    rows, cols = spec.get_gridspec().get_geometry()
    return 1.0 / (cols if axis == 0 else rows)


# ---- numbers as the language writes them -----------------------------------------------------


def _step_digits(values: Sequence[float]) -> int:
    vals = np.asarray([v for v in values if np.isfinite(v)], dtype=float)
    if len(vals) < 2:
        return 0
    step = np.min(np.diff(np.sort(vals))) if len(vals) > 1 else 1.0
    if step <= 0:
        return 0
    return int(max(0, min(3, -np.floor(np.log10(step) + 1e-9))))


def _number_axis(ax: Axes, axis: str, lang: str) -> None:
    """Tick labels with the language's group and decimal separators (1,000.5 / 1 000,5)."""
    target = ax.yaxis if axis == "y" else ax.xaxis

    def fmt(x: float, pos: int | None = None) -> str:
        ticks = target.get_majorticklocs()
        return number(x, lang, _step_digits(list(ticks)))

    target.set_major_formatter(FuncFormatter(fmt))


def _percent_axis(ax: Axes, axis: str = "y", lang: str = "en") -> None:
    """Tick labels of a share axis (0..1) as percentages in the language's format."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(lambda x, pos=None: percent(x, lang, 0)))


# ---- one colour per class -----------------------------------------------------------------------

#: Qualitative colours: Okabe & Ito's colour-blind-safe set (black left out), then tab10's others.
PALETTE: tuple[str, ...] = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999",
    "#8C564B", "#17BECF", "#BCBD22", "#9467BD", "#7F7F7F", "#1F77B4", "#FF7F0E",
)
_GREY, _SKY, _BLUE, _GREEN, _ORANGE, _RED, _PINK = (
    "#999999", "#56B4E9", "#0072B2", "#009E73", "#E69F00", "#D55E00", "#CC79A7")
#: Colours that carry a meaning (a path from grey to green, trouble in orange and red, metals).
_MEANT: dict[str, dict[str, str]] = {
    "lifecycle": {"target": _GREY, "lead": _SKY, "novice": _BLUE, "fan": _GREEN,
                  "dormant": _ORANGE, "returnee": _RED},
    "ladder": {"potential": _GREY, "client": _SKY, "buyer": _BLUE, "regular": _GREEN,
               "advocate": _PINK},
    "value_tiers": {"gold": "#D4A017", "silver": "#A6A6A6", "bronze": "#A0522D",
                    "false_client": _RED, "prospect": _SKY},
    "btyd": {"active": _GREEN, "at_risk": _ORANGE, "likely_lost": _RED, "no_purchase": _GREY},
    "rfm": {"non_buyer": _GREY, "champions": _GREEN, "at_risk": _ORANGE, "lost": _RED},
    "buyer_types": {"non_buyer": _GREY},
}


def _rulebook_classes(framework: str) -> list[str]:
    # The class ids in the rulebook's order; none for k-means or an unknown name.
    from clientlib import frameworks
    from clientlib.schema import ClientlibError

    if framework == "kmeans":
        return []
    try:
        fw = frameworks.load(framework)
    except (ClientlibError, OSError, ValueError):
        return []
    return [c.id for c in getattr(fw, "classes", [])]


def class_colors(framework: str, classes: Sequence[str] = ()) -> dict[str, str]:
    """The colour of every class of ``framework``, by class id: the same in every chart and report.

    A class keeps its colour whatever the data holds: the colour depends on the framework and
    the class id only (the rulebook's order, or a colour with a meaning for the lifecycle,
    ladder, value tiers and P(alive)), never on the class sizes. k-means clusters
    ``cluster_N`` take the palette's N-th colour. ``classes`` adds ids the rulebook does not
    list (they follow in the order given).

    Examples
    --------
    >>> class_colors("lifecycle")["dormant"] == class_colors("lifecycle", ["fan"])["dormant"]
    True
    >>> class_colors("kmeans", ["cluster_1", "cluster_0"])
    {'cluster_1': '#E69F00', 'cluster_0': '#0072B2'}
    """
    meant = _MEANT.get("rfm" if framework.startswith("rfm") else framework, {})
    ids = list(dict.fromkeys([*_rulebook_classes(framework), *meant, *classes]))
    out: dict[str, str] = {}
    free = [c for c in PALETTE if c not in meant.values()]
    for i, cid in enumerate(ids):
        if cid in meant:
            out[cid] = meant[cid]
        elif framework == "kmeans" and str(cid).removeprefix("cluster_").isdigit():
            out[cid] = PALETTE[int(str(cid).removeprefix("cluster_")) % len(PALETTE)]
        else:
            out[cid] = free[i % len(free)]
    return {cid: out[cid] for cid in ids}


# ---- alternative text --------------------------------------------------------------------------


def _flat(label: str) -> str:
    return " ".join(str(label).split())


def describe(fig: Figure | Axes, lang: str = "en") -> str:
    """A short description of a figure in ``lang``: its titles and what each axis shows.

    Written for the ``alt`` text of the figure's image (screen readers, blocked images):
    "Chart “Customer lifecycle”: horizontal axis: Customers; vertical axis: Class."
    A colour bar (heatmaps) says what the colour measures.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plt.figure().add_subplot()
    >>> _ = ax.set(title="Sizes", xlabel="Customers", ylabel="Class")
    >>> describe(ax, "ru")
    'Диаграмма «Sizes»: по горизонтали — Customers; по вертикали — Class.'
    """
    _check(lang)
    figure = fig if isinstance(fig, Figure) else _figure(fig)
    colorbars = {id(a) for a in figure.axes if getattr(a, "_colorbar", None) is not None}
    for a in figure.axes:  # seaborn's colour bars are axes without the attribute above
        for coll in a.collections:
            cbar = getattr(coll, "colorbar", None)
            if cbar is not None:
                colorbars.add(id(cbar.ax))
    parts = []
    for a in figure.axes:
        if id(a) in colorbars or not a.get_visible():
            continue
        title = _flat(a.get_title())
        head = _p("alt_chart", lang, title=title) if title else _p("alt_untitled", lang)
        axes = []
        if _flat(a.get_xlabel()):
            axes.append(_p("alt_x", lang, label=_flat(a.get_xlabel())))
        if _flat(a.get_ylabel()):
            axes.append(_p("alt_y", lang, label=_flat(a.get_ylabel())))
        for coll in a.collections:
            cbar = getattr(coll, "colorbar", None)
            if cbar is not None and _flat(cbar.ax.get_ylabel()):
                axes.append(_p("alt_colour", lang, label=_flat(cbar.ax.get_ylabel())))
        parts.append(head + (": " + "; ".join(axes) if axes else ""))
    return ". ".join(parts) + "." if parts else _p("alt_untitled", lang) + "."


# ---- annotation colour -------------------------------------------------------------------------


def relative_luminance(color: Any) -> float:
    """WCAG 2.x relative luminance of a colour (0 black … 1 white).

    Examples
    --------
    >>> relative_luminance("white"), relative_luminance("black")
    (1.0, 0.0)
    """
    rgb = np.asarray(to_rgb(color), dtype=float)
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(np.dot([0.2126, 0.7152, 0.0722], lin))


def contrast_ratio(a: Any, b: Any) -> float:
    """WCAG contrast ratio of two colours, 1 (none) … 21 (black on white).

    Examples
    --------
    >>> round(contrast_ratio("black", "white"), 1)
    21.0
    """
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def annotation_color(background: Any) -> str:
    """``"black"`` or ``"white"``: whichever contrasts more with ``background``.

    The better of the two always reaches a contrast ratio of at least 4.58 (WCAG AA asks 4.5).

    Examples
    --------
    >>> annotation_color("#440154"), annotation_color("#fde725")  # viridis' two ends
    ('white', 'black')
    """
    return "black" if contrast_ratio(background, "black") >= contrast_ratio(background, "white") \
        else "white"


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
    _check(lang)
    ax = _axes(ax)
    t = kchoice.table
    ax.plot(t.index, t["inertia"], marker="o", color="C0", label=_w("inertia_short", lang))
    elbow_label = _w("elbow", lang, k=kchoice.elbow_k)
    ax.axvline(kchoice.elbow_k, color="0.4", linestyle="--", label=elbow_label)
    ax.set_xticks(list(t.index))
    ax.set_title(_w("elbow_title", lang))
    ax.set_xlabel(_w("k", lang))
    ax.set_ylabel(_w("inertia", lang))
    _number_axis(ax, "y", lang)
    # a light box under the legend: at a printable width it may sit on a curve
    ax.legend(fontsize=TICK_SIZE, framealpha=0.85, edgecolor="none")
    _style(ax)
    _fit(ax)
    return ax


def silhouette_plot(kchoice: KChoice, ax: Axes | None = None, *, lang: str = "en") -> Axes:
    """Silhouette (on the sample) and stability (mean pairwise ARI) against k.

    The dashed line marks ``recommended_k``.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from clientlib.clusters import KChoice
    >>> kc = KChoice(pd.DataFrame({"inertia": [9.0, 4.0, 1.0], "silhouette": [0.4, 0.6, 0.5],
    ...      "stability": 1.0}, index=pd.Index([2, 3, 4], name="k")), 3, 3, "demo")
    >>> len(silhouette_plot(kc, lang="ru").lines)
    3
    """
    _check(lang)
    ax = _axes(ax)
    t = kchoice.table
    ax.plot(t.index, t["silhouette"], marker="o", color="C0", label=_w("silhouette", lang))
    ax.plot(t.index, t["stability"], marker="s", color="C1", label=_w("stability", lang))
    ax.axvline(
        kchoice.recommended_k,
        color="0.4",
        linestyle="--",
        label=_w("recommended", lang, k=kchoice.recommended_k),
    )
    ax.set_xticks(list(t.index))
    ax.set_title(_w("silhouette_title", lang))
    ax.set_xlabel(_w("k", lang))
    ax.set_ylabel(_w("score", lang))
    _number_axis(ax, "y", lang)
    # a light box under the legend: at a printable width it may sit on a curve
    ax.legend(fontsize=TICK_SIZE, framealpha=0.85, edgecolor="none")
    _style(ax)
    _fit(ax)
    return ax


def kchoice_figure(kchoice: KChoice, *, lang: str = "en",
                   figsize: tuple[float, float] = (12.0, 4.2)) -> Figure:
    """The report's choice-of-k figure: :func:`elbow_plot` and :func:`silhouette_plot` side by side.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from clientlib.clusters import KChoice
    >>> kc = KChoice(pd.DataFrame({"inertia": [9.0, 4.0, 1.0], "silhouette": [0.4, 0.6, 0.5],
    ...      "stability": 1.0}, index=pd.Index([2, 3, 4], name="k")), 3, 3, "demo")
    >>> len(kchoice_figure(kc).axes)
    2
    """
    fig, axes = plt.subplots(1, 2, figsize=figsize, layout="constrained")
    elbow_plot(kchoice, ax=axes[0], lang=lang)
    silhouette_plot(kchoice, ax=axes[1], lang=lang)
    return fig


# ---------------------------------------------------------------------------------------------
# clusters
# ---------------------------------------------------------------------------------------------


def _legend(ax: Axes, **kwargs: Any) -> None:
    # Legend entries wrapped so a long cluster or class name does not run off the figure.
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, [_wrap(x, 44) for x in labels], frameon=False, fontsize=TICK_SIZE,
                  **kwargs)


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
    ``max_points`` rows a seeded sample is drawn (the PCA is fitted on all rows). The legend
    shows ``names`` (cluster id -> name), else "cluster 0", "cluster 1"…

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> df = pd.DataFrame({"recency_days": [1, 2, 90, 95], "orders": [5, 6, 1, 1],
    ...                    "total_spend": [500, 550, 20, 25]})
    >>> len(cluster_scatter(df, [0, 0, 1, 1]).collections)
    2
    """
    _check(lang)
    A = _feature_matrix(X, features, log=log)
    labels = np.asarray(labels)
    if len(labels) != len(A):
        raise ValueError(f"labels has {len(labels)} entries, X has {len(A)} rows.")
    Z = scaled_features(A, log=log)
    n_comp = min(2, Z.shape[1])
    pca = PCA(n_components=n_comp, random_state=0).fit(Z)
    P = pca.transform(Z)
    if P.shape[1] == 1:
        P = np.column_stack([P[:, 0], np.zeros(len(P))])
    idx = np.arange(len(P))
    if len(P) > max_points:
        idx = np.sort(check_random_state(random_state).choice(len(P), max_points, replace=False))
    ax = _axes(ax, (7.5, 5.0))
    for i, c in enumerate(pd.unique(labels)):
        keep = idx[labels[idx] == c]
        if len(keep) == 0:
            continue
        name = names.get(c, str(c)) if names else _w("cluster", lang, id=c)
        ax.scatter(P[keep, 0], P[keep, 1], s=10, alpha=0.6, color=f"C{i % 10}", label=name)
    ratios = list(pca.explained_variance_ratio_) + [0.0]
    ax.set_title(_w("scatter_title", lang))
    ax.set_xlabel(_w("pc", lang, i=1, share=percent(ratios[0], lang, 0)))
    ax.set_ylabel(_w("pc", lang, i=2, share=percent(ratios[1], lang, 0)))
    _number_axis(ax, "x", lang)
    _number_axis(ax, "y", lang)
    _legend(ax, markerscale=2, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _style(ax)
    _fit(ax)
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
    colors: Mapping[Any, Any] | None = None,
) -> Axes:
    """Each cluster's mean per feature relative to the population (a "snake plot").

    ``colors`` maps a cluster id to its colour (:func:`class_colors` of ``"kmeans"``, so a
    cluster looks the same in every chart); else the palette is taken in turn.

    ``value="rel"`` (default) plots cluster mean / population mean − 1 in %; ``value="z"``
    plots the mean standardised log score (the space k-means works in, in standard
    deviations; the classic snake plot). Features are named on the axis in ``lang``
    (:func:`feature_name`), clusters in the legend by ``names``.

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
    _check(lang)
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
    ax = _axes(ax, (8.0, 4.5))
    x = np.arange(len(features))
    for i, (cid, row) in enumerate(prof[cols].iterrows()):
        name = names.get(cid, str(cid)) if names else _w("cluster", lang, id=cid)
        color = colors.get(cid, f"C{i % 10}") if colors else f"C{i % 10}"
        ax.plot(x, row.to_numpy(dtype=float), marker="o", color=color, label=name)
    ax.axhline(0, color="0.3", linewidth=0.8)
    width = _chars(_room(ax)[0] / max(len(features), 1), TICK_SIZE)
    ax.set_xticks(x, [_wrap(feature_name(f, lang), width) for f in features])
    if value == "rel":
        _percent_axis(ax, "y", lang)
    else:
        _number_axis(ax, "y", lang)
    ax.set_title(_w("snake_title", lang))
    ax.set_xlabel(_w("feature", lang))
    ax.set_ylabel(_w("relative", lang) if value == "rel" else _w("zscore", lang))
    _legend(ax, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _style(ax)
    _fit(ax)
    return ax


# ---------------------------------------------------------------------------------------------
# heatmaps
# ---------------------------------------------------------------------------------------------


def _heatmap(
    ax: Axes,
    frame: pd.DataFrame,
    *,
    digits: int,
    cmap: str,
    cbar_label: str,
    lang: str,
    vmin: float | None = None,
    vmax: float | None = None,
    annot: bool = True,
    fmt: Callable[[float], str] | None = None,
    annot_size: float = ANNOT_SIZE,
) -> None:
    """Draw ``frame`` with seaborn; annotate each cell in black or white by its luminance."""
    values = frame.to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    lo = float(vmin if vmin is not None else (finite.min() if finite.size else 0.0))
    hi = float(vmax if vmax is not None else (finite.max() if finite.size else 1.0))
    if hi <= lo:
        hi = lo + 1.0
    colormap: Colormap = plt.get_cmap(cmap)
    norm = Normalize(lo, hi)
    nrows, ncols = values.shape
    fig_w, fig_h = _figure(ax).get_size_inches()
    col_in = 0.72 * fig_w * _share(ax, 0) / max(ncols, 1)
    xlabels = [_wrap(c, _chars(col_in * 0.95, TICK_SIZE)) for c in frame.columns]
    ylabels = [_wrap(r, 26) for r in frame.index]
    sns.heatmap(
        pd.DataFrame(values), ax=ax, cmap=colormap, vmin=lo, vmax=hi, annot=False,
        linewidths=0.5, linecolor="white", square=False,
        xticklabels=xlabels, yticklabels=ylabels,
        cbar_kws={"shrink": 1.0, "pad": 0.02},
    )
    ax.tick_params(axis="x", labelrotation=0, labelsize=TICK_SIZE)
    ax.tick_params(axis="y", labelrotation=0, labelsize=TICK_SIZE)
    cbar = ax.collections[0].colorbar
    if cbar is not None:
        cbar_h = 0.75 * fig_h * _share(ax, 1)
        cbar.set_label(_wrap(cbar_label, _chars(cbar_h, 10.0)))
        cbar.ax.tick_params(labelsize=TICK_SIZE)
        cbar.ax.yaxis.set_major_formatter(
            FuncFormatter(lambda x, pos=None: number(x, lang, _step_digits(list(cbar.get_ticks()))))
        )
    if annot:
        # round first so that -0.001 reads 0.00, not -0.00
        write = fmt or (lambda v: number(round(v, digits) + 0.0, lang, digits))
        for i in range(nrows):
            for j in range(ncols):
                v = values[i, j]
                if not np.isfinite(v):
                    continue
                color = annotation_color(colormap(norm(v)))
                ax.text(j + 0.5, i + 0.5, write(v), ha="center", va="center", color=color,
                        fontsize=annot_size)


def _fit_columns(ax: Axes, names: Sequence[Any]) -> None:
    """Re-wrap the column labels of a heatmap until each fits its column (measured, laid out)."""
    if not len(names):
        return
    fig = _figure(ax)
    width = max(len(str(n)) for n in names)
    # the narrowest a label can get without cutting a word
    word = max((len(w) for n in names for w in str(n).split()), default=1)
    for _ in range(6):
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg
        room = ax.get_window_extent(renderer).width / len(names) * 0.92
        widest = max(lab.get_window_extent(renderer).width for lab in ax.get_xticklabels())
        if widest <= room:
            return
        if width <= word:
            break
        width = max(word, min(width - 1, int(width * room / widest)))
        ax.set_xticklabels([_wrap(n, width) for n in names])
    # A word wider than its column: the labels stand upright (read bottom to top), whole words
    ax.set_xticklabels([_wrap(n, max(word, 24)) for n in names], rotation=90, ha="center")


def _normalise(ct: pd.DataFrame, normalize: str | None, lang: str) -> tuple:
    # (values, decimals of the annotations, colorbar label)
    if normalize is None:
        return ct.astype(float), 0, _w("count", lang)
    if normalize == "index":
        return ct.div(ct.sum(axis=1).replace(0, np.nan), axis=0) * 100, 0, _w("share_row", lang)
    if normalize == "columns":
        return ct.div(ct.sum(axis=0).replace(0, np.nan), axis=1) * 100, 0, _w("share_col", lang)
    if normalize == "all":
        return ct / ct.to_numpy().sum() * 100, 1, _w("share_all", lang)
    raise ValueError(f"normalize must be None, 'index', 'columns' or 'all', got {normalize!r}.")


#: Widest figure (inches) drawn at the report's size: an A4 page holds ~7.3 in at 96 px per inch,
#: so a figure this wide prints at 85 % and its 8 pt text at ~7 pt, not 4 pt.
MAX_WIDTH = 8.6


def _heatmap_size(nrows: int, ncols: int, col: float = 1.0, row: float = 0.5,
                  extra: tuple[float, float] = (3.4, 1.8)) -> tuple[float, float]:
    # Room for the cells plus the tick labels, title and colorbar around them; many columns
    # get narrower cells (their labels stand upright, see _fit_columns) rather than a wider page.
    col = min(col, (MAX_WIDTH - extra[0]) / max(ncols, 1))
    return (min(extra[0] + col * ncols, MAX_WIDTH), max(extra[1] + row * nrows, 3.2))


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
    >>> len(ax.collections), len(ax.texts)
    (1, 4)
    """
    _check(lang)
    if isinstance(data, Agreement):
        ct, a, b = data.crosstab, data.name_a, data.name_b
    else:
        ct = data
        a = ct.index.name or "a"
        b = ct.columns.name or "b"
    values, digits, label = _normalise(ct, normalize, lang)
    ax = _axes(ax, _heatmap_size(*ct.shape))
    _heatmap(ax, values, digits=digits, cmap="Blues", cbar_label=label, vmin=0, annot=annot,
             lang=lang)
    ax.set_title(_w("crosstab_title", lang, a=a, b=b))
    ax.set_xlabel(str(b))
    ax.set_ylabel(str(a))
    _fit(ax)
    _fit_columns(ax, list(values.columns))
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
    _check(lang)
    ax = _axes(ax, _heatmap_size(matrix.shape[0], matrix.shape[1], col=0.95, row=0.55))
    lo = min(0.0, float(np.nanmin(matrix.to_numpy(dtype=float))))
    # a size up: the matrix of every labeling is printed with cells narrower than the page's
    _heatmap(ax, matrix, digits=2, cmap="viridis", cbar_label=metric, vmin=lo, vmax=1.0,
             annot=annot, lang=lang, annot_size=ANNOT_SIZE + 1)
    ax.set_title(_w("agreement_title", lang, metric=metric))
    ax.set_xlabel(_w("labeling", lang))
    ax.set_ylabel(_w("labeling", lang))
    _fit(ax)
    _fit_columns(ax, list(matrix.columns))
    return ax


def transition_heatmap(
    flows: pd.DataFrame,
    ax: Axes | None = None,
    *,
    normalize: str | None = "index",
    annot: bool = True,
    lang: str = "en",
    from_label: str | None = None,
    to_label: str | None = None,
) -> Axes:
    """Heatmap of a flow matrix: rows = status in the earlier period, columns = later.

    ``normalize="index"`` (default) shows where each status went (rows sum to 100 %); None
    shows counts. ``from_label`` / ``to_label`` name the axes when the two dates are known
    ("Class on 30 November 2024"); the default says "earlier" / "later period".

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> fl = pd.DataFrame([[5, 1], [2, 4]], index=["fan", "dormant"], columns=["fan", "dormant"])
    >>> len(transition_heatmap(fl, lang="ru").texts)
    4
    """
    _check(lang)
    values, digits, label = _normalise(flows, normalize, lang)
    ax = _axes(ax, _heatmap_size(*flows.shape))
    _heatmap(ax, values, digits=digits, cmap="Purples", cbar_label=label, vmin=0, annot=annot,
             lang=lang)
    ax.set_title(_w("transition_title", lang))
    ax.set_xlabel(to_label or _w("to", lang))
    ax.set_ylabel(from_label or _w("from", lang))
    _fit(ax)
    _fit_columns(ax, list(values.columns))
    return ax


def _short(v: float, lang: str) -> str:
    # Three significant digits, as the language writes them (12.3, 1,230, 0.0123).
    if not np.isfinite(v) or v == 0:
        return number(v, lang, 0)
    digits = int(max(0, 2 - np.floor(np.log10(abs(v)))))
    return number(v, lang, min(digits, 4))


def _score(v: Any) -> str:
    # Scores read 1..5 even when the column is float (a null score anywhere makes it float).
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v)


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
    _check(lang)
    missing = [c for c in (r, f) + ((value,) if value else ()) if c not in df.columns]
    if missing:
        raise ValueError(f"Missing column(s) {missing}; columns found: {list(df.columns)}.")
    if value is None:
        grid = df.groupby([r, f]).size().unstack(f)
        label, title = _w("count", lang), _w("customers", lang)
        fmt: Callable[[float], str] = lambda v: number(v, lang, 0)  # noqa: E731
    else:
        grid = df.groupby([r, f])[value].agg(agg).unstack(f)
        agg_key = f"plots.agg_{agg}"
        agg_word = text(agg_key, lang) if agg_key in catalog() else agg
        label = title = _w("agg_value", lang, value=feature_name(value, lang), agg=agg_word)
        fmt = lambda v: _short(v, lang)  # noqa: E731
    grid = grid.sort_index(ascending=False).sort_index(axis=1)
    grid.index = [_score(i) for i in grid.index]
    grid.columns = [_score(c) for c in grid.columns]
    ax = _axes(ax, _heatmap_size(grid.shape[0], grid.shape[1], col=0.8, row=0.5, extra=(3.0, 1.8)))
    _heatmap(ax, grid, digits=0, cmap="YlGnBu", cbar_label=label, annot=annot, lang=lang,
             fmt=fmt)
    # after the colon the name reads as a phrase, lower case ("Сетка RFM: средняя сумма покупок")
    ax.set_title(_w("rfm_title", lang, value=title[:1].lower() + title[1:]))
    ax.set_xlabel(_w("f", lang))
    ax.set_ylabel(_w("r", lang))
    _fit(ax)
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
    colors: Mapping[Any, Any] | None = None,
    order: Sequence[Any] | None = None,
) -> Axes:
    """Customers per class as horizontal bars (largest on top) or a treemap.

    ``counts`` is a Series (or mapping) class -> number of customers, e.g.
    ``df["label"].value_counts()``. Bars are annotated with the count and share; the treemap
    (squarified, no extra dependency) labels each rectangle the same way, and leaves out the
    label of a rectangle too small to hold it. Without ``ax`` the figure is as tall as the
    number of classes needs.

    ``order`` lists the classes top to bottom (a funnel's path) instead of largest first;
    classes it does not name follow, largest first. ``colors`` maps a class to its colour
    (:func:`class_colors`), so a class looks the same in every chart; without it the bars are
    one colour and the treemap's rectangles take the palette in turn.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> counts = pd.Series({"fan": 30, "novice": 50, "dormant": 20})
    >>> len(segment_sizes(counts).patches), len(segment_sizes(counts, kind="treemap").patches)
    (3, 3)
    """
    _check(lang)
    s = pd.Series(counts, dtype=float) if not isinstance(counts, pd.Series) else counts
    s = s.astype(float).sort_values(ascending=False, kind="stable")
    if order is not None:
        first = [c for c in dict.fromkeys(order) if c in s.index]
        s = s.reindex(first + [c for c in s.index if c not in first])
    total = s.sum()

    def value_text(v: float) -> str:
        return _w("bar_value", lang, count=number(v, lang), share=percent(v / total, lang, 0))

    if kind == "bar":
        ax = _axes(ax, (7.0, 1.3 + 0.38 * max(len(s), 2)))
        ypos = np.arange(len(s))[::-1]
        bar_colors = [colors.get(c, "C0") for c in s.index] if colors else "C0"
        ax.barh(ypos, s.to_numpy(), color=bar_colors)
        ax.set_yticks(ypos, [_wrap(i, 34) for i in s.index])
        for yy, v in zip(ypos, s.to_numpy(), strict=True):
            ax.annotate(" " + value_text(v), (v, yy), va="center", fontsize=ANNOT_SIZE)
        ax.set_xlabel(_w("count", lang))
        ax.set_ylabel(_w("class", lang))
        ax.set_xlim(0, s.max() * 1.3 if len(s) and s.max() > 0 else 1)
        if len(s):
            ax.set_ylim(-0.6, len(s) - 0.4)
        ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
        _number_axis(ax, "x", lang)
        _style(ax)
        ax.grid(False, axis="y")
    elif kind == "treemap":
        ax = _axes(ax, (7.0, 5.0))
        pos = s[s > 0]
        rects = squarify(pos.to_numpy(), 0, 0, 1, 1)
        placed = []
        for i, ((name, v), (rx, ry, rw, rh)) in enumerate(zip(pos.items(), rects, strict=True)):
            face = colors.get(name, f"C{i % 10}") if colors else f"C{i % 10}"
            patch = Rectangle((rx, ry), rw, rh, facecolor=face, edgecolor="white",
                              linewidth=2, alpha=0.85)
            ax.add_patch(patch)
            label = ax.text(rx + rw / 2, ry + rh / 2, f"{_wrap(name, 18)}\n{value_text(v)}",
                            ha="center", va="center", fontsize=ANNOT_SIZE,
                            color=annotation_color(patch.get_facecolor()))
            placed.append((label, patch))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(_w("area", lang))
        ax.set_ylabel("")
        for side in ("top", "right", "left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.set_title(title or _w("sizes_title", lang))
        _fit(ax)
        _hide_what_does_not_fit(ax, placed)
        return ax
    else:
        raise ValueError(f"kind must be 'bar' or 'treemap', got {kind!r}.")
    ax.set_title(title or _w("sizes_title", lang))
    _fit(ax)
    return ax


def _hide_what_does_not_fit(ax: Axes, placed: list) -> None:
    # Lay the figure out once, then hide each label that spills over its rectangle.
    fig = _figure(ax)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg
    for label, patch in placed:
        box = label.get_window_extent(renderer)
        room = patch.get_window_extent(renderer)
        if not (room.x0 <= box.x0 and box.x1 <= room.x1 and room.y0 <= box.y0
                and box.y1 <= room.y1):
            label.set_visible(False)


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
    _check(lang)
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
    ax.plot(cx, cy, color="C0", linewidth=2, label=_w("revenue_curve", lang))
    ax.plot([0, 1], [0, 1], color="0.6", linestyle=":", label=_w("equality", lang))
    reach = cx[np.argmax(cy >= at - 1e-12)] if (cy >= at - 1e-12).any() else 1.0
    guide = _w("pareto_guide", lang, c=percent(reach, lang, 0), r=percent(at, lang, 0))
    ax.plot([reach, reach], [0, at], color="C3", linestyle="--", linewidth=1, label=guide)
    ax.plot([0, reach], [at, at], color="C3", linestyle="--", linewidth=1)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    _percent_axis(ax, "x", lang)
    _percent_axis(ax, "y", lang)
    ax.set_title(_w("pareto_title", lang))
    ax.set_xlabel(_w("share_customers", lang))
    ax.set_ylabel(_w("share_revenue", lang))
    _legend(ax, loc="lower right")
    _style(ax)
    _fit(ax)
    return ax


def _month(ts: Any, lang: str) -> str:
    d = pd.Timestamp(ts)
    return _w("month", lang, y=f"{d.year:04d}", m=f"{d.month:02d}")


def flows_area(
    counts: pd.DataFrame,
    ax: Axes | None = None,
    *,
    share: bool = False,
    period: str = "period",
    cls: str = "class",
    value: str = "count",
    lang: str = "en",
    colors: Mapping[Any, Any] | None = None,
) -> Axes:
    """Stacked area of customers per class at each period end.

    ``counts`` is wide (index = period, one column per class) or long (columns ``period``,
    ``class``, ``count``; names configurable). ``share=True`` stacks shares (each period sums
    to 100 %). Periods are written as months of the language (``2024-06`` / ``06.2024``).
    Classes are stacked in the order of the columns (the first at the bottom); ``colors``
    maps a class to its colour (:func:`class_colors`), else the palette is taken in turn.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> wide = pd.DataFrame({"novice": [5, 6, 7], "fan": [1, 2, 4]},
    ...                     index=pd.period_range("2024-01", periods=3, freq="M"))
    >>> len(flows_area(wide).collections)
    2
    """
    _check(lang)
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
    ax = _axes(ax, (8.5, 4.5))
    fills = [colors.get(c, f"C{i % 10}") for i, c in enumerate(wide.columns)] if colors else None
    ax.stackplot(xs, wide.to_numpy().T, labels=[str(c) for c in wide.columns], alpha=0.85,
                 colors=fills)
    ax.set_title(_w("flows_title", lang))
    ax.set_xlabel(_w("period", lang))
    if isinstance(xs, pd.DatetimeIndex) and len(xs):
        step = max(1, int(np.ceil(len(xs) / 6)))
        ticks = list(xs[::step])
        ax.set_xticks(ticks, [_month(tk, lang) for tk in ticks])
    if share:
        _percent_axis(ax, "y", lang)
        ax.set_ylabel(_w("share", lang))
        ax.set_ylim(0, 1)
    else:
        ax.set_ylabel(_w("count", lang))
        _number_axis(ax, "y", lang)
    _legend(ax, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _style(ax)
    _fit(ax)
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
    _fit(ax)  # the Russian axis labels are long: wrap them to the room the axes has
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


def backtest_figure(bt: Any, framework: str, ax: Axes | None = None, lang: str = "en") -> Axes:
    """Bars of the share of each class who bought again in the backtest's holdout.

    One bar per class of ``framework`` in the rulebook's order (top to bottom), its customers
    at the cutoff beside it, and a dotted line at the share of all the framework's customers: a
    classification that foresees who comes back has bars far from the line on both sides.

    Parameters
    ----------
    bt : clientlib.backtest.Backtest
    framework : str
        A framework of ``bt.by_class``.
    ax : matplotlib Axes, optional
    lang : {"en", "ru"}

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import datetime as dt
    >>> from clientlib.backtest import run_backtest
    >>> bt = run_backtest("cdnow_sample", cutoff=dt.date(1997, 9, 30), frameworks=["ladder"])
    >>> len(backtest_figure(bt, "ladder").patches)
    2
    """
    from clientlib.messages import date as _date

    _check(lang)
    rows = bt.by_class[bt.by_class["framework"] == framework]
    if rows.empty:
        raise ValueError(f"framework {framework!r} is not in this backtest")
    ax = _axes(ax, (7.0, max(2.2, 0.45 * len(rows) + 1.4)))
    y = np.arange(len(rows))[::-1]  # the first class on top
    colors = [f"C{i % 10}" for i in range(len(rows))]
    ax.barh(y, rows["bought_again"], color=colors, height=0.7)
    w, _ = _room(ax)
    names = bt.labels(framework, lang) if hasattr(bt, "labels") else {}
    shown = [names.get(c, lbl) for c, lbl in zip(rows["class"], rows["label"], strict=True)]
    ax.set_yticks(y, [_wrap(lbl, _chars(w * 0.45, TICK_SIZE)) for lbl in shown])
    overall = float(np.average(rows["bought_again"], weights=rows["customers"]))
    average = text("backtest.figure_average", lang, share=percent(overall, lang))
    ax.axvline(overall, color="0.3", linestyle=":", label=average)
    for yi, (share, n) in zip(y, rows[["bought_again", "customers"]].itertuples(index=False),
                              strict=True):  # fmt: skip
        ax.annotate(f"{percent(share, lang, 0)} · {number(n, lang)}", (share, yi),
                    xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)  # fmt: skip
    ax.set_xlim(0, min(1.0, max(float(rows["bought_again"].max()) * 1.35, 0.1)))
    _percent_axis(ax, "x", lang)
    title = bt.title(framework, lang) if hasattr(bt, "title") else framework
    ax.set_title(text("backtest.figure_title", lang, title=title))
    ax.set_xlabel(text("backtest.figure_x", lang, start=_date(bt.holdout_start, lang),
                       end=_date(bt.holdout_end, lang)))  # fmt: skip
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    _style(ax)
    ax.grid(False, axis="y")
    _fit(ax)
    return ax


__all__ += ["backtest_figure"]
