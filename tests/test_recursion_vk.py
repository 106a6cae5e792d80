"""Issue 5, parts 1 and 2: the inner verifying key as witness, and conditional verification.

Inner circuits: a multiply-add with a constant and a Poseidon hash, in a small FRI config
(2^3 rows, 2 queries, folding by 2, cap height 1). Circuits A and B differ only in the
constant, so they have the same ``CommonCircuitData`` and different keys. The outer
circuits use the test shape's config (135 wires, one FRI query: fast, not secure).
"""

import copy

import pytest
from recursion_configs import inner_circuit, small_config

from psyc.field import Ext2, P
from psyc.plonk.builder import CircuitBuilder
from psyc.plonk.diagnostics import check_constraints
from psyc.plonk.verifier import VerificationError
from psyc.plonk.witness import PartialWitness
from psyc.plonk.witness_gen import generate_witness
from psyc.recursion import (
    Whitelist,
    add_proof_targets,
    add_verifier_data_targets,
    assert_whitelisted,
    conditionally_verify_proof_circuit,
    dummy_proof,
    set_proof_targets,
    set_verifier_data_targets,
    set_whitelist_path,
    verify_proof_circuit,
)
from psyc.recursion.gadgets import assert_equal_many
from psyc.recursion.shape import test_shape
from psyc.recursion.vk import native_circuit_digest, native_fingerprint

SMALL = small_config(queries=2, pow_bits=1)
OUTER = test_shape().config


def _inner(c):
    return inner_circuit(SMALL, c)


@pytest.fixture(scope="module")
def inners():
    a, b = _inner(5), _inner(6)
    assert a[0].common.description() == b[0].common.description()  # the same shape
    assert a[0].verifier_data.fingerprint != b[0].verifier_data.fingerprint
    return a, b


@pytest.fixture(scope="module")
def vk_verifier(inners):
    """One circuit: key as witness, verification conditional on a flag; public inputs
    are the in-circuit fingerprint, then the inner public inputs."""
    common = inners[0][0].common
    b = CircuitBuilder(OUTER)
    pt = add_proof_targets(b, common)
    vkt = add_verifier_data_targets(b, common)
    cond = b.add_virtual_target()
    fp = verify_proof_circuit(b, pt, vkt, common, condition=cond)
    b.register_public_inputs([*fp, *pt.public_inputs])
    return b.build(), pt, vkt, cond


def _witness(pt, vkt, cond, proof, key, c=1):
    pw = PartialWitness()
    set_proof_targets(pw, pt, proof)
    set_verifier_data_targets(pw, vkt, key)
    if cond is not None:
        pw.set_target(cond, c)
    return pw


def _check(data, pw):
    wires, pis = generate_witness(data, pw)  # never a WitnessError: every check is a gate constraint
    return pis, check_constraints(data, wires, pis, limit=10**6)


# --- 1. the verifying key as witness ---------------------------------------------------------


def test_native_fingerprint_helpers(inners):
    for data, _ in inners:
        vo = data.verifier_only
        assert native_circuit_digest(vo.constants_sigmas_cap, data.common) == vo.circuit_digest
        assert native_fingerprint(vo.constants_sigmas_cap, data.common) == data.verifier_data.fingerprint


def test_one_verifier_accepts_proofs_of_two_circuits_of_the_same_shape(inners, vk_verifier):
    outer, pt, vkt, cond = vk_verifier
    for data, proof in inners:
        pis, failures = _check(outer, _witness(pt, vkt, cond, proof, data))
        assert failures == []
        assert pis[:4] == data.verifier_data.fingerprint  # the in-circuit fingerprint is the native one
        assert pis[4:] == proof.public_inputs


def test_proof_with_key_as_witness_proves_and_verifies(inners, vk_verifier):
    outer, pt, vkt, cond = vk_verifier
    data, proof = inners[1]
    outer_proof = outer.prove(_witness(pt, vkt, cond, proof, data))
    outer.verify(outer_proof)
    assert outer_proof.public_inputs[:4] == data.verifier_data.fingerprint


def test_proof_checked_against_another_circuits_key_fails(inners, vk_verifier):
    outer, pt, vkt, cond = vk_verifier
    (a, _), (_, proof_b) = inners
    _, failures = _check(outer, _witness(pt, vkt, cond, proof_b, a))
    scopes = {f.scope for f in failures}
    assert "recursion/quotient" in scopes  # another circuit digest: other challenges
    assert any("/merkle_oracle_0" in s for s in scopes)  # another constants cap


def test_pinned_fingerprint_rejects_the_other_circuit(inners):
    """The caller pins the returned fingerprint to circuit A's: B's proof, with B's own
    key, passes the verifier but fails the pin."""
    (a, proof_a), (b_data, proof_b) = inners
    common = a.common
    b = CircuitBuilder(OUTER)
    pt = add_proof_targets(b, common)
    vkt = add_verifier_data_targets(b, common)
    fp = verify_proof_circuit(b, pt, vkt, common)
    with b.scope("pin"):
        assert_equal_many(b, fp, [b.constant(x) for x in a.verifier_data.fingerprint])
    outer = b.build()
    assert _check(outer, _witness(pt, vkt, None, proof_a, a))[1] == []
    _, failures = _check(outer, _witness(pt, vkt, None, proof_b, b_data))
    assert {f.scope for f in failures} == {"pin"}
    with pytest.raises(Exception, match="pin"):
        outer.prove(_witness(pt, vkt, None, proof_b, b_data))


def test_whitelisted_fingerprint(inners):
    """The fingerprint shown to be a leaf of a whitelist whose root is a public input."""
    (a, proof_a), (b_data, proof_b) = inners
    common = a.common
    b = CircuitBuilder(OUTER)
    pt = add_proof_targets(b, common)
    vkt = add_verifier_data_targets(b, common)
    fp = verify_proof_circuit(b, pt, vkt, common)
    root = b.add_virtual_targets(4)
    path = assert_whitelisted(b, fp, root, 3)
    b.register_public_inputs(root)
    outer = b.build()

    def run(proof, key, whitelist, path_key=None):
        pw = _witness(pt, vkt, None, proof, key)
        pw.set_targets(root, whitelist.root)
        set_whitelist_path(
            pw, path, whitelist if path_key is None else path_key[0], path_key[1] if path_key else key
        )
        return _check(outer, pw)

    only_a = Whitelist([a], depth=3)
    both = Whitelist([b_data, a], depth=3)
    assert b_data not in only_a and a in both
    pis, failures = run(proof_a, a, only_a)
    assert failures == [] and pis == only_a.root
    assert run(proof_b, b_data, both)[1] == []
    # B against a whitelist holding only A: A's path does not lead from B's fingerprint
    _, failures = run(proof_b, b_data, only_a, path_key=(only_a, a))
    assert {f.scope for f in failures} == {"whitelist"}


# --- 2. conditional verification --------------------------------------------------------------


def _bump(e):
    return e + Ext2(1) if isinstance(e, Ext2) else (e + 1) % P


def _flip_opening(p):
    p.proof.openings.wires[3] = _bump(p.proof.openings.wires[3])


def _flip_sibling(p):
    sib = p.proof.opening_proof.query_round_proofs[1].initial_trees_proof.evals_proofs[2][1].siblings
    sib[0][0] = _bump(sib[0][0])


def _flip_final_poly(p):
    p.proof.opening_proof.final_poly[0] = _bump(p.proof.opening_proof.final_poly[0])


def _flip_public_input(p):
    p.public_inputs[0] = _bump(p.public_inputs[0])


def _flip_step_value(p):
    evals = p.proof.opening_proof.query_round_proofs[0].steps[1].evals
    evals[0] = _bump(evals[0])


TAMPERS = {
    "opening": _flip_opening,
    "merkle_sibling": _flip_sibling,
    "final_poly": _flip_final_poly,
    "public_input": _flip_public_input,
    "fri_step_value": _flip_step_value,
}


def test_dummy_proof_has_the_shape_and_is_invalid(inners):
    data, proof = inners[0]
    dummy = dummy_proof(data.common)
    assert len(dummy.proof.opening_proof.query_round_proofs) == len(
        proof.proof.opening_proof.query_round_proofs
    )
    assert dummy.to_bytes().__len__() == proof.to_bytes().__len__()
    with pytest.raises(VerificationError):
        data.verify(dummy)
    with pytest.raises(ValueError, match="public inputs"):
        dummy_proof(data.common, [1, 2, 3])


def test_condition_zero_accepts_a_dummy_proof_and_proves(inners, vk_verifier):
    outer, pt, vkt, cond = vk_verifier
    data, _ = inners[0]
    dummy = dummy_proof(data.common, [7, 8])
    pw = _witness(pt, vkt, cond, dummy, data, c=0)
    assert _check(outer, pw)[1] == []
    outer_proof = outer.prove(_witness(pt, vkt, cond, dummy, data, c=0))
    outer.verify(outer_proof)
    assert outer_proof.public_inputs == [*data.verifier_data.fingerprint, 7, 8]


def test_condition_one_rejects_the_dummy_proof(inners, vk_verifier):
    outer, pt, vkt, cond = vk_verifier
    data, _ = inners[0]
    _, failures = _check(outer, _witness(pt, vkt, cond, dummy_proof(data.common), data, c=1))
    assert failures and all(f.scope.startswith("recursion/") for f in failures)


@pytest.mark.parametrize("name", list(TAMPERS))
def test_condition_switches_the_checks(inners, vk_verifier, name):
    """A tampered proof: rejected with the flag 1 (by the stage that checks it), accepted with 0."""
    outer, pt, vkt, cond = vk_verifier
    data, proof = inners[0]
    bad = copy.deepcopy(proof)
    TAMPERS[name](bad)
    with pytest.raises(VerificationError):
        data.verify(bad)
    _, failures = _check(outer, _witness(pt, vkt, cond, bad, data, c=1))
    assert failures and all(f.scope.startswith("recursion/") for f in failures)
    assert _check(outer, _witness(pt, vkt, cond, bad, data, c=0))[1] == []


def test_bad_proof_of_work_is_caught_under_the_condition(inners, vk_verifier):
    outer, pt, vkt, cond = vk_verifier
    data, proof = inners[0]
    for nonce in range(proof.proof.opening_proof.pow_witness + 1, proof.proof.opening_proof.pow_witness + 64):
        bad = copy.deepcopy(proof)
        bad.proof.opening_proof.pow_witness = nonce
        try:
            data.verify(bad)
        except VerificationError as e:
            if "proof-of-work" in str(e):  # (other nonces pass it and fail the queries)
                break
    scopes = {f.scope for f in _check(outer, _witness(pt, vkt, cond, bad, data, c=1))[1]}
    assert "recursion/fri/proof_of_work" in scopes
    assert _check(outer, _witness(pt, vkt, cond, bad, data, c=0))[1] == []


def test_condition_must_be_boolean(inners, vk_verifier):
    outer, pt, vkt, cond = vk_verifier
    data, proof = inners[0]
    _, failures = _check(outer, _witness(pt, vkt, cond, proof, data, c=2))
    assert {f.scope for f in failures} == {"recursion/condition"}


def test_nested_conditions_multiply():
    from psyc.recursion.gadgets import assert_equal, assert_random_access, range_check, verification_condition

    b = CircuitBuilder(OUTER)
    a, c, x, y, idx = b.add_virtual_targets(5)
    items = b.add_virtual_targets(4)
    with verification_condition(b, a):
        with b.scope("outer"):
            assert_equal(b, x, y)
        with verification_condition(b, c), b.scope("inner"):
            assert_equal(b, x, y)
            assert_random_access(b, idx, items, x)
            range_check(b, x, 8)
        with verification_condition(b, None), b.scope("inherited"):
            assert_equal(b, x, y)
    data = b.build()

    def scopes(av, cv, xv, yv):
        pw = PartialWitness()
        pw.set_targets([a, c, x, y, idx], [av, cv, xv, yv, 1])
        pw.set_targets(items, [0, xv, 0, 0])
        return _check(data, pw)[1]

    assert scopes(1, 1, 5, 5) == []
    assert {f.scope for f in scopes(1, 1, 5, 6)} == {"outer", "inner", "inherited"}
    assert {f.scope for f in scopes(1, 0, 5, 6)} == {"outer", "inherited"}
    assert scopes(0, 1, 5, 6) == [] and scopes(0, 0, 5, 6) == []
    assert {f.scope for f in scopes(1, 1, 300, 300)} == {"inner"}  # x >= 2^8
    assert scopes(1, 0, 300, 300) == []


def test_multi_select_checks_each_claim_under_a_condition_or_not():
    """``assert_random_access_many``: one row for 4 lists sharing an index (two for 6 lists);
    a wrong claim in any copy fails, also through the conditional path, and only when the
    condition is 1."""
    from psyc.recursion.gadgets import assert_random_access_many, verification_condition

    b = CircuitBuilder(OUTER)
    flag, idx = b.add_virtual_targets(2)
    lists = [b.add_virtual_targets(16) for _ in range(6)]
    claims = b.add_virtual_targets(6)
    with b.scope("plain"):
        assert_random_access_many(b, idx, lists[:4], claims[:4])
    with b.scope("conditional"), verification_condition(b, flag):
        assert_random_access_many(b, idx, lists, claims)
    data = b.build()
    po = data.prover_only
    selections = [
        s for s, g in zip(po.row_scopes, po.row_gate_index.tolist(), strict=True)
        if data.common.gates[g].id == "random_access_4_4"
    ]
    assert selections == ["plain", "conditional", "conditional"]

    values = [[(31 * k + i) % 97 for i in range(16)] for k in range(6)]

    def scopes(flag_v, idx_v, bump):
        pw = PartialWitness()
        pw.set_targets([flag, idx], [flag_v, idx_v])
        for t, v in zip(lists, values, strict=True):
            pw.set_targets(t, v)
        pw.set_targets(claims, [v[idx_v] + (k == bump) for k, v in enumerate(values)])
        return {f.scope for f in _check(data, pw)[1]}

    assert scopes(1, 9, None) == set()
    assert scopes(1, 9, 2) == {"plain", "conditional"}
    assert scopes(1, 9, 5) == {"conditional"}  # the second row of the conditional selection
    assert scopes(0, 9, 5) == set() and scopes(0, 9, 2) == {"plain"}


def test_conditional_verification_with_a_fixed_key(inners):
    """``verify only if b`` for the fixed-key gadget: b = 0 accepts a dummy, b = 1 rejects
    B's valid proof (A's key is a constant), and accepts A's."""
    (a, proof_a), (_, proof_b) = inners
    b = CircuitBuilder(OUTER)
    pt = add_proof_targets(b, a.common)
    flag = b.add_virtual_target()
    fp = conditionally_verify_proof_circuit(b, flag, pt, a, a.common)
    b.register_public_inputs(fp)
    outer = b.build()

    def run(proof, c):
        pw = PartialWitness()
        set_proof_targets(pw, pt, proof)
        pw.set_target(flag, c)
        return _check(outer, pw)

    pis, failures = run(proof_a, 1)
    assert failures == [] and pis == a.verifier_data.fingerprint
    assert run(dummy_proof(a.common), 0)[1] == []
    assert run(proof_b, 0)[1] == []
    assert run(proof_b, 1)[1]
    assert run(dummy_proof(a.common), 1)[1]
