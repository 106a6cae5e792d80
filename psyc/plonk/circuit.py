"""A built circuit (what :meth:`CircuitBuilder.build` returns): its data, and proving
and verifying with it.

It sits above the prover, the verifier and the key, which take the data classes of
:mod:`psyc.plonk.circuit_data`; those sit below them, so no data module calls back up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from psyc.plonk.circuit_data import CommonCircuitData, ProverOnlyCircuitData, VerifierOnlyCircuitData
from psyc.plonk.keys import VerifyingKey
from psyc.plonk.verifier import verify

if TYPE_CHECKING:
    from psyc.plonk.proof import ProofWithPublicInputs
    from psyc.plonk.witness import PartialWitness


@dataclass
class CircuitData:
    """A built circuit (from :meth:`CircuitBuilder.build`): proves with :meth:`prove`,
    verifies with :meth:`verify`; :attr:`verifier_data` is the verifying key alone."""

    prover_only: ProverOnlyCircuitData
    verifier_only: VerifierOnlyCircuitData
    common: CommonCircuitData
    stats: dict = field(default_factory=dict)

    def prove(self, witness: PartialWitness, **kwargs: Any) -> ProofWithPublicInputs:
        """A proof that the witness (the values of the builder's virtual targets) satisfies
        this circuit. Raises ``UnsatisfiedConstraints`` naming the failing gates when it does not."""
        # the prover loads the numba kernels: imported when a proof is made, not when a
        # circuit (or a cached program holding one) is loaded
        from psyc.plonk.prover import prove

        return prove(self, witness, **kwargs)

    def verify(self, proof: ProofWithPublicInputs) -> None:
        """Raise ``VerificationError`` unless ``proof`` is a valid proof for this circuit."""
        verify(proof, self.verifier_only, self.common)

    @property
    def verifier_data(self) -> VerifyingKey:
        """The verifying key on its own (``.to_bytes()``, ``.fingerprint``, ``.verify``)."""
        return VerifyingKey(self.verifier_only, self.common)
