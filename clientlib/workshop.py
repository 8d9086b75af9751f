"""The trainer's view of a workshop: who answered which exercise, from the collected answers.

:func:`clientlib.exercises.check` appends every attempt to ``<participant>.jsonl`` in the folder
the trainer names (``CLIENTLIB_ANSWERS`` or the lessons' ``answers`` parameter). :func:`summary`
turns such a folder into one table, participants by exercises:

* ``✓`` the exercise was answered correctly (at some attempt);
* ``✎`` an open question was answered (the trainer reads it);
* ``✗`` attempted, never correct;

with the number of attempts in brackets when there was more than one, and the counts of ✓, ✗ and
✎ per participant. ``clientlib workshop summary FOLDER`` prints it and can write it as CSV or XLSX.

Examples
--------
>>> import tempfile, json, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> rows = [{"participant": "Anna", "exercise": "quickstart_buyers", "verdict": "wrong"},
...         {"participant": "Anna", "exercise": "quickstart_buyers", "verdict": "correct"}]
>>> _ = (d / "Anna.jsonl").write_text("".join(json.dumps(r) + "\\n" for r in rows))
>>> summary(d).loc["Anna", "01·1"]
'✓ (2)'
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from clientlib import messages
from clientlib.errors import InputError, OptionError

__all__ = ["MARKS", "legend", "read_answers", "summary", "write_summary"]

#: The mark of each verdict; the best verdict of a participant's attempts is shown.
MARKS = {"correct": "✓", "noted": "✎", "wrong": "✗"}
_RANK = {"correct": 2, "noted": 2, "wrong": 1}


def _t(key: str, lang: str, **fields: Any) -> str:
    return messages.text(f"exercises.{key}", lang, **fields)


def read_answers(folder: str | os.PathLike[str], lang: str = "en") -> pd.DataFrame:
    """Every recorded attempt in ``folder`` (its ``*.jsonl`` files), one row each.

    A line that is not a JSON object (a file being written by hand, a torn line) is skipped.
    """
    where = Path(folder)
    if not where.is_dir():
        raise InputError(_t("summary_no_folder", lang, folder=str(where)))
    rows = []
    for path in sorted(where.glob("*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(row, dict) and row.get("participant") and row.get("exercise"):
                    rows.append(row)
    columns = ["participant", "lesson", "exercise", "number", "answer", "verdict", "mistake",
               "lang", "time"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)


def _column(name: str) -> str:
    """An exercise's column heading: lesson and number (``02·1``), or its id if unknown."""
    from clientlib.exercises import EXERCISES

    ex = EXERCISES.get(name)
    return f"{ex.lesson}·{ex.number}" if ex else name


def summary(folder: str | os.PathLike[str], lang: str = "en") -> pd.DataFrame:
    """Participants (rows) by exercises (columns, lesson order): ✓ / ✎ / ✗ and attempts, then
    the counts of each mark per participant. Empty cells: not attempted.
    """
    from clientlib.exercises import EXERCISES

    lang = messages.check_lang(lang)
    answers = read_answers(folder, lang)
    if answers.empty:
        raise InputError(_t("summary_empty", lang, folder=str(folder)))
    order = [n for n in EXERCISES if n in set(answers["exercise"])]
    order += sorted(set(answers["exercise"]) - set(order))
    people = sorted(answers["participant"].astype(str).unique(), key=str.casefold)
    table = pd.DataFrame("", index=pd.Index(people, name=_t("col_participant", lang)),
                         columns=[_column(n) for n in order])  # fmt: skip
    counts = {m: pd.Series(0, index=people) for m in MARKS.values()}
    for (who, name), part in answers.groupby(["participant", "exercise"], sort=False):
        verdicts = [v for v in part["verdict"] if v in MARKS]
        if not verdicts:
            continue
        best = max(verdicts, key=lambda v: (_RANK[v], v == "correct"))
        mark = MARKS[best]
        table.loc[str(who), _column(str(name))] = (
            f"{mark} ({len(verdicts)})" if len(verdicts) > 1 else mark
        )
        counts[mark][str(who)] += 1
    for mark, series in counts.items():
        table[mark] = series.astype(int)
    return table


def legend(folder: str | os.PathLike[str], lang: str = "en") -> list[str]:
    """One line per exercise column of :func:`summary`: its heading and its question."""
    from clientlib.exercises import EXERCISES

    names = [n for n in EXERCISES if n in set(read_answers(folder, lang)["exercise"])]
    return [f"{_column(n)}  {EXERCISES[n].prompt.get(lang) or EXERCISES[n].prompt['en']}"
            for n in names]  # fmt: skip


def write_summary(table: pd.DataFrame, out: str | os.PathLike[str], lang: str = "en") -> Path:
    """Write the summary as CSV (UTF-8 with a BOM, for Excel) or XLSX (openpyxl), atomically."""
    from clientlib.files import atomic_path, write_csv

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix == ".csv":
        return write_csv(table.reset_index(), out, excel=True, lang=lang)
    if suffix == ".xlsx":
        with atomic_path(out) as tmp:
            table.to_excel(tmp, engine="openpyxl", sheet_name=_t("summary_sheet", lang)[:31])
        return out
    raise OptionError(_t("summary_format", lang, name=out.name))
