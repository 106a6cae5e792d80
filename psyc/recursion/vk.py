"""An inner verifying key as targets: the part that differs between circuits of one shape.

Two circuits with equal :class:`~psyc.plonk.circuit_data.CommonCircuitData` (config,
degree, gate list, number of public inputs) differ only in their preprocessed
polynomials (selectors, gate constants, sigmas), i.e. in the **constants/sigmas cap**.
Everything else in the key follows from the cap and the shape:

* ``circuit_digest = hash_no_pad(cap ‖ D)`` where ``D = sha256(common.description())``
  reduced to four field elements — a constant of the shape (what
  :func:`psyc.plonk.build.build_circuit` computes and
  :meth:`psyc.plonk.keys.VerifyingKey.from_bytes` re-checks);
* ``fingerprint = hash_no_pad(cap ‖ circuit_digest)`` (:attr:`VerifyingKey.fingerprint`).

:func:`add_verifier_data_targets` allocates the cap as targets and computes the digest
and the fingerprint **in circuit** with the same Poseidon sponge, so a caller can pin the
fingerprint to a constant, compare it with a public input (cyclic recursion) or show that
it is a leaf of a whitelist Merkle tree (:mod:`psyc.recursion.whitelist`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from psyc.hash.poseidon import hash_no_pad
from psyc.plonk.builder import CircuitBuilder
from psyc.plonk.circuit_data import _digest_of_bytes
from psyc.plonk.target import Target
from psyc.plonk.witness import PartialWitness
from psyc.recursion.targets import CapTarget

if TYPE_CHECKING:
    from psyc.hash.merkle import MerkleCap
    from psyc.plonk.circuit import CircuitData
    from psyc.plonk.circuit_data import CommonCircuitData, VerifierOnlyCircuitData
    from psyc.plonk.keys import VerifyingKey


@dataclass
class VerifierDataTarget:
    """A verifying key of a given shape: the cap is free, digest and fingerprint are computed."""

    constants_sigmas_cap: CapTarget
    circuit_digest: list[Target]
    fingerprint: list[Target]


def description_digest(common: CommonCircuitData) -> list[int]:
    """The shape's contribution to the circuit digest (four field elements)."""
    return _digest_of_bytes(common.description())


def native_circuit_digest(cap: MerkleCap, common: CommonCircuitData) -> list[int]:
    return hash_no_pad([x for d in cap for x in d] + description_digest(common))


def native_fingerprint(cap: MerkleCap, common: CommonCircuitData) -> list[int]:
    """The fingerprint of the circuit of shape ``common`` whose constants/sigmas cap is ``cap``."""
    return hash_no_pad([x for d in cap for x in d] + native_circuit_digest(cap, common))


def add_verifier_data_targets(b: CircuitBuilder, common: CommonCircuitData) -> VerifierDataTarget:
    """Cap targets for a key of shape ``common``; digest and fingerprint computed from them
    (``2·⌈(4·2^cap_height + 4) / 8⌉`` Poseidon rows, scope ``recursion/verifier_data``)."""
    cap = [b.add_virtual_targets(4) for _ in range(1 << common.config.fri_config.cap_height)]
    flat = [t for d in cap for t in d]
    with b.scope("recursion"), b.scope("verifier_data"):
        digest = b.hash_no_pad(flat + [b.constant(x) for x in description_digest(common)])
        fingerprint = b.hash_no_pad(flat + digest)
    return VerifierDataTarget(cap, digest, fingerprint)


def set_verifier_data_targets(
    pw: PartialWitness, vkt: VerifierDataTarget, vk: VerifyingKey | CircuitData | VerifierOnlyCircuitData
) -> None:
    """Set the cap targets from a verifying key (``VerifyingKey``, ``CircuitData`` or
    ``VerifierOnlyCircuitData``)."""
    vo = getattr(vk, "verifier_only", vk)
    cap = vo.constants_sigmas_cap
    if len(cap) != len(vkt.constants_sigmas_cap):
        raise ValueError(
            f"the key's cap has {len(cap)} digests, the circuit expects {len(vkt.constants_sigmas_cap)}"
        )
    for t, d in zip(vkt.constants_sigmas_cap, cap, strict=True):
        pw.set_targets(t, [int(x) for x in d])
