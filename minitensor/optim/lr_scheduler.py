"""Learning-rate schedules (PyTorch's ``torch.optim.lr_scheduler`` semantics).

A scheduler changes ``group["lr"]`` of its optimizer's parameter groups. Create
it after the optimizer (it records ``group["initial_lr"]`` and sets the epoch-0
learning rate), then call ``scheduler.step()`` once per epoch (or per batch for
:class:`OneCycleLR`), *after* ``optimizer.step()``. The learning rates are
computed with PyTorch's chainable (recursive) formulas, so the sequences match
PyTorch's; ``get_last_lr()`` returns the last ones and ``state_dict()`` /
``load_state_dict()`` save and restore a schedule (``minitensor.save`` can
write the state dict, except the functions of :class:`LambdaLR`).

Structure: a chainable scheduler states, for the current epoch, the factor
from the previous learning rate to the new one (:meth:`LRScheduler._factor`,
``None`` keeps it) and, where one exists, the closed form of one group's
learning rate from its initial one (:meth:`LRScheduler._closed_form`, used when
:class:`SequentialLR` restarts a scheduler at epoch 0). The base class applies
them to every parameter group.

Examples
--------
>>> import minitensor as xp
>>> from minitensor import optim
>>> opt = optim.SGD([xp.tensor([0.0], requires_grad=True)], lr=1.0)
>>> sched = optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 4], gamma=0.5)
>>> lrs = []
>>> for epoch in range(6):
...     lrs.append(sched.get_last_lr()[0])
...     _ = opt.step()
...     sched.step()
>>> lrs
[1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
"""
import math
import numbers
import types
import warnings
from bisect import bisect_right
from collections import Counter

from .optimizer import Optimizer

__all__ = [
    "LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR",
    "LinearLR", "ExponentialLR", "PolynomialLR", "CosineAnnealingLR", "SequentialLR",
    "OneCycleLR", "ReduceLROnPlateau", "CyclicLR", "CosineAnnealingWarmRestarts",
    "ChainedScheduler",
]


def _group_lrs(optimizer):
    return [group["lr"] for group in optimizer.param_groups]


def _format_param(name, optimizer, value):
    """One value per parameter group (a list/tuple must have one per group)."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(f"{name} must have the same length as optimizer.param_groups. "
                             f"{name} has {len(value)} values, param_groups has "
                             f"{len(optimizer.param_groups)}.")
        return list(value)
    return [value] * len(optimizer.param_groups)


def _check_optimizer(optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
    return optimizer


def _check_int(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _check_real(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    return float(value)


def _check_factor(name, value, message, positive=False):
    """A multiplicative factor in [0, 1] (in (0, 1] if ``positive``)."""
    value = _check_real(name, value)
    if value > 1.0 or value < 0 or (positive and value == 0):
        raise ValueError(message)
    return value


_EXAMPLE = """

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import optim
    >>> opt = optim.SGD([xp.tensor([0.0], requires_grad=True)], lr={lr}{opt_kw})
{setup}    >>> sched = optim.lr_scheduler.{call}
    >>> lrs = [sched.get_last_lr()[0]]
    >>> for {var} in {steps}:
    ...     _ = opt.step(); sched.step({arg}); lrs.append(sched.get_last_lr()[0])
    >>> {show}
    {expected}
"""


def _example(call, steps, expected, lr=1.0, opt_kw="", setup=(), arg="",
             show="[round(lr, 6) for lr in lrs]"):
    """Class decorator: append the standard doctested Examples section to the docstring.

    It builds an SGD optimizer of one parameter with learning rate ``lr``, the
    scheduler ``optim.lr_scheduler.<call>`` (after the ``setup`` lines), records
    the initial learning rate and the one after each of ``steps`` epochs
    (``steps`` an int, or a list passed to ``sched.step(<arg>)``) and shows
    ``show`` (default: the rounded list), which must print ``expected``.
    """
    var, steps = ("_", f"range({steps})") if isinstance(steps, int) else ("x", steps)

    def decorate(cls):
        cls.__doc__ = cls.__doc__.rstrip() + _EXAMPLE.format(
            lr=lr, opt_kw=opt_kw, call=call, var=var, steps=steps, arg=arg, show=show,
            expected=expected, setup="".join(f"    >>> {line}\n" for line in setup))
        return cls
    return decorate


class LRScheduler:
    """Base class of the schedulers.

    Subclasses give the chainable form, :meth:`_factor` (or override
    :meth:`get_lr`), and, if there is one, the closed form :meth:`_closed_form`.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer whose learning rates are scheduled.
    last_epoch : int, default -1
        Index of the last epoch; ``-1`` starts a new schedule (other values are
        for resuming and need ``group["initial_lr"]`` in every group).

    Attributes
    ----------
    base_lrs : list of float
        The groups' initial learning rates.
    last_epoch : int
        The number of ``step()`` calls so far (0 after construction).

    Examples
    --------
    A custom schedule in closed form (override :meth:`get_lr`):

    >>> import minitensor as xp
    >>> from minitensor import optim
    >>> class Halving(optim.lr_scheduler.LRScheduler):
    ...     def get_lr(self):
    ...         return [base * 0.5 ** self.last_epoch for base in self.base_lrs]
    >>> opt = optim.SGD([xp.tensor([0.0], requires_grad=True)], lr=1.0)
    >>> sched = Halving(opt)
    >>> lrs = [sched.get_last_lr()[0]]
    >>> for _ in range(3):
    ...     _ = opt.step(); sched.step(); lrs.append(sched.get_last_lr()[0])
    >>> lrs
    [1.0, 0.5, 0.25, 0.125]
    """

    _is_initial = False
    _closed_form = None      # a method ``(base_lr) -> lr`` in the schedulers that have one

    def __init__(self, optimizer, last_epoch=-1):
        self.optimizer = _check_optimizer(optimizer)
        last_epoch = _check_int("last_epoch", last_epoch, -1)
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] "
                                   f"when resuming a scheduler with last_epoch >= 0")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self):
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def _factor(self):
        """Chainable form: the factor (one number, or a list with one per group) from the
        previous epoch's learning rate to this epoch's (``self.last_epoch``); ``None``
        keeps the learning rates."""
        raise NotImplementedError

    def get_lr(self):
        """The learning rates of the current epoch (``self.last_epoch``), one per group."""
        lrs = _group_lrs(self.optimizer)
        factor = self._factor()
        if factor is None:
            return lrs
        if not isinstance(factor, list):
            factor = [factor] * len(lrs)
        return [lr * f for lr, f in zip(lrs, factor)]

    def _get_closed_form_lr(self):
        return [self._closed_form(base) for base in self.base_lrs]

    def get_last_lr(self):
        """The learning rates set by the last ``step()`` (one per parameter group)."""
        return self._last_lr

    def step(self):
        """Advance the schedule by one epoch and set the groups' learning rates."""
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", False):
            warnings.warn(
                "Detected call of `lr_scheduler.step()` before `optimizer.step()`. Call "
                "them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`; "
                "otherwise the first value of the learning rate schedule is skipped.",
                UserWarning, stacklevel=2)
        self._step_count += 1
        self._update_lr()

    def _update_lr(self, epoch=None):
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            values = self.get_lr() if self._closed_form is None else self._get_closed_form_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = _group_lrs(self.optimizer)

    def state_dict(self):
        """The scheduler's state: every attribute except the optimizer."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict):
        """Restore a state from :meth:`state_dict`."""
        self.__dict__.update(state_dict)

    def __repr__(self):
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, last_lr={self._last_lr})"


@_example("LambdaLR(opt, lambda epoch: 0.5 ** epoch)", 2, "[1.0, 0.5, 0.25]")
class LambdaLR(LRScheduler):
    r"""Learning rate = initial lr times a function of the epoch:
    :math:`\gamma_t = \gamma_0 \cdot \lambda(t)`.

    Parameters
    ----------
    optimizer : Optimizer
    lr_lambda : callable or list of callables
        ``lr_lambda(epoch) -> factor``, or one per parameter group.
    last_epoch : int, default -1

    Notes
    -----
    ``state_dict()`` stores the ``__dict__`` of callable objects and ``None``
    for plain functions and lambdas, as PyTorch.
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        self.optimizer = optimizer
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != len(optimizer.param_groups):
                raise ValueError(f"Expected {len(optimizer.param_groups)} lr_lambdas, but got "
                                 f"{len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * len(optimizer.param_groups)
        for f in self.lr_lambdas:
            if not callable(f):
                raise TypeError(f"lr_lambda should be a function, but got {type(f).__name__}")
        super().__init__(optimizer, last_epoch)

    def state_dict(self):
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(f, types.FunctionType) else dict(f.__dict__)
                               for f in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict):
        state_dict = dict(state_dict)
        lambdas = state_dict.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        self.__dict__.update(state_dict)
        for f, saved in zip(self.lr_lambdas, lambdas):
            if saved is not None:
                f.__dict__.update(saved)

    def get_lr(self):
        return [base * f(self.last_epoch) for f, base in zip(self.lr_lambdas, self.base_lrs)]


@_example("MultiplicativeLR(opt, lambda epoch: 0.5)", 2, "[1.0, 0.5, 0.25]")
class MultiplicativeLR(LambdaLR):
    r"""Multiply the learning rate by a factor every epoch (after the first):
    :math:`\gamma_t = \gamma_{t-1} \cdot \lambda(t)`.

    Parameters
    ----------
    optimizer : Optimizer
    lr_lambda : callable or list of callables
        ``lr_lambda(epoch) -> factor``, or one per parameter group.
    last_epoch : int, default -1
    """

    get_lr = LRScheduler.get_lr

    def _factor(self):
        if self._is_initial:
            return None
        return [f(self.last_epoch) for f in self.lr_lambdas]


@_example("StepLR(opt, step_size=2, gamma=0.1)", 5, "[1.0, 1.0, 0.1, 0.1, 0.01, 0.01]")
class StepLR(LRScheduler):
    r"""Decay the learning rate by ``gamma`` every ``step_size`` epochs:
    :math:`\gamma_t = \gamma_0 \cdot \text{gamma}^{\lfloor t / \text{step\_size} \rfloor}`.

    Parameters
    ----------
    optimizer : Optimizer
    step_size : int
        Period of the decay, in epochs.
    gamma : float, default 0.1
        Multiplicative factor.
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size = _check_int("step_size", step_size, 1)
        self.gamma = _check_real("gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def _factor(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return None
        return self.gamma

    def _closed_form(self, base):
        return base * self.gamma ** (self.last_epoch // self.step_size)


@_example("MultiStepLR(opt, milestones=[1, 3], gamma=0.5)", 4, "[1.0, 0.5, 0.5, 0.25, 0.25]")
class MultiStepLR(LRScheduler):
    r"""Decay the learning rate by ``gamma`` at each milestone epoch:
    :math:`\gamma_t = \gamma_0 \cdot \text{gamma}^{\#\{m \le t\}}`.

    Parameters
    ----------
    optimizer : Optimizer
    milestones : iterable of int
        Epochs at which to decay (a repeated milestone decays repeatedly).
    gamma : float, default 0.1
        Multiplicative factor.
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        milestones = list(milestones)
        for m in milestones:
            _check_int("milestone", m, 0)
        self.milestones = Counter(int(m) for m in milestones)
        self.gamma = _check_real("gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def _factor(self):
        if self.last_epoch not in self.milestones:
            return None
        return self.gamma ** self.milestones[self.last_epoch]

    def _closed_form(self, base):
        milestones = sorted(self.milestones.elements())
        return base * self.gamma ** bisect_right(milestones, self.last_epoch)

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        self.milestones = Counter({int(k): int(v) for k, v in dict(self.milestones).items()})


@_example("ConstantLR(opt, factor=0.5, total_iters=2)", 3, "[0.5, 0.5, 1.0, 1.0]")
class ConstantLR(LRScheduler):
    r"""Multiply the learning rate by ``factor`` for the first ``total_iters``
    epochs: :math:`\gamma_t = \gamma_0 \cdot \text{factor}` for
    :math:`t < \text{total\_iters}`, else :math:`\gamma_0`.

    Parameters
    ----------
    optimizer : Optimizer
    factor : float, default 1/3
        In [0, 1].
    total_iters : int, default 5
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        self.factor = _check_factor("factor", factor, "Constant multiplicative factor "
                                    "expected to be between 0 and 1.")
        self.total_iters = _check_int("total_iters", total_iters, 0)
        super().__init__(optimizer, last_epoch)

    def _factor(self):
        if self.last_epoch == 0:
            return self.factor
        if self.last_epoch != self.total_iters:
            return None
        return 1.0 / self.factor

    def _closed_form(self, base):
        return base * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))


@_example("LinearLR(opt, start_factor=0.25, total_iters=3)", 4, "[0.25, 0.5, 0.75, 1.0, 1.0]")
class LinearLR(LRScheduler):
    r"""Change the learning rate linearly from ``start_factor`` to ``end_factor``
    times the initial lr over ``total_iters`` epochs (a warm-up when
    ``start_factor < end_factor``):

    .. math::

        \gamma_t = \gamma_0 \left(s + (e - s)\,\frac{\min(t, T)}{T}\right)

    Parameters
    ----------
    optimizer : Optimizer
    start_factor : float, default 1/3
        :math:`s`, in (0, 1].
    end_factor : float, default 1.0
        :math:`e`, in [0, 1].
    total_iters : int, default 5
        :math:`T`.
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1):
        self.start_factor = _check_factor(
            "start_factor", start_factor, "Starting multiplicative factor expected to be "
            "greater than 0 and less or equal to 1.", positive=True)
        self.end_factor = _check_factor("end_factor", end_factor, "Ending multiplicative "
                                        "factor expected to be between 0 and 1.")
        self.total_iters = _check_int("total_iters", total_iters, 1)
        super().__init__(optimizer, last_epoch)

    def _factor(self):
        if self.last_epoch == 0:
            return self.start_factor
        if self._is_initial or self.last_epoch > self.total_iters:
            return None
        s, e, n = self.start_factor, self.end_factor, self.total_iters
        return 1.0 + (e - s) / (n * s + (self.last_epoch - 1) * (e - s))

    def _closed_form(self, base):
        s, e, n = self.start_factor, self.end_factor, self.total_iters
        return base * (s + (e - s) * min(n, self.last_epoch) / n)


@_example("ExponentialLR(opt, gamma=0.5)", 2, "[1.0, 0.5, 0.25]")
class ExponentialLR(LRScheduler):
    r"""Decay the learning rate by ``gamma`` every epoch:
    :math:`\gamma_t = \gamma_0 \cdot \text{gamma}^t`.

    Parameters
    ----------
    optimizer : Optimizer
    gamma : float
        Multiplicative factor.
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = _check_real("gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def _factor(self):
        return None if self._is_initial else self.gamma

    def _closed_form(self, base):
        return base * self.gamma ** self.last_epoch


@_example("PolynomialLR(opt, total_iters=4, power=1.0)", 5, "[1.0, 0.75, 0.5, 0.25, 0.0, 0.0]")
class PolynomialLR(LRScheduler):
    r"""Decay the learning rate polynomially to 0 over ``total_iters`` epochs:
    :math:`\gamma_t = \gamma_0 (1 - \min(t, T)/T)^{p}`.

    Parameters
    ----------
    optimizer : Optimizer
    total_iters : int, default 5
        :math:`T`.
    power : float, default 1.0
        :math:`p`.
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        self.total_iters = _check_int("total_iters", total_iters, 1)
        self.power = _check_real("power", power)
        super().__init__(optimizer, last_epoch)

    def _factor(self):
        if self._is_initial or self.last_epoch > self.total_iters:
            return None
        n = self.total_iters
        return ((1.0 - self.last_epoch / n) / (1.0 - (self.last_epoch - 1) / n)) ** self.power

    def _closed_form(self, base):
        n = self.total_iters
        return base * (1.0 - min(n, self.last_epoch) / n) ** self.power


@_example("CosineAnnealingLR(opt, T_max=2)", 4, "[1.0, 0.5, 0.0, 0.5, 1.0]")
class CosineAnnealingLR(LRScheduler):
    r"""Cosine annealing from the initial lr to ``eta_min`` over ``T_max`` epochs
    (SGDR without restarts; past ``T_max`` the cosine continues):

    .. math::

        \gamma_t = \eta_{min} + \frac{1}{2}(\gamma_0 - \eta_{min})
                   \left(1 + \cos\frac{t\pi}{T_{max}}\right)

    computed recursively from :math:`\gamma_{t-1}`, as PyTorch.

    Parameters
    ----------
    optimizer : Optimizer
    T_max : int
        Half-period, in epochs.
    eta_min : float, default 0
        Minimum learning rate.
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max = _check_int("T_max", T_max, 1)
        self.eta_min = _check_real("eta_min", eta_min)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        # the chainable form is not a pure factor here (PyTorch's three cases)
        t, T, eta = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return _group_lrs(self.optimizer)
        if self._step_count == 1 and t > 0:
            return self._get_closed_form_lr()
        lrs = _group_lrs(self.optimizer)
        if (t - 1 - T) % (2 * T) == 0:
            return [lr + (base - eta) * (1 - math.cos(math.pi / T)) / 2
                    for base, lr in zip(self.base_lrs, lrs)]
        return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                * (lr - eta) + eta for lr in lrs]

    def _closed_form(self, base):
        return self.eta_min + (base - self.eta_min) * (
            1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2


class _ComposedState:
    """``state_dict``/``load_state_dict`` of a scheduler made of others
    (``SequentialLR``, ``ChainedScheduler``): its own state plus each one's."""

    def state_dict(self):
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        state_dict = dict(state_dict)
        saved = state_dict.pop("_schedulers")
        self.__dict__.update(state_dict)
        for s, st in zip(self._schedulers, saved):
            s.load_state_dict(st)


@_example("SequentialLR(opt, [warmup, decay], milestones=[2])", 4,
          "[0.5, 0.75, 1.0, 0.5, 0.25]",
          setup=["warmup = optim.lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=2)",
                 "decay = optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)"])
class SequentialLR(_ComposedState, LRScheduler):
    """Run schedulers one after another, switching at the milestone epochs.

    Parameters
    ----------
    optimizer : Optimizer
    schedulers : list of LRScheduler
        Schedulers of the same optimizer (not :class:`ReduceLROnPlateau`).
    milestones : list of int
        ``len(schedulers) - 1`` epochs at which the next scheduler takes over
        (restarting from its epoch 0).
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        schedulers = list(schedulers)
        milestones = list(milestones)
        if len(schedulers) < 1:
            raise ValueError("SequentialLR expects at least one scheduler, but got no scheduler.")
        for i, s in enumerate(schedulers):
            if not hasattr(s, "optimizer"):
                raise TypeError(f"SequentialLR at index {i} should have `optimizer` as its "
                                f"attribute.")
            if isinstance(s, ReduceLROnPlateau):
                raise ValueError("SequentialLR does not support `ReduceLROnPlateau` scheduler "
                                 "as it requires additional kwargs to be specified when "
                                 f"calling `step`, but got one at index {i} in the given "
                                 f"schedulers sequence.")
            if s.optimizer is not optimizer:
                raise ValueError("SequentialLR expects all schedulers to belong to the same "
                                 f"optimizer, but got scheduler {type(s).__name__} at index "
                                 f"{i} with a different optimizer.")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError("Sequential Schedulers expects number of schedulers provided to "
                             "be one more than the number of milestone points, but got number "
                             f"of schedulers {len(schedulers)} and the number of milestones "
                             f"to be equal to {len(milestones)}")
        for m in milestones:
            _check_int("milestone", m, 0)
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = _check_int("last_epoch", last_epoch, -1) + 1
        self.optimizer = optimizer
        # undo the initial steps the schedulers took when they were created
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self._recursive_undo()
        idx = bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = self._schedulers[idx].get_last_lr()

    def _recursive_undo(self, sched=None):
        scheds = self if sched is None else sched
        if hasattr(scheds, "_schedulers"):
            for s in scheds._schedulers:
                self._recursive_undo(s)
        elif hasattr(scheds, "last_epoch"):
            scheds.last_epoch -= 1

    def step(self):
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


@_example("OneCycleLR(opt, max_lr=1.0, total_steps=10)", 9, "(0.04, 1.0, True)", lr=0.1,
          opt_kw=", momentum=0.9", show="round(lrs[0], 6), round(max(lrs), 6), lrs[-1] < 1e-4")
class OneCycleLR(LRScheduler):
    r"""The 1cycle policy (Smith & Topin, 2017): warm the learning rate up from
    ``max_lr / div_factor`` to ``max_lr`` over the first ``pct_start`` of the
    steps, then anneal it to ``initial_lr / final_div_factor``; momentum (or
    Adam's :math:`\beta_1`) cycles inversely between ``max_momentum`` and
    ``base_momentum``. Step it after every batch.

    With ``anneal_strategy="cos"`` each phase interpolates as
    :math:`\text{end} + \frac{1}{2}(\text{start} - \text{end})(1 + \cos \pi p)`
    for the fraction :math:`p` of the phase done (``"linear"``: linearly).

    Parameters
    ----------
    optimizer : Optimizer
    max_lr : float or list of float
    total_steps : int, optional
        Total number of steps; else ``epochs * steps_per_epoch``.
    epochs, steps_per_epoch : int, optional
    pct_start : float, default 0.3
    anneal_strategy : {"cos", "linear"}, default "cos"
    cycle_momentum : bool, default True
    base_momentum, max_momentum : float or list of float, default 0.85, 0.95
    div_factor : float, default 25
    final_div_factor : float, default 1e4
    three_phase : bool, default False
        Anneal back to the initial lr, then down to the minimum (fast.ai's
        variant has two phases).
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
                 pct_start=0.3, anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85,
                 max_momentum=0.95, div_factor=25.0, final_div_factor=1e4, three_phase=False,
                 last_epoch=-1):
        self.optimizer = _check_optimizer(optimizer)
        if total_steps is not None:
            if isinstance(total_steps, bool) or not isinstance(total_steps, numbers.Integral) \
                    or total_steps <= 0:
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = int(total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, numbers.Integral) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, numbers.Integral) or steps_per_epoch <= 0:
                raise ValueError(f"Expected positive integer steps_per_epoch, but got "
                                 f"{steps_per_epoch}")
            self.total_steps = int(epochs) * int(steps_per_epoch)
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if isinstance(pct_start, bool) or not isinstance(pct_start, numbers.Real) \
                or not 0 <= pct_start <= 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        pct_start = float(pct_start)
        n = self.total_steps
        if three_phase:
            self._schedule_phases = [
                {"end_step": float(pct_start * n) - 1, "start_lr": "initial_lr",
                 "end_lr": "max_lr", "start_momentum": "max_momentum",
                 "end_momentum": "base_momentum"},
                {"end_step": float(2 * pct_start * n) - 2, "start_lr": "max_lr",
                 "end_lr": "initial_lr", "start_momentum": "base_momentum",
                 "end_momentum": "max_momentum"},
                {"end_step": n - 1, "start_lr": "initial_lr", "end_lr": "min_lr",
                 "start_momentum": "max_momentum", "end_momentum": "max_momentum"},
            ]
        else:
            self._schedule_phases = [
                {"end_step": float(pct_start * n) - 1, "start_lr": "initial_lr",
                 "end_lr": "max_lr", "start_momentum": "max_momentum",
                 "end_momentum": "base_momentum"},
                {"end_step": n - 1, "start_lr": "max_lr", "end_lr": "min_lr",
                 "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
            ]
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self._anneal_func_type = anneal_strategy
        max_lrs = _format_param("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for group, m in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = m / div_factor
                group["max_lr"] = m
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError("optimizer must support momentum or beta1 with "
                                 "`cycle_momentum` option enabled")
            self.use_beta1 = "betas" in optimizer.defaults
            max_ms = _format_param("max_momentum", optimizer, max_momentum)
            base_ms = _format_param("base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for m_max, m_base, group in zip(max_ms, base_ms, optimizer.param_groups):
                    if self.use_beta1:
                        group["betas"] = (m_max, *group["betas"][1:])
                    else:
                        group["momentum"] = m_max
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start, end, pct):
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        lrs = []
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"Tried to step {step} times. The specified number of total steps "
                             f"is {self.total_steps}")
        phases = self._schedule_phases
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, phase in enumerate(phases):
                end = phase["end_step"]
                if step <= end or i == len(phases) - 1:
                    pct = (step - start) / (end - start)
                    lr = self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct)
                    if self.cycle_momentum:
                        mom = self._anneal(group[phase["start_momentum"]],
                                           group[phase["end_momentum"]], pct)
                    break
                start = phase["end_step"]
            lrs.append(lr)
            if self.cycle_momentum:
                if self.use_beta1:
                    group["betas"] = (mom, *group["betas"][1:])
                else:
                    group["momentum"] = mom
        return lrs


@_example("ReduceLROnPlateau(opt, patience=1, factor=0.5)", "[1.0, 0.9, 0.9, 0.9, 0.9]",
          "[1.0, 1.0, 1.0, 1.0, 0.5, 0.5]", arg="x")
class ReduceLROnPlateau(LRScheduler):
    """Reduce the learning rate when a metric has stopped improving.

    Call ``scheduler.step(metric)`` once per epoch with the validation metric;
    after ``patience`` epochs without an improvement (by more than
    ``threshold``), every group's lr is multiplied by ``factor`` (not below
    ``min_lr``), then ``cooldown`` epochs pass before counting again.

    Parameters
    ----------
    optimizer : Optimizer
    mode : {"min", "max"}, default "min"
        Whether the metric should decrease or increase.
    factor : float, default 0.1
        Must be < 1.
    patience : int, default 10
    threshold : float, default 1e-4
    threshold_mode : {"rel", "abs"}, default "rel"
    cooldown : int, default 0
    min_lr : float or list of float, default 0
    eps : float, default 1e-8
        Smaller reductions of the lr are ignored.
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8):
        if _check_real("factor", factor) >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        self.factor = float(factor)
        self.optimizer = _check_optimizer(optimizer)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(f"expected {len(optimizer.param_groups)} min_lrs, got "
                                 f"{len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience = _check_int("patience", patience, 0)
        self.cooldown = _check_int("cooldown", cooldown, 0)
        self.eps = _check_real("eps", eps)
        self.last_epoch = 0
        self._last_lr = _group_lrs(optimizer)
        self._init_is_better(mode, threshold, threshold_mode)
        self._reset()

    def _reset(self):
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def step(self, metrics):
        """Record the epoch's metric (a number or 0-d tensor) and maybe reduce the lr."""
        current = float(metrics)
        epoch = self.last_epoch + 1
        self.last_epoch = epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = _group_lrs(self.optimizer)

    def _reduce_lr(self):
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"The number of param groups in the `optimizer` ({len(groups)}) differs "
                    f"from when `ReduceLROnPlateau` was initialized ({len(self.min_lrs)}), "
                    f"usually due to a new param group being added to the optimizer. Please "
                    f"modify the `min_lrs` field to match the length of the `optimizer` "
                    f"param groups.")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for i, group in enumerate(groups):
            old = float(group["lr"])
            new = max(old * self.factor, self.min_lrs[i])
            if old - new > self.eps:
                group["lr"] = new

    @property
    def in_cooldown(self):
        return self.cooldown_counter > 0

    def _is_better(self, a, best):
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min" and self.threshold_mode == "abs":
            return a < best - self.threshold
        if self.mode == "max" and self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def _init_is_better(self, mode, threshold, threshold_mode):
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode} is unknown!")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode} is unknown!")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode = mode
        self.threshold = _check_real("threshold", threshold)
        self.threshold_mode = threshold_mode

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
        self._init_is_better(self.mode, self.threshold, self.threshold_mode)


# ---------------------------------------------------------------------------
# cyclic schedules and chaining


@_example("CyclicLR(opt, base_lr=0.1, max_lr=1.0, step_size_up=2, mode='triangular2')", 8,
          "[0.1, 0.55, 1.0, 0.55, 0.1, 0.325, 0.55, 0.325, 0.1]", lr=0.5, opt_kw=", momentum=0.9")
class CyclicLR(LRScheduler):
    r"""Cyclical learning rates (Smith, 2017): the learning rate goes from
    ``base_lr`` up to ``max_lr`` in ``step_size_up`` steps and back in
    ``step_size_down`` steps, the amplitude scaled per cycle (``"triangular"``:
    constant, ``"triangular2"``: halved every cycle) or per step
    (``"exp_range"``: ``gamma ** step``), or by a custom ``scale_fn``; momentum
    (or Adam's :math:`\beta_1`) cycles inversely between ``max_momentum`` and
    ``base_momentum``. Step it after every batch.

    Parameters
    ----------
    optimizer : Optimizer
    base_lr, max_lr : float or list of float
        The cycle's bounds (one per group, or one for all); the groups' ``lr``
        is set to ``base_lr``.
    step_size_up : int, default 2000
        Steps of the increasing half-cycle.
    step_size_down : int or None, default None
        Steps of the decreasing half-cycle (default: ``step_size_up``).
    mode : {"triangular", "triangular2", "exp_range"}, default "triangular"
        The amplitude policy (ignored when ``scale_fn`` is given).
    gamma : float, default 1.0
        The base of ``"exp_range"``.
    scale_fn : callable or None, default None
        A custom amplitude policy ``scale_fn(x) -> float`` in [0, 1].
    scale_mode : {"cycle", "iterations"}, default "cycle"
        What ``scale_fn`` takes: the cycle number or the step count.
    cycle_momentum : bool, default True
        Cycle the momentum too (the optimizer must have ``momentum`` or ``betas``).
    base_momentum, max_momentum : float or list of float, default 0.8, 0.9
        The momentum's bounds.
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None,
                 mode="triangular", gamma=1.0, scale_fn=None, scale_mode="cycle",
                 cycle_momentum=True, base_momentum=0.8, max_momentum=0.9, last_epoch=-1):
        self.optimizer = _check_optimizer(optimizer)
        base_lrs = _format_param("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        self.max_lrs = _format_param("max_lr", optimizer, max_lr)
        up = _check_real("step_size_up", step_size_up)
        down = up if step_size_down is None else _check_real("step_size_down", step_size_down)
        if up <= 0 or down < 0:
            raise ValueError(f"step_size_up must be positive and step_size_down non-negative, "
                             f"got {step_size_up} and {step_size_down}")
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"scale_mode must be 'cycle' or 'iterations', got {scale_mode!r}")
        self.mode = mode
        self.gamma = _check_real("gamma", gamma)
        self._scale_fn_custom = scale_fn
        if scale_fn is None:
            scale_mode = "iterations" if mode == "exp_range" else "cycle"
        self.scale_mode = scale_mode
        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError("optimizer must support momentum or beta1 with "
                                 "`cycle_momentum` option enabled")
            self.use_beta1 = "betas" in optimizer.defaults
            self.base_momentums = _format_param("base_momentum", optimizer, base_momentum)
            self.max_momentums = _format_param("max_momentum", optimizer, max_momentum)
            if last_epoch == -1:
                for m_max, m_base, group in zip(self.max_momentums, self.base_momentums,
                                                optimizer.param_groups):
                    if self.use_beta1:
                        group["betas"] = (m_max, *group["betas"][1:])
                    else:
                        group["momentum"] = m_max
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x):
        """The amplitude factor at cycle (or step) ``x``."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def get_lr(self):
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale = x / self.step_ratio
        else:
            scale = (x - 1) / (self.step_ratio - 1)
        amp = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [base + (hi - base) * scale * amp for base, hi in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, mb, mm in zip(self.optimizer.param_groups, self.base_momentums,
                                     self.max_momentums):
                m = mm - (mm - mb) * scale * amp
                if self.use_beta1:
                    group["betas"] = (m, *group["betas"][1:])
                else:
                    group["momentum"] = m
        return lrs

    def state_dict(self):
        """The scheduler's state (a custom ``scale_fn`` is not saved, as PyTorch)."""
        state = super().state_dict()
        state.pop("_scale_fn_custom", None)
        return state

    def load_state_dict(self, state_dict):
        state_dict = dict(state_dict)
        state_dict.pop("_scale_fn_custom", None)
        super().load_state_dict(state_dict)


@_example("CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2)", 7,
          "[1.0, 0.5, 1.0, 0.853553, 0.5, 0.146447, 1.0, 0.96194]")
class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter, 2016):

    .. math::

        \gamma_t = \eta_{min} + \frac{1}{2}(\gamma_0 - \eta_{min})
                   \left(1 + \cos\frac{T_{cur}\pi}{T_i}\right)

    where :math:`T_{cur}` counts the epochs since the last restart and the
    period :math:`T_i` starts at ``T_0`` and is multiplied by ``T_mult`` at each
    restart. ``step(epoch)`` also takes a fractional epoch (e.g.
    ``epoch + i / iters`` per batch).

    Parameters
    ----------
    optimizer : Optimizer
    T_0 : int
        Epochs of the first period.
    T_mult : int, default 1
        Factor of the period after each restart (an integer >= 1).
    eta_min : float, default 0
        Minimum learning rate.
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        if isinstance(T_0, bool) or not isinstance(T_0, numbers.Integral) or T_0 <= 0:
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if isinstance(T_mult, bool) or not isinstance(T_mult, numbers.Integral) or T_mult < 1:
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if isinstance(eta_min, bool) or not isinstance(eta_min, numbers.Real):
            raise ValueError(f"Expected float or int eta_min, but got {eta_min} of type "
                             f"{type(eta_min)}")
        self.T_0 = int(T_0)
        self.T_i = int(T_0)
        self.T_mult = int(T_mult)
        self.eta_min = float(eta_min)
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [self.eta_min + (base - self.eta_min)
                * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2 for base in self.base_lrs]

    def step(self, epoch=None):
        """Advance one epoch, or go to ``epoch`` (a float allowed)."""
        if self._step_count == 1 and not self._is_initial \
                and not getattr(self.optimizer, "_opt_called", False):
            warnings.warn(
                "Detected call of `lr_scheduler.step()` before `optimizer.step()`. Call "
                "them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`; "
                "otherwise the first value of the learning rate schedule is skipped.",
                UserWarning, stacklevel=2)
        self._step_count += 1
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur -= self.T_i
                self.T_i *= self.T_mult
        else:
            epoch = _check_real("epoch", epoch)
            if epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = _group_lrs(self.optimizer)


class ChainedScheduler(_ComposedState, LRScheduler):
    """Step several schedulers of one optimizer together: each ``step()`` calls
    every scheduler's ``step()`` in order, so their (chainable) factors multiply.

    Parameters
    ----------
    schedulers : list of LRScheduler
        Schedulers of the same optimizer (not :class:`ReduceLROnPlateau`).
    optimizer : Optimizer, optional
        Their optimizer (default: the first scheduler's).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import optim
    >>> opt = optim.SGD([xp.tensor([0.0], requires_grad=True)], lr=1.0)
    >>> s1 = optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2)
    >>> s2 = optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
    >>> sched = optim.lr_scheduler.ChainedScheduler([s1, s2])
    >>> lrs = [sched.get_last_lr()[0]]
    >>> for _ in range(3):
    ...     _ = opt.step(); sched.step(); lrs.append(sched.get_last_lr()[0])
    >>> [round(lr, 6) for lr in lrs]
    [0.5, 0.45, 0.81, 0.729]
    """

    def __init__(self, schedulers, optimizer=None):
        schedulers = list(schedulers)
        if len(schedulers) < 1:
            raise ValueError("ChainedScheduler expects at least one scheduler to be chained, "
                             "but got no scheduler.")
        optimizer = optimizer or schedulers[0].optimizer
        for i, s in enumerate(schedulers):
            if not hasattr(s, "optimizer"):
                raise TypeError(f"ChainedScheduler at index {i} should have `optimizer` as its "
                                f"attribute.")
            if isinstance(s, ReduceLROnPlateau):
                raise ValueError("ChainedScheduler does not support `ReduceLROnPlateau` "
                                 "scheduler as it requires additional kwargs to be specified "
                                 "when calling `step`, but got one at index "
                                 f"{i} in the given schedulers sequence.")
            if s.optimizer is not optimizer:
                raise ValueError("ChainedScheduler expects all schedulers to belong to the same "
                                 f"optimizer, but got scheduler {type(s).__name__} at index {i} "
                                 f"with a different optimizer.")
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = _group_lrs(schedulers[-1].optimizer)

    def step(self):
        """Step every scheduler, in order."""
        for s in self._schedulers:
            s.step()
        self._last_lr = _group_lrs(self._schedulers[-1].optimizer)

