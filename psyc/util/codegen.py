"""Loading generated Python modules so that numba's on-disk cache works for them.

numba caches a function next to its source file, so generated code is written to a
real file (named by the hash of its source, hence never stale) under the psyc cache
directory and imported from there.
"""

from __future__ import annotations

import contextlib
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


def _write_atomic(path: Path, data: str | bytes) -> None:
    # atomic replace: concurrent processes (pytest-xdist) may race here; a failed write
    # (full disk) leaves no temporary file behind
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb" if isinstance(data, bytes) else "w") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# The last line of a cached source file: the SHA-256 of the text above it. A file whose
# text does not hash to it (truncated by a crash before its data reached the disk, emptied
# by a full disk, edited, or written by a psyc before this line existed) is made again:
# a damaged evaluator once made a verifier call a valid proof invalid.
_DIGEST_LINE = "\n# psyc-source-sha256 "


def _digest_line(text: str) -> str:
    return f"{_DIGEST_LINE}{hashlib.sha256(text.encode()).hexdigest()}\n"


def cached_source(name: str, key: str, make: Callable[[], str]) -> str:
    """``make()``, remembered on disk under ``key``: generating a gate's evaluators runs
    sympy's CSE (over a second for Poseidon), which every new process would repeat.
    ``key`` must change whenever the generated text would (definition, generator, template).
    A stored text is used only when it hashes to its file's last line; storing is best
    effort (a folder that cannot be written caches nothing)."""
    folder = cache_dir() / "generated"
    path = folder / f"source_{name}_{hashlib.sha256(key.encode()).hexdigest()[:16]}.py"
    try:
        stored = path.read_text()
    except (OSError, UnicodeDecodeError):
        stored = None
    if stored is not None:
        cut = stored.rfind(_DIGEST_LINE)
        if cut >= 0 and stored[cut:] == _digest_line(stored[:cut]):
            return stored[:cut]
    text = make()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(path, text + _digest_line(text))
    except OSError:
        pass
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
    try:
        current = path.read_text()
    except (OSError, UnicodeDecodeError):  # missing, or damaged past decoding
        current = None
    if current != source:
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
    try:  # the SHA-256 of the marshalled code, then the code (as cached_source's files)
        blob = path.read_bytes()
        if hashlib.sha256(blob[32:]).digest() == blob[:32]:
            return marshal.loads(blob[32:])
    except (OSError, ValueError, EOFError, TypeError):
        pass
    code = compile(source, filename, "exec")  # not compiled yet, or a damaged file
    data = marshal.dumps(code)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(path, hashlib.sha256(data).digest() + data)
    except OSError:
        pass  # best effort: compiled again next time
    return code
