"""secp256k1 in plain Python: the group law, scalar multiplication and point encodings.

The native twin of ``stdlib/secp256k1.psy``; ``psyc.sig.ecdsa`` builds ECDSA on it. Speed
is not the point here (a signature is one scalar multiplication, milliseconds); clarity is.
Points are affine ``(x, y)`` tuples, ``None`` is the point at infinity.
"""

from __future__ import annotations

import hashlib

# GLV: defined once, beside the circuit's hint that splits scalars (re-exported here)
from psyc.frontend.bigint_hints import GLV_BETA as BETA
from psyc.frontend.bigint_hints import glv_split as glv_split

P = 2**256 - 2**32 - 977
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
B = 7
G = (
    0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
    0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8,
)

Point = tuple[int, int] | None


def is_on_curve(pt: Point) -> bool:
    """``pt`` is the point at infinity or satisfies y^2 = x^3 + 7 with canonical coordinates."""
    if pt is None:
        return True
    x, y = pt
    return 0 <= x < P and 0 <= y < P and (y * y - x * x * x - B) % P == 0


def neg(pt: Point) -> Point:
    return None if pt is None else (pt[0], -pt[1] % P)


def add(p1: Point, p2: Point) -> Point:
    """The complete group law."""
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2:
        if (y1 + y2) % P == 0:
            return None
        lam = 3 * x1 * x1 * pow(2 * y1, -1, P) % P
    else:
        lam = (y2 - y1) * pow(x2 - x1, -1, P) % P
    x3 = (lam * lam - x1 - x2) % P
    return x3, (lam * (x1 - x3) - y1) % P


def mul(k: int, pt: Point) -> Point:
    """``k * pt`` (double-and-add; ``k`` taken mod n)."""
    k %= N
    acc: Point = None
    while k:
        if k & 1:
            acc = add(acc, pt)
        pt = add(pt, pt)
        k >>= 1
    return acc


def phi(pt: Point) -> Point:
    """The endomorphism ``(x, y) -> (BETA·x, y)``: ``GLV_LAMBDA * pt`` (GLV; the circuit's
    double-base multiplication splits each scalar with :func:`glv_split`)."""
    return None if pt is None else (BETA * pt[0] % P, pt[1])


def lift_x(x: int, odd: bool = False) -> Point:
    """The point with this x and y of the given parity, or None if x is not on the curve."""
    if not 0 <= x < P:
        return None
    y = pow((x * x * x + B) % P, (P + 1) // 4, P)
    if (y * y - x * x * x - B) % P:
        return None
    return x, (P - y if (y & 1) != odd else y)


def encode(pt: Point, compressed: bool = True) -> bytes:
    """SEC 1 encoding: 33 bytes (02/03 || x) or 65 bytes (04 || x || y)."""
    if pt is None:
        raise ValueError("the point at infinity has no SEC 1 encoding here")
    x, y = pt
    if compressed:
        return bytes([2 + (y & 1)]) + x.to_bytes(32, "big")
    return b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")


def decode(data: bytes) -> tuple[int, int]:
    """A SEC 1 encoded point (compressed or not); ValueError if malformed or not on the curve."""
    if len(data) == 33 and data[0] in (2, 3):
        pt = lift_x(int.from_bytes(data[1:], "big"), data[0] == 3)
        if pt is None:
            raise ValueError("the x coordinate is not on secp256k1")
        return pt
    if len(data) == 65 and data[0] == 4:
        pt = (int.from_bytes(data[1:33], "big"), int.from_bytes(data[33:], "big"))
        if not is_on_curve(pt):
            raise ValueError("the point is not on secp256k1")
        return pt
    raise ValueError(f"a secp256k1 public key is 33 bytes (02/03 + x) or 65 bytes (04 + x + y), got {len(data)} "
                     "bytes" + (f" starting with {data[0]:#04x}" if data else ""))


def hash_to_point(tag: bytes) -> tuple[int, int]:
    """A point nobody knows the discrete logarithm of: the first x = SHA-256(tag || i)
    on the curve, with even y (try-and-increment). Used for the circuit's offset points."""
    i = 0
    while True:
        x = int.from_bytes(hashlib.sha256(tag + i.to_bytes(4, "big")).digest(), "big")
        pt = lift_x(x)
        if pt is not None:
            return pt
        i += 1


# The offset points of the in-circuit scalar multiplication (stdlib/secp256k1.psy): the
# accumulator starts at OFFSET_START and every step adds OFFSET_STEP, so an incomplete
# addition never meets its exceptional cases unless someone knows a discrete logarithm.
# The circuit takes GLV_STEPS steps (one per bit of the 128-bit GLV halves).
GLV_STEPS = 128
OFFSET_START = hash_to_point(b"psyc-secp256k1-offset-start")
OFFSET_STEP = hash_to_point(b"psyc-secp256k1-offset-step")


def offset_correction(bits: int = GLV_STEPS) -> Point:
    """The point the circuit adds after ``bits`` double-and-add steps:
    ``-(2^bits * OFFSET_START + (2^bits - 1) * OFFSET_STEP)``."""
    return neg(add(mul(pow(2, bits, N), OFFSET_START), mul((pow(2, bits, N) - 1) % N, OFFSET_STEP)))
