"""Linear layers: ``Identity``, ``Linear``, ``Bilinear``."""
import math

from .. import functional as F
from .. import init
from .module import Module
from ._utils import _empty_param, _np_dtype, _pos_int

__all__ = ["Identity", "Linear", "Bilinear"]


class Identity(Module):
    """Returns its input unchanged (arguments are accepted and ignored).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> x = xp.asarray([1.0, 2.0])
    >>> nn.Identity(54, unused="ignored")(x) is x
    True
    >>> model = nn.Sequential(nn.Linear(2, 2), nn.Identity())  # e.g. a removed head
    >>> model(xp.ones((3, 2), dtype=xp.float32)).shape
    (3, 2)
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """y = x @ W.T + b over the last axis.

    Parameters
    ----------
    in_features : int
        Size of the input's last axis.
    out_features : int
        Size of the output's last axis.
    bias : bool, default True
        Whether the layer has a learnable ``bias``.
    device : optional
        ``None``, ``"cpu"`` or ``minitensor.Device("cpu")``.
    dtype : DType, optional
        The parameters' dtype (default float32, as PyTorch).

    Attributes
    ----------
    weight : Parameter
        Shape (out_features, in_features).
    bias : Parameter or None
        Shape (out_features,).

    Notes
    -----
    Initialisation (PyTorch's): ``weight`` by ``kaiming_uniform_(a=sqrt(5))``,
    i.e. U(-1/sqrt(in_features), 1/sqrt(in_features)); ``bias`` from
    U(-1/sqrt(in_features), 1/sqrt(in_features)).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> fc = nn.Linear(3, 2)
    >>> fc.weight.shape, fc.weight.dtype
    ((2, 3), minitensor.float32)
    >>> fc(xp.ones((5, 3), dtype=xp.float32)).shape
    (5, 2)
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = _pos_int("Linear", "in_features", in_features, 0)
        self.out_features = _pos_int("Linear", "out_features", out_features, 0)
        dt = _np_dtype(dtype, device)
        self.weight = _empty_param((self.out_features, self.in_features), dt)
        if bias:
            self.bias = _empty_param((self.out_features,), dt)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    """y = x1 @ W[o] @ x2 + b[o]; ``weight`` (out, in1, in2) and ``bias`` drawn from
    U(-1/sqrt(in1), 1/sqrt(in1)) (PyTorch's initialisation).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> bl = nn.Bilinear(3, 4, 2)
    >>> bl.weight.shape, bl.bias.shape
    ((2, 3, 4), (2,))
    >>> x1 = xp.ones((5, 3), dtype=xp.float32)
    >>> x2 = xp.ones((5, 4), dtype=xp.float32)
    >>> bl(x1, x2).shape
    (5, 2)
    """

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None,
                 dtype=None):
        super().__init__()
        self.in1_features = _pos_int("Bilinear", "in1_features", in1_features)
        self.in2_features = _pos_int("Bilinear", "in2_features", in2_features)
        self.out_features = _pos_int("Bilinear", "out_features", out_features)
        dt = _np_dtype(dtype, device)
        self.weight = _empty_param((self.out_features, self.in1_features, self.in2_features), dt)
        if bias:
            self.bias = _empty_param((self.out_features,), dt)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
