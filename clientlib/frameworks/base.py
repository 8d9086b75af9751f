"""The protocol every framework follows: a scikit-learn-style estimator over customer facts.

A framework — each YAML rulebook, RFM, k-means, the BTYD model — has an ``id``, learns what it
needs from the data in :meth:`Framework.fit` (stored in ``params_``), and classifies in
:meth:`Framework.transform`, which returns an Ibis table with :data:`BASE_COLUMNS` (plus the
framework's own columns), one row per customer.  :meth:`Framework.not_applicable` says, before
fitting, why the framework cannot run on these facts (absent columns, no signal), or ``None``.

Constructor parameters are stored untouched (scikit-learn's rule), so ``get_params``,
``set_params`` and :func:`sklearn.base.clone` work; learned values end in ``_``.

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

from typing import Any, ClassVar

import ibis.expr.types as ir
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

__all__ = ["BASE_COLUMNS", "Framework", "NotFittedError"]

#: Columns every framework's ``transform`` returns first, in this order.
BASE_COLUMNS: tuple[str, ...] = ("customer_id", "framework", "class", "label", "reason", "action")


class Framework(TransformerMixin, BaseEstimator):
    """Base class of every framework (see the module docstring for the protocol).

    Subclasses set the class attribute ``id`` (or an ``id`` property for frameworks built from
    a file), implement :meth:`fit` and :meth:`transform`, and may override
    :meth:`not_applicable`, :meth:`describe` and :attr:`title`.
    """

    id: ClassVar[str] = ""
    #: Columns ``transform`` adds after :data:`BASE_COLUMNS` (e.g. RFM scores).
    output_columns: ClassVar[tuple[str, ...]] = ()

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

    def title(self, lang: str = "en") -> str:
        """The framework's name for people."""
        return self.id

    def check_fitted(self) -> None:
        """Raise :class:`sklearn.exceptions.NotFittedError` unless :meth:`fit` has run."""
        check_is_fitted(self, "params_")

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "params_")
