"""Small HTML outputs for the report notebook: headings, lists, tables (all text escaped)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from clientlib.messages import number
from clientlib.messages import percent as _percent

__all__ = ["PAGE_CSS", "bullets", "code_bullets", "definitions", "heading", "paragraph", "show",
           "table"]

#: The report page's own style, for screen, phone and print (the HTML export adds it to the
#: page head, see :mod:`clientlib.reports.render`):
#:
#: - print: A4 pages; a heading, an intro or a caption never ends a page (they and the
#:   figure or short table after them are one ``clientlib-keep`` block, ``break-inside:
#:   avoid``), a figure, a table row and a short table are never cut; no
#:   scroll bars (the lab theme's ``overflow: auto`` boxes are let open) and tables wrap
#:   their text to the page;
#: - phone (≤ 600 px): each table row becomes a card of "column: value" lines (the
#:   ``data-label`` of :func:`table`), so the last column, «Что делать», is on screen; a
#:   figure keeps its drawn size (text stays readable) and scrolls sideways in its own box.
PAGE_CSS = """
main { max-width: 1100px; margin: 0 auto; padding: 1em 2em; }
.jp-RenderedHTMLCommon table.clientlib { border-collapse: collapse; margin: 0.5em 0 1.5em 0;
  font-size: 13px; }
.jp-RenderedHTMLCommon table.clientlib th,
.jp-RenderedHTMLCommon table.clientlib td { border-bottom: 1px solid #ddd; padding: 3px 10px;
  text-align: left; vertical-align: top; }
.jp-RenderedHTMLCommon table.clientlib th.num,
.jp-RenderedHTMLCommon table.clientlib td.num { text-align: right;
  font-variant-numeric: tabular-nums; white-space: nowrap; }
.jp-RenderedImage img { max-width: 100%; height: auto; }
.jp-RenderedHTMLCommon h1, .jp-RenderedHTMLCommon h2, .jp-RenderedHTMLCommon h3 {
  overflow-wrap: normal; hyphens: manual; }
@media screen and (max-width: 600px) {
  main { padding: 0.5em 0.75em; }
  .jp-OutputArea-child, .jp-OutputArea-child .jp-OutputArea-output { display: block; }
  .jp-OutputArea-output { overflow-x: visible; }
  .jp-RenderedHTMLCommon table.clientlib,
  .jp-RenderedHTMLCommon table.clientlib tbody,
  .jp-RenderedHTMLCommon table.clientlib tr,
  .jp-RenderedHTMLCommon table.clientlib td { display: block; width: auto; }
  .jp-RenderedHTMLCommon table.clientlib thead { display: none; }
  .jp-RenderedHTMLCommon table.clientlib tr { border: 1px solid #ddd; border-radius: 4px;
    margin: 0 0 0.6em 0; padding: 0.3em 0.5em; }
  .jp-RenderedHTMLCommon table.clientlib td,
  .jp-RenderedHTMLCommon table.clientlib td.num { border: none; padding: 1px 0;
    text-align: left; white-space: normal; }
  .jp-RenderedHTMLCommon table.clientlib td::before { content: attr(data-label) ": ";
    color: #666; }
  .jp-RenderedHTMLCommon table.clientlib td:first-child { font-weight: 600; }
  .jp-RenderedHTMLCommon table.clientlib td:first-child::before { content: none; }
  .jp-RenderedImage { overflow-x: auto; max-width: 100%; }
  .jp-RenderedImage img { max-width: none; }
}
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  main { max-width: none; padding: 0; }
  body, .jp-RenderedHTMLCommon { font-size: 10pt; }
  h1, h2, h3, h4, .jp-RenderedHTMLCommon h1, .jp-RenderedHTMLCommon h2,
  .jp-RenderedHTMLCommon h3 { break-after: avoid; page-break-after: avoid;
    break-inside: avoid; }
  .jp-RenderedHTMLCommon p { orphans: 3; widows: 3; }
  /* a heading, its intro or a caption and the figure or table after them: one block that
     moves to the next page whole (render.page_for_people makes it; Chromium does not move a
     heading for break-after alone when the figure after it is in another box) */
  .clientlib-keep { break-inside: avoid; page-break-inside: avoid; }
  .jp-OutputArea-child, .jp-OutputArea-output, .jp-RenderedHTMLCommon, .jp-RenderedImage,
  .jp-Cell-outputWrapper, .jp-OutputArea { overflow: visible !important; }
  /* the lab theme lays outputs out as CSS tables, which ignore the break rules below */
  .jp-OutputArea-child, .jp-OutputArea-child .jp-OutputArea-output { display: block; }
  .jp-RenderedImage, .jp-RenderedImage img, .jp-RenderedHTMLCommon table.clientlib tr {
    break-inside: avoid; page-break-inside: avoid; }
  .jp-RenderedImage img { max-width: 100%; max-height: 245mm; }
  .jp-RenderedHTMLCommon table.clientlib { width: 100%; table-layout: auto; font-size: 8.5pt; }
  .jp-RenderedHTMLCommon table.clientlib.short { break-inside: avoid; }
  .jp-RenderedHTMLCommon table.clientlib th,
  .jp-RenderedHTMLCommon table.clientlib td { padding: 2px 6px; overflow-wrap: normal;
    hyphens: manual; }
  .jp-RenderedHTMLCommon table.clientlib thead { display: table-header-group; }
}
"""

#: A table of up to this many rows is kept on one printed page.
SHORT_TABLE = 14


def heading(text: str, level: int = 2, intro: str | None = None) -> str:
    """``<hN>`` heading, optionally followed by a paragraph.

    Examples
    --------
    >>> heading("A & B", 3)
    '<h3>A &amp; B</h3>'
    """
    out = f"<h{level}>{html.escape(text)}</h{level}>"
    return out + (paragraph(intro) if intro else "")


def paragraph(text: str) -> str:
    """An escaped ``<p>``."""
    return f"<p>{html.escape(text)}</p>"


def bullets(items: Iterable[str]) -> str:
    """An escaped ``<ul>`` list."""
    return "<ul>" + "".join(f"<li>{html.escape(str(i))}</li>" for i in items) + "</ul>"


def code_bullets(items: Iterable[tuple[str, Sequence[str]]]) -> str:
    """An escaped ``<ul>``: each item is a sentence followed by ids shown as ``<code>``.

    Examples
    --------
    >>> code_bullets([("no column(s)", ["referrals"])])
    '<ul><li>no column(s) <code>referrals</code></li></ul>'
    """
    out = []
    for sentence, codes in items:
        tail = ", ".join(f"<code>{html.escape(str(c))}</code>" for c in codes)
        out.append(f"<li>{html.escape(sentence)}{' ' + tail if tail else ''}</li>")
    return "<ul>" + "".join(out) + "</ul>"


def definitions(title: str, items: Iterable[tuple[str, str]]) -> str:
    """A paragraph ``title: name value; name value`` with the values shown as ``<code>``.

    Examples
    --------
    >>> definitions("Parameters", [("lang", "en")])
    '<p>Parameters: lang <code>en</code></p>'
    """
    body = "; ".join(f"{html.escape(k)} <code>{html.escape(v)}</code>" for k, v in items)
    return f"<p>{html.escape(title)}: {body}</p>"


def _fmt(value: object, kind: str, lang: str = "en") -> str:
    # One number format per language, the catalog's (1,234.50 / 1 234,50; 12.5% / 12,5 %).
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    numeric: Any = value  # a number from a table cell (checked by the kind asked for)
    if kind == "percent":
        return _percent(float(numeric), lang, 1)
    if kind == "int":
        return number(int(numeric), lang)
    if kind == "float":
        return number(float(numeric), lang, 2)
    return str(value)


def table(
    df: pd.DataFrame,
    percent: Sequence[str] = (),
    decimals: Sequence[str] = (),
    index: bool = False,
    lang: str = "en",
    code: Sequence[str] = (),
) -> str:
    """An HTML table with formatted numbers; every cell is escaped.

    Integer columns get thousands separators, ``percent`` columns are shown as %,
    ``decimals`` with two decimals; ``lang="ru"`` writes 1 234,50 and 12,5 %
    (:func:`clientlib.messages.number`). Cells of the ``code`` columns (ids) are ``<code>``.
    Deterministic (no random ids, unlike ``Styler``). Every cell carries its column's name
    as ``data-label`` (a phone shows a row as a card of "column: value" lines, see
    :data:`PAGE_CSS`); a short table is marked ``short`` and printed on one page.

    Examples
    --------
    >>> table(pd.DataFrame({"a": ["<x>"], "share": [0.5]}), percent=["share"])[:46]
    '<table class="clientlib short"><thead><tr><th>'
    """
    frame = df.reset_index() if index else df
    kinds = {}
    for col in frame.columns:
        if col in percent:
            kinds[col] = "percent"
        elif col in decimals or pd.api.types.is_float_dtype(frame[col]):
            kinds[col] = "float"
        elif pd.api.types.is_integer_dtype(frame[col]):
            kinds[col] = "int"
        else:
            kinds[col] = "text"
    num = ' class="num"'
    head = "".join(
        f"<th{num if kinds[c] != 'text' else ''}>{html.escape(str(c))}</th>" for c in frame.columns
    )
    labels = {c: html.escape(str(c), quote=True) for c in frame.columns}
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for col, value in zip(frame.columns, row, strict=True):
            align = num if kinds[col] != "text" else ""
            cell = html.escape(_fmt(value, kinds[col], lang))
            if col in code and cell:
                cell = f"<code>{cell}</code>"
            cells.append(f'<td{align} data-label="{labels[col]}">{cell}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    short = " short" if len(frame) <= SHORT_TABLE else ""
    return (
        f'<table class="clientlib{short}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def show(*parts: str) -> None:
    """Display HTML fragments as one notebook output."""
    from IPython.display import HTML, display

    display(HTML("".join(parts)))
