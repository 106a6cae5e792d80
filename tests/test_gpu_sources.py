"""Every GPU kernel source compiles with nvcc for Hopper (skipped where nvcc is absent)."""

import shutil
import subprocess

import pytest

from psyc.backend_gpu.sources import core_source, gates_source, kernel_signatures, terms_cuda_source

NVCC = shutil.which("nvcc")


def test_kernel_signatures_are_parsed():
    sigs = kernel_signatures(core_source())
    assert sigs["ntt_shared"].barriers and not sigs["ntt_pass4"].barriers
    assert sigs["poseidon_grind"].params == ("ptr", "ptr", "i32", "i32", "u64", "u64", "ptr")
    assert sigs["plonk_chunk_products"].params[:2] == ("ptr", "i64")


def test_vanishing_term_kernels_are_generated_from_the_definition():
    from psyc.plonk import vanishing

    system = vanishing.permutation_system(7, 3, 2, tuple(pow(7, j, 2**64 - 2**32 + 1) for j in range(7)))
    sigs = kernel_signatures(terms_cuda_source(system))
    assert list(sigs) == [system.CUDA_KERNEL]
    assert sigs[system.CUDA_KERNEL].pointees[6] == "i64"  # the next-point index array


def test_vanishing_term_kernels_are_cached_under_the_printer_source(tmp_path, monkeypatch):
    """The cached CUDA source of a TermSystem is keyed by the text of this printer too
    (what it passes the template, the inputs it loads): an edited printer never gets a
    kernel printed by the old one (gate kernels already were)."""
    from psyc.backend_gpu import sources
    from psyc.plonk import vanishing

    monkeypatch.setenv("PSYC_CACHE_DIR", str(tmp_path))
    system = vanishing.lookup_system(2, 1)
    terms_cuda_source.__wrapped__(system)
    edited = tmp_path / "sources.py"
    edited.write_text(sources._SOURCES.read_text() + "\n# edited\n")
    monkeypatch.setattr(sources, "_SOURCES", edited)
    terms_cuda_source.__wrapped__(system)  # (past the in-process memo: a new process)
    assert len(list((tmp_path / "generated").glob("source_vanishing_cuda_*"))) == 2


@pytest.mark.skipif(NVCC is None, reason="nvcc not installed")
def test_kernels_compile_with_nvcc(tmp_path):
    from psyc.plonk.gates import (
        arithmetic_gate,
        base_sum_gate,
        exponentiation_gate,
        random_access_gate,
        reducing_gate,
    )
    from psyc.plonk.gates.coset_interpolation import coset_interpolation_gate
    from psyc.plonk.gates.lookup import lookup_gate
    from psyc.plonk.gates.poseidon import poseidon_gate

    gates = [arithmetic_gate(3), base_sum_gate(8), exponentiation_gate(5), random_access_gate(2),
             random_access_gate(4, 4), reducing_gate(43), poseidon_gate(), lookup_gate(2), coset_interpolation_gate(2)]
    from psyc.plonk import vanishing

    k_is = tuple(pow(7, j, 2**64 - 2**32 + 1) for j in range(80))
    terms = [
        terms_cuda_source(vanishing.permutation_system(80, 7, 2, k_is)),
        terms_cuda_source(vanishing.lookup_system(6, 2)),
    ]
    procs = {}
    # the generated vanishing-term kernels share a unit with the gates (one more compile
    # would cost a third process on 2 cores)
    for name, source in (("core", core_source()), ("gates", gates_source(gates) + "\n" + _without_header(terms))):
        src = tmp_path / f"{name}.cu"
        src.write_text(source)
        cmd = [NVCC, "-arch=sm_90", "-std=c++17", "-c", "-x", "cu", str(src), "-o", str(tmp_path / f"{name}.o")]
        procs[name] = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for name, proc in procs.items():  # both compiles run at once: half the wall time on 2 cores
        _, err = proc.communicate()
        assert proc.returncode == 0, f"{name}: {err[-4000:]}"
        assert "warning" not in err, f"{name}: {err[-4000:]}"


def _without_header(sources: list[str]) -> str:
    """Generated kernel units without their field header (one header per translation unit),
    their kernels renamed apart."""
    from psyc.backend_gpu.sources import field_header
    from psyc.plonk.vanishing import TermSystem

    header = "#define GL_FIELD_NOINLINE\n" + field_header() + "\n"
    out = []
    for k, s in enumerate(sources):
        assert s.startswith(header)
        out.append(s[len(header):].replace(TermSystem.CUDA_KERNEL, f"{TermSystem.CUDA_KERNEL}_{k}"))
    return "\n".join(out)
