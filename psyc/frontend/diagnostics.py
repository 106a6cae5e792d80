"""Located diagnostics (re-exported from :mod:`psyc.util.diagnostics`, where they live so
that every stage — the IR, the project files, the compiler — reports with spans without
importing the front end)."""

from psyc.util.diagnostics import (  # noqa: F401  (this module's public names)
    MAX_SHOWN_LINE,
    CompileError,
    Diagnostic,
    Label,
    SourceMap,
    Span,
    render,
)
