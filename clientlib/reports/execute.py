"""Run the template with papermill and tidy the executed notebook for saving."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from clientlib.schema import ClientlibError


def _import_nbformat() -> ModuleType:
    """``import nbformat`` without building jsonschema's IRI grammar (1.1–1.4 s per process).

    nbformat imports jsonschema, whose format checkers import the optional ``rfc3987_syntax``
    when it is installed (``jsonschema[format-nongpl]``, pulled in by Jupyter's servers); that
    module compiles an Earley grammar at import: a third of the report command's own start-up.
    No notebook schema uses the ``iri`` formats, so the import is refused while nbformat and
    jsonschema load (they then go without those two checkers in this process) and allowed
    again afterwards. Nothing changes when jsonschema is already loaded.
    """
    blocked = "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules
    if blocked:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # import -> ImportError
    try:
        import nbformat
    finally:
        if blocked and sys.modules.get("rfc3987_syntax", False) is None:
            del sys.modules["rfc3987_syntax"]
    return nbformat


if TYPE_CHECKING:
    import nbformat
else:
    nbformat = _import_nbformat()

__all__ = [
    "KERNEL_ARGUMENTS",
    "RUN_PARAMETER",
    "ReportFailed",
    "clean_notebook",
    "execute",
    "kernel_name",
]

#: Kernel registered by ``make install`` (``ipykernel install --sys-prefix --name clientlib``).
PREFERRED_KERNEL = "clientlib"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

#: Template parameter papermill injects for clientlib itself (where the report writes its facts
#: and snapshot, which earlier snapshot to compare with); not a user parameter.
RUN_PARAMETER = "clientlib_run"

#: The kernel's own log (ipykernel's ``IPKernelApp`` traitlets logger, which the kernel object
#: shares) writes to the stderr it inherits: "Kernel is running over TCP without encryption"
#: at start, "KeyboardInterrupt caught in kernel" when it is interrupted or stopped, "Parent
#: appears to have exited" when its runner is killed. None of it concerns a report's reader or
#: a cron log: errors in the report's code reach the notebook as error outputs, not this log.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]


class _InternalParameter(logging.Filter):
    """Drop papermill's "Passed unknown parameter: clientlib_run" (it is ours, on purpose)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return RUN_PARAMETER not in record.getMessage()


_papermill_log = logging.getLogger("papermill")
if not any(isinstance(f, _InternalParameter) for f in _papermill_log.filters):
    _papermill_log.addFilter(_InternalParameter())


class ReportFailed(ClientlibError):
    """A report notebook failed to execute.

    Attributes
    ----------
    notebook : Path or None
        The executed notebook kept for debugging (None when execution never started).
    reason : str
        What went wrong, without the notebook's path.
    """

    def __init__(self, message: str, notebook: Path | None = None, reason: str | None = None):
        super().__init__(message)
        self.notebook = notebook
        self.reason = reason or message


def kernel_name(preferred: str | None = None) -> str:
    """The Jupyter kernel to run reports with.

    An explicit ``preferred`` kernel must exist; otherwise ``clientlib`` when registered,
    else ``python3`` (ipykernel's kernel for the current interpreter).
    """
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    if preferred:
        if preferred not in specs:
            raise ClientlibError(
                f"no Jupyter kernel named {preferred!r}; installed: {', '.join(sorted(specs))}. "
                "Register one with: python -m ipykernel install --sys-prefix --name clientlib"
            )
        return preferred
    return PREFERRED_KERNEL if PREFERRED_KERNEL in specs else "python3"


def _error_text(exc: BaseException) -> str:
    ename = getattr(exc, "ename", None)
    evalue = getattr(exc, "evalue", None)
    if ename:
        cell = getattr(exc, "exec_count", None)
        where = f" (cell {cell})" if cell else ""
        return _ANSI.sub("", f"{ename}: {evalue}{where}").strip()
    return _ANSI.sub("", f"{type(exc).__name__}: {exc}").strip()


def execute(
    template: str | Path,
    output: str | Path,
    parameters: Mapping[str, Any],
    *,
    kernel: str | None = None,
    timeout: float | None = 600,
    cwd: str | Path | None = None,
) -> nbformat.NotebookNode:
    """Execute ``template`` with ``parameters`` into ``output`` (papermill).

    papermill saves ``output`` after every cell, so a failure leaves the notebook with the
    error in place. Raises :class:`ReportFailed` naming the error and that notebook.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook.
    """
    import papermill

    try:
        return papermill.execute_notebook(
            str(template),
            str(output),
            parameters=dict(parameters),
            kernel_name=kernel_name(kernel),
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            cwd=str(cwd) if cwd else None,
            extra_arguments=list(KERNEL_ARGUMENTS),
        )
    except ClientlibError:
        raise
    except Exception as exc:  # papermill, nbclient, kernel start-up: all end the same way
        kept = Path(output) if Path(output).exists() else None
        raise ReportFailed(f"report failed: {_error_text(exc)}", kept) from exc


def clean_notebook(nb: nbformat.NotebookNode, template_name: str = "report.ipynb") -> None:
    """Remove run-specific metadata (timings, temporary paths) so reruns save the same bytes."""
    pm = nb.metadata.get("papermill")
    if isinstance(pm, dict):
        for key in ("start_time", "end_time", "duration", "output_path", "environment_variables"):
            pm.pop(key, None)
        pm["input_path"] = template_name
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cpm = cell.metadata.get("papermill")
        if isinstance(cpm, dict):
            for key in ("start_time", "end_time", "duration"):
                cpm.pop(key, None)
