"""``psyc sign --key KEYFILE --message 0x… -o SIG.proof``: a signature is a proof of the
key's circuit with public inputs (message, param); its verifying key goes to SIG.proof.vk.
``psyc sign --scheme ecdsa --external-signature r,s --pubkey 0x… --message 0x…`` proves an
ECDSA signature made elsewhere (a wallet that only signs). Exit 2 for usage and file errors
(bad message, malformed key file, existing non-proof output), 1 for a signature that does
not verify. For a multisig key, ``--signature MEMBER.proof`` (repeated) gives the members'
own signatures of the message, combined into one (exit 1 below the threshold)."""

from __future__ import annotations

import argparse
import json

from psyc.cli.common import EXIT_OK, ok, user_errors
from psyc.sig import registry

HELP = "sign a message (4 field elements / 32 bytes) with a key file: prove its key circuit"


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("--key", metavar="KEYFILE", help="secret key file (`psyc key new`)")
    p.add_argument("--message", required=True, metavar="0x…",
                   help="the message: 0x + 64 hex digits (4 big-endian u64 field elements) or 4 comma-separated integers")
    p.add_argument("-o", "--output", required=True, metavar="SIG.proof", help="signature file (and SIG.proof.vk)")
    p.add_argument("--scheme", choices=registry.names(),
                   help="the key's scheme (the key file must be of it); with --external-signature: ecdsa")
    p.add_argument("--external-signature", metavar="R,S",
                   help="an ECDSA signature made elsewhere: r,s as 0x-hex or decimal integers (or 0x + 128 hex "
                        "digits r || s); high-s is normalised")
    p.add_argument("--pubkey", metavar="0x…", help="with --external-signature: the signer's secp256k1 public key "
                                                  "(SEC 1, compressed or not)")
    p.add_argument("--shape", choices=["standard", "small", "test"], default="standard", help=argparse.SUPPRESS)
    p.add_argument("--signature", action="append", default=[], metavar="MEMBER.proof",
                   help="multisig key: a member's signature of the message (`psyc sign --key MEMBER.key`; its key "
                        "MEMBER.proof.vk); repeat for each member who signed")
    p.add_argument("--json", action="store_true", help="print the signature's files, public key and timings as JSON")


def parse_rs(text: str) -> tuple[int, int]:
    """``r,s`` (each 0x-hex or decimal) or 0x + 128 hex digits (r || s, 64 bytes)."""
    from psyc.sig import SignatureError

    t = text.strip()
    if "," not in t and t[:2].lower() == "0x" and len(t) == 130:
        return int(t[2:66], 16), int(t[66:], 16)
    parts = [x.strip() for x in t.split(",")]
    if len(parts) != 2:
        raise SignatureError(f"--external-signature {text!r}: expected r,s (two integers) or 0x + 128 hex digits",
                             "E1002")
    try:
        return int(parts[0], 0), int(parts[1], 0)
    except ValueError:
        raise SignatureError(f"--external-signature {text!r}: r and s must be integers (0x-hex or decimal)",
                             "E1002") from None


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    import time

    from psyc.cli.common import refuse_overwrite
    from psyc.cli.key_cmd import sig_error
    from psyc.plonk.keys import PROOF_MAGIC, VK_MAGIC, proof_to_bytes
    from psyc.sig import SignatureError, format_hash, parse_hash
    from psyc.sig.ecdsa import EcdsaScheme
    from psyc.sig.keyfile import read_key
    from psyc.sig.registry import scheme_module
    from psyc.sig.scheme import shape_named

    external = args.external_signature is not None
    try:
        message = parse_hash(args.message, "--message")
        if external:
            if args.scheme != "ecdsa" or args.pubkey is None or args.key is not None:
                raise SignatureError("--external-signature takes --scheme ecdsa and --pubkey (and no --key)", "E1002")
            from psyc.sig.ecdsa import parse_pubkey

            r, s = parse_rs(args.external_signature)
            pub = parse_pubkey(args.pubkey, "--pubkey")
        elif args.key is None:
            raise SignatureError("give --key KEYFILE, or --scheme ecdsa --external-signature r,s --pubkey 0x…",
                                 "E1002")
        else:
            key = read_key(args.key, args.scheme)
        is_multisig = not external and getattr(key, "scheme", "") == "multisig"
        if is_multisig != bool(args.signature):
            raise SignatureError("--signature gives the members' signatures for a multisig key (and only for one)",
                                 "E1002")
        members = [_member_signature(path) for path in args.signature]
        if external:
            scheme = EcdsaScheme(shape=shape_named(args.shape))
        else:
            scheme = scheme_module(key.scheme).scheme_for(key, shape_named(key.shape))
            scheme.check_key(key)  # before the seconds (minutes, for ecdsa) of compiling
    except SignatureError as e:
        return sig_error(args, e)
    refuse_overwrite(args.output, PROOF_MAGIC)
    refuse_overwrite(args.output + ".vk", VK_MAGIC)
    t0 = time.perf_counter()
    try:
        prog = scheme.program()
        prog.circuit()
        if external:
            key = scheme.key_for(pub)
        t1 = time.perf_counter()
        if external:
            proof, vk = scheme.sign_external(pub, message, r, s)
        elif is_multisig:
            proof, vk = scheme.sign(key, message, members)
        else:
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


def _member_signature(path: str) -> tuple:
    """A member's signature file and its key (``PATH.vk``); E1000 when unreadable."""
    from pathlib import Path

    from psyc.plonk.keys import VerifyingKey, proof_from_bytes
    from psyc.sig import SignatureError
    from psyc.util.serialization import FormatError

    try:
        vk = VerifyingKey.from_bytes(Path(path + ".vk").read_bytes())
        return proof_from_bytes(Path(path).read_bytes(), vk.common), vk
    except (OSError, FormatError) as e:
        raise SignatureError(f"--signature {path}: cannot read the signature or its key {path}.vk: {e}",
                             "E1000") from None
