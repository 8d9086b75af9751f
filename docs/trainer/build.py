"""Write the trainer's guide (``docs/trainer/guide.md``, ``guide.ru.md``) from lessons and data.

Usage::

    python docs/trainer/build.py            # rewrite both guides
    python docs/trainer/build.py --check    # exit 1 when a committed guide is out of date

Nothing in the guide that is a number is typed: the minutes per lesson come from the lesson
sources (``notebooks/src/*.py``: words and exercises, rule :func:`minutes`), the agenda adds them
up, the discussion prompts are the lines the executed lessons print under «Для обсуждения» /
"For discussion" (``notebooks/<lang>/*.ipynb``), the answers to the common questions are computed
with clientlib on the workshop data (seed 0, 2,000 customers, as in the lessons), and the export
failures are the one-line errors clientlib gives on a small generated export. The text around
them lives in ``guide.en.md.j2`` / ``guide.ru.md.j2`` beside this file.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:  # run as a script from a fresh clone
    sys.path.insert(0, str(ROOT))

from clientlib import messages, printables  # noqa: E402

LANGS = ("en", "ru")
OUT = {"en": HERE / "guide.md", "ru": HERE / "guide.ru.md"}
#: The one-day track (the rest, from 05 on, is the analysts' track).
DAY = ("01", "02", "04", "03", "06")
WORDS_PER_MINUTE_BLOCK = 100  # 3 minutes per 100 words: read, show, explain
MIN_PER_100_WORDS = 3
MIN_PER_CLOSED = 7
MIN_PER_OPEN = 12


def minutes(words: int, closed: int, open_: int) -> int:
    """Class minutes of a lesson, rounded up to 5.

    3 minutes per 100 words of the lesson's English text (the Russian says the same in ~15 %
    fewer words), 7 per closed exercise, 12 per open one.

    Examples
    --------
    >>> minutes(1014, 3, 1), minutes(1014, 3, 0)
    (65, 55)
    """
    raw = MIN_PER_100_WORDS * words / WORDS_PER_MINUTE_BLOCK + MIN_PER_CLOSED * closed \
        + MIN_PER_OPEN * open_
    return int(math.ceil(raw / 5) * 5)


def lessons() -> dict[str, dict[str, Any]]:
    """Per lesson number: both languages' :class:`~clientlib.printables.Lesson` and its minutes."""
    out: dict[str, dict[str, Any]] = {}
    for path in printables.lesson_sources(ROOT):
        by_lang = {lang: printables.read_lesson(path, lang) for lang in LANGS}
        en = by_lang["en"]
        closed = sum(not e.open for e in en.exercises)
        opened = sum(e.open for e in en.exercises)
        out[en.number] = {**by_lang, "words": en.words, "closed": closed, "open": opened,
                          "minutes": minutes(en.words, closed, opened),
                          "day_minutes": minutes(en.words, closed, 0)}
    return out


def discussion(name: str, lang: str) -> list[str]:
    """The lines an executed lesson prints in its discussion section."""
    path = ROOT / "notebooks" / lang / f"{name}.ipynb"
    if not path.is_file():
        return []
    heading = {"en": "## For discussion", "ru": "## Для обсуждения"}[lang]
    lines: list[str] = []
    inside = False
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            if inside:
                break
            inside = heading in source
            continue
        if inside:
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream":
                    lines += [" ".join(x.split()) for x in "".join(out["text"]).splitlines()
                              if x.strip()]
    return lines


def workshop_numbers() -> dict[str, Any]:
    """The numbers the common questions quote, computed on the workshop data of the lessons."""
    from clientlib import lessons as lesson_tools
    from clientlib import segment
    from clientlib.features import customer_facts

    inputs = lesson_tools.load_inputs(None, None, None, seed=0, n_customers=2000)
    facts = customer_facts(inputs.transactions, inputs.events, inputs.customers)
    df = facts.to_pandas()
    seg, _ = segment.segment(facts, ["lifecycle", "rfm", "value_tiers"])
    life = seg[seg["framework"] == "lifecycle"].set_index("customer_id")["class"]
    rfm = seg[seg["framework"] == "rfm"].set_index("customer_id")["class"]
    tiers = seg[seg["framework"] == "value_tiers"].set_index("customer_id")["class"]
    cycle = lesson_tools.purchase_cycle(facts)

    def dormant(days: float) -> int:
        s, _ = segment.segment(facts, ["lifecycle"],
                               params={"lifecycle": {"purchase_cycle_days": days}})
        return int((s["class"] == "dormant").sum())

    spend = df.set_index("customer_id")["total_spend"]
    gold = tiers.index[tiers == "gold"]
    positive = spend[spend > 0].sum()
    return {
        "customers": len(df),
        "life_non_buyers": int(life.isin(["lead", "target"]).sum()),
        "rfm_non_buyers": int((rfm == "non_buyer").sum()),
        "netted": int(((df["orders"] >= 1) & (df["total_spend"] <= 0)).sum()),
        "cycle": cycle,
        "dormant_auto": dormant(cycle),
        "dormant_90": dormant(90),
        "rfm_new": int((rfm == "new_customers").sum()),
        "rfm_promising": int((rfm == "promising").sum()),
        "rfm_potential": int((rfm == "potential_loyalist").sum()),
        "gold": len(gold),
        "gold_share": float(spend.loc[gold].sum() / positive),
        "gold_customer_share": len(gold) / int((spend > 0).sum()),
    }


def export_failures() -> list[dict[str, str]]:
    """One-line errors of a typical Russian export read without the right options.

    Each comes with its fix, and the export is read again with the fix (it must work).
    """
    from clientlib import lessons as lesson_tools
    from clientlib.errors import ClientlibError

    rows = ["Клиент;Дата;Сумма"] + [
        f"Клиент {i % 7};{i % 28 + 1:02d}.{i % 9 + 1:02d}.2024;{1000 + i},50" for i in range(40)]
    mapping = {"customer_id": "Клиент", "timestamp": "Дата", "amount": "Сумма"}
    cases = [
        ("encoding", {"encoding": None}, {"encoding": "cp1251"}, "-p encoding cp1251",
         "--encoding cp1251"),
        ("separator", {"encoding": "cp1251", "sep": ","}, {"encoding": "cp1251", "sep": ";"},
         "-p sep \";\"", "--sep \";\""),
        ("columns", {"encoding": "cp1251", "mapping": {"customer_id": "Client",
                                                        "timestamp": "Date",
                                                        "amount": "Total"}},
         {"encoding": "cp1251"},
         "-p mapping '{\"customer_id\": \"Клиент\", \"timestamp\": \"Дата\", "
         "\"amount\": \"Сумма\"}'", "--map customer_id=Клиент,timestamp=Дата,amount=Сумма"),
        ("dates", {"encoding": "cp1251", "date_format": "%Y-%m-%d"},
         {"encoding": "cp1251", "date_format": "%d.%m.%Y"}, "-p date_format \"%d.%m.%Y\"",
         "--date-format \"%d.%m.%Y\""),
    ]
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.csv"
        path.write_text("\n".join(rows) + "\n", encoding="cp1251")
        for what, bad, good, lesson_fix, cli_fix in cases:
            def read(options: dict[str, Any]) -> Any:
                options = dict(options)
                return lesson_tools.load_inputs(str(path), options.pop("mapping", mapping),
                                                None, **options)
            try:
                read(bad)
                error = ""
            except ClientlibError as exc:
                error = " ".join(str(exc).split())
            read(good)  # raises if the fix does not work: then no guide is written
            out.append({"what": what, "error": error.replace(str(path), "export.csv"),
                        "lesson_fix": lesson_fix, "cli_fix": cli_fix})
    return out


def render(lang: str, data: dict[str, Any]) -> str:
    """One guide's Markdown."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE)), keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True, autoescape=False)
    env.filters["n"] = lambda x, d=0: messages.number(x, lang, d)
    env.filters["pct"] = lambda x: messages.percent(x, lang)
    return env.get_template(f"guide.{lang}.md.j2").render(lang=lang, **data)


def _clock(start: int) -> str:
    return f"{start // 60:02d}:{start % 60:02d}"


def guide_data() -> dict[str, Any]:
    """Everything the two templates use."""
    found = lessons()
    day, t = [], 9 * 60 + 30
    day.append({"kind": "setup", "start": _clock(t), "minutes": 30})
    t += 30
    for number in DAY:
        if number not in found:
            continue
        if number == "03":  # lunch after the morning's three lessons
            day.append({"kind": "lunch", "start": _clock(t), "minutes": 45})
            t += 45
        item = found[number]
        day.append({"kind": "lesson", "start": _clock(t), "minutes": item["day_minutes"],
                    "lesson": item})
        t += item["day_minutes"]
    for kind, length in (("coffee", 15), ("own_data", 45), ("monday", 30)):
        day.append({"kind": kind, "start": _clock(t), "minutes": length})
        t += length
    analyst = [found[n] for n in sorted(found) if n not in DAY and n != "01"]
    prompts = {lang: {n: discussion(item["en"].name, lang) for n, item in found.items()}
               for lang in LANGS}
    return {"lessons": found, "day": day, "end": _clock(t), "analyst": analyst,
            "prompts": prompts, "q": workshop_numbers(), "failures": export_failures(),
            "rule": {"per100": MIN_PER_100_WORDS, "closed": MIN_PER_CLOSED,
                     "open": MIN_PER_OPEN},
            "total_minutes": sum(item["minutes"] for item in found.values()),
            "total_words": sum(item["words"] for item in found.values()),
            "total_exercises": sum(len(item["en"].exercises) for item in found.values())}


def main(argv: list[str] | None = None) -> int:
    """Write both guides, or with ``--check`` return 1 when one is out of date."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="fail when a guide is stale")
    args = parser.parse_args(argv)
    data = guide_data()
    stale = []
    for lang in LANGS:
        text = render(lang, data)
        if args.check:
            if not OUT[lang].is_file() or OUT[lang].read_text(encoding="utf-8") != text:
                stale.append(OUT[lang].name)
        else:
            OUT[lang].write_text(text, encoding="utf-8")
    if stale:
        print(f"out of date: {', '.join(stale)} (run python docs/trainer/build.py)")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
