"""The template notebook's parameters: where the template is, what it accepts, typed values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from clientlib.options import InputOptions
from clientlib.schema import ClientlibError

__all__ = [
    "INPUT_PARAMETERS",
    "PATH_PARAMETERS",
    "coerce",
    "input_options",
    "option_parameters",
    "parse_pairs",
    "template_parameters",
    "template_path",
]

#: Template parameters that are reader options (:class:`clientlib.options.InputOptions`).
INPUT_PARAMETERS: tuple[str, ...] = tuple(
    # the one model of reader options decides the names; the analysis date is its own parameter
    name for name in InputOptions.model_fields if name != "analysis_date"
)

#: Parameters that name files: made absolute before the kernel (which may run elsewhere) sees them.
PATH_PARAMETERS = ("input", "events", "customers")


def template_path() -> Path:
    """The report template shipped inside the package (``clientlib/templates/report.ipynb``).

    Examples
    --------
    >>> template_path().name
    'report.ipynb'
    """
    return Path(__file__).resolve().parent.parent / "templates" / "report.ipynb"


def template_parameters(template: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """Name -> ``{inferred_type_name, default, help}`` from the template's ``parameters`` cell.

    Examples
    --------
    >>> template_parameters()["lang"]["inferred_type_name"]
    'str'
    """
    from papermill import inspect_notebook

    return {name: dict(p) for name, p in inspect_notebook(str(template or template_path())).items()}


def parse_pairs(items: Iterable[str] | None) -> dict[str, str]:
    """``["lang=ru", "k=4"]`` -> ``{"lang": "ru", "k": "4"}`` (values stay strings).

    Examples
    --------
    >>> parse_pairs(["lang=ru", "column_map=customer_id=Client,amount=Total"])
    {'lang': 'ru', 'column_map': 'customer_id=Client,amount=Total'}
    """
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = str(item).partition("=")
        if not sep or not key.strip():
            raise ClientlibError(
                f"cannot read parameter {item!r}: write KEY=VALUE, e.g. -p lang=ru"
            )
        out[key.strip()] = value.strip()
    return out


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return yaml.safe_dump(value, default_flow_style=True, sort_keys=True).strip()
    return str(value)


def _as_int(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise ClientlibError(f"parameter {name} must be a whole number, not {value!r}")
    try:
        return int(str(value).strip())
    except ValueError:
        raise ClientlibError(f"parameter {name} must be a whole number, not {value!r}") from None


def coerce(
    values: Mapping[str, Any], spec: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    """Check parameter names against the template and give each value the template's type.

    ``str`` parameters take dates as ISO text, lists as comma-separated text and mappings as
    YAML; ``int`` parameters take whole numbers (also as text); ``Union[int, str]`` takes a
    number when the text is one. Unknown names are refused with the list of known ones.

    Examples
    --------
    >>> coerce({"k": "4", "analysis_date": dt.date(2024, 6, 30), "n_customers": "300"})
    {'k': 4, 'analysis_date': '2024-06-30', 'n_customers': 300}
    """
    spec = spec if spec is not None else template_parameters()
    unknown = sorted(set(values) - set(spec))
    if unknown:
        raise ClientlibError(
            f"unknown report parameter{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
            f"the template takes: {', '.join(spec)}"
        )
    out: dict[str, Any] = {}
    for name, value in values.items():
        kind = str(spec[name].get("inferred_type_name", "str")).replace(" ", "")
        if isinstance(value, list | tuple | set | dict) and kind != "str":
            raise ClientlibError(f"parameter {name} takes one value, not {value!r}")
        if kind == "int":
            out[name] = _as_int(name, value)
        elif kind.startswith("Union[") and "int" in kind:
            text = _as_text(value).strip()
            out[name] = int(text) if text.lstrip("-").isdigit() else text
        else:
            out[name] = _as_text(value)
    if out.get("backtest_cutoff"):  # refused before anything renders, as the CLI's --cutoff
        from clientlib.backtest import as_date

        as_date(out["backtest_cutoff"], "backtest_cutoff")
    return out


def option_parameters(options: Any) -> dict[str, str]:
    """The template parameters for the reader options that differ from the defaults.

    Examples
    --------
    >>> from clientlib.options import InputOptions
    >>> option_parameters(InputOptions(duplicates="drop", dayfirst=True))
    {'duplicates': 'drop', 'dayfirst': 'true'}
    """
    if options is None:
        return {}
    default = InputOptions()
    out: dict[str, str] = {}
    for name in INPUT_PARAMETERS:
        value = getattr(options, name)
        if value != getattr(default, name):
            out[name] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    if options.analysis_date is not None:
        out["analysis_date"] = options.analysis_date.isoformat()
    return out


def input_options(**values: Any):
    """The template's reader-option parameters (text; empty = default) as ``InputOptions``.

    Errors name the parameter (:class:`clientlib.errors.OptionError`).

    Examples
    --------
    >>> input_options(returns="drop", dayfirst="", decimal=",", analysis_date="").decimal
    ','
    """
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if name == "dayfirst" and isinstance(value, str):
            word = value.strip().lower()
            if word in {"true", "yes", "dayfirst", "1"}:
                value = True
            elif word in {"false", "no", "monthfirst", "0"}:
                value = False
            else:
                raise ClientlibError(
                    f"parameter dayfirst must be true (day first), false (month first) or empty, "
                    f"not {value!r}"
                )
        clean[name] = value
    return InputOptions.parse(clean)
