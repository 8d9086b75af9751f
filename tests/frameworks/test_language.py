"""The rule language is bounded: deep, long or hostile input fails cleanly, never recursively."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from clientlib.frameworks.language import MAX_DEPTH, RuleSyntaxError, depth, parse
from clientlib.frameworks.rulebook import Rulebook, RulebookError, RulebookFramework


def _book(when: str) -> str:
    return (
        "id: demo\nclasses:\n"
        f"  - {{id: hit, label: {{en: Hit}}, when: {when!r}}}\n"
        "  - {id: miss, label: {en: Miss}, otherwise: true}\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        "(" * 10_000 + "orders" + ")" * 10_000 + " > 1",
        "not " * 10_000 + "orders > 1",
        "-" * 10_000 + "orders > 1",
        "max(" * 5_000 + "orders" + ", 1)" * 5_000 + " > 1",
        " + ".join(["orders"] * 1_000) + " > 1",
    ],
    ids=["parens", "not", "minus", "calls", "sum-chain"],
)
def test_deep_expressions_are_refused_without_recursion_error(text):
    with pytest.raises(RuleSyntaxError, match="deep"):
        parse(text)


def test_a_megabyte_expression_is_refused():
    with pytest.raises(RuleSyntaxError, match="characters"):
        parse("orders > 1 or " * 80_000 + "orders > 1")


def test_an_or_chain_of_1000_terms_works_and_matches_pandas():
    values = list(range(0, 3000, 3))  # 1,000 values of orders that make the rule fire
    when = " or ".join(f"orders == {v}" for v in values)
    tree = parse(when)
    assert depth(tree) <= MAX_DEPTH  # balanced, not 1,000 deep
    fw = RulebookFramework(Rulebook.from_yaml(_book(when)))
    facts = pd.DataFrame({"customer_id": [f"c{i}" for i in range(40)], "orders": range(40)})
    got = fw.fit_transform(ibis.memtable(facts)).to_pandas().set_index("customer_id")
    want = facts.set_index("customer_id")["orders"].isin(values).map({True: "hit", False: "miss"})
    assert got["class"].sort_index().equals(want.sort_index().rename("class"))
    # the reason names the term that fired, not the whole chain
    assert got.loc["c3", "reason"] == "orders=3 == 3"


def test_an_and_chain_reason_reads_like_the_rule():
    when = " and ".join(f"orders > {v}" for v in range(5))
    fw = RulebookFramework(Rulebook.from_yaml(_book(when)))
    got = fw.fit_transform(ibis.memtable({"customer_id": ["a"], "orders": [9]})).to_pandas()
    assert got.loc[0, "reason"] == " and ".join(f"orders=9 > {v}" for v in range(5))


def test_long_values_are_cut_in_messages():
    name = "x" * 100_000
    with pytest.raises(RuleSyntaxError) as err:
        Rulebook.from_yaml(_book(f"{name} > 1"))
    assert len(str(err.value)) < 2_000


BILLION_LAUGHS = """
id: demo
columns: &a0 {x: num}
"""


def test_yaml_aliases_cannot_expand_a_rulebook():
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        levels.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    text = "\n".join(levels) + "\nid: demo\ncolumns: *a9\nclasses: []\n"
    with pytest.raises(RulebookError, match="aliases"):
        Rulebook.from_yaml(text)


def test_a_huge_rulebook_is_refused_before_parsing():
    with pytest.raises(RulebookError, match="accepted"):
        Rulebook.from_yaml("id: demo\n" + "# padding\n" * 200_000)
