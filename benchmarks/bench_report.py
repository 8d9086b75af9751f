"""``clientlib report`` against the papermill floor: wall, CPU and peak memory, per variant.

Run: ``.venv/bin/python benchmarks/bench_report.py --rounds 5``
(``--trees before=/path/to/other/checkout,after=.`` times the same variants on several checkouts
of clientlib, side by side; ``--variants floor,workshop`` for a subset; ``--cells`` adds one
profiled run per dataset: papermill's per-cell seconds and the study's stage timings).

Variants, each run as its own process (the command a user types, a fresh interpreter and kernel):

* ``floor``: papermill runs a one-cell notebook (``1 + 1``) on the same kernel — interpreter,
  papermill and kernel start-up, the part of every report clientlib cannot remove;
* ``imports``: papermill runs a notebook that only imports what the report template imports;
* ``workshop``: ``clientlib report --dataset workshop -o OUT.html`` (2,000 synthetic customers);
* ``cdnow``: ``clientlib report --dataset cdnow -o OUT.html`` (23,570 customers).

Rounds are interleaved (every variant of every tree once per round, the order rotated each
round); the table shows the median of the rounds, the ratio to the floor's median of the same
run, CPU seconds (user + system of the process and its kernel, ``os.wait4``) and the peak RSS of
the largest process of the tree. Before any time is reported, every report's HTML must be the same
bytes in every round and in every tree (same inputs, same page): the ``checked`` column.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VARIANTS = ("floor", "imports", "workshop", "cdnow")
#: What the template's set-up cell imports (clientlib/templates/report.ipynb).
IMPORTS = (
    "import matplotlib.pyplot as plt\n"
    "from clientlib import plots\n"
    "from clientlib.reports import html, views\n"
    "from clientlib.reports.data import prepare\n"
    "from clientlib.reports.parameters import input_options\n"
    "from clientlib.reports.summary import k_sentence, summary_points\n"
    "from clientlib.reports.text import t\n"
)


def _notebook(path: Path, source: str) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)


def _clientlib() -> str:
    exe = Path(sys.executable).with_name("clientlib")
    return str(exe) if exe.exists() else "clientlib"


def command(variant: str, work: Path, out: Path) -> list[str]:
    """The command line of one run of ``variant``."""
    if variant in ("floor", "imports"):
        code = (
            "import sys, papermill\n"
            "from clientlib.reports.execute import kernel_name\n"
            "papermill.execute_notebook(sys.argv[1], sys.argv[2], kernel_name=kernel_name(),"
            " progress_bar=False)\n"
        )
        return [sys.executable, "-c", code, str(work / f"{variant}.ipynb"), str(out)]
    return [_clientlib(), "report", "--dataset", variant, "-o", str(out)]


def run_once(cmd: list[str], tree: Path) -> dict:
    """Run ``cmd`` with ``tree`` first on the path; wall, CPU and peak RSS of the process tree."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=tree, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    # wait4: the child's rusage, its waited-for descendants (the kernel) included
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    stdout, stderr = proc.communicate()
    if status:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{stderr.decode()[-3000:]}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mib": usage.ru_maxrss / 1024,
    }


def cells(tree: Path, dataset: str) -> dict:
    """One run of the template in ``tree``: papermill's seconds per cell, the study's stages."""
    code = f"""
import json, sys, tempfile, time
from pathlib import Path
t0 = time.perf_counter()
from clientlib.reports.execute import RUN_PARAMETER, execute
from clientlib.reports.parameters import template_path
from clientlib.reports.export import to_html
t1 = time.perf_counter()
tmp = Path(tempfile.mkdtemp())
run = {{"snapshot": "", "facts": "", "previous": "", "previous_label": "", "changes": False}}
source = (
    "import json\\nprint('TIMINGS', json.dumps({{k: round(v, 3) for k, v in rd.timings.items()}}),"
    " 'threads', rd.study.threads)"
)
import nbformat
nb = nbformat.read(template_path(), 4)
nb.cells.append(nbformat.v4.new_code_cell(source))
nbformat.write(nb, tmp / "template.ipynb")
params = {{"dataset": {dataset!r}, RUN_PARAMETER: run}}
nb = execute(tmp / "template.ipynb", tmp / "out.ipynb", params)
t2 = time.perf_counter()
to_html(nb)
t3 = time.perf_counter()
rows = []
for cell in nb.cells:
    if cell.cell_type == "code":
        rows.append([cell.source.splitlines()[0][:60], cell.metadata.papermill.get("duration")])
last = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
print(json.dumps({{"imports": t1 - t0, "execute": t2 - t1, "html": t3 - t2, "cells": rows,
                  "study": last.strip()}}))
"""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, "-c", code], cwd=tree, env=env, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--variants", default=",".join(VARIANTS))
    p.add_argument("--trees", default=f"current={HERE.parent}",
                   help="NAME=PATH,... checkouts of clientlib to time side by side")
    p.add_argument("--cells", action="store_true", help="add one per-cell profile per dataset")
    p.add_argument("--json", help="also write the raw results here")
    a = p.parse_args(argv)
    variants = [v.strip() for v in a.variants.split(",") if v.strip()]
    trees = {}
    for item in a.trees.split(","):
        name, _, path = item.partition("=")
        trees[name.strip()] = Path(path.strip()).resolve()
    work = Path(tempfile.mkdtemp(prefix="bench_report_"))
    _notebook(work / "floor.ipynb", "1 + 1")
    _notebook(work / "imports.ipynb", IMPORTS)
    first = next(iter(trees))
    # the floor does not depend on clientlib: timed once, with the first tree
    jobs = [(tree, v) for v in variants for tree in trees if v != "floor" or tree == first]
    started = dt.datetime.now(dt.UTC)
    load_start = _load()
    runs: dict[tuple[str, str], list[dict]] = {job: [] for job in jobs}
    hashes: dict[str, set[str]] = {}
    for r in range(a.rounds):
        order = jobs[r % len(jobs):] + jobs[: r % len(jobs)]
        for tree, v in order:
            out = work / f"{tree}_{v}_{r}.html"
            got = run_once(command(v, work, out), trees[tree])
            if v not in ("floor", "imports"):
                hashes.setdefault(v, set()).add(_sha(out))
            got["load"] = os.getloadavg()[0]
            runs[tree, v].append(got)
            print(f"round {r + 1} {tree} {v}: {got['wall']:.2f} s wall, {got['cpu']:.2f} s CPU, "
                  f"{got['peak_mib']:.0f} MiB, load {got['load']:.1f}", file=sys.stderr, flush=True)
    load_end = _load()
    floor = (
        statistics.median(x["wall"] for x in runs[first, "floor"])
        if (first, "floor") in runs
        else None
    )
    lines = [
        f"{started:%Y-%m-%d %H:%M} UTC; {platform.processor() or platform.machine()}, "
        f"{len(os.sched_getaffinity(0))} cores allowed; load average {load_start} at the start, "
        f"{load_end} at the end (1 / 5 / 15 min). `python benchmarks/bench_report.py "
        f"{' '.join(argv if argv is not None else sys.argv[1:])}`: {a.rounds} interleaved rounds, "
        "one process per run, median of the rounds.",
        "",
        "| tree | variant | median s | ratio to floor | min–max s | CPU s | peak RSS MiB "
        "| checked |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for tree, v in jobs:
        xs = runs[tree, v]
        wall = statistics.median(x["wall"] for x in xs)
        ratio = f"{wall / floor:.2f}×" if floor else ""
        check = "" if v in ("floor", "imports") else (
            "same HTML every run" if len(hashes[v]) == 1 else f"{len(hashes[v])} different HTML")
        lines.append(
            f"| {tree} | {v} | {wall:.2f} | {ratio} | {min(x['wall'] for x in xs):.2f}–"
            f"{max(x['wall'] for x in xs):.2f} | {statistics.median(x['cpu'] for x in xs):.2f} | "
            f"{max(x['peak_mib'] for x in xs):,.0f} | {check} |"
        )
    profiles = {}
    if a.cells:
        for tree in trees:
            for v in variants:
                if v in ("workshop", "cdnow"):
                    profiles[f"{tree} {v}"] = cells(trees[tree], v)
        for name, prof in profiles.items():
            lines += ["", f"Per-cell seconds ({name}; papermill's metadata, one run): imports of "
                      f"the command {prof['imports']:.2f}, execute {prof['execute']:.2f}, HTML "
                      f"export {prof['html']:.2f}; {prof['study']}", ""]
            lines += ["| cell | s |", "|---|---:|"]
            lines += [f"| `{src}` | {sec:.2f} |" for src, sec in prof["cells"] if sec is not None]
    print("\n".join(lines))
    bad = {v: h for v, h in hashes.items() if len(h) > 1}
    result = {"runs": {f"{t} {v}": xs for (t, v), xs in runs.items()}, "hashes":
              {v: sorted(h) for v, h in hashes.items()}, "profiles": profiles}
    if a.json:
        Path(a.json).write_text(json.dumps(result, indent=1))
    if bad:
        print(f"outputs differ between runs: {bad}", file=sys.stderr)
        sys.exit(1)
    return result


if __name__ == "__main__":
    main()
