"""Folds per second of one aggregation: locally, and on a private Ray with 1 and 2 workers.

    python benchmarks/cluster_scaling.py [--leaves 8] [--rounds 2] [--json OUT]

Each round starts a fresh local Ray per worker count (``RayExecutor("local",
local_cpus=N)``), runs one warm-up aggregation (workers import psyc and build their fold
circuits) and then times one; the rounds interleave the worker counts (1, 2, 1, 2, …) so
that a change in the machine's load hits both, and the best round of each counts. The
local executor (this process, numba on every core) is timed in each round too. Test
shape: the fold time, not the proof's security, is what this measures.
"""

from __future__ import annotations

import argparse
import json
import time

from psyc.plonk.witness import PartialWitness
from psyc.recursion import Whitelist, aggregate
from psyc.recursion.executor import LocalExecutor
from psyc.recursion.shape import test_shape


def leaves(shape, count: int):
    out, keys = [], []
    for c in (5, 7):
        b = shape.builder()
        x, y = b.add_virtual_targets(2)
        b.register_public_inputs([x, b.mul_add(x, y, b.constant(c))])
        keys.append((b.build(), x, y))
    for i in range(count):
        data, x, y = keys[i % 2]
        pw = PartialWitness()
        pw.set_targets([x, y], [i + 1, 3])
        out.append((data.prove(pw), data))
    return out, Whitelist([k[0] for k in keys])


def timed(items, whitelist, shape, executor) -> tuple[float, bytes]:
    t = time.perf_counter()
    agg = aggregate(items, whitelist, shape=shape, executor=executor)
    return time.perf_counter() - t, agg.root_proof.to_bytes()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--leaves", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--json", help="write the raw times here")
    ap.add_argument(
        "--nodes",
        action="store_true",
        help="on a two-node cluster of this machine (tests/ray_cluster.py), one worker per node, "
        "each node in a session of its own; 1 worker = folds pinned to the head",
    )
    args = ap.parse_args()
    shape = test_shape()
    items, whitelist = leaves(shape, args.leaves)
    folds = args.leaves - 1
    timed(items, whitelist, shape, LocalExecutor())  # warm-up: fold circuits and kernels here
    times: dict[str, list[float]] = {"local": [], "ray_1": [], "ray_2": []}
    roots = set()
    if args.nodes:
        return on_nodes(args, items, whitelist, shape, times, roots)
    from psyc.cluster import RayExecutor

    for r in range(args.rounds):
        t, root = timed(items, whitelist, shape, LocalExecutor())
        times["local"].append(t)
        roots.add(root)
        for n in (1, 2):
            with RayExecutor("local", local_cpus=n) as ex:
                timed(items, whitelist, shape, ex)  # warm-up: workers start and build circuits
                t, root = timed(items, whitelist, shape, ex)
            times[f"ray_{n}"].append(t)
            roots.add(root)
            print(f"round {r + 1}: ray with {n} worker(s): {t:.1f} s ({folds / t:.3f} folds/s)", flush=True)
        print(f"round {r + 1}: local: {times['local'][-1]:.1f} s", flush=True)
    report(args, times, roots, folds)


def fold_spans(since: float) -> list[tuple[str, float, float]]:
    """(name, start, duration) in seconds of the fold tasks Ray recorded after ``since``."""
    import ray

    spans = []
    events = ray.timeline()
    for ev in events:
        name = ev.get("name", "")
        if ev.get("ph") == "X" and name.endswith(".psyc_fold"):  # the task's whole run
            start = ev["ts"] / 1e6
            if start >= since:
                spans.append((name, start, ev["dur"] / 1e6))
    if not spans:
        print("no fold spans; event names:", sorted({e.get("name") for e in events})[:20])
    return sorted(spans, key=lambda s: s[1])


def on_nodes(args, items, whitelist, shape, times, roots) -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    import os
    import signal

    from ray_cluster import LoopbackCluster

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the cluster in `finally`
    folds = args.leaves - 1
    cluster = LoopbackCluster()
    os.environ.update({k: v for k, v in cluster.env.items() if k.startswith("RAY_")})  # before Ray loads
    from psyc.cluster import RayExecutor

    try:
        cluster.start()
        with RayExecutor(cluster.address) as owner:
            executors = {1: RayExecutor(cluster.address, resources={"head": 1}), 2: owner}
            for n, ex in (*executors.items(), (2, owner)):  # warm-up: every worker builds its circuits
                timed(items, whitelist, shape, ex)
                assert ex.workers == n, (n, ex.workers)
            for r in range(args.rounds):
                for n, ex in executors.items():
                    t0 = time.time()
                    t, root = timed(items, whitelist, shape, ex)
                    times[f"ray_{n}"].append(t)
                    roots.add(root)
                    spans = fold_spans(t0)
                    mean = sum(d for _, _, d in spans) / max(1, len(spans))
                    print(
                        f"round {r + 1}: {n} worker(s): {t:.1f} s ({folds / t:.3f} folds/s); "
                        f"{len(spans)} fold tasks, {mean:.2f} s each on average",
                        flush=True,
                    )
                t, root = timed(items, whitelist, shape, LocalExecutor())
                times["local"].append(t)
                roots.add(root)
                print(f"round {r + 1}: local: {t:.1f} s", flush=True)
    finally:
        cluster.stop()
    report(args, times, roots, folds)


def report(args, times, roots, folds) -> None:
    assert len(roots) == 1, "the roots differ"
    best = {k: min(v) for k, v in times.items()}
    for k, t in best.items():
        print(f"{k:>6}: best {t:.1f} s, {folds / t:.3f} folds/s")
    r12, r2l = best["ray_1"] / best["ray_2"], best["local"] / best["ray_2"]
    print(f"2 workers / 1 worker: {r12:.2f}x; 2 workers / local: {r2l:.2f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"leaves": args.leaves, "folds": folds, "times": times, "best": best}, f, indent=2)


if __name__ == "__main__":
    main()
