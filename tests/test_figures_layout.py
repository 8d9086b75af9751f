"""Every figure function, in both languages, at the report's size, on the workshop data and CDNOW.

For each figure, matplotlib's own renderer gives the box of every text it draws
(``fig.canvas.get_renderer()``, ``Text.get_window_extent``): no two visible boxes may overlap,
and every box must lie inside the figure. Heatmap annotations must contrast with their cell by
at least WCAG's 4.5:1 (relative luminance computed here from the sRGB formula, not taken from
the plotting code). The Russian figures may hold no English word beyond a short allow-list.

The report's figures are drawn by the same functions the template calls
(``clientlib.reports.views.*_figure``); the figure functions the report does not use
(scatter, Pareto, treemap) are drawn here on the same study.
"""

from __future__ import annotations

import re
from functools import cache

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from clientlib import plots  # noqa: E402
from clientlib.reports import views  # noqa: E402
from clientlib.reports.data import prepare  # noqa: E402

DATASETS = ("workshop", "cdnow")
LANGS = ("en", "ru")
#: Latin words a Russian figure may show: method and measure names, score letters, proper names.
ALLOWED_LATIN = {"k", "means", "RFM", "AMI", "ARI", "R", "F", "M"}
#: The model's own names, as the papers write them (the btyd framework's title shows them too).
BTYD_TERMS = {"BG", "MBG", "NBD", "Pareto", "P", "alive", "T"}
#: The R package's name in the RFM maps' titles, and the model's names in the btyd title.
PENDING_HEADER_WORDS = {"rfm"} | BTYD_TERMS


@cache
def _report(dataset: str, lang: str):
    # The report's defaults (2,000 workshop customers, 12 month ends, k chosen automatically).
    return prepare(dataset=dataset, lang=lang)


def _figures(rd) -> list[tuple[str, plt.Figure]]:
    out = []

    def add(name, made):
        if made is None:
            return
        fig = made if isinstance(made, plt.Figure) else made.figure
        out.append((name, fig))

    for fw in rd.frameworks:
        add(f"sizes:{fw}", views.framework_figure(rd, fw))
    add("rfm", views.rfm_figure(rd))
    add("k", views.k_figure(rd))
    add("profiles", views.profile_figure(rd))
    add("agreement", views.agreement_figure(rd))
    for ag in views.crosstabs(rd):
        add(f"crosstab:{ag.name_a}×{ag.name_b}", views.crosstab_figure(rd, ag))
    for i, made in enumerate(views.flow_figures(rd)):
        add(f"flows:{i}", made)
    # figure functions the report does not show
    study = rd.study
    facts = study.facts
    buyers = facts[facts["orders"] > 0].reset_index(drop=True)
    if study.model is not None:
        labels = np.asarray(study.model.labels_)  # fitted on the buyers, in facts order
        assert len(labels) == len(buyers)
        add("scatter", plots.cluster_scatter(buyers, labels, names=rd.cluster_names,
                                             lang=rd.lang))
    add("pareto", plots.pareto_curve(facts["total_spend"], lang=rd.lang))
    lc = rd.rows("lifecycle")
    add("treemap", plots.segment_sizes(lc["label"].value_counts(), kind="treemap",
                                       lang=rd.lang))
    add("sizes:kmeans", views.framework_figure(rd, "kmeans"))
    return out


def _drawn_texts(fig) -> list[Text]:
    """The texts the renderer actually draws (visible, non-empty), recorded during a draw."""
    drawn: list[Text] = []
    original = Text.draw

    def record(self, renderer):
        if self.get_visible() and self.get_text().strip():
            drawn.append(self)
        return original(self, renderer)

    Text.draw = record
    try:
        fig.canvas.draw()
    finally:
        Text.draw = original
    return drawn


def _overlap(a, b, tol: float = 0.5) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > tol) and (min(a.y1, b.y1) - max(a.y0, b.y0) > tol)


@pytest.fixture(autouse=True)
def _report_dpi():
    # The report's figure resolution (the template sets figure.dpi = 96).
    with plt.rc_context({"figure.dpi": 96, "figure.max_open_warning": 0}):
        yield
    plt.close("all")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("dataset", DATASETS)
def test_no_text_overlaps_or_leaves_the_figure(dataset, lang):
    rd = _report(dataset, lang)
    figures = _figures(rd)
    names = {n.split(":")[0] for n, _ in figures}
    assert {"sizes", "k", "profiles", "agreement", "crosstab", "flows", "pareto", "treemap",
            "rfm"} <= names, names
    problems = []
    for name, fig in figures:
        texts = _drawn_texts(fig)
        renderer = fig.canvas.get_renderer()
        boxes = [(t, t.get_window_extent(renderer)) for t in texts]
        frame = fig.bbox
        for t, box in boxes:
            if (box.x0 < frame.x0 - 0.5 or box.y0 < frame.y0 - 0.5 or box.x1 > frame.x1 + 0.5
                    or box.y1 > frame.y1 + 0.5):
                problems.append(f"{name}: {t.get_text()!r} leaves the figure ({box.bounds})")
        for i, (t1, b1) in enumerate(boxes):
            for t2, b2 in boxes[i + 1:]:
                if _overlap(b1, b2):
                    problems.append(f"{name}: {t1.get_text()!r} overlaps {t2.get_text()!r}")
        plt.close(fig)
    assert not problems, "\n".join(problems[:20])


def _luminance(rgb) -> float:
    c = np.asarray(rgb[:3], dtype=float)
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2])


def _contrast(a, b) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("dataset", DATASETS)
def test_heatmap_annotations_contrast_with_their_cells(dataset):
    from matplotlib.colors import to_rgba

    rd = _report(dataset, "en")
    heatmaps = [views.rfm_figure(rd), views.agreement_figure(rd)]
    heatmaps += [views.crosstab_figure(rd, ag) for ag in views.crosstabs(rd)]
    heatmaps += views.flow_figures(rd)[1:]
    checked = 0
    for ax in heatmaps:
        mesh = ax.collections[0]
        ax.figure.canvas.draw()
        colours = mesh.get_facecolors()  # one per cell, row by row
        ncols = len(ax.get_xticks())
        for text in ax.texts:
            x, y = text.get_position()
            cell = int(np.floor(y)) * ncols + int(np.floor(x))
            ratio = _contrast(to_rgba(text.get_color()), colours[cell])
            assert ratio >= 4.5, (ax.get_title(), text.get_text(), round(ratio, 2))
            checked += 1
    assert checked > 50


_LATIN = re.compile(r"[A-Za-z]+")


@pytest.mark.parametrize("dataset", DATASETS)
def test_russian_figures_show_no_english(dataset):
    rd = _report(dataset, "ru")
    found: dict[str, set[str]] = {}
    for name, fig in _figures(rd):
        for t in _drawn_texts(fig):
            words = set(_LATIN.findall(t.get_text())) - ALLOWED_LATIN - PENDING_HEADER_WORDS
            if words:
                found.setdefault(name, set()).update(words)
        plt.close(fig)
    assert not found, found


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_btyd_figures_on_cdnow(lang):
    # The BTYD figures (clientlib.btyd): CDNOW's published split, 39 weeks of calibration
    # (to 1997-09-30) and 39 of holdout (Fader, Hardie & Lee 2005).
    from clientlib.btyd import BetaGeoModel, calibration_summary
    from clientlib.datasets import load_cdnow

    tx = load_cdnow()
    s = calibration_summary(tx, "1997-09-30", "1998-06-30", timestamp="date", time_unit="weeks")
    model = BetaGeoModel(time_unit="weeks").fit(s["frequency"], s["recency"], s["T"])
    figures = [plots.calibration_holdout_plot(s, model, lang=lang).figure,
               plots.p_alive_curves(model, 39, cycle=10, lang=lang).figure]
    problems = []
    for fig in figures:
        boxes = [(t, t.get_window_extent(fig.canvas.get_renderer())) for t in _drawn_texts(fig)]
        for t, box in boxes:
            if not fig.bbox.contains(box.x0 + 0.5, box.y0 + 0.5) or not fig.bbox.contains(
                    box.x1 - 0.5, box.y1 - 0.5):
                problems.append(f"{t.get_text()!r} leaves the figure")
            if lang == "ru" and set(_LATIN.findall(t.get_text())) - ALLOWED_LATIN - BTYD_TERMS:
                problems.append(f"{t.get_text()!r} is English")
        for i, (t1, b1) in enumerate(boxes):
            for t2, b2 in boxes[i + 1:]:
                if _overlap(b1, b2):
                    problems.append(f"{t1.get_text()!r} overlaps {t2.get_text()!r}")
    assert not problems, problems


def _printed_width_inches() -> float:
    # The printable width of the report's page, from its own @page rule (A4 is 210 mm wide).
    from clientlib.reports.html import PAGE_CSS

    m = re.search(r"@page\s*\{\s*size:\s*A4;\s*margin:\s*([\d.]+)mm\s+([\d.]+)mm", PAGE_CSS)
    assert m, "the report's print style names an A4 page and its margins"
    return (210 - 2 * float(m.group(2))) / 25.4


@pytest.mark.parametrize("lang", LANGS)
def test_report_figures_print_with_readable_text(lang):
    # A figure is shown at 96 px per inch; printed, a wider one than the page shrinks to fit,
    # and its text with it. Every text the report's figures draw must print at 6.5 pt or more
    # (the review measured ≈ 6 pt and less on the 11 × 11 AMI heatmap, R12).
    rd = _report("workshop", lang)
    page = _printed_width_inches()
    report = [(n, f) for n, f in _figures(rd)
              if n.split(":")[0] in {"sizes", "rfm", "k", "profiles", "agreement", "crosstab",
                                     "flows"} and n != "sizes:kmeans"]
    small = []
    for name, fig in report:
        scale = min(1.0, page / fig.get_size_inches()[0])
        for t in _drawn_texts(fig):
            if t.get_fontsize() * scale < 6.5:
                small.append((name, t.get_text()[:20], round(t.get_fontsize() * scale, 1)))
        plt.close(fig)
    assert len(report) >= 12
    assert not small, small[:10]
