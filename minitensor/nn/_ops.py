"""nn forward primitives: module-level functions marked with
``@differentiable("nn.<name>")``, like the namespace functions, so a call on
tensors that take part in autograd is recorded by the same hook and
differentiated by a rule of the same table (``RULES``); the rules live in
``minitensor/nn/_rules.py`` (registered when ``minitensor.nn`` is
imported) and are differentiable (``create_graph=True``: Hessian-vector
products, double backward).

A primitive does the arithmetic of a layer call on the tensors' ``ndarray``\\ s
with the fused kernels (one graph node per call, as before); it does not check
its arguments (``nn.functional`` does). Activations that are cheap to build
from namespace operations (``softsign``, ``hardsigmoid``, ...) are not
primitives.

Examples
--------
>>> import minitensor as xp
>>> from minitensor.nn import _ops
>>> x = xp.tensor([-1.0, 2.0], requires_grad=True)
>>> y = _ops.relu(x)
>>> y.grad_fn
<nn.reluBackward>
"""
import math

import numpy as np

from .. import _kernels
from .._array_object import Tensor
from .._dispatch import Residual, differentiable
from .._elementwise_functions import _quiet_run, _quiet_slow
from . import _nn_kernels

_new = Tensor._new

__all__ = ["linear", "bilinear", "relu", "leaky_relu", "elu", "gelu", "silu", "sigmoid", "tanh",
           "softplus", "hardtanh", "prelu", "normal_cdf", "softmax", "log_softmax",
           "layer_norm", "rms_norm", "group_norm", "batch_norm",
           "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "nll_loss", "cross_entropy",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div"]


def _quiet(f, *args):
    # no NumPy warnings at +-inf / nan (inf * 0, inf / inf): PyTorch's values,
    # which does not warn. In the namespace's prepared "ignore all" context
    # (~0.1 us, where np.errstate costs ~2-3 us per use); busy (another
    # thread, or nested): the context variable set and reset instead.
    try:
        r = _quiet_run(f, *args)
    except RuntimeError:
        r = _quiet_slow(f, *args)
    return np.asarray(r)  # (0-d input: NumPy gives a scalar)


# ---- row reductions of short rows
# NumPy reduces a short last axis (rows of 8-100 elements: LayerNorm features,
# attention keys, classes) row by row, 1-3 ns per element; a BLAS matrix-vector
# product with a vector of ones sums the rows 3-8x faster, and the maximum over
# a transposed contiguous copy runs as vectorised column maxima (2-5x faster).
# Long rows keep NumPy's pairwise sums (more accurate than BLAS's running sums).
_SHORT = 128
_BLAS = (np.dtype(np.float32), np.dtype(np.float64))
_ONES = {}


def ones_vec(n, dt):
    """A read-only cached vector of ``n`` ones of dtype ``dt`` (for BLAS sums)."""
    key = (n, dt)
    v = _ONES.get(key)
    if v is None:
        if len(_ONES) > 64:
            _ONES.clear()
        v = _ONES[key] = np.ones(n, dt)
        v.flags.writeable = False
    return v


def row_sum(a):
    """The sums over the last axis of ``a`` (its shape without that axis)."""
    n = a.shape[-1]
    if n < _SHORT and a.dtype in _BLAS and a.size:
        if a.ndim > 2 and a.flags.c_contiguous:  # (one matrix-vector product)
            return np.matmul(a.reshape(-1, n), ones_vec(n, a.dtype)).reshape(a.shape[:-1])
        return np.matmul(a, ones_vec(n, a.dtype))
    return np.add.reduce(a, axis=-1)


def col_sum(a2):
    """The sums over the first axis of the 2-D ``a2``."""
    if a2.dtype in _BLAS and a2.size:
        return np.matmul(ones_vec(a2.shape[0], a2.dtype), a2)
    return np.add.reduce(a2, axis=0)


def row_max(a):
    """The maxima over the last (non-empty) axis of ``a``, keepdims (NaN propagates)."""
    n = a.shape[-1]
    if n >= _SHORT or a.ndim < 2 or a.size < 4 * _SHORT:
        return np.maximum.reduce(a, axis=-1, keepdims=True)
    t = np.ascontiguousarray(a.reshape(-1, n).T)
    return np.maximum.reduce(t, axis=0).reshape(a.shape[:-1] + (1,))


def row_standardize(x2, eps):
    """``(xhat, invstd)`` of the rows of the 2-D ``x2``: ``(x2 - mean) * invstd``
    (a new array) and ``invstd = 1 / sqrt(var + eps)`` (biased variance; (R, 1),
    x2's dtype)."""
    n = x2.shape[1]
    if x2.dtype not in _BLAS:  # (float16: NumPy's mean sums in float32)
        xc = x2 - x2.mean(axis=1, keepdims=True)
        var = np.einsum("ij,ij->i", xc, xc)[:, None] / n
        invstd = (1.0 / np.sqrt(var + eps)).astype(x2.dtype, copy=False)
        return xc * invstd, invstd
    mean = row_sum(x2)
    mean /= n
    xc = x2 - mean[:, None]
    var = np.vecdot(xc, xc)
    var /= n
    var += eps
    invstd = (1.0 / np.sqrt(var)).astype(x2.dtype, copy=False)[:, None]
    np.multiply(xc, invstd, out=xc)
    return xc, invstd


# ============================================================================ linear
@differentiable("nn.linear")
def linear(x, weight, bias=None):
    """``x @ weight.T + bias`` over the last axis of ``x`` (one matmul, the bias
    added in place)."""
    xa = x._array
    wa = weight._array
    x2 = xa.reshape(-1, xa.shape[-1]) if xa.ndim != 2 else xa
    y = np.matmul(x2, wa.T)
    if bias is not None:
        np.add(y, bias._array, out=y)
    return _new(y.reshape(xa.shape[:-1] + (wa.shape[0],)))


@differentiable("nn.bilinear")
def bilinear(x1, x2, weight, bias=None):
    """``y[..., o] = x1[...] @ weight[o] @ x2[...] + bias[o]``."""
    a, b, w = x1._array, x2._array, weight._array
    a2 = a.reshape(-1, a.shape[-1])
    b2 = b.reshape(-1, b.shape[-1])
    # t[n, o, j] = sum_i a[n, i] W[o, i, j]
    t = np.matmul(a2, w.transpose(1, 0, 2).reshape(w.shape[1], -1)).reshape(
        a2.shape[0], w.shape[0], w.shape[2])
    y = np.matmul(t, b2[:, :, None])[..., 0]
    if bias is not None:
        y += bias._array
    return _new(y.reshape(a.shape[:-1] + (w.shape[0],)))


# ======================================================================= activations
def _relu_f(x):
    if (x.dtype is _F32 or x.dtype is _F64) and x.size:
        # the fused kernel's "x where x > 0, else +0" (NaN passes) is np.maximum(x, 0)
        # value for value, 3.5-4x faster (float32 64x16x28x28: 80 vs 310 us, one
        # thread) and threaded above the kernels' size threshold
        return _kernels.relu_backward(x, x)
    return np.maximum(x, 0)


_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)


def _leaky_f(x, slope):
    if 0 < slope <= 1 and x.dtype.kind == "f":
        # max(x, slope x) is x for x > 0 and slope x otherwise (NaN propagates):
        # the values of the where below, in two passes instead of three
        y = np.multiply(x, slope, dtype=x.dtype)
        return np.maximum(x, y, out=y)
    return np.where(x > 0, x, x * slope)


def _elu_f(x, alpha):
    # expm1 only where x <= 0 (no overflow for large positive x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def _gelu_f(x, approximate):
    return _kernels.gelu(x) if approximate == "tanh" else _nn_kernels.gelu_erf(x)


def _softplus_f(x, beta, threshold):
    z = x * beta
    # log(1 + exp(z)) = max(z, 0) + log1p(exp(-|z|)): no overflow
    sp = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / beta
    return np.where(z > threshold, x, sp).astype(x.dtype, copy=False)


@differentiable("nn.relu")
def relu(x):
    """``max(x, 0)`` (integer tensors too)."""
    return _new(_quiet(_relu_f, x._array))


@differentiable("nn.leaky_relu")
def leaky_relu(x, negative_slope=0.01):
    """``x if x > 0 else negative_slope * x``."""
    return _new(_quiet(_leaky_f, x._array, negative_slope))


@differentiable("nn.elu")
def elu(x, alpha=1.0):
    """``x if x > 0 else alpha * (exp(x) - 1)``."""
    return _new(_quiet(_elu_f, x._array, alpha))


@differentiable("nn.gelu")
def gelu(x, approximate="none"):
    """``x * Phi(x)`` (exact, ``"none"``) or its tanh approximation (``"tanh"``)."""
    return _new(_quiet(_gelu_f, x._array, approximate))


@differentiable("nn.silu")
def silu(x):
    """``x * sigmoid(x)``."""
    return _new(_quiet(_kernels.silu, x._array))


@differentiable("nn.sigmoid")
def sigmoid(x):
    """``1 / (1 + exp(-x))``."""
    return _new(_quiet(_kernels.sigmoid, x._array))


@differentiable("nn.tanh")
def tanh(x):
    """``tanh(x)``."""
    return _new(_quiet(np.tanh, x._array))


@differentiable("nn.softplus")
def softplus(x, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta * x)) / beta``; ``x`` where ``beta * x > threshold``."""
    return _new(_quiet(_softplus_f, x._array, beta, threshold))


@differentiable("nn.hardtanh")
def hardtanh(x, min_val=-1.0, max_val=1.0):
    """``clip(x, min_val, max_val)``."""
    return _new(_quiet(np.clip, x._array, min_val, max_val))


def _prelu_slope(xa, wa):
    """The slope array broadcasting against ``xa`` (one per channel, axis 1)."""
    if wa.size == 1:
        return wa.reshape(())
    return wa.reshape((1, -1) + (1,) * (xa.ndim - 2)) if xa.ndim >= 2 else wa


@differentiable("nn.prelu")
def prelu(x, weight):
    """``x if x > 0 else weight * x``, ``weight`` of size 1 or one per channel (axis 1)."""
    xa = x._array
    return _new(_quiet(lambda a, w: np.where(a > 0, a, a * w), xa,
                       _prelu_slope(xa, weight._array)))


def _normal_cdf_f(x):
    # Phi(x) = gelu_erf(x) / x (the C library's erf; NumPy has none), 1/2 at 0
    safe = np.where((x == 0) | np.isinf(x), 1, x).astype(x.dtype, copy=False)
    p = np.where(x == 0, 0.5, _nn_kernels.gelu_erf(np.ascontiguousarray(safe)) / safe)
    return np.where(np.isinf(x), x > 0, p).astype(x.dtype, copy=False)


@differentiable("nn.normal_cdf")
def normal_cdf(x):
    """``Phi(x)``, the standard normal CDF (the derivative of the exact GELU
    needs it under ``create_graph=True``)."""
    return _new(_quiet(_normal_cdf_f, x._array))


# ====================================================================== softmax family
def _softmax_f(xa, dim):
    if dim == xa.ndim - 1:  # (the common case: the fast row reductions)
        e = xa - row_max(xa)
        np.exp(e, out=e)
        e /= row_sum(e)[..., None]
        return e
    e = np.exp(xa - xa.max(axis=dim, keepdims=True))
    e /= e.sum(axis=dim, keepdims=True)
    return e


def _log_softmax_f(xa, dim):
    if dim == xa.ndim - 1:
        s = xa - row_max(xa)
        s -= np.log(row_sum(np.exp(s)))[..., None]
        return s
    s = xa - xa.max(axis=dim, keepdims=True)
    s -= np.log(np.exp(s).sum(axis=dim, keepdims=True))
    return s


@differentiable("nn.softmax")
def softmax(x, dim):
    """``exp(x - max) / sum(exp(x - max))`` along ``dim`` (a non-negative axis)."""
    xa = x._array
    if xa.size == 0:  # (an empty axis has no max)
        return _new(np.empty(xa.shape, xa.dtype))
    return _new(_quiet(_softmax_f, xa, dim))


@differentiable("nn.log_softmax")
def log_softmax(x, dim):
    """``x - max - log(sum(exp(x - max)))`` along ``dim`` (stable log-sum-exp)."""
    xa = x._array
    if xa.size == 0:
        return _new(np.empty(xa.shape, xa.dtype))
    return _new(_quiet(_log_softmax_f, xa, dim))


# ---- normalization
def _affine(xhat, wa, ba):
    """``xhat * wa + ba`` (a new array even without weight and bias)."""
    y = xhat if wa is None else xhat * wa
    if ba is not None:
        y = y + ba
    elif y is xhat:
        y = xhat.copy()
    return y


@differentiable("nn.layer_norm")
def layer_norm(x, k, weight=None, bias=None, eps=1e-5):
    """Normalization over the last ``k`` axes, then ``* weight + bias``."""
    xa = x._array
    if xa.size == 0:
        return _new(np.empty(xa.shape, xa.dtype))
    n = math.prod(xa.shape[xa.ndim - k:])
    xhat, _ = row_standardize(xa.reshape(-1, n), eps)
    if weight is not None:  # (xhat is a new array: the affine map in place)
        np.multiply(xhat, weight._array.reshape(-1), out=xhat)
    if bias is not None:
        np.add(xhat, bias._array.reshape(-1), out=xhat)
    return _new(xhat.reshape(xa.shape))


@differentiable("nn.rms_norm")
def rms_norm(x, k, weight=None, eps=1e-6):
    """``x / sqrt(mean(x**2) + eps) * weight`` over the last ``k`` axes."""
    xa = x._array
    if xa.size == 0:
        return _new(np.empty(xa.shape, xa.dtype))
    n = int(np.prod(xa.shape[xa.ndim - k:], dtype=np.int64))
    x2 = xa.reshape(-1, n)
    r = (1.0 / np.sqrt(np.einsum("ij,ij->i", x2, x2)[:, None] / n + eps)).astype(
        xa.dtype, copy=False)
    xhat = x2 * r
    y = xhat if weight is None else xhat * weight._array.reshape(-1)
    return _new(y.reshape(xa.shape))


@differentiable("nn.group_norm")
def group_norm(x, groups, weight=None, bias=None, eps=1e-5):
    """Normalization over groups of channels (x: (N, C, *)), then a per-channel affine map."""
    xa = x._array
    if xa.size == 0:
        return _new(np.empty(xa.shape, xa.dtype))
    n_, c = xa.shape[0], xa.shape[1]
    x3 = xa.reshape(n_, groups, -1)
    xc = x3 - x3.mean(axis=2, keepdims=True)
    var = np.einsum("ngk,ngk->ng", xc, xc)[:, :, None] / x3.shape[2]
    xhat = (xc * (1.0 / np.sqrt(var + eps)).astype(xa.dtype, copy=False)).reshape(n_, c, -1)
    y = _affine(xhat, None if weight is None else weight._array[:, None],
                None if bias is None else bias._array[:, None])
    return _new(y.reshape(xa.shape))


def _bn_fused(x3, wa, ba):
    dt = x3.dtype
    return (dt in (np.float32, np.float64) and (wa is None or wa.dtype == dt)
            and (ba is None or ba.dtype == dt))


@differentiable("nn.batch_norm")
def batch_norm(x, weight=None, bias=None, running_mean=None, running_var=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch normalization over axes (0, 2, 3, ...) of x (N, C, *): by the batch
    statistics (``training``; the running statistics are updated in place with
    ``momentum``, the variance unbiased) or by the running statistics.

    Returns ``(y, kept)``: the result and, for the rule, the fused training
    kernel's normalized input (N, C, L) and biased variance as a ``Residual``
    (so its first-order backward needs no second pass over x; None otherwise).
    ``F.batch_norm`` returns ``y`` only."""
    xa = x._array
    dt = xa.dtype
    if xa.size == 0:  # an empty result, the running statistics untouched
        return _new(np.empty(xa.shape, dt)), None
    kept = None
    n_, c = xa.shape[0], xa.shape[1]
    x3 = xa.reshape(n_, c, -1)
    wa = None if weight is None else weight._array
    ba = None if bias is None else bias._array
    if training:
        m = x3.shape[0] * x3.shape[2]
        if _bn_fused(x3, wa, ba):
            # one fused kernel (float64 per-channel sums): y, xhat, mean, biased var
            y, xhat, mean, var = _nn_kernels.batch_norm_forward(x3, wa, ba, eps)
            kept = Residual((xhat, var))
        else:
            mean = x3.mean(axis=(0, 2))
            xc = x3 - mean[:, None]
            var = np.einsum("ncl,ncl->c", xc, xc) / m
            xhat = xc * (1.0 / np.sqrt(var + eps))[:, None].astype(dt, copy=False)
            y = _affine(xhat, None if wa is None else wa[:, None],
                        None if ba is None else ba[:, None])
        if running_mean is not None:
            rm = running_mean._array
            rm *= 1 - momentum
            rm += momentum * mean
        if running_var is not None:
            rv = running_var._array
            rv *= 1 - momentum
            rv += momentum * var * (m / max(m - 1, 1))
    else:
        invstd = 1.0 / np.sqrt(running_var._array + eps)
        scale = invstd if wa is None else wa * invstd
        shift = -running_mean._array * scale
        if ba is not None:
            shift = shift + ba
        y = x3 * scale.astype(dt, copy=False)[:, None] + shift.astype(dt, copy=False)[:, None]
    y = _new(y.reshape(xa.shape))
    return y, kept
# ---- losses
def reduce_loss(l, reduction):
    """The reduction of the elementwise loss array ``l`` (``"mean"`` of nothing is nan)."""
    if reduction == "none":
        return l
    if reduction == "sum":
        return np.asarray(l.sum(), dtype=l.dtype)
    if l.size == 0:
        return np.asarray(np.nan, dtype=l.dtype)
    return np.asarray(l.sum() / l.size, dtype=l.dtype)


def _smooth_l1_f(d, beta):
    ad = np.abs(d)
    if beta == 0:
        return ad
    return np.where(ad < beta, 0.5 * d * d / beta, ad - 0.5 * beta)


def _huber_f(d, delta):
    ad = np.abs(d)
    return np.where(ad <= delta, 0.5 * d * d, delta * (ad - 0.5 * delta))


def _pointwise_loss(f, input, target, reduction, *param):
    d = input._array - target._array
    l = np.asarray(f(d, *param)).astype(d.dtype, copy=False)
    return _new(reduce_loss(l, reduction))


@differentiable("nn.mse_loss")
def mse_loss(input, target, reduction="mean"):
    """``(input - target)**2``, then the reduction (``"none"``, ``"mean"``, ``"sum"``)."""
    return _pointwise_loss(np.square, input, target, reduction)


@differentiable("nn.l1_loss")
def l1_loss(input, target, reduction="mean"):
    """``|input - target|``, then the reduction."""
    return _pointwise_loss(np.abs, input, target, reduction)


@differentiable("nn.smooth_l1_loss")
def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    """``0.5 d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``, then the reduction."""
    return _pointwise_loss(_smooth_l1_f, input, target, reduction, beta)


@differentiable("nn.huber_loss")
def huber_loss(input, target, reduction="mean", delta=1.0):
    """``0.5 d**2`` where ``|d| <= delta``, else ``delta (|d| - 0.5 delta)``, then the reduction."""
    return _pointwise_loss(_huber_f, input, target, reduction, delta)


def class_rows(x):
    """``x`` (``(C,)``, ``(N, C)`` or ``(N, C, d1, ...)``) as ``(M, C)`` rows, the
    class axis last."""
    if x.ndim == 1:
        return x.reshape(1, -1)
    if x.ndim > 2:
        return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])
    return x


def nll_coefficients(logp_shape, t, w, ignore_index, reduction, label_smoothing, dtype):
    """``(coef, denom)``: the loss rows are ``-sum(logp * coef, axis=1)`` (``coef``
    an ``(M, C)`` array: weights at the targets, label smoothing, probability
    targets) and ``"mean"`` divides their sum by ``denom``."""
    m, c = logp_shape
    eps = label_smoothing
    if t.dtype.kind == "f":  # probabilities
        tp = class_rows(t) if t.ndim > 1 else t.reshape(-1, c)
        if eps > 0:
            tp = tp * (1 - eps) + eps / c
        return (tp if w is None else tp * w).astype(dtype, copy=False), m
    tf = t.reshape(-1)
    valid = tf != ignore_index
    tc = np.where(valid, tf, 0)
    wt = valid.astype(dtype) if w is None else (w[tc] * valid).astype(dtype, copy=False)
    coef = np.zeros((m, c), dtype)
    coef[np.arange(m), tc] = wt * (1 - eps) if eps > 0 else wt
    if eps > 0:
        coef += (eps / c) * (valid[:, None] if w is None else valid[:, None] * w)
    return coef, wt.sum()


@differentiable("nn.nll_loss")
def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean",
             label_smoothing=0.0):
    """The negative log-likelihood of the log-probabilities ``input`` (the class
    axis 1) at the class indices (or probabilities) ``target``, with class
    weights, ``ignore_index`` and label smoothing; then the reduction."""
    x = input._array
    logp = class_rows(x)
    coef, denom = nll_coefficients(logp.shape, target._array,
                                   None if weight is None else weight._array,
                                   ignore_index, reduction, label_smoothing, logp.dtype)
    t = target._array
    if t.dtype.kind != "f" and label_smoothing == 0:
        # the value at the target only (a -inf elsewhere is no nan)
        tf = t.reshape(-1)
        tc = np.where(tf != ignore_index, tf, 0)
        ar = np.arange(tf.shape[0])
        rows = -logp[ar, tc] * coef[ar, tc]
    else:
        rows = -np.einsum("ij,ij->i", logp, coef)
    rows = rows.astype(logp.dtype, copy=False)
    if reduction == "none":
        return _new(rows.reshape(x.shape[:1] + x.shape[2:] if x.ndim >= 2 else ()))
    if reduction == "sum":
        return _new(np.asarray(rows.sum(), dtype=rows.dtype))
    with np.errstate(invalid="ignore", divide="ignore"):
        return _new(np.asarray(rows.sum() / denom, dtype=rows.dtype))


@differentiable("nn.cross_entropy")
def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean",
                  label_smoothing=0.0):
    """``nll_loss(log_softmax(input, 1), target, ...)`` in one node for logits
    ``input`` (M, C) and class indices ``target`` (M,) (``nn.functional`` routes
    other layouts and probability targets to the two primitives). Returns
    ``(loss, Residual(p))``, ``p`` the softmax probabilities (M, C) for the rule."""
    x = input._array
    t = target._array
    dt = x.dtype
    m, c = x.shape
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        s = x - row_max(x)
        p = np.exp(s)
        se = row_sum(p)
        p /= se[:, None]
        lse = np.log(se)
        valid = t != ignore_index
        tc = np.where(valid, t, 0)
        w = None if weight is None else weight._array
        wt = valid.astype(dt) if w is None else (w[tc] * valid).astype(dt, copy=False)
        rows = (lse - s[np.arange(m), tc]) * wt    # -log p at the target, weighted
        if label_smoothing > 0:
            # coefficients (1 - eps) wt at the target plus eps / C (times w) on every class
            eps = label_smoothing
            if w is None:
                tot = lse * c - row_sum(s)                     # -sum_j log p_j
            else:
                tot = lse * w.sum(dtype=dt) - np.matmul(s, w)  # -sum_j w_j log p_j
            rows = (1 - eps) * rows + (eps / c) * (tot * valid)
        rows = rows.astype(dt, copy=False)
        if reduction == "none":
            loss = rows
        elif reduction == "sum":
            loss = np.asarray(rows.sum(), dtype=dt)
        else:
            loss = np.asarray(rows.sum() / wt.sum(), dtype=dt)
    return _new(loss), Residual(p)


@differentiable("nn.binary_cross_entropy")
def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """``-w (t log x + (1 - t) log(1 - x))``, the logs clamped at -100 (as PyTorch)."""
    x, t = input._array, target._array
    with np.errstate(divide="ignore", invalid="ignore"):
        l = -(t * np.maximum(np.log(x), -100) + (1 - t) * np.maximum(np.log1p(-x), -100))
    if weight is not None:
        l = l * weight._array
    return _new(reduce_loss(l.astype(np.result_type(x, t), copy=False), reduction))


def softplus_neg(x):
    """``log(1 + exp(-x))`` without overflow."""
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)


@differentiable("nn.binary_cross_entropy_with_logits")
def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None,
                                     reduction="mean"):
    """Sigmoid and binary cross-entropy in one stable expression,
    ``w ((1 - t) x + (1 + (pw - 1) t) log(1 + exp(-x)))``."""
    x, t = input._array, target._array
    sp = softplus_neg(x)
    if pos_weight is None:
        l = (1 - t) * x + sp
    else:
        l = (1 - t) * x + (1 + (pos_weight._array - 1) * t) * sp
    if weight is not None:
        l = l * weight._array
    return _new(reduce_loss(l.astype(np.result_type(x, t), copy=False), reduction))


@differentiable("nn.kl_div")
def kl_div(input, target, reduction="mean", log_target=False):
    """``t (log t - x)`` (``0`` where ``t == 0``), or ``exp(t) (t - x)`` with
    ``log_target``; then the reduction (``"batchmean"``: the sum over ``x.shape[0]``)."""
    x, t = input._array, target._array
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if log_target:
            l = np.exp(t) * (t - x)
        else:
            logt = np.where(t > 0, np.log(np.where(t > 0, t, 1)), 0)
            l = np.where(t > 0, t * (logt - x), np.where(t == 0, 0, np.nan * t))
    l = l.astype(np.result_type(x, t), copy=False)
    if reduction == "batchmean":
        n = x.shape[0] if x.ndim else 1
        if n == 0:  # an empty batch: NaN, as PyTorch (0 / 0)
            return _new(np.asarray(np.nan, dtype=l.dtype))
        return _new(np.asarray(l.sum() / n, dtype=l.dtype))
    return _new(reduce_loss(l, reduction))
