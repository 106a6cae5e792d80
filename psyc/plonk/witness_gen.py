"""Run the generators and fill the wire table."""

from __future__ import annotations

import numpy as np

from psyc.field.goldilocks import P
from psyc.plonk.witness import PartialWitness, WitnessError


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

    tc = po.target_class
    pending = list(po.generators)
    while pending:
        progress = False
        waiting = []
        for gen in pending:
            if gen.free and all(values[tc[t.index]] is not None for t in gen.outputs):
                progress = True  # a hint whose outputs the partial witness chose: nothing to run
                continue
            dep_vals = [values[tc[d.index]] for d in gen.deps]
            if None in dep_vals:
                waiting.append(gen)
                continue
            outs = gen.fn(dep_vals)
            if len(outs) != len(gen.outputs):
                raise WitnessError(
                    f"generator '{gen.name}' in scope '{gen.scope}' returned {len(outs)} values for {len(gen.outputs)} outputs"
                )
            for t, v in zip(gen.outputs, outs, strict=True):
                cid = tc[t.index]
                old = values[cid]
                if old is None:
                    if not (type(v) is int and 0 <= v < P):
                        raise WitnessError(
                            f"generator '{gen.name}' in scope '{gen.scope}' produced {v!r} for {t}, not a field element"
                        )
                    values[cid] = v
                elif old != v:
                    raise WitnessError(
                        f"copy constraint violated: generator '{gen.name}' (scope '{gen.scope}') gives {v} for {t}, "
                        f"but the target already holds {old}"
                    )
            progress = True
        if not progress:
            gen = waiting[0]
            missing = [d for d in gen.deps if values[tc[d.index]] is None]
            raise WitnessError(
                f"cannot compute the witness: generator '{gen.name}' in scope '{gen.scope}' waits for "
                f"{missing[:5]} which nothing sets (set them with PartialWitness.set_target)"
            )
        pending = waiting

    known = np.fromiter((v is not None for v in values), dtype=bool, count=len(values))
    unset = int((~known[po.cell_class]).sum())
    if unset:
        raise WitnessError(f"{unset} table cells have no value: some targets are never set")
    table_values = np.array([v if v is not None else 0 for v in values], dtype=np.uint64)
    wires = table_values[po.cell_class]
    public_inputs = [int(table_values[c]) for c in po.public_input_classes]
    return wires, public_inputs
