"""Diagnostics as data, rendered rustc-style in one place.

A :class:`Diagnostic` has a severity, a code, a message, labelled spans and notes.
:func:`render` prints it with ``file:line:col``, the source line and carets under the
span; :class:`CompileError` carries diagnostics up to the CLI, which renders them and
exits non-zero (a user never sees a traceback for a mistake in their program).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Span:
    """Byte range [start, end) in a source file."""

    file: str
    start: int
    end: int

    def merge(self, other: Span) -> Span:
        return Span(self.file, min(self.start, other.start), max(self.end, other.end))


@dataclass(frozen=True)
class Label:
    span: Span
    message: str = ""
    primary: bool = True


@dataclass
class Diagnostic:
    """One message about a program: severity, code (``psyc explain CODE``), message,
    labelled source spans and notes; :func:`render` prints it rustc-style."""

    severity: str  # "error" | "warning" | "note"
    code: str
    message: str
    labels: list[Label] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @staticmethod
    def error(code: str, message: str, span: Span | None = None, label: str = "") -> Diagnostic:
        """An error with at most one labelled span."""
        return Diagnostic("error", code, message, [Label(span, label)] if span else [])


class CompileError(Exception):
    """A program (or its inputs, or project) that cannot be compiled or run: carries the
    :class:`Diagnostic` list in ``.diagnostics``."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("; ".join(d.message for d in diagnostics))


class SourceMap:
    """The text of every file seen, for line/column lookups and rendering."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._line_starts: dict[str, list[int]] = {}

    def add(self, path: str, text: str) -> None:
        self._texts[path] = text
        starts = [0]
        starts += [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        self._line_starts[path] = starts

    def text(self, path: str) -> str:
        return self._texts[path]

    def line_col(self, path: str, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset."""
        starts = self._line_starts[path]
        line = bisect.bisect_right(starts, offset) - 1
        return line + 1, offset - starts[line] + 1

    def line_text(self, path: str, line: int) -> str:
        starts = self._line_starts[path]
        text = self._texts[path]
        end = starts[line] - 1 if line < len(starts) else len(text)
        return text[starts[line - 1] : end]


_COLORS = {"error": "red", "warning": "yellow", "note": "cyan"}


def render(diag: Diagnostic, sources: SourceMap, color: bool = False) -> str:
    """rustc-style text:

    error[E0101]: expected `;`, found `let`
     --> src/main.psy:3:14
      |
    3 |     let x = 1
      |              ^ expected `;` here
    """

    def paint(s: str, style: str) -> str:
        return f"[{style}]{s}[/{style}]" if color else s

    head = paint(f"{diag.severity}[{diag.code}]", f"bold {_COLORS.get(diag.severity, 'white')}")
    out = [f"{head}: {diag.message}"]
    labels = [lb for lb in diag.labels if lb.span is not None]
    if labels:
        width = max(len(str(sources.line_col(lb.span.file, lb.span.start)[0])) for lb in labels)
        pad = " " * width
        first = labels[0].span
        line, col = sources.line_col(first.file, first.start)
        out.append(f"{pad}{paint('-->', 'bold blue')} {first.file}:{line}:{col}")
        out.append(f"{pad} {paint('|', 'bold blue')}")
        for lb in labels:
            line, col = sources.line_col(lb.span.file, lb.span.start)
            end_line, end_col = sources.line_col(lb.span.file, max(lb.span.start, lb.span.end - 1))
            src = sources.line_text(lb.span.file, line).expandtabs(4)
            caret_len = max(1, (end_col - col + 1) if end_line == line else len(src) - col + 1)
            mark = ("^" if lb.primary else "-") * caret_len
            out.append(f"{str(line).rjust(width)} {paint('|', 'bold blue')} {src}")
            underline = " " * (col - 1) + paint(
                mark + (" " + lb.message if lb.message else ""), _COLORS.get(diag.severity, "white")
            )
            out.append(f"{pad} {paint('|', 'bold blue')} {underline}")
    for note in diag.notes:
        out.append(f"{' ' * 1}= {paint('note', 'bold')}: {note}")
    return "\n".join(out)
