"""Workshop self-checks: right answers pass, wrong ones get a hint, None is "not answered"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clientlib import datasets, exercises, segment, timeline
from clientlib.clusters import CustomerClusters
from clientlib.features import customer_facts
from clientlib.io import read_customers, read_events, read_transactions

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _context(n_customers: int, seed: int) -> dict:
    ds = datasets.load("workshop", n_customers=n_customers, seed=seed)
    tx = read_transactions(ds.transactions, ds.mapping)
    ev = read_events(ds.events, analysis_date=tx.analysis_date)
    cu = read_customers(ds.customers)
    facts = customer_facts(tx, ev, cu)
    df = facts.to_pandas().sort_values("customer_id", ignore_index=True)
    buyers = df[df["orders"] > 0].reset_index(drop=True)
    segments, _ = segment.segment(facts, "all")
    model = CustomerClusters(n_clusters=3, random_state=0).fit(buyers)
    clusters = pd.Series(model.labels_, index=buyers["customer_id"])
    snaps = timeline.snapshots(
        tx, ev, cu, framework="lifecycle", freq="QS", start="2023-01-01", end="2025-01-01"
    )
    return {
        "facts": facts,
        "buyers": buyers,
        "segments": segments,
        "clusters": clusters,
        "customers": ds.customers,
        "snaps": snaps,
    }


@pytest.fixture(scope="module")
def ctx() -> dict:
    return _context(300, 1)


_WANTS: dict = {}


def _want(name: str, ctx: dict):
    """Expected answer, computed once per exercise for the whole module."""
    if name not in _WANTS:
        _WANTS[name] = exercises.expected(name, **_ctx_for(exercises.EXERCISES[name], ctx))
    return _WANTS[name]


def _right(ex: exercises.Exercise, want) -> object:
    """A correct answer in the form a participant would type it."""
    if isinstance(want, set):
        first = sorted(want, key=str)[0]
        return str(first) if ex.kind == "month" else first
    return want


def _wrong(ex: exercises.Exercise, want) -> object:
    if ex.kind == "label":
        return "no_such_class"
    if ex.kind == "month":
        return "1999-01"
    value = sorted(want)[0] if isinstance(want, set) else want
    if ex.kind == "share":
        return value - 0.2 if value >= 0.5 else value + 0.2
    return value + 7


def _ctx_for(ex: exercises.Exercise, ctx: dict) -> dict:
    return {k: ctx[k] for k in ex.needs}


# ---------------------------------------------------------------------------------------------
# registry
# ---------------------------------------------------------------------------------------------


def test_every_notebook_has_two_or_three_exercises():
    for nb in NOTEBOOKS:
        assert 2 <= len(exercises.exercises_for(nb)) <= 3, nb


def test_every_exercise_has_a_prompt_and_hints_in_both_languages():
    for ex in exercises.EXERCISES.values():
        assert ex.prompt and ex.needs
        assert ex.hint["en"] and ex.hint["ru"]
        assert ex.kind in {"count", "share", "number", "label", "month"}


def test_unknown_exercise_names_the_known_ones():
    with pytest.raises(KeyError, match="quickstart_buyers"):
        exercises.check("no_such_exercise", 1)


def test_missing_context_is_named():
    with pytest.raises(TypeError, match="facts="):
        exercises.check("quickstart_buyers", 3)


# ---------------------------------------------------------------------------------------------
# each exercise: right, wrong, unanswered
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(exercises.EXERCISES))
def test_right_answer_passes(name, ctx, capsys):
    ex = exercises.EXERCISES[name]
    want = _want(name, ctx)
    assert exercises.check(name, _right(ex, want), **_ctx_for(ex, ctx)) is None
    out = capsys.readouterr().out
    assert out.startswith(f"✓ {name}: correct"), out
    assert "Hint" not in out


@pytest.mark.parametrize("name", list(exercises.EXERCISES))
def test_wrong_answer_gets_the_hint(name, ctx, capsys):
    ex = exercises.EXERCISES[name]
    want = _want(name, ctx)
    exercises.check(name, _wrong(ex, want), **_ctx_for(ex, ctx))
    out = capsys.readouterr().out
    assert out.startswith(f"✗ {name}:"), out
    assert "Hint: " + ex.hint["en"] in out


@pytest.mark.parametrize("name", list(exercises.EXERCISES))
def test_none_is_not_answered_yet(name, capsys):
    ex = exercises.EXERCISES[name]
    # no context needed: the expected answer is not even computed
    fb = exercises.evaluate(name, None)
    assert fb.status == "unanswered" and not fb.ok and fb.expected is None
    exercises.check(name, None)
    out = capsys.readouterr().out
    assert "not answered yet" in out and ex.hint["en"] in out


# ---------------------------------------------------------------------------------------------
# what the feedback says
# ---------------------------------------------------------------------------------------------


def test_expected_answers_are_computed_from_the_data():
    two = pd.DataFrame({"customer_id": ["a", "b"], "orders": [0, 1]})
    four = pd.DataFrame({"customer_id": list("abcd"), "orders": [1, 1, 2, 5]})
    assert exercises.expected("quickstart_buyers", facts=two) == 1
    assert exercises.expected("quickstart_buyers", facts=four) == 4


def test_too_high_and_too_low(ctx):
    want = exercises.expected("quickstart_buyers", facts=ctx["facts"])
    high = exercises.evaluate("quickstart_buyers", want + 1, facts=ctx["facts"])
    low = exercises.evaluate("quickstart_buyers", want - 1, facts=ctx["facts"])
    assert "too high" in high.message and "too low" in low.message
    assert high.expected == want


def test_numpy_and_one_element_answers_are_accepted(ctx):
    want = exercises.expected("quickstart_buyers", facts=ctx["facts"])
    assert exercises.evaluate("quickstart_buyers", np.int64(want), facts=ctx["facts"]).ok
    assert exercises.evaluate("quickstart_buyers", float(want), facts=ctx["facts"]).ok
    assert exercises.evaluate("quickstart_buyers", pd.Series([want]), facts=ctx["facts"]).ok


def test_a_table_instead_of_a_number_is_explained(ctx):
    fb = exercises.evaluate("quickstart_buyers", pd.Series([1, 2, 3]), facts=ctx["facts"])
    assert fb.status == "wrong"
    assert "expected a single number" in fb.message and "Series of 3 values" in fb.message


def test_a_percentage_for_a_share_is_explained(ctx):
    want = exercises.expected("ladder_reached_buyer", facts=ctx["facts"])
    fb = exercises.evaluate("ladder_reached_buyer", want * 100, facts=ctx["facts"])
    assert fb.status == "wrong" and "percentage" in fb.message
    assert exercises.evaluate("ladder_reached_buyer", round(want, 3), facts=ctx["facts"]).ok


def test_a_fraction_of_a_customer_is_not_a_count(ctx):
    fb = exercises.evaluate("quickstart_buyers", 10.5, facts=ctx["facts"])
    assert "whole number" in fb.message


def test_labels_ignore_case_and_labels_are_told_apart_from_ids(ctx):
    want = sorted(exercises.expected("quickstart_top_rung", facts=ctx["facts"]))[0]
    assert exercises.evaluate("quickstart_top_rung", want.upper(), facts=ctx["facts"]).ok
    fb = exercises.evaluate("quickstart_top_rung", "Regular buyer", facts=ctx["facts"])
    if not fb.ok:
        assert "class id" in fb.message
    fb = exercises.evaluate("quickstart_top_rung", 3, facts=ctx["facts"])
    assert "expected an id as text" in fb.message


def test_months_in_several_forms(ctx):
    month = sorted(exercises.expected("lifecycle_fan_month", snaps=ctx["snaps"]))[0]
    for answer in (str(month), month, month.to_timestamp(), month.to_timestamp(how="end")):
        assert exercises.evaluate("lifecycle_fan_month", answer, snaps=ctx["snaps"]).ok, answer
    fb = exercises.evaluate("lifecycle_fan_month", "not a month", snaps=ctx["snaps"])
    assert "expected a month" in fb.message


def test_messages_in_russian(ctx, capsys):
    exercises.check("quickstart_buyers", None, lang="ru")
    out = capsys.readouterr().out
    assert "ответа пока нет" in out and "Подсказка" in out
    exercises.check("quickstart_buyers", -1, facts=ctx["facts"], lang="ru")
    assert "слишком мало" in capsys.readouterr().out


def test_setup_notebook_is_idempotent():
    exercises.setup_notebook()
    exercises.setup_notebook()
    assert pd.get_option("display.max_colwidth") == 100


# ---------------------------------------------------------------------------------------------
# the trainer solutions pass their own checks
# ---------------------------------------------------------------------------------------------

SOLUTIONS = sorted((ROOT / "solutions").glob("0*.py"))


@pytest.mark.slow
@pytest.mark.parametrize("script", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_trainer_solution_passes(script):
    done = subprocess.run(
        [sys.executable, script.name], cwd=script.parent, capture_output=True, text=True,
        timeout=600, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = [e.name for e in exercises.exercises_for(script.stem)]
    assert names
    for name in names:
        assert f"✓ {name}: correct" in done.stdout, done.stdout
    assert "✗" not in done.stdout
