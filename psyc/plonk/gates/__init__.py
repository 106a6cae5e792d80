"""The gate set. Each gate is defined once, symbolically; see :mod:`.base` and :mod:`.codegen`."""

from psyc.plonk.gates.arithmetic import arithmetic_gate
from psyc.plonk.gates.base import PI_DIGEST_LEN, Gate, const, pi, wire
from psyc.plonk.gates.base_sum import base_sum_gate
from psyc.plonk.gates.codegen import GateEvaluators
from psyc.plonk.gates.constant import constant_gate
from psyc.plonk.gates.coset_interpolation import coset_interpolation_gate
from psyc.plonk.gates.exponentiation import exponentiation_gate
from psyc.plonk.gates.extension_arithmetic import extension_arithmetic_gate
from psyc.plonk.gates.gfp5_mul import gfp5_mul_gate
from psyc.plonk.gates.lookup import lookup_gate
from psyc.plonk.gates.noop import blinding_gate, noop_gate
from psyc.plonk.gates.poseidon import poseidon_gate
from psyc.plonk.gates.public_input import public_input_gate
from psyc.plonk.gates.random_access import random_access_gate
from psyc.plonk.gates.reducing import reducing_gate

_CONSTRUCTORS = {
    "arithmetic": arithmetic_gate,
    "base_sum": base_sum_gate,
    "constant": constant_gate,
    "coset_interpolation": coset_interpolation_gate,
    "exponentiation": exponentiation_gate,
    "extension_arithmetic": extension_arithmetic_gate,
    "gfp5_mul": gfp5_mul_gate,
    "lookup": lookup_gate,
    "noop": noop_gate,
    "blinding": blinding_gate,
    "poseidon": poseidon_gate,
    "public_input": public_input_gate,
    "random_access": random_access_gate,
    "reducing": reducing_gate,
}


def check_gate_spec(name: str, params: tuple[int, ...], config) -> None:
    """Bound a stored gate's parameters against a circuit config *before* building it: a
    crafted verifying key could otherwise ask for billions of constraints (its digest
    cannot stop that, since anyone can recompute it). Raises ValueError."""
    limits = {
        "arithmetic": [config.num_wires // 4],
        "extension_arithmetic": [config.num_wires // 8],
        "gfp5_mul": [config.num_wires // 15],
        "constant": [config.num_constants],
        "base_sum": [config.num_wires - 1, 8],
        "exponentiation": [(config.num_wires - 2) // 2],
        "random_access": [5],
        "reducing": [config.num_wires],
        "coset_interpolation": [4],
        "lookup": [config.num_wires],
        "poseidon": [],
        "public_input": [],
        "noop": [],
        "blinding": [],
    }
    if name not in limits:
        raise ValueError(f"unknown gate type '{name}'")
    bound = limits[name]
    if name == "random_access" and len(params) == 2:  # the multi-select form (bits, copies)
        bound = [5, config.num_wires]
    if len(params) != len(bound) or any(not 1 <= p <= b for p, b in zip(params, bound, strict=True)):
        raise ValueError(f"'{name}' has parameters {list(params)} outside {bound}")


def gate_from_spec(name: str, params: tuple[int, ...]) -> Gate:
    """Rebuild a gate from its name and parameters (as stored in verifying keys)."""
    if name not in _CONSTRUCTORS:
        raise ValueError(f"unknown gate '{name}'")
    gate = _CONSTRUCTORS[name](*params)
    if gate.params != tuple(params):
        raise ValueError(f"gate '{name}' does not take parameters {params}")
    return gate


__all__ = [
    "check_gate_spec",
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
    "exponentiation_gate",
    "extension_arithmetic_gate",
    "gfp5_mul_gate",
    "noop_gate",
    "blinding_gate",
    "public_input_gate",
    "random_access_gate",
    "reducing_gate",
]
