"""Column roles, the user's mapping onto them, validation errors and the quality report.

Every table clientlib reads is described by *roles* (``customer_id``, ``timestamp``, ``amount``…).
A user's export names its columns its own way; a mapping ``{role: column}`` says which is which.
Errors raised here all derive from :class:`ClientlibError` and carry a message that names the
column, the count, a few examples and the fix, so the command line can print them without a
traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from clientlib.errors import ClientlibError, InputError

#: Roles per table kind: (required roles, optional roles).
ROLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "transactions": (
        ("customer_id", "timestamp"),
        ("amount", "quantity", "unit_price", "order_id", "discount", "is_express", "is_premium"),
    ),
    "events": (
        ("customer_id", "timestamp", "kind"),
        ("sentiment", "referred_customer_id"),
    ),
    "customers": (("customer_id",), ()),
}

#: Event kinds the features understand; other kinds are kept and reported in a warning.
EVENT_KINDS = (
    "lead",
    "enquiry",
    "visit",
    "negotiation",
    "postponement",
    "contact",
    "complaint",
    "refund",
    "referral",
    "review",
    "dossier_review",
)

#: Yes/no survey answers of the customers table that the frameworks read (Mendocha's five
#: criteria, then the awareness stages).
SURVEY_COLUMNS = (
    "has_money",
    "has_urgent_problem",
    "likes_usp",
    "has_authority",
    "finds_offer_acceptable",
    "does_in_house",
    "tried_diy",
    "had_problems",
    "seeking_vendor",
    "knows_product",
)

#: Exclusion reasons, in the order they are checked (a row is counted under its first reason).
REASONS = {
    "missing_customer_id": "customer id is empty or missing",
    "unparsable_timestamp": "timestamp is missing or cannot be read as a date",
    "implausible_timestamp": "dated before 1900 or more than a year after today",
    "unparsable_amount": "amount is missing or not a number",
    "non_finite_amount": "amount is infinite, NaN or too large to be a number",
    "after_analysis_date": "dated on or after the analysis date",
    "zero_amount": "amount is zero under --zero-amount drop (a 100% discounted item is kept)",
    "return_line": "negative amount (return or cancellation) under returns='drop'",
    "duplicate": "exact duplicate of an earlier row",
    "duplicate_customer": "customer id appears more than once in the customers table",
}

RETURN_POLICIES = ("net", "drop", "error")

#: Column names that mean a role when no column is named like the role and the mapping does not
#: name one (lower case, ё written е): the headers of Russian 1C and Excel exports. A name
#: matched by more than one column decides nothing.
ALIASES: dict[str, tuple[str, ...]] = {
    "customer_id": ("покупатель", "клиент", "контрагент", "код клиента", "код покупателя"),
    "timestamp": ("дата", "период", "дата документа", "дата продажи", "дата заказа"),
    "amount": ("сумма", "сумма документа", "сумма продажи", "сумма заказа"),
    "order_id": ("номер", "документ", "номер документа", "номер заказа"),
    "quantity": ("количество", "кол-во"),
    "unit_price": ("цена",),
}


def _alias_key(name: str) -> str:
    return " ".join(str(name).replace("ё", "е").replace("Ё", "Е").lower().split())


def aliased(
    resolved: Mapping[str, str], mapping: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The roles of ``resolved`` that were recognised by an alias (:data:`ALIASES`).

    Examples
    --------
    >>> aliased(resolve_columns("transactions", ["Покупатель", "Дата", "Сумма"]))
    {'customer_id': 'Покупатель', 'timestamp': 'Дата', 'amount': 'Сумма'}
    """
    mapping = mapping or {}
    return {
        r: c
        for r, c in resolved.items()
        if r not in mapping and c != r and _alias_key(c) in ALIASES.get(r, ())
    }


#: Why a customer has no usable purchase line (counted in ``customers_without_purchase``).
NO_PURCHASE = {
    "only_return_lines": "every usable line is a return",
}


class EmptyInputError(InputError):
    """The input has no data rows."""


class MissingColumnsError(InputError):
    """Required columns are absent; carries the missing roles/columns and the columns found."""

    def __init__(self, message: str, missing: Sequence[str] = (), found: Sequence[str] = ()):
        super().__init__(message)
        self.missing = list(missing)
        self.found = list(found)


class ColumnTypeError(InputError):
    """A column holds values of the wrong type and no usable row is left."""


class ReturnsError(InputError):
    """Return lines are present under ``returns='error'``."""


def parse_mapping(spec: str | Mapping[str, str] | None) -> dict[str, str]:
    """Turn ``"customer_id=CustomerID,timestamp=InvoiceDate"`` (or a dict) into ``{role: column}``.

    Examples
    --------
    >>> parse_mapping("customer_id=CustomerID, amount=Revenue")
    {'customer_id': 'CustomerID', 'amount': 'Revenue'}
    """
    if spec is None:
        return {}
    if isinstance(spec, Mapping):
        return {str(k): str(v) for k, v in spec.items()}
    known = {r for req, opt in ROLES.values() for r in (*req, *opt)}
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        role, sep, column = part.partition("=")
        role, column = role.strip(), column.strip()
        if role in out:
            raise ClientlibError(
                f"the mapping gives role {role!r} twice ({out[role]!r} and {column!r}); "
                "map each role once"
            )
        if not sep or not role or not column:
            raise ClientlibError(
                f"cannot read mapping item {part!r}: write ROLE=COLUMN, "
                "e.g. --map customer_id=CustomerID,timestamp=InvoiceDate"
            )
        if role not in known:
            raise ClientlibError(
                f"unknown role {role!r} in mapping; roles are: {', '.join(sorted(known))}"
            )
        out[role] = column
    return out


def resolve_columns(
    kind: str, columns: Sequence[str], mapping: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Return ``{role: column}`` for the roles present, checking the required ones.

    A role maps to the column the user named, or else to a column spelled like the role.
    Raises :class:`MissingColumnsError` naming what is missing and what was found.
    """
    required, optional = ROLES[kind]
    # One mapping serves all tables: each table takes the roles it has.
    mapping = {r: c for r, c in (mapping or {}).items() if r in (*required, *optional)}
    columns = [str(c) for c in columns]
    by_column: dict[str, list[str]] = {}
    for r, c in mapping.items():
        by_column.setdefault(c, []).append(r)
    twice = {c: rs for c, rs in by_column.items() if len(rs) > 1}
    if twice:
        c, rs = next(iter(twice.items()))
        raise ClientlibError(
            f"{kind}: the mapping gives column {c!r} two roles ({', '.join(rs)}); "
            "map each column to one role"
        )
    absent = {r: c for r, c in mapping.items() if c not in columns}
    if absent:
        items = ", ".join(f"{r}={c}" for r, c in absent.items())
        raise MissingColumnsError(
            f"{kind}: the mapping names {'a column' if len(absent) == 1 else 'columns'} "
            f"that {'is' if len(absent) == 1 else 'are'} not there ({items}); "
            f"columns found: {', '.join(columns) or '(none)'}. Fix the --map option.",
            missing=list(absent.values()),
            found=columns,
        )
    # Roles that are also data columns of the customers table pass through unmapped.
    resolved: dict[str, str] = {}
    taken = set(mapping.values())
    for role in (*required, *optional):
        if role in mapping:
            resolved[role] = mapping[role]
        elif role in columns:
            resolved[role] = role
        else:
            named = [
                c for c in columns if c not in taken and _alias_key(c) in ALIASES.get(role, ())
            ]
            if len(named) == 1:
                resolved[role] = named[0]
                taken.add(named[0])
    missing = [r for r in required if r not in resolved]
    if (
        kind == "transactions"
        and "amount" not in resolved
        and not ("quantity" in resolved and "unit_price" in resolved)
    ):
        missing.append("amount (or quantity and unit_price)")
    if missing:
        hint = ", ".join(f"{m.split(' ')[0]}=YOUR_COLUMN" for m in missing)
        raise MissingColumnsError(
            f"{kind}: missing column{'s' if len(missing) > 1 else ''} for "
            f"{', '.join(missing)}; columns found: {', '.join(columns) or '(none)'}. "
            f"Rename them or map them, e.g. --map {hint}",
            missing=missing,
            found=columns,
        )
    return resolved


def examples_text(values: Iterable[Any], n: int = 3) -> str:
    """Format up to ``n`` example values for an error message."""
    vals = list(values)[:n]
    return ", ".join(repr(v) for v in vals) if vals else "(none)"


def _msg(key: str, lang: str, **fields: Any) -> str:
    from clientlib.messages import catalog, text

    return text(key, lang, **fields) if key in catalog() else ""


@dataclass
class QualityReport:
    """What happened to every row read: used, or excluded with a reason.

    ``rows_read == rows_used + sum(excluded.values())`` always holds.
    """

    table: str
    rows_read: int = 0
    rows_used: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)
    #: Distinct customers among the used rows.
    customers: int | None = None
    #: Orders among the used rows (lines with one order id are one order; return lines are not).
    orders: int | None = None
    #: Sum of the used amounts (returns netted).
    revenue: float | None = None
    first_date: Any = None
    last_date: Any = None
    analysis_date: Any = None
    #: Customers seen in the input with no usable purchase line, by reason.
    customers_without_purchase: dict[str, int] = field(default_factory=dict)
    #: The input column each role was read from (``{role: column}``).
    columns: dict[str, str] = field(default_factory=dict)
    #: Notes that people read in their language: ``{note: (catalog key, fields)}``; the
    #: English text is also in :attr:`notes`.
    said: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def say(self, note: str, key: str, **fields: Any) -> None:
        """Record a note as the catalog's ``key`` (English in :attr:`notes`, any language in
        :meth:`summary_frame`).
        """
        from clientlib.messages import text

        self.notes[note] = text(key, "en", **fields)
        self.said[note] = (key, dict(fields))

    @property
    def rows_excluded(self) -> int:
        """Rows excluded, all reasons together."""
        return int(sum(self.excluded.values()))

    def check(self) -> None:
        """Assert the books balance (every row used or excluded)."""
        if self.rows_used + self.rows_excluded != self.rows_read:
            raise AssertionError(
                f"{self.table}: {self.rows_read} read != {self.rows_used} used + "
                f"{self.rows_excluded} excluded"
            )

    def to_frame(self, lang: str | None = None):
        """One row per outcome: ``used`` and each exclusion reason, with counts and shares.

        ``meaning`` is in ``lang`` (``en`` or ``ru``, from the message catalog).

        Examples
        --------
        >>> QualityReport("transactions", 3, 2, {"duplicate": 1}).to_frame("ru")["meaning"][1]
        'точная копия более ранней строки'
        """
        import pandas as pd

        from clientlib.messages import check_lang

        lang = check_lang(lang or "en")
        rows = [{"table": self.table, "outcome": "used", "rows": self.rows_used, "meaning": ""}]
        for reason, n in self.excluded.items():
            key = f"io.reason_{reason}"
            rows.append(
                {
                    "table": self.table,
                    "outcome": reason,
                    "rows": n,
                    "meaning": _msg(key, lang) or REASONS.get(reason, ""),
                }
            )
        df = pd.DataFrame(rows)
        df["share"] = df["rows"] / self.rows_read if self.rows_read else 0.0
        return df

    def summary_frame(self, lang: str | None = None):
        """The table's account in ``lang``: rows read and used, customers, orders, revenue,
        date range, analysis date, formats read, and customers without a usable purchase
        line by reason — two columns, ``item`` and ``value``.

        Examples
        --------
        >>> QualityReport("customers", 2, 2, customers=2).summary_frame("en")["value"].tolist()
        ['2', '2', '2']
        """
        import pandas as pd

        from clientlib.messages import check_lang, date, number

        lang = check_lang(lang or "en")
        items: list[tuple[str, str]] = [
            (_msg("io.rows_read", lang), number(self.rows_read, lang)),
            (_msg("io.rows_used", lang), number(self.rows_used, lang)),
        ]
        if self.customers is not None:
            items.append((_msg("io.customers", lang), number(self.customers, lang)))
        if self.orders is not None:
            items.append((_msg("io.orders", lang), number(self.orders, lang)))
        if self.revenue is not None:
            items.append((_msg("io.revenue", lang), number(self.revenue, lang, 2)))
        if self.first_date is not None:
            items.append(
                (
                    _msg("io.date_range", lang),
                    f"{date(self.first_date, lang)} – {date(self.last_date, lang)}",
                )
            )
        if self.analysis_date is not None:
            items.append((_msg("io.analysis_date", lang), date(self.analysis_date, lang)))
        for key in ("timestamp_format", "amount_format", "customer_id", "order_id"):
            if key in self.notes:
                items.append((_msg(f"io.note_{key}", lang), str(self.notes[key])))
        for note, (key, fields) in self.said.items():
            items.append((_msg(f"io.note_{note}", lang), _msg(key, lang, **fields)))
        if "duplicates_kept" in self.notes:
            items.append(
                (_msg("io.duplicates_kept", lang), number(self.notes["duplicates_kept"], lang))
            )
        for reason, n in self.customers_without_purchase.items():
            what = _msg(f"io.reason_{reason}", lang) or reason
            items.append((_msg("io.customers_without_purchase", lang, why=what), number(n, lang)))
        return pd.DataFrame(items, columns=["item", "value"])

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data (for ``--json`` and the batch manifest)."""
        return {
            "table": self.table,
            "rows_read": self.rows_read,
            "rows_used": self.rows_used,
            "excluded": dict(self.excluded),
            "examples": self.examples,
            "warnings": list(self.warnings),
            "notes": dict(self.notes),
            "customers": self.customers,
            "orders": self.orders,
            "revenue": self.revenue,
            "first_date": self.first_date,
            "last_date": self.last_date,
            "analysis_date": self.analysis_date,
            "customers_without_purchase": dict(self.customers_without_purchase),
        }

    def __str__(self) -> str:
        lines = [f"{self.table}: {self.rows_read:,} rows read, {self.rows_used:,} used"]
        facts = []
        if self.customers is not None:
            facts.append(f"{self.customers:,} customers")
        if self.orders is not None:
            facts.append(f"{self.orders:,} orders")
        if self.revenue is not None:
            facts.append(f"revenue {self.revenue:,.2f}")
        if self.first_date is not None:
            facts.append(f"dates {self.first_date} .. {self.last_date}")
        if facts:
            lines.append("  " + ", ".join(facts))
        for reason, n in self.customers_without_purchase.items():
            meaning = REASONS.get(reason) or NO_PURCHASE.get(reason, "")
            lines.append(f"  customers without a usable purchase line: {n:,} ({reason}: {meaning})")
        for reason, n in self.excluded.items():
            ex = self.examples.get(reason, [])
            shown = f"  e.g. {json.dumps(ex[:2], default=str, ensure_ascii=False)}" if ex else ""
            lines.append(f"  excluded {n:,}: {reason} ({REASONS.get(reason, '')}){shown}")
        lines += [f"  warning: {w}" for w in self.warnings]
        lines += [f"  {k}: {v}" for k, v in self.notes.items()]
        return "\n".join(lines)
