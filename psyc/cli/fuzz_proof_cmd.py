"""``psyc fuzz-proof P``: mutate a valid proof for a time budget; every mutant must be
rejected. Exit 0 when all were, 1 when a mutant verified or crashed the verifier (each is
written next to the proof for reproduction), 2 for usage or file errors."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from psyc.cli.common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, add_json, messages_to_stderr, ok, positive_int
from psyc.cli.console import error_console, escape

HELP = "tamper with a valid proof in every way for a time budget; every mutant must be rejected"


def _seconds(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not v > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return v


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("proof", help="a valid proof file (its key: PROOF.vk or --vk)")
    p.add_argument("--vk", help="verifying key (default: PROOF.vk)")
    p.add_argument("--seconds", type=_seconds, default=10.0, help="time budget (default 10)")
    p.add_argument("--max", dest="max_mutations", type=positive_int, help="stop after this many mutations")
    p.add_argument("--seed", type=int, help="random seed (the same seed repeats the same mutations)")
    p.add_argument("--no-sweep", action="store_true", help="skip the +1 sweep over every non-query slot")
    add_json(p, "the counts per mutation kind and any accepted or crashing mutant")


def run(args: argparse.Namespace, ctx: dict | None = None) -> int:
    with messages_to_stderr(args):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from psyc.audit.tamper import fuzz_proof
    from psyc.plonk.keys import VerifyingKey
    from psyc.util.serialization import FormatError

    proof_path = Path(args.proof)
    vk_path = Path(args.vk) if args.vk else Path(args.proof + ".vk")
    try:
        data = proof_path.read_bytes()
        vk = VerifyingKey.from_bytes(vk_path.read_bytes())
    except OSError as e:
        return _usage(f"cannot read {e.filename}: {e.strerror}")
    except FormatError as e:
        return _usage(f"{vk_path} is not a valid verifying key: {e}")
    zk = "on" if vk.common.config.zero_knowledge else "off"
    with error_console.status(f"tampering with {proof_path} ({args.seconds:g} s budget)…") as status:

        def show(r):
            status.update(f"tampering with {proof_path}: {r.mutations} mutations, {len(r.accepted)} accepted")

        try:
            report = fuzz_proof(
                data,
                vk,
                seconds=args.seconds,
                max_mutations=args.max_mutations,
                seed=args.seed,
                sweep=not args.no_sweep,
                progress=show,
            )
        except ValueError as e:
            return _usage(f"{proof_path}: {e}")
    saved = []
    for k, f in enumerate(report.accepted + report.crashes):
        out = _fresh(proof_path, k)
        out.write_bytes(f.mutant)
        saved.append(str(out))
    if args.json:
        print(json.dumps({**report.to_json(), "zero_knowledge": zk == "on", "saved": saved}))
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(report.by_kind.items()))
    summary = (
        f"{report.mutations} mutations in {report.seconds:.1f} s ({kinds}); rejected: "
        f"{report.rejected_format} when parsing, {report.rejected_verify} by the verifier "
        f"(zero knowledge {zk}; non-query sweep {'complete' if report.sweep_done else 'partial'})"
    )
    if report.clean:
        ok(f"[green]no mutant accepted[/green]: {escape(summary)}")
        return EXIT_OK
    for f, path in zip(report.accepted + report.crashes, saved, strict=True):
        what = "ACCEPTED" if not f.error else f"CRASH ({f.error})"
        error_console.print(f"[red]{escape(what)}[/red]: {escape(f.kind)}: {escape(f.what)} -> {path}", highlight=False)
    error_console.print(f"[red]error[/red]: {escape(summary)}", highlight=False)
    return EXIT_FAIL


def _fresh(proof_path: Path, k: int) -> Path:
    """A new file next to the proof (never overwrites one)."""
    n = k
    while True:
        out = proof_path.with_name(f"{proof_path.name}.mutant-{n}")
        if not out.exists():
            return out
        n += 1


def _usage(message: str) -> int:
    error_console.print(f"[red]error[/red]: {escape(message)}", highlight=False)
    return EXIT_USAGE
