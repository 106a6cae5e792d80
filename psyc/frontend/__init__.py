"""The .psy front end: parsing to a typed-later AST with source spans, and diagnostics."""
