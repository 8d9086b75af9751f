"""Reading a rendered page as a person does: its visible text, and the numbers in a sentence."""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: What a reader does not read as prose: code (ids are code), styles, scripts and the <head>.
HIDDEN = frozenset({"code", "style", "script", "head", "title"})


class _Visible(HTMLParser):
    def __init__(self, hidden: frozenset[str]) -> None:
        super().__init__()
        self.hidden = hidden
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.hidden:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.hidden:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth == 0:
            self.parts.append(data)


def visible_text(page: str, hidden: frozenset[str] = HIDDEN, sep: str = " ") -> str:
    """The text a browser shows in ``page``'s body, without the ``hidden`` elements."""
    parser = _Visible(hidden)
    parser.feed(page)
    return sep.join(parser.parts)


def numbers(text: str, lang: str) -> list[float]:
    """Every number of a sentence, as the language writes it (groups and decimal mark)."""
    if lang == "ru":
        found = re.findall(r"\d{1,3}(?:\u00a0\d{3})+(?:,\d+)?|\d+(?:,\d+)?", text)
        return [float(x.replace("\u00a0", "").replace(",", ".")) for x in found]
    found = re.findall(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", text)
    return [float(x.replace(",", "")) for x in found]
