"""The ``linalg`` extension of the Array API standard (2025.12): ``minitensor.linalg``.

Every function batches over leading dimensions (``(..., M, N)`` stacks of
matrices) and hands the work to NumPy's LAPACK/BLAS wrappers
(``numpy.linalg``), so results agree with NumPy's bit for bit on the same
machine: scikit-learn compares PCA outputs element by element after its
``svd_flip`` sign fix, which needs the very same singular vectors.

The layers: public function (argument checks, standard semantics) ->
``_float_matrix`` / ``_float_pair`` (dtype and shape checks) -> ``numpy.linalg``
-> ``_real``/``_complex`` (result dtype the standard asks for).

Dtypes. float32/float64/complex64/complex128 inputs keep their precision
(float32 in, float32 out). Note: integer inputs are accepted and computed in
float64, as NumPy does (the standard only says "should have a floating-point
data type"); boolean inputs raise TypeError naming the function.

Errors. A non-square matrix where a square one is required is a ValueError
naming the shape; a singular matrix in ``inv``/``solve`` (or a matrix that is
not positive definite in ``cholesky``) raises ``LinAlgError`` (NumPy's
``numpy.linalg.LinAlgError``, a ValueError subclass), never garbage.

Results of decompositions are namedtuples with the standard's field names:
``EighResult``, ``EigResult``, ``QRResult``, ``SlogdetResult``, ``SVDResult``.
"""
import builtins
import math
from collections import namedtuple

import numpy as np
from numpy.linalg import LinAlgError

from ._array_object import Tensor
from ._dtypes import _FROM_NP, _as_dtype, _promotion_table
from ._elementwise_functions import _to_array
from ._dispatch import differentiable
from ._validation import check_axis as _check_axis, index_arg
from ._linear_algebra_functions import (
    _check_batch, _numeric_pair, _vector_axis, matmul,
    matrix_transpose, tensordot, vecdot,
)

__all__ = [
    "cholesky", "cross", "det", "diagonal", "eig", "eigh", "eigvals", "eigvalsh", "inv",
    "matmul", "matrix_norm", "matrix_power", "matrix_rank", "matrix_transpose", "outer",
    "pinv", "qr", "slogdet", "solve", "svd", "svdvals", "tensordot", "trace", "vecdot",
    "vector_norm",
    # not in the standard
    "lstsq", "LinAlgError",
    # result types
    "EighResult", "EigResult", "QRResult", "SlogdetResult", "SVDResult",
]

_new = Tensor._new
_ndarray = np.ndarray

EighResult = namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
EigResult = namedtuple("EigResult", ["eigenvalues", "eigenvectors"])
QRResult = namedtuple("QRResult", ["Q", "R"])
SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])
SVDResult = namedtuple("SVDResult", ["U", "S", "Vh"])
for _cls in (EighResult, EigResult, QRResult, SlogdetResult, SVDResult):
    _cls.__module__ = __name__
del _cls

EighResult.__doc__ = """The named tuple ``(eigenvalues, eigenvectors)`` returned by :func:`eigh`.

Examples
--------
>>> import minitensor as xp
>>> res = xp.linalg.eigh(xp.asarray([[2.0, 1.0], [1.0, 2.0]]))
>>> res.eigenvalues
Tensor([1., 3.], dtype=float64)
>>> w, v = res  # unpacks as a tuple
>>> v.shape
(2, 2)
"""
EigResult.__doc__ = """The named tuple ``(eigenvalues, eigenvectors)`` returned by :func:`eig`
(both complex).

Examples
--------
>>> import minitensor as xp
>>> res = xp.linalg.eig(xp.asarray([[2.0, 0.0], [0.0, 3.0]]))
>>> res.eigenvalues
Tensor([2.+0.j, 3.+0.j], dtype=complex128)
>>> res.eigenvectors.dtype
minitensor.complex128
"""
QRResult.__doc__ = """The named tuple ``(Q, R)`` returned by :func:`qr`.

Examples
--------
>>> import minitensor as xp
>>> a = xp.asarray([[3.0, 0.0], [4.0, 5.0]])
>>> Q, R = xp.linalg.qr(a)
>>> xp.round(Q @ R)
Tensor([[3., 0.],
        [4., 5.]], dtype=float64)
>>> float(R[1, 0])  # R is upper triangular
0.0
"""
SlogdetResult.__doc__ = """The named tuple ``(sign, logabsdet)`` returned by :func:`slogdet`.

Examples
--------
>>> import minitensor as xp
>>> res = xp.linalg.slogdet(xp.asarray([[0.0, 2.0], [3.0, 0.0]]))  # det = -6
>>> float(res.sign), round(float(res.logabsdet), 4)
(-1.0, 1.7918)
"""
SVDResult.__doc__ = """The named tuple ``(U, S, Vh)`` returned by :func:`svd`.

Examples
--------
>>> import minitensor as xp
>>> res = xp.linalg.svd(xp.asarray([[3.0, 0.0], [0.0, -4.0]]))
>>> res.S
Tensor([4., 3.], dtype=float64)
>>> res.U.shape, res.Vh.shape
((2, 2), (2, 2))
"""

_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_C64 = np.dtype(np.complex64)
_C128 = np.dtype(np.complex128)
_I64 = np.dtype(np.int64)
_U64 = np.dtype(np.uint64)
_F16 = np.dtype(np.float16)
_FLOATING = frozenset((_F32, _F64, _C64, _C128))
_REAL_OF = {_F16: _F16, _F32: _F32, _F64: _F64, _C64: _F32, _C128: _F64}
# Note: float16 (the extension dtype) as NumPy: its linalg (LAPACK) has no half
# precision, so the decompositions, inverses and solvers raise TypeError; the norms
# NumPy computes elementwise (vector_norm, matrix_norm 'fro'/1/-1/inf/-inf) give
# float16. solve/lstsq check the promoted dtype (float16 with float32 is float32).
_HALF_OK = frozenset(("vector_norm", "matrix_norm", "solve", "lstsq"))


def _half_error(name):
    return TypeError(f"{name}() does not support dtype minitensor.float16 (NumPy's linalg "
                     f"has no half precision); cast to float32 first")
_COMPLEX_OF = {_F32: _C64, _F64: _C128, _C64: _C64, _C128: _C128}


# ---------------------------------------------------------------------------
# glue: argument checks and result dtypes
# ---------------------------------------------------------------------------
def _array(name, x):
    return x._array if type(x) is Tensor else _to_array(name, x)


def _wrap(r):
    if type(r) is not _ndarray:
        r = np.asarray(r)
    return _new(r)


def _floating(name, a):
    """``a`` with a floating-point dtype (integers -> float64; bool: TypeError)."""
    dt = a.dtype
    if dt in _FLOATING:
        return a
    if dt == _F16:
        if name in _HALF_OK:
            return a
        raise _half_error(name)
    if dt.kind in "iu":
        # Note: integer input computes in float64, as NumPy (the standard leaves it open)
        return a.astype(_F64)
    raise TypeError(f"{name}() does not support dtype {_FROM_NP[dt]}; it needs a "
                    f"floating-point dtype")


def _float_matrix(name, x, square=False):
    """The ndarray of a stack of matrices with a floating-point dtype."""
    a = _floating(name, _array(name, x))
    if a.ndim < 2:
        raise ValueError(f"{name}: x must have at least 2 dimensions (a matrix or a stack of "
                         f"matrices), got shape {a.shape}")
    if square and a.shape[-1] != a.shape[-2]:
        raise ValueError(f"{name}: x must be a square matrix or a stack of square matrices, "
                         f"got shape {a.shape}")
    return a


def _real(r, a):
    """``r`` cast (if needed) to the real dtype of ``a``'s precision."""
    dt = _REAL_OF[a.dtype]
    r = np.asarray(r)
    return r if r.dtype == dt else r.astype(dt)


def _same(r, a):
    r = np.asarray(r)
    return r if r.dtype == a.dtype else r.astype(a.dtype)


def _rtol_arg(name, rtol):
    """``rtol`` of pinv/matrix_rank: None, a Python float or a real array."""
    if rtol is None:
        return None
    if isinstance(rtol, (bool, np.bool_)):
        raise TypeError(f"{name}: rtol must be a float, a real array or None, got {rtol!r}")
    if isinstance(rtol, (int, float)):
        return float(rtol)
    r = _array(name, rtol)
    if r.dtype.kind not in "fiu":
        raise TypeError(f"{name}: rtol must have a real dtype, got {_FROM_NP[r.dtype]}")
    return r


# ---------------------------------------------------------------------------
# decompositions
# ---------------------------------------------------------------------------
@differentiable("linalg.cholesky")
def cholesky(x, /, *, upper=False):
    """Cholesky factor of a (stack of) Hermitian positive-definite matrices.

    ``x = L @ L^H`` with ``L`` lower triangular (``upper=False``), or
    ``x = U^H @ U`` with ``U`` upper triangular (``upper=True``). Only the lower
    triangle of ``x`` is read (as NumPy/LAPACK). A matrix that is not positive
    definite raises ``LinAlgError``.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.linalg.cholesky(xp.asarray([[4.0, 2.0], [2.0, 5.0]]))
    Tensor([[2., 0.],
            [1., 2.]], dtype=float64)
    """
    a = _float_matrix("cholesky", x, square=True)
    try:
        r = np.linalg.cholesky(a, upper=builtins.bool(upper))
    except LinAlgError:
        raise LinAlgError(f"cholesky: a matrix of x (shape {a.shape}) is not positive "
                          f"definite") from None
    return _new(r)


@differentiable("linalg.eigh")
def eigh(x, /):
    """Eigenvalues and eigenvectors of a (stack of) Hermitian/symmetric matrices.

    Returns ``EighResult(eigenvalues, eigenvectors)``: eigenvalues in ascending
    order with the real dtype of ``x``'s precision, shape ``(..., M)``;
    eigenvectors in the columns, shape ``(..., M, M)``, dtype of ``x``. Only the
    lower triangle is read (as NumPy).

    Examples
    --------
    >>> import minitensor as xp
    >>> w, v = xp.linalg.eigh(xp.asarray([[2.0, 1.0], [1.0, 2.0]]))
    >>> w
    Tensor([1., 3.], dtype=float64)
    """
    a = _float_matrix("eigh", x, square=True)
    w, v = np.linalg.eigh(a)
    return EighResult(_new(_real(w, a)), _new(v))


@differentiable("linalg.eigvalsh")
def eigvalsh(x, /):
    """Eigenvalues (ascending) of a (stack of) Hermitian/symmetric matrices.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.linalg.eigvalsh(xp.asarray([[2.0, 1.0], [1.0, 2.0]]))
    Tensor([1., 3.], dtype=float64)
    """
    a = _float_matrix("eigvalsh", x, square=True)
    return _new(_real(np.linalg.eigvalsh(a), a))


@differentiable("linalg.eig")
def eig(x, /):
    """Eigenvalues and right eigenvectors of a (stack of) general square matrices.

    Returns ``EigResult(eigenvalues, eigenvectors)``, both complex with the
    precision of ``x`` (float32 -> complex64), even when every eigenvalue is
    real. Eigenvectors have unit norm (LAPACK ``geev``, as NumPy).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.linalg.eig(xp.asarray([[0.0, -1.0], [1.0, 0.0]])).eigenvalues
    Tensor([0.+1.j, 0.-1.j], dtype=complex128)
    """
    a = _float_matrix("eig", x, square=True)
    w, v = np.linalg.eig(a)
    dt = _COMPLEX_OF[a.dtype]
    return EigResult(_new(w.astype(dt, copy=False)), _new(v.astype(dt, copy=False)))


@differentiable("linalg.eigvals")
def eigvals(x, /):
    """Eigenvalues of a (stack of) general square matrices (complex dtype).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.linalg.eigvals(xp.asarray([[2.0, 0.0], [0.0, 3.0]]))
    Tensor([2.+0.j, 3.+0.j], dtype=complex128)
    """
    a = _float_matrix("eigvals", x, square=True)
    return _new(np.linalg.eigvals(a).astype(_COMPLEX_OF[a.dtype], copy=False))


@differentiable("linalg.qr")
def qr(x, /, *, mode="reduced"):
    """QR decomposition of a (stack of) matrices: ``QRResult(Q, R)``.

    ``mode="reduced"``: ``Q`` is ``(..., M, K)`` and ``R`` is ``(..., K, N)`` with
    ``K = min(M, N)``; ``mode="complete"``: ``(..., M, M)`` and ``(..., M, N)``.
    Signs are LAPACK's (``geqrf``), as NumPy.

    Examples
    --------
    >>> import minitensor as xp
    >>> q, r = xp.linalg.qr(xp.ones((3, 2)))
    >>> q.shape, r.shape
    ((3, 2), (2, 2))
    """
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced' or 'complete', got {mode!r}")
    a = _float_matrix("qr", x)
    q, r = np.linalg.qr(a, mode=mode)
    return QRResult(_new(q), _new(r))


@differentiable("linalg.svd")
def svd(x, /, *, full_matrices=True):
    """Singular value decomposition ``x = U @ diag(S) @ Vh``: ``SVDResult(U, S, Vh)``.

    ``S`` (real, descending) has shape ``(..., K)``, ``K = min(M, N)``. With
    ``full_matrices=True`` ``U`` is ``(..., M, M)`` and ``Vh`` ``(..., N, N)``;
    with ``False`` they are ``(..., M, K)`` and ``(..., K, N)``. The singular
    vectors are LAPACK's (``gesdd``), identical to ``numpy.linalg.svd``.

    Examples
    --------
    >>> import minitensor as xp
    >>> u, s, vh = xp.linalg.svd(xp.asarray([[3.0, 0.0], [0.0, 4.0], [0.0, 0.0]]),
    ...                          full_matrices=False)
    >>> s
    Tensor([4., 3.], dtype=float64)
    >>> u.shape, vh.shape
    ((3, 2), (2, 2))
    """
    a = _float_matrix("svd", x)
    u, s, vh = np.linalg.svd(a, full_matrices=builtins.bool(full_matrices))
    return SVDResult(_new(u), _new(_real(s, a)), _new(vh))


@differentiable("linalg.svdvals")
def svdvals(x, /):
    """Singular values (descending, real dtype) of a (stack of) matrices.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.linalg.svdvals(xp.asarray([[3.0, 0.0], [0.0, -4.0]]))
    Tensor([4., 3.], dtype=float64)
    """
    a = _float_matrix("svdvals", x)
    return _new(_real(np.linalg.svdvals(a), a))


# ---------------------------------------------------------------------------
# determinants, inverses and solvers
# ---------------------------------------------------------------------------
@differentiable("linalg.det")
def det(x, /):
    """Determinant of a (stack of) square matrices; 0-d for a single matrix.

    Examples
    --------
    >>> import minitensor as xp
    >>> float(xp.linalg.det(xp.asarray([[1.0, 2.0], [3.0, 4.0]])))
    -2.0000000000000004
    """
    a = _float_matrix("det", x, square=True)
    return _new(_same(np.linalg.det(a), a))


@differentiable("linalg.slogdet")
def slogdet(x, /):
    """Sign and log of the absolute determinant: ``SlogdetResult(sign, logabsdet)``.

    ``sign`` has the dtype of ``x`` (0 for a singular matrix, a unit complex
    number for complex input); ``logabsdet`` is real (``-inf`` for a singular
    matrix).

    Examples
    --------
    >>> import minitensor as xp
    >>> s, l = xp.linalg.slogdet(xp.asarray([[0.0, 2.0], [3.0, 0.0]]))
    >>> float(s), round(float(l), 6)
    (-1.0, 1.791759)
    """
    a = _float_matrix("slogdet", x, square=True)
    sign, logabsdet = np.linalg.slogdet(a)
    return SlogdetResult(_new(_same(sign, a)), _new(_real(logabsdet, a)))


@differentiable("linalg.inv")
def inv(x, /):
    """Inverse of a (stack of) square matrices; a singular one raises ``LinAlgError``.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.linalg.inv(xp.asarray([[2.0, 0.0], [0.0, 4.0]]))
    Tensor([[0.5 , 0.  ],
            [0.  , 0.25]], dtype=float64)
    """
    a = _float_matrix("inv", x, square=True)
    try:
        r = np.linalg.inv(a)
    except LinAlgError:
        raise LinAlgError(f"inv: x (shape {a.shape}) is singular (or a matrix of the stack "
                          f"is)") from None
    return _new(r)


def _float_pair(name, x1, x2):
    a = _floating(name, _array(name, x1))
    b = _floating(name, _array(name, x2))
    if a.dtype != b.dtype:
        dt = _promotion_table[(_FROM_NP[a.dtype], _FROM_NP[b.dtype])]._np_dtype
        a = a.astype(dt, copy=False)
        b = b.astype(dt, copy=False)
    if a.dtype == _F16:
        raise _half_error(name)
    return a, b


@differentiable("linalg.solve")
def solve(x1, x2, /):
    """Solve ``x1 @ X = x2`` for ``X`` (a stack of square systems).

    ``x1`` has shape ``(..., M, M)``. ``x2`` of shape ``(M,)`` is one right-hand
    side vector for every matrix of the stack (result ``(..., M)``); otherwise
    ``x2`` is ``(..., M, K)`` and the batch dimensions of ``x1`` and ``x2``
    broadcast (result ``(..., M, K)``), as in the standard (2024.12+) and
    NumPy 2. A singular ``x1`` raises ``LinAlgError``.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.linalg.solve(xp.asarray([[2.0, 0.0], [0.0, 4.0]]), xp.asarray([2.0, 2.0]))
    Tensor([1. , 0.5], dtype=float64)
    """
    a, b = _float_pair("solve", x1, x2)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"solve: x1 must be a square matrix or a stack of square matrices, "
                         f"got shape {a.shape}")
    m = a.shape[-1]
    if b.ndim == 0:
        raise ValueError(f"solve: x2 must have at least one dimension, got shape {b.shape}")
    if b.ndim == 1:
        if b.shape[0] != m:
            raise ValueError(f"solve: x2 of shape {b.shape} does not match x1 of shape "
                             f"{a.shape}: its length must be {m}")
    else:
        if b.shape[-2] != m:
            raise ValueError(f"solve: x2 of shape {b.shape} does not match x1 of shape "
                             f"{a.shape}: x2.shape[-2] must be {m}")
        try:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            raise ValueError(f"solve: the batch dimensions of x1 {a.shape} and x2 {b.shape} "
                             f"do not broadcast") from None
    try:
        r = np.linalg.solve(a, b)
    except LinAlgError:
        raise LinAlgError(f"solve: x1 (shape {a.shape}) is singular (or a matrix of the "
                          f"stack is)") from None
    return _new(r)


@differentiable("linalg.pinv")
def pinv(x, /, *, rtol=None):
    """Moore-Penrose pseudo-inverse of a (stack of) matrices, shape ``(..., N, M)``.

    Singular values ``<= rtol * largest`` are treated as zero; ``rtol=None``
    means ``max(M, N) * eps`` (the standard's default). ``rtol`` may be an array
    broadcasting against ``x.shape[:-2]``.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.linalg.pinv(xp.asarray([[1.0, 0.0], [0.0, 0.0]]))
    Tensor([[1., 0.],
            [0., 0.]], dtype=float64)
    """
    a = _float_matrix("pinv", x)
    rtol = _rtol_arg("pinv", rtol)
    return _new(_same(np.linalg.pinv(a, rtol=rtol), a))


def matrix_rank(x, /, *, rtol=None):
    """Rank of a (stack of) matrices: the number of singular values ``> rtol * largest``.

    ``rtol=None`` means ``max(M, N) * eps``. The result has the default integer
    dtype (int64) and shape ``x.shape[:-2]``.

    Examples
    --------
    >>> import minitensor as xp
    >>> int(xp.linalg.matrix_rank(xp.asarray([[1.0, 2.0], [2.0, 4.0]])))
    1
    """
    a = _float_matrix("matrix_rank", x)
    rtol = _rtol_arg("matrix_rank", rtol)
    m, n = a.shape[-2:]
    if m == 0 or n == 0:
        return _new(np.zeros(a.shape[:-2], dtype=_I64))
    s = np.linalg.svdvals(a)
    if rtol is None:
        rtol = max(m, n) * np.finfo(s.dtype).eps
    else:
        rtol = np.asarray(rtol)[..., np.newaxis]
    tol = s.max(axis=-1, keepdims=True) * rtol
    return _new(np.asarray(np.count_nonzero(s > tol, axis=-1), dtype=_I64))


@differentiable("linalg.matrix_power")
def matrix_power(x, n, /):
    """Raise a (stack of) square matrices to the integer power ``n``.

    ``n = 0`` gives identity matrices, ``n < 0`` powers of the inverse (a singular
    matrix raises ``LinAlgError``). Note: as NumPy, integer matrices with
    ``n >= 0`` stay integer (the standard leaves integer input open).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.linalg.matrix_power(xp.asarray([[1.0, 1.0], [0.0, 1.0]]), 3)
    Tensor([[1., 3.],
            [0., 1.]], dtype=float64)
    """
    n = index_arg("matrix_power", "n", n)
    a = _array("matrix_power", x)
    if a.dtype.kind == "b":
        raise TypeError(f"matrix_power() does not support dtype {_FROM_NP[a.dtype]}; it "
                        f"needs a numeric dtype")
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"matrix_power: x must be a square matrix or a stack of square "
                         f"matrices, got shape {a.shape}")
    if n < 0 and a.dtype.kind in "iu":
        a = a.astype(_F64)
    try:
        r = np.linalg.matrix_power(a, n)
    except LinAlgError:
        raise LinAlgError(f"matrix_power: x (shape {a.shape}) is singular, so it has no "
                          f"power {n}") from None
    return _new(r)


@differentiable("linalg.lstsq")
def lstsq(x1, x2, /, rcond=None):
    """Least-squares solution of ``x1 @ X = x2`` (not in the standard; NumPy's API).

    Note: an extra for SciPy (``scipy.signal`` uses ``xp.linalg.lstsq`` when the
    namespace has it). Returns ``(solution, residuals, rank, singular_values)``
    as ``numpy.linalg.lstsq``; ``rcond=None`` means ``max(M, N) * eps``. No
    batching (as NumPy).

    Examples
    --------
    >>> import minitensor as xp
    >>> sol, res, rank, s = xp.linalg.lstsq(xp.asarray([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]),
    ...                                     xp.asarray([1.0, 2.0, 3.0]))
    >>> sol, int(rank)
    (Tensor([1., 2.], dtype=float64), 2)
    """
    a, b = _float_pair("lstsq", x1, x2)
    if a.ndim != 2:
        raise ValueError(f"lstsq: x1 must be a matrix, got shape {a.shape}")
    if b.ndim not in (1, 2) or b.shape[0] != a.shape[0]:
        raise ValueError(f"lstsq: x2 of shape {b.shape} does not match x1 of shape {a.shape}")
    if isinstance(rcond, Tensor):
        rcond = float(rcond)
    sol, res, rank, s = np.linalg.lstsq(a, b, rcond=rcond)
    return (_new(sol), _new(res), _new(np.asarray(rank, dtype=_I64)), _new(_real(s, a)))


# ---------------------------------------------------------------------------
# norms
# ---------------------------------------------------------------------------
_MATRIX_ORDS = ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)


@differentiable("linalg.matrix_norm")
def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """Matrix norm of a (stack of) matrices (over the last two axes).

    ``ord``: ``'fro'`` (default), ``'nuc'``, ``1``/``-1`` (max/min column abs
    sum), ``2``/``-2`` (largest/smallest singular value), ``inf``/``-inf``
    (max/min row abs sum). The result is real with ``x``'s precision.

    Examples
    --------
    >>> import minitensor as xp
    >>> a = xp.asarray([[3.0, 0.0], [0.0, -4.0]])
    >>> float(xp.linalg.matrix_norm(a)), float(xp.linalg.matrix_norm(a, ord=2))
    (5.0, 4.0)
    """
    if isinstance(ord, str):
        ok = ord in ("fro", "nuc")
    elif isinstance(ord, (bool, np.bool_)):
        ok = False
    else:
        ok = isinstance(ord, (int, float, np.integer, np.floating)) and ord in _MATRIX_ORDS
    if not ok:
        raise ValueError(f"matrix_norm: ord must be one of 'fro', 'nuc', 1, -1, 2, -2, inf, "
                         f"-inf, got {ord!r}")
    a = _float_matrix("matrix_norm", x)
    if a.dtype == _F16 and ord in ("nuc", 2, -2):  # singular values: as NumPy
        raise _half_error("matrix_norm")
    try:
        r = np.linalg.matrix_norm(a, keepdims=builtins.bool(keepdims), ord=ord)
    except ValueError:
        raise ValueError(f"matrix_norm: ord={ord!r} is undefined for empty matrices "
                         f"(x has shape {a.shape})") from None
    return _new(_real(r, a))


@differentiable("linalg.vector_norm")
def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """Vector norm of ``x`` over ``axis`` (None: all elements; an int; a tuple).

    ``ord``: any real ``p`` (``sum(abs(x)**p)**(1/p)``), ``inf``/``-inf``
    (max/min of ``abs(x)``), ``0`` (number of non-zero elements). The result is
    real with ``x``'s precision. Note: the norm of an empty vector is 0 for
    ``ord >= 0`` and ``inf`` for ``ord < 0`` (NumPy raises for ``ord=±inf``).

    Examples
    --------
    >>> import minitensor as xp
    >>> x = xp.asarray([[3.0, 4.0], [-1.0, 0.0]])
    >>> xp.linalg.vector_norm(x, axis=1)
    Tensor([5., 1.], dtype=float64)
    >>> float(xp.linalg.vector_norm(x, ord=xp.inf))
    4.0
    """
    if isinstance(ord, (bool, np.bool_)) or not isinstance(ord, (int, float, np.integer,
                                                                 np.floating)):
        raise ValueError(f"vector_norm: ord must be a real number (or inf, -inf), got {ord!r}")
    ord = float(ord)
    if math.isnan(ord):
        raise ValueError("vector_norm: ord must not be nan")
    a = _floating("vector_norm", _array("vector_norm", x))
    nd = a.ndim
    if axis is None:
        axes = tuple(range(nd))
    else:
        seq = axis if isinstance(axis, tuple) else (axis,)
        axes = []
        for ax in seq:
            axes.append(_check_axis("vector_norm", index_arg("vector_norm", "axis", ax), nd))
        if len(set(axes)) != len(axes):
            raise ValueError(f"vector_norm: repeated axis in {axis!r}")
        axes = tuple(axes)
    keepdims = builtins.bool(keepdims)
    count = math.prod(a.shape[i] for i in axes)
    if count == 0:
        shape = tuple(1 if i in axes else s for i, s in enumerate(a.shape)) if keepdims else \
            tuple(s for i, s in enumerate(a.shape) if i not in axes)
        return _new(np.full(shape, 0.0 if ord >= 0 else np.inf, dtype=_REAL_OF[a.dtype]))
    with np.errstate(divide="ignore", over="ignore"):
        r = np.linalg.vector_norm(a, axis=None if axis is None else axes, keepdims=keepdims,
                                  ord=ord)
    return _new(_real(r, a))


# ---------------------------------------------------------------------------
# products and matrix helpers
# ---------------------------------------------------------------------------
@differentiable("linalg.cross")
def cross(x1, x2, /, *, axis=-1):
    """Cross product of 3-element vectors along ``axis`` (other axes broadcast).

    The ``axis`` dimension must have size 3 in both ``x1`` and ``x2`` (it does not
    broadcast). ``axis`` counts from the end (``-1`` = last axis).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.linalg.cross(xp.asarray([1.0, 0.0, 0.0]), xp.asarray([0.0, 1.0, 0.0]))
    Tensor([0., 0., 1.], dtype=float64)
    """
    a, b = _numeric_pair("cross", x1, x2)
    axis = _vector_axis("cross", axis, a, b)
    if a.shape[axis] != 3 or b.shape[axis] != 3:
        raise ValueError(f"cross: x1 and x2 must have size 3 along axis {axis}, got shapes "
                         f"{a.shape} and {b.shape}")
    _check_batch("cross", a, b, axis)
    return _new(np.cross(a, b, axis=axis))


@differentiable("linalg.outer")
def outer(x1, x2, /):
    """Outer product of two vectors: shape ``(N, M)``, promoted dtype.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.linalg.outer(xp.asarray([1, 2]), xp.asarray([1, 10, 100]))
    Tensor([[  1,  10, 100],
            [  2,  20, 200]], dtype=int64)
    """
    a, b = _numeric_pair("outer", x1, x2)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"outer: x1 and x2 must be 1-D, got shapes {a.shape} and {b.shape}")
    return _new(np.multiply.outer(a, b))


@differentiable("linalg.diagonal")
def diagonal(x, /, *, offset=0):
    """The ``offset`` diagonal of each matrix of ``x`` (a read-only view, as NumPy).

    Examples
    --------
    >>> import minitensor as xp
    >>> x = xp.asarray([[1, 2, 3], [4, 5, 6]])
    >>> xp.linalg.diagonal(x), xp.linalg.diagonal(x, offset=1)
    (Tensor([1, 5], dtype=int64), Tensor([2, 6], dtype=int64))
    """
    offset = index_arg("diagonal", "offset", offset)
    a = _array("diagonal", x)
    if a.ndim < 2:
        raise ValueError(f"diagonal: x must have at least 2 dimensions, got shape {a.shape}")
    return _new(np.diagonal(a, offset, -2, -1))


# dtype=None accumulation dtype of trace, by dtype kind (as ``sum``)
_DEFAULT_ACC = {"b": _I64, "i": _I64, "u": _U64}


@differentiable("linalg.trace")
def trace(x, /, *, offset=0, dtype=None):
    """Sum of the ``offset`` diagonal of each matrix of ``x``; shape ``x.shape[:-2]``.

    With ``dtype=None`` floating-point input keeps its dtype, signed integers
    accumulate in int64 and unsigned ones in uint64 (the standard's rule).
    Note: boolean input counts in int64, as ``sum`` and NumPy.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.linalg.trace(xp.asarray([[1, 2], [3, 4]]))
    Tensor(5, dtype=int64)
    """
    offset = index_arg("trace", "offset", offset)
    a = _array("trace", x)
    if a.ndim < 2:
        raise ValueError(f"trace: x must have at least 2 dimensions, got shape {a.shape}")
    if dtype is None:
        acc = _DEFAULT_ACC.get(a.dtype.kind, a.dtype)
    else:
        acc = _as_dtype(dtype)._np_dtype
        if a.dtype.kind == "c" and acc.kind != "c":
            raise TypeError(f"trace: cannot sum complex {_FROM_NP[a.dtype]} input in "
                            f"{_FROM_NP[acc]}")
    return _wrap(np.trace(a, offset, -2, -1, dtype=acc))

