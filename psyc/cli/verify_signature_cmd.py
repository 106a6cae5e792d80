"""``psyc verify-signature --public-key 0x… --message 0x… SIG.proof``: exit 0 when SIG.proof
(with SIG.proof.vk) is a signature of the message under the public key, 1 when it is not,
2 for usage and file errors. The verifying key may come from the signer: the public key
binds the circuit's fingerprint."""

from __future__ import annotations

import argparse
import json

from psyc.cli.common import EXIT_OK, ok, user_errors

HELP = "check a signature: exit 0 valid, 1 invalid, 2 usage or file error"


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("signature", metavar="SIG.proof", help="signature file (`psyc sign`)")
    p.add_argument("--public-key", required=True, metavar="0x…", help="the signer's public key")
    p.add_argument("--message", required=True, metavar="0x…", help="the message (as given to `psyc sign`)")
    p.add_argument("--vk", help="the signature circuit's verifying key (default: SIG.proof.vk)")
    p.add_argument("--shape", choices=["standard", "small", "test"], default="standard",
                   help="the recursion shape the key was made for (`psyc key new --shape`): standard (default)")
    p.add_argument("--json", action="store_true", help='print {"valid": …} (and "error" when invalid) as JSON')


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    from pathlib import Path

    from psyc.cli.key_cmd import sig_error
    from psyc.plonk.keys import VerifyingKey, proof_from_bytes
    from psyc.sig import SignatureError, format_hash, parse_hash, verify_signature
    from psyc.sig.scheme import shape_named
    from psyc.util.serialization import FormatError

    try:
        key = parse_hash(args.public_key, "--public-key")
        message = parse_hash(args.message, "--message")
        vk_path = args.vk or args.signature + ".vk"
        try:
            vk = VerifyingKey.from_bytes(Path(vk_path).read_bytes())
        except FormatError as e:
            raise SignatureError(f"{vk_path}: not a verifying key: {e}", "E1000") from None
        try:
            proof = proof_from_bytes(Path(args.signature).read_bytes(), vk.common)
        except FormatError as e:  # a tampered or truncated signature: invalid, not a usage error
            raise SignatureError(f"{args.signature}: not a valid proof: {e}") from None
        param = verify_signature(proof, vk, key, message, shape_named(args.shape))
    except SignatureError as e:
        return sig_error(args, e)
    if args.json:
        print(json.dumps({"valid": True, "public_key": format_hash(key), "message": format_hash(message),
                          "param": format_hash(param)}))
    else:
        ok(f"[green]valid[/green]: {args.signature} signs {format_hash(message)} under {format_hash(key)}")
    return EXIT_OK
