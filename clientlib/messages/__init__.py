"""The one message catalog: every user-facing string, in every language of :data:`LANGS`.

Strings live in YAML files beside this module, one file a domain (``report.yaml``,
``batch.yaml``, ``cli.yaml``…); a key is ``<file stem>.<name>`` and maps each language code to a
``str.format`` template.  Numbers and dates are formatted per language here and nowhere else.
A test checks that every key exists in every language with the same fields.

Examples
--------
>>> text("common.customers", "ru", n=number(1234, "ru"))
'1\\xa0234 клиента'
>>> number(2500315.625, "en", 2), number(2500315.625, "ru", 2)
('2,500,315.62', '2\\xa0500\\xa0315,62')
"""

from __future__ import annotations

import datetime as dt
import math
import string
from functools import cache
from importlib import resources
from typing import Any

from clientlib.errors import OptionError

__all__ = [
    "LANGS",
    "catalog",
    "check_lang",
    "date",
    "fields_of",
    "number",
    "percent",
    "plural",
    "text",
]

#: The languages every message exists in; the first is the fallback.
LANGS: tuple[str, ...] = ("en", "ru")

# Narrow groups with a no-break space, as Russian typography and GOST R 8.000 write them.
_GROUP = {"en": ",", "ru": "\u00a0"}
_DECIMAL = {"en": ".", "ru": ","}


def check_lang(lang: Any) -> str:
    """Return ``lang`` when it is one of :data:`LANGS`, else raise :class:`OptionError`.

    Examples
    --------
    >>> check_lang("ru")
    'ru'
    """
    if lang not in LANGS:
        raise OptionError(f"lang must be one of {', '.join(LANGS)}, not {str(lang)[:20]!r}")
    return str(lang)


@cache
def catalog() -> dict[str, dict[str, str]]:
    """Every message: ``{key: {lang: template}}``, read once from the YAML files."""
    out: dict[str, dict[str, str]] = {}
    folder = resources.files(__name__)
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            out.update(_domain(entry.name[: -len(".yaml")]))
    return out


@cache
def _domain(domain: str) -> dict[str, dict[str, str]]:
    """The messages of one file (``cli.yaml``), read once.

    :func:`text` reads only the domain of its key: a command that prints three CLI lines does
    not parse every file.
    """
    from clientlib import yamlio

    entry = resources.files(__name__).joinpath(f"{domain}.yaml")
    if not domain or not entry.is_file():
        return {}
    data = yamlio.load_package(entry.read_text(encoding="utf-8"), f"messages/{entry.name}")
    return {
        f"{domain}.{name}": {str(k): str(v) for k, v in texts.items()}
        for name, texts in (data or {}).items()
    }


def fields_of(template: str) -> set[str]:
    """The ``{field}`` names a template uses (for the catalog's consistency test)."""
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(template) if f}


def text(key: str, lang: str = "en", /, **fields: Any) -> str:
    """The message ``key`` in ``lang``, with ``fields`` filled in.

    Counted nouns use ``{n}`` plus a plural choice written in the template as
    ``{n|customer|customers}`` for English or ``{n|клиент|клиента|клиентов}`` for Russian
    (one, few, many).

    Examples
    --------
    >>> text("common.customers", "en", n="1")
    '1 customer'
    """
    entry = _domain(key.partition(".")[0]).get(key)
    if entry is None:
        raise KeyError(f"no message {key!r} in the catalog")
    template = entry.get(lang) or entry[LANGS[0]]
    return _plurals(template, lang, fields).format(**fields)


def _plurals(template: str, lang: str, fields: dict[str, Any]) -> str:
    # "{n|customer|customers}" -> the right form for fields["n"]; other fields stay as they are.
    out: list[str] = []
    rest = template
    while "|" in rest and "{" in rest:
        start = rest.find("{")
        end = rest.find("}", start)
        if start < 0 or end < 0:
            break
        inner = rest[start + 1 : end]
        if "|" not in inner:
            out.append(rest[: end + 1])
            rest = rest[end + 1 :]
            continue
        name, *forms = inner.split("|")
        value = fields.get(name)
        out.append(rest[:start] + "{" + name + "} " + plural(_count(value, lang), forms, lang))
        rest = rest[end + 1 :]
    out.append(rest)
    return "".join(out)


def _count(value: Any, lang: str = "en") -> float:
    # A number already formatted by number(): its group and decimal marks are the language's.
    if isinstance(value, str):
        digits = value.replace(_GROUP.get(lang, ","), "").replace(" ", "")
        try:
            return float(digits.replace(_DECIMAL.get(lang, "."), "."))
        except ValueError:
            return 0.0
    return float(value or 0)


def plural(n: float, forms: list[str] | tuple[str, ...], lang: str) -> str:
    """The noun form for ``n``: English one/other, Russian one/few/many.

    Examples
    --------
    >>> [plural(n, ["клиент", "клиента", "клиентов"], "ru") for n in (1, 2, 5, 11, 21)]
    ['клиент', 'клиента', 'клиентов', 'клиентов', 'клиент']
    """
    if not forms:
        return ""
    if n != int(n):
        return forms[1] if len(forms) > 1 else forms[0]
    k = abs(int(n))
    if lang == "ru" and len(forms) >= 3:
        if k % 10 == 1 and k % 100 != 11:
            return forms[0]
        if 2 <= k % 10 <= 4 and not 12 <= k % 100 <= 14:
            return forms[1]
        return forms[2]
    return forms[0] if k == 1 else forms[-1]


def number(x: Any, lang: str = "en", digits: int = 0) -> str:
    """A number with the language's group and decimal separators.

    Examples
    --------
    >>> number(69659, "en"), number(0.5, "ru", 2), number(float("nan"), "en")
    ('69,659', '0,50', '–')
    """
    if x is None:
        return "–"
    value = float(x)
    if math.isnan(value):
        return "–"
    body = f"{value:,.{digits}f}"
    return body.replace(",", "\x00").replace(".", _DECIMAL.get(lang, ".")).replace(
        "\x00", _GROUP.get(lang, ",")
    )


def percent(share: Any, lang: str = "en", digits: int = 1) -> str:
    """A share (0..1) as a percentage: ``12.5%`` in English, ``12,5 %`` in Russian.

    Examples
    --------
    >>> percent(0.125, "en"), percent(0.125, "ru")
    ('12.5%', '12,5\\xa0%')
    """
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    body = number(float(share) * 100, lang, digits)
    return body + ("\u00a0%" if lang == "ru" else "%")


_MONTHS_RU = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)


def date(d: Any, lang: str = "en", *, long: bool = False) -> str:
    """A date as the language writes it: ISO in English, ``06.01.2025`` in Russian.

    ``long=True`` gives ``6 January 2025`` / ``6 января 2025``.

    Examples
    --------
    >>> date(dt.date(2025, 1, 6), "ru"), date(dt.date(2025, 1, 6), "ru", long=True)
    ('06.01.2025', '6 января 2025')
    """
    if d is None:
        return "–"
    if isinstance(d, str):
        d = dt.date.fromisoformat(d[:10])
    if isinstance(d, dt.datetime):
        d = d.date()
    if not isinstance(d, dt.date):
        d = dt.date.fromisoformat(str(d)[:10])
    if long:
        if lang == "ru":
            return f"{d.day} {_MONTHS_RU[d.month - 1]} {d.year}"
        return f"{d.day} {d:%B} {d.year}"
    return d.strftime("%d.%m.%Y") if lang == "ru" else d.isoformat()
