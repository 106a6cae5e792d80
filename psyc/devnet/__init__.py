"""A local PARTH devnet (``psyc devnet``, ``psyc demo``): contracts, users, proving sessions
and blocks over the embedded store. It sits above :mod:`psyc.contracts` and
:mod:`psyc.parth` (which the contracts build on), so it is a package of its own.
See :mod:`psyc.devnet.engine` and docs/parth.md."""

from psyc.devnet.engine import DEFAULT_DIR, CallResult, Devnet, DevnetError

__all__ = ["DEFAULT_DIR", "CallResult", "Devnet", "DevnetError"]
