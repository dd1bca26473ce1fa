"""Gradient rules of the creation functions (``tril``, ``triu``, ``meshgrid``),
the data type functions (``astype``) and the utility functions (``diff``)."""
import minitensor as xp

from ..._utility_functions import _normalize_axis
from . import rule
from ._helpers import along_axis


@rule("astype")
def astype_vjp(ctx, g):
    return g  # the engine casts the gradient back to the input's dtype


@rule("tril")
def tril_vjp(ctx, g, *, k):
    return xp.tril(g, k=k)


@rule("triu")
def triu_vjp(ctx, g, *, k):
    return xp.triu(g, k=k)


@rule("meshgrid")
def meshgrid_vjp(ctx, *grads, indexing):
    # output i varies along axis i (axes 0 and 1 swapped with indexing="xy"); the
    # gradients of arguments that are not tensors are dropped by the binder
    n = len(grads)
    out = []
    for i, g in enumerate(grads):
        ax = 1 - i if indexing == "xy" and n >= 2 and i < 2 else i
        out.append(xp.sum(g, axis=tuple(d for d in range(g.ndim) if d != ax)))
    return {"arrays": out}


@rule("diff")
def diff_vjp(ctx, g, *, x_shape, n, axis, prepend_shape, append_shape):
    n = int(n)
    ax = _normalize_axis("diff", axis, len(x_shape))
    # the lengths along ax of prepend, x, append (the pieces joined before differencing)
    parts = [(name, shape[ax]) for name, shape in (
        ("prepend", prepend_shape), ("x", x_shape), ("append", append_shape)) if shape is not None]
    if g.shape[ax] == 0:  # n >= the joined length: the result is empty
        zshape = list(g.shape)
        zshape[ax] = sum(m for _, m in parts)
        g = xp.zeros(tuple(zshape), dtype=g.dtype)
        n = 0
    for _ in range(n):
        # adjoint of y = z[1:] - z[:-1]
        zshape = list(g.shape)
        zshape[ax] = 1
        z = xp.zeros(tuple(zshape), dtype=g.dtype)
        g = xp.concat([z, g], axis=ax) - xp.concat([g, z], axis=ax)
    grads = {}
    off = 0
    for name, m in parts:
        grads[name] = g[along_axis(ax, slice(off, off + m))]
        off += m
    return grads
