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
normalizations ``layer_norm``, ``rms_norm``, ``group_norm``, ``batch_norm``;
``normalize``, ``dropout`` (and ``dropout1d/2d/3d``) and ``pad`` (every mode) are
compositions in ``functional.py``.

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


# (normalize, dropout/dropout1d/2d/3d and pad: compositions of namespace ops in
# functional.py)


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
