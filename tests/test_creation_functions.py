"""Creation functions, compared with NumPy: values, dtypes, shapes, copy semantics,
device= and errors."""
import array
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minitensor as xp
from minitensor._array_object import CPU_DEVICE, Device

ALL_DTYPES = [xp.bool, xp.int8, xp.int16, xp.int32, xp.int64, xp.uint8, xp.uint16,
              xp.uint32, xp.uint64, xp.float32, xp.float64, xp.complex64, xp.complex128]
DEVICES = [None, "cpu", CPU_DEVICE, Device("cpu")]


def check(t, expected):
    assert type(t) is xp.Tensor and type(t._array) is np.ndarray
    assert t.shape == expected.shape, (t.shape, expected.shape)
    assert t.dtype.name == expected.dtype.name, (t.dtype, expected.dtype)
    np.testing.assert_array_equal(t._array, expected)


# ------------------------------------------------------------------ asarray
@pytest.mark.parametrize("obj", [
    True, 0, -3, 2.5, 1 + 2j, [], [[]], [1, 2, 3], [True, False], [1, 2.5], [1, 2j],
    [[1, 2], [3, 4]], [[[1.0]], [[2.0]]], (1, 2), ((True,), (False,)), [True, 1],
    [1.0, True], [math.inf, -math.inf, math.nan], [2**62, -2**62], [[1, 2], (3, 4)],
], ids=repr)
def test_asarray_python_data_default_dtypes(obj):
    # bool < int64 < float64 < complex128, by the highest kind present (as NumPy)
    check(xp.asarray(obj), np.asarray(obj))


@pytest.mark.parametrize("dt", ALL_DTYPES, ids=str)
def test_asarray_python_data_with_dtype(dt):
    data = [[0, 1], [1, 0]] if dt != xp.bool else [[False, True], [True, False]]
    check(xp.asarray(data, dtype=dt), np.asarray(data, dtype=dt.name))
    check(xp.asarray(1 if dt != xp.bool else True, dtype=dt), np.asarray(1, dtype=dt.name))
    # NumPy-style dtype spellings are accepted
    check(xp.asarray(data, dtype=dt.name), np.asarray(data, dtype=dt.name))
    check(xp.asarray(data, dtype=np.dtype(dt.name)), np.asarray(data, dtype=dt.name))


def test_asarray_nested_tensors_and_arrays():
    t = xp.asarray([1.0, 2.0])
    check(xp.asarray([t, t]), np.asarray([[1.0, 2.0], [1.0, 2.0]]))
    check(xp.asarray([xp.asarray(1), xp.asarray(2)]), np.asarray([1, 2]))
    check(xp.asarray([np.float32(1.5), 2]), np.asarray([1.5, 2.0]))
    check(xp.asarray([np.arange(2), np.arange(2)]), np.asarray([[0, 1], [0, 1]]))
    # arrays inside: NumPy's inference (float32 rows stay float32; Python floats are float64)
    r32 = xp.asarray([1.0, 2.0], dtype=xp.float32)
    check(xp.asarray([r32, r32]), np.asarray([r32._array, r32._array]))
    check(xp.asarray([r32, [0.5, 1.5]]), np.asarray([r32._array, [0.5, 1.5]]))
    check(xp.asarray([np.int8(1), xp.asarray(2, dtype=xp.int8)]),
          np.asarray([np.int8(1), np.asarray(2, dtype=np.int8)]))
    with pytest.raises(TypeError):
        xp.asarray([np.array(["a"])])
    with pytest.raises(ValueError):
        xp.asarray([r32, xp.asarray([1.0])])  # ragged


def test_asarray_scalar_from_numpy_scalar():
    check(xp.asarray(np.float32(1.5)), np.asarray(np.float32(1.5)))
    check(xp.asarray(np.int8(-2)), np.asarray(np.int8(-2)))
    check(xp.asarray(np.bool_(True)), np.asarray(True))


@pytest.mark.parametrize("copy", [None, True, False])
def test_asarray_copy_tensor(copy):
    x = xp.asarray([1.0, 2.0, 3.0])
    y = xp.asarray(x, copy=copy)
    check(y, x._array)
    assert y.device == x.device
    assert np.shares_memory(y._array, x._array) is (copy is not True)
    # a dtype change needs a copy
    if copy is False:
        with pytest.raises(ValueError, match="copy"):
            xp.asarray(x, dtype=xp.float32, copy=False)
    else:
        z = xp.asarray(x, dtype=xp.float32, copy=copy)
        check(z, x._array.astype(np.float32))
        assert not np.shares_memory(z._array, x._array)
    assert xp.asarray(x, dtype=xp.float64, copy=False)._array is x._array


@pytest.mark.parametrize("copy", [None, True, False])
def test_asarray_copy_ndarray(copy):
    a = np.arange(6.0).reshape(2, 3)[:, ::-1]  # non-contiguous
    y = xp.asarray(a, copy=copy)
    check(y, a)
    assert np.shares_memory(y._array, a) is (copy is not True)
    for src in (a.astype(np.int16).astype(">i2"), a.astype(">f8")):  # needs a conversion
        if copy is False:
            with pytest.raises(ValueError):
                xp.asarray(src, copy=False)
        else:
            z = xp.asarray(src, copy=copy)
            assert z.dtype in (xp.int16, xp.float64) and z._array.dtype.isnative
            np.testing.assert_array_equal(z._array, src)
    empty = np.zeros((0, 3), dtype=np.float32)
    if copy is False:
        with pytest.raises(ValueError):
            xp.asarray(empty, dtype=xp.float64, copy=False)


def test_asarray_python_data_copy_false():
    for obj in (1.0, [1, 2], ((1,),)):
        with pytest.raises(ValueError, match="copy"):
            xp.asarray(obj, copy=False)
        check(xp.asarray(obj, copy=True), np.asarray(obj))


def test_asarray_buffer_protocol():
    b = bytearray(b"\x01\x02\x03")
    t = xp.asarray(b)
    check(t, np.asarray([1, 2, 3], dtype=np.uint8))
    t[0] = 9  # shares memory with the writable buffer
    assert b[0] == 9
    check(xp.asarray(b"ab"), np.frombuffer(b"ab", dtype=np.uint8))
    arr = array.array("d", [1.0, 2.5])
    check(xp.asarray(arr), np.asarray([1.0, 2.5]))
    check(xp.asarray(memoryview(arr)), np.asarray([1.0, 2.5]))
    c = xp.asarray(arr, copy=True)
    c[0] = 5.0
    assert arr[0] == 1.0


@pytest.mark.parametrize("obj, exc", [
    ([[1, 2], [3]], ValueError), ([1, [2]], ValueError), ([[1], 2], ValueError),
    ("abc", TypeError), (None, TypeError), ({1: 2}, TypeError), (object(), TypeError),
    ([1, "a"], TypeError), ([None], TypeError), (np.array(["a"]), TypeError),
    (np.array([object()]), TypeError), (np.array(["2020-01-01"], dtype="M8[D]"), TypeError),
    (2**64, OverflowError),
], ids=repr)
def test_asarray_bad_input(obj, exc):
    with pytest.raises(exc):
        xp.asarray(obj)


def test_asarray_bad_dtype_and_device():
    for bad in ("float128", np.longdouble, "bfloat16", object, 1, "str"):
        with pytest.raises(TypeError):
            xp.asarray([1.0], dtype=bad)
    for bad in ("cuda", "gpu", 1):
        with pytest.raises(ValueError):
            xp.asarray([1.0], device=bad)
    with pytest.raises(OverflowError):
        xp.asarray([300], dtype=xp.int8)
    with pytest.raises(OverflowError):
        xp.asarray(-1, dtype=xp.uint8)


# ------------------------------------------------------------------ empty/zeros/ones/full
@pytest.mark.parametrize("shape", [(), 0, 3, (2, 3), (0, 2), [1, 2, 1], np.int64(2), (np.int32(2),)])
@pytest.mark.parametrize("device", DEVICES, ids=repr)
def test_zeros_ones_empty(shape, device):
    for f, nf in ((xp.zeros, np.zeros), (xp.ones, np.ones)):
        check(f(shape, device=device), nf(shape))
        for dt in ALL_DTYPES:
            check(f(shape, dtype=dt, device=device), nf(shape, dtype=dt.name))
    e = xp.empty(shape, dtype=xp.int16, device=device)
    assert e.shape == np.empty(shape).shape and e.dtype == xp.int16
    assert e.device == CPU_DEVICE


def test_shape_argument_errors():
    for f in (xp.zeros, xp.ones, xp.empty):
        with pytest.raises(ValueError):
            f((2, -1))
        with pytest.raises(TypeError):
            f((2.0, 3))
        with pytest.raises(TypeError):
            f("ab")
        with pytest.raises(ValueError):
            f((2,), device="cuda")
    assert xp.zeros(xp.asarray(3)).shape == (3,)
    assert xp.zeros((xp.asarray(2), 3)).shape == (2, 3)


@pytest.mark.parametrize("fill, dt", [
    (True, None), (3, None), (2.5, None), (1 - 1j, None), (False, xp.bool), (7, xp.int8),
    (True, xp.int32), (255, xp.uint8), (-2**63, xp.int64), (2**64 - 1, xp.uint64),
    (1, xp.float32), (0.5, xp.float32), (math.inf, xp.float64), (math.nan, xp.float32),
    (2, xp.complex64), (1.5, xp.complex128), (2j, xp.complex64), (1e300, xp.float32),
])
@pytest.mark.parametrize("device", [None, "cpu"])
def test_full_and_full_like(fill, dt, device):
    with np.errstate(over="ignore"):  # 1e300 in float32 is inf
        expected = np.full((2, 3), fill, dtype=None if dt is None else dt.name)
        expected_like = np.full((3, 1), fill, dtype=expected.dtype)
    # without dtype: bool, int64, float64 or complex128 by the fill value's kind
    check(xp.full((2, 3), fill, dtype=dt, device=device), expected)
    x = xp.zeros((3, 1), dtype=expected.dtype.name)
    check(xp.full_like(x, fill, device=device), expected_like)


@pytest.mark.parametrize("fill, dt, exc", [
    (1.5, xp.int32, TypeError), (1, xp.bool, TypeError), (1j, xp.float64, TypeError),
    (300, xp.int8, OverflowError), (-1, xp.uint16, OverflowError), ("a", None, TypeError),
    (None, None, TypeError), (math.nan, xp.int64, TypeError),
])
def test_full_bad_fill(fill, dt, exc):
    with pytest.raises(exc):
        xp.full(2, fill, dtype=dt)
    if dt is not None:
        with pytest.raises(exc):
            xp.full_like(xp.zeros(2, dtype=dt), fill)


@pytest.mark.parametrize("dt", ALL_DTYPES, ids=str)
@pytest.mark.parametrize("device", DEVICES, ids=repr)
def test_like_functions(dt, device):
    x = xp.asarray(np.ones((2, 0, 3) if dt == xp.uint16 else (2, 3), dtype=dt.name))
    for f, nf in ((xp.zeros_like, np.zeros_like), (xp.ones_like, np.ones_like)):
        check(f(x, device=device), nf(x._array))
        check(f(x, dtype=xp.float32, device=device), nf(x._array, dtype=np.float32))
        assert not np.shares_memory(f(x)._array, x._array)
    e = xp.empty_like(x, device=device)
    assert e.shape == x.shape and e.dtype == x.dtype
    assert xp.empty_like(x, dtype=xp.int8).dtype == xp.int8
    with pytest.raises(TypeError):
        xp.zeros_like(np.ones(2))
    with pytest.raises(ValueError):
        xp.ones_like(x, device="cuda")


# ------------------------------------------------------------------ arange / linspace / eye
@pytest.mark.parametrize("args", [
    (5,), (0,), (-3,), (2, 9), (9, 2), (9, 2, -2), (0, 10, 3), (-5, 5, 4), (10, -10, -7),
    (0.0, 1.0, 0.1), (1.5,), (0, 1, 0.25), (5.0, 0.0, -1.5), (0.0, 1e-3, 1e-4), (3, 3),
], ids=repr)
@pytest.mark.parametrize("device", [None, "cpu"])
def test_arange_matches_numpy(args, device):
    out = xp.arange(*args, device=device)
    expected = np.arange(*args)
    # the standard's length: ceil((stop - start) / step)
    start, stop, step = (0, args[0], 1) if len(args) == 1 else (args + (1,))[:3]
    assert out.shape[0] == max(0, math.ceil((stop - start) / step))
    np.testing.assert_allclose(out._array, expected[:out.shape[0]], rtol=1e-12)
    assert out.dtype.name == ("int64" if all(isinstance(a, int) for a in args) else "float64")


@pytest.mark.parametrize("args, dt", [
    ((120, 127, 5), xp.int8), ((250, 256, 3), xp.uint8), ((2**63, 2**64 - 1, 2**62), xp.uint64),
    ((-128, 127, 100), xp.int8), ((10, -130, -70), xp.int8), ((0, 5), xp.float32),
    ((0.0, 2.0, 0.5), xp.float32), ((3,), xp.uint16),
])
def test_arange_dtypes(args, dt):
    out = xp.arange(*args, dtype=dt)
    assert out.dtype == dt
    if all(isinstance(a, int) for a in args):
        assert out.tolist() == list(range(*args))
    else:
        np.testing.assert_allclose(out._array, np.arange(*args, dtype=dt.name))


def test_arange_errors_and_tensor_arguments():
    with pytest.raises(ValueError):
        xp.arange(0, 5, 0)
    for bad in (True, "a", None, 1j):
        with pytest.raises(TypeError):
            xp.arange(bad, 5)
    check(xp.arange(xp.asarray(4)), np.arange(4))
    check(xp.arange(1, xp.asarray(2.5)), np.arange(1, 2.5))


@settings(max_examples=100, deadline=None)
@given(start=st.integers(-50, 50), stop=st.integers(-50, 50),
       step=st.integers(-9, 9).filter(bool))
def test_arange_integers_hypothesis(start, stop, step):
    assert xp.arange(start, stop, step).tolist() == list(range(start, stop, step))


@pytest.mark.parametrize("args, kw", [
    ((0.0, 1.0, 5), {}), ((0, 10, 4), {"endpoint": False}), ((1.0, -1.0, 1), {}),
    ((2.0, 3.0, 0), {}), ((0.0, 1.0, 7), {"dtype": xp.float32}),
    ((1j, 2 + 2j, 3), {}), ((0, 1, 3), {"dtype": xp.complex64}),
    ((-3, 3, 7), {"dtype": xp.int64}), ((0.0, 1.0, 3), {"dtype": xp.uint8}),
    ((0.1, 0.7, 9), {}), ((1e-3, 1e3, 11), {"endpoint": False}),
], ids=repr)
@pytest.mark.parametrize("device", [None, "cpu"])
def test_linspace_matches_numpy(args, kw, device):
    out = xp.linspace(*args, device=device, **kw)
    npkw = dict(kw)
    if "dtype" in npkw:
        npkw["dtype"] = npkw["dtype"].name
    expected = np.linspace(*args, **npkw)
    assert out.dtype.name == expected.dtype.name and out.shape == expected.shape
    np.testing.assert_allclose(out._array, expected, rtol=1e-6)
    if kw.get("endpoint", True) and args[2] > 1 and out.dtype.name != "uint8":
        assert out._array[-1] == np.asarray(args[1]).astype(out._array.dtype)  # exact end point


def test_linspace_errors():
    for num in (-1, 2.5, True, "3"):
        with pytest.raises(ValueError):
            xp.linspace(0, 1, num)
    with pytest.raises(TypeError):
        xp.linspace(0, 1j, 3, dtype=xp.float64)
    with pytest.raises(TypeError):
        xp.linspace(0, 1, 3, dtype=xp.bool)
    with pytest.raises(TypeError):
        xp.linspace("a", 1, 3)
    check(xp.linspace(xp.asarray(0.0), xp.asarray(1.0), xp.asarray(3)), np.linspace(0, 1, 3))


@pytest.mark.parametrize("args, k", [((3,), 0), ((2, 4), 1), ((4, 2), -1), ((3, 3), 5),
                                     ((0,), 0), ((3, 0), 0), ((1, 5), -3)])
@pytest.mark.parametrize("dt", [None, xp.int8, xp.bool, xp.complex64])
def test_eye(args, k, dt):
    out = xp.eye(*args, k=k, dtype=dt, device="cpu")
    check(out, np.eye(*args, k=k, dtype=None if dt is None else dt.name))


def test_eye_errors():
    with pytest.raises(TypeError):
        xp.eye(2.0)
    with pytest.raises(TypeError):
        xp.eye(2, 2, k=0.5)
    with pytest.raises(ValueError):
        xp.eye(-1)


# ------------------------------------------------------------------ tril / triu / meshgrid
@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (4, 2), (2, 3, 3), (0, 3), (3, 0)])
@pytest.mark.parametrize("k", [-2, -1, 0, 1, 3])
def test_tril_triu(shape, k):
    a = np.arange(math.prod(shape), dtype=np.float32).reshape(shape) + 1
    x = xp.asarray(a)
    check(xp.tril(x, k=k), np.tril(a, k=k))
    check(xp.triu(x, k=k), np.triu(a, k=k))
    assert not np.shares_memory(xp.tril(x)._array, a)
    check(xp.tril(x[..., ::-1, :], k=k), np.tril(a[..., ::-1, :], k=k))  # non-contiguous


def test_tril_triu_errors():
    with pytest.raises(ValueError):
        xp.tril(xp.asarray([1, 2]))
    with pytest.raises(ValueError):
        xp.triu(xp.asarray(1))
    with pytest.raises(TypeError):
        xp.tril(np.eye(2))


@pytest.mark.parametrize("indexing", ["xy", "ij"])
@pytest.mark.parametrize("sizes", [(), (3,), (2, 3), (1, 4, 2), (0, 2)])
def test_meshgrid(indexing, sizes):
    arrays = [np.arange(n, dtype=np.float32) * (i + 1) for i, n in enumerate(sizes)]
    out = xp.meshgrid(*(xp.asarray(a) for a in arrays), indexing=indexing)
    expected = np.meshgrid(*arrays, indexing=indexing)
    assert type(out) is tuple and len(out) == len(expected)  # a tuple since 2025.12
    for o, e in zip(out, expected):
        check(o, e)


def test_meshgrid_errors_and_mixed_dtypes():
    with pytest.raises(ValueError):
        xp.meshgrid(xp.asarray([1]), indexing="xyz")
    with pytest.raises(ValueError):
        xp.meshgrid(xp.asarray([[1, 2]]))
    with pytest.raises(TypeError):
        xp.meshgrid([1, 2])
    a, b = xp.meshgrid(xp.asarray([1, 2], dtype=xp.int8), xp.asarray([0.5]))
    na, nb = np.meshgrid(np.asarray([1, 2], dtype=np.int8), np.asarray([0.5]))
    check(a, na)
    check(b, nb)


# ------------------------------------------------------------------ from_dlpack
@pytest.mark.parametrize("copy", [None, True, False])
@pytest.mark.parametrize("device", [None, "cpu", CPU_DEVICE])
def test_from_dlpack_tensor(copy, device):
    x = xp.asarray([[1.0, 2.0], [3.0, 4.0]])[:, ::-1]
    y = xp.from_dlpack(x, copy=copy, device=device)
    check(y, x._array)
    assert np.shares_memory(y._array, x._array) is (copy is not True)


def test_from_dlpack_errors():
    for bad in ([1, 2], 1.0, "a"):
        with pytest.raises(TypeError, match="__dlpack__"):
            xp.from_dlpack(bad)
    with pytest.raises(ValueError):
        xp.from_dlpack(xp.asarray([1]), device="cuda")


# ------------------------------------------------------------ diag (not standard)
@pytest.mark.parametrize("shape", [(0,), (3,), (2, 2), (2, 4), (4, 3)])
@pytest.mark.parametrize("k", [0, 1, -2])
def test_diag_as_numpy(shape, k):
    a = np.arange(math.prod(shape), dtype=np.float32).reshape(shape) + 1
    y = xp.diag(xp.asarray(a), k)
    check(y, np.diag(a, k))
    if a.ndim == 2:
        assert not np.shares_memory(y._array, a)
        y[...] = 0  # writable (NumPy's 2-D diag is a read-only view)


def test_diag_errors():
    with pytest.raises(ValueError, match=r"diag.*\(2, 2, 2\)"):
        xp.diag(xp.ones((2, 2, 2)))
    with pytest.raises(TypeError):
        xp.diag([1.0, 2.0])
    with pytest.raises(TypeError):
        xp.diag(xp.ones(2), 1.5)
