"""Datasets shipped with clientlib and the synthetic ``workshop`` generator.

Three datasets are registered:

``cdnow``
    The CDNOW master file (69,659 purchases of 23,570 customers, 1997-01 to 1998-06), vendored
    from the ``lifetimes`` wheel (MIT). Transactions only.
``cdnow_sample``
    Its 1/10 sample (6,919 purchases of 2,357 customers), the data of Fader, Hardie & Lee
    (2005): the oracle of the BG/NBD figures and of ``clientlib backtest``. Transactions only.
``workshop``
    A seeded synthetic shop with customers (survey answers and a hidden true ``persona``),
    line-item transactions and an event log, built so that every framework in clientlib has the
    data it needs and every class occurs.

Tables use the role names of ``docs/CONTRACTS.md``; :attr:`Dataset.mapping` says which column
plays which role where a dataset keeps its own names (CDNOW's ``date``).

Examples
--------
>>> from clientlib import datasets
>>> datasets.available()
['cdnow', 'cdnow_sample', 'workshop']
>>> ds = datasets.load("workshop", n_customers=300, seed=1)
>>> sorted(ds.mapping)[:3]
['amount', 'customer_id', 'discount']
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clientlib.schema import EVENT_KINDS, SURVEY_COLUMNS

if TYPE_CHECKING:  # pragma: no cover - typing only
    import numpy as np
    import pandas as pd
    import pyarrow as pa

# NumPy, pandas and pyarrow are imported by the functions that build data: listing and
# describing the datasets (``clientlib datasets list``) imports none of them.

__all__ = [
    "Dataset",
    "WorkshopData",
    "PERSONAS",
    "EVENT_KINDS",
    "SURVEY_COLUMNS",
    "available",
    "describe",
    "load",
    "export",
    "data_dir",
    "load_cdnow",
    "load_cdnow_sample",
    "load_donations",
    "workshop",
    "workshop_customers_for",
    "CDNOW_MAPPING",
    "WORKSHOP_MAPPING",
]


# --------------------------------------------------------------------------------------------
# Containers
# --------------------------------------------------------------------------------------------


@dataclass
class Dataset:
    """A loaded dataset: the tables plus the role mapping of the transactions table.

    Attributes
    ----------
    name : str
        Registry name (``"cdnow"``, ``"workshop"``).
    transactions : pandas.DataFrame
        One row per purchase line.
    events : pandas.DataFrame or None
        Event log in contract names (``customer_id``, ``timestamp``, ``kind``, ``sentiment``,
        ``referred_customer_id``); ``None`` when the dataset has none.
    customers : pandas.DataFrame or None
        One row per customer with attribute / survey columns; ``None`` when absent.
    mapping : dict[str, str]
        Role -> column name in ``transactions`` (for example ``{"timestamp": "date"}`` in CDNOW).
    """

    name: str
    transactions: pd.DataFrame
    events: pd.DataFrame | None = None
    customers: pd.DataFrame | None = None
    mapping: dict[str, str] | None = None

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the tables that exist, by name (``transactions``, ``events``, ``customers``)."""
        out = {"transactions": self.transactions, "events": self.events}
        out["customers"] = self.customers
        return {k: v for k, v in out.items() if v is not None}


@dataclass
class WorkshopData:
    """Output of :func:`workshop`: three pandas DataFrames in contract column names."""

    customers: pd.DataFrame
    transactions: pd.DataFrame
    events: pd.DataFrame


# --------------------------------------------------------------------------------------------
# Where the data files live
# --------------------------------------------------------------------------------------------


def data_dir() -> Traversable:
    """Return the folder holding the data files.

    A wheel carries them inside the package (``clientlib/_datasets``); an editable install or a
    source checkout reads the top-level ``datasets/`` folder beside the package.

    Examples
    --------
    >>> from clientlib.datasets import data_dir
    >>> data_dir().joinpath("cdnow").is_dir()
    True
    """
    try:
        packaged = resources.files("clientlib") / "_datasets"
        if packaged.is_dir():
            return packaged
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - odd loaders
        pass
    checkout = Path(__file__).resolve().parents[1] / "datasets"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        "clientlib's data folder was not found: looked in the installed package "
        "(clientlib/_datasets) and in the source checkout "
        f"({checkout}). Reinstall clientlib (pip install clientlib) or run from a full checkout."
    )


# --------------------------------------------------------------------------------------------
# CDNOW
# --------------------------------------------------------------------------------------------

CDNOW_MAPPING = {"customer_id": "customer_id", "timestamp": "date", "amount": "amount"}


def load_cdnow() -> pd.DataFrame:
    """Read the vendored CDNOW master file.

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id`` (str, zero-padded as in the file, e.g. ``"00001"``), ``date``
        (datetime64, parsed from YYYYMMDD), ``cds`` (int64, number of CDs) and ``amount``
        (float64, dollars), in file order.

    Examples
    --------
    >>> from clientlib.datasets import load_cdnow
    >>> df = load_cdnow()
    >>> len(df), df["customer_id"].nunique(), round(float(df["amount"].sum()), 2)
    (69659, 23570, 2500315.63)
    """
    import pandas as pd

    path = data_dir().joinpath("cdnow", "CDNOW_master.txt.gz")
    with path.open("rb") as raw, gzip.open(raw, "rt", newline="") as fh:
        # Whitespace-separated with a header line and CRLF endings; ids keep leading zeros.
        df = pd.read_csv(
            fh,
            sep=r"\s+",
            header=0,
            names=["customer_id", "date", "cds", "amount"],
            dtype={"customer_id": "str", "date": "str", "cds": "int64", "amount": "float64"},
        )
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d").astype("datetime64[us]")
    return df


def load_cdnow_sample() -> pd.DataFrame:
    """Read the vendored CDNOW 1/10 sample (2,357 customers), the data of the BG/NBD papers.

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id`` (str, the sample's id ``"0001"``..``"2357"``), ``master_id`` (str,
        the id in the master file), ``date`` (datetime64), ``cds`` (int64), ``amount`` (float64),
        in file order; :data:`CDNOW_MAPPING` gives the roles.

    Examples
    --------
    >>> from clientlib.datasets import load_cdnow_sample
    >>> df = load_cdnow_sample()
    >>> len(df), df["customer_id"].nunique(), round(float(df["amount"].sum()), 2)
    (6919, 2357, 244091.94)
    """
    import pandas as pd

    path = data_dir().joinpath("cdnow_sample", "CDNOW_sample.txt.gz")
    with path.open("rb") as raw, gzip.open(raw, "rt", newline="") as fh:
        # No header: master id, sample id, YYYYMMDD, CDs, dollars; ids keep leading zeros.
        df = pd.read_csv(
            fh,
            sep=r"\s+",
            header=None,
            names=["master_id", "customer_id", "date", "cds", "amount"],
            dtype={"master_id": "str", "customer_id": "str", "date": "str", "cds": "int64",
                   "amount": "float64"},
        )  # fmt: skip
    df = df[["customer_id", "master_id", "date", "cds", "amount"]]
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d").astype("datetime64[us]")
    return df


def load_donations() -> pd.DataFrame:
    """Read the vendored donations table of Fader, Hardie & Shang (2010), the BG/BB data.

    11,104 first-time supporters of a non-profit in 1995, followed over the six yearly
    opportunities to give again (1996-2001), as a recency/frequency table with counts.  It is a
    summary, not transactions, so it is not among :func:`available`'s datasets.

    Returns
    -------
    pandas.DataFrame
        Columns ``frequency`` (years with a donation), ``recency`` (the last such year, 0 with
        none), ``n_periods`` (6) and ``count`` (donors with that history), all int64, 22 rows.

    Examples
    --------
    >>> from clientlib.datasets import load_donations
    >>> d = load_donations()
    >>> len(d), int(d["count"].sum())
    (22, 11104)
    """
    import pandas as pd

    path = data_dir().joinpath("donations", "donations.csv")
    with path.open("rb") as fh:
        df = pd.read_csv(fh, dtype="int64")
    return df.rename(columns={"periods": "n_periods", "weights": "count"})


# --------------------------------------------------------------------------------------------
# Workshop generator
# --------------------------------------------------------------------------------------------

#: Hidden true personas of the workshop data, in generation order.
PERSONAS: tuple[str, ...] = (
    "loyal_fan",
    "bargain_hunter",
    "freeloader",
    "premium_fast",
    "occasional",
    "churned",
    "unhappy",
    "prospect",
    "false_client",
    "key_account",
)

_K = {k: i for i, k in enumerate(EVENT_KINDS)}


# Persona parameters: one column a persona (in PERSONAS order), one row a parameter.
# share: share of customers. orders: mean paid orders over the buying window (0: never buys).
# s_hi, l_lo, l_hi: the window starts at U(0, s_hi) of the period and lasts U(l_lo, l_hi) of the
#   time left, so churned customers stop early and fans buy until the end.
# lines, qty: Poisson means added to 1 line per order / 1 unit per line. price: price level.
# disc, expr, prem: per-order chance of a discount / express / premium; dkind: discount levels
#   (0 small, 1 deep sales, 2 free or >= 80 %). ret: per-line chance of a return.
# q: chance of each Mendocha "yes". contacts, visits: Poisson means a customer.
# refer: share of buyers who refer others. review: share of buyers who write reviews.
_PTABLE = """
param          fan  bargain     free  premium    occas  churned  unhappy prospect    false      key
share         0.14     0.12     0.04     0.08      0.2     0.12     0.06     0.18     0.04     0.02
orders          12        6        3       10      1.4        5        3        0        0       24
s_hi           0.5      0.6      0.8      0.5        1     0.25      0.5        0        0      0.2
l_lo          0.95      0.7      0.1      0.9        0     0.15      0.3        0        0        1
l_hi             1        1      0.5        1     0.15      0.4      0.8        0        0        1
lines          0.5      0.5      0.3      0.5      0.3      0.5      0.5        0        0        1
qty            0.6      0.8      0.3      0.5      0.4      0.5      0.5        0        0        3
price            1      0.7      0.8      1.6        1        1        1        0        0        4
disc          0.15     0.85     0.85     0.03     0.25      0.2      0.2        0        0      0.3
dkind            0        1        2        0        0        0        0        0        0        0
expr           0.2      0.1     0.05      0.8     0.15     0.15      0.3        0        0      0.3
prem           0.3      0.1     0.05     0.85     0.15      0.2      0.3        0        0      0.5
ret           0.01     0.02     0.02     0.01     0.02     0.02     0.15        0        0     0.01
q             0.85      0.6      0.4      0.9      0.6      0.6     0.55     0.55     0.35     0.92
contacts         4        1        1        2      0.5        1      1.5        1        3        0
visits           2        3        2        1        1        1        1      1.5        1        2
refer          0.5     0.05        0      0.1        0     0.02        0        0        0      0.3
review         0.6      0.3      0.2      0.4      0.2      0.2      0.5        0        0      0.3
"""
_PCOLS = [line.split()[0] for line in _PTABLE.split("\n")[2:-1]]
_PROWS = {
    p: tuple(float(line.split()[1 + i]) for line in _PTABLE.split("\n")[2:-1])
    for i, p in enumerate(PERSONAS)
}
# Awareness stage probabilities: self_sufficient, failed_diy, ready_to_buy, aware_no_use, unaware.
_AWARE_BUYER = (0.03, 0.20, 0.40, 0.30, 0.07)
_AWARE = {
    "prospect": (0.20, 0.20, 0.15, 0.20, 0.25),
    "false_client": (0.30, 0.10, 0.10, 0.30, 0.20),
}
# Sentiment draws (-1, 0, +1) for contacts and reviews.
_SENT = {
    "loyal_fan": (0.05, 0.25, 0.70),
    "key_account": (0.10, 0.30, 0.60),
    "premium_fast": (0.10, 0.30, 0.60),
    "unhappy": (0.30, 0.50, 0.20),
    "false_client": (0.10, 0.60, 0.30),
}
_SENT_DEFAULT = (0.15, 0.45, 0.40)
# Discount levels per dkind (0 small, 1 deep sales, 2 free or >= 80 %); padded rows.
_DLEVELS = (
    (0.05, 0.10, 0.10, 0.15, 0.15, 0.20, 0.05, 0.10),
    (0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.50),
    (0.80, 0.85, 0.90, 0.95, 1.00, 1.00, 1.00, 1.00),
)
_DAY = 86_400


def _table(mix: Mapping[str, float] | None) -> tuple[list[str], dict[str, np.ndarray]]:
    """Persona names in use and their parameter columns, with shares normalised."""
    import numpy as np

    shares = {p: _PROWS[p][0] for p in PERSONAS}
    if mix is not None:
        unknown = sorted(set(mix) - set(PERSONAS))
        if unknown:
            raise ValueError(f"unknown persona(s) {unknown} in mix; known: {list(PERSONAS)}")
        shares = {p: float(mix.get(p, 0.0)) for p in PERSONAS}
        if any(v < 0 for v in shares.values()) or sum(shares.values()) <= 0:
            raise ValueError("mix shares must be >= 0 and not all zero")
    names = [p for p in PERSONAS if shares[p] > 0]
    cols = {c: np.array([_PROWS[p][i] for p in names], dtype=float) for i, c in enumerate(_PCOLS)}
    cols["share"] = np.array([shares[p] for p in names]) / sum(shares[p] for p in names)
    return names, cols


def _expected_lines(cols: dict[str, np.ndarray], orders_scale: float) -> float:
    """Expected transaction lines per customer (paid lines plus returns)."""
    import numpy as np

    orders = np.where(cols["orders"] > 0, 1 + (cols["orders"] - 1) * orders_scale, 0.0)
    return float(np.sum(cols["share"] * orders * (1 + cols["lines"]) * (1 + cols["ret"])))


def workshop_customers_for(
    n_transactions: int, orders_scale: float = 1.0, mix: Mapping[str, float] | None = None
) -> int:
    """Number of customers that gives about ``n_transactions`` transaction lines.

    Examples
    --------
    >>> from clientlib.datasets import workshop_customers_for
    >>> 1_000_000 < workshop_customers_for(10_000_000) < 1_600_000
    True
    """
    _, cols = _table(mix)
    return max(len(PERSONAS), int(round(n_transactions / _expected_lines(cols, orders_scale))))


def _ids(prefix: str, n: int, width: int) -> pa.Array:
    """``prefix`` + zero-padded 1..n as an Arrow string array (fast for millions of ids)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    nums = pc.cast(pa.array(np.arange(1, n + 1, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(nums, width, "0"), "")


def _str(arr: pa.Array) -> pd.arrays.ArrowStringArray:
    import pandas as pd

    return pd.array(arr, dtype="str")


def _pick(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of ``probs`` (rows sum to 1)."""
    import numpy as np

    u = np.asarray(rng.random(probs.shape[0]))[:, None]
    return np.minimum((u > np.cumsum(probs, axis=1)).sum(axis=1), probs.shape[1] - 1)


def _spread(
    rng: np.random.Generator, counts: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``counts[c]`` times per customer, timestamps uniform in [lo[c], hi[c]] (seconds)."""
    import numpy as np

    cust = np.repeat(np.arange(counts.size), counts)
    lo_c = lo[cust]
    width = np.maximum(hi[cust] - lo_c, 0)
    return cust, lo_c + (rng.random(cust.size) * width).astype(np.int64)


def workshop(
    n_customers: int = 2000,
    seed: int = 0,
    start: str | pd.Timestamp = "2023-01-01",
    end: str | pd.Timestamp = "2024-12-31",
    *,
    orders_scale: float = 1.0,
    n_transactions: int | None = None,
    mix: Mapping[str, float] | None = None,
) -> WorkshopData:
    """Generate the synthetic workshop shop: customers, line-item transactions and events.

    Every customer has a hidden true ``persona`` (see :data:`PERSONAS`); the personas are built
    so that each class of every framework occurs: targets with no events and leads with touches
    (``prospect``), novices and one-off buyers (``occasional``), fans and advocates who refer
    (``loyal_fan``), dormant customers who stopped (``churned``), returnees who complained or got a
    refund after their last purchase (``unhappy``), heavy spenders with dossier reviews
    (``key_account``), long negotiations that keep being postponed (``false_client``), free or
    >= 80 % discounted orders (``freeloader``), discount hunters, and express + premium buyers
    without discounts (``premium_fast``). Spend is heavy-tailed (log-normal price levels).

    Parameters
    ----------
    n_customers : int, default 2000
        Number of customers. Ignored when ``n_transactions`` is given.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``; the same seed gives identical frames.
    start, end : str or Timestamp
        First and last day of the period (both inclusive); timestamps fall in ``[start, end+1d)``.
    orders_scale : float, default 1.0
        Multiplies the number of repeat orders of every buying persona.
    n_transactions : int, optional
        Target number of transaction lines; ``n_customers`` is computed to reach about this many
        (see :func:`workshop_customers_for`).
    mix : mapping persona -> share, optional
        Persona shares (normalised); personas left out are not generated.

    Returns
    -------
    WorkshopData
        ``customers``: ``customer_id`` (``W000001``…), the survey booleans of
        :data:`SURVEY_COLUMNS` and ``persona``.
        ``transactions``: ``customer_id``, ``order_id`` (``O…``; returns ``R…``), ``timestamp``,
        ``amount`` (net line amount, negative on return lines), ``quantity``, ``unit_price``,
        ``discount`` (0..1, free items 1.0 with amount 0), ``is_express``, ``is_premium``.
        ``events``: ``customer_id``, ``timestamp``, ``kind`` (:data:`EVENT_KINDS`), ``sentiment``
        (-1/0/1 on contacts and reviews, NaN otherwise), ``referred_customer_id`` (referrals).
        Rows are sorted by customer, then time.

    Examples
    --------
    >>> from clientlib.datasets import workshop
    >>> w = workshop(n_customers=500, seed=7)
    >>> w.customers["persona"].nunique()
    10
    >>> list(w.transactions.columns)[:4]
    ['customer_id', 'order_id', 'timestamp', 'amount']
    >>> bool((w.transactions["amount"] < 0).any())  # a few return lines
    True
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    names, P = _table(mix)
    if n_transactions is not None:
        n_customers = workshop_customers_for(n_transactions, orders_scale, mix)
    if n_customers < 1:
        raise ValueError(f"n_customers must be >= 1, got {n_customers}")
    t0 = pd.Timestamp(start).normalize()
    t1 = pd.Timestamp(end).normalize()
    if t1 < t0:
        raise ValueError(f"end ({t1.date()}) is before start ({t0.date()})")
    span_days = (t1 - t0).days + 1
    S = span_days * _DAY  # timestamps are integer seconds in [0, S)
    rng = np.random.default_rng(seed)
    n = int(n_customers)
    pidx = {p: i for i, p in enumerate(names)}

    # --- personas: exact counts (largest remainder, >= 1 each when possible), shuffled --------
    raw = P["share"] * n
    counts = np.floor(raw).astype(np.int64)
    if n >= len(names):
        counts = np.maximum(counts, 1)
    rest = n - counts.sum()
    order = np.argsort(-(raw - np.floor(raw)), kind="stable")
    if rest > 0:
        counts[order[:rest]] += 1
    else:  # the >= 1 floor overshot: take back from the largest groups
        for i in np.argsort(-counts, kind="stable")[: -rest]:
            counts[i] -= 1
    persona = rng.permutation(np.repeat(np.arange(len(names)), counts))

    def par(col: str) -> np.ndarray:
        return P[col][persona]

    def isp(name: str) -> np.ndarray:
        return persona == pidx[name] if name in pidx else np.zeros(n, dtype=bool)

    # --- buying windows and order counts ----------------------------------------------------
    s_frac = rng.random(n) * par("s_hi")
    l_frac = par("l_lo") + rng.random(n) * (par("l_hi") - par("l_lo"))
    win_lo = (s_frac * S).astype(np.int64)
    win_hi = np.minimum(win_lo + (l_frac * (S - win_lo)).astype(np.int64), S - 1)
    m = par("orders")
    n_orders = np.where(m > 0, 1 + rng.poisson(np.maximum(m - 1, 0) * orders_scale), 0)
    buyer = n_orders > 0

    # --- orders: one in each of n equal slices of the window (jittered), so repeat buyers buy
    # at a steady pace, the last order of an active buyer is recent, and times come out sorted.
    first_o = np.cumsum(n_orders) - n_orders  # index of each customer's first order
    last_o = first_o + n_orders - 1
    o_cust = np.repeat(np.arange(n), n_orders)
    n_ord = o_cust.size
    k = np.arange(n_ord) - first_o[o_cust]
    step = (win_hi - win_lo)[o_cust] / np.maximum(n_orders[o_cust], 1)
    o_ts = win_lo[o_cust] + ((k + rng.random(n_ord)) * step).astype(np.int64)
    o_p = persona[o_cust]
    o_disc = rng.random(n_ord) < P["disc"][o_p]
    dkind = P["dkind"][o_p].astype(np.int64)
    dlevels = np.array(_DLEVELS)
    level = dlevels[dkind, (rng.random(n_ord) * dlevels.shape[1]).astype(np.int64)]
    o_discount = np.where(o_disc, level, 0.0)
    o_express = rng.random(n_ord) < P["expr"][o_p]
    o_premium = rng.random(n_ord) < P["prem"][o_p]
    # Bargain hunters split into fast+cheap, good+cheap and plain cheap (fast/good/cheap classes).
    sub = rng.integers(0, 3, n)[o_cust]
    bh = o_p == pidx.get("bargain_hunter", -1)
    u_bh = rng.random(n_ord)
    o_express = np.where(bh & (sub == 0), u_bh < 0.75, o_express)
    o_premium = np.where(bh & (sub == 1), u_bh < 0.75, o_premium)

    # --- lines -------------------------------------------------------------------------------
    # Price level per customer: log-normal, so spend is heavy-tailed.
    cust_price = 25.0 * par("price") * np.exp(rng.normal(0.0, 0.8, n))
    # One key account is a giant (a fixed, high price level) so that the ">= 10 % of revenue"
    # key-account flag occurs at the default size.
    keys = np.flatnonzero(isp("key_account"))
    if keys.size:
        cust_price[rng.choice(keys)] = 25.0 * P["price"][pidx["key_account"]] * 16.0
    n_lines = 1 + rng.poisson(P["lines"][o_p])
    l_ord = np.repeat(np.arange(n_ord), n_lines)
    n_l = l_ord.size
    l_cust = o_cust[l_ord]
    l_p = o_p[l_ord]
    qty = 1 + rng.poisson(P["qty"][l_p])
    unit = cust_price[l_cust] * np.exp(rng.normal(0.0, 0.35, n_l))
    unit *= np.where(o_premium[l_ord], 1.8, 1.0) * np.where(o_express[l_ord], 1.25, 1.0)
    unit = np.maximum(np.round(unit, 2), 0.5)
    disc = o_discount[l_ord]
    amount = np.round(qty * unit * (1.0 - disc), 2)

    # Returns: a full-line credit note a few days later, under its own order id ("R…").
    ret = (rng.random(n_l) < P["ret"][l_p]) & (amount > 0)
    # Unhappy customers mostly return the first line of their last order (refund follows).
    first_line = np.cumsum(n_lines) - n_lines
    unhappy_ret = isp("unhappy")[o_cust[last_o[buyer]]] & (rng.random(int(buyer.sum())) < 0.6)
    forced = first_line[last_o[buyer][unhappy_ret]]
    forced = forced[amount[forced] > 0]
    ret[forced] = True
    r_idx = np.flatnonzero(ret)
    r_ts = np.minimum(o_ts[l_ord[r_idx]] + rng.integers(2 * _DAY, 30 * _DAY, r_idx.size), S - 1)
    n_r = r_idx.size
    f_cust = l_cust[forced]  # refund events go with these returns
    f_ts = r_ts[np.searchsorted(r_idx, forced)]

    t_cust = np.concatenate([l_cust, l_cust[r_idx]])
    t_ts = np.concatenate([o_ts[l_ord], r_ts])
    srt = np.argsort(t_cust.astype(np.int64) * S + t_ts, kind="stable")
    width_o = max(8, len(str(max(n_ord, n_r, 1))))
    oid_all = pa.concat_arrays([_ids("O", n_ord, width_o), _ids("R", n_r, width_o)])
    oid_take = np.concatenate([l_ord, n_ord + np.arange(n_r)])[srt]
    sign = np.concatenate([np.ones(n_l, dtype=np.int64), -np.ones(n_r, dtype=np.int64)])[srt]
    line_of = np.concatenate([np.arange(n_l), r_idx])[srt]  # source purchase line of each row

    cust_ids = _ids("W", n, max(6, len(str(n))))
    start_us = np.datetime64(t0.to_datetime64(), "us").astype(np.int64)

    def stamp(sec: np.ndarray) -> np.ndarray:
        return (start_us + sec * 1_000_000).view("datetime64[us]")

    transactions = pd.DataFrame(
        {
            "customer_id": _str(cust_ids.take(pa.array(t_cust[srt]))),
            "order_id": _str(oid_all.take(pa.array(oid_take))),
            "timestamp": stamp(t_ts[srt]),
            "amount": amount[line_of] * sign,
            "quantity": qty[line_of] * sign,
            "unit_price": unit[line_of],
            "discount": disc[line_of],
            "is_express": o_express[l_ord[line_of]],
            "is_premium": o_premium[l_ord[line_of]],
        }
    )
    del t_cust, t_ts, srt, oid_take, sign, line_of, l_ord, l_cust, l_p, qty, unit, disc, amount

    # --- events --------------------------------------------------------------------------------
    first_ts = np.zeros(n, dtype=np.int64)
    last_ts = np.zeros(n, dtype=np.int64)
    first_ts[buyer] = o_ts[first_o[buyer]]
    last_ts[buyer] = o_ts[last_o[buyer]]
    two = n_orders >= 2
    second_ts = first_ts.copy()
    second_ts[two] = o_ts[first_o[two] + 1]
    end_s = np.full(n, S - 1, dtype=np.int64)

    def clip(a: np.ndarray) -> np.ndarray:
        return np.clip(a, 0, S - 1)

    def days(lo: float, hi: float) -> np.ndarray:
        return (rng.uniform(lo, hi, n) * _DAY).astype(np.int64)

    def chance(p: float) -> np.ndarray:
        return rng.random(n) < p

    # Prospects: ~45 % are pure targets (no event at all), the rest leads with touches.
    prospect = isp("prospect")
    lead_p = prospect & ~chance(0.45)
    lead_ts = (rng.random(n) * 0.95 * S).astype(np.int64)
    false_c = isp("false_client")
    key = isp("key_account")
    unhappy = isp("unhappy")
    touch = buyer | lead_p | false_c
    # False clients: first negotiation 90..500 days before the end, postponed again and again.
    neg0 = clip(S - days(90, 500))
    buy_lo = clip(first_ts - days(0, 30))  # touches start a little before the first purchase
    act_lo = np.where(buyer, buy_lo, np.where(false_c, neg0, lead_ts))
    act_hi = np.where(buyer, last_ts, S - 1)
    after_lo = clip(last_ts + days(1, 3))  # strictly after the last purchase
    after_hi = clip(last_ts + days(20, 45))
    sent_tab = np.array([_SENT.get(p, _SENT_DEFAULT) for p in names])[persona]
    blocks: list[tuple[int, np.ndarray, np.ndarray, np.ndarray | None]] = []

    def add(kind: str, cnt: np.ndarray, lo: np.ndarray, hi: np.ndarray, sent=None) -> None:
        c, t = _spread(rng, cnt.astype(np.int64), lo, hi)
        s = None if sent is None else (_pick(rng, sent[c]) - 1).astype(np.float64)
        blocks.append((_K[kind], c, t, s))

    # lead records: every lead-prospect and false client, 70 % of buyers (before buying)
    lead_at = np.where(
        lead_p, lead_ts, np.where(false_c, clip(neg0 - days(0, 30)), clip(first_ts - days(1, 60)))
    )
    add("lead", lead_p | false_c | (buyer & chance(0.7)), lead_at, lead_at)
    add("visit", np.where(touch, rng.poisson(par("visits")), 0), act_lo, act_hi)
    n_enq = np.where(lead_p | false_c, 1 + rng.poisson(0.5, n), 0)
    n_enq = np.where(buyer, rng.poisson(0.5, n), n_enq)
    add("enquiry", n_enq, act_lo, act_hi)
    # negotiations: key accounts before buying; false clients open since neg0 (pinned, so its
    # age is known); some leads negotiate recently (< 60 days: not yet false clients)
    recent_neg = lead_p & chance(0.2)
    neg_lo = np.where(key, clip(first_ts - days(30, 90)), np.where(false_c, neg0, S - days(5, 45)))
    neg_hi = np.where(key, first_ts, S - 1)
    add("negotiation", false_c, neg0, neg0)
    n_neg = np.where(key, 1 + rng.poisson(1.0, n), 0)
    n_neg = np.where(false_c, 1 + rng.poisson(2.0, n), np.where(recent_neg, 1, n_neg))
    add("negotiation", n_neg, neg_lo, neg_hi)
    n_post = np.where(false_c, 2 + rng.poisson(2.0, n), recent_neg & chance(0.3))
    add("postponement", n_post, np.where(false_c, clip(neg0 + 7 * _DAY), neg_lo), end_s)
    # contacts with sentiment; key accounts about every 20 days of the relationship
    key_contacts = rng.poisson(np.maximum(S - buy_lo, 0) / (20 * _DAY))
    n_cont = np.where(key, key_contacts, np.where(touch, rng.poisson(par("contacts")), 0))
    add("contact", n_cont, act_lo, np.where(key, S - 1, act_hi), sent_tab)
    # unhappy customers: a negative contact, complaints, a refund -- after their last purchase
    neg_sent = np.tile([0.85, 0.15, 0.0], (n, 1))
    add("contact", unhappy & chance(0.5), after_lo, after_hi, neg_sent)
    add("complaint", np.where(unhappy, 1 + rng.poisson(0.5, n), 0), after_lo, after_hi)
    # a few other buyers complained once, between their first and second order (not returnees)
    add("complaint", two & ~unhappy & chance(0.03), first_ts, second_ts)
    if f_cust.size:  # refunds at the time of the forced returns
        blocks.append((_K["refund"], f_cust, f_ts, None))
    # referrals (advocates) after the first purchase; referred: any other customer
    ref_hi = clip(np.maximum(last_ts + 30 * _DAY, first_ts))
    n_ref = np.where(buyer & (rng.random(n) < par("refer")), 1 + rng.poisson(0.4, n), 0)
    add("referral", n_ref, first_ts, ref_hi)
    # reviews: during the relationship; unhappy ones write theirs after the last purchase
    n_rev = np.where(buyer & (rng.random(n) < par("review")), 1 + rng.poisson(0.3, n), 0)
    add("review", np.where(unhappy, 0, n_rev), clip(first_ts + _DAY), clip(last_ts + 14 * _DAY),
        sent_tab)  # fmt: skip
    add("review", np.where(unhappy, n_rev, 0), after_lo, after_hi, neg_sent)
    # dossier reviews of key accounts about every 45 days; 40 % stopped 100..200 days ago
    dos_hi = np.where(chance(0.4), clip(S - days(100, 200)), S - 1)
    n_dos = np.where(key, rng.poisson(np.maximum(dos_hi - first_ts, 0) / (45 * _DAY)), 0)
    add("dossier_review", n_dos, first_ts, dos_hi)

    kind = np.concatenate([np.full(b[1].size, b[0], dtype=np.int8) for b in blocks])
    e_cust = np.concatenate([b[1] for b in blocks])
    e_ts = np.concatenate([b[2] for b in blocks])
    sent = np.concatenate(
        [b[3] if b[3] is not None else np.full(b[1].size, np.nan) for b in blocks]
    )
    referred = np.full(e_cust.size, -1, dtype=np.int64)
    is_ref = kind == _K["referral"]
    if n > 1:
        r = rng.integers(0, n - 1, int(is_ref.sum()))
        referred[is_ref] = r + (r >= e_cust[is_ref])  # never the referrer itself
    # One int64 sort key (customer, time, kind): ~20x faster than np.lexsort on millions of rows.
    if n * S * 16 < 2**62:
        srt = np.argsort((e_cust.astype(np.int64) * S + e_ts) * 16 + kind, kind="stable")
    else:  # pragma: no cover - only for absurd sizes
        srt = np.lexsort((kind, e_ts, e_cust))
    e_cust, e_ts, kind, sent, referred = (a[srt] for a in (e_cust, e_ts, kind, sent, referred))
    ref_ids = cust_ids.take(pa.array(np.where(referred >= 0, referred, 0)))
    ref_ids = pc.if_else(pa.array(referred >= 0), ref_ids, pa.nulls(len(ref_ids), pa.string()))
    events = pd.DataFrame(
        {
            "customer_id": _str(cust_ids.take(pa.array(e_cust))),
            "timestamp": stamp(e_ts),
            "kind": _str(pa.array(EVENT_KINDS, pa.string()).take(pa.array(kind))),
            "sentiment": sent,
            "referred_customer_id": _str(ref_ids),
        }
    )

    # --- customers: survey answers follow the persona ------------------------------------------
    q = par("q")[:, None]
    mendocha = rng.random((n, 5)) < q
    mendocha[:, 0] &= ~(isp("bargain_hunter") | isp("freeloader")) | chance(0.5)  # short of money
    mendocha[:, 3] &= ~false_c | chance(0.3)  # false clients rarely decide themselves
    aware_p = np.array([_AWARE.get(p, _AWARE_BUYER) for p in names])[persona]
    stage = _pick(rng, aware_p)  # 0 self_sufficient .. 4 unaware
    coin = chance(0.5)
    customers = pd.DataFrame(
        {
            "customer_id": _str(cust_ids),
            "has_money": mendocha[:, 0],
            "has_urgent_problem": mendocha[:, 1],
            "likes_usp": mendocha[:, 2],
            "has_authority": mendocha[:, 3],
            "finds_offer_acceptable": mendocha[:, 4],
            "does_in_house": (stage == 0) | ((stage == 1) & coin),
            "tried_diy": stage <= 1,
            "had_problems": stage == 1,
            "seeking_vendor": stage == 2,
            "knows_product": stage <= 3,
            "persona": _str(pa.array(names, pa.string()).take(pa.array(persona))),
        }
    )
    return WorkshopData(customers=customers, transactions=transactions, events=events)


# --------------------------------------------------------------------------------------------
# Registry, load, export
# --------------------------------------------------------------------------------------------

#: Transaction roles of the workshop data (its columns already carry the role names).
WORKSHOP_MAPPING = {
    r: r
    for r in (
        "customer_id", "order_id", "timestamp", "amount", "quantity", "unit_price", "discount",
        "is_express", "is_premium",
    )
}  # fmt: skip


def _load_cdnow_dataset() -> Dataset:
    return Dataset("cdnow", load_cdnow(), mapping=dict(CDNOW_MAPPING))


def _load_cdnow_sample_dataset() -> Dataset:
    # master_id stays a column (an attribute nobody reads); customer_id is the sample's id
    return Dataset("cdnow_sample", load_cdnow_sample(), mapping=dict(CDNOW_MAPPING))


def _load_workshop_dataset(**kwargs: Any) -> Dataset:
    w = workshop(**kwargs)
    return Dataset("workshop", w.transactions, w.events, w.customers, dict(WORKSHOP_MAPPING))


_REGISTRY: dict[str, tuple[str, Callable[..., Dataset]]] = {
    "cdnow": (
        "CDNOW master: 69,659 CD purchases of 23,570 customers, 1997-01..1998-06 "
        "(transactions only; Fader & Hardie via lifetimes, MIT)",
        _load_cdnow_dataset,
    ),
    "cdnow_sample": (
        "CDNOW 1/10 sample: 6,919 purchases of 2,357 customers, the data of Fader, Hardie & Lee "
        "(2005) BG/NBD (transactions only; via lifetimes, MIT)",
        _load_cdnow_sample_dataset,
    ),
    "workshop": (
        "Synthetic shop with personas, survey answers, line items and an event log "
        "(seeded; every framework's classes occur)",
        _load_workshop_dataset,
    ),
}


def available() -> list[str]:
    """Names of the datasets :func:`load` knows, sorted.

    Examples
    --------
    >>> from clientlib.datasets import available, describe
    >>> for name in available():
    ...     assert describe(name)
    >>> available()
    ['cdnow', 'cdnow_sample', 'workshop']
    """
    return sorted(_REGISTRY)


def _entry(name: str) -> tuple[str, Callable[..., Dataset]]:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"unknown dataset {name!r}; available: {', '.join(available())}"
        ) from None


def describe(name: str) -> str:
    """One-line description of dataset ``name``.

    Examples
    --------
    >>> from clientlib.datasets import describe
    >>> describe("cdnow").startswith("CDNOW")
    True
    """
    return _entry(name)[0]


def load(name: str, **kwargs: Any) -> Dataset:
    """Load dataset ``name``; keyword arguments go to its generator (``workshop`` only).

    Parameters
    ----------
    name : str
        One of :func:`available`.
    **kwargs
        For ``workshop``: the parameters of :func:`workshop` (``n_customers``, ``seed``…).

    Returns
    -------
    Dataset

    Examples
    --------
    >>> from clientlib.datasets import load
    >>> ds = load("cdnow")
    >>> ds.mapping["timestamp"], str(ds.transactions["date"].dtype)
    ('date', 'datetime64[us]')
    >>> load("workshop", n_customers=200, seed=3).customers.shape[0]
    200
    """
    loader = _entry(name)[1]
    if kwargs and name != "workshop":
        raise TypeError(f"dataset {name!r} takes no options, got {sorted(kwargs)}")
    return loader(**kwargs)


def export(
    name: str,
    out_path: str | os.PathLike[str],
    table: str = "transactions",
    **kwargs: Any,
) -> Path:
    """Write one table of dataset ``name`` to a CSV file, atomically.

    The CSV is written to a temporary file in the destination folder and moved into place with
    :func:`os.replace`, so readers never see a half-written file and a failure leaves none behind.

    Parameters
    ----------
    name : str
        One of :func:`available`.
    out_path : str or path-like
        Destination file; missing parent folders are created. An existing file is replaced; a
        directory is refused.
    table : {"transactions", "events", "customers"}
        Which table to write.
    **kwargs
        Passed to :func:`load` (for example ``seed=1`` for ``workshop``).

    Returns
    -------
    pathlib.Path
        The written file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from clientlib.datasets import export
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> p = export("workshop", d / "w.csv", table="customers", n_customers=50)
    >>> p.read_text().splitlines()[0].split(",")[:2]
    ['customer_id', 'has_money']
    """
    from clientlib.errors import OptionError
    from clientlib.files import check_output, write_csv

    out = check_output(out_path)
    if table not in ("transactions", "events", "customers"):
        raise OptionError(f"unknown table {table!r}; choose transactions, events or customers")
    df = load(name, **kwargs).tables().get(table)
    if df is None:
        raise OptionError(f"dataset {name!r} has no {table} table")
    write_csv(df, out)
    return out
