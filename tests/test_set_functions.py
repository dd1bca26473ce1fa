"""Set functions vs a reference written from the standard (value equality: each
NaN distinct, -0.0 == +0.0): named-tuple fields, dtypes, shapes, values for
every dtype; isin with arrays and Python scalars; hypothesis."""
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.extra.array_api import make_strategies_namespace

import minitensor as xp
from minitensor import _dtypes
from op_records import random_input
from records_set import RECORDS, ref_isin, ref_unique_all

xps = make_strategies_namespace(xp)
ALL = [d.name for d in _dtypes._all_dtypes]
REC = {r.name: r for r in RECORDS}
FIELDS = {"unique_all": ("values", "indices", "inverse_indices", "counts"),
          "unique_counts": ("values", "counts"),
          "unique_inverse": ("values", "inverse_indices")}


def _ties(rng, shape, dt):
    a = random_input(rng, shape, dt)
    if a.dtype.kind in "iu":
        return (a % 4).astype(dt)
    if a.dtype.kind == "f":
        a = np.asarray(np.round(a).astype(dt))  # 0-d: keep an array, not a NumPy scalar
        a[rng.random(shape) < 0.2] = np.nan
        a[rng.random(shape) < 0.2] = -0.0
    elif a.dtype.kind == "c":
        a = np.asarray((np.round(a.real) + 1j * np.round(a.imag)).astype(dt))
        a[rng.random(shape) < 0.2] = complex(1.0, np.nan)
    return a


def _check_unique(out, x, name):
    """``out`` (the named tuple or values) matches the reference up to order."""
    v, idx, inv, cnt = ref_unique_all(x)
    fields = FIELDS.get(name, ())
    if fields:
        assert type(out).__name__.startswith("Unique") and out._fields == fields
        got = dict(zip(fields, out))
    else:
        got = {"values": out}
    vals = got["values"]._array
    assert vals.dtype == x.dtype and vals.ndim == 1 and vals.shape == v.shape
    for f in fields[1:]:
        assert got[f]._array.dtype == np.int64
    if "indices" in got:
        first = got["indices"]._array
        np.testing.assert_array_equal(np.sort(first), np.sort(idx))
        np.testing.assert_array_equal(vals, x.reshape(-1)[first])  # first occurrences
    nan = np.isnan(vals) if x.dtype.kind in "fc" else np.zeros(len(vals), bool)
    ref_nan = np.isnan(v) if x.dtype.kind in "fc" else np.zeros(len(v), bool)
    assert nan.sum() == ref_nan.sum()
    np.testing.assert_array_equal(np.sort(vals[~nan]), np.sort(v[~ref_nan]))
    if "counts" in got:
        c = got["counts"]._array
        assert (c[nan] == 1).all()
        d = dict(zip(v[~ref_nan].tolist(), cnt[~ref_nan].tolist()))
        assert [d[k] for k in vals[~nan].tolist()] == c[~nan].tolist()
    if "inverse_indices" in got:
        ii = got["inverse_indices"]._array
        assert ii.shape == x.shape
        rebuilt = vals[ii] if vals.size else np.empty(x.shape, x.dtype)
        np.testing.assert_array_equal(rebuilt, x)  # NaN == NaN and -0 == +0 here


@pytest.mark.parametrize("name", ["unique_all", "unique_counts", "unique_inverse", "unique_values"])
@pytest.mark.parametrize("case", REC["unique_all"].cases, ids=repr)
def test_unique(name, case):
    for dt in ALL:
        x = _ties(np.random.default_rng(zlib.crc32(f"{name}{case!r}{dt}".encode())), case.shapes[0], dt)
        _check_unique(getattr(xp, name)(xp.asarray(x)), x, name)


def test_unique_nan_distinct_and_signed_zero():
    x = np.array([np.nan, 0.0, np.nan, -0.0, 1.0, 0.0])
    r = xp.unique_counts(xp.asarray(x))
    v, c = r.values._array, r.counts._array
    assert np.isnan(v).sum() == 2 and c[np.isnan(v)].tolist() == [1, 1]
    assert c[v == 0].tolist() == [3]
    r = xp.unique_all(xp.asarray(x))
    assert int(r.indices._array[r.values._array == 0][0]) == 1


@pytest.mark.parametrize("case", REC["isin"].cases, ids=repr)
def test_isin(case):
    ints = [d.name for d in _dtypes._integer_dtypes]
    for d1, d2 in [(d, d) for d in ALL] + list(zip(ints, ints[1:] + ints[:1])):
        rng = np.random.default_rng(zlib.crc32(f"isin{case!r}{d1}{d2}".encode()))
        a, b = _ties(rng, case.shapes[0], d1), _ties(rng, case.shapes[1], d2)
        inv = case.kwargs.get("invert", False)
        out = xp.isin(xp.asarray(a), xp.asarray(b), invert=inv)
        assert out.dtype == xp.bool and out.shape == a.shape
        np.testing.assert_array_equal(out._array, ref_isin(a, b, inv), err_msg=f"{case!r} {d1} {d2}")


def test_isin_scalars_and_ranges():
    x = xp.asarray([1, 2, 3], dtype=xp.int8)
    assert xp.isin(x, 2).tolist() == [False, True, False]
    assert xp.isin(x, 1000).tolist() == [False] * 3
    r = xp.isin(3, x)
    assert r.shape == () and bool(r)
    assert not bool(xp.isin(1000, x))
    assert xp.isin(xp.asarray([2**63 - 1]), xp.asarray([2**63], dtype=xp.uint64)).tolist() == [False]
    assert xp.isin(xp.asarray([2**64 - 1], dtype=xp.uint64), xp.asarray([-1])).tolist() == [False]
    with pytest.raises(TypeError, match="at least one"):
        xp.isin(1, 2)
    with pytest.raises(TypeError):
        xp.isin(x, x, invert="no")


@settings(max_examples=50, deadline=None)
@given(x=xps.arrays(dtype=xps.scalar_dtypes(), shape=xps.array_shapes(min_dims=0, max_dims=3, max_side=5)))
def test_unique_all_hypothesis(x):
    _check_unique(xp.unique_all(x), x._array, "unique_all")
