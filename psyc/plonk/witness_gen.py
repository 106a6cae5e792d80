"""Run the generators and fill the wire table."""

from __future__ import annotations

import numpy as np

from psyc.field.goldilocks import P
from psyc.plonk.witness import Generator, PartialWitness, WitnessError
from psyc.util.gc_pause import with_gc_paused


@with_gc_paused
def generate_witness(data, pw: PartialWitness) -> tuple[np.ndarray, list[int]]:
    """Returns the (num_wires, n) wire table and the public input values."""
    po = data.prover_only
    values: list[int | None] = [None] * po.num_classes
    values[po.zero_class] = 0

    def assign(cid: int, v: int, who: str) -> None:
        old = values[cid]
        if old is None:
            values[cid] = v
        elif old != v:
            raise WitnessError(
                f"copy constraint violated: {who} gives {v}, but the target already holds {old}"
            )

    for t, v in pw.values.items():
        if t.index not in po.target_class:
            raise WitnessError(f"{t} does not belong to this circuit")
        assign(po.target_class[t.index], v, f"the partial witness for {t}")

    wired = _wired_generators(po)
    pending = list(range(len(wired)))
    while pending:
        progress = False
        waiting = []
        for k in pending:
            gen, dep_cls, out_cls = wired[k]
            if gen.free and all(values[c] is not None for c in out_cls):
                progress = True  # a hint whose outputs the partial witness chose: nothing to run
                continue
            dep_vals = [values[c] for c in dep_cls]
            if None in dep_vals:
                waiting.append(k)
                continue
            outs = gen.fn(dep_vals)
            if len(outs) != len(out_cls):
                raise WitnessError(
                    f"generator '{gen.name}' in scope '{gen.scope}' returned {len(outs)} values for {len(out_cls)} outputs"
                )
            for j, (cid, v) in enumerate(zip(out_cls, outs, strict=True)):
                old = values[cid]
                if old is None:
                    if not (type(v) is int and 0 <= v < P):
                        raise WitnessError(
                            f"generator '{gen.name}' in scope '{gen.scope}' produced {v!r} for {gen.outputs[j]}, "
                            "not a field element"
                        )
                    values[cid] = v
                elif old != v:
                    raise WitnessError(
                        f"copy constraint violated: generator '{gen.name}' (scope '{gen.scope}') gives {v} for "
                        f"{gen.outputs[j]}, but the target already holds {old}"
                    )
            progress = True
        if not progress:
            gen, dep_cls, _ = wired[waiting[0]]
            missing = [d for d, c in zip(gen.deps, dep_cls, strict=True) if values[c] is None]
            raise WitnessError(
                f"cannot compute the witness: generator '{gen.name}' in scope '{gen.scope}' waits for "
                f"{missing[:5]} which nothing sets (set them with PartialWitness.set_target)"
            )
        pending = waiting

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
        tc = po.target_class
        wired = [(g, tuple(tc[d.index] for d in g.deps), tuple(tc[t.index] for t in g.outputs)) for g in po.generators]
        cached = po.__dict__["_wired"] = (po.generators, wired)
    return cached[1]
