"""Prover benchmarks on the GPU backend beside the CPU backend
(``python -m psyc.bench.gpu_prove --json OUT``): Plonk proofs of 2^14- and 2^16-row
circuits, one fold of two standard-shape proofs (phase by phase), and a 64-leaf
aggregation on the GPU. Every GPU proof is checked byte for byte against the CPU's.
"""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from psyc.backend import ProverBackend
    from psyc.plonk.proof import ProofWithPublicInputs
    from psyc.plonk.prover import Timing


def poseidon_chain_case(num_perms: int):
    """(data, witness) of a chain of Poseidon two-to-one hashes: one row each."""
    from psyc.bench.suite import _poseidon_chain

    return _poseidon_chain(num_perms)


class FoldCase:
    """One fold of two standard-shape leaf proofs (the unit of aggregation)."""

    def __init__(self, quick: bool = False) -> None:
        from psyc.bench.suite import _fold_setup
        from psyc.recursion.aggregate import fold_circuit

        self.shape, self.leaves, self.whitelist = _fold_setup(quick)
        self.circuit = fold_circuit(self.shape, 1, 2)

    def prove(self, backend: ProverBackend, timing: Timing | None = None) -> ProofWithPublicInputs:
        left, right = self.leaves
        return self.circuit.prove(left, right, self.whitelist, backend=backend, timing=timing)


def fold_case(quick: bool = False) -> FoldCase:
    return FoldCase(quick)


def run(
    repeat: int = 3, aggregate_leaves: int = 64, sizes: Sequence[int] = (14, 16), quick: bool = False,
    json_path: str | None = None,
) -> dict:
    """Run the cases; with ``json_path`` the report is rewritten after each case (a run cut
    short by a time limit keeps what it measured)."""
    from psyc.backend import get_backend, set_default_backend
    from psyc.bench.gpu import report, save
    from psyc.bench.suite import _best
    from psyc.plonk.prover import Timing

    gpu, cpu = get_backend("gpu"), get_backend("cpu")
    results = []

    def record(name, size, gpu_s, cpu_s=None, **extra):
        row = {"name": name, "size": size, "gpu_seconds": gpu_s, "cpu_seconds": cpu_s, **extra}
        results.append(row)
        save(report(results, repeat), json_path)
        cpu_txt = f"{cpu_s:8.3f} s" if cpu_s is not None else "      --"
        print(f"  {name:<40} {size:<14} gpu {gpu_s:8.3f} s   cpu {cpu_txt}", flush=True)

    def phases(data, pw, backend):
        timing = Timing()
        data.prove(pw, backend=backend, timing=timing)
        return {k: round(v, 5) for k, v in timing.phases.items()}

    fc = fold_case(quick)
    rows = f"2^{fc.circuit.data.common.degree_bits} rows"
    same = fc.prove(gpu).to_bytes() == fc.prove(cpu).to_bytes()
    t_gpu = _best(lambda: fc.prove(gpu), repeat)
    t_cpu = _best(lambda: fc.prove(cpu), max(1, repeat - 1))
    tg, tc = Timing(), Timing()
    fc.prove(gpu, tg)
    fc.prove(cpu, tc)
    record("fold of two (standard shape)" if not quick else "fold of two (test shape)", rows, t_gpu, t_cpu,
           byte_identical=same, target="whole fold <= 0.3 s, GPU phases <= 30 ms",
           gpu_phases={k: round(v, 5) for k, v in tg.phases.items()},
           cpu_phases={k: round(v, 5) for k, v in tc.phases.items()})

    for log_rows in sizes:
        t = time.perf_counter()
        data, pw = poseidon_chain_case((1 << log_rows) - 600)  # fits 2^log_rows rows
        build = time.perf_counter() - t
        same = data.prove(pw, backend=gpu).to_bytes() == data.prove(pw, backend=cpu).to_bytes()
        t_gpu = _best(lambda d=data, p=pw: d.prove(p, backend=gpu), repeat)
        t_cpu = _best(lambda d=data, p=pw: d.prove(p, backend=cpu), max(1, repeat - 1))
        record("prove Poseidon chain", f"2^{data.common.degree_bits} rows", t_gpu, t_cpu,
               byte_identical=same, build_seconds=build,
               gpu_phases=phases(data, pw, gpu), cpu_phases=phases(data, pw, cpu))

    if aggregate_leaves:
        from psyc.recursion import aggregate, verify_leaf_opening

        leaves = [fc.leaves[i % 2] for i in range(aggregate_leaves)]
        set_default_backend("gpu")
        try:
            t = time.perf_counter()
            agg = aggregate(leaves, fc.whitelist, shape=fc.shape)
            total = time.perf_counter() - t
        finally:
            set_default_backend("cpu")
        ok = verify_leaf_opening(agg.root_proof.public_inputs, agg.opening(aggregate_leaves - 1))
        agg.verify()
        folds = agg.stats["folds"]
        record(f"aggregate {aggregate_leaves} leaves on the GPU", f"{folds} folds", total, None,
               folds_per_second=folds / total, prove_seconds=agg.stats["prove_s"],
               build_seconds=agg.stats["build_s"], leaf_opening_verifies=bool(ok), target=">= 10 folds/s")

    return report(results, repeat)


def warm_up() -> dict:
    """Pay the one-time costs of a fresh machine before anything is timed: generating the
    gate evaluators' sources (sympy), numba's compiles of the CPU kernels, NVRTC's of the
    GPU kernels, and building the benchmark circuits. Returns seconds per step."""
    from psyc.backend import get_backend

    steps: dict[str, float] = {}
    t = time.perf_counter()
    get_backend("gpu")
    steps["GPU core module"] = time.perf_counter() - t
    for name, make in (("Poseidon chain 2^12", lambda: poseidon_chain_case(4000)), ("fold", fold_case)):
        t = time.perf_counter()
        case = make()
        steps[f"{name}: build"] = time.perf_counter() - t
        for be in ("cpu", "gpu"):
            t = time.perf_counter()
            case.prove(be) if name == "fold" else case[0].prove(case[1], backend=be)
            steps[f"{name}: first {be} prove"] = time.perf_counter() - t
    for k, v in steps.items():
        print(f"  {k:<40} {v:8.2f} s", flush=True)
    return steps


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--leaves", type=int, default=64, help="leaves of the aggregation (0: skip it)")
    ap.add_argument("--sizes", default="14,16", help="log2 rows of the Plonk benchmarks")
    ap.add_argument("--quick", action="store_true", help="test-shape fold")
    ap.add_argument("--warm-up", action="store_true", help="only pay the one-time compile and build costs")
    args = ap.parse_args(argv)
    if args.warm_up:
        warm_up()
        return 0
    sizes = tuple(int(s) for s in args.sizes.split(",") if s)
    run(args.repeat, args.leaves, sizes, args.quick, json_path=args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
