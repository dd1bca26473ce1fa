"""Gradient rules of the nn primitives (``minitensor/nn/_ops.py``, names
``"nn.<function>"``), registered when ``minitensor.nn`` is imported (autograd
itself does not import nn).

Each rule is differentiable: under ``create_graph=True`` (``ctx.create_graph``)
it is written with namespace operations and nn primitives, whose own rules give
the second derivatives (``g * derivative(x)``, the derivative built from
differentiable operations). Otherwise the activations whose gradient has a
fused kernel (``relu``, ``sigmoid``, ``tanh``, ``silu``, ``gelu``) call it on
the arrays, and ``linear``, ``softmax``, ``log_softmax``, ``leaky_relu`` and
the fused ``cross_entropy`` (on its kept probabilities) compute in NumPy: the
same values, no graph, no wrapper calls (``tests/test_nn_rules.py`` and
``tests/test_nn_fast_paths.py`` check both paths against each other and
PyTorch). The other rules are one namespace expression for both cases, except
the normalizations (``layer_norm``, ``rms_norm``, ``group_norm``,
``batch_norm``): without ``create_graph`` they recompute the statistics from
the saved input in NumPy (training-mode ``batch_norm`` takes the fused forward
kernel's kept ``xhat`` and runs the fused backward kernel;
``tests/test_nn_norm_rules.py``). Short rows (a last axis under 128 elements:
features, classes, attention keys) are summed by BLAS products with a vector of
ones (``_ops.row_sum``/``col_sum``), several times faster than NumPy's
reductions there.
"""
import math

import numpy as np

import minitensor as xp

from .. import _kernels
from .._array_object import Tensor
from . import _nn_kernels, _ops
from ..autograd._rules import rule

_new = Tensor._new
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_K = 0.044715


def _kernel(f, a, b):
    # (NumPy's warnings off as in _ops._quiet, in the prepared context)
    return _new(_ops._quiet(f, a._array, b._array))


# ============================================================================ linear
@rule("nn.linear", func=_ops.linear)
def linear_vjp(ctx, g, *, x, weight, needs):
    if not ctx.create_graph:  # the same products on the arrays (no graph, no wrappers)
        ga, xa, wa = g._array, x._array, weight._array
        g2 = ga.reshape(-1, ga.shape[-1])
        return {"x": _new(np.matmul(ga, wa)) if "x" in needs else None,
                "weight": (_new(np.matmul(g2.T, xa.reshape(-1, xa.shape[-1])))
                           if "weight" in needs else None),
                "bias": _new(_ops.col_sum(g2)) if "bias" in needs else None}
    gx = gw = gb = None
    if "x" in needs:
        gx = xp.matmul(g, weight)                           # (..., O) @ (O, I)
    if "weight" in needs or "bias" in needs:
        g2 = xp.reshape(g, (-1, g.shape[-1]))
        if "weight" in needs:
            gw = xp.matmul(xp.matrix_transpose(g2), xp.reshape(x, (-1, x.shape[-1])))
        if "bias" in needs:
            gb = xp.sum(g2, axis=0)
    return {"x": gx, "weight": gw, "bias": gb}


@rule("nn.bilinear", func=_ops.bilinear)
def bilinear_vjp(ctx, g, *, x1, x2, weight, needs):
    # y[n, o] = sum_ij a[n, i] W[o, i, j] b[n, j] (+ bias[o]), n over the leading axes
    O, I, J = weight.shape
    g2 = xp.reshape(g, (-1, O))
    a2 = xp.reshape(x1, (-1, I))
    b2 = xp.reshape(x2, (-1, J))
    gg = xp.expand_dims(g2, axis=1)                                   # (n, 1, o)
    g1 = gb2 = gw = gb = None
    if "x1" in needs:
        # sum_oj g[n, o] W[o, i, j] b[n, j]: (n, 1, o) @ (n, o, i)
        u = xp.matmul(xp.reshape(weight, (O * I, J)), xp.matrix_transpose(b2))  # (o*i, n)
        u = xp.permute_dims(xp.reshape(u, (O, I, -1)), (2, 0, 1))       # (n, o, i)
        g1 = xp.reshape(xp.matmul(gg, u), x1.shape)
    if "x2" in needs:
        # sum_oi g[n, o] a[n, i] W[o, i, j]: (n, 1, o) @ (n, o, j)
        t = xp.matmul(a2, xp.reshape(xp.permute_dims(weight, (1, 0, 2)), (I, O * J)))
        gb2 = xp.reshape(xp.matmul(gg, xp.reshape(t, (-1, O, J))), x2.shape)
    if "weight" in needs:
        # sum_n g[n, o] a[n, i] b[n, j]
        ga = xp.reshape(xp.expand_dims(g2, axis=2) * xp.expand_dims(a2, axis=1), (-1, O * I))
        gw = xp.reshape(xp.matmul(xp.matrix_transpose(ga), b2), (O, I, J))
    if "bias" in needs:
        gb = xp.sum(g2, axis=0)
    return {"x1": g1, "x2": gb2, "weight": gw, "bias": gb}


# ======================================================================= activations
@rule("nn.relu", func=_ops.relu)
def relu_vjp(ctx, g):
    # the output only (inplace=True shares the input's memory); NaN passes g
    y = ctx.out
    if not ctx.create_graph:
        return _kernel(_kernels.relu_backward, y, g)
    return xp.where(y <= 0, xp.zeros_like(g), g)


@rule("nn.leaky_relu", func=_ops.leaky_relu)
def leaky_relu_vjp(ctx, g, *, x, negative_slope):
    if not ctx.create_graph:  # (the same values on the arrays)
        return _new(_ops._quiet(_leaky_grad, x._array, g._array, negative_slope))
    return xp.where(x > 0, g, g * negative_slope)


def _leaky_grad(xa, ga, slope):
    dt = ga.dtype
    if dt.kind == "f" and 0 <= slope <= 1:
        a, b = dt.type(1 - slope), dt.type(slope)
        if a + b == 1:  # g times a factor exactly 1 (x > 0) or the slope: 2x faster
            f = (xa > 0).astype(dt)      # than NumPy's where on floats
            f *= a
            f += b
            f *= ga
            return f
    return np.where(xa > 0, ga, ga * slope)


@rule("nn.elu", func=_ops.elu)
def elu_vjp(ctx, g, *, x, alpha):
    return xp.where(x > 0, g, g * (alpha * xp.exp(xp.minimum(x, 0.0))))


@rule("nn.sigmoid", func=_ops.sigmoid)
def sigmoid_vjp(ctx, g):
    y = ctx.out
    if not ctx.create_graph:
        return _kernel(_kernels.sigmoid_backward, y, g)
    return g * (y * (1 - y))


@rule("nn.tanh", func=_ops.tanh)
def tanh_vjp(ctx, g):
    y = ctx.out
    if not ctx.create_graph:
        return _kernel(_kernels.tanh_backward, y, g)
    return g * (1 - y * y)


@rule("nn.silu", func=_ops.silu)
def silu_vjp(ctx, g, *, x):
    if not ctx.create_graph:
        return _kernel(_kernels.silu_backward, x, g)
    s = _ops.sigmoid(x)
    return g * (s * (1 + x * (1 - s)))


@rule("nn.gelu", func=_ops.gelu)
def gelu_vjp(ctx, g, *, x, approximate):
    if approximate == "tanh":
        if not ctx.create_graph:
            return _kernel(_kernels.gelu_backward, x, g)
        x2 = x * x
        t = xp.tanh(_SQRT_2_OVER_PI * (x + _GELU_K * (x2 * x)))
        d = 0.5 * (1 + t) + (0.5 * _SQRT_2_OVER_PI) * (x * (1 - t * t)) * (1 + (3 * _GELU_K) * x2)
        return g * d
    if not ctx.create_graph:
        return _kernel(_nn_kernels.gelu_erf_backward, x, g)
    return g * (_ops.normal_cdf(x) + x * (_INV_SQRT_2PI * xp.exp(-0.5 * (x * x))))


@rule("nn.prelu", func=_ops.prelu)
def prelu_vjp(ctx, g, *, x, weight, needs):
    if weight.size == 1:
        w = xp.reshape(weight, ())
    elif x.ndim >= 2:
        w = xp.reshape(weight, (1, -1) + (1,) * (x.ndim - 2))
    else:
        w = weight
    pos = x > 0
    gx = gw = None
    if "x" in needs:
        gx = xp.where(pos, g, g * w)
    if "weight" in needs:
        contrib = xp.where(pos, xp.zeros_like(g), g * x)
        if w.ndim == 0:
            gw = xp.reshape(xp.sum(contrib), weight.shape)
        else:  # every axis but the channel axis
            axes = tuple(i for i in range(contrib.ndim) if w.shape[i] == 1)
            gw = xp.reshape(xp.sum(contrib, axis=axes) if axes else contrib, weight.shape)
    return {"x": gx, "weight": gw}


@rule("nn.normal_cdf", func=_ops.normal_cdf)
def normal_cdf_vjp(ctx, g, *, x):
    return g * (_INV_SQRT_2PI * xp.exp(-0.5 * (x * x)))


@rule("nn.softplus", func=_ops.softplus)
def softplus_vjp(ctx, g, *, x, beta, threshold):
    z = x * beta
    return xp.where(z > threshold, g, g * _ops.sigmoid(z))


@rule("nn.hardtanh", func=_ops.hardtanh)
def hardtanh_vjp(ctx, g, *, x, min_val, max_val):
    # 0 at nan too (as PyTorch's vectorised kernel)
    return xp.where(xp.logical_and(x > min_val, x < max_val), g, xp.zeros_like(g))


# ====================================================================== softmax family
@rule("nn.softmax", func=_ops.softmax)
def softmax_vjp(ctx, g, *, dim):
    # the output only: y * (g - sum(g * y))
    y = ctx.out
    if not ctx.create_graph:
        ya, ga = y._array, g._array
        if dim == ya.ndim - 1 and ga.dtype == ya.dtype:  # (y * (g - <g, y>) by rows)
            gx = ga - np.vecdot(ga, ya)[..., None]
            gx *= ya
            return _new(gx)
        gy = ga * ya
        return _new(gy - ya * gy.sum(axis=dim, keepdims=True))
    gy = g * y
    return gy - y * xp.sum(gy, axis=dim, keepdims=True)


@rule("nn.log_softmax", func=_ops.log_softmax)
def log_softmax_vjp(ctx, g, *, dim):
    # the output only: g - softmax(x) * sum(g), softmax(x) = exp(y)
    if not ctx.create_graph:
        ga = g._array
        e = np.exp(ctx.out._array)
        e *= (_ops.row_sum(ga)[..., None] if dim == ga.ndim - 1
              else ga.sum(axis=dim, keepdims=True))
        return _new(np.subtract(ga, e, out=e))
    return g - xp.exp(ctx.out) * xp.sum(g, axis=dim, keepdims=True)


# ---- normalization
# Without create_graph the rules recompute the statistics from the saved input in
# NumPy (a pass over x; no graph); with it they are namespace expressions of x,
# weight and g (differentiable again).
def _zeros_grads(x, g, needs, params):
    """The gradients for an empty input: x's (empty), zeros for the parameters."""
    out = {"x": xp.zeros_like(g) if "x" in needs else None}
    for name, t in params.items():
        out[name] = xp.zeros(t.shape, dtype=g.dtype) if t is not None and name in needs else None
    return out


def _norm_grads_np(g2, xhat, scale, wa, needs, wshape):
    """Rows of ``xhat`` (R, n) normalised by ``scale`` (R, 1): x's gradient of
    ``xhat * wa`` (wa: (n,) or None) as (R, n), weight's and bias's as ``wshape``."""
    n = xhat.shape[1]
    gx = gw = gb = None
    if g2.dtype != xhat.dtype or xhat.dtype not in _ops._BLAS:
        if "x" in needs:
            gxh = g2 if wa is None else g2 * wa
            a = gxh.mean(axis=1, keepdims=True)
            b = np.einsum("ij,ij->i", gxh, xhat)[:, None] / n
            gx = scale * (gxh - a - xhat * b)
        if "weight" in needs:
            gw = _new(np.einsum("ij,ij->j", g2, xhat).reshape(wshape))
        if "bias" in needs:
            gb = _new(g2.sum(axis=0).reshape(wshape))
        return gx, gw, gb
    # float32/64: BLAS row and column sums, the x gradient built in one buffer
    if "weight" in needs:
        gw = _new(_ops.col_sum(g2 * xhat).reshape(wshape))
    if "bias" in needs:
        gb = _new(_ops.col_sum(g2).reshape(wshape))
    if "x" in needs:
        gxh = g2 if wa is None else g2 * wa
        a = _ops.row_sum(gxh)
        a /= n
        b = np.vecdot(gxh, xhat)
        b /= n
        gx = np.multiply(xhat, b[:, None])
        gx += a[:, None]
        np.subtract(gxh, gx, out=gx)
        gx *= scale
    return gx, gw, gb


def _standardize(x, axes, eps):
    """(xhat, invstd) over ``axes`` in namespace operations."""
    xc = x - xp.mean(x, axis=axes, keepdims=True)
    invstd = 1.0 / xp.sqrt(xp.mean(xc * xc, axis=axes, keepdims=True) + eps)
    return xc * invstd, invstd


def _standardize_vjp(gxh, xhat, invstd, axes):
    """x's gradient of ``xhat = standardize(x)`` over ``axes`` given ``gxh``."""
    a = xp.mean(gxh, axis=axes, keepdims=True)
    b = xp.mean(gxh * xhat, axis=axes, keepdims=True)
    return invstd * (gxh - a - xhat * b)


@rule("nn.layer_norm", func=_ops.layer_norm)
def layer_norm_vjp(ctx, g, *, x, k, weight, bias, eps, needs):
    if x.size == 0:
        return _zeros_grads(x, g, needs, {"weight": weight, "bias": bias})
    if not ctx.create_graph:
        xa = x._array
        n = math.prod(xa.shape[xa.ndim - k:])
        xhat, invstd = _ops.row_standardize(xa.reshape(-1, n), eps)
        wshape = None if weight is None else weight.shape
        gx, gw, gb = _norm_grads_np(g._array.reshape(-1, n), xhat, invstd,
                                    None if weight is None else weight._array.reshape(-1),
                                    needs, wshape)
        return {"x": None if gx is None else _new(gx.reshape(xa.shape)),
                "weight": gw, "bias": gb}
    axes = tuple(range(x.ndim - k, x.ndim))
    lead = tuple(range(x.ndim - k))
    xhat, invstd = _standardize(x, axes, eps)
    gx = gw = gb = None
    if "x" in needs:
        gx = _standardize_vjp(g if weight is None else g * weight, xhat, invstd, axes)
    if "weight" in needs:
        gw = xp.sum(g * xhat, axis=lead) if lead else g * xhat
    if "bias" in needs:
        gb = xp.sum(g, axis=lead) if lead else g
    return {"x": gx, "weight": gw, "bias": gb}


@rule("nn.rms_norm", func=_ops.rms_norm)
def rms_norm_vjp(ctx, g, *, x, k, weight, eps, needs):
    if x.size == 0:
        return _zeros_grads(x, g, needs, {"weight": weight})
    if not ctx.create_graph:
        xa = x._array
        n = int(np.prod(xa.shape[xa.ndim - k:], dtype=np.int64))
        x2 = xa.reshape(-1, n)
        r = (1.0 / np.sqrt(np.einsum("ij,ij->i", x2, x2)[:, None] / n + eps)).astype(
            xa.dtype, copy=False)
        xhat = x2 * r
        g2 = g._array.reshape(-1, n)
        gx = gw = None
        if "x" in needs:
            gxh = g2 if weight is None else g2 * weight._array.reshape(-1)
            b = np.einsum("ij,ij->i", gxh, xhat)[:, None] / n
            gx = _new((r * (gxh - xhat * b)).reshape(xa.shape))
        if "weight" in needs:
            gw = _new(np.einsum("ij,ij->j", g2, xhat).reshape(weight.shape))
        return {"x": gx, "weight": gw}
    axes = tuple(range(x.ndim - k, x.ndim))
    lead = tuple(range(x.ndim - k))
    r = 1.0 / xp.sqrt(xp.mean(x * x, axis=axes, keepdims=True) + eps)
    xhat = x * r
    gx = gw = None
    if "x" in needs:
        gxh = g if weight is None else g * weight
        gx = r * (gxh - xhat * xp.mean(gxh * xhat, axis=axes, keepdims=True))
    if "weight" in needs:
        gw = xp.sum(g * xhat, axis=lead) if lead else g * xhat
    return {"x": gx, "weight": gw}


def _channel(t, ndim):
    """A per-channel vector (C,) shaped to broadcast against (N, C, *) of ``ndim`` axes."""
    return xp.reshape(t, (-1,) + (1,) * (ndim - 2))


@rule("nn.group_norm", func=_ops.group_norm)
def group_norm_vjp(ctx, g, *, x, groups, weight, bias, eps, needs):
    if x.size == 0:
        return _zeros_grads(x, g, needs, {"weight": weight, "bias": bias})
    shape = x.shape
    n_, c = shape[0], shape[1]
    if not ctx.create_graph:
        xa = x._array
        x3 = xa.reshape(n_, groups, -1)
        xc = x3 - x3.mean(axis=2, keepdims=True)
        var = np.einsum("ngk,ngk->ng", xc, xc)[:, :, None] / x3.shape[2]
        invstd = (1.0 / np.sqrt(var + eps)).astype(xa.dtype, copy=False)
        xh = xc * invstd                                          # (N, G, m)
        g3 = g._array.reshape(n_, c, -1)
        gx = gw = gb = None
        if "x" in needs:
            gxh = g3 if weight is None else g3 * weight._array[:, None]
            gxh = gxh.reshape(n_, groups, -1)
            a = gxh.mean(axis=2, keepdims=True)
            b = np.einsum("ngk,ngk->ng", gxh, xh)[:, :, None] / xh.shape[2]
            gx = _new((invstd * (gxh - a - xh * b)).reshape(shape))
        if "weight" in needs:
            gw = _new(np.einsum("ncl,ncl->c", g3, xh.reshape(n_, c, -1)))
        if "bias" in needs:
            gb = _new(g3.sum(axis=(0, 2)))
        return {"x": gx, "weight": gw, "bias": gb}
    x3 = xp.reshape(x, (n_, groups, -1))
    xhat, invstd = _standardize(x3, (2,), eps)
    g3 = xp.reshape(g, (n_, c, -1))
    xhat_c = xp.reshape(xhat, (n_, c, -1))
    gx = gw = gb = None
    if "x" in needs:
        gxh = g3 if weight is None else g3 * xp.reshape(weight, (c, 1))
        gx = xp.reshape(_standardize_vjp(xp.reshape(gxh, (n_, groups, -1)), xhat, invstd, (2,)),
                        shape)
    if "weight" in needs:
        gw = xp.sum(g3 * xhat_c, axis=(0, 2))
    if "bias" in needs:
        gb = xp.sum(g3, axis=(0, 2))
    return {"x": gx, "weight": gw, "bias": gb}


@rule("nn.batch_norm", func=_ops.batch_norm)
def batch_norm_vjp(ctx, g, g_kept, *, x, weight, bias, running_mean, running_var, training, eps,
                   needs):
    # (g_kept: the Residual's slot, always None)
    if x.size == 0:
        return _zeros_grads(x, g, needs, {"weight": weight, "bias": bias})
    shape = x.shape
    n_, c = shape[0], shape[1]
    if not ctx.create_graph:
        xa = x._array
        ga = g._array
        x3 = xa.reshape(n_, c, -1)
        g3 = ga.reshape(n_, c, -1)
        wa = None if weight is None else weight._array
        gx = gw = gb = None
        if training:
            dt = xa.dtype
            if _ops._bn_fused(x3, wa, None) and ga.dtype == dt:
                kept = ctx.residual(1)   # the fused forward's xhat and variance
                if kept is not None:
                    xhat, var = kept
                else:
                    _, xhat, _, var = _nn_kernels.batch_norm_forward(x3, None, None, eps)
                invstd = (1.0 / np.sqrt(var + eps)).astype(dt, copy=False)
                k = invstd if wa is None else wa * invstd
                gx, gsum, gdot = _nn_kernels.batch_norm_backward(g3, xhat, k, "x" in needs)
                gx = None if gx is None else _new(gx.reshape(shape))
                gw = _new(gdot.astype(dt)) if "weight" in needs else None
                gb = _new(gsum.astype(dt)) if "bias" in needs else None
                return {"x": gx, "weight": gw, "bias": gb}
            m = x3.shape[0] * x3.shape[2]
            mean = x3.mean(axis=(0, 2))
            xc = x3 - mean[:, None]
            var = np.einsum("ncl,ncl->c", xc, xc) / m
            invstd = (1.0 / np.sqrt(var + eps)).astype(dt, copy=False)
            xhat = xc * invstd[:, None]
            gsum = g3.sum(axis=(0, 2))
            gdot = np.einsum("ncl,ncl->c", g3, xhat)
            if "x" in needs:
                k = invstd if wa is None else wa * invstd
                gx = _new(((k / m)[:, None] * (m * g3 - gsum[:, None] - xhat * gdot[:, None]))
                          .reshape(shape))
        else:
            invstd = (1.0 / np.sqrt(running_var._array + eps)).astype(xa.dtype, copy=False)
            gsum = g3.sum(axis=(0, 2))
            gdot = (np.einsum("ncl,ncl->c", g3, x3 - running_mean._array[:, None]) * invstd
                    if "weight" in needs else None)
            if "x" in needs:
                k = invstd if wa is None else wa * invstd
                gx = _new((g3 * k[:, None]).reshape(shape))
        return {"x": gx, "weight": _new(gdot) if "weight" in needs else None,
                "bias": _new(gsum) if "bias" in needs else None}
    x3 = xp.reshape(x, (n_, c, -1))
    g3 = xp.reshape(g, (n_, c, -1))
    gx = gw = gb = None
    if training:
        xhat, invstd = _standardize(x3, (0, 2), eps)
        if "x" in needs:
            gxh = g3 if weight is None else g3 * xp.reshape(weight, (c, 1))
            gx = xp.reshape(_standardize_vjp(gxh, xhat, invstd, (0, 2)), shape)
    else:
        invstd = xp.reshape(1.0 / xp.sqrt(running_var + eps), (c, 1))
        xhat = (x3 - xp.reshape(running_mean, (c, 1))) * invstd
        if "x" in needs:
            gx = xp.reshape(g3 * (invstd if weight is None else xp.reshape(weight, (c, 1)) * invstd),
                            shape)
    if "weight" in needs:
        gw = xp.sum(g3 * xhat, axis=(0, 2))
    if "bias" in needs:
        gb = xp.sum(g3, axis=(0, 2))
    return {"x": gx, "weight": gw, "bias": gb}
# ---- losses
def _loss_scale(reduction, shape):
    """d loss / d l_i of the reduction of an elementwise loss of ``shape``
    (``None``: ``"none"``, the gradient has the loss's shape)."""
    if reduction == "none":
        return None
    if reduction == "sum":
        return 1.0
    n = math.prod(shape)
    return 1.0 / n if n else 0.0


def _pointwise_vjp(ctx, g, x, t, reduction, needs, deriv_np, deriv_xp):
    """Gradients of a loss of ``d = x - t``: ``g * scale * l'(d)`` and its negative."""
    if not ctx.create_graph:
        d = x._array - t._array
        scale = _loss_scale(reduction, d.shape)
        ga = g._array if scale is None else g._array * scale
        with np.errstate(invalid="ignore", over="ignore", divide="ignore", under="ignore"):
            gd = np.asarray(ga * deriv_np(d))
        return {"input": _new(gd) if "input" in needs else None,
                "target": _new(-gd) if "target" in needs else None}
    d = x - t
    scale = _loss_scale(reduction, d.shape)
    gd = (g if scale is None else g * scale) * deriv_xp(d)
    return {"input": gd if "input" in needs else None,
            "target": -gd if "target" in needs else None}


@rule("nn.mse_loss", func=_ops.mse_loss)
def mse_loss_vjp(ctx, g, *, input, target, reduction, needs):
    return _pointwise_vjp(ctx, g, input, target, reduction, needs,
                          lambda d: 2 * d, lambda d: 2 * d)


@rule("nn.l1_loss", func=_ops.l1_loss)
def l1_loss_vjp(ctx, g, *, input, target, reduction, needs):
    return _pointwise_vjp(ctx, g, input, target, reduction, needs, np.sign, xp.sign)


@rule("nn.smooth_l1_loss", func=_ops.smooth_l1_loss)
def smooth_l1_loss_vjp(ctx, g, *, input, target, reduction, beta, needs):
    if beta == 0:
        return _pointwise_vjp(ctx, g, input, target, reduction, needs, np.sign, xp.sign)
    return _pointwise_vjp(
        ctx, g, input, target, reduction, needs,
        lambda d: np.where(np.abs(d) < beta, d / beta, np.sign(d)),
        lambda d: xp.where(xp.abs(d) < beta, d / beta, xp.sign(d)))


@rule("nn.huber_loss", func=_ops.huber_loss)
def huber_loss_vjp(ctx, g, *, input, target, reduction, delta, needs):
    return _pointwise_vjp(ctx, g, input, target, reduction, needs,
                          lambda d: np.clip(d, -delta, delta),
                          lambda d: xp.clip(d, -delta, delta))


def _unrows(rows, shape):
    """Undo ``_ops.class_rows``: ``(M, C)`` rows back to ``shape`` (class axis 1)."""
    if len(shape) == 1:
        return xp.reshape(rows, shape)
    if len(shape) > 2:
        r = xp.reshape(rows, (shape[0],) + tuple(shape[2:]) + (shape[1],))
        return xp.moveaxis(r, -1, 1)
    return rows


@rule("nn.nll_loss", func=_ops.nll_loss)
def nll_loss_vjp(ctx, g, *, input, target, weight, ignore_index, reduction, label_smoothing,
                 needs):
    # linear in the log-probabilities: d rows / d logp = -coef (a constant)
    shape = input.shape
    c = shape[0] if len(shape) == 1 else shape[1]
    m = 1 if len(shape) == 1 else math.prod(shape[:1] + shape[2:])
    ta = target._array
    coef, denom = _ops.nll_coefficients(
        (m, c), ta, None if weight is None else weight._array, ignore_index, reduction,
        label_smoothing, input._array.dtype)
    if reduction == "none":
        scale = None
    elif reduction == "sum":
        scale = 1.0
    else:
        scale = 1.0 / denom if denom != 0 else np.nan
    prob = ta.dtype.kind == "f"
    if not ctx.create_graph:
        ga = g._array if scale is None else g._array * scale
        a = np.broadcast_to(np.reshape(ga, (-1, 1)), (m, 1))
        with np.errstate(invalid="ignore"):
            gx = _unrows(_new((-a * coef).astype(coef.dtype, copy=False)), shape) \
                if "input" in needs else None
            gt = None
            if prob and "target" in needs:
                t2 = -(1 - label_smoothing) * (a * _ops.class_rows(input._array))
                if weight is not None:
                    t2 = t2 * weight._array
                gt = _unrows(_new(t2.astype(coef.dtype, copy=False)), shape)
        return {"input": gx, "target": gt}
    a = xp.reshape(g if scale is None else g * scale, (-1, 1))
    gx = _unrows(-a * _new(coef), shape) if "input" in needs else None
    gt = None
    if prob and "target" in needs:
        x2 = xp.reshape(input, (1, -1)) if len(shape) == 1 else (
            xp.reshape(xp.moveaxis(input, 1, -1), (-1, c)) if len(shape) > 2 else input)
        gt = -(1 - label_smoothing) * (a * x2)
        if weight is not None:
            gt = gt * weight
        gt = _unrows(gt, shape)
    return {"input": gx, "target": gt}


@rule("nn.cross_entropy", func=_ops.cross_entropy)
def cross_entropy_vjp(ctx, g, g_p, *, input, target, weight, ignore_index, reduction,
                      label_smoothing, needs):
    # (g_p: the residual's slot, always None.) rows_i = -sum_j coef_ij log p_ij (coef
    # as in _ops.nll_coefficients), so d rows_i / d x_ij = p_ij sum_k coef_ik - coef_ij
    m, c = input.shape
    ta = target._array
    dt = input._array.dtype
    w = None if weight is None else weight._array
    eps = label_smoothing
    valid = ta != ignore_index
    tc = np.where(valid, ta, 0)
    wt = valid.astype(dt) if w is None else (w[tc] * valid).astype(dt, copy=False)
    if reduction == "none":
        scale = None
    elif reduction == "sum":
        scale = 1.0
    else:
        denom = wt.sum()
        scale = 1.0 / denom if denom != 0 else np.nan
    wsum = c if w is None else w.sum(dtype=dt)
    if not ctx.create_graph:
        p = ctx.residual(1)
        ga = g._array
        a = (ga if scale is None else ga * scale).astype(dt, copy=False)
        ar = np.arange(m)
        with np.errstate(invalid="ignore", over="ignore"):
            at = a * wt                                    # the targets' coefficients
            if eps > 0:
                at = at * (1 - eps)
                av = (a * valid) * (eps / c)               # the smoothing's, per row
                gx = p * (at + av * wsum)[:, None]
                gx -= av[:, None] if w is None else av[:, None] * w
            else:
                gx = p * at[:, None]
            gx[ar, tc] -= at
        return {"input": _new(gx.astype(dt, copy=False))}
    coef, _ = _ops.nll_coefficients((m, c), ta, w, ignore_index, reduction, eps, dt)
    csum = (1 - eps) * wt + (eps / c) * (valid * wsum) if eps > 0 else wt
    a = xp.reshape(g if scale is None else g * scale, (-1, 1))
    P = _ops.softmax(input, 1)
    return {"input": a * (P * _new(csum.astype(dt, copy=False)[:, None]) - _new(coef))}


def _weighted(g, reduction, shapes, weight):
    """``g`` times the reduction's scale (and the weights): d loss / d l_i."""
    scale = _loss_scale(reduction, np.broadcast_shapes(*shapes))
    a = g if scale is None else g * scale
    return a if weight is None else a * weight


@rule("nn.binary_cross_entropy", func=_ops.binary_cross_entropy)
def binary_cross_entropy_vjp(ctx, g, *, input, target, weight, reduction, needs):
    shapes = (input.shape, target.shape) + (() if weight is None else (weight.shape,))
    if not ctx.create_graph:
        x, t = input._array, target._array
        a = _weighted(g._array, reduction, shapes, None if weight is None else weight._array)
        gx = gt = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if "input" in needs:  # PyTorch's formula: g (x - t) / max((1 - x) x, eps)
                gx = _new(np.asarray(a * (x - t) / np.maximum((1 - x) * x, 1e-12)))
            if "target" in needs:
                gt = _new(np.asarray(a * (np.maximum(np.log1p(-x), -100)
                                          - np.maximum(np.log(x), -100))))
        return {"input": gx, "target": gt}
    a = _weighted(g, reduction, shapes, weight)
    gx = gt = None
    if "input" in needs:
        gx = a * (input - target) / xp.maximum((1 - input) * input, 1e-12)
    if "target" in needs:
        gt = a * (xp.maximum(xp.log1p(-input), -100.0) - xp.maximum(xp.log(input), -100.0))
    return {"input": gx, "target": gt}


@rule("nn.binary_cross_entropy_with_logits", func=_ops.binary_cross_entropy_with_logits)
def binary_cross_entropy_with_logits_vjp(ctx, g, *, input, target, weight, pos_weight,
                                         reduction, needs):
    shapes = ((input.shape, target.shape) + (() if weight is None else (weight.shape,))
              + (() if pos_weight is None else (pos_weight.shape,)))
    gx = gt = None
    if not ctx.create_graph:
        x, t = input._array, target._array
        a = _weighted(g._array, reduction, shapes, None if weight is None else weight._array)
        pw = None if pos_weight is None else pos_weight._array
        if "input" in needs:
            s = _kernels.sigmoid(np.ascontiguousarray(x))
            gx = _new(np.asarray(a * (s - t) if pw is None
                                 else a * (s * (1 - t + pw * t) - pw * t)))
        if "target" in needs:  # -(pw log sigmoid(x) - log(1 - sigmoid(x)))
            gt = _new(np.asarray(-a * x if pw is None
                                 else -a * (x + (1 - pw) * _ops.softplus_neg(x))))
        return {"input": gx, "target": gt}
    a = _weighted(g, reduction, shapes, weight)
    x, t, pw = input, target, pos_weight
    if "input" in needs:
        s = _ops.sigmoid(x)
        gx = a * (s - t) if pw is None else a * (s * (1 - t + pw * t) - pw * t)
    if "target" in needs:
        gt = -a * x if pw is None else -a * (x + (1 - pw) * _ops.softplus(-x))
    return {"input": gx, "target": gt}


@rule("nn.kl_div", func=_ops.kl_div)
def kl_div_vjp(ctx, g, *, input, target, reduction, log_target, needs):
    shape = np.broadcast_shapes(input.shape, target.shape)
    if reduction == "batchmean":
        n = input.shape[0] if input.ndim else 1
        scale = 1.0 / n if n else 0.0
    else:
        scale = _loss_scale(reduction, shape)
    if not ctx.create_graph:
        x, t = input._array, target._array
        a = g._array if scale is None else g._array * scale
        gx = gt = None
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if log_target:
                et = np.exp(t)
                gx = -a * et if "input" in needs else None
                gt = a * et * (t - x + 1) if "target" in needs else None
            else:
                gx = -a * t if "input" in needs else None
                if "target" in needs:
                    gt = a * np.where(t > 0, np.log(np.where(t > 0, t, 1)) + 1 - x, 0)
        return {"input": None if gx is None else _new(np.asarray(gx)),
                "target": None if gt is None else _new(np.asarray(gt))}
    a = g if scale is None else g * scale
    x, t = input, target
    gx = gt = None
    if log_target:
        et = xp.exp(t)
        gx = -a * et if "input" in needs else None
        gt = a * (et * (t - x + 1)) if "target" in needs else None
    else:
        gx = -a * t if "input" in needs else None
        if "target" in needs:
            pos = t > 0
            gt = a * xp.where(pos, xp.log(xp.where(pos, t, xp.ones_like(t))) + 1 - x,
                              xp.zeros_like(x))
    return {"input": gx, "target": gt}
