"""One line on stderr when numba compiles kernels, so the first run after an install is
never a silent minute: ``psyc: compiling kernels — first run only``.

The CLI enables it; library users see nothing. :mod:`psyc.field.field_kernels` (which every
kernel module imports) installs the listener (numba's ``numba:compile`` event fires only
for real compilations, never for kernels loaded from the on-disk cache).

With ``$PSYC_COMPILE_LOG`` set to a file, every compilation in every process (the
parallel first-run compiles of :mod:`psyc.backend_cpu.warmup` included) appends a JSON
line ``{"kernel", "signature", "exclusive_s", "inclusive_s", "pid"}`` to it: CPU seconds of
the compiling thread, exclusive of the kernels compiled while compiling it
(``benchmarks/cold_start.py`` reads it).
"""

from __future__ import annotations

import os
import sys
import time

_state = {"enabled": False, "shown": False, "installed": False}
LOG_ENV = "PSYC_COMPILE_LOG"


def enable() -> None:
    """Print the notice (once per process) when a kernel compiles."""
    _state["enabled"] = True


def announce(detail: str = "") -> None:
    """Print the notice now (once per process, where enabled): for a wait on kernels
    compiled by other processes, when this one may compile nothing itself."""
    if _state["enabled"] and not _state["shown"]:
        _state["shown"] = True
        sys.stderr.write(f"psyc: compiling kernels{detail} — first run only (cached for later runs)…\n")
        sys.stderr.flush()


def install() -> None:
    """Register the numba event listeners (idempotent; numba must be importable)."""
    if _state["installed"]:
        return
    from numba.core import event

    class _Notice(event.Listener):
        def on_start(self, ev) -> None:
            announce()

        def on_end(self, ev) -> None:
            pass

    event.register("numba:compile", _Notice())
    log = os.environ.get(LOG_ENV)
    if log:
        event.register("numba:compile", _compile_log(log))
    _state["installed"] = True


def _compile_log(path: str):
    """A listener appending one JSON line per compilation to ``path`` (see the module doc)."""
    from numba.core import event

    class CompileLog(event.Listener):
        def __init__(self) -> None:
            self.stack: list[list[float]] = []

        def on_start(self, ev) -> None:
            # CPU time of the compiling thread: on a loaded machine it is what an idle
            # one's wall time would be (numba compiles on one thread)
            self.stack.append([time.thread_time(), 0.0])

        def on_end(self, ev) -> None:
            start, nested = self.stack.pop()
            total = time.thread_time() - start
            if self.stack:
                self.stack[-1][1] += total
            d = ev.data["dispatcher"]
            name = getattr(d.py_func, "__qualname__", str(d))
            module = getattr(d.py_func, "__module__", "?")
            if module.startswith("psyc_generated_"):
                module = "generated:" + module[len("psyc_generated_") :].rsplit("_", 1)[0]
            record = {
                "kernel": f"{module}.{name}",
                "signature": ", ".join(str(a) for a in ev.data["args"]),
                "exclusive_s": total - nested,
                "inclusive_s": total,
                "pid": os.getpid(),
            }
            import json

            with open(path, "a") as fh:  # one short write per line: processes may share the file
                fh.write(json.dumps(record) + "\n")

    return CompileLog()
