"""Plonk proofs: caps, openings at ζ and gζ, and the FRI opening proof; the proof file.

A proof file is an 8-byte magic, a u32 format version, then length-prefixed little-endian
fields (see :mod:`psyc.field.serialization`); its shape is the circuit's
(:func:`opening_counts`), so reading one needs the circuit's common data.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from psyc.field.extension import Ext2
from psyc.field.serialization import ByteReader, ByteWriter, FormatError
from psyc.fri.proof import FriProof, read_cap, write_cap
from psyc.hash.merkle import MerkleCap

if TYPE_CHECKING:
    from psyc.plonk.circuit_data import CommonCircuitData

PROOF_MAGIC = b"PSYCPRF\x00"
FORMAT_VERSION = 1  # of proof and verifying-key files


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
        return proof_to_bytes(self)

    @staticmethod
    def from_bytes(data: bytes, common: CommonCircuitData) -> ProofWithPublicInputs:
        """Parse a serialized proof for the circuit ``common`` (raises ``FormatError``)."""
        return proof_from_bytes(data, common)


def opening_counts(common: CommonCircuitData) -> dict[str, int]:
    """How many values each opening group holds for this circuit."""
    cfg = common.config
    nc, lk = cfg.num_challenges, int(common.has_lookups)
    return {
        "constants": common.num_selectors + cfg.num_constants,
        "plonk_sigmas": cfg.num_routed_wires,
        "lookup_table": lk,
        "wires": cfg.num_wires,
        "lookup_multiplicities": lk,
        "plonk_zs": nc,
        "plonk_zs_next": nc,
        "partial_products": nc * (cfg.num_partial_product_chunks - 1),
        "lookup_helpers": 3 * nc * lk,
        "lookup_phi_next": nc * lk,
        "quotient_polys": nc * cfg.quotient_chunks + cfg.num_fri_masks,
    }


def proof_to_bytes(p: ProofWithPublicInputs) -> bytes:
    """The proof file of ``p`` (what ``psyc prove`` writes)."""
    w = ByteWriter()
    w.raw(PROOF_MAGIC)
    w.u32(FORMAT_VERSION)
    w.felts(p.public_inputs)
    for cap in (p.proof.wires_cap, p.proof.plonk_zs_partial_products_cap, p.proof.quotient_polys_cap):
        write_cap(w, cap)
    for _, values in p.proof.openings.groups():
        w.exts(values)
    p.proof.opening_proof.write(w)
    return w.getvalue()


def proof_from_bytes(data: bytes, common: CommonCircuitData, reader: ByteReader | None = None) -> ProofWithPublicInputs:
    """Parse a proof of the circuit ``common`` describes (``reader``: a ByteReader over
    ``data`` to use, e.g. one that records the layout)."""
    r = reader or ByteReader(data, "proof")
    r.header(PROOF_MAGIC, FORMAT_VERSION, "proof")
    cfg = common.config
    pis = r.felts("public inputs", expected=common.num_public_inputs)
    caps = [read_cap(r, name) for name in ("wires cap", "Z/partial-products cap", "quotient cap")]
    for name, cap in zip(("wires cap", "Z/partial-products cap", "quotient cap"), caps, strict=True):
        if len(cap) != 1 << cfg.fri_config.cap_height:
            raise FormatError(
                f"proof: {name} has {len(cap)} digests, expected {1 << cfg.fri_config.cap_height}"
            )
    counts = [(f"{name} openings", k) for name, k in opening_counts(common).items()]
    groups = [r.exts(name, expected=k) for name, k in counts]
    fri = FriProof.read(r)
    r.finish()
    return ProofWithPublicInputs(Proof(caps[0], caps[1], caps[2], OpeningSet(*groups), fri), pis)
