"""Searching functions of the Array API standard.

``argmax``, ``argmin``, ``count_nonzero``, ``nonzero``, ``searchsorted``, ``where``.
Index results have the default index dtype, int64.
"""
import numpy as np

from ._array_object import Tensor
from ._dtypes import _FROM_NP, _dtype_with_scalar, _promotion_table
from ._elementwise_functions import _NP_CATEGORY, _SCALARS, _to_array
from ._dispatch import differentiable
from ._validation import broadcast_error as _broadcast_error, plain_scalar as _plain_scalar
from ._utility_functions import (
    _array_arg, _check_keepdims, _normalize_axes, _normalize_axis, _wrap,
)

__all__ = ["argmax", "argmin", "count_nonzero", "nonzero", "searchsorted", "where"]

_new = Tensor._new
_ndarray = np.ndarray
_I64 = np.dtype(np.int64)
_BOOL = np.dtype(np.bool_)


# ---------------------------------------------------------------------------
# argmax / argmin
# ---------------------------------------------------------------------------
def _arg_extremum(name, np_func):
    def func(x, /, *, axis=None, keepdims=False):
        # Note: bool and complex input are accepted, as NumPy does (complex
        # numbers are ordered lexicographically); a NaN counts as the extremum,
        # so the index of the first NaN is returned, as NumPy and PyTorch do.
        a = x._array if type(x) is Tensor else _array_arg(name, x)
        if keepdims is not False:
            _check_keepdims(name, keepdims)
        ax = None if axis is None else _normalize_axis(name, axis, a.ndim)
        if a.size == 0 and (ax is None or a.shape[ax] == 0):
            raise ValueError(f"{name}: cannot search an empty tensor (shape {a.shape}, "
                             f"axis {axis!r}): there is no extremum of zero elements")
        r = np_func(a, axis=ax, keepdims=keepdims)
        if type(r) is not _ndarray:
            r = np.asarray(r, dtype=_I64)
        elif r.dtype != _I64:
            r = r.astype(_I64)
        return _new(r)

    func.__name__ = func.__qualname__ = name
    return func


argmax = _arg_extremum("argmax", np.argmax)
argmax.__doc__ = """Indices of the maximum values of ``x`` along ``axis`` (first occurrence).

Parameters
----------
x : Tensor
axis : int, optional
    Axis to search. Default: the flattened tensor.
keepdims : bool, optional
    Keep the reduced axis as a size-1 dimension.

Returns
-------
Tensor
    int64 indices. An empty search raises ValueError.

Examples
--------
>>> import minitensor as xp
>>> x = xp.asarray([[1, 9, 9], [7, 2, 3]])
>>> xp.argmax(x)
Tensor(1, dtype=int64)
>>> xp.argmax(x, axis=1)
Tensor([1, 0], dtype=int64)
"""

argmin = _arg_extremum("argmin", np.argmin)
argmin.__doc__ = """Indices of the minimum values of ``x`` along ``axis`` (first occurrence).

Parameters
----------
x : Tensor
axis : int, optional
    Axis to search. Default: the flattened tensor.
keepdims : bool, optional
    Keep the reduced axis as a size-1 dimension.

Returns
-------
Tensor
    int64 indices. An empty search raises ValueError.

Examples
--------
>>> import minitensor as xp
>>> xp.argmin(xp.asarray([3.0, -1.0, -1.0]))
Tensor(1, dtype=int64)
"""


# ---------------------------------------------------------------------------
# count_nonzero / nonzero
# ---------------------------------------------------------------------------
def count_nonzero(x, /, *, axis=None, keepdims=False):
    """Number of nonzero elements of ``x`` along ``axis``.

    Parameters
    ----------
    x : Tensor
        Any dtype (``True`` counts for bool; a complex number counts when either
        component is nonzero; NaN counts).
    axis : int or tuple of ints, optional
        Axes to count over. Default: all axes.
    keepdims : bool, optional
        Keep the reduced axes as size-1 dimensions.

    Returns
    -------
    Tensor
        int64 counts.

    Examples
    --------
    >>> import minitensor as xp
    >>> x = xp.asarray([[0, 1, 2], [0, 0, 3]])
    >>> xp.count_nonzero(x)
    Tensor(3, dtype=int64)
    >>> xp.count_nonzero(x, axis=0)
    Tensor([0, 1, 2], dtype=int64)
    """
    a = _array_arg("count_nonzero", x)
    _check_keepdims("count_nonzero", keepdims)
    if axis is None and not keepdims:
        return _new(np.asarray(np.count_nonzero(a), dtype=_I64))
    axes = None if axis is None else _normalize_axes("count_nonzero", axis, a.ndim)
    nz = a if a.dtype == _BOOL else a != 0
    return _wrap(np.add.reduce(nz, axis=axes, dtype=_I64, keepdims=keepdims))


def nonzero(x, /):
    """Indices of the nonzero elements of ``x``, one int64 tensor per dimension.

    The indices are in row-major (C) order. ``x`` must have at least one dimension.

    Examples
    --------
    >>> import minitensor as xp
    >>> rows, cols = xp.nonzero(xp.asarray([[0, 5], [6, 0]]))
    >>> rows, cols
    (Tensor([0, 1], dtype=int64), Tensor([1, 0], dtype=int64))
    """
    a = _array_arg("nonzero", x)
    if a.ndim == 0:
        raise ValueError("nonzero: x must have at least one dimension, got a 0-d tensor "
                         "(use nonzero(reshape(x, (1,))) or a truth test)")
    return tuple(_new(i if i.dtype == _I64 else i.astype(_I64)) for i in np.nonzero(a))


# ---------------------------------------------------------------------------
# searchsorted
# ---------------------------------------------------------------------------
def searchsorted(x1, x2, /, *, side="left", sorter=None):
    """Indices where the values ``x2`` would be inserted into sorted ``x1``.

    Parameters
    ----------
    x1 : Tensor
        1-D, sorted ascending (NaNs last, as ``sort`` puts them), unless
        ``sorter`` is given.
    x2 : Tensor or Python scalar
        Values to insert (a Python int or float gives a 0-d result).
    side : {"left", "right"}, optional
        For values equal to elements of ``x1``: the index of the first such
        element ("left") or one past the last ("right").
    sorter : Tensor, optional
        Integer indices that sort ``x1`` ascending (e.g. ``argsort(x1)``).

    Returns
    -------
    Tensor
        int64 indices with the shape of ``x2``.

    Examples
    --------
    >>> import minitensor as xp
    >>> x1 = xp.asarray([1.0, 2.0, 2.0, 5.0])
    >>> xp.searchsorted(x1, xp.asarray([2.0, 6.0]))
    Tensor([1, 4], dtype=int64)
    >>> xp.searchsorted(x1, 2, side="right")
    Tensor(3, dtype=int64)
    """
    a = _array_arg("searchsorted", x1)
    if a.ndim != 1:
        raise ValueError(f"searchsorted: x1 must be 1-D, got shape {a.shape}")
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
    if type(x2) is not Tensor and type(x2) not in _SCALARS:
        x2 = _plain_scalar(x2)  # an int/float subclass (Tensor.size, IntEnum)
    if type(x2) in _SCALARS:
        v = x2
        if type(v) is complex and a.dtype.kind != "c":
            raise TypeError("searchsorted: a complex x2 needs a complex x1")
        if type(v) is int and a.dtype.kind in "iu":
            info = np.iinfo(a.dtype)
            if not info.min <= v <= info.max:
                # beyond the dtype's range: before or after every element
                return _new(np.asarray(0 if v < info.min else a.shape[0], dtype=_I64))
    else:
        v = _to_array("searchsorted", x2)
    if sorter is not None:
        s = _array_arg("searchsorted", sorter)
        if s.dtype.kind not in "iu":
            raise TypeError(f"searchsorted: sorter must have an integer dtype, got "
                            f"{_FROM_NP[s.dtype]}")
        if s.shape != a.shape:
            raise ValueError(f"searchsorted: sorter of shape {s.shape} must have x1's shape "
                             f"{a.shape}")
        n = a.shape[0]
        if s.size and (s.min() < -n or s.max() >= n):
            raise IndexError(f"searchsorted: sorter holds an index out of range for x1 of "
                             f"length {n}")
        a = a.take(s)  # one gather: NumPy's sorter path gives the same indices
    r = np.searchsorted(a, v, side=side)
    if type(r) is not _ndarray:
        r = np.asarray(r)
    if r.dtype != _I64:
        r = r.astype(_I64)
    return _new(r)


# ---------------------------------------------------------------------------
# where
# ---------------------------------------------------------------------------
class _NotGiven:
    """The default of ``where``'s ``x1`` and ``x2`` (not None: NumPy's one-argument
    form is chosen only when both are left out)."""

    __slots__ = ()

    def __repr__(self):
        return "<not given>"


_NOT_GIVEN = _NotGiven()


@differentiable("where")
def where(condition, x1=_NOT_GIVEN, x2=_NOT_GIVEN, /):
    """Elements of ``x1`` where ``condition`` is true, else of ``x2``.

    ``condition``, ``x1`` and ``x2`` broadcast together; ``x1``/``x2`` may be
    Python scalars, which take the other operand's dtype (the standard's rule
    for scalars; two scalars give the default dtype of the higher kind, as
    NumPy), and the result has the promoted dtype.

    ``where(condition)`` alone is ``nonzero(condition)`` (a tuple of int64 index
    tensors), as ``numpy.where`` with one argument; an extension to the standard.

    Examples
    --------
    >>> import minitensor as xp
    >>> x = xp.asarray([-1.0, 2.0, -3.0])
    >>> xp.where(x > 0, x, 0.0)
    Tensor([0., 2., 0.], dtype=float64)
    >>> xp.where(x > 0)
    (Tensor([1], dtype=int64),)
    """
    if x1 is _NOT_GIVEN or x2 is _NOT_GIVEN:
        if x1 is not x2:
            raise TypeError("where: give both x1 and x2, or neither (where(condition) "
                            "is nonzero(condition))")
        # Note: where(condition) with one argument is NumPy's spelling of
        # nonzero(condition); the standard requires x1 and x2. scikit-learn calls
        # it (roc_curve with drop_intermediate=True).
        return nonzero(condition)
    c = _array_arg("where", condition)
    if c.dtype != _BOOL:
        # Note: a non-bool condition is accepted and tested for truth, as NumPy
        # does; the standard asks for a bool condition.
        c = c != 0
    if type(x1) is not Tensor and type(x1) not in _SCALARS:
        x1 = _plain_scalar(x1)  # an int/float subclass (Tensor.size, IntEnum)
    if type(x2) is not Tensor and type(x2) not in _SCALARS:
        x2 = _plain_scalar(x2)
    s1 = type(x1) in _SCALARS
    s2 = type(x2) in _SCALARS
    if s1 and s2:
        # Note: the standard asks for at least one array; as NumPy (and PyTorch),
        # two Python scalars give the default dtype of the higher kind (bool, int64,
        # float64, complex128). SciPy relies on it (scipy.integrate.nsum).
        dt = np.result_type(x1, x2)
        x1, x2 = _scalar_array(x1, dt), _scalar_array(x2, dt)
        s1 = s2 = False
    a = x1 if s1 else _array_arg("where", x1)
    b = x2 if s2 else _array_arg("where", x2)
    if s1:
        dt = _dtype_with_scalar(_FROM_NP[b.dtype], a)._np_dtype
        a = _scalar_array(a, dt)
    elif s2:
        dt = _dtype_with_scalar(_FROM_NP[a.dtype], b)._np_dtype
        b = _scalar_array(b, dt)
    else:
        dt = _promotion_table[(_FROM_NP[a.dtype], _FROM_NP[b.dtype])]._np_dtype
    try:
        shape = np.broadcast_shapes(c.shape, a.shape, b.shape)
    except ValueError:
        raise _broadcast_error("where", (c.shape, a.shape, b.shape),
                               ("condition", "x1", "x2")) from None
    r = np.where(c, a, b)
    if r.dtype != dt:  # NumPy's promotion differs from the table only for exotic pairs
        r = r.astype(dt)
    if r.shape != shape:  # pragma: no cover - np.where always broadcasts
        r = np.broadcast_to(r, shape).copy()
    return _new(r)


def _scalar_array(s, dt):
    """A Python scalar as a 0-d array of dtype ``dt`` (OverflowError when an int
    does not fit, as the elementwise functions raise)."""
    if type(s) is int and dt.kind in "iu":
        info = np.iinfo(dt)
        if not info.min <= s <= info.max:
            raise OverflowError(f"where: Python int {s} is out of range for {_FROM_NP[dt]}")
    if type(s) is complex and dt.kind != "c":
        raise TypeError(f"where: a complex scalar cannot be combined with {_FROM_NP[dt]}")
    return np.asarray(s, dtype=dt)
