"""Teaching notebooks: parameters, portability, exercises with checks, a Russian run.

The outputs themselves are compared by nbval (see notebooks/README.md)::

    pytest --nbval notebooks/ --nbval-sanitize-with notebooks/nbval_sanitize.cfg
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from clientlib import exercises

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]
ABSOLUTE = re.compile(r"(?<![\w.])/(work|tmp|root|home|Users)/")


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _code(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code"]


def test_the_eight_teaching_notebooks_exist():
    assert IDS == [
        "01_quickstart",
        "02_lifecycle",
        "03_loyalty_ladder",
        "04_key_clients",
        "05_qualification_buyers_awareness",
        "06_rfm",
        "07_kmeans",
        "08_rules_vs_clusters",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_first_code_cell_is_the_parameters_cell_with_lang(path):
    first = _code(_read(path))[0]
    assert "parameters" in first.metadata.get("tags", [])
    assert re.search(r'^lang = "en"', first.source, flags=re.M)
    assert re.search(r"^seed = \d+", first.source, flags=re.M)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_absolute_paths_in_sources_or_outputs(path):
    text = path.read_text(encoding="utf-8")
    hits = sorted(set(m.group(0) for m in ABSOLUTE.finditer(text)))
    assert not hits, f"{path.name} mentions absolute paths {hits}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_executed_without_errors_or_warnings(path):
    nb = _read(path)
    for cell in _code(nb):
        assert cell.execution_count is not None, f"{path.name}: a cell was not executed"
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{path.name}: {out.get('ename')}"
            assert not (out.output_type == "stream" and out.name == "stderr"), (
                f"{path.name}: stderr output {out.text[:200]!r}"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exercises_have_a_placeholder_and_a_check_cell(path):
    cells = _code(_read(path))
    checked = []
    for i, cell in enumerate(cells):
        if cell.source.strip().startswith("answer = None"):
            assert i + 1 < len(cells), f"{path.name}: placeholder without a check cell"
            nxt = cells[i + 1].source
            m = re.search(r'exercises\.check\("(\w+)", answer', nxt)
            assert m, f"{path.name}: the cell after a placeholder must call exercises.check"
            assert "lang=lang" in nxt
            checked.append(m.group(1))
            # committed unanswered: the check says so instead of failing
            text = "".join(o.get("text", "") for o in cells[i + 1].get("outputs", []))
            assert "not answered yet" in text
    assert 2 <= len(checked) <= 3, f"{path.name}: {len(checked)} exercises"
    assert checked == [e.name for e in exercises.exercises_for(path.stem)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exercise_prompts_are_markdown(path):
    nb = _read(path)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.strip().startswith("answer = None"):
            assert nb.cells[i - 1].cell_type == "markdown"
            assert "Exercise" in nb.cells[i - 1].source


def _kernel_name() -> str:
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    return "clientlib" if "clientlib" in specs else "python3"


@pytest.mark.slow
def test_papermill_switches_labels_to_russian(tmp_path):
    papermill = pytest.importorskip("papermill")
    out = tmp_path / "01_ru.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS_DIR / "01_quickstart.ipynb"),
        str(out),
        parameters={"lang": "ru", "n_customers": 500},
        kernel_name=_kernel_name(),
        cwd=str(NOTEBOOKS_DIR),
        progress_bar=False,
    )
    nb = _read(out)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and 'lang = "ru"' in injected[0].source
    text = "\n".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
        for c in _code(nb)
        for o in c.get("outputs", [])
    )
    for ru in ("поклонник", "постоянный покупатель", "ответа пока нет"):
        assert ru in text, f"{ru!r} not in the Russian run"
    assert "Regular buyer" not in text
