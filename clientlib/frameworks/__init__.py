"""The seven classification frameworks and RFM, as YAML rulebooks.

Each framework is a rulebook file in this package (``<name>.yaml``, package
data read through :mod:`importlib.resources`); the few rules that need a
window over all customers have a small module beside it (``lifecycle`` for
the ``auto`` purchase cycle, ``value_tiers`` for cumulative revenue shares,
:mod:`clientlib.rfm` for score cut points).

Examples
--------
>>> from clientlib import frameworks
>>> frameworks.available()[:3]
['lifecycle', 'ladder', 'value_tiers']
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import ibis.expr.types as ir

from clientlib import rfm as _rfm
from clientlib.frameworks import ladder, lifecycle, value_tiers
from clientlib.frameworks.ladder import conversion
from clientlib.frameworks.value_tiers import pareto
from clientlib.rules import MissingColumnsError, Rulebook, RulebookError, register_hook

__all__ = [
    "MissingColumnsError",
    "available",
    "builtin_names",
    "classify",
    "conversion",
    "ladder",
    "lifecycle",
    "load",
    "pareto",
    "rulebook_text",
    "value_tiers",
]

_FRAMEWORKS = (
    "lifecycle",
    "ladder",
    "value_tiers",
    "qualification",
    "buyer_types",
    "awareness",
    "fast_good_cheap",
    "rfm",
)
# Further built-in rulebooks (alternative RFM segment maps, see clientlib.rfm).
_EXTRA = ("rfm_r_docs", "rfm_simple")

register_hook("lifecycle", lifecycle.HOOK)
register_hook("value_tiers", value_tiers.HOOK)
register_hook("rfm", _rfm.HOOK)


def available() -> list[str]:
    """Names of the built-in frameworks, in teaching order.

    Examples
    --------
    >>> "rfm" in available()
    True
    """
    return list(_FRAMEWORKS)


def builtin_names() -> list[str]:
    """Every built-in rulebook name (frameworks plus alternative RFM maps).

    Examples
    --------
    >>> builtin_names()[-1]
    'rfm_simple'
    """
    return list(_FRAMEWORKS + _EXTRA)


def rulebook_text(name: str) -> str:
    """The YAML text of a built-in rulebook (a starting point for your own).

    Examples
    --------
    >>> rulebook_text("ladder").count("- id:")
    5
    """
    if name not in builtin_names():
        raise RulebookError(f"unknown framework '{name}'; built-in: {', '.join(builtin_names())}")
    return resources.files(__package__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")


def load(name: str | Path, params: dict[str, Any] | str | Path | None = None) -> Rulebook:
    """Load a built-in rulebook by name, or a user rulebook from a YAML path.

    Parameters
    ----------
    name : str or Path
        One of :func:`builtin_names`, or a path to a ``.yaml`` file.
    params : dict or path, optional
        Param overrides (dict or a YAML file of ``name: value``).

    Returns
    -------
    Rulebook

    Examples
    --------
    >>> rb = load("lifecycle", params={"purchase_cycle_days": 30})
    >>> rb.params["purchase_cycle_days"], rb.params["fan_min_orders"]
    (30, 3)
    """
    if isinstance(name, str) and name in builtin_names():
        rb = Rulebook.from_yaml(rulebook_text(name), params=params, origin=f"{name}.yaml")
    elif isinstance(name, Path) or str(name).lower().endswith((".yaml", ".yml")):
        rb = Rulebook.from_yaml(Path(name), params=params)
    else:
        raise RulebookError(
            f"unknown framework '{name}'; built-in: {', '.join(builtin_names())}, "
            "or give a path to a .yaml rulebook"
        )
    if rb.framework == "rfm":
        rb.scoring = _rfm.scoring_spec(rb.scoring)  # fail at load time, not at classify time
    return rb


def classify(
    facts: ir.Table,
    name: str | Path,
    params: dict[str, Any] | str | Path | None = None,
    lang: str = "en",
) -> ir.Table:
    """Classify customer facts with one framework.

    Parameters
    ----------
    facts : ibis.Table
        Customer facts (docs/CONTRACTS.md).
    name : str or Path
        Framework name or rulebook path (see :func:`load`).
    params : dict or path, optional
        Param overrides.
    lang : {'en', 'ru'}
        Language of labels and actions.

    Returns
    -------
    ibis.Table
        ``customer_id, framework, class, label, reason, action`` (+ framework outputs).

    Raises
    ------
    MissingColumnsError
        When ``facts`` lacks columns the framework needs.

    Examples
    --------
    >>> import ibis
    >>> facts = ibis.memtable({"customer_id": ["a", "b"], "orders": [2, 0],
    ...                        "referrals": [0, 0], "touchpoints": [1, 1]})
    >>> classify(facts, "ladder").to_pandas()["class"].tolist()
    ['regular', 'client']
    """
    return load(name, params).classify(facts, lang=lang)
