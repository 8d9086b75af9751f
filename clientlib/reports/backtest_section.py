"""The report's backtest section: the ranking, BG/NBD observed vs predicted, the checks.

The report cell (added to ``clientlib/templates/report.ipynb`` by the lead) reads::

    from clientlib.reports.backtest_section import show_backtest
    from clientlib.reports.data import load_inputs

    tables = load_inputs(dataset, input, column_map, events, customers, analysis_date,
                         n_customers, seed, options=input_options(
                             returns=returns, duplicates=duplicates, zero_amount=zero_amount,
                             sep=sep, encoding=encoding, date_format=date_format,
                             dayfirst=dayfirst, decimal=decimal))[:3]
    show_backtest(rd, lang, inputs=tables, params=params)

:func:`check_sentences` gives the manager's page the sentences on the purchase cycle and the
P(alive) thresholds ("held: 12 % of dormant customers bought again" / "did not hold: 85 % came
back; a cycle of N days fits the holdout"). :func:`backtest_for` computes the backtest once per
report and keeps it, so both places share one run.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from clientlib import messages
from clientlib.backtest import Backtest, as_date, run_backtest

__all__ = ["backtest_for", "check_sentences", "ranking_table", "show_backtest"]

# One backtest per report (keyed by the ReportData object's id): the section and the manager's
# page read the same run.
_RUNS: dict[int, Backtest] = {}


def backtest_for(rd: Any, inputs: Any = None, params: Any = None,
                 cutoff: Any = None) -> Backtest | None:  # fmt: skip
    """The backtest of a report: computed once from ``inputs`` and kept for the report.

    Parameters
    ----------
    rd : clientlib.reports.data.ReportData
    inputs : Loaded, Inputs or tuple, optional
        The report's tables as :func:`clientlib.reports.data.load_inputs` reads them
        (transactions, events, customers). Without them the embedded dataset named in the
        report's parameters is read again (its default size).
    params : dict or str, optional
        The report's framework params (``{lifecycle: {purchase_cycle_days: 60}}``, YAML text
        as the template's ``params`` parameter), so the backtest runs the frameworks the report
        shows.

    Returns
    -------
    Backtest or None
        None when the data allow no backtest (too short, no repeat buyer).
    """
    key = id(rd)
    if key in _RUNS:
        return _RUNS[key]
    from clientlib.errors import ClientlibError

    if inputs is None:
        name = (rd.parameters or {}).get("dataset")
        if not name:
            return None
        from clientlib.io import read_inputs

        inputs = read_inputs(dataset=name, analysis_date=(rd.parameters or {}).get("analysis_date"))
    from clientlib.reports.data import _framework_params

    names = [n for n in rd.frameworks] + ["kmeans"]
    try:
        bt = run_backtest(inputs, frameworks=names, params=_framework_params(params),
                          cutoff=as_date(cutoff, "backtest_cutoff", rd.lang),
                          lang=rd.lang)  # fmt: skip
    except ClientlibError:
        return None
    _RUNS[key] = bt
    return bt


def check_sentences(bt: Backtest | None, lang: str) -> list[str]:
    """One sentence per checked default (purchase cycle, P(alive) thresholds), in ``lang``.

    Examples
    --------
    >>> check_sentences(None, "en")
    []
    """
    if bt is None:
        return []
    return [c.sentence(lang) for c in bt.checks]


def ranking_table(bt: Backtest, lang: str) -> pd.DataFrame:
    """The ranking with column names in ``lang`` (titles, yes/no), for :func:`html.table`."""
    r = bt.ranking

    def col(name: str) -> str:
        return messages.text(f"backtest.col_{name}", lang)

    return pd.DataFrame({
        col("rank"): r["rank"].astype("int64"),
        col("title"): [bt.title(n, lang) for n in r["framework"]],
        col("customers"): r["customers"].astype("int64"),
        col("largest_share"): r["largest_share"].astype("float64"),
        col("repeat_gap"): r["repeat_gap"].astype("float64"),
        col("mutual_info"): [messages.number(v, lang, 3) for v in r["mutual_info"]],
        col("top_lift"): r["top_lift"].astype("float64"),
        col("informative"): [
            messages.text("backtest.answer_yes" if v else "backtest.answer_no", lang)
            for v in r["informative"]],
    })  # fmt: skip


def show_backtest(rd: Any, lang: str, *, backtest: Backtest | None = None,
                  inputs: Any = None, params: Any = None,
                  cutoff: Any = None) -> None:  # fmt: skip
    """Render the backtest section: intro, BG/NBD line, ranking, checks, one figure a framework.

    Parameters
    ----------
    rd : clientlib.reports.data.ReportData
    lang : {"en", "ru"}
    backtest : Backtest, optional
        A backtest already run; default :func:`backtest_for` ``(rd, inputs)``.
    inputs, params : optional
        The report's tables and framework params (see :func:`backtest_for`).
    cutoff : str or datetime.date, optional
        The last day the frameworks see (the template's ``backtest_cutoff``, e.g. FHL's
        1997-09-30 on the CDNOW sample); default the analysis date minus one purchase cycle.
    """
    import matplotlib.pyplot as plt

    from clientlib import plots
    from clientlib.reports import html as H

    bt = backtest if backtest is not None else backtest_for(rd, inputs, params, cutoff)
    if bt is None:
        return
    intro = messages.text("backtest.section_intro", lang, cutoff=messages.date(bt.cutoff, lang),
                          end=messages.date(bt.holdout_end, lang))  # fmt: skip
    lines = [bt.periods_sentence(lang)]
    if bt.btyd is not None:
        lines.append(bt.btyd_sentence(lang))
    table = ranking_table(bt, lang)
    gap, lift = messages.text("backtest.col_repeat_gap", lang), messages.text(
        "backtest.col_top_lift", lang)  # fmt: skip
    H.show(
        H.heading(messages.text("backtest.section_title", lang), intro=intro),
        H.bullets(lines),
        H.heading(messages.text("backtest.ranking_title", lang), 3),
        H.table(table, percent=[gap, messages.text("backtest.col_largest_share", lang)],
                decimals=[lift], lang=lang),
        H.paragraph(messages.text("backtest.ranking_note", lang)),
    )
    sentences = check_sentences(bt, lang)
    if sentences:
        H.show(H.heading(messages.text("backtest.checks_title", lang), 3), H.bullets(sentences))
    for name in bt.ranking["framework"]:
        H.show(H.heading(bt.title(name, lang), 4))
        plots.backtest_figure(bt, name, lang=lang)
        plt.show()
