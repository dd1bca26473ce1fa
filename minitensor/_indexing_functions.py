"""Indexing functions of the Array API standard: ``take`` and ``take_along_axis``.

Indices are bounds-checked (IndexError naming the index, axis and size; never an
out-of-bounds read); negative indices count from the end, as in NumPy.
"""
import numpy as np

from ._array_object import Tensor
from ._dtypes import _FROM_NP
from ._dispatch import differentiable
from ._manipulation_functions import _arr, _axis

__all__ = ["take", "take_along_axis"]

_new = Tensor._new
_ndarray = np.ndarray
_INT64_MAX = np.iinfo(np.int64).max


def _indices(name, indices):
    """Integer indices as an ndarray NumPy indexes with (uint64 -> int64, checked)."""
    if isinstance(indices, (list, tuple)):
        raise TypeError(f"{name}: indices must be an integer array, got a "
                        f"{type(indices).__name__}; wrap it with minitensor.asarray")
    i = _arr(name, indices)
    if i.dtype.kind not in "iu":
        raise TypeError(f"{name}: indices must have an integer dtype, got {_FROM_NP[i.dtype]}")
    if i.dtype == np.uint64:
        if i.size and i.max() > _INT64_MAX:
            raise IndexError(f"{name}: index {int(i.max())} is out of bounds")
        i = i.astype(np.int64)
    return i


def _check_bounds(name, i, size, axis):
    """IndexError unless every index is in ``[-size, size)``."""
    if i.size == 0:
        return
    lo = int(i.min())
    hi = int(i.max())
    if lo < -size or hi >= size:
        bad = hi if hi >= size else lo
        raise IndexError(f"{name}: index {bad} is out of bounds for axis {axis} with "
                         f"size {size}")


@differentiable("take")
def take(x, indices, /, *, axis=None):
    """Elements of ``x`` at ``indices`` along ``axis``.

    The result has the shape of ``x`` with axis ``axis`` replaced by the shape of
    ``indices``. Negative indices count from the end; an index outside
    ``[-n, n)`` raises IndexError.

    Examples
    --------
    >>> import minitensor as xp
    >>> x = xp.asarray([[1, 2, 3], [4, 5, 6]])
    >>> xp.take(x, xp.asarray([2, -3]), axis=1)
    Tensor([[3, 1],
            [6, 4]], dtype=int64)
    """
    a = _arr("take", x)
    i = _indices("take", indices)
    # Note: as NumPy, ``indices`` may have any number of dimensions (the standard
    # asks for 1-D), and ``axis=None`` takes from the flattened ``x`` also when
    # ``x.ndim > 1`` (the standard requires an axis then); 0-d ``x`` is flattened.
    if axis is None:
        a = a.reshape(-1)
        ax = 0
    else:
        ax = _axis("take", axis, a.ndim)
    _check_bounds("take", i, a.shape[ax], ax)
    r = np.take(a, i, axis=ax)
    if type(r) is not _ndarray:
        r = np.asarray(r)
    return _new(r)


@differentiable("take_along_axis")
def take_along_axis(x, indices, /, *, axis=-1):
    """Elements of ``x`` at ``indices`` along ``axis``, paired element by element
    (as ``numpy.take_along_axis``).

    ``indices`` has the number of dimensions of ``x``; the other axes broadcast
    against each other. The result's ``axis`` has the length of ``indices``'s.

    Examples
    --------
    >>> import minitensor as xp
    >>> x = xp.asarray([[10, 30, 20], [60, 40, 50]])
    >>> xp.take_along_axis(x, xp.asarray([[0], [-1]]), axis=1)
    Tensor([[10],
            [50]], dtype=int64)
    """
    a = _arr("take_along_axis", x)
    i = _indices("take_along_axis", indices)
    if axis is None:
        # Note: as NumPy, axis=None takes from the flattened x with 1-D indices.
        a = a.reshape(-1)
        if i.ndim != 1:
            raise ValueError(f"take_along_axis: axis=None needs 1-D indices, got shape "
                             f"{i.shape}")
        ax = 0
    else:
        ax = _axis("take_along_axis", axis, a.ndim)
    if i.ndim != a.ndim:
        raise ValueError(f"take_along_axis: indices of shape {i.shape} must have the same "
                         f"number of dimensions as x of shape {a.shape}")
    for k, (d, e) in enumerate(zip(a.shape, i.shape)):
        if k != ax and d != e and d != 1 and e != 1:
            raise ValueError(f"take_along_axis: x of shape {a.shape} and indices of shape "
                             f"{i.shape} do not broadcast outside axis {ax}")
    _check_bounds("take_along_axis", i, a.shape[ax], ax)
    return _new(np.take_along_axis(a, i, axis=ax))
