"""What a Russian reader sees, scanned for the defects of the language review (ux-2026-12-07 §6).

Three places a person reads Russian:

* the built Russian lessons (``notebooks/ru/*.ipynb``): Markdown prose without code, and the
  outputs of the code cells (printed lines and tables);
* a Russian report of the workshop shop, rendered once for this module;
* the Russian site's own pages (home, lesson index, one page per rulebook), as the site builder
  stages them (the lesson pages are the notebooks above; the API pages are English by design).

Each text is checked for ISO dates (``2025-01-01``: Russian dates are ``01.01.2025``), Python's
``True``/``False``/``NaN``/``None`` (``да``/``нет`` and ``—`` are written instead), English number
formats (``1,175.05``, ``0.21``) and the words of a short deny-list (four words for "framework",
verbs as class labels, the phrases the review quoted).

Exercise prompts and the exercise feedback belong to ``clientlib.exercises`` and its own tests:
they are left out here (``_exercise_cell``), so that this test speaks only of the lesson text.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import _text
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks" / "ru").glob("[0-9][0-9]_*.ipynb"))

#: Words and phrases the review found and corrected (§6) and that must not come back.
DENY = (
    "фреймворк",  # one word for "framework": «классификация» (§6.13)
    "разметк",  # ML jargon for a classification (§6.12)
    "Тип пока не определить",  # §6.1
    "Стандарт быстро",  # §6.2
    "не знает как применить",  # §6.3 (the comma)
    "«дозреть»",  # §6.4: a verb as a class label
    "«отложить в базу»",
    "Новые новички",  # §6.5
    "Средний заказ",  # §6.15: «средний чек»
    "тесты R rfm",  # §6.11
    "справка R rfm",
    "Проанализировано клиентов:",  # §6.7
    "Отложено строк",  # §6.10
    "выбери два",  # §6.14: one form of the title
    "преданный поклонник",  # §6.16: one label per persona
    "ещё не купивший",
)
ISO_DATE = re.compile(r"(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])")
PYTHON_VALUES = re.compile(r"\b(True|False|NaN|nan|None|NaT)\b")
# English grouping: "1,175.05" or "2,431,282" (a Russian "0,483" is a decimal, not a group)
EN_THOUSANDS = re.compile(r"\d,\d{3}\.\d|\d,\d{3},\d{3}")
EN_DECIMAL = re.compile(r"\d\.\d")
# product versions are not decimals: "Python 3.11", "Ubuntu 20.04", "glibc 2.28"
VERSIONS = re.compile(
    r"\b(?:Python|Ubuntu|Debian|glibc|macOS|Windows|Java|JupyterLab|pip)\s+\d+(?:\.\d+)+")
RU_DATES = re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b|\b\d{2}\.\d{4}\b")  # 01.01.2025, 03.2024


def defects(text: str) -> list[str]:
    """Every defect in ``text`` (already without code), each with a little context."""
    found = []

    def context(m: re.Match[str]) -> str:
        return text[max(0, m.start() - 40): m.end() + 20].replace("\n", " ")

    for pattern in (ISO_DATE, PYTHON_VALUES, EN_THOUSANDS):
        found += [context(m) for m in pattern.finditer(text)]
    undated = VERSIONS.sub("", RU_DATES.sub("", text))
    found += [undated[max(0, m.start() - 40): m.end() + 20].replace("\n", " ")
              for m in EN_DECIMAL.finditer(undated)]  # fmt: skip
    lowered = text.casefold()
    found += [word for word in DENY if word.casefold() in lowered]
    return found


def test_the_scanner_finds_each_kind_of_defect():
    assert defects("дата анализа 01.01.2025, месяц 03.2024, сумма 1 175,05; да; —") == []
    assert defects("доли 0,483 и −0,250; 2\u00a0043,097") == []  # Russian decimals
    assert defects("Python 3.11, Ubuntu 20.04") == [] and defects("или 3.12") != []
    for bad in ("дата 2025-01-01", "True", "NaN", "1,175.05", "2,431,282", "0.21",
                "Все фреймворки",
                "«дозреть»", "Средний заказ"):
        assert defects(bad), bad


# ---------------------------------------------------------------------------------------------
# the lessons


_FENCED = re.compile(r"```.*?```", flags=re.S)
_INLINE = re.compile(r"`[^`]*`")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")


def prose(markdown: str) -> str:
    """Markdown as read: no code blocks, no code spans, no link targets."""
    return _INLINE.sub(" ", _FENCED.sub(" ", _LINK_TARGET.sub("]", markdown)))


def _exercise_cell(nb: nbformat.NotebookNode, i: int) -> bool:
    """An exercise prompt, answer or check cell (owned by clientlib.exercises)."""
    cell = nb.cells[i]
    if cell.cell_type == "markdown":
        return bool(re.match(r"#+ (Упражнение|Exercise)", cell.source.lstrip()))
    return "exercises.check(" in cell.source or cell.source.lstrip().startswith("answer =")


def lesson_text(nb: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(cell index, text a person reads) of every Markdown cell and every code output."""
    out = []
    for i, cell in enumerate(nb.cells):
        if _exercise_cell(nb, i):
            continue
        if cell.cell_type == "markdown":
            out.append((i, prose(cell.source)))
            continue
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                out.append((i, o.get("text", "")))
            elif "text/plain" in o.get("data", {}) and "image/png" not in o["data"]:
                # (a figure's text/plain is the "<Figure size …>" nobody sees beside the image)
                out.append((i, str(o["data"]["text/plain"])))
    return out


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_russian_lesson_reads_as_russian(path):
    nb = nbformat.read(path, as_version=4)
    found = [(i, d) for i, text in lesson_text(nb) for d in defects(text)]
    assert not found, found[:10]


# ---------------------------------------------------------------------------------------------
# the report


def visible_text(page: str) -> str:
    """Text a browser shows in <body>, without <code>, <pre>, <style> and <script>."""
    return _text.visible_text(page, _text.HIDDEN | {"pre"}, sep="\n")


@pytest.fixture(scope="module")
def russian_report(tmp_path_factory) -> str:
    from clientlib.reports.render import render_report

    out = tmp_path_factory.mktemp("report_ru") / "workshop.html"
    result = render_report({"lang": "ru"}, out)
    return result.html.read_text(encoding="utf-8")


@pytest.mark.slow
def test_russian_report_reads_as_russian(russian_report):
    text = visible_text(russian_report)
    assert "Что делать на этой неделе" in text
    found = defects(text)
    assert not found, found[:10]


# ---------------------------------------------------------------------------------------------
# the site


@pytest.fixture(scope="module")
def site_pages(tmp_path_factory) -> dict[str, str]:
    """The Russian site's own pages as the builder stages them (before Sphinx)."""
    spec = importlib.util.spec_from_file_location("clientlib_site_build_scan",
                                                  ROOT / "docs" / "site" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    files = module.stage("ru", tmp_path_factory.mktemp("site_ru"))
    return {name: text for name, text in files.items()
            if name.endswith(".md") and name != "contracts.md"}  # fmt: skip


def _framework_prose(page: str) -> str:
    # English on purpose: the label column «по-английски»; English until the rulebooks carry
    # Russian comments (review S2), and marked «на английском» on the page: the notes (quoted
    # lines) and the parameters' meaning column. The rest is Russian.
    lines = []
    for line in prose(page).splitlines():
        if line.startswith(">"):
            continue
        if line.startswith("|") and line.count("|") >= 7:
            cells = line.split("|")
            del cells[4]
            line = "|".join(cells)
        elif line.startswith("|") and line.count("|") == 4:
            line = "|".join(line.split("|")[:3])
        lines.append(line)
    return "\n".join(lines)


def test_russian_site_pages_read_as_russian(site_pages):
    assert any(name.startswith("frameworks/") for name in site_pages)
    found = {}
    for name, text in site_pages.items():
        seen = defects(_framework_prose(text) if name.startswith("frameworks/") else prose(text))
        if seen:
            found[name] = seen[:5]
    assert not found, found


def test_russian_site_words_use_one_term_for_framework():
    from clientlib import yamlio

    words = yamlio.load((ROOT / "docs" / "site" / "messages.yaml").read_text(encoding="utf-8"),
                        origin="messages.yaml")
    found = {key: defects(str(entry["ru"])) for key, entry in words.items()}
    assert not {k: v for k, v in found.items() if v}
