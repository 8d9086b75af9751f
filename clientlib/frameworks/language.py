"""The rule language of the rulebooks: a safe, bounded expression language compiled to Ibis.

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

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from clientlib.frameworks.errors import RulebookError

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_RULE_CHARS",
    "Node",
    "RuleSyntaxError",
    "RulebookError",
    "check",
    "depth",
    "names_in",
    "parse",
    "short",
    "tokenize",
]

#: Longest ``when`` expression accepted (a 1,000-term ``or`` chain is about 15,000 characters).
MAX_RULE_CHARS = 100_000
#: Deepest nesting accepted: parentheses, calls, ``not`` and signs, and the depth of the tree.
MAX_DEPTH = 64


def short(value: Any, limit: int = 40) -> str:
    """A value as quoted in an error message, cut to ``limit`` characters.

    Examples
    --------
    >>> short("x" * 100, 10)
    'xxxxxxxxx…'
    """
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------
# errors



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



# --------------------------------------------------------------------------
# known names and their kinds (num, str, bool, date, any) -- used for load-time checks

_NUM, _STR, _BOOL, _DATE, _ANY, _NULL = "num", "str", "bool", "date", "any", "null"

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
    """A node of the syntax tree; ``pos`` is its 1-based character position."""

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
        self.depth = 0

    def enter(self, tok: Token) -> None:
        # Each level of nesting costs Python frames: bound it before the interpreter does.
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise RuleSyntaxError(
                f"nested more than {MAX_DEPTH} levels deep; split the rule into simpler ones",
                tok.pos,
            )

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
        terms, ops = [self.and_expr()], []
        while self.at("KW", "or"):
            ops.append(self.take())
            terms.append(self.and_expr())
        return _balanced("or", terms, ops)

    def and_expr(self) -> Node:
        terms, ops = [self.not_expr()], []
        while self.at("KW", "and"):
            ops.append(self.take())
            terms.append(self.not_expr())
        return _balanced("and", terms, ops)

    def not_expr(self) -> Node:
        if self.at("KW", "not"):
            tok = self.take()
            self.enter(tok)
            node = Unary(tok.pos, "not", self.not_expr())
            self.depth -= 1
            return node
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
            self.enter(tok)
            node = Unary(tok.pos, tok.value, self.unary())
            self.depth -= 1
            return node
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
                        f"function '{short(tok.value)}' is not allowed; "
                        f"allowed: {', '.join(sorted(FUNCTIONS))}",
                        tok.pos,
                    )
                self.enter(self.take())
                args: list[Node] = []
                if not self.at("OP", ")"):
                    args.append(self.or_expr())
                    while self.at("OP", ","):
                        self.take()
                        args.append(self.or_expr())
                self.expect_op(")")
                self.depth -= 1
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
            self.enter(tok)
            node = self.or_expr()
            self.expect_op(")")
            self.depth -= 1
            return node
        raise RuleSyntaxError(
            f"unexpected {_describe(tok)}; expected a value, a name or '('", tok.pos
        )


def _describe(tok: Token) -> str:
    if tok.kind == "EOF":
        return "end of expression"
    if tok.kind == "STR":
        return f"string {short(repr(tok.value))}"
    return f"'{short(tok.value)}'"


def _balanced(op: str, terms: list[Node], ops: list[Token]) -> Node:
    """Join ``a op b op c …`` as a balanced tree: ``and``/``or`` are associative, and a
    1,000-term chain must not become a 1,000-deep tree (the checker, compiler and reason text
    walk it recursively, and so does the engine's SQL generator).
    """
    if len(terms) == 1:
        return terms[0]
    mid = len(terms) // 2
    return Bin(
        ops[mid - 1].pos,
        op,
        _balanced(op, terms[:mid], ops[: mid - 1]),
        _balanced(op, terms[mid:], ops[mid:]),
    )


def depth(node: Node) -> int:
    """Depth of a tree, measured without recursion.

    Examples
    --------
    >>> depth(parse("a + b + c > 1"))
    4
    """
    deepest, stack = 0, [(node, 1)]
    while stack:
        n, d = stack.pop()
        deepest = max(deepest, d)
        if isinstance(n, Unary):
            stack.append((n.operand, d + 1))
        elif isinstance(n, Bin):
            stack += [(n.left, d + 1), (n.right, d + 1)]
        elif isinstance(n, Call):
            stack += [(a, d + 1) for a in n.args]
    return deepest


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
    if len(text) > MAX_RULE_CHARS:
        raise RuleSyntaxError(
            f"the expression has {len(text):,} characters; at most {MAX_RULE_CHARS:,} are accepted",
            1,
        )
    tree = _Parser(text).parse()
    if depth(tree) > MAX_DEPTH:
        raise RuleSyntaxError(
            f"the expression is more than {MAX_DEPTH} operations deep (a long chain of + - * /); "
            "split it into simpler rules",
            1,
        )
    return tree


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
                f"unknown name '{short(node.name)}'{hint}; known: {', '.join(sorted(kinds))}",
                node.pos,
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


class Compiler:
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
            # 'and' is associative (its chains are balanced trees): no parentheses inside one
            right_prec = prec if node.op == "and" else prec + 1
            text = (
                self.reason(node.left, prec)
                + ibis.literal(f" {node.op} ")
                + self.reason(node.right, right_prec)
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
        r = col.cast("float64").round(4)
        whole = (r == r.floor()).fill_null(False) & (r.abs() < 1e15)
        # Digits written out by hand: engines cast small floats differently (DuckDB 0.0009,
        # Spark 9.0E-4), and a reason must read the same on every engine.
        a = r.abs()
        units = a.floor()
        frac = ((a - units) * 10_000).round().cast("int64")
        decimals = frac.cast("string").lpad(4, "0").re_replace("0+$", "")
        sign = ibis.ifelse(r < 0, ibis.literal("-"), ibis.literal(""))
        fraction = sign + units.cast("int64").cast("string") + ibis.literal(".") + decimals
        text = ibis.ifelse(whole, r.cast("int64").cast("string"), fraction)
        return text.fill_null("null")
    return col.cast("string").fill_null("null")


