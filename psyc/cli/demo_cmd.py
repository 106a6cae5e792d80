"""``psyc demo``: the PARTH story end to end on a devnet in a temporary folder
(:mod:`psyc.cli.demo_chain`); ``psyc demo --program``: one program end to end — compile,
execute, prove, verify — with timings.

The program (``psyc/cli/demo_project``) is an anonymous vote: Merkle membership in a tree
of 2^20 voters, a nullifier against double voting and a range-checked choice. Inputs are
derived from a seed so nothing needs configuring; the demo also shows that a proof with a
changed public input is rejected.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
from importlib import resources

from psyc.cli.common import add_json, step, user_errors
from psyc.cli.console import console

HELP = "the PARTH demo: a token on a local devnet, users proving calls, blocks proved, the chain verified"


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=2026, help="seed for the demo's inputs (default 2026)")
    p.add_argument("--program", action="store_true",
                   help="the single-program demo instead: an anonymous vote compiled, executed, proved and verified")
    p.add_argument("--users", type=int, default=3, choices=range(2, 9), metavar="N",
                   help="users on the devnet, the token's issuer included (2-8, default 3); their keys alternate "
                        "between the zk and the schnorr scheme")
    p.add_argument("--shape", choices=["standard", "small"], default="small",
                   help="the proofs' shape: small (default: one FRI query, no security — the same circuits "
                        "and proofs, ~3x faster, to see the chain work) or standard (~100-bit security: "
                        "every proof as a real chain makes it; ~6 min on 2 cores)")
    p.add_argument("--keep", metavar="DIR", help="build the devnet in DIR (a new folder) and keep it")
    add_json(p, "each step's time and result and the checks")


def demo_inputs(seed: int, depth: int) -> tuple[list[list[int]], list[int]]:
    """Inputs for the demo program and the nullifier it must output, computed natively."""
    from psyc.field.goldilocks import P
    from psyc.hash.poseidon import hash_no_pad, two_to_one

    rng = random.Random(seed)
    secret, index, election = rng.randrange(P), rng.randrange(1 << depth), rng.randrange(P)
    path = [[rng.randrange(P) for _ in range(4)] for _ in range(depth)]
    node = hash_no_pad([secret, 1])
    for level, sibling in enumerate(path):
        node = two_to_one(sibling, node) if index >> level & 1 else two_to_one(node, sibling)
    nullifier = two_to_one(hash_no_pad([secret]), [election, 0, 0, 0])
    choice = 2
    inputs = [node, [election, choice], [secret], [index], [x for h in path for x in h]]
    return inputs, nullifier


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    if not args.program:
        from psyc.cli.demo_chain import run_chain_demo

        return run_chain_demo(args)
    return run_program(args, ctx)


def run_program(args: argparse.Namespace, ctx: dict) -> int:
    """The single-program demo (``psyc demo --program``)."""
    from psyc.compiler import compile_project, open_project
    from psyc.plonk.keys import VerifyingKey, proof_from_bytes, proof_to_bytes
    from psyc.plonk.verifier import VerificationError

    rows: list[tuple[str, str, str]] = []
    seconds: dict[str, float] = {}

    def timed(label: str, fn, note: str = ""):
        with step(label, seconds):
            out = fn()
        rows.append((label, f"{seconds[label] * 1e3:,.0f} ms", note))
        return out

    root = resources.files("psyc.cli").joinpath("demo_project")
    project, loader = open_project(str(root))
    ctx["sources"] = loader.sources
    prog = timed("compile (parse, type-check, inline, optimise)", lambda: compile_project(project, loader))
    inputs, expected = demo_inputs(args.seed, 20)
    run_ = timed("execute", lambda: prog.execute(inputs))
    data = timed("build circuit (lower, preprocess)", prog.circuit)
    proof = timed(f"prove ({data.common.degree:,} rows)", lambda: prog.prove(run_))
    raw, vk_raw = proof_to_bytes(proof), data.verifier_data.to_bytes()

    def verify_from_files():
        vk = VerifyingKey.from_bytes(vk_raw)
        vk.verify(proof_from_bytes(raw, vk.common))

    timed("verify (from proof and key bytes)", verify_from_files, "[green]valid[/green]")
    nullifier_ok = list(run_.outputs) == expected and proof.public_inputs[-4:] == expected
    rows.append(("nullifier matches native Poseidon", "", "[green]yes[/green]" if nullifier_ok else "[red]NO[/red]"))
    bad = copy.deepcopy(proof)
    bad.public_inputs[5] = (bad.public_inputs[5] + 1) % 4  # another vote choice
    try:
        data.verify(bad)
        rows.append(("proof with a changed vote", "", "[red]ACCEPTED (bug)[/red]"))
        rejected = False
    except VerificationError as e:
        rows.append(("proof with a changed vote", "", f"[green]rejected[/green]: {e}"))
        rejected = True
    ok = nullifier_ok and rejected
    if args.json:
        print(json.dumps({
            "ok": ok, "demo": "program", "seed": args.seed,
            "steps": [{"step": label, "seconds": round(t, 4)} for label, t in seconds.items()],
            "table_rows": data.common.degree, "rows_by_gate": prog.lowered().stats,
            "ir_instructions": len(prog.program.instrs), "proof_bytes": len(raw), "vk_bytes": len(vk_raw),
            "fingerprint": [str(x) for x in data.verifier_data.fingerprint],
            "zero_knowledge": data.common.config.zero_knowledge,
            "nullifier_matches": nullifier_ok, "changed_vote_rejected": rejected,
        }))
        return 0 if ok else 1

    from rich.table import Table

    table = Table(
        title="psyc demo — anonymous vote: Merkle membership (depth 20) + nullifier, standard config"
    )
    table.add_column("step")
    table.add_column("time", justify="right")
    table.add_column("result")
    for r in rows:
        table.add_row(*r)
    console.print(table)
    gates = ", ".join(f"{k}: {v}" for k, v in prog.lowered().stats.items())
    console.print(f"{len(prog.program.instrs):,} IR instructions; rows by gate: {gates}", highlight=False)
    console.print(
        f"proof {len(raw) / 1024:.1f} KiB, verifying key {len(vk_raw)} bytes, "
        f"fingerprint {data.verifier_data.fingerprint[0]:#x}…; zero knowledge "
        f"{'on' if data.common.config.zero_knowledge else 'off'}",
        highlight=False,
    )
    return 0 if ok else 1
