"""Linear algebra: ``matmul``, ``matrix_transpose``, ``tensordot``, ``vecdot`` and the
``linalg`` extension, compared with NumPy (values, dtypes, shapes, stacks, 0-size),
plus decomposition identities and bad input.

Forward tests are driven by ``records_linalg.RECORDS``.
"""
import math

import numpy as np
import pytest

import minitensor as xp
from op_records import random_input, records

RECS = records(category="linalg") + records(category="linear_algebra")
DTYPES = {
    "floating-point": ("float32", "float64", "complex64", "complex128"),
    "numeric": ("int8", "uint8", "int64", "float32", "float64", "complex128"),
    "all": ("bool", "int16", "float32", "complex64"),
}


def _func(name):
    obj = xp
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def _cases():
    for rec in RECS:
        for dt in DTYPES[rec.dtypes]:
            for shapes in rec.shapes:
                if rec.nargs == 1:
                    shapes = (shapes,)
                yield pytest.param(rec, dt, shapes, id=f"{rec.name}-{dt}-{shapes}")


def _check(got, want, rec, dt):
    assert isinstance(got, xp.Tensor)
    want = np.asarray(want)
    assert got.shape == want.shape
    assert got.dtype == xp.asarray(want).dtype, (got.dtype, want.dtype)
    rtol, atol = rec.tol(dt)
    if want.dtype.kind in "fc":
        np.testing.assert_allclose(np.asarray(got), want, rtol=rtol, atol=atol)
    else:
        np.testing.assert_array_equal(np.asarray(got), want)


@pytest.mark.parametrize("rec, dt, shapes", list(_cases()))
def test_forward_vs_numpy(rec, dt, shapes):
    rng = np.random.default_rng(0)
    args = [random_input(rng, s, dt, rec.domain) for s in shapes]
    kwargs = dict(rec.kwargs)
    n = kwargs.pop("n", None)
    xargs = [xp.asarray(a) for a in args] + ([n] if n is not None else [])
    got = _func(rec.name)(*xargs, **kwargs)
    want = rec.ref(*args)
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and type(got) is not tuple  # a namedtuple
        assert len(got) == len(want)
        for g, w in zip(got, want):
            _check(g, w, rec, dt)
    else:
        _check(got, want, rec, dt)


def test_every_function_has_a_record():
    names = {r.name for r in RECS}
    for name in xp.linalg.__all__:
        if name[0].islower() and name != "lstsq":
            assert f"linalg.{name}" in names or name in names, name


# ---------------------------------------------------------------- stubs / exports
def test_exports():
    assert {"linalg", "fft", "matrix_transpose", "tensordot", "vecdot"} <= set(xp.__all__)
    import minitensor.linalg
    assert xp.linalg is minitensor.linalg
    for name in ("matmul", "matrix_transpose", "tensordot", "vecdot"):
        assert getattr(xp.linalg, name) is getattr(xp, name)


def test_namedtuple_fields():
    a = xp.asarray([[2.0, 1.0], [1.0, 3.0]])
    assert xp.linalg.eigh(a)._fields == ("eigenvalues", "eigenvectors")
    assert xp.linalg.eig(a)._fields == ("eigenvalues", "eigenvectors")
    assert xp.linalg.qr(a)._fields == ("Q", "R")
    assert xp.linalg.slogdet(a)._fields == ("sign", "logabsdet")
    assert xp.linalg.svd(a)._fields == ("U", "S", "Vh")
    assert type(xp.linalg.svd(a)).__name__ == "SVDResult"


# ---------------------------------------------------------------- keyword variants
def _rand(shape, dt="float64", seed=1):
    return random_input(np.random.default_rng(seed), shape, dt)


@pytest.mark.parametrize("dt", ["float32", "complex128"])
@pytest.mark.parametrize("full", [True, False])
@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4), (0, 3)])
def test_svd_full_matrices(dt, full, shape):
    a = _rand(shape, dt)
    u, s, vh = xp.linalg.svd(xp.asarray(a), full_matrices=full)
    nu, ns, nvh = np.linalg.svd(a, full_matrices=full)
    for g, w in ((u, nu), (s, ns), (vh, nvh)):
        assert g.shape == w.shape and np.asarray(g).dtype == w.dtype
        np.testing.assert_array_equal(np.asarray(g), w)  # same LAPACK call: identical
    if min(shape) > 0:
        k = min(shape[-2:])
        rec = (np.asarray(u)[..., :, :k] * np.asarray(s)[..., None, :]) @ np.asarray(vh)[..., :k, :]
        np.testing.assert_allclose(rec, a, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("mode", ["reduced", "complete"])
@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4)])
def test_qr_modes(mode, shape):
    a = _rand(shape)
    q, r = xp.linalg.qr(xp.asarray(a), mode=mode)
    nq, nr = np.linalg.qr(a, mode=mode)
    np.testing.assert_array_equal(np.asarray(q), nq)
    np.testing.assert_array_equal(np.asarray(r), nr)
    np.testing.assert_allclose(np.asarray(q) @ np.asarray(r), a, atol=1e-12)
    np.testing.assert_array_equal(np.asarray(r), np.triu(np.asarray(r)))


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("dt", ["float32", "complex128"])
def test_cholesky_upper(upper, dt):
    a = _rand((2, 4, 4), dt)
    a = (a @ np.conj(np.swapaxes(a, -1, -2)) + 4 * np.eye(4)).astype(dt)
    r = np.asarray(xp.linalg.cholesky(xp.asarray(a), upper=upper))
    assert r.dtype == np.dtype(dt)
    rh = np.conj(np.swapaxes(r, -1, -2))
    np.testing.assert_allclose(rh @ r if upper else r @ rh, a, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(r, np.triu(r) if upper else np.tril(r))


@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("dt", ["float32", "complex128"])
def test_matrix_norm_ords(ord, keepdims, dt):
    a = _rand((2, 3, 4), dt)
    got = xp.linalg.matrix_norm(xp.asarray(a), ord=ord, keepdims=keepdims)
    want = np.linalg.matrix_norm(a, ord=ord, keepdims=keepdims)
    assert got.shape == want.shape
    assert got.dtype == (xp.float32 if dt == "float32" else xp.float64)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5)


@pytest.mark.parametrize("ord", [2, 1, 0, -1, -2, math.inf, -math.inf, 3, 0.5, -2.5])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2), (2, 0, 1), ()])
@pytest.mark.parametrize("keepdims", [False, True])
def test_vector_norm_variants(ord, axis, keepdims):
    a = _rand((2, 3, 4))
    a[0, 0, 0] = 0.0
    got = xp.linalg.vector_norm(xp.asarray(a), axis=axis, keepdims=keepdims, ord=ord)
    with np.errstate(divide="ignore"):
        want = np.asarray(np.linalg.vector_norm(a, axis=axis, keepdims=keepdims, ord=ord))
    assert got.shape == want.shape and got.dtype == xp.float64
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-12)


@pytest.mark.parametrize("dt, rdt", [("float32", "float32"), ("complex64", "float32"),
                                     ("complex128", "float64"), ("int32", "float64")])
def test_vector_norm_dtype(dt, rdt):
    a = _rand((3, 4), dt)
    got = xp.linalg.vector_norm(xp.asarray(a), axis=0)
    assert got.dtype == xp.asarray(np.zeros(1, rdt)).dtype
    np.testing.assert_allclose(np.asarray(got), np.linalg.vector_norm(a.astype(complex), axis=0),
                               rtol=1e-6)


def test_vector_norm_empty():
    e = xp.zeros((0, 3))
    assert np.asarray(xp.linalg.vector_norm(e, axis=0)).tolist() == [0.0, 0.0, 0.0]
    assert float(xp.linalg.vector_norm(e, ord=math.inf)) == 0.0
    assert float(xp.linalg.vector_norm(e, ord=-1)) == math.inf
    assert xp.linalg.vector_norm(e, axis=1).shape == (0,)


@pytest.mark.parametrize("offset", [-3, -1, 0, 2, 10])
def test_diagonal_trace_offsets(offset):
    a = np.arange(2 * 3 * 4).reshape(2, 3, 4).astype(np.int16)
    d = xp.linalg.diagonal(xp.asarray(a), offset=offset)
    np.testing.assert_array_equal(np.asarray(d), np.diagonal(a, offset, -2, -1))
    t = xp.linalg.trace(xp.asarray(a), offset=offset)
    assert t.dtype == xp.int64
    np.testing.assert_array_equal(np.asarray(t), np.trace(a, offset, -2, -1, dtype=np.int64))


def test_diagonal_is_a_view():
    a = xp.asarray(np.arange(9.0).reshape(3, 3))
    assert np.shares_memory(np.asarray(xp.linalg.diagonal(a)), np.asarray(a))


@pytest.mark.parametrize("dt, acc, want", [("uint8", None, "uint64"), ("int8", None, "int64"),
                                           ("float32", None, "float32"),
                                           ("int8", "float32", "float32"),
                                           ("complex64", None, "complex64")])
def test_trace_dtype(dt, acc, want):
    a = xp.asarray(np.ones((3, 3), dt))
    t = xp.linalg.trace(a, dtype=None if acc is None else getattr(xp, acc))
    assert t.dtype == getattr(xp, want) and t.shape == ()
    assert complex(t) == 3


@pytest.mark.parametrize("n", [-3, -1, 0, 1, 2, 5])
def test_matrix_power(n):
    a = np.random.default_rng(2).standard_normal((2, 3, 3)) + 3 * np.eye(3)
    got = xp.linalg.matrix_power(xp.asarray(a), n)
    np.testing.assert_allclose(np.asarray(got), np.linalg.matrix_power(a, n), rtol=1e-10)
    ai = np.array([[1, 1], [0, 1]])
    assert xp.linalg.matrix_power(xp.asarray(ai), 3).dtype == xp.int64  # NumPy keeps ints
    assert xp.linalg.matrix_power(xp.asarray(ai), -1).dtype == xp.float64


def test_matrix_rank_and_pinv_rtol():
    a = np.diag([1.0, 1e-3, 1e-9])
    x = xp.asarray(a)
    assert int(xp.linalg.matrix_rank(x)) == 3
    assert int(xp.linalg.matrix_rank(x, rtol=1e-6)) == 2
    assert int(xp.linalg.matrix_rank(x, rtol=0.01)) == 1
    stack = xp.asarray(np.stack([a, a]))
    r = xp.linalg.matrix_rank(stack, rtol=xp.asarray([1e-6, 0.01]))
    assert r.dtype == xp.int64 and np.asarray(r).tolist() == [2, 1]
    np.testing.assert_allclose(np.asarray(xp.linalg.pinv(x, rtol=1e-6)),
                               np.linalg.pinv(a, rtol=1e-6))
    p = xp.linalg.pinv(stack, rtol=xp.asarray([1e-6, 0.01]))
    np.testing.assert_allclose(np.asarray(p)[1], np.diag([1.0, 0.0, 0.0]))
    assert xp.linalg.matrix_rank(xp.zeros((2, 0, 3))).shape == (2,)


def test_eig_reconstruction_float32():
    a = _rand((3, 4, 4), "float32")
    w, v = xp.linalg.eig(xp.asarray(a))
    assert w.dtype == xp.complex64 and v.dtype == xp.complex64
    w, v = np.asarray(w), np.asarray(v)
    np.testing.assert_allclose(a @ v, v * w[..., None, :], rtol=1e-3, atol=1e-4)


def test_eigh_reconstruction():
    a = _rand((2, 5, 5), "complex128")
    a = a + np.conj(np.swapaxes(a, -1, -2))
    w, v = xp.linalg.eigh(xp.asarray(a))
    assert w.dtype == xp.float64 and v.dtype == xp.complex128
    w, v = np.asarray(w), np.asarray(v)
    np.testing.assert_allclose((v * w[..., None, :]) @ np.conj(np.swapaxes(v, -1, -2)), a,
                               atol=1e-12)


def test_slogdet_singular_and_det():
    s, l = xp.linalg.slogdet(xp.asarray([[1.0, 2.0], [2.0, 4.0]]))
    assert float(s) == 0.0 and float(l) == -math.inf
    a = _rand((3, 3, 3))
    s, l = xp.linalg.slogdet(xp.asarray(a))
    np.testing.assert_allclose(np.asarray(s) * np.exp(np.asarray(l)), np.linalg.det(a))
    assert xp.linalg.det(xp.asarray(a[0])).shape == ()


def test_solve_broadcasting():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((2, 1, 3, 3)) + 3 * np.eye(3)
    b1 = rng.standard_normal(3)
    r = xp.linalg.solve(xp.asarray(a), xp.asarray(b1))
    assert r.shape == (2, 1, 3)
    np.testing.assert_allclose(np.asarray(a) @ np.asarray(r)[..., None], np.broadcast_to(
        b1[:, None], (2, 1, 3, 1)), atol=1e-12)
    b = rng.standard_normal((4, 3, 2))
    r = xp.linalg.solve(xp.asarray(a), xp.asarray(b))
    assert r.shape == (2, 4, 3, 2)
    np.testing.assert_allclose(a @ np.asarray(r), np.broadcast_to(b, (2, 4, 3, 2)), atol=1e-12)
    # mixed precision promotes
    r = xp.linalg.solve(xp.asarray(a.astype(np.float32)), xp.asarray(b1))
    assert r.dtype == xp.float64
    r = xp.linalg.solve(xp.asarray(a.astype(np.float32)), xp.asarray(b.astype(np.complex64)))
    assert r.dtype == xp.complex64


def test_integer_input_computes_in_float64():
    a = xp.asarray([[2, 0], [0, 4]])
    assert xp.linalg.inv(a).dtype == xp.float64
    assert xp.linalg.det(a).dtype == xp.float64
    assert xp.linalg.svdvals(a).dtype == xp.float64


# ---------------------------------------------------------------- top-level functions
@pytest.mark.parametrize("axes, s1, s2", [
    (0, (2, 3), (4,)), (1, (2, 3), (3, 4)), (2, (2, 3, 4), (3, 4, 5)),
    (([1, 0], [0, 1]), (3, 2), (2, 3)), (([-1], [0]), (2, 5), (5, 2)), (((), ()), (2,), (3,)),
    (0, (), ()),
])
def test_tensordot_axes(axes, s1, s2):
    a, b = _rand(s1), _rand(s2, seed=2)
    got = xp.tensordot(xp.asarray(a), xp.asarray(b), axes=axes)
    want = np.tensordot(a, b, axes=axes)
    assert got.shape == want.shape
    np.testing.assert_allclose(np.asarray(got), want)


def test_tensordot_promotes_and_no_conj():
    a = np.array([1j, 2])
    got = xp.tensordot(xp.asarray(a), xp.asarray(np.array([1, 1], np.int8)), axes=1)
    assert got.dtype == xp.complex128 and complex(got) == 2 + 1j
    got = xp.tensordot(xp.asarray(np.ones(3, np.int8)), xp.asarray(np.ones(3, np.uint8)), axes=1)
    assert got.dtype == xp.int16 and int(got) == 3


@pytest.mark.parametrize("axis, s1, s2", [(-1, (3,), (3,)), (-2, (4, 3), (4, 3)),
                                          (-2, (2, 4, 3), (4, 1)), (0, (4, 3), (4, 3)),
                                          (-1, (2, 0), (0,))])
def test_vecdot_axis(axis, s1, s2):
    a, b = _rand(s1, "complex128"), _rand(s2, "complex128", seed=2)
    got = xp.vecdot(xp.asarray(a), xp.asarray(b), axis=axis)
    want = np.sum(np.conj(a) * b, axis=axis if axis < 0 else axis - max(len(s1), len(s2)))
    assert got.shape == want.shape and got.dtype == xp.complex128
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-12, atol=1e-12)


def test_vecdot_conjugates_x1():
    got = xp.linalg.vecdot(xp.asarray([1j, 2j, 3j]), xp.asarray([1, 2j, 3]))
    assert complex(got) == 4 - 10j


def test_matrix_transpose_view():
    a = xp.asarray(np.arange(24).reshape(2, 3, 4))
    t = xp.matrix_transpose(a)
    assert t.shape == (2, 4, 3) and np.shares_memory(np.asarray(t), np.asarray(a))


@pytest.mark.parametrize("axis", [-1, -2, 1])
def test_cross_axis(axis):
    a, b = _rand((3, 3, 3)), _rand((3, 3), seed=2)
    got = xp.linalg.cross(xp.asarray(a), xp.asarray(b), axis=axis)
    neg = axis if axis < 0 else axis - 3
    want = np.cross(a, b, axis=neg)
    np.testing.assert_allclose(np.asarray(got), want)


# ---------------------------------------------------------------- bad input
SQUARE_ONLY = ["cholesky", "det", "eig", "eigh", "eigvals", "eigvalsh", "inv", "slogdet"]


@pytest.mark.parametrize("name", SQUARE_ONLY)
def test_non_square_raises_value_error(name):
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        getattr(xp.linalg, name)(xp.ones((2, 3)))
    with pytest.raises(ValueError, match=r"\(3,\)"):
        getattr(xp.linalg, name)(xp.ones(3))


def test_non_square_matrix_power_and_solve():
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        xp.linalg.matrix_power(xp.ones((2, 3)), 2)
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        xp.linalg.solve(xp.ones((2, 3)), xp.ones(2))


@pytest.mark.parametrize("name", SQUARE_ONLY + ["qr", "svd", "svdvals", "pinv", "matrix_rank",
                                                "matrix_norm", "vector_norm"])
def test_bool_dtype_raises_type_error(name):
    with pytest.raises(TypeError, match=rf"{name}.*bool"):
        getattr(xp.linalg, name)(xp.ones((2, 2), dtype=xp.bool))


@pytest.mark.parametrize("call", [lambda a: xp.linalg.inv(a), lambda a: xp.linalg.solve(a, xp.ones(2)),
                                  lambda a: xp.linalg.matrix_power(a, -2)])
def test_singular_raises(call):
    a = xp.asarray([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(np.linalg.LinAlgError, match="singular") as e:
        call(a)
    assert isinstance(e.value, ValueError)
    assert xp.linalg.LinAlgError is np.linalg.LinAlgError


def test_cholesky_not_positive_definite():
    with pytest.raises(xp.linalg.LinAlgError, match="positive definite"):
        xp.linalg.cholesky(xp.asarray([[1.0, 2.0], [2.0, 1.0]]))


def test_solve_bad_shapes():
    a = xp.ones((2, 3, 3))
    with pytest.raises(ValueError, match=r"\(4,\)"):
        xp.linalg.solve(a, xp.ones(4))
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        xp.linalg.solve(a, xp.ones((2, 3)))  # 2-D x2 is a matrix (M, K): M must be 3
    with pytest.raises(ValueError, match="broadcast"):
        xp.linalg.solve(a, xp.ones((4, 3, 1)))


def test_bad_keywords():
    with pytest.raises(ValueError, match="mode"):
        xp.linalg.qr(xp.ones((2, 2)), mode="r")
    for ord in ("f", 3, None, True):
        with pytest.raises(ValueError, match="ord"):
            xp.linalg.matrix_norm(xp.ones((2, 2)), ord=ord)
    with pytest.raises(ValueError, match="ord"):
        xp.linalg.vector_norm(xp.ones(2), ord="fro")
    with pytest.raises(IndexError):
        xp.linalg.vector_norm(xp.ones((2, 2)), axis=2)
    with pytest.raises(ValueError, match="repeated"):
        xp.linalg.vector_norm(xp.ones((2, 2)), axis=(0, -2))
    with pytest.raises(TypeError):
        xp.linalg.matrix_power(xp.ones((2, 2)), 1.5)
    with pytest.raises(TypeError, match="rtol"):
        xp.linalg.matrix_rank(xp.ones((2, 2)), rtol=True)


def test_products_bad_input():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 5\)"):
        xp.tensordot(xp.ones((2, 3)), xp.ones((4, 5)), axes=1)
    with pytest.raises(ValueError):
        xp.tensordot(xp.ones((2, 3)), xp.ones((3, 5)), axes=-1)
    with pytest.raises(ValueError):
        xp.tensordot(xp.ones((2, 3)), xp.ones((3,)), axes=2)
    with pytest.raises(IndexError):
        xp.tensordot(xp.ones((2, 3)), xp.ones((3,)), axes=([2], [0]))
    with pytest.raises(ValueError, match="same length"):
        xp.tensordot(xp.ones((2, 3)), xp.ones((3,)), axes=([0, 1], [0]))
    with pytest.raises(TypeError, match="bool"):
        xp.tensordot(xp.ones(2, dtype=xp.bool), xp.ones(2), axes=1)
    with pytest.raises(ValueError, match=r"\(3,\).*\(4,\)"):
        xp.vecdot(xp.ones(3), xp.ones(4))
    with pytest.raises(ValueError):
        xp.vecdot(xp.ones((2, 3)), xp.ones((1, 3)), axis=-2)  # contracted axis broadcast
    with pytest.raises(ValueError, match="broadcast"):
        xp.vecdot(xp.ones((2, 3)), xp.ones((4, 3)))
    with pytest.raises(IndexError):
        xp.vecdot(xp.ones((2, 3)), xp.ones(3), axis=-2)
    with pytest.raises(ValueError, match="size 3"):
        xp.linalg.cross(xp.ones(2), xp.ones(2))
    with pytest.raises(ValueError, match="size 3"):
        xp.linalg.cross(xp.ones((3, 3)), xp.ones((3, 1)))
    with pytest.raises(ValueError, match="1-D"):
        xp.linalg.outer(xp.ones((2, 2)), xp.ones(2))
    with pytest.raises(ValueError, match="2 dimensions"):
        xp.matrix_transpose(xp.ones(3))
    with pytest.raises(TypeError):
        xp.linalg.inv([[1.0, 0.0], [0.0, 1.0]])


@pytest.mark.parametrize("dtype", [xp.float32, xp.float64, xp.complex128], ids=str)
@pytest.mark.parametrize("name", ["inv", "solve"])
def test_singular_matrix_in_a_stack_raises(name, dtype):
    # one singular matrix among regular ones: an error, never garbage for that slice
    a = xp.stack([xp.eye(3, dtype=dtype), xp.zeros((3, 3), dtype=dtype),
                  xp.asarray([[1, 2, 3], [2, 4, 6], [0, 0, 1]], dtype=dtype)])
    args = (a, xp.ones((3, 3, 1), dtype=dtype)) if name == "solve" else (a,)
    with pytest.raises(xp.linalg.LinAlgError, match=f"{name}.*singular"):
        getattr(xp.linalg, name)(*args)


@pytest.mark.parametrize("call", [
    lambda x: xp.linalg.vector_norm(x, axis=2), lambda x: xp.linalg.cross(x, x, axis=-4),
    lambda x: xp.linalg.vecdot(x, x, axis=3), lambda x: xp.vecdot(x, x, axis=-3),
])
def test_axis_out_of_range_names_axis_and_ndim(call):
    with pytest.raises(IndexError, match=r"axis -?\d+ is out of bounds .*dimension 2"):
        call(xp.ones((2, 3)))
