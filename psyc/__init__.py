"""psyc: a toolkit for recursive zero-knowledge circuits over the Goldilocks field."""

import os as _os

# numba's OpenMP workers spin after every parallel region; on a 2-core machine that
# starves the Python thread between small kernel calls (measured: 7.8 ms vs 0.2 ms per
# call). Passive waiting must be chosen before the OpenMP runtime starts; users can
# still override it in their environment.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
