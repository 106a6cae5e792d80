"""Names a package exports but imports only when first used (PEP 562 module
``__getattr__``), so that importing the package stays cheap."""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable
from typing import Any


def lazy_exports(package: str, namespace: dict[str, Any], exports: dict[str, str]) -> tuple[
    Callable[[str], Any], Callable[[], list[str]]
]:
    """``(__getattr__, __dir__)`` for ``package`` whose globals are ``namespace``:
    ``exports`` maps each name to the module defining it."""

    def __getattr__(name: str) -> Any:  # noqa: N807 (the module hook's name)
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value  # later lookups skip this function
        return value

    def __dir__() -> list[str]:  # noqa: N807
        return sorted({*namespace, *exports})

    # An export named like its own submodule (psyc.poly's `ntt` in psyc.poly.ntt): importing
    # the submodule makes Python set the package attribute to the module, which would then
    # shadow the function for `from psyc.poly import ntt`. Keep the export instead.
    shadowed = {name for name, mod in exports.items() if mod == f"{package}.{name}"}
    if shadowed:
        pkg = sys.modules[package]

        class _Package(types.ModuleType):
            def __setattr__(self, name: str, value: Any) -> None:
                if name in shadowed and isinstance(value, types.ModuleType) and hasattr(value, name):
                    value = getattr(value, name)
                super().__setattr__(name, value)

        pkg.__class__ = _Package
    return __getattr__, __dir__


class LazyModule:
    """Stands in for a module that is imported on first attribute access: modules whose
    array functions run numba kernels hold their kernel modules this way, so importing
    them (for their light parts) does not import numba."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        # the module once imported, kept (import_module takes the import lock on every
        # call: ~2 µs, paid per attribute by a verifier's ~90 hash calls); attributes are
        # still looked up on it each time, so a patched one is seen
        module = self.__dict__.get("_module")
        if module is None:
            module = self.__dict__["_module"] = importlib.import_module(self._name)
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"
