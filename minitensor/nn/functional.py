"""Functional forms of the nn layers, activations and losses (PyTorch's
``torch.nn.functional`` names, arguments and defaults).

Each function checks its arguments (TypeError for wrong types and dtypes,
ValueError naming the expected and given shapes, IndexError for class indices
out of range) and runs one graph node: a primitive (``_ops.py``,
``_conv_ops.py``, ``_sequence_ops.py``) whose gradient rule sits in the one rule
table (``_rules.py``, ``_conv_rules.py``, ``_sequence_rules.py``), or a
composition of namespace operations and primitives.

``inplace=True`` (activations, dropout) writes the result into the input and
returns it, as PyTorch: the input's version is bumped (a graph that saved the
old values refuses to backward), a leaf that requires grad raises under grad
mode, and a non-leaf takes the operation into its history.

# Note: inplace=True on a view of another tensor of a recorded graph (PyTorch
# rewrites the base's history too) raises a RuntimeError; use inplace=False.

Examples
--------
>>> import minitensor as xp
>>> import minitensor.nn.functional as F
>>> x = xp.asarray([[1.0, -2.0, 0.5]], dtype=xp.float32)
>>> F.relu(x)
Tensor([[1. , 0. , 0.5]], dtype=float32)
>>> y = xp.asarray([0])
>>> round(float(F.cross_entropy(x, y)), 4)
0.5046
"""
import math
import numbers
import operator
import warnings

import numpy as np

from .._array_object import Tensor
from .._data_type_functions import astype
from .._manipulation_functions import reshape
from .. import _random
from .. import _elementwise_functions as _ew
from .._searching_functions import where as _where
from ..autograd import _engine as _ag
from ..autograd import _inplace as _inplace_ops
from ..autograd._grad_mode import is_grad_enabled
import minitensor as _xp

from . import _conv_ops as _co
from . import _ops
from . import _sequence_ops as _sq
# (the rule modules register the primitives' gradient rules in the one table)
from . import _conv_rules, _rules, _sequence_rules  # noqa: F401
from ._nn_kernels import conv_out_size, pool_out_size

__all__ = [
    # linear
    "linear", "bilinear",
    # activations
    "relu", "relu6", "leaky_relu", "gelu", "silu", "sigmoid", "tanh", "elu", "selu", "celu",
    "softplus", "hardtanh", "logsigmoid", "mish", "hardsigmoid", "hardswish", "softsign",
    "prelu", "softmax", "log_softmax", "softmin",
    # dropout, embedding, shapes
    "dropout", "dropout1d", "dropout2d", "dropout3d", "embedding", "one_hot", "pad",
    # normalization
    "batch_norm", "layer_norm", "group_norm", "rms_norm", "normalize",
    # convolution and pooling
    "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "max_pool1d", "max_pool2d",
    "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
    # attention
    "scaled_dot_product_attention",
    # losses and distances
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
    "cosine_embedding_loss", "cosine_similarity",
]

_REDUCTIONS = ("none", "mean", "sum")


# ============================================================================ checks
def _tensor(fname, x, name="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{name}' must be a minitensor Tensor, got "
                        f"{type(x).__name__}")
    return x


def _float_tensor(fname, x, name="input"):
    _tensor(fname, x, name)
    if x._array.dtype.kind != "f":
        raise TypeError(f"{fname}(): argument '{name}' must have a floating-point dtype, got "
                        f"{x.dtype}")
    return x


def _opt_tensor(fname, x, name):
    if x is not None:
        _tensor(fname, x, name)
    return x


def _same_dtype(fname, x, w, wname="weight"):
    if w is not None and x._array.dtype != w._array.dtype:
        raise TypeError(
            f"{fname}(): input dtype {x.dtype.name} does not match {wname} dtype {w.dtype.name}; convert "
            f"the input (e.g. minitensor.astype(x, minitensor.{w.dtype.name})) or the module "
            f"(module.to(minitensor.{x.dtype.name}))")


def _int(fname, name, v, lo=None):
    if isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{fname}(): {name} must be an integer, got {v!r}")
    try:
        v = operator.index(v)
    except TypeError:
        raise TypeError(f"{fname}(): {name} must be an integer, got {type(v).__name__}") from None
    if lo is not None and v < lo:
        raise ValueError(f"{fname}(): {name} must be >= {lo}, got {v}")
    return int(v)


def _ntuple(fname, name, v, n, lo=None):
    if isinstance(v, (tuple, list)):
        if len(v) == 1:
            v = tuple(v) * n
        if len(v) != n:
            raise ValueError(f"{fname}(): {name} must be an integer or a tuple of {n} integers, "
                             f"got {v!r}")
        return tuple(_int(fname, name, e, lo) for e in v)
    return (_int(fname, name, v, lo),) * n


def _real(fname, name, v):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
        raise TypeError(f"{fname}(): {name} must be a real number, got {type(v).__name__}")
    return float(v)


def _reduction(fname, reduction, size_average=None, reduce=None, allowed=_REDUCTIONS):
    if size_average is not None or reduce is not None:
        warnings.warn("size_average and reduce args will be deprecated, please use "
                      "reduction='mean'/'sum'/'none' instead.", UserWarning, stacklevel=3)
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = ("mean" if size_average else "sum") if reduce else "none"
    if reduction not in allowed:
        raise ValueError(f"{fname}(): {reduction!r} is not a valid value for reduction "
                         f"(expected one of {', '.join(repr(r) for r in allowed)})")
    return reduction


def _batched(fname, x, ndim_batched, what):
    """(input with a batch axis, True if one was added) for layers that accept
    unbatched input (ndim_batched - 1 dims)."""
    if x.ndim == ndim_batched:
        return x, False
    if x.ndim == ndim_batched - 1:
        return reshape(x, (1,) + x.shape), True
    raise ValueError(f"{fname}(): expected {ndim_batched - 1}-D (unbatched) or {ndim_batched}-D "
                     f"(batched) input {what}, got input of shape {x.shape}")


def _unbatch(y, added):
    if added:
        return reshape(y, y.shape[1:])
    return y


def _inplace(fname, input, compute, reads_input=True):
    """``inplace=True``: write ``compute(input)`` into ``input`` and return ``input``
    (as PyTorch).

    Without a graph to record (``input`` does not require grad, or grad mode is
    off) the write goes through ``input[...] = y`` (the tensor's guarded in-place
    path: version bump, write note). Otherwise ``input`` must be a non-leaf that
    is not a view of another graph tensor: the operation runs out of place on an
    alias of ``input`` (a copy when its backward reads the input:
    ``reads_input``), its values are written into ``input``'s memory, the old
    version is invalidated (nodes that saved it refuse to backward) and ``input``
    takes the result's place in the graph.
    """
    if not input._array.flags.writeable:
        raise RuntimeError(f"{fname}(): inplace=True on a read-only tensor (several elements "
                           f"share one memory location, as in a broadcast view); clone() it "
                           f"first, or use inplace=False")
    m = _ag._get_meta(input)
    if m is None or not m.requires_grad or not is_grad_enabled():
        y = compute(input)
        if y is not input:
            input[...] = y
        return input
    if m.grad_fn is None:
        raise RuntimeError(f"{fname}(): a leaf Variable that requires grad is being used in an "
                           f"in-place operation (inplace=True); use inplace=False, or wrap the "
                           f"call in minitensor.no_grad()")
    # input's values become the result's, and input takes its place in the graph
    return _inplace_ops.record_inplace(f"{fname}()", input, compute, reads_input)


# ============================================================================ linear
def linear(input, weight, bias=None):
    """y = input @ weight.T + bias, over the last axis of ``input``.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> F.linear(xp.ones((2, 3)), xp.ones((4, 3)), xp.zeros(4)).shape
    (2, 4)
    """
    f = "linear"
    _float_tensor(f, input)
    _tensor(f, weight, "weight")
    _opt_tensor(f, bias, "bias")
    _same_dtype(f, input, weight)
    if weight.ndim != 2:
        raise ValueError(f"linear(): weight must be 2-D (out_features, in_features), got shape "
                         f"{weight.shape}")
    if input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear(): expected input with last dimension {weight.shape[1]} "
                         f"(in_features), got input of shape {input.shape}")
    if bias is not None:
        _same_dtype(f, input, bias, "bias")
        if bias.shape != (weight.shape[0],):
            raise ValueError(f"linear(): bias must have shape ({weight.shape[0]},), got "
                             f"{bias.shape}")
    return _ops.linear(input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    """y = input1 @ weight[o] @ input2 + bias[o] for each output feature ``o``.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x1 = xp.asarray([[1.0, 2.0]])
    >>> x2 = xp.asarray([[3.0, 4.0]])
    >>> w = xp.stack([xp.eye(2), -xp.eye(2)])  # (out=2, in1=2, in2=2)
    >>> F.bilinear(x1, x2, w)  # (x1 . x2, -x1 . x2)
    Tensor([[ 11., -11.]], dtype=float64)
    >>> F.bilinear(x1, x2, w, xp.asarray([0.5, 0.5]))
    Tensor([[ 11.5, -10.5]], dtype=float64)
    """
    f = "bilinear"
    _float_tensor(f, input1, "input1")
    _float_tensor(f, input2, "input2")
    _tensor(f, weight, "weight")
    _opt_tensor(f, bias, "bias")
    _same_dtype(f, input1, weight)
    _same_dtype(f, input2, weight)
    if weight.ndim != 3:
        raise ValueError(f"bilinear(): weight must be 3-D (out, in1, in2), got {weight.shape}")
    _, i1, i2 = weight.shape
    if input1.ndim == 0 or input1.shape[-1] != i1 or input2.ndim == 0 or input2.shape[-1] != i2 \
            or input1.shape[:-1] != input2.shape[:-1]:
        raise ValueError(f"bilinear(): expected inputs of shapes (*, {i1}) and (*, {i2}) with "
                         f"the same leading dimensions, got {input1.shape} and {input2.shape}")
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ValueError(f"bilinear(): bias must have shape ({weight.shape[0]},), got {bias.shape}")
    return _ops.bilinear(input1, input2, weight, bias)


# ======================================================================= activations
def _act_op(fname, op, input, inplace, *params, reads_input=True):
    """``op(input, *params)`` (an nn primitive of ``_ops``), written into ``input``
    when ``inplace`` (``reads_input``: op's gradient rule reads its input, not
    only its output)."""
    if inplace:
        return _inplace(fname, input, lambda t: op(t, *params), reads_input)
    return op(input, *params)


# The cheap activations are compositions of namespace operations and the
# primitives above (no rule of their own; their gradients, of any order, come
# from the operations'): softsign, hardsigmoid, hardswish, celu, selu, mish,
# logsigmoid.
_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772, 1.0507009873554805


def _selu(x):
    return _SELU_SCALE * _ops.elu(x, _SELU_ALPHA)


def _celu(x, alpha):
    # expm1 only where x <= 0 (no overflow for large positive x; gradient 1 at 0)
    neg = _where(x > 0, 0.0, x)
    return _where(x > 0, x, alpha * _ew.expm1(neg / alpha))


def _hardsigmoid(x):
    # (PyTorch's formula; hardtanh's gradient is 0 at the kinks -3 and 3, as PyTorch's)
    return _ops.hardtanh(x + 3, 0.0, 6.0) / 6


def _hardswish(x):
    # (PyTorch's formula; the gradient at the kinks -3 and 3 is 0 and 1, as PyTorch's)
    return x * _ops.hardtanh(x + 3, 0.0, 6.0) / 6


def _softsign(x):
    # the limits +-1 at +-inf (not inf / inf), with gradient 0 there
    inf = _ew.isinf(x)
    xs = _where(inf, 0.0, x)
    return _where(inf, _ew.sign(x), xs / (1 + _ew.abs(xs)))


def _logsigmoid(x):
    # log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)): no overflow
    return _ew.minimum(x, 0.0) - _ew.log1p(_ew.exp(-_ew.abs(x)))


def _mish(x):
    return x * _ops.tanh(_ops.softplus(x))


def relu(input, inplace=False):
    """max(input, 0).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> F.relu(xp.asarray([-2.0, 0.0, 3.0]))
    Tensor([0., 0., 3.], dtype=float64)
    >>> F.relu(xp.asarray([-5, 7]))  # integer tensors too
    Tensor([0, 7], dtype=int64)
    """
    _tensor("relu", input)
    if input._array.dtype.kind not in "iuf":
        raise TypeError(f"relu(): unsupported dtype {input.dtype}")
    return _act_op("relu", _ops.relu, input, inplace, reads_input=False)


def relu6(input, inplace=False):
    """min(max(input, 0), 6).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> F.relu6(xp.asarray([-1.0, 3.0, 8.0]))
    Tensor([0., 3., 6.], dtype=float64)
    """
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """input if input > 0 else negative_slope * input.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> F.leaky_relu(xp.asarray([-2.0, 0.0, 3.0]))
    Tensor([-0.02,  0.  ,  3.  ], dtype=float64)
    >>> F.leaky_relu(xp.asarray([-2.0, 0.0, 3.0]), negative_slope=0.5)
    Tensor([-1.,  0.,  3.], dtype=float64)
    """
    _float_tensor("leaky_relu", input)
    return _act_op("leaky_relu", _ops.leaky_relu, input, inplace,
                _real("leaky_relu", "negative_slope", negative_slope))


def gelu(input, approximate="none"):
    """x * Phi(x) (``approximate="none"``, exact erf) or its tanh approximation
    (``approximate="tanh"``).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.asarray([-2.0, 0.0, 3.0])
    >>> [round(v, 4) for v in F.gelu(x).tolist()]
    [-0.0455, 0.0, 2.996]
    >>> [round(v, 4) for v in F.gelu(x, approximate="tanh").tolist()]
    [-0.0454, 0.0, 2.9964]
    """
    _float_tensor("gelu", input)
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu(): approximate must be 'none' or 'tanh', got {approximate!r}")
    return _ops.gelu(input, approximate)


def silu(input, inplace=False):
    """x * sigmoid(x) (also called swish).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.asarray([-2.0, 0.0, 3.0])
    >>> [round(v, 4) for v in F.silu(x).tolist()]
    [-0.2384, 0.0, 2.8577]
    """
    _float_tensor("silu", input)
    return _act_op("silu", _ops.silu, input, inplace)


def sigmoid(input):
    """1 / (1 + exp(-x)).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> y = F.sigmoid(xp.asarray([-2.0, 0.0, 3.0]))
    >>> [round(v, 4) for v in y.tolist()]
    [0.1192, 0.5, 0.9526]
    """
    _float_tensor("sigmoid", input)
    return _ops.sigmoid(input)


def tanh(input):
    """tanh(x).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> y = F.tanh(xp.asarray([-2.0, 0.0, 3.0]))
    >>> [round(v, 4) for v in y.tolist()]
    [-0.964, 0.0, 0.9951]
    """
    _float_tensor("tanh", input)
    return _ops.tanh(input)


def elu(input, alpha=1.0, inplace=False):
    """x if x > 0 else alpha * (exp(x) - 1).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.asarray([-2.0, 0.0, 3.0])
    >>> [round(v, 4) for v in F.elu(x).tolist()]
    [-0.8647, 0.0, 3.0]
    >>> [round(v, 4) for v in F.elu(x, alpha=0.5).tolist()]
    [-0.4323, 0.0, 3.0]
    """
    _float_tensor("elu", input)
    return _act_op("elu", _ops.elu, input, inplace, _real("elu", "alpha", alpha))


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.asarray([-2.0, 0.0, 3.0])
    >>> [round(v, 4) for v in F.celu(x, alpha=2.0).tolist()]
    [-1.2642, 0.0, 3.0]
    """
    _float_tensor("celu", input)
    alpha = _real("celu", "alpha", alpha)
    if alpha == 0:
        raise ValueError("celu(): alpha must not be 0")
    return _act_op("celu", _celu, input, inplace, alpha)


def selu(input, inplace=False):
    """scale * (max(0, x) + min(0, alpha * (exp(x) - 1))) with the self-normalizing constants.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.asarray([-2.0, 0.0, 3.0])
    >>> [round(v, 4) for v in F.selu(x).tolist()]
    [-1.5202, 0.0, 3.1521]
    """
    _float_tensor("selu", input)
    return _act_op("selu", _selu, input, inplace)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta; linear where beta * x > threshold.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.asarray([-2.0, 0.0, 3.0])
    >>> [round(v, 4) for v in F.softplus(x).tolist()]
    [0.1269, 0.6931, 3.0486]
    >>> [round(v, 4) for v in F.softplus(x, beta=2.0).tolist()]
    [0.0091, 0.3466, 3.0012]
    """
    _float_tensor("softplus", input)
    return _ops.softplus(input, _real("softplus", "beta", beta),
                        _real("softplus", "threshold", threshold))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """clip(x, min_val, max_val).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> F.hardtanh(xp.asarray([-3.0, 0.5, 3.0]))
    Tensor([-1. ,  0.5,  1. ], dtype=float64)
    >>> F.hardtanh(xp.asarray([-3.0, 0.5, 3.0]), min_val=0.0, max_val=2.0)
    Tensor([0. , 0.5, 2. ], dtype=float64)
    """
    _tensor("hardtanh", input)
    lo, hi = _real("hardtanh", "min_val", min_val), _real("hardtanh", "max_val", max_val)
    if lo > hi:
        raise ValueError(f"hardtanh(): min_val ({lo}) cannot be greater than max_val ({hi})")
    if input._array.dtype.kind != "f":
        raise TypeError(f"hardtanh(): input must have a floating-point dtype, got {input.dtype}")
    return _act_op("hardtanh", _ops.hardtanh, input, inplace, lo, hi)


def logsigmoid(input):
    """log(sigmoid(x)), computed stably.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> y = F.logsigmoid(xp.asarray([-800.0, 0.0, 3.0]))  # no overflow for large |x|
    >>> [round(v, 4) for v in y.tolist()]
    [-800.0, -0.6931, -0.0486]
    """
    _float_tensor("logsigmoid", input)
    return _logsigmoid(input)


def mish(input, inplace=False):
    """x * tanh(softplus(x)).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.asarray([-2.0, 0.0, 3.0])
    >>> [round(v, 4) for v in F.mish(x).tolist()]
    [-0.2525, 0.0, 2.9865]
    """
    _float_tensor("mish", input)
    return _act_op("mish", _mish, input, inplace)


def hardsigmoid(input, inplace=False):
    """clip(x / 6 + 1/2, 0, 1).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> F.hardsigmoid(xp.asarray([-4.0, 0.0, 1.5, 4.0]))
    Tensor([0.  , 0.5 , 0.75, 1.  ], dtype=float64)
    """
    _float_tensor("hardsigmoid", input)
    return _act_op("hardsigmoid", _hardsigmoid, input, inplace)


def hardswish(input, inplace=False):
    """x * hardsigmoid(x).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> F.hardswish(xp.asarray([-1.5, 0.0, 1.5, 4.0]))
    Tensor([-0.375,  0.   ,  1.125,  4.   ], dtype=float64)
    """
    _float_tensor("hardswish", input)
    return _act_op("hardswish", _hardswish, input, inplace)


def softsign(input):
    """``x / (1 + |x|)``.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> F.softsign(xp.asarray([-3.0, 0.0, 1.0]))
    Tensor([-0.75,  0.  ,  0.5 ], dtype=float64)
    """
    _float_tensor("softsign", input)
    return _softsign(input)


def prelu(input, weight):
    """x if x > 0 else weight * x, ``weight`` of size 1 or the number of channels (axis 1).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.asarray([[-1.0, 2.0], [-4.0, -2.0]])  # (N, C) = (2, 2)
    >>> F.prelu(x, xp.asarray([0.5, 0.25]))  # one slope per channel
    Tensor([[-0.5,  2. ],
            [-2. , -0.5]], dtype=float64)
    """
    f = "prelu"
    _float_tensor(f, input)
    _tensor(f, weight, "weight")
    _same_dtype(f, input, weight)
    if weight.ndim > 1:
        raise ValueError(f"prelu(): weight must be 0-D or 1-D, got shape {weight.shape}")
    if weight.size != 1:
        c = input.shape[1] if input.ndim >= 2 else (input.shape[0] if input.ndim == 1 else 1)
        if weight.size != c:
            raise ValueError(f"prelu(): weight has {weight.size} elements but the input of shape "
                             f"{input.shape} has {c} channels")
    return _ops.prelu(input, weight)


def _softmax_dim(fname, input, dim):
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {fname} has been deprecated. Change the "
                      f"call to include dim=X as an argument.", UserWarning, stacklevel=3)
        dim = 0 if input.ndim in (0, 1, 3) else 1
    dim = _int(fname, "dim", dim)
    nd = max(input.ndim, 1)
    if not -nd <= dim < nd:
        raise IndexError(f"{fname}(): dim {dim} is out of range for a tensor of {input.ndim} "
                         f"dimensions")
    return dim % nd


def _softmax_input(fname, input, dtype):
    _float_tensor(fname, input)
    if dtype is not None:
        input = _fn_cast(input, dtype)
    return input


def _fn_cast(x, dtype):
    from .._dtypes import _as_dtype
    dt = _as_dtype(dtype)
    if x._array.dtype == dt._np_dtype:
        return x
    return astype(x, dt)


def softmax(input, dim=None, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim`` (max-shifted: no overflow).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> F.softmax(xp.log(xp.asarray([1.0, 3.0])), dim=0)
    Tensor([0.25, 0.75], dtype=float64)
    >>> F.softmax(xp.asarray([1000.0, 1000.0]), dim=0)
    Tensor([0.5, 0.5], dtype=float64)
    """
    input = _softmax_input("softmax", input, dtype)
    dim = _softmax_dim("softmax", input, dim)
    if input.ndim == 0:
        return reshape(_ops.softmax(reshape(input, (1,)), 0), ())
    return _ops.softmax(input, dim)


def log_softmax(input, dim=None, dtype=None):
    """x - log(sum(exp(x))) along ``dim`` (stable log-sum-exp).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> y = F.log_softmax(xp.asarray([[1.0, 2.0, 3.0]]), dim=1)
    >>> [round(v, 4) for v in y[0].tolist()]
    [-2.4076, -1.4076, -0.4076]
    """
    input = _softmax_input("log_softmax", input, dtype)
    dim = _softmax_dim("log_softmax", input, dim)
    if input.ndim == 0:
        return reshape(_ops.log_softmax(reshape(input, (1,)), 0), ())
    return _ops.log_softmax(input, dim)


def softmin(input, dim=None, dtype=None):
    """softmax(-x) along ``dim``.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> F.softmin(xp.asarray([[0.0, 0.0], [1.0, 1.0]]), dim=1)
    Tensor([[0.5, 0.5],
            [0.5, 0.5]], dtype=float64)
    >>> y = F.softmin(xp.asarray([1.0, 2.0, 3.0]), dim=0)
    >>> [round(v, 4) for v in y.tolist()]
    [0.6652, 0.2447, 0.09]
    """
    input = _softmax_input("softmin", input, dtype)
    dim = _softmax_dim("softmin", input, dim)
    return _ops.softmax(-input, dim)


# ===================================================================== dropout etc.
def _check_p(fname, p):
    p = _real(fname, "p", p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return p


def _dropout_mask(x, p, rng, channel_axes):
    """The scaled keep-mask ``Bernoulli(1 - p) / (1 - p)`` as a constant tensor;
    Dropout1d/2d/3d draw one value per (sample, channel), broadcast over space."""
    xa = x._array
    dt = xa.dtype if xa.dtype.kind == "f" else np.dtype(np.float64)
    mshape = xa.shape
    if channel_axes:
        mshape = xa.shape[:channel_axes] + (1,) * (xa.ndim - channel_axes)
    keep = rng.random(mshape, dtype=np.float32 if dt == np.float32 else np.float64) >= p
    return Tensor._new(keep.astype(dt) * dt.type(1.0 / (1.0 - p)))


def _dropout(fname, input, p, training, channel_axes, generator=None, inplace=False):
    _tensor(fname, input)
    p = _check_p(fname, p)
    if not training or p == 0.0:
        return input
    _float_tensor(fname, input)
    if p == 1.0:
        compute, reads_input = (lambda t: t * 0.0), True
    else:
        rng = _random._resolve(generator)
        # (reads_input: the multiply's node saves its operands)
        compute, reads_input = (lambda t: t * _dropout_mask(t, p, rng, channel_axes)), True
    if inplace:
        return _inplace(fname, input, compute, reads_input)
    return compute(input)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p)
    (only when ``training``); draws from ``minitensor.manual_seed``'s generator.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> _ = xp.manual_seed(0)
    >>> y = F.dropout(xp.ones(1000), p=0.5)
    >>> sorted(set(y.tolist()))  # dropped, or kept and scaled by 1 / (1 - p)
    [0.0, 2.0]
    >>> F.dropout(xp.ones(3), p=0.5, training=False)  # evaluation: unchanged
    Tensor([1., 1., 1.], dtype=float64)
    """
    return _dropout("dropout", input, p, training, 0, inplace=inplace)


def _channel_dropout(fname, input, p, training, spatial, inplace):
    # PyTorch's rules for the number of dimensions: dropout1d takes 2-D/3-D only;
    # dropout2d/3d warn for other ranks and then drop per (dim 0, dim 1) (dropout2d,
    # so a 3-D input is taken as (N, C, L)) or per dim 0 unless 5-D (dropout3d)
    _tensor(fname, input)
    nd = input.ndim
    _check_p(fname, p)
    if spatial == 1 and nd not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. "
                           f"Note that dropout1d exists to provide channel-wise dropout on "
                           f"inputs with 1 spatial dimension, a channel dimension, and an "
                           f"optional batch dimension (i.e. 2D or 3D inputs).")
    if spatial > 1 and nd not in (spatial + 1, spatial + 2):
        warnings.warn(f"{fname}: Received a {nd}-D input to {fname}, which is deprecated and "
                      f"will result in an error in a future release. To retain the behavior "
                      f"and silence this warning, please use dropout instead. Note that "
                      f"{fname} exists to provide channel-wise dropout on inputs with "
                      f"{spatial} spatial dimensions, a channel dimension, and an optional "
                      f"batch dimension (i.e. {spatial + 1}D or {spatial + 2}D inputs).",
                      UserWarning, stacklevel=3)
    if spatial == 2:
        if nd == 3:
            warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                          "channel-wise 1D dropout behavior is desired - input is interpreted "
                          "as shape (N, C, L), where C is the channel dim. This behavior will "
                          "change in a future release to interpret the input as one without a "
                          "batch dimension, i.e. shape (C, H, W). To maintain the 1D "
                          "channel-wise dropout behavior, please switch to using dropout1d "
                          "instead.", UserWarning, stacklevel=3)
        axes = 2
    else:
        axes = 2 if nd == spatial + 2 else 1
    if nd + (2 - axes) < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return _dropout(fname, input, p, training, axes, inplace=inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) input with probability ``p``.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> _ = xp.manual_seed(0)
    >>> y = F.dropout1d(xp.ones((2, 16, 5)), p=0.5)
    >>> bool(xp.all(xp.min(y, axis=2) == xp.max(y, axis=2)))  # each channel all 0 or all 2
    True
    >>> set(xp.reshape(y, (-1,)).tolist()) <= {0.0, 2.0}  # kept channels scaled by 1 / (1 - p)
    True
    """
    return _channel_dropout("dropout1d", input, p, training, 1, inplace)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) input with probability ``p``.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> _ = xp.manual_seed(0)
    >>> y = F.dropout2d(xp.ones((2, 16, 3, 3)), p=0.25)
    >>> per_channel = xp.reshape(y, (2, 16, 9))
    >>> bool(xp.all(xp.min(per_channel, axis=2) == xp.max(per_channel, axis=2)))
    True
    >>> F.dropout2d(xp.ones((1, 2, 2, 2)), training=False).shape
    (1, 2, 2, 2)
    """
    return _channel_dropout("dropout2d", input, p, training, 2, inplace)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) input with probability ``p``.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> _ = xp.manual_seed(0)
    >>> y = F.dropout3d(xp.ones((1, 8, 2, 2, 2)), p=0.5)
    >>> per_channel = xp.reshape(y, (8, 8))
    >>> bool(xp.all(xp.min(per_channel, axis=1) == xp.max(per_channel, axis=1)))
    True
    >>> set(xp.reshape(y, (-1,)).tolist()) <= {0.0, 2.0}
    True
    """
    return _channel_dropout("dropout3d", input, p, training, 3, inplace)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` (num_embeddings, dim) selected by the integer ``input``.

    ``padding_idx`` rows get no gradient; ``max_norm`` renormalizes the rows that
    are read (in place, as PyTorch).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> weight = xp.asarray([[0.0, 0.0], [1.0, 10.0], [2.0, 20.0]])
    >>> F.embedding(xp.asarray([[2, 1], [0, 2]]), weight)
    Tensor([[[ 2., 20.],
             [ 1., 10.]],
    <BLANKLINE>
            [[ 0.,  0.],
             [ 2., 20.]]], dtype=float64)
    """
    f = "embedding"
    _tensor(f, input)
    _float_tensor(f, weight, "weight")
    if input._array.dtype.kind not in "iu":
        raise TypeError(f"embedding(): input must be an integer tensor of indices, got "
                        f"{input.dtype}")
    if weight.ndim != 2:
        raise ValueError(f"embedding(): weight must be 2-D (num_embeddings, embedding_dim), got "
                         f"shape {weight.shape}")
    if sparse:
        raise NotImplementedError("embedding(): sparse gradients are not supported")
    n = weight.shape[0]
    idx = input._array
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        # as PyTorch: negative indices are out of range too
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(f"embedding(): index {int(bad)} is out of range for {n} embeddings")
    if padding_idx is not None:
        padding_idx = _int(f, "padding_idx", padding_idx)
        if not -n <= padding_idx < n:
            raise ValueError(f"embedding(): padding_idx must be within num_embeddings ({n}), "
                             f"got {padding_idx}")
        padding_idx %= n
    if max_norm is not None:
        _embedding_renorm(weight, input._array, float(max_norm), float(norm_type))
    return _sq.embedding(input, weight, padding_idx, bool(scale_grad_by_freq))


def _embedding_renorm(weight, idx, max_norm, norm_type):
    w = weight._array
    rows = np.unique(idx.reshape(-1))
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
    big = norms > max_norm
    if big.any():
        r = rows[big]
        w[r] *= (max_norm / (norms[big] + 1e-7))[:, None].astype(w.dtype)
        _inplace_ops.note_inplace(weight)


def one_hot(tensor, num_classes=-1):
    """(…, num_classes) int64 tensor with a 1 at each index of ``tensor``.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> F.one_hot(xp.asarray([0, 2, 1]))
    Tensor([[1, 0, 0],
            [0, 0, 1],
            [0, 1, 0]], dtype=int64)
    >>> F.one_hot(xp.asarray([1]), num_classes=4)
    Tensor([[0, 1, 0, 0]], dtype=int64)
    """
    _tensor("one_hot", tensor, "tensor")
    a = tensor._array
    if a.dtype.kind not in "iu":
        raise TypeError(f"one_hot(): tensor must be an integer tensor of class indices, got "
                        f"{tensor.dtype}")
    if a.size and a.min() < 0:
        raise ValueError("one_hot(): class values must be non-negative")
    num_classes = _int("one_hot", "num_classes", num_classes)
    if num_classes == -1:
        num_classes = int(a.max()) + 1 if a.size else 0
    elif a.size and a.max() >= num_classes:
        raise ValueError(f"one_hot(): class values must be smaller than num_classes "
                         f"({num_classes}), got {int(a.max())}")
    out = np.zeros(a.shape + (num_classes,), np.int64)
    np.put_along_axis(out, a[..., None].astype(np.intp), 1, axis=-1)
    return Tensor._new(out)


def _constant_pad(x, width, value):
    """Constant padding as a composition of differentiable namespace ops: per
    padded axis, ``concat`` constant blocks (``value`` cast to ``x``'s dtype, as
    ``np.pad``) either side of ``x`` (twice differentiable)."""
    for axis, (lo, hi) in enumerate(width):
        if not (lo or hi):
            continue
        parts = []
        for n in (lo, None, hi):
            if n is None:
                parts.append(x)
            elif n:
                shape = x.shape[:axis] + (n,) + x.shape[axis + 1:]
                parts.append(Tensor._new(np.full(shape, value, dtype=x._array.dtype)))
        x = _xp.concat(parts, axis=axis)
    return x


def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` axes: ``pad = (left_last, right_last,
    left_second_last, ...)`` as PyTorch. Modes: constant, reflect, replicate, circular.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.asarray([[1.0, 2.0, 3.0]])
    >>> F.pad(x, (1, 2))
    Tensor([[0., 1., 2., 3., 0., 0.]], dtype=float64)
    >>> F.pad(x, (1, 1), value=-1.0)
    Tensor([[-1.,  1.,  2.,  3., -1.]], dtype=float64)
    >>> F.pad(x, (2, 0), mode="reflect")
    Tensor([[3., 2., 1., 2., 3.]], dtype=float64)
    >>> F.pad(x, (1, 1), mode="replicate")
    Tensor([[1., 1., 2., 3., 3.]], dtype=float64)
    >>> F.pad(xp.ones((2, 3)), (0, 0, 1, 1)).shape  # (last axis), (second-last axis)
    (4, 3)
    """
    f = "pad"
    _tensor(f, input)
    if not isinstance(pad, (tuple, list)) or len(pad) % 2:
        raise ValueError(f"pad(): pad must be a sequence of even length, got {pad!r}")
    pads = [_int(f, "pad", p) for p in pad]
    k = len(pads) // 2
    if k > input.ndim:
        raise ValueError(f"pad(): padding of length {len(pads)} is too long for an input of "
                         f"{input.ndim} dimensions")
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise ValueError(f"pad(): unsupported mode {mode!r} (expected 'constant', 'reflect', "
                         f"'replicate' or 'circular')")
    width = [(0, 0)] * input.ndim
    for i in range(k):
        width[input.ndim - 1 - i] = (pads[2 * i], pads[2 * i + 1])
    if mode == "constant":
        if any(lo < 0 or hi < 0 for lo, hi in width):
            # negative padding crops
            sl = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for (lo, hi), n in zip(width, input.shape))
            input = input[sl]
            width = [(max(lo, 0), max(hi, 0)) for lo, hi in width]
        return _constant_pad(input, width, 0 if value is None else value)
    if value not in (None, 0):
        raise ValueError(f"pad(): padding mode {mode!r} doesn't take in value argument")
    for (lo, hi), n in zip(width, input.shape):
        if lo < 0 or hi < 0:
            raise ValueError(f"pad(): negative padding is supported only in constant mode")
        if mode == "reflect" and (lo >= n or hi >= n) and (lo or hi):
            raise ValueError(f"pad(): padding size should be less than the corresponding input "
                             f"dimension, but got padding ({lo}, {hi}) for a dimension of size {n}")
        if mode == "circular" and (lo > n or hi > n):
            raise ValueError(f"pad(): circular padding ({lo}, {hi}) is larger than the input "
                             f"dimension {n}")
    # gather along each padded axis through the index map of the padding
    # (differentiable namespace ``take``: twice differentiable)
    np_mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    out = input
    for axis, (lo, hi) in enumerate(width):
        if lo or hi:
            idx = np.pad(np.arange(input.shape[axis], dtype=np.int64), (lo, hi), mode=np_mode)
            out = _xp.take(out, Tensor._new(idx), axis=axis)
    return out


# ==================================================================== normalization
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalize each channel (axis 1) of ``input`` ``(N, C, *)`` by the batch
    statistics (``training``; the running statistics are then updated in place
    with ``momentum``, the variance unbiased) or by the running statistics.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.asarray([[1.0, 10.0], [3.0, 20.0], [5.0, 30.0]])  # (N=3, C=2)
    >>> mean, var = xp.zeros(2), xp.ones(2)
    >>> y = F.batch_norm(x, mean, var, training=True)
    >>> [round(v, 4) for v in y[:, 0].tolist()]
    [-1.2247, 0.0, 1.2247]
    >>> mean, var  # 0.9 * old + 0.1 * batch statistics (unbiased variance)
    (Tensor([0.3, 2. ], dtype=float64), Tensor([ 1.3, 10.9], dtype=float64))

    In evaluation the given running statistics are used:

    >>> F.batch_norm(x, xp.asarray([3.0, 20.0]), xp.asarray([4.0, 100.0]), eps=0.0)
    Tensor([[-1., -1.],
            [ 0.,  0.],
            [ 1.,  1.]], dtype=float64)
    """
    f = "batch_norm"
    _float_tensor(f, input)
    if input.ndim < 2:
        raise ValueError(f"batch_norm(): expected input of shape (N, C, *), got {input.shape}")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None:
            _tensor(f, t, name)
            if t.shape != (c,):
                raise ValueError(f"batch_norm(): {name} must have shape ({c},) for an input of "
                                 f"shape {input.shape}, got {t.shape}")
    _same_dtype(f, input, weight)
    _same_dtype(f, input, bias, "bias")
    if not training and (running_mean is None or running_var is None):
        raise ValueError("batch_norm(): running_mean and running_var must be given when "
                         "training=False")
    if training:
        # (an empty input is fine: an empty result, as PyTorch)
        size = input.size // c if c else 0
        if size == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"of shape {input.shape}")
    momentum = 0.0 if momentum is None else _real(f, "momentum", momentum)
    return _ops.batch_norm(input, weight, bias, running_mean, running_var, bool(training),
                          momentum, _real(f, "eps", eps))[0]


def _norm_shape(fname, normalized_shape):
    if type(normalized_shape) is tuple and all(type(s) is int and s >= 0
                                               for s in normalized_shape):
        return normalized_shape  # (the common case, the modules' own: no ABC checks)
    if isinstance(normalized_shape, numbers.Integral):
        return (int(normalized_shape),)
    return tuple(_int(fname, "normalized_shape", s, 0) for s in normalized_shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalize over the last ``len(normalized_shape)`` axes, then ``* weight + bias``.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.asarray([[1.0, 2.0, 3.0], [10.0, 10.0, 10.0]])
    >>> y = F.layer_norm(x, (3,))
    >>> [round(v, 4) for v in y[0].tolist()], y[1].tolist()
    ([-1.2247, 0.0, 1.2247], [0.0, 0.0, 0.0])
    >>> y = F.layer_norm(x, (3,), weight=xp.full(3, 2.0), bias=xp.ones(3))
    >>> [round(v, 4) for v in y[0].tolist()]
    [-1.4495, 1.0, 3.4495]
    """
    f = "layer_norm"
    _float_tensor(f, input)
    shape = _norm_shape(f, normalized_shape)
    k = len(shape)
    if k == 0 or input.shape[input.ndim - k:] != shape or input.ndim < k:
        raise ValueError(f"layer_norm(): expected input with shape (*, {', '.join(map(str, shape))}), "
                         f"got input of shape {input.shape}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None:
            _tensor(f, t, name)
            _same_dtype(f, input, t, name)
            if t.shape != shape:
                raise ValueError(f"layer_norm(): {name} must have shape {shape}, got {t.shape}")
    return _ops.layer_norm(input, k, weight, bias, _real(f, "eps", eps))


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalize over groups of ``C / num_groups`` channels of ``(N, C, *)`` input.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.reshape(xp.arange(8.0), (1, 4, 2))  # channels 0-1 and 2-3 form the groups
    >>> y = F.group_norm(x, 2)
    >>> [round(v, 4) for v in xp.reshape(y, (-1,)).tolist()]
    [-1.3416, -0.4472, 0.4472, 1.3416, -1.3416, -0.4472, 0.4472, 1.3416]
    """
    f = "group_norm"
    _float_tensor(f, input)
    g = _int(f, "num_groups", num_groups, 1)
    if input.ndim < 2:
        raise ValueError(f"group_norm(): expected input of shape (N, C, *), got {input.shape}")
    c = input.shape[1]
    if c % g:
        raise ValueError(f"group_norm(): expected the number of channels ({c}) of input of shape "
                         f"{input.shape} to be divisible by num_groups ({g})")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None:
            _tensor(f, t, name)
            _same_dtype(f, input, t, name)
            if t.shape != (c,):
                raise ValueError(f"group_norm(): {name} must have shape ({c},), got {t.shape}")
    return _ops.group_norm(input, g, weight, bias, _real(f, "eps", eps))


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x**2) + eps) * weight over the last axes (eps defaults to the dtype's eps).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> y = F.rms_norm(xp.asarray([[3.0, 4.0], [1.0, 1.0]]), (2,))
    >>> [[round(v, 4) for v in row] for row in y.tolist()]
    [[0.8485, 1.1314], [1.0, 1.0]]
    """
    f = "rms_norm"
    _float_tensor(f, input)
    shape = _norm_shape(f, normalized_shape)
    k = len(shape)
    if k == 0 or input.ndim < k or input.shape[input.ndim - k:] != shape:
        raise ValueError(f"rms_norm(): expected input with shape (*, {', '.join(map(str, shape))}), "
                         f"got input of shape {input.shape}")
    if weight is not None:
        _tensor(f, weight, "weight")
        _same_dtype(f, input, weight)
        if weight.shape != shape:
            raise ValueError(f"rms_norm(): weight must have shape {shape}, got {weight.shape}")
    if eps is None:
        eps = float(np.finfo(input._array.dtype).eps)
    return _ops.rms_norm(input, k, weight, _real(f, "eps", eps))


def normalize(input, p=2.0, dim=1, eps=1e-12):
    """input / max(||input||_p along dim, eps).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.asarray([[3.0, 4.0], [0.0, 2.0]])
    >>> F.normalize(x)  # unit L2 norm along dim 1
    Tensor([[0.6, 0.8],
            [0. , 1. ]], dtype=float64)
    >>> F.normalize(x, p=1.0, dim=0)
    Tensor([[1.        , 0.66666667],
            [0.        , 0.33333333]], dtype=float64)
    """
    f = "normalize"
    _float_tensor(f, input)
    nd = max(input.ndim, 1)
    dim = _int(f, "dim", dim)
    if not -nd <= dim < nd:
        raise IndexError(f"normalize(): dim {dim} is out of range for {input.ndim} dimensions")
    p, eps = _real(f, "p", p), _real(f, "eps", eps)
    x = reshape(input, (1,)) if input.ndim == 0 else input
    # a composition of differentiable namespace ops (twice differentiable), as
    # PyTorch: input / norm.clamp_min(eps).expand_as(input)
    out = x / _xp.clip(_xp.linalg.vector_norm(x, ord=p, axis=dim % nd, keepdims=True), min=eps)
    return reshape(out, ()) if input.ndim == 0 else out


# ====================================================================== convolution
def _conv_args(fname, input, weight, bias, stride, padding, dilation, groups, nd):
    _float_tensor(fname, input)
    _tensor(fname, weight, "weight")
    _opt_tensor(fname, bias, "bias")
    _same_dtype(fname, input, weight)
    _same_dtype(fname, input, bias, "bias")
    if weight.ndim != nd + 2:
        raise ValueError(f"{fname}(): weight must be {nd + 2}-D, got shape {weight.shape}")
    groups = _int(fname, "groups", groups, 1)
    stride = _ntuple(fname, "stride", stride, nd, 1)
    dilation = _ntuple(fname, "dilation", dilation, nd, 1)
    return groups, stride, dilation


def _conv(fname, nd, input, weight, bias, stride, padding, dilation, groups):
    groups, stride, dilation = _conv_args(fname, input, weight, bias, stride, padding, dilation,
                                          groups, nd)
    x, added = _batched(fname, input, nd + 2, "(N, C, " + ", ".join("HW"[-nd:] if nd <= 2 else "DHW") + ")")
    o, cg = weight.shape[:2]
    ks = weight.shape[2:]
    c = x.shape[1]
    if cg * groups != c:
        raise ValueError(f"{fname}(): expected input with {cg * groups} channels (weight of shape "
                         f"{weight.shape}, groups={groups}), got input of shape {input.shape}")
    if o % groups:
        raise ValueError(f"{fname}(): out_channels ({o}) must be divisible by groups ({groups})")
    if bias is not None and bias.shape != (o,):
        raise ValueError(f"{fname}(): bias must have shape ({o},), got {bias.shape}")
    sizes = x.shape[2:]
    if isinstance(padding, str):
        if padding == "valid":
            pads = (0,) * nd
            out = tuple(conv_out_size(s, k, st, 0, d) for s, k, st, d in zip(sizes, ks, stride, dilation))
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{fname}(): padding='same' is not supported for strided "
                                 f"convolutions")
            # total padding d*(k-1); the extra element (odd total) goes right/bottom
            pads = tuple(d * (k - 1) // 2 for k, d in zip(ks, dilation))
            out = tuple(sizes)
        else:
            raise ValueError(f"{fname}(): invalid padding string {padding!r}, should be one of "
                             f"'valid', 'same'")
    else:
        pads = _ntuple(fname, "padding", padding, nd, 0)
        out = tuple(conv_out_size(s, k, st, p, d)
                    for s, k, st, p, d in zip(sizes, ks, stride, pads, dilation))
    if any(o_ <= 0 for o_ in out):
        raise ValueError(f"{fname}(): input of shape {input.shape} is too small for a kernel of "
                         f"size {tuple(ks)} (dilation {dilation}, padding {pads}): the output "
                         f"size would be {out}")
    if nd == 1:  # the 2-D primitive with a height of 1
        stride, pads, dilation, out = (1,) + stride, (0,) + pads, (1,) + dilation, (1,) + out
    y = _co.conv2d(x, weight, bias, stride, pads, dilation, groups, out)[0]
    return _unbatch(y, added)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution (cross-correlation) of (N, C_in, L) input with (C_out, C_in/groups, k) weights.

    ``padding``: an int, or "valid" / "same".

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.reshape(xp.asarray([1.0, 2.0, 4.0, 7.0, 11.0]), (1, 1, 5))  # (N, C_in, L)
    >>> w = xp.reshape(xp.asarray([-1.0, 1.0]), (1, 1, 2))  # a difference filter
    >>> F.conv1d(x, w)
    Tensor([[[1., 2., 3., 4.]]], dtype=float64)
    >>> F.conv1d(x, xp.ones((1, 1, 3)), padding="same")  # sums of three neighbours
    Tensor([[[ 3.,  7., 13., 22., 18.]]], dtype=float64)
    >>> F.conv1d(xp.ones((4, 3, 10)), xp.ones((8, 3, 3)), stride=2).shape
    (4, 8, 4)
    """
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation) of (N, C_in, H, W) input with
    (C_out, C_in/groups, kh, kw) weights (im2col + BLAS).

    ``padding``: an int, a pair, or "valid" / "same".

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.ones((1, 1, 4, 4))
    >>> F.conv2d(x, xp.ones((1, 1, 3, 3)), padding=1)[0, 0]
    Tensor([[4., 6., 6., 4.],
            [6., 9., 9., 6.],
            [6., 9., 9., 6.],
            [4., 6., 6., 4.]], dtype=float64)
    """
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def _conv_transpose(fname, nd, input, weight, bias, stride, padding, output_padding, groups,
                    dilation):
    groups, stride, dilation = _conv_args(fname, input, weight, bias, stride, padding, dilation,
                                          groups, nd)
    pads = _ntuple(fname, "padding", padding, nd, 0)
    opad = _ntuple(fname, "output_padding", output_padding, nd, 0)
    for op, st, d in zip(opad, stride, dilation):
        if op >= st and op >= d:
            raise ValueError(f"{fname}(): output padding must be smaller than either stride or "
                             f"dilation, got output_padding={opad}, stride={stride}, "
                             f"dilation={dilation}")
    x, added = _batched(fname, input, nd + 2, "(N, C, ...)")
    cin, cog = weight.shape[:2]
    ks = weight.shape[2:]
    if x.shape[1] != cin:
        raise ValueError(f"{fname}(): expected input with {cin} channels (weight of shape "
                         f"{weight.shape}), got input of shape {input.shape}")
    if cin % groups:
        raise ValueError(f"{fname}(): in_channels ({cin}) must be divisible by groups ({groups})")
    if bias is not None and bias.shape != (cog * groups,):
        raise ValueError(f"{fname}(): bias must have shape ({cog * groups},), got {bias.shape}")
    out = tuple((s - 1) * st - 2 * p + d * (k - 1) + op + 1
                for s, st, p, d, k, op in zip(x.shape[2:], stride, pads, dilation, ks, opad))
    if any(o <= 0 for o in out):
        raise ValueError(f"{fname}(): the output size {out} for input of shape {input.shape} "
                         f"is not positive")
    if nd == 1:  # the 2-D primitive with a height of 1
        stride, pads, dilation, out = (1,) + stride, (0,) + pads, (1,) + dilation, (1,) + out
    # the adjoint of conv2d w.r.t. its input (its gradient rule's own primitive)
    y = _co.conv2d_input_grad(x, weight, bias, stride, pads, dilation, groups, out)
    return _unbatch(y, added)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """Transposed 1-D convolution; weight (C_in, C_out/groups, k).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.reshape(xp.asarray([1.0, 2.0, 3.0]), (1, 1, 3))
    >>> F.conv_transpose1d(x, xp.reshape(xp.asarray([1.0, 10.0]), (1, 1, 2)))
    Tensor([[[ 1., 12., 23., 30.]]], dtype=float64)
    >>> F.conv_transpose1d(x, xp.ones((1, 1, 2)), stride=2)  # upsampling by 2
    Tensor([[[1., 1., 2., 2., 3., 3.]]], dtype=float64)
    """
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """Transposed 2-D convolution ("deconvolution"); weight (C_in, C_out/groups, kh, kw).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.reshape(xp.asarray([1.0, 2.0, 3.0, 4.0]), (1, 1, 2, 2))
    >>> F.conv_transpose2d(x, xp.ones((1, 1, 2, 2)), stride=2)
    Tensor([[[[1., 1., 2., 2.],
              [1., 1., 2., 2.],
              [3., 3., 4., 4.],
              [3., 3., 4., 4.]]]], dtype=float64)
    >>> w = xp.ones((3, 8, 3, 3))  # (C_in, C_out, kh, kw)
    >>> F.conv_transpose2d(xp.ones((1, 3, 4, 4)), w, stride=2, padding=1, output_padding=1).shape
    (1, 8, 8, 8)
    """
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


# ========================================================================= pooling
def _pool_geometry(fname, nd, x, kernel_size, stride, padding, dilation, ceil_mode):
    ks = _ntuple(fname, "kernel_size", kernel_size, nd, 1)
    st = ks if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) \
        else _ntuple(fname, "stride", stride, nd, 1)
    pd = _ntuple(fname, "padding", padding, nd, 0)
    dl = _ntuple(fname, "dilation", dilation, nd, 1)
    for k, p, d in zip(ks, pd, dl):
        if p > (d * (k - 1) + 1) // 2:
            raise ValueError(f"{fname}(): pad should be at most half of effective kernel size, "
                             f"but got pad={pd}, kernel_size={ks} and dilation={dl}")
    out = tuple(pool_out_size(s, k, s_, p, d, ceil_mode)
                for s, k, s_, p, d in zip(x.shape[2:], ks, st, pd, dl))
    if any(o <= 0 for o in out):
        raise ValueError(f"{fname}(): input of shape {x.shape} is too small for kernel_size "
                         f"{ks}: the output size would be {out}")
    return ks, st, pd, dl, out


def _as_2d(x, nd):
    """(N, C, L) -> (N, C, 1, L) for the 1-D pools."""
    if nd == 1:
        return reshape(x, x.shape[:2] + (1,) + x.shape[2:])
    return x


def _max_pool(fname, nd, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    _float_tensor(fname, input)
    x, added = _batched(fname, input, nd + 2, "(N, C, ...)")
    ks, st, pd, dl, out = _pool_geometry(fname, nd, x, kernel_size, stride, padding, dilation,
                                         ceil_mode)
    x2 = _as_2d(x, nd)
    if nd == 1:
        ks, st, pd, dl, out = (1,) + ks, (1,) + st, (0,) + pd, (1,) + dl, (1,) + out
    y, idx = _co.max_pool2d(x2, ks, st, pd, dl, out)
    if nd == 1:
        y = reshape(y, y.shape[:2] + y.shape[3:])
    y = _unbatch(y, added)
    if return_indices:
        # an int64 copy: the primitive's indices stay private to its gradient rule
        ia = idx.value.astype(np.int64)
        if nd == 1:
            ia = ia.reshape(ia.shape[:2] + ia.shape[3:])
        return y, Tensor._new(ia[0] if added else ia)
    return y


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over sliding windows of (N, C, L) input.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.reshape(xp.asarray([1.0, 5.0, 2.0, 4.0, 3.0, 0.0]), (1, 1, 6))
    >>> F.max_pool1d(x, 2)
    Tensor([[[5., 4., 3.]]], dtype=float64)
    >>> F.max_pool1d(x, 3, stride=1)
    Tensor([[[5., 5., 4., 4.]]], dtype=float64)
    """
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over sliding windows of (N, C, H, W) input (``stride`` defaults to
    ``kernel_size``; padding never wins; NaN propagates).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.reshape(xp.arange(16.0), (1, 1, 4, 4))
    >>> F.max_pool2d(x, 2)
    Tensor([[[[ 5.,  7.],
              [13., 15.]]]], dtype=float64)
    """
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def _avg_pool(fname, nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    _float_tensor(fname, input)
    x, added = _batched(fname, input, nd + 2, "(N, C, ...)")
    ks, st, pd, _, out = _pool_geometry(fname, nd, x, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        divisor_override = _int(fname, "divisor_override", divisor_override)
        if divisor_override == 0:
            raise ValueError(f"{fname}(): divisor must be not zero")
    x2 = _as_2d(x, nd)
    if nd == 1:
        ks, st, pd, out = (1,) + ks, (1,) + st, (0,) + pd, (1,) + out
    y = _co.avg_pool2d(x2, ks, st, pd, out, bool(count_include_pad), divisor_override)
    if nd == 1:
        y = reshape(y, y.shape[:2] + y.shape[3:])
    return _unbatch(y, added)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """Mean over sliding windows of (N, C, L) input.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.reshape(xp.asarray([1.0, 5.0, 2.0, 4.0, 3.0, 0.0]), (1, 1, 6))
    >>> F.avg_pool1d(x, 2)
    Tensor([[[3. , 3. , 1.5]]], dtype=float64)
    """
    return _avg_pool("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over sliding windows of (N, C, H, W) input (PyTorch's divisor rules).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.reshape(xp.arange(16.0), (1, 1, 4, 4))
    >>> F.avg_pool2d(x, 2)
    Tensor([[[[ 2.5,  4.5],
              [10.5, 12.5]]]], dtype=float64)

    With padding, the zeros count in the mean unless ``count_include_pad=False``:

    >>> F.avg_pool2d(xp.ones((1, 1, 2, 2)), 2, padding=1)[0, 0]
    Tensor([[0.25, 0.25],
            [0.25, 0.25]], dtype=float64)
    >>> F.avg_pool2d(xp.ones((1, 1, 2, 2)), 2, padding=1, count_include_pad=False)[0, 0]
    Tensor([[1., 1.],
            [1., 1.]], dtype=float64)
    """
    return _avg_pool("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def _adaptive_nonempty(fname, x, nd):
    # Note: PyTorch's adaptive_avg_pool2d to (1, 1) returns nan for an empty plane;
    # here every output size raises, as PyTorch's other output sizes do
    if any(s == 0 for s in x.shape[1 if x.ndim == nd + 2 else 0:]):
        raise ValueError(f"{fname}(): expected input with non-zero sizes for the non-batch "
                         f"dimensions, got input of shape {x.shape}")


def _adaptive_size(fname, output_size, sizes):
    nd = len(sizes)
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != nd:
            raise ValueError(f"{fname}(): output_size must have {nd} elements, got {output_size!r}")
        vals = output_size
    else:
        vals = (output_size,) * nd
    return tuple(s if v is None else _int(fname, "output_size", v, 1) for v, s in zip(vals, sizes))


def adaptive_avg_pool2d(input, output_size):
    """Mean over PyTorch's adaptive bins so that the output is ``output_size`` (H_out, W_out).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.reshape(xp.arange(16.0), (1, 1, 4, 4))
    >>> F.adaptive_avg_pool2d(x, (2, 1))
    Tensor([[[[ 3.5],
              [11.5]]]], dtype=float64)
    >>> F.adaptive_avg_pool2d(xp.ones((2, 3, 7, 5)), 1).shape  # global average pooling
    (2, 3, 1, 1)
    """
    f = "adaptive_avg_pool2d"
    _float_tensor(f, input)
    if input.ndim not in (3, 4):
        raise ValueError(f"{f}(): expected 3-D or 4-D input, got input of shape {input.shape}")
    _adaptive_nonempty(f, input, 2)
    out = _adaptive_size(f, output_size, input.shape[-2:])
    h, w = input.shape[-2:]
    dt = input._array.dtype
    if out == (1, 1):  # global average pooling: one node
        return _xp.mean(input, axis=(-2, -1), keepdims=True)
    # A_h @ x @ A_w.T with constant bin matrices: namespace matmuls, no rule of its own
    if out[1] != w or out == (h, w):  # (at least one product: a new tensor)
        input = _xp.matmul(input, _co.adaptive_matrix(w, out[1], dt, transpose=True))
    if out[0] != h:
        input = _xp.matmul(_co.adaptive_matrix(h, out[0], dt), input)
    return input


def adaptive_avg_pool1d(input, output_size):
    """Mean over PyTorch's adaptive bins so that the output length is ``output_size``.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.reshape(xp.arange(6.0), (1, 1, 6))
    >>> F.adaptive_avg_pool1d(x, 3)
    Tensor([[[0.5, 2.5, 4.5]]], dtype=float64)
    >>> F.adaptive_avg_pool1d(x, 4)  # bins may overlap
    Tensor([[[0.5, 1.5, 3.5, 4.5]]], dtype=float64)
    """
    f = "adaptive_avg_pool1d"
    _float_tensor(f, input)
    if input.ndim not in (2, 3):
        raise ValueError(f"{f}(): expected 2-D or 3-D input, got input of shape {input.shape}")
    _adaptive_nonempty(f, input, 1)
    (out,) = _adaptive_size(f, output_size, input.shape[-1:])
    # x @ A.T with a constant bin matrix: a namespace matmul, no rule of its own
    return _xp.matmul(input, _co.adaptive_matrix(input.shape[-1], out, input._array.dtype,
                                                 transpose=True))


# ======================================================================== attention
def _additive_mask(mask, dtype, allowed_true):
    """A float mask to add to attention scores: bool masks become 0/-inf
    (``allowed_true``: True means "may attend", as in scaled_dot_product_attention;
    otherwise True means "masked", as in MultiheadAttention)."""
    a = mask._array
    if a.dtype == np.bool_:
        blocked = ~a if allowed_true else a
        return np.where(blocked, -np.inf, 0.0).astype(dtype)
    if a.dtype.kind != "f":
        raise TypeError(f"attention masks must be bool or floating point, got {mask.dtype}")
    return a.astype(dtype, copy=False)


_CAUSAL = {}


def _causal_mask(L, S, dt):
    """The additive causal mask (L, S): 0 on and below the diagonal, -inf above
    (cached, read-only: it is a constant of the call)."""
    key = (L, S, dt)
    m = _CAUSAL.get(key)
    if m is None:
        if len(_CAUSAL) > 32:
            _CAUSAL.clear()
        m = _CAUSAL[key] = np.where(np.tril(np.ones((L, S), bool)), 0.0, -np.inf).astype(dt)
        m.flags.writeable = False
    return m


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """softmax(query @ key^T * scale + mask) @ value over the last two axes.

    ``attn_mask``: bool (True = may attend) or float (added to the scores; a
    float mask of the queries' dtype is differentiable);
    ``is_causal``: mask out the upper triangle; ``scale`` defaults to 1/sqrt(E).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> q = xp.zeros((1, 3, 4))  # (N, L, E): equal scores everywhere
    >>> k = xp.ones((1, 3, 4))
    >>> v = xp.reshape(xp.arange(6.0), (1, 3, 2))
    >>> F.scaled_dot_product_attention(q, k, v)  # the mean of the values
    Tensor([[[2., 3.],
             [2., 3.],
             [2., 3.]]], dtype=float64)
    >>> F.scaled_dot_product_attention(q, k, v, is_causal=True)  # running means
    Tensor([[[0., 1.],
             [1., 2.],
             [2., 3.]]], dtype=float64)
    """
    f = "scaled_dot_product_attention"
    for name, t in (("query", query), ("key", key), ("value", value)):
        _float_tensor(f, t, name)
        _same_dtype(f, query, t, name)
        if t.ndim < 2:
            raise ValueError(f"{f}(): {name} must be at least 2-D, got shape {t.shape}")
    L, E = query.shape[-2:]
    S = key.shape[-2]
    if key.shape[-1] != E or value.shape[-2] != S:
        raise ValueError(f"{f}(): incompatible shapes query {query.shape}, key {key.shape}, value "
                         f"{value.shape} (expected (..., L, E), (..., S, E), (..., S, Ev))")
    if enable_gqa:
        raise NotImplementedError(f"{f}(): enable_gqa is not supported")
    dt = query._array.dtype
    mask = None
    if is_causal:
        if attn_mask is not None:
            raise ValueError(f"{f}(): explicit attn_mask should not be set when is_causal=True")
        mask = _causal_mask(L, S, dt)
    elif attn_mask is not None:
        _tensor(f, attn_mask, "attn_mask")
        mask = _additive_mask(attn_mask, dt, allowed_true=True)
        if mask is attn_mask._array:
            mask = attn_mask  # a float mask of the queries' dtype: differentiable (as PyTorch)
    if scale is None:
        # E = 0: every score is a sum over nothing, 0 whatever the scale (as PyTorch)
        scale = 1.0 / math.sqrt(E) if E else 1.0
    else:
        scale = _real(f, "scale", scale)
    p = _check_p(f, dropout_p)
    if mask is not None and not isinstance(mask, Tensor):
        mask = Tensor._new(mask)
    return _sq.scaled_dot_product_attention(query, key, value, mask, scale, p,
                                            _random.default_generator())[0]


# ============================================================================ losses
def _loss_pair(fname, input, target, exact=False):
    _float_tensor(fname, input)
    _tensor(fname, target, "target")
    if target._array.dtype.kind not in "f":
        if target._array.dtype.kind not in "biu":
            raise TypeError(f"{fname}(): unsupported target dtype {target.dtype}")
        target = Tensor._new(target._array.astype(input._array.dtype))
    if input.shape != target.shape:
        if exact:
            raise ValueError(f"{fname}(): Using a target size ({target.shape}) that is different "
                             f"to the input size ({input.shape}) is not supported; please ensure "
                             f"they have the same size.")
        try:
            np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise ValueError(f"{fname}(): the input of shape {input.shape} and the target of shape "
                             f"{target.shape} cannot be broadcast together") from None
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      f"broadcasting. Please ensure they have the same size.", UserWarning,
                      stacklevel=3)
    return input, target


def _pointwise(fname, input, target, reduction, size_average=None, reduce=None, **param):
    reduction = _reduction(fname, reduction, size_average, reduce)
    input, target = _loss_pair(fname, input, target)
    return getattr(_ops, fname)(input, target, reduction, **param)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean squared error, (input - target)**2 then the reduction.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> F.mse_loss(xp.asarray([1.0, 2.0]), xp.asarray([0.0, 0.0]))
    Tensor(2.5, dtype=float64)
    """
    return _pointwise("mse_loss", input, target, reduction, size_average, reduce)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean absolute error, ``|input - target|`` then the reduction.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x, t = xp.asarray([0.0, 1.5, 4.0]), xp.asarray([1.0, 1.0, 1.0])
    >>> F.l1_loss(x, t)
    Tensor(1.5, dtype=float64)
    >>> F.l1_loss(x, t, reduction="none")
    Tensor([1. , 0.5, 3. ], dtype=float64)
    """
    return _pointwise("l1_loss", input, target, reduction, size_average, reduce)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """``0.5 d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (``d = input - target``).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x, t = xp.asarray([0.0, 1.5, 4.0]), xp.asarray([1.0, 1.0, 1.0])
    >>> F.smooth_l1_loss(x, t, reduction="none")
    Tensor([0.5  , 0.125, 2.5  ], dtype=float64)
    >>> F.smooth_l1_loss(x, t, reduction="sum", beta=2.0)
    Tensor(2.3125, dtype=float64)
    """
    beta = _real("smooth_l1_loss", "beta", beta)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss(): beta must be non-negative, got {beta}")
    return _pointwise("smooth_l1_loss", input, target, reduction, size_average, reduce,
                      beta=beta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """``0.5 d**2`` where ``|d| <= delta``, else ``delta (|d| - 0.5 delta)``.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x, t = xp.asarray([0.0, 1.5, 4.0]), xp.asarray([1.0, 1.0, 1.0])
    >>> F.huber_loss(x, t, reduction="none")
    Tensor([0.5  , 0.125, 2.5  ], dtype=float64)
    >>> F.huber_loss(x, t, reduction="none", delta=2.0)  # quadratic up to |d| = 2
    Tensor([0.5  , 0.125, 4.   ], dtype=float64)
    """
    delta = _real("huber_loss", "delta", delta)
    if delta <= 0:
        raise ValueError(f"huber_loss(): delta must be positive, got {delta}")
    if weight is not None:
        raise NotImplementedError("huber_loss(): weight is not supported")
    return _pointwise("huber_loss", input, target, reduction, delta=delta)


def _class_args(fname, input, target, weight):
    _float_tensor(fname, input)
    _tensor(fname, target, "target")
    if input.ndim == 0:
        raise ValueError(f"{fname}(): input must have at least 1 dimension (the classes), got a "
                         f"0-d tensor")
    c = input.shape[1] if input.ndim >= 2 else input.shape[0]
    if weight is not None:
        _float_tensor(fname, weight, "weight")
        if weight.shape != (c,):
            raise ValueError(f"{fname}(): weight must have shape ({c},) (one value per class) for "
                             f"input of shape {input.shape}, got {weight.shape}")
        if weight._array.dtype != input._array.dtype:
            weight = Tensor._new(weight._array.astype(input._array.dtype))
    return c, weight


def _check_index_target(fname, input, target, c, ignore_index):
    t = target._array
    if t.dtype.kind not in "iu":
        raise TypeError(f"{fname}(): expected a target of class indices with an integer dtype "
                        f"(or class probabilities with the input's shape {input.shape}), got "
                        f"dtype {target.dtype} and shape {target.shape}")
    expected = input.shape[:1] + input.shape[2:] if input.ndim >= 2 else ()
    if target.shape != expected:
        raise ValueError(f"{fname}(): expected target of shape {expected} for input of shape "
                         f"{input.shape}, got target of shape {target.shape}")
    if t.size:
        valid = t != ignore_index
        if valid.any():
            tv = t[valid]
            lo, hi = tv.min(), tv.max()
            if lo < 0 or hi >= c:
                bad = int(hi if hi >= c else lo)
                raise IndexError(f"{fname}(): Target {bad} is out of bounds (the input has {c} "
                                 f"classes)")


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Cross-entropy between logits ``input`` ``(N, C, *)`` or ``(C,)`` and ``target``:
    class indices ``(N, *)`` (``ignore_index`` skipped) or class probabilities of the
    input's shape. One fused log-softmax + NLL node (stable log-sum-exp).

    ``reduction="mean"`` divides by the summed weights of the non-ignored
    targets (index targets) or by the number of samples (probability targets).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> logits = xp.asarray([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    >>> round(float(F.cross_entropy(logits, xp.asarray([0, 1]))), 4)
    0.3606
    """
    f = "cross_entropy"
    reduction = _reduction(f, reduction, size_average, reduce)
    c, weight = _class_args(f, input, target, weight)
    ls = _real(f, "label_smoothing", label_smoothing)
    if not 0.0 <= ls <= 1.0:
        raise ValueError(f"{f}(): label_smoothing must be between 0.0 and 1.0, got {ls}")
    ignore_index = _int(f, "ignore_index", ignore_index)
    if target._array.dtype.kind == "f":
        if target.shape != input.shape:
            if target.shape == (input.shape[:1] + input.shape[2:] if input.ndim >= 2 else ()):
                raise TypeError(f"{f}(): a target of class indices must have an integer dtype, "
                                f"got {target.dtype.name} (class probabilities must have the "
                                f"input's shape {input.shape})")
            raise ValueError(f"{f}(): a target of class probabilities must have the input's shape "
                             f"{input.shape}, got {target.shape}")
        if target._array.dtype != input._array.dtype:
            target = Tensor._new(target._array.astype(input._array.dtype))
    else:
        _check_index_target(f, input, target, c, ignore_index)
        if input.ndim == 2 and input.size:  # (the common case: one fused node)
            return _ops.cross_entropy(input, target, weight, ignore_index, reduction, ls)[0]
    return _ops.nll_loss(_ops.log_softmax(input, 0 if input.ndim == 1 else 1), target, weight,
                         ignore_index, reduction, ls)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood of log-probabilities ``input`` ``(N, C, *)`` at the
    class indices ``target`` ``(N, *)``.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> logp = xp.log(xp.asarray([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]]))
    >>> [round(v, 4) for v in F.nll_loss(logp, xp.asarray([0, 1]), reduction="none").tolist()]
    [0.6931, 0.2231]
    >>> round(float(F.nll_loss(logp, xp.asarray([0, 1]))), 4)
    0.4581
    >>> round(float(F.nll_loss(logp, xp.asarray([0, -100]))), 4)  # -100 is ignored
    0.6931
    """
    f = "nll_loss"
    reduction = _reduction(f, reduction, size_average, reduce)
    c, weight = _class_args(f, input, target, weight)
    ignore_index = _int(f, "ignore_index", ignore_index)
    _check_index_target(f, input, target, c, ignore_index)
    return _ops.nll_loss(input, target, weight, ignore_index, reduction)


def _loss_weight(fname, input, weight, name="weight"):
    if weight is None:
        return None
    _float_tensor(fname, weight, name)
    try:
        np.broadcast_shapes(weight.shape, input.shape)
    except ValueError:
        raise ValueError(f"{fname}(): {name} of shape {weight.shape} cannot be broadcast to the "
                         f"input's shape {input.shape}") from None
    if weight._array.dtype != input._array.dtype:
        weight = Tensor._new(weight._array.astype(input._array.dtype))
    return weight


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """-(t log x + (1 - t) log(1 - x)) for probabilities ``input`` in [0, 1]
    (logs clamped at -100, as PyTorch).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> p = xp.asarray([0.9, 0.2, 0.5])  # predicted probabilities
    >>> t = xp.asarray([1.0, 0.0, 1.0])
    >>> [round(v, 4) for v in F.binary_cross_entropy(p, t, reduction="none").tolist()]
    [0.1054, 0.2231, 0.6931]
    >>> float(F.binary_cross_entropy(xp.asarray([0.0]), xp.asarray([1.0])))  # clamped log
    100.0
    """
    f = "binary_cross_entropy"
    reduction = _reduction(f, reduction, size_average, reduce)
    input, target = _loss_pair(f, input, target, exact=True)
    a = input._array
    if a.size and (a.min() < 0 or a.max() > 1):
        raise ValueError(f"{f}(): all elements of input should be between 0 and 1")
    weight = _loss_weight(f, input, weight)
    return _ops.binary_cross_entropy(input, target, weight, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Sigmoid + binary cross-entropy in one stable expression (log-sum-exp form);
    ``pos_weight`` weighs the positive term (broadcast along the last axis).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> z = xp.asarray([2.0, -1.0, 0.0])  # logits
    >>> t = xp.asarray([1.0, 0.0, 1.0])
    >>> [round(v, 4) for v in F.binary_cross_entropy_with_logits(z, t, reduction="none").tolist()]
    [0.1269, 0.3133, 0.6931]
    >>> loss = F.binary_cross_entropy_with_logits(z, t, reduction="none",
    ...                                           pos_weight=xp.asarray(2.0))
    >>> [round(v, 4) for v in loss.tolist()]  # the positive terms count twice
    [0.2539, 0.3133, 1.3863]
    >>> F.binary_cross_entropy_with_logits(xp.asarray([800.0]), xp.asarray([1.0]))  # no overflow
    Tensor(0., dtype=float64)
    """
    f = "binary_cross_entropy_with_logits"
    reduction = _reduction(f, reduction, size_average, reduce)
    _float_tensor(f, input)
    _tensor(f, target, "target")
    if target.shape != input.shape:
        raise ValueError(f"{f}(): Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    input, target = _loss_pair(f, input, target, exact=True)
    weight = _loss_weight(f, input, weight)
    pos_weight = _loss_weight(f, input, pos_weight, "pos_weight")
    return _ops.binary_cross_entropy_with_logits(input, target, weight, pos_weight, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence with ``input`` as log-probabilities:
    target * (log target - input) (``log_target``: the target is given as logs).

    ``reduction="batchmean"`` divides the sum by the batch size (the true KL
    divergence); ``"mean"`` divides by the number of elements (with PyTorch's warning).

    # Note: where the target is 0 (not log_target), the gradient w.r.t. the target
    # is 0 here, NaN in PyTorch.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> log_q = xp.log(xp.asarray([[0.5, 0.5], [0.9, 0.1]]))  # model, as log-probabilities
    >>> p = xp.asarray([[0.5, 0.5], [0.5, 0.5]])  # target distribution
    >>> [round(v, 4) for v in xp.sum(F.kl_div(log_q, p, reduction="none"), axis=1).tolist()]
    [0.0, 0.5108]
    >>> round(float(F.kl_div(log_q, p, reduction="batchmean")), 4)
    0.2554
    >>> round(float(F.kl_div(log_q, xp.log(p), reduction="batchmean", log_target=True)), 4)
    0.2554
    """
    f = "kl_div"
    if size_average is not None or reduce is not None:
        reduction = _reduction(f, reduction, size_average, reduce)
    elif reduction not in _REDUCTIONS + ("batchmean",):
        raise ValueError(f"{f}(): {reduction!r} is not a valid value for reduction")
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", UserWarning, stacklevel=2)
    input, target = _loss_pair(f, input, target)
    return _ops.kl_div(input, target, reduction, bool(log_target))


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                          reduction="mean"):
    """1 - cos(x1, x2) where target == 1, max(0, cos(x1, x2) - margin) where target == -1.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> a = xp.asarray([[1.0, 0.0], [1.0, 1.0]])
    >>> b = xp.asarray([[0.0, 1.0], [-1.0, -1.0]])  # cosines 0 and -1
    >>> loss = F.cosine_embedding_loss(a, b, xp.asarray([1, 1]), reduction="none")
    >>> [round(v, 4) for v in loss.tolist()]  # similar pairs: 1 - cos
    [1.0, 2.0]
    >>> loss = F.cosine_embedding_loss(a, b, xp.asarray([-1, -1]), margin=-0.5, reduction="none")
    >>> [round(v, 4) for v in loss.tolist()]  # dissimilar pairs: max(0, cos - margin)
    [0.5, 0.0]
    """
    f = "cosine_embedding_loss"
    reduction = _reduction(f, reduction, size_average, reduce)
    _float_tensor(f, input1, "input1")
    _float_tensor(f, input2, "input2")
    _tensor(f, target, "target")
    if input1.shape != input2.shape or input1.ndim not in (1, 2):
        raise ValueError(f"{f}(): expected input1 and input2 of the same shape (N, D) or (D,), "
                         f"got {input1.shape} and {input2.shape}")
    expected = input1.shape[:1] if input1.ndim == 2 else ()
    if target.shape != expected:
        raise ValueError(f"{f}(): expected target of shape {expected} for inputs of shape "
                         f"{input1.shape}, got {target.shape}")
    return _cosine_embedding(input1, input2, target, _real(f, "margin", margin), reduction)


# ---- losses composed of namespace operations (twice-differentiable by their rules)
def _composed_reduce(l, reduction):
    if reduction == "none":
        return l
    s = _xp.sum(l)
    if reduction == "sum":
        return s
    return s / l.size if l.size else s * math.nan


def _cosine_embedding(x1, x2, y, margin, reduction):
    # cos = x1 . x2 / sqrt((|x1|^2 + eps)(|x2|^2 + eps)); the hinge passes the
    # gradient where cos - margin >= 0
    eps = 1e-12
    prod = _xp.sum(x1 * x2, axis=-1)
    cos = prod / _xp.sqrt((_xp.sum(x1 * x1, axis=-1) + eps) * (_xp.sum(x2 * x2, axis=-1) + eps))
    zero = _xp.zeros_like(cos)
    hinge = _xp.where(_xp.logical_and(y == -1, (cos - margin) >= 0), cos - margin, zero)
    return _composed_reduce(_xp.where(y == 1, 1 - cos, zero) + hinge, reduction)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along ``dim`` (broadcasting).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x1 = xp.asarray([[1.0, 0.0], [1.0, 1.0], [3.0, 4.0]])
    >>> x2 = xp.asarray([[0.0, 2.0], [2.0, 2.0], [4.0, 3.0]])
    >>> F.cosine_similarity(x1, x2)
    Tensor([0.  , 1.  , 0.96], dtype=float64)
    >>> F.cosine_similarity(xp.asarray([3.0, 4.0]), xp.asarray([[4.0, 3.0], [6.0, 8.0]]), dim=-1)
    Tensor([0.96, 1.  ], dtype=float64)
    """
    f = "cosine_similarity"
    _float_tensor(f, x1, "x1")
    _float_tensor(f, x2, "x2")
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ValueError(f"{f}(): x1 of shape {x1.shape} and x2 of shape {x2.shape} cannot be "
                         f"broadcast together") from None
    nd = max(len(shape), 1)
    dim = _int(f, "dim", dim)
    if not -nd <= dim < nd:
        raise IndexError(f"{f}(): dim {dim} is out of range for {len(shape)} dimensions")
    eps = _real(f, "eps", eps)
    dim = dim % nd
    a, b = _xp.broadcast_arrays(x1, x2) if x1.shape != x2.shape else (x1, x2)
    # PyTorch clamps each norm separately: x / max(||x||, eps)
    an = a / _xp.clip(_xp.linalg.vector_norm(a, axis=dim, keepdims=True), min=eps)
    bn = b / _xp.clip(_xp.linalg.vector_norm(b, axis=dim, keepdims=True), min=eps)
    return _xp.sum(an * bn, axis=dim)


# ============================================================================
# PyTorch-face additions (issue 13): distances, pixel shuffles, interpolation and
# losses, composed of namespace operations and the functions above (so they are
# differentiable twice through the existing rules)
__all__ += [
    "pairwise_distance", "pixel_shuffle", "pixel_unshuffle", "interpolate",
    "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss",
    "multilabel_soft_margin_loss", "multilabel_margin_loss", "poisson_nll_loss",
    "gaussian_nll_loss", "triplet_margin_loss",
]


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """The ``p``-norm of ``x1 - x2 + eps`` over the last dimension (broadcasting).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> a = xp.asarray([[0.0, 0.0], [1.0, 1.0]])
    >>> b = xp.asarray([[3.0, 4.0], [1.0, 1.0]])
    >>> [round(v, 5) for v in F.pairwise_distance(a, b, eps=0.0).tolist()]
    [5.0, 0.0]
    >>> F.pairwise_distance(a, b, p=1, keepdim=True).shape
    (2, 1)
    """
    f = "pairwise_distance"
    _float_tensor(f, x1, "x1")
    _float_tensor(f, x2, "x2")
    _same_dtype(f, x1, x2, "x2")
    p = _real(f, "p", p)
    eps = _real(f, "eps", eps)
    try:
        np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise RuntimeError(f"{f}(): x1 of shape {x1.shape} and x2 of shape {x2.shape} cannot "
                           f"be broadcast together") from None
    d = x1 - x2 + eps
    if d.ndim == 0:
        d = reshape(d, (1,))
    return _xp.linalg.vector_norm(d, axis=-1, keepdims=bool(keepdim), ord=p)


def _shuffle_factor(fname, name, v):
    v = _int(fname, name, v)
    if v <= 0:
        raise ValueError(f"{fname}(): {name} must be greater than 0, but got {v}")
    return v


def pixel_shuffle(input, upscale_factor):
    """Rearrange ``(*, C r^2, H, W)`` into ``(*, C, H r, W r)`` (``r`` the upscale factor).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.reshape(xp.arange(8.0), (1, 4, 1, 2))
    >>> F.pixel_shuffle(x, 2)
    Tensor([[[[0., 2., 1., 3.],
              [4., 6., 5., 7.]]]], dtype=float64)
    """
    f = "pixel_shuffle"
    _tensor(f, input)
    r = _shuffle_factor(f, "upscale_factor", upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.ndim} dimension(s)")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    n = len(lead)
    x = reshape(input, (*lead, c // (r * r), r, r, h, w))
    x = _xp.permute_dims(x, tuple(range(n)) + tuple(n + i for i in (0, 3, 1, 4, 2)))
    return reshape(x, (*lead, c // (r * r), h * r, w * r))


def pixel_unshuffle(input, downscale_factor):
    """Rearrange ``(*, C, H r, W r)`` into ``(*, C r^2, H, W)`` (the inverse of
    :func:`pixel_shuffle`).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.reshape(xp.arange(8.0), (1, 4, 1, 2))
    >>> bool(xp.all(F.pixel_unshuffle(F.pixel_shuffle(x, 2), 2) == x))
    True
    """
    f = "pixel_unshuffle"
    _tensor(f, input)
    r = _shuffle_factor(f, "downscale_factor", downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.ndim} dimension(s)")
    *lead, c, h, w = input.shape
    if h % r or w % r:
        which, size = ("height", h) if h % r else ("width", w)
        raise RuntimeError(f"pixel_unshuffle expects {which} to be divisible by "
                           f"downscale_factor, but input.size({-2 if h % r else -1})={size} is "
                           f"not divisible by {r}")
    n = len(lead)
    x = reshape(input, (*lead, c, h // r, r, w // r, r))
    x = _xp.permute_dims(x, tuple(range(n)) + tuple(n + i for i in (0, 2, 4, 1, 3)))
    return reshape(x, (*lead, c * r * r, h // r, w // r))


_INTERP_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area",
                 "nearest-exact")
_LINEAR_MODES = {"linear": 3, "bilinear": 4, "trilinear": 5}


def _interp_axis(x, axis, n_in, n_out, mode, align_corners, scale):
    """Resample ``x`` along ``axis`` from ``n_in`` to ``n_out`` points (PyTorch's
    source-index rules; ``scale`` the user's scale factor or None)."""
    dst = np.arange(n_out, dtype=np.float64)
    if mode in ("nearest", "nearest-exact"):
        s = 1.0 / scale if scale is not None else n_in / n_out
        src = np.floor((dst + (0.5 if mode == "nearest-exact" else 0.0)) * s)
        idx = np.minimum(src.astype(np.int64), n_in - 1)
        return _xp.take(x, Tensor._new(idx), axis=axis)
    if align_corners:
        s = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        src = s * dst
    else:
        s = 1.0 / scale if scale is not None else n_in / n_out
        src = np.maximum(s * (dst + 0.5) - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    lam = src - i0
    shape = [1] * x.ndim
    shape[axis] = n_out
    dt = x._array.dtype
    w1 = Tensor._new(lam.astype(dt).reshape(shape))
    w0 = Tensor._new((1.0 - lam).astype(dt).reshape(shape))
    return _xp.take(x, Tensor._new(i0), axis=axis) * w0 + \
        _xp.take(x, Tensor._new(i1), axis=axis) * w1


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dimensions of ``(N, C, *spatial)`` input (1 to 3 of them) to
    ``size`` or by ``scale_factor``.

    Modes: ``"nearest"`` (PyTorch's rounding down), ``"nearest-exact"``,
    ``"linear"`` (3-D input), ``"bilinear"`` (4-D), ``"trilinear"`` (5-D), with
    ``align_corners`` as PyTorch (False: pixel centres, the default; True: corner
    pixels aligned), and ``"area"`` (adaptive average pooling, 3-D/4-D input).

    # Note: "bicubic" and antialias=True are not implemented (NotImplementedError).

    Parameters
    ----------
    input : Tensor
    size : int or tuple of int, optional
        The output's spatial size.
    scale_factor : float or tuple of float, optional
        Multiplier of the spatial size (output size ``floor(in * scale)``).
    mode : str, default "nearest"
    align_corners : bool, optional
        For the linear modes only (default False).
    recompute_scale_factor : bool, optional
        True: compute the source positions from the output size instead of the
        given ``scale_factor``.
    antialias : bool, default False

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.reshape(xp.asarray([0.0, 1.0, 2.0, 3.0]), (1, 1, 2, 2))
    >>> F.interpolate(x, scale_factor=2)[0, 0]
    Tensor([[0., 0., 1., 1.],
            [0., 0., 1., 1.],
            [2., 2., 3., 3.],
            [2., 2., 3., 3.]], dtype=float64)
    >>> F.interpolate(x, size=(3, 3), mode="bilinear", align_corners=True)[0, 0]
    Tensor([[0. , 0.5, 1. ],
            [1. , 1.5, 2. ],
            [2. , 2.5, 3. ]], dtype=float64)
    """
    f = "interpolate"
    _tensor(f, input)
    if mode not in _INTERP_MODES:
        raise NotImplementedError(f"{f}(): mode {mode!r} is not one of "
                                  f"{', '.join(_INTERP_MODES)}")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if mode == "bicubic" or antialias:
        raise NotImplementedError(f"{f}(): mode 'bicubic' and antialias=True are not "
                                  f"implemented in minitensor")
    nd = input.ndim
    if nd not in (3, 4, 5):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {nd}D) for the modes: nearest | linear | bilinear | "
                                  f"bicubic | trilinear | area | nearest-exact (got {mode})")
    if mode in _LINEAR_MODES and _LINEAR_MODES[mode] != nd:
        raise NotImplementedError(f"Got {nd}D input, but {mode} mode needs "
                                  f"{_LINEAR_MODES[mode]}D input")
    k = nd - 2
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined" if size is not None
                         else "either size or scale_factor should be defined")
    in_sizes = input.shape[2:]
    if size is not None:
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * k
        if len(sizes) != k:
            raise ValueError(f"Input and output must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of "
                             f"{list(in_sizes)} and output size of {list(sizes)}. Please "
                             f"provide input tensor in (N, C, d1, d2, ...,dK) format and "
                             f"output size in (o1, o2, ...,oK) format.")
        out_sizes = tuple(_int(f, "size", s) for s in sizes)
        scales = (None,) * k
    else:
        sf = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) \
            else (scale_factor,) * k
        if len(sf) != k:
            raise ValueError(f"Input and scale_factor must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of "
                             f"{list(in_sizes)} and scale_factor of shape {list(sf)}. Please "
                             f"provide input tensor in (N, C, d1, d2, ...,dK) format and "
                             f"scale_factor in (s1, s2, ...,sK) format.")
        sf = tuple(_real(f, "scale_factor", s) for s in sf)
        out_sizes = tuple(int(math.floor(n * s)) for n, s in zip(in_sizes, sf))
        scales = (None,) * k if recompute_scale_factor else sf
    if any(s <= 0 for s in out_sizes):
        raise ValueError(f"{f}(): the output size {out_sizes} must be positive")
    if mode == "area":
        if k == 1:
            return adaptive_avg_pool1d(input, out_sizes[0])
        if k == 2:
            return adaptive_avg_pool2d(input, out_sizes)
        raise NotImplementedError(f"{f}(): mode 'area' supports 3-D and 4-D input")
    if mode != "nearest" and mode != "nearest-exact":
        _float_tensor(f, input)
    x = input
    for i in range(k):
        if out_sizes[i] != in_sizes[i] or scales[i] not in (None, 1.0):
            x = _interp_axis(x, 2 + i, in_sizes[i], out_sizes[i], mode, align_corners,
                             scales[i])
    return x


# ---- losses (a ``reduction`` of "none", "mean" or "sum"; the legacy size_average/reduce)
def _face_reduce(l, reduction):
    if reduction == "none":
        return l
    s = _xp.sum(l)
    if reduction == "sum":
        return s
    n = math.prod(l.shape)
    return s / n if n else s * math.nan


def _loss_tensors(fname, *pairs):
    first = None
    for name, t in pairs:
        _float_tensor(fname, t, name)
        if first is None:
            first = t
        else:
            _same_dtype(fname, first, t, name)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                        reduction="mean"):
    """``max(0, -target * (input1 - input2) + margin)`` (target +1: input1 should rank
    higher, -1: lower).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> F.margin_ranking_loss(xp.asarray([1.0, 0.0]), xp.asarray([0.0, 1.0]),
    ...                       xp.asarray([1.0, 1.0]), reduction="none")
    Tensor([0., 1.], dtype=float64)
    """
    f = "margin_ranking_loss"
    reduction = _reduction(f, reduction, size_average, reduce)
    _loss_tensors(f, ("input1", input1), ("input2", input2), ("target", target))
    if not (input1.ndim == input2.ndim == target.ndim):
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.shape}, input2: {input2.shape}, "
                           f"target: {target.shape} ")
    m = _real(f, "margin", margin)
    return _face_reduce(relu(-target * (input1 - input2) + m), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """``input`` where ``target`` is 1, ``max(0, margin - input)`` where it is -1.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> F.hinge_embedding_loss(xp.asarray([0.3, 0.3]), xp.asarray([1.0, -1.0]),
    ...                        reduction="none")
    Tensor([0.3, 0.7], dtype=float64)
    """
    f = "hinge_embedding_loss"
    reduction = _reduction(f, reduction, size_average, reduce)
    _loss_tensors(f, ("input", input), ("target", target))
    m = _real(f, "margin", margin)
    zero = _xp.zeros_like(input)
    l = _xp.where(target != 1, relu(m - input), zero) + _xp.where(target != -1, input, zero)
    return _face_reduce(l, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """The two-class logistic loss ``log(1 + exp(-target * input))`` (targets +-1).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> round(float(F.soft_margin_loss(xp.asarray([0.0]), xp.asarray([1.0]))), 6)
    0.693147
    """
    f = "soft_margin_loss"
    reduction = _reduction(f, reduction, size_average, reduce)
    _loss_tensors(f, ("input", input), ("target", target))
    if input.shape != target.shape:
        raise ValueError(f"{f}(): target of shape {target.shape} does not match input of "
                         f"shape {input.shape}")
    return _face_reduce(-logsigmoid(target * input), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Multi-label one-versus-all logistic loss of ``(N, C)`` scores and 0/1 targets,
    averaged over the classes (then reduced over the batch).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.asarray([[0.0, 0.0]])
    >>> round(float(F.multilabel_soft_margin_loss(x, xp.asarray([[1.0, 0.0]]))), 6)
    0.693147
    """
    f = "multilabel_soft_margin_loss"
    reduction = _reduction(f, reduction, size_average, reduce)
    _loss_tensors(f, ("input", input), ("target", target))
    if input.shape != target.shape or input.ndim == 0:
        raise ValueError(f"{f}(): target of shape {target.shape} does not match input of "
                         f"shape {input.shape}")
    l = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        _float_tensor(f, weight, "weight")
        l = l * weight
    l = _xp.sum(l, axis=-1) / input.shape[-1]
    return _face_reduce(l, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-label hinge loss of ``(N, C)`` (or ``(C,)``) scores: ``target`` holds the
    sample's class indices, ended by the first -1; the loss sums
    ``max(0, 1 - (x[j] - x[i]))`` over target classes ``j`` and non-target
    classes ``i``, divided by C.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.asarray([[0.1, 0.2, 0.4, 0.8]])
    >>> y = xp.asarray([[3, 0, -1, 1]])       # classes 3 and 0
    >>> round(float(F.multilabel_margin_loss(x, y)), 4)
    0.85
    """
    f = "multilabel_margin_loss"
    reduction = _reduction(f, reduction, size_average, reduce)
    _float_tensor(f, input)
    _tensor(f, target, "target")
    if target._array.dtype.kind not in "iu":
        raise TypeError(f"{f}(): target must be an integer tensor, got {target.dtype}")
    if input.ndim not in (1, 2) or target.shape != input.shape:
        raise RuntimeError(f"{f}(): expected input of shape (C) or (N, C) and a target of the "
                           f"same shape, got input {input.shape} and target {target.shape}")
    x = input if input.ndim == 2 else reshape(input, (1,) + input.shape)
    t = np.asarray(target._array).reshape(x.shape)
    n, c = x.shape
    count = np.zeros((n, c))          # how often class j is listed as a target
    is_target = np.zeros((n, c), bool)
    for s in range(n):
        for j in t[s]:
            if j < 0:
                break
            if j >= c:
                raise IndexError(f"{f}(): target index {j} is out of bounds for {c} classes")
            count[s, j] += 1
            is_target[s, j] = True
    dt = x._array.dtype
    wts = (count[:, :, None] * (~is_target)[:, None, :]).astype(dt)
    hinge = relu(1 - (reshape(x, (n, c, 1)) - reshape(x, (n, 1, c))))
    l = _xp.sum(hinge * Tensor._new(wts), axis=(1, 2)) / c
    if input.ndim == 1:
        l = reshape(l, ())
    return _face_reduce(l, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """Negative log-likelihood of ``target`` under a Poisson distribution of rate
    ``exp(input)`` (``log_input``) or ``input``; ``full`` adds the Stirling term
    of ``log(target!)`` (for targets > 1).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> F.poisson_nll_loss(xp.asarray([0.0, 1.0]), xp.asarray([1.0, 2.0]), reduction="none")
    Tensor([1.        , 0.71828183], dtype=float64)
    """
    f = "poisson_nll_loss"
    reduction = _reduction(f, reduction, size_average, reduce)
    _loss_tensors(f, ("input", input), ("target", target))
    if log_input:
        l = _xp.exp(input) - target * input
    else:
        l = input - target * _xp.log(input + _real(f, "eps", eps))
    if full:
        safe = _xp.where(target > 1, target, _xp.ones_like(target))
        stirling = safe * _xp.log(safe) - safe + 0.5 * _xp.log(2 * math.pi * safe)
        l = l + _xp.where(target > 1, stirling, _xp.zeros_like(stirling))
    return _face_reduce(l, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Negative log-likelihood of ``target`` under a Gaussian of mean ``input`` and
    variance ``var``: ``0.5 (log(max(var, eps)) + (input - target)^2 / max(var, eps))``
    (+ ``0.5 log(2 pi)`` if ``full``). ``var`` has ``input``'s shape, or lacks its
    last dimension, or has a last dimension of 1. The clamp passes the gradient
    through unchanged, as PyTorch's.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> x = xp.asarray([[0.0, 1.0]])
    >>> F.gaussian_nll_loss(x, xp.asarray([[0.0, 2.0]]), xp.asarray([[1.0, 1.0]]))
    Tensor(0.25, dtype=float64)
    """
    f = "gaussian_nll_loss"
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        var = _xp.full(input.shape, float(var), dtype=input.dtype)
    _loss_tensors(f, ("input", input), ("target", target), ("var", var))
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = reshape(var, var.shape + (1,))
        elif not (input.shape[:-1] == var.shape[:-1] and var.shape[-1:] == (1,)):
            raise ValueError("var is of incorrect size")
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    if bool(np.any(var._array < 0)):
        raise ValueError("var has negative entry/entries")
    eps = _real(f, "eps", eps)
    # clamp the values only (the gradient passes through as if unclamped)
    var = var + _xp.clip(var, min=eps).detach() - var.detach()
    l = 0.5 * (_xp.log(var) + (input - target) ** 2 / var)
    if full:
        l = l + 0.5 * math.log(2 * math.pi)
    return _face_reduce(l, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """``max(d(a, p) - d(a, n) + margin, 0)`` with ``d`` the :func:`pairwise_distance`
    (``swap``: use ``min(d(a, n), d(p, n))`` as the negative distance).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> a = xp.asarray([[0.0, 0.0]])
    >>> pos, neg = xp.asarray([[1.0, 0.0]]), xp.asarray([[0.0, 1.5]])
    >>> round(float(F.triplet_margin_loss(a, pos, neg, eps=0.0)), 6)
    0.5
    """
    f = "triplet_margin_loss"
    reduction = _reduction(f, reduction, size_average, reduce)
    _loss_tensors(f, ("anchor", anchor), ("positive", positive), ("negative", negative))
    if not (anchor.ndim == positive.ndim == negative.ndim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {anchor.ndim}D, "
                           f"positive {positive.ndim}D, and negative {negative.ndim}D inputs")
    m = _real(f, "margin", margin)
    if m <= 0:
        raise ValueError(f"{f}(): margin must be greater than 0, got {m}")
    d_ap = pairwise_distance(anchor, positive, p, eps)
    d_an = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_an = _xp.minimum(d_an, pairwise_distance(positive, negative, p, eps))
    return _face_reduce(relu(m + d_ap - d_an), reduction)


__all__ += ["ctc_loss"]

_CTC_NEG = -1e30     # "log 0", finite so that logaddexp's gradient stays finite


def _int_list(fname, name, v, n):
    if isinstance(v, Tensor):
        a = np.asarray(v._array)
        if a.dtype.kind not in "iu":
            raise TypeError(f"{fname}(): {name} must be integers, got {v.dtype}")
        a = a.reshape(-1).astype(np.int64)
    else:
        a = np.asarray([int(operator.index(x.item() if isinstance(x, Tensor) else x))
                        for x in v], dtype=np.int64)
    if a.shape[0] != n:
        raise RuntimeError(f"{fname}(): {name} must have one entry per batch element ({n}), "
                           f"got {a.shape[0]}")
    return a


def _ctc_logsumexp(*xs):
    # log(sum(exp(x))) shifted by the (constant) elementwise maximum: finite first and
    # second derivatives also where some terms are "log 0"
    m = xs[0].detach()
    for x in xs[1:]:
        m = _xp.maximum(m, x.detach())
    total = _xp.exp(xs[0] - m)
    for x in xs[1:]:
        total = total + _xp.exp(x - m)
    return m + _xp.log(total)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """Connectionist temporal classification loss (Graves et al., 2006): minus the log
    of the total probability of all alignments of ``targets`` to the ``(T, N, C)``
    (or unbatched ``(T, C)``) log-probabilities, computed with the forward
    (alpha) recursion in log space, composed of namespace operations.

    ``targets`` is ``(N, S)`` (padded) or 1-D (the targets concatenated);
    ``reduction="mean"`` divides each loss by its target length, then averages
    over the batch, as PyTorch. An impossible alignment gives ``inf`` (0 with
    ``zero_infinity``).

    # Note: the gradient with respect to ``log_probs`` is the true derivative;
    # PyTorch's adds ``exp(log_probs)`` (it assumes they come from log_softmax),
    # so the two agree on the gradient of the logits before ``log_softmax``.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.nn.functional as F
    >>> lp = F.log_softmax(xp.zeros((3, 1, 2)), dim=2)     # T=3, N=1, C=2: uniform
    >>> loss = F.ctc_loss(lp, xp.asarray([[1]]), [3], [1], reduction="sum")
    >>> round(float(loss), 6)       # 6 of the 8 paths emit "1": -log(6 / 8)
    0.287682
    """
    f = "ctc_loss"
    _float_tensor(f, log_probs, "log_probs")
    _tensor(f, targets, "targets")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{f}(): {reduction!r} is not a valid value for reduction")
    if log_probs.ndim not in (2, 3):
        raise RuntimeError(f"{f}(): log_probs must be (T, N, C) or (T, C), got "
                           f"{log_probs.shape}")
    batched = log_probs.ndim == 3
    lp = log_probs if batched else reshape(log_probs, (log_probs.shape[0], 1,
                                                       log_probs.shape[1]))
    T, N, C = lp.shape
    blank = _int(f, "blank", blank)
    if not 0 <= blank < C:
        raise RuntimeError(f"{f}(): blank must be in label range, got {blank} for {C} classes")
    in_len = _int_list(f, "input_lengths", input_lengths if batched or
                       isinstance(input_lengths, (list, tuple)) else
                       reshape(input_lengths, (1,)), N)
    tg_len = _int_list(f, "target_lengths", target_lengths if batched or
                       isinstance(target_lengths, (list, tuple)) else
                       reshape(target_lengths, (1,)), N)
    if np.any(in_len > T) or np.any(in_len < 0) or np.any(tg_len < 0):
        raise RuntimeError(f"{f}(): input_lengths must be in [0, {T}] and target_lengths "
                           f"non-negative, got {in_len.tolist()} and {tg_len.tolist()}")
    t = np.asarray(targets._array)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{f}(): targets must be integers, got {targets.dtype}")
    S = int(tg_len.max()) if N else 0
    lab = np.full((N, S), blank, np.int64)
    if t.ndim == 1:          # the targets concatenated (or an unbatched target sequence)
        if t.shape[0] < tg_len.sum():
            raise RuntimeError(f"{f}(): the concatenated targets have {t.shape[0]} labels, "
                               f"fewer than sum(target_lengths)={tg_len.sum()}")
        off = 0
        for n in range(N):
            lab[n, :tg_len[n]] = t[off:off + tg_len[n]]
            off += tg_len[n]
    else:                    # (N, S) padded
        if t.ndim != 2 or t.shape[0] != N or t.shape[1] < S:
            raise RuntimeError(f"{f}(): targets of shape {targets.shape} do not match "
                               f"target_lengths {tg_len.tolist()}")
        for n in range(N):
            lab[n, :tg_len[n]] = t[n, :tg_len[n]]
    if np.any((lab < 0) | (lab >= C)):
        raise IndexError(f"{f}(): a target is out of the class range [0, {C})")
    # the extended label sequence: blank, l1, blank, l2, ..., blank
    L = 2 * S + 1
    ext = np.full((N, L), blank, np.int64)
    ext[:, 1::2] = lab
    skip = np.zeros((N, L), bool)       # s may come from s - 2 (a label differing from it)
    skip[:, 3::2] = lab[:, 1:] != lab[:, :-1]
    dt = lp._array.dtype
    neg = Tensor._new(np.full((N, L), _CTC_NEG, dt))
    ext_t = Tensor._new(ext)
    skip_t = Tensor._new(skip)
    start = np.zeros((N, L), bool)
    start[:, :2] = True
    alpha = neg
    for step in range(T):
        emit = _xp.take_along_axis(lp[step], ext_t, axis=1)
        if step == 0:
            new = _where(Tensor._new(start), emit, neg)
        else:
            a1 = _xp.concat([neg[:, :1], alpha[:, :-1]], axis=1)
            a2 = _where(skip_t, _xp.concat([neg[:, :2], alpha[:, :-2]], axis=1), neg)
            new = _ctc_logsumexp(alpha, a1, a2) + emit
        alpha = _where(Tensor._new((step < in_len)[:, None]), new, alpha)
    last = Tensor._new((2 * tg_len)[:, None])
    prev = Tensor._new(np.maximum(2 * tg_len - 1, 0)[:, None])
    a_last = _xp.take_along_axis(alpha, last, axis=1)[:, 0]
    a_prev = _xp.take_along_axis(alpha, prev, axis=1)[:, 0]
    a_prev = _where(Tensor._new(tg_len > 0), a_prev, neg[:, 0])
    loss = -_ctc_logsumexp(a_last, a_prev)
    impossible = Tensor._new(np.asarray(loss._array) > 1e29)
    fill = Tensor._new(np.full(N, 0.0 if zero_infinity else np.inf, dt))
    loss = _where(impossible, fill, loss)
    if not batched:
        loss = reshape(loss, ())
    if reduction == "none":
        return loss
    if reduction == "sum":
        return _xp.sum(loss)
    per = Tensor._new(np.maximum(tg_len, 1).astype(dt))
    return _xp.mean(loss / (per if batched else reshape(per, ())))
