"""The IR's instruction set: one :class:`OpSpec` per op, the single table of op properties.

Everything a pass, the interpreter, the validator or the lowering needs to know about an
op lives in its spec: arity, whether it takes a predicate, what it means, whether it is
pure (removable when unused), whether common-subexpression elimination may merge it,
whether its operands commute, whether the constant folder may evaluate it, and the two
implementations — its interpreter handler (:mod:`psyc.ir.interpret` registers it with
:func:`interprets`) and its lowering into gates (:mod:`psyc.ir.lower` registers it with
:func:`lowers`). ``tests/test_ir_interpret.py`` checks every op has both.

``args``/``results``: how many (None: variadic). ``p`` in a signature marks the optional
trailing *predicate* argument: when present the check applies only where it is 1, and the
op's integer result is forced to 0 where it is 0, so untaken branches can never fail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(slots=True, eq=False)
class OpSpec:
    """The properties of one IR op (see the module docstring)."""

    name: str
    args: int | None  # number of operands (the predicate not counted); None: variadic
    results: int | None  # number of results; None: variadic
    sig: str  # operands -> results, as the IR printer shows them
    meaning: str
    predicable: bool = False  # may take a trailing predicate
    # computes its results and checks nothing: removable when its results are unused.
    # The others can fail or act (checks, checked integer arithmetic, inputs, outputs): the
    # passes only drop them when they provably cannot fail (passes._cannot_fail).
    pure: bool = False
    cse: bool = False  # identical instances (same attrs, operands, predicate) may merge
    commutative: bool = False  # its first two operands commute (for CSE keys)
    # evaluable from its operands alone (the constant folder runs it); the others need the
    # run's state (inputs, outputs, proofs, printed text) or are unconstrained (hints)
    foldable: bool = True
    # filled by the implementations' modules (interprets / lowers)
    interpret: Callable[[Any, Any], None] | None = None  # handler(instr, vals); None: the run loop's
    lower: Callable[[Any, Any], None] | None = None  # method(lowerer, instr)


def _op(name: str, args: int | None, results: int | None, sig: str, meaning: str, **kw: Any) -> OpSpec:
    return OpSpec(name, args, results, sig, meaning, **kw)


_SPECS = [
    _op("input", 0, 1, "-> x", "attrs (name, public): an input of ``main``", foldable=False),
    _op("add", 2, 1, "a b [p] -> x", "field op on Felt; on integers *checked* (overflow fails, with the span)",
        predicable=True, cse=True, commutative=True),
    _op("sub", 2, 1, "a b [p] -> x", "field op on Felt; on integers *checked* (underflow fails)",
        predicable=True, cse=True),
    _op("mul", 2, 1, "a b [p] -> x", "field op on Felt; on integers *checked* (overflow fails)",
        predicable=True, cse=True, commutative=True),
    _op("neg", 1, 1, "a -> x", "Felt negation", pure=True, cse=True),
    _op("div", 2, 1, "a b [p] -> x", "Felt a * b^-1; b == 0 fails", predicable=True, cse=True),
    _op("arith", 3, 1, "a b c -> x", "attrs (c0, c1): c0*a*b + c1*c over Felt (what one arithmetic-gate "
        "slot computes; made by the fusion pass)", pure=True, cse=True, commutative=True),
    _op("divmod", 2, 2, "a b [p] -> q r", "integer a // b, a % b; b == 0 fails", predicable=True, cse=True),
    # wrapping add and mul commute too, by attrs: passes._cse_key asks
    _op("wrap", 2, 1, "a b -> x", "attrs (op,): wrapping add/sub/mul modulo 2^bits", pure=True, cse=True),
    _op("eq", 2, 1, "a b -> bool", "a == b", pure=True, cse=True, commutative=True),
    _op("lt", 2, 1, "a b -> bool", "a < b on integers", pure=True, cse=True),
    _op("not", 1, 1, "a -> bool", "1 - a on a boolean", pure=True, cse=True),
    _op("and", 2, 1, "a b -> bool", "boolean and", pure=True, cse=True, commutative=True),
    _op("or", 2, 1, "a b -> bool", "boolean or", pure=True, cse=True, commutative=True),
    _op("xor", 2, 1, "a b -> bool", "boolean xor", pure=True, cse=True, commutative=True),
    _op("select", 3, 1, "c a b -> x", "c ? a : b", pure=True, cse=True),
    _op("cast", 1, 1, "a -> x", "reinterpret as the result's type (no check)", pure=True, cse=True),
    _op("range_check", 1, 0, "a [p]", "attrs (bits, message): 0 <= a < 2^bits", predicable=True),
    _op("assert_bool", 1, 0, "a", "a is 0 or 1"),
    _op("to_bits", 1, None, "a -> b0 .. b(n-1)", "little-endian bits (bool); n = 64 is canonical (no alias "
        "of a + p); n < 64 also range-checks a", cse=True),
    _op("from_bits", None, 1, "b0 .. b(n-1) -> x", "sum of 2^i * b_i", pure=True, cse=True),
    _op("permute", 12, 12, "s0 .. s11 -> t0 .. t11", "the Poseidon permutation", pure=True, cse=True),
    _op("gfp5_mul", 10, 5, "a0 .. a4 b0 .. b4 -> c0 .. c4", "the product in GF(p^5) = GF(p)[z]/(z^5 - 3)",
        pure=True, cse=True),
    _op("bigint_mul", None, None, "a.. b.. c.. -> d..", "column pairs of a*b - c for L-limb vectors "
        "(psyc.plonk.gates.bigint)", pure=True, cse=True),
    _op("bigint_carry", None, None, "d.. u.. -> e..", "attrs (modulus,): the biased carries and the residual "
        "of value(d) - q*m (psyc.plonk.gates.bigint)", pure=True, cse=True),
    _op("read", None, 1, "i v0 .. v(n-1) [p] -> x", "v[i] for a witness index; i >= n fails",
        predicable=True, cse=True),
    # unconstrained: an unused hint has no effect (pure), but it is never folded or merged
    _op("hint", None, None, "a.. -> x..", "attrs (HintFn,): computed off-circuit, unconstrained",
        pure=True, foldable=False),
    _op("assert", None, 0, "c shown.. [p]", "attrs (message, shown names): c must be 1; ``shown`` values "
        "after c are printed on failure", predicable=True),
    _op("assert_eq", 2, 0, "a b [p]", "attrs (message,): a == b", predicable=True),
    _op("output", 1, 0, "a", "a public output, in order", foldable=False),
    _op("print", None, 0, "a.. [p]", "attrs (pieces,): show values during a run (print/println); no "
        "constraint", predicable=True, foldable=False),
    _op("proof_input", 0, None, "-> pi0 .. pi(n-1) f0 .. f3", "attrs (name, slot, n): a proof input (side "
        "data slot); its public inputs and verifying-key fingerprint", foldable=False),
    _op("verify_proof", None, 0, "pi.. f0 .. f3 [p]", "attrs (slot, n): the proof in ``slot`` verifies, with "
        "these public inputs and this fingerprint", predicable=True, foldable=False),
]

OPS: dict[str, OpSpec] = {s.name: s for s in _SPECS}


def _registrar(field: str, what: str, names: tuple[str, ...]) -> Callable:
    def register(fn: Callable) -> Callable:
        for name in names:
            spec = OPS[name]
            assert getattr(spec, field) is None, f"`{name}` is {what} twice"
            setattr(spec, field, fn)
        return fn

    return register


def interprets(*names: str) -> Callable:
    """Decorator: register ``handler(instr, vals)`` as the interpreter of these ops."""
    return _registrar("interpret", "interpreted", names)


def lowers(*names: str) -> Callable:
    """Decorator: register a lowering method ``(lowerer, instr)`` for these ops."""
    return _registrar("lower", "lowered", names)


def op_table() -> str:
    """The instruction set as a text table (op, signature, meaning), e.g. for the docs."""
    rows = [(s.name, s.sig, s.meaning + (" (predicable)" if s.predicable else "")) for s in _SPECS]
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    return "\n".join(f"{a:<{w0}}  {b:<{w1}}  {c}" for a, b, c in rows)
