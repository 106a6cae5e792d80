"""Zero knowledge: attacks on the witness through a proof's openings (issue 12, item 1).

The program keeps a secret u32 behind a salted Poseidon commitment; the compiler
range-checks the u32 with lookups, so the lookup multiplicity column counts the secret's
four bytes. Without zero knowledge, m(ζ) = Σ_i m_i L_i(ζ) narrows the secret to the 24
orderings of its bytes (a meet-in-the-middle search over byte pairs); with it, the
blinding rows (docs/security.md) make every opened value uniform and the same search
finds nothing. The other tests check what the argument promises: no opened value or
Merkle leaf equals a private witness value, and two proofs of one statement share no
witness-dependent value.
"""

from __future__ import annotations

import copy
import itertools
import secrets

import pytest

from psyc.field.extension import Ext2
from psyc.field.goldilocks import P, primitive_root_of_unity
from psyc.fri.config import FriConfig
from psyc.hash.poseidon import hash_no_pad, hash_or_noop
from psyc.plonk.config import CircuitConfig
from psyc.plonk.prover import lookup_multiplicities
from psyc.plonk.transcript import draw_alphas, draw_betas_gammas_deltas, draw_zeta, start_transcript
from psyc.plonk.verifier import VerificationError
from psyc.plonk.witness_gen import generate_witness
from tests.lang_util import compile_src

SRC = """use std::hash::poseidon;
fn main(pub commitment: Hash, secret: u32, salt: Felt) {
    assert_eq(poseidon([secret as Felt, salt]), commitment, "commitment");
}
"""
SECRET = 0xDEADBEEF


def _config(zk: bool) -> CircuitConfig:
    return CircuitConfig(
        fri_config=FriConfig(num_query_rounds=8, proof_of_work_bits=1, cap_height=1), zero_knowledge=zk
    )


_PROGRAMS: dict[bool, object] = {}


def _program(zk: bool):
    if zk not in _PROGRAMS:
        _PROGRAMS[zk] = compile_src(SRC, config=_config(zk), zero_knowledge=zk)
    return _PROGRAMS[zk]


def _prove(zk: bool, secret: int = SECRET, salt: int | None = None):
    prog = _program(zk)
    salt = secrets.randbelow(P) if salt is None else salt
    run = prog.execute([hash_no_pad([secret, salt]), [secret], [salt]])
    proof = prog.prove(run)
    prog.circuit().verify(proof)
    return prog, proof, salt


def _zeta(data, proof) -> Ext2:
    """ζ as anyone can recompute it from the proof (the verifier's transcript)."""
    c = data.common
    ch = start_transcript(data.verifier_only.circuit_digest, hash_or_noop(proof.public_inputs))
    draw_betas_gammas_deltas(ch, proof.proof.wires_cap, c.config.num_challenges, c.has_lookups)
    draw_alphas(ch, proof.proof.plonk_zs_partial_products_cap, c.config.num_challenges)
    return draw_zeta(ch, proof.proof.quotient_polys_cap)


def multiplicity_attack(prog, proof) -> set[int]:
    """Every u32 whose bytes explain the proof's m(ζ), given the public circuit.

    m is the reference multiplicity vector (secret 0, any salt: the salt is never looked
    up) with the four lookups of byte 0 moved to the secret's bytes, so
    m(ζ) − m_ref(ζ) + 4·L_0(ζ) = Σ_k L_{byte_k}(ζ): a meet in the middle over byte pairs.
    """
    data = prog.circuit()
    n = data.common.degree
    zeta = _zeta(data, proof)
    w = primitive_root_of_unity(data.common.degree_bits)
    zh = zeta**n - 1
    lag = [zh * pow(w, i, P) / ((zeta - pow(w, i, P)) * n) for i in range(256)]
    run = prog.execute([hash_no_pad([0, 5]), [0], [5]])
    wires, _ = generate_witness(data, prog.lowered().partial_witness(run))
    m_ref = lookup_multiplicities(data, wires)
    known = Ext2.zero()
    for i in range(256):
        if m_ref[i]:
            known = known + lag[i] * int(m_ref[i])
    target = proof.proof.openings.lookup_multiplicities[0] - known + lag[0] * 4
    pairs: dict[Ext2, tuple[int, int]] = {}
    for a in range(256):
        for b in range(a, 256):
            pairs.setdefault(lag[a] + lag[b], (a, b))
    found = set()
    for c in range(256):
        for d in range(c, 256):
            hit = pairs.get(target - lag[c] - lag[d])
            if hit:
                for perm in set(itertools.permutations(hit + (c, d))):
                    found.add(sum(v << (8 * k) for k, v in enumerate(perm)))
    return found


def test_multiplicity_attack_narrows_the_secret_without_zk():
    """The attack is real: without zero knowledge it finds the secret among 24 candidates."""
    prog, proof, _ = _prove(False)
    assert prog.circuit().common.has_lookups
    found = multiplicity_attack(prog, proof)
    assert SECRET in found and len(found) <= 24


def test_multiplicity_attack_finds_nothing_with_zk():
    """With zero knowledge the same search, on several proofs, finds no candidate at all
    (a random m(ζ) matches one of the ~2^32 byte sums with probability ~2^-32)."""
    prog = _program(True)
    data = prog.circuit()
    assert data.common.has_lookups and data.common.config.zero_knowledge
    for _ in range(3):
        _, proof, _ = _prove(True)
        assert multiplicity_attack(prog, proof) == set()


def _opened_values(proof) -> list[int]:
    """Every field element a verifier sees apart from the public inputs and caps:
    openings at ζ and gζ, query leaves (with salts), FRI layer values, final polynomial."""
    out = []
    for _, group in proof.proof.openings.groups():
        out += [c for v in group for c in v.to_list()]
    fri = proof.proof.opening_proof
    for q in fri.query_round_proofs:
        for leaf, _ in q.initial_trees_proof.evals_proofs:
            out += leaf
        for step in q.steps:
            out += [c for v in step.evals for c in v.to_list()]
    out += [c for v in fri.final_poly for c in v.to_list()]
    return out


def test_no_opening_or_leaf_equals_a_private_witness_value():
    prog = _program(True)
    data = prog.circuit()
    u = data.common.first_blinding_row
    for _ in range(3):
        _, proof, salt = _prove(True)
        run = prog.execute([hash_no_pad([SECRET, salt]), [SECRET], [salt]])
        wires, _ = generate_witness(data, prog.lowered().partial_witness(run))
        # private values: every table cell of the witness rows but small ones (< 2^16 could
        # match by chance in a 2^64 field only with negligible probability, but 0/1 are everywhere)
        private = {int(v) for v in wires[:, :u].ravel() if int(v) >= 1 << 16} - set(proof.public_inputs)
        assert SECRET in private and salt in private
        seen = set(_opened_values(proof))
        assert not private & seen
        raw = proof.to_bytes()
        for v in (SECRET, salt):
            assert v.to_bytes(8, "little") not in raw


def test_two_proofs_of_one_statement_share_no_witness_value():
    salt = secrets.randbelow(P)
    a = _prove(True, salt=salt)[1].proof
    b = _prove(True, salt=salt)[1].proof
    assert a.wires_cap != b.wires_cap
    assert a.plonk_zs_partial_products_cap != b.plonk_zs_partial_products_cap
    assert a.quotient_polys_cap != b.quotient_polys_cap
    for name in ("wires", "lookup_multiplicities", "plonk_zs", "plonk_zs_next", "partial_products",
                 "lookup_helpers", "lookup_phi_next", "quotient_polys"):
        va, vb = getattr(a.openings, name), getattr(b.openings, name)
        assert va and not set(va) & set(vb), name
    assert a.opening_proof.final_poly != b.opening_proof.final_poly


def test_zk_lookup_outside_the_table_is_rejected(monkeypatch):
    """The blinding rows switch the lookup constraints off there; a cheating prover that
    looks up 1000 (not a byte) and counts it as 1000 mod 256 must still be rejected."""
    import numpy as np

    from psyc.plonk import prover as prover_mod

    prog = _program(True)
    data = prog.circuit()
    salt = 9
    run = prog.execute([hash_no_pad([SECRET, salt]), [SECRET], [salt]])
    pw = prog.lowered().partial_witness(run)
    rows = np.nonzero(data.prover_only.row_gate_index == data.common.lookup_selector)[0]
    real_witness = prover_mod.generate_witness

    def forged_witness(data_, pw_):
        w, p = real_witness(data_, pw_)
        w = w.copy()
        w[0, rows[0]] = 1000
        return w, p

    def lax_multiplicities(data_, wires):
        looked = wires[: data_.common.config.lookups_per_row, rows] % np.uint64(256)
        return np.bincount(looked.ravel().astype(np.int64), minlength=data_.common.degree).astype(np.uint64)

    monkeypatch.setattr(prover_mod, "generate_witness", forged_witness)
    monkeypatch.setattr(prover_mod, "lookup_multiplicities", lax_multiplicities)
    proof = data.prove(pw, check_witness=False)
    with pytest.raises(VerificationError):
        data.verify(proof)
    monkeypatch.undo()
    good = _prove(True, salt=salt)[1]
    for group in ("lookup_multiplicities", "lookup_phi_next", "plonk_zs_next", "quotient_polys"):
        bad = copy.deepcopy(good)
        getattr(bad.proof.openings, group)[-1] += Ext2(1)
        with pytest.raises(VerificationError):
            data.verify(bad)
