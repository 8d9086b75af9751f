"""One parameter model for reading inputs, shared by Python, the CLI, reports and batch configs.

:class:`InputOptions` is the set of options every reader takes (``--returns``, ``--duplicates``,
``--zero-amount``, ``--sep``, ``--encoding``, ``--date-format``, ``--dayfirst/--monthfirst``,
``--decimal``, ``--analysis-date``, ``--sheet``, ``--header-row``).  The CLI builds it from its
flags, the report template and the batch YAML from their values; the readers take it as keyword
arguments.  Errors name the field.

Examples
--------
>>> InputOptions(duplicates="drop").duplicates
'drop'
>>> InputOptions.parse({"zero_amount": "maybe"})
Traceback (most recent call last):
...
clientlib.errors.OptionError: zero_amount: must be one of keep, drop (got 'maybe')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from clientlib.errors import OptionError

__all__ = ["InputOptions", "option_error"]


def option_error(exc: ValidationError, prefix: str = "") -> OptionError:
    """One line from a pydantic error: the field, what it must be, what was given."""
    parts = []
    for err in exc.errors()[:3]:
        field = ".".join(str(p) for p in err.get("loc", ())) or "value"
        given = err.get("input")
        msg = str(err.get("msg", "invalid"))
        ctx = err.get("ctx") or {}
        if err.get("type") == "literal_error" and "expected" in ctx:
            choices = str(ctx["expected"]).replace("'", "").replace(" or ", ", ")
            msg = f"must be one of {choices}"
        elif err.get("type") == "extra_forbidden":
            msg = "is not a known option"
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        shown = repr(given)[:40] if given is not None and not isinstance(given, dict) else ""
        parts.append(f"{prefix}{field}: {msg}" + (f" (got {shown})" if shown else ""))
    return OptionError("; ".join(parts))


class InputOptions(BaseModel):
    """How to read the user's tables.

    Parameters
    ----------
    returns : {'net', 'drop', 'error'}
        Negative amounts: net them into spend (default), exclude them (counted), or refuse.
    duplicates : {'keep', 'drop', 'error'}
        Exact copies of a whole input row: keep them (default, counted as a note), drop them
        (counted), or refuse.
    zero_amount : {'keep', 'drop'}
        A zero-amount line is an order with zero spend (default) or is excluded (counted).
    sep, encoding : str, optional
        CSV separator (sniffed when absent) and text encoding (decided from the bytes when
        absent: :mod:`clientlib.encodings`).
    date_format : str, optional
        A ``strptime`` format for every timestamp column, e.g. ``'%d/%m/%Y %H:%M'``.
    dayfirst : bool, optional
        ``True`` reads ``01/02/2024`` as 1 February, ``False`` as January 2; ``None`` decides
        from the whole column and refuses a column that stays ambiguous.
    decimal : {',', '.'}, optional
        The decimal separator of number columns; ``None`` decides per column.
    analysis_date : date, optional
        The cut-off (ISO ``YYYY-MM-DD``); default: the day after the last transaction.
    sheet : str or int, optional
        The sheet of an xlsx / xls / ods file: its name, or its position (1 = the first);
        default the first sheet. ``transactions=Продажи,customers=Клиенты`` names one per
        table (one workbook with a sheet for each).
    header_row : int, optional
        The row of a sheet that holds the column names (1 = the first row); default found
        below any title block.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    returns: Literal["net", "drop", "error"] = "net"
    duplicates: Literal["keep", "drop", "error"] = "keep"
    zero_amount: Literal["keep", "drop"] = "keep"
    sep: str | None = None
    encoding: str | None = None
    date_format: str | None = None
    dayfirst: bool | None = None
    decimal: Literal[",", "."] | None = None
    analysis_date: dt.date | None = None
    sheet: int | str | None = None
    header_row: int | None = Field(default=None, ge=1)

    @field_validator("sheet", mode="before")
    @classmethod
    def _sheet(cls, value: Any) -> Any:
        if isinstance(value, bool) or (isinstance(value, int) and value < 1):
            raise ValueError("give a sheet name or its position, 1 for the first sheet")
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("analysis_date", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        try:
            if len(text) != 10:
                raise ValueError
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError("write the date as YYYY-MM-DD, e.g. 2024-12-31") from None

    @field_validator("sep")
    @classmethod
    def _one_char(cls, value: str | None) -> str | None:
        if value is not None and (len(value) != 1 or value in "\r\n\"'"):
            raise ValueError("a separator is one character such as , ; | or a tab")
        return value

    @classmethod
    def parse(cls, values: Mapping[str, Any] | None = None, prefix: str = "") -> InputOptions:
        """Build from a mapping (CLI flags, report parameters, a batch entry).

        Errors name the field (``prefix`` is put before it, e.g. ``reports.weekly.``).
        """
        try:
            return cls(**dict(values or {}))
        except ValidationError as exc:
            raise option_error(exc, prefix) from None

    def reader_kwargs(self) -> dict[str, Any]:
        """The options as keyword arguments of :func:`clientlib.io.read_transactions` & co."""
        return self.model_dump()
