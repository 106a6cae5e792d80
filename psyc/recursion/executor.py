"""Where the proving work of an aggregation runs: the fold plan, the local executor, progress.

:func:`psyc.recursion.aggregate` checks the leaves and builds the commitment tree; the
*executor* proves the tree of folds. :class:`LocalExecutor` (the default) proves them one
after the other in this process; :class:`psyc.cluster.RayExecutor` (the ``cluster``
extra) schedules them as Ray tasks on many processes and machines. Both prove the same
fold circuits from the same inputs, and the prover is deterministic (no zero knowledge in
the standard shape, the smallest proof-of-work nonce), so the root proof is the same bytes
whichever executor made it.

An executor has two methods:

* ``wrap(items, shape)``: ``[(proof, key), ...]`` with every proof moved into the shape
  (:func:`psyc.recursion.wrap`; proofs already of the shape pass through), keys as
  ``VerifyingKey``;
* ``fold(plan, leaves, progress)``: the fold proofs of every level of the tree, level 1
  (folds of leaves) first; the last level holds the root alone.

Both raise :class:`ExecutorError` when the work cannot be done for a reason other than
the inputs (a cluster out of reach, a task that failed for good).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from psyc.plonk.proof import ProofWithPublicInputs
from psyc.recursion.fold import FoldCircuit, fold_circuit
from psyc.recursion.shape import StandardShape
from psyc.recursion.whitelist import Whitelist

if TYPE_CHECKING:
    from rich.progress import Progress

    from psyc.plonk.circuit import CircuitData
    from psyc.plonk.keys import VerifyingKey


@dataclass(frozen=True)
class FoldPlan:
    """What every fold of one aggregation needs besides its children: the fold circuits are
    ``fold_circuit(shape, level, leaf_public_inputs, whitelist.depth)``."""

    shape: StandardShape
    leaf_public_inputs: int
    whitelist: Whitelist
    depth: int  # levels of folds (tree_depth of the leaf count)

    @property
    def whitelist_depth(self) -> int:
        return self.whitelist.depth

    def fold_circuit(self, level: int) -> FoldCircuit:
        return fold_circuit(self.shape, level, self.leaf_public_inputs, self.whitelist.depth)


def fold_pairs(items: Sequence) -> list[tuple]:
    """The children of the next level's folds: ``(left, right)`` pairs, ``right`` None for
    the last fold of an odd count."""
    return [(items[i], items[i + 1] if i + 1 < len(items) else None) for i in range(0, len(items), 2)]


def num_folds(count: int, depth: int) -> int:
    """Folds in the tree of ``count`` leaves and ``depth`` levels."""
    return sum(-(-count // (1 << k)) for k in range(1, depth + 1))


class ExecutorError(RuntimeError):
    """The executor could not run the work (a cluster out of reach, a task failed for good)."""


class FoldExecutor(Protocol):
    """Runs the proving work of an aggregation (see the module docstring)."""

    def wrap(self, items: Sequence, shape: StandardShape) -> list[tuple]: ...

    def fold(
        self, plan: FoldPlan, leaves: Sequence, progress: FoldProgress
    ) -> list[list[ProofWithPublicInputs]]: ...


def wrap_leaf(proof: ProofWithPublicInputs, key: VerifyingKey | CircuitData, shape: StandardShape):
    """``(proof, key)`` moved into ``shape`` (wrapped when not of it); the key as ``VerifyingKey``."""
    from psyc.recursion.shape import wrap

    vk = key.verifier_data if hasattr(key, "prover_only") else key
    if shape.matches(vk.common):
        return proof, vk
    wdata, wproof = wrap(vk, proof, shape)
    return wproof, wdata.verifier_data


class LocalExecutor:
    """Proves everything in this process, one fold after the other (the default)."""

    def __init__(self) -> None:
        self.stats: dict = {}

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def wrap(self, items: Sequence, shape: StandardShape) -> list[tuple]:
        return [wrap_leaf(proof, key, shape) for proof, key in items]

    def fold(self, plan: FoldPlan, leaves: Sequence, progress: FoldProgress) -> list[list]:
        import time

        stats = {"build_s": 0.0, "prove_s": 0.0}
        fold_proofs: list[list] = []
        level_items = list(leaves)
        for level in range(1, plan.depth + 1):
            progress.describe(f"level {level}/{plan.depth}: building the fold circuit")
            t0 = time.perf_counter()
            fc = plan.fold_circuit(level)
            stats["build_s"] += time.perf_counter() - t0
            pairs = fold_pairs(level_items)
            nxt = []
            for j, (left, right) in enumerate(pairs):
                progress.describe(f"level {level}/{plan.depth}: fold {j + 1}/{len(pairs)}")
                t0 = time.perf_counter()
                nxt.append(fc.prove(left, right, plan.whitelist))
                stats["prove_s"] += time.perf_counter() - t0
                progress.advance()
            fold_proofs.append(nxt)
            level_items = nxt
        self.stats = stats
        return fold_proofs


class FoldProgress:
    """Folds done / total and folds per second: a rich bar on stderr (``progress=True``), a
    task added to a caller's ``rich.progress.Progress``, or nothing (``False``). Also
    counts the folds and times the run for the aggregation's stats."""

    def __init__(self, progress: bool | Progress | None, total: int) -> None:
        import time

        self.total = total
        self.done = 0
        self._clock = time.perf_counter
        self._t0 = self._clock()
        self._bar, self._task, self._owned = None, None, False
        if progress is False or progress is None:
            return
        self._owned = progress is True
        self._bar = _rich_progress() if self._owned else progress
        self._task = self._bar.add_task("", total=total)

    def __enter__(self) -> FoldProgress:
        self._t0 = self._clock()
        if self._owned:
            self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._owned:
            self._bar.stop()

    def describe(self, text: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=text)

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.advance(self._task, n)

    @property
    def elapsed_s(self) -> float:
        return self._clock() - self._t0

    @property
    def folds_per_s(self) -> float:
        return self.done / self.elapsed_s if self.elapsed_s > 0 else 0.0


def _rich_progress():
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    from psyc.util.console import error_console

    class FoldRate(ProgressColumn):
        """Folds per second since the start (rich's own speed is a moving window)."""

        def render(self, task) -> Text:
            t = task.elapsed
            return Text(f"{task.completed / t:.2f} folds/s" if t and task.completed else "", style="cyan")

    return Progress(
        TextColumn("[bold]aggregating[/bold] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("folds"),
        FoldRate(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=error_console,
        transient=False,
    )
