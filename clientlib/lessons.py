"""What the teaching lessons share at run time: their data, their set-up, their live controls.

A lesson (``notebooks/en|ru/NN_*.ipynb``) starts with a ``parameters`` cell (``lang``, ``data``,
``mapping``, ``analysis_date``, the reader options, ``seed`` and ``n_customers``) and calls
:func:`load_inputs` with them: without ``data`` it gets the seeded workshop shop, with ``data``
it reads the learner's own export through :func:`clientlib.io.read_inputs`. Printed lines come from
the message catalog (``clientlib/messages/lessons.yaml``) in the lesson's language: :func:`say`.

The widget helpers (:func:`explore`) wrap a plain function (``lifecycle_shares``,
``ladder_shares``, ``rfm_shares``) that is tested on its own; the notebook shows the function's
result for the defaults (so it runs headless) and a slider that redraws it in a live kernel.

Examples
--------
>>> inputs = load_inputs(n_customers=50)
>>> inputs.source, inputs.customers.quality.rows_used
('workshop', 50)
>>> say("lessons.loaded", "ru", customers=messages.number(200, "ru"), date="2025-01-01")
200 клиентов, дата анализа 2025-01-01
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from clientlib import messages
from clientlib.errors import OptionError
from clientlib.options import InputOptions

__all__ = [
    "explore",
    "ladder_shares",
    "lifecycle_shares",
    "load_facts_example",
    "load_inputs",
    "rfm_shares",
    "say",
    "setup_notebook",
    "share_table",
]


def _mapping(mapping: Mapping[str, str] | str | None) -> Mapping[str, str] | str | None:
    """A mapping given on the papermill command line as JSON / YAML text becomes a dict."""
    if isinstance(mapping, str) and mapping.strip().startswith("{"):
        from clientlib import yamlio

        value = yamlio.load(mapping, origin="mapping", error=OptionError)
        if not isinstance(value, Mapping):
            raise OptionError("mapping: write it as {role: column, ...}")
        return {str(k): str(v) for k, v in value.items()}
    return mapping


def _files(data: Any) -> dict[str, Any]:
    """``data`` as ``{transactions, events, customers}``: one path, or a mapping of them."""
    if isinstance(data, str) and data.strip().startswith("{"):
        from clientlib import yamlio

        data = yamlio.load(data, origin="data", error=OptionError)
    if isinstance(data, Mapping):
        unknown = sorted(set(data) - {"transactions", "events", "customers"})
        if unknown or "transactions" not in data:
            raise OptionError(
                "data: give a path, or {transactions: PATH, events: PATH, customers: PATH}"
                + (f" (unknown keys: {', '.join(map(str, unknown))})" if unknown else "")
            )
        return dict(data)
    return {"transactions": data}


def load_inputs(
    data: Any = None,
    mapping: Mapping[str, str] | str | None = None,
    analysis_date: Any = None,
    *,
    seed: int = 0,
    n_customers: int = 2000,
    **input_options: Any,
):
    """The tables of a lesson: the workshop shop, or the learner's own files.

    Parameters
    ----------
    data : path, mapping or None
        ``None``: the seeded workshop shop (``seed``, ``n_customers``). A path: the transactions
        file. A mapping (or its JSON / YAML text) ``{transactions: ..., events: ...,
        customers: ...}``: several files.
    mapping : dict or str, optional
        ``{role: column}`` (or its JSON text, or ``role=column,...``) for the learner's columns.
    analysis_date : date-like, optional
        The cut-off; default: the day after the last transaction.
    seed, n_customers : int
        The workshop shop's seed and size (used only without ``data``).
    **input_options
        Reader options (:class:`clientlib.options.InputOptions`: ``returns``, ``duplicates``,
        ``zero_amount``, ``sep``, ``encoding``, ``date_format``, ``dayfirst``, ``decimal``);
        ``None`` means the reader's default.

    Returns
    -------
    clientlib.io.Inputs
        ``transactions``, ``events`` and ``customers`` (the last two may be ``None``).

    Raises
    ------
    OptionError
        An unknown or invalid option (the message names it).

    Examples
    --------
    >>> load_inputs(n_customers=30, duplicates="sometimes")
    Traceback (most recent call last):
    ...
    clientlib.errors.OptionError: duplicates: must be one of keep, drop, error (got 'sometimes')
    """
    from clientlib.io import read_inputs

    given = {k: v for k, v in input_options.items() if v is not None}
    opts = InputOptions.parse({**given, "analysis_date": analysis_date})
    accepted = inspect.signature(read_inputs).parameters
    kwargs: dict[str, Any] = {}
    for name in InputOptions.model_fields:
        value = getattr(opts, name)
        if name in accepted:
            kwargs[name] = value
        elif name in given and value != InputOptions.model_fields[name].default:
            # an option this version's reader does not take yet: refuse rather than ignore it
            raise OptionError(f"{name}: this version of clientlib.io.read_inputs does not take it")
    if data is None:
        return read_inputs(
            dataset="workshop",
            mapping=_mapping(mapping),
            dataset_options={"seed": seed, "n_customers": n_customers},
            **kwargs,
        )
    files = _files(data)
    return read_inputs(
        files["transactions"],
        events=files.get("events"),
        customers=files.get("customers"),
        mapping=_mapping(mapping),
        **kwargs,
    )


def say(key: str, lang: str = "en", /, **fields: Any) -> None:
    """Print one message of the catalog in the lesson's language.

    Examples
    --------
    >>> say("lessons.not_applicable", "en", framework="value tiers", why="no amounts")
    value tiers does not apply to these data: no amounts
    """
    print(messages.text(key, messages.check_lang(lang), **fields))


def setup_notebook() -> None:
    """Make a lesson's outputs reproducible and free of noise.

    Silences a known third-party deprecation warning (pandas' ``future.infer_string`` option,
    touched by Ibis), and fixes figure defaults (PNG, fixed DPI, no hash salt) so re-running a
    lesson gives the same outputs.

    Examples
    --------
    >>> setup_notebook()
    """
    import matplotlib

    warnings.filterwarnings("ignore", message=".*future.infer_string.*")
    matplotlib.rcParams["svg.hashsalt"] = "clientlib"
    matplotlib.rcParams["figure.dpi"] = 80
    matplotlib.rcParams["savefig.dpi"] = 80
    pd.set_option("display.width", 120)
    pd.set_option("display.max_columns", 20)
    pd.set_option("display.max_colwidth", 100)
    try:  # inside IPython: PNG figures only (nbval skips comparing images)
        from IPython import get_ipython

        ip = get_ipython()
        if ip is not None:
            ip.run_line_magic("config", "InlineBackend.figure_formats = ['png']")
    except ImportError:  # pragma: no cover - IPython is optional
        pass


# ---------------------------------------------------------------------------------------------
# trying rules live: the functions behind the widgets


def share_table(classified: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Customers and share per class of a framework's output, largest first, headed in ``lang``.

    Examples
    --------
    >>> out = pd.DataFrame({"class": ["a", "b", "a"], "label": ["A", "B", "A"]})
    >>> share_table(out, "ru")  # doctest: +NORMALIZE_WHITESPACE
           клиентов  доля
    класс
    A             2  0.67
    B             1  0.33
    """
    lang = messages.check_lang(lang)
    counts = classified.groupby(["class", "label"], sort=True).size()
    counts = counts.sort_values(ascending=False, kind="stable").droplevel("class")
    table = pd.DataFrame(
        {
            messages.text("lessons.col_customers", lang): counts.astype(int),
            messages.text("lessons.col_share", lang): (counts / counts.sum()).round(2),
        }
    )
    table.index.name = messages.text("lessons.col_class", lang)
    return table


def _shares(facts: Any, framework: str, params: Mapping[str, Any], lang: str) -> pd.DataFrame:
    from clientlib import frameworks

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = frameworks.classify(facts, framework, params=dict(params), lang=lang).to_pandas()
    return share_table(out, lang)


def lifecycle_shares(facts: Any, purchase_cycle_days: int = 90, fan_min_orders: int = 3,
                     lang: str = "en") -> pd.DataFrame:  # fmt: skip
    """Lifecycle class shares for a purchase cycle and a fan threshold (the lesson 02 widget).

    Examples
    --------
    >>> facts = load_facts_example()
    >>> lifecycle_shares(facts, 30).index.name, lifecycle_shares(facts, 30, lang="ru").index.name
    ('class', 'класс')
    """
    params = {
        "purchase_cycle_days": int(purchase_cycle_days),
        "fan_min_orders": int(fan_min_orders),
    }
    return _shares(facts, "lifecycle", params, lang)


def ladder_shares(facts: Any, regular_min_orders: int = 2, lang: str = "en") -> pd.DataFrame:
    """Loyalty-ladder class shares for a "regular buyer" threshold (the lesson 03 widget).

    Examples
    --------
    >>> int(ladder_shares(load_facts_example(), 2).iloc[:, 0].sum())
    60
    """
    return _shares(facts, "ladder", {"regular_min_orders": int(regular_min_orders)}, lang)


def rfm_shares(facts: Any, bins: int = 5, lang: str = "en") -> pd.DataFrame:
    """RFM segment shares for a number of score bins (the RFM lesson's widget).

    Examples
    --------
    >>> int(rfm_shares(load_facts_example(), 3).iloc[:, 0].sum())
    60
    """
    return _shares(facts, "rfm", {"scoring": {"bins": int(bins)}}, lang)


def load_facts_example(n_customers: int = 60, seed: int = 0):
    """Customer facts of a small workshop shop (for examples and tests)."""
    from clientlib.features import customer_facts

    inputs = load_inputs(n_customers=n_customers, seed=seed)
    return customer_facts(inputs.transactions, inputs.events, inputs.customers)


def explore(func: Callable[..., Any], facts: Any, lang: str = "en", **controls: Any):
    """A live control for ``func(facts, **values, lang=lang)``: sliders that redraw the result.

    Each control is ``name=(min, max, step, default)`` (an integer slider) and is labelled from
    the catalog key ``lessons.widget_<name>``. Returns the ``ipywidgets`` box; displayed in a live
    kernel, moving a slider recomputes ``func``. Headless (papermill, nbval) the box is simply
    displayed with its text form, so show ``func``'s result for the defaults beside it.

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # outside a kernel it prints the table
    ...     box = explore(ladder_shares, load_facts_example(), regular_min_orders=(2, 10, 1, 2))
    >>> type(box).__name__, box.children[0].description
    ('interactive', 'orders to be a regular')
    """
    import ipywidgets

    lang = messages.check_lang(lang)
    sliders = {}
    for name, (lo, hi, step, default) in controls.items():
        sliders[name] = ipywidgets.IntSlider(
            value=default, min=lo, max=hi, step=step,
            description=messages.text(f"lessons.widget_{name}", lang),
            style={"description_width": "initial"}, continuous_update=False,
        )  # fmt: skip

    def show(**values: Any) -> None:
        from IPython.display import display

        display(func(facts, **values, lang=lang))

    return ipywidgets.interactive(show, **sliders)
