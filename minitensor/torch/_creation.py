"""Creation functions with PyTorch's signatures and its float32 default.

``zeros(2, 3)``, ``zeros((2, 3))``, ``zeros(size=(2, 3))`` are one call; Python floats
become the face's default dtype (float32 unless :func:`set_default_dtype` changed it),
Python ints int64, NumPy arrays keep their dtype; ``device=`` other than the CPU raises
``RuntimeError``; ``requires_grad=True`` makes a leaf that records gradients.
"""
import builtins
import math
import operator

import numpy as np

import minitensor as _mt
from .._array_object import Tensor
from .._dtypes import _as_dtype, _real_floating_dtypes, bool as _bool
from .._dtypes import complex64, complex128, float64, int64
from . import _dtypes
from ._device import _check

__all__ = [
    "tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "empty", "full",
    "zeros_like", "ones_like", "empty_like", "full_like", "eye", "arange", "linspace",
    "logspace", "scalar_tensor", "complex", "polar",
]

_PY = (builtins.bool, builtins.int, builtins.float, builtins.complex)


def _no_out(out, name):
    # Note: PyTorch writes into ``out=`` tensors; the face refuses them (TypeError)
    # rather than add a second write path next to autograd's in-place checks.
    if out is not None:
        raise TypeError(f"{name}(): out= is not supported by minitensor.torch; assign the "
                        f"result instead (x = torch.{name}(...))")


def _finish(t, requires_grad, name):
    if requires_grad:
        if t.dtype.kind not in ("f", "c"):
            raise RuntimeError(f"{name}(): only Tensors of floating point and complex dtype "
                               f"can require gradients, got {t.dtype}")
        t.requires_grad_(True)
    return t


def _size(name, size, kw):
    """``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])``, ``f(Size)``, ``f(size=(2, 3))``."""
    if kw is not None:
        if size:
            raise TypeError(f"{name}(): got the size both positionally and as size=")
        size = (kw,)
    if len(size) == 1 and not isinstance(size[0], (builtins.int, np.integer)):
        size = size[0]
        if isinstance(size, Tensor):
            size = size.tolist()
    try:
        out = tuple(operator.index(s) for s in size)
    except TypeError:
        raise TypeError(f"{name}(): size must be a tuple of ints, got {size!r}") from None
    for s in out:
        if s < 0:
            raise RuntimeError(f"{name}(): trying to create tensor with negative dimension "
                               f"{s}: {list(out)}")
    return out


def _dtype(dtype, default=None):
    if dtype is None:
        return _dtypes._default[0] if default is None else default
    return _as_dtype(dtype)


def _python_default(t, obj):
    """Python floats/complexes give the face's defaults (float32/complex64)."""
    if isinstance(obj, (Tensor, np.ndarray, np.generic)):
        return t
    if t.dtype == float64:
        return _mt.astype(t, _dtypes._default[0]) if _dtypes._default[0] != float64 else t
    if t.dtype == complex128:
        return _mt.astype(t, _dtypes._default_complex()) if _dtypes._default[0] != float64 \
            else t
    return t


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor (always a copy) holding ``data``.

    Parameters
    ----------
    data : Python scalar, (nested) sequence, NumPy array or Tensor
    dtype : dtype, optional
        Default: the data's dtype for arrays and tensors; for Python data bool, int64,
        the default float dtype (float32) or its complex counterpart.
    device : optional
        ``None`` or the CPU.
    requires_grad : bool
        Make the result a leaf that records gradients.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.tensor([1.0, 2.0])
    Tensor([1., 2.], dtype=float32)
    >>> torch.tensor([[1, 2]]).dtype, torch.tensor(True).dtype
    (minitensor.int64, minitensor.bool)
    >>> torch.tensor([0.5], requires_grad=True).requires_grad
    True
    """
    _check(device, "tensor()")
    if isinstance(data, Tensor):
        data = data.detach()
    t = _mt.asarray(data, dtype=None if dtype is None else _as_dtype(dtype), copy=True)
    if dtype is None:
        t = _python_default(t, data)
    return _finish(t, requires_grad, "tensor")


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, sharing memory with a tensor or NumPy array when the dtype
    allows it (else a copy).

    Examples
    --------
    >>> import numpy as np, minitensor.torch as torch
    >>> a = np.zeros(2)
    >>> t = torch.as_tensor(a)
    >>> t[0] = 1.0
    >>> a, torch.as_tensor([1.5]).dtype
    (array([1., 0.]), minitensor.float32)
    """
    _check(device, "as_tensor()")
    t = _mt.asarray(data, dtype=None if dtype is None else _as_dtype(dtype))
    return _python_default(t, data) if dtype is None else t


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """``obj`` as a tensor (``torch.asarray``): shares memory unless a copy is needed or
    ``copy=True``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.asarray([1.0, 2.0]).dtype
    minitensor.float32
    """
    _check(device, "asarray()")
    t = _mt.asarray(obj, dtype=None if dtype is None else _as_dtype(dtype), copy=copy)
    if dtype is None:
        t = _python_default(t, obj)
    return _finish(t, requires_grad, "asarray")


def from_numpy(ndarray):
    """A tensor sharing memory with the NumPy array ``ndarray`` (same dtype).

    Examples
    --------
    >>> import numpy as np, minitensor.torch as torch
    >>> a = np.arange(3.0)
    >>> t = torch.from_numpy(a)
    >>> a[0] = 7.0
    >>> t
    Tensor([7., 1., 2.], dtype=float64)
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy(): expected np.ndarray (got {type(ndarray).__name__})")
    try:
        return _mt.asarray(ndarray, copy=False)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"from_numpy(): can't convert an array of dtype {ndarray.dtype}: "
                        f"{exc}") from None


def _filled(name, fn, size, size_kw, out, dtype, device, requires_grad, *extra):
    _no_out(out, name)
    _check(device, f"{name}()")
    t = fn(_size(name, size, size_kw), *extra, dtype=_dtype(dtype))
    return _finish(t, requires_grad, name)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          **kw):
    """A tensor of zeros: ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.zeros(2, 3).shape, torch.zeros((2,)).dtype
    ((2, 3), minitensor.float32)
    """
    return _filled("zeros", _mt.zeros, size, _kw_size("zeros", kw), out, dtype, device,
                   requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, **kw):
    """A tensor of ones: ``ones(2, 3)``, ``ones((2, 3))`` or ``ones(size=(2, 3))``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.ones(2, dtype=torch.long)
    Tensor([1, 1], dtype=int64)
    """
    return _filled("ones", _mt.ones, size, _kw_size("ones", kw), out, dtype, device,
                   requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None, **kw):
    """An uninitialised tensor: ``empty(2, 3)`` or ``empty((2, 3))``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.empty(2, 3).shape
    (2, 3)
    """
    return _filled("empty", _mt.empty, size, _kw_size("empty", kw), out, dtype, device,
                   requires_grad)


def _kw_size(name, kw):
    size = kw.pop("size", None)
    if kw:
        raise TypeError(f"{name}() got an unexpected keyword argument {next(iter(kw))!r}")
    return size


def _fill_dtype(value):
    if isinstance(value, Tensor):
        return value.dtype
    if isinstance(value, (builtins.bool, np.bool_)):
        return _bool
    if isinstance(value, (builtins.int, np.integer)):
        return int64
    if isinstance(value, builtins.complex):
        return _dtypes._default_complex()
    return _dtypes._default[0]


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False):
    """A tensor of shape ``size`` filled with ``fill_value`` (its dtype by default: bool,
    int64 or the default float dtype).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.full((2,), 3), torch.full((2,), 0.5)
    (Tensor([3, 3], dtype=int64), Tensor([0.5, 0.5], dtype=float32))
    """
    _no_out(out, "full")
    _check(device, "full()")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dt = _as_dtype(dtype) if dtype is not None else _fill_dtype(fill_value)
    t = _mt.full(_size("full", (size,), None), fill_value, dtype=dt)
    return _finish(t, requires_grad, "full")


def _like(name, fn, input, dtype, device, requires_grad, *extra):
    _check(device, f"{name}()")
    t = fn(input.shape, *extra, dtype=input.dtype if dtype is None else _as_dtype(dtype))
    return _finish(t, requires_grad, name)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """Zeros of ``input``'s shape and dtype.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.zeros_like(torch.ones(2, dtype=torch.int32))
    Tensor([0, 0], dtype=int32)
    """
    return _like("zeros_like", _mt.zeros, input, dtype, device, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """Ones of ``input``'s shape and dtype.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.ones_like(torch.zeros(2))
    Tensor([1., 1.], dtype=float32)
    """
    return _like("ones_like", _mt.ones, input, dtype, device, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """An uninitialised tensor of ``input``'s shape and dtype.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.empty_like(torch.zeros(2, 3)).shape
    (2, 3)
    """
    return _like("empty_like", _mt.empty, input, dtype, device, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None,
              requires_grad=False, memory_format=None):
    """``fill_value`` in ``input``'s shape and dtype.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.full_like(torch.zeros(2), 7)
    Tensor([7., 7.], dtype=float32)
    """
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dt = input.dtype if dtype is None else _as_dtype(dtype)
    _check(device, "full_like()")
    return _finish(_mt.full(input.shape, fill_value, dtype=dt), requires_grad, "full_like")


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The ``n`` x ``m`` identity matrix (``m = n`` by default).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.eye(2)
    Tensor([[1., 0.],
            [0., 1.]], dtype=float32)
    """
    _no_out(out, "eye")
    _check(device, "eye()")
    return _finish(_mt.eye(n, m, dtype=_dtype(dtype)), requires_grad, "eye")


def _number(v):
    return v.item() if isinstance(v, Tensor) else v


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Values ``start, start + step, ...`` below ``end``: int64 when all three are
    integers, else the default float dtype.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.arange(3), torch.arange(0, 1, 0.25)
    (Tensor([0, 1, 2], dtype=int64), Tensor([0.  , 0.25, 0.5 , 0.75], dtype=float32))
    """
    _no_out(out, "arange")
    _check(device, "arange()")
    start, end, step = _number(start), _number(end), _number(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange(): step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("arange(): upper bound and larger bound inconsistent with step "
                           "sign")
    ints = all(isinstance(v, (builtins.int, np.integer)) and not isinstance(v, builtins.bool)
               or isinstance(v, builtins.bool) for v in (start, end, step))
    dt = _as_dtype(dtype) if dtype is not None else (int64 if ints else _dtypes._default[0])
    if dt in _real_floating_dtypes and not ints:
        # the values in float64, rounded once (as PyTorch computes them)
        n = builtins.max(0, math.ceil((end - start) / step))
        vals = start + np.arange(n, dtype=np.float64) * step
        t = _mt.asarray(vals.astype(dt._np_dtype))
    else:
        t = _mt.arange(start, end, step, dtype=dt)
    return _finish(t, requires_grad, "arange")


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` (both included).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.linspace(0, 1, 5)
    Tensor([0.  , 0.25, 0.5 , 0.75, 1.  ], dtype=float32)
    """
    _no_out(out, "linspace")
    _check(device, "linspace()")
    steps = operator.index(steps)
    if steps < 0:
        raise RuntimeError("linspace(): number of steps must be non-negative")
    dt = _dtype(dtype)
    vals = np.linspace(_number(start), _number(end), steps, dtype=np.float64
                       if dt.kind != "c" else np.complex128)
    return _finish(_mt.asarray(vals.astype(dt._np_dtype)), requires_grad, "linspace")


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``base ** linspace(start, end, steps)``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.logspace(0, 2, 3)
    Tensor([  1.,  10., 100.], dtype=float32)
    """
    _no_out(out, "logspace")
    _check(device, "logspace()")
    dt = _dtype(dtype)
    vals = np.logspace(_number(start), _number(end), operator.index(steps), base=base)
    return _finish(_mt.asarray(vals.astype(dt._np_dtype)), requires_grad, "logspace")


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    """A 0-d tensor holding ``s`` (the default float dtype unless ``dtype`` is given).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.scalar_tensor(3)
    Tensor(3., dtype=float32)
    """
    _check(device, "scalar_tensor()")
    return _finish(_mt.full((), _number(s), dtype=_dtype(dtype)), requires_grad,
                   "scalar_tensor")


def complex(real, imag):
    """The complex tensor ``real + 1j * imag`` (float32 parts give complex64).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.complex(torch.tensor([1.0]), torch.tensor([2.0]))
    Tensor([1.+2.j], dtype=complex64)
    """
    if real.dtype != imag.dtype or real.dtype not in _real_floating_dtypes:
        raise RuntimeError(f"complex(): expected both inputs to be float/double of the same "
                           f"dtype, got {real.dtype} and {imag.dtype}")
    cdt = complex64 if real.dtype != float64 else complex128
    return _mt.astype(real, cdt) + _mt.astype(imag, cdt) * 1j


def polar(abs, angle):
    """The complex tensor ``abs * (cos(angle) + 1j * sin(angle))``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.polar(torch.tensor([2.0]), torch.tensor([0.0]))
    Tensor([2.+0.j], dtype=complex64)
    """
    return complex(abs * _mt.cos(angle), abs * _mt.sin(angle))
