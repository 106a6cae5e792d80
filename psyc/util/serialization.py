"""The error of every psyc file format: a truncated, malformed or non-canonical file.

The little-endian readers and writers of field elements that raise it are
:mod:`psyc.field.serialization` (the field sits above this package).
"""

from __future__ import annotations


class FormatError(ValueError):
    """A serialized object is truncated, malformed or non-canonical."""
