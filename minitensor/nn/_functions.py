"""Differentiable nn operations as ``autograd.Function`` subclasses over NumPy arrays.

``nn.functional`` checks arguments and calls these; they do the arithmetic on
the tensors' ``ndarray``\\ s (one autograd node per layer call instead of one per
namespace op), with the fused kernels of ``minitensor._kernels`` and
``minitensor/nn/_nn_kernels.py`` where they pay off.

``linear``, ``bilinear`` and the activations ``relu``, ``leaky_relu``, ``elu``, ``gelu``,
``silu``, ``sigmoid``, ``tanh``, ``softplus``, ``hardtanh``, ``prelu`` are no longer here:
they are primitives (``_ops.py``) whose differentiable gradient rules sit in the
namespace's rule table (``minitensor/nn/_rules.py``); the cheap
activations (``softsign``, ``hardsigmoid``, ``hardswish``, ``celu``, ``selu``,
``mish``, ``logsigmoid``) are compositions in ``functional.py``; ``softmax`` and
``log_softmax`` (and so ``softmin``) are primitives too.

The losses are not here either: ``mse_loss``, ``l1_loss``, ``smooth_l1_loss``,
``huber_loss``, ``nll_loss`` (``cross_entropy`` is ``nll_loss`` of
``log_softmax``), ``binary_cross_entropy(_with_logits)`` and ``kl_div`` are
primitives; ``cosine_similarity`` and ``cosine_embedding_loss`` are compositions.

# Note: the backward passes here are written in NumPy, so they are not
# themselves differentiable: ``create_graph=True`` through one of these
# operations raises a RuntimeError (PyTorch supports double backward for most
# of them); converting them to primitives with rules is ongoing (issue 12).
"""
import numpy as np

from .._array_object import Tensor
from ..autograd import Function
from ..autograd import _engine
from ..autograd._grad_mode import is_grad_enabled
from . import _nn_kernels

_new = Tensor._new


def _garr(name, g):
    """The ndarray of an incoming gradient (refusing double backward)."""
    if is_grad_enabled():
        raise RuntimeError(f"{name}: double backward (create_graph=True) is not supported "
                           f"through minitensor.nn operations")
    return g._array


def _T(a):
    return None if a is None else _new(a)


def _arr(t):
    return None if t is None else t._array


def _quiet(f, *args):
    with np.errstate(all="ignore"):
        return f(*args)


def _saved(ctx, *arrays):
    """Note the arrays ``forward`` keeps for ``backward`` that share memory with an
    input or an output, and the in-place write epoch now: :func:`_check_saved`
    then refuses to run the backward on values written in place since (an
    ``inplace=True`` activation or dropout, ``x[...] = v``, ``x += v``), as
    PyTorch's saved-tensor version check does."""
    ctx.saved_epoch = (_engine._writes_state.epoch, arrays)


def _check_saved(ctx, name):
    guard = getattr(ctx, "saved_epoch", None)
    if guard is None or not _engine._writes:
        return
    epoch, arrays = guard
    for a in arrays:
        if a is None:
            continue
        r = _engine._root(a)
        e = _engine._writes.get(id(r))
        if e is not None and e[0] > epoch and e[1]() is r:
            raise RuntimeError(
                f"one of the tensors needed to compute the gradient of {name} has been "
                f"modified by an in-place operation since {name} was computed (inplace=True, "
                f"an in-place operator or a write through a view); compute out of place, or "
                f"do the in-place update after backward()")


# (linear, bilinear, the activations, prelu, softmax and log_softmax: primitives
# in _ops.py with rules in nn/_rules.py, or compositions in functional.py)


# ============================================================ normalize, pad
class Normalize(Function):
    """x / max(||x||_p, eps) along ``dim``."""

    @staticmethod
    def forward(ctx, x, p, dim, eps):
        xa = x._array
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            n = np.linalg.vector_norm(xa, ord=p, axis=dim, keepdims=True)
        d = np.maximum(n, eps)
        ctx.saved = (xa, n, d, p, dim, eps)
        return _new((xa / d).astype(xa.dtype, copy=False))

    @staticmethod
    def backward(ctx, g):
        ga = _garr("normalize", g)
        xa, n, d, p, dim, eps = ctx.saved
        gx = ga / d
        dot = (ga * xa).sum(axis=dim, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            # d||x||_p / dx = sign(x) |x|^(p-1) / ||x||^(p-1)
            if p == 2:
                dn = xa / n
            elif p == 1:
                dn = np.sign(xa)
            elif np.isinf(p):
                dn = np.sign(xa) * (np.abs(xa) == n)
            else:
                dn = np.sign(xa) * np.abs(xa) ** (p - 1) / n ** (p - 1)
            corr = np.where(n > eps, dot / (d * d) * dn, 0)
        return _new((gx - corr).astype(xa.dtype, copy=False)), None, None, None


class Pad(Function):
    """np.pad with PyTorch's modes (constant, reflect, replicate, circular)."""

    _NP_MODE = {"constant": "constant", "reflect": "reflect", "replicate": "edge",
                "circular": "wrap"}

    @staticmethod
    def forward(ctx, x, pads, mode, value):
        xa = x._array
        ctx.xshape, ctx.pads, ctx.mode = xa.shape, pads, mode
        if mode == "constant":
            y = np.pad(xa, pads, mode="constant", constant_values=value)
        else:
            y = np.pad(xa, pads, mode=Pad._NP_MODE[mode])
        return _new(y)

    @staticmethod
    def backward(ctx, g):
        ga = _garr("pad", g)
        pads, shape = ctx.pads, ctx.xshape
        if ctx.mode == "constant":
            sl = tuple(slice(lo, lo + n) for (lo, _), n in zip(pads, shape))
            return _new(np.ascontiguousarray(ga[sl])), None, None, None
        # scatter-add through the index map of the padding
        k = sum(1 for lo, hi in pads if lo or hi)
        k = max(k, 1)
        lead = len(shape) - k
        spatial = shape[lead:]
        idx = np.arange(int(np.prod(spatial)), dtype=np.int64).reshape(spatial)
        pidx = np.pad(idx, pads[lead:], mode=Pad._NP_MODE[ctx.mode]).reshape(-1)
        m = int(np.prod(shape[:lead], dtype=np.int64))
        g2 = np.ascontiguousarray(ga).reshape(m, -1)
        gx = np.zeros((m, idx.size), ga.dtype)
        for r in range(m):
            gx[r] = np.bincount(pidx, weights=g2[r], minlength=idx.size)
        return _new(gx.reshape(shape)), None, None, None


# ======================================================================== dropout
class Dropout(Function):
    """x * mask / (1 - p), mask ~ Bernoulli(1 - p) (the mask is saved for backward)."""

    @staticmethod
    def forward(ctx, x, p, rng, channel_axes):
        xa = x._array
        dt = xa.dtype if xa.dtype.kind == "f" else np.dtype(np.float64)
        mshape = xa.shape
        if channel_axes:
            # Dropout1d/2d/3d: one draw per (sample, channel), broadcast over space
            mshape = xa.shape[:channel_axes] + (1,) * (xa.ndim - channel_axes)
        keep = rng.random(mshape, dtype=np.float32 if dt == np.float32 else np.float64) >= p
        mask = keep.astype(dt) * dt.type(1.0 / (1.0 - p))
        ctx.mask = mask
        return _new(xa * mask)

    @staticmethod
    def backward(ctx, g):
        return _new(_garr("dropout", g) * ctx.mask), None, None, None


# ======================================================================== embedding
class Embedding(Function):
    """weight[indices]; the backward scatter-adds into the rows that were read."""

    @staticmethod
    def forward(ctx, indices, weight, padding_idx, scale_grad_by_freq):
        idx = indices._array
        wa = weight._array
        ctx.idx, ctx.wshape, ctx.wdtype = idx, wa.shape, wa.dtype
        ctx.padding_idx, ctx.scale = padding_idx, scale_grad_by_freq
        return _new(wa[idx])

    @staticmethod
    def backward(ctx, g):
        ga = _garr("embedding", g)
        n, d = ctx.wshape
        flat = ctx.idx.reshape(-1)
        g2 = ga.reshape(-1, d)
        if ctx.scale:
            counts = np.bincount(flat, minlength=n)
            g2 = g2 / counts[flat][:, None]
        gw = np.zeros(ctx.wshape, ctx.wdtype)
        np.add.at(gw, flat, g2)
        if ctx.padding_idx is not None:
            gw[ctx.padding_idx] = 0
        return None, _new(gw), None, None


# =================================================================== normalization
def _empty_norm(ctx, xa):
    """True (noted on ``ctx``) for an empty input, which the normalisations map to an
    empty result with zero parameter gradients (as PyTorch), without reductions
    over nothing."""
    ctx.empty = xa.size == 0
    ctx.shape = xa.shape
    return ctx.empty


def _empty_norm_grads(ctx, ga, *params):
    """The gradients for an empty input: x's (empty), then zeros of each shape in
    ``params`` ((index into needs_input_grad, shape); shape None: no gradient)."""
    gx = _new(np.zeros(ctx.shape, ga.dtype)) if ctx.needs_input_grad[0] else None
    out = [gx]
    for i, shape in params:
        out.append(_new(np.zeros(shape, ga.dtype)) if shape is not None and
                   ctx.needs_input_grad[i] else None)
    return out


class BatchNorm(Function):
    """Batch normalization over axes (0, 2, 3, ...) of x (N, C, *)."""

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, training, momentum, eps):
        xa = x._array
        n_, c = xa.shape[0], xa.shape[1]
        dt = xa.dtype
        if xa.size == 0:
            # nothing to normalise: an empty result, the running statistics untouched
            # and zero gradients for weight and bias (as PyTorch)
            ctx.empty, ctx.shape = True, xa.shape
            return _new(np.empty(xa.shape, dt))
        ctx.empty = False
        x3 = xa.reshape(n_, c, -1)
        wa = None if weight is None else weight._array
        ba = None if bias is None else bias._array
        fused = (training and dt in (np.float32, np.float64) and x3.size > 0
                 and (wa is None or wa.dtype == dt) and (ba is None or ba.dtype == dt))
        if fused:
            # one fused kernel (float64 per-channel sums): y, xhat, mean, biased var
            m = x3.shape[0] * x3.shape[2]
            y, xhat, mean, var = _nn_kernels.batch_norm_forward(x3, wa, ba, eps)
            invstd = 1.0 / np.sqrt(var + eps)
            if running_mean is not None:
                rm = running_mean._array
                rm *= 1 - momentum
                rm += momentum * mean
            if running_var is not None:
                rv = running_var._array
                rv *= 1 - momentum
                rv += momentum * var * (m / max(m - 1, 1))
            ctx.xhat = xhat
        elif training:
            m = x3.shape[0] * x3.shape[2]
            mean = x3.mean(axis=(0, 2))
            xc = x3 - mean[:, None]
            var = np.einsum("ncl,ncl->c", xc, xc) / m
            invstd = 1.0 / np.sqrt(var + eps)
            xhat = xc * invstd[:, None].astype(dt, copy=False)
            if running_mean is not None:
                rm = running_mean._array
                rm *= 1 - momentum
                rm += momentum * mean
            if running_var is not None:
                rv = running_var._array
                rv *= 1 - momentum
                rv += momentum * var * (m / max(m - 1, 1))
            y = xhat if wa is None else xhat * wa[:, None]
            if ba is not None:
                y = y + ba[:, None]
            elif y is xhat:
                y = xhat.copy()
            ctx.xhat = xhat
        else:
            invstd = 1.0 / np.sqrt(running_var._array + eps)
            scale = invstd if wa is None else wa * invstd
            shift = -running_mean._array * scale
            if ba is not None:
                shift = shift + ba
            y = x3 * scale.astype(dt, copy=False)[:, None] + shift.astype(dt, copy=False)[:, None]
            ctx.x3, ctx.rmean = x3, running_mean._array.copy()
            _saved(ctx, x3)
        ctx.training, ctx.invstd, ctx.w, ctx.shape = training, invstd.astype(dt, copy=False), wa, xa.shape
        return _new(y.reshape(xa.shape))

    @staticmethod
    def backward(ctx, g):
        ga = _garr("batch_norm", g)
        shape = ctx.shape
        nx, nw, nb = ctx.needs_input_grad[:3]
        if ctx.empty:
            z = np.zeros(shape[1], ga.dtype)
            return (_new(np.zeros(shape, ga.dtype)) if nx else None, _new(z) if nw else None,
                    _new(z.copy()) if nb else None, None, None, None, None, None)
        _check_saved(ctx, "batch_norm")
        g3 = ga.reshape(shape[0], shape[1], -1)
        invstd, wa = ctx.invstd, ctx.w
        if ctx.training and ga.dtype == ctx.xhat.dtype and ctx.xhat.dtype in (np.float32,
                                                                               np.float64):
            k = invstd if wa is None else wa * invstd
            gx, gsum, gdot = _nn_kernels.batch_norm_backward(g3, ctx.xhat, k, nx)
            gx = None if gx is None else gx.reshape(shape)
            dt = ctx.xhat.dtype
            gw = gdot.astype(dt) if nw else None
            gb = gsum.astype(dt) if nb else None
            return _T(gx), _T(gw), _T(gb), None, None, None, None, None
        gsum = g3.sum(axis=(0, 2))
        if ctx.training:
            xhat = ctx.xhat
            gdot = np.einsum("ncl,ncl->c", g3, xhat)
            gx = None
            if nx:
                m = g3.shape[0] * g3.shape[2]
                k = invstd if wa is None else wa * invstd
                gx = (k / m)[:, None] * (m * g3 - gsum[:, None] - xhat * gdot[:, None])
                gx = gx.reshape(shape)
        else:
            gdot = np.einsum("ncl,ncl->c", g3, ctx.x3 - ctx.rmean[:, None]) * invstd if nw else None
            k = invstd if wa is None else wa * invstd
            gx = (g3 * k[:, None]).reshape(shape) if nx else None
        gw = gdot if nw else None
        gb = gsum if nb else None
        return _T(gx), _T(gw), _T(gb), None, None, None, None, None


class LayerNorm(Function):
    """Normalization over the last ``k`` axes, then an elementwise affine map."""

    @staticmethod
    def forward(ctx, x, k, weight, bias, eps):
        xa = x._array
        ctx.wshape = None if weight is None else weight.shape
        if _empty_norm(ctx, xa):
            return _new(np.empty(xa.shape, xa.dtype))
        n = int(np.prod(xa.shape[xa.ndim - k:], dtype=np.int64))
        x2 = xa.reshape(-1, n)
        mean = x2.mean(axis=1, keepdims=True)
        xc = x2 - mean
        var = np.einsum("ij,ij->i", xc, xc)[:, None] / n
        invstd = (1.0 / np.sqrt(var + eps)).astype(xa.dtype, copy=False)
        xhat = xc * invstd
        wa = None if weight is None else weight._array.reshape(-1)
        y = xhat if wa is None else xhat * wa
        if bias is not None:
            y = y + bias._array.reshape(-1)
        elif y is xhat:
            y = xhat.copy()
        ctx.xhat, ctx.invstd, ctx.w, ctx.shape = xhat, invstd, wa, xa.shape
        ctx.wshape = None if weight is None else weight.shape
        return _new(y.reshape(xa.shape))

    @staticmethod
    def backward(ctx, g):
        ga = _garr("layer_norm", g)
        if ctx.empty:
            gx, gw, gb = _empty_norm_grads(ctx, ga, (2, ctx.wshape), (3, ctx.wshape))
            return gx, None, gw, gb, None
        xhat, invstd, wa = ctx.xhat, ctx.invstd, ctx.w
        n = xhat.shape[1]
        g2 = ga.reshape(-1, n)
        nx, _, nw, nb, _ = ctx.needs_input_grad
        gx = gw = gb = None
        if nx:
            gxh = g2 if wa is None else g2 * wa
            a = gxh.mean(axis=1, keepdims=True)
            b = np.einsum("ij,ij->i", gxh, xhat)[:, None] / n
            gx = (invstd * (gxh - a - xhat * b)).reshape(ctx.shape)
        if nw:
            gw = np.einsum("ij,ij->j", g2, xhat).reshape(ctx.wshape)
        if nb:
            gb = g2.sum(axis=0).reshape(ctx.wshape)
        return _T(gx), None, _T(gw), _T(gb), None


class GroupNorm(Function):
    """Normalization over groups of channels (x: (N, C, *)), then a per-channel affine map."""

    @staticmethod
    def forward(ctx, x, groups, weight, bias, eps):
        xa = x._array
        n_, c = xa.shape[0], xa.shape[1]
        if _empty_norm(ctx, xa):
            return _new(np.empty(xa.shape, xa.dtype))
        x3 = xa.reshape(n_, groups, -1)
        m = x3.shape[2]
        mean = x3.mean(axis=2, keepdims=True)
        xc = x3 - mean
        var = np.einsum("ngk,ngk->ng", xc, xc)[:, :, None] / m
        invstd = (1.0 / np.sqrt(var + eps)).astype(xa.dtype, copy=False)
        xhat = (xc * invstd).reshape(n_, c, -1)
        wa = None if weight is None else weight._array
        y = xhat if wa is None else xhat * wa[:, None]
        if bias is not None:
            y = y + bias._array[:, None]
        elif y is xhat:
            y = xhat.copy()
        ctx.xhat, ctx.invstd, ctx.w, ctx.shape, ctx.groups = xhat, invstd, wa, xa.shape, groups
        return _new(y.reshape(xa.shape))

    @staticmethod
    def backward(ctx, g):
        ga = _garr("group_norm", g)
        if ctx.empty:
            c = (ctx.shape[1],)
            gx, gw, gb = _empty_norm_grads(ctx, ga, (2, c), (3, c))
            return gx, None, gw, gb, None
        shape, groups = ctx.shape, ctx.groups
        n_, c = shape[0], shape[1]
        g3 = ga.reshape(n_, c, -1)
        xhat, wa = ctx.xhat, ctx.w
        nx, _, nw, nb, _ = ctx.needs_input_grad
        gx = gw = gb = None
        if nx:
            gxh = g3 if wa is None else g3 * wa[:, None]
            gxh = gxh.reshape(n_, groups, -1)
            xh = xhat.reshape(n_, groups, -1)
            a = gxh.mean(axis=2, keepdims=True)
            b = np.einsum("ngk,ngk->ng", gxh, xh)[:, :, None] / xh.shape[2]
            gx = (ctx.invstd * (gxh - a - xh * b)).reshape(shape)
        if nw:
            gw = np.einsum("ncl,ncl->c", g3, xhat)
        if nb:
            gb = g3.sum(axis=(0, 2))
        return _T(gx), None, _T(gw), _T(gb), None


class RMSNorm(Function):
    """x / sqrt(mean(x**2) + eps) * weight over the last ``k`` axes."""

    @staticmethod
    def forward(ctx, x, k, weight, eps):
        xa = x._array
        ctx.wshape = None if weight is None else weight.shape
        if _empty_norm(ctx, xa):
            return _new(np.empty(xa.shape, xa.dtype))
        n = int(np.prod(xa.shape[xa.ndim - k:], dtype=np.int64))
        x2 = xa.reshape(-1, n)
        r = (1.0 / np.sqrt(np.einsum("ij,ij->i", x2, x2)[:, None] / n + eps)).astype(
            xa.dtype, copy=False)
        xhat = x2 * r
        wa = None if weight is None else weight._array.reshape(-1)
        y = xhat if wa is None else xhat * wa
        ctx.xhat, ctx.r, ctx.w, ctx.shape = xhat, r, wa, xa.shape
        ctx.wshape = None if weight is None else weight.shape
        return _new(y.reshape(xa.shape))

    @staticmethod
    def backward(ctx, g):
        ga = _garr("rms_norm", g)
        if ctx.empty:
            gx, gw = _empty_norm_grads(ctx, ga, (2, ctx.wshape))
            return gx, None, gw, None
        xhat, r, wa = ctx.xhat, ctx.r, ctx.w
        n = xhat.shape[1]
        g2 = ga.reshape(-1, n)
        nx, _, nw, _ = ctx.needs_input_grad
        gx = gw = None
        if nx:
            gxh = g2 if wa is None else g2 * wa
            b = np.einsum("ij,ij->i", gxh, xhat)[:, None] / n
            gx = (r * (gxh - xhat * b)).reshape(ctx.shape)
        if nw:
            gw = np.einsum("ij,ij->j", g2, xhat).reshape(ctx.wshape)
        return _T(gx), None, _T(gw), None
