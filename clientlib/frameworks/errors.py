"""The rulebook error, in a module that imports nothing heavy.

The catalog and the CLI refuse a framework name with it before pandas or Ibis are loaded;
:mod:`clientlib.frameworks.language` (the rule language) derives its syntax error from it.
"""

from __future__ import annotations

from clientlib.errors import OptionError

__all__ = ["RulebookError"]


class RulebookError(OptionError):
    """A rulebook is malformed (structure, params, classes)."""
