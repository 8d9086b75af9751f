"""k-means on customer facts: the estimator, the choice of k, profiles and names.

The pipeline clusters customers on log-scaled, standardised numeric customer facts
(recency, frequency, monetary by default — see ``docs/CONTRACTS.md`` for the column names)::

    log1p (FunctionTransformer) -> StandardScaler -> KMeans

Rules the module follows (documented once here, referred to below):

* **Buyers only.** Non-buyers have a null ``recency_days``; any null in a chosen feature
  makes :meth:`CustomerClusters.fit` / :func:`choose_k` raise a ``ValueError`` naming the
  column, the count and example rows, and telling to filter ``orders > 0`` first. Nothing is
  dropped silently.
* **No negative values** while ``log=True`` (log1p needs values > -1; a negative net spend is a
  data question, not something to hide): the error names the column and the count.
  Clip (``df.assign(total_spend=df.total_spend.clip(lower=0))``) or pass ``log=False``.
* **Fewer distinct customers than k** raises a ``ValueError`` (k-means would return duplicate
  centres); lower ``n_clusters``.
* **Large n** (more rows than ``large_n``, default 200 000): a *sampled fit* — the whole
  pipeline (scaler and KMeans with ``n_init`` restarts, full Lloyd iterations) is fitted on a
  seeded uniform sample of ``large_n`` rows, then every row is assigned to its nearest centre.
  A 200 000-row sample pins the centres of a handful of clusters to well under a percent, the
  result is exactly reproducible given ``random_state``, and the cost no longer grows with n
  except for the (linear) assignment step. Quality metrics in :func:`choose_k` are computed
  linearly (Calinski–Harabasz, Davies–Bouldin, inertia) or on a seeded sample (silhouette,
  stability), so nothing is quadratic in n.
* **Cluster ids are ordered by size**: cluster 0 is the largest (ties keep k-means order), so
  ids are stable across runs with the same seed and readable in reports.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn import config_context
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin
from sklearn.cluster import KMeans
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from clientlib.frameworks.base import Framework

__all__ = [
    "KMeansFramework",
    "scaled_features",
    "RFM_FEATURES",
    "CustomerClusters",
    "KChoice",
    "choose_k",
    "pick_k",
    "fixed_k",
    "profile",
    "name_clusters",
    "naming_cuts",
    "naming_note",
    "ABSOLUTE_LEVELS",
    "kmeans_segments",
]

#: Default features: recency (days since last purchase), frequency (orders), monetary (spend).
RFM_FEATURES: tuple[str, ...] = ("recency_days", "orders", "total_spend")

_N_EXAMPLES = 5


#: Below this many rows k-means runs on one OpenMP thread: on a few thousand customers the
#: threads mostly wait on each other (choose_k on the workshop buyers: 18 s -> 1.3 s on two
#: busy cores). Results are identical either way.
SINGLE_THREAD_BELOW = 50_000


def _one_thread_when_small(func):
    """Run ``func(X, ...)`` on one OpenMP thread when ``X`` is small (same results, faster)."""
    import functools

    from threadpoolctl import threadpool_limits

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        X = args[1] if args and isinstance(args[0], BaseEstimator) else (args[0] if args else None)
        if X is not None and hasattr(X, "__len__") and len(X) < SINGLE_THREAD_BELOW:
            with threadpool_limits(limits=1, user_api="openmp"):
                return func(*args, **kwargs)
        return func(*args, **kwargs)

    return wrapper


# ---------------------------------------------------------------------------------------------
# input validation
# ---------------------------------------------------------------------------------------------


def _examples(frame: pd.DataFrame, mask: np.ndarray) -> str:
    """A few example rows (customer ids when present, else index labels) for error messages."""
    rows = frame.loc[mask]
    if "customer_id" in rows.columns:
        ids = rows["customer_id"].head(_N_EXAMPLES).tolist()
        return f"customer_id {ids}"
    return f"index {rows.index[:_N_EXAMPLES].tolist()}"


def _as_frame(X: Any, features: Sequence[str]) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    arr = np.asarray(X)
    if arr.ndim != 2 or arr.shape[1] != len(features):
        raise TypeError(
            "X must be a pandas DataFrame of customer facts (or a 2-D array with one column per "
            f"feature {list(features)}); got {type(X).__name__} with shape {arr.shape}."
        )
    return pd.DataFrame(arr, columns=list(features))


def _feature_matrix(X: Any, features: Sequence[str], *, log: bool = True) -> np.ndarray:
    """Validate the chosen feature columns of ``X`` and return them as a float array (a copy)."""
    features = list(features)
    if not features:
        raise ValueError("features is empty: name at least one numeric customer-facts column.")
    frame = _as_frame(X, features)
    missing = [f for f in features if f not in frame.columns]
    if missing:
        raise ValueError(
            f"Missing feature column(s) {missing}; columns found: {list(frame.columns)}. "
            "Pass features=... naming numeric customer-facts columns (see docs/CONTRACTS.md)."
        )
    if len(frame) == 0:
        raise ValueError("X has no rows to cluster.")
    for f in features:
        col = frame[f]
        if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
            raise ValueError(f"Feature column '{f}' is not numeric (dtype {col.dtype}).")
        nulls = col.isna().to_numpy()
        if nulls.any():
            raise ValueError(
                f"Column '{f}' has {int(nulls.sum())} null value(s) of {len(col)} rows "
                f"(e.g. {_examples(frame, nulls)}). Clustering covers buyers only: non-buyers "
                "have a null recency — filter first, e.g. facts[facts['orders'] > 0]."
            )
    A = frame[features].to_numpy(dtype=float, copy=True)
    bad = ~np.isfinite(A)
    if bad.any():
        j = int(np.flatnonzero(bad.any(axis=0))[0])
        mask = bad[:, j]
        raise ValueError(
            f"Column '{features[j]}' has {int(mask.sum())} infinite value(s) "
            f"(e.g. {_examples(frame, mask)}); replace or drop them."
        )
    if log:
        neg = A < 0
        if neg.any():
            j = int(np.flatnonzero(neg.any(axis=0))[0])
            mask = neg[:, j]
            raise ValueError(
                f"Column '{features[j]}' has {int(mask.sum())} negative value(s) "
                f"(e.g. {_examples(frame, mask)}); log1p scaling needs values >= 0. Clip them "
                f"(df.assign({features[j]}=df['{features[j]}'].clip(lower=0))), filter them, "
                "or pass log=False."
            )
    return A


def _make_pipeline(n_clusters: int, random_state: Any, n_init: int, log: bool) -> Pipeline:
    log_step = (
        FunctionTransformer(np.log1p, inverse_func=np.expm1, feature_names_out="one-to-one")
        if log
        else FunctionTransformer(None, feature_names_out="one-to-one")
    )
    return Pipeline(
        [
            ("log", log_step),
            ("scale", StandardScaler()),
            ("kmeans", KMeans(n_clusters=n_clusters, random_state=random_state, n_init=n_init)),
        ]
    )


def scaled_features(A: np.ndarray, *, log: bool = True) -> np.ndarray:
    """The space k-means works in: ``log1p`` (when ``log``), then standardised.

    The one place this transform is written for arrays (the fitted pipeline holds the same
    steps; :class:`KMeansFramework` writes them as an Ibis expression from its fitted values).

    Examples
    --------
    >>> scaled_features(np.array([[0.0], [np.e - 1]])).ravel().tolist()
    [-1.0, 1.0]
    """
    return _make_pipeline(1, 0, 1, log)[:-1].fit_transform(A)


def _check_k(A: np.ndarray, k: int) -> None:
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"n_clusters must be a positive integer, got {k!r}.")
    if len(A) < k:
        raise ValueError(f"{len(A)} customers cannot form {k} clusters; lower n_clusters.")
    n_distinct = len(np.unique(A, axis=0))
    if n_distinct < k:
        raise ValueError(
            f"Only {n_distinct} distinct customers (feature combinations) for {k} clusters; "
            f"lower n_clusters to at most {n_distinct}."
        )


# ---------------------------------------------------------------------------------------------
# the estimator
# ---------------------------------------------------------------------------------------------


class CustomerClusters(ClusterMixin, TransformerMixin, BaseEstimator):
    """k-means on log-scaled, standardised customer facts (RFM by default).

    Parameters
    ----------
    n_clusters : int, default=4
        Number of clusters (use :func:`choose_k` to pick one).
    features : sequence of str, default=("recency_days", "orders", "total_spend")
        Numeric customer-facts columns to cluster on.
    random_state : int, RandomState or None, default=0
        Seed for KMeans and for the sample drawn when n > ``large_n``.
    n_init : int, default=10
        KMeans restarts; the best (lowest inertia) is kept.
    large_n : int, default=200_000
        Above this many rows the pipeline is fitted on a seeded sample of ``large_n`` rows and
        every row is then assigned to its nearest centre (see the module docstring).
    names : mapping of int to str, optional
        Override the generated name of some or all clusters (cluster id -> name).
    log : bool, default=True
        Apply ``log1p`` before standardising (requires non-negative values).

    Attributes
    ----------
    pipeline_ : sklearn.pipeline.Pipeline
        Fitted ``log -> scale -> kmeans`` pipeline (cluster ids already ordered by size).
    labels_ : ndarray of shape (n_samples,)
        Cluster of every training row; 0 is the largest cluster.
    cluster_centers_ : DataFrame
        Centres in original units (back-transformed from the scaled space, so for log features
        they are geometric-mean-like centres, not arithmetic means — see ``profiles_``).
    inertia_ : float
        Sum of squared distances of every row to its centre, in the scaled space.
    profiles_ : DataFrame
        :func:`profile` of the training data.
    names_ : dict of int to str
        Readable name of every cluster (:func:`name_clusters`, then ``names`` overrides).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
    fit_sample_size_ : int
        Rows used to fit the pipeline (``n_samples`` or ``large_n``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> facts = pd.DataFrame({
    ...     "recency_days": np.r_[rng.integers(1, 10, 50), rng.integers(200, 300, 50)],
    ...     "orders": np.r_[rng.integers(8, 12, 50), rng.integers(1, 2, 50)],
    ...     "total_spend": np.r_[rng.uniform(900, 1100, 50), rng.uniform(10, 30, 50)],
    ... })
    >>> model = CustomerClusters(n_clusters=2).fit(facts)
    >>> sorted(np.bincount(model.labels_).tolist())
    [50, 50]
    >>> sorted(model.names_.values())
    ['Lapsed · one-time · low spend', 'Recent · frequent · high spend']
    """

    def __init__(
        self,
        n_clusters: int = 4,
        features: Sequence[str] = RFM_FEATURES,
        random_state: Any = 0,
        n_init: int = 10,
        large_n: int = 200_000,
        names: Mapping[int, str] | None = None,
        log: bool = True,
    ) -> None:
        self.n_clusters = n_clusters
        self.features = features
        self.random_state = random_state
        self.n_init = n_init
        self.large_n = large_n
        self.names = names
        self.log = log

    # -- fitting -------------------------------------------------------------------------------

    @_one_thread_when_small
    def fit(self, X: pd.DataFrame, y: Any = None) -> CustomerClusters:
        """Fit the pipeline on customer facts ``X`` (not modified). ``y`` is ignored."""
        features = list(self.features)
        A = _feature_matrix(X, features, log=self.log)
        n = len(A)
        if self.large_n is not None and n > self.large_n:
            rs = check_random_state(self.random_state)
            fit_idx = np.sort(rs.choice(n, size=int(self.large_n), replace=False))
            A_fit = A[fit_idx]
        else:
            A_fit = A
        _check_k(A_fit, self.n_clusters)
        pipe = _make_pipeline(self.n_clusters, self.random_state, self.n_init, self.log)
        pipe.fit(A_fit)
        km = pipe.named_steps["kmeans"]
        Z = pipe[:-1].transform(A)
        dist = km.transform(Z)
        raw = dist.argmin(axis=1)
        # order cluster ids by size (largest first), stable on k-means order for ties
        counts = np.bincount(raw, minlength=self.n_clusters)
        order = np.argsort(-counts, kind="stable")
        remap = np.empty_like(order)
        remap[order] = np.arange(len(order))
        km.cluster_centers_ = km.cluster_centers_[order]
        km.labels_ = remap[km.labels_]
        labels = remap[raw]

        self.pipeline_ = pipe
        self.labels_ = labels
        self.inertia_ = float(np.square(dist.min(axis=1)).sum())
        self.fit_sample_size_ = len(A_fit)
        self.n_features_in_ = len(features)
        self.feature_names_in_ = np.asarray(features, dtype=object)
        centers = pipe[:-1].inverse_transform(km.cluster_centers_)
        self.cluster_centers_ = pd.DataFrame(
            centers, columns=features, index=pd.RangeIndex(self.n_clusters, name="cluster")
        )
        data = pd.DataFrame(A, columns=features)
        self.profiles_ = profile(data, labels, features)
        names = name_clusters(self.profiles_, features=features)
        if self.names is not None:
            unknown = sorted(set(self.names) - set(names))
            if unknown:
                raise ValueError(
                    f"names has cluster id(s) {unknown} outside 0..{self.n_clusters - 1}."
                )
            names.update({int(k): str(v) for k, v in self.names.items()})
        self.names_ = names
        return self

    def fit_predict(self, X: pd.DataFrame, y: Any = None, **kwargs: Any) -> np.ndarray:
        """Fit and return the cluster of every row of ``X``."""
        return self.fit(X).labels_

    # -- using a fitted model -----------------------------------------------------------------

    def _scaled(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "pipeline_")
        A = _feature_matrix(X, list(self.feature_names_in_), log=self.log)
        return self.pipeline_[:-1].transform(A)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Nearest cluster of every row of ``X`` (same validation as :meth:`fit`)."""
        Z = self._scaled(X)
        return self.pipeline_.named_steps["kmeans"].predict(Z)

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """Distance of every row to every cluster centre, in the scaled space."""
        Z = self._scaled(X)
        return self.pipeline_.named_steps["kmeans"].transform(Z)

    def score(self, X: pd.DataFrame, y: Any = None) -> float:
        """Opposite of the inertia of ``X`` (higher is better), like ``KMeans.score``."""
        return float(-np.square(self.transform(X).min(axis=1)).sum())

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the :meth:`transform` columns: ``distance_0`` .. ``distance_{k-1}``."""
        check_is_fitted(self, "pipeline_")
        return np.asarray([f"distance_{i}" for i in range(self.n_clusters)], dtype=object)

    def label_names(self, labels: Iterable[int] | None = None) -> pd.Series:
        """Cluster names for ``labels`` (default: the training labels) as a Series."""
        check_is_fitted(self, "pipeline_")
        labels = self.labels_ if labels is None else np.asarray(list(labels))
        return pd.Series([self.names_[int(i)] for i in labels], name="cluster_name")


# ---------------------------------------------------------------------------------------------
# profiles and names
# ---------------------------------------------------------------------------------------------


def profile(X: pd.DataFrame, labels: Any, features: Sequence[str] = RFM_FEATURES) -> pd.DataFrame:
    """Describe each cluster in original units.

    Parameters
    ----------
    X : DataFrame
        Customer facts (not modified); must hold ``features``.
    labels : array-like of shape (n_samples,)
        Cluster (or any group) of every row of ``X``, positionally aligned.
    features : sequence of str
        Numeric columns to describe.

    Returns
    -------
    DataFrame
        One row per cluster (index ``cluster``, sorted) with ``size``, ``share``, and per
        feature ``<f>_mean``, ``<f>_median``, ``<f>_rel`` (cluster mean / population mean − 1,
        NaN when the population mean is 0) and ``<f>_z``: the cluster mean of the feature
        scaled as k-means sees it (log1p when the column has no negative value, then
        standardised over the population), in population standard deviations — robust to the
        long tails of spend and recency. The population's mean, median and tercile cut points
        (``q33``, ``q67``; :func:`name_clusters` names spend by them) are kept in
        ``result.attrs["population"]``.

    Examples
    --------
    >>> df = pd.DataFrame({"orders": [1, 1, 5, 7]})
    >>> p = profile(df, [0, 0, 1, 1], ["orders"])
    >>> p["size"].tolist(), p["orders_mean"].tolist(), p["orders_rel"].round(3).tolist()
    ([2, 2], [1.0, 6.0], [-0.714, 0.714])
    """
    features = list(features)
    missing = [f for f in features if f not in X.columns]
    if missing:
        raise ValueError(f"Missing column(s) {missing}; columns found: {list(X.columns)}.")
    labels = np.asarray(labels)
    if len(labels) != len(X):
        raise ValueError(f"labels has {len(labels)} entries, X has {len(X)} rows.")
    data = X[features].astype(float).reset_index(drop=True)
    grouped = data.groupby(pd.Series(labels, name="cluster"), sort=True)
    out = pd.DataFrame({"size": grouped.size()})
    out["share"] = out["size"] / len(data)
    means, medians = grouped.mean(), grouped.median()
    pop_mean, pop_median = data.mean(), data.median()
    for f in features:
        out[f"{f}_mean"] = means[f]
        out[f"{f}_median"] = medians[f]
        rel = means[f] / pop_mean[f] - 1 if pop_mean[f] != 0 else np.nan
        out[f"{f}_rel"] = rel
    for f in features:
        col = data[f]
        t = np.log1p(col) if (col.min() >= 0) else col
        sd = t.std(ddof=0)
        z = (t - t.mean()) / sd if sd > 0 else t * 0.0
        out[f"{f}_z"] = z.groupby(pd.Series(labels, name="cluster"), sort=True).mean()
    out.index.name = "cluster"
    q33, q67 = data.quantile(1 / 3), data.quantile(2 / 3)
    out.attrs["population"] = {
        f: {
            "mean": float(pop_mean[f]),
            "median": float(pop_median[f]),
            "q33": float(q33[f]),
            "q67": float(q67[f]),
        }
        for f in features
    }
    return out


# The words (low, mid, high per feature and language) live in clientlib/messages/clusters.yaml.
_LEVELS = ("low", "mid", "high")


def _words(feature: str, lang: str) -> tuple[str, str, str]:
    """The (low, mid, high) words of one feature in ``lang``, from the message catalog."""
    from clientlib.messages import catalog, text

    if f"clusters.{feature}_low" in catalog():
        low, mid, high = (text(f"clusters.{feature}_{lv}", lang) for lv in _LEVELS)
        return low, mid, high
    key = f"plots.feature_{feature}"
    shown = text(key, lang) if key in catalog() else feature
    low, mid, high = (text(f"clusters.generic_{lv}", lang, f=shown) for lv in _LEVELS)
    return low, mid, high


#: Cut points a shop owner reads without a statistics course, on a cluster's *median*: "low" when
#: the median is at most the first value, "high" when above the second.  Days since the last
#: purchase: recent within 90 days (a quarter), lapsed after more than 180 (half a year), cooling
#: in between (on the workshop shop, one and two of its purchase cycles of about 90 days).
#: Orders: one-time (1), frequent (more than 4, i.e. 5 or more), repeat in between;
#: ``frequency`` (repeat purchase days) the same, one lower.  Tenure: new within 90 days,
#: long-standing after a year.  Absolute, so a cluster keeps its name when the analysis date
#: moves by a day; features not listed here (spend, the average order) are named by the buyers'
#: terciles (low up to the 33rd percentile, high above the 67th).
ABSOLUTE_LEVELS: dict[str, tuple[float, float]] = {
    "recency_days": (90.0, 180.0),
    "orders": (1.0, 4.0),
    "frequency": (0.0, 3.0),
    "tenure_days": (90.0, 365.0),
}


def _level_cut(median: float, lo: float, hi: float) -> int:
    """0 low (median <= lo), 2 high (median > hi), else 1."""
    if median is None or not np.isfinite(median):
        return 1
    return 0 if median <= lo else 2 if median > hi else 1


def naming_cuts(
    profiles: pd.DataFrame,
    features: Sequence[str],
    levels: Mapping[str, tuple[float, float]] | None = None,
) -> dict[str, tuple[float, float, str]]:
    """The cut points :func:`name_clusters` uses per feature: ``(lo, hi, kind)``.

    ``kind`` is ``"absolute"`` (:data:`ABSOLUTE_LEVELS`, or ``levels``) or ``"tercile"`` (the
    buyers' 33rd and 67th percentiles from ``profiles.attrs["population"]``); a feature with
    neither (a hand-made table) is left out.

    Examples
    --------
    >>> df = pd.DataFrame({"recency_days": [5, 400], "total_spend": [10, 40]})
    >>> p = profile(df, [0, 1], list(df.columns))
    >>> naming_cuts(p, ["recency_days", "total_spend"])
    {'recency_days': (90.0, 180.0, 'absolute'), 'total_spend': (20.0, 30.0, 'tercile')}
    """
    fixed = {**ABSOLUTE_LEVELS, **dict(levels or {})}
    population = profiles.attrs.get("population", {})
    cuts: dict[str, tuple[float, float, str]] = {}
    for f in features:
        if f in fixed:
            lo, hi = fixed[f]
            cuts[f] = (float(lo), float(hi), "absolute")
        elif "q33" in population.get(f, {}):
            cuts[f] = (population[f]["q33"], population[f]["q67"], "tercile")
    return cuts


def naming_note(cuts: Mapping[str, tuple[float, float, str]], lang: str = "en") -> str:
    """The naming rule in one sentence for people, from :func:`naming_cuts`.

    Examples
    --------
    >>> naming_note({"recency_days": (90.0, 180.0, "absolute")})
    'Cluster names describe the median customer of each cluster: recent = last purchase at most 90 days ago, lapsed = more than 180 days ago, cooling in between.'
    """  # noqa: E501
    from clientlib.messages import catalog, number, text

    parts = []
    for f, (lo, hi, kind) in cuts.items():
        key = f"clusters.rule_{f}"
        if kind == "absolute" and key in catalog():
            parts.append(text(key, lang, lo=number(lo, lang), hi=number(hi, lang),
                              hi1=number(hi + 1, lang)))  # fmt: skip
        else:
            shown = text(f"plots.feature_{f}", lang) if f"plots.feature_{f}" in catalog() else f
            if shown[1:2].islower():  # mid-sentence: "total spend", not "Total spend"
                shown = shown[0].lower() + shown[1:]
            digits = 0 if max(abs(lo), abs(hi)) >= 100 else 2
            parts.append(text("clusters.rule_tercile", lang, f=shown, lo=number(lo, lang, digits),
                              hi=number(hi, lang, digits)))  # fmt: skip
    return text("clusters.rule_intro", lang, rules="; ".join(parts))


def _tell_apart(
    names: dict[int, str], profiles: pd.DataFrame, features: Sequence[str], lang: str
) -> dict[int, str]:
    """Same words for several clusters: add the median of the feature that differs most."""
    from clientlib.messages import catalog, number, text

    out = dict(names)
    groups: dict[str, list[int]] = {}
    for cid, name in names.items():
        groups.setdefault(name, []).append(cid)
    for name, ids in groups.items():
        cols = [f for f in features if f"{f}_median" in profiles.columns]
        if len(ids) < 2 or not cols:
            continue
        med = profiles.loc[ids, [f"{f}_median" for f in cols]].astype(float)
        # spread on a log scale, so days and money compare; the first feature wins a tie
        spread = [float(np.ptp(np.log1p(med[f"{f}_median"].clip(lower=0)))) for f in cols]
        if max(spread) <= 0:
            continue
        f = cols[int(np.argmax(spread))]
        shown = text(f"plots.feature_{f}", lang) if f"plots.feature_{f}" in catalog() else f
        if shown[1:2].islower():
            shown = shown[0].lower() + shown[1:]
        for cid in ids:
            v = float(profiles.loc[cid, f"{f}_median"])
            out[cid] = text("clusters.apart", lang, name=name, f=shown,
                            v=number(v, lang, 0 if abs(v) >= 100 else 1))  # fmt: skip
    return out


def _level_z(z: float, threshold: float) -> int:
    """0 low, 1 mid, 2 high, from a cluster's mean standardised score."""
    if z is None or not np.isfinite(z):
        return 1
    return 2 if z >= threshold else 0 if z <= -threshold else 1


def _level(rel: float, threshold: float) -> int:
    """0 low, 1 mid, 2 high, from cluster mean / population mean − 1 on a symmetric log scale."""
    if rel is None or not np.isfinite(rel) or rel <= -1:
        return 0 if (rel is not None and rel <= -1) else 1
    ratio = math.log1p(rel)
    bound = math.log1p(threshold)
    return 2 if ratio >= bound else 0 if ratio <= -bound else 1


def name_clusters(
    profiles: pd.DataFrame,
    features: Sequence[str] | None = None,
    *,
    labels: Any = None,
    segments: Any = None,
    lang: str = "en",
    threshold: float | None = None,
    levels: Mapping[str, tuple[float, float]] | None = None,
) -> dict[int, str]:
    """Readable, deterministic names from each cluster's facts, in absolute terms.

    Each feature is *low*, *mid* or *high* for a cluster, read from the cluster's **median**
    (``<f>_median`` of :func:`profile`) against fixed cut points a shop owner understands
    (:data:`ABSOLUTE_LEVELS`: recent within 90 days, lapsed after 180; one-time = 1 order,
    frequent = 5 or more), or, for spend and other amounts, the buyers' terciles
    (:func:`naming_cuts`). Nothing is relative to the mean, so a cluster whose median customer
    last bought 491 days ago is "Lapsed" however the others look, and a name does not flip when
    the analysis date moves by a day (unless a median crosses a cut point). ``levels``
    overrides the cut points of some features (``{"recency_days": (30, 180)}``).

    A feature without a median or cut points (a hand-made table) falls back to the relative
    reading: with ``<f>_z``, high when the mean standardised log score is at least
    ``threshold`` (default 0.5), low when at most ``-threshold``; with ``<f>_rel`` only, high
    when the mean is at least ``1 + threshold`` (default 1.25) times the population mean.
    The words come from the message catalog (``clientlib/messages/clusters.yaml``; recency
    low reads "Recent"). When ``labels`` and
    ``segments`` (for example RFM segment names, aligned with ``labels``) are given, the
    segment the cluster overlaps most is appended with its share: ``"… (≈ Champions 72%)"``.
    Clusters that get the same words are told apart by the median of the feature on which they
    differ most (``"Lapsed · one-time · low spend (median recency (days): 250)"``); names still
    equal get `` (2)``, `` (3)``… in cluster-id order.

    Parameters
    ----------
    profiles : DataFrame
        Output of :func:`profile` (``<f>_z`` columns, else ``<f>_rel``).
    features : sequence of str, optional
        Order of the words; default: the features found in ``profiles``.
    labels, segments : array-like, optional
        Cluster per customer and a second labeling to report the best overlap with.
    lang : {"en", "ru"}
    threshold : float, optional
        0.5 (standard deviations) for ``_z``, 0.25 for ``_rel``.

    Returns
    -------
    dict of int to str

    Examples
    --------
    >>> df = pd.DataFrame({"recency_days": [5, 6, 300, 320], "orders": [9, 8, 1, 1],
    ...                    "total_spend": [900, 1000, 20, 10]})
    >>> name_clusters(profile(df, [0, 0, 1, 1]))
    {0: 'Recent · frequent · high spend', 1: 'Lapsed · one-time · low spend'}
    """
    from clientlib.messages import LANGS, percent, text

    if lang not in LANGS:
        raise ValueError(f"lang must be one of {sorted(LANGS)}, got {lang!r}.")
    if features is None:
        features = [c[: -len("_rel")] for c in profiles.columns if c.endswith("_rel")]
    features = list(features)
    cuts = {
        f: c for f, c in naming_cuts(profiles, features, levels).items()
        if f"{f}_median" in profiles.columns
    }
    relative = [f for f in features if f not in cuts]
    use_z = all(f"{f}_z" in profiles.columns for f in relative)
    if threshold is None:
        threshold = 0.5 if use_z else 0.25
    missing = [f"{f}_rel" for f in relative if f"{f}_rel" not in profiles.columns]
    if missing and not use_z:
        raise ValueError(f"profiles lacks column(s) {missing}; build it with profile().")
    overlap: dict[int, tuple[str, float]] = {}
    if segments is not None:
        if labels is None:
            raise ValueError("segments needs labels (the cluster of each customer) as well.")
        tab = pd.crosstab(np.asarray(labels), np.asarray(segments))
        for cid, row in tab.iterrows():
            best = sorted(row.items(), key=lambda kv: (-kv[1], str(kv[0])))[0]
            overlap[int(cid)] = (str(best[0]), best[1] / row.sum())
    names: dict[int, str] = {}
    for cid, row in profiles.iterrows():
        words = []
        for f in features:
            if f in cuts:
                level = _level_cut(row[f"{f}_median"], cuts[f][0], cuts[f][1])
            elif use_z:
                level = _level_z(row[f"{f}_z"], threshold)
            else:
                level = _level(row[f"{f}_rel"], threshold)
            words.append(_words(f, lang)[level])
        name = " · ".join(words)
        if name and lang == "en":  # Russian class labels are lower case ("заснувший")
            name = name[0].upper() + name[1:]
        names[int(cid)] = name
    names = _tell_apart(names, profiles, features, lang)
    for cid, (seg, share) in overlap.items():
        if cid in names:
            names[cid] = text("clusters.overlap", lang, name=names[cid], segment=seg,
                              share=percent(share, lang, 0))  # fmt: skip
    seen: dict[str, int] = {}
    for cid in sorted(names):
        base = names[cid]
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            names[cid] = f"{base} ({seen[base]})"
    return names


# ---------------------------------------------------------------------------------------------
# choosing k
# ---------------------------------------------------------------------------------------------


@dataclass
class KChoice:
    """Result of :func:`choose_k`.

    Attributes
    ----------
    table : DataFrame
        Index ``k``; columns ``inertia`` (scaled space, all rows), ``silhouette`` (seeded
        sample), ``calinski_harabasz`` and ``davies_bouldin`` (all rows), ``stability`` (mean
        pairwise ARI of ``n_seeds`` single-start fits on the sample; 1 = same partition).
    elbow_k : int
        The knee of the normalised inertia curve (largest distance to the chord).
    recommended_k : int
        The k used: for ``k="auto"`` the choice of :func:`choose_k` (a number of clusters people
        can act on when the evidence allows), else the k set, lowered to the number of
        distinct buyers when there are fewer.
    reason : str
        Why, in English (:meth:`sentence` gives it in any language).
    features : list of str
    n_samples, sample_size : int
    best_k : int or None
        The evidence's best alone: the highest silhouette among stable k (None when k was set).
    requested : int or "auto"
        What was asked for.
    reason_key : str
        Message key (``clientlib/messages/clusters.yaml``) of the reason; :meth:`sentence`
        renders it with ``reason_fields``.
    reason_fields : dict
        The numbers of the reason (silhouettes as floats, k as ints), formatted per language.
    """

    table: pd.DataFrame
    elbow_k: int
    recommended_k: int
    reason: str
    features: list[str] = field(default_factory=list)
    n_samples: int = 0
    sample_size: int = 0
    best_k: int | None = None
    requested: int | str = "auto"
    reason_key: str = ""
    reason_fields: dict[str, Any] = field(default_factory=dict)

    def sentence(self, lang: str = "en") -> str:
        """Why this k, in one line in ``lang`` (``reason`` in English for an old KChoice).

        Examples
        --------
        >>> kc = KChoice(pd.DataFrame(), 3, 3, "", reason_key="clusters.k_fixed",
        ...              reason_fields={"k": 3}, requested=3)
        >>> kc.sentence("ru")
        'k = 3 — задано в параметрах (не выбрано по данным)'
        """
        if not self.reason_key:
            return self.reason
        return _k_sentence(self.reason_key, self.reason_fields, lang)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable summary (NaN becomes None)."""
        rows = []
        for k, row in self.table.iterrows():
            rows.append(
                {"k": int(k)} | {c: (None if pd.isna(v) else float(v)) for c, v in row.items()}
            )
        return {
            "elbow_k": int(self.elbow_k),
            "recommended_k": int(self.recommended_k),
            "best_k": None if self.best_k is None else int(self.best_k),
            "requested": self.requested,
            "reason": self.reason,
            "reason_key": self.reason_key,
            "reason_fields": dict(self.reason_fields),
            "features": list(self.features),
            "n_samples": int(self.n_samples),
            "sample_size": int(self.sample_size),
            "table": rows,
        }


def _k_sentence(key: str, fields: Mapping[str, Any], lang: str) -> str:
    """Render a k reason: floats (silhouettes, tolerances) with two decimals, ints as they are."""
    from clientlib.messages import number, text

    shown = {
        name: number(v, lang, 2) if isinstance(v, float) else v for name, v in fields.items()
    }
    return text(key, lang, **shown)


#: The numbers of clusters a team can act on (one campaign each): preferred by :func:`choose_k`
#: when their silhouette is within ``PEOPLE_TOLERANCE`` of the best.  Two groups ("good customers
#: and the rest") is the cleanest split in most shops and rarely the useful one (lesson 07).
PEOPLE_K: tuple[int, int] = (3, 6)
#: How much silhouette (absolute, on its -1..1 scale) a k in ``PEOPLE_K`` may give up against the
#: best k: on RFM data k = 2 typically leads k = 3 by about 0.1 (workshop 0.48 / 0.37, CDNOW
#: 0.58 / 0.48), and 0.15 still keeps k whose clusters barely separate out.
PEOPLE_TOLERANCE = 0.15


def pick_k(
    table: pd.DataFrame,
    stability_threshold: float = 0.8,
    prefer: tuple[int, int] | None = PEOPLE_K,
    tolerance: float = PEOPLE_TOLERANCE,
) -> tuple[int, int, str, dict[str, Any]]:
    """The evidence's best k, the k recommended, and why (a message key and its fields).

    The rule of :func:`choose_k`, on its table (index ``k``; ``inertia``, ``silhouette``,
    ``stability``).

    Examples
    --------
    >>> t = pd.DataFrame({"inertia": [9.0, 5.0, 4.0, 3.5], "silhouette": [0.5, 0.42, 0.3, 0.3],
    ...                   "stability": [1.0, 0.9, 0.9, 0.5]}, index=pd.Index(range(2, 6), name="k"))
    >>> pick_k(t)[:3]
    (2, 3, 'clusters.k_people')
    """
    elbow_k = elbow(table.index, table["inertia"])
    stable = table[table["stability"] >= stability_threshold]
    pool = stable if len(stable) else table
    sil = pool["silhouette"]
    fields: dict[str, Any] = {"thr": float(stability_threshold), "elbow": int(elbow_k)}
    if not sil.notna().any():
        best = chosen = elbow_k
        key = "clusters.k_elbow"
    else:
        best = int(sil[sil == sil.max()].index.min())
        chosen, key = best, "clusters.k_best" if len(stable) else "clusters.k_unstable"
        if table["stability"].isna().all():
            key = "clusters.k_unmeasured"
        fields["sil"] = float(sil[best])
        if prefer is not None and len(stable):
            # k a team can act on, when the evidence allows: the best silhouette among the
            # stable k of the preferred range that lie within `tolerance` of the best
            lo, hi = prefer
            near = sil[(sil.index >= lo) & (sil.index <= hi) & (sil >= sil[best] - tolerance)]
            fields.update(lo=int(lo), hi=int(hi), tol=float(tolerance))
            if len(near) and not lo <= best <= hi:
                chosen = int(near[near == near.max()].index.min())
                key = "clusters.k_people"
                fields.update(sil=float(sil[chosen]), best_sil=float(sil[best]), best_k=best)
            elif not len(near) and any(lo <= k <= hi for k in table.index):
                key = "clusters.k_best_only"
    fields["k"] = int(chosen)
    return int(best), int(chosen), key, fields


def fixed_k(k: int, distinct: int, features: Sequence[str] = RFM_FEATURES) -> KChoice:
    """The :class:`KChoice` of a k set by the user: used as is, or lowered to ``distinct``.

    The table has one row (the k used) with the quality columns empty: nothing was compared.

    Examples
    --------
    >>> fixed_k(10, 3).sentence()
    'k = 3: 10 clusters were asked for, but only 3 buyers have distinct values'
    """
    used = min(int(k), int(distinct))
    if used < int(k):
        key, fields = "clusters.k_capped", {"k": used, "asked": int(k), "distinct": int(distinct)}
    else:
        key, fields = "clusters.k_fixed", {"k": used}
    table = pd.DataFrame(
        np.nan,
        index=pd.Index([used], name="k"),
        columns=["inertia", "silhouette", "calinski_harabasz", "davies_bouldin", "stability"],
    )
    return KChoice(
        table=table, elbow_k=used, recommended_k=used, reason=_k_sentence(key, fields, "en"),
        features=list(features), requested=int(k), reason_key=key,
        reason_fields=fields,
    )  # fmt: skip


def elbow(ks: Sequence[int], inertia: Sequence[float]) -> int:
    """Knee of a decreasing curve: the point farthest from the chord joining its ends.

    Both axes are normalised to 0..1 first (the "kneedle" idea, without the dependency).

    Examples
    --------
    >>> elbow([1, 2, 3, 4, 5], [100, 40, 12, 10, 9])
    3
    """
    kv = np.asarray(list(ks), dtype=float)
    y = np.asarray(list(inertia), dtype=float)
    if len(kv) < 3:
        return int(kv[0])
    x = (kv - kv.min()) / (kv.max() - kv.min())
    span = y.max() - y.min()
    yn = (y - y.min()) / span if span > 0 else np.zeros_like(y)
    p0 = np.array([x[0], yn[0]])
    d = np.array([x[-1], yn[-1]]) - p0
    pts = np.column_stack([x, yn]) - p0
    dist = np.abs(pts[:, 0] * d[1] - pts[:, 1] * d[0]) / np.hypot(*d)
    return int(kv[int(np.argmax(dist))])


#: Chunks of at most 128 MiB for the silhouette's distances (the default 1 GiB makes the peak).
_WORKING_MEMORY = 128


def _silhouette(Z: np.ndarray, labels: np.ndarray, distances: np.ndarray | None = None) -> float:
    """Silhouette of ``labels``; from ``distances`` (:func:`_distances` of ``Z``) when given."""
    with config_context(working_memory=_WORKING_MEMORY):
        if distances is not None:
            return float(silhouette_score(distances, labels, metric="precomputed"))
        return float(silhouette_score(Z, labels))


#: Chunks of the distance matrix :func:`_distances` fills (MiB): small, so that the peak is the
#: matrix itself (200 MB for 5,000 rows) plus little.
_FILL_MEMORY = 8


def _distances(Z: np.ndarray) -> np.ndarray:
    """The Euclidean distances between the rows of ``Z``, once for every k.

    The silhouette of each k recomputes them otherwise (seven times the same 5,000 × 5,000
    matrix in choose_k: ~40 % of its time on CDNOW). Each row is what ``silhouette_score``
    computes for it (sklearn's chunked distances, diagonal zeroed as it does; a row's values do
    not depend on the chunk it is in), so the silhouettes are the same to the last bit.
    """
    from sklearn.metrics import pairwise_distances_chunked

    out = np.empty((len(Z), len(Z)), dtype=np.float64)
    start = 0
    with config_context(working_memory=_FILL_MEMORY):
        for chunk in pairwise_distances_chunked(Z):
            out[start : start + len(chunk)] = chunk
            start += len(chunk)
    return out


def _seeds(random_state: Any, n: int) -> list[int]:
    if isinstance(random_state, (int, np.integer)):
        return [int(random_state) + i for i in range(n)]
    rs = check_random_state(random_state)
    return [int(s) for s in rs.randint(0, 2**31 - 1, size=n)]


@_one_thread_when_small
def choose_k(
    X: pd.DataFrame,
    k_range: Iterable[int] = range(2, 11),
    features: Sequence[str] = RFM_FEATURES,
    random_state: Any = 0,
    sample_size: int = 5_000,
    n_seeds: int = 5,
    *,
    n_init: int = 10,
    large_n: int | None = 50_000,
    stability_threshold: float = 0.8,
    log: bool = True,
    prefer: tuple[int, int] | None = PEOPLE_K,
    tolerance: float = PEOPLE_TOLERANCE,
) -> KChoice:
    """Fit k-means for every k in ``k_range`` and recommend one.

    The data are validated and scaled as in :class:`CustomerClusters` (buyers only, no
    negatives while ``log``). For each k: a fit with ``n_init`` restarts (sampled fit above
    ``large_n`` rows) gives inertia, Calinski–Harabasz and Davies–Bouldin on all rows and the
    silhouette on a seeded sample of ``sample_size`` rows; ``n_seeds`` single-start fits on the
    same sample give the stability (mean pairwise adjusted Rand index).

    The evidence's best (``best_k``) is the k with the highest silhouette among the k whose
    stability is at least ``stability_threshold`` (all k when none is); ties go to the smaller
    k. The recommendation (``recommended_k``) is a number of clusters people can act on when
    the evidence allows: when the best lies outside ``prefer`` (3 to 6 clusters by default),
    the stable k inside it whose silhouette is within ``tolerance`` (0.15) of the best are
    candidates, and the best-separated of them is taken; with none, the evidence's best. The
    elbow of the inertia curve is reported beside it; ``reason_key`` and ``reason_fields`` say
    why in one line (:meth:`KChoice.sentence`).

    Parameters
    ----------
    X : DataFrame
        Customer facts (not modified).
    k_range : iterable of int, default=range(2, 11)
        Candidate k, each >= 2.
    features : sequence of str
    random_state : int, RandomState or None, default=0
    sample_size : int, default=5_000
        Rows for the silhouette and the stability fits.
    n_seeds : int, default=5
        Single-start fits per k for the stability (>= 2 to measure it; 1 gives NaN).
    n_init, log
        As in :class:`CustomerClusters`.
    large_n : int or None, default=50_000
        Each k is fitted on at most this many rows (a seeded sample, the same for every k),
        then all rows are assigned. Lower than the estimator's default because choosing k
        fits ``len(k_range)`` models and only has to rank k; None fits on every row.
    stability_threshold : float, default=0.8
    prefer : (int, int) or None, default=(3, 6)
        The range of k preferred when the evidence allows (None: the evidence's best).
    tolerance : float, default=0.15
        Silhouette a preferred k may give up against the best.

    Returns
    -------
    KChoice

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> pts, _ = make_blobs(600, centers=[[2, 2, 2], [2, 6, 6], [6, 2, 6]], cluster_std=0.3,
    ...                     random_state=0)
    >>> facts = pd.DataFrame(np.expm1(pts), columns=["recency_days", "orders", "total_spend"])
    >>> choose_k(facts, range(2, 6)).recommended_k
    3
    """
    features = list(features)
    ks = sorted({int(k) for k in k_range})
    if not ks or ks[0] < 2:
        raise ValueError(f"k_range must hold integers >= 2, got {ks}.")
    A = _feature_matrix(X, features, log=log)
    n = len(A)
    Z = scaled_features(A, log=log)
    rs = check_random_state(random_state)
    sample_idx = np.sort(rs.choice(n, size=sample_size, replace=False)) if n > sample_size else None
    Zs = Z if sample_idx is None else Z[sample_idx]
    fit_idx = (
        np.sort(rs.choice(n, size=int(large_n), replace=False))
        if large_n is not None and n > large_n
        else None
    )
    Zf = Z if fit_idx is None else Z[fit_idx]
    _check_k(Zf, ks[-1])
    seeds = _seeds(random_state, max(n_seeds, 1))

    dist_s = _distances(Zs)
    rows = []
    for k in ks:
        km = KMeans(n_clusters=k, random_state=random_state, n_init=n_init).fit(Zf)
        dist = km.transform(Z)
        labels = dist.argmin(axis=1)
        n_found = len(np.unique(labels))
        lab_s = labels if sample_idx is None else labels[sample_idx]
        ok_s = 2 <= len(np.unique(lab_s)) <= len(lab_s) - 1
        row = {
            "k": k,
            "inertia": float(np.square(dist.min(axis=1)).sum()),
            "silhouette": _silhouette(Zs, lab_s, dist_s) if ok_s else np.nan,
            "calinski_harabasz": float(calinski_harabasz_score(Z, labels))
            if n_found >= 2
            else np.nan,
            "davies_bouldin": float(davies_bouldin_score(Z, labels)) if n_found >= 2 else np.nan,
        }
        if n_seeds >= 2:
            runs = [KMeans(n_clusters=k, random_state=s, n_init=1).fit_predict(Zs) for s in seeds]
            aris = [
                adjusted_rand_score(runs[i], runs[j])
                for i in range(len(runs))
                for j in range(i + 1, len(runs))
            ]
            row["stability"] = float(np.mean(aris))
        else:
            row["stability"] = np.nan
        rows.append(row)
    table = pd.DataFrame(rows).set_index("k")

    elbow_k = elbow(table.index, table["inertia"])
    best, chosen, key, fields = pick_k(table, stability_threshold, prefer, tolerance)
    return KChoice(
        table=table,
        elbow_k=elbow_k,
        recommended_k=int(chosen),
        reason=_k_sentence(key, fields, "en"),
        features=features,
        n_samples=n,
        sample_size=len(Zs),
        best_k=int(best),
        requested="auto",
        reason_key=key,
        reason_fields=fields,
    )


# ---------------------------------------------------------------------------------------------
# segment table (what `clientlib segment --framework kmeans` writes)
# ---------------------------------------------------------------------------------------------


#: Label of customers k-means does not cluster (it is fitted on buyers only).
NOT_CLUSTERED = {"en": "Not clustered (no purchase)", "ru": "Вне кластеров (нет покупок)"}


class KMeansFramework(Framework):
    """k-means as a framework: fitted on a seeded sample of buyers, assigning in the engine.

    ``fit`` collects at most ``sample_size`` buyers (``orders > 0``; all of them when there are
    fewer), chooses k when ``k="auto"`` (:func:`choose_k`) and fits :class:`CustomerClusters`.
    ``transform`` assigns every customer of an Ibis facts table to the nearest centre after the
    same ``log1p`` and standardisation, as one Ibis expression: on Spark or a warehouse only the
    fit sample is ever collected.  Non-buyers get ``not_clustered``.

    Parameters
    ----------
    k : int or "auto"
    features : sequence of str
    random_state : int
    k_range : iterable of int
        Candidates for ``k="auto"``.
    sample_size : int
        Most buyers collected to fit on.
    lang : {'en', 'ru'}

    Attributes
    ----------
    model_ : CustomerClusters or None
        None when fewer than two distinct buyers exist.
    kchoice_ : KChoice or None
        The k used and why (:meth:`KChoice.sentence`), whether chosen (``k="auto"``) or set;
        None when fewer than two distinct buyers exist.
    naming_note_ : str
        How the cluster names were made, in one sentence in ``lang`` (:func:`naming_note`).
    params_ : dict
        ``k``, ``centres`` (scaled space), ``mean``, ``scale``, ``names``.

    Examples
    --------
    >>> import ibis
    >>> facts = ibis.memtable(pd.DataFrame({"customer_id": list("abcde"),
    ...     "recency_days": [3, 4, 300, 320, None], "orders": [9, 8, 1, 1, 0],
    ...     "total_spend": [900.0, 990.0, 20.0, 15.0, 0.0]}))
    >>> fw = KMeansFramework(k=2).fit(facts)
    >>> out = fw.transform(facts).to_pandas()
    >>> out["class"].tolist()[:4] == [f"cluster_{i}" for i in fw.model_.labels_], out["class"][4]
    (True, 'not_clustered')
    """

    id = "kmeans"

    def __init__(
        self,
        k: int | str = "auto",
        features: Sequence[str] = RFM_FEATURES,
        random_state: Any = 0,
        k_range: Iterable[int] = range(2, 9),
        sample_size: int = 200_000,
        lang: str = "en",
    ) -> None:
        self.k = k
        self.features = features
        self.random_state = random_state
        self.k_range = k_range
        self.sample_size = sample_size
        self.lang = lang

    def title(self, lang: str = "en") -> str:
        """The framework's name for people (the same in every language)."""
        return "k-means"

    def not_applicable(self, facts: Any) -> str | None:
        """Why k-means cannot run on ``facts`` (absent feature columns), or ``None``."""
        missing = sorted({"customer_id", *self.features} - set(facts.columns))
        if missing:
            from clientlib.frameworks.skipped import Skipped

            return Skipped.missing_columns("kmeans", missing, {"en": "k-means", "ru": "k-means"})
        return None

    def _buyers(self, facts: Any) -> Any:
        if "orders" in facts.columns:
            return facts.orders.fill_null(0) > 0
        cond = None
        for f in self.features:
            c = facts[f].notnull()
            cond = c if cond is None else cond & c
        return cond

    def fit(self, facts: Any, y: Any = None) -> KMeansFramework:
        """Choose k (when ``auto``) and fit on a seeded sample of the buyers."""
        features = list(self.features)
        if isinstance(facts, pd.DataFrame):
            import ibis

            facts = ibis.memtable(facts)
        buyers = facts.filter(self._buyers(facts)).select("customer_id", *features)
        n = int(buyers.count().to_pyarrow().as_py())
        if n > self.sample_size:
            # A seeded, engine-independent sample would need a portable hash; the sample is
            # drawn in Python from the collected ids instead, which is small next to the facts.
            import ibis
            import pyarrow as pa

            column = buyers.select("customer_id").to_pyarrow().column(0)
            ids = column.to_numpy(zero_copy_only=False)
            rs = check_random_state(self.random_state)
            keep = np.sort(ids[rs.choice(len(ids), size=int(self.sample_size), replace=False)])
            # The kept ids travel as a table joined in the engine, not as an IN list: Ibis
            # builds and compiles a 200,000-literal list in ~40 s (half the clusters stage for a
            # million customers), the join takes a fraction of a second.
            kept = ibis.memtable(pa.table({"customer_id": pa.array(keep, type=column.type)}))
            buyers = buyers.semi_join(kept, "customer_id")
        sample = buyers.order_by("customer_id").to_pyarrow().to_pandas()
        for f in features:
            sample[f] = sample[f].astype("float64").clip(lower=0)
        distinct = len(sample.drop_duplicates(features))
        self.kchoice_: KChoice | None = None
        self.model_: CustomerClusters | None = None
        self.n_buyers_ = n
        self.naming_note_ = ""
        self.params_: dict[str, Any] = {"k": None, "distinct_buyers": distinct}
        if distinct < 2:
            return self
        k = self.k
        if k == "auto":
            ks = [x for x in self.k_range if x < distinct]
            if ks:
                self.kchoice_ = choose_k(
                    sample, ks, features=features, random_state=self.random_state
                )
            else:  # 2 distinct buyers: nothing to compare
                fields = {"k": distinct, "distinct": distinct}
                self.kchoice_ = replace(
                    fixed_k(distinct, distinct, features), requested="auto", n_samples=len(sample),
                    reason_key="clusters.k_few", reason_fields=fields,
                    reason=_k_sentence("clusters.k_few", fields, "en"),
                )  # fmt: skip
        else:
            # what the user set, lowered to the distinct buyers when there are fewer, said once
            self.kchoice_ = replace(fixed_k(int(k), distinct, features), n_samples=len(sample))
        k = self.kchoice_.recommended_k
        model = CustomerClusters(
            n_clusters=min(int(k), distinct), features=features, random_state=self.random_state
        )
        model.fit(sample)
        self.model_ = model
        scaler = model.pipeline_.named_steps["scale"]
        km = model.pipeline_.named_steps["kmeans"]
        names = (
            name_clusters(model.profiles_, features, lang=self.lang)
            if self.lang != "en"
            else model.names_
        )
        #: The naming rule in one sentence, for the report beside the names.
        self.naming_note_ = naming_note(naming_cuts(model.profiles_, features), self.lang)
        self.params_.update(
            k=int(model.n_clusters),
            centres=km.cluster_centers_.tolist(),
            mean=scaler.mean_.tolist(),
            scale=scaler.scale_.tolist(),
            names={int(i): str(v) for i, v in names.items()},
            centres_original=model.cluster_centers_,
        )
        return self

    def transform(self, facts: Any) -> Any:
        """Nearest centre of every customer (an Ibis table, one row per customer)."""
        import ibis

        from clientlib.frameworks.language import _as_text

        self.check_fitted()
        if isinstance(facts, pd.DataFrame):
            facts = ibis.memtable(facts)
        features = list(self.features)
        p = self.params_
        not_label = NOT_CLUSTERED.get(self.lang, NOT_CLUSTERED["en"])
        buyer = self._buyers(facts)
        why_not = (
            "no purchase before the analysis date (orders = 0)"
            if "orders" in facts.columns
            else "a clustering feature is null"
        )
        base = {
            "customer_id": facts.customer_id,
            "framework": ibis.literal("kmeans"),
        }
        if p["k"] is None:
            reason = ibis.ifelse(
                buyer,
                ibis.literal(
                    f"fewer than two distinct buyers ({p['distinct_buyers']}): nothing to cluster"
                ),
                ibis.literal(why_not),
            )
            return facts.select(
                **base,
                **{"class": ibis.literal("not_clustered")},
                label=ibis.literal(not_label),
                reason=reason,
                action=ibis.literal(""),
            ).order_by("customer_id")
        z = []
        for j, f in enumerate(features):
            x = ibis.greatest(facts[f].cast("float64"), ibis.literal(0.0))
            z.append(((x + 1.0).ln() - p["mean"][j]) / p["scale"][j])
        dist = [
            sum(((zj - c[j]) ** 2 for j, zj in enumerate(z)), ibis.literal(0.0))
            for c in p["centres"]
        ]
        staged = facts.mutate(**{f"_d{i}": d for i, d in enumerate(dist)})
        d = [staged[f"_d{i}"] for i in range(len(dist))]
        k = len(d)
        # the lowest distance, ties to the lowest id (numpy's argmin)
        picks = []
        for i in range(k - 1):
            cond = None
            for j in range(k):
                if j == i:
                    continue
                c = (d[i] < d[j]) if j < i else (d[i] <= d[j])
                cond = c if cond is None else cond & c
            picks.append((cond, i))
        nearest = ibis.cases(*picks, else_=k - 1) if picks else ibis.literal(0)
        staged = staged.mutate(_nearest=nearest)
        cb = self._buyers(staged)
        cls = ibis.ifelse(
            cb, ibis.literal("cluster_") + staged._nearest.cast("string"), "not_clustered"
        )
        label = ibis.cases(
            *[(staged._nearest == i, ibis.literal(p["names"][i])) for i in range(k)],
            else_=ibis.literal(""),
        )
        centres = p["centres_original"]
        centre_text = ibis.cases(
            *[
                (
                    staged._nearest == i,
                    ibis.literal(
                        f"nearest k-means centre {i} ("
                        + ", ".join(f"{f}≈{centres.loc[i, f]:.3g}" for f in features)
                        + "); "
                    ),
                )
                for i in range(k)
            ],
            else_=ibis.literal(""),
        )
        values = None
        for j, f in enumerate(features):
            piece = ibis.literal(("" if j == 0 else ", ") + f + "=") + _as_text(
                ibis.greatest(staged[f].cast("float64"), ibis.literal(0.0))
            )
            values = piece if values is None else values + piece
        return staged.select(
            customer_id=staged.customer_id,
            framework=ibis.literal("kmeans"),
            **{"class": cls},
            label=ibis.ifelse(cb, label, ibis.literal(not_label)),
            reason=ibis.ifelse(cb, centre_text + values, ibis.literal(why_not)),
            action=ibis.literal(""),
        ).order_by("customer_id")


def kmeans_segments(
    facts: pd.DataFrame,
    k: int | str = "auto",
    features: Sequence[str] = RFM_FEATURES,
    random_state: Any = 0,
    k_range: Iterable[int] = range(2, 9),
    *,
    lang: str = "en",
) -> tuple[pd.DataFrame, CustomerClusters | None, KChoice | None]:
    """Cluster the buyers of ``facts`` and return a table shaped like ``clientlib segment``.

    :class:`KMeansFramework` fitted and applied to a pandas table: customers with
    ``orders > 0`` (or, without an ``orders`` column, with no null feature) are clustered; the
    others get class ``not_clustered`` with the reason, so every customer has exactly one row.
    A negative net spend (returns exceeding purchases) is clipped at zero before the log scale.
    ``k="auto"`` runs :func:`choose_k` over ``k_range`` first (only k below the number of
    distinct customers); with fewer than two distinct buyers nothing is clustered and
    ``model`` is None.

    Returns
    -------
    (table, model, kchoice)
        ``table`` has columns customer_id, framework ("kmeans"), class (``cluster_<id>``),
        label (the cluster name in ``lang``), reason (the features' values and the centre),
        action ("").

    Examples
    --------
    >>> df = pd.DataFrame({"customer_id": list("abcde"), "recency_days": [3, 4, 300, 320, None],
    ...                    "orders": [9, 8, 1, 1, 0], "total_spend": [900, 990, 20, 15, 0]})
    >>> table, model, _ = kmeans_segments(df, k=2)
    >>> table["class"].value_counts().sort_index().tolist(), table["class"].iloc[-1]
    ([2, 2, 1], 'not_clustered')
    """
    import ibis

    if "customer_id" not in facts.columns:
        raise ValueError(f"facts has no customer_id column; columns found: {list(facts.columns)}.")
    fw = KMeansFramework(
        k=k, features=features, random_state=random_state, k_range=k_range, lang=lang
    )
    table = ibis.memtable(facts)
    fw.fit(table)
    out = fw.transform(table).to_pyarrow().to_pandas()
    # the caller's row order (the transform is sorted by customer id)
    order = pd.Index(out["customer_id"]).get_indexer(facts["customer_id"])
    out = out.iloc[order].reset_index(drop=True)
    return out, fw.model_, fw.kchoice_
