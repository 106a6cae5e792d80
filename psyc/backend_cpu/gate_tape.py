"""The instruction set of the tape run by :mod:`psyc.backend_cpu.gate_vm` (no numba
here: the code generator imports it to assemble tapes). Gates read wires (source 0),
constants (source 1) and the public-input digest (scalars); the permutation and logUp
terms read their columns (:data:`psyc.plonk.vanishing.PERMUTATION_SOURCES`) and
challenges (scalars).

Instructions are rows ``(op, dst, a, b)`` of an int64 array, with a uint64 immediate
each; registers hold canonical values, and one 128-bit accumulator (per row) sums the
terms of a linear form with one reduction at the end (``OP_FIN``).
"""

# rows per block: dispatch amortised, registers in L2 (Poseidon: ~140 x 2 KiB); a fold's gate
# terms took 0.33 s of CPU at 64 rows, 0.28 at 128, 0.24 at 256 and at 512
BLOCK = 256

OP_LOAD = 0  # r[dst] = sources[b][a, rows]
OP_LOAD_NEXT = 1  # r[dst] = sources[b][a, nxt[rows]]  (the next point, ω x)
OP_SCALAR = 2  # r[dst] = scalars[a]
OP_IMM = 3  # r[dst] = imm
OP_ADD = 4  # r[dst] = r[a] + r[b]
OP_SUB = 5  # r[dst] = r[a] - r[b]
OP_MUL = 6  # r[dst] = r[a] * r[b]
OP_NEG = 7  # r[dst] = -r[a]
OP_MAC = 8  # acc += imm * r[a]         (imm < 2^32: the exact product)
OP_MAC_BIG = 9  # acc += (imm * r[a] mod p)  (any imm: reduced below 2^64 first)
OP_FIN = 10  # r[dst] = acc mod p; acc = 0

REG_A = frozenset({OP_ADD, OP_SUB, OP_MUL, OP_NEG, OP_MAC, OP_MAC_BIG})  # `a` is a register
REG_B = frozenset({OP_ADD, OP_SUB, OP_MUL})  # `b` is a register

#: Sources every kernel call passes (unused ones are a 1×1 placeholder): one signature,
#: one compile, for gates and vanishing terms alike.
NUM_SOURCES = 6
