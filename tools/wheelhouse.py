"""Build the offline bundle: every wheel a participant needs for ``clientlib[lesson]``.

``make wheelhouse`` runs this script. It writes ``build/wheelhouse/``:

* ``clientlib-<version>-py3-none-any.whl`` (``pip wheel --no-deps .``, lessons and data inside);
* every dependency of ``clientlib[lesson]`` as a wheel, for each platform and Python version
  asked (default: Linux manylinux x86_64, macOS x86_64 and arm64, Windows amd64; Python 3.11
  and 3.12), all in one flat folder so one command installs on any of them:
  ``pip install --no-index --find-links wheelhouse "clientlib[lesson]"``;
* ``requirements-lesson.txt``: the exact versions, the same on every platform (each platform is
  resolved with the others' pins as constraints, so a laptop never gets a different pandas);
* ``platforms/<platform>-py<version>.txt``: the files each platform installs, with sizes;
* ``README.md``: how to install from the stick, in English and Russian.

Packages published only as source (no wheel) are caught: pip's resolver fails with
``--only-binary=:all:``; the script names them and builds a wheel once with ``pip wheel`` when
the result is pure Python (``py3-none-any``), else stops with the list.

pip is run with the machine's pip configuration ignored (``PIP_CONFIG_FILE`` set to the null
device, local ``--find-links`` dropped) so the bundle holds what PyPI serves; set
``PIP_INDEX_URL`` for a mirror.

Usage::

    python tools/wheelhouse.py                                  # everything, build/wheelhouse
    python tools/wheelhouse.py --platform linux_x86_64 --python 3.11 --out /tmp/wh
    python tools/wheelhouse.py --resolve-only                   # metadata only, nothing downloaded
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: pip ``--platform`` tags per platform. pip expands macOS tags to older releases and
#: ``manylinux2014`` to manylinux1/2010 itself, but not ``manylinux_2_X``: those are listed.
#: The most restricted target comes first: its resolution fixes the versions every other
#: platform is held to (Intel Macs lose wheels first: argon2-cffi-bindings 26 has none).
PLATFORMS: dict[str, list[str]] = {
    # macOS 12 (Monterey) and later: pyarrow has no older wheels
    "macos_x86_64": ["macosx_12_0_x86_64"],
    "macos_arm64": ["macosx_12_0_arm64"],
    "win_amd64": ["win_amd64"],
    # glibc 2.28 and later: Debian 10+, Ubuntu 18.10+, RHEL/Alma 8+, Fedora 29+
    "linux_x86_64": [f"manylinux_2_{y}_x86_64" for y in range(28, 16, -1)]
    + ["manylinux2014_x86_64"],
}
PYTHONS = ["3.11", "3.12"]
EXTRA = "lesson"

README = """\
# clientlib offline bundle · Офлайн-комплект clientlib

clientlib {version} with every wheel of `clientlib[{extra}]` for {targets}
(Python {pythons}). Exact versions: `requirements-lesson.txt`.

## Install (no internet needed)

Copy this folder (`wheelhouse`) next to where you work, then in a terminal in that place:

Windows (PowerShell or cmd):

    py -3.11 -m venv .venv
    .venv\\Scripts\\python -m pip install --no-index --find-links wheelhouse "clientlib[{extra}]"
    .venv\\Scripts\\clientlib setup-check --lang ru
    .venv\\Scripts\\clientlib lab --lang ru

macOS and Linux:

    python3.11 -m venv .venv
    .venv/bin/python -m pip install --no-index --find-links wheelhouse "clientlib[{extra}]"
    .venv/bin/clientlib setup-check --lang ru
    .venv/bin/clientlib lab --lang ru

`clientlib lab` copies the lessons into `clientlib-lessons` in your home folder and opens
JupyterLab there. More: `docs/install.md` in the project.

## Установка (интернет не нужен)

Скопируйте эту папку (`wheelhouse`) туда, где будете работать, и в терминале, открытом в этом
месте, выполните:

Windows (PowerShell или cmd):

    py -3.11 -m venv .venv
    .venv\\Scripts\\python -m pip install --no-index --find-links wheelhouse "clientlib[{extra}]"
    .venv\\Scripts\\clientlib setup-check --lang ru
    .venv\\Scripts\\clientlib lab --lang ru

macOS и Linux:

    python3.11 -m venv .venv
    .venv/bin/python -m pip install --no-index --find-links wheelhouse "clientlib[{extra}]"
    .venv/bin/clientlib setup-check --lang ru
    .venv/bin/clientlib lab --lang ru

`clientlib lab` копирует уроки в папку `clientlib-lessons` в вашей домашней папке и открывает
там JupyterLab. Подробнее: `docs/install.ru.md` в проекте.
"""


def pip_env() -> dict[str, str]:
    """The environment pip runs in.

    This machine's pip configuration files and local wheel folders are ignored; the index
    (``PIP_INDEX_URL``) and certificates are kept.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("PIP_FIND_LINKS", "PIP_CONSTRAINT")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _pip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pip", *args]
    out = subprocess.run(cmd, capture_output=True, text=True, env=pip_env())
    if check and out.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{out.stderr[-3000:]}")
    return out


def target_args(platform: str, python: str) -> list[str]:
    """The pip options for a foreign platform: wheels only, its tags, its CPython version."""
    args = ["--only-binary=:all:", "--implementation", "cp", "--python-version", python]
    for tag in PLATFORMS[platform]:
        args += ["--platform", tag]
    return args


def resolve(
    requirement: str, platform: str, python: str, extra: list[str]
) -> tuple[list[dict], str]:
    """Resolve ``requirement`` for a platform with pip's dry run (metadata only).

    Returns the packages pip would install, and pip's error text when it cannot resolve.
    """
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        out = _pip(
            "install", "--dry-run", "--ignore-installed", "--quiet", "--report", str(report),
            "--target", str(Path(tmp) / "t"), *target_args(platform, python), *extra,
            requirement, check=False,
        )  # fmt: skip
        if out.returncode != 0:
            return [], out.stderr
        return json.loads(report.read_text())["install"], ""


def pins(items: list[dict]) -> dict[str, str]:
    """``{normalised name: version}`` of a report's packages, clientlib itself left out."""
    out = {}
    for item in items:
        name = re.sub(r"[-_.]+", "-", item["metadata"]["name"]).lower()
        if name != "clientlib":
            out[name] = item["metadata"]["version"]
    return out


_NO_WHEEL = re.compile(r"No matching distribution found for ([A-Za-z0-9_.-]+)")


def build_pure_wheel(name: str, out: Path) -> Path:
    """A wheel built here for a package PyPI has only as source; refused unless pure Python."""
    _pip("wheel", "--no-deps", "--quiet", "-w", str(out), name)
    key = re.sub(r"[-_.]+", "_", name).lower()
    built = [p for p in out.glob("*.whl") if p.name.lower().startswith(key + "-")]
    if not built or not built[0].name.endswith("-none-any.whl"):
        raise SystemExit(f"{name} has no wheel on PyPI and does not build as pure Python")
    return built[0]


def main(argv: list[str] | None = None) -> int:
    """Build the bundle (see the module's docstring); 0 when every target installs from it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "wheelhouse")
    parser.add_argument("--platform", action="append", choices=sorted(PLATFORMS))
    parser.add_argument("--python", action="append", help="e.g. 3.11 (repeatable)")
    parser.add_argument("--resolve-only", action="store_true", help="metadata only")
    args = parser.parse_args(argv)
    platforms = [p for p in PLATFORMS if not args.platform or p in args.platform]
    pythons = args.python or PYTHONS
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    # 1. clientlib's own wheel (a fresh one: an older build of the same version is replaced)
    for old in out.glob("clientlib-*.whl"):
        old.unlink()
    _pip("wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT))
    wheel = next(out.glob("clientlib-*.whl"))
    requirement = f"{wheel}[{EXTRA}]"
    print(f"built {wheel.name}")

    # 2. one resolution per target; the first fixes the versions the others are held to
    built_here: list[str] = []
    constraints = out / "requirements-lesson.txt"
    held: dict[str, str] = {}
    reports: dict[str, list[dict]] = {}
    for platform in platforms:
        for python in pythons:
            target = f"{platform}-py{python}"
            extra = ["--find-links", str(out)]
            if held:
                constraints.write_text("".join(f"{k}=={v}\n" for k, v in sorted(held.items())))
                extra += ["-c", str(constraints)]
            for _ in range(5):  # each round may reveal one more source-only package
                items, error = resolve(requirement, platform, python, extra)
                if items:
                    break
                missing = _NO_WHEEL.search(error)
                if not missing:
                    raise SystemExit(f"{target}: cannot resolve\n{error[-3000:]}")
                name = missing.group(1)
                print(f"{target}: {name} has no wheel on PyPI; building a pure-Python wheel")
                built_here.append(build_pure_wheel(name, out).name)
            else:
                raise SystemExit(f"{target}: too many packages without wheels: {built_here}")
            found = pins(items)
            clash = {k: (held[k], v) for k, v in found.items() if held.get(k, v) != v}
            if clash:
                raise SystemExit(f"{target}: other versions than the first platform: {clash}")
            held.update(found)
            reports[target] = items
            print(f"{target}: {len(items)} packages resolved")
    constraints.write_text(
        "# clientlib[lesson]: the same versions on every platform (tools/wheelhouse.py)\n"
        + "".join(f"{k}=={v}\n" for k, v in sorted(held.items()))
    )
    if built_here:
        print("built here (no wheel on PyPI): " + ", ".join(built_here))
    listing = out / "platforms"
    shutil.rmtree(listing, ignore_errors=True)
    listing.mkdir()
    if args.resolve_only:
        # what each target would install: the wheel files PyPI serves (nothing downloaded)
        for target, items in reports.items():
            names = sorted(i["download_info"]["url"].rsplit("/", 1)[-1] for i in items)
            (listing / f"{target}.txt").write_text(
                f"# {target}: {len(names)} wheels (resolved, not downloaded)\n"
                + "".join(f"{n}\n" for n in names)
            )
        return 0

    # 3. the wheels themselves, then a check that each target installs from the folder alone
    for target in reports:
        platform, python = target.rsplit("-py", 1)
        _pip(
            "download", "--quiet", "-d", str(out), "--find-links", str(out),
            "-c", str(constraints), *target_args(platform, python), requirement,
        )  # fmt: skip
        items, error = resolve(
            f"clientlib[{EXTRA}]", platform, python, ["--no-index", "--find-links", str(out)]
        )
        if not items:
            raise SystemExit(f"{target}: the folder misses a wheel\n{error[-3000:]}")
        files = [Path(i["download_info"]["url"].removeprefix("file://")) for i in items]
        size = sum(f.stat().st_size for f in files)
        (listing / f"{target}.txt").write_text(
            f"# {target}: {len(files)} wheels, {size / 2**20:.0f} MiB\n"
            + "".join(f"{f.name}\t{f.stat().st_size}\n" for f in sorted(files))
        )
        print(f"{target}: {len(files)} wheels, {size / 2**20:.0f} MiB")
    targets = ", ".join(PLATFORM_NAMES[p] for p in platforms)
    (out / "README.md").write_text(
        README.format(
            version=wheel.name.split("-")[1], extra=EXTRA, targets=targets,
            pythons=", ".join(pythons),
        )  # fmt: skip
    )
    total = sum(f.stat().st_size for f in out.glob("*.whl"))
    print(f"{out}: {len(list(out.glob('*.whl')))} wheels, {total / 2**20:.0f} MiB in all")
    return 0


PLATFORM_NAMES = {
    "linux_x86_64": "Linux x86_64 (glibc 2.28+)",
    "macos_x86_64": "macOS 12+ Intel",
    "macos_arm64": "macOS 12+ Apple silicon",
    "win_amd64": "Windows 64-bit",
}

if __name__ == "__main__":
    sys.exit(main())
