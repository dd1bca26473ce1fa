"""Gradient rules of the convolution and pooling primitives (``_conv_ops.py``),
registered when ``minitensor.nn`` is imported.

The three convolution primitives are the bilinear maps of the trilinear form
``T(g, x, w) = <g, conv2d(x, w)>``: ``conv2d(x, w)``, ``conv2d_input_grad(g, w)``
(d/dx) and ``conv2d_weight_grad(x, g)`` (d/dw). Each rule returns the other two,
so the rules are differentiable to any order with the same kernels. Without
``create_graph`` the ``conv2d`` rule works on the arrays: one transposed copy
of the incoming gradient shared by the bias, weight and input gradients, and
the forward's im2col columns of x (a residual output, ``_conv_ops.KEEP_COLS``;
else recomputed) for the weight gradient.

``max_pool2d``'s gradient scatters to the argmax (``max_pool2d_backward``, a
linear map of g whose gradient is the gather at the same indices);
``avg_pool2d`` and ``avg_pool2d_backward`` are each other's adjoint.
"""
import minitensor as xp

from .._array_object import Tensor
from ..autograd._rules import rule
from . import _conv_ops as C

_new = Tensor._new


def _bias_axes(ndim):
    return (0, 2, 3) if ndim == 4 else (0, 2)


@rule("nn.conv2d", func=C.conv2d)
def conv2d_vjp(ctx, g, g_cols, *, x, weight, stride, padding, dilation, groups, out_hw, needs):
    # (g_cols: the residual's gradient, always None: F.conv2d returns y only)
    if not ctx.create_graph:
        ga, wa = C.as4(g._array), C.as4(weight._array)
        n = ga.shape[0]
        gt = C.g_t(ga, wa.dtype)   # (O, N*L): one copy, shared by the three products
        gx = gw = gb = None
        if "bias" in needs:
            gb = _new(gt.sum(axis=1))
        if "weight" in needs:
            cols = ctx.residual(1)
            if cols is None:
                cols = C.cols_of(C.as4(x._array), C._kern(wa.shape), stride, padding, dilation,
                                 out_hw)
            gw = _new(C.weight_grad(gt, cols, groups, weight.shape))
        if "x" in needs:
            gx = C.input_grad(gt, wa, groups, n, out_hw, C.hw(x.shape), stride, padding,
                              dilation, ga=ga)
            gx = _new(gx.reshape(x.shape))
        return {"x": gx, "weight": gw, "bias": gb}
    gx = gw = gb = None
    if "x" in needs:
        gx = C.conv2d_input_grad(g, weight, None, stride, padding, dilation, groups,
                                 C.hw(x.shape))
    if "weight" in needs:
        gw = C.conv2d_weight_grad(x, g, stride, padding, dilation, groups, weight.shape)
    if "bias" in needs:
        gb = xp.sum(g, axis=_bias_axes(g.ndim))
    return {"x": gx, "weight": gw, "bias": gb}


@rule("nn.conv2d_input_grad", func=C.conv2d_input_grad)
def conv2d_input_grad_vjp(ctx, h, *, g, weight, stride, padding, dilation, groups, needs):
    # y = IG(g, w) + b: <h, IG(g, w)> = <conv2d(h, w), g> = T(g, h, w)
    g_hw = C.hw(g.shape)
    if not ctx.create_graph:
        ha, wa = C.as4(h._array), C.as4(weight._array)
        n = ha.shape[0]
        gg = gw = gb = None
        if "g" in needs or "weight" in needs:
            cols = C.cols_of(ha, C._kern(wa.shape), stride, padding, dilation, g_hw)
            if "g" in needs:
                gg = _new(C.conv_y(cols, wa, None, groups, n, g_hw, g.ndim == 3))
            if "weight" in needs:
                gt = C.g_t(C.as4(g._array), ha.dtype)
                gw = _new(C.weight_grad(gt, cols, groups, weight.shape))
        if "bias" in needs:
            gb = _new(ha.sum(axis=(0, 2, 3)))
        return {"g": gg, "weight": gw, "bias": gb}
    gg = gw = gb = None
    if "g" in needs:
        gg = C.conv2d(h, weight, None, stride, padding, dilation, groups, g_hw)[0]
    if "weight" in needs:
        gw = C.conv2d_weight_grad(h, g, stride, padding, dilation, groups, weight.shape)
    if "bias" in needs:
        gb = xp.sum(h, axis=_bias_axes(h.ndim))
    return {"g": gg, "weight": gw, "bias": gb}


@rule("nn.conv2d_weight_grad", func=C.conv2d_weight_grad)
def conv2d_weight_grad_vjp(ctx, k, *, x, g, stride, padding, dilation, groups, needs):
    # <k, WG(x, g)> = T(g, x, k): d/dx = IG(g, k), d/dg = conv2d(x, k)
    gx = gg = None
    if "x" in needs:
        gx = C.conv2d_input_grad(g, k, None, stride, padding, dilation, groups, C.hw(x.shape))
    if "g" in needs:
        gg = C.conv2d(x, k, None, stride, padding, dilation, groups, C.hw(g.shape))[0]
    return {"x": gx, "g": gg}


@rule("nn.max_pool2d", func=C.max_pool2d)
def max_pool2d_vjp(ctx, g, g_idx, *, x):
    # (reading x checks, as PyTorch, that it was not written in place since the call)
    idx = _new(ctx.residual(1))   # piecewise constant in x: a constant of the graph
    return C.max_pool2d_backward(g, idx, x.shape[2:])


@rule("nn.max_pool2d_backward", func=C.max_pool2d_backward, index_args=("idx",))
def max_pool2d_backward_vjp(ctx, h, *, g_shape, idx):
    # linear in g: the gradient is the gather of h at the same plane indices
    n, c = g_shape[:2]
    hf = xp.reshape(h, (n, c, h.shape[2] * h.shape[3]))
    i = xp.reshape(idx, (n, c, g_shape[2] * g_shape[3]))
    return {"g": xp.reshape(xp.take_along_axis(hf, i, axis=2), g_shape)}


@rule("nn.avg_pool2d", func=C.avg_pool2d)
def avg_pool2d_vjp(ctx, g, *, x_shape, kernel, stride, padding, count_include_pad,
                   divisor_override):
    return C.avg_pool2d_backward(g, kernel, stride, padding, tuple(x_shape[2:]),
                                 count_include_pad, divisor_override)


@rule("nn.avg_pool2d_backward", func=C.avg_pool2d_backward)
def avg_pool2d_backward_vjp(ctx, h, *, g_shape, kernel, stride, padding, count_include_pad,
                            divisor_override):
    return C.avg_pool2d(h, kernel, stride, padding, tuple(g_shape[2:]), count_include_pad,
                        divisor_override)
