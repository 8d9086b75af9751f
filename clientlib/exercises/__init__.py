"""Workshop exercises: self-checks for the teaching lessons, their answer key and the answers
collected for the trainer.

Every exercise is defined once, in the module of its lesson (``l01_quickstart``, ``l02_lifecycle``…,
each with a list ``EXERCISES``; this package finds the modules named ``lNN_*`` by itself, so a new
lesson adds its module without touching this file). The definition holds everything about it:

* the question (``prompt``) and a hint in words (``hint``: where in the lesson the answer can be
  read without code, the *no-code route*) per language, and the lesson cell that holds it
  (``route``: a table, a widget or a printed line);
* the answer: ``solve`` computes the expected one from the data the lesson ran on, so the check
  stays right when the dataset, the seed or a default changes (nothing is hard-coded), and
  ``code`` is the code an analyst would write (the second hint, and the trainer's solution);
* for an open question, the points to score it by (``points``, the rubric) and a model answer
  (``model``), per language;
* the typical wrong answers (``mistakes``), each computed from the data and explained.

``solutions/`` (the answer key, ``README.md`` and ``README.ru.md``, and one script per lesson) is
generated from these definitions by ``solutions/build.py``.

:func:`check` prints one of these messages (in the lesson's language, from the catalog
``clientlib/messages/exercises.yaml``) and never raises on a wrong answer:

* ``not answered yet`` (the answer is ``None``: the placeholder of the committed notebooks) and
  the hint;
* what is wrong (not a number, too high, too low, a percentage where a share was asked, a typical
  mistake…) and the hint;
* a success message; for an open question, the points to check the answer against.

Wherever a class is asked, its id and its label in either language are accepted, also in the plural
and in a few case forms (``"champions"``, ``"Чемпионы"``, ``"постоянные покупатели"``); a month is
accepted as ``"2023-10"``, ``"10.2023"``, ``"октябрь 2023"``, ``"окт 2023"`` or ``"Oct 2023"``.

When the trainer names a folder (``CLIENTLIB_ANSWERS`` or :func:`collect`), :func:`check` also
appends each attempt to ``<participant>.jsonl`` there; without a folder nothing is stored. See
:mod:`clientlib.workshop` for the trainer's summary.

Examples
--------
>>> import pandas as pd
>>> from clientlib import exercises
>>> facts = pd.DataFrame({"customer_id": ["a", "b", "c"], "orders": [0, 2, 1]})
>>> exercises.check("quickstart_buyers", None, facts=facts)  # doctest: +ELLIPSIS
… Exercise 1: not answered yet.
   Hint: ...
>>> exercises.check("quickstart_buyers", 2, facts=facts)
✓ Exercise 1: correct (2).
>>> exercises.evaluate("quickstart_buyers", 3, facts=facts).status
'wrong'
"""

from __future__ import annotations

import datetime as dt
import getpass
import importlib
import itertools
import json
import math
import numbers
import os
import pkgutil
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clientlib import messages
from clientlib.errors import ClientlibError

__all__ = [
    "ANSWERS_ENV",
    "EXERCISES",
    "KINDS",
    "PARTICIPANT_ENV",
    "Choices",
    "Exercise",
    "Feedback",
    "Mistake",
    "check",
    "class_choices",
    "collect",
    "evaluate",
    "expected",
    "exercises_for",
    "framework_choices",
    "framework_title",
    "number_of",
    "hint_text",
    "parse_month",
    "record",
    "sweep",
]

#: What an answer can be.
KINDS = ("count", "share", "number", "label", "month", "open")

#: Environment variables naming the trainer's answers folder and the participant.
ANSWERS_ENV = "CLIENTLIB_ANSWERS"
PARTICIPANT_ENV = "CLIENTLIB_PARTICIPANT"


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer of one exercise, computed from the data.

    Attributes
    ----------
    kind : str
        The explanation: message ``exercises.mistake_<kind>`` of the catalog (e.g. ``default``:
        the count at the default parameter; ``share_for_count``; ``other_framework``).
    solve : callable
        ``solve(**context)`` -> the value (or set of values) this mistake gives, with the same
        context as the exercise. For ``other_framework`` it is not used (may be ``None``): the
        classes of every other built-in framework are looked up.
    """

    kind: str
    solve: Callable[..., Any] | None = None


@dataclass(frozen=True)
class Exercise:
    """One workshop exercise, with its answer key (see the module docstring).

    Attributes
    ----------
    name : str
        Stable id used in :func:`check` (shown to trainers, never to participants).
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
        Hint in words per language: where the answer is read in the lesson without code.
    tolerance : float
        Absolute tolerance for ``share`` and ``number`` answers.
    choices : Choices, optional
        For ``label`` answers: the accepted spellings of each id (see :func:`class_choices`).
    points : dict, optional
        For ``open`` questions: the points to check an answer against (the rubric), per language.
    min_words : int
        For ``open`` questions: the shortest answer taken as an attempt.
    code : str
        Python lines that set ``answer`` from the lesson's variables: the analyst's route, the
        second hint and the trainer's solution (``solutions/`` runs them).
    route : str
        A piece of code of the lesson cell (table, widget or printed line) that shows the answer
        without code; a test finds it in ``notebooks/src/<notebook>.py`` above the check.
    route_kind : {"table", "widget", "printed", ""}
        What that cell shows; empty for open questions.
    model : dict, optional
        For ``open`` questions: a model answer per language.
    mistakes : tuple of Mistake
        Typical wrong answers, diagnosed in the feedback.
    """

    name: str
    notebook: str
    prompt: dict[str, str]
    kind: str
    needs: tuple[str, ...]
    solve: Callable[..., Any] | None
    hint: dict[str, str] = field(default_factory=dict)
    tolerance: float = 0.0
    choices: Choices | None = None
    points: dict[str, list[str]] = field(default_factory=dict)
    min_words: int = 15
    code: str = ""
    route: str = ""
    route_kind: str = ""
    model: dict[str, str] = field(default_factory=dict)
    mistakes: tuple[Mistake, ...] = ()

    @property
    def number(self) -> int:
        """The exercise's number in its lesson (1, 2…), as the lesson's headings say."""
        return [e.name for e in exercises_for(self.notebook)].index(self.name) + 1

    @property
    def lesson(self) -> str:
        """The lesson's number (``"02"``)."""
        return self.notebook[:2]


# ---------------------------------------------------------------------------------------------
# spellings: ids, labels, plural and case forms
# ---------------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    """Spelling-insensitive form: case, ё/е, underscores, dashes and extra spaces ignored."""
    text = str(text).strip().casefold().replace("ё", "е")
    return re.sub(r"[\s_\-–—]+", " ", text).strip(" .!'\"«»“”")


_HUSH = set("гкхжшщч")
_CONS = set("бвгджзклмнпрстфхцчшщ")


def _word_forms(word: str) -> set[str]:
    """The plural and a few case forms of one word of a label (Russian or English).

    Small on purpose: the forms are generated from the labels, never stripped from the answer,
    so a word that is not a form of a label is not accepted. Not a stemmer.
    """
    w = word
    out = {w}
    if re.fullmatch(r"[a-z']{3,}", w):  # English: plural and singular
        out |= {w + "s", w + "es"}
        if w.endswith("s"):
            out.add(w[:-1])
        return out
    if len(w) < 3 or not re.fullmatch(r"[а-я]+", w):
        return out

    def add(stem: str, *endings: str) -> None:
        out.update(stem + e for e in endings)

    if w.endswith(("ый", "ой")):
        add(w[:-2], "ые", "ых", "ого", "ому", "ым", "ыми", "ом")
        if w[-3] in _HUSH:
            add(w[:-2], "ие", "их", "им", "ими")
    elif w.endswith("ий"):
        add(w[:-2], "ие", "их", "его", "ого", "им", "ими", "ем", "ом")
    elif w.endswith(("ая", "яя")):
        add(w[:-2], "ые", "ых", "ой", "ую", "ие", "их", "ей", "юю")
    elif w.endswith(("ое", "ее")):
        add(w[:-2], "ые", "ых", "ого", "ие", "их", "его")
    elif w.endswith(("ые", "ие")):
        add(w[:-2], "ый", "ий", "ой", "ых", "их", "ым", "им", "ыми", "ими")
    elif w.endswith("ь"):
        add(w[:-1], "и", "я", "ей", "ю", "ем", "ям", "ями", "ях")
    elif w.endswith("ец"):
        add(w[:-2], "цы", "ца", "цев", "цу", "цем", "цам", "цами")
    elif w.endswith("ок") and len(w) > 4:
        add(w[:-2], "ки", "ка", "ков", "ку", "ком", "кам", "ками")
    elif w.endswith("й"):
        add(w[:-1], "и", "я", "ев", "ю", "ем", "ям", "ями")
    elif w[-1] in _CONS:
        add(w, "и" if w[-1] in _HUSH else "ы", "а", "у", "ом", "ам", "ами", "ах",
            "ей" if w[-1] in "жшщч" else "ов")  # fmt: skip
    elif w.endswith("а"):
        add(w[:-1], "и" if w[-2] in _HUSH else "ы", "у", "ой", "е")
    elif w.endswith("я"):
        add(w[:-1], "и", "ю", "ей", "е")
    elif w.endswith(("ы", "и")) and w[-2] in _CONS:  # a plural noun: its singular and genitive
        add(w[:-1], "", "ов", "ей", "а", "я")
    return out


def _label_forms(label: str, cap: int = 5000) -> set[str]:
    """Every accepted form of a label: its words in their forms, with and without a gloss in
    brackets ("Client (in talks)" is also "client", "clients").
    """
    out: set[str] = set()
    for text in {label, re.sub(r"\s*\([^)]*\)", "", label)}:
        words = _norm(text).split()
        if not words:
            continue
        forms = [sorted(_word_forms(w)) for w in words]
        if math.prod(len(f) for f in forms) > cap:  # a long label: its own spelling only
            out.add(" ".join(words))
            continue
        out |= {" ".join(p) for p in itertools.product(*forms)}
    return out


class Choices:
    """The answers a ``label`` exercise understands: ids, their labels in each language, and the
    labels' plural and case forms.

    Calling it gives ``{id: {accepted spellings}}``; :meth:`labels` gives the labels to list to a
    participant in their language; :meth:`match` finds the id an answer names.

    Parameters
    ----------
    labels : callable
        ``labels(lang) -> {id: label}``, in the order to list them.
    among : str
        Catalog key (``exercises.among_<among>``) naming what the choices are («ступеней
        лестницы»); it receives ``{title}``.
    title : callable, optional
        ``title(lang)``: the framework's title for ``among``.
    """

    def __init__(
        self,
        labels: Callable[[str], dict[str, str]],
        among: str = "classes",
        title: Callable[[str], str] | None = None,
    ) -> None:
        self._labels = labels
        self.among_key = among
        self._title = title

    def labels(self, lang: str) -> dict[str, str]:
        """``{id: label}`` in ``lang``, in the order to list them."""
        return self._labels(lang)

    def among(self, lang: str) -> str:
        """What the choices are, to say in a sentence («ступеней лестницы лояльности»)."""
        title = self._title(lang) if self._title else ""
        return messages.text(f"exercises.among_{self.among_key}", lang, title=title)

    @cache  # noqa: B019 - one instance per framework, cached for the session
    def __call__(self) -> dict[str, set[str]]:
        """``{id: {accepted spellings}}``: each id and its labels in every language."""
        out: dict[str, set[str]] = {}
        for lang in messages.LANGS:
            for cid, label in self.labels(lang).items():
                out.setdefault(str(cid), {_norm(cid)}).add(_norm(label))
        return out

    @cache  # noqa: B019
    def _forms(self) -> dict[str, str]:
        exact = {s: cid for cid, spellings in self().items() for s in spellings}
        seen: dict[str, set[str]] = {}
        for lang in messages.LANGS:
            for cid, label in self.labels(lang).items():
                for form in _label_forms(label):
                    seen.setdefault(form, set()).add(str(cid))
        # a form two classes share names neither (e.g. a plural that is another class's label)
        forms = {f: next(iter(ids)) for f, ids in seen.items() if len(ids) == 1}
        forms.update(exact)
        return forms

    def match(self, answer: str) -> str | None:
        """The id an answer names (any accepted spelling or form), else ``None``."""
        return self._forms().get(_norm(answer))


@cache
def class_choices(framework: str) -> Choices:
    """Accepted spellings of each class of a built-in framework: its id, both labels and their
    plural and case forms.

    Examples
    --------
    >>> sorted(class_choices("rfm")()["champions"])
    ['champions', 'чемпион']
    >>> class_choices("ladder").match("постоянные покупатели")
    'regular'
    """

    def labels(lang: str) -> dict[str, str]:
        from clientlib import frameworks

        rows = frameworks.load(framework).describe(lang)
        order = list(reversed(rows)) if framework == "ladder" else rows  # bottom rung first
        return {str(r["id"]): str(r["label"]) for r in order}

    among = "ladder" if framework == "ladder" else "classes"
    return Choices(labels, among, lambda lang: framework_title(framework, lang))


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


def _framework_labels(lang: str) -> dict[str, str]:
    from clientlib import frameworks

    return {name: framework_title(name, lang) for name in frameworks.builtin_names()}


#: Accepted spellings of each built-in framework: its id and its title in each language.
framework_choices = Choices(_framework_labels, "frameworks")


def _discover() -> list[Exercise]:
    out: list[Exercise] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if re.fullmatch(r"l\d\d_\w+", info.name):
            module = importlib.import_module(f"{__name__}.{info.name}")
            out.extend(module.EXERCISES)
    return out


_ALL: list[Exercise] = []
#: All exercises by name, in lesson order.
EXERCISES: dict[str, Exercise] = {}


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
    mistake : str
        The kind of typical mistake recognised, else ``""``.
    """

    name: str
    status: str
    message: str
    expected: Any = None
    mistake: str = ""

    @property
    def ok(self) -> bool:
        """True when the answer is correct (or, for an open question, long enough)."""
        return self.status in ("correct", "noted")


def _t(key: str, lang: str, **fields: Any) -> str:
    return messages.text(f"exercises.{key}", lang, **fields)


def _what(x: Any, lang: str) -> str:
    """What a participant handed in, in words (no Python type names)."""
    if isinstance(x, pd.DataFrame):
        return _t("what_table", lang, n=messages.number(len(x), lang))
    if isinstance(x, (pd.Series, np.ndarray, list, tuple, set)):
        return _t("what_column", lang, n=messages.number(len(x), lang))
    if isinstance(x, bool):
        return _t("what_yes_no", lang)
    if isinstance(x, str):
        return _t("what_text", lang, text=x.strip()[:40])
    if isinstance(x, numbers.Real):
        return _t("what_number", lang, text=_fmt(float(x), "number", lang))
    return _t("what_other", lang, text=str(x)[:40])


def _scalar(x: Any) -> Any:
    """Unwrap one-element containers and numpy scalars."""
    if isinstance(x, (pd.Series, pd.DataFrame)) and x.size == 1:
        return _scalar(x.to_numpy().ravel()[0])
    if isinstance(x, np.ndarray) and x.size == 1:
        return _scalar(x.ravel()[0])
    if isinstance(x, (list, tuple)) and len(x) == 1:
        return _scalar(x[0])
    if isinstance(x, np.generic):
        return x.item()
    return x


def number_of(a: Any) -> Any:
    """A number typed as text ('0,78', '1 234', '78 %') becomes a number; anything else stays.

    Examples
    --------
    >>> number_of("1 560"), number_of("0,78"), number_of("78 %"), number_of("fan")
    (1560.0, 0.78, 0.78, 'fan')
    """
    if isinstance(a, str):
        text = a.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        percent = text.endswith("%")
        text = text.rstrip("%")
        if re.fullmatch(r"-?\d+([.,]\d+)?", text):
            value = float(text.replace(",", "."))
            return value / 100 if percent else value
    return a


_as_number = number_of


def _fmt(x: Any, kind: str, lang: str) -> str:
    if kind == "count":
        return messages.number(x, lang, 0)
    if isinstance(x, float):
        digits = 0 if x == round(x) and abs(x) >= 1 else 3 if abs(x) < 10 else 1
        return messages.number(x, lang, digits)
    return str(x)


def _values(v: Any) -> list[Any]:
    return sorted(v, key=str) if isinstance(v, (set, frozenset, list, tuple)) else [v]


def _number_mistake(ex: Exercise, a: float, want: Any, context: Mapping[str, Any]) -> str:
    """The kind of the first declared mistake the number ``a`` matches, else ``""``."""
    tol = max(ex.tolerance, 1e-9)
    for m in ex.mistakes:
        if m.solve is None:
            continue
        try:
            values = _values(m.solve(**{k: context[k] for k in ex.needs}))
        except Exception:  # noqa: BLE001 - a diagnosis never breaks the check itself
            continue
        wanted = _values(want)
        for v in values:
            if not isinstance(v, numbers.Real) or any(abs(float(v) - w) <= tol for w in wanted):
                continue  # the mistake gives the right answer on these data: not a mistake
            vtol = 0.005 if m.kind == "share_for_count" else tol
            if abs(a - float(v)) <= vtol:
                return m.kind
    return ""


def _judge_number(
    ex: Exercise, answer: Any, want: Any, lang: str, context: Mapping[str, Any]
) -> tuple[str | None, str]:
    a = number_of(_scalar(answer))
    if isinstance(a, bool) or not isinstance(a, numbers.Real):
        return _t("not_number", lang, what=_what(answer, lang)), ""
    a = float(a)
    if math.isnan(a):
        return _t("not_number", lang, what="—"), ""
    targets = _values(want)
    if any(abs(a - w) <= ex.tolerance for w in targets):
        return None, ""
    shown = _fmt(a, ex.kind if a == round(a) else "number", lang)
    kind = _number_mistake(ex, a, want, context)
    if kind:
        return _t(f"mistake_{kind}", lang, answer=shown), kind
    if ex.kind == "count" and a != round(a):
        return _t("not_whole", lang, answer=_fmt(a, "number", lang)), ""
    if ex.kind == "share" and not 0 <= a <= 1:
        if 1 < a <= 100 and any(abs(a / 100 - w) <= max(ex.tolerance, 1e-9) for w in targets):
            return _t("percent", lang, answer=_fmt(a, "number", lang)), "percent"
        return _t("not_share", lang, answer=_fmt(a, "number", lang)), ""
    target = min(targets, key=lambda w: abs(a - w))
    return _t("high" if a > target else "low", lang, answer=shown), ""


@cache
def _class_owners() -> dict[str, tuple[str, str]]:
    """Every spelling of a class of a built-in framework -> (framework, class id)."""
    from clientlib import frameworks

    out: dict[str, tuple[str, str]] = {}
    for name in frameworks.builtin_names():
        for cid, spellings in class_choices(name)().items():
            for s in spellings:
                out.setdefault(s, (name, cid))
        for form, cid in class_choices(name)._forms().items():
            out.setdefault(form, (name, cid))
    return out


def _judge_label(ex: Exercise, answer: Any, want: set[str], lang: str) -> tuple[str | None, str]:
    a: Any = _scalar(answer)
    if isinstance(a, (int, np.integer)) and not isinstance(a, bool):
        a = str(a)  # a cluster number typed without quotes
    if not isinstance(a, str):
        return _t("not_label", lang, what=_what(answer, lang)), ""
    shown = a.strip()
    if ex.choices is not None and not isinstance(ex.choices, Choices):
        # a lesson module's own callable {id: {spellings}}: listed by id, matched by spelling
        spellings = ex.choices()
        ex = replace(ex, choices=Choices(lambda _lang: {c: c for c in spellings}, "answers"))
        ex.choices().update({c: set(v) | {_norm(c)} for c, v in spellings.items()})
    if ex.choices is None:
        ok = _norm(a) in {_norm(w) for w in want}
        return (None, "") if ok else (_t("wrong_label", lang, answer=shown), "")
    cid = ex.choices.match(a)
    if cid is None:
        labels = ex.choices.labels(lang)
        listed = ", ".join(labels[c] for c in labels)
        owner = _class_owners().get(_norm(a)) if any(
            m.kind == "other_framework" for m in ex.mistakes) else None  # fmt: skip
        if owner is not None:
            return _t("mistake_other_framework", lang, answer=shown,
                      framework=framework_title(owner[0], lang), among=ex.choices.among(lang),
                      choices=listed), "other_framework"  # fmt: skip
        return _t("unknown_label", lang, answer=shown, among=ex.choices.among(lang),
                  choices=listed), ""  # fmt: skip
    if cid in {str(w) for w in want}:
        return None, ""
    return _t("wrong_label", lang, answer=shown), ""


_MONTHS = {
    "en": ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    "ru": ("янв", "фев", "мар", "апр", "ма", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"),
}


def parse_month(a: Any) -> pd.Period | None:
    """A calendar month from what a person types, else ``None``.

    ``"2023-10"``, ``"2023-10-31"``, ``"10.2023"``, ``"10/2023"``, ``"октябрь 2023"``,
    ``"окт 2023"``, ``"Oct 2023"``, ``"October 2023"``, a timestamp or a period.

    Examples
    --------
    >>> [str(parse_month(x)) for x in ("10.2023", "октябрь 2023", "окт. 2023", "Oct 2023")]
    ['2023-10', '2023-10', '2023-10', '2023-10']
    >>> parse_month("весной") is None
    True
    """
    a = _scalar(a)
    if isinstance(a, pd.Period):
        return a.asfreq("M")
    if isinstance(a, (pd.Timestamp, dt.date, np.datetime64)):
        return pd.Timestamp(a).to_period("M")
    if not isinstance(a, str):
        return None
    text = re.sub(r"\s*(г|года|год)\.?$", "", _norm(a)).strip()
    found = re.fullmatch(r"(\d{1,2})\s*[./\s]\s*(\d{4})", text)
    if found:
        month, year = int(found[1]), int(found[2])
        return pd.Period(year=year, month=month, freq="M") if 1 <= month <= 12 else None
    found = re.fullmatch(r"(\d{4})\s*[./\s]\s*(\d{1,2})(?:\s*[./\s]\s*\d{1,2})?", text)
    if found:
        year, month = int(found[1]), int(found[2])
        return pd.Period(year=year, month=month, freq="M") if 1 <= month <= 12 else None
    found = re.fullmatch(r"([a-zа-я]+)\.?\s*(\d{4})", text) or re.fullmatch(
        r"(\d{4})\s*([a-zа-я]+)\.?", text)  # fmt: skip
    if found:
        word, digits = (found[1], found[2]) if found[1][0].isalpha() else (found[2], found[1])
        for names in _MONTHS.values():
            for i, prefix in enumerate(names):
                if word.startswith(prefix) and len(word) >= 3:
                    return pd.Period(year=int(digits), month=i + 1, freq="M")
        return None
    try:
        return pd.Timestamp(a).to_period("M")
    except (TypeError, ValueError):
        return None


def _month_text(month: pd.Period, lang: str) -> str:
    return f"{month.month:02d}.{month.year}" if lang == "ru" else str(month)


def _judge_month(answer: Any, want: set[pd.Period], lang: str) -> tuple[str | None, str]:
    month = parse_month(answer)
    if month is None:
        return _t("not_month", lang, what=_what(answer, lang)), ""
    if month in want:
        return None, ""
    return _t("wrong_month", lang, answer=_month_text(month, lang)), ""


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


def _title(ex: Exercise, lang: str) -> str:
    return _t("title", lang, n=ex.number)


def hint_text(ex: Exercise, lang: str) -> str:
    """The hint lines: in words first, then the code for analysts."""
    lines = [_t("hint", lang, hint=ex.hint.get(lang) or ex.hint["en"])]
    if ex.code and ex.kind != "open":
        statements: list[str] = []
        for line in filter(str.strip, ex.code.splitlines()):
            if line[:1].isspace() and statements:  # an indented line continues the one above
                statements[-1] += " " + " ".join(line.split())
            else:
                statements.append(" ".join(line.split()))
        code = "; ".join(statements)
        lines.append(_t("hint_code", lang, code=code))
    return "\n".join(lines)


def _open(ex: Exercise, answer: Any, lang: str) -> Feedback:
    words = len(str(answer).split()) if isinstance(answer, str) else 0
    if words < ex.min_words:
        why = _t("open_short", lang, n=ex.min_words)
        return Feedback(ex.name, "wrong",
                        _t("wrong", lang, title=_title(ex, lang), why=why) + "\n"
                        + hint_text(ex, lang))  # fmt: skip
    points = ex.points.get(lang) or ex.points.get("en", [])
    lines = [_t("open_noted", lang, title=_title(ex, lang), n=words)]
    lines += [_t("open_point", lang, point=p) for p in points]
    return Feedback(ex.name, "noted", "\n".join(lines))


def evaluate(name: str, answer: Any, *, lang: str = "en", **context: Any) -> Feedback:
    """Judge an answer without printing or recording; see :func:`check`.

    Examples
    --------
    >>> import pandas as pd
    >>> fb = evaluate("quickstart_buyers", 5, facts=pd.DataFrame({"orders": [0, 1, 4]}))
    >>> fb.status, fb.expected
    ('wrong', 2)
    """
    ex = _get(name)
    lang = messages.check_lang(lang)
    title = _title(ex, lang)
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return Feedback(name, "unanswered",
                        _t("unanswered", lang, title=title) + "\n" + hint_text(ex, lang))
    if ex.kind == "open":
        return _open(ex, answer, lang)
    want = expected(name, **context)
    if ex.kind in ("count", "share", "number"):
        why, mistake = _judge_number(ex, answer, want, lang, context)
    elif ex.kind == "label":
        why, mistake = _judge_label(ex, answer, want, lang)
    elif ex.kind == "month":
        why, mistake = _judge_month(answer, want, lang)
    else:  # pragma: no cover - a programming error in a lesson module
        raise ValueError(f"unknown exercise kind {ex.kind!r}")
    if why is None:
        a = _scalar(answer)
        if ex.kind in ("count", "share", "number"):
            shown = _fmt(float(number_of(a)), ex.kind, lang)
        elif ex.kind == "month":
            month = parse_month(a)
            shown = _month_text(month, lang) if month is not None else str(a)
        else:
            shown = str(a).strip()
            if isinstance(ex.choices, Choices):  # the class's name in the lesson's language
                cid = ex.choices.match(shown)
                shown = ex.choices.labels(lang).get(cid, shown) if cid else shown
        return Feedback(name, "correct", _t("correct", lang, title=title, answer=shown), want)
    message = _t("wrong", lang, title=title, why=why) + "\n" + hint_text(ex, lang)
    return Feedback(name, "wrong", message, want, mistake)


# ---------------------------------------------------------------------------------------------
# collecting answers for the trainer
# ---------------------------------------------------------------------------------------------

_SHEET: dict[str, str | None] = {"folder": None, "participant": None}


def collect(folder: str | os.PathLike[str] | None = None, participant: str | None = None) -> None:
    """Name the trainer's answers folder and the participant for this session's checks.

    A lesson calls it with its parameters (``answers``, ``participant``); ``None`` leaves the
    environment in charge (``CLIENTLIB_ANSWERS``, ``CLIENTLIB_PARTICIPANT``, else the OS user).
    Without a folder, nothing is stored.

    Examples
    --------
    >>> collect(None, None)  # nothing stored unless CLIENTLIB_ANSWERS names a folder
    """
    _SHEET["folder"] = None if folder in (None, "") else str(folder)
    _SHEET["participant"] = None if participant in (None, "") else str(participant)


def _participant(participant: str | None) -> str:
    for name in (participant, _SHEET["participant"], os.environ.get(PARTICIPANT_ENV)):
        if name and str(name).strip():
            return " ".join(str(name).split())[:80]
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name on this system
        return "participant"


def _folder(folder: str | os.PathLike[str] | None) -> Path | None:
    chosen = folder or _SHEET["folder"] or os.environ.get(ANSWERS_ENV)
    return Path(chosen).expanduser() if chosen else None


def _answer_json(answer: Any) -> Any:
    a = _scalar(answer)
    if isinstance(a, bool) or a is None:
        return a
    if isinstance(a, numbers.Integral):
        return int(a)
    if isinstance(a, numbers.Real):
        return float(a) if math.isfinite(float(a)) else None
    if isinstance(a, str):
        return a[:4000]
    return _what(answer, "en")[:200]


def record(
    fb: Feedback,
    answer: Any,
    *,
    lang: str = "en",
    participant: str | None = None,
    folder: str | os.PathLike[str] | None = None,
) -> Path | None:
    """Append one attempt to ``<folder>/<participant>.jsonl`` (under a file lock); return the
    file, or ``None`` when no folder is named (nothing stored) or the answer is empty.

    One JSON object a line: ``participant``, ``lesson``, ``exercise``, ``number``, ``answer``,
    ``verdict`` (``correct``, ``wrong``, ``noted``), ``mistake``, ``lang``, ``time`` (ISO 8601,
    UTC).
    """
    where = _folder(folder)
    if where is None or fb.status == "unanswered":
        return None
    from filelock import FileLock

    from clientlib.errors import OutputError

    ex = _get(fb.name)
    who = _participant(participant)
    row = {
        "participant": who,
        "lesson": ex.lesson,
        "exercise": ex.name,
        "number": ex.number,
        "answer": _answer_json(answer),
        "verdict": fb.status,
        "mistake": fb.mistake,
        "lang": lang,
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    # a file per participant (Cyrillic kept): two laptops never write the same file
    stem = re.sub(r"[^\w.-]+", "_", who).strip("._")[:60] or "participant"
    path = where / f"{stem}.jsonl"
    try:
        where.mkdir(parents=True, exist_ok=True)
        with FileLock(str(path) + ".lock", timeout=30), open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise OutputError(_t("store_failed", lang, folder=str(where),
                             why=str(exc.strerror or exc))) from None
    return path


def check(
    name: str,
    answer: Any,
    *,
    lang: str = "en",
    participant: str | None = None,
    folder: str | os.PathLike[str] | None = None,
    **context: Any,
) -> None:
    """Check a workshop answer and print what is wrong (with a hint) or a success message.

    An unanswered exercise (``answer is None``) prints "not answered yet" and the hint, so a
    lesson with open exercises still runs top to bottom. A wrong answer never raises. When the
    trainer names an answers folder (``folder``, :func:`collect` or ``CLIENTLIB_ANSWERS``), the
    attempt is appended there (:func:`record`).

    Parameters
    ----------
    name : str
        Exercise name (see :data:`EXERCISES`).
    answer : Any
        The participant's answer; ``None`` means not answered yet.
    lang : {"en", "ru"}
        Language of the messages.
    participant : str, optional
        Who answers (else :func:`collect`'s, ``CLIENTLIB_PARTICIPANT`` or the OS user).
    folder : path, optional
        The trainer's answers folder (else :func:`collect`'s or ``CLIENTLIB_ANSWERS``).
    **context
        The data the expected answer is computed from, e.g. ``facts=facts``.

    Examples
    --------
    >>> import pandas as pd
    >>> check("quickstart_buyers", 7, facts=pd.DataFrame({"orders": [0, 1, 4]}), lang="ru")
    ... # doctest: +ELLIPSIS
    ✗ Упражнение 1: 7 — слишком много.
       Подсказка: ...
    """
    fb = evaluate(name, answer, lang=lang, **context)
    print(fb.message)
    try:
        record(fb, answer, lang=lang, participant=participant, folder=folder)
    except ClientlibError as exc:  # the check itself worked: say so in one line, do not stop
        print(_t("not_saved", lang, why=str(exc)))


from clientlib.exercises._common import sweep  # noqa: E402 - a no-code table for the lessons

_ALL.extend(_discover())
EXERCISES.update({e.name: e for e in _ALL})
if len(EXERCISES) != len(_ALL):  # pragma: no cover - a programming error in a lesson module
    raise RuntimeError("two exercises share a name")
