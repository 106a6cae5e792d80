"""Generate every evaluator of a gate from its symbolic constraints.

One emitter walks the sympy expressions (after common-subexpression elimination) and
prints them through a *backend* — a table of how to write a constant, +, -, * and
negation. The CUDA backend prints the GPU quotient kernels in CUDA C (the GPU backend
renders them into its templates: :mod:`psyc.backend_gpu.sources`); the generic backend prints plain operators,
which evaluate Python ints (witness diagnostics, reduced mod p) and :class:`Ext2` values
(the verifier at ζ); the circuit backend prints circuit-builder calls on extension
targets, for the recursive verifier. The CPU quotient is not printed but assembled, by
the same emitter, into a *tape* of register instructions that one precompiled numba
kernel runs for every gate (:mod:`psyc.backend_cpu.gate_vm`): generated numba code took
minutes to compile per gate (the Poseidon gate over five), a tape costs nothing.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable
from dataclasses import dataclass

import sympy

from psyc.backend_cpu import gate_tape as vm
from psyc.field.goldilocks import P
from psyc.plonk.gates.base import PI_DIGEST_LEN, Gate
from psyc.util.codegen import render


@dataclass(frozen=True)
class Backend:
    const: str
    add: str
    sub: str
    mul: str
    neg: str
    # Optional lazy reduction of a sum of small multiples, sum c_i * x_i: ``mac`` adds one
    # term to a 128-bit accumulator (``zero`` to start), ``fin`` reduces it once.
    lin_zero: str | None = None
    lin_mac: str | None = None  # c < 2^32: the exact product goes into the accumulator
    lin_mac_big: str | None = None  # larger c: the product is reduced to < 2^64 first
    lin_fin: str | None = None
    # Where operands are computed lazily (the tape): ``lin_operand.format(x=...)`` computes
    # an operand before a linear form starts, so that a temporary that is itself a linear
    # form never runs inside another's accumulation (they share the accumulator).
    lin_operand: str | None = None


# the 128-bit accumulator of a linear form cannot overflow: every term is below 2^96
# (2^32 * 2^64, or reduced below 2^64), and there are at most 2^20 of them
_LIN_SMALL_COEFF = 1 << 32
_LIN_MAX_TERMS = 1 << 20
_LIN_MIN_TERMS = 3
# CUDA C for the GPU quotient kernels (psyc/backend_gpu/templates/field.cuh.j2 defines the
# functions), with lazy linear forms (as the CPU tape).
CUDA_BACKEND = Backend(
    const="{v}ull",
    add="gl_add({a}, {b})",
    sub="gl_sub({a}, {b})",
    mul="gl_mul({a}, {b})",
    neg="gl_neg({a})",
    lin_zero="lin_zero()",
    lin_mac="lin_mac({acc}, {c}ull, {x})",
    lin_mac_big="lin_mac_big({acc}, {c}ull, {x})",
    lin_fin="lin_fin({acc})",
)
OPERATOR_BACKEND = Backend(const="{v}", add="({a} + {b})", sub="({a} - {b})", mul="({a} * {b})", neg="(-{a})")
CIRCUIT_BACKEND = Backend(
    const="b.constant_extension(Ext2({v}))",
    add="b.add_extension({a}, {b})",
    sub="b.sub_extension({a}, {b})",
    mul="b.mul_extension({a}, {b})",
    neg="b.sub_extension(b.constant_extension(Ext2(0)), {a})",
)


class _Emitter:
    def __init__(self, backend: Backend) -> None:
        self.b = backend

    def const(self, v: int) -> str:
        return self.b.const.format(v=v % P)

    def expr(self, e: sympy.Expr) -> str:
        if e.is_Symbol:
            return e.name
        if e.is_Integer:
            return self.const(int(e))
        if e.is_Add:
            lin = self._linear_form(e)
            if lin is not None:
                return lin
            out = None
            for term in e.as_ordered_terms():
                coeff, _ = term.as_coeff_Mul()
                negative = coeff.is_negative
                code = self.expr(-term if negative else term)
                if out is None:
                    out = self.b.neg.format(a=code) if negative else code
                else:
                    out = (self.b.sub if negative else self.b.add).format(a=out, b=code)
            return out
        if e.is_Mul:
            coeff, factors = e.as_coeff_mul()
            code = None
            for f in factors:
                fc = self.expr(f)
                code = fc if code is None else self.b.mul.format(a=code, b=fc)
            if code is None:
                return self.const(int(coeff))
            if coeff == 1:
                return code
            if coeff == -1:
                return self.b.neg.format(a=code)
            if not coeff.is_Integer:
                raise ValueError(f"gate constraints must have integer coefficients, got {coeff}")
            return self.b.mul.format(a=self.const(int(coeff)), b=code)
        if e.is_Pow:
            base, exp = e.args
            if not (exp.is_Integer and int(exp) >= 1):
                raise ValueError(f"only positive integer powers are allowed in gates, got {e}")
            return self._pow(self.expr(base), int(exp))
        raise ValueError(f"unsupported expression in a gate constraint: {e!r}")

    def _linear_form(self, e: sympy.Expr) -> str | None:
        """A sum of multiples of atoms as one lazily reduced accumulation per sign (a
        constant term is added after), or None when the backend or the sum does not fit."""
        if self.b.lin_mac is None:
            return None
        pos, neg, rest = [], [], None
        for term in e.as_ordered_terms():
            coeff, factor = term.as_coeff_Mul()
            if term.is_Integer:
                rest = term
            elif coeff.is_Integer and factor.is_Atom:
                (pos if coeff > 0 else neg).append((abs(int(coeff)), self.expr(factor)))
            else:
                return None
        if not _LIN_MIN_TERMS <= len(pos) + len(neg) <= _LIN_MAX_TERMS:
            return None

        if self.b.lin_operand is not None:
            pos = [(c, self.b.lin_operand.format(x=x)) for c, x in pos]
            neg = [(c, self.b.lin_operand.format(x=x)) for c, x in neg]

        def accumulate(terms: list) -> str:
            if len(terms) == 1:
                c, x = terms[0]
                return x if c == 1 else self.b.mul.format(a=self.const(c), b=x)
            acc = self.b.lin_zero
            for c, x in terms:
                mac = self.b.lin_mac if c < _LIN_SMALL_COEFF else self.b.lin_mac_big
                acc = mac.format(acc=acc, c=c, x=x)
            return self.b.lin_fin.format(acc=acc)

        out = accumulate(pos) if pos else None
        if neg:
            out = self.b.sub.format(a=out, b=accumulate(neg)) if out else self.b.neg.format(a=accumulate(neg))
        if rest is not None:
            out = self.b.add.format(a=out, b=self.expr(rest))
        return out

    def _pow(self, base: str, n: int) -> str:
        # square-and-multiply, left to right
        result = base
        for bit in bin(n)[3:]:
            result = self.b.mul.format(a=result, b=result)
            if bit == "1":
                result = self.b.mul.format(a=result, b=base)
        return result


def _signed_constants(e: sympy.Expr) -> sympy.Expr:
    """Integers as their representative in (-p/2, p/2]: ``(p-1)*x`` becomes ``-x`` (a
    subtraction instead of a multiplication)."""
    return e.xreplace({n: sympy.Integer(int(n) % P - P if int(n) % P > P // 2 else int(n) % P)
                       for n in e.atoms(sympy.Integer)})


def _expand_powers(e: sympy.Expr, symbols, temps: list) -> sympy.Expr:
    """Rewrite every power as a square-and-multiply chain of temporaries (appended to
    ``temps``), so that each intermediate product is written, and computed, once."""
    if e.is_Atom:
        return e
    args = [_expand_powers(a, symbols, temps) for a in e.args]
    if not (e.is_Pow and args[1].is_Integer and int(args[1]) >= 2):
        return e.func(*args)
    base, n = args[0], int(args[1])
    if not base.is_Atom:
        name = next(symbols)
        temps.append((name, base))
        base = name
    result = base
    for bit in bin(n)[3:]:
        name = next(symbols)
        temps.append((name, sympy.Mul(result, result, evaluate=False)))
        result = name
        if bit == "1":
            name = next(symbols)
            temps.append((name, sympy.Mul(result, base, evaluate=False)))
            result = name
    return result


def _straight_line(constraints: tuple[sympy.Expr, ...]) -> tuple[list, list]:
    """(temporaries as (symbol, expression)) and the reduced constraints: CSE, then powers
    as square-and-multiply chains."""
    symbols = sympy.numbered_symbols("t")
    replacements, reduced = sympy.cse([_signed_constants(c) for c in constraints], symbols=symbols, order="none")
    powers = sympy.numbered_symbols("s")
    hoisted: list = []
    for name, value in replacements:
        value = _expand_powers(value, powers, hoisted)
        hoisted.append((name, value))
    reduced = [_expand_powers(r, powers, hoisted) for r in reduced]
    return hoisted, reduced


def emit(constraints: tuple[sympy.Expr, ...], backend: Backend) -> tuple[list[tuple[str, str]], list[str]]:
    """Straight-line code: (temporaries as (name, code)) and one code string per constraint."""
    hoisted, reduced = _straight_line(constraints)
    em = _Emitter(backend)
    temps = [(str(name), em.expr(value)) for name, value in hoisted]
    return temps, [em.expr(r) for r in reduced]


class _PairEmitter:
    """Straight-line Python on integer pairs for the verifier at ζ: every extension value
    a0 + a1·X (X² = W) is two Python ints, named ``{v}_0`` and ``{v}_1`` — no
    :class:`~psyc.field.extension.Ext2` object per operation. Sums stay unreduced (Python
    ints do not overflow); each product and each temporary is reduced once per coordinate.
    Values known to lie in the base field (the public-input digest, integer constants)
    carry no second coordinate (``None``), so their products cost two multiplications,
    not four."""

    def __init__(self, base: Callable[[str], bool]) -> None:
        self.lines: list[str] = []
        self.count = 0
        self.base = base  # which input symbols are base-field values

    def _bind(self, v: tuple[str, str | None]) -> tuple[str, str | None]:
        """Names (or literals) for ``v``'s coordinates, used more than once by a product."""
        if all(c is None or c.isidentifier() or c.lstrip("-").isdigit() for c in v):
            return v
        name = f"_v{self.count}"
        self.count += 1
        self.lines.append(f"{name}_0 = ({v[0]}) % P")
        if v[1] is None:
            return f"{name}_0", None
        self.lines.append(f"{name}_1 = ({v[1]}) % P")
        return f"{name}_0", f"{name}_1"

    def _mul(self, a: tuple[str, str | None], b: tuple[str, str | None]) -> tuple[str, str | None]:
        a, b = self._bind(a), self._bind(b)
        (a0, a1), (b0, b1) = a, b
        if a1 is None and b1 is None:
            return f"{a0} * {b0} % P", None
        if a1 is None:
            return f"{a0} * {b0} % P", f"{a0} * {b1} % P"
        if b1 is None:
            return f"{a0} * {b0} % P", f"{a1} * {b0} % P"
        if a == b:  # a square
            return f"({a0} * {a0} + W * {a1} * {a1}) % P", f"2 * {a0} * {a1} % P"
        return f"({a0} * {b0} + W * {a1} * {b1}) % P", f"({a0} * {b1} + {a1} * {b0}) % P"

    @staticmethod
    def _scale(c: int, v: tuple[str, str | None]) -> tuple[str, str | None]:
        # c is a signed representative in (-p/2, p/2] (_signed_constants): a small
        # coefficient stays a small multiplication, the sum is reduced where it is bound
        return f"{c} * ({v[0]})", None if v[1] is None else f"{c} * ({v[1]})"

    def expr(self, e: sympy.Expr) -> tuple[str, str | None]:
        if e.is_Symbol:
            if self.base(e.name):
                return e.name, None
            return f"{e.name}_0", f"{e.name}_1"
        if e.is_Integer:
            return str(int(e)), None
        if e.is_Add:
            terms = [self.expr(t) for t in e.args]
            c0 = " + ".join(f"({t[0]})" for t in terms)
            seconds = [f"({t[1]})" for t in terms if t[1] is not None]
            return c0, " + ".join(seconds) if seconds else None
        if e.is_Mul:
            coeff, factors = e.as_coeff_mul()
            if not coeff.is_Integer:
                raise ValueError(f"gate constraints must have integer coefficients, got {coeff}")
            if not factors:
                return str(int(coeff)), None
            acc = self.expr(factors[0])
            for f in factors[1:]:
                acc = self._mul(acc, self.expr(f))
            if coeff == 1:
                return acc
            if coeff == -1:
                return f"-({acc[0]})", None if acc[1] is None else f"-({acc[1]})"
            return self._scale(int(coeff), acc)
        if e.is_Pow:
            base, exp = e.args
            if not (exp.is_Integer and int(exp) >= 1):
                raise ValueError(f"only positive integer powers are allowed in gates, got {e}")
            base_v = self.expr(base)
            result = base_v
            for bit in bin(int(exp))[3:]:
                result = self._mul(result, result)
                if bit == "1":
                    result = self._mul(result, base_v)
            return result
        raise ValueError(f"unsupported expression in a gate constraint: {e!r}")

    def assign(self, name: str, v: tuple[str, str | None]) -> None:
        """A temporary: reduced, always with both coordinates (its uses need not know)."""
        self.lines.append(f"{name}_0 = ({v[0]}) % P")
        self.lines.append(f"{name}_1 = ({v[1]}) % P" if v[1] is not None else f"{name}_1 = 0")


def _is_pi(name: str) -> bool:
    """A gate's base-field inputs: the public-input digest ``pi{k}``."""
    return re.fullmatch(r"pi\d+", name) is not None


def emit_pairs(
    constraints: tuple[sympy.Expr, ...], base: Callable[[str], bool] = _is_pi
) -> tuple[list[str], list[tuple[str, str]]]:
    """The constraints on integer pairs (:class:`_PairEmitter`): (straight-line statements,
    one ``(a0, a1)`` code pair per constraint, congruent mod p to its value, not reduced);
    ``base(name)``: whether an input symbol is a base-field value (one int, not a pair)."""
    hoisted, reduced = _straight_line(constraints)
    em = _PairEmitter(base)
    for name, value in hoisted:
        em.assign(str(name), em.expr(value))
    outs = []
    for r in reduced:
        v0, v1 = em.expr(r)
        outs.append((v0, "0" if v1 is None else v1))
    return em.lines, outs


def pairs_function_source(exprs: tuple[sympy.Expr, ...], base_names: tuple[str, ...] = ()) -> str:
    """Python source of ``_evaluate(*, <inputs>)``: ``exprs`` on integer pairs
    (:func:`emit_pairs`), every input an (a0, a1) pair but those in ``base_names`` (ints);
    it needs ``P`` and ``W`` in its namespace."""
    names = sorted({s.name for e in exprs for s in e.free_symbols})
    lines, outs = emit_pairs(exprs, lambda name: name in base_names)
    body = [f"    {n}_0, {n}_1 = {n}" for n in names if n not in base_names]
    body += [f"    {line}" for line in lines]
    body.append(f"    return [{', '.join(f'({a0}, {a1})' for a0, a1 in outs)}]")
    return "\n".join([f"def _evaluate(*, {', '.join(names)}):", *body]) + "\n"


class _TapeOperand:
    """The tape's ``lin_operand``: computes an operand (a pending temporary) now."""

    def __init__(self, tape: _Tape) -> None:
        self.tape = tape

    def format(self, x: str) -> str:
        return f"%{self.tape.reg(x)}"


class _TapeOp:
    """A backend entry that, when formatted, appends an instruction to a tape and returns
    its result register's name: the emitter composes register names as it composes code."""

    def __init__(self, tape: _Tape, op: int) -> None:
        self.tape, self.op = tape, op

    def format(self, **operands) -> str:
        return self.tape.append(self.op, **operands)


def gate_loads(name: str) -> tuple[int, int, int]:
    """How a gate's tape loads an input: wires ``w{k}`` from source 0, constants ``c{k}``
    from source 1, the public-input digest ``pi{k}`` from the scalars."""
    kind, index = re.fullmatch(r"(w|c|pi)(\d+)", name).groups()
    if kind == "pi":
        return vm.OP_SCALAR, int(index), 0
    return vm.OP_LOAD, int(index), 0 if kind == "w" else 1


class _Tape:
    """Instructions for :mod:`psyc.backend_cpu.gate_vm`, on virtual registers ``%N``;
    ``loads(symbol)`` is the ``(op, a, b)`` that loads an input."""

    def __init__(self, loads: Callable[[str], tuple[int, int, int]]) -> None:
        self.ins: list[tuple[int, int, int, int, int]] = []  # (op, dst, a, b, imm)
        self.names: dict[str, int] = {}  # input symbols and temporaries
        self.count = 0
        self.loads = loads
        self.pending: dict[str, sympy.Expr] = {}  # temporaries not computed yet
        self.emitter: _Emitter | None = None

    def _new(self, op: int, a: int = 0, b: int = 0, imm: int = 0, result: bool = True) -> int:
        dst = self.count if result else -1
        self.count += result
        self.ins.append((op, dst, a, b, imm))
        return dst

    def reg(self, operand: str) -> int:
        if operand.startswith("%"):
            return int(operand[1:])
        if operand in self.pending:  # a temporary, computed where first used
            self.names[operand] = self.reg(self.emitter.expr(self.pending.pop(operand)))
        elif operand not in self.names:  # an input, loaded where first used
            op, a, b = self.loads(operand)
            self.names[operand] = self._new(op, a, b)
        return self.names[operand]

    def append(self, op: int, a: str = "", b: str = "", v: int = 0, c: int = 0, x: str = "", acc: str = "") -> str:
        if op == vm.OP_IMM:
            return f"%{self._new(op, imm=v)}"
        if op in (vm.OP_MAC, vm.OP_MAC_BIG):
            self._new(op, self.reg(x), imm=c, result=False)
            return "acc"
        if op == vm.OP_FIN:
            return f"%{self._new(op)}"
        return f"%{self._new(op, self.reg(a), self.reg(b) if b else 0)}"

    def backend(self) -> Backend:
        return Backend(
            const=_TapeOp(self, vm.OP_IMM),
            add=_TapeOp(self, vm.OP_ADD),
            sub=_TapeOp(self, vm.OP_SUB),
            mul=_TapeOp(self, vm.OP_MUL),
            neg=_TapeOp(self, vm.OP_NEG),
            lin_zero="acc",
            lin_mac=_TapeOp(self, vm.OP_MAC),
            lin_mac_big=_TapeOp(self, vm.OP_MAC_BIG),
            lin_fin=_TapeOp(self, vm.OP_FIN),
            lin_operand=_TapeOperand(self),
        )  # type: ignore[arg-type]

    @staticmethod
    def _reads(op: int, a: int, b: int) -> tuple[int, ...]:
        return (a, b) if op in vm.REG_B else (a,) if op in vm.REG_A else ()

    def allocate(self, outputs: list[int]) -> tuple[list[list[int]], list[int], int, list[int]]:
        """Virtual to physical registers, reusing a register once its value is dead:
        (code rows, immediates, number of registers, output registers)."""
        last = {}
        for i, (op, _dst, a, b, _imm) in enumerate(self.ins):
            for r in self._reads(op, a, b):
                last[r] = i
        for r in outputs:
            last[r] = len(self.ins)
        free: list[int] = []
        phys: dict[int, int] = {}
        size = 0
        code, imms = [], []
        for i, (op, dst, a, b, imm) in enumerate(self.ins):
            reads = self._reads(op, a, b)
            pa = phys[a] if op in vm.REG_A else a
            pb = phys[b] if op in vm.REG_B else b
            for r in set(reads):
                if last[r] == i:
                    heapq.heappush(free, phys[r])
            pd = 0
            if dst >= 0:
                pd = heapq.heappop(free) if free else size
                size = max(size, pd + 1)
                phys[dst] = pd
                if dst not in last:  # never read
                    heapq.heappush(free, pd)
            code.append([op, pd, pa, pb])
            imms.append(imm)
        return code, imms, max(size, 1), [phys[r] for r in outputs]


def tape(
    constraints: tuple[sympy.Expr, ...],
    loads: Callable[[str], tuple[int, int, int]] = gate_loads,
    order: tuple[int, ...] | None = None,
) -> tuple[list[list[int]], list[int], int, list[int]]:
    """The constraints as a :mod:`psyc.backend_cpu.gate_vm` program: (code rows
    ``[op, dst, a, b]``, immediates, number of registers, the register of each constraint);
    ``loads`` says where each input symbol is read from (:func:`gate_loads` for gates);
    ``order``, the order to compute the constraints in (inputs they share stay in registers
    between them: the permutation terms of one chunk for every challenge, in a row)."""
    hoisted, reduced = _straight_line(constraints)
    t = _Tape(loads)
    em = t.emitter = _Emitter(t.backend())
    # temporaries are computed where first used, not all up front: fewer registers live at
    # once (the permutation terms' register file fits the cache)
    t.pending = {str(name): value for name, value in hoisted}
    outputs: dict[int, int] = {}
    for k in order or range(len(reduced)):
        outputs[k] = t.reg(em.expr(reduced[k]))
    return t.allocate([outputs[k] for k in range(len(reduced))])


def _source(gate: Gate) -> str:
    code, imms, num_regs, outputs = tape(gate.constraints) if gate.num_constraints else ([], [], 1, [])
    temps_py, outs_py = emit(gate.constraints, OPERATOR_BACKEND)
    temps_circ, outs_circ = emit(gate.constraints, CIRCUIT_BACKEND)
    return render(
        "psyc.backend_cpu",
        "gate.py.j2",
        gate=gate,
        pi_len=PI_DIGEST_LEN,
        tape_code=[x for row in code for x in row],
        tape_imm=imms,
        tape_regs=num_regs,
        tape_outputs=outputs,
        temps_py=temps_py,
        outs_py=outs_py,
        temps_circ=temps_circ,
        outs_circ=outs_circ,
    )


def _pairs_source(gate: Gate) -> str:
    """The module of a gate's pair evaluator (:func:`emit_pairs`), apart from its other
    evaluators: the verifier loads only this (the Poseidon gate's full module, tape
    included, is several times larger: reading and hashing it cost ~4 ms a process)."""
    lines, outs = emit_pairs(gate.constraints) if gate.num_constraints else ([], [])
    body = [f"    w{k}_0, w{k}_1 = w[{k}]" for k in range(gate.num_wires)]
    body += [f"    c{k}_0, c{k}_1 = c[{k}]" for k in range(gate.num_constants)]
    body += [f"    pi{k} = pi[{k}]" for k in range(PI_DIGEST_LEN)]
    body += [f"    {line}" for line in lines]
    body.append(f"    return [{', '.join(f'({a0}, {a1})' for a0, a1 in outs)}]")
    return "\n".join([
        f"# Generated by psyc from the symbolic definition of gate {gate.id!r} -- do not edit.",
        "from psyc.field.extension import W  # noqa: F401",
        "from psyc.field.goldilocks import P  # noqa: F401",
        "",
        "",
        "def eval_pairs(w, c, pi):",
        '    """The constraints at an extension point on integer pairs (the verifier at ζ): ``w``',
        "    and ``c`` hold (a0, a1) pairs, ``pi`` base-field ints; each constraint's value comes",
        '    back as a pair of ints congruent to its coordinates mod p (not reduced)."""',
        *body,
        "",
    ])


__all__ = ["emit", "emit_pairs", "pairs_function_source", "tape"]
