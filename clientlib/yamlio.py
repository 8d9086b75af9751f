"""Bounded, safe YAML: the one loader for rulebooks, params files and batch configs.

``yaml.safe_load`` already refuses tags that build Python objects, but it still expands aliases
(the "billion laughs" pattern) and keeps the last of two equal keys.  :func:`load` refuses both,
limits the text's size and nesting, and names the line of each problem.

Examples
--------
>>> load("a: 1\\nb: [x, y]\\n", origin="demo.yaml")
{'a': 1, 'b': ['x', 'y']}
>>> load("a: 1\\na: 2\\n", origin="demo.yaml")
Traceback (most recent call last):
...
clientlib.errors.OptionError: demo.yaml, line 2: key 'a' is given twice
"""

from __future__ import annotations

from typing import Any

import yaml

from clientlib.errors import ClientlibError, OptionError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "load", "load_package"]

#: Largest YAML text accepted (rulebooks and configs are a few kB).
MAX_BYTES = 1_000_000
#: Deepest nesting of mappings and lists accepted.
MAX_DEPTH = 50


def _short(value: Any, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Loader(yaml.SafeLoader):
    """SafeLoader without aliases, with duplicate keys refused and nesting bounded."""

    origin = "<yaml>"
    error: type[ClientlibError] = OptionError

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise self.error(
                f"{self.origin}, line {event.start_mark.line + 1}: YAML aliases (*name) "
                "are not accepted; write the value out"
            )
        depth = getattr(self, "_depth", 0)
        if depth > MAX_DEPTH:
            event = self.peek_event()
            raise self.error(
                f"{self.origin}, line {event.start_mark.line + 1}: nested deeper than "
                f"{MAX_DEPTH} levels"
            )
        self._depth = depth + 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth = depth

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:
                raise self.error(
                    f"{self.origin}, line {key_node.start_mark.line + 1}: a key must be "
                    f"a plain value, got {_short(key)}"
                ) from None
            if duplicate:
                raise self.error(
                    f"{self.origin}, line {key_node.start_mark.line + 1}: key "
                    f"'{_short(key)}' is given twice"
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load(
    text: str | bytes,
    origin: str = "<yaml>",
    *,
    error: type[ClientlibError] = OptionError,
    max_bytes: int = MAX_BYTES,
) -> Any:
    """Parse YAML text safely: no aliases, no duplicate keys, bounded size and depth.

    Parameters
    ----------
    text : str or bytes
        The YAML text (bytes must be UTF-8).
    origin : str
        Name used in error messages (a file name).
    error : type
        The :class:`ClientlibError` subclass raised for any problem.
    max_bytes : int
        Largest text accepted.

    Returns
    -------
    object
        The loaded value (mapping, list, scalar or None).

    Examples
    --------
    >>> try:
    ...     load("- &a x\\n- *a\\n", origin="x.yaml")
    ... except OptionError as exc:
    ...     print(exc)
    x.yaml, line 2: YAML aliases (*name) are not accepted; write the value out
    """
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            raise error(f"{origin}: {len(text):,} bytes is more than the {max_bytes:,} accepted")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise error(f"{origin}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    if len(text) > max_bytes:
        raise error(f"{origin}: {len(text):,} characters is more than the {max_bytes:,} accepted")
    loader_cls = type("_BoundLoader", (_Loader,), {"origin": origin, "error": error})
    loader = loader_cls(text)
    try:
        return loader.get_single_data()
    except ClientlibError:
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(f"{origin}{where}: not valid YAML: {_short(problem, 120)}") from None
    except RecursionError:
        raise error(f"{origin}: nested too deeply") from None
    finally:
        loader.dispose()


def load_package(text: str, origin: str) -> Any:
    """Parse a YAML file shipped inside clientlib (the message catalog) with libyaml's C parser.

    These files are ours, not the user's: the bounds of :func:`load` guard against hostile
    text, and ``tests/test_yamlio.py`` checks that every shipped file passes :func:`load` with
    the same result. The C parser reads the catalog ~10× faster than the pure-Python one, which
    every command and report kernel would otherwise pay.

    Examples
    --------
    >>> load_package("a: [1, 2]\\n", origin="demo.yaml")
    {'a': [1, 2]}
    """
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:  # PyYAML built without libyaml
        return load(text, origin=origin)
    return yaml.load(text, Loader=loader)  # noqa: S506 - the safe loader, on our own files
