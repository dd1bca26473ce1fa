"""RMSprop (``torch.optim.RMSprop``)."""
from .. import _kernels
from .. import sqrt
from .optimizer import Optimizer, _check_fused, _check_lr, _check_nonneg
from ._buffers import zeros

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture 6e), optionally centered and with momentum.

    For each parameter :math:`\theta` with gradient :math:`g_t` (averages start
    at zero):

    .. math::

        g_t &\leftarrow -g_t \quad \text{if maximize} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1} \quad \text{(weight decay } \lambda) \\
        v_t &= \alpha v_{t-1} + (1 - \alpha) g_t^2 \\
        \tilde v_t &= \begin{cases} v_t - \bar g_t^2, \quad
                      \bar g_t = \alpha \bar g_{t-1} + (1 - \alpha) g_t & \text{centered} \\
                      v_t & \text{otherwise} \end{cases} \\
        b_t &= \mu b_{t-1} + \frac{g_t}{\sqrt{\tilde v_t} + \epsilon}, \qquad
        \theta_t = \theta_{t-1} - \gamma b_t \quad (\mu > 0) \\
        \theta_t &= \theta_{t-1} - \gamma \frac{g_t}{\sqrt{\tilde v_t} + \epsilon}
                   \quad (\mu = 0)

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups (see :class:`Optimizer`).
    lr : float, default 1e-2
        Learning rate :math:`\gamma`.
    alpha : float, default 0.99
        Smoothing constant :math:`\alpha`.
    eps : float, default 1e-8
        :math:`\epsilon`, added to the denominator.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`.
    momentum : float, default 0
        Momentum factor :math:`\mu`.
    centered : bool, default False
        Normalize by an estimate of the gradient's variance instead of its
        second moment.
    maximize : bool, default False
        Maximize the objective instead of minimizing it.
    fused : bool or None, default None
        Use the compiled kernel (``None``: where it applies; ``False``: never).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import optim
    >>> w = xp.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = optim.RMSprop([w], lr=0.01, alpha=0.75)
    >>> xp.sum(w * w).backward()
    >>> _ = opt.step()
    >>> w   # the first step is lr * sign(grad) / sqrt(1 - alpha)
    Tensor([ 0.98, -1.98], dtype=float64, requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False, *, maximize=False, fused=None):
        _check_lr(lr)
        _check_nonneg("epsilon value", "eps", eps)
        _check_nonneg("momentum value", "momentum", momentum)
        _check_nonneg("weight_decay value", "weight_decay", weight_decay)
        _check_nonneg("alpha value", "alpha", alpha)
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=bool(centered), maximize=bool(maximize),
                        fused=_check_fused(fused))
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        state = {"step": 0, "square_avg": zeros(p)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros(p)
        if group["centered"]:
            state["grad_avg"] = zeros(p)
        return state

    def _advance(self, p, state, group):
        state["step"] += 1
        # buffers for options switched on after the first step (e.g. by a scheduler)
        if group["momentum"] > 0 and "momentum_buffer" not in state:
            state["momentum_buffer"] = zeros(p)
        if group["centered"] and "grad_avg" not in state:
            state["grad_avg"] = zeros(p)

    def _update(self, p, g, state, group):
        self._advance(p, state, group)
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        wd, momentum = group["weight_decay"], group["momentum"]
        sq = state["square_avg"]
        d = -g if group["maximize"] else g
        if wd != 0:
            d = d + wd * p
        sq *= alpha
        sq += (1 - alpha) * d * d
        if group["centered"]:
            ga = state["grad_avg"]
            ga += (1 - alpha) * (d - ga)
            avg = sqrt(sq - ga * ga) + eps
        else:
            avg = sqrt(sq) + eps
        if momentum > 0:
            buf = state["momentum_buffer"]
            buf *= momentum
            buf += d / avg
            p -= lr * buf
        else:
            p -= lr * d / avg

    def _fused_update(self, p, g, state, group):
        self._advance(p, state, group)
        centered, momentum = group["centered"], group["momentum"]
        _kernels.rmsprop_step(
            p._array, g._array, state["square_avg"]._array, lr=group["lr"],
            alpha=group["alpha"], eps=group["eps"], weight_decay=group["weight_decay"],
            momentum=momentum, centered=centered, maximize=group["maximize"],
            grad_avg=state["grad_avg"]._array if centered else None,
            momentum_buffer=state["momentum_buffer"]._array if momentum > 0 else None)
