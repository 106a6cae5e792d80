"""The transition statement (psyc.parth.transition) and its in-circuit twin agree."""

import pytest

from psyc.compiler import CompileOptions, compile_path
from psyc.hash.poseidon import hash_no_pad
from psyc.parth.transition import TRANSITION_LEN, Transition, stats_hash


def sample() -> Transition:
    return Transition((1, 2, 3, 4), 3, 5, (6, 7, 8, 9), (10, 11, 12, 13), 14, 15, 16, (17, 18, 19, 20))


def test_felts_round_trip_in_order():
    t = sample()
    f = t.felts()
    assert len(f) == TRANSITION_LEN == 21
    assert f[:4] == (1, 2, 3, 4) and f[4:6] == (3, 5) and f[14:17] == (14, 15, 16) and f[17:] == (17, 18, 19, 20)
    assert Transition.from_felts(f) == t
    assert t.stats_hash() == stats_hash(14, 15, 16) == tuple(hash_no_pad([14, 15, 16]))


@pytest.mark.parametrize("bad", [
    lambda: Transition.from_felts([0] * 20),
    lambda: Transition((1, 2, 3), 0, 0, (0,) * 4, (0,) * 4),
    lambda: Transition((0,) * 4, 2, 4, (0,) * 4, (0,) * 4),  # level 2 has indices 0..3
    lambda: Transition((0,) * 4, 0, 0, (0,) * 4, (0,) * 4, tx_count=-1),
])
def test_malformed_transitions_are_refused(bad):
    with pytest.raises(ValueError):
        bad()


def test_the_language_struct_flattens_like_python(tmp_path):
    """A program returning `Transition::from_felts(x).felts()` as its public output
    publishes exactly Transition.felts() (the struct's field order is the statement's)."""
    (tmp_path / "main.psy").write_text(
        "use std::parth::transition::Transition;\n"
        "fn main(x: [Felt; 21]) -> pub Transition {\n"
        "    let t = Transition::from_felts(x);\n"
        "    assert_eq(Transition::from_felts(t.felts()), t);\n"
        "    t\n"
        "}\n")
    prog = compile_path(tmp_path / "main.psy", CompileOptions())
    t = sample()
    run = prog.execute({"x": list(t.felts())})
    assert Transition.from_felts(run.outputs) == t
