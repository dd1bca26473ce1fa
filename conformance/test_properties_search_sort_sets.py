"""Searching, sorting and set functions: sort vs take_along_axis(argsort),
stability, NaN placement per the standard, unique_* reconstruction, shapes and
dtypes (default index dtype), values vs NumPy."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minitensor as xp
from conformance_helpers import (
    arrays, assert_tensor, conformance_settings, nonempty_shapes, small_shapes, to_np, xps,
)

INDEX = xp.__array_namespace_info__().default_dtypes()["indexing"]


@conformance_settings
@given(data=st.data())
def test_sort_is_take_along_axis_of_argsort(data):
    x = data.draw(arrays(xps.real_dtypes(), nonempty_shapes))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    desc = data.draw(st.booleans())
    i = xp.argsort(x, axis=axis, descending=desc, stable=True)
    s = xp.sort(x, axis=axis, descending=desc, stable=True)
    assert i.dtype == INDEX and i.shape == x.shape and s.dtype == x.dtype
    assert_tensor(xp.take_along_axis(x, i, axis=axis), to_np(s))
    a = to_np(x)
    want = np.sort(a, axis=axis, kind="stable")
    if desc:
        want = np.flip(want, axis=axis)  # values: the reverse order (NaNs first)
    assert_tensor(s, want)
    # stability: equal keys keep their order (ascending)
    if not desc:
        assert_tensor(i, np.argsort(a, axis=axis, kind="stable"))


@pytest.mark.parametrize("dtype", [xp.float32, xp.float64], ids=str)
def test_nan_placement(dtype):
    # The standard leaves NaN order to the implementation, to be documented;
    # minitensor (documented in _sorting_functions.py): ascending puts NaNs last
    # (NumPy), descending is the reverse order, NaNs first (PyTorch); stable.
    x = xp.asarray([np.nan, 1.0, -np.inf, np.nan, 0.0, np.inf], dtype=dtype)
    s = to_np(xp.sort(x))
    assert np.all(np.isnan(s[-2:])) and list(s[:4]) == [-np.inf, 0.0, 1.0, np.inf]
    assert list(to_np(xp.argsort(x))) == [2, 4, 1, 5, 0, 3]
    d = to_np(xp.sort(x, descending=True))
    assert np.all(np.isnan(d[:2])) and list(d[2:]) == [np.inf, 1.0, 0.0, -np.inf]
    assert list(to_np(xp.argsort(x, descending=True))) == [0, 3, 5, 1, 4, 2]


@conformance_settings
@given(data=st.data())
def test_argmax_argmin_vs_numpy(data):
    x = data.draw(arrays(xps.real_dtypes(), nonempty_shapes))
    axis = data.draw(st.none() | st.integers(-x.ndim, x.ndim - 1))
    keep = data.draw(st.booleans())
    for name in ("argmax", "argmin"):
        r = getattr(xp, name)(x, axis=axis, keepdims=keep)
        want = getattr(np, name)(to_np(x), axis=axis, keepdims=keep)
        assert_tensor(r, np.asarray(want, dtype=np.int64), dtype=INDEX)


@conformance_settings
@given(x=arrays(xps.scalar_dtypes()))
def test_nonzero_and_count_nonzero(x):
    r = xp.nonzero(x) if x.ndim else None
    a = to_np(x)
    if r is not None:
        assert len(r) == x.ndim
        for got, want in zip(r, np.nonzero(a)):
            assert_tensor(got, want.astype(np.int64), dtype=INDEX)
    assert_tensor(xp.count_nonzero(x), np.asarray(np.count_nonzero(a), dtype=np.int64))


@conformance_settings
@given(data=st.data())
def test_where_broadcast_and_promotion(data):
    shapes = data.draw(xps.mutually_broadcastable_shapes(3, max_dims=3, max_side=3))
    c = data.draw(arrays(xp.bool, shapes.input_shapes[0]))
    d = data.draw(xps.real_dtypes())
    x1 = data.draw(arrays(d, shapes.input_shapes[1]))
    x2 = data.draw(arrays(d, shapes.input_shapes[2]))
    r = xp.where(c, x1, x2)
    assert_tensor(r, np.where(to_np(c), to_np(x1), to_np(x2)))


@conformance_settings
@given(data=st.data())
def test_searchsorted_vs_numpy(data):
    x1 = xp.sort(data.draw(arrays(xps.real_dtypes(), st.tuples(st.integers(0, 8)))))
    x2 = data.draw(arrays(x1.dtype, small_shapes))
    side = data.draw(st.sampled_from(["left", "right"]))
    r = xp.searchsorted(x1, x2, side=side)
    assert_tensor(r, np.searchsorted(to_np(x1), to_np(x2), side=side).astype(np.int64),
                  dtype=INDEX)


@conformance_settings
@given(x=arrays(xps.real_dtypes(), elements={"allow_nan": False}))
def test_unique_reconstruction(x):
    a = to_np(x)
    ua = xp.unique_all(x)
    assert_tensor(ua.values, np.unique(a))
    flat = a.reshape(-1)
    # values[inverse] reconstructs x (inverse has x's shape); x[indices] are the values
    assert ua.inverse_indices.shape == x.shape and ua.inverse_indices.dtype == INDEX
    np.testing.assert_array_equal(to_np(ua.values)[to_np(ua.inverse_indices)], a)
    np.testing.assert_array_equal(flat[to_np(ua.indices)], to_np(ua.values))
    assert int(xp.sum(ua.counts)) == x.size
    ui = xp.unique_inverse(x)
    np.testing.assert_array_equal(to_np(ui.values)[to_np(ui.inverse_indices)], a)
    uc = xp.unique_counts(x)
    _, counts = np.unique(a, return_counts=True)
    assert_tensor(uc.counts, counts.astype(np.int64), dtype=INDEX)
    assert_tensor(xp.unique_values(x), np.unique(a))


def test_unique_nan_are_distinct():
    # the standard: each NaN is distinct (unlike NumPy's equal_nan=True default)
    x = xp.asarray([np.nan, 1.0, np.nan])
    assert xp.unique_values(x).shape == (3,)
    assert list(to_np(xp.unique_counts(x).counts)) == [1, 1, 1]


@conformance_settings
@given(data=st.data())
def test_isin_vs_numpy(data):
    x1 = data.draw(arrays(xp.int16, small_shapes, elements={"min_value": -5, "max_value": 5}))
    x2 = data.draw(arrays(xp.int16, small_shapes, elements={"min_value": -5, "max_value": 5}))
    inv = data.draw(st.booleans())
    assert_tensor(xp.isin(x1, x2, invert=inv), np.isin(to_np(x1), to_np(x2), invert=inv))
