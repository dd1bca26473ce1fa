"""Glue between minitensor and its compiled Pythran/OpenMP kernels.

This module is the only caller of ``minitensor._pythran``. It works on
``numpy.ndarray`` buffers (not on minitensor tensors) and does everything the
kernels do not do (Pythran checks nothing: a wrong shape reads out of bounds):

* type and dtype checks: kernels exist for float32 and float64 only. Other real
  floating dtypes (float16, longdouble) are computed by the kernel's Python
  source run by NumPy in that dtype; ``muladd``/``add_row``/sums also accept
  integer, bool and complex inputs and use the NumPy expression. Anything else
  raises ``TypeError`` naming the function and the dtype;
* shape checks (``ValueError`` naming the shapes);
* layout: inputs are made C-contiguous, aligned and native byte order
  (``np.ascontiguousarray``); 0-d inputs are reshaped to 1 element;
* in-place arguments (optimizer state) must be writable (``ValueError: ... is
  read-only``); if they are not C-contiguous/native they are updated through a
  contiguous copy that is written back;
* outputs are allocated here with ``np.empty`` (NumPy's allocator uses huge pages);
* the thread count (``get_num_threads``/``set_num_threads``) is passed to every
  kernel; kernels run serially below a per-kernel size threshold anyway.

The compiled modules are loaded on the first kernel call, not at import.
"""
import math
import operator
import os
import warnings

import numpy as np

from ._validation import index_arg

__all__ = [
    "get_num_threads", "set_num_threads",
    "gelu", "gelu_backward", "sigmoid", "sigmoid_backward", "silu", "silu_backward", "erf", "erfc",
    "gammaln", "digamma", "polygamma", "ndtri",
    "tanh_backward", "relu_backward", "muladd", "add_row",
    "sum_all", "sum_axis",
    "sgd_step", "adam_step", "rmsprop_step", "adagrad_step", "adamax_step", "nadam_step",
]

_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_KERNEL_DTYPES = (_F32, _F64)   # native byte order: a '>f4' dtype is not equal to these


# ----------------------------------------------------------------------------
# threads

def _cpu_count():
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


# The largest thread count accepted: four threads per CPU of the machine, and at
# least 64. More threads only oversubscribe the CPUs, and OpenMP cannot fail
# gracefully when it runs out of threads: libgomp ends the process ("Thread creation
# failed", e.g. 40,000 threads) or crashes (100,000), at the first parallel kernel.
_MAX_NUM_THREADS = max(64, 4 * (os.cpu_count() or 1))


def _initial_num_threads():
    env = os.environ.get("MINITENSOR_NUM_THREADS", "").strip()
    if env:
        try:
            n = int(env)
        except ValueError:
            n = 0
        if 1 <= n <= _MAX_NUM_THREADS:
            return n
        # Note: a bad value does not stop the import (a warning, then the default)
        why = (f"is more than the limit of {_MAX_NUM_THREADS} threads" if n > _MAX_NUM_THREADS
               else "is not an integer >= 1")
        warnings.warn(f"MINITENSOR_NUM_THREADS={env[:40]!r} {why}; "
                      f"using the number of CPUs ({_cpu_count()})", RuntimeWarning, stacklevel=2)
    return _cpu_count()


_num_threads = _initial_num_threads()


def get_num_threads():
    """Number of threads the kernels may use (from ``MINITENSOR_NUM_THREADS``, else the CPU count).

    Examples
    --------
    >>> import minitensor as xp
    >>> n = xp.get_num_threads()
    >>> isinstance(n, int) and n >= 1
    True
    """
    return _num_threads


def set_num_threads(n):
    """Set the number of threads the kernels may use.

    ``n`` is an integer from 1 to the limit, ``max(64, 4 * os.cpu_count())``
    (more threads than that only oversubscribe the CPUs, and the OpenMP runtime
    ends the process when it cannot create them): ValueError outside that range,
    TypeError for a non-integer. The count is this library's own setting, passed to
    each kernel call; it does not change NumPy's, BLAS's or PyTorch's threads.

    Examples
    --------
    >>> import minitensor as xp
    >>> previous = xp.get_num_threads()
    >>> xp.set_num_threads(1)
    >>> xp.get_num_threads()
    1
    >>> xp.set_num_threads(previous)  # restore
    """
    global _num_threads
    if isinstance(n, (bool, np.bool_)):
        raise TypeError(f"set_num_threads: expected an integer >= 1, got {n!r}")
    try:
        k = operator.index(n)
    except TypeError:
        raise TypeError(f"set_num_threads: expected an integer >= 1, got "
                        f"{type(n).__name__}") from None
    if k < 1:
        raise ValueError(f"set_num_threads: expected an integer >= 1, got {k}")
    if k > _MAX_NUM_THREADS:
        raise ValueError(f"set_num_threads: {k} threads is more than the limit of "
                         f"{_MAX_NUM_THREADS} (4 per CPU, at least 64)")
    _num_threads = int(k)


# ----------------------------------------------------------------------------
# lazy loading of the kernel modules

_mods = None


def _k():
    """(fused, reduce, optim) kernel modules, loaded on first use."""
    global _mods
    if _mods is None:
        from minitensor import _pythran
        _mods = (_pythran._fused, _pythran._reduce, _pythran._optim)
    return _mods


_sources = {}


def _source(name):
    """The kernel file run as plain NumPy (fallback for float16/longdouble)."""
    mod = _sources.get(name)
    if mod is None:
        from minitensor import _pythran
        mod = _sources[name] = _pythran._load_source(name)
    return mod


# ----------------------------------------------------------------------------
# argument checks and conversions

def _check_array(fname, argname, a):
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{fname}: {argname} must be a numpy.ndarray, got {type(a).__name__}")


def _check_arrays(fname, names, arrays):
    for n, a in zip(names, arrays):
        _check_array(fname, n, a)


def _shape_error(fname, names, arrays):
    desc = " and ".join(f"{n} has shape {tuple(a.shape)}" for n, a in zip(names, arrays))
    return ValueError(f"{fname}: shape mismatch: {desc}")


def _float_dtype(fname, names, arrays):
    """Common real floating dtype of the arrays (native byte order); TypeError otherwise."""
    for n, a in zip(names, arrays):
        if a.dtype.kind != "f":
            raise TypeError(f"{fname}: unsupported dtype {a.dtype} for {n} "
                            f"(expected float32 or float64)")
    if len(arrays) == 1:
        return arrays[0].dtype.newbyteorder("=")
    return np.result_type(*arrays).newbyteorder("=")


def _flat(a, dt):
    """C-contiguous, aligned, native 1-D array of dtype dt with a's elements (a view if possible)."""
    if a.dtype != dt:                 # other dtype or byte order: a new (aligned) array
        a = np.ascontiguousarray(a, dtype=dt)
    else:
        f = a.flags
        if not f.c_contiguous:
            a = np.ascontiguousarray(a)
        elif not f.aligned:
            a = a.copy()
    return a if a.ndim == 1 else a.ravel()


def _rows(a, dt, n):
    """(m, n) C-contiguous, aligned, native view/copy of a (a.size == m*n, n > 0)."""
    if a.ndim == 2 and a.shape[1] == n and a.dtype == dt:
        f = a.flags
        if f.c_contiguous and f.aligned:
            return a
    a = _flat(a, dt)
    return a.reshape(a.shape[0] // n, n)


def _inplace(fname, argname, a, dt):
    """(flat work array, array to copy back into or None) for an in-place argument."""
    if not a.flags.writeable:
        raise ValueError(f"{fname}: {argname} is read-only")
    f = a.flags
    if a.dtype == dt and f.c_contiguous and f.aligned:
        return (a if a.ndim == 1 else a.ravel()), None
    return np.array(a, dtype=dt, order="C").reshape(-1), a


def _copy_back(work, target):
    if target is not None:
        target[...] = work.reshape(target.shape)


# ----------------------------------------------------------------------------
# fused elementwise kernels

def _unary(fname, x):
    _check_array(fname, "x", x)
    dt = x.dtype
    if dt not in _KERNEL_DTYPES:
        dt = _float_dtype(fname, ("x",), (x,))
    xf = _flat(x, dt)
    out = np.empty(xf.shape[0], dt)
    if dt in _KERNEL_DTYPES:
        getattr(_k()[0], fname)(xf, out, _num_threads)
    else:
        getattr(_source("_fused"), fname)(xf, out, 1)
    return out if x.ndim == 1 else out.reshape(x.shape)


def _binary(fname, a, b, names):
    if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
        _check_arrays(fname, names, (a, b))
    dt = a.dtype
    if dt not in _KERNEL_DTYPES or b.dtype != dt:
        dt = _float_dtype(fname, names, (a, b))
    if a.shape != b.shape:
        raise _shape_error(fname, names, (a, b))
    af = _flat(a, dt)
    bf = _flat(b, dt)
    out = np.empty(af.shape[0], dt)
    if dt in _KERNEL_DTYPES:
        getattr(_k()[0], fname)(af, bf, out, _num_threads)
    else:
        getattr(_source("_fused"), fname)(af, bf, out, 1)
    return out if a.ndim == 1 else out.reshape(a.shape)


def gelu(x):
    """GELU, tanh approximation (PyTorch ``approximate='tanh'``): 0.5*x*(1+tanh(sqrt(2/pi)*(x+0.044715*x**3)))."""
    return _unary("gelu", x)


def gelu_backward(x, grad):
    """grad * d gelu(x) / dx (tanh approximation)."""
    return _binary("gelu_backward", x, grad, ("x", "grad"))


def sigmoid(x):
    """1 / (1 + exp(-x))."""
    return _unary("sigmoid", x)


def erf(x):
    """The error function (the C library's ``erf``)."""
    return _unary("erf", x)


def erfc(x):
    """The complementary error function ``1 - erf(x)`` (the C library's ``erfc``)."""
    return _unary("erfc", x)


def gammaln(x):
    """log|Gamma(x)| (the C library's ``lgamma``; inf at 0, -1, -2, ...)."""
    return _unary("gammaln", x)


def digamma(x):
    """psi(x) = d/dx log Gamma(x) (-inf at +0, inf at -0, NaN at -1, -2, ...)."""
    return _unary("digamma", x)


def ndtri(x):
    """The standard normal quantile: ``ndtr(ndtri(p)) == p`` (NaN outside [0, 1])."""
    return _unary("ndtri", x)


def polygamma(n, x):
    """psi^(n)(x), the n-th derivative of ``digamma``, for an integer ``n >= 1``."""
    n = index_arg("polygamma", "n", n)
    if n < 1:
        raise ValueError(f"polygamma: n must be an integer >= 1, got {n}")
    _check_array("polygamma", "x", x)
    dt = x.dtype
    if dt not in _KERNEL_DTYPES:
        dt = _float_dtype("polygamma", ("x",), (x,))
    xf = _flat(x, dt)
    out = np.empty(xf.shape[0], dt)
    if dt in _KERNEL_DTYPES:
        _k()[0].polygamma(n, xf, out, _num_threads)
    else:
        _source("_fused").polygamma(n, xf, out, 1)
    return out if x.ndim == 1 else out.reshape(x.shape)


def sigmoid_backward(y, grad):
    """grad * (1 - y) * y, where y = sigmoid(x) is the forward output."""
    return _binary("sigmoid_backward", y, grad, ("y", "grad"))


def silu(x):
    """x * sigmoid(x)."""
    return _unary("silu", x)


def silu_backward(x, grad):
    """grad * s * (1 + x*(1 - s)), s = sigmoid(x)."""
    return _binary("silu_backward", x, grad, ("x", "grad"))


def tanh_backward(y, grad):
    """grad * (1 - y*y), where y = tanh(x) is the forward output."""
    return _binary("tanh_backward", y, grad, ("y", "grad"))


def relu_backward(x, grad):
    """grad where x > 0, else 0 (x may be the input or the output of relu; NaN x passes grad, as in PyTorch)."""
    return _binary("relu_backward", x, grad, ("x", "grad"))


def _numeric_dtype(fname, names, arrays):
    for n, a in zip(names, arrays):
        if a.dtype.kind not in "biufc":
            raise TypeError(f"{fname}: unsupported dtype {a.dtype} for {n} (expected a numeric dtype)")
    return np.result_type(*arrays).newbyteorder("=")


def muladd(x, y, z):
    """x*y + z. Equal shapes and float32/float64: one fused pass (may use FMA: within
    1 ulp of NumPy); broadcastable shapes or other numeric dtypes: the NumPy expression."""
    names = ("x", "y", "z")
    if not (isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and isinstance(z, np.ndarray)):
        _check_arrays("muladd", names, (x, y, z))
    dt = x.dtype
    if dt not in _KERNEL_DTYPES or y.dtype != dt or z.dtype != dt:
        dt = _numeric_dtype("muladd", names, (x, y, z))
    if not (x.shape == y.shape == z.shape):
        try:
            np.broadcast_shapes(x.shape, y.shape, z.shape)
        except ValueError:
            raise ValueError(f"muladd: shapes {x.shape}, {y.shape} and {z.shape} "
                             f"cannot be broadcast together") from None
        return np.add(np.multiply(x, y), z)
    if dt not in _KERNEL_DTYPES:
        return np.add(np.multiply(x, y), z)
    xf = _flat(x, dt)
    out = np.empty(xf.shape[0], dt)
    _k()[0].muladd(xf, _flat(y, dt), _flat(z, dt), out, _num_threads)
    return out if x.ndim == 1 else out.reshape(x.shape)


_ADD_ROW_MIN_COLS = 16   # narrower rows: NumPy's broadcasting loop is faster


def add_row(x, row):
    """x + row, with row (1-D) broadcast along the last axis of x (bias add)."""
    _check_array("add_row", "x", x)
    _check_array("add_row", "row", row)
    dt = x.dtype
    if dt not in _KERNEL_DTYPES or row.dtype != dt:
        dt = _numeric_dtype("add_row", ("x", "row"), (x, row))
    if x.ndim < 1 or row.ndim != 1 or x.shape[-1] != row.shape[0]:
        raise ValueError(f"add_row: shape mismatch: x has shape {x.shape} and row has shape "
                         f"{row.shape} (expected row of shape (x.shape[-1],))")
    n = row.shape[0]
    if dt not in _KERNEL_DTYPES or n < _ADD_ROW_MIN_COLS:
        return np.add(x, row)
    m = x.shape[0] if x.ndim == 2 else math.prod(x.shape[:-1])
    out = np.empty((m, n), dt)
    if m:
        _k()[0].add_row(_rows(x, dt, n), _flat(row, dt), out, _num_threads)
    return out if x.ndim == 2 else out.reshape(x.shape)


# ----------------------------------------------------------------------------
# sums

def _sum_dtype(fname, x, dtype):
    if dtype is not None:
        dtype = np.dtype(dtype)
        if dtype.kind not in "biufc":
            raise TypeError(f"{fname}: unsupported dtype {dtype}")
    if x.dtype.kind not in "biufc":
        raise TypeError(f"{fname}: unsupported dtype {x.dtype} (expected a numeric dtype)")
    return dtype


def sum_all(x, dtype=None):
    """Sum of all elements, as a 0-d array (float32/float64: blocked, float64-accumulated;
    float32 at least as accurate as NumPy's pairwise sum, float64 within a few times
    its error; other dtypes: ``np.sum``)."""
    _check_array("sum_all", "x", x)
    dtype = _sum_dtype("sum_all", x, dtype)
    dt = x.dtype.newbyteorder("=") if dtype is None else dtype.newbyteorder("=")
    if dt not in _KERNEL_DTYPES:
        return np.asarray(np.sum(x, dtype=dtype))
    out = np.empty(1, dt)
    _k()[1].sum_all(_flat(x, dt), out, _num_threads)
    return out.reshape(())


def _sum_all_ready(a):
    """``sum_all(a)`` for a C-contiguous, aligned, native float32/float64 ndarray
    (the caller has checked; ``_statistical_functions._sum_kernel``): no checks or
    conversions (about 1 us less per call)."""
    out = np.empty(1, a.dtype)
    (_mods or _k())[1].sum_all(a if a.ndim == 1 else a.reshape(-1), out, _num_threads)
    return out.reshape(())


def _normalize_axes(fname, axis, ndim):
    if isinstance(axis, tuple):
        axes = axis
    else:
        axes = (axis,)
    res = []
    for a in axes:
        if isinstance(a, (bool, np.bool_)):
            raise TypeError(f"{fname}: axis must be an integer or a tuple of integers, got {a!r}")
        try:
            a = operator.index(a)
        except TypeError:
            raise TypeError(f"{fname}: axis must be an integer or a tuple of integers, "
                            f"got {type(a).__name__}") from None
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(a, ndim)
        res.append(a % ndim)
    if len(set(res)) != len(res):
        raise ValueError(f"{fname}: repeated axis in {axis!r}")
    return tuple(sorted(res))


def sum_axis(x, axis=None, keepdims=False, dtype=None):
    """Sum along ``axis`` (None, an int or a tuple of ints), like ``np.sum``.

    float32/float64 and contiguous axes (after normalisation) use the kernels via
    a (pre, n, post) view: ``sum_rows`` (post == 1), ``sum_cols`` (pre == 1), or
    ``sum_cols`` on each of the ``pre`` slabs when there are few of them or they
    are wide. Other cases use ``np.sum``.
    """
    _check_array("sum_axis", "x", x)
    if axis is None:
        res = sum_all(x, dtype)
        return res.reshape((1,) * x.ndim) if keepdims else res
    shape = x.shape
    nd = len(shape)
    if type(axis) is int and dtype is None and x.dtype in _KERNEL_DTYPES and -nd <= axis < nd:
        # fast path: one axis, float32/float64, no dtype conversion
        dt = x.dtype
        a = axis % nd
        n = shape[a]
        pre = math.prod(shape[:a])
        post = math.prod(shape[a + 1:])
        oshape = shape[:a] + ((1,) if keepdims else ()) + shape[a + 1:]
        return _sum_pnp(x, dt, pre, n, post, oshape, a, keepdims, None)
    dtype = _sum_dtype("sum_axis", x, dtype)
    axes = _normalize_axes("sum_axis", axis, nd)
    dt = x.dtype.newbyteorder("=") if dtype is None else dtype.newbyteorder("=")
    if dt not in _KERNEL_DTYPES or not axes or axes[-1] - axes[0] != len(axes) - 1:
        return np.asarray(np.sum(x, axis=axes, keepdims=keepdims, dtype=dtype))
    pre = math.prod(shape[:axes[0]])
    n = math.prod(shape[axes[0]:axes[-1] + 1])
    post = math.prod(shape[axes[-1] + 1:])
    if keepdims:
        oshape = tuple(1 if i in axes else d for i, d in enumerate(shape))
    else:
        oshape = tuple(d for i, d in enumerate(shape) if i not in axes)
    return _sum_pnp(x, dt, pre, n, post, oshape, axes, keepdims, dtype)


def _sum_pnp(x, dt, pre, n, post, oshape, axes, keepdims, dtype):
    """Sum of x viewed as (pre, n, post) over its middle axis, as an array of shape oshape."""
    out = np.empty(pre * post, dt)
    if pre * post == 0:
        return out.reshape(oshape)
    if n == 0:
        out[...] = 0
        return out.reshape(oshape)
    nt = _num_threads
    red = _k()[1]
    if post == 1:
        red.sum_rows(_rows(x, dt, n), out, nt)
    elif pre == 1:
        red.sum_cols(_rows(x, dt, post), out, nt)
    elif pre <= 16 or post >= 256:
        x3 = _flat(x, dt).reshape(pre, n, post)
        o2 = out.reshape(pre, post)
        for i in range(pre):
            red.sum_cols(x3[i], o2[i], nt)
    else:
        return np.asarray(np.sum(x, axis=axes, keepdims=keepdims, dtype=dtype))
    return out.reshape(oshape)


# ----------------------------------------------------------------------------
# optimizers

def _hyper(fname, name, value, lo=None, hi=None, lo_open=False, hi_open=False):
    if type(value) is float:
        v = value
    elif isinstance(value, (bool, np.bool_)) or \
            not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{fname}: {name} must be a real number, got {type(value).__name__}")
    else:
        v = float(value)
    if v != v or (lo is not None and (v < lo or (lo_open and v == lo))) or \
            (hi is not None and (v > hi or (hi_open and v == hi))):
        raise ValueError(f"{fname}: invalid {name}: {value!r}")
    return v


def _optim_arrays(fname, names, arrays):
    """Common dtype of an in-place update (all arrays must have the param's dtype and shape)."""
    for n, a in zip(names, arrays):
        _check_array(fname, n, a)
    p = arrays[0]
    if p.dtype.kind != "f":
        raise TypeError(f"{fname}: unsupported dtype {p.dtype} for {names[0]} "
                        f"(expected float32 or float64)")
    dt = p.dtype.newbyteorder("=")
    for n, a in zip(names[1:], arrays[1:]):
        if a.dtype.newbyteorder("=") != dt:
            raise TypeError(f"{fname}: {n} has dtype {a.dtype} but {names[0]} has dtype {p.dtype}")
    for n, a in zip(names[1:], arrays[1:]):
        if a.shape != p.shape:
            raise _shape_error(fname, (names[0], n), (p, a))
    return dt


def _sgd_hypers(lr, momentum, dampening, weight_decay, nesterov):
    """SGD's hyperparameters checked (``sgd_step``'s messages), as floats and a bool."""
    f = "sgd_step"
    lr = _hyper(f, "lr", lr, lo=0.0)
    momentum = _hyper(f, "momentum", momentum, lo=0.0)
    dampening = _hyper(f, "dampening", dampening)
    weight_decay = _hyper(f, "weight_decay", weight_decay, lo=0.0)
    nesterov = bool(nesterov)
    if nesterov and (momentum <= 0.0 or dampening != 0.0):
        raise ValueError(f"{f}: nesterov momentum requires a momentum and zero dampening")
    return lr, momentum, dampening, weight_decay, nesterov


def sgd_step(param, grad, momentum_buffer=None, *, lr, momentum=0.0, dampening=0.0,
             weight_decay=0.0, nesterov=False, maximize=False):
    """One ``torch.optim.SGD`` step for one parameter, in place.

    Returns the momentum buffer: ``None`` if ``momentum == 0``; a new array on the
    first step (``momentum_buffer=None``, PyTorch's "buffer is None"), else the
    buffer passed in, updated in place.
    """
    f = "sgd_step"
    lr, momentum, dampening, weight_decay, nesterov = _sgd_hypers(
        lr, momentum, dampening, weight_decay, nesterov)
    maximize = bool(maximize)
    use_buf = momentum != 0.0
    first = use_buf and momentum_buffer is None
    names = ["param", "grad"]
    arrays = [param, grad]
    if use_buf and not first:
        names.append("momentum_buffer")
        arrays.append(momentum_buffer)
    dt = _optim_arrays(f, names, arrays)
    p, p_back = _inplace(f, "param", param, dt)
    g = _flat(grad, dt)
    if first:
        b_out = np.empty(param.shape, dt)
        b, b_back = b_out.reshape(-1), None
    elif use_buf:
        b_out = momentum_buffer
        b, b_back = _inplace(f, "momentum_buffer", momentum_buffer, dt)
    else:
        b_out = None
        b, b_back = p, None      # placeholder, never touched when momentum == 0
    if dt in _KERNEL_DTYPES:
        kern, nt = _k()[2].sgd, _num_threads
    else:
        kern, nt = _source("_optim").sgd, 1
    kern(p, g, b, lr, momentum, dampening, weight_decay, nesterov, maximize, first, nt)
    _copy_back(b, b_back)
    _copy_back(p, p_back)
    return b_out


def adam_step(param, grad, exp_avg, exp_avg_sq, *, lr, beta1, beta2, eps,
              bias_correction1, bias_correction2, weight_decay=0.0,
              decoupled_weight_decay=False, maximize=False, amsgrad=False,
              max_exp_avg_sq=None):
    """One ``torch.optim.Adam`` step (``decoupled_weight_decay=True``: ``AdamW``) for
    one parameter, in place on ``param``, ``exp_avg``, ``exp_avg_sq`` (and
    ``max_exp_avg_sq`` if ``amsgrad``; it must then be given, initialised to 0).

    ``bias_correction1 = 1 - beta1**step`` and ``bias_correction2 = 1 - beta2**step``
    are computed by the caller (``step`` counts from 1).
    """
    f = "adam_step"
    lr = _hyper(f, "lr", lr, lo=0.0)
    beta1 = _hyper(f, "beta1", beta1, lo=0.0, hi=1.0, hi_open=True)
    beta2 = _hyper(f, "beta2", beta2, lo=0.0, hi=1.0, hi_open=True)
    eps = _hyper(f, "eps", eps, lo=0.0)
    bc1 = _hyper(f, "bias_correction1", bias_correction1, lo=0.0, hi=1.0, lo_open=True)
    bc2 = _hyper(f, "bias_correction2", bias_correction2, lo=0.0, hi=1.0, lo_open=True)
    weight_decay = _hyper(f, "weight_decay", weight_decay, lo=0.0)
    amsgrad = bool(amsgrad)
    names = ["param", "grad", "exp_avg", "exp_avg_sq"]
    arrays = [param, grad, exp_avg, exp_avg_sq]
    if amsgrad:
        if max_exp_avg_sq is None:
            raise ValueError(f"{f}: amsgrad=True needs the max_exp_avg_sq buffer")
        names.append("max_exp_avg_sq")
        arrays.append(max_exp_avg_sq)
    dt = _optim_arrays(f, names, arrays)
    p, p_back = _inplace(f, "param", param, dt)
    g = _flat(grad, dt)
    m, m_back = _inplace(f, "exp_avg", exp_avg, dt)
    v, v_back = _inplace(f, "exp_avg_sq", exp_avg_sq, dt)
    if amsgrad:
        vmax, vmax_back = _inplace(f, "max_exp_avg_sq", max_exp_avg_sq, dt)
    else:
        vmax, vmax_back = v, None    # placeholder, never touched when amsgrad is False
    if dt in _KERNEL_DTYPES:
        kern, nt = _k()[2].adam, _num_threads
    else:
        kern, nt = _source("_optim").adam, 1
    kern(p, g, m, v, vmax, lr, beta1, beta2, eps, weight_decay, bool(decoupled_weight_decay),
         bool(maximize), amsgrad, bc1, bc2, nt)
    _copy_back(vmax, vmax_back)
    _copy_back(v, v_back)
    _copy_back(m, m_back)
    _copy_back(p, p_back)


def sgd_apply(param, grad, momentum_buffer, *, lr, momentum=0.0, dampening=0.0,
              weight_decay=0.0, nesterov=False, maximize=False):
    """:func:`sgd_step` for the optimizers, without the array checks when
    ``param`` (and ``momentum_buffer``, if given) are writable aligned
    C-contiguous float32/float64 arrays of one shape and ``grad`` has that shape
    and dtype (the caller checked); the hyperparameters are still checked."""
    if not (param.flags.aligned and (momentum_buffer is None or momentum_buffer.flags.aligned)):
        return sgd_step(param, grad, momentum_buffer, lr=lr, momentum=momentum,
                        dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize)
    lr, momentum, dampening, weight_decay, nesterov = _sgd_hypers(
        lr, momentum, dampening, weight_decay, nesterov)
    use_buf = momentum != 0.0
    first = use_buf and momentum_buffer is None
    p = param.reshape(-1)
    if first:
        b_out = np.empty(param.shape, param.dtype)
        b = b_out.reshape(-1)
    elif use_buf:
        b_out = momentum_buffer
        b = momentum_buffer.reshape(-1)
    else:
        b_out, b = None, p
    _k()[2].sgd(p, _flat(grad, param.dtype), b, lr, momentum, dampening, weight_decay, nesterov,
                bool(maximize), first, _num_threads)
    return b_out


def adam_hyper(lr, beta1, beta2, eps, weight_decay):
    """``(lr, beta1, beta2, eps, weight_decay)`` checked as :func:`adam_step` checks
    them, as floats: the ``hyper`` argument of :func:`adam_apply`."""
    f = "adam_step"
    return (_hyper(f, "lr", lr, lo=0.0), _hyper(f, "beta1", beta1, lo=0.0, hi=1.0, hi_open=True),
            _hyper(f, "beta2", beta2, lo=0.0, hi=1.0, hi_open=True),
            _hyper(f, "eps", eps, lo=0.0), _hyper(f, "weight_decay", weight_decay, lo=0.0))


def adam_apply(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, hyper, bc1, bc2,
               decoupled_weight_decay, maximize, amsgrad):
    """:func:`adam_step` without its per-call checks, for the optimizers: ``param``
    and the state buffers are writable C-contiguous arrays of one shape and of
    float32 or float64, ``grad`` has their shape and dtype, ``hyper`` comes from
    :func:`adam_hyper` and ``0 < bc1, bc2 <= 1`` (the caller checked; ~4x less
    glue per parameter). Unaligned buffers take :func:`adam_step`."""
    lr, beta1, beta2, eps, wd = hyper
    if not (param.flags.aligned and exp_avg.flags.aligned and exp_avg_sq.flags.aligned
            and (not amsgrad or max_exp_avg_sq.flags.aligned)):
        return adam_step(param, grad, exp_avg, exp_avg_sq, lr=lr, beta1=beta1, beta2=beta2,
                         eps=eps, bias_correction1=bc1, bias_correction2=bc2,
                         weight_decay=wd, decoupled_weight_decay=decoupled_weight_decay,
                         maximize=maximize, amsgrad=amsgrad, max_exp_avg_sq=max_exp_avg_sq)
    v = exp_avg_sq.reshape(-1)
    _k()[2].adam(param.reshape(-1), _flat(grad, param.dtype), exp_avg.reshape(-1), v,
                 max_exp_avg_sq.reshape(-1) if amsgrad else v, lr, beta1, beta2, eps, wd,
                 bool(decoupled_weight_decay), bool(maximize), bool(amsgrad), float(bc1),
                 float(bc2), _num_threads)


def _opt_call(f, name, kname, arrays, hyper):
    """Run the in-place optimizer kernel ``kname`` on (param, grad, *state) arrays
    (state None = placeholder: never touched by the kernel) with float
    hyperparameters ``hyper``."""
    p = arrays[0]
    dt = p.dtype
    if dt in _KERNEL_DTYPES:
        # fast path (the optimizers' buffers): every array an aligned C-contiguous
        # ndarray of param's dtype and shape, the in-place ones writable: flat views,
        # no checks or copies again
        shape = p.shape
        for i, a in enumerate(arrays):
            if a is None:
                continue
            fl = a.flags if type(a) is np.ndarray else None
            if (fl is None or a.dtype != dt or a.shape != shape or not fl.c_contiguous
                    or not fl.aligned or (i != 1 and not fl.writeable)):
                break
        else:
            pf = p.reshape(-1)
            getattr(_k()[2], kname)(*[pf if a is None else a.reshape(-1) for a in arrays],
                                    *hyper, _num_threads)
            return
    names = [n for n, a in zip(name, arrays) if a is not None]
    dt = _optim_arrays(f, names, [a for a in arrays if a is not None])
    p, p_back = _inplace(f, name[0], arrays[0], dt)
    work, backs = [p, _flat(arrays[1], dt)], []
    for n, a in zip(name[2:], arrays[2:]):
        if a is None:
            work.append(p)           # placeholder, never touched
        else:
            w, back = _inplace(f, n, a, dt)
            work.append(w)
            backs.append((w, back))
    if dt in _KERNEL_DTYPES:
        kern, nt = getattr(_k()[2], kname), _num_threads
    else:
        kern, nt = getattr(_source("_optim"), kname), 1
    kern(*work, *hyper, nt)
    for w, back in backs:
        _copy_back(w, back)
    _copy_back(p, p_back)


def rmsprop_step(param, grad, square_avg, *, lr, alpha, eps, weight_decay=0.0, momentum=0.0,
                 centered=False, maximize=False, grad_avg=None, momentum_buffer=None):
    """One ``torch.optim.RMSprop`` step for one parameter, in place on ``param``,
    ``square_avg`` (and ``grad_avg`` if ``centered``, ``momentum_buffer`` if
    ``momentum > 0``; those must then be given, initialised to 0)."""
    f = "rmsprop_step"
    lr = _hyper(f, "lr", lr, lo=0.0)
    alpha = _hyper(f, "alpha", alpha, lo=0.0)
    eps = _hyper(f, "eps", eps, lo=0.0)
    weight_decay = _hyper(f, "weight_decay", weight_decay, lo=0.0)
    momentum = _hyper(f, "momentum", momentum, lo=0.0)
    centered = bool(centered)
    if centered and grad_avg is None:
        raise ValueError(f"{f}: centered=True needs the grad_avg buffer")
    if momentum > 0.0 and momentum_buffer is None:
        raise ValueError(f"{f}: momentum > 0 needs the momentum_buffer")
    _opt_call(f, ("param", "grad", "square_avg", "grad_avg", "momentum_buffer"), "rmsprop",
              [param, grad, square_avg, grad_avg if centered else None,
               momentum_buffer if momentum > 0.0 else None],
              (lr, alpha, eps, weight_decay, momentum, centered, bool(maximize)))


def adagrad_step(param, grad, state_sum, *, clr, eps, weight_decay=0.0, maximize=False):
    """One ``torch.optim.Adagrad`` step for one parameter, in place on ``param`` and
    ``state_sum``; ``clr = lr / (1 + (step - 1) * lr_decay)`` is computed by the caller."""
    f = "adagrad_step"
    clr = _hyper(f, "clr", clr, lo=0.0)
    eps = _hyper(f, "eps", eps, lo=0.0)
    weight_decay = _hyper(f, "weight_decay", weight_decay, lo=0.0)
    _opt_call(f, ("param", "grad", "state_sum"), "adagrad", [param, grad, state_sum],
              (clr, eps, weight_decay, bool(maximize)))


def adamax_step(param, grad, exp_avg, exp_inf, *, clr, beta1, beta2, eps, weight_decay=0.0,
                maximize=False):
    """One ``torch.optim.Adamax`` step for one parameter, in place on ``param``,
    ``exp_avg`` and ``exp_inf``; ``clr = lr / (1 - beta1**step)`` is computed by the caller."""
    f = "adamax_step"
    clr = _hyper(f, "clr", clr, lo=0.0)
    beta1 = _hyper(f, "beta1", beta1, lo=0.0, hi=1.0, hi_open=True)
    beta2 = _hyper(f, "beta2", beta2, lo=0.0, hi=1.0, hi_open=True)
    eps = _hyper(f, "eps", eps, lo=0.0)
    weight_decay = _hyper(f, "weight_decay", weight_decay, lo=0.0)
    _opt_call(f, ("param", "grad", "exp_avg", "exp_inf"), "adamax",
              [param, grad, exp_avg, exp_inf],
              (clr, beta1, beta2, eps, weight_decay, bool(maximize)))


def nadam_step(param, grad, exp_avg, exp_avg_sq, *, lr, beta1, beta2, eps, bias_correction2,
               coef_grad, coef_avg, weight_decay=0.0, decoupled_weight_decay=False,
               maximize=False):
    """One ``torch.optim.NAdam`` step for one parameter, in place on ``param``,
    ``exp_avg`` and ``exp_avg_sq``.

    The caller computes ``bias_correction2 = 1 - beta2**step`` and the step
    coefficients ``coef_grad = -lr * (1 - mu) / (1 - mu_product)`` and
    ``coef_avg = -lr * mu_next / (1 - mu_product * mu_next)``.
    """
    f = "nadam_step"
    lr = _hyper(f, "lr", lr, lo=0.0)
    beta1 = _hyper(f, "beta1", beta1, lo=0.0, hi=1.0, hi_open=True)
    beta2 = _hyper(f, "beta2", beta2, lo=0.0, hi=1.0, hi_open=True)
    eps = _hyper(f, "eps", eps, lo=0.0)
    bc2 = _hyper(f, "bias_correction2", bias_correction2, lo=0.0, hi=1.0, lo_open=True)
    coef_grad = _hyper(f, "coef_grad", coef_grad)
    coef_avg = _hyper(f, "coef_avg", coef_avg)
    weight_decay = _hyper(f, "weight_decay", weight_decay, lo=0.0)
    _opt_call(f, ("param", "grad", "exp_avg", "exp_avg_sq"), "nadam",
              [param, grad, exp_avg, exp_avg_sq],
              (lr, beta1, beta2, eps, weight_decay, bool(decoupled_weight_decay),
               bool(maximize), bc2, coef_grad, coef_avg))
