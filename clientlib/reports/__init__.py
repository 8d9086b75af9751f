"""Parametrised reports: the template notebook, papermill execution, offline HTML, batches.

Modules, one job each: :mod:`~clientlib.reports.parameters` (the template's parameters and
their types), :mod:`~clientlib.reports.execute` (papermill run, kernel choice, clean-up of the
saved notebook), :mod:`~clientlib.reports.export` (self-contained HTML without code),
:mod:`~clientlib.reports.render` (one report, written atomically), :mod:`~clientlib.reports.batch`,
:mod:`~clientlib.reports.worker` and :mod:`~clientlib.reports.lock` (scheduled batches, one process
per report), :mod:`~clientlib.reports.manifest` and :mod:`~clientlib.reports.index` (what a batch
did), :mod:`~clientlib.reports.changes` (what changed since the previous run), and the
notebook side: :mod:`~clientlib.reports.data`, :mod:`~clientlib.reports.views`,
:mod:`~clientlib.reports.summary`, :mod:`~clientlib.reports.text`, :mod:`~clientlib.reports.html`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TEMPLATE", "render_report", "run_batch", "summary_points"]


def __getattr__(name: str) -> Any:
    # Lazy: the notebook imports the light modules without loading papermill and nbconvert.
    if name == "TEMPLATE":
        from clientlib.reports.parameters import template_path

        return template_path()
    if name == "render_report":
        from clientlib.reports.render import render_report

        return render_report
    if name == "run_batch":
        from clientlib.reports.batch import run_batch

        return run_batch
    if name == "summary_points":
        from clientlib.reports.summary import summary_points

        return summary_points
    raise AttributeError(name)
