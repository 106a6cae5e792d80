"""Plonk prover/verifier: completeness on random circuits and soundness against tampering."""

import copy
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from psyc.field import Ext2, P
from psyc.fri import FriConfig
from psyc.hash import hash_no_pad, two_to_one
from psyc.plonk.builder import CircuitBuilder
from psyc.plonk.config import CircuitConfig
from psyc.plonk.diagnostics import UnsatisfiedConstraints
from psyc.plonk.verifier import VerificationError
from psyc.plonk.witness import PartialWitness, WitnessError

FAST = CircuitConfig(
    fri_config=FriConfig(rate_bits=3, cap_height=2, num_query_rounds=8, proof_of_work_bits=4)
)


def _square_circuit(config=FAST):
    b = CircuitBuilder(config)
    x = b.add_virtual_target()
    y = b.mul(x, x)
    z = b.add(y, b.constant(5))
    b.register_public_input(z)
    return b.build(), x


@pytest.fixture(scope="module")
def square():
    data, x = _square_circuit()
    pw = PartialWitness()
    pw.set_target(x, 3)
    proof = data.prove(pw)
    return data, proof


def test_square_plus_five(square):
    data, proof = square
    assert proof.public_inputs == [14]
    data.verify(proof)


def test_wrong_public_input_rejected(square):
    data, proof = square
    bad = copy.deepcopy(proof)
    bad.public_inputs[0] = 15
    with pytest.raises(VerificationError):
        data.verify(bad)
    bad.public_inputs = [14, 1]
    with pytest.raises(VerificationError, match="public inputs"):
        data.verify(bad)


@pytest.mark.parametrize(
    "group",
    ["constants", "plonk_sigmas", "wires", "plonk_zs", "plonk_zs_next", "partial_products", "quotient_polys"],
)
def test_every_opening_group_is_bound(square, group):
    data, proof = square
    values = getattr(proof.proof.openings, group)
    for idx in sorted({0, len(values) // 2, len(values) - 1}):
        bad = copy.deepcopy(proof)
        getattr(bad.proof.openings, group)[idx] = values[idx] + Ext2(1)
        with pytest.raises(VerificationError):
            data.verify(bad)


@pytest.mark.parametrize("cap", ["wires_cap", "plonk_zs_partial_products_cap", "quotient_polys_cap"])
def test_caps_are_bound(square, cap):
    data, proof = square
    bad = copy.deepcopy(proof)
    getattr(bad.proof, cap)[0][0] = (getattr(bad.proof, cap)[0][0] + 1) % P
    with pytest.raises(VerificationError):
        data.verify(bad)


def test_fri_data_and_pow_are_bound(square):
    data, proof = square
    bad = copy.deepcopy(proof)
    bad.proof.opening_proof.pow_witness = (bad.proof.opening_proof.pow_witness + 1) % P
    with pytest.raises(VerificationError):
        data.verify(bad)
    bad = copy.deepcopy(proof)
    bad.proof.opening_proof.final_poly[0] = bad.proof.opening_proof.final_poly[0] + Ext2(1)
    with pytest.raises(VerificationError):
        data.verify(bad)
    bad = copy.deepcopy(proof)
    leaf, mp = bad.proof.opening_proof.query_round_proofs[0].initial_trees_proof.evals_proofs[1]
    leaf[0] = (leaf[0] + 1) % P
    with pytest.raises(VerificationError):
        data.verify(bad)


def test_proof_does_not_verify_against_another_circuit(square):
    data, proof = square
    b = CircuitBuilder(FAST)
    x = b.add_virtual_target()
    b.register_public_input(b.add(b.mul(x, x), b.constant(6)))  # differs only in a constant
    other = b.build()
    assert other.verifier_only.fingerprint != data.verifier_only.fingerprint
    with pytest.raises(VerificationError):
        other.verify(proof)


def test_poseidon_chain_matches_native_hash():
    b = CircuitBuilder(FAST)
    xs = b.add_virtual_targets(10)
    h = b.hash_no_pad(xs)
    h2 = b.two_to_one(h, xs[:4])
    b.register_public_inputs(h2)
    data = b.build()
    pw = PartialWitness()
    vals = list(range(100, 110))
    pw.set_targets(xs, vals)
    proof = data.prove(pw)
    assert proof.public_inputs == two_to_one(hash_no_pad(vals), vals[:4])
    data.verify(proof)


def test_swap_permutation_in_circuit():
    from psyc.hash import permute

    b = CircuitBuilder(FAST)
    xs = b.add_virtual_targets(12)
    s = b.add_virtual_target()
    b.assert_bool(s)
    out = b.permute(xs, swap=s)
    b.register_public_inputs(out)
    data = b.build()
    vals = list(range(12))
    for swap in (0, 1):
        pw = PartialWitness()
        pw.set_targets(xs, vals)
        pw.set_target(s, swap)
        proof = data.prove(pw)
        order = vals[4:8] + vals[:4] + vals[8:] if swap else vals
        assert proof.public_inputs == permute(order)
        data.verify(proof)
    pw = PartialWitness()
    pw.set_targets(xs, vals)
    pw.set_target(s, 2)
    with pytest.raises((UnsatisfiedConstraints, WitnessError)):
        data.prove(pw)


def test_range_check_accepts_in_range_and_rejects_out_of_range():
    b = CircuitBuilder(FAST)
    x = b.add_virtual_target()
    b.range_check(x, 8)
    y = b.add_virtual_target()
    b.range_check(y, 63)
    data = b.build()
    for v in (0, 1, 255):
        pw = PartialWitness()
        pw.set_target(x, v)
        pw.set_target(y, 2**63 - 1)
        data.verify(data.prove(pw))
    pw = PartialWitness()
    pw.set_target(x, 256)
    pw.set_target(y, 0)
    with pytest.raises(WitnessError, match="copy constraint"):
        data.prove(pw)


def test_unsatisfied_witness_is_diagnosed_and_a_forced_proof_fails():
    b = CircuitBuilder(FAST)
    y = b.add_virtual_target()
    with b.scope("limits"):
        b.range_check(y, 63)
    data = b.build()
    pw = PartialWitness()
    pw.set_target(y, 2**63 + 5)  # 63 bits cannot recompose it
    with pytest.raises(UnsatisfiedConstraints) as e:
        data.prove(pw)
    failure = e.value.failures[0]
    assert failure.gate == "base_sum_63_2" and failure.scope == "limits" and failure.constraint_index == 0
    assert "limits" in str(e.value) and "w0=" in str(e.value)
    forced = data.prove(pw, check_witness=False)
    with pytest.raises(VerificationError):
        data.verify(forced)


def test_missing_witness_is_reported():
    data, x = _square_circuit()
    with pytest.raises(WitnessError, match="set them with PartialWitness"):
        data.prove(PartialWitness())
    pw = PartialWitness()
    with pytest.raises(WitnessError):
        pw.set_target(x, P)


def test_non_routed_reuse_is_rejected_at_build():
    from psyc.plonk.gates.poseidon import NUM_WIRES

    b = CircuitBuilder(FAST)
    xs = b.add_virtual_targets(12)
    out = b.permute(xs)
    row = b.rows[-1]
    internal = row.cells[NUM_WIRES - 1]
    b.connect(internal, out[0])
    with pytest.raises(ValueError, match="non-routed"):
        b.build()


@settings(max_examples=8, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("+-*c"), st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=25
    ),
    st.integers(0, 2**32),
)
def test_random_arithmetic_circuits(ops, seed):
    rng = random.Random(seed)
    b = CircuitBuilder(FAST)
    inputs = b.add_virtual_targets(3)
    in_vals = [rng.randrange(P) for _ in range(3)]
    targets, values = list(inputs), list(in_vals)
    for op, i, j in ops:
        a, av = targets[i % len(targets)], values[i % len(values)]
        c, cv = targets[j % len(targets)], values[j % len(values)]
        if op == "+":
            t, v = b.add(a, c), (av + cv) % P
        elif op == "-":
            t, v = b.sub(a, c), (av - cv) % P
        elif op == "*":
            t, v = b.mul(a, c), av * cv % P
        else:
            t, v = b.mul_add(a, c, b.constant(j)), (av * cv + j) % P
        targets.append(t)
        values.append(v)
    b.register_public_input(targets[-1])
    data = b.build()
    pw = PartialWitness()
    pw.set_targets(inputs, in_vals)
    proof = data.prove(pw)
    assert proof.public_inputs == [values[-1]]
    data.verify(proof)


def test_serialization_round_trips_and_rejects_truncation(square):
    from psyc.plonk.keys import VerifyingKey
    from psyc.plonk.proof import ProofWithPublicInputs
    from psyc.util.serialization import FormatError

    data, proof = square
    raw = proof.to_bytes()
    assert raw[:8] == b"PSYCPRF\x00"
    back = ProofWithPublicInputs.from_bytes(raw, data.common)
    assert back.to_bytes() == raw
    data.verify(back)
    vk_raw = data.verifier_data.to_bytes()
    vk = VerifyingKey.from_bytes(vk_raw)
    assert vk.fingerprint == data.verifier_data.fingerprint
    assert vk.to_bytes() == vk_raw
    vk.verify(ProofWithPublicInputs.from_bytes(raw, vk.common))
    step = max(1, len(raw) // 400)
    for cut in list(range(0, len(raw), step)) + [len(raw) - 1]:
        with pytest.raises(FormatError):
            ProofWithPublicInputs.from_bytes(raw[:cut], data.common)
    for cut in range(len(vk_raw)):
        with pytest.raises(FormatError):
            VerifyingKey.from_bytes(vk_raw[:cut])
    with pytest.raises(FormatError):
        ProofWithPublicInputs.from_bytes(raw + b"\x00", data.common)
    with pytest.raises(FormatError, match="not a psyc proof"):
        ProofWithPublicInputs.from_bytes(b"X" + raw[1:], data.common)
    corrupted = bytearray(vk_raw)
    corrupted[-40] ^= 1  # inside the cap: the stored digest no longer matches
    with pytest.raises(FormatError):
        VerifyingKey.from_bytes(bytes(corrupted))


def test_zero_knowledge_mode_blinds_and_still_verifies():
    from dataclasses import replace

    cfg = replace(FAST, zero_knowledge=True)
    data, x = _square_circuit(cfg)
    assert data.stats["scopes"]["zk_blinding"] == cfg.blinding_rows == 2 * cfg.fri_config.num_query_rounds + 3
    proofs = []
    for _ in range(2):
        pw = PartialWitness()
        pw.set_target(x, 3)
        proof = data.prove(pw)
        data.verify(proof)
        proofs.append(proof)
    a, b = (p.proof for p in proofs)
    # same statement, fresh randomness: commitments and wire openings differ
    assert a.wires_cap != b.wires_cap and a.quotient_polys_cap != b.quotient_polys_cap
    assert a.openings.wires != b.openings.wires and a.openings.plonk_zs != b.openings.plonk_zs
    leaf = a.opening_proof.query_round_proofs[0].initial_trees_proof.evals_proofs[1][0]
    assert len(leaf) == cfg.num_wires + 4  # salted leaves
    bad = copy.deepcopy(proofs[0])
    bad.public_inputs[0] = 15
    with pytest.raises(VerificationError):
        data.verify(bad)


def _lookup_circuit(bits_list):
    b = CircuitBuilder(FAST)
    xs = b.add_virtual_targets(len(bits_list))
    with b.scope("ranges"):
        for x, bits in zip(xs, bits_list, strict=True):
            b.range_check_lookup(x, bits)
    b.register_public_input(b.add(xs[0], xs[-1]))
    return b.build(), xs


@pytest.fixture(scope="module")
def lookups():
    bits = [3, 8, 13, 32, 63, 8, 8, 8, 1]
    data, xs = _lookup_circuit(bits)
    return data, xs, bits


def test_lookup_range_checks_accept_in_range(lookups):
    data, xs, bits = lookups
    assert data.common.has_lookups and data.common.degree_bits >= data.common.config.range_table_bits
    rng = random.Random(3)
    for vals in ([0] * len(bits), [(1 << k) - 1 for k in bits], [rng.randrange(1 << k) for k in bits]):
        pw = PartialWitness()
        pw.set_targets(xs, vals)
        proof = data.prove(pw)
        data.verify(proof)
        assert proof.public_inputs == [(vals[0] + vals[-1]) % P]


@pytest.mark.parametrize("slot", range(9))
def test_lookup_range_checks_reject_out_of_range(lookups, slot):
    data, xs, bits = lookups
    vals = [0] * len(bits)
    vals[slot] = 1 << bits[slot]
    pw = PartialWitness()
    pw.set_targets(xs, vals)
    with pytest.raises(WitnessError):
        data.prove(pw)


def test_lying_about_multiplicities_gives_an_invalid_proof(lookups, monkeypatch):
    import numpy as np

    import psyc.plonk.prover as prover

    data, xs, bits = lookups
    pw = PartialWitness()
    vals = [0] * len(bits)
    vals[1] = 300  # 8-bit check: 300 is not in [0, 256)
    pw.set_targets(xs, vals)

    def forged(data_, wires):  # claim the out-of-table value as if it were 44
        w = wires.copy()
        w[w >= 256] = 44
        return np.bincount(
            w[
                : data_.common.config.lookups_per_row,
                np.nonzero(data_.prover_only.row_gate_index == data_.common.lookup_selector)[0],
            ]
            .ravel()
            .astype(np.int64),
            minlength=data_.common.degree,
        ).astype(np.uint64)

    monkeypatch.setattr(prover, "lookup_multiplicities", forged)
    proof = data.prove(pw, check_witness=False)
    with pytest.raises(VerificationError):
        data.verify(proof)


def test_lookup_openings_and_files(lookups):
    from psyc.plonk.keys import VerifyingKey
    from psyc.plonk.proof import ProofWithPublicInputs

    data, xs, bits = lookups
    pw = PartialWitness()
    pw.set_targets(xs, [1] * len(bits))
    proof = data.prove(pw)
    for group in ("lookup_table", "lookup_multiplicities", "lookup_helpers", "lookup_phi_next"):
        bad = copy.deepcopy(proof)
        getattr(bad.proof.openings, group)[0] += Ext2(1)
        with pytest.raises(VerificationError):
            data.verify(bad)
    vk = VerifyingKey.from_bytes(data.verifier_data.to_bytes())
    vk.verify(ProofWithPublicInputs.from_bytes(proof.to_bytes(), vk.common))


def test_random_access_exp_and_extension_arithmetic():
    b = CircuitBuilder(FAST)
    items = b.add_virtual_targets(5)
    idx = b.add_virtual_target()
    chosen = b.random_access(idx, items)
    base, e = b.add_virtual_target(), b.add_virtual_target()
    power = b.exp(base, e, 10)
    xa, xb = tuple(b.add_virtual_targets(2)), tuple(b.add_virtual_targets(2))
    prod = b.mul_extension(xa, xb)
    fused = b.mul_add_extension(xa, xb, b.sub_extension(prod, xa))
    b.register_public_inputs([chosen, power, *prod, *fused])
    data = b.build()
    item_vals = [11, 22, 33, 44, 55]
    a, c = Ext2(3, 4), Ext2(5, 6)
    for i, (bv, ev) in ((0, (2, 10)), (3, (7, 1023)), (4, (P - 1, 5))):
        pw = PartialWitness()
        pw.set_targets(items, item_vals)
        pw.set_target(idx, i)
        pw.set_target(base, bv)
        pw.set_target(e, ev)
        pw.set_targets([*xa, *xb], [*a.to_list(), *c.to_list()])
        proof = data.prove(pw)
        data.verify(proof)
        p = a * c
        f = a * c + (p - a)
        assert proof.public_inputs == [item_vals[i], pow(bv, ev, P), *p.to_list(), *f.to_list()]
    for bad_idx, bad_e in ((5, 3), (7, 3), (8, 3), (0, 1024)):  # padded slots, past 2^bits, wide exponent
        pw = PartialWitness()
        pw.set_targets(items, item_vals)
        pw.set_target(idx, bad_idx)
        pw.set_target(base, 2)
        pw.set_target(e, bad_e)
        pw.set_targets([*xa, *xb], [*a.to_list(), *c.to_list()])
        with pytest.raises((UnsatisfiedConstraints, WitnessError)):
            data.prove(pw)


@pytest.mark.parametrize(("rate_bits", "zk"), [(4, False), (4, True), (5, False)])
def test_quotient_on_a_prefix_of_a_larger_blowup(rate_bits, zk):
    """With a blowup above the quotient degree factor (the standard shape's 16 against 8) the
    prover evaluates the quotient on the first 8n values of the bit-reversed LDEs only (the
    coset of the 8n-point subgroup): the proofs verify, and a wrong statement does not."""
    from dataclasses import replace

    cfg = replace(FAST, zero_knowledge=zk, fri_config=replace(FAST.fri_config, rate_bits=rate_bits))
    assert 1 << rate_bits > cfg.max_quotient_degree_factor
    data, x = _square_circuit(cfg)
    pw = PartialWitness()
    pw.set_target(x, 3)
    proof = data.prove(pw)
    data.verify(proof)
    bad = copy.deepcopy(proof)
    bad.public_inputs[0] = 15
    with pytest.raises(VerificationError):
        data.verify(bad)


def test_every_truncation_of_a_proof_file_is_rejected():
    from dataclasses import replace

    from psyc.plonk.proof import ProofWithPublicInputs
    from psyc.util.serialization import FormatError

    tiny = replace(
        FAST, fri_config=FriConfig(rate_bits=3, cap_height=0, num_query_rounds=1, proof_of_work_bits=0)
    )
    data, x = _square_circuit(tiny)
    pw = PartialWitness()
    pw.set_target(x, 3)
    raw = data.prove(pw).to_bytes()
    data.verify(ProofWithPublicInputs.from_bytes(raw, data.common))
    for cut in range(len(raw)):
        with pytest.raises(FormatError):
            ProofWithPublicInputs.from_bytes(raw[:cut], data.common)


@pytest.mark.parametrize("log_n", [1, 2, 4])
def test_interpolate_coset_matches_barycentric(log_n):
    from psyc.poly import barycentric_eval_on_coset

    n = 1 << log_n
    b = CircuitBuilder(FAST)
    shift = b.add_virtual_target()
    xs = tuple(b.add_virtual_targets(2))
    vals = [tuple(b.add_virtual_targets(2)) for _ in range(n)]
    out = b.interpolate_coset(shift, vals, xs)
    b.register_public_inputs(list(out))
    data = b.build()
    rng = random.Random(log_n)
    s, x = rng.randrange(1, P), Ext2(rng.randrange(P), rng.randrange(P))
    v = [Ext2(rng.randrange(P), rng.randrange(P)) for _ in range(n)]
    pw = PartialWitness()
    pw.set_target(shift, s)
    pw.set_targets(list(xs), x.to_list())
    for t, e in zip(vals, v, strict=True):
        pw.set_targets(list(t), e.to_list())
    proof = data.prove(pw)
    data.verify(proof)
    assert proof.public_inputs == barycentric_eval_on_coset(v, s, x).to_list()


def test_table_without_unused_cells_proves():
    """Regression: the class of unused cells used to be guessed as the largest class id."""
    cfg = CircuitConfig(num_wires=4, num_routed_wires=4, num_constants=4, fri_config=FAST.fri_config)
    b = CircuitBuilder(cfg)
    for v in range(4):
        b.constant(v)
    x, y = b.add_virtual_targets(2)
    b.add(b.mul(x, y), x)
    data = b.build()
    pw = PartialWitness()
    pw.set_targets([x, y], [3, 4])
    data.verify(data.prove(pw))


def test_crafted_verifying_keys_are_format_errors(square):
    """Keys whose digest is valid (anyone can recompute it) but whose contents are unusable."""
    from psyc.field.serialization import ByteWriter, FormatError
    from psyc.hash import hash_no_pad
    from psyc.plonk.circuit_data import _digest_of_bytes
    from psyc.plonk.keys import VerifyingKey

    data, _ = square
    cap = data.verifier_only.constants_sigmas_cap

    def key(config_list, degree_bits, gates):
        w = ByteWriter()
        w.raw(b"PSYCVK\x00\x00")
        w.u32(1)
        w.felts(config_list)
        w.u32(degree_bits)
        w.u32(1)
        w.u32(len(gates))
        for name, params in gates:
            w.u32(len(name))
            w.raw(name.encode())
            w.felts(params)
        w.felts([x for d in cap for x in d])
        w.felts(hash_no_pad([x for d in cap for x in d] + _digest_of_bytes(b"whatever")))
        return w.getvalue()

    good = data.common.config.to_list()
    bad_factor = list(good)
    bad_factor[4] = 1
    cases = [
        key(good, 3, [("arithmetic", [1 << 40])]),  # would build 2^40 constraints
        key(good, 3, [("base_sum", [10, 1 << 20])]),
        key(good, 3, [("mystery", [])]),
        key(bad_factor, 3, [("noop", [])]),
        key(good, 30, [("noop", [])]),  # 2^30 rows with blowup 8 exceeds the 2-adicity
        key(good, 3, [("noop", [])]),  # well-formed, but the stored digest is wrong
    ]
    for raw in cases:
        with pytest.raises(FormatError):
            VerifyingKey.from_bytes(raw)


def test_malformed_in_memory_proofs_are_verification_errors(square):
    data, proof = square
    mutations = [
        lambda p: setattr(p.proof.opening_proof, "pow_witness", None),
        lambda p: p.proof.opening_proof.final_poly.__setitem__(0, 5),
        lambda p: setattr(p, "public_inputs", None),
        lambda p: setattr(p.proof.openings, "wires", None),
        lambda p: p.proof.opening_proof.query_round_proofs.pop(),
        lambda p: setattr(p.proof, "wires_cap", [[None] * 4] * 4),
    ]
    for mutate in mutations:
        bad = copy.deepcopy(proof)
        mutate(bad)
        with pytest.raises(VerificationError):
            data.verify(bad)
