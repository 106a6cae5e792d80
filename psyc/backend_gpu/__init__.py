"""The CUDA backend: kernels rendered from jinja2 templates (``templates/``), loaded with
CuPy on a device (:mod:`.runtime`) or compiled for the CPU to test them without one
(:mod:`.emulation`); :mod:`.kernels` sequences them and :class:`GpuBackend` implements
the prover's :class:`psyc.backend.ProverBackend` with them. Importing this package needs
neither CuPy nor a GPU; constructing ``GpuBackend()`` does."""

from psyc.backend_gpu.backend import GpuBackend

__all__ = ["GpuBackend"]
