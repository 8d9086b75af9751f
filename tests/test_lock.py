"""The lock file: what `make install` installs, what pyproject allows, what `--version` names."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import platform
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests._cli import run_cli

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"


def _lock_tool():
    spec = importlib.util.spec_from_file_location("lock_tool", ROOT / "tools" / "lock.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _locked() -> dict[str, str]:
    return _lock_tool().pins(LOCK.read_text(encoding="utf-8"))


def _requirements() -> list[Requirement]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for extra in meta["optional-dependencies"].values():
        reqs += extra
    return [Requirement(r) for r in reqs]


def test_pip_freeze_equals_the_lock():
    """From the Makefile's venv (`make test` sets CLIENTLIB_LOCKED_VENV): exactly the lock."""
    venv = os.environ.get("CLIENTLIB_LOCKED_VENV")
    if not venv or Path(venv).resolve() != Path(sys.prefix).resolve():
        pytest.skip("not run by `make test` from the Makefile's venv (CLIENTLIB_LOCKED_VENV "
                    "unset or another interpreter): a hand-made venv may hold other packages")
    tool = _lock_tool()
    diff = tool.differences(_locked(), tool.frozen(sys.executable))
    assert diff == {"missing": [], "other_version": [], "not_locked": []}, (
        f"{diff}; `make -B install` installs the lock and removes the rest")


def test_every_dependency_is_locked_within_its_range():
    """A dependency added to pyproject.toml without `make lock` fails here."""
    locked = _locked()
    normal = _lock_tool().normal
    unlocked, outside = [], []
    for req in _requirements():
        version = locked.get(normal(req.name))
        if version is None:
            unlocked.append(req.name)
        elif not req.specifier.contains(version, prereleases=True):
            outside.append(f"{req.name} {version} not in {req.specifier}")
    assert not unlocked, f"not in requirements.lock (run `make lock`): {unlocked}"
    assert not outside, outside


def test_ibis_has_an_upper_bound_the_lock_meets():
    ibis = next(r for r in _requirements() if r.name == "ibis-framework")
    assert any(s.operator == "<" for s in ibis.specifier), ibis
    # the next major version is outside: CI only ever ran the locked one
    major = int(_locked()["ibis-framework"].split(".")[0])
    assert not ibis.specifier.contains(f"{major + 1}.0.0")


def test_lock_pins_are_for_python_311_on_linux():
    head = LOCK.read_text(encoding="utf-8").splitlines()[:3]
    assert any("make lock" in line for line in head), head
    mk = (ROOT / "Makefile").read_text()
    assert "--python-version 3.11" in mk and "x86_64-unknown-linux-gnu" in mk


def test_lock_pins_parse_like_pip():
    tool = _lock_tool()
    text = ("Foo_Bar==1.0\n    # via x\nbaz[extra]==2.0 ; python_version >= '3'\n"
            "old==1 ; python_version < '3'\npip==25.0\n-e .\n")
    assert tool.pins(text) == {"foo-bar": "1.0", "baz": "2.0"}
    assert tool.differences({"a": "1", "b": "2"}, {"a": "1", "b": "3", "c": "4"}) == {
        "missing": [], "other_version": ["b: locked 2, installed 3"], "not_locked": ["c==4"]}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_version_names_the_lock_python_and_libraries(lang, monkeypatch, capsys):
    code, out, err = run_cli(["--version", "--lang", lang], monkeypatch, capsys)
    assert code == 0, err
    lock = hashlib.sha256(LOCK.read_bytes()).hexdigest()[:12]
    lines = out.splitlines()
    assert lines[0] == f"clientlib {metadata.version('clientlib')}"
    assert lines[1].endswith(f": {lock}") and "requirements.lock" in lines[1]
    assert f"Python {platform.python_version()}" in lines
    for name in ("ibis-framework", "duckdb", "pandas", "scikit-learn"):
        assert f"{name} {metadata.version(name)}" in lines
    assert ("файл" in lines[1]) == (lang == "ru")


def test_version_without_a_lock_says_unlocked(monkeypatch, capsys, tmp_path):
    from clientlib import provenance

    monkeypatch.setattr(provenance, "_PACKAGE", tmp_path / "clientlib")
    assert provenance.lock_hash() == "unlocked"
    code, out, _ = run_cli(["--version", "--lang", "ru"], monkeypatch, capsys)
    assert code == 0 and "нет (установлено без файла фиксации версий)" in out


def test_version_refuses_an_unknown_language(monkeypatch, capsys):
    code, out, err = run_cli(["--version", "--lang", "de"], monkeypatch, capsys)
    assert code == 2 and not out and err.count("\n") == 1 and "Traceback" not in err
