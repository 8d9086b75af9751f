"""Reproduce a published BTYD study from transactions: what ``clientlib btyd fit|predict`` prints.

The command line reads transactions, summarises them per customer up to the calibration end,
fits a model (BG/NBD, MBG/NBD or Pareto/NBD), and prints the parameters with 4 significant
digits, their standard errors (when the model computes them), the log-likelihood and, with a
holdout period, the comparison of actual and expected repeat purchases (in total and by
calibration frequency).  ``predict`` adds P(alive), expected purchases and CLV over a horizon in
months of :data:`clientlib.btyd.MONTH_DAYS` days.

Period conventions
------------------
``paper``
    The papers' and lifetimes' ``T``: first purchase day → calibration end (the last day of
    calibration, included); on CDNOW 1/10 this reproduces FHL (2005a): r 0.2426, alpha 4.414,
    a 0.7929, b 2.426, LL -9,582.43.
``clientlib``
    ``T`` to the start of the day after the calibration end, as clientlib's customer facts
    measure it (one day longer; on CDNOW r 0.2417, alpha 4.394, a 0.8145, b 2.477).

Examples
--------
>>> significant(4.41360177, "en"), significant(0.242594, "ru"), significant(11.6666, "en")
('4.414', '0,2426', '11.67')
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from clientlib.btyd import MONTH_DAYS, TIME_UNITS, GammaGammaModel, calibration_summary
from clientlib.errors import InputError, OptionError
from clientlib.messages import date, number, text
from clientlib.models._options import CONVENTIONS, MODELS, check_horizon, check_options
from clientlib.models.validation import conditional_expectations, holdout_totals, model_name

__all__ = [
    "CONVENTIONS",
    "MODELS",
    "Study",
    "check_horizon",
    "fit_study",
    "make_model",
    "predict_table",
    "predict_text",
    "significant",
    "study_summary",
]


def _t(key: str, lang: str, **fields: Any) -> str:
    return text(f"validation.{key}", lang, **fields)


def significant(x: Any, lang: str = "en", digits: int = 4) -> str:
    """``x`` with ``digits`` significant digits in the language's number format.

    Examples
    --------
    >>> significant(-9582.4292, "en", 6), significant(float("nan"), "en")
    ('-9,582.43', '–')
    """
    value = float(x)
    if not math.isfinite(value) or value == 0:
        return number(value, lang, 0)
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    return number(value, lang, decimals)


def make_model(name: str, time_unit: str, lang: str = "en") -> Any:
    """A new, unfitted model of ``--model`` ``name`` (an unknown name is one line)."""
    check_options(name, time_unit, CONVENTIONS[0], lang)
    module, cls = MODELS[name]
    return getattr(importlib.import_module(module), cls)(time_unit=time_unit)


def study_summary(
    transactions: pd.DataFrame,
    calibration_end: Any,
    holdout_end: Any = None,
    *,
    time_unit: str = "weeks",
    convention: str = "paper",
) -> pd.DataFrame:
    """Per-customer summary in ``time_unit`` under the ``paper`` or ``clientlib`` convention.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a"], "amount": [1.0, 2.0],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-05"])})
    >>> [float(study_summary(tx, "2024-01-10", time_unit="days", convention=c)["T"].iloc[0])
    ...  for c in ("paper", "clientlib")]
    [9.0, 10.0]
    """
    check_options("bgnbd", time_unit, convention)
    out = calibration_summary(transactions, calibration_end, holdout_end, time_unit=time_unit)
    if convention == "clientlib":  # T to the start of the next day, as the customer facts
        out["T"] = out["T"] + 1.0 / TIME_UNITS[time_unit]
    return out


@dataclass
class Study:
    """A fitted model on a per-customer summary, and the periods it covers."""

    model: Any
    summary: pd.DataFrame
    start: pd.Timestamp
    calibration_end: pd.Timestamp
    holdout_end: pd.Timestamp | None
    convention: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def parameters(self) -> pd.DataFrame:
        """``parameter``, ``estimate``, ``std_error`` (NaN when the model has none)."""
        names = list(self.model.params_)
        se = getattr(self.model, "standard_errors_", None) or {}
        return pd.DataFrame(
            {
                "parameter": names,
                "estimate": [float(self.model.params_[k]) for k in names],
                "std_error": [float(se.get(k, np.nan)) for k in names],
            }
        )

    def text(self, lang: str = "en") -> str:
        """The parameter table, LL and the holdout comparison, as printed."""
        m, unit = self.model, _t(f"axis_unit_{self.model.time_unit}", lang)
        lines = [
            _t(
                "fit_head", lang, name=model_name(m), n=number(len(self.summary), lang),
                start=date(self.start, lang), end=date(self.calibration_end, lang), unit=unit,
                convention=self.convention,
            ),
        ]  # fmt: skip
        par = self.parameters()
        has_se = bool(par["std_error"].notna().any())
        view = pd.DataFrame({_t("col_parameter", lang): par["parameter"]})
        view[_t("col_estimate", lang)] = [significant(v, lang) for v in par["estimate"]]
        if has_se:
            view[_t("col_std_error", lang)] = [significant(v, lang) for v in par["std_error"]]
        lines += [view.to_string(index=False)]
        lines += [_t("fit_ll", lang, ll=number(m.log_likelihood_, lang, 2))]
        if not has_se:
            lines += [_t("fit_no_se", lang, name=model_name(m))]
        if self.holdout_end is not None:
            lines += ["", *self._holdout_lines(lang)]
        return "\n".join(lines)

    def _holdout_lines(self, lang: str) -> list[str]:
        tot = holdout_totals(self.summary, self.model)
        gap = (tot["expected"] - tot["actual"]) / tot["actual"] if tot["actual"] else np.nan
        length = float(self.summary["duration_holdout"].iloc[0]) if len(self.summary) else 0.0
        lines = [
            _t(
                "holdout_head", lang,
                start=date(self.calibration_end + pd.Timedelta(days=1), lang),
                end=date(self.holdout_end, lang), length=number(length, lang, 1),
                unit=_t(f"axis_unit_{self.model.time_unit}", lang),
                actual=number(tot["actual"], lang), expected=number(tot["expected"], lang, 1),
                gap=number(100 * gap, lang, 1) if np.isfinite(gap) else "—",
            )
        ]  # fmt: skip
        cond = self.tables["holdout"]
        view = pd.DataFrame(
            {
                _t("col_frequency", lang): self._bins(cond, lang),
                _t("col_customers", lang): [number(v, lang) for v in cond["customers"]],
                _t("col_actual", lang): [number(v, lang, 4) for v in cond["actual"]],
                _t("col_expected", lang): [number(v, lang, 4) for v in cond["expected"]],
            }
        )
        return [*lines, _t("holdout_by_frequency", lang), view.to_string(index=False)]

    @staticmethod
    def _bins(cond: pd.DataFrame, lang: str) -> list[str]:
        bins = [str(int(v)) for v in cond.index]
        if cond.attrs.get("censored") and bins:
            bins[-1] += "+"
        return bins


def fit_study(
    transactions: pd.DataFrame,
    *,
    model: str = "bgnbd",
    time_unit: str = "weeks",
    calibration_end: Any = None,
    holdout_end: Any = None,
    convention: str = "paper",
    lang: str = "en",
) -> Study:
    """Summarise ``transactions`` (``customer_id``, ``timestamp``, ``amount``) and fit ``model``.

    ``calibration_end`` defaults to the last transaction day; a ``holdout_end`` adds the
    holdout comparison (``Study.tables["holdout"]``, by calibration frequency, 7+).
    """
    est = make_model(model, time_unit, lang)
    if transactions.empty:
        raise InputError(_t("err_no_transactions", lang))
    days = pd.to_datetime(transactions["timestamp"]).dt.normalize()
    cal_end = pd.Timestamp(calibration_end).normalize() if calibration_end else days.max()
    hold_end = pd.Timestamp(holdout_end).normalize() if holdout_end else None
    if hold_end is not None and hold_end <= cal_end:
        raise OptionError(
            _t("err_holdout", lang, end=date(hold_end, lang), cal=date(cal_end, lang))
        )
    if days.min() > cal_end:
        raise InputError(_t("err_no_calibration", lang, cal=date(cal_end, lang)))
    summary = study_summary(
        transactions, cal_end, hold_end, time_unit=time_unit, convention=convention
    )
    est.fit(summary["frequency"], summary["recency"], summary["T"])
    study = Study(est, summary, days.min(), cal_end, hold_end, convention)
    study.tables["parameters"] = study.parameters()
    if hold_end is not None:
        study.tables["holdout"] = conditional_expectations(summary, est)
    return study


def predict_table(
    study: Study, *, horizon: int = 12, discount_rate: float = 0.01, lang: str = "en"
) -> pd.DataFrame:
    """Per customer: P(alive), expected purchases and CLV over ``horizon`` months.

    A month is :data:`clientlib.btyd.MONTH_DAYS` (30.4375) days, whatever the model's unit;
    the CLV multiplies the Gamma-Gamma expected spend (fitted on the repeat buyers) by the
    expected purchases of each month, discounted at ``discount_rate`` a month.
    """
    check_horizon(horizon, discount_rate, lang)
    s, m = study.summary, study.model
    t = horizon * MONTH_DAYS / TIME_UNITS[m.time_unit]
    out = pd.DataFrame({"customer_id": s["customer_id"].astype(str)})
    out["frequency"], out["recency"], out["T"] = s["frequency"], s["recency"], s["T"]
    out["p_alive"] = m.p_alive(s["frequency"], s["recency"], s["T"])
    out[f"expected_purchases_{horizon}m"] = m.expected_purchases(
        t, s["frequency"], s["recency"], s["T"]
    )
    rep = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
    if len(rep) >= 2:
        gg = GammaGammaModel(time_unit=m.time_unit).fit(rep["frequency"], rep["monetary_value"])
        out["expected_spend"] = gg.expected_spend(s["frequency"], s["monetary_value"])
        out[f"clv_{horizon}m"] = gg.clv(
            m, s["frequency"], s["recency"], s["T"], s["monetary_value"],
            horizon=horizon, discount_rate=discount_rate,
        )  # fmt: skip
    out.attrs.update(horizon=horizon, month_days=MONTH_DAYS, discount_rate=discount_rate)
    return out


def predict_text(table: pd.DataFrame, lang: str = "en") -> str:
    """The totals of :func:`predict_table`, with the month length stated."""
    h = int(table.attrs["horizon"])
    purchases = table[f"expected_purchases_{h}m"].sum()
    lines = [
        _t(
            "predict_head", lang, horizon=h, month=number(MONTH_DAYS, lang, 4),
            n=number(len(table), lang), purchases=number(purchases, lang, 1),
            alive=number(table["p_alive"].mean(), lang, 3),
        )
    ]  # fmt: skip
    if f"clv_{h}m" in table:
        lines += [
            _t(
                "predict_clv", lang, horizon=h, clv=number(table[f"clv_{h}m"].sum(), lang, 2),
                rate=number(100 * table.attrs["discount_rate"], lang, 1),
            )
        ]  # fmt: skip
    return "\n".join(lines)
