"""Loss layers (thin modules over ``nn.functional``; ``reduction="mean"`` by default)."""
from .. import functional as F
from .module import Module

__all__ = ["L1Loss", "MSELoss", "SmoothL1Loss", "HuberLoss", "CrossEntropyLoss", "NLLLoss",
           "BCELoss", "BCEWithLogitsLoss", "KLDivLoss", "CosineEmbeddingLoss"]


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = F._reduction(type(self).__name__, reduction, size_average, reduce,
                                     allowed=F._REDUCTIONS + ("batchmean",))
        self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class L1Loss(_Loss):
    """Mean absolute error ``|input - target|``.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> pred = xp.tensor([0.0, 1.5, 4.0], requires_grad=True)
    >>> loss = nn.L1Loss()(pred, xp.asarray([1.0, 1.0, 1.0]))
    >>> float(loss)
    1.5
    >>> loss.backward()
    >>> [round(v, 4) for v in pred.grad.tolist()]  # sign(pred - target) / 3
    [-0.3333, 0.3333, 0.3333]
    """

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error (input - target)**2.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.MSELoss()(xp.asarray([1.0, 3.0]), xp.asarray([1.0, 1.0]))
    Tensor(2., dtype=float64)
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Quadratic below ``beta``, linear above (see ``nn.functional.smooth_l1_loss``).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> pred, target = xp.asarray([0.0, 1.5, 4.0]), xp.asarray([1.0, 1.0, 1.0])
    >>> nn.SmoothL1Loss(reduction="none")(pred, target)
    Tensor([0.5  , 0.125, 2.5  ], dtype=float64)
    >>> round(float(nn.SmoothL1Loss(beta=2.0)(pred, target)), 4)
    0.7708
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Quadratic up to ``delta``, linear above (see ``nn.functional.huber_loss``).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> pred, target = xp.asarray([0.0, 1.5, 4.0]), xp.asarray([1.0, 1.0, 1.0])
    >>> nn.HuberLoss(reduction="sum")(pred, target)
    Tensor(3.125, dtype=float64)
    >>> nn.HuberLoss(reduction="none", delta=2.0)(pred, target)
    Tensor([0.5  , 0.125, 4.   ], dtype=float64)
    """

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of logits ``(N, C, *)`` against class indices ``(N, *)`` or class
    probabilities; ``weight`` per class, ``ignore_index``, ``label_smoothing``.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> loss = nn.CrossEntropyLoss()
    >>> round(float(loss(xp.asarray([[0.0, 0.0]]), xp.asarray([1]))), 4)
    0.6931
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean", label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities at class indices.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> import minitensor.nn.functional as F
    >>> logits = xp.asarray([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    >>> target = xp.asarray([0, 1])
    >>> loss = nn.NLLLoss()(F.log_softmax(logits, dim=1), target)
    >>> round(float(loss), 4)  # the same as CrossEntropyLoss on the logits
    0.3606
    >>> weighted = nn.NLLLoss(weight=xp.asarray([1.0, 3.0, 1.0]))
    >>> round(float(weighted(F.log_softmax(logits, dim=1), target)), 4)
    0.456
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> probs = xp.asarray([0.9, 0.2, 0.5])
    >>> target = xp.asarray([1.0, 0.0, 1.0])
    >>> round(float(nn.BCELoss()(probs, target)), 4)
    0.3406
    >>> [round(v, 4) for v in nn.BCELoss(reduction="none")(probs, target).tolist()]
    [0.1054, 0.2231, 0.6931]
    """

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy, stable; ``pos_weight`` weighs positives.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> logits = xp.asarray([2.0, -1.0, 0.0])
    >>> target = xp.asarray([1.0, 0.0, 1.0])
    >>> round(float(nn.BCEWithLogitsLoss()(logits, target)), 4)
    0.3778
    >>> loss = nn.BCEWithLogitsLoss(pos_weight=xp.asarray([2.0, 1.0]))  # one per class
    >>> round(float(loss(xp.asarray([[0.0, 0.0]]), xp.asarray([[1.0, 1.0]]))), 4)
    1.0397
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean",
                 pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight,
                                                  reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class KLDivLoss(_Loss):
    """KL divergence with log-probability input (``log_target``: target as logs too).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> import minitensor.nn.functional as F
    >>> log_q = F.log_softmax(xp.asarray([[1.0, 1.0], [2.0, 0.0]]), dim=1)
    >>> p = xp.asarray([[0.5, 0.5], [0.5, 0.5]])
    >>> round(float(nn.KLDivLoss(reduction="batchmean")(log_q, p)), 4)
    0.2169
    >>> kl = nn.KLDivLoss(reduction="batchmean", log_target=True)
    >>> round(float(kl(log_q, xp.log(p))), 4)
    0.2169
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class CosineEmbeddingLoss(_Loss):
    """1 - cos for similar pairs (target 1), max(0, cos - margin) for dissimilar (-1).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> a = xp.asarray([[1.0, 0.0], [1.0, 1.0]])
    >>> b = xp.asarray([[0.0, 1.0], [-1.0, -1.0]])  # cosines 0 and -1
    >>> round(float(nn.CosineEmbeddingLoss()(a, b, xp.asarray([1, -1]))), 4)  # (1 + 0) / 2
    0.5
    >>> round(float(nn.CosineEmbeddingLoss(reduction="sum")(a, b, xp.asarray([1, 1]))), 4)
    3.0
    """

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin,
                                       reduction=self.reduction)


# ---------------------------------------------------------------------------
# losses added for the PyTorch face (issue 13)
__all__ += ["MarginRankingLoss", "HingeEmbeddingLoss", "SoftMarginLoss",
            "MultiLabelSoftMarginLoss", "MultiLabelMarginLoss", "PoissonNLLLoss",
            "GaussianNLLLoss", "TripletMarginLoss"]


class MarginRankingLoss(_Loss):
    """``max(0, -y (x1 - x2) + margin)`` (see ``nn.functional.margin_ranking_loss``).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> loss = nn.MarginRankingLoss(margin=0.5)
    >>> loss(xp.asarray([1.0, 0.0]), xp.asarray([0.0, 1.0]), xp.asarray([1.0, 1.0]))
    Tensor(0.75, dtype=float64)
    """

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin,
                                     reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    """``x`` for targets 1, ``max(0, margin - x)`` for targets -1
    (see ``nn.functional.hinge_embedding_loss``).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.HingeEmbeddingLoss()(xp.asarray([0.3, 0.3]), xp.asarray([1.0, -1.0]))
    Tensor(0.5, dtype=float64)
    """

    def __init__(self, margin=1.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return F.hinge_embedding_loss(input, target, margin=self.margin,
                                      reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """``log(1 + exp(-y x))`` (see ``nn.functional.soft_margin_loss``).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> round(float(nn.SoftMarginLoss()(xp.asarray([0.0]), xp.asarray([-1.0]))), 6)
    0.693147
    """

    def forward(self, input, target):
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """Multi-label one-versus-all logistic loss
    (see ``nn.functional.multilabel_soft_margin_loss``).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> loss = nn.MultiLabelSoftMarginLoss()
    >>> round(float(loss(xp.asarray([[0.0, 0.0]]), xp.asarray([[1.0, 0.0]]))), 6)
    0.693147
    """

    def forward(self, input, target):
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight,
                                             reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """Multi-label hinge loss with ``-1``-terminated class-index targets
    (see ``nn.functional.multilabel_margin_loss``).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> loss = nn.MultiLabelMarginLoss()
    >>> x = xp.asarray([[0.1, 0.2, 0.4, 0.8]])
    >>> round(float(loss(x, xp.asarray([[3, 0, -1, 1]]))), 4)
    0.85
    """

    def forward(self, input, target):
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    """Poisson negative log-likelihood (see ``nn.functional.poisson_nll_loss``).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> nn.PoissonNLLLoss()(xp.asarray([0.0, 0.0]), xp.asarray([1.0, 0.0]))
    Tensor(1., dtype=float64)
    """

    def __init__(self, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                 reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input, target):
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full,
                                  eps=self.eps, reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """Gaussian negative log-likelihood with a predicted variance
    (see ``nn.functional.gaussian_nll_loss``).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> loss = nn.GaussianNLLLoss()
    >>> loss(xp.asarray([0.0, 1.0]), xp.asarray([0.0, 2.0]), xp.asarray([1.0, 1.0]))
    Tensor(0.25, dtype=float64)
    """

    def __init__(self, *, full=False, eps=1e-6, reduction="mean"):
        super().__init__(None, None, reduction)
        self.full = full
        self.eps = eps

    def forward(self, input, target, var):
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps,
                                   reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """``max(d(a, p) - d(a, n) + margin, 0)`` (see ``nn.functional.triplet_margin_loss``).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> loss = nn.TripletMarginLoss(margin=1.0, eps=0.0)
    >>> a, pos, neg = xp.asarray([[0.0, 0.0]]), xp.asarray([[1.0, 0.0]]), xp.asarray([[0.0, 3.0]])
    >>> float(loss(a, pos, neg))
    0.0
    """

    def __init__(self, margin=1.0, p=2.0, eps=1e-6, swap=False, size_average=None, reduce=None,
                 reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got "
                             f"{margin} instead")
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p,
                                     eps=self.eps, swap=self.swap, reduction=self.reduction)


__all__ += ["CTCLoss"]


class CTCLoss(_Loss):
    """Connectionist temporal classification loss (see ``nn.functional.ctc_loss``).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> lp = nn.functional.log_softmax(xp.zeros((3, 1, 2)), dim=2)
    >>> round(float(nn.CTCLoss(reduction="sum")(lp, xp.asarray([[1]]), [3], [1])), 6)
    0.287682
    """

    def __init__(self, blank=0, reduction="mean", zero_infinity=False):
        super().__init__(None, None, reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                          self.reduction, self.zero_infinity)
