"""Parameter initialisation (PyTorch's ``torch.nn.init``): in place, outside
autograd, drawing from ``minitensor.manual_seed``'s generator unless a
``generator=`` (a ``numpy.random.Generator``) is given. Each function returns
the tensor it filled.

Examples
--------
>>> import minitensor as xp
>>> from minitensor import nn
>>> _ = xp.manual_seed(0)
>>> w = nn.init.kaiming_uniform_(xp.empty((64, 32)), nonlinearity="relu")
>>> bound = (6 / 32) ** 0.5
>>> bool(xp.all(xp.abs(w) <= bound))
True
"""
import math
import numbers
import warnings

import numpy as np

from .._array_object import Tensor
from .. import _random
from ..autograd._inplace import note_inplace

__all__ = [
    "calculate_gain", "uniform_", "normal_", "constant_", "zeros_", "ones_", "eye_", "dirac_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_",
    "trunc_normal_", "sparse_",
]


def _check(fname, tensor):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{fname}(): expected a minitensor Tensor, got {type(tensor).__name__}")
    if tensor._array.dtype.kind not in "fc":
        raise TypeError(f"{fname}(): expected a floating-point tensor, got {tensor.dtype}")
    if not tensor._array.flags.writeable:
        raise ValueError(f"{fname}(): the tensor is read-only")
    return tensor


def _fill(tensor, values):
    """Write ``values`` into the tensor's buffer (outside autograd) and bump its version."""
    a = tensor._array
    a[...] = values
    note_inplace(tensor)
    return tensor


def _sample_dtype(a):
    return np.float32 if a.dtype == np.float32 else np.float64


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity (PyTorch's table).

    ========================  ====================================
    linear, conv*, sigmoid    1
    tanh                      5/3
    relu                      sqrt(2)
    leaky_relu                sqrt(2 / (1 + negative_slope**2))
    selu                      3/4
    ========================  ====================================

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.init.calculate_gain("conv2d"), nn.init.calculate_gain("selu")
    (1, 0.75)
    >>> round(nn.init.calculate_gain("relu"), 4)
    1.4142
    >>> round(nn.init.calculate_gain("leaky_relu", 0.2), 4)  # param: the negative slope
    1.3868
    """
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    dim = tensor.ndim
    if dim < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         "dimensions")
    num_input_fmaps = tensor.shape[1]
    num_output_fmaps = tensor.shape[0]
    receptive = int(np.prod(tensor.shape[2:], dtype=np.int64)) if dim > 2 else 1
    return num_input_fmaps * receptive, num_output_fmaps * receptive


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with values drawn from U(a, b).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> _ = xp.manual_seed(0)
    >>> w = nn.init.uniform_(xp.empty((100, 100)), -0.5, 0.5)
    >>> bool(xp.all((w >= -0.5) & (w < 0.5)))
    True
    >>> abs(float(xp.mean(w))) < 0.02
    True
    """
    _check("uniform_", tensor)
    rng = _random._resolve(generator)
    arr = tensor._array
    if arr.dtype.kind == "c":
        vals = rng.uniform(a, b, arr.shape) + 1j * rng.uniform(a, b, arr.shape)
    else:
        vals = rng.uniform(a, b, arr.shape)
    return _fill(tensor, vals)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with values drawn from N(mean, std**2).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> _ = xp.manual_seed(0)
    >>> w = nn.init.normal_(xp.empty((100, 200)), mean=3.0, std=0.5)
    >>> round(float(xp.mean(w)), 1), round(float(xp.std(w)), 1)
    (3.0, 0.5)
    """
    _check("normal_", tensor)
    rng = _random._resolve(generator)
    arr = tensor._array
    return _fill(tensor, rng.normal(mean, std, arr.shape))


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill with values from N(mean, std**2) truncated to [a, b] (by redrawing
    the values outside; exact, unlike an inverse-CDF approximation).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> _ = xp.manual_seed(0)
    >>> w = nn.init.trunc_normal_(xp.empty(10000), std=1.0, a=-1.0, b=1.0)
    >>> bool(xp.all((w >= -1.0) & (w <= 1.0)))
    True
    """
    _check("trunc_normal_", tensor)
    if not a < b:
        raise ValueError(f"trunc_normal_(): a ({a}) must be smaller than b ({b})")
    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The "
                      "distribution of values may be incorrect.", stacklevel=2)
    rng = _random._resolve(generator)
    n = tensor._array.size
    out = np.empty(n)
    filled = 0
    # acceptance probability >= P(a < X < b); give up (to clipping) only after
    # many rounds with a vanishing acceptance rate
    for _ in range(1000):
        if filled == n:
            break
        draw = rng.normal(mean, std, max(2 * (n - filled), 16))
        ok = draw[(draw >= a) & (draw <= b)]
        take = min(ok.size, n - filled)
        out[filled:filled + take] = ok[:take]
        filled += take
    if filled < n:
        out[filled:] = np.clip(rng.normal(mean, std, n - filled), a, b)
    return _fill(tensor, out.reshape(tensor._array.shape))


def constant_(tensor, val):
    """Fill with ``val``.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.init.constant_(xp.empty((2, 3)), 0.25)
    Tensor([[0.25, 0.25, 0.25],
            [0.25, 0.25, 0.25]], dtype=float64)
    """
    _check("constant_", tensor)
    return _fill(tensor, val)


def zeros_(tensor):
    """Fill with zeros.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> layer = nn.Linear(3, 2)
    >>> nn.init.zeros_(layer.bias)
    Parameter containing:
    Tensor([0., 0.], dtype=float32, requires_grad=True)
    """
    return constant_(tensor, 0.0)


def ones_(tensor):
    """Fill with ones.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.init.ones_(xp.empty((2, 2), dtype=xp.float32))
    Tensor([[1., 1.],
            [1., 1.]], dtype=float32)
    """
    return constant_(tensor, 1.0)


def eye_(tensor):
    """Fill a 2-D tensor with the identity matrix.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.init.eye_(xp.empty((2, 3)))
    Tensor([[1., 0., 0.],
            [0., 1., 0.]], dtype=float64)
    >>> layer = nn.Linear(2, 2, bias=False)
    >>> _ = nn.init.eye_(layer.weight)  # the layer now returns its input
    >>> layer(xp.asarray([[1.5, -2.0]], dtype=xp.float32)).tolist()
    [[1.5, -2.0]]
    """
    _check("eye_", tensor)
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, np.eye(*tensor.shape))


def dirac_(tensor, groups=1):
    """Fill a {3,4,5}-D convolution weight with the Dirac delta (identity convolution).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> import minitensor.nn.functional as F
    >>> w = nn.init.dirac_(xp.empty((2, 2, 3)))  # (C_out, C_in, k)
    >>> w
    Tensor([[[0., 1., 0.],
             [0., 0., 0.]],
    <BLANKLINE>
            [[0., 0., 0.],
             [0., 1., 0.]]], dtype=float64)
    >>> x = xp.reshape(xp.arange(10.0), (1, 2, 5))
    >>> bool(xp.all(F.conv1d(x, w, padding=1) == x))
    True
    """
    _check("dirac_", tensor)
    d = tensor.ndim
    if d not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor.shape
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_chans_per_grp = sizes[0] // groups
    min_dim = min(out_chans_per_grp, sizes[1])
    vals = np.zeros(sizes)
    centre = tuple(s // 2 for s in sizes[2:])
    for g in range(groups):
        for k in range(min_dim):
            vals[(g * out_chans_per_grp + k, k) + centre] = 1
    return _fill(tensor, vals)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> _ = xp.manual_seed(0)
    >>> w = nn.init.xavier_uniform_(xp.empty((300, 100)))  # fan_out 300, fan_in 100
    >>> bound = (6 / (100 + 300)) ** 0.5
    >>> bool(xp.all(xp.abs(w) <= bound))
    True
    """
    _check("xavier_uniform_", tensor)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator=generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """N(0, std**2) with std = gain * sqrt(2 / (fan_in + fan_out)).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> _ = xp.manual_seed(0)
    >>> w = nn.init.xavier_normal_(xp.empty((300, 100)))
    >>> round(float(xp.std(w)), 2), round((2 / (100 + 300)) ** 0.5, 2)
    (0.07, 0.07)
    """
    _check("xavier_normal_", tensor)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator=generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """U(-bound, bound) with bound = gain * sqrt(3 / fan) (He et al., 2015);
    ``a`` is the leaky_relu negative slope.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> _ = xp.manual_seed(0)
    >>> w = nn.init.kaiming_uniform_(xp.empty((16, 3, 3, 3)), nonlinearity="relu")
    >>> bound = 2 ** 0.5 * (3 / (3 * 3 * 3)) ** 0.5  # fan_in = 3 * 3 * 3
    >>> bool(xp.all(xp.abs(w) <= bound))
    True
    """
    _check("kaiming_uniform_", tensor)
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator=generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """N(0, std**2) with std = gain / sqrt(fan) (He et al., 2015).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> _ = xp.manual_seed(0)
    >>> w = nn.init.kaiming_normal_(xp.empty((100, 200)), nonlinearity="relu")
    >>> round(float(xp.std(w)), 2)  # sqrt(2 / fan_in) = 0.1
    0.1
    """
    _check("kaiming_normal_", tensor)
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator=generator)


def orthogonal_(tensor, gain=1, generator=None):
    """A (semi-)orthogonal matrix (of the tensor flattened to 2-D) times ``gain``
    (Saxe et al., 2013): QR of a Gaussian matrix, signs fixed by diag(R).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> _ = xp.manual_seed(0)
    >>> w = nn.init.orthogonal_(xp.empty((3, 5)))
    >>> bool(xp.all(xp.abs(w @ w.T - xp.eye(3)) < 1e-12))  # orthonormal rows
    True
    """
    _check("orthogonal_", tensor)
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.size == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.size // rows
    rng = _random._resolve(generator)
    flat = rng.normal(0.0, 1.0, (rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    d = np.sign(np.diag(r))
    d[d == 0] = 1
    q = q * d
    if rows < cols:
        q = q.T
    return _fill(tensor, (gain * q).reshape(tensor.shape))


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """A 2-D tensor with a fraction ``sparsity`` of each column zero, the rest N(0, std**2).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> _ = xp.manual_seed(0)
    >>> w = nn.init.sparse_(xp.empty((10, 4)), sparsity=0.3)
    >>> xp.sum(w == 0, axis=0)  # ceil(0.3 * 10) zeros per column
    Tensor([3, 3, 3, 3], dtype=int64)
    """
    _check("sparse_", tensor)
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = int(math.ceil(sparsity * rows))
    rng = _random._resolve(generator)
    vals = rng.normal(0.0, std, (rows, cols))
    for c in range(cols):
        vals[rng.permutation(rows)[:num_zeros], c] = 0
    return _fill(tensor, vals)


def _no_grad_warn_deprecated(name):  # pragma: no cover - PyTorch's old names
    new = globals()[name + "_"]

    def f(*args, **kwargs):
        warnings.warn(f"nn.init.{name} is now deprecated in favor of nn.init.{name}_.",
                      FutureWarning, stacklevel=2)
        return new(*args, **kwargs)
    f.__name__ = name
    return f


uniform = _no_grad_warn_deprecated("uniform")
normal = _no_grad_warn_deprecated("normal")
constant = _no_grad_warn_deprecated("constant")
xavier_uniform = _no_grad_warn_deprecated("xavier_uniform")
xavier_normal = _no_grad_warn_deprecated("xavier_normal")
kaiming_uniform = _no_grad_warn_deprecated("kaiming_uniform")
kaiming_normal = _no_grad_warn_deprecated("kaiming_normal")
orthogonal = _no_grad_warn_deprecated("orthogonal")
del numbers
