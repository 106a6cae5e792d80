"""The compiler's and the circuit builder's output, pinned: a speed-up must not change it.

For each program of a fixed set — the examples, issue 18's two side-by-side workloads at a
small size, and a corpus of generated programs (``tests/vectors/pipeline_corpus.json``,
drawn once from ``psyc.testing.programs`` with their inputs) — four digests are pinned in
``tests/vectors/pipeline_golden.json``:

* the elaborator's IR (unoptimised, as text with value ids and source positions);
* the IR after the passes;
* the circuit's fingerprint (its verifying key: the layout, the gate constants and the
  permutation, as committed; stdlib circuits' keys are what PARTH whitelists hold);
* the witness table that the circuit's generators derive from one run, and its public inputs.

A change of any digest fails the test. Regenerate only for an intended change of the
output, explained in the commit: ``python tests/test_pipeline_golden.py --update``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VECTORS = Path(__file__).resolve().parent / "vectors"
GOLDEN = VECTORS / "pipeline_golden.json"
CORPUS = VECTORS / "pipeline_corpus.json"

# examples cheap enough to build here (recursion needs wrapped child proofs: its own tests)
EXAMPLES = ["hash_chain", "merkle_membership", "range_proof_u64", "spending_policy", "struct_transfer"]
CONTRACTS = ["nft", "token"]  # compiled per method (no run: their inputs are a contract's state)

MULADD = """\
fn main(x: Felt, y: Felt) -> pub Felt {
    let mut acc = x;
    for _ in 0..300 {
        acc = acc * y + x;
    }
    acc
}
"""

POSEIDON = """\
use std::hash::{hash_two, poseidon};

fn main(seed: Felt) -> pub Hash {
    let mut h = poseidon([seed]);
    for i in 0..12 {
        h = hash_two(h, [i as Felt, 0, 0, 0]);
    }
    h
}
"""


def _cases() -> dict[str, tuple[str | None, str | None, object]]:
    """name -> (example folder or None, source or None, inputs or None: the project's file)."""
    cases: dict[str, tuple] = {f"example/{n}": (n, None, None) for n in EXAMPLES + CONTRACTS}
    cases["muladd_chain"] = (None, MULADD, {"x": 3, "y": 5})
    cases["poseidon_chain"] = (None, POSEIDON, {"seed": 42})
    for k, case in enumerate(json.loads(CORPUS.read_text())):
        cases[f"generated/{k}"] = (None, case["source"], case["inputs"])
    return cases


def _project(tmp: Path, name: str, source: str) -> Path:
    root = tmp / name.replace("/", "_")
    (root / "src").mkdir(parents=True, exist_ok=True)
    (root / "psy.toml").write_text('[package]\nname = "golden"\nversion = "0.1.0"\n')
    (root / "src" / "main.psy").write_text(source)
    return root


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def digests(name: str, tmp: Path) -> dict[str, object]:
    """The four pinned digests of case ``name`` (see the module docstring)."""
    import numpy as np

    from psyc.compiler import CompileOptions, compile_path
    from psyc.plonk.witness_gen import generate_witness

    example, source, inputs = _cases()[name]
    path = ROOT / "examples" / example if example else _project(tmp, name, source)
    if example in CONTRACTS:
        return _contract_digests(path)
    raw = compile_path(path, CompileOptions(optimize=False))
    prog = compile_path(path)
    data = prog.circuit()
    run = prog.execute(prog.read_inputs() if inputs is None else inputs)
    wires, public_inputs = generate_witness(data, prog.lowered().partial_witness(run))
    return {
        "raw_ir": _sha(raw.program.format(raw.sources).encode()),
        "ir": _sha(prog.program.format(prog.sources).encode()),
        "fingerprint": [int(x) for x in data.verifier_data.fingerprint],
        "witness": _sha(np.ascontiguousarray(wires, dtype=np.uint64).tobytes() + repr(public_inputs).encode()),
    }


def _contract_digests(path: Path) -> dict[str, object]:
    from psyc.compiler import CompileOptions
    from psyc.contracts.compile import compile_contract

    raw = compile_contract(path, CompileOptions(optimize=False))
    out = {}
    for m, r in zip(compile_contract(path).methods, raw.methods, strict=True):
        out[m.name] = {
            "raw_ir": _sha(r.program.program.format(r.program.sources).encode()),
            "ir": _sha(m.program.program.format(m.program.sources).encode()),
            "fingerprint": [int(x) for x in m.program.circuit().verifier_data.fingerprint],
        }
    return out


@pytest.mark.parametrize("name", sorted(_cases()))
def test_pipeline_output_is_unchanged(name, tmp_path):
    expected = json.loads(GOLDEN.read_text())[name]
    assert digests(name, tmp_path) == expected


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        golden = {name: digests(name, Path(tmp)) for name in sorted(_cases())}
    GOLDEN.write_text(json.dumps(golden, indent=1) + "\n")
    print(f"wrote {len(golden)} cases to {GOLDEN}")
