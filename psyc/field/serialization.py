"""Little-endian binary reading and writing of field elements, with located, explicit errors.

Every read is bounds-checked and every field element must be canonical: a truncated or
malformed buffer raises :class:`~psyc.util.serialization.FormatError` naming what was
being read and at which byte offset.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

from psyc.field.extension import Ext2
from psyc.field.goldilocks import P
from psyc.util.serialization import FormatError

__all__ = ["ByteReader", "ByteWriter", "FormatError"]


class ByteWriter:
    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def u8(self, v: int) -> None:
        self._parts.append(struct.pack("<B", v))

    def u32(self, v: int) -> None:
        self._parts.append(struct.pack("<I", v))

    def u64(self, v: int) -> None:
        self._parts.append(struct.pack("<Q", v))

    def raw(self, b: bytes) -> None:
        self._parts.append(b)

    def felts(self, xs: Iterable[int]) -> None:
        xs = list(xs)
        self.u32(len(xs))
        self._parts.append(struct.pack(f"<{len(xs)}Q", *xs))

    def exts(self, xs: Iterable[Ext2]) -> None:
        self.felts([c for x in xs for c in (x.a0, x.a1)])

    def getvalue(self) -> bytes:
        return b"".join(self._parts)


class ByteReader:
    def __init__(self, data: bytes, what: str = "data") -> None:
        self.data = memoryview(data)
        self.pos = 0
        self.what = what

    def _take(self, n: int, ctx: str) -> memoryview:
        if self.pos + n > len(self.data):
            raise FormatError(
                f"{self.what} is truncated: reading {ctx} needs {n} bytes at offset {self.pos}, "
                f"only {len(self.data) - self.pos} left"
            )
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def u8(self, ctx: str) -> int:
        return self._take(1, ctx)[0]

    def u32(self, ctx: str) -> int:
        return struct.unpack("<I", self._take(4, ctx))[0]

    def u64(self, ctx: str) -> int:
        return struct.unpack("<Q", self._take(8, ctx))[0]

    def raw(self, n: int, ctx: str) -> bytes:
        return bytes(self._take(n, ctx))

    def felts(self, ctx: str, expected: int | None = None, limit: int = 1 << 24) -> list[int]:
        start = self.pos
        n = self.u32(f"length of {ctx}")
        if expected is not None and n != expected:
            raise FormatError(f"{self.what}: {ctx} has {n} elements at offset {start}, expected {expected}")
        if n > limit:
            raise FormatError(f"{self.what}: {ctx} claims {n} elements at offset {start}, over the limit")
        xs = list(struct.unpack(f"<{n}Q", self._take(8 * n, ctx)))
        for i, x in enumerate(xs):
            if x >= P:
                raise FormatError(
                    f"{self.what}: {ctx}[{i}] = {x} at offset {start + 4 + 8 * i} is not a canonical field element"
                )
        return xs

    def exts(self, ctx: str, expected: int | None = None) -> list[Ext2]:
        xs = self.felts(ctx, None if expected is None else 2 * expected)
        if len(xs) % 2:
            raise FormatError(f"{self.what}: {ctx} has an odd number of base elements")
        return [Ext2(xs[i], xs[i + 1]) for i in range(0, len(xs), 2)]

    def header(self, magic: bytes, version: int, what: str) -> None:
        """Read a file's magic and format version; FormatError unless they are ``magic`` and
        ``version`` (``what``: the kind of file, for the message)."""
        got = self.raw(len(magic), "magic header")
        if got != magic:
            raise FormatError(f"not a psyc {what} file (magic {got!r}, expected {magic!r})")
        found = self.u32("format version")
        if found != version:
            raise FormatError(f"{what} format version {found} is not supported (this psyc reads version {version})")

    def finish(self) -> None:
        if self.pos != len(self.data):
            raise FormatError(
                f"{self.what}: {len(self.data) - self.pos} unexpected trailing bytes at offset {self.pos}"
            )
