"""The message catalog: every key in every language, with the same fields and plural choices."""

from __future__ import annotations

import re
import string
from importlib import resources

import pytest

from clientlib import messages, yamlio
from clientlib.messages import LANGS, catalog, text


def _fields(template: str) -> set[str]:
    # "{n|customer|customers}" is the field n with a plural choice; "{v}" is v.
    out = set()
    for _, name, _, _ in string.Formatter().parse(template):
        if name is not None:
            out.add(name.split("|")[0].split(".")[0].split("[")[0])
    return out


def _files() -> list[str]:
    folder = resources.files(messages)
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))


def test_every_file_of_the_folder_is_read():
    files = _files()
    assert {"common.yaml", "report.yaml", "plots.yaml", "clusters.yaml"} <= set(files)
    domains = {key.split(".")[0] for key in catalog()}
    assert domains == {f[: -len(".yaml")] for f in files}


@pytest.mark.parametrize("name", _files())
def test_every_key_in_every_language_with_the_same_fields(name):
    raw = (resources.files(messages) / name).read_text(encoding="utf-8")
    data = yamlio.load(raw, origin=name) or {}
    assert data, f"{name} is empty"
    for key, texts in data.items():
        assert isinstance(texts, dict), f"{name}: {key} is not a mapping of language to text"
        assert set(texts) == set(LANGS), f"{name}: {key} has {sorted(texts)}, wants {LANGS}"
        for lang in LANGS:
            assert isinstance(texts[lang], str) and texts[lang].strip(), f"{name}: {key}.{lang}"
        en = _fields(texts[LANGS[0]])
        for lang in LANGS[1:]:
            assert _fields(texts[lang]) == en, f"{name}: {key} fields differ in {lang}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_formats_with_its_fields(lang):
    # Filling each field with a number (a number string where the template has no format
    # spec) exercises the plural choices and str.format.
    for key, texts in catalog().items():
        specs = {name.split("|")[0]: spec for _, name, spec, _ in
                 string.Formatter().parse(texts[lang]) if name}
        values = {f: (3 if specs.get(f) else "3") for f in _fields(texts[lang])}
        out = text(key, lang, **values)
        assert "{" not in out and "|" not in out, (key, out)


def test_plural_forms_count_the_number():
    assert text("report.s_skipped", "en", n="1", names="a") == (
        "1 framework could not run for lack of data: a."
    )
    assert text("report.s_skipped", "ru", n="5", names="a").startswith(
        "Не удалось построить 5 классификаций"
    )
    assert text("report.subtitle", "ru", source="x", date="d", customers="1\u00a0234").endswith(
        "1\u00a0234 клиента"
    )


def test_russian_report_words_have_no_english_outside_fields_and_allowed_terms():
    # The report's own domains (the lessons' and exercises' texts quote code on purpose).
    # method, model and measure names, score letters, NaN, UTC; command-line options are code
    allowed = {"k", "means", "RFM", "ARI", "AMI", "R", "F", "M", "SD", "NaN", "UTC",
               "BG", "NBD", "P", "alive", "T"}
    for key, texts in catalog().items():
        if key.split(".")[0] not in ("report", "plots", "clusters", "common"):
            continue
        ru = re.sub(r"--[\w-]+(?: [a-z]+)?", " ", texts["ru"])
        ru = re.sub(r"\{[^{}]*\}", " ", ru)  # fields, with their format specs and plurals
        words = {w for w in _split_latin(ru)} - allowed
        assert not words, f"{key}: English words in the Russian text: {sorted(words)}"


def _split_latin(s: str) -> list[str]:
    return re.findall(r"[A-Za-z]+", s)
