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

    def files(self) -> dict[str, str]:
        """Every file seen: shown path -> text."""
        return dict(self._texts)

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


MAX_SHOWN_LINE = 120  # longer source lines are cut around the span (a minified line can be 80 KB)
_CONTEXT = 40  # characters kept on each side of the span in a cut line


def _cut(src: str, col: int, caret_len: int) -> tuple[str, int, int]:
    """A long source line cut to a window around columns [col, col + caret_len): returns
    (shown text, col in it, caret length)."""
    if len(src) <= MAX_SHOWN_LINE:
        return src, col, caret_len
    caret_len = min(caret_len, MAX_SHOWN_LINE - 2 * _CONTEXT)
    start = max(0, col - 1 - _CONTEXT)
    end = min(len(src), col - 1 + caret_len + _CONTEXT)
    head = "…" if start > 0 else ""
    tail = "…" if end < len(src) else ""
    return head + src[start:end] + tail, col - start + len(head), caret_len


def render(diag: Diagnostic, sources: SourceMap, color: bool = False) -> str:
    """rustc-style text:

    error[E0101]: expected `;`, found `let`
     --> src/main.psy:3:14
      |
    3 |     let x = 1
      |              ^ expected `;` here

    With ``color`` the text is rich markup; user text (messages, source lines) is escaped
    so that ``[bool; 8]`` is not taken for a style tag.
    """

    def paint(s: str, style: str) -> str:
        return f"[{style}]{s}[/{style}]" if color else s

    def text(s: str) -> str:
        return s.replace("[", "\\[") if color else s

    head = paint(f"{diag.severity}[{diag.code}]", f"bold {_COLORS.get(diag.severity, 'white')}")
    out = [f"{head}: {text(diag.message)}"]
    labels = [lb for lb in diag.labels if lb.span is not None]
    if labels:
        width = max(len(str(sources.line_col(lb.span.file, lb.span.start)[0])) for lb in labels)
        pad = " " * width
        first = labels[0].span
        line, col = sources.line_col(first.file, first.start)
        out.append(f"{pad}{paint('-->', 'bold blue')} {first.file}:{line}:{col}")
        out.append(f"{pad} {paint('|', 'bold blue')}")
        for lb in sorted(labels, key=lambda lb: (lb.span.file != first.file, lb.span.file, lb.span.start)):
            line, col = sources.line_col(lb.span.file, lb.span.start)
            end_line, end_col = sources.line_col(lb.span.file, max(lb.span.start, lb.span.end - 1))
            raw = sources.line_text(lb.span.file, line)
            src = raw.expandtabs(4)
            shown_col = len(raw[: col - 1].expandtabs(4)) + 1  # columns after tab expansion
            if end_line == line:
                caret_len = max(1, len(raw[:end_col].expandtabs(4)) - shown_col + 1)
            else:
                caret_len = max(1, len(src) - shown_col + 1)
            src, shown_col, caret_len = _cut(src, shown_col, caret_len)
            mark = ("^" if lb.primary else "-") * caret_len
            out.append(f"{str(line).rjust(width)} {paint('|', 'bold blue')} {text(src)}")
            underline = " " * (shown_col - 1) + paint(
                mark + (" " + text(lb.message) if lb.message else ""), _COLORS.get(diag.severity, "white")
            )
            out.append(f"{pad} {paint('|', 'bold blue')} {underline}")
    for note in diag.notes:
        out.append(f"{' ' * 1}= {paint('note', 'bold')}: {text(note)}")
    return "\n".join(out)
