"""Parse .psy source into the AST (psyc.frontend.ast), with spans on every node.

The grammar lives in grammar.lark (LALR, built once per process). Parse errors become
:class:`Diagnostic` values saying what was expected and what was found, at the exact
line and column.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from importlib import resources

import lark
from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken, VisitError
from lark.tree import Meta

from psyc.frontend import ast
from psyc.util.cachedir import cache_dir
from psyc.util.diagnostics import CompileError, Diagnostic, Label, SourceMap, Span

# readable names for the grammar's terminals, for "expected ..." messages
_TOKEN_NAMES = {
    "SEMICOLON": "`;`",
    "COMMA": "`,`",
    "COLON": "`:`",
    "LPAR": "`(`",
    "RPAR": "`)`",
    "LSQB": "`[`",
    "RSQB": "`]`",
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "EQUAL": "`=`",
    "NAME": "an identifier",
    "INT": "an integer",
    "STRING": "a string",
    "MINUS": "`-`",
    "PLUS": "`+`",
    "STAR": "`*`",
    "SLASH": "`/`",
    "BANG": "`!`",
    "DOT": "`.`",
    "LESSTHAN": "`<`",
    "MORETHAN": "`>`",
    "__ANON_0": "`::`",
    "DOTDOT": "`..`",
    "DOTDOTEQ": "`..=`",
    "RARROW": "`->`",
}


@cache
def _parser() -> Lark:
    grammar = resources.files("psyc.frontend").joinpath("grammar.lark").read_text()
    # Building the LALR tables is most of a small `psyc check`'s time; lark keeps them in a
    # file that it reuses only when the grammar's and options' sha256 match, so it is
    # never stale. A cache that cannot be written or read is skipped silently by lark.
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tables: str | bool = str(folder / f"parser-lark{lark.__version__}-py{sys.version_info[0]}{sys.version_info[1]}.tables")
    except OSError:
        tables = False
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False, cache=tables)


def _describe(token_type: str, value: str | None = None) -> str:
    if token_type in _TOKEN_NAMES:
        return _TOKEN_NAMES[token_type]
    if value:
        return f"`{value}`"
    return token_type.lower()


_PAIRS = {"{": "}", "(": ")", "[": "]"}
_TOKENS = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|[{}()\[\]]', re.S)


def _indent_of_line(text: str, pos: int) -> int:
    start = text.rfind("\n", 0, pos) + 1
    line = text[start:]
    return len(line) - len(line.lstrip(" \t"))


def _delimiters(text: str) -> tuple[list[int], list[tuple[int, int]]]:
    """(offsets of the opening delimiters never closed, outermost first; pairs of
    (opener, closer) whose closer starts a line indented unlike the opener's line — the
    likely place of a missing closer). Comments and strings are skipped. A closer that
    matches an outer opener closes it and leaves the openers inside it unclosed; a closer
    that matches nothing is ignored."""
    stack: list[int] = []
    lost: list[int] = []
    misindented: list[tuple[int, int]] = []
    for m in _TOKENS.finditer(text):
        tok = m.group()
        if tok in _PAIRS:
            stack.append(m.start())
        elif tok in ")]}" and any(_PAIRS[text[i]] == tok for i in stack):
            while _PAIRS[text[stack[-1]]] != tok:
                lost.append(stack.pop())
            opener = stack.pop()
            line_start = text.rfind("\n", 0, m.start()) + 1
            starts_line = not text[line_start : m.start()].strip() and text.count("\n", opener, m.start())
            if starts_line and m.start() - line_start != _indent_of_line(text, opener):
                misindented.append((opener, m.start()))
    return sorted(lost + stack), misindented


def unclosed_delimiters(text: str) -> list[int]:
    """Offsets of the opening delimiters never closed, outermost first."""
    return _delimiters(text)[0]


def _with_unclosed(diag: Diagnostic, text: str, path: str, at_end: bool) -> Diagnostic:
    """Point a syntax error at the delimiter that was never closed: rustc's "unclosed
    delimiter" (the parser itself only notices at the end of the file, or far later)."""
    open_at, misindented = _delimiters(text)
    if not open_at:
        return diag
    pos = open_at[-1] if at_end else open_at[0]
    ch = text[pos]
    label = Label(Span(path, pos, pos + 1), f"unclosed delimiter: this `{ch}` is never closed", primary=at_end)
    if at_end:
        diag.message = f"this file contains an unclosed delimiter `{ch}`"
        diag.labels = [label, *[Label(lb.span, lb.message, primary=False) for lb in diag.labels]]
    else:
        diag.labels.append(label)
    inner = [(o, c) for o, c in misindented if o > pos]
    if inner:  # the closer that was meant for `pos` probably closed this one instead
        o, c = inner[0]
        if at_end:  # the hint says more than "the file ends after this"
            diag.labels = [label]
        diag.labels.append(Label(Span(path, o, o + 1), f"perhaps this `{text[o]}` is the one left open", False))
        diag.labels.append(Label(Span(path, c, c + 1), "… as this is indented like an outer block", False))
    diag.notes.append(f"add the matching `{_PAIRS[ch]}`")
    return diag


def parse(text: str, path: str = "<input>", sources: SourceMap | None = None) -> ast.Module:
    """Parse one file; raises :class:`CompileError` with a located diagnostic."""
    if sources is not None:
        sources.add(path, text)
    try:
        return _parse(text, path)
    except CompileError as e:
        d = e.diagnostics[0]
        if d.code in ("E0001", "E0002", "E0004"):
            _with_unclosed(d, text, path, at_end=d.code == "E0002")
        raise


def _parse(text: str, path: str) -> ast.Module:
    try:
        tree = _parser().parse(text)
    except UnexpectedToken as e:
        found = "end of file" if e.token.type == "$END" else _describe(e.token.type, str(e.token))
        expected = _expected_names(e.expected)
        start = e.token.start_pos if e.token.start_pos is not None else len(text)
        end = e.token.end_pos if e.token.end_pos is not None else start + 1
        if e.token.type == "$END":
            start, end = max(len(text.rstrip()) - 1, 0), max(len(text.rstrip()), 1)
            msg = "unexpected end of file: is a closing `}`, `)` or `;` missing?"
            raise CompileError(
                [Diagnostic.error("E0002", msg, Span(path, start, end), "the file ends after this")]
            ) from None
        msg = f"expected {_one_of(expected)}, found {found}"
        raise CompileError(
            [Diagnostic.error("E0001", msg, Span(path, start, max(end, start + 1)), "unexpected here")]
        ) from None
    except UnexpectedEOF as e:
        expected = _expected_names(e.expected)
        pos = max(len(text) - 1, 0)
        msg = f"unexpected end of file, expected {_one_of(expected)}"
        raise CompileError(
            [Diagnostic.error("E0002", msg, Span(path, pos, pos + 1), "file ends here")]
        ) from None
    except UnexpectedCharacters as e:
        ch = text[e.pos_in_stream] if e.pos_in_stream < len(text) else "?"
        msg = f"unexpected character `{ch}`"
        raise CompileError(
            [
                Diagnostic.error(
                    "E0003", msg, Span(path, e.pos_in_stream, e.pos_in_stream + 1), "not valid here"
                )
            ]
        ) from None
    try:
        items = _ToAst(path).transform(tree)
    except VisitError as e:
        if isinstance(e.orig_exc, CompileError):
            raise e.orig_exc from None
        raise
    return ast.Module(path, tuple(items))


_EXPRESSION_STARTS = {"INT", "NAME", "LPAR", "LSQB", "MINUS", "BANG"}


def _expected_names(expected) -> list[str]:
    expected = set(expected)
    names = []
    if expected >= _EXPRESSION_STARTS:
        names.append("an expression")
        expected -= _EXPRESSION_STARTS | {"STRING", "TRUE", "FALSE", "IF", "UNSAFE", "LBRACE"}
    names += sorted({_describe(t) for t in expected if not t.startswith("__")})
    return names or ["something else"]


def _one_of(options: list[str]) -> str:
    if len(options) == 1:
        return options[0]
    if len(options) <= 6:
        return "one of " + ", ".join(options)
    return "one of " + ", ".join(options[:6]) + ", …"


def parse_int_literal(text: str) -> int:
    t = text.replace("_", "")
    if t.startswith("0x"):
        return int(t[2:], 16)
    if t.startswith("0b"):
        return int(t[2:], 2)
    return int(t)


@v_args(meta=True)
class _ToAst(Transformer):
    def __init__(self, path: str) -> None:
        super().__init__()
        self._file = path

    def _span(self, meta: Meta) -> Span:
        return Span(self._file, meta.start_pos, meta.end_pos)

    def _tok_span(self, tok: Token) -> Span:
        return Span(self._file, tok.start_pos, tok.end_pos)

    # ---- items -----------------------------------------------------------------------
    def start(self, meta: Meta, children: list):
        return list(children)

    def attribute(self, meta: Meta, ch: list):
        args = ch[1] if len(ch) > 1 else ()
        return ast.Attribute(str(ch[0]), tuple(args), self._span(meta))

    def attr_args(self, meta: Meta, ch: list):
        return list(ch)

    def attr_kv(self, meta: Meta, ch: list):
        return (str(ch[0]), _unquote(ch[1]))

    def attr_str(self, meta: Meta, ch: list):
        return (None, _unquote(ch[0]))

    def fn_decl(self, meta: Meta, ch: list):
        attrs = [c for c in ch if isinstance(c, ast.Attribute)]
        rest = [c for c in ch if not isinstance(c, ast.Attribute) and not _is_pub(c)]
        unconstrained = False
        if isinstance(rest[0], Token) and rest[0].type == "UNCONSTRAINED":
            unconstrained = True
            rest = rest[1:]
        name = str(rest[0])
        generics, params, ret, ret_public = (), (), None, False
        receiver = None
        for c in rest[1:-1]:
            if isinstance(c, tuple) and c and c[0] == "generics":
                generics = c[1]
            elif isinstance(c, tuple) and c and c[0] == "params":
                params = c[1]
            elif isinstance(c, tuple) and c and c[0] == "ret":
                ret_public, ret = c[1], c[2]
        selfs = [(k, p) for k, p in enumerate(params) if isinstance(p, tuple)]
        for k, (_, kind, pname, span) in selfs:
            if pname != "self":
                raise CompileError([Diagnostic.error("E0001", f"expected `:` and a type after parameter `{pname}`",
                                                     span, "add `: Type`")])
            if k != 0:
                raise CompileError([Diagnostic.error("E0001", "`self` must be the first parameter", span)])
            receiver = kind
        params = tuple(p for p in params if not isinstance(p, tuple))
        return ast.FnDecl(
            name, generics, params, ret, ret_public, rest[-1], unconstrained, tuple(attrs), self._span(meta),
            receiver,
        )

    def generics(self, meta: Meta, ch: list):
        return ("generics", tuple(ch))

    def generic(self, meta: Meta, ch: list):
        return ast.GenericParam(str(ch[0]), ch[1], self._span(meta))

    def params(self, meta: Meta, ch: list):
        return ("params", tuple(ch))

    def param(self, meta: Meta, ch: list):
        public = isinstance(ch[0], Token) and ch[0].type == "PUB"
        rest = ch[1:] if public else ch
        return ast.Param(str(rest[0]), rest[1], public, self._span(meta))

    def self_param(self, meta: Meta, ch: list):
        amp = any(isinstance(c, Token) and c.type == "AMP" for c in ch)
        mut = any(isinstance(c, Token) and c.type == "MUT" for c in ch)
        kind = ("&mut self" if mut else "&self") if amp else "self"
        return ("self", kind, str(ch[-1]), self._span(meta))

    def impl_decl(self, meta: Meta, ch: list):
        return ast.ImplDecl(str(ch[0]), tuple(ch[1:]), self._span(meta))

    def ret(self, meta: Meta, ch: list):
        public = isinstance(ch[0], Token) and ch[0].type == "PUB"
        return ("ret", public, ch[-1])

    def struct_decl(self, meta: Meta, ch: list):
        attrs = tuple(c for c in ch if isinstance(c, ast.Attribute))
        ch = [c for c in ch if not _is_pub(c) and not isinstance(c, ast.Attribute)]
        fields = ch[1] if len(ch) > 1 else ()
        return ast.StructDecl(str(ch[0]), tuple(fields), self._span(meta), attrs)

    def struct_fields(self, meta: Meta, ch: list):
        return list(ch)

    def struct_field(self, meta: Meta, ch: list):
        return (str(ch[0]), ch[1])

    def const_decl(self, meta: Meta, ch: list):
        ch = [c for c in ch if not _is_pub(c)]
        return ast.ConstDecl(str(ch[0]), ch[1], ch[2], self._span(meta))

    def use_decl(self, meta: Meta, ch: list):
        names = [str(c) for c in ch if isinstance(c, Token)]
        group = next((c for c in ch if isinstance(c, tuple)), None)
        if group is not None:
            return ast.UseDecl(tuple(names), group, self._span(meta))
        return ast.UseDecl(tuple(names[:-1]), (names[-1],), self._span(meta))

    def use_group(self, meta: Meta, ch: list):
        return tuple(str(c) for c in ch)

    def mod_decl(self, meta: Meta, ch: list):
        return ast.ModDecl(str(ch[0]), self._span(meta))

    # ---- types -------------------------------------------------------------------------
    def named_type(self, meta: Meta, ch: list):
        return ast.NamedType(str(ch[0]), self._span(meta))

    def proof_type(self, meta: Meta, ch: list):
        return ast.ProofType(ch[-1], self._span(meta))

    def macro_call(self, meta: Meta, ch: list):
        return ast.MacroCall(str(ch[0]), _unquote(ch[-1]), self._span(meta))

    def array_type(self, meta: Meta, ch: list):
        return ast.ArrayType(ch[0], ch[1], self._span(meta))

    def unit_type(self, meta: Meta, ch: list):
        return ast.TupleType((), self._span(meta))

    def tuple_type(self, meta: Meta, ch: list):
        return ast.TupleType(tuple(ch), self._span(meta))

    # ---- statements ----------------------------------------------------------------------
    def block(self, meta: Meta, ch: list):
        stmts: list = []
        tail = None
        items = [c for c in ch if c is not None]
        for k, item in enumerate(items):
            if isinstance(item, tuple) and item[0] == "bare":
                expr = item[1]
                if k == len(items) - 1:
                    tail = expr
                elif isinstance(expr, ast.If | ast.Block | ast.Unsafe):
                    stmts.append(ast.ExprStmt(expr, expr.span))
                else:
                    end = Span(expr.span.file, max(expr.span.end - 1, expr.span.start), expr.span.end)
                    raise CompileError(
                        [
                            Diagnostic.error(
                                "E0004", "expected `;` after this expression", end, "add `;` after this"
                            )
                        ]
                    )
            else:
                stmts.append(item)
        return ast.Block(tuple(stmts), tail, self._span(meta))

    def expr_bare(self, meta: Meta, ch: list):
        return ("bare", ch[0])

    def expr_semi(self, meta: Meta, ch: list):
        return ast.ExprStmt(ch[0], self._span(meta))

    def empty_stmt(self, meta: Meta, ch: list):
        return None

    def let_stmt(self, meta: Meta, ch: list):
        typ = ch[1] if len(ch) == 3 else None
        return ast.Let(ch[0], typ, ch[-1], self._span(meta))

    def name_pat(self, meta: Meta, ch: list):
        mutable = isinstance(ch[0], Token) and ch[0].type == "MUT"
        return ast.NamePattern(str(ch[-1]), mutable, self._span(meta))

    def wild_pat(self, meta: Meta, ch: list):
        return ast.WildcardPattern(self._span(meta))

    def tuple_pat(self, meta: Meta, ch: list):
        return ast.TuplePattern(tuple(ch), self._span(meta))

    def assign_plain(self, meta: Meta, ch: list):
        return ast.Assign(ch[0], "=", ch[1], self._span(meta))

    def assign_stmt(self, meta: Meta, ch: list):
        return ast.Assign(ch[0], ch[1], ch[2], self._span(meta))

    def compound_op(self, meta: Meta, ch: list):
        return str(ch[0])

    def for_stmt(self, meta: Meta, ch: list):
        var, start, rng, end, body = ch
        return ast.For(str(var), start, end, str(rng) == "..=", body, self._span(meta))

    def while_stmt(self, meta: Meta, ch: list):
        return ast.While(ch[0], ch[1], self._span(meta))

    def return_stmt(self, meta: Meta, ch: list):
        return ast.Return(ch[0] if ch else None, self._span(meta))

    # ---- expressions -----------------------------------------------------------------------
    def binop(self, meta: Meta, ch: list):
        left, op, right = ch
        return ast.Binary(str(op), left, right, self._span(meta))

    def cmp_op(self, meta: Meta, ch: list):
        return str(ch[0])

    def cast(self, meta: Meta, ch: list):
        return ast.Cast(ch[0], ch[1], self._span(meta))

    def unary(self, meta: Meta, ch: list):
        return ast.Unary(str(ch[0]), ch[1], self._span(meta))

    def index(self, meta: Meta, ch: list):
        return ast.Index(ch[0], ch[1], self._span(meta))

    def field(self, meta: Meta, ch: list):
        return ast.Field(ch[0], str(ch[1]), self._span(meta))

    def tuple_field(self, meta: Meta, ch: list):
        return ast.Field(ch[0], str(parse_int_literal(str(ch[1]))), self._span(meta))

    def method_call(self, meta: Meta, ch: list):
        receiver, name = ch[0], str(ch[1])
        generic_args, args = (), ()
        for c in ch[2:]:
            if isinstance(c, tuple) and c and c[0] == "turbofish":
                generic_args = c[1]
            elif isinstance(c, tuple) and c and c[0] == "args":
                args = c[1]
        return ast.MethodCall(receiver, name, generic_args, args, self._span(meta))

    def struct_lit(self, meta: Meta, ch: list):
        fields = ch[1] if len(ch) > 1 else ()
        return ast.StructLit(str(ch[0]), tuple(fields), self._span(meta))

    def field_inits(self, meta: Meta, ch: list):
        return list(ch)

    def field_init(self, meta: Meta, ch: list):
        return (str(ch[0]), ch[1])

    def int_lit(self, meta: Meta, ch: list):
        return ast.IntLit(parse_int_literal(str(ch[0])), self._span(meta))

    def true_lit(self, meta: Meta, ch: list):
        return ast.BoolLit(True, self._span(meta))

    def false_lit(self, meta: Meta, ch: list):
        return ast.BoolLit(False, self._span(meta))

    def str_lit(self, meta: Meta, ch: list):
        return ast.StrLit(_unquote(ch[0]), self._span(meta))

    def path(self, meta: Meta, ch: list):
        return ast.PathExpr(tuple(str(c) for c in ch), self._span(meta))

    def path_expr(self, meta: Meta, ch: list):
        return ch[0]

    def call(self, meta: Meta, ch: list):
        callee = ch[0]
        generic_args, args = (), ()
        for c in ch[1:]:
            if isinstance(c, tuple) and c and c[0] == "turbofish":
                generic_args = c[1]
            elif isinstance(c, tuple) and c and c[0] == "args":
                args = c[1]
        return ast.Call(callee, generic_args, args, self._span(meta))

    def turbofish(self, meta: Meta, ch: list):
        return ("turbofish", tuple(c for c in ch if not isinstance(c, Token)))

    def args(self, meta: Meta, ch: list):
        return ("args", tuple(ch))

    def tuple_expr(self, meta: Meta, ch: list):
        return ast.TupleExpr(tuple(ch), self._span(meta))

    def array_lit(self, meta: Meta, ch: list):
        return ast.ArrayLit(tuple(ch[0]) if ch else (), self._span(meta))

    def array_items(self, meta: Meta, ch: list):
        return list(ch)

    def array_repeat(self, meta: Meta, ch: list):
        return ast.ArrayRepeat(ch[0], ch[1], self._span(meta))

    def if_expr(self, meta: Meta, ch: list):
        return ast.If(ch[0], ch[1], ch[2] if len(ch) > 2 else None, self._span(meta))

    def unsafe_expr(self, meta: Meta, ch: list):
        return ast.Unsafe(ch[0], self._span(meta))


def _is_pub(c) -> bool:
    """`pub` on an item is accepted (Rust and Noir users write it) and means nothing yet:
    every item of a module is visible to the modules that `use` it."""
    return isinstance(c, Token) and c.type == "PUB"


def _unquote(tok) -> str:
    return bytes(str(tok)[1:-1], "utf-8").decode("unicode_escape")
