"""The CUDA C sources of the GPU backend, rendered from the jinja2 templates beside this
module, and the signatures of their kernels.

Importing this module needs neither CuPy nor a GPU: the same sources are compiled by
NVRTC on a device (:mod:`psyc.backend_gpu.runtime`), by ``nvcc`` in the tests, and as
C++ by the CPU emulation harness (:mod:`psyc.backend_gpu.emulation`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from psyc.hash.constants import (
    HALF_FULL_ROUNDS,
    PARTIAL_ROUNDS,
    RATE,
    TOTAL_ROUNDS,
    WIDTH,
    mds_matrix,
    round_constants,
)
from psyc.util.codegen import cached_source, template_environment

if TYPE_CHECKING:
    from psyc.plonk.gates.base import Gate
    from psyc.plonk.vanishing import TermSystem

_ENV = template_environment("psyc.backend_gpu")

#: The extension's non-residue (F[x]/(x^2 - 7), psyc.field.extension).
EXT_W = 7
#: log2 of the values an NTT block transforms in shared memory (2^12 x 8 B = 32 KiB).
NTT_LOG_SHARED = 12
NTT_SHARED_THREADS = 512

#: The templates of the core module, in order (each may use what the earlier ones define).
CORE_TEMPLATES = ("field.cuh.j2", "vector.cu.j2", "ntt.cu.j2", "poseidon.cu.j2", "plonk.cu.j2", "fri.cu.j2")


def render_gpu(template: str, **context: object) -> str:
    return _ENV.get_template(template).render(**context)


def template_text_gpu(template: str) -> str:
    """The raw text of a template (part of the cache keys of what it renders)."""
    return _ENV.loader.get_source(_ENV, template)[0]


def field_header() -> str:
    return render_gpu("field.cuh.j2", ext_w=EXT_W)


@cache
def core_source() -> str:
    """Field, vector, NTT, Poseidon, Plonk and FRI kernels as one translation unit."""
    context = {
        "ext_w": EXT_W,
        "log_shared": NTT_LOG_SHARED,
        "shared_threads": NTT_SHARED_THREADS,
        "width": WIDTH,
        "rate": RATE,
        "rounds": TOTAL_ROUNDS,
        "half_full": HALF_FULL_ROUNDS,
        "partial": PARTIAL_ROUNDS,
        "rc": [list(r) for r in round_constants()],
        "mds": [list(row) for row in mds_matrix()],
    }
    return "\n".join(render_gpu(t, **context) for t in CORE_TEMPLATES)


def cuda_kernel_name(gate: Gate) -> str:
    """The C identifier of a gate's GPU quotient kernel."""
    return "gate_" + "".join(ch if ch.isalnum() else "_" for ch in gate.id)


# The printing below needs the gates' emitter, hence sympy: imported where a kernel is
# printed (a cache miss), so that this module stays cheap to import (emulation, signatures)
# and a prover whose kernels' sources are cached needs neither.
_CODEGEN = Path(__file__).resolve().parents[1] / "plonk" / "gates" / "codegen.py"
_SOURCES = Path(__file__)  # this printer: part of every printed kernel's cache key


def gate_cuda_source(gate: Gate) -> str:
    """CUDA C of ``gate``'s quotient kernel (one ``extern "C"`` kernel, named by
    :func:`cuda_kernel_name`), printed by the gates' emitter from the same constraints as
    the numba evaluator; cached on disk like the numba source."""
    from psyc.plonk.gates.base import PI_DIGEST_LEN

    def make() -> str:
        from psyc.plonk.gates import codegen

        temps, outs = codegen.emit(gate.constraints, codegen.CUDA_BACKEND)
        used = set(re.findall(r"\b[a-z]+\d+\b", " ".join([c for _, c in temps] + outs)))  # inputs to load
        return render_gpu(
            "gate.cu.j2",
            gate=gate,
            kernel=cuda_kernel_name(gate),
            pi_len=PI_DIGEST_LEN,
            temps=temps,
            outs=outs,
            used=used,
        )

    key = ";".join([gate.id, gate.fingerprint, _CODEGEN.read_text(), _SOURCES.read_text(),
                    template_text_gpu("gate.cu.j2")])
    return cached_source(f"gate_cuda_{gate.id}", key, make)


@cache
def terms_cuda_source(system: TermSystem) -> str:
    """CUDA C of a :class:`~psyc.plonk.vanishing.TermSystem`'s quotient kernel
    (``system.CUDA_KERNEL``, the field header included), printed by the gates' emitter
    from the terms' definition; cached on disk."""
    def make() -> str:
        from psyc.plonk.gates import codegen

        temps, outs = codegen.emit(system.expanded(), codegen.CUDA_BACKEND)
        used = set(re.findall(r"\b[A-Za-z_][A-Za-z_0-9]*\b", " ".join([c for _, c in temps] + outs)))
        return render_gpu(
            "terms.cu.j2",
            title=system.title,
            kernel=system.CUDA_KERNEL,
            columns=system.columns,
            has_next=any(shifted and name in used for name, _, _, shifted in system.columns),
            scalars=[(name, k) for k, name in enumerate(system.scalars)],
            used=used,
            temps=temps,
            outs=outs,
        )

    key = ";".join([system.key(), _CODEGEN.read_text(), _SOURCES.read_text(), template_text_gpu("terms.cu.j2")])
    kernel = cached_source(f"vanishing_cuda_{system.slug}", key, make)
    return "\n".join(["#define GL_FIELD_NOINLINE", field_header(), kernel])


def gates_source(gates: Sequence[Gate]) -> str:
    """The quotient kernels of ``gates`` (printed by the gates' CUDA emitter from their
    symbolic constraints) as one translation unit."""
    seen, parts = set(), ["#define GL_FIELD_NOINLINE", field_header()]
    for g in gates:
        if g.num_constraints and g.id not in seen:
            seen.add(g.id)
            parts.append(gate_cuda_source(g))
    return "\n".join(parts)


@dataclass(frozen=True)
class KernelSignature:
    """A kernel's name, its parameters' kinds ('ptr', 'u64', 'i64', 'i32'), the element
    type of each pointer parameter ('u64' or 'i64'; None for scalars) and whether it
    synchronises its block (the emulation runs such kernels' threads as fibers)."""

    name: str
    params: tuple[str, ...]
    barriers: bool
    pointees: tuple[str | None, ...] = ()


_KERNEL = re.compile(r'extern "C" __global__ void (\w+)\(([^)]*)\)\s*\{')
_KINDS = {"u64": "u64", "i64": "i64", "int": "i32"}


def kernel_signatures(source: str) -> dict[str, KernelSignature]:
    """Every ``extern "C" __global__`` kernel of ``source``, with its parameter kinds."""
    out = {}
    for m in _KERNEL.finditer(source):
        params, pointees = [], []
        for p in m.group(2).split(","):
            decl = " ".join(p.split()).rsplit(" ", 1)[0].replace("const ", "")  # drop the name
            params.append("ptr" if "*" in decl else _KINDS[decl])
            pointees.append(decl.rstrip("* ") if "*" in decl else None)
        body_end = _matching_brace(source, m.end() - 1)
        barriers = "__syncthreads" in source[m.end() : body_end]
        out[m.group(1)] = KernelSignature(m.group(1), tuple(params), barriers, tuple(pointees))
    return out


def _matching_brace(text: str, open_at: int) -> int:
    depth = 0
    for k in range(open_at, len(text)):
        if text[k] == "{":
            depth += 1
        elif text[k] == "}":
            depth -= 1
            if depth == 0:
                return k
    raise ValueError("unbalanced braces in a kernel source")
