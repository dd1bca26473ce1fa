"""Data type functions of the Array API standard."""
from dataclasses import dataclass

import numpy as np

from ._array_object import Tensor, _check_device
from ._dtypes import (
    DType, _FROM_NP, _KIND_DTYPES, _as_dtype, _dtype_with_scalar,
    _promotion_table, _standard_promotion, float16,
)
from ._dispatch import differentiable

__all__ = ["astype", "can_cast", "finfo", "iinfo", "isdtype", "result_type"]

_new = Tensor._new


@differentiable("astype")
def astype(x, dtype, /, *, copy=True, device=None):
    """Copy of ``x`` cast to ``dtype`` (``copy=False``: ``x`` itself when no cast is needed).

    Casting follows NumPy (``unsafe``): float to int truncates, complex to real
    is an error (take ``real`` first), as the standard leaves it unspecified.

    Examples
    --------
    >>> import minitensor as xp
    >>> x = xp.asarray([1.7, -2.2, 3.9])
    >>> xp.astype(x, xp.int32)
    Tensor([ 1, -2,  3], dtype=int32)
    >>> xp.astype(x, xp.float64, copy=False) is x
    True
    """
    _check_device(device)
    if not isinstance(x, Tensor):
        raise TypeError(f"astype: x must be a minitensor array, got {type(x).__name__}")
    dtype = _as_dtype(dtype)
    a = x._array
    k = dtype._np_dtype.kind
    if a.dtype.kind == "c" and k != "c" and k != "b":
        # Note: NumPy discards the imaginary part with a warning; as the standard
        # says, we raise (complex -> bool is allowed: nonzero is True).
        raise TypeError(f"astype: cannot cast complex {x.dtype} to {dtype}; "
                        f"use real(), imag() or abs() first")
    if not copy and a.dtype == dtype._np_dtype:
        return x
    with np.errstate(invalid="ignore", over="ignore"):
        return _new(a.astype(dtype._np_dtype, copy=True))


def _dtype_of(x, name):
    if isinstance(x, Tensor):
        return x.dtype
    if isinstance(x, DType):
        return x
    # Note: NumPy dtypes and dtype names of the 13 standard dtypes (and float16) are
    # accepted too
    return _as_dtype(x, what=f"{name}: the argument (a minitensor array or dtype)")


def can_cast(from_, to, /):
    """Whether ``from_`` (a dtype or array) can be cast to ``to`` by the promotion rules.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.can_cast(xp.int8, xp.int32), xp.can_cast(xp.float32, xp.float64)
    (True, True)
    >>> xp.can_cast(xp.asarray([1, 2], dtype=xp.int16), xp.int8)
    False
    >>> xp.can_cast(xp.int64, xp.float64)  # across kinds: no promotion edge
    False
    """
    f = _dtype_of(from_, "can_cast")
    t = _as_dtype(to)
    if f == t:
        return True
    if f.kind == "b":
        return t.kind == "b"  # the standard: bool casts only to bool
    if t.kind == "b":
        return False
    # Across kinds (integer -> floating, floating -> integer) the standard's
    # promotion graph has no edge, so no cast is "allowed" by promotion.
    if f is float16 or t is float16:
        # Note: the float16 extension sits below float32 in the floating-point
        # graph, as in NumPy's "safe" casting: float16 casts to every floating dtype,
        # only float16 casts to float16 (integers do not, like the standard's).
        return f is float16 and t.kind in ("f", "c")
    r = _standard_promotion.get((f, t))
    return r == t


@dataclass(frozen=True)
class finfo_object:
    """Machine limits of a floating-point dtype (attributes are Python floats)."""
    bits: int
    eps: float
    max: float
    min: float
    smallest_normal: float
    dtype: DType


@dataclass(frozen=True)
class iinfo_object:
    """Machine limits of an integer dtype (attributes are Python ints)."""
    bits: int
    max: int
    min: int
    dtype: DType


def finfo(type, /):
    """Machine limits of a floating-point dtype (or of an array's dtype).

    For complex dtypes the limits are those of the real component.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.finfo(xp.float32).eps
    1.1920928955078125e-07
    """
    d = _dtype_of(type, "finfo")
    if d.kind not in ("f", "c"):
        raise TypeError(f"finfo: expected a floating-point dtype, got {d}")
    fi = np.finfo(d._np_dtype)
    # the limits (and dtype) of a complex dtype are those of its real component
    return finfo_object(int(fi.bits), float(fi.eps), float(fi.max), float(fi.min),
                        float(fi.smallest_normal), _FROM_NP[fi.dtype])


def iinfo(type, /):
    """Machine limits of an integer dtype (or of an array's dtype).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.iinfo(xp.int8)
    iinfo_object(bits=8, max=127, min=-128, dtype=minitensor.int8)
    >>> xp.iinfo(xp.uint16).max
    65535
    >>> xp.iinfo(xp.asarray([1, 2])).bits
    64
    """
    d = _dtype_of(type, "iinfo")
    if d.kind not in ("i", "u"):
        raise TypeError(f"iinfo: expected an integer dtype, got {d}")
    ii = np.iinfo(d._np_dtype)
    return iinfo_object(int(ii.bits), int(ii.max), int(ii.min), d)




def isdtype(dtype, kind):
    """Whether ``dtype`` is of ``kind``: a dtype, a kind name ("bool", "signed integer",
    "unsigned integer", "integral", "real floating", "complex floating", "numeric"),
    or a tuple of those.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.isdtype(xp.float32, ("integral", "real floating"))
    True
    """
    if not isinstance(dtype, DType):
        # Note: NumPy dtypes are accepted, as everywhere else in the namespace
        # (scikit-learn passes a NumPy X's dtype to the namespace of a minitensor y).
        d = _as_dtype(dtype) if isinstance(dtype, np.dtype) and dtype in _FROM_NP else None
        if d is None:
            raise TypeError(f"isdtype: expected a minitensor dtype, got {dtype!r}")
        dtype = d
    if isinstance(kind, tuple):
        return any(isdtype(dtype, k) for k in kind)
    if isinstance(kind, DType):
        return dtype == kind
    if isinstance(kind, str):
        try:
            return dtype in _KIND_DTYPES[kind]
        except KeyError:
            raise ValueError(f"isdtype: unknown kind {kind!r}; expected one of "
                             f"{', '.join(map(repr, _KIND_DTYPES))}") from None
    raise TypeError(f"isdtype: kind must be a dtype, a kind name or a tuple of them, got {kind!r}")


def result_type(*arrays_and_dtypes):
    """The dtype that results from promoting the given arrays, dtypes and Python scalars.

    Arrays and dtypes are promoted first; Python scalars then follow the 2024.12
    rules (they take the array dtype of their kind).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.result_type(xp.int8, xp.uint8)
    minitensor.int16
    >>> xp.result_type(xp.float32, 1.0)
    minitensor.float32
    """
    dtypes = []
    scalars = []
    for x in arrays_and_dtypes:
        if isinstance(x, (bool, int, float, complex)) and not isinstance(x, np.generic):
            scalars.append(x)
        else:
            dtypes.append(_dtype_of(x, "result_type"))
    if not dtypes:
        raise ValueError("result_type: at least one array or dtype is required")
    r = dtypes[0]
    for d in dtypes[1:]:
        r = _promotion_table[(r, d)]
    for s in scalars:
        r = _dtype_with_scalar(r, s)
    return r
