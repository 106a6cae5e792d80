"""The prover's phases on a fold of two standard-shape proofs: CPU and wall seconds per
phase (best of ``--repeat`` proofs in one process), the proof's SHA-256 (the fold shape
has no zero knowledge, so the bytes are deterministic: a prover change must keep it).

Usage::

    python benchmarks/fold_phases.py [--repeat 5] [--json OUT]

CPU is ``time.process_time`` (every thread of the process); CPU / wall near the number of
cores says the phase keeps them all busy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from psyc.bench.suite import fold_setup  # noqa: E402
from psyc.plonk.keys import proof_to_bytes  # noqa: E402
from psyc.plonk.prover import Timing  # noqa: E402
from psyc.recursion.aggregate import fold_circuit  # noqa: E402
from psyc.recursion.shape import standard_shape  # noqa: E402


class CpuTiming(Timing):
    """Wall and CPU seconds per phase."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str):
        c = time.process_time()
        with super().phase(name):
            yield
        self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    shape, (left, right), whitelist = fold_setup(standard_shape())
    fc = fold_circuit(shape, 1, 2)
    fc.prove(left, right, whitelist)  # warm-up
    runs = []
    for _ in range(args.repeat):
        timing = CpuTiming()
        c, w = time.process_time(), time.perf_counter()
        proof = fc.prove(left, right, whitelist, timing=timing)
        runs.append((time.process_time() - c, time.perf_counter() - w, timing))
    digest = hashlib.sha256(proof_to_bytes(proof)).hexdigest()
    names = list(runs[0][2].phases)
    best = {n: (min(r[2].cpu[n] for r in runs), min(r[2].phases[n] for r in runs)) for n in names}
    print(f"load {os.getloadavg()[0]:.2f}; {args.repeat} proofs; proof sha256 {digest[:16]}")
    print(f"{'phase':32} {'CPU':>7} {'wall':>7} {'CPU/wall':>8}")
    for n in names:
        cpu, wall = best[n]
        print(f"{n:32} {cpu:7.3f} {wall:7.3f} {cpu / max(wall, 1e-9):8.2f}")
    tot_cpu, tot_wall = min(r[0] for r in runs), min(r[1] for r in runs)
    print(f"{'total (best)':32} {tot_cpu:7.3f} {tot_wall:7.3f} {tot_cpu / tot_wall:8.2f}")
    if args.json:
        args.json.write_text(json.dumps({"sha256": digest, "phases": best, "cpu": tot_cpu, "wall": tot_wall,
                                         "load": os.getloadavg()[0]}, indent=1))


if __name__ == "__main__":
    main()
