"""NAdam (``torch.optim.NAdam``)."""
from .. import _kernels
from .. import sqrt
from .optimizer import Optimizer, _check_betas, _check_fused, _check_lr, _check_nonneg
from ._buffers import zeros
from .adam import _moments

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam: Adam with Nesterov momentum (Dozat, 2016), with PyTorch's momentum
    schedule.

    For each parameter :math:`\theta` with gradient :math:`g_t` at step
    :math:`t = 1, 2, \ldots` (:math:`m_0 = v_0 = 0`, :math:`\Pi_0 = 1`,
    :math:`\psi` = ``momentum_decay``):

    .. math::

        g_t &\leftarrow -g_t \quad \text{if maximize} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1} \quad \text{(or, decoupled: }
              \theta_{t-1} \leftarrow (1 - \gamma\lambda)\,\theta_{t-1}) \\
        \mu_t &= \beta_1 \left(1 - \tfrac12\, 0.96^{t \psi}\right), \qquad
        \Pi_t = \Pi_{t-1} \mu_t \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \theta_t &= \theta_{t-1}
            - \gamma \frac{1 - \mu_t}{1 - \Pi_t} \frac{g_t}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}
            - \gamma \frac{\mu_{t+1}}{1 - \Pi_t \mu_{t+1}}
              \frac{m_t}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}

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
        Weight decay :math:`\lambda`.
    momentum_decay : float, default 4e-3
        :math:`\psi`.
    decoupled_weight_decay : bool, default False
        Decay the weights directly (NAdamW) instead of adding an L2 gradient term.
    maximize : bool, default False
        Maximize the objective instead of minimizing it.
    fused : bool or None, default None
        Use the compiled kernel (``None``: where it applies; ``False``: never).

    Notes
    -----
    The state holds ``step``, ``mu_product`` (:math:`\Pi_t`, a Python float;
    PyTorch keeps a 0-d tensor), ``exp_avg`` and ``exp_avg_sq``.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import optim
    >>> w = xp.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = optim.NAdam([w], lr=0.1)
    >>> xp.sum(w * w).backward()
    >>> _ = opt.step()
    >>> [round(float(x), 4) for x in w]
    [0.8944, -1.8944]
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, maximize=False,
                 fused=None):
        _check_lr(lr)
        _check_nonneg("epsilon value", "eps", eps)
        betas = _check_betas(betas)
        _check_nonneg("weight_decay value", "weight_decay", weight_decay)
        _check_nonneg("momentum_decay value", "momentum_decay", momentum_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=bool(decoupled_weight_decay),
                        maximize=bool(maximize), fused=_check_fused(fused))
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {"step": 0, "mu_product": 1.0, "exp_avg": zeros(p), "exp_avg_sq": zeros(p)}

    def _advance(self, state, group):
        """Count the step; return (1 - beta2**t, coefficient of g, coefficient of m)."""
        state["step"] += 1
        t = state["step"]
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        psi = group["momentum_decay"]
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * psi)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * psi)))
        state["mu_product"] *= mu
        mu_product = state["mu_product"]
        coef_grad = -lr * (1.0 - mu) / (1.0 - mu_product)
        coef_avg = (-lr * mu_next) / (1.0 - mu_product * mu_next)
        return 1 - beta2 ** t, coef_grad, coef_avg

    def _update(self, p, g, state, group):
        bc2, coef_grad, coef_avg = self._advance(state, group)
        d, m, v = _moments(p, g, state, group)
        denom = sqrt(v / bc2) + group["eps"]
        p += coef_grad * d / denom
        p += coef_avg * m / denom

    def _fused_update(self, p, g, state, group):
        bc2, coef_grad, coef_avg = self._advance(state, group)
        beta1, beta2 = group["betas"]
        _kernels.nadam_step(
            p._array, g._array, state["exp_avg"]._array, state["exp_avg_sq"]._array,
            lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"], bias_correction2=bc2,
            coef_grad=coef_grad, coef_avg=coef_avg, weight_decay=group["weight_decay"],
            decoupled_weight_decay=group["decoupled_weight_decay"], maximize=group["maximize"])
