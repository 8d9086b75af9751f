"""The project's own set-up files agree with each other, and the data ships with the package."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# PyPI name -> conda-forge name, where they differ.
CONDA_NAME = {
    "ibis-framework": "ibis-duckdb",
    "duckdb": "python-duckdb",
    "matplotlib": "matplotlib-base",
}
NOT_IN_CONDA = {"openjdk", "python", "pip"}


def _split(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.-]+)(\[[^\]]*\])?\s*(.*)$", req)
    assert m, req
    return m.group(1).lower(), m.group(3).replace(" ", "")


def _pyproject() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for extra in meta["optional-dependencies"].values():
        reqs += extra
    return dict(_split(r) for r in reqs)


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out: dict[str, str] = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for item in dep.get("pip", []):
                if not item.startswith("-"):
                    name, spec = _split(item)
                    out[name] = spec
            continue
        name, spec = _split(dep.replace("=", "==", 1) if re.match(r"^[\w.-]+=[^=]", dep) else dep)
        out[name] = spec
    return out


def test_environment_yml_mirrors_pyproject():
    py = _pyproject()
    env = _environment()
    expected = {CONDA_NAME.get(name, name): spec for name, spec in py.items()}
    env_deps = {k: v for k, v in env.items() if k not in NOT_IN_CONDA}
    missing = sorted(set(expected) - set(env_deps))
    extra = sorted(set(env_deps) - set(expected))
    assert not missing, f"in pyproject.toml but not environment.yml: {missing}"
    assert not extra, f"in environment.yml but not pyproject.toml: {extra}"
    differ = {k: (expected[k], env_deps[k]) for k in expected if expected[k] != env_deps[k]}
    assert not differ, f"version bounds differ (pyproject, environment.yml): {differ}"


def test_wheel_config_ships_the_datasets_folder():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = cfg["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert include == {"datasets": "clientlib/_datasets"}
    assert (ROOT / "datasets" / "cdnow").is_dir()


def test_non_editable_install_finds_its_data(tmp_path):
    """Build the wheel, install it into a bare folder and load CDNOW from there."""
    import subprocess
    import sys

    wheel_dir, target = tmp_path / "wheel", tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(wheel_dir),
            str(ROOT),
        ],
        check=True,
    )
    wheel = next(wheel_dir.glob("clientlib-*.whl"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    code = (
        "import clientlib.datasets as d, pathlib; "
        "assert 'site' in pathlib.Path(d.__file__).parts, d.__file__; "
        "print(len(d.load('cdnow').transactions))"
    )
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "69659"
