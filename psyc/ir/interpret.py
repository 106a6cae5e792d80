"""The IR interpreter: runs a :class:`~psyc.ir.ir.Program` on concrete inputs.

Semantics are those of the op table, :mod:`psyc.ir.ops`. Each op has one small *handler*
``handler(ins, vals)``, registered in its spec with ``@interprets``, that reads its operands
from ``vals`` (anything indexable by value id: the interpreter's list, or a dict of
constants when the optimiser folds an instruction) and writes its results back; a failing
check raises :class:`ExecutionError`. The ops that need the run's state (``input``,
``output``, ``proof_input``, ``verify_proof``, ``print``: none of them foldable) are
interpreted by the run loop itself.
The constant folder reuses these handlers (:func:`eval_instr`), so the arithmetic of every
op is written once.

The main loop is a plain ``for`` over the instructions with a dict dispatch and values in
a list indexed by value id (about 1-2 M simple instructions per second in CPython).
"""

from __future__ import annotations

import contextvars
import operator
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from psyc.field.goldilocks import P
from psyc.ir.ir import INT_TYPES, Instr, Program, Value
from psyc.ir.ops import OPS, interprets
from psyc.util.diagnostics import Diagnostic, Label, Span

# error codes (docs/language.md lists them)
E_ASSERT = "E0500"  # an assertion failed
E_OVERFLOW = "E0501"  # integer overflow / underflow of checked arithmetic
E_DIV_ZERO = "E0502"  # division by zero
E_BOUNDS = "E0503"  # index out of bounds
E_RANGE = "E0504"  # range check / cast / boolean check failed
E_OTHER = "E0505"  # anything else (a hint misbehaving, an unsupported op)
E_PROOF = "E0506"  # a verified proof does not verify

# largest value of each type (u64 lives in the field, so it tops out at p - 1)
TYPE_MAX: dict[str, int] = {"Felt": P - 1, "bool": 1, "u64": P - 1}
TYPE_MAX.update({t: (1 << b) - 1 for t, b in INT_TYPES.items() if t != "u64"})

_OP_VERB = {"add": "add", "sub": "subtract", "mul": "multiply"}
_OP_SYM = {"add": "+", "sub": "-", "mul": "*"}


class ExecutionError(Exception):
    """A run-time failure of the program (a failed check), located at its source span."""

    def __init__(
        self,
        message: str,
        span: Span | None = None,
        notes: Sequence[str] = (),
        code: str = E_OTHER,
        label: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.notes = list(notes)
        self.code = code
        self.label = label

    def to_diagnostic(self) -> Diagnostic:
        """The failure as a located diagnostic (what the CLI prints)."""
        labels = [Label(self.span, self.label)] if self.span is not None else []
        return Diagnostic("error", self.code, self.message, labels, list(self.notes))

    def __str__(self) -> str:
        return self.message


@dataclass
class Execution:
    """The result of :func:`run`: every value by id (None if never computed) and the outputs."""

    values: list[int | None]
    outputs: list[int] = field(default_factory=list)
    proofs: list = field(default_factory=list)  # (proof, verifying key) per proof input slot
    printed: str = ""  # what print/println showed during the run

    def value(self, v: Value) -> int:
        """The value ``v`` took in this run."""
        if v.const is not None:
            return v.const
        x = self.values[v.id] if v.id < len(self.values) else None
        if x is None:
            raise KeyError(f"%{v.id} was not computed")
        return x


Vals = MutableMapping[int, Any] | list  # value id -> int
Handler = Callable[[Instr, Any], None]


# --- helpers -------------------------------------------------------------------------------
def _fail(ins: Instr, message: str, code: str, notes: Sequence[str] = (), label: str = "") -> ExecutionError:
    err = ExecutionError(message, ins.span, notes, code, label)
    err.instr = ins  # the failing instruction, for run() to add context
    return err


def _zero_results(ins: Instr, vals) -> None:
    for r in ins.results:
        vals[r.id] = 0


# --- arithmetic ----------------------------------------------------------------------------
_EXACT = {"add": operator.add, "sub": operator.sub, "mul": operator.mul}


def _checked(ins: Instr, vals, a: int, b: int, op: str) -> None:
    r = ins.results[0]
    exact = _EXACT[op](a, b)
    mx = TYPE_MAX.get(r.type)
    if mx is None:
        raise _fail(ins, f"`{op}` on values of type {r.type}", E_OTHER)
    if 0 <= exact <= mx:
        vals[r.id] = exact
        return
    raise _fail(
        ins,
        f"attempt to {_OP_VERB[op]} with overflow: {a} {_OP_SYM[op]} {b} does not fit in {r.type}",
        E_OVERFLOW,
        [f"the exact result is {exact}; {r.type} holds 0..={mx}"],
        label=f"{'underflow' if exact < 0 else 'overflow'} here",
    )


def _binary(op: str) -> Handler:
    """add/sub/mul: modulo p on Felt, checked (exact result in range) on integers; 0 when
    the predicate is 0."""
    f = _EXACT[op]

    def handler(ins: Instr, vals) -> None:
        args = ins.args
        r = ins.results[0]
        if ins.predicated and not vals[args[2].id]:
            vals[r.id] = 0
        elif r.type == "Felt":
            vals[r.id] = f(vals[args[0].id], vals[args[1].id]) % P
        else:
            _checked(ins, vals, vals[args[0].id], vals[args[1].id], op)

    return handler


@interprets("neg")
def _neg(ins: Instr, vals) -> None:
    vals[ins.results[0].id] = -vals[ins.args[0].id] % P


@interprets("arith")
def _arith(ins: Instr, vals) -> None:
    a, b, c = ins.args
    c0, c1 = ins.attrs
    vals[ins.results[0].id] = (c0 * vals[a.id] * vals[b.id] + c1 * vals[c.id]) % P


@interprets("div")
def _div(ins: Instr, vals) -> None:
    args = ins.args
    r = ins.results[0]
    if ins.predicated and not vals[args[2].id]:
        vals[r.id] = 0
        return
    a, b = vals[args[0].id], vals[args[1].id]
    if b == 0:
        raise _fail(ins, f"division by zero: {a} / 0", E_DIV_ZERO, label="the divisor is zero")
    vals[r.id] = a * pow(b, P - 2, P) % P


@interprets("divmod")
def _divmod(ins: Instr, vals) -> None:
    args = ins.args
    if ins.predicated and not vals[args[2].id]:
        _zero_results(ins, vals)
        return
    a, b = vals[args[0].id], vals[args[1].id]
    if b == 0:
        raise _fail(
            ins, f"division by zero: attempt to divide {a} by zero", E_DIV_ZERO, label="the divisor is zero"
        )
    q, r = ins.results
    vals[q.id] = a // b
    vals[r.id] = a % b


@interprets("wrap")
def _wrap(ins: Instr, vals) -> None:
    a, b = vals[ins.args[0].id], vals[ins.args[1].id]
    op = ins.attrs[0]
    r = ins.results[0]
    bits = INT_TYPES.get(r.type)
    if bits is None or bits > 32:
        raise _fail(ins, f"wrapping arithmetic is not supported on {r.type}", E_OTHER)
    exact = a + b if op == "add" else a - b if op == "sub" else a * b
    vals[r.id] = exact & ((1 << bits) - 1)


# --- comparisons and logic -------------------------------------------------------------
@interprets("eq")
def _eq(ins: Instr, vals) -> None:
    vals[ins.results[0].id] = int(vals[ins.args[0].id] == vals[ins.args[1].id])


@interprets("lt")
def _lt(ins: Instr, vals) -> None:
    vals[ins.results[0].id] = int(vals[ins.args[0].id] < vals[ins.args[1].id])


@interprets("not")
def _not(ins: Instr, vals) -> None:
    vals[ins.results[0].id] = 1 - vals[ins.args[0].id]


@interprets("and")
def _and(ins: Instr, vals) -> None:
    vals[ins.results[0].id] = vals[ins.args[0].id] & vals[ins.args[1].id]


@interprets("or")
def _or(ins: Instr, vals) -> None:
    vals[ins.results[0].id] = vals[ins.args[0].id] | vals[ins.args[1].id]


@interprets("xor")
def _xor(ins: Instr, vals) -> None:
    vals[ins.results[0].id] = vals[ins.args[0].id] ^ vals[ins.args[1].id]


@interprets("select")
def _select(ins: Instr, vals) -> None:
    c, a, b = ins.args
    vals[ins.results[0].id] = vals[a.id] if vals[c.id] else vals[b.id]


@interprets("cast")
def _cast(ins: Instr, vals) -> None:
    vals[ins.results[0].id] = vals[ins.args[0].id]


# --- checks ------------------------------------------------------------------------------------
@interprets("range_check")
def _range_check(ins: Instr, vals) -> None:
    args = ins.args
    if ins.predicated and not vals[args[1].id]:
        return
    v = vals[args[0].id]
    bits, message = ins.attrs[0], ins.attrs[1]
    if v >> bits:
        if message:
            raise _fail(ins, message, E_RANGE, [f"the value is {v}, which does not fit in {bits} bits"])
        raise _fail(ins, f"value {v} does not fit in {bits} bits", E_RANGE, label="out of range")


@interprets("assert_bool")
def _assert_bool(ins: Instr, vals) -> None:
    v = vals[ins.args[0].id]
    if v != 0 and v != 1:
        raise _fail(ins, f"value {v} is not a boolean (0 or 1)", E_RANGE, label="not a boolean")


@interprets("assert")
def _assert(ins: Instr, vals) -> None:
    args = ins.args
    if ins.predicated and not vals[args[-1].id]:
        return
    if vals[args[0].id] != 1:
        message = ins.attrs[0] if ins.attrs else "assertion failed"
        names = ins.attrs[1] if len(ins.attrs) > 1 else ()
        shown = ins.operands[1:]
        notes = [f"{name} = {vals[v.id]}" for name, v in zip(names, shown, strict=False)]
        raise _fail(ins, message, E_ASSERT, notes, label="assertion failed")


@interprets("assert_eq")
def _assert_eq(ins: Instr, vals) -> None:
    args = ins.args
    if ins.predicated and not vals[args[2].id]:
        return
    a, b = vals[args[0].id], vals[args[1].id]
    if a != b:
        message = ins.attrs[0] if ins.attrs else "assertion `left == right` failed"
        if len(ins.attrs) == 3:  # one element of an aggregate (see _aggregate_notes)
            path = ins.attrs[1]
            notes = [f"left{path}: {a}", f"right{path}: {b}"]
            raise _fail(ins, message, E_ASSERT, notes, label=f"differ at {path}")
        raise _fail(ins, message, E_ASSERT, [f"left: {a}", f"right: {b}"], label="assertion failed")


def _aggregate_notes(instrs: list[Instr], failed: Instr, vals) -> list[str]:
    """Every element of both sides of a failed ``assert_eq`` on an aggregate (a Hash, an
    array, a struct): the element checks come from one source call with the same span and
    message, their operands all computed before the first of them."""
    key = (failed.span, failed.attrs[0])
    rows = []
    for ins in instrs:
        if ins.op == "assert_eq" and len(ins.attrs) == 3 and (ins.span, ins.attrs[0]) == key:
            a, b = (vals[v.id] if v.const is None else v.const for v in ins.args[:2])
            rows.append((ins.attrs[1], a, b))
    notes = []
    for path, a, b in rows:
        mark = "" if a == b else "   <- differs"
        notes.append(f"{path}: left {'?' if a is None else a}, right {'?' if b is None else b}{mark}")
    if len(rows) < failed.attrs[2]:  # the optimiser dropped checks it proved equal
        notes.append(f"the other {failed.attrs[2] - len(rows)} of {failed.attrs[2]} elements are equal")
    return notes


# --- bits, hashing, memory, hints ---------------------------------------------------------
@interprets("to_bits")
def _to_bits(ins: Instr, vals) -> None:
    v = vals[ins.args[0].id]
    n = len(ins.results)
    if n < 64 and v >> n:
        raise _fail(ins, f"value {v} does not fit in {n} bits", E_RANGE, label="out of range")
    for i, r in enumerate(ins.results):
        vals[r.id] = (v >> i) & 1


@interprets("from_bits")
def _from_bits(ins: Instr, vals) -> None:
    acc = 0
    for i, a in enumerate(ins.args):
        acc += vals[a.id] << i
    vals[ins.results[0].id] = acc % P


@interprets("permute")
def _permute(ins: Instr, vals) -> None:
    from psyc.hash.poseidon import permute as _poseidon_permute  # numba: loaded on first use

    out = _poseidon_permute([vals[a.id] for a in ins.args])
    for r, x in zip(ins.results, out, strict=True):
        vals[r.id] = x


@interprets("gfp5_mul")
def _gfp5_mul(ins: Instr, vals) -> None:
    from psyc.plonk.gates.gfp5_mul import gfp5_product

    v = [vals[a.id] for a in ins.args]
    for r, x in zip(ins.results, gfp5_product(v[:5], v[5:]), strict=True):
        vals[r.id] = x % P


@interprets("bigint_mul")
def _bigint_mul(ins: Instr, vals) -> None:
    from psyc.plonk.gates.bigint import mul_pairs

    v = [vals[a.id] for a in ins.args]
    n = len(v) // 3
    for r, x in zip(ins.results, mul_pairs(v[:n], v[n : 2 * n], v[2 * n :]), strict=True):
        vals[r.id] = x % P


@interprets("bigint_carry")
def _bigint_carry(ins: Instr, vals) -> None:
    from psyc.plonk.gates.bigint import MODULI, carry_outputs

    v = [vals[a.id] for a in ins.args]
    n = len(ins.results)
    for r, x in zip(ins.results, carry_outputs(v[:n], v[n:], MODULI[ins.attrs[0]]), strict=True):
        vals[r.id] = x % P


@interprets("read")
def _read(ins: Instr, vals) -> None:
    args = ins.args
    r = ins.results[0]
    if ins.predicated:
        if not vals[args[-1].id]:
            vals[r.id] = 0
            return
        n = len(args) - 2
    else:
        n = len(args) - 1
    i = vals[args[0].id]
    if i >= n:
        raise _fail(
            ins,
            f"index out of bounds: the length is {n} but the index is {i}",
            E_BOUNDS,
            label="index out of bounds",
        )
    vals[r.id] = vals[args[1 + i].id]


@interprets("hint")
def _hint(ins: Instr, vals) -> None:
    hf = ins.attrs[0]
    try:
        out = hf.fn([vals[a.id] for a in ins.args])
    except ExecutionError as e:
        if e.span is None:
            e.span = ins.span
        raise
    except Exception as e:  # a buggy hint: report it as a located error, not a traceback
        raise _fail(ins, f"hint `{hf.name}` failed: {type(e).__name__}: {e}", E_OTHER) from e
    res = ins.results
    if len(out) != len(res):
        raise _fail(ins, f"hint `{hf.name}` returned {len(out)} values, expected {len(res)}", E_OTHER)
    for r, x in zip(res, out, strict=True):
        mx = TYPE_MAX.get(r.type, P - 1)
        if type(x) is not int:
            try:
                x = operator.index(x)  # bool, numpy integers
            except TypeError:
                raise _fail(
                    ins, f"hint `{hf.name}` returned {x!r}, which is not an integer", E_OTHER
                ) from None
        if not 0 <= x <= mx:
            raise _fail(
                ins, f"hint `{hf.name}` returned {x}, which is not a {r.type} value (0..={mx})", E_OTHER
            )
        vals[r.id] = x


for _name in ("add", "sub", "mul"):
    interprets(_name)(_binary(_name))

# the op -> handler dispatch of the run loop, read once from the op table (a dict lookup
# per instruction is what keeps the loop fast)
_HANDLERS: dict[str, Handler] = {name: spec.interpret for name, spec in OPS.items() if spec.interpret}


def eval_instr(ins: Instr, env: MutableMapping[int, int]) -> None:
    """Evaluate one instruction with operand values from ``env`` (value id -> int) and
    store its results there; raises :class:`ExecutionError` if a check fails.
    (Used by constant folding; ``input``/``output``/``hint`` are not evaluable.)"""
    spec = OPS[ins.op]
    if not spec.foldable:
        raise ValueError(f"cannot evaluate `{ins.op}` out of a run")
    spec.interpret(ins, env)


# --- the interpreter loop --------------------------------------------------------------------
def run(program: Program, inputs: Sequence[int], proofs: Sequence = ()) -> Execution:
    """Execute ``program``; ``inputs`` are the values of its ``input`` instructions, in order
    (a ``proof_input`` takes its public inputs and fingerprint from there too), ``proofs``
    the (proof, verifying key) pairs of its proof inputs by slot.

    Returns the :class:`Execution`; a failing check raises :class:`ExecutionError`."""
    vals: list[int | None] = [None] * program.next_id
    for v in program._consts.values():
        vals[v.id] = v.const
    inputs = list(inputs)
    proofs = list(proofs)
    printed: list[str] = []
    token = _PRINTED.set(printed)
    try:
        outputs = _loop(program.instrs, vals, inputs, proofs, printed)
    except ExecutionError as e:
        e.printed = "".join(printed)  # what the run showed before it failed
        failed = getattr(e, "instr", None)
        if failed is not None and failed.op == "assert_eq" and len(failed.attrs) == 3:
            e.notes = _aggregate_notes(program.instrs, failed, vals)
        raise
    except TypeError:
        # a constant that is not registered in program._consts left a None in vals:
        # register every constant operand and run again (runs are deterministic)
        if not _fill_consts(program.instrs, vals):
            raise
        printed.clear()
        outputs = _loop(program.instrs, vals, inputs, proofs, printed)
    finally:
        _PRINTED.reset(token)
    return Execution(vals, outputs, proofs, "".join(printed))


def format_print(pieces: Sequence, values: Iterable[int]) -> str:
    """The text of one ``print``: the template's literal pieces with each value marker
    (0: decimal, 1: bool) replaced by the next value."""
    values = iter(values)
    out = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
        else:
            x = next(values)
            out.append(("true" if x else "false") if piece == 1 else str(x))
    return "".join(out)


def _format_print(ins: Instr, vals) -> str:
    return format_print(ins.attrs[0], (v.const if v.const is not None else vals[v.id] for v in ins.operands))


# the output of the run in progress: unconstrained code (hints) prints straight into it
_PRINTED: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("psyc_printed", default=None)


def print_now(text: str) -> None:
    """Print from unconstrained code running inside a hint: into the current run's output."""
    sink = _PRINTED.get()
    if sink is not None:
        sink.append(text)


def _loop(instrs: list[Instr], vals: list, inputs: list[int], proofs: list, printed: list[str]) -> list[int]:
    handlers = _HANDLERS
    outputs: list[int] = []
    pos = 0
    for ins in instrs:
        h = handlers.get(ins.op)
        if h is not None:
            h(ins, vals)
        elif ins.op == "input":
            if pos >= len(inputs):
                raise ValueError(f"the program has more inputs than the {len(inputs)} given")
            vals[ins.results[0].id] = inputs[pos]
            pos += 1
        elif ins.op == "output":
            outputs.append(vals[ins.args[0].id])
        elif ins.op == "proof_input":
            k = len(ins.results)
            if pos + k > len(inputs):
                raise ValueError(f"the program has more inputs than the {len(inputs)} given")
            for r, v in zip(ins.results, inputs[pos : pos + k], strict=True):
                vals[r.id] = v
            pos += k
        elif ins.op == "verify_proof":
            _verify_proof(ins, vals, proofs)
        elif ins.op == "print":
            if not (ins.predicated and vals[ins.args[-1].id] == 0):
                printed.append(_format_print(ins, vals))
        else:
            raise ValueError(f"unknown op `{ins.op}`")
    if pos != len(inputs):
        raise ValueError(f"the program has {pos} inputs, {len(inputs)} given")
    return outputs


def _verify_proof(ins: Instr, vals, proofs: list) -> None:
    """Verify the proof in the instruction's slot natively (the circuit re-checks it)."""
    if ins.predicated and vals[ins.args[-1].id] == 0:
        return
    slot = ins.attrs[0]
    if slot >= len(proofs):
        raise ValueError(f"no proof given for proof input {slot}")
    proof, vk = proofs[slot]
    claimed = [vals[a.id] for a in ins.operands]
    n = len(claimed) - 4
    if list(proof.public_inputs) != claimed[:n] or list(vk.fingerprint) != claimed[n:]:
        raise _fail(ins, "the verified proof is not the one whose public inputs and fingerprint were used",
                    E_OTHER)
    from psyc.plonk.verifier import VerificationError

    try:
        vk.verify(proof)
    except VerificationError as e:
        raise _fail(ins, f"proof verification failed: {e}", E_PROOF, label="this proof does not verify") from None


def _fill_consts(instrs: list[Instr], vals: list) -> bool:
    changed = False
    for ins in instrs:
        for a in ins.args:
            if a.const is not None and vals[a.id] is None:
                vals[a.id] = a.const
                changed = True
    return changed
