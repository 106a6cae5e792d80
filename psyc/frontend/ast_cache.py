"""Parsed modules remembered on disk, so that a quick command does not load the parser.

Loading lark, its LALR tables and building its contextual lexer's regular expressions cost
a small ``psyc check`` about 0.2 s of CPU before it parses a line, every run (issue 11),
while the standard library and most of a project's files have not changed since the last
run. A file's AST is kept under ``$PSYC_CACHE_DIR/ast/``, one entry per shown path,
holding the SHA-256 of the text it was parsed from; an entry is used only for exactly that
text and this psyc's parser (the grammar, the parser and AST modules, lark's version are
part of the entry's name), so it is never stale. A file that does not parse is never
cached: its diagnostics come from the parser every time. Like the generated kernels next
to it, the cache holds code-bearing data (pickles) that only psyc writes, in the user's
own cache folder.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from psyc.frontend import ast
from psyc.util.cachedir import cache_dir
from psyc.util.diagnostics import SourceMap


@cache
def _salt() -> bytes:
    """What decides the AST of a text: the grammar, the code that builds the AST, lark."""
    here = Path(__file__).parent
    h = hashlib.sha256()
    for name in ("grammar.lark", "parser.py", "ast.py"):
        h.update((here / name).read_bytes())
    spec = find_spec("lark")
    if spec is not None and spec.origin:
        h.update(Path(spec.origin).read_bytes())  # lark/__init__.py: holds its __version__
    h.update(Path(__file__).parent.parent.joinpath("util", "diagnostics.py").read_bytes())  # Span
    return h.digest()


def parse(text: str, path: str = "<input>", sources: SourceMap | None = None) -> ast.Module:
    """:func:`psyc.frontend.parser.parse`, from the cache when this text was parsed before."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    entry = cache_dir() / "ast" / f"{hashlib.sha256(_salt() + path.encode()).hexdigest()[:24]}.pickle"
    try:
        stored, module = pickle.loads(entry.read_bytes())
        if stored == digest and isinstance(module, ast.Module):
            if sources is not None:
                sources.add(path, text)
            return module
    except (OSError, EOFError, ValueError, TypeError, AttributeError, ImportError, IndexError,
            pickle.UnpicklingError, RecursionError):  # fmt: skip
        pass  # none yet, or a torn or foreign file: parse
    from psyc.frontend import parser  # lark: only when parsing

    module = parser.parse(text, path, sources)
    try:
        data = pickle.dumps((digest, module), protocol=pickle.HIGHEST_PROTOCOL)
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, entry)  # atomic: concurrent runs may race here
    except (OSError, RecursionError, pickle.PicklingError):
        pass  # a read-only cache or a very deep AST: parse again next time
    return module
