"""``psyc aggregate P1 P2 … -o ROOT``: fold proofs into one root proof (issue 5).

Each ``P`` is a proof file with its verifying key next to it (``P.vk``). Proofs that are
not of the standard shape are wrapped first (:func:`psyc.recursion.wrap`). Writes the
root proof ``ROOT``, its key ``ROOT.vk`` (so ``psyc verify ROOT`` checks it) and
``ROOT.leaves.json``: per leaf its fingerprint, public inputs, commitment and Merkle
opening against the root's public inputs (``psyc.recursion.verify_leaf_opening``).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from psyc.cli.common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, ok, refuse_overwrite, user_errors
from psyc.cli.console import error_console

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
        choices=["standard", "test"],
        default="standard",
        help="fold shape: standard (secure, 2^14 rows) or test (one FRI query, NOT secure; for demos)",
    )
    p.add_argument("--no-wrap", action="store_true", help="reject proofs not of the standard shape")


def _read_key(path: Path):
    from psyc.plonk.keys import VerifyingKey

    return VerifyingKey.from_bytes(path.read_bytes())


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    from psyc.plonk.keys import PROOF_MAGIC, VK_MAGIC, proof_from_bytes, proof_to_bytes
    from psyc.plonk.verifier import VerificationError
    from psyc.recursion import Whitelist, aggregate, leaf_commitment, standard_shape, wrap
    from psyc.recursion.shape import test_shape, wrapped_key
    from psyc.util.serialization import FormatError

    shape = standard_shape() if args.shape == "standard" else test_shape()
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
        if not shape.matches(key.common):
            if args.no_wrap:
                error_console.print(
                    f"[red]error[/red]: {name} is not of the {args.shape} shape", highlight=False
                )
                return EXIT_USAGE
            with error_console.status(f"wrapping {name} into the {args.shape} shape…"):
                wdata, proof = wrap(key, proof, shape)
            key = wdata.verifier_data
        items.append((proof, key))
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
    agg = aggregate(items, whitelist, shape=shape, progress=error_console.is_terminal)
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
    ok(
        f"aggregated {agg.count} proofs in {agg.stats['folds']} folds "
        f"({wrap_s:.1f} s wrapping, {fold_s:.1f} s folding): wrote {out}, {vk_out}, {leaves_out}"
    )
    return EXIT_OK
