"""Gradient rules of the nn primitives (``minitensor/nn/_ops.py``, names
``"nn.<function>"``), registered when ``minitensor.nn`` is imported (autograd
itself does not import nn).

Each rule is differentiable: under ``create_graph=True`` (``ctx.create_graph``)
it is written with namespace operations and nn primitives, whose own rules give
the second derivatives (``g * derivative(x)``, the derivative built from
differentiable operations). Otherwise the activations whose gradient has a
fused kernel (``relu``, ``sigmoid``, ``tanh``, ``silu``, ``gelu``) call it on
the arrays: the same values, one pass, no graph. The other rules
(``linear``, ``softmax``, ...) are one namespace expression for both cases.
"""
import math

import numpy as np

import minitensor as xp

from ... import _kernels
from ..._array_object import Tensor
from ...nn import _nn_kernels, _ops
from . import rule

_new = Tensor._new
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_K = 0.044715


def _kernel(f, a, b):
    with np.errstate(invalid="ignore", over="ignore", divide="ignore", under="ignore"):
        return _new(np.asarray(f(a._array, b._array)))


# ============================================================================ linear
@rule("nn.linear", func=_ops.linear)
def linear_vjp(ctx, g, *, x, weight, needs):
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
    return xp.where(x > 0, g, g * negative_slope)


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
    gy = g * y
    return gy - y * xp.sum(gy, axis=dim, keepdims=True)


@rule("nn.log_softmax", func=_ops.log_softmax)
def log_softmax_vjp(ctx, g, *, dim):
    # the output only: g - softmax(x) * sum(g), softmax(x) = exp(y)
    return g - xp.exp(ctx.out) * xp.sum(g, axis=dim, keepdims=True)
