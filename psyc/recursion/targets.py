"""Targets for an inner proof, allocated from the inner circuit's ``CommonCircuitData``.

Every count comes from the native code that fixes it: ``opening_counts`` (the eleven
opening groups), ``fri_instance`` (the oracles, their widths and salt), ``FriParams``
(folding arities, path lengths, final polynomial length, query count). The opening set
reuses :class:`psyc.plonk.proof.OpeningSet` as a container of ``ExtTarget`` values, so
the native ``openings_to_fri`` orders it for FRI exactly as the prover did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from psyc.field.extension import Ext2
from psyc.fri.oracle import SALT_SIZE
from psyc.plonk.builder import CircuitBuilder, ExtTarget
from psyc.plonk.proof import OpeningSet
from psyc.plonk.target import Target
from psyc.plonk.transcript import fri_instance
from psyc.plonk.verifier import opening_counts

if TYPE_CHECKING:
    from psyc.plonk.circuit_data import CommonCircuitData

CapTarget = list[list[Target]]  # 2^cap_height digests of 4 targets


@dataclass
class MerkleProofTarget:
    siblings: list[list[Target]]


@dataclass
class FriInitialTreeProofTarget:
    """For one query: each oracle's opened leaf (salt included) and its Merkle path."""

    evals_proofs: list[tuple[list[Target], MerkleProofTarget]]


@dataclass
class FriQueryStepTarget:
    evals: list[ExtTarget]
    merkle_proof: MerkleProofTarget


@dataclass
class FriQueryRoundTarget:
    initial_trees_proof: FriInitialTreeProofTarget
    steps: list[FriQueryStepTarget]


@dataclass
class FriProofTarget:
    commit_phase_caps: list[CapTarget]
    query_round_proofs: list[FriQueryRoundTarget]
    final_poly: list[ExtTarget]
    pow_witness: Target


@dataclass
class ProofTargets:
    """An inner ``ProofWithPublicInputs`` as targets of the outer circuit."""

    wires_cap: CapTarget
    plonk_zs_partial_products_cap: CapTarget
    quotient_polys_cap: CapTarget
    openings: OpeningSet  # every field a list of ExtTarget
    opening_proof: FriProofTarget
    public_inputs: list[Target]


def oracle_leaf_widths(common: CommonCircuitData) -> list[int]:
    """Width of each committed oracle's Merkle leaf (its polynomials, plus salt when blinded)."""
    instance = fri_instance(common, Ext2.one())
    return [o.num_polys + (SALT_SIZE if o.blinding else 0) for o in instance.oracles]


def _ext(b: CircuitBuilder) -> ExtTarget:
    return tuple(b.add_virtual_targets(2))


def _cap(b: CircuitBuilder, cap_height: int) -> CapTarget:
    return [b.add_virtual_targets(4) for _ in range(1 << cap_height)]


def _path(b: CircuitBuilder, length: int) -> MerkleProofTarget:
    return MerkleProofTarget([b.add_virtual_targets(4) for _ in range(length)])


def add_fri_proof_targets(b: CircuitBuilder, common: CommonCircuitData) -> FriProofTarget:
    params = common.fri_params
    cfg = params.config
    widths = oracle_leaf_widths(common)
    caps = [_cap(b, cfg.cap_height) for _ in params.reduction_arity_bits]
    rounds = []
    for _ in range(cfg.num_query_rounds):
        initial = FriInitialTreeProofTarget(
            [(b.add_virtual_targets(w), _path(b, params.lde_bits - cfg.cap_height)) for w in widths]
        )
        steps = []
        height = params.lde_bits
        for ab in params.reduction_arity_bits:
            height -= ab
            steps.append(
                FriQueryStepTarget([_ext(b) for _ in range(1 << ab)], _path(b, height - cfg.cap_height))
            )
        rounds.append(FriQueryRoundTarget(initial, steps))
    final_poly = [_ext(b) for _ in range(params.final_poly_len)]
    return FriProofTarget(caps, rounds, final_poly, b.add_virtual_target())


def add_proof_targets(b: CircuitBuilder, common: CommonCircuitData) -> ProofTargets:
    """Fresh targets for every value of a proof of the circuit described by ``common``."""
    cap_height = common.config.fri_config.cap_height
    groups = [[_ext(b) for _ in range(k)] for k in opening_counts(common).values()]
    return ProofTargets(
        wires_cap=_cap(b, cap_height),
        plonk_zs_partial_products_cap=_cap(b, cap_height),
        quotient_polys_cap=_cap(b, cap_height),
        openings=OpeningSet(*groups),
        opening_proof=add_fri_proof_targets(b, common),
        public_inputs=b.add_virtual_targets(common.num_public_inputs),
    )
