"""Distance layers: ``CosineSimilarity`` and ``PairwiseDistance``."""
from .. import functional as F
from .module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class CosineSimilarity(Module):
    """Cosine similarity of ``x1`` and ``x2`` along ``dim``
    (see ``nn.functional.cosine_similarity``).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> cos = nn.CosineSimilarity(dim=1)
    >>> cos(xp.asarray([[1.0, 0.0], [1.0, 1.0]]), xp.asarray([[0.0, 1.0], [2.0, 2.0]]))
    Tensor([0., 1.], dtype=float64)
    """

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """The ``p``-norm distance of ``x1`` and ``x2`` over the last dimension
    (see ``nn.functional.pairwise_distance``).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> d = nn.PairwiseDistance(p=2.0, eps=0.0)
    >>> d(xp.asarray([[0.0, 0.0]]), xp.asarray([[3.0, 4.0]]))
    Tensor([5.], dtype=float64)
    """

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
