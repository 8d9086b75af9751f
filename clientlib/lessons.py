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
from clientlib.errors import ClientlibError, OptionError
from clientlib.options import InputOptions

__all__ = [
    "LessonError",
    "LiveControl",
    "explain",
    "live_frontend",
    "explore",
    "header",
    "labels_of",
    "localize",
    "month",
    "purchase_cycle",
    "as_percent",
    "report_skipped",
    "show_quality",
    "ladder_shares",
    "lifecycle_shares",
    "load_facts_example",
    "load_inputs",
    "rfm_shares",
    "say",
    "setup_notebook",
    "share_table",
]


#: What :func:`setup_notebook` learnt about the running lesson (its language).
_LESSON: dict[str, Any] = {"lang": None}


class LessonError(ClientlibError):
    """A learner's error inside a lesson, its message already in the lesson's language."""


# The reader's English messages (clientlib.io, clientlib.schema) and the catalog key that says
# the same in the lesson's language; the groups fill the key's fields.
_READER_ERRORS: tuple[tuple[str, str], ...] = (
    (r"(?P<path>\S+) is not valid \S+ .*?pass --encoding (?P<encoding>[\w-]+)",
     "lessons_ru.err_encoding"),
    (r"(?P<path>\S+) is not valid", "lessons_ru.err_encoding_unknown"),
    (r"no such file: (?P<path>.+)$", "lessons_ru.err_no_file"),
    (r"missing columns for .*columns found: (?P<found>.+?)\. Rename", "lessons_ru.err_columns"),
    (r"column '(?P<column>[^']+)' should hold a date", "lessons_ru.err_dates"),
    (r"column '(?P<column>[^']+)' should hold", "lessons_ru.err_values"),
)


def explain(err: BaseException, lang: str = "en") -> str:
    """One line in ``lang`` saying what a reader error means and which lesson option fixes it.

    Known reader errors (encoding, missing file, columns, dates, numbers) are said in ``lang``
    with the papermill option that fixes them; any other keeps its own text after a short
    lead-in in ``lang``.

    Examples
    --------
    >>> explain(OptionError("transactions: x.csv is not valid utf-8-sig (byte b'\\xca' at "
    ...                     "position 0); pass --encoding cp1251"), "ru")  # doctest: +ELLIPSIS
    'Файл x.csv не в кодировке UTF-8; ... -p encoding cp1251 ...'
    """
    import re

    lang = messages.check_lang(lang)
    key = getattr(err, "key", None)
    if isinstance(err, ClientlibError) and key:  # said through the catalog (errors.said)
        # the lesson's own words where the command line's options differ (-p encoding)
        lesson_key = "lessons_ru.io_" + key.partition(".")[2]
        if key.startswith("io.") and lesson_key in messages.catalog():
            return messages.text(lesson_key, lang, **err.fields)
        return err.in_language(lang)
    from clientlib.frameworks.skipped import Skipped, skip_text

    why = err.args[0] if err.args else None
    if not isinstance(why, Skipped) and hasattr(err, "framework") and hasattr(err, "missing"):
        why = Skipped.missing_columns(err.framework, err.missing)  # a framework's own error
    if isinstance(why, Skipped):
        return skip_text(why, lang, how="lesson")
    detail = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    for pattern, key in _READER_ERRORS:
        m = re.search(pattern, detail)
        if m:
            return messages.text(key, lang, **{k: v.strip() for k, v in m.groupdict().items()})
    return messages.text("lessons_ru.err_other", lang, detail=detail)


def live_frontend() -> bool:
    """Whether a person's notebook frontend (JupyterLab, Notebook, VS Code) runs this code.

    Headless runners (papermill, ``nbconvert --execute``, nbval, a report) execute cells through
    ``nbclient`` or ``jupyter_client`` with ``allow_stdin=False``: they cannot answer
    ``input()``, nor draw a widget. Interactive frontends send ``allow_stdin=True`` with every
    execute request, and ipykernel keeps it for the cell that runs. Outside a kernel (plain
    Python, IPython in a terminal) there is no frontend to draw on either.

    Examples
    --------
    >>> live_frontend()
    False
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the lessons
        return False
    kernel = getattr(get_ipython(), "kernel", None)
    return bool(getattr(kernel, "_allow_stdin", False))


# clientlib's warnings a learner's file can raise in a lesson, and the catalog key that says the
# same in the lesson's language (the groups fill its fields).
_WARNINGS: tuple[tuple[str, str], ...] = (
    (r"purchase_cycle_days is 'auto' but there are no repeat buyers", "lessons_ru.no_cycle"),
    (r"RFM (?P<dimension>\w+): cut points .* repeat", "lessons_ru.warn_rfm_bins"),
    (r"RFM (?P<dimension>\w+): no buyers to compute cut points", "lessons_ru.warn_rfm_none"),
)
_DIMENSIONS = {"recency": "R", "frequency": "F", "monetary": "M"}
#: Catalog keys already said in this kernel by :func:`say` with ``once=True`` or a warning.
_SAID: set[str] = set()


def _lesson_warnings(lang: str) -> None:
    """Make clientlib's known warnings one line in the lesson's language, said once.

    A file where nobody bought twice warns in English from deep inside a framework ("no repeat
    buyers to estimate the purchase cycle from"); the learner reads the same in the lesson's
    words instead. Other warnings are shown as usual.
    """
    import re

    shown = warnings.showwarning
    if getattr(shown, "_clientlib_lesson", False):
        shown = shown.__wrapped__  # type: ignore[attr-defined]

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: Any = None, line: str | None = None) -> None:  # fmt: skip
        for pattern, key in _WARNINGS:
            m = re.search(pattern, str(message))
            if m:
                fields = {k: _DIMENSIONS.get(v, v) for k, v in m.groupdict().items()}
                say(key, lang, once=True, **fields)
                return
        shown(message, category, filename, lineno, file, line)

    show._clientlib_lesson = True  # type: ignore[attr-defined]
    show.__wrapped__ = shown  # type: ignore[attr-defined]
    warnings.showwarning = show


def _one_line_errors(lang: str) -> None:
    """Inside IPython: a learner's error (:class:`ClientlibError`) shows as one line, no traceback.

    The cell still fails, so "Run all" and papermill stop there instead of running on without
    data.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    ip = get_ipython()
    if ip is None:
        return

    def show(shell: Any, etype: type, value: BaseException, tb: Any,
             tb_offset: int | None = None) -> None:  # fmt: skip
        line = str(value) if isinstance(value, LessonError) else explain(value, lang)
        print(messages.text("lessons_ru.err_stopped", lang, why=line))

    ip.set_custom_exc((ClientlibError,), show)


def _mapping(mapping: Mapping[str, Any] | str | None) -> Mapping[str, str] | str | None:
    """A mapping given on the papermill command line as JSON / YAML text becomes a dict; a
    table's roles may be nested (``{"events": {"timestamp": "redeemed"}}``) or dotted
    (``{"events.timestamp": "redeemed"}``), as in ``--map``.

    Examples
    --------
    >>> _mapping('{"customer_id": "Client", "events": {"timestamp": "redeemed"}}')
    {'customer_id': 'Client', 'events.timestamp': 'redeemed'}
    """
    from clientlib.schema import parse_mapping

    if isinstance(mapping, str) and mapping.strip().startswith("{"):
        from clientlib import yamlio

        value = yamlio.load(mapping, origin="mapping", error=OptionError)
        if not isinstance(value, Mapping):
            raise OptionError("mapping: write it as {role: column, ...}")
        return parse_mapping(value)
    if isinstance(mapping, Mapping):
        return parse_mapping(mapping)
    return mapping


#: The keys of ``data`` for a database (:mod:`clientlib.sources`) instead of files.
_SOURCE_KEYS = ("source", "table", "query", "events_table", "customers_table")


def _source(url: str) -> dict[str, Any]:
    """A database URL as ``data``: the table (or query, events_table, customers_table) rides in
    its query string, ``postgres://analyst@db/shop?table=orders``, and is taken out of it.
    """
    import urllib.parse

    parts = urllib.parse.urlsplit(url.strip())
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    ours = {k: v for k, v in pairs if k in _SOURCE_KEYS[1:]}
    rest = urllib.parse.urlencode([(k, v) for k, v in pairs if k not in ours])
    return {"source": urllib.parse.urlunsplit(parts._replace(query=rest)), **ours}


def _files(data: Any) -> dict[str, Any]:
    """``data`` as ``{transactions, events, customers}``: one path, or a mapping of them; or a
    database as ``{source, table | query, events_table, customers_table}`` (also written as one
    URL: :func:`_source`).
    """
    from clientlib.sources import is_url

    if isinstance(data, str) and data.strip().startswith("{"):
        from clientlib import yamlio

        data = yamlio.load(data, origin="data", error=OptionError)
    if isinstance(data, str) and is_url(data):
        return _source(data)
    if isinstance(data, Mapping) and "source" in data:
        unknown = sorted(set(data) - set(_SOURCE_KEYS))
        if unknown:
            raise OptionError(
                "data: give {source: URL, table: NAME} (or query:, events_table:, "
                f"customers_table:); unknown keys: {', '.join(map(str, unknown))}"
            )
        return {k: str(v) for k, v in data.items()}
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
    lang: str | None = None,
    **input_options: Any,
):
    """The tables of a lesson: the workshop shop, or the learner's own files.

    Parameters
    ----------
    data : path, mapping or None
        ``None``: the seeded workshop shop (``seed``, ``n_customers``). A path: the transactions
        file. A mapping (or its JSON / YAML text) ``{transactions: ..., events: ...,
        customers: ...}``: several files. A database URL (:mod:`clientlib.sources`) with the
        table in its query string, ``"postgres://analyst@db/shop?table=orders"``, or
        ``{source: URL, table: NAME}`` (``query``, ``events_table``, ``customers_table`` too):
        the work runs in the database. Keep the password out of the lesson (it would be saved
        in the notebook): ``PGPASSWORD``, ``~/.pgpass`` or ``CLIENTLIB_DB_PASSWORD``.
    mapping : dict or str, optional
        ``{role: column}`` (or its JSON text, or ``role=column,...``) for the learner's columns.
    analysis_date : date-like, optional
        The cut-off; default: the day after the last transaction.
    seed, n_customers : int
        The workshop shop's seed and size (used only without ``data``).
    lang : str, optional
        The lesson's language: a reader error is then raised as a :class:`LessonError` whose
        message is one line in ``lang`` (what went wrong and which option fixes it). Default:
        the language given to :func:`setup_notebook`, else the reader's own message.
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
    LessonError
        With a ``lang``: any reader error, said in that language.

    Examples
    --------
    >>> load_inputs(n_customers=30, duplicates="sometimes")
    Traceback (most recent call last):
    ...
    clientlib.errors.OptionError: duplicates: must be one of keep, drop, error (got 'sometimes')
    """
    lang = lang or _LESSON["lang"]
    if lang is None:
        return _read(data, mapping, analysis_date, seed, n_customers, input_options)
    try:
        return _read(data, mapping, analysis_date, seed, n_customers, input_options, lang)
    except ClientlibError as err:
        raise LessonError(explain(err, lang)) from err


def _read(data: Any, mapping: Any, analysis_date: Any, seed: int, n_customers: int,
          input_options: dict[str, Any], lang: str = "en"):  # fmt: skip
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
    if "source" in files:
        from clientlib import sources

        db = sources.database(files["source"], files.get("table"), files.get("query"),
                              lang=lang, what="data")
        assert db is not None
        return sources.read_inputs(
            db, mapping=_mapping(mapping), events_table=files.get("events_table"),
            customers_table=files.get("customers_table"), options=opts, lang=lang,
        )
    return read_inputs(
        files["transactions"],
        events=files.get("events"),
        customers=files.get("customers"),
        mapping=_mapping(mapping),
        **kwargs,
    )


def header(name: str, lang: str = "en") -> str:
    """The column header ``name`` in ``lang`` (catalog key ``lessons.col_<name>``), else ``name``.

    Examples
    --------
    >>> header("customers", "ru"), header("no_such_column", "ru")
    ('клиентов', 'no_such_column')
    """
    for key in (f"lessons.col_{name}", f"lessons_ru.col_{name}"):
        if key in messages.catalog():
            return messages.text(key, lang)
    return str(name)


def localize(table: pd.DataFrame | pd.Series, lang: str = "en") -> pd.DataFrame | pd.Series:
    """A copy of ``table`` with its column headers and index names in ``lang``, for people.

    Column values are written the way a person reads them: yes/no (``да``/``нет``) for
    ``True``/``False``, ``—`` for a missing value (``NaN``, ``None``), dates the language's way
    (``01.01.2025``). Numbers stay numbers (the lesson's float format writes them); class ids
    stay as they are (show labels instead where people read them).

    Examples
    --------
    >>> t = pd.DataFrame({"class": ["fan"], "customers": [3]}).set_index("class")
    >>> localize(t, "ru").index.name, list(localize(t, "ru").columns)
    ('класс', ['клиентов'])
    >>> t = pd.DataFrame({"is_premium": [True, False], "discount": [0.5, None],
    ...                   "timestamp": pd.to_datetime(["2024-12-31", None])})
    >>> localize(t, "ru").to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'премиум': ['да', 'нет'], 'скидка': ['0,50', '—'], 'время': ['31.12.2024', '—']}
    """
    lang = messages.check_lang(lang)
    out = table.copy()
    if isinstance(out, pd.DataFrame):
        for i, name in enumerate(out.columns):
            values = _for_people(out.iloc[:, i], lang)
            if name == "reason" and lang == "ru":  # the rule's numbers, written the Russian way
                values = values.map(_ru_decimals)
            out.isetitem(i, values)
    else:
        out = _for_people(out, lang)
    if isinstance(out, pd.DataFrame):
        out.columns = [header(c, lang) if isinstance(c, str) else c for c in out.columns]
        out.columns.names = [header(n, lang) if isinstance(n, str) else n
                             for n in out.columns.names]  # fmt: skip
    elif isinstance(out.name, str):
        out.name = header(out.name, lang)
    out.index.names = [header(n, lang) if isinstance(n, str) else n for n in out.index.names]
    return out


MISSING = "\u2014"  #: what a table shows for a missing value (an em dash)


def _ru_decimals(reason: Any) -> Any:
    """``p_alive=0.5524 >= at_risk_min=0.3`` -> ``p_alive=0,5524 >= at_risk_min=0,3``."""
    import re

    return re.sub(r"(?<=\d)\.(?=\d)", ",", reason) if isinstance(reason, str) else reason


def _for_people(values: pd.Series, lang: str) -> pd.Series:
    """One column as a person reads it (see :func:`localize`); unchanged when nothing to do."""
    if pd.api.types.is_bool_dtype(values) or (
        values.dtype == object and len(values.dropna())
        and all(isinstance(v, bool) for v in values.dropna())
    ):
        words = {True: messages.text("lessons_ru.word_yes", lang),
                 False: messages.text("lessons_ru.word_no", lang)}  # fmt: skip
        return values.map(lambda v: MISSING if pd.isna(v) else words[bool(v)])
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = values.dropna()
        with_time = bool(len(stamps)) and bool((stamps != stamps.dt.normalize()).any())

        def when(v: Any) -> str:
            if pd.isna(v):
                return MISSING
            day = messages.date(v.date(), lang)
            return f"{day} {v:%H:%M}" if with_time else day

        return values.map(when)
    if not values.isna().any():
        return values
    if pd.api.types.is_float_dtype(values):
        return values.map(lambda v: MISSING if pd.isna(v) else messages.number(v, lang, 2))
    return values.map(lambda v: MISSING if v is None or (isinstance(v, float) and pd.isna(v))
                      else v)  # fmt: skip


def as_percent(table: pd.DataFrame, columns: list[str], lang: str = "en",
               digits: int = 1) -> pd.DataFrame:  # fmt: skip
    """A copy with the share ``columns`` (0..1) written as percentages the language's way.

    Examples
    --------
    >>> as_percent(pd.DataFrame({"share": [0.125]}), ["share"], "ru")["share"].iloc[0]
    '12,5\xa0%'
    """
    out = table.copy()
    for col in columns:
        out[col] = [messages.percent(v, lang, digits) for v in out[col]]
    return out


def show_quality(inputs: Any, lang: str = "en") -> None:
    """Print, in ``lang``, how many rows of each table were read, used and excluded, and why.

    Examples
    --------
    >>> show_quality(load_inputs(n_customers=20), "en")  # doctest: +ELLIPSIS
    transactions: ... rows read, ... used, 0 excluded; analysis date ...
    """
    lang = messages.check_lang(lang)
    for name in ("transactions", "events", "customers"):
        table = messages.text(f"lessons.table_{name}", lang)
        loaded = getattr(inputs, name, None)
        if loaded is None:
            say("lessons.no_table", lang, table=table)
            continue
        q = loaded.quality
        excluded = sum((q.excluded or {}).values())
        counts = {"read": messages.number(q.rows_read, lang),
                  "used": messages.number(q.rows_used, lang),
                  "excluded": messages.number(excluded, lang)}  # fmt: skip
        if loaded.analysis_date:
            date = messages.date(loaded.analysis_date, lang)
            say("lessons.quality", lang, table=table, date=date, **counts)
        else:
            say("lessons.quality_nodate", lang, table=table, **counts)
        from clientlib.spreadsheet import sheet_sentence  # a workbook: which sheet, which row

        if sheet := sheet_sentence(q.notes, lang):
            print(f"{table}: {sheet}")
        for reason, n in sorted((q.excluded or {}).items()):
            key = f"io.reason_{reason}"  # the reason in words, as the report says it
            words = messages.text(key, lang) if key in messages.catalog() else reason
            say("lessons.excluded_reason", lang, reason=words, n=messages.number(n, lang))
        for line in q.advice(lang, how="lesson"):
            print(line)


def labels_of(framework: str, lang: str = "en") -> dict[str, str]:
    """``{class id: label}`` of a built-in framework in ``lang``, in the rulebook's order.

    Examples
    --------
    >>> labels_of("ladder", "ru")["regular"]
    'постоянный покупатель'
    """
    from clientlib import frameworks

    return {str(r["id"]): str(r["label"]) for r in frameworks.load(framework).describe(lang)}


def report_skipped(skipped: list[str], lang: str = "en") -> None:
    """Say, in ``lang``, which frameworks could not run on these data and why (or that all ran).

    ``skipped`` is the second value of :func:`clientlib.segment.segment`.

    Examples
    --------
    >>> report_skipped([], "ru")
    Все классификации применимы к этим данным.
    """
    import re

    from clientlib.exercises import framework_title
    from clientlib.frameworks.skipped import Skipped, skip_text

    lang = messages.check_lang(lang)
    if not skipped:
        say("lessons.all_applicable", lang)
    for line in skipped:
        if isinstance(line, Skipped) and (line.missing or line.constant):
            # said from the producer's fields, with the lesson parameter that adds the data
            print(skip_text(line, lang, how="lesson"))
            continue
        m = re.match(r"framework '([\w-]+)' skipped: the data has no column\(s\) ([^;]+)", line)
        if m:
            say("lessons.skipped_columns", lang, framework=framework_title(m.group(1), lang),
                columns=m.group(2).strip())  # fmt: skip
        else:
            say("lessons.skipped_other", lang, why=line)


def purchase_cycle(facts: Any) -> float | None:
    """The purchase cycle (days) the lifecycle framework uses on ``facts`` (estimated by ``auto``).

    ``None`` when it cannot be estimated (nobody bought twice, so there is no gap between two
    orders): the lifecycle then calls no buyer dormant.

    Examples
    --------
    >>> purchase_cycle(load_facts_example()) > 0
    True
    """
    from clientlib import frameworks

    fw = frameworks.load("lifecycle")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if hasattr(fw, "fit"):  # a Framework object: fitted parameters in params_
            params = fw.fit(facts).params_
        else:  # a rulebook: parameters resolved by classify
            fw.classify(facts).count().execute()
            params = fw.resolved_params_
    value = params.get("purchase_cycle_days")
    return None if value is None else float(value)


_MONTHS_RU = {
    "nominative": ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
                   "сентябрь", "октябрь", "ноябрь", "декабрь"),
    "genitive": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
                 "сентября", "октября", "ноября", "декабря"),
}


def month(when: Any, lang: str = "en", case: str = "nominative") -> str:
    """A month in words with its year: ``December 2024``; ``декабрь 2024`` / ``декабря 2024``.

    ``case`` is the Russian grammatical case the sentence needs ("с декабря 2023 по декабрь
    2024": genitive, then nominative); English ignores it.

    Examples
    --------
    >>> month("2024-12-31", "en"), month("2023-12-31", "ru", "genitive")
    ('December 2024', 'декабря 2023')
    """
    stamp = pd.Timestamp(when)
    if messages.check_lang(lang) == "ru":
        return f"{_MONTHS_RU[case][stamp.month - 1]} {stamp.year}"
    return f"{stamp:%B} {stamp.year}"


def say(key: str, lang: str = "en", /, **fields: Any) -> None:
    """Print one message of the catalog in the lesson's language.

    ``once=True``: not again when this key was already said once in this kernel (a warning
    turned into the same line, see :func:`setup_notebook`).

    Examples
    --------
    >>> say("lessons.not_applicable", "en", framework="value tiers", why="no amounts")
    value tiers does not apply to these data: no amounts
    """
    if fields.pop("once", False):
        if key in _SAID:
            return
        _SAID.add(key)
    print(messages.text(key, messages.check_lang(lang), **fields))


def setup_notebook(lang: str = "en") -> None:
    """Make a lesson's outputs reproducible, free of noise, and in the lesson's number format.

    Silences a known third-party deprecation warning (pandas' ``future.infer_string`` option,
    touched by Ibis), fixes figure defaults (PNG, fixed DPI, no hash salt) so re-running a
    lesson gives the same outputs, and shows the floats of every table the way ``lang`` writes
    numbers (``1,307.55`` / ``1 307,55``).

    Examples
    --------
    >>> setup_notebook("ru")
    >>> pd.DataFrame({"x": [1307.554]}).to_string(index=False, header=False).strip()
    '1\xa0307,55'
    >>> setup_notebook()
    >>> _LESSON["lang"] = None  # (doctests after this one read the reader's own messages)
    """
    import matplotlib

    warnings.filterwarnings("ignore", message=".*future.infer_string.*")
    matplotlib.rcParams["svg.hashsalt"] = "clientlib"
    matplotlib.rcParams["figure.dpi"] = 80
    matplotlib.rcParams["savefig.dpi"] = 80
    pd.set_option("display.width", 120)
    pd.set_option("display.max_columns", 20)
    pd.set_option("display.max_colwidth", 100)
    lang = messages.check_lang(lang)
    _LESSON["lang"] = lang
    pd.set_option("display.float_format", lambda x: messages.number(x, lang, 2))
    _one_line_errors(lang)
    _lesson_warnings(lang)
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
    """Customers and share per class of a framework's output, largest first, all in ``lang``.

    Examples
    --------
    >>> out = pd.DataFrame({"class": ["a", "b", "a"], "label": ["A", "B", "A"]})
    >>> share_table(out, "ru")  # doctest: +NORMALIZE_WHITESPACE
           клиентов    доля
    класс
    A             2  66,7\xa0%
    B             1  33,3\xa0%
    """
    lang = messages.check_lang(lang)
    counts = classified.groupby(["class", "label"], sort=True).size()
    counts = counts.sort_values(ascending=False, kind="stable").droplevel("class")
    table = pd.DataFrame(
        {
            messages.text("lessons.col_customers", lang): counts.astype(int),
            messages.text("lessons.col_share", lang): [
            messages.percent(v, lang) for v in counts / counts.sum()
        ],
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


def lifecycle_shares(facts: Any, purchase_cycle_days: float = 90, fan_min_orders: int = 3,
                     lang: str = "en") -> pd.DataFrame:  # fmt: skip
    """Lifecycle class shares for a purchase cycle and a fan threshold (the lesson 02 widget).

    Examples
    --------
    >>> facts = load_facts_example()
    >>> lifecycle_shares(facts, 30).index.name, lifecycle_shares(facts, 30, lang="ru").index.name
    ('class', 'класс')
    """
    params = {
        "purchase_cycle_days": float(purchase_cycle_days),
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


class LiveControl:
    """Sliders bound to a function; a short text in the lesson's language stands for them offline.

    Created by :func:`explore`; it displays as the ``ipywidgets`` box in a live kernel.
    """

    def __init__(self, box: Any, names: list[str], lang: str) -> None:
        self.box = box
        self.children = box.children
        self._text = messages.text("lessons.widget_offline", lang, controls=", ".join(names))

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = self.box._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = self._text
        return bundle

    def __repr__(self) -> str:
        return self._text


class _Offline:
    """What :func:`explore` gives headless: the one line, as text and nothing else."""

    def __init__(self, text: str) -> None:
        self._text = text

    def __repr__(self) -> str:
        return self._text


def explore(func: Callable[..., Any], facts: Any, lang: str = "en", *,
            interactive: bool | None = None, **controls: Any):  # fmt: skip
    """A live control for ``func(facts, **values, lang=lang)``: sliders that redraw the result.

    Each control is ``name=(min, max, step, default)`` (an integer slider) and is labelled from
    the catalog key ``lessons.widget_<name>``. Returns a :class:`LiveControl`; displayed in a live
    kernel it is the ``ipywidgets`` box and moving a slider recomputes ``func``. Headless
    (papermill, nbval, a static page) it shows one line saying so, in ``lang``; show ``func``'s
    result for the defaults beside it.

    ``interactive=None`` asks :func:`live_frontend`; headless, no widget is created at all, so
    a runner cannot wait for a widget that nobody draws (nbclient#312, papermill#723).

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # forced live: it prints the table here
    ...     box = explore(ladder_shares, load_facts_example(), interactive=True,
    ...                   regular_min_orders=(2, 10, 1, 2))
    >>> box.children[0].description
    'orders to be a regular'
    >>> box
    [live control: orders to be a regular; run the notebook in Jupyter to move it]
    >>> explore(ladder_shares, None, "ru", regular_min_orders=(2, 10, 1, 2))  # headless
    [живое управление: заказов для постоянного; запустите блокнот в Jupyter, чтобы двигать ползунки]
    """
    lang = messages.check_lang(lang)
    if not (live_frontend() if interactive is None else interactive):
        names = [messages.text(f"lessons.widget_{name}", lang) for name in controls]
        return _Offline(messages.text("lessons.widget_offline", lang, controls=", ".join(names)))
    import ipywidgets

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

    box = ipywidgets.interactive(show, **sliders)
    return LiveControl(box, [s.description for s in sliders.values()], lang)
