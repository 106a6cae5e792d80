"""Proofs are byte-identical across prover backends and across refactors of the prover.

Proving is deterministic when zero knowledge is off (the proof-of-work nonce is the
smallest valid one), so a stored SHA-256 of each proof pins the CPU reference: a change
of the prover that changes a single byte fails here. Every other available backend must
produce the same bytes (the GPU backend skips cleanly without a device).
"""

from __future__ import annotations

import hashlib
import random
import secrets
from dataclasses import replace

import pytest

from psyc.backend import BackendUnavailable, backend_names, get_backend
from psyc.field import Ext2
from psyc.fri import FriConfig
from psyc.plonk.builder import CircuitBuilder
from psyc.plonk.config import CircuitConfig
from psyc.plonk.witness import PartialWitness

CFG = CircuitConfig(fri_config=FriConfig(rate_bits=3, cap_height=2, num_query_rounds=8, proof_of_work_bits=4))


def _mixed(config: CircuitConfig):
    """Arithmetic, Poseidon, random access, exponentiation and extension arithmetic."""
    b = CircuitBuilder(config)
    xs = b.add_virtual_targets(10)
    h = b.two_to_one(b.hash_no_pad(xs), xs[:4])
    idx = b.add_virtual_target()
    chosen = b.random_access(idx, xs[:5])
    power = b.exp(xs[1], xs[2], 10)
    xa, xb = (xs[3], xs[4]), (xs[5], xs[6])
    prod = b.mul_extension(xa, xb)
    b.register_public_inputs([*h, chosen, power, *prod, b.add(b.mul(xs[0], xs[0]), b.constant(5))])
    data = b.build()
    pw = PartialWitness()
    pw.set_targets(xs, list(range(100, 110)))
    pw.set_target(idx, 3)
    return data, pw


def _lookups(config: CircuitConfig):
    """Range checks through the lookup argument (logUp helper columns in the Z batch)."""
    b = CircuitBuilder(config)
    bits = [3, 8, 13, 32, 63, 8, 1]
    xs = b.add_virtual_targets(len(bits))
    for x, nb in zip(xs, bits, strict=True):
        b.range_check_lookup(x, nb)
    b.register_public_input(b.add(xs[0], xs[-1]))
    data = b.build()
    pw = PartialWitness()
    pw.set_targets(xs, [((1 << nb) - 1) // (i + 1) for i, nb in enumerate(bits)])
    return data, pw


CIRCUITS = {"mixed": _mixed, "lookups": _lookups}
#: SHA-256 of the proof bytes made by the CPU backend (zero knowledge off). Change these only
#: together with a deliberate change of the proof system, and say so in the commit.
GOLDEN = {
    "mixed": "b1c5300e80b09e43c815a881579d2563b4ea2b177e9629913a4380ddc89091e8",
    "lookups": "7966896e3816a1c165b0935290a74d4773ba5702e26703916dde1b28991d7048",
}


def _proof_bytes(name: str, backend, config: CircuitConfig = CFG) -> bytes:
    data, pw = CIRCUITS[name](config)
    proof = data.prove(pw, backend=backend)
    data.verify(proof)
    return proof.to_bytes()


@pytest.mark.parametrize("name", sorted(CIRCUITS))
def test_cpu_proofs_match_the_stored_digests(name):
    assert hashlib.sha256(_proof_bytes(name, "cpu")).hexdigest() == GOLDEN[name]


def _other_backends() -> list:
    return [
        pytest.param(n, marks=pytest.mark.gpu) if n == "gpu" else n for n in backend_names() if n != "cpu"
    ]


@pytest.mark.parametrize("backend", _other_backends())
@pytest.mark.parametrize("name", sorted(CIRCUITS))
def test_every_backend_makes_the_cpu_proof(name, backend):
    try:
        get_backend(backend)
    except BackendUnavailable as e:
        pytest.skip(str(e))
    assert _proof_bytes(name, backend) == _proof_bytes(name, "cpu")


def _seeded_randomness(monkeypatch) -> None:
    """The same salts and blinding values on every call (for comparing backends)."""
    stream = hashlib.shake_256(b"salt").digest(1 << 20)
    pos = [0]

    def token_bytes(n: int) -> bytes:
        out = stream[pos[0] : pos[0] + n]
        pos[0] += n
        return out

    monkeypatch.setattr(secrets, "token_bytes", token_bytes)
    monkeypatch.setattr(secrets, "randbelow", random.Random(5).randrange)


def _zk_proof_bytes(backend, monkeypatch) -> bytes:
    _seeded_randomness(monkeypatch)
    return _proof_bytes("lookups", backend, replace(CFG, zero_knowledge=True))


@pytest.mark.parametrize("backend", _other_backends())
def test_every_backend_makes_the_cpu_proof_with_blinding(backend, monkeypatch):
    try:
        get_backend(backend)
    except BackendUnavailable as e:
        pytest.skip(str(e))
    assert _zk_proof_bytes(backend, monkeypatch) == _zk_proof_bytes("cpu", monkeypatch)


def _emulated_gpu():
    """The GPU backend's kernels compiled as C++ for the CPU (no device needed)."""
    emulation = pytest.importorskip("psyc.backend_gpu.emulation")
    if emulation.compiler() is None:
        pytest.skip("no C++ compiler for the GPU kernel emulation")
    from psyc.backend_gpu import GpuBackend

    return GpuBackend.emulated()


@pytest.mark.parametrize("name", sorted(CIRCUITS))
def test_emulated_gpu_backend_makes_the_cpu_proof(name):
    assert _proof_bytes(name, _emulated_gpu()) == _proof_bytes(name, "cpu")


def test_emulated_gpu_backend_makes_the_cpu_proof_with_blinding(monkeypatch):
    assert _zk_proof_bytes(_emulated_gpu(), monkeypatch) == _zk_proof_bytes("cpu", monkeypatch)


def test_emulated_gpu_backend_makes_the_cpu_proof_at_blowup_16(monkeypatch):
    """Blowup 16 (the standard shape's): the quotient is evaluated on a prefix of the LDEs
    (backend.prefix_columns), with lookups and blinding (the boundary and active rows)."""
    cfg = replace(CFG, zero_knowledge=True, fri_config=replace(CFG.fri_config, rate_bits=4))

    def zk_bytes(backend) -> bytes:
        _seeded_randomness(monkeypatch)
        return _proof_bytes("lookups", backend, cfg)

    assert zk_bytes(_emulated_gpu()) == zk_bytes("cpu")


def test_extension_openings_are_field_values():
    # guard for the digest test: openings are Ext2 and the proof verifies (checked above)
    data, pw = _mixed(CFG)
    proof = data.prove(pw)
    assert all(isinstance(v, Ext2) for v in proof.proof.openings.wires)
