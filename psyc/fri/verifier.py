"""FRI verifier: replays the transcript of :mod:`psyc.fri.prover` and checks every query."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain
from operator import itemgetter, mul
from typing import Any, NoReturn

from psyc.field.extension import Ext2, W, batch_inverse
from psyc.field.goldilocks import P, primitive_root_of_unity
from psyc.fri.config import SALT_SIZE, FriParams
from psyc.fri.proof import FriProof, FriQueryRound
from psyc.fri.structure import FriInstanceInfo, FriOpenings
from psyc.hash.merkle import MerkleCap, verify_merkle_proof_groups
from psyc.iop.challenger import Challenger
from psyc.poly.evaluation import PACK, PACK_MASK, barycentric_eval_on_cosets
from psyc.poly.ntt import COSET_SHIFT, reverse_index_bits


class FriVerificationError(Exception):
    """The proof is invalid; the message says which check failed."""


def _require(ok: bool, msg: str) -> None:
    if not ok:
        raise FriVerificationError(msg)


def _fail(msg: str) -> NoReturn:
    raise FriVerificationError(msg)


def _check_shape(
    instance: FriInstanceInfo,
    openings: FriOpenings,
    caps: list[MerkleCap],
    proof: FriProof,
    params: FriParams,
) -> None:
    cfg = params.config
    _require(len(caps) == len(instance.oracles), "number of oracle caps differs from the instance")
    for i, cap in enumerate([*caps, *proof.commit_phase_caps]):
        _require(
            len(cap) == 1 << cfg.cap_height, f"cap {i} has {len(cap)} digests, expected {1 << cfg.cap_height}"
        )
        _require(all(len(d) == 4 for d in cap), f"cap {i} holds a digest that is not 4 elements")
    _require(len(openings.batches) == len(instance.batches), "openings do not match the instance's batches")
    for b, (vals, batch) in enumerate(zip(openings.batches, instance.batches, strict=True)):
        _require(
            len(vals) == len(batch.polynomials),
            f"batch {b} has {len(vals)} openings, expected {len(batch.polynomials)}",
        )
    _require(
        len(proof.commit_phase_caps) == len(params.reduction_arity_bits),
        f"proof has {len(proof.commit_phase_caps)} folding layers, expected {len(params.reduction_arity_bits)}",
    )
    _require(
        len(proof.final_poly) == params.final_poly_len,
        f"final polynomial has {len(proof.final_poly)} coefficients, expected {params.final_poly_len}",
    )
    _require(
        len(proof.query_round_proofs) == cfg.num_query_rounds,
        f"proof has {len(proof.query_round_proofs)} query rounds, expected {cfg.num_query_rounds}",
    )
    # every query's shape at once against the expected one (no message formatted); only
    # when one differs, query by query for the first difference's message
    widths = tuple(info.num_polys + (SALT_SIZE if info.blinding else 0) for info in instance.oracles)
    heights = [params.lde_bits - sum(params.reduction_arity_bits[: s + 1]) for s in range(len(params.reduction_arity_bits))]
    expected = (
        widths,
        (params.lde_bits - cfg.cap_height,) * len(widths),
        tuple(1 << ab for ab in params.reduction_arity_bits),
        tuple(h - cfg.cap_height for h in heights),
    )
    shapes_fine = all(
        (
            tuple(len(leaf) for leaf, _ in rnd.initial_trees_proof.evals_proofs),
            tuple(len(mp.siblings) for _, mp in rnd.initial_trees_proof.evals_proofs),
            tuple(len(st.evals) for st in rnd.steps),
            tuple(len(st.merkle_proof.siblings) for st in rnd.steps),
        )
        == expected
        for rnd in proof.query_round_proofs
    )
    for q, rnd in enumerate(proof.query_round_proofs):
        if shapes_fine:
            break
        _require(
            len(rnd.initial_trees_proof.evals_proofs) == len(instance.oracles),
            f"query {q} opens {len(rnd.initial_trees_proof.evals_proofs)} oracles, expected {len(instance.oracles)}",
        )
        for o, ((leaf, mp), info) in enumerate(
            zip(rnd.initial_trees_proof.evals_proofs, instance.oracles, strict=True)
        ):
            width = info.num_polys + (SALT_SIZE if info.blinding else 0)
            _require(
                len(leaf) == width, f"query {q}: oracle {o} leaf has {len(leaf)} values, expected {width}"
            )
            _require(
                len(mp.siblings) == params.lde_bits - cfg.cap_height,
                f"query {q}: oracle {o} Merkle path has the wrong length",
            )
        _require(
            len(rnd.steps) == len(params.reduction_arity_bits),
            f"query {q} has the wrong number of folding steps",
        )
        height = params.lde_bits
        for s, (step, ab) in enumerate(zip(rnd.steps, params.reduction_arity_bits, strict=True)):
            height -= ab
            _require(
                len(step.evals) == 1 << ab,
                f"query {q} step {s} has {len(step.evals)} values, expected {1 << ab}",
            )
            _require(
                len(step.merkle_proof.siblings) == height - cfg.cap_height,
                f"query {q} step {s} Merkle path has the wrong length",
            )
    _require(
        isinstance(proof.pow_witness, int) and 0 <= proof.pow_witness < P,
        "proof-of-work nonce is not a field element",
    )
    _require(
        all(isinstance(c, Ext2) for c in proof.final_poly), "final polynomial holds a non-extension value"
    )
    step_values = chain.from_iterable(st.evals for rnd in proof.query_round_proofs for st in rnd.steps)
    steps_fine = set(map(type, step_values)) <= {Ext2}  # all at once first, as above
    for q, rnd in enumerate(proof.query_round_proofs):
        if steps_fine:
            break
        _require(
            all(isinstance(e, Ext2) for st in rnd.steps for e in st.evals),
            f"query {q}: a step holds a non-extension value",
        )
    # in-memory proofs may hold anything: every base element must be canonical and every
    # digest 4 elements long before any of it reaches the hash
    for cap_i, cap in enumerate(proof.commit_phase_caps):
        _require(
            _canonical(x for d in cap for x in d), f"commit-phase cap {cap_i} holds a non-canonical element"
        )
    # every path and leaf element at once first (C-level flattening: ~3·10^4 elements for a
    # standard proof); only when that fails, query by query for the first offender's message
    paths_of = [
        [mp for _, mp in rnd.initial_trees_proof.evals_proofs] + [st.merkle_proof for st in rnd.steps]
        for rnd in proof.query_round_proofs
    ]
    leaves = (leaf for rnd in proof.query_round_proofs for leaf, _ in rnd.initial_trees_proof.evals_proofs)
    all_fine = (
        all(set(map(len, mp.siblings)) <= {4} for paths in paths_of for mp in paths)
        and _canonical(list(chain.from_iterable(chain.from_iterable(mp.siblings) for ps in paths_of for mp in ps)))
        and _canonical(list(chain.from_iterable(leaves)))
    )
    for q, (rnd, paths) in enumerate(zip(proof.query_round_proofs, paths_of, strict=True)):
        if all_fine:
            break
        for mp in paths:
            _require(
                all(len(d) == 4 for d in mp.siblings), f"query {q}: a Merkle path digest is not 4 elements"
            )
            _require(
                _canonical(x for d in mp.siblings for x in d),
                f"query {q}: a Merkle path holds a non-canonical element",
            )
        for o, (leaf, _) in enumerate(rnd.initial_trees_proof.evals_proofs):
            _require(_canonical(leaf), f"query {q}: oracle {o} leaf holds a non-canonical element")
    shift_pow = pow(COSET_SHIFT, params.lde_size, P)
    for b, batch in enumerate(instance.batches):
        _require(
            batch.point**params.lde_size != Ext2(shift_pow),
            f"opening point of batch {b} lies on the LDE coset; openings there are meaningless",
        )


def _canonical(xs: Iterable[object]) -> bool:
    """Every x an int in [0, p) (the type scan and the bounds run in C: a standard proof
    holds ~10^4 such elements)."""
    xs = xs if isinstance(xs, list | tuple) else list(xs)
    if not xs:
        return True
    if not all(issubclass(t, int) for t in set(map(type, xs))):
        return False
    return min(xs) >= 0 and max(xs) < P


def fri_challenges(challenger: Any, proof: Any) -> tuple[Any, list[Any]]:
    """(α, [β per folding layer]): the batching and folding challenges, observing the
    commit-phase caps and the final polynomial in between. Shared by the native verifier
    and the in-circuit one (:mod:`psyc.recursion.fri`), whose challenger and proof
    targets have the same interface."""
    alpha = challenger.get_ext_challenge()
    betas = []
    for cap in proof.commit_phase_caps:
        challenger.observe_cap(cap)
        betas.append(challenger.get_ext_challenge())
    challenger.observe_exts(proof.final_poly)
    return alpha, betas


def verify_fri(
    instance: FriInstanceInfo,
    openings: FriOpenings,
    initial_caps: list[MerkleCap],
    proof: FriProof,
    challenger: Challenger,
    params: FriParams,
) -> None:
    """Raise :class:`FriVerificationError` unless ``proof`` shows the openings are right.

    ``challenger`` must be in the state the prover's was when it called ``prove_fri``
    (caps, points and openings observed).
    """
    cfg = params.config
    _check_shape(instance, openings, initial_caps, proof, params)

    alpha, betas = fri_challenges(challenger, proof)
    _require(
        challenger.check_pow(proof.pow_witness, cfg.proof_of_work_bits),
        f"proof-of-work nonce does not give {cfg.proof_of_work_bits} leading zero bits",
    )

    # per batch: the alpha powers of its polynomials (as two coordinate lists), where its
    # polynomials sit among a query's concatenated leaves, and the combined claimed value
    offsets, total = [], 0
    for info in instance.oracles:
        offsets.append(total)
        total += info.num_polys + (SALT_SIZE if info.blinding else 0)
    # (on coordinate pairs: ~300 openings, two extension products each)
    batch_terms = []
    al0, al1 = alpha
    p0, p1 = 1, 0  # alpha^i
    for batch, vals in zip(instance.batches, openings.batches, strict=True):
        pows0, pows1 = [], []
        r0 = r1 = 0
        for v0, v1 in vals:
            pows0.append(p0)
            pows1.append(p1)
            r0 += p0 * v0 + W * p1 * v1
            r1 += p0 * v1 + p1 * v0
            p0, p1 = (p0 * al0 + W * p1 * al1) % P, (p0 * al1 + p1 * al0) % P
        positions = [offsets[p.oracle_index] + p.polynomial_index for p in batch.polynomials]
        batch_terms.append((batch, _packed(pows0, pows1), positions, Ext2(r0, r1)))

    n_lde = params.lde_size
    omega = primitive_root_of_unity(params.lde_bits)
    rounds = proof.query_round_proofs
    x_indices = [challenger.get_challenge() % n_lde for _ in rounds]
    # every Merkle path of every tree is checked in one batch (one hash call per sponge step
    # and per level for all trees); failures are reported below, query by query, in the
    # order of the checks
    groups = [
        (
            [rnd.initial_trees_proof.evals_proofs[o][0] for rnd in rounds],
            x_indices,
            initial_caps[o],
            [rnd.initial_trees_proof.evals_proofs[o][1] for rnd in rounds],
        )
        for o in range(len(initial_caps))
    ]
    shift = 0
    for s, ab in enumerate(params.reduction_arity_bits):
        shift += ab
        groups.append(
            (
                [list(chain.from_iterable(rnd.steps[s].evals)) for rnd in rounds],  # (a0, a1) each
                [x >> shift for x in x_indices],
                proof.commit_phase_caps[s],
                [rnd.steps[s].merkle_proof for rnd in rounds],
            )
        )
    verdicts = verify_merkle_proof_groups(groups)
    initial_ok, step_ok = verdicts[: len(initial_caps)], verdicts[len(initial_caps) :]
    # every query's 1/(x − point) per batch with one field inversion (Montgomery's trick);
    # no denominator is 0: x is on the LDE coset and no opening point is (_check_shape)
    xs = [COSET_SHIFT * pow(omega, reverse_index_bits(i, params.lde_bits), P) % P for i in x_indices]
    inverses = batch_inverse([Ext2(x) - batch.point for x in xs for batch, *_ in batch_terms])
    folds = _fold_all(rounds, x_indices, xs, params, betas)
    gathers = [itemgetter(*positions) for _, _, positions, _ in batch_terms]
    final_packed = _packed([c[0] for c in proof.final_poly], [c[1] for c in proof.final_poly])
    # (each check raises with its message; the messages are formatted only then)
    for q, rnd in enumerate(rounds):
        x_index = x_indices[q]
        for o in range(len(initial_caps)):
            if not initial_ok[o][q]:
                _fail(f"query {q}: Merkle path of oracle {o} at index {x_index} does not match its cap")

        value = Ext2.zero()
        flat = list(chain.from_iterable(leaf for leaf, _ in rnd.initial_trees_proof.evals_proofs))
        for b, ((_, pows, positions, reduced), gather) in enumerate(zip(batch_terms, gathers, strict=True)):
            # sum_i alpha^i * f_i(x), the f_i(x) base elements: one big-int sum for both
            # coordinates (packed alpha powers, _packed)
            opened = gather(flat) if len(positions) > 1 else [flat[i] for i in positions]
            acc = _unpacked(sum(map(mul, pows, opened)))
            value = value + (acc - reduced) * inverses[q * len(batch_terms) + b]

        for s, (step, ab) in enumerate(zip(rnd.steps, params.reduction_arity_bits, strict=True)):
            if step.evals[x_index & ((1 << ab) - 1)] != value:
                _fail(f"query {q} step {s}: committed value differs from the folded value of the previous layer")
            if not step_ok[s][q]:
                _fail(f"query {q} step {s}: Merkle path does not match the commit-phase cap")
            value = folds[s][q]
            x_index >>= ab

        if _eval_at_base(final_packed, folds[-1][q]) != value:
            _fail(f"query {q}: final polynomial disagrees with the folded value")


def _packed(a0: Sequence[int], a1: Sequence[int]) -> list[int]:
    return [x0 | x1 << PACK for x0, x1 in zip(a0, a1, strict=True)]


def _unpacked(v: int) -> Ext2:
    return Ext2(v & PACK_MASK, v >> PACK)


def _eval_at_base(packed_coeffs: list[int], x: int) -> Ext2:
    """The polynomial with (packed) extension coefficients at a base-field point: the
    powers of x, then one packed sum (fewer than 2^32 coefficients)."""
    pows, acc = [], 1
    for _ in packed_coeffs:
        pows.append(acc)
        acc = acc * x % P
    return _unpacked(sum(map(mul, packed_coeffs, pows)))


def _fold_all(rounds: Sequence[FriQueryRound], x_indices: list[int], xs: list[int], params: FriParams, betas: list[Ext2]) -> list:
    """Per folding layer: every query's folded value (its committed coset evaluated at the
    layer's β), then, as a last entry, every query's point in the final layer. The folds
    depend only on the proof's committed values and the query indices, not on the checks
    that compare them, so each layer's are computed together (one field inversion)."""
    folds = []
    x_e, x_index = list(xs), list(x_indices)
    for s, (ab, beta) in enumerate(zip(params.reduction_arity_bits, betas, strict=True)):
        arity = 1 << ab
        # the leaf holds f at coset_base * w_arity^brev(t); reorder to natural t
        w_arity = primitive_root_of_unity(ab)
        rev = [reverse_index_bits(t, ab) for t in range(arity)]
        bases, naturals = [], []
        for q, rnd in enumerate(rounds):
            evals = rnd.steps[s].evals
            j = x_index[q] & (arity - 1)
            bases.append(x_e[q] * pow(w_arity, (arity - rev[j]) % arity, P) % P)
            naturals.append([evals[t] for t in rev])
            x_e[q] = pow(x_e[q], arity, P)
            x_index[q] >>= ab
        try:
            folds.append(barycentric_eval_on_cosets(naturals, bases, beta))
        except ZeroDivisionError:  # β in the base field, on a query's coset (probability ~2^-64)
            raise FriVerificationError(f"folding challenge of layer {s} lies on a query's coset") from None
    folds.append(x_e)
    return folds
