"""Workshop self-checks: right answers pass, wrong ones get a hint, labels count as classes.

Every exercise is tried with a correct answer, a wrong one and a label answer (a class name in
English or Russian where a class is asked; a name where a number is asked), in both languages.
The expected answers come from the package on a small workshop shop (the same computation the
notebooks use); the wrong answers are built from them by moving away from every accepted value.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clientlib import datasets, exercises, frameworks, lessons, segment, timeline
from clientlib.clusters import CustomerClusters
from clientlib.features import customer_facts

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted(p.stem for p in (ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py"))
LANGS = ("en", "ru")
WORDS = {
    "en": {"correct": "correct", "hint": "Hint: ", "unanswered": "not answered yet"},
    "ru": {"correct": "верно", "hint": "Подсказка: ", "unanswered": "ответа пока нет"},
}


def _context(n_customers: int, seed: int) -> dict:
    inputs = lessons.load_inputs(n_customers=n_customers, seed=seed)
    tx, ev, cu = inputs.transactions, inputs.events, inputs.customers
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
        "facts_df": df,
        "buyers": buyers,
        "segments": segments,
        "clusters": clusters,
        "customers": cu.table.to_pandas(),
        "snaps": snaps,
        "cdnow": datasets.load_cdnow_sample(),  # lesson 09: the CDNOW calibration/holdout
    }


@pytest.fixture(scope="module")
def ctx() -> dict:
    return _context(300, 1)


_WANTS: dict = {}


def _ctx_for(ex: exercises.Exercise, ctx: dict) -> dict:
    return {k: ctx[k] for k in ex.needs}


def _want(name: str, ctx: dict):
    """Expected answer, computed once per exercise for the whole module."""
    if name not in _WANTS:
        _WANTS[name] = exercises.expected(name, **_ctx_for(exercises.EXERCISES[name], ctx))
    return _WANTS[name]


def _right(ex: exercises.Exercise, want) -> object:
    """A correct answer in the form a participant would type it."""
    if ex.kind == "open":
        return " ".join(["I would call the dormant fans first because they bought often."] * 3)
    if isinstance(want, set):
        first = sorted(want, key=str)[0]
        return str(first) if ex.kind == "month" else first
    return want


def _wrong(ex: exercises.Exercise, want) -> object:
    if ex.kind == "open":
        return "call them"
    if ex.kind == "label":
        others = sorted(set(ex.choices()) - set(want)) if ex.choices else []
        return others[0] if others else "no_such_class"
    if ex.kind == "month":
        return "1999-01"
    values = sorted(want) if isinstance(want, set) else [want]
    if ex.kind == "share":
        far = [v for v in (0.0, 0.5, 1.0) if all(abs(v - w) > 0.1 for w in values)]
        return far[0]
    return max(values) + 7


def _labels(ex: exercises.Exercise, cid: str, lang: str) -> str:
    """The class's label in ``lang``, as the framework's description gives it."""
    name = {"ladder": "ladder", "rfm": "rfm", "fast_good_cheap": "fast_good_cheap"}
    for fw in name:
        if ex.choices is exercises.class_choices(fw):
            rows = frameworks.load(fw).describe(lang)
            return next(r["label"] for r in rows if r["id"] == cid)
    if ex.choices is exercises.framework_choices:
        return exercises.framework_title(cid, lang)
    raise AssertionError(f"{ex.name}: unknown choices")


NAMES = list(exercises.EXERCISES)


# ---------------------------------------------------------------------------------------------
# registry
# ---------------------------------------------------------------------------------------------


def test_every_lesson_has_at_least_two_exercises():
    for lesson in LESSONS:
        assert len(exercises.exercises_for(lesson)) >= 2, lesson


def test_every_exercise_has_a_prompt_and_hints_in_both_languages():
    for ex in exercises.EXERCISES.values():
        assert ex.prompt["en"] and ex.prompt["ru"] and (ex.needs or ex.kind == "open")
        assert ex.hint["en"] and ex.hint["ru"]
        assert ex.kind in exercises.KINDS
        if ex.kind == "open":
            assert ex.points["en"] and ex.points["ru"]


def test_exercise_modules_are_found_by_name():
    modules = {e.notebook for e in exercises.EXERCISES.values()}
    assert {"01_quickstart", "02_lifecycle", "03_loyalty_ladder", "04_key_clients"} <= modules


def test_unknown_exercise_names_the_known_ones():
    with pytest.raises(KeyError, match="quickstart_buyers"):
        exercises.check("no_such_exercise", 1)


def test_missing_context_is_named():
    with pytest.raises(TypeError, match="facts="):
        exercises.check("quickstart_buyers", 3)


# ---------------------------------------------------------------------------------------------
# each exercise: right, wrong, label, unanswered, in both languages
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", NAMES)
def test_right_answer_passes(name, lang, ctx, capsys):
    ex = exercises.EXERCISES[name]
    want = _want(name, ctx)
    assert exercises.check(name, _right(ex, want), lang=lang, **_ctx_for(ex, ctx)) is None
    out = capsys.readouterr().out
    if ex.kind == "open":
        assert out.startswith(f"✎ {name}:"), out
        assert all(p in out for p in ex.points[lang])
    else:
        assert out.startswith(f"✓ {name}: {WORDS[lang]['correct']}"), out
    assert WORDS[lang]["hint"] not in out


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", NAMES)
def test_wrong_answer_gets_the_hint(name, lang, ctx, capsys):
    ex = exercises.EXERCISES[name]
    want = _want(name, ctx)
    fb = exercises.evaluate(name, _wrong(ex, want), lang=lang, **_ctx_for(ex, ctx))
    assert fb.status == "wrong", fb.message
    assert fb.message.startswith(f"✗ {name}:")
    assert WORDS[lang]["hint"] + ex.hint[lang] in fb.message


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", NAMES)
def test_label_answer(name, lang, ctx):
    """A class named by its label (either language) counts; a name where a number is asked
    is explained."""
    ex = exercises.EXERCISES[name]
    want = _want(name, ctx)
    if ex.kind == "label" and ex.choices is not None:
        cid = sorted(want)[0]
        for label_lang in LANGS:
            label = _labels(ex, cid, label_lang)
            fb = exercises.evaluate(name, label, lang=lang, **_ctx_for(ex, ctx))
            assert fb.ok, (label, fb.message)
            assert exercises.evaluate(name, label.upper(), lang=lang, **_ctx_for(ex, ctx)).ok
        wrong = _wrong(ex, want)
        if wrong in ex.choices():
            fb = exercises.evaluate(name, _labels(ex, wrong, "ru"), lang=lang, **_ctx_for(ex, ctx))
            assert fb.status == "wrong"
    elif ex.kind in ("count", "share", "number"):
        fb = exercises.evaluate(name, "Champions", lang=lang, **_ctx_for(ex, ctx))
        assert fb.status == "wrong"
        assert {"en": "expected a single number", "ru": "ожидалось одно число"}[lang] in fb.message
    elif ex.kind == "month":
        fb = exercises.evaluate(name, "Чемпионы", lang=lang, **_ctx_for(ex, ctx))
        assert fb.status == "wrong"
        assert {"en": "expected a month", "ru": "ожидался месяц"}[lang] in fb.message
    else:
        pytest.skip(f"{ex.kind} answers are not classes")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", NAMES)
def test_none_is_not_answered_yet(name, lang, capsys):
    ex = exercises.EXERCISES[name]
    # no context needed: the expected answer is not even computed
    fb = exercises.evaluate(name, None, lang=lang)
    assert fb.status == "unanswered" and not fb.ok and fb.expected is None
    exercises.check(name, None, lang=lang)
    out = capsys.readouterr().out
    assert WORDS[lang]["unanswered"] in out and ex.hint[lang] in out


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
    assert want == int((ctx["facts_df"]["orders"] >= 1).sum())
    high = exercises.evaluate("quickstart_buyers", want + 1, facts=ctx["facts"])
    low = exercises.evaluate("quickstart_buyers", want - 1, facts=ctx["facts"], lang="ru")
    assert "too high" in high.message and "слишком мало" in low.message
    assert high.expected == want


def test_numpy_one_element_and_typed_numbers_are_accepted(ctx):
    want = exercises.expected("quickstart_buyers", facts=ctx["facts"])
    for answer in (np.int64(want), float(want), pd.Series([want]), str(want)):
        assert exercises.evaluate("quickstart_buyers", answer, facts=ctx["facts"]).ok, answer
    share = exercises.expected("ladder_reached_buyer", facts=ctx["facts"])
    typed = f"{share:.3f}".replace(".", ",")  # a Russian learner's decimal comma
    assert exercises.evaluate("ladder_reached_buyer", typed, facts=ctx["facts"], lang="ru").ok


def test_numbers_in_feedback_follow_the_language(ctx):
    fb = exercises.evaluate("ladder_reached_buyer", 0.0, facts=ctx["facts"], lang="ru")
    assert "0,000" in fb.message or "0 —" in fb.message
    share = exercises.expected("ladder_reached_buyer", facts=ctx["facts"])
    fb = exercises.evaluate("ladder_reached_buyer", round(share, 3), facts=ctx["facts"], lang="ru")
    assert fb.ok and "," in fb.message.split("(")[1]


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


def test_labels_ignore_case_spaces_and_yo(ctx):
    want = sorted(exercises.expected("quickstart_top_rung", facts=ctx["facts"]))[0]
    assert exercises.evaluate("quickstart_top_rung", f"  {want.upper()} ", facts=ctx["facts"]).ok
    fb = exercises.evaluate("quickstart_top_rung", "nobody at all", facts=ctx["facts"])
    assert fb.status == "wrong" and "none of the choices" in fb.message and want in fb.message
    fb = exercises.evaluate("quickstart_top_rung", 3, facts=ctx["facts"])
    assert "expected a class as text" in fb.message


def test_rfm_champions_in_three_spellings():
    choices = exercises.class_choices("rfm")()
    for spelling in ("Чемпион", "Champions", "champions", "ЧЕМПИОН"):
        assert exercises._norm(spelling) in choices["champions"]


def test_months_in_several_forms(ctx):
    month = sorted(exercises.expected("lifecycle_fan_month", snaps=ctx["snaps"]))[0]
    for answer in (str(month), month, month.to_timestamp(), month.to_timestamp(how="end")):
        assert exercises.evaluate("lifecycle_fan_month", answer, snaps=ctx["snaps"]).ok, answer
    fb = exercises.evaluate("lifecycle_fan_month", "not a month", snaps=ctx["snaps"])
    assert "expected a month" in fb.message


def test_unknown_language_is_refused():
    with pytest.raises(Exception, match="lang must be one of"):
        exercises.evaluate("quickstart_buyers", None, lang="de")


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
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    names = [e.name for e in exercises.exercises_for(script.stem)]
    assert names
    for name in names:
        ex = exercises.EXERCISES[name]
        mark = "✎" if ex.kind == "open" else "✓"
        assert f"{mark} {name}: " in done.stdout, done.stdout
    assert "✗" not in done.stdout
