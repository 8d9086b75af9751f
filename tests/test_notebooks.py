"""Teaching lessons: one source, two languages, parameters, portability, exercises with checks.

The outputs themselves are compared by nbval (``make test``)::

    pytest --nbval notebooks/en notebooks/ru --nbval-sanitize-with notebooks/nbval_sanitize.cfg
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import nbformat
import pytest

from clientlib import exercises

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = ROOT / "notebooks"
SOURCES = sorted((NOTEBOOKS_DIR / "src").glob("[0-9][0-9]_*.py"))
STEMS = [p.stem for p in SOURCES]
LANGS = ("en", "ru")
BUILT = [NOTEBOOKS_DIR / lang / f"{stem}.ipynb" for stem in STEMS for lang in LANGS]
BUILT_IDS = [f"{p.parent.name}/{p.stem}" for p in BUILT]
ABSOLUTE = re.compile(r"(?<![\w.])/(work|tmp|root|home|Users)/")
PARAMETERS = (
    "lang",
    "data",
    "mapping",
    "analysis_date",
    "returns",
    "duplicates",
    "zero_amount",
    "sep",
    "encoding",
    "date_format",
    "dayfirst",
    "decimal",
    "seed",
    "n_customers",
)


def _build_module():
    pytest.importorskip("jupytext")
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS_DIR / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("notebooks_build", module)
    spec.loader.exec_module(module)
    return module


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _code(nb: nbformat.NotebookNode, injected: bool = True) -> list[nbformat.NotebookNode]:
    return [
        c
        for c in nb.cells
        if c.cell_type == "code"
        and (injected or "injected-parameters" not in c.metadata.get("tags", []))
    ]


def test_every_source_is_built_in_both_languages_and_nothing_else():
    assert STEMS[:4] == ["01_quickstart", "02_lifecycle", "03_loyalty_ladder", "04_key_clients"]
    for lang in LANGS:
        built = sorted(p.stem for p in (NOTEBOOKS_DIR / lang).glob("*.ipynb"))
        assert built == STEMS, f"notebooks/{lang} does not match notebooks/src"
    assert not list(NOTEBOOKS_DIR.glob("*.ipynb")), "old notebooks left at notebooks/*.ipynb"


def _same(source: str) -> str:
    # the exercise placeholder says "# your answer" / "# ваш ответ": its comment is the language's
    return re.sub(r"(?m)^(answer = None)\s*#.*$", r"\1", source)


@pytest.mark.parametrize("stem", STEMS)
def test_code_cells_are_identical_in_both_languages(stem):
    """Same code in both languages; the one difference is the language line of the parameters
    cell (written there, not injected: papermill would drop an injected cell when a learner
    passes their own parameters, and the Russian lesson would run in English)."""
    en = _code(_read(NOTEBOOKS_DIR / "en" / f"{stem}.ipynb"))
    ru = _code(_read(NOTEBOOKS_DIR / "ru" / f"{stem}.ipynb"))
    assert len(en) == len(ru)
    assert en[0].source.replace('lang = "en"', 'lang = "ru"', 1) == ru[0].source
    assert [_same(c.source) for c in en[1:]] == [_same(c.source) for c in ru[1:]]
    for nb in (en, ru):
        assert not [c for c in nb if "injected-parameters" in c.metadata.get("tags", [])]


@pytest.mark.parametrize("stem", STEMS)
def test_markdown_differs_between_languages_when_the_source_has_both(stem):
    text = (NOTEBOOKS_DIR / "src" / f"{stem}.py").read_text(encoding="utf-8")
    if 'lang="ru"' not in text:
        pytest.skip("English-only source")
    en = [c.source for c in _read(NOTEBOOKS_DIR / "en" / f"{stem}.ipynb").cells
          if c.cell_type == "markdown"]  # fmt: skip
    ru = [c.source for c in _read(NOTEBOOKS_DIR / "ru" / f"{stem}.ipynb").cells
          if c.cell_type == "markdown"]  # fmt: skip
    cyrillic = sum(len(re.findall("[а-яё]", s, flags=re.I)) for s in ru)
    latin_en = sum(len(re.findall("[a-z]", s, flags=re.I)) for s in en)
    assert cyrillic > 0.5 * latin_en, "the Russian notebook's prose is mostly not Russian"
    assert not any(re.search("[а-яё]{4,}", s, flags=re.I) and len(s) > 400 for s in en[1:]), (
        "a long Russian cell in the English notebook (missing lang=?)"
    )


@pytest.mark.parametrize("path", BUILT, ids=BUILT_IDS)
def test_built_notebook_is_up_to_date_with_its_source(path):
    build = _build_module()
    fresh = build.cells_for(NOTEBOOKS_DIR / "src" / f"{path.stem}.py", path.parent.name)
    committed = _read(path)
    kept = [c for c in committed.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    assert [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in kept] == [
        (c.cell_type, c.source, c.metadata.get("tags", [])) for c in fresh.cells
    ], f"{path.parent.name}/{path.name} is stale: run `make notebooks LESSON={path.stem[:2]}`"


def test_live_controls_are_not_compared_by_nbval():
    """Outside Jupyter a slider's first drawing lands in the cell's outputs (nbval has no widget
    manager, papermill has), so the cell runs under nbval but its outputs are not compared."""
    for source in SOURCES:
        nb = _build_module().cells_for(source, "en")
        for cell in nb.cells:
            if cell.cell_type == "code" and "lessons.explore(" in cell.source:
                assert "nbval-ignore-output" in cell.metadata.get("tags", []), source.name


@pytest.mark.parametrize("path", BUILT, ids=BUILT_IDS)
def test_first_code_cell_is_the_parameters_cell(path):
    first = _code(_read(path))[0]
    assert "parameters" in first.metadata.get("tags", [])
    for name in PARAMETERS:
        assert re.search(rf"^{name} = ", first.source, flags=re.M), f"no parameter {name}"
    assert re.search(rf'^lang = "{path.parent.name}"', first.source, flags=re.M)
    assert re.search(r"^data = None", first.source, flags=re.M)


@pytest.mark.parametrize("path", BUILT, ids=BUILT_IDS)
def test_no_absolute_paths_in_sources_or_outputs(path):
    text = path.read_text(encoding="utf-8")
    hits = sorted(set(m.group(0) for m in ABSOLUTE.finditer(text)))
    assert not hits, f"{path.name} mentions absolute paths {hits}"


@pytest.mark.parametrize("path", BUILT, ids=BUILT_IDS)
def test_committed_executed_without_errors_or_warnings_or_volatile_metadata(path):
    nb = _read(path)
    assert "papermill" not in nb.metadata and "widgets" not in nb.metadata
    for cell in _code(nb):
        assert cell.execution_count is not None, f"{path.name}: a cell was not executed"
        assert "execution" not in cell.metadata and "papermill" not in cell.metadata
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{path.name}: {out.get('ename')}"
            assert not (out.output_type == "stream" and out.name == "stderr"), (
                f"{path.name}: stderr output {out.text[:200]!r}"
            )


@pytest.mark.parametrize("path", BUILT, ids=BUILT_IDS)
def test_exercises_have_a_placeholder_and_a_check_cell(path):
    cells = _code(_read(path))
    unanswered = {"en": "not answered yet", "ru": "ответа пока нет"}[path.parent.name]
    checked = []
    for i, cell in enumerate(cells):
        if cell.source.strip().startswith("answer = None"):
            assert i + 1 < len(cells), f"{path.name}: placeholder without a check cell"
            nxt = cells[i + 1].source
            m = re.search(r'exercises\.check\(\s*"(\w+)", answer', nxt)
            assert m, f"{path.name}: the cell after a placeholder must call exercises.check"
            assert "lang=lang" in nxt
            checked.append(m.group(1))
            # committed unanswered: the check says so instead of failing
            text = "".join(o.get("text", "") for o in cells[i + 1].get("outputs", []))
            assert unanswered in text
    assert len(checked) >= 2, f"{path.name}: {len(checked)} exercises"
    assert checked == [e.name for e in exercises.exercises_for(path.stem)]


@pytest.mark.parametrize("path", BUILT, ids=BUILT_IDS)
def test_exercise_prompts_are_markdown(path):
    nb = _read(path)
    word = {"en": "Exercise", "ru": "Упражнение"}[path.parent.name]
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.strip().startswith("answer = None"):
            prompt = nb.cells[i - 1]
            assert prompt.cell_type == "markdown"
            if 'lang="ru"' in (NOTEBOOKS_DIR / "src" / f"{path.stem}.py").read_text("utf-8"):
                assert word in prompt.source


def test_prose_rebuild_keeps_the_outputs_and_refuses_changed_code():
    build = _build_module()
    source = NOTEBOOKS_DIR / "src" / "03_loyalty_ladder.py"
    committed = _read(NOTEBOOKS_DIR / "ru" / "03_loyalty_ladder.ipynb")
    fresh = build.strip_volatile(build.with_outputs_of(build.cells_for(source, "ru"), committed))
    assert [(c.cell_type, c.source, c.get("outputs")) for c in fresh.cells] == [
        (c.cell_type, c.source, c.get("outputs")) for c in committed.cells
    ]
    edited = build.cells_for(source, "ru")
    next(c for c in edited.cells if c.cell_type == "code").source += "\nx = 1"
    with pytest.raises(SystemExit, match="code cells changed"):
        build.with_outputs_of(edited, committed)
