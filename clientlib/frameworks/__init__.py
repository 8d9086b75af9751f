"""The framework catalog: every classification as an estimator, built from YAML.

A built-in framework is a YAML rulebook in this folder — a new file is a new framework, with no
list to edit and nothing to register.  Its ``id`` is unique; the few rules that need more than
one customer's row name their code with ``hook:`` (:mod:`~clientlib.frameworks.lifecycle` for
the ``auto`` purchase cycle, :mod:`~clientlib.frameworks.value_tiers` for revenue shares,
:mod:`~clientlib.frameworks.rfm` for score cut points, :mod:`~clientlib.frameworks.btyd` for
P(alive)).  :func:`load` gives a :class:`~clientlib.frameworks.rulebook.RulebookFramework`
(``fit`` / ``transform``, see :mod:`clientlib.frameworks.base`); ``load("kmeans")`` gives the
k-means framework.

Examples
--------
>>> from clientlib import frameworks
>>> frameworks.available()[:3]
['lifecycle', 'ladder', 'value_tiers']
>>> fw = frameworks.load("lifecycle", fan_min_orders=4)
>>> fw.id, fw.params["fan_min_orders"]
('lifecycle', 4)
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clientlib.frameworks.errors import RulebookError

if TYPE_CHECKING:  # pragma: no cover - typing only
    import ibis.expr.types as ir

    from clientlib.frameworks import ladder, lifecycle, value_tiers
    from clientlib.frameworks.base import BASE_COLUMNS, Framework
    from clientlib.frameworks.ladder import conversion
    from clientlib.frameworks.rulebook import MissingColumnsError, Rulebook, RulebookFramework
    from clientlib.frameworks.value_tiers import pareto

#: Names of this package loaded on first use (module ``__getattr__``): naming or checking a
#: framework imports neither pandas nor Ibis; building one imports what it needs.
_LAZY: dict[str, tuple[str, str | None]] = {
    "BASE_COLUMNS": ("clientlib.frameworks.base", "BASE_COLUMNS"),
    "Framework": ("clientlib.frameworks.base", "Framework"),
    "MissingColumnsError": ("clientlib.frameworks.rulebook", "MissingColumnsError"),
    "Rulebook": ("clientlib.frameworks.rulebook", "Rulebook"),
    "RulebookFramework": ("clientlib.frameworks.rulebook", "RulebookFramework"),
    "conversion": ("clientlib.frameworks.ladder", "conversion"),
    "pareto": ("clientlib.frameworks.value_tiers", "pareto"),
    "ladder": ("clientlib.frameworks.ladder", None),
    "lifecycle": ("clientlib.frameworks.lifecycle", None),
    "value_tiers": ("clientlib.frameworks.value_tiers", None),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attribute = _LAZY[name]
        value = importlib.import_module(module)
        value = value if attribute is None else getattr(value, attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

__all__ = [
    "BASE_COLUMNS",
    "PATH_VARIABLE",
    "Framework",
    "MissingColumnsError",
    "Rulebook",
    "RulebookError",
    "RulebookFramework",
    "available",
    "builtin_names",
    "classify",
    "conversion",
    "is_builtin",
    "ladder",
    "lifecycle",
    "load",
    "pareto",
    "rulebook_text",
    "value_tiers",
]


#: Environment variable naming more folders of rulebooks (``os.pathsep``-separated) that the
#: catalog treats as built-ins: a workshop's own frameworks, found the same way as ours.
PATH_VARIABLE = "CLIENTLIB_FRAMEWORKS"


def _builtins() -> dict[str, Rulebook]:
    return _catalog(os.environ.get(PATH_VARIABLE, ""))


@cache
def _files(extra_folders: str) -> dict[str, Any]:
    """Id -> YAML file of every built-in (a built-in's id is its file name), nothing parsed.

    Naming a framework, or building one, needs only this and its own file: parsing every
    rulebook (and importing every hook, the BTYD model's scikit-learn and SciPy among them) is
    left to :func:`available` and :func:`builtin_names`, which need their order.
    """
    files: dict[str, Any] = {}
    folders: list[Any] = [resources.files(__package__)]
    folders += [Path(f) for f in extra_folders.split(os.pathsep) if f]
    for folder in folders:
        if isinstance(folder, Path) and not folder.is_dir():
            raise RulebookError(f"{PATH_VARIABLE}: {folder} is not a folder")
        for entry in sorted(folder.iterdir(), key=lambda p: p.name):
            if not entry.name.endswith(".yaml"):
                continue
            rid = entry.name[: -len(".yaml")]
            if rid in files:
                raise RulebookError(f"{entry.name}: the id '{rid}' is already a framework")
            files[rid] = entry
    return files


@cache
def _rulebook(extra_folders: str, rid: str) -> Rulebook:
    """The built-in rulebook ``rid`` (one of :func:`_files`), parsed once."""
    from clientlib.frameworks.rulebook import Rulebook

    entry = _files(extra_folders)[rid]
    rb = Rulebook.from_yaml(entry.read_text(encoding="utf-8"), origin=entry.name)
    if rb.id != rid:
        raise RulebookError(f"{entry.name}: a built-in's id must be its file name, not {rb.id}")
    return rb


@cache
def _catalog(extra_folders: str) -> dict[str, Rulebook]:
    """Id -> rulebook for every YAML file in this package and the extra folders, in order."""
    books = {rid: _rulebook(extra_folders, rid) for rid in _files(extra_folders)}
    return dict(sorted(books.items(), key=lambda kv: (kv[1].order, kv[0])))


def is_builtin(name: Any) -> bool:
    """Whether ``name`` is the id of a built-in rulebook (without reading any rulebook).

    Examples
    --------
    >>> is_builtin("rfm"), is_builtin("kmeans"), is_builtin("nope")
    (True, False, False)
    """
    return isinstance(name, str) and name in _files(os.environ.get(PATH_VARIABLE, ""))


def available() -> list[str]:
    """The built-in frameworks that ``"all"`` runs, in teaching order.

    Examples
    --------
    >>> "rfm" in available(), "rfm_simple" in available()
    (True, False)
    """
    return [rid for rid, rb in _builtins().items() if rb.in_all]


def builtin_names(ordered: bool = True) -> list[str]:
    """Every built-in rulebook id (the frameworks plus the alternative RFM maps).

    ``ordered=False`` gives them sorted by id without reading any rulebook (the teaching
    order is in the rulebooks).

    Examples
    --------
    >>> builtin_names()[-3:]
    ['rfm_r_docs', 'rfm_simple', 'btyd']
    >>> builtin_names(ordered=False)[:2]
    ['awareness', 'btyd']
    """
    if not ordered:
        return sorted(_files(os.environ.get(PATH_VARIABLE, "")))
    return list(_builtins())


def rulebook_text(name: str) -> str:
    """The YAML text of a built-in rulebook (a starting point for your own).

    Examples
    --------
    >>> rulebook_text("ladder").count("- id:")
    5
    """
    if not is_builtin(name):
        raise RulebookError(f"unknown framework '{name}'; built-in: {', '.join(builtin_names())}")
    return _files(os.environ.get(PATH_VARIABLE, ""))[name].read_text(encoding="utf-8")


def load(
    name: str | Path | Rulebook,
    params: Mapping[str, Any] | str | Path | None = None,
    *,
    lang: str = "en",
    **overrides: Any,
) -> Framework:
    """Build a framework: a built-in by id, a user rulebook from a YAML path, or ``"kmeans"``.

    Parameters
    ----------
    name : str, Path or Rulebook
        One of :func:`builtin_names`, ``"kmeans"``, or a path to a ``.yaml`` rulebook.
    params : dict or path, optional
        Param overrides (a dict, or a YAML file of ``name: value``).
    lang : {'en', 'ru'}
        Language of labels, actions and reasons.
    **overrides
        More param overrides, e.g. ``fan_min_orders=4``.

    Returns
    -------
    Framework
        Unfitted; params are validated now, before any data is read.

    Examples
    --------
    >>> fw = load("lifecycle", params={"purchase_cycle_days": 30})
    >>> fw.params["purchase_cycle_days"], fw.params["fan_min_orders"]
    (30, 3)
    """
    from clientlib.frameworks.rulebook import Rulebook, RulebookFramework
    from clientlib.messages import check_lang

    check_lang(lang)
    if isinstance(params, str | Path):
        from clientlib.frameworks.rulebook import _read_params

        params = _read_params(params, str(name))
    merged = {**(params or {}), **overrides}
    if isinstance(name, str) and name == "kmeans":
        from clientlib.clusters import KMeansFramework

        return KMeansFramework(lang=lang, **merged)
    if isinstance(name, Rulebook):
        rb = name
    elif is_builtin(name):
        rb = _rulebook(os.environ.get(PATH_VARIABLE, ""), str(name))
    elif isinstance(name, Path) or str(name).lower().endswith((".yaml", ".yml")):
        rb = Rulebook.from_yaml(Path(name))
    else:
        raise RulebookError(
            f"unknown framework '{str(name)[:40]}'; built-in: {', '.join(builtin_names())}, "
            "kmeans, or give a path to a .yaml rulebook"
        )
    rb.with_params(merged)  # validate the overrides now
    return RulebookFramework(rb, overrides=merged or None, lang=lang)


def classify(
    facts: ir.Table,
    name: str | Path,
    params: Mapping[str, Any] | str | Path | None = None,
    lang: str = "en",
) -> ir.Table:
    """Fit one framework on ``facts`` and classify them.

    Parameters
    ----------
    facts : ibis.Table
        Customer facts (docs/CONTRACTS.md).
    name : str or Path
        Framework id or rulebook path (see :func:`load`).
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
    return load(name, params, lang=lang).fit_transform(facts)
