"""Modules and name resolution.

A module is one ``.psy`` file. ``std::a::b`` is ``stdlib/a/b.psy`` (or ``stdlib/a.psy``
for ``std::a``) of the bundled standard library; ``crate::x`` is ``src/x.psy`` of the
project; a bare ``x::f`` is a module the current file declared with ``mod x;`` or
imported with ``use``. Files are parsed once, on first use.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from psyc.frontend import ast
from psyc.frontend.ast_cache import parse
from psyc.util.diagnostics import CompileError, Diagnostic, SourceMap, Span

Item = ast.FnDecl | ast.StructDecl | ast.ConstDecl
RECURSION_LIMIT = 20_000  # Python frames for parsing and elaborating deeply nested code


def ensure_deep_stack() -> None:
    """Parsing and elaboration recurse along the program (nested expressions, inlined
    calls, the calls of an unconstrained function): allow deeper recursion than Python's
    default 1000 frames (Python-to-Python calls do not grow the C stack in 3.11+). Done
    when this module is imported, and again before each use in case someone lowered it."""
    if sys.getrecursionlimit() < RECURSION_LIMIT:
        sys.setrecursionlimit(RECURSION_LIMIT)


ensure_deep_stack()


def stdlib_dir() -> Path:
    """The bundled standard library (``stdlib/`` in the source tree, ``psyc/stdlib`` installed)."""
    return Path(str(resources.files("psyc.stdlib")))


@dataclass
class Module:
    name: str  # "crate", "crate::util", "std::hash"
    file: str
    ast: ast.Module
    items: dict[str, Item] = field(default_factory=dict)
    # imported name -> (module name, item name); item name None: the name is a module
    imports: dict[str, tuple[str, str | None, Span]] = field(default_factory=dict)
    submodules: dict[str, str] = field(default_factory=dict)  # `mod x;` -> module name
    # `impl T { .. }`: type name -> method name -> declaration (all impl blocks of T merged)
    impls: dict[str, dict[str, ast.FnDecl]] = field(default_factory=dict)


class ModuleLoader:
    def __init__(self, src_dir: Path, sources: SourceMap | None = None, std_dir: Path | None = None):
        self.src_dir = Path(src_dir)
        self.std_dir = std_dir or stdlib_dir()
        self.sources = sources or SourceMap()
        self.modules: dict[str, Module] = {}
        self.paths: dict[str, Path] = {}  # module name -> the file it was read from
        self.root_dir = self.src_dir

    def display_path(self, path: Path) -> str:
        """Paths in diagnostics: relative to the project when inside it, ``std/…`` for the stdlib."""
        path = path.resolve()
        for base, prefix in ((self.std_dir.resolve(), "std/"), (self.root_dir.resolve(), "")):
            try:
                return prefix + str(path.relative_to(base))
            except ValueError:
                continue
        return str(path)

    def real_path(self, module: Module) -> Path:
        """The file a module was read from."""
        return self.paths.get(module.name) or (self.root_dir / module.file)

    def load_file(self, name: str, path: Path) -> Module:
        if name in self.modules:
            return self.modules[name]
        shown = self.display_path(path)
        try:
            text = self.read_text(path)
        except UnicodeDecodeError as e:
            line = path.read_bytes()[: e.start].count(b"\n") + 1
            raise CompileError([Diagnostic(
                "error", "E0005", f"{shown} is not valid UTF-8 text (byte 0x{e.object[e.start]:02x} at offset "
                f"{e.start}, line {line})", [], ["psyc reads source files as UTF-8; re-save the file as UTF-8"],
            )]) from None
        tree = self._parse(text, shown)
        module = Module(name, shown, tree)
        self.modules[name] = module
        self.paths[name] = path.resolve()
        self._index(module)
        return module

    def read_text(self, path: Path) -> str:
        """A module's source (the language server overrides this with unsaved editor text)."""
        return path.read_text(encoding="utf-8")

    def load_text(self, name: str, text: str, shown: str) -> Module:
        tree = self._parse(text, shown)
        module = Module(name, shown, tree)
        self.modules[name] = module
        self._index(module)
        return module

    def _parse(self, text: str, shown: str) -> ast.Module:
        """Parse with room for deeply nested expressions; nesting beyond even that is a
        located diagnostic, not a RecursionError."""
        ensure_deep_stack()
        try:
            return parse(text, shown, self.sources)
        except RecursionError:  # (parse has registered the text with self.sources)
            raise CompileError([Diagnostic.error("E0303", "this file nests expressions too deeply to compile",
                                                 Span(shown, 0, 1))]) from None

    def _index(self, module: Module) -> None:
        errors: list[Diagnostic] = []
        seen: dict[str, Span] = {}

        def declare(name: str, span: Span) -> bool:
            if name in seen:
                d = Diagnostic.error("E0103", f"the name `{name}` is defined more than once", span, "redefined here")
                d.labels.append(_label(seen[name], "first defined here"))
                errors.append(d)
                return False
            seen[name] = span
            return True

        for item in module.ast.items:
            if isinstance(item, ast.ImplDecl):
                methods = module.impls.setdefault(item.name, {})
                for fn in item.methods:
                    if fn.name in methods:
                        d = Diagnostic.error("E0103", f"`{item.name}` has more than one method `{fn.name}`",
                                             fn.span, "redefined here")
                        d.labels.append(_label(methods[fn.name].span, "first defined here"))
                        errors.append(d)
                    methods[fn.name] = fn
            elif isinstance(item, ast.UseDecl):
                target = self._module_name(module, item.path, item.span)
                for n in item.names:
                    if declare(n, item.span):
                        module.imports[n] = (target, n, item.span)
            elif isinstance(item, ast.ModDecl):
                if declare(item.name, item.span):
                    sub = f"{module.name}::{item.name}"
                    module.submodules[item.name] = sub
                    candidates = self._candidates(sub)
                    if candidates and sub not in self.modules and not any(c.is_file() for c in candidates):
                        d = Diagnostic.error("E0101", f"file not found for module `{item.name}`", item.span,
                                             "no such file")
                        d.notes.append("looked for " + ", ".join(self.display_path(c) for c in candidates))
                        errors.append(d)
            elif declare(item.name, item.span):
                module.items[item.name] = item
        if errors:
            raise CompileError(errors)

    def _module_name(self, module: Module, path: tuple[str, ...], span: Span) -> str:
        if not path:
            raise CompileError([Diagnostic.error("E0101", "empty module path", span)])
        head = path[0]
        if head in ("std", "crate"):
            return "::".join(path)
        if head == "self":
            return "::".join((module.name, *path[1:]))
        if head == "super":
            parent = module.name.rsplit("::", 1)[0]
            return "::".join((parent, *path[1:]))
        # a sibling declared with `mod` or a module imported by `use a::b;`
        return "::".join((module.name if module.name != "crate" else "crate", *path))

    def module(self, name: str, span: Span | None) -> Module:
        """Load ``std::…`` / ``crate::…`` by name."""
        if name in self.modules:
            return self.modules[name]
        if name.split("::")[0] not in ("std", "crate"):
            raise CompileError([Diagnostic.error("E0101", f"unresolved module `{name}`", span)])
        candidates = self._candidates(name)
        for path in candidates:
            if path.is_file():
                return self.load_file(name, path)
        where = ", ".join(self.display_path(c) for c in candidates) or "a file"
        d = Diagnostic.error("E0101", f"unresolved module `{name}`", span, "no such module")
        d.notes.append(f"looked for {where}")
        raise CompileError([d])

    def _candidates(self, name: str) -> list[Path]:
        """The files that may hold module ``name`` (``a/b.psy`` or ``a/b/mod.psy``)."""
        parts = name.split("::")
        base = {"std": self.std_dir, "crate": self.src_dir}.get(parts[0])
        rel = parts[1:]
        if base is None or not rel:
            return []
        return [base.joinpath(*rel).with_suffix(".psy"), base.joinpath(*rel, "mod.psy")]

    def defines(self, module: Module, name: str) -> bool:
        """Whether ``name`` is visible in ``module``: an item, an import or a submodule."""
        if name in module.items or name in module.imports or name in module.submodules:
            return True
        return any(c.is_file() for c in self._candidates(f"{module.name}::{name}"))

    def try_module(self, name: str) -> Module | None:
        try:
            return self.module(name, None)
        except CompileError:
            return None


def _label(span: Span, message: str):
    from psyc.util.diagnostics import Label

    return Label(span, message, primary=False)
