"""Linear algebra (top level and the ``linalg`` extension): result shapes with
batching, named-tuple results, reconstruction identities (QR, SVD, eigh,
cholesky, inv, solve), values vs NumPy, errors on singular input."""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import minitensor as xp
from conformance_helpers import (
    NP_DTYPE, assert_tensor, conformance_settings, finite_arrays, to_np, xps,
)

_float = st.sampled_from([xp.float32, xp.float64])
batch = xps.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3)


def _tol(dtype):
    return 2e-3 if dtype in (xp.float32, xp.complex64) else 1e-9


@st.composite
def matrices(draw, square=True, min_n=1):
    dtype = draw(_float)
    b = draw(batch)
    n = draw(st.integers(min_n, 4))
    m = n if square else draw(st.integers(1, 4))
    return draw(finite_arrays(dtype, b + (n, m), lo=-5, hi=5))


@st.composite
def spd_matrices(draw):
    a = draw(matrices())
    n = a.shape[-1]
    return xp.matmul(a, a.mT) + n * xp.eye(n, dtype=a.dtype)  # symmetric positive definite


@conformance_settings
@given(data=st.data())
def test_matmul_shapes_and_values(data):
    dtype = data.draw(_float)
    b1, b2 = data.draw(xps.mutually_broadcastable_shapes(2, max_dims=2, max_side=3)).input_shapes
    n, k, m = (data.draw(st.integers(1, 4)) for _ in range(3))
    x1 = data.draw(finite_arrays(dtype, b1 + (n, k)))
    x2 = data.draw(finite_arrays(dtype, b2 + (k, m)))
    r = xp.matmul(x1, x2)
    assert_tensor(r, np.matmul(to_np(x1), to_np(x2)), rtol=_tol(dtype), atol=_tol(dtype) * 100)
    assert r.shape == np.broadcast_shapes(b1, b2) + (n, m)
    assert_tensor(x1 @ x2, to_np(r))
    assert_tensor(xp.linalg.matmul(x1, x2), to_np(r))
    # 1-D operands: the standard's prepend/append rule
    v = data.draw(finite_arrays(dtype, (k,)))
    assert xp.matmul(x1, v).shape == b1 + (n,)
    assert xp.vecdot(v, v).shape == ()


@conformance_settings
@given(a=matrices(square=False))
def test_qr_svd_reconstruct(a):
    tol = _tol(a.dtype) * 100
    q, r = xp.linalg.qr(a)
    assert_tensor(xp.matmul(q, r), to_np(a), rtol=tol, atol=tol)
    k = min(a.shape[-2:])
    assert q.shape == a.shape[:-1] + (k,) and r.shape == a.shape[:-2] + (k, a.shape[-1])
    u, s, vh = xp.linalg.svd(a, full_matrices=False)
    assert s.shape == a.shape[:-2] + (k,)
    us = to_np(u) * to_np(s)[..., None, :]
    np.testing.assert_allclose(us @ to_np(vh), to_np(a), rtol=tol, atol=tol)
    assert_tensor(xp.linalg.svdvals(a), to_np(s), rtol=tol, atol=tol)
    assert np.all(np.diff(to_np(s), axis=-1) <= tol)  # descending


@conformance_settings
@given(a=spd_matrices())
def test_spd_factorisations(a):
    tol = _tol(a.dtype) * 100
    an = to_np(a)
    L = xp.linalg.cholesky(a)
    np.testing.assert_allclose(to_np(L) @ np.swapaxes(to_np(L), -1, -2), an, rtol=tol, atol=tol)
    assert np.allclose(np.triu(to_np(L), 1), 0)
    w, v = xp.linalg.eigh(a)
    rec = (to_np(v) * to_np(w)[..., None, :]) @ np.swapaxes(to_np(v), -1, -2)
    np.testing.assert_allclose(rec, an, rtol=tol, atol=tol * 10)
    assert_tensor(xp.linalg.eigvalsh(a), to_np(w), rtol=tol, atol=tol * 10)
    inv = xp.linalg.inv(a)
    np.testing.assert_allclose(to_np(inv) @ an, np.broadcast_to(np.eye(a.shape[-1]), an.shape),
                               atol=tol)
    sign, logdet = xp.linalg.slogdet(a)
    assert np.all(to_np(sign) == 1)
    np.testing.assert_allclose(to_np(logdet), np.log(np.linalg.det(an.astype(np.float64))),
                               rtol=tol, atol=tol)


@conformance_settings
@given(data=st.data())
def test_solve_vs_numpy(data):
    a = data.draw(spd_matrices())
    b = data.draw(finite_arrays(a.dtype, a.shape))
    tol = _tol(a.dtype) * 100
    x = xp.linalg.solve(a, b)
    np.testing.assert_allclose(to_np(a) @ to_np(x), to_np(b), rtol=tol, atol=tol)


@pytest.mark.parametrize("fn", ["inv", "solve", "cholesky"])
def test_singular_input_raises(fn):
    s = xp.asarray([[1.0, 2.0], [2.0, 4.0]])
    args = (s, xp.asarray([[1.0], [1.0]])) if fn == "solve" else (s,)
    with pytest.raises(xp.linalg.LinAlgError):
        getattr(xp.linalg, fn)(*args)


@conformance_settings
@given(a=matrices(square=False), ord_=st.sampled_from(["fro", "nuc", 1, -1, 2, -2, np.inf]),
       keep=st.booleans())
def test_norms_vs_numpy(a, ord_, keep):
    tol = _tol(a.dtype) * 100
    r = xp.linalg.matrix_norm(a, ord=ord_, keepdims=keep)
    want = np.linalg.norm(to_np(a), ord=ord_, axis=(-2, -1), keepdims=keep)
    assert_tensor(r, want.astype(NP_DTYPE[a.dtype]), rtol=tol, atol=tol)
    v = xp.linalg.vector_norm(a, axis=-1, ord=2)
    assert_tensor(v, np.linalg.norm(to_np(a), axis=-1).astype(NP_DTYPE[a.dtype]), rtol=tol,
                  atol=tol)


@conformance_settings
@given(a=matrices(), k=st.integers(-3, 3))
def test_trace_diagonal_transpose(a, k):
    assert_tensor(xp.linalg.diagonal(a, offset=k), np.diagonal(to_np(a), k, -2, -1))
    assert_tensor(xp.linalg.trace(a, offset=k), np.trace(to_np(a), k, axis1=-2, axis2=-1),
                  rtol=1e-5, atol=1e-4)
    assert_tensor(xp.matrix_transpose(a), np.swapaxes(to_np(a), -1, -2))
    assert_tensor(xp.linalg.matrix_transpose(xp.matrix_transpose(a)), to_np(a))


@conformance_settings
@given(data=st.data())
def test_tensordot_outer_cross(data):
    dtype = data.draw(_float)
    a = data.draw(finite_arrays(dtype, (2, 3, 4), lo=-3, hi=3))
    b = data.draw(finite_arrays(dtype, (3, 4, 2), lo=-3, hi=3))
    tol = _tol(dtype)
    assert_tensor(xp.tensordot(a, b, axes=2), np.tensordot(to_np(a), to_np(b), axes=2),
                  rtol=tol, atol=tol * 10)
    u = data.draw(finite_arrays(dtype, (3,)))
    w = data.draw(finite_arrays(dtype, (4, 3)))
    assert_tensor(xp.linalg.outer(u, u), np.outer(to_np(u), to_np(u)), rtol=tol, atol=tol)
    assert_tensor(xp.linalg.cross(w, u), np.cross(to_np(w), to_np(u)), rtol=tol, atol=tol * 100)
