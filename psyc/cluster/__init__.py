"""Distributed proving on Ray (the ``cluster`` extra: ``pip install 'psyc[cluster]'``).

:class:`RayExecutor` runs the leaf wraps and the folds of an aggregation as Ray tasks::

    from psyc.cluster import RayExecutor
    from psyc.recursion import aggregate

    with RayExecutor("auto") as ex:          # or "local", or "HOST:PORT" of a cluster's head
        agg = aggregate(leaves, whitelist, executor=ex)

The command-line form is ``psyc aggregate … --ray auto|local|ADDRESS``. Importing this
package imports Ray; nothing else in psyc does (``psyc aggregate`` without ``--ray`` never
loads it). See ``docs/distributed.md``.
"""

from psyc.cluster.ray_executor import ClusterError, RayExecutor

__all__ = ["ClusterError", "RayExecutor"]
