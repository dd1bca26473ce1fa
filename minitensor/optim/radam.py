"""RAdam (``torch.optim.RAdam``)."""
import math

from .. import sqrt
from .optimizer import Optimizer, _no_kernel, _check_betas, _check_lr, _check_nonneg
from ._buffers import zeros
from .adam import _moments

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""RAdam: Adam with a rectified adaptive learning rate (Liu et al., 2019).

    For each parameter :math:`\theta` with gradient :math:`g_t` at step
    :math:`t = 1, 2, \ldots` (moments start at zero,
    :math:`\rho_\infty = 2 / (1 - \beta_2) - 1`):

    .. math::

        g_t &\leftarrow g_t + \lambda \theta_{t-1} \quad \text{(or }
              \theta_{t-1} \leftarrow (1 - \gamma\lambda)\theta_{t-1}
              \text{ if decoupled)} \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \hat m_t &= m_t / (1 - \beta_1^t), \qquad
        \rho_t = \rho_\infty - 2 t \beta_2^t / (1 - \beta_2^t) \\
        \theta_t &= \theta_{t-1} - \gamma \hat m_t r_t
                    \frac{\sqrt{1 - \beta_2^t}}{\sqrt{v_t} + \epsilon}
                    \quad \text{if } \rho_t > 5, \quad
                    r_t = \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}
                                     {(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}} \\
        \theta_t &= \theta_{t-1} - \gamma \hat m_t \quad \text{otherwise}

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups (see :class:`Optimizer`).
    lr : float, default 1e-3
        Learning rate :math:`\gamma`.
    betas : (float, float), default (0.9, 0.999)
        :math:`\beta_1, \beta_2`.
    eps : float, default 1e-8
        :math:`\epsilon`.
    weight_decay : float, default 0
        Weight decay :math:`\lambda`.
    decoupled_weight_decay : bool, default False
        Decay the weights directly (as AdamW) instead of adding an L2 term to the
        gradient.
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
    >>> opt = optim.RAdam([w], lr=0.1)
    >>> xp.sum(w * w).backward()
    >>> _ = opt.step()
    >>> w   # the first steps are SGD with momentum (rho_t <= 5)
    Tensor([ 0.8, -1.6], dtype=float64, requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 decoupled_weight_decay=False, *, maximize=False, foreach=None, fused=None):
        _check_lr(lr)
        _check_nonneg("epsilon value", "eps", eps)
        betas = _check_betas(betas)
        _check_nonneg("weight_decay value", "weight_decay", weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        decoupled_weight_decay=bool(decoupled_weight_decay),
                        maximize=bool(maximize), fused=_no_kernel('RAdam', fused))
        super().__init__(params, defaults)

    @staticmethod
    def _can_fuse(p, g, state):
        return False

    def _init_state(self, p, group):
        return {"step": 0, "exp_avg": zeros(p), "exp_avg_sq": zeros(p)}

    def _update(self, p, g, state, group):
        state["step"] += 1
        t = state["step"]
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        _, m, v = _moments(p, g, state, group)   # (Adam's: weight decay and both moments)
        bc1 = 1 - beta1 ** t
        bc2 = 1 - beta2 ** t
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2 ** t / bc2
        if rho_t > 5:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                             / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            p -= (m / bc1) * lr * (math.sqrt(bc2) / (sqrt(v) + eps)) * rect
        else:
            p -= (m / bc1) * lr
