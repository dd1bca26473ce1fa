"""Convolution layers: ``Conv1d``, ``Conv2d``, ``ConvTranspose1d``, ``ConvTranspose2d``."""
import math

from .. import functional as F
from .. import init
from .module import Module
from ._utils import _empty_param, _np_dtype, _ntuple, _pos_int

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    _nd = 2
    _transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None,
                 output_padding=0):
        super().__init__()
        name = type(self).__name__
        nd = self._nd
        self.in_channels = _pos_int(name, "in_channels", in_channels)
        self.out_channels = _pos_int(name, "out_channels", out_channels)
        self.groups = _pos_int(name, "groups", groups)
        if self.in_channels % self.groups:
            raise ValueError(f"{name}: in_channels ({in_channels}) must be divisible by groups "
                             f"({groups})")
        if self.out_channels % self.groups:
            raise ValueError(f"{name}: out_channels ({out_channels}) must be divisible by groups "
                             f"({groups})")
        self.kernel_size = tuple(_pos_int(name, "kernel_size", k) for k in _ntuple(kernel_size, nd))
        self.stride = tuple(_pos_int(name, "stride", s) for s in _ntuple(stride, nd))
        self.dilation = tuple(_pos_int(name, "dilation", d) for d in _ntuple(dilation, nd))
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"{name}: invalid padding string {padding!r}, should be one of "
                                 f"{{'valid', 'same'}}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{name}: padding='same' is not supported for strided "
                                 f"convolutions")
            self.padding = padding
        else:
            self.padding = tuple(_pos_int(name, "padding", p, 0) for p in _ntuple(padding, nd))
        self.output_padding = tuple(_pos_int(name, "output_padding", p, 0)
                                    for p in _ntuple(output_padding, nd))
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{name}: padding_mode must be one of {_PADDING_MODES}, got "
                             f"{padding_mode!r}")
        if self._transposed and padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {name}')
        self.padding_mode = padding_mode
        self.transposed = self._transposed
        dt = _np_dtype(dtype, device)
        if self._transposed:
            wshape = (self.in_channels, self.out_channels // self.groups) + self.kernel_size
        else:
            wshape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        self.weight = _empty_param(wshape, dt)
        if bias:
            self.bias = _empty_param((self.out_channels,), dt)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's default: ``kaiming_uniform_(weight, a=sqrt(5))`` and ``bias``
        from U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        nd = self._nd
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * nd:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * nd:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s

    def _explicit_pad(self, input):
        """F.pad the input for the non-zero padding modes (PyTorch's
        ``_reversed_padding_repeated_twice``)."""
        pads = []
        for i in reversed(range(self._nd)):
            if self.padding == "same":
                total = self.dilation[i] * (self.kernel_size[i] - 1)
                left = total // 2
                pads += [left, total - left]
            elif self.padding == "valid":
                pads += [0, 0]
            else:
                pads += [self.padding[i], self.padding[i]]
        return F.pad(input, pads, mode=self.padding_mode)


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) input; weight (C_out, C_in/groups, k).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> conv = nn.Conv1d(3, 8, kernel_size=5, padding=2)
    >>> conv
    Conv1d(3, 8, kernel_size=(5,), stride=(1,), padding=(2,))
    >>> conv.weight.shape
    (8, 3, 5)
    >>> conv(xp.zeros((4, 3, 20), dtype=xp.float32)).shape  # (N, C_out, L)
    (4, 8, 20)

    A fixed filter (a moving sum of two neighbours):

    >>> smooth = nn.Conv1d(1, 1, kernel_size=2, bias=False)
    >>> _ = nn.init.ones_(smooth.weight)
    >>> smooth(xp.asarray([[[1.0, 2.0, 4.0, 8.0]]], dtype=xp.float32)).tolist()
    [[[3.0, 6.0, 12.0]]]
    """

    _nd = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)

    def forward(self, input):
        if self.padding_mode != "zeros":
            return F.conv1d(self._explicit_pad(input), self.weight, self.bias, self.stride, 0,
                            self.dilation, self.groups)
        return F.conv1d(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups)


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) input; weight (C_out, C_in/groups, kh, kw).

    ``padding``: int, pair, "valid" or "same"; ``padding_mode``: "zeros",
    "reflect", "replicate" or "circular". Initialisation as PyTorch
    (``kaiming_uniform_(a=sqrt(5))``; bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> conv = nn.Conv2d(1, 4, 3, padding=1)
    >>> conv(xp.zeros((2, 1, 8, 8), dtype=xp.float32)).shape
    (2, 4, 8, 8)
    >>> conv
    Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    """

    _nd = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)

    def forward(self, input):
        if self.padding_mode != "zeros":
            return F.conv2d(self._explicit_pad(input), self.weight, self.bias, self.stride, 0,
                            self.dilation, self.groups)
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups)


class _ConvTransposeNd(_ConvNd):
    _transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        if isinstance(padding, str):
            raise ValueError(f"{type(self).__name__}: padding must be an integer or a tuple")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype, output_padding)

    def _output_padding(self, input, output_size):
        if output_size is None:
            return self.output_padding
        nd = self._nd
        output_size = tuple(output_size)[-nd:]
        if len(output_size) != nd:
            raise ValueError(f"{type(self).__name__}: output_size must have {nd} or {nd + 2} "
                             f"elements, got {output_size}")
        res = []
        spatial = input.shape[-nd:]
        for i in range(nd):
            min_size = ((spatial[i] - 1) * self.stride[i] - 2 * self.padding[i] +
                        self.dilation[i] * (self.kernel_size[i] - 1) + 1)
            max_size = min_size + self.stride[i] - 1
            if not min_size <= output_size[i] <= max_size:
                raise ValueError(f"requested an output size of {output_size}, but valid sizes "
                                 f"range from {min_size} to {max_size} (for an input of "
                                 f"{tuple(spatial)})")
            res.append(output_size[i] - min_size)
        return tuple(res)


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-D convolution; weight (C_in, C_out/groups, k).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> up = nn.ConvTranspose1d(8, 3, kernel_size=4, stride=2, padding=1)
    >>> up.weight.shape  # (C_in, C_out, k)
    (8, 3, 4)
    >>> up(xp.zeros((4, 8, 10), dtype=xp.float32)).shape  # length doubled
    (4, 3, 20)
    """

    _nd = 1

    def forward(self, input, output_size=None):
        op = self._output_padding(input, output_size)
        return F.conv_transpose1d(input, self.weight, self.bias, self.stride, self.padding, op,
                                  self.groups, self.dilation)


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-D convolution ("deconvolution"); weight (C_in, C_out/groups, kh, kw).

    ``forward(input, output_size=None)``: ``output_size`` picks the output padding.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> up = nn.ConvTranspose2d(16, 3, kernel_size=3, stride=2, padding=1)
    >>> x = xp.zeros((1, 16, 8, 8), dtype=xp.float32)
    >>> up(x).shape
    (1, 3, 15, 15)
    >>> up(x, output_size=(16, 16)).shape
    (1, 3, 16, 16)
    """

    _nd = 2

    def forward(self, input, output_size=None):
        op = self._output_padding(input, output_size)
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding, op,
                                  self.groups, self.dilation)
