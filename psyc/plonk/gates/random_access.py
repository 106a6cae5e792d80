"""Random access: w1 = items[index] for 2^bits items, index = w0 given by its bits.

Wires: 0 index, 1 claimed value, 2 .. 2+2^bits the items, then the index bits (little
endian). The selection is folded pairwise by the bits, so the degree is bits + 1.
"""

from functools import cache

from psyc.plonk.gates.base import Gate, wire


@cache  # gates are immutable; building one runs sympy (callers ask per operation)
def random_access_gate(bits: int) -> Gate:
    if not 1 <= bits <= 5:
        raise ValueError("random_access_gate supports 1..5 index bits (2..32 items)")
    n = 1 << bits
    index, claimed = wire(0), wire(1)
    items = [wire(2 + i) for i in range(n)]
    bit_wires = [wire(2 + n + j) for j in range(bits)]
    constraints = [sum(b * (1 << j) for j, b in enumerate(bit_wires)) - index]
    constraints += [b * (b - 1) for b in bit_wires]
    layer = items
    for b in bit_wires:
        layer = [layer[2 * k] + b * (layer[2 * k + 1] - layer[2 * k]) for k in range(len(layer) // 2)]
    constraints.append(layer[0] - claimed)
    return Gate(
        name="random_access",
        num_wires=2 + n + bits,
        num_constants=0,
        constraints=tuple(constraints),
        description=f"w1 = items[w0] over {n} items",
        params=(bits,),
    )
