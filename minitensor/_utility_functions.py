"""Utility functions of the Array API standard: ``all``, ``any``, ``diff``.

This module also holds the argument helpers that every reduction shares
(``_array_arg``, ``_normalize_axis``, ``_normalize_axes``): the searching,
sorting and statistical modules import them from here, so ``axis`` and
``keepdims`` are checked the same way everywhere.
"""
import builtins
from operator import index as _operator_index

import numpy as np

from ._array_object import Tensor
from ._dtypes import _FROM_NP
from ._elementwise_functions import _NP_CATEGORY, _category_error, _to_array
from ._dispatch import differentiable
from ._validation import check_axis as _check_axis

__all__ = ["all", "any", "diff"]

_new = Tensor._new
_ndarray = np.ndarray


# ---------------------------------------------------------------------------
# shared argument helpers
# ---------------------------------------------------------------------------
def _array_arg(name, x):
    """The ndarray behind the array argument ``x`` (TypeError for non-arrays)."""
    if type(x) is Tensor:
        return x._array
    return _to_array(name, x)


def _axis_int(name, axis):
    if type(axis) is int:
        return axis
    if isinstance(axis, (builtins.bool, np.bool_)):
        raise TypeError(f"{name}: axis must be an int, a tuple of ints or None, got {axis!r}")
    try:
        return _operator_index(axis)
    except TypeError:
        raise TypeError(f"{name}: axis must be an int, a tuple of ints or None, "
                        f"got {type(axis).__name__}") from None


def _normalize_axis(name, axis, ndim):
    """One axis as a non-negative int in ``[0, ndim)``.

    An axis out of range raises ``numpy.exceptions.AxisError``, which is both an
    IndexError (as PyTorch users expect) and a ValueError (as NumPy users catch),
    naming the function, the axis and ``ndim``.
    """
    return _check_axis(name, _axis_int(name, axis), ndim)


def _normalize_axes(name, axis, ndim):
    """``axis`` (None, an int or a tuple of ints) as a sorted tuple of distinct
    non-negative axes; None means every axis."""
    if axis is None:
        return tuple(range(ndim))
    if type(axis) is int and -ndim <= axis < ndim:  # (the common call, checked inline)
        return (axis + ndim if axis < 0 else axis,)
    if type(axis) is tuple or isinstance(axis, (tuple, list)):
        axes = tuple([(a + ndim if a < 0 else a) if type(a) is int and -ndim <= a < ndim
                      else _normalize_axis(name, a, ndim) for a in axis])
        if len(set(axes)) != len(axes):
            raise ValueError(f"{name}: repeated axis in {tuple(axis)!r} (ndim {ndim})")
        return tuple(sorted(axes))
    return (_normalize_axis(name, axis, ndim),)


def _check_keepdims(name, keepdims):
    if type(keepdims) is not builtins.bool and not isinstance(keepdims, np.bool_):
        raise TypeError(f"{name}: keepdims must be a bool, got {keepdims!r}")


def _wrap(r):
    """A reduction result (maybe a NumPy scalar) as a Tensor."""
    if type(r) is not _ndarray:
        r = np.asarray(r)
    return _new(r)


# ---------------------------------------------------------------------------
# all / any
# ---------------------------------------------------------------------------
def _truth_reduction(name, ufunc_reduce):
    def func(x, /, *, axis=None, keepdims=False):
        a = _array_arg(name, x)
        _check_keepdims(name, keepdims)
        axes = None if axis is None else _normalize_axes(name, axis, a.ndim)
        return _wrap(ufunc_reduce(a, axis=axes, keepdims=keepdims))

    func.__name__ = func.__qualname__ = name
    return func


all = _truth_reduction("all", np.all)
all.__doc__ = """Whether every element of ``x`` is true (nonzero), along ``axis``.

Parameters
----------
x : Tensor
    Any dtype: nonzero numbers (NaN and infinities included) are true; a
    complex number is true when either component is nonzero.
axis : int or tuple of ints, optional
    Axes to reduce (negative axes count from the end). Default: all axes.
keepdims : bool, optional
    Keep the reduced axes as size-1 dimensions.

Returns
-------
Tensor
    A bool tensor; ``True`` where a reduced axis is empty.

Examples
--------
>>> import minitensor as xp
>>> x = xp.asarray([[1.0, 0.0], [2.0, 3.0]])
>>> xp.all(x)
Tensor(False, dtype=bool)
>>> xp.all(x, axis=1)
Tensor([False,  True], dtype=bool)
"""

any = _truth_reduction("any", np.any)
any.__doc__ = """Whether any element of ``x`` is true (nonzero), along ``axis``.

Parameters
----------
x : Tensor
    Any dtype: nonzero numbers (NaN and infinities included) are true.
axis : int or tuple of ints, optional
    Axes to reduce (negative axes count from the end). Default: all axes.
keepdims : bool, optional
    Keep the reduced axes as size-1 dimensions.

Returns
-------
Tensor
    A bool tensor; ``False`` where a reduced axis is empty.

Examples
--------
>>> import minitensor as xp
>>> xp.any(xp.asarray([[0, 0], [0, 5]]), axis=0)
Tensor([False,  True], dtype=bool)
"""


# ---------------------------------------------------------------------------
# diff
# ---------------------------------------------------------------------------
_NUMERIC = _NP_CATEGORY["numeric"]


# Note: ``n`` and ``axis`` may also be passed positionally, in NumPy's order
# (``diff(x, 2)``, ``diff(x, 1, 0)``); the standard makes them keyword-only.
@differentiable("diff")
def diff(x, /, n=1, axis=-1, *, prepend=None, append=None):
    """The ``n``-th forward difference of ``x`` along ``axis``.

    ``out[i] = x[i+1] - x[i]``, applied ``n`` times; ``prepend`` / ``append``
    are joined to ``x`` along ``axis`` first.

    Parameters
    ----------
    x : Tensor
        Numeric dtype, at least 1-D.
    n : int, optional
        Number of differences (>= 0; ValueError if negative); ``n = 0`` returns
        ``x`` itself (as NumPy). From the joined length on, the result is empty
        along ``axis``, however large ``n`` is. With ``prepend``/``append``,
        ``n = 0`` returns the joined tensor.
    axis : int, optional
        Axis along which to take differences. Default: the last.
    prepend, append : Tensor, optional
        Same shape as ``x`` except along ``axis``; other dtypes are promoted
        with ``x``'s (as NumPy does).

    Returns
    -------
    Tensor
        Same dtype as ``x`` (the promoted dtype with ``prepend``/``append``);
        the size along ``axis`` is ``M + N1 + N2 - n`` (0 if that is negative).

    Examples
    --------
    >>> import minitensor as xp
    >>> x = xp.asarray([1, 4, 9, 16])
    >>> xp.diff(x)
    Tensor([3, 5, 7], dtype=int64)
    >>> xp.diff(x, 2)
    Tensor([2, 2], dtype=int64)
    """
    a = _array_arg("diff", x)
    if a.dtype not in _NUMERIC:
        # Note: NumPy's diff of a bool array is XOR; the standard wants numeric
        # input and PyTorch raises for bool subtraction, so we raise too.
        raise _category_error("diff", "numeric", _FROM_NP[a.dtype])
    if isinstance(n, (builtins.bool, np.bool_)):
        raise TypeError(f"diff: n must be an int, got {n!r}")
    try:
        n = _operator_index(n)
    except TypeError:
        raise TypeError(f"diff: n must be an int, got {type(n).__name__}") from None
    if n < 0:
        raise ValueError(f"diff: n must be non-negative, got {n}")
    if a.ndim == 0:
        raise ValueError("diff: x must be at least 1-D, got a 0-d tensor")
    ax = _normalize_axis("diff", axis, a.ndim)
    parts = []
    for what, extra in (("prepend", prepend), ("append", append)):
        if extra is None:
            parts.append(None)
            continue
        if type(extra) in (builtins.bool, int, float, complex):
            raise TypeError(f"diff: {what} must be a tensor with x's shape except along "
                            f"axis {ax}, got a Python {type(extra).__name__}")
        e = _array_arg("diff", extra)
        if e.dtype not in _NUMERIC:
            raise _category_error("diff", "numeric", _FROM_NP[e.dtype])
        if e.ndim != a.ndim or e.shape[:ax] + e.shape[ax + 1:] != a.shape[:ax] + a.shape[ax + 1:]:
            raise ValueError(f"diff: {what} of shape {e.shape} must match x's shape {a.shape} "
                             f"except along axis {ax}")
        parts.append(e)
    if parts[0] is not None or parts[1] is not None:
        a = np.concatenate([p for p in (parts[0], a, parts[1]) if p is not None], axis=ax)
    elif n == 0:
        return x if type(x) is Tensor else _new(a)  # as NumPy: the input itself
    # Note: with prepend/append, n = 0 returns the joined tensor (the standard
    # joins first); NumPy and PyTorch return x unchanged there.
    if n >= a.shape[ax]:
        # the result is empty along axis (NumPy's length max(M - n, 0)); NumPy
        # would still take n differences of empty arrays (diff(x, 2**62) hangs)
        shape = list(a.shape)
        shape[ax] = 0
        return _new(np.empty(shape, a.dtype))
    return _new(np.diff(a, n=n, axis=ax))
