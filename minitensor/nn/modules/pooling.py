"""Pooling layers: max, average and adaptive average pooling (1-D and 2-D)."""
from .. import functional as F
from .module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d",
           "AdaptiveAvgPool2d"]


class _MaxPoolNd(Module):
    _fn = None

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return type(self)._fn(input, self.kernel_size, self.stride, self.padding, self.dilation,
                              ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """Max over windows of (N, C, L) input.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> x = xp.asarray([[[1.0, 5.0, 2.0, 4.0, 3.0, 0.0]]])
    >>> nn.MaxPool1d(2)(x)
    Tensor([[[5., 4., 3.]]], dtype=float64)
    >>> nn.MaxPool1d(3, stride=1)(x)
    Tensor([[[5., 5., 4., 4.]]], dtype=float64)
    """
    _fn = staticmethod(F.max_pool1d)


class MaxPool2d(_MaxPoolNd):
    """Max over windows of (N, C, H, W) input (``stride`` defaults to ``kernel_size``).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.MaxPool2d(2)(xp.zeros((1, 3, 8, 8))).shape
    (1, 3, 4, 4)
    """
    _fn = staticmethod(F.max_pool2d)


class AvgPool1d(Module):
    """Mean over windows of (N, C, L) input.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.AvgPool1d(2)(xp.asarray([[[1.0, 5.0, 2.0, 4.0, 3.0, 0.0]]]))
    Tensor([[[3. , 3. , 1.5]]], dtype=float64)
    >>> nn.AvgPool1d(3, stride=1, padding=1)(xp.ones((2, 4, 10))).shape
    (2, 4, 10)
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """Mean over windows of (N, C, H, W) input (PyTorch's divisor rules).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.AvgPool2d(2)(xp.reshape(xp.arange(16.0), (1, 1, 4, 4)))
    Tensor([[[[ 2.5,  4.5],
              [10.5, 12.5]]]], dtype=float64)
    >>> nn.AvgPool2d(3, stride=2)(xp.zeros((1, 3, 9, 9))).shape
    (1, 3, 4, 4)
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(Module):
    """Mean over adaptive bins giving an output length ``output_size``.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.AdaptiveAvgPool1d(2)(xp.reshape(xp.arange(6.0), (1, 1, 6)))
    Tensor([[[1., 4.]]], dtype=float64)
    >>> nn.AdaptiveAvgPool1d(5)(xp.ones((2, 3, 17))).shape  # any input length
    (2, 3, 5)
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return F.adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(AdaptiveAvgPool1d):
    """Mean over adaptive bins giving an output of size ``output_size`` (H, W);
    ``AdaptiveAvgPool2d(1)`` is global average pooling.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.AdaptiveAvgPool2d(1)(xp.ones((2, 64, 7, 9))).shape
    (2, 64, 1, 1)
    >>> nn.AdaptiveAvgPool2d((2, 3))(xp.ones((1, 3, 10, 10))).shape
    (1, 3, 2, 3)
    """

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size)
