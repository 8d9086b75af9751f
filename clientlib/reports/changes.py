"""What changed since the previous run of a report: class moves, new and lost customers.

Every rendered report keeps its classification snapshot ``NAME_DATE.classes.parquet``
(``customer_id, framework, class``) beside its HTML. The next run of the same report compares
its own classes with the latest earlier snapshot and shows, per framework, how many customers
moved from each class to each other class, plus the customers that are new (absent from the
earlier snapshot) and lost (absent from this one). The moves between two snapshots are
:func:`clientlib.timeline.flows` of a two-period timeline, the same counting the report's
lifecycle flows use; lost customers are the one thing ``flows`` does not count (it follows the
later period's customers), so :func:`moves` adds them.

k-means is left out: cluster numbers are arbitrary per fit, so ``cluster_2`` today is not
``cluster_2`` last week.

Examples
--------
>>> prev = pd.DataFrame({"customer_id": ["a", "b", "c"], "framework": "lifecycle",
...                      "class": ["fan", "fan", "novice"]})
>>> cur = pd.DataFrame({"customer_id": ["a", "b", "d"], "framework": "lifecycle",
...                     "class": ["dormant", "fan", "novice"]})
>>> for row in moves(prev, cur).values.tolist():
...     print(row)
['lifecycle', '(new)', 'novice', 1]
['lifecycle', 'fan', 'dormant', 1]
['lifecycle', 'novice', '(lost)', 1]
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from clientlib import messages as M
from clientlib.errors import InputError

__all__ = [
    "LOST",
    "NEW",
    "SNAPSHOT_COLUMNS",
    "UNCOMPARABLE",
    "biggest_moves",
    "change_sentences",
    "latest_snapshot",
    "moves",
    "moves_figure",
    "moves_table",
    "read_snapshot",
    "run_facts",
    "show_changes",
    "snapshot_frame",
    "write_run_files",
]

SNAPSHOT_COLUMNS = ("customer_id", "framework", "class")
#: ``from_class`` of a customer absent from the earlier snapshot / ``to_class`` of one gone now.
NEW, LOST = "(new)", "(lost)"
#: Labelings whose class names mean nothing from one run to the next.
UNCOMPARABLE = frozenset({"kmeans"})


def snapshot_frame(segments: pd.DataFrame) -> pd.DataFrame:
    """The snapshot of a study's segments: ``customer_id, framework, class`` as text, sorted.

    Examples
    --------
    >>> seg = pd.DataFrame({"customer_id": [2, 1], "framework": "ladder", "class": ["a", "b"],
    ...                     "label": ["A", "B"]})
    >>> snapshot_frame(seg).values.tolist()
    [['1', 'ladder', 'b'], ['2', 'ladder', 'a']]
    """
    out = segments.loc[:, list(SNAPSHOT_COLUMNS)].astype(str)
    return out.sort_values(["framework", "customer_id"], kind="stable").reset_index(drop=True)


def read_snapshot(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a ``.classes.parquet`` snapshot; refuse a file without its three columns."""
    frame = pd.read_parquet(path)
    missing = [c for c in SNAPSHOT_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"{path} is not a classification snapshot: column(s) {', '.join(missing)} missing "
            f"(a snapshot has {', '.join(SNAPSHOT_COLUMNS)}); give the .classes.parquet file "
            "of an earlier report"
        )
    return frame.loc[:, list(SNAPSHOT_COLUMNS)].astype(str)


_DATED = re.compile(r"_(\d{4}-\d{2}-\d{2})\.classes\.parquet$")


def latest_snapshot(
    folder: str | os.PathLike[str], name: str, before: dt.date
) -> tuple[Path, dt.date] | None:
    """The newest ``{name}_{date}.classes.parquet`` in ``folder`` dated before ``before``.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> for day in ("2025-01-06", "2025-01-13", "2025-01-20"):
    ...     _ = (d / f"weekly_{day}.classes.parquet").write_bytes(b"x")
    >>> path, day = latest_snapshot(d, "weekly", dt.date(2025, 1, 20))
    >>> path.name, day.isoformat()
    ('weekly_2025-01-13.classes.parquet', '2025-01-13')
    """
    found = []
    for path in Path(folder).glob(f"{glob_escape(name)}_*.classes.parquet"):
        m = _DATED.search(path.name)
        if not m or path.name != f"{name}_{m.group(1)}.classes.parquet":
            continue  # another report whose name starts the same way
        try:
            day = dt.date.fromisoformat(m.group(1))
        except ValueError:
            continue
        if day < before:
            found.append((day, path))
    if not found:
        return None
    day, path = max(found)
    return path, day


def glob_escape(text: str) -> str:
    """Escape glob wildcards in a report name (``[``, ``*``, ``?``)."""
    return re.sub(r"([\[\]*?])", r"[\1]", text)


def moves(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Customers per (framework, from class, to class) between two snapshots, stays left out.

    ``from_class`` is :data:`NEW` for customers absent from ``previous``; ``to_class`` is
    :data:`LOST` for customers absent from ``current``. Frameworks in :data:`UNCOMPARABLE`
    are left out. Sorted by framework, then from/to class.
    """
    from clientlib.timeline import NONE, flows

    cols = ["framework", "from_class", "to_class", "customers"]
    rows = []
    frameworks = sorted((set(previous["framework"]) | set(current["framework"])) - UNCOMPARABLE)
    for fw in frameworks:
        a = previous.loc[previous["framework"] == fw, ["customer_id", "class"]]
        b = current.loc[current["framework"] == fw, ["customer_id", "class"]]
        snaps = pd.concat([a.assign(period_end=0), b.assign(period_end=1)], ignore_index=True)
        if a.empty or b.empty:  # flows needs two periods; everyone is new or lost
            fl = pd.DataFrame({"from_class": NONE, "to_class": b["class"], "customers": 1})
        else:
            fl = flows(snaps)
        fl = fl.replace({"from_class": {NONE: NEW}})
        lost = a.loc[~a["customer_id"].isin(b["customer_id"])]
        gone = pd.DataFrame({"from_class": lost["class"], "to_class": LOST, "customers": 1})
        both = pd.concat([fl[["from_class", "to_class", "customers"]], gone], ignore_index=True)
        both = both[both["from_class"] != both["to_class"]]
        g = both.groupby(["from_class", "to_class"], as_index=False)["customers"].sum()
        g.insert(0, "framework", fw)
        rows.append(g)
    if not rows:
        return pd.DataFrame(columns=cols)
    out = pd.concat(rows, ignore_index=True)[cols]
    out["customers"] = out["customers"].astype("int64")
    return out.sort_values(cols[:3], kind="stable").reset_index(drop=True)


def biggest_moves(table: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """The ``n`` largest class-to-class moves (new and lost customers left out).

    Examples
    --------
    >>> t = pd.DataFrame({"framework": "f", "from_class": ["a", "b", NEW],
    ...                   "to_class": ["b", "a", "a"], "customers": [2, 5, 9]})
    >>> biggest_moves(t, 1)[["from_class", "to_class", "customers"]].values.tolist()
    [['b', 'a', 5]]
    """
    real = table[(table["from_class"] != NEW) & (table["to_class"] != LOST)]
    return real.sort_values(["customers", "framework", "from_class", "to_class"],
                            ascending=[False, True, True, True], kind="stable").head(n)


def _label(labels: Mapping[str, Mapping[str, str]], fw: str, cls: str, lang: str) -> str:
    if cls == NEW:
        return M.text("batch.changes_new_class", lang)
    if cls == LOST:
        return M.text("batch.changes_lost_class", lang)
    return labels.get(fw, {}).get(cls, cls)


def change_sentences(
    table: pd.DataFrame,
    since: str,
    lang: str = "en",
    labels: Mapping[str, Mapping[str, str]] | None = None,
    titles: Mapping[str, str] | None = None,
    n: int = 3,
) -> list[str]:
    """Sentences naming the biggest moves, then the new and lost customers, in ``lang``.

    Examples
    --------
    >>> t = pd.DataFrame({"framework": "lifecycle", "from_class": ["fan", NEW],
    ...                   "to_class": ["dormant", "novice"], "customers": [312, 4]})
    >>> change_sentences(t, "2025-01-06", "en", {"lifecycle": {"fan": "Fan", "dormant": "Dormant"}},
    ...                  {"lifecycle": "Lifecycle"})[0]
    '312 customers went from «Fan» to «Dormant» since 2025-01-06 (Lifecycle).'
    >>> change_sentences(t, "2025-01-06", "ru")[0]
    'lifecycle: с 06.01.2025 из класса «fan» в класс «dormant» перешло 312 клиентов.'
    """
    labels, titles = labels or {}, titles or {}
    day = M.date(since, lang) if since else "–"
    out = []
    for row in biggest_moves(table, n).itertuples(index=False):
        fw = str(row.framework)
        out.append(M.text(
            "batch.changes_move", lang, n=M.number(row.customers, lang), since=day,
            a=_label(labels, fw, str(row.from_class), lang),
            b=_label(labels, fw, str(row.to_class), lang), framework=titles.get(fw, fw),
        ))
    if not out:
        out.append(M.text("batch.changes_no_moves", lang, since=day))
    # new and lost customers are the same for every framework a customer is classed in
    per_fw = table.groupby("framework")
    new = max((int(g.loc[g.from_class == NEW, "customers"].sum()) for _, g in per_fw), default=0)
    lost = max((int(g.loc[g.to_class == LOST, "customers"].sum()) for _, g in per_fw), default=0)
    out.append(M.text("batch.changes_new_lost", lang, since=day, new=M.number(new, lang),
                      lost=M.number(lost, lang)))
    return out


def moves_table(
    table: pd.DataFrame,
    lang: str = "en",
    labels: Mapping[str, Mapping[str, str]] | None = None,
    titles: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The moves with display names and headers in ``lang``, largest first per framework."""
    labels, titles = labels or {}, titles or {}
    t = table.sort_values(["framework", "customers"], ascending=[True, False], kind="stable")
    return pd.DataFrame({
        M.text("batch.col_framework", lang): [titles.get(f, f) for f in t["framework"]],
        M.text("batch.col_from", lang): [_label(labels, f, c, lang)
                                         for f, c in zip(t["framework"], t["from_class"],
                                                         strict=True)],
        M.text("batch.col_to", lang): [_label(labels, f, c, lang)
                                       for f, c in zip(t["framework"], t["to_class"],
                                                       strict=True)],
        M.text("batch.col_customers", lang): t["customers"].to_numpy(),
    })


def moves_figure(
    table: pd.DataFrame,
    ax: Any = None,
    *,
    since: str = "",
    lang: str = "en",
    labels: Mapping[str, Mapping[str, str]] | None = None,
    titles: Mapping[str, str] | None = None,
    top: int = 12,
) -> Any:
    """Horizontal bars of the ``top`` largest class-to-class moves; returns the Axes.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> t = pd.DataFrame({"framework": "f", "from_class": ["a", "b"], "to_class": ["b", "a"],
    ...                   "customers": [2, 5]})
    >>> [float(p.get_width()) for p in moves_figure(t).patches]
    [2.0, 5.0]
    """
    import matplotlib.pyplot as plt

    labels, titles = labels or {}, titles or {}
    big = biggest_moves(table, top).iloc[::-1]  # largest at the top
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 1.2 + 0.4 * max(len(big), 1)), layout="constrained")
    names = [
        f"{titles.get(f, f)}: {_label(labels, f, a, lang)} → {_label(labels, f, b, lang)}"
        for f, a, b in zip(big["framework"], big["from_class"], big["to_class"], strict=True)
    ]
    bars = ax.barh(range(len(big)), big["customers"].to_numpy(dtype=float), color="#6a51a3")
    ax.set_yticks(range(len(big)), names)
    ax.bar_label(bars, labels=[M.number(v, lang) for v in big["customers"]], padding=3)
    ax.set_xlabel(M.text("batch.col_customers", lang))
    day = M.date(since, lang) if since else ""
    ax.set_title(M.text("batch.changes_figure_title", lang, since=day))
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def _labels_of(segments: pd.DataFrame) -> dict[str, dict[str, str]]:
    if "label" not in segments.columns:
        return {}
    pairs = segments[["framework", "class", "label"]].drop_duplicates()
    out: dict[str, dict[str, str]] = {}
    for fw, cls, label in pairs.itertuples(index=False):
        out.setdefault(str(fw), {})[str(cls)] = str(label)
    return out


def show_changes(rd: Any, run: Mapping[str, Any] | None, lang: str) -> pd.DataFrame | None:
    """The report's "what changed" section (called by the template); returns the moves.

    Shows nothing when the report was not run by a batch (``run`` empty or without
    ``changes``), says so on a first run, else sentences, a figure and the table.
    """
    if not run or not run.get("changes"):
        return None
    import matplotlib.pyplot as plt

    from clientlib.reports import html as H

    since = str(run.get("previous_label") or "")
    day = M.date(since, lang) if since else ""
    if not run.get("previous"):
        H.show(H.heading(M.text("batch.changes_heading_first", lang)),
               H.paragraph(M.text("batch.changes_first", lang)))
        return None
    previous = read_snapshot(run["previous"])
    current = snapshot_frame(rd.study.segments)
    table = moves(previous, current)
    labels, titles = _labels_of(rd.study.segments), dict(rd.titles)
    H.show(H.heading(M.text("batch.changes_heading", lang, since=day),
                     intro=M.text("batch.changes_intro", lang, since=day)),
           H.bullets(change_sentences(table, since, lang, labels, titles)))
    if not biggest_moves(table, 1).empty:
        moves_figure(table, since=since, lang=lang, labels=labels, titles=titles)
        plt.show()
    if not table.empty:
        H.show(H.table(moves_table(table, lang, labels, titles), lang=lang))
    return table


def run_facts(rd: Any, run: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What the report actually used: analysis date, customers, orders, revenue, frameworks.

    ``revenue`` is the sum of ``total_spend`` (returns netted) over the customers analysed.
    """
    study = rd.study
    facts = study.facts
    orders = facts["orders"] if "orders" in facts.columns else pd.Series(dtype="float64")
    spend = facts["total_spend"] if "total_spend" in facts.columns else pd.Series(dtype="float64")
    analysis = study.analysis_date
    return {
        "analysis_date": analysis.isoformat() if hasattr(analysis, "isoformat")
        else str(analysis)[:10],
        "customers": int(len(facts)),
        "buyers": int((orders.fillna(0) > 0).sum()),
        "orders": int(orders.fillna(0).sum()),
        "revenue": round(float(spend.fillna(0).sum()), 2),
        "frameworks": sorted(str(f) for f in study.segments["framework"].unique()),
        "skipped": [str(s) for s in (study.skipped or [])],
        "compared_with": str((run or {}).get("previous_label") or "") or None,
    }


def write_run_files(rd: Any, run: Mapping[str, Any] | None) -> None:
    """Write the facts JSON and the snapshot Parquet where the renderer asked (template cell)."""
    if not run:
        return
    if run.get("facts"):
        Path(run["facts"]).write_text(
            json.dumps(run_facts(rd, run), ensure_ascii=False, indent=2), encoding="utf-8"
        )
    if run.get("snapshot"):
        snapshot_frame(rd.study.segments).to_parquet(run["snapshot"], index=False)
