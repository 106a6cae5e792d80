"""Plonk proofs: caps, openings at ζ and gζ, and the FRI opening proof."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from psyc.field.extension import Ext2
from psyc.fri.proof import FriProof
from psyc.hash.merkle import MerkleCap

if TYPE_CHECKING:
    from psyc.plonk.circuit_data import CommonCircuitData


@dataclass
class OpeningSet:
    """Values at ζ (and gζ where named ``*_next``); lookup groups are empty without lookups."""

    constants: list[Ext2]  # selectors, then gate constants
    plonk_sigmas: list[Ext2]
    lookup_table: list[Ext2]  # [table(ζ)]
    wires: list[Ext2]
    lookup_multiplicities: list[Ext2]  # [m(ζ)]
    plonk_zs: list[Ext2]  # Z_r(ζ) per challenge
    plonk_zs_next: list[Ext2]  # Z_r(gζ)
    partial_products: list[Ext2]  # per challenge, chunks - 1 values
    lookup_helpers: list[Ext2]  # per challenge: h, g, phi
    lookup_phi_next: list[Ext2]  # phi_r(gζ)
    quotient_polys: list[Ext2]  # per challenge, quotient_chunks values

    def groups(self) -> list[tuple[str, list[Ext2]]]:
        return [(f.name, getattr(self, f.name)) for f in fields(self)]


@dataclass
class Proof:
    """A Plonk proof without its public inputs: Merkle caps of the committed
    polynomials, their openings, and the FRI opening proof."""

    wires_cap: MerkleCap
    plonk_zs_partial_products_cap: MerkleCap
    quotient_polys_cap: MerkleCap
    openings: OpeningSet
    opening_proof: FriProof


@dataclass
class ProofWithPublicInputs:
    """A proof and the public inputs it proves, as ``CircuitData.prove`` returns it.
    ``to_bytes``/``from_bytes`` give the format ``psyc prove`` writes."""

    proof: Proof
    public_inputs: list[int]

    def to_bytes(self) -> bytes:
        """The serialized proof (the format of ``psyc prove``'s proof files)."""
        from psyc.plonk.keys import proof_to_bytes

        return proof_to_bytes(self)

    @staticmethod
    def from_bytes(data: bytes, common: CommonCircuitData) -> ProofWithPublicInputs:
        """Parse a serialized proof for the circuit ``common`` (raises ``FormatError``)."""
        from psyc.plonk.keys import proof_from_bytes

        return proof_from_bytes(data, common)
