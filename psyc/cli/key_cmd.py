"""``psyc key new|show``: signing keys whose key is a circuit (docs/signatures.md).

Exit 0 on success, 1 when the key circuit fails, 2 for usage and file errors (a malformed
key file, one for another scheme, an output file that exists).
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from psyc.cli.common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, ok, user_errors
from psyc.sig import registry

if TYPE_CHECKING:
    from psyc.recursion.shape import StandardShape
    from psyc.sig import SignatureError

HELP = "make (new) or show (show) a signing key: an account key that is a circuit"


def register(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    new = sub.add_parser("new", help="make a key from the OS's randomness", description="make a signing key")
    new.add_argument("--scheme", choices=registry.names(),
                     help="signature scheme (default zk, or circuit with --inputs; schnorr: over ecGFp5; ecdsa: "
                          "secp256k1, wallet-compatible; multisig: t of n keys; circuit: your own circuit and witness)")
    new.add_argument("--circuit", metavar="FILE.psy",
                     help="your own key circuit: with the zk inputs (--scheme zk), or any private inputs given "
                          "by --inputs (--scheme circuit)")
    new.add_argument("--inputs", metavar="SECRETS.toml",
                     help="--scheme circuit: the values of the circuit's private inputs (.toml or .json; "
                          "recorded in the key file)")
    new.add_argument("--members", metavar="K1,K2,…",
                     help="multisig: the members' public keys in order (0x…, or files: psyc key files or "
                          "text files holding a 0x… public key)")
    new.add_argument("--threshold", type=int, metavar="T", help="multisig: how many members must sign")
    new.add_argument("-o", "--output", required=True, metavar="KEYFILE",
                     help="the secret key file to create (mode 0600; never overwritten)")
    new.add_argument("--shape", choices=["standard", "small", "test"], default="standard",
                     help="the recursion shape the key's fingerprint is for: standard (default); small or test "
                          "only for a small devnet or tests (no security)")
    new.add_argument("--json", action="store_true", help="print the public key and fingerprint as JSON")
    show = sub.add_parser("show", help="print a key file's public key", description="print a key file's public key")
    show.add_argument("keyfile")
    show.add_argument("--json", action="store_true", help="print the key's public parts as JSON")


def _public(key, path: str) -> dict:
    from psyc.sig import format_hash
    from psyc.sig.registry import scheme_module

    return {"key_file": path, "scheme": key.scheme, "public_key": format_hash(key.public_key),
            "fingerprint": format_hash(key.fingerprint), "param": format_hash(key.param), "shape": key.shape,
            **scheme_module(key.scheme).public_fields(key)}


def sig_error(args: argparse.Namespace, e: SignatureError) -> int:
    """Report a ``SignatureError``: located message on stderr (and ``--json``), exit 2
    for bad files and values, 1 for a signature that does not verify."""
    from rich.markup import escape

    from psyc.cli.console import error_console

    rc = EXIT_FAIL if e.code == "E1003" else EXIT_USAGE
    error_console.print(f"[red]error[{e.code}][/red]: {escape(str(e))}", highlight=False)
    if getattr(args, "json", False):
        print(json.dumps({"ok": False, "valid": False, "error": str(e), "code": e.code, "usage_error": rc == EXIT_USAGE}))
    return rc


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    from pathlib import Path

    from psyc.sig import SignatureError
    from psyc.sig.keyfile import read_key, write_key
    from psyc.sig.scheme import shape_named
    from psyc.sig.zk import ZkScheme

    try:
        if args.key_command == "show":
            key = read_key(args.keyfile)
            doc = _public(key, args.keyfile)
        else:
            if Path(args.output).exists():  # before the seconds of compiling
                raise SignatureError(f"refusing to overwrite {args.output}: it exists (a key file is never "
                                     "replaced)", "E1005")
            if args.scheme is None:
                args.scheme = "circuit" if args.inputs is not None else "zk"
            if (args.scheme == "circuit") != (args.inputs is not None) or (args.scheme == "circuit"
                                                                             and not args.circuit):
                raise SignatureError("--scheme circuit takes --circuit FILE.psy and --inputs SECRETS.toml "
                                     "(and --inputs is for it only)", "E1002")
            if args.scheme != "multisig" and (args.members or args.threshold is not None):
                raise SignatureError("--members and --threshold are for --scheme multisig", "E1002")
            if args.scheme == "multisig" and args.circuit:
                raise SignatureError("--circuit is for --scheme zk (a multisig key's circuit is "
                                     "std::sig::multisig)", "E1002")
            if args.circuit and not Path(args.circuit).is_file():
                raise SignatureError(f"--circuit {args.circuit}: no such file", "E1004")
            if args.circuit and args.scheme not in ("zk", "circuit"):
                raise SignatureError(f"--circuit is for zk keys; a {args.scheme} key uses std::sig::{args.scheme}",
                                     "E1004")
            shape = shape_named(args.shape)
            if args.scheme == "multisig":
                key = multisig_key(args.members, args.threshold, shape)
            elif args.scheme == "circuit":
                from psyc.sig.circuit import CircuitKeyScheme

                scheme = CircuitKeyScheme(args.circuit, shape=shape)
                key = scheme.new_key(scheme.read_witness(args.inputs))
            elif args.scheme == "zk":
                key = ZkScheme(args.circuit, shape=shape).new_key()
            else:  # a scheme whose keys are made from fresh randomness alone
                key = registry.scheme_module(args.scheme).scheme_for(None, shape).new_key()
            write_key(args.output, key)
            doc = _public(key, args.output)
    except SignatureError as e:
        return sig_error(args, e)
    if args.json:
        print(json.dumps({"ok": True, **doc}))
    else:
        verb = "wrote" if args.key_command == "new" else "key"
        ok(f"{verb} {doc['key_file']} (scheme {doc['scheme']}, circuit {doc['circuit']})")
        ok(f"public key:  {doc['public_key']}")
        ok(f"fingerprint: {doc['fingerprint']}")
        ok(f"param:       {doc['param']}")
        if "pubkey" in doc:
            ok(f"secp256k1:   {doc['pubkey']}")
        if "key" in doc:
            ok("ecGFp5 key:  " + ", ".join(doc["key"]))
        if "members" in doc:
            ok(f"{doc['threshold']} of {len(doc['members'])} members: " + ", ".join(doc["members"]))
    return EXIT_OK


def member_key(text: str) -> list[int]:
    """A member's public key: ``0x…``, or a file holding a psyc key file (its public key
    is taken; the secret is not used) or the public key as ``0x…`` text."""
    from pathlib import Path

    from psyc.sig import SignatureError, parse_hash

    text = text.strip()
    if text.startswith("0x"):
        return parse_hash(text, "member key")
    path = Path(text)
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise SignatureError(f"--members: {text} is neither a public key (0x…) nor a readable file ({e})",
                             "E1002") from None
    if content.lstrip().startswith("{"):
        from psyc.sig.keyfile import read_key

        return list(read_key(path).public_key)
    return parse_hash(content.strip(), f"{text}: public key")


def multisig_key(members: str | None, threshold: int | None, shape: StandardShape):
    """``key new --scheme multisig``: the key of ``--members`` and ``--threshold``."""
    from psyc.sig import SignatureError
    from psyc.sig.multisig import MultisigScheme, param_of

    if not members or threshold is None:
        raise SignatureError("--scheme multisig needs --members K1,K2,… and --threshold T", "E1002")
    keys = [member_key(m) for m in members.split(",") if m.strip()]
    param_of(keys, threshold)  # the members and threshold are checked before the seconds of compiling
    return MultisigScheme(len(keys), shape).new_key(keys, threshold)
