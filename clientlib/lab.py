"""A participant's JupyterLab: the kernel, the settings, the lessons, and a readiness check.

``clientlib lab`` and ``clientlib setup-check`` (see :mod:`clientlib.cli`) are thin wrappers
around this module, so a participant needs neither ``make`` nor a shell that knows where the
virtual environment's ``jupyter`` is:

* :func:`register_kernel` registers the ``clientlib`` kernel for the running interpreter, in its
  environment (``sys.prefix``) when that is writable, else for the user;
* :func:`write_settings` writes JupyterLab's settings overrides in the same environment: the
  news pop-up off and, with ``lang="ru"``, the Russian interface (language pack
  ``jupyterlab-language-pack-ru-RU``);
* :func:`copy_lessons` copies the executed lessons shipped in the wheel into a folder the
  participant owns (``~/clientlib-lessons/<lang>``); files already there are never replaced, so
  a participant's answers survive a second start or an upgrade;
* :func:`setup_checks` proves the machine is ready, one line per check.

Examples
--------
>>> settings_for("ru")["@jupyterlab/translation-extension:plugin"]
{'locale': 'ru_RU'}
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from clientlib.errors import ClientlibError
from clientlib.messages import check_lang, text

__all__ = [
    "DISPLAY_NAME",
    "KERNEL_NAME",
    "Check",
    "copy_lessons",
    "default_lessons_dir",
    "is_root",
    "lab_command",
    "lessons_source",
    "register_kernel",
    "settings_dir",
    "settings_for",
    "setup_checks",
    "write_settings",
]

#: The kernel every lesson's metadata names (``-k clientlib`` in papermill lines).
KERNEL_NAME = "clientlib"
DISPLAY_NAME = "clientlib (Python 3)"
#: JupyterLab's locale per lesson language (the language pack's name for it).
LOCALES = {"en": "en", "ru": "ru_RU"}
LANGUAGE_PACK = {"ru": "jupyterlab-language-pack-ru-RU"}
#: The setting ids and keys, as the schemas of JupyterLab 4 declare them
#: (``share/jupyter/lab/schemas/@jupyterlab/…``; ``tests/test_install.py`` checks them).
NEWS = "@jupyterlab/apputils-extension:notification"
TRANSLATION = "@jupyterlab/translation-extension:plugin"
MIN_PYTHON = (3, 11)


def is_root() -> bool:
    """Whether this process runs as root (JupyterLab then needs ``--allow-root``)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _writable(path: Path) -> bool:
    # the nearest existing folder decides (the settings folder may not exist yet)
    for p in (path, *path.parents):
        if p.exists():
            return os.access(p, os.W_OK | os.X_OK)
    return False


def register_kernel(lang: str = "en") -> Path:
    """Register the ``clientlib`` kernel for this Python; return the kernel spec's folder.

    In this environment (``sys.prefix``, what ``--sys-prefix`` does) when it is writable: a
    virtual environment, or a system Python run as root. Otherwise for the user (``--user``).
    A kernel of the same name registered earlier there is replaced.
    """
    try:
        from ipykernel.kernelspec import install
    except ImportError:  # pragma: no cover - ipykernel is a core dependency
        raise ClientlibError(text("setup.no_ipykernel", lang)) from None
    prefix = sys.prefix if _writable(Path(sys.prefix)) else None
    dest = install(
        kernel_name=KERNEL_NAME, display_name=DISPLAY_NAME, prefix=prefix, user=prefix is None
    )
    return Path(dest)


def settings_dir() -> Path:
    """JupyterLab's application settings folder of this environment (where overrides live).

    ``$JUPYTERLAB_DIR/settings`` when that variable is set, else
    ``{sys.prefix}/share/jupyter/lab/settings``: the folder JupyterLab itself reads.
    """
    app_dir = os.environ.get("JUPYTERLAB_DIR") or str(Path(sys.prefix, "share", "jupyter", "lab"))
    return Path(app_dir) / "settings"


def settings_for(lang: str) -> dict[str, dict[str, Any]]:
    """The setting overrides for a language: no news pop-up, no update check, the interface
    language.

    Examples
    --------
    >>> settings_for("en")[NEWS]
    {'fetchNews': 'false', 'checkForUpdates': False}
    """
    check_lang(lang)
    return {
        NEWS: {"fetchNews": "false", "checkForUpdates": False},
        TRANSLATION: {"locale": LOCALES[lang]},
    }


def write_settings(lang: str) -> Path:
    """Merge :func:`settings_for` into ``overrides.json`` of :func:`settings_dir`; return it.

    Other settings already in the file are kept; the file is replaced atomically.
    """
    from clientlib.files import atomic_path

    path = settings_dir() / "overrides.json"
    current: dict[str, Any] = {}
    if path.is_file():
        try:
            current = json.loads(path.read_text(encoding="utf-8") or "{}")
        except (ValueError, UnicodeDecodeError):
            raise ClientlibError(text("setup.bad_overrides", lang, path=path)) from None
        if not isinstance(current, dict):
            raise ClientlibError(text("setup.bad_overrides", lang, path=path))
    for plugin, values in settings_for(lang).items():
        current.setdefault(plugin, {}).update(values)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def lessons_source(lang: str) -> Path:
    """The folder of the executed lessons in ``lang``.

    Inside the installed package (``clientlib/_lessons/<lang>``), else ``notebooks/<lang>`` of
    a source checkout.
    """
    check_lang(lang)
    packaged = resources.files("clientlib") / "_lessons" / lang
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[1] / "notebooks" / lang
    if checkout.is_dir():
        return checkout
    raise ClientlibError(text("setup.no_lessons", lang, lang=lang))


def default_lessons_dir(lang: str) -> Path:
    """Where ``clientlib lab`` puts the lessons: ``~/clientlib-lessons/<lang>``."""
    return Path.home() / "clientlib-lessons" / check_lang(lang)


def copy_lessons(lang: str, dest: Path | None = None) -> tuple[Path, int, int]:
    """Copy the lessons of ``lang`` into ``dest`` (default :func:`default_lessons_dir`).

    Returns the folder, the number of lessons copied and the number kept (already there,
    possibly with the participant's answers: never replaced).
    """
    folder = dest or default_lessons_dir(lang)
    source = lessons_source(lang)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        copied = kept = 0
        for nb in sorted(source.glob("*.ipynb")):
            target = folder / nb.name
            if target.exists():
                kept += 1
                continue
            shutil.copyfile(nb, target)
            copied += 1
    except OSError as exc:
        raise ClientlibError(
            text("setup.cannot_copy", lang, path=folder, why=exc.strerror or exc)
        ) from None
    return folder, copied, kept


def lab_command(folder: Path, *, browser: bool = True) -> list[str]:
    """The command that starts JupyterLab of this environment on ``folder``."""
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}"]
    if not browser:
        cmd.append("--no-browser")
    if is_root():
        cmd.append("--allow-root")
    return cmd


def installed(dist: str) -> str | None:
    """The installed version of a distribution, or ``None``."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


# --- the readiness check ------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One line of ``clientlib setup-check``: what was checked, in the user's language."""

    ok: bool
    what: str
    detail: str
    fix: str = ""

    def line(self, lang: str) -> str:
        """``✓ what: detail`` or ``✗ what: detail — fix``."""
        if self.ok:
            return text("setup.line_ok", lang, what=self.what, detail=self.detail)
        return text("setup.line_bad", lang, what=self.what, detail=self.detail, fix=self.fix)


def _check_python(lang: str) -> Check:
    v = sys.version_info
    version = f"{v.major}.{v.minor}.{v.micro}"
    return Check(
        (v.major, v.minor) >= MIN_PYTHON,
        text("setup.what_python", lang),
        version,
        text("setup.fix_python", lang),
    )


def _check_import(lang: str) -> Check:
    import clientlib

    # the libraries a lesson needs in its first cell
    for module in ("pandas", "ibis", "duckdb", "sklearn", "matplotlib", "ipywidgets"):
        __import__(module)
    return Check(True, text("setup.what_clientlib", lang), str(clientlib.__version__))


def _kernel_prefix(argv0: str) -> str:
    out = subprocess.run(
        [argv0, "-c", "import sys; print(sys.prefix)"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    return out.stdout.strip()


def _check_kernel(lang: str) -> Check:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    what = text("setup.what_kernel", lang, name=KERNEL_NAME)
    fix = text("setup.fix_kernel", lang)
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        return Check(False, what, text("setup.kernel_missing", lang), fix)
    argv0 = spec.argv[0] if spec.argv else ""
    # venvs link to one base interpreter, so the paths are compared by what they run in
    same = os.path.abspath(argv0) == os.path.abspath(sys.executable)
    if not same:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            same = os.path.samefile(_kernel_prefix(argv0) or os.devnull, sys.prefix)
    if not same:
        return Check(False, what, text("setup.kernel_other", lang, python=argv0), fix)
    return Check(True, what, text("setup.kernel_ok", lang, path=spec.resource_dir))


def _check_study(lang: str) -> Check:
    from clientlib.io import read_inputs
    from clientlib.messages import number
    from clientlib.pipeline import run_study

    inputs = read_inputs(dataset="workshop", dataset_options={"n_customers": 300, "seed": 0})
    study = run_study(inputs.transactions, frameworks=["lifecycle", "rfm_simple"], k=3, lang=lang)
    n = study.segments["customer_id"].nunique()
    ran = set(study.segments["framework"])
    return Check(
        n == len(study.facts) > 0 and ran == {"lifecycle", "rfm_simple", "kmeans"},
        text("setup.what_study", lang),
        text("setup.study_ok", lang, n=number(n, lang), frameworks=len(ran)),
    )


def _check_figure(lang: str) -> Check:
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.bar(["a", "b"], [1, 2])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    png = buf.getvalue()
    return Check(
        png.startswith(b"\x89PNG") and len(png) > 500,
        text("setup.what_figure", lang),
        text("setup.figure_ok", lang, kb=max(1, len(png) // 1024)),
    )


def _check_lab(lang: str) -> Check:
    version = installed("jupyterlab")
    what = text("setup.what_lab", lang)
    if version is None:
        return Check(False, what, text("setup.missing", lang), text("setup.fix_lesson", lang))
    return Check(True, what, version)


def _check_language_pack(lang: str) -> Check:
    dist = LANGUAGE_PACK[lang]
    version = installed(dist)
    what = text("setup.what_pack", lang)
    if version is None:
        return Check(False, what, text("setup.missing", lang), text("setup.fix_lesson", lang))
    return Check(True, what, f"{dist} {version}")


def _check_lessons(lang: str) -> Check:
    what = text("setup.what_lessons", lang)
    try:
        n = len(list(lessons_source(lang).glob("*.ipynb")))
    except ClientlibError:
        n = 0
    return Check(
        n > 0,
        what,
        text("setup.lessons_ok", lang, n=n) if n else text("setup.missing", lang),
        text("setup.fix_lesson", lang),
    )


def setup_checks(lang: str = "en") -> Iterator[Check]:
    """Run each readiness check in turn and yield its result (a failure never stops the rest).

    Python version, clientlib and its libraries import, the kernel registered for this Python,
    a tiny study (300 customers, two classifications, k-means), a figure rendered to PNG,
    JupyterLab, the language pack (``lang="ru"``) and the lessons.
    """
    check_lang(lang)
    checks: list[tuple[str, Callable[[str], Check]]] = [
        ("setup.what_python", _check_python),
        ("setup.what_clientlib", _check_import),
        ("setup.what_kernel", _check_kernel),
        ("setup.what_study", _check_study),
        ("setup.what_figure", _check_figure),
        ("setup.what_lab", _check_lab),
    ]
    if lang in LANGUAGE_PACK:
        checks.append(("setup.what_pack", _check_language_pack))
    checks.append(("setup.what_lessons", _check_lessons))
    for key, run in checks:
        try:
            yield run(lang)
        except Exception as exc:  # noqa: BLE001 - a broken install shows as one ✗ line
            first = (str(exc).splitlines() or [""])[0][:160]
            yield Check(
                False,
                text(key, lang, name=KERNEL_NAME),
                f"{type(exc).__name__}: {first}",
                text("setup.fix_lesson", lang),
            )
