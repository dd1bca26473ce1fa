"""Adam and AdamW (``torch.optim.Adam``, ``torch.optim.AdamW``)."""
import math

from .. import _kernels
from .. import maximum, sqrt
from .optimizer import Optimizer, _check_betas, _check_fused, _check_lr, _check_nonneg
from ._buffers import zeros

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam: adaptive moment estimation (Kingma & Ba, 2014), optionally AMSGrad.

    For each parameter :math:`\theta` with gradient :math:`g_t` at step
    :math:`t = 1, 2, \ldots` (moments start at zero):

    .. math::

        g_t &\leftarrow -g_t \quad \text{if maximize} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1} \quad \text{(L2 weight decay; AdamW instead:
              } \theta_{t-1} \leftarrow (1 - \gamma\lambda)\,\theta_{t-1}) \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \hat v_t &= \max(\hat v_{t-1}, v_t) \text{ if amsgrad, else } v_t \\
        \theta_t &= \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}\,
                    \frac{m_t}{\sqrt{\hat v_t} / \sqrt{1 - \beta_2^t} + \epsilon}

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups (see :class:`Optimizer`).
    lr : float, default 1e-3
        Learning rate :math:`\gamma`.
    betas : (float, float), default (0.9, 0.999)
        Decay rates :math:`\beta_1, \beta_2` of the moment estimates.
    eps : float, default 1e-8
        :math:`\epsilon`, added to the denominator.
    weight_decay : float, default 0
        :math:`\lambda` (an L2 penalty added to the gradient; decoupled in AdamW).
    amsgrad : bool, default False
        Use the running maximum of :math:`v_t` (AMSGrad).
    maximize : bool, default False
        Maximize the objective instead of minimizing it.
    decoupled_weight_decay : bool, default False
        Decay the weights directly, as :class:`AdamW`.
    fused : bool or None, default None
        Use the compiled kernel (``None``: where it applies; ``False``: never).

    Notes
    -----
    The state of a parameter holds ``step`` (an int; PyTorch keeps a 0-d
    tensor), ``exp_avg`` (:math:`m`), ``exp_avg_sq`` (:math:`v`) and, with
    amsgrad, ``max_exp_avg_sq``.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import optim
    >>> w = xp.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = optim.Adam([w], lr=0.1)
    >>> xp.sum(w * w).backward()
    >>> _ = opt.step()
    >>> w  # the first step moves every coordinate by lr
    Tensor([ 0.9, -1.9], dtype=float64, requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False, *, maximize=False, decoupled_weight_decay=False, fused=None):
        _check_lr(lr)
        _check_nonneg("epsilon value", "eps", eps)
        betas = _check_betas(betas)
        _check_nonneg("weight_decay value", "weight_decay", weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        amsgrad=bool(amsgrad), maximize=bool(maximize),
                        decoupled_weight_decay=bool(decoupled_weight_decay),
                        fused=_check_fused(fused))
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        state = {"step": 0, "exp_avg": zeros(p), "exp_avg_sq": zeros(p)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros(p)
        return state

    def _advance(self, p, state, group):
        """Count the step; return the bias corrections (1 - beta1**t, 1 - beta2**t)."""
        state["step"] += 1
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = zeros(p)
        beta1, beta2 = group["betas"]
        t = state["step"]
        return 1 - beta1 ** t, 1 - beta2 ** t

    def _update(self, p, g, state, group):
        bc1, bc2 = self._advance(p, state, group)
        lr, eps = group["lr"], group["eps"]
        d, m, v = _moments(p, g, state, group)
        if group["amsgrad"]:
            vmax = state["max_exp_avg_sq"]
            vmax[...] = maximum(vmax, v)
            v = vmax
        p -= (lr / bc1) * m / (sqrt(v) / math.sqrt(bc2) + eps)

    def _fused_update(self, p, g, state, group):
        bc1, bc2 = self._advance(p, state, group)
        beta1, beta2 = group["betas"]
        amsgrad = group["amsgrad"]
        # (the arrays passed step's checks and _can_fuse: the kernel without its glue)
        _kernels.adam_apply(
            p._array, g._array, state["exp_avg"]._array, state["exp_avg_sq"]._array,
            state["max_exp_avg_sq"]._array if amsgrad else None,
            _kernels.adam_hyper(group["lr"], beta1, beta2, group["eps"], group["weight_decay"]),
            bc1, bc2, group["decoupled_weight_decay"], group["maximize"], amsgrad)


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    The update is :class:`Adam`'s, except that the weight decay shrinks the
    parameters directly instead of being added to the gradient:

    .. math::

        \theta_{t-1} &\leftarrow (1 - \gamma \lambda)\, \theta_{t-1} \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \theta_t &= \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}\,
                    \frac{m_t}{\sqrt{\hat v_t} / \sqrt{1 - \beta_2^t} + \epsilon}

    (:math:`\hat v_t = \max(\hat v_{t-1}, v_t)` with amsgrad, else :math:`v_t`;
    :math:`g_t \leftarrow -g_t` if maximize.)

    Parameters
    ----------
    params, lr, betas, eps, amsgrad, maximize, fused
        As :class:`Adam`.
    weight_decay : float, default 1e-2
        Decoupled weight decay :math:`\lambda`.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import optim
    >>> w = xp.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = optim.AdamW([w], lr=0.1, weight_decay=0.5)
    >>> xp.sum(w * w).backward()
    >>> _ = opt.step()
    >>> w   # (1 - 0.05) * w - 0.1 * sign(grad)
    Tensor([ 0.85, -1.8 ], dtype=float64, requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True, fused=fused)

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True


def _moments(p, g, state, group):
    """The reference update's shared first part (Adam, AdamW, NAdam): the signed
    gradient ``d`` with weight decay (L2 into ``d``, or decoupled into ``p``), and the
    first and second moments ``m``, ``v`` updated in place."""
    lr, wd = group["lr"], group["weight_decay"]
    beta1, beta2 = group["betas"]
    m, v = state["exp_avg"], state["exp_avg_sq"]
    d = -g if group["maximize"] else g
    if wd != 0:
        if group["decoupled_weight_decay"]:
            p *= 1 - lr * wd
        else:
            d = d + wd * p
    m += (1 - beta1) * (d - m)
    v *= beta2
    v += (1 - beta2) * d * d
    return d, m, v
