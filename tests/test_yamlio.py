"""The one YAML loader: bounded and strict for user text; the fast path for shipped files."""

from __future__ import annotations

from pathlib import Path

import pytest

from clientlib import yamlio
from clientlib.errors import OptionError

PACKAGE = Path(__file__).resolve().parents[1] / "clientlib"
SHIPPED = sorted(PACKAGE.rglob("*.yaml"))


def test_there_are_shipped_yaml_files():
    assert len(SHIPPED) >= 15  # the message domains and the built-in rulebooks


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_shipped_file_passes_the_strict_loader_with_the_same_result(path):
    text = path.read_text(encoding="utf-8")
    assert yamlio.load_package(text, path.name) == yamlio.load(text, origin=path.name)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a: 1\na: 2\n", "line 2: key 'a' is given twice"),
        ("- &x [1]\n- *x\n", "line 2: YAML aliases"),
        ("[" * 60 + "]" * 60, "nested deeper than"),
        ("a: [1, 2\n", "not valid YAML"),
    ],
)
def test_user_text_is_refused_with_the_line(text, problem):
    with pytest.raises(OptionError, match=problem.replace("[", r"\[")):
        yamlio.load(text, origin="mine.yaml")


def test_size_is_bounded():
    with pytest.raises(OptionError, match="more than the 10 accepted"):
        yamlio.load("a: 12345678901", origin="big.yaml", max_bytes=10)
