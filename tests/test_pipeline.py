"""The whole study: every stage present, and the same inputs and seeds give the same bytes."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from clientlib import datasets, plots  # noqa: E402
from clientlib.io import read_customers, read_events, read_transactions  # noqa: E402
from clientlib.pipeline import run_study  # noqa: E402


def _study(seed: int = 0):
    ds = datasets.load("workshop", n_customers=400, seed=3)
    tx = read_transactions(ds.transactions, ds.mapping)
    ev = read_events(ds.events, analysis_date=tx.analysis_date)
    cu = read_customers(ds.customers)
    return run_study(tx, ev, cu, k="auto", random_state=seed)


@pytest.fixture(scope="module")
def two_runs():
    return _study(), _study()


def test_every_stage_ran_and_every_customer_has_one_class_per_framework(two_runs):
    study, _ = two_runs
    assert set(study.timings) == {"facts", "frameworks", "clusters", "compare"}
    per = study.segments.groupby("framework")["customer_id"].agg(["count", "nunique"])
    assert (per["count"] == 400).all() and (per["nunique"] == 400).all()
    assert "kmeans" in per.index and "persona" in study.agreement.index
    assert np.allclose(np.diag(study.agreement.to_numpy()), 1.0)
    assert study.kchoice is not None and study.kchoice.recommended_k in study.kchoice.table.index


def _png(ax) -> bytes:
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", metadata={"Software": None})
    matplotlib.pyplot.close(ax.figure)
    return buf.getvalue()


def test_same_inputs_and_seeds_give_identical_outputs_and_figures(two_runs):
    a, b = two_runs
    assert a.segments.to_csv(index=False).encode() == b.segments.to_csv(index=False).encode()
    pd.testing.assert_frame_equal(a.agreement, b.agreement)
    pd.testing.assert_frame_equal(a.kchoice.table, b.kchoice.table)
    buyers_a = a.facts[a.facts["orders"] > 0]
    buyers_b = b.facts[b.facts["orders"] > 0]
    figures = [
        (lambda s: plots.elbow_plot(s.kchoice)),
        (lambda s: plots.agreement_heatmap(s.agreement)),
        (lambda s: plots.cluster_scatter(buyers_a if s is a else buyers_b, s.model.labels_)),
    ]
    for draw in figures:
        ax_a, ax_b = draw(a), draw(b)
        data_a = [line.get_xydata().tolist() for line in ax_a.lines]
        data_b = [line.get_xydata().tolist() for line in ax_b.lines]
        assert data_a == data_b
        assert _png(ax_a) == _png(ax_b)
