"""The options of ``clientlib btyd``, checked at typer's cost (no pandas, NumPy or SciPy).

A refused ``--model``, ``--time-unit``, ``--period-convention``, ``--horizon`` or
``--discount-rate`` is one line in the user's language before anything heavy is imported or any
input read (``tests/test_cli_imports.py`` states the rule for every command).

Examples
--------
>>> check_options("bgnbd", "weeks", "paper")
>>> check_options("nbd", "weeks", "paper")
Traceback (most recent call last):
...
clientlib.errors.OptionError: --model is one of bgnbd, mbgnbd, pareto_nbd, not 'nbd'
"""

from __future__ import annotations

from typing import Any

from clientlib.errors import OptionError
from clientlib.messages import check_lang, text

__all__ = ["CONVENTIONS", "MODELS", "TIME_UNIT_NAMES", "check_horizon", "check_options"]

#: ``--model`` → (module, class), imported when a model is made (keeps the CLI's start fast).
MODELS: dict[str, tuple[str, str]] = {
    "bgnbd": ("clientlib.btyd", "BetaGeoModel"),
    "mbgnbd": ("clientlib.models.mbgnbd", "ModifiedBetaGeoModel"),
    "pareto_nbd": ("clientlib.models.pareto_nbd", "ParetoNBDModel"),
}
#: ``--period-convention``: see :mod:`clientlib.models.reproduce`.
CONVENTIONS = ("paper", "clientlib")
#: The names of :data:`clientlib.btyd.TIME_UNITS` (a test keeps them equal).
TIME_UNIT_NAMES = ("days", "weeks", "months")


def check_options(model: str, time_unit: str, convention: str, lang: str = "en") -> None:
    """Refuse an unknown model, time unit or period convention (one line)."""
    check_lang(lang)
    if model not in MODELS:
        known = ", ".join(MODELS)
        raise OptionError(text("validation.err_model", lang, name=str(model)[:30], known=known))
    if time_unit not in TIME_UNIT_NAMES:
        known = ", ".join(TIME_UNIT_NAMES)
        raise OptionError(text("validation.err_unit", lang, unit=str(time_unit)[:30], known=known))
    if convention not in CONVENTIONS:
        raise OptionError(text("validation.err_convention", lang, value=str(convention)[:30]))


def check_horizon(horizon: Any, discount_rate: Any, lang: str = "en") -> None:
    """Refuse a horizon that is not a whole number of months >= 1 or a rate outside [0, 1)."""
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise OptionError(text("validation.err_horizon", lang, value=horizon))
    if not 0 <= float(discount_rate) < 1:
        raise OptionError(text("validation.err_discount", lang, value=discount_rate))
