"""Everything one report shows, computed in the package so the template notebook stays thin."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import yaml

from clientlib.schema import ClientlibError

__all__ = ["ReportData", "framework_titles", "load_inputs", "parse_k", "prepare"]


@dataclass
class ReportData:
    """The inputs of every section of the report.

    Attributes
    ----------
    lang : str
    title : str
        Report title (the parameter, or the default title in ``lang``).
    source : str
        Where the data came from, in words (dataset name or file name).
    study : clientlib.pipeline.Study
    titles : dict of str to str
        Display name of every labeling (framework id, ``kmeans``, ``persona``).
    snapshots : pandas.DataFrame or None
        Lifecycle status per month end (``timeline.snapshots``), None when not computed.
    parameters : dict
        The report parameters as given.
    timings : dict of str to float
        Seconds per stage (the study's stages plus ``load`` and ``timeline``).
    cluster_names : dict of int to str
        Name of every k-means cluster in ``lang`` (empty without a model).
    currency : str
        Currency sign shown with money: the ``currency`` parameter, else the one sign the
        reader stripped from the amounts, else "" (none shown).
    inputs : tuple or None
        The tables read (transactions, events, customers), so a later section (the backtest)
        classifies again without reading the files twice.
    """

    lang: str
    title: str
    source: str
    study: Any
    titles: dict[str, str]
    snapshots: pd.DataFrame | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    cluster_names: dict[int, str] = field(default_factory=dict)
    currency: str = ""
    inputs: tuple[Any, Any, Any] | None = None

    @property
    def frameworks(self) -> list[str]:
        """Rule-based frameworks that ran (k-means excluded), in teaching order (``order:``)."""
        from clientlib.reports.summary import teaching_order

        names = list(dict.fromkeys(self.study.segments["framework"]))
        return teaching_order([n for n in names if n != "kmeans"])

    def rows(self, framework: str) -> pd.DataFrame:
        """The segment rows of one framework (or ``kmeans``)."""
        seg = self.study.segments
        return seg[seg["framework"] == framework].reset_index(drop=True)


def parse_k(k: Any) -> int | str:
    """``"auto"`` or a whole number >= 2.

    Examples
    --------
    >>> parse_k("auto"), parse_k("4"), parse_k(3)
    ('auto', 4, 3)
    """
    if isinstance(k, str) and k.strip().lower() == "auto":
        return "auto"
    try:
        value = int(str(k).strip())
    except ValueError:
        raise ClientlibError(f"k must be a whole number >= 2 or auto, not {k!r}") from None
    if value < 2:
        raise ClientlibError(f"k must be at least 2, not {value}")
    return value


def _frameworks(spec: Any) -> list[str] | str:
    if spec is None or (isinstance(spec, str) and spec.strip() in ("", "all")):
        return "all"
    items = spec if isinstance(spec, list | tuple) else str(spec).split(",")
    names = [str(x).strip() for x in items if str(x).strip()]
    return names or "all"


def _framework_params(spec: Any) -> dict[str, Any] | None:
    if spec in (None, ""):
        return None
    value = yaml.safe_load(spec) if isinstance(spec, str) else spec
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ClientlibError(
            "params must be a mapping of framework to its params, "
            "e.g. '{lifecycle: {fan_min_orders: 4}}'"
        )
    return value


def load_inputs(
    dataset: str = "workshop",
    input: str = "",
    column_map: str = "",
    events: str = "",
    customers: str = "",
    analysis_date: str = "",
    n_customers: int = 2000,
    seed: int = 0,
    options: Any = None,
    source: str = "",
    table: str = "",
    query: str = "",
    events_table: str = "",
    customers_table: str = "",
    lang: str = "en",
) -> tuple[Any, Any, Any, str]:
    """Read transactions, events and customers from a file or an embedded dataset.

    Parameters
    ----------
    dataset : str
        Embedded dataset (``clientlib.datasets.available()``); used when ``input`` is empty.
    input, events, customers : str
        Files (CSV/TSV/Parquet); empty = none.
    column_map : str
        ``ROLE=COLUMN,...`` (see ``clientlib.schema.parse_mapping``).
    analysis_date : str
        ``YYYY-MM-DD``; empty = the day after the last transaction.
    n_customers, seed : int
        Size and seed of the synthetic ``workshop`` dataset.
    options : clientlib.options.InputOptions, optional
        The reader options (returns, duplicates, zero amounts, CSV and date/number formats).
    source, table, query, events_table, customers_table : str
        A database URL (its password, if any, in the environment: :func:`clientlib.sources.hide`)
        with the transactions' table or query, instead of ``input`` (:mod:`clientlib.sources`).
    lang : str
        Language of a database error.

    Returns
    -------
    (Loaded, Loaded or None, Loaded or None, str)
        The three tables and a short description of the source.
    """
    from clientlib.io import read_inputs

    if source:
        from clientlib import sources

        db = sources.database(source, table, query, lang=lang, what="source")
        assert db is not None
        got = sources.read_inputs(
            db, mapping=column_map or None, events=events or None, customers=customers or None,
            events_table=events_table or None, customers_table=customers_table or None,
            options=_with_date(options, analysis_date), lang=lang,
        )
        return got.transactions, got.events, got.customers, got.source
    ds_options = (
        {"n_customers": int(n_customers), "seed": int(seed)} if dataset == "workshop" else {}
    )
    inputs = read_inputs(
        input or None,
        dataset=None if input else dataset,
        mapping=column_map or None,
        events=events or None,
        customers=customers or None,
        analysis_date=str(analysis_date) if analysis_date not in (None, "") else None,
        dataset_options=ds_options,
        options=options,
    )
    return inputs.transactions, inputs.events, inputs.customers, inputs.source


def _with_date(options: Any, analysis_date: Any) -> Any:
    """The reader options with the analysis date parameter in them (empty: the default)."""
    from clientlib.options import InputOptions

    given = options.model_dump() if options is not None else {}
    if analysis_date not in (None, ""):
        given["analysis_date"] = str(analysis_date)
    return InputOptions.parse(given)


def framework_titles(names: list[str], lang: str) -> dict[str, str]:
    """Display name of each labeling: the rulebook title, ``k-means``, ``True persona``.

    Examples
    --------
    >>> framework_titles(["kmeans", "persona"], "en")
    {'kmeans': 'k-means', 'persona': 'True persona'}
    """
    from clientlib import frameworks
    from clientlib.reports.text import t

    out: dict[str, str] = {}
    for name in names:
        if name in ("kmeans", "persona"):
            out[name] = t(lang, name)
            continue
        try:
            out[name] = frameworks.load(name).title(lang)
        except ClientlibError:  # a user rulebook path or an unknown name: show the id
            out[name] = name
    return out


def _cluster_names(study: Any, lang: str) -> dict[int, str]:
    """Cluster id -> name as the k-means rows label them (already in the study's language)."""
    if study.model is None:
        return {}
    seg = study.segments
    rows = seg[(seg["framework"] == "kmeans") & seg["class"].str.startswith("cluster_")]
    pairs = rows[["class", "label"]].drop_duplicates("class")
    return {int(c.removeprefix("cluster_")): str(lbl) for c, lbl in pairs.itertuples(index=False)}


def _k_shown(asked: int | str, study: Any, lang: str) -> str:
    """The k parameter as the About line shows it: what was asked and, if other, what was used."""
    from clientlib.reports.text import t

    used = int(study.model.n_clusters) if study.model is not None else None
    if asked == "auto":
        word = t(lang, "param_value_auto")
        return f"{word} (k = {used})" if used is not None else word
    if used is not None and used != asked:
        return f"{asked} → {used}"
    return str(asked)


def _month_start(d: dt.date, months_back: int) -> dt.date:
    y, m = divmod(d.year * 12 + (d.month - 1) - months_back, 12)
    return dt.date(y, m + 1, 1)


def prepare(
    *,
    dataset: str = "workshop",
    input: str = "",
    column_map: str = "",
    events: str = "",
    customers: str = "",
    analysis_date: str = "",
    frameworks: Any = "all",
    k: Any = "auto",
    lang: str = "en",
    title: str = "",
    params: Any = "",
    n_customers: int = 2000,
    timeline_months: int = 12,
    seed: int = 0,
    options: Any = None,
    currency: str = "",
    source: str = "",
    table: str = "",
    query: str = "",
    events_table: str = "",
    customers_table: str = "",
) -> ReportData:
    """Load the data and compute the study and the lifecycle timeline for a report.

    Parameters are those of the template's ``parameters`` cell (see
    ``clientlib/templates/report.ipynb``). The timeline covers the last ``timeline_months``
    month ends before the analysis date (0 skips it); it needs the ``lifecycle`` framework.
    ``currency`` is the sign shown with money (empty: the one the reader stripped from the
    amounts, if any; ``none`` or ``-``: no sign).

    Returns
    -------
    ReportData

    Examples
    --------
    >>> rd = prepare(n_customers=150, k=3, timeline_months=0)
    >>> rd.study.kchoice.requested, "kmeans" in rd.titles
    (3, True)
    """
    import time

    from clientlib import timeline
    from clientlib.pipeline import run_study
    from clientlib.reports.text import LANGS, t

    if lang not in LANGS:
        raise ClientlibError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    k_value = parse_k(k)
    names = _frameworks(frameworks)
    fw_params = _framework_params(params)
    t0 = time.perf_counter()
    tx, ev, cu, where = load_inputs(
        dataset, input, column_map, events, customers, analysis_date, n_customers, seed,
        options=options, source=source, table=table, query=query, events_table=events_table,
        customers_table=customers_table, lang=lang,
    )
    load_s = time.perf_counter() - t0
    study = run_study(
        tx, ev, cu, frameworks=names, k=k_value, lang=lang, params=fw_params, random_state=seed
    )
    timings = {"load": load_s, **study.timings}
    cluster_names = _cluster_names(study, lang)
    labelings = list(dict.fromkeys(study.segments["framework"]))
    labelings += [n for n in study.agreement.index if n not in labelings]
    from clientlib.reports.decisions import currency_from_notes

    shown = str(currency or "").strip()
    if shown.lower() in ("none", "-"):
        shown = ""
    elif not shown:
        shown = currency_from_notes(study.quality)
    rd = ReportData(
        lang=lang,
        title=title or t(lang, "title"),
        source=where,
        study=study,
        titles=framework_titles(labelings, lang),
        parameters={
            "dataset": dataset if not (input or source) else "",
            "input": where if input and not source else "",
            "source": where if source else "",  # the URL without its password, and the table
            "analysis_date": study.analysis_date.isoformat(),  # views.about_items: for people
            "frameworks": t(lang, "param_value_all") if names == "all" else ",".join(names),
            "k": _k_shown(k_value, study, lang),
            "lang": lang,
            "currency": shown,
        },
        timings=timings,
        cluster_names=cluster_names,
        currency=shown,
        inputs=(tx, ev, cu),
    )
    if int(timeline_months) > 0 and "lifecycle" in rd.frameworks:
        t0 = time.perf_counter()
        end = study.analysis_date
        start = _month_start(end, int(timeline_months) - 1)
        lc_params = (fw_params or {}).get("lifecycle")
        rd.snapshots = timeline.snapshots(
            tx, ev, cu, framework="lifecycle", freq="MS", start=start, end=end, params=lc_params
        )
        rd.timings["timeline"] = time.perf_counter() - t0
    return rd
