"""The signature schemes psyc knows, by name: one registry for key files, the CLI and
``psyc bench``'s signature group.

A scheme is a module (imported on first use, so ``psyc --help`` loads none of them) that
defines:

* ``SCHEME``: its name (the ``"scheme"`` field of key files, ``--scheme`` on the CLI);
* ``key_from_doc(doc, path, hash_field) -> key``: the key in a parsed key file (``doc``:
  the JSON object; ``hash_field(name)`` reads a hash field, raising E1000 at the file and
  field); the key has ``.param``, ``.fingerprint``, ``.public_key`` and ``.shape``, and the
  module checks its own fields;
* ``key_to_doc(key) -> dict``: the scheme's own fields of the key file;
* ``scheme_for(key, shape)``: the scheme object (a :class:`psyc.sig.scheme.CircuitScheme`)
  whose ``sign(key, message)`` signs with the key (``psyc sign``); with ``key`` None, the
  one whose ``new_key()`` makes a fresh key (``psyc key new``; multisig keys need members);
* ``public_fields(key) -> dict``: what ``psyc key show`` prints besides the common
  fields: ``circuit`` (its name) and the scheme's public values;
* ``bench_case(shape) -> SigBenchCase``: a key and a message ready to sign, for
  ``psyc bench --only signatures``.

Register a scheme with :func:`register` (the built-in ones are listed in ``_BUILTIN``).
This module imports nothing heavy: the CLI reads :func:`names` to register ``--scheme``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

# name -> module, in the order --scheme lists them and the benchmark runs them
_BUILTIN: dict[str, str] = {
    "zk": "psyc.sig.zk",
    "schnorr": "psyc.sig.schnorr",
    "ecdsa": "psyc.sig.ecdsa",
    "multisig": "psyc.sig.multisig",
    "circuit": "psyc.sig.circuit",  # your own key circuit and witness (no bench case)
}
_SCHEMES: dict[str, str] = dict(_BUILTIN)


def register(name: str, module: str) -> None:
    """Make scheme ``name`` (implemented by the module at import path ``module``) known."""
    _SCHEMES[name] = module


def names() -> tuple[str, ...]:
    """The known schemes' names, in registration order."""
    return tuple(_SCHEMES)


def scheme_module(name: str) -> ModuleType:
    """The module of scheme ``name``; ``SignatureError`` (E1001) for an unknown one."""
    module = _SCHEMES.get(name)
    if module is None:
        from psyc.sig.convention import SignatureError

        raise SignatureError(f"unknown scheme {name!r} (this psyc knows: {', '.join(_SCHEMES)})", "E1001")
    return importlib.import_module(module)


@dataclass
class SigBenchCase:
    """What ``psyc bench --only signatures`` measures for one scheme: ``program`` (the
    compiled signature circuit, already built) and ``sign()`` (one signature of a fixed
    message; returns the proof and its verifying key); ``label`` names the case
    (``"multisig 2-of-3"``), ``note`` says what the time includes, ``target`` the goal
    (``"<= 1.5 s"``)."""

    label: str
    program: Any
    sign: Callable[[], tuple]
    note: str = ""
    target: str = ""
