"""Workshop exercises: self-checks for the teaching lessons.

Every exercise has a name, a prompt and a hint in English and Russian. :func:`check` compares a
participant's answer with the expected one, which is **computed** from the data handed in as
context (``facts=...``, ``snaps=...``) by the package itself, so the check stays right when the
dataset, the seed or a default changes. Nothing is hard-coded.

The exercises live in one module per lesson (``l01_quickstart``, ``l02_lifecycle``…), each with a
list ``EXERCISES``; this package finds the modules named ``lNN_*`` by itself, so a new lesson adds
its module without touching this file.

:func:`check` prints one of these messages (in the lesson's language, from the catalog
``clientlib/messages/exercises.yaml``) and never raises on a wrong answer:

* ``not answered yet`` (the answer is ``None``: the placeholder of the committed notebooks) and
  the hint;
* what is wrong (wrong type, too high, too low, a percentage where a share was asked…) and the
  hint;
* a success message; for an open question (``kind="open"``), the points to check the answer
  against (the rubric lives in ``solutions/``).

Wherever a class is asked, its id and its label in either language are accepted (``"champions"``,
``"Champions"``, ``"Чемпионы"``).

Examples
--------
>>> import pandas as pd
>>> from clientlib import exercises
>>> facts = pd.DataFrame({"customer_id": ["a", "b", "c"], "orders": [0, 2, 1]})
>>> exercises.check("quickstart_buyers", None, facts=facts)  # doctest: +ELLIPSIS
… quickstart_buyers: not answered yet.
   Hint: ...
>>> exercises.check("quickstart_buyers", 2, facts=facts)
✓ quickstart_buyers: correct (2).
>>> exercises.evaluate("quickstart_buyers", 3, facts=facts).status
'wrong'
"""

from __future__ import annotations

import importlib
import math
import numbers
import pkgutil
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from clientlib import messages

__all__ = [
    "EXERCISES",
    "KINDS",
    "Exercise",
    "Feedback",
    "check",
    "class_choices",
    "evaluate",
    "expected",
    "exercises_for",
    "framework_choices",
    "framework_title",
]

#: What an answer can be.
KINDS = ("count", "share", "number", "label", "month", "open")


@dataclass(frozen=True)
class Exercise:
    """One workshop exercise.

    Attributes
    ----------
    name : str
        Stable id used in :func:`check`.
    notebook : str
        Lesson the exercise belongs to (file stem, e.g. ``"02_lifecycle"``).
    prompt : dict
        The question per language (``en``, ``ru``); the lesson's Markdown asks it in its own words.
    kind : {"count", "share", "number", "label", "month", "open"}
        A whole number of customers, a share 0..1, any number, a class / framework id, a calendar
        month, or an open question answered in a few sentences.
    needs : tuple of str
        Context keywords the solver needs (``facts``, ``snaps``, ``buyers``…).
    solve : callable
        ``solve(**context)`` -> expected answer (a set for labels and months: ties all count).
        For ``open`` questions it returns nothing and may be ``None``.
    hint : dict
        Hint per language.
    tolerance : float
        Absolute tolerance for ``share`` and ``number`` answers.
    choices : callable, optional
        For ``label`` answers: ``choices() -> {id: {accepted spellings}}`` (see
        :func:`class_choices`); an answer is matched to an id through it.
    points : dict, optional
        For ``open`` questions: the points to check an answer against, per language.
    min_words : int
        For ``open`` questions: the shortest answer taken as an attempt.
    """

    name: str
    notebook: str
    prompt: dict[str, str]
    kind: str
    needs: tuple[str, ...]
    solve: Callable[..., Any] | None
    hint: dict[str, str] = field(default_factory=dict)
    tolerance: float = 0.0
    choices: Callable[[], dict[str, set[str]]] | None = None
    points: dict[str, list[str]] = field(default_factory=dict)
    min_words: int = 15


def _norm(text: str) -> str:
    """Spelling-insensitive form: case, ё/е, underscores, dashes and extra spaces ignored."""
    text = str(text).strip().casefold().replace("ё", "е")
    return re.sub(r"[\s_\-–—]+", " ", text).strip(" .'\"«»")


@cache
def class_choices(framework: str) -> Callable[[], dict[str, set[str]]]:
    """Accepted spellings of each class of a built-in framework: its id and both labels.

    Examples
    --------
    >>> sorted(class_choices("rfm")()["champions"])
    ['champions', 'чемпион']
    """

    @cache
    def choices() -> dict[str, set[str]]:
        from clientlib import frameworks

        fw = frameworks.load(framework)
        out: dict[str, set[str]] = {}
        for lang in messages.LANGS:
            for row in fw.describe(lang):
                out.setdefault(str(row["id"]), {_norm(row["id"])}).add(_norm(row["label"]))
        return out

    return choices


def framework_title(name: str, lang: str) -> str:
    """A built-in framework's title in ``lang`` (rulebooks keep a dict, frameworks a method).

    Examples
    --------
    >>> framework_title("ladder", "ru")
    'Лестница лояльности'
    """
    from clientlib import frameworks

    title = getattr(frameworks.load(name), "title", None)
    if callable(title):
        return str(title(lang))
    if isinstance(title, Mapping):
        return str(title.get(lang) or title.get("en") or name)
    return name


@cache
def _framework_choices() -> dict[str, set[str]]:
    from clientlib import frameworks

    return {
        name: {_norm(name)} | {_norm(framework_title(name, lang)) for lang in messages.LANGS}
        for name in frameworks.builtin_names()
    }


def framework_choices() -> dict[str, set[str]]:
    """Accepted spellings of each built-in framework: its id and its title in each language.

    Examples
    --------
    >>> "lifecycle" in framework_choices()["lifecycle"]
    True
    """
    return _framework_choices()


def _discover() -> list[Exercise]:
    out: list[Exercise] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if re.fullmatch(r"l\d\d_\w+", info.name):
            module = importlib.import_module(f"{__name__}.{info.name}")
            out.extend(module.EXERCISES)
    return out


_ALL = _discover()

#: All exercises by name, in lesson order.
EXERCISES: dict[str, Exercise] = {e.name: e for e in _ALL}
if len(EXERCISES) != len(_ALL):  # pragma: no cover - a programming error in a lesson module
    raise RuntimeError("two exercises share a name")


def exercises_for(notebook: str) -> list[Exercise]:
    """Exercises of one lesson (file stem, e.g. ``"06_rfm"``), in order.

    Examples
    --------
    >>> [e.name for e in exercises_for("01_quickstart")][:2]
    ['quickstart_buyers', 'quickstart_fans']
    """
    return [e for e in _ALL if e.notebook == notebook]


# ---------------------------------------------------------------------------------------------
# checking
# ---------------------------------------------------------------------------------------------


@dataclass
class Feedback:
    """Outcome of :func:`evaluate`.

    Attributes
    ----------
    name : str
    status : {"correct", "wrong", "unanswered", "noted"}
        ``noted`` is an open answer long enough to discuss.
    message : str
        What :func:`check` prints (with the hint when the answer is not correct).
    expected : Any
        The expected answer computed from the context (``None`` when not answered: the solver
        is not run then). Shown to nobody by :func:`check`; for trainers and tests.
    """

    name: str
    status: str
    message: str
    expected: Any = None

    @property
    def ok(self) -> bool:
        """True when the answer is correct (or, for an open question, long enough)."""
        return self.status in ("correct", "noted")


def _t(key: str, lang: str, **fields: Any) -> str:
    return messages.text(f"exercises.{key}", lang, **fields)


def _what(x: Any, lang: str) -> str:
    if isinstance(x, (pd.Series, pd.DataFrame, np.ndarray, list, tuple, set)):
        return _t("series", lang, kind=type(x).__name__, n=len(x))
    return f"{type(x).__name__} {x!r}"


def _scalar(x: Any) -> Any:
    """Unwrap one-element containers and numpy scalars."""
    if isinstance(x, (pd.Series, pd.DataFrame)) and x.size == 1:
        return _scalar(x.to_numpy().ravel()[0])
    if isinstance(x, np.ndarray) and x.size == 1:
        return _scalar(x.ravel()[0])
    if isinstance(x, np.generic):
        return x.item()
    return x


def _as_number(a: Any) -> Any:
    """A number typed as text ('0,78', '1 234') becomes a number; anything else stays."""
    if isinstance(a, str):
        text = a.strip().replace("\u00a0", "").replace(" ", "")
        if re.fullmatch(r"-?\d+([.,]\d+)?", text):
            return float(text.replace(",", "."))
    return a


def _fmt(x: Any, kind: str, lang: str) -> str:
    if kind == "count":
        return messages.number(x, lang, 0)
    if isinstance(x, float):
        digits = 0 if x == round(x) and abs(x) >= 1 else 3 if abs(x) < 10 else 1
        return messages.number(x, lang, digits)
    return str(x)


def _judge_number(ex: Exercise, answer: Any, want: Any, lang: str) -> str | None:
    a = _as_number(_scalar(answer))
    if isinstance(a, bool) or not isinstance(a, numbers.Real):
        return _t("not_number", lang, what=_what(answer, lang))
    a = float(a)
    if math.isnan(a):
        return _t("not_number", lang, what="NaN")
    if ex.kind == "count" and a != round(a):
        return _t("not_whole", lang, answer=_fmt(a, "number", lang))
    targets = sorted(want) if isinstance(want, set) else [want]
    if ex.kind == "share" and not 0 <= a <= 1:
        if 1 < a <= 100 and any(abs(a / 100 - w) <= max(ex.tolerance, 1e-9) for w in targets):
            return _t("percent", lang, answer=_fmt(a, "number", lang))
        return _t("not_share", lang, answer=_fmt(a, "number", lang))
    if any(abs(a - w) <= ex.tolerance for w in targets):
        return None
    target = min(targets, key=lambda w: abs(a - w))
    shown = _fmt(a, ex.kind, lang)
    return _t("high" if a > target else "low", lang, answer=shown)


def _match(ex: Exercise, answer: str) -> str | None:
    """The id an answer names (through its choices), or the answer itself normalised."""
    norm = _norm(answer)
    if ex.choices is None:
        return norm
    for cid, spellings in ex.choices().items():
        if norm in spellings:
            return cid
    return None


def _judge_label(ex: Exercise, answer: Any, want: set[str], lang: str) -> str | None:
    a = _scalar(answer)
    if not isinstance(a, str):
        return _t("not_label", lang, what=_what(answer, lang))
    cid = _match(ex, a)
    if cid is None:
        choices = ", ".join(sorted(ex.choices())) if ex.choices else ""
        return _t("unknown_label", lang, answer=a.strip(), choices=choices)
    wanted = {_norm(w) for w in want} if ex.choices is None else {str(w) for w in want}
    return None if cid in wanted else _t("wrong_label", lang, answer=a.strip())


def _judge_month(answer: Any, want: set[pd.Period], lang: str) -> str | None:
    a = _scalar(answer)
    try:
        month = pd.Timestamp(str(a) if isinstance(a, pd.Period) else a).to_period("M")
    except (TypeError, ValueError):
        return _t("not_month", lang, what=_what(answer, lang))
    return None if month in want else _t("wrong_month", lang, answer=str(month))


def _get(name: str) -> Exercise:
    try:
        return EXERCISES[name]
    except KeyError:
        raise KeyError(f"unknown exercise {name!r}; known: {', '.join(EXERCISES)}") from None


def expected(name: str, **context: Any) -> Any:
    """The expected answer of exercise ``name``, computed from the context.

    Parameters
    ----------
    name : str
        An exercise name (see :data:`EXERCISES`).
    **context
        The data the exercise needs (:attr:`Exercise.needs`), e.g. ``facts=facts``.

    Returns
    -------
    Any
        A number, or a set of accepted ids / months (ties all count); ``None`` for an open
        question.

    Examples
    --------
    >>> import pandas as pd
    >>> expected("quickstart_buyers", facts=pd.DataFrame({"orders": [0, 1, 4]}))
    2
    """
    ex = _get(name)
    missing = [k for k in ex.needs if k not in context]
    if missing:
        raise TypeError(
            f"check({name!r}, ...) needs {', '.join(f'{k}=...' for k in missing)} as context"
        )
    if ex.solve is None:
        return None
    return ex.solve(**{k: context[k] for k in ex.needs})


def _open(ex: Exercise, answer: Any, lang: str) -> Feedback:
    words = len(str(answer).split()) if isinstance(answer, str) else 0
    hint = _t("hint", lang, hint=ex.hint.get(lang) or ex.hint["en"])
    if words < ex.min_words:
        why = _t("open_short", lang, n=ex.min_words)
        return Feedback(ex.name, "wrong", _t("wrong", lang, name=ex.name, why=why) + "\n" + hint)
    points = ex.points.get(lang) or ex.points.get("en", [])
    lines = [_t("open_noted", lang, name=ex.name, n=words)]
    lines += [_t("open_point", lang, point=p) for p in points]
    return Feedback(ex.name, "noted", "\n".join(lines))


def evaluate(name: str, answer: Any, *, lang: str = "en", **context: Any) -> Feedback:
    """Judge an answer without printing; see :func:`check`.

    Examples
    --------
    >>> import pandas as pd
    >>> fb = evaluate("quickstart_buyers", 5, facts=pd.DataFrame({"orders": [0, 1, 4]}))
    >>> fb.status, fb.expected
    ('wrong', 2)
    """
    ex = _get(name)
    lang = messages.check_lang(lang)
    hint = _t("hint", lang, hint=ex.hint.get(lang) or ex.hint["en"])
    if answer is None:
        return Feedback(name, "unanswered", _t("unanswered", lang, name=name) + "\n" + hint)
    want = expected(name, **context)
    if ex.kind == "open":
        return _open(ex, answer, lang)
    if ex.kind in ("count", "share", "number"):
        why = _judge_number(ex, answer, want, lang)
    elif ex.kind == "label":
        why = _judge_label(ex, answer, want, lang)
    elif ex.kind == "month":
        why = _judge_month(answer, want, lang)
    else:  # pragma: no cover - a programming error in a lesson module
        raise ValueError(f"unknown exercise kind {ex.kind!r}")
    if why is None:
        a = _scalar(answer)
        if ex.kind in ("count", "share", "number"):
            shown = _fmt(float(_as_number(a)), ex.kind, lang)
        elif ex.kind == "month":
            shown = str(pd.Timestamp(str(a) if isinstance(a, pd.Period) else a).to_period("M"))
        else:
            shown = str(a).strip()
        return Feedback(name, "correct", _t("correct", lang, name=name, answer=shown), want)
    return Feedback(name, "wrong", _t("wrong", lang, name=name, why=why) + "\n" + hint, want)


def check(name: str, answer: Any, *, lang: str = "en", **context: Any) -> None:
    """Check a workshop answer and print what is wrong (with a hint) or a success message.

    An unanswered exercise (``answer is None``) prints "not answered yet" and the hint, so a
    lesson with open exercises still runs top to bottom. A wrong answer never raises.

    Parameters
    ----------
    name : str
        Exercise name (see :data:`EXERCISES`).
    answer : Any
        The participant's answer; ``None`` means not answered yet.
    lang : {"en", "ru"}
        Language of the messages.
    **context
        The data the expected answer is computed from, e.g. ``facts=facts``.

    Examples
    --------
    >>> import pandas as pd
    >>> check("quickstart_buyers", 7, facts=pd.DataFrame({"orders": [0, 1, 4]}), lang="ru")
    ... # doctest: +ELLIPSIS
    ✗ quickstart_buyers: 7 — слишком много.
       Подсказка: ...
    """
    print(evaluate(name, answer, lang=lang, **context).message)
