"""Convolution and pooling primitives (NCHW), marked ``@differentiable("nn.<name>")``
like the other nn primitives (``_ops.py``); their rules are in ``_conv_rules.py``.

Convolution is im2col + matrix product: the Pythran ``im2col_cm`` kernel gathers
the windows (zero padding, dilation) into channel-major columns (C, kh*kw, N, L),
one ``matmul`` per group over the whole batch multiplies them by the weights
(BLAS) and ``col2im_cm`` scatter-adds columns back. ``y = conv2d(x, w)`` is
bilinear, and its two adjoints are primitives too: ``conv2d_input_grad(g, w)``
(the transposed convolution, also ``F.conv_transpose2d``) and
``conv2d_weight_grad(x, g)``. They are the three bilinear maps of one trilinear
form ``<g, conv2d(x, w)>``, so each one's gradient is made of the other two and
every order of derivative reuses the same kernels.

The pools: ``max_pool2d`` returns the argmax indices with the maxima, its
gradient ``max_pool2d_backward`` scatters to them (and is linear: its own
gradient is a gather); ``avg_pool2d`` and ``avg_pool2d_backward`` are each
other's adjoint.

Geometry arguments are 2-D, checked and normalised by ``nn.functional``
(``padding`` is the left/top padding; the output size is given, so asymmetric
"same" padding and ``ceil_mode`` are implicit). The convolutions also take
(N, C, L) tensors (1-D: a height of 1, geometry ``(1, s)``, ``(0, p)``...).

Examples
--------
>>> import minitensor as xp
>>> from minitensor.nn import _conv_ops
>>> x, w = xp.ones((1, 1, 3, 3)), xp.ones((1, 1, 2, 2))
>>> y, cols = _conv_ops.conv2d(x, w, None, (1, 1), (0, 0), (1, 1), 1, (2, 2))
>>> y
Tensor([[[[4., 4.],
          [4., 4.]]]], dtype=float64)
>>> _conv_ops.conv2d_input_grad(y, w, None, (1, 1), (0, 0), (1, 1), 1, (3, 3))[0, 0]
Tensor([[ 4.,  8.,  4.],
        [ 8., 16.,  8.],
        [ 4.,  8.,  4.]], dtype=float64)
"""
import functools

import numpy as np

from .. import _kernels
from .._array_object import Tensor
from .._dispatch import Residual, differentiable
from . import _nn_kernels as K
from . import _ops

_new = Tensor._new

__all__ = ["conv2d", "conv2d_input_grad", "conv2d_weight_grad", "max_pool2d",
           "max_pool2d_backward", "avg_pool2d", "avg_pool2d_backward"]

# Whether conv2d keeps its im2col columns (C*kh*kw*N*L elements) as a residual
# output for the weight gradient (as the old Function did) or its rule recomputes
# them (as PyTorch). Measured (2026-12-07, 1 thread, loaded 2-core machine):
# recomputing costs one im2col per backward, +18% forward+backward of a small layer
# (32x16x8x8, 3x3: 1.30 vs 1.10 ms; digits training step 1.15 vs 1.10x PyTorch's
# CPU time) and saves the columns of every layer until backward (peak traced memory
# of a 28x28 conv16-conv32 SGD step: 26.9 vs 35.5 MiB). Speed first: kept.
# (The engine fills a zero gradient for this output at backward: np.zeros, lazily
# zeroed pages, never touched.)
KEEP_COLS = True


# ------------------------------------------------------------------ array helpers
def as4(a):
    """(N, C, L) -> (N, C, 1, L) view; 4-D arrays as they are."""
    return a.reshape(a.shape[:2] + (1, a.shape[2])) if a.ndim == 3 else a


def hw(shape):
    """The 2-D spatial size of an (N, C, H, W) or (N, C, L) shape."""
    return tuple(shape[2:]) if len(shape) == 4 else (1, shape[2])


def _kern(w_shape):
    return tuple(w_shape[2:]) if len(w_shape) == 4 else (1, w_shape[2])


def cols_of(xa4, kern, stride, padding, dilation, out_hw):
    """Channel-major columns (C, kh*kw, N, L) of ``xa4`` (N, C, H, W)."""
    return K.im2col_cm(xa4, kern, stride, padding, dilation, out_hw)


def g_t(ga4, dtype):
    """(N, O, Ho, Wo) -> contiguous (O, N*L): the layout of the products below."""
    n, o, ho, wo = ga4.shape
    return np.ascontiguousarray(ga4.reshape(n, o, ho * wo).transpose(1, 0, 2),
                                dtype=dtype).reshape(o, n * ho * wo)


def conv_fwd(cols, wa4, groups, n, out_hw):
    """y (N, O, Ho, Wo) from the columns of x and the weights (no bias)."""
    o, cg, kh, kw = wa4.shape
    g = groups
    L = out_hw[0] * out_hw[1]
    cols3 = cols.reshape(g, cg * kh * kw, n * L)
    w3 = wa4.reshape(g, o // g, cg * kh * kw)
    yt = np.matmul(w3[0], cols3[0]) if g == 1 else np.matmul(w3, cols3)
    return yt.reshape(o, n * L)


def finish_y(yt, ba, n, out_hw, one_d):
    """(O, N*L) product (+ bias, added in place on the contiguous product: ~3x
    faster than during the transpose) -> (N, O, Ho, Wo) or (N, O, L)."""
    o = yt.shape[0]
    if ba is not None:
        np.add(yt, ba.astype(yt.dtype, copy=False)[:, None], out=yt)
    L = out_hw[0] * out_hw[1]
    y = np.ascontiguousarray(yt.reshape(o, n, L).transpose(1, 0, 2))
    return y.reshape((n, o, out_hw[1]) if one_d else (n, o) + tuple(out_hw))


# Convolutions whose product per image (O * C*kh*kw * L multiply-adds) is small are
# made image by image, straight into the (N, O, L) result: each image's output
# stays in cache and the transposing copy of ``finish_y`` goes. Measured
# (2026-12-07, float32, one BLAS thread, product + bias + layout, us, whole batch
# vs per image): 64x1x28x28 by 16 3x3 filters 970 vs 320; 32x16x8x8 by 32: 350 vs
# 195; 64x16x14x14 by 32: 1830 vs 1630; 256x3x8x8 by 16: 407 vs 211; but
# 128x32x4x4 by 32 (L = 16): 680 vs 1110, and 64x64x8x8 by 64: 4250 vs 4330.
# So: L >= PER_IMAGE_MIN_L, and a product of at most PER_IMAGE_MAX (OpenBLAS runs
# products below 2**18 on one thread anyway: nothing lost with more threads), or
# of at most PER_IMAGE_MAX_1T when the kernels have one thread (the whole-batch
# product is the one a second BLAS thread speeds up).
PER_IMAGE_MIN_L = 64
PER_IMAGE_MAX = 2 ** 18
PER_IMAGE_MAX_1T = 2 ** 21


def conv_y(cols, wa4, ba, groups, n, out_hw, one_d):
    """``finish_y(conv_fwd(...))``: y (N, O, Ho, Wo) or (N, O, L) (+ bias) from the
    columns of x, image by image when each image's product is small."""
    o, cg, kh, kw = wa4.shape
    L = out_hw[0] * out_hw[1]
    ck = cg * kh * kw
    if groups != 1 or n == 1 or wa4.dtype != cols.dtype or not _per_image(o, ck, L):
        return finish_y(conv_fwd(cols, wa4, groups, n, out_hw), ba, n, out_hw, one_d)
    y = np.matmul(wa4.reshape(o, ck), cols.reshape(ck, n, L).transpose(1, 0, 2))   # (N, O, L)
    if ba is not None:
        np.add(y, ba.astype(y.dtype, copy=False)[:, None], out=y)
    return y.reshape((n, o, out_hw[1]) if one_d else (n, o) + tuple(out_hw))


def _per_image(o, ck, L):
    """Whether a product of (O, C*kh*kw) weights with (C*kh*kw, L) columns (or its
    transpose) is made image by image (see PER_IMAGE_MAX)."""
    # (the kernels' thread count stands for BLAS's: bench_training and the examples
    # set both, and NumPy has no API to ask OpenBLAS)
    return L >= PER_IMAGE_MIN_L and o * ck * L <= (
        PER_IMAGE_MAX_1T if _kernels.get_num_threads() == 1 else PER_IMAGE_MAX)


def input_grad(gt, wa4, groups, n, out_hw, x_hw, stride, padding, dilation, ga=None):
    """The transposed convolution of gt (O, N*L) with the weights -> (N, C, H, W);
    ``ga``, if given, is the same gradient as (N, O, Ho, Wo) (for products image by
    image: as conv_y, 337 vs 217 us for 32x16x8x8 by 32 filters, one thread)."""
    o, cg, kh, kw = wa4.shape
    g = groups
    k = kh * kw
    L = out_hw[0] * out_hw[1]
    if (ga is not None and g == 1 and o > 1 and n > 1 and ga.dtype == wa4.dtype
            and _per_image(o, cg * k, L)):
        gcols = np.empty((cg * k, n, L), ga.dtype)
        np.matmul(wa4.reshape(o, cg * k).T, ga.reshape(n, o, L), out=gcols.transpose(1, 0, 2))
        return K.col2im_cm(gcols.reshape(cg, k, n, L), x_hw, (kh, kw), stride, padding,
                           dilation, out_hw)
    g3 = gt.reshape(g, o // g, n * L)
    w3 = wa4.reshape(g, o // g, cg * k)
    if g == 1 and o == 1:  # (an outer product: BLAS's gemm with one term is ~5x slower)
        gcols = np.multiply(w3[0].T, g3[0])                             # (c*k, n*L)
    elif g == 1:
        gcols = np.matmul(w3[0].T, g3[0])                               # (c*k, n*L)
    else:
        gcols = np.matmul(w3.transpose(0, 2, 1), g3)                    # (g, cg*k, n*L)
    gcols = gcols.reshape(g * cg, k, n, L)                              # (c, k, n, L)
    return K.col2im_cm(gcols, x_hw, (kh, kw), stride, padding, dilation, out_hw)


def weight_grad(gt, cols, groups, w_shape):
    """The correlation of gt (O, N*L) with the columns of x -> w_shape."""
    g = groups
    o, nl = gt.shape
    g3 = gt.reshape(g, o // g, nl)
    cols3 = cols.reshape(g, cols.shape[0] * cols.shape[1] // g, nl)
    if g == 1 and gt.dtype == np.float32 and cols3.shape[1] >= 64:
        # the same product as cols @ gt.T, transposed: OpenBLAS's sgemm is 1.3-2x
        # faster this way round for these shapes (a long inner dimension n*L)
        gw = np.ascontiguousarray(np.matmul(cols3[0], g3[0].T).T)
    elif g == 1:
        gw = np.matmul(g3[0], cols3[0].T)
    else:
        gw = np.matmul(g3, cols3.transpose(0, 2, 1))
    return gw.reshape(w_shape)


# ------------------------------------------------------------------ convolution
@differentiable("nn.conv2d")
def conv2d(x, weight, bias, stride, padding, dilation, groups, out_hw):
    """``y[n, o] = sum over the group's channels and the window of w * x (+ b)``.

    Returns ``(y, cols)``: the result and, for the rule, the im2col columns
    (C, kh*kw, N, L) of ``x`` as a ``Residual`` (None unless ``KEEP_COLS``)."""
    xa, wa = as4(x._array), as4(weight._array)
    n = xa.shape[0]
    cols = cols_of(xa, _kern(wa.shape), stride, padding, dilation, out_hw)
    y = conv_y(cols, wa, None if bias is None else bias._array, groups, n, out_hw, x.ndim == 3)
    return _new(y), (Residual(cols) if KEEP_COLS else None)


@differentiable("nn.conv2d_input_grad")
def conv2d_input_grad(g, weight, bias, stride, padding, dilation, groups, x_hw):
    """The adjoint of ``conv2d`` w.r.t. its input (the transposed convolution of g
    (N, O, Ho, Wo) by weight (O, C/groups, kh, kw)) -> (N, C, *x_hw) (+ bias)."""
    ga, wa = as4(g._array), as4(weight._array)
    n = ga.shape[0]
    gt = g_t(ga, wa.dtype)
    y = input_grad(gt, wa, groups, n, ga.shape[2:], x_hw, stride, padding, dilation)
    if bias is not None:
        y += bias._array.astype(y.dtype, copy=False)[:, None, None]
    if g.ndim == 3:
        y = y.reshape(y.shape[:2] + (y.shape[3],))
    return _new(y)


@differentiable("nn.conv2d_weight_grad")
def conv2d_weight_grad(x, g, stride, padding, dilation, groups, w_shape):
    """The adjoint of ``conv2d`` w.r.t. its weight: the correlation of x (N, C, H, W)
    with g (N, O, Ho, Wo) -> w_shape (O, C/groups, kh, kw)."""
    xa, ga = as4(x._array), as4(g._array)
    cols = cols_of(xa, _kern(w_shape), stride, padding, dilation, ga.shape[2:])
    return _new(weight_grad(g_t(ga, xa.dtype), cols, groups, tuple(w_shape)))


# ------------------------------------------------------------------ pooling
@differentiable("nn.max_pool2d")
def max_pool2d(x, kernel, stride, padding, dilation, out_hw):
    """Window maxima of x (N, C, H, W) (padding never wins; NaN propagates).

    Returns ``(y, idx)``: ``idx`` (a ``Residual``) is the flat index in its (H, W)
    plane of each maximum (the kernel's int32, or int64 for planes of 2**31
    elements or more)."""
    xa = x._array
    n, c, h, w = xa.shape
    out, idx = K.maxpool2d(xa.reshape(n * c, h, w), kernel, stride, padding, dilation, out_hw)
    shape = (n, c) + tuple(out_hw)
    return _new(out.reshape(shape)), Residual(idx.reshape(shape))


@differentiable("nn.max_pool2d_backward")
def max_pool2d_backward(g, idx, x_hw):
    """The gradient of ``max_pool2d`` w.r.t. x: g (N, C, Ho, Wo) summed at the plane
    indices ``idx`` of an (N, C, *x_hw) array of zeros."""
    ga = g._array
    n, c, ho, wo = ga.shape
    gx = K.maxpool2d_backward(ga.reshape(n * c, ho, wo), idx._array.reshape(n * c, ho, wo),
                              x_hw)
    return _new(gx.reshape((n, c) + tuple(x_hw)))


def _avg_divisor(size, k, s, p, out, include_pad):
    start = np.arange(out) * s - p
    end = np.minimum(start + k, size + p)
    if include_pad:
        return end - start
    return np.minimum(end, size) - np.maximum(start, 0)


def _avg_inv(x_hw, kernel, stride, padding, out_hw, count_include_pad, divisor_override, dt):
    """1 / the divisor of each output position, flat (Ho*Wo,) (PyTorch's rules)."""
    if divisor_override:
        div = np.full(tuple(out_hw), float(divisor_override))
    else:
        dh = _avg_divisor(x_hw[0], kernel[0], stride[0], padding[0], out_hw[0], count_include_pad)
        dw = _avg_divisor(x_hw[1], kernel[1], stride[1], padding[1], out_hw[1], count_include_pad)
        div = np.outer(dh, dw).astype(np.float64)
    return (1.0 / div).reshape(-1).astype(dt)


def _global(x_hw, kernel, padding, out_hw):
    """Whether the one window is the whole plane (global pooling: a sum per plane,
    no im2col; 5x faster at 4x4 planes)."""
    return (tuple(out_hw) == (1, 1) and tuple(kernel) == tuple(x_hw) and not any(padding))


@differentiable("nn.avg_pool2d")
def avg_pool2d(x, kernel, stride, padding, out_hw, count_include_pad, divisor_override):
    """Window means of x (N, C, H, W) (PyTorch's divisor rules)."""
    xa = x._array
    n, c, h, w = xa.shape
    inv = _avg_inv((h, w), kernel, stride, padding, out_hw, count_include_pad,
                   divisor_override, xa.dtype)
    if _global((h, w), kernel, padding, out_hw) and xa.size:
        y = _ops.row_sum(xa.reshape(n * c, h * w)).reshape(n * c, 1)
    else:
        cols = K.im2col(xa.reshape(n * c, h, w), kernel, stride, padding, (1, 1), out_hw)
        y = cols.sum(axis=1)
    y *= inv
    return _new(y.reshape((n, c) + tuple(out_hw)))


@differentiable("nn.avg_pool2d_backward")
def avg_pool2d_backward(g, kernel, stride, padding, x_hw, count_include_pad, divisor_override):
    """The adjoint of ``avg_pool2d`` (its gradient w.r.t. x): g (N, C, Ho, Wo) ->
    (N, C, *x_hw)."""
    ga = g._array
    n, c, ho, wo = ga.shape
    inv = _avg_inv(x_hw, kernel, stride, padding, (ho, wo), count_include_pad,
                   divisor_override, ga.dtype)
    if _global(x_hw, kernel, padding, (ho, wo)) and ga.size:
        # g / divisor spread over each plane
        gx = np.empty((n * c, x_hw[0] * x_hw[1]), ga.dtype)
        gx[...] = ga.reshape(n * c, 1) * inv
        return _new(gx.reshape((n, c) + tuple(x_hw)))
    gl = ga.reshape(n * c, 1, ho * wo) * inv
    gcols = np.broadcast_to(gl, (n * c, kernel[0] * kernel[1], ho * wo))
    gx = K.col2im(gcols, x_hw, kernel, stride, padding, (1, 1), (ho, wo))
    return _new(gx.reshape((n, c) + tuple(x_hw)))


@functools.lru_cache(maxsize=64)
def _adaptive(size, out, dt):
    m = np.zeros((out, size), dt)
    for i in range(out):
        s = (i * size) // out
        e = -((-(i + 1) * size) // out)
        m[i, s:e] = 1.0 / (e - s)
    m.flags.writeable = False
    return m


def adaptive_matrix(size, out, dtype, transpose=False):
    """The (out, size) averaging matrix of PyTorch's adaptive bins
    ``[floor(i*size/out), ceil((i+1)*size/out))`` (read-only, cached; its
    transpose with ``transpose``), as a tensor: adaptive average pooling is
    ``A_h @ x @ A_w.T``, composed of namespace ``matmul``\\ s (no rule of its own)."""
    m = _adaptive(size, out, np.dtype(dtype).str)
    return _new(m.T if transpose else m)
