"""Cyclic recursion: a circuit that verifies a proof of itself (an incremental chain).

The standard plonky2 pattern. The circuit ``C`` (of the standard shape, so that its own
proofs have the shape its verifier expects) has the public inputs

    ``initial state (k) ‖ state (k) ‖ counter (1) ‖ own fingerprint (4)``

and, as witness, a flag ``has_inner``, a proof of shape ``C`` and a verifying key of that
shape (:mod:`psyc.recursion.vk`). It constrains:

* the key's in-circuit fingerprint == the *own fingerprint* public input (always — in
  the base case the prover supplies ``C``'s own key too);
* verify the inner proof **only if** ``has_inner`` (conditional verification): at step 1
  ``has_inner = 0`` and the inner proof is a zero-filled dummy
  (:func:`psyc.recursion.dummy.dummy_proof`);
* if ``has_inner``: the inner proof's initial state and own fingerprint equal this
  proof's (so every proof in the chain is of the same circuit and the same chain);
* ``previous = has_inner ? inner.state : initial``; ``counter = has_inner·inner.counter + 1``;
  ``state = step(previous)`` (the caller's logic).

The circuit cannot contain its own fingerprint as a constant (it would change the
fingerprint), hence the public input; whoever verifies the last proof checks that it
equals the key they verify with (:meth:`CyclicCircuit.verify`). By induction every proof of
the chain then verifies ``C``'s previous proof, down to the base case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from psyc.plonk.builder import CircuitBuilder
from psyc.plonk.proof import ProofWithPublicInputs
from psyc.plonk.target import Target
from psyc.plonk.verifier import VerificationError
from psyc.plonk.witness import PartialWitness
from psyc.recursion.dummy import dummy_proof
from psyc.recursion.gadgets import assert_equal_many, verification_condition
from psyc.recursion.shape import StandardShape, standard_shape
from psyc.recursion.targets import ProofTargets, add_proof_targets
from psyc.recursion.verifier import verify_proof_circuit
from psyc.recursion.vk import VerifierDataTarget, add_verifier_data_targets, set_verifier_data_targets
from psyc.recursion.witness import set_proof_targets
from psyc.util.gc_pause import with_gc_paused

StepFn = Callable[[CircuitBuilder, list[Target]], Sequence[Target]]


@dataclass
class CyclicCircuit:
    """A built cyclic circuit: ``prove_step`` extends a chain, ``verify`` checks a proof of it."""

    shape: StandardShape
    data: object  # CircuitData
    num_state: int
    has_inner: Target
    inner: ProofTargets
    inner_vk: VerifierDataTarget
    initial: list[Target]
    own_fingerprint: list[Target]

    @property
    def num_public_inputs(self) -> int:
        return 2 * self.num_state + 5

    @property
    def fingerprint(self) -> list[int]:
        return self.data.verifier_data.fingerprint

    # --- reading a proof's public inputs --------------------------------------------------
    def initial_state(self, proof: ProofWithPublicInputs) -> list[int]:
        return list(proof.public_inputs[: self.num_state])

    def state(self, proof: ProofWithPublicInputs) -> list[int]:
        return list(proof.public_inputs[self.num_state : 2 * self.num_state])

    def counter(self, proof: ProofWithPublicInputs) -> int:
        return proof.public_inputs[2 * self.num_state]

    def claimed_fingerprint(self, proof: ProofWithPublicInputs) -> list[int]:
        return list(proof.public_inputs[2 * self.num_state + 1 :])

    # --- proving and verifying ------------------------------------------------------------
    def prove_step(
        self,
        previous: ProofWithPublicInputs | None,
        initial_state: Sequence[int] | None = None,
        witness: Callable[[PartialWitness], None] | None = None,
    ) -> ProofWithPublicInputs:
        """The next proof of the chain: the base case when ``previous`` is None (then
        ``initial_state`` is required), else one step after ``previous``. ``witness``
        fills any targets the step function added."""
        pw = PartialWitness()
        common = self.data.common
        if previous is None:
            if initial_state is None or len(initial_state) != self.num_state:
                raise ValueError(f"the base case needs an initial state of {self.num_state} values")
            pw.set_target(self.has_inner, 0)
            set_proof_targets(pw, self.inner, dummy_proof(common))
            init = [int(x) for x in initial_state]
        else:
            pw.set_target(self.has_inner, 1)
            set_proof_targets(pw, self.inner, previous)
            init = self.initial_state(previous)
            if initial_state is not None and [int(x) for x in initial_state] != init:
                raise ValueError("initial_state differs from the previous proof's")
        set_verifier_data_targets(pw, self.inner_vk, self.data)
        pw.set_targets(self.initial, init)
        pw.set_targets(self.own_fingerprint, self.fingerprint)
        if witness is not None:
            witness(pw)
        return self.data.prove(pw)

    def verify(self, proof: ProofWithPublicInputs) -> None:
        """Native verification plus the check that the proof's own-fingerprint public input
        is this circuit's fingerprint (without it the chain could start from another circuit)."""
        self.data.verify(proof)
        if self.claimed_fingerprint(proof) != self.fingerprint:
            raise VerificationError("the proof's own-fingerprint public input is not this circuit's")


@with_gc_paused
def build_cyclic_circuit(num_state: int, step: StepFn, shape: StandardShape | None = None) -> CyclicCircuit:
    """Build the cyclic circuit of ``step`` (``step(builder, previous_state) -> new_state``,
    ``num_state`` targets each; it may use any gate of the shape)."""
    shape = shape or standard_shape()
    k = num_state
    common = shape.common(2 * k + 5)
    b = shape.builder()
    has_inner = b.add_virtual_target()
    initial = b.add_virtual_targets(k)
    own_fp = b.add_virtual_targets(4)
    inner = add_proof_targets(b, common)
    inner_vk = add_verifier_data_targets(b, common)
    inner_fp = verify_proof_circuit(b, inner, inner_vk, common, condition=has_inner)
    pis = inner.public_inputs
    inner_initial, inner_state, inner_counter, inner_own = (
        pis[:k],
        pis[k : 2 * k],
        pis[2 * k],
        pis[2 * k + 1 :],
    )
    with b.scope("cyclic"):
        assert_equal_many(b, inner_fp, own_fp)  # the inner key is this circuit's (always)
        with verification_condition(b, has_inner):
            assert_equal_many(b, inner_initial, initial)
            assert_equal_many(b, inner_own, own_fp)
        previous = [b.mul_add(has_inner, b.sub(s, i), i) for s, i in zip(inner_state, initial, strict=True)]
        counter = b.mul_add(has_inner, inner_counter, b.one())
    with b.scope("step"):
        new_state = list(step(b, previous))
    if len(new_state) != k:
        raise ValueError(f"the step function returned {len(new_state)} targets, expected {k}")
    b.register_public_inputs([*initial, *new_state, counter, *own_fp])
    data = b.build()
    return CyclicCircuit(shape, data, k, has_inner, inner, inner_vk, initial, own_fp)
