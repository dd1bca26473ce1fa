"""Statistical functions of the Array API standard.

``cumulative_sum``, ``cumulative_prod``, ``max``, ``mean``, ``min``, ``prod``,
``std``, ``sum``, ``var``.

Reductions call NumPy's ufunc ``reduce`` directly (``np.add.reduce`` rather than
``np.sum``: same result, a few microseconds less per call). Full and last/first
axis sums of C-contiguous float32/float64 tensors go to the Pythran kernels
through ``minitensor._kernels`` when that is faster (``_sum_kernel`` below;
measured in ``benchmarks/bench_reductions.py``).

Accumulation dtypes (``sum``, ``prod``, ``cumulative_sum``, ``cumulative_prod``)
follow the standard: with ``dtype=None`` signed integers (and bool) accumulate in
the default integer dtype int64, unsigned integers in uint64, floating-point
dtypes keep their dtype.
"""
import builtins
import math

import numpy as np

from ._array_object import Tensor
from ._dtypes import _FROM_NP, _as_dtype
from ._elementwise_functions import _NP_CATEGORY, _category_error, _quiet_run, _quiet_slow
from ._dispatch import differentiable
from ._utility_functions import (
    _array_arg, _check_keepdims, _normalize_axes, _normalize_axis, _wrap,
)

__all__ = ["cumulative_prod", "cumulative_sum", "max", "mean", "min", "prod", "std", "sum",
           "var"]

_new = Tensor._new
_ndarray = np.ndarray

_I64 = np.dtype(np.int64)
_U64 = np.dtype(np.uint64)
_F64 = np.dtype(np.float64)
_F32 = np.dtype(np.float32)
_F16 = np.dtype(np.float16)
_BOOL = np.dtype(np.bool_)

_NUMERIC = _NP_CATEGORY["numeric"]
_NUMERIC_OR_BOOL = _NUMERIC | {_BOOL}
_ALL = _NP_CATEGORY["all"]

# dtype=None accumulation dtype of sum / prod / cumulative_*: by dtype kind
# Note: bool input is accepted (the standard asks for numeric input) and counts
# in int64, as NumPy and PyTorch do; scikit-learn sums boolean masks.
_DEFAULT_ACC = {"b": _I64, "i": _I64, "u": _U64}


def _acc_dtype(name, a, dtype):
    """The accumulation (= result) dtype of sum/prod/cumulative_* for input ``a``."""
    if dtype is None:
        return _DEFAULT_ACC.get(a.dtype.kind, a.dtype)
    d = _as_dtype(dtype)._np_dtype
    if a.dtype.kind == "c" and d.kind != "c":
        raise TypeError(f"{name}: cannot accumulate complex {_FROM_NP[a.dtype]} input in "
                        f"{_FROM_NP[d]}; take real(), imag() or abs() first")
    return d


def _input(name, x, allowed, category):
    a = _array_arg(name, x)
    if a.dtype not in allowed:
        raise _category_error(name, category, _FROM_NP[a.dtype])
    return a


def _reduced_count(a, axes):
    """Number of elements per reduction (``axes`` None means all)."""
    if axes is None:
        return a.size
    shape = a.shape
    n = 1
    for ax in axes:
        n *= shape[ax]
    return n


def _reduced_shape(a, axes, keepdims):
    if axes is None:
        return (1,) * a.ndim if keepdims else ()
    if keepdims:
        return tuple(1 if i in axes else s for i, s in enumerate(a.shape))
    return tuple(s for i, s in enumerate(a.shape) if i not in axes)


def _cast_input(a, acc):
    """Cast ``a`` to ``acc`` up front when the cast crosses kinds (float -> int:
    done once, with NumPy's cast warnings silenced as ``astype`` does)."""
    if a.dtype != acc and a.dtype.kind != acc.kind and acc.kind in "iub":
        return _quiet(a.astype, acc)
    return a


# NumPy's reductions report floating-point exceptions (overflow in a sum of
# large floats, inf - inf in var) as RuntimeWarnings; the standard has none
# (the result is inf / NaN). As in _elementwise_functions, the NumPy calls run
# with errors ignored inside a prepared contextvars.Context (~0.05 us, where
# np.errstate costs ~1.5 us per call).
def _quiet(f, *args):
    try:
        return _quiet_run(f, *args)
    except RuntimeError:  # the context is busy (another thread, nesting)
        return _quiet_slow(f, *args)


# ---------------------------------------------------------------------------
# kernel routing (float32 / float64 sums)
# ---------------------------------------------------------------------------
# Below these sizes (elements) NumPy's reduction wins: the kernel call costs a
# few microseconds more, and OpenMP only pays off on large inputs.
# Measured with benchmarks/bench_reductions.py (see its docstring): float32 from
# 8192 elements (1e4: the kernel glue 0.8x NumPy's time, 1e5..1e7: 0.35-0.6x,
# about torch's time); full sums from 1024 (xp.sum 1.7 vs 1.9 us, 4096: 1.8 vs
# 2.5 us; along an axis the kernel breaks even only at about 4096). float64
# stays with NumPy: the kernel wins in cache (1e4..1e6) but loses at memory
# bandwidth (1e7: 1.5x NumPy's time).
_KERNEL_MIN_FULL = 1024
_KERNEL_MIN_AXIS = 8192
_KERNEL_MIN = builtins.min(_KERNEL_MIN_FULL, _KERNEL_MIN_AXIS)
_KERNEL_DTYPES = (_F32,)
_kernels = None


def _sum_kernel(a, axes, keepdims):
    """The float32/float64 sum of ``a`` over ``axes`` by a Pythran kernel, or
    None when NumPy should do it (small, non-contiguous, or an axis layout the
    kernels do not cover).

    Note: the kernels add 16 values per lane in float32, then accumulate in
    float64 (float32 sums are more accurate than NumPy's pairwise float32 sums)
    and do not emit NumPy's overflow warnings; a sum of only negative zeros is
    +0.0 there. Only float32 goes to the kernels (``_KERNEL_DTYPES``).
    """
    global _kernels
    size = a.size
    # the size test first: it is the cheap one (dtype and flags tests cost ~1 us)
    if size < _KERNEL_MIN or a.dtype not in _KERNEL_DTYPES or not a.flags.c_contiguous:
        return None
    ndim = a.ndim
    if axes is None or len(axes) == ndim:
        if size < _KERNEL_MIN_FULL:
            return None
        if _kernels is None:
            from . import _kernels
        # (c_contiguous and native float32 checked above)
        r = _kernels._sum_all_ready(a) if a.flags.aligned else _kernels.sum_all(a)
        return r.reshape((1,) * ndim) if keepdims else r
    if size < _KERNEL_MIN_AXIS or not axes or axes[-1] - axes[0] != len(axes) - 1:
        return None
    shape = a.shape
    pre = math.prod(shape[:axes[0]])
    post = math.prod(shape[axes[-1] + 1:])
    if not (post == 1 or pre == 1 or pre <= 16 or post >= 256):
        return None  # many short slabs: NumPy's strided reduction is better
    if _kernels is None:
        from . import _kernels
    # (straight to the kernel glue's (pre, n, post) step: axes are checked here)
    oshape = shape[:axes[0]] + ((1,) * len(axes) if keepdims else ()) + shape[axes[-1] + 1:]
    return _kernels._sum_pnp(a, a.dtype, pre, size // (pre * post), post, oshape, axes,
                             keepdims, None)


def _sum_same(a, axes, keepdims):
    """``sum``'s result for a floating-point or complex ndarray ``a`` summed in its
    own dtype over ``axes`` (a tuple, or None for all): the same kernel or NumPy
    reduction, as an ndarray or a NumPy scalar. For autograd's unbroadcast."""
    if a.size >= _KERNEL_MIN and a.dtype.kind == "f":  # (_sum_kernel's first test)
        r = _sum_kernel(a, axes, keepdims)
        if r is not None:
            return r
    try:
        return _quiet_run(_add_reduce, a, axes, a.dtype, None, keepdims)
    except RuntimeError:  # the context is busy (another thread, nesting)
        return _quiet_slow(_add_reduce, a, axes, a.dtype, None, keepdims)


_add_reduce = np.add.reduce


# ---------------------------------------------------------------------------
# sum / prod
# ---------------------------------------------------------------------------
def _sum_prod(name, ufunc, kernel):
    reduce = ufunc.reduce

    @differentiable(name)
    def func(x, /, *, axis=None, dtype=None, keepdims=False):
        a = x._array if type(x) is Tensor else _array_arg(name, x)
        dt = a.dtype
        if dt not in _NUMERIC_OR_BOOL:
            raise _category_error(name, "numeric", _FROM_NP[dt])
        if keepdims is not False:
            _check_keepdims(name, keepdims)
        axes = None if axis is None else _normalize_axes(name, axis, a.ndim)
        acc = _DEFAULT_ACC.get(dt.kind, dt) if dtype is None else _acc_dtype(name, a, dtype)
        if acc is dt or acc == dt:
            # (_sum_kernel's size test inline: most sums are below it)
            if kernel and a.size >= _KERNEL_MIN and dt.kind == "f":
                r = _sum_kernel(a, axes, keepdims)
                if r is not None:
                    return _new(r)
        else:
            a = _cast_input(a, acc)
        try:  # (_quiet and _wrap, inline)
            r = _quiet_run(reduce, a, axes, acc, None, keepdims)
        except RuntimeError:  # the context is busy (another thread, nesting)
            r = _quiet_slow(reduce, a, axes, acc, None, keepdims)
        if type(r) is not _ndarray:
            r = np.asarray(r)
        return _new(r)

    func.__name__ = func.__qualname__ = name
    return func


_SUM_PROD_DOC = """{What} of the elements of ``x`` along ``axis``.

Parameters
----------
x : Tensor
    Numeric (or bool) dtype.
axis : int or tuple of ints, optional
    Axes to reduce (negative axes count from the end). Default: all axes.
dtype : DType, optional
    Result (and accumulation) dtype. Default: int64 for signed integer and
    bool input, uint64 for unsigned integer input, else ``x.dtype``.
keepdims : bool, optional
    Keep the reduced axes as size-1 dimensions.

Returns
-------
Tensor
    The {what}s; {identity} where a reduced axis is empty.

Examples
--------
>>> import minitensor as xp
{example}
"""

sum = _sum_prod("sum", np.add, kernel=True)
sum.__doc__ = _SUM_PROD_DOC.format(What="Sum", what="sum", identity=0, example="""\
>>> x = xp.asarray([[1, 2, 3], [4, 5, 6]], dtype=xp.int8)
>>> xp.sum(x)
Tensor(21, dtype=int64)
>>> xp.sum(x, axis=0, keepdims=True)
Tensor([[5, 7, 9]], dtype=int64)""")

prod = _sum_prod("prod", np.multiply, kernel=False)
prod.__doc__ = _SUM_PROD_DOC.format(What="Product", what="product", identity=1, example="""\
>>> xp.prod(xp.asarray([[1.0, 2.0], [3.0, 4.0]]), axis=1)
Tensor([ 2., 12.], dtype=float64)""")


# ---------------------------------------------------------------------------
# cumulative_sum / cumulative_prod
# ---------------------------------------------------------------------------
def _cumulative(name, ufunc, identity):
    @differentiable(name)
    def func(x, /, *, axis=None, dtype=None, include_initial=False):
        a = _input(name, x, _NUMERIC_OR_BOOL, "numeric")
        if a.ndim == 0:
            # Note: the standard leaves 0-d input open; as NumPy's cumulative_sum,
            # a 0-d tensor is treated as a 1-element 1-D tensor (the result is 1-D).
            a = a.reshape(1)
        if axis is None:
            if a.ndim > 1:
                raise ValueError(f"{name}: axis is required for a tensor of more than one "
                                 f"dimension (got shape {a.shape})")
            ax = 0
        else:
            ax = _normalize_axis(name, axis, a.ndim)
        if type(include_initial) is not builtins.bool and not isinstance(include_initial, np.bool_):
            raise TypeError(f"{name}: include_initial must be a bool, got {include_initial!r}")
        acc = _acc_dtype(name, a, dtype)
        a = _cast_input(a, acc)
        if not include_initial:
            return _new(_quiet(ufunc.accumulate, a, ax, acc))
        shape = list(a.shape)
        shape[ax] += 1
        out = np.empty(shape, dtype=acc)
        lead = (slice(None),) * ax
        out[lead + (0,)] = identity
        _quiet(ufunc.accumulate, a, ax, acc, out[lead + (slice(1, None),)])
        return _new(out)

    func.__name__ = func.__qualname__ = name
    return func


_CUMULATIVE_DOC = """Cumulative {what} of ``x`` along ``axis``.

Parameters
----------
x : Tensor
    Numeric (or bool) dtype.
axis : int, optional
    Axis to accumulate along; required when ``x`` has more than one dimension.
dtype : DType, optional
    Result dtype; the default follows ``{red}`` (int64 / uint64 for integers).
include_initial : bool, optional
    Start with the {kind} identity ({identity}): the axis grows by one.

Examples
--------
>>> import minitensor as xp
{example}
"""

cumulative_sum = _cumulative("cumulative_sum", np.add, 0)
cumulative_sum.__doc__ = _CUMULATIVE_DOC.format(what="sum", red="sum", kind="additive", identity=0,
                                                example="""\
>>> xp.cumulative_sum(xp.asarray([1, 2, 3]), include_initial=True)
Tensor([0, 1, 3, 6], dtype=int64)""")

cumulative_prod = _cumulative("cumulative_prod", np.multiply, 1)
cumulative_prod.__doc__ = _CUMULATIVE_DOC.format(
    what="product", red="prod", kind="multiplicative", identity=1, example="""\
>>> xp.cumulative_prod(xp.asarray([[1.0, 2.0], [3.0, 4.0]]), axis=0)
Tensor([[1., 2.],
        [3., 8.]], dtype=float64)""")


# ---------------------------------------------------------------------------
# max / min
# ---------------------------------------------------------------------------
def _extremum(name, ufunc):
    @differentiable(name)
    def func(x, /, *, axis=None, keepdims=False):
        # Note: bool and complex input are accepted, as NumPy does (complex
        # numbers are ordered lexicographically); the standard asks for real input.
        a = x._array if type(x) is Tensor else _array_arg(name, x)
        if keepdims is not False:
            _check_keepdims(name, keepdims)
        axes = None if axis is None else _normalize_axes(name, axis, a.ndim)
        try:
            r = ufunc.reduce(a, axis=axes, keepdims=keepdims)
        except ValueError:
            if a.size == 0:
                # Note: the standard leaves the max/min of nothing open; as NumPy
                # (and PyTorch), it is an error.
                raise ValueError(
                    f"{name}: cannot reduce an empty tensor (shape {a.shape}, axis {axis!r}): "
                    f"the {name} of zero elements is undefined") from None
            raise
        return _wrap(r)

    func.__name__ = func.__qualname__ = name
    return func


_EXTREMUM_DOC = """{What} of ``x`` along ``axis`` (NaN propagates).

Parameters
----------
x : Tensor
axis : int or tuple of ints, optional
    Axes to reduce. Default: all axes.
keepdims : bool, optional
    Keep the reduced axes as size-1 dimensions.

Returns
-------
Tensor
    Same dtype as ``x``. Reducing over zero elements raises ValueError.

Examples
--------
>>> import minitensor as xp
{example}
"""

max = _extremum("max", np.maximum)
max.__doc__ = _EXTREMUM_DOC.format(What="Maximum", example="""\
>>> xp.max(xp.asarray([[1, 5], [7, 2]]), axis=1)
Tensor([5, 7], dtype=int64)""")

min = _extremum("min", np.minimum)
min.__doc__ = _EXTREMUM_DOC.format(What="Minimum", example="""\
>>> xp.min(xp.asarray([3.0, -1.0, 2.0]))
Tensor(-1., dtype=float64)""")


# ---------------------------------------------------------------------------
# mean / var / std
# ---------------------------------------------------------------------------
def _float_input(name, x):
    """Input of mean/var/std and the dtype of the result: floating dtypes keep
    theirs; integer and bool input computes in float64."""
    a = _array_arg(name, x)
    if a.dtype not in _NUMERIC_OR_BOOL:
        raise _category_error(name, "numeric", _FROM_NP[a.dtype])
    if a.dtype.kind in "fc":
        return a, a.dtype
    # Note: integer (and bool) input is accepted and gives float64, as the
    # standard allows and NumPy does.
    return a, _F64


def _nan_result(a, axes, keepdims, dtype):
    return np.full(_reduced_shape(a, axes, keepdims), np.nan, dtype=dtype)


@differentiable("mean")
def mean(x, /, *, axis=None, keepdims=False):
    """Arithmetic mean of ``x`` along ``axis``.

    Parameters
    ----------
    x : Tensor
        Floating-point dtype (integer and bool input give float64).
    axis : int or tuple of ints, optional
        Axes to reduce. Default: all axes.
    keepdims : bool, optional
        Keep the reduced axes as size-1 dimensions.

    Returns
    -------
    Tensor
        The means, with ``x``'s floating dtype; NaN (without a warning) where
        the reduction is over zero elements.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.mean(xp.asarray([[1.0, 2.0], [3.0, 5.0]]), axis=0)
    Tensor([2. , 3.5], dtype=float64)
    >>> xp.mean(xp.asarray([1, 2]))
    Tensor(1.5, dtype=float64)
    """
    a, dt = _float_input("mean", x)
    if keepdims is not False:
        _check_keepdims("mean", keepdims)
    axes = None if axis is None else _normalize_axes("mean", axis, a.ndim)
    n = _reduced_count(a, axes)
    if n == 0:
        return _new(_nan_result(a, axes, keepdims, dt))
    if dt == _F16:
        # Note: float16 (the extension dtype) accumulates in float32, as NumPy's
        # mean (a float16 divisor would overflow above 65504 elements)
        return _wrap(np.asarray(_quiet(_mean_np, a, axes, _F32, keepdims, n, None)).astype(_F16))
    s = None
    if a.dtype is dt or a.dtype == dt:
        s = _sum_kernel(a, axes, keepdims) if dt.kind == "f" else None
    return _wrap(_quiet(_mean_np, a, axes, dt, keepdims, n, s))


def _mean_np(a, axes, dt, keepdims, n, s):
    if s is None:
        s = np.add.reduce(a, axes, dt, None, keepdims)
    # s / n: a Python int divisor keeps float32 results float32 (NEP 50)
    return np.true_divide(s, n, out=s if type(s) is _ndarray else None)


def _correction(name, correction):
    if isinstance(correction, (builtins.bool, np.bool_)) or not isinstance(
            correction, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: correction must be a real number, got {correction!r}")
    c = float(correction)
    if not math.isfinite(c):
        raise ValueError(f"{name}: correction must be finite, got {correction!r}")
    return c


def _var(name, x, axis, correction, keepdims):
    a, dt = _float_input(name, x)
    _check_keepdims(name, keepdims)
    c = _correction(name, correction)
    axes = None if axis is None else _normalize_axes(name, axis, a.ndim)
    rdt = np.dtype(dt.char.lower()) if dt.kind == "c" else dt  # real dtype of the result
    if a.ndim == 0:  # one element, whether reduced over all axes or none
        a = a.reshape(1)
        axes = (0,)
        keepdims = False
    n = _reduced_count(a, axes)
    if n == 0 or n - c <= 0:
        # The standard: NaN when M - correction <= 0 (NumPy would also warn).
        return _nan_result(a, axes, keepdims, rdt)
    if dt == _F16:
        # Note: float16 (the extension dtype) is computed in float32 and rounded
        # (a float16 count overflows above 65504 elements; NumPy divides in float64)
        return _quiet(_var_np, a.astype(_F32), axes, _F32, keepdims, n, c).astype(_F16)
    return _quiet(_var_np, a, axes, dt, keepdims, n, c)


def _var_np(a, axes, dt, keepdims, n, c):
    # two passes (as NumPy): the mean, then the sum of squared deviations
    m = np.add.reduce(a, axis=axes, dtype=dt, keepdims=True)
    np.true_divide(m, n, out=m)
    d = np.subtract(a, m, dtype=dt)
    if dt.kind == "c":
        sq = np.multiply(d.real, d.real)  # |d|^2 = re^2 + im^2
        sq += np.multiply(d.imag, d.imag)
    else:
        sq = np.multiply(d, d, out=d)
    s = np.add.reduce(sq, axis=axes, keepdims=keepdims)
    if type(s) is not _ndarray:
        s = np.asarray(s)
    np.true_divide(s, n - c, out=s)
    return s


@differentiable("var")
def var(x, /, *, axis=None, correction=0.0, keepdims=False):
    """Variance of ``x`` along ``axis``: ``sum(|x - mean|**2) / (M - correction)``.

    Parameters
    ----------
    x : Tensor
        Floating-point dtype (integer and bool input give float64; complex input
        gives the real dtype of the same precision, as NumPy).
    axis : int or tuple of ints, optional
        Axes to reduce. Default: all axes.
    correction : int or float, optional
        Degrees of freedom adjustment (1 for the unbiased sample variance).
    keepdims : bool, optional
        Keep the reduced axes as size-1 dimensions.

    Returns
    -------
    Tensor
        The variances; NaN (without a warning) where ``M - correction <= 0``.

    Examples
    --------
    >>> import minitensor as xp
    >>> x = xp.asarray([1.0, 2.0, 3.0, 4.0])
    >>> xp.var(x), xp.var(x, correction=1)
    (Tensor(1.25, dtype=float64), Tensor(1.66666667, dtype=float64))
    """
    return _new(_var("var", x, axis, correction, keepdims))


@differentiable("std")
def std(x, /, *, axis=None, correction=0.0, keepdims=False):
    """Standard deviation of ``x`` along ``axis`` (the square root of ``var``).

    Parameters
    ----------
    x : Tensor
        Floating-point dtype (integer and bool input give float64).
    axis : int or tuple of ints, optional
        Axes to reduce. Default: all axes.
    correction : int or float, optional
        Degrees of freedom adjustment (1 for Bessel's correction).
    keepdims : bool, optional
        Keep the reduced axes as size-1 dimensions.

    Returns
    -------
    Tensor
        NaN (without a warning) where ``M - correction <= 0``.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.std(xp.asarray([[1.0, 3.0], [2.0, 2.0]]), axis=1)
    Tensor([1., 0.], dtype=float64)
    """
    v = _var("std", x, axis, correction, keepdims)
    return _new(np.sqrt(v, out=v))  # v >= 0 or NaN: sqrt raises no flag
