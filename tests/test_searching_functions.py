"""Searching functions vs NumPy: argmax/argmin/count_nonzero (axes, keepdims,
0-d, empty, NaN), nonzero, where (scalars, promotion, broadcasting),
searchsorted (sides, sorter, scalars); bad input; hypothesis."""
import zlib

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.array_api import make_strategies_namespace

import minitensor as xp
from minitensor import _dtypes
from op_records import random_input
from records_searching import RECORDS

xps = make_strategies_namespace(xp)
REC = {r.name: r for r in RECORDS}
ALL = [d.name for d in _dtypes._all_dtypes]
REAL = [d.name for d in _dtypes._real_numeric_dtypes]


def _rng(*key):
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def _check(out, ref, where):
    assert type(out) is xp.Tensor and type(out._array) is np.ndarray, where
    assert out._array.dtype == ref.dtype, (where, out.dtype, ref.dtype)
    assert out.shape == ref.shape, (where, out.shape, ref.shape)
    np.testing.assert_array_equal(out._array, ref, err_msg=where)


def _small(rng, shape, dt):
    """Inputs with many ties and zeros."""
    a = random_input(rng, shape, dt)
    if a.dtype.kind in "iufc":
        a = (a % 3).astype(dt) if a.dtype.kind in "iu" else np.round(a).astype(dt)
    return a


_RED = [(r, c) for r in RECORDS if r.name in ("argmax", "argmin", "count_nonzero") for c in r.cases]


@pytest.mark.parametrize("rec,case", _RED, ids=[f"{r.name}-{c!r}" for r, c in _RED])
def test_reductions(rec, case):
    fn = getattr(xp, rec.name)
    for dt in ALL:
        a = _small(_rng(rec.name, case, dt), case.shapes[0], dt)
        empty = a.size == 0 and (case.kwargs.get("axis") is None or a.shape[case.kwargs["axis"]] == 0)
        if rec.name != "count_nonzero" and empty:
            with pytest.raises(ValueError, match=rec.name):
                rec.call(fn, [xp.asarray(a)], case)
            continue
        _check(rec.call(fn, [xp.asarray(a)], case), rec.call(rec.ref, [a], case),
               f"{rec.name}{case!r} {dt}")


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_arg_first_occurrence_and_nan(name):
    a = np.array([[1.0, 3.0, 3.0, -1.0, -1.0], [np.nan, 2.0, np.nan, 5.0, -9.0]])
    _check(getattr(xp, name)(xp.asarray(a), axis=1), getattr(REC[name], "ref")(a, axis=1), name)
    # a NaN wins (first NaN), as NumPy and PyTorch
    assert int(getattr(xp, name)(xp.asarray(a[1]))) == 0


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_arg_bad_axis(name):
    fn = getattr(xp, name)
    x = xp.ones((2, 3))
    with pytest.raises(IndexError, match="axis 2 is out of bounds for array of dimension 2"):
        fn(x, axis=2)
    with pytest.raises(TypeError):
        fn(x, axis=(0, 1))  # one axis only
    with pytest.raises(TypeError):
        fn(x, keepdims=None)


def test_count_nonzero_special_values():
    a = np.array([0.0, -0.0, np.nan, np.inf, 1e-300])
    assert int(xp.count_nonzero(xp.asarray(a))) == 3
    c = np.array([0j, 1j, complex(0, -0.0), 2 + 0j])
    assert int(xp.count_nonzero(xp.asarray(c))) == 2
    with pytest.raises(ValueError, match="repeated axis"):
        xp.count_nonzero(xp.ones((2, 2)), axis=(0, 0))


# ----------------------------------------------------------------- nonzero
@pytest.mark.parametrize("case", REC["nonzero"].cases, ids=repr)
def test_nonzero(case):
    for dt in ALL:
        a = _small(_rng("nonzero", case, dt), case.shapes[0], dt)
        out = xp.nonzero(xp.asarray(a))
        ref = np.nonzero(a)
        assert type(out) is tuple and len(out) == a.ndim
        for o, r in zip(out, ref):
            _check(o, r.astype(np.int64), f"nonzero {case!r} {dt}")


def test_nonzero_0d_raises():
    with pytest.raises(ValueError, match="0-d"):
        xp.nonzero(xp.asarray(1))


# ------------------------------------------------------------------- where
@pytest.mark.parametrize("case", REC["where"].cases, ids=repr)
def test_where(case):
    for dt in ALL:
        rng = _rng("where", case, dt)
        c = rng.random(case.shapes[0]) < 0.5
        a, b = random_input(rng, case.shapes[1], dt), random_input(rng, case.shapes[2], dt)
        _check(xp.where(xp.asarray(c), xp.asarray(a), xp.asarray(b)), np.where(c, a, b),
               f"where {case!r} {dt}")


@pytest.mark.parametrize("d1,d2", [("int8", "uint8"), ("int16", "int64"), ("float32", "float64"),
                                   ("float32", "complex64"), ("bool", "int8"), ("uint64", "int64"),
                                   ("int32", "float32")])
def test_where_promotes(d1, d2):
    rng = _rng("where-promote", d1, d2)
    c = rng.random(6) < 0.5
    a, b = random_input(rng, (6,), d1), random_input(rng, (6,), d2)
    out = xp.where(xp.asarray(c), xp.asarray(a), xp.asarray(b))
    assert out.dtype == xp.result_type(getattr(xp, d1), getattr(xp, d2))
    np.testing.assert_array_equal(out._array, np.where(c, a, b).astype(out.dtype.name))


@pytest.mark.parametrize("dt,scalar", [("float32", 2.5), ("float32", 3), ("int8", 7), ("int16", -1),
                                       ("uint8", 255), ("bool", True), ("complex64", 1j),
                                       ("float64", True), ("int32", 1.5)])
def test_where_scalars(dt, scalar):
    """A Python scalar takes the array's dtype (a float with an integer array:
    float64, NumPy's rule for the case the standard leaves open)."""
    rng = _rng("where-scalar", dt)
    c = rng.random(5) < 0.5
    a = random_input(rng, (5,), dt)
    expected = xp.result_type(getattr(xp, dt), scalar)
    for out, ref in ((xp.where(xp.asarray(c), xp.asarray(a), scalar), np.where(c, a, scalar)),
                     (xp.where(xp.asarray(c), scalar, xp.asarray(a)), np.where(c, scalar, a))):
        assert out.dtype == expected
        np.testing.assert_array_equal(out._array, ref.astype(expected.name))


@pytest.mark.parametrize("scalars", [(1, 2), (1.0, 0.0), (True, False), (1, 2.5), (1j, 0),
                                     (True, 3)])
def test_where_two_scalars(scalars):
    # as NumPy: the default dtype of the higher kind (SciPy relies on it)
    cond = np.array([True, False, True])
    out = xp.where(xp.asarray(cond), *scalars)
    ref = np.where(cond, *scalars)
    assert out.dtype.name == ref.dtype.name
    np.testing.assert_array_equal(out._array, ref)


def test_where_errors():
    c = xp.asarray([True, False])
    with pytest.raises(OverflowError):
        xp.where(c, xp.asarray([1, 2], dtype=xp.int8), 1000)
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        xp.where(c, xp.ones(3), 0.0)
    with pytest.raises(TypeError):
        xp.where(c, [1, 2], 0)
    # a non-bool condition is tested for truth (as NumPy)
    np.testing.assert_array_equal(xp.where(xp.asarray([0, 2]), xp.asarray(1.0), 0.0)._array, [0.0, 1.0])


# ------------------------------------------------------------ searchsorted
@pytest.mark.parametrize("case", REC["searchsorted"].cases, ids=repr)
@pytest.mark.parametrize("use_sorter", [False, True])
def test_searchsorted(case, use_sorter):
    for dt in REAL:
        rng = _rng("searchsorted", case, dt)
        x1 = _small(rng, case.shapes[0], dt)
        x2 = _small(rng, case.shapes[1], dt)
        side = case.kwargs.get("side", "left")
        if use_sorter:
            s = np.argsort(x1, kind="stable")
            out = xp.searchsorted(xp.asarray(x1), xp.asarray(x2), side=side, sorter=xp.asarray(s))
            ref = np.searchsorted(x1, x2, side=side, sorter=s)
        else:
            x1 = np.sort(x1)
            out = xp.searchsorted(xp.asarray(x1), xp.asarray(x2), side=side)
            ref = np.searchsorted(x1, x2, side=side)
        _check(out, np.asarray(ref, dtype=np.int64), f"searchsorted {case!r} {dt} sorter={use_sorter}")


@pytest.mark.parametrize("dt,scalar,side,expected", [
    ("float64", 2, "left", 1), ("float64", 2.0, "right", 3), ("float32", -10, "left", 0),
    ("int8", 1000, "left", 4), ("int8", -1000, "right", 0), ("uint8", -1, "left", 0),
    ("int64", 2, "right", 3), ("int16", 2.5, "left", 3), ("float64", float("nan"), "left", 4)])
def test_searchsorted_scalar(dt, scalar, side, expected):
    x1 = xp.asarray(np.array([1, 2, 2, 3]).astype(dt))
    out = xp.searchsorted(x1, scalar, side=side)
    assert out.shape == () and out.dtype == xp.int64 and int(out) == expected


def test_searchsorted_nan_consistent_with_sort():
    x1 = xp.sort(xp.asarray([3.0, np.nan, 1.0]))
    assert int(xp.searchsorted(x1, np.nan)) == 2
    assert int(xp.searchsorted(x1, xp.asarray(np.inf))) == 2


def test_searchsorted_errors():
    x = xp.asarray([1.0, 2.0])
    with pytest.raises(ValueError, match="1-D"):
        xp.searchsorted(xp.ones((2, 2)), x)
    with pytest.raises(ValueError, match="side"):
        xp.searchsorted(x, x, side="middle")
    with pytest.raises(TypeError, match="integer"):
        xp.searchsorted(x, x, sorter=xp.asarray([0.0, 1.0]))
    with pytest.raises(ValueError, match="shape"):
        xp.searchsorted(x, x, sorter=xp.asarray([0]))
    with pytest.raises(IndexError):
        xp.searchsorted(x, x, sorter=xp.asarray([0, 5]))


# -------------------------------------------------------------- hypothesis
@settings(max_examples=50, deadline=None)
@given(x=xps.arrays(dtype=xps.real_dtypes(), shape=xps.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5)),
       data=st.data())
def test_argmax_argmin_hypothesis(x, data):
    axis = data.draw(st.none() | st.integers(-x.ndim, x.ndim - 1))
    keepdims = data.draw(st.booleans())
    a = x._array
    for name in ("argmax", "argmin"):
        _check(getattr(xp, name)(x, axis=axis, keepdims=keepdims),
               REC[name].ref(a, axis=axis, keepdims=keepdims), name)
