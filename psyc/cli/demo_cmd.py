"""``psyc demo``: an end-to-end run on built-in defaults, with timings.

Until the language front end lands, the demo builds a circuit with the Python builder:
a Merkle-style Poseidon hash chain over private leaves (one permutation per row) plus
range-checked arithmetic, proves it with the standard configuration, verifies it,
round-trips the proof and verifying key through their file formats, and shows that a
proof with a wrong public input is rejected.
"""

from __future__ import annotations

import argparse
import copy
import time

from rich.table import Table

from psyc.cli.console import console, error_console

HELP = "run a built-in example end to end (build, prove, verify) with timings"


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--leaves",
        type=int,
        default=256,
        help="number of private leaves hashed in the chain (default 256, max 20000)",
    )


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.leaves <= 20000:
        error_console.print("[red]error:[/red] --leaves must be between 1 and 20000")
        return 2
    from psyc.hash import hash_no_pad, two_to_one
    from psyc.plonk.builder import CircuitBuilder
    from psyc.plonk.keys import VerifyingKey
    from psyc.plonk.proof import ProofWithPublicInputs
    from psyc.plonk.verifier import VerificationError
    from psyc.plonk.witness import PartialWitness

    rows: list[tuple[str, str, str]] = []

    def step(label: str, fn, note: str = ""):
        t = time.perf_counter()
        with error_console.status(label + "… (the first run compiles kernels once)"):
            out = fn()
        rows.append((label, f"{(time.perf_counter() - t) * 1e3:,.0f} ms", note))
        return out

    leaves_vals = [(7 * i * i + 3) % 1000 for i in range(args.leaves)]

    def build():
        b = CircuitBuilder()
        leaves = b.add_virtual_targets(args.leaves)
        with b.scope("chain"):
            acc = b.hash_no_pad(leaves[:1])
            for leaf in leaves[1:]:
                acc = b.two_to_one(acc, [leaf, leaf, leaf, leaf])
        with b.scope("sum"):
            total = b.zero()
            for leaf in leaves:
                b.range_check(leaf, 10)
                total = b.add(total, leaf)
        b.register_public_inputs(acc)
        b.register_public_input(total)
        return b.build(), leaves

    data, leaves = step("build circuit", build)
    pw = PartialWitness()
    pw.set_targets(leaves, leaves_vals)
    proof = step(f"prove ({data.stats['rows']:,} rows → 2^{data.common.degree_bits})", lambda: data.prove(pw))
    raw = proof.to_bytes()
    vk_raw = data.verifier_data.to_bytes()

    def verify_from_files():
        vk = VerifyingKey.from_bytes(vk_raw)
        vk.verify(ProofWithPublicInputs.from_bytes(raw, vk.common))

    step("verify (from proof and key bytes)", verify_from_files, "[green]valid[/green]")

    expected = hash_no_pad(leaves_vals[:1])
    for v in leaves_vals[1:]:
        expected = two_to_one(expected, [v] * 4)
    ok = proof.public_inputs == [*expected, sum(leaves_vals)]
    rows.append(("public outputs match native Poseidon", "", "[green]yes[/green]" if ok else "[red]NO[/red]"))

    bad = copy.deepcopy(proof)
    bad.public_inputs[-1] += 1
    try:
        data.verify(bad)
        rows.append(("wrong public input", "", "[red]ACCEPTED (bug)[/red]"))
        ok = False
    except VerificationError as e:
        rows.append(("wrong public input", "", f"[green]rejected[/green]: {e}"))

    table = Table(title=f"psyc demo — Poseidon chain over {args.leaves} private leaves, standard config")
    table.add_column("step")
    table.add_column("time", justify="right")
    table.add_column("result")
    for r in rows:
        table.add_row(*r)
    console.print(table)
    gates = ", ".join(f"{k}: {v}" for k, v in data.stats["gates"].items())
    console.print(f"rows by gate: {gates}")
    console.print(
        f"proof {len(raw) / 1024:.1f} KiB, verifying key {len(vk_raw)} bytes, fingerprint {data.verifier_data.fingerprint[0]:#x}…"
    )
    return 0 if ok else 1
