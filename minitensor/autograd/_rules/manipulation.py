"""Gradient rules of the manipulation functions."""
import math

import numpy as np

import minitensor as xp

from ..._array_object import Tensor
from ..._utility_functions import _normalize_axis
from . import rule
from ._helpers import along_axis, inverse_permutation, scatter_add_along


@rule("broadcast_to")
def broadcast_to_vjp(ctx, g):
    return g  # the engine sums the gradient down to the input's shape


@rule("broadcast_arrays")
def broadcast_arrays_vjp(ctx, *grads):
    return {"arrays": list(grads)}  # summed down to each input's shape by the engine


@rule("concat")
def concat_vjp(ctx, g, *, arrays_shape, axis):
    pieces = []
    off = 0
    for shape in arrays_shape:
        if axis is None:
            n = math.prod(shape)
            piece = xp.reshape(g[off:off + n], shape)
        else:
            ax = _normalize_axis("concat", axis, len(shape))
            n = shape[ax]
            piece = g[along_axis(ax, slice(off, off + n))]
        off += n
        pieces.append(piece)
    return {"arrays": pieces}


@rule("stack")
def stack_vjp(ctx, g, *, axis):
    return {"arrays": xp.unstack(g, axis=_normalize_axis("stack", axis, g.ndim))}


@rule("unstack")
def unstack_vjp(ctx, *grads, x_shape, axis):
    return xp.stack(list(grads), axis=_normalize_axis("unstack", axis, len(x_shape)))


@rule("expand_dims", "squeeze", "reshape")
def reshape_vjp(ctx, g, *, x_shape):
    return xp.reshape(g, x_shape)


@rule("flip")
def flip_vjp(ctx, g, *, axis):
    return xp.flip(g, axis=axis)


@rule("permute_dims")
def permute_dims_vjp(ctx, g, *, x_shape, axes):
    nd = len(x_shape)
    perm = [int(a) % nd for a in axes] if nd else []
    return xp.permute_dims(g, inverse_permutation(perm))


@rule("moveaxis")
def moveaxis_vjp(ctx, g, *, source, destination):
    return xp.moveaxis(g, destination, source)


@rule("repeat", index_args=("repeats",))
def repeat_vjp(ctx, g, *, x_shape, repeats, axis):
    reps = repeats._array if isinstance(repeats, Tensor) else repeats
    reps = np.asarray(reps).astype(np.int64)
    if reps.ndim == 1 and reps.shape[0] == 1:
        reps = reps[0]
    if axis is None:
        n = math.prod(x_shape)
        idx = np.repeat(np.arange(n), reps)
        gx = xp.reshape(scatter_add_along(g, idx, 0, (n,)), x_shape)
    else:
        ax = _normalize_axis("repeat", axis, len(x_shape))
        idx = np.repeat(np.arange(x_shape[ax]), reps)
        gx = scatter_add_along(g, idx, ax, x_shape)
    return {"x": gx}


@rule("tile", index_args=("repetitions",))
def tile_vjp(ctx, g, *, x_shape, repetitions):
    reps = repetitions
    if isinstance(reps, Tensor):
        reps = reps.tolist()
    reps = tuple(int(r) for r in (reps if isinstance(reps, (tuple, list)) else (reps,)))
    d = max(len(x_shape), len(reps))
    xs = (1,) * (d - len(x_shape)) + tuple(x_shape)
    rs = (1,) * (d - len(reps)) + reps
    inter = []
    for r, s in zip(rs, xs):
        inter += [r, s]
    gx = xp.sum(xp.reshape(g, tuple(inter)), axis=tuple(range(0, 2 * d, 2)))
    return {"x": xp.reshape(gx, x_shape)}


@rule("roll")
def roll_vjp(ctx, g, *, shift, axis):
    neg = tuple(-int(s) for s in shift) if isinstance(shift, (tuple, list)) else -int(shift)
    return xp.roll(g, shift=neg, axis=axis)
