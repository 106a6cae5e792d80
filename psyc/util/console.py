"""Shared rich consoles: results to stdout, diagnostics and progress to stderr.

``soft_wrap``: rich would otherwise wrap long lines at the console width (80 columns in a
pipe), splitting a fingerprint or a replay command in the middle; the terminal wraps for us.

Both consoles are built on first use, and :func:`escape` imports rich's markup on first
call: importing rich costs about 0.1 s, which ``psyc --help`` and other quick commands
should not pay before they print anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


class _LazyConsole:
    """A :class:`rich.console.Console` built on first attribute access."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def _get(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self._get(), name)

    def __setattr__(self, name: str, value: Any) -> None:  # e.g. ``console.file = sys.stderr``
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            setattr(self._get(), name, value)

    # Dunder lookups bypass __getattr__; rich's Live and Progress enter their console
    # (``with self.console:``) when they stop, so the context protocol is forwarded too.
    def __enter__(self) -> Console:
        return self._get().__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._get().__exit__(*exc)


def escape(text: str) -> str:
    """``rich.markup.escape``: ``text`` printed literally, never read as markup."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


console: Console = _LazyConsole(soft_wrap=True)  # type: ignore[assignment]
error_console: Console = _LazyConsole(stderr=True, soft_wrap=True)  # type: ignore[assignment]
