"""What each command loads: help, listings, schemas and refused options import no heavy library,
and ``segment --framework rfm`` neither scikit-learn nor the event facts.

Speed itself is measured by ``benchmarks/bench_cli.py``, never asserted; these tests check the
cause of the cost (which modules a command imports, which facts it computes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Libraries a command pays for only when it computes something.
HEAVY = (
    "pandas", "numpy", "ibis", "duckdb", "pyarrow", "sklearn", "scipy", "matplotlib", "papermill",
)  # fmt: skip

#: Runs ``clientlib ARGV`` as the entry point does, then prints the exit code and the heavy
#: libraries (and clientlib modules of interest) that were imported.
_PROBE = """
import json, sys
from clientlib.cli import main
argv, heavy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.argv = ["clientlib", *argv]
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code or 0
print(json.dumps({
    "code": code,
    "heavy": sorted(m for m in heavy if m in sys.modules),
    "clientlib": sorted(m for m in sys.modules if m.startswith("clientlib")),
}))
"""


def _probe(argv: list[str], cwd: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(argv), json.dumps(HEAVY)],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["segment", "--help"],
        ["report", "--help"],
        ["datasets", "list"],
        ["schema", "rulebook"],
    ],
)
def test_help_listings_and_schemas_import_no_heavy_library(argv, tmp_path):
    seen = _probe(argv, tmp_path)
    assert seen["code"] == 0
    assert seen["heavy"] == []


@pytest.mark.parametrize(
    "argv",
    [
        ["segment", "--framework", "nope", "--dataset", "workshop"],
        ["segment", "--dataset", "workshop", "--lang", "xx"],
        ["segment", "--dataset", "workshop", "--k", "1"],
        ["segment", "--dataset", "workshop", "--returns", "bogus"],
        ["facts", "--dataset", "workshop", "--duplicates", "maybe"],
        ["quality", "--dataset", "workshop", "--zero-amount", "sometimes"],
        ["report", "-o", "x"],
        ["datasets", "export", "nope", "x.csv"],
        ["schema", "nope"],
    ],
)
def test_a_refused_option_imports_no_heavy_library(argv, tmp_path):
    seen = _probe(argv, tmp_path)
    assert seen["code"] == 2
    assert seen["heavy"] == []
    assert not (tmp_path / "x.csv").exists()


def test_segment_rfm_loads_neither_scikit_learn_nor_the_other_rulebooks(tmp_path):
    seen = _probe(["segment", "-f", "rfm", "--dataset", "workshop", "-o", "seg.csv"], tmp_path)
    assert seen["code"] == 0 and (tmp_path / "seg.csv").is_file()
    assert "sklearn" not in seen["heavy"] and "scipy" not in seen["heavy"]
    # the BTYD hook (and its model) is imported only when a BTYD rulebook is read
    assert "clientlib.frameworks.btyd" not in seen["clientlib"]
    assert "clientlib.btyd" not in seen["clientlib"]
    assert "clientlib.clusters" not in seen["clientlib"]


def test_segment_collects_only_the_facts_its_frameworks_read(tmp_path, monkeypatch, capsys):
    from clientlib import engine
    from tests._cli import run_cli

    collected: list[list[str]] = []
    real = engine.to_pandas

    def spy(expr, con=None):
        out = real(expr, con)
        collected.append(list(getattr(out, "columns", [])))
        return out

    monkeypatch.setattr(engine, "to_pandas", spy)
    out = tmp_path / "seg.csv"
    code, _, err = run_cli(
        ["segment", "-f", "rfm", "--dataset", "workshop", "-o", out], monkeypatch, capsys
    )
    assert code == 0, err
    facts = [c for c in collected if "recency_days" in c]
    assert facts == [["customer_id", "orders", "total_spend", "recency_days"]]
    # every customer of the three tables is still classed (non-buyers from customers/events)
    import pandas as pd

    df = pd.read_csv(out, dtype={"customer_id": str})
    assert len(df) == 2000 and (df["class"] == "non_buyer").sum() > 0
