"""The course site (``make site``): built once for this module, then checked file by file and in
headless Chromium.

The oracles are the project's own sources, read independently of the builder: the notebooks'
JSON (how many figures and which printed lines each lesson has), the rulebook YAML read with
``yaml.safe_load`` (classes in order, labels, rules, actions), and each module's ``__all__``.

The browser check loads every page once, inside one Chromium run: a crawler page served from the
same local server opens the pages in iframes, reads each loaded document (title, heading, images
decoded, language-switch target) and posts what it saw back to the server. The server is also
Chromium's proxy, as in ``test_report_browser.py``: a request to any other host arrives there and
is recorded, and a canary page with one outside image proves the trap works in the same run.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import subprocess
import sys
import threading
import time
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

# One list of Chromium's own start-up hosts and flags for both browser tests.
from test_report_browser import _QUIET, CHROMIUM, CHROMIUM_SERVICES, _outside_hosts

from clientlib import frameworks

ROOT = Path(__file__).resolve().parents[1]
BUILDER = ROOT / "docs" / "site" / "build.py"
LANGS = ("en", "ru")

_spec = importlib.util.spec_from_file_location("clientlib_site_build", BUILDER)
site_build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(site_build)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site built from a clean staging folder (both languages; ~25 s of CPU each)."""
    base = tmp_path_factory.mktemp("site")
    out, work = base / "out", base / "work"
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(BUILDER), "--strict", "--out", str(out),
                           "--work", str(work)], capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    print(f"site built in {time.perf_counter() - start:.1f} s: {proc.stdout.strip()}")
    return out


class _Page(HTMLParser):
    """Links, resources, ids, tables and text of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.ids: set[str] = set()
        self.switch: list[str] = []
        self.lang = ""
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.text: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("href", "src"):
            if a.get(key) is not None:
                self.refs.append((tag, key, a[key]))
        if a.get("srcset"):
            self.refs += [(tag, "srcset", part.split()[0]) for part in a["srcset"].split(",")]
        for key in ("id", "name"):
            if a.get(key):
                self.ids.add(a[key])
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag == "a" and "lang-switch" in (a.get("class") or "").split():
            self.switch.append(a.get("href", ""))
        if tag == "tr":
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            self._cell = []
        if tag == "style":
            self._in_style = True

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        if tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_style:
            self.styles.append(data)
        self.text.append(data)


def _parse(path: Path) -> _Page:
    """The parsed page (each file is parsed once per run)."""
    return _parse_file(path.resolve())


@functools.cache
def _parse_file(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# -- the builder's parts, without building ------------------------------------------------


def _notebook(path: Path, outputs: bool = True) -> Path:
    code = {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": ["print(1)"],
            "outputs": [{"output_type": "stream", "name": "stdout", "text": ["1\n"]}]
            if outputs else []}
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# A lesson\n"]}, code],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_lessons_are_found_per_language_with_the_flat_folder_as_english(tmp_path):
    flat = _notebook(tmp_path / "notebooks" / "01_a.ipynb")
    assert site_build.find_lessons(tmp_path) == {"01_a": {"en": flat}}
    en = _notebook(tmp_path / "notebooks" / "en" / "01_a.ipynb")
    ru = _notebook(tmp_path / "notebooks" / "ru" / "01_a.ipynb")
    only_ru = _notebook(tmp_path / "notebooks" / "ru" / "02_b.ipynb")
    assert site_build.find_lessons(tmp_path) == {"01_a": {"en": en, "ru": ru},
                                                 "02_b": {"ru": only_ru}}


def test_a_lesson_shown_in_the_other_language_says_so_under_its_title(tmp_path):
    path = _notebook(tmp_path / "01_a.ipynb")
    nb = json.loads(site_build.lesson_notebook(path, "ru", "en"))
    assert nb["cells"][0]["source"] == ["# A lesson\n"]
    assert site_build.W["lesson_missing"]["ru"] in "".join(nb["cells"][1]["source"])
    assert len({cell["id"] for cell in nb["cells"]}) == 3  # ids added where they were missing
    same = json.loads(site_build.lesson_notebook(path, "en", "en"))
    assert len(same["cells"]) == 2


def test_a_lesson_without_outputs_stops_the_build(tmp_path):
    path = _notebook(tmp_path / "01_a.ipynb", outputs=False)
    with pytest.raises(SystemExit, match="no code cell has an output"):
        site_build.lesson_notebook(path, "en", "en")


def test_param_comments_come_from_the_rulebook_text():
    text = frameworks.rulebook_text("lifecycle")
    notes = site_build.key_comments(text, "params")
    assert set(notes) == set(yaml.safe_load(text)["params"])
    assert notes["purchase_cycle_days"].startswith("Purchase cycle in days")
    scoring = site_build.key_comments(frameworks.rulebook_text("rfm"), "scoring")
    assert scoring["bins"].startswith("scores 1..bins per dimension")


# -- what the site holds -------------------------------------------------------------------


def test_every_lesson_framework_and_module_has_a_page_in_both_languages(site):
    lessons = site_build.find_lessons()
    assert len(lessons) >= 8
    modules = site_build.public_modules()
    for wanted in ("clientlib.io", "clientlib.features", "clientlib.frameworks", "clientlib.rfm",
                   "clientlib.clusters", "clientlib.compare", "clientlib.pipeline",
                   "clientlib.segment", "clientlib.plots", "clientlib.messages",
                   "clientlib.options", "clientlib.errors"):
        assert wanted in modules
    for lang in LANGS:
        folder = site / lang
        for name in lessons:
            assert (folder / "lessons" / f"{name}.html").is_file(), (lang, name)
        for name in frameworks.builtin_names():
            assert (folder / "frameworks" / f"{name}.html").is_file(), (lang, name)
        for module in modules:
            assert (folder / "api" / f"{module}.html").is_file(), (lang, module)
        assert _parse(folder / "index.html").lang == lang
    # the same pages in both languages
    en = {p.relative_to(site / "en") for p in (site / "en").rglob("*.html")}
    ru = {p.relative_to(site / "ru") for p in (site / "ru").rglob("*.html")}
    assert en == ru


def _notebook_outputs(path: Path) -> tuple[int, list[str]]:
    """PNG figures and printed lines (stream outputs) a notebook carries."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    images, lines = 0, []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                images += 1
            if out.get("output_type") == "stream":
                lines += [ln.strip() for ln in "".join(out["text"]).splitlines() if ln.strip()]
    return images, lines


def test_lessons_show_the_committed_outputs(site):
    for name, by_lang in site_build.find_lessons().items():
        for lang in LANGS:
            shown = by_lang.get(lang) or by_lang[site_build.OTHER[lang]]
            images, lines = _notebook_outputs(shown)
            html_path = site / lang / "lessons" / f"{name}.html"
            page = _parse(html_path)
            figures = [v for tag, key, v in page.refs if tag == "img" and key == "src"
                       and "_images/" in v]
            assert len(figures) == images, (lang, name)
            text = " ".join(" ".join(page.text).split())
            for line in lines[:20]:
                assert " ".join(line.split()) in text, (lang, name, line)
            if lang not in by_lang:  # shown in the other language, with a note saying so
                assert site_build.W["lesson_missing"][lang] in text


def test_framework_pages_list_the_rulebook_classes_in_order(site):
    for name in frameworks.builtin_names():
        book = yaml.safe_load(frameworks.rulebook_text(name))
        for lang in LANGS:
            other = "ru" if lang == "en" else "en"
            page = _parse(site / lang / "frameworks" / f"{name}.html")
            text = " ".join(page.text)
            assert book["title"][lang] in text
            rows = [r for r in page.rows if len(r) == 7 and r[0].isdigit()]
            assert [r[1] for r in rows] == [c["id"] for c in book["classes"]], (name, lang)
            for row, cls in zip(rows, book["classes"], strict=True):
                assert row[2] == cls["label"][lang] and row[3] == cls["label"][other]
                assert row[6] == " ".join(cls["action"][lang].split())
                assert row[5] and not re.search(r">=|<=|==", row[5])  # the rule in words
                rule = cls.get("when")
                if rule:
                    assert row[4] == " ".join(rule.split())
                else:
                    assert cls["otherwise"] is True and row[4] == site_build.W["otherwise"][lang]
            params = {r[0]: r[1] for r in page.rows if len(r) == 3}
            for key, value in (book.get("params") or {}).items():
                expected = str(value).lower() if isinstance(value, bool) else str(value)
                assert params[f"{key}"] == expected, (name, lang, key)


def test_api_pages_document_every_public_function_and_class(site):
    import inspect

    checked = 0
    for module in site_build.public_modules():
        mod = importlib.import_module(module)
        page = _parse(site / "en" / "api" / f"{module}.html")
        assert f"module-{module}" in page.ids, module
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module:
                assert f"{module}.{name}" in page.ids, f"{module}.{name} has no entry"
                checked += 1
    assert checked >= 40
    # numpydoc turned the sections into headings: parameters and examples are rendered
    io_page = (site / "en" / "api" / "clientlib.io.html").read_text(encoding="utf-8")
    assert "Parameters" in io_page and "Examples" in io_page


# -- links, resources and the language switch, from the files ------------------------------

_OUTSIDE = re.compile(r"^(https?:)?//", re.I)
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""", re.I)


def _is_resource(tag: str, key: str, value: str) -> bool:
    return key in ("src", "srcset") or (tag == "link")


def test_nothing_is_loaded_from_outside_and_every_internal_link_resolves(site):
    pages = _pages(site)
    assert len(pages) > 100
    ids = {p: _parse(p) for p in pages}
    broken, outside = [], []
    for path, page in ids.items():
        for tag, key, value in page.refs:
            if _OUTSIDE.match(value):
                if _is_resource(tag, key, value):
                    outside.append((path.name, tag, value))
                continue
            if value.startswith(("mailto:", "data:", "javascript:")):
                continue
            parts = urlsplit(value)
            target = path if not parts.path else (path.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file() or site.resolve() not in target.resolve().parents:
                broken.append((str(path.relative_to(site)), value))
                continue
            if parts.fragment and target.suffix == ".html":
                known = ids.get(target) or _parse(target)
                if unquote(parts.fragment) not in known.ids:
                    broken.append((str(path.relative_to(site)), value))
        for css in page.styles:
            outside += [(path.name, "style", u) for pair in _CSS_URL.findall(css)
                        for u in pair if u and _OUTSIDE.match(u)]
    for css in site.rglob("*.css"):
        for pair in _CSS_URL.findall(css.read_text(encoding="utf-8", errors="replace")):
            outside += [(css.name, "css", u) for u in pair if u and _OUTSIDE.match(u)]
    assert outside == []
    assert broken == []


def test_every_page_links_to_its_counterpart_in_the_other_language(site):
    for lang in LANGS:
        other = "ru" if lang == "en" else "en"
        for path in (site / lang).rglob("*.html"):
            page = _parse(path)
            assert page.lang == lang, path
            assert len(page.switch) == 1, path
            target = (path.parent / page.switch[0]).resolve()
            rel = path.relative_to(site / lang)
            assert target == (site / other / rel).resolve(), (path, page.switch)
            assert target.is_file(), f"{path} switches to a missing page {target}"
            back = _parse(target).switch[0]
            assert (target.parent / back).resolve() == path.resolve()


# -- in Chromium ---------------------------------------------------------------------------


_CRAWLER = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>crawler</title></head>
<body><script>
const pages = %s;
async function visit(url) {
  const frame = document.createElement("iframe");
  frame.style.width = "1200px"; frame.style.height = "900px";
  const loaded = new Promise(resolve => { frame.onload = resolve; });
  frame.src = url; document.body.appendChild(frame);
  const timeout = new Promise(resolve => setTimeout(() => resolve("timeout"), 30000));
  const how = await Promise.race([loaded, timeout]);
  const doc = frame.contentDocument;
  const seen = {url: url, timeout: how === "timeout"};
  if (doc) {
    const imgs = Array.from(doc.images);
    const sw = doc.querySelector("a.lang-switch");
    seen.title = doc.title;
    seen.lang = doc.documentElement.lang;
    seen.h1 = (doc.querySelector("h1") || {}).textContent || "";
    seen.path = frame.contentWindow.location.pathname;
    seen.images = imgs.length;
    seen.broken_images = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src);
    seen.sheets = doc.styleSheets.length;
    const here = frame.contentWindow.location.href;
    seen.switch = sw ? new URL(sw.getAttribute("href"), here).pathname : null;
  }
  frame.remove();
  return seen;
}
(async () => {
  const results = [];
  for (let i = 0; i < pages.length; i += 4) {
    results.push(...await Promise.all(pages.slice(i, i + 4).map(visit)));
  }
  await fetch("/__results", {method: "POST", body: JSON.stringify(results)});
})();
</script></body></html>
"""


class _Recorder(SimpleHTTPRequestHandler):
    """Serves the site; records every request with its status; takes the crawler's report."""

    seen: list[tuple[str, str]]
    status: dict[str, int]
    report: list
    done: threading.Event

    def log_message(self, *args):  # quiet
        pass

    def send_response(self, code, message=None):
        if self.path.startswith("/"):  # the site's own files (not proxied or tunnelled)
            self.status[self.path] = code
        super().send_response(code, message)

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.seen.append((f"GET {self.path}", self.headers.get("Referer", "")))
        if self.path.startswith(("http://", "https://")):
            self.send_error(404, "outside requests are not served here")
            return
        super().do_GET()

    def do_CONNECT(self):  # noqa: N802
        self.seen.append((f"CONNECT {self.path}", self.headers.get("Referer", "")))
        self.send_error(405, "no tunnels")

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path != "/__results":  # a proxied POST: recorded like any outside request
            self.seen.append((f"POST {self.path}", self.headers.get("Referer", "")))
            self.send_error(404, "outside requests are not served here")
            return
        self.report.extend(json.loads(body))
        self.send_response(204)
        self.end_headers()
        self.done.set()


@pytest.mark.skipif(not CHROMIUM.exists(),
                    reason="Chromium is not installed (apt-get install -y chromium); "
                           "`make browser` installs it as root")
def test_chromium_opens_every_page_and_nothing_leaves_the_machine(site, tmp_path):
    pages = ["/" + p.relative_to(site).as_posix() for p in _pages(site)]
    (site / "canary.html").write_text(
        '<html><head><meta name="referrer" content="unsafe-url"></head><body><h1>canary</h1>'
        '<img src="http://cdn.example.invalid/pixel.png"></body></html>'
    )
    (site / "crawler.html").write_text(_CRAWLER % json.dumps([*pages, "/canary.html"]))
    seen: list[tuple[str, str]] = []
    status: dict[str, int] = {}
    report: list = []
    done = threading.Event()
    handler = type("Handler", (_Recorder,),
                   {"seen": seen, "status": status, "report": report, "done": done})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = httpd.server_address[1]
    origin = f"http://127.0.0.1:{port}"
    args = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", "--no-first-run",
        "--no-default-browser-check", "--metrics-recording-only", "--mute-audio", _QUIET,
        f"--user-data-dir={tmp_path / 'profile'}", f"--proxy-server=http://127.0.0.1:{port}",
        f"{origin}/crawler.html",
    ]
    browser = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    start = time.perf_counter()
    try:
        finished = done.wait(timeout=600)
    finally:
        (site / "canary.html").unlink()
        (site / "crawler.html").unlink()
        browser.terminate()
        try:
            browser.wait(timeout=20)
        except subprocess.TimeoutExpired:
            browser.kill()
            browser.wait()
        httpd.shutdown()
        httpd.server_close()
    assert finished, "the crawler did not report within 10 minutes"
    print(f"Chromium loaded {len(pages)} pages in {time.perf_counter() - start:.1f} s")

    by_url = {r["url"]: r for r in report}
    assert set(by_url) == {*pages, "/canary.html"}
    # the trap works: the canary's outside image reached the proxy, named by its referrer
    # (the canary sends its full URL as referrer; other pages send only the origin to a host
    # of another origin, so their outside requests are caught by origin, not by page)
    canary = f"{origin}/canary.html"
    assert ("GET http://cdn.example.invalid/pixel.png", canary) in seen
    honest = [(line, ref) for line, ref in seen if ref != canary]
    assert _outside_hosts(honest) <= CHROMIUM_SERVICES, honest
    on_behalf = [line for line, ref in honest
                 if ref.startswith(origin) and not line.startswith("GET /")]
    assert on_behalf == []
    # every own request was served (the browser's favicon probe aside)
    failed = {path: code for path, code in status.items()
              if code >= 400 and path != "/favicon.ico"}
    assert failed == {}, failed
    for url in pages:
        seen_page = by_url[url]
        assert not seen_page["timeout"], url
        assert seen_page["path"] == url
        assert seen_page["title"], url
        assert seen_page["broken_images"] == [], url
        if url == "/index.html" or url.startswith("/printables/"):
            continue  # the language choice; the printables are plain A4 pages
        lang = url.split("/")[1]
        other = "ru" if lang == "en" else "en"
        assert seen_page["lang"] == lang and seen_page["sheets"] >= 1, url
        # the switch leads to the same page in the other language, which loaded and leads back
        assert seen_page["switch"] == url.replace(f"/{lang}/", f"/{other}/", 1), url
        assert by_url[seen_page["switch"]]["switch"] == url
        if "/lessons/" in url or "/frameworks/" in url:
            assert seen_page["h1"].strip(), url
    figures = sum(by_url[u]["images"] for u in pages if "/lessons/" in u)
    assert figures >= 2 * 8


# -- the workshop hub (home page, trainer's guide, printables), sources, anchors, chrome -------


def _article(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[text.index("<article"):text.index("</article>")]


def test_home_page_is_the_workshop_hub_and_the_api_has_its_own_page(site):
    modules = site_build.public_modules()
    for lang in LANGS:
        home = site / lang / "index.html"
        article = _article(home)
        body = _Page()  # the page itself; furo's sidebar lists every page on every page
        body.feed(article)
        links = [v for tag, key, v in body.refs if tag == "a" and key == "href"]
        assert site_build.W["hub_trainers"][lang] in article
        assert site_build.W["hub_participants"][lang] in article
        assert "trainer/guide.html" in links
        assert "api/index.html" in links
        # the API is one link on the home page, its modules on their own page
        assert not [m for m in modules if f"api/{m}.html" in links], lang
        api_links = [v for tag, key, v in _parse(site / lang / "api" / "index.html").refs
                     if tag == "a" and key == "href"]
        assert all(any(v.endswith(f"{m}.html") for v in api_links) for m in modules)
        # a cheat-sheet for every framework and a handout for every lesson, in this language
        for name in frameworks.builtin_names():
            assert f"../printables/{lang}/cheatsheet-{name}.html" in links
            assert (site / "printables" / lang / f"cheatsheet-{name}.html").is_file()
        for name in site_build.find_lessons():
            assert f"../printables/{lang}/handout-{name}.html" in links
    ru_guide = _article(site / "ru" / "trainer" / "guide.html")
    assert "Однодневный трек" in ru_guide and "CLIENTLIB_ANSWERS" in ru_guide


_HASH_FILE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")


def test_framework_pages_name_the_source_article_not_a_file(site):
    for name in frameworks.builtin_names():
        source = yaml.safe_load(frameworks.rulebook_text(name)).get("source", "")
        for lang in LANGS:
            article = _article(site / lang / "frameworks" / f"{name}.html")
            line = next(ln for ln in article.splitlines()
                        if site_build.W["source"][lang] + ":" in ln)
            assert not _HASH_FILE.search(line), (name, lang, line)
            if _HASH_FILE.fullmatch(str(source)):
                assert "«" in line, (name, lang, line)  # the title or opening words, quoted
    lifecycle = _article(site / "ru" / "frameworks" / "lifecycle.html")
    assert "Дао (путь) Вашего клиента в компании" in lifecycle  # the seed's own header


def test_one_rfm_map_is_recommended_the_others_say_they_are_alternatives(site):
    for lang in LANGS:
        said = {name: _article(site / lang / "frameworks" / f"{name}.html")
                for name in ("rfm", "rfm_r_docs", "rfm_simple")}
        recommended = [n for n, text in said.items()
                       if site_build.W["rfm_recommended"][lang].split("**")[1] in text]
        assert recommended == ["rfm"], lang
        for name in ("rfm_r_docs", "rfm_simple"):
            assert site_build.W["rfm_alternative"][lang].split("**")[1] in said[name]


def test_russian_framework_pages_explain_parameters_in_russian(site):
    for name in frameworks.builtin_names():
        page = _parse(site / "ru" / "frameworks" / f"{name}.html")
        book = yaml.safe_load(frameworks.rulebook_text(name))
        keys = set(book.get("params") or {}) | set(book.get("scoring") or {})
        rows = {r[0]: r[2] for r in page.rows if len(r) == 3 and r[0] in keys}
        assert set(rows) == keys, name
        english = [k for k, meaning in rows.items() if not re.search("[а-яё]", meaning, re.I)]
        assert english == [], (name, english)
        headers = [r for r in page.rows if len(r) == 3 and r[0] == "параметр"]
        assert all(r[2] == "смысл" for r in headers), name  # not «смысл (на английском)»


def test_russian_headings_have_readable_anchors(site):
    for path in (site / "ru" / "lessons").glob("*.html"):
        text = path.read_text(encoding="utf-8")
        sections = re.findall(r'<section id="([^"]+)"', text)
        assert sections, path.name
        bad = [s for s in sections if not re.fullmatch(r"[a-z0-9-]+", s) or
               re.fullmatch(r"id\d+", s)]
        assert bad == [], (path.name, bad)
        toc = re.findall(r'class="reference internal" href="#([^"]+)"', text)
        assert not [t for t in toc if re.fullmatch(r"id\d+", t)], path.name
    assert 'id="uprazhneniia"' in (site / "ru" / "lessons" / "02_lifecycle.html").read_text(
        encoding="utf-8")


def test_russian_pages_have_russian_chrome_and_lessons_wrap_and_style_output(site):
    page = (site / "ru" / "lessons" / "02_lifecycle.html").read_text(encoding="utf-8")
    for english in ("Back to top", "On this page", "Skip to content"):
        assert english not in page
    assert "Наверх" in page and "На этой странице" in page
    css = (site / "ru" / "_static" / "site.css").read_text(encoding="utf-8")
    assert re.search(r"pre\s*\{[^}]*white-space:\s*pre-wrap", css)
    assert "table.dataframe" in css and 'class="dataframe' in page
