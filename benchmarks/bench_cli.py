"""The fixed cost of the ``clientlib`` command: help, listings, refused options and one segment run.

Run: ``.venv/bin/python benchmarks/bench_cli.py --rounds 7``
(``--trees before=/path/to/old/checkout,after=.`` times two source trees side by side;
``--commands segment-rfm,help`` for a subset).

Each command runs in a fresh process (``python -m clientlib.cli ...`` with the tree first on
``PYTHONPATH``), one process at a time; a round runs every (tree, command) pair once, in an order
that rotates from round to round, so a burst of load on the machine spreads over all of them.
The table gives, per command, the median wall time over the rounds minus the median of
``python -c pass`` measured in the same rounds (the interpreter's start), the median CPU seconds
(user + system of the child, from ``os.wait4``) and, with two trees, the ratio first / second.
``floor`` is ``import pandas, ibis`` plus the DuckDB connection: what any command that computes
something pays before it reads a row.

Before timing, every command's exit code is checked (0, or 2 for a refused option) and the
segment outputs of every tree are checked byte-for-byte equal to the first tree's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: name -> (argv after ``python``, expected exit code). ``{out}`` is a file in a scratch folder.
COMMANDS: dict[str, tuple[list[str], int]] = {
    "python -c pass": (["-c", "pass"], 0),
    "import clientlib": (["-c", "import clientlib"], 0),
    "import clientlib.cli": (["-c", "import clientlib.cli"], 0),
    "floor: pandas+ibis+duckdb": (["-c", "import pandas, ibis; ibis.duckdb.connect()"], 0),
    "clientlib --help": (["-m", "clientlib.cli", "--help"], 0),
    "clientlib segment --help": (["-m", "clientlib.cli", "segment", "--help"], 0),
    "clientlib datasets list": (["-m", "clientlib.cli", "datasets", "list"], 0),
    "clientlib schema rulebook": (["-m", "clientlib.cli", "schema", "rulebook"], 0),
    "clientlib report -o x (exit 2)": (["-m", "clientlib.cli", "report", "-o", "x"], 2),
    "clientlib segment -f nope (exit 2)": (
        ["-m", "clientlib.cli", "segment", "-f", "nope", "--dataset", "workshop"],
        2,
    ),
    "clientlib segment -f rfm --dataset workshop": (
        ["-m", "clientlib.cli", "segment", "-f", "rfm", "--dataset", "workshop", "-o", "{out}"],
        0,
    ),
    "clientlib segment --dataset workshop (all)": (
        ["-m", "clientlib.cli", "segment", "--dataset", "workshop", "-o", "{out}"],
        0,
    ),
}
SHORT = {
    "pass": "python -c pass",
    "import": "import clientlib",
    "import-cli": "import clientlib.cli",
    "floor": "floor: pandas+ibis+duckdb",
    "help": "clientlib --help",
    "segment-help": "clientlib segment --help",
    "datasets-list": "clientlib datasets list",
    "schema": "clientlib schema rulebook",
    "report-error": "clientlib report -o x (exit 2)",
    "framework-error": "clientlib segment -f nope (exit 2)",
    "segment-rfm": "clientlib segment -f rfm --dataset workshop",
    "segment-all": "clientlib segment --dataset workshop (all)",
}
BASE = "python -c pass"


def run_once(tree: Path, name: str, scratch: Path) -> tuple[float, float, int, Path | None]:
    """Wall seconds, CPU seconds and exit code of one process; the output file if any."""
    argv, _ = COMMANDS[name]
    out = scratch / f"out-{os.getpid()}-{time.monotonic_ns()}.csv"
    args = [a.replace("{out}", str(out)) for a in argv]
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, *args],
        cwd=scratch,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, proc.returncode, out if out.exists() else None


def check(trees: dict[str, Path], names: list[str], scratch: Path) -> None:
    """Exit codes as expected; segment outputs byte-for-byte equal across trees."""
    first: dict[str, bytes] = {}
    for label, tree in trees.items():
        for name in names:
            _, _, code, out = run_once(tree, name, scratch)
            want = COMMANDS[name][1]
            if code != want:
                raise SystemExit(f"{label}: {name!r} exited {code}, expected {want}")
            if out is not None:
                data = out.read_bytes()
                out.unlink()
                if name in first and first[name] != data:
                    raise SystemExit(f"{label}: the output of {name!r} differs from the first tree")
                first.setdefault(name, data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="rounds (median over them; >= 5)")
    parser.add_argument(
        "--trees", default=f"current={ROOT}", help="label=path,... source trees to compare"
    )
    parser.add_argument(
        "--commands", default=",".join(SHORT), help=f"subset of: {', '.join(SHORT)}"
    )
    args = parser.parse_args()
    trees = {}
    for item in args.trees.split(","):
        label, _, path = item.partition("=")
        trees[label] = Path(path or label).resolve()
    names = [SHORT[c] for c in args.commands.split(",")]
    if BASE not in names:
        names.insert(0, BASE)

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        check(trees, names, scratch)
        pairs = [(label, name) for label in trees for name in names]
        wall: dict[tuple[str, str], list[float]] = {p: [] for p in pairs}
        cpu: dict[tuple[str, str], list[float]] = {p: [] for p in pairs}
        for r in range(args.rounds):
            shift = r % len(pairs)
            for label, name in pairs[shift:] + pairs[:shift]:
                w, c, _, out = run_once(trees[label], name, scratch)
                if out is not None:
                    out.unlink()
                wall[label, name].append(w)
                cpu[label, name].append(c)
    load_after = os.getloadavg()

    med = {p: statistics.median(v) for p, v in wall.items()}
    med_cpu = {p: statistics.median(v) for p, v in cpu.items()}
    labels = list(trees)
    print(
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load {load_before[0]:.1f} before / {load_after[0]:.1f} after, "
        f"median of {args.rounds} rounds; trees: "
        + ", ".join(f"{k} = {v}" for k, v in trees.items())
    )
    print()
    head = ["command"]
    for label in labels:
        head += [f"{label}: wall − start, s", f"{label}: CPU, s"]
    if len(labels) == 2:
        head.append(f"ratio {labels[0]} / {labels[1]}")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" + "---:|" * (len(head) - 1))
    for name in names:
        row = [name]
        for label in labels:
            base = med[label, BASE]
            shown = med[label, name] if name == BASE else med[label, name] - base
            row += [f"{shown:.2f}", f"{med_cpu[label, name]:.2f}"]
        if len(labels) == 2:
            a = med[labels[0], name] - (0 if name == BASE else med[labels[0], BASE])
            b = med[labels[1], name] - (0 if name == BASE else med[labels[1], BASE])
            row.append(f"{a / b:.1f}×" if b > 0 else "")
        print("| " + " | ".join(row) + " |")
    print()
    print(f"(`{BASE}` row: its own wall time; the other rows: median wall minus that.)")


if __name__ == "__main__":
    main()
