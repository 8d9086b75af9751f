"""Database and warehouse sources: a URL and a table or a query, read where the data lives.

Every place that accepts a transactions file also accepts ``--source URL`` with ``--table NAME``
or ``--query SQL`` (``source:`` with ``table:``/``query:`` in a batch, ``data`` as a URL in a
lesson). The URL is any that :func:`ibis.connect` knows: ``postgres://``, ``mysql://``,
``sqlite://``, ``duckdb://``, ``trino://``, ``bigquery://``, ``snowflake://``… The table becomes
an Ibis expression of that connection and the reader (:func:`clientlib.io.read_transactions`)
runs on it: typing, cleaning and the customer facts are SQL run by the database, and only the
facts (one row per customer) come back.

Credentials come from the URL, the environment (``PGPASSWORD``, ``PGPASSFILE``/``~/.pgpass``,
``PGSERVICE`` and the other libpq variables for PostgreSQL; ``CLIENTLIB_DB_PASSWORD`` for any
backend) or the driver's own files. A password is never shown: every message, manifest, report
and log names the source by :func:`redact` (the URL without its password), and a report's
kernel gets the password through its environment (:func:`hide`), not its parameters.

Examples
--------
>>> redact("postgres://ann:s3cret@db.example.com:5432/shop?sslmode=require&password=x")
'postgres://ann@db.example.com:5432/shop?sslmode=require'
>>> is_url("postgres://db/shop"), is_url("orders.csv"), is_url(r"C:\\data\\orders.csv")
(True, False, False)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from clientlib.errors import InputError, OptionError

if TYPE_CHECKING:  # pragma: no cover - typing only
    import ibis.expr.types as ir

__all__ = [
    "Choice",
    "Database",
    "check_files",
    "connect",
    "database",
    "describe",
    "guard",
    "hide",
    "is_url",
    "open_table",
    "redact",
    "read_inputs",
    "read_inputs_spark",
    "scrub",
    "spark_master",
]

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
#: Query-string keys that carry a secret (removed from every URL shown).
_SECRET_KEYS = frozenset({"password", "passwd", "pwd", "secret", "token", "access_token",
                          "private_key", "private_key_passphrase", "credentials", "key"})
#: The one environment variable that gives a password to any backend.
PASSWORD_ENV = "CLIENTLIB_DB_PASSWORD"
#: Seconds a connection attempt may take before "the server does not answer".
CONNECT_TIMEOUT = 10


def is_url(value: Any) -> bool:
    """True for ``scheme://…`` text other than ``file://`` (a database or warehouse URL)."""
    return (
        isinstance(value, str)
        and bool(_URL.match(value.strip()))
        and not value.strip().lower().startswith("file://")
    )


def redact(url: str) -> str:
    """``url`` without its password (and without secret query parameters such as ``token``)."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        netloc = parts.netloc
        if "@" in netloc:
            who, _, where = netloc.rpartition("@")
            netloc = f"{who.partition(':')[0]}@{where}"
        query = urllib.parse.urlencode(
            [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in _SECRET_KEYS],
            safe="/:,",
        )
        # by hand: urlunsplit drops the "//" of an empty host (duckdb:///file.duckdb)
        return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")
    except ValueError:  # not parseable: show only the scheme
        return url.strip().partition("://")[0] + "://…"


def _secrets(url: str) -> list[str]:
    """The secret values in ``url`` (its password, secret query values), as given and decoded."""
    found: list[str] = []
    with contextlib.suppress(ValueError):
        parts = urllib.parse.urlsplit(url.strip())
        if parts.password:
            found += [parts.password, urllib.parse.unquote_plus(parts.password)]
        found += [v for k, v in urllib.parse.parse_qsl(parts.query) if k.lower() in _SECRET_KEYS]
    found.append(_password(redact(url)) or "")  # the one hide() kept for this URL
    for name in (PASSWORD_ENV, "PGPASSWORD", "MYSQL_PWD"):
        if os.environ.get(name):
            found.append(os.environ[name])
    return sorted({s for s in found if s}, key=len, reverse=True)


def scrub(message: str, url: str) -> str:
    """``message`` with every secret of ``url`` (and of the password variables) replaced."""
    out = message.replace(url, redact(url)) if url else message
    for secret in _secrets(url):
        out = out.replace(secret, "***")
    return out


def _env_key(shown: str) -> str:
    return "CLIENTLIB_SOURCE_" + hashlib.sha256(shown.encode()).hexdigest()[:16].upper()


def hide(url: str) -> str:
    """The URL without its password, which goes to this process's environment instead.

    A report's kernel (and a batch's report process) inherits the environment, and
    :func:`connect` finds the password there again by the redacted URL; so the executed
    notebook, the manifest and the logs hold only the redacted URL.

    Examples
    --------
    >>> shown = hide("postgres://ann:s3cret@localhost/shop")
    >>> shown, _password(shown)
    ('postgres://ann@localhost/shop', 's3cret')
    """
    shown = redact(url)
    if shown != url.strip():
        os.environ[_env_key(shown)] = url.strip()
    return shown


def _password(shown: str) -> str | None:
    full = os.environ.get(_env_key(shown))
    return urllib.parse.urlsplit(full).password if full else None


@dataclass(frozen=True)
class Database:
    """A database source: the URL and either a table name or a query."""

    url: str
    table: str | None = None
    query: str | None = None

    @property
    def shown(self) -> str:
        """The URL as every message shows it (no password)."""
        return redact(self.url)

    @property
    def label(self) -> str:
        """``URL, table NAME`` or ``URL, query``: where the data came from, for people."""
        return self.label_in("en")

    def label_in(self, lang: str) -> str:
        """:attr:`label` in ``lang`` (``URL, таблица NAME``…)."""
        from clientlib.messages import text

        if self.table:
            return text("sources.label_table", lang, source=self.shown, table=self.table)
        return text("sources.label_query", lang, source=self.shown)

    def manifest(self) -> dict[str, Any]:
        """How a manifest names this source (no password)."""
        out: dict[str, Any] = {"url": self.shown}
        if self.table:
            out["table"] = self.table
        if self.query:
            out["query"] = self.query
        return out


@dataclass(frozen=True)
class Choice:
    """Where a command's data comes from when it is not DuckDB on files: a database (with its
    events and customers tables) or Spark (its master) reading the files.
    """

    database: Database | None = None
    events_table: str | None = None
    customers_table: str | None = None
    spark: str | None = None


def spark_master(engine: str | None, *, lang: str = "en") -> str | None:
    """The Spark master of ``--engine spark[:MASTER]`` (None for DuckDB, the default).

    Examples
    --------
    >>> spark_master("spark"), spark_master("spark:local[4]"), spark_master("duckdb")
    ('local[2]', 'local[4]', None)
    """
    from clientlib.messages import text

    value = (engine or "").strip()
    if value in ("", "duckdb"):
        return None
    name, colon, master = value.partition(":")
    if name != "spark" or (colon and not master.strip()):
        raise OptionError(text("sources.err_engine", lang, value=value[:60]))
    return master.strip() or "local[2]"


def database(
    url: str | None, table: str | None = None, query: str | None = None, *, lang: str = "en",
    what: str = "--source",
) -> Database | None:
    """Check a URL with its table or query (exactly one); None when no URL is given."""
    from clientlib.messages import text

    table = (table or "").strip() or None
    query = (query or "").strip() or None
    if not (url or "").strip():
        if table or query:
            raise OptionError(text("sources.err_no_url", lang, what=what))
        return None
    url = str(url).strip()
    if not is_url(url):
        raise OptionError(text("sources.err_not_url", lang, what=what, value=redact(url)[:80]))
    if (table is None) == (query is None):
        raise OptionError(text("sources.err_table_or_query", lang, source=redact(url)))
    return Database(url, table, query)


def connect(source: Database, *, lang: str = "en") -> Any:
    """An Ibis connection to the source's database, or one line saying why not."""
    import ibis

    from clientlib.messages import text

    url = source.url
    kept = os.environ.get(_env_key(redact(url)))
    if kept and url.strip() == redact(url):  # no secret given: the URL hide() kept, secrets and all
        url = kept
    parts = urllib.parse.urlsplit(url)
    if parts.username and parts.password is None and os.environ.get(PASSWORD_ENV):
        # the one variable that gives a password to every backend
        at = parts.netloc.rpartition("@")
        password = urllib.parse.quote(os.environ[PASSWORD_ENV], safe="")
        url = urllib.parse.urlunsplit(parts._replace(netloc=f"{at[0]}:{password}@{at[2]}"))
    scheme = parts.scheme.lower().replace("postgresql", "postgres")
    kwargs: dict[str, Any] = {}
    if scheme == "postgres" and "connect_timeout" not in parts.query:
        kwargs["connect_timeout"] = CONNECT_TIMEOUT
    try:
        return ibis.connect(url, **kwargs)
    except ImportError as exc:
        raise InputError(text("sources.err_driver", lang, source=source.shown, scheme=scheme,
                              what=scrub(str(exc).splitlines()[0], url))) from None
    except ValueError as exc:
        if "Don't know how to connect" in str(exc):
            raise InputError(text("sources.err_scheme", lang, scheme=scheme)) from None
        raise InputError(_failure("err_connect", source, exc, url, lang)) from None
    except Exception as exc:  # noqa: BLE001 - every driver has its own errors: one line each
        raise InputError(_failure(_kind(exc), source, exc, url, lang)) from None


def _kind(exc: BaseException) -> str:
    """Which message a driver's connection error gets, from its words."""
    words = str(exc).lower()
    if "password" in words or "authentication" in words or "access denied" in words:
        return "err_login"
    if "database" in words and "does not exist" in words:
        return "err_database"
    if any(w in words for w in ("refused", "timeout", "timed out", "could not translate",
                                "name or service", "no route", "unreachable", "could not connect",
                                "connection failed")):
        return "err_unreachable"
    return "err_connect"


def _first_line(exc: BaseException) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    return (lines[0] if lines else type(exc).__name__)[:240]


def _failure(key: str, source: Database, exc: BaseException, url: str, lang: str) -> str:
    from clientlib.messages import text

    user = urllib.parse.urlsplit(source.url).username or ""
    why = scrub(_first_line(exc), url)
    return text(f"sources.{key}", lang, source=source.shown, user=user, why=why)


def open_table(source: Database, con: Any = None, *, lang: str = "en") -> ir.Table:
    """The source's table (or the result of its query) as an Ibis table of its connection.

    Nothing is read yet: the reader's SQL runs on it later. A missing table or a query the
    database refuses is one line here (the query's columns are asked for now).
    """
    from clientlib.messages import text

    con = connect(source, lang=lang) if con is None else con
    if source.table is not None:
        name = source.table
        schema, dot, table = name.rpartition(".")
        try:
            return con.table(table, database=schema or None) if dot else con.table(name)
        except Exception as exc:  # noqa: BLE001 - each backend says "no such table" its own way
            known = _tables(con)
            raise InputError(text(
                "sources.err_table", lang, source=source.shown, table=name,
                known=", ".join(known[:12]) + (" …" if len(known) > 12 else "") or "—",
                why=scrub(_first_line(exc), source.url),
            )) from None
    query = source.query or ""
    try:
        if getattr(con, "name", "") == "postgres":
            return con.sql(query, schema=_postgres_schema(con, query))
        return con.sql(query)
    except Exception as exc:  # noqa: BLE001 - the database's own words, one line
        raise InputError(text("sources.err_query", lang, source=source.shown,
                              why=scrub(_first_line(exc), source.url))) from None


def _postgres_schema(con: Any, query: str) -> Any:
    """The columns of ``query`` from a temporary view (Ibis 12's own way fails to drop the view
    with sqlglot 30: ``DROP VIEW IF EXISTS`` without a name).
    """
    import uuid

    name = f"clientlib_query_{uuid.uuid4().hex[:12]}"
    raw = con.con
    with raw.cursor() as cursor, raw.transaction():
        cursor.execute(f'CREATE TEMPORARY VIEW "{name}" AS {query}')  # the user's own SQL
    try:
        return con.get_schema(name)
    finally:
        with raw.cursor() as cursor, raw.transaction():
            cursor.execute(f'DROP VIEW IF EXISTS "{name}"')


def _tables(con: Any) -> list[str]:
    try:
        return sorted(con.list_tables())
    except Exception:  # noqa: BLE001 - listing may be forbidden: say nothing about it
        return []


@contextlib.contextmanager
def guard(source: Database | None, *, lang: str = "en") -> Iterator[None]:
    """Turn an error the database raises while the reader's SQL runs into one line.

    clientlib's own errors pass through unchanged (the password scrubbed from them too).
    """
    from clientlib.errors import ClientlibError
    from clientlib.messages import text

    if source is None:
        yield
        return
    try:
        yield
    except ClientlibError as exc:
        raise type(exc)(scrub(str(exc), source.url)) from None
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - the database's own words, one line
        raise InputError(text("sources.err_read", lang, source=source.label_in(lang),
                              why=scrub(_first_line(exc), source.url))) from None


def describe(source: Database, table: ir.Table, timestamp: str | None) -> dict[str, Any]:
    """What a manifest records instead of a file hash: the redacted URL, the table or query,
    the row count and the latest timestamp (text, ISO), counted by the database.
    """
    aggs: dict[str, Any] = {"rows": table.count()}
    if timestamp and timestamp in table.columns:
        aggs["max_timestamp"] = table[timestamp].max()
    got = table.aggregate(**aggs).execute().iloc[0]
    latest = got.get("max_timestamp") if "max_timestamp" in got else None
    shown = None
    if latest is not None and not (isinstance(latest, float) and latest != latest):
        shown = latest.isoformat() if hasattr(latest, "isoformat") else str(latest)
    return {"role": "source", **source.manifest(), "rows": int(got["rows"]),
            "max_timestamp": shown}


#: Text a database casts to a number / a timestamp without an error (what the reader's casts
#: accept; PostgreSQL has no "try" cast: one other value fails the whole query).
_NUMBER = r"^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$"
_TIMESTAMP = r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?\s*$"
_NUMERIC_ROLES = ("amount", "quantity", "unit_price", "discount", "sentiment")


def check_types(
    source: Database, table: ir.Table, kind: str, mapping: Any = None, *, lang: str = "en"
) -> ir.Table:
    """Refuse a text column of a number or timestamp role that holds values which are not one;
    return the table with such columns cast (blank text as null).

    A file's reader decides per value; a database casts a whole column at once (PostgreSQL and
    SQLite have no "try" cast), so a column such as ``amount`` stored as text with ``'n/a'`` in
    it is named here with examples, before the reader's SQL runs; once every value is known to
    be readable, a plain cast in the database types it.
    """
    from clientlib.messages import number, text
    from clientlib.schema import parse_mapping, resolve_columns

    roles = resolve_columns(kind, list(table.columns), parse_mapping(mapping))
    for role, column in roles.items():
        pattern = _TIMESTAMP if role == "timestamp" else _NUMBER if role in _NUMERIC_ROLES else ""
        col = table[column]
        if not pattern or not col.type().is_string():
            continue
        given = col.notnull() & (col.strip() != "")
        bad = table.filter(given & ~col.re_search(pattern))
        n = int(bad.count().execute())
        if n:
            shown = bad.select(v=col).distinct().limit(3).execute()["v"].tolist()
            raise InputError(text(
                "sources.err_types", lang, source=source.label_in(lang), column=column, role=role,
                n=number(n, lang), examples=", ".join(repr(v) for v in sorted(map(str, shown))),
                kind=text("sources.kind_timestamp" if role == "timestamp" else
                          "sources.kind_number", lang),
            ))
        target = "timestamp" if role == "timestamp" else "float64"
        table = table.mutate(**{column: col.strip().nullif("").cast(target)})
    return table


def check_files(events: Any, customers: Any, *, lang: str = "en") -> None:
    """Refuse events or customers files beside a database source: one query cannot join a
    file and a database table; their tables in the database are named instead.
    """
    from clientlib.messages import text

    if events is not None or customers is not None:
        raise OptionError(text("sources.err_files_with_source", lang))


def read_inputs(
    source: Database,
    *,
    mapping: Any = None,
    events: Any = None,
    customers: Any = None,
    events_table: str | None = None,
    customers_table: str | None = None,
    options: Any = None,
    lang: str = "en",
) -> Any:
    """:func:`clientlib.io.read_inputs` on a database source: the transactions from its table
    or query, events and customers from files or from tables of the same database.

    Every failure (server down, login refused, no such table, a query or a cast the database
    refuses) is one line naming the redacted URL; ``Inputs.source`` is
    :meth:`Database.label_in` ``lang``.
    """
    from clientlib.io import read_inputs as read

    check_files(events, customers, lang=lang)
    with guard(source, lang=lang):
        con = connect(source, lang=lang)
        tx = check_types(source, open_table(source, con, lang=lang), "transactions", mapping,
                         lang=lang)
        if events_table:
            ev_source = Database(source.url, table=events_table)
            events = check_types(ev_source, open_table(ev_source, con, lang=lang), "events",
                                 mapping, lang=lang)
        if customers_table:
            customers = open_table(Database(source.url, table=customers_table), con, lang=lang)
        inputs = read(tx, mapping=mapping, events=events, customers=customers, options=options)
    inputs.source = source.label_in(lang)
    return inputs


def read_inputs_spark(
    master: str,
    input: Any = None,
    *,
    dataset: str | None = None,
    mapping: Any = None,
    events: Any = None,
    customers: Any = None,
    options: Any = None,
    lang: str = "en",
) -> Any:
    """:func:`clientlib.io.read_inputs` with Spark (``master``) reading the files and doing the
    work: Parquet as it is, CSV as text columns (header row; ISO dates and ``.`` decimals, which
    the reader's casts then type in Spark), an embedded dataset handed over as views.
    """
    import ibis

    from clientlib import datasets, engine
    from clientlib.io import read_inputs as read
    from clientlib.io import sniff
    from clientlib.schema import parse_mapping

    con = engine.spark(master)
    sep = getattr(options, "sep", None)

    def table(src: Any, kind: str) -> Any:
        if src is None:
            return None
        if not isinstance(src, str | os.PathLike):  # a dataset's frame
            name = f"clientlib_{kind}_{hashlib.sha256(repr(id(src)).encode()).hexdigest()[:8]}"
            con.create_view(name, ibis.memtable(src), overwrite=True)
            return con.table(name)
        from pathlib import Path

        from clientlib.messages import text

        path = Path(src)
        if not path.exists():
            raise InputError(text("sources.err_no_file", lang, kind=kind, path=path))
        if path.is_dir() or sniff(path) == "parquet":
            return con.read_parquet(str(path))
        tsv = path.name.lower().endswith((".tsv", ".tsv.gz"))
        return con.read_csv(str(path), inferSchema=False, sep=sep or ("\t" if tsv else ","))

    name = dataset or (os.path.basename(str(input)) if input is not None else "")
    roles = parse_mapping(mapping)
    if dataset is not None:
        ds = datasets.load(dataset)
        roles = {**(ds.mapping or {}), **roles}
        input, events, customers = ds.transactions, ds.events, ds.customers
    inputs = read(table(input, "transactions"), mapping=roles, events=table(events, "events"),
                  customers=table(customers, "customers"), options=options)
    inputs.source = name
    return inputs
