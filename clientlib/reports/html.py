"""Small HTML outputs for the report notebook: headings, lists, tables (all text escaped)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

import pandas as pd

__all__ = ["bullets", "heading", "paragraph", "show", "table"]


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


def _fmt(value: object, kind: str, lang: str = "en") -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if kind == "percent":
        text = f"{float(value):.1%}"
    elif kind == "int":
        text = f"{int(value):,}"
    elif kind == "float":
        text = f"{float(value):,.2f}"
    else:
        return str(value)
    if lang == "ru":  # 1 234,5 and 12,5 %
        text = text.replace(",", "\u202f").replace(".", ",").replace("%", "\u00a0%")
    return text


def table(
    df: pd.DataFrame,
    percent: Sequence[str] = (),
    decimals: Sequence[str] = (),
    index: bool = False,
    lang: str = "en",
) -> str:
    """An HTML table with formatted numbers; every cell is escaped.

    Integer columns get thousands separators, ``percent`` columns are shown as %,
    ``decimals`` with two decimals; ``lang="ru"`` writes 1 234,50 and 12,5 %.
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
            cells.append(f"<td{align}>{html.escape(_fmt(value, kinds[col], lang))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table class="clientlib"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def show(*parts: str) -> None:
    """Display HTML fragments as one notebook output."""
    from IPython.display import HTML, display

    display(HTML("".join(parts)))
