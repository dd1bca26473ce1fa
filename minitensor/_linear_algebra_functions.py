"""Linear algebra functions of the main namespace: ``matmul``, ``matrix_transpose``,
``tensordot``, ``vecdot`` (also exported by the ``linalg`` extension).

Matrix products go to NumPy's BLAS: Pythran cannot link a BLAS on a fresh
machine (``../shared/reference/pythran.md`` section 1).
"""

import numpy as np

from ._array_object import Tensor
from ._dtypes import _FROM_NP, _dtype_categories, _promotion_table
from ._elementwise_functions import _to_array
from ._dispatch import differentiable
from ._validation import index_arg

__all__ = ["matmul", "matrix_transpose", "tensordot", "vecdot"]

_new = Tensor._new
_ndarray = np.ndarray
_np_matmul = np.matmul
_NUMERIC = frozenset(d._np_dtype for d in _dtype_categories["numeric"])


@differentiable("matmul")
def matmul(x1, x2, /):
    """Matrix product of two tensors, batched over leading dimensions (``x1 @ x2``).

    1-D operands are treated as vectors (as NumPy and the standard say); 0-d
    operands are an error. The batch dimensions broadcast; the result has the
    promoted dtype.

    Examples
    --------
    >>> import minitensor as xp
    >>> a = xp.asarray([[1.0, 2.0], [3.0, 4.0]])
    >>> a @ xp.asarray([1.0, 1.0])
    Tensor([3., 7.], dtype=float64)
    """
    # fast path: two tensors of numeric dtypes; NumPy checks the shapes (and
    # raises ValueError, re-raised below with both shapes named)
    if type(x1) is Tensor and type(x2) is Tensor:
        a = x1._array
        b = x2._array
        if a.dtype in _NUMERIC and b.dtype in _NUMERIC:
            try:
                r = _np_matmul(a, b)
            except ValueError:
                _matmul_check(a, b)
                raise
            if type(r) is not _ndarray:
                r = np.asarray(r)
            t = _new(r)
            return t
    else:
        a = x1._array if type(x1) is Tensor else _to_array("matmul", x1)
        b = x2._array if type(x2) is Tensor else _to_array("matmul", x2)
    _matmul_check(a, b)
    r = _np_matmul(a, b)
    if type(r) is not _ndarray:
        r = np.asarray(r)
    return _new(r)


def _matmul_check(a, b):
    """Raise the error of an invalid matmul (TypeError for dtypes, ValueError for shapes)."""
    for arr in (a, b):
        if arr.dtype not in _NUMERIC:
            raise TypeError(f"matmul() does not support dtype {_FROM_NP[arr.dtype]}; "
                            f"it needs a numeric dtype")
        if arr.ndim == 0:
            raise ValueError("matmul: 0-d operands are not allowed (use multiply)")
    ka = a.shape[-1]
    kb = b.shape[-2] if b.ndim >= 2 else b.shape[0]
    if ka != kb:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} are not aligned: "
                         f"{ka} (last axis of x1) != {kb} (axis -2 of x2)")
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(f"matmul: the batch dimensions of shapes {a.shape} and {b.shape} "
                         f"do not broadcast") from None


# ---------------------------------------------------------------------------
# matrix_transpose, tensordot, vecdot
# ---------------------------------------------------------------------------
_AxisError = np.exceptions.AxisError


def _numeric_operand(name, x):
    a = x._array if type(x) is Tensor else _to_array(name, x)
    if a.dtype not in _NUMERIC:
        raise TypeError(f"{name}() does not support dtype {_FROM_NP[a.dtype]}; "
                        f"it needs a numeric dtype")
    return a


def _numeric_pair(name, x1, x2):
    """Both operands as ndarrays of their promoted dtype (the standard's table;
    NumPy's rule for the mixed-kind pairs the standard leaves open)."""
    a = _numeric_operand(name, x1)
    b = _numeric_operand(name, x2)
    if a.dtype != b.dtype:
        dt = _promotion_table[(_FROM_NP[a.dtype], _FROM_NP[b.dtype])]._np_dtype
        a = a.astype(dt, copy=False)
        b = b.astype(dt, copy=False)
    return a, b


def _vector_axis(name, axis, a, b):
    """The contracted axis of vecdot/cross as a negative int, counted from the end.

    Note: the standard asks for a negative axis; a non-negative one is taken
    relative to the broadcast shape of x1 and x2 (the same as NumPy when both
    have the same ndim).
    """
    axis = index_arg(name, "axis", axis)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"{name}: x1 and x2 must have at least one dimension, got shapes "
                         f"{a.shape} and {b.shape}")
    nd = max(a.ndim, b.ndim)
    if 0 <= axis < nd:
        axis -= nd
    if not -min(a.ndim, b.ndim) <= axis <= -1:
        raise _AxisError(axis, min(a.ndim, b.ndim), name)
    return axis


def _check_batch(name, a, b, axis):
    """The non-contracted axes must broadcast (ValueError naming both shapes)."""
    sa = a.shape[:axis] + (a.shape[axis + 1:] if axis != -1 else ())
    sb = b.shape[:axis] + (b.shape[axis + 1:] if axis != -1 else ())
    try:
        np.broadcast_shapes(sa, sb)
    except ValueError:
        raise ValueError(f"{name}: shapes {a.shape} and {b.shape} do not broadcast outside "
                         f"the axis {axis}") from None


@differentiable("matrix_transpose")
def matrix_transpose(x, /):
    """Transpose the last two axes of ``x`` (a view), shape ``(..., N, M)``.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.matrix_transpose(xp.asarray([[1, 2, 3], [4, 5, 6]])).shape
    (3, 2)
    """
    a = x._array if type(x) is Tensor else _to_array("matrix_transpose", x)
    if a.ndim < 2:
        raise ValueError(f"matrix_transpose: x must have at least 2 dimensions, got shape "
                         f"{a.shape}")
    return _new(np.swapaxes(a, -1, -2))


@differentiable("tensordot")
def tensordot(x1, x2, /, *, axes=2):
    """Tensor contraction of ``x1`` and ``x2`` over ``axes``.

    ``axes`` is an int ``N`` (the last ``N`` axes of ``x1`` with the first ``N``
    of ``x2``) or a pair of sequences of axes. The result has the non-contracted
    axes of ``x1`` then those of ``x2``, and the promoted dtype. Complex operands
    are not conjugated. Contracted axes must have equal sizes (no broadcasting).

    Examples
    --------
    >>> import minitensor as xp
    >>> a = xp.ones((2, 3, 4))
    >>> xp.tensordot(a, xp.ones((3, 4, 5))).shape
    (2, 5)
    >>> xp.tensordot(a, xp.ones((4, 2)), axes=([0, 2], [1, 0])).shape
    (3,)
    """
    a, b = _numeric_pair("tensordot", x1, x2)
    if isinstance(axes, (int, np.integer)) and not isinstance(axes, (bool, np.bool_)):
        n = int(axes)
        if n < 0:
            raise ValueError(f"tensordot: an integer axes must be >= 0, got {n}")
        if n > a.ndim or n > b.ndim:
            raise ValueError(f"tensordot: cannot contract {n} axes of arrays of shapes "
                             f"{a.shape} and {b.shape}")
        ax_a = list(range(a.ndim - n, a.ndim))
        ax_b = list(range(n))
    else:
        try:
            ax_a, ax_b = axes
        except (TypeError, ValueError):
            raise TypeError(f"tensordot: axes must be an int or a pair of sequences of ints, "
                            f"got {axes!r}") from None
        ax_a = _axes_seq(ax_a, a.ndim, "x1")
        ax_b = _axes_seq(ax_b, b.ndim, "x2")
        if len(ax_a) != len(ax_b):
            raise ValueError(f"tensordot: axes for x1 and x2 must have the same length, got "
                             f"{axes!r}")
    for i, j in zip(ax_a, ax_b):
        if a.shape[i] != b.shape[j]:
            raise ValueError(f"tensordot: shapes {a.shape} and {b.shape} do not match on the "
                             f"contracted axes {ax_a} and {ax_b} ({a.shape[i]} != "
                             f"{b.shape[j]})")
    r = np.tensordot(a, b, axes=(ax_a, ax_b))
    if type(r) is not np.ndarray:
        r = np.asarray(r)
    return _new(r)


def _axes_seq(seq, ndim, which):
    if isinstance(seq, (int, np.integer)) and not isinstance(seq, (bool, np.bool_)):
        seq = (seq,)
    out = []
    for ax in seq:
        ax = index_arg("tensordot", "axes", ax)
        if not -ndim <= ax < ndim:
            raise _AxisError(ax, ndim, f"tensordot ({which})")
        out.append(ax % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"tensordot: repeated axis in the axes of {which}: {tuple(seq)}")
    return out


@differentiable("vecdot")
def vecdot(x1, x2, /, *, axis=-1):
    """Vector dot product along ``axis``: ``sum(conj(x1) * x2, axis=axis)``.

    ``x1`` is complex-conjugated (as the standard says). The other axes
    broadcast; the contracted axis must have the same size in both (no
    broadcasting). ``axis`` counts from the end (``-1`` = last axis).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.vecdot(xp.asarray([1.0, 2.0, 3.0]), xp.asarray([[1.0, 1.0, 1.0], [0.0, 1.0, 0.0]]))
    Tensor([6., 2.], dtype=float64)
    >>> complex(xp.vecdot(xp.asarray([1j, 2j]), xp.asarray([1j, 1 + 0j])))
    (1-2j)
    """
    a, b = _numeric_pair("vecdot", x1, x2)
    axis = _vector_axis("vecdot", axis, a, b)
    if a.shape[axis] != b.shape[axis]:
        raise ValueError(f"vecdot: shapes {a.shape} and {b.shape} differ on the contracted "
                         f"axis {axis} ({a.shape[axis]} != {b.shape[axis]})")
    _check_batch("vecdot", a, b, axis)
    r = np.vecdot(a, b, axis=axis)
    if type(r) is not np.ndarray:
        r = np.asarray(r)
    return _new(r)
