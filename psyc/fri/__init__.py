"""FRI polynomial commitments: commit to batches, open at extension points, prove, verify."""

from psyc.fri.config import FriConfig, FriParams
from psyc.fri.oracle import SALT_SIZE, PolynomialBatch
from psyc.fri.proof import FriInitialTreeProof, FriProof, FriQueryRound, FriQueryStep
from psyc.fri.prover import combined_polynomial, compute_openings, prove_fri
from psyc.fri.structure import (
    FriBatchInfo,
    FriInstanceInfo,
    FriOpenings,
    FriOracleInfo,
    FriPolynomialInfo,
)
from psyc.fri.verifier import FriVerificationError, verify_fri

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
