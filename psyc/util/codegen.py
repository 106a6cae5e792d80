"""Loading generated Python modules so that numba's on-disk cache works for them.

numba caches a function next to its source file, so generated code is written to a
real file (named by the hash of its source, hence never stale) under the psyc cache
directory and imported from there.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType

from jinja2 import Environment, PackageLoader, StrictUndefined

_ENV = Environment(
    loader=PackageLoader("psyc.backend_cpu", "templates"),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def cache_dir() -> Path:
    """``$PSYC_CACHE_DIR``, else ``$XDG_CACHE_HOME/psyc``, else ``~/.cache/psyc``."""
    env = os.environ.get("PSYC_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "psyc"


def render(template: str, **context) -> str:
    return _ENV.get_template(template).render(**context)


def _kernel_salt() -> bytes:
    """The source of the shared field kernels: generated modules inline them, and numba's
    cache does not notice when an inlined dependency changes, so it is part of the name."""
    from psyc.backend_cpu import field_kernels

    return Path(field_kernels.__file__).read_bytes()


def load_generated_module(name: str, source: str) -> ModuleType:
    digest = hashlib.sha256(source.encode() + _kernel_salt()).hexdigest()[:16]
    mod_name = f"psyc_generated_{name}_{digest}"
    if mod_name in sys.modules:
        return sys.modules[mod_name]
    folder = cache_dir() / "generated"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{mod_name}.py"
    if not path.exists() or path.read_text() != source:
        # atomic replace: concurrent processes (pytest-xdist) may race here
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            fh.write(source)
        os.replace(tmp, path)
    spec = importlib.util.spec_from_file_location(mod_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    spec.loader.exec_module(module)
    return module
