"""The gate set. Each gate is defined once, symbolically; see :mod:`.base` and :mod:`.codegen`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from psyc.plonk.gates.arithmetic import arithmetic_gate
from psyc.plonk.gates.base import GATE_KINDS, PI_DIGEST_LEN, Gate, GateKind, const, gate_kind, pi, wire
from psyc.plonk.gates.base_sum import base_sum_gate
from psyc.plonk.gates.bigint import bigint_carry_gate, bigint_mul_gate
from psyc.plonk.gates.constant import constant_gate
from psyc.plonk.gates.coset_interpolation import coset_interpolation_gate
from psyc.plonk.gates.evaluators import GateEvaluators
from psyc.plonk.gates.exponentiation import exponentiation_gate
from psyc.plonk.gates.extension_arithmetic import extension_arithmetic_gate
from psyc.plonk.gates.gfp5_mul import gfp5_mul_gate
from psyc.plonk.gates.lookup import lookup_gate
from psyc.plonk.gates.noop import blinding_gate, noop_gate
from psyc.plonk.gates.poseidon import poseidon_gate
from psyc.plonk.gates.public_input import public_input_gate
from psyc.plonk.gates.random_access import random_access_gate
from psyc.plonk.gates.reducing import reducing_gate

if TYPE_CHECKING:
    from psyc.plonk.config import CircuitConfig

# every gate module above registers its kind (constructor and parameter limits) with
# @gate_kind beside the gate's definition: GATE_KINDS is complete once they are imported


def check_gate_spec(name: str, params: tuple[int, ...], config: CircuitConfig) -> None:
    """Bound a stored gate's parameters against a circuit config *before* building it: a
    crafted verifying key could otherwise ask for billions of constraints (its digest
    cannot stop that, since anyone can recompute it). Raises ValueError."""
    kind = GATE_KINDS.get(name)
    if kind is None:
        raise ValueError(f"unknown gate type '{name}'")
    bound = kind.limits(config, tuple(params))
    if len(params) != len(bound) or any(not 1 <= p <= b for p, b in zip(params, bound, strict=True)):
        raise ValueError(f"'{name}' has parameters {list(params)} outside {bound}")


def gate_from_spec(name: str, params: tuple[int, ...]) -> Gate:
    """Rebuild a gate from its name and parameters (as stored in verifying keys)."""
    kind = GATE_KINDS.get(name)
    if kind is None:
        raise ValueError(f"unknown gate '{name}'")
    gate = kind.make(*params)
    if gate.params != tuple(params):
        raise ValueError(f"gate '{name}' does not take parameters {params}")
    return gate


__all__ = [
    "GATE_KINDS",
    "GateKind",
    "check_gate_spec",
    "gate_kind",
    "gate_from_spec",
    "poseidon_gate",
    "PI_DIGEST_LEN",
    "Gate",
    "GateEvaluators",
    "const",
    "pi",
    "wire",
    "arithmetic_gate",
    "base_sum_gate",
    "constant_gate",
    "coset_interpolation_gate",
    "exponentiation_gate",
    "extension_arithmetic_gate",
    "gfp5_mul_gate",
    "bigint_mul_gate",
    "bigint_carry_gate",
    "lookup_gate",
    "noop_gate",
    "blinding_gate",
    "public_input_gate",
    "random_access_gate",
    "reducing_gate",
]
