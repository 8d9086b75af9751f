"""The batch's ``index.html``: every report with its status, date, customers, files and error.

Written from the manifest data (one source of truth), in the batch's language (``lang:`` in
the config; strings in ``clientlib/messages/batch.yaml``). Every text is escaped; the page is
self-contained (no script, no font, nothing fetched). Long errors wrap inside their cell, so
nothing leaves the window at 1,200 px (``table-layout: fixed``, ``overflow-wrap: anywhere``).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from clientlib import messages as M

__all__ = ["index_html"]

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 16px;
       color: #222; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #ddd; vertical-align: top;
         overflow-wrap: anywhere; }
th { overflow-wrap: normal; }
th.report { width: 14%; } th.status { width: 11%; } th.date { width: 10%; }
th.num { width: 9%; } th.files { width: 11%; } th.error { width: auto; }
td.num, th.num { text-align: right; }
.ok, .kept { color: #17612c; } .failed, .timeout { color: #a11; font-weight: bold; }
.pending, .running { color: #777; }
td.error { font-family: ui-monospace, monospace; font-size: 12px; white-space: pre-wrap;
         overflow-wrap: anywhere; word-break: break-word; }
p.previous a, td a { color: #1f4e99; }
"""


def _a(href: str, text: str) -> str:
    return f'<a href="{html.escape(quote(href))}">{html.escape(text)}</a>'


def index_html(manifest: Mapping[str, Any]) -> str:
    """The index page of a batch from its manifest data (see :mod:`.manifest`).

    Examples
    --------
    >>> page = index_html({"lang": "ru", "run_date": "2025-01-06", "batch": "b.yml",
    ...                    "started": "2025-01-06T06:30:00Z", "finished": None,
    ...                    "status": "running", "previous": None, "reports": [
    ...     {"name": "w", "status": "failed", "html": "w.html", "files": {},
    ...      "error": "<boom>", "customers": 1234, "analysis_date": "2025-01-01"}]})
    >>> "Отчёты за 06.01.2025" in page, "&lt;boom&gt;" in page, "1\\xa0234" in page
    (True, True, True)
    """
    lang = str(manifest.get("lang") or "en")
    T = M.text  # noqa: N806 (short, like a gettext _)
    day = M.date(manifest.get("run_date"), lang)
    rows = []
    for r in manifest.get("reports", []):
        files = r.get("files") or {}
        status = str(r.get("status", "pending"))
        name = str(r.get("name", ""))
        page = _a(files["html"], name) if "html" in files else html.escape(name)
        if status in ("failed", "timeout") and "html" in files:
            page += " " + html.escape(T("batch.earlier_version", lang))
        links = []
        if "notebook" in files and status in ("ok", "kept"):
            links.append(_a(files["notebook"], T("batch.notebook", lang)))
        if "failed_notebook" in files and status in ("failed", "timeout"):
            links.append(_a(files["failed_notebook"], T("batch.failed_notebook", lang)))
        seconds = r.get("seconds")
        customers = r.get("customers")
        when = r.get("analysis_date")
        rows.append(
            "<tr>"
            f'<td class="report">{page}</td>'
            f'<td class="{html.escape(status)}">{html.escape(T("batch.status_" + status, lang))}'
            "</td>"
            f"<td>{html.escape(M.date(when, lang)) if when else ''}</td>"
            f'<td class="num">{M.number(customers, lang) if customers is not None else ""}</td>'
            f'<td class="num">{M.number(seconds, lang, 1) if seconds is not None else ""}</td>'
            f"<td>{'<br>'.join(links)}</td>"
            f'<td class="error">{html.escape(str(r.get("error") or ""))}</td>'
            "</tr>"
        )
    reports = list(manifest.get("reports", []))
    counts = []
    for s in ("ok", "kept", "failed", "timeout", "running", "pending"):
        n = sum(r.get("status") == s for r in reports)
        if n:
            counts.append(T(f"batch.count_{s}", lang, n=M.number(n, lang)))
    started = str(manifest.get("started") or "")
    finished = manifest.get("finished")
    summary = T("batch.index_summary", lang, batch=manifest.get("batch", ""),
                counts=", ".join(counts) or "–", started=started.replace("T", " ").rstrip("Z"),
                finished=(str(finished).replace("T", " ").rstrip("Z") if finished
                          else T("batch.index_running", lang)))
    prev = manifest.get("previous")
    if prev and prev.get("index"):
        previous = T("batch.index_previous", lang, date="\x00")
        left, right = previous.split("\x00")
        link = _a(prev["index"], M.date(prev.get("run_date"), lang))
        previous_html = f"{html.escape(left)}{link}{html.escape(right)}"
    else:
        # no earlier index here, but a report may still have compared with an earlier snapshot
        # (a rerun of the same day, another folder's snapshot, --compare-to): say so, with dates
        dates = sorted({str((r.get("compared_with") or {}).get("date") or "")
                        for r in manifest.get("reports", [])} - {""})
        if dates:
            shown = ", ".join(M.date(d, lang) for d in dates)
            previous_html = html.escape(T("batch.index_compared", lang, dates=shown))
        else:
            previous_html = html.escape(T("batch.index_no_previous", lang))
    head = "".join(
        f'<th class="{cls}">{html.escape(T("batch." + key, lang))}</th>'
        for cls, key in (("report", "col_report"), ("status", "col_status"),
                         ("date", "col_analysis_date"), ("num", "col_customers"),
                         ("num", "col_seconds"), ("files", "col_files"),
                         ("error", "col_error"))
    )
    title = T("batch.index_title", lang, date=day)
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(summary)}</p>"
        f'<p class="previous">{previous_html}</p>'
        f"<table><thead><tr>{head}</tr></thead><tbody>" + "".join(rows)
        + "</tbody></table></body></html>\n"
    )
