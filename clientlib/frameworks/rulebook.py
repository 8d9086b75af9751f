"""Rulebooks: ordered first-match classes read from YAML, and the estimator that runs them.

A rulebook file names its framework (``id``), its params with defaults, optionally the code it
needs (``hook``, see :mod:`clientlib.frameworks.hooks`) and the columns whose variation it
depends on (``signal``), then its classes in order, the last a catch-all.  :class:`Rulebook`
is the validated file; :class:`RulebookFramework` is the estimator of
:mod:`clientlib.frameworks.base` that fits the hook on the facts and compiles the classes to
one Ibis ``case`` expression.

Examples
--------
>>> import ibis
>>> text = '''
... id: demo
... params: {min_orders: 3}
... classes:
...   - {id: fan, label: {en: Fan}, when: "orders >= min_orders"}
...   - {id: other, label: {en: Other}, otherwise: true}
... '''
>>> fw = RulebookFramework(Rulebook.from_yaml(text))
>>> facts = ibis.memtable({"customer_id": ["a", "b"], "orders": [4, 1]})
>>> fw.fit_transform(facts).to_pandas()[["customer_id", "class", "reason"]].values.tolist()
[['a', 'fan', 'orders=4 >= min_orders=3'], ['b', 'other', 'no earlier rule matched']]
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from clientlib import messages, yamlio
from clientlib.errors import NotApplicableError
from clientlib.features import FACT_COLUMNS
from clientlib.frameworks.base import Framework
from clientlib.frameworks.hooks import Hook, resolve
from clientlib.frameworks.language import (
    _ANY,
    _BOOL,
    _DATE,
    _KIND_WORD,
    _NUM,
    _STR,
    Compiler,
    Node,
    RulebookError,
    RuleSyntaxError,
    _kind_of_value,
    check,
    names_in,
    parse,
    short,
)
from clientlib.frameworks.rulebook_file import _ID_RE, RulebookFile, json_schema
from clientlib.schema import SURVEY_COLUMNS

__all__ = [
    "FACT_KINDS",
    "RulebookFile",
    "json_schema",
    "MissingColumnsError",
    "RuleClass",
    "Rulebook",
    "RulebookError",
    "RulebookFramework",
]

#: Kinds of the customer-facts columns fixed in docs/CONTRACTS.md.
FACT_KINDS: dict[str, str] = {
    **{c: _NUM for c in FACT_COLUMNS},
    "customer_id": _STR,
    "analysis_date": _DATE,
    "first_purchase": _DATE,
    "last_purchase": _DATE,
    **{c: _BOOL for c in SURVEY_COLUMNS},
    "persona": _STR,
}

_LANG_RE = re.compile(r"^[a-z]{2}$")
_KEYS = {
    "id",
    "framework",
    "title",
    "source",
    "params",
    "classes",
    "columns",
    "scoring",
    "description",
    "hook",
    "signal",
    "order",
    "in_all",
}


class MissingColumnsError(NotApplicableError):
    """The facts table lacks columns a framework needs.

    Attributes
    ----------
    framework : str
    missing : list of str
        Sorted names of the absent columns.
    """

    def __init__(self, framework: str, missing: list[str]) -> None:
        self.framework = framework
        self.missing = sorted(missing)
        super().__init__(
            f"framework '{framework}' skipped: the data has no column(s) "
            f"{', '.join(self.missing)}; provide them (see docs/CONTRACTS.md) "
            "or choose another framework"
        )


@dataclass
class RuleClass:
    """One class of a rulebook: id, labels, condition and action."""

    id: str
    label: dict[str, str]
    action: dict[str, str]
    when: str | None
    tree: Node | None  # None for the catch-all
    #: Optional words shown as the reason instead of the rule with its values (by language).
    reason: dict[str, str] = field(default_factory=dict)


@dataclass
class Rulebook:
    """A validated rulebook file (see the module docstring); build one with :meth:`from_yaml`.

    ``params`` are the params in effect (the file's defaults with any overrides applied).
    """

    id: str
    classes: list[RuleClass]
    params: dict[str, Any] = field(default_factory=dict)
    title: dict[str, str] = field(default_factory=dict)
    source: str | None = None
    origin: str = "<rulebook>"
    columns: dict[str, str] = field(default_factory=dict)
    scoring: dict[str, Any] | None = None
    hook: Hook = field(default_factory=Hook)
    hook_name: str | None = None
    signal: tuple[str, ...] = ()
    order: int = 1000
    in_all: bool = True
    defaults: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict, repr=False)
    applied: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def framework(self) -> str:
        """The rulebook's id (the name of its ``framework`` column)."""
        return self.id

    # ---- loading

    @classmethod
    def from_yaml(
        cls,
        path_or_text: str | Path,
        params: Mapping[str, Any] | str | Path | None = None,
        *,
        origin: str | None = None,
    ) -> Rulebook:
        """Load a rulebook from a YAML file or YAML text.

        Parameters
        ----------
        path_or_text : str or Path
            A path to a ``.yaml``/``.yml`` file, or the YAML text itself.
        params : dict or path, optional
            Param overrides (a dict, or a YAML file of ``name: value``).
            A ``scoring`` key (RFM) is merged into the ``scoring`` block.
        origin : str, optional
            Name used in error messages (default: the file name).

        Returns
        -------
        Rulebook

        Raises
        ------
        RulebookError
            Malformed structure or unknown param names.
        RuleSyntaxError
            A rejected ``when`` expression (names the rulebook, class, position).

        Examples
        --------
        >>> rb = Rulebook.from_yaml('''
        ... id: demo
        ... classes: [{id: all, label: {en: All}, otherwise: true}]
        ... ''')
        >>> rb.id, [c.id for c in rb.classes]
        ('demo', ['all'])
        """
        text, name = _read_text(path_or_text)
        where = origin or name or "<rulebook>"
        data = yamlio.load(text, origin=where, error=RulebookError)
        if not isinstance(data, dict):
            raise RulebookError(f"{where}: a rulebook is a YAML mapping")
        rid = data.get("id", data.get("framework"))
        origin = origin or name or (f"{rid}.yaml" if isinstance(rid, str) else "<rulebook>")
        return cls.from_dict(data, params=_read_params(params, origin), origin=origin)

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        params: Mapping[str, Any] | None = None,
        origin: str = "<rulebook>",
    ) -> Rulebook:
        """Build a rulebook from an already-loaded mapping (see :meth:`from_yaml`).

        Examples
        --------
        >>> Rulebook.from_dict({"id": "x", "classes": [
        ...     {"id": "a", "label": {"en": "A"}, "otherwise": True}]}).id
        'x'
        """
        data = copy.deepcopy(dict(data))  # never keep references to the caller's objects
        applied = copy.deepcopy(dict(params or {}))
        extra = set(data) - _KEYS
        if extra:
            raise RulebookError(
                f"{origin}: unknown key(s) {sorted(short(k) for k in extra)}; "
                f"allowed: {sorted(_KEYS)}"
            )
        if "id" in data and "framework" in data and data["id"] != data["framework"]:
            raise RulebookError(f"{origin}: give 'id' only ('framework' is its older name)")
        rid = data.get("id", data.get("framework"))
        if not isinstance(rid, str) or not _ID_RE.match(rid):
            raise RulebookError(
                f"{origin}: 'id' (a snake_case name such as my_tiers) is required, "
                f"got {short(repr(rid))}"
            )
        hook_name = data.get("hook")
        if hook_name is None and "id" not in data:
            # Older rulebooks said `framework: rfm` and got the code of that framework.
            hook_name = rid if rid in ("lifecycle", "value_tiers", "rfm") else None
        try:
            hook = resolve(hook_name, origin)
        except RulebookError:
            raise
        except Exception as exc:  # OptionError from resolve
            raise RulebookError(str(exc)) from None
        base = data.get("params") or {}
        if not isinstance(base, dict):
            raise RulebookError(f"{origin}: 'params' must be a mapping")
        overrides = dict(params or {})
        scoring = data.get("scoring")
        if "scoring" in overrides:
            extra_scoring = overrides.pop("scoring")
            if not isinstance(extra_scoring, dict):
                raise RulebookError(f"{origin}: param 'scoring' must be a mapping")
            scoring = {**(scoring or {}), **extra_scoring}
        unknown = set(overrides) - set(base)
        if unknown:
            raise RulebookError(
                f"{origin}: unknown param(s) {', '.join(sorted(short(k) for k in unknown))}; "
                f"known: {', '.join(sorted(base)) or '(none)'}"
            )
        for k, v in overrides.items():
            _check_param(origin, k, v, base[k], hook)
        resolved = {**base, **overrides}
        for k, v in resolved.items():
            if v == "auto" and k not in hook.auto_params:
                raise RulebookError(f"{origin}: param '{k}' cannot be 'auto' in '{rid}'")
        declared = data.get("columns") or {}
        if isinstance(declared, list):
            declared = {c: _ANY for c in declared}
        if not isinstance(declared, dict) or any(
            k not in (_NUM, _STR, _BOOL, _DATE, _ANY) for k in declared.values()
        ):
            raise RulebookError(
                f"{origin}: 'columns' is a list of names or a mapping name: kind "
                f"(num, str, bool, date, any), got {short(repr(declared))}"
            )
        kinds: dict[str, str] = {**FACT_KINDS, **declared, **dict(hook.provides)}
        for k, v in resolved.items():
            kinds[k] = _NUM if k in hook.auto_params else _kind_of_value(v)
        raw_classes = data.get("classes")
        if not isinstance(raw_classes, list) or not raw_classes:
            raise RulebookError(f"{origin}: 'classes' must be a non-empty list")
        signal = data.get("signal") or []
        if not isinstance(signal, list) or any(s not in kinds for s in signal):
            raise RulebookError(
                f"{origin}: 'signal' lists fact columns whose variation the rules need, "
                f"got {short(repr(signal))}"
            )
        classes: list[RuleClass] = []
        seen: set[str] = set()
        for n, rc in enumerate(raw_classes):
            classes.append(_load_class(rc, n, origin, kinds, seen, last=n == len(raw_classes) - 1))
        _check_unique_labels(origin, classes)
        title = data.get("title") or {}
        if isinstance(title, str):
            title = {"en": title}
        if scoring is not None and hook_name == "rfm":
            from clientlib.frameworks.rfm import scoring_spec

            scoring = scoring_spec(scoring)  # fail at load time, not when classifying
        return cls(
            id=rid,
            classes=classes,
            params=resolved,
            title=dict(title),
            source=data.get("source"),
            origin=origin,
            columns=dict(declared),
            scoring=scoring,
            hook=hook,
            hook_name=hook_name,
            signal=tuple(signal),
            order=_int(data.get("order", 1000), origin, "order"),
            in_all=bool(data.get("in_all", True)),
            defaults=dict(base),
            data=dict(data),
            applied=applied,
        )

    def with_params(self, overrides: Mapping[str, Any] | None) -> Rulebook:
        """The same rulebook with other param values (validated like the file's own)."""
        if not overrides:
            return self
        merged = {**self.applied, **dict(overrides)}
        if isinstance(self.applied.get("scoring"), dict) and isinstance(
            overrides.get("scoring"), dict
        ):
            merged["scoring"] = {**self.applied["scoring"], **overrides["scoring"]}
        return Rulebook.from_dict(self.data, params=merged, origin=self.origin)

    # ---- introspection

    @property
    def required_columns(self) -> set[str]:
        """Input columns the rulebook needs in the facts table."""
        names: set[str] = {"customer_id"} | set(self.hook.requires)
        for c in self.classes:
            if c.tree is not None:
                names |= names_in(c.tree)
        return names - set(self.params) - set(self.hook.provides)

    def missing_columns(self, facts: ir.Table) -> list[str]:
        """Required columns absent from ``facts`` (sorted).

        Examples
        --------
        >>> import ibis
        >>> from clientlib import frameworks
        >>> frameworks.load("ladder").missing_columns(ibis.memtable({"customer_id": ["a"]}))
        ['orders', 'referrals', 'touchpoints']
        """
        return sorted(self.required_columns - set(facts.columns))

    def describe(self, lang: str = "en") -> list[dict[str, str]]:
        """The classes as plain rows (id, label, rule, action), for docs and notebooks.

        Examples
        --------
        >>> from clientlib import frameworks
        >>> frameworks.load("ladder").describe()[0]["id"]
        'advocate'
        """
        return [
            {
                "id": c.id,
                "label": _lang(c.label, lang),
                "rule": c.when if c.when is not None else "otherwise",
                "action": _lang(c.action, lang),
            }
            for c in self.classes
        ]

    def classify(self, facts: ir.Table, lang: str = "en") -> ir.Table:
        """Fit and classify in one step (kept for scripts written before the estimators).

        Examples
        --------
        >>> import ibis
        >>> rb = Rulebook.from_yaml('''
        ... id: demo
        ... classes:
        ...   - {id: big, label: {en: Big, ru: Крупный}, when: "total_spend > 100"}
        ...   - {id: small, label: {en: Small, ru: Мелкий}, otherwise: true}
        ... ''')
        >>> t = ibis.memtable({"customer_id": ["a"], "total_spend": [150.0]})
        >>> rb.classify(t, lang="ru").to_pandas().loc[0, "label"]
        'Крупный'
        """
        return RulebookFramework(self, lang=lang).fit_transform(facts)


def _int(value: Any, origin: str, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RulebookError(f"{origin}: '{key}' must be a whole number, not {short(repr(value))}")
    return value


def _check_param(origin: str, name: str, value: Any, default: Any, hook: Hook) -> None:
    """An override has the kind of its default (numbers finite, > 0 where the default is)."""
    import math

    if value == "auto":
        if name in hook.auto_params:
            return
        raise RulebookError(f"{origin}: param '{name}' cannot be 'auto' here; give a value")
    if isinstance(value, list | dict | tuple | set):
        raise RulebookError(f"{origin}: param '{name}' takes one value, not {short(repr(value))}")
    if isinstance(default, bool) or default is None:
        return
    number_default = isinstance(default, int | float) or name in hook.auto_params
    if number_default:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RulebookError(
                f"{origin}: param '{name}' must be a number, not {short(repr(value))}"
            )
        if not math.isfinite(float(value)):
            raise RulebookError(f"{origin}: param '{name}' must be finite, not {value!r}")
        if isinstance(default, int | float) and default > 0 and value <= 0:
            raise RulebookError(f"{origin}: param '{name}' must be > 0, not {value!r}")
        if name in hook.auto_params and value <= 0:
            raise RulebookError(f"{origin}: param '{name}' must be > 0 (or auto), not {value!r}")


def _check_unique_labels(origin: str, classes: list[RuleClass]) -> None:
    for lang in messages.LANGS:
        seen: dict[str, str] = {}
        for c in classes:
            label = c.label.get(lang)
            if not label:
                continue
            key = label.strip().casefold()
            if key in seen:
                raise RulebookError(
                    f"{origin}: classes '{seen[key]}' and '{c.id}' have the same {lang} label "
                    f"{short(repr(label))}; give each class its own label"
                )
            seen[key] = c.id


class RulebookFramework(Framework):
    """A rulebook as an estimator: ``fit`` runs the hook's learning, ``transform`` classifies.

    Parameters
    ----------
    rulebook : Rulebook
        The validated file (from :func:`clientlib.frameworks.load` or :meth:`Rulebook.from_yaml`).
    overrides : dict, optional
        Param values replacing the rulebook's defaults (``{"fan_min_orders": 4}``).
    lang : {'en', 'ru'}
        Language of ``label``, ``action`` and the catch-all reason.

    Attributes
    ----------
    params_ : dict
        The params used, ``auto`` ones estimated (e.g. ``purchase_cycle_days``), plus what the
        hook learned (RFM ``cut_points``).
    rulebook_ : Rulebook
        The rulebook with the overrides applied.
    """

    def __init__(
        self, rulebook: Rulebook, overrides: Mapping[str, Any] | None = None, lang: str = "en"
    ) -> None:
        self.rulebook = rulebook
        self.overrides = overrides
        self.lang = lang

    # ---- what it is

    @property
    def id(self) -> str:  # type: ignore[override]
        """The rulebook's id."""
        return self.rulebook.id

    @property
    def output_columns(self) -> tuple[str, ...]:  # type: ignore[override]
        """Columns the hook adds to the output (RFM scores, tier flags, P(alive))."""
        return tuple(self.rulebook.hook.outputs)

    def spec(self) -> Rulebook:
        """The rulebook with :attr:`overrides` applied."""
        return self.rulebook.with_params(self.overrides)

    @property
    def params(self) -> dict[str, Any]:
        """The params in effect before fitting (defaults with overrides)."""
        return self.spec().params

    @property
    def classes(self) -> list[RuleClass]:
        """The classes in order (the last one is the catch-all)."""
        return self.rulebook.classes

    @property
    def framework(self) -> str:
        """The id (the value of the output's ``framework`` column)."""
        return self.id

    @property
    def scoring(self) -> dict[str, Any] | None:
        """The RFM scoring block in effect (``None`` for other rulebooks)."""
        return self.spec().scoring

    @property
    def resolved_params_(self) -> dict[str, Any]:
        """Older name of :attr:`params_`."""
        self.check_fitted()
        return self.params_

    def title(self, lang: str = "en") -> str:
        """The rulebook's title in ``lang`` (its id when it has none)."""
        return _lang(self.rulebook.title, lang) or self.id

    def describe(self, lang: str = "en") -> list[dict[str, str]]:
        """The classes as rows ``{id, label, rule, action}`` in ``lang``."""
        return self.rulebook.describe(lang)

    @property
    def required_columns(self) -> set[str]:
        """Input columns the rulebook needs in the facts table."""
        return self.spec().required_columns

    def missing_columns(self, facts: ir.Table) -> list[str]:
        """Required columns absent from ``facts`` (sorted)."""
        return self.rulebook.missing_columns(facts)

    def input_columns(self) -> frozenset[str]:
        """The required columns, the signal columns and the hook's optional ones.

        Examples
        --------
        >>> from clientlib import frameworks
        >>> sorted(frameworks.load("rfm").input_columns())
        ['customer_id', 'orders', 'recency_days', 'total_spend']
        """
        spec = self.spec()
        return frozenset(spec.required_columns | set(spec.signal) | set(spec.hook.optional))

    def not_applicable(self, facts: ir.Table) -> str | None:
        """Absent columns, or signal columns that hold one value (or none) for everybody.

        Examples
        --------
        >>> import ibis
        >>> from clientlib import frameworks
        >>> f = ibis.memtable({"customer_id": ["a", "b"], "orders": [1, 2],
        ...     "free_share": [0.0, 0.0], "discount_share": [0.0, 0.0],
        ...     "premium_share": [0.0, 0.0]})
        >>> print(frameworks.load("buyer_types").not_applicable(f))
        buyer_types: discount_share, free_share, premium_share hold one value for every customer
        """
        from clientlib.frameworks.skipped import Skipped

        spec = self.spec()
        missing = spec.missing_columns(facts)
        if missing:  # the fields go with the sentence: readers say it in their language
            return Skipped.missing_columns(spec.id, missing, spec.title)
        if spec.signal:
            present = [c for c in spec.signal if c in facts.columns]
            row = (
                facts.aggregate(
                    **{f"v{i}": facts[c].nunique() for i, c in enumerate(present)}
                )
                .to_pyarrow()
                .to_pylist()[0]
            )
            if present and all((row[f"v{i}"] or 0) <= 1 for i in range(len(present))):
                return Skipped.one_value(spec.id, present, spec.title)
        if spec.hook.not_applicable is not None:
            # the hook says why in the framework's language
            return spec.hook.not_applicable(facts, {**self._hook_params(spec), "lang": self.lang})
        return None

    # ---- estimator

    @staticmethod
    def _hook_params(spec: Rulebook) -> dict[str, Any]:
        params = dict(spec.params)
        if spec.scoring is not None:
            params["scoring"] = spec.scoring
        return params

    def fit(self, facts: ir.Table, y: Any = None) -> RulebookFramework:
        """Learn what the hook needs (``auto`` params, cut points) from ``facts``."""
        spec = self.spec()
        missing = spec.missing_columns(facts)
        if missing:
            raise MissingColumnsError(spec.id, missing)
        params = self._hook_params(spec)
        if spec.hook.fit is not None:
            params.update(spec.hook.fit(facts, params))
        self.rulebook_ = spec
        self.params_ = params
        return self

    def transform(self, facts: ir.Table) -> ir.Table:
        """One row per customer of ``facts``: the class, its label, reason and action."""
        self.check_fitted()
        spec = self.rulebook_
        missing = spec.missing_columns(facts)
        if missing:
            raise MissingColumnsError(spec.id, missing)
        params = self.params_
        table = facts if spec.hook.prepare is None else spec.hook.prepare(facts, params)
        comp = Compiler(table, params)
        rules = [c for c in spec.classes if c.tree is not None]
        catch_all = spec.classes[-1]
        conds = [comp.cond(c.tree) for c in rules]  # type: ignore[arg-type]
        if rules:
            cls_expr = ibis.cases(
                *[(cond, c.id) for cond, c in zip(conds, rules, strict=True)], else_=catch_all.id
            )
        else:
            cls_expr = ibis.literal(catch_all.id)
        staged = table.mutate(_clientlib_class=cls_expr)
        cls_col = staged["_clientlib_class"]
        comp = Compiler(staged, params)
        lang = self.lang

        def pick(mapping: dict[str, str]) -> ir.StringValue:
            pairs = [(cls_col == c.id, ibis.literal(mapping[c.id])) for c in spec.classes]
            return ibis.cases(*pairs, else_=ibis.null("string"))

        labels = {c.id: _lang(c.label, lang) for c in spec.classes}
        actions = {c.id: _lang(c.action, lang) for c in spec.classes}
        catch_reason = messages.text(
            "frameworks.no_earlier_rule" if rules else "frameworks.single_class", lang
        )
        if catch_all.reason:
            catch_reason = _lang(catch_all.reason, lang)

        def why(c: RuleClass) -> ir.StringValue:
            # a class with its own words ('reason:') says them; the others show the rule's values
            if c.reason:
                return ibis.literal(_lang(c.reason, lang))
            return comp.reason(c.tree)  # type: ignore[arg-type]

        if rules:
            reason = ibis.cases(
                *[(cls_col == c.id, why(c)) for c in rules],
                else_=ibis.literal(catch_reason),
            )
        else:
            reason = ibis.literal(catch_reason)
        out = {
            "customer_id": staged["customer_id"],
            "framework": ibis.literal(spec.id),
            "class": cls_col,
            "label": pick(labels),
            "reason": reason,
            "action": pick(actions),
        }
        for col in spec.hook.outputs:
            if col in staged.columns:
                out[col] = staged[col]
        # A stable order, so that the same facts give the same rows on every engine.
        return staged.select(**out).order_by("customer_id")

    # ---- older names

    def prepare(self, facts: ir.Table) -> tuple[ir.Table, dict[str, Any]]:
        """Fit, then return the facts with the hook's columns and the params used."""
        self.fit(facts)
        spec = self.rulebook_
        table = facts if spec.hook.prepare is None else spec.hook.prepare(facts, self.params_)
        return table, dict(self.params_)

    def classify(self, facts: ir.Table, lang: str | None = None) -> ir.Table:
        """``fit_transform`` (kept for scripts written before the estimators)."""
        if lang is not None and lang != self.lang:
            self.set_params(lang=lang)
        return self.fit_transform(facts)


def _lang(d: Mapping[str, str], lang: str) -> str:
    return d.get(lang) or d.get("en") or ""


def _load_class(
    rc: Any, k: int, origin: str, kinds: Mapping[str, str], seen: set[str], last: bool
) -> RuleClass:
    if not isinstance(rc, dict):
        raise RulebookError(f"{origin}: class #{k + 1} must be a mapping")
    cid = rc.get("id")
    if not isinstance(cid, str) or not _ID_RE.match(cid):
        raise RulebookError(
            f"{origin}: class #{k + 1} needs a snake_case 'id', got {short(repr(cid))}"
        )
    if cid in seen:
        raise RulebookError(f"{origin}: class id '{cid}' is used twice")
    seen.add(cid)
    extra = set(rc) - {"id", "label", "when", "otherwise", "action", "note", "reason"}
    if extra:
        raise RulebookError(
            f"{origin}, class '{cid}': unknown key(s) {sorted(short(x) for x in extra)}"
        )
    label = rc.get("label")
    if isinstance(label, str):
        label = {"en": label}
    if not isinstance(label, dict) or "en" not in label:
        raise RulebookError(f"{origin}, class '{cid}': 'label' needs at least 'en'")
    action = rc.get("action") or {}
    if isinstance(action, str):
        action = {"en": action}
    reason = rc.get("reason") or {}
    if isinstance(reason, str):
        reason = {"en": reason}
    if not isinstance(reason, dict):
        raise RulebookError(
            f"{origin}, class '{cid}': 'reason' maps language codes (en, ru) to text"
        )
    for what, texts in (("label", label), ("action", action), ("reason", reason)):
        # catches an unquoted comma in a YAML flow mapping, which splits the text into keys
        bad = [k for k, v in texts.items() if not (_LANG_RE.match(str(k)) and isinstance(v, str))]
        if bad:
            raise RulebookError(
                f"{origin}, class '{cid}': '{what}' maps language codes (en, ru) to text; "
                f"bad key(s) {[short(b) for b in bad]} (quote texts that contain a comma)"
            )
    otherwise = rc.get("otherwise", False)
    when = rc.get("when")
    if otherwise is True:
        if when is not None:
            raise RulebookError(
                f"{origin}, class '{cid}': use either 'when' or 'otherwise', not both"
            )
        if not last:
            raise RulebookError(
                f"{origin}, class '{cid}': the 'otherwise' class must be the last one"
            )
        return RuleClass(cid, dict(label), dict(action), None, None, dict(reason))
    if last:
        raise RulebookError(
            f"{origin}: the last class ('{cid}') must be a catch-all with 'otherwise: true', "
            "so that every customer gets a class"
        )
    if when is None:
        raise RulebookError(f"{origin}, class '{cid}': needs 'when' (or 'otherwise: true' if last)")
    try:
        tree = parse(when)
        kind = check(tree, kinds)
    except RuleSyntaxError as exc:
        raise exc.located(origin, cid) from None
    if kind not in (_BOOL, _ANY):
        raise RuleSyntaxError(
            f"'when' must be a condition (true/false), got {_KIND_WORD[kind]}", 1, origin, cid
        )
    return RuleClass(cid, dict(label), dict(action), when, tree, dict(reason))


def _read_text(path_or_text: str | Path) -> tuple[str, str | None]:
    if isinstance(path_or_text, Path) or (
        "\n" not in str(path_or_text) and str(path_or_text).lower().endswith((".yaml", ".yml"))
    ):
        p = Path(path_or_text)
        if not p.is_file():
            raise RulebookError(f"rulebook file not found: {short(str(p), 200)}")
        try:
            size = p.stat().st_size
            if size > yamlio.MAX_BYTES:
                raise RulebookError(f"{p.name}: {size:,} bytes is more than a rulebook can be")
            return p.read_bytes().decode("utf-8"), p.name
        except UnicodeDecodeError:
            raise RulebookError(f"{p.name}: not UTF-8 text; save the rulebook as UTF-8") from None
        except OSError as exc:
            raise RulebookError(f"cannot read rulebook {p}: {exc.strerror}") from None
    return str(path_or_text), None


def _read_params(params: Mapping[str, Any] | str | Path | None, origin: str) -> dict[str, Any]:
    if params is None:
        return {}
    if isinstance(params, str | Path):
        p = Path(params)
        if not p.is_file():
            raise RulebookError(f"{origin}: params file not found: {p}")
        loaded = yamlio.load(p.read_bytes(), origin=p.name, error=RulebookError) or {}
        if not isinstance(loaded, dict):
            raise RulebookError(f"{origin}: params file {p} must be a mapping of name: value")
        return loaded
    return dict(params)
