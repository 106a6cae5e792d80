"""``psyc demo``: the mission's story on a local devnet (:mod:`psyc.devnet`).

In a temporary folder: a devnet; the token contract (``psyc/cli/demo_token``, the same
source as ``examples/token``) deployed; N users with their own signing keys registered;
the genesis; block 1 — the issuer mints and sends to every other user (one session of
several calls); block 2 — the others claim what they were sent (reading the issuer's
state as of checkpoint 1) and one sends some on; each block proved; the chain verified
from genesis. Every call is executed and proved on "the user's machine" (here, this
process). Two requests the chain must refuse are shown refused. The balances are checked
against native arithmetic; a summary table lists users, transactions, proofs, times and
sizes.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from importlib import resources
from pathlib import Path

from psyc.cli.common import EXIT_FAIL, EXIT_OK
from psyc.cli.console import console, error_console


class _Steps:
    """One line per step: a spinner while it runs on a terminal, then its time."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, str]] = []

    def run(self, label: str, fn, note=None):
        t0 = time.perf_counter()
        if error_console.is_terminal:
            with error_console.status(label + "…"):
                out = fn()
        else:
            out = fn()
        dt = time.perf_counter() - t0
        shown = note(out) if callable(note) else (note or "")
        console.print(f"[green]✓[/green] {label} [dim]({dt:.2f} s)[/dim]{'  ' + shown if shown else ''}",
                      highlight=False)
        self.rows.append((label, dt, shown))
        return out


def run_chain_demo(args: argparse.Namespace) -> int:
    from psyc.devnet import Devnet, DevnetError

    rng = random.Random(args.seed)
    n = args.users
    if args.keep:
        root = Path(args.keep)
        if root.exists():
            error_console.print(f"[red]error[/red]: --keep {root}: it exists (give a new folder)", highlight=False)
            return 2
        return _demo(root, n, rng, Devnet, DevnetError, getattr(args, "json", False), args.shape)
    with tempfile.TemporaryDirectory(prefix="psyc-demo-") as tmp:
        return _demo(Path(tmp) / "devnet", n, rng, Devnet, DevnetError, getattr(args, "json", False), args.shape)


def _demo(root: Path, n: int, rng: random.Random, Devnet, DevnetError,  # noqa: N803 (classes passed in)
          as_json: bool = False, shape: str = "standard") -> int:
    from psyc.recursion.shape import shape_named
    from psyc.sig.keyfile import write_key
    from psyc.sig.schnorr import SchnorrScheme
    from psyc.sig.zk import ZkScheme

    steps = _Steps()
    console.rule("[bold]psyc demo[/bold] — a token on a local PARTH devnet")
    if shape != "standard":
        console.print(f"[yellow]the {shape} shape: every circuit and proof of the chain, with one FRI query — "
                      "fast, but no security; `psyc demo --shape standard` proves with ~100-bit security "
                      "(several minutes)[/yellow]", highlight=False)
    net = Devnet.create(root, shape=shape)
    source = resources.files("psyc.cli").joinpath("demo_token")
    token = steps.run("compile and deploy the token (one circuit per method)", lambda: net.deploy(str(source)),
                      lambda d: f"contract {d['contract_id']}: {', '.join(d['methods'])}")
    # keys are circuits: users choose their scheme (zk: a Poseidon preimage; schnorr over ecGFp5)
    schemes = [ZkScheme(shape=shape_named(shape)), SchnorrScheme(shape=shape_named(shape))]
    keys = []

    def make_keys():
        for k in range(n):
            path = root / "keys" / f"user{k}.key"
            path.parent.mkdir(exist_ok=True)
            write_key(path, schemes[k % 2].new_key())
            keys.append(path)

    steps.run(f"make {n} signing keys (zk and schnorr key circuits, alternating)", make_keys)
    users = steps.run("register the users", lambda: [net.register(k)["user_id"] for k in keys],
                      lambda u: f"user ids {', '.join(map(str, u))}")
    steps.run("genesis: commit the contract and the users (checkpoint 0)", net.block,
              lambda b: f"CHKP root {b['chkp_root'][:18]}…")
    issuer, others = users[0], users[1:]
    minted = 100 * n
    sent = {u: rng.randrange(10, 60) for u in others}
    balances = {u: 0 for u in users}
    calls: list[tuple[int, str, list[str], object]] = []

    def call(user: int, method: str, args: list[str]):
        r = net.call(keys[user], f"Token.{method}", args)
        calls.append((user, method, args, r))
        return r

    steps.run(f"user {issuer} mints {minted} (executes and proves the call on the user's machine)",
              lambda: call(issuer, "mint", [str(minted)]), _call_note)
    balances[issuer] += minted
    for u in others:
        steps.run(f"user {issuer} sends {sent[u]} to user {u} (same session)",
                  lambda u=u: call(issuer, "transfer", [str(u), str(sent[u])]), _call_note)
        balances[issuer] -= sent[u]
    refusals = []
    refusals.append(steps.run(f"user {others[0]} tries to send 1 it does not have yet",
                              lambda: _refused(DevnetError, lambda: call(others[0], "transfer", [str(issuer), "1"])),
                              _refusal_note))
    blocks = [steps.run("block 1: aggregate the sessions, prove the block, commit checkpoint 1", net.block,
                        _block_note)]
    for u in others:
        steps.run(f"user {u} claims from user {issuer} (reads the issuer's state at checkpoint 1)",
                  lambda u=u: call(u, "claim", [str(issuer)]), _call_note)
        balances[u] += sent[u]
    a, b = others[0], others[-1]
    if a != b:
        amount = sent[a] // 2
        steps.run(f"user {a} sends {amount} to user {b} (same session as its claim)",
                  lambda: call(a, "transfer", [str(b), str(amount)]), _call_note)
        balances[a] -= amount
    refusals.append(steps.run(f"replay: user {issuer} calls again with its spent nonce 1",
                              lambda: _refused(DevnetError, lambda: net.call(keys[issuer], "Token.transfer",
                                                                             [str(a), "1"], nonce=1)),
                              _refusal_note))
    blocks.append(steps.run("block 2: aggregate, prove, commit checkpoint 2", net.block, _block_note))
    chain = steps.run("verify the chain from genesis", net.verify_chain, _verify_note)
    got = {u: int(net.user_state("Token", u)["fields"].get("balance", 0)) for u in users}
    ok = got == balances and all(r is not None for r in refusals) and chain["valid"]
    _summary(net, users, keys, got, calls, blocks, chain, token)
    console.print(("[green]balances match native arithmetic[/green]" if got == balances else
                   f"[red]balances differ from native arithmetic[/red]: {got} != {balances}"), highlight=False)
    net.close()
    if as_json:  # --json: the steps and checks as one object on stdout (the lines above went to stderr)
        print(json.dumps({
            "ok": ok, "demo": "devnet", "shape": shape, "users": len(users),
            "steps": [{"step": label, "seconds": round(dt, 4)} for label, dt, _ in steps.rows],
            "balances": {str(u): got[u] for u in users}, "balances_match": got == balances,
            "refusals_refused": all(r is not None for r in refusals),
            "blocks_proved": sum(1 for b in blocks if b["proof"]), "chain_valid": bool(chain["valid"]),
        }))
    return EXIT_OK if ok else EXIT_FAIL


def _refused(DevnetError, fn):  # noqa: N803
    try:
        fn()
    except DevnetError as e:
        return e
    return None


def _call_note(r) -> str:
    out = "" if r.outputs is None else f" → {r.outputs}"
    what = ("session proved" if r.session_calls == 1 else
            f"session extended to {r.session_calls} calls (this call's CFC and step, a new end cap)")
    return f"{what}: end cap {r.proof_bytes / 1024:.0f} KiB in {r.timings['prove_session']:.1f} s{out}"


def _refusal_note(e) -> str:
    return "[red]NOT refused (bug)[/red]" if e is None else f"[green]refused[/green] ({e.cause}): {e}"


def _block_note(b) -> str:
    s = b["stats"]
    return (f"{s['transactions']} tx of {s['users']} user(s); block proof {b['proof_bytes'] / 1024:.0f} KiB in "
            f"{b['timings']['prove']:.1f} s")


def _verify_note(v) -> str:
    if v["valid"]:
        return f"[green]valid[/green]: {v['blocks_proved']} block proof(s), {v['verify_ms']} ms"
    from rich.markup import escape

    return f"[red]not valid[/red]: {escape('; '.join(v['problems']))}"


def _summary(net, users, keys, balances, calls, blocks, chain, token) -> None:
    from rich.table import Table

    t = Table(title="users")
    for col in ("user", "key scheme", "balance", "nonce", "calls"):
        t.add_column(col, justify="right" if col != "key scheme" else "left")
    for u in users:
        rec = net.users()[u]
        t.add_row(str(u), rec.get("scheme", "zk"), str(balances[u]), str(net.chain().user_leaf(u).nonce),
                  str(sum(1 for c in calls if c[0] == u)))
    console.print(t)
    t = Table(title="proofs")
    for col in ("what", "count", "size (each)", "time (best / total)"):
        t.add_column(col, justify="left" if col == "what" else "right")
    caps = [c[3] for c in calls]
    if caps:  # each call proves its CFC and a step, and re-makes its user's signed end cap
        sizes = sorted(r.proof_bytes for r in caps)
        times = [r.timings["prove_session"] for r in caps]
        t.add_row("calls in sessions (CFC + step + signed end cap)", str(len(caps)),
                  f"{sizes[0] / 1024:.0f}–{sizes[-1] / 1024:.0f} KiB", f"{min(times):.1f} s / {sum(times):.1f} s")
    for b in blocks:
        t.add_row(f"block {b['checkpoint_id']} ({b['stats']['transactions']} tx, {b['stats']['users']} users)", "1",
                  f"{b['proof_bytes'] / 1024:.0f} KiB", f"{b['timings']['prove']:.1f} s")
    v = chain
    t.add_row("chain verification", str(v["blocks_proved"]), "",
              f"{sum(v['verify_ms']):.1f} ms" if v["verify_ms"] else "")
    console.print(t)
