"""Data types and type promotion: result_type / can_cast / astype / finfo / iinfo /
isdtype against the standard's promotion table (the pairs it defines)."""
import itertools

import numpy as np
import pytest
from hypothesis import given, strategies as st

import minitensor as xp
from conformance_helpers import (
    ALL_DTYPES, FLOAT_DTYPES, INT_DTYPES, NP_DTYPE, NUMERIC_DTYPES, arrays, assert_tensor,
    conformance_settings, standard_pair, to_np, xps,
)

_SIGNED = [xp.int8, xp.int16, xp.int32, xp.int64]
_UNSIGNED = [xp.uint8, xp.uint16, xp.uint32, xp.uint64]


_standard_pair = standard_pair


STANDARD_PAIRS = [(a, b) for a, b in itertools.product(ALL_DTYPES, repeat=2) if _standard_pair(a, b)]
# For the pairs the standard defines, its table and NumPy's result_type agree.
EXPECTED = {(a, b): np.result_type(NP_DTYPE[a], NP_DTYPE[b]) for a, b in STANDARD_PAIRS}


@pytest.mark.parametrize("a,b", STANDARD_PAIRS, ids=str)
def test_result_type_table_and_symmetry(a, b):
    r = xp.result_type(a, b)
    assert NP_DTYPE[r] == EXPECTED[a, b]
    assert xp.result_type(b, a) == r  # symmetric
    assert xp.result_type(a, b, a) == r  # idempotent in a repeated argument
    assert xp.can_cast(a, r) and xp.can_cast(b, r)  # promotion never loses the inputs' kind


def test_result_type_is_associative_on_standard_triples():
    for a, b, c in itertools.product(INT_DTYPES[:3] + _UNSIGNED[:3], repeat=3):
        assert xp.result_type(xp.result_type(a, b), c) == xp.result_type(a, xp.result_type(b, c))


@conformance_settings
@given(data=st.data(), pair=st.sampled_from(STANDARD_PAIRS))
def test_binary_result_dtype_follows_promotion(data, pair):
    a, b = pair
    shapes = data.draw(xps.mutually_broadcastable_shapes(2, max_dims=3, max_side=3))
    x1 = data.draw(arrays(a, shapes.input_shapes[0]))
    x2 = data.draw(arrays(b, shapes.input_shapes[1]))
    fn = xp.logical_and if a == xp.bool else xp.multiply
    r = fn(x1, x2)
    assert r.dtype == (xp.bool if a == xp.bool else xp.result_type(a, b))
    assert r.shape == shapes.result_shape
    assert xp.equal(x1, x2).dtype == xp.bool
    assert xp.result_type(x1, x2) == xp.result_type(a, b)


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES, ids=str)
def test_python_scalars_keep_array_dtype(dtype):
    x = xp.ones((2,), dtype=dtype)
    assert (x + 1).dtype == dtype and (1 + x).dtype == dtype
    if dtype in FLOAT_DTYPES:
        assert (x * 1.5).dtype == dtype and (2.5 - x).dtype == dtype
    if dtype in (xp.complex64, xp.complex128):
        assert (x + 1j).dtype == dtype


@conformance_settings
@given(x=arrays(xps.scalar_dtypes()), to=xps.scalar_dtypes())
def test_astype_vs_numpy(x, to):
    a = to_np(x)
    if a.dtype.kind == "c" and NP_DTYPE[to].kind in "iuf":
        # complex -> real numeric: TypeError (the standard leaves it open; minitensor
        # raises rather than drop the imaginary part; complex -> bool is nonzero-ness)
        with pytest.raises(TypeError):
            xp.astype(x, to)
        return
    with np.errstate(all="ignore"):
        want = a.astype(NP_DTYPE[to])
    if a.dtype.kind == "f" and NP_DTYPE[to].kind in "iu" and not np.all(np.isfinite(a)):
        want = None  # nan/inf -> int is unspecified
    r = xp.astype(x, to)
    assert r.dtype == to and r.shape == x.shape
    if want is not None and (a.dtype.kind not in "f" or NP_DTYPE[to].kind not in "iu"
                             or np.all(np.abs(a) < np.iinfo(NP_DTYPE[to]).max)):
        assert_tensor(r, want)
    # same dtype and copy=False: no copy
    y = xp.astype(x, x.dtype, copy=False)
    assert y.dtype == x.dtype and (x.size == 0 or np.shares_memory(to_np(y), a))


@pytest.mark.parametrize("dtype", [xp.float32, xp.float64, xp.complex64, xp.complex128], ids=str)
def test_finfo(dtype):
    f, n = xp.finfo(dtype), np.finfo(NP_DTYPE[dtype])
    for attr in ("bits", "eps", "max", "min", "smallest_normal"):
        assert getattr(f, attr) == getattr(n, attr)
        # the standard: Python scalars, not NumPy scalars
        assert type(getattr(f, attr)) in (int, float), (attr, type(getattr(f, attr)))
    real = xp.float32 if dtype in (xp.float32, xp.complex64) else xp.float64
    assert f.dtype == real


@pytest.mark.parametrize("dtype", INT_DTYPES, ids=str)
def test_iinfo(dtype):
    f, n = xp.iinfo(dtype), np.iinfo(NP_DTYPE[dtype])
    assert (f.bits, f.min, f.max) == (n.bits, n.min, n.max)
    assert all(type(v) is int for v in (f.bits, f.min, f.max))
    assert f.dtype == dtype


KINDS = {
    "bool": [xp.bool], "signed integer": _SIGNED, "unsigned integer": _UNSIGNED,
    "integral": INT_DTYPES, "real floating": [xp.float32, xp.float64],
    "complex floating": [xp.complex64, xp.complex128], "numeric": NUMERIC_DTYPES,
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_isdtype(kind):
    for d in ALL_DTYPES:
        assert xp.isdtype(d, kind) == (d in KINDS[kind])
    assert xp.isdtype(xp.float32, (kind, "real floating"))


def test_can_cast_vs_numpy_safe():
    # for the pairs the standard defines, "may be cast per the promotion rules"
    # is NumPy's safe casting
    for a, b in STANDARD_PAIRS:
        assert xp.can_cast(a, b) == np.can_cast(NP_DTYPE[a], NP_DTYPE[b], casting="safe"), (a, b)
