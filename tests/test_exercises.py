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
TITLE = {"en": "Exercise {n}", "ru": "Упражнение {n}"}
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
    title = TITLE[lang].format(n=ex.number)
    if ex.kind == "open":
        assert out.startswith(f"✎ {title}:"), out
        assert all(p in out for p in ex.points[lang])
    else:
        assert out.startswith(f"✓ {title}: {WORDS[lang]['correct']}"), out
    assert WORDS[lang]["hint"] not in out
    assert name not in out  # no internal id in what a participant reads


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", NAMES)
def test_wrong_answer_gets_the_hint(name, lang, ctx, capsys):
    ex = exercises.EXERCISES[name]
    want = _want(name, ctx)
    fb = exercises.evaluate(name, _wrong(ex, want), lang=lang, **_ctx_for(ex, ctx))
    assert fb.status == "wrong", fb.message
    assert fb.message.startswith(f"✗ {TITLE[lang].format(n=ex.number)}:")
    assert WORDS[lang]["hint"] + ex.hint[lang] in fb.message
    assert name not in fb.message.split("\n")[0]


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
        assert {"en": "the answer is one number", "ru": "ответ — одно число"}[lang] in fb.message
    elif ex.kind == "month":
        fb = exercises.evaluate(name, "Чемпионы", lang=lang, **_ctx_for(ex, ctx))
        assert fb.status == "wrong"
        assert {"en": "write the month as", "ru": "запишите месяц"}[lang] in fb.message
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
    assert "the answer is one number" in fb.message and "a column of 3 values" in fb.message
    assert "Series" not in fb.message


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
    assert fb.status == "wrong" and "there is no 'nobody at all'" in fb.message
    label = exercises.class_choices("ladder").labels("en")[want]
    assert label in fb.message and f" {want}," not in fb.message  # labels listed, not ids
    fb = exercises.evaluate("quickstart_top_rung", 3.5, facts=ctx["facts"])
    assert "the answer is the name of a class" in fb.message


def test_rfm_champions_in_three_spellings():
    choices = exercises.class_choices("rfm")()
    for spelling in ("Чемпион", "Champions", "champions", "ЧЕМПИОН"):
        assert exercises._norm(spelling) in choices["champions"]


def test_months_in_several_forms(ctx):
    month = sorted(exercises.expected("lifecycle_fan_month", snaps=ctx["snaps"]))[0]
    for answer in (str(month), month, month.to_timestamp(), month.to_timestamp(how="end")):
        assert exercises.evaluate("lifecycle_fan_month", answer, snaps=ctx["snaps"]).ok, answer
    fb = exercises.evaluate("lifecycle_fan_month", "not a month", snaps=ctx["snaps"])
    assert "write the month as" in fb.message


def test_unknown_language_is_refused():
    with pytest.raises(Exception, match="lang must be one of"):
        exercises.evaluate("quickstart_buyers", None, lang="de")


# ---------------------------------------------------------------------------------------------
# the trainer solutions pass their own checks
# ---------------------------------------------------------------------------------------------

SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.py"))


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("script", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_trainer_solution_passes(script, lang):
    done = subprocess.run(
        [sys.executable, script.name, lang], cwd=script.parent, capture_output=True, text=True,
        timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    names = [e.name for e in exercises.exercises_for(script.stem)]
    assert names
    for name in names:
        ex = exercises.EXERCISES[name]
        mark = "✎" if ex.kind == "open" else "✓"
        assert f"{mark} {TITLE[lang].format(n=ex.number)}: " in done.stdout, done.stdout
    assert "✗" not in done.stdout


# ---------------------------------------------------------------------------------------------
# the answer key: one source, every exercise, each answer passing its own check
# ---------------------------------------------------------------------------------------------


def _modules():
    import importlib
    import pkgutil

    return [importlib.import_module(f"clientlib.exercises.{m.name}")
            for m in sorted(pkgutil.iter_modules(exercises.__path__), key=lambda m: m.name)
            if m.name[:1] == "l" and m.name[1:3].isdigit()]  # fmt: skip


def test_every_exercise_has_its_key_in_its_definition():
    """Closed: the code and the no-code route; open: the rubric and a model answer, both
    languages, the model answer long enough to be taken."""
    for ex in exercises.EXERCISES.values():
        assert ex.hint["en"] and ex.hint["ru"], ex.name
        if ex.kind == "open":
            for lang in LANGS:
                assert len(ex.points[lang]) >= 3, ex.name
                assert len(ex.model[lang].split()) >= ex.min_words, (ex.name, lang)
        else:
            assert ex.code and "answer =" in ex.code, ex.name
            assert ex.route and ex.route_kind in ("table", "widget", "printed"), ex.name
            for lang in LANGS:  # the hint is in words: the code is the second hint
                assert "==" not in ex.hint[lang] and "params=" not in ex.hint[lang], ex.name


@pytest.fixture(scope="module")
def lesson_vars(ctx):
    """What the solution scripts get from solutions/_data.py, on the test shop."""
    inputs = lessons.load_inputs(n_customers=300, seed=1)
    tx, ev, cu = inputs.transactions, inputs.events, inputs.customers
    return {"tx": tx, "ev": ev, "cu": cu, "facts": ctx["facts"], "facts_df": ctx["facts_df"],
            "customers_df": cu.table.to_pandas()}  # fmt: skip


_PRELUDE = """
import numpy as np
import pandas as pd
from clientlib import exercises, frameworks, segment, timeline
from clientlib.features import customer_facts
"""


@pytest.mark.parametrize("lang", LANGS)
def test_each_key_answer_passes_its_own_check(lang, lesson_vars):
    """Run every lesson's set-up and every exercise's code (the key), as the generated solution
    scripts do, and judge the answer: 38/38 in both languages."""
    passed = []
    for module in _modules():
        ns = dict(lesson_vars, lang=lang)
        exec(_PRELUDE + getattr(module, "SETUP", ""), ns)  # noqa: S102 - the key's own code
        names = getattr(module, "CONTEXT", {})
        for ex in module.EXERCISES:
            if ex.kind == "open":
                answer = ex.model[lang]
            else:
                exec(ex.code, ns)  # noqa: S102
                answer = ns["answer"]
            context = {k: ns[names.get(k, k)] for k in ex.needs}
            fb = exercises.evaluate(ex.name, answer, lang=lang, **context)
            assert fb.ok, (ex.name, fb.message)
            passed.append(ex.name)
    assert sorted(passed) == sorted(exercises.EXERCISES)


def _build():
    import importlib.util

    path = ROOT / "solutions" / "build.py"
    spec = importlib.util.spec_from_file_location("solutions_build", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_solution_scripts_are_generated_from_the_definitions():
    build = _build()
    for nb in dict.fromkeys(e.notebook for e in exercises.EXERCISES.values()):
        committed = (ROOT / "solutions" / f"{nb}.py").read_text("utf-8")
        assert committed == build.script(nb), f"solutions/{nb}.py: run python solutions/build.py"


@pytest.mark.slow
def test_committed_key_equals_what_the_generator_writes():
    """README.md, README.ru.md and the scripts cannot drift from the exercise definitions."""
    files = _build().render()
    assert {"README.md", "README.ru.md"} <= set(files)
    for name, text in files.items():
        assert (ROOT / "solutions" / name).read_text("utf-8") == text, name
    for ex in exercises.EXERCISES.values():
        assert f"`{ex.name}`" in files["README.ru.md"]
        if ex.kind == "open":
            assert all(p in files["README.ru.md"] for p in ex.points["ru"])
            assert ex.model["ru"] in files["README.ru.md"]


# ---------------------------------------------------------------------------------------------
# the no-code route: the named cell is in the lesson, above the check
# ---------------------------------------------------------------------------------------------

CLOSED = [n for n, e in exercises.EXERCISES.items() if e.kind != "open"]


def _code_cells(notebook: str) -> list[str]:
    import jupytext

    nb = jupytext.read(ROOT / "notebooks" / "src" / f"{notebook}.py", fmt="py:percent")
    return [c.source for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("name", CLOSED)
def test_no_code_route_is_in_the_lesson(name):
    ex = exercises.EXERCISES[name]
    cells = _code_cells(ex.notebook)
    checks = [i for i, c in enumerate(cells) if f'exercises.check("{name}"' in c]
    assert len(checks) == 1, f"{ex.notebook}: no single check cell for {name}"
    route = [i for i, c in enumerate(cells) if ex.route in c]
    assert route and route[0] < checks[0], f"{ex.notebook}: {ex.route!r} not above the check"
    # the answer cell right above the check takes a plain value in either language
    answer_cells = [c for c in cells[: checks[0]] if c.lstrip().startswith("answer = None")]
    assert answer_cells, name


def test_lessons_check_their_exercises_in_order():
    """The lesson's headings number the exercises; the feedback says the same number."""
    for nb in dict.fromkeys(e.notebook for e in exercises.EXERCISES.values()):
        text = "\n".join(_code_cells(nb))
        found = [n for n in exercises.EXERCISES if f'exercises.check("{n}"' in text]
        found.sort(key=lambda n: text.index(f'exercises.check("{n}"'))
        assert found == [e.name for e in exercises.exercises_for(nb)], nb


def test_answer_cells_say_your_answer_in_the_lesson_language():
    import importlib.util

    spec = importlib.util.spec_from_file_location("nb_build", ROOT / "notebooks" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    want = {"en": "# your answer", "ru": "# ваш ответ"}
    for source in build.sources():
        for lang in LANGS:
            cells = [c.source for c in build.cells_for(source, lang).cells
                     if c.cell_type == "code" and c.source.startswith("answer = None")]
            assert cells and all(want[lang] in c for c in cells), (source.name, lang)


# ---------------------------------------------------------------------------------------------
# feedback for people: forms of labels, months, typical mistakes
# ---------------------------------------------------------------------------------------------


def test_plural_and_case_forms_of_labels_are_accepted_but_not_other_words(ctx):
    ladder = exercises.class_choices("ladder")
    for answer, cid in [("постоянные покупатели", "regular"), ("Постоянных покупателей", "regular"),
                        ("покупатели", "buyer"), ("клиенты", "client"), ("приверженцы", "advocate"),
                        ("потенциальные клиенты", "potential"), ("Regular buyers", "regular"),
                        ("clients", "client")]:  # fmt: skip
        assert ladder.match(answer) == cid, answer
    # not a stemmer: a word that is no form of a label names nothing
    for answer in ("постоянный", "покупка", "покупай", "клиентура", "regulars buyer x", "fan"):
        assert ladder.match(answer) is None, answer
    # a plural is right or wrong as its class is
    want = exercises.expected("quickstart_top_rung", facts=ctx["facts"])
    plural = {"regular": "постоянные покупатели", "buyer": "покупатели", "client": "клиенты",
              "advocate": "приверженцы", "potential": "потенциальные клиенты"}  # fmt: skip
    for cid, answer in plural.items():
        fb = exercises.evaluate("quickstart_top_rung", answer, facts=ctx["facts"], lang="ru")
        assert fb.ok == (cid in want), (answer, fb.message)


def test_no_label_form_is_shared_by_two_classes():
    """Forms two classes would share are dropped, so a form never names the wrong class: every
    label still names its own class."""
    for name in frameworks.builtin_names():
        choices = exercises.class_choices(name)
        for lang in LANGS:
            for cid, label in choices.labels(lang).items():
                assert choices.match(label) == cid, (name, label)


def test_unknown_class_lists_the_labels_in_the_lesson_language(ctx):
    fb = exercises.evaluate("quickstart_top_rung", "кто-то", facts=ctx["facts"], lang="ru")
    labels = list(exercises.class_choices("ladder").labels("ru").values())
    expected_line = f"ответа «кто-то» нет среди ступеней лестницы: {', '.join(labels)}."
    assert expected_line in fb.message
    assert "advocate" not in fb.message and "regular" not in fb.message


def test_another_frameworks_class_is_named(ctx):
    """«поклонник» is a lifecycle class, not a rung: the feedback says so."""
    fan = next(r["label"] for r in frameworks.load("lifecycle").describe("ru") if r["id"] == "fan")
    fb = exercises.evaluate("quickstart_top_rung", fan, facts=ctx["facts"], lang="ru")
    assert fb.status == "wrong" and fb.mistake == "other_framework"
    assert exercises.framework_title("lifecycle", "ru") in fb.message
    assert exercises.class_choices("ladder").labels("ru")["regular"] in fb.message


@pytest.mark.parametrize("spelling", ["{m:02d}.{y}", "{m}.{y}", "{y}-{m:02d}", "{ru_full} {y}",
                                      "{ru_short} {y}", "{ru_short}. {y}", "{en_short} {y}",
                                      "{en_full} {y}", "{ru_gen} {y} г.", "{m:02d}/{y}"])
def test_months_in_the_ways_people_write_them(spelling, ctx):
    month = sorted(exercises.expected("lifecycle_fan_month", snaps=ctx["snaps"]))[0]
    ru_full = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
               "октябрь", "ноябрь", "декабрь"][month.month - 1]  # fmt: skip
    ru_gen = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
              "сентября", "октября", "ноября", "декабря"][month.month - 1]  # fmt: skip
    text = spelling.format(m=month.month, y=month.year, ru_full=ru_full, ru_short=ru_full[:3],
                           en_short=month.strftime("%b"), en_full=month.strftime("%B"),
                           ru_gen=ru_gen)  # fmt: skip
    fb = exercises.evaluate("lifecycle_fan_month", text, snaps=ctx["snaps"], lang="ru")
    assert fb.ok, (text, fb.message)
    other = month + 1 if month + 1 not in exercises.expected("lifecycle_fan_month",
                                                           snaps=ctx["snaps"]) else month + 2
    bad = spelling.format(m=other.month, y=other.year, ru_full="x", ru_short="x", en_short="x",
                          en_full="x", ru_gen="x")  # fmt: skip
    if "x" not in bad:
        assert exercises.evaluate("lifecycle_fan_month", bad, snaps=ctx["snaps"]).status == "wrong"


def test_a_month_that_is_not_one_is_explained_without_python_words(ctx):
    fb = exercises.evaluate("lifecycle_fan_month", "весной", snaps=ctx["snaps"], lang="ru")
    assert fb.status == "wrong" and "запишите месяц как «10.2023»" in fb.message
    assert "str" not in fb.message.split("\n")[0]
    assert exercises.parse_month("13.2023") is None


def test_the_count_at_the_default_parameter_is_diagnosed(ctx):
    """The number of dormant customers at the lesson's own cycle (the parameter not changed) is
    recognised, from the data: pandas on the framework's output with no parameter."""
    default = frameworks.classify(ctx["facts"], "lifecycle").to_pandas()
    n = int((default["class"] == "dormant").sum())
    right = exercises.expected("lifecycle_dormant_60", facts=ctx["facts"])
    assert n != right
    fb = exercises.evaluate("lifecycle_dormant_60", n, facts=ctx["facts"], lang="ru")
    assert fb.status == "wrong" and fb.mistake == "default"
    assert "настройке по умолчанию" in fb.message
    fb = exercises.evaluate("lifecycle_dormant_60", n, facts=ctx["facts"], lang="en")
    assert "default setting" in fb.message
    # one more than the default is an ordinary wrong number
    assert exercises.evaluate("lifecycle_dormant_60", n + 1, facts=ctx["facts"]).mistake == ""


def test_the_share_instead_of_the_count_is_diagnosed(ctx):
    df = ctx["facts_df"]
    share = round(float((df["orders"] >= 1).mean()), 3)
    fb = exercises.evaluate("quickstart_buyers", share, facts=ctx["facts"], lang="ru")
    assert fb.status == "wrong" and fb.mistake == "share_for_count"
    assert "похоже на долю" in fb.message


def test_the_count_instead_of_the_share_is_diagnosed(ctx):
    ladder = frameworks.classify(ctx["facts"], "ladder").to_pandas()
    reached = int(ladder["class"].isin(["buyer", "regular", "advocate"]).sum())
    fb = exercises.evaluate("ladder_reached_buyer", reached, facts=ctx["facts"])
    assert fb.status == "wrong" and fb.mistake == "count_for_share"


def test_messages_name_no_python_types(ctx):
    for answer in (pd.Series([1, 2]), pd.DataFrame({"a": [1, 2]}), True, "много", [1, 2, 3]):
        fb = exercises.evaluate("quickstart_buyers", answer, facts=ctx["facts"], lang="ru")
        first = fb.message.split("\n")[0]
        for word in ("str", "Series", "DataFrame", "bool", "list", "ndarray", "int", "float"):
            assert word not in first, (answer, first)


def test_the_no_code_tables_hold_the_answer(ctx, lesson_vars):
    """Each table a lesson shows for the no-code route, read at the right cell, gives what the
    check expects."""
    from clientlib.btyd import BetaGeoModel, summary_from_facts
    from clientlib.exercises import l04_key_clients as l04
    from clientlib.exercises import l06_rfm as l06
    from clientlib.exercises import l07_kmeans as l07
    from clientlib.exercises import l08_rules_vs_clusters as l08
    from clientlib.exercises import l09_btyd as l09

    facts, lang = ctx["facts"], "ru"

    def want(name):
        return _want(name, ctx)

    t = exercises.sweep(facts, "value_tiers", "gold_share", [0.5, 0.8], "gold", lang)
    assert t.loc["0,5"].iloc[0] == want("key_gold_half")
    tiers = frameworks.classify(facts, "value_tiers", lang=lang).to_pandas()
    gold = exercises.class_choices("value_tiers").labels(lang)["gold"]
    assert l04.alerts_by_class(tiers, lang).loc[gold].iloc[1] == want("key_gold_alerts")
    t = exercises.sweep(facts, "qualification", "nurture_min", [3, 4], "nurture", lang)
    assert t.loc["4"].iloc[0] == want("qualification_nurture4")
    t = exercises.sweep(facts, "buyer_types", "hunter_min_discount_share", [0.5], "discount_hunter")
    assert t.loc["0.5"].iloc[0] == want("buyer_hunters_50")

    scored = segment.segment(facts, ["rfm"], lang=lang)[0]
    assert abs(l06.by_score(scored, "R", lang).loc[5].iloc[2] - want("rfm_r5_revenue")) < 0.001
    labels = exercises.class_choices("rfm").labels(lang)
    top = l06.spend_per_customer(scored, lang).index[0]
    assert top in {labels[c] for c in want("rfm_top_spend")}
    m5 = l06.score_crosstab(scored, "M", lang)
    at_risk = m5.loc[labels["at_risk"], 5] if labels["at_risk"] in m5.index else 0
    assert at_risk == want("rfm_at_risk_m5")

    assert l07.sizes_by_k(ctx["buyers"], [3]).loc[3].iloc[0] == want("kmeans_k3_largest")

    agree = l08.agreement_with_clusters(ctx["segments"], ctx["clusters"],
                                        ["lifecycle", "ladder"], lang)  # fmt: skip
    life = exercises.framework_title("lifecycle", lang)
    ladder = exercises.framework_title("ladder", lang)
    assert abs(agree.loc[life].iloc[0] - want("compare_lifecycle_kmeans")) < 0.001
    assert abs(agree.loc[ladder].iloc[2] - want("compare_ladder_cramers")) < 0.001
    best = l08.persona_ami_buyers(ctx["segments"], ctx["customers"], lang).index[0]
    assert best in {exercises.framework_title(n, lang) for n in want("compare_best_persona")}

    summary = summary_from_facts(ctx["facts_df"], "days")
    bg = BetaGeoModel(time_unit="days").fit(summary["frequency"], summary["recency"], summary["T"])
    summary["p_alive"] = bg.p_alive(summary["frequency"], summary["recency"], summary["T"])
    active = l09.active_by_threshold(summary, lang=lang)
    assert active.loc["0,8"].iloc[0] == want("btyd_active_08")


def test_lesson_10_routes_hold_the_answers(ctx):
    """Lesson 10's printed lines and CDNOW ranking, read as a participant reads them (Russian
    numbers), give what the checks compute from the raw rows."""
    import re
    import warnings

    from clientlib import backtest, messages

    def num(text):
        return float(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cd = backtest.run_backtest("cdnow_sample", cutoff="1997-09-30", lang="ru",
                                   params={"btyd": {"model": "bgnbd"}})  # as the lesson runs it
    came = cd.customers.drop_duplicates("customer_id")["bought"]  # as the lesson prints it
    line = messages.text("backtest.lesson_came_back", "ru",
                         n=messages.number(int(came.sum()), "ru"),
                         total=messages.number(len(came), "ru"),
                         share=messages.percent(came.mean(), "ru"))  # fmt: skip
    first = re.search(r"\d[\d\u00a0 ]*", line).group().strip()
    assert num(first) == _want("backtest_cdnow_came_back", ctx)

    ranking = backtest.ranking_view(cd, "ru", titles=True)
    row = ranking[ranking.iloc[:, 1] == exercises.framework_title("lifecycle", "ru")]
    gap = num(row[messages.text("backtest.col_repeat_gap", "ru")].iloc[0].rstrip("%")) / 100
    assert abs(gap - _want("backtest_lifecycle_gap", ctx)) <= 0.001

    observed, predicted = (num(v) for v in re.findall(
        r"совершено ([\d\u00a0 ,]+), прогноз ([\d\u00a0 ,]+)", cd.btyd_sentence("ru"))[0])
    shortfall = (observed - predicted) / observed
    assert abs(shortfall - _want("backtest_bgnbd_shortfall", ctx)) <= 0.001


def test_lesson_10_typical_mistakes_are_diagnosed(ctx):
    """Rows instead of customers, the cutoff day counted in, a gap of one class, the shortfall
    divided by the forecast: each named, from a pandas computation of its own."""
    cdnow = ctx["cdnow"]
    day = pd.to_datetime(cdnow["date"])
    held = cdnow[(day > "1997-09-30") & (day <= "1998-06-30")]
    from_cutoff = cdnow[(day >= "1997-09-30") & (day <= "1998-06-30")]["customer_id"].nunique()
    for answer, kind in ((len(held), "purchases_for_customers"), (from_cutoff, "cutoff_included")):
        fb = exercises.evaluate("backtest_cdnow_came_back", answer, cdnow=cdnow, lang="ru")
        assert fb.status == "wrong" and fb.mistake == kind, (answer, fb.message)
    want = _want("backtest_lifecycle_gap", ctx)
    fb = exercises.evaluate("backtest_lifecycle_gap", round(want * 100, 1), cdnow=cdnow)
    assert fb.mistake == "percent"
    short = _want("backtest_bgnbd_shortfall", ctx)  # (o - p) / o, so (o - p) / p = s / (1 - s)
    fb = exercises.evaluate("backtest_bgnbd_shortfall", short / (1 - short), cdnow=cdnow)
    assert fb.mistake == "divided_by_forecast", fb.message
    fb = exercises.evaluate("backtest_bgnbd_shortfall", -short, cdnow=cdnow, lang="ru")
    assert fb.mistake == "forecast_minus_observed" and "прогноз минус факт" in fb.message


@pytest.mark.parametrize("name", CLOSED)
def test_the_code_in_the_hint_is_python_on_one_line(name):
    """The feedback writes the key's code on one line: statements joined by '; ', a line that
    continues a statement joined to it, so a participant can paste it."""
    ex = exercises.EXERCISES[name]
    line = exercises.hint_text(ex, "en").splitlines()[-1]
    prefix = "With code: "
    assert prefix in line, line
    compile(line.split(prefix, 1)[1], name, "exec")
