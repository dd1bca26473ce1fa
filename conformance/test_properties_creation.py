"""Creation functions: result shapes, dtypes and values per the standard (vs NumPy)."""
import math

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import minitensor as xp
from conformance_helpers import (
    ALL_DTYPES, NP_DTYPE, REAL_FLOAT_DTYPES, arrays, assert_tensor, conformance_settings,
    small_shapes, to_np, xps,
)


@conformance_settings
@given(start=st.integers(-50, 50), stop=st.integers(-50, 50) | st.none(),
       step=st.integers(-7, 7).filter(bool))
def test_arange_int(start, stop, step):
    r = xp.arange(start, stop, step)
    lo, hi = (0, start) if stop is None else (start, stop)
    n = max(math.ceil((hi - lo) / step), 0)
    assert r.shape == (n,)
    assert r.dtype == xp.int64
    assert_tensor(r, np.arange(lo, hi, step))


@conformance_settings
@given(start=st.floats(-10, 10), stop=st.floats(-10, 10),
       step=st.floats(0.25, 3) | st.floats(-3, -0.25), dtype=st.sampled_from(REAL_FLOAT_DTYPES))
def test_arange_float(start, stop, step, dtype):
    r = xp.arange(start, stop, step, dtype=dtype)
    n = max(math.ceil((stop - start) / step), 0)
    assert r.dtype == dtype
    assert r.shape == (n,)
    np.testing.assert_allclose(to_np(r), start + step * np.arange(n), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("name,fill", [("zeros", 0), ("ones", 1), ("empty", None)])
@conformance_settings
@given(shape=small_shapes, dtype=xps.scalar_dtypes() | st.none())
def test_filled_shape_dtype(name, fill, shape, dtype):
    r = getattr(xp, name)(shape, dtype=dtype)
    assert r.shape == shape
    default = xp.__array_namespace_info__().default_dtypes()["real floating"]
    assert r.dtype == (default if dtype is None else dtype)
    if fill is not None:
        assert np.all(to_np(r) == fill)
    like = getattr(xp, name + "_like")(r)
    assert like.shape == r.shape and like.dtype == r.dtype


@conformance_settings
@given(shape=small_shapes, value=st.integers(-100, 100) | st.floats(-1e3, 1e3) | st.booleans())
def test_full_default_dtype(shape, value):
    r = xp.full(shape, value)
    dd = xp.__array_namespace_info__().default_dtypes()
    want = (xp.bool if isinstance(value, bool) else
            dd["integral"] if isinstance(value, int) else dd["real floating"])
    assert r.dtype == want
    assert r.shape == shape
    assert np.all(to_np(r) == value)
    assert_tensor(xp.full_like(r, value), np.full(shape, value, dtype=NP_DTYPE[want]))


@conformance_settings
@given(n=st.integers(0, 6), m=st.integers(0, 6) | st.none(), k=st.integers(-7, 7),
       dtype=xps.scalar_dtypes())
def test_eye(n, m, k, dtype):
    assert_tensor(xp.eye(n, m, k=k, dtype=dtype), np.eye(n, m, k=k, dtype=NP_DTYPE[dtype]))


@conformance_settings
@given(start=st.floats(-100, 100), stop=st.floats(-100, 100), num=st.integers(0, 20),
       endpoint=st.booleans(), dtype=st.sampled_from(REAL_FLOAT_DTYPES))
def test_linspace(start, stop, num, endpoint, dtype):
    r = xp.linspace(start, stop, num, endpoint=endpoint, dtype=dtype)
    assert r.shape == (num,) and r.dtype == dtype
    want = np.linspace(start, stop, num, endpoint=endpoint)
    np.testing.assert_allclose(to_np(r), want, rtol=1e-5, atol=1e-4)
    if num and endpoint:  # the standard: the last element is stop when endpoint
        assert float(r[-1]) == pytest.approx(stop, rel=1e-6, abs=1e-5)


@conformance_settings
@given(x=arrays(xps.scalar_dtypes()))
def test_asarray_round_trips(x):
    a = to_np(x)
    # NumPy -> minitensor: same values, dtype and shape
    assert_tensor(xp.asarray(a), a)
    # copy=True gives an independent buffer; copy=False never copies a Tensor
    c = xp.asarray(x, copy=True)
    assert_tensor(c, a)
    if x.size:
        assert not np.shares_memory(to_np(c), a)
    assert np.shares_memory(to_np(xp.asarray(x, copy=False)), a) or x.size == 0
    # nested Python lists (tolist) come back with the same values
    if x.size:
        assert_tensor(xp.asarray(a.tolist(), dtype=x.dtype), a)


@conformance_settings
@given(x=arrays(xps.scalar_dtypes()))
def test_dlpack_round_trip(x):
    a = to_np(x)
    y = xp.from_dlpack(x)
    assert_tensor(y, a)
    assert_tensor(xp.from_dlpack(a), a)          # NumPy producer
    np.testing.assert_array_equal(np.from_dlpack(x), a)  # NumPy consumer
    assert x.__dlpack_device__()[0] == 1  # kDLCPU


@conformance_settings
@given(shapes=st.lists(st.integers(0, 4), min_size=0, max_size=3),
       indexing=st.sampled_from(["xy", "ij"]), dtype=st.sampled_from(REAL_FLOAT_DTYPES))
def test_meshgrid(shapes, indexing, dtype):
    vecs = [np.arange(n, dtype=NP_DTYPE[dtype]) for n in shapes]
    rs = xp.meshgrid(*[xp.asarray(v) for v in vecs], indexing=indexing)
    want = np.meshgrid(*vecs, indexing=indexing)
    assert len(rs) == len(want)
    for r, w in zip(rs, want):
        assert_tensor(r, w)


@pytest.mark.parametrize("name", ["tril", "triu"])
@conformance_settings
@given(x=arrays(xps.scalar_dtypes(), xps.array_shapes(min_dims=2, max_dims=3, max_side=4)),
       k=st.integers(-5, 5))
def test_tril_triu(name, x, k):
    assert_tensor(getattr(xp, name)(x, k=k), getattr(np, name)(to_np(x), k=k))


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_zeros_every_dtype(dtype):
    assert_tensor(xp.zeros((2, 0, 3), dtype=dtype), np.zeros((2, 0, 3), dtype=NP_DTYPE[dtype]))
