"""Convolutions and pooling as ``autograd.Function`` subclasses (NCHW layout).

Convolution is im2col + matrix product: the Pythran ``im2col_cm`` kernel
gathers the windows (with the zero padding and dilation) into a channel-major
(C, kh*kw, N, Ho*Wo) array, one ``matmul`` per group over the whole batch
multiplies by the weights (BLAS), and the backward pass scatter-adds the column
gradients back with ``col2im_cm``. The
1-D forms run as 2-D with a height of 1. Geometry arguments arrive checked and
normalised by ``nn.functional`` (``padding`` is the left/top padding; the
output size is given, so asymmetric "same" padding is implicit).
"""
import numpy as np

from .._array_object import Tensor
from ..autograd import Function
from . import _nn_kernels as K
from ._functions import _garr, _T

_new = Tensor._new


def _cols(xa, kernel, stride, padding, dilation, out_hw):
    n, c, h, w = xa.shape
    return K.im2col(xa.reshape(n * c, h, w), kernel, stride, padding, dilation, out_hw)


class Conv2d(Function):
    """y[n, o] = sum over the group's channels and the window of w * x (+ b).

    The columns are channel-major, (C, kh*kw, N, Ho*Wo): per group, the forward
    pass, the weight gradient and the column gradient are each one matrix product
    over the whole batch (one large GEMM instead of N small ones), and the batch
    axis is moved in front of the output channels once (after the bias add).
    """

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding, dilation, groups, out_hw):
        xa, wa = x._array, weight._array
        one_d = xa.ndim == 3
        if one_d:
            xa = xa[:, :, None, :]
            wa = wa[:, :, None, :]
            stride, padding, dilation = (1,) + stride, (0,) + padding, (1,) + dilation
            out_hw = (1,) + out_hw
        n, c, h, w = xa.shape
        o, cg, kh, kw = wa.shape
        g = groups
        kern = (kh, kw)
        L = out_hw[0] * out_hw[1]
        cols = K.im2col_cm(xa, kern, stride, padding, dilation, out_hw)   # (c, k, n, L)
        cols3 = cols.reshape(g, cg * kh * kw, n * L)
        w3 = wa.reshape(g, o // g, cg * kh * kw)
        if g == 1:
            yt = np.matmul(w3[0], cols3[0])                                # (o, n*L)
        else:
            yt = np.matmul(w3, cols3)                                      # (g, o/g, n*L)
        yt = yt.reshape(o, n * L)
        if bias is not None:
            # on the contiguous (o, n*L) product: ~3x faster than adding during the transpose
            np.add(yt, bias._array.astype(yt.dtype, copy=False)[:, None], out=yt)
        y = np.ascontiguousarray(yt.reshape(o, n, L).transpose(1, 0, 2))
        ctx.geom = (kern, stride, padding, dilation, out_hw, (h, w), g)
        ctx.cols3, ctx.w3, ctx.wshape, ctx.xshape, ctx.one_d = cols3, w3, weight.shape, x.shape, one_d
        y = y.reshape(n, o, out_hw[0], out_hw[1])
        if one_d:
            y = y[:, :, 0, :]
        return _new(y)

    @staticmethod
    def backward(ctx, gout):
        ga = _garr("conv", gout)
        kern, stride, padding, dilation, out_hw, hw, g = ctx.geom
        n, o = ga.shape[:2]
        L = out_hw[0] * out_hw[1]
        cols3, w3 = ctx.cols3, ctx.w3
        # (n, o, L) -> (o, n, L): one copy, shared by the three products below
        gt = np.ascontiguousarray(ga.reshape(n, o, L).transpose(1, 0, 2), dtype=cols3.dtype)
        g3 = gt.reshape(g, o // g, n * L)
        nx, nw, nb = ctx.needs_input_grad[:3]
        gx = gw = gb = None
        if nb:
            gb = gt.reshape(o, n * L).sum(axis=1)
        if nw:
            if g == 1:
                gw = np.matmul(g3[0], cols3[0].T)
            else:
                gw = np.matmul(g3, cols3.transpose(0, 2, 1))
            gw = gw.reshape(ctx.wshape)
        if nx:
            if g == 1:
                gcols = np.matmul(w3[0].T, g3[0])                          # (c*k, n*L)
            else:
                gcols = np.matmul(w3.transpose(0, 2, 1), g3)               # (g, cg*k, n*L)
            k = kern[0] * kern[1]
            gcols = gcols.reshape(-1, k, n, L)                             # (c, k, n, L)
            gx = K.col2im_cm(gcols, hw, kern, stride, padding, dilation, out_hw)
            gx = gx.reshape(ctx.xshape)
        return _T(gx), _T(gw), _T(gb), None, None, None, None, None


class ConvTranspose2d(Function):
    """The adjoint of ``Conv2d`` w.r.t. its input (a "deconvolution"), plus bias."""

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding, dilation, groups, out_hw):
        xa, wa = x._array, weight._array
        one_d = xa.ndim == 3
        if one_d:
            xa = xa[:, :, None, :]
            wa = wa[:, :, None, :]
            stride, padding, dilation = (1,) + stride, (0,) + padding, (1,) + dilation
            out_hw = (1,) + out_hw
        n, cin, hin, win = xa.shape
        _, cog, kh, kw = wa.shape
        g = groups
        cig = cin // g
        kern = (kh, kw)
        Lin = hin * win
        x4 = xa.reshape(n, g, cig, Lin)
        w3 = wa.reshape(g, cig, cog * kh * kw)
        cols = np.matmul(w3.transpose(0, 2, 1), x4)                  # (n, g, cog*k, Lin)
        cout = g * cog
        cols = cols.reshape(n * cout, kh * kw, Lin)
        y = K.col2im(cols, out_hw, kern, stride, padding, dilation, (hin, win))
        y = y.reshape(n, cout, out_hw[0], out_hw[1])
        if bias is not None:
            y += bias._array[:, None, None]
        ctx.geom = (kern, stride, padding, dilation, out_hw, (hin, win), g)
        ctx.x4, ctx.w3, ctx.wshape, ctx.xshape, ctx.one_d = x4, w3, weight.shape, x.shape, one_d
        if one_d:
            y = y[:, :, 0, :]
        return _new(y)

    @staticmethod
    def backward(ctx, gout):
        ga = _garr("conv_transpose", gout)
        kern, stride, padding, dilation, out_hw, in_hw, g = ctx.geom
        if ctx.one_d:
            ga = ga[:, :, None, :]
        n, cout = ga.shape[:2]
        nx, nw, nb = ctx.needs_input_grad[:3]
        gx = gw = gb = None
        if nb:
            gb = ga.sum(axis=(0, 2, 3))
        if nx or nw:
            gcols = _cols(np.ascontiguousarray(ga), kern, stride, padding, dilation, in_hw)
            Lin = in_hw[0] * in_hw[1]
            gcols = gcols.reshape(n, g, -1, Lin)                      # (n, g, cog*k, Lin)
            if nx:
                gx = np.matmul(ctx.w3, gcols).reshape(ctx.xshape)
            if nw:
                gw = np.matmul(ctx.x4, gcols.transpose(0, 1, 3, 2)).sum(axis=0).reshape(ctx.wshape)
        return _T(gx), _T(gw), _T(gb), None, None, None, None, None


class MaxPool2d(Function):
    """Window maxima (padding never wins); the backward routes each gradient to its argmax."""

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation, out_hw):
        xa = x._array
        n, c, h, w = xa.shape
        out, idx = K.maxpool2d(xa.reshape(n * c, h, w), kernel, stride, padding, dilation, out_hw)
        ctx.idx, ctx.hw, ctx.xshape = idx, (h, w), xa.shape
        shape = (n, c) + tuple(out_hw)
        return _new(out.reshape(shape)), _new(idx.astype(np.int64).reshape(shape))

    @staticmethod
    def backward(ctx, g, gidx=None):
        ga = _garr("max_pool2d", g)
        n, c = ctx.xshape[:2]
        gx = K.maxpool2d_backward(ga.reshape(n * c, ga.shape[2], ga.shape[3]), ctx.idx, ctx.hw)
        return _new(gx.reshape(ctx.xshape)), None, None, None, None, None


def _avg_divisor(size, k, s, p, out, include_pad):
    start = np.arange(out) * s - p
    end = np.minimum(start + k, size + p)
    pool = end - start
    if include_pad:
        return pool
    return np.minimum(end, size) - np.maximum(start, 0)


class AvgPool2d(Function):
    """Window means (PyTorch's divisor rules for padding and ceil mode)."""

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, out_hw, count_include_pad, divisor_override):
        xa = x._array
        n, c, h, w = xa.shape
        cols = _cols(xa, kernel, stride, padding, (1, 1), out_hw)      # (nc, k, L)
        if divisor_override:
            div = np.full(out_hw, float(divisor_override))
        else:
            dh = _avg_divisor(h, kernel[0], stride[0], padding[0], out_hw[0], count_include_pad)
            dw = _avg_divisor(w, kernel[1], stride[1], padding[1], out_hw[1], count_include_pad)
            div = np.outer(dh, dw).astype(np.float64)
        inv = (1.0 / div).reshape(-1).astype(xa.dtype)
        y = cols.sum(axis=1) * inv
        ctx.geom = (kernel, stride, padding, out_hw, (h, w))
        ctx.inv, ctx.xshape = inv, xa.shape
        return _new(y.reshape((n, c) + tuple(out_hw)))

    @staticmethod
    def backward(ctx, g):
        ga = _garr("avg_pool2d", g)
        kernel, stride, padding, out_hw, hw = ctx.geom
        n, c = ctx.xshape[:2]
        k = kernel[0] * kernel[1]
        gl = ga.reshape(n * c, 1, -1) * ctx.inv
        gcols = np.broadcast_to(gl, (n * c, k, gl.shape[2]))
        gx = K.col2im(gcols, hw, kernel, stride, padding, (1, 1), out_hw)
        return _new(gx.reshape(ctx.xshape)), None, None, None, None, None, None


def _adaptive_matrix(size, out, dtype):
    """(out, size) averaging matrix of PyTorch's adaptive bins
    [floor(i*size/out), ceil((i+1)*size/out))."""
    m = np.zeros((out, size), dtype)
    for i in range(out):
        s = (i * size) // out
        e = -((-(i + 1) * size) // out)
        m[i, s:e] = 1.0 / (e - s)
    return m


class AdaptiveAvgPool2d(Function):
    """out = A_h @ x @ A_w.T with PyTorch's adaptive bins."""

    @staticmethod
    def forward(ctx, x, out_hw):
        xa = x._array
        h, w = xa.shape[-2:]
        ah = _adaptive_matrix(h, out_hw[0], xa.dtype)
        aw = _adaptive_matrix(w, out_hw[1], xa.dtype)
        ctx.ah, ctx.aw = ah, aw
        return _new(np.matmul(np.matmul(ah, xa), aw.T))

    @staticmethod
    def backward(ctx, g):
        ga = _garr("adaptive_avg_pool2d", g)
        return _new(np.matmul(np.matmul(ctx.ah.T, ga), ctx.aw)), None
