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
    "call_list_links",
    "call_list_names",
    "change_sentences",
    "check_snapshot",
    "latest_snapshot",
    "moves",
    "moves_figure",
    "moves_table",
    "read_snapshot",
    "report_place",
    "run_facts",
    "show_changes",
    "snapshot_frame",
    "write_call_lists",
    "write_run_files",
    "write_snapshot",
    "write_xlsx",
]

SNAPSHOT_COLUMNS = ("customer_id", "framework", "class")
#: Written into every snapshot's Parquet metadata (key ``clientlib``) and checked on reading.
SNAPSHOT_SCHEMA, SNAPSHOT_VERSION = "clientlib-classes", 1
SNAPSHOT_META_KEY = b"clientlib"
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
    """Read and check a ``.classes.parquet`` snapshot (see :func:`check_snapshot`)."""
    return check_snapshot(path)


def _snapshot_meta() -> dict[bytes, bytes]:
    return {SNAPSHOT_META_KEY: json.dumps(
        {"schema": SNAPSHOT_SCHEMA, "schema_version": SNAPSHOT_VERSION}).encode()}


def write_snapshot(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a snapshot as Parquet with its schema name and version in the file's metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame.loc[:, list(SNAPSHOT_COLUMNS)].astype(str),
                                 preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **_snapshot_meta()})
    pq.write_table(table, path)


def check_snapshot(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a snapshot to compare with, refusing anything the comparison would get wrong.

    Refused with :class:`~clientlib.errors.InputError` (one line, exit code 2), before any
    report renders: a file that is not Parquet or is damaged; one whose metadata names another
    schema or a newer version than this clientlib writes; one without the three columns; one
    that lists a customer twice in a framework (a doubled snapshot would double every move).
    Snapshots written before the metadata existed are read by their columns.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.classes.parquet"
    >>> write_snapshot(pd.DataFrame({"customer_id": ["a", "a"], "framework": "lifecycle",
    ...                              "class": "fan"}), p)
    >>> check_snapshot(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    clientlib.errors.InputError: ...x.classes.parquet lists 1 customer more than once...
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    name = Path(path).name
    hint = "give the .classes.parquet file of an earlier report"
    try:
        table = pq.read_table(path)
    except FileNotFoundError:
        raise InputError(f"snapshot {path} does not exist; {hint}") from None
    except (pa.ArrowException, OSError) as exc:
        reason = " ".join(str(exc).split())[:160]
        raise InputError(f"{name} cannot be read as a Parquet snapshot ({reason}); {hint}") \
            from None
    meta = (table.schema.metadata or {}).get(SNAPSHOT_META_KEY)
    if meta is not None:
        try:
            info = json.loads(meta)
        except ValueError:
            info = {}
        schema, version = info.get("schema"), info.get("schema_version")
        if schema != SNAPSHOT_SCHEMA:
            raise InputError(f"{name} is a {schema!r} file, not a classification snapshot "
                             f"({SNAPSHOT_SCHEMA}); {hint}")
        if not isinstance(version, int) or version > SNAPSHOT_VERSION:
            raise InputError(f"{name} is snapshot version {version}, newer than this clientlib "
                             f"reads ({SNAPSHOT_VERSION}); upgrade clientlib or {hint}")
    missing = [c for c in SNAPSHOT_COLUMNS if c not in table.column_names]
    if missing:
        raise InputError(
            f"{name} is not a classification snapshot: column(s) {', '.join(missing)} missing "
            f"(a snapshot has {', '.join(SNAPSHOT_COLUMNS)}); {hint}"
        )
    frame = table.select(list(SNAPSHOT_COLUMNS)).to_pandas().astype(str)
    doubled = frame.duplicated(["framework", "customer_id"], keep="first")
    if doubled.any():
        n = int(frame.loc[doubled, "customer_id"].nunique())
        raise InputError(
            f"{name} lists {n} customer{'s' if n > 1 else ''} more than once in the same "
            f"framework (e.g. {frame.loc[doubled, 'customer_id'].iloc[0]!r}); the moves would "
            f"be counted twice; {hint}"
        )
    return frame


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
        **_provenance(rd),
    }


def _provenance(rd: Any) -> dict[str, Any]:
    """The lock's hash and the inputs' sha256 (:func:`clientlib.provenance.record`)."""
    from clientlib.provenance import record

    return record(getattr(rd, "parameters", None) or {})


def write_run_files(rd: Any, run: Mapping[str, Any] | None) -> None:
    """Write the facts JSON and the snapshot Parquet where the renderer asked (template cell)."""
    if not run:
        return
    if run.get("facts"):
        Path(run["facts"]).write_text(
            json.dumps(run_facts(rd, run), ensure_ascii=False, indent=2), encoding="utf-8"
        )
    if run.get("snapshot"):
        write_snapshot(snapshot_frame(rd.study.segments), run["snapshot"])


_TEMP_SNAPSHOT = re.compile(r"^\.(?P<stem>.+)\.classes\.parquet\.[a-z0-9_]{8}\.part$")


def report_place(run: Mapping[str, Any] | None) -> tuple[Path, str] | None:
    """The folder and file stem of the report being rendered, or None outside a render.

    ``run["folder"]`` and ``run["stem"]`` when the renderer passes them; else read from the
    temporary snapshot name it passes (``.STEM.classes.parquet.XXXXXXXX.part`` beside the
    report, :func:`clientlib.reports.render.temporary_pattern`).

    Examples
    --------
    >>> report_place({"snapshot": "/r/.weekly_2025-01-06.classes.parquet.ab12cd34.part"})
    (PosixPath('/r'), 'weekly_2025-01-06')
    """
    if not run:
        return None
    if run.get("folder") and run.get("stem"):
        return Path(run["folder"]), str(run["stem"])
    snap = Path(str(run.get("snapshot") or ""))
    m = _TEMP_SNAPSHOT.match(snap.name)
    if not m:
        return None
    return snap.parent, m["stem"]


def call_list_names(stem: str, actions: tuple[str, ...] | None = None) -> list[str]:
    """Every call-list file a report named ``stem`` writes: ``STEM.call_ACTION.csv/.xlsx``.

    Examples
    --------
    >>> call_list_names("x", ("unhappy",))
    ['x.call_unhappy.csv', 'x.call_unhappy.xlsx']
    """
    from clientlib.reports.decisions import ACTIONS

    return [f"{stem}.call_{a}.{ext}" for a in (actions or ACTIONS) for ext in ("csv", "xlsx")]


def write_xlsx(frame: pd.DataFrame, out: str | os.PathLike[str], *, sheet: str = "calls",
               lang: str = "en", date_columns: tuple[str, ...] = (),
               money_columns: tuple[str, ...] = ()) -> Path:
    """Write a table as an Excel workbook (openpyxl) through the atomic writer.

    Text cells that look like formulas are written as text (:func:`clientlib.files.excel_safe`);
    ``date_columns`` hold ``dd.mm.yyyy`` (ru) or ISO (en) text and become real dates shown the
    same way; ``money_columns`` get a thousands format. Header bold, columns sized, the header
    row frozen.
    """
    import datetime as _dt

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from clientlib.files import excel_safe
    from clientlib.spreadsheet import save_workbook

    safe = excel_safe(frame)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append([str(c) for c in safe.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    date_fmt = "DD.MM.YYYY" if lang == "ru" else "YYYY-MM-DD"
    for row in safe.itertuples(index=False):
        values: list[Any] = []
        for col, value in zip(safe.columns, row, strict=True):
            if col in date_columns and isinstance(value, str) and value:
                fmt = "%d.%m.%Y" if lang == "ru" else "%Y-%m-%d"
                values.append(_dt.datetime.strptime(value, fmt).date())
            elif isinstance(value, float) and pd.isna(value):
                values.append(None)
            else:
                values.append(value.item() if hasattr(value, "item") else value)
        ws.append(values)
    for j, col in enumerate(safe.columns, 1):
        letter = ws.cell(row=1, column=j).column_letter
        width = max([len(str(col))] + [len(str(v)) for v in safe[col].head(200)])
        ws.column_dimensions[letter].width = min(60, width + 2)
        if col in date_columns:
            for cell in ws[letter][1:]:
                cell.number_format = date_fmt
        if col in money_columns:
            for cell in ws[letter][1:]:
                cell.number_format = "#,##0.00"
    ws.freeze_panes = "A2"
    return save_workbook(wb, out)


def write_call_lists(decisions: Any, run: Mapping[str, Any] | None, lang: str) -> dict[str, str]:
    """Write every call list beside the report (CSV for Excel and XLSX); action -> XLSX name.

    CSV: UTF-8 with a BOM, formula-like cells quoted, ``lang``'s separator and decimal mark
    (the ``--excel`` conventions of :func:`clientlib.files.write_csv`). Only into the report's
    own folder (:func:`report_place`); nothing is written outside a render.
    """
    from clientlib.files import inside, write_csv
    from clientlib.reports.decisions import call_columns

    place = report_place(run)
    if place is None:
        return {}
    folder, stem = place
    cols = call_columns(lang)
    out: dict[str, str] = {}
    for action, frame in decisions.calls.items():
        csv_name, xlsx_name = call_list_names(stem, (action,))
        write_csv(frame, inside(folder, csv_name), excel=True, lang=lang)
        write_xlsx(frame, inside(folder, xlsx_name), sheet=action, lang=lang,
                   date_columns=(cols[3],), money_columns=(cols[4],))
        out[action] = xlsx_name
    return out


def call_list_links(run: Mapping[str, Any] | None) -> dict[str, tuple[str, str]]:
    """Action -> (XLSX name, CSV name) of the call lists this render will write."""
    from clientlib.reports.decisions import ACTIONS

    place = report_place(run)
    if place is None:
        return {}
    return {a: (f"{place[1]}.call_{a}.xlsx", f"{place[1]}.call_{a}.csv") for a in ACTIONS}
