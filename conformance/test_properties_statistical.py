"""Statistical and utility functions: reduction shapes (axis None/int/tuple,
keepdims) and dtypes per the standard (sum/prod accumulate integers in the
default integer dtype), values vs NumPy, special cases (empty reductions,
correction >= N), no RuntimeWarnings on overflow."""
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import minitensor as xp
from conformance_helpers import (
    NP_DTYPE, arrays, assert_tensor, axes_for, conformance_settings, finite_arrays,
    reduced_shape, small_shapes, small_valued, to_np, xps,
)

INT_DEFAULT = {"i": np.int64, "u": np.uint64, "b": np.int64}
_acc = lambda d: np.dtype(INT_DEFAULT.get(d.kind, d))  # noqa: E731
# name: (input strategy, result dtype from the input's NumPy dtype)
EXACT = {
    "sum": (small_valued(xps.numeric_dtypes()), _acc),
    "prod": (small_valued(xps.numeric_dtypes()), _acc),
    "all": (arrays(xps.scalar_dtypes()), lambda d: np.dtype(np.bool_)),
    "any": (arrays(xps.scalar_dtypes()), lambda d: np.dtype(np.bool_)),
}


@pytest.mark.parametrize("name", list(EXACT))
@conformance_settings
@given(data=st.data())
def test_reduction_shape_dtype_values(name, data):
    # sum/prod accumulate integers in int64/uint64 (the standard's default), all/any: bool
    strategy, result_dtype = EXACT[name]
    x = data.draw(strategy)
    axis = data.draw(axes_for(x.ndim))
    keep = data.draw(st.booleans())
    r = getattr(xp, name)(x, axis=axis, keepdims=keep)
    a = to_np(x)
    rd = result_dtype(a.dtype)
    assert NP_DTYPE[r.dtype] == rd
    assert r.shape == reduced_shape(x.shape, axis, keep)
    kw = {"dtype": rd} if name in ("sum", "prod") else {}
    want = getattr(np, name)(a, axis=axis, keepdims=keep, **kw)
    tol = (1e-5 if a.dtype in (np.float32, np.complex64) else 1e-12) if rd.kind in "fc" else 0
    assert_tensor(r, want, rtol=tol, atol=tol)


@pytest.mark.parametrize("name", ["mean", "var", "std", "max", "min"])
@conformance_settings
@given(data=st.data())
def test_float_reductions_vs_numpy(name, data):
    dtype = data.draw(st.sampled_from([xp.float32, xp.float64]))
    shape = data.draw(xps.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
    x = data.draw(finite_arrays(dtype, shape))
    axis = data.draw(axes_for(x.ndim))
    keep = data.draw(st.booleans())
    kw = {}
    if name in ("var", "std"):
        kw["correction"] = data.draw(st.sampled_from([0, 1, 0.5]))
    r = getattr(xp, name)(x, axis=axis, keepdims=keep, **kw)
    assert r.dtype == dtype and r.shape == reduced_shape(x.shape, axis, keep)
    ref = {"var": np.var, "std": np.std}.get(name, getattr(np, name, None))
    nkw = {"ddof": kw["correction"]} if kw else {}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # NumPy's "Degrees of freedom <= 0"
        want = ref(to_np(x).astype(np.float64), axis=axis, keepdims=keep, **nkw)
    tol = 1e-4 if dtype == xp.float32 else 1e-10
    assert_tensor(r, np.asarray(want).astype(NP_DTYPE[dtype]), rtol=tol, atol=tol * 10)


@pytest.mark.parametrize("name", ["cumulative_sum", "cumulative_prod"])
@conformance_settings
@given(data=st.data())
def test_cumulative_shape_and_last_equals_reduction(name, data):
    x = data.draw(small_valued(xps.numeric_dtypes(), st.tuples(st.integers(0, 6)), bound=3))
    inc = data.draw(st.booleans())
    r = getattr(xp, name)(x, include_initial=inc)
    assert r.shape == (x.shape[0] + inc,)
    red = (xp.sum if name == "cumulative_sum" else xp.prod)(x)
    assert r.dtype == red.dtype
    if r.shape[0]:
        np.testing.assert_allclose(to_np(r)[-1], to_np(red), rtol=1e-5)
    if inc:
        assert to_np(r)[0] == (0 if name == "cumulative_sum" else 1)


def test_empty_reductions_special_cases():
    e = xp.zeros((0,), dtype=xp.float64)
    assert float(xp.sum(e)) == 0.0 and float(xp.prod(e)) == 1.0
    for f in (xp.mean, xp.var, xp.std):  # NaN without a warning
        assert np.isnan(float(f(e)))
    # correction >= N gives NaN (the standard), no warning
    assert np.isnan(float(xp.var(xp.asarray([1.0, 2.0]), correction=2)))
    with pytest.raises(ValueError):
        xp.max(e)


@pytest.mark.parametrize("dtype", [xp.float32, xp.float64], ids=str)
def test_overflowing_reductions_are_quiet(dtype):
    # inf / NaN results and no RuntimeWarning (pytest's filterwarnings=error
    # turns one into a failure): the standard has no floating-point warnings
    big = xp.full((4,), float(xp.finfo(dtype).max), dtype=dtype)
    assert float(xp.sum(big)) == np.inf and float(xp.prod(big)) == np.inf
    assert float(xp.mean(big)) == np.inf  # the sum overflows first, as in NumPy
    assert float(xp.cumulative_sum(big)[-1]) == np.inf
    assert not np.isfinite(float(xp.var(big))) and not np.isfinite(float(xp.std(big)))
    assert np.isnan(float(xp.sum(xp.asarray([np.inf, -np.inf], dtype=dtype))))
    assert np.isnan(float(xp.var(xp.asarray([np.inf, 1.0], dtype=dtype))))


@conformance_settings
@given(data=st.data())
def test_diff_vs_numpy(data):
    x = data.draw(small_valued(xps.real_dtypes(), xps.array_shapes(min_dims=1, max_dims=3,
                                                                   max_side=5), bound=9))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    n = data.draw(st.integers(0, 3))
    if x.dtype == xp.bool:
        return
    r = xp.diff(x, axis=axis, n=n)
    with np.errstate(all="ignore"):
        assert_tensor(r, np.diff(to_np(x), axis=axis, n=n))
