"""The gate set. Each gate is defined once, symbolically; see :mod:`.base` and :mod:`.codegen`."""

from __future__ import annotations

from psyc.plonk.gates.arithmetic import arithmetic_gate
from psyc.plonk.gates.base import (
    GATE_KINDS,
    PI_DIGEST_LEN,
    Gate,
    GateKind,
    check_gate_spec,
    const,
    gate_from_spec,
    gate_kind,
    pi,
    wire,
)
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

# every gate module above registers its kind (constructor and parameter limits) with
# @gate_kind beside the gate's definition: GATE_KINDS is complete once they are imported.
# The catalog then answers the public constructors with the gates' facts (no sympy).
from psyc.plonk.gates import catalog as _catalog  # noqa: E402,F401  isort: skip


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
