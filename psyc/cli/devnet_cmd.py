"""``psyc devnet init|deploy|register|call|block|state|verify-chain``: a local PARTH chain
over the embedded store (:mod:`psyc.devnet`, docs/parth.md).

Exit 0 on success; 1 when the devnet refuses a request (a stale checkpoint, a replayed
nonce or end cap, a key that is not the user's, a call that fails such as an overdraft,
a chain that does not verify) — nothing is committed then; 2 for usage and file errors
(no devnet, a malformed key file, an unknown contract or method, bad arguments).
With ``--json`` stdout carries exactly one JSON object (``"ok": false`` and the cause on
a refusal).
"""

from __future__ import annotations

import argparse
import json

from psyc.cli.common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, ok, user_errors

HELP = "a local PARTH devnet: deploy contracts, register users, prove calls and blocks, verify the chain"


def _common(p: argparse.ArgumentParser) -> None:
    from psyc.devnet import DEFAULT_DIR

    p.add_argument("--dir", default=DEFAULT_DIR, metavar="DIR", help=f"the devnet's folder (default {DEFAULT_DIR})")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object on stdout")


def register(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="devnet_command", metavar="ACTION", required=True)
    a = sub.add_parser("init", help="create a devnet (an empty chain)", description="create a devnet")
    a.add_argument("--shape", choices=["standard", "small"], default="standard",
                   help="the proofs' shape: standard (default, ~100-bit security) or small (one FRI query: fast, "
                        "no security; keys must be made with `psyc key new --shape small`)")
    _common(a)
    a = sub.add_parser("deploy", help="deploy a contract (joins the chain with the next block); prints its id",
                       description="deploy a contract: a .psy file or a project with a #[contract] struct")
    a.add_argument("contract", metavar="CONTRACT.psy", help="the contract's .psy file or project folder")
    _common(a)
    a = sub.add_parser("register", help="register the account of a key file; prints the user id",
                       description="register a user: the account whose key is KEYFILE (psyc key new)")
    a.add_argument("keyfile", metavar="KEYFILE")
    _common(a)
    a = sub.add_parser("call", help="execute and prove a call; it joins the user's session for the next block",
                       description="execute CONTRACT.METHOD with ARGS as the key's user, prove it and append it to "
                       "the user's open session (several calls before a block form one session)")
    a.add_argument("--key", required=True, metavar="KEYFILE", help="the user's secret key file")
    a.add_argument("--user", type=int, metavar="ID", help="the user id (default: the user registered with the key)")
    a.add_argument("--nonce", type=int, metavar="N", help="the session's nonce (default: the user's nonce + 1)")
    a.add_argument("--checkpoint", type=int, metavar="ID",
                   help="the checkpoint the call must anchor to (default: the latest; an older one is refused)")
    a.add_argument("target", metavar="CONTRACT.METHOD", help="e.g. Token.transfer (the contract by name or id)")
    a.add_argument("args", nargs="*", metavar="ARG", help="the method's arguments: VALUE in order, or NAME=VALUE")
    _common(a)
    a = sub.add_parser("block", help="aggregate the open sessions, prove the block and commit the checkpoint",
                       description="include every pending session, registration and deployment in a block, prove "
                       "it and commit the new checkpoint atomically (the first block is the genesis, which has no proof)")
    _common(a)
    a = sub.add_parser("state", help="a user's storage in a contract, as named fields",
                       description="print a user's storage in a contract at the latest checkpoint")
    a.add_argument("contract", metavar="CONTRACT", help="the contract's name or id")
    a.add_argument("--user", type=int, required=True, metavar="ID")
    _common(a)
    a = sub.add_parser("verify-chain", help="check every block proof from genesis",
                       description="verify every block proof from the genesis checkpoint and the store's roots")
    _common(a)
    a = sub.add_parser("status", help="the head checkpoint, users, contracts and what the next block includes",
                       description="the devnet's head checkpoint, contracts, users and pending entries")
    _common(a)


def _report(args: argparse.Namespace, doc: dict) -> None:
    if args.json:
        print(json.dumps({"ok": True, **doc}))


def _refused(args: argparse.Namespace, e) -> int:
    from rich.markup import escape

    from psyc.cli.console import error_console

    rc = EXIT_USAGE if e.usage else EXIT_FAIL
    error_console.print(f"[red]error[/red]: {escape(str(e))}", highlight=False)
    if args.json:
        print(json.dumps({"ok": False, "error": str(e), "cause": e.cause, "usage_error": e.usage}))
    return rc


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    from psyc.devnet import Devnet, DevnetError

    try:
        if args.devnet_command == "init":
            net = Devnet.create(args.dir, shape=args.shape)
            doc = {"dir": str(net.root), "network_magic": net.config["network_magic"], "shape": net.config["shape"]}
            _report(args, doc)
            if not args.json:
                ok(f"created a devnet in {net.root}: deploy contracts and register users, then `psyc devnet block` "
                   "commits the genesis")
            return EXIT_OK
        net = Devnet.open(args.dir)
        try:
            return _ACTIONS[args.devnet_command](net, args)
        finally:
            net.close()
    except DevnetError as e:
        return _refused(args, e)


def _progress(args):
    from psyc.cli.console import error_console

    if args.json or not error_console.is_terminal:
        return None
    return lambda msg: error_console.print(f"[dim]… {msg}[/dim]", highlight=False)


def _deploy(net, args) -> int:
    doc = net.deploy(args.contract)
    _report(args, doc)
    if not args.json:
        ok(f"deployed {doc['name']} as contract [bold]{doc['contract_id']}[/bold] (methods: "
           f"{', '.join(doc['methods'])}; function tree root {doc['cft_root']}); it joins the chain with block "
           f"{doc['joins_block']}")
    return EXIT_OK


def _register(net, args) -> int:
    doc = net.register(args.keyfile)
    _report(args, doc)
    if not args.json:
        ok(f"registered user [bold]{doc['user_id']}[/bold] (public key {doc['public_key']}); joins the chain with "
           f"block {doc['joins_block']}")
    return EXIT_OK


def _call(net, args) -> int:
    r = net.call(args.key, args.target, args.args, user=args.user, nonce=args.nonce, checkpoint=args.checkpoint,
                 progress=_progress(args))
    doc = r.to_json()
    _report(args, doc)
    if not args.json:
        out = "" if r.outputs is None else f" → {json.dumps(r.outputs)}"
        ok(f"[green]ok[/green]: user {r.user} called {args.target}{out}; call {r.session_calls} of the user's session "
           f"(nonce {r.nonce}, anchored to checkpoint {r.checkpoint_id})")
        for d in r.state_diff:
            ok(f"  slot {d['slot']} ({', '.join(d['fields'])}): {', '.join(d['before'])} → {', '.join(d['after'])}")
        times = ", ".join(f"{k} {v:.2f} s" for k, v in r.timings.items())
        ok(f"  session end cap {r.proof_bytes / 1024:.1f} KiB ({times})")
    return EXIT_OK


def _block(net, args) -> int:
    doc = net.block(progress=_progress(args))
    _report(args, doc)
    if args.json:
        return EXIT_OK
    if not doc["committed"]:
        ok(doc["reason"])
        return EXIT_OK
    s = doc["stats"]
    what = "genesis" if doc["genesis"] else f"block {doc['checkpoint_id']}"
    ok(f"[green]committed[/green] {what}: checkpoint {doc['checkpoint_id']}, CHKP root {doc['chkp_root']}")
    ok(f"  {s['transactions']} transaction(s) of {s['users']} user(s), {s['slots_modified']} slot(s) written, "
       f"{s['registrations']} registration(s), {s['deployments']} deployment(s)")
    if doc["proof"]:
        ok(f"  proof {doc['proof']} ({doc['proof_bytes'] / 1024:.1f} KiB), proved in {doc['timings']['prove']:.2f} s")
    return EXIT_OK


def _state(net, args) -> int:
    doc = net.user_state(args.contract, args.user)
    _report(args, doc)
    if not args.json:
        from rich.table import Table

        from psyc.cli.console import console

        t = Table(title=f"{doc['name']} (contract {doc['contract']}): user {doc['user']} at checkpoint "
                  f"{doc['checkpoint_id']}")
        t.add_column("field")
        t.add_column("value", justify="right")
        for k, v in doc["fields"].items():
            t.add_row(k, json.dumps(v).strip('"'))
        console.print(t)
        ok(f"storage root {doc['cstate_root']}; nonce {doc['nonce']}; fields not listed are zero")
    return EXIT_OK


def _verify_chain(net, args) -> int:
    doc = net.verify_chain(progress=_progress(args))
    if args.json:
        print(json.dumps({"ok": doc["valid"], **doc}))
    elif doc["valid"]:
        ok(f"[green]valid[/green]: {doc['checkpoints']} checkpoint(s) from genesis {doc['genesis_root']}; "
           f"{doc['blocks_proved']} block proof(s) verified; head {doc['head_root']}")
    else:
        from psyc.cli.console import error_console

        for p in doc["problems"]:
            error_console.print(f"[red]invalid[/red]: {p}", highlight=False)
    return EXIT_OK if doc["valid"] else EXIT_FAIL


def _status(net, args) -> int:
    head = net.head()
    pending = sorted(net.pending())
    doc = {"head": None if head is None else head["id"], "contracts": {str(k): v["name"] for k, v in
           net._all_contracts().items()}, "users": sorted(net.users()), "pending": pending}
    _report(args, doc)
    if not args.json:
        ok(f"head checkpoint: {doc['head'] if head is not None else 'none (no genesis yet)'}")
        ok(f"contracts: {', '.join(f'{v} ({k})' for k, v in doc['contracts'].items()) or 'none'}")
        ok(f"users: {', '.join(map(str, doc['users'])) or 'none'}")
        ok(f"next block includes: {', '.join(pending) or 'nothing yet'}")
    return EXIT_OK


_ACTIONS = {"deploy": _deploy, "register": _register, "call": _call, "block": _block, "state": _state,
            "verify-chain": _verify_chain, "status": _status}
