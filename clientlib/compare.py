"""How far two labelings of the same customers agree.

A labeling is any assignment of customers to classes: a rule-based framework, RFM segments,
k-means clusters. :func:`compare` gives the crosstab and the usual agreement scores for one
pair; :func:`agreement_matrix` scores every pair of a dict of labelings; :func:`compare_files`
reads two outputs of ``clientlib segment``.

Conventions:

* ``a`` is read as the reference ("classes"), ``b`` as the partition being judged
  ("clusters"): homogeneity = each cluster of ``b`` holds one class of ``a``; completeness =
  each class of ``a`` sits in one cluster of ``b``. ARI, AMI, NMI, V-measure, Cramér's V and
  the matching purity are symmetric.
* Cramér's V is ``sqrt(chi2 / (n * (min(r, c) - 1)))`` with ``chi2`` the Pearson chi-square of
  the crosstab without Yates' correction and **without** the Bergsma bias correction; it is
  NaN when one side has a single class.
* Customers whose label is missing on either side are not compared; their count is reported
  (``n_missing``) and a warning says so. Nothing is dropped silently.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.special import gammaln
from scipy.stats import chi2_contingency
from sklearn import metrics

__all__ = [
    "Agreement",
    "compare",
    "agreement_matrix",
    "compare_files",
    "cramers_v",
    "matching",
    "adjusted_mutual_info",
    "METRICS",
]


def _num(v: Any) -> Any:
    """JSON-friendly scalar: NaN -> None, numpy -> python."""
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    return v


@dataclass
class Agreement:
    """Agreement between labeling ``a`` (rows of the crosstab) and ``b`` (columns).

    Attributes
    ----------
    name_a, name_b : str
    n : int
        Customers compared (present with a label on both sides).
    crosstab : DataFrame
        Counts, classes of ``a`` as rows, of ``b`` as columns.
    ari, ami, nmi, homogeneity, completeness, v_measure : float
        From :mod:`sklearn.metrics` with ``a`` as ``labels_true``.
    cramers_v, chi2 : float
        Bias-uncorrected Cramér's V and the chi-square it comes from.
    matching : list of (a_class, b_class, count)
        Best one-to-one matching (Hungarian algorithm on the crosstab).
    purity : float
        Share of customers on the matched pairs.
    breakdown : dict
        For each class of ``a``: share of its customers in each class of ``b`` (rows sum to 1).
    n_missing : int
        Customers present on both sides but with a missing label on one of them.
    only_in_a, only_in_b : int
        Customers present in one labeling only (index / customer_id not matched).
    """

    name_a: str
    name_b: str
    n: int
    crosstab: pd.DataFrame
    ari: float
    ami: float
    nmi: float
    homogeneity: float
    completeness: float
    v_measure: float
    cramers_v: float
    chi2: float
    matching: list[tuple[Any, Any, int]]
    purity: float
    breakdown: dict[Any, dict[Any, float]] = field(default_factory=dict)
    n_missing: int = 0
    only_in_a: int = 0
    only_in_b: int = 0

    _SCORES = (
        "ari",
        "ami",
        "nmi",
        "homogeneity",
        "completeness",
        "v_measure",
        "cramers_v",
        "purity",
    )

    @property
    def scores(self) -> dict[str, float]:
        """The scalar agreement scores by name."""
        return {k: getattr(self, k) for k in self._SCORES}

    def to_frame(self) -> pd.DataFrame:
        """Scores as a two-column DataFrame (``metric``, ``value``)."""
        return pd.DataFrame({"metric": list(self.scores), "value": list(self.scores.values())})

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict (labels as strings, NaN as None)."""
        ct = self.crosstab
        return {
            "a": self.name_a,
            "b": self.name_b,
            "n": int(self.n),
            "n_missing": int(self.n_missing),
            "only_in_a": int(self.only_in_a),
            "only_in_b": int(self.only_in_b),
            "scores": {k: _num(v) for k, v in self.scores.items()},
            "chi2": _num(self.chi2),
            "matching": [
                {"a": str(x), "b": str(y), "count": int(c)} for x, y, c in self.matching
            ],
            "crosstab": {
                "rows": [str(r) for r in ct.index],
                "columns": [str(c) for c in ct.columns],
                "counts": ct.to_numpy().astype(int).tolist(),
            },
            "breakdown": {
                str(k): {str(c): _num(s) for c, s in v.items()} for k, v in self.breakdown.items()
            },
        }


# ---------------------------------------------------------------------------------------------
# pieces
# ---------------------------------------------------------------------------------------------


def cramers_v(crosstab: pd.DataFrame | np.ndarray) -> tuple[float, float]:
    """Bias-uncorrected Cramér's V of a contingency table, with its chi-square.

    Examples
    --------
    >>> v, chi2 = cramers_v(np.array([[10, 0], [0, 10]]))
    >>> round(v, 3), round(chi2, 1)
    (1.0, 20.0)
    """
    table = np.asarray(crosstab, dtype=float)
    n = table.sum()
    r, c = table.shape
    if n == 0 or min(r, c) < 2:
        return float("nan"), float("nan")
    chi2 = float(chi2_contingency(table, correction=False)[0])
    return math.sqrt(chi2 / (n * (min(r, c) - 1))), chi2


def matching(crosstab: pd.DataFrame) -> tuple[list[tuple[Any, Any, int]], float]:
    """Best one-to-one matching of rows to columns and its purity.

    The Hungarian algorithm (:func:`scipy.optimize.linear_sum_assignment`) maximises the count
    on matched pairs; with unequal numbers of classes, the surplus ones stay unmatched. Pairs
    are returned in row order.

    Examples
    --------
    >>> ct = pd.DataFrame([[8, 2], [1, 9]], index=["x", "y"], columns=["p", "q"])
    >>> matching(ct)
    ([('x', 'p', 8), ('y', 'q', 9)], 0.85)
    """
    values = crosstab.to_numpy()
    n = values.sum()
    if n == 0:
        return [], float("nan")
    rows, cols = linear_sum_assignment(values, maximize=True)
    pairs = [
        (crosstab.index[i], crosstab.columns[j], int(values[i, j]))
        for i, j in zip(rows, cols, strict=True)
    ]
    return pairs, float(sum(p[2] for p in pairs) / n)


def _as_series(x: Any, name: str) -> pd.Series:
    if isinstance(x, pd.Series):
        return x
    return pd.Series(np.asarray(x), name=name)


def _align(a: Any, b: Any, on: str) -> tuple[pd.Series, pd.Series, int, int, str, str]:
    """Align two labelings; return (a, b, only_in_a, only_in_b, name_a, name_b)."""
    if isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame):
        if not (isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame)):
            raise TypeError("Pass two DataFrames (joined on customer_id) or two label arrays.")
        for side, df in (("a", a), ("b", b)):
            for col in ("customer_id", on):
                if col not in df.columns:
                    raise ValueError(
                        f"Labeling {side} has no column '{col}'; columns found: "
                        f"{list(df.columns)}. Pass on=<label column>."
                    )
            dup = df["customer_id"].duplicated()
            if dup.any():
                raise ValueError(
                    f"Labeling {side} has {int(dup.sum())} duplicated customer_id value(s) "
                    f"(e.g. {df.loc[dup, 'customer_id'].head(5).tolist()}); one row per "
                    "customer is expected."
                )
        name_a = _frame_name(a, "a")
        name_b = _frame_name(b, "b")
        if name_a == name_b:
            name_a, name_b = f"{name_a} (a)", f"{name_b} (b)"
        sa = a.set_index(a["customer_id"].astype(str))[on]
        sb = b.set_index(b["customer_id"].astype(str))[on]
    else:
        na = len(a) if hasattr(a, "__len__") else None
        nb = len(b) if hasattr(b, "__len__") else None
        sa, sb = _as_series(a, "a"), _as_series(b, "b")
        name_a = str(sa.name) if sa.name is not None else "a"
        name_b = str(sb.name) if sb.name is not None else "b"
        if not (isinstance(a, pd.Series) and isinstance(b, pd.Series)):
            if na != nb:
                raise ValueError(f"a has {na} labels and b has {nb}; they must be aligned.")
            sa = sa.reset_index(drop=True)
            sb = sb.reset_index(drop=True)
        if name_a == name_b:
            name_a, name_b = "a", "b"
    for side, s in (("a", sa), ("b", sb)):
        if s.index.has_duplicates:
            raise ValueError(f"Labeling {side} has a duplicated index; one label per customer.")
    common = sa.index.intersection(sb.index, sort=False)
    only_a = len(sa) - len(common)
    only_b = len(sb) - len(common)
    return sa.loc[common], sb.loc[common], only_a, only_b, name_a, name_b


def _frame_name(df: pd.DataFrame, default: str) -> str:
    if "framework" in df.columns:
        vals = df["framework"].dropna().unique()
        if len(vals) == 1:
            return str(vals[0])
    return default


def _drop_missing(sa: pd.Series, sb: pd.Series) -> tuple[pd.Series, pd.Series, int]:
    ok = sa.notna().to_numpy() & sb.notna().to_numpy()
    n_missing = int((~ok).sum())
    if n_missing:
        warnings.warn(
            f"{n_missing} customer(s) have a missing label on one side and are not compared.",
            stacklevel=3,
        )
    return sa[ok], sb[ok], n_missing


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------


def compare(a: Any, b: Any, *, on: str = "class") -> Agreement:
    """Compare two labelings of the same customers.

    Parameters
    ----------
    a, b : array-like, Series or DataFrame
        Two arrays (positionally aligned, same length); two Series (aligned on their index,
        customers in one only are counted in ``only_in_a`` / ``only_in_b``); or two DataFrames
        with ``customer_id`` and the column ``on`` (joined on ``customer_id``).
    on : str, default="class"
        Label column when DataFrames are given.

    Returns
    -------
    Agreement

    Examples
    --------
    >>> ag = compare(["x", "x", "y", "y"], [1, 1, 2, 2])
    >>> ag.ari, ag.purity, ag.breakdown["x"]
    (1.0, 1.0, {1: 1.0, 2: 0.0})
    """
    sa, sb, only_a, only_b, name_a, name_b = _align(a, b, on)
    sa, sb, n_missing = _drop_missing(sa, sb)
    if len(sa) == 0:
        raise ValueError("No customer has a label in both labelings; nothing to compare.")
    la, lb = sa.to_numpy(), sb.to_numpy()
    ct = pd.crosstab(pd.Series(la, name=name_a), pd.Series(lb, name=name_b))
    v, chi2 = cramers_v(ct)
    pairs, purity = matching(ct)
    shares = ct.div(ct.sum(axis=1), axis=0)
    breakdown = {r: {c: float(shares.loc[r, c]) for c in ct.columns} for r in ct.index}
    h, c, vm = metrics.homogeneity_completeness_v_measure(la, lb)
    return Agreement(
        name_a=name_a,
        name_b=name_b,
        n=len(la),
        crosstab=ct,
        ari=float(metrics.adjusted_rand_score(la, lb)),
        ami=adjusted_mutual_info(la, lb),
        nmi=float(metrics.normalized_mutual_info_score(la, lb)),
        homogeneity=float(h),
        completeness=float(c),
        v_measure=float(vm),
        cramers_v=v,
        chi2=chi2,
        matching=pairs,
        purity=purity,
        breakdown=breakdown,
        n_missing=n_missing,
        only_in_a=only_a,
        only_in_b=only_b,
    )


#: Hypergeometric terms further than this many standard deviations from the mean are left out
#: of the expected mutual information: a normal tail there is e^-98 ≈ 1e-43, and the window's
#: edges are checked below e^-92 (1e-40) of the peak, else every term is taken. 14 instead of 50
#: sums 3.6× fewer terms: the agreement matrix of 10 labelings of 1M customers in 3.6 s instead
#: of 6.9 s, every AMI within 4e-18 of the 50-sigma sum (benchmarks/README.md, stop 11).
_EMI_SIGMAS = 14.0
#: Above this many (class, cluster) pairs the per-pair loop costs more than scikit-learn's.
_EMI_MAX_PAIRS = 10_000
#: Up to this many rows scikit-learn is fast enough, and its rounding in degenerate cases
#: (expectation equal to the maximum, e.g. every customer in a class of its own) is kept.
_EMI_MIN_ROWS = 10_000


def adjusted_mutual_info(a: Any, b: Any) -> float:
    """Adjusted mutual information of two labelings (arithmetic normalisation).

    The same value as :func:`sklearn.metrics.adjusted_mutual_info_score` (its default
    ``average_method="arithmetic"``; ``tests/test_compare.py`` checks agreement to 1e-10), but
    the expected mutual information sums, for each (class, cluster) pair, only the
    hypergeometric terms within 50 standard deviations of their mean instead of every possible
    overlap. scikit-learn's sum is linear in the number of customers and was 90 % of the
    comparison stage for a million customers (``benchmarks/README.md``).

    Parameters
    ----------
    a, b : array-like of the same length
        Labels (any hashable values; missing values are not allowed).

    Returns
    -------
    float

    Examples
    --------
    >>> round(adjusted_mutual_info([0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 1, 1]), 6)
    0.615385
    """
    ia = pd.factorize(np.asarray(a), sort=True)[0]
    ib = pd.factorize(np.asarray(b), sort=True)[0]
    if len(ia) != len(ib):
        raise ValueError(f"labelings have different lengths ({len(ia)} and {len(ib)})")
    ka, kb = int(ia.max(initial=-1)) + 1, int(ib.max(initial=-1)) + 1
    if ka == kb and ka <= 1:  # one class on both sides (or no data): identical labelings
        return 1.0
    n = len(ia)
    if n <= _EMI_MIN_ROWS or ka * kb > _EMI_MAX_PAIRS:
        return float(metrics.adjusted_mutual_info_score(ia, ib))
    table = np.bincount(ia * kb + ib, minlength=ka * kb).reshape(ka, kb)
    mi = float(metrics.mutual_info_score(None, None, contingency=table))
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    emi = _expected_mutual_info(rows, cols, n)
    h = (_entropy(rows) + _entropy(cols)) / 2.0
    eps = np.finfo("float64").eps
    denominator = h - emi
    denominator = min(denominator, -eps) if denominator < 0 else max(denominator, eps)
    return float((mi - emi) / denominator)


def _entropy(counts: np.ndarray) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def _expected_mutual_info(rows: np.ndarray, cols: np.ndarray, n: int) -> float:
    """E[MI] under the hypergeometric model of random labelings with these class sizes."""
    if len(rows) == 1 or len(cols) == 1:
        return 0.0
    emi = 0.0
    for a in rows.astype(np.float64):
        for b in cols.astype(np.float64):
            lo, hi = max(1.0, a + b - n), min(a, b)
            if hi < lo:
                continue
            mean = a * b / n
            sd = math.sqrt(a * b * (n - a) * (n - b) / (n * n * max(n - 1, 1)))
            first = max(lo, math.floor(mean - _EMI_SIGMAS * sd))
            last = min(hi, math.ceil(mean + _EMI_SIGMAS * sd))
            nij = np.arange(first, last + 1, dtype=np.float64)
            log_p = _log_overlap_pmf(nij, a, b, n)
            # The pmf is unimodal: cut edges far below the peak (e^-92 ≈ 1e-40) prove the tails
            # negligible; otherwise take every term.
            if (first > lo and log_p[0] > -92.0) or (last < hi and log_p[-1] > -92.0):
                nij = np.arange(lo, hi + 1, dtype=np.float64)
                log_p = _log_overlap_pmf(nij, a, b, n)
            emi += float(np.sum(nij / n * np.log(n * nij / (a * b)) * np.exp(log_p)))
    return emi


def _log_overlap_pmf(nij: np.ndarray, a: float, b: float, n: int) -> np.ndarray:
    """Log P(a class of ``a`` and a cluster of ``b`` out of ``n`` share ``nij``): hypergeometric."""
    return (
        gammaln(a + 1) + gammaln(b + 1) + gammaln(n - a + 1) + gammaln(n - b + 1) - gammaln(n + 1)
        - gammaln(nij + 1) - gammaln(a - nij + 1) - gammaln(b - nij + 1)
        - gammaln(n - a - b + nij + 1)
    )  # fmt: skip


def _metric_ari(a: np.ndarray, b: np.ndarray) -> float:
    return float(metrics.adjusted_rand_score(a, b))


def _metric_cramers(a: np.ndarray, b: np.ndarray) -> float:
    return cramers_v(pd.crosstab(a, b))[0]


def _metric_purity(a: np.ndarray, b: np.ndarray) -> float:
    return matching(pd.crosstab(a, b))[1]


#: Symmetric metrics :func:`agreement_matrix` knows.
METRICS = {
    "ari": _metric_ari,
    "ami": lambda a, b: adjusted_mutual_info(a, b),
    "nmi": lambda a, b: float(metrics.normalized_mutual_info_score(a, b)),
    "v_measure": lambda a, b: float(metrics.v_measure_score(a, b)),
    "cramers_v": _metric_cramers,
    "purity": _metric_purity,
}


def agreement_matrix(labelings: Mapping[str, Any], metric: str = "ami") -> pd.DataFrame:
    """Score every pair of labelings with one symmetric metric.

    Parameters
    ----------
    labelings : mapping of str to Series (or array-like)
        Name -> labels. Series are aligned on their index; each pair is scored on the
        customers labelled in both. Arrays must all have the same length.
    metric : {"ami", "ari", "nmi", "v_measure", "cramers_v", "purity"}

    Returns
    -------
    DataFrame
        Square, symmetric, names as index and columns, diagonal 1.

    Examples
    --------
    >>> m = agreement_matrix({"r": ["x", "x", "y", "y"], "c": [0, 0, 1, 1], "z": [0, 1, 0, 1]},
    ...                      metric="ari")
    >>> m.round(2).values.tolist()
    [[1.0, 1.0, -0.5], [1.0, 1.0, -0.5], [-0.5, -0.5, 1.0]]
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {sorted(METRICS)}, got {metric!r}.")
    fn = METRICS[metric]
    names = list(labelings)
    series = {}
    lengths = set()
    for k, v in labelings.items():
        if isinstance(v, pd.Series):
            series[k] = v
        else:
            arr = np.asarray(v)
            lengths.add(len(arr))
            series[k] = pd.Series(arr)
    if len(lengths) > 1:
        raise ValueError(f"Array labelings have different lengths {sorted(lengths)}.")
    for k, v in series.items():
        if not v.index.is_unique:
            raise ValueError(f"Labeling {k!r} has duplicated index values; one row per customer.")
    # Align every labeling once and score integer codes: the metrics only see which customers
    # share a class, and sklearn is an order of magnitude faster on ints than on strings.
    aligned = pd.concat([v.rename(i) for i, v in enumerate(series.values())], axis=1, sort=True)
    codes = [pd.factorize(aligned[i], sort=True)[0] for i in range(len(names))]
    out = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            ok = (codes[i] >= 0) & (codes[j] >= 0)
            val = fn(codes[i][ok], codes[j][ok]) if ok.any() else float("nan")
            out.iloc[i, j] = out.iloc[j, i] = val
    out.index.name = None
    return out


SEGMENT_COLUMNS = ("customer_id", "framework", "class", "label", "reason", "action")


def _read_segment_csv(path: str | Path, on: str) -> pd.DataFrame:
    df = pd.read_csv(
        path, dtype={"customer_id": str}, keep_default_na=False, na_values=[""],
        encoding="utf-8-sig",
    )  # fmt: skip
    with open(path, "rb") as fh:
        if fh.read(3) == b"\xef\xbb\xbf":  # an --excel output: its ids as written
            from clientlib.files import excel_restore

            df = excel_restore(df)
    for col in ("customer_id", on):
        if col not in df.columns:
            raise ValueError(
                f"{path}: no column '{col}'; columns found: {list(df.columns)}. Expected an "
                f"output of `clientlib segment` ({', '.join(SEGMENT_COLUMNS)})."
            )
    return df


def compare_files(a_csv: str | Path, b_csv: str | Path, on: str = "class") -> Agreement:
    """Compare two outputs of ``clientlib segment`` (CSV files), joined on ``customer_id``.

    Parameters
    ----------
    a_csv, b_csv : path
        CSV files with columns customer_id, framework, class, label, reason, action.
    on : str, default="class"
        Column to compare (``class`` ids, or ``label``).

    Returns
    -------
    Agreement
        Named after each file's ``framework`` column (or its file name); customers present in
        one file only are counted in ``only_in_a`` / ``only_in_b``.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> pd.DataFrame({"customer_id": ["1", "2", "3"], "framework": "lifecycle",
    ...               "class": ["fan", "fan", "novice"]}).to_csv(f"{d}/a.csv", index=False)
    >>> pd.DataFrame({"customer_id": ["1", "2", "4"], "framework": "kmeans",
    ...               "class": ["c0", "c0", "c1"]}).to_csv(f"{d}/b.csv", index=False)
    >>> ag = compare_files(f"{d}/a.csv", f"{d}/b.csv")
    >>> ag.name_a, ag.name_b, ag.n, ag.only_in_a, ag.only_in_b
    ('lifecycle', 'kmeans', 2, 1, 1)
    """
    da, db = _read_segment_csv(a_csv, on), _read_segment_csv(b_csv, on)
    if "framework" not in da.columns or da["framework"].nunique() != 1:
        da = da.assign(framework=Path(a_csv).stem)
    if "framework" not in db.columns or db["framework"].nunique() != 1:
        db = db.assign(framework=Path(b_csv).stem)
    if da["framework"].iloc[0] == db["framework"].iloc[0]:
        da = da.assign(framework=f"{da['framework'].iloc[0]} ({Path(a_csv).stem})")
        db = db.assign(framework=f"{db['framework'].iloc[0]} ({Path(b_csv).stem})")
    return compare(da, db, on=on)
