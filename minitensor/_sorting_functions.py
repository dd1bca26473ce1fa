"""Sorting functions of the Array API standard: ``sort`` and ``argsort``.

Order. Ascending sorts put NaNs last (NumPy's order: a NaN sorts above
``+inf``); descending sorts are the exact reverse order, so NaNs come first,
as in PyTorch. Complex numbers are ordered lexicographically (real part, then
imaginary part), as NumPy does. ``-0.0`` and ``+0.0`` compare equal (a stable
sort keeps their input order).

Descending stable sorts. NumPy has no descending sort, and reversing a stable
ascending sort would put equal elements in *reverse* input order. Instead we
sort the reversed axis ascending (stably) and reverse the result: equal elements
of the reversed input come in reverse input order, and reversing the output
restores their input order. For ``argsort`` the indices of the reversed axis are
mapped back with ``i -> n - 1 - i``.
"""
import builtins

import numpy as np

from ._array_object import Tensor
from ._dispatch import differentiable
from ._utility_functions import _array_arg, _normalize_axis

__all__ = ["argsort", "sort"]

_new = Tensor._new
_I64 = np.dtype(np.int64)


def _args(name, x, axis, descending, stable):
    a = _array_arg(name, x)
    for what, v in (("descending", descending), ("stable", stable)):
        if type(v) is not builtins.bool and not isinstance(v, np.bool_):
            raise TypeError(f"{name}: {what} must be a bool, got {v!r}")
    ax = _normalize_axis(name, axis, a.ndim)
    return a, ax, ("stable" if stable else None)


@differentiable("sort")
def sort(x, /, *, axis=-1, descending=False, stable=True):
    """A sorted copy of ``x`` along ``axis``.

    Parameters
    ----------
    x : Tensor
        At least 1-D.
    axis : int, optional
        Axis to sort along. Default: the last.
    descending : bool, optional
        Sort in descending order (NaNs first) instead of ascending (NaNs last).
    stable : bool, optional
        Keep equal elements (e.g. ``-0.0`` and ``0.0``) in input order. Default True.

    Returns
    -------
    Tensor
        A new C-contiguous tensor of ``x``'s dtype and shape.

    Examples
    --------
    >>> import minitensor as xp
    >>> x = xp.asarray([3.0, xp.nan, 1.0, 2.0])
    >>> xp.sort(x)
    Tensor([ 1.,  2.,  3., nan], dtype=float64)
    >>> xp.sort(x, descending=True)
    Tensor([nan,  3.,  2.,  1.], dtype=float64)
    """
    a, ax, kind = _args("sort", x, axis, descending, stable)
    if not descending:
        return _new(np.sort(a, axis=ax, kind=kind))
    s = np.sort(np.flip(a, ax), axis=ax, kind=kind)
    return _new(np.flip(s, ax).copy())


def argsort(x, /, *, axis=-1, descending=False, stable=True):
    """Indices that sort ``x`` along ``axis``.

    Parameters
    ----------
    x : Tensor
        At least 1-D.
    axis : int, optional
        Axis to sort along. Default: the last.
    descending : bool, optional
        Descending order (NaNs first) instead of ascending (NaNs last).
    stable : bool, optional
        Equal elements keep their input order (also when ``descending``).
        Default True.

    Returns
    -------
    Tensor
        int64 indices with ``x``'s shape.

    Examples
    --------
    >>> import minitensor as xp
    >>> x = xp.asarray([2, 1, 2, 3])
    >>> xp.argsort(x)
    Tensor([1, 0, 2, 3], dtype=int64)
    >>> xp.argsort(x, descending=True)
    Tensor([3, 0, 2, 1], dtype=int64)
    """
    a, ax, kind = _args("argsort", x, axis, descending, stable)
    if not descending:
        r = np.argsort(a, axis=ax, kind=kind)
        return _new(r if r.dtype == _I64 else r.astype(_I64))
    p = np.argsort(np.flip(a, ax), axis=ax, kind=kind)
    # position k of the result is position n-1-k of p; index j of the flipped
    # axis is index n-1-j of x
    r = np.subtract(a.shape[ax] - 1, np.flip(p, ax), dtype=_I64)
    return _new(r)
