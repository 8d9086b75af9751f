"""Validation tables and plots (clientlib.models.validation*) against published figures.

Source of the published numbers: the BTYD R package vignette "Buy 'Til You Die - A Walkthrough"
(McCarthy & Wadsworth, BTYD 2.4.3 on CRAN, ``inst/doc/BTYD-walkthrough.pdf``), section 4 (BG/NBD)
on the CDNOW 1/10 sample, calibration to 1997-09-30 (39 weeks) and holdout to 1998-06-30:

* parameters after three runs of ``bgnbd.EstimateParameters`` (p. 20):
  r 0.2425967, alpha 4.413659, a 0.7929869, b 2.426164, LL -9582.429;
* ``comp`` of ``bgnbd.PlotFreqVsConditionalExpectedFrequency`` (p. 24), calibration frequency
  0 … 7+: act / exp / bin;
* ``inc.tracking[,20:25]`` and ``cum.tracking[,20:25]`` of ``bgnbd.PlotTrackingInc`` /
  ``...Cum`` (pp. 26-27).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clientlib import datasets
from clientlib.btyd import BetaGeoModel, calibration_summary
from clientlib.errors import OptionError
from clientlib.models import validation as v

CAL_END, HOLD_END = "1997-09-30", "1998-06-30"

# BTYD walkthrough (see the module docstring)
WALK_PARAMS = {"r": 0.2425967, "alpha": 4.413659, "a": 0.7929869, "b": 2.426164}
CUM_ACTUAL = [1359, 1414, 1484, 1517, 1573, 1672]  # weeks 20-25
CUM_EXPECTED = [1312.458, 1387.346, 1460.392, 1531.713, 1601.418, 1669.6]
INC_ACTUAL = [73, 55, 70, 33, 56, 99]
INC_EXPECTED = [76.86531, 74.88843, 73.04554, 71.32166, 69.70412, 68.18213]
COND_ACT = [0.2367116, 0.6970387, 1.392523, 1.560000, 2.532258, 2.947368, 3.862069, 6.359375]
COND_EXP = [0.2250893, 0.5231364, 1.044126, 1.520256, 2.163824, 2.653789, 3.503957, 6.157036]
COND_BIN = [1411, 439, 214, 100, 62, 38, 29, 64]


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return datasets.load_cdnow_sample()


@pytest.fixture(scope="module")
def weeks(sample) -> pd.DataFrame:
    return calibration_summary(sample, CAL_END, HOLD_END, timestamp="date", time_unit="weeks")


@pytest.fixture(scope="module")
def walk() -> BetaGeoModel:
    m = BetaGeoModel(time_unit="weeks")
    m.params_ = dict(WALK_PARAMS)
    return m


@pytest.fixture(scope="module")
def fitted(weeks) -> BetaGeoModel:
    return BetaGeoModel(time_unit="weeks").fit(weeks.frequency, weeks.recency, weeks["T"])


def _digits(published: float) -> float:
    """One unit in the last digit the publication shows."""
    text = repr(published)
    return 10.0 ** -(len(text.split(".")[1]) if "." in text else 0)


# ---- tracking: BTYD walkthrough, weeks 20-25


def test_tracking_with_the_walkthrough_parameters(sample, walk):
    t = v.tracking(sample, walk, CAL_END, HOLD_END, timestamp="date")
    assert len(t) == 78 and t.attrs["calibration_periods"] == 39
    assert t["holdout"].sum() == 39
    weeks = t.iloc[19:25]
    assert weeks["actual_cum"].tolist() == CUM_ACTUAL
    assert weeks["actual"].tolist() == INC_ACTUAL
    for ours, pub in zip(weeks["expected_cum"], CUM_EXPECTED, strict=True):
        assert ours == pytest.approx(pub, abs=_digits(pub)), (ours, pub)
    # printed to 7 significant digits, the walkthrough's parameters move these by < 5e-5
    for ours, pub in zip(weeks["expected"], INC_EXPECTED, strict=True):
        assert ours == pytest.approx(pub, abs=5e-5), (ours, pub)


def test_tracking_actual_equals_an_independent_count(sample, walk):
    # repeat purchase days per week since 1997-01-01, counted by hand with pandas
    days = sample.assign(d=sample["date"].dt.normalize())[["customer_id", "d"]].drop_duplicates()
    first = days.groupby("customer_id")["d"].transform("min")
    rep = days[days["d"] > first]
    week = (rep["d"] - pd.Timestamp("1997-01-01")).dt.days // 7 + 1
    by_hand = week.value_counts().reindex(range(1, 79), fill_value=0).cumsum()
    t = v.tracking(sample, walk, CAL_END, HOLD_END, timestamp="date")
    assert t["actual_cum"].tolist() == by_hand.tolist()
    assert t["actual_cum"].iloc[-1] == len(rep)


def test_tracking_with_our_fit(sample, fitted):
    # our fit (r 0.2426, alpha 4.4136, a 0.7929, b 2.4259) is the walkthrough's to 4 digits:
    # the tracking agrees to the whole transaction
    t = v.tracking(sample, fitted, CAL_END, HOLD_END, timestamp="date")
    assert np.allclose(t["expected_cum"].iloc[19:25], CUM_EXPECTED, atol=0.01)


def test_tracking_in_days_equals_weeks(sample, weeks):
    days = calibration_summary(sample, CAL_END, timestamp="date", time_unit="days")
    m = BetaGeoModel(time_unit="days").fit(days.frequency, days.recency, days["T"])
    in_days = v.tracking(sample, m, CAL_END, HOLD_END, timestamp="date")
    w = BetaGeoModel(time_unit="weeks").fit(weeks.frequency, weeks.recency, weeks["T"])
    in_weeks = v.tracking(sample, w, CAL_END, HOLD_END, timestamp="date")
    assert np.allclose(in_days["expected_cum"], in_weeks["expected_cum"], rtol=1e-4)


# ---- conditional expectations: BTYD walkthrough p. 24 (FHL 2005a, Figure 5)


def test_conditional_expectations_with_the_walkthrough_parameters(weeks, walk):
    c = v.conditional_expectations(weeks, walk)
    assert c["customers"].tolist() == COND_BIN
    for ours, pub in zip(c["actual"], COND_ACT, strict=True):
        assert ours == pytest.approx(pub, abs=_digits(pub))
    for ours, pub in zip(c["expected"], COND_EXP, strict=True):
        assert ours == pytest.approx(pub, abs=_digits(pub))
    assert c.attrs["censored"]


def test_conditional_expectations_with_our_fit(weeks, fitted):
    # the 4-decimal figures: 0.2251, 0.5231, 1.0441 ...
    c = v.conditional_expectations(weeks, fitted)
    assert np.round(c["expected"].iloc[:3], 4).tolist() == [0.2251, 0.5231, 1.0441]
    assert np.allclose(c["expected"], COND_EXP, atol=1e-4)
    totals = v.holdout_totals(weeks, fitted)
    assert totals["actual"] == float(weeks["frequency_holdout"].sum())
    assert totals["expected"] == pytest.approx((c["expected"] * c["customers"]).sum())


# ---- matrices and the period histogram


def test_matrices_equal_the_model(fitted):
    fr = v.frequency_recency_matrix(fitted, 38.86, t=1, max_frequency=10, recency_step=2.0)
    pa = v.p_alive_matrix(fitted, 38.86, max_frequency=10, recency_step=2.0)
    assert fr.shape == pa.shape == (11, 20)
    assert np.isnan(fr.iloc[0, 1:]).all() and fr.iloc[0, 0] > 0
    x, tx = 4, fr.columns[7]
    assert fr.loc[x, tx] == pytest.approx(float(fitted.expected_purchases(1, x, tx, 38.86)[0]))
    assert pa.loc[x, tx] == pytest.approx(float(fitted.p_alive(x, tx, 38.86)[0]))
    # P(alive) rises with recency for repeat buyers; the most recent frequent buyer is surest
    assert (np.diff(pa.iloc[1:].to_numpy(), axis=1) > 0).all()
    with pytest.raises(OptionError, match="T is"):
        v.p_alive_matrix(fitted, 0)


def test_period_transactions_simulated_with_a_seed(weeks, fitted):
    a = v.period_transactions(weeks, fitted, random_state=3)
    b = v.period_transactions(weeks, fitted, random_state=3)
    assert a.equals(b)
    assert a["actual"].tolist() == COND_BIN  # the same bins as the walkthrough's comp
    assert a["model"].sum() == len(weeks)
    # the model's share of one-time buyers (analytic P(X(T)=0)) within sampling error
    share0 = a.loc[0, "model"] / len(weeks)
    assert abs(share0 - a.loc[0, "actual"] / len(weeks)) < 0.03


def test_simulation_mean_equals_the_model_expectation(fitted):
    T = np.full(200_000, 39.0)
    sim = v.simulate_frequency(fitted, T, random_state=0)
    assert sim.mean() == pytest.approx(float(fitted.expected_purchases_new(39.0)), rel=0.02)


def test_pareto_nbd_is_accepted_when_it_exists(weeks, sample):
    from clientlib.models import pareto_nbd as pareto
    m = pareto.ParetoNBDModel(time_unit="weeks").fit(weeks.frequency, weeks.recency, weeks["T"])
    t = v.tracking(sample, m, CAL_END, HOLD_END, timestamp="date")
    # BTYD walkthrough, Pareto/NBD section (p. 14): cum.tracking[,20:25] with r 0.553, alpha
    # 10.58, s 0.606, beta 11.66 (printed to 3-4 digits, hence to half a transaction)
    pub = [1308.856, 1385.275, 1459.923, 1532.906, 1604.32, 1674.253]
    assert np.allclose(t["expected_cum"].iloc[19:25], pub, atol=0.5)
    # and the walkthrough's Pareto/NBD comp (p. 11), printed to 3 decimals
    c = v.conditional_expectations(weeks, m)
    pub = [0.138, 0.600, 1.196, 1.714, 2.399, 2.907, 3.819, 6.403]
    assert np.allclose(c["expected"], pub, atol=1.5e-3)
    sim = v.simulate_frequency(m, np.full(100_000, 39.0), random_state=0)
    assert sim.mean() == pytest.approx(float(m.expected_purchases_new(39.0)), rel=0.03)


# ---- plots draw the tables' numbers


@pytest.fixture(scope="module")
def agg():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def test_tracking_plot_draws_the_table(agg, sample, walk):
    from clientlib.models.validation_plots import tracking_plot

    t = v.tracking(sample, walk, CAL_END, HOLD_END, timestamp="date")
    pairs = ((True, ("actual_cum", "expected_cum")), (False, ("actual", "expected")))
    for cumulative, cols in pairs:
        ax = tracking_plot(t, cumulative=cumulative, lang="ru")
        actual, model, cal = ax.get_lines()
        assert list(actual.get_xdata()) == t["period"].tolist()
        assert np.array_equal(actual.get_ydata(), t[cols[0]].to_numpy())
        assert np.array_equal(model.get_ydata(), t[cols[1]].to_numpy())
        assert list(cal.get_xdata()) == [39.0, 39.0]
        labels = [x.get_text() for x in ax.get_legend().get_texts()]
        assert labels == ["факт", "модель BG/NBD", "конец калибровки"]
        assert "01.01.1997" in ax.get_xlabel()


def test_conditional_plot_draws_the_table(agg, weeks, walk):
    from clientlib.models.validation_plots import conditional_expectation_plot

    c = v.conditional_expectations(weeks, walk)
    ax = conditional_expectation_plot(c)
    actual, model = ax.get_lines()
    assert np.array_equal(actual.get_ydata(), c["actual"].to_numpy())
    assert np.array_equal(model.get_ydata(), c["expected"].to_numpy())
    assert [x.get_text() for x in ax.get_xticklabels()][-1] == "7+"


def test_period_plot_draws_the_table(agg, weeks, fitted):
    from clientlib.models.validation_plots import period_transactions_plot

    p = v.period_transactions(weeks, fitted)
    ax = period_transactions_plot(p, lang="ru")
    heights = [bar.get_height() for bar in ax.patches]
    assert heights == p["actual"].tolist() + p["model"].tolist()
    assert ax.get_ylabel() == "Клиентов"


def test_matrix_plot_draws_the_table(agg, fitted):
    from clientlib.models.validation_plots import matrix_plot

    for table in (
        v.p_alive_matrix(fitted, 39.0, max_frequency=8, recency_step=3.0),
        v.frequency_recency_matrix(fitted, 39.0, t=4, max_frequency=8, recency_step=3.0),
    ):
        ax = matrix_plot(table, lang="ru")
        mesh = ax.collections[0].get_array()
        assert np.allclose(
            np.ma.filled(mesh, np.nan).reshape(table.shape), table.to_numpy(), equal_nan=True
        )
        assert "возраст T = 39,0, недели" in " ".join(ax.get_title().split())


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_figures_fit_and_speak_the_language(agg, lang, sample, weeks, fitted):
    # the checks of tests/test_figures_layout.py, on one figure of each validation plot
    import matplotlib.pyplot as plt
    from test_figures_layout import _LATIN, ALLOWED_LATIN, BTYD_TERMS, _drawn_texts, _overlap

    from clientlib.models import validation_plots as vp

    t = v.tracking(sample, fitted, CAL_END, HOLD_END, timestamp="date")
    draw = [
        lambda ax: vp.tracking_plot(t, ax, lang=lang),
        lambda ax: vp.tracking_plot(t, ax, cumulative=False, lang=lang),
        lambda ax: vp.conditional_expectation_plot(
            v.conditional_expectations(weeks, fitted), ax, lang=lang
        ),
        lambda ax: vp.period_transactions_plot(v.period_transactions(weeks, fitted), ax, lang=lang),
        lambda ax: vp.matrix_plot(v.p_alive_matrix(fitted, 38.86), ax, lang=lang),
        lambda ax: vp.matrix_plot(v.frequency_recency_matrix(fitted, 38.86), ax, lang=lang),
    ]
    problems = []
    for fn in draw:
        fig, ax = plt.subplots(figsize=(7.0, 4.5), layout="constrained")
        fn(ax)
        boxes = [(x, x.get_window_extent(fig.canvas.get_renderer())) for x in _drawn_texts(fig)]
        for x, box in boxes:
            if not fig.bbox.contains(box.x0 + 0.5, box.y0 + 0.5) or not fig.bbox.contains(
                box.x1 - 0.5, box.y1 - 0.5
            ):
                problems.append(f"{x.get_text()!r} leaves the figure")
            latin = set(_LATIN.findall(x.get_text())) - ALLOWED_LATIN - BTYD_TERMS - {"Pareto"}
            if lang == "ru" and latin:
                problems.append(f"{x.get_text()!r} is English")
        for i, (t1, b1) in enumerate(boxes):
            for t2, b2 in boxes[i + 1 :]:
                if _overlap(b1, b2):
                    problems.append(f"{t1.get_text()!r} overlaps {t2.get_text()!r}")
        plt.close(fig)
    assert not problems, problems


def test_mbgnbd_simulation_mean_equals_its_expectation(weeks):
    from clientlib.models import mbgnbd as mbg
    m = mbg.ModifiedBetaGeoModel(time_unit="weeks").fit(weeks.frequency, weeks.recency, weeks["T"])
    sim = v.simulate_frequency(m, np.full(200_000, 39.0), random_state=0)
    # MBG/NBD may drop out right after the first purchase: fewer purchases than BG/NBD's rule
    assert sim.mean() == pytest.approx(float(m.expected_purchases_new(39.0)), rel=0.02)
    c = v.conditional_expectations(weeks, m)
    assert c["customers"].tolist() == COND_BIN
