"""The Plonk Fiat-Shamir transcript, shared by prover and verifier (one order, one place).

Order: domain separator; circuit digest; public-input digest; wires cap -> betas,
gammas (then deltas, for circuits with lookups); Z/partial-products/lookup cap -> alphas;
quotient cap -> ζ; all openings; then FRI.
"""

from __future__ import annotations

from dataclasses import dataclass

from psyc.field.extension import Ext2
from psyc.fri.structure import FriBatchInfo, FriInstanceInfo, FriOracleInfo, FriPolynomialInfo
from psyc.hash.merkle import MerkleCap
from psyc.iop.challenger import Challenger

DOMAIN_SEPARATOR = [0x707379632D706C6B]  # "psyc-plk"

PREPROCESSED, WIRES, ZS, QUOTIENT = range(4)


@dataclass
class PlonkChallenges:
    betas: list[int]
    gammas: list[int]
    alphas: list[int]
    zeta: Ext2


def start_transcript(circuit_digest: list[int], pi_digest: list[int]) -> Challenger:
    ch = Challenger(DOMAIN_SEPARATOR)
    ch.observe_digest(circuit_digest)
    ch.observe_digest(pi_digest)
    return ch


def draw_betas_gammas_deltas(
    ch: Challenger, wires_cap: MerkleCap, num_challenges: int, lookups: bool
) -> tuple[list[int], list[int], list[int]]:
    ch.observe_cap(wires_cap)
    betas, gammas = ch.get_challenges(num_challenges), ch.get_challenges(num_challenges)
    deltas = ch.get_challenges(num_challenges) if lookups else []
    return betas, gammas, deltas


def draw_alphas(ch: Challenger, zs_cap: MerkleCap, num_challenges: int) -> list[int]:
    ch.observe_cap(zs_cap)
    return ch.get_challenges(num_challenges)


def draw_zeta(ch: Challenger, quotient_cap: MerkleCap) -> Ext2:
    ch.observe_cap(quotient_cap)
    return ch.get_ext_challenge()


def fri_instance(common, zeta: Ext2) -> FriInstanceInfo:
    """Every committed polynomial at ζ; the Z columns also at gζ."""
    from psyc.field.goldilocks import primitive_root_of_unity

    cfg = common.config
    sizes = [
        common.num_preprocessed,
        common.num_wire_columns,
        common.num_zs_columns,
        cfg.num_challenges * cfg.quotient_chunks,
    ]
    oracles = tuple(
        FriOracleInfo(s, blinding=(o != PREPROCESSED and cfg.zero_knowledge)) for o, s in enumerate(sizes)
    )
    all_polys = tuple(FriPolynomialInfo(o, i) for o, s in enumerate(sizes) for i in range(s))
    m = cfg.num_partial_product_chunks
    zs = tuple(FriPolynomialInfo(ZS, r * m) for r in range(cfg.num_challenges))
    if common.has_lookups:  # phi_r, after all permutation columns, as (h, g, phi) triples
        base = cfg.num_challenges * m
        zs += tuple(FriPolynomialInfo(ZS, base + 3 * r + 2) for r in range(cfg.num_challenges))
    g = primitive_root_of_unity(common.degree_bits)
    return FriInstanceInfo(oracles, (FriBatchInfo(zeta, all_polys), FriBatchInfo(zeta * g, zs)))
