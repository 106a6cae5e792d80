"""The psyc language server (``psyc lsp``): the compiler's own diagnostics, types and
names, served to editors over the Language Server Protocol (needs the ``editor`` extra)."""
