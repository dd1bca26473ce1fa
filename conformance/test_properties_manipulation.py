"""Manipulation functions: result shapes per the standard, round trips
(reshape, permute_dims inverse, concat/unstack, stack/unstack, flip twice, roll
back, squeeze/expand_dims), values vs NumPy, views where NumPy gives views."""
import math

import numpy as np
from hypothesis import assume, given, strategies as st

import minitensor as xp
from conformance_helpers import (
    arrays, assert_tensor, axes_for, conformance_settings, nonempty_shapes, small_shapes,
    to_np, xps,
)


@conformance_settings
@given(data=st.data())
def test_reshape_round_trip(data):
    x = data.draw(arrays(xps.scalar_dtypes()))
    n = x.size
    # a random factorisation of the size, possibly with one -1
    dims = []
    rest = n
    for _ in range(data.draw(st.integers(0, 3))):
        divs = [d for d in range(1, rest + 1) if rest % d == 0] if rest else [0, 1, 2]
        d = data.draw(st.sampled_from(divs))
        dims.append(d)
        rest = rest // d if d else rest
    dims.append(rest if n else 0)
    if math.prod(dims) != n:
        dims = [n]
    shape = tuple(dims)
    r = xp.reshape(x, shape)
    assert_tensor(r, to_np(x).reshape(shape))
    if n and data.draw(st.booleans()):
        i = data.draw(st.integers(0, len(shape) - 1))
        assert xp.reshape(x, shape[:i] + (-1,) + shape[i + 1:]).shape == shape
    assert_tensor(xp.reshape(r, x.shape), to_np(x))
    if x.size:
        assert np.shares_memory(to_np(r), to_np(x))  # contiguous input: a view


@conformance_settings
@given(data=st.data())
def test_permute_dims_inverse(data):
    x = data.draw(arrays(xps.scalar_dtypes()))
    perm = data.draw(st.permutations(range(x.ndim)))
    y = xp.permute_dims(x, tuple(perm))
    assert y.shape == tuple(x.shape[p] for p in perm)
    inv = tuple(np.argsort(perm).tolist())
    assert_tensor(xp.permute_dims(y, inv), to_np(x))
    assert_tensor(y, np.transpose(to_np(x), perm))


@conformance_settings
@given(data=st.data())
def test_concat_unstack_round_trip(data):
    shape = data.draw(nonempty_shapes)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    k = data.draw(st.integers(1, 3))
    dtypes = data.draw(st.lists(xps.real_dtypes(), min_size=k, max_size=k).filter(
        lambda ds: len({d == xp.bool for d in ds}) == 1))
    parts = []
    for d in dtypes:
        s = list(shape)
        s[axis] = data.draw(st.integers(0, 3))
        parts.append(data.draw(arrays(d, tuple(s))))
    try:
        want_dt = xp.result_type(*dtypes)
    except TypeError:
        assume(False)
    r = xp.concat(parts, axis=axis)
    assert r.dtype == want_dt
    assert_tensor(r, np.concatenate([to_np(p).astype(r.dtype.name) for p in parts], axis=axis))
    # unstack(stack(parts)) gives the parts back (same-shape parts only)
    same = [parts[0]] * k
    pos = axis % (len(shape) + 1)  # stack's axis may be any of ndim + 1 positions
    stacked = xp.stack(same, axis=pos)
    assert stacked.shape == parts[0].shape[:pos] + (k,) + parts[0].shape[pos:]
    back = xp.unstack(stacked, axis=pos)
    assert len(back) == k
    for b in back:
        assert_tensor(b, to_np(parts[0]))


@conformance_settings
@given(data=st.data())
def test_concat_axis_none_flattens(data):
    parts = data.draw(st.lists(arrays(xp.int32), min_size=1, max_size=3))
    assert_tensor(xp.concat(parts, axis=None), np.concatenate([to_np(p).ravel() for p in parts]))


@conformance_settings
@given(data=st.data())
def test_flip_twice_and_roll_back(data):
    x = data.draw(arrays(xps.scalar_dtypes()))
    axis = data.draw(axes_for(x.ndim))
    f = xp.flip(x, axis=axis)
    assert_tensor(f, np.flip(to_np(x), axis=axis))
    assert_tensor(xp.flip(f, axis=axis), to_np(x))
    if x.ndim:
        ax = data.draw(st.integers(-x.ndim, x.ndim - 1))
        s = data.draw(st.integers(-7, 7))
        r = xp.roll(x, s, axis=ax)
        assert_tensor(r, np.roll(to_np(x), s, axis=ax))
        assert_tensor(xp.roll(r, -s, axis=ax), to_np(x))
    s = data.draw(st.integers(-7, 7))
    assert_tensor(xp.roll(x, s), np.roll(to_np(x), s))


@conformance_settings
@given(data=st.data())
def test_expand_dims_squeeze_round_trip(data):
    x = data.draw(arrays(xps.scalar_dtypes()))
    ax = data.draw(st.integers(-x.ndim - 1, x.ndim))
    e = xp.expand_dims(x, axis=ax)
    assert e.ndim == x.ndim + 1 and e.shape[ax] == 1
    assert_tensor(xp.squeeze(e, axis=ax), to_np(x))
    assert_tensor(e, np.expand_dims(to_np(x), ax))


@conformance_settings
@given(data=st.data())
def test_broadcast_functions(data):
    shapes = data.draw(xps.mutually_broadcastable_shapes(data.draw(st.integers(1, 3)), max_dims=3,
                                                         max_side=3))
    xs = [data.draw(arrays(xp.float32, s)) for s in shapes.input_shapes]
    assert xp.broadcast_shapes(*shapes.input_shapes) == shapes.result_shape
    bs = xp.broadcast_arrays(*xs)
    assert len(bs) == len(xs)
    for b, x in zip(bs, xs):
        assert_tensor(b, np.broadcast_to(to_np(x), shapes.result_shape))
    assert_tensor(xp.broadcast_to(xs[0], shapes.result_shape),
                  np.broadcast_to(to_np(xs[0]), shapes.result_shape))


@conformance_settings
@given(data=st.data())
def test_moveaxis_tile_repeat_vs_numpy(data):
    x = data.draw(arrays(xps.scalar_dtypes(), nonempty_shapes))
    src = data.draw(st.integers(-x.ndim, x.ndim - 1))
    dst = data.draw(st.integers(-x.ndim, x.ndim - 1))
    assert_tensor(xp.moveaxis(x, src, dst), np.moveaxis(to_np(x), src, dst))
    reps = tuple(data.draw(st.lists(st.integers(0, 3), min_size=0, max_size=3)))
    assert_tensor(xp.tile(x, reps), np.tile(to_np(x), reps))
    r = data.draw(st.integers(0, 3))
    ax = data.draw(st.none() | st.integers(-x.ndim, x.ndim - 1))
    assert_tensor(xp.repeat(x, r, axis=ax), np.repeat(to_np(x), r, axis=ax))
    if ax is not None:
        counts = data.draw(arrays(xp.int64, (x.shape[ax],), elements={"min_value": 0,
                                                                     "max_value": 3}))
        assert_tensor(xp.repeat(x, counts, axis=ax), np.repeat(to_np(x), to_np(counts), axis=ax))
