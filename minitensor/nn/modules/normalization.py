"""Normalization layers: ``BatchNorm1d/2d/3d``, ``LayerNorm``, ``GroupNorm``, ``RMSNorm``."""
import numbers

import numpy as np

from ..._array_object import Tensor
from .. import functional as F
from .. import init
from .module import Module
from ._utils import _empty_param, _np_dtype, _pos_int, _tensor

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm", "GroupNorm", "RMSNorm"]


def _affine_params(module, shape, dt, affine, bias):
    """Register ``weight`` and ``bias`` of ``shape`` (or None, as PyTorch does when
    ``affine``/``bias`` is off); :func:`_reset_affine` gives them their values."""
    for name, on in (("weight", affine), ("bias", affine and bias)):
        module.register_parameter(name, _empty_param(shape, dt) if on else None)


def _reset_affine(module):
    """PyTorch's default affine map of the normalisation layers: ones and zeros."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class _BatchNorm(Module):
    _dims = ()

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        name = type(self).__name__
        self.num_features = _pos_int(name, "num_features", num_features)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dt = _np_dtype(dtype, device)
        _affine_params(self, (self.num_features,), dt, affine, bias)
        if track_running_stats:
            self.register_buffer("running_mean", _tensor((self.num_features,), dt, 0))
            self.register_buffer("running_var", _tensor((self.num_features,), dt, 1))
            self.register_buffer("num_batches_tracked", Tensor._new(np.zeros((), np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean._array[...] = 0
            self.running_var._array[...] = 1
            self.num_batches_tracked._array[...] = 0

    def reset_parameters(self):
        self.reset_running_stats()
        _reset_affine(self)

    def _check_input_dim(self, input):
        if not isinstance(input, Tensor):
            raise TypeError(f"{type(self).__name__}: input must be a minitensor Tensor, got "
                            f"{type(input).__name__}")
        if input.ndim not in self._dims:
            dims = " or ".join(f"{d}D" for d in self._dims)
            raise ValueError(f"{type(self).__name__}: expected {dims} input (got {input.ndim}D "
                             f"input of shape {input.shape})")
        if input.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}: expected input with {self.num_features} "
                             f"channels (axis 1), got input of shape {input.shape}")

    def forward(self, input):
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked._array[...] += 1
            if self.momentum is None:   # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked._array)
        bn_training = self.training or (self.running_mean is None and self.running_var is None)
        use_stats = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if use_stats else None,
                            self.running_var if use_stats else None, self.weight, self.bias,
                            bn_training, factor, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L) input over the batch (and length).

    Parameters ``weight`` (ones) and ``bias`` (zeros) if ``affine``; buffers
    ``running_mean`` (zeros), ``running_var`` (ones), ``num_batches_tracked``.
    Training mode normalizes by the batch statistics and updates the running
    ones (``momentum``; None = cumulative average; unbiased variance); eval mode
    uses the running statistics.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> bn = nn.BatchNorm1d(3)
    >>> y = bn(xp.asarray([[1.0, 2, 3], [3, 2, 1]], dtype=xp.float32))
    >>> y.detach()
    Tensor([[-0.999995,  0.      ,  0.999995],
            [ 0.999995,  0.      , -0.999995]], dtype=float32)
    >>> bn.running_mean
    Tensor([0.2, 0.2, 0.2], dtype=float32)
    """
    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) input per channel (see ``BatchNorm1d``).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> bn = nn.BatchNorm2d(3)
    >>> x = xp.reshape(xp.arange(24.0, dtype=xp.float32), (2, 3, 2, 2))
    >>> bn(x).shape
    (2, 3, 2, 2)
    >>> [round(v, 4) for v in bn.running_mean.tolist()]  # 0.1 * the channel means
    [0.75, 1.15, 1.55]
    >>> _ = bn.eval()  # now normalizes by the running statistics
    """
    _dims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch normalization of (N, C, D, H, W) input per channel (see ``BatchNorm1d``).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> bn = nn.BatchNorm3d(4, affine=False)
    >>> bn
    BatchNorm3d(4, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=True)
    >>> bn(xp.ones((2, 4, 3, 3, 3), dtype=xp.float32)).shape
    (2, 4, 3, 3, 3)
    >>> bn.weight is None  # affine=False: no learnable parameters
    True
    """
    _dims = (5,)


def _shape_tuple(normalized_shape):
    if isinstance(normalized_shape, numbers.Integral):
        return (int(normalized_shape),)
    return tuple(int(s) for s in normalized_shape)


class LayerNorm(Module):
    """Normalization over the last axes ``normalized_shape`` of each sample, then
    ``* weight + bias`` (ones / zeros) if ``elementwise_affine``.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> ln = nn.LayerNorm(4)
    >>> ln(xp.zeros((2, 4), dtype=xp.float32)).shape
    (2, 4)
    >>> ln
    LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _shape_tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dt = _np_dtype(dtype, device)
        _affine_params(self, self.normalized_shape, dt, elementwise_affine, bias)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Normalization over groups of channels of ``(N, C, *)`` input, then a per-channel
    affine map (ones / zeros).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> gn = nn.GroupNorm(2, 4)  # 2 groups of 2 channels
    >>> x = xp.reshape(xp.arange(8.0, dtype=xp.float32), (1, 4, 2))
    >>> [round(v, 4) for v in xp.reshape(gn(x), (-1,)).tolist()]
    [-1.3416, -0.4472, 0.4472, 1.3416, -1.3416, -0.4472, 0.4472, 1.3416]
    >>> gn.weight.shape, gn.bias.shape
    ((4,), (4,))
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None,
                 *, bias=True):
        super().__init__()
        self.num_groups = _pos_int("GroupNorm", "num_groups", num_groups)
        self.num_channels = _pos_int("GroupNorm", "num_channels", num_channels)
        if self.num_channels % self.num_groups:
            raise ValueError("num_channels must be divisible by num_groups")
        self.eps = eps
        self.affine = affine
        dt = _np_dtype(dtype, device)
        _affine_params(self, (self.num_channels,), dt, affine, bias)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        if isinstance(input, Tensor) and (input.ndim < 2 or input.shape[1] != self.num_channels):
            raise ValueError(f"GroupNorm: expected input of shape (N, {self.num_channels}, *), "
                             f"got input of shape {input.shape}")
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(Module):
    """x / sqrt(mean(x**2) + eps) * weight over the last axes ``normalized_shape``
    (``eps=None``: the dtype's machine epsilon).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> norm = nn.RMSNorm(2)
    >>> norm
    RMSNorm((2,), eps=None, elementwise_affine=True)
    >>> y = norm(xp.asarray([[3.0, 4.0]], dtype=xp.float32))  # rms = sqrt(12.5)
    >>> [round(v, 4) for v in y[0].tolist()]
    [0.8485, 1.1314]
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None,
                 dtype=None):
        super().__init__()
        self.normalized_shape = _shape_tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = _empty_param(self.normalized_shape, _np_dtype(dtype, device))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, input):
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
