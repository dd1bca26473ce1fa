"""Tensor functions with PyTorch's names and signatures (``input``, ``dim=``, ``keepdim=``).

Each function forwards to the namespace (``minitensor``) or to the ``Tensor`` method of
the same name, so it records gradients like any namespace call. Two PyTorch rules the
namespace does not follow apply here: mixed-category promotion keeps the floating
operand's dtype (``int64`` with ``float32`` is ``float32``; a Python float with an
integer tensor gives the default float dtype), and true division of integers gives the
default float dtype. ``out=`` is refused with a ``TypeError``.
"""
import builtins
import collections
import math
import operator

import numpy as np

import minitensor as _mt
from .. import _special_functions
from .._array_object import Tensor
from .._dtypes import _as_dtype, _complex_floating_dtypes, _real_floating_dtypes, int64
from . import _dtypes
from ._creation import _no_out

__all__ = [
    # joining, splitting, reshaping
    "cat", "concat", "concatenate", "stack", "hstack", "vstack", "dstack", "column_stack",
    "split", "chunk", "unbind", "flatten", "reshape", "squeeze", "unsqueeze", "transpose",
    "swapaxes", "swapdims", "permute", "movedim", "moveaxis", "t", "flip", "fliplr", "flipud",
    "roll", "narrow", "tile", "repeat_interleave", "broadcast_to", "broadcast_tensors",
    "broadcast_shapes", "atleast_1d", "atleast_2d", "atleast_3d", "meshgrid", "tril",
    "triu", "diag", "diagonal", "diag_embed", "ravel",
    # indexing
    "where", "masked_fill", "masked_select", "gather", "scatter", "scatter_add",
    "index_select", "take", "take_along_dim", "nonzero", "argwhere",
    # reductions
    "max", "min", "argmax", "argmin", "amax", "amin", "aminmax", "sum", "nansum", "mean",
    "nanmean", "std", "var", "std_mean", "var_mean", "prod", "norm", "logsumexp", "cumsum",
    "cumprod", "cummax", "cummin", "median", "count_nonzero", "all", "any", "diff",
    # sorting and sets
    "sort", "argsort", "topk", "kthvalue", "unique", "searchsorted", "bucketize",
    # comparison
    "allclose", "isclose", "equal", "eq", "ne", "lt", "le", "gt", "ge", "greater",
    "greater_equal", "less", "less_equal", "not_equal", "maximum", "minimum", "fmax", "fmin",
    "clamp", "clip", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "isreal",
    "logical_and", "logical_or", "logical_not", "logical_xor",
    # elementwise
    "abs", "absolute", "neg", "negative", "exp", "exp2", "expm1", "log", "log2", "log10",
    "log1p", "sqrt", "rsqrt", "square", "sin", "cos", "tan", "asin", "acos", "atan",
    "arcsin", "arccos", "arctan", "atan2", "arctan2", "sinh", "cosh", "tanh", "asinh",
    "acosh", "atanh", "sigmoid", "relu", "softmax", "log_softmax", "sign", "sgn", "signbit",
    "floor", "ceil", "round", "trunc", "fix", "frac", "reciprocal", "pow", "float_power",
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
    "floor_divide", "remainder", "fmod", "lerp", "hypot", "logaddexp", "copysign", "real",
    "imag", "conj", "angle", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
    "nan_to_num", "erf", "erfc", "xlogy", "lgamma", "digamma", "polygamma",
    # linear algebra
    "matmul", "mm", "bmm", "mv", "addmm", "einsum", "outer", "ger", "dot", "vdot", "inner",
    "tensordot", "kron", "trace", "det", "inverse", "cross", "cdist",
    # tensors
    "numel", "is_tensor", "is_nonzero", "clone", "detach",
]


# ------------------------------------------------------------------ helpers
def _dim(dim):
    """PyTorch's ``dim`` (int, tuple, list or None) as the namespace's ``axis``."""
    if isinstance(dim, list):
        dim = tuple(dim)
    if isinstance(dim, tuple) and len(dim) == 0:
        return None
    return dim


def _category(dt):
    return _dtypes._category(dt)


def _weak_dtype(scalar, dt):
    """The dtype a Python scalar promotes ``dt`` to (PyTorch: the category's default)."""
    if isinstance(scalar, builtins.bool):
        k = 0
    elif isinstance(scalar, builtins.int):
        k = 1
    elif isinstance(scalar, builtins.float):
        k = 2
    elif isinstance(scalar, builtins.complex):
        k = 3
    else:
        return dt
    c = _category(dt)
    if k <= c:
        return dt
    if k == 1:
        return int64
    if k == 2:
        return _dtypes._default[0]
    if c == 2:  # complex scalar with a real floating tensor
        return _dtypes.promote_types(dt, _mt.complex64)
    return _dtypes._default_complex()


def _cast(x, dt):
    return x if x.dtype == dt else _mt.astype(x, dt)


def _promote(a, b):
    """Cast tensors ``a``/``b`` (a scalar on either side allowed) to PyTorch's common
    dtype; Python scalars stay scalars."""
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if ta and tb:
        da, db = a.dtype, b.dtype
        if da == db:
            return a, b
        ca, cb = _category(da), _category(db)
        # a 0-d tensor does not widen a tensor of its own category (PyTorch)
        if ca == cb and a.ndim == 0 and b.ndim > 0:
            dt = db
        elif ca == cb and b.ndim == 0 and a.ndim > 0:
            dt = da
        else:
            dt = _dtypes.promote_types(da, db)
        return _cast(a, dt), _cast(b, dt)
    if ta:
        return _cast(a, _weak_dtype(b, a.dtype)), b
    if tb:
        return a, _cast(b, _weak_dtype(a, b.dtype))
    return a, b


def _tensor(x):
    """A tensor for ``x`` (Python scalars and sequences with the face's defaults)."""
    if isinstance(x, Tensor):
        return x
    from ._creation import tensor
    return tensor(x)


def _float(x):
    """``x`` as a floating tensor (integers and bools: the default float dtype)."""
    if _category(x.dtype) < 2:
        return _mt.astype(x, _dtypes._default[0])
    return x


# ------------------------------------------------- joining, splitting, reshaping
def cat(tensors, dim=0, *, out=None):
    """Join tensors along an existing dimension ``dim`` (PyTorch's promotion of dtypes).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.cat([torch.zeros(1, 2), torch.ones(2, 2)]).shape
    (3, 2)
    >>> torch.cat((torch.zeros(2, 1), torch.ones(2, 1)), dim=1).shape
    (2, 2)
    """
    _no_out(out, "cat")
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("cat(): expected a non-empty list of Tensors")
    dt = tensors[0].dtype
    for x in tensors[1:]:
        dt = _dtypes.promote_types(dt, x.dtype)
    return _mt.concat([_cast(x, dt) for x in tensors], axis=dim)


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    """Join tensors of equal shape along a new dimension ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.stack([torch.zeros(3), torch.ones(3)], dim=1).shape
    (3, 2)
    """
    _no_out(out, "stack")
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack(): expects a non-empty TensorList")
    dt = tensors[0].dtype
    for x in tensors[1:]:
        dt = _dtypes.promote_types(dt, x.dtype)
    return _mt.stack([_cast(x, dt) for x in tensors], axis=dim)


def hstack(tensors, *, out=None):
    """Join horizontally (along dim 1; dim 0 for 1-D tensors).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.hstack([torch.zeros(2), torch.ones(3)]).shape
    (5,)
    """
    _no_out(out, "hstack")
    ts = atleast_1d(*tensors) if len(tensors) > 1 else [atleast_1d(*tensors)]
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors, *, out=None):
    """Join vertically (along dim 0, 1-D tensors become rows).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.vstack([torch.zeros(2), torch.ones(2)]).shape
    (2, 2)
    """
    _no_out(out, "vstack")
    return cat([atleast_2d(x) for x in tensors], 0)


def dstack(tensors, *, out=None):
    """Join along dim 2 (after making every tensor at least 3-D).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.dstack([torch.zeros(2), torch.ones(2)]).shape
    (1, 2, 2)
    """
    _no_out(out, "dstack")
    return cat([atleast_3d(x) for x in tensors], 2)


def column_stack(tensors, *, out=None):
    """Join 1-D tensors as columns (and 2-D ones along dim 1).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.column_stack([torch.zeros(3), torch.ones(3)]).shape
    (3, 2)
    """
    _no_out(out, "column_stack")
    return cat([_mt.reshape(x, (-1, 1)) if x.ndim <= 1 else x for x in tensors], 1)


def split(tensor, split_size_or_sections, dim=0):
    """Split into chunks of ``split_size_or_sections`` (an int) or of the given sizes
    (a list) along ``dim``; returns a tuple of views.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> [p.shape for p in torch.split(torch.arange(5), 2)]
    [(2,), (2,), (1,)]
    >>> [p.tolist() for p in torch.split(torch.arange(5), [1, 4])]
    [[0], [1, 2, 3, 4]]
    """
    return tensor.split(split_size_or_sections, dim)


def chunk(input, chunks, dim=0):
    """Split into ``chunks`` pieces (the last may be smaller) along ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> [p.tolist() for p in torch.chunk(torch.arange(5), 2)]
    [[0, 1, 2], [3, 4]]
    """
    return input.chunk(chunks, dim)


def unbind(input, dim=0):
    """The slices along ``dim``, as a tuple (the dimension removed).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> [r.tolist() for r in torch.unbind(torch.tensor([[1, 2], [3, 4]]))]
    [[1, 2], [3, 4]]
    """
    return input.unbind(dim)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge the dimensions ``start_dim`` to ``end_dim`` into one.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.flatten(torch.zeros(2, 3, 4), 1).shape
    (2, 12)
    """
    return input.flatten(start_dim, end_dim)


def ravel(input):
    """The tensor as 1-D.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.ravel(torch.zeros(2, 3)).shape
    (6,)
    """
    return _mt.reshape(input, (-1,))


def reshape(input, shape):
    """``input`` with a new shape (a view when possible; one entry may be -1).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.reshape(torch.arange(6), (2, -1)).shape
    (2, 3)
    """
    return _mt.reshape(input, tuple(operator.index(s) for s in shape))


def squeeze(input, dim=None):
    """Remove dimensions of size 1 (all, or those among ``dim``; a ``dim`` whose size is
    not 1 is left as it is, as PyTorch does).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.squeeze(torch.zeros(2, 1, 3)).shape, torch.squeeze(torch.zeros(2, 1), 0).shape
    ((2, 3), (2, 1))
    """
    nd = input.ndim
    if dim is None:
        axes = tuple(i for i, s in enumerate(input.shape) if s == 1)
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        axes = []
        for d in dims:
            d = operator.index(d)
            if not -builtins.max(nd, 1) <= d < builtins.max(nd, 1):
                raise IndexError(f"squeeze(): dimension {d} out of range for a "
                                 f"{nd}-D tensor")
            d %= builtins.max(nd, 1)
            if nd and input.shape[d] == 1:
                axes.append(d)
        axes = tuple(sorted(set(axes)))
    return _mt.squeeze(input, axis=axes) if axes else input


def unsqueeze(input, dim):
    """Insert a dimension of size 1 at ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.unsqueeze(torch.zeros(3), 0).shape, torch.unsqueeze(torch.zeros(3), -1).shape
    ((1, 3), (3, 1))
    """
    return _mt.expand_dims(input, axis=dim)


def transpose(input, dim0, dim1):
    """Swap the dimensions ``dim0`` and ``dim1`` (a view).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.transpose(torch.zeros(2, 3, 4), 0, 2).shape
    (4, 3, 2)
    """
    return input.transpose(dim0, dim1)


swapaxes = swapdims = transpose


def permute(input, dims):
    """Reorder the dimensions (a view).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.permute(torch.zeros(2, 3, 4), (2, 0, 1)).shape
    (4, 2, 3)
    """
    return _mt.permute_dims(input, tuple(dims))


def movedim(input, source, destination):
    """Move dimensions ``source`` to positions ``destination``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.movedim(torch.zeros(2, 3, 4), 0, -1).shape
    (3, 4, 2)
    """
    return _mt.moveaxis(input, source, destination)


moveaxis = movedim


def t(input):
    """Transpose a tensor of at most 2 dimensions.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.t(torch.zeros(2, 3)).shape
    (3, 2)
    """
    return input.t()


def flip(input, dims):
    """Reverse the order of elements along ``dims``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.flip(torch.arange(3), [0])
    Tensor([2, 1, 0], dtype=int64)
    """
    return _mt.flip(input, axis=tuple(dims) if isinstance(dims, (tuple, list)) else dims)


def fliplr(input):
    """Reverse the columns (dim 1).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.fliplr(torch.tensor([[1, 2]]))
    Tensor([[2, 1]], dtype=int64)
    """
    return flip(input, (1,))


def flipud(input):
    """Reverse the rows (dim 0).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.flipud(torch.tensor([1, 2]))
    Tensor([2, 1], dtype=int64)
    """
    return flip(input, (0,))


def roll(input, shifts, dims=None):
    """Roll elements along ``dims`` (the flattened tensor when ``dims`` is None).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.roll(torch.arange(4), 1)
    Tensor([3, 0, 1, 2], dtype=int64)
    """
    if isinstance(shifts, list):
        shifts = tuple(shifts)
    return _mt.roll(input, shift=shifts, axis=_dim(dims) if dims is not None else None)


def narrow(input, dim, start, length):
    """The slice ``start:start + length`` along ``dim`` (a view).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.narrow(torch.arange(6), 0, 2, 3)
    Tensor([2, 3, 4], dtype=int64)
    """
    nd = input.ndim
    dim = operator.index(dim)
    if not -nd <= dim < nd:
        raise IndexError(f"narrow(): dimension {dim} out of range for a {nd}-D tensor")
    dim %= nd
    size = input.shape[dim]
    start = operator.index(start.item() if isinstance(start, Tensor) else start)
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"narrow(): start ({start}) + length ({length}) exceeds dimension "
                           f"size ({size})")
    idx = [slice(None)] * nd
    idx[dim] = slice(start, start + length)
    return input[tuple(idx)]


def tile(input, dims):
    """Repeat the whole tensor ``dims[i]`` times along each dimension.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.tile(torch.tensor([1, 2]), (2,))
    Tensor([1, 2, 1, 2], dtype=int64)
    """
    return _mt.tile(input, tuple(dims))


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element ``repeats`` times (along ``dim``; the flattened tensor when
    ``dim`` is None).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.repeat_interleave(torch.tensor([1, 2]), 2)
    Tensor([1, 1, 2, 2], dtype=int64)
    >>> torch.repeat_interleave(torch.tensor([[1, 2]]), torch.tensor([1, 2]), dim=1)
    Tensor([[1, 2, 2]], dtype=int64)
    """
    if repeats is None:  # repeat_interleave(repeats): indices repeated by counts
        return _mt.repeat(_mt.arange(input.shape[0]), input)
    if isinstance(repeats, Tensor) and repeats.ndim == 0:
        repeats = int(repeats.item())
    return _mt.repeat(input, repeats, axis=dim)


def broadcast_to(input, size):
    """``input`` broadcast to ``size`` (a -1 keeps the existing size).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.broadcast_to(torch.zeros(3), (2, -1)).shape
    (2, 3)
    """
    size = tuple(operator.index(s) for s in size)
    lead = len(size) - input.ndim
    size = tuple(input.shape[i - lead] if s == -1 and i >= lead else s
                 for i, s in enumerate(size))
    return _mt.broadcast_to(input, size)


def broadcast_tensors(*tensors):
    """The tensors broadcast against each other.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> [x.shape for x in torch.broadcast_tensors(torch.zeros(2, 1), torch.zeros(3))]
    [(2, 3), (2, 3)]
    """
    return tuple(_mt.broadcast_arrays(*tensors))


def broadcast_shapes(*shapes):
    """The shape that ``shapes`` broadcast to.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.broadcast_shapes((2, 1), (3,))
    Size([2, 3])
    """
    from ._device import Size
    return Size(_mt.broadcast_shapes(*(tuple(s) if not isinstance(s, int) else (s,)
                                       for s in shapes)))


def _atleast(n, tensors):
    out = []
    for x in tensors:
        x = _tensor(x)
        if x.ndim < n:
            shape = {0: (1,) * n, 1: (1, x.size) if n >= 2 else None,
                     2: x.shape + (1,)}[x.ndim]
            if n == 3 and x.ndim == 1:
                shape = (1, x.size, 1)
            x = _mt.reshape(x, shape)
        out.append(x)
    return out[0] if len(out) == 1 else tuple(out)


def atleast_1d(*tensors):
    """Tensors with at least one dimension.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.atleast_1d(torch.tensor(1.0)).shape
    (1,)
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return _atleast(1, tensors[0]) if len(tensors[0]) > 1 else (_atleast(1, tensors[0]),)
    return _atleast(1, tensors)


def atleast_2d(*tensors):
    """Tensors with at least two dimensions.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.atleast_2d(torch.zeros(3)).shape
    (1, 3)
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return _atleast(2, tensors[0]) if len(tensors[0]) > 1 else (_atleast(2, tensors[0]),)
    return _atleast(2, tensors)


def atleast_3d(*tensors):
    """Tensors with at least three dimensions.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.atleast_3d(torch.zeros(3)).shape
    (1, 3, 1)
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return _atleast(3, tensors[0]) if len(tensors[0]) > 1 else (_atleast(3, tensors[0]),)
    return _atleast(3, tensors)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids of 1-D tensors; ``indexing="ij"`` (PyTorch's default) or ``"xy"``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> a, b = torch.meshgrid(torch.arange(2), torch.arange(3), indexing="ij")
    >>> a.shape, b.shape
    ((2, 3), (2, 3))
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    return tuple(_mt.meshgrid(*tensors, indexing="ij" if indexing is None else indexing))


def tril(input, diagonal=0, *, out=None):
    """The lower triangle (on and below ``diagonal``), the rest zero.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.tril(torch.ones(2, 2))
    Tensor([[1., 0.],
            [1., 1.]], dtype=float32)
    """
    _no_out(out, "tril")
    return _mt.tril(input, k=diagonal)


def triu(input, diagonal=0, *, out=None):
    """The upper triangle (on and above ``diagonal``), the rest zero.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.triu(torch.ones(2, 2), diagonal=1)
    Tensor([[0., 1.],
            [0., 0.]], dtype=float32)
    """
    _no_out(out, "triu")
    return _mt.triu(input, k=diagonal)


def diag(input, diagonal=0, *, out=None):
    """A 1-D tensor's square matrix with it on the ``diagonal``, or a 2-D tensor's
    diagonal.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.diag(torch.tensor([1, 2]))
    Tensor([[1, 0],
            [0, 2]], dtype=int64)
    >>> torch.diag(torch.tensor([[1, 2], [3, 4]]))
    Tensor([1, 4], dtype=int64)
    """
    _no_out(out, "diag")
    if input.ndim not in (1, 2):
        raise RuntimeError(f"diag(): supports 1-D and 2-D tensors only, got {input.ndim}-D")
    return _mt.diag(input, diagonal)


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal of the planes ``(dim1, dim2)`` (moved to the last dimension).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.diagonal(torch.tensor([[1, 2], [3, 4]]))
    Tensor([1, 4], dtype=int64)
    """
    x = _mt.moveaxis(input, (dim1, dim2), (-2, -1))
    return _mt.linalg.diagonal(x, offset=offset)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Matrices with the last dimension of ``input`` on their diagonal.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.diag_embed(torch.ones(2, 3)).shape
    (2, 3, 3)
    """
    if (offset, dim1, dim2) != (0, -2, -1):
        raise NotImplementedError("diag_embed(): only offset=0, dim1=-2, dim2=-1")
    n = input.shape[-1]
    return _mt.expand_dims(input, axis=-1) * _mt.eye(n, dtype=input.dtype)


# ------------------------------------------------------------------ indexing
def where(condition, input=None, other=None, *, out=None):
    """Elements of ``input`` where ``condition`` holds, else of ``other``; with the
    condition alone, the indices of its nonzero elements (a tuple).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> x = torch.tensor([-1.0, 2.0])
    >>> torch.where(x > 0, x, 0.0)
    Tensor([0., 2.], dtype=float32)
    >>> torch.where(x > 0)
    (Tensor([1], dtype=int64),)
    """
    _no_out(out, "where")
    if input is None and other is None:
        return tuple(_mt.nonzero(condition))
    input, other = _promote(input, other)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = _tensor(input)
        other = _cast(_tensor(other), _dtypes.promote_types(input.dtype, _tensor(other).dtype))
        input = _cast(input, other.dtype)
    return _mt.where(condition, input, other)


def masked_fill(input, mask, value):
    """``input`` with ``value`` where ``mask`` is True.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.masked_fill(torch.zeros(3), torch.tensor([True, False, True]), 1.0)
    Tensor([1., 0., 1.], dtype=float32)
    """
    return input.masked_fill(mask, value)


def masked_select(input, mask):
    """The elements of ``input`` where ``mask`` is True (1-D).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.masked_select(torch.tensor([1, 2, 3]), torch.tensor([True, False, True]))
    Tensor([1, 3], dtype=int64)
    """
    input, mask = _mt.broadcast_arrays(input, mask)
    return input[mask]


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """Values of ``input`` at ``index`` along ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.gather(torch.tensor([[1, 2], [3, 4]]), 1, torch.tensor([[1], [0]]))
    Tensor([[2],
            [3]], dtype=int64)
    """
    _no_out(out, "gather")
    return input.gather(dim, index)


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of ``input`` with ``src`` (or ``value``) written at ``index`` along ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.scatter(torch.zeros(3), 0, torch.tensor([2]), torch.tensor([5.0]))
    Tensor([0., 0., 5.], dtype=float32)
    """
    if src is None:
        src = value
    if reduce is None:
        return input.scatter(dim, index, src)
    return input.scatter(dim, index, src, reduce=reduce)


def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.scatter_add(torch.zeros(2), 0, torch.tensor([1, 1]), torch.ones(2))
    Tensor([0., 2.], dtype=float32)
    """
    return input.scatter_add(dim, index, src)


def index_select(input, dim, index, *, out=None):
    """The slices of ``input`` at the positions ``index`` (1-D) along ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.index_select(torch.tensor([[1, 2], [3, 4]]), 0, torch.tensor([1]))
    Tensor([[3, 4]], dtype=int64)
    """
    _no_out(out, "index_select")
    return input.index_select(dim, index)


def take(input, index):
    """The elements of the flattened ``input`` at ``index`` (in ``index``'s shape).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.take(torch.tensor([[1, 2], [3, 4]]), torch.tensor([0, 3]))
    Tensor([1, 4], dtype=int64)
    """
    flat = _mt.reshape(input, (-1,))
    return _mt.reshape(_mt.take(flat, _mt.reshape(index, (-1,)), axis=0), index.shape)


def take_along_dim(input, indices, dim=None):
    """Values of ``input`` at ``indices`` along ``dim`` (as ``gather`` with
    broadcasting; the flattened tensor when ``dim`` is None).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> x = torch.tensor([[3, 1], [2, 4]])
    >>> torch.take_along_dim(x, torch.argsort(x, dim=1), dim=1)
    Tensor([[1, 3],
            [2, 4]], dtype=int64)
    """
    if dim is None:
        return _mt.take_along_axis(_mt.reshape(input, (-1,)), _mt.reshape(indices, (-1,)),
                                   axis=0)
    return _mt.take_along_axis(input, indices, axis=dim)


def nonzero(input, *, out=None, as_tuple=False):
    """The indices of the nonzero elements: an ``(n, ndim)`` int64 tensor, or a tuple of
    1-D tensors with ``as_tuple=True``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.nonzero(torch.tensor([0, 3, 0, 4]))
    Tensor([[1],
            [3]], dtype=int64)
    """
    _no_out(out, "nonzero")
    idx = _mt.nonzero(input)
    if as_tuple:
        return tuple(idx)
    if not idx:
        return _mt.zeros((int(input.ndim != 0), 0), dtype=int64)
    return _mt.stack(list(idx), axis=1)


def argwhere(input):
    """The indices of the nonzero elements, an ``(n, ndim)`` tensor.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.argwhere(torch.tensor([[0, 1]]))
    Tensor([[0, 1]], dtype=int64)
    """
    return nonzero(input)


# ---------------------------------------------------------------- reductions
def _maxmin(name, input, dim, keepdim, out):
    _no_out(out, name)
    if isinstance(dim, Tensor):  # max(input, other): elementwise
        a, b = _promote(input, dim)
        return (_mt.maximum if name == "max" else _mt.minimum)(a, b)
    if dim is None:
        if keepdim:
            raise TypeError(f"{name}(): keepdim requires dim")
        if input.size == 0:
            raise RuntimeError(f"{name}(): expected a non-empty tensor (use {name}(x, dim) "
                               f"or a{name})")
        return (_mt.max if name == "max" else _mt.min)(input)
    return getattr(input, name)(dim, keepdim)


def max(input, dim=None, keepdim=False, *, out=None):
    """The largest element; with ``dim``, a ``(values, indices)`` named tuple; with a
    tensor as second argument, the elementwise maximum.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> x = torch.tensor([[1, 5], [7, 2]])
    >>> torch.max(x)
    Tensor(7, dtype=int64)
    >>> values, indices = torch.max(x, 1)
    >>> values.tolist(), indices.tolist()
    ([5, 7], [1, 0])
    """
    return _maxmin("max", input, dim, keepdim, out)


def min(input, dim=None, keepdim=False, *, out=None):
    """The smallest element; with ``dim``, a ``(values, indices)`` named tuple; with a
    tensor as second argument, the elementwise minimum.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.min(torch.tensor([[1, 5], [7, 2]]), dim=0).values
    Tensor([1, 2], dtype=int64)
    """
    return _maxmin("min", input, dim, keepdim, out)


def argmax(input, dim=None, keepdim=False):
    """The index of the largest element (of the flattened tensor when ``dim`` is None).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.argmax(torch.tensor([[1, 5], [7, 2]]), dim=1)
    Tensor([1, 0], dtype=int64)
    """
    return input.argmax(dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    """The index of the smallest element (of the flattened tensor when ``dim`` is None).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.argmin(torch.tensor([3, 1, 2]))
    Tensor(1, dtype=int64)
    """
    return input.argmin(dim, keepdim)


def amax(input, dim=(), keepdim=False, *, out=None):
    """The largest values over ``dim`` (all dimensions by default).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.amax(torch.tensor([[1, 5], [7, 2]]), dim=0)
    Tensor([7, 5], dtype=int64)
    """
    _no_out(out, "amax")
    return _mt.max(input, axis=_dim(dim), keepdims=keepdim)


def amin(input, dim=(), keepdim=False, *, out=None):
    """The smallest values over ``dim`` (all dimensions by default).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.amin(torch.tensor([[1, 5], [7, 2]]), dim=1)
    Tensor([1, 2], dtype=int64)
    """
    _no_out(out, "amin")
    return _mt.min(input, axis=_dim(dim), keepdims=keepdim)


_aminmax = collections.namedtuple("aminmax", ["min", "max"])


def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` over ``dim`` (all dimensions by default).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.aminmax(torch.tensor([3, 1, 2]))
    aminmax(min=Tensor(1, dtype=int64), max=Tensor(3, dtype=int64))
    """
    return _aminmax(amin(input, () if dim is None else dim, keepdim),
                    amax(input, () if dim is None else dim, keepdim))


def _int_sum_dtype(input, dtype):
    if dtype is not None:
        return _as_dtype(dtype)
    if _category(input.dtype) <= 1:
        return int64  # bool and integer sums are int64, as PyTorch
    return None


def sum(input, dim=None, keepdim=False, *, dtype=None):
    """The sum over ``dim`` (all elements by default); integers and bools sum to int64.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.sum(torch.tensor([[1.0, 2.0], [3.0, 4.0]]), dim=1)
    Tensor([3., 7.], dtype=float32)
    >>> torch.sum(torch.tensor([True, True, False]))
    Tensor(2, dtype=int64)
    """
    return _mt.sum(input, axis=_dim(dim), keepdims=keepdim,
                   dtype=_int_sum_dtype(input, dtype))


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """The sum treating NaN as zero.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.nansum(torch.tensor([1.0, float("nan")]))
    Tensor(1., dtype=float32)
    """
    return sum(_mt.where(_mt.isnan(input), _mt.zeros((), dtype=input.dtype), input), dim,
               keepdim, dtype=dtype)


def _need_float(name, input, dtype):
    if dtype is not None:
        return _mt.astype(input, _as_dtype(dtype))
    if _category(input.dtype) < 2:
        raise RuntimeError(f"{name}(): could not infer output dtype. Input dtype must be "
                           f"either a floating point or complex dtype. Got: {input.dtype}")
    return input


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """The mean over ``dim`` (all elements by default); floating inputs only (or
    ``dtype=``).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.mean(torch.tensor([[1.0, 2.0], [3.0, 4.0]]), dim=0, keepdim=True)
    Tensor([[2., 3.]], dtype=float32)
    """
    _no_out(out, "mean")
    return _mt.mean(_need_float("mean", input, dtype), axis=_dim(dim), keepdims=keepdim)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean ignoring NaN.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.nanmean(torch.tensor([1.0, float("nan"), 3.0]))
    Tensor(2., dtype=float32)
    """
    x = _need_float("nanmean", input, dtype)
    ok = ~_mt.isnan(x)
    total = _mt.sum(_mt.where(ok, x, _mt.zeros((), dtype=x.dtype)), axis=_dim(dim),
                    keepdims=keepdim)
    return total / _mt.astype(_mt.sum(_mt.astype(ok, int64), axis=_dim(dim), keepdims=keepdim),
                              x.dtype)


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


def _std_var(name, input, dim, unbiased, keepdim, correction):
    if isinstance(dim, builtins.bool):  # std(x, False): the old unbiased argument
        dim, unbiased = None, dim
    x = _need_float(name, input, None)
    return getattr(_mt, name)(x, axis=_dim(dim), correction=_correction(unbiased, correction),
                              keepdims=keepdim)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """The standard deviation over ``dim``, with Bessel's correction by default
    (``correction=1``; ``unbiased=False`` or ``correction=0`` for the population one).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.std(torch.tensor([1.0, 2.0, 3.0, 4.0]))
    Tensor(1.2909944, dtype=float32)
    """
    _no_out(out, "std")
    return _std_var("std", input, dim, unbiased, keepdim, correction)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """The variance over ``dim``, with Bessel's correction by default.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.var(torch.tensor([1.0, 2.0, 3.0, 4.0]), correction=0)
    Tensor(1.25, dtype=float32)
    """
    _no_out(out, "var")
    return _std_var("var", input, dim, unbiased, keepdim, correction)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> s, m = torch.std_mean(torch.tensor([1.0, 3.0]))
    >>> float(m)
    2.0
    """
    return (std(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim, keepdim))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> v, m = torch.var_mean(torch.tensor([1.0, 3.0]))
    >>> float(v), float(m)
    (2.0, 2.0)
    """
    return (var(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim, keepdim))


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """The product over ``dim`` (all elements by default); integers give int64.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.prod(torch.tensor([[1, 2], [3, 4]]), 1)
    Tensor([ 2, 12], dtype=int64)
    """
    return _mt.prod(input, axis=_dim(dim), keepdims=keepdim,
                    dtype=_int_sum_dtype(input, dtype))


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """A vector or matrix norm (``p`` a number, ``"fro"`` or ``"nuc"``; the 2-norm of
    all elements by default).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.norm(torch.tensor([3.0, 4.0]))
    Tensor(5., dtype=float32)
    >>> torch.norm(torch.tensor([[1.0, -2.0]]), p=1, dim=1)
    Tensor([3.], dtype=float32)
    """
    _no_out(out, "norm")
    x = input if dtype is None else _mt.astype(input, _as_dtype(dtype))
    x = _need_float("norm", x, None)
    d = _dim(dim)
    if p == "nuc":
        if d is None:
            d = (-2, -1)
        x = _mt.moveaxis(x, d, (-2, -1))
        r = _mt.linalg.matrix_norm(x, ord="nuc", keepdims=keepdim)
        return _mt.moveaxis(r, (-2, -1), d) if keepdim else r
    if p == "fro" or p is None:
        p = 2
    return _mt.linalg.vector_norm(x, axis=d, keepdims=keepdim, ord=p)


def logsumexp(input, dim, keepdim=False, *, out=None):
    """``log(sum(exp(input), dim))``, computed without overflow.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.logsumexp(torch.tensor([1000.0, 1000.0]), dim=0) - 1000
    Tensor(0.69317627, dtype=float32)
    """
    _no_out(out, "logsumexp")
    x = _float(input)
    d = _dim(dim)
    m = _mt.max(x.detach(), axis=d, keepdims=True) if x.size else _mt.zeros_like(
        _mt.sum(x.detach(), axis=d, keepdims=True))
    m = _mt.where(_mt.isfinite(m), m, _mt.zeros((), dtype=m.dtype))
    r = _mt.log(_mt.sum(_mt.exp(x - m), axis=d, keepdims=True)) + m
    return r if keepdim else _mt.squeeze(r, axis=d if d is not None else tuple(range(x.ndim)))


def cumsum(input, dim, *, dtype=None, out=None):
    """Cumulative sums along ``dim`` (integers and bools give int64).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.cumsum(torch.tensor([1, 2, 3]), dim=0)
    Tensor([1, 3, 6], dtype=int64)
    """
    _no_out(out, "cumsum")
    x = input if input.ndim else _mt.reshape(input, (1,))
    r = _mt.cumulative_sum(x, axis=dim if input.ndim else 0,
                           dtype=_int_sum_dtype(input, dtype))
    return r if input.ndim else _mt.reshape(r, ())


def cumprod(input, dim, *, dtype=None, out=None):
    """Cumulative products along ``dim`` (integers and bools give int64).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.cumprod(torch.tensor([1.0, 2.0, 3.0]), dim=0)
    Tensor([1., 2., 6.], dtype=float32)
    """
    _no_out(out, "cumprod")
    x = input if input.ndim else _mt.reshape(input, (1,))
    r = _mt.cumulative_prod(x, axis=dim if input.ndim else 0,
                            dtype=_int_sum_dtype(input, dtype))
    return r if input.ndim else _mt.reshape(r, ())


_cummax = collections.namedtuple("cummax", ["values", "indices"])
_cummin = collections.namedtuple("cummin", ["values", "indices"])


def _cum_extreme(name, input, dim):
    a = np.moveaxis(input.detach()._array, dim, -1)
    acc = (np.maximum if name == "cummax" else np.minimum).accumulate(a, axis=-1)
    hit = a == acc
    idx = np.where(hit, np.arange(a.shape[-1]), 0)
    idx = np.maximum.accumulate(idx, axis=-1)
    idx = _mt.asarray(np.ascontiguousarray(np.moveaxis(idx, -1, dim)).astype(np.int64))
    values = _mt.take_along_axis(input, idx, axis=dim)
    return (_cummax if name == "cummax" else _cummin)(values, idx)


def cummax(input, dim):
    """Running maxima along ``dim`` and their indices.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.cummax(torch.tensor([1, 3, 2]), 0).values
    Tensor([1, 3, 3], dtype=int64)
    """
    return _cum_extreme("cummax", input, dim)


def cummin(input, dim):
    """Running minima along ``dim`` and their indices.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.cummin(torch.tensor([3, 1, 2]), 0).indices
    Tensor([0, 1, 1], dtype=int64)
    """
    return _cum_extreme("cummin", input, dim)


_median = collections.namedtuple("median", ["values", "indices"])


def median(input, dim=None, keepdim=False):
    """The lower median (of all elements, or ``(values, indices)`` along ``dim``).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.median(torch.tensor([3.0, 1.0, 4.0, 2.0]))
    Tensor(2., dtype=float32)
    """
    if dim is None:
        flat = _mt.reshape(input, (-1,))
        idx = _mt.argsort(flat, stable=True)
        return _mt.take(flat, idx[(flat.shape[0] - 1) // 2], axis=0)
    idx = _mt.argsort(input, axis=dim, stable=True)
    k = (input.shape[dim] - 1) // 2
    pick = _mt.take(idx, _mt.asarray([k]), axis=dim)
    values = _mt.take_along_axis(input, pick, axis=dim)
    if not keepdim:
        values, pick = _mt.squeeze(values, axis=dim), _mt.squeeze(pick, axis=dim)
    return _median(values, pick)


def count_nonzero(input, dim=None):
    """The number of nonzero elements over ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.count_nonzero(torch.tensor([0, 1, 2]))
    Tensor(2, dtype=int64)
    """
    return _mt.count_nonzero(input, axis=_dim(dim))


def all(input, dim=None, keepdim=False, *, out=None):
    """True where all elements over ``dim`` are nonzero.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.all(torch.tensor([True, False]))
    Tensor(False, dtype=bool)
    """
    _no_out(out, "all")
    return _mt.all(input, axis=_dim(dim), keepdims=keepdim)


def any(input, dim=None, keepdim=False, *, out=None):
    """True where some element over ``dim`` is nonzero.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.any(torch.tensor([[0, 1], [0, 0]]), dim=1)
    Tensor([ True, False], dtype=bool)
    """
    _no_out(out, "any")
    return _mt.any(input, axis=_dim(dim), keepdims=keepdim)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.diff(torch.tensor([1, 4, 9]))
    Tensor([3, 5], dtype=int64)
    """
    return _mt.diff(input, n=n, axis=dim, prepend=prepend, append=append)


# ------------------------------------------------------------ sorting and sets
def sort(input, dim=-1, descending=False, stable=False, *, out=None):
    """``(values, indices)`` sorted along ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.sort(torch.tensor([3, 1, 2]), descending=True).values
    Tensor([3, 2, 1], dtype=int64)
    """
    _no_out(out, "sort")
    return input.sort(dim, descending, stable=stable) if stable else \
        input.sort(dim, descending)


def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort ``input`` along ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.argsort(torch.tensor([3, 1, 2]))
    Tensor([1, 2, 0], dtype=int64)
    """
    return _mt.argsort(input, axis=dim, descending=descending, stable=True)


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """The ``k`` largest (or smallest) elements along ``dim``: ``(values, indices)``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.topk(torch.tensor([1, 5, 3]), 2).values
    Tensor([5, 3], dtype=int64)
    """
    _no_out(out, "topk")
    return input.topk(k, dim, largest, sorted)


_kthvalue = collections.namedtuple("kthvalue", ["values", "indices"])


def kthvalue(input, k, dim=-1, keepdim=False):
    """The ``k``-th smallest element along ``dim`` (``k`` from 1): ``(values, indices)``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.kthvalue(torch.tensor([3, 1, 2]), 2).values
    Tensor(2, dtype=int64)
    """
    n = input.shape[dim] if input.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k={k} out of range for dimension "
                           f"of size {n}")
    idx = _mt.argsort(input, axis=dim, stable=True)
    pick = _mt.take(idx, _mt.asarray([k - 1]), axis=dim)
    values = _mt.take_along_axis(input, pick, axis=dim)
    if not keepdim:
        values, pick = _mt.squeeze(values, axis=dim), _mt.squeeze(pick, axis=dim)
    return _kthvalue(values, pick)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The sorted unique elements (of the flattened tensor, or the unique slices along
    ``dim``), with the inverse indices and counts on request.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.unique(torch.tensor([2, 1, 2]))
    Tensor([1, 2], dtype=int64)
    >>> values, counts = torch.unique(torch.tensor([2, 1, 2]), return_counts=True)
    >>> counts
    Tensor([1, 2], dtype=int64)
    """
    a = input.detach()._array
    vals, inv, counts = np.unique(a, return_inverse=True, return_counts=True, axis=dim)
    if dim is None:
        inv = inv.reshape(a.shape)
    out = [_mt.asarray(vals)]
    if return_inverse:
        out.append(_mt.asarray(inv.astype(np.int64)))
    if return_counts:
        out.append(_mt.asarray(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None, out=None):
    """The indices where ``input`` would be inserted to keep ``sorted_sequence`` sorted.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.searchsorted(torch.tensor([1, 3, 5]), torch.tensor([3, 4]))
    Tensor([1, 2], dtype=int64)
    """
    _no_out(out, "searchsorted")
    side = side if side is not None else ("right" if right else "left")
    if not isinstance(input, Tensor):
        input = _mt.asarray(input, dtype=sorted_sequence.dtype)
    if sorted_sequence.ndim == 1:
        r = _mt.searchsorted(sorted_sequence, input, side=side, sorter=sorter)
    else:  # a batch of sorted rows
        s = sorted_sequence._array.reshape(-1, sorted_sequence.shape[-1])
        v = input._array.reshape(-1, input.shape[-1])
        r = _mt.asarray(np.stack([np.searchsorted(a, b, side=side) for a, b in zip(s, v)])
                        .reshape(input.shape).astype(np.int64))
    return _mt.astype(r, _mt.int32) if out_int32 else r


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket of each element of ``input`` given sorted 1-D ``boundaries``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.bucketize(torch.tensor([1, 4, 9]), torch.tensor([2, 5]))
    Tensor([0, 1, 2], dtype=int64)
    """
    _no_out(out, "bucketize")
    r = _mt.searchsorted(boundaries, input, side="right" if right else "left")
    return _mt.astype(r, _mt.int32) if out_int32 else r


# ----------------------------------------------------------------- comparison
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True if ``|input - other| <= atol + rtol * |other|`` everywhere.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.allclose(torch.tensor([1.0]), torch.tensor([1.0 + 1e-7]))
    True
    """
    return builtins.bool(np.allclose(np.asarray(input._array), np.asarray(_tensor(other)._array),
                                     rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise ``|input - other| <= atol + rtol * |other|`` (a bool tensor).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.isclose(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.1]))
    Tensor([ True, False], dtype=bool)
    """
    return _mt.asarray(np.isclose(input.detach()._array, _tensor(other).detach()._array,
                                  rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input, other):
    """True if the tensors have the same shape and elements.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.equal(torch.tensor([1, 2]), torch.tensor([1, 2]))
    True
    """
    return input.shape == other.shape and builtins.bool(np.array_equal(input._array,
                                                                       other._array))


def _compare(fn):
    def f(input, other, *, out=None):
        _no_out(out, f.__name__)
        a, b = _promote(input, other)
        return fn(a, b)
    return f


def _named(f, name, doc):
    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f


def _cmp_doc(name, op, example):
    return f"""Elementwise ``input {op} other`` (a bool tensor; ``other`` may be a number).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.{name}(torch.tensor([1, 2, 3]), 2)
    {example}
    """


eq = _named(_compare(lambda a, b: _mt.equal(a, b)), "eq",
            _cmp_doc("eq", "==", "Tensor([False,  True, False], dtype=bool)"))
ne = _named(_compare(lambda a, b: _mt.not_equal(a, b)), "ne",
            _cmp_doc("ne", "!=", "Tensor([ True, False,  True], dtype=bool)"))
lt = _named(_compare(lambda a, b: _mt.less(a, b)), "lt",
            _cmp_doc("lt", "<", "Tensor([ True, False, False], dtype=bool)"))
le = _named(_compare(lambda a, b: _mt.less_equal(a, b)), "le",
            _cmp_doc("le", "<=", "Tensor([ True,  True, False], dtype=bool)"))
gt = _named(_compare(lambda a, b: _mt.greater(a, b)), "gt",
            _cmp_doc("gt", ">", "Tensor([False, False,  True], dtype=bool)"))
ge = _named(_compare(lambda a, b: _mt.greater_equal(a, b)), "ge",
            _cmp_doc("ge", ">=", "Tensor([False,  True,  True], dtype=bool)"))
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def maximum(input, other, *, out=None):
    """The elementwise maximum (NaN propagates).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.maximum(torch.tensor([1.0, 4.0]), torch.tensor([3.0, 2.0]))
    Tensor([3., 4.], dtype=float32)
    """
    _no_out(out, "maximum")
    return _mt.maximum(*_promote(input, other))


def minimum(input, other, *, out=None):
    """The elementwise minimum (NaN propagates).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.minimum(torch.tensor([1.0, 4.0]), torch.tensor([3.0, 2.0]))
    Tensor([1., 2.], dtype=float32)
    """
    _no_out(out, "minimum")
    return _mt.minimum(*_promote(input, other))


def fmax(input, other, *, out=None):
    """The elementwise maximum, ignoring NaN.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.fmax(torch.tensor([float("nan"), 1.0]), torch.tensor([2.0, 0.0]))
    Tensor([2., 1.], dtype=float32)
    """
    _no_out(out, "fmax")
    a, b = _promote(input, other)
    return _mt.where(_mt.isnan(a), b, _mt.where(_mt.isnan(b), a, _mt.maximum(a, b)))


def fmin(input, other, *, out=None):
    """The elementwise minimum, ignoring NaN.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.fmin(torch.tensor([float("nan"), 1.0]), torch.tensor([2.0, 0.0]))
    Tensor([2., 0.], dtype=float32)
    """
    _no_out(out, "fmin")
    a, b = _promote(input, other)
    return _mt.where(_mt.isnan(a), b, _mt.where(_mt.isnan(b), a, _mt.minimum(a, b)))


def clamp(input, min=None, max=None, *, out=None):
    """Limit the values to ``[min, max]`` (numbers or tensors; either may be None).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.clamp(torch.tensor([-2.0, 0.5, 3.0]), min=0.0, max=1.0)
    Tensor([0. , 0.5, 1. ], dtype=float32)
    """
    _no_out(out, "clamp")
    if min is None and max is None:
        raise RuntimeError("clamp(): at least one of 'min' or 'max' must not be None")
    x = input
    if isinstance(min, builtins.float) or isinstance(max, builtins.float):
        x = _float(x)
    return x.clamp(min, max)


clip = clamp


def _unary(fn, name, doc, floating=False):
    def f(input, *, out=None):
        _no_out(out, name)
        return fn(_float(input) if floating else input)
    return _named(f, name, doc)


def _udoc(name, summary, arg, result):
    return f"""{summary}

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.{name}(torch.tensor({arg}))
    {result}
    """


isnan = _unary(_mt.isnan, "isnan", _udoc(
    "isnan", "True where the element is NaN.", "[1.0, float('nan')]",
    "Tensor([False,  True], dtype=bool)"))
isinf = _unary(_mt.isinf, "isinf", _udoc(
    "isinf", "True where the element is infinite.", "[1.0, float('inf')]",
    "Tensor([False,  True], dtype=bool)"))
isfinite = _unary(_mt.isfinite, "isfinite", _udoc(
    "isfinite", "True where the element is finite.", "[1.0, float('inf')]",
    "Tensor([ True, False], dtype=bool)"))
isposinf = _unary(lambda x: _mt.isinf(x) & (x > 0), "isposinf", _udoc(
    "isposinf", "True where the element is +inf.", "[-float('inf'), float('inf')]",
    "Tensor([False,  True], dtype=bool)"))
isneginf = _unary(lambda x: _mt.isinf(x) & (x < 0), "isneginf", _udoc(
    "isneginf", "True where the element is -inf.", "[-float('inf'), float('inf')]",
    "Tensor([ True, False], dtype=bool)"))
isreal = _unary(lambda x: _mt.imag(x) == 0 if x.dtype in _complex_floating_dtypes
                else _mt.ones(x.shape, dtype=_mt.bool), "isreal", _udoc(
    "isreal", "True where the imaginary part is zero.", "[1.0, 2.0]",
    "Tensor([ True,  True], dtype=bool)"))
logical_not = _unary(_mt.logical_not, "logical_not", _udoc(
    "logical_not", "Elementwise logical NOT.", "[True, False]",
    "Tensor([False,  True], dtype=bool)"))


def _binary(fn, name, doc):
    def f(input, other, *, out=None):
        _no_out(out, name)
        return fn(*_promote(input, other))
    return _named(f, name, doc)


def _bdoc(name, summary, a, b, result):
    return f"""{summary}

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.{name}(torch.tensor({a}), torch.tensor({b}))
    {result}
    """


logical_and = _binary(lambda a, b: _mt.logical_and(_mt.astype(a, _mt.bool),
                                                   _mt.astype(b, _mt.bool)),
                      "logical_and", _bdoc("logical_and", "Elementwise logical AND.",
                                           "[True, False]", "[True, True]",
                                           "Tensor([ True, False], dtype=bool)"))
logical_or = _binary(lambda a, b: _mt.logical_or(_mt.astype(a, _mt.bool),
                                                 _mt.astype(b, _mt.bool)),
                     "logical_or", _bdoc("logical_or", "Elementwise logical OR.",
                                         "[True, False]", "[False, False]",
                                         "Tensor([ True, False], dtype=bool)"))
logical_xor = _binary(lambda a, b: _mt.logical_xor(_mt.astype(a, _mt.bool),
                                                   _mt.astype(b, _mt.bool)),
                      "logical_xor", _bdoc("logical_xor", "Elementwise logical XOR.",
                                           "[True, False]", "[True, True]",
                                           "Tensor([False,  True], dtype=bool)"))

# ---------------------------------------------------------------- elementwise
abs = _unary(_mt.abs, "abs", _udoc("abs", "The absolute value.", "[-1.5, 2.0]",
                                    "Tensor([1.5, 2. ], dtype=float32)"))
absolute = abs
neg = _unary(_mt.negative, "neg", _udoc("neg", "The negation.", "[1, -2]",
                                         "Tensor([-1,  2], dtype=int64)"))
negative = neg
exp = _unary(_mt.exp, "exp", _udoc("exp", "The exponential (integers: the default float "
                                          "dtype).", "[0.0]",
                                    "Tensor([1.], dtype=float32)"), floating=True)
exp2 = _unary(lambda x: _mt.pow(_mt.asarray(2.0, dtype=x.dtype), x), "exp2", _udoc(
    "exp2", "``2 ** input``.", "[3.0]", "Tensor([8.], dtype=float32)"), floating=True)
expm1 = _unary(_mt.expm1, "expm1", _udoc("expm1", "``exp(input) - 1``, accurate near 0.",
                                          "[0.0]", "Tensor([0.], dtype=float32)"),
               floating=True)
log = _unary(_mt.log, "log", _udoc("log", "The natural logarithm.", "[1.0]",
                                    "Tensor([0.], dtype=float32)"), floating=True)
log2 = _unary(_mt.log2, "log2", _udoc("log2", "The base-2 logarithm.", "[8.0]",
                                       "Tensor([3.], dtype=float32)"), floating=True)
log10 = _unary(_mt.log10, "log10", _udoc("log10", "The base-10 logarithm.", "[1.0]",
                                          "Tensor([0.], dtype=float32)"), floating=True)
log1p = _unary(_mt.log1p, "log1p", _udoc("log1p", "``log(1 + input)``, accurate near 0.",
                                          "[0.0]", "Tensor([0.], dtype=float32)"),
               floating=True)
sqrt = _unary(_mt.sqrt, "sqrt", _udoc("sqrt", "The square root.", "[4.0]",
                                       "Tensor([2.], dtype=float32)"), floating=True)
rsqrt = _unary(lambda x: 1 / _mt.sqrt(x), "rsqrt", _udoc(
    "rsqrt", "``1 / sqrt(input)``.", "[4.0]", "Tensor([0.5], dtype=float32)"), floating=True)
square = _unary(_mt.square, "square", _udoc("square", "``input * input``.", "[3]",
                                             "Tensor([9], dtype=int64)"))
sin = _unary(_mt.sin, "sin", _udoc("sin", "The sine.", "[0.0]",
                                    "Tensor([0.], dtype=float32)"), floating=True)
cos = _unary(_mt.cos, "cos", _udoc("cos", "The cosine.", "[0.0]",
                                    "Tensor([1.], dtype=float32)"), floating=True)
tan = _unary(_mt.tan, "tan", _udoc("tan", "The tangent.", "[0.0]",
                                    "Tensor([0.], dtype=float32)"), floating=True)
asin = arcsin = _unary(_mt.asin, "asin", _udoc("asin", "The inverse sine.", "[0.0]",
                                                "Tensor([0.], dtype=float32)"), floating=True)
acos = arccos = _unary(_mt.acos, "acos", _udoc("acos", "The inverse cosine.", "[1.0]",
                                                "Tensor([0.], dtype=float32)"), floating=True)
atan = arctan = _unary(_mt.atan, "atan", _udoc("atan", "The inverse tangent.", "[0.0]",
                                                "Tensor([0.], dtype=float32)"), floating=True)
sinh = _unary(_mt.sinh, "sinh", _udoc("sinh", "The hyperbolic sine.", "[0.0]",
                                       "Tensor([0.], dtype=float32)"), floating=True)
cosh = _unary(_mt.cosh, "cosh", _udoc("cosh", "The hyperbolic cosine.", "[0.0]",
                                       "Tensor([1.], dtype=float32)"), floating=True)
tanh = _unary(_mt.tanh, "tanh", _udoc("tanh", "The hyperbolic tangent.", "[0.0]",
                                       "Tensor([0.], dtype=float32)"), floating=True)
asinh = _unary(_mt.asinh, "asinh", _udoc("asinh", "The inverse hyperbolic sine.", "[0.0]",
                                          "Tensor([0.], dtype=float32)"), floating=True)
acosh = _unary(_mt.acosh, "acosh", _udoc("acosh", "The inverse hyperbolic cosine.", "[1.0]",
                                          "Tensor([0.], dtype=float32)"), floating=True)
atanh = _unary(_mt.atanh, "atanh", _udoc("atanh", "The inverse hyperbolic tangent.", "[0.0]",
                                          "Tensor([0.], dtype=float32)"), floating=True)
sign = _unary(_mt.sign, "sign", _udoc("sign", "-1, 0 or 1 by the sign of the element.",
                                       "[-2.0, 0.0, 3.0]",
                                       "Tensor([-1.,  0.,  1.], dtype=float32)"))
sgn = sign
signbit = _unary(_mt.signbit, "signbit", _udoc("signbit", "True where the sign bit is set.",
                                                "[-1.0, 1.0]",
                                                "Tensor([ True, False], dtype=bool)"))
floor = _unary(_mt.floor, "floor", _udoc("floor", "Round down.", "[1.5, -1.5]",
                                          "Tensor([ 1., -2.], dtype=float32)"))
ceil = _unary(_mt.ceil, "ceil", _udoc("ceil", "Round up.", "[1.5, -1.5]",
                                       "Tensor([ 2., -1.], dtype=float32)"))
trunc = fix = _unary(_mt.trunc, "trunc", _udoc("trunc", "Round toward zero.", "[1.5, -1.5]",
                                                "Tensor([ 1., -1.], dtype=float32)"))
frac = _unary(lambda x: x - _mt.trunc(x), "frac", _udoc(
    "frac", "The fractional part, ``input - trunc(input)``.", "[1.25, -1.5]",
    "Tensor([ 0.25, -0.5 ], dtype=float32)"))
reciprocal = _unary(_mt.reciprocal, "reciprocal", _udoc(
    "reciprocal", "``1 / input`` (integers: the default float dtype).", "[2]",
    "Tensor([0.5], dtype=float32)"), floating=True)
real = _unary(_mt.real, "real", _udoc("real", "The real part.", "[1.0]",
                                       "Tensor([1.], dtype=float32)"))
imag = _unary(_mt.imag, "imag", _udoc("imag", "The imaginary part.", "[1 + 2j]",
                                       "Tensor([2.], dtype=float32)"))
conj = _unary(_mt.conj, "conj", _udoc("conj", "The complex conjugate.", "[1 + 2j]",
                                       "Tensor([1.-2.j], dtype=complex64)"))
angle = _unary(lambda x: _mt.atan2(_mt.imag(x), _mt.real(x)) if x.dtype in
               _complex_floating_dtypes else _mt.where(x < 0, _mt.asarray(math.pi, dtype=x.dtype),
                                                       _mt.zeros((), dtype=x.dtype)),
               "angle", _udoc("angle", "The argument of complex numbers (``pi`` for negative "
                                       "reals, else 0).", "[-1.0, 1.0]",
                              "Tensor([3.1415927, 0.       ], dtype=float32)"), floating=True)
bitwise_not = _unary(_mt.bitwise_invert, "bitwise_not", _udoc(
    "bitwise_not", "Bitwise NOT (logical NOT for bools).", "[0, 1]",
    "Tensor([-1, -2], dtype=int64)"))


def _sigmoid(x):
    from ..nn import functional as F
    return F.sigmoid(x)


def _relu(x):
    from ..nn import functional as F
    return F.relu(x)


sigmoid = _unary(_sigmoid, "sigmoid", _udoc("sigmoid", "The logistic function "
                                                       "``1 / (1 + exp(-input))``.", "[0.0]",
                                            "Tensor([0.5], dtype=float32)"), floating=True)
relu = _unary(_relu, "relu", _udoc("relu", "``max(input, 0)``.", "[-1.0, 2.0]",
                                   "Tensor([0., 2.], dtype=float32)"))


def softmax(input, dim, dtype=None):
    """Softmax along ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.softmax(torch.tensor([0.0, 0.0]), dim=0)
    Tensor([0.5, 0.5], dtype=float32)
    """
    from ..nn import functional as F
    return F.softmax(input, dim=dim, dtype=dtype)


def log_softmax(input, dim, dtype=None):
    """Log-softmax along ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.log_softmax(torch.tensor([0.0, 0.0]), dim=0)
    Tensor([-0.6931472, -0.6931472], dtype=float32)
    """
    from ..nn import functional as F
    return F.log_softmax(input, dim=dim, dtype=dtype)


def round(input, *, decimals=0, out=None):
    """Round half to even (to ``decimals`` decimal places).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.round(torch.tensor([0.5, 1.5, 2.567]))
    Tensor([0., 2., 3.], dtype=float32)
    >>> torch.round(torch.tensor([2.567]), decimals=2)
    Tensor([2.57], dtype=float32)
    """
    _no_out(out, "round")
    if decimals == 0:
        return _mt.round(input)
    scale = 10.0 ** decimals
    return _mt.round(input * scale) / scale


def pow(input, exponent, *, out=None):
    """``input ** exponent`` (either may be a number).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.pow(torch.tensor([2.0, 3.0]), 2)
    Tensor([4., 9.], dtype=float32)
    >>> torch.pow(2, torch.tensor([1, 2]))
    Tensor([2, 4], dtype=int64)
    """
    _no_out(out, "pow")
    a, b = _promote(input, exponent)
    return _mt.pow(a, b)


def float_power(input, exponent, *, out=None):
    """``input ** exponent`` in float64 (complex128 for complex inputs).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.float_power(torch.tensor([2]), 2)
    Tensor([4.], dtype=float64)
    """
    _no_out(out, "float_power")

    def up(v):
        if isinstance(v, Tensor):
            return _mt.astype(v, _mt.complex128 if v.dtype in _complex_floating_dtypes
                              else _mt.float64)
        return v
    return _mt.pow(up(_tensor(input)), up(exponent))


def _scaled(other, alpha):
    if alpha == 1:
        return other
    return other * alpha


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.add(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0]), alpha=10)
    Tensor([11., 12.], dtype=float32)
    """
    _no_out(out, "add")
    a, b = _promote(input, other)
    return _mt.add(a, _scaled(b, alpha))


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.sub(torch.tensor([5, 6]), 1, alpha=2)
    Tensor([3, 4], dtype=int64)
    """
    _no_out(out, "sub")
    a, b = _promote(input, other)
    if isinstance(a, Tensor) and a.dtype == _mt.bool:
        raise RuntimeError("sub(): subtraction of bool tensors is not supported; use "
                           "logical_xor or ~")
    return _mt.subtract(a, _scaled(b, alpha))


subtract = sub


def mul(input, other, *, out=None):
    """``input * other``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.mul(torch.tensor([1, 2]), 1.5)
    Tensor([1.5, 3. ], dtype=float32)
    """
    _no_out(out, "mul")
    return _mt.multiply(*_promote(input, other))


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    """``input / other``: true division (integers give the default float dtype), or
    rounded with ``rounding_mode="trunc"`` / ``"floor"`` (integers stay integers).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.div(torch.tensor([7, -7]), 2)
    Tensor([ 3.5, -3.5], dtype=float32)
    >>> torch.div(torch.tensor([7, -7]), 2, rounding_mode="trunc")
    Tensor([ 3, -3], dtype=int64)
    >>> torch.div(torch.tensor([7, -7]), 2, rounding_mode="floor")
    Tensor([ 3, -4], dtype=int64)
    """
    _no_out(out, "div")
    a, b = _promote(input, other)
    dt = a.dtype if isinstance(a, Tensor) else b.dtype
    if rounding_mode is None:
        if _category(dt) < 2:
            a = _cast(_tensor(a), _dtypes._default[0])
            b = _cast(b, _dtypes._default[0]) if isinstance(b, Tensor) else b
        return _mt.divide(a, b)
    if rounding_mode == "floor":
        if _category(dt) < 2:
            return _mt.floor_divide(a, b)
        return _mt.floor(_mt.divide(a, b))
    if rounding_mode == "trunc":
        if _category(dt) < 2:
            q = _mt.floor_divide(a, b)
            # floor differs from trunc where the signs differ and the division is inexact
            fix = (_mt.remainder(a, b) != 0) & ((_tensor(a) < 0) != (_tensor(b) < 0))
            return _mt.where(fix, q + 1, q)
        return _mt.trunc(_mt.divide(a, b))
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                       f"but found {rounding_mode!r}")


divide = div


def true_divide(dividend, divisor, *, out=None):
    """``dividend / divisor`` (true division).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.true_divide(torch.tensor([1]), 4)
    Tensor([0.25], dtype=float32)
    """
    return div(dividend, divisor, out=out)


def floor_divide(input, other, *, out=None):
    """``floor(input / other)``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.floor_divide(torch.tensor([7, -7]), 2)
    Tensor([ 3, -4], dtype=int64)
    """
    return div(input, other, rounding_mode="floor", out=out)


def remainder(input, other, *, out=None):
    """The remainder with the sign of ``other`` (Python's ``%``).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.remainder(torch.tensor([-3, 3]), 2)
    Tensor([1, 1], dtype=int64)
    """
    _no_out(out, "remainder")
    return _mt.remainder(*_promote(input, other))


def fmod(input, other, *, out=None):
    """The remainder with the sign of ``input`` (C's ``fmod``).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.fmod(torch.tensor([-3, 3]), 2)
    Tensor([-1,  1], dtype=int64)
    """
    _no_out(out, "fmod")
    a, b = _promote(input, other)
    r = _mt.remainder(a, b)
    fix = (r != 0) & ((_tensor(a) < 0) != (_tensor(b) < 0))
    return _mt.where(fix, r - b, r)


def lerp(input, end, weight, *, out=None):
    """``input + weight * (end - input)``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.lerp(torch.tensor([0.0]), torch.tensor([10.0]), 0.3)
    Tensor([3.], dtype=float32)
    """
    _no_out(out, "lerp")
    return input + weight * (end - input)


hypot = _binary(_mt.hypot, "hypot", _bdoc("hypot", "``sqrt(input**2 + other**2)``.",
                                          "[3.0]", "[4.0]", "Tensor([5.], dtype=float32)"))
atan2 = arctan2 = _binary(_mt.atan2, "atan2", _bdoc(
    "atan2", "The angle of the point ``(other, input)``.", "[1.0]", "[1.0]",
    "Tensor([0.7853981], dtype=float32)"))
logaddexp = _binary(_mt.logaddexp, "logaddexp", _bdoc(
    "logaddexp", "``log(exp(input) + exp(other))`` without overflow.", "[0.0]", "[0.0]",
    "Tensor([0.6931472], dtype=float32)"))
copysign = _binary(_mt.copysign, "copysign", _bdoc(
    "copysign", "``|input|`` with the sign of ``other``.", "[2.0]", "[-1.0]",
    "Tensor([-2.], dtype=float32)"))
bitwise_and = _binary(_mt.bitwise_and, "bitwise_and", _bdoc(
    "bitwise_and", "Bitwise AND.", "[12]", "[10]", "Tensor([8], dtype=int64)"))
bitwise_or = _binary(_mt.bitwise_or, "bitwise_or", _bdoc(
    "bitwise_or", "Bitwise OR.", "[12]", "[10]", "Tensor([14], dtype=int64)"))
bitwise_xor = _binary(_mt.bitwise_xor, "bitwise_xor", _bdoc(
    "bitwise_xor", "Bitwise XOR.", "[12]", "[10]", "Tensor([6], dtype=int64)"))


def xlogy(input, other, *, out=None):
    """``input * log(other)``, 0 where ``input`` is 0.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.xlogy(torch.tensor([0.0, 2.0]), torch.tensor([0.0, 1.0]))
    Tensor([0., 0.], dtype=float32)
    """
    _no_out(out, "xlogy")
    a, b = _promote(_float(_tensor(input)), other)
    zero = _mt.zeros((), dtype=a.dtype)
    safe = _mt.where(a == 0, _mt.ones((), dtype=a.dtype), b)
    return _mt.where(a == 0, zero, a * _mt.log(safe))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """NaN, +inf and -inf replaced (by 0 and the dtype's largest/smallest finite value by
    default).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.nan_to_num(torch.tensor([float("nan"), 1.0]))
    Tensor([0., 1.], dtype=float32)
    """
    _no_out(out, "nan_to_num")
    if _category(input.dtype) < 2:
        return input
    fi = _mt.finfo(input.dtype)
    posinf = fi.max if posinf is None else posinf
    neginf = fi.min if neginf is None else neginf
    x = _mt.where(_mt.isnan(input), _mt.asarray(nan, dtype=input.dtype), input)
    x = _mt.where(_mt.isinf(x) & (x > 0), _mt.asarray(posinf, dtype=input.dtype), x)
    return _mt.where(_mt.isinf(x) & (x < 0), _mt.asarray(neginf, dtype=input.dtype), x)


def erf(input, *, out=None):
    """The error function (differentiable: ``2/sqrt(pi) exp(-x**2)``).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.erf(torch.tensor([0.0, 10.0]))
    Tensor([0., 1.], dtype=float32)
    """
    _no_out(out, "erf")
    return _special_functions.erf(_float(input))


def erfc(input, *, out=None):
    """``1 - erf(input)``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.erfc(torch.tensor([0.0]))
    Tensor([1.], dtype=float32)
    """
    _no_out(out, "erfc")
    return _special_functions.erfc(_float(input))


def lgamma(input, *, out=None):
    """``log(abs(gamma(input)))`` (differentiable: the derivative is ``digamma``).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.lgamma(torch.tensor([1.0, 0.5]))
    Tensor([0.       , 0.5723649], dtype=float32)
    """
    _no_out(out, "lgamma")
    return _special_functions.gammaln(_float(input))


def digamma(input, *, out=None):
    """The digamma function, the derivative of ``lgamma``.

    # Note: NaN at the poles -1, -2, ... (SciPy's value; PyTorch gives -inf at 0
    # and NaN there too) and -inf at +0, inf at -0, as PyTorch.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.digamma(torch.tensor([1.0]))
    Tensor([-0.5772157], dtype=float32)
    """
    _no_out(out, "digamma")
    return _special_functions.digamma(_float(input))


def polygamma(n, input, *, out=None):
    """The ``n``-th derivative of ``digamma`` (``n >= 0``).

    # Note: at the poles 0, -1, -2, ... the value is (-1)**(n + 1) * inf (SciPy's),
    # where PyTorch's trigamma gives large finite numbers at the negative ones.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.polygamma(1, torch.tensor([1.0]))
    Tensor([1.644934], dtype=float32)
    """
    _no_out(out, "polygamma")
    return _special_functions.polygamma(n, _float(input))


# ------------------------------------------------------------- linear algebra
def matmul(input, other, *, out=None):
    """The matrix product (NumPy's ``matmul`` broadcasting; 1-D operands are vectors).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.matmul(torch.ones(2, 3), torch.ones(3)).shape
    (2,)
    """
    _no_out(out, "matmul")
    return _mt.matmul(*_promote(input, other))


def mm(input, mat2, *, out=None):
    """The product of two matrices (2-D only).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.mm(torch.ones(2, 3), torch.ones(3, 4)).shape
    (2, 4)
    """
    _no_out(out, "mm")
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"mm(): self must be a matrix (got {input.ndim}-D and "
                           f"{mat2.ndim}-D)")
    if input.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mm(): mat1 and mat2 shapes cannot be multiplied "
                           f"({input.shape[0]}x{input.shape[1]} and "
                           f"{mat2.shape[0]}x{mat2.shape[1]})")
    return _mt.matmul(input, mat2)


def bmm(input, mat2, *, out=None):
    """Batched matrix products of two 3-D tensors ``(b, n, m) @ (b, m, p)``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.bmm(torch.ones(5, 2, 3), torch.ones(5, 3, 4)).shape
    (5, 2, 4)
    """
    _no_out(out, "bmm")
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(f"bmm(): batch1 and batch2 must be 3-D tensors (got "
                           f"{input.ndim}-D and {mat2.ndim}-D)")
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(f"bmm(): shapes {input.shape} and {mat2.shape} cannot be "
                           f"multiplied")
    return _mt.matmul(input, mat2)


def mv(input, vec, *, out=None):
    """The product of a matrix and a vector.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.mv(torch.ones(2, 3), torch.ones(3))
    Tensor([3., 3.], dtype=float32)
    """
    _no_out(out, "mv")
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError("mv(): expects a 2-D matrix and a 1-D vector")
    return _mt.matmul(input, vec)


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat1 @ mat2)``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.addmm(torch.ones(2), torch.ones(2, 3), torch.ones(3, 2))
    Tensor([[4., 4.],
            [4., 4.]], dtype=float32)
    """
    _no_out(out, "addmm")
    prod_ = mm(mat1, mat2)
    if alpha != 1:
        prod_ = prod_ * alpha
    if beta == 0:
        return prod_
    return (input if beta == 1 else input * beta) + prod_


def outer(input, vec2, *, out=None):
    """The outer product of two vectors.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.outer(torch.tensor([1, 2]), torch.tensor([1, 10]))
    Tensor([[ 1, 10],
            [ 2, 20]], dtype=int64)
    """
    _no_out(out, "outer")
    return _mt.linalg.outer(*_promote(input, vec2))


ger = outer


def dot(input, tensor, *, out=None):
    """The inner product of two 1-D tensors (no conjugation).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.dot(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))
    Tensor(11., dtype=float32)
    """
    _no_out(out, "dot")
    return input.dot(tensor)


def vdot(input, other, *, out=None):
    """The inner product of two 1-D tensors, conjugating the first.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.vdot(torch.tensor([1j]), torch.tensor([1j]))
    Tensor(1.+0.j, dtype=complex64)
    """
    _no_out(out, "vdot")
    return _mt.matmul(_mt.conj(input), other)


def inner(input, other, *, out=None):
    """The inner product over the last dimension of both tensors.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.inner(torch.ones(2, 3), torch.ones(4, 3)).shape
    (2, 4)
    """
    _no_out(out, "inner")
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    return _mt.tensordot(input, other, axes=([-1], [-1]))


def tensordot(a, b, dims=2, out=None):
    """Sum products over the last ``dims`` dimensions of ``a`` and the first of ``b``
    (or over the listed dimensions).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.tensordot(torch.ones(2, 3), torch.ones(3, 4), dims=1).shape
    (2, 4)
    """
    _no_out(out, "tensordot")
    if isinstance(dims, (list, tuple)) and len(dims) == 2:
        dims = (tuple(dims[0]) if isinstance(dims[0], (list, tuple)) else (dims[0],),
                tuple(dims[1]) if isinstance(dims[1], (list, tuple)) else (dims[1],))
    return _mt.tensordot(a, b, axes=dims)


def kron(input, other, *, out=None):
    """The Kronecker product.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.kron(torch.eye(2), torch.ones(2, 2)).shape
    (4, 4)
    """
    _no_out(out, "kron")
    a, b = _promote(input, other)
    nd = builtins.max(a.ndim, b.ndim)
    a = _mt.reshape(a, (1,) * (nd - a.ndim) + a.shape)
    b = _mt.reshape(b, (1,) * (nd - b.ndim) + b.shape)
    ea = _mt.reshape(a, tuple(s for d in a.shape for s in (d, 1)))
    eb = _mt.reshape(b, tuple(s for d in b.shape for s in (1, d)))
    return _mt.reshape(ea * eb, tuple(x * y for x, y in zip(a.shape, b.shape)))


def trace(input):
    """The sum of the diagonal of a matrix.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.trace(torch.tensor([[1, 2], [3, 4]]))
    Tensor(5, dtype=int64)
    """
    if input.ndim != 2:
        raise RuntimeError(f"trace(): expected a matrix, got {input.ndim}-D")
    return _mt.linalg.trace(input, dtype=_int_sum_dtype(input, None))


def det(input):
    """The determinant of (a batch of) square matrices.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.det(torch.tensor([[2.0, 0.0], [0.0, 3.0]]))
    Tensor(6., dtype=float32)
    """
    return _mt.linalg.det(input)


def inverse(input, *, out=None):
    """The inverse of (a batch of) square matrices.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.inverse(torch.tensor([[2.0, 0.0], [0.0, 4.0]]))
    Tensor([[0.5 , 0.  ],
            [0.  , 0.25]], dtype=float32)
    """
    _no_out(out, "inverse")
    return _mt.linalg.inv(input)


def cross(input, other, dim=None, *, out=None):
    """The cross product of 3-vectors along ``dim`` (the first dimension of size 3 when
    omitted).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.cross(torch.tensor([1.0, 0.0, 0.0]), torch.tensor([0.0, 1.0, 0.0]), dim=0)
    Tensor([0., 0., 1.], dtype=float32)
    """
    _no_out(out, "cross")
    a, b = _promote(input, other)
    if dim is None:
        dim = next((i for i, s in enumerate(a.shape) if s == 3), -1)
    return _mt.linalg.cross(a, b, axis=dim)


def cdist(x1, x2, p=2.0, compute_mode=None):
    """Pairwise ``p``-norm distances between the rows of ``x1`` and ``x2``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.cdist(torch.tensor([[0.0, 0.0]]), torch.tensor([[3.0, 4.0]]))
    Tensor([[5.]], dtype=float32)
    """
    d = _mt.expand_dims(x1, axis=-2) - _mt.expand_dims(x2, axis=-3)
    return _mt.linalg.vector_norm(d, axis=-1, ord=p)


def einsum(equation, *operands):
    """Einstein summation: ``einsum("ij,jk->ik", a, b)``; ``...`` broadcasts, operands
    may be given as a list. Differentiable (built from namespace operations).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> a, b = torch.ones(2, 3), torch.ones(3, 4)
    >>> torch.einsum("ij,jk->ik", a, b).shape
    (2, 4)
    >>> torch.einsum("ii", torch.eye(3))
    Tensor(3., dtype=float32)
    """
    from ._einsum import einsum as _einsum
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    return _einsum(equation, *operands)


# ------------------------------------------------------------------- tensors
def numel(input):
    """The number of elements.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.numel(torch.zeros(2, 3))
    6
    """
    return input.numel()


def is_tensor(obj):
    """True if ``obj`` is a tensor.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.is_tensor(torch.zeros(1)), torch.is_tensor([0.0])
    (True, False)
    """
    return isinstance(obj, Tensor)


def is_nonzero(input):
    """The truth value of a one-element tensor.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.is_nonzero(torch.tensor([1.5]))
    True
    """
    if input.size != 1:
        raise RuntimeError("is_nonzero(): Boolean value of Tensor with "
                           + ("no values" if input.size == 0 else "more than one value")
                           + " is ambiguous")
    return builtins.bool(input._array.reshape(()))


def clone(input, *, memory_format=None):
    """A copy (recorded by autograd).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> x = torch.zeros(2)
    >>> y = torch.clone(x)
    >>> y[0] = 1.0
    >>> x
    Tensor([0., 0.], dtype=float32)
    """
    return input.clone()


def detach(input):
    """A tensor sharing memory with ``input``, outside the graph.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.detach(torch.ones(1, requires_grad=True)).requires_grad
    False
    """
    return input.detach()


del _real_floating_dtypes
