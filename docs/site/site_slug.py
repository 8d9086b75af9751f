"""Readable anchors for headings in any language (MyST's ``myst_heading_slug_func``).

Cyrillic headings get Latin slugs (GOST-like transliteration), so «Упражнения» is
``#uprazhneniia`` instead of docutils' ``#id7``, and a trainer can share a link to it.

Examples
--------
>>> slug("Упражнение 1: цикл покороче")
'uprazhnenie-1-tsikl-pokoroche'
>>> slug("The rulebook")
'the-rulebook'
"""

from __future__ import annotations

import re

_TABLE = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r",
     "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "iu", "ia"],
    strict=True))


def slug(text: str) -> str:
    """A lower-case ASCII slug of a heading: letters transliterated, the rest hyphens."""
    latin = "".join(_TABLE.get(ch, ch) for ch in text.lower())
    latin = re.sub(r"[^a-z0-9]+", "-", latin)
    return latin.strip("-") or "section"
