"""The standard library (std::hash, std::merkle, std::int) against the Python reference,
and the stdlib's own #[test] functions."""

import random

import pytest
from lang_util import P, Prog, have_lower, run

from psyc.compiler import compile_test, discover_tests
from psyc.frontend.diagnostics import SourceMap
from psyc.frontend.modules import ModuleLoader, stdlib_dir
from psyc.hash.poseidon import hash_no_pad, hash_or_noop, permute, two_to_one
from psyc.ir import interpret
from psyc.ir.interpret import ExecutionError

RNG = random.Random(7)


def felts(n: int) -> list[int]:
    return [RNG.choice([0, 1, P - 1, RNG.randrange(P)]) for _ in range(n)]


@pytest.mark.parametrize("n", [1, 4, 8, 9, 17])
def test_poseidon_is_hash_no_pad(n):
    prog = Prog(f"use std::hash::{{poseidon, hash_or_noop}};\n"
                f"fn main(xs: [Felt; {n}]) -> pub (Hash, Hash) {{ (poseidon(xs), hash_or_noop(xs)) }}")
    xs = felts(n)
    assert prog.run(xs) == hash_no_pad(xs) + hash_or_noop(xs)


def test_poseidon_of_nothing():
    assert run("use std::hash::poseidon;\nfn main() -> pub Hash { let e: [Felt; 0] = []; poseidon(e) }") == [0] * 4


def test_hash_two_and_permute():
    prog = Prog("use std::hash::{hash_two, permute};\n"
                "fn main(a: Hash, b: Hash, s: [Felt; 12]) -> pub (Hash, [Felt; 12]) { (hash_two(a, b), permute(s)) }")
    a, b, s = felts(4), felts(4), felts(12)
    assert prog.run(a, b, s) == two_to_one(a, b) + permute(s)


def merkle_tree(leaves: list[list[int]]) -> list[list[list[int]]]:
    levels = [leaves]
    while len(levels[-1]) > 1:
        cur = levels[-1]
        levels.append([two_to_one(cur[i], cur[i + 1]) for i in range(0, len(cur), 2)])
    return levels


def test_merkle_root_from_path_and_verify():
    leaves = [felts(4) for _ in range(8)]
    levels = merkle_tree(leaves)
    root = levels[-1][0]
    prog = Prog("""use std::merkle::{root_from_path, verify};
fn main(pub root: Hash, leaf: Hash, index: u32, path: [Hash; 3]) -> pub Hash {
    verify(root, leaf, index, path);
    root_from_path(leaf, index, path)
}""")
    for index in (0, 5, 7):
        path = [levels[d][(index >> d) ^ 1] for d in range(3)]
        assert prog.run(root, leaves[index], index, path) == root
    path = [levels[d][(2 >> d) ^ 1] for d in range(3)]
    prog.fails(root, leaves[2], 3, path, code="E0500", contains="Merkle path does not lead to the root")
    prog.fails(root, leaves[2], 2 + 8, path, code="E0500", contains="index out of range")


def test_int_helpers():
    prog = Prog("""use std::int::{min_u8, max_u16, bit_u32, count_ones_u64, saturating_sub_u32, in_range_u64, felt_lt};
fn main(a: u8, b: u8, x: u32, y: u64, f: Felt, g: Felt) -> pub (u8, u16, bool, u32, u32, u32, bool, bool) {
    (min_u8(a, b), max_u16(a as u16, 300), bit_u32(x, 31), count_ones_u64(y),
     saturating_sub_u32(x, 10), saturating_sub_u32(5, x), in_range_u64(y, 10, 1000), felt_lt(f, g))
}""")
    assert prog.run(3, 9, 2**31 + 12, P - 1, 5, P - 1) == [3, 300, 1, 32, 2**31 + 2, 0, 0, 1]
    assert prog.run(200, 9, 7, 500, P - 1, 5) == [9, 300, 0, bin(500).count("1"), 0, 0, 1, 0]


def std_tests():
    loader = ModuleLoader(stdlib_dir(), SourceMap())
    mods = [loader.load_file(f"std::{p.stem}", p) for p in sorted(stdlib_dir().glob("*.psy"))]
    return loader, discover_tests(loader, mods)


_LOADER, _CASES = std_tests()


@pytest.mark.parametrize("case", _CASES, ids=[c.name for c in _CASES])
def test_stdlib_own_tests(case):
    try:
        prog = compile_test(_LOADER, case)
        run_ = interpret.run(prog, [])
    except ExecutionError as e:
        assert case.should_fail_with is not None and case.should_fail_with in e.message, e.message
        return
    assert case.should_fail_with is None, "expected a failure"
    if have_lower():
        from psyc.ir.lower import check, lower

        low = lower(prog, None, _LOADER.sources)
        assert check(low, low.build(), low.partial_witness(run_)) == []
