"""Length expressions: `length = "rows * cols"` on a typed-array argument.

A tiny grammar (integers, argument names, + - *, parentheses) parsed here so a
bad expression is a spec error, not a Rust compile error. The wrapper evaluates
it in i128, where a few u32 operands can never overflow.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# A name may be dotted (`matrix.rows`: a field of a struct argument), or the length of an
# array argument (`len(re)`), where the spec allows it.
_NAME = r"len\(\s*[A-Za-z_][A-Za-z0-9_]*\s*\)|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?"
_TOKEN = re.compile(rf"\s*(?:(\d+)|({_NAME})|(.))")


class ExprError(ValueError):
    pass


@dataclass(frozen=True)
class Num:
    value: int


@dataclass(frozen=True)
class Var:
    name: str


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Expr
    right: Expr


Expr = Num | Var | BinOp


def parse(text: str) -> Expr:
    tokens = _tokenize(text)
    parser = _Parser(tokens)
    tree = parser.expression()
    if parser.peek() is not None:
        raise ExprError(f"unexpected `{parser.peek()}` in `{text}`")
    return tree


def variables(tree: Expr) -> list[str]:
    if isinstance(tree, Var):
        return [tree.name]
    if isinstance(tree, BinOp):
        return variables(tree.left) + [v for v in variables(tree.right) if v not in variables(tree.left)]
    return []


def length_of(name: str) -> str | None:
    """`re` for the variable `len(re)`; None for any other name."""
    return name[4:-1] if name.startswith("len(") else None


def magnitude_bound(tree: Expr, variable: int) -> int:
    """An upper bound of |value| when every variable's magnitude is at most `variable`."""
    if isinstance(tree, Num):
        return tree.value
    if isinstance(tree, Var):
        return variable
    left, right = magnitude_bound(tree.left, variable), magnitude_bound(tree.right, variable)
    return left * right if tree.op == "*" else left + right


def render(tree: Expr, name: Callable[[str], str]) -> str:
    """Source text of the expression with variables mapped through `name`."""
    if isinstance(tree, Num):
        return str(tree.value)
    if isinstance(tree, Var):
        return name(tree.name)
    left, right = render(tree.left, name), render(tree.right, name)
    if tree.op == "*":
        left = f"({left})" if isinstance(tree.left, BinOp) and tree.left.op != "*" else left
        right = f"({right})" if isinstance(tree.right, BinOp) and tree.right.op != "*" else right
    elif tree.op == "-" and isinstance(tree.right, BinOp) and tree.right.op != "*":
        right = f"({right})"
    return f"{left} {tree.op} {right}"


def _tokenize(text: str) -> list[str]:
    tokens = []
    for number, ident, other in _TOKEN.findall(text):
        token = number or ident or other
        if other and other not in "+-*()":
            if other.strip():
                raise ExprError(f"`{other}` is not allowed in a length expression (use + - * and parentheses)")
            continue
        tokens.append(token)
    if not tokens:
        raise ExprError("empty length expression")
    return tokens


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise ExprError("the expression ends too early")
        self.position += 1
        return token

    def expression(self) -> Expr:
        tree = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            tree = BinOp(op, tree, self.term())
        return tree

    def term(self) -> Expr:
        tree = self.factor()
        while self.peek() == "*":
            self.take()
            tree = BinOp("*", tree, self.factor())
        return tree

    def factor(self) -> Expr:
        token = self.take()
        if token == "(":
            inner = self.expression()
            if self.take() != ")":
                raise ExprError("missing `)`")
            return inner
        if token.isdigit():
            return Num(int(token))
        if re.fullmatch(_NAME, token):
            return Var(re.sub(r"\s+", "", token))
        raise ExprError(f"unexpected `{token}`")
