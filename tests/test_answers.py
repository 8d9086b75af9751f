"""Collected answers: exercises.check appends each attempt to the trainer's folder, and
``clientlib workshop summary`` shows who did what.

The expected summary is built here from the recorded attempts by a second route (a plain loop
over what each participant typed and the verdict pandas gives), not copied from a run.
"""

from __future__ import annotations

import json
import threading

import openpyxl
import pandas as pd
import pytest

from clientlib import exercises, workshop
from tests._cli import run_cli

FACTS = pd.DataFrame({"customer_id": list("abcde"), "orders": [0, 2, 1, 0, 5]})
BUYERS = int((FACTS["orders"] >= 1).sum())  # 3, independently of the solver
LONG = " ".join(["the dormant customers get a call from the account manager this month"] * 2)


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    monkeypatch.delenv(exercises.ANSWERS_ENV, raising=False)
    monkeypatch.delenv(exercises.PARTICIPANT_ENV, raising=False)
    exercises.collect(None, None)
    yield
    exercises.collect(None, None)


def _lines(folder):
    return [json.loads(line) for p in sorted(folder.glob("*.jsonl"))
            for line in p.read_text("utf-8").splitlines()]  # fmt: skip


def test_nothing_is_stored_without_a_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    exercises.check("quickstart_buyers", BUYERS, facts=FACTS)
    assert "✓" in capsys.readouterr().out
    assert list(tmp_path.rglob("*")) == []


def test_answers_of_two_participants_are_collected_and_summarised(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "answers"
    monkeypatch.setenv(exercises.ANSWERS_ENV, str(folder))
    attempts = [  # (participant, exercise, answer)
        ("Анна Петрова", "quickstart_buyers", BUYERS + 2),
        ("Анна Петрова", "quickstart_buyers", str(BUYERS)),
        ("Анна Петрова", "quickstart_first_action", LONG),
        ("Boris", "quickstart_buyers", BUYERS - 1),
        ("Boris", "quickstart_first_action", "call them"),
    ]
    monkeypatch.setenv(exercises.PARTICIPANT_ENV, "Анна Петрова")
    for _who, name, answer in attempts[:3]:
        exercises.check(name, answer, lang="ru", facts=FACTS)
    exercises.collect(folder, "Boris")  # a lesson's parameters win over the environment
    for _who, name, answer in attempts[3:]:
        exercises.check(name, answer, lang="ru", facts=FACTS)
    exercises.check("quickstart_fans", None, facts=FACTS)  # not answered: nothing recorded
    capsys.readouterr()

    rows = _lines(folder)
    recorded = sorted((r["participant"], r["exercise"], str(r["answer"])) for r in rows)
    assert recorded == sorted((w, n, str(a)) for w, n, a in attempts)
    verdicts = {(r["participant"], str(r["answer"])): r["verdict"] for r in rows}
    assert verdicts[("Анна Петрова", str(BUYERS))] == "correct"
    assert verdicts[("Анна Петрова", str(BUYERS + 2))] == "wrong"
    assert verdicts[("Анна Петрова", LONG)] == "noted"
    assert verdicts[("Boris", "call them")] == "wrong"
    assert all(pd.Timestamp(r["time"]).tzinfo is not None for r in rows)

    # the expected table, by hand: best verdict per (participant, exercise), attempts if > 1
    table = workshop.summary(folder, "ru")
    assert table.loc["Анна Петрова", "01·1"] == "✓ (2)"
    assert table.loc["Анна Петрова", "01·4"] == "✎"
    assert table.loc["Boris", "01·1"] == "✗"
    assert table.loc["Boris", "01·4"] == "✗"
    assert table.loc["Анна Петрова", ["✓", "✎", "✗"]].tolist() == [1, 1, 0]
    assert table.loc["Boris", ["✓", "✎", "✗"]].tolist() == [0, 0, 2]
    assert "01·2" not in table.columns  # nobody answered it

    code, out, err = run_cli(["workshop", "summary", folder, "--lang", "ru",
                              "-o", tmp_path / "sum.xlsx"], monkeypatch, capsys)  # fmt: skip
    assert code == 0, err
    assert "2 участника" in out and "Анна Петрова" in out and "✓ (2)" in out
    assert "Сколько клиентов купили хотя бы раз?" in out  # the legend, in the trainer's language
    book = openpyxl.load_workbook(tmp_path / "sum.xlsx")
    sheet = book.active
    cells = {(r[0].value, c.value) for r in sheet.iter_rows(min_row=2) for c in r[1:]}
    assert ("Анна Петрова", "✓ (2)") in cells and ("Boris", "✗") in cells

    code, _, err = run_cli(["workshop", "summary", folder, "-o", tmp_path / "sum.csv"],
                           monkeypatch, capsys)  # fmt: skip
    assert code == 0, err
    back = pd.read_csv(tmp_path / "sum.csv", encoding="utf-8-sig", dtype=str).fillna("")
    assert back.set_index("participant").loc["Boris", "01·1"] == "✗"


def test_summary_refuses_a_missing_or_empty_folder_in_the_users_language(tmp_path, monkeypatch,
                                                                         capsys):  # fmt: skip
    code, out, err = run_cli(["workshop", "summary", tmp_path / "nope", "--lang", "ru"],
                             monkeypatch, capsys)  # fmt: skip
    assert code == 2 and "не папка с собранными ответами" in err and "Traceback" not in err
    code, out, err = run_cli(["workshop", "summary", tmp_path], monkeypatch, capsys)
    assert code == 2 and "no answers" in err
    (tmp_path / "x.jsonl").write_text('{"participant": "A", "exercise": "quickstart_buyers", '
                                      '"verdict": "correct"}\n', "utf-8")  # fmt: skip
    code, out, err = run_cli(["workshop", "summary", tmp_path, "-o", tmp_path / "s.txt"],
                             monkeypatch, capsys)  # fmt: skip
    assert code == 2 and ".csv or .xlsx" in err and not (tmp_path / "s.txt").exists()


def test_concurrent_attempts_are_all_kept(tmp_path):
    """Two kernels of one participant appending at once: the file lock keeps every line whole."""
    fb = exercises.evaluate("quickstart_buyers", BUYERS, facts=FACTS)

    def append(k: int) -> None:
        for _ in range(25):
            exercises.record(fb, BUYERS, participant="Вера", folder=tmp_path)

    threads = [threading.Thread(target=append, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = _lines(tmp_path)
    assert len(rows) == 100 and {r["verdict"] for r in rows} == {"correct"}


def test_an_unwritable_folder_does_not_stop_the_lesson(tmp_path, capsys):
    blocker = tmp_path / "answers"
    blocker.write_text("a file where the folder should be", "utf-8")
    exercises.check("quickstart_buyers", BUYERS, facts=FACTS, lang="ru", folder=blocker)
    out = capsys.readouterr().out
    assert out.startswith("✓ Упражнение 1") and "ответ не сохранён для ведущего" in out
    assert "Traceback" not in out
