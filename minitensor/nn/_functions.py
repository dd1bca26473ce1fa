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
# in nn/_rules.py; the losses too, see the module docstring)
