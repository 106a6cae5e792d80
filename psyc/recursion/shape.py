"""The standard shape: one ``CommonCircuitData`` layout for proofs meant to be folded.

A verifier circuit is built for the *shape* of the proofs it checks (config, degree,
gate list, number of public inputs); with the key as witness
(:mod:`psyc.recursion.vk`) it then accepts a proof of any circuit of that shape.
Recursion therefore needs circuits whose shape does not depend on what they compute:

* **config** and **degree**: fixed (:class:`StandardShape`); a circuit with fewer rows
  is padded with no-op rows up to ``2^degree_bits`` rows, one with more is an error;
* **gate list**: the gate set *and its order* (the order of the selector columns)
  are fixed. :class:`StandardBuilder` places, before anything else, one valid row of
  every gate of the shape in the shape's order (a constant, an arithmetic op, a bit
  decomposition, a Poseidon permutation of zeros, an extension op, a multi-select row per
  ``random_access`` size, a coset interpolation, a reduction, a no-op row); the
  public-input gate, placed by ``build``, comes last. A gate outside the set is an error;
* **public inputs**: their number is part of the shape (``shape.common(n)``).

The gate set is what the recursive verifier of a proof of the shape itself needs: the
constant, arithmetic, base-sum, Poseidon and extension-arithmetic gates, multi-select
``random_access`` for the cap height and for the folding arity, ``coset_interpolation``
for the arity and ``reducing`` for the opened values of a FRI query.
Folding therefore closes: a circuit that verifies two proofs of the shape (plus a few
hundred rows of its own logic) is again of the shape.

:func:`wrap` proves a proof of *any* circuit inside a circuit of the shape with the same
public inputs. When the verifier of the given circuit does not fit (other FRI
parameters, other gates, too many rows), it first wraps it into an intermediate circuit
with the shape's config (any degree), whose verifier does fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from psyc.fri import FriConfig
from psyc.plonk.build import build_circuit
from psyc.plonk.builder import CircuitBuilder
from psyc.plonk.circuit_data import CommonCircuitData
from psyc.plonk.config import CircuitConfig
from psyc.plonk.gates import noop_gate, public_input_gate
from psyc.plonk.witness import PartialWitness
from psyc.recursion.gadgets import assert_random_access_many, reduce_base_with_powers
from psyc.util.gc_pause import with_gc_paused

if TYPE_CHECKING:
    from psyc.plonk.circuit import CircuitData
    from psyc.plonk.circuit_data import VerifierOnlyCircuitData
    from psyc.plonk.keys import VerifyingKey
    from psyc.plonk.proof import ProofWithPublicInputs

#: Constant columns of the shape's config (``CircuitConfig.standard()`` has 2). A verifier
#: evaluates the Poseidon gate's constraints at ζ with ~460 distinct base-field constants
#: (MDS products of the partial rounds), each a constant target: 6 per ``constant`` row
#: instead of 2 saves ~150 rows per verifier, and the constants/sigmas leaf (10 selectors +
#: 6 constants + 80 sigmas = 96 elements) still hashes in 12 permutations.
SHAPE_NUM_CONSTANTS = 6

#: FRI parameters of the shape: blowup 16 and 21 queries instead of ``FriConfig.standard()``'s
#: blowup 8 and 28 (cap height 4, 16 proof-of-work bits, folding by 16 unchanged). The
#: conjectured security is the same, 4·21 + 16 = 3·28 + 16 = 100 bits; a query costs a
#: recursive verifier ~130 rows and the bigger blowup only one Merkle level more per oracle,
#: so a verifier of a 2^13-row proof takes 3,620 rows instead of 4,389 and a fold of two fits
#: 2^13 rows (docs/recursion.md, "Cost of folding"). The prover's LDE of a 2^13-row circuit
#: at blowup 16 is as long as that of a 2^14-row one at blowup 8.
SHAPE_FRI_CONFIG = FriConfig(rate_bits=4, num_query_rounds=21)


def shape_config(fri_config: FriConfig | None = None) -> CircuitConfig:
    """``CircuitConfig.standard()``'s table with the shape's :data:`SHAPE_NUM_CONSTANTS`
    constant columns and FRI parameters ``fri_config`` (default :data:`SHAPE_FRI_CONFIG`)."""
    std = CircuitConfig.standard()
    return replace(std, num_constants=SHAPE_NUM_CONSTANTS, fri_config=fri_config or SHAPE_FRI_CONFIG)


class ShapeError(ValueError):
    """A circuit does not fit the standard shape (too many rows, or a gate outside its set)."""


@dataclass(frozen=True)
class StandardShape:
    """Config, degree and (derived) gate list shared by every circuit of the shape."""

    config: CircuitConfig = field(default_factory=shape_config)
    degree_bits: int = 13

    def __post_init__(self) -> None:
        if self.config.zero_knowledge:
            raise ValueError("the standard shape uses a config without zero knowledge")
        if self.config.num_wires < 135:
            raise ValueError("the standard shape needs 135 wires (one-row Poseidon)")

    @cached_property
    def gates(self) -> list:
        """The gate list in selector order (the prelude's gates, then the public-input gate)."""
        b = CircuitBuilder(self.config)
        _prelude(b, self.config)
        ids, gates = set(), []
        for r in b.rows:
            if r.gate.id not in ids:
                ids.add(r.gate.id)
                gates.append(r.gate)
        return [*gates, public_input_gate()]

    @property
    def gate_ids(self) -> list[str]:
        return [g.id for g in self.gates]

    def common(self, num_public_inputs: int) -> CommonCircuitData:
        """The ``CommonCircuitData`` of every circuit of the shape with this many public inputs."""
        from psyc.field.goldilocks import MULTIPLICATIVE_GENERATOR, P

        return CommonCircuitData(
            config=self.config,
            degree_bits=self.degree_bits,
            gates=list(self.gates),
            num_public_inputs=num_public_inputs,
            k_is=[pow(MULTIPLICATIVE_GENERATOR, j, P) for j in range(self.config.num_routed_wires)],
            num_gate_constraints=max(g.num_constraints for g in self.gates),
        )

    def matches(self, common: CommonCircuitData) -> bool:
        """Whether ``common`` is of this shape (any number of public inputs)."""
        return (
            common.config == self.config
            and common.degree_bits == self.degree_bits
            and [g.id for g in common.gates] == self.gate_ids
            and [g.fingerprint for g in common.gates] == [g.fingerprint for g in self.gates]
        )

    def builder(self) -> StandardBuilder:
        return StandardBuilder(self)

    @property
    def max_rows(self) -> int:
        return 1 << self.degree_bits


def _prelude(b: CircuitBuilder, config: CircuitConfig) -> None:
    """One satisfiable row of every gate of the shape, in the shape's order."""
    with b.scope("shape_prelude"):
        zero, one = b.zero(), b.one()  # constant gate
        b.mul(one, one)  # arithmetic
        b.split_le(zero, 1)  # base_sum_63
        b.permute([zero] * 12)  # poseidon
        ez, eo = (zero, zero), (one, zero)
        b.mul_extension(eo, eo)  # extension arithmetic
        fri = config.fri_config
        arity = fri.reduction_arity_bits
        for bits in sorted({fri.cap_height, arity} - {0}):  # the verifier's multi-select sizes
            assert_random_access_many(b, zero, [[zero] * (1 << bits)], [zero])
        b.interpolate_coset(one, [ez] * (1 << arity), (zero, one))  # coset_interpolation
        reduce_base_with_powers(b, [zero], ez)  # reducing (the FRI query's opened values)
        b.add_gate_row(noop_gate(), [])


class StandardBuilder(CircuitBuilder):
    """A ``CircuitBuilder`` whose circuits have the standard shape (see the module docstring)."""

    def __init__(self, shape: StandardShape) -> None:
        super().__init__(shape.config)
        self.shape = shape
        _prelude(self, shape.config)
        self._prelude_rows = len(self.rows)

    def build(self):
        shape = self.shape
        allowed = set(shape.gate_ids)
        extra = sorted({r.gate.id for r in self.rows} - allowed)
        if extra:
            raise ShapeError(f"gates {extra} are not in the standard shape's set {shape.gate_ids}")
        with self.scope("public_inputs"):
            digest = self.hash_or_noop(self.public_inputs)
            self.add_gate_row(public_input_gate(), list(digest))
        n = len(self.rows)
        if n > shape.max_rows:
            raise ShapeError(f"the circuit has {n} rows; the standard shape holds 2^{shape.degree_bits}")
        noop = noop_gate()
        half = shape.max_rows // 2
        with self.scope("padding"):
            while len(self.rows) <= half:
                self.add_gate_row(noop, [])
        data = build_circuit(self)
        data.stats["rows"] = n - self._prelude_rows
        data.stats["prelude_rows"] = self._prelude_rows
        if not shape.matches(data.common):  # pragma: no cover - guarded by the checks above
            raise ShapeError(f"built {[g.id for g in data.common.gates]}, expected {shape.gate_ids}")
        return data


# --- shapes -------------------------------------------------------------------------------


def standard_shape() -> StandardShape:
    """The default shape: ``CircuitConfig.standard()``'s table with :data:`SHAPE_NUM_CONSTANTS`
    constant columns, :data:`SHAPE_FRI_CONFIG` (100-bit conjectured FRI security) and 2^13
    rows, enough to verify two proofs of the shape and fold them (~7,250 rows)."""
    return StandardShape(shape_config(), 13)


def test_shape() -> StandardShape:
    """A small shape for tests and demos: one FRI query (no security at all), 2^11 rows."""
    fri = FriConfig(
        rate_bits=3,
        cap_height=0,
        num_query_rounds=1,
        proof_of_work_bits=1,
        reduction_arity_bits=4,
        final_poly_bits=3,
    )
    return StandardShape(shape_config(fri), 11)


test_shape.__test__ = False  # not a pytest test


def small_shape() -> StandardShape:
    """The test shape's table (one FRI query: no security at all) at 2^12 rows: what PARTH's
    circuits need in tests and in a small devnet (a GUTA fold verifies two proofs and walks
    two 32-level user-tree paths, a session step two proofs and ~150 Merkle levels: more
    than the 2^11 rows of :func:`test_shape`)."""
    return StandardShape(test_shape().config, 12)


#: the shapes by the names key files, devnets and the CLI's ``--shape`` use
SHAPE_NAMES = ("standard", "small", "test")


def shape_named(name: str) -> StandardShape:
    """The shape called ``name`` (one of :data:`SHAPE_NAMES`); ValueError otherwise."""
    shapes = {"standard": standard_shape, "small": small_shape, "test": test_shape}
    if name not in shapes:
        raise ValueError(f"unknown shape {name!r} ({', '.join(SHAPE_NAMES)})")
    return shapes[name]()


def shape_name(shape: StandardShape | None) -> str:
    """The name of ``shape`` (None: the standard one); ValueError for a shape without one."""
    for name in SHAPE_NAMES:
        if shape is None and name == "standard" or shape == shape_named(name):
            return name
    raise ValueError(f"a shape without a name ({shape}): use one of {', '.join(SHAPE_NAMES)}")


# --- wrapping -------------------------------------------------------------------------------

_WRAPPERS: dict = {}


@with_gc_paused
def _wrapper_circuit(shape: StandardShape | None, inner_vk, config: CircuitConfig):
    """(circuit data, proof targets) of a circuit verifying proofs of ``inner_vk`` and
    re-exporting their public inputs; of the shape, or free-form with ``config``."""
    from psyc.recursion.targets import add_proof_targets
    from psyc.recursion.verifier import verify_proof_circuit

    key = (shape, config, tuple(inner_vk.fingerprint), inner_vk.common.description())
    if key not in _WRAPPERS:
        b = shape.builder() if shape is not None else CircuitBuilder(config)
        pt = add_proof_targets(b, inner_vk.common)
        verify_proof_circuit(b, pt, inner_vk.verifier_only, inner_vk.common)
        b.register_public_inputs(pt.public_inputs)
        data = b.build()
        _WRAPPERS[key] = (data, pt)
    return _WRAPPERS[key]


def _prove_wrapper(wrapper, proof):
    from psyc.recursion.witness import set_proof_targets

    data, pt = wrapper
    pw = PartialWitness()
    set_proof_targets(pw, pt, proof)
    return data.prove(pw)


def _wrap_chain(vk, shape: StandardShape, max_steps: int) -> list:
    """The wrapper circuits leading from ``vk`` into the shape (empty when it is of the shape)."""
    chain: list = []
    for _ in range(max_steps):
        if shape.matches(vk.common):
            return chain
        try:
            wrapper = _wrapper_circuit(shape, vk, shape.config)
        except ShapeError:  # the verifier does not fit: an intermediate circuit first
            wrapper = _wrapper_circuit(None, vk, shape.config)
        chain.append(wrapper)
        vk = wrapper[0].verifier_data
    if not shape.matches(vk.common):
        raise ShapeError(f"could not wrap into the standard shape in {max_steps} steps")
    return chain


def wrapped_key(
    key: CircuitData | VerifyingKey, shape: StandardShape | None = None, max_steps: int = 3
) -> VerifierOnlyCircuitData:
    """The key of the standard-shape circuit :func:`wrap` puts proofs of ``key`` into
    (builds the wrapper circuits, proves nothing) — e.g. to whitelist it."""
    shape = shape or standard_shape()
    vk = key.verifier_data if hasattr(key, "prover_only") else key
    chain = _wrap_chain(vk, shape, max_steps)
    return chain[-1][0].verifier_data if chain else vk


def wrap(
    data: CircuitData | VerifyingKey, proof: ProofWithPublicInputs, shape: StandardShape | None = None,
    max_steps: int = 3,
):
    """A proof of the same statement in a circuit of the standard shape.

    ``data``: ``CircuitData`` or ``VerifyingKey`` of any circuit; ``proof``: a valid proof of
    it. Returns ``(wrapped_data, wrapped_proof)``: the wrapper circuit verifies ``proof``
    for ``data``'s fixed key and registers its public inputs as its own, so
    ``wrapped_proof.public_inputs == proof.public_inputs``. When the verifier of ``data``
    does not fit the shape (other FRI parameters or gates, too many rows) an intermediate
    wrapper with the shape's config comes first. A circuit already of the shape is
    returned as it is. Wrapper circuits are cached per inner key."""
    shape = shape or standard_shape()
    vk = data.verifier_data if hasattr(data, "prover_only") else data
    vk.verify(proof)  # a clear error here rather than unsatisfied constraints below
    chain = _wrap_chain(vk, shape, max_steps)
    for wrapper in chain:
        proof = _prove_wrapper(wrapper, proof)
    return (chain[-1][0], proof) if chain else (data, proof)
