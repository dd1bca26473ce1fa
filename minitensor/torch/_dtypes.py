"""Dtypes of the PyTorch face: PyTorch's aliases, the default float dtype, promotion.

The dtype objects are the namespace's own (``minitensor.torch.float32 is
minitensor.float32``); only the *default* differs: the face creates float32 from
Python floats (as PyTorch), the namespace float64 (as the Array API standard asks).
The default lives here, in the face, so the namespace never sees it.
"""

from .. import _dtypes as _d
from .._data_type_functions import finfo as _finfo, iinfo as _iinfo

__all__ = [
    "dtype", "float", "float32", "double", "float64", "half", "float16", "long", "int64",
    "int", "int32", "short", "int16", "int8", "uint8", "uint16", "uint32", "uint64", "bool",
    "cfloat", "complex64", "cdouble", "complex128",
    "get_default_dtype", "set_default_dtype", "finfo", "iinfo", "is_floating_point",
    "is_complex", "promote_types", "can_cast",
]

dtype = _d.DType

float32 = float = _d.float32
float64 = double = _d.float64
float16 = half = _d.float16
int64 = long = _d.int64
int32 = int = _d.int32
int16 = short = _d.int16
int8 = _d.int8
uint8 = _d.uint8
uint16 = _d.uint16
uint32 = _d.uint32
uint64 = _d.uint64
bool = _d.bool
complex64 = cfloat = _d.complex64
complex128 = cdouble = _d.complex128
# Note: no bfloat16 (NumPy, and so the engine, has no such dtype).

_default = [_d.float32]
_COMPLEX_OF = {_d.float16: _d.complex64, _d.float32: _d.complex64, _d.float64: _d.complex128}


def get_default_dtype():
    """The dtype the face gives to Python floats (``float32`` unless changed).

    Returns
    -------
    dtype
        ``minitensor.torch.float32`` at start-up.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.get_default_dtype()
    minitensor.float32
    >>> torch.tensor([1.0]).dtype, torch.zeros(2).dtype
    (minitensor.float32, minitensor.float32)
    """
    return _default[0]


def set_default_dtype(d):
    """Set the default floating dtype of the face (float16, float32 or float64).

    The namespace ``minitensor`` is not affected: it keeps float64. New ``nn``
    parameters and buffers take this dtype, as in PyTorch.

    Parameters
    ----------
    d : dtype
        A real floating dtype.

    Examples
    --------
    >>> import minitensor as mt
    >>> import minitensor.torch as torch
    >>> torch.set_default_dtype(torch.float64)
    >>> torch.ones(2).dtype, mt.ones(2).dtype
    (minitensor.float64, minitensor.float64)
    >>> torch.set_default_dtype(torch.float32)
    >>> torch.ones(2).dtype, mt.ones(2).dtype
    (minitensor.float32, minitensor.float64)
    """
    d = _d._as_dtype(d)
    if d not in _d._real_floating_dtypes:
        raise TypeError(f"set_default_dtype(): only floating-point types are supported as "
                        f"the default type, got {d}")
    _default[0] = d
    # nn's new parameters follow, as torch's do
    from ..nn.modules import _utils
    _utils.set_param_dtype(d._np_dtype)


def _default_complex():
    return _COMPLEX_OF[_default[0]]


def finfo(type=None):
    """Machine limits of a floating dtype (the default dtype when omitted).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.finfo().bits, torch.finfo(torch.float64).eps
    (32, 2.220446049250313e-16)
    """
    return _finfo(_default[0] if type is None else type)


def iinfo(type):
    """Machine limits of an integer dtype.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.iinfo(torch.int8).max
    127
    """
    return _iinfo(type)


def is_floating_point(input):
    """True if ``input`` has a real floating dtype (float16/32/64).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.is_floating_point(torch.ones(2)), torch.is_floating_point(torch.arange(2))
    (True, False)
    """
    return input.dtype in _d._real_floating_dtypes


def is_complex(input):
    """True if ``input`` has a complex dtype.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.is_complex(torch.zeros(2, dtype=torch.cfloat))
    True
    """
    return input.dtype in _d._complex_floating_dtypes


def _category(dt):
    if dt == _d.bool:
        return 0
    if dt in _d._integer_dtypes:
        return 1
    if dt in _d._real_floating_dtypes:
        return 2
    return 3


def promote_types(type1, type2):
    """PyTorch's type promotion of two dtypes.

    Within one category (bool < integer < floating < complex) as NumPy; across
    categories the higher category wins and keeps its own size (``int64`` with
    ``float32`` gives ``float32``, where NumPy and the namespace give ``float64``).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.promote_types(torch.int64, torch.float32)
    minitensor.float32
    >>> torch.promote_types(torch.uint8, torch.int8)
    minitensor.int16
    >>> torch.promote_types(torch.float64, torch.complex64)
    minitensor.complex128
    """
    a, b = _d._as_dtype(type1), _d._as_dtype(type2)
    ca, cb = _category(a), _category(b)
    if ca == cb:
        return _d._result_type(a, b)
    if ca < cb:
        a, b, ca, cb = b, a, cb, ca
    if ca == 3 and cb == 2:  # complex with a wider real float: widen the complex
        return _COMPLEX_OF[_d._result_type(b, {_d.complex64: _d.float32,
                                                _d.complex128: _d.float64}[a])]
    return a


def can_cast(from_, to):
    """True if PyTorch's casting rules allow ``from_`` -> ``to`` (no category downgrade).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.can_cast(torch.float64, torch.float32), torch.can_cast(torch.float32, torch.int32)
    (True, False)
    """
    return _category(_d._as_dtype(from_)) <= _category(_d._as_dtype(to))
