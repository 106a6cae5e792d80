"""GUTA aggregation and block proofs, per stage (issue 16 targets: a block of 16 users in
≤ 4 min end to end, block proof verification ≤ 30 ms).

Usage::

    python benchmarks/parth_block.py [--shape standard|small] [--users 2 4 16] [--verify-runs 15] [--json OUT]

End caps are proofs of the test-only end-cap-shaped circuit (tests/parth_circuits/end_cap.psy:
it publishes the transition it is given), so this measures what the network does with end
caps — folds, the lift, the block — and not the users' sessions. Users are spread over the
user tree (ids 0, 2^27, 2·2^27, …), so folds meet at every height. Each block size runs on a
fresh chain; circuit builds are reported once (they are cached per process). Prints a Markdown
table; ``--json`` writes the raw figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from psyc.parth import block as B  # noqa: E402
from psyc.parth.chain import ChainState  # noqa: E402
from psyc.parth.store import MemoryStore  # noqa: E402
from psyc.parth.transition import Transition  # noqa: E402
from psyc.parth.tree import leaf_hash  # noqa: E402
from psyc.plonk.keys import proof_to_bytes  # noqa: E402
from psyc.recursion.shape import small_shape, standard_shape  # noqa: E402


def run_block(n: int, circuits, end_cap, shape, verify_runs: int) -> dict:
    chain = ChainState(MemoryStore())
    users = [k * ((1 << 32) // max(n, 1)) for k in range(n)]
    for u in users:
        chain.register_user(u)
    chain.commit_block()
    t0 = time.perf_counter()
    caps, leaves = [], {}
    for u in users:
        old = chain.user_leaf(u)
        leaves[u] = replace(old, balance=7, nonce=1)
        t = Transition(chain.chkp.root, 32, u, leaf_hash(old.felts()), leaf_hash(leaves[u].felts()), 1, 1, 1,
                       circuits.whitelist.root)
        caps.append(B._prove(end_cap, {"t": list(t.felts())}, shape))
    t_caps = time.perf_counter() - t0
    prev = chain.head()["chkp_root"]
    t0 = time.perf_counter()
    blk = B.prove_block(chain, caps, circuits)
    t_block_total = time.perf_counter() - t0
    for u, leaf in leaves.items():
        chain.gusr.set(u, leaf.felts())
    t0 = time.perf_counter()
    B.commit_block(chain, blk)
    t_commit = time.perf_counter() - t0
    raw = blk.to_bytes()
    key = circuits.block_key
    # the circuit builds ran with the collector paused (psyc.util.gc_pause): their first
    # collection, a scan of millions of live objects, is not the verifier's work
    gc.collect()
    times = []
    for _ in range(verify_runs):
        t0 = time.perf_counter()
        assert B.verify_block(raw, prev, key)
        times.append(time.perf_counter() - t0)
    folds = blk.timings.get("fold", [])
    return {"users": n, "end_caps_s": t_caps, "folds": len(folds), "fold_s_each_median": statistics.median(folds)
            if folds else None, "folds_s": sum(folds), "lift_s": sum(blk.timings.get("lift", [])),
            "aggregate_s": blk.timings["aggregate"], "block_proof_s": blk.timings["block"],
            "prove_block_s": t_block_total, "commit_s": t_commit, "verify_ms_best": 1000 * min(times),
            "verify_ms_median": 1000 * statistics.median(times),
            "proof_bytes": len(raw), "top_proof_bytes": len(proof_to_bytes(blk.top.proof))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shape", choices=["standard", "small"], default="standard")
    ap.add_argument("--users", type=int, nargs="+", default=[2, 4, 16])
    ap.add_argument("--verify-runs", type=int, default=15)
    ap.add_argument("--json")
    args = ap.parse_args()
    shape = standard_shape() if args.shape == "standard" else small_shape()
    t0 = time.perf_counter()
    end_cap = B._compile(ROOT / "tests" / "parth_circuits" / "end_cap.psy", shape)
    circuits = B.block_circuits([B.standard_key(end_cap, shape)], shape)
    for name in ("fold", "lift", "block"):
        circuits.key(name)
    build = time.perf_counter() - t0
    rows = {name: getattr(circuits, name).lowered().num_rows for name in ("fold", "lift", "block")}
    results = [run_block(n, circuits, end_cap, shape, args.verify_runs) for n in args.users]
    print(f"shape: {args.shape}; circuits built in {build:.1f} s; rows: " +
          ", ".join(f"{k} {v:,}" for k, v in rows.items()))
    print("| users | end caps | folds (each, median) | lift | block proof | GUTA + block | commit | verify (best of runs) "
          "| block proof size |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        each = f"{r['fold_s_each_median']:.2f} s" if r["folds"] else "–"
        print(f"| {r['users']} | {r['end_caps_s']:.1f} s | {r['folds']} × {each} = {r['folds_s']:.1f} s | "
              f"{r['lift_s']:.1f} s | {r['block_proof_s']:.1f} s | {r['prove_block_s']:.1f} s | "
              f"{1000 * r['commit_s']:.0f} ms | {r['verify_ms_best']:.1f} ms | {r['proof_bytes'] / 1024:.0f} KiB |")
    if args.json:
        Path(args.json).write_text(json.dumps({"shape": args.shape, "build_s": build, "rows": rows,
                                               "blocks": results}, indent=2))


if __name__ == "__main__":
    main()
