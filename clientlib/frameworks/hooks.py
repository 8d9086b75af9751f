"""The code side of a rulebook, for rules that need more than one customer's row.

A rulebook names its hook in YAML (``hook: value_tiers``); the name is a module of this package
(``clientlib.frameworks.value_tiers``) whose ``HOOK`` attribute is a :class:`Hook`.  Nothing is
registered globally: two rulebooks may share a hook (the RFM segment maps all use ``hook: rfm``).

A hook learns from the whole facts table in ``fit`` (the ``auto`` purchase cycle, RFM cut points,
tier thresholds, a fitted model's parameters) and adds its derived columns in ``prepare`` as an Ibis
expression, so classification stays in the engine.

Examples
--------
>>> resolve(None).provides
{}
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ibis.expr.types as ir

from clientlib.errors import OptionError

__all__ = ["Hook", "resolve"]

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


@dataclass(frozen=True)
class Hook:
    """What a rulebook's code adds.

    Attributes
    ----------
    requires : frozenset of str
        Fact columns the hook reads.
    provides : mapping of str to str
        Derived columns and their kinds (``num``, ``str``, ``bool``), usable in ``when`` rules.
    fit : callable, optional
        ``fit(facts, params) -> dict`` of learned values (put in the framework's ``params_``;
        ``auto`` params are replaced by their estimate).
    prepare : callable, optional
        ``prepare(facts, params) -> ibis.Table``: the facts plus the provided columns, given the
        params with the learned values merged in.
    outputs : tuple of str
        Provided columns carried into the classification output.
    auto_params : frozenset of str
        Params that may be ``auto`` (estimated by ``fit``).
    optional : frozenset of str
        Columns used when present, never required.
    not_applicable : callable, optional
        ``not_applicable(facts, params) -> str | None``: why the data cannot support the
        framework (no signal), checked before fitting.
    """

    requires: frozenset[str] = frozenset()
    provides: Mapping[str, str] = field(default_factory=dict)
    fit: Callable[[ir.Table, Mapping[str, Any]], dict[str, Any]] | None = None
    prepare: Callable[[ir.Table, Mapping[str, Any]], ir.Table] | None = None
    outputs: tuple[str, ...] = ()
    auto_params: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    not_applicable: Callable[[ir.Table, Mapping[str, Any]], str | None] | None = None


def resolve(name: str | None, origin: str = "<rulebook>") -> Hook:
    """The :class:`Hook` a rulebook names (``None`` gives an empty hook).

    Only modules of ``clientlib.frameworks`` are looked up, by a plain lower-case name.
    """
    if name is None:
        return Hook()
    if not isinstance(name, str) or not _NAME.match(name):
        raise OptionError(f"{origin}: 'hook' is a plain name such as value_tiers, not {name!r:.40}")
    try:
        module = importlib.import_module(f"clientlib.frameworks.{name}")
    except ModuleNotFoundError:
        module = None
    hook = getattr(module, "HOOK", None)
    if not isinstance(hook, Hook):
        raise OptionError(f"{origin}: no hook named '{name}' in clientlib.frameworks")
    return hook
