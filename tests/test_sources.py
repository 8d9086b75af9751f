"""Database sources (clientlib.sources): the same facts and classes as the file path, from a real
PostgreSQL (tests/_postgres.py); every failure one line, exit 2, nothing written, and the
password nowhere in what clientlib prints or writes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest
from _cli import run_cli
from _postgres import PASSWORD, free_port, workshop

from clientlib import datasets, sources
from clientlib.errors import OptionError

CDNOW_MAP = "timestamp=date"


# ---------------------------------------------------------------------------------------------
# without a database


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgres://ann:s3cret@db:5432/shop", "postgres://ann@db:5432/shop"),
        ("postgresql://ann:p%40ss@db/shop?sslmode=require", "postgresql://ann@db/shop?sslmode=require"),
        ("snowflake://ann:s3cret@acct/db/schema?warehouse=w&password=x", "snowflake://ann@acct/db/schema?warehouse=w"),
        ("bigquery://project/dataset?credentials=abc", "bigquery://project/dataset"),
        ("duckdb:///tmp/x.duckdb", "duckdb:///tmp/x.duckdb"),
    ],
)  # fmt: skip
def test_redact_removes_every_secret(url, shown):
    assert sources.redact(url) == shown


def test_scrub_removes_the_password_in_any_spelling():
    url = "postgres://ann:p%40ss@db/shop"
    said = f"could not connect to {url} as ann with p@ss (p%40ss)"
    assert "p@ss" not in sources.scrub(said, url) and "p%40ss" not in sources.scrub(said, url)


@pytest.mark.parametrize("url", ["postgres://ann:s3cret@db/shop", "postgres://ann:p%40ss@db/s",
                                 "snowflake://ann@acct/db?warehouse=w&password=s3cret"])
def test_hidden_password_reaches_the_connection_and_nothing_else(url, monkeypatch):
    seen = {}
    monkeypatch.setattr("ibis.connect", lambda url, **kw: seen.setdefault("url", url))
    shown = sources.hide(url)
    assert "s3cret" not in shown and "p%40ss" not in shown
    sources.connect(sources.Database(shown, table="orders"))
    assert seen["url"] == url


@pytest.mark.parametrize(
    ("url", "table", "query"),
    [("postgres://db/shop", None, None), ("postgres://db/shop", "t", "select 1"),
     ("orders.csv", "t", None), (None, "orders", None)],
)
def test_a_source_needs_a_url_and_one_table_or_query(url, table, query):
    with pytest.raises(OptionError):
        sources.database(url, table, query)


def test_source_and_input_file_together_are_refused(tmp_path, monkeypatch, capsys):
    code, out, err = run_cli(
        ["facts", tmp_path / "x.csv", "--source", f"postgres://a:{PASSWORD}@127.0.0.1/db",
         "--table", "t", "-o", tmp_path / "f.csv"], monkeypatch, capsys)  # fmt: skip
    assert code == 2 and "--source" in err and PASSWORD not in out + err
    assert not (tmp_path / "f.csv").exists()


# ---------------------------------------------------------------------------------------------
# a real PostgreSQL


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """The database's tables as CSV files: the file path's side of every comparison."""
    folder = tmp_path_factory.mktemp("files")
    shop = workshop()
    out = {"cdnow": folder / "cdnow.csv", "tx": folder / "tx.csv", "ev": folder / "ev.csv",
           "cu": folder / "cu.csv"}  # fmt: skip
    datasets.load_cdnow().to_csv(out["cdnow"], index=False)
    shop.transactions.to_csv(out["tx"], index=False)
    shop.events.to_csv(out["ev"], index=False)
    shop.customers.to_csv(out["cu"], index=False)
    return out


def _read(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype={"customer_id": str}, keep_default_na=False, na_values=[""])
    return df.sort_values([c for c in ("customer_id", "framework") if c in df]).reset_index(
        drop=True
    )


def _no_password(*texts: str, folder: Path | None = None) -> None:
    for t in texts:
        assert PASSWORD not in t
    for p in (folder.rglob("*") if folder else []):
        if p.is_file():
            assert PASSWORD.encode() not in p.read_bytes(), p


def test_facts_from_postgres_equal_the_file(postgres, files, tmp_path, monkeypatch, capsys):
    a, b = tmp_path / "file.csv", tmp_path / "db.csv"
    assert run_cli(["facts", files["cdnow"], "-m", CDNOW_MAP, "-o", a], monkeypatch, capsys)[0] == 0
    code, out, err = run_cli(["facts", "--source", postgres.url(), "--table", "cdnow", "-m",
                              CDNOW_MAP, "-o", b], monkeypatch, capsys)  # fmt: skip
    assert code == 0, err
    _no_password(out, err, folder=tmp_path)
    pd.testing.assert_frame_equal(_read(a), _read(b))
    # and both are CDNOW: each customer's spend is pandas' sum of its lines
    spend = datasets.load_cdnow().groupby("customer_id")["amount"].sum().round(2)
    got = _read(b).set_index("customer_id")["total_spend"].round(2)
    pd.testing.assert_series_equal(got.sort_index(), spend.sort_index(), check_names=False)


def test_a_query_is_a_source_too(postgres, files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "q.csv"
    query = "SELECT customer_id, date, amount FROM cdnow WHERE date < '1997-04-01'"
    code, _, err = run_cli(["facts", "--source", postgres.url(), "--query", query, "-m",
                            CDNOW_MAP, "-o", out], monkeypatch, capsys)  # fmt: skip
    assert code == 0, err
    cd = datasets.load_cdnow()
    assert set(_read(out)["customer_id"]) == set(cd[cd["date"] < "1997-04-01"]["customer_id"])


def _db_args(postgres) -> list[str]:
    return ["--source", postgres.url(), "--table", "workshop_transactions", "--events-table",
            "workshop_events", "--customers-table", "workshop_customers"]  # fmt: skip


def test_segment_all_from_postgres_equals_the_file(postgres, files, tmp_path, monkeypatch,
                                                   capsys):  # fmt: skip
    a, b = tmp_path / "file.csv", tmp_path / "db.csv"
    code, _, err = run_cli(["segment", files["tx"], "--events", files["ev"], "--customers",
                            files["cu"], "-f", "all", "--k", "3", "-o", a],
                           monkeypatch, capsys)  # fmt: skip
    assert code == 0, err
    code, out, err = run_cli(["segment", *_db_args(postgres), "-f", "all", "--k", "3", "-o", b],
                             monkeypatch, capsys)  # fmt: skip
    assert code == 0, err
    _no_password(out, err, folder=tmp_path)
    file_side, db_side = _read(a), _read(b)
    assert len(set(file_side["framework"])) > 5  # the events and customers frameworks ran
    pd.testing.assert_frame_equal(file_side, db_side)


def _classes(tx: Path, ev: Path, cu: Path, frameworks: list[str]) -> pd.DataFrame:
    """The file path's classes, computed in this process."""
    from clientlib.io import read_inputs
    from clientlib.pipeline import run_study

    got = read_inputs(tx, events=ev, customers=cu)
    study = run_study(got.transactions, got.events, got.customers, frameworks=frameworks, k=3,
                      random_state=0)  # fmt: skip
    seg = study.segments
    return (seg[seg["framework"].isin(frameworks)][["customer_id", "framework", "class"]]
            .astype(str).sort_values(["framework", "customer_id"]).reset_index(drop=True))


def _snapshot(path: Path, frameworks: list[str]) -> pd.DataFrame:
    snap = pd.read_parquet(path)
    return (snap[snap["framework"].isin(frameworks)][["customer_id", "framework", "class"]]
            .astype(str).sort_values(["framework", "customer_id"]).reset_index(drop=True))


REPORT_FRAMEWORKS = ["lifecycle", "rfm", "value_tiers"]
REPORT_PARAMS = ["-p", "frameworks=" + ",".join(REPORT_FRAMEWORKS), "-p", "timeline_months=0",
                 "-p", "k=3"]  # fmt: skip


def test_report_gives_the_kernel_the_source_without_its_password(postgres, files, tmp_path,
                                                                  monkeypatch, capsys):  # fmt: skip
    """``clientlib report`` checks the source, then hands the template the redacted URL; the
    kernel's reader (run here, in-process) finds the password in the environment and reads the
    same facts as the file path. The batch test below renders such a report for real."""
    from clientlib.engine import to_pandas
    from clientlib.features import customer_facts
    from clientlib.io import read_inputs
    from clientlib.reports import data, render

    given = {}

    def fake_render(params, out, **kw):
        given.update(params)
        raise SystemExit(0)

    monkeypatch.setattr(render, "render_report", fake_render)
    html = tmp_path / "db.html"
    code, out, err = run_cli(["report", *_db_args(postgres), *REPORT_PARAMS, "-o", html],
                             monkeypatch, capsys)  # fmt: skip
    assert code == 0, err
    assert given["source"] == postgres.url(password=None)
    assert given["table"] == "workshop_transactions"
    _no_password(out, err, json.dumps(given), folder=tmp_path)
    keys = ("source", "table", "query", "events_table", "customers_table")
    tx, ev, cu, where = data.load_inputs(**{k: given[k] for k in keys if k in given})
    assert where == postgres.url(password=None) + ", table workshop_transactions"
    db_facts = to_pandas(customer_facts(tx, ev, cu))
    f = read_inputs(files["tx"], events=files["ev"], customers=files["cu"])
    file_facts = to_pandas(customer_facts(f.transactions, f.events, f.customers))
    key = ["customer_id"]
    pd.testing.assert_frame_equal(
        db_facts.sort_values(key).reset_index(drop=True),
        file_facts.sort_values(key).reset_index(drop=True),
    )


def test_batch_renders_the_database_report_and_fails_the_broken_ones(
    postgres, files, tmp_path, monkeypatch, capsys
):
    import yaml

    good = {"source": postgres.url(), "table": "workshop_transactions",
            "events_table": "workshop_events", "customers_table": "workshop_customers",
            "frameworks": ",".join(REPORT_FRAMEWORKS), "timeline_months": 0, "k": 3}
    config = {"output": "out", "run_date": "2025-01-06", "reports": {
        "db": good,
        "no_file": {"input": "missing.csv"},
        "no_table": {"source": postgres.url(), "table": "nosuch"},
        "down": {"source": postgres.url(port=free_port()), "table": "cdnow"},
    }}  # fmt: skip
    path = tmp_path / "batch.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    code, out, err = run_cli(["reports", "run", path, "--jobs", "1"], monkeypatch, capsys)
    assert code == 1  # README: "1 ... a batch with failed reports"
    folder = tmp_path / "out"
    _no_password(out, err, path.read_text().replace(PASSWORD, ""), folder=folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    jsonschema = pytest.importorskip("jsonschema")
    from clientlib.reports.manifest import manifest_schema

    jsonschema.validate(manifest, manifest_schema())
    by = {r["name"]: r for r in manifest["reports"]}
    assert by["db"]["status"] == "ok", by["db"].get("error")
    assert {by[n]["status"] for n in ("no_file", "no_table", "down")} == {"failed"}
    assert "missing.csv" in by["no_file"]["error"]
    assert "nosuch" in by["no_table"]["error"]
    assert "does not answer" in by["down"]["error"]
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "nosuch" in index and "missing.csv" in index
    # the manifest names the source as the database counted it, not by a file hash
    tx = workshop().transactions
    (source,) = by["db"]["inputs"]
    assert source["url"] == postgres.url(password=None)
    assert source["table"] == "workshop_transactions"
    assert source["rows"] == len(tx)
    assert pd.Timestamp(source["max_timestamp"]) == tx["timestamp"].max()
    expected = _classes(files["tx"], files["ev"], files["cu"], REPORT_FRAMEWORKS)
    pd.testing.assert_frame_equal(
        _snapshot(folder / "db_2025-01-06.classes.parquet", REPORT_FRAMEWORKS), expected
    )


def _failures(postgres) -> dict[str, list[str]]:
    return {
        "server down": ["--source", postgres.url(port=free_port()), "--table", "cdnow"],
        "wrong password": ["--source", postgres.url(password="not-" + PASSWORD), "--table",
                           "cdnow"],
        "missing table": ["--source", postgres.url(), "--table", "orders_2024"],
        "query error": ["--source", postgres.url(), "--query", "SELECT nope FROM cdnow"],
        "wrong types": ["--source", postgres.url(), "--table", "bad_amounts"],
    }  # fmt: skip


EXPECTED = {"server down": "does not answer", "wrong password": "refused the login",
            "missing table": "no table 'orders_2024'", "query error": "refused the query",
            "wrong types": "'amount' (amount) is text"}  # fmt: skip


@pytest.mark.parametrize("case", list(EXPECTED))
@pytest.mark.parametrize("command", ["facts", "report"])
def test_each_failure_is_one_line_exit_2_nothing_written(postgres, case, command, tmp_path,
                                                         monkeypatch, capsys):  # fmt: skip
    out = tmp_path / ("out.csv" if command == "facts" else "out.html")
    code, stdout, stderr = run_cli(
        [command, *_failures(postgres)[case], "-m", CDNOW_MAP, "-o", out], monkeypatch, capsys
    )
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and EXPECTED[case] in lines[0]
    assert "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []
    _no_password(stdout, stderr)


def test_failures_in_russian(postgres, tmp_path, monkeypatch, capsys):
    code, _, err = run_cli(["segment", *_failures(postgres)["missing table"], "--lang", "ru",
                            "-o", tmp_path / "s.csv"], monkeypatch, capsys)  # fmt: skip
    assert code == 2 and "нет таблицы 'orders_2024'" in err and PASSWORD not in err


@pytest.mark.parametrize("where", ["PGPASSWORD", "pgpass file", "CLIENTLIB_DB_PASSWORD"])
def test_password_from_the_environment(postgres, where, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    if where == "pgpass file":
        pgpass = tmp_path.parent / f"{tmp_path.name}.pgpass"  # outside the checked folder
        pgpass.write_text(f"127.0.0.1:{postgres.port}:shop:analyst:{PASSWORD}\n")
        pgpass.chmod(0o600)
        monkeypatch.setenv("PGPASSFILE", str(pgpass))
    else:
        monkeypatch.setenv(where, PASSWORD)
    out = tmp_path / "f.csv"
    code, stdout, err = run_cli(["facts", "--source", postgres.url(password=None), "--query",
                                 "SELECT * FROM cdnow WHERE customer_id < '01000'", "-m",
                                 CDNOW_MAP, "-o", out], monkeypatch, capsys)  # fmt: skip
    assert code == 0, err
    ids = datasets.load_cdnow()["customer_id"]
    assert set(_read(out)["customer_id"]) == set(ids[ids < "01000"])
    assert PASSWORD not in stdout + err


def test_the_fixture_runs_the_server_as_a_non_root_user(postgres):
    import subprocess

    if sys.platform != "linux":
        pytest.skip("ps -o user is read on Linux")
    pid = int((postgres.folder / "data" / "postmaster.pid").read_text().split()[0])
    user = subprocess.run(["ps", "-o", "user=", "-p", str(pid)], capture_output=True,
                          text=True).stdout.strip()  # fmt: skip
    assert user and user != "root"


def test_a_lesson_reads_a_database_url(postgres, monkeypatch):
    from clientlib import lessons
    from clientlib.engine import to_pandas
    from clientlib.features import customer_facts

    monkeypatch.setenv("PGPASSWORD", PASSWORD)  # a lesson keeps the password out of its cells
    got = lessons.load_inputs(f"{postgres.url(password=None)}?table=cdnow",
                              mapping={"timestamp": "date"}, lang="en")  # fmt: skip
    facts = to_pandas(customer_facts(got.transactions)).set_index("customer_id")
    orders = datasets.load_cdnow().groupby("customer_id").size()
    pd.testing.assert_series_equal(facts["orders"].sort_index(), orders.sort_index(),
                                   check_names=False)  # fmt: skip
    with pytest.raises(lessons.LessonError) as err:
        lessons.load_inputs({"source": postgres.url(), "table": "orders_2024"}, lang="ru")
    assert "нет таблицы 'orders_2024'" in str(err.value) and PASSWORD not in str(err.value)


@pytest.mark.spark
def test_engine_spark_from_the_command_line_gives_duckdbs_facts(spark_con, files, tmp_path,
                                                                monkeypatch, capsys):  # fmt: skip
    a, b = tmp_path / "duck.csv", tmp_path / "spark.csv"
    args = ["facts", files["tx"], "--events", files["ev"], "--customers", files["cu"]]
    assert run_cli([*args, "-o", a], monkeypatch, capsys)[0] == 0
    code, _, err = run_cli([*args, "--engine", "spark:local[2]", "-o", b], monkeypatch, capsys)
    assert code == 0, err
    pd.testing.assert_frame_equal(_read(a), _read(b))


@pytest.mark.parametrize("engine", ["spark:", "sparky", "polars"])
def test_an_unknown_engine_is_refused_before_reading(engine, tmp_path, monkeypatch, capsys):
    code, _, err = run_cli(["facts", "--dataset", "workshop", "--engine", engine, "-o",
                            tmp_path / "f.csv"], monkeypatch, capsys)  # fmt: skip
    assert code == 2 and "--engine" in err and not list(tmp_path.iterdir())


def test_batch_fails_only_the_reports_whose_input_is_missing_or_broken(tmp_path, monkeypatch,
                                                                      capsys):  # fmt: skip
    """No server needed: a missing file and a database that does not answer are recorded as
    failed with the reason, before any kernel starts; the batch ends with exit code 1."""
    import yaml

    down = f"postgres://analyst:{PASSWORD}@127.0.0.1:{free_port()}/shop"
    config = {"output": "out", "run_date": "2025-01-06", "lang": "ru", "reports": {
        "no_file": {"input": "missing.csv"},
        "down": {"source": down, "table": "orders", "lang": "ru"},
    }}  # fmt: skip
    path = tmp_path / "batch.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    code, out, err = run_cli(["reports", "run", path], monkeypatch, capsys)
    assert code == 1, err
    folder = tmp_path / "out"
    _no_password(out, err, folder=folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    by = {r["name"]: r for r in manifest["reports"]}
    assert by["no_file"]["status"] == by["down"]["status"] == "failed"
    assert manifest["status"] == "failed"
    assert "missing.csv" in by["no_file"]["error"]
    assert "сервер не отвечает" in by["down"]["error"]  # in the report's language
    assert "postgres://analyst@127.0.0.1" in by["down"]["error"]
    assert by["down"]["parameters"]["source"] == down.replace(f":{PASSWORD}", "")
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "missing.csv" in index and "сервер не отвечает" in index
    assert "0 of 2 reports ready" in out
