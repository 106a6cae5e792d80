"""What the language server knows about a document, computed by the compiler itself.

:func:`analyze` runs the same check as ``psyc check`` (parse, resolve, type-check every
function, lints) on the editor's unsaved text, recording the type of every expression the
elaborator meets. The queries below (hover, definition, completion, symbols, row costs)
answer from that record and the AST. Nothing here knows about the protocol: positions are
character offsets into the text, converted in :mod:`psyc.lsp.server`.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path

from psyc.frontend import ast
from psyc.frontend import types as ty
from psyc.frontend.modules import Module, ModuleLoader, stdlib_dir
from psyc.util.diagnostics import CompileError, Diagnostic, SourceMap, Span

KEYWORDS = ["as", "const", "else", "false", "fn", "for", "if", "in", "let", "mod", "mut", "pub", "return",
            "struct", "true", "unconstrained", "unsafe", "use", "while"]
TYPES = ["Felt", "bool", "u8", "u16", "u32", "u64", "Hash", "Proof"]
BUILTINS = {
    "assert": "assert(c: bool, \"message\")\n\nFails the run (E0500) when `c` is false.",
    "assert_eq": "assert_eq(a, b, \"message\")\n\n`a == b` for any type, element-wise; the failure shows both.",
    "from_bits": "from_bits(bits: [bool; N]) -> T\n\nThe value of little-endian bits, `T` from the expected type.",
    "println": "println(\"x = {}\", x)\n\nShows values while the program runs (`psyc execute`, `psyc test`); "
               "adds nothing to the circuit.",
    "print": "print(\"x = {}\", x)\n\nLike `println`, without the line break.",
}
METHODS = {
    "len": "a.len() -> u32: the length of an array (a compile-time constant)",
    "to_bits": "x.to_bits::<N>() -> [bool; N]: little-endian bits (fewer than the width range-checks)",
    "wrapping_add": "x.wrapping_add(y): addition modulo 2^n (u8 u16 u32)",
    "wrapping_sub": "x.wrapping_sub(y): subtraction modulo 2^n (u8 u16 u32)",
    "wrapping_mul": "x.wrapping_mul(y): multiplication modulo 2^n (u8 u16 u32)",
}


class _EditorLoader(ModuleLoader):
    """A module loader that reads open documents from the editor, not the disk."""

    def __init__(self, src_dir: Path, sources: SourceMap, overlays: dict[Path, str]) -> None:
        super().__init__(src_dir, sources)
        self.overlays = overlays

    def read_text(self, path: Path) -> str:
        text = self.overlays.get(path.resolve())
        return text if text is not None else super().read_text(path)


@dataclass
class Analysis:
    path: Path
    text: str
    loader: ModuleLoader | None = None
    module: Module | None = None  # None when the document does not parse
    project: object = None
    diagnostics: dict[Path, list[Diagnostic]] = field(default_factory=dict)
    types: dict[tuple[str, int, int], list] = field(default_factory=dict)  # expression span -> types

    @property
    def sources(self) -> SourceMap:
        return self.loader.sources

    # ---- positions ------------------------------------------------------------------------
    def file_of(self, shown: str) -> Path | None:
        for m in self.loader.modules.values():
            if m.file == shown:
                return self.loader.real_path(m)
        if shown == self.loader.display_path(self.path):
            return self.path
        return None


def _module_name(project, path: Path) -> str:
    if path == Path(project.main_file).resolve():
        return "crate"
    rel = path.relative_to(Path(project.src_dir).resolve()).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "mod":
        parts.pop()
    return "::".join(["crate", *parts])


def analyze(path: Path, text: str, overlays: dict[Path, str] | None = None) -> Analysis:
    """Check the document at ``path`` with the editor's ``text`` (and other unsaved
    ``overlays``): the diagnostics of ``psyc check`` and the type of every expression."""
    from psyc.compiler import CompileOptions, check_function, check_project
    from psyc.frontend.elaborate import EXPRESSION_OBSERVER
    from psyc.ir.interpret import ExecutionError
    from psyc.project.manifest import find_manifest, find_project

    path = path.resolve()
    overlays = {**(overlays or {}), path: text}
    result = Analysis(path, text)
    errors: list[Diagnostic] = []

    def observe(e, t) -> None:
        seen = result.types.setdefault((e.span.file, e.span.start, e.span.end), [])
        if t not in seen and len(seen) < 4:
            seen.append(t)

    token = EXPRESSION_OBSERVER.set(observe)
    try:
        std = stdlib_dir().resolve()
        sources = SourceMap()
        if path.is_relative_to(std):
            loader = _EditorLoader(std, sources, overlays)
            name = "::".join(["std", *path.relative_to(std).with_suffix("").parts])
            try:
                result.module = loader.load_file(name, path)
                for fn in result.module.items.values():
                    if isinstance(fn, ast.FnDecl) and not fn.generics:
                        try:
                            check_function(loader, result.module, fn, 1 << 20)
                        except CompileError as e:
                            errors += [d for d in e.diagnostics if d not in errors]
                        except ExecutionError:
                            pass
            except CompileError as e:
                errors += e.diagnostics
        else:
            manifest = find_manifest(path.parent)
            inside = manifest is not None and path.is_relative_to(manifest.parent / "src")
            try:
                project = find_project(manifest.parent if inside else path, sources)
            except CompileError as e:
                project = None
                errors += e.diagnostics
            loader = _EditorLoader(project.src_dir if project else path.parent, sources, overlays)
            if project is not None:
                loader.root_dir = project.root
                result.project = project
                try:
                    result.module = loader.load_file(_module_name(project, path), path)
                    compiled, errs = check_project(project, loader, CompileOptions())
                    errors += errs + (compiled.warnings if compiled else [])
                except CompileError as e:
                    errors += [d for d in e.diagnostics if d not in errors]
                except ExecutionError as e:
                    errors.append(e.to_diagnostic())
    finally:
        EXPRESSION_OBSERVER.reset(token)
    result.loader = loader
    if loader.display_path(path) not in sources._texts:
        sources.add(loader.display_path(path), text)
    for d in errors:
        span = next((lb.span for lb in d.labels if lb.span is not None), None)
        target = result.file_of(span.file) if span else None
        result.diagnostics.setdefault(target or path, []).append(d)
    return result


# =========================================================================================
# the AST around a position
# =========================================================================================
def _children(node):
    for f in dataclasses.fields(node):
        yield from _nodes(getattr(node, f.name))


def _nodes(v):
    if dataclasses.is_dataclass(v) and hasattr(v, "span"):
        yield v
    elif isinstance(v, tuple | list):
        for x in v:
            yield from _nodes(x)


def node_path(module: Module, offset: int) -> list:
    """The nodes containing ``offset``, outermost first."""
    out = []
    nodes = list(module.ast.items)
    while True:
        inner = [n for n in nodes if n.span is not None and n.span.start <= offset <= n.span.end]
        if not inner:
            return out
        best = min(inner, key=lambda n: n.span.end - n.span.start)
        out.append(best)
        nodes = list(_children(best))


def _word_at(text: str, offset: int) -> tuple[str, int, int]:
    start = offset
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    end = offset
    while end < len(text) and (text[end].isalnum() or text[end] == "_"):
        end += 1
    return text[start:end], start, end


@dataclass
class Target:
    """Where a name is defined: a file and a span in it (``None``: the whole file)."""

    path: Path
    span: Span | None
    module: Module | None = None
    decl: object = None


def _decl_name_span(sources: SourceMap, decl) -> Span:
    """The span of the name in ``fn name`` / ``struct name`` / ``const name``."""
    text = sources.text(decl.span.file)
    keyword = {ast.FnDecl: "fn", ast.StructDecl: "struct", ast.ConstDecl: "const"}.get(type(decl))
    if keyword:
        m = re.compile(rf"\b{keyword}\s+({re.escape(decl.name)})\b").search(text, decl.span.start, decl.span.end)
        if m:
            return Span(decl.span.file, m.start(1), m.end(1))
    return decl.span


def _field_span(sources: SourceMap, decl: ast.StructDecl, name: str) -> Span:
    text = sources.text(decl.span.file)
    m = re.compile(rf"\b({re.escape(name)})\s*:").search(text, decl.span.start, decl.span.end)
    return Span(decl.span.file, m.start(1), m.end(1)) if m else decl.span


class Resolver:
    """Names to definitions, with the compiler's own lookup rules."""

    def __init__(self, a: Analysis) -> None:
        from psyc.frontend.elaborate import Elaborator

        self.a = a
        self.el = Elaborator(a.loader)

    def item(
        self, module: Module, segs: tuple[str, ...],
        kinds: tuple[type, ...] = (ast.FnDecl, ast.ConstDecl, ast.StructDecl),
    ):
        for kind in kinds:
            try:
                found = self.el.lookup_item(module, segs, module.ast.items[0].span if module.ast.items else None,
                                            kind)
            except CompileError:
                found = None
            if found:
                return found
        return None

    def module_path(self, module: Module, segs: tuple[str, ...]) -> Module | None:
        if len(segs) == 1 and segs[0] in module.imports:
            mod_name, item_name, _ = module.imports[segs[0]]
            return self.a.loader.try_module(f"{mod_name}::{item_name}")
        try:
            return self.el.resolve_module_path(module, segs, None)
        except CompileError:
            return None

    def target_of_item(self, found: tuple[Module, ast.Item]) -> Target:
        mod, decl = found
        return Target(self.a.loader.real_path(mod), _decl_name_span(self.a.sources, decl), mod, decl)

    def path(self, module: Module, e: ast.PathExpr, offset: int, scope_chain: list) -> Target | None:
        text = self.a.sources.text(e.span.file)
        # which segment is under the cursor: `std::hash::poseidon`
        k, pos = 0, e.span.start
        for i, seg in enumerate(e.segments):
            start = text.find(seg, pos, e.span.end)
            if start <= offset <= start + len(seg):
                k = i
                break
            pos = start + len(seg)
        else:
            k = len(e.segments) - 1
        if k < len(e.segments) - 1:
            mod = self.module_path(module, e.segments[: k + 1])
            return Target(self.a.loader.real_path(mod), None, mod) if mod else None
        if len(e.segments) == 1:
            local = local_definition(scope_chain, e.segments[0], offset)
            if local is not None:
                return Target(self.a.path if e.span.file == module.file else self.a.file_of(e.span.file),
                              local, module)
        found = self.item(module, e.segments)
        if found:
            return self.target_of_item(found)
        if len(e.segments) >= 2:  # `Type::function`: an associated function of an impl block
            st = self.item(module, e.segments[:-1], (ast.StructDecl,))
            if st is not None:
                fn = st[0].impls.get(st[1].name, {}).get(e.segments[-1])
                if fn is not None:
                    return self.target_of_item((st[0], fn))
        if len(e.segments) == 1:  # `use std::merkle;` then `merkle` alone
            mod = self.module_path(module, e.segments)
            return Target(self.a.loader.real_path(mod), None, mod) if mod else None
        return None


def local_definition(chain: list, name: str, offset: int) -> Span | None:
    """The span that binds ``name`` at ``offset`` inside the enclosing function: the
    latest `let`, loop variable or parameter before it whose scope covers it."""
    fn = next((n for n in chain if isinstance(n, ast.FnDecl)), None)
    if fn is None:
        return None
    best: Span | None = None
    for p in (*fn.params, *fn.generics):
        if p.name == name:
            best = p.span
    for b in chain:
        if isinstance(b, ast.Block):
            for s in b.stmts:
                if s.span.start >= offset:
                    break
                if isinstance(s, ast.Let) and s.span.end <= offset:
                    for pat_name, span in _pattern_names(s.pattern):
                        if pat_name == name:
                            best = span
        elif isinstance(b, ast.For) and b.var == name and b.body.span.start <= offset:
            best = Span(b.span.file, b.span.start, b.span.start + 3)
    return best


def _pattern_names(pat):
    if isinstance(pat, ast.NamePattern):
        yield pat.name, pat.span
    elif isinstance(pat, ast.TuplePattern):
        for p in pat.elements:
            yield from _pattern_names(p)


def definition(a: Analysis, offset: int) -> Target | None:
    """Where the name at ``offset`` is defined: a local, an item in any module (the
    standard library included), a struct field, or a module's file."""
    if a.module is None:
        return None
    chain = node_path(a.module, offset)
    if not chain:
        return None
    r = Resolver(a)
    word, wstart, _ = _word_at(a.text, offset)
    for node in reversed(chain):
        if isinstance(node, ast.PathExpr):
            return r.path(a.module, node, offset, chain)
        if isinstance(node, ast.NamePattern | ast.Param):  # a binding is its own definition
            return Target(a.path, node.span, a.module)
        if isinstance(node, ast.NamedType):
            found = r.item(a.module, (node.name,), (ast.StructDecl,))
            return r.target_of_item(found) if found else None
        if isinstance(node, ast.StructLit):
            found = r.item(a.module, (node.name,), (ast.StructDecl,))
            if not found:
                return None
            target = r.target_of_item(found)
            if word != node.name or wstart != node.span.start:  # a field name in the literal
                target.span = _field_span(a.sources, found[1], word)
            return target
        if isinstance(node, ast.MethodCall) and word == node.method:
            found = _method(a, _type_of(a, node.receiver), node.method)
            return r.target_of_item(found) if found else None
        if isinstance(node, ast.Field):
            t = _type_of(a, node.base)
            if isinstance(t, ty.Struct) and word == node.name:
                mod = a.loader.try_module(t.module)
                decl = mod.items.get(t.name) if mod else None
                if isinstance(decl, ast.StructDecl):
                    return Target(a.loader.real_path(mod), _field_span(a.sources, decl, node.name), mod, decl)
            continue
        if isinstance(node, ast.UseDecl):
            if word in node.names:
                found = r.item(a.module, (word,))
                if found:
                    return r.target_of_item(found)
                mod = r.module_path(a.module, (word,))
                return Target(a.loader.real_path(mod), None, mod) if mod else None
            mod = r.module_path(a.module, tuple(node.path[: node.path.index(word) + 1])) \
                if word in node.path else None
            return Target(a.loader.real_path(mod), None, mod) if mod else None
        if isinstance(node, ast.ModDecl):
            mod = a.loader.try_module(a.module.submodules.get(node.name, ""))
            return Target(a.loader.real_path(mod), None, mod) if mod else None
    return None


def _method(a: Analysis, t, name: str):
    """(module, method declaration) of ``t.name(..)`` for a struct with an impl block."""
    t = getattr(t, "struct", t)  # a contract's storage view
    if not isinstance(t, ty.Struct):
        return None
    mod = a.loader.try_module(t.module) if t.module else None
    fn = mod.impls.get(t.name, {}).get(name) if mod is not None else None
    return (mod, fn) if fn is not None else None


def _type_of(a: Analysis, e):
    found = a.types.get((e.span.file, e.span.start, e.span.end))
    return found[0] if found else None


# =========================================================================================
# hover
# =========================================================================================
def doc_comment(sources: SourceMap, decl: ast.Item) -> str:
    """The `//` comment lines right above a declaration (its attributes included)."""
    text = sources.text(decl.span.file)
    lines = text[: decl.span.start].split("\n")[:-1]
    out = []
    for line in reversed(lines):
        s = line.strip()
        if not s.startswith("//"):
            break
        out.append(s.lstrip("/").strip())
    return "\n".join(reversed(out))


def signature(sources: SourceMap, decl: ast.Item) -> str:
    text = sources.text(decl.span.file)
    if isinstance(decl, ast.FnDecl):
        head = text[decl.span.start : decl.body.span.start]
        head = "\n".join(line for line in head.split("\n") if not line.strip().startswith("#["))
        return " ".join(head.split())
    if isinstance(decl, ast.StructDecl):
        return " ".join(text[decl.span.start : decl.span.end].split())
    if isinstance(decl, ast.ConstDecl):
        return " ".join(text[decl.span.start : decl.span.end].split())
    return ""


def hover(a: Analysis, offset: int) -> str | None:
    """Markdown: the signature and doc comment of the item under the cursor, or the type
    of the innermost expression there."""
    if a.module is None:
        return None
    chain = node_path(a.module, offset)
    word, _, _ = _word_at(a.text, offset)
    target = definition(a, offset)
    if target is not None and target.decl is not None and getattr(target.decl, "name", None) == word:
        decl = target.decl
        where = f"`{target.module.name}`\n\n" if target.module else ""
        body = f"```psy\n{signature(a.sources, decl)}\n```\n\n{where}{doc_comment(a.sources, decl)}"
        return body.strip()
    if target is not None and target.decl is None and target.span is not None and target.path == a.path:
        seen = a.types.get((chain[-1].span.file, chain[-1].span.start, chain[-1].span.end)) if chain else None
        t = " | ".join(str(x) for x in seen) if seen and isinstance(chain[-1], ast.PathExpr) else \
            _local_type(a, target.span)
        if t:
            note = "\n\n(one type per instantiation of the generic function)" if " | " in t else ""
            return f"```psy\n{word}: {t}\n```{note}"
    if word in BUILTINS and chain and isinstance(chain[-1], ast.PathExpr):
        sig, _, doc = BUILTINS[word].partition("\n\n")
        return f"```psy\n{sig}\n```\n\n{doc}"
    if word in METHODS and chain and isinstance(chain[-1], ast.MethodCall):
        return METHODS[word]
    for node in reversed(chain):
        types = a.types.get((node.span.file, node.span.start, node.span.end))
        if types:
            text = " ".join(a.sources.text(node.span.file)[node.span.start : node.span.end].split())
            if len(text) > 60:
                text = text[:57] + "…"
            shown = " | ".join(str(t) for t in types)
            note = "\n\n(one type per instantiation of the generic function)" if len(types) > 1 else ""
            return f"```psy\n{text}: {shown}\n```{note}"
        if isinstance(node, ast.Param | ast.GenericParam):
            return f"```psy\n{' '.join(a.text[node.span.start:node.span.end].split())}\n```"
        if isinstance(node, ast.Let) and isinstance(node.pattern, ast.NamePattern) and \
                node.pattern.span.start <= offset <= node.pattern.span.end:
            t = _type_of(a, node.value)
            if t is not None:
                return f"```psy\nlet {node.pattern.name}: {t}\n```"
    return None


def _local_type(a: Analysis, span: Span) -> str | None:
    """The type of the local bound at ``span``: a parameter's annotation, a `let`'s
    annotation or the type the compiler gave its value, `u32` for a loop variable."""
    for node in _walk_module(a.module):
        if isinstance(node, ast.Param | ast.GenericParam) and node.span == span:
            return " ".join(a.text[node.type.span.start:node.type.span.end].split())
        if isinstance(node, ast.Let) and any(sp == span for _, sp in _pattern_names(node.pattern)):
            if node.type is not None and isinstance(node.pattern, ast.NamePattern):
                return " ".join(a.text[node.type.span.start:node.type.span.end].split())
            t = _type_of(a, node.value)
            if isinstance(node.pattern, ast.NamePattern):
                return str(t) if t is not None else None
            return _tuple_part(node.pattern, t, span)
        if isinstance(node, ast.For) and node.span.start == span.start:
            return "u32"
    return None


def _tuple_part(pat, t, span: Span) -> str | None:
    if isinstance(pat, ast.NamePattern):
        return str(t) if pat.span == span and t is not None else None
    if isinstance(pat, ast.TuplePattern) and isinstance(t, ty.Tuple):
        for p, et in zip(pat.elements, t.elements, strict=False):
            found = _tuple_part(p, et, span)
            if found:
                return found
    return None


def _walk_module(module: Module):
    for item in module.ast.items:
        yield from _walk(item)


# =========================================================================================
# completion
# =========================================================================================
@dataclass
class Completion:
    label: str
    kind: str  # "function" | "struct" | "constant" | "module" | "variable" | "field" | "method" | "keyword" | "type"
    detail: str = ""


def _items_of(a: Analysis, mod: Module) -> list[Completion]:
    out = []
    for name, item in mod.items.items():
        kind = {ast.StructDecl: "struct", ast.ConstDecl: "constant"}.get(type(item), "function")
        out.append(Completion(name, kind, signature(a.sources, item)))
    out += [Completion(n, "module") for n in mod.submodules]
    return out


def _submodule_files(base: Path) -> list[str]:
    if not base.is_dir():
        return []
    return sorted({p.stem if p.name != "mod.psy" else p.parent.name for p in base.glob("*.psy")} |
                  {p.name for p in base.iterdir() if p.is_dir() and any(p.glob("*.psy"))} - {"main"})


def completions(a: Analysis, text: str, offset: int) -> list[Completion]:
    """Names at ``offset`` of ``text`` (the current, maybe unparsable, text): after
    ``path::`` the modules and items there, after ``expr.`` the fields and methods of its
    type, otherwise the locals, items, imports, builtins and keywords in scope."""
    before = text[:offset]
    module = a.module
    m = re.search(r"((?:[A-Za-z_]\w*::)+)(\w*)$", before)
    if m:
        segs = tuple(m.group(1).split("::")[:-1])
        if segs[0] in TYPES:
            return [Completion("from_bits", "function", f"{segs[0]}::from_bits(bits)")]
        out: list[Completion] = []
        if segs == ("std",):
            out += [Completion(n, "module", f"std::{n}") for n in _submodule_files(a.loader.std_dir)]
        if segs == ("crate",) and a.project is not None:
            out += [Completion(n, "module", f"crate::{n}") for n in _submodule_files(Path(a.project.src_dir))]
        target = None
        if module is not None:
            target = Resolver(a).module_path(module, segs)
        elif segs[0] in ("std", "crate"):
            target = a.loader.try_module("::".join(segs))
        if target is not None:
            out += _items_of(a, target)
            base = a.loader.std_dir if target.name.startswith("std") else (
                Path(a.project.src_dir) if a.project else None)
            if base is not None and "::" in target.name:
                sub = base.joinpath(*target.name.split("::")[1:])
                out += [Completion(n, "module") for n in _submodule_files(sub)]
        return out
    m = re.search(r"([A-Za-z_][\w.]*(?:\[[^\]]*\])?)\.(\w*)$", before)
    if m and not re.search(r"\d\.$", before[: m.end(1) + 1]):
        t = _receiver_type(a, m.group(1))
        if t is None:
            return []
        out = _members(getattr(t, "struct", t))
        st = getattr(t, "struct", t)
        if isinstance(st, ty.Struct) and st.module:
            mod = a.loader.try_module(st.module)
            for name, fn in (mod.impls.get(st.name, {}) if mod else {}).items():
                if fn.receiver is not None:
                    out.append(Completion(name, "method", signature(a.sources, fn)))
        return out
    out = [Completion(k, "keyword") for k in KEYWORDS] + [Completion(t, "type") for t in TYPES]
    out += [Completion(n, "function", BUILTINS[n].split("\n")[0]) for n in BUILTINS]
    if module is not None:
        out += _items_of(a, module)
        out += [Completion(n, "module" if item is None or a.loader.try_module(f"{mod}::{n}") else "function",
                           f"use {mod}::{n}") for n, (mod, item, _) in module.imports.items()]
        chain = node_path(module, min(offset, len(a.text)))
        fn = next((n for n in chain if isinstance(n, ast.FnDecl)), None)
        if fn is not None:
            out += [Completion(p.name, "variable", a.text[p.span.start:p.span.end]) for p in fn.params]
            out += [Completion(g.name, "constant", "const generic") for g in fn.generics]
            for node in _walk(fn.body):
                if isinstance(node, ast.Let) and node.span.end <= offset:
                    t = _type_of(a, node.value)
                    out += [Completion(n, "variable", str(t) if t else "") for n, _ in _pattern_names(node.pattern)]
                elif isinstance(node, ast.For) and node.body.span.start <= offset <= node.body.span.end:
                    out.append(Completion(node.var, "variable", "u32"))
    seen, unique = set(), []
    for c in out:
        if c.label not in seen:
            seen.add(c.label)
            unique.append(c)
    return unique


def _walk(node):
    yield node
    for c in _children(node):
        yield from _walk(c)


def _receiver_type(a: Analysis, receiver: str):
    """The type of ``receiver`` (``x``, ``t.from``, ``xs[i]``): an expression with that
    text the compiler typed, or its root variable's type followed through the fields."""
    receiver = receiver.strip()
    found = None
    for (file, start, end), types in a.types.items():
        if a.sources.text(file)[start:end] == receiver and file == (a.module.file if a.module else file):
            found = types[0]
    if found is not None:
        return found
    parts = re.split(r"\.", re.sub(r"\[[^\]]*\]", "[]", receiver))
    t = _receiver_type(a, parts[0].rstrip("[]")) if len(parts) > 1 or parts[0].endswith("[]") else None
    for p in parts[1:] if t is not None else []:
        name = p.rstrip("[]")
        if isinstance(t, ty.Struct):
            t = t.field_type(name)
        elif isinstance(t, ty.Tuple) and name.isdigit() and int(name) < len(t.elements):
            t = t.elements[int(name)]
        else:
            return None
        if p.endswith("[]") and isinstance(t, ty.Array):
            t = t.element
    if t is not None and parts[0].endswith("[]") and len(parts) == 1 and isinstance(t, ty.Array):
        t = t.element
    return t


def _members(t) -> list[Completion]:
    if isinstance(t, ty.Struct):
        return [Completion(n, "field", str(ft)) for n, ft in t.fields]
    if isinstance(t, ty.Tuple):
        return [Completion(str(k), "field", str(et)) for k, et in enumerate(t.elements)]
    if isinstance(t, ty.Array):
        return [Completion("len", "method", METHODS["len"])]
    if isinstance(t, ty.ProofT):
        return [Completion("public_inputs", "field", f"[Felt; {t.num_public_inputs}]"),
                Completion("fingerprint", "field", "Hash")]
    if isinstance(t, ty.Scalar) and t.name != "bool":
        names = ["to_bits"] + (["wrapping_add", "wrapping_sub", "wrapping_mul"] if t.name in ("u8", "u16", "u32")
                               else [])
        return [Completion(n, "method", METHODS[n]) for n in names]
    return []


# =========================================================================================
# symbols and costs
# =========================================================================================
@dataclass
class Symbol:
    name: str
    kind: str  # "function" | "struct" | "constant" | "module" | "field" | "impl" | "method"
    span: Span
    name_span: Span
    detail: str = ""
    children: list[Symbol] = field(default_factory=list)


def symbols(a: Analysis) -> list[Symbol]:
    if a.module is None:
        return []
    out = []
    for item in a.module.ast.items:
        if isinstance(item, ast.FnDecl):
            out.append(Symbol(item.name, "function", item.span, _decl_name_span(a.sources, item),
                              signature(a.sources, item)))
        elif isinstance(item, ast.StructDecl):
            fields = [Symbol(n, "field", _field_span(a.sources, item, n), _field_span(a.sources, item, n),
                             str(a.text[t.span.start:t.span.end])) for n, t in item.fields]
            out.append(Symbol(item.name, "struct", item.span, _decl_name_span(a.sources, item), "", fields))
        elif isinstance(item, ast.ConstDecl):
            out.append(Symbol(item.name, "constant", item.span, _decl_name_span(a.sources, item),
                              signature(a.sources, item)))
        elif isinstance(item, ast.ModDecl):
            out.append(Symbol(item.name, "module", item.span, item.span))
        elif isinstance(item, ast.ImplDecl):
            methods = [Symbol(fn.name, "method", fn.span, _decl_name_span(a.sources, fn), signature(a.sources, fn))
                       for fn in item.methods]
            out.append(Symbol(f"impl {item.name}", "impl", item.span, item.span, "", methods))
    return out


def inlay_hints(a: Analysis) -> list[tuple[int, str]]:
    """``(offset, ": Type")`` after every `let` name without a type annotation, when the
    compiler gave its value one type (a generic function's locals may have several)."""
    if a.module is None:
        return []
    out = []
    for node in _walk_module(a.module):
        if not isinstance(node, ast.Let) or node.type is not None:
            continue
        types = a.types.get((node.value.span.file, node.value.span.start, node.value.span.end), [])
        if len(types) != 1:
            continue
        for _, span in _pattern_names(node.pattern):
            t = _tuple_part(node.pattern, types[0], span)
            if t is not None and span.file == a.module.file:
                out.append((span.end, f": {t}"))
    return sorted(out)


def function_rows(a: Analysis) -> tuple[dict[str, int], int, int]:
    """Rows of the project's circuit per function of this document (`psyc info`'s
    attribution: the rows placed by the function's own lines, over all its inlined calls),
    the rows used and the padded table size. Compiles the project's entry."""
    from psyc.compiler import CompileOptions, compile_project
    from psyc.costs import row_costs

    if a.module is None or a.project is None or a.diagnostics.get(a.path):
        return {}, 0, 0
    prog = compile_project(a.project, a.loader, CompileOptions())
    prog.modules = list(a.loader.modules.values())
    data = prog.circuit()
    _, _, by_fn = row_costs(prog)
    prefix = a.module.name + "::"
    mine = {k[len(prefix):]: v for k, v in by_fn.items() if k.startswith(prefix)}
    return mine, sum(by_fn.values()), data.common.degree
