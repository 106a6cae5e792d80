"""FRI polynomial commitments: commit to batches, open at extension points, prove, verify."""

from psyc.fri.config import FriConfig, FriParams
from psyc.util.lazy import lazy_exports

# name -> module that defines it, imported on first use (numba kernels behind most)
_EXPORTS = {
    "SALT_SIZE": "psyc.fri.config",
    "PolynomialBatch": "psyc.fri.oracle",
    "FriInitialTreeProof": "psyc.fri.proof",
    "FriProof": "psyc.fri.proof",
    "FriQueryRound": "psyc.fri.proof",
    "FriQueryStep": "psyc.fri.proof",
    "combined_polynomial": "psyc.fri.prover",
    "compute_openings": "psyc.fri.prover",
    "prove_fri": "psyc.fri.prover",
    "FriBatchInfo": "psyc.fri.structure",
    "FriInstanceInfo": "psyc.fri.structure",
    "FriOpenings": "psyc.fri.structure",
    "FriOracleInfo": "psyc.fri.structure",
    "FriPolynomialInfo": "psyc.fri.structure",
    "FriVerificationError": "psyc.fri.verifier",
    "verify_fri": "psyc.fri.verifier",
}
__getattr__, __dir__ = lazy_exports("psyc.fri", globals(), _EXPORTS)

__all__ = [
    "FriConfig",
    "FriParams",
    "SALT_SIZE",
    "PolynomialBatch",
    "FriInitialTreeProof",
    "FriProof",
    "FriQueryRound",
    "FriQueryStep",
    "combined_polynomial",
    "compute_openings",
    "prove_fri",
    "FriBatchInfo",
    "FriInstanceInfo",
    "FriOpenings",
    "FriOracleInfo",
    "FriPolynomialInfo",
    "FriVerificationError",
    "verify_fri",
]
