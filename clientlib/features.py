"""Per-customer facts at an analysis date, written once as Ibis expressions.

Transactions are aggregated to one row per customer inside the engine (DuckDB by default, Spark or
any Ibis backend); only the result — one row per customer — needs to come back to pandas. The
columns are listed in ``docs/CONTRACTS.md`` and in :func:`customer_facts`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import ibis.expr.types as ir

from clientlib.io import Loaded, constants, parse_analysis_date

#: Event kinds that show a customer is in touch (a lead, an enquiry, a visit, talks, a contact).
TOUCH_KINDS = ("lead", "enquiry", "visit", "negotiation", "contact")
#: A free order: total zero, or at least this discount on some line.
FREE_DISCOUNT = 0.8

FACT_COLUMNS = (
    "customer_id",
    "analysis_date",
    "orders",
    "purchase_days",
    "total_spend",
    "avg_spend",
    "first_purchase",
    "last_purchase",
    "recency_days",
    "tenure_days",
    "median_gap_days",
    "discount_share",
    "free_share",
    "express_share",
    "premium_share",
    "contacts",
    "touchpoints",
    "complaints_since_last_purchase",
    "referrals",
    "open_negotiations",
    "negotiation_age_days",
    "postponements",
    "days_since_positive_contact",
    "days_since_negative_contact",
    "days_since_dossier_review",
    "frequency",
    "recency",
    "T",
)


def _table(x: ir.Table | Loaded | None) -> ir.Table | None:
    return x.table if isinstance(x, Loaded) else x


def _days(later, earlier):
    """Whole days between two dates, as int64 (null when either side is null)."""
    return later.delta(earlier, unit="day").cast("int64")


def customer_facts(
    transactions: ir.Table | Loaded,
    events: ir.Table | Loaded | None = None,
    customers: ir.Table | Loaded | None = None,
    *,
    analysis_date: Any = None,
) -> ir.Table:
    """One row per customer at an analysis date, as an Ibis expression.

    Parameters
    ----------
    transactions : ibis.Table or Loaded
        Clean transactions from :func:`clientlib.io.read_transactions`.
    events, customers : ibis.Table or Loaded, optional
        The event log and the customers table; their columns feed the contact facts and the
        customer attributes (survey answers) joined on ``customer_id``.
    analysis_date : date-like, optional
        Facts are measured at the start of this day: rows dated on or after it do not count.
        Default: the analysis date of ``transactions`` when it is a ``Loaded``, else the day
        after the last transaction.

    Returns
    -------
    ibis.Table
        Columns (see ``docs/CONTRACTS.md``): ``customer_id``, ``analysis_date``, ``orders``
        (distinct orders among non-return lines, free items included), ``purchase_days``,
        ``total_spend`` (returns netted), ``avg_spend``, ``first_purchase``, ``last_purchase``,
        ``recency_days`` (last purchase → analysis date), ``tenure_days``, ``median_gap_days``,
        the shares of discounted / free / express / premium orders, ``contacts``,
        ``touchpoints``, ``complaints_since_last_purchase``, ``referrals``,
        ``open_negotiations``, ``negotiation_age_days``, ``postponements``, days since the last
        positive / negative contact and dossier review, the lifetimes-style ``frequency``
        (repeat purchase days), ``recency`` (days first → last purchase) and ``T`` (days first
        purchase → analysis date), then every customer attribute. The universe is every id
        seen in any of the three tables (before the analysis date); non-buyers have
        ``orders = 0`` and nulls where a purchase is needed.

    Examples
    --------
    >>> import pandas as pd
    >>> from clientlib.io import read_transactions
    >>> tx = read_transactions(pd.DataFrame({
    ...     "customer_id": ["a", "a", "b"],
    ...     "timestamp": ["2024-01-01", "2024-01-11", "2024-01-05"],
    ...     "amount": [10.0, 30.0, 5.0]}))
    >>> facts = customer_facts(tx).to_pandas()
    >>> facts[["customer_id", "orders", "total_spend", "recency_days", "frequency", "T"]]
      customer_id  orders  total_spend  recency_days  frequency     T
    0           a       2         40.0             1        1.0  11.0
    1           b       1          5.0             7        0.0   7.0
    """
    tx, cut_ts, ad = _cut(transactions, analysis_date)
    ev = _table(events)
    cu = _table(customers)
    orders = _orders(tx)
    # through an integer: PostgreSQL casts a boolean to int4 but not to a float
    share = lambda cond: cond.cast("int32").cast("float64").mean()  # noqa: E731
    per_customer = orders.group_by("customer_id").agg(
        orders=orders.count(),
        first_ts=orders.order_ts.min(),
        last_ts=orders.order_ts.max(),
        discount_share=share(orders.max_discount > 0),
        free_share=share((orders.order_amount <= 0) | (orders.max_discount >= FREE_DISCOUNT)),
        express_share=share(orders.express),
        premium_share=share(orders.premium),
    )
    # Every customer with a transaction has a spend row, so it doubles as the universe when
    # there are no events or customers (one hash pass over the lines fewer).
    spend = tx.group_by("customer_id").agg(total_spend=tx.amount.sum())

    # One (customer, purchase day) table feeds both the day count and the gaps between days: a
    # single hash pass over the orders instead of two (nunique + distinct); the first day of a
    # customer has a null gap, which the median ignores.
    days = orders.group_by(["customer_id", orders.order_ts.date().name("day")]).agg()
    prev = days.day.lag().over(ibis.window(group_by="customer_id", order_by="day"))
    gaps = days.mutate(gap=_days(days.day, prev).cast("float64"))
    gap_stats = gaps.group_by("customer_id").agg(
        purchase_days=gaps.count(), median_gap_days=gaps.gap.median()
    )

    parts: list[ir.Table] = [per_customer, gap_stats]
    ids = []
    if ev is not None:
        ev = ev.filter(ev.timestamp < cut_ts)
        ids.append(ev.select("customer_id"))
        parts += _event_facts(ev, per_customer)
    if cu is not None:
        ids.append(cu.select("customer_id"))
    if ids:
        universe = spend.select("customer_id").union(*ids).distinct()
        universe = universe.filter(universe.customer_id.notnull())
        parts.insert(0, spend)
    else:
        universe = spend

    t = universe
    for part in parts:
        t = t.left_join(part, "customer_id").drop("customer_id_right")
    if ev is None:
        t = t.mutate(
            contacts=ibis.literal(0, "int64"),
            touchpoints=ibis.literal(0, "int64"),
            complaints_since_last_purchase=ibis.literal(0, "int64"),
            referrals=ibis.literal(0, "int64"),
            postponements=ibis.literal(0, "int64"),
            first_negotiation=ibis.null("timestamp"),
            last_positive=ibis.null("timestamp"),
            last_negative=ibis.null("timestamp"),
            last_dossier=ibis.null("timestamp"),
        )

    n_orders = t.orders.fill_null(0).cast("int64")
    # Engines add floats in whatever order their threads finish (1878.0 vs 1877.9999999999998);
    # rounding far below a cent gives the same spend on every engine and every run, so ties and
    # rule boundaries on spend do not flicker.
    spend_total = t.total_spend.fill_null(0.0).cast("float64").round(6)
    first = t.first_ts.date()
    last = t.last_ts.date()
    is_open = t.first_negotiation.notnull() & (n_orders == 0)
    zero = lambda c: c.fill_null(0).cast("int64")  # noqa: E731
    facts = t.select(
        customer_id=t.customer_id,
        analysis_date=ad,
        orders=n_orders,
        purchase_days=zero(t.purchase_days),
        total_spend=spend_total,
        avg_spend=ibis.ifelse(n_orders > 0, spend_total / n_orders, ibis.null("float64")),
        first_purchase=first,
        last_purchase=last,
        recency_days=_days(ad, last),
        tenure_days=_days(ad, first),
        median_gap_days=t.median_gap_days,
        discount_share=t.discount_share,
        free_share=t.free_share,
        express_share=t.express_share,
        premium_share=t.premium_share,
        contacts=zero(t.contacts),
        touchpoints=zero(t.touchpoints),
        complaints_since_last_purchase=zero(t.complaints_since_last_purchase),
        referrals=zero(t.referrals),
        open_negotiations=is_open.cast("int32").cast("int64"),
        negotiation_age_days=ibis.ifelse(
            is_open, _days(ad, t.first_negotiation.date()), ibis.null("int64")
        ),
        postponements=zero(t.postponements),
        days_since_positive_contact=_days(ad, t.last_positive.date()),
        days_since_negative_contact=_days(ad, t.last_negative.date()),
        days_since_dossier_review=_days(ad, t.last_dossier.date()),
        frequency=(t.purchase_days - 1).cast("float64"),
        recency=_days(last, first).cast("float64"),
        T=_days(ad, first).cast("float64"),
    )
    if cu is not None:
        attrs = cu.drop(*[c for c in cu.columns if c in FACT_COLUMNS and c != "customer_id"])
        facts = facts.left_join(attrs, "customer_id").drop("customer_id_right")
    return facts.order_by("customer_id")


def _cut(transactions: ir.Table | Loaded, analysis_date: Any) -> tuple[ir.Table, Any, Any]:
    """The transactions before the analysis date, and that date as a timestamp and a date.

    The date is ``analysis_date``, else that of a ``Loaded``, else the day after the last
    transaction.
    """
    cutoff = parse_analysis_date(analysis_date)
    if cutoff is None and isinstance(transactions, Loaded):
        cutoff = transactions.analysis_date
    tx = _table(transactions)
    assert tx is not None  # transactions are required
    if cutoff is None:
        cutoff = tx.timestamp.max().execute().date() + dt.timedelta(days=1)
    cut_ts = ibis.literal(dt.datetime(cutoff.year, cutoff.month, cutoff.day), type="timestamp")
    return tx.filter(tx.timestamp < cut_ts), cut_ts, ibis.literal(cutoff, type="date")


def _paid(tx: ir.Table):
    """Lines that make an order: every line that is not a return (amount ≥ 0; a zero-amount
    line is an order with zero spend, kept by ``--zero-amount keep``), or given away (a
    discount of 100 %).
    """
    return (tx.amount >= 0) | (tx.discount >= 1)


def _no_order_ids(tx: ir.Table) -> bool:
    """True when the order id is the constant null (the input has no order id column)."""
    order_id = constants(tx).get("order_id")
    return order_id is not None and order_id.op().value is None


def _orders(tx: ir.Table) -> ir.Table:
    """One row per order (customer, order, first line's time, amount, discount, flags).

    Lines with an order id are grouped into orders; a line without one (null) is an order by
    itself and skips the (customer, order) hash aggregation — the costliest step of the query
    when every line is its own order (benchmarks/README.md). Return lines are not orders; a line
    given away (discount of 100 %) is.
    """
    paid = tx.filter(_paid(tx))
    as_orders = dict(
        order_ts=paid.timestamp,
        order_amount=paid.amount,
        max_discount=paid.discount,
        express=paid.is_express,
        premium=paid.is_premium,
    )
    if _no_order_ids(tx):
        return paid.select("customer_id", "order_id", **as_orders)
    lines = paid.filter(paid.order_id.notnull())
    grouped = lines.group_by(["customer_id", "order_id"]).agg(
        order_ts=lines.timestamp.min(),
        order_amount=lines.amount.sum(),
        max_discount=lines.discount.max(),
        express=lines.is_express.any(),
        premium=lines.is_premium.any(),
    )
    alone = paid.filter(paid.order_id.isnull()).select("customer_id", "order_id", **as_orders)
    return grouped.union(alone.cast(grouped.schema()))


def rfm_summary(
    transactions: ir.Table | Loaded,
    *,
    analysis_date: Any = None,
) -> ir.Table:
    """The RFM summary alone: what :func:`customer_facts` computes for recency, frequency and
    monetary value, in two cheap passes instead of ~30 facts.

    The lines are first reduced to one row per (customer, day), then to one row per customer,
    so no distinct count is needed. The values equal those of :func:`customer_facts` for the same
    columns (``tests/test_features.py`` checks it); use this when the other facts are not needed,
    e.g. for RFM scores or the lifetimes-style ``frequency`` / ``recency`` / ``T``.

    Parameters
    ----------
    transactions : ibis.Table or Loaded
        Clean transactions from :func:`clientlib.io.read_transactions`.
    analysis_date : date-like, optional
        As for :func:`customer_facts`.

    Returns
    -------
    ibis.Table
        ``customer_id``, ``analysis_date``, ``orders``, ``purchase_days``, ``total_spend``,
        ``first_purchase``, ``last_purchase``, ``recency_days``, ``frequency``, ``recency`` and
        ``T``, one row per customer with a transaction, ordered by ``customer_id``.

    Examples
    --------
    >>> import pandas as pd
    >>> from clientlib.io import read_transactions
    >>> tx = read_transactions(pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b"],
    ...     "timestamp": ["2024-01-01", "2024-01-01", "2024-01-11", "2024-01-05"],
    ...     "amount": [10.0, 5.0, 30.0, 5.0]}))
    >>> rfm_summary(tx).to_pandas()[["customer_id", "orders", "frequency", "recency", "T"]]
      customer_id  orders  frequency  recency     T
    0           a       3        1.0     10.0  11.0
    1           b       1        0.0      0.0   7.0
    """
    tx, _, ad = _cut(transactions, analysis_date)
    paid = _paid(tx)
    if _no_order_ids(tx):
        # Every paid line is an order of its own: one pass over the lines, no union.
        rows = tx.select("customer_id", day=tx.timestamp.date(), amount=tx.amount, n=paid)
    else:
        orders = _orders(tx)
        # Return lines only change the spend: they join the orders as rows that are not orders.
        returns = tx.filter(~paid)
        rows = orders.select(
            "customer_id", day=orders.order_ts.date(), amount=orders.order_amount, n=True
        ).union(
            returns.select(
                "customer_id", day=returns.timestamp.date(), amount=returns.amount, n=False
            )
        )
    rows = rows.mutate(n=rows.n.cast("int32").cast("int64"))
    days = rows.group_by(["customer_id", "day"]).agg(n=rows.n.sum(), spend=rows.amount.sum())
    bought = days.n > 0
    per = days.group_by("customer_id").agg(
        orders=days.n.sum(),
        purchase_days=bought.cast("int32").cast("int64").sum(),
        total_spend=days.spend.sum(),
        first=days.day.min(where=bought),
        last=days.day.max(where=bought),
    )
    n_days = per.purchase_days.cast("int64")
    return per.select(
        customer_id=per.customer_id,
        analysis_date=ad,
        orders=per.orders.cast("int64"),
        purchase_days=n_days,
        total_spend=per.total_spend.cast("float64").round(6),
        first_purchase=per.first,
        last_purchase=per.last,
        recency_days=_days(ad, per.last),
        frequency=ibis.ifelse(n_days > 0, (n_days - 1).cast("float64"), ibis.null("float64")),
        recency=_days(per.last, per.first).cast("float64"),
        T=_days(ad, per.first).cast("float64"),
    ).order_by("customer_id")


def _event_facts(ev: ir.Table, per_customer: ir.Table) -> list[ir.Table]:
    negative = (ev.sentiment < 0) | ev.kind.isin(["complaint", "refund"])
    counted = lambda cond: cond.cast("int32").cast("int64").sum()  # noqa: E731
    agg = ev.group_by("customer_id").agg(
        contacts=counted(ev.kind == "contact"),
        touchpoints=counted(ev.kind.isin(list(TOUCH_KINDS))),
        referrals=counted(ev.kind == "referral"),
        postponements=counted(ev.kind == "postponement"),
        first_negotiation=ev.timestamp.min(where=ev.kind == "negotiation"),
        last_positive=ev.timestamp.max(where=ev.sentiment > 0),
        last_negative=ev.timestamp.max(where=negative),
        last_dossier=ev.timestamp.max(where=ev.kind == "dossier_review"),
    )
    # A complaint, a refund or an unhappy contact after the last purchase (lifecycle: returnee).
    unhappy = ev.filter(
        ev.kind.isin(["complaint", "refund"]) | ((ev.kind == "contact") & (ev.sentiment < 0))
    )
    last = per_customer.select("customer_id", "last_ts")
    joined = unhappy.left_join(last, "customer_id")
    after = joined.filter(joined.last_ts.isnull() | (joined.timestamp > joined.last_ts))
    complaints = after.group_by("customer_id").agg(complaints_since_last_purchase=after.count())
    return [agg, complaints]
