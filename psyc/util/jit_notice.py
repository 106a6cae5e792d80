"""One line on stderr when numba compiles kernels, so the first run after an install is
never a silent minute: ``psyc: compiling kernels — first run only``.

The CLI enables it; library users see nothing. :mod:`psyc.backend_cpu.field_kernels` (which every
kernel module imports) installs the listener (numba's ``numba:compile`` event fires only
for real compilations, never for kernels loaded from the on-disk cache).
"""

from __future__ import annotations

import sys

_state = {"enabled": False, "shown": False, "installed": False}


def enable() -> None:
    """Print the notice (once per process) when a kernel compiles."""
    _state["enabled"] = True


def install() -> None:
    """Register the numba event listener (idempotent; numba must be importable)."""
    if _state["installed"]:
        return
    from numba.core import event

    class _Notice(event.Listener):
        def on_start(self, ev) -> None:
            if _state["enabled"] and not _state["shown"]:
                _state["shown"] = True
                sys.stderr.write("psyc: compiling kernels — first run only (cached for later runs)…\n")
                sys.stderr.flush()

        def on_end(self, ev) -> None:
            pass

    event.register("numba:compile", _Notice())
    _state["installed"] = True
