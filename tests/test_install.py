"""A participant's install: the offline bundle, `clientlib lab` and `clientlib setup-check`.

* every platform of the bundle (Linux, macOS Intel and Apple silicon, Windows; Python 3.11 and
  3.12) resolves ``clientlib[lesson]`` to wheels only, the same versions everywhere
  (metadata only: ``tools/wheelhouse.py --resolve-only``);
* a fresh Linux venv installs ``clientlib[lesson]`` from a Linux wheelhouse with the network
  refused, registers the kernel with ``clientlib lab --register-only`` and runs lesson 01 (ru)
  through papermill with that kernel;
* ``clientlib lab --register-only`` writes the kernel spec, the JupyterLab settings and the
  lessons into a temporary environment and home, keeping what is already there;
* ``setup-check`` passes here and fails on one line when the kernel is missing.

The bundle tests need PyPI (as ``make install`` does); only the Linux part of the bundle is
downloaded, for the running Python, the other targets are resolved from metadata. Measured on
the project's 2-core VM shared with 7 other jobs (load 12–18), warm pip cache: the 8 resolutions
3.3 min (41 s CPU), the Linux wheelhouse + offline install + lesson 01 4.5 min (57 s CPU).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import site
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYVER = f"{sys.version_info.major}.{sys.version_info.minor}"

pytestmark = pytest.mark.skipif(os.name != "posix", reason="venv layout of Linux and macOS")


def _wheelhouse_module():
    spec = importlib.util.spec_from_file_location("wheelhouse", ROOT / "tools" / "wheelhouse.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _direct_requirements() -> set[str]:
    """The names clientlib[lesson] asks for, read from pyproject.toml (not from pip)."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [*meta["dependencies"], *meta["optional-dependencies"]["lesson"]]
    names = {_norm(re.match(r"[A-Za-z0-9_.-]+", r).group(0)) for r in reqs}
    return names | {"ipykernel", "jupyterlab", "jupyterlab-language-pack-ru-ru"}


def _fits(wheel: str, target: str) -> bool:
    """Whether a wheel file's platform tags run on the target (checked on the file name)."""
    from packaging.utils import parse_wheel_filename

    _, _, _, tags = parse_wheel_filename(wheel)
    platform, python = target.rsplit("-py", 1)
    minor = int(python.split(".")[1])
    for tag in tags:
        interp = tag.interpreter
        if interp.startswith("cp"):  # cp311: exactly this Python; cp39-abi3: this one or older
            version = int(interp[3:]) if interp[2] == "3" else 0
            if not (version == minor or (tag.abi == "abi3" and version <= minor)):
                continue
        elif not interp.startswith("py3"):
            continue
        p = tag.platform
        if p == "any":
            return True
        if platform == "win_amd64" and p == "win_amd64":
            return True
        if platform == "linux_x86_64" and p.startswith("manylinux") and p.endswith("x86_64"):
            return True
        if platform.startswith("macos") and p.startswith("macosx_"):
            arch = platform.split("_", 1)[1]
            major = int(p.split("_")[1])
            if major <= 12 and p.endswith((arch, "universal2")):
                return True
    return False


@pytest.fixture(scope="module")
def resolved(tmp_path_factory) -> Path:
    """Every target of the bundle resolved (metadata only) into a temporary folder."""
    out = tmp_path_factory.mktemp("resolved")
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "wheelhouse.py"), "--resolve-only", "--out",
         str(out)],
        capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def test_every_platform_has_a_wheel_for_every_dependency(resolved):
    module = _wheelhouse_module()
    targets = [f"{p}-py{v}" for p in module.PLATFORMS for v in module.PYTHONS]
    pins = {
        _norm(line.split("==")[0]): line.split("==")[1]
        for line in (resolved / "requirements-lesson.txt").read_text().splitlines()
        if "==" in line
    }
    wanted = _direct_requirements()
    for target in targets:
        listing = (resolved / "platforms" / f"{target}.txt").read_text().splitlines()
        files = [line for line in listing if line and not line.startswith("#")]
        from packaging.utils import parse_wheel_filename

        names = {_norm(str(parse_wheel_filename(f)[0])): str(parse_wheel_filename(f)[1])
                 for f in files}  # fmt: skip
        assert all(f.endswith(".whl") for f in files), target
        misfits = [f for f in files if not _fits(f, target)]
        assert not misfits, f"{target}: wheels for another platform: {misfits}"
        assert not wanted - set(names), f"{target} lacks {sorted(wanted - set(names))}"
        # the same version on every platform: each one is the pinned one
        differ = {n: (v, pins[n]) for n, v in names.items() if n != "clientlib" and pins[n] != v}
        assert not differ, f"{target}: other versions than requirements-lesson.txt: {differ}"
        if target == "win_amd64-py3.11":
            print(f"\n{target}: {len(files)} wheels\n" + "\n".join(files))


# --- the offline install ------------------------------------------------------------------------

#: pip and every HTTP client pointed at a closed local port, the machine's pip config ignored
_CLOSED = "http://127.0.0.1:9"


def _open_env(home: Path) -> dict[str, str]:
    """This machine's environment for a fresh venv: no PYTHONPATH, no pip config or cache."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "PYTHON", "JUPYTER", "VIRTUAL_ENV"))}  # fmt: skip
    env.update(HOME=str(home), PIP_CONFIG_FILE=os.devnull, PIP_NO_CACHE_DIR="1",
               PIP_RETRIES="0", PIP_DEFAULT_TIMEOUT="5")  # fmt: skip
    return env


def _offline_env(home: Path) -> dict[str, str]:
    """As :func:`_open_env`, with pip's index and every proxy on a closed local port."""
    env = {k: v for k, v in _open_env(home).items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}  # fmt: skip
    env.update(
        PIP_INDEX_URL=_CLOSED + "/simple",
        HTTP_PROXY=_CLOSED, HTTPS_PROXY=_CLOSED, http_proxy=_CLOSED, https_proxy=_CLOSED,
    )  # fmt: skip
    return env


def _network_namespace() -> list[str]:
    """``unshare -rn`` (a new network namespace with loopback only, for the kernel's ZMQ
    sockets) when this machine allows it, else nothing (then only the closed ports refuse)."""
    if not shutil.which("unshare") or not shutil.which("ip"):
        return []
    wrap = ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]
    ok = subprocess.run([*wrap, "true"], capture_output=True).returncode == 0
    return wrap if ok else []


@pytest.fixture(scope="module")
def linux_wheelhouse(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheelhouse")
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "wheelhouse.py"), "--platform", "linux_x86_64",
         "--python", PYVER, "--out", str(out)],
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    return out


@pytest.mark.slow
def test_fresh_venv_installs_offline_and_runs_lesson_01_ru(linux_wheelhouse, tmp_path):
    home, venv = tmp_path / "home", tmp_path / "venv"
    home.mkdir()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bin_ = venv / "bin"
    env = _offline_env(home)
    jail = _network_namespace()

    def run(*cmd: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*jail, *cmd], capture_output=True, text=True, env=env, cwd=home, timeout=timeout
        )

    # the refusal works: a package that is not in the bundle downloads with the network
    # (control) and not under the refusal. In a network namespace the refused probe even keeps
    # the real index and proxies: only the namespace stops it.
    def probe(folder: str) -> list[str]:
        return [str(bin_ / "python"), "-m", "pip", "download", "--no-deps", "-d",
                str(tmp_path / folder), "six"]  # fmt: skip

    control = subprocess.run(probe("open"), capture_output=True, text=True,
                             env=_open_env(home), timeout=300)  # fmt: skip
    assert control.returncode == 0 and list(tmp_path.glob("open/six-*")), control.stderr
    refused = subprocess.run([*jail, *probe("shut")], capture_output=True, text=True,
                             env=_open_env(home) if jail else env, timeout=300)  # fmt: skip
    assert refused.returncode != 0 and not list(tmp_path.glob("shut/six*")), refused.stdout

    install = run(str(bin_ / "python"), "-m", "pip", "install", "--no-index", "--find-links",
                  str(linux_wheelhouse), "clientlib[lesson]")  # fmt: skip
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-2000:]
    where = run(str(bin_ / "python"), "-c", "import clientlib; print(clientlib.__file__)")
    assert where.stdout.startswith(str(venv)), where.stdout + where.stderr

    # before registration: setup-check names the kernel, on one ✗ line, and exits 2
    before = run(str(bin_ / "clientlib"), "setup-check", "--lang", "ru")
    bad = [line for line in before.stdout.splitlines() if line.startswith("✗")]
    assert before.returncode == 2, before.stdout + before.stderr
    assert len(bad) == 1 and "ядро Jupyter «clientlib»" in bad[0], before.stdout

    lab = run(str(bin_ / "clientlib"), "lab", "--register-only", "--lang", "ru")
    assert lab.returncode == 0, lab.stdout + lab.stderr
    spec = json.loads((venv / "share/jupyter/kernels/clientlib/kernel.json").read_text())
    assert spec["argv"][0] == str(bin_ / "python")
    after = run(str(bin_ / "clientlib"), "setup-check", "--lang", "ru")
    assert after.returncode == 0, after.stdout + after.stderr

    lesson = home / "clientlib-lessons" / "ru" / "01_quickstart.ipynb"
    assert lesson.is_file()
    out = tmp_path / "01_ru_run.ipynb"
    pm = run(str(bin_ / "papermill"), str(lesson), str(out), "-k", "clientlib",
             "--execution-timeout", "600", "--cwd", str(lesson.parent))  # fmt: skip
    assert pm.returncode == 0, pm.stderr[-3000:]
    nb = json.loads(out.read_text())
    assert not nb["metadata"]["papermill"].get("exception")
    assert nb["metadata"]["kernelspec"]["name"] == "clientlib"
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors
    # the lesson ran in Russian: its parameters cell says so, and its output is Russian text
    printed = "".join(
        "".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", [])
    )
    assert re.search(r"[а-яё]{4,}", printed)


# --- clientlib lab --register-only and setup-check, in a temporary environment ------------------


def _temp_env(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A venv without packages of its own that sees this environment's (a .pth file): its
    ``sys.prefix`` is new and empty, so the kernel and settings land there."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = next(venv.glob("lib/python*/site-packages"))
    (purelib / "outer.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), PYTHONPATH=str(ROOT))
    return venv, env


def _cli(venv: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / "python"), "-m", "clientlib.cli", *args],
        capture_output=True, text=True, env=env, cwd=env["HOME"], timeout=600,
    )  # fmt: skip


def test_register_only_writes_kernel_settings_and_lessons_and_keeps_answers(tmp_path):
    venv, env = _temp_env(tmp_path)
    settings = venv / "share/jupyter/lab/settings/overrides.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "X"}}))

    first = _cli(venv, env, "lab", "--register-only", "--lang", "ru")
    assert first.returncode == 0, first.stdout + first.stderr
    spec = json.loads((venv / "share/jupyter/kernels/clientlib/kernel.json").read_text())
    assert spec["argv"][0] == str(venv / "bin" / "python")
    assert spec["display_name"] == "clientlib (Python 3)"
    overrides = json.loads(settings.read_text())
    assert overrides["@jupyterlab/apputils-extension:themes"] == {"theme": "X"}  # kept
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    assert overrides["@jupyterlab/translation-extension:plugin"] == {"locale": "ru_RU"}

    lessons = Path(env["HOME"]) / "clientlib-lessons" / "ru"
    shipped = sorted(p.name for p in (ROOT / "notebooks" / "ru").glob("*.ipynb"))
    assert sorted(p.name for p in lessons.glob("*.ipynb")) == shipped
    # a participant's answers survive a second start; a deleted lesson comes back
    (lessons / shipped[0]).write_text("my answers")
    (lessons / shipped[1]).unlink()
    again = _cli(venv, env, "lab", "--register-only", "--lang", "ru")
    assert again.returncode == 0, again.stderr
    assert (lessons / shipped[0]).read_text() == "my answers"
    assert (lessons / shipped[1]).is_file()
    english = _cli(venv, env, "lab", "--register-only", "--lang", "en")
    assert english.returncode == 0, english.stderr
    assert json.loads(settings.read_text())["@jupyterlab/translation-extension:plugin"] == {
        "locale": "en"
    }
    assert (Path(env["HOME"]) / "clientlib-lessons" / "en" / shipped[0]).is_file()


def test_register_only_refuses_a_missing_folder_on_one_line(tmp_path):
    venv, env = _temp_env(tmp_path)
    out = _cli(venv, env, "lab", "--register-only", "--lang", "ru", str(tmp_path / "nope"))
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "папки нет" in out.stderr
    assert not (venv / "share/jupyter/kernels/clientlib").exists()


def test_setup_check_fails_on_one_line_when_the_kernel_is_missing(tmp_path):
    venv, env = _temp_env(tmp_path)
    out = _cli(venv, env, "setup-check")
    assert out.returncode == 2, out.stdout + out.stderr
    bad = [line for line in out.stdout.splitlines() if line.startswith("✗")]
    assert len(bad) == 1, out.stdout
    assert "kernel" in bad[0] and "clientlib lab --register-only" in bad[0]


def test_setup_check_passes_here():
    # the environment `make install` built: kernel registered, JupyterLab and the pack installed
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-m", "clientlib.cli", "setup-check", "--lang", "ru"],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert "✗" not in out.stdout and out.stdout.count("✓") == 8


def test_the_settings_exist_in_the_installed_jupyterlab():
    """The ids, keys and values clientlib writes are those JupyterLab's own schemas declare,
    and the installed language pack provides the locale."""
    import jsonschema
    from jupyterlab_server.translation_utils import get_language_packs

    from clientlib.lab import settings_for

    schemas = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    for lang in ("en", "ru"):
        for plugin, values in settings_for(lang).items():
            package, _, name = plugin.partition(":")
            schema = json.loads((schemas / package / f"{name}.json").read_text())
            for key, value in values.items():
                assert key in schema["properties"], (plugin, key)
                jsonschema.validate(value, schema["properties"][key])
    packs, _ = get_language_packs()
    assert "ru_RU" in packs


def test_the_platform_check_refuses_other_platforms_wheels():
    assert _fits("numpy-2.4.6-cp311-cp311-win_amd64.whl", "win_amd64-py3.11")
    assert _fits("psutil-7.2.2-cp36-abi3-macosx_10_9_x86_64.whl", "macos_x86_64-py3.12")
    assert not _fits("numpy-2.4.6-cp311-cp311-win_amd64.whl", "linux_x86_64-py3.11")
    assert not _fits("numpy-2.4.6-cp312-cp312-win_amd64.whl", "win_amd64-py3.11")
    assert not _fits("x-1-cp311-cp311-macosx_14_0_arm64.whl", "macos_arm64-py3.11")
    assert not _fits("x-1-cp311-cp311-macosx_11_0_arm64.whl", "macos_x86_64-py3.11")


@pytest.mark.parametrize(
    "doc", ["README.md", "notebooks/README.md", "docs/install.md", "docs/install.ru.md"]
)
def test_every_documented_papermill_line_has_the_kernel_and_a_timeout(doc):
    # a lesson run by papermill can wait forever on a widget cell (nbclient#312): each line
    # people copy carries the kernel clientlib registers and a per-cell timeout
    text = (ROOT / doc).read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line for line in text.splitlines() if re.search(r"papermill\s+\S+\.ipynb", line)]
    assert lines, f"{doc} shows no papermill line"
    for line in lines:
        assert re.search(r"-k clientlib\b", line), line
        assert re.search(r"--execution-timeout \d+", line), line


def test_documented_dataset_export_runs(tmp_path):
    # notebooks/README.md's first own-data line, run as written
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    text = (ROOT / "notebooks" / "README.md").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("clientlib datasets export"))
    args = line.split("#")[0].split()[1:]
    out = subprocess.run([sys.executable, "-m", "clientlib.cli", *args], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert (tmp_path / args[-1]).read_text().startswith("customer_id,date,")
