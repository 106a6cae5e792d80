"""Lowering: IR program -> Plonkish circuit (a :class:`CircuitBuilder`).

Every IR value becomes a :class:`Target`; every instruction becomes gates placed inside
``builder.scope("file:line:col")`` of its span, so a witness that violates a constraint is
reported at the ``.psy`` line that caused it. The witness comes from the interpreter:
:meth:`Lowered.partial_witness` sets the ``input`` values and ``hint`` results of an
:class:`~psyc.ir.interpret.Execution`; everything else is derived by the builder's
generators (each hint also gets a generator, so the builder can fill the witness alone).

Gadgets rely on one invariant: a value of an integer type is in range for its type
(every producer — a checked op, a range check the front end emits after an ``input`` or
``hint`` — guarantees it). Integers up to 32 bits compute exactly in the field and are
range-checked; ``u64`` (0..p-1) goes through canonical 32-bit limbs. A *predicated* op
multiplies its operands by the predicate first (a divisor becomes ``pred*(b-1)+1``), so
with predicate 0 every check passes trivially and the result is 0 — as in the interpreter.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from psyc.field.goldilocks import P
from psyc.ir.interpret import Execution
from psyc.ir.ir import INT_TYPES, Instr, Program, Value
from psyc.ir.ops import OPS, lowers
from psyc.plonk.builder import RANGE_CHECK_LIMBS, CircuitBuilder
from psyc.plonk.config import CircuitConfig
from psyc.plonk.diagnostics import ConstraintFailure, check_constraints
from psyc.plonk.gates.arithmetic import WIRES_PER_OP
from psyc.plonk.gates.random_access import random_access_copies
from psyc.plonk.target import Target
from psyc.plonk.witness import PartialWitness, inverse_hint
from psyc.plonk.witness_gen import solve
from psyc.util.diagnostics import SourceMap, Span

if TYPE_CHECKING:
    from psyc.plonk.circuit import CircuitData
    from psyc.recursion.shape import StandardShape

M32 = (1 << 32) - 1
TWO32 = 1 << 32


class LoweringError(Exception):
    """The program uses something the circuit backend cannot express."""


def _type_bits(type_: str) -> int:
    """Bit width used by comparisons: 1 for bool, 64 for Felt and u64."""
    if type_ == "bool":
        return 1
    return INT_TYPES.get(type_, 64)


class Lowered:
    """A lowered program: the builder, the target of every value, and witness helpers."""

    def __init__(self, program: Program, builder: CircuitBuilder, sources: SourceMap | None) -> None:
        self.program = program
        self.builder = builder
        self.sources = sources
        self.targets: dict[int, Target] = {}
        self.inputs: list[tuple[Value, Target]] = []
        self.hint_results: list[tuple[Value, Target]] = []
        self.lookup_scopes: dict[int, str] = {}  # target index -> scope of the check that looks it up
        self.proof_slots: dict[int, tuple] = {}  # slot -> (proof targets, key targets) of a proof input
        self.shape = None
        self._data = None

    def build(self):
        """The CircuitData (built once, then cached)."""
        if self._data is None:
            self._data = self.builder.build()
        return self._data

    def partial_witness(self, execution: Execution) -> PartialWitness:
        """Inputs and hint results from an interpreter run; the builder derives the rest."""
        pw = PartialWitness()
        vals = execution.values
        for v, t in self.inputs:
            pw.set_target(t, vals[v.id])
        for v, t in self.hint_results:
            pw.set_target(t, vals[v.id])
        if self.proof_slots:
            from psyc.recursion.vk import set_verifier_data_targets
            from psyc.recursion.witness import set_proof_targets

            for slot, (pt, vkt) in self.proof_slots.items():
                proof, vk = execution.proofs[slot]
                set_proof_targets(pw, pt, proof)
                set_verifier_data_targets(pw, vkt, vk)
        return pw

    @property
    def stats(self) -> dict[str, int]:
        """Rows by gate name (after :meth:`build`: including the public-input rows)."""
        return dict(Counter(r.gate.name for r in self.builder.rows if r.scope != "padding"))

    @property
    def num_rows(self) -> int:
        return sum(1 for r in self.builder.rows if r.scope != "padding")


def lower(
    program: Program,
    config: CircuitConfig | None = None,
    sources: SourceMap | None = None,
    *,
    lookups: bool = True,
    shape: StandardShape | None = None,
    into_shape: StandardShape | None = None,
) -> Lowered:
    """Lower ``program`` into a fresh :class:`CircuitBuilder`.

    Public ``input`` values are registered as public inputs first (in program order), then
    the ``output`` values (in order). ``lookups=False`` range-checks with bit
    decompositions only (no logUp table, so tiny circuits stay tiny). ``shape``: the
    standard shape (``psyc.recursion.shape``) of the proofs the program verifies.
    ``into_shape``: lower into that standard shape itself (``#[recursive]``): its
    ``StandardBuilder`` (the shape's config and gate prelude; ``build`` pads to the shape's
    degree) and range checks by bit decomposition (the shape has no lookup table)."""
    builder = into_shape.builder() if into_shape is not None else CircuitBuilder(config)
    lowered = Lowered(program, builder, sources)
    lowered.shape = shape
    _Lowerer(lowered, lookups and into_shape is None).run()
    return lowered


class _Lowerer:
    def __init__(self, lowered: Lowered, lookups: bool) -> None:
        self.L = lowered
        self.b = lowered.builder
        self.cfg = self.b.config
        self.T = lowered.targets
        self.lookups = lookups
        self.cval: dict[int, int] = {}  # target index -> value, for constant targets
        self.limbs: dict[int, tuple[Target, Target]] = {}
        self.outputs: list[Target] = []
        # constants 0 and 1 first: their generators then run before any check that uses
        # them, so a violated check is reported by the generator of the check itself
        self.zero = self.k(0)
        self.one = self.k(1)
        self._lookup_ok: dict[int, bool] = {}
        # __select's reads waiting for a multi-select row, by (index, number of items)
        self.shared_reads: dict[tuple[Target, int], list[tuple[list[Target], Target]]] = {}

    # --- driver ------------------------------------------------------------------------
    def run(self) -> None:
        b = self.b
        prog = self.L.program
        for ins in prog.instrs:  # public inputs first, in program order
            if ins.op == "input":
                self.op_input(ins)
        lowerings = {name: spec.lower for name, spec in OPS.items()}
        locs: dict[tuple[str, int], str] = {}  # (file, offset) -> "file:line:col"
        # each instruction lowers in the scope of its location; consecutive instructions of
        # one location (an unrolled loop body's) share one opening of it, as the scope is
        # all that rows and generators read of it
        last_span, loc = None, None
        current = None  # the location open in the builder
        try:
            for ins in prog.instrs:
                op = ins.op
                if op == "input":
                    continue
                fn = lowerings.get(op)
                if fn is None:
                    raise LoweringError(f"cannot lower `{op}`")
                span = ins.span
                if span is not last_span:
                    last_span = span
                    if span is None:
                        loc = None
                    else:
                        key = (span.file, span.start)
                        loc = locs.get(key)
                        if loc is None:
                            loc = locs[key] = self.loc(span)
                if loc != current:
                    if current is not None:
                        b.pop_scope()
                    if loc is not None:
                        b.push_scope(loc)
                    current = loc
                fn(self, ins)
        finally:
            if current is not None:
                b.pop_scope()
        for index, n in list(self.shared_reads):
            self.place_shared_reads(index, n)
        b.register_public_inputs(self.outputs)

    def loc(self, span: Span) -> str:
        s = self.L.sources
        if s is not None:
            try:
                line, col = s.line_col(span.file, span.start)
                return f"{span.file}:{line}:{col}"
            except KeyError:
                pass
        return f"{span.file}@{span.start}"

    # --- targets and small helpers ------------------------------------------------------------
    def k(self, value: int) -> Target:
        t = self.b.constant(value)
        self.cval[t.index] = value % P
        return t

    def t(self, v: Value) -> Target:
        if v.const is not None:
            t = self.k(v.const)
            self.T.setdefault(v.id, t)
            return t
        return self.T[v.id]

    def set(self, v: Value, t: Target) -> None:
        self.T[v.id] = t

    def arith(self, c0: int, c1: int, a: Target, b: Target, c: Target) -> Target:
        return self.b.arithmetic(c0, c1, a, b, c)

    def add(self, a: Target, b: Target) -> Target:
        return self.b.arithmetic(1, 1, a, self.one, b)

    def sub(self, a: Target, b: Target) -> Target:
        return self.b.arithmetic(1, P - 1, a, self.one, b)

    def mul(self, a: Target, b: Target) -> Target:
        return self.b.arithmetic(1, 0, a, b, self.zero)

    def assert_zero(self, t: Target) -> None:
        """t == 0 (t should be computed in the current scope: then a violation is reported
        by t's own generator, here)."""
        self.b.connect(t, self.zero)

    def hint(self, fn: Callable[[list[int]], Sequence[int]], deps: Sequence[Target], n: int, name: str):
        outs = self.b.add_virtual_targets(n)
        self.b.add_generator(fn, list(deps), outs, f"hint:{name}")
        return outs

    def mask(self, pred: Target | None, t: Target) -> Target:
        return t if pred is None else self.mul(pred, t)

    def mask_divisor(self, pred: Target | None, t: Target) -> Target:
        """pred ? t : 1."""
        return t if pred is None else self.arith(1, 1, pred, self.sub(t, self.one), self.one)

    # --- range checks -------------------------------------------------------------------------
    def use_lookup(self, bits: int) -> bool:
        ok = self._lookup_ok.get(bits)
        if ok is None:
            cfg = self.cfg
            tb, per_row = cfg.range_table_bits, cfg.lookups_per_row
            slots = cfg.num_routed_wires // WIRES_PER_OP
            limbs = -(-bits // tb)
            partial = int(bits % tb != 0)
            cost = (limbs + partial) / per_row + (limbs - 1 + partial) / slots
            ok = self.lookups and cost < 1.0
            self._lookup_ok[bits] = ok
        return ok

    def rc(self, t: Target, bits: int) -> None:
        """0 <= t < 2^bits, by lookups or a bit decomposition, whichever is cheaper."""
        if bits >= 64:
            return
        c = self.cval.get(t.index)
        if c is not None and c >> bits == 0:
            return
        if bits == 0:
            self.assert_zero(self.mul(t, self.one))
        elif bits == 1:
            self.b.assert_bool(t)
        elif self.use_lookup(bits):
            self.L.lookup_scopes.setdefault(t.index, self.b.current_scope)
            self.b.range_check_lookup(t, bits)
        else:
            self.b.range_check(t, bits)

    # --- comparison gadgets ---------------------------------------------------------------------
    def is_zero(self, d: Target) -> Target:
        c = self.cval.get(d.index)
        if c is not None:
            return self.k(int(c == 0))
        (inv,) = self.hint(inverse_hint, [d], 1, "inverse")
        out = self.arith(P - 1, 1, d, inv, self.one)  # 1 - d*inv
        self.assert_zero(self.mul(d, out))
        return out

    def is_eq(self, a: Target, b: Target) -> Target:
        if a == b:
            return self.one
        return self.is_zero(self.sub(a, b))

    def lt_small(self, a: Target, b: Target, bits: int) -> Target:
        """a < b for a, b < 2^bits (bits <= 32): the top bit of b - a - 1 + 2^bits."""
        d = self.add(self.sub(b, a), self.k((1 << bits) - 1))
        if self.use_lookup(bits):
            (bit,) = self.hint(lambda v, s=bits: [v[0] >> s], [d], 1, "lt")
            self.b.assert_bool(bit)
            self.rc(self.arith(P - 1, 1, bit, self.k(1 << bits), d), bits)
            return bit
        return self.b.split_le(d, bits + 1)[bits]

    def limbs64(self, x: Target, with_bits: bool = False):
        """Canonical 32-bit limbs (hi, lo) of a field element: x = hi*2^32 + lo < p.
        With ``with_bits`` the limbs are decomposed into bits, returned as well."""
        c = self.cval.get(x.index)
        if c is not None and not with_bits:
            return self.k(c >> 32), self.k(c & M32)
        cached = self.limbs.get(x.index)
        if cached is not None and not with_bits:
            return cached
        # the limbs as bits (to_bits), else range-checked by lookups where cheaper
        split = (lambda limb: self.b.split_le(limb, 32)) if with_bits else (lambda limb: self.rc(limb, 32))
        lo, hi, bits_lo, bits_hi = self.b.canonical_limbs(x, split)
        if cached is None:
            self.limbs[x.index] = (hi, lo)
        if with_bits:
            return hi, lo, bits_lo + bits_hi
        return hi, lo

    def lt64(self, a: Target, b: Target) -> Target:
        ah, al = self.limbs64(a)
        bh, bl = self.limbs64(b)
        lt_h = self.lt_small(ah, bh, 32)
        eq_h = self.is_eq(ah, bh)
        lt_l = self.lt_small(al, bl, 32)
        return self.arith(1, 1, eq_h, lt_l, lt_h)  # lt_h + eq_h * lt_l

    def lt(self, a: Target, b: Target, bits: int) -> Target:
        return self.lt_small(a, b, bits) if bits <= 32 else self.lt64(a, b)

    # --- u64 arithmetic ------------------------------------------------------------------------
    def add64(self, a: Target, b: Target) -> Target:
        s = self.add(a, b)
        self.assert_zero(self.lt64(s, a))  # overflow iff the field sum wrapped: s < a
        return s

    def sub64(self, a: Target, b: Target) -> Target:
        self.assert_zero(self.lt64(a, b))
        return self.sub(a, b)

    def mul64(self, a: Target, b: Target) -> Target:
        ah, al = self.limbs64(a)
        bh, bl = self.limbs64(b)
        self.assert_zero(self.mul(ah, bh))  # exact (< p): one of the high limbs is 0
        cross = self.arith(1, 1, ah, bl, self.mul(al, bh))  # one term is 0: exact
        self.rc(cross, 32)
        th, tl = self.limbs64(self.mul(al, bl))
        rh = self.add(th, cross)
        self.rc(rh, 32)
        res = self.arith(1, 1, self.k(TWO32), rh, tl)
        self.assert_zero(self.mul(self.is_eq(rh, self.k(M32)), tl))  # res < p
        return res

    # --- ops (each method registered in the op table, psyc.ir.ops, with @lowers) -----------------
    @lowers("input")
    def op_input(self, ins: Instr) -> None:
        """A virtual target; a public input is registered in program order (run() lowers
        every input before any other instruction)."""
        t = self.b.add_virtual_target()
        self.T[ins.result.id] = t
        self.L.inputs.append((ins.result, t))
        if len(ins.attrs) > 1 and ins.attrs[1]:
            self.b.register_public_input(t)

    def _pred(self, ins: Instr) -> Target | None:
        return self.t(ins.args[-1]) if ins.predicated else None

    def _int_op(self, ins: Instr, op: str) -> None:
        r = ins.result
        pred = self._pred(ins)
        a, b = (self.t(v) for v in ins.operands)
        if r.type == "Felt":
            raw = self.add(a, b) if op == "add" else self.sub(a, b) if op == "sub" else self.mul(a, b)
            self.set(r, self.mask(pred, raw))
            return
        a, b = self.mask(pred, a), self.mask(pred, b)
        bits = _type_bits(r.type)
        if bits <= 32:
            raw = self.add(a, b) if op == "add" else self.sub(a, b) if op == "sub" else self.mul(a, b)
            self.rc(raw, bits)  # exact in the field: a, b < 2^32 (and a*b < p)
        else:
            raw = self.add64(a, b) if op == "add" else self.sub64(a, b) if op == "sub" else self.mul64(a, b)
        self.set(r, raw)

    @lowers("add")
    def op_add(self, ins: Instr) -> None:
        self._int_op(ins, "add")

    @lowers("sub")
    def op_sub(self, ins: Instr) -> None:
        self._int_op(ins, "sub")

    @lowers("mul")
    def op_mul(self, ins: Instr) -> None:
        self._int_op(ins, "mul")

    @lowers("neg")
    def op_neg(self, ins: Instr) -> None:
        self.set(ins.result, self.b.neg(self.t(ins.args[0])))

    @lowers("arith")
    def op_arith(self, ins: Instr) -> None:
        # the commonest op after the fusion pass: self.t inlined for the non-constant operands
        T = self.T
        a, b, c = ins.args
        a = T[a.id] if a.const is None else self.t(a)
        b = T[b.id] if b.const is None else self.t(b)
        c = T[c.id] if c.const is None else self.t(c)
        attrs = ins.attrs
        T[ins.results[0].id] = self.b.arithmetic(attrs[0], attrs[1], a, b, c)

    @lowers("div")
    def op_div(self, ins: Instr) -> None:
        pred = self._pred(ins)
        a, b = (self.t(v) for v in ins.operands)
        a, b = self.mask(pred, a), self.mask_divisor(pred, b)
        (inv,) = self.hint(inverse_hint, [b], 1, "inverse")
        self.assert_zero(self.arith(1, P - 1, b, inv, self.one))  # b * inv == 1
        self.set(ins.result, self.mul(a, inv))

    @lowers("divmod")
    def op_divmod(self, ins: Instr) -> None:
        pred = self._pred(ins)
        a, b = (self.t(v) for v in ins.operands)
        a, b = self.mask(pred, a), self.mask_divisor(pred, b)
        q, r = self.hint(lambda v: [v[0] // v[1], v[0] % v[1]] if v[1] else [0, 0], [a, b], 2, "divmod")
        bits = _type_bits(ins.results[0].type)
        if bits <= 32:
            self.rc(q, bits)
            self.rc(r, bits)
            self.rc(self.sub(self.sub(b, r), self.one), bits)  # r < b (so b != 0)
            self.b.connect(self.arith(1, 1, q, b, r), a)  # exact: q*b + r < p
        else:
            self.b.connect(self.add64(self.mul64(q, b), r), a)
            self.assert_zero(self.sub(self.lt64(r, b), self.one))
        self.set(ins.results[0], q)
        self.set(ins.results[1], r)

    @lowers("wrap")
    def op_wrap(self, ins: Instr) -> None:
        a, b = (self.t(v) for v in ins.args)
        op = ins.attrs[0]
        r = ins.result
        bits = INT_TYPES.get(r.type, 64)
        if bits > 32:
            raise LoweringError(f"wrapping arithmetic is not supported on {r.type}")
        if op == "add":
            s, hi_bits = self.add(a, b), 1
        elif op == "sub":
            s, hi_bits = self.add(self.sub(a, b), self.k(1 << bits)), 1
        elif op == "mul":
            s, hi_bits = self.mul(a, b), bits
        else:
            raise LoweringError(f"unknown wrapping op {op!r}")
        (hi,) = self.hint(lambda v, sh=bits: [v[0] >> sh], [s], 1, "wrap")
        lo = self.arith(P - 1, 1, hi, self.k(1 << bits), s)  # s - hi * 2^bits
        self.rc(lo, bits)
        self.rc(hi, hi_bits)
        if op == "mul" and bits == 32:  # hi <= 2^32 - 2 so hi*2^32 + lo < p cannot alias
            self.rc(self.sub(self.k(TWO32 - 2), hi), 32)
        self.set(r, lo)

    @lowers("eq")
    def op_eq(self, ins: Instr) -> None:
        a, b = (self.t(v) for v in ins.args)
        self.set(ins.result, self.is_eq(a, b))

    @lowers("lt")
    def op_lt(self, ins: Instr) -> None:
        a, b = (self.t(v) for v in ins.args)
        self.set(ins.result, self.lt(a, b, _type_bits(ins.args[0].type)))

    @lowers("not")
    def op_not(self, ins: Instr) -> None:
        self.set(ins.result, self.sub(self.one, self.t(ins.args[0])))

    @lowers("and")
    def op_and(self, ins: Instr) -> None:
        a, b = (self.t(v) for v in ins.args)
        self.set(ins.result, self.mul(a, b))

    @lowers("or")
    def op_or(self, ins: Instr) -> None:
        a, b = (self.t(v) for v in ins.args)
        self.set(ins.result, self.arith(P - 1, 1, a, b, self.add(a, b)))  # a + b - ab

    @lowers("xor")
    def op_xor(self, ins: Instr) -> None:
        a, b = (self.t(v) for v in ins.args)
        d = self.sub(a, b)
        self.set(ins.result, self.mul(d, d))  # (a - b)^2 = a + b - 2ab on bits

    @lowers("select")
    def op_select(self, ins: Instr) -> None:
        c, a, b = (self.t(v) for v in ins.args)
        if a == b:
            self.set(ins.result, a)
            return
        self.set(ins.result, self.arith(1, 1, c, self.sub(a, b), b))  # c*(a - b) + b

    @lowers("cast")
    def op_cast(self, ins: Instr) -> None:
        self.set(ins.result, self.t(ins.args[0]))

    @lowers("range_check")
    def op_range_check(self, ins: Instr) -> None:
        pred = self._pred(ins)
        self.rc(self.mask(pred, self.t(ins.args[0])), ins.attrs[0])

    @lowers("assert_bool")
    def op_assert_bool(self, ins: Instr) -> None:
        self.b.assert_bool(self.t(ins.args[0]))

    @lowers("to_bits")
    def op_to_bits(self, ins: Instr) -> None:
        x = self.t(ins.args[0])
        n = len(ins.results)
        if n < 64:
            if n > RANGE_CHECK_LIMBS:
                raise LoweringError(f"to_bits of {n} bits")
            bits = self.b.split_le(x, n)
        elif n == 64:
            _, _, bits = self.limbs64(x, with_bits=True)
        else:
            raise LoweringError(f"to_bits of {n} bits")
        for r, t in zip(ins.results, bits, strict=True):
            self.set(r, t)

    @lowers("from_bits")
    def op_from_bits(self, ins: Instr) -> None:
        bits = [self.t(v) for v in ins.args]
        if not bits:
            self.set(ins.result, self.zero)
            return
        acc = bits[0]
        for i in range(1, len(bits)):
            acc = self.arith(1, 1, self.k(pow(2, i, P)), bits[i], acc)
        self.set(ins.result, acc)

    @lowers("permute")
    def op_permute(self, ins: Instr) -> None:
        outs = self.b.permute([self.t(v) for v in ins.args])
        for r, t in zip(ins.results, outs, strict=True):
            self.set(r, t)

    @lowers("gfp5_mul")
    def op_gfp5_mul(self, ins: Instr) -> None:
        args = [self.t(v) for v in ins.args]
        for r, t in zip(ins.results, self.b.gfp5_mul(args[:5], args[5:]), strict=True):
            self.set(r, t)

    @lowers("bigint_mul")
    def op_bigint_mul(self, ins: Instr) -> None:
        args = [self.t(v) for v in ins.args]
        n = len(args) // 3
        for r, t in zip(ins.results, self.b.bigint_mul(args[:n], args[n : 2 * n], args[2 * n :]), strict=True):
            self.set(r, t)

    @lowers("bigint_carry")
    def op_bigint_carry(self, ins: Instr) -> None:
        args = [self.t(v) for v in ins.args]
        n = len(ins.results)
        for r, t in zip(ins.results, self.b.bigint_carry(ins.attrs[0], args[:n], args[n:]), strict=True):
            self.set(r, t)

    @lowers("read")
    def op_read(self, ins: Instr) -> None:
        pred = self._pred(ins)
        ops = ins.operands
        index = self.mask(pred, self.t(ops[0]))
        items = [self.t(v) for v in ops[1:]]
        n = len(items)
        if n == 0:
            raise LoweringError("read from an empty list")
        if pred is None and ins.attrs == ("shared",) and n in (2, 4, 8, 16, 32):
            self.set(ins.result, self.shared_read(index, items))
            return
        out = self.select_any(index, items)
        if n > 32:  # the chunks are padded: bound the index explicitly
            self.rc(self.sub(self.k(n - 1), index), (n - 1).bit_length())
        self.set(ins.result, self.mask(pred, out))

    def shared_read(self, index: Target, items: list[Target]) -> Target:
        """items[index] for a read of ``__select`` (a table row, one read per column): the
        reads that share an index are placed together, several selections a multi-select
        ``random_access`` row (the rows are placed as they fill, the rest at the end)."""
        out = self.b.add_virtual_target()
        group = self.shared_reads.setdefault((index, len(items)), [])
        group.append((items, out))
        if len(group) == random_access_copies(self.cfg, len(items).bit_length() - 1):
            self.place_shared_reads(index, len(items))
        return out

    def place_shared_reads(self, index: Target, n: int) -> None:
        group = self.shared_reads.pop((index, n))
        self.b.random_access_many(index, [items for items, _ in group], [out for _, out in group])

    def select_any(self, index: Target, items: list[Target]) -> Target:
        """items[index]; more than 32 items go through chunks of 32 (index = hi*32 + lo)."""
        if len(items) <= 32:
            return self.b.random_access(index, items)
        hi, lo = self.hint(lambda v: [v[0] >> 5, v[0] & 31], [index], 2, "read_index")
        chunks = [items[k : k + 32] for k in range(0, len(items), 32)]
        chunks[-1] = chunks[-1] + [self.zero] * (32 - len(chunks[-1]))
        # 32 items per chunk: each gate's bit decomposition bounds lo < 32
        outs = [self.b.random_access(lo, chunk) for chunk in chunks]
        self.b.connect(self.arith(1, 1, self.k(32), hi, lo), index)
        return self.select_any(hi, outs)

    @lowers("hint")
    def op_hint(self, ins: Instr) -> None:
        hf = ins.attrs[0]
        deps = [self.t(v) for v in ins.args]
        outs = self.hint(lambda v, f=hf.fn: list(f(list(v))), deps, len(ins.results), hf.name)
        for r, t in zip(ins.results, outs, strict=True):
            self.set(r, t)
            self.L.hint_results.append((r, t))

    @lowers("assert")
    def op_assert(self, ins: Instr) -> None:
        pred = self._pred(ins)
        c = self.t(ins.args[0])
        if pred is None:
            self.assert_zero(self.sub(c, self.one))
        else:
            self.assert_zero(self.arith(P - 1, 1, pred, c, pred))  # pred * (1 - c)

    @lowers("assert_eq")
    def op_assert_eq(self, ins: Instr) -> None:
        pred = self._pred(ins)
        a, b = (self.t(v) for v in ins.operands)
        self.assert_zero(self.mask(pred, self.sub(a, b)))

    @lowers("print")
    def op_print(self, ins: Instr) -> None:
        """``print``/``println`` show values during a run; the circuit has nothing of them."""

    @lowers("output")
    def op_output(self, ins: Instr) -> None:
        self.outputs.append(self.t(ins.args[0]))

    @lowers("proof_input")
    def op_proof_input(self, ins: Instr) -> None:
        """Targets for a whole proof of the standard shape and for its key's cap; the key's
        fingerprint is computed in circuit from the cap."""
        from psyc.recursion.shape import standard_shape
        from psyc.recursion.targets import add_proof_targets
        from psyc.recursion.vk import add_verifier_data_targets

        _, slot, n = ins.attrs
        shape = self.L.shape or standard_shape()
        common = shape.common(n)
        pt = add_proof_targets(self.b, common)
        vkt = add_verifier_data_targets(self.b, common)
        self.L.proof_slots[slot] = (pt, vkt)
        for r, t in zip(ins.results, [*pt.public_inputs, *vkt.fingerprint], strict=True):
            self.set(r, t)

    @lowers("verify_proof")
    def op_verify_proof(self, ins: Instr) -> None:
        from psyc.recursion.shape import standard_shape
        from psyc.recursion.verifier import verify_proof_circuit

        slot, n = ins.attrs
        pt, vkt = self.L.proof_slots[slot]
        shape = self.L.shape or standard_shape()
        verify_proof_circuit(self.b, pt, vkt, shape.common(n), condition=self._pred(ins))


# --- witness checking (a mock prover) --------------------------------------------------------------
def _failure(scope: str, what: str, value: int = 0, row: int = -1, gate: str = "copy") -> ConstraintFailure:
    return ConstraintFailure(row, gate, scope, 0, what, value, {})


class _Collect:
    """:func:`~psyc.plonk.witness_gen.solve` policy of the checker: record each
    inconsistency as a :class:`ConstraintFailure` at the generator's scope and go on."""

    def __init__(self) -> None:
        self.failures: list[ConstraintFailure] = []

    def partial_conflict(self, t: Target, v: int, old: int) -> None:
        self.failures.append(_failure("", f"copy constraint: {t} is set to {v} but is tied to {old}", (v - old) % P))

    def failed(self, gen, error: Exception) -> list[int]:  # a hint raising: its outputs stay unknown
        self.failures.append(_failure(gen.scope, f"generator '{gen.name}' failed: {error}", gate=gen.name))
        return [0] * len(gen.outputs)

    def wrong_count(self, gen, outs) -> list[int]:
        return [0] * len(gen.outputs)

    def not_a_field_element(self, gen, j: int, v: object, old: int | None) -> int:
        return v % P if type(v) is int else 0

    def conflict(self, gen, j: int, v: int, old: int) -> None:
        if not gen.free:  # hints are unconstrained: the first value stays
            self.failures.append(
                _failure(
                    gen.scope,
                    f"copy constraint: '{gen.name}' computes {v} for {gen.outputs[j]}, which is tied to {old}",
                    (v - old) % P,
                    gate=gen.name,
                )
            )

    def stuck(self, gen, missing: list[Target]) -> None:
        self.failures.append(_failure(gen.scope, f"generator '{gen.name}' waits for values nothing sets", gate=gen.name))


def solve_witness(data: CircuitData, pw: PartialWitness) -> tuple[list[int | None], list[ConstraintFailure]]:
    """Run the generators like ``generate_witness`` (the same solver,
    :func:`psyc.plonk.witness_gen.solve`), but without stopping at the first
    inconsistency. Returns the value of every class (``data.prover_only.target_class``
    maps targets to classes; None: never set) and the copy-constraint failures: a value a
    non-hint generator computes that contradicts its class (reported at the generator's
    scope — the IR instruction that computed it; the first value is kept). Hint outputs
    set in ``pw`` override their generators (hints are unconstrained)."""
    policy = _Collect()
    values = solve(data, pw, policy)
    return values, policy.failures


def check(lowered: Lowered, data: CircuitData, pw: PartialWitness, limit: int = 50) -> list[ConstraintFailure]:
    """Every violated constraint of the witness that ``pw`` extends to (empty: satisfied).

    Like ``generate_witness`` + ``check_constraints``, but it does not stop at the first
    inconsistency (see :func:`solve_witness`), checks the lookups too, and refines the
    scope of a failure in a packed arithmetic row to the op that owns the failing slot."""
    po, common = data.prover_only, data.common
    values, failures = solve_witness(data, pw)
    table = np.array([v if v is not None else 0 for v in values], dtype=np.uint64)
    wires = table[po.cell_class]
    public_inputs = [int(table[c]) for c in po.public_input_classes]

    rows = lowered.builder.rows
    out_scope: dict[int, str] | None = None
    for f in check_constraints(data, wires, public_inputs, limit=limit):
        if f.gate.startswith("arithmetic") and f.row < len(rows):
            if out_scope is None:
                out_scope = {t.index: g.scope for g in po.generators for t in g.outputs}
            cells = rows[f.row].cells
            k = WIRES_PER_OP * f.constraint_index + 3
            if k < len(cells) and cells[k] is not None and out_scope.get(cells[k].index):
                f = dataclasses.replace(f, scope=out_scope[cells[k].index])
        failures.append(f)

    if common.has_lookups:
        size = 1 << common.config.range_table_bits
        per_row = common.config.lookups_per_row
        lookup_rows = np.nonzero(po.row_gate_index == common.lookup_selector)[0]
        looked = wires[:per_row, lookup_rows]
        for slot, k in np.argwhere(looked >= size)[:limit]:
            row = int(lookup_rows[k])
            cell = rows[row].cells[int(slot)] if row < len(rows) else None
            scope = po.row_scopes[row]
            if cell is not None:
                if out_scope is None:
                    out_scope = {t.index: g.scope for g in po.generators for t in g.outputs}
                scope = lowered.lookup_scopes.get(cell.index, out_scope.get(cell.index, scope))
            failures.append(
                ConstraintFailure(
                    row,
                    "lookup",
                    scope,
                    int(slot),
                    f"looked-up value in [0, 2^{common.config.range_table_bits})",
                    int(looked[slot, k]),
                    {},
                )
            )
    return failures
