"""Elementwise functions: values vs NumPy, result dtypes and broadcast shapes, no
RuntimeWarnings (pytest turns warnings into errors), and a sample of the
standard's special cases (the tables in each function's spec page)."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import minitensor as xp
from conformance_helpers import (
    FLOAT_DTYPES, NP_DTYPE, REAL_FLOAT_DTYPES, arrays, assert_tensor, conformance_settings,
    promotable_dtypes, to_np, xps,
)

_real_float = st.sampled_from(REAL_FLOAT_DTYPES)
_any_float = st.sampled_from(FLOAT_DTYPES)

# name, NumPy reference, dtype strategy
UNARY = [
    ("abs", np.abs, xps.numeric_dtypes()),
    ("negative", np.negative, xps.numeric_dtypes()),
    ("positive", np.positive, xps.numeric_dtypes()),
    ("square", np.square, xps.numeric_dtypes()),
    ("exp", np.exp, _any_float),
    ("log", np.log, _any_float),
    ("sqrt", np.sqrt, _any_float),
    ("sin", np.sin, _any_float),
    ("tanh", np.tanh, _any_float),
    ("floor", np.floor, xps.real_dtypes()),
    ("ceil", np.ceil, xps.real_dtypes()),
    ("trunc", np.trunc, xps.real_dtypes()),
    ("round", np.round, xps.real_dtypes()),
    ("isnan", np.isnan, xps.numeric_dtypes()),
    ("isfinite", np.isfinite, xps.numeric_dtypes()),
    ("signbit", np.signbit, _real_float),
    ("logical_not", np.logical_not, st.just(xp.bool)),
    ("bitwise_invert", np.invert, xps.integer_dtypes() | st.just(xp.bool)),
    ("conj", np.conj, xps.numeric_dtypes()),
    ("real", np.real, _any_float),
]

BINARY = [
    ("add", np.add, xps.numeric_dtypes()),
    ("subtract", np.subtract, xps.numeric_dtypes()),
    ("multiply", np.multiply, xps.numeric_dtypes()),
    ("divide", np.divide, _any_float),
    ("maximum", np.maximum, xps.real_dtypes()),
    ("minimum", np.minimum, xps.real_dtypes()),
    ("atan2", np.arctan2, _real_float),
    ("hypot", np.hypot, _real_float),
    ("copysign", np.copysign, _real_float),
    ("logaddexp", np.logaddexp, _real_float),
    ("greater", np.greater, xps.real_dtypes()),
    ("equal", np.equal, xps.scalar_dtypes()),
    ("bitwise_and", np.bitwise_and, xps.integer_dtypes() | st.just(xp.bool)),
    ("bitwise_xor", np.bitwise_xor, xps.integer_dtypes() | st.just(xp.bool)),
    ("logical_or", np.logical_or, st.just(xp.bool)),
]


def _close(r, want, dtype):
    if NP_DTYPE[dtype].kind in "fc":
        tol = 1e-5 if NP_DTYPE[dtype] in (np.float32, np.complex64) else 1e-12
        assert_tensor(r, want, rtol=tol, atol=tol)
    else:
        assert_tensor(r, want)


@pytest.mark.parametrize("name,ref,dtypes", UNARY, ids=[u[0] for u in UNARY])
@conformance_settings
@given(data=st.data())
def test_unary_vs_numpy(name, ref, dtypes, data):
    dtype = data.draw(dtypes)
    x = data.draw(arrays(dtype))
    r = getattr(xp, name)(x)
    with np.errstate(all="ignore"):
        want = np.asarray(ref(to_np(x)))
    assert r.shape == x.shape
    _close(r, want, dtype)


@pytest.mark.parametrize("name,ref,dtypes", BINARY, ids=[b[0] for b in BINARY])
@conformance_settings
@given(data=st.data())
def test_binary_vs_numpy_broadcast(name, ref, dtypes, data):
    d1, d2 = data.draw(promotable_dtypes(dtypes))
    shapes = data.draw(xps.mutually_broadcastable_shapes(2, max_dims=3, max_side=3))
    x1 = data.draw(arrays(d1, shapes.input_shapes[0]))
    x2 = data.draw(arrays(d2, shapes.input_shapes[1]))
    r = getattr(xp, name)(x1, x2)
    assert r.shape == shapes.result_shape
    with np.errstate(all="ignore"):
        want = np.asarray(ref(to_np(x1), to_np(x2)))
    if want.dtype != np.bool_:
        assert r.dtype == xp.result_type(d1, d2)
    _close(r, want, r.dtype)
    # commutative functions are symmetric (values and dtype)
    if name in ("add", "multiply", "maximum", "minimum", "equal", "bitwise_and", "hypot",
                "logaddexp", "logical_or", "bitwise_xor"):
        s = getattr(xp, name)(x2, x1)
        assert s.dtype == r.dtype
        if name == "multiply" and to_np(r).dtype.kind == "c":
            # NumPy's complex multiply uses fused multiply-adds, so x1 * x2 and x2 * x1
            # may differ in the last bit (which examples are drawn depends on the heap:
            # the dtype strategies iterate sets)
            eps = np.finfo(to_np(r).dtype).eps
            with np.errstate(all="ignore"):
                scale = np.abs(to_np(x1)) * np.abs(to_np(x2))  # (the products' size)
            atol = 4 * eps * float(np.max(scale, initial=0.0))
            np.testing.assert_allclose(to_np(s), to_np(r), rtol=4 * eps, atol=atol)
        else:
            np.testing.assert_array_equal(to_np(s), to_np(r))


@conformance_settings
@given(x=arrays(xp.float64), scalar=st.floats(-10, 10))
def test_python_scalar_operand_matches_array_operand(x, scalar):
    for name in ("add", "multiply", "subtract", "maximum"):
        f = getattr(xp, name)
        a = f(x, scalar)
        b = f(x, xp.asarray(scalar, dtype=x.dtype))
        assert a.dtype == b.dtype == x.dtype
        np.testing.assert_array_equal(to_np(a), to_np(b))


# --- special cases (a sample of the standard's tables) -----------------------
inf, nan = math.inf, math.nan
SPECIAL_UNARY = [
    # (function, input, expected) ; expected nan means NaN; signed zeros checked
    ("abs", -0.0, 0.0), ("abs", -inf, inf), ("abs", nan, nan),
    ("sqrt", -1.0, nan), ("sqrt", -0.0, -0.0), ("sqrt", inf, inf),
    ("log", 0.0, -inf), ("log", -1.0, nan), ("log", 1.0, 0.0),
    ("log1p", -1.0, -inf), ("log1p", -0.0, -0.0), ("exp", -inf, 0.0), ("exp", nan, nan),
    ("expm1", -inf, -1.0), ("expm1", -0.0, -0.0), ("sin", -0.0, -0.0), ("sin", inf, nan),
    ("cos", inf, nan), ("tan", -0.0, -0.0), ("tanh", -inf, -1.0), ("atanh", 1.0, inf),
    ("atanh", -1.0, -inf), ("atanh", 2.0, nan), ("acos", 1.0, 0.0), ("asin", -0.0, -0.0),
    ("acosh", 1.0, 0.0), ("acosh", 0.5, nan), ("asinh", -inf, -inf), ("cosh", -inf, inf),
    ("floor", -0.0, -0.0), ("ceil", -0.5, -0.0), ("trunc", -0.5, -0.0),
    ("round", 2.5, 2.0), ("round", -2.5, -2.0), ("round", 0.5, 0.0), ("round", -0.5, -0.0),
    ("sign", -0.0, 0.0), ("sign", nan, nan), ("sign", -inf, -1.0),
    ("signbit", -0.0, True), ("signbit", nan, False), ("signbit", -nan, True),
    ("isinf", -inf, True), ("isfinite", nan, False), ("reciprocal", -0.0, -inf),
]

SPECIAL_BINARY = [
    ("divide", 1.0, -0.0, -inf), ("divide", 0.0, 0.0, nan), ("divide", -1.0, inf, -0.0),
    ("floor_divide", inf, 2.0, inf), ("floor_divide", -inf, 2.0, -inf),
    ("floor_divide", 1.0, 0.0, inf), ("floor_divide", -1.0, 0.0, -inf),
    ("floor_divide", 1.0, inf, 0.0), ("floor_divide", -1.0, inf, -0.0),
    ("remainder", -1.0, 3.0, 2.0), ("remainder", 1.0, -3.0, -2.0), ("remainder", 5.0, inf, 5.0),
    ("remainder", inf, 2.0, nan),
    ("pow", nan, 0.0, 1.0), ("pow", 1.0, nan, 1.0), ("pow", -0.0, -3.0, -inf),
    ("pow", 0.0, -2.0, inf), ("pow", -1.0, inf, 1.0), ("pow", 0.5, -inf, inf),
    ("atan2", 0.0, -0.0, math.pi), ("atan2", -0.0, -0.0, -math.pi), ("atan2", 1.0, inf, 0.0),
    ("atan2", inf, -inf, 3 * math.pi / 4),
    ("hypot", inf, nan, inf), ("hypot", nan, -inf, inf),
    ("maximum", nan, 1.0, nan), ("minimum", 1.0, nan, nan),
    ("copysign", 1.0, -0.0, -1.0), ("copysign", -inf, 0.0, inf),
    ("logaddexp", inf, 1.0, inf), ("logaddexp", nan, 1.0, nan),
    ("add", inf, -inf, nan), ("add", -0.0, -0.0, -0.0), ("multiply", 0.0, inf, nan),
    ("subtract", -0.0, 0.0, -0.0), ("nextafter", 0.0, -1.0, -5e-324),
    ("equal", nan, nan, False), ("not_equal", nan, nan, True), ("less", -0.0, 0.0, False),
]


def _check_special(r, expected):
    got = to_np(r).item()
    if isinstance(expected, bool):
        assert got is expected or got == expected
    elif math.isnan(expected):
        assert math.isnan(got), got
    else:
        assert got == expected, (got, expected)
        if expected == 0:
            assert math.copysign(1, got) == math.copysign(1, expected), "sign of zero"


@pytest.mark.parametrize("dtype", REAL_FLOAT_DTYPES, ids=str)
@pytest.mark.parametrize("name,x,expected", SPECIAL_UNARY, ids=lambda v: repr(v))
def test_special_cases_unary(name, x, expected, dtype):
    _check_special(getattr(xp, name)(xp.asarray(x, dtype=dtype)), expected)


@pytest.mark.parametrize("name,x1,x2,expected", SPECIAL_BINARY, ids=lambda v: repr(v))
def test_special_cases_binary(name, x1, x2, expected):
    f = getattr(xp, name)
    _check_special(f(xp.asarray(x1), xp.asarray(x2)), expected)
    # the same case as a Python scalar operand
    _check_special(f(xp.asarray(x1), x2), expected)


SPECIAL_COMPLEX = [
    ("expm1", complex(0.0, 0.0), complex(0.0, 0.0)),
    ("expm1", complex(-0.0, 0.0), complex(0.0, 0.0)),
    ("exp", complex(0.0, 0.0), complex(1.0, 0.0)),
    ("sign", complex(0.0, 0.0), complex(0.0, 0.0)),
    ("sign", complex(3.0, 4.0), complex(0.6, 0.8)),
    ("log", complex(-0.0, 0.0), complex(-inf, math.pi)),
    ("sqrt", complex(0.0, 0.0), complex(0.0, 0.0)),
    ("sqrt", complex(-4.0, 0.0), complex(0.0, 2.0)),
    ("abs", complex(inf, nan), inf),
    ("isnan", complex(1.0, nan), True),
    ("isinf", complex(nan, inf), True),
]


@pytest.mark.parametrize("dtype", [xp.complex64, xp.complex128], ids=str)
@pytest.mark.parametrize("name,z,expected", SPECIAL_COMPLEX, ids=lambda v: repr(v))
def test_special_cases_complex(name, z, expected, dtype):
    got = to_np(getattr(xp, name)(xp.asarray(z, dtype=dtype))).item()
    if isinstance(expected, bool) or not isinstance(expected, complex):
        assert got == expected
    else:
        for g, e in ((got.real, expected.real), (got.imag, expected.imag)):
            assert g == pytest.approx(e, rel=1e-6, abs=1e-7)
        assert math.copysign(1, got.real) == math.copysign(1, expected.real)


@conformance_settings
@given(x=arrays(xps.integer_dtypes(), elements={"min_value": -100, "max_value": 100}),
       y=st.integers(1, 9))
def test_integer_floor_divide_remainder_identity(x, y):
    # x == floor_divide(x, y) * y + remainder(x, y) (the standard's definition)
    q, r = xp.floor_divide(x, y), xp.remainder(x, y)
    assert q.dtype == r.dtype == x.dtype
    np.testing.assert_array_equal(to_np(q) * y + to_np(r), to_np(x))
    assert np.all((to_np(r) >= 0) & (to_np(r) < y))
