"""Where a recursive verifier's rows go: row counts per verifier stage and gate type."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from psyc.plonk.circuit import CircuitData

_QUERY = re.compile(r"query_\d+")


def stage_of(scope: str, depth: int = 3) -> str:
    """``recursion/fri/query_7/merkle_oracle_1`` → ``recursion/fri/query_*/merkle_oracle_1``
    (query rounds merged), cut to ``depth`` + 1 components when it names a query."""
    parts = _QUERY.sub("query_*", scope or "(top)").split("/")
    return "/".join(parts[: depth + (1 if "query_*" in parts else 0)])


def rows_by_stage(data: CircuitData, depth: int = 3) -> dict[str, Counter]:
    """{stage: Counter(gate id -> rows)} for a built circuit (padding rows excluded)."""
    po, gates = data.prover_only, data.common.gates
    out: dict[str, Counter] = {}
    for scope, gi in zip(po.row_scopes, po.row_gate_index.tolist(), strict=True):
        if scope == "padding":
            continue
        out.setdefault(stage_of(scope, depth), Counter())[gates[gi].id] += 1
    return dict(sorted(out.items()))


def format_rows_by_stage(data: CircuitData, depth: int = 3) -> str:
    table = rows_by_stage(data, depth)
    lines = []
    for stage, counts in table.items():
        detail = ", ".join(f"{g} {n}" for g, n in counts.most_common())
        lines.append(f"{sum(counts.values()):6d}  {stage}  ({detail})")
    total = sum(sum(c.values()) for c in table.values())
    lines.append(f"{total:6d}  total (2^{data.common.degree_bits} rows with padding)")
    return "\n".join(lines)
