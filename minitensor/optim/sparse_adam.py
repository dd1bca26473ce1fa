"""SparseAdam (``torch.optim.SparseAdam``)."""
from ..autograd import enable_grad
from .optimizer import Optimizer, _check_betas, _check_lr, _check_nonneg

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    r"""Adam for sparse gradients (PyTorch's ``torch.optim.SparseAdam``).

    PyTorch's SparseAdam updates only the entries present in a sparse gradient
    and refuses dense gradients. minitensor has no sparse tensors, so every
    gradient is dense and :meth:`step` raises the error PyTorch raises for a
    dense gradient: use :class:`Adam` (or ``Adam`` with ``nn.Embedding``).

    # Note: kept so that scripts constructing it get PyTorch's behaviour (the
    # constructor's checks and the dense-gradient error), not an AttributeError.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups (see :class:`Optimizer`).
    lr : float, default 1e-3
        Learning rate.
    betas : (float, float), default (0.9, 0.999)
        Moment decays.
    eps : float, default 1e-8
        Added to the denominator.
    maximize : bool, default False
        Maximize the objective instead of minimizing it.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import optim
    >>> w = xp.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = optim.SparseAdam([w])
    >>> xp.sum(w * w).backward()
    >>> opt.step()
    Traceback (most recent call last):
        ...
    RuntimeError: SparseAdam does not support dense gradients, please consider Adam instead
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        _check_lr(lr)
        _check_nonneg("epsilon value", "eps", eps)
        betas = _check_betas(betas)
        defaults = dict(lr=lr, betas=betas, eps=eps, maximize=bool(maximize))
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Raise for the (always dense) gradients, as PyTorch's SparseAdam does;
        the closure, if given, is evaluated first."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    raise RuntimeError("SparseAdam does not support dense gradients, please "
                                       "consider Adam instead")
        return loss
