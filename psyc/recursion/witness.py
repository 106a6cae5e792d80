"""Filling an inner proof's targets from a native proof (:func:`set_proof_targets`)."""

from __future__ import annotations

from collections.abc import Sequence

from psyc.plonk.proof import ProofWithPublicInputs
from psyc.plonk.witness import PartialWitness
from psyc.recursion.targets import CapTarget, ProofTargets


def _set_list(pw: PartialWitness, targets: Sequence, values: Sequence, what: str) -> None:
    if len(targets) != len(values):
        raise ValueError(f"{what}: the proof has {len(values)} values, the circuit expects {len(targets)}")
    pw.set_targets(targets, [int(v) for v in values])


def _set_exts(pw: PartialWitness, targets: Sequence, values: Sequence, what: str) -> None:
    if len(targets) != len(values):
        raise ValueError(f"{what}: the proof has {len(values)} values, the circuit expects {len(targets)}")
    for t, v in zip(targets, values, strict=True):
        pw.set_targets(list(t), [v.a0, v.a1])


def _set_digests(pw: PartialWitness, targets: CapTarget, digests: Sequence, what: str) -> None:
    if len(targets) != len(digests):
        raise ValueError(f"{what}: the proof has {len(digests)} digests, the circuit expects {len(targets)}")
    for i, (t, d) in enumerate(zip(targets, digests, strict=True)):
        _set_list(pw, t, d, f"{what}[{i}]")


def set_proof_targets(pw: PartialWitness, pt: ProofTargets, proof: ProofWithPublicInputs) -> None:
    """Set every target of ``pt`` to the matching value of ``proof``; a proof of another
    shape (another circuit's) is a ValueError naming the first mismatching field."""
    p = proof.proof
    _set_list(pw, pt.public_inputs, proof.public_inputs, "public inputs")
    _set_digests(pw, pt.wires_cap, p.wires_cap, "wires cap")
    _set_digests(pw, pt.plonk_zs_partial_products_cap, p.plonk_zs_partial_products_cap, "Z cap")
    _set_digests(pw, pt.quotient_polys_cap, p.quotient_polys_cap, "quotient cap")
    for (name, ts), (_, vs) in zip(pt.openings.groups(), p.openings.groups(), strict=True):
        _set_exts(pw, ts, vs, f"openings.{name}")
    fp, ft = p.opening_proof, pt.opening_proof
    if len(ft.commit_phase_caps) != len(fp.commit_phase_caps):
        raise ValueError("FRI: the proof has another number of folding layers")
    for i, (ct, cv) in enumerate(zip(ft.commit_phase_caps, fp.commit_phase_caps, strict=True)):
        _set_digests(pw, ct, cv, f"commit-phase cap {i}")
    if len(ft.query_round_proofs) != len(fp.query_round_proofs):
        raise ValueError("FRI: the proof has another number of query rounds")
    for q, (rt, rv) in enumerate(zip(ft.query_round_proofs, fp.query_round_proofs, strict=True)):
        it, iv = rt.initial_trees_proof.evals_proofs, rv.initial_trees_proof.evals_proofs
        if len(it) != len(iv):
            raise ValueError(f"query {q}: the proof opens another number of oracles")
        for o, ((lt, mt), (lv, mv)) in enumerate(zip(it, iv, strict=True)):
            _set_list(pw, lt, lv, f"query {q} oracle {o} leaf")
            _set_digests(pw, mt.siblings, mv.siblings, f"query {q} oracle {o} path")
        if len(rt.steps) != len(rv.steps):
            raise ValueError(f"query {q}: the proof has another number of folding steps")
        for s, (st, sv) in enumerate(zip(rt.steps, rv.steps, strict=True)):
            _set_exts(pw, st.evals, sv.evals, f"query {q} step {s} values")
            _set_digests(pw, st.merkle_proof.siblings, sv.merkle_proof.siblings, f"query {q} step {s} path")
    _set_exts(pw, ft.final_poly, fp.final_poly, "final polynomial")
    pw.set_target(ft.pow_witness, int(fp.pow_witness))
