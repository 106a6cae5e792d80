"""The Plonk Fiat-Shamir transcript, shared by prover and verifier (one order, one place).

Order: domain separator; circuit digest; public-input digest; wires cap -> betas,
gammas (then deltas, for circuits with lookups); Z/partial-products/lookup cap -> alphas;
quotient cap -> ζ; all openings; then FRI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from psyc.field.extension import Ext2
from psyc.fri.structure import FriBatchInfo, FriInstanceInfo, FriOpenings, FriOracleInfo, FriPolynomialInfo
from psyc.hash.merkle import MerkleCap
from psyc.iop.challenger import Challenger
from psyc.plonk.proof import OpeningSet

if TYPE_CHECKING:
    from psyc.plonk.circuit_data import CommonCircuitData

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


def fri_instance(common: CommonCircuitData, zeta: Ext2) -> FriInstanceInfo:
    """Every committed polynomial at ζ; the Z columns also at gζ."""
    from psyc.field.goldilocks import primitive_root_of_unity

    cfg = common.config
    sizes = [
        common.num_preprocessed,
        common.num_wire_columns,
        common.num_zs_columns,
        cfg.num_challenges * cfg.quotient_chunks + cfg.num_fri_masks,
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


def openings_from_fri(common: CommonCircuitData, fri_openings: FriOpenings) -> OpeningSet:
    """Split the flat ζ batch (in oracle order) and the gζ batch into named groups."""
    cfg = common.config
    at_zeta, at_next = (list(b) for b in fri_openings.batches)
    S_K = common.num_selectors + cfg.num_constants
    R, W, nc = cfg.num_routed_wires, cfg.num_wires, cfg.num_challenges
    m = cfg.num_partial_product_chunks
    lk = int(common.has_lookups)
    pre, rest = at_zeta[: common.num_preprocessed], at_zeta[common.num_preprocessed :]
    wires, rest = rest[: common.num_wire_columns], rest[common.num_wire_columns :]
    zs, quotient = rest[: common.num_zs_columns], rest[common.num_zs_columns :]
    return OpeningSet(
        constants=pre[:S_K],
        plonk_sigmas=pre[S_K : S_K + R],
        lookup_table=pre[S_K + R :],
        wires=wires[:W],
        lookup_multiplicities=wires[W:],
        plonk_zs=[zs[r * m] for r in range(nc)],
        plonk_zs_next=at_next[:nc],
        partial_products=[v for r in range(nc) for v in zs[r * m + 1 : (r + 1) * m]],
        lookup_helpers=zs[nc * m :] if lk else [],
        lookup_phi_next=at_next[nc:],
        quotient_polys=quotient,
    )


def openings_to_fri(common: CommonCircuitData, o: OpeningSet) -> FriOpenings:
    """Inverse of :func:`openings_from_fri`: the flat ζ batch (oracle order) and the gζ batch."""
    m = common.config.num_partial_product_chunks
    zs = []
    for r in range(common.config.num_challenges):
        zs.append(o.plonk_zs[r])
        zs.extend(o.partial_products[r * (m - 1) : (r + 1) * (m - 1)])
    at_zeta = [
        *o.constants,
        *o.plonk_sigmas,
        *o.lookup_table,
        *o.wires,
        *o.lookup_multiplicities,
        *zs,
        *o.lookup_helpers,
        *o.quotient_polys,
    ]
    return FriOpenings((tuple(at_zeta), (*o.plonk_zs_next, *o.lookup_phi_next)))
