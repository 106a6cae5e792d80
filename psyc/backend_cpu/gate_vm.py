"""The gate quotient evaluator: one numba kernel that runs any gate's constraints.

A gate's constraints (and the permutation and logUp terms, :mod:`psyc.plonk.vanishing`)
are compiled (by :mod:`psyc.plonk.gates.codegen`, from the same
symbolic definition as every other evaluator) to a *tape*: straight-line instructions on
numbered registers. This kernel runs the tape on blocks of ``BLOCK`` rows: every
instruction is a loop over the block's lanes with a branch-free body, which LLVM turns
into SIMD code, so the per-instruction dispatch is paid once per ``BLOCK`` rows.

Why a tape and not generated numba code per gate: the Poseidon gate's straight-line
evaluator (about 3,000 field operations) took over five minutes to compile (LLVM is
super-linear on such functions), and every gate paid a compile of its own. This kernel
compiles once per installation, in seconds, for every gate there is or will be.

The instruction set is in :mod:`psyc.backend_cpu.gate_tape`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numba import njit

from psyc.backend_cpu import gate_tape
from psyc.backend_cpu.gate_tape import (
    BLOCK,
    NUM_SOURCES,
    OP_ADD,
    OP_FIN,
    OP_LOAD,
    OP_LOAD_NEXT,
    OP_MAC,
    OP_MAC_BIG,
    OP_MUL,
    OP_NEG,
    OP_SCALAR,
    OP_SUB,
    REG_A,
    REG_B,
)
from psyc.field.field_kernels import (
    MASK32,
    SHIFT32,
    ZERO,
    P,
    _all_ones_if,
    add_lanes_u64,
    canon_lanes_u64,
    mul_lanes_u64,
    mul_nc_lanes_u64,
    reduce128_lanes_u64,
    sub_lanes_u64,
)
from psyc.util import threads


@njit(cache=True)
def _run_block(code, imm, regs, acc_hi, acc_lo, sources, nxt, scalars, i0, m):
    for pc in range(code.shape[0]):
        op = code[pc, 0]
        rd = regs[code[pc, 1]]
        a = code[pc, 2]
        b = code[pc, 3]
        # operands are register numbers, except for the loads (a column or an index)
        ra = regs[a if op >= OP_ADD else 0]
        rb = regs[b if OP_ADD <= op <= OP_MUL else 0]
        if op == OP_MUL:
            for k in range(m):
                rd[k] = mul_lanes_u64(ra[k], rb[k])
        elif op == OP_MAC:
            c = imm[pc]
            for k in range(m):
                x = ra[k]
                lo = c * (x & MASK32)  # c < 2^32: two exact 64-bit partial products
                hi = c * (x >> SHIFT32)
                s = acc_lo[k] + lo
                carry = np.uint64(s < lo)
                t = hi << SHIFT32
                s2 = s + t
                acc_lo[k] = s2
                acc_hi[k] += (hi >> SHIFT32) + carry + np.uint64(s2 < t)
        elif op == OP_ADD:
            for k in range(m):
                rd[k] = add_lanes_u64(ra[k], rb[k])
        elif op == OP_SUB:
            for k in range(m):
                rd[k] = sub_lanes_u64(ra[k], rb[k])
        elif op == OP_FIN:
            for k in range(m):
                rd[k] = canon_lanes_u64(reduce128_lanes_u64(acc_hi[k], acc_lo[k]))
                acc_hi[k] = ZERO
                acc_lo[k] = ZERO
        elif op == OP_MAC_BIG:
            c = imm[pc]
            for k in range(m):
                r = mul_nc_lanes_u64(c, ra[k])
                s = acc_lo[k] + r
                acc_lo[k] = s
                acc_hi[k] += np.uint64(s < r)
        elif op == OP_NEG:
            for k in range(m):
                x = ra[k]
                rd[k] = (P - x) & _all_ones_if(x != ZERO)
        elif op == OP_LOAD:
            src = sources[b]
            for k in range(m):
                rd[k] = canon_lanes_u64(src[a, i0 + k])
        elif op == OP_LOAD_NEXT:
            src = sources[b]
            for k in range(m):
                rd[k] = canon_lanes_u64(src[a, nxt[i0 + k]])
        elif op == OP_SCALAR:
            v = canon_lanes_u64(scalars[a])
            for k in range(m):
                rd[k] = v
        else:  # OP_IMM
            v = imm[pc]
            for k in range(m):
                rd[k] = v


#: The placeholder for an unused source (sources are a fixed-length tuple: one signature).
UNUSED = np.zeros((1, 1), dtype=np.uint64)
NONE = np.zeros(0, dtype=np.uint64)
NO_NEXT = np.zeros(0, dtype=np.int64)


def sources_tuple(*arrays: np.ndarray) -> tuple:
    """``arrays`` as the VM's sources: C-contiguous 2-D uint64 (a column is one row),
    padded to :data:`NUM_SOURCES` with :data:`UNUSED`. A source may be wider than the
    rows the VM runs on (it reads columns below ``out``'s width only)."""
    out = tuple(_writeable(dense_rows(a)) for a in arrays)
    if len(out) > NUM_SOURCES:
        raise ValueError(f"at most {NUM_SOURCES} sources")
    return out + (UNUSED,) * (NUM_SOURCES - len(out))


def dense_rows(a: np.ndarray) -> np.ndarray:
    """``a``'s rows (all axes but the last flattened) as a C-contiguous 2-D array whose
    leading ``a.shape[-1]`` columns are ``a``'s: ``a`` itself when C-contiguous; for a
    view of the leading columns of a wider C-contiguous array (the quotient's prefix of
    an LDE, :meth:`CpuBackend.prefix_columns`) the wider rows, without a copy (copying
    the wires' prefix cost 0.17 s of a fold); else a copy."""
    if a.flags.c_contiguous:
        return a.reshape(math.prod(a.shape[:-1]), a.shape[-1])
    n = a.shape[-1]
    flat = a.view()
    try:
        flat.shape = (math.prod(a.shape[:-1]), n)  # raises where a reshape would copy
    except AttributeError:
        return np.ascontiguousarray(a).reshape(-1, n)
    item = a.itemsize
    row = flat.strides[0]
    owner = a
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    start = flat.__array_interface__["data"][0]
    end = owner.__array_interface__["data"][0] + owner.nbytes
    if (
        flat.strides[1] == item
        and row % item == 0
        and row >= n * item
        and owner.flags.c_contiguous
        and start + flat.shape[0] * row <= end
    ):
        return np.lib.stride_tricks.as_strided(flat, (flat.shape[0], row // item), (row, item))
    return np.ascontiguousarray(flat)


def _writeable(a: np.ndarray) -> np.ndarray:
    # numba types read-only arrays apart: one would make a second signature (a compile)
    return a if a.flags.writeable else a.copy()


def accumulate(
    code: np.ndarray, imm: np.ndarray, num_regs: int, outputs: np.ndarray, sources: tuple[np.ndarray, ...],
    nxt: np.ndarray, scalars: np.ndarray, selector: np.ndarray, alphas: np.ndarray, offsets: np.ndarray,
    out: np.ndarray, name: str = "tape", source_names: Sequence[str] = (),
) -> None:
    """out[a, i] += selector[i] * offsets[a] * sum_k alphas[a]^k * C_k(row i) for every row i,
    where C_k is the value of register ``outputs[k]`` after the tape ``(code, imm)``; an
    empty ``selector`` or ``offsets`` reads as ones. ``nxt[i]`` is the column of the next
    point (read by ``OP_LOAD_NEXT`` only). The blocks are split across threads.

    The kernel does not bounds-check (it would cost per row): every index the tape reads
    is checked here, once per call, against the arrays given (:func:`check_bounds`);
    ``name`` (the gate or term system) and ``source_names`` only word the ValueError."""
    blocks = -(-out.shape[1] // BLOCK)
    reads, code, num_regs, outputs = _prepared(code, num_regs, outputs, name)
    check_bounds(reads, sources, nxt, scalars, selector, alphas, offsets, out, name, source_names)
    args = (code, imm, num_regs, outputs, sources, nxt, scalars, selector, alphas, offsets, out)
    threads.run_ranges(_accumulate_blocks, blocks, *args, min_per_thread=_MIN_BLOCKS_PER_THREAD)


class TapeReads(NamedTuple):
    """What a tape reads, as ``(index + 1, pc)`` of its largest read (``(0, -1)``: none):
    ``columns[s]`` of source ``s`` (either load), ``scalars`` of the scalars vector;
    ``next_pc``: an ``OP_LOAD_NEXT`` (reads ``nxt``), or -1."""

    columns: tuple[tuple[int, int], ...]
    scalars: tuple[int, int]
    next_pc: int


_OP_NAMES = {v: k for k, v in vars(gate_tape).items() if k.startswith("OP_")}


def _prepared(
    code: np.ndarray, num_regs: int, outputs: np.ndarray, name: str
) -> tuple[TapeReads, np.ndarray, int, np.ndarray]:
    """The tape's reads (:func:`tape_reads`: checked against the tape itself) and the tape
    without aliasing (:func:`_without_aliasing`), remembered per tape: the first use of
    Poseidon's tape takes about 0.5 ms, a lookup 25 µs (hashing the tape's bytes)."""
    key = (code.tobytes(), num_regs, outputs.tobytes())
    hit = _PREPARED.get(key)
    if hit is None:
        hit = _PREPARED[key] = (tape_reads(code, num_regs, outputs, name), *_without_aliasing(code, num_regs, outputs))
    return hit


_PREPARED: dict[tuple[bytes, int, bytes], tuple[TapeReads, np.ndarray, int, np.ndarray]] = {}


def _largest(index: np.ndarray, pcs: np.ndarray) -> tuple[int, int]:
    if not index.shape[0]:
        return 0, -1
    k = int(np.argmax(index))
    return int(index[k]) + 1, int(pcs[k])


def tape_reads(code: np.ndarray, num_regs: int, outputs: np.ndarray, name: str = "tape") -> TapeReads:
    """What the tape reads; a ValueError naming ``name`` and the instruction where the tape
    is malformed: an unknown opcode, a register outside ``num_regs``, a source number
    outside :data:`NUM_SOURCES`, a negative column or scalar, no outputs."""
    code = np.asarray(code, dtype=np.int64).reshape(-1, 4)
    pcs = np.arange(code.shape[0])
    op = code[:, 0]

    def bad(pc: int, what: str) -> ValueError:
        return ValueError(f"{name}: instruction {pc} ({_OP_NAMES.get(int(op[pc]), op[pc])}) {what}")

    if code.shape[0] and (op.min() < 0 or op.max() > gate_tape.OP_FIN):
        pc = int(np.flatnonzero((op < 0) | (op > gate_tape.OP_FIN))[0])
        raise bad(pc, f"has no such opcode {op[pc]}")
    load = (op == OP_LOAD) | (op == OP_LOAD_NEXT)
    for field, used in ((1, ~np.isin(op, [OP_MAC, OP_MAC_BIG])), (2, np.isin(op, list(REG_A))), (3, np.isin(op, list(REG_B)))):
        regs = code[used, field]
        wrong = np.flatnonzero((regs < 0) | (regs >= num_regs))
        if wrong.size:
            pc = int(pcs[used][wrong[0]])
            raise bad(pc, f"uses register {regs[wrong[0]]} of a register file of {num_regs}")
    if not outputs.shape[0]:  # the kernel reads outputs[-1]
        raise ValueError(f"{name}: the tape has no outputs")
    wrong = np.flatnonzero((outputs < 0) | (outputs >= num_regs))
    if wrong.size:
        raise ValueError(f"{name}: output {wrong[0]} is register {outputs[wrong[0]]} of a register file of {num_regs}")
    src = code[:, 3]
    wrong = np.flatnonzero(load & ((src < 0) | (src >= NUM_SOURCES) | (code[:, 2] < 0)))
    if wrong.size:
        pc = int(wrong[0])
        raise bad(pc, f"reads column {code[pc, 2]} of source {src[pc]} (there are {NUM_SOURCES} sources)")
    scalar = op == OP_SCALAR
    wrong = np.flatnonzero(scalar & (code[:, 2] < 0))
    if wrong.size:
        raise bad(int(wrong[0]), f"reads scalar {code[wrong[0], 2]}")
    columns = tuple(_largest(code[load & (src == s), 2], pcs[load & (src == s)]) for s in range(NUM_SOURCES))
    nxt = np.flatnonzero(op == OP_LOAD_NEXT)
    return TapeReads(columns, _largest(code[scalar, 2], pcs[scalar]), int(nxt[0]) if nxt.size else -1)


def check_bounds(
    reads: TapeReads, sources: tuple[np.ndarray, ...], nxt: np.ndarray, scalars: np.ndarray,
    selector: np.ndarray, alphas: np.ndarray, offsets: np.ndarray, out: np.ndarray,
    name: str = "tape", source_names: Sequence[str] = (),
) -> None:
    """Raise a ValueError (naming ``name``, the instruction, the source and the index)
    where a call would make the kernel read past an array: a column at or past its
    source's width, a source or ``nxt`` shorter than ``out``'s rows, a scalar past
    ``scalars``, fewer selector rows, offsets or output rows than the kernel reads.
    O(number of sources): no per-row cost. (``nxt``'s values are the quotient domain's
    own permutation of the rows and are not scanned: that would be a pass over them.)"""
    n = out.shape[1]
    for s, (need, pc) in enumerate(reads.columns):
        if not need:
            continue
        src = sources[s]
        label = f"source {s} ({source_names[s]})" if s < len(source_names) else f"source {s}"
        if need > src.shape[0]:
            raise ValueError(
                f"{name}: instruction {pc} reads column {need - 1} of {label}, which has {src.shape[0]} columns"
            )
        if src.shape[1] < n:
            raise ValueError(f"{name}: {label} has {src.shape[1]} rows, the call {n}")
    need, pc = reads.scalars
    if need > scalars.shape[0]:
        raise ValueError(f"{name}: instruction {pc} reads scalar {need - 1} of {scalars.shape[0]}")
    if reads.next_pc >= 0 and nxt.shape[0] < n:
        raise ValueError(f"{name}: instruction {reads.next_pc} reads the next point; nxt has {nxt.shape[0]} of {n} rows")
    if selector.shape[0] and selector.shape[0] < n:
        raise ValueError(f"{name}: the selector has {selector.shape[0]} rows, the call {n}")
    if alphas.shape[0] > out.shape[0]:
        raise ValueError(f"{name}: {alphas.shape[0]} alphas but {out.shape[0]} output rows")
    if offsets.shape[0] and offsets.shape[0] < alphas.shape[0]:
        raise ValueError(f"{name}: {offsets.shape[0]} offsets for {alphas.shape[0]} alphas")


def _without_aliasing(code: np.ndarray, num_regs: int, outputs: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
    """The tape with its registers allocated again so that no instruction writes a register
    it reads. Where ``dst`` is a source, LLVM's run-time overlap check sends the lane loop
    to its scalar version: the fold's gate terms took 2.2x as long (0.71 s against 0.32 s
    of CPU). Same instructions, same values (remembered per tape by :func:`_prepared`)."""
    try:
        return _reallocate(code, outputs)
    except KeyError:  # reads a register before any write (its zero): leave it be
        return code, num_regs, outputs


def _reallocate(code: np.ndarray, outputs: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
    import heapq

    # every write makes a new value; a read names the register's latest value
    latest: dict[int, int] = {}
    reads: list[tuple[int, ...]] = []
    writes: list[int] = []
    last: dict[int, int] = {}
    for i, (op, d, a, b) in enumerate(code.tolist()):
        srcs = tuple(latest[r] for r, used in ((a, op in REG_A), (b, op in REG_B)) if used)
        for v in srcs:
            last[v] = i
        reads.append(srcs)
        if op in (OP_MAC, OP_MAC_BIG):  # writes the accumulator, not a register
            writes.append(-1)
            continue
        latest[d] = i
        writes.append(i)
    final = [latest[r] for r in outputs.tolist()]
    for v in final:
        last[v] = len(code)  # live to the end
    phys: dict[int, int] = {}
    free: list[int] = []
    size = 0
    out = code.copy()
    for i, (srcs, w) in enumerate(zip(reads, writes, strict=True)):
        ps = [phys[v] for v in srcs]
        pd = 0
        if w >= 0:  # chosen while the sources are still held: never one of them
            pd = heapq.heappop(free) if free else size
            size = max(size, pd + 1)
            phys[w] = pd
        for v in set(srcs):
            if last[v] == i:
                heapq.heappush(free, phys[v])
        if w >= 0 and w not in last:  # never read
            heapq.heappush(free, pd)
        out[i, 1] = pd
        if code[i, 0] in REG_A:
            out[i, 2] = ps[0]
        if code[i, 0] in REG_B:
            out[i, 3] = ps[1]
    return out, max(size, 1), np.array([phys[v] for v in final], dtype=np.int64)


# A serial kernel on a range of blocks, threaded from Python: with prange, numba's parfor
# passes made this the slowest kernel left to compile (7.5 s of a first run, issue 11).
_MIN_BLOCKS_PER_THREAD = 4  # 1,024 rows


@njit(nogil=True, cache=True)
def _accumulate_blocks(code, imm, num_regs, outputs, sources, nxt, scalars, selector, alphas, offsets, out, b0, b1):
    n = out.shape[1]
    nout = outputs.shape[0]
    regs = np.zeros((num_regs, BLOCK), dtype=np.uint64)  # one register file, reused by every block
    acc_hi = np.zeros(BLOCK, dtype=np.uint64)
    acc_lo = np.zeros(BLOCK, dtype=np.uint64)
    tmp = np.empty(BLOCK, dtype=np.uint64)
    for blk in range(b0, b1):
        i0 = blk * BLOCK
        m = min(BLOCK, n - i0)
        _run_block(code, imm, regs, acc_hi, acc_lo, sources, nxt, scalars, i0, m)
        for a in range(alphas.shape[0]):
            al = alphas[a]
            last = regs[outputs[nout - 1]]
            for k in range(m):
                tmp[k] = last[k]
            for j in range(nout - 2, -1, -1):  # Horner: sum_k al^k C_k
                rj = regs[outputs[j]]
                for k in range(m):
                    tmp[k] = add_lanes_u64(mul_lanes_u64(tmp[k], al), rj[k])
            if offsets.shape[0]:
                off = offsets[a]
                for k in range(m):
                    tmp[k] = mul_lanes_u64(tmp[k], off)
            if selector.shape[0]:
                for k in range(m):
                    tmp[k] = mul_lanes_u64(selector[i0 + k], tmp[k])
            for k in range(m):
                out[a, i0 + k] = add_lanes_u64(canon_lanes_u64(out[a, i0 + k]), tmp[k])
