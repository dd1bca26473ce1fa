"""Gradient rules of the Tensor surface that is not a namespace function:
indexing (``x[key]``, recorded by ``_GradTensor.__getitem__``).

The backward of ``x[key]`` scatters the gradient into zeros of ``x``'s shape
(adding at repeated integer-array indices); that scatter is itself a recorded
operation whose gradient is indexing again, so higher-order gradients work.
Rules already defined in ``_rules.py`` take precedence (``setdefault``).
"""
import numpy as np

from .._array_object import Tensor, _index_key
from .._grad_hook import differentiable
from ._engine import RULES


def _is_basic(k):
    """Whether a translated key does basic indexing only (no repeated elements)."""
    items = k if type(k) is tuple else (k,)
    for i in items:
        if not (type(i) is int or type(i) is slice or i is None or i is Ellipsis):
            return False
    return True


@differentiable("_getitem_backward")
def _getitem_backward(g, shape, key):
    """Zeros of ``shape`` with ``g`` added at ``key`` (the adjoint of ``x[key]``)."""
    a = g._array
    out = np.zeros(shape, a.dtype)
    k = _index_key(key)
    if _is_basic(k):
        out[k] = a
    else:
        np.add.at(out, k, a)
    return Tensor._new(out)


def _getitem(ctx, g):
    # reads no saved values of x (only its shape): x may change in place later; the
    # index tensors and masks of the key are checked (a write into one since the
    # call would scatter the gradient to the wrong places)
    key = ctx.check_index(ctx.args[1])
    return (_getitem_backward(g, ctx.in_shapes[0], key),) + (None,) * (len(ctx.next_edges) - 1)


def _getitem_backward_rule(ctx, gg):
    key = ctx.check_index(ctx.args[2])
    return (gg[key],) + (None,) * (len(ctx.next_edges) - 1)


RULES.setdefault("__getitem__", _getitem)
RULES.setdefault("_getitem_backward", _getitem_backward_rule)
