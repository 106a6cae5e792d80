"""The elaborator's parts, one module per concern, combined by
:class:`psyc.frontend.elaborate.Elaborator` (mixins over one shared state):

* :mod:`.common`: typed values, bindings, frames, modes, errors and small helpers;
* :mod:`.names`: types, names, paths, imports and constants;
* :mod:`.emission`: frames (``entered``) and IR emission with constant folding;
* :mod:`.calls`: function calls, inlining, const generics, hints, intrinsics, macros;
* :mod:`.builtins`: ``assert``, ``assert_eq``, ``print``, ``from_bits``;
* :mod:`.statements`: blocks, ``let``, loops, assignment;
* :mod:`.replay`: copying a loop body's instructions where the next iteration would
  repeat them (``statements`` unrolls through it);
* :mod:`.expressions`: literals, operators, ``if``, indexing, casts;
* :mod:`.methods`: ``impl`` blocks, methods and contract storage.
"""
