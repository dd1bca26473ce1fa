"""Gradient checks against central finite differences (``gradcheck``, ``gradgradcheck``)."""
import numpy as np

from .._array_object import Tensor
from . import _engine

__all__ = ["gradcheck", "gradgradcheck"]


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _numerical_jacobian(func, inputs, eps):
    """Columns: d(flattened outputs)/d(input element), by central differences."""
    jac = []
    for t in inputs:
        if not (isinstance(t, Tensor) and t.requires_grad):
            jac.append(None)
            continue
        a = t._array
        cols = []
        for k in range(a.size):
            idx = np.unravel_index(k, a.shape)
            orig = a[idx].copy()
            # the perturbation writes the buffer directly (no version bump); func runs
            # in the caller's grad mode (gradgradcheck's func calls autograd.grad)
            try:
                a[idx] = orig + eps
                fp = _flat_outputs(func(*inputs))
                a[idx] = orig - eps
                fm = _flat_outputs(func(*inputs))
            finally:
                a[idx] = orig
            cols.append(np.concatenate([(p - m) / (2 * eps) for p, m in zip(fp, fm)]))
        if cols:
            jac.append(np.stack(cols, axis=1))
        else:  # an empty input
            jac.append(np.zeros((sum(o.size for o in _as_tuple(func(*inputs))), 0)))
    return jac


def _flat_outputs(outs):
    return [np.array(o._array, dtype=np.complex128 if o._array.dtype.kind == "c"
                     else np.float64).ravel() for o in _as_tuple(outs)]


def _analytical_jacobian(func, inputs):
    import minitensor as xp
    outs = _as_tuple(func(*inputs))
    diff_in = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    sizes = [o.size for o in outs]
    total = sum(sizes)
    jac = [np.zeros((total, t.size)) for t in diff_in]
    row = 0
    for oi, o in enumerate(outs):
        for k in range(o.size):
            gos = []
            for oj, o2 in enumerate(outs):
                g = np.zeros(o2.shape, dtype=o2._array.dtype)
                if oj == oi:
                    g.reshape(-1)[k] = 1
                gos.append(xp.asarray(g))
            usable = [(o2, g) for o2, g in zip(outs, gos) if o2.requires_grad]
            if not usable:  # this output does not depend on the inputs
                row += 1
                continue
            grads = _engine.grad([u[0] for u in usable], diff_in, grad_outputs=[u[1] for u in usable],
                                 retain_graph=True, allow_unused=True)
            for j, g in enumerate(grads):
                if g is not None:
                    jac[j][row] = np.asarray(g._array, dtype=np.float64).ravel()
            row += 1
    return jac


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Check the gradients of ``func`` at ``inputs`` against central finite differences.

    ``inputs`` is a tensor or a tuple of them (those with ``requires_grad`` are
    checked); use float64 inputs. Returns True, or raises (or returns False with
    ``raise_exception=False``) naming the input and the worst element.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor.autograd import gradcheck
    >>> x = xp.tensor([0.3, -1.2], requires_grad=True)
    >>> gradcheck(xp.tanh, (x,))
    True
    """
    inputs = _as_tuple(inputs)
    for t in inputs:
        if isinstance(t, Tensor) and t.requires_grad and t._array.dtype.kind == "c":
            raise ValueError("gradcheck: complex inputs are not supported; check real and "
                             "imaginary parts as real inputs")
    num = [j for j in _numerical_jacobian(func, inputs, eps) if j is not None]
    ana = _analytical_jacobian(func, inputs)
    for i, (n, a) in enumerate(zip(num, ana)):
        if n.shape != a.shape or not np.allclose(a, n, rtol=rtol, atol=atol):
            if raise_exception:
                if n.shape != a.shape:
                    raise RuntimeError(f"gradcheck: Jacobian shape mismatch for input {i}: "
                                       f"{a.shape} vs numerical {n.shape}")
                k = np.unravel_index(np.argmax(np.abs(a - n)), a.shape)
                raise RuntimeError(
                    f"gradcheck: Jacobian mismatch for input {i} at (output {k[0]}, input "
                    f"element {k[1]}): analytical {a[k]!r}, numerical {n[k]!r}\n"
                    f"analytical:\n{a}\nnumerical:\n{n}")
            return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, seed=0):
    """Check second derivatives against central finite differences.

    Runs ``gradcheck`` on the vector-Jacobian product
    ``(x, v) -> autograd.grad(func(x), x, grad_outputs=v, create_graph=True)``,
    as PyTorch does: with respect to the inputs (second derivatives) and to the
    cotangents ``v`` (the backward must be recorded, and linear in ``v``).
    ``grad_outputs``: the cotangents (random, fixed by ``seed``, unless given).
    Use float64 inputs.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor.autograd import gradgradcheck
    >>> x = xp.tensor([0.3, -1.2], requires_grad=True)
    >>> gradgradcheck(lambda t: xp.exp(t) * t, (x,))
    True
    """
    import minitensor as xp
    inputs = _as_tuple(inputs)
    outs = _as_tuple(func(*inputs))
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        grad_outputs = tuple(xp.asarray(rng.standard_normal(o.shape).astype(o._array.dtype))
                             for o in outs)
    grad_outputs = _as_tuple(grad_outputs)
    # the cotangents as fresh leaves (gradcheck perturbs its inputs' buffers)
    cotangents = tuple(xp.asarray(np.array(g._array if isinstance(g, Tensor) else g))
                       .requires_grad_() for g in grad_outputs)
    n = len(inputs)

    def vjp(*xs):
        ins, vs = xs[:n], xs[n:]
        o = _as_tuple(func(*ins))
        d = [x for x in ins if isinstance(x, Tensor) and x.requires_grad]
        gs = _engine.grad(list(o), d, grad_outputs=list(vs), create_graph=True,
                          allow_unused=True)
        return tuple(g if g is not None else xp.zeros_like(x) for g, x in zip(gs, d))

    return gradcheck(vjp, inputs + cotangents, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
