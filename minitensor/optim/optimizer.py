"""The optimizer base class: PyTorch's bookkeeping, MLX's per-parameter split.

:class:`Optimizer` keeps ``param_groups`` (a list of dicts holding the
parameters and their hyperparameters), ``defaults`` and ``state`` (a dict keyed
by parameter, filled lazily on a parameter's first update), and implements
``step(closure=None)``, ``zero_grad(set_to_none=True)``, ``add_param_group``
and ``state_dict()``/``load_state_dict()`` (parameters stored as indices), as
``torch.optim.Optimizer`` does.

A subclass implements only (MLX's ``init_single``/``apply_single`` split):

``_init_state(p, group) -> dict``
    the initial state of one parameter (step counter, zero buffers);
``_update(p, g, state, group)``
    the readable reference update, written with namespace operations (run under
    ``no_grad``), in place on ``p`` and the state tensors;
``_fused_update(p, g, state, group)``
    the same update as one compiled Pythran kernel over the parameter's flat
    buffers (``minitensor._kernels``), used for float32/float64 C-contiguous
    parameters, gradients and state; anything else takes ``_update``.

The ``fused`` argument of every optimizer chooses: ``None`` (default) uses the
kernel where it applies, ``False`` always runs the reference ``_update``, and
``True`` raises if a parameter cannot take the kernel.

# Note: the ``step`` counter in ``state`` is a Python int (PyTorch keeps a 0-d
# tensor); ``load_state_dict`` accepts either.
"""
import copy
import itertools
import math
import numbers
from collections import defaultdict

import numpy as np

from .._array_object import Tensor
from ..autograd import enable_grad, no_grad
from ..autograd._inplace import note_inplace

__all__ = ["Optimizer", "required"]

_KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


class _RequiredParameter:
    """Marks a hyperparameter without a default (each group must give it)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


# ---------------------------------------------------------------------------
# argument checks shared by the optimizers (PyTorch's messages)

def _real(name, value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    v = float(value)
    if math.isnan(v):
        raise ValueError(f"Invalid {name} value: {value}")
    return v


def _check_lr(lr):
    if lr is required:
        raise TypeError("the learning rate lr is required")
    if not 0.0 <= _real("lr", lr):
        raise ValueError(f"Invalid learning rate: {lr}")


def _check_nonneg(what, name, value):
    """``ValueError(f"Invalid {what}: {value}")`` unless 0 <= value."""
    if not 0.0 <= _real(name, value):
        raise ValueError(f"Invalid {what}: {value}")


def _check_betas(betas):
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"betas must be a pair of floats, got {betas!r}")
    for i, b in enumerate(betas):
        if not 0.0 <= _real("beta", b) < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {b}")
    return (float(betas[0]), float(betas[1]))


def _no_kernel(name, fused):
    """The ``fused`` argument of an optimizer without a compiled kernel (None or False)."""
    fused = _check_fused(fused)
    if fused:
        raise RuntimeError(f"`fused=True` is not supported for {name}: it has no compiled "
                           f"kernel (use fused=None)")
    return fused


def _check_fused(fused):
    if fused is not None and not isinstance(fused, (bool, np.bool_)):
        raise TypeError(f"fused must be None, True or False, got {fused!r}")
    return None if fused is None else bool(fused)


class Optimizer:
    r"""Base class of all optimizers (PyTorch's ``torch.optim.Optimizer`` contract).

    Parameters
    ----------
    params : iterable
        Tensors (leaf tensors of a real floating dtype), ``(name, tensor)``
        pairs, or dicts defining parameter groups (``{"params": [...], "lr": ...}``;
        keys missing from a group take the optimizer's defaults).
    defaults : dict
        Default hyperparameters of the groups.

    Attributes
    ----------
    param_groups : list of dict
    defaults : dict
    state : dict
        Per-parameter state, keyed by the parameter tensor.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import optim
    >>> w = xp.tensor([1.0, 2.0], requires_grad=True)
    >>> opt = optim.SGD([w], lr=0.1)
    >>> xp.sum(w * w).backward()
    >>> opt.step()
    >>> w
    Tensor([0.8, 1.6], dtype=float64, requires_grad=True)
    >>> opt.zero_grad(); w.grad is None
    True
    """

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self.state = defaultdict(dict)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + type(params).__name__)
        if isinstance(params, (set, frozenset)):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group):
        """Add a parameter group (a dict with ``"params"``; other keys override
        the defaults), e.g. to train layers unfrozen during fine-tuning."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        param_group = dict(param_group)
        if "params" not in param_group:
            raise ValueError("param_group must have a 'params' entry")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. "
                                 "Some param names are missing")
            param_group["param_names"] = names
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + type(p).__name__)
            if p._array.dtype.kind != "f":
                # Note: PyTorch also optimizes complex parameters (as real pairs); we
                # accept real floating dtypes only.
                raise TypeError(f"optimizer can only optimize tensors of a real floating "
                                f"dtype, but one of the params has dtype {p.dtype}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        param_group["params"] = params
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        ids = [id(p) for p in params]
        if len(ids) != len(set(ids)):
            # Note: PyTorch only warns (and says it will become an error).
            raise ValueError("optimizer contains a parameter group with duplicate parameters")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if seen.intersection(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        for g in self.param_groups:
            if ("param_names" in g) != ("param_names" in param_group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        self.param_groups.append(param_group)

    # -------------------------------------------------------------------- step
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all parameters: ``p.grad = None`` (default) or,
        with ``set_to_none=False``, fill the existing gradients with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if g.grad_fn is not None:
                        g = g.detach()
                        p.grad = g
                    g._array[...] = 0

    def step(self, closure=None):
        """Update every parameter that has a gradient (parameters whose ``grad``
        is None are skipped, as in PyTorch).

        All or nothing: every parameter is checked first (see
        ``_checked_updates``: writable buffers, a gradient of the parameter's
        shape and dtype, the kernel for ``fused=True``), so a step that raises
        has changed no parameter, no state and no step counter.

        Parameters
        ----------
        closure : callable, optional
            Re-evaluates the model and returns the loss (run with gradients
            enabled); its return value is returned.
        """
        loss = None
        self._opt_called = True      # read by the lr schedulers (call order check)
        if closure is not None:
            with enable_grad():
                loss = closure()
        # all or nothing: every parameter to update is checked before any is touched
        # (no parameter updated, no step counter advanced, no state created when one
        # of them cannot be updated)
        updates = self._checked_updates()
        with no_grad():
            for group, p, g in updates:
                fused = group.get("fused")
                state = self.state[p]
                if not state:
                    state.update(self._init_state(p, group))
                if fused is not False and self._can_fuse(p, g, state):
                    self._fused_update(p, g, state, group)
                    note_inplace(p)  # as an in-place write under no_grad (version, note)
                else:
                    # (fused=True with a parameter the kernel cannot take raised in
                    # _checked_updates)
                    self._update(p, g, state, group)
        return loss

    def _checked_updates(self):
        """The ``(group, parameter, gradient)`` triples ``step`` updates, after checking
        them all: a writable parameter buffer, a gradient tensor of the parameter's
        shape and dtype, writable state buffers, and with ``fused=True`` a parameter
        the kernel can take. Raises (RuntimeError, TypeError for a non-tensor
        gradient) before any update, so a failing ``step`` changes nothing.

        # Note: hyperparameters changed in ``param_groups`` after construction are
        # not re-checked here (they are checked by the constructors).
        """
        out = []
        for gi, group in enumerate(self.param_groups):
            fused = group.get("fused")
            for pi, p in enumerate(group["params"]):
                g = p.grad
                if g is None:
                    continue
                if not isinstance(g, Tensor):
                    raise TypeError(self._step_error(
                        gi, pi, p, f"has a gradient of type {type(g).__name__}, not a tensor"))
                a, ga = p._array, g._array
                if ga.shape != a.shape or ga.dtype != a.dtype:
                    raise RuntimeError(self._step_error(
                        gi, pi, p, f"has a gradient of shape {g.shape} and dtype {g.dtype}; "
                                   f"it must match the parameter"))
                if not a.flags.writeable:
                    raise RuntimeError(self._step_error(
                        gi, pi, p, "is read-only (its buffer is not writeable) and cannot be "
                                   "updated in place"))
                state = self.state.get(p)
                if state:
                    for k, v in state.items():
                        if isinstance(v, Tensor) and not v._array.flags.writeable:
                            raise RuntimeError(self._step_error(
                                gi, pi, p, f"has a read-only state buffer {k!r}"))
                if fused and not self._can_fuse(p, g, state or {}):
                    raise RuntimeError(
                        f"{type(self).__name__}(fused=True): a parameter of shape {p.shape} "
                        f"and dtype {p.dtype} cannot use the fused kernel (it needs "
                        f"float32/float64 C-contiguous parameters, gradients and state of one "
                        f"dtype); no parameter was updated")
                out.append((group, p, g))
        return out

    def _step_error(self, gi, pi, p, what):
        return (f"{type(self).__name__}.step: parameter {pi} of group {gi} (shape {p.shape}, "
                f"{p.dtype}) {what}; no parameter was updated")

    @staticmethod
    def _can_fuse(p, g, state):
        a = p._array
        dt = a.dtype
        if dt not in _KERNEL_DTYPES or not a.flags.c_contiguous or not a.flags.writeable \
                or g._array.dtype != dt:
            return False
        for v in state.values():
            if isinstance(v, Tensor):
                b = v._array
                if b.dtype != dt or not b.flags.c_contiguous or b.shape != a.shape:
                    return False
        return True

    # ------------------------------------------------- implemented by subclasses
    def _init_state(self, p, group):
        """The initial state dict of parameter ``p`` (called on its first update)."""
        return {}

    def _update(self, p, g, state, group):
        """Reference update of ``p`` in place (namespace operations, under no_grad)."""
        raise NotImplementedError

    def _fused_update(self, p, g, state, group):
        """The same update as ``_update``, as one Pythran kernel call on ``p``'s buffers."""
        self._update(p, g, state, group)

    # --------------------------------------------------------------- state dict
    def state_dict(self):
        """The optimizer's state as a dict: ``"state"`` maps parameter indices (in
        the order of ``param_groups``) to per-parameter state; ``"param_groups"``
        holds the hyperparameters, with ``"params"`` as lists of indices.

        The tensors in it are the optimizer's own buffers (not copies), as in
        PyTorch; ``minitensor.save`` writes it to a file.
        """
        mapping = {}
        start = 0
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                mapping.setdefault(id(p), i)
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {mapping[id(p)]: dict(s) for p, s in self.state.items()
                 if isinstance(p, Tensor) and id(p) in mapping and s}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Load a state from :meth:`state_dict` (possibly read back by
        ``minitensor.load``): the hyperparameters of every group and the state of
        every parameter (tensors are copied, in the parameter's dtype)."""
        if not isinstance(state_dict, dict) or "state" not in state_dict \
                or "param_groups" not in state_dict:
            raise ValueError("load_state_dict expects a dict with 'state' and 'param_groups' "
                             "(from Optimizer.state_dict())")
        groups = self.param_groups
        saved_groups = copy.deepcopy(list(state_dict["param_groups"]))
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(itertools.chain.from_iterable(s["params"] for s in saved_groups),
                          itertools.chain.from_iterable(g["params"] for g in groups)))
        new_state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            key = int(k) if isinstance(k, str) and k.lstrip("-").isdigit() else k
            if key not in id_map:
                raise ValueError(f"loaded state dict has state for parameter index {k!r}, "
                                 f"which is not in its param_groups")
            p = id_map[key]
            if not isinstance(v, dict):
                raise ValueError(f"loaded state of parameter {k!r} is not a dict")
            new_state[p] = {name: self._load_value(p, name, val) for name, val in v.items()}
        new_groups = []
        for g, s in zip(groups, saved_groups):
            s = dict(s)
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
            new_groups.append(s)
        self.state = new_state
        self.param_groups = new_groups

    @staticmethod
    def _load_value(p, name, value):
        if isinstance(value, Tensor):
            if name == "step":
                return value.item() if value.ndim == 0 else Tensor._new(value._array.copy())
            if value.shape != p.shape:
                raise ValueError(f"loaded state {name!r} has shape {value.shape}, but the "
                                 f"parameter has shape {p.shape}")
            return Tensor._new(np.array(value._array, dtype=p._array.dtype, order="C"))
        if isinstance(value, np.ndarray):
            return Optimizer._load_value(p, name, Tensor._new(np.asarray(value)))
        return copy.deepcopy(value)

    # --------------------------------------------------------------------- misc
    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)

    def __getstate__(self):
        return self.__dict__

    def __setstate__(self, state):
        self.__dict__.update(state)
