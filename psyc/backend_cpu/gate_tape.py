"""The instruction set of the gate tape run by :mod:`psyc.backend_cpu.gate_vm` (no numba
here: the code generator imports it to assemble tapes).

Instructions are rows ``(op, dst, a, b)`` of an int64 array, with a uint64 immediate
each; registers hold canonical values, and one 128-bit accumulator (per row) sums the
terms of a linear form with one reduction at the end (``OP_FIN``).
"""

BLOCK = 64  # rows per block: dispatch amortised, registers stay in L1/L2

OP_WIRE = 0  # r[dst] = wires[a, rows]
OP_CONST = 1  # r[dst] = consts[a, rows]
OP_PI = 2  # r[dst] = pi[a]
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
