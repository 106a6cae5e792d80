"""Base decomposition (range checks): w0 = sum_i limb_i * B^i with every limb in [0, B).

Wire 0 is the value, wires 1..num_limbs its little-endian limbs. Each limb is forced into
range by prod_{j<B} (limb - j) = 0, so the degree is B. With B = 2 and 63 limbs this is a
bit decomposition; callers must keep num_limbs * log2(B) < 64 or add the check that the
limbs do not alias x + p.
"""

from functools import cache

from psyc.plonk.gates.base import Gate, gate_kind, wire


@gate_kind("base_sum", lambda config, params: [config.num_wires - 1, 8])
@cache  # gates are immutable; building one runs sympy (callers ask per operation)
def base_sum_gate(num_limbs: int, base: int = 2) -> Gate:
    if base < 2 or num_limbs < 1:
        raise ValueError("base_sum_gate needs base >= 2 and at least one limb")
    value = wire(0)
    limbs = [wire(1 + i) for i in range(num_limbs)]
    recomposed = sum(limb * base**i for i, limb in enumerate(limbs))
    constraints = [recomposed - value]
    for limb in limbs:
        product = 1
        for j in range(base):
            product *= limb - j
        constraints.append(product)
    return Gate(
        name="base_sum",
        num_wires=1 + num_limbs,
        num_constants=0,
        constraints=tuple(constraints),
        description=f"w0 = {num_limbs} limbs of base {base}, each limb in [0, {base})",
        params=(num_limbs, base),
    )


def bits_witness(n: int):
    """A base-2 row's witness generator: the low ``n`` bits of the value, little-endian."""
    return lambda v: [(v[0] >> i) & 1 for i in range(n)]
