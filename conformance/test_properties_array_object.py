"""Array object: attributes, operators (vs the namespace functions), indexing and
__setitem__ (vs NumPy), conversions, NumPy round trips."""
import operator

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import minitensor as xp
from conformance_helpers import (
    NP_DTYPE, arrays, assert_tensor, conformance_settings, promotable_dtypes, small_shapes,
    to_np, xps,
)

OPERATORS = [
    ("__add__", operator.add, "add", xps.numeric_dtypes()),
    ("__sub__", operator.sub, "subtract", xps.numeric_dtypes()),
    ("__mul__", operator.mul, "multiply", xps.numeric_dtypes()),
    ("__truediv__", operator.truediv, "divide", xps.floating_dtypes()),
    ("__floordiv__", operator.floordiv, "floor_divide", xps.real_dtypes()),
    ("__mod__", operator.mod, "remainder", xps.real_dtypes()),
    ("__pow__", operator.pow, "pow", xps.floating_dtypes()),
    ("__and__", operator.and_, "bitwise_and", xps.integer_dtypes() | st.just(xp.bool)),
    ("__or__", operator.or_, "bitwise_or", xps.integer_dtypes() | st.just(xp.bool)),
    ("__lt__", operator.lt, "less", xps.real_dtypes()),
    ("__ge__", operator.ge, "greater_equal", xps.real_dtypes()),
    ("__eq__", operator.eq, "equal", xps.scalar_dtypes()),
    ("__ne__", operator.ne, "not_equal", xps.scalar_dtypes()),
]


def _same(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(to_np(a), to_np(b))


@pytest.mark.parametrize("dunder,op,name,dtypes", OPERATORS, ids=[o[0] for o in OPERATORS])
@conformance_settings
@given(data=st.data())
def test_operator_matches_function(dunder, op, name, dtypes, data):
    d1, d2 = data.draw(promotable_dtypes(dtypes))
    shapes = data.draw(xps.mutually_broadcastable_shapes(2, max_dims=3, max_side=3))
    x1 = data.draw(arrays(d1, shapes.input_shapes[0]))
    x2 = data.draw(arrays(d2, shapes.input_shapes[1]))
    if name in ("floor_divide", "remainder"):
        assume(not np.any(to_np(x2) == 0) or NP_DTYPE[d2].kind == "f")
    _same(op(x1, x2), getattr(xp, name)(x1, x2))
    # reflected with a Python scalar of the array's kind
    if d1 != xp.bool and NP_DTYPE[d1].kind in "iu" and name not in ("pow",):
        _same(op(2, x1), getattr(xp, name)(xp.asarray(2, dtype=d1), x1))


@conformance_settings
@given(data=st.data())
def test_inplace_operators_keep_dtype_and_identity(data):
    d1, d2 = data.draw(promotable_dtypes(xps.numeric_dtypes()))
    assume(xp.result_type(d1, d2) == d1)  # in-place needs the result dtype to be x1's
    shape = data.draw(small_shapes)
    x1 = data.draw(arrays(d1, shape))
    x2 = data.draw(arrays(d2, xps.broadcastable_shapes(shape, min_side=0, max_side=3)))
    assume(np.broadcast_shapes(shape, x2.shape) == shape)
    want = xp.add(x1, x2)
    y = x1
    y += x2
    assert y is x1
    _same(x1, want)


@conformance_settings
@given(x=arrays(xps.scalar_dtypes()))
def test_attributes_and_numpy_round_trip(x):
    a = to_np(x)
    assert x.ndim == a.ndim and x.shape == a.shape and x.size == a.size
    assert x.device == xp.__array_namespace_info__().default_device()
    assert x.__array_namespace__() is xp
    assert_tensor(xp.asarray(a), a)
    if x.ndim >= 2:
        assert_tensor(x.mT, np.swapaxes(a, -1, -2))
    if x.ndim == 2:
        assert_tensor(x.T, a.T)


@conformance_settings
@given(x=arrays(xps.scalar_dtypes(), shape=()))
def test_python_conversions_0d(x):
    v = to_np(x).item()
    if isinstance(v, complex):
        c = complex(x)
        assert c == v or (c != c and v != v)
    else:
        assert bool(x) == bool(v)
        if x.dtype != xp.bool:
            assert float(x) == float(v) or v != v
            if isinstance(v, int):
                assert int(x) == v and operator.index(x) == v


@conformance_settings
@given(data=st.data())
def test_basic_indexing_vs_numpy(data):
    x = data.draw(arrays(xps.scalar_dtypes(), xps.array_shapes(min_dims=1, max_dims=3, max_side=5)))
    idx = data.draw(xps.indices(x.shape, allow_newaxis=True))
    want = to_np(x)[idx]
    r = x[idx]
    assert_tensor(r, want)
    # basic indexing gives views, as NumPy
    if r.size:
        assert np.shares_memory(to_np(r), to_np(x))


@conformance_settings
@given(data=st.data())
def test_setitem_vs_numpy(data):
    x = data.draw(arrays(xps.numeric_dtypes(), xps.array_shapes(min_dims=1, max_dims=3, max_side=5)))
    idx = data.draw(xps.indices(x.shape))
    a = to_np(x).copy()
    target = a[idx]
    v = data.draw(arrays(x.dtype, target.shape[data.draw(st.integers(0, target.ndim)):]))
    a[idx] = to_np(v)
    x[idx] = v
    assert_tensor(x, a)


@conformance_settings
@given(data=st.data())
def test_boolean_mask_get_and_set(data):
    x = data.draw(arrays(xps.scalar_dtypes(), xps.array_shapes(min_dims=1, max_dims=3, max_side=4)))
    k = data.draw(st.integers(1, x.ndim))
    mask = data.draw(arrays(xp.bool, x.shape[:k]))
    a = to_np(x).copy()
    assert_tensor(x[mask], a[to_np(mask)])
    # the standard: a boolean mask over the leading dims, mixed with ellipsis
    assert_tensor(x[(mask, ...)], a[to_np(mask), ...])
    fill = xp.asarray(1, dtype=x.dtype) if x.dtype != xp.bool else xp.asarray(True)
    a[to_np(mask)] = to_np(fill)
    x[mask] = fill
    assert_tensor(x, a)


@conformance_settings
@given(data=st.data())
def test_integer_array_indexing_vs_numpy(data):
    x = data.draw(arrays(xps.scalar_dtypes(), xps.array_shapes(min_dims=1, max_dims=3, min_side=1,
                                                                  max_side=4)))
    n = x.shape[0]
    ind = data.draw(arrays(xp.int64, xps.array_shapes(min_dims=1, max_dims=2, max_side=3),
                           elements={"min_value": -n, "max_value": n - 1}))
    assert_tensor(x[ind], to_np(x)[to_np(ind)])
    assert_tensor(x[ind, ...], to_np(x)[to_np(ind), ...])


@pytest.mark.parametrize("version", ["2021.12", "2022.12", "2023.12", "2024.12", "2025.12", None])
def test_array_namespace_versions(version):
    x = xp.asarray([1.0, 2.0])
    ns = x.__array_namespace__(api_version=version)
    if version in (None, "2025.12"):
        assert ns is xp
        assert type(xp.meshgrid(x, x)) is tuple and type(xp.broadcast_arrays(x, x)) is tuple
        return
    # older standards: lists from meshgrid / broadcast_arrays / devices(), same functions
    assert ns.__array_api_version__ == version
    assert ns is x.__array_namespace__(api_version=version)
    assert type(ns.meshgrid(x, x)) is list and type(ns.broadcast_arrays(x, x)) is list
    assert type(ns.__array_namespace_info__().devices()) is list
    assert ns.__array_namespace_info__().default_dtypes() == xp.__array_namespace_info__().default_dtypes()
    assert ns.sum is xp.sum and ns.linalg is xp.linalg and ns.fft is xp.fft


@pytest.mark.parametrize("bad,exc", [("2020.10", ValueError), ("2026.12", ValueError), (2024, TypeError)])
def test_array_namespace_bad_version(bad, exc):
    with pytest.raises(exc):
        xp.asarray(1).__array_namespace__(api_version=bad)


@conformance_settings
@given(data=st.data())
def test_take_and_take_along_axis_vs_numpy(data):
    # indexing functions: take (axis given, or none for 1-D) and take_along_axis
    x = data.draw(arrays(xps.scalar_dtypes(), xps.array_shapes(min_dims=1, max_dims=3, min_side=1,
                                                                  max_side=4)))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[axis]
    ind = data.draw(arrays(xp.int64, st.tuples(st.integers(0, 5)),
                           elements={"min_value": -n, "max_value": n - 1}))
    assert_tensor(xp.take(x, ind, axis=axis), np.take(to_np(x), to_np(ind), axis=axis))
    shape = list(x.shape)
    shape[axis] = data.draw(st.integers(0, 4))
    ind2 = data.draw(arrays(xp.int64, tuple(shape), elements={"min_value": -n, "max_value": n - 1}))
    assert_tensor(xp.take_along_axis(x, ind2, axis=axis),
                  np.take_along_axis(to_np(x), to_np(ind2), axis=axis))
