"""sort / argsort vs an independent reference (Python's stable ``sorted``):
ascending and descending, stable (equal elements keep input order, also when
descending) and not, NaN placement, signed zeros, every dtype; bad input."""
import zlib

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.array_api import make_strategies_namespace

import minitensor as xp
from minitensor import _dtypes
from op_records import random_input
from records_sorting import RECORDS, ref_argsort

xps = make_strategies_namespace(xp)
ALL = [d.name for d in _dtypes._all_dtypes]
_CASES = [(r, c) for r in RECORDS for c in r.cases]


def _ties(rng, shape, dt):
    """Many equal values (and NaNs for floating dtypes), so stability matters."""
    a = random_input(rng, shape, dt)
    if a.dtype.kind in "iu":
        return (a % 3).astype(dt)
    if a.dtype.kind == "f":
        a = np.round(a).astype(dt)
        a[rng.random(shape) < 0.15] = np.nan
    elif a.dtype.kind == "c":
        a = (np.round(a.real) + 1j * np.round(a.imag)).astype(dt)
        a[rng.random(shape) < 0.1] = complex(np.nan, 0)
    return a


@pytest.mark.parametrize("rec,case", _CASES, ids=[f"{r.name}-{c!r}" for r, c in _CASES])
def test_forward(rec, case):
    fn = getattr(xp, rec.name)
    for dt in ALL:
        a = _ties(np.random.default_rng(zlib.crc32(f"{rec.name}{case!r}{dt}".encode())),
                  case.shapes[0], dt)
        before = a.copy()
        out = rec.call(fn, [xp.asarray(a)], case)
        ref = rec.call(rec.ref, [a], case)
        where = f"{rec.name}{case!r} {dt}"
        assert out.dtype.name == ref.dtype.name and out.shape == ref.shape, where
        if rec.name == "argsort" and not case.kwargs["stable"]:
            # any order of equal elements: the indices must sort x the same way
            ax = case.kwargs.get("axis", -1)
            np.testing.assert_array_equal(np.take_along_axis(a, out._array, ax),
                                          np.take_along_axis(a, ref, ax), err_msg=where)
            assert (np.sort(out._array, axis=ax) == np.sort(ref, axis=ax)).all(), where
        else:
            np.testing.assert_array_equal(out._array, ref, err_msg=where)
        assert out._array.flags.c_contiguous, where
        np.testing.assert_array_equal(a, before)


def test_descending_stable_keeps_input_order():
    x = xp.asarray([1, 3, 1, 2, 3, 1])
    assert xp.argsort(x, descending=True).tolist() == [1, 4, 3, 0, 2, 5]
    assert xp.argsort(x).tolist() == [0, 2, 5, 3, 1, 4]


def test_signed_zeros_stable():
    a = np.array([0.0, -0.0, 1.0, -0.0, 0.0])
    for desc in (False, True):
        s = xp.sort(xp.asarray(a), descending=desc)._array
        zeros = s[s == 0]
        assert np.signbit(zeros).tolist() == [False, True, True, False], desc


def test_nan_placement():
    x = xp.asarray([np.nan, 1.0, np.inf, -np.inf, np.nan])
    s = xp.sort(x)._array
    assert np.isnan(s[-2:]).all() and s[:3].tolist() == [-np.inf, 1.0, np.inf]
    s = xp.sort(x, descending=True)._array
    assert np.isnan(s[:2]).all() and s[2:].tolist() == [np.inf, 1.0, -np.inf]
    assert xp.argsort(x, descending=True).tolist() == [0, 4, 2, 1, 3]


@pytest.mark.parametrize("name", ["sort", "argsort"])
def test_bad_input(name):
    fn = getattr(xp, name)
    with pytest.raises(IndexError, match="axis 2 is out of bounds for array of dimension 2"):
        fn(xp.ones((2, 3)), axis=2)
    with pytest.raises(IndexError, match="dimension 0"):
        fn(xp.asarray(1.0))
    with pytest.raises(TypeError):
        fn(xp.ones(3), axis=0.0)
    with pytest.raises(TypeError, match="descending"):
        fn(xp.ones(3), descending="yes")
    with pytest.raises(TypeError, match="unsupported operand"):
        fn([3, 1, 2])


@settings(max_examples=60, deadline=None)
@given(x=xps.arrays(dtype=xps.real_dtypes(), shape=xps.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=6),
                    elements={"allow_nan": True}),
       data=st.data())
def test_argsort_hypothesis(x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    descending = data.draw(st.booleans())
    a = x._array
    out = xp.argsort(x, axis=axis, descending=descending)
    np.testing.assert_array_equal(out._array, ref_argsort(a, axis, descending))
    s = xp.sort(x, axis=axis, descending=descending)
    np.testing.assert_array_equal(s._array, np.take_along_axis(a, out._array, axis))
