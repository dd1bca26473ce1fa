"""Tensor methods PyTorch users reach for, as thin forwards to the namespace.

One mixin class, :class:`_TensorMethods`, that ``Tensor`` inherits (``class
Tensor(_TensorMethods)`` in ``_array_object.py``). Every method calls namespace
functions, so it works on plain tensors and records gradients for tensors that
take part in autograd with no code of its own. PyTorch's keyword names are
mapped to the standard's (``dim`` -> ``axis``, ``keepdim`` -> ``keepdims``;
the NumPy spellings ``axis=`` / ``keepdims=`` are accepted too, as PyTorch does).

The Array API attributes stay what the standard says they are:

# Note: ``size`` is an attribute (the number of elements, an int) in the
# standard, so PyTorch's ``x.size()`` / ``x.size(dim)`` method cannot exist here;
# use ``x.numel()`` (or ``x.size``) for the element count and ``x.shape`` /
# ``x.shape[dim]`` for the sizes. Likewise ``x.T`` is the standard's (2-D only).

Examples
--------
>>> import minitensor as xp
>>> x = xp.asarray([[1.0, 2.0], [3.0, 4.0]])
>>> x.sum(dim=0)
Tensor([4., 6.], dtype=float64)
>>> x.max(dim=1)
max(values=Tensor([2., 4.], dtype=float64), indices=Tensor([1, 1], dtype=int64))
>>> x.view(4).numel(), x.dim(), x.t().shape
(4, 2, (2, 2))
"""
import builtins
import collections
import math
import operator
import sys

import numpy as np

from ._dispatch import state as _dispatch
from ._dtypes import DType, _FROM_NP, bool as _bool, float16, float32, float64, int32, int64

# The namespace, looked up at call time (``ns.sum`` is the function as finally
# installed). This module is imported by ``_array_object`` while the package
# ``minitensor`` is being initialised: the module object exists, its namespace
# functions are filled in later.
ns = sys.modules[__package__]

__all__ = []

_max_result = collections.namedtuple("max", ["values", "indices"])
_min_result = collections.namedtuple("min", ["values", "indices"])

_NO = object()


def _pick(name, dim, axis, keepdim, keepdims):
    """PyTorch's ``dim``/``keepdim`` or NumPy's ``axis``/``keepdims`` (not both)."""
    if axis is not _NO:
        if dim is not None:
            raise TypeError(f"{name}(): got both dim and axis")
        dim = axis
    if keepdims is not _NO:
        keepdim = keepdims
    if isinstance(dim, list):
        dim = tuple(dim)
    return dim, bool(keepdim)


def _dims(name, dims):
    """``f(2, 3)`` or ``f((2, 3))`` / ``f([2, 3])``: a tuple of ints."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    try:
        return tuple(operator.index(d) for d in dims)
    except TypeError:
        raise TypeError(f"{name}(): sizes/dims must be ints, got {dims!r}") from None


def _view_dtype(t, dtype):
    """``t.view(dtype)``: reinterpret the bytes (a view; no copy)."""
    from ._dtypes import _as_dtype
    dt = _as_dtype(dtype)
    if dt == t.dtype:
        return t[...]  # a view of the same dtype (recorded by autograd, as x[...])
    a = t._array
    try:
        r = a.view(dt._np_dtype)
    except ValueError as e:
        raise RuntimeError(f"view(): cannot view a tensor of dtype {t.dtype}, shape {a.shape} "
                           f"and strides {a.strides} as {dt}: {e}") from None
    return ns.Tensor._new(r)


def _dim(name, d, ndim):
    """One dim normalised into ``[0, ndim)`` (IndexError naming dim and ndim)."""
    d = operator.index(d)
    n = builtins.max(ndim, 1)
    if not -n <= d < n:
        raise IndexError(f"{name}(): dim {d} is out of range for a tensor of dimension {ndim} "
                         f"(expected a dim in [{-n}, {n - 1}])")
    return d % n


def _late(name):
    """The namespace function ``name``, looked up at call time."""
    def f(*args, **kwargs):
        return getattr(ns, name)(*args, **kwargs)
    return f


def _method(f, name, doc=None):
    """Name a generated method as one written in the class body."""
    f.__name__ = name
    f.__qualname__ = f"_TensorMethods.{name}"
    if doc is not None:
        f.__doc__ = doc
    return f


# ------------------------------------------------------- method factories
def _spread(name, func):
    def f(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=_NO,
          keepdims=_NO):
        # Note: PyTorch's default is the unbiased estimate (correction=1), where
        # the namespace's std/var default to correction=0.
        if isinstance(dim, bool):  # the legacy x.std(unbiased)
            dim, unbiased = None, dim
        dim, keepdim = _pick(name, dim, axis, keepdim, keepdims)
        if correction is None:
            correction = 1 if unbiased is None else int(bool(unbiased))
        elif unbiased is not None:
            raise TypeError(f"{name}(): got both unbiased and correction")
        return func(self, axis=dim, correction=correction, keepdims=keepdim)
    return _method(f, name,
                   f"{'Standard deviation' if name == 'std' else 'Variance'} over ``dim`` "
                   f"with ``correction`` (default 1, PyTorch's unbiased estimate).")


def _extremum(name, reduce, arg, elementwise, result):
    def f(self, dim=None, keepdim=False, *, axis=_NO, keepdims=_NO):
        if isinstance(dim, _TensorMethods):  # x.max(other): the elementwise maximum
            return elementwise(self, dim)
        dim, keepdim = _pick(name, dim, axis, keepdim, keepdims)
        if dim is None:
            return reduce(self)
        # PyTorch: (values, indices) along one dim; the values are gathered at
        # the indices, so the gradient goes to the selected element only.
        d = _dim(name, dim, self.ndim)
        idx = arg(self, axis=d, keepdims=True)
        values = ns.take_along_axis(self, idx, axis=d)
        if not keepdim:
            values = ns.squeeze(values, axis=d)
            idx = ns.squeeze(idx, axis=d)
        return result(values, idx)
    return _method(f, name,
                   f"The {name}imum of all elements; with ``dim``, a named tuple "
                   f"``(values, indices)`` along ``dim``; with a tensor, the elementwise "
                   f"{name}imum.")


def _arg(name, func):
    def f(self, dim=None, keepdim=False, *, axis=_NO, keepdims=_NO):
        dim, keepdim = _pick(name, dim, axis, keepdim, keepdims)
        return func(self, axis=dim, keepdims=keepdim)
    return _method(f, name, f"Indices of the {name[3:]}ima (of the flattened tensor without "
                            f"``dim``).")


def _truth(name, func):
    def f(self, dim=None, keepdim=False, *, axis=_NO, keepdims=_NO):
        dim, keepdim = _pick(name, dim, axis, keepdim, keepdims)
        return func(self, axis=dim, keepdims=keepdim)
    return _method(f, name, f"Whether {name} elements (along ``dim``) are true.")


def _unary(name):
    def f(self):
        return getattr(ns, name)(self)
    return _method(f, name, f"``minitensor.{name}(self)``.")


def _cast(name, dtype):
    def f(self):
        return ns.astype(self, dtype, copy=False)
    return _method(f, name, f"``self`` as {dtype} (itself if it already is).")


def _new_like(name, creator):
    def f(self, *size, dtype=None, device=None, requires_grad=False):
        self.to_device(device)  # the device check
        t = getattr(ns, creator)(_dims(name, size), dtype=self.dtype if dtype is None else dtype)
        if requires_grad:
            t.requires_grad_(True)
        return t
    return _method(f, name, f"A new tensor of shape ``size`` ({name[4:]}), with ``self``'s "
                            f"dtype by default.")


# ------------------------------------------------------------------ in place
def _write(self, name, value):
    """Write ``value`` into ``self`` (broadcast, cast); through the dispatch slot
    ``state.write`` when a layer set it (autograd: the in-place guard)."""
    w = _dispatch.write
    if w is not None:
        return w(self, name, _write_raw, (name, value))
    return _write_raw(self, name, value)


def _write_raw(self, name, value):
    a = self._array
    if not a.flags.writeable:
        raise ValueError(f"{name}(): the tensor is read-only (a broadcast view?)")
    if isinstance(value, _TensorMethods):
        value = value._array
    if a.dtype.kind != "c" and (isinstance(value, complex) or (
            isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind == "c")):
        raise TypeError(f"{name}(): cannot write complex values into a "
                        f"{_FROM_NP[a.dtype]} tensor; take real() first")
    with np.errstate(invalid="ignore", over="ignore"):
        np.copyto(a, value, casting="unsafe")
    return self


class _TensorMethods:
    """The PyTorch-style methods of ``Tensor`` (a mixin: ``Tensor`` inherits it;
    no state of its own)."""

    __slots__ = ()

    # -------------------------------------------------------------- reductions
    def sum(self, dim=None, keepdim=False, *, dtype=None, axis=_NO, keepdims=_NO):
        """Sum over ``dim`` (all elements by default), as ``torch.Tensor.sum``."""
        dim, keepdim = _pick("sum", dim, axis, keepdim, keepdims)
        return ns.sum(self, axis=dim, keepdims=keepdim, dtype=dtype)

    def prod(self, dim=None, keepdim=False, *, dtype=None, axis=_NO, keepdims=_NO):
        """Product over ``dim`` (all elements by default)."""
        dim, keepdim = _pick("prod", dim, axis, keepdim, keepdims)
        return ns.prod(self, axis=dim, keepdims=keepdim, dtype=dtype)

    def mean(self, dim=None, keepdim=False, *, dtype=None, axis=_NO, keepdims=_NO):
        """Mean over ``dim`` (all elements by default); ``dtype`` casts first."""
        dim, keepdim = _pick("mean", dim, axis, keepdim, keepdims)
        x = self if dtype is None else ns.astype(self, dtype, copy=False)
        return ns.mean(x, axis=dim, keepdims=keepdim)

    std = _spread("std", _late("std"))
    var = _spread("var", _late("var"))
    max = _extremum("max", _late("max"), _late("argmax"), _late("maximum"), _max_result)
    min = _extremum("min", _late("min"), _late("argmin"), _late("minimum"), _min_result)
    argmax = _arg("argmax", _late("argmax"))
    argmin = _arg("argmin", _late("argmin"))
    any = _truth("any", _late("any"))
    all = _truth("all", _late("all"))

    # ------------------------------------------------------------- elementwise
    exp = _unary("exp")
    log = _unary("log")
    sqrt = _unary("sqrt")
    abs = _unary("abs")
    tanh = _unary("tanh")

    def sigmoid(self):
        """The logistic function ``1 / (1 + exp(-x))``."""
        return 1.0 / (1.0 + ns.exp(-self))

    def relu(self):
        """``max(x, 0)``, with PyTorch's gradient at 0 (zero)."""
        return ns.where(self > 0, self, 0)

    def clamp(self, min=None, max=None):
        """Values clipped into ``[min, max]`` (either may be None)."""
        return ns.clip(self, min, max)

    clip = clamp

    def pow(self, exponent):
        """``self ** exponent``."""
        return ns.pow(self, exponent)

    # ------------------------------------------------------------------- shape
    def reshape(self, *shape):
        """``self`` with a new shape (``x.reshape(2, 3)`` or ``x.reshape((2, 3))``); a
        view when the strides allow, else a copy."""
        return ns.reshape(self, _dims("reshape", shape))

    def view(self, *shape):
        """A view with a new shape; RuntimeError when the strides do not allow a view
        (use ``reshape``, or ``contiguous().view(...)``).

        ``view(dtype)`` (PyTorch's and NumPy's): the same memory read as another dtype
        (a ``float``/``int``/``complex`` type, a DType, a NumPy dtype or a name); the
        last axis is rescaled when the item sizes differ (``complex128`` -> twice as
        many ``float64``). SciPy's ``RBFInterpolator`` calls ``d.view(float)``.
        """
        if len(shape) == 1 and (isinstance(shape[0], (DType, type, np.dtype, str))):
            return _view_dtype(self, shape[0])
        shape = _dims("view", shape)
        ns._manipulation_functions._reshape_target(shape, self._array)  # ValueError: size
        try:
            return ns.reshape(self, shape, copy=False)
        except ValueError:
            raise RuntimeError(
                f"view(): a tensor of shape {self.shape} and strides {self._array.strides} "
                f"cannot be viewed as shape {shape} without a copy; use reshape(...) (or "
                f"contiguous().view(...)) instead") from None

    def permute(self, *dims):
        """The axes reordered (``x.permute(1, 0)``); a view."""
        return ns.permute_dims(self, _dims("permute", dims))

    def transpose(self, dim0, dim1):
        """Axes ``dim0`` and ``dim1`` swapped; a view."""
        n = self.ndim
        d0, d1 = _dim("transpose", dim0, n), _dim("transpose", dim1, n)
        perm = list(range(n))
        if n:
            perm[d0], perm[d1] = perm[d1], perm[d0]
        return ns.permute_dims(self, tuple(perm))

    def t(self):
        """The transpose of a tensor with at most 2 dimensions (0-D and 1-D: itself,
        as a view)."""
        n = self.ndim
        if n > 2:
            raise RuntimeError(f"t(): expects a tensor with <= 2 dimensions, got {n}-D; use "
                               f"transpose(dim0, dim1) or mT")
        return ns.permute_dims(self, (1, 0) if n == 2 else tuple(range(n)))

    def flatten(self, start_dim=0, end_dim=-1):
        """Dimensions ``start_dim..end_dim`` merged into one (a 0-d tensor gives 1-d)."""
        n = self.ndim
        if n == 0:
            return ns.reshape(self, (1,))
        s, e = _dim("flatten", start_dim, n), _dim("flatten", end_dim, n)
        if s > e:
            raise ValueError(f"flatten(): start_dim {start_dim} comes after end_dim {end_dim}")
        shape = self.shape
        return ns.reshape(self, shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])

    def squeeze(self, dim=None):
        """Size-one dimensions removed: all of them, or those among ``dim`` (an int or
        a tuple; as PyTorch, a named dim whose size is not one is left alone)."""
        n = self.ndim
        if dim is None:
            axes = tuple(i for i, s in enumerate(self.shape) if s == 1)
        else:
            dims = dim if isinstance(dim, (tuple, list)) else (dim,)
            axes = tuple(sorted({_dim("squeeze", d, n) for d in dims}))
            axes = tuple(a for a in axes if n and self.shape[a] == 1)
        return ns.squeeze(self, axis=axes)

    def unsqueeze(self, dim):
        """A size-one dimension inserted at ``dim`` (in ``[-ndim-1, ndim]``)."""
        return ns.expand_dims(self, axis=operator.index(dim))

    def expand(self, *sizes):
        """A broadcast view of shape ``sizes``; -1 keeps a dimension's size."""
        sizes = _dims("expand", sizes)
        n = self.ndim
        if len(sizes) < n:
            raise RuntimeError(f"expand(): the number of sizes ({len(sizes)}) must be at least "
                               f"the number of dimensions ({n})")
        lead = len(sizes) - n
        shape = tuple(self.shape[i - lead] if (s == -1 and i >= lead) else s
                      for i, s in enumerate(sizes))
        if builtins.any(s < 0 for s in shape):
            raise RuntimeError(f"expand(): -1 is not allowed for a new leading dimension "
                               f"(sizes {sizes})")
        return ns.broadcast_to(self, shape)

    def contiguous(self):
        """``self`` if C-contiguous, else a C-contiguous copy."""
        if self._array.flags.c_contiguous:
            return self
        return ns.reshape(self, self.shape, copy=True)

    def clone(self):
        """A copy (which stays in the graph: its gradient flows back to ``self``)."""
        return ns.reshape(self, self.shape, copy=True)

    # -------------------------------------------------------- linear algebra
    def matmul(self, other):
        """``self @ other``."""
        return ns.matmul(self, other)

    def dot(self, other):
        """Inner product of two 1-D tensors (no complex conjugation, as ``torch.dot``)."""
        if not isinstance(other, _TensorMethods):
            raise TypeError(f"dot(): expected a tensor, got {type(other).__name__}")
        if self.ndim != 1 or other.ndim != 1:
            raise RuntimeError(f"dot(): expects 1-D tensors, got {self.ndim}-D and "
                               f"{other.ndim}-D (use matmul)")
        if self.shape != other.shape:
            raise RuntimeError(f"dot(): inconsistent sizes {self.shape[0]} and {other.shape[0]}")
        return ns.matmul(self, other)

    # -------------------------------------------------------------- dtypes
    float = _cast("float", float32)
    double = _cast("double", float64)
    half = _cast("half", float16)  # the float16 extension dtype
    long = _cast("long", int64)
    int = _cast("int", int32)
    bool = _cast("bool", _bool)

    def to(self, *args, dtype=None, device=None, copy=False, non_blocking=False):
        """``self`` with another dtype: ``to(dtype)``, ``to(device)``, ``to(device, dtype)``,
        ``to(other)`` (other's dtype), keywords ``dtype=``, ``device=``, ``copy=``."""
        for a in args:
            if isinstance(a, _TensorMethods):
                dtype = a.dtype
            elif isinstance(a, (DType, type, np.dtype)) or (
                    isinstance(a, str) and isinstance(getattr(ns, a, None), DType)):
                dtype = a
            else:
                device = a
        self.to_device(device)  # the device check
        if dtype is None:
            return ns.reshape(self, self.shape, copy=True) if copy else self
        return ns.astype(self, dtype, copy=builtins.bool(copy))

    def type_as(self, other):
        """``self`` cast to ``other``'s dtype."""
        return ns.astype(self, other.dtype, copy=False)

    # --------------------------------------------------------------- sizes
    # (Note: no size(): ``size`` is the standard's attribute)
    def dim(self):
        """The number of dimensions (``ndim``)."""
        return self._array.ndim

    def numel(self):
        """The number of elements (PyTorch's name for the ``size`` attribute)."""
        return self._array.size

    # --------------------------------------------------------------- in place
    def zero_(self):
        """Fill with zeros in place; returns ``self``."""
        return _write(self, "zero_", 0)

    def fill_(self, value):
        """Fill with ``value`` in place (cast to the tensor's dtype); returns ``self``."""
        if isinstance(value, _TensorMethods) and value.ndim != 0:
            raise RuntimeError(f"fill_(): expects a 0-d tensor value, got {value.ndim}-D")
        return _write(self, "fill_", value)

    def copy_(self, src):
        """Copy ``src`` (broadcast to ``self``'s shape, cast to its dtype, as PyTorch) in
        place; returns ``self``."""
        if isinstance(src, _TensorMethods):
            s = src._array
        else:
            s = np.asarray(src)
        try:
            np.broadcast_shapes(s.shape, self.shape)
            if np.broadcast_shapes(s.shape, self.shape) != self.shape:
                raise ValueError
        except ValueError:
            raise RuntimeError(f"copy_(): the source of shape {s.shape} cannot be broadcast to "
                               f"the destination's shape {self.shape}") from None
        return _write(self, "copy_", src if isinstance(src, _TensorMethods) else s)

    # ------------------------------------------------------------ new tensors
    new_zeros = _new_like("new_zeros", "zeros")
    new_ones = _new_like("new_ones", "ones")
    new_empty = _new_like("new_empty", "empty")

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        """A new tensor of shape ``size`` filled with ``fill_value`` (``self``'s dtype by
        default)."""
        self.to_device(device)  # the device check
        t = ns.full(_dims("new_full", (size,)), fill_value,
                    dtype=self.dtype if dtype is None else dtype)
        if requires_grad:
            t.requires_grad_(True)
        return t


# name -> method (the public methods of the mixin)
_METHODS = {name: f for name, f in vars(_TensorMethods).items()
            if not name.startswith("_")}
