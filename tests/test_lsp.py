"""`psyc lsp` driven by a real LSP client over stdio: diagnostics as you type (the codes and
spans of `psyc check`), hover, definition across modules and into the stdlib, completion,
symbols, formatting, row-cost lenses, shutdown."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")
from lsprotocol import types as lsp  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402

from psyc.frontend.format import format_source  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

UTIL = """// Doubles a number (checked: overflow fails).
fn double(x: u32) -> u32 {
    x * 2
}

struct Pair { left: u32, right: Felt }
"""

MAIN_BAD = """use std::hash::poseidon;
use crate::util::{double, Pair};

fn main(x: u32) -> pub Hash {
    let y: u32 = double(x) + true;
    poseidon([y as Felt])
}
"""

MAIN_GOOD = """use std::hash::poseidon;
use crate::util::{double, Pair};

fn main(x: u32) -> pub Hash {
    let p = Pair { left: double(x), right: 7 };
    let y: u32 = p.left + 1;
    poseidon([y as Felt, p.right])
}
"""


def _pos(text: str, needle: str, delta: int = 0) -> lsp.Position:
    off = text.index(needle) + delta
    line = text.count("\n", 0, off)
    return lsp.Position(line=line, character=off - (text.rfind("\n", 0, off) + 1))


async def _session(project: Path) -> None:
    main_path, util_path = project / "src" / "main.psy", project / "src" / "util.psy"
    uri = from_fs_path(str(main_path))
    client = LanguageClient("psyc-test", "1")
    diagnostics: asyncio.Queue = asyncio.Queue()

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: lsp.PublishDiagnosticsParams) -> None:
        diagnostics.put_nowait(params)

    async def diagnostics_for(target: str) -> lsp.PublishDiagnosticsParams:
        while True:
            params = await asyncio.wait_for(diagnostics.get(), 60)
            if params.uri == target:
                return params

    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    await client.start_io(sys.executable, "-m", "psyc.cli.main", "lsp", env=env)
    try:
        init = await asyncio.wait_for(client.initialize_async(lsp.InitializeParams(
            capabilities=lsp.ClientCapabilities(), root_uri=from_fs_path(str(project)))), 60)
        caps = init.capabilities
        assert caps.hover_provider and caps.definition_provider and caps.document_formatting_provider
        assert caps.completion_provider and caps.document_symbol_provider and caps.code_lens_provider
        client.initialized(lsp.InitializedParams())

        # an error as the document opens: the code and span of `psyc check`
        client.text_document_did_open(lsp.DidOpenTextDocumentParams(
            lsp.TextDocumentItem(uri=uri, language_id="psy", version=1, text=MAIN_BAD)))
        got = await diagnostics_for(uri)
        assert [d.code for d in got.diagnostics] == ["E0200"]
        d = got.diagnostics[0]
        assert d.severity == lsp.DiagnosticSeverity.Error and "mismatched types" in d.message
        assert (d.range.start, d.range.end) == (_pos(MAIN_BAD, "true"), _pos(MAIN_BAD, "true", 4))

        # typing the fix clears it
        client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [lsp.TextDocumentContentChangeWholeDocument(text=MAIN_GOOD)]))
        assert list((await diagnostics_for(uri)).diagnostics) == []

        doc = lsp.TextDocumentIdentifier(uri=uri)
        # hover: a function's signature and doc comment; an expression's type
        h = await client.text_document_hover_async(lsp.HoverParams(doc, _pos(MAIN_GOOD, "double(x)", 2)))
        assert "fn double(x: u32) -> u32" in h.contents.value and "Doubles a number" in h.contents.value
        h = await client.text_document_hover_async(lsp.HoverParams(doc, _pos(MAIN_GOOD, "p.left + 1", 3)))
        assert "p.left: u32" in h.contents.value
        h = await client.text_document_hover_async(lsp.HoverParams(doc, _pos(MAIN_GOOD, "let p", 4)))
        assert "p: Pair" in h.contents.value

        # definition: into another module of the project, and into the standard library
        loc = await client.text_document_definition_async(
            lsp.DefinitionParams(doc, _pos(MAIN_GOOD, "double(x)", 1)))
        assert loc.uri == from_fs_path(str(util_path)) and loc.range.start == _pos(UTIL, "double")
        loc = await client.text_document_definition_async(
            lsp.DefinitionParams(doc, _pos(MAIN_GOOD, "poseidon([y", 3)))
        assert loc.uri.endswith("/stdlib/hash.psy") or loc.uri.endswith("/psyc/stdlib/hash.psy")
        loc = await client.text_document_definition_async(
            lsp.DefinitionParams(doc, _pos(MAIN_GOOD, "p.right", 3)))
        assert loc.uri.endswith("util.psy") and loc.range.start == _pos(UTIL, "right")

        # inlay hints: the types of `let`s without an annotation
        hints = await client.text_document_inlay_hint_async(lsp.InlayHintParams(
            doc, lsp.Range(lsp.Position(line=0, character=0), lsp.Position(line=20, character=0))))
        assert [(h.position, h.label) for h in hints] == [(_pos(MAIN_GOOD, "p = Pair", 1), ": Pair")]

        # document symbols, rows per function
        symbols = await client.text_document_document_symbol_async(lsp.DocumentSymbolParams(doc))
        assert [s.name for s in symbols] == ["main"]
        lenses = await client.text_document_code_lens_async(lsp.CodeLensParams(doc))
        assert len(lenses) == 1 and "rows" in lenses[0].command.title
        assert lenses[0].range.start == _pos(MAIN_GOOD, "main")

        # completion while typing (the text does not parse): std:: items, struct fields, names
        for typed, expected in (("std::hash::", "hash_two"), ("p.", "right"), ("dou", "double")):
            text = MAIN_GOOD.replace("    poseidon(", f"    let z = {typed}\n    poseidon(")
            client.text_document_did_change(lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(uri=uri, version=3),
                [lsp.TextDocumentContentChangeWholeDocument(text=text)]))
            items = await client.text_document_completion_async(lsp.CompletionParams(
                doc, _pos(text, f"let z = {typed}", len(f"let z = {typed}"))))
            labels = {i.label for i in items.items}
            assert expected in labels, (typed, labels)
        assert "x" in labels and "p" in labels and "z" not in labels

        # formatting is `psyc fmt`
        messy = "use std::hash::poseidon;\nfn main(x:Felt)->pub Hash{poseidon([x,x])}\n"
        client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=4),
            [lsp.TextDocumentContentChangeWholeDocument(text=messy)]))
        edits = await client.text_document_formatting_async(lsp.DocumentFormattingParams(
            doc, lsp.FormattingOptions(tab_size=4, insert_spaces=True)))
        assert len(edits) == 1 and edits[0].new_text == format_source(messy)

        await asyncio.wait_for(client.shutdown_async(None), 30)
        client.exit(None)
        await asyncio.wait_for(client._server.wait(), 30)
        assert client._server.returncode == 0
    finally:
        if client._server is not None and client._server.returncode is None:
            client._server.kill()
        await client.stop()


def test_language_server_session(tmp_path):
    (tmp_path / "psy.toml").write_text('[package]\nname = "lsp_test"\nversion = "0.1.0"\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.psy").write_text(MAIN_BAD)
    (tmp_path / "src" / "util.psy").write_text(UTIL)
    asyncio.run(_session(tmp_path))
