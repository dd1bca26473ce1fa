"""NumPy's dispatch protocols on Tensor (NEP-13 ``__array_ufunc__``, NEP-18
``__array_function__``), Tensor.astype/ravel and DType's NumPy attributes.

Every np.* call on tensors is checked against the same call on the tensors' NumPy
buffers: result type Tensor, values and dtype equal, views where NumPy makes views,
out= written in place, tensors that require grad rejected.
"""
import pickle

import numpy as np
import pytest

import minitensor as xp
from minitensor import Tensor

rng = np.random.default_rng(0)
A = rng.standard_normal((3, 4))
B = rng.standard_normal((3, 4))
M = rng.standard_normal((4, 2))
I = np.array([[3, 1, 3, 2], [0, 1, 1, 5], [2, 2, 7, 0]])


def _tensors(*arrays):
    return [xp.asarray(a.copy()) for a in arrays]


def _same(r, e):
    """r (from tensors) matches e (from ndarrays): tensors for arrays, equal values."""
    if isinstance(e, (tuple, list)):
        assert type(r) is type(e) and len(r) == len(e)
        for x, y in zip(r, e):
            _same(x, y)
        return
    if isinstance(e, (np.ndarray, np.generic)):
        assert type(r) is Tensor, type(r)
        assert r.shape == np.shape(e)
        assert np.dtype(r.dtype) == e.dtype
        np.testing.assert_array_equal(np.asarray(r), e)
        return
    assert type(r) is type(e) and r == e


# (name, function of the arrays, arrays); each is called on tensors and on ndarrays
FUNCTIONS = [
    ("exp", lambda a: np.exp(a), (A,)),
    ("add", lambda a, b: np.add(a, b), (A, B)),
    ("add_scalar", lambda a: np.add(a, 2.5), (A,)),
    ("divmod", lambda a, b: np.divmod(a, b), (A, B)),
    ("frexp", lambda a: np.frexp(a), (A,)),
    ("maximum", lambda a, b: np.maximum(a, b), (A, B)),
    ("isfinite", lambda a: np.isfinite(a), (A,)),
    ("sum", lambda a: np.sum(a), (A,)),
    ("sum_axis", lambda a: np.sum(a, axis=0, keepdims=True), (A,)),
    ("mean", lambda a: np.mean(a), (A,)),
    ("var", lambda a: np.var(a, axis=1, ddof=1), (A,)),
    ("std", lambda a: np.std(a), (A,)),
    ("max", lambda a: np.max(a, axis=1), (A,)),
    ("argmax", lambda a: np.argmax(a), (A,)),
    ("argmin_axis", lambda a: np.argmin(a, axis=0), (A,)),
    ("cumsum", lambda a: np.cumsum(a, axis=1), (A,)),
    ("concatenate", lambda a, b: np.concatenate([a, b], axis=1), (A, B)),
    ("stack", lambda a, b: np.stack((a, b)), (A, B)),
    ("where", lambda a, b: np.where(a > 0, a, b), (A, B)),
    ("where1", lambda a: np.where(a > 0), (A,)),
    ("matmul", lambda a, m: np.matmul(a, m), (A, M)),
    ("dot", lambda a, m: np.dot(a, m), (A, M)),
    ("tensordot", lambda a, b: np.tensordot(a, b, axes=([1], [1])), (A, B)),
    ("einsum", lambda a, b: np.einsum("ij,ij->i", a, b), (A, B)),
    ("reshape", lambda a: np.reshape(a, (2, 6)), (A,)),
    ("transpose", lambda a: np.transpose(a), (A,)),
    ("sort", lambda a: np.sort(a, axis=0), (A,)),
    ("argsort", lambda a: np.argsort(a), (A,)),
    ("unique", lambda i: np.unique(i), (I,)),
    ("unique_counts", lambda i: np.unique(i, return_counts=True), (I,)),
    ("take", lambda a, i: np.take(a, i[0] % 4, axis=1), (A, I)),
    ("clip", lambda a: np.clip(a, -0.5, 0.5), (A,)),
    ("svd", lambda a: np.linalg.svd(a, full_matrices=False), (A,)),
    ("fft", lambda a: np.fft.rfft(a), (A,)),
    ("allclose", lambda a, b: np.allclose(a, b), (A, B)),
    ("shape", lambda a: np.shape(a), (A,)),
    ("empty_like", lambda a: np.zeros_like(a, dtype=np.float32), (A,)),
    ("split", lambda a: np.split(a, 2, axis=1), (A,)),
    ("broadcast_arrays", lambda a, m: np.broadcast_arrays(a[:, :1], m[:1].T[:1]), (A, M)),
    ("count_nonzero", lambda i: np.count_nonzero(i), (I,)),
    ("reduce", lambda a: np.add.reduce(a, axis=1), (A,)),
    ("reduce_all", lambda a: np.multiply.reduce(a, axis=None), (A,)),
    ("accumulate", lambda a: np.maximum.accumulate(a, axis=0), (A,)),
    ("reduceat", lambda a: np.add.reduceat(a, [0, 2], axis=1), (A,)),
    ("outer", lambda a, m: np.multiply.outer(a[0], m[:, 0]), (A, M)),
]


@pytest.mark.parametrize("name,f,arrays", FUNCTIONS, ids=[c[0] for c in FUNCTIONS])
def test_numpy_function_on_tensors(name, f, arrays):
    ts = _tensors(*arrays)
    _same(f(*ts), f(*arrays))
    for t, a in zip(ts, arrays):   # the inputs are untouched
        np.testing.assert_array_equal(np.asarray(t), a)


@pytest.mark.parametrize("f", [
    lambda a: np.reshape(a, (4, 3)), np.transpose, np.flip, np.ravel, np.squeeze,
    lambda a: np.broadcast_to(a, (2, 3, 4)), lambda a: np.split(a, 2, axis=1)[0],
    np.real, np.asarray, lambda a: np.moveaxis(a, 0, 1),
])
def test_views_share_memory(f):
    t = xp.asarray(A.copy())
    r = f(t)
    e = f(A)
    assert np.shares_memory(r, t) == np.shares_memory(e, A) == True  # noqa: E712


def test_mixed_tensor_and_ndarray_and_scalars():
    t, = _tensors(A)
    for r in (np.add(A, t), np.add(t, A), np.exp(t) + A, A + t, t + A, A * t, np.float64(2) * t,
              A < t, t @ M, A @ xp.asarray(M), np.concatenate([A, t])):
        assert type(r) is Tensor
    np.testing.assert_array_equal(np.asarray(A - t), A - A)
    assert (A > t).dtype == xp.bool
    # an ndarray's in-place operators write into the ndarray and keep it an ndarray
    a = A.copy()
    b = a
    a += t
    assert a is b and type(a) is np.ndarray
    np.testing.assert_array_equal(a, 2 * A)


def test_out_is_honoured():
    t, u = _tensors(A, B)
    o = xp.zeros((3, 4))
    assert np.add(t, u, out=o) is o
    np.testing.assert_array_equal(np.asarray(o), A + B)
    assert np.exp(t, out=t) is t
    np.testing.assert_allclose(np.asarray(t), np.exp(A), rtol=1e-15)
    r = xp.zeros(4)
    assert np.sum(u, axis=0, out=r) is r
    np.testing.assert_allclose(np.asarray(r), B.sum(0), rtol=1e-15)
    q, m = xp.zeros((3, 4)), xp.zeros((3, 4))
    res = np.divmod(u, 0.5, out=(q, m))
    assert res[0] is q and res[1] is m
    np.testing.assert_array_equal(np.asarray(q), np.divmod(B, 0.5)[0])
    # an ndarray out stays the ndarray
    nd = np.zeros((3, 4))
    assert np.multiply(u, 2, out=nd) is nd
    # ufunc.at writes in place and returns None, as NumPy's
    v = xp.zeros(3)
    assert np.add.at(v, xp.asarray([0, 0, 2]), 1.0) is None
    np.testing.assert_array_equal(np.asarray(v), [2.0, 0.0, 1.0])


def test_zero_d_results_are_tensors():
    t, = _tensors(A)
    for r in (np.sum(t), np.max(t), np.exp(t[0, 0]), np.add.reduce(t, axis=None)):
        assert type(r) is Tensor and r.shape == ()
    assert float(np.sum(t)) == pytest.approx(A.sum(), rel=1e-15)
    # Python results stay Python
    assert np.ndim(t) == 2 and np.size(t) == 12 and np.shape(t) == (3, 4)
    assert np.shares_memory(t, t) is True


def test_unsupported_result_dtype():
    t, = _tensors(A)
    r = np.char.mod("%.1f", t)     # strings: NumPy's array
    assert type(r) is np.ndarray
    with pytest.raises(TypeError, match="cannot have NumPy dtype"):
        np.empty_like(t, dtype=[("a", "f8"), ("b", "i8")])


@pytest.mark.parametrize("call", [
    lambda w, t: np.exp(w), lambda w, t: np.sum(w), lambda w, t: np.add(t, w),
    lambda w, t: np.concatenate([t, w]), lambda w, t: np.add.reduce(w),
    lambda w, t: np.exp(t, out=w), lambda w, t: np.where(t > 0, w, t),
])
@pytest.mark.parametrize("graph", [False, True])
def test_requires_grad_raises(call, graph):
    w = xp.asarray(A[0].copy()).requires_grad_()
    if graph:
        w = w * 2.0
    t = xp.asarray(B[0].copy())
    with pytest.raises(TypeError, match="(requires grad|recorded graph).*NumPy functions "
                                        "would drop its graph"):
        call(w, t)
    # the buffer stays reachable (SciPy and scikit-learn rely on __array__)
    assert type(np.asarray(w)) is np.ndarray
    np.testing.assert_array_equal(np.asarray(w.detach()), np.exp(0 * A[0]) * np.asarray(w))
    assert type(np.exp(w.detach())) is Tensor


@pytest.mark.parametrize("graph", [False, True])
def test_metadata_functions_allowed_with_grad(graph):
    # they read no values, so no graph is dropped (the gradient rules use np.ndim)
    w = xp.asarray(A[0].copy()).requires_grad_()
    if graph:
        w = w * 2.0
    assert np.ndim(w) == A[0].ndim and np.shape(w) == A[0].shape and np.size(w) == A[0].size
    assert np.result_type(w, 1.0) == np.float64 and not np.iscomplexobj(w)
    assert np.shares_memory(w, w) and not np.may_share_memory(w, A[0])


def test_ndarray_operator_keeps_the_graph():
    # ``ndarray * w`` is the namespace's multiply (as w.__rmul__ was): recorded
    w = xp.asarray(A[0].copy()).requires_grad_()
    y = (A[1] * w).sum() + (A[2] - w).sum()
    y.backward()
    np.testing.assert_allclose(np.asarray(w.grad), A[1] - 1.0, rtol=1e-15)


def test_out_tensor_write_is_noted_by_autograd():
    # writing into a tensor saved for backward is caught, as an in-place operator's
    w = xp.asarray(A[0].copy()).requires_grad_()
    x = xp.asarray(B[0].copy())
    y = (w * x).sum()
    np.multiply(x, 2.0, out=x)
    with pytest.raises(RuntimeError):
        y.backward()


def test_foreign_duck_array_gets_notimplemented():
    class Duck:
        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            return "duck"

        def __array_function__(self, func, types, args, kwargs):
            return "duck"

    t, = _tensors(A)
    assert np.add(t, Duck()) == "duck"
    assert np.concatenate([t, Duck()]) == "duck"


def test_astype():
    t, = _tensors(A)
    for d in (xp.float32, np.float32, np.dtype("int16"), "int64", xp.complex128):
        r = t.astype(d)
        e = A.astype(np.dtype(d))
        assert type(r) is Tensor and np.dtype(r.dtype) == e.dtype
        np.testing.assert_array_equal(np.asarray(r), e)
    assert t.astype(xp.float64, copy=False) is t
    c = t.astype(xp.float64)
    assert c is not t and not np.shares_memory(c, t)
    assert t.astype(np.float32, casting="same_kind").dtype == xp.float32
    with pytest.raises(TypeError, match="casting='safe'"):
        t.astype(xp.int32, casting="safe")
    with pytest.raises(TypeError):
        t.astype(np.longdouble)
    with pytest.raises(TypeError, match="complex"):
        xp.asarray([1j]).astype(xp.float64)


def test_ravel():
    t = xp.asarray(A.copy())
    assert np.shares_memory(t.ravel(), t) and t.ravel().shape == (12,)
    np.testing.assert_array_equal(np.asarray(t.mT.ravel()), A.T.ravel())


@pytest.mark.parametrize("d", [xp.bool, xp.int8, xp.uint16, xp.int64, xp.float16, xp.float32,
                               xp.float64, xp.complex64, xp.complex128])
def test_dtype_numpy_attributes(d):
    n = np.dtype(d)
    assert (d.type, d.char, d.kind, d.itemsize, d.str, d.name, d.num, d.byteorder) == \
        (n.type, n.char, n.kind, n.itemsize, n.str, n.name, n.num, n.byteorder)
    assert d == n and n == d and d == n.type and n.type == d
    assert d != np.dtype("U3") and d != object and d != "float64"
    assert xp.isdtype(d, "numeric") == (n.kind != "b")
    assert pickle.loads(pickle.dumps(d)) is d


def test_dtype_python_types_compare_as_numpy():
    assert xp.bool == bool and xp.int64 == int and xp.float64 == float
    assert xp.complex128 == complex and xp.float32 != float and xp.int32 != int
