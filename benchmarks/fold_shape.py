"""A fold of two proofs in the standard shape against the shape before issue 18 (2^14 rows,
blowup 8, 28 queries), in the same process: rows, prove time (CPU and wall, best of
``--repeat``), prover phases, verify time and proof size.

Usage::

    python benchmarks/fold_shape.py [--repeat 5] [--json OUT]

CPU time is ``time.process_time`` (all threads of the process: the prover's numba kernels
run on every core), the figure to compare on a shared machine; wall time is shown beside it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from psyc.bench.suite import fold_setup  # noqa: E402
from psyc.fri import FriConfig  # noqa: E402
from psyc.plonk.keys import proof_to_bytes  # noqa: E402
from psyc.plonk.prover import Timing  # noqa: E402
from psyc.recursion.aggregate import fold_circuit  # noqa: E402
from psyc.recursion.shape import StandardShape, shape_config, standard_shape  # noqa: E402


def old_shape() -> StandardShape:
    """The standard shape before issue 18 moved it: FriConfig.standard() at 2^14 rows."""
    return StandardShape(shape_config(FriConfig.standard()), 14)


def measure(name: str, shape: StandardShape, repeat: int) -> dict:
    shape, (left, right), whitelist = fold_setup(shape)
    t = time.perf_counter()
    fc = fold_circuit(shape, 1, 2)
    build = time.perf_counter() - t
    fc.prove(left, right, whitelist)  # warm-up (JIT caches, memory)
    best = None
    for _ in range(repeat):
        timing = Timing()
        c, w = time.process_time(), time.perf_counter()
        proof = fc.prove(left, right, whitelist, timing=timing)
        run = (time.process_time() - c, time.perf_counter() - w, timing.phases)
        if best is None or run[0] < best[0]:
            best = run
    verify = float("inf")
    for _ in range(repeat):
        w = time.perf_counter()
        fc.data.verify(proof)
        verify = min(verify, time.perf_counter() - w)
    fri = shape.config.fri_config
    return {
        "shape": name,
        "degree_bits": shape.degree_bits,
        "fri": f"blowup {1 << fri.rate_bits}, {fri.num_query_rounds} queries, "
               f"{fri.conjectured_security_bits()} bits",
        "rows": fc.data.stats["rows"] + fc.data.stats["prelude_rows"],
        "build_s": build,
        "prove_cpu_s": best[0],
        "prove_wall_s": best[1],
        "phases_wall_s": best[2],
        "verify_s": verify,
        "proof_kib": len(proof_to_bytes(proof)) / 1024,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    results = [measure("before (2^14)", old_shape(), args.repeat),
               measure("standard (2^13)", standard_shape(), args.repeat)]
    print("| shape | FRI | rows | prove CPU | prove wall | verify | proof |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['shape']} | {r['fri']} | {r['rows']:,} | {r['prove_cpu_s']:.2f} s | "
              f"{r['prove_wall_s']:.2f} s | {r['verify_s'] * 1e3:.1f} ms | {r['proof_kib']:.0f} KiB |")
    for r in results:
        phases = ", ".join(f"{k} {v:.2f}" for k, v in r["phases_wall_s"].items())
        print(f"{r['shape']} phases (wall s, best CPU run): {phases}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
