"""Shape layers: ``Flatten``, ``Unflatten``."""
import operator

from ..._manipulation_functions import reshape
from .module import Module

__all__ = ["Flatten", "Unflatten"]


class Flatten(Module):
    """Flatten axes ``start_dim`` .. ``end_dim`` into one (a view when possible).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.Flatten()(xp.zeros((2, 3, 4))).shape
    (2, 12)
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = operator.index(start_dim)
        self.end_dim = operator.index(end_dim)

    def forward(self, input):
        nd = max(input.ndim, 1)
        s, e = self.start_dim, self.end_dim
        if not (-nd <= s < nd and -nd <= e < nd):
            raise IndexError(f"Flatten: dimensions ({s}, {e}) are out of range for input of "
                             f"shape {input.shape}")
        s %= nd
        e %= nd
        if s > e:
            raise ValueError(f"Flatten: start_dim ({self.start_dim}) cannot come after end_dim "
                             f"({self.end_dim}) for input of shape {input.shape}")
        shape = input.shape
        if input.ndim == 0:
            return reshape(input, (1,))
        n = 1
        for d in shape[s:e + 1]:
            n *= d
        return reshape(input, shape[:s] + (n,) + shape[e + 1:])

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Expand axis ``dim`` into ``unflattened_size`` (which may contain one -1).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.Unflatten(1, (2, 3))(xp.zeros((4, 6))).shape
    (4, 2, 3)
    >>> nn.Unflatten(1, (2, -1))(xp.zeros((4, 6, 5))).shape  # -1 is inferred: 3
    (4, 2, 3, 5)
    >>> x = xp.zeros((4, 2, 3))
    >>> nn.Unflatten(1, (2, 3))(nn.Flatten()(x)).shape == x.shape
    True
    """

    def __init__(self, dim, unflattened_size):
        super().__init__()
        self.dim = operator.index(dim)
        self.unflattened_size = tuple(operator.index(s) for s in unflattened_size)

    def forward(self, input):
        nd = input.ndim
        if not -nd <= self.dim < nd:
            raise IndexError(f"Unflatten: dim {self.dim} is out of range for input of shape "
                             f"{input.shape}")
        d = self.dim % nd
        sizes = list(self.unflattened_size)
        n = input.shape[d]
        if sizes.count(-1) > 1:
            raise ValueError("Unflatten: only one dimension can be inferred (-1)")
        known = 1
        for s in sizes:
            if s != -1:
                known *= s
        if -1 in sizes:
            if known == 0 or n % known:
                raise ValueError(f"Unflatten: cannot unflatten dimension {d} of size {n} into "
                                 f"{tuple(sizes)}")
            sizes[sizes.index(-1)] = n // known
        elif known != n:
            raise ValueError(f"Unflatten: unflattened_size {tuple(sizes)} does not match the size "
                             f"{n} of dimension {d} of input of shape {input.shape}")
        return reshape(input, input.shape[:d] + tuple(sizes) + input.shape[d + 1:])

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
