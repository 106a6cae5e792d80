"""Soundness hardening of the proving system (issue 12, items 3, 4 and 6): each test
performs the attack the audit found and checks that it now fails."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from psyc.field import Ext2, P
from psyc.fri import FriConfig
from psyc.plonk.builder import CircuitBuilder
from psyc.plonk.circuit_data import VerifierOnlyCircuitData
from psyc.plonk.config import CircuitConfig
from psyc.plonk.diagnostics import UnsatisfiedConstraints
from psyc.plonk.gates import lookup_gate
from psyc.plonk.gates.coset_interpolation import CosetInterpolationLayout, coset_interpolation_gate
from psyc.plonk.keys import VerifyingKey
from psyc.plonk.verifier import VerificationError
from psyc.plonk.witness import PartialWitness
from psyc.util.serialization import FormatError

FAST = CircuitConfig(fri_config=FriConfig(num_query_rounds=4, proof_of_work_bits=1, cap_height=1))


# --- item 3: interpolate_coset with shift 0 ----------------------------------------------
def _zero_shift_row(claimed_out: Ext2):
    """A coset-interpolation row with shift 0 and every cell chosen by the prover: with
    s = 0 the barycentric identity reads 0 = 0, so before the fix any ``out`` passed."""
    lay = CosetInterpolationLayout(1)
    b = CircuitBuilder(FAST)
    cells = b.add_virtual_targets(lay.num_wires)
    b.add_gate_row(coset_interpolation_gate(1), cells)
    b.register_public_inputs(cells[lay.out : lay.out + 2])
    data = b.build()
    x = Ext2(5, 3)
    vals = {lay.shift: 0, lay.shift_inv: 0}
    vals.update(zip((lay.x, lay.x + 1), x.to_list(), strict=True))
    for i in range(2):
        vals.update({lay.values[i]: 10 + i, lay.values[i] + 1: 0})
        vals.update(zip((lay.inv[i], lay.inv[i] + 1), x.inverse().to_list(), strict=True))  # 1/(x - 0)
    vals.update(zip((lay.out, lay.out + 1), claimed_out.to_list(), strict=True))
    vals.update(zip((lay.x_pows[0], lay.x_pows[0] + 1), (x * x).to_list(), strict=True))
    vals[lay.s_pows[0]] = 0
    pw = PartialWitness()
    for k, v in vals.items():
        pw.set_target(cells[k], v)
    return data, pw


def test_coset_interpolation_with_zero_shift_is_unsatisfiable():
    data, pw = _zero_shift_row(Ext2(123456, 7))  # an arbitrary "interpolated" value
    with pytest.raises(UnsatisfiedConstraints, match="coset_interpolation"):
        data.prove(pw)
    forged = data.prove(pw, check_witness=False)
    with pytest.raises(VerificationError):
        data.verify(forged)


def test_constant_zero_shift_is_rejected_at_build_time():
    b = CircuitBuilder(FAST)
    vals = [tuple(b.add_virtual_targets(2)) for _ in range(2)]
    with pytest.raises(ValueError, match="shift is the constant 0"):
        b.interpolate_coset(b.zero(), vals, tuple(b.add_virtual_targets(2)))


def test_coset_interpolation_still_interpolates():
    from psyc.poly.evaluation import barycentric_eval_on_coset

    b = CircuitBuilder(FAST)
    shift = b.add_virtual_target()
    vals = [tuple(b.add_virtual_targets(2)) for _ in range(4)]
    x = tuple(b.add_virtual_targets(2))
    out = b.interpolate_coset(shift, vals, x)
    b.register_public_inputs(list(out))
    data = b.build()
    pw = PartialWitness()
    pw.set_target(shift, 7)
    ev = [Ext2(3 * i + 1, i) for i in range(4)]
    for t, v in zip(vals, ev, strict=True):
        pw.set_targets(list(t), v.to_list())
    pw.set_targets(list(x), [11, 2])
    proof = data.prove(pw)
    data.verify(proof)
    assert proof.public_inputs == barycentric_eval_on_coset(ev, 7, Ext2(11, 2)).to_list()


# --- item 4: a second lookup gate ------------------------------------------------------------
def _two_lookup_gates():
    b = CircuitBuilder(FAST)
    t = b.add_virtual_target()
    b.lookup(t)  # the builder's lookup gate (7 slots)
    u = b.add_virtual_target()
    b.add_gate_row(lookup_gate(3), [u, b.zero(), b.zero()])  # another variant: never in the argument
    return b, t, u


def test_second_lookup_gate_rejected_at_build_time():
    b, _, _ = _two_lookup_gates()
    with pytest.raises(ValueError, match="2 lookup gates"):
        b.build()


def test_second_lookup_gate_rejected_in_keys_and_by_the_verifier():
    b = CircuitBuilder(FAST)
    t = b.add_virtual_target()
    b.lookup(t)
    b.register_public_input(t)
    data = b.build()
    pw = PartialWitness()
    pw.set_target(t, 9)
    proof = data.prove(pw)
    data.verify(proof)
    # a crafted key whose gate list holds a second lookup variant (digest recomputed, so
    # only the structural rule can stop it)
    common = copy.copy(data.common)
    common.gates = [*data.common.gates, lookup_gate(3)]
    from psyc.plonk.circuit_data import circuit_digest

    cap = data.verifier_only.constants_sigmas_cap
    vk = VerifyingKey(VerifierOnlyCircuitData(cap, circuit_digest(common, cap)), common)
    with pytest.raises(FormatError, match="2 lookup gates"):
        VerifyingKey.from_bytes(vk.to_bytes())
    with pytest.raises(VerificationError, match="2 lookup gates"):
        vk.verify(proof)


# --- item 6: in-memory keys trust circuit_digest -------------------------------------------------
def _proved(config=FAST, c: int = 5):
    b = CircuitBuilder(config)
    x = b.add_virtual_target()
    b.register_public_input(b.add(b.mul(x, x), b.constant(c)))
    data = b.build()
    pw = PartialWitness()
    pw.set_target(x, 3)
    return data, data.prove(pw)


def test_in_memory_key_with_a_forged_digest_is_rejected():
    data, proof = _proved()
    data.verify(proof)
    forged = [(v + 1) % P for v in data.verifier_only.circuit_digest]
    bad = copy.copy(data)
    bad.verifier_only = VerifierOnlyCircuitData(data.verifier_only.constants_sigmas_cap, forged)
    with pytest.raises(VerificationError, match="circuit digest"):
        bad.verify(proof)
    with pytest.raises(VerificationError, match="circuit digest"):
        VerifyingKey(bad.verifier_only, data.common).verify(proof)


def test_in_memory_key_mixing_two_circuits_is_rejected():
    """The digest of circuit A with the common data of circuit B (same shape, another
    config): the recomputed digest no longer matches."""
    data, proof = _proved()
    other = replace(FAST, num_challenges=1)
    data2, _ = _proved(other)
    mixed = VerifyingKey(data.verifier_only, data2.common)
    with pytest.raises(VerificationError):
        mixed.verify(proof)


def test_recursive_verifier_rejects_a_fixed_key_with_a_forged_digest():
    from psyc.recursion.targets import add_proof_targets
    from psyc.recursion.verifier import verify_proof_circuit

    data, _ = _proved()
    forged = VerifierOnlyCircuitData(
        data.verifier_only.constants_sigmas_cap, [(v + 1) % P for v in data.verifier_only.circuit_digest]
    )
    outer = CircuitBuilder(CircuitConfig.standard())
    pt = add_proof_targets(outer, data.common)
    with pytest.raises(VerificationError, match="circuit digest"):
        verify_proof_circuit(outer, pt, forged, data.common)
