"""The verifier's gate evaluators on integer pairs (``eval_pairs``) against the symbolic
constraints, for every gate kind in the catalog: the constraints are walked as sympy
trees (no CSE, no generated code) with :class:`Ext2` arithmetic at random extension
points, and compared with the pair evaluator and with the older Ext2 operator evaluator."""

from __future__ import annotations

import random

import pytest
import sympy

from psyc.field import Ext2, P
from psyc.plonk.gates import (
    PI_DIGEST_LEN,
    Gate,
    GateEvaluators,
    arithmetic_gate,
    base_sum_gate,
    bigint_carry_gate,
    bigint_mul_gate,
    blinding_gate,
    constant_gate,
    coset_interpolation_gate,
    exponentiation_gate,
    extension_arithmetic_gate,
    gfp5_mul_gate,
    lookup_gate,
    noop_gate,
    poseidon_gate,
    public_input_gate,
    random_access_gate,
    reducing_gate,
)
from psyc.plonk.gates.base import GATE_KINDS

GATES = [
    arithmetic_gate(1),
    arithmetic_gate(20),
    constant_gate(3),
    public_input_gate(),
    noop_gate(),
    blinding_gate(),
    lookup_gate(4),
    base_sum_gate(8),
    base_sum_gate(5, 4),
    extension_arithmetic_gate(2),
    gfp5_mul_gate(2),
    bigint_mul_gate(3),
    bigint_carry_gate(1, 19),
    random_access_gate(2),
    random_access_gate(2, 3),
    reducing_gate(3),
    exponentiation_gate(5),
    coset_interpolation_gate(2),
    poseidon_gate(),
]


def _walk(e: sympy.Expr, env: dict[str, Ext2]) -> Ext2:
    """A constraint's value, read off its sympy tree with Ext2 arithmetic (the reference:
    independent of the code generator)."""
    if e.is_Symbol:
        return env[e.name]
    if e.is_Integer:
        return Ext2(int(e))
    args = [_walk(a, env) for a in e.args]
    if e.is_Add:
        out = Ext2.zero()
        for a in args:
            out = out + a
        return out
    if e.is_Mul:
        out = Ext2.one()
        for a in args:
            out = out * a
        return out
    if e.is_Pow:
        return args[0] ** int(e.args[1])
    raise AssertionError(f"unexpected node {e!r}")


def test_every_catalog_kind_is_covered():
    assert {g.name for g in GATES} == set(GATE_KINDS)


@pytest.mark.parametrize("gate", GATES, ids=[g.id for g in GATES])
def test_pair_evaluator_matches_the_symbolic_constraints(gate: Gate):
    rng = random.Random("pairs" + gate.id)
    ev = GateEvaluators(gate)
    nw, nc = gate.num_wires, gate.num_constants
    for trial in range(3):
        # trial 0: values near 0 and p (carries, negative intermediates); then uniform
        edge = trial == 0

        def draw(edge: bool = edge) -> int:
            return rng.choice([0, 1, 2, P - 1, P - 2]) if edge else rng.randrange(P)

        w = [Ext2(draw(), draw()) for _ in range(nw)]
        c = [Ext2(draw(), draw()) for _ in range(nc)]
        pi = [draw() for _ in range(PI_DIGEST_LEN)]
        env = {f"w{i}": v for i, v in enumerate(w)} | {f"c{i}": v for i, v in enumerate(c)}
        env |= {f"pi{i}": Ext2(v) for i, v in enumerate(pi)}
        expected = [_walk(e, env) for e in gate.constraints]
        got = [Ext2(a0, a1) for a0, a1 in ev.eval_pairs(w, c, pi)]
        assert got == expected
        assert ev.eval_ext(w, c, [Ext2(v) for v in pi]) == expected
        # plain (a0, a1) tuples work as well as Ext2 values
        assert [Ext2(a0, a1) for a0, a1 in ev.eval_pairs([tuple(v) for v in w], [tuple(v) for v in c], pi)] == got


def test_pair_evaluator_detects_a_changed_input():
    """Not vacuous: a changed wire changes a constraint's value."""
    gate = arithmetic_gate(1)
    ev = GateEvaluators(gate)
    rng = random.Random(1)
    w = [Ext2(rng.randrange(P), rng.randrange(P)) for _ in range(gate.num_wires)]
    c = [Ext2(rng.randrange(P), rng.randrange(P)) for _ in range(gate.num_constants)]
    before = [Ext2(*v) for v in ev.eval_pairs(w, c, [0] * PI_DIGEST_LEN)]
    w[0] = w[0] + Ext2(1)
    assert [Ext2(*v) for v in ev.eval_pairs(w, c, [0] * PI_DIGEST_LEN)] != before


@pytest.mark.parametrize(("routed", "chunk", "challenges"), [(4, 2, 1), (7, 3, 2), (80, 8, 2)])
def test_permutation_terms_on_pairs_match_the_ext2_evaluator(routed, chunk, challenges):
    """The verifier's permutation terms on integer pairs (β, γ base-field ints) equal the
    Ext2 operator evaluator's at random extension points."""
    from psyc.plonk import vanishing_eval

    rng = random.Random(routed * 100 + chunk)

    def ext() -> Ext2:
        return Ext2(rng.randrange(P), rng.randrange(P))

    m1 = -(-routed // chunk) - 1  # stored partial products per challenge
    k_is = [rng.randrange(1, P) for _ in range(routed)]
    for _ in range(2):
        zs, zs_next = [ext() for _ in range(challenges)], [ext() for _ in range(challenges)]
        pps = [ext() for _ in range(challenges * m1)]
        wires, sigmas = [ext() for _ in range(routed)], [ext() for _ in range(routed)]
        x, l0 = ext(), ext()
        betas, gammas = [rng.randrange(P) for _ in range(challenges)], [rng.randrange(P) for _ in range(challenges)]
        expected = vanishing_eval.permutation_terms_at(
            zs, zs_next, pps, wires, sigmas, k_is, x, l0, [Ext2(b) for b in betas], [Ext2(g) for g in gammas], chunk
        )
        got = vanishing_eval.permutation_terms_at(
            zs, zs_next, pps, wires, sigmas, k_is, x, l0, betas, gammas, chunk, pairs=True
        )
        assert [Ext2(a0, a1) for a0, a1 in got] == [Ext2.coerce(v) for v in expected]
        assert len(got) > 0
