"""The rulebook engine: tokenizer, parser, load-time checks, null semantics, reasons."""

from __future__ import annotations

import json

import ibis
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientlib.frameworks.language import RulebookError, RuleSyntaxError, parse, tokenize
from clientlib.frameworks.rulebook import MissingColumnsError, Rulebook


def book(when: str, params: str = "{n: 3}", extra: str = "") -> str:
    return f"""
framework: demo
params: {params}
{extra}
classes:
  - id: hit
    label: {{en: Hit, ru: Попал}}
    when: {json.dumps(when)}
    action: {{en: Act, ru: Действуй}}
  - id: rest
    label: {{en: Rest}}
    otherwise: true
"""


def run(when: str, data: dict, params: str = "{n: 3}") -> pd.DataFrame:
    rb = Rulebook.from_yaml(book(when, params))
    return rb.classify(ibis.memtable(pd.DataFrame(data))).to_pandas().set_index("customer_id")


# ------------------------------------------------------------------ tokenizer and parser


def test_tokens_and_positions():
    toks = tokenize("orders >= 3 and x != 'a b'")
    assert [(t.kind, t.value, t.pos) for t in toks] == [
        ("NAME", "orders", 1),
        ("OP", ">=", 8),
        ("NUM", 3, 11),
        ("KW", "and", 13),
        ("NAME", "x", 17),
        ("OP", "!=", 19),
        ("STR", "a b", 22),
        ("EOF", None, 27),
    ]


def test_precedence():
    tree = parse("not a or b and c > 1 + 2 * 3")
    assert tree.op == "or"
    assert tree.left.op == "not"
    assert tree.right.op == "and"
    cmp = tree.right.right
    assert cmp.op == ">" and cmp.right.op == "+" and cmp.right.right.op == "*"
    assert parse("(1 + 2) * 3").op == "*"
    assert parse("-x - -1").op == "-"


@pytest.mark.parametrize(
    ("expr", "pos", "words"),
    [
        ("orders.real > 1", 7, "attribute access"),
        ("__import__('os')", 1, "'_'"),
        ("x.__class__", 2, "attribute access"),
        ("open('f') == 1", 1, "function 'open' is not allowed"),
        ("exec('1')", 1, "'exec'"),
        ("lambda x: x", 1, "lambda"),
        ("[x for x in y]", 1, "lists are not allowed"),
        ("import os", 1, "imports"),
        ("orders >= 3 and dayz > 1", 17, "unknown name 'dayz'"),
        ("orders[0] > 1", 7, "indexing"),
        ("orders = 3", 8, "use =="),
        ("orders ** 2 > 1", 8, "'**'"),
        ("orders >", 9, "end of expression"),
        ("(orders > 1", 12, "expected ')'"),
        ("orders > 1)", 11, "unexpected ')'"),
        ("", 1, "empty"),
        ("'abc", 1, "unterminated"),
        ("1 < orders < 3", 12, "chained"),
        ("orders == null", 8, "is_null"),
        ("orders and 1", 8, "'and' joins conditions"),
        ("orders > 'a'", 8, "cannot compare"),
        ("min(orders) > 1", 1, "min() takes 2 or more"),
        ("orders > 1 x", 12, "unexpected 'x'"),
        ("x if y else z", 3, "'if'"),
        ("orders is None", 8, "'is'"),
        ("True", 1, "lower-case true"),
        ("orders", 1, "must be a condition"),
        ("3abc > 1", 1, "malformed number"),
        ("orders > 1; x", 11, "only one expression"),
    ],
)
def test_rejected_at_load_with_position(expr, pos, words):
    with pytest.raises(RuleSyntaxError) as err:
        Rulebook.from_yaml(book(expr, extra="columns: [x, y, z]"), origin="demo.yaml")
    e = err.value
    assert e.position == pos, str(e)
    assert words in str(e)
    assert str(e).startswith(f"demo.yaml, class 'hit', position {pos}: ")
    assert isinstance(e, ValueError)


def test_unknown_name_message_lists_known_names_and_suggests():
    with pytest.raises(RuleSyntaxError) as err:
        Rulebook.from_yaml(book("recency_dayz > n"), origin="lifecycle.yaml")
    msg = str(err.value)
    assert msg.startswith("lifecycle.yaml, class 'hit', position 1: unknown name 'recency_dayz'")
    assert "did you mean recency_days" in msg and "known: " in msg and " n," in msg


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("framework: x\nclasses: []", "non-empty"),
        ("classes: [{id: a, label: {en: A}, otherwise: true}]", "'id'"),
        ("framework: x\nclasses: [{id: a, label: {en: A}, when: 'orders > 1'}]", "catch-all"),
        (
            "framework: x\nclasses: [{id: a, label: {en: A}, otherwise: true},"
            " {id: b, label: {en: B}, otherwise: true}]",
            "must be the last",
        ),
        (
            "framework: x\nclasses: [{id: a, label: {en: A}, when: 'orders > 1'},"
            " {id: a, label: {en: B}, otherwise: true}]",
            "used twice",
        ),
        ("framework: x\nclasses: [{id: Bad-Id, label: {en: A}, otherwise: true}]", "snake_case"),
        ("framework: x\nclasses: [{id: a, label: {ru: А}, otherwise: true}]", "'en'"),
        ("framework: x\nbogus: 1\nclasses: [{id: a, label: {en: A}, otherwise: true}]", "bogus"),
        ("- just a list", "mapping"),
        ("framework: [unclosed", "not valid YAML"),
        (
            "framework: x\ncolumns: {industry: string}\n"
            "classes: [{id: a, label: {en: A}, otherwise: true}]",
            "'columns'",
        ),
    ],
)
def test_structure_errors(text, words):
    with pytest.raises(RulebookError, match=words.replace("(", r"\(")):
        Rulebook.from_yaml(text)


def test_params_override_dict_and_file(tmp_path):
    rb = Rulebook.from_yaml(book("orders >= n"), params={"n": 5})
    assert rb.params == {"n": 5}
    f = tmp_path / "p.yaml"
    f.write_text("n: 7\n", encoding="utf-8")
    assert Rulebook.from_yaml(book("orders >= n"), params=f).params == {"n": 7}
    with pytest.raises(RulebookError, match="unknown param.*nn.*known: n"):
        Rulebook.from_yaml(book("orders >= n"), params={"nn": 1})
    with pytest.raises(RulebookError, match="cannot be 'auto'"):
        Rulebook.from_yaml(book("orders >= n"), params={"n": "auto"})


def test_from_yaml_path(tmp_path):
    p = tmp_path / "mine.yaml"
    p.write_text(book("orders >= n"), encoding="utf-8")
    rb = Rulebook.from_yaml(p)
    assert rb.origin == "mine.yaml" and rb.required_columns == {"customer_id", "orders"}
    assert Rulebook.from_yaml(str(p)).framework == "demo"


# ------------------------------------------------------------------ semantics


def test_null_comparisons_are_false_and_not_of_them_true():
    data = {"customer_id": ["a", "b"], "orders": [None, 5.0]}
    out = run("not (orders > n)", data)
    assert out.loc["a", "class"] == "hit"  # orders null: (orders > n) is false
    assert out.loc["b", "class"] == "rest"
    out = run("orders > n or orders <= n", data)
    assert out.loc["a", "class"] == "rest"


def test_null_boolean_column_counts_as_false():
    data = {"customer_id": ["a", "b", "c"], "has_money": [True, None, False]}
    out = run("not has_money", data)
    assert out["class"].tolist() == ["rest", "hit", "hit"]
    out = run("has_money", data)
    assert out["class"].tolist() == ["hit", "rest", "rest"]


def test_division_by_zero_is_null_and_functions():
    data = {"customer_id": ["a", "b"], "orders": [0, 4], "total_spend": [10.0, -8.0]}
    assert run("total_spend / orders > 1", data)["class"].tolist() == ["rest", "rest"]
    assert run("abs(total_spend / orders) == 2", data)["class"].tolist() == ["rest", "hit"]
    assert run("max(orders, n) == 4 and min(orders, n) == 3", data)["class"].tolist() == [
        "rest",
        "hit",
    ]
    assert run("round(total_spend / 3, 1) == 3.3", data)["class"].tolist() == ["hit", "rest"]
    data = {"customer_id": ["a", "b"], "recency_days": [None, 4]}
    assert run("coalesce(recency_days, 99) > 50", data)["class"].tolist() == ["hit", "rest"]
    assert run("is_null(recency_days)", data)["class"].tolist() == ["hit", "rest"]
    assert run("not_null(recency_days)", data)["class"].tolist() == ["rest", "hit"]


def test_strings_and_count_true():
    data = {
        "customer_id": ["a", "b"],
        "persona": ["seeker", "it's"],
        "likes_usp": [True, None],
        "has_money": [True, True],
    }
    assert run("persona == 'seeker'", data)["class"].tolist() == ["hit", "rest"]
    assert run('persona == "it\'s"', data)["class"].tolist() == ["rest", "hit"]
    assert run("count_true(likes_usp, has_money) >= 2", data)["class"].tolist() == ["hit", "rest"]


def test_first_match_wins_and_reasons():
    text = """
framework: demo
params: {big: 100}
classes:
  - {id: vip, label: {en: VIP}, when: "total_spend >= big and orders >= 2"}
  - {id: either, label: {en: Either}, when: "orders >= 5 or total_spend > 50"}
  - {id: rest, label: {en: Rest}, otherwise: true}
"""
    rb = Rulebook.from_yaml(text)
    t = ibis.memtable(
        {
            "customer_id": ["a", "b", "c", "d"],
            "orders": [2, 1, 6, 1],
            "total_spend": [100.0, 60.5, 1.0, 1.0],
        }
    )
    out = rb.classify(t).to_pandas().set_index("customer_id")
    assert out["class"].tolist() == ["vip", "either", "either", "rest"]
    assert out.loc["a", "reason"] == "total_spend=100 >= big=100 and orders=2 >= 2"
    # only the branch of an 'or' that fired is told
    assert out.loc["b", "reason"] == "total_spend=60.5 > 50"
    assert out.loc["c", "reason"] == "orders=6 >= 5"
    assert out.loc["d", "reason"] == "no earlier rule matched"
    assert out.loc["a", "framework"] == "demo"


def test_reason_keeps_parentheses_and_not():
    out = run("(orders + 1) * 2 > n and not is_null(orders)", {"customer_id": ["a"], "orders": [4]})
    assert out.loc["a", "reason"] == "(orders=4 + 1) * 2 > n=3 and not (is_null(orders=4))"


def test_labels_in_russian_with_english_fallback():
    rb = Rulebook.from_yaml(book("orders >= n"))
    t = ibis.memtable({"customer_id": ["a", "b"], "orders": [5, 1]})
    out = rb.classify(t, lang="ru").to_pandas().set_index("customer_id")
    assert out.loc["a", "label"] == "Попал" and out.loc["a", "action"] == "Действуй"
    assert out.loc["b", "label"] == "Rest" and out.loc["b", "action"] == ""


def test_missing_columns_error_names_them():
    rb = Rulebook.from_yaml(book("orders >= n and referrals > 0"))
    with pytest.raises(MissingColumnsError) as err:
        rb.classify(ibis.memtable({"customer_id": ["a"], "orders": [1]}))
    assert err.value.missing == ["referrals"] and err.value.framework == "demo"
    assert "referrals" in str(err.value)


def test_input_dataframe_is_not_modified():
    df = pd.DataFrame({"customer_id": ["a"], "orders": [4]})
    before = df.copy()
    Rulebook.from_yaml(book("orders >= n")).classify(ibis.memtable(df)).to_pandas()
    pd.testing.assert_frame_equal(df, before)


# ------------------------------------------------------------------ property: engine = reference

_OPS = [">", ">=", "<", "<=", "==", "!="]


@st.composite
def conditions(draw, depth=0):
    """Random conditions over a and b (nullable ints) with their Python reference."""
    if depth >= 2 or draw(st.booleans()):
        col = draw(st.sampled_from(["a", "b"]))
        op = draw(st.sampled_from(_OPS))
        k = draw(st.integers(-2, 2))
        text = f"{col} {op} {k}"

        def ref(row, col=col, op=op, k=k):
            v = row[col]
            if v is None:
                return False  # comparison with null is false
            return {">": v > k, ">=": v >= k, "<": v < k, "<=": v <= k, "==": v == k, "!=": v != k}[
                op
            ]

        return text, ref
    kind = draw(st.sampled_from(["and", "or", "not"]))
    lt, lf = draw(conditions(depth=depth + 1))
    if kind == "not":
        return f"not ({lt})", lambda row: not lf(row)
    rt, rf = draw(conditions(depth=depth + 1))
    if kind == "and":
        return f"({lt}) and ({rt})", lambda row: lf(row) and rf(row)
    return f"({lt}) or ({rt})", lambda row: lf(row) or rf(row)


_VALUES = st.one_of(st.none(), st.integers(-3, 3))


@settings(max_examples=25, deadline=None)
@given(cond=conditions(), rows=st.lists(st.tuples(_VALUES, _VALUES), min_size=1, max_size=6))
def test_compiled_rules_agree_with_reference_semantics(cond, rows):
    text, ref = cond
    rb = Rulebook.from_yaml(book(text, extra="columns: {a: num, b: num}"))
    df = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(len(rows))],
            "a": pd.array([r[0] for r in rows], dtype="Int64"),
            "b": pd.array([r[1] for r in rows], dtype="Int64"),
        }
    )
    out = rb.classify(ibis.memtable(df)).to_pandas().set_index("customer_id")
    for i, (a, b) in enumerate(rows):
        want = "hit" if ref({"a": a, "b": b}) else "rest"
        assert out.loc[f"c{i}", "class"] == want, (text, a, b)


def test_unquoted_comma_in_a_label_is_caught():
    text = "framework: x\nclasses: [{id: a, label: {en: Tried, hit problems}, otherwise: true}]"
    with pytest.raises(RulebookError, match="quote texts that contain a comma"):
        Rulebook.from_yaml(text)
