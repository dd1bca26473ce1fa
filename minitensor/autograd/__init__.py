"""Reverse-mode automatic differentiation over the minitensor namespace.

PyTorch's semantics: ``.grad`` accumulates across ``backward()`` calls, a graph
is freed by ``backward()`` unless ``retain_graph=True``, non-leaf tensors get a
``.grad`` only after ``retain_grad()``, ``create_graph=True`` records the
backward pass itself (higher-order gradients, Hessian-vector products), grad
mode (``no_grad``, ``enable_grad``, ``set_grad_enabled``) is thread-local. The
graph hangs off the tensors (no global graph) and is freed with them.

This package is imported on first use (``requires_grad=True``,
``minitensor.tensor``, ``minitensor.no_grad``, ...), never by ``import
minitensor``.

Gradient rules
--------------
Every differentiable namespace function has one rule in one table
(the ``_rules`` package); functions whose outputs are integer or bool (comparisons,
``argmax``, ``nonzero``, ``unique_*``, ...) are not differentiable and return
tensors without ``grad_fn``. At kinks the rules make PyTorch's choices: the
gradient of ``abs`` and ``sign`` at 0 is 0, ``maximum`` and ``minimum`` split
it evenly between equal operands (as ``torch.maximum``), ``max``/``min``
reductions split it evenly among tied elements, ``clip`` passes it where
``min <= x <= max``, ``prod`` with zeros has no NaN.

Complex numbers
---------------
Complex tensors follow PyTorch's convention: for a real loss ``L`` the gradient
of a complex tensor ``z`` is the conjugate Wirtinger derivative
``dL/dx + 1j * dL/dy`` (``z = x + 1j y``), so ``z - lr * z.grad`` is gradient
descent. Each rule propagates this gradient as ``torch.autograd`` does (the
gradient tests compare every complex case with PyTorch and with finite
differences of ``Re(sum(conj(w) * f(z)))``); ``real``, ``imag``, ``conj`` and
``abs`` connect real and complex parts. ``backward()`` on a complex output needs
an explicit ``gradient`` (the implicit one is defined for real scalars only). ``gradcheck``/``gradgradcheck`` check real inputs
only (pass real and imaginary parts as separate real inputs).

In-place operations and ``__setitem__``
---------------------------------------
Never a silently wrong gradient:

- Writing in place (``x[i] = v``, ``x += y``, ``fill_``, ``copy_``, ...) into a
  tensor that requires grad raises ``RuntimeError`` while grad mode is on (a
  leaf, or a tensor that is part of a recorded graph); build the result out of
  place (``where``, ``concat``, ``stack``, ``take``) instead. PyTorch allows
  some of these on non-leaf tensors (``CopySlices``); we raise.
- Under ``no_grad()`` in-place writes work (optimizer updates). A write to a
  value that a recorded operation saved for its gradient (through the tensor
  itself, any other view of the same memory, or a plain tensor) makes the later
  ``backward()`` raise ``RuntimeError`` (PyTorch's version-counter check).
  Index tensors and masks (``x[i]``, ``x[i, j]``, ``x[mask]``, ``take``,
  ``take_along_axis``, ``repeat``) are such saved values too; NumPy arrays and
  lists passed to a recorded call are copied when it is recorded.
- A tensor hook (``register_hook``) must be callable, and a value it returns
  must be a tensor of the gradient's shape and dtype (else ``backward()``
  raises, as PyTorch); ``backward(gradient=...)`` rejects a complex gradient
  for a real output.
- Writing a value that requires grad into a tensor outside autograd (``c[i] =
  x`` with ``x.requires_grad`` and ``c`` a plain tensor) raises instead of
  dropping the gradient; detach the value, or write under ``no_grad()``.

Examples
--------
>>> import minitensor as xp
>>> w = xp.tensor([1.0, -2.0], requires_grad=True)
>>> loss = xp.sum(w * w)
>>> loss.backward()
>>> w.grad
Tensor([ 2., -4.], dtype=float64)
>>> from minitensor import autograd
>>> x = xp.tensor([0.5], requires_grad=True)
>>> (g,) = autograd.grad(xp.sum(x ** 3), x, create_graph=True)
>>> (h,) = autograd.grad(xp.sum(g), x)
>>> g, h
(Tensor([0.75], dtype=float64, grad_fn=<multiplyBackward>), Tensor([3.], dtype=float64))
"""
from .. import _dispatch
from . import _engine, _rules  # noqa: F401  (_rules fills _engine.RULES)
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


from ._inplace import on_write as _on_write  # noqa: E402

# the boundary: the core's two slots (minitensor/_dispatch.py)
_dispatch.state.write = _on_write
_dispatch.state.hook = _engine.record
