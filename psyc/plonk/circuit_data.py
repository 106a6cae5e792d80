"""Building a circuit's data: layout, selectors, permutation (sigmas), preprocessed commitment."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from psyc.field.goldilocks import MULTIPLICATIVE_GENERATOR, P, primitive_root_of_unity
from psyc.field.vector import powers_vec, scale_vec
from psyc.fri.config import FriParams
from psyc.fri.oracle import PolynomialBatch
from psyc.hash.merkle import MerkleCap
from psyc.hash.poseidon import hash_no_pad
from psyc.plonk.builder import Row
from psyc.plonk.config import CircuitConfig
from psyc.plonk.gates import Gate, GateEvaluators, noop_gate
from psyc.plonk.witness import Generator

MIN_DEGREE_BITS = 2


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
        return 1 << self.degree_bits

    @property
    def num_selectors(self) -> int:
        return len(self.gates)

    @property
    def num_preprocessed(self) -> int:
        return self.num_selectors + self.config.num_constants + self.config.num_routed_wires

    @property
    def num_zs_columns(self) -> int:
        """Per challenge: Z, then the partial products (the last one is Z(gx), not stored)."""
        return self.config.num_challenges * self.config.num_partial_product_chunks

    @property
    def fri_params(self) -> FriParams:
        return FriParams.for_degree(self.config.fri_config, self.degree_bits)

    def evaluators(self) -> list[GateEvaluators]:
        return [GateEvaluators.for_gate(g) for g in self.gates]

    def description(self) -> bytes:
        """Canonical text of everything that defines the constraint system but the tables."""
        parts = [
            f"psyc-plonk-v1;degree_bits={self.degree_bits};pis={self.num_public_inputs}",
            "config="
            + ",".join(
                map(
                    str,
                    [
                        self.config.num_wires,
                        self.config.num_routed_wires,
                        self.config.num_constants,
                        self.config.num_challenges,
                        self.config.max_quotient_degree_factor,
                        int(self.config.zero_knowledge),
                        *self.config.fri_config.to_list(),
                    ],
                )
            ),
            "gates=" + ",".join(g.id for g in self.gates),
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
    target_class: dict[int, int]  # target index -> class id
    public_input_classes: list[int]
    row_scopes: list[str]
    row_gate_index: np.ndarray  # (n,) gate index per row
    constants_values: np.ndarray  # (num_selectors + num_constants, n)
    sigma_values: np.ndarray  # (num_routed, n)
    constants_sigmas: PolynomialBatch


@dataclass
class CircuitData:
    prover_only: ProverOnlyCircuitData
    verifier_only: VerifierOnlyCircuitData
    common: CommonCircuitData
    stats: dict = field(default_factory=dict)

    def prove(self, witness, **kwargs):
        from psyc.plonk.prover import prove

        return prove(self, witness, **kwargs)

    def verify(self, proof) -> None:
        from psyc.plonk.verifier import verify

        verify(proof, self.verifier_only, self.common)

    @property
    def verifier_data(self):
        """The verifying key on its own (``.to_bytes()``, ``.fingerprint``, ``.verify``)."""
        from psyc.plonk.keys import VerifyingKey

        return VerifyingKey(self.verifier_only, self.common)


def _digest_of_bytes(b: bytes) -> list[int]:
    h = hashlib.sha256(b).digest()
    return [int.from_bytes(h[8 * i : 8 * i + 8], "little") % P for i in range(4)]


def build_circuit(builder) -> CircuitData:
    config: CircuitConfig = builder.config
    rows = builder.rows
    n = 1 << max(MIN_DEGREE_BITS, (len(rows) - 1).bit_length())
    degree_bits = n.bit_length() - 1
    noop = noop_gate()
    while len(rows) < n:
        rows.append(Row(noop, [0] * config.num_constants, [], "padding"))

    # gate set in order of first use; one selector column per gate
    gates: list[Gate] = []
    index: dict[str, int] = {}
    for r in rows:
        if r.gate.id not in index:
            index[r.gate.id] = len(gates)
            gates.append(r.gate)
    for g in gates:
        if g.degree + 1 > config.max_quotient_degree_factor:
            raise ValueError(
                f"gate {g.id} has degree {g.degree}; with its selector that exceeds {config.max_quotient_degree_factor}"
            )

    # union-find classes -> dense ids; cells of one class form one permutation cycle
    find = builder._find
    class_of_root: dict[int, int] = {}
    W, R = config.num_wires, config.num_routed_wires
    cell_class = np.empty((W, n), dtype=np.int64)
    filler = []  # fresh classes for unused cells
    occurrences: dict[int, list[tuple[int, int]]] = {}
    for i, r in enumerate(rows):
        for col in range(W):
            if col < len(r.cells) and r.cells[col] is not None:
                root = find(r.cells[col].index)
                cid = class_of_root.setdefault(root, len(class_of_root))
                occurrences.setdefault(cid, []).append((col, i))
            else:
                cid = -1
                filler.append((col, i))
            cell_class[col, i] = cid
    num_classes = len(class_of_root)
    zero_class = num_classes  # unused cells hold 0, satisfying every gate's constraints
    for col, i in filler:
        cell_class[col, i] = zero_class
    num_classes += 1

    for cells in occurrences.values():
        if len(cells) > 1 and any(col >= R for col, _ in cells):
            col, row = next((c, r_) for c, r_ in cells if c >= R)
            raise ValueError(
                f"a target is used in non-routed column {col} (row {row}, gate {rows[row].gate.id}, "
                f"scope '{rows[row].scope}') and elsewhere; only columns < {R} can be copied"
            )

    # sigma: each routed cell points to the next cell of its class
    omega = primitive_root_of_unity(degree_bits)
    k_is = [pow(MULTIPLICATIVE_GENERATOR, j, P) for j in range(R)]
    omega_pows = [pow(omega, i, P) for i in range(n)]
    identity_row = powers_vec(omega, n)
    sigma = np.stack([scale_vec(identity_row, k) for k in k_is])
    for cells in occurrences.values():
        routed = [(c, r_) for c, r_ in cells if c < R]
        for k, (col, row) in enumerate(routed):
            ncol, nrow = routed[(k + 1) % len(routed)]
            sigma[col, row] = k_is[ncol] * omega_pows[nrow] % P

    selectors = np.zeros((len(gates), n), dtype=np.uint64)
    consts = np.zeros((config.num_constants, n), dtype=np.uint64)
    row_gate = np.empty(n, dtype=np.int64)
    for i, r in enumerate(rows):
        gi = index[r.gate.id]
        selectors[gi, i] = 1
        row_gate[i] = gi
        consts[:, i] = r.constants
    constants_values = np.concatenate([selectors, consts])
    fri = config.fri_config
    preprocessed = PolynomialBatch.from_values(
        np.concatenate([constants_values, sigma]), fri.rate_bits, fri.cap_height
    )

    common = CommonCircuitData(
        config=config,
        degree_bits=degree_bits,
        gates=gates,
        num_public_inputs=len(builder.public_inputs),
        k_is=k_is,
        num_gate_constraints=max((g.num_constraints for g in gates), default=0),
    )
    cap = preprocessed.cap
    circuit_digest = hash_no_pad([x for d in cap for x in d] + _digest_of_bytes(common.description()))
    verifier_only = VerifierOnlyCircuitData(cap, circuit_digest)

    target_class = {}
    for t in range(builder._num_targets):
        root = find(t)
        if root in class_of_root:
            target_class[t] = class_of_root[root]
    # targets never placed in a cell still need a home for their values (hints)
    extra = {}
    for t in range(builder._num_targets):
        if t not in target_class:
            root = find(t)
            if root not in extra:
                extra[root] = num_classes
                num_classes += 1
            target_class[t] = extra[root]

    prover_only = ProverOnlyCircuitData(
        generators=builder.generators,
        cell_class=cell_class,
        num_classes=num_classes,
        target_class=target_class,
        public_input_classes=[target_class[t.index] for t in builder.public_inputs],
        row_scopes=[r.scope for r in rows],
        row_gate_index=row_gate,
        constants_values=constants_values,
        sigma_values=sigma,
        constants_sigmas=preprocessed,
    )
    stats = {
        "rows": len([r for r in rows if r.scope != "padding"]),
        "degree_bits": degree_bits,
        "gates": dict(Counter(r.gate.id for r in rows)),
        "scopes": dict(Counter(r.scope or "(top)" for r in rows)),
    }
    return CircuitData(prover_only, verifier_only, common, stats)
