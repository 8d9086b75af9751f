"""The report reads and prints well, in English and Russian (issue 21 item 6; review R8–R17).

Two kinds of checks:

- on the rendered page (one render per language for the whole module): every ``<img>`` has an
  ``alt`` in the report's language and nbconvert's English default never appears; printed to
  PDF by Chromium, every heading is on the same page as the figure right after it (pages
  read back with poppler's ``pdftotext`` / ``pdfimages``); at a phone's 390 px the «Что
  делать» / "Action" cells lie inside the viewport, the page does not scroll sideways and
  figures keep their drawn size; the manager's tables show no class codes; the parameters
  are said in words; the funnel tables list the path;
- on the report's views (one ``prepare`` per language): the funnel order is the rulebook's path
  (read here from the YAML), a class has one colour in the bars, the timeline and another
  report, no tick label is cut inside a word, and the transition matrix is last month's
  moves (checked against a pandas crosstab of the two snapshots) with both dates on its axes.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from clientlib.reports import views  # noqa: E402
from clientlib.reports.data import prepare  # noqa: E402

LANGS = ("en", "ru")
#: The report's parameters here: small, with a timeline of three month ends (~15 s a render).
PARAMS = {"n_customers": 400, "timeline_months": 3, "seed": 0}
NBCONVERT_DEFAULT = "No description has been provided for this image"
HEADERS = {"en": {"action": "Action", "codes": ("Class id", "Outcome id")},
           "ru": {"action": "Что делать", "codes": ("Код класса", "Код итога")}}


def _chromium_or_skip():
    # Reuse the browser helper of the report's browser test (its way of launching Chromium).
    browser = pytest.importorskip("test_report_browser")
    if not browser.CHROMIUM.exists():
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    return browser


def _rulebook(name: str) -> dict:
    text = resources.files("clientlib.frameworks").joinpath(f"{name}.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _path_labels(name: str, lang: str) -> list[str]:
    # The funnel's path, first step first: the rulebook's classes read backwards (see the YAML
    # comments: "target -> lead -> novice -> fan"; rungs "from the market to the advocate").
    return [c["label"][lang] for c in _rulebook(name)["classes"]][::-1]


# ---- the rendered pages -------------------------------------------------------------------------


@pytest.fixture(scope="module", params=LANGS)
def page(request, tmp_path_factory):
    from clientlib.reports.render import render_report

    lang = request.param
    out = tmp_path_factory.mktemp(f"print_{lang}") / f"report_{lang}.html"
    render_report({**PARAMS, "lang": lang}, out)
    return lang, out


class _Page(HTMLParser):
    """Images (their attributes), headings, and the tables with their header cells."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.headings: list[str] = []
        self.tables: list[tuple[str, list[str], list[list[str]]]] = []  # heading, header, rows
        self._heading: list[str] | None = None
        self._cell: list[str] | None = None
        self._row: list[str] = []
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))
        elif re.fullmatch(r"h[1-4]", tag):
            self._heading = []
        elif tag == "table":
            self.tables.append((self.headings[-1] if self.headings else "", [], []))
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-4]", tag) and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).replace("¶", "").split()))
            self._heading = None
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self.tables:
            if self._in_head:
                self.tables[-1][1].extend(self._row)
            else:
                self.tables[-1][2].append(self._row)
        elif tag == "thead":
            self._in_head = False

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _parsed(path: Path) -> _Page:
    parser = _Page()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_figure_has_an_alt_text_in_the_report_language(page):
    lang, path = page
    html_text = path.read_text(encoding="utf-8")
    parsed = _parsed(path)
    assert len(parsed.images) >= 12
    assert NBCONVERT_DEFAULT not in html_text
    lifecycle_title = _rulebook("lifecycle")["title"][lang]
    for img in parsed.images:
        alt = (img.get("alt") or "").strip()
        assert len(alt) > 15, img.get("alt")
        if lang == "ru":
            assert alt.startswith("Диаграмма") and re.search("[а-яё]{4}", alt), alt
            assert not re.search(r"\b(horizontal|vertical|Chart)\b", alt), alt
        else:
            assert alt.startswith("Chart") and not re.search("[а-яё]", alt), alt
    # the description names the chart: the lifecycle's bars say so by the rulebook's title
    assert any(lifecycle_title in (img.get("alt") or "") for img in parsed.images)


def test_an_image_without_a_description_is_named_after_its_section():
    import nbformat

    from clientlib.reports.render import page_for_people

    page_html = ('<html><head></head><body><h2 id="x">Раздел<a class="anchor-link">¶</a></h2>'
                 f'<img alt="{NBCONVERT_DEFAULT}" src="data:image/png;base64,QUJD"/></body></html>')
    done = page_for_people(page_html, nbformat.v4.new_notebook(), "ru")
    assert 'alt="Диаграмма к разделу «Раздел»"' in done and NBCONVERT_DEFAULT not in done


def test_the_manager_tables_show_no_class_codes(page):
    lang, path = page
    parsed = _parsed(path)
    headers = {h for _, head, _ in parsed.tables for h in head}
    assert not headers & set(HEADERS[lang]["codes"])
    ids = {c["id"] for name in ("lifecycle", "ladder", "value_tiers", "rfm")
           for c in _rulebook(name)["classes"]}
    cells = {c for _, _, rows in parsed.tables for row in rows for c in row}
    assert not cells & ids, sorted(cells & ids)
    assert not cells & {"used"}


def test_funnel_tables_list_the_path_in_order(page):
    lang, path = page
    parsed = _parsed(path)
    for name in ("lifecycle", "ladder"):
        title = _rulebook(name)["title"][lang]
        rows = [rows for heading, _, rows in parsed.tables if heading == title]
        assert rows, title
        shown = [r[0] for r in rows[0]]
        assert shown == [x for x in _path_labels(name, lang) if x in shown], (name, shown)


def test_parameters_are_said_in_words(page):
    lang, path = page
    nb = json.loads(path.with_suffix(".ipynb").read_text(encoding="utf-8"))
    outputs = ["".join(o["data"]["text/html"]) for c in nb["cells"]
               for o in c.get("outputs", []) if "text/html" in o.get("data", {})]
    about = next(h for h in outputs if "<p>Параметры:" in h or "<p>Parameters:" in h)
    facts = json.loads(path.with_name(path.stem + ".facts.json").read_text(encoding="utf-8"))
    day = pd.Timestamp(facts["analysis_date"])
    assert day.isoformat()[:10] not in about  # the ISO date is for files
    if lang == "ru":
        assert day.strftime("%d.%m.%Y") in about
        assert "<code>все</code>" in about and "<code>русский</code>" in about
        assert "выбрано автоматически (k = " in about
    else:
        assert f"{day.day} {day:%B} {day.year}" in about
        assert "<code>English</code>" in about and "chosen automatically (k = " in about
    assert "<code>auto</code>" not in about and "<code>ru</code>" not in about
    assert lang == "en" or "<code>all</code>" not in about  # "all" is an English word


def _pdf(path: Path, tmp: Path) -> Path:
    browser = _chromium_or_skip()
    if not (shutil.which("pdftotext") and shutil.which("pdfimages")):
        pytest.skip("poppler-utils (pdftotext, pdfimages) is not installed")
    pdf = tmp / (path.stem + ".pdf")
    browser._chromium(path.as_uri(), 9, tmp / "profile", "--no-pdf-header-footer",
                      f"--print-to-pdf={pdf}")
    assert pdf.exists() and pdf.stat().st_size > 10_000
    return pdf


def _pages_of_images(pdf: Path) -> list[int]:
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    return [int(line.split()[0]) for line in listing if line.split()[2] == "image"]


def _page_texts(pdf: Path) -> list[list[str]]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [[" ".join(line.split()) for line in p.splitlines() if line.strip()]
            for p in text.split("\f")]


def test_printed_headings_stay_on_the_page_of_their_figure(page, tmp_path):
    lang, path = page
    pdf = _pdf(path, tmp_path)
    image_pages = _pages_of_images(pdf)
    parsed = _parsed(path)
    assert len(image_pages) == len(parsed.images)
    texts = _page_texts(pdf)
    # each heading followed directly by a figure (no table between them): same page
    src = path.read_text(encoding="utf-8")
    marks = sorted([(m.start(), "img") for m in re.finditer(r"<img\b", src)]
                   + [(m.start(), "table") for m in re.finditer(r"<table\b", src)]
                   + [(m.start(), "h") for m in re.finditer(r"<h[1-4]\b", src)])
    heads = iter(parsed.headings)
    image_no, checked = 0, 0
    last_heading: str | None = None
    for _pos, kind in marks:
        if kind == "h":
            last_heading = next(heads)
        elif kind == "table":
            last_heading = None
        else:
            if last_heading:
                on = [i + 1 for i, lines in enumerate(texts) if last_heading in lines]
                assert on, last_heading
                assert image_pages[image_no] in on, (last_heading, on, image_pages[image_no])
                checked += 1
            last_heading = None
            image_no += 1
    assert checked >= 10


def test_print_style_opens_scroll_boxes_and_keeps_blocks_whole(page):
    _lang, path = page
    src = path.read_text(encoding="utf-8")
    print_css = src[src.rfind("@media print"):]
    assert re.search(r"\.clientlib-keep\s*\{[^}]*break-inside:\s*avoid", print_css)
    assert re.search(r"overflow:\s*visible\s*!important", print_css)
    # every figure after a heading is inside a block printed whole
    assert src.count('class="clientlib-keep"') >= 10


_MEASURE = """<script>
window.addEventListener("load", () => {
  const wanted = %s;
  const cells = [...document.querySelectorAll("td[data-label]")]
    .filter(td => td.dataset.label === wanted)
    .map(td => { const r = td.getBoundingClientRect();
                 return [r.left, r.right, r.width, td.textContent.trim().length]; });
  const imgs = [...document.querySelectorAll("img")]
    .map(i => [i.getBoundingClientRect().width, i.naturalWidth]);
  parent.postMessage(JSON.stringify({width: window.innerWidth, cells, imgs,
    scroll: document.documentElement.scrollWidth}), "*");
});
</script>"""
#: A 390 px wide frame holds the report (a headless window is at least 500 px wide); the report
#: measures itself and posts the numbers to this page, which --dump-dom prints.
_PHONE = """<!DOCTYPE html><html><body style="margin:0">
<iframe src="inner.html" style="width:390px;height:900px;border:0"></iframe>
<script>addEventListener("message", e => { const p = document.createElement("pre");
  p.id = "measured"; p.textContent = e.data; document.body.appendChild(p); });</script>
</body></html>"""


def test_at_phone_width_the_action_column_is_on_screen(page, tmp_path):
    lang, path = page
    browser = _chromium_or_skip()
    wanted = json.dumps(HEADERS[lang]["action"])
    report = path.read_text(encoding="utf-8")
    (tmp_path / "inner.html").write_text(
        report.replace("</body>", _MEASURE % wanted + "</body>"), encoding="utf-8")
    (tmp_path / "phone.html").write_text(_PHONE, encoding="utf-8")
    dom = browser._chromium((tmp_path / "phone.html").as_uri(), 9, tmp_path / "profile",
                            "--allow-file-access-from-files", "--dump-dom")
    m = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
    assert m, dom[-500:]
    seen = json.loads(m.group(1).replace("&quot;", '"'))
    assert seen["width"] == 390
    assert len(seen["cells"]) >= 10
    for left, right, width, chars in seen["cells"]:
        if chars:
            assert left >= 0 and right <= seen["width"] and width > 50, (left, right, width)
    # the page itself does not scroll sideways (a wide figure scrolls in its own box) ...
    assert seen["scroll"] <= seen["width"] + 1
    # ... and figures keep their drawn size, so their 8 pt text is not shrunk
    for shown, natural in seen["imgs"]:
        assert shown >= 0.95 * natural


# ---- the report's views -------------------------------------------------------------------------


@pytest.fixture(scope="module", params=LANGS)
def rd(request):
    return prepare(**PARAMS, lang=request.param)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _bar_colours(ax) -> dict[str, str]:
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    ticks = list(ax.get_yticks())
    bars = {round(p.get_y() + p.get_height() / 2, 6): to_hex(p.get_facecolor())
            for p in ax.patches}
    return {lab: bars[round(y, 6)] for lab, y in zip(labels, ticks, strict=True)}


def test_funnel_order_is_the_rulebook_path_in_tables_and_bars(rd):
    for name in ("lifecycle", "ladder"):
        expected = _path_labels(name, rd.lang)
        table = views.framework_table(rd, name)
        shown = list(table.iloc[:, 0])
        assert shown == [x for x in expected if x in shown], (name, shown)
        ax = views.framework_figure(rd, name)
        ticks = sorted(zip(ax.get_yticks(), [t.get_text().replace("\n", " ")
                                             for t in ax.get_yticklabels()], strict=True),
                       reverse=True)  # top to bottom
        assert [x for _, x in ticks] == shown
    # the timeline stacks the same path, first step at the bottom
    counts = views.flow_counts(rd)
    assert list(counts.columns) == [x for x in _path_labels("lifecycle", rd.lang)
                                    if x in counts.columns]


def test_a_class_has_one_colour_in_every_chart_and_report(rd):
    bars = _bar_colours(views.framework_figure(rd, "lifecycle"))
    area = views.flow_figures(rd)[0]
    stacked = {text.get_text(): to_hex(coll.get_facecolor()[0])
               for text, coll in zip(area.get_legend().get_texts(), area.collections,
                                     strict=True)}
    shared = set(bars) & set(stacked)
    assert len(shared) >= 4
    assert all(bars[c] == stacked[c] for c in shared), (bars, stacked)
    assert len(set(bars.values())) == len(bars)  # classes told apart
    # another report (other customers, other sizes, other order by size): the same colours
    other = prepare(n_customers=150, timeline_months=0, seed=3, lang=rd.lang,
                    frameworks="lifecycle")
    again = _bar_colours(views.framework_figure(other, "lifecycle"))
    assert set(again) & set(bars)
    assert all(again[c] == bars[c] for c in set(again) & set(bars))


def _tokens(names) -> set[str]:
    return {w for n in names for w in str(n).split()}


def test_tick_labels_are_never_cut_inside_a_word(rd):
    figures = [views.agreement_figure(rd), *[views.crosstab_figure(rd, a)
                                             for a in views.crosstabs(rd)],
               *views.flow_figures(rd)[1:],
               *[views.framework_figure(rd, fw) for fw in rd.frameworks]]
    words = _tokens(rd.titles.values()) | _tokens(rd.study.segments["label"].unique())
    words |= _tokens(views.persona_label(p, rd.lang)
                     for p in rd.study.facts.get("persona", pd.Series(dtype=str)).unique())
    words |= _tokens(rd.cluster_names.values()) | _tokens([views._p(rd.lang, "persona_training")])
    seen = 0
    for made in figures:
        ax = made if hasattr(made, "get_xticklabels") else made.axes[0]
        for label in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
            for token in label.get_text().split():
                if re.fullmatch(r"[\d\s,.%−-]+", token):
                    continue
                seen += 1
                assert token in words, (token, label.get_text())
    assert seen > 50


def _last_month_moves(snaps: pd.DataFrame) -> pd.DataFrame:
    # Independent of clientlib.timeline.flows: customers at both of the last two month ends.
    ends = sorted(snaps["period_end"].unique())[-2:]
    a = snaps[snaps["period_end"] == ends[0]].set_index("customer_id")["class"]
    b = snaps[snaps["period_end"] == ends[1]].set_index("customer_id")["class"]
    both = pd.concat([a.rename("from"), b.rename("to")], axis=1, join="inner")
    return pd.crosstab(both["from"], both["to"])


def test_transitions_are_last_month_with_both_dates_on_the_axes(rd):
    snaps = rd.snapshots
    ends = sorted(pd.to_datetime(snaps["period_end"].unique()))
    moves = views.transition_counts(rd, last=True)
    names = dict(zip(rd.rows("lifecycle")["class"], rd.rows("lifecycle")["label"], strict=False))
    expected = _last_month_moves(snaps).rename(index=names, columns=names)
    got = moves.loc[expected.index, expected.columns]
    assert (got.to_numpy() == expected.to_numpy()).all()
    assert int(moves.to_numpy().sum()) == int(expected.to_numpy().sum())
    ax = views.flow_figures(rd)[1]
    start, end = ends[-2], ends[-1]
    if rd.lang == "ru":
        want = (start.strftime("%d.%m.%Y"), end.strftime("%d.%m.%Y"))
    else:
        want = tuple(f"{d.day} {d:%B} {d.year}" for d in (start, end))
    assert want[0] in " ".join(ax.get_ylabel().split())
    assert want[1] in " ".join(ax.get_xlabel().split())


def test_true_persona_is_named_as_training_data_and_only_when_present(rd):
    import dataclasses

    names = [a.name_b for a in views.crosstabs(rd)]
    marked = "training data" if rd.lang == "en" else "учебные данные"
    assert any(marked in n for n in names)
    study = dataclasses.replace(rd.study, facts=rd.study.facts.drop(columns="persona"))
    without = dataclasses.replace(rd, study=study)
    assert not [a for a in views.crosstabs(without) if marked in a.name_b]


def test_codes_appendix_lists_every_class_shown(rd):
    table = views.codes_table(rd)
    seg = rd.study.segments
    expected = set(zip(seg["framework"].map(lambda f: rd.titles.get(f, f)), seg["class"],
                       strict=True))
    got = set(zip(table.iloc[:, 0], table.iloc[:, 2], strict=True))
    assert got == expected
