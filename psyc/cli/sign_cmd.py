"""``psyc sign --key KEYFILE --message 0x… -o SIG.proof``: a signature is a proof of the
key's circuit with public inputs (message, param); its verifying key goes to SIG.proof.vk.
Exit 2 for usage and file errors (bad message, malformed key file, existing non-proof output)."""

from __future__ import annotations

import argparse
import json

from psyc.cli.common import EXIT_OK, ok, user_errors

HELP = "sign a message (4 field elements / 32 bytes) with a key file: prove its key circuit"


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("--key", required=True, metavar="KEYFILE", help="secret key file (`psyc key new`)")
    p.add_argument("--message", required=True, metavar="0x…",
                   help="the message: 0x + 64 hex digits (4 big-endian u64 field elements) or 4 comma-separated integers")
    p.add_argument("-o", "--output", required=True, metavar="SIG.proof", help="signature file (and SIG.proof.vk)")
    p.add_argument("--json", action="store_true", help="print the signature's files, public key and timings as JSON")


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    import time

    from psyc.cli.common import refuse_overwrite
    from psyc.cli.key_cmd import sig_error
    from psyc.plonk.keys import PROOF_MAGIC, VK_MAGIC, proof_to_bytes
    from psyc.sig import SignatureError, format_hash, parse_hash
    from psyc.sig.keyfile import read_key
    from psyc.sig.zk import ZkScheme, shape_named

    try:
        message = parse_hash(args.message, "--message")
        key = read_key(args.key)
    except SignatureError as e:
        return sig_error(args, e)
    refuse_overwrite(args.output, PROOF_MAGIC)
    refuse_overwrite(args.output + ".vk", VK_MAGIC)
    scheme = ZkScheme(key.circuit, shape=shape_named(key.shape))
    t0 = time.perf_counter()
    try:
        prog = scheme.program()
        prog.circuit()
        t1 = time.perf_counter()
        proof, vk = scheme.sign(key, message)
    except SignatureError as e:
        return sig_error(args, e)
    t2 = time.perf_counter()
    with open(args.output, "wb") as f:
        f.write(proof_to_bytes(proof))
    with open(args.output + ".vk", "wb") as f:
        f.write(vk.to_bytes())
    doc = {"ok": True, "signature": args.output, "verifying_key": args.output + ".vk",
           "public_key": format_hash(key.public_key), "message": format_hash(message),
           "timings": {"build": round(t1 - t0, 3), "prove": round(prog.timings.get("prove", t2 - t1), 3)}}
    if args.json:
        print(json.dumps(doc))
    else:
        ok(f"wrote {args.output} and {args.output}.vk: signature of {doc['message']} by {doc['public_key']} "
           f"(proved in {doc['timings']['prove']:.2f} s)")
    return EXIT_OK
