"""Tensor methods PyTorch users reach for, as thin forwards to the namespace.

One mixin class, :class:`_TensorMethods`, that ``Tensor`` inherits (``class
Tensor(_TensorMethods)`` in ``_array_object.py``). Every method calls namespace
functions, so it works on plain tensors and records gradients for tensors that
take part in autograd with no code of its own. PyTorch's keyword names are
mapped to the standard's (``dim`` -> ``axis``, ``keepdim`` -> ``keepdims``;
the NumPy spellings ``axis=`` / ``keepdims=`` are accepted too, as PyTorch does).

The Array API attributes stay what the standard says they are:

# Note: ``size`` is the standard's attribute (the number of elements); it is
# defined in ``Tensor``'s body as an ``int`` subclass that can be called, so
# ``x.size == 6`` and PyTorch's ``x.size()`` / ``x.size(dim)`` both work. ``x.T``
# is the standard's (2-D only).

Methods have PyTorch's semantics (names, signatures, dtypes of results, named
tuples ``(values, indices)``, RuntimeError/IndexError as PyTorch raises them);
the namespace functions keep the standard's. In-place methods (``add_``,
``clamp_``, ``masked_fill_``, ``uniform_``...) compute their result outside
autograd and write it through the core's one in-place path (``_dispatch.state.write``),
so autograd's leaf checks and version counters apply as in PyTorch.

# Note: PyTorch's default floating dtype is float32, minitensor's float64: an
# integer tensor's ``sqrt()``/``div()``/``logsumexp()``... is float64 here.

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

from . import _random
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


class NoDeviceError(RuntimeError, AssertionError):
    """A tensor or module was asked to live on an accelerator (``x.to("cuda")``,
    ``x.cuda()``): minitensor has none. Both PyTorch's error types for a missing
    backend: ``RuntimeError`` (e.g. ``"mps"``) and ``AssertionError`` (a CPU-only
    PyTorch build: "Torch not compiled with CUDA enabled")."""


# device types PyTorch scripts name (minitensor can hold tensors on none of them)
_ACCELERATORS = frozenset({"cuda", "mps", "xpu", "meta", "hip", "xla", "privateuseone"})


def _accelerator_error(device, what):
    """The ``NoDeviceError`` for a device argument of a PyTorch-style method naming an
    accelerator (``"cuda"``, ``"cuda:0"``, a ``torch.device("cuda")``, an index ``0``),
    or None (the CPU, None, or something else for ``_check_device`` to judge)."""
    if isinstance(device, ns.Device):
        name, shown = device.name, str(device)
    elif isinstance(device, str):
        name, shown = device.partition(":")[0], device
    elif isinstance(device, int) and not isinstance(device, bool):
        name, shown = "cuda", f"cuda:{device}"  # torch: an int device is a CUDA index
    else:
        return None
    if name not in _ACCELERATORS:
        return None
    return NoDeviceError(f"{what}: minitensor has no {shown!r} device (it is not compiled "
                         f"with CUDA or any accelerator: the CPU is its only device; use 'cpu')")


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
                   f"""{'Standard deviation' if name == 'std' else 'Variance'} over ``dim``
        with ``correction`` (default 1, PyTorch's unbiased estimate).

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.asarray([[1.0, 3.0], [2.0, 2.0]])
        >>> x.{name}(1), x.{name}(1, unbiased=False).shape
        (Tensor([{'1.41421356' if name == 'std' else '2.'}, 0.{'        ' if name == 'std' else ''}], dtype=float64), (2,))
        """)


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
                   f"""The {name}imum of all elements; with ``dim``, a named tuple
        ``(values, indices)`` along ``dim``; with a tensor, the elementwise {name}imum.

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.asarray([[1.0, 5.0], [7.0, 2.0]])
        >>> x.{name}()
        Tensor({'7.' if name == 'max' else '1.'}, dtype=float64)
        >>> x.{name}(dim=1).indices
        Tensor([{'1, 0' if name == 'max' else '0, 1'}], dtype=int64)
        """)


def _arg(name, func):
    def f(self, dim=None, keepdim=False, *, axis=_NO, keepdims=_NO):
        dim, keepdim = _pick(name, dim, axis, keepdim, keepdims)
        return func(self, axis=dim, keepdims=keepdim)
    return _method(f, name, f"""Indices of the {name[3:]}ima (of the flattened tensor
        without ``dim``).

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.asarray([[1.0, 5.0], [7.0, 2.0]])
        >>> x.{name}(), x.{name}(dim=1)
        (Tensor({'2' if name == 'argmax' else '0'}, dtype=int64), Tensor([{'1, 0' if name == 'argmax' else '0, 1'}], dtype=int64))
        """)


def _truth(name, func):
    def f(self, dim=None, keepdim=False, *, axis=_NO, keepdims=_NO):
        dim, keepdim = _pick(name, dim, axis, keepdim, keepdims)
        return func(self, axis=dim, keepdims=keepdim)
    return _method(f, name, f"""Whether {name} elements (along ``dim``) are true.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[True, False], [True, True]]).{name}(dim=1)
        Tensor([{'False,  True' if name == 'all' else ' True,  True'}], dtype=bool)
        """)


def _unary(name, what, floating=False):
    if floating:  # integer inputs give floats (PyTorch)
        def f(self):
            return getattr(ns, name)(_floating(self))
    else:
        def f(self):
            return getattr(ns, name)(self)
    return _method(f, name, _unary_doc(name, what))


def _cast(name, dtype):
    def f(self):
        return ns.astype(self, dtype, copy=False)
    return _method(f, name, f"""``self`` as {dtype} (itself if it already is).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([0.0, 1.5]).{name}().dtype
        {dtype!r}
        """)


def _new_like(name, creator):
    def f(self, *size, dtype=None, device=None, requires_grad=False):
        self.to_device(device)  # the device check
        t = getattr(ns, creator)(_dims(name, size), dtype=self.dtype if dtype is None else dtype)
        if requires_grad:
            t.requires_grad_(True)
        return t
    return _method(f, name, f"""A new tensor of shape ``size`` ({name[4:]}), with ``self``'s
        dtype by default.

        Examples
        --------
        >>> import minitensor as xp
        >>> y = xp.zeros(1, dtype=xp.float32).{name}(2, 3)
        >>> y.shape, y.dtype
        ((2, 3), minitensor.float32)
        """)


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
    tv = type(value)
    if (tv is float or tv is int) and a.flags.writeable and (
            a.dtype.char in "dD" or (not value and a.dtype.kind in "fc")):
        # (the hot path, zero_() of a floating tensor, fill_(x) of a float64 one: the
        # value cannot overflow or be invalid there, so no error state is needed)
        a.fill(value)
        return self
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


_sort_result = collections.namedtuple("sort", ["values", "indices"])
_topk_result = collections.namedtuple("topk", ["values", "indices"])
_kthvalue_result = collections.namedtuple("kthvalue", ["values", "indices"])
_median_result = collections.namedtuple("median", ["values", "indices"])

# torch.Tensor.type() names (``x.type()``), and the names ``x.type(name)`` accepts
_TYPE_NAMES = {"float64": "DoubleTensor", "float32": "FloatTensor", "float16": "HalfTensor",
               "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
               "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
               "complex64": "ComplexFloatTensor", "complex128": "ComplexDoubleTensor"}


def _plain(v):
    """A tensor argument as a plain tensor outside autograd (other values as they are)."""
    if isinstance(v, _TensorMethods):
        return ns.Tensor._new(v._array)
    return v


def _arr(v):
    return v._array if isinstance(v, _TensorMethods) else np.asarray(v)


def _needs_graph(*ts):
    """Whether any argument is a tensor that takes part in autograd."""
    return builtins.any(isinstance(t, _TensorMethods) and t.requires_grad for t in ts)


def _is_float(t):
    return t._array.dtype.kind in "fc"


def _floating(t):
    """``t`` itself when floating point or complex, else cast to the default float dtype.

    # Note: PyTorch's default floating dtype is float32; minitensor's is float64,
    # so ``int_tensor.sqrt()`` is float64 here (float32 in PyTorch).
    """
    if t._array.dtype.kind in "fc":
        return t
    return ns.astype(t, float64)


def _update(self, name, compute, *args):
    """``self`` <- ``compute(self, *args)`` in place (PyTorch's in-place methods): the
    result is computed outside autograd, broadcast-checked, cast back to ``self``'s
    dtype (within its kind, as PyTorch) and written through ``_write``'s path."""
    w = _dispatch.write
    if w is not None:
        return w(self, name, _update_raw, (name, compute) + args)
    return _update_raw(self, name, compute, *args)


def _update_raw(self, name, compute, *args):
    a = self._array
    r = compute(ns.Tensor._new(a), *[_plain(v) for v in args])
    ra = r._array if isinstance(r, _TensorMethods) else np.asarray(r)
    if ra.shape != a.shape:
        raise RuntimeError(f"{name}(): output with shape {list(a.shape)} doesn't match the "
                           f"broadcast shape {list(ra.shape)}")
    if ra.dtype != a.dtype and not np.can_cast(ra.dtype, a.dtype, casting="same_kind"):
        raise RuntimeError(f"{name}(): result type {_FROM_NP[ra.dtype]} can't be cast to the "
                           f"desired output type {_FROM_NP[a.dtype]}")
    if not a.flags.writeable:
        raise ValueError(f"{name}(): the tensor is read-only (a broadcast view?)")
    if ra.dtype == a.dtype:
        np.copyto(a, ra)
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            np.copyto(a, ra, casting="unsafe")
    return self


def _int_tuple(name, v):
    """An int or a sequence of ints as a tuple of ints."""
    if isinstance(v, (tuple, list)):
        return _dims(name, tuple(v))
    return (operator.index(v),)


def _slice_along(t, d, start, stop):
    key = (slice(None),) * d + (slice(start, stop),)
    return t[key]


def _index_tensor(name, index, what="index"):
    """An integer index argument as a NumPy int64 array (TypeError/RuntimeError as PyTorch)."""
    a = _arr(index)
    if a.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int64 for {what}, got "
                           f"{_FROM_NP.get(a.dtype, a.dtype)}")
    return a.astype(np.int64, copy=False)


def _check_bounds(name, idx, size, d):
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        bad = idx.max() if idx.max() >= size else idx.min()
        raise RuntimeError(f"{name}(): index {bad} is out of bounds for dimension {d} with "
                           f"size {size}")


def _scatter_targets(name, shape, d, index, src_shape=None):
    """The flat positions in a tensor of ``shape`` that the elements of ``index``
    address along ``d`` (PyTorch's scatter/gather rules on the index's shape)."""
    idx = _index_tensor(name, index)
    n = len(shape)
    if idx.ndim != builtins.max(n, 1) and not (n == 0 and idx.ndim == 0):
        raise RuntimeError(f"{name}(): Index tensor must have the same number of dimensions "
                           f"as self tensor ({n}), got {idx.ndim}")
    if n == 0:
        idx = idx.reshape(())
        shape1 = (1,)
        idx1 = idx.reshape(1)
    else:
        shape1, idx1 = shape, idx
    for i, (si, s) in enumerate(zip(idx1.shape, shape1)):
        if i != d and si > s:
            raise RuntimeError(f"{name}(): Size does not match at dimension {i}: expected index "
                               f"{list(idx.shape)} to be smaller than self {list(shape)} apart "
                               f"from dimension {d}")
        if src_shape is not None and si > (src_shape[i] if len(src_shape) > i else 1):
            raise RuntimeError(f"{name}(): Size does not match at dimension {i}: expected index "
                               f"{list(idx.shape)} to be smaller than src {list(src_shape)}")
    _check_bounds(name, idx1, shape1[d], d)
    grids = list(np.indices(idx1.shape, sparse=True))
    grids[d] = idx1 % shape1[d]
    return np.ravel_multi_index(tuple(grids), shape1).reshape(-1), idx1.shape


def _sub_block(t, shape):
    """``t[:shape[0], :shape[1], ...]`` (a view; ``t`` itself when the shapes agree)."""
    if tuple(t.shape) == tuple(shape):
        return t
    return t[tuple(slice(0, s) for s in shape)]


def _scatter_values(name, self, pos, values):
    """``self`` with the flat positions ``pos`` set to ``values`` (a 1-D tensor or a
    scalar, one per position; the last write wins, as PyTorch's CPU loop)."""
    a = self._array
    last = np.full(a.size, -1, dtype=np.int64)
    last[pos] = np.arange(pos.size)
    hit = (last >= 0).reshape(a.shape)
    if isinstance(values, _TensorMethods):
        sel = np.where(last >= 0, last, 0)
        values = ns.reshape(ns.take(values, ns.asarray(sel), axis=0), a.shape) if a.size else \
            ns.reshape(values[:0], a.shape)
        values = ns.astype(values, self.dtype, copy=False)
    else:
        values = ns.asarray(np.asarray(values).astype(a.dtype))
    return ns.where(ns.asarray(hit), values, self)


def _segment_sum(self, pos, values):
    """``self`` plus the sums of ``values`` (1-D) grouped by flat position ``pos``."""
    a = self._array
    if not _needs_graph(self, values):
        out = a.copy()
        v = values._array.astype(a.dtype, copy=False)
        np.add.at(out.reshape(-1), pos, v)
        return ns.Tensor._new(out)
    # Differentiable (every order): the values of each position gathered into a
    # table padded with zeros, then summed per row.
    # Note: the table has (number of positions) x (most hits at one position)
    # cells; exact, but large when one position collects many values.
    m = a.size
    counts = np.bincount(pos, minlength=m)
    width = builtins.max(int(counts.max()) if counts.size else 0, 1)
    order = np.argsort(pos, kind="stable")
    starts = np.cumsum(counts) - counts
    ranks = np.arange(pos.size) - starts[pos[order]]
    table = np.full((m, width), pos.size, dtype=np.int64)
    table[pos[order], ranks] = order
    v = ns.astype(values, self.dtype, copy=False)
    padded = ns.concat([v, ns.zeros(1, dtype=self.dtype)])
    sums = ns.sum(ns.reshape(ns.take(padded, ns.asarray(table.reshape(-1)), axis=0),
                             (m, width)), axis=1)
    return self + ns.reshape(sums, a.shape)


def _check_alpha(name, self, other, alpha):
    if isinstance(alpha, builtins.float) and not _is_float(self) and not (
            isinstance(other, builtins.float) or _arr(other).dtype.kind in "fc"):
        raise RuntimeError(f"{name}(): for integral input tensors, argument alpha must not be "
                           f"a floating point number")


def _check_float_fill(name, self):
    if self._array.dtype.kind not in "fc":
        raise RuntimeError(f"{name}(): expects a floating point tensor, got {self.dtype}")


def _lse(x, dims, keepdim):
    """``log(sum(exp(x)))`` over ``dims``, shifted by the (constant) maximum."""
    a = x._array
    if a.size:
        m = np.max(a.real if a.dtype.kind == "c" else a, axis=dims, keepdims=True)
        m = np.where(np.isfinite(m), m, 0).astype(a.dtype)
    else:
        m = np.zeros((1,) * a.ndim, dtype=a.dtype)
    mt = ns.Tensor._new(m)
    r = ns.log(ns.sum(ns.exp(x - mt), axis=dims, keepdims=True)) + mt
    return r if keepdim else ns.squeeze(r, axis=dims if dims is not None else
                                        tuple(range(a.ndim)))


def _softmax_input(name, self, dim, dtype):
    if dtype is not None:
        self = ns.astype(self, dtype, copy=False)
    if not _is_float(self):
        raise RuntimeError(f"{name}(): not implemented for {self.dtype}: softmax needs a "
                           f"floating point tensor (pass dtype=, or convert with float())")
    if dim is None:
        raise TypeError(f"{name}() missing 1 required positional argument: 'dim'")
    return self, (_dim(name, dim, self.ndim) if self.ndim else None)


def _select_k(name, self, k, dim, largest):
    """(x, d, indices of the ``k`` largest (smallest) values along ``d``, sorted)."""
    x = self if self.ndim else ns.reshape(self, (1,))
    d = _dim(name, dim, self.ndim)
    n = x.shape[d]
    k = operator.index(k)
    if not 0 <= k <= n:
        raise RuntimeError(f"{name}(): selected index k out of range (k={k}, size {n})")
    order = ns.argsort(_plain(x), axis=d, descending=builtins.bool(largest), stable=True)._array
    return x, d, np.take(order, np.arange(k), axis=d)


def _dims_of(name, dim, ndim):
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        return tuple(_dim(name, d, ndim) for d in dim)
    return _dim(name, dim, ndim)


def _unary_doc(name, what, example="[0.5, 0.25]"):
    return f"""{what}

        ``minitensor.{name}(self)``, as ``torch.Tensor.{name}``; differentiable.

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.asarray({example})
        >>> bool(xp.all(x.{name}() == xp.{name}(x)))
        True
        """


def _inplace_unary(name, method):
    def f(self):
        return _update(self, name, lambda t: getattr(t, method)())
    return _method(f, name, f"""``self.{method}()`` written into ``self``; returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.asarray([0.5, 2.0])
        >>> y = x.{method}()
        >>> x.{name}() is x, bool(xp.all(x == y))
        (True, True)
        """)


class _TensorMethods:
    """The PyTorch-style methods of ``Tensor`` (a mixin: ``Tensor`` inherits it;
    no state of its own)."""

    __slots__ = ()

    # -------------------------------------------------------------- reductions
    def sum(self, dim=None, keepdim=False, *, dtype=None, axis=_NO, keepdims=_NO):
        """Sum over ``dim`` (all elements by default), as ``torch.Tensor.sum``.

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.asarray([[1.0, 2.0], [3.0, 4.0]])
        >>> x.sum(), x.sum(dim=0), x.sum(1, keepdim=True).shape
        (Tensor(10., dtype=float64), Tensor([4., 6.], dtype=float64), (2, 1))
        """
        dim, keepdim = _pick("sum", dim, axis, keepdim, keepdims)
        return ns.sum(self, axis=dim, keepdims=keepdim, dtype=dtype)

    def prod(self, dim=None, keepdim=False, *, dtype=None, axis=_NO, keepdims=_NO):
        """Product over ``dim`` (all elements by default).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[1.0, 2.0], [3.0, 4.0]]).prod(1)
        Tensor([ 2., 12.], dtype=float64)
        """
        dim, keepdim = _pick("prod", dim, axis, keepdim, keepdims)
        return ns.prod(self, axis=dim, keepdims=keepdim, dtype=dtype)

    def mean(self, dim=None, keepdim=False, *, dtype=None, axis=_NO, keepdims=_NO):
        """Mean over ``dim`` (all elements by default); ``dtype`` casts first.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[1.0, 2.0], [3.0, 5.0]]).mean(dim=1)
        Tensor([1.5, 4. ], dtype=float64)
        >>> xp.asarray([1, 2]).mean(dtype=xp.float64)
        Tensor(1.5, dtype=float64)
        """
        dim, keepdim = _pick("mean", dim, axis, keepdim, keepdims)
        x = self if dtype is None else ns.astype(self, dtype, copy=False)
        if not _is_float(x):
            raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be "
                               f"either a floating point or complex dtype. Got: {x.dtype} "
                               f"(pass dtype= or convert with float())")
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
    exp = _unary("exp", "The exponential.", True)
    log = _unary("log", "The natural logarithm.", True)
    sqrt = _unary("sqrt", "The square root.", True)
    abs = _unary("abs", "The absolute value.")
    absolute = abs
    tanh = _unary("tanh", "The hyperbolic tangent.", True)
    log1p = _unary("log1p", "``log(1 + x)``, accurate for small ``x``.", True)
    expm1 = _unary("expm1", "``exp(x) - 1``, accurate for small ``x``.", True)
    log2 = _unary("log2", "The base-2 logarithm.", True)
    log10 = _unary("log10", "The base-10 logarithm.", True)
    sin = _unary("sin", "The sine.", True)
    cos = _unary("cos", "The cosine.", True)
    tan = _unary("tan", "The tangent.", True)
    sinh = _unary("sinh", "The hyperbolic sine.", True)
    cosh = _unary("cosh", "The hyperbolic cosine.", True)
    asin = _unary("asin", "The inverse sine.", True)
    acos = _unary("acos", "The inverse cosine.", True)
    atan = _unary("atan", "The inverse tangent.", True)
    sign = _unary("sign", "-1, 0 or 1 by the sign (dtype kept).")
    floor = _unary("floor", "Rounded down (dtype kept).")
    ceil = _unary("ceil", "Rounded up (dtype kept).")
    trunc = _unary("trunc", "Rounded toward zero (dtype kept).")
    reciprocal = _unary("reciprocal", "``1 / x``.", True)
    square = _unary("square", "``x * x``.")
    isnan = _unary("isnan", "Whether each element is NaN (a bool tensor).")
    isinf = _unary("isinf", "Whether each element is infinite (a bool tensor).")
    isfinite = _unary("isfinite", "Whether each element is finite (a bool tensor).")

    def sigmoid(self):
        """The logistic function ``1 / (1 + exp(-x))``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([0.0, 1000.0, -1000.0]).sigmoid()
        Tensor([0.5, 1. , 0. ], dtype=float64)
        """
        return 1.0 / (1.0 + ns.exp(-self))

    def relu(self):
        """``max(x, 0)``, with PyTorch's gradient at 0 (zero).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([-1.0, 0.0, 2.0]).relu()
        Tensor([0., 0., 2.], dtype=float64)
        """
        return ns.where(self > 0, self, 0)

    def clamp(self, min=None, max=None):
        """Values clipped into ``[min, max]``: numbers or tensors (broadcast), either
        may be None but not both.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([-2.0, 0.5, 2.0]).clamp(min=-1.0, max=1.0)
        Tensor([-1. ,  0.5,  1. ], dtype=float64)
        >>> xp.asarray([1.0, 2.0]).clamp(max=xp.asarray([0.0, 3.0]))
        Tensor([0., 2.], dtype=float64)
        """
        if min is None and max is None:
            raise RuntimeError("clamp(): at least one of 'min' or 'max' must not be None")
        return ns.clip(self, min, max)

    clip = clamp

    def pow(self, exponent):
        """``self ** exponent``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1.0, 2.0]).pow(3)
        Tensor([1., 8.], dtype=float64)
        """
        return ns.pow(self, exponent)

    # ------------------------------------------------------------------- shape
    def reshape(self, *shape):
        """``self`` with a new shape (``x.reshape(2, 3)`` or ``x.reshape((2, 3))``); a
        view when the strides allow, else a copy.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.arange(6).reshape(2, 3).shape, xp.arange(6).reshape((3, -1)).shape
        ((2, 3), (3, 2))
        """
        return ns.reshape(self, _dims("reshape", shape))

    def view(self, *shape):
        """A view with a new shape; RuntimeError when the strides do not allow a view
        (use ``reshape``, or ``contiguous().view(...)``).

        ``view(dtype)`` (PyTorch's and NumPy's): the same memory read as another dtype
        (a ``float``/``int``/``complex`` type, a DType, a NumPy dtype or a name); the
        last axis is rescaled when the item sizes differ (``complex128`` -> twice as
        many ``float64``). SciPy's ``RBFInterpolator`` calls ``d.view(float)``.

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.arange(6.0)
        >>> x.view(2, 3).shape, x.view(-1, 2).shape
        ((2, 3), (3, 2))
        >>> xp.asarray([1.0]).view(xp.int64).dtype
        minitensor.int64
        """
        if len(shape) == 1 and (isinstance(shape[0], (DType, type, np.dtype, str))):
            return _view_dtype(self, shape[0])
        shape = _dims("view", shape)
        try:
            ns._manipulation_functions._reshape_target(shape, self._array)
        except ValueError as e:
            raise RuntimeError(f"view(): shape {list(shape)} is invalid for input of size "
                               f"{self._array.size} ({e})") from None
        try:
            return ns.reshape(self, shape, copy=False)
        except ValueError:
            raise RuntimeError(
                f"view(): a tensor of shape {self.shape} and strides {self._array.strides} "
                f"cannot be viewed as shape {shape} without a copy; use reshape(...) (or "
                f"contiguous().view(...)) instead") from None

    def permute(self, *dims):
        """The axes reordered (``x.permute(1, 0)``); a view.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros((2, 3, 4)).permute(2, 0, 1).shape
        (4, 2, 3)
        """
        return ns.permute_dims(self, _dims("permute", dims))

    def transpose(self, dim0, dim1):
        """Axes ``dim0`` and ``dim1`` swapped; a view.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros((2, 3, 4)).transpose(0, -1).shape
        (4, 3, 2)
        """
        n = self.ndim
        d0, d1 = _dim("transpose", dim0, n), _dim("transpose", dim1, n)
        perm = list(range(n))
        if n:
            perm[d0], perm[d1] = perm[d1], perm[d0]
        return ns.permute_dims(self, tuple(perm))

    def t(self):
        """The transpose of a tensor with at most 2 dimensions (0-D and 1-D: itself,
        as a view).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[1, 2, 3]]).t()
        Tensor([[1],
                [2],
                [3]], dtype=int64)
        """
        n = self.ndim
        if n > 2:
            raise RuntimeError(f"t(): expects a tensor with <= 2 dimensions, got {n}-D; use "
                               f"transpose(dim0, dim1) or mT")
        return ns.permute_dims(self, (1, 0) if n == 2 else tuple(range(n)))

    def flatten(self, start_dim=0, end_dim=-1):
        """Dimensions ``start_dim..end_dim`` merged into one (a 0-d tensor gives 1-d).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros((2, 3, 4)).flatten().shape, xp.zeros((2, 3, 4)).flatten(1).shape
        ((24,), (2, 12))
        """
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
        a tuple; as PyTorch, a named dim whose size is not one is left alone).

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.zeros((2, 1, 3, 1))
        >>> x.squeeze().shape, x.squeeze(1).shape, x.squeeze(0).shape
        ((2, 3), (2, 3, 1), (2, 1, 3, 1))
        """
        n = self.ndim
        if dim is None:
            axes = tuple(i for i, s in enumerate(self.shape) if s == 1)
        else:
            dims = dim if isinstance(dim, (tuple, list)) else (dim,)
            axes = tuple(sorted({_dim("squeeze", d, n) for d in dims}))
            axes = tuple(a for a in axes if n and self.shape[a] == 1)
        return ns.squeeze(self, axis=axes)

    def unsqueeze(self, dim):
        """A size-one dimension inserted at ``dim`` (in ``[-ndim-1, ndim]``).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros((2, 3)).unsqueeze(0).shape, xp.zeros((2, 3)).unsqueeze(-1).shape
        ((1, 2, 3), (2, 3, 1))
        """
        return ns.expand_dims(self, axis=operator.index(dim))

    def expand(self, *sizes):
        """A broadcast view of shape ``sizes``; -1 keeps a dimension's size.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[1], [2]]).expand(2, 3)
        Tensor([[1, 1, 1],
                [2, 2, 2]], dtype=int64)
        """
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
        try:
            return ns.broadcast_to(self, shape)
        except ValueError as e:
            raise RuntimeError(f"expand(): the expanded size {list(shape)} must match the "
                               f"existing size {list(self.shape)} at non-singleton "
                               f"dimensions ({e})") from None

    def contiguous(self, memory_format=None):
        """``self`` if C-contiguous, else a C-contiguous copy (``memory_format`` is
        accepted and ignored: tensors have NumPy's C/strided layouts only).

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.zeros((2, 3))
        >>> x.contiguous() is x, x.t().contiguous().is_contiguous()
        (True, True)
        """
        if self._array.flags.c_contiguous:
            return self
        return ns.reshape(self, self.shape, copy=True)

    def clone(self, *, memory_format=None):
        """A copy (which stays in the graph: its gradient flows back to ``self``).

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.asarray([1.0, 2.0])
        >>> y = x.clone()
        >>> _ = y.fill_(0.0)
        >>> x
        Tensor([1., 2.], dtype=float64)
        """
        return ns.reshape(self, self.shape, copy=True)

    # -------------------------------------------------------- linear algebra
    def matmul(self, other):
        """``self @ other``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.ones((2, 3)).matmul(xp.ones(3))
        Tensor([3., 3.], dtype=float64)
        """
        return ns.matmul(self, other)

    def dot(self, other):
        """Inner product of two 1-D tensors (no complex conjugation, as ``torch.dot``).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1.0, 2.0]).dot(xp.asarray([3.0, 4.0]))
        Tensor(11., dtype=float64)
        """
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

    def to(self, *args, dtype=None, device=None, copy=False, non_blocking=False,
           memory_format=None):
        """``self`` with another dtype: ``to(dtype)``, ``to(device)``, ``to(device, dtype)``,
        ``to(other)`` (other's dtype), keywords ``dtype=``, ``device=``, ``copy=``.

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.asarray([1.5, 2.5])
        >>> x.to(xp.float32).dtype, x.to("cpu") is x, x.to(xp.asarray([1])).dtype
        (minitensor.float32, True, minitensor.int64)
        """
        for a in args:
            if isinstance(a, _TensorMethods):
                dtype = a.dtype
            elif isinstance(a, (DType, type, np.dtype)) or (
                    isinstance(a, str) and isinstance(getattr(ns, a, None), DType)):
                dtype = a
            else:
                device = a
        if device is not None:
            err = _accelerator_error(device, "to()")
            if err is not None:  # as PyTorch without CUDA (AssertionError, RuntimeError)
                raise err
        self.to_device(device)  # the device check
        if dtype is None:
            return ns.reshape(self, self.shape, copy=True) if copy else self
        return ns.astype(self, dtype, copy=builtins.bool(copy))

    def type_as(self, other):
        """``self`` cast to ``other``'s dtype.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1.5]).type_as(xp.asarray([1], dtype=xp.int32))
        Tensor([1], dtype=int32)
        """
        return ns.astype(self, other.dtype, copy=False)

    # --------------------------------------------------------------- sizes
    # (Note: no size(): ``size`` is the standard's attribute)
    def dim(self):
        """The number of dimensions (``ndim``).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros((2, 3)).dim()
        2
        """
        return self._array.ndim

    def numel(self):
        """The number of elements (PyTorch's name for the ``size`` attribute).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros((2, 3)).numel()
        6
        """
        return self._array.size

    # --------------------------------------------------------------- in place
    def zero_(self):
        """Fill with zeros in place; returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.ones(2).zero_()
        Tensor([0., 0.], dtype=float64)
        """
        return _write(self, "zero_", 0)

    def fill_(self, value):
        """Fill with ``value`` in place (cast to the tensor's dtype); returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros(2, dtype=xp.int32).fill_(7)
        Tensor([7, 7], dtype=int32)
        """
        if isinstance(value, _TensorMethods) and value.ndim != 0:
            raise RuntimeError(f"fill_(): expects a 0-d tensor value, got {value.ndim}-D")
        return _write(self, "fill_", value)

    def copy_(self, src):
        """Copy ``src`` (broadcast to ``self``'s shape, cast to its dtype, as PyTorch) in
        place; returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.zeros((2, 2))
        >>> x.copy_(xp.asarray([1.0, 2.0]))
        Tensor([[1., 2.],
                [1., 2.]], dtype=float64)
        """
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
        default).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros(1, dtype=xp.int32).new_full((2,), 5)
        Tensor([5, 5], dtype=int32)
        """
        self.to_device(device)  # the device check
        t = ns.full(_dims("new_full", (size,)), fill_value,
                    dtype=self.dtype if dtype is None else dtype)
        if requires_grad:
            t.requires_grad_(True)
        return t

    # ================================================ PyTorch methods (issue 13)
    # ----------------------------------------------------------- sizes, memory
    def view_as(self, other):
        """A view of ``self`` with ``other``'s shape (``self.view(other.shape)``).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.arange(6.0).view_as(xp.zeros((2, 3))).shape
        (2, 3)
        """
        return self.view(other.shape)

    def expand_as(self, other):
        """A broadcast view of ``self`` with ``other``'s shape (``self.expand(other.shape)``).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1.0, 2.0]).expand_as(xp.zeros((3, 2))).shape
        (3, 2)
        """
        return self.expand(other.shape)

    def repeat(self, *sizes):
        """The tensor tiled ``sizes[i]`` times along each dimension (``torch.Tensor.repeat``,
        NumPy's ``tile``; ``len(sizes)`` >= ``ndim``, extra sizes add leading dimensions).

        Note: the namespace's ``minitensor.repeat`` is the standard's (it repeats each
        element, PyTorch's ``repeat_interleave``); this method is PyTorch's.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1, 2]).repeat(2, 2)
        Tensor([[1, 2, 1, 2],
                [1, 2, 1, 2]], dtype=int64)
        """
        sizes = _dims("repeat", sizes)
        if len(sizes) < self.ndim:
            raise RuntimeError(f"repeat(): number of dimensions of repeat dims ({len(sizes)}) "
                               f"can not be smaller than number of dimensions of tensor "
                               f"({self.ndim})")
        if builtins.any(s < 0 for s in sizes):
            raise RuntimeError(f"repeat(): repeats must be non-negative, got {sizes}")
        return ns.tile(self, sizes)

    def repeat_interleave(self, repeats, dim=None, *, output_size=None):
        """Each element repeated ``repeats`` times along ``dim`` (of the flattened tensor
        when ``dim`` is None); ``repeats`` is an int or a 1-D tensor of counts.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[1, 2], [3, 4]]).repeat_interleave(2, dim=0)
        Tensor([[1, 2],
                [1, 2],
                [3, 4],
                [3, 4]], dtype=int64)
        >>> xp.asarray([1, 2]).repeat_interleave(xp.asarray([1, 3]))
        Tensor([1, 2, 2, 2], dtype=int64)
        """
        x = self
        if dim is None:
            x, d = ns.reshape(self, (-1,)), 0
        else:
            d = _dim("repeat_interleave", dim, self.ndim)
        if isinstance(repeats, _TensorMethods) and repeats.ndim == 0:
            repeats = builtins.int(repeats)
        r = ns.repeat(x, repeats, axis=d)
        if output_size is not None and r.shape[d] != output_size:
            raise RuntimeError(f"repeat_interleave(): output_size {output_size} differs from "
                               f"the result's size {r.shape[d]}")
        return r

    def is_contiguous(self):
        """Whether the elements are laid out in C order without gaps.

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.zeros((2, 3))
        >>> x.is_contiguous(), x.t().is_contiguous()
        (True, False)
        """
        return builtins.bool(self._array.flags.c_contiguous)

    def cpu(self):
        """``self`` (the CPU is minitensor's only device).

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.ones(2)
        >>> x.cpu() is x
        True
        """
        return self

    def cuda(self, device=None, non_blocking=False):
        """Always raises ``NoDeviceError`` (a RuntimeError and an AssertionError, as
        PyTorch without CUDA): minitensor has no CUDA device.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.ones(2).cuda()
        Traceback (most recent call last):
        ...
        minitensor._tensor_methods.NoDeviceError: cuda(): minitensor has no CUDA support (the CPU is its only device)
        """
        raise NoDeviceError("cuda(): minitensor has no CUDA support (the CPU is its only device)")

    @property
    def is_cuda(self):
        """False: tensors live on the CPU.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.ones(1).is_cuda
        False
        """
        return False

    def type(self, dtype=None, non_blocking=False):
        """Without ``dtype``, PyTorch's type name (``'torch.DoubleTensor'`` for float64);
        with a dtype (or such a name), ``self`` cast to it.

        # Note: the names are PyTorch's (``torch.FloatTensor``...), so code that
        # compares them keeps working under ``minitensor.torch``.

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.asarray([1.5, 2.5])
        >>> x.type()
        'torch.DoubleTensor'
        >>> x.type(xp.int64)
        Tensor([1, 2], dtype=int64)
        >>> x.type("torch.FloatTensor").dtype
        minitensor.float32
        """
        if dtype is None:
            return "torch." + _TYPE_NAMES[self.dtype.name]
        if isinstance(dtype, str) and dtype.endswith("Tensor"):
            names = {v: k for k, v in _TYPE_NAMES.items()}
            key = dtype.rsplit(".", 1)[-1]
            if key not in names:
                raise ValueError(f"type(): invalid type {dtype!r}")
            dtype = getattr(ns, names[key])
        return ns.astype(self, dtype, copy=False)

    def short(self):
        """``self`` as int16 (itself if it already is).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1.7, -2.2]).short()
        Tensor([ 1, -2], dtype=int16)
        """
        return ns.astype(self, ns.int16, copy=False)

    def byte(self):
        """``self`` as uint8 (itself if it already is).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1, 255]).byte()
        Tensor([  1, 255], dtype=uint8)
        """
        return ns.astype(self, ns.uint8, copy=False)

    def char(self):
        """``self`` as int8 (itself if it already is).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1, -3]).char()
        Tensor([ 1, -3], dtype=int8)
        """
        return ns.astype(self, ns.int8, copy=False)

    def nelement(self):
        """The number of elements (as ``numel()``).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros((2, 3)).nelement()
        6
        """
        return self._array.size

    def ndimension(self):
        """The number of dimensions (as ``dim()``).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros((2, 3)).ndimension()
        2
        """
        return self._array.ndim

    def element_size(self):
        """The size of one element in bytes.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros(2, dtype=xp.float32).element_size()
        4
        """
        return self._array.itemsize

    def stride(self, dim=None):
        """The strides in elements (a tuple), or the stride of dimension ``dim``.

        Note: a view with a negative step (``x[::-1]``) has negative strides (NumPy's
        views); PyTorch has no such views.

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.zeros((2, 3))
        >>> x.stride(), x.t().stride(), x.stride(-1)
        ((3, 1), (1, 3), 1)
        """
        a = self._array
        st = tuple(s // a.itemsize for s in a.strides)
        if dim is None:
            return st
        if not a.ndim:
            raise IndexError(f"stride(): dimension specified as {dim} but tensor has no "
                             f"dimensions")
        return st[_dim("stride", dim, a.ndim)]

    def is_floating_point(self):
        """Whether the dtype is a real floating-point type.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.ones(1).is_floating_point(), xp.asarray([1]).is_floating_point()
        (True, False)
        """
        return self._array.dtype.kind == "f"

    def is_complex(self):
        """Whether the dtype is complex.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1j]).is_complex()
        True
        """
        return self._array.dtype.kind == "c"

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
        """A new tensor holding a copy of ``data``, with ``self``'s dtype by default.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros(2, dtype=xp.float32).new_tensor([1, 2])
        Tensor([1., 2.], dtype=float32)
        """
        self.to_device(device)  # the device check
        if isinstance(data, _TensorMethods):
            data = data._array
        t = ns.asarray(np.array(data), dtype=self.dtype if dtype is None else dtype, copy=True)
        if requires_grad:
            t.requires_grad_(True)
        return t

    # ----------------------------------------------------------- comparisons
    def eq(self, other):
        """``self == other`` elementwise (a bool tensor).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1, 2]).eq(2)
        Tensor([False,  True], dtype=bool)
        """
        return ns.equal(self, other)

    def ne(self, other):
        """``self != other`` elementwise (a bool tensor).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1, 2]).ne(2)
        Tensor([ True, False], dtype=bool)
        """
        return ns.not_equal(self, other)

    def lt(self, other):
        """``self < other`` elementwise (a bool tensor).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1, 2]).lt(2)
        Tensor([ True, False], dtype=bool)
        """
        return ns.less(self, other)

    def le(self, other):
        """``self <= other`` elementwise (a bool tensor).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1, 2]).le(1)
        Tensor([ True, False], dtype=bool)
        """
        return ns.less_equal(self, other)

    def gt(self, other):
        """``self > other`` elementwise (a bool tensor).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1, 2]).gt(1)
        Tensor([False,  True], dtype=bool)
        """
        return ns.greater(self, other)

    def ge(self, other):
        """``self >= other`` elementwise (a bool tensor).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1, 2]).ge(2)
        Tensor([False,  True], dtype=bool)
        """
        return ns.greater_equal(self, other)

    def equal(self, other):
        """True if ``other`` has ``self``'s shape and equal elements (a Python bool).

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.asarray([1.0, 2.0])
        >>> x.equal(xp.asarray([1.0, 2.0])), x.equal(xp.asarray([1.0]))
        (True, False)
        """
        o = _arr(other)
        return self.shape == o.shape and builtins.bool(np.array_equal(self._array, o))

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        """``|self - other| <= atol + rtol * |other|`` elementwise (a bool tensor; equal
        infinities are close, NaNs only with ``equal_nan``).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1.0, 2.0]).isclose(xp.asarray([1.0 + 1e-9, 2.1]))
        Tensor([ True, False], dtype=bool)
        """
        return ns.Tensor._new(np.asarray(np.isclose(self._array, _arr(other), rtol=rtol,
                                                    atol=atol, equal_nan=equal_nan)))

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        """Whether all elements are ``isclose`` (a Python bool).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1.0, 2.0]).allclose(xp.asarray([1.0, 2.0 + 1e-9]))
        True
        """
        return builtins.bool(np.allclose(self._array, _arr(other), rtol=rtol, atol=atol,
                                         equal_nan=equal_nan))

    # ------------------------------------------------------------ arithmetic
    def add(self, other, *, alpha=1):
        """``self + alpha * other``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1.0, 2.0]).add(xp.asarray([1.0, 1.0]), alpha=10)
        Tensor([11., 12.], dtype=float64)
        """
        _check_alpha("add", self, other, alpha)
        return ns.add(self, other if alpha == 1 else ns.multiply(other, alpha)
                      if isinstance(other, _TensorMethods) else other * alpha)

    def sub(self, other, *, alpha=1):
        """``self - alpha * other``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1.0, 2.0]).sub(1.0, alpha=2)
        Tensor([-1.,  0.], dtype=float64)
        """
        _check_alpha("sub", self, other, alpha)
        return ns.subtract(self, other if alpha == 1 else ns.multiply(other, alpha)
                           if isinstance(other, _TensorMethods) else other * alpha)

    subtract = sub

    def mul(self, other):
        """``self * other``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1.0, 2.0]).mul(3)
        Tensor([3., 6.], dtype=float64)
        """
        return ns.multiply(self, other)

    multiply = mul

    def div(self, other, *, rounding_mode=None):
        """``self / other``: true division (a floating result, also for integers), or
        rounded with ``rounding_mode="trunc"`` (toward zero) or ``"floor"``.

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.asarray([-7, 7])
        >>> x.div(2)
        Tensor([-3.5,  3.5], dtype=float64)
        >>> x.div(2, rounding_mode="trunc"), x.div(2, rounding_mode="floor")
        (Tensor([-3,  3], dtype=int64), Tensor([-4,  3], dtype=int64))
        """
        if rounding_mode is None:
            return ns.divide(self, other)
        if rounding_mode == "floor":
            return ns.floor_divide(self, other)
        if rounding_mode != "trunc":
            raise RuntimeError(f"div(): expected rounding_mode to be one of None, 'trunc', or "
                             f"'floor' but found {rounding_mode!r}")
        q = ns.floor_divide(self, other)
        if _is_float(q):
            return ns.trunc(ns.divide(self, other))
        # integers: floor toward zero, exactly
        a, b = self._array, _arr(other)
        fix = (np.remainder(a, b) != 0) & ((a < 0) != (b < 0))
        return ns.Tensor._new(np.asarray(q._array + fix.astype(q._array.dtype)))

    divide = div

    def true_divide(self, other):
        """``self / other`` (a floating result, also for integers).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1, 2]).true_divide(4)
        Tensor([0.25, 0.5 ], dtype=float64)
        """
        return ns.divide(self, other)

    def floor_divide(self, other):
        """``self // other`` (rounded toward minus infinity).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([-7, 7]).floor_divide(2)
        Tensor([-4,  3], dtype=int64)
        """
        return ns.floor_divide(self, other)

    def remainder(self, other):
        """``self % other`` with the sign of ``other`` (Python's modulo).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([-7, 7]).remainder(3)
        Tensor([2, 1], dtype=int64)
        """
        return ns.remainder(self, other)

    def fmod(self, other):
        """The C remainder of ``self / other``: the sign of ``self`` (``math.fmod``).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([-7.0, 7.0]).fmod(3)
        Tensor([-1.,  1.], dtype=float64)
        """
        r = ns.remainder(self, other)
        if not _is_float(r):
            return ns.Tensor._new(np.asarray(np.fmod(self._array, _arr(other))))
        # fmod = remainder - other where the signs of self and the remainder differ
        flip = ns.asarray(np.asarray((r._array != 0) & ((self._array < 0) != (r._array < 0))))
        return r - ns.where(flip, other, 0)

    def neg(self):
        """``-self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1, -2]).neg()
        Tensor([-1,  2], dtype=int64)
        """
        return ns.negative(self)

    negative = neg

    def erf(self):
        """The error function of each element (floating result; differentiable).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([0.0, 0.5]).erf()
        Tensor([0.        , 0.52049988], dtype=float64)
        """
        return sys.modules[__package__ + "._special_functions"].erf(self)

    def erfc(self):
        """``1 - erf(self)``, accurate where ``erf`` is close to 1 (differentiable).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([0.0, 3.0]).erfc()
        Tensor([1.0000000e+00, 2.2090497e-05], dtype=float64)
        """
        return sys.modules[__package__ + "._special_functions"].erfc(self)

    def lgamma(self):
        """``log(abs(gamma(self)))`` of each element (floating result; differentiable).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1.0, 0.5]).lgamma()
        Tensor([0.        , 0.57236494], dtype=float64)
        """
        return sys.modules[__package__ + "._special_functions"].gammaln(self)

    def digamma(self):
        """The digamma function of each element, the derivative of ``lgamma``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1.0]).digamma()
        Tensor([-0.57721566], dtype=float64)
        """
        return sys.modules[__package__ + "._special_functions"].digamma(self)

    def polygamma(self, n):
        """The ``n``-th derivative of ``digamma`` of each element (``torch.polygamma(n, self)``).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1.0]).polygamma(1)
        Tensor([1.64493407], dtype=float64)
        """
        return sys.modules[__package__ + "._special_functions"].polygamma(n, self)

    def rsqrt(self):
        """``1 / sqrt(self)`` (floating result).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([4.0, 0.25]).rsqrt()
        Tensor([0.5, 2. ], dtype=float64)
        """
        return ns.reciprocal(ns.sqrt(_floating(self)))

    def round(self, decimals=0):
        """Values rounded half to even, to ``decimals`` decimal places (``x * 10**d``
        rounded, divided by ``10**d``, as PyTorch).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([0.5, 1.5, 2.675]).round()
        Tensor([0., 2., 3.], dtype=float64)
        >>> xp.asarray([1.2345]).round(decimals=2)
        Tensor([1.23], dtype=float64)
        """
        decimals = operator.index(decimals)
        if decimals == 0 or not _is_float(self):
            return ns.round(self)
        s = 10.0 ** decimals
        return ns.round(self * s) / s

    def maximum(self, other):
        """The elementwise maximum (NaN propagates).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1.0, 5.0]).maximum(xp.asarray([3.0, 2.0]))
        Tensor([3., 5.], dtype=float64)
        """
        return ns.maximum(self, other)

    def minimum(self, other):
        """The elementwise minimum (NaN propagates).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1.0, 5.0]).minimum(xp.asarray([3.0, 2.0]))
        Tensor([1., 2.], dtype=float64)
        """
        return ns.minimum(self, other)

    def where(self, condition, other):
        """``self`` where ``condition`` holds, else ``other`` (``torch.where(condition,
        self, other)``).

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.asarray([1.0, -2.0])
        >>> x.where(x > 0, 0.0)
        Tensor([1., 0.], dtype=float64)
        """
        return ns.where(condition, self, other)

    def lerp(self, end, weight):
        """``self + weight * (end - self)``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([0.0, 10.0]).lerp(xp.asarray([10.0, 20.0]), 0.5)
        Tensor([ 5., 15.], dtype=float64)
        """
        return self + weight * (end - self)

    def addcmul(self, tensor1, tensor2, *, value=1):
        """``self + value * tensor1 * tensor2``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros(2).addcmul(xp.asarray([1.0, 2.0]), xp.asarray([3.0, 4.0]), value=0.5)
        Tensor([1.5, 4. ], dtype=float64)
        """
        return self + value * (tensor1 * tensor2)

    def addcdiv(self, tensor1, tensor2, *, value=1):
        """``self + value * tensor1 / tensor2``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.ones(2).addcdiv(xp.asarray([1.0, 2.0]), xp.asarray([4.0, 4.0]), value=2)
        Tensor([1.5, 2. ], dtype=float64)
        """
        return self + value * (tensor1 / tensor2)

    # -------------------------------------------------- softmax, norms, scans
    def softmax(self, dim, dtype=None):
        """``exp(x) / sum(exp(x))`` along ``dim`` (computed stably; floating tensors).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[0.0, 0.0], [0.0, 2.0 ** 0.5]]).softmax(1).sum(1)
        Tensor([1., 1.], dtype=float64)
        """
        x, d = _softmax_input("softmax", self, dim, dtype)
        return ns.exp(x - _lse(x, d, True))

    def log_softmax(self, dim, dtype=None):
        """``x - logsumexp(x)`` along ``dim`` (floating tensors).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1000.0, 1000.0]).log_softmax(0)
        Tensor([-0.69314718, -0.69314718], dtype=float64)
        """
        x, d = _softmax_input("log_softmax", self, dim, dtype)
        return x - _lse(x, d, True)

    def logsumexp(self, dim, keepdim=False):
        """``log(sum(exp(x)))`` over ``dim`` (an int or a tuple), computed stably.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[1000.0, 1000.0]]).logsumexp(1)
        Tensor([1000.69314718], dtype=float64)
        """
        x = _floating(self)
        return _lse(x, _dims_of("logsumexp", dim, self.ndim), builtins.bool(keepdim))

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        """The ``p``-norm of the elements (over ``dim``: an int or a tuple of ints):
        ``p`` a number (``inf`` included) or ``"fro"`` (the 2-norm of the entries);
        ``"nuc"``: the nuclear norm of the matrices over two ``dim``.

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.asarray([[3.0, 4.0], [0.0, 0.0]])
        >>> float(x.norm()), x.norm(1, dim=1)
        (5.0, Tensor([7., 0.], dtype=float64))
        """
        x = _floating(self) if dtype is None else ns.astype(self, dtype, copy=False)
        d = _dims_of("norm", dim, self.ndim)
        if p == "nuc":
            x2 = x
            if d is None:
                d = (0, 1)
            if not isinstance(d, tuple) or len(d) != 2:
                raise RuntimeError("norm(): the nuclear norm needs two dims")
            x2 = ns.moveaxis(x, d, (-2, -1))
            r = ns.linalg.matrix_norm(x2, ord="nuc", keepdims=builtins.bool(keepdim))
            if keepdim:
                r = ns.moveaxis(r, (-2, -1), d)
            return r
        if p == "fro" or p is None:
            p = 2
        return ns.linalg.vector_norm(x, axis=d, keepdims=builtins.bool(keepdim), ord=p)

    def cumsum(self, dim, *, dtype=None):
        """Cumulative sums along ``dim`` (integers and bools sum as int64, as PyTorch).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[1, 2], [3, 4]]).cumsum(1)
        Tensor([[1, 3],
                [3, 7]], dtype=int64)
        """
        x = self if self.ndim else ns.reshape(self, (1,))
        if dtype is None and x._array.dtype.kind in "biu":
            dtype = int64
        r = ns.cumulative_sum(x, axis=_dim("cumsum", dim, self.ndim), dtype=dtype)
        return r if self.ndim else ns.reshape(r, ())

    def cumprod(self, dim, *, dtype=None):
        """Cumulative products along ``dim`` (integers and bools multiply as int64).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1.0, 2.0, 3.0]).cumprod(0)
        Tensor([1., 2., 6.], dtype=float64)
        """
        x = self if self.ndim else ns.reshape(self, (1,))
        if dtype is None and x._array.dtype.kind in "biu":
            dtype = int64
        r = ns.cumulative_prod(x, axis=_dim("cumprod", dim, self.ndim), dtype=dtype)
        return r if self.ndim else ns.reshape(r, ())

    def amax(self, dim=(), keepdim=False):
        """The maximum over ``dim`` (an int or a tuple; all dims by default); the
        gradient is split evenly between equal maxima.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[1.0, 5.0], [7.0, 2.0]]).amax(1)
        Tensor([5., 7.], dtype=float64)
        """
        d = _dims_of("amax", dim, self.ndim)
        return ns.max(self, axis=None if d == () else d, keepdims=builtins.bool(keepdim))

    def amin(self, dim=(), keepdim=False):
        """The minimum over ``dim`` (an int or a tuple; all dims by default).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[1.0, 5.0], [7.0, 2.0]]).amin(1)
        Tensor([1., 2.], dtype=float64)
        """
        d = _dims_of("amin", dim, self.ndim)
        return ns.min(self, axis=None if d == () else d, keepdims=builtins.bool(keepdim))

    # ------------------------------------------------------ sorting, selection
    def sort(self, dim=-1, descending=False, stable=False):
        """The values sorted along ``dim`` and their indices: a named tuple ``(values,
        indices)``. The sort is always stable (equal values keep their order).

        Examples
        --------
        >>> import minitensor as xp
        >>> r = xp.asarray([3.0, 1.0, 2.0]).sort(descending=True)
        >>> r.values, r.indices
        (Tensor([3., 2., 1.], dtype=float64), Tensor([0, 2, 1], dtype=int64))
        """
        x = self if self.ndim else ns.reshape(self, (1,))
        d = _dim("sort", dim, self.ndim)
        idx = ns.argsort(_plain(x), axis=d, descending=builtins.bool(descending), stable=True)
        values = ns.take_along_axis(x, idx, axis=d)
        if not self.ndim:
            values, idx = ns.reshape(values, ()), ns.reshape(idx, ())
        return _sort_result(values, idx)

    def argsort(self, dim=-1, descending=False, stable=False):
        """The indices that sort the tensor along ``dim`` (a stable sort).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([3.0, 1.0, 2.0]).argsort()
        Tensor([1, 2, 0], dtype=int64)
        """
        return self.sort(dim, descending).indices

    def topk(self, k, dim=-1, largest=True, sorted=True):
        """The ``k`` largest (``largest=False``: smallest) values along ``dim`` and their
        indices, sorted: a named tuple ``(values, indices)``.

        Examples
        --------
        >>> import minitensor as xp
        >>> r = xp.asarray([1.0, 5.0, 3.0, 4.0]).topk(2)
        >>> r.values, r.indices
        (Tensor([5., 4.], dtype=float64), Tensor([1, 3], dtype=int64))
        """
        x, d, idx = _select_k("topk", self, k, dim, largest)
        idx = ns.Tensor._new(idx)
        values = ns.take_along_axis(x, idx, axis=d)
        if not self.ndim:
            values, idx = ns.reshape(values, ()), ns.reshape(idx, ())
        return _topk_result(values, idx)

    def kthvalue(self, k, dim=-1, keepdim=False):
        """The ``k``-th smallest value along ``dim`` (``k`` from 1) and its index: a
        named tuple ``(values, indices)``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[3.0, 1.0, 2.0]]).kthvalue(2, dim=1)
        kthvalue(values=Tensor([2.], dtype=float64), indices=Tensor([2], dtype=int64))
        """
        k = operator.index(k)
        n = self.shape[_dim("kthvalue", dim, self.ndim)] if self.ndim else 1
        if not 1 <= k <= n:
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension "
                               f"{dim} (k={k}, size {n})")
        x, d, idx = _select_k("kthvalue", self, k, dim, False)
        idx = ns.Tensor._new(np.take(idx, [k - 1], axis=d))
        values = ns.take_along_axis(x, idx, axis=d)
        if not keepdim or not self.ndim:
            values, idx = ns.squeeze(values, axis=d), ns.squeeze(idx, axis=d)
        return _kthvalue_result(values, idx)

    def median(self, dim=None, keepdim=False):
        """The lower median: of all elements (a 0-d tensor) without ``dim``; along
        ``dim``, a named tuple ``(values, indices)``. (Of an even count, the smaller of
        the two middle values, as PyTorch; not their mean, as NumPy.)

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.asarray([[1.0, 4.0, 3.0, 2.0]])
        >>> x.median()
        Tensor(2., dtype=float64)
        >>> x.median(1)
        median(values=Tensor([2.], dtype=float64), indices=Tensor([3], dtype=int64))
        """
        if dim is None:
            flat = ns.reshape(self, (-1,))
            n = flat.shape[0]
            if n == 0:
                return ns.asarray(np.nan, dtype=self.dtype)
            return ns.reshape(flat.median(0).values, ())
        d = _dim("median", dim, self.ndim)
        n = self.shape[d] if self.ndim else 1
        r = self.kthvalue((n - 1) // 2 + 1, dim, keepdim)
        a = self._array
        if a.dtype.kind in "fc" and self.ndim and np.isnan(a).any():
            # as PyTorch: a slice holding NaN has median NaN, at its first NaN
            nan = np.isnan(a)
            idx = np.where(nan.any(axis=d, keepdims=True), nan.argmax(axis=d, keepdims=True),
                           r.indices._array if keepdim else
                           np.expand_dims(r.indices._array, d))
            it = ns.asarray(idx)
            values = ns.take_along_axis(self, it, axis=d)
            if not keepdim:
                values, it = ns.squeeze(values, axis=d), ns.squeeze(it, axis=d)
            return _median_result(values, it)
        return _median_result(r.values, r.indices)

    # ------------------------------------------------------------- splitting
    def split(self, split_size_or_sections, dim=0):
        """Views of consecutive pieces along ``dim``: of ``split_size`` each (the last
        may be smaller), or of the sizes in a list (which must add up to the length).

        Examples
        --------
        >>> import minitensor as xp
        >>> [p.shape for p in xp.arange(5.0).split(2)]
        [(2,), (2,), (1,)]
        >>> [p.shape for p in xp.zeros((2, 5)).split([1, 4], dim=1)]
        [(2, 1), (2, 4)]
        """
        if self.ndim == 0:
            raise RuntimeError("split(): expects at least a 1-dimensional tensor")
        d = _dim("split", dim, self.ndim)
        n = self.shape[d]
        if isinstance(split_size_or_sections, (list, tuple)):
            sizes = _dims("split", tuple(split_size_or_sections))
            if builtins.sum(sizes) != n or builtins.any(s < 0 for s in sizes):
                raise RuntimeError(f"split(): split_with_sizes expects split_sizes to sum "
                                   f"exactly to {n} (input tensor's size at dimension {d}), "
                                   f"but got split_sizes={list(sizes)}")
        else:
            s = operator.index(split_size_or_sections)
            if s <= 0 and not (s == 0 and n == 0):
                raise RuntimeError(f"split(): split_size must be positive, got {s}")
            sizes = [s] * (n // s) + ([n % s] if n % s else []) if s else [0]
        out, start = [], 0
        for s in sizes:
            out.append(_slice_along(self, d, start, start + s))
            start += s
        return tuple(out)

    def chunk(self, chunks, dim=0):
        """At most ``chunks`` views of (nearly) equal size along ``dim`` (each
        ``ceil(length / chunks)`` long, the last one shorter).

        Examples
        --------
        >>> import minitensor as xp
        >>> [p.shape for p in xp.zeros((2, 3)).chunk(4, dim=1)]
        [(2, 1), (2, 1), (2, 1)]
        """
        chunks = operator.index(chunks)
        if chunks <= 0:
            raise RuntimeError(f"chunk(): chunk expects `chunks` to be greater than 0, got: "
                               f"{chunks}")
        if self.ndim == 0:
            raise RuntimeError("chunk(): expects at least a 1-dimensional tensor")
        d = _dim("chunk", dim, self.ndim)
        n = self.shape[d]
        if n == 0:  # as PyTorch: ``chunks`` empty pieces
            return tuple(_slice_along(self, d, 0, 0) for _ in range(chunks))
        return self.split(-(-n // chunks), dim)

    def unbind(self, dim=0):
        """The slices along ``dim`` (a tuple of views with that dimension removed).

        Examples
        --------
        >>> import minitensor as xp
        >>> a, b = xp.asarray([[1, 2], [3, 4]]).unbind(1)
        >>> a
        Tensor([1, 3], dtype=int64)
        """
        if self.ndim == 0:
            raise IndexError("unbind(): dimension specified as 0 but tensor has no dimensions")
        return tuple(ns.unstack(self, axis=_dim("unbind", dim, self.ndim)))

    def narrow(self, dim, start, length):
        """The view of ``length`` elements along ``dim`` from ``start`` (negative
        ``start`` counts from the end).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.arange(6).narrow(0, 2, 3)
        Tensor([2, 3, 4], dtype=int64)
        """
        if self.ndim == 0:
            raise RuntimeError("narrow(): cannot be applied to a 0-dim tensor")
        d = _dim("narrow", dim, self.ndim)
        n = self.shape[d]
        start, length = operator.index(start), operator.index(length)
        if not -n <= start <= n:
            raise IndexError(f"narrow(): start out of range (expected to be in range of "
                             f"[{-n}, {n}], but got {start})")
        if start < 0:
            start += n
        if length < 0:
            raise RuntimeError("narrow(): length must be non-negative")
        if start + length > n:
            raise RuntimeError(f"narrow(): start ({start}) + length ({length}) exceeds "
                               f"dimension size ({n}).")
        return _slice_along(self, d, start, start + length)

    def unflatten(self, dim, sizes):
        """Dimension ``dim`` split into ``sizes`` (one of them may be -1).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros((2, 6)).unflatten(1, (3, -1)).shape
        (2, 3, 2)
        """
        d = _dim("unflatten", dim, self.ndim)
        sizes = _dims("unflatten", tuple(sizes))
        n = self.shape[d]
        if builtins.list(sizes).count(-1) > 1:
            raise RuntimeError("unflatten(): only one dimension can be inferred")
        known = math.prod(s for s in sizes if s != -1)
        if -1 in sizes:
            if known == 0 or n % known:
                raise RuntimeError(f"unflatten(): sizes {list(sizes)} do not fit dimension "
                                   f"{d} of size {n}")
            sizes = tuple(n // known if s == -1 else s for s in sizes)
        elif known != n:
            raise RuntimeError(f"unflatten(): provided sizes {list(sizes)} don't multiply up "
                               f"to the size of dim {d} ({n}) in the input tensor")
        return ns.reshape(self, self.shape[:d] + sizes + self.shape[d + 1:])

    # ---------------------------------------------------- reordering, matrices
    def flip(self, *dims):
        """The elements reversed along ``dims`` (``x.flip(0)``, ``x.flip((0, 1))``).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[1, 2], [3, 4]]).flip(0, 1)
        Tensor([[4, 3],
                [2, 1]], dtype=int64)
        """
        dims = _dims("flip", dims)
        d = tuple(_dim("flip", i, self.ndim) for i in dims)
        if len(set(d)) != len(d):
            raise RuntimeError(f"flip(): dims has duplicates: {list(dims)}")
        return ns.flip(self, axis=d) if d and self.ndim else ns.reshape(self, self.shape)

    def roll(self, shifts, dims=None):
        """The elements shifted circularly by ``shifts`` along ``dims`` (of the flattened
        tensor when ``dims`` is None).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1, 2, 3]).roll(1)
        Tensor([3, 1, 2], dtype=int64)
        """
        shifts = _int_tuple("roll", shifts)
        if dims is None:
            if len(shifts) != 1:
                raise RuntimeError("roll(): shifts and dimensions must align (no dims given)")
            return ns.roll(self, shift=shifts[0])
        dims = tuple(_dim("roll", i, self.ndim) for i in _int_tuple("roll", dims))
        if len(dims) != len(shifts):
            raise RuntimeError(f"roll(): shifts and dimensions must align. shifts: "
                               f"{len(shifts)}, dims:{len(dims)}")
        return ns.roll(self, shift=shifts, axis=dims)

    def tril(self, diagonal=0):
        """The lower triangle (elements above ``diagonal`` set to zero).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.ones((2, 2)).tril()
        Tensor([[1., 0.],
                [1., 1.]], dtype=float64)
        """
        return ns.tril(self, k=operator.index(diagonal))

    def triu(self, diagonal=0):
        """The upper triangle (elements below ``diagonal`` set to zero).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.ones((2, 2)).triu(1)
        Tensor([[0., 1.],
                [0., 0.]], dtype=float64)
        """
        return ns.triu(self, k=operator.index(diagonal))

    def diag(self, diagonal=0):
        """A 1-D tensor: the square matrix with it on diagonal ``diagonal``; a 2-D tensor:
        that diagonal, as 1-D.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1, 2]).diag()
        Tensor([[1, 0],
                [0, 2]], dtype=int64)
        """
        if self.ndim not in (1, 2):
            raise RuntimeError(f"diag(): expects a 1D or 2D tensor, got {self.ndim}D")
        k = operator.index(diagonal)
        # composed of differentiable indexing (take / integer-array indexing)
        if self.ndim == 2:
            r, c = self.shape
            i = np.arange(builtins.max(0, -k), builtins.min(r, c - k)) if k < c else \
                np.arange(0)
            return self[i, i + k]
        n = self.shape[0]
        m = n + builtins.abs(k)
        table = np.full((m, m), n, dtype=np.int64)  # n: the zero appended below
        i = np.arange(n)
        table[i + builtins.max(0, -k), i + builtins.max(0, k)] = i
        padded = ns.concat([self, ns.zeros(1, dtype=self.dtype)])
        return ns.reshape(ns.take(padded, ns.asarray(table.reshape(-1)), axis=0), (m, m))

    def mm(self, mat2):
        """The matrix product of two 2-D tensors.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.ones((2, 3)).mm(xp.ones((3, 1)))
        Tensor([[3.],
                [3.]], dtype=float64)
        """
        if self.ndim != 2:
            raise RuntimeError(f"mm(): self must be a matrix, got {self.ndim}-D")
        if getattr(mat2, "ndim", None) != 2:
            raise RuntimeError("mm(): mat2 must be a matrix")
        if self.shape[1] != mat2.shape[0]:
            raise RuntimeError(f"mm(): mat1 and mat2 shapes cannot be multiplied "
                               f"({self.shape[0]}x{self.shape[1]} and "
                               f"{mat2.shape[0]}x{mat2.shape[1]})")
        return ns.matmul(self, mat2)

    def bmm(self, mat2):
        """The batched matrix product of two 3-D tensors (same batch size).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.ones((4, 2, 3)).bmm(xp.ones((4, 3, 5))).shape
        (4, 2, 5)
        """
        if self.ndim != 3 or getattr(mat2, "ndim", None) != 3:
            raise RuntimeError("bmm(): batch1 and batch2 must be 3D tensors")
        if self.shape[0] != mat2.shape[0] or self.shape[2] != mat2.shape[1]:
            raise RuntimeError(f"bmm(): shapes {list(self.shape)} and {list(mat2.shape)} "
                               f"cannot be multiplied")
        return ns.matmul(self, mat2)

    def outer(self, vec2):
        """The outer product of two 1-D tensors.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1, 2]).outer(xp.asarray([1, 10]))
        Tensor([[ 1, 10],
                [ 2, 20]], dtype=int64)
        """
        if self.ndim != 1 or getattr(vec2, "ndim", None) != 1:
            raise RuntimeError("outer(): expects two 1-D tensors")
        return ns.multiply(ns.reshape(self, (-1, 1)), ns.reshape(vec2, (1, -1)))

    ger = outer

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        """``beta * self + alpha * (mat1 @ mat2)`` (``self`` broadcast to the product's
        shape; with ``beta=0`` its values are ignored, NaN included, as PyTorch).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.ones(2).addmm(xp.ones((3, 2)), xp.eye(2), beta=2, alpha=0.5).shape
        (3, 2)
        """
        p = _TensorMethods.mm(mat1, mat2) if isinstance(mat1, _TensorMethods) else \
            ns.matmul(mat1, mat2)
        if alpha != 1:
            p = p * alpha
        if beta == 0:
            return p + ns.zeros(self.shape, dtype=self.dtype) if self.shape != p.shape else p
        return p + (self if beta == 1 else self * beta)

    def clamp_min(self, min):
        """``clamp(min=min)``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([-1.0, 2.0]).clamp_min(0.0)
        Tensor([0., 2.], dtype=float64)
        """
        return ns.clip(self, min, None)

    def clamp_max(self, max):
        """``clamp(max=max)``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([-1.0, 2.0]).clamp_max(0.0)
        Tensor([-1.,  0.], dtype=float64)
        """
        return ns.clip(self, None, max)

    # -------------------------------------------------------- index, scatter
    def masked_fill(self, mask, value):
        """``self`` with the elements where ``mask`` (a bool tensor broadcast to
        ``self``'s shape) is True replaced by ``value`` (a number or a 0-d tensor).

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.asarray([1.0, -2.0, 3.0])
        >>> x.masked_fill(x < 0, 0.0)
        Tensor([1., 0., 3.], dtype=float64)
        """
        m = _arr(mask)
        if m.dtype.kind != "b":
            raise RuntimeError(f"masked_fill(): only supports boolean masks, but got mask "
                               f"with dtype {_FROM_NP.get(m.dtype, m.dtype)}")
        try:
            ok = np.broadcast_shapes(m.shape, self.shape) == self.shape
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(f"masked_fill(): the mask of shape {m.shape} cannot be "
                               f"broadcast to the tensor's shape {self.shape}")
        if isinstance(value, _TensorMethods):
            if value.ndim != 0:
                raise RuntimeError(f"masked_fill(): only supports a 0-dimensional value "
                                   f"tensor, but got tensor with {value.ndim} dimension(s).")
            value = ns.astype(value, self.dtype, copy=False)
        else:
            value = ns.Tensor._new(np.asarray(value).astype(self._array.dtype))
        mask = mask if isinstance(mask, _TensorMethods) else ns.asarray(m)
        return ns.where(mask, value, self)

    def masked_select(self, mask):
        """The elements where ``mask`` (broadcast with ``self``) is True, as 1-D.

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.asarray([[1, 2], [3, 4]])
        >>> x.masked_select(x > 1)
        Tensor([2, 3, 4], dtype=int64)
        """
        m = _arr(mask)
        if m.dtype.kind != "b":
            raise RuntimeError(f"masked_select(): expected a boolean mask, got "
                               f"{_FROM_NP.get(m.dtype, m.dtype)}")
        shape = np.broadcast_shapes(m.shape, self.shape)
        x = self if self.shape == shape else ns.broadcast_to(self, shape)
        return x[np.broadcast_to(m, shape)]

    def nonzero(self, *, as_tuple=False):
        """The indices of the nonzero elements: an ``(n, ndim)`` int64 tensor, or with
        ``as_tuple=True`` one 1-D tensor per dimension.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[0, 1], [2, 0]]).nonzero()
        Tensor([[0, 1],
                [1, 0]], dtype=int64)
        """
        a = self._array
        idx = np.nonzero(a.reshape(1) if a.ndim == 0 else a)
        if as_tuple:
            return tuple(ns.Tensor._new(np.asarray(i, dtype=np.int64)) for i in idx)
        out = np.stack(idx, axis=1).astype(np.int64) if a.ndim else \
            np.zeros((len(idx[0]), 0), dtype=np.int64)
        return ns.Tensor._new(out)

    def index_select(self, dim, index):
        """The slices at the positions ``index`` (1-D integer tensor) along ``dim``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[1, 2, 3], [4, 5, 6]]).index_select(1, xp.asarray([2, 0]))
        Tensor([[3, 1],
                [6, 4]], dtype=int64)
        """
        idx = _index_tensor("index_select", index)
        if idx.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        x = self if self.ndim else ns.reshape(self, (1,))
        d = _dim("index_select", dim, self.ndim)
        n = x.shape[d]
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise RuntimeError(f"index_select(): index out of range in self (index "
                             f"{int(idx.max() if idx.max() >= n else idx.min())}, size {n})")
        r = ns.take(x, ns.asarray(idx.reshape(-1)), axis=d)
        return r if self.ndim else ns.reshape(r, idx.shape)

    def gather(self, dim, index):
        """Values along ``dim`` at ``index`` (``out[i][j] = self[index[i][j]][j]`` for
        ``dim=0``); ``index`` has ``self``'s number of dimensions and no larger sizes
        than ``self`` in the other dimensions.

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.asarray([[1, 2], [3, 4]])
        >>> x.gather(1, xp.asarray([[0, 0], [1, 0]]))
        Tensor([[1, 1],
                [4, 3]], dtype=int64)
        """
        d = _dim("gather", dim, self.ndim)
        _, shape = _scatter_targets("gather", self.shape, d, index)
        idx = _index_tensor("gather", index).reshape(shape)
        x = self if self.ndim else ns.reshape(self, (1,))
        block = list(shape)
        block[d] = x.shape[d]
        r = ns.take_along_axis(_sub_block(x, block), ns.asarray(idx % builtins.max(
            x.shape[d], 1)), axis=d)
        return r if self.ndim else ns.reshape(r, ())

    def scatter(self, dim, index, src=None, *, value=None, reduce=None):
        """A copy of ``self`` with ``src``'s values (or ``value``) written at ``index``
        along ``dim`` (``out[index[i][j]][j] = src[i][j]`` for ``dim=0``); with
        ``reduce="add"``/``"multiply"`` they are combined instead. Differentiable with
        respect to ``self`` and ``src``.

        # Note: where ``index`` repeats a position, the last value written wins (as
        # PyTorch's CPU loop) and only that value receives the gradient (PyTorch's
        # backward gathers the output's gradient into every one of them).

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.zeros((2, 3))
        >>> x.scatter(1, xp.asarray([[2], [0]]), xp.asarray([[5.0], [7.0]]))
        Tensor([[0., 0., 5.],
                [7., 0., 0.]], dtype=float64)
        """
        if src is None:
            if value is None:
                raise TypeError("scatter(): expected a src tensor or a value")
            src = value
        d = _dim("scatter", dim, self.ndim)
        is_t = isinstance(src, _TensorMethods)
        pos, shape = _scatter_targets("scatter", self.shape, d, index,
                                      src.shape if is_t else None)
        if is_t:
            if src.dtype != self.dtype:
                raise RuntimeError(f"scatter(): Expected self.dtype to be equal to src.dtype "
                                   f"({self.dtype} and {src.dtype})")
            if self.ndim and src.ndim != self.ndim:
                raise RuntimeError("scatter(): Index tensor must have the same number of "
                                   "dimensions as src tensor")
            vals = ns.reshape(_sub_block(src if src.ndim else ns.reshape(src, (1,)), shape),
                              (-1,))
        else:
            vals = ns.asarray(np.full(pos.size, src, dtype=self._array.dtype))
        if reduce is None:
            return _scatter_values("scatter", self, pos, vals)
        if reduce == "add":
            return _segment_sum(self, pos, vals)
        if reduce == "multiply":
            out = self._array.copy()
            np.multiply.at(out.reshape(-1), pos, vals._array.astype(out.dtype))
            return ns.Tensor._new(out)
        raise RuntimeError(f"scatter(): reduce argument must be either add or multiply, got "
                           f"{reduce!r}")

    def scatter_add(self, dim, index, src):
        """A copy of ``self`` with ``src``'s values added at ``index`` along ``dim``
        (``out[index[i][j]][j] += src[i][j]`` for ``dim=0``; repeated indices add up).
        Differentiable with respect to ``self`` and ``src``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros(3).scatter_add(0, xp.asarray([0, 0, 2]), xp.asarray([1.0, 2.0, 5.0]))
        Tensor([3., 0., 5.], dtype=float64)
        """
        if not isinstance(src, _TensorMethods):
            raise TypeError(f"scatter_add(): src must be a tensor, got {type(src).__name__}")
        return self.scatter(dim, index, src, reduce="add")

    def index_add(self, dim, index, source, *, alpha=1):
        """A copy of ``self`` with ``alpha * source``'s slices added at the positions
        ``index`` (1-D) along ``dim``; repeated indices add up.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros((3, 2)).index_add(0, xp.asarray([0, 0]), xp.ones((2, 2)))
        Tensor([[2., 2.],
                [0., 0.],
                [0., 0.]], dtype=float64)
        """
        idx = _index_tensor("index_add", index).reshape(-1)
        d = _dim("index_add", dim, self.ndim)
        x = self if self.ndim else ns.reshape(self, (1,))
        src = source if isinstance(source, _TensorMethods) else ns.asarray(source)
        src = src if src.ndim else ns.reshape(src, (1,))
        if src.dtype != self.dtype:
            raise RuntimeError(f"index_add(): self ({self.dtype}) and source ({src.dtype}) "
                               f"must have the same scalar type")
        want = x.shape[:d] + (idx.size,) + x.shape[d + 1:]
        if src.shape != want:
            raise RuntimeError(f"index_add(): source of shape {src.shape} does not match "
                               f"(expected {want})")
        _check_bounds("index_add", idx, x.shape[d], d)
        # the scatter index: idx along d, broadcast over the other dims
        shape = [1] * x.ndim
        shape[d] = idx.size
        full = np.broadcast_to((idx % x.shape[d]).reshape(shape), want)
        if alpha != 1:
            src = src * alpha
        r = x.scatter(d, ns.asarray(np.ascontiguousarray(full)), src, reduce="add")
        return r if self.ndim else ns.reshape(r, ())

    def index_copy(self, dim, index, source):
        """A copy of ``self`` with ``source``'s slices written at the positions
        ``index`` (1-D) along ``dim``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros((3, 2)).index_copy(0, xp.asarray([2]), xp.ones((1, 2)))
        Tensor([[0., 0.],
                [0., 0.],
                [1., 1.]], dtype=float64)
        """
        idx = _index_tensor("index_copy", index).reshape(-1)
        d = _dim("index_copy", dim, self.ndim)
        want = self.shape[:d] + (idx.size,) + self.shape[d + 1:]
        if tuple(source.shape) != want:
            raise RuntimeError(f"index_copy(): source of shape {source.shape} does not match "
                               f"(expected {want})")
        _check_bounds("index_copy", idx, self.shape[d], d)
        shape = [1] * self.ndim
        shape[d] = idx.size
        full = np.broadcast_to((idx % self.shape[d]).reshape(shape), want)
        return self.scatter(d, ns.asarray(np.ascontiguousarray(full)), source)

    # --------------------------------------------------------------- in place
    def add_(self, other, *, alpha=1):
        """``self += alpha * other``; returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.ones(2)
        >>> x.add_(xp.asarray([1.0, 2.0]), alpha=-1)
        Tensor([ 0., -1.], dtype=float64)
        """
        return _update(self, "add_", lambda t, o: t.add(o, alpha=alpha), other)

    def sub_(self, other, *, alpha=1):
        """``self -= alpha * other``; returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.ones(2).sub_(0.5)
        Tensor([0.5, 0.5], dtype=float64)
        """
        return _update(self, "sub_", lambda t, o: t.sub(o, alpha=alpha), other)

    def mul_(self, other):
        """``self *= other``; returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.ones(2).mul_(3)
        Tensor([3., 3.], dtype=float64)
        """
        return _update(self, "mul_", ns.multiply, other)

    def div_(self, other, *, rounding_mode=None):
        """``self /= other`` (``rounding_mode`` as in :meth:`div`); returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.ones(2).div_(4)
        Tensor([0.25, 0.25], dtype=float64)
        """
        return _update(self, "div_", lambda t, o: t.div(o, rounding_mode=rounding_mode), other)

    def pow_(self, exponent):
        """``self **= exponent``; returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([2.0, 3.0]).pow_(2)
        Tensor([4., 9.], dtype=float64)
        """
        return _update(self, "pow_", ns.pow, exponent)

    def clamp_(self, min=None, max=None):
        """``self`` clipped into ``[min, max]`` in place; returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([-2.0, 0.5, 2.0]).clamp_(-1, 1)
        Tensor([-1. ,  0.5,  1. ], dtype=float64)
        """
        return _update(self, "clamp_", lambda t, lo, hi: t.clamp(lo, hi), min, max)

    def addmm_(self, mat1, mat2, *, beta=1, alpha=1):
        """:meth:`addmm` in place; returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros((2, 2)).addmm_(xp.eye(2), xp.ones((2, 2)), alpha=3)
        Tensor([[3., 3.],
                [3., 3.]], dtype=float64)
        """
        return _update(self, "addmm_", lambda t, a, b: t.addmm(a, b, beta=beta, alpha=alpha),
                       mat1, mat2)

    def lerp_(self, end, weight):
        """``self += weight * (end - self)``; returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros(2).lerp_(xp.ones(2), 0.25)
        Tensor([0.25, 0.25], dtype=float64)
        """
        return _update(self, "lerp_", lambda t, e, w: t.lerp(e, w), end, weight)

    def addcmul_(self, tensor1, tensor2, *, value=1):
        """``self += value * tensor1 * tensor2``; returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros(2).addcmul_(xp.asarray([1.0, 2.0]), xp.asarray([1.0, 2.0]), value=0.5)
        Tensor([0.5, 2. ], dtype=float64)
        """
        return _update(self, "addcmul_", lambda t, a, b: t.addcmul(a, b, value=value),
                       tensor1, tensor2)

    def addcdiv_(self, tensor1, tensor2, *, value=1):
        """``self += value * tensor1 / tensor2``; returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros(2).addcdiv_(xp.asarray([1.0, 2.0]), xp.asarray([2.0, 2.0]), value=-1)
        Tensor([-0.5, -1. ], dtype=float64)
        """
        return _update(self, "addcdiv_", lambda t, a, b: t.addcdiv(a, b, value=value),
                       tensor1, tensor2)

    def masked_fill_(self, mask, value):
        """:meth:`masked_fill` in place; returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.asarray([1.0, -2.0])
        >>> x.masked_fill_(x < 0, 0.0)
        Tensor([1., 0.], dtype=float64)
        """
        return _update(self, "masked_fill_", lambda t, m, v: t.masked_fill(m, v), mask, value)

    def index_add_(self, dim, index, source, *, alpha=1):
        """:meth:`index_add` in place; returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros(3).index_add_(0, xp.asarray([1, 1]), xp.asarray([1.0, 2.0]))
        Tensor([0., 3., 0.], dtype=float64)
        """
        return _update(self, "index_add_",
                       lambda t, i, s: t.index_add(dim, i, s, alpha=alpha), index, source)

    def index_copy_(self, dim, index, source):
        """:meth:`index_copy` in place; returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros(3).index_copy_(0, xp.asarray([1]), xp.asarray([5.0]))
        Tensor([0., 5., 0.], dtype=float64)
        """
        return _update(self, "index_copy_", lambda t, i, s: t.index_copy(dim, i, s),
                       index, source)

    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        """:meth:`scatter` in place; returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros(3).scatter_(0, xp.asarray([2]), value=1.0)
        Tensor([0., 0., 1.], dtype=float64)
        """
        return _update(self, "scatter_",
                       lambda t, i, s: t.scatter(dim, i, s, value=value, reduce=reduce),
                       index, src)

    def scatter_add_(self, dim, index, src):
        """:meth:`scatter_add` in place; returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros(3).scatter_add_(0, xp.asarray([1, 1]), xp.asarray([1.0, 2.0]))
        Tensor([0., 3., 0.], dtype=float64)
        """
        return _update(self, "scatter_add_", lambda t, i, s: t.scatter_add(dim, i, s),
                       index, src)

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        """Fill with values drawn from U(a, b) (the global generator of
        ``minitensor.manual_seed`` unless ``generator``, a NumPy Generator); returns
        ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> _ = xp.manual_seed(0)
        >>> x = xp.empty(1000).uniform_(-1, 1)
        >>> bool(xp.all((x >= -1) & (x < 1)))
        True
        """
        _check_float_fill("uniform_", self)
        rng = _random._resolve(generator)
        return _write(self, "uniform_", rng.uniform(a, b, self.shape))

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        """Fill with values drawn from N(mean, std**2); returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> _ = xp.manual_seed(0)
        >>> round(float(xp.empty(10000).normal_(3.0, 0.5).mean()), 1)
        3.0
        """
        _check_float_fill("normal_", self)
        rng = _random._resolve(generator)
        return _write(self, "normal_", rng.normal(mean, std, self.shape))

    def bernoulli_(self, p=0.5, *, generator=None):
        """Fill with 1 (probability ``p``, a number or a tensor) or 0; returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> _ = xp.manual_seed(0)
        >>> x = xp.empty(1000).bernoulli_(0.25)
        >>> set(x.tolist()) == {0.0, 1.0}, round(float(x.mean()), 1)
        (True, 0.2)
        """
        rng = _random._resolve(generator)
        p = _arr(p)
        if np.any((p < 0) | (p > 1)):
            raise RuntimeError("bernoulli_(): p must be in [0, 1]")
        return _write(self, "bernoulli_", rng.random(self.shape) < p)

    def exponential_(self, lambd=1.0, *, generator=None):
        """Fill with values drawn from the exponential distribution of rate ``lambd``;
        returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> _ = xp.manual_seed(0)
        >>> round(float(xp.empty(10000).exponential_(2.0).mean()), 1)
        0.5
        """
        _check_float_fill("exponential_", self)
        if lambd <= 0:
            raise RuntimeError(f"exponential_(): expects lambda > 0.0, but found "
                               f"lambda={lambd}")
        rng = _random._resolve(generator)
        return _write(self, "exponential_", rng.exponential(1.0 / lambd, self.shape))

    neg_ = _inplace_unary("neg_", "neg")
    abs_ = _inplace_unary("abs_", "abs")
    exp_ = _inplace_unary("exp_", "exp")
    log_ = _inplace_unary("log_", "log")
    sqrt_ = _inplace_unary("sqrt_", "sqrt")
    sigmoid_ = _inplace_unary("sigmoid_", "sigmoid")
    erf_ = _inplace_unary("erf_", "erf")
    lgamma_ = _inplace_unary("lgamma_", "lgamma")
    digamma_ = _inplace_unary("digamma_", "digamma")
    tanh_ = _inplace_unary("tanh_", "tanh")
    relu_ = _inplace_unary("relu_", "relu")
    floor_ = _inplace_unary("floor_", "floor")
    ceil_ = _inplace_unary("ceil_", "ceil")
    trunc_ = _inplace_unary("trunc_", "trunc")
    round_ = _inplace_unary("round_", "round")
    reciprocal_ = _inplace_unary("reciprocal_", "reciprocal")
    square_ = _inplace_unary("square_", "square")
    clip_ = clamp_

    # ------------------------------------------------------ more of PyTorch's
    def mv(self, vec):
        """The product of a 2-D tensor and a 1-D tensor.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.ones((2, 3)).mv(xp.asarray([1.0, 2.0, 3.0]))
        Tensor([6., 6.], dtype=float64)
        """
        if self.ndim != 2 or getattr(vec, "ndim", None) != 1:
            raise RuntimeError("mv(): expects a 2-D matrix and a 1-D vector")
        if self.shape[1] != vec.shape[0]:
            raise RuntimeError(f"mv(): size mismatch, got input ({self.shape[0]}x"
                               f"{self.shape[1]}), vec ({vec.shape[0]})")
        return ns.matmul(self, vec)

    def trace(self):
        """The sum of the main diagonal of a 2-D tensor.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[1.0, 2.0], [3.0, 4.0]]).trace()
        Tensor(5., dtype=float64)
        """
        if self.ndim != 2:
            raise RuntimeError(f"trace(): expected a matrix, got {self.ndim}-D")
        d = self.diag()
        if d._array.dtype.kind in "bu" or d._array.dtype.itemsize < 8 and \
                d._array.dtype.kind == "i":
            d = ns.astype(d, int64)
        return ns.sum(d)

    def kron(self, other):
        """The Kronecker product (block tensor ``self[i] * other``).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.eye(2).kron(xp.asarray([[1.0, 2.0]]))
        Tensor([[1., 2., 0., 0.],
                [0., 0., 1., 2.]], dtype=float64)
        """
        n = builtins.max(self.ndim, other.ndim)
        a = ns.reshape(self, (1,) * (n - self.ndim) + self.shape)
        b = ns.reshape(other, (1,) * (n - other.ndim) + tuple(other.shape))
        # a[i0, 1, i1, 1, ...] * b[1, j0, 1, j1, ...] -> (i0 * m0 + j0, ...)
        ai = ns.reshape(a, builtins.sum(((s, 1) for s in a.shape), ()))
        bi = ns.reshape(b, builtins.sum(((1, s) for s in b.shape), ()))
        return ns.reshape(ai * bi, tuple(s * t for s, t in zip(a.shape, b.shape)))

    def swapaxes(self, axis0, axis1):
        """``transpose(axis0, axis1)`` (NumPy's name; also ``swapdims``).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros((2, 3, 4)).swapaxes(0, 2).shape
        (4, 3, 2)
        """
        return self.transpose(axis0, axis1)

    swapdims = swapaxes

    def movedim(self, source, destination):
        """Dimensions ``source`` moved to positions ``destination`` (ints or tuples);
        also ``moveaxis``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros((2, 3, 4)).movedim(0, -1).shape
        (3, 4, 2)
        """
        return ns.moveaxis(self, _int_tuple("movedim", source), _int_tuple("movedim",
                                                                            destination))

    moveaxis = movedim

    def take(self, index):
        """The elements at ``index`` of the flattened tensor (result shaped as ``index``).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[1, 2], [3, 4]]).take(xp.asarray([[0, 3]]))
        Tensor([[1, 4]], dtype=int64)
        """
        idx = _index_tensor("take", index)
        n = self._array.size
        if idx.size and (idx.min() < -n or idx.max() >= n):
            raise IndexError(f"take(): out of range: tried to access index "
                             f"{int(idx.max() if idx.max() >= n else idx.min())} on a "
                             f"tensor of {n} elements")
        r = ns.take(ns.reshape(self, (-1,)), ns.asarray((idx % builtins.max(n, 1)).reshape(-1)),
                    axis=0)
        return ns.reshape(r, idx.shape)

    def take_along_dim(self, indices, dim=None):
        """Values at ``indices`` along ``dim`` (broadcasting; of the flattened tensor
        when ``dim`` is None).

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.asarray([[10, 30, 20]])
        >>> x.take_along_dim(x.argsort(1), 1)
        Tensor([[10, 20, 30]], dtype=int64)
        """
        idx = indices if isinstance(indices, _TensorMethods) else ns.asarray(indices)
        if dim is None:
            return ns.take_along_axis(ns.reshape(self, (-1,)), ns.reshape(idx, (-1,)), axis=0)
        return ns.take_along_axis(self, idx, axis=_dim("take_along_dim", dim, self.ndim))

    def logical_not(self):
        """Elementwise NOT of the truth values (a bool tensor).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([0, 2]).logical_not()
        Tensor([ True, False], dtype=bool)
        """
        return ns.logical_not(ns.astype(self, _bool, copy=False))

    def logical_and(self, other):
        """Elementwise AND of the truth values (a bool tensor).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([0, 2]).logical_and(xp.asarray([1, 1]))
        Tensor([False,  True], dtype=bool)
        """
        return ns.logical_and(ns.astype(self, _bool, copy=False),
                              ns.astype(ns.asarray(_arr(other)), _bool, copy=False))

    def logical_or(self, other):
        """Elementwise OR of the truth values (a bool tensor).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([0, 2]).logical_or(xp.asarray([0, 0]))
        Tensor([False,  True], dtype=bool)
        """
        return ns.logical_or(ns.astype(self, _bool, copy=False),
                             ns.astype(ns.asarray(_arr(other)), _bool, copy=False))

    def logical_xor(self, other):
        """Elementwise XOR of the truth values (a bool tensor).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([0, 2]).logical_xor(xp.asarray([1, 1]))
        Tensor([ True, False], dtype=bool)
        """
        return ns.logical_xor(ns.astype(self, _bool, copy=False),
                              ns.astype(ns.asarray(_arr(other)), _bool, copy=False))

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        """NaN replaced by ``nan``, infinities by ``posinf``/``neginf`` (default: the
        dtype's largest/smallest finite values).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([float("nan"), 1.0, -float("inf")]).nan_to_num(neginf=-9.0)
        Tensor([ 0.,  1., -9.], dtype=float64)
        """
        a = self._array
        if a.dtype.kind not in "fc":
            return ns.reshape(self, self.shape, copy=True)
        fi = np.finfo(a.dtype)
        hi = fi.max if posinf is None else posinf
        lo = fi.min if neginf is None else neginf
        r = ns.where(ns.asarray(np.isnan(a)), ns.asarray(np.asarray(nan, dtype=a.dtype)), self)
        r = ns.where(ns.asarray(np.isposinf(a)), ns.asarray(np.asarray(hi, dtype=a.dtype)), r)
        return ns.where(ns.asarray(np.isneginf(a)), ns.asarray(np.asarray(lo, dtype=a.dtype)), r)

    def frac(self):
        """The fractional part ``x - trunc(x)`` (sign of ``x``).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1.5, -2.25]).frac()
        Tensor([ 0.5 , -0.25], dtype=float64)
        """
        return self - ns.trunc(self)

    def exp2(self):
        """``2 ** x``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([0.0, 3.0]).exp2()
        Tensor([1., 8.], dtype=float64)
        """
        return ns.pow(2.0, _floating(self))

    def argwhere(self):
        """The indices of the nonzero elements as an ``(n, ndim)`` tensor (``nonzero()``).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([0, 3, 0, 5]).argwhere()
        Tensor([[1],
                [3]], dtype=int64)
        """
        return self.nonzero()

    def count_nonzero(self, dim=None):
        """The number of nonzero elements (over ``dim``, an int or a tuple).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[0, 1], [2, 3]]).count_nonzero(1)
        Tensor([1, 2], dtype=int64)
        """
        return ns.count_nonzero(self, axis=_dims_of("count_nonzero", dim, self.ndim))

    def diff(self, n=1, dim=-1, prepend=None, append=None):
        """The ``n``-th forward difference along ``dim``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1, 4, 9, 16]).diff()
        Tensor([3, 5, 7], dtype=int64)
        """
        return ns.diff(self, axis=_dim("diff", dim, self.ndim), n=operator.index(n),
                       prepend=prepend, append=append)

    def inverse(self):
        """The inverse of a square matrix (or of a stack of them).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[2.0, 0.0], [0.0, 4.0]]).inverse()
        Tensor([[0.5 , 0.  ],
                [0.  , 0.25]], dtype=float64)
        """
        return ns.linalg.inv(self)

    def det(self):
        """The determinant of a square matrix (or of a stack of them).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[2.0, 1.0], [1.0, 3.0]]).det()
        Tensor(5., dtype=float64)
        """
        return ns.linalg.det(self)

    def unfold(self, dimension, size, step):
        """Sliding windows of length ``size`` taken every ``step`` along ``dimension``:
        that dimension becomes the window count, a new last dimension of length ``size``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.arange(5.0).unfold(0, 2, 2)
        Tensor([[0., 1.],
                [2., 3.]], dtype=float64)
        """
        x = self if self.ndim else ns.reshape(self, (1,))
        d = _dim("unfold", dimension, self.ndim)
        size, step = operator.index(size), operator.index(step)
        n = x.shape[d]
        if size > n or size < 0:
            raise RuntimeError(f"unfold(): maximum size for tensor at dimension {d} is {n} but "
                               f"size is {size}")
        if step <= 0:
            raise RuntimeError(f"unfold(): step is {step} but must be > 0")
        count = (n - size) // step + 1
        table = (np.arange(count)[:, None] * step + np.arange(size)[None, :]).reshape(-1)
        r = ns.take(x, ns.asarray(table), axis=d)  # (..., count * size, ...)
        r = ns.reshape(r, x.shape[:d] + (count, size) + x.shape[d + 1:])
        r = ns.moveaxis(r, d + 1, -1)
        return r if self.ndim else ns.reshape(r, (size,))

    def multinomial(self, num_samples, replacement=False, *, generator=None):
        """``num_samples`` category indices drawn with probabilities proportional to the
        (non-negative) weights in each row of a 1-D or 2-D tensor; without
        ``replacement`` each index appears at most once per row.

        Examples
        --------
        >>> import minitensor as xp
        >>> _ = xp.manual_seed(0)
        >>> s = xp.asarray([0.0, 1.0, 3.0]).multinomial(2)
        >>> sorted(s.tolist())
        [1, 2]
        """
        a = self._array
        if a.ndim not in (1, 2):
            raise RuntimeError("multinomial(): prob_dist must be 1 or 2 dim")
        k = operator.index(num_samples)
        w = a.reshape(1, -1) if a.ndim == 1 else a
        if a.dtype.kind not in "f":
            raise RuntimeError(f"multinomial(): only supports floating-point dtypes for input, "
                               f"got {self.dtype}")
        if np.any(w < 0) or not np.all(np.isfinite(w)):
            raise RuntimeError("multinomial(): probability tensor contains either `inf`, "
                               "`nan` or element < 0")
        if k <= 0:
            raise RuntimeError("multinomial(): cannot sample n_sample <= 0 samples")
        rng = _random._resolve(generator)
        out = np.empty((w.shape[0], k), dtype=np.int64)
        for i, row in enumerate(w.astype(np.float64)):
            s = row.sum()
            if s <= 0:
                raise RuntimeError("multinomial(): invalid multinomial distribution (sum of "
                                   "probabilities <= 0)")
            if replacement:
                out[i] = rng.choice(row.size, size=k, replace=True, p=row / s)
                continue
            if k > row.size:
                raise RuntimeError("multinomial(): cannot sample n_sample > prob_dist.size(-1) "
                                   "samples without replacement")
            # as PyTorch: the positive weights first, then zero-weight categories (in order)
            m = builtins.min(k, int(np.count_nonzero(row)))
            first = rng.choice(row.size, size=m, replace=False, p=row / s)
            out[i] = np.concatenate([first, np.flatnonzero(row == 0)[:k - m]])
        return ns.Tensor._new(out.reshape(k) if a.ndim == 1 else out)

    def random_(self, from_=0, to=None, *, generator=None):
        """Fill with integers drawn uniformly from ``[from_, to)`` (one argument: ``[0,
        from_)``); returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> _ = xp.manual_seed(0)
        >>> x = xp.empty(100).random_(3, 5)
        >>> set(x.tolist()) <= {3.0, 4.0}
        True
        """
        if to is None:
            from_, to = 0, from_
        if to is None or to <= from_:
            raise RuntimeError(f"random_(): expects 'from' to be less than 'to', but got "
                               f"from={from_} >= to={to}")
        rng = _random._resolve(generator)
        return _write(self, "random_", rng.integers(from_, to, self.shape))

    def fill_diagonal_(self, fill_value, wrap=False):
        """Fill the main diagonal of a 2-D (or all-sides-equal) tensor with
        ``fill_value``; returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros((2, 3)).fill_diagonal_(1.0)
        Tensor([[1., 0., 0.],
                [0., 1., 0.]], dtype=float64)
        """
        if self.ndim < 2:
            raise RuntimeError("fill_diagonal_(): dimensions must larger than 1")
        if self.ndim > 2 and len(set(self.shape)) != 1:
            raise RuntimeError("fill_diagonal_(): all dimensions of input must be of equal "
                               "length")

        def fill(t):
            a = t._array.copy()
            np.fill_diagonal(a, fill_value, wrap=builtins.bool(wrap))
            return ns.Tensor._new(a)
        return _update(self, "fill_diagonal_", fill)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        """The distinct values, sorted (of the flattened tensor, or the distinct slices
        along ``dim``); with ``return_inverse``/``return_counts`` also the index of each
        element's value and each value's count (a tuple).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([3, 1, 3, 2]).unique()
        Tensor([1, 2, 3], dtype=int64)
        >>> _, inv, cnt = xp.asarray([3, 1, 3]).unique(return_inverse=True, return_counts=True)
        >>> inv.tolist(), cnt.tolist()
        ([1, 0, 1], [1, 2])
        """
        a = self._array
        if dim is None:
            r = np.unique(a, return_inverse=True, return_counts=True)
            inv = r[1].reshape(a.shape)
        else:
            d = _dim("unique", dim, a.ndim)
            r = np.unique(a, return_inverse=True, return_counts=True, axis=d)
            inv = r[1].reshape(-1)
        out = (ns.Tensor._new(np.asarray(r[0])),)
        if return_inverse:
            out += (ns.Tensor._new(np.asarray(inv, dtype=np.int64)),)
        if return_counts:
            out += (ns.Tensor._new(np.asarray(r[2], dtype=np.int64)),)
        return out[0] if len(out) == 1 else out

    def index_fill(self, dim, index, value):
        """A copy of ``self`` with the slices at ``index`` (1-D) along ``dim`` set to
        ``value`` (a number or a 0-d tensor).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros((2, 3)).index_fill(1, xp.asarray([0, 2]), 5.0)
        Tensor([[5., 0., 5.],
                [5., 0., 5.]], dtype=float64)
        """
        idx = _index_tensor("index_fill", index).reshape(-1)
        d = _dim("index_fill", dim, self.ndim)
        n = self.shape[d] if self.ndim else 1
        if idx.size and (idx.min() < -n or idx.max() >= n):
            raise IndexError(f"index_fill(): index out of range in self (size {n})")
        hit = np.zeros(n, dtype=bool)
        hit[idx] = True
        shape = [1] * self.ndim
        if self.ndim:
            shape[d] = n
        return self.masked_fill(ns.asarray(hit.reshape(shape)), value)

    def index_fill_(self, dim, index, value):
        """:meth:`index_fill` in place; returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros(3).index_fill_(0, xp.asarray([1]), -1.0)
        Tensor([ 0., -1.,  0.], dtype=float64)
        """
        return _update(self, "index_fill_", lambda t, i, v: t.index_fill(dim, i, v), index,
                       value)

    def cross(self, other, dim=None):
        """The cross product of 3-vectors along ``dim`` (the first dimension of size 3
        when ``dim`` is None, as PyTorch).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1.0, 0.0, 0.0]).cross(xp.asarray([0.0, 1.0, 0.0]))
        Tensor([0., 0., 1.], dtype=float64)
        """
        if dim is None:
            shape = np.broadcast_shapes(self.shape, tuple(other.shape))
            dims = [i for i, s in enumerate(shape) if s == 3]
            if not dims:
                raise RuntimeError(f"cross(): no dimension of size 3 in input (shape "
                                   f"{list(shape)})")
            dim = dims[0] - len(shape)
        return ns.linalg.cross(self, other, axis=operator.index(dim))

    def nansum(self, dim=None, keepdim=False, *, dtype=None):
        """The sum treating NaN as zero.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1.0, float("nan"), 2.0]).nansum()
        Tensor(3., dtype=float64)
        """
        x = self
        if _is_float(x):
            x = ns.where(ns.asarray(np.isnan(self._array)), ns.zeros((), dtype=self.dtype), x)
        return x.sum(dim, keepdim, dtype=dtype)

    def nanmean(self, dim=None, keepdim=False, *, dtype=None):
        """The mean of the non-NaN elements (NaN where there are none).

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([1.0, float("nan"), 2.0]).nanmean()
        Tensor(1.5, dtype=float64)
        """
        x = self if dtype is None else ns.astype(self, dtype, copy=False)
        if not _is_float(x):
            raise RuntimeError(f"nanmean(): expected a floating point or complex tensor as "
                               f"input. Got {x.dtype}")
        ok = ns.asarray(~np.isnan(x._array))
        d = _dims_of("nanmean", dim, self.ndim)
        total = ns.sum(ns.where(ok, x, ns.zeros((), dtype=x.dtype)), axis=d,
                       keepdims=builtins.bool(keepdim))
        count = ns.sum(ns.astype(ok, x.dtype), axis=d, keepdims=builtins.bool(keepdim))
        return total / count

    def _restride_(self, name, view):
        """Make ``self`` the view ``view(self)`` of its own memory, in place (PyTorch's
        ``unsqueeze_``/``squeeze_``/``t_``/``transpose_``), through the in-place path."""
        def raw(t):
            t._array = view(ns.Tensor._new(t._array))._array
            return t
        w = _dispatch.write
        return w(self, name, raw, ()) if w is not None else raw(self)

    def unsqueeze_(self, dim):
        """:meth:`unsqueeze` in place (``self`` becomes the view); returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.zeros(3)
        >>> x.unsqueeze_(0) is x, x.shape
        (True, (1, 3))
        """
        return self._restride_("unsqueeze_", lambda t: t.unsqueeze(dim))

    def squeeze_(self, dim=None):
        """:meth:`squeeze` in place (``self`` becomes the view); returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> x = xp.zeros((1, 3, 1))
        >>> x.squeeze_().shape
        (3,)
        """
        return self._restride_("squeeze_", lambda t: t.squeeze(dim))

    def t_(self):
        """:meth:`t` in place (``self`` becomes the transposed view); returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros((2, 3)).t_().shape
        (3, 2)
        """
        return self._restride_("t_", lambda t: t.t())

    def transpose_(self, dim0, dim1):
        """:meth:`transpose` in place (``self`` becomes the view); returns ``self``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.zeros((2, 3, 4)).transpose_(0, 2).shape
        (4, 3, 2)
        """
        return self._restride_("transpose_", lambda t: t.transpose(dim0, dim1))


# name -> method (the public methods of the mixin)
_METHODS = {name: f for name, f in vars(_TensorMethods).items()
            if not name.startswith("_")}
