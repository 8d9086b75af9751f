"""The report template, its HTML export, the batch runner, its lock and its file names.

End-to-end tests run the template with papermill on a small workshop shop (one English
report here; batches, their lock, manifest and index are in tests/test_batch.py).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest

from clientlib.files import inside
from clientlib.reports.batch import load_config, output_stem, run_batch
from clientlib.reports.execute import clean_notebook
from clientlib.reports.export import network_references, to_html
from clientlib.reports.lock import BatchLock
from clientlib.reports.parameters import coerce, parse_pairs, template_parameters
from clientlib.reports.render import render_report
from clientlib.reports.summary import k_sentence, summary_points
from clientlib.reports.text import TEXT, t
from clientlib.schema import ClientlibError

SMALL = {"n_customers": 200, "timeline_months": 2}
CLI = [sys.executable, "-c", "from clientlib.cli import main; main()"]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


# ---------------------------------------------------------------------------------------------
# words, parameters, summary (no kernel)


def test_both_languages_have_the_same_strings():
    assert set(TEXT["en"]) == set(TEXT["ru"])
    for key in TEXT["en"]:
        en, ru = TEXT["en"][key], TEXT["ru"][key]
        assert set(re.findall(r"{(\w+)", en)) == set(re.findall(r"{(\w+)", ru)), key
    # numbers arrive formatted by clientlib.messages (one format per language)
    got = summary_points(SimpleNamespace(
        facts=pd.DataFrame({"orders": [1] * 12345}), quality=[], analysis_date="2024-01-01",
        segments=pd.DataFrame(columns=["framework", "class", "label"]), skipped=[],
        kchoice=None, model=None, agreement=None), "ru")
    assert got[0].startswith("На 01.01.2024 в базе 12\u00a0345 клиентов")
    with pytest.raises(ValueError, match="lang"):
        t("de", "title")


def test_template_parameters_are_documented_and_typed():
    spec = template_parameters()
    for name in ("dataset", "input", "column_map", "analysis_date", "frameworks", "k", "lang",
                 "title", "n_customers"):
        assert name in spec, name
        assert spec[name]["help"], f"{name} has no help comment"
        assert spec[name]["inferred_type_name"] != "None", f"{name} has no type"
    assert spec["k"]["default"] == '"auto"' and spec["dataset"]["default"] == '"workshop"'
    nb = nbformat.read(spec and _template(), as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1


def _template() -> Path:
    from clientlib.reports.parameters import template_path

    return template_path()


def test_coerce_types_and_refuse_unknown_names():
    import datetime as dt

    got = coerce({"k": "5", "n_customers": "300", "analysis_date": dt.date(2024, 6, 30),
                  "frameworks": ["lifecycle", "rfm"], "lang": "ru"})
    assert got == {"k": 5, "n_customers": 300, "analysis_date": "2024-06-30",
                   "frameworks": "lifecycle,rfm", "lang": "ru"}
    assert coerce({"k": "auto"})["k"] == "auto"
    with pytest.raises(ClientlibError, match="unknown report parameter colour.*lang"):
        coerce({"colour": "red"})
    with pytest.raises(ClientlibError, match="whole number"):
        coerce({"n_customers": "many"})
    assert parse_pairs(["column_map=customer_id=Client"]) == {"column_map": "customer_id=Client"}
    with pytest.raises(ClientlibError, match="KEY=VALUE"):
        parse_pairs(["lang"])


@pytest.fixture(scope="module")
def small_study():
    from clientlib.reports.data import prepare

    return prepare(n_customers=200, timeline_months=2, lang="ru")


def test_summary_points_from_a_real_study(small_study):
    rd = small_study
    study = rd.study
    en = summary_points(study, "en", None)
    ru = summary_points(study, "ru", rd.titles)
    assert len(en) == len(ru) >= 5
    assert en[0].startswith(f"{len(study.facts):,} customers were analysed at")
    # largest class of lifecycle, with its share, appears in words
    lc = study.segments[study.segments.framework == "lifecycle"]
    top = lc["label"].value_counts().sort_index().sort_values(ascending=False, kind="stable")
    assert f"«{top.index[0]}»" in " ".join(ru)
    # the recommended k and why
    k = study.kchoice.recommended_k
    assert any(f"k = {k}" in p for p in ru) and any(f"k = {k}" in p for p in en)
    assert k_sentence(study, "ru") in ru
    # the persona sentence names the best recoverer
    m = study.agreement
    best = m.loc[[i for i in m.index if i != "persona"], "persona"].idxmax()
    assert any(rd.titles[best] in p and "персон" in p for p in ru)
    # cluster names in Russian, as the k-means rows label them
    seg = study.segments
    km = seg[(seg.framework == "kmeans") & seg["class"].str.startswith("cluster_")]
    assert set(km["label"]) == set(rd.cluster_names.values())
    assert len(rd.cluster_names) == study.model.n_clusters
    assert not any(ch.isascii() and ch.isalpha() for ch in "".join(rd.cluster_names.values()))


def test_summary_with_fixed_k_skipped_frameworks_and_excluded_rows():
    seg = pd.DataFrame({"customer_id": list("abcd"), "framework": "ladder",
                        "class": ["client", "client", "client", "regular"],
                        "label": ["Client"] * 3 + ["Regular"], "action": ""})
    quality = [SimpleNamespace(table="transactions", rows_excluded=3, rows_read=40)]
    study = SimpleNamespace(
        facts=pd.DataFrame({"orders": [1, 0, 3, 2]}), quality=quality, analysis_date="2024-01-01",
        segments=seg, skipped=["framework 'awareness' skipped: the data has no column(s) x"],
        kchoice=None, model=SimpleNamespace(n_clusters=4), agreement=pd.DataFrame(),
    )
    pts = summary_points(study, "en", {"ladder": "Loyalty ladder"})
    # the findings (the skipped framework by its title), then the analyst's appendix
    assert pts == [
        "4 customers were analysed at 2024-01-01; 3 of them have bought at least once.",
        "3 of 40 transaction rows were set aside (see Data quality).",
        "1 framework could not run for lack of data: Awareness stages.",
        "Loyalty ladder: the largest class is «Client» with 75% of customers.",
        "k-means uses k = 4, as set in the report parameters.",
    ]


# ---------------------------------------------------------------------------------------------
# export (no kernel)


def _fake_executed() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("lang = 'en'", metadata={"tags": ["parameters"]})
    injected = nbformat.v4.new_code_cell("lang = 'SECRET_INJECTED'",
                                         metadata={"tags": ["injected-parameters"]})
    body = nbformat.v4.new_code_cell("show()")
    body.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": "<h1>My &amp; title</h1>"}),
        nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=",
                                                     "text/plain": "<Figure>"}),
        nbformat.v4.new_output("stream", name="stderr", text="a noisy warning\n"),
    ]
    body.metadata["execution"] = {"iopub.status.busy": "2025-01-01T00:00:00"}
    body.metadata["papermill"] = {"start_time": "x", "end_time": "y", "duration": 1.0,
                                  "status": "completed"}
    nb.cells = [nbformat.v4.new_markdown_cell("TEMPLATE_NOTE"), params, injected, body]
    nb.metadata["papermill"] = {"start_time": "x", "duration": 3.0, "input_path": "/abs/t.ipynb",
                                "output_path": "/tmp/x.ipynb", "parameters": {"lang": "en"}}
    return nb


def test_html_export_is_offline_and_without_code():
    page = to_html(_fake_executed())
    assert network_references(page) == []
    assert "<script" not in page.lower()
    assert "SECRET_INJECTED" not in page and "lang = " not in page  # no code, no parameters
    assert "TEMPLATE_NOTE" not in page and "a noisy warning" not in page
    body = page[page.index("<main>"):]
    assert "jp-InputPrompt" not in body and "jp-OutputPrompt" not in body
    assert "jp-InputArea" not in body
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', page)) == 1
    assert "<title>My &amp; title</title>" in page


def test_network_references_catches_what_a_browser_would_fetch():
    bad = ('<script src="https://cdn.x/require.js"></script><link href="//fonts.x/f.css">'
           '<style>@import "http://x/y.css"; a{background:url(https://x/i.png)}</style>')
    assert len(network_references(bad)) == 4
    ok = '<p>see https://example.org</p><img src="data:image/png;base64,AAA">'
    assert network_references(ok) == []


def test_clean_notebook_strips_run_metadata():
    nb = _fake_executed()
    clean_notebook(nb, "report.ipynb")
    assert nb.metadata["papermill"] == {"input_path": "report.ipynb", "parameters": {"lang": "en"}}
    body = nb.cells[-1]
    assert "execution" not in body.metadata
    assert body.metadata["papermill"] == {"status": "completed"}


# ---------------------------------------------------------------------------------------------
# names, paths, lock (no kernel)


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "batch.yml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["../../x", "a/b", "..", ".hidden", "x y", "/etc/passwd"])
def test_path_traversal_is_refused(tmp_path, name):
    cfg = _config(tmp_path, f"output: out\nreports:\n  {json.dumps(name)}: {{}}\n")
    with pytest.raises(ClientlibError, match="not a plain file name"):
        run_batch(cfg, run_date="2025-01-06")
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["batch.yml"]


def test_file_names_follow_the_dates_and_stay_inside(tmp_path):
    import datetime as dt

    day = dt.date(2025, 1, 6)
    assert output_stem("w", {}, day) == "w_2025-01-06"
    assert output_stem("w", {"analysis_date": dt.date(2024, 6, 30)}, day) == "w_2024-06-30"
    with pytest.raises(ClientlibError, match="analysis_date"):
        output_stem("w", {"analysis_date": "../../etc"}, day)
    with pytest.raises(ClientlibError, match="outside the output folder"):
        inside(tmp_path, "../x.html")
    cfg = load_config(_config(tmp_path, "output: out\nrun_date: 2024-12-31\nreports:\n  a:\n"))
    assert str(cfg.run_date) == "2024-12-31" and cfg.output == tmp_path / "out"
    for bad, msg in [("reports: {a: {}}\n", "--output DIR"), ("output: o\n", "reports"),
                     ("output: o\nreport: {}\n", "report: unknown field"),
                     ("output: o\nreports: [a]\n", "reports")]:
        with pytest.raises(ClientlibError, match=msg):
            load_config(_config(tmp_path, bad))


def test_second_batch_on_a_locked_folder_exits_with_a_message(tmp_path):
    cfg = _config(tmp_path, "output: out\nreports:\n  a: {n_customers: 50}\n")
    with BatchLock(tmp_path / "out"):
        proc = _cli("reports", "run", str(cfg), "--date", "2025-01-06", cwd=tmp_path)
    assert proc.returncode == 2
    assert "another report batch is writing to" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not list((tmp_path / "out").glob("a_*"))


# ---------------------------------------------------------------------------------------------
# end to end with papermill


@pytest.fixture(scope="module")
def english_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "workshop.html"
    start = time.perf_counter()
    result = render_report({**SMALL, "title": "Shop <b>&</b>"}, out)
    return result, time.perf_counter() - start


def test_report_renders_in_english(english_report):
    result, _seconds = english_report
    page = result.html.read_text(encoding="utf-8")
    for key in ("decisions", "findings", "quality", "frameworks", "rfm", "k", "profiles",
                "agreement", "crosstabs", "flows", "appendix"):
        assert f">{t('en', key)}<" in page, key
    # the decisions come first, the analyst's appendix after the frameworks
    assert page.index(f">{t('en', 'decisions')}<") < page.index(f">{t('en', 'frameworks')}<")
    assert page.index(f">{t('en', 'frameworks')}<") < page.index(f">{t('en', 'appendix')}<")
    for name in ("workshop.call_this_week.xlsx", "workshop.call_dormant.csv"):
        assert (result.html.parent / name).exists(), name
    assert "Shop &lt;b&gt;&amp;&lt;/b&gt;" in page and "<b>&</b>" not in page
    assert "customers were analysed at" in page
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', page)) >= 12
    assert network_references(page) == [] and "<script" not in page.lower()
    assert "injected-parameters" not in page and "prepare(" not in page
    nb = nbformat.read(result.notebook, as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    assert "start_time" not in nb.metadata["papermill"]
    assert not list(result.html.parent.glob(".*"))  # no temporary files left
    assert oct(result.html.stat().st_mode & 0o044) == oct(0o044)  # readable like any file


def test_a_failing_report_leaves_no_html_and_keeps_its_notebook(tmp_path):
    from clientlib.reports.execute import ReportFailed

    template = tmp_path / "boom.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell('lang: str = "en"  # language',
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell('raise ValueError("no data for " + lang)'),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, template)
    out = tmp_path / "out" / "r.html"
    out.parent.mkdir()
    out.write_text("EARLIER GOOD")
    expected = r"ValueError: no data for ru.*kept at .*r\.failed\.ipynb"
    with pytest.raises(ReportFailed, match=expected):
        render_report({"lang": "ru"}, out, template=template)
    assert out.read_text() == "EARLIER GOOD"
    assert not (out.parent / "r.ipynb").exists()
    kept = nbformat.read(out.parent / "r.failed.ipynb", as_version=4)
    assert kept.cells[-1].outputs[0].ename == "ValueError"
    assert sorted(p.name for p in out.parent.iterdir()) == ["r.failed.ipynb", "r.html"]


def test_cli_report_refuses_bad_input_before_running(tmp_path):
    proc = _cli("report", "missing.csv", "--map", "customer_id=Client", "-o", "r.html",
                cwd=tmp_path)
    assert proc.returncode == 2 and "input file not found" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "r.html").exists()
    proc = _cli("report", "-p", "colour=red", "-o", "r.html", cwd=tmp_path)
    assert proc.returncode == 2 and "unknown report parameter colour" in proc.stderr


def test_report_modules_load_nbformat_without_the_iri_grammar():
    """The report command's start-up skips jsonschema's IRI grammar (1.1-1.4 s), yet nbformat
    still validates notebooks and the import of rfc3987_syntax is not left refused."""
    code = (
        "import sys\n"
        "import clientlib.reports.render\n"
        "from clientlib.reports.parameters import template_path\n"
        "import nbformat\n"
        "assert 'rfc3987_syntax' not in sys.modules\n"
        "nb = nbformat.read(template_path(), 4)\n"
        "nbformat.validate(nb)\n"
        "bad = nbformat.v4.new_notebook(); bad.cells = [{'cell_type': 'code'}]\n"
        "try:\n"
        "    nbformat.validate(bad)\n"
        "except nbformat.ValidationError:\n"
        "    print('refused')\n"
        "print('rfc3987_syntax' not in sys.modules)  # the block is lifted again\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["refused", "True"]
