"""A gate's generated evaluators, loaded from the on-disk cache without sympy.

:mod:`.codegen` writes each gate's evaluators (the CPU tape, the generic-operator
function the verifier runs at ζ, the circuit-builder calls of the recursive verifier)
once per gate definition into the psyc cache. Loading them back needs only the gate's id
and fingerprint (which :mod:`.catalog` knows without building the gate), so a verifier
neither imports sympy nor runs the generator; on a cache miss :mod:`.codegen` generates.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, cached_property
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from psyc.field.extension import Ext2
from psyc.field.goldilocks import P
from psyc.util.codegen import cached_source, load_generated_module

if TYPE_CHECKING:
    from psyc.plonk.builder import CircuitBuilder
    from psyc.plonk.gates.base import Gate
    from psyc.plonk.gates.catalog import GateInfo

_CODEGEN = Path(__file__).with_name("codegen.py")
_TEMPLATE = Path(__file__).resolve().parents[2] / "backend_cpu" / "templates" / "gate.py.j2"
# the tape VM's opcodes, which the module's tape is written in
_TAPE_VM = Path(__file__).resolve().parents[2] / "backend_cpu" / "gate_tape.py"


def generated_module(gate: Gate | GateInfo) -> ModuleType:
    """The generated evaluators of ``gate`` (a :class:`~.base.Gate` or its
    :class:`~.catalog.GateInfo`): the source is cached on disk per gate definition,
    generator and template; the module per source."""

    def make() -> str:
        from psyc.plonk.gates.codegen import _source

        return _source(gate.full() if hasattr(gate, "full") else gate)

    key = ";".join([gate.id, gate.fingerprint, _CODEGEN.read_text(), _TEMPLATE.read_text(), _TAPE_VM.read_text()])
    source = cached_source(f"gate_{gate.id}", key, make)
    return load_generated_module(f"gate_{gate.id}", source)


def pairs_module(gate: Gate | GateInfo) -> ModuleType:
    """The generated pair evaluator of ``gate`` (what the verifier runs at ζ), a module of
    its own: cached on disk per gate definition and generator, as :func:`generated_module`."""

    def make() -> str:
        from psyc.plonk.gates.codegen import _pairs_source

        return _pairs_source(gate.full() if hasattr(gate, "full") else gate)

    key = ";".join([gate.id, gate.fingerprint, _CODEGEN.read_text()])
    return load_generated_module(f"gate_pairs_{gate.id}", cached_source(f"gate_pairs_{gate.id}", key, make))


class GateEvaluators:
    """Evaluators of one gate, all generated from its constraints; each generated module is
    loaded when first used (a verifier needs only the pair evaluator)."""

    def __init__(self, gate: Gate | GateInfo) -> None:
        self.gate = gate
        self._tape = None

    @cached_property
    def _mod(self) -> ModuleType:
        return generated_module(self.gate)

    @cached_property
    def _pairs(self) -> ModuleType:
        return pairs_module(self.gate)

    @staticmethod
    @cache
    def for_gate(gate: Gate | GateInfo) -> GateEvaluators:
        """Shared evaluators per gate definition (generation runs sympy's CSE: not free)."""
        return GateEvaluators(gate)

    def accumulate_quotient_terms(
        self, wires: np.ndarray, consts: np.ndarray, selector: np.ndarray, pi_digest: np.ndarray,
        alphas: np.ndarray, out: np.ndarray,
    ) -> None:
        """out[a, i] += selector[i] * sum_k alphas[a]^k * C_k(row i), on uint64 arrays."""
        if not self.gate.num_constraints:
            return
        from psyc.backend_cpu import gate_vm  # numba: only the prover needs it

        if self._tape is None:
            m = self._mod
            self._tape = (
                np.array(m.TAPE_CODE, dtype=np.int64).reshape(-1, 4),
                np.array(m.TAPE_IMM, dtype=np.uint64),
                m.TAPE_REGS,
                np.array(m.TAPE_OUTPUTS, dtype=np.int64),
            )
        sources = gate_vm.sources_tuple(wires, consts)
        gate_vm.accumulate(
            *self._tape, sources, gate_vm.NO_NEXT, pi_digest, selector, alphas, gate_vm.NONE, out,
            f"gate {self.gate.name}", ("wires", "constants"),
        )  # fmt: skip

    def eval_ints(self, w: list[int], c: list[int], pi_digest: list[int]) -> list[int]:
        """Constraint values of one concrete row (canonical ints; all zero iff satisfied)."""
        return [int(v) % P for v in self._mod.eval_generic(w, c, pi_digest)]

    def eval_ext(self, w: list[Ext2], c: list[Ext2], pi_digest: list[Ext2]) -> list[Ext2]:
        """Constraint values at an extension point (the verifier's check at ζ)."""
        return [Ext2.coerce(v) for v in self._mod.eval_generic(w, c, pi_digest)]

    def eval_pairs(
        self, w: Sequence[tuple[int, int]], c: Sequence[tuple[int, int]], pi_digest: Sequence[int]
    ) -> list[tuple[int, int]]:
        """Constraint values at an extension point, on integer pairs (the verifier's check
        at ζ, without an :class:`Ext2` per operation): ``w`` and ``c`` are (a0, a1) pairs
        (:class:`Ext2` values are), ``pi_digest`` base-field ints; each value is a pair of
        ints congruent mod p to its coordinates, not reduced."""
        return self._pairs.eval_pairs(w, c, pi_digest)

    def eval_circuit(self, builder: CircuitBuilder, w: list, c: list, pi_digest: list) -> list:
        """The constraints as circuit operations on extension targets ``(a0, a1)`` — what a
        recursive verifier uses to check a proof's gates at ζ inside a circuit."""
        return self._mod.eval_circuit(builder, w, c, pi_digest)
