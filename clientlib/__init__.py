"""clientlib: customer classification frameworks, RFM and k-means side by side, as reports.

The data flow is source → facts → frameworks → clusters → compare → report:

>>> import clientlib
>>> ds = clientlib.datasets.load("workshop", n_customers=300, seed=1)
>>> tx = clientlib.read_transactions(ds.transactions, ds.mapping)
>>> facts = clientlib.customer_facts(tx)
>>> classes, skipped = clientlib.segment(facts, ["lifecycle"])
>>> sorted(set(classes["framework"]))
['lifecycle']

The names below are loaded on first use (module ``__getattr__``): ``import clientlib`` imports
neither pandas nor Ibis nor scikit-learn, so the command line and a notebook that needs one
function start fast.

``clientlib.segment`` and ``clientlib.compare`` are both the submodule (``from clientlib import
segment; segment.summary(...)`` as the notebooks write it) and its main function:
``clientlib.segment(facts, "all")`` is ``clientlib.segment.segment(facts, "all")``.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

#: Public name -> (module, attribute); attribute None means the module itself.
_LAZY: dict[str, tuple[str, str | None]] = {
    "read_transactions": ("clientlib.io", "read_transactions"),
    "read_events": ("clientlib.io", "read_events"),
    "read_customers": ("clientlib.io", "read_customers"),
    "read_inputs": ("clientlib.io", "read_inputs"),
    "customer_facts": ("clientlib.features", "customer_facts"),
    "rfm_summary": ("clientlib.features", "rfm_summary"),
    "segment": ("clientlib.segment", None),
    "run_study": ("clientlib.pipeline", "run_study"),
    "load_framework": ("clientlib.frameworks", "load"),
    "compare": ("clientlib.compare", None),
    "agreement_matrix": ("clientlib.compare", "agreement_matrix"),
    "CustomerClusters": ("clientlib.clusters", "CustomerClusters"),
    "choose_k": ("clientlib.clusters", "choose_k"),
    "datasets": ("clientlib.datasets", None),
}

__all__ = [
    "CustomerClusters",
    "__version__",
    "agreement_matrix",
    "choose_k",
    "compare",
    "customer_facts",
    "datasets",
    "load_framework",
    "read_customers",
    "read_events",
    "read_inputs",
    "read_transactions",
    "rfm_summary",
    "run_study",
    "segment",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from clientlib import compare, datasets, segment
    from clientlib.clusters import CustomerClusters, choose_k
    from clientlib.compare import agreement_matrix
    from clientlib.features import customer_facts, rfm_summary
    from clientlib.frameworks import load as load_framework
    from clientlib.io import read_customers, read_events, read_inputs, read_transactions
    from clientlib.pipeline import run_study

    __version__: str


#: Submodules that are also called as their function of the same name.
_CALLABLE = frozenset({"segment", "compare"})


class _CallableModule(types.ModuleType):
    """A submodule called as its main function: ``clientlib.segment(...)``."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return getattr(self, self.__name__.rpartition(".")[2])(*args, **kwargs)


class _Package(types.ModuleType):
    """The package module: makes ``segment``/``compare`` callable however they get imported.

    The import system binds every submodule on its package with ``setattr`` once it has run, so
    this hook sees ``import clientlib.segment`` as well as the lazy look-up below.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _CALLABLE and type(value) is types.ModuleType:
            value.__class__ = _CallableModule
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def _version() -> str:
    """The installed distribution's version; pyproject.toml is its only source."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("clientlib")
    except PackageNotFoundError:  # a source tree on sys.path, never installed
        import tomllib
        from pathlib import Path

        pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
        if pyproject.is_file():
            return tomllib.loads(pyproject.read_text("utf-8"))["project"]["version"]
        return "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value: Any = _version()
    elif name in _LAZY:
        module, attr = _LAZY[name]
        mod = importlib.import_module(module)  # binds a submodule here (see _Package)
        value = mod if attr is None else getattr(mod, attr)
    else:
        raise AttributeError(f"module 'clientlib' has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
