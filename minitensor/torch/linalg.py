"""``torch.linalg`` in the face: :mod:`minitensor.linalg` with PyTorch's signatures.

The namespace's functions are re-exported; those whose PyTorch signature differs
(``dim=``/``keepdim=`` instead of ``axis=``/``keepdims=``, positional options) are
wrapped here. Results are the namespace's.

Examples
--------
>>> import minitensor.torch as torch
>>> A = torch.tensor([[3.0, 0.0], [0.0, 4.0]])
>>> torch.linalg.norm(A), torch.linalg.vector_norm(A, ord=1, dim=1)
(Tensor(5., dtype=float32), Tensor([3., 4.], dtype=float32))
>>> torch.linalg.inv(A) @ A
Tensor([[1., 0.],
        [0., 1.]], dtype=float32)
"""
import minitensor as _mt

from ._reexport import reexport as _reexport

_reexport(globals(), "minitensor.linalg")
del _reexport


def _float(x):
    from ._functions import _float
    return _float(x)


def _axis(dim):
    return tuple(dim) if isinstance(dim, list) else dim


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The vector ``ord``-norm over ``dim`` (all elements by default).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.linalg.vector_norm(torch.tensor([3.0, -4.0]))
    Tensor(5., dtype=float32)
    """
    if dtype is not None:
        x = _mt.astype(x, dtype)
    return _mt.linalg.vector_norm(_float(x), axis=_axis(dim), keepdims=keepdim, ord=ord)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """The matrix norm (``"fro"``, ``"nuc"``, ``inf``, ``-inf``, 1, -1, 2, -2) over the
    two dimensions ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.linalg.matrix_norm(torch.eye(2))
    Tensor(1.4142135, dtype=float32)
    """
    if dtype is not None:
        A = _mt.astype(A, dtype)
    d = tuple(dim)
    x = _mt.moveaxis(_float(A), d, (-2, -1))
    r = _mt.linalg.matrix_norm(x, ord=ord, keepdims=keepdim)
    return _mt.moveaxis(r, (-2, -1), d) if keepdim else r


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """A vector norm (1-D, or ``dim`` an int) or matrix norm (2-D, or ``dim`` a pair);
    with ``ord`` and ``dim`` both None, the 2-norm of all elements.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.linalg.norm(torch.tensor([[1.0, 2.0], [2.0, 4.0]]), ord="fro")
    Tensor(5., dtype=float32)
    """
    if dim is not None and not isinstance(dim, int) and len(tuple(dim)) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    if dim is None and ord is not None and A.ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def cross(input, other, *, dim=-1, out=None):
    """The cross product of 3-vectors along ``dim``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.linalg.cross(torch.tensor([1.0, 0.0, 0.0]), torch.tensor([0.0, 1.0, 0.0]))
    Tensor([0., 0., 1.], dtype=float32)
    """
    return _mt.linalg.cross(input, other, axis=dim)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonals of the matrices in the planes ``(dim1, dim2)``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.linalg.diagonal(torch.eye(2))
    Tensor([1., 1.], dtype=float32)
    """
    return _mt.linalg.diagonal(_mt.moveaxis(A, (dim1, dim2), (-2, -1)), offset=offset)


def vecdot(x, y, *, dim=-1, out=None):
    """The dot product along ``dim`` (conjugating ``x``).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.linalg.vecdot(torch.ones(2, 3), torch.ones(2, 3))
    Tensor([3., 3.], dtype=float32)
    """
    return _mt.linalg.vecdot(x, y, axis=dim)


def svd(A, full_matrices=True, *, driver=None, out=None):
    """The singular value decomposition ``(U, S, Vh)``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> U, S, Vh = torch.linalg.svd(torch.eye(2), full_matrices=False)
    >>> S
    Tensor([1., 1.], dtype=float32)
    """
    return _mt.linalg.svd(A, full_matrices=full_matrices)


def qr(A, mode="reduced", *, out=None):
    """The QR decomposition ``(Q, R)``.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> Q, R = torch.linalg.qr(torch.eye(2))
    >>> Q.shape, R.shape
    ((2, 2), (2, 2))
    """
    return _mt.linalg.qr(A, mode=mode)


def eigh(A, UPLO="L", *, out=None):
    """Eigenvalues and eigenvectors of symmetric (Hermitian) matrices.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.linalg.eigh(torch.tensor([[2.0, 0.0], [0.0, 1.0]])).eigenvalues
    Tensor([1., 2.], dtype=float32)
    """
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"eigh(): UPLO must be 'L' or 'U', got {UPLO!r}")
    if UPLO == "U":
        A = _mt.matrix_transpose(_mt.conj(A)) if A.dtype.kind == "c" \
            else _mt.matrix_transpose(A)
    return _mt.linalg.eigh(A)


def eigvalsh(A, UPLO="L", *, out=None):
    """Eigenvalues of symmetric (Hermitian) matrices, ascending.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.linalg.eigvalsh(torch.tensor([[2.0, 0.0], [0.0, 1.0]]))
    Tensor([1., 2.], dtype=float32)
    """
    return eigh(A, UPLO).eigenvalues


def cholesky(A, *, upper=False, out=None):
    """The Cholesky factor (lower by default).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.linalg.cholesky(torch.tensor([[4.0, 0.0], [0.0, 9.0]]))
    Tensor([[2., 0.],
            [0., 3.]], dtype=float32)
    """
    return _mt.linalg.cholesky(A, upper=upper)


def solve(A, B, *, left=True, out=None):
    """The solution ``X`` of ``A @ X = B`` (``X @ A = B`` with ``left=False``).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.linalg.solve(torch.tensor([[2.0, 0.0], [0.0, 4.0]]), torch.tensor([2.0, 4.0]))
    Tensor([1., 1.], dtype=float32)
    """
    if left:
        return _mt.linalg.solve(A, B)
    return _mt.matrix_transpose(_mt.linalg.solve(_mt.matrix_transpose(A),
                                                 _mt.matrix_transpose(B)))


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The numerical rank.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.linalg.matrix_rank(torch.eye(3))
    Tensor(3, dtype=int64)
    """
    if atol is not None:
        raise NotImplementedError("matrix_rank(): atol= is not supported (use rtol=)")
    return _mt.linalg.matrix_rank(A, rtol=rtol)


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The Moore-Penrose pseudo-inverse.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.linalg.pinv(torch.tensor([[2.0]]))
    Tensor([[0.5]], dtype=float32)
    """
    if atol is not None:
        raise NotImplementedError("pinv(): atol= is not supported (use rtol=)")
    return _mt.linalg.pinv(A, rtol=rtol)


__all__ = sorted(set(__all__) | {"norm"})  # noqa: F821 (set by reexport)
