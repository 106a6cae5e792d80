"""Unsigned integers u8..u64: checked arithmetic, division, wrapping methods, casts."""

import pytest
from lang_util import P, Prog, compile_error, exec_error, run, run1

WIDTHS = [("u8", 8), ("u16", 16), ("u32", 32), ("u64", 64)]


def tmax(bits: int) -> int:
    return P - 1 if bits == 64 else (1 << bits) - 1


@pytest.mark.parametrize("t, bits", WIDTHS)
def test_checked_arithmetic_in_range(t, bits):
    prog = Prog(f"fn main(a: {t}, b: {t}) -> pub [{t}; 5] {{ [a + b, a - b, a * b, a / b, a % b] }}")
    m = tmax(bits)
    for a, b in [(7, 3), (m - 1, 1), (m, m), (m // 2, 2), (m, 1)]:
        if a + b > m or a * b > m:
            continue
        assert prog.run(a, b) == [a + b, a - b, a * b, a // b, a % b]


@pytest.mark.parametrize("t, bits", WIDTHS)
def test_overflow_and_underflow_fail_with_the_line(t, bits):
    m = tmax(bits)
    src = f"fn main(a: {t}, b: {t}) -> pub {t} {{\n    let s = a + b;\n    let d = a - b;\n    let p = a * b;\n    s + d + p\n}}"
    prog = Prog(src)
    prog.fails(m, 1, code="E0501", line=2, contains=("overflow", f"does not fit in {t}"))
    prog.fails(0, 1, code="E0501", line=3, contains="subtract with overflow")
    big = 1 << (bits // 2 + 1)
    prog.fails(big, big, code="E0501", line=4, contains="multiply with overflow")


def test_u64_lives_in_the_field():
    prog = Prog("fn main(a: u64, b: u64) -> pub u64 { a + b }")
    assert prog.run(P - 2, 1) == [P - 1]
    prog.fails(P - 1, 1, code="E0501", contains="u64 holds 0..=18446744069414584320")
    assert run1("fn main() -> pub u64 { 18446744069414584320 }") == P - 1
    compile_error("fn main() -> pub u64 {\n  18446744069414584321\n}", "E0207", "2:3")


@pytest.mark.parametrize("t, bits", WIDTHS[:3])
def test_integer_literal_out_of_range(t, bits):
    col = len(f"    let x: {t} = ") + 1
    err = compile_error(f"fn main() -> pub {t} {{\n    let x: {t} = {1 << bits};\n    x\n}}", "E0207", f"2:{col}")
    assert f"literal out of range for `{t}`" in err.rendered
    assert run1(f"fn main() -> pub {t} {{ {(1 << bits) - 1} }}") == (1 << bits) - 1


def test_unsigned_values_cannot_be_negated():
    compile_error("fn main(a: u32) -> pub u32 { -a }", "E0201", "1:30", contains="cannot negate")
    compile_error("fn main() -> pub u32 { let x: u32 = -1; x }", "E0201")


def test_constant_overflow_fails_at_compile_time_with_the_line():
    exec_error("fn main() -> pub u8 {\n    let x: u8 = 255;\n    x + 1\n}", code="E0501", line=3)


def test_division_and_remainder_by_zero():
    prog = Prog("fn main(a: u32, b: u32) -> pub (u32, u32) {\n    (a / b, a % b)\n}")
    assert prog.run(17, 5) == [3, 2]
    prog.fails(17, 0, code="E0502", line=2)


@pytest.mark.parametrize("t, bits", WIDTHS[:3])
def test_wrapping_methods(t, bits):
    prog = Prog(f"fn main(a: {t}, b: {t}) -> pub [{t}; 3] {{ [a.wrapping_add(b), a.wrapping_sub(b), a.wrapping_mul(b)] }}")
    mod = 1 << bits
    for a, b in [(mod - 1, 1), (0, 1), (mod - 1, mod - 1), (3, 4)]:
        assert prog.run(a, b) == [(a + b) % mod, (a - b) % mod, (a * b) % mod]


def test_wrapping_is_not_available_on_u64():
    compile_error("fn main(a: u64) -> pub u64 { a.wrapping_add(1) }", "E0201", contains="not available on `u64`")


def test_widening_casts():
    src = "fn main(a: u8, b: u16, c: u32, d: bool) -> pub [u64; 4] { [a as u64, b as u64, c as u64, d as u64] }"
    assert run(src, 255, 65535, 2**32 - 1, True) == [255, 65535, 2**32 - 1, 1]
    assert run1("fn main(a: u8) -> pub u32 { a as u16 as u32 * 1000 }", 200) == 200_000


@pytest.mark.parametrize("src_t, dst_t, bits", [("u16", "u8", 8), ("u32", "u16", 16), ("u64", "u32", 32),
                                                ("Felt", "u32", 32), ("Felt", "u8", 8)])
def test_narrowing_casts_range_check(src_t, dst_t, bits):
    prog = Prog(f"fn main(a: {src_t}) -> pub {dst_t} {{\n    a as {dst_t}\n}}")
    assert prog.run((1 << bits) - 1) == [(1 << bits) - 1]
    assert prog.run(0) == [0]
    prog.fails(1 << bits, code="E0504", line=2, contains=f"does not fit in `{dst_t}`")


def test_felt_as_u64_and_back():
    prog = Prog("fn main(a: Felt) -> pub (u64, Felt) { let x = a as u64; (x, x as Felt) }")
    for a in [0, 1, 2**32, P - 1]:
        assert prog.run(a) == [a, a]


def test_integers_into_felt_and_bool_casts():
    assert run1("fn main(a: u32, b: bool) -> pub Felt { a as Felt * 2 + b as Felt }", 2**32 - 1, True) == 2**33 - 1
    compile_error("fn main(a: u32) -> pub bool { a as bool }", "E0203", contains="cannot cast `u32` as `bool`")
    compile_error("fn main(a: [u32; 2]) -> pub Felt { a as Felt }", "E0203")


def test_inputs_are_range_checked():
    prog = Prog("fn main(a: u8) -> pub u8 { a }")
    e = prog.fails(256, code="E0504")
    assert "not a u8" in e.message


def test_integer_types_do_not_mix():
    err = compile_error("fn main(a: u32, b: u8) -> pub u32 {\n    a * b\n}", "E0200", "2:9")
    assert "`u32` * `u8`" in err.rendered
    compile_error("fn main(a: u32) -> pub u8 { a }", "E0200", contains=("expected `u8`", "found `u32`"))


def test_compound_assignments_on_integers():
    src = """fn main(a: u32) -> pub u32 {
    let mut x = a;
    x *= 3; x -= 1; x += 4; x /= 2; x %= 7;
    x <<= 3; x >>= 1; x &= 0xfe; x |= 1; x ^= 0x10;
    x
}"""
    x = 10
    x = ((((x * 3 - 1 + 4) // 2) % 7) << 3 >> 1 & 0xFE | 1) ^ 0x10
    assert run1(src, 10) == x
    exec_error("fn main(a: u32) -> pub u32 {\n    let mut x = a;\n    x -= 5;\n    x\n}", 3, code="E0501", line=3)
