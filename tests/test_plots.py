"""Smoke tests for clientlib.plots: figures render and carry the expected artists."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection, PolyCollection  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from clientlib import plots  # noqa: E402
from clientlib.clusters import KChoice, profile  # noqa: E402
from clientlib.compare import agreement_matrix, compare  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def kchoice() -> KChoice:
    table = pd.DataFrame(
        {
            "inertia": [900.0, 400.0, 120.0, 100.0, 90.0],
            "silhouette": [0.4, 0.55, 0.8, 0.6, 0.5],
            "calinski_harabasz": [1.0, 2.0, 3.0, 2.5, 2.0],
            "davies_bouldin": [1.0, 0.8, 0.4, 0.7, 0.9],
            "stability": [1.0, 0.9, 1.0, 0.7, 0.6],
        },
        index=pd.Index([2, 3, 4, 5, 6], name="k"),
    )
    return KChoice(table, elbow_k=4, recommended_k=4, reason="demo")


@pytest.fixture(scope="module")
def facts() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], 40)
    df = pd.DataFrame(
        {
            "recency_days": rng.gamma(2, [5, 60, 200][0], 120) + labels * 80,
            "orders": rng.integers(1, 4, 120) + (2 - labels) * 3,
            "total_spend": rng.gamma(2, 50, 120) * (3 - labels),
        }
    )
    return df, labels


def _fresh():
    return plt.subplots()[1]


def _cells(ax) -> np.ndarray:
    # The values seaborn's heatmap mesh shows, one row per row of the table.
    mesh = ax.collections[0]
    nrows, ncols = len(ax.get_yticks()), len(ax.get_xticks())
    return np.asarray(mesh.get_array(), dtype=float).reshape(nrows, ncols)


def test_elbow_plot(kchoice):
    ax = _fresh()
    assert plots.elbow_plot(kchoice, ax=ax) is ax
    assert ax.get_title() == "Elbow: inertia by number of clusters"
    assert ax.get_xlabel() == "Number of clusters k"
    assert "Inertia" in ax.get_ylabel()
    assert len(ax.lines) == 2
    assert list(ax.lines[0].get_xdata()) == [2, 3, 4, 5, 6]
    assert list(ax.lines[1].get_xdata()) == [4, 4]


def test_silhouette_plot_and_new_figure(kchoice):
    ax = plots.silhouette_plot(kchoice)  # ax=None creates a figure
    assert ax.figure is not None
    assert len(ax.lines) == 3
    assert "Silhouette" in ax.get_title()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["silhouette", "stability (ARI across seeds)", "recommended k = 4"]


def test_russian_headings(kchoice):
    ax = plots.elbow_plot(kchoice, lang="ru")
    assert ax.get_title() == "Метод локтя: инерция по числу кластеров"
    assert ax.get_xlabel() == "Число кластеров k"
    with pytest.raises(ValueError, match="lang"):
        plots.elbow_plot(kchoice, lang="fr")


def test_cluster_scatter(facts):
    df, labels = facts
    before = df.copy()
    ax = plots.cluster_scatter(df, labels, names={0: "A", 1: "B", 2: "C"})
    pd.testing.assert_frame_equal(df, before)
    cols = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(cols) == 3
    assert sum(len(c.get_offsets()) for c in cols) == 120
    assert ax.get_xlabel().startswith("PC1 (") and "variance" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["A", "B", "C"]
    small = plots.cluster_scatter(df, labels, max_points=30)
    assert sum(len(c.get_offsets()) for c in small.collections) == 30


def test_snake_plot_from_facts_and_profile(facts):
    df, labels = facts
    ax = plots.snake_plot(df, labels)
    assert len(ax.lines) == 3 + 1  # one per cluster + the zero line
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Recency (days)", "Orders",
                                                            "Total spend"]
    ru = plots.snake_plot(df, labels, lang="ru")
    assert [t.get_text() for t in ru.get_xticklabels()] == ["Давность (дней)", "Заказов",
                                                            "Сумма покупок"]
    assert [t.get_text() for t in ru.get_legend().get_texts()][0] == "кластер 0"
    assert ax.get_title() == "Cluster profiles (snake plot)"
    prof = profile(df, labels, ["orders", "total_spend"])
    ax2 = plots.snake_plot(prof)
    assert len(ax2.lines) == 4
    expected = prof.loc[0, ["orders_rel", "total_spend_rel"]].to_numpy(dtype=float)
    np.testing.assert_allclose(ax2.lines[0].get_ydata(), expected)
    ax3 = plots.snake_plot(prof, value="z")
    assert ax3.get_ylabel() == "Mean standardised log score (SD)"
    np.testing.assert_allclose(ax3.lines[1].get_ydata(), prof.loc[1, ["orders_z", "total_spend_z"]])


def test_crosstab_heatmap():
    ag = compare(["fan", "fan", "novice", "lead"], [0, 1, 1, 2])
    ax = plots.crosstab_heatmap(ag)
    assert len(ax.collections) == 1
    assert len(ax.texts) == 3 * 3
    assert ax.get_title() == "a × b"
    assert ax.get_ylabel() == "a" and ax.get_xlabel() == "b"
    assert _cells(ax).sum() == 4
    row = plots.crosstab_heatmap(ag.crosstab, normalize="index")
    np.testing.assert_allclose(_cells(row).sum(axis=1), 100)
    ru = plots.crosstab_heatmap(ag.crosstab, normalize="all", lang="ru")
    assert "25,0" in [t.get_text() for t in ru.texts]  # 1 of 4 customers, a decimal comma
    with pytest.raises(ValueError, match="normalize"):
        plots.crosstab_heatmap(ag, normalize="rows")


def test_agreement_heatmap():
    m = agreement_matrix({"a": [0, 0, 1, 1], "b": [0, 0, 1, 1], "c": [0, 1, 0, 1]}, metric="ari")
    ax = plots.agreement_heatmap(m, metric="ARI")
    assert len(ax.collections) == 1 and len(ax.texts) == 9
    assert ax.get_title() == "Agreement between labelings (ARI)"
    assert [t.get_text() for t in ax.texts][:3] == ["1.00", "1.00", "-0.50"]
    assert plots.agreement_heatmap(m, metric="ARI", lang="ru").texts[2].get_text() == "-0,50"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]


def test_segment_sizes_bar_and_treemap():
    counts = pd.Series({"novice": 50, "fan": 30, "dormant": 15, "lead": 5})
    ax = plots.segment_sizes(counts)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 4
    assert sorted(b.get_width() for b in bars) == [5, 15, 30, 50]
    assert ax.get_xlabel() == "Customers" and ax.get_title() == "Customers per class"
    tm = plots.segment_sizes(dict(counts), kind="treemap")
    rects = [p for p in tm.patches if isinstance(p, Rectangle)]
    assert len(rects) == 4
    areas = sorted(r.get_width() * r.get_height() for r in rects)
    np.testing.assert_allclose(areas, [0.05, 0.15, 0.30, 0.50])
    with pytest.raises(ValueError, match="kind"):
        plots.segment_sizes(counts, kind="pie")


def test_squarify_tiles_the_square():
    rects = plots.squarify([6, 6, 4, 3, 2, 2, 1], 0, 0, 6, 4)
    assert sum(w * h for _, _, w, h in rects) == pytest.approx(24)
    for x, y, w, h in rects:
        assert x >= -1e-9 and y >= -1e-9 and x + w <= 6 + 1e-9 and y + h <= 4 + 1e-9


def test_pareto_curve_from_table_and_series():
    spend = pd.Series([500.0, 200, 100, 50, 50, 40, 30, 20, 5, 5])
    ax = plots.pareto_curve(spend)
    assert len(ax.lines) == 4
    assert ax.get_title() == "Pareto curve: customers vs revenue"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "30% of customers bring 80% of revenue" in legend
    v = np.sort(spend.to_numpy())[::-1]
    table = pd.DataFrame({
        "share_customers": np.arange(1, 11) / 10,
        "share_revenue": np.cumsum(v) / v.sum(),
    })
    ax2 = plots.pareto_curve(table)
    np.testing.assert_allclose(ax2.lines[0].get_ydata(), ax.lines[0].get_ydata())
    guide = ax2.lines[2].get_xdata()[0]
    assert guide == pytest.approx(0.3)  # 500+200+100 = 800 of 1000
    with pytest.raises(ValueError, match="share_revenue"):
        plots.pareto_curve(table.drop(columns="share_revenue"))


def test_flows_area_wide_and_long():
    wide = pd.DataFrame(
        {"novice": [5, 6, 7, 6], "fan": [1, 2, 4, 5], "dormant": [0, 1, 1, 3]},
        index=pd.period_range("2024-01", periods=4, freq="M"),
    )
    ax = plots.flows_area(wide)
    polys = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(polys) == 3
    assert ax.get_ylabel() == "Customers" and ax.get_xlabel() == "Period end"
    long = wide.rename_axis("period").reset_index().melt(
        id_vars="period", var_name="class", value_name="count"
    )
    ax2 = plots.flows_area(long, share=True)
    assert len(ax2.collections) == 3
    assert ax2.get_ylabel() == "Share of customers (%)"


def test_transition_heatmap():
    flows = pd.DataFrame([[5, 2, 0], [1, 8, 1], [0, 3, 4]],
                         index=["novice", "fan", "dormant"], columns=["novice", "fan", "dormant"])
    ax = plots.transition_heatmap(flows)
    assert len(ax.collections) == 1 and len(ax.texts) == 9
    np.testing.assert_allclose(_cells(ax).sum(axis=1), 100)
    assert ax.get_ylabel() == "From (earlier period)"
    counts = plots.transition_heatmap(flows, normalize=None)
    assert _cells(counts).sum() == flows.to_numpy().sum()


def test_rfm_heatmap():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"R": rng.integers(1, 6, 200), "F": rng.integers(1, 6, 200),
                       "total_spend": rng.gamma(2, 100, 200)})
    ax = plots.rfm_heatmap(df)
    assert len(ax.collections) == 1 and len(ax.texts) == 25
    assert _cells(ax).sum() == 200
    assert [t.get_text() for t in ax.get_yticklabels()] == ["5", "4", "3", "2", "1"]
    ax2 = plots.rfm_heatmap(df, value="total_spend", agg="median")
    assert ax2.get_title() == "RFM grid: total spend (median)"
    with pytest.raises(ValueError, match="Missing column"):
        plots.rfm_heatmap(df, value="monetary")


# ---- reading and printing: whole words, class colours, alt text --------------------------------


def _words(label: str) -> list[str]:
    return str(label).split()


@pytest.mark.parametrize("width", [4, 6, 8, 12, 20])
def test_wrap_breaks_at_spaces_and_never_inside_a_word(width):
    label = "Стадии осведомлённости клиента и k-means кластеры по давности"
    wrapped = plots._wrap(label, width)
    assert _words(wrapped) == _words(label)  # the same words, none cut, none hyphenated
    assert "-\n" not in wrapped
    for line in wrapped.split("\n"):
        # a line is longer than the width only when it is one word that is
        assert len(line) <= width or " " not in line


def test_heatmap_column_labels_keep_whole_words_when_the_columns_are_narrow():
    names = ["Стадии осведомлённости", "Быстро, качественно, дёшево", "Жизненный цикл",
             "Квалификация по пяти критериям", "Лестница лояльности", "Ключевые клиенты",
             "RFM-сегменты", "Четыре типа покупателей", "k-means", "Истинная персона",
             "Жив ли клиент?"]
    m = pd.DataFrame(np.eye(len(names)) * 0.5 + 0.5, index=names, columns=names)
    ax = plots.agreement_heatmap(m, lang="ru")
    fig = ax.figure
    assert fig.get_size_inches()[0] <= plots.MAX_WIDTH + 1e-9  # prints at a readable scale
    shown = [t.get_text() for t in ax.get_xticklabels()]
    assert [_words(s) for s in shown] == [_words(n) for n in names]
    shown_y = [t.get_text() for t in ax.get_yticklabels()]
    assert [_words(s) for s in shown_y] == [_words(n) for n in names]


def test_class_colours_depend_on_the_class_only():
    life = plots.class_colors("lifecycle")
    # the rulebook's classes, read here from its YAML, each with its own colour
    from importlib import resources

    import yaml

    book = yaml.safe_load(
        resources.files("clientlib.frameworks").joinpath("lifecycle.yaml").read_text("utf-8"))
    ids = [c["id"] for c in book["classes"]]
    assert set(ids) <= set(life) and len({life[i] for i in ids}) == len(ids)
    # asking with other classes present, or in another order, changes nothing
    again = plots.class_colors("lifecycle", ["novice", "zzz_extra", "fan"])
    assert all(again[i] == life[i] for i in ids)
    assert again["zzz_extra"] not in {life[i] for i in ids}
    rfm = plots.class_colors("rfm")
    assert len(set(rfm.values())) == len(rfm)


def test_bars_and_areas_take_the_colours_given_per_class():
    colors = {"fan": "#009E73", "dormant": "#E69F00", "novice": "#0072B2"}
    counts = pd.Series({"novice": 5, "fan": 30, "dormant": 20})
    ax = plots.segment_sizes(counts, colors=colors, order=["novice", "fan", "dormant"])
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    # top to bottom: the order given, not the sizes
    top_down = sorted(bars, key=lambda b: -b.get_y())
    ticks = sorted(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()],
                       strict=True), reverse=True)
    assert [name for _, name in ticks] == ["novice", "fan", "dormant"]
    assert [matplotlib.colors.to_hex(b.get_facecolor()) for b in top_down] == [
        colors["novice"].lower(), colors["fan"].lower(), colors["dormant"].lower()]
    wide = pd.DataFrame({"novice": [5, 6], "fan": [1, 2], "dormant": [0, 3]},
                        index=pd.period_range("2024-01", periods=2, freq="M"))
    area = plots.flows_area(wide, colors=colors)
    got = [matplotlib.colors.to_hex(c.get_facecolor()[0]) for c in area.collections]
    assert got == [colors[c].lower() for c in wide.columns]


def test_transition_axes_carry_the_labels_given():
    fl = pd.DataFrame([[5, 1], [2, 4]], index=["fan", "dormant"], columns=["fan", "dormant"])
    ax = plots.transition_heatmap(fl, lang="ru", from_label="Статус на 30.11.2024",
                                  to_label="Статус на 31.12.2024")
    assert ax.get_ylabel() == "Статус на 30.11.2024"
    assert ax.get_xlabel() == "Статус на 31.12.2024"


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_describe_names_the_title_and_the_axes(lang):
    ax = plots.crosstab_heatmap(compare(["x", "x", "y"], [0, 1, 1]), lang=lang)
    ax.set_title("Title T")
    ax.set_xlabel("Axis X")
    ax.set_ylabel("Axis Y")
    said = plots.describe(ax.figure, lang)
    assert "Title T" in said and "Axis X" in said and "Axis Y" in said
    assert said.startswith("Chart" if lang == "en" else "Диаграмма")
    # the colour bar is described as what the colour shows, not as a second chart
    assert said.count("Title T") == 1 and ("colour" in said or "цвет" in said)
