"""Function calls: inlining, const generics, unconstrained calls as hints, intrinsics and
macros."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from psyc.field.goldilocks import P
from psyc.frontend import ast
from psyc.frontend import types as ty
from psyc.frontend.elaboration.common import (
    _BIG_HINTS,
    _BUILTINS,
    HOLE,
    MAX_CALL_DEPTH,
    TV,
    Binding,
    Frame,
    Mode,
    _check_params,
    _contains_proof,
    _did_you_mean,
    _expr_mentions,
    _mentions,
    _Return,
    _storage_value_error,
    _unify,
    error,
)
from psyc.frontend.modules import Module
from psyc.frontend.storage import StorageT
from psyc.frontend.types import BOOL, FELT, UNIT, Array, Scalar, Tuple, Type
from psyc.ir.interpret import ExecutionError
from psyc.ir.ir import HintFn, Value
from psyc.util.diagnostics import CompileError, Span

# `fingerprint!("child.psy")` compiles and builds another program: the compiler, one stage
# later in the pipeline, registers that service here (dependency inversion: the front end
# never imports psyc.compiler).
FingerprintResolver = Callable[[Path, Span, object], list[int]]
_fingerprint_resolver: FingerprintResolver | None = None


def set_fingerprint_resolver(resolver: FingerprintResolver) -> None:
    """Install what `fingerprint!` calls: ``resolver(path, span, shape) -> 4 felts``."""
    global _fingerprint_resolver
    _fingerprint_resolver = resolver


class CallsMixin:
    """The elaborator's functions (a part of :class:`psyc.frontend.elaborate.Elaborator`)."""

    def fn_body(self, fn: ast.FnDecl, ret_t: Type) -> TV:
        body = fn.body
        if body.tail is None and body.stmts and isinstance(body.stmts[-1], ast.Return) and self.mode is not Mode.CONCRETE:
            last = body.stmts[-1]
            body = ast.Block(body.stmts[:-1], last.value or ast.TupleExpr((), last.span), body.span)
        try:
            result = self.block(body, ret_t)
        except _Return as r:
            result = r.value if r.value is not None else TV(UNIT, ())
        span = body.tail.span if body.tail is not None else fn.span
        self.expect_type(ret_t, result.type, span, f" in the result of `{fn.name}`")
        return result

    def inline(self, module: Module, fn: ast.FnDecl, generics: dict[str, int], args: list[TV], span: Span,
               receiver: Binding | None = None) -> TV:
        """Inline ``fn``; a method's ``self`` is bound to ``receiver`` (a ``&mut self``
        method's changes are left in ``receiver.payload``)."""
        key = (module.name, fn.name) if receiver is None else (module.name, f"{receiver.type}::{fn.name}")
        if key in self.stack and not fn.unconstrained:
            cycle = " -> ".join(n for _, n in self.stack[self.stack.index(key):]) + f" -> {fn.name}"
            raise error("E0107", f"recursion between constrained functions: {cycle}", span,
                        "recursive call", ["constrained functions are inlined; use a loop instead"])
        if len(self.stack) > MAX_CALL_DEPTH:
            raise error("E0107", f"call depth exceeds {MAX_CALL_DEPTH} (unbounded recursion?)", span)
        _check_params(fn)
        params = {p.name: Binding(a.type, a.payload, False, p.span) for p, a in zip(fn.params, args, strict=True)}
        if receiver is not None:
            params["self"] = receiver
        self.stack.append(key)
        try:
            with self.entered(module, fn, [self.generic_scope(generics), params]):
                ret_t = self.resolve_type(fn.ret) if fn.ret is not None else UNIT
                return self.fn_body(fn, ret_t)
        finally:
            self.stack.pop()

    def call(self, e: ast.Call, expected: Type | None) -> TV:
        segs = e.callee.segments
        name = segs[-1]
        if len(segs) == 1 and name in _BUILTINS and self.lookup_item(self.module, segs, e.span, ast.FnDecl) is None:
            return getattr(self, f"builtin_{name}")(e, expected)
        if len(segs) == 2 and segs[0] in ty.SCALARS and name == "from_bits":
            return self.builtin_from_bits(e, ty.SCALARS[segs[0]])
        if name.startswith("__") and len(segs) == 1:
            if not self.module.name.startswith("std"):
                raise error("E0100", f"`{name}` is an intrinsic of the standard library", e.span)
            return self.intrinsic(e)
        if len(segs) == 2 and segs[0] == "Self":
            if self._self_type_name() is None:
                raise error("E0102", "`Self` is only defined inside an `impl` block", e.callee.span, "not in an impl")
            segs = (self._self_type_name(), segs[1])
        if len(segs) >= 2:
            try:
                owner = self.lookup_item(self.module, segs[:-1], e.span, ast.StructDecl)
            except CompileError:
                owner = None  # `a::b::f`: a module path, resolved below
            if owner is not None:
                return self.associated_call(owner, name, e, expected)
        found = self.lookup_item(self.module, segs, e.span, ast.FnDecl)
        if found is None:
            known = [n for n, it in self.module.items.items() if isinstance(it, ast.FnDecl)]
            known += list(self.module.imports) + list(_BUILTINS)
            raise error("E0100", f"cannot find function `{'::'.join(segs)}`", e.callee.span, "not found in scope",
                        _did_you_mean(name, known))
        module, fn = found
        if len(e.args) != len(fn.params):
            raise error("E0106", f"`{fn.name}` takes {len(fn.params)} argument(s) but {len(e.args)} were given",
                        e.span, notes=[f"defined at {self._where(fn.span)}"])
        generics = self.bind_generics(module, fn, e, expected)
        args = []
        for p, a in zip(fn.params, e.args, strict=True):
            pt = self._param_type(module, fn, p, generics)
            v = self.expr(a, pt)
            args.append(v)
        self._infer_generics(module, fn, generics, args, e)
        for p, a, v in zip(fn.params, e.args, args, strict=True):
            pt = self._param_type(module, fn, p, generics)
            self.expect_type(pt, v.type, a.span, f" for argument `{p.name}` of `{fn.name}`")
        if fn.unconstrained and self.mode is Mode.CONSTRAINED:
            if self.unsafe_depth == 0:
                raise error("E0108", f"call to unconstrained function `{fn.name}` outside `unsafe`", e.span,
                            "needs `unsafe { .. }`",
                            ["its result is not constrained; wrap the call in `unsafe { .. }` and constrain it"])
            return self.hint_call(module, fn, generics, args, e.span)
        if fn.unconstrained and self.mode is Mode.CHECK:
            return self.check_unconstrained(module, fn, generics, args, e.span)
        return self.inline(module, fn, generics, args, e.span)

    def _where(self, span: Span) -> str:
        line, col = self.sources.line_col(span.file, span.start)
        return f"{span.file}:{line}:{col}"

    def bind_generics(self, module: Module, fn: ast.FnDecl, e: ast.Call, expected: Type | None) -> dict[str, int]:
        generics: dict[str, int] = {}
        if e.generic_args:
            if len(e.generic_args) != len(fn.generics):
                raise error("E0106", f"`{fn.name}` takes {len(fn.generics)} const generic(s), "
                            f"{len(e.generic_args)} given", e.span)
            for g, a in zip(fn.generics, e.generic_args, strict=True):
                generics[g.name] = self.const_u32(a, f"the const generic `{g.name}`")
        return generics

    def _param_type(self, module: Module, fn: ast.FnDecl, p: ast.Param, generics: dict[str, int]) -> Type | None:
        """The parameter's type. While some const generic it mentions is still unknown, a
        *shape hint* instead: array lengths that depend on it are ``HOLE``, so an argument
        like ``[1, 2, 3]`` for ``xs: [u32; N]`` still types its literals as ``u32``."""
        if not fn.generics and self.observe is None and not self._storage_types:
            # the same type at every call (each call asks twice): resolved once
            hit = self._param_types.get(id(p))
            if hit is not None and hit[0] is p:
                return hit[1]
            with self.entered(module, fn, [self.generic_scope(generics)]):
                t = self._shape(p.type, set())
            self._param_types[id(p)] = (p, t)
            return t
        unknown = {g.name for g in fn.generics} - set(generics)
        with self.entered(module, fn, [self.generic_scope(generics)]):
            return self._shape(p.type, unknown)

    def _shape(self, te: ast.TypeExpr, unknown: set[str]) -> Type:
        if not _mentions(te, unknown):
            return self.resolve_type(te)
        if isinstance(te, ast.ArrayType):
            n = HOLE if _expr_mentions(te.length, unknown) else self.const_u32(te.length, "an array length")
            return Array(self._shape(te.element, unknown), n)
        if isinstance(te, ast.ProofType):
            return None  # no hint needed: a proof argument has its type already
        return Tuple(tuple(self._shape(x, unknown) for x in te.elements))

    def _infer_generics(self, module, fn, generics, args, e) -> None:
        names = {g.name for g in fn.generics}
        for p, a in zip(fn.params, args, strict=True):
            _unify(p.type, a.type, names, generics)
        missing = [g.name for g in fn.generics if g.name not in generics]
        if missing:
            raise error("E0208", f"cannot infer the const generic `{missing[0]}` of `{fn.name}`", e.span,
                        notes=[f"give it explicitly: `{fn.name}::<…>(…)`"])

    def hint_call(self, module: Module, fn: ast.FnDecl, generics: dict[str, int], args: list[TV], span: Span) -> TV:
        """An unconstrained call in a constrained function: check its body once, emit a hint."""
        ret_t = self._ret_type(module, fn, generics)
        if _contains_proof(ret_t) or any(_contains_proof(a.type) for a in args):
            raise error("E0108", f"proofs cannot cross into unconstrained `{fn.name}`", span)
        for a in args:
            if isinstance(a.type, StorageT):
                raise _storage_value_error(a.type, span)
        self._check_body(module, fn, generics, args, span)
        arg_types = [a.type for a in args]
        flat = [x for a in args for x in ty.flatten(a.type, a.payload)]
        loader, max_unroll, cache = self.loader, self.max_unroll, self.hint_cache
        has_pred = self.pred is not None
        nout = ty.size(ret_t)

        def run(values: list[int]) -> list[int]:
            if has_pred and values[-1] == 0:
                return [0] * nout
            sub = type(self)(loader, Mode.CONCRETE, max_unroll, hint_cache=cache)
            sub.frame = Frame(module, fn, True)
            consts = [sub.const(v, st) for v, st in zip(values, [s for t in arg_types for s in ty.leaf_types(t)],
                                                         strict=False)]
            pos, targs = 0, []
            for t in arg_types:
                payload, pos = ty.unflatten(t, consts, pos)
                targs.append(TV(t, payload))
            try:
                out = sub.run_concrete(module, fn, generics, targs)
            except CompileError as ce:
                raise ExecutionError(ce.diagnostics[0].message, ce.diagnostics[0].labels[0].span
                                     if ce.diagnostics[0].labels else span) from None
            return [v.const for v in ty.flatten(out.type, out.payload)]

        hint_args = flat + ([self.pred] if has_pred else [])
        label = f"{module.name}::{fn.name}"
        ins = self.prog.emit("hint", hint_args, [s.name for s in ty.leaf_types(ret_t)], span, (HintFn(label, run),))
        self.hint_calls.append((ins, span))
        # a prover may put anything in a hint's results: give them their type's range, which
        # every later gadget relies on (u64 and Felt: every field element is a value)
        for r in ins.results:
            st = ty.SCALARS[r.type]
            if st.is_int and st.bits < 64:
                self.prog.emit("range_check", (r,), (), span, (st.bits, f"`{fn.name}` returned a value that is not a {st}"))
            elif st == BOOL:
                self.prog.emit("assert_bool", (r,), (), span)
        payload, _ = ty.unflatten(ret_t, list(ins.results))
        return TV(ret_t, payload)

    def _ret_type(self, module, fn, generics) -> Type:
        with self.entered(module, fn, [self.generic_scope(generics)]):
            return self.resolve_type(fn.ret) if fn.ret is not None else UNIT

    def check_unconstrained(
        self, module: Module, fn: ast.FnDecl, generics: dict[str, int], args: list[TV], span: Span
    ) -> TV:
        """In check mode: type-check the callee once, give a fresh symbolic result."""
        ret_t = self._ret_type(module, fn, generics)
        self._check_body(module, fn, generics, args, span)
        return self._opaque(ret_t, span)

    def _check_body(self, module, fn, generics, args: list[TV], span: Span) -> None:
        """Type-check an unconstrained body once per instantiation."""
        key = (module.name, fn.name, tuple(sorted(generics.items())))
        if key not in self.hint_cache:
            self.hint_cache[key] = "busy"
            sub = type(self)(self.loader, Mode.CHECK, self.max_unroll, hint_cache=self.hint_cache)
            sub.frame = Frame(module, fn, True)
            sym = []
            for a in args:
                leaves = [sub.prog.emit("input", (), (s.name,), span, ("arg", False)).result
                          for s in ty.leaf_types(a.type)]
                sym.append(TV(a.type, ty.unflatten(a.type, leaves)[0]))
            sub.inline(module, fn, generics, sym, span)
            self.hint_cache[key] = "ok"

    def gfp5_intrinsic(self, e: ast.Call, name: str) -> TV:
        """std::gfp5's intrinsics on `[Felt; 5]` pairs: ``__gfp5_mul(a, b)``, the product (the
        ``gfp5_mul`` op and gate), and ``__gfp5_div(a, b)``, the quotient a/b (0 when b = 0)
        computed natively (psyc.field.gfp5) as an unconstrained hint that std::gfp5 checks."""
        from psyc.field.gfp5 import div_or_zero
        from psyc.plonk.gates.gfp5_mul import gfp5_product

        t = Array(FELT, 5)
        if len(e.args) != 2:
            raise error("E0106", f"`{name}` takes two `[Felt; 5]`", e.span)
        flat = []
        for a in e.args:
            v = self.expr(a, t)
            self.expect_type(t, v.type, a.span)
            flat += list(v.payload)

        def native(vals: list[int]) -> list[int]:
            return div_or_zero(vals) if name == "__gfp5_div" else [x % P for x in gfp5_product(vals[:5], vals[5:])]

        if all(x.const is not None for x in flat):
            return TV(t, [self.const(x, FELT) for x in native([x.const for x in flat])])
        if name == "__gfp5_mul":
            return TV(t, list(self.emit("gfp5_mul", flat, ["Felt"] * 5, e.span)))
        if self.mode is Mode.CHECK:
            return self._opaque(t, e.span)
        ins = self.prog.emit("hint", flat, ["Felt"] * 5, e.span, (HintFn(name, native),))
        return TV(t, list(ins.results))

    def intrinsic(self, e: ast.Call) -> TV:
        name = e.callee.segments[0]
        if name in ("__gfp5_mul", "__gfp5_div"):
            return self.gfp5_intrinsic(e, name)
        if name == "__permute":
            if len(e.args) != 1:
                raise error("E0106", "`__permute` takes one argument", e.span)
            v = self.expr(e.args[0], Array(FELT, 12))
            self.expect_type(Array(FELT, 12), v.type, e.args[0].span)
            out = self.emit("permute", v.payload, ["Felt"] * 12, e.span)
            return TV(Array(FELT, 12), list(out))
        if name == "__verify_proof":
            if len(e.args) != 1:
                raise error("E0106", "`__verify_proof` takes one proof", e.span)
            v = self.expr(e.args[0], None)
            if not isinstance(v.type, ty.ProofT):
                raise error("E0200", f"expected a proof, found `{v.type}`", e.args[0].span)
            if self.mode is not Mode.CONSTRAINED:
                raise error("E0108", "proofs are verified in constrained code only", e.span)
            pis, fp, slot = v.payload
            self.check("verify_proof", (*pis, *fp), e.span, (slot, v.type.num_public_inputs))
            return TV(UNIT, ())
        if name in _BIG_HINTS:
            return self.big_hint(e, name)
        if name in ("__bigint_mul", "__bigint_carry"):
            return self.bigint_gate(e, name)
        if name == "__range_check":
            return self.range_check_intrinsic(e)
        if name == "__select":
            return self.select_intrinsic(e)
        raise error("E0100", f"unknown intrinsic `{name}`", e.span)

    def _limb_vectors(self, e: ast.Call, name: str, nargs: int) -> list[list[Value]]:
        if len(e.args) != nargs:
            raise error("E0106", f"`{name}` takes {nargs} limb vectors", e.span)
        vecs = []
        for a in e.args:
            v = self.expr(a, None)
            if not (isinstance(v.type, Array) and v.type.element == FELT):
                raise error("E0200", f"`{name}` takes `[Felt; K]` limb vectors, found `{v.type}`", a.span)
            vecs.append(list(v.payload))
        return vecs

    def big_hint(self, e: ast.Call, name: str) -> TV:
        """std::bigint's native hints over `[Felt; K]` limb vectors (psyc.frontend.bigint_hints):
        ``__big_mod(cols, m)``, ``__big_div(cols, m)``, ``__big_moddiv(num, den, m)``,
        ``__big_mulmod(a, b, c, m)``, ``__big_muldiv(a, b, c, m)``, ``__big_glv(k)``; their
        results are unconstrained `Felt`s that ``std::bigint`` (``std::secp256k1``: the GLV
        split) range-checks and checks."""
        from psyc.frontend import bigint_hints as bh

        nargs = {"__big_moddiv": 3, "__big_mulmod": 4, "__big_muldiv": 4, "__big_glv": 1}.get(name, 2)
        vecs = self._limb_vectors(e, name, nargs)
        lens = [len(v) for v in vecs]
        if name == "__big_mod":
            fn, nout = (lambda vals, n=lens[0]: bh.big_mod(vals, n)), bh.NUM_LIMBS
        elif name == "__big_div":
            fn, nout = (lambda vals, n=lens[0]: bh.big_div(vals, n)), bh.QUOTIENT_LIMBS
        elif name == "__big_glv":
            fn, nout = bh.big_glv, bh.GLV_OUTPUTS
        elif name == "__big_moddiv":
            fn, nout = (lambda vals, a=lens[0], b=lens[1]: bh.big_moddiv(vals, a, b)), bh.NUM_LIMBS
        else:
            if len(set(lens)) != 1:
                raise error("E0200", f"`{name}` takes four vectors of one length", e.span)
            mod = name == "__big_mulmod"
            fn = (lambda vals, n=lens[0]: bh.big_mulmod(vals, n)) if mod else (lambda vals, n=lens[0]: bh.big_muldiv(vals, n))
            nout = bh.NUM_LIMBS if mod else bh.QUOTIENT_LIMBS
        flat = [x for v in vecs for x in v]
        out_t = Array(FELT, nout)
        if all(x.const is not None for x in flat):
            return TV(out_t, [self.const(int(x), FELT) for x in fn([x.const for x in flat])])
        if self.mode is Mode.CHECK:
            return self._opaque(out_t, e.span)
        ins = self.prog.emit("hint", flat, ["Felt"] * nout, e.span, (HintFn(name, fn),))
        return TV(out_t, list(ins.results))

    def select_intrinsic(self, e: ast.Call) -> TV:
        """``__select(i, table)``: ``table[i]`` for a table of ``[Felt; K]`` rows (2, 4, 8, 16
        or 32 of them) and a witness index ``i`` (an unsigned integer or a `Felt`; an index
        past the table fails), as one
        ``read`` per column marked ``shared``: lowering places the reads that share ``i``
        several to a multi-select ``random_access`` row (a plain ``table[i]`` takes a row
        per column)."""
        if len(e.args) != 2:
            raise error("E0106", "`__select` takes an index and a table", e.span)
        idx = self.expr(e.args[0], None)
        if not (isinstance(idx.type, Scalar) and (idx.type.is_int or idx.type == FELT)):
            raise error("E0200", f"an index must be an unsigned integer or a `Felt`, found `{idx.type}`",
                        e.args[0].span)
        table = self.expr(e.args[1], None)
        t = table.type
        if not (isinstance(t, Array) and isinstance(t.element, Array) and t.element.element == FELT
                and t.length in (2, 4, 8, 16, 32)):
            raise error("E0200", f"`__select` takes a table `[[Felt; K]; N]` of 2, 4, 8, 16 or 32 rows, found `{t}`",
                        e.args[1].span)
        rows = [ty.flatten(t.element, row) for row in table.payload]
        i = idx.payload
        if i.const is not None:
            if i.const >= t.length:
                self._out_of_bounds(t.length, i.const, e.args[0].span)
            return TV(t.element, list(table.payload[i.const]))
        cols = [self.emit1("read", (i, *(row[k] for row in rows)), "Felt", e.span, ("shared",), predicated=True)
                for k in range(t.element.length)]
        return TV(t.element, cols)

    def bigint_gate(self, e: ast.Call, name: str) -> TV:
        """``__bigint_mul(a, b, c)``: the column pairs of a·b − c (the ``bigint_mul`` gate);
        ``__bigint_carry(d, u, m)``: the biased carries and residual of value(d) − q·m for a
        constant modulus m the ``bigint_carry`` gate knows (psyc.plonk.gates.bigint)."""
        from psyc.frontend import bigint_hints as bh
        from psyc.plonk.gates.bigint import MODULI

        vecs = self._limb_vectors(e, name, 3)
        n = len(vecs[0])
        if name == "__bigint_mul":
            if any(len(v) != n for v in vecs):
                raise error("E0200", "`__bigint_mul` takes three vectors of one length", e.span)
            return TV(Array(FELT, n), list(self.emit("bigint_mul", [x for v in vecs for x in v], ["Felt"] * n, e.span)))
        d, u, m = vecs
        if len(u) != n + 1 or len(m) != n:
            raise error("E0200", "`__bigint_carry` takes d: [Felt; L], u: [Felt; L + 1], m: [Felt; L]", e.span)
        if any(x.const is None for x in m):
            raise error("E0200", "`__bigint_carry`: the modulus must be a constant", e.args[2].span)
        value = bh.value_of([x.const for x in m])
        index = next((k for k, v in MODULI.items() if v == value), None)
        if index is None:
            raise error("E0200", "`__bigint_carry`: no bigint_carry gate for this modulus", e.args[2].span,
                        notes=["the gate knows secp256k1's p and n (psyc.plonk.gates.bigint.MODULI)"])
        outs = self.emit("bigint_carry", [*d, *u], ["Felt"] * n, e.span, (index,))
        return TV(Array(FELT, n), list(outs))

    def range_check_intrinsic(self, e: ast.Call) -> TV:
        """``__range_check(x, BITS)``: x, checked to be below 2^BITS (BITS a constant)."""
        if len(e.args) != 2:
            raise error("E0106", "`__range_check` takes a value and a number of bits", e.span)
        v = self.expr(e.args[0], FELT)
        self.expect_type(FELT, v.type, e.args[0].span)
        bits = self.const_u32(e.args[1], "the number of bits")
        if not 1 <= bits <= 32:
            raise error("E0200", "`__range_check` checks 1 to 32 bits", e.args[1].span)
        self.check("range_check", (v.payload,), e.span, (bits, f"value does not fit in {bits} bits"))
        return v

    def e_MacroCall(self, e: ast.MacroCall, expected: Type | None) -> TV:
        if e.name != "fingerprint":
            raise error("E0100", f"unknown macro `{e.name}!`", e.span, notes=["the macros are `fingerprint!`"])
        if _fingerprint_resolver is None:
            raise error("E0100", "`fingerprint!` needs the compiler: import psyc.compiler first", e.span)
        base = self.loader.real_path(self.module)
        target = (base.parent / e.arg).resolve()
        if not target.is_file():
            raise error("E0101", f"`fingerprint!`: no program at {e.arg}", e.span, "not found",
                        [f"the path is relative to {self.module.file}"])
        digest = _fingerprint_resolver(target, e.span, self.shape)
        return TV(ty.HASH, [self.const(x, FELT) for x in digest])
