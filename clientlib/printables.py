"""Printables for a workshop: a one-page cheat-sheet per framework and a handout per lesson.

Both are generated, never typed: the cheat-sheets from the rulebooks
(``clientlib/frameworks/*.yaml``: title, classes in order, labels, rules, actions, parameters),
the handouts from the lesson sources (``notebooks/src/NN_*.py``: title, the decision the lesson
drives, the exercises' questions) and the rulebooks of the frameworks each lesson uses. Every
page is one A4 sheet of HTML with print CSS (Jinja2 templates in
``clientlib/templates/printables/``); :func:`print_pdf` turns it into PDF with headless
Chromium when it is installed.

A rule is printed in words, not as its expression: ``orders >= fan_min_orders`` becomes "paid
orders at least 3" / «оплаченных заказов не меньше 3» (:func:`rule_words`), with the
rulebook's default parameter values filled in.

Examples
--------
>>> rule_words("orders >= 1 and recency_days > 60", {}, "en")
'paid orders at least 1 and days since the last purchase more than 60'
>>> rule_words("R >= 3 and R <= 4 and F == 1", {}, "ru")
'R от 3 до 4 и F ровно 1'
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clientlib import messages
from clientlib.files import atomic_path
from clientlib.frameworks.language import Bin, Call, Lit, Name, Node, Unary, parse

__all__ = [
    "CHROMIUM",
    "Exercise",
    "Lesson",
    "RECOMMENDED_RFM",
    "cheat_sheet",
    "chromium",
    "framework_sheet",
    "handout",
    "lesson_sources",
    "print_pdf",
    "read_lesson",
    "rule_words",
    "source_title",
    "write_printables",
]

ROOT = Path(__file__).resolve().parents[1]
#: Where Debian puts Chromium (``apt-get install -y chromium``).
CHROMIUM = Path("/usr/bin/chromium")
#: The RFM map the workshop uses: the one ``segment all``, the report and lesson 06 run, and
#: the one checked against the R package's published result; the other two are alternatives.
RECOMMENDED_RFM = "rfm"
_RFM_MAPS = ("rfm", "rfm_r_docs", "rfm_simple")

#: Rulebook ``source`` values that are files of the seed articles, named by the article: the
#: title is the article's own header where it has one (first lines of the seed file), else its
#: opening words. ``docs/site`` shows the same names.
SOURCES: dict[str, dict[str, str]] = {
    "000_e9fda1dad7c3cb4c.txt": {
        "en": "an untitled Russian article on customer types by what they know, opening "
              "«Бизнеса без клиентов не бывает…»",
        "ru": "статья без заголовка о типах клиентов по их знанию о продукте, начинается словами "
              "«Бизнеса без клиентов не бывает…»"},
    "001_53738e0469654376.txt": {
        "en": "«Виды клиентов организации: ключевые клиенты» (\"Kinds of an organisation's "
              "customers: key clients\") and the articles collected with it",
        "ru": "«Виды клиентов организации: ключевые клиенты» и собранные с ней статьи"},
    "002_86f8383cb26973f0.txt": {
        "en": "«Дао (путь) Вашего клиента в компании» (\"The Tao (path) of your customer in the "
              "company\"), 10 October 2017",
        "ru": "«Дао (путь) Вашего клиента в компании», 10 октября 2017"},
    "003_cd62333f9b37d326.txt": {
        "en": "an untitled Russian article on \"fast, good, cheap: pick two\", opening "
              "«Каждый, кто занимается коммерческой деятельностью…»",
        "ru": "статья без заголовка о выборе двух из трёх (быстро, качественно, дёшево), "
              "начинается словами "
              "«Каждый, кто занимается коммерческой деятельностью…»"},
    "004_0bbe79b901aabe99.txt": {
        "en": "an untitled Russian article on the loyalty ladder, opening «Да, слово клиент "
              "настолько часто употреблять…»",
        "ru": "статья без заголовка о лестнице лояльности, начинается словами «Да, слово клиент "
              "настолько часто употреблять…»"},
}
#: Seed 001 collects several articles; each framework taken from it names its own section.
SECTIONS: dict[str, str] = {
    "value_tiers": "«Виды клиентов организации: ключевые клиенты»",
    "qualification": "«Типы клиентов в продажах — 5 критериев оценки»",
    "buyer_types": "«4 типа клиентов в продажах и особенности работы с ними» (Nick Reese)",
}


def source_title(source: str | None, lang: str, framework: str | None = None) -> str:
    """A rulebook's ``source`` as a reader can look it up: the article, not its file name.

    Examples
    --------
    >>> source_title("002_86f8383cb26973f0.txt", "ru")
    '«Дао (путь) Вашего клиента в компании», 10 октября 2017'
    >>> source_title("001_53738e0469654376.txt", "ru", "qualification")
    '«Типы клиентов в продажах — 5 критериев оценки»'
    >>> source_title("common practice", "en")
    'common practice'
    """
    if not source:
        return ""
    if framework in SECTIONS and source == "001_53738e0469654376.txt":
        return SECTIONS[framework]
    known = SOURCES.get(source)
    return known[lang] if known else str(source)


# -- rules in words ------------------------------------------------------------------------

_OPS = {">=": "op_ge", ">": "op_gt", "<=": "op_le", "<": "op_lt", "==": "op_eq", "!=": "op_ne"}
_FLIP = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "==", "!=": "!="}
_ARITH = {"+": "word_plus", "-": "word_minus", "*": "word_times", "/": "word_divided"}
# Facts that are shares or probabilities: their numbers print as percentages.
_SHARE = re.compile(r"(_share|_share_before|^p_alive)$")


def _t(key: str, lang: str, **fields: Any) -> str:
    return messages.text(f"printables.{key}", lang, **fields)


def _has(key: str) -> bool:
    return f"printables.{key}" in messages.catalog()


def _number(value: Any, lang: str, share: bool) -> str:
    if isinstance(value, bool):
        return messages.text("printables.word_not", lang) if not value else "1"
    if share:
        return messages.percent(float(value), lang, 0 if float(value) * 100 == int(float(value)
                                                                                   * 100) else 1)
    if isinstance(value, float) and value != int(value):
        return messages.number(value, lang, 2).rstrip("0").rstrip(",.")
    return messages.number(value, lang)


def _value(node: Node, params: Mapping[str, Any]) -> Any:
    """The number a node stands for (literals, parameters, their sums), else ``None``."""
    if isinstance(node, Lit) and isinstance(node.value, int | float) \
            and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, Name) and node.name in params:
        value = params[node.name]
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if isinstance(node, Unary) and node.op == "-":
        inner = _value(node.operand, params)
        return None if inner is None else -inner
    if isinstance(node, Bin) and node.op in _ARITH:
        left, right = _value(node.left, params), _value(node.right, params)
        if left is None or right is None or (node.op == "/" and right == 0):
            return None
        return {"+": left + right, "-": left - right, "*": left * right,
                "/": left / right if right else None}[node.op]
    return None


def _subject(node: Node, lang: str, params: Mapping[str, Any]) -> str:
    if isinstance(node, Name):
        if _has(f"subj_{node.name}"):
            return _t(f"subj_{node.name}", lang)
        if node.name in params and _has(f"param_{node.name}"):
            return _t(f"param_{node.name}", lang)
        if _has(f"flag_{node.name}"):
            return _t(f"flag_{node.name}", lang)
        return node.name.replace("_", " ")
    if isinstance(node, Bin) and node.op in _ARITH:
        return (f"{_subject(node.left, lang, params)} {_t(_ARITH[node.op], lang)} "
                f"{_subject(node.right, lang, params)}")
    if isinstance(node, Lit):
        return str(node.value)
    return _words(node, lang, params, 0)


def _is_share(node: Node) -> bool:
    return isinstance(node, Name) and bool(_SHARE.search(node.name))


def _comparison(node: Bin, lang: str, params: Mapping[str, Any]) -> str:
    left, right, op = node.left, node.right, node.op
    if _value(left, params) is not None and _value(right, params) is None:
        left, right, op = right, left, _FLIP[op]
    if isinstance(left, Call) and left.func == "count_true" and op == ">=":
        items = ", ".join(_words(a, lang, params, 0) for a in left.args)
        value = _value(right, params)
        return _t("count_true_ge", lang, value=_number(value, lang, False)
                  if value is not None else _subject(right, lang, params),
                  n=len(left.args), items=items)
    number = _value(right, params)
    if op == "==" and number == 0 and isinstance(left, Name) and _has(f"zero_{left.name}"):
        return _t(f"zero_{left.name}", lang)
    shown = (_number(number, lang, _is_share(left)) if number is not None
             else _subject(right, lang, params))
    return _t(_OPS[op], lang, subject=_subject(left, lang, params), value=shown)


def _flatten(node: Node, op: str) -> list[Node]:
    if isinstance(node, Bin) and node.op == op:
        return _flatten(node.left, op) + _flatten(node.right, op)
    return [node]


def _conjunction(parts: list[Node], lang: str, params: Mapping[str, Any]) -> str:
    # "x >= a and x <= b" reads as "x from a to b"
    low: dict[str, tuple[int, Bin]] = {}
    high: dict[str, tuple[int, Bin]] = {}
    for i, part in enumerate(parts):
        if isinstance(part, Bin) and part.op in (">=", "<=", "<") and isinstance(part.left, Name) \
                and _value(part.right, params) is not None:
            (low if part.op == ">=" else high).setdefault(part.left.name, (i, part))
    out: list[str] = []
    skip: set[int] = set()
    for i, part in enumerate(parts):
        if i in skip:
            continue
        if isinstance(part, Bin) and isinstance(part.left, Name) and part.op == ">=" \
                and part.left.name in high and low.get(part.left.name, (None,))[0] == i:
            j, upper = high[part.left.name]
            skip.add(j)
            share = _is_share(part.left)
            key = "op_range" if upper.op == "<=" else "op_range_below"
            out.append(_t(key, lang, subject=_subject(part.left, lang, params),
                          low=_number(_value(part.right, params), lang, share),
                          high=_number(_value(upper.right, params), lang, share)))
            continue
        out.append(_words(part, lang, params, 2))
    return f" {_t('word_and', lang)} ".join(out)


def _words(node: Node, lang: str, params: Mapping[str, Any], parent: int) -> str:
    if isinstance(node, Bin) and node.op == "or":
        text = f" {_t('word_or', lang)} ".join(
            _words(p, lang, params, 1) for p in _flatten(node, "or"))
        return f"({text})" if parent > 1 else text
    if isinstance(node, Bin) and node.op == "and":
        text = _conjunction(_flatten(node, "and"), lang, params)
        return f"({text})" if parent > 2 else text
    if isinstance(node, Bin) and node.op in _OPS:
        return _comparison(node, lang, params)
    if isinstance(node, Unary) and node.op == "not":
        inner = node.operand
        if isinstance(inner, Name) and _has(f"not_{inner.name}"):
            return _t(f"not_{inner.name}", lang)
        return f"{_t('word_not', lang)} {_words(inner, lang, params, 3)}"
    if isinstance(node, Call) and node.func in ("is_null", "not_null"):
        return f"{_subject(node.args[0], lang, params)}: " + ("—" if node.func == "is_null"
                                                               else "✓")
    if isinstance(node, Name):
        return _subject(node, lang, params)
    if isinstance(node, Lit) and isinstance(node.value, bool):
        return "✓" if node.value else "—"
    return _subject(node, lang, params)


def rule_words(when: str, params: Mapping[str, Any], lang: str) -> str:
    """A ``when`` expression in words, parameters replaced by their values.

    Parameters
    ----------
    when : str
        The class's rule, in the rulebook's language (:mod:`clientlib.frameworks.language`).
    params : mapping
        The rulebook's parameters (defaults); a value that is not a number (``auto``) is named
        in words instead.
    lang : {"en", "ru"}
        Language of the words.

    Returns
    -------
    str
        The rule as a sentence fragment: no operators, no column names.

    Examples
    --------
    >>> rule_words("orders >= fan_min_orders", {"fan_min_orders": 3}, "ru")
    'оплаченных заказов не меньше 3'
    >>> rule_words("orders == 0 or total_spend <= 0", {}, "en")
    'no paid order yet or total spend at most 0'
    """
    messages.check_lang(lang)
    return _words(parse(when), lang, params, 0)


# -- framework cheat-sheets ----------------------------------------------------------------


def _param_words(value: Any, lang: str) -> str:
    if isinstance(value, bool):
        return _t("yes" if value else "no", lang)
    if isinstance(value, int | float):  # the rulebooks' fractions are shares or probabilities
        return _number(value, lang, isinstance(value, float) and 0 < value < 1)
    return str(value)


def framework_sheet(name: str, lang: str) -> dict[str, Any]:
    """Everything one framework's cheat-sheet shows, in ``lang``.

    Returns
    -------
    dict
        ``title``, ``source``, ``intro``, ``classes`` (``label``, ``rule``, ``action`` per class
        in the order they are tried), ``params`` (name, value in words), ``scoring`` (a sentence
        for RFM maps, else empty) and ``badge`` (recommended or alternative RFM map, else empty).

    Examples
    --------
    >>> sheet = framework_sheet("ladder", "ru")
    >>> sheet["title"], sheet["classes"][0]["label"]
    ('Лестница лояльности', 'приверженец')
    """
    from clientlib import frameworks, yamlio

    messages.check_lang(lang)
    book = yamlio.load(frameworks.rulebook_text(name), origin=f"{name}.yaml")
    params = dict(book.get("params") or {})
    title = book.get("title", {}).get(lang, name) if isinstance(book.get("title"), dict) else name
    classes = []
    for cls in book.get("classes", []):
        rule = _t("otherwise", lang) if cls.get("otherwise") else rule_words(
            str(cls["when"]), params, lang)
        classes.append({"id": cls["id"], "label": (cls.get("label") or {}).get(lang, cls["id"]),
                        "rule": rule, "action": (cls.get("action") or {}).get(lang, "")})
    scoring = book.get("scoring") or {}
    badge = ""
    if name in _RFM_MAPS:
        badge = _t("recommended" if name == RECOMMENDED_RFM else "alternative", lang)
    return {
        "name": name, "lang": lang, "title": title, "badge": badge,
        "source": source_title(book.get("source"), lang, name),
        "intro": _t("cheat_intro", lang),
        "classes": classes,
        "params": [{"name": key, "value": _param_words(value, lang)}
                   for key, value in params.items() if key not in ("seed", "max_fit_rows")],
        "scoring": _t("scoring", lang, bins=scoring.get("bins", 5)) if scoring else "",
    }


# -- lessons -------------------------------------------------------------------------------


@dataclass
class Exercise:
    """One exercise of a lesson: its heading, question and check id."""

    title: str
    question: str
    check: str
    open: bool


@dataclass
class Lesson:
    """What a handout and the trainer's guide take from one lesson source, in one language."""

    number: str
    name: str
    lang: str
    title: str
    decision: str
    frameworks: list[str]
    exercises: list[Exercise] = field(default_factory=list)
    words: int = 0


_CELL = re.compile(r"^# %%(.*)$", re.M)
_DECISION = {"en": r"\*\*The decision this lesson drives:\*\*\s*",
             "ru": r"\*\*Какое решение помогает принять этот урок:\*\*\s*"}
_WHY = {"en": "## Why it matters", "ru": "## Зачем это нужно"}
_EXERCISE = {"en": "### Exercise", "ru": "### Упражнение"}
_OPEN = {"en": "(open)", "ru": "(открытое)"}


def lesson_sources(root: Path | None = None) -> list[Path]:
    """The lesson sources ``notebooks/src/NN_*.py`` of a checkout, in lesson order."""
    folder = (root or ROOT) / "notebooks" / "src"
    return sorted(folder.glob("[0-9][0-9]_*.py")) if folder.is_dir() else []


def _cells(text: str) -> list[tuple[str, str]]:
    """(header, body) of every ``# %%`` cell; markdown bodies without their ``# ``."""
    parts = _CELL.split(text)
    cells = []
    for i in range(1, len(parts) - 1, 2):
        header, body = parts[i], parts[i + 1]
        if "[markdown]" in header:
            body = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#")
                             for line in body.strip("\n").splitlines())
        cells.append((header, body))
    return cells


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def read_lesson(path: Path, lang: str) -> Lesson:
    """Title, decision, frameworks and exercises of one lesson source in ``lang``.

    The frameworks are the built-in rulebooks the lesson's code names in quotes (in the order
    it first names them); the decision is the lesson's "decision" sentence, else the first
    paragraph of its "why it matters" section, else its opening paragraph.
    """
    from clientlib import frameworks

    messages.check_lang(lang)
    text = path.read_text(encoding="utf-8")
    cells = _cells(text)
    mine = [body for header, body in cells if "[markdown]" in header and f'lang="{lang}"' in header]
    code = "\n".join(body for header, body in cells if "[markdown]" not in header)
    title = next((line[2:].strip() for body in mine for line in body.splitlines()
                  if line.startswith("# ")), path.stem)
    title = re.sub(r"^\d+\s*·\s*", "", title)
    decision = ""
    for body in mine:
        m = re.search(_DECISION[lang] + r"(.+?)(?:\n\s*\n|$)", body, re.S)
        if m:
            decision = " ".join(m[1].split())
            break
    if not decision:
        for body in mine:
            if _WHY[lang] in body:
                after = body.split(_WHY[lang], 1)[1]
                decision = next(iter(_paragraphs(after)), "")
                break
    if not decision and mine:  # else the lesson's opening paragraph
        decision = next((p for p in _paragraphs(mine[0]) if not p.startswith("#")), "")
    known = frameworks.builtin_names()
    used = sorted({n for n in known if f'"{n}"' in code},
                  key=lambda n: code.index(f'"{n}"'))
    exercises = []
    for body in mine:  # an exercise runs from its heading to the next heading or cell
        for block in re.split(r"^(?=#{1,3} )", body, flags=re.M):
            if not block.startswith(_EXERCISE[lang]):
                continue
            heading, _, rest = block.partition("\n")
            exercises.append(Exercise(title=heading.lstrip("#").strip(), question=rest.strip(),
                                      check="", open=_OPEN[lang] in heading))
    checks = re.findall(r'exercises\.check\(\s*"(\w+)"', code)
    for exercise, check in zip(exercises, checks, strict=False):
        exercise.check = check
    words = sum(len(re.findall(r"\w+", body)) for body in mine)
    return Lesson(number=path.stem[:2], name=path.stem, lang=lang, title=title,
                  decision=decision, frameworks=used, exercises=exercises, words=words)


# -- rendering -----------------------------------------------------------------------------


def _env():  # noqa: ANN202 (jinja2 is imported only here)
    import jinja2
    import mistune

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("clientlib", "templates/printables"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True, lstrip_blocks=True,
    )
    # Lesson questions are Markdown (bold, code, links): rendered, then marked safe.
    env.filters["md"] = lambda text: jinja2.utils.markupsafe.Markup(
        mistune.html(text or ""))
    env.globals["t"] = lambda key, lang, **f: _t(key, lang, **f)
    return env


def cheat_sheet(name: str, lang: str) -> str:
    """The one-page HTML cheat-sheet of a framework (print CSS for A4).

    Examples
    --------
    >>> html = cheat_sheet("lifecycle", "ru")
    >>> "Памятка: Дао клиента" in html and "size: A4" in html
    True
    """
    sheet = framework_sheet(name, lang)
    return _env().get_template("cheatsheet.html.j2").render(sheet=sheet, lang=lang)


def handout(lesson: Lesson) -> str:
    """The one-page HTML handout of a lesson: decision, classes, exercises, room for notes."""
    sheets = [framework_sheet(name, lesson.lang) for name in lesson.frameworks]
    # How much text the page holds decides the type size (measured: a score under 1,500
    # fits one A4 page at 11 pt; denser lessons print at 9-10 pt).
    score = (len(lesson.decision) + sum(len(e.question) for e in lesson.exercises)
             + 50 * sum(len(s["classes"]) for s in sheets))
    # four frameworks' classes and five exercises (lesson 05) need the smallest type too
    tight = len(sheets) > 2 and len(lesson.exercises) > 4
    return _env().get_template("handout.html.j2").render(
        lesson=lesson, sheets=sheets, lang=lesson.lang, dense=score >= 1500, tight=tight)


def chromium() -> Path | None:
    """Chromium's executable, or ``None`` when it is not installed."""
    if CHROMIUM.exists():
        return CHROMIUM
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return Path(found) if found else None


_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--disable-dev-shm-usage", "--no-pdf-header-footer", "--print-to-pdf-no-header"]


def print_pdf(html: Path, pdf: Path, browser: Path | None = None, timeout: float = 120) -> Path:
    """Print one HTML page to PDF with headless Chromium (A4 from the page's ``@page`` CSS).

    The PDF appears at ``pdf`` only when Chromium succeeded (written beside it, then moved).
    """
    from clientlib.errors import OutputError

    browser = browser or chromium()
    if browser is None:
        raise OutputError(_t("pdf_skipped", "en"))
    with tempfile.TemporaryDirectory(prefix="clientlib-chromium-") as profile, \
            atomic_path(pdf, suffix=".part.pdf") as tmp:
        proc = subprocess.run(
            [str(browser), *_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={tmp}",
             html.resolve().as_uri()],
            capture_output=True, timeout=timeout, check=False)
        if proc.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
            raise OutputError(f"chromium could not print {html.name} (exit {proc.returncode})")
    return pdf


def write_printables(
    out: str | Path,
    langs: Iterable[str] = ("en", "ru"),
    pdf: bool = False,
    root: Path | None = None,
    say: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write every cheat-sheet and handout into ``out/<lang>/`` (HTML, and PDF with ``pdf``).

    Pages are all rendered before the first file is written, so a failure (a broken rulebook,
    an unreadable lesson) leaves nothing behind; each file is written atomically.

    Parameters
    ----------
    out : path
        The folder; ``out/<lang>/index.html`` lists the pages of that language.
    langs : iterable of {"en", "ru"}
        Languages to write.
    pdf : bool
        Also print each page to PDF with headless Chromium; when Chromium is absent, the PDFs
        are skipped with one line through ``say`` (the HTML still prints from any browser).
    root : path, optional
        The checkout holding ``notebooks/src`` (default: this package's checkout); without
        lesson sources the handouts are skipped with one line through ``say``.
    say : callable, optional
        Where progress lines go (the CLI passes ``typer.echo``).

    Returns
    -------
    list of Path
        Every file written.
    """
    from clientlib import frameworks

    say = say or (lambda _line: None)
    out = Path(out)
    langs = [messages.check_lang(lang) for lang in langs]
    sources = lesson_sources(root)
    browser = chromium() if pdf else None
    pages: dict[Path, str] = {}
    for lang in langs:
        folder = out / lang
        cheat = [(name, framework_sheet(name, lang)["title"]) for name in
                 frameworks.builtin_names()]
        for name, _ in cheat:
            pages[folder / f"cheatsheet-{name}.html"] = cheat_sheet(name, lang)
        lessons = [read_lesson(path, lang) for path in sources]
        for lesson in lessons:
            pages[folder / f"handout-{lesson.name}.html"] = handout(lesson)
        pages[folder / "index.html"] = _env().get_template("index.html.j2").render(
            lang=lang, cheat=cheat, lessons=lessons, pdf=browser is not None)
        if not sources:
            say(_t("no_lessons", lang, folder=(root or ROOT) / "notebooks" / "src"))
    written = []
    for path, text in pages.items():
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
        written.append(path)
    if pdf:
        if browser is None:
            say(_t("pdf_skipped", langs[0] if langs else "en"))
        else:
            for path in list(written):
                if path.name != "index.html":
                    written.append(print_pdf(path, path.with_suffix(".pdf"), browser))
    say(_t("written", langs[0] if langs else "en", n=len(written), folder=out))
    return written
