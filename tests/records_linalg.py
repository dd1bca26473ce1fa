"""Op records of the linear algebra functions: the main-namespace ones (``matmul``,
``matrix_transpose``, ``tensordot``, ``vecdot``) and the ``linalg`` extension.

``ref`` is NumPy with the standard's result dtypes (e.g. ``eig`` of real input is
complex). Decompositions return tuples; the test compares field by field, which
is meaningful because minitensor calls the same LAPACK routines as NumPy
(scikit-learn compares PCA outputs element by element). ``shapes`` include
stacks and 0-size inputs where the function defines them.
"""
import numpy as np

from op_records import OpRecord

_COMPLEX_OF = {np.dtype("float32"): np.complex64, np.dtype("float64"): np.complex128,
               np.dtype("complex64"): np.complex64, np.dtype("complex128"): np.complex128}


def _real_of(a):
    return np.finfo(a.dtype).dtype


# ------------------------------------------------------------------ input domains
def _general(rng, shape, dt):
    a = rng.standard_normal(shape)
    if np.dtype(dt).kind == "c":
        a = a + 1j * rng.standard_normal(shape)
    return a


def _well_conditioned(rng, shape, dt):
    """Square matrices far from singular: random + n * identity (other shapes: random,
    e.g. the right-hand side of ``solve``)."""
    if len(shape) < 2 or shape[-1] != shape[-2]:
        return _general(rng, shape, dt)
    n = shape[-1]
    return _general(rng, shape, dt) + 2 * n * np.eye(n)


def _hermitian(rng, shape, dt):
    a = _general(rng, shape, dt)
    return (a + np.conj(np.swapaxes(a, -1, -2))) / 2


def _positive_definite(rng, shape, dt):
    a = _general(rng, shape, dt)
    n = shape[-1]
    return a @ np.conj(np.swapaxes(a, -1, -2)) + n * np.eye(n)


# ------------------------------------------------------------------ references
def _eig(a):
    w, v = np.linalg.eig(a)
    dt = _COMPLEX_OF[a.dtype]
    return w.astype(dt), v.astype(dt)


def _vecdot(a, b):
    p = np.conj(a) * b
    return np.asarray(np.sum(p, axis=-1, dtype=p.dtype))  # no upcast of small integers


def _trace(a):
    acc = {"i": np.int64, "u": np.uint64, "b": np.int64}.get(a.dtype.kind, a.dtype)
    return np.asarray(np.trace(a, axis1=-2, axis2=-1, dtype=acc))


def _rec(name, ref, *, category="linalg", dtypes="floating-point", differentiable=True, **kw):
    return OpRecord(name=name, category=category, ref=ref, dtypes=dtypes,
                    differentiable=differentiable, **kw)


_SQ = ((3, 3), (2, 4, 4), (1, 1), (0, 0), (0, 2, 2))
_RECT = ((3, 3), (4, 2), (2, 5), (2, 3, 4, 3), (0, 3), (3, 0), (0, 2, 2))
_F32_LOOSE = {"rtol": {"float32": 1e-4, "float64": 1e-10}, "atol": {"float32": 1e-5,
                                                                     "float64": 1e-12}}

RECORDS = [
    # --- main namespace (also aliased in linalg)
    _rec("matmul", np.matmul, category="linear_algebra", nargs=2, dtypes="numeric",
         shapes=(((3, 4), (4, 5)), ((2, 3, 4), (4,)), ((4,), (4,)), ((5, 1, 2, 3), (4, 3, 2)),
                 ((0, 3), (3, 2)), ((2, 0), (0, 3)))),
    _rec("matrix_transpose", lambda a: np.swapaxes(a, -1, -2), category="linear_algebra",
         dtypes="all", shapes=((3, 4), (2, 3, 4), (0, 3))),
    _rec("tensordot", lambda a, b: np.tensordot(a, b, axes=2), category="linear_algebra",
         nargs=2, dtypes="numeric",
         shapes=(((2, 3, 4), (3, 4, 5)), ((3, 4), (3, 4)), ((0, 2, 3), (2, 3, 1)))),
    _rec("vecdot", _vecdot, category="linear_algebra",
         nargs=2, dtypes="numeric",
         shapes=(((5,), (5,)), ((3, 4), (4,)), ((2, 1, 3), (4, 3)), ((2, 0), (2, 0)))),
    # --- linalg extension
    _rec("linalg.cholesky", np.linalg.cholesky, domain=_positive_definite, shapes=_SQ),
    _rec("linalg.cross", lambda a, b: np.cross(a, b), nargs=2, dtypes="numeric",
         shapes=(((3,), (3,)), ((4, 3), (3,)), ((2, 1, 3), (5, 3)), ((0, 3), (1, 3)))),
    _rec("linalg.det", np.linalg.det, shapes=_SQ, **_F32_LOOSE),
    _rec("linalg.diagonal", lambda a: np.diagonal(a, 0, -2, -1), dtypes="all",
         shapes=((3, 4), (2, 4, 3), (0, 2))),
    _rec("linalg.eig", _eig, shapes=((3, 3), (2, 4, 4), (0, 0))),
    _rec("linalg.eigh", lambda a: tuple(np.linalg.eigh(a)), domain=_hermitian, shapes=_SQ),
    _rec("linalg.eigvals", lambda a: np.linalg.eigvals(a).astype(_COMPLEX_OF[a.dtype]),
         shapes=((3, 3), (2, 4, 4), (0, 0))),
    _rec("linalg.eigvalsh", np.linalg.eigvalsh, domain=_hermitian, shapes=_SQ),
    _rec("linalg.inv", np.linalg.inv, domain=_well_conditioned, shapes=_SQ),
    _rec("linalg.matrix_norm", lambda a: np.linalg.matrix_norm(a).astype(_real_of(a)),
         shapes=_RECT),
    _rec("linalg.matrix_power", lambda a: np.linalg.matrix_power(a, 3), shapes=_SQ,
         kwargs={"n": 3}),
    _rec("linalg.matrix_rank", lambda a: np.linalg.matrix_rank(a).astype(np.int64),
         shapes=((3, 3), (4, 2), (2, 3, 5)), differentiable=False),
    _rec("linalg.outer", np.outer, nargs=2, dtypes="numeric",
         shapes=(((3,), (4,)), ((0,), (2,)))),
    _rec("linalg.pinv", np.linalg.pinv, shapes=_RECT, **_F32_LOOSE),
    _rec("linalg.qr", lambda a: tuple(np.linalg.qr(a)), shapes=_RECT),
    _rec("linalg.slogdet", lambda a: tuple(np.linalg.slogdet(a)), shapes=_SQ),
    _rec("linalg.solve", np.linalg.solve, nargs=2, domain=_well_conditioned,
         shapes=(((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (3,)), ((2, 3, 3), (1, 3, 4)),
                 ((4, 1, 2, 2), (3, 2, 1)), ((0, 0), (0,)))),
    _rec("linalg.svd", lambda a: tuple(np.linalg.svd(a)), shapes=_RECT),
    _rec("linalg.svdvals", np.linalg.svdvals, shapes=_RECT),
    _rec("linalg.trace", _trace, dtypes="numeric", shapes=((3, 3), (2, 3, 4), (0, 2))),
    _rec("linalg.vector_norm", lambda a: np.asarray(np.linalg.vector_norm(a)),
         shapes=((5,), (3, 4), (2, 3, 4), ())),
]
