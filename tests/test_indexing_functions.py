"""take / take_along_axis vs NumPy: values, dtype, shape for every data and index
dtype; negative indices; bounds checking; bad input; a hypothesis property."""
import zlib

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp
from hypothesis.extra.array_api import make_strategies_namespace

import minitensor as xp
from op_records import random_input
from records_indexing import RECORDS

xps = make_strategies_namespace(xp)

ALL_DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
              "float32", "float64", "complex64", "complex128"]
INDEX_DTYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
_CASES = [(r, c) for r in RECORDS for c in r.cases]


def _indices(rng, x_shape, i_shape, axis, dtype):
    n = int(np.prod(x_shape)) if axis is None else x_shape[axis]
    lo = 0 if np.dtype(dtype).kind == "u" else -n
    if n == 0:
        return np.zeros(i_shape, dtype=dtype)  # only valid when indices are empty
    return rng.integers(lo, n, size=i_shape).astype(dtype)


@pytest.mark.parametrize("rec,case", _CASES, ids=[f"{r.name}-{c!r}" for r, c in _CASES])
def test_forward(rec, case):
    fn = getattr(xp, rec.name)
    rng = np.random.default_rng(zlib.crc32(f"{rec.name}{case!r}".encode()))
    x_shape, i_shape = case.shapes
    axis = case.kwargs.get("axis", None if rec.name == "take" else -1)
    for dt in ALL_DTYPES:
        a = np.asarray(random_input(rng, x_shape, dt))
        for idt in INDEX_DTYPES if dt in ("float64", "int8") else ("int64",):
            i = _indices(rng, x_shape, i_shape, axis, idt)
            out = fn(xp.asarray(a), xp.asarray(i), **case.kwargs)
            ref = np.asarray(rec.ref(a, i.astype(np.int64), **case.kwargs))
            where = f"{rec.name}{case!r} x:{dt} indices:{idt}"
            assert type(out) is xp.Tensor and type(out._array) is np.ndarray, where
            assert out.dtype.name == dt == ref.dtype.name, where
            assert out.shape == ref.shape, (where, out.shape, ref.shape)
            np.testing.assert_array_equal(out._array, ref, err_msg=where)
            assert not np.shares_memory(out._array, a), where


def test_negative_indices():
    x = xp.asarray([[1, 2, 3], [4, 5, 6]])
    assert xp.take(x, xp.asarray([-1, -3, 0]), axis=1).tolist() == [[3, 1, 1], [6, 4, 4]]
    assert xp.take(x, xp.asarray([-2]), axis=0).tolist() == [[1, 2, 3]]
    assert xp.take_along_axis(x, xp.asarray([[-1], [-2]]), axis=1).tolist() == [[3], [5]]
    assert xp.take_along_axis(x, xp.asarray([[-2, -1, 0]]), axis=0).tolist() == [[1, 5, 3]]


def test_take_along_axis_default_axis_and_broadcast():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3, 1, 4))
    i = np.argsort(rng.standard_normal((1, 2, 4)), axis=-1)
    out = xp.take_along_axis(xp.asarray(a), xp.asarray(i))
    np.testing.assert_array_equal(out._array, np.take_along_axis(a, i, axis=-1))
    assert out.shape == (3, 2, 4)


def test_take_along_axis_argsort_roundtrip():
    a = np.random.default_rng(2).standard_normal((4, 5))
    idx = np.argsort(a, axis=0)
    out = xp.take_along_axis(xp.asarray(a), xp.asarray(idx), axis=0)
    np.testing.assert_array_equal(out._array, np.sort(a, axis=0))


_X = xp.asarray([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
_I = xp.asarray([0, 1])
_BAD = [
    ("take index high", lambda: xp.take(_X, xp.asarray([0, 3]), axis=1), IndexError,
     ["index 3", "axis 1", "size 3"]),
    ("take index low", lambda: xp.take(_X, xp.asarray([-4]), axis=1), IndexError, ["index -4", "size 3"]),
    ("take flat high", lambda: xp.take(_X, xp.asarray([6])), IndexError, ["index 6", "size 6"]),
    ("take uint64 huge", lambda: xp.take(_X, xp.asarray([2**63], dtype=xp.uint64), axis=0),
     IndexError, ["9223372036854775808"]),
    ("take empty axis", lambda: xp.take(xp.zeros((2, 0)), _I, axis=1), IndexError, ["size 0"]),
    ("take axis", lambda: xp.take(_X, _I, axis=2), IndexError, ["axis 2", "dimension 2"]),
    ("take float indices", lambda: xp.take(_X, xp.asarray([0.0]), axis=0), TypeError, ["float64"]),
    ("take bool indices", lambda: xp.take(_X, xp.asarray([True]), axis=0), TypeError, ["bool"]),
    ("take list indices", lambda: xp.take(_X, [0, 1], axis=0), TypeError, ["list"]),
    ("take_along_axis index", lambda: xp.take_along_axis(_X, xp.asarray([[0], [3]]), axis=1),
     IndexError, ["index 3", "axis 1", "size 3"]),
    ("take_along_axis low", lambda: xp.take_along_axis(_X, xp.asarray([[-3]]), axis=0),
     IndexError, ["index -3", "size 2"]),
    ("take_along_axis ndim", lambda: xp.take_along_axis(_X, _I, axis=1), ValueError, ["(2,)", "(2, 3)"]),
    ("take_along_axis shapes", lambda: xp.take_along_axis(_X, xp.zeros((3, 1), dtype=xp.int64), axis=1),
     ValueError, ["(3, 1)", "(2, 3)"]),
    ("take_along_axis axis", lambda: xp.take_along_axis(_X, xp.zeros((2, 1), dtype=xp.int64), axis=-3),
     IndexError, ["axis -3", "dimension 2"]),
    ("take_along_axis float", lambda: xp.take_along_axis(_X, xp.zeros((2, 1)), axis=1), TypeError,
     ["float64"]),
]


@pytest.mark.parametrize("desc,thunk,exc,fragments", _BAD, ids=[b[0] for b in _BAD])
def test_bad_input(desc, thunk, exc, fragments):
    with pytest.raises(exc) as e:
        thunk()
    msg = str(e.value)
    assert msg.startswith(desc.split()[0]), msg
    for f in fragments:
        assert f in msg, (f, msg)


@settings(max_examples=40, deadline=None)
@given(x=xps.arrays(xps.scalar_dtypes(), hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)),
       data=st.data())
def test_take_property(x, data):
    a = np.asarray(x)
    axis = data.draw(st.none() | st.integers(-a.ndim, a.ndim - 1), label="axis")
    n = a.size if axis is None else a.shape[axis]
    idx = data.draw(st.lists(st.integers(-n, n - 1) if n else st.nothing(), max_size=6), label="idx")
    i = np.asarray(idx, dtype=np.int64)
    out = xp.take(x, xp.asarray(i), axis=axis)
    np.testing.assert_array_equal(out._array, np.take(a, i, axis=axis))
    assert out.dtype == x.dtype
    # take_along_axis with indices of x's rank along the same axis
    if axis is not None and n:
        shape = list(a.shape)
        shape[axis] = len(idx)
        ti = np.asarray(data.draw(hnp.arrays(np.int64, tuple(shape),
                                             elements=st.integers(-n, n - 1)), label="ti"))
        out2 = xp.take_along_axis(x, xp.asarray(ti), axis=axis)
        np.testing.assert_array_equal(out2._array, np.take_along_axis(a, ti, axis=axis))
