"""Small inner-circuit configurations shared by the recursion tests (fast to prove; not
secure: a few FRI queries)."""

from psyc.fri.config import FriConfig
from psyc.plonk.config import CircuitConfig


def small_config(queries: int = 4, pow_bits: int = 2) -> CircuitConfig:
    """Arity-2 folding over three layers (degree 2^3), a final polynomial of one coefficient."""
    return CircuitConfig(
        fri_config=FriConfig(
            rate_bits=3,
            cap_height=1,
            num_query_rounds=queries,
            proof_of_work_bits=pow_bits,
            reduction_arity_bits=1,
            final_poly_bits=0,
        )
    )


# two folding layers of arity 4, a one-digest cap; zero knowledge (salted leaves, blinding
# rows) and lookups
ZK_LOOKUP = CircuitConfig(
    fri_config=FriConfig(
        rate_bits=3,
        cap_height=0,
        num_query_rounds=3,
        proof_of_work_bits=1,
        reduction_arity_bits=2,
        final_poly_bits=1,
    ),
    zero_knowledge=True,
    range_table_bits=4,
)


def inner_circuit(config: CircuitConfig, c: int = 5):
    """(data, proof): a few arithmetic ops and one Poseidon permutation, two public inputs;
    ``c`` changes one constant (another circuit of the same shape)."""
    from psyc.plonk.builder import CircuitBuilder
    from psyc.plonk.witness import PartialWitness

    b = CircuitBuilder(config)
    x, y = b.add_virtual_targets(2)
    z = b.mul_add(x, y, b.constant(c))
    w = b.sub(b.mul(z, z), x)
    h = b.hash_no_pad([x, y, z, w])
    b.register_public_inputs([z, h[0]])
    data = b.build()
    pw = PartialWitness()
    pw.set_targets([x, y], [3, 4])
    proof = data.prove(pw)
    data.verify(proof)
    return data, proof
