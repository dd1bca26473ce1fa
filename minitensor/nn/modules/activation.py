"""Activation layers (thin modules over ``nn.functional``)."""
from .. import functional as F
from .. import init
from .module import Module
from ._utils import _empty_param, _np_dtype, _pos_int

__all__ = ["ReLU", "ReLU6", "LeakyReLU", "GELU", "SiLU", "Sigmoid", "Tanh", "ELU", "SELU", "CELU",
           "Softplus", "Hardtanh", "LogSigmoid", "Mish", "Hardsigmoid", "Hardswish", "Softsign",
           "PReLU", "Softmax", "LogSoftmax", "Softmin"]


class _Simple(Module):
    """An activation without settings: ``forward`` calls ``_fn``."""

    _fn = None

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return type(self)._fn(input, inplace=self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class ReLU(_Simple):
    """max(x, 0).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.ReLU()(xp.asarray([-1.0, 2.0]))
    Tensor([0., 2.], dtype=float64)
    """
    _fn = staticmethod(F.relu)


class SiLU(_Simple):
    """x * sigmoid(x).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> y = nn.SiLU()(xp.asarray([-2.0, 0.0, 3.0]))
    >>> [round(v, 4) for v in y.tolist()]
    [-0.2384, 0.0, 2.8577]
    """
    _fn = staticmethod(F.silu)


class Mish(_Simple):
    """x * tanh(softplus(x)).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> y = nn.Mish()(xp.asarray([-2.0, 0.0, 3.0]))
    >>> [round(v, 4) for v in y.tolist()]
    [-0.2525, 0.0, 2.9865]
    """
    _fn = staticmethod(F.mish)


class Hardsigmoid(_Simple):
    """clip(x / 6 + 1/2, 0, 1).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.Hardsigmoid()(xp.asarray([-4.0, 0.0, 1.5, 4.0]))
    Tensor([0.  , 0.5 , 0.75, 1.  ], dtype=float64)
    """
    _fn = staticmethod(F.hardsigmoid)


class Hardswish(_Simple):
    """x * hardsigmoid(x).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.Hardswish()(xp.asarray([-1.5, 0.0, 1.5, 4.0]))
    Tensor([-0.375,  0.   ,  1.125,  4.   ], dtype=float64)
    """
    _fn = staticmethod(F.hardswish)


class SELU(_Simple):
    """Scaled ELU with the self-normalizing constants.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> y = nn.SELU()(xp.asarray([-2.0, 0.0, 3.0]))
    >>> [round(v, 4) for v in y.tolist()]
    [-1.5202, 0.0, 3.1521]
    """
    _fn = staticmethod(F.selu)


class Sigmoid(Module):
    """1 / (1 + exp(-x)).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> y = nn.Sigmoid()(xp.asarray([-2.0, 0.0, 3.0]))
    >>> [round(v, 4) for v in y.tolist()]
    [0.1192, 0.5, 0.9526]
    """

    def forward(self, input):
        return F.sigmoid(input)


class Tanh(Module):
    """tanh(x).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> y = nn.Tanh()(xp.asarray([-2.0, 0.0, 3.0]))
    >>> [round(v, 4) for v in y.tolist()]
    [-0.964, 0.0, 0.9951]
    """

    def forward(self, input):
        return F.tanh(input)


class LogSigmoid(Module):
    """log(sigmoid(x)) (stable).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> y = nn.LogSigmoid()(xp.asarray([-2.0, 0.0, 3.0]))
    >>> [round(v, 4) for v in y.tolist()]
    [-2.1269, -0.6931, -0.0486]
    """

    def forward(self, input):
        return F.logsigmoid(input)


class Softsign(Module):
    """``x / (1 + |x|)``.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.Softsign()(xp.asarray([-3.0, 0.0, 1.0]))
    Tensor([-0.75,  0.  ,  0.5 ], dtype=float64)
    """

    def forward(self, input):
        return F.softsign(input)


class LeakyReLU(Module):
    """x if x > 0 else negative_slope * x.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.LeakyReLU(negative_slope=0.1)(xp.asarray([-2.0, 0.0, 3.0]))
    Tensor([-0.2,  0. ,  3. ], dtype=float64)
    """

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """x * Phi(x) (``approximate="none"``: exact, with erf) or its tanh approximation.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> x = xp.asarray([-2.0, 0.0, 3.0])
    >>> [round(v, 4) for v in nn.GELU()(x).tolist()]
    [-0.0455, 0.0, 2.996]
    >>> [round(v, 4) for v in nn.GELU(approximate="tanh")(x).tolist()]
    [-0.0454, 0.0, 2.9964]
    """

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class ELU(Module):
    """x if x > 0 else alpha * (exp(x) - 1).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> y = nn.ELU(alpha=0.5)(xp.asarray([-2.0, 0.0, 3.0]))
    >>> [round(v, 4) for v in y.tolist()]
    [-0.4323, 0.0, 3.0]
    """

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(ELU):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> y = nn.CELU(alpha=2.0)(xp.asarray([-2.0, 0.0, 3.0]))
    >>> [round(v, 4) for v in y.tolist()]
    [-1.2642, 0.0, 3.0]
    """

    def forward(self, input):
        return F.celu(input, self.alpha, self.inplace)


class Softplus(Module):
    """log(1 + exp(beta * x)) / beta, linear above ``threshold``.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> y = nn.Softplus()(xp.asarray([-2.0, 0.0, 30.0]))
    >>> [round(v, 4) for v in y.tolist()]
    [0.1269, 0.6931, 30.0]
    """

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """clip(x, min_val, max_val).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.Hardtanh(-2.0, 2.0)(xp.asarray([-3.0, 0.5, 3.0]))
    Tensor([-2. ,  0.5,  2. ], dtype=float64)
    """

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        if min_val > max_val:
            raise ValueError(f"Hardtanh: min_val ({min_val}) cannot be greater than max_val "
                             f"({max_val})")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" + \
            (", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """min(max(x, 0), 6).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.ReLU6()(xp.asarray([-1.0, 3.0, 8.0]))
    Tensor([0., 3., 6.], dtype=float64)
    """

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class PReLU(Module):
    """x if x > 0 else a * x with learnable ``weight`` a (``num_parameters`` values,
    1 or the number of channels), initialised to ``init`` (0.25).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> act = nn.PReLU(num_parameters=2)
    >>> act.weight
    Parameter containing:
    Tensor([0.25, 0.25], dtype=float32, requires_grad=True)
    >>> act(xp.asarray([[-4.0, 2.0], [1.0, -8.0]], dtype=xp.float32)).tolist()
    [[-1.0, 2.0], [1.0, -2.0]]
    """

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = _pos_int("PReLU", "num_parameters", num_parameters)
        self.init = init
        self.weight = _empty_param((self.num_parameters,), _np_dtype(dtype, device))
        self.reset_parameters()

    def reset_parameters(self):
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class Softmax(Module):
    """exp(x) / sum(exp(x)) along ``dim``.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> probs = nn.Softmax(dim=1)(xp.asarray([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
    >>> [round(v, 4) for v in probs[0].tolist()]
    [0.09, 0.2447, 0.6652]
    >>> [round(v, 4) for v in xp.sum(probs, axis=1).tolist()]  # rows sum to 1
    [1.0, 1.0]
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log(softmax(x)) along ``dim`` (stable).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> y = nn.LogSoftmax(dim=-1)(xp.asarray([1.0, 2.0, 3.0]))
    >>> [round(v, 4) for v in y.tolist()]
    [-2.4076, -1.4076, -0.4076]
    """

    def forward(self, input):
        return F.log_softmax(input, self.dim)


class Softmin(Softmax):
    """softmax(-x) along ``dim``.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> y = nn.Softmin(dim=0)(xp.asarray([1.0, 2.0, 3.0]))
    >>> [round(v, 4) for v in y.tolist()]  # the smallest input gets the largest weight
    [0.6652, 0.2447, 0.09]
    """

    def forward(self, input):
        return F.softmin(input, self.dim)
