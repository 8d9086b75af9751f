"""Why a classification did not run, as fields, and what to add, said in the user's language.

A framework's ``not_applicable`` returns a :class:`Skipped`: an English sentence (what the logs
and ``str()`` show, as before) that also carries the framework, the absent fact columns and the
ones that hold one value for everybody. :func:`skip_text` says it again in any language from
those fields — which table the column comes from (transactions, event log, customers), which
role, and the option that adds it (``--map customers.ROLE=COLUMN`` or ``--customers FILE`` on
the command line, ``mapping`` / ``data`` in a lesson) with an example — so no reader has to parse
the English sentence.

Examples
--------
>>> s = Skipped.missing_columns("awareness", ["knows_product"], {"en": "Awareness stages"})
>>> str(s).startswith("framework 'awareness' skipped")
True
>>> print(skip_text(s, "en"))  # doctest: +NORMALIZE_WHITESPACE
Awareness stages does not apply to these data: there is no column in the customers table for
the roles: knows_product. Give a customers file with these columns, or map the columns of yours:
--customers FILE, --map customers.knows_product=YOUR_COLUMN. Example: clientlib segment
orders.csv --customers customers.csv --map customers.knows_product=YOUR_COLUMN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from clientlib.schema import ROLES, SURVEY_COLUMNS

__all__ = ["FACT_SOURCES", "Skipped", "fact_source", "skip_parts", "skip_text"]

_TX = "transactions"
_EVENT_FACTS = (
    "contacts",
    "touchpoints",
    "complaints_since_last_purchase",
    "referrals",
    "open_negotiations",
    "negotiation_age_days",
    "postponements",
    "days_since_dossier_review",
)

#: Where each customer fact comes from: ``fact -> (table, roles)``. Facts not listed here are
#: made from the transactions' core roles; unknown columns are customer attributes.
FACT_SOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "discount_share": (_TX, ("discount", "discount_amount")),
    "free_share": (_TX, ("discount", "discount_amount")),
    "express_share": (_TX, ("is_express",)),
    "premium_share": (_TX, ("is_premium",)),
    **{f: ("events", ("kind",)) for f in _EVENT_FACTS},
    "days_since_positive_contact": ("events", ("sentiment",)),
    "days_since_negative_contact": ("events", ("sentiment",)),
    **{c: ("customers", (c,)) for c in SURVEY_COLUMNS},
}

_CORE_FACTS = (
    "orders",
    "purchase_days",
    "total_spend",
    "avg_spend",
    "first_purchase",
    "last_purchase",
    "recency_days",
    "tenure_days",
    "median_gap_days",
    "frequency",
    "recency",
    "T",
)


def fact_source(column: str) -> tuple[str, tuple[str, ...]]:
    """The table and roles a fact column is made from.

    Examples
    --------
    >>> fact_source("discount_share"), fact_source("orders"), fact_source("vip")
    (('transactions', ('discount', 'discount_amount')), ('transactions', ('customer_id', \
'timestamp', 'amount')), ('customers', ('vip',)))
    """
    if column in FACT_SOURCES:
        return FACT_SOURCES[column]
    if column in _CORE_FACTS or column == "customer_id":
        return _TX, ("customer_id", "timestamp", "amount")
    return "customers", (column,)


class Skipped(str):
    """A "not run" message: the English sentence, with the fields it was made from.

    Attributes
    ----------
    framework : str
        The framework id.
    missing : list of str
        Fact columns the data does not have.
    constant : list of str
        Fact columns present but holding one value (or none) for every customer.
    titles : dict
        The framework's title by language, when the producer knows it.
    """

    framework: str
    missing: list[str]
    constant: list[str]
    titles: dict[str, str]

    def __new__(  # noqa: D102 - the class docstring says what the fields are
        cls,
        sentence: str,
        framework: str,
        missing: Sequence[str] = (),
        constant: Sequence[str] = (),
        titles: Mapping[str, str] | None = None,
    ) -> Skipped:
        self = super().__new__(cls, sentence)
        self.framework = framework
        self.missing = sorted(missing)
        self.constant = sorted(constant)
        self.titles = dict(titles or {})
        return self

    def __reduce__(self) -> Any:
        """Pickle the fields too (a report's study crosses processes in a batch)."""
        return (Skipped, (str(self), self.framework, self.missing, self.constant, self.titles))

    @classmethod
    def missing_columns(
        cls, framework: str, missing: Sequence[str], titles: Mapping[str, str] | None = None
    ) -> Skipped:
        """Absent columns, with the sentence of the framework's ``MissingColumnsError``."""
        cols = ", ".join(sorted(missing))
        return cls(
            f"framework '{framework}' skipped: the data has no column(s) {cols}; provide them "
            "(see docs/CONTRACTS.md) or choose another framework",
            framework,
            missing=missing,
            titles=titles,
        )

    @classmethod
    def one_value(
        cls, framework: str, columns: Sequence[str], titles: Mapping[str, str] | None = None
    ) -> Skipped:
        """Signal columns that hold one value for every customer."""
        cols = sorted(columns)
        verb = "holds" if len(cols) == 1 else "hold"
        return cls(
            f"{framework}: {', '.join(cols)} {verb} one value for every customer",
            framework,
            constant=cols,
            titles=titles,
        )


def _title(s: Skipped, lang: str, title: str | None) -> str:
    if title:
        return title
    if s.titles:
        return s.titles.get(lang) or s.titles.get("en") or s.framework
    try:
        from clientlib import frameworks

        found = frameworks.load(s.framework).title
        return str(found(lang) if callable(found) else found.get(lang) or s.framework)
    except Exception:  # noqa: BLE001 - a user's framework id: its id is its name
        return s.framework


def skip_parts(
    message: str, lang: str = "en", how: str = "cli", title: str | None = None
) -> list[tuple[str, list[str]]]:
    """A "not run" message in ``lang`` as ``(sentence, codes)`` pairs: the prose, then the
    roles, options and example it names (code, shown as such by the report).

    ``how`` is ``cli`` (options of the command line and the report) or ``lesson`` (the lesson's
    ``data`` and ``mapping`` parameters). A message without fields is one pair, as it is.

    Examples
    --------
    >>> s = Skipped.missing_columns("vip_tiers", ["vip"])
    >>> sentence, codes = skip_parts(s, "ru")[0]
    >>> sentence.endswith("в таблице клиентов нет столбцов для ролей"), codes
    (True, ['vip'])
    """
    from clientlib.messages import check_lang, text

    lang = check_lang(lang)
    if not isinstance(message, Skipped) or not (message.missing or message.constant):
        return [(str(message), [])]
    name = _title(message, lang, title)
    by_table: dict[str, list[str]] = {}
    for col in message.missing or message.constant:
        table, made_of = fact_source(col)
        by_table.setdefault(table, [])
        by_table[table] += [r for r in made_of if r not in by_table[table]]
    out: list[tuple[str, list[str]]] = []
    if message.constant:
        head = text("mapping.constant_roles", lang, framework=name)
        out.append((head, list(message.constant)))
        every = [r for rs in by_table.values() for r in rs]
        out.append((text("mapping.made_from", lang), every))
    for table, roles in by_table.items():
        if message.missing:
            where = text(f"mapping.table_{table}", lang)
            out.append((text("mapping.missing_roles", lang, framework=name, table=where), roles))
        out += _how_to_add(table, roles, lang, how)
    return out


def skip_text(message: str, lang: str = "en", how: str = "cli", title: str | None = None) -> str:
    """:func:`skip_parts` as one line (the command line, a lesson).

    Examples
    --------
    >>> s = Skipped.one_value("buyer_types", ["premium_share"])
    >>> print(skip_text(s, "en", title="Four buyer types"))  # doctest: +NORMALIZE_WHITESPACE
    Four buyer types does not apply to these data: every customer has the same value in the
    columns: premium_share. These columns are made from the roles: is_premium. If the
    transactions have it under another name, map it: --map is_premium=YOUR_COLUMN. Example:
    clientlib segment orders.csv --map is_premium=YOUR_COLUMN.
    """
    parts = skip_parts(message, lang, how, title)
    if len(parts) == 1 and not parts[0][1]:
        return parts[0][0]
    return " ".join(f"{sentence}: {', '.join(codes)}." for sentence, codes in parts)


def _how_to_add(table: str, roles: list[str], lang: str, how: str) -> list[tuple[str, list[str]]]:
    """How to add ``roles`` of ``table``: the options (code), then an example line."""
    from clientlib.messages import text

    col, file = text("mapping.word_column", lang), text("mapping.word_file", lang)
    role = roles[0]
    mappable = table != "customers" or role in ROLES["customers"][1]
    key = f"{table}.{role}" if table != "transactions" else role
    option = "--customers" if table == "customers" else "--events"
    sample = f"{table}.csv"
    if how == "lesson":
        options = [f'data={{"transactions": ..., "{table}": "{sample}"}}'] if table != _TX else []
        options += [f'mapping={{"{key}": "{col}"}}'] if mappable else []
        given = f', "{table}": "{sample}"' if table != _TX else ""
        example = f'load_inputs(data={{"transactions": "orders.csv"{given}}}'
        example += f', mapping={{"{key}": "{col}"}})' if mappable else ")"
    else:
        options = [f"{option} {file}"] if table != _TX else []
        options += [f"--map {key}={col}"] if mappable else []
        example = "clientlib segment orders.csv" + (f" {option} {sample}" if table != _TX else "")
        example += f" --map {key}={col}" if mappable else ""
    what = f"mapping.add_{table}" + ("" if mappable else "_column")
    return [(text(what, lang), options), (text("mapping.example", lang), [example])]
