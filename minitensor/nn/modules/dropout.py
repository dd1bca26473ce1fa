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
        return type(self)._fn(input, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(Dropout):
    """Zero whole channels of (N, C, L) input."""
    _fn = staticmethod(F.dropout1d)


class Dropout2d(Dropout):
    """Zero whole channels of (N, C, H, W) input."""
    _fn = staticmethod(F.dropout2d)


class Dropout3d(Dropout):
    """Zero whole channels of (N, C, D, H, W) input."""
    _fn = staticmethod(F.dropout3d)
