"""Glue between ``minitensor.nn`` and its compiled kernels (``minitensor/_pythran/_nn.py``).

Works on ``numpy.ndarray`` buffers. Pythran checks nothing, so everything is
checked here: array types and ranks, dtypes (float32/float64; float16 is
computed in float32, see the end of the file; others: TypeError naming the
function and dtype), the geometry integers (kernel sizes, strides and
dilations >= 1, paddings >= 0, output sizes >= 0), the index array of the
max-pool backward (every index inside its plane: ValueError otherwise). Inputs
are made C-contiguous, aligned and native byte order; outputs are allocated here
with ``np.empty`` (the kernels write every element). The thread count is the
library's (``minitensor._kernels.get_num_threads``).
"""
import operator

import numpy as np

from .. import _kernels

__all__ = ["im2col", "col2im", "im2col_cm", "col2im_cm", "maxpool2d", "maxpool2d_backward", "gelu_erf",
           "gelu_erf_backward", "batch_norm_forward", "batch_norm_backward",
           "conv_out_size", "pool_out_size", "lstm_gates", "lstm_gates_backward"]

_F16 = np.dtype(np.float16)
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_I32 = np.dtype(np.int32)
_I64 = np.dtype(np.int64)

_mod = None

# elements (out + grad) from which the max-pool backward uses the kernel threads
_POOL_BWD_PAR_MIN = 1 << 21
# rows (C * kh * kw) from which im2col_cm uses the kernel threads
_IM2COL_CM_PAR_ROWS = 16


def _k():
    global _mod
    if _mod is None:
        from minitensor import _pythran
        _mod = _pythran._nn
    return _mod


def _nt():
    return _kernels.get_num_threads()


def _float_array(fname, name, a, ndim=None):
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{fname}: {name} must be a numpy.ndarray, got {type(a).__name__}")
    dt = a.dtype
    if dt.kind != "f" or dt.itemsize not in (4, 8):
        raise TypeError(f"{fname}: unsupported dtype {dt} for {name} (expected float32 or float64)")
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{fname}: {name} must be {ndim}-D, got shape {a.shape}")
    dt = _F32 if dt.itemsize == 4 else _F64
    if a.dtype != dt or not (a.flags.c_contiguous and a.flags.aligned):
        a = np.ascontiguousarray(a, dtype=dt)
    return a


def _ints(fname, name, values, lo):
    out = []
    for v in values:
        if isinstance(v, (bool, np.bool_)):
            raise TypeError(f"{fname}: {name} must be integers, got {values!r}")
        try:
            v = operator.index(v)
        except TypeError:
            raise TypeError(f"{fname}: {name} must be integers, got {values!r}") from None
        if v < lo:
            raise ValueError(f"{fname}: {name} must be >= {lo}, got {tuple(values)!r}")
        out.append(int(v))
    return out


def conv_out_size(size, k, s, p, d):
    """Output length of a convolution/pooling window sweep (floor mode)."""
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def pool_out_size(size, k, s, p, d, ceil_mode):
    """PyTorch's pooling output length: with ``ceil_mode``, the last window must
    start inside the input or the left padding."""
    num = size + 2 * p - d * (k - 1) - 1
    if ceil_mode:
        o = -(-num // s) + 1
        if (o - 1) * s >= size + p:
            o -= 1
    else:
        o = num // s + 1
    return o


def _geometry(fname, kernel, stride, padding, dilation, out_hw):
    # fast path: the pairs of Python ints nn.functional passes (5 _ints calls cost
    # ~12 us per kernel call; a training step of a small CNN makes ~10 such calls)
    if (type(kernel) is tuple and type(stride) is tuple and type(padding) is tuple
            and type(dilation) is tuple and type(out_hw) is tuple):
        g = kernel + stride + dilation + padding + out_hw
        if len(kernel) == len(stride) == len(dilation) == len(padding) == len(out_hw) == 2 \
                and all(type(v) is int for v in g) and min(g[:6]) >= 1 and min(g[6:]) >= 0:
            return g[0], g[1], g[2], g[3], g[6], g[7], g[4], g[5], g[8], g[9]
    kh, kw = _ints(fname, "kernel_size", kernel, 1)
    sh, sw = _ints(fname, "stride", stride, 1)
    ph, pw = _ints(fname, "padding", padding, 0)
    dh, dw = _ints(fname, "dilation", dilation, 1)
    ho, wo = _ints(fname, "output size", out_hw, 0)
    return kh, kw, sh, sw, ph, pw, dh, dw, ho, wo


def _whole_plane(h, w, kh, kw, ph, pw, dh, dw, ho, wo):
    """Whether the only window is the whole unpadded (H, W) plane (a kernel as large as
    its input, as in DCGAN's first and last layers or a global pool): the columns are
    then the input's elements in order, and NumPy's (transposing) copy is 3-5x faster
    than the kernel's per-row block copies of 1 element per image."""
    return (ho == 1 and wo == 1 and kh == h and kw == w and ph == 0 and pw == 0
            and dh == 1 and dw == 1)


def im2col(x, kernel, stride, padding, dilation, out_hw):
    """Columns of ``x`` (NC, H, W): an array (NC, kh*kw, Ho*Wo) with
    ``out[c, i*kw + j, p*Wo + q] = x[c, p*sh - ph + i*dh, q*sw - pw + j*dw]``
    (zero where that falls into the padding)."""
    f = "im2col"
    x = _float_array(f, "x", x, 3)
    kh, kw, sh, sw, ph, pw, dh, dw, ho, wo = _geometry(f, kernel, stride, padding, dilation, out_hw)
    if _whole_plane(x.shape[1], x.shape[2], kh, kw, ph, pw, dh, dw, ho, wo):
        return x.reshape(x.shape[0], kh * kw, 1).copy()
    out = np.empty((x.shape[0], kh * kw, ho * wo), x.dtype)
    if out.size:
        _k().im2col(x, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, out, _nt())
    return out


def col2im(cols, hw, kernel, stride, padding, dilation, out_hw):
    """Adjoint of :func:`im2col`: scatter-add ``cols`` (NC, kh*kw, Ho*Wo) into an
    array (NC, H, W) (``hw = (H, W)``)."""
    f = "col2im"
    cols = _float_array(f, "cols", cols, 3)
    kh, kw, sh, sw, ph, pw, dh, dw, ho, wo = _geometry(f, kernel, stride, padding, dilation, out_hw)
    h, w = _ints(f, "input size", hw, 0)
    if cols.shape[1:] != (kh * kw, ho * wo):
        raise ValueError(f"{f}: cols has shape {cols.shape}, expected (NC, {kh * kw}, {ho * wo}) "
                         f"for a {kh}x{kw} kernel and a {ho}x{wo} output")
    if _whole_plane(h, w, kh, kw, ph, pw, dh, dw, ho, wo):
        return cols.reshape(cols.shape[0], h, w).copy()
    out = np.empty((cols.shape[0], h, w), cols.dtype)
    if out.size:
        if cols.size:
            _k().col2im(cols, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, out, _nt())
        else:
            out[...] = 0
    return out


def im2col_cm(x, kernel, stride, padding, dilation, out_hw):
    """Channel-major columns of ``x`` (N, C, H, W): an array (C, kh*kw, N, Ho*Wo) with
    ``out[c, i*kw + j, n, p*Wo + q] = x[n, c, p*sh - ph + i*dh, q*sw - pw + j*dw]``
    (zero in the padding). Reshaped to (C*kh*kw, N*Ho*Wo), a convolution over the
    whole batch is one matrix product."""
    f = "im2col_cm"
    x = _float_array(f, "x", x, 4)
    kh, kw, sh, sw, ph, pw, dh, dw, ho, wo = _geometry(f, kernel, stride, padding, dilation, out_hw)
    n, c = x.shape[:2]
    if _whole_plane(x.shape[2], x.shape[3], kh, kw, ph, pw, dh, dw, ho, wo):
        # out[c, r, n, 0] = x[n, c, r]: a transpose of x as (N, C*kh*kw)
        return x.reshape(n, c * kh * kw).T.copy().reshape(c, kh * kw, n, 1)
    out = np.empty((c, kh * kw, n, ho, wo), x.dtype)
    if out.size:
        # the kernel's threads take rows (c, i, j): with few rows (a first layer) a second
        # thread made it slower (C=1, 3x3, 64x28x28: 90 vs 150-170 us; 2026-12-07, load 1-2)
        nt = _nt() if c * kh * kw >= _IM2COL_CM_PAR_ROWS else 1
        _k().im2col_cm(x, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, out, nt)
    return out.reshape(c, kh * kw, n, ho * wo)


def col2im_cm(cols, hw, kernel, stride, padding, dilation, out_hw):
    """Adjoint of :func:`im2col_cm`: scatter-add ``cols`` (C, kh*kw, N, Ho*Wo) into an
    array (N, C, H, W) (``hw = (H, W)``)."""
    f = "col2im_cm"
    cols = _float_array(f, "cols", cols, 4)
    kh, kw, sh, sw, ph, pw, dh, dw, ho, wo = _geometry(f, kernel, stride, padding, dilation, out_hw)
    h, w = _ints(f, "input size", hw, 0)
    c, k, n, L = cols.shape
    if (k, L) != (kh * kw, ho * wo):
        raise ValueError(f"{f}: cols has shape {cols.shape}, expected (C, {kh * kw}, N, "
                         f"{ho * wo}) for a {kh}x{kw} kernel and a {ho}x{wo} output")
    if _whole_plane(h, w, kh, kw, ph, pw, dh, dw, ho, wo):
        return cols.reshape(c * k, n).T.copy().reshape(n, c, h, w)
    out = np.empty((n, c, h, w), cols.dtype)
    if out.size:
        if cols.size:
            _k().col2im_cm(cols.reshape(c, k, n, ho, wo), kh, kw, sh, sw, ph, pw, dh, dw, ho, wo,
                           out, _nt())
        else:
            out[...] = 0
    return out


def maxpool2d(x, kernel, stride, padding, dilation, out_hw):
    """Max pooling of ``x`` (NC, H, W) -> (out, idx), both (NC, Ho, Wo); ``idx`` is
    the flat index (``y*W + x``) of each maximum in its plane: int32 when a plane has
    fewer than 2**31 elements (the kernel's stores of int64 indices alias the
    arrays' int64 shape fields and run ~4x slower), else int64."""
    f = "maxpool2d"
    x = _float_array(f, "x", x, 3)
    kh, kw, sh, sw, ph, pw, dh, dw, ho, wo = _geometry(f, kernel, stride, padding, dilation, out_hw)
    out = np.empty((x.shape[0], ho, wo), x.dtype)
    idt = _I32 if x.shape[1] * x.shape[2] < 2 ** 31 else _I64
    idx = np.empty((x.shape[0], ho, wo), idt)
    if out.size:
        if x.shape[1] == 0 or x.shape[2] == 0:
            raise ValueError(f"{f}: cannot pool an empty plane of shape {x.shape[1:]}")
        # (the kernel gives each thread one block of planes; its former OpenMP loop over
        # single planes ran 1.3-4.5x slower than its serial loop, hence serial calls then)
        _k().maxpool2d(x, kh, kw, sh, sw, ph, pw, dh, dw, idx, out, _nt())
    return out, idx


def maxpool2d_backward(grad, idx, hw):
    """Gradient of :func:`maxpool2d` w.r.t. its input: ``grad`` and ``idx`` (NC, Ho, Wo)
    -> (NC, H, W), the sum of ``grad`` at each plane index of ``idx``."""
    f = "maxpool2d_backward"
    grad = _float_array(f, "grad", grad, 3)
    if not isinstance(idx, np.ndarray) or idx.dtype.kind not in "iu":
        raise TypeError(f"{f}: idx must be an integer numpy.ndarray")
    if idx.shape != grad.shape:
        raise ValueError(f"{f}: shape mismatch: grad has shape {grad.shape} and idx has shape "
                         f"{idx.shape}")
    h, w = _ints(f, "input size", hw, 0)
    nc = grad.shape[0]
    out = np.empty((nc, h * w), grad.dtype)
    if out.size == 0:
        return out.reshape(nc, h, w)
    if idx.size and (idx.min() < 0 or idx.max() >= h * w):
        raise ValueError(f"{f}: idx has values outside [0, {h * w})")
    idx = np.ascontiguousarray(idx, dtype=_I32 if idx.dtype == _I32 else _I64)
    # serial below 2**21 elements: a second thread did not pay at the CNN step's sizes
    # (64x32x14x14: 110 vs 131 us, 64x16x28x28: 192 vs 177 us; 2026-12-07, load ~2)
    nt = _nt() if out.size + grad.size >= _POOL_BWD_PAR_MIN else 1
    _k().maxpool2d_backward(grad.reshape(nc, -1), idx.reshape(nc, -1), out, nt)
    return out.reshape(nc, h, w)


def _unary(fname, x):
    x = _float_array(fname, "x", x)
    xf = x.reshape(-1)
    out = np.empty(xf.shape[0], x.dtype)
    if xf.size:
        getattr(_k(), fname)(xf, out, _nt())
    return out.reshape(x.shape)


def gelu_erf(x):
    """Exact GELU, ``x * Phi(x)`` (PyTorch ``approximate='none'``)."""
    return _unary("gelu_erf", x)


def gelu_erf_backward(x, grad):
    """``grad * (Phi(x) + x * phi(x))``, the gradient of the exact GELU."""
    f = "gelu_erf_backward"
    x = _float_array(f, "x", x)
    grad = _float_array(f, "grad", grad)
    if x.shape != grad.shape:
        raise ValueError(f"{f}: shape mismatch: x has shape {x.shape} and grad has shape "
                         f"{grad.shape}")
    if grad.dtype != x.dtype:
        grad = grad.astype(x.dtype)
    out = np.empty(x.size, x.dtype)
    if x.size:
        _k().gelu_erf_backward(x.reshape(-1), grad.reshape(-1), out, _nt())
    return out.reshape(x.shape)


def batch_norm_forward(x, weight, bias, eps):
    """Training-mode batch norm of ``x`` (N, C, L) over axes (0, 2) -> (y, xhat, mean,
    var): ``mean``/``var`` (biased) are float64 (C,); ``weight``/``bias`` (C,) or None."""
    f = "batch_norm_forward"
    x = _float_array(f, "x", x, 3)
    c = x.shape[1]
    w = np.ones(c, x.dtype) if weight is None else _float_array(f, "weight", weight, 1)
    b = np.zeros(c, x.dtype) if bias is None else _float_array(f, "bias", bias, 1)
    if w.shape != (c,) or b.shape != (c,):
        raise ValueError(f"{f}: weight/bias must have shape ({c},), got {w.shape} and {b.shape}")
    w = w.astype(x.dtype, copy=False)
    b = b.astype(x.dtype, copy=False)
    xhat = np.empty_like(x)
    y = np.empty_like(x)
    mean = np.empty(c, _F64)
    var = np.empty(c, _F64)
    if x.shape[0] * x.shape[2] == 0:
        mean[...] = np.nan
        var[...] = np.nan
        return y, xhat, mean, var
    _k().bn_forward(x, w, b, float(eps), xhat, y, mean, var, _nt())
    return y, xhat, mean, var


def batch_norm_backward(grad, xhat, k, need_gx=True):
    """Backward of :func:`batch_norm_forward` -> (gx or None, gsum, gdot), with ``k`` the
    per-channel factor ``weight / sqrt(var + eps)``; gsum and gdot are float64 (C,)."""
    f = "batch_norm_backward"
    grad = _float_array(f, "grad", grad, 3)
    xhat = _float_array(f, "xhat", xhat, 3)
    if grad.shape != xhat.shape:
        raise ValueError(f"{f}: shape mismatch: grad has shape {grad.shape} and xhat has shape "
                         f"{xhat.shape}")
    grad = grad.astype(xhat.dtype, copy=False)
    c = grad.shape[1]
    k = np.ascontiguousarray(k, dtype=_F64)
    if k.shape != (c,):
        raise ValueError(f"{f}: k must have shape ({c},), got {k.shape}")
    gx = np.empty_like(grad) if need_gx else np.empty((0, c, 0), grad.dtype)
    gsum = np.zeros(c, _F64)
    gdot = np.zeros(c, _F64)
    if grad.size:
        _k().bn_backward(grad, xhat, k, gx, gsum, gdot, bool(need_gx), _nt())
    return (gx if need_gx else None), gsum, gdot


# ----------------------------------------------------------------------------
# float16 dispatch
# Note: the kernels are compiled for float32 and float64 only. A float16 array
# (minitensor.float16, the extension dtype) never reaches them: the functions
# below take float16 arrays as float32 copies, run the float32 kernel and round
# their float32 results back to float16 (integer indices and the float64
# statistics of batch norm are returned as they are). PyTorch's CPU half-precision
# ops also compute in float32 internally.

def _via_float32(f):
    def g(*args, **kwargs):
        a0 = args[0]
        if type(a0) is not np.ndarray or a0.dtype != _F16:
            return f(*args, **kwargs)
        args = [a.astype(_F32) if type(a) is np.ndarray and a.dtype == _F16 else a
                for a in args]
        r = f(*args, **kwargs)
        if type(r) is tuple:
            return tuple(_half(v) for v in r)
        return _half(r)
    g.__name__ = g.__qualname__ = f.__name__
    g.__doc__ = f.__doc__
    g.__wrapped__ = f
    return g


def _half(v):
    return v.astype(_F16) if type(v) is np.ndarray and v.dtype == _F32 else v


for _name in ("im2col", "col2im", "im2col_cm", "col2im_cm", "maxpool2d", "maxpool2d_backward",
              "gelu_erf", "gelu_erf_backward", "batch_norm_forward", "batch_norm_backward"):
    globals()[_name] = _via_float32(globals()[_name])
del _name


def _lstm_ok(arrays, shapes):
    """Whether the LSTM gate kernels can take ``arrays`` as they are: one dtype,
    float32 or float64, C-contiguous, aligned, native, of exactly ``shapes``."""
    # (called twice per time step: the common case, NumPy's own float32/float64
    # dtype objects, takes identity tests and one flags lookup per array, ~1 us
    # instead of ~2.5 us; any other dtype object takes the general test)
    dt = arrays[0].dtype
    if dt is _F64 or dt is _F32:
        for a, s in zip(arrays, shapes):
            if type(a) is not np.ndarray or a.dtype is not dt or a.shape != s or \
                    not a.flags.carray:
                break
        else:
            return True
    if dt != _F64 and dt != _F32:
        return False
    for a, s in zip(arrays, shapes):
        if type(a) is not np.ndarray or a.dtype != dt or a.shape != s or \
                not (a.flags.c_contiguous and a.flags.aligned):
            return False
    return True


def lstm_gates(gates, c, acts, tc, h):
    """One LSTM step's pointwise part on n rows: ``acts`` = sigmoid / sigmoid /
    tanh / sigmoid of the pre-activations ``gates`` (n, 4H) (gates i, f, g, o),
    ``c`` (n, H) updated in place to ``f c + i g``, ``tc = tanh(c)``, ``h = o tc``.
    Returns False (and does nothing) unless the arrays suit the kernel (see
    ``_lstm_ok``): the caller then computes with NumPy."""
    n, H = c.shape if c.ndim == 2 else (-1, -1)
    if n < 0 or not _lstm_ok((gates, c, acts, tc, h),
                             ((n, 4 * H), (n, H), (n, 4 * H), (n, H), (n, H))):
        return False
    if n and H:
        _k().lstm_gates(gates, c, acts, tc, h)
    return True


def lstm_gates_backward(dh, dc, acts, tc, cprev, dg):
    """The backward of :func:`lstm_gates`: ``dg`` (n, 4H) the pre-activation
    gradients from ``dh``, ``dc`` (n, H) (the gradients of h' and c'), ``dc``
    turned in place into the gradient of c. False: not run (see ``lstm_gates``)."""
    n, H = dh.shape if dh.ndim == 2 else (-1, -1)
    if n < 0 or not _lstm_ok((dh, dc, acts, tc, cprev, dg),
                             ((n, H), (n, H), (n, 4 * H), (n, H), (n, H), (n, 4 * H))):
        return False
    if n and H:
        _k().lstm_gates_backward(dh, dc, acts, tc, cprev, dg)
    return True
