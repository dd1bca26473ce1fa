"""Dtypes, type promotion, data type functions and the inspection API."""
import itertools
import pickle

import numpy as np
import pytest

import minitensor as xp
from minitensor._array_object import CPU_DEVICE

ALL_DTYPES = [xp.bool, xp.int8, xp.int16, xp.int32, xp.int64, xp.uint8, xp.uint16,
              xp.uint32, xp.uint64, xp.float32, xp.float64, xp.complex64, xp.complex128]
NAMES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
         "float32", "float64", "complex64", "complex128"]
SIGNED = [xp.int8, xp.int16, xp.int32, xp.int64]
UNSIGNED = [xp.uint8, xp.uint16, xp.uint32, xp.uint64]
REAL_FLOAT = [xp.float32, xp.float64]
COMPLEX = [xp.complex64, xp.complex128]
KINDS = {
    "bool": [xp.bool], "signed integer": SIGNED, "unsigned integer": UNSIGNED,
    "integral": SIGNED + UNSIGNED, "real floating": REAL_FLOAT, "complex floating": COMPLEX,
    "numeric": SIGNED + UNSIGNED + REAL_FLOAT + COMPLEX,
}


def _kind(d):
    return np.dtype(d.name).kind


def standard_pair(a, b):
    """Whether the standard's promotion table defines ``a`` with ``b``: same kind
    family (bool; integers, except int64 with uint64; real/complex floating)."""
    ka, kb = _kind(a), _kind(b)
    if "b" in (ka, kb):
        return ka == kb
    if ka in "iu" and kb in "iu":
        return ka == kb or xp.uint64 not in (a, b)  # uint64 with a signed int: open
    return ka in "fc" and kb in "fc"


# ------------------------------------------------------------------ dtype objects
def test_dtypes_are_hashable_and_distinct():
    assert [d.name for d in ALL_DTYPES] == NAMES
    assert len(set(ALL_DTYPES)) == 13
    assert len({hash(d) for d in ALL_DTYPES}) == 13
    for d, n in zip(ALL_DTYPES, NAMES):
        assert getattr(xp, n) is d
        assert d == d and {d: 1}[getattr(xp, n)] == 1
        for other in ALL_DTYPES:
            assert (d == other) is (d is other)
            assert (d != other) is (d is not other)
        assert d != n  # a dtype is not its name
        assert pickle.loads(pickle.dumps(d)) is d
        assert n in repr(d)
        assert xp.asarray(0, dtype=d).dtype is d


# ------------------------------------------------------------------ promotion
@pytest.mark.parametrize("a, b", list(itertools.product(ALL_DTYPES, ALL_DTYPES)),
                         ids=lambda d: d.name)
def test_result_type_pairs(a, b):
    r = xp.result_type(a, b)
    assert r == xp.result_type(b, a)
    # NumPy agrees with the standard's table wherever the standard defines the pair;
    # elsewhere (mixed kinds, int64 with uint64) NumPy's answer is ours (# Note).
    assert r.name == np.promote_types(a.name, b.name).name
    if standard_pair(a, b):
        assert _kind(r) in (_kind(a), _kind(b))
    # arrays and dtypes mix
    assert xp.result_type(xp.zeros(1, dtype=a), b) == r
    assert xp.result_type(xp.zeros((), dtype=a), xp.zeros(2, dtype=b)) == r
    # the arithmetic follows the same table
    if a != xp.bool and b != xp.bool:
        assert (xp.zeros(1, dtype=a) + xp.zeros(1, dtype=b)).dtype == r


def test_result_type_many_and_errors():
    assert xp.result_type(xp.int8, xp.uint8, xp.int16) == xp.int16
    assert xp.result_type(xp.float32, xp.complex64, xp.float64) == xp.complex128
    assert xp.result_type(xp.uint8) == xp.uint8
    with pytest.raises(ValueError):
        xp.result_type()
    with pytest.raises(ValueError):
        xp.result_type(1, 2.0)  # Python scalars alone: no array or dtype
    with pytest.raises(TypeError):
        xp.result_type(xp.int8, "a")
    with pytest.raises(TypeError):
        xp.result_type(xp.int8, None)


@pytest.mark.parametrize("d", ALL_DTYPES, ids=str)
def test_result_type_python_scalars(d):
    k = _kind(d)
    # the 2024.12 rule: a scalar of the same or a lower kind takes the array dtype
    assert xp.result_type(d, True) is d
    if k != "b":
        assert xp.result_type(d, 1) is d
        assert xp.result_type(1, d, -2) is d
    else:
        assert xp.result_type(d, 1) is xp.int64  # Note: NumPy's rule
    if k in "fc":
        assert xp.result_type(d, 1.5) is d
    else:
        assert xp.result_type(d, 1.5) is xp.float64  # Note: NumPy's rule
    if k == "c":
        assert xp.result_type(d, 1j) is d
    else:
        assert xp.result_type(d, 1j) is (xp.complex64 if d == xp.float32 else xp.complex128)
    # and as NumPy (NEP 50 weak scalars) says for each of them
    for s in (True, 1, 1.5, 1j):
        if k == "b" and isinstance(s, int) and not isinstance(s, bool):
            continue
        assert xp.result_type(d, s).name == np.result_type(np.dtype(d.name), s).name


# ------------------------------------------------------------------ can_cast
@pytest.mark.parametrize("a, b", list(itertools.product(ALL_DTYPES, ALL_DTYPES)),
                         ids=lambda d: d.name)
def test_can_cast(a, b):
    r = xp.can_cast(a, b)
    assert type(r) is bool
    assert xp.can_cast(xp.zeros(2, dtype=a), b) is r
    # the standard: castable iff the promotion table (where it is defined) gives `b`
    expected = standard_pair(a, b) and xp.result_type(a, b) == b
    assert r is expected
    if r:
        assert np.can_cast(a.name, b.name, casting="safe")


def test_can_cast_errors():
    with pytest.raises(TypeError):
        xp.can_cast([1], xp.int8)
    with pytest.raises(TypeError):
        xp.can_cast(xp.int8, 3)


# ------------------------------------------------------------------ finfo / iinfo
@pytest.mark.parametrize("d", REAL_FLOAT + COMPLEX, ids=str)
def test_finfo(d):
    for arg in (d, xp.zeros(2, dtype=d), xp.asarray(0, dtype=d).dtype):
        fi = xp.finfo(arg)
        ref = np.finfo(d.name)
        for attr in ("eps", "max", "min", "smallest_normal"):
            v = getattr(fi, attr)
            assert type(v) is float and v == float(getattr(ref, attr))
        assert type(fi.bits) is int and fi.bits == ref.bits
        # a complex dtype's limits and dtype are those of its real component
        assert fi.dtype is {xp.complex64: xp.float32, xp.complex128: xp.float64}.get(d, d)
    with pytest.raises(AttributeError):
        xp.finfo(d).eps = 1.0  # read-only


@pytest.mark.parametrize("d", SIGNED + UNSIGNED, ids=str)
def test_iinfo(d):
    for arg in (d, xp.zeros(2, dtype=d)):
        ii = xp.iinfo(arg)
        ref = np.iinfo(d.name)
        assert type(ii.bits) is int and ii.bits == ref.bits
        assert type(ii.max) is int and ii.max == int(ref.max)
        assert type(ii.min) is int and ii.min == int(ref.min)
        assert ii.dtype is d


def test_finfo_iinfo_errors():
    for d in [xp.bool] + SIGNED + UNSIGNED:
        with pytest.raises(TypeError):
            xp.finfo(d)
    for d in [xp.bool] + REAL_FLOAT + COMPLEX:
        with pytest.raises(TypeError):
            xp.iinfo(d)
    with pytest.raises(TypeError):
        xp.finfo(1.0)
    with pytest.raises(TypeError):
        xp.iinfo("abc")


# ------------------------------------------------------------------ isdtype
@pytest.mark.parametrize("d", ALL_DTYPES, ids=str)
def test_isdtype(d):
    for kind, members in KINDS.items():
        assert xp.isdtype(d, kind) is (d in members)
    for other in ALL_DTYPES:
        assert xp.isdtype(d, other) is (d is other)
    assert xp.isdtype(d, tuple(KINDS)) is (d != xp.bool or True)
    assert xp.isdtype(d, ("bool", "numeric")) is True
    assert xp.isdtype(d, (xp.float32, "complex floating")) is (d in (xp.float32,) + tuple(COMPLEX))
    assert xp.isdtype(d, ()) is False


def test_isdtype_errors():
    with pytest.raises(ValueError):
        xp.isdtype(xp.int8, "integer")
    with pytest.raises(TypeError):
        xp.isdtype("int8", "integral")
    with pytest.raises(TypeError):
        xp.isdtype(xp.int8, 3)


# ------------------------------------------------------------------ astype
@pytest.mark.parametrize("src, dst", list(itertools.product(ALL_DTYPES, ALL_DTYPES)),
                         ids=lambda d: d.name)
def test_astype_matches_numpy(src, dst):
    base = np.asarray([0, 1, 2, 100, 127], dtype=np.int64)
    a = base.astype(src.name) if src != xp.bool else base.astype(bool)
    x = xp.asarray(a)
    if _kind(src) == "c" and _kind(dst) not in "cb":
        with pytest.raises(TypeError, match="real"):
            xp.astype(x, dst)
        return
    y = xp.astype(x, dst)
    assert y.dtype is dst and y.shape == x.shape
    np.testing.assert_array_equal(y._array, a.astype(dst.name))
    assert not np.shares_memory(y._array, a)


@pytest.mark.parametrize("d", ALL_DTYPES, ids=str)
def test_astype_copy_and_device(d):
    x = xp.zeros((2, 2), dtype=d)[:, ::-1]
    assert xp.astype(x, d, copy=False) is x  # the standard: the input itself
    y = xp.astype(x, d)  # copy=True by default
    assert y is not x and not np.shares_memory(y._array, x._array)
    assert y._array.shape == x.shape
    for dev in (None, "cpu", CPU_DEVICE):
        assert xp.astype(x, d, device=dev).device == CPU_DEVICE
    with pytest.raises(ValueError):
        xp.astype(x, d, device="cuda")


def test_astype_special_values_and_errors():
    x = xp.asarray([1.5, -0.0, float("nan"), float("inf")])
    assert xp.astype(x, xp.bool).tolist() == [True, False, True, True]
    c = xp.asarray([0j, 1j, 2 + 0j])
    assert xp.astype(c, xp.bool).tolist() == [False, True, True]  # complex -> bool allowed
    assert xp.astype(xp.asarray([True, False]), xp.complex64).tolist() == [1 + 0j, 0j]
    # nan/inf to integers: implementation-defined, but no warning and no error
    xp.astype(x, xp.int32)
    with pytest.raises(TypeError):
        xp.astype([1, 2], xp.int8)
    with pytest.raises(TypeError):
        xp.astype(xp.asarray([1]), "longdouble")
    assert xp.astype(xp.asarray([1]), "float16").dtype is xp.float16  # the extension dtype
    assert xp.astype(xp.asarray([1]), "float32").dtype is xp.float32  # NumPy-style names


# ------------------------------------------------------------------ inspection API
def test_info_capabilities_and_devices():
    info = xp.__array_namespace_info__()
    caps = info.capabilities()
    assert caps["boolean indexing"] is True and caps["data-dependent shapes"] is True
    m = caps["max dimensions"]
    assert m is None or (type(m) is int and m > 0)
    # and the tensor really supports that many dimensions
    assert xp.zeros((1,) * m).ndim == m
    devs = info.devices()
    assert isinstance(devs, tuple) and devs == (CPU_DEVICE,)  # a tuple since 2025.12
    assert info.default_device() in devs
    # concatenation with a list (written for the 2024.12 list) still works
    assert devs + [None] == [CPU_DEVICE, None] and [None] + devs == [None, CPU_DEVICE]
    assert devs + (None,) == (CPU_DEVICE, None)
    for d in devs:
        assert xp.zeros(1, device=d).device == d


def test_info_default_dtypes():
    info = xp.__array_namespace_info__()
    for dev in (None,) + info.devices():
        dd = info.default_dtypes(device=dev)
        assert dd == {"real floating": xp.float64, "complex floating": xp.complex128,
                      "integral": xp.int64, "indexing": xp.int64}
        # and they are the dtypes the creation functions default to
        assert xp.asarray(1.0).dtype is dd["real floating"]
        assert xp.asarray(1j).dtype is dd["complex floating"]
        assert xp.asarray(1).dtype is dd["integral"]
        assert xp.zeros(1).dtype is dd["real floating"]
        assert xp.arange(3).dtype is dd["integral"]
    with pytest.raises(ValueError):
        info.default_dtypes(device="cuda")


def test_info_dtypes():
    info = xp.__array_namespace_info__()
    assert info.dtypes() == dict(zip(NAMES, ALL_DTYPES))
    assert info.dtypes(device="cpu") == info.dtypes()
    for kind, members in KINDS.items():
        got = info.dtypes(kind=kind)
        assert list(got.values()) == members
        assert all(got[d.name] is d for d in members)
    for kinds in itertools.combinations(["bool", "signed integer", "real floating",
                                         "complex floating", "unsigned integer"], 2):
        got = info.dtypes(kind=kinds)
        assert set(got.values()) == {d for k in kinds for d in KINDS[k]}
        assert all(xp.isdtype(d, kinds) for d in got.values())
    with pytest.raises(ValueError):
        info.dtypes(kind="integer")
    with pytest.raises(ValueError):
        info.dtypes(device="gpu")
