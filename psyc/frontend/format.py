"""``psyc fmt``: the canonical layout of .psy source, comments kept.

The formatter reads the lark parse tree of the same grammar the compiler uses (every
token kept, comments collected by the lexer) and prints it through a small Wadler-style
document printer: a bracketed list or a block stays on one line when it was on one line
in the source and fits in :data:`WIDTH` columns, and is laid out one element per line
(with a trailing comma) otherwise. Blank lines between items and statements are kept
(at most one). A construct the formatter does not know is an error, never a guess, and
every result is checked before it is returned: it must parse to the same AST and keep
every comment, or the input is left unchanged.

    >>> format_source("fn main(a:u8)->pub u8{a+1}")
    'fn main(a: u8) -> pub u8 { a + 1 }\\n'
"""

from __future__ import annotations

import bisect
import dataclasses
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from lark import Lark, Token, Tree

from psyc.frontend.parser import parse
from psyc.util.diagnostics import CompileError

WIDTH = 100
INDENT = 4
# operators whose left-associative chains break one operand a line when too long: one
# precedence level a number (`a + b - c` is one chain, `a + b * c` is not)
_CHAIN_LEVELS = {"||": 0, "&&": 1, "|": 2, "^": 3, "&": 4, "+": 5, "-": 5}


class FormatError(Exception):
    """The source cannot be formatted safely (a construct the formatter does not know,
    or a result that would not mean the same program). The input stays unchanged."""


# =========================================================================================
# documents and their printer
# =========================================================================================
@dataclass
class _Group:
    parts: list
    broken: bool = False  # forced: by the source layout, a hard line or a line comment


@dataclass
class _Indent:
    parts: list


@dataclass
class _Line:
    soft: bool = False  # flat: "" instead of " "
    hard: bool = False  # always a newline (breaks every enclosing group)


@dataclass
class _IfBreak:
    broken: str
    flat: str = ""


@dataclass
class _LineSuffix:
    text: str  # a trailing `// comment`: printed just before the next newline


@dataclass
class _Fill:
    """``[item, sep, item, sep, …]``: as many items on a line as fit (a broken sep is a
    newline), for lists of short values such as array literals."""

    parts: list


@dataclass
class _FillSep:
    sep: object
    next: object


LINE, SOFT, HARD = _Line(), _Line(soft=True), _Line(hard=True)
_BREAK_PARENT = _Group([], broken=True)  # a forced break with no output of its own


def _propagate(doc) -> bool:
    """Mark every group broken that contains a forced break; returns whether ``doc`` does."""
    if isinstance(doc, str | _IfBreak):
        return False
    if isinstance(doc, _Line):
        return doc.hard
    if isinstance(doc, _LineSuffix):
        return False
    if isinstance(doc, list):
        found = False
        for d in doc:
            found |= _propagate(d)
        return found
    if isinstance(doc, _Indent | _Fill):
        return _propagate(doc.parts)
    inner = _propagate(doc.parts)
    doc.broken |= inner
    return doc.broken


_FLAT, _BREAK = 0, 1


def _pop_trailing_comment(doc: list) -> list:
    """Remove and return a trailing line comment (its suffix and forced break) that ends
    ``doc``, a nested list; ``[]`` when ``doc`` does not end with one."""
    while doc and isinstance(doc[-1], list) and doc[-1]:
        doc = doc[-1]
    if len(doc) >= 2 and doc[-1] is _BREAK_PARENT and isinstance(doc[-2], _LineSuffix):
        tail = doc[-2:]
        del doc[-2:]
        return tail
    return []


def _flat_text(doc) -> str:
    """``doc`` printed flat (for measuring)."""
    if isinstance(doc, str):
        return doc
    if isinstance(doc, list | tuple):
        return "".join(_flat_text(x) for x in doc)
    if isinstance(doc, _Indent | _Group | _Fill):
        return _flat_text(doc.parts)
    if isinstance(doc, _IfBreak):
        return doc.flat
    if isinstance(doc, _Line):
        return "" if doc.soft else " "
    return ""


def _fits(cmds: list, rest: list, width: int) -> bool:
    cmds = list(cmds)
    k = len(rest)
    while width >= 0:
        if not cmds:
            if k == 0:
                return True
            k -= 1
            cmds.append(rest[k])
            continue
        ind, mode, d = cmds.pop()
        if isinstance(d, str):
            width -= len(d)
        elif isinstance(d, list):
            cmds.extend((ind, mode, x) for x in reversed(d))
        elif isinstance(d, _Fill):
            cmds.extend((ind, mode, x) for x in reversed(d.parts))
        elif isinstance(d, _Indent):
            cmds.append((ind + INDENT, mode, d.parts))
        elif isinstance(d, _Group):
            cmds.append((ind, _BREAK if d.broken else mode, d.parts))
        elif isinstance(d, _IfBreak):
            width -= len(d.broken if mode == _BREAK else d.flat)
        elif isinstance(d, _Line):
            if mode == _BREAK or d.hard:
                return True
            width -= 0 if d.soft else 1
    return False


def _print(doc, width: int = WIDTH) -> str:
    _propagate(doc)
    out: list[str] = []
    suffix: list[str] = []
    pos = 0
    stack = [(0, _BREAK, doc)]
    while stack:
        ind, mode, d = stack.pop()
        if isinstance(d, str):
            out.append(d)
            pos += len(d)
        elif isinstance(d, list):
            stack.extend((ind, mode, x) for x in reversed(d))
        elif isinstance(d, _Indent):
            stack.append((ind + INDENT, mode, d.parts))
        elif isinstance(d, _Fill):
            if mode == _FLAT:
                stack.extend((ind, _FLAT, x) for x in reversed(d.parts))
                continue
            todo = []
            for k in range(0, len(d.parts), 2):
                todo.append((ind, _FLAT, d.parts[k]))
                if k + 2 < len(d.parts):
                    todo.append((ind, _BREAK, _FillSep(d.parts[k + 1], d.parts[k + 2])))
            stack.extend(reversed(todo))
        elif isinstance(d, _FillSep):  # flat when the next item still fits on this line
            fits = pos + len(_flat_text(d.sep)) + len(_flat_text(d.next)) <= width
            stack.append((ind, _FLAT if fits else _BREAK, d.sep))
        elif isinstance(d, _Group):
            if mode == _FLAT and not d.broken or not d.broken and _fits([(ind, _FLAT, d.parts)], stack, width - pos):
                stack.append((ind, _FLAT, d.parts))
            else:
                stack.append((ind, _BREAK, d.parts))
        elif isinstance(d, _IfBreak):
            s = d.broken if mode == _BREAK else d.flat
            out.append(s)
            pos += len(s)
        elif isinstance(d, _LineSuffix):
            suffix.append(d.text)
        elif isinstance(d, _Line):
            if mode == _FLAT and not d.hard:
                if not d.soft:
                    out.append(" ")
                    pos += 1
                continue
            out.extend(suffix)
            suffix.clear()
            out.append("\n" + " " * ind)
            pos = ind
    out.extend(suffix)
    text = re.sub(r"[ \t]+\n", "\n", "".join(out))
    return _align_trailing_comments(text.rstrip()) + "\n"


_MARK, _END = "\x00", "\x01"  # a trailing comment: MARK source-column END comment


def _align_trailing_comments(text: str) -> str:
    """A comment after code keeps the column it had in the source (so comments the author
    aligned stay aligned), at least one space after the code."""
    out = []
    for line in text.split("\n"):
        if _MARK in line:
            code, rest = line.split(_MARK, 1)
            col, comment = rest.split(_END, 1)
            code = code.rstrip()
            pad = max(int(col) - 1 - len(code), 1)
            line = code + " " * pad + comment
        out.append(line)
    return "\n".join(out)


# =========================================================================================
# parse tree -> document
# =========================================================================================
_CST_LOCK = threading.Lock()


@cache
def _cst_parser() -> tuple[Lark, list]:
    comments: list[Token] = []
    grammar = resources.files("psyc.frontend").joinpath("grammar.lark").read_text()
    parser = Lark(
        grammar,
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=False,
        keep_all_tokens=True,
        lexer_callbacks={"LINE_COMMENT": comments.append, "BLOCK_COMMENT": comments.append},
    )
    return parser, comments


def _first_token(node) -> Token:
    if isinstance(node, Token):
        return node
    for c in node.children:
        t = _first_token(c)
        if t is not None:
            return t
    return None


def _last_token(node) -> Token:
    if isinstance(node, Token):
        return node
    for c in reversed(node.children):
        t = _last_token(c)
        if t is not None:
            return t
    return None


_LISTS = {"params", "generics", "struct_fields", "args", "array_items", "field_inits", "attr_args"}
_HUGGED = {"array_lit", "struct_lit"}


class _Printer:
    def __init__(self, text: str, tokens: list[Token], comments: list[Token]) -> None:
        self.text = text
        self.comments = comments
        self.ci = 0
        self.next_start = {}
        for k, t in enumerate(tokens):
            self.next_start[id(t)] = tokens[k + 1].start_pos if k + 1 < len(tokens) else len(text) + 1
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.last_line = 0  # the source line where the last emitted token or comment ended

    # ---- tokens and comments ----------------------------------------------------------
    def tok(self, t: Token) -> list:
        """A source token, with the comments around it."""
        out = self.leading(t.start_pos)
        out.append(str(t))
        out += self.trailing(t)
        return out

    def skip(self, t: Token) -> list:
        """A source token the layout drops or replaces (a trailing comma, a stray `;`):
        its comments stay."""
        out = self.leading(t.start_pos)
        return out + self.trailing(t)

    def trailing(self, t: Token) -> list:
        self.last_line = t.end_line
        out = []
        limit = self.next_start[id(t)]
        while self.ci < len(self.comments):
            c = self.comments[self.ci]
            if c.start_pos >= limit or c.line != self.last_line:
                break
            self.ci += 1
            out += self._comment_after(c)
        return out

    def _comment_after(self, c: Token) -> list:
        """A comment that follows code on its line."""
        self.last_line = c.end_line
        if c.type == "LINE_COMMENT":
            return [_LineSuffix(f"{_MARK}{c.column}{_END}{str(c).rstrip()}"), _BREAK_PARENT]
        return [" " + str(c), _BREAK_PARENT if "\n" in str(c) else ""]

    def leading(self, pos: int, first: bool = False) -> list:
        """The comments that start before ``pos``: those on a line of their own get their
        own line (after a blank line when the source had one)."""
        out: list = []
        while self.ci < len(self.comments) and self.comments[self.ci].start_pos < pos:
            c = self.comments[self.ci]
            self.ci += 1
            if c.line == self.last_line:
                out += self._comment_after(c)
                continue
            if self.last_line and c.line - self.last_line >= 2 and not (first and not out):
                out.append(HARD)
            self.last_line = c.end_line
            same_line = c.type == "BLOCK_COMMENT" and self._line_of(pos) == c.end_line
            out += [str(c).rstrip(), " " if same_line else HARD]
        return out

    def _line_of(self, pos: int) -> int:
        return bisect.bisect_right(self.line_starts, pos)

    # ---- nodes -------------------------------------------------------------------------
    def d(self, node: Tree | Token) -> list | str:
        if isinstance(node, Token):
            return self.tok(node)
        handler = getattr(self, "r_" + node.data, None)
        if handler is None:
            line = node.meta.line if not node.meta.empty else "?"
            raise FormatError(f"line {line}: `psyc fmt` does not know how to lay out `{node.data}` yet")
        return handler(node)

    def seq(self, children: Sequence[Tree | Token], sep: str = " ") -> list:
        """Children with ``sep`` between them."""
        out: list = []
        for k, c in enumerate(children):
            if k:
                out.append(sep)
            out.append(self.d(c))
        return out

    def cat(self, children: Sequence[Tree | Token]) -> list:
        return [self.d(c) for c in children]

    def delimited(self, open_t: Token, inner: Tree | None, close_t: Token, pad: bool = False, tuple_like: bool = False,
                  fill: bool = False):
        """``open elements close`` with commas: on one line when the source had the first
        element on the opening line and it fits, one element per line otherwise."""
        items, commas = [], []
        children = [] if inner is None else (inner.children if isinstance(inner, Tree) and
                                             inner.data in _LISTS else [inner])
        for c in children:
            (commas if isinstance(c, Token) and str(c) == "," else items).append(c)
        out: list = [self.tok(open_t)]
        if not items:
            tail = self.leading(close_t.start_pos)
            if tail:
                return _Group([out, _Indent([HARD, tail]), self.tok(close_t)])
            return [out, self.tok(close_t)]
        if (len(items) == 1 and not commas and not pad and isinstance(items[0], Tree)
                and items[0].data in _HUGGED):
            # `f([a, b])`, `f(S { .. })`: a sole bracketed argument hugs the parentheses
            return [out, self.d(items[0]), self.tok(close_t)]
        broken = _first_token(items[0]).line != open_t.end_line
        edge = LINE if pad else SOFT
        body: list = [edge]
        trailing_comma = len(commas) == len(items)
        cells: list = []
        for k, item in enumerate(items):
            cell = [self.d(item)]
            if k < len(items) - 1:
                cell.append(self.tok(commas[k]))
                cells += [cell, LINE]
            else:
                cells.append(cell)
        body.append(_Fill(cells) if fill else cells)
        if tuple_like and len(items) == 1 and commas:
            body.append(self.tok(commas[0]))  # `(a,)`: the comma makes it a tuple
        else:
            if trailing_comma:
                body.append(self.skip(commas[-1]))
            body.append(_IfBreak(","))
        body.append(self.leading(close_t.start_pos))
        # the closing token stays outside the group: a comment after it ends the line
        # that holds the whole construct, not a line inside it
        return [_Group([out, _Indent(body), edge], broken=broken), self.tok(close_t)]

    def statements(self, items: list, close_pos: int, top: bool = False) -> list:
        """Items or statements, one a line, blank lines kept (at most one)."""
        out: list = []
        emitted = False
        for item in items:
            first = _first_token(item)
            if not top and item.data == "empty_stmt":
                out.append(self.skip(first))
                continue
            lead = self.leading(first.start_pos, first=not emitted)
            sep = [] if not emitted else [HARD if top else LINE]
            blank = emitted or lead
            if blank and self.last_line and first.line - self.last_line >= 2:
                lead.append(HARD)
            out += [sep, lead, self.d(item)]
            emitted = True
        tail = self.leading(close_pos, first=not emitted)
        if tail:
            out += [[] if not emitted else HARD, tail[:-1] if tail[-1] is HARD else tail]
        return out

    # ---- items --------------------------------------------------------------------------
    def r_start(self, n: Tree):
        return self.statements(n.children, len(self.text) + 1, top=True)

    def r_attribute(self, n: Tree):
        return self.cat(n.children)

    def r_attr_args(self, n: Tree):
        return self.delimited(n.children[0], Tree("attr_args", n.children[1:-1]), n.children[-1])

    def r_attr_kv(self, n: Tree):
        return self.seq(n.children)

    def r_attr_str(self, n: Tree):
        return self.cat(n.children)

    def _words(self, children) -> list:
        """Keywords and names before a construct's punctuation: ``pub unconstrained fn f``."""
        return self.seq(children)

    def r_fn_decl(self, n: Tree):
        ch = list(n.children)
        out = self._attributes(ch)
        k = next(i for i, c in enumerate(ch) if isinstance(c, Token) and c.type == "NAME")
        out.append(self._words(ch[: k + 1]))
        rest = ch[k + 1 :]
        if isinstance(rest[0], Tree) and rest[0].data == "generics":
            out.append(self.d(rest.pop(0)))
        open_t = rest.pop(0)
        params = rest.pop(0) if isinstance(rest[0], Tree) else None
        out.append(self.delimited(open_t, params, rest.pop(0)))
        for c in rest:
            out += [" ", self.d(c)]
        return out

    def r_generics(self, n: Tree):
        return self.delimited(n.children[0], Tree("generics", n.children[1:-1]), n.children[-1])

    def r_generic(self, n: Tree):  # const N: u32
        return [self.tok(n.children[0]), " ", self.tok(n.children[1]), self.tok(n.children[2]), " ",
                self.d(n.children[3])]

    def _typed_name(self, ch) -> list:  # [pub] name: type
        *words, colon, typ = ch
        return [self.seq(words), self.tok(colon), " ", self.d(typ)]

    def r_param(self, n: Tree):
        return self._typed_name(n.children)

    def r_struct_field(self, n: Tree):
        return self._typed_name(n.children)

    def r_ret(self, n: Tree):
        return self.seq(n.children)

    def _attributes(self, ch: list) -> list:
        """Leading ``#[...]`` attributes, one a line (taken off ``ch``)."""
        out: list = []
        while ch and isinstance(ch[0], Tree) and ch[0].data == "attribute":
            out += [self.d(ch.pop(0)), HARD]
        return out

    def r_struct_decl(self, n: Tree):
        ch = list(n.children)
        out = self._attributes(ch)
        k = next(i for i, c in enumerate(ch) if isinstance(c, Token) and str(c) == "{")
        inner = ch[k + 1] if isinstance(ch[k + 1], Tree) else None
        return [out, self.seq(ch[:k]), " ", self.delimited(ch[k], inner, ch[-1], pad=True)]

    def r_impl_decl(self, n: Tree):  # impl Name { fn ... }: one method a line, like the file's items
        ch = n.children
        open_t, close_t = ch[2], ch[-1]
        head = [self.seq(ch[:2]), " ", self.tok(open_t)]
        body = self.statements(list(ch[3:-1]), close_t.start_pos, top=True)
        if not body:
            return [head, self.tok(close_t)]
        return [head, _Indent([HARD, body]), HARD, self.tok(close_t)]

    def r_self_param(self, n: Tree):  # self, &self, &mut self
        ch = n.children
        if len(ch) == 3:
            return [self.tok(ch[0]), self.tok(ch[1]), " ", self.tok(ch[2])]
        return self.cat(ch)

    def r_const_decl(self, n: Tree):
        *head, colon, typ, eq, value, semi = n.children
        return [self.seq(head), self.tok(colon), " ", self.d(typ), " ", self.tok(eq), " ", self.d(value),
                self.tok(semi)]

    def r_use_decl(self, n: Tree):
        ch = n.children
        return [self.tok(ch[0]), " ", self.cat(ch[1:])]

    def r_use_group(self, n: Tree):
        ch = n.children  # "::" "{" NAME ("," NAME)* ","? "}"
        return [self.tok(ch[0]), self.delimited(ch[1], Tree("args", ch[2:-1]), ch[-1])]

    def r_mod_decl(self, n: Tree):
        return [self.tok(n.children[0]), " ", self.cat(n.children[1:])]

    # ---- types --------------------------------------------------------------------------
    def r_named_type(self, n: Tree):
        return self.cat(n.children)

    def r_proof_type(self, n: Tree):
        return self.cat(n.children)

    def r_array_type(self, n: Tree):  # [T; N]
        o, t, semi, length, c = n.children
        return [self.tok(o), self.d(t), self.tok(semi), " ", self.d(length), self.tok(c)]

    def r_unit_type(self, n: Tree):
        return self.cat(n.children)

    def r_tuple_type(self, n: Tree):
        ch = n.children
        return self.delimited(ch[0], Tree("args", ch[1:-1]), ch[-1], tuple_like=True)

    # ---- statements ----------------------------------------------------------------------
    def r_block(self, n: Tree):
        ch = n.children
        open_t, close_t, items = ch[0], ch[-1], ch[1:-1]
        head = self.tok(open_t)  # (the printer is stateful: emit in source order)
        body = self.statements(items, close_t.start_pos)
        if not body:
            return [head, self.tok(close_t)]
        broken = open_t.line != close_t.line
        return [_Group([head, _Indent([LINE, body]), LINE], broken=broken), self.tok(close_t)]

    def r_let_stmt(self, n: Tree):
        ch = list(n.children)  # let pattern (: type)? = expr ;
        out = [self.tok(ch[0]), " ", self.d(ch[1])]
        rest = ch[2:]
        if str(rest[0]) == ":":
            out += [self.tok(rest[0]), " ", self.d(rest[1])]
            rest = rest[2:]
        eq, value, semi = rest
        return [out, " ", self.tok(eq), " ", self.d(value), self.tok(semi)]

    def r_name_pat(self, n: Tree):
        return self.seq(n.children)

    def r_wild_pat(self, n: Tree):
        return self.cat(n.children)

    def r_tuple_pat(self, n: Tree):
        ch = n.children
        return self.delimited(ch[0], Tree("args", ch[1:-1]), ch[-1], tuple_like=True)

    def _assign(self, n):
        target, op, value, semi = n.children
        return [self.d(target), " ", self.d(op), " ", self.d(value), self.tok(semi)]

    r_assign_plain = r_assign_stmt = _assign

    def r_compound_op(self, n: Tree):
        return self.cat(n.children)

    def r_for_stmt(self, n: Tree):  # for i in a..b { }
        kw, var, in_, start, rng, end, body = n.children
        return [self.seq([kw, var, in_]), " ", self.d(start), self.tok(rng), self.d(end), " ", self.d(body)]

    def r_while_stmt(self, n: Tree):
        return self.seq(n.children)

    def r_return_stmt(self, n: Tree):
        ch = n.children
        if len(ch) == 2:
            return self.cat(ch)
        return [self.tok(ch[0]), " ", self.d(ch[1]), self.tok(ch[2])]

    def r_expr_semi(self, n: Tree):
        return self.cat(n.children)

    def r_expr_bare(self, n: Tree):
        return self.cat(n.children)

    # ---- expressions -----------------------------------------------------------------------
    def r_binop(self, n: Tree):
        op = n.children[1]
        level = _CHAIN_LEVELS.get(str(op)) if isinstance(op, Token) else None
        if level is None:
            return self.seq(n.children)
        # a chain `a && b && c` or `a + b - c` (left-associative: nested on the left): one
        # line when it fits, else one operand a line, each led by its operator
        chain, node = [], n
        while (isinstance(node, Tree) and node.data == "binop" and isinstance(node.children[1], Token)
               and _CHAIN_LEVELS.get(str(node.children[1])) == level):
            chain.append(node.children[1:])
            node = node.children[0]
        out: list = [self.d(node)]
        rest: list = []
        for op_t, right in reversed(chain):
            rest += [LINE, self.tok(op_t), " ", self.d(right)]
        # a `// comment` after the last operand ends the line anyway: it breaks what follows
        # the chain, not the chain
        return [_Group([out, _Indent(rest)]), *_pop_trailing_comment(rest)]

    def r_cmp_op(self, n: Tree):
        return self.cat(n.children)

    def r_cast(self, n: Tree):
        return self.seq(n.children)

    def r_unary(self, n: Tree):
        return self.cat(n.children)

    def r_index(self, n: Tree):
        return self.cat(n.children)

    def r_field(self, n: Tree):
        return self.cat(n.children)

    r_tuple_field = r_field

    def _call(self, head: list, rest: list):
        """``head turbofish? ( args )``"""
        out = list(head)
        if isinstance(rest[0], Tree) and rest[0].data == "turbofish":
            out.append(self.d(rest.pop(0)))
        open_t = rest.pop(0)
        args = rest.pop(0) if isinstance(rest[0], Tree) else None
        return [out, self.delimited(open_t, args, rest.pop(0))]

    def r_method_call(self, n: Tree):
        ch = list(n.children)
        return self._call([self.d(ch[0]), self.tok(ch[1]), self.tok(ch[2])], ch[3:])

    def r_call(self, n: Tree):
        ch = list(n.children)
        return self._call([self.d(ch[0])], ch[1:])

    def r_turbofish(self, n: Tree):
        ch = n.children
        out = [self.tok(ch[0])]
        for c in ch[1:-1]:
            out.append([self.tok(c), " "] if isinstance(c, Token) and str(c) == "," else self.d(c))
        return [out, self.tok(ch[-1])]

    def r_struct_lit(self, n: Tree):
        ch = n.children
        inner = ch[2] if isinstance(ch[2], Tree) else None
        return [self.tok(ch[0]), " ", self.delimited(ch[1], inner, ch[-1], pad=True)]

    def r_field_init(self, n: Tree):
        name, colon, value = n.children
        return [self.tok(name), self.tok(colon), " ", self.d(value)]

    def _token_node(self, n):
        return self.cat(n.children)

    r_int_lit = r_true_lit = r_false_lit = r_str_lit = r_path_expr = r_path = r_macro_call = _token_node

    def r_atom(self, n: Tree):  # ( expr )
        return self.cat(n.children)

    def r_tuple_expr(self, n: Tree):
        ch = n.children
        return self.delimited(ch[0], Tree("args", ch[1:-1]), ch[-1], tuple_like=True)

    def r_array_lit(self, n: Tree):
        ch = n.children
        inner = ch[1] if len(ch) == 3 else None
        return self.delimited(ch[0], inner, ch[-1], fill=True)

    def r_array_repeat(self, n: Tree):  # [e; n]
        o, value, semi, count, c = n.children
        return [self.tok(o), self.d(value), self.tok(semi), " ", self.d(count), self.tok(c)]

    def r_if_expr(self, n: Tree):
        return self.seq(n.children)

    def r_unsafe_expr(self, n: Tree):
        return self.seq(n.children)


# =========================================================================================
# the API
# =========================================================================================
def _strip(node):
    """An AST without spans, to compare two parses."""
    if dataclasses.is_dataclass(node):
        return (type(node).__name__,) + tuple(
            _strip(getattr(node, f.name)) for f in dataclasses.fields(node) if f.name not in ("span", "path")
        )
    if isinstance(node, tuple | list):
        return tuple(_strip(x) for x in node)
    return node


def same_program(a: str, b: str) -> bool:
    """Whether two sources parse to the same AST (spans and layout aside)."""
    return _strip(parse(a)) == _strip(parse(b))


def _comment_texts(comments: list[Token]) -> list[str]:
    return [re.sub(r"[ \t]+\n", "\n", str(c)).rstrip() for c in comments]


def format_source(text: str, path: str = "<input>") -> str:
    """The formatted text. Raises :class:`CompileError` when ``text`` does not parse and
    :class:`FormatError` when it cannot be formatted safely."""
    text = text.replace("\r\n", "\n")
    parse(text, path)  # the compiler's own diagnostics for a file that does not parse
    parser, comments = _cst_parser()
    with _CST_LOCK:  # the lexer collects comments into one shared list
        comments.clear()
        tree = parser.parse(text)
        found = sorted(comments, key=lambda c: c.start_pos)
        comments.clear()
    tokens = sorted(tree.scan_values(lambda v: isinstance(v, Token)), key=lambda t: t.start_pos)
    printer = _Printer(text, tokens, found)
    out = _print(printer.d(tree))
    if printer.ci != len(found):
        raise FormatError(f"{path}: internal error: a comment was not placed; the file is left unchanged")
    with _CST_LOCK:
        comments.clear()
        parser.parse(out)
        kept = sorted(comments, key=lambda c: c.start_pos)
        comments.clear()
    if not same_program(text, out) or _comment_texts(kept) != _comment_texts(found):
        raise FormatError(f"{path}: internal error: the formatted text would change the program or its "
                          "comments; the file is left unchanged (please report this)")
    return out if out.strip() else ""


_FENCE = re.compile(r"^(```psy[^\n]*\n)(.*?)(^```)", re.S | re.M)


def format_markdown(text: str, path: str = "<input>") -> str:
    """Format every ```psy code block of a Markdown text; blocks that do not parse (examples
    of parse errors) are left as they are."""

    def one(m: re.Match) -> str:
        try:
            body = format_source(m.group(2), path)
        except CompileError:
            return m.group(0)
        return m.group(1) + body + m.group(3)

    return _FENCE.sub(one, text)
