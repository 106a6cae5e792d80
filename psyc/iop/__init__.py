"""Interactive-oracle-proof plumbing: the Fiat-Shamir transcript."""

from psyc.iop.challenger import Challenger

__all__ = ["Challenger"]
