"""Helpers shared by ``conformance/test_properties_*.py``: the strategies
namespace, the hypothesis settings and NumPy comparisons."""
import math
import os

import numpy as np
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.extra.array_api import make_strategies_namespace

import minitensor as xp

settings.register_profile(
    "minitensor-conformance",
    max_examples=int(os.environ.get("MINITENSOR_CONFORMANCE_EXAMPLES", "20")),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large],
)
#: decorator: the conformance profile (applied per test, not loaded globally)
conformance_settings = settings(settings.get_profile("minitensor-conformance"))

xps = make_strategies_namespace(xp, api_version="2025.12")

NP_DTYPE = {getattr(xp, n): np.dtype(n) for n in (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float32", "float64", "complex64", "complex128")}
FROM_NP = {v: k for k, v in NP_DTYPE.items()}

ALL_DTYPES = list(NP_DTYPE)
NUMERIC_DTYPES = [d for d in ALL_DTYPES if d != xp.bool]
REAL_FLOAT_DTYPES = [xp.float32, xp.float64]
FLOAT_DTYPES = REAL_FLOAT_DTYPES + [xp.complex64, xp.complex128]
INT_DTYPES = [xp.int8, xp.int16, xp.int32, xp.int64, xp.uint8, xp.uint16, xp.uint32, xp.uint64]

_SIGNED = [xp.int8, xp.int16, xp.int32, xp.int64]


def standard_pair(a, b):
    """Whether the standard defines the promotion of ``a`` with ``b`` (no mixed
    kinds between bool / integer / floating, no signed integer with uint64)."""
    if (a == xp.bool) != (b == xp.bool):
        return False
    if (a in FLOAT_DTYPES) != (b in FLOAT_DTYPES):
        return False
    if (a == xp.uint64 and b in _SIGNED) or (b == xp.uint64 and a in _SIGNED):
        return False
    return True


@st.composite
def promotable_dtypes(draw, dtypes):
    """Two dtypes from ``dtypes`` whose promotion the standard defines."""
    d1 = draw(dtypes)
    d2 = draw(dtypes.filter(lambda d: standard_pair(d1, d)))
    return d1, d2


# small shapes: keep each example cheap
small_shapes = xps.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)
nonempty_shapes = xps.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


def arrays(dtype, shape=small_shapes, **kw):
    return xps.arrays(dtype=dtype, shape=shape, **kw)


def finite_arrays(dtype, shape=small_shapes, lo=-1e3, hi=1e3):
    """Arrays of a real floating dtype with moderate finite values."""
    return xps.arrays(dtype=dtype, shape=shape,
                      elements={"min_value": lo, "max_value": hi, "allow_nan": False,
                                "allow_infinity": False, "allow_subnormal": False})


@st.composite
def small_valued(draw, dtypes, shape=small_shapes, bound=5):
    """An array of a dtype from ``dtypes`` with values in [-bound, bound] (0..bound
    for unsigned, any bool): no overflow in sums/products of a few elements."""
    dtype = draw(dtypes)
    k = NP_DTYPE[dtype].kind
    if k == "b":
        return draw(xps.arrays(dtype, shape))
    if k == "c":
        width = 64 if dtype == xp.complex64 else 128
        return draw(xps.arrays(dtype, shape, elements=st.complex_numbers(
            max_magnitude=bound, allow_nan=False, allow_infinity=False, width=width)))
    lo = 0 if k == "u" else -bound
    return draw(xps.arrays(dtype, shape, elements={"min_value": lo, "max_value": bound}))


def to_np(x):
    """The tensor's values as a NumPy array (through ``__array__``)."""
    assert isinstance(x, xp.Tensor), type(x)
    return np.asarray(x)


def assert_tensor(r, expected, *, dtype=None, rtol=0.0, atol=0.0):
    """``r`` is a Tensor equal to ``expected`` (ndarray): dtype, shape, values
    (NaN equal to NaN; signed zeros are not distinguished)."""
    assert isinstance(r, xp.Tensor), f"expected a Tensor, got {type(r).__name__}"
    expected = np.asarray(expected)
    want = dtype if dtype is not None else FROM_NP[expected.dtype]
    assert r.dtype == want, f"dtype {r.dtype} != {want}"
    assert tuple(r.shape) == expected.shape, f"shape {r.shape} != {expected.shape}"
    a = to_np(r)
    if rtol or atol:
        np.testing.assert_allclose(a, expected, rtol=rtol, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(a, expected.astype(a.dtype, copy=False))


def reduced_shape(shape, axis, keepdims):
    """The standard's result shape of a reduction over ``axis`` (None, int or tuple)."""
    nd = len(shape)
    axes = range(nd) if axis is None else ((axis,) if isinstance(axis, int) else axis)
    axes = {a % nd for a in axes} if nd else set()
    if keepdims:
        return tuple(1 if i in axes else s for i, s in enumerate(shape))
    return tuple(s for i, s in enumerate(shape) if i not in axes)


@st.composite
def axes_for(draw, ndim, *, allow_none=True, allow_tuple=True, min_size=0):
    """A valid ``axis`` argument for an array of ``ndim`` dimensions: None, an
    int (possibly negative) or a tuple of distinct ints."""
    choices = []
    if allow_none:
        choices.append(st.none())
    if ndim > 0:
        choices.append(st.integers(-ndim, ndim - 1))
        if allow_tuple:
            choices.append(st.lists(st.integers(0, ndim - 1), min_size=min_size, max_size=ndim,
                                    unique=True).map(tuple))
    return draw(st.one_of(*choices)) if choices else None


def prod(shape):
    return math.prod(shape)
