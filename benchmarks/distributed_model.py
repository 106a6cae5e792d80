"""The block-time model of docs/distributed.md, and its plot.

    python benchmarks/distributed_model.py [-o docs/images/distributed_model.png] [--fold-s 2.9]

Aggregating L leaves takes D = ceil(log2 L) levels of folds; level k has n_k = ceil(L / 2^k)
folds, all independent. With N workers (one fold at a time each) and every fold taking
``t_fold`` on a worker, level k takes ceil(n_k / N) rounds, and each round adds the cost of
moving the two child proofs to the worker (``t_move``: object-store transfer, plus Ray's
scheduling latency). So

    T(L, N) = t_build + sum_k ceil(n_k / N) * (t_fold + t_move)

which is L·t_fold/N while N ≪ L (the tree's width, perfectly parallel), and has the floor
D·(t_fold + t_move) — one fold per level, the critical path — once N ≥ L/2. ``t_build`` is
a worker's first use of the fold circuits (built once per worker process and cached).
"""

from __future__ import annotations

import argparse
import math

# measured on the 2-core development machine (docs/benchmarks.md, docs/distributed.md)
FOLD_S = 2.9  # one standard-shape fold, proving and witness (2.87 s in the 64-leaf run)
BUILD_S = 8.2  # building the 6 fold circuits of a 64-leaf tree, once per worker
PROOF_BYTES = 133 * 1024  # a standard-shape fold proof
BANDWIDTH = 1.25e9  # bytes/s: 10 Gbit/s between nodes
SCHED_S = 0.005  # Ray's latency from "inputs ready" to "task running"


def move_s(bandwidth: float = BANDWIDTH, proof_bytes: int = PROOF_BYTES, sched_s: float = SCHED_S) -> float:
    """Moving two child proofs to the worker of a fold, plus scheduling."""
    return 2 * proof_bytes / bandwidth + sched_s


def block_time(
    leaves: int, workers: int, fold_s: float = FOLD_S, build_s: float = BUILD_S, move: float | None = None
) -> float:
    """Seconds to fold ``leaves`` proofs into one root on ``workers`` workers (see the docstring)."""
    move = move_s() if move is None else move
    depth = max(1, math.ceil(math.log2(leaves)))
    rounds = sum(math.ceil(math.ceil(leaves / 2**k) / workers) for k in range(1, depth + 1))
    return build_s + rounds * (fold_s + move)


def plot(out: str, fold_s: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workers = [2**i for i in range(0, 13)]
    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=120)
    for leaves, colour in ((64, "tab:blue"), (1024, "tab:orange"), (4096, "tab:green")):
        ts = [block_time(leaves, n, fold_s) for n in workers]
        ax.plot(workers, ts, "o-", color=colour, ms=3, label=f"L = {leaves} leaves")
        ax.plot(workers, [BUILD_S + (leaves - 1) * fold_s / n for n in workers], ":", color=colour, lw=1)
        floor = BUILD_S + math.ceil(math.log2(leaves)) * (fold_s + move_s())
        ax.axhline(floor, color=colour, lw=0.6, ls="--")
    slow = [block_time(1024, n, fold_s, move=move_s(bandwidth=1.25e8, sched_s=0.05)) for n in workers]
    ax.plot(
        workers,
        slow,
        "x-",
        color="tab:orange",
        ms=3,
        lw=0.8,
        alpha=0.6,
        label="L = 1024, 1 Gbit/s, 50 ms scheduling",
    )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("workers N (one fold at a time each)")
    ax.set_ylabel("block time: leaves to root (s)")
    ax.set_title(f"Aggregation time model, standard shape (fold {fold_s} s, proof 133 KiB)")
    ax.grid(True, which="both", lw=0.3)
    ax.legend(fontsize=8, title="dotted: (L-1) folds / N; dashed: log2(L) folds", title_fontsize=8)
    fig.tight_layout()
    fig.savefig(out)
    print(f"wrote {out}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", default="docs/images/distributed_model.png")
    ap.add_argument("--fold-s", type=float, default=FOLD_S, help="seconds per fold on one worker")
    args = ap.parse_args()
    for leaves in (64, 1024, 4096):
        row = ", ".join(
            f"N={n}: {block_time(leaves, n, args.fold_s):.0f} s" for n in (1, 2, 8, 64, 512, 4096)
        )
        print(f"L={leaves}: {row}")
    plot(args.output, args.fold_s)


if __name__ == "__main__":
    main()
