"""Loading a verifying key builds no gate (issue 11): the gates' facts come from the on-disk
catalog (psyc.plonk.gates.catalog), keyed by the gate definitions' sources."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from copy import deepcopy
from pathlib import Path

import pytest

from psyc.fri import FriConfig
from psyc.plonk.builder import CircuitBuilder
from psyc.plonk.config import CircuitConfig
from psyc.plonk.gates import gate_from_spec
from psyc.plonk.gates.catalog import GateInfo, gate_info
from psyc.plonk.keys import VerifyingKey, proof_to_bytes
from psyc.plonk.witness import PartialWitness
from psyc.recursion.shape import test_shape

ROOT = Path(__file__).resolve().parent.parent
SMALL = FriConfig(rate_bits=3, cap_height=1, num_query_rounds=2, proof_of_work_bits=1,
                  reduction_arity_bits=2, final_poly_bits=1)


@pytest.mark.parametrize("gate", test_shape().gates, ids=lambda g: g.id)
def test_catalog_facts_equal_the_built_gate(gate):
    info = gate_info(gate.name, gate.params)
    assert isinstance(info, GateInfo) and info == gate and gate == info
    assert (info.id, info.num_wires, info.num_constants, info.degree, info.num_constraints, info.fingerprint) == (
        gate.id, gate.num_wires, gate.num_constants, gate.degree, gate.num_constraints, gate.fingerprint)
    assert info.constraints == gate.constraints  # anything else: from the built gate
    for copy in (pickle.loads(pickle.dumps(info)), deepcopy(info)):
        assert copy == info and copy.fingerprint == info.fingerprint


def test_a_gate_and_its_facts_hash_equal():
    """Objects that compare equal hash equal (Python's contract): a set or dict mixing a gate
    and its catalog facts holds it once, and the evaluator table has one entry per gate."""
    from psyc.plonk.gates.evaluators import GateEvaluators

    for name, params in [("poseidon", ()), ("arithmetic", (20,)), ("constant", (2,))]:
        gate, info = gate_from_spec(name, params), gate_info(name, params)
        assert gate == info and info == gate and hash(gate) == hash(info)
        assert len({gate, info}) == 1 and {gate: 1, info: 2} == {gate: 2}
        assert GateEvaluators.for_gate(gate) is GateEvaluators.for_gate(info)
    other = gate_from_spec("arithmetic", (10,))
    assert len({gate_from_spec("arithmetic", (20,)), gate_info("arithmetic", (20,)), other}) == 2


def test_catalog_rejects_what_the_constructors_reject():
    with pytest.raises(ValueError):
        gate_info("no_such_gate", ())
    with pytest.raises((ValueError, TypeError)):
        gate_from_spec("poseidon", (3,))
    with pytest.raises((ValueError, TypeError)):
        gate_info("poseidon", (3,))


def _small_proof(tmp_path: Path) -> Path:
    b = CircuitBuilder(CircuitConfig(fri_config=SMALL))
    x = b.add_virtual_target()
    b.register_public_inputs(b.hash_no_pad([x, b.mul(x, x), x, x, x]))  # a Poseidon row
    data = b.build()
    pw = PartialWitness()
    pw.set_target(x, 3)
    proof = data.prove(pw)
    path = tmp_path / "p.proof"
    path.write_bytes(proof_to_bytes(proof))
    vk = data.verifier_data.to_bytes()
    (tmp_path / "p.proof.vk").write_bytes(vk)
    loaded = VerifyingKey.from_bytes(vk)  # fills the catalog for the subprocess below
    assert all(isinstance(g, GateInfo) for g in loaded.common.gates)
    assert loaded.common.gates == data.common.gates and "poseidon" in [g.name for g in loaded.common.gates]
    loaded.verify(proof)
    return path


def test_psyc_verify_builds_no_gate(tmp_path):
    """`psyc verify` in a fresh interpreter: valid, and no gate constructor ran (building the
    Poseidon gate and printing its fingerprint were ~0.8 s of CPU of every verify)."""
    proof = _small_proof(tmp_path)
    probe = (
        "import contextlib, io\nfrom psyc.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = main(['verify', {str(proof)!r}])\n"
        "assert rc == 0, rc\n"
        "from psyc.plonk.gates import arithmetic_gate, constant_gate, poseidon_gate\n"
        "built = [f.__name__ for f in (arithmetic_gate, constant_gate, poseidon_gate) if f.cache_info().currsize]\n"
        "assert not built, built\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
