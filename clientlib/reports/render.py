"""One report: parameters -> executed notebook -> HTML, every file written atomically.

Beside ``NAME.html`` a report leaves ``NAME.ipynb`` (the executed notebook), ``NAME.facts.json``
(what the report actually used: analysis date, customers, orders, revenue — written by the
template's last cell) and ``NAME.classes.parquet`` (its classification snapshot:
``customer_id, framework, class``), which the next run of the same report compares with.
Temporary files are named ``.FILE.XXXXXXXX.part`` beside their destination (see
:func:`temporary_pattern`), so a batch can remove exactly those of a killed run and nothing else.
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clientlib.files import atomic_path, readable
from clientlib.reports.execute import RUN_PARAMETER, ReportFailed, clean_notebook, execute
from clientlib.reports.export import exporter, network_references, to_html
from clientlib.reports.parameters import PATH_PARAMETERS, coerce, template_parameters, template_path
from clientlib.schema import ClientlibError

if TYPE_CHECKING:
    import nbformat
else:  # nbformat without jsonschema's IRI grammar (see execute._import_nbformat)
    from clientlib.reports.execute import nbformat

__all__ = [
    "RenderResult",
    "alt_texts",
    "facts_path",
    "failed_notebook_path",
    "output_files",
    "render_report",
    "page_for_people",
    "snapshot_path",
    "temporary_pattern",
]


@dataclass
class RenderResult:
    """What :func:`render_report` wrote.

    Attributes
    ----------
    html : Path
        The report page.
    notebook : Path
        The executed notebook beside it (same stem, ``.ipynb``).
    seconds : float
        Wall time of execution and export.
    parameters : dict
        The parameters the template ran with (typed, paths made absolute).
    facts : dict
        What the report used, from its ``NAME.facts.json`` (empty for a template that does not
        write one): ``analysis_date``, ``customers``, ``buyers``, ``orders``, ``revenue``,
        ``frameworks``, ``compared_with``.
    snapshot : Path or None
        ``NAME.classes.parquet`` when the template wrote one.
    """

    html: Path
    notebook: Path
    seconds: float
    parameters: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    snapshot: Path | None = None


def failed_notebook_path(out_html: str | os.PathLike[str]) -> Path:
    """Where a failed run keeps its executed notebook: ``OUT.failed.ipynb``.

    A failure never replaces the notebook (or the HTML) of an earlier good run.

    Examples
    --------
    >>> failed_notebook_path("reports/x.html").as_posix()
    'reports/x.failed.ipynb'
    """
    out = Path(out_html)
    return out.with_name(f"{out.stem}.failed.ipynb")


def snapshot_path(out_html: str | os.PathLike[str]) -> Path:
    """``OUT.classes.parquet``: the report's classification snapshot.

    Examples
    --------
    >>> snapshot_path("reports/x_2025-01-06.html").name
    'x_2025-01-06.classes.parquet'
    """
    out = Path(out_html)
    return out.with_name(f"{out.stem}.classes.parquet")


def facts_path(out_html: str | os.PathLike[str]) -> Path:
    """``OUT.facts.json``: what the report actually used (analysis date, counts).

    Examples
    --------
    >>> facts_path("reports/x_2025-01-06.html").name
    'x_2025-01-06.facts.json'
    """
    out = Path(out_html)
    return out.with_name(f"{out.stem}.facts.json")


def output_files(out_html: str | os.PathLike[str]) -> list[Path]:
    """Every file a report may write: HTML, notebook, failed notebook, facts, snapshot."""
    out = Path(out_html)
    return [out, out.with_suffix(".ipynb"), failed_notebook_path(out), facts_path(out),
            snapshot_path(out)]


#: Random part of a ``tempfile.mkstemp`` name (``tempfile._RandomNameSequence``: 8 characters).
_RANDOM = r"[a-z0-9_]{8}"


def temporary_pattern(names: list[str]) -> re.Pattern[str]:
    """The exact temporary names made while writing the files ``names`` (one folder).

    :func:`clientlib.files.atomic_path` writes ``F`` through ``.F.XXXXXXXX.SUFFIX.part``, and
    the running notebook is ``.F.XXXXXXXX.part.ipynb``; nothing else matches, so a user's
    ``.team.partners.csv`` or ``notes.part2.txt`` never does.

    Examples
    --------
    >>> p = temporary_pattern(["x.html", "x.ipynb"])
    >>> bool(p.match(".x.html.ab12cd_9.html.part")), bool(p.match(".x.ipynb.k2j4h5g6.part.ipynb"))
    (True, True)
    >>> bool(p.match(".team.partners.csv")), bool(p.match(".x.html.part"))
    (False, False)
    """
    alternatives = []
    for name in names:
        suffix = Path(name).suffix
        ends = [re.escape(suffix + ".part"), re.escape(".part" + suffix), re.escape(".part")]
        alternatives.append(rf"\.{re.escape(name)}\.{_RANDOM}(?:{'|'.join(ends)})")
    return re.compile(rf"^(?:{'|'.join(alternatives)})$")


_IMG = re.compile(r"<img\b[^>]*>", re.I)
_SRC = re.compile(r'\bsrc="data:image/[a-z+]+;base64,([^"]+)"', re.I)
_ALT = re.compile(r'\salt="[^"]*"', re.I)
_HEADING = re.compile(r"<h([1-4])\b[^>]*>(.*?)</h\1>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")


def alt_texts(nb: nbformat.NotebookNode) -> dict[str, str]:
    """The ``alt`` text of every figure of an executed report, by its base64 PNG.

    The report's figure functions (:mod:`clientlib.reports.views`) put a description in the
    report's language in each figure's display metadata (``alt``, from
    :func:`clientlib.plots.describe`); figures without one are not listed.
    """
    out: dict[str, str] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if not png:
                continue
            meta = output.get("metadata", {})
            alt = meta.get("alt") or meta.get("image/png", {}).get("alt")
            if alt:
                out["".join(str(png).split())] = str(alt)
    return out


def page_for_people(page: str, nb: nbformat.NotebookNode, lang: str) -> str:
    """The exported page with the report's print/phone style and an ``alt`` on every image.

    Each ``<img>`` gets its figure's description (:func:`alt_texts`), or, for a figure drawn
    without one, "Chart of the section «…»" after the heading above it, in ``lang``; nbconvert's
    English "No description has been provided for this image" never stays.
    The style (:data:`clientlib.reports.html.PAGE_CSS`) goes last in the head, so it wins.
    """
    from clientlib.messages import text
    from clientlib.reports.html import PAGE_CSS

    known = alt_texts(nb)
    headings = [(m.start(), " ".join(html.unescape(_TAG.sub("", m.group(2))).replace("¶", "")
                                     .split())) for m in _HEADING.finditer(page)]

    def with_alt(m: re.Match[str]) -> str:
        tag = m.group(0)
        src = _SRC.search(tag)
        alt = known.get("".join(src.group(1).split())) if src else None
        if not alt:
            above = [h for pos, h in headings if pos < m.start() and h]
            alt = (text("print.alt_section", lang, section=above[-1]) if above
                   else text("print.alt_untitled", lang))
        tag = _ALT.sub("", tag)
        return tag[:4] + f' alt="{html.escape(alt, quote=True)}"' + tag[4:]

    page = _keep_together(_IMG.sub(with_alt, page))
    style = f'<style type="text/css">{PAGE_CSS}</style>\n'
    at = page.lower().rfind("</head>")
    return page[:at] + style + page[at:] if at >= 0 else style + page


#: Text outputs (headings, intros, captions) longer than this are not glued to what follows.
_KEEP_TEXT = 700


def _keep_together(page: str) -> str:
    """Each run of short text outputs and the figure or short table after it in one block.

    The block (``<div class="clientlib-keep">``) is printed whole (``break-inside: avoid`` in
    :data:`clientlib.reports.html.PAGE_CSS`), so a heading never ends a page with its chart on
    the next. Runs may cross cells (a section's heading cell and its figure cell); a long
    table (not ``short``) is left to break across pages and is not glued to its heading.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    run: list[Any] = []
    size = 0
    for child in soup.select("div.jp-OutputArea-child"):
        if child.find_parent("div", class_="clientlib-keep") is not None:
            continue
        solid = child.find(["img", "table"])
        if solid is None:
            n = len(child.get_text(" ", strip=True))
            if n > _KEEP_TEXT:  # a long text (the findings) breaks like any text
                run, size = [], 0
            elif size + n > _KEEP_TEXT:  # keep the texts nearest the figure
                run, size = [child], n
            else:
                run, size = [*run, child], size + n
            continue
        glue = solid.name == "img" or "short" in (solid.get("class") or [])
        if run and glue:
            block = soup.new_tag("div", attrs={"class": "clientlib-keep"})
            run[0].insert_before(block)
            for part in [*run, child]:
                block.append(part.extract())
        run, size = [], 0
    return str(soup)


def _temp_beside(path: Path) -> Path:
    """An empty temporary file named like :func:`clientlib.files.atomic_path`'s."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    return Path(name)


def _move_if_written(tmp: Path, final: Path) -> bool:
    if tmp.exists() and tmp.stat().st_size > 0:
        readable(tmp)
        os.replace(tmp, final)
        return True
    return False


#: The id of papermill's parameters cell in a saved report (papermill draws a random one).
INJECTED_ID = "injected-parameters"


def _without_temporary_paths(nb: nbformat.NotebookNode, names: Mapping[str, str],
                             folder: Path) -> None:
    """The run record as the files end up: the same notebook bytes from every run.

    The kernel wrote the facts and the snapshot through temporary files (random names, in the
    report's folder); the saved notebook names the files they became, relative to the report,
    and so does an earlier snapshot in the same folder. The injected cell gets a fixed id.
    """
    from papermill.translators import PythonTranslator

    cell = next((c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])),
                None)
    if cell is None:
        return
    cell["id"] = INJECTED_ID
    run = nb.metadata.get("papermill", {}).get("parameters", {}).get(RUN_PARAMETER)
    if not isinstance(run, dict):
        return
    names = dict(names)
    if run.get("previous") and Path(str(run["previous"])).parent == folder.resolve():
        names[str(run["previous"])] = Path(str(run["previous"])).name
    for key, value in run.items():
        if value in names:
            # the path as papermill wrote it in the cell's source, and in its metadata
            cell.source = cell.source.replace(PythonTranslator.translate_str(value),
                                              PythonTranslator.translate_str(names[value]))
            run[key] = names[value]


def _resolve_paths(params: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    out = dict(params)
    for key in PATH_PARAMETERS:
        value = out.get(key)
        if value:
            path = Path(value).expanduser()
            path = path if path.is_absolute() else base_dir / path
            if not path.exists():
                raise ClientlibError(f"{key} file not found: {path}")
            out[key] = str(path.resolve())
    return out


def render_report(
    parameters: Mapping[str, Any] | None = None,
    out: str | os.PathLike[str] = "report.html",
    *,
    kernel: str | None = None,
    timeout: float | None = 600,
    base_dir: str | os.PathLike[str] | None = None,
    template: str | os.PathLike[str] | None = None,
    compare_to: str | os.PathLike[str] | None = None,
    compare_label: str = "",
    changes: bool = False,
) -> RenderResult:
    """Execute the report template with papermill and write ``out`` (HTML) and its notebook.

    Parameters
    ----------
    parameters : mapping, optional
        Template parameters (``papermill --help-notebook`` lists them); values are converted
        to the template's types, unknown names are refused.
    out : path
        The HTML file; the executed notebook goes beside it with the suffix ``.ipynb``.
    kernel : str, optional
        Jupyter kernel; default ``clientlib`` when registered, else ``python3``.
    timeout : float, optional
        Seconds allowed per cell.
    base_dir : path, optional
        Folder that relative ``input``/``events``/``customers`` paths are read from
        (default: the current folder).
    template : path, optional
        Another template notebook (default: the one shipped in ``clientlib/templates``).
    compare_to : path, optional
        An earlier ``.classes.parquet`` snapshot; the report shows what changed since it.
    compare_label : str
        How the report names that earlier run (its date, ISO), e.g. ``"2025-01-06"``.
    changes : bool
        Show the "what changed since the previous run" section (batches do; on a first run it
        says there is nothing to compare with yet).

    Returns
    -------
    RenderResult

    Raises
    ------
    ReportFailed
        The notebook raised; no HTML is written (an earlier good one stays), the executed
        notebook is kept at :func:`failed_notebook_path` and named in the message.

    Examples
    --------
    >>> render_report({"n_customers": 300, "lang": "ru"}, "out/report.html")  # doctest: +SKIP
    """
    start = time.perf_counter()
    template = Path(template) if template else template_path()
    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise ClientlibError(f"the report file must end in .html, got {out.name!r}")
    params = coerce(dict(parameters or {}), template_parameters(template))
    params = _resolve_paths(params, Path(base_dir) if base_dir else Path.cwd())
    notebook = out.with_suffix(".ipynb")
    failed = failed_notebook_path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{notebook.name}.", suffix=".part.ipynb", dir=out.parent)
    os.close(fd)
    tmp = Path(name)
    snap_tmp, facts_tmp = _temp_beside(snapshot_path(out)), _temp_beside(facts_path(out))
    run = {
        "snapshot": str(snap_tmp),
        "facts": str(facts_tmp),
        "previous": str(Path(compare_to).resolve()) if compare_to else "",
        "previous_label": compare_label,
        "changes": bool(changes or compare_to),
    }
    lang = str(params.get("lang", "en"))
    # the exporter warms up on the idle core while the kernel works (see export.exporter)
    pool = ThreadPoolExecutor(1, thread_name_prefix="clientlib-export")
    warm = pool.submit(exporter, lang)
    try:
        try:
            nb = execute(template, tmp, {**params, RUN_PARAMETER: run}, kernel=kernel,
                         timeout=timeout)
        except ReportFailed as exc:
            if exc.notebook is not None and exc.notebook.exists():
                os.replace(exc.notebook, failed)
                readable(failed)
                raise ReportFailed(
                    f"{exc}; executed notebook kept at {failed}", failed, exc.reason
                ) from exc
            raise
        clean_notebook(nb, template.name)
        _without_temporary_paths(nb, {str(snap_tmp): snapshot_path(out).name,
                                      str(facts_tmp): facts_path(out).name}, out.parent)
        page = page_for_people(to_html(nb, lang=lang, html_exporter=warm.result()), nb, lang)
        refs = network_references(page)
        if refs:  # a guard on the promise of a self-contained page
            nbformat.write(nb, failed)
            raise ReportFailed(f"report HTML would load {refs[0]} from the network", failed)
        facts: dict[str, Any] = {}
        if facts_tmp.stat().st_size:
            facts = json.loads(facts_tmp.read_text(encoding="utf-8"))
        # the HTML last: its presence means the report is complete (--skip-existing relies on it)
        snapshot = snapshot_path(out) if _move_if_written(snap_tmp, snapshot_path(out)) else None
        _move_if_written(facts_tmp, facts_path(out))
        with atomic_path(notebook) as part:
            nbformat.write(nb, part)
        with atomic_path(out) as part:
            part.write_text(page, encoding="utf-8")
        failed.unlink(missing_ok=True)
    finally:
        pool.shutdown(wait=True)
        for leftover in (tmp, snap_tmp, facts_tmp):
            leftover.unlink(missing_ok=True)
    return RenderResult(out, notebook, time.perf_counter() - start, params, facts, snapshot)
