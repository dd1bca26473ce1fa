"""The autograd engine's fast paths (issue 14): what a recorded node allocates,
``record``'s fast path for basic index keys, the binder's one-tensor path, and
gradients summed in place in the backward walk, each with what it must reject."""
import gc

import numpy as np
import pytest

import minitensor as xp
import minitensor.autograd  # noqa: F401
from minitensor.autograd import _engine


def _tracked_per_node(op, n=100):
    x = xp.tensor(np.random.default_rng(0).standard_normal((4, 6)), requires_grad=True)
    y = x
    for _ in range(3):
        y = op(y)  # (leaf edges, caches)
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_objects())
        y = x
        for _ in range(n):
            y = op(y)
        after = len(gc.get_objects())
    finally:
        gc.enable()
    return (after - before) / n


@pytest.mark.parametrize("op, limit", [
    (lambda y: y * 1.0, 11),      # Node, _Meta, tensor, edge, args, inputs, versions, edges, ...
    (lambda y: y + 1.0, 8),       # add keeps no input: no inputs, no versions
    (lambda y: y[..., 0:6], 13),  # a view: keeps its base
    (lambda y: xp.tanh(y), 13),   # keeps its output: one weakref and its version
])
def test_tracked_objects_per_recorded_node(op, limit):
    # (before issue 14: 15, 16, 18 and 15; the cyclic GC traverses each of them)
    assert _tracked_per_node(op) <= limit


def test_edges_are_shared_per_tensor():
    x = xp.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    a, b = y * 3.0, y * 4.0
    assert a.grad_fn.next_edges[0] is b.grad_fn.next_edges[0]  # one (node, 0) per tensor
    assert a.grad_fn.next_edges[0] == (y.grad_fn, 0)
    p, q = x * 1.0, x * 1.0
    assert p.grad_fn.next_edges[0] is q.grad_fn.next_edges[0]  # the leaf's (AccumulateGrad, 0)
    assert type(p.grad_fn.next_edges[0][0]).__name__ == "AccumulateGrad"


@pytest.mark.parametrize("key", [
    (Ellipsis, slice(1, 3)), slice(0, 2), 1, (0, slice(None), None), (slice(None, None, -1),),
])
def test_basic_keys_take_the_fast_path(monkeypatch, key):
    x = xp.tensor(np.arange(24.0).reshape(4, 6), requires_grad=True)

    def no_general_path(*args, **kwargs):
        raise AssertionError("general path")
    monkeypatch.setattr(_engine, "_attach", no_general_path)
    y = x[key]
    monkeypatch.undo()
    xp.sum(y * y).backward()
    expected = np.zeros((4, 6))
    a = np.arange(24.0).reshape(4, 6)
    np.add.at(expected, key, 2 * a[key])
    np.testing.assert_array_equal(x.grad._array, expected)


@pytest.mark.parametrize("make_key", [
    lambda: [0, 2, 2],                          # a list: copied (the caller may mutate it)
    lambda: np.array([0, 2, 2]),                # a NumPy array: copied
    lambda: (slice(None), np.array([1, 1])),    # an array inside a tuple
    lambda: xp.asarray([True, False, True, False]),  # a mask tensor: version-checked
])
def test_other_keys_take_the_general_path(monkeypatch, make_key):
    x = xp.tensor(np.arange(24.0).reshape(4, 6), requires_grad=True)
    key = make_key()
    seen = []
    attach = _engine._attach

    def spy(*args, **kwargs):
        seen.append(args[0])
        return attach(*args, **kwargs)
    monkeypatch.setattr(_engine, "_attach", spy)
    y = x[key]
    monkeypatch.undo()
    if hasattr(key, "_array"):
        # a mask tensor is kept by the node and version-checked at backward
        m = xp.asarray([True, False, True, False])
        z = x[m]
        m[1] = True
        with pytest.raises(RuntimeError, match="modified by an in-place operation"):
            xp.sum(z).backward()
    else:
        assert seen == ["__getitem__"]
    np_key = key._array if hasattr(key, "_array") else key
    expected = np.zeros((4, 6))
    if getattr(np_key, "dtype", None) == bool:
        expected[np_key] = 1.0
    else:
        np.add.at(expected, np_key if not isinstance(np_key, list) else (np_key,), 1.0)
    if isinstance(key, list):
        key[0] = 3  # a later mutation does not reach the recorded key
    elif isinstance(key, np.ndarray):
        key[0] = 3
    xp.sum(y).backward()
    np.testing.assert_array_equal(x.grad._array, expected)


def test_one_tensor_binder_path():
    # the tensor is the first argument, the rest holds no tensor (x * 2.0, x[key],
    # sum(x, axis=...)): paths and ``needs`` from the table, same gradients
    x = xp.tensor(np.linspace(-1.0, 1.0, 12).reshape(3, 4), requires_grad=True)
    y = xp.sum(xp.multiply(x, 2.0) * x[..., 0:4], axis=1, keepdims=True)
    xp.sum(xp.clip(y, max=10.0)).backward()
    np.testing.assert_allclose(x.grad._array, 4 * x._array)
    # a tensor that is not the first argument: the general path
    z = xp.tensor(np.ones((3, 4)), requires_grad=True)
    xp.sum(xp.multiply(2.0, z)).backward()
    np.testing.assert_array_equal(z.grad._array, np.full((3, 4), 2.0))


def test_gradients_are_summed_in_place_only_when_unseen(monkeypatch):
    calls = []
    sum_into = _engine._sum_into

    def spy(b, idx, g):
        r = sum_into(b, idx, g)
        calls.append(r)
        return r
    monkeypatch.setattr(_engine, "_sum_into", spy)
    a0 = np.arange(12.0).reshape(3, 4)
    x = xp.tensor(a0, requires_grad=True)
    y = x * 2.0
    loss = xp.sum(y[:, 0:2]) + xp.sum(y[:, 1:3] * 3.0) + xp.sum(y * 1.0)
    loss.backward()
    np.testing.assert_array_equal(x.grad._array, np.tile([4.0, 10.0, 8.0, 2.0], (3, 1)))
    assert True in calls  # (the third gradient is added into the sum of the first two)
    # a gradient a hook has seen, or that a rule passes on twice (a + a), is not
    # written into
    for order in (0, 1):
        calls.clear()
        x.grad = None
        a = x * 1.0
        s = a + 0.0
        stored = []
        s.register_hook(lambda g: stored.append(g))
        terms = [xp.sum(s * 5.0), xp.sum(a * 2.0)]
        (terms[order] + terms[1 - order]).backward()
        np.testing.assert_array_equal(stored[0]._array, np.full((3, 4), 5.0))
        np.testing.assert_array_equal(x.grad._array, np.full((3, 4), 7.0))
    x.grad = None
    b = x * 1.0
    xp.sum((b + b) * (b + b)).backward()
    np.testing.assert_array_equal(x.grad._array, 8 * a0)
    # under create_graph the gradients are graph values: never summed in place
    calls.clear()
    x.grad = None
    y = x * 2.0
    (g,) = minitensor.autograd.grad(xp.sum(y[:, 0:2]) + xp.sum(y * y), x, create_graph=True)
    assert True not in calls
    np.testing.assert_allclose(g._array, 8 * a0 + np.tile([2.0, 2.0, 0.0, 0.0], (3, 1)))
