"""Statistical functions vs NumPy: values, dtype (the standard's accumulation
rules), shape; 0-d, empty, NaN, axis tuples, negative axes, keepdims; dtype=,
correction=, include_initial=; bad input; float32 accuracy of long sums."""
import warnings
import zlib

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.array_api import make_strategies_namespace

import minitensor as xp
from minitensor import _dtypes
from op_records import random_input
from records_statistical import RECORDS, np_mean, np_sum

xps = make_strategies_namespace(xp)
_CASES = [(r, c) for r in RECORDS for c in r.cases]


def _names(category):
    return [d.name for d in _dtypes._dtype_categories[category]]


def _check(out, ref, rec, dt, where):
    assert type(out) is xp.Tensor, where
    a = out._array
    assert type(a) is np.ndarray, where
    assert a.dtype == ref.dtype, (where, a.dtype, ref.dtype)
    assert out.shape == ref.shape, (where, out.shape, ref.shape)
    if a.dtype.kind in "fc":
        rtol, atol = rec.tol(a.dtype.name)
        np.testing.assert_allclose(a, ref, rtol=rtol, atol=atol, equal_nan=True, err_msg=where)
    else:
        np.testing.assert_array_equal(a, ref, err_msg=where)


@pytest.mark.parametrize("rec,case", _CASES, ids=[f"{r.name}-{c!r}" for r, c in _CASES])
def test_forward(rec, case):
    """Every case, every dtype of the record's category: NumPy's values, the
    standard's dtype, the keepdims shape; the input is not modified."""
    fn = getattr(xp, rec.name)
    rng = np.random.default_rng(zlib.crc32(f"{rec.name}{case!r}".encode()))
    for dt in _names(rec.dtypes):
        a = random_input(rng, case.shapes[0], dt)
        if rec.name in ("prod", "cumulative_prod") and a.dtype.kind in "iu":
            a = a % 3  # keep integer products in range
        before = a.copy()
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # e.g. no "Mean of empty slice"
            out = rec.call(fn, [xp.asarray(a)], case)
        ref = rec.call(rec.ref, [a], case)
        _check(out, np.asarray(ref), rec, dt, f"{rec.name}{case!r} {dt}")
        np.testing.assert_array_equal(a, before)


# ----------------------------------------------------------------- dtypes
_INT_DEFAULTS = [("int8", "int64"), ("int16", "int64"), ("int32", "int64"), ("int64", "int64"),
                 ("uint8", "uint64"), ("uint16", "uint64"), ("uint32", "uint64"),
                 ("uint64", "uint64"), ("bool", "int64"), ("float32", "float32"),
                 ("float64", "float64"), ("complex64", "complex64"), ("complex128", "complex128")]


@pytest.mark.parametrize("name", ["sum", "prod", "cumulative_sum", "cumulative_prod"])
@pytest.mark.parametrize("din,dout", _INT_DEFAULTS)
def test_default_accumulation_dtype(name, din, dout):
    x = xp.asarray(np.ones(3, dtype=din))
    assert getattr(xp, name)(x).dtype.name == dout


@pytest.mark.parametrize("name", ["sum", "prod", "cumulative_sum", "cumulative_prod"])
@pytest.mark.parametrize("din,dkw", [("int8", "int16"), ("int8", "int8"), ("uint8", "uint16"),
                                     ("float32", "float64"), ("float64", "float32"),
                                     ("int32", "float64"), ("float32", "complex64"),
                                     ("uint8", "int8"), ("float64", "int32")])
def test_dtype_kwarg(name, din, dkw):
    """dtype= is the result dtype; the input is cast to it before accumulating."""
    rng = np.random.default_rng(1)
    a = random_input(rng, (3, 4), din) % 3 if din[0] in "iu" else random_input(rng, (3, 4), din)
    kw = {} if name.startswith("cumulative") else {"keepdims": True}
    out = getattr(xp, name)(xp.asarray(a), axis=1, dtype=getattr(xp, dkw), **kw)
    np_func = {"sum": np.sum, "prod": np.prod, "cumulative_sum": np.cumsum,
               "cumulative_prod": np.cumprod}[name]
    ref = np.asarray(np_func(a.astype(dkw), axis=1, dtype=dkw, **kw))
    assert out.dtype.name == dkw
    np.testing.assert_allclose(out._array, ref, rtol=1e-6)


def test_dtype_kwarg_errors():
    x = xp.asarray([1 + 2j])
    with pytest.raises(TypeError, match="complex"):
        xp.sum(x, dtype=xp.float64)
    with pytest.raises(TypeError):
        xp.sum(xp.asarray([1.0]), dtype="not a dtype")


@pytest.mark.parametrize("name", ["mean", "var", "std"])
@pytest.mark.parametrize("din,dout", [("int8", "float64"), ("uint64", "float64"),
                                      ("bool", "float64"), ("float32", "float32"),
                                      ("float64", "float64")])
def test_float_result_dtype(name, din, dout):
    x = xp.asarray(np.arange(4).astype(din))
    out = getattr(xp, name)(x)
    assert out.dtype.name == dout
    ref = getattr(np, name)(np.arange(4).astype(din).astype(dout))
    np.testing.assert_allclose(out._array, ref, rtol=1e-6)


@pytest.mark.parametrize("dt", ["complex64", "complex128"])
def test_complex(dt):
    rng = np.random.default_rng(2)
    a = random_input(rng, (3, 5), dt)
    x = xp.asarray(a)
    real = "float32" if dt == "complex64" else "float64"
    for name in ("var", "std"):
        out = getattr(xp, name)(x, axis=1, correction=1)
        assert out.dtype.name == real
        np.testing.assert_allclose(out._array, getattr(np, name)(a, axis=1, ddof=1), rtol=1e-5)
    m = xp.mean(x, axis=0)
    assert m.dtype.name == dt
    np.testing.assert_allclose(m._array, a.mean(axis=0), rtol=1e-5)
    assert xp.max(x)._array == a.max()  # lexicographic, as NumPy


# ---------------------------------------------------- empty / NaN / special
@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("shape,axis", [((0,), None), ((3, 0), 1), ((2, 0, 3), (0, 1)), ((0,), 0)])
def test_max_min_empty_raise(name, shape, axis):
    with pytest.raises(ValueError, match=name):
        getattr(xp, name)(xp.zeros(shape), axis=axis)


def test_max_min_empty_output_ok():
    """Reducing a non-empty axis of a tensor with no elements: an empty result."""
    out = xp.max(xp.zeros((0, 3)), axis=1)
    assert out.shape == (0,)


@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_empty_reductions(dt):
    x = xp.asarray(np.zeros(0, dtype=dt))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(xp.sum(x)) == 0.0 and xp.sum(x).dtype.name == dt
        assert float(xp.prod(x)) == 1.0
        for name in ("mean", "var", "std"):
            r = getattr(xp, name)(x)
            assert r.shape == () and r.dtype.name == dt and np.isnan(r._array)
        r = xp.mean(xp.asarray(np.zeros((2, 0), dtype=dt)), axis=1, keepdims=True)
        assert r.shape == (2, 1) and np.isnan(r._array).all()


@pytest.mark.parametrize("name", ["sum", "prod", "mean", "var", "std", "max", "min"])
@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_nan_propagates(name, dt):
    a = np.arange(12, dtype=dt).reshape(3, 4)
    a[1, 2] = np.nan
    out = getattr(xp, name)(xp.asarray(a), axis=1)._array
    assert np.isnan(out[1]) and not np.isnan(out[[0, 2]]).any()
    assert np.isnan(getattr(xp, name)(xp.asarray(a))._array)


@pytest.mark.parametrize("correction", [4, 4.0, 5, 7.5])
def test_var_correction_too_large_is_nan(correction):
    x = xp.asarray(np.arange(8.0).reshape(2, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ("var", "std"):
            r = getattr(xp, name)(x, axis=1, correction=correction)
            assert r.shape == (2,) and np.isnan(r._array).all()


def test_var_correction_values():
    a = np.random.default_rng(3).standard_normal((4, 6))
    for c in (0, 1, 2.5, -1):
        np.testing.assert_allclose(xp.var(xp.asarray(a), axis=0, correction=c)._array,
                                   np.var(a, axis=0, ddof=c), rtol=1e-12)
    with pytest.raises(TypeError):
        xp.var(xp.asarray(a), correction="1")
    with pytest.raises(TypeError):
        xp.var(xp.asarray(a), correction=True)


def test_cumulative_errors_and_views():
    x = xp.ones((2, 3))
    for name in ("cumulative_sum", "cumulative_prod"):
        with pytest.raises(ValueError, match="axis"):
            getattr(xp, name)(x)
        with pytest.raises(IndexError, match="axis 2 .* dimension 2"):
            getattr(xp, name)(x, axis=2)
        with pytest.raises(TypeError):
            getattr(xp, name)(x, axis=0, include_initial=1)
    r = xp.cumulative_sum(x, axis=1, include_initial=True)
    assert r._array.flags.c_contiguous and r.shape == (2, 4)


def test_cumulative_prod_values():
    a = np.array([[1.0, 2.0, -3.0], [np.inf, -2.0, 0.5]])
    np.testing.assert_array_equal(xp.cumulative_prod(xp.asarray(a), axis=1, include_initial=True)._array,
                                  np.cumulative_prod(a, axis=1, include_initial=True))


# -------------------------------------------------------------- bad input
ALL_REDUCTIONS = ["sum", "prod", "mean", "var", "std", "max", "min"]


@pytest.mark.parametrize("name", ALL_REDUCTIONS)
def test_axis_errors(name):
    fn = getattr(xp, name)
    x = xp.ones((2, 3))
    with pytest.raises(IndexError, match="axis 2 is out of bounds for array of dimension 2"):
        fn(x, axis=2)
    with pytest.raises(IndexError, match="axis -3"):
        fn(x, axis=(0, -3))
    with pytest.raises(ValueError, match="repeated axis"):
        fn(x, axis=(1, -1))
    with pytest.raises(TypeError, match="axis"):
        fn(x, axis=1.0)
    with pytest.raises(TypeError, match="axis"):
        fn(x, axis=True)
    with pytest.raises(IndexError):
        fn(xp.asarray(1.0), axis=0)
    with pytest.raises(TypeError):
        fn(x, keepdims="yes")


@pytest.mark.parametrize("name", ALL_REDUCTIONS + ["cumulative_sum"])
def test_bad_operand(name):
    with pytest.raises(TypeError, match="unsupported operand type"):
        getattr(xp, name)([1.0, 2.0])
    if name not in ("max", "min"):
        with pytest.raises(TypeError):
            getattr(xp, name)(xp.asarray([1.0]), dtype=xp.float64) if name in ("mean", "var", "std") \
                else (_ for _ in ()).throw(TypeError)


def test_numpy_array_operand():
    """NumPy arrays are accepted as operands, as by the elementwise functions."""
    assert float(xp.sum(np.arange(4.0))) == 6.0


# ------------------------------------------------------------- accuracy
@pytest.mark.parametrize("shape,axis", [((1_000_000,), None), ((10_000_000,), None),
                                        ((1000, 10_000), 1), ((10_000, 1000), 0)])
def test_float32_sum_accuracy(shape, axis):
    """Long float32 sums: error vs a float64 reference no worse than 2x NumPy's
    (pairwise summation), and mean agrees."""
    rng = np.random.default_rng(4)
    a = (rng.random(shape, dtype=np.float32) + np.float32(0.5))
    ref = np.sum(a, axis=axis, dtype=np.float64)
    ours = xp.sum(xp.asarray(a), axis=axis)._array
    assert ours.dtype == np.float32
    theirs = np.sum(a, axis=axis)
    err_ours = np.abs(ours.astype(np.float64) - ref)
    err_np = np.abs(theirs.astype(np.float64) - ref)
    ulp = np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64)
    assert np.all(err_ours <= 2 * np.maximum(err_np, ulp)), (err_ours.max(), err_np.max())
    n = a.size // np.size(ref)
    m = xp.mean(xp.asarray(a), axis=axis)._array
    err_m = np.abs(m.astype(np.float64) - ref / n)
    err_m_np = np.abs(np.mean(a, axis=axis).astype(np.float64) - ref / n)
    assert np.all(err_m <= 2 * np.maximum(err_m_np, ulp / n)), (err_m.max(), err_m_np.max())


# ------------------------------------------------------------- hypothesis
@settings(max_examples=60, deadline=None)
@given(x=xps.arrays(dtype=xps.real_dtypes(), shape=xps.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)),
       data=st.data())
def test_sum_mean_hypothesis(x, data):
    axis = data.draw(st.none() | st.lists(st.integers(-x.ndim, x.ndim - 1), unique_by=lambda a: a % max(x.ndim, 1),
                                          max_size=x.ndim).map(tuple) if x.ndim else st.none() | st.just(()))
    keepdims = data.draw(st.booleans())
    a = x._array
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        s = xp.sum(x, axis=axis, keepdims=keepdims)
        ref = np_sum(a, axis, None, keepdims)
        m = xp.mean(x, axis=axis, keepdims=keepdims)
        mref = np_mean(a, axis, keepdims)
    assert s.dtype.name == ref.dtype.name and s.shape == ref.shape
    np.testing.assert_allclose(s._array, ref, rtol=1e-5, equal_nan=True)
    assert m.dtype.name == mref.dtype.name and m.shape == mref.shape
    np.testing.assert_allclose(m._array, mref, rtol=1e-5, equal_nan=True)
