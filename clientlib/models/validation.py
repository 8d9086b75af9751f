"""Validation tables of a fitted buy-till-you-die model: the numbers behind the classic plots.

Each function computes one table; :mod:`clientlib.models.validation_plots` only draws them.
Any model with the BG/NBD API of :class:`clientlib.btyd.BetaGeoModel` works (``time_unit``,
``params_``, ``p_alive``, ``expected_purchases(t, f, r, T)``, ``expected_purchases_new(t)``):
BG/NBD, MBG/NBD and Pareto/NBD.

* :func:`tracking` — repeat transactions per period, actual and expected, incremental and
  cumulative, over calibration and holdout (BTYD's ``bgnbd.PlotTrackingInc`` / ``...Cum``);
* :func:`conditional_expectations` — mean holdout purchases by calibration frequency, actual and
  expected (FHL 2005a, Figure 5; BTYD's ``PlotFreqVsConditionalExpectedFrequency``);
* :func:`frequency_recency_matrix`, :func:`p_alive_matrix` — expected purchases and P(alive)
  over a grid of frequency × recency for one age ``T`` (lifetimes' matrix plots);
* :func:`period_transactions` — customers by calibration frequency, actual and simulated from the
  model with a seed (lifetimes' ``plot_period_transactions``);
* :func:`holdout_totals` — all holdout repeat purchases, actual and expected.

Times follow :func:`clientlib.btyd.calibration_summary`: purchases are counted by day, a
customer's first purchase day is her birth, later purchase days are repeat transactions.

Examples
--------
>>> import pandas as pd
>>> from clientlib.btyd import BetaGeoModel
>>> m = BetaGeoModel(time_unit="weeks")
>>> m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
>>> pa = p_alive_matrix(m, T=39, max_frequency=2, recency_step=13)
>>> pa.round(3).loc[1].tolist()  # last purchase at age 39: 1 / (1 + a / b) = 0.754
[0.151, 0.496, 0.663, 0.754]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from clientlib.btyd import TIME_UNITS
from clientlib.errors import InputError, OptionError

__all__ = [
    "conditional_expectations",
    "frequency_recency_matrix",
    "holdout_totals",
    "model_name",
    "p_alive_matrix",
    "period_transactions",
    "simulate_frequency",
    "tracking",
]


def _days(unit: str, what: str = "time_unit") -> float:
    if unit not in TIME_UNITS:
        raise OptionError(f"{what} is one of {', '.join(TIME_UNITS)}, not {unit!r}")
    return TIME_UNITS[unit]


#: The papers' names of the models, by class.
_NAMES = {
    "BetaGeoModel": "BG/NBD",
    "ModifiedBetaGeoModel": "MBG/NBD",
    "ParetoNBDModel": "Pareto/NBD",
}


def model_name(model: Any) -> str:
    """The paper's name of ``model`` (``"BG/NBD"``), else its class name.

    Examples
    --------
    >>> from clientlib.btyd import BetaGeoModel
    >>> model_name(BetaGeoModel())
    'BG/NBD'
    """
    kind = type(model).__name__
    return _NAMES.get(kind, kind)


def _model_unit(model: Any) -> str:
    unit = getattr(model, "time_unit", "days")
    _days(unit)
    return str(unit)


def _purchase_days(transactions: pd.DataFrame, customer_id: str, timestamp: str) -> pd.DataFrame:
    """One row a customer and purchase day (``c``, ``d``), sorted, as the papers count."""
    missing = sorted({customer_id, timestamp} - set(transactions.columns))
    if missing:
        raise InputError(f"transactions lack column(s) {', '.join(missing)}")
    day = pd.to_datetime(transactions[timestamp]).dt.normalize()
    return (
        pd.DataFrame({"c": transactions[customer_id].to_numpy(), "d": day.to_numpy()})
        .drop_duplicates()
        .sort_values(["c", "d"], kind="stable")
        .reset_index(drop=True)
    )


def tracking(
    transactions: pd.DataFrame,
    model: Any,
    calibration_end: Any,
    holdout_end: Any,
    *,
    period: str = "weeks",
    customer_id: str = "customer_id",
    timestamp: str = "timestamp",
) -> pd.DataFrame:
    """Repeat transactions per period, actual and expected by ``model``, from the first birth.

    The cohort is the customers whose first purchase day is on or before ``calibration_end``
    (those the model was fitted on).  Period ``k`` covers days ``[(k-1) L, k L)`` after the
    cohort's first purchase day (``L`` the days in ``period``), up to ``holdout_end`` included.
    A customer born ``b`` periods after that day is expected to have made
    ``expected_purchases_new(k - b)`` repeat purchases by the end of period ``k`` (BTYD's
    ``bgnbd.ExpectedCumulativeTransactions``); the expected column sums them.

    Returns
    -------
    pandas.DataFrame
        ``period`` (1, 2, …), ``start`` (first day), ``actual`` and ``expected`` (per period),
        ``actual_cum`` and ``expected_cum``, ``holdout`` (the period starts after
        ``calibration_end``); ``attrs["calibration_periods"]`` is where calibration ends, in
        periods, and ``attrs["period"]`` the period unit.

    Examples
    --------
    >>> from clientlib.btyd import BetaGeoModel
    >>> m = BetaGeoModel(time_unit="weeks")
    >>> m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b", "a"], "timestamp": pd.to_datetime(
    ...     ["2024-01-01", "2024-01-09", "2024-01-03", "2024-01-20"])})
    >>> t = tracking(tx, m, "2024-01-14", "2024-01-28")
    >>> t[["actual", "actual_cum", "holdout"]].to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'actual': [0, 1, 1, 0], 'actual_cum': [0, 1, 2, 2],
     'holdout': [False, False, True, True]}
    """
    length = _days(period, "period")
    unit = _days(_model_unit(model))
    cal_end = pd.Timestamp(calibration_end).normalize()
    hold_end = pd.Timestamp(holdout_end).normalize()
    if hold_end <= cal_end:
        raise OptionError(
            f"holdout_end ({hold_end.date()}) must be after calibration_end ({cal_end.date()})"
        )
    days = _purchase_days(transactions, customer_id, timestamp)
    first = days.groupby("c", sort=False)["d"].transform("min")
    days = days[first <= cal_end]
    first = first[first <= cal_end]
    if days.empty:
        raise InputError(f"no customer made a first purchase by {cal_end.date()}")
    origin = first.min()
    n = math.ceil(((hold_end - origin).days + 1) / length)
    repeat = days[(days["d"] > first) & (days["d"] <= hold_end)]
    index = ((repeat["d"] - origin).dt.days // length).astype("int64") + 1
    actual = np.bincount(index.to_numpy(), minlength=n + 1)[1:]
    # births in the model's unit, grouped: the expectation is evaluated once a birth day
    births = ((days.loc[days["d"] == first, "d"] - origin).dt.days / unit).value_counts()
    b, w = births.index.to_numpy(dtype="float64"), births.to_numpy(dtype="float64")
    k = np.arange(1, n + 1)
    ends = k * length / unit
    expected_cum = np.array(
        [float((w[b < e] * model.expected_purchases_new(e - b[b < e])).sum()) for e in ends]
    )
    out = pd.DataFrame(
        {
            "period": k,
            "start": origin + pd.to_timedelta(np.floor((k - 1) * length), unit="D"),
            "actual": actual.astype("int64"),
            "expected": np.diff(expected_cum, prepend=0.0),
            "actual_cum": np.cumsum(actual).astype("int64"),
            "expected_cum": expected_cum,
        }
    )
    out["holdout"] = out["start"] > cal_end
    out.attrs.update(
        calibration_periods=((cal_end - origin).days + 1) / length, period=period,
        origin=origin.date().isoformat(), model=model_name(model),
    )  # fmt: skip
    return out


def _holdout_columns(summary: pd.DataFrame) -> None:
    missing = sorted(
        {"frequency", "recency", "T", "frequency_holdout", "duration_holdout"} - set(summary)
    )
    if missing:
        raise InputError(
            f"summary lacks column(s) {', '.join(missing)}: give calibration_summary(..., "
            "holdout_end=...)"
        )


def _expected_holdout(summary: pd.DataFrame, model: Any) -> np.ndarray:
    return np.asarray(
        model.expected_purchases(
            summary["duration_holdout"].to_numpy(dtype="float64"),
            summary["frequency"], summary["recency"], summary["T"],
        ),
        dtype="float64",
    )  # fmt: skip


def conditional_expectations(
    summary: pd.DataFrame, model: Any, *, max_frequency: int = 7
) -> pd.DataFrame:
    """Mean holdout repeat purchases by calibration frequency: actual and expected.

    Customers are grouped by repeat purchases in the calibration period, the last group being
    ``max_frequency`` and more (the papers censor at 7).

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`clientlib.btyd.calibration_summary` with ``holdout_end``, in the model's unit.
    model
        Fitted on the calibration columns.

    Returns
    -------
    pandas.DataFrame
        Index ``frequency`` (0 … ``max_frequency``), columns ``customers``, ``actual``,
        ``expected``; ``attrs["censored"]`` is True when the last group holds more.

    Examples
    --------
    >>> from clientlib.btyd import BetaGeoModel
    >>> m = BetaGeoModel(time_unit="weeks")
    >>> m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    >>> s = pd.DataFrame({"frequency": [0, 0, 1, 3], "recency": [0, 0, 5, 30], "T": [30] * 4,
    ...     "frequency_holdout": [0, 1, 1, 2], "duration_holdout": 39.0})
    >>> conditional_expectations(s, m, max_frequency=2)[["customers", "actual"]].to_dict("list")
    {'customers': [2, 1, 1], 'actual': [0.5, 1.0, 2.0]}
    """
    _holdout_columns(summary)
    if not isinstance(max_frequency, (int, np.integer)) or max_frequency < 1:
        raise OptionError(f"max_frequency is a whole number >= 1, not {max_frequency!r}")
    group = np.minimum(summary["frequency"].to_numpy(dtype="float64"), max_frequency)
    df = pd.DataFrame(
        {
            "frequency": group.astype("int64"),
            "actual": summary["frequency_holdout"].to_numpy(dtype="float64"),
            "expected": _expected_holdout(summary, model),
        }
    )
    out = df.groupby("frequency").agg(
        customers=("actual", "size"), actual=("actual", "mean"), expected=("expected", "mean")
    )
    out.attrs.update(
        censored=bool((summary["frequency"] > max_frequency).any()),
        max_frequency=int(max_frequency), model=model_name(model),
    )  # fmt: skip
    return out


def holdout_totals(summary: pd.DataFrame, model: Any) -> dict[str, float]:
    """All repeat purchases in the holdout period: ``actual`` and ``expected`` by the model.

    Examples
    --------
    >>> from clientlib.btyd import BetaGeoModel
    >>> m = BetaGeoModel(time_unit="weeks")
    >>> m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    >>> s = pd.DataFrame({"frequency": [0, 2], "recency": [0, 30.43], "T": [38.86, 38.86],
    ...     "frequency_holdout": [0, 3], "duration_holdout": 39.0})
    >>> h = holdout_totals(s, m)
    >>> h["customers"], h["actual"]
    (2, 3.0)
    >>> bool(h["expected"] == m.expected_purchases(39, s.frequency, s.recency, s["T"]).sum())
    True
    """
    _holdout_columns(summary)
    return {
        "customers": int(len(summary)),
        "actual": float(summary["frequency_holdout"].sum()),
        "expected": float(_expected_holdout(summary, model).sum()),
    }


def _grid(T: float, max_frequency: int, recency_step: float) -> tuple[np.ndarray, np.ndarray]:
    if not (np.isfinite(T) and T > 0):
        raise OptionError(f"T is a customer age > 0 in the model's unit, not {T!r}")
    if not isinstance(max_frequency, (int, np.integer)) or max_frequency < 1:
        raise OptionError(f"max_frequency is a whole number >= 1, not {max_frequency!r}")
    if not (np.isfinite(recency_step) and recency_step > 0):
        raise OptionError(f"recency_step is > 0, not {recency_step!r}")
    recency = np.arange(0.0, T + recency_step / 2, recency_step)
    recency = recency[recency <= T]
    return np.arange(0, max_frequency + 1), recency


def _matrix(values: Any, frequency: np.ndarray, recency: np.ndarray) -> pd.DataFrame:
    out = pd.DataFrame(
        np.asarray(values, dtype="float64").reshape(len(frequency), len(recency)),
        index=pd.Index(frequency, name="frequency"),
        columns=pd.Index(recency, name="recency"),
    )
    # no repeat purchase means recency 0: the other cells of row 0 are no customer
    out.iloc[0, 1:] = np.nan
    return out


def frequency_recency_matrix(
    model: Any, T: float, *, t: float = 1.0, max_frequency: int = 20, recency_step: float = 1.0
) -> pd.DataFrame:
    """Expected repeat purchases in the next ``t`` periods for customers of age ``T``.

    Rows are frequency 0 … ``max_frequency``, columns recency 0 … ``T`` by ``recency_step``
    (all in the model's unit); a frequency of 0 exists only with recency 0 (other cells NaN).

    Examples
    --------
    >>> from clientlib.btyd import BetaGeoModel
    >>> m = BetaGeoModel(time_unit="weeks")
    >>> m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    >>> fr = frequency_recency_matrix(m, 39, t=39, max_frequency=2, recency_step=39)
    >>> fr.shape, bool(fr.isna().loc[0, 39.0])
    ((3, 2), True)
    >>> bool(fr.loc[2, 39.0] == m.expected_purchases(39, 2, 39.0, 39)[0])
    True
    """
    f, r = _grid(float(T), max_frequency, recency_step)
    ff, rr = np.meshgrid(f.astype("float64"), r, indexing="ij")
    values = model.expected_purchases(t, ff.ravel(), rr.ravel(), np.full(ff.size, float(T)))
    out = _matrix(values, f, r)
    out.attrs.update(
        kind="expected_purchases", t=float(t), T=float(T), time_unit=_model_unit(model),
        model=model_name(model),
    )  # fmt: skip
    return out


def p_alive_matrix(
    model: Any, T: float, *, max_frequency: int = 20, recency_step: float = 1.0
) -> pd.DataFrame:
    """P(alive) for customers of age ``T`` over frequency × recency.

    The grid is that of :func:`frequency_recency_matrix`.
    """
    f, r = _grid(float(T), max_frequency, recency_step)
    ff, rr = np.meshgrid(f.astype("float64"), r, indexing="ij")
    values = model.p_alive(ff.ravel(), rr.ravel(), np.full(ff.size, float(T)))
    out = _matrix(values, f, r)
    out.attrs.update(
        kind="p_alive", T=float(T), time_unit=_model_unit(model), model=model_name(model)
    )
    return out


# ---- simulation from the fitted model


def simulate_frequency(model: Any, T: Any, random_state: int = 0) -> np.ndarray:
    """Repeat purchases of simulated customers of ages ``T`` drawn from the fitted ``model``.

    One customer a value of ``T``; the same seed gives the same draw.

    * BG/NBD (``BetaGeoModel``): rate ``λ ~ Gamma(r, 1/alpha)``, drop-out ``p ~ Beta(a, b)``;
      the customer buys at rate λ and leaves after each repeat purchase with probability
      ``p``: ``min(Poisson(λ T), K)``, ``K ~ Geometric(p)`` on 1, 2, ….
    * MBG/NBD (``ModifiedBetaGeoModel``): as BG/NBD, and may leave right after the first
      purchase too: ``K - 1``.
    * Pareto/NBD (``ParetoNBDModel``): ``λ ~ Gamma(r, 1/alpha)``, lifetime
      ``τ ~ Exponential(μ)``, ``μ ~ Gamma(s, 1/beta)``: ``Poisson(λ min(τ, T))``.

    Examples
    --------
    >>> from clientlib.btyd import BetaGeoModel
    >>> m = BetaGeoModel(time_unit="weeks")
    >>> m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    >>> (simulate_frequency(m, [39.0] * 5, 1) == simulate_frequency(m, [39.0] * 5, 1)).all()
    np.True_
    """
    T_ = np.asarray(T, dtype="float64").ravel()
    rng = np.random.default_rng(random_state)
    p = getattr(model, "params_", None)
    if p is None:
        raise OptionError("the model is not fitted: call fit(frequency, recency, T) first")
    kind = type(model).__name__
    n = len(T_)
    if kind in ("BetaGeoModel", "ModifiedBetaGeoModel"):
        lam = rng.gamma(p["r"], 1.0 / p["alpha"], n)
        drop = rng.beta(p["a"], p["b"], n)
        buys = rng.poisson(lam * T_)
        alive_for = rng.geometric(drop) - (1 if kind == "ModifiedBetaGeoModel" else 0)
        return np.minimum(buys, alive_for).astype("int64")
    if kind == "ParetoNBDModel":
        lam = rng.gamma(p["r"], 1.0 / p["alpha"], n)
        mu = rng.gamma(p["s"], 1.0 / p["beta"], n)
        life = rng.exponential(1.0 / mu)
        return rng.poisson(lam * np.minimum(life, T_)).astype("int64")
    raise OptionError(f"no simulator for {kind}: BG/NBD, MBG/NBD and Pareto/NBD have one")


def period_transactions(
    summary: pd.DataFrame, model: Any, *, max_frequency: int = 7, random_state: int = 0
) -> pd.DataFrame:
    """Customers by calibration repeat purchases: actual and simulated from the model.

    The model's customers have the same ages ``T`` as the actual ones (one draw each, seeded);
    the last group is ``max_frequency`` and more.

    Examples
    --------
    >>> from clientlib.btyd import BetaGeoModel
    >>> m = BetaGeoModel(time_unit="weeks")
    >>> m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    >>> s = pd.DataFrame({"frequency": [0, 0, 1, 9], "T": [39.0] * 4})
    >>> period_transactions(s, m, max_frequency=2)["actual"].tolist()
    [2, 1, 1]
    """
    if not isinstance(max_frequency, (int, np.integer)) or max_frequency < 1:
        raise OptionError(f"max_frequency is a whole number >= 1, not {max_frequency!r}")
    bins = np.arange(max_frequency + 1)
    actual = np.minimum(summary["frequency"].to_numpy(dtype="float64"), max_frequency)
    sim = np.minimum(simulate_frequency(model, summary["T"], random_state), max_frequency)
    out = pd.DataFrame(
        {
            "actual": np.bincount(actual.astype("int64"), minlength=len(bins))[bins],
            "model": np.bincount(sim, minlength=len(bins))[bins],
        },
        index=pd.Index(bins, name="frequency"),
    )
    out.attrs.update(
        max_frequency=int(max_frequency), random_state=random_state, model=model_name(model)
    )
    return out
