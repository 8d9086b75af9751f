"""Build the teaching notebooks of both languages from one source per lesson.

A lesson's source is ``notebooks/src/NN_name.py`` in jupytext's "percent" format. Markdown cells
carry a language (``# %% [markdown] lang="en"`` / ``lang="ru"``); a cell without ``lang`` goes to
both; code cells are shared. For every source this script writes ``notebooks/en/NN_name.ipynb``
and ``notebooks/ru/NN_name.ipynb``: it keeps the cells of the language, executes the notebook with
papermill (kernel ``clientlib``; the Russian one gets ``lang = "ru"`` injected as a parameter, so
its code cells stay identical to the English ones), and strips what changes from run to run
(timestamps, durations, absolute paths, widget model ids), so the committed outputs only change
when the lesson does.

Usage::

    python notebooks/build.py                # every lesson, both languages, executed
    python notebooks/build.py 02             # one lesson (by number or stem)
    python notebooks/build.py --no-execute   # cells only (quick check of a source edit)
    python notebooks/build.py --lang ru 02   # one language
    python notebooks/build.py --prose 02     # Markdown edits only: keep the committed outputs

``make notebooks`` (``make notebooks LESSON=02``) runs it.
"""

from __future__ import annotations

import argparse
import copy
import sys
import tempfile
import time
from pathlib import Path

import jupytext
import nbformat

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
LANGS = ("en", "ru")
KERNEL = {"display_name": "clientlib (Python 3)", "language": "python", "name": "clientlib"}
# Outputs a notebook viewer cannot use without the live kernel, and that hold random ids.
_VOLATILE_MIME = ("application/vnd.jupyter.widget-view+json",)

__all__ = ["LANGS", "build", "cells_for", "sources", "strip_volatile", "with_outputs_of"]


def sources(selection: list[str] | None = None) -> list[Path]:
    """The lesson sources, all or those whose stem starts with one of ``selection``."""
    found = sorted(SRC.glob("[0-9][0-9]_*.py"))
    if not selection:
        return found
    picked = [p for p in found if any(p.stem.startswith(s) for s in selection)]
    if not picked:
        raise SystemExit(f"no lesson source matches {', '.join(selection)} in {SRC.name}/")
    return picked


def cells_for(source: Path, lang: str) -> nbformat.NotebookNode:
    """The unexecuted notebook of one language: its Markdown, the shared code, stable ids."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}")
    nb = jupytext.read(source, fmt="py:percent")
    out = nbformat.v4.new_notebook()
    out.metadata = {"kernelspec": dict(KERNEL), "language_info": {"name": "python"}}
    for cell in nb.cells:
        cell_lang = cell.metadata.get("lang")
        if cell_lang is not None and cell_lang not in LANGS:
            raise ValueError(f"{source.name}: a cell has lang={cell_lang!r}")
        if cell_lang not in (None, lang):
            continue
        meta = {k: v for k, v in cell.metadata.items() if k not in ("lang", "lines_to_next_cell")}
        if cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(cell.source, metadata=meta)
        else:
            new = nbformat.v4.new_code_cell(cell.source, metadata=meta)
        out.cells.append(new)
    _number_ids(out)
    return out


def _number_ids(nb: nbformat.NotebookNode) -> None:
    # nbformat makes random cell ids; numbered ones keep rebuilds byte-identical.
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i:03d}"


def strip_volatile(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what changes between runs: papermill's timings and paths, widget state and ids."""
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("jupytext", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.metadata.get("tags") == []:  # papermill adds empty tag lists to Markdown cells
            cell.metadata.pop("tags")
        for out in cell.get("outputs", []):
            data = out.get("data")
            if data:
                for mime in _VOLATILE_MIME:
                    data.pop(mime, None)
    _number_ids(nb)
    return nb


def with_outputs_of(
    nb: nbformat.NotebookNode, built: nbformat.NotebookNode
) -> nbformat.NotebookNode:
    """``nb``'s Markdown with the executed code cells of ``built`` (same code, in order).

    Raises ``SystemExit`` when the code differs: then the lesson has to be executed again.
    """
    executed = list(_code_cells(built))
    fresh = [c for c in nb.cells if c.cell_type == "code"]
    if [c.source for c in fresh] != [c.source for c in executed if not _injected(c)]:
        raise SystemExit("code cells changed: rebuild without --prose to execute the lesson")
    out = copy.deepcopy(nb)
    queue = iter(executed)
    cells = []
    for cell in out.cells:
        if cell.cell_type == "code":
            done = next(queue)
            if _injected(done):  # papermill's injected language sits right after parameters
                cells.append(done)
                done = next(queue)
            done.metadata = copy.deepcopy(cell.metadata)  # tags come from the source
            cells.append(done)
        else:
            cells.append(cell)
    out.cells = cells
    out.metadata = built.metadata
    return out


def _code_cells(nb: nbformat.NotebookNode):
    return (c for c in nb.cells if c.cell_type == "code")


def _injected(cell: nbformat.NotebookNode) -> bool:
    return "injected-parameters" in cell.metadata.get("tags", [])


def build(source: Path, lang: str, execute: bool = True, kernel: str = "clientlib",
          prose: bool = False) -> Path:  # fmt: skip
    """Write ``notebooks/<lang>/<stem>.ipynb`` from one source; return its path.

    ``prose=True`` keeps the outputs of the notebook already built (when only Markdown changed).
    """
    import papermill

    from clientlib import files

    nb = cells_for(source, lang)
    target = HERE / lang / f"{source.stem}.ipynb"
    target.parent.mkdir(exist_ok=True)
    if prose:
        nb = with_outputs_of(nb, nbformat.read(target, as_version=4))
    elif execute:
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "in.ipynb"
            nbformat.write(nb, raw)
            done = Path(tmp) / "out.ipynb"
            papermill.execute_notebook(
                str(raw),
                str(done),
                parameters={"lang": lang} if lang != "en" else {},
                kernel_name=kernel,
                cwd=str(target.parent),
                progress_bar=False,
                log_output=False,
            )
            nb = nbformat.read(done, as_version=4)
    nb = strip_volatile(copy.deepcopy(nb))
    with files.atomic_path(target) as tmp_path:
        nbformat.write(nb, tmp_path)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lessons", nargs="*", help="lesson numbers or stems (default: all)")
    parser.add_argument("--lang", choices=LANGS, action="append", help="default: both")
    parser.add_argument("--no-execute", action="store_true", help="write the cells only")
    parser.add_argument("--prose", action="store_true",
                        help="Markdown changed only: keep the committed outputs")  # fmt: skip
    parser.add_argument("--kernel", default="clientlib")
    args = parser.parse_args(argv)
    for source in sources(args.lessons):
        for lang in args.lang or LANGS:
            start = time.perf_counter()
            path = build(source, lang, execute=not args.no_execute, kernel=args.kernel,
                         prose=args.prose)  # fmt: skip
            seconds = time.perf_counter() - start
            print(f"{path.relative_to(HERE.parent)}  {seconds:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    sys.exit(main())
