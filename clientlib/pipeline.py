"""The whole study in one call: facts → frameworks → clusters → comparison.

Notebooks, the report and the command line compose the same steps; this module is the one place
where that composition lives, with the time each stage took.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis
import pandas as pd

from clientlib import engine
from clientlib.clusters import CustomerClusters, KChoice, KMeansFramework
from clientlib.compare import agreement_matrix
from clientlib.features import customer_facts
from clientlib.io import Loaded
from clientlib.schema import QualityReport
from clientlib.segment import apply, assemble, resolve
from clientlib.threads import limited_threads

__all__ = ["Study", "run_study"]

#: Stage timings and notes go to the "clientlib" logger (quiet unless a handler is set up).
_log = logging.getLogger("clientlib.pipeline")


@dataclass
class Study:
    """Everything one run of :func:`run_study` produced.

    Attributes
    ----------
    facts : pandas.DataFrame
        One row per customer (``docs/CONTRACTS.md``).
    quality : list of QualityReport
        One per table read.
    analysis_date : datetime.date
    segments : pandas.DataFrame
        Long table ``customer_id, framework, class, label, reason, action`` (RFM adds its scores);
        k-means appears as framework ``kmeans``.
    skipped : list of str
        Frameworks that could not run, with the columns they miss.
    kchoice : KChoice or None
        The choice of k (None when k was given).
    model : CustomerClusters or None
        The fitted clustering (None when there are fewer than two buyers).
    agreement : pandas.DataFrame
        AMI between every pair of labelings (frameworks, k-means, true personas when known).
    timings : dict of str to float
        Seconds per stage: ``facts``, ``frameworks``, ``clusters``, ``compare`` (the segment
        table assembled and sorted, then the agreement matrix); together the whole call.
    threads : int
        The BLAS/OpenMP thread cap the clusters stage ran under
        (:func:`clientlib.threads.limited_threads`), to read beside its timing.
    """

    facts: pd.DataFrame
    quality: list[QualityReport]
    analysis_date: Any
    segments: pd.DataFrame
    skipped: list[str]
    kchoice: KChoice | None
    model: CustomerClusters | None
    agreement: pd.DataFrame
    threads: int = 0
    fitted: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def labelings(self) -> dict[str, pd.Series]:
        """Class per customer for each framework (and ``persona`` when the data carries it)."""
        out = {
            name: g.set_index("customer_id")["class"]
            for name, g in self.segments.groupby("framework", sort=True)
        }
        if "persona" in self.facts.columns:
            out["persona"] = self.facts.set_index("customer_id")["persona"]
        return out


def run_study(
    transactions: Loaded,
    events: Loaded | None = None,
    customers: Loaded | None = None,
    *,
    frameworks: Sequence[str] | str = "all",
    k: int | str = "auto",
    lang: str = "en",
    params: dict[str, Any] | None = None,
    random_state: int = 0,
    con: Any = None,
    rules: Any = None,
) -> Study:
    """Run facts, every framework, k-means and the agreement matrix.

    Parameters
    ----------
    transactions, events, customers : Loaded
        From :mod:`clientlib.io` readers (their quality reports are carried along).
    frameworks : list of str or "all"
        Rule-based frameworks to run (k-means always runs).
    k : int or "auto"
    lang : {"en", "ru"}
    params : dict, optional
        ``{framework: {param: value}}`` overrides.
    random_state : int
    rules : path, optional
        A user rulebook run with the frameworks (one with a built-in's id replaces it).
    con : Ibis backend, optional
        Where the facts are computed (default DuckDB).

    Examples
    --------
    >>> from clientlib import datasets
    >>> from clientlib.io import read_transactions
    >>> ds = datasets.load("workshop", n_customers=300, seed=1)
    >>> study = run_study(read_transactions(ds.transactions, ds.mapping), k=3)
    >>> "kmeans" in set(study.segments["framework"])
    True
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    expr = customer_facts(transactions, events, customers)
    # through Arrow: one dtype conversion instead of Ibis' two (engine.to_pandas)
    facts = engine.to_pandas(expr) if con is None else con.to_pandas(expr)
    timings["facts"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    fws, notes = resolve(frameworks, rules, params, lang)
    kmeans = KMeansFramework(k=k, random_state=random_state, lang=lang)
    # Frameworks run on the collected facts: one row per customer is small enough for DuckDB.
    table = ibis.memtable(facts)
    rules_out = apply(fws, table)
    timings["frameworks"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    # k-means' BLAS/OpenMP pools oversubscribe a busy small machine: cap them to the free cores.
    with limited_threads() as threads:
        km_out = apply([kmeans], table)
    timings["clusters"] = time.perf_counter() - t0

    # "compare" includes assembling the segments: sorting 10 frameworks x 1M customers by two
    # text keys takes 3-4 s, which no stage counted before (benchmarks/README.md, stop 11)
    t0 = time.perf_counter()
    segs, skipped = rules_out.classes, rules_out.skipped + km_out.skipped
    columns = [*segs.columns, *(c for c in km_out.classes.columns if c not in segs.columns)]
    segments = assemble([segs, km_out.classes], columns)
    model = kmeans.model_ if "kmeans" in km_out.fitted else None
    choice = kmeans.kchoice_ if "kmeans" in km_out.fitted else None

    study = Study(
        facts=facts,
        quality=[x.quality for x in (transactions, events, customers) if x is not None],
        analysis_date=transactions.analysis_date,
        segments=segments,
        skipped=skipped,
        kchoice=choice,
        model=model,
        agreement=pd.DataFrame(),
        timings=timings,
        threads=threads,
        fitted={**rules_out.fitted, **km_out.fitted},
        notes=notes,
    )
    labelings = study.labelings()
    if len(labelings) >= 2:
        study.agreement = agreement_matrix(labelings, metric="ami")
    timings["compare"] = time.perf_counter() - t0
    for stage, seconds in timings.items():
        _log.info("study: %s took %.2f s", stage, seconds)
    _log.info("study: k-means ran with at most %d BLAS/OpenMP threads", threads)
    for message in notes + skipped:
        _log.info("study: %s", message)
    return study
