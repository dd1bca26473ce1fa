"""Reverse-mode automatic differentiation over the minitensor namespace.

PyTorch's semantics: ``.grad`` accumulates across ``backward()`` calls, a graph
is freed by ``backward()`` unless ``retain_graph=True``, non-leaf tensors get a
``.grad`` only after ``retain_grad()``, ``create_graph=True`` records the
backward pass itself (higher-order gradients), grad mode is thread-local.

This package is imported on first use (``requires_grad=True``,
``minitensor.tensor``, ``minitensor.no_grad``, ...), never by ``import
minitensor``. Complex tensors follow PyTorch's convention: the gradient is the
conjugate Wirtinger derivative.

Examples
--------
>>> import minitensor as xp
>>> w = xp.tensor([1.0, -2.0], requires_grad=True)
>>> loss = xp.sum(w * w)
>>> loss.backward()
>>> w.grad
Tensor([ 2., -4.], dtype=float64)
"""
from .. import _grad_hook
from . import _engine, _rules  # noqa: F401  (_rules fills _engine.RULES)
from . import _surface_rules  # noqa: F401  (indexing; after _rules)
from ._engine import backward, grad
from ._function import Function, FunctionCtx
from ._grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from ._gradcheck import gradcheck, gradgradcheck

__all__ = [
    "tensor",
    "Function", "FunctionCtx", "backward", "enable_grad", "grad", "gradcheck", "gradgradcheck",
    "is_grad_enabled", "no_grad", "set_grad_enabled",
]



def tensor(data, dtype=None, requires_grad=False, device=None):
    """A new tensor holding a copy of ``data`` (PyTorch's ``torch.tensor``).

    # Note: the default dtypes are the namespace's (float64 for Python floats,
    # int64 for ints), not PyTorch's float32.

    Examples
    --------
    >>> import minitensor as xp
    >>> x = xp.tensor([1.0, 2.0], requires_grad=True)
    >>> x.requires_grad, x.is_leaf
    (True, True)
    """
    from .._creation_functions import asarray
    t = asarray(data, dtype=dtype, device=device, copy=True)
    if requires_grad:
        t.requires_grad_(True)
    return t


_engine._install_inplace_guards()
_grad_hook.state.write = _engine._on_write
_grad_hook.state.hook = _engine.record
