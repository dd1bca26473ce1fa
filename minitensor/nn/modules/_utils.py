"""Helpers shared by the layer modules: parameter creation and argument tuples."""
import operator

import numpy as np

from ..._array_object import Tensor, _check_device
from ..._dtypes import _as_dtype
from ..parameter import Parameter

# Note: nn layers create float32 parameters by default, as PyTorch (the
# namespace's default floating dtype is float64); the PyTorch face's
# ``set_default_dtype`` changes it (``set_param_dtype``), as torch's does.
_DEFAULT_DTYPE = [np.dtype(np.float32)]


def set_param_dtype(npdt):
    """Set the floating dtype of new parameters and buffers (a NumPy dtype)."""
    _DEFAULT_DTYPE[0] = np.dtype(npdt)


def _np_dtype(dtype, device=None):
    """The NumPy dtype of new parameters (float32 unless ``dtype=`` is given)."""
    _check_device(device)
    if dtype is None:
        return _DEFAULT_DTYPE[0]
    dt = _as_dtype(dtype)._np_dtype
    if dt.kind not in "fc":
        raise TypeError(f"nn layers need a floating-point dtype for their parameters, got {dtype}")
    return dt


def _empty_param(shape, npdt, requires_grad=True):
    return Parameter(Tensor._new(np.empty(shape, npdt)), requires_grad)


def _tensor(shape, npdt, fill=None):
    a = np.empty(shape, npdt) if fill is None else np.full(shape, fill, npdt)
    return Tensor._new(a)


def _pos_int(cls, name, v, lo=1):
    if isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{cls}: {name} must be an integer, got {v!r}")
    try:
        v = operator.index(v)
    except TypeError:
        raise TypeError(f"{cls}: {name} must be an integer, got {type(v).__name__}") from None
    if v < lo:
        raise ValueError(f"{cls}: {name} must be >= {lo}, got {v}")
    return int(v)


def _ntuple(v, n):
    if isinstance(v, (tuple, list)):
        return tuple(v)
    return (v,) * n


def _single(v):
    return _ntuple(v, 1)


def _pair(v):
    return _ntuple(v, 2)
