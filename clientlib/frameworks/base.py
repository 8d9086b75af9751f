"""The protocol every framework follows: a scikit-learn-style estimator over customer facts.

A framework — each YAML rulebook, RFM, k-means, the BTYD model — has an ``id``, learns what it
needs from the data in :meth:`Framework.fit` (stored in ``params_``), and classifies in
:meth:`Framework.transform`, which returns an Ibis table with :data:`BASE_COLUMNS` (plus the
framework's own columns), one row per customer.  :meth:`Framework.not_applicable` says, before
fitting, why the framework cannot run on these facts (absent columns, no signal), or ``None``.

Constructor parameters are stored untouched (scikit-learn's rule), so ``get_params``,
``set_params`` and :func:`sklearn.base.clone` work; learned values end in ``_``.  The protocol is
implemented here rather than inherited from ``sklearn.base.BaseEstimator``: importing scikit-learn
costs about a second (it loads SciPy), which every rulebook run would pay for nothing;
scikit-learn is imported only to raise its :class:`~sklearn.exceptions.NotFittedError`.

Examples
--------
>>> import ibis
>>> class Big(Framework):
...     id = "big"
...     def __init__(self, threshold=100.0, lang="en"):
...         self.threshold = threshold
...         self.lang = lang
...     def fit(self, facts, y=None):
...         self.params_ = {"threshold": float(self.threshold)}
...         return self
...     def transform(self, facts):
...         self.check_fitted()
...         big = facts.total_spend > self.params_["threshold"]
...         return facts.select(customer_id=facts.customer_id, framework=ibis.literal(self.id),
...             **{"class": big.ifelse("big", "small")}, label=big.ifelse("Big", "Small"),
...             reason=ibis.literal("demo"), action=ibis.literal(""))
>>> t = ibis.memtable({"customer_id": ["a", "b"], "total_spend": [150.0, 5.0]})
>>> Big(threshold=10).fit_transform(t).to_pandas()["class"].tolist()
['big', 'small']
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:  # pragma: no cover - typing only
    import ibis.expr.types as ir
    from sklearn.exceptions import NotFittedError

__all__ = ["BASE_COLUMNS", "Framework", "NotFittedError"]

#: Columns every framework's ``transform`` returns first, in this order.
BASE_COLUMNS: tuple[str, ...] = ("customer_id", "framework", "class", "label", "reason", "action")


def __getattr__(name: str) -> Any:
    # ``NotFittedError`` is scikit-learn's, imported when first asked for (see the docstring).
    if name == "NotFittedError":
        from sklearn.exceptions import NotFittedError

        return NotFittedError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Framework:
    """Base class of every framework (see the module docstring for the protocol).

    Subclasses set the class attribute ``id`` (or an ``id`` property for frameworks built from
    a file), implement :meth:`fit` and :meth:`transform`, and may override
    :meth:`not_applicable`, :meth:`describe` and :attr:`title`.
    """

    id: ClassVar[str] = ""
    #: Columns ``transform`` adds after :data:`BASE_COLUMNS` (e.g. RFM scores).
    output_columns: ClassVar[tuple[str, ...]] = ()

    if TYPE_CHECKING:  # pragma: no cover - typing only
        # Frameworks carry their own attributes (params_, kchoice_, rulebook...), which callers
        # reach through this base type, as they did when it derived from scikit-learn's
        # (untyped) BaseEstimator.
        def __getattr__(self, name: str) -> Any: ...

    def fit(self, facts: ir.Table, y: Any = None) -> Framework:  # pragma: no cover - abstract
        """Learn ``params_`` from the facts; return ``self``."""
        raise NotImplementedError

    def transform(self, facts: ir.Table) -> ir.Table:  # pragma: no cover - abstract
        """One row per customer: :data:`BASE_COLUMNS` plus :attr:`output_columns`."""
        raise NotImplementedError

    def fit_transform(self, facts: ir.Table, y: Any = None, **fit_params: Any) -> ir.Table:
        """``fit(facts).transform(facts)``."""
        return self.fit(facts, y, **fit_params).transform(facts)

    def not_applicable(self, facts: ir.Table) -> str | None:
        """Why this framework cannot run on ``facts`` (in English), or ``None`` when it can."""
        return None

    def describe(self, lang: str = "en") -> list[dict[str, str]]:
        """The classes as rows ``{id, label, rule, action}`` in ``lang``."""
        return []

    def input_columns(self) -> frozenset[str] | None:
        """Every fact column ``not_applicable``, ``fit`` and ``transform`` may read, or ``None``
        (the default) when the framework does not say: then it is given all the facts.

        A caller that knows the frameworks it runs computes only these facts
        (:func:`clientlib.segment.needed_columns`).
        """
        return None

    def title(self, lang: str = "en") -> str:
        """The framework's name for people."""
        return self.id

    def check_fitted(self) -> None:
        """Raise :class:`sklearn.exceptions.NotFittedError` unless :meth:`fit` has run."""
        if not self.__sklearn_is_fitted__():
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "params_")

    # -- scikit-learn's estimator protocol (as ``sklearn.base.BaseEstimator`` defines it) --------

    @classmethod
    def _get_param_names(cls) -> list[str]:
        """The constructor's parameter names, sorted (scikit-learn's rule: no ``*args``)."""
        init = cls.__init__
        if init is object.__init__:
            return []
        params = [
            p
            for p in inspect.signature(init).parameters.values()
            if p.name != "self" and p.kind != p.VAR_KEYWORD
        ]
        if any(p.kind == p.VAR_POSITIONAL for p in params):
            raise RuntimeError(f"{cls.__name__}.__init__ must name its parameters (no *args)")
        return sorted(p.name for p in params)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor parameters by name (``deep``: with those of nested estimators).

        Examples
        --------
        >>> from clientlib import frameworks
        >>> sorted(frameworks.load("ladder").get_params())
        ['lang', 'overrides', 'rulebook']
        """
        out: dict[str, Any] = {}
        for key in self._get_param_names():
            value = getattr(self, key)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{key}__{k}", v) for k, v in value.get_params().items())
            out[key] = value
        return out

    def set_params(self, **params: Any) -> Framework:
        """Set constructor parameters (``name__sub`` for a nested estimator's); return ``self``.

        Examples
        --------
        >>> from clientlib import frameworks
        >>> frameworks.load("ladder").set_params(lang="ru").lang
        'ru'
        """
        if not params:
            return self
        valid = self.get_params(deep=True)
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            key, delim, sub_key = key.partition("__")
            if key not in valid:
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator {self}. "
                    f"Valid parameters are: {self._get_param_names()!r}."
                )
            if delim:
                nested.setdefault(key, {})[sub_key] = value
            else:
                setattr(self, key, value)
                valid[key] = value
        for key, sub_params in nested.items():
            valid[key].set_params(**sub_params)
        return self

    def __repr__(self) -> str:
        # As scikit-learn prints estimators: the parameters that differ from the defaults.
        defaults = {
            name: p.default for name, p in inspect.signature(type(self).__init__).parameters.items()
        }
        shown = []
        for name, value in self.get_params(deep=False).items():
            default = defaults.get(name, inspect.Parameter.empty)
            try:
                same = default is not inspect.Parameter.empty and bool(value == default)
            except Exception:  # noqa: BLE001 - values without a plain equality are shown
                same = False
            if not same:
                text = repr(value)
                shown.append(f"{name}={text if len(text) <= 80 else text[:77] + '...'}")
        return f"{type(self).__name__}({', '.join(shown)})"
