"""The manager's page: decisions with customers, money and an action, computed from a study.

Statistics only: no drawing and no HTML (the report's views turn these into a page). Every
decision names how many customers, how much of the revenue they brought (net spend, returns
netted, summed over the customers) and its share of all revenue, and what the owner should do:

* ``this_week`` — the customers to call this week: the gold and silver customers of the three
  lists below, ranked by the revenue they brought (at most :data:`WEEK_CALLS`);
* ``unhappy`` — gold and silver customers whose lifecycle class is "left unhappy" (a complaint
  after their last purchase);
* ``dormant`` — gold and silver customers the lifecycle calls dormant;
* ``lost`` — gold and silver customers the BG/NBD model calls likely lost, and how many of
  them the lifecycle does not call dormant or unhappy yet (the model's earlier warning);
* ``month`` — what changed in the last month of the report's own monthly timeline: who fell
  asleep, who woke up, new fans, with their revenue;
* ``since`` — the biggest class-to-class movement since the previous snapshot of a batch, with
  its revenue (only when the report compares with one);
* ``fans`` — where the money is: the fans' share of customers and of revenue.

Value tiers (gold, silver) come from the ``value_tiers`` framework, the lifecycle classes from
``lifecycle``, "likely lost" from ``btyd``. A decision whose frameworks did not run is left out.
Call lists (one per action) carry the columns a salesperson needs, in the report's language.

Examples
--------
>>> money(190073.4, "ru", "₽"), money(1234, "en", "$"), money(1234, "en", "")
('190\\xa0073\\xa0₽', '$1,234', '1,234')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from clientlib import messages as M
from clientlib.reports.text import t

__all__ = [
    "ACTIONS",
    "CURRENCY_SIGNS",
    "TIERS",
    "WEEK_CALLS",
    "Decision",
    "Decisions",
    "call_columns",
    "currency_from_notes",
    "decide",
    "money",
]

#: Value tiers whose customers are worth a personal call (ids of the ``value_tiers`` rulebook).
TIERS = ("gold", "silver")
#: The most customers on this week's call list.
WEEK_CALLS = 20
#: Actions with a call list, in the order the page shows them.
ACTIONS = ("this_week", "unhappy", "dormant", "lost", "month")
#: Currency signs and codes the reader strips (``parsing.CURRENCIES``) -> the sign shown.
CURRENCY_SIGNS = {"$": "$", "USD": "$", "€": "€", "EUR": "€", "£": "£", "GBP": "£", "₽": "₽",
                  "руб.": "₽", "руб": "₽", "р.": "₽", "RUB": "₽", "¥": "¥", "CHF": "CHF"}
#: Lifecycle / BG/NBD class ids the decisions read.
_UNHAPPY, _DORMANT, _FAN, _NOVICE, _LOST = "returnee", "dormant", "fan", "novice", "likely_lost"


def money(x: float, lang: str = "en", currency: str = "") -> str:
    """An amount of money, whole units, with the currency where it is known.

    Russian writes ``190 073 ₽``; English ``$1,234`` (a sign before the number) or
    ``CHF 1,234`` (a code); without a currency, the number alone.

    Examples
    --------
    >>> money(-5.6, "en", "€"), money(1500, "ru", "CHF"), money(1500, "en", "CHF")
    ('-€6', '1\\xa0500\\xa0CHF', 'CHF\\xa01,500')
    """
    body = M.number(round(float(x)), lang)
    if not currency:
        return body
    if lang == "ru":
        return f"{body}\u00a0{currency}"
    sign, digits = ("-", body[1:]) if body.startswith("-") else ("", body)
    if len(currency) == 1:
        return f"{sign}{currency}{digits}"
    return f"{sign}{currency}\u00a0{digits}"


def currency_from_notes(quality: list[Any]) -> str:
    """The currency sign the reader stripped from the amounts, when there was exactly one.

    The reader records ``currency stripped (руб, ₽)`` in the transactions' quality notes
    (``amount_format``); several different currencies give ``""`` (none shown).

    Examples
    --------
    >>> from types import SimpleNamespace as S
    >>> currency_from_notes([S(table="transactions",
    ...     notes={"amount_format": "decimal comma; currency stripped (руб, ₽)"})])
    '₽'
    >>> two = {"amount_format": "currency stripped ($, €)"}
    >>> currency_from_notes([S(table="transactions", notes=two)])
    ''
    """
    import re

    signs: set[str] = set()
    for q in quality:
        if getattr(q, "table", "") != "transactions":
            continue
        note = str((getattr(q, "notes", None) or {}).get("amount_format", ""))
        for m in re.finditer(r"currency stripped \(([^)]*)\)", note):
            for item in m.group(1).split(","):
                key = item.strip()
                sign = CURRENCY_SIGNS.get(key) or CURRENCY_SIGNS.get(key.upper())
                if sign:
                    signs.add(sign)
    return signs.pop() if len(signs) == 1 else ""


@dataclass
class Decision:
    """One decision of the manager's page.

    Attributes
    ----------
    key : str
        ``this_week``, ``unhappy``, ``dormant``, ``lost``, ``month``, ``since`` or ``fans``.
    text : str
        What the numbers say, in the report's language (customers, money, share).
    action : str
        What to do, in the report's language.
    customers : int
        Customers the decision is about.
    revenue : float
        Revenue they brought (net spend).
    share : float
        ``revenue`` over the revenue of all customers.
    tiers : dict of str to int
        Customers per value tier (gold, silver) when the decision is by tier.
    calls : str
        The action whose call list goes with it (a key of :attr:`Decisions.calls`), or "".
    codes : list of str
        Ids inside ``text`` (a customer id) that a page shows as code, not as words.
    """

    key: str
    text: str
    action: str
    customers: int
    revenue: float
    share: float
    tiers: dict[str, int] = field(default_factory=dict)
    calls: str = ""
    codes: list[str] = field(default_factory=list)


@dataclass
class Decisions:
    """The decisions of one report and the call lists behind them.

    Attributes
    ----------
    items : list of Decision
        In the order the page shows them.
    calls : dict of str to pandas.DataFrame
        Action -> call list (columns of :func:`call_columns`, in the report's language), for
        every action of :data:`ACTIONS` (empty frames included, so a report always writes the
        same files).
    revenue : float
        Revenue of all customers (the denominator of every share).
    currency : str
        The currency sign shown with money ("" when unknown).
    """

    items: list[Decision]
    calls: dict[str, pd.DataFrame]
    revenue: float
    currency: str = ""

    def get(self, key: str) -> Decision | None:
        """The decision ``key``, or None when the report has none."""
        return next((d for d in self.items if d.key == key), None)


def call_columns(lang: str) -> list[str]:
    """Headers of a call list: id, class, reason, last purchase, revenue, what to do.

    Examples
    --------
    >>> call_columns("ru")[:3]
    ['Клиент', 'Класс', 'Причина']
    """
    return [t(lang, f"call_col_{c}") for c in
            ("customer", "class", "reason", "last_purchase", "revenue", "action")]


def _classes(segments: pd.DataFrame, framework: str) -> pd.DataFrame:
    rows = segments.loc[segments["framework"] == framework]
    cols = [c for c in ("customer_id", "class", "label", "action", "p_alive") if c in rows]
    return rows[cols].drop_duplicates("customer_id").set_index("customer_id")


def _share(revenue: float, total: float) -> float:
    return revenue / total if total else float("nan")


def _tier_counts(ids: pd.Index, tier: pd.Series) -> dict[str, int]:
    return {k: int((tier.reindex(ids) == k).sum()) for k in TIERS}


def _tier_words(counts: Mapping[str, int], lang: str) -> str:
    # "7 gold and 12 silver customers" / "7 золотых и 12 серебряных клиентов"
    gold, silver = counts.get("gold", 0), counts.get("silver", 0)
    if gold and silver:
        return t(lang, "d_tiers_both", gold=M.number(gold, lang), silver=M.number(silver, lang))
    if gold:
        return t(lang, "d_tiers_gold", n=M.number(gold, lang))
    return t(lang, "d_tiers_silver", n=M.number(silver, lang))


class _Context:
    """What every decision reads: spend, tier, last purchase, classes, language, money."""

    def __init__(self, rd: Any, currency: str):
        study = rd.study
        facts = study.facts.set_index("customer_id")
        self.lang: str = rd.lang
        self.currency = currency
        self.titles: dict[str, str] = dict(rd.titles)
        self.spend = facts["total_spend"].astype("float64").fillna(0.0)
        self.total = float(self.spend.sum())
        self.last = pd.to_datetime(facts["last_purchase"]) if "last_purchase" in facts else None
        self.recency = facts.get("recency_days")
        self.complaints = facts.get("complaints_since_last_purchase")
        seg = study.segments
        present = set(seg["framework"])
        self.lifecycle = _classes(seg, "lifecycle") if "lifecycle" in present else None
        self.tiers = _classes(seg, "value_tiers") if "value_tiers" in present else None
        self.btyd = _classes(seg, "btyd") if "btyd" in present else None
        self.cycle = None
        fitted = getattr(study, "fitted", {}) or {}
        lc = fitted.get("lifecycle")
        params = getattr(lc, "params_", None) or {}
        if params.get("purchase_cycle_days") is not None:
            self.cycle = float(params["purchase_cycle_days"])

    def m(self, x: float) -> str:
        return money(x, self.lang, self.currency)

    def p(self, share: float) -> str:
        return M.percent(share, self.lang, 1)

    def n(self, x: int) -> str:
        return M.number(x, self.lang)

    def revenue(self, ids: pd.Index) -> float:
        return float(self.spend.reindex(ids).fillna(0.0).sum())

    def tier_of(self) -> pd.Series:
        assert self.tiers is not None
        return self.tiers["class"]

    def valuable(self, ids: pd.Index) -> pd.Index:
        tier = self.tier_of().reindex(ids)
        return ids[tier.isin(TIERS).to_numpy()]

    def ranked(self, ids: pd.Index) -> pd.Index:
        # most revenue first; ties by id, so every run lists them the same way
        frame = pd.DataFrame({"id": ids.astype(str), "s": self.spend.reindex(ids).to_numpy()},
                             index=ids)
        return frame.sort_values(["s", "id"], ascending=[False, True], kind="stable").index

    def reason(self, action: str, cid: Any) -> str:
        lang = self.lang
        if action == "unhappy" and self.complaints is not None:
            return t(lang, "call_reason_unhappy", n=self.n(int(self.complaints.get(cid, 0))))
        if action in ("dormant", "month") and self.recency is not None:
            days = self.n(int(self.recency.get(cid, 0)))
            if self.cycle is not None:
                return t(lang, "call_reason_dormant", days=days, cycle=self.n(round(self.cycle)))
            return t(lang, "call_reason_silent", days=days)
        if action == "lost" and self.btyd is not None and "p_alive" in self.btyd:
            return t(lang, "call_reason_lost",
                     p=M.number(float(self.btyd["p_alive"].get(cid, float("nan"))), lang, 2))
        return ""

    def calls(self, ids: pd.Index, action: str, reasons: Mapping[Any, str] | None = None,
              classes: Mapping[Any, str] | None = None,
              actions: Mapping[Any, str] | None = None) -> pd.DataFrame:
        """A call list in the report's language (rows ranked by revenue)."""
        lang = self.lang
        ordered = self.ranked(ids)
        tier_label = (self.tiers["label"] if self.tiers is not None
                      else pd.Series(dtype="object"))
        lc_label = (self.lifecycle["label"] if self.lifecycle is not None
                    else pd.Series(dtype="object"))
        lc_action = (self.lifecycle["action"] if self.lifecycle is not None
                     else pd.Series(dtype="object"))
        rows = []
        for cid in ordered:
            cls = (classes or {}).get(cid) or " · ".join(
                str(x) for x in (tier_label.get(cid), lc_label.get(cid)) if isinstance(x, str))
            last = self.last.get(cid) if self.last is not None else None
            rows.append([
                str(cid),
                cls,
                (reasons or {}).get(cid) or self.reason(action, cid),
                "" if last is None or pd.isna(last) else M.date(last, lang),
                round(float(self.spend.get(cid, 0.0)), 2),
                (actions or {}).get(cid) or str(lc_action.get(cid) or ""),
            ])
        return pd.DataFrame(rows, columns=call_columns(lang))


def _by_tier(ctx: _Context, key: str, ids: pd.Index, action_key: str) -> Decision | None:
    ids = ctx.valuable(ids)
    if len(ids) == 0:
        return None
    counts = _tier_counts(ids, ctx.tier_of())
    revenue = ctx.revenue(ids)
    share = _share(revenue, ctx.total)
    text = t(ctx.lang, f"d_{key}", who=_tier_words(counts, ctx.lang), money=ctx.m(revenue),
             share=ctx.p(share))
    return Decision(key, text, t(ctx.lang, action_key), len(ids), revenue, share, counts, key)


def _last_month(snaps: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    ends = sorted(pd.to_datetime(snaps["period_end"]).unique())
    if len(ends) < 2:
        return None
    return pd.Timestamp(ends[-2]), pd.Timestamp(ends[-1])


def _month_words(start: pd.Timestamp, end: pd.Timestamp, lang: str) -> str:
    # consecutive month ends name the month ("December 2024"), anything else the two dates
    nxt = (start + pd.offsets.MonthEnd(1)).normalize()
    if start.is_month_end and end.is_month_end and nxt == end.normalize():
        return t(lang, "d_month_name", month=t(lang, f"month_{end.month}"), year=end.year)
    return t(lang, "d_month_range", a=M.date(start.date(), lang), b=M.date(end.date(), lang))


def month_moves(snaps: pd.DataFrame) -> pd.DataFrame | None:
    """Each customer's lifecycle class at the last two period ends of a timeline.

    Returns ``customer_id, before, after`` (``before`` is NaN for customers not yet known at
    the earlier period end), or None with fewer than two period ends.
    """
    span = _last_month(snaps)
    if span is None:
        return None
    ends = pd.to_datetime(snaps["period_end"])
    a = snaps.loc[ends == span[0], ["customer_id", "class"]].rename(columns={"class": "before"})
    b = snaps.loc[ends == span[1], ["customer_id", "class"]].rename(columns={"class": "after"})
    out = b.merge(a, on="customer_id", how="left")[["customer_id", "before", "after"]]
    out.attrs["span"] = span
    return out


def _month(ctx: _Context, snaps: pd.DataFrame | None) -> tuple[Decision | None, pd.Index]:
    if snaps is None or snaps.empty:
        return None, pd.Index([])
    mv = month_moves(snaps)
    if mv is None:
        return None, pd.Index([])
    start, end = mv.attrs["span"]
    known = mv["before"].notna()
    asleep = mv.loc[known & (mv["before"] != _DORMANT) & (mv["after"] == _DORMANT)]
    woke = mv.loc[known & (mv["before"] == _DORMANT) & (mv["after"] != _DORMANT)]
    fans = mv.loc[(mv["after"] == _FAN) & (mv["before"] != _FAN)]
    novices = mv.loc[(mv["after"] == _NOVICE) & (mv["before"] != _NOVICE)]
    asleep_ids = pd.Index(asleep["customer_id"])
    asleep_fans = int((asleep["before"] == _FAN).sum())
    rev_asleep = ctx.revenue(asleep_ids)
    rev_woke = ctx.revenue(pd.Index(woke["customer_id"]))
    lang = ctx.lang
    text = t(lang, "d_month", month=_month_words(start, end, lang),
             asleep=ctx.n(len(asleep)), fans=ctx.n(asleep_fans), money=ctx.m(rev_asleep),
             share=ctx.p(_share(rev_asleep, ctx.total)), woke=ctx.n(len(woke)),
             woke_money=ctx.m(rev_woke), new_fans=ctx.n(len(fans)),
             novices=ctx.n(len(novices)))
    d = Decision("month", text, t(lang, "d_month_action"), len(asleep), rev_asleep,
                 _share(rev_asleep, ctx.total), calls="month" if len(asleep) else "")
    return d, asleep_ids


def _label(labels: Mapping[tuple[str, str], str], fw: str, cls: str) -> str:
    return labels.get((fw, cls), cls)


def _since(ctx: _Context, rd: Any, previous: pd.DataFrame | None, since: str) -> Decision | None:
    """The biggest move since the previous snapshot, with the revenue of its customers."""
    if previous is None:
        return None
    from clientlib.reports.changes import UNCOMPARABLE

    seg = rd.study.segments
    cur = seg.loc[~seg["framework"].isin(UNCOMPARABLE), ["customer_id", "framework", "class"]]
    cur = cur.astype({"customer_id": str, "class": str})
    prev = previous.loc[~previous["framework"].isin(UNCOMPARABLE)]
    both = cur.merge(prev, on=["customer_id", "framework"], suffixes=("", "_before"))
    moved = both.loc[both["class"] != both["class_before"]]
    lang = ctx.lang
    day = M.date(since, lang) if since else "–"
    if moved.empty:
        return Decision("since", t(lang, "d_since_none", since=day), "", 0, 0.0, 0.0)
    sizes = moved.groupby(["framework", "class_before", "class"]).size().reset_index(name="n")
    sizes = sizes.sort_values(["n", "framework", "class_before", "class"],
                              ascending=[False, True, True, True], kind="stable")
    top = sizes.iloc[0]
    who = moved.loc[(moved["framework"] == top["framework"])
                    & (moved["class_before"] == top["class_before"])
                    & (moved["class"] == top["class"]), "customer_id"]
    spend = ctx.spend.copy()
    spend.index = spend.index.astype(str)
    revenue = float(spend.reindex(pd.Index(who)).fillna(0.0).sum())
    pairs = seg[["framework", "class", "label"]].drop_duplicates(["framework", "class"])
    labels = {(str(f), str(c)): str(lbl) for f, c, lbl in pairs.itertuples(index=False)}
    fw = str(top["framework"])
    share = _share(revenue, ctx.total)
    text = t(lang, "d_since", since=day, a=_label(labels, fw, str(top["class_before"])),
             b=_label(labels, fw, str(top["class"])), framework=ctx.titles.get(fw, fw),
             n=ctx.n(int(top["n"])), money=ctx.m(revenue), share=ctx.p(share))
    return Decision("since", text, "", int(top["n"]), revenue, share)


def _fans(ctx: _Context) -> Decision | None:
    if ctx.lifecycle is None:
        return None
    ids = ctx.lifecycle.index[(ctx.lifecycle["class"] == _FAN).to_numpy()]
    if len(ids) == 0:
        return None
    revenue = ctx.revenue(ids)
    share = _share(revenue, ctx.total)
    n_all = len(ctx.spend)
    text = t(ctx.lang, "d_fans", cshare=M.percent(len(ids) / n_all if n_all else 0, ctx.lang, 0),
             n=ctx.n(len(ids)), money=ctx.m(revenue), share=M.percent(share, ctx.lang, 0))
    return Decision("fans", text, t(ctx.lang, "d_fans_action"), len(ids), revenue, share)


def decide(
    rd: Any,
    *,
    currency: str | None = None,
    previous: pd.DataFrame | None = None,
    since: str = "",
) -> Decisions:
    """The manager's decisions of a report, with the call lists behind them.

    Parameters
    ----------
    rd : clientlib.reports.data.ReportData
        The report's data: ``study`` (facts, segments, fitted frameworks), ``snapshots`` (the
        lifecycle timeline, or None), ``titles`` and ``lang``.
    currency : str, optional
        Sign shown with money; default ``rd.currency`` when it has one, else none.
    previous : pandas.DataFrame, optional
        The previous snapshot of a batch (``customer_id, framework, class``).
    since : str
        Its date (ISO), for the sentence.

    Returns
    -------
    Decisions

    Examples
    --------
    >>> from clientlib.reports.data import prepare
    >>> rd = prepare(n_customers=300, k=3, timeline_months=2)
    >>> d = decide(rd)
    >>> [x.key for x in d.items][:2], sorted(d.calls) == sorted(ACTIONS)
    (['this_week', 'unhappy'], True)
    """
    cur = getattr(rd, "currency", "") if currency is None else currency
    ctx = _Context(rd, cur or "")
    lang = ctx.lang
    items: list[Decision] = []
    calls: dict[str, pd.DataFrame] = {a: pd.DataFrame(columns=call_columns(lang))
                                      for a in ACTIONS}
    week_ids: list[pd.Index] = []
    week_reason: dict[Any, str] = {}
    if ctx.tiers is not None and ctx.lifecycle is not None:
        lc = ctx.lifecycle["class"]
        unhappy = lc.index[(lc == _UNHAPPY).to_numpy()]
        dormant = lc.index[(lc == _DORMANT).to_numpy()]
        lost = pd.Index([])
        if ctx.btyd is not None:
            bt = ctx.btyd["class"]
            lost = bt.index[(bt == _LOST).to_numpy()]
        for key, ids, action_key in (("unhappy", unhappy, "d_unhappy_action"),
                                     ("dormant", dormant, "d_dormant_action"),
                                     ("lost", lost, "d_lost_action")):
            if key == "lost" and ctx.btyd is None:
                continue
            d = _by_tier(ctx, key, ids, action_key)
            if d is None:
                continue
            if key == "lost":  # how many of them the lifecycle does not flag yet
                fresh = ctx.valuable(ids).difference(unhappy.union(dormant))
                d.text += " " + (t(lang, "d_lost_fresh", n=ctx.n(len(fresh))) if len(fresh)
                                 else t(lang, "d_lost_listed"))
            items.append(d)
            valuable = ctx.valuable(ids)
            actions = None
            if key == "lost":  # the lifecycle's action says nothing about the model's warning
                bt_action = ctx.btyd["action"] if ctx.btyd is not None else {}
                actions = {c: str(bt_action.get(c, "")) for c in valuable}
                bt_label = ctx.btyd["label"] if ctx.btyd is not None else {}
                tier_label = ctx.tiers["label"]
                classes = {c: f"{tier_label.get(c)} · {bt_label.get(c)}" for c in valuable}
                calls[key] = ctx.calls(valuable, key, classes=classes, actions=actions)
            else:
                calls[key] = ctx.calls(valuable, key)
            week_ids.append(valuable)
            for c in valuable:
                week_reason.setdefault(c, ctx.reason(key, c))
        if week_ids:
            union = week_ids[0]
            for ids in week_ids[1:]:
                union = union.union(ids)
            top = ctx.ranked(union)[:WEEK_CALLS]
            frames = {k: calls[k] for k in ("unhappy", "dormant", "lost")}
            cls: dict[str, str] = {}
            act: dict[str, str] = {}
            for frame in frames.values():
                for row in frame.itertuples(index=False):
                    cls.setdefault(row[0], row[1])
                    act.setdefault(row[0], row[5])
            str_top = [str(c) for c in top]
            week = ctx.calls(top, "this_week",
                             reasons={c: week_reason.get(c, "") for c in top},
                             classes={c: cls.get(str(c), "") for c in top},
                             actions={c: act.get(str(c), "") for c in top})
            calls["this_week"] = week
            revenue = ctx.revenue(top)
            share = _share(revenue, ctx.total)
            first = str_top[0]
            text = t(lang, "d_this_week", n=ctx.n(len(top)), money=ctx.m(revenue),
                     share=ctx.p(share), first=first, first_money=ctx.m(ctx.spend.get(top[0])))
            items.insert(0, Decision("this_week", text, t(lang, "d_this_week_action"), len(top),
                                     revenue, share, _tier_counts(top, ctx.tier_of()),
                                     "this_week", [first]))
    month, asleep = _month(ctx, getattr(rd, "snapshots", None))
    if month is not None:
        items.append(month)
        calls["month"] = ctx.calls(asleep, "month")
    since_d = _since(ctx, rd, previous, since)
    if since_d is not None:
        items.append(since_d)
    fans = _fans(ctx)
    if fans is not None:
        items.append(fans)
    return Decisions(items, calls, ctx.total, ctx.currency)


def previous_snapshot(run: Mapping[str, Any] | None) -> tuple[pd.DataFrame | None, str]:
    """The previous snapshot a batch passed to the report (checked), and its date, or None."""
    if not run or not run.get("previous"):
        return None, ""
    from clientlib.reports.changes import read_snapshot

    return read_snapshot(run["previous"]), str(run.get("previous_label") or "")

