"""The lock file against the environment: what ``make install`` installs and the test compares.

``requirements.lock`` is written by ``make lock`` (uv from pyproject.toml with every extra the
Makefile installs, for Linux and Python 3.11, as CI runs). ``make install`` installs exactly its
pins with pip, clientlib itself with ``--no-deps -e .``, then runs ``python tools/lock.py
prune``: packages the lock does not name (left from an older lock, or installed by hand) are
uninstalled, so ``pip freeze`` equals the lock (``tests/test_packaging.py`` checks it).

    python tools/lock.py check   # exit 1 and the differences when the venv is not the lock
    python tools/lock.py prune   # uninstall what the lock does not name
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
#: pip freeze leaves these out (the installer's own tools), so the comparison does too.
TOOLS = {"pip", "setuptools", "wheel", "distribute"}
_PIN = re.compile(
    r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;#]+)\s*(?:;\s*(.*?))?\s*(?:#.*)?$"
)


def normal(name: str) -> str:
    """A distribution name as PEP 503 compares them (``Lifetimes`` -> ``lifetimes``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _applies(marker: str | None) -> bool:
    if not marker:
        return True
    from packaging.markers import Marker

    return Marker(marker).evaluate()


def pins(text: str) -> dict[str, str]:
    """``{name: version}`` of a requirements file's ``name==version`` lines for this platform."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        m = _PIN.match(line.strip())
        if m and _applies(m.group(4)) and normal(m.group(1)) not in TOOLS:
            out[normal(m.group(1))] = m.group(3)
    return out


def frozen(python: str = sys.executable) -> dict[str, str]:
    """``pip freeze --exclude-editable`` of ``python``'s environment as ``{name: version}``."""
    text = subprocess.run([python, "-m", "pip", "freeze", "--exclude-editable"],
                          capture_output=True, text=True, check=True).stdout
    return pins(text)


def differences(locked: dict[str, str], installed: dict[str, str]) -> dict[str, list[str]]:
    """Missing, other-version and unlocked packages (each list sorted; all empty = equal)."""
    return {
        "missing": sorted(f"{n}=={v}" for n, v in locked.items() if n not in installed),
        "other_version": sorted(f"{n}: locked {v}, installed {installed[n]}"
                                for n, v in locked.items() if n in installed and installed[n] != v),
        "not_locked": sorted(f"{n}=={v}" for n, v in installed.items() if n not in locked),
    }


def main(argv: list[str]) -> int:
    """``check`` (exit 1 on a difference) or ``prune`` (uninstall what the lock lacks)."""
    command = argv[0] if argv else "check"
    locked = pins(LOCK.read_text(encoding="utf-8"))
    diff = differences(locked, frozen())
    if command == "prune":
        extra = [line.split("==")[0] for line in diff["not_locked"]]
        if extra:
            print(f"removing {len(extra)} packages the lock does not name: {' '.join(extra)}")
            subprocess.run([sys.executable, "-m", "pip", "uninstall", "--quiet", "-y", *extra],
                           check=True)
        return 0
    if command == "check":
        bad = {k: v for k, v in diff.items() if v}
        for kind, items in bad.items():
            print(f"{kind}: {', '.join(items)}")
        return 1 if bad else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
