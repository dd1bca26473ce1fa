"""Stochastic gradient descent (``torch.optim.SGD``)."""
from .. import _kernels
from .._array_object import Tensor
from .optimizer import Optimizer, _check_fused, _check_lr, _check_nonneg, _real
from ._buffers import clone

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with (Nesterov) momentum.

    For each parameter :math:`\theta` with gradient :math:`g_t` (PyTorch's
    formulation: the learning rate multiplies the momentum buffer):

    .. math::

        g_t &\leftarrow -g_t \quad \text{if maximize} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1} \quad \text{(weight decay } \lambda) \\
        b_t &= \begin{cases} g_t & t = 1 \\
               \mu b_{t-1} + (1 - \tau) g_t & t > 1 \end{cases} \\
        g_t &\leftarrow \begin{cases} g_t + \mu b_t & \text{nesterov} \\
               b_t & \text{otherwise} \end{cases} \quad (\text{if } \mu \ne 0) \\
        \theta_t &= \theta_{t-1} - \gamma g_t

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups (see :class:`Optimizer`).
    lr : float, default 1e-3
        Learning rate :math:`\gamma`.
    momentum : float, default 0
        Momentum factor :math:`\mu`.
    dampening : float, default 0
        Dampening :math:`\tau` of the momentum.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`.
    nesterov : bool, default False
        Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
    maximize : bool, default False
        Maximize the objective instead of minimizing it.
    fused : bool or None, default None
        Use the compiled kernel (``None``: where it applies; ``False``: never).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import optim
    >>> w = xp.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = optim.SGD([w], lr=0.5, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     xp.sum(w * w).backward()
    ...     _ = opt.step()
    >>> w
    Tensor([-0.9,  0.9], dtype=float64, requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0,
                 nesterov=False, *, maximize=False, fused=None):
        _check_lr(lr)
        _check_nonneg("momentum value", "momentum", momentum)
        _real("dampening", dampening)
        _check_nonneg("weight_decay value", "weight_decay", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=bool(nesterov),
                        maximize=bool(maximize), fused=_check_fused(fused))
        super().__init__(params, defaults)

    # SGD keeps no state until the first step with momentum (as PyTorch).

    def _update(self, p, g, state, group):
        lr, momentum = group["lr"], group["momentum"]
        wd, dampening = group["weight_decay"], group["dampening"]
        d = -g if group["maximize"] else g
        if wd != 0:
            d = d + wd * p
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = clone(d)
            else:
                buf *= momentum
                buf += (1 - dampening) * d
            d = d + momentum * buf if group["nesterov"] else buf
        p -= lr * d

    def _fused_update(self, p, g, state, group):
        buf = state.get("momentum_buffer")
        # (the arrays passed step's checks and _can_fuse: no array checks again)
        out = _kernels.sgd_apply(
            p._array, g._array, None if buf is None else buf._array, lr=group["lr"],
            momentum=group["momentum"], dampening=group["dampening"],
            weight_decay=group["weight_decay"], nesterov=group["nesterov"],
            maximize=group["maximize"])
        if buf is None and out is not None:
            state["momentum_buffer"] = Tensor._new(out)

