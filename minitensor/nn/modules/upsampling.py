"""Upsampling layers (``nn.functional.interpolate`` as modules)."""
import warnings

from .. import functional as F
from .module import Module

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]


class Upsample(Module):
    """Resize ``(N, C, *spatial)`` input to ``size`` or by ``scale_factor`` (see
    ``nn.functional.interpolate`` for the modes).

    Parameters
    ----------
    size : int or tuple of int, optional
    scale_factor : float or tuple of float, optional
    mode : str, default "nearest"
        "nearest", "nearest-exact", "linear", "bilinear", "trilinear" or "area".
    align_corners : bool, optional
    recompute_scale_factor : bool, optional

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> up = nn.Upsample(scale_factor=2, mode="bilinear")
    >>> up
    Upsample(scale_factor=2.0, mode='bilinear')
    >>> up(xp.zeros((1, 3, 4, 5))).shape
    (1, 3, 8, 10)
    """

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self):
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour 2-D upsampling (``Upsample(mode="nearest")``).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.UpsamplingNearest2d(scale_factor=2)(xp.zeros((1, 1, 2, 3))).shape
    (1, 1, 4, 6)
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear 2-D upsampling with ``align_corners=True``.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.UpsamplingBilinear2d(size=(3, 3))(xp.zeros((1, 1, 2, 2))).shape
    (1, 1, 3, 3)
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
