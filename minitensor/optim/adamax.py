"""Adamax (``torch.optim.Adamax``)."""
from .. import _kernels
from .. import abs as _abs
from .. import maximum
from .optimizer import Optimizer, _check_betas, _check_fused, _check_lr, _check_nonneg
from ._buffers import zeros

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax: the infinity-norm variant of Adam (Kingma & Ba, 2014, section 7).

    For each parameter :math:`\theta` with gradient :math:`g_t` at step
    :math:`t = 1, 2, \ldots` (:math:`m_0 = u_0 = 0`):

    .. math::

        g_t &\leftarrow -g_t \quad \text{if maximize} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1} \quad \text{(weight decay } \lambda) \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        u_t &= \max(\beta_2 u_{t-1}, |g_t| + \epsilon) \\
        \theta_t &= \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t} \frac{m_t}{u_t}

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups (see :class:`Optimizer`).
    lr : float, default 2e-3
        Learning rate :math:`\gamma`.
    betas : (float, float), default (0.9, 0.999)
        :math:`\beta_1, \beta_2`.
    eps : float, default 1e-8
        :math:`\epsilon`.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`.
    maximize : bool, default False
        Maximize the objective instead of minimizing it.
    fused : bool or None, default None
        Use the compiled kernel (``None``: where it applies; ``False``: never).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import optim
    >>> w = xp.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = optim.Adamax([w], lr=0.1)
    >>> xp.sum(w * w).backward()
    >>> _ = opt.step()
    >>> w   # the first step is about lr * sign(grad)
    Tensor([ 0.9, -1.9], dtype=float64, requires_grad=True)
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, *,
                 maximize=False, fused=None):
        _check_lr(lr)
        _check_nonneg("epsilon value", "eps", eps)
        betas = _check_betas(betas)
        _check_nonneg("weight_decay value", "weight_decay", weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=bool(maximize), fused=_check_fused(fused))
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {"step": 0, "exp_avg": zeros(p), "exp_inf": zeros(p)}

    def _advance(self, state, group):
        """Count the step; return the bias-corrected learning rate."""
        state["step"] += 1
        return group["lr"] / (1 - group["betas"][0] ** state["step"])

    def _update(self, p, g, state, group):
        clr = self._advance(state, group)
        beta1, beta2 = group["betas"]
        m, u = state["exp_avg"], state["exp_inf"]
        d = -g if group["maximize"] else g
        if group["weight_decay"] != 0:
            d = d + group["weight_decay"] * p
        m += (1 - beta1) * (d - m)
        u[...] = maximum(u * beta2, _abs(d) + group["eps"])
        p -= clr * m / u

    def _fused_update(self, p, g, state, group):
        clr = self._advance(state, group)
        beta1, beta2 = group["betas"]
        _kernels.adamax_step(p._array, g._array, state["exp_avg"]._array,
                             state["exp_inf"]._array, clr=clr, beta1=beta1, beta2=beta2,
                             eps=group["eps"], weight_decay=group["weight_decay"],
                             maximize=group["maximize"])
