"""The custom-column language: `name = expression` with numbers, metric names, + - * / and ( ).

A small hand-written tokenizer and recursive-descent parser; nothing is ever `eval`'d. Anything
that is not that arithmetic (calls, attributes, powers, strings, lambdas…) is refused with the
position of the problem. Limits on length and nesting make hostile input fail fast.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

MAX_LENGTH = 500
MAX_DEPTH = 40
MAX_NODES = 200
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
COLUMN_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
UNITS = ("count", "currency", "ratio", "per_mille", "seconds", "multiple")


class FormulaError(ValueError):
    """A formula the user typed is not valid; `position` points into the text (0-based)."""

    def __init__(self, message: str, position: int | None = None, text: str = ""):
        super().__init__(message)
        self.message = message
        self.position = position
        self.text = text

    def pointer(self) -> str:
        """The formula with a caret under the problem, for monospace display."""
        if self.position is None or not self.text or len(self.text) > 200:
            return ""
        return f"{self.text}\n{' ' * self.position}^"


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Name:
    name: str
    position: int


@dataclass(frozen=True)
class Neg:
    operand: object


@dataclass(frozen=True)
class BinOp:
    op: str
    left: object
    right: object


_TOKEN = re.compile(
    # [0-9], not \d: \d also matches Arabic-Indic, Devanagari, … digits, which are not numbers here.
    r"(?P<space>\s+)|(?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>[-+*/()])"
)

_FORBIDDEN_HINTS = {
    "**": "powers (**) are not allowed",
    "^": "powers (^) are not allowed",
    ".": "attribute access (.) is not allowed",
    ",": "commas are not allowed (function calls are not supported; use . for decimals)",
    "[": "indexing ([ ]) is not allowed",
    "'": "text in quotes is not allowed",
    '"': "text in quotes is not allowed",
    "%": "% is not an operator here; write / 100",
    "=": "only one '=' is allowed, between the column name and the expression",
}


# The signs a marketer types or pastes (and the caption offers): × ÷ − read as * / -. One
# character each, so error positions stay right.
OPERATOR_SIGNS = str.maketrans({"×": "*", "÷": "/", "−": "-", "–": "-", "∗": "*", "∕": "/"})


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out = []
    pos = 0
    text = text.translate(OPERATOR_SIGNS)
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            ch = text[pos]
            two = text[pos : pos + 2]
            hint = _FORBIDDEN_HINTS.get(two) or _FORBIDDEN_HINTS.get(ch)
            if hint is None and ch.isdigit():
                hint = f"'{ch}' is not one of the digits 0–9; write numbers with 0–9"
            message = (
                hint
                or f"'{ch}' is not allowed: use numbers, metric names, + − × ÷ (or + - * /) and ( )"
            )
            raise FormulaError(
                message[0].upper() + message[1:] + f" (at character {pos + 1}).", pos, text
            )
        kind = m.lastgroup
        if kind == "op" and text.startswith("**", pos):
            raise FormulaError(f"Powers (**) are not allowed (at character {pos + 1}).", pos, text)
        if kind != "space":
            out.append((kind, m.group(), pos))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str, names: set[str]):
        self.text = text
        self.tokens = _tokens(text)
        self.i = 0
        self.names = names
        self.nodes = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def error(self, message: str, position: int | None = None) -> FormulaError:
        if position is None:
            tok = self.peek()
            position = tok[2] if tok else len(self.text)
        return FormulaError(f"{message} (at character {position + 1}).", position, self.text)

    def count(self):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.error(f"The formula is too long (more than {MAX_NODES} parts)")

    def parse(self):
        if not self.tokens:
            raise FormulaError(
                "The formula is empty: write e.g. spend / video_watched_2s.", 0, self.text
            )
        node = self.expr(0)
        tok = self.peek()
        if tok is not None:
            if tok[1] == ")":
                raise self.error("This ')' has no matching '('")
            if tok[0] == "name" and self.i > 0 and self.tokens[self.i - 1][0] == "name":
                raise self.error(f"Missing operator before '{tok[1]}'")
            if tok[1] == "(":
                raise self.error(
                    "Function calls and implicit multiplication are not allowed; use *"
                )
            raise self.error(f"Unexpected '{tok[1]}'")
        return node

    def expr(self, depth: int):
        node = self.term(depth)
        while (tok := self.peek()) and tok[1] in "+-" and tok[0] == "op":
            self.i += 1
            self.count()
            node = BinOp(tok[1], node, self.term(depth))
        return node

    def term(self, depth: int):
        node = self.factor(depth)
        while (tok := self.peek()) and tok[1] in "*/" and tok[0] == "op":
            self.i += 1
            self.count()
            node = BinOp(tok[1], node, self.factor(depth))
        return node

    def factor(self, depth: int):
        if depth > MAX_DEPTH:
            raise self.error(f"Too many nested parentheses or signs (more than {MAX_DEPTH})")
        tok = self.peek()
        if tok is None:
            raise self.error("The formula ends too early: a number or metric name is missing")
        kind, value, pos = tok
        self.count()
        if kind == "op" and value in "+-":
            self.i += 1
            operand = self.factor(depth + 1)
            return Neg(operand) if value == "-" else operand
        if kind == "op" and value == "(":
            self.i += 1
            node = self.expr(depth + 1)
            close = self.peek()
            if close is None or close[1] != ")":
                raise self.error("A '(' is never closed", pos)
            self.i += 1
            return node
        if kind == "number":
            self.i += 1
            number = float(value)
            if not np.isfinite(number) or abs(number) > 1e15:
                raise self.error("That number is too large", pos)
            return Num(number)
        if kind == "name":
            self.i += 1
            nxt = self.peek()
            if nxt is not None and nxt[1] == "(":
                raise self.error(f"Function calls such as '{value}(…)' are not allowed", nxt[2])
            if value not in self.names:
                raise FormulaError(_unknown(value, self.names, pos), pos, self.text)
            return Name(value, pos)
        raise self.error(f"Expected a number or a metric name, not '{value}'")


def _unknown(name: str, names: Iterable[str], pos: int) -> str:
    names = sorted(names)
    exact = [n for n in names if n.lower() == name.lower()]  # CTR → ctr: names are lower case
    close = exact or difflib.get_close_matches(name.lower(), names, n=1, cutoff=0.6)
    hint = f" Did you mean `{close[0]}`?" if close else ""
    return f"Unknown name `{name}` (at character {pos + 1}).{hint}"


@dataclass(frozen=True)
class Formula:
    """A parsed expression; `names` are the metric names it reads."""

    text: str
    tree: object

    @property
    def names(self) -> list[str]:
        found: list[str] = []

        def walk(node):
            if isinstance(node, Name):
                if node.name not in found:
                    found.append(node.name)
            elif isinstance(node, Neg):
                walk(node.operand)
            elif isinstance(node, BinOp):
                walk(node.left)
                walk(node.right)

        walk(self.tree)
        return found

    def evaluate(self, values: Mapping[str, pd.Series | float]):
        """Evaluate on aggregated numbers (Series or scalars). x / 0 is no value (NaN), never inf."""

        def ev(node):
            if isinstance(node, Num):
                return node.value
            if isinstance(node, Name):
                return values[node.name]
            if isinstance(node, Neg):
                return -ev(node.operand)
            left, right = ev(node.left), ev(node.right)
            if node.op == "+":
                return left + right
            if node.op == "-":
                return left - right
            if node.op == "*":
                return left * right
            return safe_divide(left, right)

        with np.errstate(all="ignore"):
            result = ev(self.tree)
        if isinstance(result, pd.Series):
            return result.astype("float64").where(np.isfinite(result.astype("float64")))
        result = float(result)
        return result if np.isfinite(result) else float("nan")


def safe_divide(numerator, denominator):
    """Division where a zero or missing denominator gives NaN, for scalars and Series alike."""
    if isinstance(numerator, pd.Series) or isinstance(denominator, pd.Series):
        num = (
            numerator
            if isinstance(numerator, pd.Series)
            else pd.Series(numerator, index=denominator.index)
        )
        den = (
            denominator
            if isinstance(denominator, pd.Series)
            else pd.Series(denominator, index=num.index)
        )
        den = den.astype("float64")
        with np.errstate(all="ignore"):
            return (num.astype("float64") / den.where(den != 0)).astype("float64")
    if denominator is None or denominator == 0 or np.isnan(denominator):
        return float("nan")
    return numerator / denominator


def parse_expression(text: str, names: Iterable[str]) -> Formula:
    """Parse an expression over `names`; raise FormulaError pointing at the problem."""
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            f"The formula is {len(text):,} characters long; at most {MAX_LENGTH} are allowed.",
            None,
            "",
        )
    tree = _Parser(text, set(names)).parse()
    return Formula(text.strip(), tree)


@dataclass(frozen=True)
class CustomColumn:
    name: str
    formula: Formula
    unit: str = "ratio"

    @property
    def expression(self) -> str:
        return self.formula.text

    def to_dict(self) -> dict:
        return {"name": self.name, "expression": self.expression, "unit": self.unit}


# Dimension and key columns of the tables a custom column can land in.
RESERVED_NAMES = frozenset(
    {"campaign", "ad_group", "ad", "date", "week", "month", "video_link", "video_title",
     "post_time", "currency", "campaign_id", "ad_group_id", "ad_id"}
)  # fmt: skip


def _constant(node) -> float | None:
    """The value of a subtree made of numbers only, else None."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Neg):
        inner = _constant(node.operand)
        return None if inner is None else -inner
    if isinstance(node, BinOp):
        a, b = _constant(node.left), _constant(node.right)
        if a is None or b is None:
            return None
        if node.op == "/":
            return None if b == 0 else a / b
        return {"+": a + b, "-": a - b, "*": a * b}[node.op]
    return None


def _divides_by_constant_zero(node) -> bool:
    if isinstance(node, Neg):
        return _divides_by_constant_zero(node.operand)
    if isinstance(node, BinOp):
        if node.op == "/" and _constant(node.right) == 0:
            return True
        return _divides_by_constant_zero(node.left) or _divides_by_constant_zero(node.right)
    return False


def parse_custom_column(definition: str, names: Iterable[str], unit: str = "ratio") -> CustomColumn:
    """Parse `name = expression`; the name must be new and snake_case."""
    if len(definition) > MAX_LENGTH:
        raise FormulaError(
            f"The column is {len(definition):,} characters long (name, = and formula); at most "
            f"{MAX_LENGTH} are allowed."
        )
    if unit not in UNITS:
        raise FormulaError(f"Unknown unit '{unit}'. Choose one of: {', '.join(UNITS)}.")
    if "=" not in definition:
        raise FormulaError(
            "Write the column as name = expression, e.g. cost_per_2s_view = spend / video_watched_2s."
        )
    name, _, expression = definition.partition("=")
    name = name.strip()
    if not COLUMN_NAME_RE.match(name):
        raise FormulaError(
            f"The column name '{name[:40]}' must start with a letter and use only lower-case "
            "letters, digits and _ (at most 40 characters)."
        )
    names = set(names)
    if name in RESERVED_NAMES:
        raise FormulaError(
            f"`{name}` is the name of a table column (campaign, ad group, ad, date…); choose "
            "another name for the column."
        )
    if name in names:
        raise FormulaError(
            f"`{name}` is already a metric or one of your columns; choose another name for the "
            "column."
        )
    offset = len(definition) - len(definition.partition("=")[2])
    try:
        formula = parse_expression(expression, names)
        if _divides_by_constant_zero(formula.tree):
            raise FormulaError(
                "The formula divides by zero (a number, not a metric that can be zero on some "
                "rows), so the column would never have a value."
            )
    except FormulaError as err:
        position = None if err.position is None else err.position + offset
        message = err.message
        if err.position is not None:
            message = re.sub(r"at character \d+", f"at character {position + 1}", message)
        raise FormulaError(message, position, definition) from None
    return CustomColumn(name, formula, unit)
