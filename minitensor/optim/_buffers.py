"""State buffers of the optimizers (plain, C-contiguous tensors of the parameter's dtype)."""
import numpy as np

from .._array_object import Tensor

__all__ = ["clone", "full", "zeros"]


def zeros(p):
    """A new C-contiguous tensor of zeros with ``p``'s shape and dtype (outside autograd)."""
    return Tensor._new(np.zeros(p._array.shape, p._array.dtype))


def full(p, value):
    """A new C-contiguous tensor filled with ``value``, with ``p``'s shape and dtype."""
    return Tensor._new(np.full(p._array.shape, value, p._array.dtype))


def clone(t):
    """A C-contiguous copy of ``t`` (outside autograd)."""
    return Tensor._new(np.array(t._array, order="C", copy=True))
