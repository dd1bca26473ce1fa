"""Manipulation functions vs NumPy: values, dtype, shape, views; promotion in
concat/stack; bad input; hypothesis properties."""
import itertools
import math
import zlib

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp
from hypothesis.extra.array_api import make_strategies_namespace

import minitensor as xp
from op_records import random_input
from records_manipulation import RECORDS

xps = make_strategies_namespace(xp)

ALL_DTYPES = [d.name for d in (xp.bool, xp.int8, xp.int16, xp.int32, xp.int64, xp.uint8,
                               xp.uint16, xp.uint32, xp.uint64, xp.float32, xp.float64,
                               xp.complex64, xp.complex128)]
_CASES = [(r, c) for r in RECORDS for c in r.cases]


def _np(t):
    assert type(t) is xp.Tensor, f"expected a Tensor, got {type(t).__name__}"
    return t._array


def _check(out, ref, dtype_name, where):
    ref = np.asarray(ref)
    a = _np(out)
    assert type(a) is np.ndarray, where
    assert out.dtype.name == dtype_name == ref.dtype.name, (where, out.dtype, ref.dtype)
    assert out.shape == ref.shape, (where, out.shape, ref.shape)
    np.testing.assert_array_equal(a, ref, err_msg=where)


@pytest.mark.parametrize("rec,case", _CASES, ids=[f"{r.name}-{c!r}" for r, c in _CASES])
def test_forward(rec, case):
    """Every case, every dtype: the same values, dtype and shape as NumPy; views
    where NumPy gives views, new memory where the function copies."""
    fn = getattr(xp, rec.name)
    rng = np.random.default_rng(zlib.crc32(f"{rec.name}{case!r}".encode()))
    for dt in ALL_DTYPES:
        nps = [np.asarray(random_input(rng, s, dt)) for s in case.shapes]
        ts = [xp.asarray(a) for a in nps]
        before = [a.copy() for a in nps]
        out = rec.call(fn, ts, case)
        ref = rec.call(rec.ref, nps, case)
        where = f"{rec.name}{case!r} {dt}"
        outs, refs = ((out,), (ref,)) if rec.result == "array" else (out, ref)
        if rec.result == "tuple":
            assert type(out) is tuple and len(out) == len(ref), where
        for i, (o, r) in enumerate(zip(outs, refs)):
            _check(o, r, dt, f"{where} [result {i}]")
            base = nps[i] if len(outs) == len(nps) else nps[0]
            if case.view and _np(o).size:
                assert np.shares_memory(_np(o), base), f"{where}: not a view"
            if rec.copies or case.kwargs.get("copy"):
                assert not any(np.shares_memory(_np(o), a) for a in nps), f"{where}: shares memory"
        for a, b in zip(nps, before):
            np.testing.assert_array_equal(a, b, err_msg=f"{where}: input modified")


# ------------------------------------------------------------------ promotion
_PROMOTE_PAIRS = [("int8", "uint8"), ("int16", "int64"), ("uint8", "uint32"),
                  ("float32", "float64"), ("float32", "complex64"), ("float64", "complex64"),
                  ("bool", "bool"), ("uint64", "int64"), ("int8", "float32"), ("bool", "int16"),
                  ("int32", "uint16")]


@pytest.mark.parametrize("name", ["concat", "stack"])
@pytest.mark.parametrize("d1,d2", _PROMOTE_PAIRS)
def test_join_promotes(name, d1, d2):
    """Mixed dtypes promote as result_type (the standard's table; NumPy's rule for the
    mixed-kind pairs it leaves open) and values are the cast inputs."""
    rng = np.random.default_rng(0)
    a, b = random_input(rng, (2, 3), d1), random_input(rng, (2, 3), d2)
    c = random_input(rng, (2, 3), d1)
    out = getattr(xp, name)([xp.asarray(a), xp.asarray(b), xp.asarray(c)], axis=1)
    want = xp.result_type(getattr(xp, d1), getattr(xp, d2))
    assert out.dtype == want
    assert want.name == np.promote_types(d1, d2).name  # we agree with NumPy on all of these
    npdt = want._np_dtype
    f = np.concatenate if name == "concat" else np.stack
    _check(out, f([a.astype(npdt), b.astype(npdt), c.astype(npdt)], axis=1), want.name, name)


def test_concat_promotion_order_independent():
    ts = [xp.asarray([1], dtype=xp.int8), xp.asarray([2], dtype=xp.uint8),
          xp.asarray([3.0], dtype=xp.float32)]
    dts = {xp.concat(list(p)).dtype for p in itertools.permutations(ts)}
    assert dts == {xp.float32}


# ------------------------------------------------------------------ views / copies
def test_views_write_through():
    x = xp.asarray(np.arange(24.0).reshape(2, 3, 4))
    for v in (xp.reshape(x, (6, 4)), xp.permute_dims(x, (2, 0, 1)), xp.expand_dims(x, axis=1),
              xp.flip(x, axis=2), xp.moveaxis(x, 0, -1), xp.unstack(x, axis=1)[0],
              xp.squeeze(xp.expand_dims(x, axis=0), axis=0)):
        before = _np(x).copy()
        _np(v)[...] = -1
        assert (_np(x) == -1).sum() == _np(v).size
        _np(x)[...] = before


def test_reshape_copy_semantics():
    base = np.arange(12).reshape(3, 4)
    x = xp.asarray(base.T)  # not C-contiguous: flattening needs a copy
    r = xp.reshape(x, (12,))
    assert not np.shares_memory(_np(r), base)
    np.testing.assert_array_equal(_np(r), base.T.reshape(12))
    with pytest.raises(ValueError, match=r"copy=False") as e:
        xp.reshape(x, (12,), copy=False)
    assert "(4, 3)" in str(e.value) and "(12,)" in str(e.value)
    # a view is possible here, so copy=False works and copy=True still copies
    y = xp.asarray(base)
    assert np.shares_memory(_np(xp.reshape(y, (2, 6), copy=False)), base)
    c = xp.reshape(y, (2, 6), copy=True)
    assert not np.shares_memory(_np(c), base)
    # reshaping the transposed 2-D view into (4, 1, 3) needs no copy
    assert np.shares_memory(_np(xp.reshape(x, (4, 1, 3), copy=False)), base)


def test_broadcast_views_are_read_only():
    x = xp.asarray([1.0, 2.0, 3.0])
    b = xp.broadcast_to(x, (2, 3))
    with pytest.raises(ValueError):
        b[0, 0] = 5.0
    assert x.tolist() == [1.0, 2.0, 3.0]
    a1, a2 = xp.broadcast_arrays(xp.zeros((2, 3)), x)
    a1[0, 0] = 1.0  # already of the broadcast shape: a writable view of the input
    with pytest.raises(ValueError):
        a2[0, 0] = 5.0


def test_numpy_operands():
    """NumPy arrays are accepted as operands, as by the elementwise functions."""
    a = np.arange(6.0).reshape(2, 3)
    _check(xp.reshape(a, (3, 2)), a.reshape(3, 2), "float64", "reshape")
    _check(xp.concat([a, xp.asarray(a)]), np.concatenate([a, a]), "float64", "concat")


def test_broadcast_shapes_basic():
    assert xp.broadcast_shapes() == ()
    assert xp.broadcast_shapes((2, 3)) == (2, 3)
    assert xp.broadcast_shapes((0, 1), (1, 4)) == (0, 4)
    assert xp.broadcast_shapes((5, 1, 3), (4, 1), 3) == (5, 4, 3)
    assert all(type(d) is int for d in xp.broadcast_shapes((np.int64(2), 1), (3,)))


def test_unstack_returns_0d_tensors():
    out = xp.unstack(xp.asarray([1, 2, 3]))
    assert type(out) is tuple and [type(t) for t in out] == [xp.Tensor] * 3
    assert [t.shape for t in out] == [()] * 3 and [int(t) for t in out] == [1, 2, 3]


def test_repeat_array_repeats():
    x = np.arange(6).reshape(2, 3)
    for dt in ("int8", "int32", "int64", "uint8", "uint64"):
        r = np.asarray([1, 0, 2], dtype=dt)
        _check(xp.repeat(xp.asarray(x), xp.asarray(r), axis=1), np.repeat(x, r.astype(np.int64), axis=1),
               "int64", dt)
    _check(xp.repeat(xp.asarray(x), xp.asarray([3]), axis=0), np.repeat(x, 3, axis=0), "int64", "(1,)")
    _check(xp.repeat(xp.asarray(x), xp.asarray([1, 0, 2, 1, 1, 3])), np.repeat(x, [1, 0, 2, 1, 1, 3]),
           "int64", "flat")


# ------------------------------------------------------------------ bad input
_X = xp.zeros((2, 3))
_XT = xp.permute_dims(xp.zeros((3, 2)), (1, 0))

_BAD = [
    # (description, thunk, exception, fragments that the message must contain)
    ("concat shapes", lambda: xp.concat([_X, xp.zeros((2, 4))]), ValueError, ["(2, 4)", "(2, 3)"]),
    ("concat ndim", lambda: xp.concat([_X, xp.zeros(3)], axis=1), ValueError, ["(3,)", "(2, 3)"]),
    ("concat axis", lambda: xp.concat([_X, _X], axis=2), IndexError, ["axis 2", "dimension 2"]),
    ("concat 0-d", lambda: xp.concat([xp.asarray(1.0), xp.asarray(2.0)]), IndexError, ["axis 0"]),
    ("concat empty", lambda: xp.concat([]), ValueError, ["at least one"]),
    ("concat tensor", lambda: xp.concat(_X), TypeError, ["tuple or list"]),
    ("concat non-array", lambda: xp.concat([_X, [[1.0, 2.0, 3.0]]]), TypeError, ["list"]),
    ("stack shapes", lambda: xp.stack([_X, xp.zeros((3, 2))]), ValueError, ["(3, 2)", "(2, 3)"]),
    ("stack axis", lambda: xp.stack([_X, _X], axis=-4), IndexError, ["axis -4"]),
    # as NumPy: the dimension of the result (2 + 1)
    ("expand_dims axis", lambda: xp.expand_dims(_X, axis=3), IndexError, ["axis 3", "dimension 3"]),
    ("expand_dims neg axis", lambda: xp.expand_dims(_X, axis=-4), IndexError, ["axis -4"]),
    ("expand_dims tuple axis", lambda: xp.expand_dims(_X, axis=(0, 4)), IndexError, ["axis 4"]),
    ("expand_dims repeated", lambda: xp.expand_dims(_X, axis=(0, -4)), ValueError, ["repeated"]),
    ("expand_dims float", lambda: xp.expand_dims(_X, axis=1.0), TypeError, ["axis", "float"]),
    ("squeeze size", lambda: xp.squeeze(_X, axis=1), ValueError, ["axis 1", "(2, 3)"]),
    ("squeeze axis", lambda: xp.squeeze(xp.zeros((1, 3)), axis=2), IndexError, ["axis 2", "dimension 2"]),
    ("squeeze repeated", lambda: xp.squeeze(xp.zeros((1, 3)), axis=(0, -2)), ValueError, ["repeated"]),
    ("flip axis", lambda: xp.flip(_X, axis=-3), IndexError, ["axis -3", "dimension 2"]),
    ("flip 0-d axis", lambda: xp.flip(xp.asarray(1), axis=0), IndexError, ["axis 0"]),
    ("flip repeated", lambda: xp.flip(_X, axis=(1, -1)), ValueError, ["repeated"]),
    ("permute_dims length", lambda: xp.permute_dims(_X, (0,)), ValueError, ["(0,)", "(2, 3)"]),
    ("permute_dims repeated", lambda: xp.permute_dims(_X, (0, -2)), ValueError, ["repeated"]),
    ("permute_dims axis", lambda: xp.permute_dims(_X, (0, 2)), IndexError, ["axis 2", "dimension 2"]),
    ("permute_dims int", lambda: xp.permute_dims(_X, 1), TypeError, ["tuple"]),
    ("moveaxis axis", lambda: xp.moveaxis(_X, 2, 0), IndexError, ["2", "dimension 2"]),
    ("moveaxis dest", lambda: xp.moveaxis(_X, 0, -3), IndexError, ["-3", "dimension 2"]),
    ("moveaxis lengths", lambda: xp.moveaxis(_X, (0, 1), (0,)), ValueError, ["same number"]),
    ("moveaxis repeated", lambda: xp.moveaxis(_X, (0, 0), (0, 1)), ValueError, ["repeated"]),
    ("reshape size", lambda: xp.reshape(_X, (4,)), ValueError, ["(2, 3)", "(4,)"]),
    ("reshape -1", lambda: xp.reshape(_X, (4, -1)), ValueError, ["(2, 3)", "(4, -1)"]),
    ("reshape two -1", lambda: xp.reshape(_X, (-1, -1)), ValueError, ["-1"]),
    ("reshape negative", lambda: xp.reshape(_X, (-2, -3)), ValueError, ["(-2, -3)"]),
    ("reshape empty -1", lambda: xp.reshape(xp.zeros((0, 3)), (0, -1)), ValueError, ["(0, 3)", "(0, -1)"]),
    ("reshape copy=False", lambda: xp.reshape(_XT, (6,), copy=False), ValueError, ["copy=False", "(6,)"]),
    ("reshape copy type", lambda: xp.reshape(_X, (6,), copy="no"), TypeError, ["copy"]),
    ("reshape float", lambda: xp.reshape(_X, (2.0, 3)), TypeError, ["shape", "float"]),
    ("broadcast_to", lambda: xp.broadcast_to(_X, (3, 3)), ValueError, ["(2, 3)", "(3, 3)"]),
    ("broadcast_to fewer dims", lambda: xp.broadcast_to(_X, (3,)), ValueError, ["(2, 3)", "(3,)"]),
    ("broadcast_to negative", lambda: xp.broadcast_to(_X, (-1, 3)), ValueError, ["(-1, 3)"]),
    ("broadcast_shapes", lambda: xp.broadcast_shapes((2, 3), (4, 1), (3,)), ValueError,
     ["(2, 3)", "(4, 1)"]),
    ("broadcast_arrays", lambda: xp.broadcast_arrays(_X, xp.zeros(2)), ValueError, ["(2, 3)", "(2,)"]),
    ("repeat negative", lambda: xp.repeat(_X, -1), ValueError, ["non-negative"]),
    ("repeat negative array", lambda: xp.repeat(_X, xp.asarray([1, -1, 2]), axis=1), ValueError,
     ["non-negative"]),
    ("repeat float array", lambda: xp.repeat(_X, xp.asarray([1.0]), axis=1), TypeError, ["float64"]),
    ("repeat shape", lambda: xp.repeat(_X, xp.asarray([1, 2]), axis=1), ValueError, ["(2,)", "(3,)"]),
    ("repeat axis", lambda: xp.repeat(_X, 2, axis=2), IndexError, ["axis 2", "dimension 2"]),
    ("repeat float", lambda: xp.repeat(_X, 2.0), TypeError, ["repeats"]),
    ("tile negative", lambda: xp.tile(_X, (2, -1)), ValueError, ["(2, -1)"]),
    ("tile float", lambda: xp.tile(_X, (2.5,)), TypeError, ["repetitions"]),
    ("roll axis", lambda: xp.roll(_X, 1, axis=2), IndexError, ["axis 2", "dimension 2"]),
    ("roll lengths", lambda: xp.roll(_X, (1, 2, 3), axis=(0, 1)), ValueError, ["(1, 2, 3)", "(0, 1)"]),
    ("roll float", lambda: xp.roll(_X, 1.5), TypeError, ["shift"]),
    ("unstack 0-d", lambda: xp.unstack(xp.asarray(1.0)), IndexError, ["axis 0"]),
    ("unstack axis", lambda: xp.unstack(_X, axis=-3), IndexError, ["axis -3", "dimension 2"]),
    ("list input", lambda: xp.flip([1, 2, 3]), TypeError, ["list"]),
]


@pytest.mark.parametrize("desc,thunk,exc,fragments", _BAD, ids=[b[0] for b in _BAD])
def test_bad_input(desc, thunk, exc, fragments):
    with pytest.raises(exc) as e:
        thunk()
    msg = str(e.value)
    name = desc.split()[0]
    if name != "list":
        assert msg.startswith(name), msg  # the message names the function
    for f in fragments:
        assert f in msg, (f, msg)


def test_axis_errors_are_also_value_errors():
    # numpy.exceptions.AxisError: NumPy users catch ValueError / AxisError
    with pytest.raises(np.exceptions.AxisError):
        xp.flip(_X, axis=5)
    with pytest.raises(ValueError):
        xp.squeeze(_X, axis=5)


# ------------------------------------------------------------------ hypothesis
_SETTINGS = settings(max_examples=40, deadline=None)
_shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)


@_SETTINGS
@given(x=xps.arrays(xps.scalar_dtypes(), _shapes), data=st.data())
def test_reshape_property(x, data):
    """Any factorisation of the size (with or without -1) matches NumPy, and is a
    view of a C-contiguous input."""
    a = np.asarray(x)
    dims = data.draw(st.lists(st.integers(1, 4), max_size=3), label="dims")
    shape = list(dims) + [a.size // math.prod(dims)] if a.size % math.prod(dims) == 0 else [a.size]
    shape = data.draw(st.permutations(shape), label="shape")
    if a.size and data.draw(st.booleans(), label="use -1"):
        shape[data.draw(st.integers(0, len(shape) - 1), label="i")] = -1
    out = xp.reshape(x, tuple(shape))
    _check(out, a.reshape(shape), a.dtype.name, f"reshape {a.shape} -> {shape}")
    if a.size:
        assert np.shares_memory(_np(out), a)


@_SETTINGS
@given(x=xps.arrays(xps.scalar_dtypes(), _shapes), data=st.data())
def test_permute_and_moveaxis_property(x, data):
    a = np.asarray(x)
    perm = data.draw(st.permutations(range(a.ndim)), label="perm")
    signs = data.draw(st.lists(st.booleans(), min_size=a.ndim, max_size=a.ndim), label="neg")
    axes = tuple(p - a.ndim if s else p for p, s in zip(perm, signs))
    _check(xp.permute_dims(x, axes), np.transpose(a, axes), a.dtype.name, f"permute {axes}")
    if a.ndim:
        src = data.draw(st.lists(st.integers(-a.ndim, a.ndim - 1), unique_by=lambda i: i % a.ndim,
                                 max_size=a.ndim), label="src")
        dst = data.draw(st.lists(st.integers(-a.ndim, a.ndim - 1), unique_by=lambda i: i % a.ndim,
                                 min_size=len(src), max_size=len(src)), label="dst")
        _check(xp.moveaxis(x, tuple(src), tuple(dst)), np.moveaxis(a, src, dst), a.dtype.name,
               f"moveaxis {src} {dst}")


@_SETTINGS
@given(x=xps.arrays(xps.scalar_dtypes(), _shapes), data=st.data())
def test_roll_property(x, data):
    a = np.asarray(x)
    shift = data.draw(st.integers(-10, 10), label="shift")
    if a.ndim == 0 or data.draw(st.booleans(), label="flat"):
        _check(xp.roll(x, shift), np.roll(a, shift), a.dtype.name, f"roll {shift}")
        return
    axes = data.draw(st.lists(st.integers(-a.ndim, a.ndim - 1), min_size=1, max_size=3), label="axes")
    shifts = data.draw(st.lists(st.integers(-10, 10), min_size=len(axes), max_size=len(axes)))
    _check(xp.roll(x, tuple(shifts), axis=tuple(axes)), np.roll(a, shifts, axis=axes),
           a.dtype.name, f"roll {shifts} {axes}")


@_SETTINGS
@given(x=xps.arrays(xps.scalar_dtypes(), hnp.array_shapes(min_dims=0, max_dims=3, max_side=3)),
       data=st.data())
def test_expand_dims_squeeze_roundtrip(x, data):
    """A tuple axis is equivalent to inserting the normalised axes in ascending order,
    and squeeze undoes it."""
    a = np.asarray(x)
    n = data.draw(st.integers(0, 3), label="n")
    m = a.ndim + n
    pos = data.draw(st.lists(st.integers(0, m - 1), min_size=n, max_size=n, unique=True)
                    if m else st.just([]), label="pos")
    axes = tuple(p - m if data.draw(st.booleans()) else p for p in pos)
    out = xp.expand_dims(x, axis=axes)
    _check(out, np.expand_dims(a, axes), a.dtype.name, f"expand_dims {axes}")
    if a.size:
        assert np.shares_memory(_np(out), a)
    _check(xp.squeeze(out, axis=axes), a, a.dtype.name, f"squeeze {axes}")


@_SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=4, min_side=0))
def test_broadcast_shapes_property(shapes):
    assert xp.broadcast_shapes(*shapes.input_shapes) == shapes.result_shape
    arrays = [xp.zeros(s, dtype=xp.int8) for s in shapes.input_shapes]
    out = xp.broadcast_arrays(*arrays)
    assert [t.shape for t in out] == [shapes.result_shape] * 3
    for t, s in zip(arrays, shapes.input_shapes):
        assert xp.broadcast_to(t, shapes.result_shape).shape == shapes.result_shape


@_SETTINGS
@given(x=xps.arrays(xps.scalar_dtypes(), hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)),
       data=st.data())
def test_tile_repeat_property(x, data):
    a = np.asarray(x)
    reps = tuple(data.draw(st.lists(st.integers(0, 3), max_size=4), label="reps"))
    _check(xp.tile(x, reps), np.tile(a, reps), a.dtype.name, f"tile {reps}")
    axis = data.draw(st.none() | st.integers(-a.ndim, a.ndim - 1), label="axis")
    n = a.size if axis is None else a.shape[axis]
    r = data.draw(st.integers(0, 3) | st.lists(st.integers(0, 3), min_size=n, max_size=n), label="r")
    rt = xp.asarray(r, dtype=xp.int32) if isinstance(r, list) else r
    _check(xp.repeat(x, rt, axis=axis), np.repeat(a, r, axis=axis), a.dtype.name, f"repeat {r} {axis}")
