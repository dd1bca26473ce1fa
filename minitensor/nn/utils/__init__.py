"""Training utilities (PyTorch's ``torch.nn.utils``): gradient clipping,
flattening parameters to one vector, and (``nn.utils.rnn``) padded and packed
variable-length sequences."""
import math

import numpy as np

from ..._array_object import Tensor
from ...autograd._inplace import note_inplace
from . import rnn

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "parameters_to_vector",
           "vector_to_parameters"]


def _params(parameters):
    if isinstance(parameters, Tensor):
        return [parameters]
    return list(parameters)


def _grads(parameters):
    return [p.grad for p in _params(parameters) if p.grad is not None]


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False):
    """The ``norm_type``-norm of the concatenation of ``tensors`` (a 0-d tensor of the
    first tensor's dtype).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> grads = [xp.asarray([3.0, 0.0]), xp.asarray([[4.0]])]
    >>> nn.utils.get_total_norm(grads)
    Tensor(5., dtype=float64)
    >>> nn.utils.get_total_norm(grads, norm_type=float("inf"))
    Tensor(4., dtype=float64)
    """
    ts = _params(tensors)
    norm_type = float(norm_type)
    if not ts:
        return Tensor._new(np.zeros((), np.float32))
    dt = ts[0]._array.dtype
    if math.isinf(norm_type):
        total = max(float(np.max(np.abs(t._array))) if t.size else 0.0 for t in ts)
    else:
        total = sum(float(np.sum(np.abs(t._array.astype(np.float64)) ** norm_type)) for t in ts)
        total = total ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` "
                           f"is non-finite, so it cannot be clipped. To disable this error and "
                           f"scale the gradients by the non-finite norm anyway, set "
                           f"`error_if_nonfinite=False`")
    return Tensor._new(np.asarray(total, dtype=dt))


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale the gradients of ``parameters`` in place so that their total norm is at
    most ``max_norm``; returns the total norm before clipping.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> p = nn.Parameter(xp.zeros(2))
    >>> p.grad = xp.asarray([3.0, 4.0])
    >>> float(nn.utils.clip_grad_norm_([p], 1.0))
    5.0
    >>> [round(float(v), 4) for v in p.grad]
    [0.6, 0.8]
    """
    grads = _grads(parameters)
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    coef = float(max_norm) / (float(total) + 1e-6)
    if coef < 1.0:
        for g in grads:
            g._array *= g._array.dtype.type(coef)
    return total


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp the gradients of ``parameters`` in place to [-clip_value, clip_value].

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> p = nn.Parameter(xp.zeros(3))
    >>> p.grad = xp.asarray([-5.0, 0.5, 2.0])
    >>> nn.utils.clip_grad_value_([p], 1.0)
    >>> p.grad
    Tensor([-1. ,  0.5,  1. ], dtype=float64)
    """
    v = float(clip_value)
    for g in _grads(parameters):
        np.clip(g._array, -v, v, out=g._array)


def parameters_to_vector(parameters):
    """All parameters flattened into one 1-D tensor (a copy).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> layer = nn.Linear(3, 2)
    >>> nn.utils.parameters_to_vector(layer.parameters()).shape  # 2 * 3 weights + 2 biases
    (8,)
    """
    ps = _params(parameters)
    return Tensor._new(np.concatenate([p._array.reshape(-1) for p in ps]) if ps
                       else np.zeros(0, np.float32))


def vector_to_parameters(vec, parameters):
    """Copy the 1-D ``vec`` into the parameters (in order), in place.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> layer = nn.Linear(2, 1)
    >>> nn.utils.vector_to_parameters(xp.asarray([1.0, 2.0, 0.5], dtype=xp.float32),
    ...                               layer.parameters())
    >>> layer.weight.tolist(), layer.bias.tolist()
    ([[1.0, 2.0]], [0.5])
    """
    if not isinstance(vec, Tensor) or vec.ndim != 1:
        raise TypeError(f"expected a 1-D minitensor Tensor, got {type(vec).__name__}")
    ps = _params(parameters)
    n = sum(p.size for p in ps)
    if vec.size != n:
        raise ValueError(f"vector_to_parameters: the vector has {vec.size} elements, the "
                         f"parameters {n}")
    i = 0
    for p in ps:
        p._array[...] = vec._array[i:i + p.size].reshape(p.shape)
        note_inplace(p)
        i += p.size
