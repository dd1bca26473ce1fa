"""Argument errors shared by the namespace modules, worded as NumPy words them.

Libraries that run on several Array API namespaces (SciPy, scikit-learn) test
their error paths with ``pytest.raises(..., match=...)`` patterns written
against NumPy's messages. The helpers here give minitensor's errors NumPy's key
phrases, after the name of the function that raised:

* an axis out of range is ``numpy.exceptions.AxisError`` -- an ``IndexError``
  (what the standard and PyTorch users expect) and a ``ValueError`` (what NumPy
  users catch) -- reading ``"sum: axis 2 is out of bounds for array of
  dimension 1"``; a named axis argument is put before it as NumPy does
  (``"moveaxis: source: axis 3 is out of bounds for array of dimension 1"``);
* shapes that do not broadcast raise ``ValueError`` containing ``"operands
  could not be broadcast together with shapes ..."`` (elementwise functions,
  ``where``, ``clip``, ``broadcast_to``) or ``"shape mismatch: ... cannot be
  broadcast to a single shape"`` (``broadcast_arrays``, ``broadcast_shapes``).

This module imports nothing from minitensor, so every module can use it.
"""
import operator

import numpy as np

__all__ = []

_AxisError = np.exceptions.AxisError
_generic = np.generic


def index_arg(name, what, v):
    """``operator.index(v)`` for the integer argument ``what`` of ``name``: a bool (a
    flag, not a count) or a value without ``__index__`` raises TypeError."""
    if isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{name}: {what} must be an integer, got {v!r}")
    try:
        return operator.index(v)
    except TypeError:
        raise TypeError(f"{name}: {what} must be an integer, got {type(v).__name__}") from None


def plain_scalar(v):
    """``v`` as a plain Python ``int``/``float``/``complex`` when it is an instance of a
    subclass of one (``Tensor.size``, an ``IntEnum``, ...), as NumPy takes them; else
    ``v`` unchanged (bools, NumPy scalars, arrays, exact Python scalars). For the slow
    paths: the hot paths test exact types first."""
    t = type(v)
    if t is int or t is float or t is complex or t is bool or isinstance(v, _generic):
        return v
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    if isinstance(v, complex):
        return complex(v)
    return v


def axis_error(name, axis, ndim, what=None):
    """The ``AxisError`` for ``axis`` (an int) outside ``[-ndim, ndim)``.

    ``what`` names the argument when it is not ``axis`` (``"source"``,
    ``"destination"``); the error's ``axis`` and ``ndim`` attributes are set.
    """
    return _AxisError(axis, ndim, f"{name}: {what}" if what else name)


def check_axis(name, axis, ndim, what=None):
    """``axis`` (a Python int) normalised into ``[0, ndim)``; AxisError if out of range."""
    if axis < -ndim or axis >= ndim:
        raise axis_error(name, axis, ndim, what)
    return axis + ndim if axis < 0 else axis


def _shapes_text(shapes):
    return " ".join(str(tuple(s)) for s in shapes)


def broadcast_error(name, shapes, labels=None):
    """ValueError for operands whose ``shapes`` do not broadcast together
    (``labels``, optional, name the operands in order after the shapes)."""
    msg = f"{name}: operands could not be broadcast together with shapes {_shapes_text(shapes)}"
    if labels:
        msg += f" ({', '.join(labels)})"
    return ValueError(msg)


def broadcast_to_error(name, shape, target):
    """ValueError for an array of ``shape`` that cannot be broadcast to ``target``."""
    return ValueError(f"{name}: operands could not be broadcast together: an array of shape "
                      f"{tuple(shape)} cannot be broadcast to the requested shape {tuple(target)}")


def shape_mismatch_error(name, i, shape_i, j, shape_j, axis):
    """ValueError for arguments ``i`` and ``j`` whose sizes differ (and neither is 1)
    at ``axis`` (counted from the end, negative) when broadcasting many shapes."""
    di, dj = tuple(shape_i)[axis], tuple(shape_j)[axis]
    return ValueError(f"{name}: shape mismatch: objects cannot be broadcast to a single "
                      f"shape: arg {i} has shape {tuple(shape_i)} and arg {j} has shape "
                      f"{tuple(shape_j)} (sizes {di} and {dj} at axis {axis})")
