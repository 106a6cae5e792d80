"""Public inputs: wires 0..3 hold the Poseidon digest of the public inputs.

The verifier hashes the public inputs itself and feeds the digest in as ``pi0..pi3``,
so a proof is bound to exactly the public inputs it is checked against.
"""

from functools import cache

from psyc.plonk.gates.base import PI_DIGEST_LEN, Gate, gate_kind, pi, wire


@gate_kind("public_input", lambda config, params: [])
@cache  # gates are immutable; building one runs sympy (callers ask per operation)
def public_input_gate() -> Gate:
    return Gate(
        name="public_input",
        num_wires=PI_DIGEST_LEN,
        num_constants=0,
        constraints=tuple(wire(i) - pi(i) for i in range(PI_DIGEST_LEN)),
        description="wires 0..3 = digest of the public inputs",
    )
