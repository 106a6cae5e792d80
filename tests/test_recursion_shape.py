"""Issue 5, part 3: the standard shape (fixed config, degree and gate list) and ``wrap``.

Uses the test shape (the standard table, one FRI query, 2^11 rows) so that every circuit
builds and proves in a second or two; the standard shape's own size is checked by a
slow test.
"""

from dataclasses import replace

import pytest
from recursion_configs import ZK_LOOKUP

from psyc.fri import FriConfig
from psyc.plonk.builder import CircuitBuilder
from psyc.plonk.config import CircuitConfig
from psyc.plonk.keys import VerifyingKey, proof_from_bytes
from psyc.plonk.witness import PartialWitness
from psyc.recursion import ShapeError, StandardShape, standard_shape, wrap
from psyc.recursion.shape import test_shape

SHAPE = test_shape()


def _circuit_a(shape):
    """Arithmetic only."""
    b = shape.builder()
    x, y = b.add_virtual_targets(2)
    b.register_public_inputs([x, b.mul_add(x, y, b.constant(5))])
    return b, [x, y]


def _circuit_b(shape):
    """Poseidon and range checks first (another first-use order of the gates)."""
    b = shape.builder()
    x, y = b.add_virtual_targets(2)
    h = b.hash_no_pad([x, y])
    b.range_check(x, 10)
    b.register_public_inputs([h[0], b.add(x, y)])
    return b, [x, y]


def test_every_circuit_of_the_shape_has_the_same_common_data():
    datas = []
    for make in (_circuit_a, _circuit_b):
        b, (x, y) = make(SHAPE)
        data = b.build()
        assert SHAPE.matches(data.common)
        assert [g.id for g in data.common.gates] == SHAPE.gate_ids
        assert data.common.degree_bits == SHAPE.degree_bits
        assert data.common.description() == SHAPE.common(2).description()
        datas.append(data)
        pw = PartialWitness()
        pw.set_targets([x, y], [3, 4])
        data.verify(data.prove(pw))  # the prelude rows are satisfied
    assert datas[0].verifier_data.fingerprint != datas[1].verifier_data.fingerprint
    # and it survives serialization: a key read back has the same shape
    vk = VerifyingKey.from_bytes(datas[0].verifier_data.to_bytes())
    assert SHAPE.matches(vk.common)


def test_shape_gate_sets():
    assert SHAPE.gate_ids == [
        "constant_6",
        "arithmetic_20",
        "base_sum_63_2",
        "poseidon",
        "extension_arithmetic_10",
        "random_access_4_4",
        "coset_interpolation_4",
        "reducing_43",
        "noop",
        "public_input",
    ]
    # the standard shape's multi-select random_access (4 selections sharing an index) serves
    # its cap of 16 digests and the folded cosets (height 4 = the arity bits)
    std = standard_shape()
    # CircuitConfig.standard()'s table, 6 constant columns (the verifier's gate evaluation at
    # ζ packs its constants 6 to a row; the constants leaf stays 96 wide), blowup 16 and 21
    # queries (fewer query rows, so that a fold of two fits 2^13 rows) at the standard
    # config's 100 bits of conjectured security
    fri = FriConfig(rate_bits=4, num_query_rounds=21)
    assert std.config == replace(CircuitConfig.standard(), num_constants=6, fri_config=fri)
    assert std.degree_bits == 13
    assert fri.conjectured_security_bits() == FriConfig.standard().conjectured_security_bits() == 100
    assert std.common(4).num_preprocessed == 96  # one Poseidon sponge: 12 permutations per leaf
    assert std.gate_ids == SHAPE.gate_ids
    other = StandardShape(
        CircuitConfig(fri_config=FriConfig(cap_height=2, reduction_arity_bits=3, num_query_rounds=2)), 12
    )
    assert "random_access_2_4" in other.gate_ids and "random_access_3_4" in other.gate_ids
    assert "coset_interpolation_3" in other.gate_ids


def test_gate_outside_the_shape_is_rejected():
    b = SHAPE.builder()
    x = b.add_virtual_target()
    b.register_public_input(b.exp(x, x, 8))  # the exponentiation gate is not in the set
    with pytest.raises(ShapeError, match="exponentiation"):
        b.build()


def test_too_many_rows_are_rejected():
    b = SHAPE.builder()
    zero = b.zero()
    for _ in range(SHAPE.max_rows):
        b.split_le(zero, 1)
    with pytest.raises(ShapeError, match="rows"):
        b.build()


def test_shape_rejects_zero_knowledge_config():
    with pytest.raises(ValueError, match="zero knowledge"):
        StandardShape(CircuitConfig(zero_knowledge=True), 12)


# --- wrap ---------------------------------------------------------------------------------------


def _lookup_circuit():
    """Zero knowledge, lookups, another FRI config (cap height 0, folding by 4), 5 public inputs."""
    cfg = ZK_LOOKUP
    b = CircuitBuilder(cfg)
    x, y = b.add_virtual_targets(2)
    b.range_check_lookup(x, 7)
    s = b.add(b.mul(x, y), b.constant(9))
    b.register_public_inputs([s, x, y, b.hash_no_pad([x, y, s])[1], b.one()])
    data = b.build()
    pw = PartialWitness()
    pw.set_targets([x, y], [100, 13])
    return data, data.prove(pw)


def _small_native_circuit():
    """The shape's config, a small degree and a gate outside the shape (exponentiation)."""
    b = CircuitBuilder(SHAPE.config)
    x, y = b.add_virtual_targets(2)
    b.register_public_inputs([b.exp(x, y, 5), x, y, b.add(x, y), b.mul(x, y)])
    data = b.build()
    pw = PartialWitness()
    pw.set_targets([x, y], [3, 7])
    return data, data.prove(pw)


@pytest.fixture(scope="module")
def wrapped():
    out = []
    for make in (_lookup_circuit, _small_native_circuit):
        data, proof = make()
        out.append((data, proof, *wrap(data, proof, SHAPE)))
    return out


def test_wrap_proves_any_circuit_in_the_shape(wrapped):
    commons = []
    for data, proof, wdata, wproof in wrapped:
        assert not SHAPE.matches(data.common)
        assert SHAPE.matches(wdata.common)
        wdata.verify(wproof)
        assert wproof.public_inputs == proof.public_inputs
        # a normal proof and key: round trip through bytes
        vk = VerifyingKey.from_bytes(wdata.verifier_data.to_bytes())
        vk.verify(proof_from_bytes(wproof.to_bytes(), vk.common))
        commons.append(wdata.common.description())
    # two unrelated circuits with 5 public inputs each: wrapped, the same CommonCircuitData
    assert commons[0] == commons[1] == SHAPE.common(5).description()


def test_wrap_of_a_shape_proof_is_itself(wrapped):
    _, _, wdata, wproof = wrapped[1]
    assert wrap(wdata, wproof, SHAPE) == (wdata, wproof)


def test_wrap_rejects_an_invalid_proof(wrapped):
    from psyc.plonk.verifier import VerificationError

    data, proof, _, _ = wrapped[0]
    bad = proof_from_bytes(proof.to_bytes(), data.common)
    bad.public_inputs[0] += 1
    with pytest.raises(VerificationError):
        wrap(data, bad, SHAPE)


@pytest.mark.slow
def test_standard_shape_fold_fits():
    """The standard shape (shape_config(), 2^13 rows) closes: a leaf fold (two
    standard proofs, keys as witness, whitelist paths) and a node fold fit in 2^13 rows."""
    from psyc.recursion.aggregate import fold_circuit

    shape = standard_shape()
    for level in (1, 2):
        fc = fold_circuit(shape, level, 4)
        assert shape.matches(fc.data.common)
        assert fc.data.stats["rows"] < 1 << 13
