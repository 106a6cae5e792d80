"""The build cache of signature circuits (issue 15): a second signer loads the compiled
circuit instead of compiling it; a corrupt, truncated, stale, foreign or tampered entry is
never used (the circuit is compiled again, with no traceback); a cached circuit whose key
is not the key file's is dropped and compiled, so the cache never decides what a key
signs with; the snapshot format constructs nothing but psyc's data."""

from __future__ import annotations

import json
import os
import pickle

import pytest

import psyc.compiler as compiler
from psyc import program_cache, snapshot
from psyc.project.cache import BuildCache
from psyc.recursion.shape import test_shape
from psyc.sig import SignatureError, format_hash, verify_signature
from psyc.sig.zk import ZkScheme, stdlib_circuit

MESSAGE = [1, 2, 3, 4]


@pytest.fixture
def compiles(tmp_path, monkeypatch):
    """A fresh user cache (folder and key) and a list that grows by one per compile."""
    monkeypatch.setenv("PSYC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PSYC_BUILD_CACHE_DIR", raising=False)  # the store under PSYC_CACHE_DIR
    monkeypatch.setenv("PSYC_CACHE_KEY", str(tmp_path / "cache.key"))
    calls: list = []
    real = compiler.compile_path

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(compiler, "compile_path", counting)
    return calls


def _entries(tmp_path) -> list:
    folder = tmp_path / "cache" / "build"
    return sorted(p for p in folder.iterdir() if p.name.startswith(program_cache.PROGRAM_KIND + "-"))


def _sign_and_check(scheme, key) -> None:
    proof, vk = scheme.sign(key, MESSAGE)
    assert verify_signature(proof, vk, key.public_key, MESSAGE, test_shape()) == key.param


def test_second_signer_loads_the_circuit(compiles, tmp_path):
    first = ZkScheme(shape=test_shape())
    key = first.new_key()
    assert len(compiles) == 1 and not first._from_cache
    [entry] = _entries(tmp_path)
    second = ZkScheme(shape=test_shape())  # as a second `psyc sign` would
    _sign_and_check(second, key)
    assert len(compiles) == 1 and second._from_cache
    assert second.verifying_key().to_bytes() == first.verifying_key().to_bytes()
    assert entry.stat().st_size > 0


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_damaged_entry_is_compiled_again(compiles, tmp_path, damage):
    key = ZkScheme(shape=test_shape()).new_key()
    [entry] = _entries(tmp_path)
    blob = entry.read_bytes()
    if damage == "truncate":
        entry.write_bytes(blob[: len(blob) // 2])
    elif damage == "flip":
        bad = bytearray(blob)
        bad[len(bad) - 100] ^= 0x10
        entry.write_bytes(bytes(bad))
    elif damage == "garbage":
        entry.write_bytes(b"garbage")
    else:
        entry.write_bytes(b"")
    scheme = ZkScheme(shape=test_shape())
    _sign_and_check(scheme, key)
    assert len(compiles) == 2 and not scheme._from_cache
    assert ZkScheme(shape=test_shape()).program() and len(compiles) == 2  # rewritten, loads again


def test_entry_under_another_users_key_is_not_believed(compiles, tmp_path, monkeypatch):
    key = ZkScheme(shape=test_shape()).new_key()
    monkeypatch.setenv("PSYC_CACHE_KEY", str(tmp_path / "other.key"))  # a cache copied to another account
    scheme = ZkScheme(shape=test_shape())
    _sign_and_check(scheme, key)
    assert len(compiles) == 2 and not scheme._from_cache


def test_changed_source_is_compiled_again(compiles, tmp_path):
    circuit = tmp_path / "key.psy"
    circuit.write_text(stdlib_circuit().read_text())
    ZkScheme(circuit, shape=test_shape()).program()
    ZkScheme(circuit, shape=test_shape()).program()
    assert len(compiles) == 1
    circuit.write_text(circuit.read_text() + "\n// an edit\n")
    edited = ZkScheme(circuit, shape=test_shape())
    edited.program()
    assert len(compiles) == 2 and not edited._from_cache


def test_cached_circuit_of_another_key_is_dropped_and_compiled(compiles, tmp_path):
    """An entry that loads cleanly (written under this user's key) but holds another
    circuit — as a poisoned cache would — is not what the key signs with."""
    other = tmp_path / "other.psy"
    forged = stdlib_circuit().read_text().replace(  # accepts any secret
        'assert_eq(param_of(secret), param, "the secret does not match the key\'s parameter");',
        "let _ = param_of(secret);\n    let _ = param;")
    assert "let _ = param;" in forged
    other.write_text(forged)
    key = ZkScheme(shape=test_shape()).new_key()
    other_prog = ZkScheme(other, shape=test_shape()).program()
    assert other_prog.circuit().verifier_data.fingerprint != ZkScheme(shape=test_shape()).verifying_key().fingerprint
    # put the other circuit under the stdlib circuit's entry (its sources' digests included)
    scheme = ZkScheme(shape=test_shape())
    program_cache.store_program(stdlib_circuit(), scheme.compile_options(), other_prog)
    assert len(compiles) == 2
    poisoned = ZkScheme(shape=test_shape())
    assert poisoned.program() is not None and poisoned._from_cache  # it does load ...
    _sign_and_check(poisoned, key)  # ... but the key's circuit is compiled to sign
    assert len(compiles) == 3 and not poisoned._from_cache


def test_entry_whose_key_does_not_match_its_columns_is_refused(compiles, tmp_path):
    ZkScheme(shape=test_shape()).program()
    [entry] = _entries(tmp_path)
    cache = BuildCache.user()
    kind, key = entry.name.split("-", 1)
    data = cache.get(kind, key)
    n = int.from_bytes(data[:8], "little")
    head = json.loads(data[8 : 8 + n])
    head["fingerprint"] = [1, 2, 3, 4]  # re-signed with the right cache key: only the content is wrong
    blob = json.dumps(head).encode()
    cache.put(kind, key, len(blob).to_bytes(8, "little") + blob + data[8 + n :])
    assert program_cache.load_program(stdlib_circuit(), ZkScheme(shape=test_shape()).compile_options()) is None
    scheme = ZkScheme(shape=test_shape())
    scheme.program()
    assert len(compiles) == 2 and not scheme._from_cache


def test_sign_cli_twice_compiles_once(compiles, tmp_path, capsys):
    from psyc.cli.main import main

    path = str(tmp_path / "z.key")
    assert main(["key", "new", "--scheme", "zk", "--shape", "test", "-o", path, "--json"]) == 0
    public = json.loads(capsys.readouterr().out)["public_key"]
    for name in ("a", "b"):
        out = str(tmp_path / f"{name}.proof")
        assert main(["sign", "--key", path, "--message", format_hash(MESSAGE), "-o", out, "--json"]) == 0
        capsys.readouterr()
        assert main(["verify-signature", "--shape", "test", "--public-key", public, "--message",
                     format_hash(MESSAGE), out]) == 0
    assert len(compiles) == 1


class _Call:
    def __init__(self, fn, args) -> None:
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


class _Boom:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_snapshot_constructs_only_psyc_data():
    with pytest.raises(snapshot.SnapshotError, match="may not construct posix.system"):
        snapshot.loads(pickle.dumps(_Boom()))
    with pytest.raises(snapshot.SnapshotError, match="not data a snapshot may hold"):
        snapshot.dumps(_Boom())
    # a function is found in installed code, and only in the modules that hold generators
    for module, name in (("psyc.cli.main", "main"), ("psyc.plonk.gates.codegen", "render")):
        with pytest.raises(snapshot.SnapshotError, match=f"may not refer to {module}"):
            snapshot.loads(pickle.dumps(_Call(snapshot._function, (module, name, 1, None, None, ()))))
    with pytest.raises(snapshot.SnapshotError, match="not a snapshot"):
        snapshot.loads(b"\x80\x05garbage")


def test_signature_errors_are_not_cache_errors(compiles):
    """A key made for another circuit is still E1001 after the fresh compile."""
    scheme = ZkScheme(shape=test_shape())
    key = scheme.new_key()
    key.fingerprint = [5, 6, 7, 8]
    with pytest.raises(SignatureError, match="fingerprint is not the key's") as e:
        ZkScheme(shape=test_shape()).sign(key, MESSAGE)
    assert e.value.code == "E1001"
