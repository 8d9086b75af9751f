"""Value tiers: revenue-share windows, key-account flags, account-care alerts, Pareto curve.

Gold/silver need each customer's place in the revenue ranking, a window over
all customers, so it is computed here (in the engine) before the rules run:

``revenue_share``
    total_spend / sum of positive total_spend (null for customers with no
    positive spend).
``revenue_share_before``
    share of revenue brought by customers who spend strictly more.  A customer
    is gold while this is below ``gold_share``: gold is the smallest group of
    top spenders reaching the share; equal spenders always share a tier.
``key_account`` / ``mono_client``
    revenue_share >= ``key_share`` / > ``mono_share``.
``alerts``
    account-care alerts for gold or key accounts, space separated (empty
    when none), from the facts that exist:

    * ``no_positive_contact``: ``days_since_positive_contact`` null or >
      ``alert_positive_days`` (10);
    * ``negative_not_followed_up``: ``days_since_negative_contact`` >
      ``alert_negative_followup_days`` (14) and no positive contact since it.
      The facts keep only the latest negative and positive contact, so a
      neutral follow-up is not seen and "follow-up" means a later positive contact;
    * ``dossier_stale``: ``days_since_dossier_review`` null or >
      ``alert_dossier_days`` (90).

    An alert whose input column is absent, or null for every customer (no contact log, or
    one that never records that kind of event), is not raised: ``fit`` records the columns
    that carry data in ``params_['alert_inputs']``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from clientlib.errors import NotApplicableError
from clientlib.frameworks.hooks import Hook

__all__ = ["HOOK", "pareto", "revenue_shares"]

_ALERT_COLUMNS = frozenset(
    {"days_since_positive_contact", "days_since_negative_contact", "days_since_dossier_review"}
)


def revenue_shares(facts: ir.Table) -> ir.Table:
    """Add ``revenue_share`` and ``revenue_share_before`` to facts (Ibis, in the engine).

    Examples
    --------
    >>> import ibis
    >>> f = ibis.memtable({"customer_id": ["a", "b", "c"], "total_spend": [60.0, 30.0, 10.0]})
    >>> out = revenue_shares(f).order_by("customer_id").to_pandas()
    >>> out["revenue_share_before"].round(2).tolist()
    [0.0, 0.6, 0.9]
    """
    pos = facts.filter(facts.total_spend > 0)
    by_value = pos.group_by(spend_key=pos.total_spend).aggregate(group_spend=pos.total_spend.sum())
    # distinct spend values, so a running sum needs no tie-breaker (row order cannot matter)
    by_value = by_value.mutate(
        cum_incl=by_value.group_spend.cumsum(order_by=ibis.desc(by_value.spend_key)),
        grand=by_value.group_spend.sum(),
    )
    shares = by_value.select(
        "spend_key",
        share_before=((by_value.cum_incl - by_value.group_spend) / by_value.grand),
        grand_total=by_value.grand,
    )
    joined = facts.left_join(shares, facts.total_spend == shares.spend_key)
    share = ibis.cases(
        (facts.total_spend > 0, joined.total_spend / joined.grand_total), else_=ibis.null("float64")
    )
    return joined.select(
        *facts.columns,
        revenue_share=share,
        revenue_share_before=joined.share_before.cast("float64"),
    )


def _alerts(t: ir.Table, p: Mapping[str, Any], care: ir.BooleanValue) -> ir.StringValue:
    pieces = []
    # An alert needs a contact log: columns that are absent or empty for everybody raise none.
    cols = set(p.get("alert_inputs", ()))
    if "days_since_positive_contact" in cols:
        pos = t.days_since_positive_contact
        cond = pos.isnull() | (pos > p["alert_positive_days"])
        pieces.append((cond.fill_null(False), " no_positive_contact"))
    if "days_since_negative_contact" in cols:
        neg = t.days_since_negative_contact
        if "days_since_positive_contact" in cols:
            pos = t.days_since_positive_contact
            not_followed = pos.isnull() | (pos >= neg)
        else:
            not_followed = ibis.literal(True)
        cond = (neg > p["alert_negative_followup_days"]) & not_followed
        pieces.append((cond.fill_null(False), " negative_not_followed_up"))
    if "days_since_dossier_review" in cols:
        dos = t.days_since_dossier_review
        cond = dos.isnull() | (dos > p["alert_dossier_days"])
        pieces.append((cond.fill_null(False), " dossier_stale"))
    text: ir.StringValue = ibis.literal("")
    for cond, code in pieces:
        text = text + ibis.ifelse(care & cond, ibis.literal(code), ibis.literal(""))
    return text.lstrip()


def _fit(facts: ir.Table, params: Mapping[str, Any]) -> dict[str, Any]:
    present = sorted(_ALERT_COLUMNS & set(facts.columns))
    if not present:
        return {"alert_inputs": []}
    counts = facts.aggregate(**{c: facts[c].count() for c in present}).to_pyarrow().to_pylist()[0]
    return {"alert_inputs": [c for c in present if counts[c]]}


def _prepare(facts: ir.Table, p: Mapping[str, Any]) -> ir.Table:
    t = revenue_shares(facts)
    key = (t.revenue_share >= p["key_share"]).fill_null(False)
    gold = ((t.total_spend > 0) & (t.revenue_share_before < p["gold_share"])).fill_null(False)
    t = t.mutate(key_account=key, mono_client=(t.revenue_share > p["mono_share"]).fill_null(False))
    t = t.mutate(alerts=_alerts(t, p, gold | key))
    return t


HOOK = Hook(
    requires=frozenset({"total_spend"}),
    provides={
        "revenue_share": "num",
        "revenue_share_before": "num",
        "key_account": "bool",
        "mono_client": "bool",
        "alerts": "str",
    },
    fit=_fit,
    prepare=_prepare,
    outputs=("revenue_share", "key_account", "mono_client", "alerts"),
    optional=_ALERT_COLUMNS,
)


def pareto(facts: ir.Table | pd.DataFrame) -> pd.DataFrame:
    """Pareto (80/20) curve: cumulative share of customers vs share of revenue.

    Customers with positive spend, biggest first (ties by customer_id).

    Parameters
    ----------
    facts : ibis.Table or pandas.DataFrame
        Needs ``customer_id`` and ``total_spend``.

    Returns
    -------
    pandas.DataFrame
        ``rank, customer_id, total_spend, customer_share, revenue_share``
        (both shares cumulative, 0..1).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
    ...                   "total_spend": [80.0, 10.0, 10.0, 0.0]})
    >>> pareto(f)[["customer_share", "revenue_share"]].values.tolist()[0]
    [0.3333333333333333, 0.8]
    """
    if isinstance(facts, pd.DataFrame):
        df = facts[["customer_id", "total_spend"]].copy()
    else:
        missing = sorted({"customer_id", "total_spend"} - set(facts.columns))
        if missing:
            raise NotApplicableError(f"pareto: the data has no column(s) {', '.join(missing)}")
        df = facts.select("customer_id", "total_spend").to_pandas()
    df = df[df["total_spend"] > 0]
    df = df.sort_values(["total_spend", "customer_id"], ascending=[False, True], kind="stable")
    df = df.reset_index(drop=True)
    df.insert(0, "rank", range(1, len(df) + 1))
    df["customer_share"] = df["rank"] / max(len(df), 1)
    df["revenue_share"] = df["total_spend"].cumsum() / df["total_spend"].sum()
    return df
