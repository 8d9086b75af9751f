"""A study a second analyst can rerun: the same bytes twice, and every output names its inputs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests._cli import run_cli

ROOT = Path(__file__).resolve().parents[1]


def _lock() -> str:
    return hashlib.sha256((ROOT / "requirements.lock").read_bytes()).hexdigest()[:12]


@pytest.fixture(scope="module")
def two_renders(tmp_path_factory):
    """`clientlib report --dataset workshop` into two different folders."""
    folders = []
    mp = pytest.MonkeyPatch()
    capture = SimpleNamespace(readouterr=lambda: SimpleNamespace(out="", err=""))
    try:
        for name in ("first", "second"):
            folder = tmp_path_factory.mktemp(name)
            code, _, err = run_cli(["report", "--dataset", "workshop", "-o",
                                    folder / "workshop.html"], mp, capture)
            assert code == 0, err
            folders.append(folder)
    finally:
        mp.undo()
    return folders


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".ipynb", ".html"])
def test_the_same_report_twice_gives_the_same_bytes(two_renders, suffix):
    a, b = (f / f"workshop{suffix}" for f in two_renders)
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.slow
def test_the_call_lists_twice_are_the_same_bytes(two_renders):
    first, second = two_renders
    lists = sorted(p.name for p in first.glob("workshop.call_*"))
    assert any(n.endswith(".xlsx") for n in lists) and any(n.endswith(".csv") for n in lists)
    assert lists == sorted(p.name for p in second.glob("workshop.call_*"))
    changed = [n for n in lists if (first / n).read_bytes() != (second / n).read_bytes()]
    assert changed == []


@pytest.mark.slow
def test_the_notebook_holds_no_temporary_path_and_stable_ids(two_renders):
    folder = two_renders[0]
    text = (folder / "workshop.ipynb").read_text(encoding="utf-8")
    assert str(folder) not in text and ".part" not in text
    nb = json.loads(text)
    ids = [c["id"] for c in nb["cells"]]
    assert len(set(ids)) == len(ids) and "injected-parameters" in ids
    for key in ("start_time", "end_time", "duration"):
        assert key not in nb["metadata"]["papermill"]
        assert all(key not in c["metadata"].get("papermill", {}) for c in nb["cells"])
    run = nb["metadata"]["papermill"]["parameters"]["clientlib_run"]
    assert (run["facts"], run["snapshot"]) == ("workshop.facts.json", "workshop.classes.parquet")


@pytest.mark.slow
def test_facts_and_page_name_the_lock_and_the_inputs(two_renders):
    folder = two_renders[0]
    facts = json.loads((folder / "workshop.facts.json").read_text(encoding="utf-8"))
    assert facts["lock"] == _lock()
    assert facts["inputs"] == [{"role": "dataset", "name": "workshop"}]
    page = (folder / "workshop.html").read_text(encoding="utf-8")
    assert "hash of the lock file requirements.lock" in page and f"<code>{_lock()}</code>" in page


def test_record_hashes_each_input_file(tmp_path):
    from clientlib.errors import OptionError
    from clientlib.provenance import record

    data = b"customer_id,date,amount\n1,2024-01-02,5\n"
    (tmp_path / "orders.csv").write_bytes(data)
    rec = record({"input": "orders.csv", "dataset": ""}, tmp_path)
    assert rec["lock"] == _lock()
    assert rec["inputs"] == [{"role": "input", "path": str((tmp_path / "orders.csv").resolve()),
                              "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}]
    with pytest.raises(OptionError, match="events file not found"):
        record({"input": "orders.csv", "events": "nope.csv"}, tmp_path)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_about_section_names_lock_and_input_checksums(tmp_path, lang):
    from clientlib.reports.views import about_items

    data = b"customer_id,date,amount\n"
    (tmp_path / "orders.csv").write_bytes(data)
    rd = SimpleNamespace(lang=lang, parameters={"input": str(tmp_path / "orders.csv")},
                         cluster_names={})
    items = dict(about_items(rd))
    lock_label = {"en": "library versions (hash of the lock file requirements.lock)",
                  "ru": "версии библиотек (хеш файла фиксации версий)"}[lang]
    sum_label = {"en": "input file: SHA-256 checksum", "ru": "файл данных: контрольная сумма"}[lang]
    assert items[lock_label] == _lock()
    assert items[sum_label] == hashlib.sha256(data).hexdigest()[:12]


def test_batch_manifest_versions_name_the_lock():
    from clientlib.reports.manifest import library_versions, manifest_schema

    versions = library_versions()
    assert versions["lock"] == _lock()
    # the manifest schema takes it (versions: strings), no version bump needed
    assert manifest_schema()["properties"]["versions"]["additionalProperties"] == {"type": "string"}
