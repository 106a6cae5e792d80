"""``psyc aggregate P1 P2 … -o ROOT``: fold proofs into one root proof (issue 5).

Each ``P`` is a proof file with its verifying key next to it (``P.vk``). Proofs that are
not of the standard shape are wrapped first (:func:`psyc.recursion.wrap`). Writes the
root proof ``ROOT``, its key ``ROOT.vk`` (so ``psyc verify ROOT`` checks it) and
``ROOT.leaves.json``: per leaf its fingerprint, public inputs, commitment and Merkle
opening against the root's public inputs (``psyc.recursion.verify_leaf_opening``).

With ``--ray`` the wraps and folds run as Ray tasks (:mod:`psyc.cluster`, imported only
then); the root is the same bytes.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from psyc.cli.common import (
    EXIT_FAIL,
    EXIT_OK,
    EXIT_USAGE,
    add_backend_option,
    ok,
    refuse_overwrite,
    select_backend,
    user_errors,
)
from psyc.cli.console import error_console, escape

HELP = "fold proofs (each with its .vk) into one root proof: writes ROOT, ROOT.vk, ROOT.leaves.json"


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("proofs", nargs="+", metavar="PROOF", help="proof files; keys are read from PROOF.vk")
    p.add_argument("-o", "--output", required=True, metavar="ROOT", help="root proof file")
    p.add_argument(
        "--whitelist",
        nargs="+",
        metavar="VK",
        help="verifying keys of the accepted circuits (default: the keys of the given proofs)",
    )
    p.add_argument(
        "--whitelist-depth", type=int, default=8, help="whitelist Merkle depth (default 8: 256 keys)"
    )
    p.add_argument(
        "--shape",
        choices=["standard", "small", "test"],
        default="standard",
        help="fold shape: standard (secure, 2^13 rows) or test (one FRI query, NOT secure; for demos)",
    )
    p.add_argument("--json", action="store_true", help="print the written files, the root's public inputs "
                   "and timings as one JSON object on stdout (messages on stderr)")
    p.add_argument("--no-wrap", action="store_true", help="reject proofs not of the standard shape")
    p.add_argument(
        "--ray",
        metavar="auto|local|ADDRESS",
        help="prove the wraps and folds as Ray tasks (the cluster extra): auto = the cluster this "
        "machine joined, local = a private Ray on this machine, or a head node's HOST:PORT "
        "(see docs/distributed.md)",
    )
    add_backend_option(p)


def _read_key(path: Path):
    from psyc.plonk.keys import VerifyingKey

    return VerifyingKey.from_bytes(path.read_bytes())


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    rc = None if args.ray else select_backend(args)  # with --ray, each worker checks --backend
    if rc is not None:
        return rc
    from psyc.plonk.keys import PROOF_MAGIC, VK_MAGIC
    from psyc.recursion.executor import ExecutorError
    from psyc.recursion.shape import shape_named

    shape = shape_named(args.shape)
    out = Path(args.output)
    vk_out = Path(str(out) + ".vk")
    leaves_out = Path(str(out) + ".leaves.json")
    refuse_overwrite(out, PROOF_MAGIC)
    refuse_overwrite(vk_out, VK_MAGIC)
    if leaves_out.exists() and not leaves_out.read_text(errors="replace").startswith(
        '{\n  "psyc_aggregation"'
    ):
        error_console.print(f"[red]error[/red]: refusing to overwrite {leaves_out}", highlight=False)
        return EXIT_USAGE

    executor = _executor(args.ray, args.backend)
    if executor is None:
        return EXIT_USAGE
    with executor:
        try:
            return _aggregate(args, shape, executor, out, vk_out, leaves_out)
        except ExecutorError as e:  # a task failed for good on the cluster
            error_console.print(f"[red]error[/red]: {escape(str(e))}", highlight=False)
            return EXIT_FAIL


def _executor(address: str | None, backend: str | None):
    """The local executor, or a connected ``RayExecutor`` whose workers prove on ``backend``
    (default: a GPU where Ray gives the task one) — None after printing why not."""
    from psyc.recursion.executor import ExecutorError, LocalExecutor

    if not address:
        return LocalExecutor()
    try:
        from psyc.cluster import RayExecutor
    except ImportError as e:
        error_console.print(f"[red]error[/red]: --ray: {escape(str(e))}", highlight=False)
        return None
    try:
        with error_console.status(f"connecting to the Ray cluster ({address})…"):
            return RayExecutor(address, backend=backend or "auto").connect()
    except (ExecutorError, ValueError) as e:
        error_console.print(f"[red]error[/red]: {escape(str(e))}", highlight=False)
        return None


def _aggregate(args, shape, executor, out: Path, vk_out: Path, leaves_out: Path) -> int:
    from psyc.plonk.keys import proof_from_bytes, proof_to_bytes
    from psyc.plonk.verifier import VerificationError
    from psyc.recursion import Whitelist, aggregate, leaf_commitment
    from psyc.recursion.shape import wrapped_key
    from psyc.util.serialization import FormatError

    items = []
    t0 = time.perf_counter()
    for name in args.proofs:
        key = _read_key(Path(name + ".vk"))
        try:
            proof = proof_from_bytes(Path(name).read_bytes(), key.common)
            key.verify(proof)
        except (FormatError, VerificationError) as e:
            error_console.print(f"[red]invalid[/red]: {name}: {e}", highlight=False)
            return EXIT_FAIL
        if args.no_wrap and not shape.matches(key.common):
            error_console.print(f"[red]error[/red]: {name} is not of the {args.shape} shape", highlight=False)
            return EXIT_USAGE
        items.append((proof, key))
    n_wrap = sum(not shape.matches(key.common) for _, key in items)
    if n_wrap:
        with error_console.status(f"wrapping {n_wrap} proof(s) into the {args.shape} shape…"):
            items = executor.wrap(items, shape)
    wrap_s = time.perf_counter() - t0

    if args.whitelist:
        keys = []
        for name in args.whitelist:
            key = _read_key(Path(name))
            keys.append(key if shape.matches(key.common) else wrapped_key(key, shape))
    else:
        keys = [k for _, k in items]
    try:
        whitelist = Whitelist(keys, depth=args.whitelist_depth)
    except ValueError as e:
        error_console.print(f"[red]error[/red]: {e}", highlight=False)
        return EXIT_USAGE
    for name, (_, key) in zip(args.proofs, items, strict=True):
        if key not in whitelist:
            error_console.print(
                f"[red]error[/red]: {name}: its circuit is not in the whitelist", highlight=False
            )
            return EXIT_FAIL

    t0 = time.perf_counter()
    agg = aggregate(items, whitelist, shape=shape, progress=error_console.is_terminal, executor=executor)
    fold_s = time.perf_counter() - t0
    agg.verify()

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(proof_to_bytes(agg.root_proof))
    vk_out.write_bytes(agg.root_key.to_bytes())
    doc = {
        "psyc_aggregation": 1,
        "shape": args.shape,
        "root_fingerprint": agg.root_key.fingerprint,
        "root_public_inputs": agg.root_proof.public_inputs,
        "whitelist_root": whitelist.root,
        "whitelist_depth": whitelist.depth,
        "whitelist": [list(fp) for fp in whitelist.fingerprints],
        "count": agg.count,
        "leaves": [
            {
                "proof": name,
                "index": i,
                "fingerprint": fp,
                "public_inputs": pis,
                "commitment": leaf_commitment(fp, pis),
                "siblings": agg.opening(i).siblings,
            }
            for i, (name, (fp, pis)) in enumerate(zip(args.proofs, agg.leaves, strict=True))
        ],
    }
    leaves_out.write_text(json.dumps(doc, indent=2) + "\n")
    if getattr(args, "json", False):
        print(json.dumps({
            "root": str(out), "vk": str(vk_out), "leaves": str(leaves_out), "count": agg.count,
            "folds": agg.stats["folds"], "shape": args.shape,
            "root_public_inputs": [str(int(x)) for x in agg.root_proof.public_inputs],
            "root_fingerprint": [str(int(x)) for x in agg.root_key.fingerprint],
            "timings_s": {"wrap": round(wrap_s, 3), "fold": round(fold_s, 3)},
        }))
    ok(
        f"aggregated {agg.count} proofs in {agg.stats['folds']} folds "
        f"({wrap_s:.1f} s wrapping, {fold_s:.1f} s folding, {agg.stats['folds'] / fold_s:.2f} folds/s"
        + (f" on {agg.stats['workers']} Ray workers" if "workers" in agg.stats else "")
        + f"): wrote {out}, {vk_out}, {leaves_out}"
    )
    return EXIT_OK
