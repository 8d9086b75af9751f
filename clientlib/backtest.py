"""The backtest: classify at a past date, then see what each class's customers did next.

Agreement between two frameworks (:mod:`clientlib.compare`) says how alike their labelings are,
not which one is right. The backtest asks the data: every applicable framework is fitted and
applied as the study does it (:func:`clientlib.pipeline.run_study`, :func:`clientlib.segment.
apply`) on the transactions up to a **cutoff**, and each class is scored by what its customers
did in the **holdout** that follows: the share who bought again, orders, revenue and, for the
BG/NBD model, predicted against actual purchases. Frameworks are ranked by how well their
classes separate who came back, and the defaults that say "this customer is gone" (the
lifecycle's purchase cycle, the P(alive) thresholds) are checked against what happened.

Periods
-------
The cutoff is the **last day of the calibration period, included** (Fader, Hardie & Lee's
1997-09-30, lifetimes' ``calibration_period_end``): the frameworks see the transactions strictly
before ``cutoff + 1 day`` (the calibration study's analysis date). The holdout runs from
``cutoff + 1 day`` to ``holdout_end``, both included; its default is the last day the data
covers (the day before the analysis date of ``loaded``). The default cutoff is ``holdout_end``
minus one purchase cycle (the lifecycle's automatic cycle, learned on all the data, rounded up
to whole days), so the holdout asks "who bought within one cycle?".

The purchase model follows the papers' period convention
--------------------------------------------------------
clientlib's facts measure a customer's age ``T`` to the start of the analysis date, one day more
than FHL (2005) and lifetimes, which measure it to the calibration end (issue 26). The backtest
uses the papers' convention for the ``btyd`` framework: its facts' ``T`` is ``cutoff - first
purchase day``. With it and BG/NBD (``model: bgnbd``), the CDNOW 1/10 sample at the cutoff
1997-09-30 gives FHL's figures: 2,357 customers, 1,882 repeat purchases observed in the 39-week
holdout to 1998-06-30 and 1,653.4 predicted; the default model, Pareto/NBD, predicts
1,665.5. A purchase here is a purchase day (several orders on one day are one purchase, as in
the papers).

Examples
--------
>>> bt = run_backtest("cdnow_sample", cutoff=dt.date(1997, 9, 30), frameworks=["btyd"],
...                   params={"btyd": {"model": "bgnbd"}})
>>> bt.btyd["customers"], bt.btyd["observed"], round(bt.btyd["predicted"], 1)
(2357, 1882, 1653.4)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from clientlib import messages
from clientlib.errors import OptionError

__all__ = [
    "BY_CLASS_COLUMNS",
    "MIN_CLASS",
    "NO_SIGNAL_SHARE",
    "RANKING_COLUMNS",
    "Backtest",
    "Check",
    "as_date",
    "by_class_view",
    "data_end",
    "ranking_view",
    "run_backtest",
    "ranking_from",
]

#: Classes smaller than this take no part in the repeat gap, the top lift or a proposal: a class
#: of three customers who all came back says little.
MIN_CLASS = 10

#: A framework whose classes and "bought again" are independent at this level (G-test) carries
#: no information about the holdout: it is ranked last and flagged.
SIGNIFICANCE = 0.01

#: A framework whose largest class holds at least this share of its customers is "no signal"
#: (issue 21): however significant, it is ranked with the uninformative ones.
NO_SIGNAL_SHARE = 0.95

#: Share of a "gone" class that may buy again before the default that made it is refuted.
MOST = 0.5

BY_CLASS_COLUMNS = (
    "framework", "class", "label", "customers", "bought_again", "orders_per_customer",
    "revenue", "predicted_purchases", "actual_purchases",
)  # fmt: skip
RANKING_COLUMNS = (
    "framework", "title", "customers", "largest_share", "repeat_gap", "mutual_info", "top_lift",
    "p_value", "informative", "rank",
)  # fmt: skip

# Classes whose defaults are checked: (framework, class) -> the param that made the class.
_CHECKED = {
    ("lifecycle", "dormant"): "purchase_cycle_days",
    ("btyd", "likely_lost"): "at_risk_min",
    ("btyd", "at_risk"): "active_min",
}
# Customers P(alive) scores (a class of the btyd rulebook, not "not a buyer yet").
_SCORED = ("active", "at_risk", "likely_lost")


@dataclass(frozen=True)
class Check:
    """A default checked against the holdout.

    Attributes
    ----------
    framework, class_id : str
        ``lifecycle``/``dormant`` (the purchase cycle), ``btyd``/``likely_lost`` (P(alive) below
        ``at_risk_min``) or ``btyd``/``at_risk`` (below ``active_min``).
    customers : int
        Customers of the class at the cutoff.
    share_bought_again : float
        Share of them with an order in the holdout (0..1).
    held : bool
        False when most of the class (more than :data:`MOST`) bought again.
    proposal : dict or None
        When not held, the value the holdout supports: ``{"purchase_cycle_days": N}`` is the
        smallest cycle (whole days, longer than the one used) at which fewer than half the
        customers it calls dormant bought again; ``{"at_risk_min": p}`` / ``{"active_min": p}``
        the largest threshold (0.01 steps, below the one used) at which fewer than half the
        class bought again. Only groups of at least :data:`MIN_CLASS` customers count; None when
        held or when no value satisfies it.
    current : dict
        The value used (``{"purchase_cycle_days": 90.0}``, ``{"at_risk_min": 0.3, ...}``).
    label : str
        The class label in the language of the run.
    labels : dict of str to str
        The class label in every language (:data:`clientlib.messages.LANGS`).
    """

    framework: str
    class_id: str
    customers: int
    share_bought_again: float
    held: bool
    proposal: dict[str, Any] | None
    current: dict[str, Any] = dataclasses.field(default_factory=dict)
    label: str = ""
    labels: dict[str, str] = dataclasses.field(default_factory=dict)

    def sentence(self, lang: str = "en") -> str:
        """What the check found, in one sentence of ``lang`` (the message catalog's).

        Examples
        --------
        >>> c = Check("lifecycle", "dormant", 400, 0.12, True, None, {"purchase_cycle_days": 90})
        >>> c.sentence("en")[:59]
        'The purchase cycle (90 days) held: 12.0% of the 400 dormant'
        """
        messages.check_lang(lang)
        share = messages.percent(self.share_bought_again, lang)
        n = messages.number(self.customers, lang)
        if self.framework == "lifecycle":
            cycle = float(self.current.get("purchase_cycle_days", float("nan")))
            digits = 0 if cycle == round(cycle) else 1
            fields = {"cycle": messages.number(cycle, lang, digits)}
            stem = "backtest.cycle"
        else:
            cur = self.current
            fields = {
                "label": self.labels.get(lang) or self.label or self.class_id,
                "low": messages.number(cur.get("at_risk_min"), lang, 2),
                "high": messages.number(cur.get("active_min"), lang, 2),
            }
            stem = f"backtest.{self.class_id}"
        if self.held:
            return messages.text(f"{stem}_held", lang, share=share, n=n, **fields)
        head = messages.text(f"{stem}_not_held", lang, share=share, n=n, **fields)
        if self.proposal is None:
            return head + messages.text("backtest.no_proposal", lang)
        key, value = next(iter(self.proposal.items()))
        shown = messages.number(value, lang, 0 if key == "purchase_cycle_days" else 2)
        return head + messages.text(f"backtest.proposal_{key}", lang, value=shown)


@dataclass(frozen=True)
class Backtest:
    """What :func:`run_backtest` measured.

    Attributes
    ----------
    cutoff, holdout_end : datetime.date
        Last day of the calibration period and of the holdout (both included).
    by_class : pandas.DataFrame
        :data:`BY_CLASS_COLUMNS`, one row per framework and class (classes in the rulebook's
        order, k-means clusters by number): customers at the cutoff, the share with an order in
        the holdout (``bought_again``, 0..1), holdout orders per customer, holdout revenue
        (returns netted), purchases (purchase days) predicted by BG/NBD (NaN for the other
        frameworks) and made.
    ranking : pandas.DataFrame
        :data:`RANKING_COLUMNS`, sorted by ``rank``. ``largest_share``: the share of the
        framework's customers in its largest class. ``repeat_gap``: best minus worst class
        repeat rate (classes of at least :data:`MIN_CLASS` customers); ``mutual_info``: the
        mutual information between class and "bought again", **in bits** (at most 1 bit, the
        entropy of a yes/no outcome; read it against ``H(bought again)``, the same for every
        framework of one run); ``top_lift``: the best class's repeat rate over the framework's
        overall rate; ``p_value``: the G-test of independence of class and "bought again";
        ``informative``: ``p_value < SIGNIFICANCE`` and ``largest_share <
        NO_SIGNAL_SHARE`` (a framework that puts nearly everybody in one class is "no signal",
        however significant on a large base). Informative frameworks come first, by
        mutual information then repeat gap; the others are ranked last.
    btyd : dict or None
        ``customers`` (in the BG/NBD fit), ``observed`` and ``predicted`` total holdout repeat
        purchases, ``days`` of the holdout and the fitted ``r, alpha, a, b`` (alpha in days);
        None when the model did not run.
    checks : list of Check
    titles : dict of str to str
        Title of every framework in the run's language.
    skipped : list of str
        Frameworks that could not run at the cutoff, with the reason.
    lang : str
    customers : pandas.DataFrame
        One row per customer and framework: ``customer_id, framework, class, label`` at the
        cutoff (BG/NBD adds ``p_alive, expected_purchases``), then the holdout's ``orders``,
        ``purchases`` (purchase days), ``revenue`` and ``bought`` (an order in the holdout).
        Whom to call, and the input of :func:`ranking_from`.
    """

    cutoff: dt.date
    holdout_end: dt.date
    by_class: pd.DataFrame
    ranking: pd.DataFrame
    btyd: dict[str, Any] | None
    checks: list[Check]
    titles: dict[str, str] = dataclasses.field(default_factory=dict)
    skipped: list[str] = dataclasses.field(default_factory=list)
    lang: str = "en"
    customers: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)

    @property
    def holdout_start(self) -> dt.date:
        """First day of the holdout (the day after the cutoff)."""
        return self.cutoff + dt.timedelta(days=1)

    @property
    def holdout_days(self) -> int:
        """Days in the holdout."""
        return (self.holdout_end - self.cutoff).days

    def title(self, framework: str, lang: str | None = None) -> str:
        """The framework's title in ``lang`` (default: the run's language)."""
        lang = lang or self.lang
        if lang == self.lang and framework in self.titles:
            return self.titles[framework]
        return _title_in(framework, lang)

    def labels(self, framework: str, lang: str | None = None) -> dict[str, str]:
        """Class id -> label of one framework in ``lang`` (k-means keeps the run's names)."""
        lang = lang or self.lang
        rows = self.by_class[self.by_class["framework"] == framework]
        out = dict(zip(rows["class"], rows["label"].astype(str), strict=True))
        if lang != self.lang and framework != "kmeans":
            out.update({k: v for k, v in _labels_in(framework, lang).items() if k in out})
        return out

    def periods_sentence(self, lang: str = "en") -> str:
        """The cutoff and the holdout in words of ``lang``."""
        d = messages.date
        return messages.text(
            "backtest.periods", lang, cutoff=d(self.cutoff, lang),
            start=d(self.holdout_start, lang), end=d(self.holdout_end, lang),
            days=messages.number(self.holdout_days, lang),
        )  # fmt: skip

    def btyd_sentence(self, lang: str = "en") -> str:
        """BG/NBD's holdout repeat purchases, observed against predicted, in words of ``lang``."""
        if self.btyd is None:
            return messages.text("backtest.btyd_none", lang)
        return messages.text(
            "backtest.btyd_line", lang, n=messages.number(self.btyd["customers"], lang),
            observed=messages.number(self.btyd["observed"], lang),
            predicted=messages.number(self.btyd["predicted"], lang, 1),
            model=messages.text(f"btyd.model_{self.btyd.get('model', 'bgnbd')}", lang),
        )  # fmt: skip


# --------------------------------------------------------------------------------------------
# Inputs and periods
# --------------------------------------------------------------------------------------------


def _inputs(loaded: Any) -> tuple[Any, Any, Any]:
    """Transactions, events and customers (``Loaded`` or None) of what the caller gave."""
    from clientlib.io import Inputs, Loaded, read_inputs

    if isinstance(loaded, str):
        loaded = read_inputs(dataset=loaded)
    if isinstance(loaded, Inputs):
        return loaded.transactions, loaded.events, loaded.customers
    if isinstance(loaded, Loaded):
        return loaded, None, None
    if isinstance(loaded, tuple | list) and loaded and isinstance(loaded[0], Loaded):
        rest = list(loaded[1:3]) + [None] * (3 - len(loaded[:3]))
        return loaded[0], rest[0], rest[1]
    raise TypeError(
        "run_backtest needs what clientlib.io's readers return (Loaded or Inputs) or the name "
        f"of an embedded dataset, not {type(loaded).__name__}"
    )


def as_date(value: Any, what: str, lang: str = "en") -> dt.date | None:
    """A date from ``YYYY-MM-DD`` text (or a date), None when empty; else a one-line
    :class:`OptionError` in ``lang`` naming ``what``.

    Examples
    --------
    >>> as_date("1997-09-30", "--cutoff")
    datetime.date(1997, 9, 30)
    """
    from clientlib.io import parse_analysis_date

    if value is None or value == "":
        return None
    try:
        return parse_analysis_date(value)
    except Exception:  # noqa: BLE001 - any unreadable date is the user's one-line error
        why = messages.text("backtest.err_date", lang, what=what, value=str(value)[:30])
        raise OptionError(why) from None


def data_end(tx: Any) -> dt.date:
    """The last day the transactions cover: the day before their analysis date, or the day of
    the last transaction when that is earlier (the default end of the holdout).
    """
    last = _span(tx)[1]
    if tx.analysis_date is not None:
        last = min(last, tx.analysis_date - dt.timedelta(days=1))
    return last


def _span(tx: Any) -> tuple[dt.date, dt.date]:
    """First and last day with a transaction."""
    row = tx.table.aggregate(lo=tx.table.timestamp.min(), hi=tx.table.timestamp.max()).to_pandas()
    lo, hi = row["lo"].iloc[0], row["hi"].iloc[0]
    if pd.isna(lo):
        raise OptionError("the transactions are empty: nothing to backtest")
    return pd.Timestamp(lo).date(), pd.Timestamp(hi).date()


def _cycle_days(tx: Any, ev: Any, cu: Any, params: dict[str, Any] | None) -> int | None:
    """The lifecycle's purchase cycle on all the data (whole days, rounded up), or None."""
    from clientlib import frameworks
    from clientlib.features import customer_facts
    from clientlib.frameworks.lifecycle import estimate_purchase_cycle

    default = frameworks.load("lifecycle").params.get("purchase_cycle_days")
    given = (params or {}).get("purchase_cycle_days", default)  # a flat --param
    given = ((_only(params, "lifecycle") or {}).get("lifecycle") or {}).get(
        "purchase_cycle_days", given
    )
    if isinstance(given, int | float) and not isinstance(given, bool):
        return math.ceil(float(given))
    cycle = estimate_purchase_cycle(customer_facts(tx, ev, cu))
    return None if cycle is None else math.ceil(cycle)


def _only(params: dict[str, Any] | None, framework: str) -> dict[str, Any] | None:
    """The overrides of one framework from ``{framework: {...}}`` / ``{"framework.p": v}``."""
    if not params:
        return None
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key == framework and isinstance(value, dict):
            out.update(value)
        elif key.startswith(framework + "."):
            out[key.split(".", 1)[1]] = value
    return {framework: out} if out else None


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


def run_backtest(
    loaded: Any,
    *,
    cutoff: dt.date | None = None,
    holdout_end: dt.date | None = None,
    frameworks: Sequence[str] | str = "all",
    params: dict[str, Any] | None = None,
    lang: str = "en",
) -> Backtest:
    """Classify at ``cutoff`` with every framework, then measure each class in the holdout.

    Parameters
    ----------
    loaded : Loaded, Inputs or str
        What :mod:`clientlib.io`'s readers return (the transactions ``Loaded``, or ``Inputs``
        with events and customers), or the name of an embedded dataset.
    cutoff : datetime.date, optional
        Last day of the calibration period (included). Default: ``holdout_end`` minus the
        lifecycle's purchase cycle (automatic unless ``params`` sets it).
    holdout_end : datetime.date, optional
        Last day of the holdout (included). Default: the last day the data covers.
    frameworks : list of str or "all"
        Frameworks to backtest (``kmeans`` included in "all"; name it in a list to keep it).
    params : dict, optional
        ``{framework: {param: value}}`` overrides, as in :func:`clientlib.pipeline.run_study`.
    lang : {"en", "ru"}
        Labels, titles and the errors' language.

    Returns
    -------
    Backtest

    Raises
    ------
    OptionError
        A cutoff outside the data or not before the holdout end, a holdout end past the data,
        no repeat buyer to learn a default cycle from (one line, in ``lang``).

    Notes
    -----
    BG/NBD is fitted in the papers' period convention (``T`` to the cutoff day, see the module
    docstring), the other frameworks exactly as the study fits them at the analysis date
    ``cutoff + 1 day``. Customers first seen in the holdout are in no class and are not counted.
    """
    import ibis

    from clientlib.features import customer_facts
    from clientlib.pipeline import run_study
    from clientlib.segment import apply, resolve

    messages.check_lang(lang)
    tx, ev, cu = _inputs(loaded)
    first, last = _span(tx)
    if tx.analysis_date is not None:
        last = min(last, tx.analysis_date - dt.timedelta(days=1))
    cutoff = as_date(cutoff, "cutoff", lang)
    holdout_end = as_date(holdout_end, "holdout_end", lang)
    end = last if holdout_end is None else holdout_end
    if end > last:
        raise OptionError(messages.text(
            "backtest.err_holdout_end", lang, end=messages.date(end, lang),
            last=messages.date(last, lang)))  # fmt: skip
    if cutoff is None:
        cycle = _cycle_days(tx, ev, cu, params)
        if cycle is None:
            raise OptionError(messages.text("backtest.err_no_cycle", lang))
        cutoff = end - dt.timedelta(days=cycle)
    if not first <= cutoff < end:
        raise OptionError(messages.text(
            "backtest.err_cutoff", lang, cutoff=messages.date(cutoff, lang),
            first=messages.date(first, lang), end=messages.date(end, lang)))  # fmt: skip

    # Frameworks as the study resolves them (params routed and checked once, here).
    from clientlib import frameworks as catalog

    names = list(catalog.available()) if frameworks == "all" else [frameworks] if isinstance(
        frameworks, str) else list(frameworks)  # fmt: skip
    want_kmeans = frameworks == "all" or "kmeans" in names
    names = [n for n in names if n != "kmeans"]
    fws, _notes = resolve(names, None, params, lang)
    rest = [f for f in fws if f.id != "btyd"]
    bg = next((f for f in fws if f.id == "btyd"), None)

    calib_date = cutoff + dt.timedelta(days=1)
    tx_cal = dataclasses.replace(tx, analysis_date=calib_date)
    if want_kmeans:
        # framework objects (params already routed): run_study resolves them as given
        chosen: Any = rest
        study = run_study(tx_cal, ev, cu, frameworks=chosen, lang=lang, random_state=0)
        facts, segments = study.facts, study.segments
        skipped, fitted = list(study.skipped), dict(study.fitted)
    else:
        # run_study's first stages without k-means (its choice of k is the costly part)
        from clientlib import engine

        facts = engine.to_pandas(customer_facts(tx_cal, ev, cu))
        ruled = apply(rest, ibis.memtable(facts))
        segments, skipped, fitted = ruled.classes, list(ruled.skipped), dict(ruled.fitted)

    # BG/NBD in the papers' convention: T to the cutoff day, expected purchases over the holdout.
    holdout_days = (end - cutoff).days
    if bg is not None:
        paper = facts.assign(T=facts["T"] - 1.0)
        overrides = {**(bg.get_params().get("overrides") or {}), "horizon_days": holdout_days}
        bg.set_params(overrides=overrides)
        out = apply([bg], ibis.memtable(paper))
        skipped += out.skipped
        if "btyd" in out.fitted:
            fitted["btyd"] = out.fitted["btyd"]
            parts = [s for s in (segments, out.classes) if not s.empty]
            segments = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]

    # What every customer did in the holdout, by the facts' own definitions.
    start_ts = dt.datetime(calib_date.year, calib_date.month, calib_date.day)
    later = tx.table.filter(tx.table.timestamp >= ibis.literal(start_ts, type="timestamp"))
    after = customer_facts(later, analysis_date=end + dt.timedelta(days=1))
    done = after.select("customer_id", "orders", "purchase_days", "total_spend").to_pandas()
    done = done.set_index("customer_id")

    by_class = _by_class(segments, done, fitted, lang)
    titles = _titles(fitted, lang)
    rows = _customer_rows(segments, done)
    ranking = ranking_from(rows, titles)
    btyd = _btyd_totals(segments, done, fitted, holdout_days)
    checks = _checks(segments, done, fitted, facts, by_class)
    return Backtest(
        cutoff=cutoff, holdout_end=end, by_class=by_class, ranking=ranking, btyd=btyd,
        checks=checks, titles=titles, skipped=skipped, lang=lang, customers=rows,
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# Measures
# --------------------------------------------------------------------------------------------


def _customer_rows(segments: pd.DataFrame, done: pd.DataFrame) -> pd.DataFrame:
    """Segments with each customer's holdout orders, purchase days, revenue and ``bought``."""
    cols = ["customer_id", "framework", "class", "label"]
    extra = [c for c in ("p_alive", "expected_purchases") if c in segments.columns]
    rows = segments[cols + extra].reset_index(drop=True)
    ids = rows["customer_id"]
    rows["orders"] = done["orders"].reindex(ids).fillna(0).to_numpy(dtype="float64")
    rows["purchases"] = done["purchase_days"].reindex(ids).fillna(0).to_numpy(dtype="float64")
    rows["revenue"] = done["total_spend"].reindex(ids).fillna(0).to_numpy(dtype="float64")
    rows["bought"] = rows["orders"] > 0
    return rows


def _class_order(fw: Any, found: Sequence[str]) -> list[str]:
    """The classes in the rulebook's order (k-means: by cluster number), then any other."""
    order: list[str] = []
    if fw is not None and getattr(fw, "id", "") != "kmeans":
        try:
            order = [row["id"] for row in fw.describe("en")]
        except Exception:  # noqa: BLE001 - a framework without a description: found order
            order = []
    key = lambda c: (int(c.rsplit("_", 1)[-1]) if c.rsplit("_", 1)[-1].isdigit() else 10**9, c)  # noqa: E731
    tail = sorted((c for c in found if c not in order), key=key)
    return [c for c in order if c in set(found)] + tail


def _by_class(
    segments: pd.DataFrame, done: pd.DataFrame, fitted: dict[str, Any], lang: str
) -> pd.DataFrame:
    rows = _customer_rows(segments, done)
    out = []
    for name in dict.fromkeys(rows["framework"]):
        part = rows[rows["framework"] == name]
        order = _class_order(fitted.get(name), list(dict.fromkeys(part["class"])))
        g = part.groupby("class", sort=False)
        for cls in order:
            grp = g.get_group(cls)
            n = len(grp)
            predicted = (
                float(grp["expected_purchases"].sum(min_count=1))
                if name == "btyd" and "expected_purchases" in grp
                else float("nan")
            )
            out.append({
                "framework": name, "class": cls, "label": str(grp["label"].iloc[0]),
                "customers": n, "bought_again": float(grp["bought"].mean()),
                "orders_per_customer": float(grp["orders"].sum() / n),
                "revenue": float(grp["revenue"].sum()),
                "predicted_purchases": predicted,
                "actual_purchases": float(grp["purchases"].sum()),
            })  # fmt: skip
    df = pd.DataFrame(out, columns=list(BY_CLASS_COLUMNS))
    return df.astype({"customers": "int64"})


def _titles(fitted: dict[str, Any], lang: str) -> dict[str, str]:
    out = {}
    for name, fw in fitted.items():
        if name == "kmeans":
            out[name] = messages.text("backtest.kmeans_title", lang)
            continue
        try:
            out[name] = str(fw.title(lang))
        except Exception:  # noqa: BLE001 - a framework without a title shows its id
            out[name] = name
    return out


def _title_in(framework: str, lang: str) -> str:
    if framework == "kmeans":
        return messages.text("backtest.kmeans_title", lang)
    from clientlib import frameworks

    try:
        return str(frameworks.load(framework).title(lang))
    except Exception:  # noqa: BLE001 - a user rulebook no longer found: its id
        return framework


def _labels_in(framework: str, lang: str) -> dict[str, str]:
    from clientlib import frameworks

    try:
        return {str(r["id"]): str(r["label"]) for r in frameworks.load(framework).describe(lang)}
    except Exception:  # noqa: BLE001 - k-means or a user rulebook no longer found
        return {}


def _mutual_info(classes: pd.Series, bought: pd.Series) -> tuple[float, float]:
    """Mutual information (bits) between class and "bought again", and the G-test p-value."""
    from scipy.stats import chi2

    table = pd.crosstab(classes, bought).to_numpy(dtype="float64")
    n = table.sum()
    if table.shape[0] < 2 or table.shape[1] < 2 or n == 0:
        return 0.0, 1.0
    p = table / n
    expected = p.sum(axis=1, keepdims=True) * p.sum(axis=0, keepdims=True)
    nz = p > 0
    mi_nats = float(np.sum(p[nz] * np.log(p[nz] / expected[nz])))
    mi_nats = max(mi_nats, 0.0)
    dof = (table.shape[0] - 1) * (table.shape[1] - 1)
    return mi_nats / math.log(2), float(chi2.sf(2.0 * n * mi_nats, dof))


def ranking_from(rows: pd.DataFrame, titles: dict[str, str] | None = None) -> pd.DataFrame:
    """Rank frameworks by how well their classes separate who bought again.

    Parameters
    ----------
    rows : pandas.DataFrame
        One row per customer and framework: ``framework``, ``class`` and ``bought`` (bool).
    titles : dict, optional
        Display titles by framework id (default: the id).

    Returns
    -------
    pandas.DataFrame
        :data:`RANKING_COLUMNS` (see :class:`Backtest`), sorted by rank.

    Examples
    --------
    >>> rows = pd.DataFrame({"framework": ["a"] * 40 + ["b"] * 40,
    ...     "class": ["x", "y"] * 20 + ["x"] * 20 + ["y"] * 20,
    ...     "bought": [True] * 20 + [False] * 20 + [True] * 20 + [False] * 20})
    >>> ranking_from(rows)[["framework", "repeat_gap", "mutual_info", "informative", "rank"]]
      framework  repeat_gap  mutual_info  informative  rank
    0         b         1.0          1.0         True     1
    1         a         0.0          0.0        False     2
    """
    titles = titles or {}
    out = []
    for name in dict.fromkeys(rows["framework"]):
        part = rows[rows["framework"] == name]
        sizes = part.groupby("class", sort=False)["bought"].agg(["size", "mean"])
        big = sizes[sizes["size"] >= MIN_CLASS]
        overall = float(part["bought"].mean()) if len(part) else float("nan")
        gap = float(big["mean"].max() - big["mean"].min()) if len(big) >= 2 else 0.0
        lift = float(big["mean"].max() / overall) if len(big) and overall > 0 else float("nan")
        mi, p_value = _mutual_info(part["class"], part["bought"].astype(bool))
        largest = float(sizes["size"].max() / len(part)) if len(part) else 1.0
        out.append({
            "framework": name, "title": titles.get(name, name), "customers": int(len(part)),
            "largest_share": largest, "repeat_gap": gap, "mutual_info": mi, "top_lift": lift,
            "p_value": p_value,
            "informative": bool(p_value < SIGNIFICANCE and mi > 0 and largest < NO_SIGNAL_SHARE),
        })  # fmt: skip
    df = pd.DataFrame(out, columns=[c for c in RANKING_COLUMNS if c != "rank"])
    if df.empty:
        return df.assign(rank=pd.Series(dtype="int64"))
    df = df.sort_values(
        ["informative", "mutual_info", "repeat_gap", "framework"],
        ascending=[False, False, False, True], kind="stable",
    ).reset_index(drop=True)  # fmt: skip
    df["rank"] = np.arange(1, len(df) + 1, dtype="int64")
    return df


def _btyd_totals(
    segments: pd.DataFrame, done: pd.DataFrame, fitted: dict[str, Any], days: int
) -> dict[str, Any] | None:
    fw = fitted.get("btyd")
    if fw is None:
        return None
    rows = _customer_rows(segments[segments["framework"] == "btyd"], done)
    scored = rows[rows["p_alive"].notna()]
    learned = getattr(fw, "resolved_params_", {}) or {}
    return {
        "customers": int(len(scored)),
        "observed": int(scored["purchases"].sum()),
        "predicted": float(scored["expected_purchases"].sum()),
        "days": int(days),
        "model": str(learned.get("model", "bgnbd")),  # which BTYD model the framework fitted
        **{k: float(learned[k]) for k in ("r", "alpha", "a", "b", "s", "beta") if k in learned},
    }


# --------------------------------------------------------------------------------------------
# Checks of the defaults
# --------------------------------------------------------------------------------------------


def _first_under(values: np.ndarray, bought: np.ndarray, candidates: np.ndarray, above: bool):
    """The first candidate c at which the group ``values > c`` (``above``) or ``values < c``
    holds at least MIN_CLASS customers of whom fewer than MOST bought again; None if none.
    """
    for c in candidates:
        mask = values > c if above else values < c
        n = int(mask.sum())
        if n >= MIN_CLASS and float(bought[mask].mean()) < MOST:
            return c
    return None


def _checks(
    segments: pd.DataFrame,
    done: pd.DataFrame,
    fitted: dict[str, Any],
    facts: pd.DataFrame,
    by_class: pd.DataFrame,
) -> list[Check]:
    out: list[Check] = []
    for (name, cls), param in _CHECKED.items():
        fw = fitted.get(name)
        if fw is None:
            continue
        rows = _customer_rows(segments[segments["framework"] == name], done)
        members = rows[rows["class"] == cls]
        if members.empty:
            continue
        learned = dict(getattr(fw, "resolved_params_", {}) or {})
        share = float(members["bought"].mean())
        held = share <= MOST
        label = str(members["label"].iloc[0])
        if name == "lifecycle":
            cycle = learned.get(param)
            if not isinstance(cycle, int | float):
                continue
            current: dict[str, Any] = {param: float(cycle)}
        else:
            current = {k: float(learned[k]) for k in ("at_risk_min", "active_min")}
        proposal = None if held else _proposal(name, cls, rows, facts, current)
        labels = {lang: _labels_in(name, lang).get(cls, label) for lang in messages.LANGS}
        out.append(Check(name, cls, int(len(members)), share, held, proposal, current, label,
                         labels))  # fmt: skip
    return out


def _proposal(
    name: str, cls: str, rows: pd.DataFrame, facts: pd.DataFrame, current: dict[str, Any]
) -> dict[str, Any] | None:
    if name == "lifecycle":
        # Who a cycle C calls dormant: buyers silent longer than C (returnees come first).
        recency = facts.set_index("customer_id")["recency_days"]
        pool = rows[rows["class"] != "returnee"].copy()
        pool["recency"] = recency.reindex(pool["customer_id"]).to_numpy(dtype="float64")
        pool = pool[pool["recency"].notna()]
        cycle = math.ceil(current["purchase_cycle_days"])
        cands = np.unique(pool["recency"].to_numpy())
        cands = cands[cands >= cycle]
        found = _first_under(pool["recency"].to_numpy(), pool["bought"].to_numpy(), cands, True)
        return None if found is None else {"purchase_cycle_days": int(max(found, cycle + 1))}
    pool = rows[rows["class"].isin(_SCORED) & rows["p_alive"].notna()]
    p = pool["p_alive"].to_numpy(dtype="float64")
    bought = pool["bought"].to_numpy()
    low, high = current["at_risk_min"], current["active_min"]
    if cls == "likely_lost":
        # lower at_risk_min until "P(alive) < t" is mostly gone
        grid = np.round(np.arange(math.floor(low * 100) - 1, 0, -1) / 100, 2)
        found = _first_under(p, bought, grid, False)
        return None if found is None else {"at_risk_min": float(found)}
    # at risk: lower active_min until "low <= P(alive) < t" is mostly gone
    band = p >= low
    grid = np.round(np.arange(math.ceil(high * 100) - 1, math.floor(low * 100), -1) / 100, 2)
    found = _first_under(p[band], bought[band], grid, False)
    return None if found is None or found <= low else {"active_min": float(found)}


# --------------------------------------------------------------------------------------------
# Tables as a person reads them
# --------------------------------------------------------------------------------------------


def ranking_view(bt: Backtest, lang: str = "en", *, titles: bool = False) -> pd.DataFrame:
    """The ranking with headers and numbers in ``lang`` (text cells: 1 234, 60,2 %, да/нет).

    ``titles=True`` shows the frameworks' titles instead of their ids.
    """
    r = bt.ranking

    def col(name: str) -> str:
        return messages.text(f"backtest.col_{name}", lang)

    who = [bt.title(n, lang) for n in r["framework"]] if titles else r["framework"]
    return pd.DataFrame({
        col("rank"): r["rank"].astype("int64"),
        col("title" if titles else "framework"): who,
        col("customers"): [messages.number(v, lang) for v in r["customers"]],
        col("largest_share"): [messages.percent(v, lang) for v in r["largest_share"]],
        col("repeat_gap"): [messages.percent(v, lang) for v in r["repeat_gap"]],
        col("mutual_info"): [messages.number(v, lang, 3) for v in r["mutual_info"]],
        col("top_lift"): ["—" if pd.isna(v) else messages.number(v, lang, 2)
                          for v in r["top_lift"]],
        col("informative"): [messages.text("backtest.answer_yes" if v else "backtest.answer_no",
                                           lang) for v in r["informative"]],
    })  # fmt: skip


def by_class_view(bt: Backtest, framework: str, lang: str = "en") -> pd.DataFrame:
    """One framework's classes in the holdout, headers and numbers in ``lang``."""
    rows = bt.by_class[bt.by_class["framework"] == framework]

    def col(name: str) -> str:
        return messages.text(f"backtest.col_{name}", lang)

    def num(v: float, digits: int) -> str:
        return "—" if pd.isna(v) else messages.number(v, lang, digits)

    out = pd.DataFrame({
        col("label"): rows["label"],
        col("customers"): [messages.number(v, lang) for v in rows["customers"]],
        col("bought_again"): [messages.percent(v, lang) for v in rows["bought_again"]],
        col("orders_per_customer"): [num(v, 2) for v in rows["orders_per_customer"]],
        col("revenue"): [num(v, 0) for v in rows["revenue"]],
        col("actual_purchases"): [num(v, 0) for v in rows["actual_purchases"]],
    })  # fmt: skip
    if framework == "btyd":
        out[col("predicted_purchases")] = [num(v, 1) for v in rows["predicted_purchases"]]
    return out.reset_index(drop=True)
