"""BG/BB and sBG: the published figures, lifetimes, closed forms computed here, degenerate data.

Oracles:

* BG/BB: Fader, Hardie & Shang (2010, Marketing Science 29(6)) on the donations data,
  alpha 1.204, beta 0.750, gamma 0.657, delta 2.783, LL -33,225.6; lifetimes 0.11.3's
  ``BetaGeoBetaBinomFitter`` (where installed, extra ``bench``) for the parameters, standard
  errors, the penalizer, P(alive), conditional and unconditional expectations.
* sBG: Fader & Hardie (2007, J. Interactive Marketing 21(1)), the first 7 years of the
  "regular" and "high end" cohorts: alpha 0.704, beta 1.182 and 0.668, 3.806; LL -1,611.16 for
  "high end" (as quoted with those parameters in a public R re-implementation of Fader &
  Hardie's models); survival, churn, retention and DERL against the beta mixture integrated
  numerically here (scipy.integrate.quad), not against the closed forms the module uses.
"""

from __future__ import annotations

import hashlib
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from clientlib.datasets import data_dir, load_donations
from clientlib.errors import InputError, OptionError
from clientlib.models.bgbb import BetaGeoBetaBinomModel
from clientlib.models.sbg import ShiftedBetaGeoModel

REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]


@pytest.fixture(scope="module")
def donations() -> pd.DataFrame:
    return load_donations()


@pytest.fixture(scope="module")
def bgbb(donations) -> BetaGeoBetaBinomModel:
    d = donations
    return BetaGeoBetaBinomModel().fit(d["frequency"], d["recency"], d["n_periods"], d["count"])


def _lifetimes(donations, penalizer: float = 0.0):
    pytest.importorskip("lifetimes", reason="lifetimes is not installed (pip install '.[bench]')")
    from lifetimes import BetaGeoBetaBinomFitter

    d = donations
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return BetaGeoBetaBinomFitter(penalizer_coef=penalizer).fit(
            d["frequency"], d["recency"], d["n_periods"], weights=d["count"]
        )


# --------------------------------------------------------------------------------------------
# BG/BB
# --------------------------------------------------------------------------------------------


def test_donations_table_is_the_papers(donations):
    assert len(donations) == 22 and int(donations["count"].sum()) == 11_104
    assert (donations["n_periods"] == 6).all()
    by_x = donations.groupby("frequency")["count"].sum()
    assert by_x[0] == 3_464 and by_x[6] == 1_203
    # the vendored bytes are the ones datasets/donations/README.md names, under lifetimes' MIT
    folder = data_dir().joinpath("donations")
    digest = hashlib.sha256(folder.joinpath("donations.csv").read_bytes()).hexdigest()
    assert digest in folder.joinpath("README.md").read_text(encoding="utf-8")
    assert folder.joinpath("LICENSE").read_text().startswith("The MIT")


def test_bgbb_reproduces_fhs_2010(bgbb):
    got = {k: round(v, 3) for k, v in bgbb.params_.items()}
    assert got == {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
    assert round(bgbb.log_likelihood_, 1) == -33_225.6
    assert bgbb.n_customers_ == 11_104 and bgbb.converged_


def test_bgbb_log_likelihood_is_the_papers_formula(bgbb, donations):
    # FHS 2010's likelihood, written out term by term with math.lgamma
    a, b, g, d = (bgbb.params_[k] for k in ("alpha", "beta", "gamma", "delta"))

    def lbeta(u, v):
        return math.lgamma(u) + math.lgamma(v) - math.lgamma(u + v)

    total = 0.0
    for x, tx, n, c in donations[["frequency", "recency", "n_periods", "count"]].itertuples(
        index=False
    ):
        like = math.exp(lbeta(a + x, b + n - x) - lbeta(a, b) + lbeta(g, d + n) - lbeta(g, d))
        for i in range(n - tx):
            like += math.exp(
                lbeta(a + x, b + tx - x + i) - lbeta(a, b) + lbeta(g + 1, d + tx + i) - lbeta(g, d)
            )
        total += c * math.log(like)
    assert bgbb.log_likelihood_ == pytest.approx(total, abs=1e-6)


def test_bgbb_weights_equal_repeated_rows(bgbb, donations):
    rows = donations.loc[donations.index.repeat(donations["count"])]
    m = BetaGeoBetaBinomModel().fit(rows["frequency"], rows["recency"], rows["n_periods"])
    for k, v in bgbb.params_.items():
        assert m.params_[k] == pytest.approx(v, rel=1e-6)
    assert m.log_likelihood_ == pytest.approx(bgbb.log_likelihood_, rel=1e-9)


def test_bgbb_matches_lifetimes_fit_and_standard_errors(bgbb, donations):
    lt = _lifetimes(donations)
    for k, v in bgbb.params_.items():
        assert v == pytest.approx(float(lt.params_[k]), rel=1e-5)
    for k, v in bgbb.standard_errors_.items():
        assert v == pytest.approx(float(lt.standard_errors_[k]), rel=1e-3)


def test_bgbb_penalizer_is_lifetimes_penalizer_coef(donations):
    lt = _lifetimes(donations, penalizer=0.1)
    d = donations
    m = BetaGeoBetaBinomModel(penalizer=0.1).fit(
        d["frequency"], d["recency"], d["n_periods"], d["count"]
    )
    for k, v in m.params_.items():
        assert v == pytest.approx(float(lt.params_[k]), rel=1e-4)
    assert m.params_["delta"] < 2.0  # the penalty pulls the parameters towards 0
    # the reported LL is the data's, without the penalty (lifetimes' likelihood, same point)
    point = np.array([m.params_[k] for k in ("alpha", "beta", "gamma", "delta")])
    theirs = lt._loglikelihood(point, d["frequency"], d["recency"], d["n_periods"])
    assert m.log_likelihood_ == pytest.approx(float((theirs * d["count"]).sum()), abs=1e-6)


def test_bgbb_predictions_match_lifetimes(bgbb, donations):
    lt = _lifetimes(donations)
    lt.params_ = pd.Series(bgbb.params_)[["alpha", "beta", "gamma", "delta"]]  # same point
    # every (x, t_x) that can occur with n = 6, and a few other n
    grid = [(x, tx, n) for n in (1, 3, 6, 10) for tx in range(n + 1) for x in range(tx + 1)
            if (x == 0) == (tx == 0)]  # fmt: skip
    x, tx, n = (np.array(c) for c in zip(*grid, strict=True))
    worst = {}
    for m in (0, 1, 3):
        ours = bgbb.p_alive(x, tx, n, periods_ahead=m)
        theirs = lt.conditional_probability_alive(m, x, tx, n)
        worst[f"p_alive m={m}"] = float(np.abs(ours - theirs).max())
    for h in (1, 5, 10):
        ours = bgbb.expected_purchases(h, x, tx, n)
        theirs = lt.conditional_expected_number_of_purchases_up_to_time(h, x, tx, n)
        worst[f"E[X] next {h}"] = float(np.abs(ours - theirs).max())
    # lifetimes adds 1e-15 inside its likelihood: differences stay far below any rounding
    assert max(worst.values()) < 1e-9, worst


def test_bgbb_expected_purchases_new_is_the_mean_of_lifetimes_distribution(bgbb, donations):
    lt = _lifetimes(donations)
    lt.params_ = pd.Series(bgbb.params_)[["alpha", "beta", "gamma", "delta"]]
    for n in (3, 6):
        dist = lt.expected_number_of_transactions_in_first_n_periods(n)["model"]
        assert dist.sum() == pytest.approx(11_104, rel=1e-9)  # a distribution over x = 0..6
        mean = float((dist.index.to_numpy() * dist.to_numpy()).sum() / dist.sum())
        assert float(bgbb.expected_purchases_new(n)) == pytest.approx(mean, rel=1e-9)


def test_bgbb_expectations_by_simulation(bgbb):
    # Independent of every formula: simulate the model's story and count.
    rng = np.random.default_rng(7)
    a, b, g, d = (bgbb.params_[k] for k in ("alpha", "beta", "gamma", "delta"))
    N = 400_000
    p, theta = rng.beta(a, b, N), rng.beta(g, d, N)
    alive_through = rng.geometric(theta) - 1  # opportunities survived
    buys = (rng.random((N, 11)) < p[:, None]) & (np.arange(1, 12) <= alive_through[:, None])
    x6 = buys[:, :6].sum(1)
    assert float(bgbb.expected_purchases_new(6)) == pytest.approx(x6.mean(), abs=0.02)
    tx6 = np.where(x6 > 0, 6 - np.argmax(buys[:, 5::-1], axis=1), 0)
    later = buys[:, 6:11].sum(1)
    for x, tx in ((6, 6), (3, 4), (1, 1), (0, 0)):
        who = (x6 == x) & (tx6 == tx)
        got = float(bgbb.expected_purchases(5, x, tx, 6)[0])
        se = later[who].std() / math.sqrt(who.sum())
        assert abs(got - later[who].mean()) < 4 * se + 1e-3, (x, tx, got, later[who].mean())
        alive7 = (alive_through[who] >= 7).mean()
        assert float(bgbb.p_alive(x, tx, 6)[0]) == pytest.approx(
            alive7, abs=4 * math.sqrt(alive7 * (1 - alive7) / who.sum()) + 1e-3
        )


def test_bgbb_cohorts_with_different_n_match_lifetimes(donations):
    # two cohorts simulated from the model, observed for 4 and 9 opportunities
    rng = np.random.default_rng(3)
    parts = []
    for n_opp, size in ((4, 6000), (9, 4000)):
        p, theta = rng.beta(1.2, 0.75, size), rng.beta(0.66, 2.8, size)
        alive_through = rng.geometric(theta) - 1
        k = np.arange(1, n_opp + 1)
        buys = (rng.random((size, n_opp)) < p[:, None]) & (k <= alive_through[:, None])
        x = buys.sum(1)
        tx = np.where(x > 0, n_opp - np.argmax(buys[:, ::-1], axis=1), 0)
        parts.append(pd.DataFrame({"x": x, "tx": tx, "n": n_opp}))
    g = pd.concat(parts).groupby(["x", "tx", "n"]).size().reset_index(name="w")
    lt = _lifetimes(g.rename(columns={"x": "frequency", "tx": "recency", "n": "n_periods",
                                      "w": "count"}))  # fmt: skip
    m = BetaGeoBetaBinomModel().fit(g["x"], g["tx"], g["n"], g["w"])
    for k, v in m.params_.items():
        assert v == pytest.approx(float(lt.params_[k]), rel=1e-4)


@pytest.mark.parametrize("n_max", [6, 150])  # 150: past the bincount key, the sorting path
def test_bgbb_grouping_equals_pandas(n_max):
    from clientlib.models.bgbb import _group

    rng = np.random.default_rng(n_max)
    n = rng.integers(1, n_max + 1, 5000)
    tx = rng.integers(0, n + 1)
    x = np.where(tx > 0, rng.integers(1, np.maximum(tx, 1) + 1), 0)
    w = rng.integers(1, 4, 5000).astype(float)
    got = pd.DataFrame(dict(zip(["x", "tx", "n", "w"], _group(x, tx, n, w, False), strict=True)))
    want = pd.DataFrame({"x": x, "tx": tx, "n": n, "w": w}).groupby(["x", "tx", "n"]).sum()
    got = got.set_index(["x", "tx", "n"]).sort_index()
    want.index = want.index.set_levels([lv.astype(float) for lv in want.index.levels])
    pd.testing.assert_frame_equal(got, want, check_index_type=False)


@pytest.mark.parametrize(
    ("x", "tx", "n", "cause"),
    [
        ([0, 0, 0], [0, 0, 0], [5, 5, 5], "no customer made a single transaction"),
        ([4, 4, 4], [4, 4, 4], [4, 4, 4], "every customer bought at every opportunity"),
    ],
)
def test_bgbb_runaway_fit_is_said(x, tx, n, cause):
    with pytest.raises(InputError, match="ran away to the optimiser's bound") as err:
        BetaGeoBetaBinomModel().fit(x, tx, n, [100, 100, 100])
    assert cause in str(err.value) and "\n" not in str(err.value)


def test_bgbb_nobody_lapsing_is_said_in_russian():
    with pytest.raises(InputError) as err:
        BetaGeoBetaBinomModel(lang="ru").fit([1, 2, 3, 0], [4, 4, 4, 0], [4] * 4, [50] * 4)
    msg = str(err.value)
    assert msg.startswith("оценка модели BG/BB ушла на границу оптимизации")
    assert "никто не выглядит ушедшим" in msg


@pytest.mark.parametrize(
    ("x", "tx", "n"),
    [([2], [1], [3]), ([1], [4], [3]), ([0], [2], [3]), ([1.5], [2], [3]), ([1], [1], [0]),
     ([np.nan], [1], [3])],
)  # fmt: skip
def test_bgbb_rows_that_break_the_rules_are_refused(x, tx, n):
    with pytest.raises(InputError, match="0 <= frequency <= recency <= n_periods"):
        BetaGeoBetaBinomModel().fit(x, tx, n)


def test_bgbb_options_and_state_errors():
    with pytest.raises(OptionError, match="penalizer"):
        BetaGeoBetaBinomModel(penalizer=-1).fit([1], [1], [2])
    with pytest.raises(InputError, match="different lengths"):
        BetaGeoBetaBinomModel().fit([1, 0], [1], [2])
    with pytest.raises(InputError, match="no customers"):
        BetaGeoBetaBinomModel().fit([], [], [])
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="не оценена"):
        BetaGeoBetaBinomModel(lang="ru").p_alive([1], [1], [2])


# --------------------------------------------------------------------------------------------
# sBG
# --------------------------------------------------------------------------------------------


def _mixture(alpha: float, beta: float, f) -> float:
    """E[f(theta)] for theta ~ beta(alpha, beta), by numerical integration."""
    dens = stats.beta(alpha, beta).pdf
    return integrate.quad(lambda th: f(th) * dens(th), 0, 1, limit=200)[0]


@pytest.mark.parametrize(
    ("survivors", "alpha", "beta"), [(REGULAR, 0.704, 1.182), (HIGH_END, 0.668, 3.806)]
)
def test_sbg_reproduces_fader_hardie_2007(survivors, alpha, beta):
    m = ShiftedBetaGeoModel().fit(survivors)
    assert (round(m.params_["alpha"], 3), round(m.params_["beta"], 3)) == (alpha, beta)
    assert m.converged_ and m.n_customers_ == 1000 and m.n_periods_ == 7
    # the likelihood written out with the integrated mixture: churn in t, or still there at 7
    a, b = m.params_["alpha"], m.params_["beta"]
    s = np.array(survivors, dtype=float)
    ll = sum(
        (s[t - 1] - s[t]) * math.log(_mixture(a, b, lambda th, t=t: th * (1 - th) ** (t - 1)))
        for t in range(1, 8)
    ) + s[7] * math.log(_mixture(a, b, lambda th: (1 - th) ** 7))
    assert m.log_likelihood_ == pytest.approx(ll, abs=1e-4)
    assert all(np.isfinite(list(m.standard_errors_.values())))


def test_sbg_high_end_log_likelihood_as_published():
    assert round(ShiftedBetaGeoModel().fit(HIGH_END).log_likelihood_, 2) == -1611.16


@pytest.mark.parametrize("survivors", [REGULAR, HIGH_END])
def test_sbg_projections_for_years_8_to_12(survivors):
    m = ShiftedBetaGeoModel().fit(survivors)
    a, b = m.params_["alpha"], m.params_["beta"]
    years = np.arange(8, 13)
    expected = [1000 * _mixture(a, b, lambda th, t=t: (1 - th) ** t) for t in years]
    np.testing.assert_allclose(1000 * m.survival(years), expected, atol=1e-6)
    churn = [_mixture(a, b, lambda th, t=t: th * (1 - th) ** (t - 1)) for t in years]
    np.testing.assert_allclose(m.churn_probability(years), churn, atol=1e-9)
    ratio = [e / (1000 * _mixture(a, b, lambda th, t=t: (1 - th) ** (t - 1)))
             for e, t in zip(expected, years, strict=True)]  # fmt: skip
    np.testing.assert_allclose(m.retention_rate(years), ratio, atol=1e-9)
    assert (np.diff(m.retention_rate(np.arange(1, 13))) > 0).all()  # retention rises


def test_sbg_derl_is_the_discounted_sum_of_survival():
    m = ShiftedBetaGeoModel().fit(HIGH_END)
    a, b = m.params_["alpha"], m.params_["beta"]
    d = 0.10
    for renewals in (0, 1, 4):
        n = renewals + 1
        s_prev = _mixture(a, b, lambda th, n=n: (1 - th) ** (n - 1))
        # sum_{t>=n} (1-theta)^t / (1+d)^(t-n), summed as a geometric series inside the mixture
        series = _mixture(a, b, lambda th, n=n: (1 - th) ** n / (1 - (1 - th) / (1 + d))) / s_prev
        assert float(m.derl(d, renewals)) == pytest.approx(series, rel=1e-6)
    with pytest.raises(OptionError, match="discount_rate"):
        m.derl(1.5)


def test_sbg_weights_scale_free():
    # per cent survival gives the same parameters as the counts
    a = ShiftedBetaGeoModel().fit(REGULAR).params_
    b = ShiftedBetaGeoModel().fit([v / 10 for v in REGULAR]).params_
    assert a["alpha"] == pytest.approx(b["alpha"], rel=1e-6)
    assert a["beta"] == pytest.approx(b["beta"], rel=1e-6)


def test_sbg_penalizer_pulls_towards_zero():
    free = ShiftedBetaGeoModel().fit(HIGH_END).params_
    pen = ShiftedBetaGeoModel(penalizer=0.05).fit(HIGH_END).params_
    assert pen["beta"] < free["beta"]


@pytest.mark.parametrize(
    ("survivors", "cause"),
    [([500, 500, 500, 500], "nobody churned over 3 periods"),
     ([500, 0, 0], "every customer churned in the first period")],
)  # fmt: skip
def test_sbg_runaway_fit_is_said(survivors, cause):
    with pytest.raises(InputError, match="ran away to the optimiser's bound") as err:
        ShiftedBetaGeoModel().fit(survivors)
    assert cause in str(err.value)


def test_sbg_runaway_fit_in_russian():
    with pytest.raises(InputError, match="за 3 периода не ушёл ни один клиент"):
        ShiftedBetaGeoModel(lang="ru").fit([500, 500, 500, 500])


@pytest.mark.parametrize("survivors", [[100], [100, 120, 90], [0, 0], [100, -1], [100, np.nan]])
def test_sbg_bad_survivors_refused(survivors):
    with pytest.raises(InputError, match="never grow"):
        ShiftedBetaGeoModel().fit(survivors)
