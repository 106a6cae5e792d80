"""``psyc verify P``: exit 0 for a valid proof, 1 for an invalid one, 2 for usage or file errors."""

from __future__ import annotations

import argparse
from pathlib import Path

from psyc.cli.common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, ok
from psyc.cli.console import error_console

HELP = "verify a proof: exit 0 valid, 1 invalid, 2 usage or file error"


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("proof", help="proof file")
    p.add_argument("--vk", help="verifying key (default: PROOF.vk)")
    p.add_argument("--public-inputs", help="comma-separated values the proof's public inputs must equal")


def run(args: argparse.Namespace) -> int:
    from psyc.plonk.keys import VerifyingKey, proof_from_bytes
    from psyc.plonk.verifier import VerificationError
    from psyc.util.serialization import FormatError

    vk_path = Path(args.vk) if args.vk else Path(args.proof + ".vk")
    try:
        proof_bytes = Path(args.proof).read_bytes()
        vk_bytes = vk_path.read_bytes()
    except OSError as e:
        error_console.print(f"[red]error[/red]: cannot read {e.filename}: {e.strerror}", highlight=False)
        return EXIT_USAGE
    try:
        vk = VerifyingKey.from_bytes(vk_bytes)
    except FormatError as e:
        error_console.print(f"[red]error[/red]: {vk_path} is not a valid verifying key: {e}", highlight=False)
        return EXIT_USAGE
    expected = None
    if args.public_inputs is not None:
        try:
            expected = [int(x, 0) for x in args.public_inputs.split(",") if x.strip()]
        except ValueError:
            error_console.print("[red]error[/red]: --public-inputs takes comma-separated integers")
            return EXIT_USAGE
    try:
        proof = proof_from_bytes(proof_bytes, vk.common)
        vk.verify(proof)
    except (FormatError, VerificationError) as e:
        error_console.print(f"[red]invalid[/red]: {args.proof}: {e}", highlight=False)
        return EXIT_FAIL
    if expected is not None and list(proof.public_inputs) != expected:
        error_console.print(
            f"[red]invalid[/red]: public inputs are {list(proof.public_inputs)}, expected {expected}",
            highlight=False,
        )
        return EXIT_FAIL
    ok(f"[green]valid[/green]: {args.proof} (public inputs: {', '.join(map(str, proof.public_inputs))})")
    return EXIT_OK
