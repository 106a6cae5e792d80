"""``RayExecutor``: the leaf wraps and folds of an aggregation as Ray tasks.

The whole fold tree is submitted at once: a fold of level k is a task whose arguments are
the object references of its two children (the level k − 1 tasks' results, or the leaves
put once into the object store), so Ray starts it as soon as both exist, on any worker,
and hands it the children without the driver ever touching them. Every fold of a level
runs in parallel, as far as there are workers; the critical path is one fold per level.

* **Fold circuits** are built once per worker process: ``fold_circuit`` caches them in the
  process, and Ray reuses its worker processes for the tasks of a job.
* **Backend**: each task makes its worker's default prover backend
  (:func:`psyc.backend.set_default_backend`) ``"gpu"`` when Ray assigned the task a GPU
  (``num_gpus_per_fold``), ``"cpu"`` otherwise, or the name given as ``backend``; a
  backend that cannot start on that worker fails the task with the registry's reason.
* **Fault tolerance**: a worker process that dies mid-task (killed, out of memory, its
  machine gone) makes Ray run the task again elsewhere (``max_retries``); the prover is
  deterministic, so the root is the same bytes as a local run's. An exception raised by
  psyc itself (an invalid proof, a version mismatch) is not retried: it is an answer.
* **Threads**: a task's numba kernels use as many threads as the CPUs it asked Ray for
  (``num_cpus_per_fold``, default 1: one fold per core).
* **Versions**: every task checks that its worker runs the driver's psyc version (the fold
  circuits, hence the root key, depend on it).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence
from typing import TYPE_CHECKING

try:
    import ray
    import ray.exceptions
except ImportError as e:  # pragma: no cover - exercised where the extra is missing
    raise ImportError("distributed proving needs Ray: pip install 'psyc[cluster]'") from e

import psyc
from psyc.recursion.executor import ExecutorError, FoldPlan, FoldProgress, fold_pairs, wrap_leaf
from psyc.recursion.shape import StandardShape

if TYPE_CHECKING:
    from psyc.plonk.keys import VerifyingKey
    from psyc.plonk.proof import ProofWithPublicInputs
    from psyc.recursion.fold import FoldChild


class ClusterError(ExecutorError):
    """The cluster cannot be reached, or a task failed for good."""


# --- what runs on the workers -----------------------------------------------------------------


def _prepare_worker(version: str, backend: str) -> None:
    if version != psyc.__version__:
        raise ClusterError(
            f"a worker on {socket.gethostname()} runs psyc {psyc.__version__}, "
            f"the driver {version}: install the same version on every node"
        )
    if backend == "auto":
        backend = "gpu" if ray.get_gpu_ids() else "cpu"
    from psyc.backend import set_default_backend

    set_default_backend(backend)  # BackendUnavailable (no CuPy, no GPU here) fails the task, clearly
    # the numba kernels' threads: as many as the CPUs Ray gave this task (numba's default,
    # every core of the machine per worker, oversubscribes a node running several folds)
    import numba

    cpus = ray.get_runtime_context().get_assigned_resources().get("CPU", 1)
    numba.set_num_threads(max(1, min(int(cpus), numba.config.NUMBA_NUM_THREADS)))


def psyc_fold(
    version: str, backend: str, plan: FoldPlan, level: int, left: FoldChild, right: FoldChild | None
) -> ProofWithPublicInputs:
    """One fold: ``left`` and ``right`` arrive resolved from their object references."""
    _prepare_worker(version, backend)
    return plan.fold_circuit(level).prove(left, right, plan.whitelist)


def psyc_wrap(
    version: str, backend: str, shape: StandardShape, proof: ProofWithPublicInputs, key: VerifyingKey
) -> tuple[ProofWithPublicInputs, VerifyingKey]:
    """One leaf moved into the shape: ``(proof, VerifyingKey)``."""
    _prepare_worker(version, backend)
    return wrap_leaf(proof, key, shape)


_remote_fold = ray.remote(psyc_fold)
_remote_wrap = ray.remote(psyc_wrap)


def _probe(address: str, timeout_s: float = 5.0) -> None:
    """A clear error now for a ``HOST:PORT`` nobody listens on (``ray.init`` would retry for
    minutes). Other forms (``local``, ``ray://…``, empty) are left to Ray."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or "://" in address or not host:
        return
    try:
        socket.create_connection((host, int(port)), timeout=timeout_s).close()
    except OSError as e:
        raise ClusterError(
            f"cannot connect to the Ray cluster at {address!r}: {e.strerror or e} "
            "(start one with `ray start --head`, see docs/distributed.md)"
        ) from e


# --- the driver -------------------------------------------------------------------------------


class RayExecutor:
    """Proves the folds of :func:`psyc.recursion.aggregate` (and the leaf wraps) on a Ray cluster.

    ``address``: ``"auto"`` (the cluster this machine belongs to: ``RAY_ADDRESS`` or the
    one ``ray start`` started here), ``"local"`` (a private single-machine Ray started
    for this run), or ``"HOST:PORT"`` of a head node's GCS (``ray://HOST:10001`` for the
    Ray client). When Ray is already initialised in this process, that connection is used
    and left open. ``backend``: ``"auto"``, ``"cpu"`` or ``"gpu"`` (see the module
    docstring); ``num_cpus_per_fold``/``num_gpus_per_fold``: what each task asks Ray for;
    ``max_retries``: runs of a task whose worker died before giving up; ``resources``:
    custom Ray resources each task needs (to keep folds on nodes started with
    ``--resources``); ``local_cpus``: CPUs of the ``"local"`` Ray (default: all).
    Use it as a context manager (or call :meth:`close`) to disconnect."""

    def __init__(
        self,
        address: str = "auto",
        *,
        backend: str = "auto",
        num_cpus_per_fold: float = 1,
        num_gpus_per_fold: float = 0,
        max_retries: int = 3,
        resources: dict[str, float] | None = None,
        local_cpus: int | None = None,
    ) -> None:
        from psyc.backend import backend_names

        if backend not in ("auto", *backend_names()):
            raise ValueError(f"unknown backend {backend!r} (choose from auto, {', '.join(backend_names())})")
        self.address = address
        self.backend = backend
        self.local_cpus = local_cpus
        self._options = {
            "num_cpus": num_cpus_per_fold,
            "num_gpus": num_gpus_per_fold,
            "max_retries": max_retries,
            "retry_exceptions": False,
        }
        if resources:
            self._options["resources"] = dict(resources)
        self._owned = False
        self.stats: dict = {}

    # connection

    def connect(self) -> RayExecutor:
        """Connect to the cluster (done by the first wrap or fold; idempotent)."""
        if ray.is_initialized():
            return self
        kwargs = {"logging_level": logging.WARNING, "log_to_driver": False, "configure_logging": True}
        _probe(os.environ.get("RAY_ADDRESS", "") if self.address == "auto" else self.address)
        try:
            if self.address == "local":
                ray.init(num_cpus=self.local_cpus, include_dashboard=False, **kwargs)
            else:
                ray.init(address=self.address, **kwargs)
        except (ConnectionError, RuntimeError, ValueError) as e:
            raise ClusterError(f"cannot connect to the Ray cluster at {self.address!r}: {e}") from e
        self._owned = True
        return self

    def close(self) -> None:
        """Disconnect, if this executor connected."""
        if self._owned and ray.is_initialized():
            ray.shutdown()
        self._owned = False

    def __enter__(self) -> RayExecutor:
        return self.connect()

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def workers(self) -> int:
        """How many folds the cluster can run at once (by the CPUs, GPUs and custom
        resources each fold asks for)."""
        self.connect()
        res = ray.cluster_resources()
        need = {"CPU": self._options["num_cpus"], "GPU": self._options["num_gpus"]}
        need.update(self._options.get("resources", {}))
        return int(min((res.get(k, 0) // v for k, v in need.items() if v), default=0))

    # the work

    def wrap(self, items: Sequence, shape: StandardShape) -> list[tuple]:
        """Every leaf not of the shape wrapped by a task, all at once."""
        self.connect()
        refs = []
        for proof, key in items:
            vk = key.verifier_data if hasattr(key, "prover_only") else key
            if shape.matches(vk.common):
                refs.append((proof, vk))
            else:
                refs.append(self._submit(_remote_wrap, "psyc_wrap", shape, proof, vk))
        return [self._get(r, "wrapping a leaf") if isinstance(r, ray.ObjectRef) else r for r in refs]

    def fold(self, plan: FoldPlan, leaves: Sequence, progress: FoldProgress) -> list[list]:
        """Submit the whole tree, then follow it: each fold starts when its children exist."""
        self.connect()
        plan_ref = ray.put(plan)
        level_of: dict = {}
        levels: list[list] = []
        items = [ray.put(leaf) for leaf in leaves]
        for level in range(1, plan.depth + 1):
            nxt = []
            for left, right in fold_pairs(items):
                ref = self._submit(_remote_fold, f"psyc_fold_{level}", plan_ref, level, left, right)
                level_of[ref] = level
                nxt.append(ref)
            levels.append(nxt)
            items = nxt
        workers = self.workers
        plan.fold_circuit(plan.depth)  # the root key, built here while the cluster folds
        remaining = [len(level) for level in levels]
        results: dict = {}
        pending = list(level_of)
        while pending:
            lowest = next(i for i, r in enumerate(remaining) if r) + 1
            progress.describe(f"on {workers} Ray workers: level {lowest}/{plan.depth}")
            done, pending = ray.wait(pending, num_returns=1, timeout=1.0)
            for ref in done:
                results[ref] = self._get(ref, f"a fold at level {level_of[ref]}")
                remaining[level_of[ref] - 1] -= 1
            if done:
                progress.advance(len(done))
        self.stats = {"workers": workers}
        return [[results[r] for r in level] for level in levels]

    def _submit(self, fn, name: str, *args):
        return fn.options(name=name, **self._options).remote(psyc.__version__, self.backend, *args)

    def _get(self, ref, what: str):
        try:
            return ray.get(ref)
        except ray.exceptions.RayTaskError as e:  # psyc raised on the worker: not retried
            cause = e.cause if getattr(e, "cause", None) is not None else e
            raise ClusterError(f"{what} failed on the cluster: {cause}") from e
        except ray.exceptions.RayError as e:  # workers died more than max_retries times, node lost
            raise ClusterError(f"{what} failed on the cluster: {e}") from e
