"""One report: parameters -> executed notebook -> HTML, every file written atomically."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from clientlib.files import atomic_path, readable
from clientlib.reports.execute import ReportFailed, clean_notebook, execute
from clientlib.reports.export import network_references, to_html
from clientlib.reports.parameters import PATH_PARAMETERS, coerce, template_parameters, template_path
from clientlib.schema import ClientlibError

__all__ = ["RenderResult", "failed_notebook_path", "render_report"]


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
    """

    html: Path
    notebook: Path
    seconds: float
    parameters: dict[str, Any] = field(default_factory=dict)


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
    try:
        try:
            nb = execute(template, tmp, params, kernel=kernel, timeout=timeout)
        except ReportFailed as exc:
            if exc.notebook is not None and exc.notebook.exists():
                os.replace(exc.notebook, failed)
                readable(failed)
                raise ReportFailed(
                    f"{exc}; executed notebook kept at {failed}", failed, exc.reason
                ) from exc
            raise
        clean_notebook(nb, template.name)
        page = to_html(nb, lang=str(params.get("lang", "en")))
        refs = network_references(page)
        if refs:  # a guard on the promise of a self-contained page
            nbformat.write(nb, failed)
            raise ReportFailed(f"report HTML would load {refs[0]} from the network", failed)
        with atomic_path(notebook) as part:
            nbformat.write(nb, part)
        with atomic_path(out) as part:
            part.write_text(page, encoding="utf-8")
        failed.unlink(missing_ok=True)
    finally:
        tmp.unlink(missing_ok=True)
    return RenderResult(out, notebook, time.perf_counter() - start, params)
