"""The gate set. Each gate is defined once, symbolically; see :mod:`.base` and :mod:`.codegen`."""

from psyc.plonk.gates.arithmetic import arithmetic_gate
from psyc.plonk.gates.base import PI_DIGEST_LEN, Gate, const, pi, wire
from psyc.plonk.gates.base_sum import base_sum_gate
from psyc.plonk.gates.codegen import GateEvaluators
from psyc.plonk.gates.constant import constant_gate
from psyc.plonk.gates.exponentiation import exponentiation_gate
from psyc.plonk.gates.extension_arithmetic import extension_arithmetic_gate
from psyc.plonk.gates.noop import noop_gate
from psyc.plonk.gates.public_input import public_input_gate
from psyc.plonk.gates.random_access import random_access_gate

__all__ = [
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
    "noop_gate",
    "public_input_gate",
    "random_access_gate",
]
