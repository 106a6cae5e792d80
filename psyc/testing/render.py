"""Rendering: the ``.psy`` source text of a generated program's typed AST
(:mod:`psyc.testing.program_ast`), with the literal styles, parentheses and casts a
human would write."""

from __future__ import annotations

from psyc.frontend.types import BOOL, FELT, HASH, U32, Array, Tuple, Type
from psyc.testing.program_ast import (
    _ARITH_OPS,
    _CMP_OPS,
    GEN,
    ArrayLit,
    Assert,
    AssertEq,
    Assign,
    Bin,
    Block,
    Call,
    Cast,
    ExprS,
    FnDef,
    For,
    FromBits,
    HashCall,
    IfE,
    IfS,
    Index,
    Len,
    Let,
    LetTuple,
    Lit,
    Member,
    Place,
    ProgramAst,
    Repeat,
    Shift,
    StructLit,
    ToBits,
    TupleLit,
    Unary,
    Var,
    Wrap,
    ctext,
)


# =============================================================================================
# rendering
# =============================================================================================
class _Unknown:
    """An expected type the renderer does not know or that differs from the node's own:
    literals under it are written ``(K as T)``, which types itself."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


def type_text(t: Type) -> str:
    if isinstance(t, Array):
        if t == HASH:
            return "Hash"
        n = "N" if t.length == GEN else str(t.length)
        return f"[{type_text(t.element)}; {n}]"
    if isinstance(t, Tuple):
        if len(t.elements) == 1:
            return f"({type_text(t.elements[0])},)"
        return "(" + ", ".join(type_text(e) for e in t.elements) + ")"
    return str(t)


def _norm(exp, t: Type):
    """What a child whose expected type flows from its parent gets (see module doc)."""
    if exp == t or (exp is None and t == FELT):
        return t
    return UNKNOWN


def _lit_text(v: int, style: int) -> str:
    if style == 1:
        return hex(v)
    if style == 2 and v >= 1000:
        s = str(v)
        head = len(s) % 3 or 3
        return s[:head] + "".join("_" + s[i : i + 3] for i in range(head, len(s), 3))
    return str(v)


def _is_postfix(text: str) -> bool:
    """Whether ``text`` can take `.f` / `[i]` / `.m()` without parentheses."""
    return text.replace("_", "").isalnum() and not text[0].isdigit()


class _Renderer:
    def expr(self, e, exp) -> tuple[str, bool]:
        """(source text, literal-like) of ``e`` where the compiler passes ``exp`` as the
        expected type. "Literal-like" is the elaborator's rule: integer literals and
        arithmetic made only of them (such an operand takes its type from the other)."""
        return getattr(self, "e_" + type(e).__name__)(e, exp)

    def text(self, e, exp) -> str:
        return self.expr(e, exp)[0]

    def postfix(self, e) -> str:
        s = self.text(e, None if e.type == FELT else UNKNOWN)
        return s if _is_postfix(s) else f"({s})"

    def e_Lit(self, e: Lit, exp):
        if e.type == BOOL:
            return ("true" if e.value else "false"), False
        k = _lit_text(e.value, e.style)
        if _norm(exp, e.type) == e.type:
            return k, True
        return f"({k} as {e.type})", False

    def e_Var(self, e: Var, exp):
        return e.name, False

    def e_Unary(self, e: Unary, exp):
        n = _norm(exp, e.type)
        if e.op == "-":
            if isinstance(e.arg, Lit):
                if n == FELT:
                    return f"(-{_lit_text(e.arg.value, e.arg.style)})", True
                return f"(-({e.arg.value} as Felt))", False
            s, ll = self.expr(e.arg, n)
            return f"(-{s})", ll
        return f"(!{self.text(e.arg, n)})", False

    def e_Bin(self, e: Bin, exp):
        if e.op in ("&&", "||"):
            return f"({self.text(e.left, BOOL)} {e.op} {self.text(e.right, BOOL)})", False
        operand_t = e.left.type
        # (comparison operands get no expected type)
        first = _norm(None if e.op in _CMP_OPS else exp, operand_t)
        lt, ll = self.expr(e.left, first)
        rt, rl = self.expr(e.right, operand_t)
        litlike = ll and rl and e.op in _ARITH_OPS
        return f"({lt} {e.op} {rt})", litlike

    def e_Shift(self, e: Shift, exp):
        s, ll = self.expr(e.arg, _norm(exp, e.type))
        return f"({s} {e.op} {ctext(e.amount)})", ll

    def e_Cast(self, e: Cast, exp):
        if isinstance(e.arg, Lit):  # `K as T` would type the literal as T directly
            inner = f"({e.arg.value} as {e.arg.type})" if e.arg.type != BOOL else self.text(e.arg, None)
        else:
            inner = self.text(e.arg, _norm(None, e.arg.type))
        return f"({inner} as {e.type})", False

    def e_Wrap(self, e: Wrap, exp):
        return f"{self.postfix(e.left)}.wrapping_{e.op}({self.text(e.right, e.type)})", False

    def e_IfE(self, e: IfE, exp):
        return f"({self.if_text(e, _norm(exp, e.type), 1)})", False

    def if_text(self, e: IfE, n, level: int) -> str:
        text = f"if ({self.text(e.cond, BOOL)}) {self.block(e.then, n, level)} else "
        if not e.els.stmts and isinstance(e.els.tail, IfE):  # `else if`
            return text + self.if_text(e.els.tail, n, level)
        return text + self.block(e.els, n, level)

    def e_Index(self, e: Index, exp):
        return f"{self.postfix(e.base)}[{self.text(e.index, U32)}]", False

    def e_Len(self, e: Len, exp):
        return f"{self.postfix(e.base)}.len()", False

    def e_Member(self, e: Member, exp):
        return f"{self.postfix(e.base)}.{e.name}", False

    def e_ArrayLit(self, e: ArrayLit, exp):
        el = e.type.element if exp == e.type else UNKNOWN
        return "[" + ", ".join(self.text(x, el) for x in e.elems) + "]", False

    def e_Repeat(self, e: Repeat, exp):
        el = e.type.element if exp == e.type else UNKNOWN
        return f"[{self.text(e.elem, el)}; {ctext(e.count)}]", False

    def e_TupleLit(self, e: TupleLit, exp):
        items = [self.text(x, t if exp == e.type else UNKNOWN) for x, t in zip(e.elems, e.type.elements, strict=True)]
        return ("(" + items[0] + ",)") if len(items) == 1 else "(" + ", ".join(items) + ")", False

    def e_StructLit(self, e: StructLit, exp):
        fields = ", ".join(f"{n}: {self.text(x, e.type.field_type(n))}" for n, x in e.fields)
        return f"{e.type.name} {{ {fields} }}", False

    def e_Call(self, e: Call, exp):
        fn = self.fns[e.name]
        args = []
        for (_, pt, _), a in zip(fn.params, e.args, strict=True):
            # a generic `[T; N]` parameter passes a shape whose element type flows down;
            # the concrete argument type renders the same way
            args.append(self.text(a, a.type if isinstance(pt, Array) and pt.length == GEN else pt))
        turbo = f"::<{', '.join(map(ctext, e.generics))}>" if e.generics else ""
        return f"{e.name}{turbo}({', '.join(args)})", False

    def e_HashCall(self, e: HashCall, exp):
        args = ", ".join(self.text(a, a.type) for a in e.args)
        name = f"std::hash::{e.fn}" if e.full_path else e.fn
        return f"{name}({args})", False

    def e_ToBits(self, e: ToBits, exp):
        recv = self.postfix(e.arg)
        width = e.arg.type.bits
        if exp is None and e.n == width:
            return f"{recv}.to_bits()", False
        return f"{recv}.to_bits::<{e.n}>()", False

    def e_FromBits(self, e: FromBits, exp):
        arg = self.text(e.arg, UNKNOWN)
        if _norm(exp, e.type) == e.type:
            return f"from_bits({arg})", False
        return f"{e.type}::from_bits({arg})", False

    # --- statements ----------------------------------------------------------------------
    def block(self, b: Block, exp, level: int) -> str:
        pad = "    " * (level + 1)
        items = [self.stmt(s, level + 1) for s in b.stmts]
        if b.tail is not None:
            items.append(self.text(b.tail, exp))
        for i, s in enumerate(b.stmts):
            # a block-like `if` statement followed by `[..` or `-..` would continue as an
            # index or a subtraction: end it with `;`
            if isinstance(s, IfS) and i + 1 < len(items) and items[i + 1][:1] in "[-(":
                items[i] += ";"
        if not items:
            return "{ }"
        return "{\n" + "".join(pad + x + "\n" for x in items) + "    " * level + "}"

    def place(self, p: Place) -> str:
        s = p.var
        for kind, x in p.steps:
            s += f"[{self.text(x, U32)}]" if kind == "index" else f".{x}"
        return s

    def stmt(self, s, level: int) -> str:
        if isinstance(s, Let):
            annot = f": {type_text(s.value.type)}" if s.annotate else ""
            value = self.text(s.value, s.value.type if s.annotate else None)
            return f"let {'mut ' if s.mutable else ''}{s.name}{annot} = {value};"
        if isinstance(s, LetTuple):
            pats = ["_" if n is None else ("mut " if m else "") + n for n, m in s.names]
            return f"let ({', '.join(pats)}) = {self.text(s.value, None)};"
        if isinstance(s, Assign):
            target = self.place(s.place)
            if s.op == "=":
                return f"{target} = {self.text(s.value, s.place.leaf_type)};"
            if s.op in ("<<", ">>"):
                return f"{target} {s.op}= {ctext(s.value)};"
            return f"{target} {s.op}= {self.text(s.value, s.place.leaf_type)};"
        if isinstance(s, IfS):
            text = f"if ({self.text(s.cond, BOOL)}) {self.block(s.then, None, level)}"
            if s.els is not None and len(s.els.stmts) == 1 and isinstance(s.els.stmts[0], IfS):
                text += " else " + self.stmt(s.els.stmts[0], level)  # `else if`
            elif s.els is not None:
                text += f" else {self.block(s.els, None, level)}"
            return text
        if isinstance(s, For):
            end = f"{s.end[1]}.len()" if isinstance(s.end, tuple) else ctext(s.end)
            rng = f"{ctext(s.start)}..{'=' if s.inclusive else ''}{end}"
            return f"for {s.var} in {rng} {self.block(s.body, None, level)}"
        if isinstance(s, Assert):
            msg = f', "{s.msg}"' if s.msg else ""
            return f"assert({self.text(s.cond, BOOL)}{msg});"
        if isinstance(s, AssertEq):
            t = s.left.type
            first = _norm(None, t)
            msg = f', "{s.msg}"' if s.msg else ""
            return f"assert_eq({self.text(s.left, first)}, {self.text(s.right, t)}{msg});"
        if isinstance(s, ExprS):
            return self.text(s.expr, None) + ";"
        raise TypeError(s)

    def fn(self, f: FnDef) -> str:
        gen = "<const N: u32>" if f.generic else ""
        params = ", ".join(f"{'pub ' if pub else ''}{n}: {type_text(t)}" for n, t, pub in f.params)
        ret = ""
        if f.ret is not None:
            ret = f" -> {'pub ' if f.name == 'main' else ''}{type_text(f.ret)}"
        return f"fn {f.name}{gen}({params}){ret} {self.block(f.body, f.ret, 0)}\n"

    def program(self, prog: ProgramAst) -> str:
        self.fns = {f.name: f for f in prog.helpers}
        out = []
        if prog.imports:
            out.append("use std::hash::{hash_two, poseidon};\n")
        for s in prog.structs:
            fields = ", ".join(f"{n}: {type_text(t)}" for n, t in s.fields)
            out.append(f"struct {s.name} {{ {fields} }}\n")
        out += [self.fn(f) for f in prog.helpers]
        out.append(self.fn(prog.main))
        return "\n".join(out)


def render(prog: ProgramAst) -> str:
    """The .psy source of a program AST."""
    return _Renderer().program(prog)
