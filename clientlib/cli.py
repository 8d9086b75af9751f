"""The ``clientlib`` command: datasets, data quality, customer facts, segments, comparisons.

Importing this module loads typer and nothing heavy: pandas, Ibis, DuckDB, pydantic and the
readers are imported inside the commands that use them, after their options are checked, so
``--help``, ``datasets list``, ``schema`` and every refused option answer at typer's cost
(``tests/test_cli_imports.py`` checks what each of them loads).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from clientlib.errors import ClientlibError, InputError, OptionError

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd

    from clientlib.io import Inputs

app = typer.Typer(
    help="Classify customers by business rules, RFM and k-means, and render reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
datasets_app = typer.Typer(
    help="Embedded datasets: list them, export them as CSV.", no_args_is_help=True
)
app.add_typer(datasets_app, name="datasets")

InputArg = Annotated[
    Path | None,
    typer.Argument(
        help="Transactions file (CSV, TSV, .gz, xlsx/xls/ods or Parquet).", show_default=False
    ),
]
DatasetOpt = Annotated[
    str | None,
    typer.Option(
        "--dataset", "-d", help="Embedded dataset instead of INPUT (cdnow, cdnow_sample, workshop)."
    ),
]
MapOpt = Annotated[
    str | None,
    typer.Option(
        "--map", "-m", help="ROLE=COLUMN,... e.g. customer_id=CustomerID,timestamp=InvoiceDate"
    ),
]
EventsOpt = Annotated[
    Path | None, typer.Option("--events", help="Event log file (CSV/xlsx/Parquet).")
]
CustomersOpt = Annotated[
    Path | None, typer.Option("--customers", help="Customers file (CSV/xlsx/Parquet).")
]
ExcelOpt = Annotated[
    bool,
    typer.Option(
        "--excel",
        help="CSV for Excel: UTF-8 with BOM, formula-like cells (=,+,-,@) quoted; "
        "--lang ru: ; and decimal comma.",
    ),
]

#: The reader options every command that reads inputs takes (one definition, see
#: :func:`input_options`): name -> (parameter annotation, default).
_INPUT_OPTIONS: dict[str, tuple[Any, Any]] = {
    "analysis_date": (
        Annotated[
            str | None,
            typer.Option(
                "--analysis-date", help="YYYY-MM-DD; default: the day after the last transaction."
            ),
        ],
        None,
    ),
    "returns": (
        Annotated[str, typer.Option("--returns", help="Return lines: net, drop or error.")],
        "net",
    ),
    "duplicates": (
        Annotated[
            str,
            typer.Option("--duplicates", help="Identical lines: keep (default), drop or error."),
        ],
        "keep",
    ),
    "zero_amount": (
        Annotated[
            str,
            typer.Option("--zero-amount", help="Zero-amount lines: keep (an order) or drop."),
        ],
        "keep",
    ),
    "sep": (
        Annotated[str | None, typer.Option("--sep", help="CSV separator (default: sniffed).")],
        None,
    ),
    "encoding": (
        Annotated[
            str | None,
            typer.Option("--encoding", help="File encoding (default: decided from the bytes)."),
        ],
        None,
    ),
    "date_format": (
        Annotated[
            str | None,
            typer.Option(
                "--date-format", help="strptime format of the dates, e.g. '%d/%m/%Y %H:%M'."
            ),
        ],
        None,
    ),
    "dayfirst": (
        Annotated[
            bool | None,
            typer.Option(
                "--dayfirst/--monthfirst",
                help="01/02/2024 is 1 February / January 2 (default: decided per column).",
                show_default=False,
            ),
        ],
        None,
    ),
    "decimal": (
        Annotated[
            str | None,
            typer.Option("--decimal", help="Decimal separator: , or . (default: per column)."),
        ],
        None,
    ),
    "sheet": (
        Annotated[
            str | None,
            typer.Option(
                "--sheet",
                help="Sheet of an xlsx/xls/ods file: a name or a number (1 = the first); "
                "per table: transactions=NAME,customers=NAME.",
            ),
        ],
        None,
    ),
    "header_row": (
        Annotated[
            int | None,
            typer.Option(
                "--header-row", help="Sheet row with the column names (default: found)."
            ),
        ],
        None,
    ),
}


#: A mapping per table, given beside --map to every command that has --map (merged into it as
#: events.ROLE / customers.ROLE items, see clientlib.schema.combine_mappings).
_MAP_OPTIONS: dict[str, tuple[Any, Any]] = {
    "events_map": (
        Annotated[
            str | None,
            typer.Option(
                "--events-map",
                help="ROLE=COLUMN,... of the event log, e.g. timestamp=redemption_date "
                "(the same as --map events.timestamp=redemption_date).",
            ),
        ],
        None,
    ),
    "customers_map": (
        Annotated[
            str | None,
            typer.Option(
                "--customers-map",
                help="ROLE=COLUMN,... of the customers file, e.g. does_in_house=InHouse.",
            ),
        ],
        None,
    ),
}


def input_options(func):
    """Give a command the shared reader options; it receives them as ``options: InputOptions``.

    The options are validated (:meth:`InputOptions.parse`) before the command body runs, so a
    bad value is refused before any input is read.
    """
    import functools
    import inspect
    import typing

    sig = inspect.signature(func)
    hints = typing.get_type_hints(func, include_extras=True)
    params = [
        p.replace(annotation=hints.get(p.name, p.annotation))
        for p in sig.parameters.values()
        if p.name != "options"
    ]
    has_map = "map" in sig.parameters
    more = {**_INPUT_OPTIONS, **(_MAP_OPTIONS if has_map else {})}
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=ann)
        for name, (ann, default) in more.items()
    ]

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from clientlib.options import InputOptions  # pydantic: only when a command runs

        values = {name: kwargs.pop(name) for name in _INPUT_OPTIONS if name in kwargs}
        if has_map:
            from clientlib.schema import combine_mappings

            per_table = {name: kwargs.pop(name, None) for name in _MAP_OPTIONS}
            kwargs["map"] = combine_mappings(
                kwargs.get("map"), per_table["events_map"], per_table["customers_map"]
            )
        kwargs["options"] = InputOptions.parse(values)
        return func(*args, **kwargs)

    ordered = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in params] + extra
    wrapper.__signature__ = sig.replace(parameters=ordered, return_annotation=None)
    wrapper.__annotations__ = {p.name: p.annotation for p in ordered}
    return wrapper


#: The database source options (``--source URL --table NAME | --query SQL``; see
#: :mod:`clientlib.sources`): name -> (parameter annotation, default).
_SOURCE_OPTIONS: dict[str, tuple[Any, Any]] = {
    "source_url": (
        Annotated[
            str | None,
            typer.Option(
                "--source",
                help="Database URL instead of INPUT, e.g. postgres://user@host/db (password: "
                "PGPASSWORD, ~/.pgpass or CLIENTLIB_DB_PASSWORD; never shown).",
            ),
        ],
        None,
    ),
    "source_table": (
        Annotated[str | None, typer.Option("--table", help="Transactions table of --source.")],
        None,
    ),
    "source_query": (
        Annotated[
            str | None, typer.Option("--query", help="SQL giving the transactions (--source).")
        ],
        None,
    ),
    "events_table": (
        Annotated[str | None, typer.Option("--events-table", help="Events table of --source.")],
        None,
    ),
    "customers_table": (
        Annotated[
            str | None, typer.Option("--customers-table", help="Customers table of --source.")
        ],
        None,
    ),
    "engine": (
        Annotated[
            str | None,
            typer.Option(
                "--engine",
                help="duckdb (default) or spark[:MASTER] (default master local[2]): Spark reads "
                "the files and does the work.",
            ),
        ],
        None,
    ),
}


def source_options(func=None, *, engine: bool = True):
    """Give a command ``--source/--table/--query/--events-table/--customers-table/--engine``;
    it receives them as ``source``: ``None`` or a checked :class:`clientlib.sources.Choice`.
    """
    import functools
    import inspect
    import typing

    if func is None:  # @source_options(engine=False): the report, whose kernel runs DuckDB
        return functools.partial(source_options, engine=engine)
    offered = {k: v for k, v in _SOURCE_OPTIONS.items() if engine or k != "engine"}
    sig = inspect.signature(func)
    hints = typing.get_type_hints(func, include_extras=True)
    params = [
        p.replace(annotation=hints.get(p.name, p.annotation), kind=inspect.Parameter.KEYWORD_ONLY)
        for p in sig.parameters.values()
        if p.name != "source"
    ]
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=ann)
        for name, (ann, default) in offered.items()
    ]

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from clientlib.sources import Choice, check_files, database, spark_master

        values = {name: kwargs.pop(name, None) for name in _SOURCE_OPTIONS}  # absent: None
        lang = kwargs.get("lang") if kwargs.get("lang") in ("en", "ru") else "en"
        db = database(values["source_url"], values["source_table"], values["source_query"],
                      lang=lang)
        if db is None and (values["events_table"] or values["customers_table"]):
            raise OptionError(text_of("sources.err_no_url", lang, what="--events-table"))
        if db is not None:
            check_files(kwargs.get("events"), kwargs.get("customers"), lang=lang)
        if db is not None and (kwargs.get("input") is not None or kwargs.get("dataset")):
            raise OptionError(text_of("sources.err_with_input", lang))
        master = spark_master(values["engine"], lang=lang)
        if master is not None and db is not None:
            raise OptionError(text_of("sources.err_engine_source", lang))
        kwargs["source"] = (
            None if db is None and master is None
            else Choice(db, values["events_table"], values["customers_table"], master)
        )
        return func(*args, **kwargs)

    ordered = params + extra
    wrapper.__signature__ = sig.replace(parameters=ordered, return_annotation=None)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in ordered}
    return wrapper


def _guard(source: Any, lang: str = "en") -> Any:
    """:func:`clientlib.sources.guard` for a database source, else nothing."""
    if source is None or source.database is None:
        return contextlib.nullcontext()
    from clientlib.sources import guard

    return guard(source.database, lang=lang)


def text_of(key: str, lang: str = "en", **fields: Any) -> str:
    """A catalog message (imported when used: the catalog is not read at start-up)."""
    from clientlib.messages import text

    return text(key, lang, **fields)


def load_inputs(
    input: Path | None,
    dataset: str | None,
    mapping: str | None,
    events: Path | None = None,
    customers: Path | None = None,
    analysis_date: str | None = None,
    returns: str | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    *,
    options: Any = None,
    source: Any = None,
    lang: str = "en",
) -> Inputs:
    """Read transactions (and events, customers) from files, an embedded dataset or a database
    (``source``: what :func:`source_options` gives).
    """
    if source is not None:
        from clientlib import sources

        if source.spark is not None:
            return sources.read_inputs_spark(
                source.spark, input, dataset=dataset, mapping=mapping, events=events,
                customers=customers, options=options, lang=lang,
            )
        return sources.read_inputs(
            source.database, mapping=mapping, events=events, customers=customers,
            events_table=source.events_table, customers_table=source.customers_table,
            options=options, lang=lang,
        )
    from clientlib.io import read_inputs

    return read_inputs(
        input,
        dataset=dataset,
        mapping=mapping,
        events=events,
        customers=customers,
        analysis_date=analysis_date,
        returns=returns,
        sep=sep,
        encoding=encoding,
        options=options,
    )


def _input_paths(*sources: Any) -> list[Path]:
    # clientlib.io.input_paths without importing the readers (pandas, Ibis) to check an option
    return [Path(s).resolve() for s in sources if isinstance(s, str | os.PathLike)]


def _quality(inputs: Inputs, lang: str = "en") -> None:
    from clientlib.messages import text

    for loaded in (inputs.transactions, inputs.events, inputs.customers):
        if loaded is None:
            continue
        if lang == "en":
            typer.echo(str(loaded.quality), err=True)
            continue
        # The same account in the user's language (the English form stays the log's default).
        q = loaded.quality
        typer.echo(f"{text('cli.table_' + q.table, lang)}:", err=True)
        for item, value in q.summary_frame(lang).itertuples(index=False):
            typer.echo(f"  {item}: {value}", err=True)


def _skipped_line(message: str, lang: str) -> str:
    """A framework that did not run, in ``lang``: with what to add when the message says."""
    from clientlib.frameworks.skipped import Skipped, skip_text
    from clientlib.messages import text

    if isinstance(message, Skipped) and (message.missing or message.constant):
        return skip_text(message, lang)
    return text("cli.skipped", lang, why=message)


def _facts(inputs: Inputs):
    from clientlib.features import customer_facts

    return customer_facts(inputs.transactions, inputs.events, inputs.customers)


def _params(items: list[str] | None) -> dict[str, Any]:
    """``--param KEY=VALUE`` items; values are YAML scalars (lists and mappings refused)."""
    import math

    from clientlib import yamlio

    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise OptionError(
                f"cannot read --param {item!r}: write KEY=VALUE, e.g. --param fan_min_orders=4"
            )
        parsed = yamlio.load(value, origin=f"--param {key.strip()}") if value.strip() else ""
        if isinstance(parsed, list | dict | tuple | set):
            raise OptionError(
                f"--param {key.strip()}: give one value (a number, true/false or a word), "
                f"not a {'list' if isinstance(parsed, list | tuple | set) else 'mapping'} "
                f"({value.strip()[:40]!r})"
            )
        if isinstance(parsed, float) and not math.isfinite(parsed):
            raise OptionError(f"--param {key.strip()}: must be a finite number, not {value!r}")
        out[key.strip()] = parsed
    return out


def _check_params(params: dict[str, Any], wanted: list[str], rules: Path | None) -> None:
    """Each param is declared by a framework run, with a value of the declared default's kind
    (a finite number, > 0 where the default is > 0; true/false; a word).
    """
    from clientlib import frameworks

    books = {}
    for name in wanted:
        if name != "kmeans":
            books[name] = frameworks.load(name)
    if rules is not None:
        book = frameworks.load(rules)
        books[book.name if hasattr(book, "name") else str(rules)] = book
    for key, value in params.items():
        fw, dot, pname = key.rpartition(".")
        targets = [books[fw]] if dot and fw in books else list(books.values())
        if dot and fw not in books:
            raise OptionError(
                f"--param {key}: framework {fw!r} is not run here; run it with -f {fw}"
            )
        declared = [b.params[pname] for b in targets if pname in getattr(b, "params", {})]
        if not declared:
            known = sorted({p for b in books.values() for p in getattr(b, "params", {})})
            raise OptionError(
                f"--param {key}: no framework run here declares {pname!r}; known params: "
                f"{', '.join(known) or '(none)'}"
            )
        for default in declared:
            _check_value(key, value, default)


def _check_value(key: str, value: Any, default: Any) -> None:
    if default == "auto" and value == "auto":
        return
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise OptionError(f"--param {key}: must be true or false, not {value!r}")
    elif isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise OptionError(f"--param {key}: must be a number, not {value!r}")
        if default > 0 and value <= 0:
            raise OptionError(f"--param {key}: must be greater than 0, not {value!r}")
        if default >= 0 and value < 0:
            raise OptionError(f"--param {key}: must not be negative, not {value!r}")


def _check_rules_file(rules: Path | None) -> None:
    if rules is None:
        return
    if not rules.is_file():
        raise OptionError(f"--rules: no such file: {rules}")
    try:
        rules.read_bytes().decode("utf-8")
    except PermissionError:
        raise OptionError(f"--rules: {rules} cannot be read (permission denied)") from None
    except UnicodeDecodeError as exc:
        raise OptionError(
            f"--rules: {rules} is not UTF-8 text (byte at position {exc.start}); save it as UTF-8"
        ) from None


def _frameworks(framework: str) -> list[str]:
    from clientlib.frameworks import available, builtin_names, is_builtin

    if framework.strip() == "all":
        return available() + ["kmeans"]
    wanted = [f.strip() for f in framework.split(",") if f.strip()]
    # is_builtin reads no rulebook: naming one framework parses only its own file
    unknown = [f for f in wanted if not is_builtin(f) and f != "kmeans" and not Path(f).is_file()]
    if unknown:
        known = set(builtin_names(ordered=False)) | {"kmeans"}
        raise OptionError(
            f"--framework: unknown framework{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(u) for u in unknown)}; choose from {', '.join(sorted(known))} or all"
        )
    if not wanted:
        raise OptionError("--framework: give at least one framework name, or all")
    return wanted


def _k(k: str) -> int | str:
    if k == "auto":
        return "auto"
    try:
        value = int(k)
    except ValueError:
        raise OptionError(f"--k must be a whole number or auto, not {k!r}") from None
    if value < 2:
        raise OptionError(f"--k must be 2 or more (clusters), not {value}")
    return value


def _table(df: pd.DataFrame) -> str:
    return df.to_string(index=False)


# ------------------------------------------------------------------------------------------------


@datasets_app.command("list")
def datasets_list() -> None:
    """List the embedded datasets.

    Example: clientlib datasets list
    """
    from clientlib import datasets

    for name in datasets.available():
        typer.echo(f"{name:13s} {datasets.describe(name)}")


@datasets_app.command("export")
def datasets_export(
    name: Annotated[str, typer.Argument(help="Dataset name (see `clientlib datasets list`).")],
    out: Annotated[Path, typer.Argument(help="CSV file to write.")],
    table: Annotated[str, typer.Option(help="transactions, events or customers")] = "transactions",
) -> None:
    """Export one table of an embedded dataset as CSV.

    Example: clientlib datasets export cdnow cdnow.csv
    """
    from clientlib import datasets

    if name not in datasets.available():
        raise OptionError(f"unknown dataset {name!r}; available: {', '.join(datasets.available())}")
    if table not in ("transactions", "events", "customers"):
        raise OptionError(f"--table must be transactions, events or customers, not {table!r}")
    path = datasets.export(name, out, table=table)
    typer.echo(f"wrote {path}")


@app.command()
@input_options
@source_options
def quality(
    input: InputArg = None,
    dataset: DatasetOpt = None,
    map: MapOpt = None,
    events: EventsOpt = None,
    customers: CustomersOpt = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    source: Any = None,
    options: Any = None,
) -> None:
    """Read the input and report what happened to every row.

    Example: clientlib quality orders.csv --map customer_id=Client,timestamp=Date,amount=Total
    """
    inputs = load_inputs(input, dataset, map, events, customers, options=options, source=source,
                         lang="en")
    reports = [
        x.quality for x in (inputs.transactions, inputs.events, inputs.customers) if x is not None
    ]
    if json_out:
        typer.echo(
            json.dumps([r.to_dict() for r in reports], default=str, ensure_ascii=False, indent=2)
        )
    else:
        for r in reports:
            typer.echo(str(r))


@app.command()
@input_options
@source_options
def facts(
    input: InputArg = None,
    dataset: DatasetOpt = None,
    map: MapOpt = None,
    events: EventsOpt = None,
    customers: CustomersOpt = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="CSV file to write (.xlsx: an Excel workbook).")
    ] = Path("facts.csv"),
    excel: ExcelOpt = False,
    lang: Annotated[
        str, typer.Option("--lang", help="en or ru: the quality report and the --excel CSV.")
    ] = "en",
    source: Any = None,
    options: Any = None,
) -> None:
    """Write one row of facts per customer (recency, orders, spend, shares, contacts...).

    Example: clientlib facts --dataset cdnow -o cdnow_facts.csv
    From a database (README, "Databases"): clientlib facts --source postgres://analyst@db/shop
    --table orders -o facts.csv
    """
    from clientlib.files import check_output, write_table
    from clientlib.messages import check_lang

    check_lang(lang)
    sources = _input_paths(input, events, customers)
    check_output(out, sources)
    inputs = load_inputs(input, dataset, map, events, customers, options=options, source=source,
                         lang=lang)
    _quality(inputs, lang)
    from clientlib.engine import to_pandas

    with _guard(source, lang):  # the facts are the database's work: its errors are one line too
        df = to_pandas(_facts(inputs))
    write_table(df, out, excel=excel, inputs=sources, lang=lang, sheet="facts")
    from clientlib.messages import date, number, text

    when = date(inputs.transactions.analysis_date, lang)
    typer.echo(text("spreadsheet.wrote_facts", lang, n=number(len(df), lang), path=out, date=when))


@app.command()
@input_options
@source_options
def segment(
    input: InputArg = None,
    dataset: DatasetOpt = None,
    map: MapOpt = None,
    events: EventsOpt = None,
    customers: CustomersOpt = None,
    framework: Annotated[
        str,
        typer.Option("--framework", "-f", help="A framework name, comma-separated names, or all."),
    ] = "all",
    rules: Annotated[Path | None, typer.Option("--rules", help="Your own rulebook (YAML).")] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="KEY=VALUE, repeatable.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Labels: en or ru.")] = "en",
    k: Annotated[str, typer.Option("--k", help="k-means clusters: a number or auto.")] = "auto",
    out: Annotated[
        Path, typer.Option("--out", "-o", help="CSV file to write (.xlsx: an Excel workbook).")
    ] = Path("segments.csv"),
    excel: ExcelOpt = False,
    source: Any = None,
    options: Any = None,
) -> None:
    """Classify every customer by one or more frameworks; write class, label, reason, action.

    Example: clientlib segment --dataset workshop --framework lifecycle,rfm --lang ru -o seg.csv
    """
    from clientlib.files import check_output, write_table
    from clientlib.messages import number, percent, text

    # Every option is checked before any input is read (or pandas and Ibis imported).
    if lang not in {"en", "ru"}:
        raise OptionError(f"--lang must be en or ru, not {lang!r}")
    k_value = _k(k)
    _check_rules_file(rules)
    wanted = _frameworks(framework)  # "all" reads every rulebook (their in_all, their order)
    params = _params(param)
    if params:
        _check_params(params, wanted, rules)
    from clientlib.segment import resolve, summary

    fws, notes = resolve(wanted, rules, params or None, lang)  # ids, replacement, params
    sources = _input_paths(input, events, customers, rules)
    check_output(out, sources)
    inputs = load_inputs(input, dataset, map, events, customers, options=options, source=source,
                         lang=lang)
    _quality(inputs, lang)
    # Collect the facts once (one row per customer); every framework then reads that table.
    # Only the facts the frameworks read are computed (every fact when one does not say).
    import ibis

    from clientlib.engine import to_pandas
    from clientlib.segment import apply, needed_columns

    facts = _facts(inputs)
    needed = needed_columns(fws)
    if needed is not None:
        facts = facts.select(*[c for c in facts.columns if c in needed])
    with _guard(source, lang):
        facts_df = to_pandas(facts)
    facts_expr = ibis.memtable(facts_df)
    # One composition for every caller: the frameworks (k-means included) fitted and applied.
    if isinstance(k_value, int) and "kmeans" in [f.id for f in fws]:
        buyers = int((facts_df["orders"] > 0).sum())
        if k_value > buyers:
            raise OptionError(
                f"--k {k_value}: more clusters than customers with a purchase ({buyers:,})"
            )
    for fw in fws:
        if fw.id == "kmeans":
            fw.set_params(k=k_value)
    for note in notes:
        typer.echo(text("cli.note", lang, what=note), err=True)
    result = apply(fws, facts_expr)
    km = result.fitted.get("kmeans")
    if km is not None and getattr(km, "kchoice_", None) is not None:
        typer.echo(f"k-means: {km.kchoice_.sentence(lang)}", err=True)
    df, skipped = result.classes, result.skipped
    if df.empty:  # said once, as the error
        said = " ".join(_skipped_line(m, lang) for m in skipped)
        raise ClientlibError(text("mapping.none_ran", lang, why=said))
    for message in skipped:
        typer.echo(_skipped_line(message, lang), err=True)
    write_table(df, out, excel=excel, inputs=sources, lang=lang, sheet="segments")
    table = summary(df)
    if lang != "en":
        table = table.assign(share=table["share"].map(lambda v: percent(v, lang)))
    table.columns = [text(f"cli.col_{c}", lang) for c in table.columns]
    typer.echo(_table(table))
    typer.echo(text("cli.wrote_rows", lang, n=number(len(df), lang), path=out))


def _read_output(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """An output of ``clientlib segment`` read back (ids as text), or a clear error.

    CSV with ``,`` or (an ``--excel`` file for Russian Excel) ``;``, or a workbook (``sheet``).
    """
    import pandas as pd

    from clientlib.io import sniff

    if not path.is_file():
        raise InputError(f"no such file: {path}" if not path.exists() else f"{path} is a folder")
    if path.stat().st_size == 0:
        raise InputError(f"{path} is empty; give an output of `clientlib segment`")
    what = sniff(path)
    if what in {"xlsx", "xls", "ods"}:
        from clientlib.spreadsheet import read_sheet

        df = read_sheet(path, "segments", sheet=sheet, header_row=1, what=what)
        if "customer_id" in df.columns:  # ids as text, as from the CSV
            df["customer_id"] = df["customer_id"].astype("string")
        what = "sheet"
    if what not in {"text", "sheet"}:
        raise InputError(
            f"{path} is not CSV text (it looks like {what}); give an output of `clientlib segment`"
        )
    try:
        if what == "text":
            with open(path, "rb") as fh:
                header = fh.readline()
            df = pd.read_csv(
                path,
                sep=";" if header.count(b";") > header.count(b",") else ",",
                dtype={"customer_id": str},
                keep_default_na=False,
                na_values=[""],
                encoding="utf-8-sig",
            )
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        first = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise InputError(f"{path} cannot be read as CSV ({first})") from None
    with open(path, "rb") as fh:
        if fh.read(3) == b"\xef\xbb\xbf":  # an --excel output: its ids as written
            from clientlib.files import excel_restore

            df = excel_restore(df)
    if "customer_id" not in df.columns:
        raise InputError(
            f"{path} has no customer_id column (columns: {', '.join(map(str, df.columns))}); "
            "give an output of `clientlib segment`"
        )
    return df


@app.command()
def compare(
    a: Annotated[Path, typer.Argument(help="First output of `clientlib segment`.")],
    b: Annotated[Path, typer.Argument(help="Second output of `clientlib segment`.")],
    on: Annotated[str, typer.Option("--on", help="Column to compare.")] = "class",
    framework_a: Annotated[
        str | None, typer.Option("--framework-a", help="Rows of this framework in A.")
    ] = None,
    framework_b: Annotated[
        str | None, typer.Option("--framework-b", help="Rows of this framework in B.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    sheet: Annotated[
        str | None,
        typer.Option("--sheet", help="Sheet of xlsx outputs: a name or a number (1 = the first)."),
    ] = None,
) -> None:
    """Agreement between two segmentations (ARI, AMI, NMI, V-measure, Cramér's V, matching).

    Example: clientlib compare all.csv all.csv --framework-a lifecycle --framework-b kmeans
    """
    from clientlib.compare import compare as compare_frames

    frames = []
    for path, name in ((a, framework_a), (b, framework_b)):
        df = _read_output(path, sheet)
        if on not in df.columns:
            raise InputError(f"{path} has no column {on!r} to compare (--on)")
        if "framework" in df.columns:
            found = sorted(df["framework"].dropna().unique())
            if name is not None:
                if name not in found:
                    raise ClientlibError(f"{path}: no rows of framework {name!r}; found {found}")
                df = df[df["framework"] == name]
            elif len(found) > 1:
                which = "--framework-a" if path == a else "--framework-b"
                raise ClientlibError(
                    f"{path} holds {len(found)} frameworks ({', '.join(found)}); "
                    f"pick one with {which} NAME"
                )
        frames.append(df.reset_index(drop=True))
    result = compare_frames(frames[0], frames[1], on=on)
    if json_out:
        typer.echo(json.dumps(result.to_dict(), default=str, ensure_ascii=False, indent=2))
    else:
        typer.echo(_agreement_text(result))


def _agreement_text(result: Any) -> str:
    import pandas as pd

    head = (
        f"{result.name_a} vs {result.name_b}: {result.n:,} customers compared"
        f" ({result.only_in_a:,} only in A, {result.only_in_b:,} only in B)"
    )
    scores = result.to_frame().assign(value=lambda d: d["value"].round(3))
    pairs = pd.DataFrame(result.matching, columns=[result.name_a, result.name_b, "customers"])
    with pd.option_context("display.width", 200, "display.max_columns", 50):
        return "\n\n".join(
            [
                head,
                _table(scores),
                "best one-to-one matching:\n" + _table(pairs),
                "crosstab:\n" + result.crosstab.to_string(),
            ]
        )


# ------------------------------------------------------------------------------------------------
# reports

reports_app = typer.Typer(
    help="Batches of reports from a YAML file, with an index page.", no_args_is_help=True
)
app.add_typer(reports_app, name="reports")


@app.command()
@input_options
@source_options(engine=False)
def report(
    input: InputArg = None,
    dataset: DatasetOpt = None,
    map: MapOpt = None,
    events: EventsOpt = None,
    customers: CustomersOpt = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Report language: en or ru.")] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Template parameter KEY=VALUE, repeatable."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path(
        "report.html"
    ),
    kernel: Annotated[
        str | None, typer.Option("--kernel", help="Jupyter kernel (default clientlib, or python3).")
    ] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds allowed per cell.")] = 600,
    list_parameters: Annotated[
        bool, typer.Option("--list-parameters", help="Print the template's parameters and exit.")
    ] = False,
    source: Any = None,
    options: Any = None,
) -> None:
    """Render the report notebook to self-contained HTML (and OUT.ipynb beside it).

    Without INPUT or --dataset the embedded workshop data is used. On failure no HTML is
    written and the executed notebook is kept as OUT.failed.ipynb. The reader options are those
    of `clientlib segment`.

    Example: clientlib report --dataset workshop -p lang=ru -p k=4 -o reports/workshop.html
    From a database: clientlib report --source postgres://analyst@db/shop --table orders
    --events-table events -o reports/shop.html (the password: PGPASSWORD or ~/.pgpass).
    """
    from clientlib.files import check_output
    from clientlib.reports.parameters import option_parameters, parse_pairs, template_parameters

    if list_parameters:
        for name, p in template_parameters().items():
            typer.echo(f"{name:16s} {p['inferred_type_name']:16s} {p['default']:12s} {p['help']}")
        return
    if input is not None and dataset is not None:
        raise OptionError("give either an INPUT file or --dataset NAME, not both")
    if out.suffix.lower() not in (".html", ".htm"):  # render_report's check, before importing it
        raise OptionError(f"the report file must end in .html, got {out.name!r}")
    if lang is not None:
        from clientlib.messages import check_lang

        check_lang(lang)
    check_output(out, _input_paths(input, events, customers))
    given = {
        "input": str(input) if input else None,
        "dataset": dataset,
        "column_map": map,
        "events": str(events) if events else None,
        "customers": str(customers) if customers else None,
        "lang": lang,
    }
    params = {k: v for k, v in given.items() if v is not None}
    if source is not None:
        params.update(_source_parameters(source, lang or "en", map, events, customers))
    params.update(option_parameters(options))
    params.update(parse_pairs(param))
    from clientlib.reports.render import render_report  # papermill, nbconvert: ~1 s

    result = render_report(params, out, kernel=kernel, timeout=timeout)
    typer.echo(f"wrote {result.html} and {result.notebook.name} ({result.seconds:.1f} s)")


def _source_parameters(
    source: Any, lang: str, mapping: str | None, events: Path | None, customers: Path | None
) -> dict[str, str]:
    """The report's database parameters, after checking the source answers (a server down, a
    refused login, a missing table or a text column of bad numbers ends here: exit 2, nothing
    written). The password goes to the kernel's environment, never into its parameters.
    """
    from clientlib import sources

    db, events_table, customers_table = source.database, source.events_table, source.customers_table
    sources.check_files(events, customers, lang=lang)
    with sources.guard(db, lang=lang):
        con = sources.connect(db, lang=lang)
        sources.check_types(db, sources.open_table(db, con, lang=lang), "transactions",
                            mapping, lang=lang)
        for name in (events_table, customers_table):
            if name:
                sources.open_table(sources.Database(db.url, table=name), con, lang=lang)
    given = {"source": sources.hide(db.url), "table": db.table, "query": db.query,
             "events_table": events_table, "customers_table": customers_table}
    return {k: v for k, v in given.items() if v}


@reports_app.command("run")
@input_options
def reports_run(
    config: Annotated[Path, typer.Argument(help="Batch file (YAML), e.g. examples/reports.yml.")],
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="Run date in file names, YYYY-MM-DD (default: the file's run_date, else today).",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Output folder (default: the file's output:, which is "
                     "relative to the file)."),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Reports rendered at once (default: the "
                     "usable cores)."),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", min=1, help="Seconds each report may run before it is "
                     "stopped (default: the file's timeout:, else 1800)."),
    ] = None,
    skip_existing: Annotated[
        bool,
        typer.Option("--skip-existing", help="Keep reports whose HTML exists (finish a batch)."),
    ] = False,
    compare_to: Annotated[
        Path | None,
        typer.Option("--compare-to", help="Earlier .classes.parquet snapshot or batch folder to "
                     "compare with (default: the latest earlier run in the output folder)."),
    ] = None,
    log_json: Annotated[
        bool, typer.Option("--log-json", help="Write JSON lines (one per report) instead of text.")
    ] = False,
    kernel: Annotated[str | None, typer.Option("--kernel", help="Jupyter kernel.")] = None,
    options: Any = None,
) -> None:
    """Render every report of a batch file; write index.html and manifest.json beside them.

    Reports run in parallel, each in its own kernel with a timeout; a failing or hanging
    report does not stop the others. One line per report (status, seconds, path). The reader
    options (those of `clientlib segment`) apply to every report of the batch.

    Exit codes: 0 every report rendered or kept; 1 some report failed or timed out;
    2 bad config or arguments, or another batch holds the folder (.clientlib-reports.lock).

    Example: clientlib reports run examples/reports.yml --date 2025-01-06 --jobs 2
    """
    from clientlib.reports.batch import run_batch

    def as_json(event: dict[str, Any]) -> None:
        typer.echo(json.dumps(event, ensure_ascii=False, default=str))

    result = run_batch(
        config, run_date=date, skip_existing=skip_existing, kernel=kernel, output=output,
        jobs=jobs, timeout=timeout, compare_to=compare_to, input_options=options,
        progress=None if log_json else typer.echo, events=as_json if log_json else None,
    )
    failed = result.failed
    if not log_json:
        done = len(result.entries) - len(failed)
        typer.echo(f"{done} of {len(result.entries)} reports ready; index: {result.index}")
    if failed:
        if not log_json:
            typer.echo(f"failed: {', '.join(e.name for e in failed)}", err=True)
        raise typer.Exit(1)


_DEBUG = False


@app.callback(invoke_without_command=True)
def _global(
    ctx: typer.Context,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of an internal error.")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", help="Print the version of clientlib, the lock file's "
                           "hash, Python, Ibis, DuckDB, pandas and scikit-learn, then exit.")
    ] = False,
    lang: Annotated[str, typer.Option("--lang", help="Language of --version: en or ru.")] = "en",
) -> None:
    """Classify customers by business rules, RFM and k-means, and render reports."""
    global _DEBUG
    _DEBUG = debug
    if version:
        from clientlib.provenance import version_text

        typer.echo(version_text(lang))
        raise typer.Exit()
    if ctx.invoked_subcommand is None:  # options only, no command: as Click says it
        typer.echo(ctx.get_help())
        raise typer.Exit(2)


@app.command()
def schema(
    what: Annotated[str, typer.Argument(help="rulebook or batch.")],
) -> None:
    """Print the JSON Schema of a rulebook file or a batch config, for editors.

    Example: clientlib schema rulebook > rulebook.schema.json
    """
    if what == "rulebook":
        from clientlib.frameworks.rulebook_file import json_schema
    elif what == "batch":
        from clientlib.reports.batch import batch_schema as json_schema
    else:
        raise OptionError(f"schema: give rulebook or batch, not {what[:20]!r}")
    typer.echo(json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True))


# ------------------------------------------------------------------------------------------------
# a participant's set-up: `clientlib lab` and `clientlib setup-check` (clientlib.lab)

LangOpt = Annotated[str, typer.Option("--lang", help="Language: en or ru.")]


@app.command()
def lab(
    folder: Annotated[
        Path | None,
        typer.Argument(
            help="Folder to open (default: the lessons, copied to ~/clientlib-lessons/LANG).",
            show_default=False,
        ),
    ] = None,
    lang: LangOpt = "en",
    browser: Annotated[
        bool, typer.Option("--browser/--no-browser", help="Open a browser tab.")
    ] = True,
    register_only: Annotated[
        bool,
        typer.Option(
            "--register-only",
            help="Register the kernel, write the settings, copy the lessons; do not start.",
        ),
    ] = False,
) -> None:
    """Register the clientlib kernel, set JupyterLab up (language, no news) and open it.

    Without FOLDER the lessons of --lang are copied into ~/clientlib-lessons/LANG (lessons
    already there are kept as they are: your answers are safe) and JupyterLab opens there.
    Runs as root too (--allow-root is added).

    Example: clientlib lab --lang ru
    """
    from clientlib import lab as setup
    from clientlib.messages import check_lang, text

    check_lang(lang)
    if folder is not None and not folder.is_dir():
        raise OptionError(text("setup.no_folder", lang, path=folder))
    if setup.installed("jupyterlab") is None and not register_only:
        raise ClientlibError(text("setup.no_lab", lang))
    spec = setup.register_kernel(lang)
    typer.echo(text("setup.kernel_registered", lang, name=setup.KERNEL_NAME, path=spec))
    if not str(spec).startswith(sys.prefix):
        typer.echo(text("setup.kernel_user", lang))
    settings = setup.settings_dir()
    try:
        written = setup.write_settings(lang)
        typer.echo(
            text("setup.settings_written", lang, locale=setup.LOCALES[lang], path=written)
        )
    except ClientlibError:
        if setup._writable(settings):
            raise
        typer.echo(text("setup.settings_skipped", lang, path=settings), err=True)
    pack = setup.LANGUAGE_PACK.get(lang)
    if pack and setup.installed(pack) is None:
        typer.echo(text("setup.pack_missing", lang), err=True)
    if folder is None:
        folder, copied, kept = setup.copy_lessons(lang)
        typer.echo(text("setup.lessons_copied", lang, folder=folder, copied=copied, kept=kept))
    if register_only:
        args = (" --lang " + lang if lang != "en" else "") + (
            f" {folder}" if folder != setup.default_lessons_dir(lang) else ""
        )
        typer.echo(text("setup.register_only", lang, args=args))
        return
    typer.echo(text("setup.starting", lang, folder=folder))
    sys.stdout.flush()
    cmd = setup.lab_command(folder.resolve(), browser=browser)
    if os.name == "posix":
        os.execv(cmd[0], cmd)  # JupyterLab takes over this process (Ctrl+C goes to it alone)
    import subprocess

    proc = subprocess.Popen(cmd)
    while True:
        try:
            raise typer.Exit(proc.wait())
        except KeyboardInterrupt:  # JupyterLab got it too and asks its own question
            continue


@app.command("setup-check")
def setup_check(lang: LangOpt = "en") -> None:
    """Check this machine is ready for the lessons, one line per check (✓ or ✗ with the fix).

    Python version, clientlib and its libraries, the clientlib kernel, a small study, a chart,
    JupyterLab (and its Russian language pack with --lang ru), the lessons. Exit code 0 when
    all pass, 2 otherwise. Takes a few seconds.

    Example: clientlib setup-check --lang ru
    """
    from clientlib import lab as setup
    from clientlib.messages import check_lang, text

    check_lang(lang)
    with contextlib.suppress(AttributeError, ValueError):
        sys.stdout.reconfigure(errors="replace")  # type: ignore[union-attr]  # ✓ on old consoles
    failed = 0
    for check in setup.setup_checks(lang):
        typer.echo(check.line(lang))
        failed += not check.ok
    if failed:
        typer.echo(text("setup.not_ready", lang, n=failed))
        raise typer.Exit(2)
    typer.echo(text("setup.ready", lang))
# backtest


@app.command()
@input_options
@source_options
def backtest(
    input: InputArg = None,
    dataset: DatasetOpt = None,
    map: MapOpt = None,
    events: EventsOpt = None,
    customers: CustomersOpt = None,
    cutoff: Annotated[
        str | None,
        typer.Option("--cutoff", help="Last day of the calibration period, YYYY-MM-DD "
                     "(default: the holdout end minus one purchase cycle)."),
    ] = None,
    holdout: Annotated[
        int | None,
        typer.Option("--holdout", help="Holdout length in days (sets the cutoff; instead of "
                     "--cutoff)."),
    ] = None,
    holdout_end: Annotated[
        str | None,
        typer.Option("--holdout-end", help="Last day of the holdout, YYYY-MM-DD (default: the "
                     "last day of the data)."),
    ] = None,
    framework: Annotated[
        str,
        typer.Option("--framework", "-f", help="A framework name, comma-separated names, or all."),
    ] = "all",
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="KEY=VALUE, repeatable.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Output language: en or ru.")] = "en",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="CSV file for the per-class table.")
    ] = None,
    excel: ExcelOpt = False,
    source: Any = None,
    options: Any = None,
) -> None:
    """Classify as of a past date, then rank the frameworks by what customers did next.

    Every framework is fitted on the transactions up to the cutoff (included); each class is
    measured in the holdout that follows (bought again, orders, revenue, BG/NBD predicted vs
    actual purchases). Prints the periods, the BG/NBD line, the ranking and the checks of the
    purchase cycle and P(alive) thresholds; -o writes the per-class table.

    Example: clientlib backtest --dataset cdnow_sample --cutoff 1997-09-30 --lang ru
    """
    from clientlib.messages import check_lang, text

    check_lang(lang)
    if holdout is not None and holdout <= 0:
        raise OptionError(text("backtest.err_holdout_days", lang, value=holdout))
    if holdout is not None and cutoff is not None:
        raise OptionError(text("backtest.err_both", lang))
    wanted = _frameworks(framework)
    params = _params(param)
    if params:
        _check_params(params, wanted, None)
    import datetime as dt

    from clientlib.backtest import as_date, data_end, run_backtest

    cut: Any = as_date(cutoff, "--cutoff", lang)  # both dates checked before reading data
    end_given = as_date(holdout_end, "--holdout-end", lang)
    sources = _input_paths(input, events, customers)
    if out is not None:
        from clientlib.files import check_output

        check_output(out, sources)
    inputs = load_inputs(input, dataset, map, events, customers, options=options, source=source,
                         lang=lang)
    _quality(inputs, lang)
    with _guard(source, lang):  # on a database source the backtest's queries run there
        end = end_given or data_end(inputs.transactions)
        if holdout is not None:
            cut = end - dt.timedelta(days=holdout)
        bt = run_backtest(
            inputs, cutoff=cut, holdout_end=end,
            frameworks="all" if framework.strip() == "all" else wanted, params=params or None,
            lang=lang,
        )  # fmt: skip
    for message in bt.skipped:
        typer.echo(_skipped_line(message, lang), err=True)
    typer.echo(backtest_text(bt, lang))
    if out is not None:
        from clientlib.files import write_table
        from clientlib.messages import number

        write_table(bt.by_class, out, excel=excel, inputs=sources, lang=lang, sheet="backtest")
        typer.echo(text("backtest.wrote", lang, n=number(len(bt.by_class), lang), path=out))


def backtest_text(bt: Any, lang: str) -> str:
    """The periods, the BG/NBD line, the ranking table and the checks, as printed."""
    from clientlib.messages import text

    lines = [bt.periods_sentence(lang), bt.btyd_sentence(lang)]
    from clientlib.backtest import ranking_view

    table = ranking_view(bt, lang)
    lines += ["", text("backtest.ranking_title", lang) + ":", _table(table)]
    lines += ["(" + text("backtest.ranking_note", lang) + ")"]
    if bt.checks:
        lines += ["", text("backtest.checks_title", lang)]
        lines += [f"- {c.sentence(lang)}" for c in bt.checks]
    return "\n".join(lines)


def _argv_lang() -> str:
    """The language asked for on the command line (``--lang ru``, ``-p lang=ru``), for an
    error's line.
    """
    args = sys.argv[1:]
    for i, arg in enumerate(args):
        after = args[i + 1] if i + 1 < len(args) else ""
        value = after if arg == "--lang" else None
        value = arg.partition("=")[2] if arg.startswith("--lang=") else value
        value = after.partition("=")[2] if arg == "-p" and after.startswith("lang=") else value
        if value in {"en", "ru"}:
            return value
    return "en"


def main() -> None:
    """Entry point and exit codes.

    * 0: done; 1: a bug in clientlib (an "internal error" line; ``--debug`` shows the
      traceback) or a batch with failed reports;
    * 2: a :class:`~clientlib.errors.ClientlibError` (bad input, option or output), printed as
      one line without a traceback.

    The class of the error decides, never where it was raised: user errors are raised as
    ``ClientlibError`` on purpose, anything else is a bug.
    """
    global _DEBUG
    _DEBUG = "--debug" in sys.argv[1:]
    try:
        app()
    except ClientlibError as exc:
        message = exc.in_language(_argv_lang())
        typer.echo(f"error: {message}", err=True)
        sys.exit(2)
    except MemoryError:
        from clientlib.messages import text

        typer.echo(f"error: {text('io.out_of_memory_run', _argv_lang())}", err=True)
        sys.exit(2)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # noqa: BLE001 - the one place that turns a bug into a line
        if _DEBUG:
            raise
        from clientlib.messages import text

        first = (str(exc).splitlines() or [""])[0][:200]
        what = f"{type(exc).__name__}: {first}"
        typer.echo(text("cli.internal_error", "en", what=what), err=True)
        sys.exit(1)


# --- clientlib workshop: the trainer's view of the collected answers ---------------------------

workshop_app = typer.Typer(help="Workshop tools for the trainer.", no_args_is_help=True)
app.add_typer(workshop_app, name="workshop")


@workshop_app.command("summary")
def workshop_summary(
    folder: Annotated[Path, typer.Argument(help="The answers folder (CLIENTLIB_ANSWERS).")],
    lang: Annotated[str, typer.Option("--lang", help="Language of the table: en or ru.")] = "en",
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Also write it as .csv or .xlsx.")
    ] = None,
) -> None:
    """Who did which exercise: participants by exercises, ✓ / ✗ / ✎ and counts.

    Example: clientlib workshop summary answers/ --lang ru -o answers.xlsx
    """
    from clientlib import messages, workshop

    lang = messages.check_lang(lang)
    table = workshop.summary(folder, lang)
    typer.echo(messages.text("exercises.summary_title", lang, folder=str(folder), n=len(table)))
    typer.echo(table.to_string())
    typer.echo("")
    for line in workshop.legend(folder, lang):
        typer.echo(line)
    if out is not None:
        written = workshop.write_summary(table, out, lang)
        typer.echo(messages.text("exercises.summary_written", lang, path=str(written)))


if __name__ == "__main__":
    main()


# -- printables (trainer's kit): cheat-sheets per framework, handouts per lesson ------------


@app.command()
def printables(
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder for the pages.")],
    lang: Annotated[
        str | None, typer.Option("--lang", help="en or ru (default: both).")
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print each page to PDF with headless Chromium.")
    ] = False,
) -> None:
    """Write one-page cheat-sheets and lesson handouts (HTML for A4, PDF with --pdf).

    Example: clientlib printables -o build/printables --lang ru --pdf
    """
    from clientlib.printables import write_printables

    langs = ("en", "ru") if lang is None else (lang,)
    if lang is not None and lang not in ("en", "ru"):
        raise OptionError(f"--lang must be en or ru, not {lang[:20]!r}")
    write_printables(out, langs=langs, pdf=pdf, say=typer.echo)


# -- clientlib btyd fit|predict: reproduce a BTYD study (clientlib.models.reproduce) -------------

btyd_app = typer.Typer(
    help="Fit BG/NBD, MBG/NBD or Pareto/NBD and check it on a holdout.", no_args_is_help=True
)
app.add_typer(btyd_app, name="btyd")

_BtydModel = Annotated[str, typer.Option("--model", help="bgnbd, mbgnbd or pareto_nbd.")]
_BtydUnit = Annotated[
    str, typer.Option("--time-unit", help="days, weeks or months (30.4375 days).")
]
_BtydCal = Annotated[
    str | None,
    typer.Option("--calibration-end", help="YYYY-MM-DD, included; default: the last day."),
]
_BtydHold = Annotated[
    str | None, typer.Option("--holdout-end", help="YYYY-MM-DD, included: adds the holdout check.")
]
_BtydConvention = Annotated[
    str,
    typer.Option(
        "--period-convention",
        help="paper: T to the calibration end (FHL, lifetimes); clientlib: one day longer.",
    ),
]
_BtydOut = Annotated[Path | None, typer.Option("-o", "--out", help="CSV file to write.")]


def _btyd_study(input, dataset, map, options, model, time_unit, cal, hold, convention, lang, out):
    from clientlib.models._options import check_options

    check_options(model, time_unit, convention, lang)  # before anything heavy is imported
    from clientlib.backtest import as_date

    cal, hold = as_date(cal, "--calibration-end", lang), as_date(hold, "--holdout-end", lang)
    sources = _input_paths(input)
    if out is not None:
        from clientlib.files import check_output

        check_output(out, sources)
    inputs = load_inputs(input, dataset, map, options=options)
    _quality(inputs, lang)
    from clientlib.models.reproduce import fit_study

    tx = inputs.transactions.table.select("customer_id", "timestamp", "amount").to_pandas()
    study = fit_study(
        tx, model=model, time_unit=time_unit, calibration_end=cal, holdout_end=hold,
        convention=convention, lang=lang,
    )  # fmt: skip
    return study, sources


@btyd_app.command("fit")
@input_options
def btyd_fit(
    input: InputArg = None,
    dataset: DatasetOpt = None,
    map: MapOpt = None,
    model: _BtydModel = "bgnbd",
    time_unit: _BtydUnit = "weeks",
    calibration_end: _BtydCal = None,
    holdout_end: _BtydHold = None,
    period_convention: _BtydConvention = "clientlib",
    lang: Annotated[str, typer.Option("--lang", help="Language: en or ru.")] = "en",
    out: _BtydOut = None,
    options: Any = None,
) -> None:
    """Print the fitted parameters (4 significant digits), standard errors, LL and, with
    --holdout-end, actual vs expected repeat purchases; -o writes the tables as CSV.

    Example: clientlib btyd fit --dataset cdnow_sample --time-unit weeks
    --period-convention paper --calibration-end 1997-09-30 --holdout-end 1998-06-30
    """
    study, sources = _btyd_study(
        input, dataset, map, options, model, time_unit, calibration_end, holdout_end,
        period_convention, lang, out,
    )  # fmt: skip
    typer.echo(study.text(lang))
    if out is not None:
        import pandas as pd

        from clientlib.files import write_csv
        from clientlib.messages import text

        table = study.tables["parameters"].assign(table="parameters")
        table.loc[len(table)] = ["log_likelihood", study.model.log_likelihood_, None, "fit"]
        if "holdout" in study.tables:
            hold = study.tables["holdout"].reset_index().assign(table="holdout")
            table = pd.concat([table, hold], ignore_index=True)
        write_csv(table, out, inputs=sources)
        typer.echo(text("validation.wrote", lang, path=out))


@btyd_app.command("predict")
@input_options
def btyd_predict(
    input: InputArg = None,
    dataset: DatasetOpt = None,
    map: MapOpt = None,
    model: _BtydModel = "bgnbd",
    time_unit: _BtydUnit = "weeks",
    calibration_end: _BtydCal = None,
    period_convention: _BtydConvention = "clientlib",
    horizon: Annotated[int, typer.Option("--horizon", help="Months of 30.4375 days.")] = 12,
    discount_rate: Annotated[
        float, typer.Option("--discount-rate", help="Monthly discount rate of the CLV.")
    ] = 0.01,
    lang: Annotated[str, typer.Option("--lang", help="Language: en or ru.")] = "en",
    out: _BtydOut = None,
    options: Any = None,
) -> None:
    """Per customer P(alive), expected purchases and CLV over --horizon months (a month is
    30.4375 days); prints the totals, -o writes the customers as CSV.

    Example: clientlib btyd predict --dataset cdnow_sample --horizon 12 -o clv.csv
    """
    from clientlib.models._options import check_horizon

    check_horizon(horizon, discount_rate, lang)
    study, sources = _btyd_study(
        input, dataset, map, options, model, time_unit, calibration_end, None,
        period_convention, lang, out,
    )  # fmt: skip
    from clientlib.models.reproduce import predict_table, predict_text

    table = predict_table(study, horizon=horizon, discount_rate=discount_rate, lang=lang)
    typer.echo(study.text(lang))
    typer.echo(predict_text(table, lang))
    if out is not None:
        from clientlib.files import write_csv
        from clientlib.messages import text

        write_csv(table, out, inputs=sources)
        typer.echo(text("validation.wrote", lang, path=out))
