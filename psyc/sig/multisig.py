"""The ``multisig`` scheme: t of n member keys (n from 2 to 8) sign (``stdlib/sig/multisig.psy``).

Members are account keys of any scheme. The key's parameter binds the members (in order)
and the threshold (:func:`param_of`, the native twin of ``std::sig::multisig::param_of``);
its circuit is the entry ``of_N`` for N = n, so n is bound by the fingerprint. A multisig
key has no secret: each member signs the message with their own key (an ordinary
signature, ``psyc sign --key MEMBER.key``), and :meth:`MultisigScheme.sign` combines at
least t of those signatures into one proof. Each member has one slot: a signature is put
in the slot of the member it verifies under (natively, before proving), a member's second
signature is dropped, and slots without a signature take a dummy proof, whose verification
the circuit switches off (and which never verifies where it is checked).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from psyc.field.goldilocks import P
from psyc.hash.poseidon import hash_no_pad, two_to_one
from psyc.sig.convention import (
    SignatureError,
    format_hash,
    public_key,
    verify_signature,
)
from psyc.sig.scheme import CircuitScheme

if TYPE_CHECKING:
    from psyc.compiler import CompileOptions
    from psyc.plonk.keys import VerifyingKey
    from psyc.plonk.proof import ProofWithPublicInputs
    from psyc.recursion.shape import StandardShape
    from psyc.sig.registry import SigBenchCase

SCHEME = "multisig"
MIN_MEMBERS, MAX_MEMBERS = 2, 8
# ASCII "psyc-sig", "-multisi", "g-v1": the same constants as stdlib/sig/multisig.psy
DOMAIN = (0x7073_7963_2D73_6967, 0x2D6D_756C_7469_7369, 0x672D_7631)


def _check_members(members: Sequence[Sequence[int]], threshold: int) -> None:
    n = len(members)
    if not MIN_MEMBERS <= n <= MAX_MEMBERS:
        raise SignatureError(f"a multisig key has {MIN_MEMBERS} to {MAX_MEMBERS} members, not {n}", "E1002")
    if not isinstance(threshold, int) or not 1 <= threshold <= n:
        raise SignatureError(f"the threshold must be between 1 and the number of members ({n}), not {threshold}",
                             "E1002")
    for i, m in enumerate(members):
        if len(m) != 4 or not all(isinstance(x, int) and 0 <= x < P for x in m):
            raise SignatureError(f"member {i + 1} is not a public key (4 field elements)", "E1002")
        for j in range(i):
            if list(members[j]) == list(m):
                raise SignatureError(f"members {j + 1} and {i + 1} are the same key {format_hash(m)}: a key listed "
                                     "twice would count twice", "E1002")


def param_of(members: Sequence[Sequence[int]], threshold: int) -> list[int]:
    """The key's parameter: ``poseidon(DOMAIN ++ [n, t])`` chained with ``hash_two``
    over the members in order."""
    _check_members(members, threshold)
    h = hash_no_pad([*DOMAIN, len(members), threshold])
    for m in members:
        h = two_to_one(h, [int(x) for x in m])
    return [int(x) for x in h]


@dataclass
class MultisigKey:
    """A t-of-n key: the members' public keys in order, the threshold, and the
    convention's parameter, fingerprint (of the ``of_N`` circuit) and public key."""

    members: list[list[int]]
    threshold: int
    param: list[int]
    fingerprint: list[int]
    public_key: list[int]
    shape: str = "standard"
    scheme: ClassVar[str] = SCHEME

    @property
    def n(self) -> int:
        return len(self.members)


def key_to_doc(key: MultisigKey) -> dict:
    """The multisig fields of a key file: ``members`` (public keys) and ``threshold``."""
    return {"members": [format_hash(m) for m in key.members], "threshold": key.threshold}


def key_from_doc(doc: dict, path: str | Path, hash_field: Callable[[str], list[int]]) -> MultisigKey:
    """The multisig key in a parsed key file (the common fields are checked by the caller)."""
    from psyc.sig.convention import parse_hash

    members, threshold = doc.get("members"), doc.get("threshold")
    if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        raise SignatureError(f"{path}: field 'members' must be a list of public keys (0x…)", "E1000")
    if not isinstance(threshold, int) or isinstance(threshold, bool):
        raise SignatureError(f"{path}: field 'threshold' must be an integer", "E1000")
    try:
        parsed = [parse_hash(m, f"{path}: members[{i}]") for i, m in enumerate(members)]
        param = param_of(parsed, threshold)
    except SignatureError as e:
        raise SignatureError(f"{path}: {e}" if str(path) not in str(e) else str(e), "E1000") from None
    return MultisigKey(parsed, threshold, param, hash_field("fingerprint"), hash_field("public_key"),
                       doc.get("shape", "standard"))


def scheme_for(key: MultisigKey, shape: StandardShape | None = None) -> MultisigScheme:
    """The scheme that combines signatures for ``key`` (its number of members)."""
    return MultisigScheme(key.n, shape)


def public_fields(key: MultisigKey) -> dict:
    return {"circuit": f"std::sig::multisig::of_{key.n}", "members": [format_hash(m) for m in key.members],
            "threshold": key.threshold}


def stdlib_circuit():
    from psyc.frontend.modules import stdlib_dir

    return stdlib_dir() / "sig" / "multisig.psy"


@dataclass
class Combined:
    """How :meth:`MultisigScheme.sign` used the signatures it was given: the member
    index (0-based) of each signature, or None for a duplicate of a member already in."""

    slots: list[int | None] = field(default_factory=list)


class MultisigScheme(CircuitScheme):
    """The circuit for n members (the entry ``of_N``, zero knowledge on), compiled once,
    and keys and combined signatures. ``shape``: the standard shape of the proofs the
    circuit verifies and of the fingerprint (default ``standard_shape()``)."""

    name = "multisig"

    def __init__(self, n: int, shape: StandardShape | None = None) -> None:
        if not MIN_MEMBERS <= n <= MAX_MEMBERS:
            raise SignatureError(f"a multisig key has {MIN_MEMBERS} to {MAX_MEMBERS} members, not {n}", "E1002")
        super().__init__(None, shape)
        self.n = n

    def circuit_path(self) -> Path:
        return stdlib_circuit()

    def compile_options(self) -> CompileOptions:
        from psyc.compiler import CompileOptions

        return CompileOptions(entry=f"of_{self.n}", shape=self.shape, zero_knowledge=True)

    def new_key(self, members: Sequence[Sequence[int]], threshold: int) -> MultisigKey:
        """The t-of-n key of these member public keys (in this order)."""
        if len(members) != self.n:
            raise SignatureError(f"this circuit is for {self.n} members, {len(members)} given", "E1002")
        members = [[int(x) for x in m] for m in members]
        param = param_of(members, threshold)
        fp = self.fingerprint()
        return MultisigKey(members, threshold, param, fp, public_key(fp, param), self.shape_name())

    def assign(self, key: MultisigKey, message: Sequence[int], signatures: Sequence[tuple]) -> tuple[list, Combined]:
        """Check each ``(proof, vk)`` natively against the members and put it in its
        member's slot: ``[(param, proof, vk) or None per slot]``. A signature under no
        member is an error (E1003); a member's second signature is dropped."""
        slots: list = [None] * key.n
        used = Combined()
        for k, (proof, vk) in enumerate(signatures):
            for i, member in enumerate(key.members):
                try:
                    param = verify_signature(proof, vk, member, message, self.shape)
                except SignatureError:
                    continue
                used.slots.append(i if slots[i] is None else None)
                if slots[i] is None:
                    slots[i] = (param, proof, vk)
                break
            else:
                raise SignatureError(f"signature {k + 1} is not a valid signature of {format_hash(message)} by any "
                                     "member of this key")
        return slots, used

    def inputs(self, key: MultisigKey, message: Sequence[int], slots: Sequence) -> list[list]:
        """The circuit's inputs (flattened per parameter) for the filled ``slots``: a flag,
        the member's parameter and the proof per slot; a dummy proof where none."""
        from psyc.project.inputs import ProofArg

        signed = [int(s is not None) for s in slots]
        params = [x for s in slots for x in (s[0] if s else [0, 0, 0, 0])]
        proofs = [ProofArg(s[1], s[2], f"member {i + 1}'s signature") if s else ProofArg.dummy(8)
                  for i, s in enumerate(slots)]
        return [list(message), list(key.param), [x for m in key.members for x in m], [key.threshold], signed, params,
                proofs]

    def sign(self, key: MultisigKey, message: Sequence[int],
             signatures: Sequence[tuple]) -> tuple[ProofWithPublicInputs, VerifyingKey]:
        """One signature of ``message`` under ``key`` from the members' signatures
        (``(proof, vk)`` pairs, any order): at least ``key.threshold`` distinct members."""
        if key.n != self.n:
            raise SignatureError(f"a key of {key.n} members, this circuit is for {self.n}", "E1001")
        if param_of(key.members, key.threshold) != list(key.param):
            raise SignatureError("the key's parameter does not follow from its members and threshold", "E1000")
        self.check_key_circuit(key)
        slots, _ = self.assign(key, message, signatures)
        got = sum(s is not None for s in slots)
        if got < key.threshold:
            raise SignatureError(f"{got} distinct member signature(s); this key needs {key.threshold} of {key.n}")
        return self.prove_inputs(self.inputs(key, message, slots))


def bench_case(shape: StandardShape | None = None) -> SigBenchCase:
    """``psyc bench``'s multisig case: 2-of-3 over zk member keys, two members sign."""
    from psyc.sig.zk import ZkScheme

    zk = ZkScheme(shape=shape)
    members = [zk.new_key() for _ in range(3)]
    scheme = MultisigScheme(3, shape)
    key = scheme.new_key([m.public_key for m in members], 2)
    message = [1, 2, 3, 4]
    sigs = [zk.sign(m, message) for m in members[:2]]
    scheme.sign(key, message, sigs)  # wraps the members' signatures once (cached), like a warm combiner
    return scheme.bench_case("multisig 2-of-3", lambda: scheme.sign(key, message, sigs),
                             "combining two zk signatures (already wrapped into the shape) into one proof")
