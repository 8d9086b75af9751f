"""Writing outputs safely: atomic replacement, paths that stay inside their folder, inputs
never overwritten.

A scheduled job may be killed at any moment and two jobs may share a folder, so every output is
written to a temporary file beside its destination, flushed to disk (``fsync``) and moved into
place with ``os.replace``: readers see the old file or the new one, never half of one. Output
files get mode ``0644`` (readable by all, like any shared file).
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from clientlib.errors import OutputError

__all__ = [
    "FILE_MODE",
    "atomic_path",
    "check_output",
    "excel_restore",
    "excel_safe",
    "inside",
    "readable",
    "safe_name",
    "write_csv",
    "write_table",
]

#: The mode of every output file.
FILE_MODE = 0o644


def check_output(
    out: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]] = ()
) -> Path:
    """Refuse an output path that is one of the inputs, a folder, or under a file / read-only
    folder; return it as a Path. Nothing is written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()); src = d / "in.csv"; _ = src.write_text("x")
    >>> check_output(d / "." / "in.csv", [src])
    Traceback (most recent call last):
    ...
    clientlib.errors.OutputError: output ... is the input ...; choose another output file
    """
    out = Path(out)
    target = out.resolve()
    for src in inputs:
        if src is None:
            continue
        src = Path(src)
        same = target == src.resolve()
        if not same and out.exists() and src.exists():
            with contextlib.suppress(OSError):
                same = os.path.samefile(out, src)
        if not same and src.is_dir() and src.resolve() in target.parents:
            same = True
        if same:
            raise OutputError(
                f"output {out} is the input {src} (or inside it); choose another output file"
            )
    if out.is_dir():
        raise OutputError(f"{out} is a folder; give a file name for the output")
    parent = target.parent
    for p in (parent, *parent.parents):
        if p.exists():
            if not p.is_dir():
                raise OutputError(
                    f"cannot write {out}: {p} is a file, not a folder; choose another output path"
                )
            if p == parent and not os.access(p, os.W_OK | os.X_OK):
                raise OutputError(
                    f"cannot write {out}: the folder {p} is read-only; choose another folder"
                )
            if p != parent and not os.access(p, os.W_OK | os.X_OK):
                raise OutputError(f"cannot write {out}: cannot create folders in read-only {p}")
            break
    return out


@contextlib.contextmanager
def atomic_path(
    out: str | os.PathLike[str],
    suffix: str | None = None,
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> Iterator[Path]:
    """Yield a temporary path beside ``out``; on success flush it, move it onto ``out`` (mode
    0644), else remove it. ``inputs`` are paths the output must not replace.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "a.txt") as tmp:
    ...     _ = tmp.write_text("hello")
    >>> (d / "a.txt").read_text(), oct((d / "a.txt").stat().st_mode & 0o777)
    ('hello', '0o644')
    """
    out = check_output(out, inputs)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(
            prefix=f".{out.name}.", suffix=suffix or out.suffix + ".part", dir=out.parent
        )
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from None
    os.close(fd)
    tmp = Path(name)
    readable(tmp)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()


def readable(path: str | os.PathLike[str]) -> None:
    """Give a file made by ``tempfile.mkstemp`` the output mode ``0644``.

    ``mkstemp`` creates files readable by their owner only; outputs are meant to be served and
    shared like any other file.
    """
    os.chmod(path, FILE_MODE)


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(df):
    """A copy of ``df`` whose text cells cannot run as spreadsheet formulas: a cell starting
    with ``=``, ``+``, ``-``, ``@``, a tab or ``\\r`` gets a leading apostrophe (OWASP CSV
    injection). Numbers are untouched.

    Examples
    --------
    >>> import pandas as pd
    >>> excel_safe(pd.DataFrame({"id": ["=1+2", "a"], "n": [-1, 2]}))["id"].tolist()
    ["'=1+2", 'a']
    """
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_string_dtype(s) or pd.api.types.is_object_dtype(s):
            text = s.astype("string")
            risky = text.str.startswith(_FORMULA).fillna(False) & s.map(
                lambda v: isinstance(v, str)
            ).astype(bool)
            if risky.any():
                out[col] = s.where(~risky, "'" + text)
    return out


def excel_restore(df):
    """The inverse of :func:`excel_safe`: a text cell written as ``'=1+2`` reads back as
    ``=1+2``. Only for files written with ``excel=True`` (they start with a UTF-8 BOM): a
    plain output keeps its apostrophes.

    Examples
    --------
    >>> import pandas as pd
    >>> excel_restore(pd.DataFrame({"id": ["'=1+2", "'a", "b"]}))["id"].tolist()
    ['=1+2', "'a", 'b']
    """
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_string_dtype(s) or pd.api.types.is_object_dtype(s):
            text = s.astype("string")
            escaped = text.str.startswith("'").fillna(False) & text.str[1:].str.startswith(
                _FORMULA
            ).fillna(False)
            if escaped.any():
                out[col] = s.where(~escaped, text.str[1:])
    return out


def write_csv(
    df,
    out: str | os.PathLike[str],
    *,
    excel: bool = False,
    inputs: Iterable[str | os.PathLike[str]] = (),
    lang: str = "en",
) -> Path:
    """Write a DataFrame as CSV atomically (same bytes for the same frame).

    UTF-8 without BOM by default; ``excel=True`` writes UTF-8 with a BOM (Excel then shows
    Cyrillic right), neutralises formula-like cells (:func:`excel_safe`) and uses the separator
    and decimal mark of ``lang``'s Excel (:data:`EXCEL_CSV`: ``;`` and ``,`` for ru, so the file
    opens in columns there). Text holding a carriage return is quoted, so every file reads back
    to the rows written.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ids.csv"
    >>> _ = write_csv(pd.DataFrame({"customer_id": ["007", 'a"b,\\r\\nc']}), p)
    >>> pd.read_csv(p, dtype=str)["customer_id"].tolist()
    ['007', 'a"b,\\r\\nc']
    """
    sep, decimal = EXCEL_CSV.get(lang, EXCEL_CSV["en"]) if excel else (",", ".")
    if excel:
        df = excel_safe(df)
    # csv quotes a field holding the separator, a quote or a character of the line ending;
    # with "\n" endings a lone "\r" would go out bare and split the row when read back.
    has_cr = any(
        df[c].astype("string").str.contains("\r", regex=False).fillna(False).any()
        for c in df.columns
        if df[c].dtype == object or str(df[c].dtype).startswith(("string", "str"))
    )
    with atomic_path(out, inputs=inputs) as tmp:
        df.to_csv(
            tmp,
            index=False,
            lineterminator="\n",
            encoding="utf-8-sig" if excel else "utf-8",
            quoting=csv.QUOTE_NONNUMERIC if has_cr else csv.QUOTE_MINIMAL,
            sep=sep,
            decimal=decimal,
        )
    return Path(out)


#: The list separator and decimal mark Excel expects in a CSV, by the user's language.
EXCEL_CSV: dict[str, tuple[str, str]] = {"en": (",", "."), "ru": (";", ",")}


def write_table(
    df,
    out: str | os.PathLike[str],
    *,
    excel: bool = False,
    inputs: Iterable[str | os.PathLike[str]] = (),
    lang: str = "en",
    sheet: str = "data",
) -> Path:
    """Write a table a person opens: an Excel workbook when ``out`` ends in ``.xlsx``
    (:func:`clientlib.spreadsheet.write_xlsx`: date cells, number formats, frozen header), else
    CSV (:func:`write_csv`, ``excel`` and ``lang`` as there). Atomic either way.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = write_table(pd.DataFrame({"x": [1.5]}), p, excel=True, lang="ru")
    >>> p.read_bytes()
    b'\\xef\\xbb\\xbfx\\n1,5\\n'
    """
    if Path(out).suffix.lower() == ".xlsx":
        from clientlib.spreadsheet import write_xlsx

        return write_xlsx(df, out, sheet=sheet, inputs=inputs, lang=lang)
    return write_csv(df, out, excel=excel, inputs=inputs, lang=lang)


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    """A file-name-safe version of a user-given name (no separators, no leading dots).

    Examples
    --------
    >>> safe_name("../../etc/passwd")
    'etc_passwd'
    """
    cleaned = _SAFE.sub("_", str(name)).strip("._")
    if not cleaned:
        raise OutputError(f"{name!r} cannot be used as a file name")
    return cleaned


def inside(base: str | os.PathLike[str], *parts: str) -> Path:
    """Join ``parts`` under ``base`` and refuse any result that escapes ``base``."""
    root = Path(base).resolve()
    target = root.joinpath(*parts).resolve()
    if target != root and root not in target.parents:
        raise OutputError(
            f"{'/'.join(parts)!r} would write outside the output folder {root}; use a plain name"
        )
    return target
