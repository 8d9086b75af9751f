"""The project's own set-up files agree with each other, and the data ships with the package."""

from __future__ import annotations

import hashlib
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
    assert include == {
        "datasets": "clientlib/_datasets",
        "notebooks/en": "clientlib/_lessons/en",
        "notebooks/ru": "clientlib/_lessons/ru",
        "requirements.lock": "clientlib/requirements.lock",
    }
    assert (ROOT / "datasets" / "cdnow").is_dir()


def test_lesson_extra_is_lean():
    # a participant's laptop: JupyterLab and its Russian pack, none of the heavy or dev tools
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    names = {_split(r)[0] for r in extras["lesson"]}
    assert {"jupyterlab", "jupyterlab-language-pack-ru-ru"} <= names
    dev = {_split(r)[0] for key in ("spark", "test", "bench", "docs") for r in extras[key]}
    assert not names & dev


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
        "import clientlib, clientlib.datasets as d, clientlib.lab as lab, pathlib; "
        "import clientlib.provenance as pv; "
        "assert 'site' in pathlib.Path(d.__file__).parts, d.__file__; "
        "src = lab.lessons_source('ru'); assert 'site' in src.parts, src; "
        "print(clientlib.__version__, len(d.load('cdnow').transactions), "
        "sorted(p.name for p in src.glob('*.ipynb')), pv.lock_hash())"
    )
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    lessons = sorted(p.name for p in (ROOT / "notebooks" / "ru").glob("*.ipynb"))
    # the wheel carries the lock it was built with: its hash, computed here independently
    lock = hashlib.sha256((ROOT / "requirements.lock").read_bytes()).hexdigest()[:12]
    assert out.stdout.strip() == f"{_project_version()} 69659 {lessons} {lock}"


# --- the top level: one version, a curated lazy namespace -------------------------------------

HEAVY = ("pandas", "numpy", "ibis", "duckdb", "sklearn", "matplotlib", "papermill", "pyarrow")


def _project_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def _run(code: str) -> str:
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_version_comes_from_pyproject():
    import clientlib

    assert clientlib.__version__ == _project_version()
    # no second copy of the number in the package
    init = (ROOT / "clientlib" / "__init__.py").read_text()
    assert not re.search(r"^__version__\s*=", init, re.M)


def test_import_clientlib_loads_no_heavy_library():
    code = (
        "import sys, clientlib; clientlib.__version__; dir(clientlib); "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    assert _run(code) == "[]"


def test_top_level_names_are_the_modules_objects():
    import clientlib
    from clientlib import clusters, compare, datasets, features, frameworks, io, pipeline, segment

    expected = {
        "read_transactions": io.read_transactions,
        "read_events": io.read_events,
        "read_customers": io.read_customers,
        "read_inputs": io.read_inputs,
        "customer_facts": features.customer_facts,
        "rfm_summary": features.rfm_summary,
        "segment": segment,
        "run_study": pipeline.run_study,
        "load_framework": frameworks.load,
        "compare": compare,
        "agreement_matrix": compare.agreement_matrix,
        "CustomerClusters": clusters.CustomerClusters,
        "choose_k": clusters.choose_k,
        "datasets": datasets,
    }
    assert set(clientlib.__all__) == {*expected, "__version__"} == {*clientlib._LAZY, "__version__"}
    assert set(clientlib.__all__) <= set(dir(clientlib))
    for name, obj in expected.items():
        assert getattr(clientlib, name) is obj, name
    try:
        clientlib.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("an unknown name must raise AttributeError")


def test_segment_and_compare_are_callable_whatever_the_import_order():
    # `import clientlib.segment` first binds the submodule through the import system, not
    # through the lazy look-up: it must still be callable as the function.
    code = """
import clientlib.segment, clientlib.compare, clientlib
ds = clientlib.datasets.load("workshop", n_customers=200, seed=3)
facts = clientlib.customer_facts(clientlib.read_transactions(ds.transactions, ds.mapping))
a, _ = clientlib.segment(facts, ["rfm_simple"])
b, _ = clientlib.segment.segment(facts, ["rfm_simple"])
assert a.equals(b)
x = a.set_index("customer_id")["class"]
print(clientlib.compare(x, x).ari == clientlib.compare.compare(x, x).ari == 1.0)
"""
    assert _run(code) == "True"
