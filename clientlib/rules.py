"""The rulebook engine: a safe expression language compiled to Ibis.

A rulebook (YAML) lists ordered classes; each has a ``when`` expression over
customer-facts columns and parameters, or ``otherwise: true`` (the last,
catch-all class).  The first class whose ``when`` holds wins.

The ``when`` language is parsed by a small tokenizer and a recursive-descent
parser written here: nothing is ever passed to ``eval``, ``ast`` or
``DataFrame.query``.  Grammar (lowest precedence first)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := additive (("==" | "!=" | "<" | "<=" | ">" | ">=") additive)?
    additive   := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := ("-" | "+") unary | primary
    primary    := NUMBER | STRING | "true" | "false" | "null"
                | NAME | NAME "(" [expr ("," expr)*] ")" | "(" expr ")"

Names are feature columns or parameters; calls are limited to
:data:`FUNCTIONS`.  Known columns are those of docs/CONTRACTS.md
(:data:`FACT_KINDS`) plus any a rulebook declares, e.g.
``columns: {industry: str, employees: num}`` (kinds: num, str, bool, date,
any) for attributes of your own customers table.  Everything else
(attribute access, indexing, lambdas, comprehensions, imports, dunder names,
unknown names) is rejected when the
rulebook is loaded, with a :class:`RuleSyntaxError` naming the rulebook, the
class id and the 1-based character position.

Null semantics (documented contract):

* a comparison involving null is **false** (never null), so ``not (x > 3)``
  is true when ``x`` is null;
* a boolean column used as a condition counts null as false;
* arithmetic with null gives null; ``x / 0`` gives null;
* ``min``/``max`` skip nulls (SQL ``LEAST``/``GREATEST`` on DuckDB and Spark);
* test for missing values with ``is_null(x)`` / ``not_null(x)``; ``x == null``
  is rejected.
"""

from __future__ import annotations

import copy
import difflib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import yaml

from clientlib.features import FACT_COLUMNS
from clientlib.schema import SURVEY_COLUMNS, ClientlibError

__all__ = [
    "FACT_KINDS",
    "FUNCTIONS",
    "Hook",
    "MissingColumnsError",
    "RuleClass",
    "RuleSyntaxError",
    "Rulebook",
    "RulebookError",
    "parse",
    "register_hook",
]


# --------------------------------------------------------------------------
# errors


class RulebookError(ClientlibError):
    """A rulebook is malformed (structure, params, classes)."""


class RuleSyntaxError(RulebookError):
    """A ``when`` expression is rejected.

    Attributes
    ----------
    rulebook, class_id : str
        Where the expression lives.
    position : int
        1-based character position of the offending token in ``when``.
    reason : str
        What is wrong and, where possible, how to fix it.
    """

    def __init__(
        self, reason: str, position: int, rulebook: str = "<rule>", class_id: str = "?"
    ) -> None:
        self.reason = reason
        self.position = position
        self.rulebook = rulebook
        self.class_id = class_id
        super().__init__(f"{rulebook}, class '{class_id}', position {position}: {reason}")

    def located(self, rulebook: str, class_id: str) -> RuleSyntaxError:
        """Return the same error placed in a rulebook and class."""
        return RuleSyntaxError(self.reason, self.position, rulebook, class_id)


class MissingColumnsError(ClientlibError):
    """The facts table lacks columns a framework needs.

    Attributes
    ----------
    framework : str
    missing : list of str
        Sorted names of the absent columns.
    """

    def __init__(self, framework: str, missing: list[str]) -> None:
        self.framework = framework
        self.missing = sorted(missing)
        super().__init__(
            f"framework '{framework}' skipped: the data has no column(s) "
            f"{', '.join(self.missing)}; provide them (see docs/CONTRACTS.md) "
            "or choose another framework"
        )


# --------------------------------------------------------------------------
# known names and their kinds (num, str, bool, date, any) -- used for load-time checks

_NUM, _STR, _BOOL, _DATE, _ANY, _NULL = "num", "str", "bool", "date", "any", "null"

#: Kinds of the customer-facts columns fixed in docs/CONTRACTS.md.
FACT_KINDS: dict[str, str] = {
    **{c: _NUM for c in FACT_COLUMNS},
    "customer_id": _STR,
    "analysis_date": _DATE,
    "first_purchase": _DATE,
    "last_purchase": _DATE,
    **{c: _BOOL for c in SURVEY_COLUMNS},
    "persona": _STR,
}

#: Whitelisted functions: name -> (min args, max args or None).
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "min": (2, None),
    "max": (2, None),
    "abs": (1, 1),
    "round": (1, 2),
    "coalesce": (2, None),
    "is_null": (1, 1),
    "not_null": (1, 1),
    "count_true": (1, None),
}

_KEYWORDS = {"and", "or", "not", "true", "false", "null"}
# Python words a user might try; named in the error so the fix is obvious.
_FORBIDDEN_WORDS = {
    "lambda": "lambdas are not allowed",
    "import": "imports are not allowed",
    "for": "comprehensions and loops are not allowed",
    "in": "'in' is not allowed; use == with 'or'",
    "is": "'is' is not allowed; use is_null(x) or ==",
    "if": "'if' is not allowed; use separate classes",
    "else": "'else' is not allowed; use separate classes",
    "from": "imports are not allowed",
    "def": "definitions are not allowed",
    "class": "definitions are not allowed",
    "return": "statements are not allowed",
    "yield": "statements are not allowed",
    "await": "statements are not allowed",
    "async": "statements are not allowed",
    "exec": "'exec' is not allowed",
    "eval": "'eval' is not allowed",
    "True": "use lower-case true",
    "False": "use lower-case false",
    "None": "use null",
    "AND": "use lower-case and",
    "OR": "use lower-case or",
    "NOT": "use lower-case not",
}
_CHAR_HINTS = {
    ".": "attribute access is not allowed",
    "[": "indexing and lists are not allowed",
    "]": "indexing and lists are not allowed",
    "{": "dicts and sets are not allowed",
    "}": "dicts and sets are not allowed",
    ":": "':' is not allowed",
    ";": "only one expression is allowed",
    "=": "use == to compare",
    "!": "use != or not",
    "&": "use and",
    "|": "use or",
    "~": "use not",
    "%": "'%' is not allowed",
    "@": "'@' is not allowed",
    "^": "'^' is not allowed",
    "`": "backticks are not allowed",
    "\\": "backslashes are not allowed",
    "#": "comments are not allowed inside an expression",
    "$": "'$' is not allowed",
}


# --------------------------------------------------------------------------
# tokenizer


@dataclass(frozen=True)
class Token:
    kind: str  # NUM, STR, NAME, KW, OP, EOF
    value: Any
    pos: int  # 1-based


_NUM_RE = re.compile(r"(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?")
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPS2 = ("==", "!=", "<=", ">=", "**", "//")
_OPS1 = "<>+-*/(),"


def tokenize(text: str) -> list[Token]:
    """Split an expression into tokens, rejecting any character outside the language.

    Examples
    --------
    >>> [t.value for t in tokenize("orders >= 3")]
    ['orders', '>=', 3, None]
    """
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        pos = i + 1
        m = _NUM_RE.match(text, i)
        if m and (ch.isdigit() or (ch == "." and m)):
            raw = m.group(0)
            end = m.end()
            if end < n and (text[end].isalpha() or text[end] == "_"):
                raise RuleSyntaxError(f"malformed number '{raw}{text[end]}'", pos)
            value: float | int = float(raw) if any(c in raw for c in ".eE") else int(raw)
            tokens.append(Token("NUM", value, pos))
            i = end
            continue
        m = _NAME_RE.match(text, i)
        if m:
            word = m.group(0)
            if word.startswith("_"):
                raise RuleSyntaxError(f"names starting with '_' are not allowed: '{word}'", pos)
            if word in _KEYWORDS:
                tokens.append(Token("KW", word, pos))
            elif word in _FORBIDDEN_WORDS:
                raise RuleSyntaxError(f"'{word}': {_FORBIDDEN_WORDS[word]}", pos)
            else:
                tokens.append(Token("NAME", word, pos))
            i = m.end()
            continue
        if ch in "'\"":
            j, buf = i + 1, []
            while j < n and text[j] != ch:
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(text[j])
                j += 1
            if j >= n:
                raise RuleSyntaxError("unterminated string", pos)
            tokens.append(Token("STR", "".join(buf), pos))
            i = j + 1
            continue
        two = text[i : i + 2]
        if two in _OPS2:
            if two in ("**", "//"):
                raise RuleSyntaxError(f"operator '{two}' is not allowed", pos)
            tokens.append(Token("OP", two, pos))
            i += 2
            continue
        if ch in _OPS1:
            tokens.append(Token("OP", ch, pos))
            i += 1
            continue
        hint = _CHAR_HINTS.get(ch, "not part of the rule language")
        raise RuleSyntaxError(f"unexpected character '{ch}' ({hint})", pos)
    tokens.append(Token("EOF", None, n + 1))
    return tokens


# --------------------------------------------------------------------------
# syntax tree


@dataclass(frozen=True)
class Node:
    pos: int


@dataclass(frozen=True)
class Lit(Node):
    value: Any  # int, float, str, bool or None


@dataclass(frozen=True)
class Name(Node):
    name: str


@dataclass(frozen=True)
class Unary(Node):
    op: str  # "not", "-", "+"
    operand: Node


@dataclass(frozen=True)
class Bin(Node):
    op: str  # and or == != < <= > >= + - * /
    left: Node
    right: Node


@dataclass(frozen=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]


_COMPARE = ("==", "!=", "<", "<=", ">", ">=")
_PREC = {"or": 1, "and": 2, "not": 3, **{op: 4 for op in _COMPARE}, "+": 5, "-": 5, "*": 6, "/": 6}


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def at(self, kind: str, value: Any = None) -> bool:
        tok = self.peek()
        return tok.kind == kind and (value is None or tok.value == value)

    def expect_op(self, value: str) -> Token:
        tok = self.peek()
        if not self.at("OP", value):
            raise RuleSyntaxError(f"expected '{value}', found {_describe(tok)}", tok.pos)
        return self.take()

    def parse(self) -> Node:
        if self.at("EOF"):
            raise RuleSyntaxError("empty expression", 1)
        node = self.or_expr()
        tok = self.peek()
        if tok.kind != "EOF":
            raise RuleSyntaxError(
                f"unexpected {_describe(tok)}; expected an operator or the end", tok.pos
            )
        return node

    def or_expr(self) -> Node:
        node = self.and_expr()
        while self.at("KW", "or"):
            tok = self.take()
            node = Bin(tok.pos, "or", node, self.and_expr())
        return node

    def and_expr(self) -> Node:
        node = self.not_expr()
        while self.at("KW", "and"):
            tok = self.take()
            node = Bin(tok.pos, "and", node, self.not_expr())
        return node

    def not_expr(self) -> Node:
        if self.at("KW", "not"):
            tok = self.take()
            return Unary(tok.pos, "not", self.not_expr())
        return self.comparison()

    def comparison(self) -> Node:
        node = self.additive()
        if self.peek().kind == "OP" and self.peek().value in _COMPARE:
            tok = self.take()
            node = Bin(tok.pos, tok.value, node, self.additive())
            nxt = self.peek()
            if nxt.kind == "OP" and nxt.value in _COMPARE:
                raise RuleSyntaxError(
                    "chained comparisons are not allowed; join them with 'and'", nxt.pos
                )
        return node

    def additive(self) -> Node:
        node = self.term()
        while self.peek().kind == "OP" and self.peek().value in "+-":
            tok = self.take()
            node = Bin(tok.pos, tok.value, node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.peek().kind == "OP" and self.peek().value in "*/":
            tok = self.take()
            node = Bin(tok.pos, tok.value, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.peek().kind == "OP" and self.peek().value in "+-":
            tok = self.take()
            return Unary(tok.pos, tok.value, self.unary())
        return self.primary()

    def primary(self) -> Node:
        tok = self.take()
        if tok.kind == "NUM" or tok.kind == "STR":
            return Lit(tok.pos, tok.value)
        if tok.kind == "KW" and tok.value in ("true", "false"):
            return Lit(tok.pos, tok.value == "true")
        if tok.kind == "KW" and tok.value == "null":
            return Lit(tok.pos, None)
        if tok.kind == "NAME":
            if self.at("OP", "("):
                if tok.value not in FUNCTIONS:
                    raise RuleSyntaxError(
                        f"function '{tok.value}' is not allowed; "
                        f"allowed: {', '.join(sorted(FUNCTIONS))}",
                        tok.pos,
                    )
                self.take()
                args: list[Node] = []
                if not self.at("OP", ")"):
                    args.append(self.or_expr())
                    while self.at("OP", ","):
                        self.take()
                        args.append(self.or_expr())
                self.expect_op(")")
                lo, hi = FUNCTIONS[tok.value]
                if len(args) < lo or (hi is not None and len(args) > hi):
                    want = (
                        f"{lo}"
                        if lo == hi
                        else (f"{lo} or more" if hi is None else f"{lo} to {hi}")
                    )
                    raise RuleSyntaxError(
                        f"{tok.value}() takes {want} argument(s), got {len(args)}", tok.pos
                    )
                return Call(tok.pos, tok.value, tuple(args))
            return Name(tok.pos, tok.value)
        if tok.kind == "OP" and tok.value == "(":
            node = self.or_expr()
            self.expect_op(")")
            return node
        raise RuleSyntaxError(
            f"unexpected {_describe(tok)}; expected a value, a name or '('", tok.pos
        )


def _describe(tok: Token) -> str:
    if tok.kind == "EOF":
        return "end of expression"
    if tok.kind == "STR":
        return f"string {tok.value!r}"
    return f"'{tok.value}'"


def parse(text: str) -> Node:
    """Parse a ``when`` expression into a syntax tree (no name checks).

    Parameters
    ----------
    text : str
        The expression.

    Returns
    -------
    Node

    Raises
    ------
    RuleSyntaxError
        On any construct outside the grammar.

    Examples
    --------
    >>> parse("orders >= 3 and not is_null(recency_days)").op
    'and'
    """
    if not isinstance(text, str):
        raise RuleSyntaxError(f"'when' must be a string, got {type(text).__name__}", 1)
    return _Parser(text).parse()


def names_in(node: Node) -> set[str]:
    """Return every name referenced by a tree.

    Examples
    --------
    >>> sorted(names_in(parse("orders >= n and not is_null(recency_days)")))
    ['n', 'orders', 'recency_days']
    """
    if isinstance(node, Name):
        return {node.name}
    if isinstance(node, Unary):
        return names_in(node.operand)
    if isinstance(node, Bin):
        return names_in(node.left) | names_in(node.right)
    if isinstance(node, Call):
        return set().union(*(names_in(a) for a in node.args))
    return set()


# --------------------------------------------------------------------------
# load-time checks: names and kinds


def _kind_of_value(value: Any) -> str:
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return _BOOL
    if isinstance(value, (int, float)):
        return _NUM
    if isinstance(value, str):
        return _STR
    return _ANY


def check(node: Node, kinds: Mapping[str, str]) -> str:
    """Check names and operand kinds; return the kind of the expression.

    Raises
    ------
    RuleSyntaxError
        On unknown names or mismatched operands.

    Examples
    --------
    >>> check(parse("orders + 1 > n"), {"orders": "num", "n": "num"})
    'bool'
    """
    if isinstance(node, Lit):
        return _kind_of_value(node.value)
    if isinstance(node, Name):
        if node.name not in kinds:
            close = difflib.get_close_matches(node.name, list(kinds), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise RuleSyntaxError(
                f"unknown name '{node.name}'{hint}; known: {', '.join(sorted(kinds))}", node.pos
            )
        return kinds[node.name]
    if isinstance(node, Unary):
        k = check(node.operand, kinds)
        want = _BOOL if node.op == "not" else _NUM
        if k not in (want, _ANY):
            raise RuleSyntaxError(
                f"'{node.op}' needs a {_KIND_WORD[want]} operand, got {_KIND_WORD[k]}", node.pos
            )
        return want
    if isinstance(node, Bin):
        lk, rk = check(node.left, kinds), check(node.right, kinds)
        if node.op in ("and", "or"):
            for k in (lk, rk):
                if k not in (_BOOL, _ANY):
                    raise RuleSyntaxError(
                        f"'{node.op}' joins conditions (true/false), got {_KIND_WORD[k]}", node.pos
                    )
            return _BOOL
        if node.op in "+-*/":
            for k in (lk, rk):
                if k not in (_NUM, _ANY):
                    raise RuleSyntaxError(
                        f"'{node.op}' needs numbers, got {_KIND_WORD[k]}", node.pos
                    )
            return _NUM
        # comparison
        if _NULL in (lk, rk):
            raise RuleSyntaxError(
                "comparing with null is always false; use is_null(x) or not_null(x)", node.pos
            )
        if _ANY not in (lk, rk) and lk != rk:
            raise RuleSyntaxError(
                f"cannot compare {_KIND_WORD[lk]} with {_KIND_WORD[rk]} using '{node.op}'", node.pos
            )
        if node.op not in ("==", "!=") and _BOOL in (lk, rk):
            raise RuleSyntaxError(f"'{node.op}' cannot order true/false values", node.pos)
        return _BOOL
    assert isinstance(node, Call)
    ks = [check(a, kinds) for a in node.args]
    if node.func in ("is_null", "not_null"):
        return _BOOL
    if node.func == "count_true":
        for a, k in zip(node.args, ks, strict=False):
            if k not in (_BOOL, _ANY):
                raise RuleSyntaxError(f"count_true() counts conditions, got {_KIND_WORD[k]}", a.pos)
        return _NUM
    if node.func == "coalesce":
        real = {k for k in ks if k not in (_ANY, _NULL)}
        if len(real) > 1:
            raise RuleSyntaxError("coalesce() arguments must be of one kind", node.pos)
        return real.pop() if real else _ANY
    if node.func == "round" and len(node.args) == 2:
        nd = node.args[1]
        if not (
            isinstance(nd, Lit) and isinstance(nd.value, int) and not isinstance(nd.value, bool)
        ):
            raise RuleSyntaxError("round(x, digits): digits must be a whole number", nd.pos)
        ks = ks[:1]
    for a, k in zip(node.args, ks, strict=False):
        if k not in (_NUM, _ANY):
            raise RuleSyntaxError(f"{node.func}() needs numbers, got {_KIND_WORD[k]}", a.pos)
    return _NUM


_KIND_WORD = {
    _NUM: "a number",
    _STR: "a string",
    _BOOL: "a condition (true/false)",
    _DATE: "a date",
    _ANY: "a value",
    _NULL: "null",
}


# --------------------------------------------------------------------------
# compilation to Ibis


def _is_null_safe(node: Node) -> bool:
    """Whether a boolean node already yields true/false, never null."""
    if isinstance(node, Bin):
        return node.op in _COMPARE or node.op in ("and", "or")
    if isinstance(node, Unary):
        return node.op == "not"
    if isinstance(node, Call):
        return node.func in ("is_null", "not_null")
    return isinstance(node, Lit) and isinstance(node.value, bool)


class _Compiler:
    """Compile a checked tree to Ibis value expressions over ``table``."""

    def __init__(self, table: ir.Table, params: Mapping[str, Any]) -> None:
        self.t = table
        self.params = params

    def value(self, node: Node) -> ir.Value:
        if isinstance(node, Lit):
            return ibis.null() if node.value is None else ibis.literal(node.value)
        if isinstance(node, Name):
            if node.name in self.params:
                v = self.params[node.name]
                return ibis.null() if v is None else ibis.literal(v)
            return self.t[node.name]
        if isinstance(node, Unary):
            if node.op == "not":
                return ~self.cond(node.operand)
            v = self.value(node.operand)
            return -v if node.op == "-" else v
        if isinstance(node, Bin):
            if node.op == "and":
                return self.cond(node.left) & self.cond(node.right)
            if node.op == "or":
                return self.cond(node.left) | self.cond(node.right)
            left, right = self.value(node.left), self.value(node.right)
            if node.op == "+":
                return left + right
            if node.op == "-":
                return left - right
            if node.op == "*":
                return left * right
            if node.op == "/":
                # x / 0 -> null on every engine (Spark's ANSI mode would raise)
                return left / ibis.ifelse(right == 0, ibis.null(), right).cast("float64")
            cmp = {
                "==": left.__eq__,
                "!=": left.__ne__,
                "<": left.__lt__,
                "<=": left.__le__,
                ">": left.__gt__,
                ">=": left.__ge__,
            }[node.op](right)
            return cmp.fill_null(False)  # null compared -> false (module docstring)
        assert isinstance(node, Call)
        args = [self.value(a) for a in node.args]
        f = node.func
        if f == "is_null":
            return args[0].isnull()
        if f == "not_null":
            return args[0].notnull()
        if f == "min":
            return ibis.least(*args)
        if f == "max":
            return ibis.greatest(*args)
        if f == "abs":
            return args[0].abs()
        if f == "round":
            digits = node.args[1].value if len(node.args) == 2 else 0  # type: ignore[attr-defined]
            return args[0].round(digits)
        if f == "coalesce":
            return ibis.coalesce(*args)
        if f == "count_true":
            return sum((self.cond(a).cast("int64") for a in node.args), ibis.literal(0))
        raise AssertionError(f)  # pragma: no cover - FUNCTIONS is checked at parse time

    def cond(self, node: Node) -> ir.BooleanValue:
        """A condition that is never null (null counts as false)."""
        v = self.value(node)
        return v if _is_null_safe(node) else v.fill_null(False)

    # ---- reasons: the expression re-rendered with the values that were used

    def reason(self, node: Node, parent_prec: int = 0) -> ir.StringValue:
        if isinstance(node, Lit):
            return ibis.literal(_fmt(node.value))
        if isinstance(node, Name):
            if node.name in self.params:
                return ibis.literal(f"{node.name}={_fmt(self.params[node.name])}")
            return ibis.literal(f"{node.name}=") + _as_text(self.t[node.name])
        if isinstance(node, Unary):
            if node.op == "not":
                return ibis.literal("not (") + self.reason(node.operand) + ibis.literal(")")
            return ibis.literal(node.op) + self.reason(node.operand, _PREC["*"] + 1)
        if isinstance(node, Bin):
            if node.op == "or":
                # only the branch that made the rule fire is told
                return ibis.ifelse(
                    self.cond(node.left), self.reason(node.left, 0), self.reason(node.right, 0)
                )
            prec = _PREC[node.op]
            text = (
                self.reason(node.left, prec)
                + ibis.literal(f" {node.op} ")
                + self.reason(node.right, prec + 1)
            )
            if prec < parent_prec:
                text = ibis.literal("(") + text + ibis.literal(")")
            return text
        assert isinstance(node, Call)
        parts: ir.StringValue = ibis.literal(f"{node.func}(")
        for k, a in enumerate(node.args):
            if k:
                parts = parts + ibis.literal(", ")
            parts = parts + self.reason(a)
        return parts + ibis.literal(")")


def _fmt(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value):
            return str(int(value))
        return f"{value:.6g}"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _as_text(col: ir.Value) -> ir.StringValue:
    """Render a column value for a reason: whole floats without '.0', others to 4 places."""
    dt = col.type()
    if dt.is_floating() or dt.is_decimal():
        # Round first: engines sum floats in different orders (1878.0 vs 1877.9999999999998).
        r = col.round(4)
        whole = (r == r.floor()).fill_null(False) & (r.abs() < 1e15)
        text = ibis.ifelse(whole, r.cast("int64").cast("string"), r.cast("string"))
        return text.fill_null("null")
    return col.cast("string").fill_null("null")


# --------------------------------------------------------------------------
# rulebooks


@dataclass(frozen=True)
class Hook:
    """Code a framework needs beside its YAML (for rules that need a window).

    Attributes
    ----------
    requires : frozenset of str
        Input columns the preparation reads.
    provides : mapping of str to str
        Derived columns it adds, with their kinds (num, str, bool).
    prepare : callable
        ``prepare(facts, rulebook) -> (table, resolved)`` adds the derived
        columns and returns values resolved from the data (e.g. ``auto``
        params, cut points) to record on the rulebook.
    outputs : tuple of str
        Extra columns carried into the classification output.
    auto_params : frozenset of str
        Params that may be set to ``auto`` (resolved by ``prepare``).
    optional : frozenset of str
        Columns used when present (e.g. alert inputs), never required.
    """

    requires: frozenset[str] = frozenset()
    provides: Mapping[str, str] = field(default_factory=dict)
    prepare: Callable[[ir.Table, Rulebook], tuple[ir.Table, dict[str, Any]]] | None = None
    outputs: tuple[str, ...] = ()
    auto_params: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()


_HOOKS: dict[str, Hook] = {}


def register_hook(framework: str, hook: Hook) -> None:
    """Register the code side of a framework (used by :mod:`clientlib.frameworks`)."""
    _HOOKS[framework] = hook


def _hook_for(framework: str) -> Hook:
    import clientlib.frameworks  # noqa: F401  (registers the built-in hooks)

    return _HOOKS.get(framework, Hook())


@dataclass
class RuleClass:
    """One class of a rulebook: id, labels, condition and action."""

    id: str
    label: dict[str, str]
    action: dict[str, str]
    when: str | None
    tree: Node | None  # None for the catch-all


_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_LANG_RE = re.compile(r"^[a-z]{2}$")


@dataclass
class Rulebook:
    """An ordered, first-match rulebook compiled to Ibis.

    Build one with :meth:`from_yaml`; classify customer facts with
    :meth:`classify`.  After ``classify``, ``resolved_params_`` holds the
    params actually used (``auto`` values estimated from the data, RFM cut
    points).

    Examples
    --------
    >>> import ibis
    >>> text = '''
    ... framework: demo
    ... params: {min_orders: 3}
    ... classes:
    ...   - {id: fan, label: {en: Fan}, when: "orders >= min_orders"}
    ...   - {id: other, label: {en: Other}, otherwise: true}
    ... '''
    >>> rb = Rulebook.from_yaml(text)
    >>> facts = ibis.memtable({"customer_id": ["a", "b"], "orders": [4, 1]})
    >>> rb.classify(facts).to_pandas()[["customer_id", "class", "reason"]].values.tolist()
    [['a', 'fan', 'orders=4 >= min_orders=3'], ['b', 'other', 'no earlier rule matched']]
    """

    framework: str
    classes: list[RuleClass]
    params: dict[str, Any] = field(default_factory=dict)
    title: dict[str, str] = field(default_factory=dict)
    source: str | None = None
    origin: str = "<rulebook>"
    columns: dict[str, str] = field(default_factory=dict)
    scoring: dict[str, Any] | None = None
    hook: Hook = field(default_factory=Hook)
    resolved_params_: dict[str, Any] | None = None

    # ---- loading

    @classmethod
    def from_yaml(
        cls,
        path_or_text: str | Path,
        params: Mapping[str, Any] | str | Path | None = None,
        *,
        origin: str | None = None,
    ) -> Rulebook:
        """Load a rulebook from a YAML file or YAML text.

        Parameters
        ----------
        path_or_text : str or Path
            A path to a ``.yaml``/``.yml`` file, or the YAML text itself.
        params : dict or path, optional
            Param overrides (a dict, or a YAML file of ``name: value``).
            A ``scoring`` key (RFM) is merged into the ``scoring`` block.
        origin : str, optional
            Name used in error messages (default: the file name).

        Returns
        -------
        Rulebook

        Raises
        ------
        RulebookError
            Malformed structure or unknown param names.
        RuleSyntaxError
            A rejected ``when`` expression (names the rulebook, class, position).

        Examples
        --------
        >>> rb = Rulebook.from_yaml('''
        ... framework: demo
        ... classes: [{id: all, label: {en: All}, otherwise: true}]
        ... ''')
        >>> rb.framework, [c.id for c in rb.classes]
        ('demo', ['all'])
        """
        text, name = _read_text(path_or_text)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise RulebookError(f"{origin or name or '<rulebook>'}: not valid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise RulebookError(f"{origin or name or '<rulebook>'}: a rulebook is a YAML mapping")
        framework = data.get("framework")
        origin = origin or name or (f"{framework}.yaml" if framework else "<rulebook>")
        return cls.from_dict(data, params=_read_params(params, origin), origin=origin)

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        params: Mapping[str, Any] | None = None,
        origin: str = "<rulebook>",
    ) -> Rulebook:
        """Build a rulebook from an already-loaded mapping (see :meth:`from_yaml`).

        Examples
        --------
        >>> Rulebook.from_dict({"framework": "x", "classes": [
        ...     {"id": "a", "label": {"en": "A"}, "otherwise": True}]}).framework
        'x'
        """
        data = copy.deepcopy(dict(data))  # never keep references to the caller's objects
        known_keys = {
            "framework",
            "title",
            "source",
            "params",
            "classes",
            "columns",
            "scoring",
            "description",
        }
        extra = set(data) - known_keys
        if extra:
            raise RulebookError(
                f"{origin}: unknown key(s) {sorted(extra)}; allowed: {sorted(known_keys)}"
            )
        framework = data.get("framework")
        if not isinstance(framework, str) or not framework:
            raise RulebookError(f"{origin}: 'framework' (a name) is required")
        hook = _hook_for(framework)
        base = data.get("params") or {}
        if not isinstance(base, dict):
            raise RulebookError(f"{origin}: 'params' must be a mapping")
        overrides = dict(params or {})
        scoring = data.get("scoring")
        if "scoring" in overrides:
            scoring = {**(scoring or {}), **overrides.pop("scoring")}
        unknown = set(overrides) - set(base)
        if unknown:
            raise RulebookError(
                f"{origin}: unknown param(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(sorted(base)) or '(none)'}"
            )
        resolved = {**base, **overrides}
        for k, v in resolved.items():
            if v == "auto" and k not in hook.auto_params:
                raise RulebookError(
                    f"{origin}: param '{k}' cannot be 'auto' in framework '{framework}'"
                )
        declared = data.get("columns") or {}
        if isinstance(declared, list):
            declared = {c: _ANY for c in declared}
        if not isinstance(declared, dict) or any(
            k not in (_NUM, _STR, _BOOL, _DATE, _ANY) for k in declared.values()
        ):
            raise RulebookError(
                f"{origin}: 'columns' is a list of names or a mapping name: kind "
                f"(num, str, bool, date, any), got {declared!r}"
            )
        kinds: dict[str, str] = {**FACT_KINDS, **declared, **dict(hook.provides)}
        for k, v in resolved.items():
            kinds[k] = _NUM if k in hook.auto_params else _kind_of_value(v)
        raw_classes = data.get("classes")
        if not isinstance(raw_classes, list) or not raw_classes:
            raise RulebookError(f"{origin}: 'classes' must be a non-empty list")
        classes: list[RuleClass] = []
        seen: set[str] = set()
        for k, rc in enumerate(raw_classes):
            classes.append(_load_class(rc, k, origin, kinds, seen, last=k == len(raw_classes) - 1))
        title = data.get("title") or {}
        if isinstance(title, str):
            title = {"en": title}
        return cls(
            framework=framework,
            classes=classes,
            params=resolved,
            title=dict(title),
            source=data.get("source"),
            origin=origin,
            columns=dict(declared),
            scoring=scoring,
            hook=hook,
        )

    # ---- introspection

    @property
    def required_columns(self) -> set[str]:
        """Input columns the rulebook needs in the facts table."""
        names: set[str] = {"customer_id"} | set(self.hook.requires)
        for c in self.classes:
            if c.tree is not None:
                names |= names_in(c.tree)
        return names - set(self.params) - set(self.hook.provides)

    def missing_columns(self, facts: ir.Table) -> list[str]:
        """Required columns absent from ``facts`` (sorted).

        Examples
        --------
        >>> import ibis
        >>> from clientlib import frameworks
        >>> frameworks.load("ladder").missing_columns(ibis.memtable({"customer_id": ["a"]}))
        ['orders', 'referrals', 'touchpoints']
        """
        return sorted(self.required_columns - set(facts.columns))

    # ---- classification

    def prepare(self, facts: ir.Table) -> tuple[ir.Table, dict[str, Any]]:
        """Add derived columns and resolve data-dependent params.

        Returns
        -------
        (ibis.Table, dict)
            The table ready for the rules and the params to use.

        Examples
        --------
        >>> import ibis
        >>> from clientlib import frameworks
        >>> f = ibis.memtable({"customer_id": ["a", "b"], "orders": [1, 3],
        ...                    "purchase_days": [1, 3], "median_gap_days": [None, 15.0],
        ...                    "recency_days": [3, 4], "complaints_since_last_purchase": [0, 0],
        ...                    "touchpoints": [0, 0]})
        >>> frameworks.load("lifecycle").prepare(f)[1]["purchase_cycle_days"]
        30.0
        """
        missing = self.missing_columns(facts)
        if missing:
            raise MissingColumnsError(self.framework, missing)
        params = dict(self.params)
        table = facts
        if self.hook.prepare is not None:
            table, resolved = self.hook.prepare(facts, self)
            params.update(resolved)
        return table, params

    def classify(self, facts: ir.Table, lang: str = "en") -> ir.Table:
        """Classify every customer of ``facts`` (one output row per input row).

        Parameters
        ----------
        facts : ibis.Table
            Customer facts (see docs/CONTRACTS.md); needs :attr:`required_columns`.
        lang : {'en', 'ru'}
            Language of ``label`` and ``action`` (falls back to English).

        Returns
        -------
        ibis.Table
            ``customer_id, framework, class, label, reason, action`` plus any
            framework outputs (e.g. RFM scores).

        Raises
        ------
        MissingColumnsError
            When required columns are absent.

        Examples
        --------
        >>> import ibis
        >>> rb = Rulebook.from_yaml('''
        ... framework: demo
        ... classes:
        ...   - {id: big, label: {en: Big, ru: Крупный}, when: "total_spend > 100"}
        ...   - {id: small, label: {en: Small, ru: Мелкий}, otherwise: true}
        ... ''')
        >>> t = ibis.memtable({"customer_id": ["a"], "total_spend": [150.0]})
        >>> rb.classify(t, lang="ru").to_pandas().loc[0, "label"]
        'Крупный'
        """
        table, params = self.prepare(facts)
        self.resolved_params_ = params
        comp = _Compiler(table, params)
        rules = [c for c in self.classes if c.tree is not None]
        catch_all = self.classes[-1]
        conds = [comp.cond(c.tree) for c in rules]  # type: ignore[arg-type]
        if rules:
            cls_expr = ibis.cases(
                *[(cond, c.id) for cond, c in zip(conds, rules, strict=True)], else_=catch_all.id
            )
        else:
            cls_expr = ibis.literal(catch_all.id)
        staged = table.mutate(_clientlib_class=cls_expr)
        cls_col = staged["_clientlib_class"]
        comp = _Compiler(staged, params)

        def pick(mapping: dict[str, str]) -> ir.StringValue:
            pairs = [(cls_col == c.id, ibis.literal(mapping[c.id])) for c in self.classes]
            return ibis.cases(*pairs, else_=ibis.null("string"))

        labels = {c.id: _lang(c.label, lang) for c in self.classes}
        actions = {c.id: _lang(c.action, lang) for c in self.classes}
        catch_reason = "no earlier rule matched" if rules else "single class"
        if rules:
            reason = ibis.cases(
                *[(cls_col == c.id, comp.reason(c.tree)) for c in rules],  # type: ignore[arg-type]
                else_=ibis.literal(catch_reason),
            )
        else:
            reason = ibis.literal(catch_reason)
        out = {
            "customer_id": staged["customer_id"],
            "framework": ibis.literal(self.framework),
            "class": cls_col,
            "label": pick(labels),
            "reason": reason,
            "action": pick(actions),
        }
        for col in self.hook.outputs:
            if col in staged.columns:
                out[col] = staged[col]
        # A stable order, so that the same facts give the same rows on every engine.
        return staged.select(**out).order_by("customer_id")

    def describe(self, lang: str = "en") -> list[dict[str, str]]:
        """The classes as plain rows (id, label, rule, action), for docs and notebooks.

        Examples
        --------
        >>> from clientlib import frameworks
        >>> frameworks.load("ladder").describe()[0]["id"]
        'advocate'
        """
        return [
            {
                "id": c.id,
                "label": _lang(c.label, lang),
                "rule": c.when if c.tree is not None else "otherwise",
                "action": _lang(c.action, lang),
            }
            for c in self.classes
        ]


def _lang(d: Mapping[str, str], lang: str) -> str:
    return d.get(lang) or d.get("en") or ""


def _load_class(
    rc: Any, k: int, origin: str, kinds: Mapping[str, str], seen: set[str], last: bool
) -> RuleClass:
    if not isinstance(rc, dict):
        raise RulebookError(f"{origin}: class #{k + 1} must be a mapping")
    cid = rc.get("id")
    if not isinstance(cid, str) or not _ID_RE.match(cid):
        raise RulebookError(f"{origin}: class #{k + 1} needs a snake_case 'id', got {cid!r}")
    if cid in seen:
        raise RulebookError(f"{origin}: class id '{cid}' is used twice")
    seen.add(cid)
    extra = set(rc) - {"id", "label", "when", "otherwise", "action", "note"}
    if extra:
        raise RulebookError(f"{origin}, class '{cid}': unknown key(s) {sorted(extra)}")
    label = rc.get("label")
    if isinstance(label, str):
        label = {"en": label}
    if not isinstance(label, dict) or "en" not in label:
        raise RulebookError(f"{origin}, class '{cid}': 'label' needs at least 'en'")
    action = rc.get("action") or {}
    if isinstance(action, str):
        action = {"en": action}
    for what, texts in (("label", label), ("action", action)):
        # catches an unquoted comma in a YAML flow mapping, which splits the text into keys
        bad = [k for k, v in texts.items() if not (_LANG_RE.match(str(k)) and isinstance(v, str))]
        if bad:
            raise RulebookError(
                f"{origin}, class '{cid}': '{what}' maps language codes (en, ru) to text; "
                f"bad key(s) {bad} (quote texts that contain a comma)"
            )
    otherwise = rc.get("otherwise", False)
    when = rc.get("when")
    if otherwise is True:
        if when is not None:
            raise RulebookError(
                f"{origin}, class '{cid}': use either 'when' or 'otherwise', not both"
            )
        if not last:
            raise RulebookError(
                f"{origin}, class '{cid}': the 'otherwise' class must be the last one"
            )
        return RuleClass(cid, dict(label), dict(action), None, None)
    if last:
        raise RulebookError(
            f"{origin}: the last class ('{cid}') must be a catch-all with 'otherwise: true', "
            "so that every customer gets a class"
        )
    if when is None:
        raise RulebookError(f"{origin}, class '{cid}': needs 'when' (or 'otherwise: true' if last)")
    try:
        tree = parse(when)
        kind = check(tree, kinds)
    except RuleSyntaxError as exc:
        raise exc.located(origin, cid) from None
    if kind not in (_BOOL, _ANY):
        raise RuleSyntaxError(
            f"'when' must be a condition (true/false), got {_KIND_WORD[kind]}", 1, origin, cid
        )
    return RuleClass(cid, dict(label), dict(action), when, tree)


def _read_text(path_or_text: str | Path) -> tuple[str, str | None]:
    if isinstance(path_or_text, Path):
        return path_or_text.read_text(encoding="utf-8"), path_or_text.name
    s = str(path_or_text)
    if "\n" not in s and s.lower().endswith((".yaml", ".yml")):
        p = Path(s)
        if not p.exists():
            raise RulebookError(f"rulebook file not found: {s}")
        return p.read_text(encoding="utf-8"), p.name
    return s, None


def _read_params(params: Mapping[str, Any] | str | Path | None, origin: str) -> dict[str, Any]:
    if params is None:
        return {}
    if isinstance(params, (str, Path)):
        p = Path(params)
        if not p.exists():
            raise RulebookError(f"{origin}: params file not found: {p}")
        loaded = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise RulebookError(f"{origin}: params file {p} must be a mapping of name: value")
        return loaded
    return dict(params)
