"""The Plonkish proving system: gates, circuit builder, prover and verifier.

The names a circuit author needs are importable from here (loaded on first use, so
``import psyc.plonk`` stays cheap)::

    from psyc.plonk import CircuitBuilder, CircuitConfig, PartialWitness

    b = CircuitBuilder(CircuitConfig.standard())
    x = b.add_virtual_target()
    b.register_public_input(b.mul(x, x))
    data = b.build()
    pw = PartialWitness()
    pw.set_target(x, 3)
    proof = data.prove(pw)          # a ProofWithPublicInputs; proof.public_inputs == [9]
    data.verify(proof)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from psyc.util.lazy import lazy_exports

# name -> module that defines it; the one place the public API of psyc.plonk is listed
_EXPORTS = {
    "CircuitBuilder": "psyc.plonk.builder",
    "CircuitConfig": "psyc.plonk.config",
    "CircuitData": "psyc.plonk.circuit",
    "CommonCircuitData": "psyc.plonk.circuit_data",
    "PartialWitness": "psyc.plonk.witness",
    "WitnessError": "psyc.plonk.witness",
    "Proof": "psyc.plonk.proof",
    "ProofWithPublicInputs": "psyc.plonk.proof",
    "Target": "psyc.plonk.target",
    "VerifyingKey": "psyc.plonk.keys",
    "VerificationError": "psyc.plonk.verifier",
    "UnsatisfiedConstraints": "psyc.plonk.diagnostics",
}

__all__ = [  # the names of _EXPORTS (a literal list, for linters and type checkers)
    "CircuitBuilder",
    "CircuitConfig",
    "CircuitData",
    "CommonCircuitData",
    "PartialWitness",
    "Proof",
    "ProofWithPublicInputs",
    "Target",
    "UnsatisfiedConstraints",
    "VerificationError",
    "VerifyingKey",
    "WitnessError",
]

if TYPE_CHECKING:  # for type checkers and editors; at run time names load lazily
    from psyc.plonk.builder import CircuitBuilder
    from psyc.plonk.circuit import CircuitData
    from psyc.plonk.circuit_data import CommonCircuitData
    from psyc.plonk.config import CircuitConfig
    from psyc.plonk.diagnostics import UnsatisfiedConstraints
    from psyc.plonk.keys import VerifyingKey
    from psyc.plonk.proof import Proof, ProofWithPublicInputs
    from psyc.plonk.target import Target
    from psyc.plonk.verifier import VerificationError
    from psyc.plonk.witness import PartialWitness, WitnessError


__getattr__, __dir__ = lazy_exports("psyc.plonk", globals(), _EXPORTS)
