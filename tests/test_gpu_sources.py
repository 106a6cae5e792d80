"""Every GPU kernel source compiles with nvcc for Hopper (skipped where nvcc is absent)."""

import shutil
import subprocess

import pytest

from psyc.backend_gpu.sources import core_source, gates_source, kernel_signatures

NVCC = shutil.which("nvcc")


def _nvcc(tmp_path, name: str, source: str) -> None:
    src = tmp_path / f"{name}.cu"
    src.write_text(source)
    res = subprocess.run(
        [NVCC, "-arch=sm_90", "-std=c++17", "-c", "-x", "cu", str(src), "-o", str(tmp_path / f"{name}.o")],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr[-4000:]
    assert "warning" not in res.stderr, res.stderr[-4000:]


def test_kernel_signatures_are_parsed():
    sigs = kernel_signatures(core_source())
    assert sigs["ntt_shared"].barriers and not sigs["ntt_pass4"].barriers
    assert sigs["poseidon_grind"].params == ("ptr", "ptr", "i32", "i32", "u64", "u64", "ptr")


@pytest.mark.skipif(NVCC is None, reason="nvcc not installed")
def test_core_kernels_compile_with_nvcc(tmp_path):
    _nvcc(tmp_path, "core", core_source())


@pytest.mark.skipif(NVCC is None, reason="nvcc not installed")
def test_gate_kernels_compile_with_nvcc(tmp_path):
    from psyc.plonk.gates import arithmetic_gate, base_sum_gate, exponentiation_gate, random_access_gate
    from psyc.plonk.gates.lookup import lookup_gate
    from psyc.plonk.gates.poseidon import poseidon_gate

    gates = [arithmetic_gate(3), base_sum_gate(8), exponentiation_gate(5), random_access_gate(2), poseidon_gate(),
             lookup_gate(2)]
    _nvcc(tmp_path, "gates", gates_source(gates))
