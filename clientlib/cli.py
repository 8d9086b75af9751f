"""The ``clientlib`` command: datasets, data quality, customer facts, segments, comparisons."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
import yaml

from clientlib.io import Inputs, read_inputs
from clientlib.schema import ClientlibError

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
    typer.Argument(help="Transactions file (CSV, TSV, .gz or Parquet).", show_default=False),
]
DatasetOpt = Annotated[
    str | None,
    typer.Option("--dataset", "-d", help="Embedded dataset instead of INPUT (cdnow, workshop)."),
]
MapOpt = Annotated[
    str | None,
    typer.Option(
        "--map", "-m", help="ROLE=COLUMN,... e.g. customer_id=CustomerID,timestamp=InvoiceDate"
    ),
]
EventsOpt = Annotated[Path | None, typer.Option("--events", help="Event log file (CSV/Parquet).")]
CustomersOpt = Annotated[
    Path | None, typer.Option("--customers", help="Customers file (CSV/Parquet).")
]
DateOpt = Annotated[
    str | None,
    typer.Option(
        "--analysis-date", help="YYYY-MM-DD; default: the day after the last transaction."
    ),
]
ReturnsOpt = Annotated[str, typer.Option("--returns", help="Return lines: net, drop or error.")]
SepOpt = Annotated[str | None, typer.Option("--sep", help="CSV separator (default: sniffed).")]
EncOpt = Annotated[str | None, typer.Option("--encoding", help="File encoding (default UTF-8).")]


def load_inputs(
    input: Path | None,
    dataset: str | None,
    mapping: str | None,
    events: Path | None = None,
    customers: Path | None = None,
    analysis_date: str | None = None,
    returns: str = "net",
    sep: str | None = None,
    encoding: str | None = None,
) -> Inputs:
    """Read transactions (and events, customers) from files or an embedded dataset."""
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
    )


def _quality(inputs: Inputs) -> None:
    for loaded in (inputs.transactions, inputs.events, inputs.customers):
        if loaded is not None:
            typer.echo(str(loaded.quality), err=True)


def _facts(inputs: Inputs):
    from clientlib.features import customer_facts

    return customer_facts(inputs.transactions, inputs.events, inputs.customers)


def _params(items: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ClientlibError(
                f"cannot read --param {item!r}: write KEY=VALUE, e.g. --param fan_min_orders=4"
            )
        out[key.strip()] = yaml.safe_load(value)
    return out


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
        typer.echo(f"{name:10s} {datasets.describe(name)}")


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
        raise ClientlibError(
            f"unknown dataset {name!r}; available: {', '.join(datasets.available())}"
        )
    path = datasets.export(name, out, table=table)
    typer.echo(f"wrote {path}")


@app.command()
def quality(
    input: InputArg = None,
    dataset: DatasetOpt = None,
    map: MapOpt = None,
    events: EventsOpt = None,
    customers: CustomersOpt = None,
    analysis_date: DateOpt = None,
    returns: ReturnsOpt = "net",
    sep: SepOpt = None,
    encoding: EncOpt = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Read the input and report what happened to every row.

    Example: clientlib quality orders.csv --map customer_id=Client,timestamp=Date,amount=Total
    """
    inputs = load_inputs(
        input, dataset, map, events, customers, analysis_date, returns, sep, encoding
    )
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
def facts(
    input: InputArg = None,
    dataset: DatasetOpt = None,
    map: MapOpt = None,
    events: EventsOpt = None,
    customers: CustomersOpt = None,
    analysis_date: DateOpt = None,
    returns: ReturnsOpt = "net",
    sep: SepOpt = None,
    encoding: EncOpt = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV file to write.")] = Path(
        "facts.csv"
    ),
) -> None:
    """Write one row of facts per customer (recency, orders, spend, shares, contacts...).

    Example: clientlib facts --dataset cdnow -o cdnow_facts.csv
    """
    from clientlib.files import write_csv

    inputs = load_inputs(
        input, dataset, map, events, customers, analysis_date, returns, sep, encoding
    )
    _quality(inputs)
    df = _facts(inputs).to_pandas()
    write_csv(df, out)
    typer.echo(
        f"wrote {len(df):,} customers to {out} (analysis date {inputs.transactions.analysis_date})"
    )


@app.command()
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
    analysis_date: DateOpt = None,
    lang: Annotated[str, typer.Option("--lang", help="Labels: en or ru.")] = "en",
    k: Annotated[str, typer.Option("--k", help="k-means clusters: a number or auto.")] = "auto",
    returns: ReturnsOpt = "net",
    sep: SepOpt = None,
    encoding: EncOpt = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV file to write.")] = Path(
        "segments.csv"
    ),
) -> None:
    """Classify every customer by one or more frameworks; write class, label, reason, action.

    Example: clientlib segment --dataset workshop --framework lifecycle,rfm --lang ru -o seg.csv
    """
    from clientlib.files import write_csv
    from clientlib.segment import segment as run_segment
    from clientlib.segment import summary

    if lang not in {"en", "ru"}:
        raise ClientlibError(f"--lang must be en or ru, not {lang!r}")
    inputs = load_inputs(
        input, dataset, map, events, customers, analysis_date, returns, sep, encoding
    )
    _quality(inputs)
    from clientlib.frameworks import available

    wanted = (
        available() + ["kmeans"]
        if framework == "all"
        else [f.strip() for f in framework.split(",") if f.strip()]
    )
    params = _params(param)
    if k != "auto":
        try:
            k_value: int | str = int(k)
        except ValueError:
            raise ClientlibError(f"--k must be a whole number or auto, not {k!r}") from None
    else:
        k_value = "auto"
    # Collect the facts once (one row per customer); every framework then reads that table.
    import ibis

    facts_df = _facts(inputs).to_pandas()
    facts_expr = ibis.memtable(facts_df)
    rule_based = [f for f in wanted if f != "kmeans"]
    parts, skipped = [], []
    if rule_based or rules is not None:
        df, skipped = run_segment(
            facts_expr, rule_based, rules=rules, params=params or None, lang=lang
        )
        parts.append(df)
    if "kmeans" in wanted:
        from clientlib.clusters import kmeans_segments

        km, _, choice = kmeans_segments(facts_df, k_value, lang=lang)
        if choice is not None:
            typer.echo(f"k-means: {choice.reason}", err=True)
        parts.append(km)
    df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if not df.empty:
        df = df.sort_values(["framework", "customer_id"], kind="stable").reset_index(drop=True)
    for message in skipped:
        typer.echo(f"skipped: {message}", err=True)
    if df.empty:
        raise ClientlibError("no framework could run on this data: " + "; ".join(skipped))
    write_csv(df, out)
    typer.echo(_table(summary(df)))
    typer.echo(f"wrote {len(df):,} rows to {out}")


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
) -> None:
    """Agreement between two segmentations (ARI, AMI, NMI, V-measure, Cramér's V, matching).

    Example: clientlib compare all.csv all.csv --framework-a lifecycle --framework-b kmeans
    """
    from clientlib.compare import compare as compare_frames

    frames = []
    for path, name in ((a, framework_a), (b, framework_b)):
        if not path.is_file():
            raise ClientlibError(f"no such file: {path}")
        df = pd.read_csv(path, dtype={"customer_id": str}, keep_default_na=False, na_values=[""])
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
def report(
    input: InputArg = None,
    dataset: DatasetOpt = None,
    map: MapOpt = None,
    events: EventsOpt = None,
    customers: CustomersOpt = None,
    analysis_date: DateOpt = None,
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
) -> None:
    """Render the report notebook to self-contained HTML (and OUT.ipynb beside it).

    Without INPUT or --dataset the embedded workshop data is used. On failure no HTML is
    written and the executed notebook is kept as OUT.failed.ipynb.

    Example: clientlib report --dataset workshop -p lang=ru -p k=4 -o reports/workshop.html
    """
    from clientlib.reports.parameters import parse_pairs, template_parameters
    from clientlib.reports.render import render_report

    if list_parameters:
        for name, p in template_parameters().items():
            typer.echo(f"{name:16s} {p['inferred_type_name']:16s} {p['default']:12s} {p['help']}")
        return
    if input is not None and dataset is not None:
        raise ClientlibError("give either an INPUT file or --dataset NAME, not both")
    given = {
        "input": str(input) if input else None,
        "dataset": dataset,
        "column_map": map,
        "events": str(events) if events else None,
        "customers": str(customers) if customers else None,
        "analysis_date": analysis_date,
        "lang": lang,
    }
    params = {k: v for k, v in given.items() if v is not None}
    params.update(parse_pairs(param))
    result = render_report(params, out, kernel=kernel, timeout=timeout)
    typer.echo(f"wrote {result.html} and {result.notebook.name} ({result.seconds:.1f} s)")


@reports_app.command("run")
def reports_run(
    config: Annotated[Path, typer.Argument(help="Batch file (YAML), e.g. examples/reports.yml.")],
    date: Annotated[
        str | None,
        typer.Option("--date", help="Run date in file names, YYYY-MM-DD (default: the file's "
                     "run_date, else today)."),
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
) -> None:
    """Render every report of a batch file; write index.html and manifest.json beside them.

    Reports run in parallel, each in its own kernel with a timeout; a failing or hanging
    report does not stop the others. One line per report (status, seconds, path).

    Exit codes: 0 every report rendered or kept; 1 some report failed or timed out;
    2 bad config or arguments, or another batch holds the folder (.clientlib-reports.lock).

    Example: clientlib reports run examples/reports.yml --date 2025-01-06 --jobs 2
    """
    from clientlib.reports.batch import run_batch

    def as_json(event: dict[str, Any]) -> None:
        typer.echo(json.dumps(event, ensure_ascii=False, default=str))

    result = run_batch(
        config, run_date=date, skip_existing=skip_existing, kernel=kernel, output=output,
        jobs=jobs, timeout=timeout, compare_to=compare_to,
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


def _raised_by_clientlib(exc: BaseException) -> bool:
    """True when the innermost frame of the traceback is clientlib's own code."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    package = str(Path(__file__).resolve().parent)
    return tb is not None and str(Path(tb.tb_frame.f_code.co_filename).resolve()).startswith(
        package
    )


def main() -> None:
    """Entry point: user errors are printed as one message and exit code 2, without a traceback."""
    try:
        app()
    except ClientlibError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except (ValueError, KeyError, FileNotFoundError, IsADirectoryError) as exc:
        # Errors raised on purpose by clientlib's own code carry a message meant for the user;
        # anything raised deep inside a library is a bug and keeps its traceback.
        if _raised_by_clientlib(exc):
            typer.echo(f"error: {exc}", err=True)
            sys.exit(2)
        raise


if __name__ == "__main__":
    main()
