"""``psyc verify P``: exit 0 for a valid proof, 1 for an invalid one, 2 for usage or file errors.

A proof is only as meaningful as its key: whoever sends ``P`` and ``P.vk`` can prove
anything with a key of their own circuit. ``--fingerprint`` pins the key to a known
circuit; ``--aggregation`` checks that the key is the genuine aggregation circuit of
``psyc aggregate`` (rebuilding it) and every leaf opening in ``P.leaves.json``.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from psyc.cli.common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, messages_to_stderr, ok, zk_label
from psyc.cli.console import error_console, escape

HELP = "verify a proof: exit 0 valid, 1 invalid, 2 usage or file error"
MAX_LEAVES = 1 << 24
MAX_LEAF_PUBLIC_INPUTS = 1 << 12


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("proof", help="proof file")
    p.add_argument("--vk", help="verifying key (default: PROOF.vk)")
    p.add_argument(
        "--public-inputs",
        metavar="VALUES|FILE",
        help="what the proof's public inputs must equal: comma-separated values, or a .toml/.json file "
        "of named values (the public parameters and `return`, as the key's ABI names them)",
    )
    p.add_argument(
        "--fingerprint",
        metavar="F0,F1,F2,F3",
        help="the fingerprint the key must have (4 comma-separated integers, as `psyc compile` prints)",
    )
    p.add_argument(
        "--aggregation",
        action="store_true",
        help="the proof is a `psyc aggregate` root: check that its key is the genuine aggregation "
        "circuit (rebuilt: seconds to a minute) and every opening in PROOF.leaves.json",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help='print {"valid": …, "public_inputs": […], "fingerprint": […]} or {"valid": false, "error": …}',
    )
    p.add_argument(
        "--prev-root",
        metavar="0x…",
        help="the proof is a PARTH block proof: check that it extends the checkpoint tree with this root "
        "(the previous block's new root; 0x + 64 hex digits or 4 comma-separated integers) and print the "
        "new root; pin the chain's block key with --fingerprint",
    )
    p.add_argument("--shape", choices=["standard", "small", "test"], default="standard", help="with --aggregation")
    p.add_argument(
        "--whitelist-root",
        metavar="W0,W1,W2,W3",
        help="with --aggregation: the whitelist root the leaves must have been checked against "
        "(this or --whitelist is required)",
    )
    p.add_argument(
        "--whitelist",
        nargs="+",
        metavar="KEY",
        help="with --aggregation: the verifying keys the leaves may be proofs of (their whitelist root "
        "is computed here, at --whitelist-depth)",
    )
    p.add_argument(
        "--whitelist-depth",
        type=int,
        metavar="D",
        help="with --aggregation: the whitelist depth the aggregation must use (default 8; never "
        "taken from the leaves file)",
    )


def run(args: argparse.Namespace, ctx: dict | None = None) -> int:
    result: dict = {}
    _REASONS.clear()
    with messages_to_stderr(args):
        rc = _verify(args, result)
    if getattr(args, "json", False):
        doc = {"valid": rc == EXIT_OK, **result}
        if rc != EXIT_OK:
            doc["error"] = _REASONS[-1] if _REASONS else "invalid"
            doc["usage_error"] = rc == EXIT_USAGE
        print(json.dumps(doc))
    return rc


_REASONS: list[str] = []  # why the last run failed, for --json


def _usage(message: str) -> int:
    _REASONS.append(message)
    error_console.print(f"[red]error[/red]: {escape(message)}", highlight=False)
    return EXIT_USAGE


def _verify(args: argparse.Namespace, result: dict) -> int:
    # NumPy (imported next, for the Merkle paths' batch hashing) starts OpenBLAS, which
    # starts a spinning worker thread per core: ~70 ms of CPU a verifier never uses (it
    # does no floating-point linear algebra bigger than 12×12). The user's setting wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from psyc.plonk.keys import VerifyingKey, proof_from_bytes
    from psyc.plonk.verifier import VerificationError
    from psyc.project.abi import AbiError, ProgramAbi
    from psyc.util.serialization import FormatError

    vk_path = Path(args.vk) if args.vk else Path(args.proof + ".vk")
    try:
        proof_bytes = Path(args.proof).read_bytes()
        vk_bytes = vk_path.read_bytes()
    except OSError as e:
        return _usage(f"cannot read {e.filename}: {e.strerror}")
    try:
        vk = VerifyingKey.from_bytes(vk_bytes)
    except FormatError as e:
        return _usage(f"{vk_path} is not a valid verifying key: {e}")
    abi = None
    if vk.abi is not None:
        try:
            abi = ProgramAbi.from_json(vk.abi)
        except AbiError as e:
            return _usage(f"{vk_path}: the key's ABI is malformed: {e}")
        if abi.num_public_inputs != vk.common.num_public_inputs:
            return _usage(f"{vk_path}: the key's ABI describes {abi.num_public_inputs} public inputs, "
                          f"its circuit has {vk.common.num_public_inputs}")
    try:
        if args.public_inputs and Path(args.public_inputs).suffix in (".toml", ".json"):
            expected = _named_public_inputs(args.public_inputs, abi)
        else:
            expected = _ints(args.public_inputs, "--public-inputs")
        fingerprint = _ints(args.fingerprint, "--fingerprint", 4)
        whitelist_root = _ints(args.whitelist_root, "--whitelist-root", 4)
    except _RenderedError as e:  # located diagnostics of the named public inputs file
        _REASONS.append(str(e))
        error_console.print(escape(str(e)), highlight=False)
        return EXIT_USAGE
    except ValueError as e:
        return _usage(str(e))
    if fingerprint is not None and list(vk.fingerprint) != fingerprint:
        return _invalid(f"the key's fingerprint is {_fmt(vk.fingerprint)}, expected {_fmt(fingerprint)}")
    try:
        proof = proof_from_bytes(proof_bytes, vk.common)
        vk.verify(proof)
    except (FormatError, VerificationError) as e:
        return _invalid(f"{args.proof}: {e}")
    if expected is not None and list(proof.public_inputs) != expected:
        if abi is not None and len(expected) == len(proof.public_inputs):
            got, want = abi.name_public_inputs(proof.public_inputs), abi.name_public_inputs(expected)
            diff = [f"`{n}` is {json.dumps(got[n])}, expected {json.dumps(want[n])}" for n in got if got[n] != want[n]]
            return _invalid("public inputs differ: " + "; ".join(diff))
        return _invalid(f"public inputs are {list(proof.public_inputs)}, expected {expected}")
    if args.prev_root is not None:
        status = _check_block(args, proof, result)
        if status != EXIT_OK:
            return status
    if args.aggregation:
        from psyc.recursion.whitelist import DEFAULT_WHITELIST_DEPTH, Whitelist

        depth = args.whitelist_depth or DEFAULT_WHITELIST_DEPTH
        if not 1 <= depth <= 32:
            return _usage("--whitelist-depth must be in 1..32")
        if args.whitelist:
            try:
                keys = [VerifyingKey.from_bytes(Path(k).read_bytes()) for k in args.whitelist]
                listed = Whitelist(keys, depth=depth).root
            except OSError as e:
                return _usage(f"cannot read {e.filename}: {e.strerror}")
            except (FormatError, ValueError) as e:
                return _usage(f"--whitelist: {e}")
            if whitelist_root is not None and whitelist_root != listed:
                return _usage("--whitelist-root and --whitelist name different whitelists")
            whitelist_root = listed
        if whitelist_root is None:
            return _usage(
                "--aggregation needs the whitelist the leaves must belong to: --whitelist-root W0,W1,W2,W3 "
                "or --whitelist KEY.vk … (without it any circuit's proofs could have been folded in)"
            )
        status = _check_aggregation(args, vk, list(proof.public_inputs), whitelist_root, depth)
        if status != EXIT_OK:
            return status
    result["public_inputs"] = [str(int(x)) for x in proof.public_inputs]
    shown = ", ".join(map(str, proof.public_inputs))
    if abi is not None:
        result["public"] = abi.name_public_inputs(proof.public_inputs)
        shown = "; ".join(f"{name} = {json.dumps(value)}" for name, value in result["public"].items())
    result["fingerprint"] = [str(int(x)) for x in vk.fingerprint]
    result["zero_knowledge"] = vk.common.config.zero_knowledge
    ok(
        f"[green]valid[/green]: {args.proof} (public inputs: {escape(shown)}; "
        f"key fingerprint {_fmt(vk.fingerprint)}; zero knowledge {zk_label(vk.common.config.zero_knowledge)})"
    )
    if not args.aggregation and fingerprint is None and Path(args.proof + ".leaves.json").exists():
        error_console.print(
            f"[yellow]note[/yellow]: {args.proof}.leaves.json says this is an aggregation root; valid only means "
            "valid for this key — add --aggregation to check that the key is the aggregation circuit",
            highlight=False,
        )
    return EXIT_OK


def _check_block(args: argparse.Namespace, proof, result: dict) -> int:
    """``--prev-root``: the proof's statement is a block over that checkpoint root."""
    from psyc.parth.block import BlockError, block_statement
    from psyc.sig.convention import SignatureError, format_hash, parse_hash

    try:
        prev = parse_hash(args.prev_root, "--prev-root")
    except SignatureError as e:
        return _usage(str(e))
    try:
        st = block_statement(proof.public_inputs, prev)
    except BlockError as e:
        return _invalid(f"{args.proof}: {e}")
    result["block"] = {"checkpoint_id": st.checkpoint_id, "old_chkp_root": format_hash(st.old_chkp_root),
                       "new_chkp_root": format_hash(st.new_chkp_root)}
    ok(f"block: checkpoint {st.checkpoint_id} appended; checkpoint root {format_hash(st.old_chkp_root)} → "
       f"{format_hash(st.new_chkp_root)}")
    if args.fingerprint is None:
        error_console.print(
            "[yellow]note[/yellow]: the key was not pinned: a block proof means something only under the chain's "
            "block circuit key — pass its fingerprint with --fingerprint (docs/parth.md)",
            highlight=False,
        )
    return EXIT_OK


def _invalid(message: str) -> int:
    _REASONS.append(message)
    error_console.print(f"[red]invalid[/red]: {escape(message)}", highlight=False)
    return EXIT_FAIL


class _RenderedError(ValueError):
    """Diagnostics already rendered with their source lines."""


def _named_public_inputs(path: str, abi) -> list[int]:
    """The public inputs named in a .toml/.json file, flattened in the key's ABI order."""
    from psyc.project.inputs import InputError, parse_inputs
    from psyc.util.diagnostics import render

    if abi is None:
        raise ValueError("--public-inputs FILE needs a key with an ABI (written by `psyc compile` or `psyc prove`); "
                         "give comma-separated values instead")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from None
    try:
        values = parse_inputs(text, path, abi.public)
    except InputError as e:
        raise _RenderedError("\n".join(render(d, e.sources) for d in e.diagnostics)) from None
    return [int(x) for group in values for x in group]


def _ints(text: str | None, option: str, count: int | None = None) -> list[int] | None:
    if text is None:
        return None
    try:
        values = [int(x, 0) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ValueError(f"{option} takes comma-separated integers") from None
    if count is not None and len(values) != count:
        raise ValueError(f"{option} takes {count} integers, got {len(values)}")
    return values


def _fmt(values) -> str:
    return ",".join(str(int(v)) for v in values)


def _check_aggregation(args: argparse.Namespace, vk, pis: list[int], whitelist_root: list[int], depth: int) -> int:
    """The key is the aggregation circuit for the root's leaf count and the verifier's
    whitelist depth (rebuilt from scratch), the leaves were checked against the verifier's
    whitelist root, and every opening of the leaves file is a leaf of this root."""
    from psyc.recursion import LeafOpening, expected_root_fingerprint, verify_leaf_opening
    from psyc.recursion.aggregate import FOLD_PUBLIC_INPUTS
    from psyc.recursion.shape import shape_named

    if len(pis) != FOLD_PUBLIC_INPUTS:
        return _invalid(f"an aggregation root has {FOLD_PUBLIC_INPUTS} public inputs, this proof {len(pis)}")
    if pis[4:8] != whitelist_root:
        return _invalid(
            f"the leaves were checked against whitelist {_fmt(pis[4:8])}, expected {_fmt(whitelist_root)}"
        )
    leaves_path = Path(args.proof + ".leaves.json")
    try:
        doc = json.loads(leaves_path.read_text())
        leaves = doc["leaves"]
        # the leaf size picks which genuine circuit to compare with; a wrong one fails below
        leaf_pis = len(leaves[0]["public_inputs"])
        file_depth = doc.get("whitelist_depth")
        openings = [LeafOpening(lf["index"], lf["fingerprint"], lf["public_inputs"], lf["siblings"]) for lf in leaves]
    except OSError as e:
        return _usage(f"cannot read {leaves_path}: {e.strerror}")
    except (ValueError, KeyError, IndexError, TypeError) as e:
        return _usage(f"{leaves_path} is not an aggregation leaves file ({e})")
    if not 1 <= pis[8] <= MAX_LEAVES or not 0 <= leaf_pis <= MAX_LEAF_PUBLIC_INPUTS:
        # bounded: the key check rebuilds one fold circuit per tree level
        return _invalid(
            f"{pis[8]} leaves of {leaf_pis} public inputs is not an aggregation psyc builds "
            f"(at most {MAX_LEAVES} leaves of at most {MAX_LEAF_PUBLIC_INPUTS} public inputs)"
        )
    shape = shape_named(args.shape)
    with error_console.status("rebuilding the aggregation circuits to compare keys…"):
        try:
            expected = expected_root_fingerprint(shape, pis[8], leaf_pis, depth)
        except ValueError as e:
            return _invalid(str(e))
    if list(vk.fingerprint) != expected:
        return _invalid(
            f"the key is not the {args.shape}-shape aggregation circuit for {pis[8]} leaves with {leaf_pis} "
            f"public inputs (fingerprint {_fmt(vk.fingerprint)}, expected {_fmt(expected)})"
        )
    for k, opening in enumerate(openings):
        if not verify_leaf_opening(pis, opening):
            return _invalid(f"leaf {k} of {leaves_path} (index {opening.index}) is not in this root")
    if file_depth is not None and file_depth != depth:  # (the key check above would have failed)
        error_console.print(f"note: {leaves_path} says whitelist depth {file_depth}; depth {depth} was used")
    listed = len({o.index for o in openings})
    ok(
        f"aggregation root of {pis[8]} leaves; {len(openings)} openings in {leaves_path} check out\n"
        f"[bold]checked[/bold]: the proof verifies for its key; the key is the genuine {args.shape}-shape "
        f"aggregation circuit for {pis[8]} leaves of {leaf_pis} public inputs with whitelist depth {depth} "
        f"(rebuilt here); every leaf proof was verified inside the fold circuits against a key in the "
        f"whitelist with root {_fmt(whitelist_root)} (yours); the {len(openings)} openings listed are "
        f"leaves of the root\n"
        f"[bold]not checked[/bold]: what the leaf circuits compute (only that each leaf is a valid proof of "
        f"a whitelisted circuit); which leaves the root holds beyond the openings in the prover's "
        f"leaves file ({listed} of {pis[8]} listed; the root commits to all {pis[8]})"
    )
    return EXIT_OK
