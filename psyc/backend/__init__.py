"""Prover backends: the :class:`ProverBackend` protocol and a registry of implementations.

``get_backend()`` returns the backend named by its argument, else by ``$PSYC_BACKEND``,
else ``"cpu"``. Implementations are imported lazily, so CuPy is imported only when the
GPU backend is asked for.
"""

from __future__ import annotations

import importlib
import os

from psyc.backend.protocol import Array, ProverBackend, QuotientDomain

#: name -> "module:ClassName"; the class is constructed without arguments.
_REGISTRY: dict[str, str] = {
    "cpu": "psyc.backend_cpu.backend:CpuBackend",
    "gpu": "psyc.backend_gpu:GpuBackend",
}
_INSTANCES: dict[str, ProverBackend] = {}
DEFAULT_BACKEND = "cpu"
ENV_VAR = "PSYC_BACKEND"
_process_default: str | None = None  # set by set_default_backend (the CLI's --backend)


class BackendUnavailable(RuntimeError):
    """The backend exists but cannot run here (no CuPy, no GPU, unknown name); the message
    says why and what to do."""


def backend_names() -> list[str]:
    """Every registered backend name (available here or not)."""
    return list(_REGISTRY)


def get_backend(name: str | None = None) -> ProverBackend:
    """The backend called ``name`` (default: the one :func:`set_default_backend` chose, else
    ``$PSYC_BACKEND``, else ``"cpu"``), created once per process. Raises
    :class:`BackendUnavailable` with a clear reason when it cannot run."""
    name = (name or _process_default or os.environ.get(ENV_VAR) or DEFAULT_BACKEND).strip().lower()
    if name in _INSTANCES:
        return _INSTANCES[name]
    target = _REGISTRY.get(name)
    if target is None:
        raise BackendUnavailable(f"unknown backend '{name}' (choose from {', '.join(_REGISTRY)})")
    module_name, _, cls_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
        cls = getattr(module, cls_name)
    except ImportError as e:
        hint = " (install the 'gpu' extra: pip install 'psyc[gpu]')" if name == "gpu" else ""
        raise BackendUnavailable(f"the {name} backend is not available: {e}{hint}") from None
    except AttributeError:
        raise BackendUnavailable(f"the {name} backend is not implemented yet") from None
    try:
        backend = cls()
    except BackendUnavailable:
        raise
    except Exception as e:  # a driver or device error while initialising
        raise BackendUnavailable(f"the {name} backend failed to start: {type(e).__name__}: {e}") from None
    _INSTANCES[name] = backend
    return backend


def set_default_backend(name: str | None) -> ProverBackend:
    """Make ``name`` (None: ``$PSYC_BACKEND``, else the CPU) the default of every later
    :func:`get_backend` call in this process, after checking that it starts (raises
    :class:`BackendUnavailable` otherwise, leaving the default as it was)."""
    global _process_default
    backend = get_backend(name)
    _process_default = backend.name
    return backend


def available_backends() -> list[str]:
    """The registered backends that start on this machine."""
    out = []
    for name in _REGISTRY:
        try:
            get_backend(name)
        except BackendUnavailable:
            continue
        out.append(name)
    return out


__all__ = [
    "Array",
    "BackendUnavailable",
    "DEFAULT_BACKEND",
    "ENV_VAR",
    "ProverBackend",
    "QuotientDomain",
    "available_backends",
    "backend_names",
    "get_backend",
    "set_default_backend",
]
