"""The GPU backend's proofs: rejected when tampered with (emulated, in CI), and equal byte
for byte to the CPU backend's on larger circuits and a fold (on a device, ``-m gpu``).
The small circuits of every gate kind, with lookups and blinding, are compared for every
backend -- the emulated GPU backend included -- in tests/test_prover_backends.py."""

from __future__ import annotations

import pytest
from test_prover_backends import CFG, CIRCUITS

from psyc.backend_gpu import GpuBackend


def test_tampered_emulated_gpu_proof_is_rejected():
    from psyc.backend_gpu import emulation
    from psyc.field import Ext2
    from psyc.plonk.verifier import VerificationError

    if emulation.compiler() is None:  # pragma: no cover - every CI image has g++
        pytest.skip("no C++ compiler for the GPU kernel emulation")
    data, pw = CIRCUITS["mixed"](CFG)
    proof = data.prove(pw, backend=GpuBackend.emulated())
    data.verify(proof)
    proof.proof.openings.wires[0] = proof.proof.openings.wires[0] + Ext2(1)
    with pytest.raises(VerificationError):
        data.verify(proof)


@pytest.fixture(scope="module")
def device():
    from psyc.backend_gpu.runtime import gpu_available

    if not gpu_available():
        pytest.skip("no CUDA device (or no CuPy)")
    return GpuBackend()


@pytest.mark.gpu
def test_device_proves_a_2_12_row_circuit_like_the_cpu(device):
    from psyc.bench.gpu_prove import poseidon_chain_case

    data, pw = poseidon_chain_case(4000)
    proof = data.prove(pw, backend=device)
    data.verify(proof)
    assert proof.to_bytes() == data.prove(pw, backend="cpu").to_bytes()


@pytest.mark.gpu
def test_device_folds_like_the_cpu(device):
    from psyc.bench.gpu_prove import fold_case

    fold = fold_case()
    proof = fold.prove(device)
    fold.circuit.data.verify(proof)
    assert proof.to_bytes() == fold.prove("cpu").to_bytes()
