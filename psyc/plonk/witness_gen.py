"""The witness solver: run the generators and fill the wire table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from psyc.field.goldilocks import P
from psyc.plonk.target import Target
from psyc.plonk.witness import Generator, PartialWitness, WitnessError
from psyc.util.gc_pause import with_gc_paused

if TYPE_CHECKING:
    from psyc.plonk.circuit import CircuitData


class Strict:
    """The prover's policy for :func:`solve`: the first inconsistency raises
    :class:`WitnessError` (the message names the generator, its scope and the target)."""

    def partial_conflict(self, t: Target, v: int, old: int) -> None:
        raise WitnessError(f"copy constraint violated: the partial witness for {t} gives {v}, but the target "
                           f"already holds {old}")

    def failed(self, gen: Generator, error: Exception) -> Sequence[int]:
        raise error

    def wrong_count(self, gen: Generator, outs: Sequence[int]) -> Sequence[int]:
        raise WitnessError(
            f"generator '{gen.name}' in scope '{gen.scope}' returned {len(outs)} values for {len(gen.outputs)} outputs"
        )

    def not_a_field_element(self, gen: Generator, j: int, v: object, old: int | None) -> object:
        if old is None:
            raise WitnessError(
                f"generator '{gen.name}' in scope '{gen.scope}' produced {v!r} for {gen.outputs[j]}, "
                "not a field element"
            )
        return v  # conflicts with the value already there

    def conflict(self, gen: Generator, j: int, v: int, old: int) -> None:
        raise WitnessError(
            f"copy constraint violated: generator '{gen.name}' (scope '{gen.scope}') gives {v} for "
            f"{gen.outputs[j]}, but the target already holds {old}"
        )

    def stuck(self, gen: Generator, missing: list[Target]) -> None:
        raise WitnessError(
            f"cannot compute the witness: generator '{gen.name}' in scope '{gen.scope}' waits for "
            f"{missing[:5]} which nothing sets (set them with PartialWitness.set_target)"
        )


def solve(data: CircuitData, pw: PartialWitness, policy: Strict | None = None) -> list[int | None]:
    """Run the circuit's generators until every copy class they can reach has a value: the
    one witness solver. Returns the value of every class (``data.prover_only.target_class``
    maps targets to classes; None: never set). Values in ``pw`` come first; a hint
    (``free`` generator) whose outputs ``pw`` already chose is not run.

    ``policy`` decides what an inconsistency does (a contradicting value, a generator
    raising or returning the wrong count, one waiting for values nothing sets): the
    default, :class:`Strict`, raises :class:`WitnessError`; the IR's checker
    (``psyc.ir.lower.solve_witness``) records each one and goes on."""
    policy = policy or Strict()
    po = data.prover_only
    values: list[int | None] = [None] * po.num_classes
    values[po.zero_class] = 0
    tc = po.target_class
    for t, v in pw.values.items():
        if not 0 <= t.index < len(tc):
            raise WitnessError(f"{t} does not belong to this circuit")
        cid = tc[t.index]
        old = values[cid]
        if old is None:
            values[cid] = v
        elif old != v:
            policy.partial_conflict(t, v, old)

    wired = _wired_generators(po)
    pending = list(range(len(wired)))
    while pending:
        waiting = []
        for k in pending:  # (the hot loop of witness generation: one pass per generator)
            gen, dep_cls, out_cls = wired[k]
            if gen.free and all(values[c] is not None for c in out_cls):
                continue  # a hint whose outputs the partial witness chose: nothing to run
            dep_vals = [values[c] for c in dep_cls]
            if None in dep_vals:
                waiting.append(k)
                continue
            try:
                outs = gen.fn(dep_vals)
            except Exception as e:
                outs = policy.failed(gen, e)
            if len(outs) != len(out_cls):
                outs = policy.wrong_count(gen, outs)
            for j, cid in enumerate(out_cls):
                v = outs[j]
                old = values[cid]
                if not (type(v) is int and 0 <= v < P):
                    v = policy.not_a_field_element(gen, j, v, old)
                if old is None:
                    values[cid] = v
                elif old != v:
                    policy.conflict(gen, j, v, old)
        if len(waiting) == len(pending):  # no generator could run: nothing progresses
            gen, dep_cls, _ = wired[waiting[0]]
            policy.stuck(gen, [d for d, c in zip(gen.deps, dep_cls, strict=True) if values[c] is None])
            break
        pending = waiting
    return values


@with_gc_paused
def generate_witness(data: CircuitData, pw: PartialWitness) -> tuple[np.ndarray, list[int]]:
    """Returns the (num_wires, n) wire table and the public input values (:func:`solve`
    with the :class:`Strict` policy; a cell no generator reaches is an error)."""
    po = data.prover_only
    values = solve(data, pw)
    if None in values:  # classes nothing set (marked P, not a field element): an error only if a cell uses one
        table_values = np.array([P if v is None else v for v in values], dtype=np.uint64)
        wires = table_values[po.cell_class]
        unset = int(np.count_nonzero(wires == np.uint64(P)))
        if unset:
            raise WitnessError(f"{unset} table cells have no value: some targets are never set")
    else:
        table_values = np.array(values, dtype=np.uint64)
        wires = table_values[po.cell_class]
    public_inputs = [int(table_values[c]) for c in po.public_input_classes]
    return wires, public_inputs


def _wired_generators(po) -> list[tuple[Generator, tuple[int, ...], tuple[int, ...]]]:
    """(generator, class ids of its deps, of its outputs) per generator, once per circuit
    (kept on the prover data; rebuilt if the generator list is replaced)."""
    cached = po.__dict__.get("_wired")
    if cached is None or cached[0] is not po.generators:
        get = po.target_class.__getitem__  # (list displays, not generators: this runs per generator)
        wired = [(g, tuple([get(d[0]) for d in g.deps]), tuple([get(t[0]) for t in g.outputs])) for g in po.generators]
        cached = po.__dict__["_wired"] = (po.generators, wired)
    return cached[1]
