"""The command line: happy paths, and user errors as one message with exit code 2."""

from __future__ import annotations

import pandas as pd
import pytest
from _cli import run_cli

run = run_cli


def test_datasets_list_and_export(tmp_path, monkeypatch, capsys):
    code, out, _ = run(["datasets", "list"], monkeypatch, capsys)
    assert code == 0 and "cdnow" in out and "workshop" in out
    target = tmp_path / "cdnow.csv"
    code, out, _ = run(["datasets", "export", "cdnow", target], monkeypatch, capsys)
    assert code == 0 and len(pd.read_csv(target)) == 69_659


def test_segment_writes_one_row_per_customer_and_framework(tmp_path, monkeypatch, capsys):
    out_csv = tmp_path / "seg.csv"
    code, out, err = run(
        [
            "segment",
            "--dataset",
            "workshop",
            "--framework",
            "lifecycle,ladder,kmeans",
            "--k",
            "3",
            "--lang",
            "ru",
            "-o",
            out_csv,
        ],
        monkeypatch,
        capsys,
    )
    assert code == 0, err
    df = pd.read_csv(out_csv, dtype={"customer_id": str})
    assert list(df.columns[:6]) == [
        "customer_id",
        "framework",
        "class",
        "label",
        "reason",
        "action",
    ]
    counts = df.groupby("framework")["customer_id"].nunique()
    assert counts.to_dict() == {"kmeans": 2000, "ladder": 2000, "lifecycle": 2000}
    assert not df.duplicated(["customer_id", "framework"]).any()
    assert "заснувший" in set(df["label"])
    # the quality report goes to stderr, in the language asked for
    assert "покупки:" in err and "строк использовано: 15\xa0136" in err
    assert "записано строк: 6\xa0000" in out and "клиентов" in out


def test_segment_rfm_from_a_user_file_with_mapping(shared_data, tmp_path, monkeypatch, capsys):
    out_csv = tmp_path / "rfm.csv"
    code, out, err = run(
        [
            "segment",
            shared_data / "rfm_data_orders.csv",
            "--map",
            "timestamp=order_date,amount=revenue",
            "--framework",
            "rfm",
            "--analysis-date",
            "2006-12-31",
            "-o",
            out_csv,
        ],
        monkeypatch,
        capsys,
    )
    assert code == 0, err
    df = pd.read_csv(out_csv)
    assert {"recency", "frequency", "monetary", "R", "F", "M"} <= set(df.columns)
    assert (df["class"] == "champions").sum() == 158


def test_compare_two_outputs(tmp_path, monkeypatch, capsys):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for path, fw in ((a, "lifecycle"), (b, "ladder")):
        code, _, err = run(
            ["segment", "--dataset", "workshop", "-f", fw, "-o", path], monkeypatch, capsys
        )
        assert code == 0, err
    code, out, _ = run(["compare", a, b], monkeypatch, capsys)
    assert code == 0 and "ami" in out and "best one-to-one matching" in out
    code, out, _ = run(["compare", a, b, "--json"], monkeypatch, capsys)
    import json

    payload = json.loads(out)
    assert payload["a"] == "lifecycle" and payload["n"] == 2000


@pytest.mark.parametrize(
    "argv, message",
    [
        (["segment", "--dataset", "nope"], "unknown dataset 'nope'"),
        (["segment"], "either an INPUT file or --dataset"),
        (
            ["segment", "--dataset", "workshop", "--map", "amount=Revenue"],
            "not there (amount=Revenue)",
        ),
        (["segment", "--dataset", "workshop", "--analysis-date", "soon"], "YYYY-MM-DD"),
        (["segment", "--dataset", "workshop", "--lang", "fr"], "--lang must be en or ru"),
        (["segment", "--dataset", "workshop", "--k", "many"], "--k must be a whole number"),
        (["segment", "missing.csv"], "no such file"),
    ],
)
def test_user_errors_exit_2_without_traceback(argv, message, tmp_path, monkeypatch, capsys):
    out_csv = tmp_path / "out.csv"
    code, out, err = run([*argv, "-o", out_csv], monkeypatch, capsys)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert not out_csv.exists()
    assert list(tmp_path.iterdir()) == []  # no partial or temporary file left behind


def test_bad_rulebook_is_refused_cleanly(tmp_path, monkeypatch, capsys):
    rules = tmp_path / "bad.yaml"
    rules.write_text(
        "framework: mine\ntitle: {en: Mine}\nclasses:\n"
        "  - {id: a, label: {en: A}, when: \"__import__('os').system('echo hacked')\"}\n"
        "  - {id: b, label: {en: B}, otherwise: true}\n"
    )
    out_csv = tmp_path / "o.csv"
    code, out, err = run(
        [
            "segment",
            "--dataset",
            "workshop",
            "--framework",
            "lifecycle",
            "--rules",
            rules,
            "-o",
            out_csv,
        ],
        monkeypatch,
        capsys,
    )
    assert code == 2 and "position" in err and "Traceback" not in err
    assert "hacked" not in out + err and not out_csv.exists()
