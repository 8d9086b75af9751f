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

from clientlib.errors import ClientlibError, InputError, OptionError, said

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

#: Roles per table kind: (required roles, optional roles). ``discount`` is a share of the line
#: (0..1, or 0..100 written with %); ``discount_amount`` is the money taken off.
ROLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "transactions": (
        ("customer_id", "timestamp"),
        (
            "amount",
            "quantity",
            "unit_price",
            "order_id",
            "discount",
            "is_express",
            "is_premium",
            "discount_amount",
        ),
    ),
    "events": (
        ("customer_id", "timestamp", "kind"),
        ("sentiment", "referred_customer_id"),
    ),
    # the survey answers can be mapped from columns named otherwise
    "customers": (("customer_id",), SURVEY_COLUMNS),
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


def parse_mapping(spec: str | Mapping[str, Any] | None) -> dict[str, str]:
    """Turn ``"customer_id=CustomerID,timestamp=InvoiceDate"`` (or a dict) into ``{role: column}``.

    A bare ``ROLE`` applies to every table that has the role (``customer_id=Client`` names the
    id in all three); ``events.ROLE`` and ``customers.ROLE`` apply to that table only and win
    over a bare item. A dict may nest the tables (``{"events": {"timestamp": "date"}}``). The
    result keeps the dotted keys: :func:`table_mapping` gives one table's mapping. An unknown
    table or role is refused with the roles of that table (:class:`OptionError`).

    Examples
    --------
    >>> parse_mapping("customer_id=CustomerID, amount=Revenue")
    {'customer_id': 'CustomerID', 'amount': 'Revenue'}
    >>> parse_mapping({"amount": "Sum", "events": {"timestamp": "redemption_date"}})
    {'amount': 'Sum', 'events.timestamp': 'redemption_date'}
    """
    if spec is None:
        return {}
    out: dict[str, str] = {}
    if isinstance(spec, Mapping):
        for key, value in spec.items():
            if isinstance(value, Mapping) and str(key) in ROLES:
                for role, column in value.items():
                    _add_item(out, f"{key}.{role}", str(column), f"{key}.{role}={column}")
            else:
                _add_item(out, str(key), str(value), f"{key}={value}")
        return out
    for part in filter(None, (p.strip() for p in spec.split(","))):
        role, sep, column = part.partition("=")
        role, column = role.strip(), column.strip()
        if not sep or not role or not column:
            raise OptionError(
                f"cannot read mapping item {part!r}: write ROLE=COLUMN, "
                "e.g. --map customer_id=CustomerID,timestamp=InvoiceDate"
            )
        _add_item(out, role, column, part)
    return out


def _add_item(out: dict[str, str], key: str, column: str, item: str) -> None:
    """Check one mapping item (``role`` or ``table.role``) and add it to ``out``."""
    key = key.strip()
    if key in out:
        raise OptionError(
            f"the mapping gives role {key!r} twice ({out[key]!r} and {column!r}); "
            "map each role once"
        )
    table, dot, role = key.rpartition(".")
    if dot:
        if table not in ROLES:
            raise said(OptionError, "mapping.unknown_table", table=table, item=item)
        if role not in table_roles(table):
            roles = ", ".join(table_roles(table))
            raise said(
                OptionError, "mapping.unknown_table_role", table=table, role=role, item=item,
                roles=roles,
            )  # fmt: skip
    elif key not in {r for t in ROLES for r in table_roles(t)}:
        roles = ", ".join(table_roles("transactions"))
        raise said(OptionError, "mapping.unknown_role", role=key, roles=roles)
    out[key] = column


def table_roles(kind: str) -> tuple[str, ...]:
    """The roles of one table, required first.

    Examples
    --------
    >>> table_roles("events")
    ('customer_id', 'timestamp', 'kind', 'sentiment', 'referred_customer_id')
    """
    required, optional = ROLES[kind]
    return (*required, *optional)


def table_mapping(kind: str, mapping: Mapping[str, str] | None) -> dict[str, str]:
    """One table's ``{role: column}`` from a mapping of :func:`parse_mapping`.

    Bare roles the table has, then its own ``kind.ROLE`` items on top.

    Examples
    --------
    >>> m = {"customer_id": "Client", "timestamp": "Date", "events.timestamp": "When"}
    >>> table_mapping("events", m), table_mapping("customers", m)
    ({'customer_id': 'Client', 'timestamp': 'When'}, {'customer_id': 'Client'})
    """
    roles = table_roles(kind)
    out = {r: str(c) for r, c in (mapping or {}).items() if r in roles}
    for key, column in (mapping or {}).items():
        table, dot, role = str(key).rpartition(".")
        if dot and table == kind and role in roles:
            out[role] = str(column)
    return out


def combine_mappings(
    mapping: str | None, events: str | None = None, customers: str | None = None
) -> str | None:
    """``--map`` with the items of ``--events-map`` and ``--customers-map``, as one ``--map``
    text (each of those items gets its table's prefix).

    Examples
    --------
    >>> combine_mappings("customer_id=Client", events="timestamp=redemption_date")
    'customer_id=Client,events.timestamp=redemption_date'
    """
    parts = [mapping] if mapping else []
    for table, spec in (("events", events), ("customers", customers)):
        for item in filter(None, (p.strip() for p in (spec or "").split(","))):
            # "ROLE=COLUMN" is the table's role; "table.ROLE=COLUMN" must name this table
            other, dot, _ = item.partition("=")[0].strip().rpartition(".")
            if dot and other != table:
                option = f"--{table}-map"
                raise said(
                    OptionError, "mapping.other_table", option=option, table=table, item=item
                )
            parts.append(item if dot else f"{table}.{item}")
    if not parts:
        return None
    text_ = ",".join(parts)
    parse_mapping(text_)  # refused here, before any input is read
    return text_


def mapping_text(spec: str | Mapping[str, Any] | None) -> str:
    """A mapping (text, flat or nested dict) as ``--map`` text (for report parameters).

    Examples
    --------
    >>> mapping_text({"amount": "Sum", "events": {"timestamp": "redeemed"}})
    'amount=Sum,events.timestamp=redeemed'
    """
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        return ""
    return ",".join(f"{k}={v}" for k, v in parse_mapping(spec).items())


def resolve_columns(
    kind: str, columns: Sequence[str], mapping: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Return ``{role: column}`` for the roles present, checking the required ones.

    A role maps to the column the user named, or else to a column spelled like the role.
    Raises :class:`MissingColumnsError` naming what is missing and what was found.
    """
    required, optional = ROLES[kind]
    # Bare roles serve every table that has them; "events.ROLE" items only that table.
    mapping = table_mapping(kind, mapping)
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
    if kind == "transactions" and {"discount", "discount_amount"} <= set(mapping):
        share, money = mapping["discount"], mapping["discount_amount"]
        raise said(OptionError, "mapping.two_discounts", share=share, money=money)
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
    # a mapped discount of one kind keeps a column named like the other out
    other = {"discount": "discount_amount", "discount_amount": "discount"}
    taken = set(mapping.values())
    for role in (*required, *optional):
        if role in mapping:
            resolved[role] = mapping[role]
        elif role in columns and other.get(role) not in mapping:
            resolved[role] = role
        else:
            named = [
                c for c in columns if c not in taken and _alias_key(c) in ALIASES.get(role, ())
            ]
            if len(named) == 1:
                resolved[role] = named[0]
                taken.add(named[0])
    if {"discount", "discount_amount"} <= set(resolved):
        del resolved["discount_amount"]  # both named so in the file: the share is read
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
    #: The input's columns that no role was mapped to (a candidate order id is looked for here).
    unmapped: list[str] = field(default_factory=list, repr=False)
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
        for line in self.advice(lang):
            items.append((_msg("mapping.note_line_items", lang), line))
        from clientlib.spreadsheet import note_items  # a sheet: which one, which header row

        items += note_items(self.notes, lang)
        return pd.DataFrame(items, columns=["item", "value"])

    def advice(self, lang: str | None = None, how: str = "cli") -> list[str]:
        """What to change in the options, said in ``lang`` (from the structured notes).

        ``how`` names the fix as the command line (``cli``: ``--map order_id=…``) or a lesson
        (``lesson``: ``mapping={"order_id": …}``) writes it.

        Examples
        --------
        >>> q = QualityReport("transactions", notes={"line_items": {"share": 0.5, "column": "No"}})
        >>> q.advice("en")[0].split(",")[0]
        '50.0% of the lines share a customer and a time with another line'
        >>> q.advice("ru", how="lesson")[0].rpartition("документа: ")[2]
        'mapping={"order_id": "No"}'
        """
        from clientlib.messages import check_lang, percent

        lang = check_lang(lang or "en")
        out = []
        items = self.notes.get("line_items")
        if isinstance(items, Mapping):
            share = percent(items.get("share"), lang)
            column = items.get("column")
            target = column or _msg("mapping.word_column", lang)
            fix = (
                f'mapping={{"order_id": "{target}"}}' if how == "lesson"
                else f"--map order_id={target}"
            )
            key = "mapping.line_items_candidate" if column else "mapping.line_items"
            out.append(_msg(key, lang, share=share, column=column, fix=fix))
        return out

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
        lines += [f"  warning: {w}" for w in [*self.warnings, *self.advice("en")]]
        lines += [f"  {k}: {v}" for k, v in self.notes.items() if k != "line_items"]
        return "\n".join(lines)
