"""What a built circuit is made of: the data prover and verifier share, the verifying
data, the prover's own tables; the circuit digest and the gate-set rules.

Data only: building it is :mod:`psyc.plonk.build`, the built circuit that proves and
verifies is :class:`psyc.plonk.circuit.CircuitData` (they sit above the prover and the
verifier, these classes below them)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from psyc.field.goldilocks import P
from psyc.fri.config import FriParams
from psyc.hash.merkle import MerkleCap
from psyc.hash.poseidon import hash_no_pad
from psyc.plonk.config import CircuitConfig
from psyc.plonk.gates.evaluators import GateEvaluators

if TYPE_CHECKING:
    from psyc.fri.oracle import PolynomialBatch
    from psyc.plonk.gates import Gate
    from psyc.plonk.witness import Generator


@dataclass
class CommonCircuitData:
    """What prover and verifier share: shape, gate set, permutation coset shifts."""

    config: CircuitConfig
    degree_bits: int
    gates: list[Gate]
    num_public_inputs: int
    k_is: list[int]
    num_gate_constraints: int

    @property
    def degree(self) -> int:
        """Rows of the table (a power of two)."""
        return 1 << self.degree_bits

    @property
    def num_selectors(self) -> int:
        """Gate selector columns (one per gate type)."""
        return len(self.gates)

    @property
    def lookup_selector(self) -> int | None:
        """Selector index of the lookup gate, or None for a circuit without lookups."""
        return next((i for i, g in enumerate(self.gates) if g.name == "lookup"), None)

    @property
    def blinding_selector(self) -> int | None:
        """Selector index of the zero-knowledge blinding rows (1 on the last
        ``config.blinding_rows`` rows), or None without zero knowledge."""
        return next((i for i, g in enumerate(self.gates) if g.name == "blinding"), None)

    @property
    def first_blinding_row(self) -> int:
        """Index of the first blinding row (= the degree without zero knowledge)."""
        return self.degree - self.config.blinding_rows

    @property
    def has_lookups(self) -> bool:
        """Does the circuit use the logUp range-table argument?"""
        return self.lookup_selector is not None

    @property
    def num_preprocessed(self) -> int:
        """Selectors, gate constants, sigmas, then the range table when lookups are used."""
        base = self.num_selectors + self.config.num_constants + self.config.num_routed_wires
        return base + int(self.has_lookups)

    @property
    def num_wire_columns(self) -> int:
        """The wires, then the lookup multiplicities when lookups are used."""
        return self.config.num_wires + int(self.has_lookups)

    @property
    def num_zs_columns(self) -> int:
        """Per challenge: Z and the partial products (the last one is Z(gx), not stored);
        then, with lookups, per challenge: h (sum of inverses), g (table inverse), phi."""
        cfg = self.config
        return cfg.num_challenges * (cfg.num_partial_product_chunks + (3 if self.has_lookups else 0))

    @property
    def fri_params(self) -> FriParams:
        """FRI parameters for this circuit's degree."""
        return FriParams.for_degree(self.config.fri_config, self.degree_bits)

    def evaluators(self) -> list[GateEvaluators]:
        """The compiled constraint evaluators of each gate."""
        return [GateEvaluators.for_gate(g) for g in self.gates]

    def description(self) -> bytes:
        """Canonical text of everything that defines the constraint system but the tables."""
        parts = [
            f"psyc-plonk-v1;degree_bits={self.degree_bits};pis={self.num_public_inputs}",
            "config=" + ",".join(map(str, self.config.to_list())),
            "gates=" + ",".join(f"{g.id}:{g.fingerprint}" for g in self.gates),
        ]
        return ";".join(parts).encode()


@dataclass
class VerifierOnlyCircuitData:
    constants_sigmas_cap: MerkleCap
    circuit_digest: list[int]

    @property
    def fingerprint(self) -> list[int]:
        """Identity of the circuit: Poseidon digest of the cap and the circuit digest."""
        return hash_no_pad([x for d in self.constants_sigmas_cap for x in d] + self.circuit_digest)


@dataclass
class ProverOnlyCircuitData:
    generators: list[Generator]
    cell_class: np.ndarray  # (num_wires, n) int64: class id of each cell
    num_classes: int
    zero_class: int  # class of unused cells, always 0
    target_class: list[int]  # target index -> class id
    public_input_classes: list[int]
    row_scopes: list[str]
    row_gate_index: np.ndarray  # (n,) gate index per row
    constants_values: np.ndarray  # (num_selectors + num_constants, n)
    sigma_values: np.ndarray  # (num_routed, n)
    constants_sigmas: PolynomialBatch
    constants_sigmas_table: np.ndarray | None = None  # the range table column (lookups only)
    # arrays the prover keeps on a backend across proofs, keyed (backend name, what)
    resident: dict = field(default_factory=dict, repr=False, compare=False)


def _digest_of_bytes(b: bytes) -> list[int]:
    h = hashlib.sha256(b).digest()
    return [int.from_bytes(h[8 * i : 8 * i + 8], "little") % P for i in range(4)]


def circuit_digest(common: CommonCircuitData, cap: MerkleCap) -> list[int]:
    """The digest binding the preprocessed cap and the common data (config, degree, gates,
    public-input count); the first thing every transcript observes. Verifiers recompute it
    rather than trust a stored one."""
    return hash_no_pad([x for d in cap for x in d] + _digest_of_bytes(common.description()))


def check_gate_set(gates: list[Gate]) -> None:
    """Structural rules on a circuit's gate list (build time and key load; ValueError):
    one lookup gate at most — the logUp argument reads one lookup selector, so the rows
    of a second lookup gate would go unchecked — and at most one blinding gate."""
    for name in ("lookup", "blinding"):
        found = [g.id for g in gates if g.name == name]
        if len(found) > 1:
            raise ValueError(
                f"the circuit has {len(found)} {name} gates ({', '.join(found)}); one at most is allowed"
            )
