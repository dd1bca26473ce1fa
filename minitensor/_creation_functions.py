"""Creation functions of the Array API standard."""
import sys
from operator import index as operator_index

import numpy as np

from ._array_object import Tensor, _check_device
from ._dtypes import DType, _FROM_NP, _as_dtype
from ._dispatch import differentiable
from ._validation import plain_scalar as _plain_scalar

__all__ = [
    "arange", "asarray", "empty", "empty_like", "eye", "from_dlpack", "full", "full_like",
    "linspace", "meshgrid", "ones", "ones_like", "tril", "triu", "zeros", "zeros_like",
]

_new = Tensor._new
_ndarray = np.ndarray


def _standard_np_dtype(dt):
    """The standard dtype (as a native numpy.dtype) that NumPy dtype ``dt`` converts to."""
    if dt in _FROM_NP:
        return dt
    native = dt.newbyteorder("=")
    if native in _FROM_NP:
        return native
    # Note: float16 is kept (the minitensor.float16 extension); longdouble etc. are not.
    raise TypeError(f"NumPy dtype {dt} is not one of the 13 Array API dtypes (or float16)")


def _asarray_np(a):
    """A NumPy array or scalar as a native-byte-order ndarray of a standard dtype
    (zero-copy when it already is one)."""
    a = np.asarray(a)
    dt = a.dtype
    if dt not in _FROM_NP:
        return a.astype(_standard_np_dtype(dt))
    return a


def asarray(obj, /, *, dtype=None, device=None, copy=None):
    """Convert ``obj`` to a tensor.

    Parameters
    ----------
    obj : Tensor, NumPy array, DLPack/buffer-protocol object, Python scalar or (nested) sequence
    dtype : DType, optional
        Default: the dtype of ``obj`` for arrays; for Python data bool, int64,
        float64 or complex128 (by the highest kind present); for a sequence
        holding NumPy scalars, arrays or tensors, NumPy's inference
        (``numpy.asarray``: ``[np.int32(1), np.int32(2)]`` is int32, and a Python
        int/float/complex next to them counts as int64/float64/complex128).
    device : optional
        ``None``, ``"cpu"`` or ``minitensor.Device("cpu")``.
    copy : bool, optional
        ``True`` always copies; ``False`` never copies (ValueError if a copy is
        needed); ``None`` copies only if needed.

    Returns
    -------
    Tensor
        Shares memory with ``obj`` when ``obj`` is a tensor or a NumPy array of the
        requested dtype and ``copy`` is not ``True``.

    Examples
    --------
    >>> import numpy as np, minitensor as xp
    >>> a = np.arange(3.0)
    >>> t = xp.asarray(a)
    >>> t[0] = 10.0
    >>> a
    array([10.,  1.,  2.])
    >>> xp.asarray([1, 2.5]).dtype
    minitensor.float64
    """
    if dtype is None and copy is None and device is None:   # the common calls
        t = type(obj)
        if t is Tensor:
            r = _new(obj._array)
            return r
        if t is _ndarray and obj.dtype in _FROM_NP:
            r = _new(obj)
            return r
    _check_device(device)
    if dtype is not None:
        dtype = _as_dtype(dtype)
        npdt = dtype._np_dtype
    else:
        npdt = None
    if isinstance(obj, Tensor):
        a = obj._array
        if copy is False and npdt is not None and npdt != a.dtype:
            raise ValueError(f"asarray: converting {obj.dtype} to {dtype} needs a copy, "
                             f"but copy=False")
        if type(obj) is not Tensor and getattr(obj, "requires_grad", False):
            # Note: as torch.asarray, a tensor that requires grad keeps its graph:
            # the same tensor when nothing changes, else a differentiable cast or
            # copy (SciPy calls asarray on every input; its gradients flow).
            if npdt is not None and npdt != a.dtype:
                return sys.modules[__package__].astype(obj, dtype)
            return sys.modules[__package__].astype(obj, obj.dtype, copy=True) if copy else obj
        if npdt is not None and npdt != a.dtype:
            return _new(a.astype(npdt))
        return _new(a.copy()) if copy else _new(a)
    if isinstance(obj, (np.ndarray, np.generic)) or hasattr(obj, "__array_interface__") \
            or hasattr(obj, "__array__") and not isinstance(obj, (list, tuple)):
        if type(obj) is _ndarray:
            a = obj
        else:
            # with copy=False NumPy raises ValueError when the conversion must copy
            a = np.asarray(obj, copy=False if copy is False else None)
        if a.dtype == object:
            raise TypeError(f"asarray: cannot convert an object array / {type(obj).__name__}")
        target = npdt if npdt is not None else _standard_np_dtype(a.dtype)
        if a.dtype != target:
            if copy is False:
                raise ValueError(f"asarray: converting NumPy dtype {a.dtype} to {_FROM_NP[target]} "
                                 f"needs a copy, but copy=False")
            return _new(a.astype(target))
        return _new(a.copy() if copy else a)
    if hasattr(obj, "__dlpack__"):
        t = from_dlpack(obj, copy=copy)
        return asarray(t, dtype=dtype, copy=None if copy else copy)
    if not isinstance(obj, (list, tuple, bool, int, float, complex, str)):
        try:
            mv = memoryview(obj)  # any buffer-protocol object (bytes: uint8)
        except TypeError:
            pass
        else:
            return asarray(np.asarray(mv), dtype=dtype, copy=copy)
    # Python scalars and (nested) sequences: always a new buffer
    if copy is False:
        raise ValueError(f"asarray: a {type(obj).__name__} must be copied into a new tensor, "
                         f"but copy=False")
    obj = _plain_scalar(obj)  # an int/float subclass (Tensor.size, IntEnum): its value
    return _new(_from_python(obj, npdt))


_PY_SCALARS = (bool, int, float, complex)


def _from_python(obj, npdt):
    """Python scalar or nested sequence -> ndarray, with clear errors."""
    infer = False
    if npdt is None:
        arrays = []
        kind = _max_kind(obj, arrays)
        # no element at all ([] or [[]]): the default floating dtype, as NumPy
        npdt = {-1: np.float64, 0: np.bool_, 1: np.int64, 2: np.float64, 3: np.complex128}[kind]
        # arrays or NumPy scalars inside the sequence: NumPy's inference (a list of
        # float32 rows is float32; Python scalars next to them count as int64,
        # float64 or complex128, as in np.asarray)
        infer = bool(arrays)
    elif isinstance(obj, (str, bytes)):
        raise _unsupported_value(obj)
    try:
        a = np.array(obj, dtype=None if infer else npdt)
    except OverflowError as e:
        raise OverflowError(f"asarray: a Python int is out of range for {_FROM_NP[np.dtype(npdt)]}: {e}") from None
    except (ValueError, TypeError) as e:
        raise ValueError(f"asarray: cannot convert to a tensor: {e}") from None
    if a.dtype == object:
        raise TypeError("asarray: object data cannot be converted to a tensor (the elements "
                        "have no common numeric dtype, e.g. a Python int beyond int64 next "
                        "to NumPy scalars)" if infer else
                        "asarray: object data cannot be converted to a tensor")
    if infer:
        a = _asarray_np(a)
    return a


_KIND_NUM = {"b": 0, "i": 1, "u": 1, "f": 2, "c": 3}


def _max_kind(obj, arrays, _depth=0):
    """0 bool, 1 int, 2 float, 3 complex (-1: no element); raises for unsupported data.
    Arrays met (tensors, NumPy arrays and scalars, objects with ``__array__``) are
    appended to ``arrays``: their dtypes count, as in ``numpy.asarray``."""
    t = type(obj)
    if t is bool:
        return 0
    if t is int:
        return 1
    if t is float:
        return 2
    if t is complex:
        return 3
    if isinstance(obj, np.generic):
        # a NumPy scalar keeps its dtype, as in np.asarray: [np.int32(1), np.int32(2)]
        # is int32, [np.float32(1), 2.0] float64 (a Python float in a list is float64)
        k = _KIND_NUM.get(obj.dtype.kind)
        if k is None:
            raise _unsupported_value(obj)
        arrays.append(obj)
        return k
    if isinstance(obj, (str, bytes)):
        raise _unsupported_value(obj)
    if isinstance(obj, (list, tuple)):
        if _depth > 64:
            raise ValueError("asarray: nesting too deep")
        k = -1
        for item in obj:
            k = max(k, _max_kind(item, arrays, _depth + 1))
        return k
    if isinstance(obj, Tensor):
        arrays.append(obj)
        return _KIND_NUM[obj._array.dtype.kind]
    if isinstance(obj, np.ndarray) or hasattr(obj, "__array__") \
            or hasattr(obj, "__array_interface__"):
        # e.g. NumPy arrays or torch tensors inside a list, as NumPy takes them
        arrays.append(obj)
        a = np.asarray(obj)
        if a.dtype.kind not in _KIND_NUM:
            raise TypeError(f"asarray: cannot convert data of NumPy dtype {a.dtype} to a tensor")
        return _KIND_NUM[a.dtype.kind]
    if isinstance(obj, int):  # int/float/complex subclasses (Tensor.size, IntEnum), as NumPy
        return 1
    if isinstance(obj, float):
        return 2
    if isinstance(obj, complex):
        return 3
    raise TypeError(f"asarray: cannot convert an object of type {type(obj).__name__!r} to a tensor")


def _unsupported_value(v):
    """TypeError for a string (or other non-numeric scalar) given as data; the message
    quotes the value (``asarray('a duck')``: "Value 'a duck' ...")."""
    return TypeError(f"asarray: Value {v!r} of type {type(v).__name__} cannot be converted "
                     f"to a tensor: tensors hold numbers and bools only (could not convert "
                     f"it to a number)")


# ---------------------------------------------------------------------------
def _shape(shape, name):
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (int(shape),)
    elif isinstance(shape, Tensor) and shape.ndim == 0:
        shape = (int(shape),)
    try:
        shape = tuple(int(operator_index(s)) for s in shape)
    except TypeError:
        raise TypeError(f"{name}: shape must be an int or a tuple of ints, got {shape!r}") from None
    if any(s < 0 for s in shape):
        raise ValueError(f"{name}: negative dimensions are not allowed, got shape {shape}")
    return shape



def _dtype_or(dtype, default):
    return default if dtype is None else _as_dtype(dtype)._np_dtype


# The creation functions' fast path: an int or tuple shape, dtype None or a DType,
# no device: NumPy's constructor is called directly (it rejects what ``_shape``
# rejects: negative or non-integer dimensions); on any error the checked path runs
# and raises our message. ``_NP_OF``: DType -> NumPy dtype.
_F64 = np.dtype(np.float64)
_NP_OF = {d: d._np_dtype for d in _FROM_NP.values()}
_np_empty, _np_zeros, _np_ones = np.empty, np.zeros, np.ones
# full's default dtypes (no cast can overflow)
_FILL_FAST = {bool: np.dtype(np.bool_), int: np.dtype(np.int64), float: _F64,
              complex: np.dtype(np.complex128)}


def empty(shape, *, dtype=None, device=None):
    """A new tensor of ``shape`` with uninitialised values (default dtype float64).

    Examples
    --------
    >>> import minitensor as xp
    >>> buf = xp.empty((2, 3))
    >>> buf.shape, buf.dtype
    ((2, 3), minitensor.float64)
    >>> buf[...] = 1.5  # fill before reading: the values are arbitrary
    >>> float(xp.sum(buf))
    9.0
    """
    if device is None and (type(shape) is tuple or type(shape) is int):
        try:
            a = _np_empty(shape, _F64 if dtype is None else _NP_OF[dtype])
        except Exception:
            pass
        else:
            r = _new(a)
            return r
    _check_device(device)
    return _new(np.empty(_shape(shape, "empty"), dtype=_dtype_or(dtype, np.float64)))


def zeros(shape, *, dtype=None, device=None):
    """A new tensor of ``shape`` filled with zeros (default dtype float64).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.zeros((2, 3), dtype=xp.int32)
    Tensor([[0, 0, 0],
            [0, 0, 0]], dtype=int32)
    """
    if device is None and (type(shape) is tuple or type(shape) is int):
        try:
            a = _np_zeros(shape, _F64 if dtype is None else _NP_OF[dtype])
        except Exception:
            pass
        else:
            r = _new(a)
            return r
    _check_device(device)
    return _new(np.zeros(_shape(shape, "zeros"), dtype=_dtype_or(dtype, np.float64)))


def ones(shape, *, dtype=None, device=None):
    """A new tensor of ``shape`` filled with ones (default dtype float64).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.ones(3)
    Tensor([1., 1., 1.], dtype=float64)
    >>> xp.ones((2, 2), dtype=xp.int8)
    Tensor([[1, 1],
            [1, 1]], dtype=int8)
    """
    if device is None and (type(shape) is tuple or type(shape) is int):
        try:
            a = _np_ones(shape, _F64 if dtype is None else _NP_OF[dtype])
        except Exception:
            pass
        else:
            r = _new(a)
            return r
    _check_device(device)
    return _new(np.ones(_shape(shape, "ones"), dtype=_dtype_or(dtype, np.float64)))


def _fill_dtype(fill_value, name):
    t = type(fill_value)
    if t is bool or isinstance(fill_value, np.bool_):
        return np.bool_
    if t is int or isinstance(fill_value, np.integer):
        return np.int64
    if t is float or isinstance(fill_value, np.floating):
        return np.float64
    if t is complex or isinstance(fill_value, np.complexfloating):
        return np.complex128
    raise TypeError(f"{name}: fill_value must be a Python bool, int, float or complex, "
                    f"got {type(fill_value).__name__}")


def _check_fill(fill_value, npdt, name):
    if isinstance(fill_value, Tensor):
        if fill_value.ndim != 0:
            raise ValueError(f"{name}: fill_value must be a scalar or a 0-d tensor")
        fill_value = fill_value._array[()]
    _fill_dtype(fill_value, name)
    dt = np.dtype(npdt)
    if dt.kind in "iu" and not isinstance(fill_value, (bool, np.bool_)):
        if not isinstance(fill_value, (int, np.integer)):
            raise TypeError(f"{name}: cannot fill an integer tensor with {fill_value!r}")
        info = np.iinfo(dt)
        if not info.min <= fill_value <= info.max:
            raise OverflowError(f"{name}: fill_value {fill_value} is out of range for {_FROM_NP[dt]}")
    if dt.kind == "b" and not isinstance(fill_value, (bool, np.bool_)):
        raise TypeError(f"{name}: a bool tensor takes a bool fill_value, got {fill_value!r}")
    if dt.kind == "f" and isinstance(fill_value, (complex, np.complexfloating)):
        raise TypeError(f"{name}: cannot fill a real tensor with a complex value")
    return fill_value


def full(shape, fill_value, *, dtype=None, device=None):
    """A new tensor of ``shape`` filled with ``fill_value``.

    The default dtype follows the fill value: bool, int64, float64 or complex128.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.full((2, 2), 7)
    Tensor([[7, 7],
            [7, 7]], dtype=int64)
    >>> xp.full(3, 0.5, dtype=xp.float32)
    Tensor([0.5, 0.5, 0.5], dtype=float32)
    """
    if device is None and dtype is None and (type(shape) is tuple or type(shape) is int):
        npdt = _FILL_FAST.get(type(fill_value))
        if npdt is not None:
            try:
                a = _np_empty(shape, npdt)
                a.fill(fill_value)   # an int beyond int64: OverflowError, the checked path
            except Exception:
                pass
            else:
                r = _new(a)
                return r
    _check_device(device)
    fill_value = _plain_scalar(fill_value)  # an int/float subclass (Tensor.size, IntEnum)
    npdt = _dtype_or(dtype, None)
    if npdt is None:
        if isinstance(fill_value, Tensor):
            npdt = fill_value._array.dtype
        else:
            npdt = _fill_dtype(fill_value, "full")
    fill_value = _check_fill(fill_value, npdt, "full")
    with np.errstate(over="ignore"):  # a float beyond float32's range is inf
        return _new(np.full(_shape(shape, "full"), fill_value, dtype=npdt))


def _like(x, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: x must be a minitensor array, got {type(x).__name__}")
    return x._array


def empty_like(x, /, *, dtype=None, device=None):
    """A new uninitialised tensor with the shape (and, by default, dtype) of ``x``.

    Examples
    --------
    >>> import minitensor as xp
    >>> x = xp.asarray([[1, 2, 3], [4, 5, 6]])
    >>> e = xp.empty_like(x, dtype=xp.float32)
    >>> e.shape, e.dtype
    ((2, 3), minitensor.float32)
    """
    _check_device(device)
    a = _like(x, "empty_like")
    return _new(np.empty(a.shape, dtype=_dtype_or(dtype, a.dtype)))


def zeros_like(x, /, *, dtype=None, device=None):
    """A new tensor of zeros with the shape (and, by default, dtype) of ``x``.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.zeros_like(xp.asarray([1.5, -2.0, 3.25]))
    Tensor([0., 0., 0.], dtype=float64)
    """
    _check_device(device)
    a = _like(x, "zeros_like")
    return _new(np.zeros(a.shape, dtype=_dtype_or(dtype, a.dtype)))


def ones_like(x, /, *, dtype=None, device=None):
    """A new tensor of ones with the shape (and, by default, dtype) of ``x``.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.ones_like(xp.asarray([[3, 1], [4, 1]]))
    Tensor([[1, 1],
            [1, 1]], dtype=int64)
    """
    _check_device(device)
    a = _like(x, "ones_like")
    return _new(np.ones(a.shape, dtype=_dtype_or(dtype, a.dtype)))


def full_like(x, /, fill_value, *, dtype=None, device=None):
    """A new tensor filled with ``fill_value``, with the shape (and, by default, dtype) of ``x``.

    Examples
    --------
    >>> import minitensor as xp
    >>> x = xp.asarray([0.1, 0.2, 0.3], dtype=xp.float32)
    >>> xp.full_like(x, -1.0)
    Tensor([-1., -1., -1.], dtype=float32)
    >>> xp.full_like(x, 2, dtype=xp.int32)
    Tensor([2, 2, 2], dtype=int32)
    """
    if device is None and dtype is None and type(x) is Tensor:
        a = x._array
        if _FILL_FAST.get(type(fill_value)) is a.dtype:   # the default dtype of the value
            try:
                r = _np_empty(a.shape, a.dtype)
                r.fill(fill_value)
            except Exception:
                pass
            else:
                t = _new(r)
                return t
    _check_device(device)
    a = _like(x, "full_like")
    npdt = _dtype_or(dtype, a.dtype)
    fill_value = _check_fill(_plain_scalar(fill_value), npdt, "full_like")
    with np.errstate(over="ignore"):
        return _new(np.full(a.shape, fill_value, dtype=npdt))


def _py_scalar(v):
    """A 0-d tensor argument (e.g. ``arange(xp.max(x))``) as its Python scalar."""
    if isinstance(v, Tensor) and v.ndim == 0:
        return v._array.item()
    return _plain_scalar(v)  # an int/float subclass (Tensor.size, IntEnum): its value


_BIG = 2 ** 62
_I64 = np.dtype(np.int64)


def arange(start, /, stop=None, step=1, *, dtype=None, device=None):
    """Evenly spaced values in ``[start, stop)`` (``arange(n)`` is ``0..n-1``).

    The default dtype is int64 when every argument is an int, else float64.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.arange(5)
    Tensor([0, 1, 2, 3, 4], dtype=int64)
    >>> xp.arange(0.0, 1.0, 0.25)
    Tensor([0.  , 0.25, 0.5 , 0.75], dtype=float64)
    """
    if (dtype is None and device is None and type(start) is int and type(step) is int
            and (stop is None or type(stop) is int) and step and -_BIG < start < _BIG
            and (stop is None or -_BIG < stop < _BIG) and -_BIG < step < _BIG):
        lo, hi = (0, start) if stop is None else (start, stop)
        n = max(0, -((lo - hi) // step))  # exact ceil((hi - lo) / step)
        a = np.arange(lo, hi, step, dtype=_I64)
        if a.shape[0] == n:   # (NumPy's count is computed in float64)
            r = _new(a)
            return r
    _check_device(device)
    start, stop, step = _py_scalar(start), _py_scalar(stop), _py_scalar(step)
    if stop is None:
        start, stop = 0, start
    for v in (start, stop, step):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"arange: start, stop and step must be real numbers, got {v!r}")
    if step == 0:
        raise ValueError("arange: step must not be zero")
    if dtype is None:
        allint = all(isinstance(v, (int, np.integer)) for v in (start, stop, step))
        npdt = np.dtype(np.int64 if allint else np.float64)
    else:
        npdt = _as_dtype(dtype)._np_dtype
    if npdt.kind in "iu" and all(isinstance(v, (int, np.integer)) for v in (start, stop, step)):
        n = max(0, -((start - stop) // step))  # exact ceil((stop - start) / step)
        return _new(np.arange(start, start + n * step, step, dtype=npdt)[:n])
    # float steps: the element count is ceil((stop - start) / step), as the standard says
    n = int(np.ceil((stop - start) / step)) if (stop - start) / step > 0 else 0
    r = start + np.arange(n, dtype=np.float64) * step
    return _new(r.astype(npdt, copy=False))


def linspace(start, stop, /, num, *, dtype=None, device=None, endpoint=True):
    """``num`` evenly spaced values from ``start`` to ``stop`` (inclusive by default).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.linspace(0, 1, 5)
    Tensor([0.  , 0.25, 0.5 , 0.75, 1.  ], dtype=float64)
    >>> xp.linspace(0, 1, 4, endpoint=False)
    Tensor([0.  , 0.25, 0.5 , 0.75], dtype=float64)
    """
    _check_device(device)
    start, stop, num = _py_scalar(start), _py_scalar(stop), _py_scalar(num)
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 0:
        raise ValueError(f"linspace: num must be a non-negative int, got {num!r}")
    for v in (start, stop):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, complex, np.number)):
            raise TypeError(f"linspace: start and stop must be numbers, got {v!r}")
    cplx = any(isinstance(v, (complex, np.complexfloating)) for v in (start, stop))
    if dtype is None:
        npdt = np.dtype(np.complex128 if cplx else np.float64)
    else:
        npdt = _as_dtype(dtype)._np_dtype
        if npdt.kind == "b":
            raise TypeError("linspace: dtype must be a numeric dtype, got bool")
        if cplx and npdt.kind != "c":
            raise TypeError("linspace: complex start/stop need a complex dtype")
    r = np.linspace(start, stop, num, dtype=np.complex128 if npdt.kind == "c" else np.float64,
                    endpoint=endpoint)
    if endpoint and num > 1:
        r[-1] = stop  # exact end point, as the standard requires
    if npdt.kind in "iu":
        # Note: the standard leaves integer output open; as NumPy, values are floored
        np.floor(r, out=r)
    with np.errstate(over="ignore", invalid="ignore"):
        return _new(r.astype(npdt, copy=False))


def eye(n_rows, n_cols=None, /, *, k=0, dtype=None, device=None):
    """A 2-D tensor with ones on the ``k``-th diagonal and zeros elsewhere.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.eye(3)
    Tensor([[1., 0., 0.],
            [0., 1., 0.],
            [0., 0., 1.]], dtype=float64)
    >>> xp.eye(2, 3, k=1, dtype=xp.int32)
    Tensor([[0, 1, 0],
            [0, 0, 1]], dtype=int32)
    """
    _check_device(device)
    for v in (n_rows, n_cols, k):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, np.integer))):
            raise TypeError(f"eye: n_rows, n_cols and k must be ints, got {v!r}")
    return _new(np.eye(n_rows, n_cols, k=k, dtype=_dtype_or(dtype, np.float64)))


def _matrix(x, name):
    a = _like(x, name)
    if a.ndim < 2:
        raise ValueError(f"{name}: x must have at least 2 dimensions, got shape {a.shape}")
    return a


@differentiable("tril")
def tril(x, /, *, k=0):
    """The lower triangle (on and below the ``k``-th diagonal) of each matrix in ``x``.

    Examples
    --------
    >>> import minitensor as xp
    >>> m = xp.reshape(xp.arange(1, 10), (3, 3))
    >>> xp.tril(m)
    Tensor([[1, 0, 0],
            [4, 5, 0],
            [7, 8, 9]], dtype=int64)
    >>> xp.tril(m, k=-1)
    Tensor([[0, 0, 0],
            [4, 0, 0],
            [7, 8, 0]], dtype=int64)
    """
    return _new(np.tril(_matrix(x, "tril"), k=k))


@differentiable("triu")
def triu(x, /, *, k=0):
    """The upper triangle (on and above the ``k``-th diagonal) of each matrix in ``x``.

    Examples
    --------
    >>> import minitensor as xp
    >>> m = xp.reshape(xp.arange(1, 10), (3, 3))
    >>> xp.triu(m, k=1)
    Tensor([[0, 2, 3],
            [0, 0, 6],
            [0, 0, 0]], dtype=int64)
    """
    return _new(np.triu(_matrix(x, "triu"), k=k))


# Note: not part of the Array API standard (NumPy's and PyTorch's ``diag``). SciPy's
# generic (non-NumPy) RBFInterpolator calls ``xp.diag``; array-api-extra's
# ``create_diagonal`` is the standard-only spelling.
def diag(x, /, k=0):
    """A 2-D tensor with the 1-D ``x`` on its ``k``-th diagonal, or the ``k``-th
    diagonal of the 2-D ``x`` (a new tensor, as ``torch.diag``).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.diag(xp.asarray([1.0, 2.0]))
    Tensor([[1., 0.],
            [0., 2.]], dtype=float64)
    >>> xp.diag(xp.asarray([[1, 2], [3, 4]]), 1)
    Tensor([2], dtype=int64)
    """
    a = _like(x, "diag")
    if a.ndim not in (1, 2):
        raise ValueError(f"diag: x must be 1-D or 2-D, got shape {a.shape}")
    k = operator_index(k)
    # Note: NumPy returns a read-only view for 2-D input; a copy keeps tensors writable.
    return _new(np.diag(a, k) if a.ndim == 1 else np.diagonal(a, k).copy())


@differentiable("meshgrid")
def meshgrid(*arrays, indexing="xy"):
    """Coordinate matrices from 1-D coordinate tensors (``indexing`` "xy" or "ij").

    Examples
    --------
    >>> import minitensor as xp
    >>> X, Y = xp.meshgrid(xp.asarray([1, 2, 3]), xp.asarray([10, 20]))
    >>> X
    Tensor([[1, 2, 3],
            [1, 2, 3]], dtype=int64)
    >>> Y
    Tensor([[10, 10, 10],
            [20, 20, 20]], dtype=int64)
    >>> [g.shape for g in xp.meshgrid(xp.asarray([1, 2, 3]), xp.asarray([10, 20]), indexing="ij")]
    [(3, 2), (3, 2)]
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    arrs = [_like(a, "meshgrid") for a in arrays]
    for a in arrs:
        if a.ndim != 1:
            raise ValueError(f"meshgrid: every input must be 1-D, got shape {a.shape}")
    # Note: inputs of different dtypes keep their dtypes, as in NumPy (the standard
    # says they should share one).
    # a tuple since 2025.12 (a list before)
    return tuple(_new(g) for g in np.meshgrid(*arrs, indexing=indexing))


def from_dlpack(x, /, *, device=None, copy=None):
    """A tensor from any DLPack producer (a NumPy array, a torch tensor, ...),
    sharing memory unless ``copy=True``.

    Examples
    --------
    >>> import numpy as np, minitensor as xp
    >>> a = np.arange(3.0)
    >>> t = xp.from_dlpack(a)
    >>> a[0] = 7.0  # shared memory: the tensor sees the change
    >>> t
    Tensor([7., 1., 2.], dtype=float64)
    >>> xp.from_dlpack(a, copy=True)[0] = -1.0
    >>> float(a[0])
    7.0
    """
    _check_device(device)
    kwargs = {}
    if copy is not None:
        kwargs["copy"] = copy
    if isinstance(x, Tensor):
        return _new(x._array.copy() if copy else x._array)
    if not hasattr(x, "__dlpack__"):
        raise TypeError(f"from_dlpack: {type(x).__name__} does not implement __dlpack__ "
                        f"(use asarray for Python data)")
    if device is not None:
        kwargs["device"] = "cpu"
    try:
        a = np.from_dlpack(x, **kwargs)
    except RuntimeError as e:
        if "dtype" in str(e):  # e.g. bfloat16
            raise TypeError(f"from_dlpack: the data type is not supported: {e}") from None
        raise
    return _new(_asarray_np(a))
