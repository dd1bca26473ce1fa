"""Helpers shared by the gradient rules, written with namespace operations
(differentiable themselves) unless they only build constants or indices."""
import math

import numpy as np

import minitensor as xp

from ..._array_object import Tensor, _index_key
from ..._dispatch import differentiable
from ..._utility_functions import _normalize_axes

LN2 = math.log(2.0)
LN10 = math.log(10.0)


def is_complex(v):
    """Whether ``v`` (a tensor, NumPy value or Python number) is complex."""
    if isinstance(v, Tensor):
        return v._array.dtype.kind == "c"
    if isinstance(v, (np.ndarray, np.generic)):
        return v.dtype.kind == "c"
    return isinstance(v, complex)


def conj_if_complex(v):
    """``conj(v)`` for complex values; real values unchanged (no copy)."""
    if not is_complex(v):
        return v
    if isinstance(v, Tensor):
        return xp.conj(v)
    return np.conj(v) if isinstance(v, (np.ndarray, np.generic)) else v.conjugate()


def conj_transpose(t):
    """The conjugate transpose of the last two axes (``A^H``)."""
    return conj_if_complex(xp.matrix_transpose(t))


def real_dtype(t):
    """The real dtype of tensor ``t`` (float64 for complex128, ...)."""
    return {np.dtype("complex64"): xp.float32, np.dtype("complex128"): xp.float64}.get(
        t._array.dtype, t.dtype)


def constant_like(a, like):
    """The NumPy constant ``a`` as a tensor of ``like``'s real dtype."""
    return xp.asarray(np.asarray(a), dtype=real_dtype(like))


def has_nonzero(t):
    """Whether the (gradient) tensor has a nonzero element (a zero-filled gradient
    of an unused output lets a rule skip terms that need extra assumptions)."""
    return bool(np.any(t._array))


def complex_sign(x):
    """``x / |x|`` (0 at 0): ``sign`` for real tensors, the complex sign otherwise,
    written with differentiable operations."""
    if not is_complex(x):
        return xp.sign(x)
    a = xp.abs(x)
    return x / xp.where(a == 0, 1.0, a)


def eye_like(n, like, dtype=None):
    """The ``n x n`` identity in ``like``'s real dtype (or ``dtype``)."""
    return xp.asarray(np.eye(n), dtype=dtype or real_dtype(like))


def diag_embed(v):
    """Square matrices with ``v`` (``(..., n)``) on their diagonals."""
    n = v.shape[-1]
    return xp.expand_dims(v, axis=-2) * eye_like(n, v)


def restore_reduced(g, axes, keepdims):
    """A reduction's gradient (or output) with the reduced ``axes`` back, size one."""
    if not keepdims and axes:
        g = xp.expand_dims(g, axis=tuple(axes))
    return g


def reduction_axes(name, axis, ndim):
    """The normalised, sorted reduction axes of ``axis`` (None: all)."""
    if ndim == 0:
        return ()
    return _normalize_axes(name, axis, ndim)


def along_axis(ax, sl):
    """An index key applying ``sl`` (a slice or an index) along axis ``ax``."""
    return (slice(None),) * ax + (sl, Ellipsis)


def reverse_cumsum(t, ax):
    """Reverse cumulative sum along ``ax``: ``out[i] = sum(t[i:])``."""
    return xp.flip(xp.cumulative_sum(xp.flip(t, axis=ax), axis=ax), axis=ax)


def fit_length(t, n, ax):
    """``t`` trimmed or zero-padded at the end of axis ``ax`` to length ``n``."""
    m = t.shape[ax]
    if m == n:
        return t
    if m > n:
        return t[along_axis(ax, slice(0, n))]
    shape = list(t.shape)
    shape[ax] = n - m
    return xp.concat([t, xp.zeros(tuple(shape), dtype=t.dtype)], axis=ax)


def shape_only(shape):
    """A NumPy array of ``shape`` without memory (for the forward's argument
    helpers, which validate axes against an array)."""
    return np.broadcast_to(np.empty((), dtype=np.bool_), shape)


def prod_of_others(x, axes):
    """For each element of ``x``, the product of the other elements of its reduction
    group (over ``axes``): exclusive cumulative products from both ends, exact with
    zeros (PyTorch's prod_safe_zeros_backward)."""
    nd = x.ndim
    keep = [a for a in range(nd) if a not in axes]
    perm = keep + list(axes)
    xt = xp.permute_dims(x, tuple(perm)) if perm != list(range(nd)) else x
    lead = xt.shape[:len(keep)]
    n = math.prod(x.shape[a] for a in axes)
    xf = xp.reshape(xt, lead + (n,))
    left = xp.cumulative_prod(xf, axis=-1, include_initial=True)[..., :-1]
    right = xp.flip(xp.cumulative_prod(xp.flip(xf, axis=-1), axis=-1, include_initial=True)
                    [..., :-1], axis=-1)
    others = xp.reshape(left * right, xt.shape)
    if perm != list(range(nd)):
        others = xp.permute_dims(others, tuple(int(i) for i in np.argsort(perm)))
    return others


def inverse_permutation(perm):
    """The axes that undo ``permute_dims(., perm)``."""
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return tuple(inv)


# ---- the adjoint of indexing: a recorded operation of its own (its rule, in
# indexing.py, is indexing again), so higher-order gradients work
def _is_basic(k):
    """Whether a translated key does basic indexing only (no repeated elements)."""
    items = k if type(k) is tuple else (k,)
    for i in items:
        if not (type(i) is int or type(i) is slice or i is None or i is Ellipsis):
            return False
    return True


@differentiable("_getitem_backward")
def scatter_add(g, shape, key):
    """Zeros of ``shape`` with ``g`` added at ``key`` (the adjoint of ``x[key]``;
    repeated integer-array indices add up)."""
    a = g._array
    out = np.zeros(shape, a.dtype)
    k = _index_key(key)
    if _is_basic(k):
        out[k] = a
    else:
        np.add.at(out, k, a)
    return Tensor._new(out)


def scatter_add_along(g, idx, ax, shape):
    """Zeros of ``shape`` with ``g`` added at integer indices ``idx`` (NumPy array)
    along axis ``ax`` (repeated indices add up)."""
    return scatter_add(g, shape, (slice(None),) * ax + (idx,))
