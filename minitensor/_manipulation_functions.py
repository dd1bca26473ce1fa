"""Manipulation functions of the Array API standard.

Every function checks its arguments here (axes, shapes, dtypes; errors name the
function, the axis and ndim or both shapes) and then hands the work to NumPy.
Results are views wherever NumPy returns views: ``broadcast_to``,
``broadcast_arrays``, ``expand_dims``, ``squeeze``, ``flip``, ``moveaxis``,
``permute_dims``, ``unstack`` and ``reshape`` (when the strides allow it).
``concat``, ``stack``, ``repeat``, ``roll`` and ``tile`` return new tensors.

Axis errors are ``numpy.exceptions.AxisError``, which is both an ``IndexError``
(what the standard and PyTorch users expect) and a ``ValueError`` (what NumPy
users catch), worded as NumPy's ("axis 2 is out of bounds for array of dimension
1"); broadcasting errors carry NumPy's phrases too (``minitensor._validation``).
"""
import math
from operator import index as operator_index

import numpy as np

from ._array_object import Tensor
from ._dtypes import _FROM_NP, _promotion_table
from ._elementwise_functions import _to_array
from ._dispatch import differentiable
from ._validation import (
    broadcast_to_error as _broadcast_to_error, check_axis as _check_axis,
    shape_mismatch_error as _shape_mismatch_error,
)

__all__ = [
    "broadcast_arrays", "broadcast_shapes", "broadcast_to", "concat", "expand_dims", "flip",
    "moveaxis", "permute_dims", "repeat", "reshape", "roll", "squeeze", "stack", "tile",
    "unstack",
]

_new = Tensor._new
_ndarray = np.ndarray


def _wrap(r):
    """An ndarray result (NumPy scalars become 0-d arrays) as a Tensor."""
    if type(r) is not _ndarray:
        r = np.asarray(r)
    return _new(r)


def _arr(name, x):
    if type(x) is Tensor:
        return x._array
    return _to_array(name, x)


# --------------------------------------------------------------------- helpers
def _int(name, what, v):
    """``v`` as a Python int (anything with ``__index__``); TypeError otherwise."""
    try:
        return operator_index(v)
    except TypeError:
        raise TypeError(f"{name}: {what} must be an int, got {type(v).__name__} {v!r}") from None


def _axis(name, axis, ndim, what="axis"):
    """Normalise one axis into ``[0, ndim)``; AxisError (an IndexError) if out of range,
    worded as NumPy's (``"moveaxis: source: axis 3 is out of bounds for array of
    dimension 1"`` when ``what`` is not ``"axis"``)."""
    axis = _int(name, what, axis)
    return _check_axis(name, axis, ndim, None if what == "axis" else what)


def _axes(name, axes, ndim, what="axis"):
    """Normalise an int or a tuple/list of ints into a tuple of unique axes."""
    if isinstance(axes, (tuple, list)):
        # (Python ints in range: normalised inline, as _check_axis does)
        out = tuple([(a + ndim if a < 0 else a)
                     if type(a) is int and -ndim <= a < ndim else _axis(name, a, ndim, what)
                     for a in axes])
    else:
        out = (_axis(name, axes, ndim, what),)
    if len(set(out)) != len(out):
        raise ValueError(f"{name}: repeated {what} in {axes!r} (normalised: {out})")
    return out


def _shape_tuple(name, shape, what="shape"):
    """An int or a sequence of ints as a tuple of Python ints (values unchecked)."""
    if type(shape) is tuple:
        for s in shape:
            if type(s) is not int:
                break
        else:
            return shape  # (already a tuple of Python ints: the common call)
    if isinstance(shape, Tensor):
        if shape.ndim == 0:
            return (_int(name, what, shape),)
        shape = shape.tolist()
    if not isinstance(shape, (tuple, list)):
        try:
            return (operator_index(shape),)
        except TypeError:
            raise TypeError(f"{name}: {what} must be a tuple of ints, got "
                            f"{type(shape).__name__} {shape!r}") from None
    return tuple(_int(name, f"each entry of {what}", s) for s in shape)


def _promoted(name, arrays):
    """The dtype of joining ``arrays``: the standard's promotion (NumPy's rule for the
    mixed-kind pairs the standard leaves open)."""
    dt = _FROM_NP[arrays[0].dtype]
    for a in arrays[1:]:
        if a.dtype != dt._np_dtype:
            dt = _promotion_table[(dt, _FROM_NP[a.dtype])]
    return dt._np_dtype


def _sequence(name, arrays):
    if isinstance(arrays, (Tensor, _ndarray)):
        # Note: NumPy would iterate over the first axis of a single array; the
        # standard (and PyTorch) take a tuple or list of arrays.
        raise TypeError(f"{name}: expected a tuple or list of arrays, got a single "
                        f"{type(arrays).__name__}")
    try:
        arrays = tuple(arrays)
    except TypeError:
        raise TypeError(f"{name}: expected a tuple or list of arrays, got "
                        f"{type(arrays).__name__}") from None
    if not arrays:
        raise ValueError(f"{name}: need at least one array")
    return [_arr(name, a) for a in arrays]


# ------------------------------------------------------------------ broadcasting
def broadcast_shapes(*shapes):
    """The shape that ``shapes`` broadcast to (ValueError naming them if they do not).

    ``broadcast_shapes()`` is ``()``. As in NumPy, an int is the 1-D shape ``(int,)``.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.broadcast_shapes((3, 1), (4,), ())
    (3, 4)
    """
    tuples = [_shape_tuple("broadcast_shapes", s) for s in shapes]
    for s in tuples:
        if any(d < 0 for d in s):
            raise ValueError(f"broadcast_shapes: negative dimension in shape {s}")
    return _broadcast_shape("broadcast_shapes", tuples)


def _broadcast_shape(name, shapes):
    ndim = max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    owner = [0] * ndim  # which shape set each size (for the error message)
    for j, s in enumerate(shapes):
        off = ndim - len(s)
        for i, d in enumerate(s):
            o = out[off + i]
            if d == o or d == 1:
                continue
            if o == 1:
                out[off + i] = d
                owner[off + i] = j
                continue
            k = owner[off + i]
            raise _shape_mismatch_error(name, k, shapes[k], j, s, off + i - ndim)
    return tuple(out)


@differentiable("broadcast_to")
def broadcast_to(x, /, shape):
    """``x`` broadcast to ``shape``: a read-only view, as ``numpy.broadcast_to``.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.broadcast_to(xp.asarray([1, 2, 3]), (2, 3))
    Tensor([[1, 2, 3],
            [1, 2, 3]], dtype=int64)
    """
    a = _arr("broadcast_to", x)
    shape = _shape_tuple("broadcast_to", shape)
    if any(d < 0 for d in shape):
        raise ValueError(f"broadcast_to: negative dimension in shape {shape}")
    n = len(shape)
    ok = a.ndim <= n and all(
        d == s or d == 1 for d, s in zip(a.shape, shape[n - a.ndim:]))
    if not ok:
        raise _broadcast_to_error("broadcast_to", a.shape, shape)
    return _new(np.broadcast_to(a, shape))


@differentiable("broadcast_arrays")
def broadcast_arrays(*arrays):
    """Broadcast ``arrays`` against one another; a tuple of views.

    Inputs that already have the broadcast shape are returned as views of
    themselves; the others are read-only broadcast views (their elements overlap).

    Examples
    --------
    >>> import minitensor as xp
    >>> a, b = xp.broadcast_arrays(xp.ones((2, 1)), xp.zeros(3))
    >>> a.shape, b.shape
    ((2, 3), (2, 3))
    """
    arrs = [_arr("broadcast_arrays", a) for a in arrays]
    shape = _broadcast_shape("broadcast_arrays", [a.shape for a in arrs])
    # Note: NumPy's broadcast_arrays gives writeable views that warn on write
    # (and will become read-only); ours are read-only now, as broadcast_to's.
    return tuple(_new(a if a.shape == shape else np.broadcast_to(a, shape)) for a in arrs)


# ---------------------------------------------------------------- joining
@differentiable("concat")
def concat(arrays, /, *, axis=0):
    """Join ``arrays`` along an existing ``axis`` (``axis=None``: flatten them first).

    Mixed dtypes are promoted (the standard's rules; NumPy's for mixed kinds).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.concat([xp.asarray([[1, 2]]), xp.asarray([[3.5, 4.5]])], axis=0)
    Tensor([[1. , 2. ],
            [3.5, 4.5]], dtype=float64)
    """
    arrs = _sequence("concat", arrays)
    dt = _promoted("concat", arrs)
    if axis is None:
        arrs = [a.reshape(-1) for a in arrs]
        return _new(np.concatenate(arrs, axis=0, dtype=dt, casting="unsafe"))
    a0 = arrs[0]
    ax = _axis("concat", axis, a0.ndim)
    for i, a in enumerate(arrs[1:], 1):
        if a.ndim != a0.ndim or any(
                d != e for k, (d, e) in enumerate(zip(a.shape, a0.shape)) if k != ax):
            raise ValueError(
                f"concat: the array at index {i} has shape {a.shape}, incompatible with "
                f"shape {a0.shape} of the first array (they must be equal except along "
                f"axis {axis})")
    return _new(np.concatenate(arrs, axis=ax, dtype=dt, casting="unsafe"))


@differentiable("stack")
def stack(arrays, /, *, axis=0):
    """Join same-shape ``arrays`` along a new ``axis``; mixed dtypes are promoted.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.stack([xp.asarray([1, 2]), xp.asarray([3, 4])], axis=-1)
    Tensor([[1, 3],
            [2, 4]], dtype=int64)
    """
    arrs = _sequence("stack", arrays)
    a0 = arrs[0]
    for i, a in enumerate(arrs[1:], 1):
        if a.shape != a0.shape:
            raise ValueError(f"stack: all arrays must have the same shape; the array at "
                             f"index {i} has shape {a.shape}, the first {a0.shape}")
    ax = _axis("stack", axis, a0.ndim + 1)
    dt = _promoted("stack", arrs)
    return _new(np.stack(arrs, axis=ax, dtype=dt, casting="unsafe"))


@differentiable("unstack")
def unstack(x, /, *, axis=0):
    """Split ``x`` along ``axis`` into a tuple of views, one per index.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.unstack(xp.asarray([[1, 2], [3, 4]]), axis=1)
    (Tensor([1, 3], dtype=int64), Tensor([2, 4], dtype=int64))
    """
    a = _arr("unstack", x)
    ax = _axis("unstack", axis, a.ndim)
    lead = (slice(None),) * ax
    return tuple(_new(a[lead + (i, Ellipsis)]) for i in range(a.shape[ax]))


# ------------------------------------------------------------- axis rearranging
@differentiable("expand_dims")
def expand_dims(x, /, axis):
    """Insert size-one axes at ``axis`` (an int or a tuple of ints); a view.

    For a tuple, positions refer to the result, which has ``x.ndim + len(axis)``
    dimensions; negative positions count from its end.

    Examples
    --------
    >>> import minitensor as xp
    >>> x = xp.zeros((2, 3))
    >>> xp.expand_dims(x, axis=-1).shape, xp.expand_dims(x, axis=(0, 2)).shape
    ((2, 3, 1), (1, 2, 1, 3))
    """
    a = _arr("expand_dims", x)
    n = len(axis) if isinstance(axis, (tuple, list)) else 1
    axes = _axes("expand_dims", axis, a.ndim + n)
    shape = list(a.shape)
    for ax in sorted(axes):
        shape.insert(ax, 1)
    return _new(a.reshape(shape))


@differentiable("squeeze")
def squeeze(x, /, axis):
    """Remove the size-one axes ``axis`` (an int or a tuple); a view.

    ValueError if one of them does not have size one.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.squeeze(xp.zeros((1, 3, 1)), axis=(0, -1)).shape
    (3,)
    """
    a = _arr("squeeze", x)
    axes = _axes("squeeze", axis, a.ndim)
    for ax in axes:
        if a.shape[ax] != 1:
            raise ValueError(f"squeeze: axis {ax} of a tensor of shape {a.shape} has size "
                             f"{a.shape[ax]}; only size-one axes can be squeezed")
    return _new(a.reshape([d for i, d in enumerate(a.shape) if i not in axes]))


@differentiable("flip")
def flip(x, /, *, axis=None):
    """Reverse the order of elements along ``axis`` (default: all axes); a view.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.flip(xp.asarray([[1, 2], [3, 4]]), axis=1)
    Tensor([[2, 1],
            [4, 3]], dtype=int64)
    """
    a = _arr("flip", x)
    if axis is None:
        return _new(a[(slice(None, None, -1),) * a.ndim + (Ellipsis,)])
    axes = _axes("flip", axis, a.ndim)
    key = [slice(None)] * a.ndim
    for ax in axes:
        key[ax] = slice(None, None, -1)
    return _new(a[tuple(key)])


@differentiable("permute_dims")
def permute_dims(x, /, axes):
    """Permute the axes of ``x`` (``axes`` is a permutation of its axes); a view.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.permute_dims(xp.zeros((2, 3, 4)), (2, 0, -2)).shape
    (4, 2, 3)
    """
    a = _arr("permute_dims", x)
    if not isinstance(axes, (tuple, list)):
        raise TypeError(f"permute_dims: axes must be a tuple of ints, got "
                        f"{type(axes).__name__} {axes!r}")
    if len(axes) != a.ndim:
        raise ValueError(f"permute_dims: axes {tuple(axes)} do not match a tensor of "
                         f"shape {a.shape}: a permutation of all {a.ndim} axes is needed")
    perm = _axes("permute_dims", axes, a.ndim)
    return _new(a.transpose(perm))


@differentiable("moveaxis")
def moveaxis(x, source, destination, /):
    """Move the axes ``source`` to positions ``destination`` (ints or tuples); a view.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.moveaxis(xp.zeros((2, 3, 4)), 0, -1).shape
    (3, 4, 2)
    """
    a = _arr("moveaxis", x)
    src = _axes("moveaxis", source, a.ndim, what="source")
    dst = _axes("moveaxis", destination, a.ndim, what="destination")
    if len(src) != len(dst):
        raise ValueError(f"moveaxis: source {source!r} and destination {destination!r} "
                         f"must have the same number of axes")
    order = [i for i in range(a.ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return _new(a.transpose(order))


# --------------------------------------------------------------------- reshaping
@differentiable("reshape")
def reshape(x, /, shape, *, copy=None):
    """``x`` with a new ``shape`` (one entry may be -1); a view when the strides allow.

    ``copy=True`` always copies; ``copy=False`` never does (ValueError if a copy is
    needed); ``copy=None`` copies only if needed.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.reshape(xp.arange(6), (2, -1))
    Tensor([[0, 1, 2],
            [3, 4, 5]], dtype=int64)
    """
    a = _arr("reshape", x)
    if copy is not None and not isinstance(copy, (bool, np.bool_)):
        raise TypeError(f"reshape: copy must be True, False or None, got {copy!r}")
    target = _reshape_target(shape, a)
    if copy:
        return _new(np.reshape(a, target, copy=True))
    if copy is None:
        return _new(a.reshape(target))
    try:
        return _new(np.reshape(a, target, copy=False))
    except ValueError:
        raise ValueError(
            f"reshape: reshaping a tensor of shape {a.shape} (strides {a.strides}) to "
            f"{target} needs a copy, but copy=False") from None


def _reshape_target(shape, a):
    if type(shape) is tuple:
        # the common call: a tuple of Python ints, at most one -1, the right size
        known = 1
        unknown = -1
        for i, d in enumerate(shape):
            if type(d) is not int or d < -1 or (d == -1 and unknown >= 0):
                break  # (the general path below converts or raises)
            if d == -1:
                unknown = i
            else:
                known *= d
        else:
            size = a.size
            if unknown < 0:
                if known == size:
                    return shape
            elif known and not size % known:
                return shape[:unknown] + (size // known,) + shape[unknown + 1:]
    shape = _shape_tuple("reshape", shape)
    unknown = [i for i, d in enumerate(shape) if d == -1]
    if any(d < -1 for d in shape) or len(unknown) > 1:
        raise ValueError(f"reshape: invalid shape {shape}: entries must be >= 0, with at "
                         f"most one -1")
    known = math.prod(d for d in shape if d != -1)
    size = a.size
    if unknown:
        if known == 0 or size % known:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {a.shape} (size "
                             f"{size}) to shape {shape}")
        shape = list(shape)
        shape[unknown[0]] = size // known
        return tuple(shape)
    if known != size:
        raise ValueError(f"reshape: cannot reshape a tensor of shape {a.shape} (size "
                         f"{size}) to shape {shape} (size {known})")
    return shape


# ------------------------------------------------------------------- repetition
@differentiable("repeat")
def repeat(x, repeats, /, *, axis=None):
    """Repeat each element of ``x`` ``repeats`` times (an int, or an integer tensor of
    shape ``(1,)`` or ``(x.shape[axis],)``); ``axis=None`` works on the flattened ``x``.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.repeat(xp.asarray([[1, 2], [3, 4]]), xp.asarray([1, 2]), axis=0)
    Tensor([[1, 2],
            [3, 4],
            [3, 4]], dtype=int64)
    """
    a = _arr("repeat", x)
    if axis is None:
        a = a.reshape(-1)
        ax = 0
    else:
        ax = _axis("repeat", axis, a.ndim)
    n = a.shape[ax]
    if isinstance(repeats, (Tensor, _ndarray, np.generic)):
        r = _arr("repeat", repeats)
        if r.dtype.kind not in "iu":
            raise TypeError(f"repeat: repeats must have an integer dtype, got "
                            f"{_FROM_NP[r.dtype]}")
        # Note: a 0-d repeats tensor is accepted, as NumPy does.
        if r.ndim > 1 or (r.ndim == 1 and r.shape[0] not in (1, n)):
            raise ValueError(f"repeat: repeats of shape {r.shape} does not match {n} "
                             f"elements along the axis: it must have shape (1,) or ({n},)")
        if r.size and r.min() < 0:
            raise ValueError("repeat: repeats must be non-negative")
        if r.dtype == np.uint64:
            if r.size and r.max() > np.iinfo(np.int64).max:
                raise ValueError("repeat: a repeat count is too large")
            r = r.astype(np.int64)
        if r.ndim == 1 and r.shape[0] == 1:
            r = r[0]
    else:
        r = _int("repeat", "repeats", repeats)
        if r < 0:
            raise ValueError(f"repeat: repeats must be non-negative, got {r}")
    return _new(np.repeat(a, r, axis=ax))


@differentiable("tile")
def tile(x, repetitions, /):
    """Tile ``x``: repeat it ``repetitions[i]`` times along axis ``i`` (shapes are
    aligned on the right, with ones prepended to the shorter one).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.tile(xp.asarray([1, 2]), (2, 2))
    Tensor([[1, 2, 1, 2],
            [1, 2, 1, 2]], dtype=int64)
    """
    a = _arr("tile", x)
    reps = _shape_tuple("tile", repetitions, what="repetitions")
    if any(r < 0 for r in reps):
        raise ValueError(f"tile: repetitions must be non-negative, got {reps}")
    return _wrap(np.tile(a, reps))


@differentiable("roll")
def roll(x, /, shift, *, axis=None):
    """Roll the elements of ``x`` by ``shift`` places along ``axis`` (default: the
    flattened ``x``, reshaped back); elements leaving one end re-enter at the other.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.roll(xp.asarray([[1, 2, 3], [4, 5, 6]]), (1, -1), axis=(0, 1))
    Tensor([[5, 6, 4],
            [2, 3, 1]], dtype=int64)
    """
    a = _arr("roll", x)
    if isinstance(shift, (tuple, list)):
        shifts = tuple(_int("roll", "each shift", s) for s in shift)
    else:
        shifts = (_int("roll", "shift", shift),)
    if axis is None:
        # the flattened x, rolled along its one axis
        return _new(_roll(a.reshape(-1), shifts, (0,), shift, axis).reshape(a.shape))
    if isinstance(axis, (tuple, list)):
        axes = tuple(_axis("roll", ax, a.ndim) for ax in axis)
    else:
        axes = (_axis("roll", axis, a.ndim),)
    return _new(_roll(a, shifts, axes, shift, axis))


def _roll(a, shifts, axes, shift, axis):
    if len(shifts) != len(axes):
        # Note: as NumPy, a shift or axis of length one is broadcast against the other
        # (the standard requires a tuple shift to come with a tuple axis of equal length).
        if len(shifts) == 1:
            shifts = shifts * len(axes)
        elif len(axes) == 1:
            axes = axes * len(shifts)
        else:
            raise ValueError(f"roll: shift {shift!r} and axis {axis!r} must have the same "
                             f"length")
    total = [0] * a.ndim
    for s, ax in zip(shifts, axes):  # repeated axes add up, as in NumPy
        total[ax] += s
    used = [ax for ax in range(a.ndim) if a.shape[ax] and total[ax] % a.shape[ax]]
    if not used:
        return a.copy()
    return np.roll(a, [total[ax] % a.shape[ax] for ax in used], axis=used)
