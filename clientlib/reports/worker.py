"""One report of a batch, in its own process: ``python -m clientlib.reports.worker JOB.json``.

The batch starts one worker per report (in a new session, so the batch can kill the worker's
whole process group when it runs past its timeout). The worker renders the report with
:func:`clientlib.reports.render.render_report` (which starts the report's own Jupyter kernel)
and writes the outcome to the ``result`` file named in the job. It watches its parent: when the
batch dies (``kill -9`` included) the worker exits at once, and its kernel follows within a
second (ipykernel polls its own parent, ``JPY_PARENT_PID``), so nothing keeps writing into the
output folder after the batch is gone.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

__all__ = ["main", "run_job"]


def _watch_parent(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(3)  # the batch is gone: stop now, leave no writer behind
        time.sleep(0.25)


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """Render the report a job describes; return ``{status, error, facts, seconds, ...}``."""
    from clientlib.errors import ClientlibError
    from clientlib.reports.execute import ReportFailed
    from clientlib.reports.render import render_report

    start = time.perf_counter()
    out: dict[str, Any] = {"status": "failed", "error": "", "facts": {}, "kept_notebook": ""}
    try:
        result = render_report(
            job["parameters"], job["html"], kernel=job.get("kernel"), timeout=job.get("timeout"),
            base_dir=job.get("base_dir"), compare_to=job.get("compare_to") or None,
            compare_label=job.get("compare_label") or "", changes=True,
        )
        out.update(status="ok", facts=result.facts)
    except ReportFailed as exc:
        out["error"] = exc.reason
        if exc.notebook is not None:
            out["kept_notebook"] = str(exc.notebook)
    except ClientlibError as exc:
        out["error"] = str(exc)
    except Exception as exc:  # a bug: the batch records it and goes on with the others
        out["error"] = f"{type(exc).__name__}: {exc}"
    out["seconds"] = round(time.perf_counter() - start, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the job file ``argv[0]``; exit code 0 when the report rendered, else 1."""
    from clientlib.files import atomic_path

    args = sys.argv[1:] if argv is None else argv
    job = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    if job.get("parent_pid"):
        threading.Thread(target=_watch_parent, args=(int(job["parent_pid"]),),
                         daemon=True).start()
    result = run_job(job)
    with atomic_path(job["result"]) as tmp:
        tmp.write_text(json.dumps(result, ensure_ascii=False, default=str), encoding="utf-8")
    return 0 if result["status"] == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
