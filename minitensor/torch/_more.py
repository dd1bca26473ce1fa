"""More of PyTorch's top-level functions: fused arithmetic, splitting helpers, index
helpers, statistics, legacy tensor types and the ``F`` functions PyTorch also exposes
as ``torch.X``. Like ``_functions``, each forwards to the namespace, ``nn.functional``
or a ``Tensor`` method.
"""
import builtins
import math
import operator

import numpy as np

import minitensor as _mt
from .._array_object import Tensor
from .._dtypes import _as_dtype, int64
from . import _dtypes
from ._creation import _no_out
from ._functions import _cast, _category, _float, _promote, _tensor

__all__ = [
    "addcmul", "addcdiv", "addmv", "addr", "baddbmm", "addbmm", "chain_matmul",
    "clamp_min", "clamp_max", "rsub", "positive", "deg2rad", "rad2deg", "heaviside", "gcd",
    "lcm", "logaddexp2", "ldexp", "frexp", "nextafter", "sinc", "logit",
    "tensor_split", "hsplit", "vsplit", "dsplit", "row_stack", "unflatten", "select",
    "rot90", "diagflat", "block_diag", "cartesian_prod", "combinations", "tril_indices",
    "triu_indices", "vander", "unravel_index", "index_add", "index_copy", "index_fill",
    "isin", "bincount", "histc", "msort", "logcumsumexp", "cov", "corrcoef", "dist",
    "quantile", "nanquantile", "nanmedian", "trapezoid", "trapz", "cumulative_trapezoid",
    "logdet", "slogdet", "matrix_power", "pinverse", "unique_consecutive", "is_signed",
    "is_same_size", "result_type", "typename", "view_as_real", "view_as_complex",
    "from_dlpack", "get_default_device", "set_default_device", "is_storage", "newaxis",
    "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
    "CharTensor", "ByteTensor", "BoolTensor",
    "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "max_pool1d", "max_pool2d",
    "avg_pool1d", "adaptive_avg_pool1d", "layer_norm", "group_norm", "dropout", "selu",
    "celu", "prelu", "cosine_similarity", "pairwise_distance", "pixel_shuffle",
    "pixel_unshuffle",
]

newaxis = None


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 * tensor2``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.addcmul(torch.ones(2), torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]), value=0.5)
    Tensor([2.5, 5. ], dtype=float32)
    """
    _no_out(out, "addcmul")
    p = tensor1 * tensor2
    return input + (p if value == 1 else p * value)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 / tensor2``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.addcdiv(torch.zeros(2), torch.tensor([1.0, 2.0]), torch.tensor([2.0, 4.0]))
    Tensor([0.5, 0.5], dtype=float32)
    """
    _no_out(out, "addcdiv")
    q = tensor1 / tensor2
    return input + (q if value == 1 else q * value)


def _beta_alpha(input, prod, beta, alpha):
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:
        return prod
    return (input if beta == 1 else input * beta) + prod


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat @ vec)``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.addmv(torch.ones(2), torch.ones(2, 3), torch.ones(3))
    Tensor([4., 4.], dtype=float32)
    """
    _no_out(out, "addmv")
    return _beta_alpha(input, _mt.matmul(mat, vec), beta, alpha)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * outer(vec1, vec2)``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.addr(torch.zeros(2, 2), torch.tensor([1.0, 2.0]), torch.tensor([1.0, 3.0]))
    Tensor([[1., 3.],
            [2., 6.]], dtype=float32)
    """
    _no_out(out, "addr")
    return _beta_alpha(input, _mt.linalg.outer(vec1, vec2), beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * bmm(batch1, batch2)``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.baddbmm(torch.zeros(2, 1, 1), torch.ones(2, 1, 3), torch.ones(2, 3, 1)).shape
    (2, 1, 1)
    """
    _no_out(out, "baddbmm")
    from ._functions import bmm
    return _beta_alpha(input, bmm(batch1, batch2), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * sum(bmm(batch1, batch2), 0)``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.addbmm(torch.zeros(1, 1), torch.ones(2, 1, 3), torch.ones(2, 3, 1))
    Tensor([[6.]], dtype=float32)
    """
    _no_out(out, "addbmm")
    from ._functions import bmm
    return _beta_alpha(input, _mt.sum(bmm(batch1, batch2), axis=0), beta, alpha)


def chain_matmul(*matrices, out=None):
    """The product of the matrices, left to right.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.chain_matmul(torch.ones(2, 3), torch.ones(3, 4), torch.ones(4, 1)).shape
    (2, 1)
    """
    _no_out(out, "chain_matmul")
    r = matrices[0]
    for m in matrices[1:]:
        r = _mt.matmul(r, m)
    return r


def clamp_min(input, min):
    """``clamp(input, min=min)``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.clamp_min(torch.tensor([-1.0, 2.0]), 0.0)
    Tensor([0., 2.], dtype=float32)
    """
    from ._functions import clamp
    return clamp(input, min=min)


def clamp_max(input, max):
    """``clamp(input, max=max)``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.clamp_max(torch.tensor([-1.0, 2.0]), 0.0)
    Tensor([-1.,  0.], dtype=float32)
    """
    from ._functions import clamp
    return clamp(input, max=max)


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.rsub(torch.tensor([1.0, 2.0]), 5)
    Tensor([4., 3.], dtype=float32)
    """
    a, b = _promote(input, other)
    return b - (a if alpha == 1 else a * alpha)


def positive(input):
    """``input`` itself (``+input``).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.positive(torch.tensor([-1.0]))
    Tensor([-1.], dtype=float32)
    """
    return _mt.positive(input)


def deg2rad(input, *, out=None):
    """Degrees to radians.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.deg2rad(torch.tensor([180.0]))
    Tensor([3.1415927], dtype=float32)
    """
    _no_out(out, "deg2rad")
    return _float(input) * (math.pi / 180.0)


def rad2deg(input, *, out=None):
    """Radians to degrees.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.rad2deg(torch.tensor([0.5]))
    Tensor([28.64789], dtype=float32)
    """
    _no_out(out, "rad2deg")
    return _float(input) * (180.0 / math.pi)


def heaviside(input, values, *, out=None):
    """0 for negative, ``values`` at 0, 1 for positive elements.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.heaviside(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([0.5]))
    Tensor([0. , 0.5, 1. ], dtype=float32)
    """
    _no_out(out, "heaviside")
    zero = _mt.zeros((), dtype=input.dtype)
    one = _mt.ones((), dtype=input.dtype)
    return _mt.where(input == 0, _cast(values, input.dtype), _mt.where(input > 0, one, zero))


def gcd(input, other, *, out=None):
    """The greatest common divisor of integers.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.gcd(torch.tensor([12, 18]), torch.tensor([8, 12]))
    Tensor([4, 6], dtype=int64)
    """
    _no_out(out, "gcd")
    a, b = _promote(input, other)
    return _mt.asarray(np.gcd(_tensor(a)._array, _tensor(b)._array))


def lcm(input, other, *, out=None):
    """The least common multiple of integers.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.lcm(torch.tensor([4, 6]), torch.tensor([6, 4]))
    Tensor([12, 12], dtype=int64)
    """
    _no_out(out, "lcm")
    a, b = _promote(input, other)
    return _mt.asarray(np.lcm(_tensor(a)._array, _tensor(b)._array))


def logaddexp2(input, other, *, out=None):
    """``log2(2**input + 2**other)`` without overflow.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.logaddexp2(torch.tensor([1.0]), torch.tensor([1.0]))
    Tensor([2.], dtype=float32)
    """
    _no_out(out, "logaddexp2")
    a, b = _promote(input, other)
    ln2 = math.log(2.0)
    return _mt.logaddexp(a * ln2, b * ln2) / ln2


def ldexp(input, other, *, out=None):
    """``input * 2 ** other``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.ldexp(torch.tensor([1.0]), torch.tensor([3]))
    Tensor([8.], dtype=float32)
    """
    _no_out(out, "ldexp")
    x = _float(input)
    return x * _mt.pow(_mt.asarray(2.0, dtype=x.dtype), _cast(other, x.dtype))


def frexp(input, *, out=None):
    """``(mantissa, exponent)`` with ``input = mantissa * 2 ** exponent``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.frexp(torch.tensor([8.0]))
    (Tensor([0.5], dtype=float32), Tensor([4], dtype=int32))
    """
    _no_out(out, "frexp")
    m, e = np.frexp(input._array)
    return _mt.asarray(m), _mt.asarray(e.astype(np.int32))


def nextafter(input, other, *, out=None):
    """The next floating-point value after ``input`` towards ``other``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> bool(torch.nextafter(torch.tensor([1.0]), torch.tensor([2.0])) > 1)
    True
    """
    _no_out(out, "nextafter")
    return _mt.nextafter(input, other)


def sinc(input, *, out=None):
    """The normalised sinc ``sin(pi x) / (pi x)``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.sinc(torch.tensor([0.0]))
    Tensor([1.], dtype=float32)
    """
    from .special import sinc as f
    return f(input, out=out)


def logit(input, eps=None, *, out=None):
    """``log(p / (1 - p))``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.logit(torch.tensor([0.5]))
    Tensor([0.], dtype=float32)
    """
    from .special import logit as f
    return f(input, eps, out=out)


# ------------------------------------------------------------------ splitting
def tensor_split(input, indices_or_sections, dim=0):
    """Split into ``n`` nearly equal parts, or at the given indices, along ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> [p.tolist() for p in torch.tensor_split(torch.arange(7), 3)]
    [[0, 1, 2], [3, 4], [5, 6]]
    >>> [p.tolist() for p in torch.tensor_split(torch.arange(5), [1, 4])]
    [[0], [1, 2, 3], [4]]
    """
    n = input.shape[dim]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = (indices_or_sections.item() if indices_or_sections.ndim == 0
                               else indices_or_sections.tolist())
    if isinstance(indices_or_sections, (builtins.int, np.integer)):
        k = operator.index(indices_or_sections)
        if k <= 0:
            raise RuntimeError(f"tensor_split(): number of sections must be larger than 0, "
                               f"got {k}")
        q, r = divmod(n, k)
        bounds = [0]
        for i in range(k):
            bounds.append(bounds[-1] + q + (1 if i < r else 0))
    else:
        bounds = [0] + [builtins.min(builtins.max(i if i >= 0 else i + n, 0), n)
                        for i in indices_or_sections] + [n]
    nd = input.ndim
    d = dim % nd
    out = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        idx = [slice(None)] * nd
        idx[d] = slice(lo, builtins.max(lo, hi))
        out.append(input[tuple(idx)])
    return tuple(out)


def _split_dim(name, input, sections, dim, min_dim):
    if input.ndim < min_dim:
        raise RuntimeError(f"{name}(): requires a tensor with at least {min_dim} dimensions, "
                           f"got {input.ndim}")
    if isinstance(sections, (builtins.int, np.integer)) and input.shape[dim] % sections:
        raise RuntimeError(f"{name}(): dimension {dim} of size {input.shape[dim]} is not "
                           f"divisible by {sections}")
    return tensor_split(input, sections, dim)


def hsplit(input, indices_or_sections):
    """Split horizontally (dim 1; dim 0 for 1-D).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> [p.shape for p in torch.hsplit(torch.zeros(2, 4), 2)]
    [(2, 2), (2, 2)]
    """
    return _split_dim("hsplit", input, indices_or_sections, 1 if input.ndim > 1 else 0, 1)


def vsplit(input, indices_or_sections):
    """Split vertically (dim 0).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> [p.shape for p in torch.vsplit(torch.zeros(4, 2), 2)]
    [(2, 2), (2, 2)]
    """
    return _split_dim("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):
    """Split along dim 2.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> [p.shape for p in torch.dsplit(torch.zeros(1, 1, 4), 2)]
    [(1, 1, 2), (1, 1, 2)]
    """
    return _split_dim("dsplit", input, indices_or_sections, 2, 3)


def row_stack(tensors, *, out=None):
    """Alias of :func:`vstack`.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.row_stack([torch.zeros(2), torch.ones(2)]).shape
    (2, 2)
    """
    from ._functions import vstack
    return vstack(tensors, out=out)


def unflatten(input, dim, sizes):
    """Split dimension ``dim`` into ``sizes``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.unflatten(torch.zeros(2, 6), 1, (2, 3)).shape
    (2, 2, 3)
    """
    d = dim % input.ndim
    sizes = tuple(sizes)
    if -1 in sizes:
        known = math.prod(s for s in sizes if s != -1)
        sizes = tuple(input.shape[d] // known if s == -1 else s for s in sizes)
    if math.prod(sizes) != input.shape[d]:
        raise RuntimeError(f"unflatten(): provided sizes {sizes} don't multiply up to the "
                           f"size of dim {dim} ({input.shape[d]})")
    return _mt.reshape(input, input.shape[:d] + sizes + input.shape[d + 1:])


def select(input, dim, index):
    """The slice at ``index`` along ``dim`` (that dimension removed; a view).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.select(torch.tensor([[1, 2], [3, 4]]), 1, 0)
    Tensor([1, 3], dtype=int64)
    """
    idx = [slice(None)] * input.ndim
    idx[dim % input.ndim] = operator.index(index)
    return input[tuple(idx)]


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane ``dims``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.rot90(torch.tensor([[1, 2], [3, 4]]))
    Tensor([[2, 4],
            [1, 3]], dtype=int64)
    """
    d0, d1 = dims
    k %= 4
    if k == 0:
        return input
    if k == 2:
        return _mt.flip(input, axis=(d0, d1))
    perm = list(range(input.ndim))
    perm[d0 % input.ndim], perm[d1 % input.ndim] = perm[d1 % input.ndim], perm[d0 % input.ndim]
    if k == 1:
        return _mt.permute_dims(_mt.flip(input, axis=d1), tuple(perm))
    return _mt.flip(_mt.permute_dims(input, tuple(perm)), axis=d1)


def diagflat(input, offset=0):
    """A square matrix with the flattened ``input`` on diagonal ``offset``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.diagflat(torch.tensor([[1, 2]]))
    Tensor([[1, 0],
            [0, 2]], dtype=int64)
    """
    return _mt.diag(_mt.reshape(input, (-1,)), offset)


def block_diag(*tensors):
    """A block-diagonal matrix of the given (0-, 1- or 2-D) tensors.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.block_diag(torch.ones(1, 1), torch.full((1, 2), 2.0))
    Tensor([[1., 0., 0.],
            [0., 2., 2.]], dtype=float32)
    """
    mats = [_mt.reshape(t, (1, -1) if t.ndim < 2 else t.shape) if t.ndim < 2 else t
            for t in tensors]
    dt = mats[0].dtype
    for m in mats[1:]:
        dt = _dtypes.promote_types(dt, m.dtype)
    cols = builtins.sum(m.shape[1] for m in mats)
    rows, c0 = [], 0
    for m in mats:
        left = _mt.zeros((m.shape[0], c0), dtype=dt)
        right = _mt.zeros((m.shape[0], cols - c0 - m.shape[1]), dtype=dt)
        rows.append(_mt.concat([left, _cast(m, dt), right], axis=1))
        c0 += m.shape[1]
    return _mt.concat(rows, axis=0)


def cartesian_prod(*tensors):
    """The Cartesian product of 1-D tensors (one row per combination).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.cartesian_prod(torch.tensor([1, 2]), torch.tensor([3, 4])).tolist()
    [[1, 3], [1, 4], [2, 3], [2, 4]]
    """
    if len(tensors) == 1:
        return tensors[0]
    grids = _mt.meshgrid(*tensors, indexing="ij")
    return _mt.stack([_mt.reshape(g, (-1,)) for g in grids], axis=1)


def combinations(input, r=2, with_replacement=False):
    """The length-``r`` combinations of the elements of a 1-D tensor.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.combinations(torch.tensor([1, 2, 3])).tolist()
    [[1, 2], [1, 3], [2, 3]]
    """
    import itertools
    n = input.shape[0]
    gen = (itertools.combinations_with_replacement if with_replacement
           else itertools.combinations)(range(n), r)
    idx = np.array(list(gen), dtype=np.int64).reshape(-1, r)
    if idx.size == 0:
        return _mt.zeros((0,) if r else (0,), dtype=input.dtype)
    return _mt.reshape(_mt.take(input, _mt.asarray(idx.reshape(-1)), axis=0), idx.shape)


def _tri_indices(which, row, col, offset, dtype):
    r, c = (np.tril_indices if which == "tril" else np.triu_indices)(row, offset, col)
    return _mt.asarray(np.stack([r, c]).astype(_as_dtype(dtype)._np_dtype))


def tril_indices(row, col, offset=0, *, dtype=int64, device=None, layout=None):
    """The ``(2, n)`` indices of the lower triangle of a ``row`` x ``col`` matrix.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.tril_indices(2, 2).tolist()
    [[0, 1, 1], [0, 0, 1]]
    """
    return _tri_indices("tril", row, col, offset, dtype)


def triu_indices(row, col, offset=0, *, dtype=int64, device=None, layout=None):
    """The ``(2, n)`` indices of the upper triangle of a ``row`` x ``col`` matrix.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.triu_indices(2, 2).tolist()
    [[0, 0, 1], [0, 1, 1]]
    """
    return _tri_indices("triu", row, col, offset, dtype)


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a 1-D tensor.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.vander(torch.tensor([1, 2, 3]), N=3)
    Tensor([[1, 1, 1],
            [4, 2, 1],
            [9, 3, 1]], dtype=int64)
    """
    n = x.shape[0] if N is None else N
    powers = _mt.arange(n) if increasing else _mt.arange(n - 1, -1, -1)
    base = x if _category(x.dtype) >= 2 else _mt.astype(x, int64)
    return _mt.pow(_mt.expand_dims(base, axis=1), _cast(powers, base.dtype))


def unravel_index(indices, shape):
    """The coordinates of flat ``indices`` in an array of ``shape`` (a tuple of tensors).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.unravel_index(torch.tensor([5]), (2, 3))
    (Tensor([1], dtype=int64), Tensor([2], dtype=int64))
    """
    idx = _tensor(indices)._array
    return tuple(_mt.asarray(np.asarray(a, dtype=np.int64))
                 for a in np.unravel_index(idx, tuple(shape)))


# ------------------------------------------------------------- index helpers
def index_add(input, dim, index, source, *, alpha=1):
    """A copy of ``input`` with ``alpha * source`` added at ``index`` along ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.index_add(torch.zeros(3), 0, torch.tensor([0, 0]), torch.ones(2))
    Tensor([2., 0., 0.], dtype=float32)
    """
    src = source if alpha == 1 else source * alpha
    d = dim % builtins.max(input.ndim, 1)
    # one-hot (n, len(index)) matrix contracted with source along dim: differentiable
    onehot = _mt.astype(_mt.expand_dims(_mt.arange(input.shape[d]), axis=1)
                        == _mt.expand_dims(index, axis=0), src.dtype)
    moved = _mt.moveaxis(src, d, -2) if src.ndim > 1 else src
    added = _mt.matmul(onehot, moved)
    return input + (_mt.moveaxis(added, -2, d) if src.ndim > 1 else added)


def index_copy(input, dim, index, source):
    """A copy of ``input`` with the slices at ``index`` along ``dim`` replaced by
    ``source``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.index_copy(torch.zeros(3), 0, torch.tensor([2]), torch.tensor([5.0]))
    Tensor([0., 0., 5.], dtype=float32)
    """
    d = dim % builtins.max(input.ndim, 1)
    hit = _mt.any(_mt.expand_dims(_mt.arange(input.shape[d]), axis=1)
                  == _mt.expand_dims(index, axis=0), axis=1)
    placed = index_add(_mt.zeros_like(input), dim, index, source)
    shape = [1] * input.ndim
    shape[d] = input.shape[d]
    return _mt.where(_mt.reshape(hit, tuple(shape)), placed, input)


def index_fill(input, dim, index, value):
    """A copy of ``input`` with the slices at ``index`` along ``dim`` set to ``value``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.index_fill(torch.zeros(2, 2), 1, torch.tensor([0]), -1.0)
    Tensor([[-1.,  0.],
            [-1.,  0.]], dtype=float32)
    """
    d = dim % builtins.max(input.ndim, 1)
    hit = _mt.any(_mt.expand_dims(_mt.arange(input.shape[d]), axis=1)
                  == _mt.expand_dims(index, axis=0), axis=1)
    shape = [1] * input.ndim
    shape[d] = input.shape[d]
    v = value if isinstance(value, Tensor) else _mt.asarray(value, dtype=input.dtype)
    return _mt.where(_mt.reshape(hit, tuple(shape)), _cast(v, input.dtype), input)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """True where an element of ``elements`` is in ``test_elements``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.isin(torch.tensor([1, 2, 3]), torch.tensor([2, 5]))
    Tensor([False,  True, False], dtype=bool)
    """
    r = _mt.isin(_tensor(elements), _tensor(test_elements))
    return _mt.logical_not(r) if invert else r


def bincount(input, weights=None, minlength=0):
    """Counts of each value of a 1-D non-negative integer tensor (weighted sums with
    ``weights``).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.bincount(torch.tensor([0, 2, 2]))
    Tensor([1, 0, 2], dtype=int64)
    """
    a = input._array
    if a.ndim != 1 or a.dtype.kind not in "iu":
        raise RuntimeError("bincount(): only 1-D non-negative integral tensors are supported")
    if a.size and a.min() < 0:
        raise RuntimeError("bincount(): input must be non-negative")
    w = None if weights is None else weights._array
    r = np.bincount(a, weights=w, minlength=minlength)
    if weights is None:
        return _mt.asarray(r.astype(np.int64))
    return _mt.asarray(r.astype(weights._array.dtype if weights._array.dtype.kind == "f"
                                else np.float64))


def histc(input, bins=100, min=0, max=0):
    """A histogram with ``bins`` equal bins on ``[min, max]`` (the data's range when
    both are 0).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.histc(torch.tensor([1.0, 2.0, 1.0]), bins=4, min=0, max=3)
    Tensor([0., 2., 1., 0.], dtype=float32)
    """
    a = input._array
    lo, hi = builtins.float(min), builtins.float(max)
    if lo == hi == 0 and a.size:
        lo, hi = builtins.float(a.min()), builtins.float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    h, _ = np.histogram(a, bins=bins, range=(lo, hi))
    return _mt.asarray(h.astype(a.dtype))


def msort(input):
    """Sort along dim 0 (values only).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.msort(torch.tensor([[2, 1], [1, 3]]))
    Tensor([[1, 1],
            [2, 3]], dtype=int64)
    """
    return _mt.sort(input, axis=0)


def logcumsumexp(input, dim):
    """``log(cumsum(exp(input), dim))`` without overflow.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.logcumsumexp(torch.tensor([0.0, 0.0]), 0)
    Tensor([0.       , 0.6931472], dtype=float32)
    """
    x = _float(input)
    m = _mt.max(x.detach(), axis=dim, keepdims=True)
    m = _mt.where(_mt.isfinite(m), m, _mt.zeros((), dtype=m.dtype))
    return _mt.log(_mt.cumulative_sum(_mt.exp(x - m), axis=dim)) + m


def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in the rows of ``input``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.cov(torch.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]))
    Tensor([[ 1., -1.],
            [-1.,  1.]], dtype=float32)
    """
    if fweights is not None or aweights is not None:
        raise NotImplementedError("cov(): fweights/aweights are not supported")
    x = _float(input)
    if x.ndim == 1:
        x = _mt.reshape(x, (1, -1))
    n = x.shape[1]
    xc = x - _mt.mean(x, axis=1, keepdims=True)
    c = _mt.matmul(xc, _mt.conj(_mt.matrix_transpose(xc))) / builtins.max(n - correction, 0)
    return c if input.ndim > 1 else _mt.reshape(c, ())


def corrcoef(input):
    """The Pearson correlation coefficients of the variables in the rows of ``input``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.corrcoef(torch.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]))
    Tensor([[ 1., -1.],
            [-1.,  1.]], dtype=float32)
    """
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = _mt.sqrt(_mt.linalg.diagonal(c))
    return _mt.clip(c / _mt.expand_dims(d, axis=1) / _mt.expand_dims(d, axis=0), -1, 1)


def dist(input, other, p=2):
    """The ``p``-norm of ``input - other``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.dist(torch.tensor([0.0, 0.0]), torch.tensor([3.0, 4.0]))
    Tensor(5., dtype=float32)
    """
    a, b = _promote(input, other)
    return _mt.linalg.vector_norm(_float(a - b), ord=p)


def _quantile(name, input, q, dim, keepdim, interpolation, nan):
    x = input.detach()._array
    qs = q._array if isinstance(q, Tensor) else np.asarray(q, dtype=x.dtype)
    if np.any((qs < 0) | (qs > 1)):
        raise RuntimeError(f"{name}(): q values must be in the range [0, 1]")
    f = np.nanquantile if nan else np.quantile
    r = f(x, qs, axis=dim, keepdims=keepdim, method=interpolation)
    return _mt.asarray(np.asarray(r, dtype=x.dtype))


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The ``q``-quantiles (``q`` a number or 1-D tensor in ``[0, 1]``); not
    differentiable.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.quantile(torch.tensor([1.0, 2.0, 3.0, 4.0]), 0.5)
    Tensor(2.5, dtype=float32)
    """
    _no_out(out, "quantile")
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The ``q``-quantiles ignoring NaN.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.nanquantile(torch.tensor([1.0, float("nan"), 3.0]), 0.5)
    Tensor(2., dtype=float32)
    """
    _no_out(out, "nanquantile")
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)


def nanmedian(input):
    """The lower median of the non-NaN elements.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.nanmedian(torch.tensor([3.0, float("nan"), 1.0, 2.0]))
    Tensor(2., dtype=float32)
    """
    flat = _mt.reshape(input, (-1,))
    keep = _mt.reshape(_mt.nonzero(_mt.logical_not(_mt.isnan(flat)))[0], (-1,))
    if keep.shape[0] == 0:
        return _mt.asarray(np.nan, dtype=input.dtype)
    from ._functions import median
    return median(_mt.take(flat, keep, axis=0))


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoidal rule along ``dim`` (spacing ``dx``, 1 by default, or points ``x``).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.trapezoid(torch.tensor([1.0, 2.0, 3.0]))
    Tensor(4., dtype=float32)
    """
    n = y.shape[dim]
    lo = _mt.take(y, _mt.arange(0, n - 1), axis=dim)
    hi = _mt.take(y, _mt.arange(1, n), axis=dim)
    mid = (lo + hi) / 2
    if x is not None:
        return _mt.sum(mid * _mt.diff(x, axis=dim if x.ndim > 1 else -1), axis=dim)
    return _mt.sum(mid, axis=dim) * (1 if dx is None else dx)


trapz = trapezoid


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoidal integral along ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.cumulative_trapezoid(torch.tensor([1.0, 2.0, 3.0]))
    Tensor([1.5, 4. ], dtype=float32)
    """
    n = y.shape[dim]
    lo = _mt.take(y, _mt.arange(0, n - 1), axis=dim)
    hi = _mt.take(y, _mt.arange(1, n), axis=dim)
    mid = (lo + hi) / 2
    if x is not None:
        mid = mid * _mt.diff(x, axis=dim if x.ndim > 1 else -1)
    elif dx is not None:
        mid = mid * dx
    return _mt.cumulative_sum(mid, axis=dim)


def logdet(input):
    """``log(det(input))`` (NaN for a negative determinant).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.logdet(torch.tensor([[2.0, 0.0], [0.0, 3.0]]))
    Tensor(1.7917595, dtype=float32)
    """
    sign, logabs = _mt.linalg.slogdet(input)
    return _mt.where(sign < 0, _mt.asarray(np.nan, dtype=logabs.dtype), logabs)


def slogdet(input):
    """``(sign, log|det|)`` of (a batch of) square matrices.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.slogdet(torch.tensor([[-2.0, 0.0], [0.0, 1.0]])).sign
    Tensor(-1., dtype=float32)
    """
    return _mt.linalg.slogdet(input)


def matrix_power(input, n):
    """The ``n``-th power of square matrices (negative ``n``: of the inverse).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.matrix_power(torch.tensor([[1, 1], [0, 1]]), 3)
    Tensor([[1, 3],
            [0, 1]], dtype=int64)
    """
    return _mt.linalg.matrix_power(input, n)


def pinverse(input, rcond=1e-15):
    """The Moore-Penrose pseudo-inverse.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.pinverse(torch.tensor([[2.0]]))
    Tensor([[0.5]], dtype=float32)
    """
    return _mt.linalg.pinv(input, rtol=rcond)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive elements (of the flattened tensor).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.unique_consecutive(torch.tensor([1, 1, 2, 2, 1]))
    Tensor([1, 2, 1], dtype=int64)
    """
    if dim is not None:
        raise NotImplementedError("unique_consecutive(): dim= is not supported")
    a = input._array.reshape(-1)
    if a.size == 0:
        starts = np.zeros(0, dtype=np.int64)
    else:
        starts = np.concatenate([[0], np.nonzero(a[1:] != a[:-1])[0] + 1])
    out = [_mt.asarray(a[starts])]
    if return_inverse:
        inv = np.cumsum(np.isin(np.arange(a.size), starts)) - 1
        out.append(_mt.asarray(inv.reshape(input.shape).astype(np.int64)))
    if return_counts:
        out.append(_mt.asarray(np.diff(np.append(starts, a.size)).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def is_signed(input):
    """True unless ``input`` has an unsigned integer or bool dtype.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.is_signed(torch.tensor([1])), torch.is_signed(torch.tensor([1], dtype=torch.uint8))
    (True, False)
    """
    return input._array.dtype.kind not in "ub"


def is_same_size(input, other):
    """True if both tensors have the same shape.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.is_same_size(torch.zeros(2), torch.ones(2))
    True
    """
    return input.shape == other.shape


def result_type(tensor1, tensor2):
    """The dtype PyTorch's promotion gives for two tensors or numbers.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.result_type(torch.tensor([1]), 1.0)
    minitensor.float32
    """
    a, b = _promote(tensor1, tensor2)
    if isinstance(a, Tensor):
        return a.dtype
    if isinstance(b, Tensor):
        return b.dtype
    return _tensor(a).dtype if _category(_tensor(a).dtype) >= _category(_tensor(b).dtype) \
        else _tensor(b).dtype


def typename(obj):
    """The PyTorch type name of a tensor (``"torch.FloatTensor"``), else the type's name.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.typename(torch.zeros(1)), torch.typename(torch.zeros(1, dtype=torch.long))
    ('torch.FloatTensor', 'torch.LongTensor')
    """
    if isinstance(obj, Tensor):
        for cls in _LEGACY:
            if cls._dtype == obj.dtype:
                return f"torch.{cls.__name__}"
        return f"torch.{obj.dtype.name}"
    t = type(obj)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def view_as_real(input):
    """A complex tensor as a real one with a last dimension of 2 (a view).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.view_as_real(torch.tensor([1 + 2j]))
    Tensor([[1., 2.]], dtype=float32)
    """
    if input.dtype.kind != "c":
        raise RuntimeError("view_as_real() is only supported for complex tensors")
    a = input._array
    return _mt.asarray(a.view(a.real.dtype).reshape(a.shape + (2,)))


def view_as_complex(input):
    """A real tensor with a last dimension of 2 as a complex one (a view).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.view_as_complex(torch.tensor([[1.0, 2.0]]))
    Tensor([1.+2.j], dtype=complex64)
    """
    a = input._array
    if a.dtype not in (np.float32, np.float64) or a.ndim == 0 or a.shape[-1] != 2:
        raise RuntimeError("view_as_complex(): expects a float/double tensor whose last "
                           "dimension has size 2")
    if a.strides[-1] != a.itemsize:
        raise RuntimeError("view_as_complex(): the last dimension must have stride 1")
    c = np.complex64 if a.dtype == np.float32 else np.complex128
    return _mt.asarray(a.view(c).reshape(a.shape[:-1]))


def from_dlpack(ext_tensor):
    """A tensor sharing memory with a DLPack-capable object (NumPy, PyTorch CPU, ...).

    Examples
    --------
    >>> import numpy as np, minitensor.torch as torch
    >>> torch.from_dlpack(np.arange(3.0))
    Tensor([0., 1., 2.], dtype=float64)
    """
    return _mt.from_dlpack(ext_tensor)


def get_default_device():
    """The CPU (the only device).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.get_default_device()
    device(type='cpu')
    """
    from ._device import device
    return device("cpu")


def set_default_device(device):
    """Accept the CPU (or None); any other device raises ``RuntimeError``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.set_default_device("cpu")
    """
    from ._device import _check
    _check(device, "set_default_device()")


def is_storage(obj):
    """False: minitensor has no storage objects.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.is_storage(torch.zeros(1))
    False
    """
    return False


# ------------------------------------------------------------ legacy tensor types
class _LegacyType(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype == cls._dtype


class _Legacy(metaclass=_LegacyType):
    # Note: ``FloatTensor(2, 3)`` gives zeros (PyTorch leaves the memory uninitialised).
    _dtype = None

    def __new__(cls, *args, device=None):
        from ._creation import _check, tensor, zeros
        _check(device, f"{cls.__name__}()")
        if len(args) == 1 and not isinstance(args[0], (builtins.int, np.integer)):
            data = args[0]
            if isinstance(data, Tensor):
                return _mt.astype(data, cls._dtype)
            return tensor(data, dtype=cls._dtype)
        return zeros(*args, dtype=cls._dtype)


def _legacy(name, dtype):
    doc = (f"PyTorch's legacy ``torch.{name}``: ``{name}(2, 3)`` (zeros; PyTorch leaves "
           f"them uninitialised) or ``{name}(data)``; ``isinstance(x, {name})`` checks the "
           f"dtype ({dtype.name}).")
    return _LegacyType(name, (_Legacy,), {"_dtype": dtype, "__doc__": doc,
                                          "__module__": __name__})


FloatTensor = _legacy("FloatTensor", _mt.float32)
DoubleTensor = _legacy("DoubleTensor", _mt.float64)
HalfTensor = _legacy("HalfTensor", _mt.float16)
LongTensor = _legacy("LongTensor", _mt.int64)
IntTensor = _legacy("IntTensor", _mt.int32)
ShortTensor = _legacy("ShortTensor", _mt.int16)
CharTensor = _legacy("CharTensor", _mt.int8)
ByteTensor = _legacy("ByteTensor", _mt.uint8)
BoolTensor = _legacy("BoolTensor", _mt.bool)
_LEGACY = (FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor,
           CharTensor, ByteTensor, BoolTensor)
FloatTensor.__doc__ += """

Examples
--------
>>> import minitensor.torch as torch
>>> x = torch.FloatTensor([1, 2])
>>> x.dtype, isinstance(x, torch.FloatTensor), isinstance(x, torch.LongTensor)
(minitensor.float32, True, False)
>>> torch.LongTensor(2, 3).shape
(2, 3)
"""


# ------------------------------------------- nn.functional, also at top level
_F_EXAMPLES = {
    "conv1d": ("torch.conv1d(torch.ones(1, 1, 5), torch.ones(1, 1, 3))",
               "Tensor([[[3., 3., 3.]]], dtype=float32)"),
    "conv2d": ("torch.conv2d(torch.ones(1, 1, 3, 3), torch.ones(2, 1, 2, 2)).shape",
               "(1, 2, 2, 2)"),
    "conv_transpose1d": ("torch.conv_transpose1d(torch.ones(1, 1, 2), torch.ones(1, 1, 2))",
                         "Tensor([[[1., 2., 1.]]], dtype=float32)"),
    "conv_transpose2d": ("torch.conv_transpose2d(torch.ones(1, 1, 2, 2), "
                         "torch.ones(1, 1, 2, 2)).shape", "(1, 1, 3, 3)"),
    "max_pool1d": ("torch.max_pool1d(torch.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)",
                   "Tensor([[[3., 2.]]], dtype=float32)"),
    "max_pool2d": ("torch.max_pool2d(torch.arange(16.0).reshape(1, 1, 4, 4), 2).tolist()",
                   "[[[[5.0, 7.0], [13.0, 15.0]]]]"),
    "avg_pool1d": ("torch.avg_pool1d(torch.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)",
                   "Tensor([[[2., 1.]]], dtype=float32)"),
    "adaptive_avg_pool1d": ("torch.adaptive_avg_pool1d(torch.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 1)",
                            "Tensor([[[1.5]]], dtype=float32)"),
    "layer_norm": ("torch.layer_norm(torch.tensor([[1.0, 3.0]]), (2,)).round()",
                   "Tensor([[-1.,  1.]], dtype=float32)"),
    "group_norm": ("torch.group_norm(torch.ones(2, 4, 3), 2).shape", "(2, 4, 3)"),
    "selu": ("torch.selu(torch.tensor([0.0, 1.0])).tolist()[0]", "0.0"),
    "celu": ("torch.celu(torch.tensor([0.0, 1.0]))", "Tensor([0., 1.], dtype=float32)"),
    "prelu": ("torch.prelu(torch.tensor([-2.0, 1.0]), torch.tensor([0.25]))",
              "Tensor([-0.5,  1. ], dtype=float32)"),
    "cosine_similarity": ("torch.cosine_similarity(torch.tensor([[1.0, 0.0]]), "
                          "torch.tensor([[2.0, 0.0]]))", "Tensor([1.], dtype=float32)"),
    "pairwise_distance": ("round(float(torch.pairwise_distance(torch.tensor([[0.0, 0.0]]), "
                          "torch.tensor([[3.0, 4.0]]))[0]), 4)", "5.0"),
    "pixel_shuffle": ("torch.pixel_shuffle(torch.ones(1, 4, 2, 2), 2).shape", "(1, 1, 4, 4)"),
    "pixel_unshuffle": ("torch.pixel_unshuffle(torch.ones(1, 1, 4, 4), 2).shape",
                        "(1, 4, 2, 2)"),
}


def _F(name):
    def f(*args, **kwargs):
        from ..nn import functional as F
        return getattr(F, name)(*args, **kwargs)
    f.__name__ = f.__qualname__ = name
    call, result = _F_EXAMPLES[name]
    f.__doc__ = f"""``torch.{name}``: :func:`minitensor.nn.functional.{name}` (same arguments).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> {call}
    {result}
    """
    return f


conv1d = _F("conv1d")
conv2d = _F("conv2d")
conv_transpose1d = _F("conv_transpose1d")
conv_transpose2d = _F("conv_transpose2d")
max_pool1d = _F("max_pool1d")
max_pool2d = _F("max_pool2d")
avg_pool1d = _F("avg_pool1d")
adaptive_avg_pool1d = _F("adaptive_avg_pool1d")
layer_norm = _F("layer_norm")
group_norm = _F("group_norm")
selu = _F("selu")
celu = _F("celu")
prelu = _F("prelu")
cosine_similarity = _F("cosine_similarity")
pairwise_distance = _F("pairwise_distance")
pixel_shuffle = _F("pixel_shuffle")
pixel_unshuffle = _F("pixel_unshuffle")


def dropout(input, p, train):
    """``torch.dropout(input, p, train)``: :func:`minitensor.nn.functional.dropout`.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.dropout(torch.ones(3), 0.5, False)
    Tensor([1., 1., 1.], dtype=float32)
    """
    from ..nn import functional as F
    return F.dropout(input, p, training=train)


# ------------------------------------------------------- in-place functions
# ``torch.relu_(x)`` is ``x.relu_()``: one forward per in-place Tensor method that
# exists (the version counters and leaf checks are the method's).
_INPLACE = ("abs_", "absolute_", "acos_", "acosh_", "arccos_", "arccosh_", "arcsin_",
            "arcsinh_", "arctan_", "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_",
            "clamp_", "clamp_max_", "clamp_min_", "clip_", "cos_", "cosh_", "deg2rad_",
            "detach_", "erf_", "erfc_", "exp2_", "exp_", "expm1_", "fill_", "fix_", "floor_",
            "frac_", "log10_", "log1p_", "log2_", "log_", "nan_to_num_", "neg_", "negative_",
            "rad2deg_", "reciprocal_", "relu_", "round_", "rsqrt_", "sigmoid_", "sin_",
            "sinc_", "sinh_", "sqrt_", "square_", "tan_", "tanh_", "trunc_", "xlogy_",
            "zero_")


def _inplace(name):
    def f(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"``torch.{name}(input, ...)``: ``input.{name}(...)`` (in place)."
    return f


for _name in _INPLACE:
    if hasattr(Tensor, _name):
        globals()[_name] = _inplace(_name)
        __all__.append(_name)
del _name
