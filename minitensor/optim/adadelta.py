"""Adadelta (``torch.optim.Adadelta``)."""
from .. import sqrt
from .optimizer import Optimizer, _no_kernel, _check_lr, _check_nonneg, _real
from ._buffers import zeros

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta: an adaptive learning rate method (Zeiler, 2012).

    For each parameter :math:`\theta` with gradient :math:`g_t` (both running
    averages start at zero):

    .. math::

        g_t &\leftarrow -g_t \quad \text{if maximize} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1} \quad \text{(weight decay } \lambda) \\
        v_t &= \rho v_{t-1} + (1 - \rho) g_t^2 \\
        \Delta_t &= \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}} g_t \\
        u_t &= \rho u_{t-1} + (1 - \rho) \Delta_t^2 \\
        \theta_t &= \theta_{t-1} - \gamma \Delta_t

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups (see :class:`Optimizer`).
    lr : float, default 1.0
        Coefficient :math:`\gamma` that scales the update.
    rho : float, default 0.9
        Decay :math:`\rho` of the running averages, in [0, 1].
    eps : float, default 1e-6
        :math:`\epsilon`, added inside the square roots.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`.
    maximize : bool, default False
        Maximize the objective instead of minimizing it.
    foreach : bool or None, default None
        Accepted for PyTorch compatibility (no effect).
    fused : None or False, default None
        There is no compiled kernel for this optimizer: ``True`` raises.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import optim
    >>> w = xp.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = optim.Adadelta([w], lr=1.0)
    >>> xp.sum(w * w).backward()
    >>> _ = opt.step()
    >>> [round(v, 5) for v in w.tolist()]   # a first step of about sqrt(eps / (1 - rho))
    [0.99684, -1.99684]
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, *,
                 maximize=False, foreach=None, fused=None):
        _check_lr(lr)
        if not 0.0 <= _real("rho", rho) <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_nonneg("epsilon value", "eps", eps)
        _check_nonneg("weight_decay value", "weight_decay", weight_decay)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                        maximize=bool(maximize), fused=_no_kernel('Adadelta', fused))
        super().__init__(params, defaults)

    @staticmethod
    def _can_fuse(p, g, state):
        return False

    def _init_state(self, p, group):
        return {"step": 0, "square_avg": zeros(p), "acc_delta": zeros(p)}

    def _update(self, p, g, state, group):
        state["step"] += 1
        rho, eps = group["rho"], group["eps"]
        v, u = state["square_avg"], state["acc_delta"]
        d = -g if group["maximize"] else g
        if group["weight_decay"] != 0:
            d = d + group["weight_decay"] * p
        v *= rho
        v += (1 - rho) * d * d
        delta = sqrt(u + eps) / sqrt(v + eps) * d
        u *= rho
        u += (1 - rho) * delta * delta
        p -= group["lr"] * delta
