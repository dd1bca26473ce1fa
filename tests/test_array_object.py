"""The array object: attributes, protocols, Python scalars, indexing, len/iter,
repr and pickling, compared with NumPy."""
import copy
import math
import operator
import pickle

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import minitensor as xp
from minitensor._array_object import SUPPORTED_API_VERSIONS, Device

ALL_DTYPES = [xp.bool, xp.int8, xp.int16, xp.int32, xp.int64, xp.uint8, xp.uint16,
              xp.uint32, xp.uint64, xp.float32, xp.float64, xp.complex64, xp.complex128]
NP_DTYPES = [np.dtype(d.name) for d in ALL_DTYPES]


def sample(shape, npdt=np.float64, seed=0):
    """A NumPy array of ``shape`` with distinct-ish values of ``npdt``."""
    rng = np.random.default_rng(seed)
    npdt = np.dtype(npdt)
    n = math.prod(shape)
    if npdt.kind == "b":
        return rng.integers(0, 2, n).astype(bool).reshape(shape)
    if npdt.kind in "iu":
        return rng.integers(0, 100, n).astype(npdt).reshape(shape)
    v = rng.standard_normal(n) * 10
    if npdt.kind == "c":
        v = v + 1j * rng.standard_normal(n)
    return v.astype(npdt).reshape(shape)


def check(t, expected):
    """``t`` is a Tensor with the values, dtype and shape of the NumPy array ``expected``."""
    assert type(t) is xp.Tensor
    assert type(t._array) is np.ndarray
    assert t.shape == expected.shape
    assert t.dtype.name == expected.dtype.name
    np.testing.assert_array_equal(t._array, expected)


# ------------------------------------------------------------------ attributes
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 3), (2, 0, 4), (1, 2, 3, 2)])
@pytest.mark.parametrize("npdt", NP_DTYPES, ids=str)
def test_attributes(shape, npdt):
    a = sample(shape, npdt)
    x = xp.asarray(a)
    assert x.dtype == getattr(xp, npdt.name) and x.dtype.name == npdt.name
    assert x.device == xp.__array_namespace_info__().default_device()
    assert x.shape == a.shape and type(x.shape) is tuple
    assert all(type(s) is int for s in x.shape)
    assert x.ndim == a.ndim and type(x.ndim) is int
    # x.size is an int subclass (also callable as PyTorch's x.size(); see
    # tests/test_tensor_torch_methods.py): int arithmetic, hash and equality
    assert x.size == a.size and isinstance(x.size, int) and int(x.size) == a.size
    assert hash(x.size) == hash(a.size) and x.size + 0 == a.size and type(x.size + 0) is int
    if a.ndim >= 2:
        check(x.mT, np.swapaxes(a, -1, -2))
        assert np.shares_memory(x.mT._array, a) or a.size == 0
    else:
        with pytest.raises(ValueError):
            x.mT
    if a.ndim == 2:
        check(x.T, a.T)
        assert np.shares_memory(x.T._array, a) or a.size == 0
    else:
        with pytest.raises(ValueError):
            x.T


def test_tensor_not_constructible():
    with pytest.raises(TypeError, match="asarray"):
        xp.Tensor([1, 2])


# ------------------------------------------------------------------ namespace, device
def test_array_namespace():
    x = xp.asarray([1.0])
    assert x.__array_namespace__() is xp
    assert x.__array_namespace__() is x.__array_namespace__()
    for v in SUPPORTED_API_VERSIONS:  # older versions: their namespace (_api_versions)
        ns = x.__array_namespace__(api_version=v)
        assert ns is xp if v == "2025.12" else ns.__array_api_version__ == v
    assert "2025.12" in SUPPORTED_API_VERSIONS
    for bad in ("2020.10", "2099.12", "latest", ""):
        with pytest.raises(ValueError, match="version"):
            x.__array_namespace__(api_version=bad)
    with pytest.raises(TypeError):
        x.__array_namespace__(api_version=2025.12)
    with pytest.raises(TypeError):
        x.__array_namespace__("2025.12")  # keyword-only


def test_device_and_to_device():
    x = xp.asarray([1, 2, 3])
    d = x.device
    assert d == Device("cpu") == "cpu"
    assert hash(d) == hash(Device("cpu"))
    assert "cpu" in repr(d)
    for dev in (d, "cpu", Device("cpu"), xp.__array_namespace_info__().devices()[0]):
        y = x.to_device(dev)
        assert y.device == d
        assert np.shares_memory(y._array, x._array)
    for bad in ("cuda", "gpu:0", 0):
        with pytest.raises(ValueError):
            x.to_device(bad)
    with pytest.raises(ValueError):
        Device("cuda")
    with pytest.raises(ValueError):
        x.to_device("cpu", stream=1)
    # the device is usable in every creation function, and equal devices are one device
    assert {Device("cpu"), d} == {d}


# ------------------------------------------------------------------ Python scalars
@pytest.mark.parametrize("npdt", NP_DTYPES, ids=str)
def test_scalar_conversions_match_python(npdt):
    for v in sample((5,), npdt, seed=3):
        x = xp.asarray(np.asarray(v))
        assert x.ndim == 0
        py = v.item()
        assert type(bool(x)) is bool and bool(x) == bool(py)
        assert type(complex(x)) is complex and complex(x) == complex(py)
        if npdt.kind == "c":
            for f in (int, float):
                with pytest.raises(TypeError):
                    f(x)
        else:
            assert type(int(x)) is int and int(x) == int(py)
            assert type(float(x)) is float and float(x) == float(py)
        if npdt.kind in "iu":
            assert type(operator.index(x)) is int and operator.index(x) == py
        else:
            with pytest.raises(TypeError):
                operator.index(x)


@pytest.mark.parametrize("dt", [xp.float32, xp.float64])
def test_scalar_special_cases(dt):
    f = lambda v: xp.asarray(v, dtype=dt)  # noqa: E731
    with pytest.raises(OverflowError):
        int(f(math.inf))
    with pytest.raises(OverflowError):
        int(f(-math.inf))
    with pytest.raises(ValueError):
        int(f(math.nan))
    assert int(f(-0.0)) == 0
    assert int(f(2.75)) == 2 and int(f(-2.75)) == -2  # integer part: toward zero
    assert bool(f(math.nan)) is True and bool(f(math.inf)) is True
    assert bool(f(-0.0)) is False and bool(f(0.0)) is False
    c = complex(f(math.nan))
    assert math.isnan(c.real) and math.isnan(c.imag)  # NaN -> NaN + NaN j
    assert complex(f(math.inf)) == complex(math.inf, 0)
    assert complex(f(-math.inf)) == complex(-math.inf, 0)
    assert math.copysign(1, float(f(-0.0))) == -1


def test_scalar_bool_operands():
    t, fl = xp.asarray(True), xp.asarray(False)
    assert int(t) == 1 and int(fl) == 0 and float(t) == 1.0 and float(fl) == 0.0
    assert complex(t) == 1 + 0j and complex(fl) == 0j
    with pytest.raises(TypeError):
        operator.index(t)
    assert bool(xp.asarray(complex(0, 1))) is True
    assert bool(xp.asarray(complex(0, 0))) is False


def test_scalar_conversion_errors():
    x = xp.asarray([1.0, 2.0])
    for f in (bool, int, float, complex):
        with pytest.raises(ValueError, match="2 elements"):
            f(x)
    with pytest.raises(ValueError):
        bool(xp.asarray([]))
    with pytest.raises(TypeError):
        operator.index(xp.asarray([1, 2]))
    with pytest.raises(TypeError):
        [1, 2, 3][xp.asarray(1.0)]
    # one element of any rank converts (as PyTorch)
    assert float(xp.asarray([[2.5]])) == 2.5
    assert xp.asarray([[7]]).item() == 7
    assert xp.asarray([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert [10, 20, 30][xp.asarray(2)] == 30


# ------------------------------------------------------------------ basic indexing
BASIC_CASES = [
    ((), ()), ((), Ellipsis), ((), None), ((), (None, Ellipsis, None)),
    ((5,), 0), ((5,), -1), ((5,), -5), ((5,), slice(None)), ((5,), slice(1, 4)),
    ((5,), slice(None, None, -1)), ((5,), slice(4, 0, -2)), ((5,), slice(-2, None, -3)),
    ((5,), slice(10, 20)), ((5,), slice(-20, 2)), ((5,), slice(3, 1)), ((5,), slice(None, None, 7)),
    ((5,), (Ellipsis, 2)), ((5,), (None, slice(1, None))), ((5,), (2, None)),
    ((3, 4), (1, 2)), ((3, 4), (-1,)), ((3, 4), (slice(None), 0)), ((3, 4), (Ellipsis, -1)),
    ((3, 4), (slice(None, None, -1), slice(None, None, -2))), ((3, 4), (None, 1, None)),
    ((3, 4), (slice(0, 0), slice(None))), ((3, 4), (1, Ellipsis, 2)),
    ((2, 3, 4), (Ellipsis, None, slice(1, 3))), ((2, 3, 4), (0, Ellipsis)),
    ((2, 3, 4), (1, -1, -1)), ((2, 3, 4), (slice(None, None, -1), 1, slice(3, None, -2))),
    ((0,), slice(None)), ((0,), (Ellipsis, None)), ((2, 0, 3), (1, slice(None), 2)),
    ((2, 0, 3), (Ellipsis, 0)),
]


@pytest.mark.parametrize("shape, key", BASIC_CASES, ids=lambda v: repr(v))
def test_getitem_basic_matches_numpy_and_is_a_view(shape, key):
    a = sample(shape, np.float64)
    x = xp.asarray(a)
    out = x[key]
    expected = a[key]
    check(out, np.asarray(expected))
    # basic indexing gives a view, also when the result is 0-d
    if out.size:
        assert np.shares_memory(out._array, a)
        out[...] = -123.0
        assert np.all(np.asarray(a[key]) == -123.0)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_getitem_basic_hypothesis(data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5))
    a = np.arange(math.prod(shape), dtype=np.int32).reshape(shape)
    key = data.draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    x = xp.asarray(a)
    check(x[key], np.asarray(a[key]))


def test_getitem_on_non_contiguous_view():
    a = sample((6, 5), np.float32)
    x = xp.asarray(a)
    v = x[::-2, 1::2]
    check(v, a[::-2, 1::2])
    check(v[1:, ::-1], a[::-2, 1::2][1:, ::-1])
    check(v.mT[0], a[::-2, 1::2].T[0])
    v[0, 0] = 42.0
    assert a[5, 1] == 42.0


def test_getitem_integer_scalars_and_tensors():
    a = sample((4, 3), np.int64)
    x = xp.asarray(a)
    i = xp.asarray(2)
    check(x[i], a[2])
    assert np.shares_memory(x[i]._array, a)  # a 0-d integer tensor indexes like an int
    check(x[np.int64(1), np.int32(-1)], np.asarray(a[1, -1]))
    check(x[(xp.asarray(1, dtype=xp.uint8), i)], np.asarray(a[1, 2]))
    check(x[i, ...], a[2, ...])
    check(x[xp.asarray(0):xp.asarray(3):xp.asarray(2)], a[0:3:2])  # tensors in slices


@pytest.mark.parametrize("key", [
    lambda: 4, lambda: -5, lambda: (0, 3), lambda: (0, 0, 0), lambda: 1.0,
    lambda: (Ellipsis, Ellipsis), lambda: xp.asarray(4), lambda: xp.asarray([0, 4]),
    lambda: np.array([-5]), lambda: xp.asarray([0.0, 1.0]), lambda: np.array([1.5]),
    lambda: xp.asarray([True, False]), lambda: np.ones((4, 2), dtype=bool),
    lambda: (slice(None), xp.asarray([True])), lambda: "a", lambda: [[0, 1], [2]],
    lambda: xp.asarray(1.0), lambda: 2**63, lambda: (0, 2**63), lambda: -2**63 - 1,
    lambda: xp.asarray(2**63, dtype=xp.uint64), lambda: xp.asarray([2**64 - 1], dtype=xp.uint64),
    lambda: 2**70,
], ids=lambda f: repr(f()) if not isinstance(f(), xp.Tensor) else f"Tensor{f().shape}")
def test_getitem_errors_are_index_errors(key):
    x = xp.asarray(sample((4, 3)))
    with pytest.raises(IndexError):
        x[key()]
    with pytest.raises(IndexError):
        x[key()] = 0.0


# ------------------------------------------------------------------ advanced indexing
def _adv_keys():
    """(shape, key factory) with integer arrays / masks (tensor or NumPy) as NumPy indexes."""
    T, N = xp.asarray, np.asarray
    return [
        ((5,), lambda f: f([0, 4, 4, -1])),
        ((5,), lambda f: f([[1, 2], [3, 0]])),
        ((5,), lambda f: f([], dtype=np.int64) if f is N else f([], dtype=xp.int64)),
        ((4, 3), lambda f: (f([0, 3]), f([2, 0]))),
        ((4, 3), lambda f: (f([[0], [3]]), f([2, 0, 1]))),  # broadcasting index arrays
        ((4, 3), lambda f: (slice(None), f([2, 2]))),
        ((4, 3), lambda f: (f([1, 2]), slice(None, None, -1))),
        ((4, 3), lambda f: (1, f([0, 2]))),
        ((2, 3, 4), lambda f: (f([0, 1]), slice(None), f([3, 0]))),  # separated: axis first
        ((2, 3, 4), lambda f: (slice(None), f([0, 2]), f([1, 3]))),
        ((2, 3, 4), lambda f: (Ellipsis, f([3, 1]))),
        ((2, 3, 4), lambda f: (None, f([1]), Ellipsis, None)),
        ((4, 3), lambda f: f([[True, False, True]] * 4)),
        ((4, 3), lambda f: f([True, False, True, True])),
        ((4, 3), lambda f: (Ellipsis, f([True, False, True]))),
        ((4, 3), lambda f: (slice(1, None), f([False, True, True]))),
        ((2, 3, 4), lambda f: (f([True, False]), slice(None), 1)),
        ((2, 3, 4), lambda f: (1, f([[True, False, True, False]] * 3))),
        ((4, 3), lambda f: f(True)),
        ((4, 3), lambda f: (f(False), 0)),
        ((), lambda f: f(True)),
        ((), lambda f: f(False)),
        ((0, 3), lambda f: f(np.zeros((0, 3), dtype=bool)) if f is N else f(xp.zeros((0, 3), dtype=xp.bool))),
    ]


@pytest.mark.parametrize("kind", ["tensor", "numpy"])
@pytest.mark.parametrize("case", range(len(_adv_keys())))
def test_getitem_advanced_matches_numpy(case, kind):
    shape, make = _adv_keys()[case]
    a = sample(shape, np.int16)
    x = xp.asarray(a)
    key_np = make(np.asarray)
    key = make(xp.asarray) if kind == "tensor" else key_np
    check(x[key], a[key_np])


def test_getitem_lists_and_nested_tensors():
    a = sample((5, 4), np.float64)
    x = xp.asarray(a)
    check(x[[0, 2, 2]], a[[0, 2, 2]])
    check(x[[]], a[[]])
    check(x[[True, False, True, False, True]], a[[True, False, True, False, True]])
    check(x[[xp.asarray(1), xp.asarray(3)]], a[[1, 3]])  # tensors inside a list
    check(x[[xp.asarray([0, 1]), xp.asarray([2, 3])]], a[np.array([[0, 1], [2, 3]])])
    check(x[(xp.asarray([0, 4]), [1, 2])], a[(np.array([0, 4]), [1, 2])])
    check(x[1, [3, 0]], a[1, [3, 0]])


def test_getitem_mask_from_comparison():
    a = sample((3, 4), np.float32)
    x = xp.asarray(a)
    check(x[x > 0], a[a > 0])
    check(x[..., xp.asarray([True, False, False, True])], a[..., [True, False, False, True]])
    assert not np.shares_memory(x[x > 0]._array, a)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_getitem_integer_arrays_hypothesis(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    a = np.arange(math.prod(shape), dtype=np.int64).reshape(shape)
    n_idx = data.draw(st.integers(1, len(shape)))
    ishape = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=3))
    key = tuple(np.asarray(data.draw(hnp.arrays(np.int64, ishape, elements=st.integers(-s, s - 1))))
                for s in shape[:n_idx])
    x = xp.asarray(a)
    check(x[tuple(xp.asarray(k) for k in key)], a[key])
    check(x[key], a[key])


# ------------------------------------------------------------------ __setitem__
SET_KEYS = [
    0, -1, slice(None), slice(None, None, -2), (Ellipsis, 1), (slice(1, 3), slice(None, None, -1)),
    (None, 0), Ellipsis, (1, 2),
]


@pytest.mark.parametrize("key", SET_KEYS, ids=repr)
@pytest.mark.parametrize("vkind", ["scalar", "tensor", "numpy", "list", "0d"])
def test_setitem_basic_matches_numpy(key, vkind):
    a = sample((4, 3), np.float64)
    x = xp.asarray(a.copy())
    ref = a.copy()
    target_shape = ref[key].shape
    v = sample(target_shape, np.float64, seed=9)
    value = {"scalar": 2.5, "tensor": xp.asarray(v), "numpy": v, "list": v.tolist(),
             "0d": xp.asarray(-7.0)}[vkind]
    ref[key] = np.asarray(value) if vkind in ("tensor", "0d") else value
    x[key] = value
    check(x, ref)


@pytest.mark.parametrize("npdt", NP_DTYPES, ids=str)
def test_setitem_every_dtype(npdt):
    a = np.zeros((3, 2), dtype=npdt)
    x = xp.asarray(a)
    v = sample((2,), npdt, seed=5)
    x[1] = xp.asarray(v)
    x[-1, ::-1] = v
    scalar = v[0].item()
    x[0, 0] = scalar
    ref = np.zeros((3, 2), dtype=npdt)
    ref[1] = v
    ref[-1, ::-1] = v
    ref[0, 0] = scalar
    check(x, ref)
    assert x._array is a  # in place, no new buffer


def test_setitem_advanced_matches_numpy():
    a = sample((4, 3), np.int32)
    for key_np in [np.array([0, 2, 2]), (np.array([0, 3]), np.array([2, 0])), a > 50,
                   (Ellipsis, np.array([True, False, True])), (slice(None), np.array([1]))]:
        key_t = tuple(xp.asarray(k) if isinstance(k, np.ndarray) else k for k in key_np) \
            if isinstance(key_np, tuple) else xp.asarray(key_np)
        for value in (7, np.int32(-3), xp.asarray(5, dtype=xp.int32)):
            ref, x = a.copy(), xp.asarray(a.copy())
            ref[key_np] = np.asarray(value)
            x[key_t] = value
            check(x, ref)
            x2 = xp.asarray(a.copy())
            x2[key_np] = value  # NumPy index arrays work too
            check(x2, ref)
        # array values of the indexed shape
        ref, x = a.copy(), xp.asarray(a.copy())
        v = np.arange(ref[key_np].size, dtype=np.int32).reshape(ref[key_np].shape)
        ref[key_np] = v
        x[key_t] = xp.asarray(v)
        check(x, ref)


def test_setitem_repeated_indices_last_wins_as_numpy():
    a = np.zeros(4)
    x = xp.asarray(a.copy())
    x[xp.asarray([1, 1, 3, 1])] = xp.asarray([1.0, 2.0, 3.0, 4.0])
    a[np.array([1, 1, 3, 1])] = np.array([1.0, 2.0, 3.0, 4.0])
    check(x, a)


def test_setitem_through_views_and_non_contiguous():
    a = sample((5, 6), np.float32)
    ref = a.copy()
    x = xp.asarray(a)
    v = x[::2, ::-3]
    v[...] = 1.0
    v[x[::2, ::-3] > 100] = 2.0
    ref[::2, ::-3] = 1.0
    check(x, ref)
    row = x[1]
    row[2:] = xp.asarray(9.0)
    ref[1, 2:] = 9.0
    check(x, ref)
    z = x[0, 0]  # 0-d view
    z[()] = 5.0
    ref[0, 0] = 5.0
    check(x, ref)
    # a 0-d tensor can be assigned to as a whole
    s = xp.asarray(1.5)
    s[...] = 2.5
    s[()] = xp.asarray(3.5)
    assert float(s) == 3.5


@pytest.mark.parametrize("npdt, value, ok", [
    ("int8", True, True), ("int8", 3, True), ("int8", 3.5, False), ("int8", 1j, False),
    ("bool", 1, False), ("bool", 1.0, False), ("bool", False, True),
    ("float32", 2, True), ("float32", 2.5, True), ("float32", 1j, False),
    ("complex64", 1, True), ("complex64", 2.5, True), ("complex64", 1 + 2j, True),
    ("uint8", 255, True), ("float64", np.float64(1.5), True), ("int16", np.float32(1.0), False),
])
def test_setitem_python_scalar_kinds(npdt, value, ok):
    x = xp.zeros(3, dtype=getattr(xp, npdt))
    if ok:
        x[1] = value
        ref = np.zeros(3, dtype=npdt)
        ref[1] = value
        check(x, ref)
    else:
        with pytest.raises(TypeError, match=npdt):
            x[1] = value
        check(x, np.zeros(3, dtype=npdt))  # unchanged


@pytest.mark.parametrize("src, dst, ok", [
    ("float64", "float32", True), ("int64", "int8", True), ("bool", "int32", True),
    ("int32", "float64", True), ("uint8", "int16", True), ("float32", "complex128", True),
    ("complex128", "complex64", True), ("float64", "int64", False),
    ("complex64", "float64", False), ("int8", "bool", False), ("float16", "float32", True),
])
def test_setitem_array_value_casting(src, dst, ok):
    v = np.asarray([1, 0, 1], dtype=src)
    for value in ((xp.asarray(v),) if src != "float16" else ()) + (v,):
        x = xp.zeros(3, dtype=getattr(xp, dst))
        if ok:
            x[:] = value
            check(x, v.astype(dst))
        else:
            with pytest.raises(TypeError, match=dst):
                x[:] = value


def test_setitem_out_of_range_values():
    x = xp.zeros(2, dtype=xp.int8)
    with pytest.raises(OverflowError):
        x[0] = 300
    with pytest.raises(OverflowError):
        x[...] = [1, 300]
    u = xp.zeros(2, dtype=xp.uint8)
    with pytest.raises(OverflowError):
        u[0] = -1
    f = xp.zeros(2, dtype=xp.float32)
    f[0] = 1e300  # overflows to inf, as a float32 cast does; no warning
    f[1] = xp.asarray(-1e300)
    assert np.isposinf(f._array[0]) and np.isneginf(f._array[1])
    c = xp.zeros(1, dtype=xp.complex64)
    c[0] = complex(1e300, 0)
    assert np.isinf(c._array[0].real)


def test_setitem_errors():
    x = xp.asarray(sample((3, 4)))
    before = x._array.copy()
    with pytest.raises(ValueError):
        x[0] = xp.asarray([1.0, 2.0])  # cannot broadcast (2,) into (4,)
    with pytest.raises(ValueError):
        x[:, 0] = np.ones((3, 2))
    with pytest.raises(ValueError):
        x[0] = [[1.0], [2.0, 3.0]]  # ragged
    for bad in ("a", None, object(), {1: 2}, b"ab"):
        with pytest.raises(TypeError):
            x[0] = bad
    with pytest.raises(IndexError):
        x[3] = 1.0
    with pytest.raises(IndexError):
        x[xp.asarray([True, False])] = 1.0
    check(x, before)
    ro = np.arange(3.0)
    ro.flags.writeable = False
    y = xp.asarray(ro)
    with pytest.raises(ValueError, match="read-only"):
        y[0] = 1.0


# ------------------------------------------------------------------ len / iter
@pytest.mark.parametrize("shape", [(0,), (1,), (4,), (3, 2), (2, 0), (2, 3, 1)])
def test_len_and_iter(shape):
    a = sample(shape, np.int64)
    x = xp.asarray(a)
    assert len(x) == len(a)
    items = list(x)
    assert len(items) == len(a)
    for t, row in zip(items, a):
        check(t, np.asarray(row))
    if a.size:
        items[0][...] = 99  # rows are views
        assert np.all(a[0] == 99)


def test_len_iter_0d():
    x = xp.asarray(3.0)
    with pytest.raises(TypeError):
        len(x)
    with pytest.raises(TypeError):
        iter(x)
    assert [float(v) for v in xp.asarray([1.0, 2.0])] == [1.0, 2.0]


# ------------------------------------------------------------------ repr / str
def _eval_repr(r):
    """Parse ``repr(tensor)`` back: Tensor(<values>[, shape=...], dtype=<name>)."""
    def Tensor(values, shape=None, dtype=None):  # noqa: N802
        a = np.array(values, dtype=dtype)
        return a.reshape(shape) if shape is not None else a
    ns = {"Tensor": Tensor, "nan": np.nan, "inf": np.inf}
    ns.update({d.name: d.name for d in ALL_DTYPES})
    return eval(r, ns)


@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 3), (0, 3), (2, 0, 2), (2, 2, 2)])
@pytest.mark.parametrize("npdt", NP_DTYPES, ids=str)
def test_repr_round_trips(shape, npdt):
    a = sample(shape, npdt)
    if npdt.kind == "f" and a.size >= 3:
        a.flat[:3] = [np.nan, np.inf, -np.inf]
    x = xp.asarray(a)
    r = repr(x)
    assert r.startswith("Tensor(") and r.endswith(f"dtype={npdt.name})")
    back = _eval_repr(r)
    assert back.dtype == npdt and back.shape == a.shape
    if npdt.kind in "fc":  # printed with NumPy's default precision (8 digits)
        np.testing.assert_allclose(back, a, rtol=1e-6)
    else:
        np.testing.assert_array_equal(back, a)
    assert str(x) == str(a)
    # the values are formatted as NumPy formats them
    assert np.array2string(a, separator=", ").replace("\n", "").replace(" ", "") in \
        r.replace("\n", "").replace(" ", "")


def test_repr_summarises_large_tensors_and_format():
    x = xp.zeros((2000,))
    assert "..." in repr(x) and len(repr(x)) < 200
    assert f"{xp.asarray(2.5):.3f}" == "2.500"
    assert f"{xp.asarray([2.5]):.1f}" == "2.5"
    assert format(xp.asarray([1, 2]), "") == str(np.asarray([1, 2]))


# ------------------------------------------------------------------ pickling, copy, hash
@pytest.mark.parametrize("npdt", NP_DTYPES, ids=str)
@pytest.mark.parametrize("view", ["full", "0d", "empty", "strided", "reversed", "transposed"])
def test_pickle_round_trip(npdt, view):
    a = sample((4, 6), npdt)
    x = xp.asarray(a)
    x = {"full": x, "0d": x[1, 2], "empty": x[2:2], "strided": x[::2, 1::3],
         "reversed": x[::-1, ::-2], "transposed": x.mT}[view]
    for proto in (2, pickle.HIGHEST_PROTOCOL):
        y = pickle.loads(pickle.dumps(x, protocol=proto))
        assert type(y) is xp.Tensor
        check(y, x._array)
        assert y.dtype is x.dtype and y.device == x.device
        if x.size:
            assert not np.shares_memory(y._array, a)


def test_pickle_dtypes_and_devices():
    for d in ALL_DTYPES:
        for proto in (0, 2, pickle.HIGHEST_PROTOCOL):
            assert pickle.loads(pickle.dumps(d, protocol=proto)) is d
    dev = xp.asarray(1).device
    assert pickle.loads(pickle.dumps(dev)) == dev
    devs = xp.__array_namespace_info__().devices()
    assert pickle.loads(pickle.dumps(devs)) == devs
    fi = xp.finfo(xp.float32)
    assert pickle.loads(pickle.dumps(fi)) == fi


def test_copy_deepcopy_hash():
    x = xp.asarray([1.0, 2.0])
    for y in (copy.copy(x), copy.deepcopy(x)):
        check(y, x._array)
        assert not np.shares_memory(y._array, x._array)
    # hashable by identity (as torch.Tensor): usable as dict keys
    d = {x: 1}
    assert d[x] == 1 and hash(x) == hash(x)
    assert xp.asarray([1.0, 2.0]) not in d


# ------------------------------------------------------------------ __array__
def test_dunder_array():
    a = sample((2, 3), np.float32)
    x = xp.asarray(a)
    assert np.asarray(x) is a or np.shares_memory(np.asarray(x), a)
    assert x.numpy() is a
    b = np.asarray(x, dtype=np.float64)
    assert b.dtype == np.float64 and not np.shares_memory(b, a)
    c = np.array(x, copy=True)
    assert not np.shares_memory(c, a)
    np.testing.assert_array_equal(c, a)
    with pytest.raises(ValueError):
        np.asarray(x, dtype=np.float64, copy=False)
    assert np.shares_memory(np.asarray(x, copy=False), a)
    assert np.asarray(x, dtype=xp.float32).dtype == np.float32  # our dtypes are NumPy dtype-like


@pytest.mark.parametrize("mask_shape,key", [
    ((3,), lambda m: m), ((4, 2), lambda m: m), ((2,), lambda m: (Ellipsis, m)),
    ((4, 3, 1), lambda m: m), ((1, 3), lambda m: m),
])
def test_boolean_mask_of_wrong_shape_is_index_error(mask_shape, key):
    x = xp.asarray(sample((4, 3)))
    before = x._array.copy()
    m = xp.ones(mask_shape, dtype=xp.bool)
    with pytest.raises(IndexError, match="boolean index|too many indices"):
        x[key(m)]
    with pytest.raises(IndexError):
        x[key(m)] = 0.0
    check(x, before)  # a failed assignment leaves the tensor unchanged
