"""Loading the GPU kernels on a CUDA device with CuPy (``RawModule``, compiled by NVRTC).

Works with any CuPy build (``cupy-cuda12x``, ``cupy-cuda13x``): the sources include no
headers and use only what NVRTC provides. CuPy caches compiled modules on disk, keyed by
their source, so only the first run on a machine pays the compile.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from psyc.backend_gpu.sources import core_source, kernel_signatures

if TYPE_CHECKING:
    from collections.abc import Callable

_SCALARS = {"u64": np.uint64, "i64": np.int64, "i32": np.int32}


class GpuUnavailable(RuntimeError):
    """CuPy is not installed or no CUDA device is usable."""


def cupy_module():
    """The ``cupy`` module, or GpuUnavailable saying why not."""
    try:
        import cupy
    except ImportError as exc:
        raise GpuUnavailable(
            "the GPU backend needs CuPy: pip install 'psyc[gpu]' (CUDA 12) or 'psyc[gpu-cuda13]' (CUDA 13)"
        ) from exc
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            raise GpuUnavailable("CuPy found no CUDA device")
    except cupy.cuda.runtime.CUDARuntimeError as exc:
        raise GpuUnavailable(f"CuPy cannot reach a CUDA device: {exc}") from exc
    return cupy


def gpu_available() -> bool:
    try:
        cupy_module()
    except GpuUnavailable:
        return False
    return True


def device_name() -> str:
    cp = cupy_module()
    props = cp.cuda.runtime.getDeviceProperties(cp.cuda.Device().id)
    name = props["name"]
    return name.decode() if isinstance(name, bytes) else str(name)


class CudaModule:
    """The kernels of one CUDA source on the current device; ``launch`` converts scalar
    arguments to the kernel's parameter types (NVRTC kernels take raw bytes)."""

    def __init__(self, source: str) -> None:
        cp = cupy_module()
        self.signatures = kernel_signatures(source)
        self._module = cp.RawModule(code=source, options=("-std=c++17",), name_expressions=None)
        self._fns: dict = {}

    def launch(self, name: str, grid: tuple[int, int], block: int, args: tuple) -> None:
        fn = self._fns.get(name)
        if fn is None:
            fn = self._fns[name] = self._module.get_function(name)
        kinds = self.signatures[name].params
        conv = tuple(a if k == "ptr" else _SCALARS[k](a) for k, a in zip(kinds, args, strict=True))
        fn((int(grid[0]), int(grid[1]), 1), (int(block), 1, 1), conv)


@cache
def core_module() -> CudaModule:
    return CudaModule(core_source())


_generated_modules: dict[str, CudaModule] = {}


def generated_module(key: str, make_source: Callable[[], str]) -> CudaModule:
    """The module of a generated source (gate quotients, vanishing terms), compiled once
    per ``key`` and process."""
    if key not in _generated_modules:
        _generated_modules[key] = CudaModule(make_source())
    return _generated_modules[key]


@cache
def device_kernels():
    """:class:`psyc.backend_gpu.kernels.Kernels` on the CUDA device."""
    from psyc.backend_gpu.kernels import Kernels

    return Kernels(core_module(), cupy_module(), generated_module)
