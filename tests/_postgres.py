"""A throw-away PostgreSQL cluster for the database tests (one per test session).

Debian's ``postgresql`` package (``make postgres`` installs it as root) gives ``initdb`` and
``pg_ctl`` under ``/usr/lib/postgresql/VERSION/bin``. The cluster lives in a temporary folder,
listens on a free loopback port with password (SCRAM) authentication only, and is stopped and
removed at the end. PostgreSQL refuses to run as root, so as root every server command runs as
the ``postgres`` system user the package creates (``runuser``); otherwise as the current user.

The database ``shop`` (owner ``analyst``, password :data:`PASSWORD`) holds CDNOW
(``cdnow``: customer_id, date, cds, amount), the workshop shop (``workshop_transactions``,
``workshop_events``, ``workshop_customers``) and ``bad_amounts``: CDNOW's first rows with the
amount as text that is not a number.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: The test user's password: every test checks it appears in no output.
PASSWORD = "Pg-s3cret-7Hq2"
USER = "analyst"
DATABASE = "shop"


@dataclass
class Cluster:
    """A running test cluster: where it listens and how to reach it."""

    port: int
    folder: Path

    def url(self, password: str | None = PASSWORD, port: int | None = None) -> str:
        """``postgres://analyst:PASSWORD@127.0.0.1:PORT/shop`` (no password: ``analyst@``)."""
        who = f"{USER}:{password}" if password is not None else USER
        return f"postgres://{who}@127.0.0.1:{port or self.port}/{DATABASE}"


def bin_dir() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` that has ``initdb``, or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3])
    )
    return Path(found[-1]).parent if found else None


def why_absent() -> str | None:
    """Why the database tests cannot run here (None when they can)."""
    if bin_dir() is None:
        return "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; `make postgres`)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "the PostgreSQL driver psycopg is not installed (pip install '.[postgres]')"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' system user to run the server"
    return None


def free_port() -> int:
    """A TCP port nobody listens on at the moment (loopback)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server(cmd: list[str]) -> list[str]:
    # PostgreSQL will not run as root: run it as the package's own system user
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextlib.contextmanager
def cluster() -> Iterator[Cluster]:
    """Start a cluster, load the tables, yield it; stop and remove it afterwards."""
    bin_ = bin_dir()
    assert bin_ is not None
    folder = Path(tempfile.mkdtemp(prefix="clientlib-pg-"))
    data = folder / "data"
    pwfile = folder / "pw"
    pwfile.write_text("admin-" + PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(pwfile, "postgres")
    os.chmod(folder, 0o700)
    port = free_port()
    run = {"check": True, "capture_output": True, "text": True}
    try:
        subprocess.run(_as_server([str(bin_ / "initdb"), "-D", str(data), "-U", "admin",
                                   "--auth=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8",
                                   "--locale=C", "--no-sync"]), **run)  # type: ignore[call-overload]
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={folder}"
                   " -c fsync=off -c full_page_writes=off -c synchronous_commit=off")
        subprocess.run(_as_server([str(bin_ / "pg_ctl"), "-D", str(data), "-o", options,
                                   "-l", str(folder / "log"), "-w", "start"]), **run)  # type: ignore[call-overload]
        try:
            _load(port)
            yield Cluster(port, folder)
        finally:
            subprocess.run(_as_server([str(bin_ / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                       "-w", "stop"]), capture_output=True)
    finally:
        for _ in range(20):  # the last server processes may still write while they exit
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():
                break
            time.sleep(0.1)


def _load(port: int) -> None:
    import psycopg

    from clientlib import datasets

    admin = f"postgresql://admin:admin-{PASSWORD}@127.0.0.1:{port}/postgres"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f"CREATE ROLE {USER} LOGIN PASSWORD '{PASSWORD}'")
        con.execute(f"CREATE DATABASE {DATABASE} OWNER {USER}")
    cdnow = datasets.load_cdnow()
    shop = workshop()
    with psycopg.connect(f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{port}/{DATABASE}") as con:
        _copy(con, "cdnow", cdnow)
        _copy(con, "workshop_transactions", shop.transactions)
        _copy(con, "workshop_events", shop.events)
        _copy(con, "workshop_customers", shop.customers)
        bad = cdnow.head(50).astype({"amount": str})
        bad["amount"] = ["n/a" if i % 2 else "twelve" for i in range(len(bad))]
        _copy(con, "bad_amounts", bad)
        con.commit()


#: Customers of the workshop shop in the database (small: the report renders in seconds).
SHOP_CUSTOMERS = 400


@functools.cache
def workshop():  # noqa: ANN201 - clientlib.datasets.WorkshopData
    """The workshop shop the database holds (the same frames for the file path's side)."""
    from clientlib import datasets

    return datasets.workshop(n_customers=SHOP_CUSTOMERS, seed=0)


_TYPES = {"b": "boolean", "i": "bigint", "u": "bigint", "f": "double precision",
          "M": "timestamp"}


def _copy(con, name: str, df) -> None:  # noqa: ANN001 - psycopg connection, pandas frame
    """Create table ``name`` with ``df``'s columns and COPY its rows in."""
    import pandas as pd

    cols = ", ".join(f'"{c}" {_TYPES.get(df[c].dtype.kind, "text")}' for c in df.columns)
    con.execute(f'CREATE TABLE "{name}" ({cols})')
    names = ", ".join(f'"{c}"' for c in df.columns)
    with con.cursor().copy(f'COPY "{name}" ({names}) FROM STDIN') as copy:
        for row in df.itertuples(index=False):
            copy.write_row([None if pd.isna(v) else v for v in row])
