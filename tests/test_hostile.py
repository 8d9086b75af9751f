"""Hostile and broken input: refused cleanly, or accepted with every dropped row counted."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from _cli import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from clientlib.clusters import kmeans_segments
from clientlib.features import customer_facts
from clientlib.io import read_transactions
from clientlib.segment import segment

cli = run_cli


# --- refused: clear message, exit 2, no traceback, no output file ---

REFUSED = {
    "renamed_columns.csv": (b"client,date,sum\na,2024-01-01,5\n", "missing column"),
    "wrong_types.csv": (
        b"customer_id,timestamp,amount\na,2024-01-01,x\nb,2024-01-02,y\n",
        "should hold a number",
    ),
    "empty.csv": (b"", "empty"),
    "header_only.csv": (b"customer_id,timestamp,amount\n", "no data rows"),
    # Latin-1 is now read (issue 23: decided from the bytes); one Cyrillic letter decides
    # nothing between cp1251 and KOI8-R, so that file is refused with the option.
    "one_cyrillic_letter.csv": (
        "customer_id,timestamp,amount\nЯ,2024-01-01,5\n".encode("koi8-r"),
        "--encoding",
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_inputs_through_the_cli(name, tmp_path, monkeypatch, capsys):
    content, message = REFUSED[name]
    src = tmp_path / name
    src.write_bytes(content)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out_csv = out_dir / "seg.csv"
    code, out, err = cli(["segment", src, "-f", "rfm", "-o", out_csv], monkeypatch, capsys)
    assert code == 2, err
    assert message in err and "Traceback" not in err
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_inputs_through_the_api(name, tmp_path):
    from clientlib.schema import ClientlibError

    content, message = REFUSED[name]
    src = tmp_path / name
    src.write_bytes(content)
    with pytest.raises(ClientlibError, match=message.replace("-", r"\-")):
        read_transactions(src)


# --- accepted, with every dropped row counted ---


def test_mixed_time_zones_and_unparsable_dates_are_counted():
    df = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "b", "c"],
            "timestamp": [
                "2024-01-01T10:00:00+03:00",
                "2024-01-01T10:00:00Z",
                "2024-01-02",
                "31.02.2024",
                "not a date",
            ],
            "amount": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    loaded = read_transactions(df)
    assert loaded.quality.excluded == {"unparsable_timestamp": 2}
    values = [e["value"] for e in loaded.quality.examples["unparsable_timestamp"]]
    assert values == ["31.02.2024", "not a date"]
    ts = loaded.table.to_pandas().sort_values("amount")["timestamp"].tolist()
    assert ts[:2] == [pd.Timestamp("2024-01-01 07:00"), pd.Timestamp("2024-01-01 10:00")]


def test_absurd_amounts_are_kept_with_a_warning():
    amounts = [10.0 + i / 1000 for i in range(5000)] + [1e12]
    df = pd.DataFrame(
        {
            "customer_id": [f"c{i % 50}" for i in range(5001)],
            "timestamp": "2024-01-01",
            "amount": amounts,
        }
    )
    loaded = read_transactions(df)
    assert loaded.quality.rows_used == 5001 - loaded.quality.excluded.get("duplicate", 0)
    assert any("1,000,000,000,000.00" in w for w in loaded.quality.warnings)


def test_single_customer_and_identical_customers():
    one = pd.DataFrame({"customer_id": ["a"], "timestamp": ["2024-01-01"], "amount": [5.0]})
    facts = customer_facts(read_transactions(one))
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        df, skipped = segment(facts, ["lifecycle", "ladder", "rfm"])
    assert df.groupby("framework").size().to_dict() == {"ladder": 1, "lifecycle": 1, "rfm": 1}
    rows, model, choice = kmeans_segments(facts.to_pandas())
    assert model is None and rows["class"].tolist() == ["not_clustered"]
    assert "fewer than two distinct buyers" in rows["reason"].iloc[0]

    same = pd.DataFrame(
        {"customer_id": [f"c{i}" for i in range(20)], "timestamp": "2024-01-01", "amount": 9.0}
    )
    facts = customer_facts(read_transactions(same))
    with pytest.warns(UserWarning, match="(?i)collapse"):
        df, _ = segment(facts, ["rfm"])
    assert df["class"].nunique() == 1 and len(df) == 20


def test_one_bad_row_in_ten_million(tmp_path):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    n = 10_000_000
    rng = np.random.default_rng(0)
    amounts = (rng.gamma(2.0, 30.0, n).round(2) + 0.01).astype(str).astype(object)
    middle = n // 2
    amounts[middle - 1] = "12.3.4"  # data row `middle` (1-based) holds a broken amount
    table = pa.table(
        {
            "customer_id": pa.array(rng.integers(0, 500_000, n)).cast(pa.string()),
            "timestamp": pa.array(
                np.datetime64("2023-01-01") + rng.integers(0, 365, n).astype("timedelta64[D]")
            ),
            "amount": pa.array(amounts, pa.string()),
        }
    )
    path = tmp_path / "big.csv"
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="none"))
    del table, amounts
    loaded = read_transactions(path)
    q = loaded.quality
    assert q.excluded.get("unparsable_amount") == 1
    assert q.examples["unparsable_amount"] == [{"row": middle, "value": "12.3.4"}]
    assert q.rows_read == n and q.rows_used + q.rows_excluded == n
    assert q.rows_used >= n - 1 - q.excluded.get("duplicate", 0)


def test_same_inputs_give_byte_identical_outputs(tmp_path, monkeypatch, capsys):
    outs = []
    for i in range(2):
        out_csv = tmp_path / f"run{i}.csv"
        code, _, err = cli(
            ["segment", "--dataset", "workshop", "-f", "all", "--k", "3", "-o", out_csv],
            monkeypatch,
            capsys,
        )
        assert code == 0, err
        outs.append(out_csv.read_bytes())
    assert outs[0] == outs[1]


# --- untrusted rulebooks: only the grammar is accepted, nothing is ever executed ---

_AUDIT_EVENTS: list[str] = []
_AUDITING = [False]
_WATCHED = ("exec", "compile", "import", "os.system", "subprocess.Popen", "open", "builtins.input")


def _audit(event: str, args, _on=_AUDITING, _seen=_AUDIT_EVENTS, _watched=_WATCHED) -> None:
    # Defaults bind the lists now: module globals are gone when the interpreter shuts down.
    if _on[0] and event in _watched:
        _seen.append(event)


sys.addaudithook(_audit)

_TOKENS = [
    "orders",
    "recency_days",
    ">=",
    "<",
    "==",
    "!=",
    "and",
    "or",
    "not",
    "(",
    ")",
    "+",
    "-",
    "*",
    "/",
    "3",
    "2.5",
    "'x'",
    '"y"',
    "true",
    "null",
    "min(",
    "max(",
    "is_null(",
    ",",
    ".",
    "__class__",
    "__import__",
    "('os')",
    ".system",
    "lambda x: x",
    "[x for x in y]",
    "import os",
    "eval(",
    "open(",
    "exec(",
    "getattr(",
    "os",
    ";",
    "\\",
    "`",
    "@",
    "{",
    "}",
    "[",
    "]",
    "**",
    "%",
    "=",
]


def _rulebook(text: str) -> dict:
    return {
        "framework": "fuzz",
        "title": {"en": "Fuzz"},
        "classes": [
            {"id": "hit", "label": {"en": "Hit"}, "when": text},
            {"id": "rest", "label": {"en": "Rest"}, "otherwise": True},
        ],
    }


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=12).map(" ".join),
        st.text(min_size=1, max_size=40),
    )
)
def test_fuzzed_expressions_never_execute_and_fail_cleanly(text):
    from clientlib.frameworks import Rulebook, RulebookError

    _AUDIT_EVENTS.clear()
    _AUDITING[0] = True
    try:
        Rulebook.from_dict(_rulebook(text))
    except RulebookError as exc:
        assert str(exc)  # a message, with where it went wrong
    finally:
        _AUDITING[0] = False
    assert _AUDIT_EVENTS == [], (text, _AUDIT_EVENTS)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('echo hacked')",
        "orders.__class__",
        "getattr(orders, 'x')",
        "lambda: 1",
        "[x for x in orders]",
        "import os",
        "open('/etc/passwd')",
        "orders if 1 else 2",
    ],
)
def test_dangerous_constructs_are_rejected_with_a_position(text):
    from clientlib.frameworks.language import RuleSyntaxError
    from clientlib.frameworks.rulebook import Rulebook

    with pytest.raises(RuleSyntaxError) as err:
        Rulebook.from_dict(_rulebook(text))
    assert err.value.position >= 1 and "position" in str(err.value)


def test_yaml_is_loaded_safely(tmp_path):
    from clientlib.frameworks import Rulebook, RulebookError

    evil = "!!python/object/apply:os.system ['echo hacked']"
    with pytest.raises((RulebookError, Exception)) as err:
        Rulebook.from_yaml(f"framework: x\ntitle: {evil}\nclasses: []\n")
    assert "hacked" not in str(err.value) or "python/object" in str(err.value)
