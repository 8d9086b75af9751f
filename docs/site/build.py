"""Build the course site: lessons, framework pages and API reference, in English and Russian.

Usage (``make site`` runs it with the project's venv)::

    python docs/site/build.py [--out build/site] [--work build/site-src]

What it does, in order:

1. Stages the Sphinx sources of each language in ``WORK/<lang>/``: the lessons (copies of
   ``notebooks/<lang>/*.ipynb``; without those folders, ``notebooks/*.ipynb`` count as
   English), one Markdown page per built-in rulebook generated from its YAML (read with
   :func:`clientlib.yamlio.load`), one reference page per public module (autodoc with numpydoc),
   ``docs/CONTRACTS.md`` and an index. A lesson missing in one language is shown in the other
   with a note, so every page has its counterpart. Files are rewritten only when their text
   changes, so a second build only redoes what changed.
2. Runs Sphinx (``conf.py`` beside this file) once per language, both at once, into
   ``OUT/en/`` and ``OUT/ru/``, and writes ``OUT/index.html`` (the language choice).

Notebooks are never executed here: the site shows the outputs committed with them, and a lesson
without any output stops the build. Nothing is fetched from the network.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
LANGS = ("en", "ru")
OTHER = {"en": "ru", "ru": "en"}

if str(ROOT) not in sys.path:  # run as a script from a fresh clone
    sys.path.insert(0, str(ROOT))

from clientlib import frameworks, printables, yamlio  # noqa: E402
from clientlib.errors import OptionError  # noqa: E402


def words() -> dict[str, dict[str, str]]:
    """The site's own strings (``messages.yaml``), each in both languages."""
    path = HERE / "messages.yaml"
    data = yamlio.load(path.read_text(encoding="utf-8"), origin=str(path))
    for key, value in data.items():
        if not isinstance(value, dict) or set(value) != set(LANGS):
            raise OptionError(f"{path.name}: '{key}' must have exactly the keys {LANGS}")
    return data


W = words()


@functools.cache
def params_ru() -> dict[str, dict[str, str]]:
    """Russian meanings of each rulebook's parameters (``params.ru.yaml``)."""
    path = HERE / "params.ru.yaml"
    return yamlio.load(path.read_text(encoding="utf-8"), origin=str(path)) or {}


def _meaning(name: str, key: str, english: str, lang: str) -> str:
    if lang == "ru":
        return params_ru().get(name, {}).get(key) or english
    return english


def _t(key: str, lang: str) -> str:
    return W[key][lang]


# -- lessons ---------------------------------------------------------------------------------


def find_lessons(root: Path = ROOT) -> dict[str, dict[str, Path]]:
    """Lesson name -> {language: notebook}, from ``notebooks/en`` and ``notebooks/ru``.

    Before the lessons exist in both languages, ``notebooks/*.ipynb`` are the English ones.
    """
    nb = root / "notebooks"
    found: dict[str, dict[str, Path]] = {}
    for lang in LANGS:
        folder = nb / lang
        paths = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
        if lang == "en" and not folder.is_dir():
            paths = sorted(nb.glob("*.ipynb"))
        for path in paths:
            found.setdefault(path.stem, {})[lang] = path
    return dict(sorted(found.items()))


def _executed(nb: dict) -> bool:
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    return not code or any(c.get("outputs") for c in code)


def lesson_notebook(path: Path, lang: str, shown_lang: str) -> str:
    """The notebook JSON to stage; a note on top when it is the other language's lesson."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    if not _executed(nb):
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        raise SystemExit(
            f"{shown}: no code cell has an output; the site shows committed "
            "outputs, so execute the notebook and commit it first"
        )
    for i, cell in enumerate(nb["cells"]):  # nbformat 4.5 wants ids; old notebooks lack them
        cell.setdefault("id", f"cell-{i}")
    if nb.get("nbformat_minor", 0) < 5:
        nb["nbformat_minor"] = 5
    if lang != shown_lang:
        note = {"cell_type": "markdown", "id": "site-note", "metadata": {},
                "source": [f":::{{note}}\n{_t('lesson_missing', lang)}\n:::\n"]}
        cells = nb["cells"]
        first_is_title = bool(cells) and cells[0]["cell_type"] == "markdown" and "".join(
            cells[0]["source"]).lstrip().startswith("# ")
        cells.insert(1 if first_is_title else 0, note)
    return json.dumps(nb, ensure_ascii=False, indent=1) + "\n"


# -- framework pages -------------------------------------------------------------------------

_KEY = re.compile(r"^(?P<indent>\s+)(?P<key>[A-Za-z_]\w*):(?P<rest>.*)$")


def key_comments(text: str, section: str) -> dict[str, str]:
    """Comments written above (or after) each key of a top-level ``section`` of a rulebook.

    Examples
    --------
    >>> key_comments("params:\\n  # Days of silence.\\n  cycle: 30\\n  n: 2  # orders\\n",
    ...              "params")
    {'cycle': 'Days of silence.', 'n': 'orders'}
    """
    out: dict[str, str] = {}
    inside, pending = False, []
    for line in text.splitlines():
        if re.match(rf"^{section}:", line):
            inside, pending = True, []
            continue
        if inside and line and not line[0].isspace() and not line.startswith("#"):
            break  # the next top-level key
        if not inside:
            continue
        stripped = line.strip()
        if stripped.startswith("#"):
            pending.append(stripped.lstrip("#").strip())
            continue
        m = _KEY.match(line)
        if m and len(m["indent"]) == 2:
            after = m["rest"].split(" #", 1)[1].strip() if " #" in m["rest"] else ""
            out[m["key"]] = " ".join([*pending, after]).strip()
            pending = []
        elif not stripped:
            pending = []
    return out


def header_comments(text: str) -> list[str]:
    """The comment lines a rulebook opens with (its own description), without the ``#``."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].strip())
    return lines


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    if isinstance(value, bool):
        text = str(value).lower()
    return text.replace("|", "\\|").replace("\n", " ")


def _code(value: object) -> str:
    text = _cell(value)
    return f"`{text}`" if text else ""


def framework_page(name: str, lang: str) -> str:
    """Markdown of one rulebook's page, generated from its YAML.

    Examples
    --------
    >>> page = framework_page("ladder", "ru")
    >>> page.splitlines()[0], "`orders >= regular_min_orders`" in page
    ('# Лестница лояльности', True)
    >>> "оплаченных заказов не меньше 2" in page
    True
    """
    text = frameworks.rulebook_text(name)
    book = yamlio.load(text, origin=f"{name}.yaml")
    title = book.get("title", {}).get(lang, name) if isinstance(book.get("title"), dict) else name
    other = OTHER[lang]
    md = [f"# {title}", "", f"- {_t('framework_id', lang)}: `{name}`"]
    if book.get("source"):
        source = str(book["source"])
        named = printables.source_title(source, lang, name)
        md.append(f"- {_t('source', lang)}: {_cell(named)}")
    md.append("")
    if name in ("rfm", "rfm_r_docs", "rfm_simple"):
        key = "rfm_recommended" if name == printables.RECOMMENDED_RFM else "rfm_alternative"
        md += [":::{note}", _t(key, lang), ":::", ""]
    notes = header_comments(text)
    if notes:
        label = _t("notes_original", lang)
        md += [f"## {label}", "", *[f"> {line}" if line else ">" for line in notes], ""]

    md += [f"## {_t('params', lang)}", ""]
    params = book.get("params") or {}
    if params:
        meaning = key_comments(text, "params")
        md += [f"| {_t('param', lang)} | {_t('default', lang)} | {_t('meaning_plain', lang)} |",
               "|---|---|---|"]
        md += [f"| `{key}` | {_code(value)} | "
               f"{_cell(_meaning(name, key, meaning.get(key, ''), lang))} |"
               for key, value in params.items()]
    else:
        md.append(_t("no_params", lang))
    md.append("")

    if book.get("scoring"):
        meaning = key_comments(text, "scoring")
        md += [f"## {_t('scoring', lang)}", "",
               f"| {_t('param', lang)} | {_t('default', lang)} | {_t('meaning_plain', lang)} |",
               "|---|---|---|"]
        md += [f"| `{key}` | {_code(value)} | "
               f"{_cell(_meaning(name, key, meaning.get(key, ''), lang))} |"
               for key, value in book["scoring"].items()]
        md.append("")

    if book.get("columns"):
        md += [f"## {_t('columns', lang)}", "",
               f"| {_t('param', lang)} | {_t('column_type', lang)} |", "|---|---|"]
        md += [f"| `{col}` | `{kind}` |" for col, kind in book["columns"].items()]
        md.append("")

    md += [f"## {_t('classes', lang)}", "",
           f"| # | {_t('class_id', lang)} | {_t('label', lang)} | {_t('label_other', lang)} "
           f"| {_t('rule', lang)} | {_t('rule_words', lang)} | {_t('action', lang)} |",
           "|---|---|---|---|---|---|---|"]
    sheet = printables.framework_sheet(name, lang)  # the rules in words, as on the cheat-sheet
    for i, (cls, shown) in enumerate(zip(book.get("classes", []), sheet["classes"],
                                         strict=True), start=1):
        label = cls.get("label") or {}
        action = cls.get("action") or {}
        rule = _t("otherwise", lang) if cls.get("otherwise") else _code(cls.get("when"))
        md.append(f"| {i} | `{cls['id']}` | {_cell(label.get(lang))} | {_cell(label.get(other))} "
                  f"| {rule} | {_cell(shown['rule'])} | {_cell(action.get(lang))} |")
    md += ["", f"## {_t('rulebook', lang)}", "", _t("rulebook_intro", lang), "",
           "```yaml", text.rstrip("\n"), "```", ""]
    return "\n".join(md)


# -- API reference ---------------------------------------------------------------------------


@functools.cache
def public_modules() -> list[str]:
    """Every ``clientlib`` module whose dotted name has no part starting with an underscore.

    Found from the files (no import here: Sphinx's autodoc imports them, and reports any that
    fails).
    """
    package = ROOT / "clientlib"
    names = []
    for path in package.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if any(part.startswith("_") for part in parts):
            continue
        if all((ROOT.joinpath(*parts[:i]) / "__init__.py").is_file()
               for i in range(1, len(parts))):  # inside packages only (not a data folder)
            names.append(".".join(parts))
    return sorted(names)


def api_page(module: str) -> str:
    """reStructuredText of one module's reference page (autodoc; members from ``__all__``)."""
    line = "=" * len(module)
    return f"{module}\n{line}\n\n.. automodule:: {module}\n   :members:\n"


# -- staging and building --------------------------------------------------------------------


def _toctree(entries: list[str], caption: str | None = None, maxdepth: int = 1,
             hidden: bool = False) -> list[str]:
    head = ["```{toctree}", f":maxdepth: {maxdepth}"]
    if caption:
        head.append(f":caption: {caption}")
    if hidden:  # in the sidebar only: the page lists its links itself
        head.append(":hidden:")
    return [*head, "", *entries, "```", ""]


def stage(lang: str, work: Path) -> dict[str, str]:
    """Relative path -> text of every source file of one language's site."""
    files: dict[str, str] = {}
    lessons = find_lessons()
    for name, by_lang in lessons.items():
        shown = lang if lang in by_lang else OTHER[lang]
        files[f"lessons/{name}.ipynb"] = lesson_notebook(by_lang[shown], lang, shown)
    files["lessons/index.md"] = "\n".join(
        [f"# {_t('lessons', lang)}", "", _t("lessons_intro", lang), "",
         *_toctree(list(lessons))])

    names = frameworks.builtin_names()
    for name in names:
        files[f"frameworks/{name}.md"] = framework_page(name, lang)
    files["frameworks/index.md"] = "\n".join(
        [f"# {_t('frameworks', lang)}", "", _t("frameworks_intro", lang), "", *_toctree(names)])

    modules = public_modules()
    for module in modules:
        files[f"api/{module}.rst"] = api_page(module)
    files["api/index.md"] = "\n".join(
        [f"# {_t('api', lang)}", "", _t("api_intro", lang), "", *_toctree(modules)])

    contracts = (ROOT / "docs" / "CONTRACTS.md").read_text(encoding="utf-8")
    if _t("contracts_note", lang):  # an English text: a heading in the page's language, a note
        _, _, rest = contracts.partition("\n")
        contracts = (f"# {_t('contracts', lang)}\n\n:::{{note}}\n{_t('contracts_note', lang)}"
                     f"\n:::\n{rest}")
    files["contracts.md"] = contracts

    trainer = ROOT / "docs" / "trainer" / ("guide.md" if lang == "en" else "guide.ru.md")
    hub = []
    if trainer.is_file():  # links to ../install*.md there point at the staged install page
        files["trainer/guide.md"] = trainer.read_text(encoding="utf-8").replace(
            "](../install.ru.md)", "](../install.md)")
        hub.append("trainer/guide")
    install = ROOT / "docs" / ("install.md" if lang == "en" else "install.ru.md")
    if install.is_file():
        # the page's link to its other-language file: the site's language switch does that
        files["install.md"] = re.sub(r"(?m)^\[(?:По-русски|In English)\]\(install(?:\.ru)?\.md\)\n",
                                     "", install.read_text(encoding="utf-8"))
        hub.append("install")
    elif "trainer/guide.md" in files:  # no install page in this checkout: name the file
        files["trainer/guide.md"] = re.sub(r"\[([^\]]+)\]\(\.\./install(?:\.ru)?\.md\)",
                                           r"`\1`", files["trainer/guide.md"])
    files["index.md"] = hub_page(lang, lessons, "trainer/guide" in hub, "install" in hub,
                                 names)
    files["index.md"] += "\n".join(
        ["", *_toctree([*hub, "lessons/index", "frameworks/index"], hidden=True),
         *_toctree(["api/index", "contracts"], caption=_t("hub_more", lang), hidden=True)])
    return files


def hub_page(lang: str, lessons: dict, guide: bool, install: bool, names: list[str]) -> str:
    """The home page: the workshop hub for trainers and participants (API on its own page)."""
    md = [f"# {_t('hub_title', lang)}", "", _t("hub_intro", lang), "", _t("site_offline", lang),
          ""]
    md += [f"## {_t('hub_trainers', lang)}", "", _t("hub_trainers_text", lang), ""]
    if guide:
        md += [f"- [{_t('trainer_guide', lang)}](trainer/guide.md)",
               f"- [{_t('hub_agenda', lang)}](trainer/guide.md)", ""]
    md += [f"## {_t('hub_participants', lang)}", "", _t("hub_participants_text", lang), ""]
    if install:
        md.append(f"- [{_t('install', lang)}](install.md)")
    md += [f"- [{_t('lessons', lang)}](lessons/index.md)", ""]
    md += [f"## {_t('hub_downloads', lang)}", "", _t("hub_downloads_text", lang), "",
           f"- {_t('hub_cheatsheets', lang)}:"]
    for name in names:
        title = printables.framework_sheet(name, lang)["title"]
        md.append(f'  - <a href="../printables/{lang}/cheatsheet-{name}.html">{title}</a>')
    md.append(f"- {_t('hub_handouts', lang)}:")
    for path in printables.lesson_sources(ROOT):
        lesson = printables.read_lesson(path, lang)
        md.append(f'  - <a href="../printables/{lang}/handout-{lesson.name}.html">'
                  f'{lesson.number} · {lesson.title}</a>')
    md += ["", f"## {_t('frameworks', lang)}", "", _t("frameworks_intro", lang), "",
           f"- [{_t('frameworks', lang)}](frameworks/index.md)", "",
           f"## {_t('hub_more', lang)}", "", f"- [{_t('api', lang)}](api/index.md)",
           f"- [{_t('contracts', lang)}](contracts.md)"]
    return "\n".join([*md, ""])


def write_printables(out: Path) -> None:
    """Write the printables (HTML) in ``out/printables/<lang>/``, beside the two sites.

    One A4 page each, outside Sphinx (no language switch); PDFs: ``make printables``.
    """
    target = out / "printables"
    shutil.rmtree(target, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        printables.write_printables(tmp, langs=LANGS, root=ROOT)
        shutil.copytree(tmp, target)


def write_locale(work: Path) -> Path:
    """Compile furo's words (``chrome_*`` in messages.yaml) into ``WORK/locale/ru/…/sphinx.mo``.

    Sphinx takes them first and its own Russian catalog for the rest.
    """
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    folder = work / "locale"
    for lang in LANGS:
        if lang == "en":
            continue
        catalog = Catalog(locale=lang, domain="sphinx")
        for key, value in W.items():
            if key.startswith("chrome_"):
                catalog.add(value["en"], value[lang])
        target = folder / lang / "LC_MESSAGES" / "sphinx.mo"
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as fh:
            write_mo(fh, catalog)
    return folder


def write_sources(files: dict[str, str], folder: Path) -> int:
    """Write the staged files, touching only changed ones; remove stale ones. Returns changes."""
    changed = 0
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed += 1
    for path in folder.rglob("*"):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and not rel.startswith(".doctrees/") and rel not in files:
            path.unlink()
            changed += 1
    return changed


def landing_page() -> str:
    """``OUT/index.html``: the choice of language, plain HTML with relative links."""
    links = "\n".join(
        f'    <li><a href="{lang}/index.html" hreflang="{lang}" lang="{lang}">'
        f'{ {"en": "English", "ru": "Русский"}[lang] }</a> — {_t("site_title", lang)}</li>'
        for lang in LANGS)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_t('site_title', 'en')}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<style>body{font-family:sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}"
        "</style>\n</head>\n<body>\n"
        f"<h1>clientlib</h1>\n<p>{_t('choose_language', 'en')} · "
        f"{_t('choose_language', 'ru')}</p>\n<ul>\n{links}\n</ul>\n</body>\n</html>\n"
    )


def _html(work: Path, lang: str) -> Path:
    return work / f"{lang}.out" / "html"


def build(out: Path, work: Path, quiet: bool = True, strict: bool = False) -> dict[str, float]:
    """Stage and build both languages; returns seconds per step."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    for lang in LANGS:
        write_sources(stage(lang, work), work / lang)
    locale = write_locale(work)
    timings["stage"] = time.perf_counter() - start

    start = time.perf_counter()
    procs = {}
    for lang in LANGS:
        env = {**os.environ, "CLIENTLIB_SITE_LANG": lang, "CLIENTLIB_SITE_LOCALE": str(locale),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                           os.environ.get("PYTHONPATH")]))}
        # myst-nb writes its image files beside the output folder (OUTDIR/../jupyter_execute):
        # each language gets its own, outside the site, and the pages are copied out at the end.
        cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(HERE),
               "-d", str(work / lang / ".doctrees"), str(work / lang), str(_html(work, lang))]
        if quiet:
            cmd.insert(3, "-q")
        if strict:  # a Sphinx warning (bad docstring markup, broken reference) fails the build
            cmd[3:3] = ["-W", "--keep-going"]
        procs[lang] = subprocess.Popen(cmd, env=env)
    failed = [lang for lang, proc in procs.items() if proc.wait() != 0]
    timings["sphinx"] = time.perf_counter() - start
    if failed:
        raise SystemExit(f"sphinx failed for: {', '.join(failed)} (messages above)")
    for lang in LANGS:  # the site folder holds exactly this build's pages
        shutil.rmtree(out / lang, ignore_errors=True)
        shutil.copytree(_html(work, lang), out / lang)
    write_printables(out)
    (out / "index.html").write_text(landing_page(), encoding="utf-8")
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "site-src")
    parser.add_argument("--verbose", action="store_true", help="Sphinx's progress too")
    parser.add_argument("--strict", action="store_true", help="fail on any Sphinx warning")
    args = parser.parse_args(argv)
    timings = build(args.out.resolve(), args.work.resolve(), quiet=not args.verbose,
                    strict=args.strict)
    pages = sum(1 for _ in args.out.rglob("*.html"))
    print(f"site: {pages} pages in {args.out} "
          f"(staging {timings['stage']:.1f} s, sphinx {timings['sphinx']:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
