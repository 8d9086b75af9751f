"""Validation plots of a buy-till-you-die model: they draw the tables of
:mod:`clientlib.models.validation` and fit nothing.

Every function takes the table, an optional ``ax`` and ``lang`` (``"en"`` or ``"ru"``: every
label comes from the message catalog, numbers in the language's format) and returns the ``ax``
it drew on.  What is drawn is the table's numbers (line and bar data equal its columns), so a
test can read them back off the axes.

Examples
--------
>>> import matplotlib; matplotlib.use("Agg")
>>> import pandas as pd
>>> t = pd.DataFrame({"customers": [3, 2], "actual": [0.2, 0.9], "expected": [0.25, 0.8]},
...                  index=pd.Index([0, 1], name="frequency"))
>>> t.attrs.update(model="BG/NBD", max_frequency=7, censored=False)
>>> ax = conditional_expectation_plot(t, lang="ru")
>>> [line.get_label() for line in ax.get_lines()]
['факт', 'модель BG/NBD']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from clientlib.messages import check_lang, date, number, text
from clientlib.plots import _axes, _fit, _number_axis, _style

__all__ = [
    "conditional_expectation_plot",
    "matrix_plot",
    "period_transactions_plot",
    "tracking_plot",
]


def _t(key: str, lang: str, **fields: Any) -> str:
    return text(f"validation.{key}", lang, **fields)


def _unit(unit: str, lang: str) -> str:
    # the unit as an axis names it ("Время с 01.01.1997, недели"), whatever the number before it
    return text(f"validation.axis_unit_{unit}", lang)


def _legend_model(table: pd.DataFrame, lang: str) -> str:
    return _t("model", lang, name=table.attrs.get("model", ""))


def tracking_plot(
    table: pd.DataFrame, ax: Axes | None = None, *, cumulative: bool = True, lang: str = "en"
) -> Axes:
    """Repeat transactions per period, actual and model, with the end of calibration marked.

    ``table`` is :func:`clientlib.models.validation.tracking`; ``cumulative`` draws the running
    totals (``actual_cum``, ``expected_cum``), else the per-period counts.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> t = pd.DataFrame({"period": [1, 2], "actual": [1, 2], "expected": [1.5, 1.4],
    ...     "actual_cum": [1, 3], "expected_cum": [1.5, 2.9], "holdout": [False, True]})
    >>> t.attrs.update(calibration_periods=1.0, period="weeks", origin="1997-01-01",
    ...                model="BG/NBD")
    >>> tracking_plot(t).get_lines()[1].get_ydata().tolist()
    [1.5, 2.9]
    """
    check_lang(lang)
    ax = _axes(ax)
    actual, expected = ("actual_cum", "expected_cum") if cumulative else ("actual", "expected")
    ax.plot(table["period"], table[actual], color="0.2", label=_t("actual", lang))
    ax.plot(table["period"], table[expected], color="C0", linestyle="--",
            label=_legend_model(table, lang))  # fmt: skip
    end = float(table.attrs.get("calibration_periods", np.nan))
    if np.isfinite(end):
        ax.axvline(end, color="0.5", linestyle=":", linewidth=1.0,
                   label=_t("calibration_end", lang))  # fmt: skip
    unit = _unit(str(table.attrs.get("period", "weeks")), lang)
    start = table.attrs.get("origin")
    ax.set_xlabel(_t("tracking_x", lang, unit=unit, start=date(start, lang) if start else "—"))
    ax.set_ylabel(_t("tracking_y_cum" if cumulative else "tracking_y_inc", lang))
    ax.set_title(_t("tracking_title_cum" if cumulative else "tracking_title_inc", lang))
    _number_axis(ax, "y", lang)
    ax.legend(frameon=False)
    _style(ax)
    _fit(ax)
    return ax


def conditional_expectation_plot(
    table: pd.DataFrame, ax: Axes | None = None, *, lang: str = "en"
) -> Axes:
    """Mean holdout purchases by calibration frequency, actual and model.

    ``table`` is :func:`clientlib.models.validation.conditional_expectations`; the last group
    reads ``7+`` when it holds more.
    """
    check_lang(lang)
    ax = _axes(ax)
    x = table.index.to_numpy()
    ax.plot(x, table["actual"], marker="o", color="0.2", label=_t("actual", lang))
    ax.plot(x, table["expected"], marker="s", linestyle="--", color="C0",
            label=_legend_model(table, lang))  # fmt: skip
    ticks = [str(int(v)) for v in x]
    if table.attrs.get("censored") and len(ticks):
        ticks[-1] += "+"
    ax.set_xticks(x, ticks)
    ax.set_xlabel(_t("cond_x", lang))
    ax.set_ylabel(_t("cond_y", lang))
    ax.set_title(_t("cond_title", lang))
    _number_axis(ax, "y", lang)
    ax.legend(frameon=False)
    _style(ax)
    _fit(ax)
    return ax


def period_transactions_plot(
    table: pd.DataFrame, ax: Axes | None = None, *, lang: str = "en"
) -> Axes:
    """Customers by calibration repeat purchases: actual and simulated from the model, as bars.

    ``table`` is :func:`clientlib.models.validation.period_transactions` (the first bars are
    the actual counts, the next the model's).
    """
    check_lang(lang)
    ax = _axes(ax)
    x = np.arange(len(table))
    ax.bar(x - 0.2, table["actual"], width=0.4, color="0.3", label=_t("actual", lang))
    ax.bar(x + 0.2, table["model"], width=0.4, color="C0",
           label=_t("model_simulated", lang, name=table.attrs.get("model", "")))  # fmt: skip
    ticks = [str(int(v)) for v in table.index]
    if len(ticks):
        ticks[-1] += "+"
    ax.set_xticks(x, ticks)
    ax.set_xlabel(_t("period_x", lang))
    ax.set_ylabel(_t("period_y", lang))
    ax.set_title(_t("period_title", lang))
    _number_axis(ax, "y", lang)
    ax.legend(frameon=False)
    _style(ax, grid=False)
    _fit(ax)
    return ax


def matrix_plot(table: pd.DataFrame, ax: Axes | None = None, *, lang: str = "en") -> Axes:
    """The frequency/recency matrix of expected purchases or of P(alive), as a heatmap.

    ``table`` is :func:`clientlib.models.validation.frequency_recency_matrix` or
    :func:`~clientlib.models.validation.p_alive_matrix`; frequency grows downwards, recency to
    the right (the recent, frequent buyers in the lower right corner); empty cells are no
    customer.
    """
    check_lang(lang)
    ax = _axes(ax, (7.0, 5.5))
    kind = table.attrs.get("kind", "p_alive")
    unit = _unit(str(table.attrs.get("time_unit", "weeks")), lang)
    T = number(table.attrs.get("T", np.nan), lang, 1)
    n_cols = table.shape[1]
    step = max(1, int(np.ceil(n_cols / 12)))
    labels = [number(c, lang, 0 if float(c).is_integer() else 1) for c in table.columns]
    sns.heatmap(
        table.to_numpy(dtype="float64"), ax=ax, cmap="viridis",
        vmin=0.0, vmax=1.0 if kind == "p_alive" else None,
        xticklabels=[lab if i % step == 0 else "" for i, lab in enumerate(labels)],
        yticklabels=[str(int(v)) for v in table.index],
        cbar_kws={"label": _t(f"{kind}_bar", lang, t=number(table.attrs.get("t", 1), lang, 0),
                              unit=unit)},
    )  # fmt: skip
    ax.tick_params(axis="x", labelrotation=0)
    ax.tick_params(axis="y", labelrotation=0)
    ax.set_xlabel(_t("matrix_x", lang, unit=unit))
    ax.set_ylabel(_t("matrix_y", lang))
    ax.set_title(_t(f"{kind}_title", lang, T=T, unit=unit, name=table.attrs.get("model", "")))
    _fit(ax)
    return ax
