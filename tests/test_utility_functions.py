"""all / any / diff vs NumPy: every dtype, axes, keepdims, 0-d and empty input;
diff's positional ``n``, prepend/append; bad input."""
import zlib

import numpy as np
import pytest

import minitensor as xp
from minitensor import _dtypes
from op_records import random_input
from records_utility import RECORDS, np_diff

_CASES = [(r, c) for r in RECORDS for c in r.cases]


def _data(rec, case, dt):
    rng = np.random.default_rng(zlib.crc32(f"{rec.name}{case!r}{dt}".encode()))
    a = random_input(rng, case.shapes[0], dt)
    if rec.name in ("all", "any") and a.dtype.kind != "b":
        a = np.where(rng.random(a.shape) < 0.3, 0, a).astype(dt)  # some zeros
        if a.dtype.kind == "f" and a.size:
            a.reshape(-1)[0] = np.nan  # NaN is true
    return a


@pytest.mark.parametrize("rec,case", _CASES, ids=[f"{r.name}-{c!r}" for r, c in _CASES])
def test_forward(rec, case):
    fn = getattr(xp, rec.name)
    for d in _dtypes._dtype_categories[rec.dtypes]:
        a = _data(rec, case, d.name)
        out = rec.call(fn, [xp.asarray(a)], case)
        ref = np.asarray(rec.call(rec.ref, [a], case))
        where = f"{rec.name}{case!r} {d.name}"
        assert type(out) is xp.Tensor and type(out._array) is np.ndarray, where
        assert out._array.dtype == ref.dtype and out.shape == ref.shape, (where, out.dtype, out.shape)
        np.testing.assert_array_equal(out._array, ref, err_msg=where)


def test_all_any_special_values():
    x = xp.asarray([np.nan, np.inf, -np.inf, 1e-300])
    assert bool(xp.all(x)) and bool(xp.any(x))
    c = xp.asarray([0j, complex(0, 1)])
    assert not bool(xp.all(c)) and bool(xp.any(c))
    assert bool(xp.all(xp.zeros(0))) and not bool(xp.any(xp.zeros(0)))


@pytest.mark.parametrize("name", ["all", "any"])
def test_all_any_bad_axis(name):
    fn = getattr(xp, name)
    with pytest.raises(IndexError, match="axis 3 is out of bounds for array of dimension 2"):
        fn(xp.ones((2, 2)), axis=3)
    with pytest.raises(ValueError, match="repeated"):
        fn(xp.ones((2, 2)), axis=(0, -2))
    with pytest.raises(TypeError):
        fn(xp.ones((2, 2)), axis="0")


@pytest.mark.parametrize("dt", ["int8", "uint8", "float32", "complex64"])
def test_diff_prepend_append(dt):
    rng = np.random.default_rng(5)
    a, p, q = (random_input(rng, s, dt) for s in ((3, 4), (3, 2), (3, 1)))
    for n in (1, 2, 4):
        out = xp.diff(xp.asarray(a), n=n, prepend=xp.asarray(p), append=xp.asarray(q))
        ref = np_diff(a, n=n, prepend=p, append=q)
        assert out.dtype.name == dt and out.shape == ref.shape
        np.testing.assert_array_equal(out._array, ref)
    out = xp.diff(xp.asarray(a), axis=0, prepend=xp.asarray(a[:1]))
    np.testing.assert_array_equal(out._array, np.diff(a, axis=0, prepend=a[:1]))


def test_diff_promotes_prepend():
    out = xp.diff(xp.asarray([1, 2], dtype=xp.int8), prepend=xp.asarray([0.5]))
    assert out.dtype == xp.float64
    np.testing.assert_array_equal(out._array, [0.5, 1.0])


def test_diff_errors():
    x = xp.ones((2, 3))
    with pytest.raises(IndexError, match="axis 2 is out of bounds for array of dimension 2"):
        xp.diff(x, axis=2)
    with pytest.raises(ValueError, match="non-negative"):
        xp.diff(x, n=-1)
    with pytest.raises(TypeError, match="n must be an int"):
        xp.diff(x, n=1.0)
    with pytest.raises(ValueError, match="0-d"):
        xp.diff(xp.asarray(1.0))
    with pytest.raises(TypeError, match="diff"):
        xp.diff(xp.asarray([True, False]))
    with pytest.raises(ValueError, match=r"\(2, 2\).*\(2, 3\)"):
        xp.diff(x, axis=0, prepend=xp.ones((2, 2)))
    with pytest.raises(TypeError, match="prepend"):
        xp.diff(x, prepend=1.0)


def test_diff_n0_returns_input():
    x = xp.asarray([1.0, 2.0])
    assert xp.diff(x, 0) is x
