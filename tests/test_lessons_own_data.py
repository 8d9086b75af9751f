"""Every Russian lesson on a learner's own data, through papermill, as the lessons tell them to.

Two files made from the workshop shop in a temporary folder:

* a 1C-style export: Windows-1251, ``;``, dates ``31.12.2024``, decimal commas, Russian headers;
* a file where nobody bought twice (each customer's first order only).

Each lesson 01–09 (``ru``, built from its source without outputs) runs on both with papermill's
execution timeout: it must end without an error (a widget cell cannot hang: headless, no widget is
made), and on the second file the parts that need repeat buyers must say so in Russian. A third
check: a cp1251 file read without its options stops the lesson with one Russian line, no traceback.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from clientlib import messages

papermill = pytest.importorskip("papermill")
pytest.importorskip("jupytext")

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py"))
MAPPING = "customer_id=Клиент,timestamp=Дата,amount=Сумма"
OPTIONS = {"sep": ";", "decimal": ",", "dayfirst": True, "encoding": "cp1251"}
N_CUSTOMERS = 150  # small: 18 runs must stay within a few minutes of CI
TIMEOUT = 600  # papermill's --execution-timeout, as the lessons' own-data sections say

pytestmark = pytest.mark.slow


def _build():
    path = ROOT / "notebooks" / "build.py"
    spec = importlib.util.spec_from_file_location("notebooks_build", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("notebooks_build", module)
    spec.loader.exec_module(module)
    return module


def _export(tx: pd.DataFrame, path: Path) -> Path:
    """Orders as 1C writes them: Russian headers, cp1251, ``;``, dd.mm.yyyy, decimal commas."""
    out = pd.DataFrame({
        "Клиент": tx["customer_id"].astype(str),
        "Дата": pd.to_datetime(tx["timestamp"]).dt.strftime("%d.%m.%Y"),
        "Сумма": [f"{v:.2f}".replace(".", ",") for v in tx["amount"]],
    })
    out.to_csv(path, sep=";", index=False, encoding="cp1251")
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    from clientlib.datasets import load

    folder = tmp_path_factory.mktemp("own_data")
    tx = load("workshop", n_customers=N_CUSTOMERS, seed=0).transactions
    tx = tx[tx["amount"] > 0]
    first = tx.sort_values(["customer_id", "timestamp"]).groupby("customer_id").head(1)
    return {"1c": _export(tx, folder / "1c.csv"), "once": _export(first, folder / "once.csv")}


@pytest.fixture(scope="module")
def lessons_ru(tmp_path_factory) -> dict[str, Path]:
    """The Russian lessons as their sources say today (no outputs), not the committed builds."""
    build = _build()
    folder = tmp_path_factory.mktemp("lessons_ru")
    out = {}
    for src in SOURCES:
        path = folder / f"{src.stem}.ipynb"
        nbformat.write(build.cells_for(src, "ru"), path)
        out[src.stem] = path
    return out


def _run(notebook: Path, data: Path, out: Path, **extra) -> nbformat.NotebookNode:
    papermill.execute_notebook(
        str(notebook), str(out), kernel_name="clientlib", execution_timeout=TIMEOUT,
        parameters={"data": str(data), "mapping": MAPPING, **OPTIONS, **extra},
        cwd=str(notebook.parent), progress_bar=False,
    )  # fmt: skip
    return nbformat.read(out, as_version=4)


def _text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            parts.append(o.get("text", "") if o.get("output_type") == "stream" else "")
            parts.append(str(o.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def test_the_generated_files_are_what_a_1c_export_looks_like(files):
    raw = files["1c"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    head = raw.decode("cp1251").splitlines()
    assert head[0] == "Клиент;Дата;Сумма"
    assert re.fullmatch(r"[^;]+;\d{2}\.\d{2}\.\d{4};-?\d+,\d{2}", head[1])
    once = pd.read_csv(files["once"], sep=";", encoding="cp1251")
    assert once["Клиент"].is_unique and len(once) > 50


@pytest.mark.parametrize("stem", [s.stem for s in SOURCES])
def test_lesson_runs_to_the_end_on_a_1c_export_and_on_one_time_buyers(stem, files, lessons_ru,
                                                                      tmp_path):  # fmt: skip
    for kind in ("1c", "once"):
        nb = _run(lessons_ru[stem], files[kind], tmp_path / f"{kind}.ipynb")
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
        assert not errors, (stem, kind, errors[:1])
        text = _text(nb)
        assert "Traceback" not in text, (stem, kind)
        # no warning in English either: what does not apply is said in the lesson's words
        stderr = [o["text"] for c in nb.cells for o in c.get("outputs", [])
                  if o["output_type"] == "stream" and o.get("name") == "stderr"]  # fmt: skip
        assert not stderr, (stem, kind, stderr[:2])
        # the widget cells drew nothing: no widget model was created headless
        assert "application/vnd.jupyter.widget-view+json" not in nbformat.writes(nb), (stem, kind)
        if kind == "once" and stem.startswith(("02", "09")):
            # the parts that need repeat buyers say so, in Russian
            said = messages.text("lessons_ru.no_cycle", "ru")
            assert said in text, (stem, text[-2000:])
        if kind == "once" and stem.startswith("09"):
            assert messages.text("btyd.lesson_not_applicable", "ru", why="")[:20] in text
            assert "no repeat buyer" not in text  # the reason is Russian too


def test_an_undecidable_encoding_stops_with_one_russian_line(files, lessons_ru, tmp_path):
    # The 1C file itself now reads without its options (issue 23: its Russian letters decide
    # cp1251). The same rows under English headers with one Cyrillic letter cannot tell cp1251
    # from KOI8-R: the lesson stops with one line.
    rows = files["1c"].read_bytes().decode("cp1251").splitlines()[1:]
    bad = tmp_path / "one_letter.csv"
    last = "Я" + rows[-1][rows[-1].index(";") :]
    bad.write_bytes("\n".join(["customer_id;timestamp;amount", *rows[:-1], last]).encode("cp1251"))
    assert sum(not ch.isascii() for ch in bad.read_bytes().decode("cp1251")) == 1
    out = tmp_path / "bad.ipynb"
    with pytest.raises(papermill.PapermillExecutionError):
        papermill.execute_notebook(
            str(lessons_ru[SOURCES[0].stem]), str(out), kernel_name="clientlib",
            execution_timeout=TIMEOUT, parameters={"data": str(bad)},
            cwd=str(out.parent), progress_bar=False,
        )  # fmt: skip
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]  # no traceback shown
    lines = [line for o in outputs if o["output_type"] == "stream"
             for line in o["text"].splitlines() if line.startswith("Урок остановлен")]  # fmt: skip
    assert len(lines) == 1
    assert "cp1251" in lines[0] and "-p encoding cp1251" in lines[0]
    assert not re.search(r"[A-Za-z]{4,} [a-z]{3,} [a-z]{3,}", lines[0].replace("papermill", ""))
