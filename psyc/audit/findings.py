"""What an audit reports: one :class:`Finding` per problem, rendered like a diagnostic."""

from __future__ import annotations

from dataclasses import dataclass, field

from psyc.util.diagnostics import Diagnostic, Label, Span


@dataclass
class Finding:
    code: str  # A0001 ... (see docs/auditing.md)
    severity: str  # "error": a second valid witness or output exists; "warning": a suspicious structure
    message: str
    span: Span | None
    label: str = ""
    notes: list[str] = field(default_factory=list)

    @staticmethod
    def from_diagnostic(code: str, d: Diagnostic, label: str) -> Finding:
        """A compiler warning restated as an audit finding."""
        return Finding(
            code, d.severity, d.message, d.labels[0].span if d.labels else None, label, list(d.notes)
        )

    def to_diagnostic(self) -> Diagnostic:
        labels = [Label(self.span, self.label)] if self.span is not None else []
        return Diagnostic(self.severity, self.code, self.message, labels, list(self.notes))
