"""Gradient rules of the statistical functions: reductions (``sum``, ``mean``,
``prod``, ``max``/``min``, ``var``/``std``) and cumulative sums and products."""
import math

import numpy as np

import minitensor as xp

from ..._array_object import Tensor
from ..._statistical_functions import _quiet
from ..._utility_functions import _normalize_axis
from . import rule
from ._helpers import (along_axis, conj_if_complex, prod_of_others, reduction_axes,
                       restore_reduced, reverse_cumsum)


def _spread(a, shape):
    """A one-element ndarray ``a`` as a read-only view of shape ``shape`` (every
    element ``a``'s), as ``xp.broadcast_to`` gives: the gradient of a full
    reduction. Built directly: ``np.broadcast_to`` costs ~2.5 us, and its iterator
    leaves a tuple in CPython's free lists per call."""
    if a.ndim:
        a = a.reshape(())  # (keepdims: shape (1, ..., 1))
    r = np.ndarray(shape, a.dtype, a, 0, (0,) * len(shape))
    r.flags.writeable = False
    return r


@rule("sum")
def sum_vjp(ctx, g, *, x_shape, axis, keepdims):
    if axis is None and type(g) is Tensor:
        # a full sum's plain gradient (not create_graph): the broadcast view
        return Tensor._new(_spread(g._array, x_shape))
    axes = reduction_axes("sum", axis, len(x_shape))
    return xp.broadcast_to(restore_reduced(g, axes, keepdims), x_shape)


@rule("mean")
def mean_vjp(ctx, g, *, x_shape, axis, keepdims):
    if axis is None and type(g) is Tensor:
        # a full mean's plain gradient: g / n (the ufunc ``g / n`` calls), spread
        a = g._array
        n = math.prod(x_shape)
        if n:
            a = np.asarray(_quiet(np.true_divide, a, n))
        return Tensor._new(_spread(a, x_shape))
    axes = reduction_axes("mean", axis, len(x_shape))
    n = math.prod(x_shape[a] for a in axes)
    g = restore_reduced(g, axes, keepdims)
    if n:
        g = g / n
    return xp.broadcast_to(g, x_shape)


@rule("prod")
def prod_vjp(ctx, g, *, x, axis, keepdims):
    axes = reduction_axes("prod", axis, x.ndim)
    g = restore_reduced(g, axes, keepdims)
    return g * conj_if_complex(prod_of_others(x, axes))


@rule("max", "min")
def extremum_vjp(ctx, g, *, x, axis, keepdims):
    # the gradient is split evenly among all maxima (PyTorch's amax rule). The
    # extremum is recomputed from x rather than read from the result: the node
    # keeps no output, and code that writes into the result in place (SciPy's
    # log_softmax: x_max[~isfinite(x_max)] = 0) still differentiates
    axes = reduction_axes(ctx.name, axis, x.ndim)
    out = (xp.max if ctx.name == "max" else xp.min)(x, axis=axes, keepdims=True)
    g = restore_reduced(g, axes, keepdims)
    mask = x == out
    count = xp.sum(mask, axis=axes, keepdims=True)
    return xp.where(mask, g / count, 0.0)


def _centered(name, x, axis, correction):
    """``x`` minus its mean, the reduction axes, and d var / d x's factor 2 / (n - c)."""
    axes = reduction_axes(name, axis, x.ndim)
    n = math.prod(x.shape[a] for a in axes)
    d = x - xp.mean(x, axis=axes, keepdims=True)
    denom = n - float(correction)
    return d, axes, (2.0 / denom if denom > 0 else math.nan)


@rule("var")
def var_vjp(ctx, g, *, x, axis, correction, keepdims):
    d, axes, f = _centered("var", x, axis, correction)
    return restore_reduced(g, axes, keepdims) * d * f


@rule("std")
def std_vjp(ctx, g, *, x, axis, correction, keepdims):
    d, axes, f = _centered("std", x, axis, correction)
    out = ctx.out
    # d std = d var / (2 std); 0 where std == 0 (PyTorch's std_backward)
    gs = xp.where(out == 0, 0.0, g / (2 * xp.where(out == 0, 1.0, out)))
    return restore_reduced(gs, axes, keepdims) * d * f


def _cumulative_axis(name, axis, shape):
    return 0 if axis is None else _normalize_axis(name, axis, max(len(shape), 1))


@rule("cumulative_sum")
def cumulative_sum_vjp(ctx, g, *, x_shape, axis, include_initial):
    ax = _cumulative_axis("cumulative_sum", axis, x_shape)
    if include_initial:
        g = g[along_axis(ax, slice(1, None))]
    gx = reverse_cumsum(g, ax)
    return xp.reshape(gx, x_shape) if len(x_shape) == 0 else gx


@rule("cumulative_prod")
def cumulative_prod_vjp(ctx, g, *, x, axis, include_initial):
    shape = x.shape
    ax = _cumulative_axis("cumulative_prod", axis, shape)
    out = ctx.out
    if len(shape) == 0:
        x = xp.reshape(x, (1,))
    if include_initial:
        g = g[along_axis(ax, slice(1, None))]
        out = out[along_axis(ax, slice(1, None))]
    xc = conj_if_complex(x)
    zero = x == 0
    seen = xp.cumulative_sum(zero, axis=ax)        # zeros up to and including i
    before = seen == 0                              # i before the first zero
    # before the first zero: sum_{k >= i} g_k out_k / x_i (out_k = 0 after the zero)
    r = reverse_cumsum(g * conj_if_complex(out), ax) / xp.where(before, xc, 1.0)
    first = zero & (seen == 1)
    if np.any(first._array):
        # at the first zero z: sum_{k >= z} g_k prod_{j <= k, j != z} x_j, the
        # cumulative product with x_z replaced by 1; after it: 0
        out1 = xp.cumulative_prod(xp.where(first, 1.0, x), axis=ax)
        r1 = reverse_cumsum(g * conj_if_complex(out1), ax)
        gx = xp.where(before, r, xp.where(first, r1, 0.0))
    else:
        gx = xp.where(before, r, 0.0)
    return xp.reshape(gx, shape) if len(shape) == 0 else gx
