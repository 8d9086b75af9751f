"""Executed notebook -> one self-contained HTML page: no code, no prompts, no network."""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import nbformat
else:  # nbformat without jsonschema's IRI grammar (see execute._import_nbformat)
    from clientlib.reports.execute import nbformat


__all__ = ["TEMPLATE_NAME", "exporter", "network_references", "to_html"]

#: nbconvert template in ``clientlib/templates``: JupyterLab's page without CDN scripts.
TEMPLATE_NAME = "clientlib_offline"
_H1 = re.compile(r"<h1>(.*?)</h1>", re.S)
# src=, href=, srcset=, CSS url() and @import pointing at another host (http, https, //)
_NETWORK = re.compile(
    r"""(?:\b(?:src|href|srcset|poster|data|action)\s*=\s*["']?\s*|url\(\s*["']?|@import\s+["'])"""
    r"""((?:https?:)?//[^\s"'()<>]+)""",
    re.I,
)


def _title(nb: nbformat.NotebookNode) -> str | None:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/html", "")
            m = _H1.search(text if isinstance(text, str) else "".join(text))
            if m:
                return html.unescape(m.group(1))
    return None


def _report_cells(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = copy.deepcopy(nb)
    keep = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags or "parameters" in tags:
            continue
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")
            ]
        keep.append(cell)
    nb.cells = keep
    return nb


def exporter(lang: str = "en") -> Any:
    """The HTML exporter of :func:`to_html`, warmed up: templates compiled, modules loaded.

    Importing nbconvert, compiling its template chain and the first page's imports (mistune,
    pygments, BeautifulSoup) take ~1 s, rendering a report ~0.3 s. :func:`render_report`
    builds the exporter in a thread while the kernel runs the notebook (the command's own
    process only waits then), so only the rendering is left after the kernel.

    Examples
    --------
    >>> exporter("ru").language_code
    'ru'
    """
    from nbconvert import HTMLExporter

    out = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(Path(__file__).resolve().parent.parent / "templates")],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_markdown=True,
        exclude_raw=True,
        embed_images=True,
        language_code=lang,
    )
    # one empty page now: compiles the templates and imports what rendering uses
    out.from_notebook_node(nbformat.v4.new_notebook())
    return out


def to_html(nb: nbformat.NotebookNode, lang: str = "en", html_exporter: Any = None) -> str:
    """Self-contained HTML of a report notebook's outputs.

    Code, prompts, the Markdown of the template, the parameter cells and stderr output are
    left out; figures stay inline as base64 PNG; the page loads no script, style or font
    from the network (see :func:`network_references`). ``html_exporter``: one made by
    :func:`exporter` for ``lang`` (default: a new one).
    """
    body = _report_cells(nb)
    title = _title(body)
    if title:
        body.metadata["title"] = title
    out, _ = (html_exporter or exporter(lang)).from_notebook_node(body)
    return out


def network_references(page: str) -> list[str]:
    """URLs a browser would fetch from another host when loading ``page`` (should be none).

    Looks at ``src``/``href``-like attributes, CSS ``url()`` and ``@import``; text and
    comments that merely mention an address do not count.

    Examples
    --------
    >>> network_references('<img src="data:image/png;base64,AA"><a>https://x.org</a>')
    []
    >>> network_references('<script src="https://cdn.example/require.js"></script>')
    ['https://cdn.example/require.js']
    """
    return sorted(set(_NETWORK.findall(page)))
