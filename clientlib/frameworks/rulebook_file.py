"""The shape of a rulebook YAML file as a pydantic model, for editors' JSON Schema.

Kept apart from :mod:`clientlib.frameworks.rulebook` (Ibis, the facts) so that ``clientlib schema
rulebook`` imports pydantic and nothing else; :class:`~clientlib.frameworks.rulebook.Rulebook`
checks much more than this shape.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["RulebookFile", "json_schema"]

_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class _ClassFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=_ID_RE.pattern, description="snake_case class id")
    label: dict[str, str] | str = Field(description="{en: ..., ru: ...}; en is required")
    when: str | None = Field(None, description="the condition (the rule language)")
    otherwise: bool = Field(False, description="true on the last class: the catch-all")
    action: dict[str, str] | str | None = Field(None, description="{en: ..., ru: ...}")
    note: str | None = None
    reason: dict[str, str] | str | None = Field(
        None, description="{en: ..., ru: ...}: words shown as the reason instead of the rule"
    )


class RulebookFile(BaseModel):
    """The shape of a rulebook YAML file, for editors (``clientlib schema rulebook``).

    :meth:`Rulebook.from_dict` checks more than this shape: the rules themselves, params
    against their defaults, labels unique per language.
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=_ID_RE.pattern, description="the framework's id (file name)")
    framework: str | None = Field(None, description="older name of id")
    title: dict[str, str] | str | None = None
    source: str | None = Field(None, description="where the framework comes from")
    description: str | None = None
    hook: str | None = Field(None, description="code module in clientlib.frameworks")
    order: int | None = Field(None, description="place in the teaching order")
    in_all: bool = Field(True, description="run by --framework all")
    signal: list[str] | None = Field(None, description="not applicable when none varies")
    params: dict[str, Any] | None = None
    columns: dict[str, str] | list[str] | None = Field(
        None, description="name: num|str|bool|date|any"
    )
    scoring: dict[str, Any] | None = Field(None, description="RFM scoring (hook: rfm)")
    classes: list[_ClassFile] = Field(min_length=1)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a rulebook file.

    Examples
    --------
    >>> json_schema()["required"]
    ['id', 'classes']
    """
    return RulebookFile.model_json_schema()
