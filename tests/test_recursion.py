"""Recursive verifier gadget: transcript, vanishing identity and FRI checked in circuit.

The inner circuits use small FRI configs (few queries, low proof of work, folding by 2
or 4) so that every stage — folding layers included — appears in a circuit that builds,
fills and proves in seconds. The outer circuits use the standard 135-wire table.
"""

import copy
import random

import pytest
from recursion_configs import ZK_LOOKUP, inner_circuit, small_config

from psyc.field import Ext2, P
from psyc.fri import FriConfig
from psyc.iop.challenger import Challenger
from psyc.plonk.builder import CircuitBuilder
from psyc.plonk.config import CircuitConfig
from psyc.plonk.diagnostics import check_constraints
from psyc.plonk.gates import (
    arithmetic_gate,
    base_sum_gate,
    constant_gate,
    coset_interpolation_gate,
    exponentiation_gate,
    extension_arithmetic_gate,
    poseidon_gate,
    public_input_gate,
    random_access_gate,
    reducing_gate,
)
from psyc.plonk.gates.base import PI_DIGEST_LEN
from psyc.plonk.gates.evaluators import GateEvaluators
from psyc.plonk.proof import OpeningSet
from psyc.plonk.verifier import VerificationError, eval_vanishing_at, opening_counts
from psyc.plonk.witness import PartialWitness
from psyc.plonk.witness_gen import generate_witness
from psyc.recursion import RecursiveChallenger, add_proof_targets, set_proof_targets, verify_proof_circuit
from psyc.recursion.gate_eval import FusingExtBuilder, eval_gate_circuit
from psyc.recursion.vanishing import eval_vanishing_circuit, zeta_powers

INNER = small_config(queries=4, pow_bits=2)
INNER_ZK_LOOKUP = ZK_LOOKUP
OUTER = CircuitConfig(
    fri_config=FriConfig(rate_bits=3, cap_height=2, num_query_rounds=8, proof_of_work_bits=4)
)


def _values(data, pw, targets):
    """Witness values of ``targets`` (registered as the circuit's public inputs)."""
    wires, pis = generate_witness(data, pw)
    assert check_constraints(data, wires, pis) == []
    return pis


# --- 1. the challenger --------------------------------------------------------------------


def test_challenger_matches_native():
    rng = random.Random(1)
    # (observe n elements, then draw m base challenges and e extension challenges)
    script = [(5, 2, 0), (0, 1, 1), (8, 0, 0), (13, 9, 0), (1, 0, 1), (3, 0, 0), (0, 11, 2), (16, 1, 0)]
    b = CircuitBuilder(OUTER)
    native = Challenger([0x1234])
    rc = RecursiveChallenger(b, [0x1234])
    inputs, drawn_t, drawn_v = [], [], []
    for n, m, e in script:
        ts = b.add_virtual_targets(n)
        vs = [rng.randrange(P) for _ in range(n)]
        inputs += list(zip(ts, vs, strict=True))
        rc.observe_elements(ts)
        native.observe_elements(vs)
        drawn_t += rc.get_challenges(m)
        drawn_v += native.get_challenges(m)
        for _ in range(e):
            drawn_t += list(rc.get_ext_challenge())
            drawn_v += native.get_ext_challenge().to_list()
    b.register_public_inputs(drawn_t)
    data = b.build()
    pw = PartialWitness()
    for t, v in inputs:
        pw.set_target(t, v)
    assert _values(data, pw, drawn_t) == drawn_v
    assert len(drawn_v) == sum(m + 2 * e for _, m, e in script)


# --- gadgets -------------------------------------------------------------------------------


def test_query_index_bits_of_edge_challenges():
    from psyc.recursion.gadgets import low_bits_of_challenge

    values = [0, 1, 2**32 - 2, 2**32 - 1, 2**32, 2**63, P - 2**32, P - 1, 0xDEADBEEF12345678 % P]
    b = CircuitBuilder(OUTER)
    cs = b.add_virtual_targets(len(values))
    bits = [low_bits_of_challenge(b, c, 20) for c in cs]
    flat = [t for bs in bits for t in bs]
    b.register_public_inputs(flat)
    data = b.build()
    pw = PartialWitness()
    pw.set_targets(cs, values)
    got = _values(data, pw, flat)
    assert got == [(v >> i) & 1 for v in values for i in range(20)]


def test_gate_level_checks_fail_as_named_constraints():
    """A false check is an unsatisfied constraint of a row in the caller's scope, not a
    copy-constraint conflict during witness generation."""
    from psyc.recursion.gadgets import assert_equal, assert_random_access, split_bits

    b = CircuitBuilder(OUTER)
    x, y, big = b.add_virtual_targets(3)
    items = b.add_virtual_targets(8)
    idx = b.add_virtual_target()
    with b.scope("recursion"), b.scope("eq"):
        assert_equal(b, x, y)
    with b.scope("recursion"), b.scope("bits"):
        split_bits(b, big, 10)
    with b.scope("recursion"), b.scope("select"):
        assert_random_access(b, idx, items, x)
    data = b.build()

    def scopes(xv, yv, bigv, idxv):
        pw = PartialWitness()
        pw.set_targets([x, y, big, idx], [xv, yv, bigv, idxv])
        pw.set_targets(items, [10 * i for i in range(8)])
        wires, pis = generate_witness(data, pw)
        return {f.scope for f in check_constraints(data, wires, pis)}

    assert scopes(30, 30, 1023, 3) == set()
    assert scopes(30, 31, 1023, 3) == {"recursion/eq"}
    assert scopes(30, 30, 1024, 3) == {"recursion/bits"}
    assert scopes(30, 30, 1023, 4) == {"recursion/select"}


def test_reducing_rows_compute_the_horner_sum():
    """``reduce_base_with_powers`` (reducing rows of 43 values, the first padded) equals
    Σ α^i v_i computed natively, for lengths around the row size (a wrong accumulator
    failing the gate is checked in test_gates)."""
    from psyc.recursion.gadgets import reduce_base_with_powers

    rng = random.Random(7)
    alpha = Ext2(rng.randrange(P), rng.randrange(P))
    for n in (1, 43, 44, 100):
        b = CircuitBuilder(OUTER)
        vals = b.add_virtual_targets(n)
        al = b.add_virtual_targets(2)
        b.register_public_inputs(list(reduce_base_with_powers(b, vals, tuple(al))))
        data = b.build()
        assert data.stats["gates"]["reducing_43"] == -(-n // 43)
        vs = [rng.randrange(P) for _ in range(n)]
        pw = PartialWitness()
        pw.set_targets(vals, vs)
        pw.set_targets(al, alpha.to_list())
        wires, pis = generate_witness(data, pw)
        assert check_constraints(data, wires, pis) == []
        want = Ext2.zero()
        for v in reversed(vs):
            want = want * alpha + Ext2(v, 0)
        assert pis == want.to_list()


# --- gate constraints in circuit ------------------------------------------------------------


@pytest.mark.parametrize(
    "gate",
    [
        poseidon_gate(),
        arithmetic_gate(20),
        base_sum_gate(63),
        coset_interpolation_gate(4),
        random_access_gate(4),
        random_access_gate(4, 4),
        reducing_gate(43),
        extension_arithmetic_gate(10),
        exponentiation_gate(8),
        constant_gate(2),
        public_input_gate(),
    ],
    ids=lambda g: g.id,
)
def test_fused_gate_evaluation_matches_native(gate):
    """The generated in-circuit evaluator, run through FusingExtBuilder, gives eval_ext's values."""
    b = CircuitBuilder(OUTER)
    ev = GateEvaluators.for_gate(gate)
    nw, nc = gate.num_wires, gate.num_constants
    ext = [tuple(b.add_virtual_targets(2)) for _ in range(nw + nc + PI_DIGEST_LEN)]
    fb = FusingExtBuilder(b)
    outs = [fb.materialize(v) for v in eval_gate_circuit(fb, ev, ext[:nw], ext[nw : nw + nc], ext[nw + nc :])]
    flat = [t for o in outs for t in o]
    b.register_public_inputs(flat)
    data = b.build()
    rng = random.Random(gate.id)
    vals = [Ext2(rng.randrange(P), rng.randrange(P)) for _ in ext]
    pw = PartialWitness()
    for t, v in zip(ext, vals, strict=True):
        pw.set_targets(list(t), v.to_list())
    expected = ev.eval_ext(vals[:nw], vals[nw : nw + nc], vals[nw + nc :])
    assert _values(data, pw, flat) == [x for e in expected for x in e.to_list()]
    if gate.name == "poseidon":  # plain eval_circuit on the builder takes ~4900 ops
        assert fb.num_ops < 2600


# --- inner circuits -------------------------------------------------------------------------


def _inner_lookup_circuit(config):
    """Lookups (range checks through the logUp table) in a zero-knowledge circuit."""
    b = CircuitBuilder(config)
    x, y = b.add_virtual_targets(2)
    b.range_check_lookup(x, 7)
    b.range_check_lookup(y, 4)
    s = b.add(b.mul(x, y), b.constant(9))
    b.register_public_inputs([s, x, y, b.hash_no_pad([x, y, s])[1], b.one()])  # 5 inputs: hashed
    data = b.build()
    pw = PartialWitness()
    pw.set_targets([x, y], [100, 13])
    return data, data.prove(pw)


def _outer_circuit(inner_data):
    b = CircuitBuilder(OUTER)
    pt = add_proof_targets(b, inner_data.common)
    verify_proof_circuit(b, pt, inner_data.verifier_only, inner_data.common)
    b.register_public_inputs(pt.public_inputs)
    return b.build(), pt


@pytest.fixture(scope="module")
def recursion():
    inner, proof = inner_circuit(INNER)
    inner.verify(proof)
    outer, pt = _outer_circuit(inner)
    return inner, proof, outer, pt


def _failures(outer, pt, proof):
    pw = PartialWitness()
    set_proof_targets(pw, pt, proof)
    wires, pis = generate_witness(outer, pw)  # a WitnessError here would fail the test
    return check_constraints(outer, wires, pis, limit=10**6)


# --- 2. completeness -------------------------------------------------------------------------


def test_outer_circuit_accepts_the_inner_proof_and_proves(recursion):
    inner, proof, outer, pt = recursion
    assert inner.common.fri_params.reduction_arity_bits == (1, 1, 1)
    assert _failures(outer, pt, proof) == []
    pw = PartialWitness()
    set_proof_targets(pw, pt, proof)
    outer_proof = outer.prove(pw)
    outer.verify(outer_proof)
    assert outer_proof.public_inputs == proof.public_inputs
    from psyc.recursion.stats import format_rows_by_stage, rows_by_stage

    table = rows_by_stage(outer)
    assert sum(sum(c.values()) for c in table.values()) == outer.stats["rows"]
    assert table["recursion/fri/query_*/merkle_oracle_1"]["poseidon"] > 0
    assert "total" in format_rows_by_stage(outer)
    gates = outer.stats["gates"]
    for g in (
        "poseidon",
        "extension_arithmetic_10",
        "coset_interpolation_1",
        "random_access_1_4",
        "base_sum_63_2",
    ):
        assert gates.get(g), g


def test_zero_knowledge_inner_proof_with_lookups():
    inner, proof = _inner_lookup_circuit(INNER_ZK_LOOKUP)
    assert inner.common.has_lookups and inner.common.config.zero_knowledge
    assert inner.common.fri_params.reduction_arity_bits == (2, 2)
    inner.verify(proof)
    outer, pt = _outer_circuit(inner)
    assert "recursion/vanishing/lookups" in outer.stats["scopes"]
    assert _failures(outer, pt, proof) == []
    bad = copy.deepcopy(proof)
    bad.proof.openings.lookup_helpers[1] += Ext2(1)
    with pytest.raises(VerificationError):
        inner.verify(bad)
    scopes = {f.scope for f in _failures(outer, pt, bad)}
    assert "recursion/quotient" in scopes


def test_vanishing_polynomial_matches_native_at_random_openings():
    """eval_vanishing_circuit == eval_vanishing_at on arbitrary openings and challenges,
    for a circuit with lookups (gate, permutation and logUp terms)."""
    inner, _ = _inner_lookup_circuit(INNER_ZK_LOOKUP)
    common = inner.common
    nc = common.config.num_challenges
    rng = random.Random(7)
    b = CircuitBuilder(OUTER)
    counts = opening_counts(common)
    o_t = OpeningSet(*[[tuple(b.add_virtual_targets(2)) for _ in range(k)] for k in counts.values()])
    o_v = OpeningSet(*[[Ext2(rng.randrange(P), rng.randrange(P)) for _ in range(k)] for k in counts.values()])
    zeta_t = tuple(b.add_virtual_targets(2))
    zeta_v = Ext2(rng.randrange(P), rng.randrange(P))
    pi_t = b.add_virtual_targets(4)
    pi_v = [rng.randrange(P) for _ in range(4)]
    ch_t = [b.add_virtual_targets(nc) for _ in range(4)]
    ch_v = [[rng.randrange(P) for _ in range(nc)] for _ in range(4)]
    _, _, l0 = zeta_powers(b, common, zeta_t)
    out = eval_vanishing_circuit(b, common, o_t, zeta_t, l0, pi_t, *ch_t)
    flat = [t for e in out for t in e]
    b.register_public_inputs(flat)
    data = b.build()
    pw = PartialWitness()
    for (_, ts), (_, vs) in zip(o_t.groups(), o_v.groups(), strict=True):
        for t, v in zip(ts, vs, strict=True):
            pw.set_targets(list(t), v.to_list())
    pw.set_targets(list(zeta_t), zeta_v.to_list())
    pw.set_targets(pi_t, pi_v)
    for ts, vs in zip(ch_t, ch_v, strict=True):
        pw.set_targets(ts, vs)
    expected = eval_vanishing_at(common, o_v, zeta_v, pi_v, *ch_v)
    assert _values(data, pw, flat) == [x for e in expected for x in e.to_list()]


def test_proof_of_another_shape_is_rejected_by_set_proof_targets(recursion):
    _, _, _, pt = recursion
    _, other = _inner_lookup_circuit(INNER_ZK_LOOKUP)
    with pytest.raises(ValueError, match="public inputs|openings|cap"):
        set_proof_targets(PartialWitness(), pt, other)


# --- 3. soundness -------------------------------------------------------------------------


def _bump(e):
    return e + Ext2(1) if isinstance(e, Ext2) else (e + 1) % P


def _flip_opening(p):
    p.proof.openings.wires[3] = _bump(p.proof.openings.wires[3])


def _flip_quotient(p):
    p.proof.openings.quotient_polys[-1] = _bump(p.proof.openings.quotient_polys[-1])


def _flip_initial_sibling(p):
    sib = p.proof.opening_proof.query_round_proofs[1].initial_trees_proof.evals_proofs[2][1].siblings
    sib[0][0] = _bump(sib[0][0])


def _flip_leaf(p):
    leaf = p.proof.opening_proof.query_round_proofs[0].initial_trees_proof.evals_proofs[1][0]
    leaf[5] = _bump(leaf[5])


def _flip_step_sibling(p):
    sib = p.proof.opening_proof.query_round_proofs[2].steps[0].merkle_proof.siblings
    sib[-1][3] = _bump(sib[-1][3])


def _flip_step_value(p):
    evals = p.proof.opening_proof.query_round_proofs[3].steps[1].evals
    evals[0] = _bump(evals[0])


def _flip_commit_cap(p):
    cap = p.proof.opening_proof.commit_phase_caps[1]
    cap[0][0] = _bump(cap[0][0])


def _flip_wires_cap(p):
    p.proof.wires_cap[1][2] = _bump(p.proof.wires_cap[1][2])


def _flip_final_poly(p):
    fp = p.proof.opening_proof.final_poly
    fp[0] = _bump(fp[0])


def _flip_public_input(p):
    p.public_inputs[0] = _bump(p.public_inputs[0])


TAMPERS = {
    # name: (tamper, parts of scope names that must occur among the failures)
    "opening": (_flip_opening, ["recursion/quotient", "/merkle_oracle_0"]),
    "quotient_opening": (_flip_quotient, ["recursion/quotient"]),
    "merkle_sibling": (_flip_initial_sibling, ["recursion/fri/query_1/merkle_oracle_2"]),
    "leaf": (_flip_leaf, ["recursion/fri/query_0/merkle_oracle_1"]),
    "fri_step_sibling": (_flip_step_sibling, ["recursion/fri/query_2/fold_0"]),
    "fri_step_value": (_flip_step_value, ["recursion/fri/query_3/fold_1"]),
    "commit_phase_cap": (_flip_commit_cap, ["/fold_1"]),
    "wires_cap": (_flip_wires_cap, ["/merkle_oracle_1"]),
    "final_poly": (_flip_final_poly, ["/final_poly"]),
    "public_input": (_flip_public_input, ["recursion/quotient", "/merkle_oracle_0"]),
}


@pytest.mark.parametrize("name", list(TAMPERS))
def test_tampered_inner_proof_fails_named_constraints(recursion, name):
    inner, proof, outer, pt = recursion
    tamper, must_fail = TAMPERS[name]
    bad = copy.deepcopy(proof)
    tamper(bad)
    with pytest.raises(VerificationError):
        inner.verify(bad)
    failures = _failures(outer, pt, bad)
    scopes = {f.scope for f in failures}
    assert failures, name
    assert all(s.startswith("recursion/") for s in scopes), scopes
    for part in must_fail:
        assert any(part in sc for sc in scopes), (part, sorted(scopes)[:10])


def test_proof_of_another_circuit_of_the_same_shape_fails(recursion):
    """The verifying key is fixed in the outer circuit: a valid proof of a circuit that
    differs in one constant (another circuit digest, another constants cap) is rejected."""
    inner, proof, outer, pt = recursion
    other, other_proof = inner_circuit(INNER, 6)
    assert other.verifier_only.circuit_digest != inner.verifier_only.circuit_digest
    scopes = {f.scope for f in _failures(outer, pt, other_proof)}
    assert "recursion/quotient" in scopes
    assert any("/merkle_oracle_0" in sc for sc in scopes)


def test_only_the_tampered_path_fails(recursion):
    """A flipped Merkle sibling changes nothing else: the transcript does not see it."""
    _, proof, outer, pt = recursion
    bad = copy.deepcopy(proof)
    _flip_initial_sibling(bad)
    assert {f.scope for f in _failures(outer, pt, bad)} == {"recursion/fri/query_1/merkle_oracle_2"}
    assert {f.gate for f in _failures(outer, pt, bad)} == {"random_access_1_4"}  # cap_height 1: the multi-select row


def test_bad_proof_of_work_fails_the_pow_check(recursion):
    inner, proof, outer, pt = recursion
    bad = copy.deepcopy(proof)
    fp = bad.proof.opening_proof
    bits = inner.common.config.fri_config.proof_of_work_bits
    # replay the transcript up to the nonce to find one that fails natively
    from psyc.hash.poseidon import hash_or_noop
    from psyc.plonk.transcript import (
        draw_alphas,
        draw_betas_gammas_deltas,
        draw_zeta,
        openings_to_fri,
        start_transcript,
    )

    common, cfg = inner.common, inner.common.config
    ch = start_transcript(inner.verifier_only.circuit_digest, hash_or_noop(proof.public_inputs))
    draw_betas_gammas_deltas(ch, proof.proof.wires_cap, cfg.num_challenges, common.has_lookups)
    draw_alphas(ch, proof.proof.plonk_zs_partial_products_cap, cfg.num_challenges)
    draw_zeta(ch, proof.proof.quotient_polys_cap)
    ch.observe_exts(openings_to_fri(common, proof.proof.openings).flatten())
    ch.get_ext_challenge()
    for cap in fp.commit_phase_caps:
        ch.observe_cap(cap)
        ch.get_ext_challenge()
    ch.observe_exts(fp.final_poly)
    assert ch.clone().check_pow(fp.pow_witness, bits)
    nonce = fp.pow_witness
    while ch.clone().check_pow(nonce, bits):
        nonce += 1
    fp.pow_witness = nonce
    with pytest.raises(VerificationError, match="proof-of-work"):
        inner.verify(bad)
    scopes = {f.scope for f in _failures(outer, pt, bad)}
    assert "recursion/fri/proof_of_work" in scopes
    assert all(s.startswith("recursion/fri") for s in scopes)


# --- the standard configuration --------------------------------------------------------------


def _standard_inner(num_perms):
    b = CircuitBuilder(CircuitConfig.standard())
    x, y = b.add_virtual_targets(2)
    z = b.mul_add(x, y, b.constant(5))
    h = b.hash_no_pad([x, y, z])
    for _ in range(num_perms):
        h = b.two_to_one(h, [x, y, z, x])
    b.register_public_inputs([z, h[0]])
    inner = b.build()
    pw = PartialWitness()
    pw.set_targets([x, y], [3, 4])
    return inner, inner.prove(pw)


def _wrap(inner, proof):
    """Verify ``proof`` in a standard-config outer circuit; return the outer data, targets
    and its proof (checked natively)."""
    ob = CircuitBuilder(CircuitConfig.standard())
    pt = add_proof_targets(ob, inner.common)
    verify_proof_circuit(ob, pt, inner.verifier_only, inner.common)
    ob.register_public_inputs(pt.public_inputs)
    outer = ob.build()
    pw = PartialWitness()
    set_proof_targets(pw, pt, proof)
    outer_proof = outer.prove(pw)
    outer.verify(outer_proof)
    assert outer_proof.public_inputs == proof.public_inputs
    return outer, pt, outer_proof


@pytest.fixture(scope="module")
def standard_level1():
    inner, proof = _standard_inner(0)
    return (inner, proof, *_wrap(inner, proof))


def test_standard_config_recursion(standard_level1):
    """Inner and outer circuits both with CircuitConfig.standard() (28 queries, 16 PoW
    bits, cap height 4); the outer proof verifies natively."""
    inner, proof, outer, pt, _ = standard_level1
    assert outer.common.degree_bits == 12
    bad = copy.deepcopy(proof)
    _flip_final_poly(bad)
    assert any("/final_poly" in f.scope for f in _failures(outer, pt, bad))


def test_recursion_composes(standard_level1):
    """A recursive proof verified by the same gadget: the level-1 outer circuit (2^12 rows,
    every outer gate type but coset interpolation) as the inner circuit of level 2. An inner
    circuit of 2^12 rows in the standard config folds by 16 (one FRI reduction of arity 16:
    one 4-bit coset interpolation per query), and its verifier takes 2^13 rows."""
    *_, level1, _, level1_proof = standard_level1
    assert level1.common.degree_bits == 12 and level1.common.fri_params.reduction_arity_bits == (4,)
    level2, _, level2_proof = _wrap(level1, level1_proof)
    assert level2.common.degree_bits == 13
    assert level2.stats["gates"]["coset_interpolation_4"] == 28
    assert level2_proof.public_inputs == standard_level1[1].public_inputs


# --- docs ------------------------------------------------------------------------------------


def test_docs_example_runs():
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "recursion.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "docs/recursion.md", "exec"), {})
