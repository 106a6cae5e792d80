"""Names and types: type expressions, structs, paths, imports, variables and constants."""

from __future__ import annotations

from psyc.frontend import ast
from psyc.frontend import types as ty
from psyc.frontend.elaboration.common import (
    TV,
    Binding,
    _did_you_mean,
    _storage_value_error,
    error,
)
from psyc.frontend.modules import Module
from psyc.frontend.storage import (
    StorageT,
    check_layout,
)
from psyc.frontend.types import BOOL, FELT, U32, Array, Scalar, Struct, Tuple, Type
from psyc.util.diagnostics import Span


class NamesMixin:
    """The elaborator's types and names (a part of :class:`psyc.frontend.elaborate.Elaborator`)."""

    @property
    def module(self) -> Module:
        return self.frame.module

    def resolve_type(self, te: ast.TypeExpr) -> Type:
        if isinstance(te, ast.NamedType):
            if te.name in ty.SCALARS:
                return ty.SCALARS[te.name]
            if te.name == "Hash":
                return ty.HASH
            if te.name == "Felt" or te.name.lower() in ("felt", "field"):
                return FELT
            return self.resolve_struct(te.name, te.span)
        if isinstance(te, ast.ArrayType):
            n = self.const_u32(te.length, "an array length")
            return Array(self.resolve_type(te.element), n)
        if isinstance(te, ast.ProofType):
            return ty.ProofT(self.const_u32(te.num_public_inputs, "the number of public inputs of a proof"))
        return Tuple(tuple(self.resolve_type(e) for e in te.elements))

    def _self_type_name(self) -> str | None:
        """The type an `impl` block being elaborated is for (what `Self` names)."""
        fn = self.frame.fn if self.frame is not None else None
        for name, methods in self.module.impls.items():
            if any(m is fn for m in methods.values()):
                return name
        return None

    def resolve_struct(self, name: str, span: Span) -> Struct:
        if name == "Self":
            owner = self._self_type_name()
            if owner is None:
                raise error("E0102", "`Self` is only defined inside an `impl` block", span, "not in an impl")
            name = owner
        found = self.lookup_item(self.module, (name,), span, ast.StructDecl)
        if found is None:
            known = ["Felt", "bool", "u8", "u16", "u32", "u64", "Hash"] + [
                n for n, it in self.module.items.items() if isinstance(it, ast.StructDecl)
            ]
            raise error("E0102", f"cannot find type `{name}`", span, "not found", _did_you_mean(name, known))
        mod, decl = found
        key = (mod.name, decl.name)
        if key in self._struct_busy:
            raise error("E0210", f"recursive struct `{decl.name}` has infinite size", decl.span,
                        "contains itself", ["a struct cannot contain itself, directly or through another struct"])
        seen: set[str] = set()
        for fname, fte in decl.fields:
            if fname in seen:
                raise error("E0103", f"field `{fname}` is declared more than once in `{decl.name}`", fte.span)
            seen.add(fname)
        self._struct_busy.add(key)
        storage = any(a.name == "contract" for a in decl.attributes)
        self._storage_types += storage
        try:
            with self.entered(mod):
                fields = tuple((fname, self.resolve_type(fte)) for fname, fte in decl.fields)
        finally:
            self._struct_busy.discard(key)
            self._storage_types -= storage
        st = Struct(decl.name, fields, mod.name)
        if storage:
            check_layout(st, decl.span)
        return st

    def lookup_item(
        self, module: Module, segs: tuple[str, ...], span: Span, kind: type | tuple[type, ...], depth: int = 0
    ):
        """(module, item) for a path naming an item of type ``kind``, or None."""
        if depth > 16:
            raise error("E0100", f"`{'::'.join(segs)}` is imported in a cycle", span)
        if len(segs) == 1:
            name = segs[0]
            item = module.items.get(name)
            if isinstance(item, kind):
                return module, item
            if name in module.imports:
                target = self.import_target(*module.imports[name])
                if target is None:
                    return None  # the name is a module
                return self.lookup_item(target, (module.imports[name][1],), span, kind, depth + 1)
            return None
        target = self.resolve_module_path(module, segs[:-1], span)
        return self.lookup_item(target, segs[-1:], span, kind, depth + 1)

    def import_target(self, mod_name: str, name: str, use_span: Span) -> Module | None:
        """The module that ``use mod_name::name`` imports an item from, or None when
        ``mod_name::name`` is itself a module. A name that exists nowhere is an E0100 at
        the ``use``."""
        key = (mod_name, name)
        if key in self._imports:
            return self._imports[key]
        if self.loader.try_module(f"{mod_name}::{name}") is not None:
            target = None
        elif mod_name == "std":
            raise error("E0101", f"unresolved import: no module `std::{name}`", use_span, "no such module")
        else:
            target = self.loader.module(mod_name, use_span)
            if not self.loader.defines(target, name):
                known = [*target.items, *target.imports, *target.submodules]
                raise error("E0100", f"unresolved import: no `{name}` in `{target.name}`", use_span,
                            f"no `{name}` in `{target.name}`", _did_you_mean(name, known))
        self._imports[key] = target
        return target

    def check_imports(self) -> None:
        """Every ``use`` of every loaded project module names something that exists."""
        for mod in list(self.loader.modules.values()):
            if not mod.name.startswith("std"):
                for imp in mod.imports.values():
                    self.import_target(*imp)

    def resolve_module_path(self, module: Module, segs: tuple[str, ...], span: Span) -> Module:
        head = segs[0]
        if head in ("std", "crate"):
            return self.loader.module("::".join(segs), span)
        if head == "self":
            return self.loader.module("::".join((module.name, *segs[1:])) if segs[1:] else module.name, span)
        if head == "super":
            parent = module.name.rsplit("::", 1)[0]
            return self.loader.module("::".join((parent, *segs[1:])), span)
        if head in module.submodules:
            return self.loader.module("::".join((module.submodules[head], *segs[1:])), span)
        if head in module.imports:
            mod_name, item_name, _ = module.imports[head]
            return self.loader.module("::".join((mod_name, item_name, *segs[1:])), span)
        raise error("E0101", f"unresolved module `{head}`", span, "not a module in scope",
                    ["write `std::…`, `crate::…`, declare it with `mod`, or import it with `use`"])

    def lookup_var(self, name: str) -> Binding | None:
        for scope in reversed(self.scopes):
            b = scope.get(name)
            if b is not None:
                return b
        return None

    def const_item(self, module: Module, decl: ast.ConstDecl) -> TV:
        key = (module.name, decl.name)
        if key in self._const_cache:
            return self._const_cache[key]
        if key in self._const_busy:
            raise error("E0300", f"the constant `{decl.name}` depends on itself", decl.span)
        self._const_busy.add(key)
        try:
            with self.entered(module, scopes=[{}], pred=None):
                t = self.resolve_type(decl.type)
                v = self.expr(decl.value, t)
                self.expect_type(t, v.type, decl.value.span)
                if not all(x.const is not None for x in ty.flatten(v.type, v.payload)):
                    raise error("E0300", f"the value of `{decl.name}` is not a compile-time constant",
                                decl.value.span)
        finally:
            self._const_busy.discard(key)
        self._const_cache[key] = v
        return v

    def const_u32(self, e: ast.Expr, what: str) -> int:
        v = self.expr(e, U32)
        if not isinstance(v.type, Scalar) or not (v.type.is_int or v.type == FELT):
            raise error("E0200", f"{what} must be an integer, found `{v.type}`", e.span)
        if v.payload.const is None:
            raise error("E0300", f"{what} must be a compile-time constant", e.span, "depends on the witness")
        n = v.payload.const
        if what == "an array length" and n > self.max_unroll and not self._storage_types:
            raise error("E0303", f"an array of {n} elements is larger than the bound {self.max_unroll}", e.span,
                        notes=["raise `max_unroll` in psy.toml [compile] or `--max-unroll`"])
        return n

    def expect_type(self, expected: Type | None, found: Type, span: Span, what: str = "") -> None:
        if expected is not None and expected is not found and expected != found:
            if isinstance(found, StorageT) or isinstance(expected, StorageT):
                raise _storage_value_error(found if isinstance(found, StorageT) else expected, span)
            notes = []
            if isinstance(expected, Scalar) and isinstance(found, Scalar):
                notes.append(f"convert with `as {expected}`" if expected != BOOL else "compare instead: `x != 0`")
            raise error("E0200", f"mismatched types{what}: expected `{expected}`, found `{found}`", span,
                        f"expected `{expected}`, found `{found}`", notes)
