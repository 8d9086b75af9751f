"""The composition: frameworks restricted to the facts they declare classify as with all facts."""

from __future__ import annotations

import warnings

import ibis
import pandas as pd
import pytest

from clientlib import frameworks
from clientlib.features import customer_facts
from clientlib.io import read_inputs
from clientlib.segment import apply, needed_columns


@pytest.fixture(scope="module")
def facts():
    inputs = read_inputs(dataset="workshop", dataset_options={"n_customers": 400, "seed": 5})
    return customer_facts(inputs.transactions, inputs.events, inputs.customers).to_pandas()


@pytest.mark.parametrize("name", frameworks.builtin_names())
def test_the_declared_columns_are_all_a_framework_reads(facts, name):
    # The oracle is the same framework on every fact: a column read but not declared in
    # input_columns (rule, signal, hook) would fail or change a class here.
    needed = needed_columns([frameworks.load(name)])
    assert needed is not None and "customer_id" in needed
    some = facts[[c for c in facts.columns if c in needed]]
    assert len(some.columns) < len(facts.columns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = apply([frameworks.load(name)], ibis.memtable(facts))
        part = apply([frameworks.load(name)], ibis.memtable(some))
    assert full.skipped == part.skipped
    pd.testing.assert_frame_equal(full.classes, part.classes)


def test_a_framework_that_does_not_declare_its_columns_gets_every_fact():
    assert needed_columns([frameworks.load("rfm"), frameworks.load("kmeans")]) is None
    assert needed_columns([]) == {"customer_id"}


def test_a_user_rulebook_declares_its_own_columns(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        "id: mine\ncolumns: {persona: str}\nclasses:\n"
        "  - {id: fan, label: {en: Fan}, when: \"persona == 'loyal_fan' and orders >= 2\"}\n"
        "  - {id: other, label: {en: Other}, otherwise: true}\n",
        encoding="utf-8",
    )
    assert needed_columns([frameworks.load(path)]) == {"customer_id", "persona", "orders"}


def test_facts_still_to_compute_are_computed_once_and_released(tmp_path):
    # Facts left as a query over the transactions (customer_facts not collected, as on Spark):
    # apply stores them in the engine for the frameworks' queries and drops them afterwards;
    # the classes are those of the same facts collected first.
    import gc

    import ibis.expr.operations as ops

    from clientlib import datasets, engine
    from clientlib.io import read_transactions
    from clientlib.segment import _computed

    ds = datasets.load("workshop", n_customers=300, seed=2)
    path = tmp_path / "tx.parquet"
    ds.transactions.to_parquet(path, index=False)
    con = ibis.duckdb.connect()
    lazy = customer_facts(read_transactions(engine.read_parquet(con, str(path)), ds.mapping))
    assert lazy.op().find(ops.Aggregate)

    def temporary() -> set[str]:
        rows = con.raw_sql("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
        return {t for (t,) in rows}

    before = temporary()  # the typed transactions, which the facts read
    stored = _computed(lazy)
    assert not stored.op().find(ops.Aggregate)  # a table of rows, not the query
    del stored
    fws = [frameworks.load(n) for n in ("rfm", "lifecycle", "btyd", "value_tiers")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = apply(fws, lazy)
        ref = apply([frameworks.load(f.id) for f in fws], ibis.memtable(engine.to_pandas(lazy)))
    assert got.skipped == ref.skipped == []
    pd.testing.assert_frame_equal(got.classes, ref.classes)
    gc.collect()
    assert temporary() == before


def _sorted_the_long_way(frames, columns):
    whole = pd.concat([f.reindex(columns=columns) for f in frames], ignore_index=True)
    return whole.sort_values(["framework", "customer_id"], kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("ordered", [True, False])
def test_assemble_gives_the_sorted_table_whether_or_not_the_frames_come_sorted(ordered):
    import numpy as np

    from clientlib.segment import assemble

    rng = np.random.default_rng(3)
    ids = [f"C{i:03d}" for i in range(50)] + ["é1", "z", "Ж"]  # code-point order, not locale
    frames = []
    for name in ["value_tiers", "rfm", "kmeans", "ladder"]:
        sample = sorted(rng.choice(ids, size=30, replace=False).tolist())
        if not ordered:
            sample = sample[::-1]
        frames.append(
            pd.DataFrame(
                {"customer_id": sample, "framework": name, "class": rng.choice(["a", "b"], 30)}
            )
        )
    frames[1]["R"] = 1.0  # a framework's own column
    columns = ["customer_id", "framework", "class", "R"]
    expected = _sorted_the_long_way(frames, columns)
    pd.testing.assert_frame_equal(assemble(frames, columns), expected)
    # a table assembled before, plus one more framework (run_study adds k-means so)
    first = assemble(frames[:3], columns)
    pd.testing.assert_frame_equal(assemble([first, frames[3]], columns), expected)


def test_assemble_refuses_a_customer_twice_in_one_framework():
    from clientlib.errors import ClientlibError
    from clientlib.segment import assemble

    twice = pd.DataFrame({"customer_id": ["a", "a", "b"], "framework": "rfm", "class": "x"})
    with pytest.raises(ClientlibError, match="pairs came out twice"):
        assemble([twice], ["customer_id", "framework", "class"])
