"""Adagrad (``torch.optim.Adagrad``)."""
from .. import _kernels
from .. import sqrt
from .optimizer import Optimizer, _check_fused, _check_lr, _check_nonneg
from ._buffers import full

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan & Singer, 2011): per-coordinate learning rates from the
    sum of squared gradients.

    For each parameter :math:`\theta` with gradient :math:`g_t` at step
    :math:`t = 1, 2, \ldots`, with :math:`s_0` = ``initial_accumulator_value``:

    .. math::

        g_t &\leftarrow -g_t \quad \text{if maximize} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1} \quad \text{(weight decay } \lambda) \\
        \tilde\gamma_t &= \frac{\gamma}{1 + (t - 1)\,\eta} \quad \text{(lr decay } \eta) \\
        s_t &= s_{t-1} + g_t^2 \\
        \theta_t &= \theta_{t-1} - \tilde\gamma_t \frac{g_t}{\sqrt{s_t} + \epsilon}

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups (see :class:`Optimizer`).
    lr : float, default 1e-2
        Learning rate :math:`\gamma`.
    lr_decay : float, default 0
        Learning rate decay :math:`\eta`.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`.
    initial_accumulator_value : float, default 0
        Initial value :math:`s_0` of the sum of squares.
    eps : float, default 1e-10
        :math:`\epsilon`, added to the denominator.
    maximize : bool, default False
        Maximize the objective instead of minimizing it.
    fused : bool or None, default None
        Use the compiled kernel (``None``: where it applies; ``False``: never).

    Notes
    -----
    # Note: the state (``step``, ``sum``) is created on a parameter's first
    update, as for the other optimizers; PyTorch creates Adagrad's in ``__init__``.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import optim
    >>> w = xp.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = optim.Adagrad([w], lr=0.1)
    >>> xp.sum(w * w).backward()
    >>> _ = opt.step()
    >>> w   # the first step is lr * sign(grad)
    Tensor([ 0.9, -1.9], dtype=float64, requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0, eps=1e-10, *, maximize=False, fused=None):
        _check_lr(lr)
        _check_nonneg("lr_decay value", "lr_decay", lr_decay)
        _check_nonneg("weight_decay value", "weight_decay", weight_decay)
        _check_nonneg("initial_accumulator_value value", "initial_accumulator_value",
                      initial_accumulator_value)
        _check_nonneg("epsilon value", "eps", eps)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value,
                        maximize=bool(maximize), fused=_check_fused(fused))
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {"step": 0, "sum": full(p, group["initial_accumulator_value"])}

    def _advance(self, state, group):
        """Count the step; return the decayed learning rate."""
        state["step"] += 1
        return group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])

    def _update(self, p, g, state, group):
        clr = self._advance(state, group)
        s = state["sum"]
        d = -g if group["maximize"] else g
        if group["weight_decay"] != 0:
            d = d + group["weight_decay"] * p
        s += d * d
        p -= clr * d / (sqrt(s) + group["eps"])

    def _fused_update(self, p, g, state, group):
        clr = self._advance(state, group)
        _kernels.adagrad_step(p._array, g._array, state["sum"]._array, clr=clr,
                              eps=group["eps"], weight_decay=group["weight_decay"],
                              maximize=group["maximize"])
