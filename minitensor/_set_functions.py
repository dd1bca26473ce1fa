"""Set functions of the Array API standard.

``isin``, ``unique_all``, ``unique_counts``, ``unique_inverse``, ``unique_values``.

Uniqueness is value equality (``equal``): every NaN (and every complex number
with a NaN component) is distinct, with a count of one; ``-0.0`` and ``+0.0``
are one value (the first occurrence is returned). Unique values come sorted
ascending, NaNs last (the standard leaves the order open; this is NumPy's).
Multi-dimensional input is flattened in row-major order.
"""
from collections import namedtuple

import numpy as np

from ._array_object import Tensor
from ._elementwise_functions import _SCALARS, _to_array
from ._utility_functions import _array_arg
from ._validation import plain_scalar as _plain_scalar

__all__ = ["isin", "unique_all", "unique_counts", "unique_inverse", "unique_values"]

_new = Tensor._new
_I64 = np.dtype(np.int64)

UniqueAllResult = namedtuple("UniqueAllResult", ["values", "indices", "inverse_indices",
                                                 "counts"])
UniqueCountsResult = namedtuple("UniqueCountsResult", ["values", "counts"])
UniqueInverseResult = namedtuple("UniqueInverseResult", ["values", "inverse_indices"])


def _index(r):
    return _new(r if r.dtype == _I64 else r.astype(_I64))


def _unique(name, x, **returns):
    a = _array_arg(name, x)
    return a, np.unique(a.reshape(-1), equal_nan=False, **returns)


def unique_all(x, /):
    """Unique values of ``x`` with first indices, inverse indices and counts.

    Returns
    -------
    UniqueAllResult
        A named tuple ``(values, indices, inverse_indices, counts)``: ``values``
        is 1-D with ``x``'s dtype; ``indices`` (first occurrences in the flattened
        ``x``) and ``counts`` are int64 with the shape of ``values``;
        ``inverse_indices`` is int64 with ``x``'s shape, and
        ``values[inverse_indices]`` rebuilds ``x`` (up to the sign of zeros).

    Examples
    --------
    >>> import minitensor as xp
    >>> r = xp.unique_all(xp.asarray([3, 1, 3, 2]))
    >>> r.values, r.indices, r.counts
    (Tensor([1, 2, 3], dtype=int64), Tensor([1, 3, 0], dtype=int64), Tensor([1, 1, 2], dtype=int64))
    >>> r.inverse_indices
    Tensor([2, 0, 2, 1], dtype=int64)
    """
    a, (v, i, inv, c) = _unique("unique_all", x, return_index=True, return_inverse=True,
                                return_counts=True)
    return UniqueAllResult(_new(v), _index(i), _index(inv.reshape(a.shape)), _index(c))


def unique_counts(x, /):
    """Unique values of ``x`` and how often each occurs.

    Returns
    -------
    UniqueCountsResult
        A named tuple ``(values, counts)`` of 1-D tensors (``counts`` int64).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.unique_counts(xp.asarray([1.0, xp.nan, 1.0, xp.nan]))
    UniqueCountsResult(values=Tensor([ 1., nan, nan], dtype=float64), counts=Tensor([2, 1, 1], dtype=int64))
    """
    _, (v, c) = _unique("unique_counts", x, return_counts=True)
    return UniqueCountsResult(_new(v), _index(c))


def unique_inverse(x, /):
    """Unique values of ``x`` and the indices into them that rebuild ``x``.

    Returns
    -------
    UniqueInverseResult
        A named tuple ``(values, inverse_indices)``; ``inverse_indices`` is
        int64 with ``x``'s shape.

    Examples
    --------
    >>> import minitensor as xp
    >>> r = xp.unique_inverse(xp.asarray([[5, 7], [7, 5]]))
    >>> r.values, r.inverse_indices
    (Tensor([5, 7], dtype=int64), Tensor([[0, 1],
            [1, 0]], dtype=int64))
    """
    a, (v, inv) = _unique("unique_inverse", x, return_inverse=True)
    return UniqueInverseResult(_new(v), _index(inv.reshape(a.shape)))


def unique_values(x, /):
    """The unique values of ``x`` (1-D, sorted, every NaN kept).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.unique_values(xp.asarray([[2, 1], [2, 3]]))
    Tensor([1, 2, 3], dtype=int64)
    """
    _, v = _unique("unique_values", x)
    return _new(v)


def isin(x1, x2, /, *, invert=False):
    """Whether each element of ``x1`` occurs in ``x2`` (by value equality).

    Parameters
    ----------
    x1, x2 : Tensor or Python scalar
        Not both Python scalars. The standard asks for integer dtypes; other
        dtypes are compared by value too (NaN is in nothing), as NumPy does.
    invert : bool, optional
        Test "not in" instead.

    Returns
    -------
    Tensor
        bool, with ``x1``'s shape (0-d when ``x1`` is a scalar).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.isin(xp.asarray([1, 2, 3, 4]), xp.asarray([2, 4]))
    Tensor([False,  True, False,  True], dtype=bool)
    >>> xp.isin(3, xp.asarray([1, 3]), invert=True)
    Tensor(False, dtype=bool)
    """
    if type(x1) is not Tensor and type(x1) not in _SCALARS:
        x1 = _plain_scalar(x1)  # an int/float subclass (Tensor.size, IntEnum)
    if type(x2) is not Tensor and type(x2) not in _SCALARS:
        x2 = _plain_scalar(x2)
    s1 = type(x1) in _SCALARS
    s2 = type(x2) in _SCALARS
    if s1 and s2:
        raise TypeError("isin: at least one of x1 and x2 must be an array, got two Python "
                        "scalars")
    if not isinstance(invert, (bool, np.bool_)):
        raise TypeError(f"isin: invert must be a bool, got {invert!r}")
    a = x1 if s1 else _array_arg("isin", x1)
    b = x2 if s2 else _to_array("isin", x2)
    # Note: a Python int outside the other operand's integer range is simply
    # not found (NumPy agrees); no OverflowError.
    r = np.isin(a, b, invert=bool(invert))
    return _new(np.asarray(r))
