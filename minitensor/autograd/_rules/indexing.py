"""Gradient rules of indexing: ``x[key]`` (recorded by
``_GradTensor.__getitem__``), ``take``, ``take_along_axis``, the scatter
that is their adjoint, and ``_index_put`` (``x[key] = value`` on a tensor of a
graph, recorded out of place by ``autograd/_inplace.py``).

The backward of ``x[key]`` scatters the gradient into zeros of ``x``'s shape
(adding at repeated integer-array indices, ``_helpers.scatter_add``); that
scatter is itself a recorded operation whose gradient is indexing again, so
higher-order gradients work. The rules read only the indexed tensor's shape (it
may change in place after the call); the index tensors and masks are
version-checked (``index_args``: a write into one since the call would scatter
the gradient to the wrong places).
"""
import math

import numpy as np

import minitensor as xp

from ..._array_object import Tensor, _index_put
from ..._utility_functions import _normalize_axis
from . import rule
from ._helpers import scatter_add, scatter_add_along


@rule("__getitem__", index_args=("key",), params=("x", "key"))
def getitem_vjp(ctx, g, *, x_shape, key):
    return {"x": scatter_add(g, x_shape, key)}


@rule("_getitem_backward", index_args=("key",), params=("g", "shape", "key"))
def scatter_add_vjp(ctx, gg, *, key):
    return {"g": gg[key]}


@rule("_index_put", index_args=("key",), func=_index_put)
def index_put_vjp(ctx, g, *, key, needs):
    # x[key] = value, out of place: x's gradient is g with zeros at key (the same
    # operation again), value's is g[key] (the engine sums it to value's shape)
    return {"x": _index_put(g, key, 0.0) if "x" in needs else None,
            "value": g[key] if "value" in needs else None}


def _index_array(indices):
    return indices._array if isinstance(indices, Tensor) else np.asarray(indices)


@rule("take", index_args=("indices",))
def take_vjp(ctx, g, *, x_shape, indices, axis):
    idx = _index_array(indices)
    if axis is None:
        n = math.prod(x_shape)
        return {"x": xp.reshape(scatter_add(g, (n,), idx), x_shape)}
    ax = _normalize_axis("take", axis, len(x_shape))
    return {"x": scatter_add_along(g, idx, ax, x_shape)}


@rule("take_along_axis", index_args=("indices",))
def take_along_axis_vjp(ctx, g, *, x_shape, indices, axis):
    idx = _index_array(indices)
    if axis is None:
        n = math.prod(x_shape)
        return {"x": xp.reshape(scatter_add(g, (n,), idx), x_shape)}
    nd = len(x_shape)
    ax = _normalize_axis("take_along_axis", axis, nd)
    out_shape = g.shape
    key = []
    for dim in range(nd):
        if dim == ax:
            key.append(np.broadcast_to(idx, out_shape))
            continue
        n = out_shape[dim]
        # an axis of length one in x broadcasts: every position maps to its index 0
        ar = np.arange(n) if x_shape[dim] == n else np.zeros(n, dtype=np.intp)
        key.append(ar.reshape((1,) * dim + (n,) + (1,) * (nd - dim - 1)))
    return {"x": scatter_add(g, x_shape, tuple(key))}
