"""FRI proof objects and their binary form."""

from __future__ import annotations

from dataclasses import dataclass

from psyc.field.extension import Ext2
from psyc.field.goldilocks import P
from psyc.field.serialization import ByteReader, ByteWriter, FormatError
from psyc.hash.merkle import MerkleCap, MerkleProof


@dataclass
class FriInitialTreeProof:
    """For one query: each oracle's opened leaf and its Merkle path."""

    evals_proofs: list[tuple[list[int], MerkleProof]]


@dataclass
class FriQueryStep:
    """For one query and one folding layer: the coset's values and their Merkle path."""

    evals: list[Ext2]
    merkle_proof: MerkleProof


@dataclass
class FriQueryRound:
    initial_trees_proof: FriInitialTreeProof
    steps: list[FriQueryStep]


@dataclass
class FriProof:
    commit_phase_caps: list[MerkleCap]
    query_round_proofs: list[FriQueryRound]
    final_poly: list[Ext2]
    pow_witness: int

    # --- binary form ---------------------------------------------------------
    def write(self, w: ByteWriter) -> None:
        w.u32(len(self.commit_phase_caps))
        for cap in self.commit_phase_caps:
            _write_cap(w, cap)
        w.u32(len(self.query_round_proofs))
        for q in self.query_round_proofs:
            w.u32(len(q.initial_trees_proof.evals_proofs))
            for leaf, mp in q.initial_trees_proof.evals_proofs:
                w.felts(leaf)
                _write_merkle_proof(w, mp)
            w.u32(len(q.steps))
            for step in q.steps:
                w.exts(step.evals)
                _write_merkle_proof(w, step.merkle_proof)
        w.exts(self.final_poly)
        w.u64(self.pow_witness)

    @staticmethod
    def read(r: ByteReader) -> FriProof:
        caps = [_read_cap(r, f"commit-phase cap {i}") for i in range(_count(r, "commit-phase caps", 64))]
        rounds = []
        for qi in range(_count(r, "query rounds", 1024)):
            initial = []
            for oi in range(_count(r, f"query {qi} oracles", 64)):
                leaf = r.felts(f"query {qi} oracle {oi} leaf")
                initial.append((leaf, _read_merkle_proof(r, f"query {qi} oracle {oi} path")))
            steps = []
            for si in range(_count(r, f"query {qi} steps", 64)):
                evals = r.exts(f"query {qi} step {si} values")
                steps.append(FriQueryStep(evals, _read_merkle_proof(r, f"query {qi} step {si} path")))
            rounds.append(FriQueryRound(FriInitialTreeProof(initial), steps))
        final_poly = r.exts("final polynomial")
        at = r.pos
        pow_witness = r.u64("proof-of-work nonce")
        if pow_witness >= P:
            raise FormatError(
                f"{r.what}: proof-of-work nonce at offset {at} is not a canonical field element"
            )
        return FriProof(caps, rounds, final_poly, pow_witness)

    def to_bytes(self) -> bytes:
        w = ByteWriter()
        self.write(w)
        return w.getvalue()

    @staticmethod
    def from_bytes(data: bytes) -> FriProof:
        r = ByteReader(data, "FRI proof")
        proof = FriProof.read(r)
        r.finish()
        return proof


def _count(r: ByteReader, ctx: str, limit: int) -> int:
    n = r.u32(f"number of {ctx}")
    if n > limit:
        raise FormatError(f"{r.what}: {n} {ctx} is more than the limit {limit}")
    return n


def _write_cap(w: ByteWriter, cap: MerkleCap) -> None:
    w.felts([x for d in cap for x in d])


def _read_cap(r: ByteReader, ctx: str) -> MerkleCap:
    flat = r.felts(ctx)
    if len(flat) % 4:
        raise FormatError(f"{r.what}: {ctx} length {len(flat)} is not a multiple of 4")
    return [flat[i : i + 4] for i in range(0, len(flat), 4)]


def _write_merkle_proof(w: ByteWriter, mp: MerkleProof) -> None:
    w.felts([x for d in mp.siblings for x in d])


def _read_merkle_proof(r: ByteReader, ctx: str) -> MerkleProof:
    return MerkleProof(_read_cap(r, ctx))


write_cap = _write_cap
read_cap = _read_cap
