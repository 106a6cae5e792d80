"""The signature commands for every scheme of the registry (issue 15): `key new`, `key show`,
`sign`, `verify-signature`, each with --json; bad input (a malformed key file, a key file
of another scheme, a message that is not 32 bytes / 4 felts) is a located error with a
non-zero exit and no traceback. Key files here carry a made-up fingerprint (reading only
checks consistency), so no circuit is compiled except in the end-to-end schnorr test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from psyc.cli.main import main
from psyc.sig import format_hash, public_key
from psyc.sig.keyfile import read_key, write_key
from psyc.sig.registry import names

FP = [11, 12, 13, 14]  # any fingerprint: key files only check that public_key follows from it
MESSAGE = "0x" + "00" * 31 + "07"


def _fake_keys() -> dict:
    from psyc.sig import circuit, ecdsa, multisig, schnorr, zk
    secret = [1, 2, 3, 4]
    zk_key = zk.ZkKey(secret, zk.param_of(secret), FP, public_key(FP, zk.param_of(secret)))
    enc = schnorr.public_key_of(5)
    sch = schnorr.SchnorrKey(5, enc, schnorr.param_of(enc), FP, public_key(FP, schnorr.param_of(enc)))
    pub = ecdsa.public_point(7)
    ec = ecdsa.EcdsaKey(7, pub, ecdsa.param_of(pub), FP, public_key(FP, ecdsa.param_of(pub)))
    members = [zk_key.public_key, sch.public_key, ec.public_key]
    mparam = multisig.param_of(members, 2)
    ms = multisig.MultisigKey(members, 2, mparam, FP, public_key(FP, mparam))
    own = circuit.CircuitKey(Path("/keys/own.psy"), {"secret": ["1", "2", "3", "4"], "pin": "7"}, [5, 6, 7, 8], FP,
                             public_key(FP, [5, 6, 7, 8]))
    return {"zk": zk_key, "schnorr": sch, "ecdsa": ec, "multisig": ms, "circuit": own}


@pytest.fixture
def key_files(tmp_path):
    keys = _fake_keys()
    assert set(keys) == set(names())  # a new scheme gets its case here
    paths = {}
    for name, key in keys.items():
        paths[name] = str(tmp_path / f"{name}.key")
        write_key(paths[name], key)
        assert read_key(paths[name]) == key
    return keys, paths


def _no_traceback(capsys) -> tuple[str, str]:
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return out, err


def test_key_show_every_scheme(key_files, capsys):
    keys, paths = key_files
    want = {"zk": "std::sig::zk", "schnorr": "std::sig::schnorr", "ecdsa": "std::sig::ecdsa",
            "multisig": "std::sig::multisig::of_3", "circuit": "/keys/own.psy"}
    for name, path in paths.items():
        assert main(["key", "show", path, "--json"]) == 0, name
        doc = json.loads(_no_traceback(capsys)[0])
        assert doc["ok"] and doc["scheme"] == name and doc["circuit"] == want[name]
        assert doc["public_key"] == format_hash(keys[name].public_key)
        assert doc["fingerprint"] == format_hash(FP) and doc["param"] == format_hash(keys[name].param)
        assert main(["key", "show", path]) == 0
        assert format_hash(keys[name].public_key) in "".join(_no_traceback(capsys))
    assert main(["key", "show", paths["multisig"], "--json"]) == 0
    doc = json.loads(_no_traceback(capsys)[0])
    assert doc["threshold"] == 2 and len(doc["members"]) == 3


def test_sign_bad_input_is_located_for_every_scheme(key_files, tmp_path, capsys):
    _, paths = key_files
    out = str(tmp_path / "s.proof")
    for name, path in paths.items():
        others = [s for s in names() if s != name]
        cases = [
            (["--message", "1,2,3"], "E1002", "3 field elements"),  # not 4 felts
            (["--message", "0x" + "00" * 31], "E1002", "31 bytes"),  # not 32 bytes
            (["--message", "0x" + "ff" * 32], "E1002", "not a field element"),  # a word >= p
            (["--message", MESSAGE, "--scheme", others[0]], "E1001", f"not '{others[0]}'"),  # another scheme
        ]
        for argv, code, why in cases:
            assert main(["sign", "--key", path, *argv, "-o", out, "--json"]) == 2, (name, argv)
            doc = json.loads(_no_traceback(capsys)[0])
            assert doc["code"] == code and why in doc["error"], (name, doc)
        # malformed: not JSON, a field of the scheme missing, the file's scheme changed
        doc = json.loads(Path(path).read_text())
        own = [k for k in doc if k not in ("format", "version", "scheme", "param", "fingerprint", "public_key",
                                           "shape", "circuit")]
        bad = tmp_path / "bad.key"
        edits = [
            ("{not json", "not JSON"),
            (json.dumps({k: v for k, v in doc.items() if k != own[-1]}), own[-1]),
            (json.dumps({**doc, "scheme": others[0]}), str(bad)),
            (json.dumps({**doc, "public_key": format_hash([1, 2, 3, 4])}), "public_key"),
        ]
        for text, why in edits:
            bad.write_text(text)
            assert main(["sign", "--key", str(bad), "--message", MESSAGE, "-o", out, "--json"]) == 2, (name, text)
            err = json.loads(_no_traceback(capsys)[0])
            assert err["code"] == "E1000" and why in err["error"] and str(bad) in err["error"], (name, err)
    assert not (tmp_path / "s.proof").exists()
    # an ecdsa key whose secret stays in a wallet: told to use --external-signature, before
    # any compiling
    doc = json.loads(Path(paths["ecdsa"]).read_text())
    bad.write_text(json.dumps({**doc, "secret": None}))
    assert main(["sign", "--key", str(bad), "--message", MESSAGE, "-o", out, "--json"]) == 2
    err = json.loads(_no_traceback(capsys)[0])
    assert err["code"] == "E1000" and "--external-signature" in err["error"]


def test_key_new_and_verify_signature_bad_input(key_files, tmp_path, capsys):
    _, paths = key_files
    for name in names():
        assert main(["key", "new", "--scheme", name, "-o", paths[name], "--json"]) == 2  # never overwritten
        assert json.loads(_no_traceback(capsys)[0])["code"] == "E1005"
    own = tmp_path / "own.psy"
    own.write_text("fn main(pub message: Hash, pub param: Hash, secret: [Felt; 4]) {}\n")
    for name in ("schnorr", "ecdsa", "multisig"):
        assert main(["key", "new", "--scheme", name, "--circuit", str(own), "-o", str(tmp_path / "n.key")]) == 2
        _no_traceback(capsys)
    assert main(["key", "show", str(tmp_path / "missing.key"), "--json"]) == 2
    assert "missing.key" in _no_traceback(capsys)[1]
    sig = tmp_path / "s.proof"
    check = ["verify-signature", "--public-key", format_hash(FP), "--json"]
    for argv, code in ((["--message", "1,2,3", str(sig)], "E1002"), (["--message", "0x12", str(sig)], "E1002")):
        assert main([*check, *argv]) == 2
        assert json.loads(_no_traceback(capsys)[0])["code"] == code
    sig.write_bytes(b"not a proof")
    (tmp_path / "s.proof.vk").write_bytes(b"not a key")
    assert main([*check, "--message", MESSAGE, str(sig)]) == 2
    assert json.loads(_no_traceback(capsys)[0])["code"] == "E1000"
    assert main(["verify-signature", "--public-key", "0x12", "--message", MESSAGE, str(sig), "--json"]) == 2
    assert json.loads(_no_traceback(capsys)[0])["code"] == "E1002"


@pytest.mark.slow  # two compiles of the schnorr circuit, its wrapper and a proof: about a minute
def test_cli_schnorr_key_sign_verify(tmp_path, sig_cache, capsys):
    """End to end from the command line, test shape (the zk scheme's own test is in
    test_signatures, multisig's in test_sig_multisig, ecdsa's in test_ecdsa (slow))."""
    key = str(tmp_path / "s.key")
    assert main(["key", "new", "--scheme", "schnorr", "--shape", "test", "-o", key, "--json"]) == 0
    doc = json.loads(_no_traceback(capsys)[0])
    assert doc["scheme"] == "schnorr" and doc["public_key"] == format_hash(read_key(key, "schnorr").public_key)
    assert main(["key", "show", key, "--json"]) == 0
    assert json.loads(_no_traceback(capsys)[0])["key"] == doc["key"]
    sig = str(tmp_path / "s.proof")
    assert main(["sign", "--key", key, "--scheme", "schnorr", "--message", MESSAGE, "-o", sig, "--json"]) == 0
    assert json.loads(_no_traceback(capsys)[0])["public_key"] == doc["public_key"]
    check = ["verify-signature", "--shape", "test", "--public-key", doc["public_key"], sig, "--json"]
    assert main([*check, "--message", MESSAGE]) == 0
    assert json.loads(_no_traceback(capsys)[0])["valid"] is True
    assert main([*check, "--message", "1,2,3,5"]) == 1
    assert json.loads(_no_traceback(capsys)[0])["code"] == "E1003"


# A key circuit of the user's with two private inputs of different types; `key_param`
# computes its parameter (docs/signatures.md, "Your own circuit and witness").
OWN = """\
use std::hash::poseidon;

fn param_of(secret: [Felt; 4], pin: u32) -> Hash {
    poseidon([secret[0], secret[1], secret[2], secret[3], pin as Felt, 0x6f_776e])
}

fn main(pub message: Hash, pub param: Hash, secret: [Felt; 4], pin: u32) {
    assert_eq(param_of(secret, pin), param, "not this key's witness");
}

fn key_param(secret: [Felt; 4], pin: u32) -> pub Hash {
    param_of(secret, pin)
}
"""


def test_cli_circuit_key_with_own_witness(tmp_path, sig_cache, capsys):
    """`key new --circuit FILE --inputs SECRETS.toml`: any private inputs; the key signs and
    verifies, another key's signature and another message do not, a witness that does not
    match the key's parameter does not sign, a changed circuit is E1001."""
    from psyc.sig.circuit import CircuitKeyScheme
    from psyc.sig.scheme import shape_named

    own = tmp_path / "own.psy"
    own.write_text(OWN)
    keys = {}
    for name, pin in (("a", 77), ("b", 78)):
        (tmp_path / f"{name}.toml").write_text(f"secret = [1, 2, 3, 4]\npin = {pin}\n")
        keys[name] = str(tmp_path / f"{name}.key")
        assert main(["key", "new", "--circuit", str(own), "--inputs", str(tmp_path / f"{name}.toml"),
                     "--shape", "test", "-o", keys[name], "--json"]) == 0
        doc = json.loads(_no_traceback(capsys)[0])
        assert doc["scheme"] == "circuit" and doc["circuit"] == str(own.resolve())
    assert (Path(keys["a"]).stat().st_mode & 0o777) == 0o600
    a = read_key(keys["a"], "circuit")
    assert a.inputs == {"secret": ["1", "2", "3", "4"], "pin": "77"}
    # the parameter is what the circuit computes: the native poseidon of the same preimage
    from psyc.hash.poseidon import hash_no_pad
    assert a.param == [int(x) for x in hash_no_pad([1, 2, 3, 4, 77, 0x6F776E])]
    scheme = CircuitKeyScheme(own, shape=shape_named("test"))
    assert a.fingerprint == scheme.fingerprint() and a.public_key == public_key(a.fingerprint, a.param)
    b = read_key(keys["b"])
    assert b.fingerprint == a.fingerprint and b.public_key != a.public_key  # same circuit, another witness

    sigs = {}
    for name in keys:
        sigs[name] = str(tmp_path / f"{name}.proof")
        assert main(["sign", "--key", keys[name], "--message", MESSAGE, "-o", sigs[name], "--json"]) == 0
        _no_traceback(capsys)
    check = ["verify-signature", "--shape", "test", "--public-key", format_hash(a.public_key), "--json"]
    assert main([*check, "--message", MESSAGE, sigs["a"]]) == 0
    assert json.loads(_no_traceback(capsys)[0])["valid"] is True
    for argv in (["--message", MESSAGE, sigs["b"]], ["--message", "1,2,3,5", sigs["a"]]):
        assert main([*check, *argv]) == 1, argv  # another key's witness; another message
        assert json.loads(_no_traceback(capsys)[0])["code"] == "E1003"
    # the valid signature checked as a key of the standard shape: invalid, and says why it may be
    assert main([c for c in check if c not in ("--shape", "test")] + ["--message", MESSAGE, sigs["a"]]) == 1
    doc_err = json.loads(_no_traceback(capsys)[0])
    assert doc_err["code"] == "E1003" and "--shape small or test" in doc_err["error"]
    # a's parameter with b's witness: the circuit refuses to run, no signature is written
    forged = tmp_path / "forged.key"
    doc = json.loads(Path(keys["a"]).read_text())
    forged.write_text(json.dumps({**doc, "inputs": read_key(keys["b"]).inputs}))
    assert main(["sign", "--key", str(forged), "--message", MESSAGE, "-o", str(tmp_path / "f.proof")]) == 1
    assert "not this key's witness" in "".join(_no_traceback(capsys))
    assert not (tmp_path / "f.proof").exists()
    forged.write_text(json.dumps({**doc, "inputs": {**a.inputs, "message": ["9", "9", "9", "9"]}}))
    assert main(["sign", "--key", str(forged), "--message", MESSAGE, "-o", str(tmp_path / "f.proof"), "--json"]) == 2
    assert "not 'message'" in json.loads(_no_traceback(capsys)[0])["error"]
    # the circuit file changed since the key was made
    own.write_text(OWN.replace("0x6f_776e", "0x6f_776f"))
    assert main(["sign", "--key", keys["a"], "--message", MESSAGE, "-o", str(tmp_path / "c.proof"), "--json"]) == 2
    assert json.loads(_no_traceback(capsys)[0])["code"] == "E1001"


@pytest.mark.parametrize(("circuit", "witness", "code", "why"), [
    (OWN, "secret = [1, 2, 3, 4]\n", "E0600", "missing input `pin`"),
    (OWN, "secret = [1, 2, 3, 4]\npin = 1\nextra = 2\n", "E0605", "unknown input `extra`"),
    (OWN, "secret = [1, 2, 3, 4]\npin = 4294967296\n", "E0602", "does not fit in u32"),
    (OWN.replace("pub param: Hash, secret", "param: Hash, secret"), "", "E1004", "public inputs are exactly"),
    (OWN.replace("pub message: Hash, pub param: Hash,", "pub param: Hash, pub message: Hash,"), "", "E1004",
     "takes (pub param: Hash, pub message: Hash"),
    (OWN.replace("secret: [Felt; 4], pin: u32) {", "secret: [Felt; 4], pub pin: u32) {"), "", "E1004",
     "every other input is private"),
    (OWN.replace("fn key_param", "fn other"), "secret = [1, 2, 3, 4]\npin = 1\n", "E1004", "has no `fn key_param"),
    (OWN.replace("-> pub Hash {\n    param_of(secret, pin)", "-> pub Hash {\n    param_of(secret, 0)")
        .replace("key_param(secret: [Felt; 4], pin: u32)", "key_param(secret: [Felt; 4])"),
     "secret = [1, 2, 3, 4]\npin = 1\n", "E1004", "main's private inputs, in order"),
])
def test_cli_circuit_key_bad_input(tmp_path, sig_cache, capsys, circuit, witness, code, why):
    """Each bad circuit or witness file: a located message naming what is wrong, exit 2,
    no traceback, no key file."""
    own, secrets = tmp_path / "own.psy", tmp_path / "w.toml"
    own.write_text(circuit)
    secrets.write_text(witness)
    out = tmp_path / "k.key"
    assert main(["key", "new", "--circuit", str(own), "--inputs", str(secrets), "--shape", "test",
                 "-o", str(out)]) == 2
    _, err = _no_traceback(capsys)
    assert f"[{code}]" in err and why in err, err
    if code.startswith("E06"):
        assert f"{secrets}:" in err  # located in the witness file
    assert not out.exists()
    # --inputs without --circuit, or --scheme circuit without --inputs: usage errors
    for argv in (["--inputs", str(secrets)], ["--scheme", "circuit", "--circuit", str(own)]):
        assert main(["key", "new", *argv, "-o", str(out)]) == 2
        assert "--scheme circuit takes" in _no_traceback(capsys)[1]


def test_cli_key_circuit_that_does_not_parse(tmp_path, capsys):
    """A key circuit with a syntax error: the compiler's diagnostic, located in the file."""
    own, secrets = tmp_path / "own.psy", tmp_path / "w.toml"
    own.write_text("fn main( {\n")
    secrets.write_text("pin = 1\n")
    for extra in (["--inputs", str(secrets)], []):
        assert main(["key", "new", "--circuit", str(own), *extra, "--shape", "test",
                     "-o", str(tmp_path / "k.key")]) == 1
        err = _no_traceback(capsys)[1]
        assert "[E0001]" in err and "own.psy:1:10" in err, err
    assert not (tmp_path / "k.key").exists()


def test_write_key_into_a_missing_folder_names_the_key_file(tmp_path, key_files):
    """The error names the path asked for, not the temporary file the key is written to first."""
    keys, _ = key_files
    with pytest.raises(OSError) as e:
        write_key(tmp_path / "missing" / "k.key", keys["zk"])
    assert e.value.filename == str(tmp_path / "missing" / "k.key")
    assert not (tmp_path / "missing").exists()
