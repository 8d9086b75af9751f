"""The printables (``clientlib printables``): a cheat-sheet per framework, a handout per lesson.

Oracles, read independently of ``clientlib.printables``: the rulebook YAML through
``yaml.safe_load`` (classes in order, labels, actions, parameter values), the lesson sources read
line by line here (exercise headings and ``exercises.check`` ids), and Chromium's own PDF
(pages counted by ``pdfinfo`` when poppler is installed, else from the PDF's page objects).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from _cli import run_cli

from clientlib import frameworks, printables

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("en", "ru")
NAMES = frameworks.builtin_names()


class _Sheet(HTMLParser):
    """Rows of a cheat-sheet (class id -> cells) and the handout's blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[str, list[str]]] = []
        self.frameworks: list[str] = []
        self.exercises = 0
        self._cell: list[str] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and a.get("data-class"):
            self.rows.append((a["data-class"], []))
        if tag == "td" and self.rows:
            self._cell = []
        if a.get("data-framework"):
            self.frameworks.append(a["data-framework"])
        if tag == "div" and a.get("class") == "ex":
            self.exercises += 1

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[-1][1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        self.text.append(data)


def _parse(html: str) -> _Sheet:
    page = _Sheet()
    page.feed(html)
    return page


def _book(name: str) -> dict:
    return yaml.safe_load(frameworks.rulebook_text(name))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", NAMES)
def test_cheat_sheet_lists_the_rulebook_classes_labels_and_actions_in_order(name, lang):
    book = _book(name)
    page = _parse(printables.cheat_sheet(name, lang))
    assert [cid for cid, _ in page.rows] == [c["id"] for c in book["classes"]]
    for (_, cells), cls in zip(page.rows, book["classes"], strict=True):
        label, rule, action = cells
        assert label.endswith(" ".join(cls["label"][lang].split()))  # after its number
        assert action == " ".join(cls["action"][lang].split())
        assert rule
    assert book["title"][lang] in "".join(page.text)


# Operators and the rule language's own words; in Russian the English connectives too.
_RAW = re.compile(r">=|<=|==|!=|[<>]|\bcount_true\b|\bis_null\b|\bnot_null\b")
_RAW_RU = re.compile(r"\b(and|or|not|true|false|null)\b")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", NAMES)
def test_rules_are_words_with_the_rulebook_values(name, lang):
    book = _book(name)
    params = book.get("params") or {}
    identifiers = {key for key in params} | {
        word for cls in book["classes"] if cls.get("when")
        for word in re.findall(r"[a-z]+_[a-z_]+", cls["when"])}
    sheet = printables.framework_sheet(name, lang)
    for row, cls in zip(sheet["classes"], book["classes"], strict=True):
        rule = row["rule"]
        assert not _RAW.search(rule), (name, lang, rule)
        if lang == "ru":
            assert not _RAW_RU.search(rule), (name, rule)
        assert not [w for w in identifiers if w in rule], (name, lang, rule)  # no column names
        # every whole-number parameter the rule uses appears with its value
        for key, value in params.items():
            if cls.get("when") and re.search(rf"\b{key}\b", cls["when"]) \
                    and isinstance(value, int) and not isinstance(value, bool):
                assert re.search(rf"\b{value}\b", rule), (name, key, rule)
            if cls.get("when") and re.search(rf"\b{key}\b", cls["when"]) \
                    and isinstance(value, float) and "+" not in cls["when"]:
                assert f"{round(value * 100)}" in rule, (name, key, rule)


def test_rule_words_examples_read_as_sentences():
    assert printables.rule_words("orders >= fan_min_orders", {"fan_min_orders": 5}, "en") \
        == "paid orders at least 5"
    assert printables.rule_words("R >= 2 and R <= 3 and F == 1", {}, "ru") \
        == "R от 2 до 3 и F ровно 1"
    # two parameters added up are printed as their sum (value tiers: gold + silver share)
    assert "95" in printables.rule_words("revenue_share_before < a + b", {"a": 0.8, "b": 0.15},
                                         "en")
    assert printables.rule_words("does_in_house and not had_problems", {}, "ru") \
        == "делает своими силами и проблем не было"


def test_one_rfm_map_is_recommended_and_the_others_are_alternatives():
    rfm_maps = [n for n in NAMES if n.startswith("rfm")]
    assert printables.RECOMMENDED_RFM in rfm_maps and len(rfm_maps) == 3
    assert _book(printables.RECOMMENDED_RFM).get("in_all", True) is True  # what `all` runs
    for name in rfm_maps:
        badge = printables.framework_sheet(name, "ru")["badge"]
        assert (badge == "Рекомендуемая карта RFM") == (name == printables.RECOMMENDED_RFM)


def _src_exercises(path: Path, lang: str) -> tuple[list[str], list[str]]:
    text = path.read_text(encoding="utf-8")
    word = {"en": "Exercise", "ru": "Упражнение"}[lang]
    headings, current = [], None
    for line in text.splitlines():
        if line.startswith("# %%"):
            current = f'lang="{lang}"' in line
        elif current and line.startswith(f"# ### {word}"):
            headings.append(line[6:].strip())
    return headings, re.findall(r'exercises\.check\(\s*"(\w+)"', text)


@pytest.mark.parametrize("lang", LANGS)
def test_handouts_carry_each_lesson_s_exercises_and_frameworks(lang):
    sources = printables.lesson_sources(ROOT)
    assert len(sources) >= 9
    for path in sources:
        headings, checks = _src_exercises(path, lang)
        lesson = printables.read_lesson(path, lang)
        assert [e.title for e in lesson.exercises] == headings, path.name
        assert [e.check for e in lesson.exercises] == checks[: len(headings)]
        assert lesson.decision, path.name
        page = _parse(printables.handout(lesson))
        assert page.exercises == len(headings)
        assert page.frameworks == lesson.frameworks
        for name in lesson.frameworks:
            assert f'"{name}"' in path.read_text(encoding="utf-8")


def _pages(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                             check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", out, re.M)[1])
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))


@pytest.mark.slow
@pytest.mark.skipif(printables.chromium() is None,
                    reason="Chromium is not installed (apt-get install -y chromium)")
def test_every_printable_is_one_a4_page_in_chromium(tmp_path):
    written = printables.write_printables(tmp_path, pdf=True, root=ROOT)
    pdfs = [p for p in written if p.suffix == ".pdf"]
    expected = len(NAMES) + len(printables.lesson_sources(ROOT))
    assert len(pdfs) == 2 * expected
    over = {p.relative_to(tmp_path).as_posix(): _pages(p) for p in pdfs if _pages(p) != 1}
    assert over == {}
    if shutil.which("pdfinfo"):  # A4 is 595 x 842 points
        out = subprocess.run(["pdfinfo", str(pdfs[0])], capture_output=True, text=True).stdout
        w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", out).groups())
        assert abs(w - 595.3) < 2 and abs(h - 841.9) < 2


def test_cli_writes_one_language_and_refuses_a_bad_one(tmp_path, monkeypatch, capsys):
    code, out, err = run_cli(["printables", "-o", tmp_path / "p", "--lang", "ru"],
                             monkeypatch, capsys)
    assert code == 0, err
    ru = tmp_path / "p" / "ru"
    assert {p.name for p in ru.glob("cheatsheet-*.html")} == {
        f"cheatsheet-{n}.html" for n in NAMES}
    assert not (tmp_path / "p" / "en").exists()
    assert "записан" in out  # the summary line in the language asked for
    code, out, err = run_cli(["printables", "-o", tmp_path / "q", "--lang", "de"],
                             monkeypatch, capsys)
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "q").exists()


def test_pdf_is_skipped_with_a_message_without_chromium(tmp_path, monkeypatch):
    monkeypatch.setattr(printables, "chromium", lambda: None)
    lines: list[str] = []
    written = printables.write_printables(tmp_path, langs=["en"], pdf=True, say=lines.append)
    assert not [p for p in written if p.suffix == ".pdf"]
    assert any("Chromium is not installed" in line for line in lines)


_SEEDS = Path(os.environ.get("CLIENTLIB_SEEDS", "/work/shared/seeds"))


@pytest.mark.skipif(not _SEEDS.is_dir(), reason="the seed articles are not on this machine "
                    "(set CLIENTLIB_SEEDS to their folder)")
def test_source_titles_are_the_seed_articles_own_headers():
    """A title quoted in «» is a line of its seed file; the others quote its opening words."""
    for seed, names in printables.SOURCES.items():
        text = (_SEEDS / seed).read_text(encoding="utf-8")
        quoted = re.findall(r"«([^»]+)»", names["ru"])
        assert quoted, seed
        for q in quoted:
            q = q.rstrip("…")
            assert q in text, (seed, q)
    for section in printables.SECTIONS.values():
        q = re.findall(r"«([^»]+)»", section)[0]
        assert q in (_SEEDS / "001_53738e0469654376.txt").read_text(encoding="utf-8")


# -- the trainer's guide (docs/trainer/build.py) --------------------------------------------

_GUIDE = ROOT / "docs" / "trainer"


def _guide_builder():
    import importlib.util

    spec = importlib.util.spec_from_file_location("trainer_guide_build", _GUIDE / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_trainer_guide_answers_match_an_independent_count_on_the_workshop_data():
    """440 / 461 / 21 and the purchase-cycle answer, recounted here with pandas from the facts."""
    from clientlib import lessons
    from clientlib.features import customer_facts

    inputs = lessons.load_inputs(None, None, None, seed=0, n_customers=2000)
    df = customer_facts(inputs.transactions, inputs.events, inputs.customers).to_pandas()
    no_order = int((df["orders"] == 0).sum())
    unscored = int(((df["orders"] == 0) | (df["total_spend"] <= 0)).sum())
    netted = unscored - no_order
    q = _guide_builder().workshop_numbers()
    assert (q["life_non_buyers"], q["rfm_non_buyers"], q["netted"]) == (no_order, unscored, netted)
    # the dormant counts: bought, silent longer than the cycle, and not a returnee
    returnee = (df["orders"] >= 1) & (df["complaints_since_last_purchase"] >= 1)
    for days, key in ((90, "dormant_90"), (q["cycle"], "dormant_auto")):
        asleep = (df["orders"] >= 1) & (df["recency_days"] > days) & ~returnee
        assert q[key] == int(asleep.sum()), key
    guide = (_GUIDE / "guide.ru.md").read_text(encoding="utf-8")
    assert f"{no_order} + {netted} = {unscored}" in guide
    assert f"{no_order} + {netted} = {unscored}" in (_GUIDE / "guide.md").read_text(
        encoding="utf-8")


def test_trainer_guide_minutes_follow_the_stated_rule():
    build = _guide_builder()
    # 3 min per 100 words + 7 per closed + 12 per open exercise, rounded up to 5 (by hand)
    assert build.minutes(1014, 3, 1) == 65  # 30.42 + 21 + 12 = 63.42
    assert build.minutes(1000, 0, 0) == 30 and build.minutes(1001, 0, 0) == 35
    found = build.lessons()
    for number, item in found.items():
        path = next(p for p in printables.lesson_sources(ROOT) if p.stem.startswith(number))
        headings, _ = _src_exercises(path, "en")
        assert item["closed"] + item["open"] == len(headings)


@pytest.mark.slow
def test_committed_trainer_guides_are_up_to_date():
    # in its own process, as a trainer runs it: other tests set process-wide state (the lesson
    # language, pandas' display options) that the guide's computed numbers must not depend on
    import sys

    done = subprocess.run([sys.executable, str(ROOT / "docs" / "trainer" / "build.py"), "--check"],
                          capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr + "\nrun python docs/trainer/build.py"
