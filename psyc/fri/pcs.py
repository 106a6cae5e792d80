"""A self-contained batch polynomial commitment: commit, open at points, prove, verify.

Transcript order: every oracle cap, then each opening point, then every opened value
(batch by batch), then the FRI protocol of :mod:`psyc.fri.prover`. The Plonk prover
uses the lower-level pieces directly, drawing its points from its own transcript.
"""

from __future__ import annotations

from dataclasses import dataclass

from psyc.field.extension import Ext2
from psyc.fri.config import FriConfig, FriParams
from psyc.fri.oracle import PolynomialBatch
from psyc.fri.proof import FriProof
from psyc.fri.prover import compute_openings, prove_fri
from psyc.fri.structure import FriInstanceInfo, FriOpenings, FriOracleInfo
from psyc.fri.verifier import verify_fri
from psyc.hash.merkle import MerkleCap
from psyc.iop.challenger import Challenger

DOMAIN_SEPARATOR = [0x707379632D667269]  # "psyc-fri"


@dataclass
class OpeningProof:
    openings: FriOpenings
    fri_proof: FriProof


def _transcript(caps: list[MerkleCap], points: list[Ext2]) -> Challenger:
    ch = Challenger(DOMAIN_SEPARATOR)
    for cap in caps:
        ch.observe_cap(cap)
    ch.observe_exts(points)
    return ch


def prove_openings(oracles: list[PolynomialBatch], points: list[Ext2], config: FriConfig) -> OpeningProof:
    """Open every polynomial of every oracle at every point, with a FRI proof."""
    degree_bits = oracles[0].degree_bits
    params = FriParams.for_degree(config, degree_bits)
    infos = tuple(FriOracleInfo(o.num_polys, o.blinding) for o in oracles)
    instance = FriInstanceInfo.all_polys_at(infos, points)
    ch = _transcript([o.cap for o in oracles], points)
    openings = compute_openings(instance, oracles)
    ch.observe_exts(openings.flatten())
    return OpeningProof(openings, prove_fri(instance, oracles, ch, params))


def verify_openings(
    oracle_infos: list[FriOracleInfo],
    caps: list[MerkleCap],
    points: list[Ext2],
    proof: OpeningProof,
    degree_bits: int,
    config: FriConfig,
) -> None:
    """Raise FriVerificationError unless the openings are the committed polynomials' values."""
    params = FriParams.for_degree(config, degree_bits)
    instance = FriInstanceInfo.all_polys_at(tuple(oracle_infos), points)
    ch = _transcript(caps, points)
    ch.observe_exts(proof.openings.flatten())
    verify_fri(instance, proof.openings, caps, proof.fri_proof, ch, params)
