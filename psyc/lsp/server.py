"""The language server: :mod:`psyc.lsp.analysis` spoken over LSP with pygls.

Diagnostics are published as the user types (debounced; the check runs in a worker
thread), for the open document and for every other file the check reports on. The last
analysis whose document parsed answers hover, definition, completion and symbols while
the text is momentarily broken. Formatting is ``psyc fmt``; code lenses show the rows
each function costs in the project's circuit (computed when asked, after a save).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from psyc import __version__
from psyc.lsp import analysis as an
from psyc.util.diagnostics import Diagnostic, SourceMap, Span

DEBOUNCE_S = 0.25
_KINDS = {
    "function": lsp.CompletionItemKind.Function,
    "struct": lsp.CompletionItemKind.Struct,
    "constant": lsp.CompletionItemKind.Constant,
    "module": lsp.CompletionItemKind.Module,
    "variable": lsp.CompletionItemKind.Variable,
    "field": lsp.CompletionItemKind.Field,
    "method": lsp.CompletionItemKind.Method,
    "keyword": lsp.CompletionItemKind.Keyword,
    "type": lsp.CompletionItemKind.TypeParameter,
}
_SYMBOLS = {
    "function": lsp.SymbolKind.Function,
    "struct": lsp.SymbolKind.Struct,
    "constant": lsp.SymbolKind.Constant,
    "module": lsp.SymbolKind.Module,
    "field": lsp.SymbolKind.Field,
    "impl": lsp.SymbolKind.Class,
    "method": lsp.SymbolKind.Method,
}


# ---- positions: LSP counts UTF-16 code units per line ------------------------------------
def _utf16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def offset_to_position(text: str, offset: int) -> lsp.Position:
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return lsp.Position(line=line, character=_utf16(text[start:offset]))


def position_to_offset(text: str, pos: lsp.Position) -> int:
    lines = text.split("\n")
    if pos.line >= len(lines):
        return len(text)
    start = sum(len(line) + 1 for line in lines[: pos.line])
    line, units, k = lines[pos.line], 0, 0
    while k < len(line) and units < pos.character:
        units += _utf16(line[k])
        k += 1
    return start + k


def span_range(sources: SourceMap, span: Span | None) -> lsp.Range:
    if span is None:
        return lsp.Range(lsp.Position(line=0, character=0), lsp.Position(line=0, character=0))
    text = sources.text(span.file)
    return lsp.Range(offset_to_position(text, span.start), offset_to_position(text, max(span.end, span.start)))


def to_lsp_diagnostic(d: Diagnostic, sources: SourceMap) -> lsp.Diagnostic:
    primary = next((lb for lb in d.labels if lb.span is not None and lb.primary), None)
    primary = primary or next((lb for lb in d.labels if lb.span is not None), None)
    try:
        rng = span_range(sources, primary.span if primary else None)
    except KeyError:  # a span in a file this check never read
        rng = span_range(sources, None)
    message = d.message + (f": {primary.message}" if primary and primary.message else "")
    message += "".join(f"\nnote: {n}" for n in d.notes)
    related = []
    for lb in d.labels:
        if lb is primary or lb.span is None:
            continue
        with contextlib.suppress(KeyError):  # a span in a file this check never read
            related.append(lsp.DiagnosticRelatedInformation(
                lsp.Location(uri="", range=span_range(sources, lb.span)), lb.message))
    return lsp.Diagnostic(
        range=rng,
        message=message,
        severity=lsp.DiagnosticSeverity.Error if d.severity == "error" else lsp.DiagnosticSeverity.Warning,
        code=d.code,
        source="psyc",
    ), related


class PsycLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("psyc", __version__)
        self.analyses: dict[str, an.Analysis] = {}  # uri -> the latest analysis
        self.good: dict[str, an.Analysis] = {}  # uri -> the latest analysis whose document parsed
        self.published: set[str] = set()  # uris we sent diagnostics for (to clear them later)
        self.pending: dict[str, asyncio.Task] = {}
        self.lock = threading.Lock()  # one compiler run at a time

    # ---- analysis ---------------------------------------------------------------------------
    def overlays(self) -> dict[Path, str]:
        out = {}
        for uri, doc in list(self.workspace.text_documents.items()):
            path = to_fs_path(uri)
            if path:
                out[Path(path).resolve()] = doc.source
        return out

    def analyze_now(self, uri: str) -> an.Analysis:
        doc = self.workspace.get_text_document(uri)
        with self.lock:
            result = an.analyze(Path(to_fs_path(uri)), doc.source, self.overlays())
        self.analyses[uri] = result
        if result.module is not None:
            self.good[uri] = result
        return result

    def publish(self, uri: str, result: an.Analysis) -> None:
        sources = result.sources
        by_uri: dict[str, list[lsp.Diagnostic]] = {uri: []}
        for path, diags in result.diagnostics.items():
            target = from_fs_path(str(path)) or uri
            for d in diags:
                diag, related = to_lsp_diagnostic(d, sources)
                if related:
                    diag.related_information = [
                        lsp.DiagnosticRelatedInformation(lsp.Location(uri=target, range=r.location.range),
                                                         r.message) for r in related]
                by_uri.setdefault(target, []).append(diag)
        for stale in self.published - set(by_uri):
            if stale not in self.workspace.text_documents or stale == uri:
                by_uri.setdefault(stale, [])
        for target, diags in by_uri.items():
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=target, diagnostics=diags))
        self.published = {u for u, d in by_uri.items() if d}

    async def check(self, uri: str, delay: float = 0.0) -> None:
        if delay:
            await asyncio.sleep(delay)
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(None, self.analyze_now, uri)
        self.publish(uri, result)

    def schedule(self, uri: str, delay: float) -> None:
        old = self.pending.pop(uri, None)
        if old is not None:
            old.cancel()
        self.pending[uri] = asyncio.ensure_future(self.check(uri, delay))

    def latest(self, uri: str) -> an.Analysis | None:
        """The latest analysis of the current text, else the latest one that parsed."""
        doc = self.workspace.get_text_document(uri)
        a = self.analyses.get(uri)
        if a is None or (a.text != doc.source and uri not in self.good):
            a = self.analyze_now(uri)
        if a.module is None:
            return self.good.get(uri, a)
        return a


server = PsycLanguageServer()


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
async def did_open(ls: PsycLanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
    await ls.check(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: PsycLanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, DEBOUNCE_S)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: PsycLanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, 0.0)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: PsycLanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.analyses.pop(uri, None)
    ls.good.pop(uri, None)


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: PsycLanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
    a = ls.latest(params.text_document.uri)
    if a is None:
        return None
    text = a.text
    found = an.hover(a, position_to_offset(text, params.position))
    if not found:
        return None
    return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=found))


@server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
def definition(ls: PsycLanguageServer, params: lsp.DefinitionParams) -> lsp.Location | None:
    a = ls.latest(params.text_document.uri)
    if a is None:
        return None
    target = an.definition(a, position_to_offset(a.text, params.position))
    if target is None or target.path is None:
        return None
    return lsp.Location(uri=from_fs_path(str(target.path)), range=span_range(a.sources, target.span))


@server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=[".", ":"]))
def completion(ls: PsycLanguageServer, params: lsp.CompletionParams) -> lsp.CompletionList:
    uri = params.text_document.uri
    a = ls.latest(uri)
    text = ls.workspace.get_text_document(uri).source
    items = an.completions(a, text, position_to_offset(text, params.position)) if a else []
    return lsp.CompletionList(is_incomplete=False, items=[
        lsp.CompletionItem(label=c.label, kind=_KINDS.get(c.kind), detail=c.detail or None) for c in items])


@server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbols(ls: PsycLanguageServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
    a = ls.latest(params.text_document.uri)
    if a is None:
        return []

    def convert(s: an.Symbol) -> lsp.DocumentSymbol:
        return lsp.DocumentSymbol(
            name=s.name, kind=_SYMBOLS[s.kind], range=span_range(a.sources, s.span),
            selection_range=span_range(a.sources, s.name_span), detail=s.detail or None,
            children=[convert(c) for c in s.children] or None)

    return [convert(s) for s in an.symbols(a)]


@server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: PsycLanguageServer, params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit] | None:
    from psyc.frontend.format import FormatError, format_source
    from psyc.util.diagnostics import CompileError

    doc = ls.workspace.get_text_document(params.text_document.uri)
    try:
        with ls.lock:
            new = format_source(doc.source, doc.path)
    except (CompileError, FormatError):
        return None  # the diagnostics already say why
    if new == doc.source:
        return []
    end = offset_to_position(doc.source, len(doc.source))
    return [lsp.TextEdit(range=lsp.Range(lsp.Position(line=0, character=0), end), new_text=new)]


@server.feature(lsp.TEXT_DOCUMENT_INLAY_HINT)
def inlay_hints(ls: PsycLanguageServer, params: lsp.InlayHintParams) -> list[lsp.InlayHint]:
    a = ls.latest(params.text_document.uri)
    if a is None or a.module is None:
        return []
    lo = position_to_offset(a.text, params.range.start)
    hi = position_to_offset(a.text, params.range.end)
    return [lsp.InlayHint(position=offset_to_position(a.text, off), label=label, kind=lsp.InlayHintKind.Type)
            for off, label in an.inlay_hints(a) if lo <= off <= hi]


@server.feature(lsp.TEXT_DOCUMENT_CODE_LENS)
async def code_lens(ls: PsycLanguageServer, params: lsp.CodeLensParams) -> list[lsp.CodeLens]:
    a = ls.latest(params.text_document.uri)
    if a is None or a.module is None:
        return []

    def rows():
        with ls.lock:
            try:
                return an.function_rows(a)
            except Exception:  # a program that does not compile to a circuit: no lenses
                return {}, 0, 0

    by_fn, total, degree = await asyncio.get_running_loop().run_in_executor(None, rows)
    lenses = []
    named = []
    for s in an.symbols(a):
        named.append((s.name, s))
        named += [(f"{s.name[len('impl '):]}::{m.name}", m) for m in s.children if s.kind == "impl"]
    for key, s in named:
        if s.kind not in ("function", "method") or key not in by_fn:
            continue
        n = by_fn[key]
        title = f"{n:,} rows ({100 * n / max(total, 1):.0f}% of {total:,}; table 2^{degree.bit_length() - 1})"
        lenses.append(lsp.CodeLens(range=span_range(a.sources, s.name_span),
                                   command=lsp.Command(title=title, command="")))
    return lenses


def serve() -> None:
    """Serve one client over stdin/stdout until it exits."""
    server.start_io()
