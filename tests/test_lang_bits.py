"""Bitwise operators and shifts on each width; to_bits / from_bits."""

import random

import pytest
from lang_util import P, Prog, compile_error, run, run1

WIDTHS = [("u8", 8), ("u16", 16), ("u32", 32), ("u64", 64)]


def samples(bits: int, n: int = 5) -> list[int]:
    rng = random.Random(bits)
    top = P - 1 if bits == 64 else (1 << bits) - 1
    return [0, top, 1 << (bits - 1)] + [rng.randrange(top + 1) for _ in range(n)]


@pytest.mark.parametrize("t, bits", WIDTHS)
def test_and_or_xor(t, bits):
    prog = Prog(f"fn main(a: {t}, b: {t}) -> pub [{t}; 3] {{ [a & b, a | b, a ^ b] }}")
    xs = samples(bits)
    for a, b in zip(xs, xs[1:] + xs[:1], strict=True):
        if bits == 64 and ((a | b) >= P or (a ^ b) >= P):
            continue  # u64 results above p - 1 fail, see below
        assert prog.run(a, b) == [a & b, a | b, a ^ b], (a, b)


@pytest.mark.parametrize("t, bits", WIDTHS)
def test_shifts(t, bits):
    prog = Prog(f"fn main(a: {t}) -> pub [{t}; 4] {{ [a << 1, a >> 1, a << {bits - 1}, a >> {bits - 3}] }}")
    mask = (1 << bits) - 1
    for a in samples(bits):
        want = [(a << 1) & mask, a >> 1, (a << (bits - 1)) & mask, a >> (bits - 3)]
        if any(w >= P for w in want):
            continue
        assert prog.run(a) == want, a


def test_u64_results_above_p_fail():
    prog = Prog("fn main(a: u64, b: u64) -> pub u64 {\n    a | b\n}")
    assert prog.run(2**63, 2**32) == [2**63 + 2**32]
    prog.fails(P - 1, 1, code="E0500", line=2, contains="exceeds p - 1")
    assert run1("fn main(a: u64) -> pub u64 { a << 32 }", 2**32 - 1) == P - 1
    Prog("fn main(a: u64) -> pub u64 { a << 31 }").fails(2**33 - 1, contains="exceeds p - 1")


def test_shift_amount_must_be_a_constant_below_the_width():
    err = compile_error("fn main(a: u32) -> pub u32 {\n    a >> 32\n}", "E0301", "2:10")
    assert "shift by 32 overflows `u32`" in err.rendered
    compile_error("fn main(a: u32, k: u32) -> pub u32 { a << k }", "E0300", "1:43",
                  contains="a shift amount must be a compile-time constant")
    compile_error("fn main(a: Felt) -> pub Felt { a << 1 }", "E0201")
    compile_error("fn main(a: Felt) -> pub Felt { a & a }", "E0201")


@pytest.mark.parametrize("t, bits", WIDTHS)
def test_to_bits_from_bits_round_trip(t, bits):
    prog = Prog(f"""fn main(a: {t}) -> pub ([bool; {bits}], {t}, {t}) {{
    let b = a.to_bits();
    (b, {t}::from_bits(b), from_bits(b))
}}""")
    for a in samples(bits, 3):
        assert prog.run(a) == [(a >> i) & 1 for i in range(bits)] + [a, a]


def test_felt_bits_are_canonical():
    prog = Prog("fn main(a: Felt) -> pub ([bool; 64], Felt) { let b = a.to_bits(); (b, Felt::from_bits(b)) }")
    for a in [0, 1, P - 1, 2**63, 2**32]:
        assert prog.run(a) == [(a >> i) & 1 for i in range(64)] + [a]


def test_from_bits_rejects_values_above_p():
    prog = Prog("fn main(b: [bool; 64]) -> pub (u64, Felt) {\n    (u64::from_bits(b), Felt::from_bits(b))\n}")
    bits = [(P - 1 >> i) & 1 for i in range(64)]
    assert prog.run(bits) == [P - 1, P - 1]
    prog.fails([1] * 64, code="E0500", line=2, contains="exceeds p - 1")
    prog.fails([1] + [0] * 31 + [1] * 32, contains="exceeds p - 1")  # exactly p


def test_to_bits_with_fewer_bits_range_checks():
    prog = Prog("fn main(a: u32) -> pub [bool; 4] {\n    a.to_bits::<4>()\n}")
    assert prog.run(9) == [1, 0, 0, 1]
    prog.fails(16, code="E0504", line=2)


def test_to_bits_with_more_bits_pads_with_zeros():
    assert run("fn main(a: u8) -> pub [bool; 10] { a.to_bits::<10>() }", 255) == [1] * 8 + [0, 0]


def test_to_bits_length_from_the_annotation():
    assert run("fn main(a: u16) -> pub [bool; 3] { let b: [bool; 3] = a.to_bits(); b }", 5) == [1, 0, 1]


def test_from_bits_width_and_types():
    compile_error("fn main(b: [bool; 9]) -> pub u8 { u8::from_bits(b) }", "E0200", contains="9 bits do not fit in `u8`")
    compile_error("fn main(b: [u8; 3]) -> pub u8 { u8::from_bits(b) }", "E0200", contains="`[bool; N]`")
    assert run1("fn main(b: [bool; 3]) -> pub u8 { u8::from_bits(b) }", [1, 1, 0]) == 3
    assert run1("fn main(b: [bool; 3]) -> pub Felt { from_bits(b) }", [0, 0, 1]) == 4


def test_u32_from_bits_of_a_computed_array():
    src = """fn main(a: u32) -> pub u32 {
    let b = a.to_bits();
    let mut r: [bool; 32] = [false; 32];
    for i in 0..32 { r[i] = b[31 - i]; }
    u32::from_bits(r)
}"""
    a = 0x12345678
    assert run1(src, a) == int(f"{a:032b}"[::-1], 2)
