"""Soundness tooling: find under-constrained witness values (``psyc audit``) and fuzz
``#[fuzz]`` functions (``psyc fuzz``). See docs/auditing.md for what each check can and
cannot prove."""

from psyc.audit.findings import Finding

__all__ = ["Finding"]
