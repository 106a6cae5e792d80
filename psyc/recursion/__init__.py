"""Recursion: verifying a psyc Plonk proof inside a psyc circuit (issue 5).

```python
from psyc.recursion import add_proof_targets, set_proof_targets, verify_proof_circuit

outer = CircuitBuilder(CircuitConfig.standard())
pt = add_proof_targets(outer, inner_data.common)          # targets for one inner proof
verify_proof_circuit(outer, pt, inner_data.verifier_only, inner_data.common)
outer.register_public_inputs(pt.public_inputs)           # or use them in further logic
outer_data = outer.build()

pw = PartialWitness()
set_proof_targets(pw, pt, inner_proof)                   # the native inner proof
outer_proof = outer_data.prove(pw)
```

The inner verifying key is fixed at build time, or a witness (``add_verifier_data_targets``:
the fingerprint is computed in circuit and returned by ``verify_proof_circuit``, for the
caller to pin or whitelist); ``condition=flag`` verifies only if ``flag`` is 1. The gadget
checks everything the native verifier (:mod:`psyc.plonk.verifier`) checks, in its order;
one module per stage:

| module | job |
|---|---|
| ``targets`` | ``ProofTargets``, allocated from ``CommonCircuitData`` (shapes from the native code) |
| ``witness`` | ``set_proof_targets``: fill them from a native proof |
| ``challenger`` | ``RecursiveChallenger``: the Fiat–Shamir sponge with ``builder.permute`` |
| ``vanishing`` | gate constraints (generated ``eval_circuit``), permutation and lookup terms at ζ |
| ``gate_eval`` | ``FusingExtBuilder``: runs ``eval_circuit`` with fused, memoized extension ops |
| ``merkle`` | Merkle-cap paths (swap-flag Poseidon rows, cap digest by ``random_access``) |
| ``fri`` | FRI: challenges, proof of work, query indices, reduction, folding, final polynomial |
| ``verifier`` | ``verify_proof_circuit``: the Plonk stages in order |
| ``gadgets`` | gate-level equality checks, bit splits, extension helpers |
| ``stats`` | rows per verifier stage and gate type of a built circuit |
| ``vk`` | the inner key as witness: cap targets, in-circuit circuit digest and fingerprint |
| ``dummy`` | zero-filled dummy proofs for a verification switched off by its condition |
| ``whitelist`` | Merkle trees of fingerprints, membership in circuit |
| ``shape`` | the standard shape (``StandardShape``, ``StandardBuilder``) and ``wrap`` |
| ``cyclic`` | cyclic recursion: ``build_cyclic_circuit`` (a circuit verifying itself) |
| ``aggregate`` | ``aggregate``: folding proofs into a root proof; leaf commitments, openings |

Every check is a gate constraint in a ``recursion/...`` scope, so an invalid inner proof
makes the outer witness fail ``check_constraints`` on a row naming the failed stage (see
``docs/recursion.md``). Limits: folding arities 2..16, cap height <= 5.

``psyc aggregate P1 P2 … -o ROOT`` (:mod:`psyc.cli.aggregate_cmd`) is the command-line
form of ``aggregate``.
"""

from psyc.recursion.aggregate import (
    Aggregation,
    LeafOpening,
    aggregate,
    expected_root_fingerprint,
    leaf_commitment,
    verify_leaf_opening,
)
from psyc.recursion.challenger import RecursiveChallenger
from psyc.recursion.cyclic import CyclicCircuit, build_cyclic_circuit
from psyc.recursion.dummy import dummy_proof
from psyc.recursion.gadgets import verification_condition
from psyc.recursion.shape import ShapeError, StandardBuilder, StandardShape, standard_shape, wrap
from psyc.recursion.targets import ProofTargets, add_proof_targets
from psyc.recursion.verifier import conditionally_verify_proof_circuit, verify_proof_circuit
from psyc.recursion.vk import VerifierDataTarget, add_verifier_data_targets, set_verifier_data_targets
from psyc.recursion.whitelist import Whitelist, assert_whitelisted, set_whitelist_path, verify_whitelist_path
from psyc.recursion.witness import set_proof_targets

__all__ = [
    "Aggregation",
    "CyclicCircuit",
    "LeafOpening",
    "ProofTargets",
    "RecursiveChallenger",
    "ShapeError",
    "StandardBuilder",
    "StandardShape",
    "VerifierDataTarget",
    "Whitelist",
    "add_proof_targets",
    "add_verifier_data_targets",
    "aggregate",
    "assert_whitelisted",
    "build_cyclic_circuit",
    "conditionally_verify_proof_circuit",
    "dummy_proof",
    "expected_root_fingerprint",
    "leaf_commitment",
    "set_proof_targets",
    "set_verifier_data_targets",
    "set_whitelist_path",
    "standard_shape",
    "verification_condition",
    "verify_leaf_opening",
    "verify_proof_circuit",
    "verify_whitelist_path",
    "wrap",
]
