"""Loading generated Python modules so that numba's on-disk cache works for them.

numba caches a function next to its source file, so generated code is written to a
real file (named by the hash of its source, hence never stale) under the psyc cache
directory and imported from there.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import CodeType, ModuleType
from typing import TYPE_CHECKING

from psyc.util.cachedir import cache_dir

if TYPE_CHECKING:
    from jinja2 import Environment


def template_environment(package: str) -> Environment:
    """The jinja2 environment every code generator uses, over ``package``'s ``templates/``
    (strict: an undefined name in a template is an error, never an empty string)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined  # only generators need it

    return Environment(
        loader=PackageLoader(package, "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _env(package: str) -> Environment:
    # built on first use: loading cached generated code needs no jinja2
    return template_environment(package)


def render(package: str, template: str, **context: object) -> str:
    """Render ``template`` of ``package``'s ``templates/`` (the package that owns the
    generated code names itself: this module knows no other psyc package)."""
    return _env(package).get_template(template).render(**context)


def _write_atomic(path: Path, text: str) -> None:
    # atomic replace: concurrent processes (pytest-xdist) may race here
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)


def cached_source(name: str, key: str, make: Callable[[], str]) -> str:
    """``make()``, remembered on disk under ``key``: generating a gate's evaluators runs
    sympy's CSE (over a second for Poseidon), which every new process would repeat.
    ``key`` must change whenever the generated text would (definition, generator, template)."""
    folder = cache_dir() / "generated"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"source_{name}_{hashlib.sha256(key.encode()).hexdigest()[:16]}.py"
    if path.exists():
        return path.read_text()
    text = make()
    _write_atomic(path, text)
    return text


def load_generated_module(name: str, source: str, salt: bytes = b"") -> ModuleType:
    """Import generated ``source`` from a file named by its hash and ``salt``: numba
    kernels that inline other modules' kernels pass those modules' source as the salt
    (numba's cache does not notice when an inlined dependency changes)."""
    digest = hashlib.sha256(source.encode() + salt).hexdigest()[:16]
    mod_name = f"psyc_generated_{name}_{digest}"
    if mod_name in sys.modules:
        return sys.modules[mod_name]
    folder = cache_dir() / "generated"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{mod_name}.py"
    if not path.exists() or path.read_text() != source:
        _write_atomic(path, source)
    spec = importlib.util.spec_from_file_location(mod_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    exec(compile_cached(source, str(path)), module.__dict__)  # generated code
    return module


def load_function(source: str, label: str, name: str, namespace: dict) -> Callable:
    """The function ``name`` that generated ``source`` defines, run in ``namespace`` (the
    names it uses); compiled once (:func:`compile_cached`)."""
    exec(compile_cached(source, label), namespace)  # generated code
    return namespace[name]


def compile_cached(source: str, filename: str) -> CodeType:
    """``compile(source, filename, "exec")``, remembered in the psyc cache by the source's
    hash and the interpreter's bytecode tag. Generated code is psyc's own cache, so it is
    compiled once even where Python writes no bytecode (``PYTHONDONTWRITEBYTECODE``, a
    read-only install): the Poseidon gate's 360 KB module takes ~0.6 s to compile, most of
    what loading a key's evaluators for ``psyc verify`` would cost."""
    digest = hashlib.sha256(source.encode() + filename.encode()).hexdigest()[:16]
    folder = cache_dir() / "generated" / "code"
    path = folder / f"{digest}.{sys.implementation.cache_tag}.marshal"
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        pass  # not compiled yet (or a torn file): compile it
    code = compile(source, filename, "exec")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(marshal.dumps(code))
    os.replace(tmp, path)
    return code
