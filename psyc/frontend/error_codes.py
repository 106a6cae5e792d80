"""Every diagnostic code psyc prints, with what it means: one registry.

``psyc explain E0303`` prints an entry (as ``rustc --explain`` does) and ``docs/errors.md``
lists them all. A code is a letter and four digits:

* ``E00xx`` syntax, ``E01xx`` names and items, ``E02xx`` types, ``E03xx`` compile-time
  evaluation (constants, unrolling, indices), ``E05xx`` failures while running a program,
  ``E06xx`` inputs files, ``E07xx`` projects (``psy.toml``, ``psyc new``), ``E08xx``
  output files of the CLI, ``E09xx`` contracts;
* ``W0xxx`` warnings of ``psyc check``;
* ``A0xxx`` findings of ``psyc audit`` (see docs/auditing.md).

The test suite checks that every code string in ``psyc/`` is registered here and listed
in docs/errors.md, so a new code cannot ship without its explanation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CODE_PATTERN = re.compile(r"^[EWA]\d{4}$")


@dataclass(frozen=True)
class ErrorCode:
    """One diagnostic code: ``summary`` is one line; ``explanation`` (optional) says more,
    usually with a failing example and the fix."""

    code: str
    summary: str
    explanation: str = ""

    def text(self) -> str:
        """The entry as ``psyc explain`` prints it."""
        body = f"{self.code}: {self.summary}"
        return body + ("\n\n" + self.explanation.strip() if self.explanation.strip() else "")


_ENTRIES: list[ErrorCode] = [
    # ---- syntax ---------------------------------------------------------------------
    ErrorCode("E0001", "unexpected token: the parser expected something else here",
              "The message lists what could come next. A common cause is a missing operator or a\n"
              "keyword used as a name."),
    ErrorCode("E0002", "unexpected end of file, or a delimiter that is never closed",
              "Every `{`, `(` and `[` needs its closing partner. psyc points at the opening\n"
              "delimiter that is still open when the file ends:\n\n"
              "    fn main(x: Felt) {\n"
              "        assert(x != 0);\n"
              "    // missing `}`"),
    ErrorCode("E0003", "a character that is not part of the language (for example `$` or `@`)"),
    ErrorCode("E0004", "a missing `;` after an expression statement",
              "Statements end with `;`; only the tail expression of a block, its value, has none."),
    ErrorCode("E0005", "a source file is not valid UTF-8",
              "`.psy` files are UTF-8 text. The message gives the byte offset of the first invalid\n"
              "byte; re-save the file as UTF-8."),
    # ---- names and items ------------------------------------------------------------
    ErrorCode("E0100", "a name (function, value, import or entry) that cannot be found",
              "Check the spelling (psyc suggests close names), the `use` declarations and, for the\n"
              "entry function, `entry` in psy.toml or `--entry`."),
    ErrorCode("E0101", "a module or file that cannot be found",
              "`mod util;` in src/main.psy needs src/util.psy (or src/util/mod.psy); `use` paths\n"
              "start with `std::`, `crate::`, or a module in scope."),
    ErrorCode("E0102", "a type name that cannot be found"),
    ErrorCode("E0103", "a name defined more than once (items, fields or parameters)"),
    ErrorCode("E0104", "a struct literal names a field that does not exist, or names one twice"),
    ErrorCode("E0105", "a struct literal misses some of the struct's fields"),
    ErrorCode("E0106", "a wrong number of arguments (or of const-generic arguments)"),
    ErrorCode("E0107", "recursion between constrained functions",
              "Constrained functions are inlined into the circuit, so they cannot call\n"
              "themselves. Use a loop with a compile-time bound, or an `unconstrained fn`."),
    ErrorCode("E0108", "an unconstrained call outside `unsafe`, or a proof crossing into unconstrained code",
              "An unconstrained function computes off-circuit: its result is not checked. Calling\n"
              "it needs `unsafe { f(x) }` as a reminder to constrain the result afterwards:\n\n"
              "    let r = unsafe { sqrt_hint(x) };\n"
              "    assert_eq(r * r, x);"),
    ErrorCode("E0109", "a malformed `#[test]`: unknown argument, or a test that takes parameters"),
    ErrorCode("E0110", "an empty source file, or a project without its entry function",
              "A program needs an entry function (`fn main(...)` unless psy.toml sets `entry`)."),
    # ---- types ------------------------------------------------------------------------
    ErrorCode("E0200", "mismatched types",
              "psyc never converts implicitly. Convert with `as`: `(x as u64) + y`."),
    ErrorCode("E0201", "an operator or method that the type does not have",
              "For example `%` on `Felt`, ordering `<` on `Felt`, `!` on an integer, or a\n"
              "`wrapping_*` method on `u64`."),
    ErrorCode("E0202", "assignment to something that cannot be assigned (an immutable binding, a constant)",
              "Bindings are immutable unless declared with `let mut`:\n\n"
              "    let mut total = 0;\n"
              "    total = total + x;"),
    ErrorCode("E0203", "a cast that is not allowed (aggregates, or to `bool`)",
              "To turn an integer into a truth value compare it: `x != 0`."),
    ErrorCode("E0204", "indexing a value that is not an array"),
    ErrorCode("E0205", "a field that the struct, tuple or proof does not have"),
    ErrorCode("E0206", "a tuple pattern whose arity differs from the value's"),
    ErrorCode("E0207", "an integer literal out of range for its type"),
    ErrorCode("E0208", "a type or const generic that cannot be inferred",
              "Annotate it: `let xs: [Felt; 0] = [];`, or give a turbofish: `f::<4>(x)`."),
    ErrorCode("E0209", "an entry function that is generic or unconstrained"),
    ErrorCode("E0210", "a struct that contains itself (infinite size)"),
    ErrorCode("E0211", "a proof declared as a public input",
              "Proofs are private; return the values you want public (for example its public\n"
              "inputs) instead."),
    ErrorCode("E0212", "a choice between two proofs by a witness-dependent condition",
              "Verify each proof conditionally instead: `if c { verify(p) }`."),
    ErrorCode("E0213", "a `fingerprint!` cycle: a program that needs its own fingerprint"),
    ErrorCode("E0214", "a proof's public inputs or fingerprint used where the proof is not verified",
              "Until `std::recursion::verify(p)` holds, `p.public_inputs` are whatever the prover\n"
              "wrote: verify the proof unconditionally, or use its values only inside the same\n"
              "`if` that verifies it."),
    ErrorCode("E0215", "a `#[recursive]` program with zero knowledge on",
              "A `#[recursive]` entry is compiled into the standard shape, which has no zero\n"
              "knowledge (its proofs are folded by other circuits, not published): turn\n"
              "`zero_knowledge` off for it."),
    # ---- compile-time evaluation ------------------------------------------------------
    ErrorCode("E0300", "a value that must be a compile-time constant depends on the witness",
              "Loop bounds, array lengths, shift amounts and constants must be known when the\n"
              "circuit is built. Runtime-bounded loops are allowed in `unconstrained fn`s."),
    ErrorCode("E0301", "a shift by at least the width of the type"),
    ErrorCode("E0302", "a constant index out of bounds (or into an empty array)"),
    ErrorCode("E0303", "the program is too big or nests too deeply to compile",
              "A loop unrolls to more iterations, or an array has more elements, than the\n"
              "unrolling bound (2^20 by default). Raise it with `max_unroll` in psy.toml\n"
              "[compile] or `--max-unroll N` if the circuit really is that large; the circuit\n"
              "grows with every iteration. Expressions nested thousands deep are also E0303."),
    ErrorCode("E0304", "`return` or `while` in constrained code",
              "Constrained functions end with their tail expression and loop with compile-time\n"
              "bounds (`for i in 0..N`); early `return` and `while` are for `unconstrained fn`s."),
    # ---- execution --------------------------------------------------------------------
    ErrorCode("E0500", "an assertion failed while running the program",
              "`assert(c)` or `assert_eq(a, b)` did not hold for these inputs (also a `u64`\n"
              "bitwise result that would be >= p). The message shows the values; no proof can\n"
              "be made for these inputs."),
    ErrorCode("E0501", "integer overflow or underflow in checked arithmetic",
              "`+ - *` on `u8`..`u64` are checked. Use `wrapping_add` etc. on u8/u16/u32 when\n"
              "wrapping is intended."),
    ErrorCode("E0502", "division by zero"),
    ErrorCode("E0503", "an index out of bounds while running"),
    ErrorCode("E0504", "a value out of range: a range check, a narrowing cast or `to_bits::<N>` failed"),
    ErrorCode("E0505", "an execution failure of another kind (a hint that misbehaves)"),
    ErrorCode("E0506", "a proof input does not verify",
              "The proof named in the inputs file is not a valid proof for its key (`P.vk`),\n"
              "or the file is not a proof. Re-create it with `psyc prove`."),
    # ---- inputs files -------------------------------------------------------------------
    ErrorCode("E0600", "a missing input value (or no inputs file for a program that takes inputs)",
              "`psyc check` writes an inputs.toml template with every parameter and its type."),
    ErrorCode("E0601", "an input value of the wrong type or shape"),
    ErrorCode("E0602", "an input integer out of range for its type"),
    ErrorCode("E0603", "an input value that is not below the field modulus p"),
    ErrorCode("E0604", "an inputs file that cannot be read or is malformed TOML/JSON"),
    ErrorCode("E0605", "an unknown key in an inputs file"),
    ErrorCode("E0606", "a proof input file that cannot be read or has the wrong number of public inputs"),
    # ---- projects -------------------------------------------------------------------------
    ErrorCode("E0700", "psy.toml cannot be read or is malformed TOML"),
    ErrorCode("E0701", "a psy.toml value of the wrong type or an invalid value"),
    ErrorCode("E0702", "an unknown key in psy.toml"),
    ErrorCode("E0703", "a required psy.toml key is missing"),
    ErrorCode("E0704", "no project found (no psy.toml in the folder or its parents, or the path does not exist)"),
    ErrorCode("E0705", "a project without src/main.psy"),
    ErrorCode("E0706", "`psyc new` cannot create the folder (it exists and is not empty, or is a file)"),
    ErrorCode("E0707", "an invalid package name for `psyc new`"),
    # ---- CLI output files ------------------------------------------------------------------
    ErrorCode("E0800", "refusing to overwrite a file psyc did not write for this program",
              "psyc overwrites only files it wrote itself for the same program (a proof and\n"
              "key of the same circuit, its own compile outputs). Choose another path with `-o`,\n"
              "or pass `--force` to replace the file."),
    ErrorCode("E0801", "the output folder given with `-o` does not exist",
              "psyc creates its default folder, `target/`, but not a folder you named: a typo in\n"
              "`-o` would otherwise scatter files. Create the folder first."),
    # ---- contracts ----------------------------------------------------------------------------
    ErrorCode("E0900", "a write to contract state that the transaction may only read",
              "A transaction writes only its own user's state; `ctx.state_of` is a read-only view\n"
              "as of the anchored checkpoint. Move value between users with outbox/claim."),
    ErrorCode("E0901", "a call from outside a contract to a function that is not one of its #[method]s"),
    ErrorCode("E0902", "a storage array indexed with a type not bounded by 2^32 (use `u32` or smaller)"),
    ErrorCode("E0903", "a contract's storage layout takes more than 2^32 slots"),
    ErrorCode("E0904", "a contract or contract method used in a way that is not supported",
              "For example a #[method] without a `&self`/`&mut self` receiver, a contract without any\n"
              "#[method], an unknown attribute on a method, a proof argument to a method, or\n"
              "`ctx.state_of` / in-memory state outside the places it works."),
    ErrorCode("E0905", "a storage value too large to copy into the circuit: read the elements you need"),
    # ---- keys and signatures -----------------------------------------------------------------
    ErrorCode("E1000", "a malformed key file, verifying key or key field",
              "A key file is JSON with \"format\": \"psyc-signing-key\", a version, a scheme and\n"
              "the secret, param, fingerprint and public key as 0x + 64 hex digits; param and\n"
              "public key are checked against the secret (docs/signatures.md)."),
    ErrorCode("E1001", "a key file for another scheme or format version, or a key circuit that changed",
              "Use the command of the key's scheme, or make a new key with `psyc key new`."),
    ErrorCode("E1002", "a message or public key that is not 32 bytes (0x + 64 hex digits) or 4 field elements",
              "Each 8 bytes (big-endian) is one field element and must be below p = 2^64 - 2^32 + 1."),
    ErrorCode("E1003", "a signature that does not verify for this message and public key"),
    ErrorCode("E1004", "a key circuit that does not follow the signature convention",
              "A zk key circuit is `fn main(pub message: Hash, pub param: Hash, secret: [Felt; 4])`\n"
              "with no public output."),
    ErrorCode("E1005", "refusing to overwrite an existing key file"),
    # ---- warnings -------------------------------------------------------------------------
    ErrorCode("W0001", "the result of an unconstrained call never reaches a constraint",
              "A prover can put any value there. Constrain it with `assert`/`assert_eq`, or use\n"
              "it in a checked computation."),
    ErrorCode("W0002", "the fingerprint of a verified proof is never constrained",
              "Without it, a proof of any circuit is accepted. Pin it:\n"
              "`assert_eq(p.fingerprint, fingerprint!(\"child.psy\"))`, or check it against a\n"
              "whitelist Merkle root."),
    ErrorCode("W0003", "a local variable that is never used",
              "Remove it, or start its name with `_` to say it is unused on purpose."),
    ErrorCode("W0004", "a private input that never reaches a constraint or the output",
              "The proof says nothing about such an input: any value is accepted. Use it, remove\n"
              "it, or start its name with `_`."),
    # ---- audit findings ---------------------------------------------------------------------
    ErrorCode("A0001", "audit: the result of an unconstrained call reaches no constraint (see W0001)"),
    ErrorCode("A0002", "audit: a public input that no constraint or output depends on"),
    ErrorCode("A0003", "audit: a verified proof whose fingerprint is never pinned (see W0002)"),
    ErrorCode("A0100", "audit (retired): a hint that can change without changing the output is not reported"),
    ErrorCode("A0101", "audit: a second valid output — a changed hint value satisfies every constraint",
              "A prover can prove a false statement. Add the constraint that ties the hint's\n"
              "result to its inputs (see docs/auditing.md)."),
    ErrorCode("A0102", "audit: a compiler gadget's hint changes the output — a bug in psyc itself"),
    ErrorCode("A0200", "audit: no satisfying inputs were found, so the dynamic checks did not run"),
]

REGISTRY: dict[str, ErrorCode] = {e.code: e for e in _ENTRIES}


def lookup(code: str) -> ErrorCode | None:
    """The entry for ``code`` (case-insensitive, ``E303`` and ``303`` work too), or None."""
    code = code.strip().upper()
    if re.fullmatch(r"\d{1,4}", code):
        code = "E" + code.zfill(4)
    elif re.fullmatch(r"[EWA]\d{1,4}", code):
        code = code[0] + code[1:].zfill(4)
    return REGISTRY.get(code)


def summary(code: str) -> str:
    """The one-line meaning of ``code`` ("" when it is not registered)."""
    entry = REGISTRY.get(code)
    return entry.summary if entry else ""


def markdown_table() -> str:
    """docs/errors.md's table, generated from the registry."""
    rows = ["| code | meaning |", "|---|---|"]
    rows += [f"| {e.code} | {e.summary} |" for e in _ENTRIES]
    return "\n".join(rows)
