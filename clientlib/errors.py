"""One error taxonomy: every error a user can cause derives from :class:`ClientlibError`.

The command line prints a :class:`ClientlibError` as one line and exits with code 2; any other
exception is a bug in clientlib, printed as a one-line internal error (``--debug`` shows the
traceback).

Examples
--------
>>> issubclass(InputError, ClientlibError) and issubclass(OptionError, ClientlibError)
True
"""

from __future__ import annotations

from typing import Any, TypeVar

__all__ = [
    "said",
    "ClientlibError",
    "InputError",
    "NotApplicableError",
    "OptionError",
    "OutputError",
]


class ClientlibError(ValueError):
    """An error caused by the user's input, options or environment (printed without a traceback).

    An error made by :func:`said` keeps its message catalog ``key`` and ``fields``, so the command
    line, a report or a lesson says it again in its own language (:meth:`in_language`).
    """

    key: str | None = None
    fields: dict[str, Any] = {}

    def in_language(self, lang: str) -> str:
        """The message in ``lang``: the catalog's text when the error has a key, else as raised."""
        if not self.key:
            return " ".join(str(self).split("\n"))
        return _render(self.key, lang, self.fields)


class InputError(ClientlibError):
    """An input file or table cannot be read as it is (format, encoding, columns, values)."""


class OptionError(ClientlibError):
    """An option, parameter or configuration value is invalid (checked before any input is read)."""


class OutputError(ClientlibError):
    """An output cannot be written where asked (an input's path, a read-only folder, …)."""


class NotApplicableError(ClientlibError):
    """A framework cannot run on this data: the columns it needs are absent or carry no signal."""


E = TypeVar("E", bound=ClientlibError)


def said(cls: type[E], key: str, /, **fields: Any) -> E:
    """An error of ``cls`` whose message is the catalog's ``key`` (the English text as its message).

    Examples
    --------
    >>> err = said(OptionError, "mapping.unknown_role", role="client", roles="customer_id")
    >>> str(err).startswith("unknown role 'client'"), err.in_language("ru").split(";")[0]
    (True, "неизвестная роль 'client' в сопоставлении")
    """
    err = cls(_render(key, "en", fields))
    err.key, err.fields = key, dict(fields)
    return err


def _render(key: str, lang: str, fields: dict[str, Any]) -> str:
    from clientlib.messages import text

    return text(key, lang, **{k: _shown(v, lang) for k, v in fields.items()})


def _shown(value: Any, lang: str) -> Any:
    # counts are written as the language writes numbers (1 234 in Russian)
    if isinstance(value, int) and not isinstance(value, bool):
        from clientlib.messages import number

        return number(value, lang)
    return value
