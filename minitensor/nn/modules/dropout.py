"""Dropout layers (active in training mode only)."""
from .. import functional as F
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d"]


class Dropout(Module):
    """Zero elements with probability ``p`` and scale the rest by 1/(1-p) in
    training mode; the identity in eval mode.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> d = nn.Dropout(0.5).eval()
    >>> bool(xp.all(d(xp.ones(4)) == 1))
    True
    """

    _fn = staticmethod(F.dropout)

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return type(self)._fn(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(Dropout):
    """Zero whole channels of (N, C, L) input.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> _ = xp.manual_seed(0)
    >>> drop = nn.Dropout1d(p=0.5)
    >>> y = drop(xp.ones((2, 16, 5)))
    >>> bool(xp.all(xp.min(y, axis=2) == xp.max(y, axis=2)))  # each channel all 0 or all 2
    True
    >>> drop.eval()(xp.ones((1, 2, 3))).tolist()  # eval mode: the identity
    [[[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]]
    """
    _fn = staticmethod(F.dropout1d)


class Dropout2d(Dropout):
    """Zero whole channels of (N, C, H, W) input.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> _ = xp.manual_seed(0)
    >>> y = nn.Dropout2d(p=0.25)(xp.ones((2, 16, 3, 3)))
    >>> per_channel = xp.reshape(y, (2, 16, 9))
    >>> bool(xp.all(xp.min(per_channel, axis=2) == xp.max(per_channel, axis=2)))
    True
    """
    _fn = staticmethod(F.dropout2d)


class Dropout3d(Dropout):
    """Zero whole channels of (N, C, D, H, W) input.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> _ = xp.manual_seed(0)
    >>> y = nn.Dropout3d(p=0.5)(xp.ones((1, 8, 2, 2, 2)))
    >>> per_channel = xp.reshape(y, (8, 8))
    >>> bool(xp.all(xp.min(per_channel, axis=1) == xp.max(per_channel, axis=1)))
    True
    """
    _fn = staticmethod(F.dropout3d)
