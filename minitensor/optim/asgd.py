"""ASGD (``torch.optim.ASGD``)."""
import numbers

from .._array_object import Tensor
from .optimizer import Optimizer, _no_kernel, _check_lr, _check_nonneg
from ._buffers import zeros

__all__ = ["ASGD"]


class ASGD(Optimizer):
    r"""Averaged stochastic gradient descent (Polyak & Juditsky, 1992).

    Runs SGD with a decaying step :math:`\eta_t` and keeps the running average
    :math:`\bar\theta` (state ``"ax"``) of the iterates from step ``t0`` on
    (:math:`\eta_0 = \gamma`, :math:`\mu_0 = 1`):

    .. math::

        g_t &\leftarrow g_t + \lambda_w \theta_{t-1} \quad \text{(weight decay)} \\
        \theta_t &= (1 - \lambda \eta_{t-1}) \theta_{t-1} - \eta_{t-1} g_t \\
        \bar\theta_t &= \bar\theta_{t-1} + \mu_{t-1} (\theta_t - \bar\theta_{t-1}) \\
        \eta_t &= \gamma / (1 + \lambda \gamma t)^\alpha, \qquad
        \mu_t = 1 / \max(1, t - t_0)

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups (see :class:`Optimizer`).
    lr : float, default 1e-2
        Learning rate :math:`\gamma`.
    lambd : float, default 1e-4
        Decay term :math:`\lambda`.
    alpha : float, default 0.75
        Power :math:`\alpha` of the step decay.
    t0 : float, default 1e6
        Step at which averaging starts.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda_w`.
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
    >>> opt = optim.ASGD([w], lr=0.1, t0=0)
    >>> for _ in range(3):
    ...     opt.zero_grad(); xp.sum(w * w).backward(); _ = opt.step()
    >>> [round(v, 4) for v in w.tolist()], [round(v, 4) for v in opt.state[w]["ax"].tolist()]
    ([0.512, -1.024], [0.576, -1.152])
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0, *,
                 maximize=False, foreach=None, fused=None):
        _check_lr(lr)
        _check_nonneg("weight_decay value", "weight_decay", weight_decay)
        defaults = dict(lr=lr, lambd=float(lambd), alpha=float(alpha), t0=float(t0),
                        weight_decay=weight_decay, maximize=bool(maximize), fused=_no_kernel('ASGD', fused))
        super().__init__(params, defaults)

    @staticmethod
    def _can_fuse(p, g, state):
        return False

    def _init_state(self, p, group):
        # Note: eta and mu are Python floats (PyTorch keeps 0-d tensors); loading
        # a state dict accepts either
        return {"step": 0, "eta": float(group["lr"]), "mu": 1.0, "ax": zeros(p)}

    @staticmethod
    def _load_value(p, name, value):
        if name in ("eta", "mu") and isinstance(value, (Tensor, numbers.Real)):
            return float(value)
        return Optimizer._load_value(p, name, value)

    def _update(self, p, g, state, group):
        state["step"] += 1
        step = state["step"]
        lr, lambd, alpha, t0 = group["lr"], group["lambd"], group["alpha"], group["t0"]
        eta, mu, ax = state["eta"], state["mu"], state["ax"]
        d = -g if group["maximize"] else g
        if group["weight_decay"] != 0:
            d = d + group["weight_decay"] * p
        p *= 1 - lambd * eta
        p -= eta * d
        if mu != 1:
            ax += mu * (p - ax)
        else:
            ax[...] = p
        state["eta"] = lr / (1 + lambd * lr * step) ** alpha
        state["mu"] = 1 / max(1, step - t0)
