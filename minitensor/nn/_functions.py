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
``log_softmax`` (and so ``softmin``) are primitives too, and so are the
normalizations ``layer_norm``, ``rms_norm``, ``group_norm``, ``batch_norm``.

# Note: the backward passes here are written in NumPy, so they are not
# themselves differentiable: ``create_graph=True`` through one of these
# operations raises a RuntimeError (PyTorch supports double backward for most
# of them); converting them to primitives with rules is ongoing (issue 12).
"""
import numpy as np

from .. import _kernels
from .._array_object import Tensor
from ..autograd import Function
from ..autograd import _engine
from ..autograd._grad_mode import is_grad_enabled

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
# (layer_norm, rms_norm, group_norm, batch_norm: primitives in _ops.py with rules
# in nn/_rules.py)


# ========================================================================= losses
def _reduce_forward(l, reduction):
    """(loss array, scale of d loss / d l) for a reduction of the elementwise loss ``l``."""
    if reduction == "none":
        return l, None
    if reduction == "sum":
        return np.asarray(l.sum(), dtype=l.dtype), 1.0
    n = l.size
    if n == 0:
        return np.asarray(np.nan, dtype=l.dtype), 0.0
    return np.asarray(l.sum() / n, dtype=l.dtype), 1.0 / n


def _upstream(g, scale):
    """d total / d l_i as an array broadcastable to the elementwise loss."""
    return g if scale is None else g * scale


def _pw_mse(d, x, t, p):
    return d * d, 2 * d


def _pw_l1(d, x, t, p):
    return np.abs(d), np.sign(d)


def _pw_smooth_l1(d, x, t, beta):
    ad = np.abs(d)
    if beta == 0:
        return ad, np.sign(d)
    small = ad < beta
    l = np.where(small, 0.5 * d * d / beta, ad - 0.5 * beta)
    return l, np.where(small, d / beta, np.sign(d))


def _pw_huber(d, x, t, delta):
    ad = np.abs(d)
    small = ad <= delta
    l = np.where(small, 0.5 * d * d, delta * (ad - 0.5 * delta))
    return l, np.clip(d, -delta, delta)


_POINTWISE = {"mse": _pw_mse, "l1": _pw_l1, "smooth_l1": _pw_smooth_l1, "huber": _pw_huber}


class PointwiseLoss(Function):
    """Losses of ``d = input - target`` elementwise, then a reduction."""

    @staticmethod
    def forward(ctx, input, target, kind, reduction, param):
        x, t = input._array, target._array
        d = x - t
        l, dl = _POINTWISE[kind](d, x, t, param)
        l = l.astype(d.dtype, copy=False)
        out, scale = _reduce_forward(l, reduction)
        ctx.dl, ctx.scale = dl, scale
        return _new(out)

    @staticmethod
    def backward(ctx, g):
        ga = _garr("loss", g)
        gd = _upstream(ga, ctx.scale) * ctx.dl
        nx, nt = ctx.needs_input_grad[:2]
        return (_new(gd) if nx else None), (_new(-gd) if nt else None), None, None, None


class BinaryCrossEntropy(Function):
    """-w * (t log x + (1 - t) log(1 - x)), logs clamped at -100 (as PyTorch)."""

    @staticmethod
    def forward(ctx, input, target, weight, reduction):
        x, t = input._array, target._array
        with np.errstate(divide="ignore", invalid="ignore"):
            lx = np.maximum(np.log(x), -100)
            l1x = np.maximum(np.log1p(-x), -100)
        l = -(t * lx + (1 - t) * l1x)
        w = None if weight is None else weight._array
        if w is not None:
            l = l * w
        l = l.astype(np.result_type(x, t), copy=False)
        out, scale = _reduce_forward(l, reduction)
        ctx.x, ctx.t, ctx.w, ctx.lx, ctx.l1x, ctx.scale = x, t, w, lx, l1x, scale
        return _new(out)

    @staticmethod
    def backward(ctx, g):
        ga = _upstream(_garr("binary_cross_entropy", g), ctx.scale)
        x, t, w = ctx.x, ctx.t, ctx.w
        if w is not None:
            ga = ga * w
        nx, nt = ctx.needs_input_grad[:2]
        gx = gt = None
        if nx:
            # PyTorch's formula: grad * (x - t) / max((1 - x) * x, eps)
            gx = ga * (x - t) / np.maximum((1 - x) * x, 1e-12)
        if nt:
            gt = ga * (ctx.l1x - ctx.lx)
        return _T(gx), _T(gt), None, None


class BCEWithLogits(Function):
    """Sigmoid + binary cross-entropy in one stable expression:
    (1 - t) x + (1 + (pw - 1) t) * (log1p(exp(-|x|)) + max(-x, 0))."""

    @staticmethod
    def forward(ctx, input, target, weight, pos_weight, reduction):
        x, t = input._array, target._array
        # log(1 + exp(-x)) = log1p(exp(-|x|)) + max(-x, 0): never overflows
        sp_neg = np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)
        pw = None if pos_weight is None else pos_weight._array
        if pw is None:
            l = (1 - t) * x + sp_neg
        else:
            l = (1 - t) * x + (1 + (pw - 1) * t) * sp_neg
        w = None if weight is None else weight._array
        if w is not None:
            l = l * w
        l = l.astype(np.result_type(x, t), copy=False)
        out, scale = _reduce_forward(l, reduction)
        ctx.x, ctx.t, ctx.w, ctx.pw, ctx.scale, ctx.sp_neg = x, t, w, pw, scale, sp_neg
        return _new(out)

    @staticmethod
    def backward(ctx, g):
        ga = _upstream(_garr("binary_cross_entropy_with_logits", g), ctx.scale)
        x, t, w, pw = ctx.x, ctx.t, ctx.w, ctx.pw
        if w is not None:
            ga = ga * w
        nx, nt = ctx.needs_input_grad[:2]
        gx = gt = None
        s = _kernels.sigmoid(np.ascontiguousarray(x))
        if nx:
            gx = ga * (s - t) if pw is None else ga * (s * (1 - t + pw * t) - pw * t)
        if nt:
            # d/dt: -x ... = -(pw * log sigmoid(x) - log(1 - sigmoid(x)))
            log_sig = -ctx.sp_neg                  # log sigmoid(x)
            log_1ms = -x - ctx.sp_neg              # log(1 - sigmoid(x))
            gt = -ga * (log_sig - log_1ms) if pw is None else -ga * (pw * log_sig - log_1ms)
        return _T(gx), _T(gt), None, None, None


class KLDiv(Function):
    """target * (log target - input) (or exp(t) * (t - input) with log_target)."""

    @staticmethod
    def forward(ctx, input, target, reduction, log_target):
        x, t = input._array, target._array
        if log_target:
            et = np.exp(t)
            l = et * (t - x)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                logt = np.where(t > 0, np.log(np.where(t > 0, t, 1)), 0)
            l = np.where(t > 0, t * (logt - x), np.where(t == 0, 0, np.nan * t))
            et = None
            ctx.logt = logt
        l = l.astype(np.result_type(x, t), copy=False)
        if reduction == "batchmean":
            n = x.shape[0] if x.ndim else 1
            if n == 0:  # an empty batch: NaN, as PyTorch (0 / 0)
                out, scale = np.asarray(np.nan, dtype=l.dtype), 0.0
            else:
                out = np.asarray(l.sum() / n, dtype=l.dtype)
                scale = 1.0 / n
        else:
            out, scale = _reduce_forward(l, reduction)
        ctx.x, ctx.t, ctx.et, ctx.scale, ctx.log_target = x, t, et, scale, log_target
        return _new(out)

    @staticmethod
    def backward(ctx, g):
        ga = _upstream(_garr("kl_div", g), ctx.scale)
        x, t = ctx.x, ctx.t
        nx, nt = ctx.needs_input_grad[:2]
        gx = gt = None
        if ctx.log_target:
            if nx:
                gx = -ga * ctx.et
            if nt:
                gt = ga * ctx.et * (t - x + 1)
        else:
            if nx:
                gx = -ga * t
            if nt:
                gt = ga * np.where(t > 0, ctx.logt + 1 - x, 0)
        return _T(gx), _T(gt), None, None


class CrossEntropy(Function):
    """Log-softmax (``from_logits``) + negative log-likelihood over axis 1, with
    class weights, ``ignore_index``, label smoothing and probability targets.

    Works on (M, C) rows (the class axis moved last); the gradient w.r.t. the
    logits is ``dlogp - softmax * sum(dlogp)``.
    """

    @staticmethod
    def forward(ctx, input, target, weight, ignore_index, reduction, label_smoothing, from_logits):
        x = input._array
        t = target._array
        c = x.shape[1] if x.ndim >= 2 else x.shape[0]
        moved = x.ndim > 2
        if x.ndim == 1:
            z = x.reshape(1, c)
        elif moved:
            z = np.moveaxis(x, 1, -1).reshape(-1, c)
        else:
            z = x
        if from_logits:
            with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
                s = z - z.max(axis=1, keepdims=True)
                lse = np.log(np.exp(s).sum(axis=1, keepdims=True))
            logp = s - lse
        else:
            logp = z
        w = None if weight is None else weight._array
        eps = label_smoothing
        prob = t.dtype.kind == "f"
        if prob:
            tp = np.moveaxis(t, 1, -1).reshape(-1, c) if moved else t.reshape(-1, c)
            if eps > 0:
                tp = tp * (1 - eps) + eps / c
            coef = tp if w is None else tp * w
            rows = -np.einsum("ij,ij->i", logp, coef)
            if reduction == "mean":
                denom = rows.shape[0]
            ctx.coef = coef
        else:
            tf = t.reshape(-1)
            valid = tf != ignore_index
            tc = np.where(valid, tf, 0)
            ar = np.arange(tf.shape[0])
            wt = valid.astype(logp.dtype) if w is None else w[tc] * valid
            rows = -logp[ar, tc] * wt
            if eps > 0:
                sm = -(logp.sum(axis=1) if w is None else logp @ w) * valid
                rows = (1 - eps) * rows + (eps / c) * sm
            if reduction == "mean":
                denom = wt.sum()
            ctx.tc, ctx.valid, ctx.wt = tc, valid, wt
        rows = rows.astype(logp.dtype, copy=False)
        if reduction == "none":
            out = rows.reshape(x.shape[:1] + x.shape[2:] if x.ndim >= 2 else ())
            scale = None
        elif reduction == "sum":
            out = np.asarray(rows.sum(), dtype=rows.dtype)
            scale = 1.0
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                out = np.asarray(rows.sum() / denom, dtype=rows.dtype)
            scale = 1.0 / denom if denom != 0 else np.nan
        ctx.logp, ctx.w, ctx.eps, ctx.prob, ctx.scale = logp, w, eps, prob, scale
        ctx.from_logits, ctx.xshape, ctx.moved, ctx.c = from_logits, x.shape, moved, c
        return _new(out)

    @staticmethod
    def backward(ctx, g):
        ga = _garr("cross_entropy", g)
        logp, c = ctx.logp, ctx.c
        a = (ga * ctx.scale if ctx.scale is not None else ga).reshape(-1)
        a = np.broadcast_to(a, (logp.shape[0],))
        if ctx.prob:
            dlogp = -a[:, None] * ctx.coef
        else:
            dlogp = np.zeros(logp.shape, logp.dtype)
            ar = np.arange(logp.shape[0])
            if ctx.eps > 0:
                av = a * ctx.valid
                sm = (ctx.eps / c) * av
                dlogp -= sm[:, None] if ctx.w is None else sm[:, None] * ctx.w
                dlogp[ar, ctx.tc] -= (1 - ctx.eps) * a * ctx.wt
            else:
                dlogp[ar, ctx.tc] = -a * ctx.wt
        if ctx.from_logits:
            gz = dlogp - np.exp(logp) * dlogp.sum(axis=1, keepdims=True)
        else:
            gz = dlogp
        shape = ctx.xshape

        def back(rows):
            if len(shape) == 1:
                return rows.reshape(shape)
            if ctx.moved:
                return np.moveaxis(rows.reshape((shape[0],) + shape[2:] + (c,)), -1, 1)
            return rows

        gt = None
        if ctx.prob and ctx.needs_input_grad[1]:
            # d/dt of -sum(logp * (t (1 - eps) + eps / C) * w)
            gt = -a[:, None] * (1 - ctx.eps) * logp
            if ctx.w is not None:
                gt = gt * ctx.w
            gt = _new(back(gt).astype(logp.dtype, copy=False))
        return (_new(back(gz).astype(logp.dtype, copy=False)), gt, None, None, None, None,
                None)


class CosineEmbedding(Function):
    """1 - cos(x1, x2) for y = 1, max(0, cos(x1, x2) - margin) for y = -1."""

    @staticmethod
    def forward(ctx, x1, x2, target, margin, reduction):
        a, b, y = x1._array, x2._array, target._array
        eps = 1e-12
        prod = (a * b).sum(-1)
        m1 = (a * a).sum(-1) + eps
        m2 = (b * b).sum(-1) + eps
        denom = np.sqrt(m1 * m2)
        cos = prod / denom
        pos = y == 1
        neg = y == -1
        l = np.where(pos, 1 - cos, 0) + np.where(neg, np.maximum(cos - margin, 0), 0)
        l = l.astype(cos.dtype, copy=False)
        out, scale = _reduce_forward(l, reduction)
        # d l / d cos
        dcos = np.where(pos, -1.0, 0.0) + np.where(neg & (cos - margin >= 0), 1.0, 0.0)
        ctx.saved = (a, b, prod, m1, m2, denom, cos, dcos)
        ctx.scale = scale
        return _new(out)

    @staticmethod
    def backward(ctx, g):
        ga = _upstream(_garr("cosine_embedding_loss", g), ctx.scale)
        a, b, prod, m1, m2, denom, cos, dcos = ctx.saved
        k = (ga * dcos)[..., None]
        n1, n2 = ctx.needs_input_grad[:2]
        g1 = k * (b / denom[..., None] - cos[..., None] * a / m1[..., None]) if n1 else None
        g2 = k * (a / denom[..., None] - cos[..., None] * b / m2[..., None]) if n2 else None
        return _T(g1), _T(g2), None, None, None


class CosineSimilarity(Function):
    """sum(x1 * x2) / max(||x1|| * ||x2||, eps) along ``dim`` (PyTorch's formula)."""

    @staticmethod
    def forward(ctx, x1, x2, dim, eps):
        a, b = np.broadcast_arrays(x1._array, x2._array)
        n1 = np.sqrt((a * a).sum(dim))
        n2 = np.sqrt((b * b).sum(dim))
        # PyTorch clamps each norm separately: x / max(||x||, eps)
        d1 = np.maximum(n1, eps)
        d2 = np.maximum(n2, eps)
        an = a / np.expand_dims(d1, dim)
        bn = b / np.expand_dims(d2, dim)
        cos = (an * bn).sum(dim)
        ctx.saved = (a, b, n1, n2, d1, d2, an, bn, dim, eps)
        ctx.shapes = (x1.shape, x2.shape)
        return _new(cos.astype(np.result_type(a, b), copy=False))

    @staticmethod
    def backward(ctx, g):
        ga = _garr("cosine_similarity", g)
        a, b, n1, n2, d1, d2, an, bn, dim, eps = ctx.saved
        ge = np.expand_dims(ga, dim)

        def grad(xn, other_n, nrm, d, x):
            # d/dx of (x / max(|x|, eps)) . other_n
            gxn = ge * other_n
            gx = gxn / np.expand_dims(d, dim)
            big = np.expand_dims(nrm > eps, dim)
            dot = np.expand_dims((gxn * x).sum(dim), dim)
            with np.errstate(invalid="ignore", divide="ignore"):
                corr = np.where(big, dot * x / np.expand_dims(d * d * np.where(nrm > 0, nrm, 1),
                                                              dim), 0)
            return gx - corr

        n1g, n2g = ctx.needs_input_grad[:2]
        g1 = grad(an, bn, n1, d1, a) if n1g else None
        g2 = grad(bn, an, n2, d2, b) if n2g else None
        return _T(g1), _T(g2), None, None
