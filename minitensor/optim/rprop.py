"""Rprop (``torch.optim.Rprop``)."""
from .. import clip, sign, where
from .optimizer import Optimizer, _no_kernel, _check_lr, _real
from ._buffers import full, zeros

__all__ = ["Rprop"]


class Rprop(Optimizer):
    r"""Rprop: resilient backpropagation (Riedmiller & Braun, 1993).

    Each element keeps its own step size :math:`\eta`, grown by
    :math:`\eta_+` while its gradient keeps its sign and shrunk by
    :math:`\eta_-` when the sign flips (then that element does not move this
    step and its gradient is remembered as zero):

    .. math::

        s &= \operatorname{sign}(g_t g_{t-1}), \qquad
        \eta_t = \operatorname{clip}(\eta_{t-1} \cdot
                 \{\eta_+ \text{ if } s > 0;\ \eta_- \text{ if } s < 0;\ 1\},
                 \eta_{\min}, \eta_{\max}) \\
        g_t &\leftarrow 0 \text{ where } s < 0, \qquad
        \theta_t = \theta_{t-1} - \eta_t \operatorname{sign}(g_t)

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups (see :class:`Optimizer`).
    lr : float, default 1e-2
        Initial step size of every element.
    etas : (float, float), default (0.5, 1.2)
        :math:`(\eta_-, \eta_+)`, with :math:`0 < \eta_- < 1 < \eta_+`.
    step_sizes : (float, float), default (1e-6, 50)
        Minimal and maximal step sizes.
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
    >>> opt = optim.Rprop([w], lr=0.1)
    >>> for _ in range(2):
    ...     opt.zero_grad(); xp.sum(w * w).backward(); _ = opt.step()
    >>> w   # steps of 0.1, then 0.12 (same sign: eta_plus)
    Tensor([ 0.78, -1.78], dtype=float64, requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 maximize=False, foreach=None, fused=None):
        _check_lr(lr)
        etaminus, etaplus = (_real("etas", e) for e in etas)
        if not 0.0 < etaminus < 1.0 < etaplus:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        step_sizes = tuple(_real("step_sizes", s) for s in step_sizes)
        defaults = dict(lr=lr, etas=(etaminus, etaplus), step_sizes=step_sizes,
                        maximize=bool(maximize), fused=_no_kernel('Rprop', fused))
        super().__init__(params, defaults)

    @staticmethod
    def _can_fuse(p, g, state):
        return False

    def _init_state(self, p, group):
        return {"step": 0, "prev": zeros(p), "step_size": full(p, group["lr"])}

    def _update(self, p, g, state, group):
        state["step"] += 1
        etaminus, etaplus = group["etas"]
        smin, smax = group["step_sizes"]
        prev, step_size = state["prev"], state["step_size"]
        d = -g if group["maximize"] else g
        s = sign(d * prev)
        factor = where(s > 0, etaplus, where(s < 0, etaminus, 1.0))
        step_size[...] = clip(step_size * factor, min=smin, max=smax)
        d = where(s < 0, 0.0, d)
        p -= sign(d) * step_size
        prev[...] = d
