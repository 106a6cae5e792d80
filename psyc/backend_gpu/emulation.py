"""Run the GPU kernels on the CPU: the CUDA sources compiled as C++ with a small shim.

``templates/emulation_shim.h`` maps the CUDA constructs the kernels use onto C++: blocks
run one after another, threads as a loop, or as cooperative fibers for kernels that call
``__syncthreads`` (so shared memory and barriers keep their meaning); ``__umul64hi`` and
friends are inline functions. The library is built with ``g++`` (cached by the hash of its
source) and called through ctypes with NumPy arrays, so CI -- which has no GPU -- runs the
kernels' logic, the host-side orchestration of :mod:`psyc.backend_gpu.kernels` included,
against the numba backend. Slow by design; for small inputs only.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from psyc.backend_gpu.sources import KernelSignature, kernel_signatures, template_text_gpu
from psyc.util.codegen import cache_dir

_C_TYPES = {"ptr": ctypes.c_void_p, "u64": ctypes.c_uint64, "i64": ctypes.c_int64, "i32": ctypes.c_int32}
_C_DECL = {"ptr": "void*", "u64": "unsigned long long", "i64": "long long", "i32": "int"}


class EmulationUnavailable(RuntimeError):
    """No C++ compiler to build the emulation library with."""


def compiler() -> str | None:
    return os.environ.get("CXX") or shutil.which("g++") or shutil.which("clang++")


def _launchers(sigs: dict[str, KernelSignature]) -> str:
    out = []
    for s in sigs.values():
        params = ", ".join(f"{_C_DECL[k]} p{i}" for i, k in enumerate(s.params))
        args = ", ".join(f"({t}*)p{i}" if t else f"p{i}" for i, t in enumerate(s.pointees))
        out.append(
            f'extern "C" void emu_{s.name}(unsigned gx, unsigned gy, unsigned bx{", " if params else ""}{params}) '
            f"{{ psyc_emu::launch(gx, gy, bx, {str(s.barriers).lower()}, [&] {{ {s.name}({args}); }}); }}"
        )
    return "\n".join(out)


class EmulatedModule:
    """The kernels of one CUDA source, built for the CPU; ``launch`` mirrors
    :class:`psyc.backend_gpu.runtime.CudaModule`."""

    def __init__(self, source: str) -> None:
        cxx = compiler()
        if cxx is None:
            raise EmulationUnavailable("no C++ compiler (g++ or clang++) found to build the GPU kernel emulation")
        self.signatures = kernel_signatures(source)
        text = template_text_gpu("emulation_shim.h") + "\n" + source + "\n" + _launchers(self.signatures) + "\n"
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        folder = cache_dir() / "gpu_emulation"
        folder.mkdir(parents=True, exist_ok=True)
        lib = folder / f"kernels_{digest}.so"
        if not lib.exists():
            _build(cxx, text, lib)
        self._lib = ctypes.CDLL(str(lib))
        self._fns = {}
        for name, sig in self.signatures.items():
            fn = getattr(self._lib, f"emu_{name}")
            fn.argtypes = [ctypes.c_uint, ctypes.c_uint, ctypes.c_uint] + [_C_TYPES[k] for k in sig.params]
            fn.restype = None
            self._fns[name] = fn

    def launch(self, name: str, grid: tuple[int, int], block: int, args: tuple) -> None:
        sig = self.signatures[name]
        conv = []
        for kind, a in zip(sig.params, args, strict=True):
            if kind == "ptr":
                if not (isinstance(a, np.ndarray) and a.dtype in (np.uint64, np.int64) and a.flags.c_contiguous):
                    raise TypeError(f"{name}: pointer arguments must be contiguous 64-bit integer arrays")
                conv.append(a.ctypes.data)
            else:
                conv.append(int(a))
        self._fns[name](grid[0], grid[1], block, *conv)


def _build(cxx: str, text: str, lib: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "kernels.cpp"
        src.write_text(text)
        out = Path(tmp) / "kernels.so"
        cmd = [cxx, "-std=c++17", "-O1", "-shared", "-fPIC", "-w", "-x", "c++", str(src), "-o", str(out)]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            raise RuntimeError(f"building the GPU kernel emulation failed:\n{res.stderr[-4000:]}")
        fd, tmp_lib = tempfile.mkstemp(dir=lib.parent, suffix=".so.tmp")
        os.close(fd)
        shutil.copyfile(out, tmp_lib)
        os.replace(tmp_lib, lib)  # atomic: parallel test workers may race here


def emulated_kernels():
    """:class:`psyc.backend_gpu.kernels.Kernels` over NumPy arrays, running the CUDA kernels
    compiled for the CPU (raises :class:`EmulationUnavailable` without a C++ compiler)."""
    from psyc.backend_gpu.kernels import Kernels
    from psyc.backend_gpu.sources import core_source

    modules: dict[str, EmulatedModule] = {}

    def generated_module(key: str, make_source):
        if key not in modules:
            modules[key] = EmulatedModule(make_source())
        return modules[key]

    return Kernels(EmulatedModule(core_source()), np, generated_module, min_grind_batch=1 << 8)
