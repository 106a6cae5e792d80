"""Issue 5, part 4: cyclic recursion — a circuit that verifies a proof of itself.

A hash chain with a counter in the test shape: ``state' = Poseidon(state ‖ counter-free)``,
three steps; then the ways a chain could be forged.
"""

import copy

import pytest

from psyc.hash.poseidon import hash_no_pad
from psyc.plonk.diagnostics import UnsatisfiedConstraints, check_constraints
from psyc.plonk.verifier import VerificationError
from psyc.plonk.witness import PartialWitness
from psyc.plonk.witness_gen import generate_witness
from psyc.recursion import build_cyclic_circuit, dummy_proof
from psyc.recursion.shape import test_shape
from psyc.recursion.vk import set_verifier_data_targets
from psyc.recursion.witness import set_proof_targets

SHAPE = test_shape()
INITIAL = [1, 2, 3, 4]


def _step(b, state):
    return b.hash_no_pad(state)


@pytest.fixture(scope="module")
def chain():
    cyc = build_cyclic_circuit(4, _step, SHAPE)
    proofs = []
    prev = None
    for _ in range(3):
        prev = cyc.prove_step(prev, INITIAL)
        proofs.append(prev)
    return cyc, proofs


@pytest.fixture(scope="module")
def forger():
    """Another circuit of the same shape (13 public inputs) whose public inputs are free:
    its proofs claim any chain state."""
    b = SHAPE.builder()
    pis = b.add_virtual_targets(13)
    b.register_public_inputs(pis)
    data = b.build()

    def prove(values):
        pw = PartialWitness()
        pw.set_targets(pis, values)
        return data.prove(pw)

    return data, prove


def test_three_steps(chain):
    cyc, proofs = chain
    assert SHAPE.matches(cyc.data.common) and cyc.data.common.num_public_inputs == 13
    state = INITIAL
    for i, proof in enumerate(proofs):
        cyc.verify(proof)
        state = hash_no_pad(state)
        assert cyc.state(proof) == state
        assert cyc.counter(proof) == i + 1
        assert cyc.initial_state(proof) == INITIAL
        assert cyc.claimed_fingerprint(proof) == cyc.fingerprint


def _witness(cyc, has_inner, inner_proof, key, own_fp, initial=INITIAL):
    pw = PartialWitness()
    pw.set_target(cyc.has_inner, has_inner)
    set_proof_targets(pw, cyc.inner, inner_proof)
    set_verifier_data_targets(pw, cyc.inner_vk, key)
    pw.set_targets(cyc.initial, initial)
    pw.set_targets(cyc.own_fingerprint, own_fp)
    return pw


def _failures(cyc, pw):
    wires, pis = generate_witness(cyc.data, pw)
    return {f.scope for f in check_constraints(cyc.data, wires, pis, limit=10**6)}


def test_tampered_previous_proof_is_rejected(chain):
    cyc, proofs = chain
    bad = copy.deepcopy(proofs[1])
    bad.public_inputs[5] += 1  # another state
    scopes = _failures(cyc, _witness(cyc, 1, bad, cyc.data, cyc.fingerprint))
    assert scopes and all(s.startswith("recursion/") for s in scopes)
    with pytest.raises(UnsatisfiedConstraints):
        cyc.prove_step(bad)


def test_base_case_needs_the_flag_off(chain):
    """A dummy inner proof with the flag on is rejected; the flag off ignores the inner
    proof, so the chain restarts from the initial state with counter 1."""
    cyc, _ = chain
    dummy = dummy_proof(cyc.data.common)
    assert _failures(cyc, _witness(cyc, 1, dummy, cyc.data, cyc.fingerprint))
    assert _failures(cyc, _witness(cyc, 0, dummy, cyc.data, cyc.fingerprint)) == set()


def test_chain_cannot_change_its_initial_state(chain):
    cyc, proofs = chain
    scopes = _failures(cyc, _witness(cyc, 1, proofs[0], cyc.data, cyc.fingerprint, initial=[9, 9, 9, 9]))
    assert scopes == {"cyclic"}


def test_inner_proof_of_another_circuit_is_rejected(chain, forger):
    """A proof of another circuit of the same shape continues no chain: with the chain's
    key the verifier rejects it, with its own key the fingerprint differs from the
    own-fingerprint public input."""
    cyc, _ = chain
    fdata, fprove = forger
    fake = fprove([*INITIAL, 7, 7, 7, 7, 100, *cyc.fingerprint])
    fdata.verify(fake)
    scopes = _failures(cyc, _witness(cyc, 1, fake, cyc.data, cyc.fingerprint))
    assert "recursion/quotient" in scopes
    assert _failures(cyc, _witness(cyc, 1, fake, fdata, cyc.fingerprint)) == {"cyclic"}


def test_own_fingerprint_public_input_is_checked_by_the_verifier(chain, forger):
    """The prover may claim another "own" fingerprint — the forger's — and then continue
    the forger's fake chain: the proof is valid for the cyclic key, and only the check that
    the own-fingerprint public input is the key's own fingerprint rejects it."""
    cyc, _ = chain
    fdata, fprove = forger
    forged_fp = fdata.verifier_data.fingerprint
    fake = fprove([*INITIAL, 7, 7, 7, 7, 100, *forged_fp])
    proof = cyc.data.prove(_witness(cyc, 1, fake, fdata, forged_fp))
    cyc.data.verify(proof)  # a valid proof of the cyclic circuit ...
    assert cyc.counter(proof) == 101 and cyc.state(proof) == hash_no_pad([7, 7, 7, 7])
    with pytest.raises(VerificationError, match="own-fingerprint"):
        cyc.verify(proof)  # ... of a statement about another circuit's chain
