"""The report's own words, looked up in the message catalog (``clientlib/messages/report.yaml``).

Labels of classes come from the rulebooks; everything else the report says is a key of the
catalog's ``report`` domain, so a report switches language with one parameter. Numbers are
formatted here, per language, before they reach a sentence (:func:`clientlib.messages.number`,
:func:`~clientlib.messages.percent`, :func:`~clientlib.messages.date`).
"""

from __future__ import annotations

from typing import Any

from clientlib.messages import LANGS, catalog, text

__all__ = ["LANGS", "TEXT", "t"]


def _table() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
    for key, texts in catalog().items():
        if key.startswith("report."):
            for lang in LANGS:
                out[lang][key[len("report."):]] = texts.get(lang, texts[LANGS[0]])
    return out


#: Read-only view of the ``report`` domain: ``{lang: {name: template}}`` (built from the catalog).
TEXT: dict[str, dict[str, str]] = _table()


def t(lang: str, key: str, **values: Any) -> str:
    """The report string ``key`` in ``lang``, with ``values`` (already formatted) filled in.

    Examples
    --------
    >>> t("en", "quality")
    'Data quality'
    >>> t("ru", "s_k_fixed", k=4)
    'Для k-means задано k = 4 (параметр отчёта).'
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return text(f"report.{key}", lang, **values)
