"""Round trips with NumPy and PyTorch that share memory: asarray, __array__,
.numpy(), DLPack both ways (with max_version / dl_device / copy), every dtype,
read-only arrays, non-contiguous views and 0-d arrays."""
import numpy as np
import pytest

import minitensor as xp

ALL_DTYPES = [xp.bool, xp.int8, xp.int16, xp.int32, xp.int64, xp.uint8, xp.uint16,
              xp.uint32, xp.uint64, xp.float32, xp.float64, xp.complex64, xp.complex128]
NP_DTYPES = [np.dtype(d.name) for d in ALL_DTYPES]


def sample(shape, npdt, seed=0):
    rng = np.random.default_rng(seed)
    v = rng.integers(0, 50, int(np.prod(shape))).reshape(shape)
    if npdt.kind == "b":
        return (v % 2).astype(bool)
    if npdt.kind == "c":
        return (v + 1j * (v % 7)).astype(npdt)
    return v.astype(npdt)


def views(a):
    """(name, view) pairs of the 2-D ndarray ``a``: contiguous, strided, transposed,
    reversed, 0-d, empty."""
    return [("full", a), ("strided", a[::2, 1::2]), ("transposed", a.T),
            ("reversed", a[::-1, ::-1]), ("0d", a[1, 2, ...]), ("empty", a[:0]),
            ("column", a[:, 1])]


VIEW_NAMES = ["full", "strided", "transposed", "reversed", "0d", "empty", "column"]


def shares(a, b):
    return np.shares_memory(a, b) if a.size else True


# ------------------------------------------------------------------ NumPy -> minitensor
@pytest.mark.parametrize("npdt", NP_DTYPES, ids=str)
@pytest.mark.parametrize("vname", VIEW_NAMES)
def test_asarray_ndarray_shares_memory(npdt, vname):
    base = sample((4, 6), npdt)
    v = dict(views(base))[vname]
    t = xp.asarray(v)
    assert t.dtype.name == npdt.name and t.shape == v.shape
    np.testing.assert_array_equal(t._array, v)
    assert shares(t._array, v)
    if v.size:
        # writes go both ways
        t[...] = xp.asarray(sample(v.shape, npdt, seed=1))
        np.testing.assert_array_equal(v, sample(v.shape, npdt, seed=1))
    c = xp.asarray(v, copy=True)
    assert not np.shares_memory(c._array, base)


@pytest.mark.parametrize("npdt", [np.dtype(">f8"), np.dtype(">i4"), np.dtype("<u2").newbyteorder(">"),
                                  np.dtype(">c16"), np.dtype(">f2")], ids=str)
def test_asarray_converts_when_needed(npdt):
    a = np.arange(4).astype(npdt)
    t = xp.asarray(a)
    assert t._array.dtype.isnative and t._array.dtype == a.dtype.newbyteorder("=")
    assert t._array.dtype.name in {d.name for d in ALL_DTYPES} | {"float16"}
    np.testing.assert_array_equal(t._array, a)
    with pytest.raises(ValueError):
        xp.asarray(a, copy=False)


def test_asarray_numpy_scalars_and_0d():
    for s in (np.float32(1.5), np.int16(-3), np.bool_(True), np.complex64(1j), np.uint64(7)):
        t = xp.asarray(s)
        assert t.ndim == 0 and t.dtype.name == s.dtype.name and t.item() == s.item()
    a = np.array(2.5)
    t = xp.asarray(a)
    assert t._array is a
    t[()] = 4.0
    assert a[()] == 4.0


def test_read_only_arrays():
    a = np.arange(6.0)
    a.flags.writeable = False
    t = xp.asarray(a)
    assert shares(t._array, a)
    with pytest.raises(ValueError, match="read-only"):
        t[0] = 1.0
    np.testing.assert_array_equal((t + 1)._array, a + 1)  # reading works
    c = xp.asarray(a, copy=True)
    c[0] = 10.0  # a copy is writable
    assert a[0] == 0.0
    # DLPack export of a read-only tensor: versioned capsules carry the flag
    n = np.from_dlpack(t)
    assert shares(n, a) and not n.flags.writeable
    with pytest.raises(BufferError):
        t.__dlpack__()  # the legacy (unversioned) capsule cannot say read-only
    t.__dlpack__(max_version=(1, 0))


# ------------------------------------------------------------------ minitensor -> NumPy
@pytest.mark.parametrize("npdt", NP_DTYPES, ids=str)
@pytest.mark.parametrize("vname", VIEW_NAMES)
def test_numpy_views_of_tensors_share_memory(npdt, vname):
    base = sample((4, 6), npdt)
    t = dict(views(xp.asarray(base)))[vname] if vname != "0d" else xp.asarray(base)[1, 2]
    for n in (np.asarray(t), t.numpy(), np.array(t, copy=False)):
        assert n.dtype == npdt and n.shape == t.shape
        assert shares(n, base)
        np.testing.assert_array_equal(n, t._array)
    assert not np.shares_memory(np.array(t), base) or t.size == 0  # np.array copies


# ------------------------------------------------------------------ DLPack
@pytest.mark.parametrize("npdt", NP_DTYPES, ids=str)
@pytest.mark.parametrize("vname", VIEW_NAMES)
def test_dlpack_numpy_round_trip(npdt, vname):
    base = sample((4, 6), npdt)
    v = dict(views(base))[vname]
    # NumPy -> minitensor
    t = xp.from_dlpack(v)
    assert t.dtype.name == npdt.name and t.shape == v.shape
    np.testing.assert_array_equal(t._array, v)
    assert shares(t._array, v)
    tc = xp.from_dlpack(v, copy=True)
    assert not np.shares_memory(tc._array, base)
    np.testing.assert_array_equal(tc._array, v)
    # minitensor -> NumPy
    n = np.from_dlpack(t)
    np.testing.assert_array_equal(n, v)
    negative = v.size > 1 and any(s < 0 for s in v.strides)
    # Note: views with negative strides are exported as copies (PyTorch cannot take them)
    assert shares(n, base) is (not negative) or v.size == 0
    assert not np.shares_memory(np.from_dlpack(t, copy=True), base)
    # minitensor -> minitensor through a DLPack capsule of another consumer's making
    t2 = xp.from_dlpack(np.from_dlpack(t))
    np.testing.assert_array_equal(t2._array, v)


@pytest.mark.parametrize("kw", [
    {}, {"max_version": (1, 0)}, {"max_version": (0, 8)}, {"max_version": (2, 0)},
    {"dl_device": (1, 0)}, {"copy": True}, {"copy": False}, {"copy": None},
    {"max_version": (1, 0), "dl_device": (1, 0), "copy": False},
    {"max_version": (1, 0), "copy": True},
], ids=repr)
def test_dunder_dlpack_keywords(kw):
    t = xp.asarray(np.arange(6.0).reshape(2, 3))
    cap = t.__dlpack__(**kw)
    assert type(cap).__name__ == "PyCapsule"
    versioned = kw.get("max_version", (0, 0)) >= (1, 0)
    assert ("dltensor_versioned" in repr(cap)) is versioned
    dev_type, dev_id = t.__dlpack_device__()
    assert int(dev_type) == 1 and dev_id == 0  # kDLCPU
    # the same keywords work through NumPy as the consumer
    n = np.from_dlpack(t, copy=kw.get("copy"))
    assert np.shares_memory(n, t._array) is (kw.get("copy") is not True)


def test_dunder_dlpack_errors():
    t = xp.asarray([1.0, 2.0, 3.0])
    with pytest.raises(BufferError):
        t.__dlpack__(dl_device=(2, 0))  # CUDA
    with pytest.raises(BufferError):
        t.__dlpack__(stream=1)
    with pytest.raises(BufferError):
        t[::-1].__dlpack__(copy=False)
    with pytest.raises(TypeError):
        xp.from_dlpack([1, 2, 3])
    with pytest.raises(ValueError):
        xp.from_dlpack(np.arange(3), device="cuda")


def test_from_dlpack_tensor_and_device_keyword():
    t = xp.asarray([1, 2, 3])
    for dev in (None, "cpu", t.device):
        u = xp.from_dlpack(t, device=dev)
        assert u.device == t.device and np.shares_memory(u._array, t._array)
    assert not np.shares_memory(xp.from_dlpack(t, copy=True)._array, t._array)


# ------------------------------------------------------------------ PyTorch
torch = pytest.importorskip("torch")

TORCH_DTYPES = {"bool": torch.bool, "int8": torch.int8, "int16": torch.int16,
                "int32": torch.int32, "int64": torch.int64, "uint8": torch.uint8,
                "uint16": torch.uint16, "uint32": torch.uint32, "uint64": torch.uint64,
                "float32": torch.float32, "float64": torch.float64,
                "complex64": torch.complex64, "complex128": torch.complex128}


@pytest.mark.parametrize("d", ALL_DTYPES, ids=str)
def test_torch_to_minitensor_shares_memory(d):
    tt = torch.zeros((3, 4), dtype=TORCH_DTYPES[d.name])
    for src in (tt, tt.T, tt[1:, ::2], tt[0, 0]):
        x = xp.from_dlpack(src)
        assert x.dtype is d and x.shape == tuple(src.shape)
        assert np.shares_memory(x._array, tt.numpy())
        y = xp.asarray(src)  # through __array__: shares too
        assert y.dtype is d and np.shares_memory(y._array, tt.numpy())
    x = xp.from_dlpack(tt)
    x[0, 0] = xp.asarray(1, dtype=d)
    assert bool(tt[0, 0] != 0)
    assert not np.shares_memory(xp.from_dlpack(tt, copy=True)._array, tt.numpy())


@pytest.mark.parametrize("d", ALL_DTYPES, ids=str)
@pytest.mark.parametrize("vname", VIEW_NAMES)
def test_minitensor_to_torch(d, vname):
    base = sample((4, 6), np.dtype(d.name))
    x = dict(views(xp.asarray(base)))[vname] if vname != "0d" else xp.asarray(base)[1, 2]
    tt = torch.from_dlpack(x)
    assert tt.dtype == TORCH_DTYPES[d.name] and tuple(tt.shape) == x.shape
    np.testing.assert_array_equal(tt.numpy(), x._array)
    negative = x.size > 1 and any(s < 0 for s in x._array.strides)
    if x.size and not negative:
        assert np.shares_memory(tt.numpy(), base)
    elif negative:
        assert not np.shares_memory(tt.numpy(), base)  # exported as a copy


def test_asarray_list_of_torch_tensors():
    t = torch.arange(3, dtype=torch.float32)
    x = xp.asarray([t, t * 2])
    expected = np.asarray([t.numpy(), t.numpy() * 2])
    np.testing.assert_array_equal(x._array, expected)
    assert x.dtype.name == expected.dtype.name == "float32"  # as NumPy infers it


def test_torch_special_cases():
    g = torch.ones(2, requires_grad=True)
    with pytest.raises((BufferError, RuntimeError)):
        xp.from_dlpack(g)
    x = xp.from_dlpack(g.detach())
    assert x.shape == (2,)
    with pytest.raises(TypeError):
        xp.from_dlpack(torch.ones(2, dtype=torch.bfloat16))
    h = xp.from_dlpack(torch.ones(2, dtype=torch.float16))  # the float16 extension dtype
    assert h.dtype is xp.float16
    # torch reads a read-only tensor through the versioned protocol
    a = np.arange(3.0)
    a.flags.writeable = False
    tt = torch.from_dlpack(xp.asarray(a))
    np.testing.assert_array_equal(tt.numpy(), a)
