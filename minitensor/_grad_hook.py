"""Former home of the dispatch slots and of the autograd tensor surface, kept
as an alias module (nothing in the package imports it; it can go once pickles
of requires-grad tensors written before the split no longer matter).

The slots and ``@differentiable`` live in :mod:`minitensor._dispatch`; the
autograd surface of tensors in :mod:`minitensor.autograd._tensor`. This module
imports nothing from the autograd layer.
"""
from ._dispatch import differentiable, state  # noqa: F401


def _rebuild_grad(array, requires_grad):
    """Unpickle a tensor pickled before the split (such pickles name this
    function); new pickles name ``minitensor.autograd._tensor._rebuild_grad``."""
    import numpy as np

    from ._array_object import Tensor
    t = Tensor._new(np.asarray(array))
    if requires_grad:
        t.requires_grad_(True)
    return t
