"""Issue 23, items 3-6: a mapping per table, money discounts, line items without an order id,
and not-applicable messages that say what to add.

Expected figures are computed here with pandas from the files the tests write, never copied
from clientlib's output.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from _cli import run_cli

from clientlib import lessons
from clientlib.frameworks.skipped import Skipped, skip_parts, skip_text
from clientlib.io import read_inputs, read_transactions
from clientlib.reports.batch import load_config
from clientlib.schema import ROLES, parse_mapping

ANALYSIS = "2024-07-01"


def _shop(seed: int = 7, n: int = 40) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Transactions (``Client``, ``Date``, ``Total``) and events with their own date column."""
    rng = np.random.default_rng(seed)
    tx = pd.DataFrame({
        "Client": [f"c{i % n:02d}" for i in range(4 * n)],
        "Date": pd.to_datetime("2024-01-01")
        + pd.to_timedelta(rng.integers(0, 170, 4 * n), unit="D"),
        "Total": rng.integers(5, 200, 4 * n).astype(float),
    })
    ev = pd.DataFrame({
        "Client": [f"c{int(i):02d}" for i in rng.integers(0, n, 3 * n)],
        "redemption_date": pd.to_datetime("2024-01-01")
        + pd.to_timedelta(rng.integers(0, 200, 3 * n), unit="D"),  # some after the cut
        "kind": rng.choice(["contact", "complaint", "visit"], 3 * n),
    })
    return tx, ev


def _write(df: pd.DataFrame, path) -> str:
    df.to_csv(path, index=False, date_format="%Y-%m-%d")
    return str(path)


# --- 1. a mapping per table ------------------------------------------------------------------


def test_events_with_their_own_date_column_map_without_renaming(tmp_path, monkeypatch, capsys):
    tx, ev = _shop()
    t = _write(tx, tmp_path / "orders.csv")
    e = _write(ev, tmp_path / "events.csv")
    renamed = _write(ev.rename(columns={"redemption_date": "Date"}), tmp_path / "renamed.csv")
    base = ["facts", t, "--analysis-date", ANALYSIS]
    runs = {
        "renamed": [*base, "--events", renamed, "--map", "customer_id=Client,timestamp=Date,"
                    "amount=Total"],
        "dotted": [*base, "--events", e, "--map", "customer_id=Client,timestamp=Date,"
                   "amount=Total,events.timestamp=redemption_date"],
        "events_map": [*base, "--events", e, "--map", "customer_id=Client,timestamp=Date,"
                       "amount=Total", "--events-map", "timestamp=redemption_date"],
    }
    out = {}
    for name, args in runs.items():
        path = tmp_path / f"facts_{name}.csv"
        code, _, err = run_cli([*args, "-o", path], monkeypatch, capsys)
        assert code == 0, err
        out[name] = pd.read_csv(path).sort_values("customer_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(out["dotted"], out["renamed"])
    pd.testing.assert_frame_equal(out["events_map"], out["renamed"])
    # the events were read with their own date: complaints before the analysis date, by pandas
    before = ev[ev["redemption_date"] < pd.Timestamp(ANALYSIS)]
    touch = before[before["kind"].isin(["contact", "visit"])].groupby("Client").size()
    got = out["dotted"].set_index("customer_id")["touchpoints"]
    assert (got[got > 0].sort_index() == touch.sort_index()).all()
    assert int(got.sum()) == len(before[before["kind"].isin(["contact", "visit"])])


def test_the_same_mapping_from_python_a_lesson_and_a_batch(tmp_path):
    tx, ev = _shop(seed=3)
    t = _write(tx, tmp_path / "orders.csv")
    e = _write(ev, tmp_path / "events.csv")
    nested = {"customer_id": "Client", "timestamp": "Date", "amount": "Total",
              "events": {"timestamp": "redemption_date"}}
    flat = "customer_id=Client,timestamp=Date,amount=Total,events.timestamp=redemption_date"
    assert parse_mapping(nested) == parse_mapping(flat)
    # the lesson's mapping parameter, as papermill passes it (JSON text)
    assert lessons._mapping('{"customer_id": "Client", "timestamp": "Date", "amount": "Total", '
                            '"events": {"timestamp": "redemption_date"}}') == parse_mapping(flat)
    # a batch report's map: with a nested events: mapping and a dotted key
    cfg = tmp_path / "b.yml"
    cfg.write_text("output: out\nreports:\n  weekly:\n    column_map: customer_id=Client\n"
                   "    map:\n      timestamp: Date\n      amount: Total\n"
                   "      events: {kind: kind}\n      events.timestamp: redemption_date\n")
    column_map = load_config(cfg).reports["weekly"]["column_map"]
    assert parse_mapping(column_map) == {**parse_mapping(flat), "events.kind": "kind"}
    a = read_inputs(t, events=e, mapping=nested, analysis_date=ANALYSIS)
    b = read_inputs(t, events=e, mapping=column_map, analysis_date=ANALYSIS)
    assert a.events.quality.rows_used == b.events.quality.rows_used
    assert a.events.quality.rows_used == int((ev["redemption_date"] < ANALYSIS).sum())


@pytest.mark.parametrize(
    ("item", "table"),
    [("events.date=x", "events"), ("customers.vip=x", "customers"),
     ("transactions.when=x", "transactions")],
)
def test_unknown_role_of_a_table_names_that_tables_roles(item, table, tmp_path, monkeypatch,
                                                         capsys):  # fmt: skip
    tx, _ = _shop()
    t = _write(tx, tmp_path / "orders.csv")
    out = tmp_path / "out.csv"
    code, _, err = run_cli(["facts", t, "--map", f"customer_id=Client,timestamp=Date,"
                            f"amount=Total,{item}", "-o", out], monkeypatch, capsys)
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1, err
    required, optional = ROLES[table]
    assert all(r in err for r in (*required, *optional)), err
    assert not out.exists()


def test_unknown_table_and_a_wrong_table_in_a_table_option(tmp_path, monkeypatch, capsys):
    tx, _ = _shop()
    t = _write(tx, tmp_path / "orders.csv")
    for args, fragment in (
        (["--map", "customer_id=Client,evnts.timestamp=x"], "unknown table 'evnts'"),
        (["--events-map", "customers.customer_id=x"], "--events-map is for the events table"),
    ):
        code, _, err = run_cli(["facts", t, *args, "-o", tmp_path / "o.csv"], monkeypatch, capsys)
        assert code == 2 and fragment in err and err.count("\n") == 1, err


# --- 2. money vs share -----------------------------------------------------------------------


def _discounts(seed: int = 11) -> pd.DataFrame:
    """Lines with order ids and a discount in money (some orders free, some not discounted)."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(30):
        for o in range(int(rng.integers(1, 6))):
            kind = rng.choice(["none", "some", "free"], p=[0.5, 0.35, 0.15])
            for _ in range(int(rng.integers(1, 4))):
                price = float(rng.integers(10, 90))
                money = {"none": 0.0, "some": round(price * rng.uniform(0.05, 0.5), 2),
                         "free": price}[str(kind)]
                rows.append({"Client": f"k{c:02d}", "Order": f"o{c}-{o}",
                             "Date": f"2024-0{1 + o}-1{c % 9}", "Paid": price - money,
                             "retail_disc": money})
    return pd.DataFrame(rows)


MONEY_MAP = "customer_id=Client,order_id=Order,timestamp=Date,amount=Paid"


def test_a_money_discount_mapped_as_a_share_is_refused(tmp_path, monkeypatch, capsys):
    df = _discounts()
    path = _write(df, tmp_path / "orders.csv")
    out = tmp_path / "facts.csv"
    code, _, err = run_cli(["facts", path, "--map", f"{MONEY_MAP},discount=retail_disc",
                            "-o", out], monkeypatch, capsys)
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1, err
    outside = int(((df["retail_disc"] < 0) | (df["retail_disc"] > 1)).sum())
    assert f"holds {outside:,} values outside 0..1" in err
    assert "'retail_disc'" in err and "map it as discount_amount if it is money" in err
    assert not out.exists()


def test_a_money_discount_mapped_as_discount_amount_gives_the_shares(tmp_path):
    df = _discounts()
    path = _write(df, tmp_path / "orders.csv")
    mapping = parse_mapping(f"{MONEY_MAP},discount_amount=retail_disc")
    lines = read_transactions(path, mapping).table.to_pandas()
    # the share of each line, by pandas: money / (paid + money), 0 where nothing was taken off
    full = df["Paid"] + df["retail_disc"]
    want = (df["retail_disc"] / full).where(df["retail_disc"] > 0, 0.0)
    got = lines.sort_values(["order_id", "amount", "discount"])["discount"].to_numpy()
    want_sorted = df.assign(s=want).sort_values(["Order", "Paid", "s"])["s"].to_numpy()
    np.testing.assert_allclose(got, want_sorted)
    # the facts: share of orders with a discount, and of orders given away (>= 80 % or free)
    from clientlib.features import customer_facts

    inputs = read_inputs(path, mapping=mapping)
    facts = customer_facts(inputs.transactions).to_pandas().set_index("customer_id")
    orders = df.assign(s=want).groupby(["Client", "Order"]).agg(
        s=("s", "max"), paid=("Paid", "sum"))
    disc = (orders["s"] > 0).groupby(level=0).mean()
    free = ((orders["paid"] <= 0) | (orders["s"] >= 0.8)).groupby(level=0).mean()
    np.testing.assert_allclose(facts.loc[disc.index, "discount_share"], disc.to_numpy())
    np.testing.assert_allclose(facts.loc[free.index, "free_share"], free.to_numpy())


def test_buyer_types_classify_from_a_discount_amount(tmp_path, monkeypatch, capsys):
    df = _discounts()
    path = _write(df, tmp_path / "orders.csv")
    out = tmp_path / "seg.csv"
    code, _, err = run_cli(["segment", path, "--map", f"{MONEY_MAP},discount_amount=retail_disc",
                            "--framework", "buyer_types", "-o", out], monkeypatch, capsys)
    assert code == 0, err
    seg = pd.read_csv(out).set_index("customer_id")["class"]
    # the rulebook's published thresholds applied to pandas' shares (buyer_types.yaml)
    full = df["Paid"] + df["retail_disc"]
    share = (df["retail_disc"] / full).where(df["retail_disc"] > 0, 0.0)
    orders = df.assign(s=share).groupby(["Client", "Order"]).agg(s=("s", "max"),
                                                                paid=("Paid", "sum"))
    free = ((orders["paid"] <= 0) | (orders["s"] >= 0.8)).groupby(level=0).mean()
    disc = (orders["s"] > 0).groupby(level=0).mean()
    want = pd.Series("seeker", index=free.index)
    want[disc >= 0.6] = "discount_hunter"
    want[free >= 0.5] = "freeloader"
    assert seg.sort_index().to_dict() == want.sort_index().to_dict()
    assert {"freeloader", "discount_hunter"} <= set(want)  # the file has both


def test_a_percent_column_is_read_as_a_whole(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("customer_id,timestamp,amount,discount\na,2024-01-01,10,15%\n"
                    "b,2024-01-02,10,0%\nc,2024-01-03,10,100 %\n")
    lines = read_transactions(str(path)).table.to_pandas().sort_values("customer_id")
    assert lines["discount"].tolist() == [0.15, 0.0, 1.0]
    path.write_text("customer_id,timestamp,amount,discount\na,2024-01-01,10,150%\n")
    with pytest.raises(Exception, match="outside 0..1"):
        read_transactions(str(path))


def test_a_parquet_money_discount_is_refused_and_read_as_an_amount(tmp_path):
    df = _discounts()
    df["Date"] = pd.to_datetime(df["Date"])
    path = tmp_path / "orders.parquet"
    df.to_parquet(path)
    with pytest.raises(Exception, match="discount_amount if it is money"):
        read_transactions(str(path), parse_mapping(f"{MONEY_MAP},discount=retail_disc"))
    lines = read_transactions(str(path), parse_mapping(f"{MONEY_MAP},discount_amount=retail_disc"))
    got = lines.table.to_pandas()["discount"]
    full = df["Paid"] + df["retail_disc"]
    want = (df["retail_disc"] / full).where(df["retail_disc"] > 0, 0.0)
    np.testing.assert_allclose(np.sort(got.to_numpy()), np.sort(want.to_numpy()))


# --- 3. line items without an order id -------------------------------------------------------


def _line_items() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = []
    for receipt in range(60):
        client, day = f"h{receipt % 12}", f"2024-03-{1 + receipt // 12:02d} 10:{receipt % 60:02d}"
        for _ in range(int(rng.integers(1, 5))):
            rows.append({"household": client, "day": day, "BASKET_ID": f"B{receipt:04d}",
                         "sales_value": float(rng.integers(1, 30))})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_line_items_without_an_order_id_are_said_with_the_column(lang, tmp_path, monkeypatch,
                                                                 capsys):  # fmt: skip
    df = _line_items()
    path = _write(df, tmp_path / "lines.csv")
    base = ["facts", path]
    mapping = ["--map", "customer_id=household,timestamp=day,amount=sales_value"]
    args = [*base, *mapping, "-o", tmp_path / "f.csv"]
    if lang == "ru":  # the account in Russian is printed by the commands that take --lang
        args = ["segment", path, *mapping, "--framework", "ladder", "--lang", "ru", "-o",
                tmp_path / "s.csv"]
    code, _, err = run_cli(args, monkeypatch, capsys)
    assert code == 0, err
    share = df.duplicated(["household", "day"], keep=False).mean()
    if lang == "en":
        assert f"{share:.1%} of the lines share a customer and a time" in err
        assert "--map order_id=BASKET_ID" in err
    else:
        pct = f"{share * 100:.1f}".replace(".", ",") + "\u00a0%"
        assert f"{pct} строк совпадают с другой строкой по клиенту и времени" in err
        assert "похоже, это строки чеков" in err and "--map order_id=BASKET_ID" in err
    # mapped, the note goes and the baskets are the orders
    code, _, err = run_cli([*base, "--map", "customer_id=household,timestamp=day,"
                            "amount=sales_value,order_id=BASKET_ID", "-o", tmp_path / "g.csv"],
                           monkeypatch, capsys)  # fmt: skip
    assert code == 0 and "share a customer and a time" not in err
    assert f"{df['BASKET_ID'].nunique():,} orders" in err


def test_no_line_item_note_when_lines_are_orders(tmp_path):
    tx, _ = _shop()
    tx = tx.drop_duplicates(["Client", "Date"])
    path = _write(tx, tmp_path / "orders.csv")
    q = read_inputs(path, mapping="customer_id=Client,timestamp=Date,amount=Total")
    assert "line_items" not in q.transactions.quality.notes
    assert q.transactions.quality.advice("ru") == []


# --- 4. not-applicable messages that say what to add -----------------------------------------

_LATIN = re.compile(r"[A-Za-z]")


def _prose(parts: list[tuple[str, list[str]]]) -> str:
    return " ".join(sentence for sentence, _ in parts)


def test_not_applicable_in_russian_names_table_role_option_and_example(tmp_path, monkeypatch,
                                                                       capsys):  # fmt: skip
    tx, _ = _shop()
    t = _write(tx, tmp_path / "orders.csv")
    args = ["segment", t, "--map", "customer_id=Client,timestamp=Date,amount=Total",
            "--framework", "awareness,ladder", "--lang", "ru", "-o", tmp_path / "s.csv"]
    code, _, err = run_cli(args, monkeypatch, capsys)
    assert code == 0, err
    line = next(s for s in err.splitlines() if "Стадии осведомлённости" in s)
    assert "в таблице клиентов" in line and "does_in_house" in line
    assert "--customers ФАЙЛ" in line and "--map customers.does_in_house=ВАШ_СТОЛБЕЦ" in line
    assert "Пример: clientlib segment orders.csv --customers customers.csv" in line
    # the sentences outside the ids, options and example are Russian: no Latin letter left
    # (code: the command, options, role ids and file names)
    words = line.replace("clientlib segment", "").replace(",", " ").rstrip(".").split()
    prose = [w for w in words if not re.fullmatch(r"--\S+|\S*[_.=]\S*", w)]
    assert not _LATIN.search(" ".join(prose)), prose
    assert "skipped" not in line and "the data" not in line


def test_the_advice_works_a_customers_file_with_its_own_column_names(tmp_path, monkeypatch,
                                                                     capsys):  # fmt: skip
    tx, _ = _shop()
    t = _write(tx, tmp_path / "orders.csv")
    clients = sorted(tx["Client"].unique())
    rng = np.random.default_rng(1)
    answers = {c: rng.choice(["да", "нет"], len(clients)) for c in
               ("InHouse", "TriedDIY", "Problems", "Seeking", "Knows")}
    cu = pd.DataFrame({"Client": clients, **answers})
    c = _write(cu, tmp_path / "customers.csv")
    out = tmp_path / "s.csv"
    code, _, err = run_cli(
        ["segment", t, "--map", "customer_id=Client,timestamp=Date,amount=Total", "--customers",
         c, "--customers-map", "does_in_house=InHouse,tried_diy=TriedDIY,had_problems=Problems,"
         "seeking_vendor=Seeking,knows_product=Knows", "--framework", "awareness", "-o", out],
        monkeypatch, capsys)  # fmt: skip
    assert code == 0, err
    seg = pd.read_csv(out).set_index("customer_id")["class"]
    yes = cu.set_index("Client").eq("да")
    # awareness.yaml's rules, in order, by pandas
    want = pd.Series("unaware", index=yes.index)
    want[yes["Knows"]] = "aware_no_use"
    want[yes["Seeking"]] = "ready_to_buy"
    want[(yes["TriedDIY"] | yes["InHouse"]) & yes["Problems"]] = "failed_diy"
    want[yes["InHouse"] & ~yes["Problems"]] = "self_sufficient"
    assert seg.sort_index().to_dict() == want.sort_index().to_dict()


def test_report_appendix_and_lesson_say_it_from_the_fields(capsys):
    from types import SimpleNamespace

    from clientlib.reports import views

    s = Skipped.missing_columns("awareness", ["does_in_house", "knows_product"])
    rd = SimpleNamespace(study=SimpleNamespace(skipped=[s]), lang="ru", titles={},
                         parameters={})  # fmt: skip
    items = views.skipped_items(rd)
    assert items == [(f"{a}:", b) for a, b in skip_parts(s, "ru", title="Стадии осведомлённости")]
    assert items[0][1] == ["does_in_house", "knows_product"]
    assert not _LATIN.search(_prose(items)), _prose(items)
    # a column no role names (a user's rulebook): a customers file, no --map item
    parts = skip_parts(Skipped.missing_columns("vip", ["vip_level"]), "en")
    assert parts[1] == ("Give a customers file with these columns", ["--customers FILE"])
    # the lesson says the lesson's parameters
    lessons.report_skipped([s], "ru")
    said = capsys.readouterr().out
    assert 'mapping={"customers.does_in_house": "ВАШ_СТОЛБЕЦ"}' in said
    assert 'data={"transactions": ..., "customers": "customers.csv"}' in said
    # events and transactions roles point at their own table and option
    ev = skip_text(Skipped.missing_columns("x", ["days_since_positive_contact"]), "en")
    assert "in the event log for the roles: sentiment" in ev and "--events FILE" in ev
    assert "--map events.sentiment=YOUR_COLUMN" in ev
    pickled = __import__("pickle").loads(__import__("pickle").dumps(s))
    assert pickled.missing == s.missing and str(pickled) == str(s)


def test_a_lesson_says_the_mapping_and_discount_errors_in_its_language(tmp_path, capsys):
    df = _discounts()
    path = _write(df, tmp_path / "orders.csv")
    with pytest.raises(lessons.LessonError) as err:
        lessons.load_inputs(path, f"{MONEY_MAP},discount=retail_disc", lang="ru")
    outside = int(((df["retail_disc"] < 0) | (df["retail_disc"] > 1)).sum())
    said = str(err.value)
    assert said.startswith("transactions: в столбце 'retail_disc', сопоставленном как discount")
    assert f"{outside} значени" in said.replace("\u00a0", "") and "discount_amount" in said
    with pytest.raises(lessons.LessonError) as err:
        lessons.load_inputs(path, {"customer_id": "Client", "events": {"date": "x"}}, lang="ru")
    assert str(err.value).startswith("у таблицы events нет роли 'date'")
    # the line-item advice in a lesson names the lesson's parameter
    lines = _line_items()
    p = _write(lines, tmp_path / "lines.csv")
    inputs = lessons.load_inputs(p, "customer_id=household,timestamp=day,amount=sales_value")
    capsys.readouterr()
    lessons.show_quality(inputs, "ru")
    shown = capsys.readouterr().out
    assert "похоже, это строки чеков" in shown and 'mapping={"order_id": "BASKET_ID"}' in shown


def test_a_lesson_says_a_frameworks_missing_columns_error_with_what_to_add():
    from clientlib.frameworks.rulebook import MissingColumnsError

    said = lessons.explain(MissingColumnsError("qualification", ["has_money"]), "ru")
    assert said.startswith("Классификация «Квалификация по пяти критериям» неприменима")
    assert 'mapping={"customers.has_money": "ВАШ_СТОЛБЕЦ"}' in said
