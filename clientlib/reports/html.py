"""Small HTML outputs for the report notebook: headings, lists, tables (all text escaped)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from clientlib.messages import number
from clientlib.messages import percent as _percent

__all__ = ["bullets", "code_bullets", "definitions", "heading", "paragraph", "show", "table"]


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
    Deterministic (no random ids, unlike ``Styler``).

    Examples
    --------
    >>> table(pd.DataFrame({"a": ["<x>"], "share": [0.5]}), percent=["share"])[:40]
    '<table class="clientlib"><thead><tr><th>'
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
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for col, value in zip(frame.columns, row, strict=True):
            align = num if kinds[col] != "text" else ""
            cell = html.escape(_fmt(value, kinds[col], lang))
            if col in code and cell:
                cell = f"<code>{cell}</code>"
            cells.append(f"<td{align}>{cell}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table class="clientlib"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def show(*parts: str) -> None:
    """Display HTML fragments as one notebook output."""
    from IPython.display import HTML, display

    display(HTML("".join(parts)))
