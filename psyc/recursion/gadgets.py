"""Small circuit gadgets the recursive verifier is made of.

* **Gate-level checks** (:func:`assert_equal`, :func:`split_bits`): an equality written
  as an arithmetic-gate op ``a·1 − b − 0 = 0`` rather than a copy constraint, and a bit
  decomposition whose witness generator never writes a conflicting value. A false check
  then surfaces as an unsatisfied *constraint* on a row that carries the current scope
  (``UnsatisfiedConstraints`` naming ``recursion/...``), not as a copy-constraint conflict
  during witness generation. Checks are packed 20 to a row, per scope (the FRI queries' checks of one stage share
  rows, labelled ``…/query_*/<stage>``).
* **Extension arithmetic** on ``ExtTarget`` pairs, built on the builder's
  ``arithmetic_extension`` family: base-field embedding, powers of two, Horner reduction,
  division by a witnessed quotient.
* **Selection by bits**: ``Π_k (1 + b_k (g_k − 1))`` for a power with a bit-given exponent
  (the FRI query point), and the recomposition of a bit list into an index.
* **Conditional checks** (:func:`verification_condition`): inside
  ``with verification_condition(b, cond):`` every check of this module holds only when the
  boolean target ``cond`` is 1 (nested conditions multiply) — an equality becomes ``cond·x − cond·y = 0``, a selection
  check compares a computed selection conditionally, a range check applies to ``cond·t``.
  Everything the verifier *computes* is unchanged, so with ``cond = 0`` any values at all
  (a zero-filled dummy proof) make a satisfiable witness.

Check ops are placed with ``CircuitBuilder.add_packed_op`` (generator-less ops sharing
rows per scope); the conditions in force are the builder's ``gadget_state``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING

from psyc.field.extension import Ext2, W
from psyc.field.goldilocks import P
from psyc.plonk.builder import CircuitBuilder, ExtTarget
from psyc.plonk.gates import arithmetic_gate, random_access_gate
from psyc.plonk.gates.arithmetic import WIRES_PER_OP
from psyc.plonk.gates.random_access import place_select_row, random_access_copies
from psyc.plonk.gates.reducing import ReducingLayout, reducing_gate
from psyc.plonk.target import Target

if TYPE_CHECKING:
    from psyc.plonk.config import CircuitConfig

_QUERY = re.compile(r"query_\d+")
# the builder's gadget state of this module: the stack of verification conditions
# (boolean targets) in force
_CONDITIONS = "recursion.conditions"


@cache
def _arith_gate(num_ops: int):
    return arithmetic_gate(num_ops)


# --- conditions -----------------------------------------------------------------------


@contextlib.contextmanager
def verification_condition(b: CircuitBuilder, cond: Target | None) -> Iterator[None]:
    """Within the block, every check of this module holds only when ``cond`` is 1.

    ``cond`` must be boolean (the caller constrains it, e.g. with :func:`assert_bool`).
    Conditions nest: inside an outer condition ``a`` the checks hold only when
    ``a·cond = 1`` (one multiplication). ``None`` adds no condition (the block inherits the
    current one, if any)."""
    stack = b.gadget_state(_CONDITIONS, list)
    outer = stack[-1] if stack else None
    if cond is not None and outer is not None:
        cond = b.mul(outer, cond)
    stack.append(cond if cond is not None else outer)
    try:
        yield
    finally:
        stack.pop()


def current_condition(b: CircuitBuilder) -> Target | None:
    stack = b.gadget_state(_CONDITIONS, list)
    return stack[-1] if stack else None


# --- gate-level checks ---------------------------------------------------------------


def _check_op(b: CircuitBuilder, a0: Target, a1: Target, c: Target) -> None:
    """The check ``a0·a1 − c = 0`` as one op of a generator-less arithmetic row (1, −1)."""
    gate = _arith_gate(b.config.num_routed_wires // WIRES_PER_OP)
    # the FRI queries' checks of one stage share rows (a few checks per query and stage
    # would each open a row of 20): the row is labelled with the stage, ``query_*``
    scope = _QUERY.sub("query_*", b.current_scope)
    b.add_packed_op(gate, (1, P - 1), [a0, a1, c], WIRES_PER_OP, gate.params[0], group=scope)


def assert_equal(b: CircuitBuilder, x: Target, y: Target) -> None:
    """Constrain x == y by an arithmetic-gate op ``1·x·1 + (−1)·y − 0``, no generator.
    Under a :func:`verification_condition` ``cond``: ``cond·x − (cond·y) = 0``."""
    cond = current_condition(b)
    if cond is None:
        _check_op(b, x, b.one(), y)
    else:
        _check_op(b, cond, x, b.mul(cond, y))


def assert_bool(b: CircuitBuilder, t: Target) -> None:
    """Constrain t·t − t = 0 by a check op (never conditional: a condition must be boolean)."""
    _check_op(b, t, t, t)


def assert_equal_ext(b: CircuitBuilder, x: ExtTarget, y: ExtTarget) -> None:
    assert_equal(b, x[0], y[0])
    assert_equal(b, x[1], y[1])


def assert_equal_many(b: CircuitBuilder, xs: Sequence[Target], ys: Sequence[Target]) -> None:
    if len(xs) != len(ys):
        raise ValueError("assert_equal_many: lengths differ")
    for x, y in zip(xs, ys, strict=True):
        assert_equal(b, x, y)


def select_copies(config: CircuitConfig, bits: int) -> int:
    """How many selections one ``random_access_gate(bits, copies)`` row of the verifier
    makes: as many lists of 2^bits items as fit the routed wires, at most 4 (a digest)."""
    return random_access_copies(config, bits)


def assert_random_access(b: CircuitBuilder, index: Target, items: Sequence[Target], claimed: Target) -> None:
    """Constrain ``items[index] == claimed`` (2..32 items, a power of two)."""
    assert_random_access_many(b, index, [items], [claimed])


def assert_random_access_many(
    b: CircuitBuilder, index: Target, item_lists: Sequence[Sequence[Target]], claimed: Sequence[Target]
) -> None:
    """Constrain ``item_lists[k][index] == claimed[k]`` for every k, all lists of the same
    length (2..32, a power of two), with multi-select ``random_access`` rows sharing the
    index (:func:`select_copies` selections per row; unused copies select among zeros).
    Unconditionally each claimed cell holds ``claimed[k]`` itself and the row's generator
    only decomposes the index, so a wrong claim fails that row's selection constraint.
    Under a :func:`verification_condition` the row computes the selections and each is
    compared with a conditional equality."""
    if len(item_lists) != len(claimed) or not item_lists:
        raise ValueError("assert_random_access_many: one claimed value per list of items")
    n = len(item_lists[0])
    bits = n.bit_length() - 1
    if n < 2 or n != 1 << bits or bits > 5 or any(len(items) != n for items in item_lists):
        raise ValueError("assert_random_access_many takes lists of 2, 4, 8, 16 or 32 items")
    copies = select_copies(b.config, bits)
    gate = random_access_gate(bits, copies)
    cond = current_condition(b)
    zero = b.zero()
    for start in range(0, len(item_lists), copies):
        lists = list(item_lists[start : start + copies])
        lists += [[zero] * n] * (copies - len(lists))
        wanted = list(claimed[start : start + copies])
        if cond is None:
            place_select_row(b, gate, index, lists, wanted + [zero] * (copies - len(wanted)), solve=False,
                             name="index_bits")
            continue
        outs = b.add_virtual_targets(copies)
        place_select_row(b, gate, index, lists, outs, hint=True, name="select")
        for out, value in zip(outs, wanted, strict=False):
            assert_equal(b, out, value)


def split_bits(b: CircuitBuilder, t: Target, num_bits: int) -> list[Target]:
    """The ``num_bits`` little-endian bits of t (num_bits <= 63), constrained boolean and
    recomposing to t, so t < 2^num_bits: ``builder.split_le`` with its generator writing
    only the low ``num_bits`` bits, so an out-of-range t fails the recomposition
    constraint of this row instead of conflicting with the zero constant."""
    return b.split_le(t, num_bits, low_only=True)


def range_check(b: CircuitBuilder, t: Target, num_bits: int) -> None:
    """t < 2^num_bits (under a condition ``cond``: ``cond·t < 2^num_bits``)."""
    cond = current_condition(b)
    split_bits(b, t if cond is None else b.mul(cond, t), num_bits)


def recompose(b: CircuitBuilder, bits: Sequence[Target]) -> Target:
    """Σ bits[i]·2^i (Horner with arithmetic ops 2·acc + bit)."""
    if not bits:
        return b.zero()
    acc = bits[-1]
    for bit in reversed(bits[:-1]):
        acc = b.arithmetic(2, 1, acc, b.one(), bit)
    return acc


def low_bits_of_challenge(b: CircuitBuilder, c: Target, num_bits: int) -> list[Target]:
    """The low ``num_bits`` (<= 32) bits of the canonical value of c, i.e. of ``c mod 2^num_bits``:
    the low limb of :meth:`CircuitBuilder.canonical_limbs` split into bits (canonical, or
    c + p would give other low bits when c < 2^32 − 1)."""
    if not 0 <= num_bits <= 32:
        raise ValueError("low_bits_of_challenge takes at most 32 bits")
    _, _, lo_bits, _ = b.canonical_limbs(
        c, lambda limb: split_bits(b, limb, 32), lambda x, y: assert_equal(b, x, y)
    )
    return lo_bits[:num_bits]


# --- extension arithmetic ------------------------------------------------------------


def ext_from_base(b: CircuitBuilder, t: Target) -> ExtTarget:
    return (t, b.zero())


def ext_const(b: CircuitBuilder, v: Ext2 | int) -> ExtTarget:
    return b.constant_extension(Ext2.coerce(v))


def ext_square(b: CircuitBuilder, x: ExtTarget) -> ExtTarget:
    return b.mul_extension(x, x)


def ext_exp_power_of_two(b: CircuitBuilder, x: ExtTarget, log_e: int) -> ExtTarget:
    for _ in range(log_e):
        x = ext_square(b, x)
    return x


def ext_exp_const(b: CircuitBuilder, x: ExtTarget, e: int) -> ExtTarget:
    """x^e for a constant e >= 1 (square and multiply, most significant bit first)."""
    acc = x
    for bit in bin(e)[3:]:
        acc = ext_square(b, acc)
        if bit == "1":
            acc = b.mul_extension(acc, x)
    return acc


def exp_power_of_two(b: CircuitBuilder, x: Target, log_e: int) -> Target:
    for _ in range(log_e):
        x = b.mul(x, x)
    return x


def reduce_with_powers(b: CircuitBuilder, values: Sequence[ExtTarget], alpha: ExtTarget) -> ExtTarget:
    """Σ alpha^i · values[i] by Horner's rule."""
    if not values:
        return ext_const(b, 0)
    acc = values[-1]
    for v in reversed(values[:-1]):
        acc = b.mul_add_extension(acc, alpha, v)
    return acc


def ext_div(b: CircuitBuilder, num: ExtTarget, den: ExtTarget) -> ExtTarget:
    """num / den: a witnessed quotient q with the check q·den == num (sound for den != 0,
    which the caller must establish)."""
    q = tuple(b.add_virtual_targets(2))

    def gen(v: list[int]) -> list[int]:
        d = Ext2(v[2], v[3])
        if d == Ext2.zero():
            return [0, 0]
        return (Ext2(v[0], v[1]) / d).to_list()

    b.add_generator(gen, [*num, *den], q, "ext_div")
    assert_equal_ext(b, b.mul_extension(q, den), num)
    return q


def assert_nonzero_ext(b: CircuitBuilder, x: ExtTarget) -> None:
    """x != 0, shown by a witnessed inverse."""
    inv = tuple(b.add_virtual_targets(2))

    def gen(v: list[int]) -> list[int]:
        e = Ext2(v[0], v[1])
        return [0, 0] if e == Ext2.zero() else e.inverse().to_list()

    b.add_generator(gen, list(x), inv, "ext_inverse")
    assert_equal_ext(b, b.mul_extension(inv, x), ext_const(b, 1))


def pow_by_bits(b: CircuitBuilder, generators: Sequence[int], bits: Sequence[Target]) -> Target:
    """Π_k generators[k]^bits[k] for base-field constants, as Π_k (1 + b_k·(g_k − 1))."""
    acc: Target | None = None
    one = b.one()
    for g, bit in zip(generators, bits, strict=True):
        factor = b.mul_add(bit, b.constant((g - 1) % P), one)
        acc = factor if acc is None else b.mul(acc, factor)
    return acc if acc is not None else one


def reduce_base_with_powers(b: CircuitBuilder, values: Sequence[Target], alpha: ExtTarget) -> ExtTarget:
    """Σ alpha^i · values[i] for base-field ``values``: Horner's rule in ``reducing`` rows of
    as many coefficients as the table holds (43 in 135 wires), highest power first; the
    first row is padded with leading zero coefficients (0·α + 0 = 0 keeps the start at 0)."""
    if not values:
        return ext_const(b, 0)
    k = ReducingLayout.max_coeffs(b.config.num_wires, b.config.num_routed_wires)
    gate = reducing_gate(k)
    lay = ReducingLayout(k)
    zero = b.zero()
    coeffs = list(reversed(values))
    coeffs = [zero] * (-len(coeffs) % k) + coeffs
    acc: ExtTarget = (zero, zero)
    for start in range(0, len(coeffs), k):
        chunk = coeffs[start : start + k]
        out = tuple(b.add_virtual_targets(2))
        inter = b.add_virtual_targets(2 * (k - 1))
        b.add_gate_row(gate, [*alpha, *acc, *out, *chunk, *inter][: lay.num_wires])

        def gen(v: list[int]) -> list[int]:
            # x ← x·α + c in F[X]/(X^2 − W), on plain ints (hot: 43 steps per row)
            a0, a1, x0, x1 = v[0], v[1], v[2], v[3]
            wa1 = W * a1
            steps = []
            for c in v[4:]:
                x0, x1 = (x0 * a0 + x1 * wa1 + c) % P, (x0 * a1 + x1 * a0) % P
                steps += (x0, x1)
            return [*steps[-2:], *steps[:-2]]

        b.add_generator(gen, [*alpha, *acc, *chunk], [*out, *inter], "reduce")
        acc = out
    return acc
