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

__all__ = [
    "ClientlibError",
    "InputError",
    "NotApplicableError",
    "OptionError",
    "OutputError",
]


class ClientlibError(ValueError):
    """An error caused by the user's input, options or environment (printed without a traceback)."""


class InputError(ClientlibError):
    """An input file or table cannot be read as it is (format, encoding, columns, values)."""


class OptionError(ClientlibError):
    """An option, parameter or configuration value is invalid (checked before any input is read)."""


class OutputError(ClientlibError):
    """An output cannot be written where asked (an input's path, a read-only folder, …)."""


class NotApplicableError(ClientlibError):
    """A framework cannot run on this data: the columns it needs are absent or carry no signal."""
