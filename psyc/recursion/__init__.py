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

The inner verifying key is fixed at build time. The gadget checks everything the native
verifier (:mod:`psyc.plonk.verifier`) checks, in its order; one module per stage:

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

Every check is a gate constraint in a ``recursion/...`` scope, so an invalid inner proof
makes the outer witness fail ``check_constraints`` on a row naming the failed stage (see
``docs/recursion.md``). Limits: folding arities 2..16, cap height <= 5.
"""

from psyc.recursion.challenger import RecursiveChallenger
from psyc.recursion.targets import ProofTargets, add_proof_targets
from psyc.recursion.verifier import verify_proof_circuit
from psyc.recursion.witness import set_proof_targets

__all__ = [
    "ProofTargets",
    "RecursiveChallenger",
    "add_proof_targets",
    "set_proof_targets",
    "verify_proof_circuit",
]
