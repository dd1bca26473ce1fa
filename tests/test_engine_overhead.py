"""Per-op fast paths of the engine and the namespace glue (issue 14): each one
checked against the general path it shortcuts (same values, bit for bit, same
dtype, shape and flags), and against what it must leave to that path."""
import gc
import sys

import numpy as np
import pytest

import minitensor as xp
import minitensor.autograd  # noqa: F401
from minitensor import nn
from minitensor.autograd import Function, _engine
from minitensor.autograd._tensor import _GradTensor

_RNG = np.random.default_rng(14)


def _plain(a):
    return xp.asarray(np.asarray(a))


def _graph_grad(a):
    """``a`` as a tensor that takes part in autograd (the general paths)."""
    t = xp.asarray(np.asarray(a))
    t.requires_grad_(True)
    return t


# ------------------------------------------------------------ _unbroadcast
@pytest.mark.parametrize("gshape, shape", [
    ((2000,), ()), ((3, 4), ()), ((3, 4), (1, 1)), ((3, 4), (4,)), ((3, 4), (1, 4)),
    ((3, 4), (3, 1)), ((5, 3, 4), (3, 1)), ((5, 3, 4), (1, 1, 4)), ((2, 1, 4), (1, 4)),
    ((0, 3), (3,)), ((0, 3), ()), ((3, 4), (3, 4)),
])
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex128"])
def test_unbroadcast_plain_path_matches_the_namespace_path(gshape, shape, dtype):
    g = _RNG.standard_normal(gshape) * 1e3
    if dtype == "complex128":
        g = g + 1j * _RNG.standard_normal(gshape)
    g = g.astype(dtype)
    npdt = np.dtype(dtype)
    fast = _engine._unbroadcast(_plain(g), shape, npdt)
    slow = _engine._unbroadcast(_graph_grad(g), shape, npdt)  # (create_graph's path)
    assert type(fast) is xp.Tensor and type(slow) is _GradTensor
    assert fast._array.shape == slow._array.shape == shape
    assert fast._array.dtype == slow._array.dtype == npdt
    np.testing.assert_array_equal(fast._array, slow._array)
    # the same reduction as xp.sum (bit for bit), not only close to it
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and gshape[lead + i] != 1)
    ref = xp.reshape(xp.sum(_plain(g), axis=axes, keepdims=True), shape) if axes else _plain(g)
    np.testing.assert_array_equal(fast._array, ref._array)


def test_unbroadcast_casts_like_the_namespace_path():
    g = (_RNG.standard_normal((3, 4)) + 1j).astype(np.complex128)
    for dtype in (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.complex64)):
        fast = _engine._unbroadcast(_plain(g), (4,), dtype)
        slow = _engine._unbroadcast(_graph_grad(g), (4,), dtype)
        assert fast._array.dtype == slow._array.dtype == dtype
        np.testing.assert_array_equal(fast._array, slow._array)


@pytest.mark.parametrize("make", [_plain, _graph_grad])
@pytest.mark.parametrize("gshape, shape, what", [
    ((3,), (2, 3), "cannot flow"), ((3, 4), (2, 4), "does not match"),
    ((4, 2, 3), (3, 2), "does not match"), ((2, 3), (6,), "does not match"),
])
def test_unbroadcast_rejects_shapes_that_do_not_broadcast(make, gshape, shape, what):
    # (both paths: before issue 14 the namespace path reshaped (4, 2, 3) -> (1, 2, 3)
    # -> (3, 2) and went on with a wrong gradient)
    with pytest.raises(RuntimeError, match=what):
        _engine._unbroadcast(make(np.ones(gshape)), shape, np.dtype(np.float64))


def test_scalar_coefficients_get_the_summed_gradient():
    x = xp.linspace(-1.0, 1.0, 2001, dtype=xp.float32)
    c = [xp.tensor(v, dtype=xp.float32, requires_grad=True) for v in (0.5, -1.0, 2.0)]
    loss = xp.sum((c[0] + c[1] * x + c[2] * x ** 2) ** 2)
    loss.backward()
    xa = x._array.astype(np.float64)
    r = 0.5 - xa + 2.0 * xa ** 2
    for k, w in enumerate(c):
        assert w.grad.shape == () and w.grad.dtype == xp.float32
        np.testing.assert_allclose(float(w.grad), np.sum(2 * r * xa ** k), rtol=1e-4)
    # create_graph (the namespace path) gives the same first-order values
    g2 = minitensor.autograd.grad(xp.sum((c[0] + c[1] * x + c[2] * x ** 2) ** 2), c,
                                  create_graph=True)
    for w, g in zip(c, g2):
        np.testing.assert_array_equal(w.grad._array, g._array)


# ---------------------------------------------------------- reduction rules
@pytest.mark.parametrize("fn", [xp.sum, xp.mean])
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (0, 3)])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("dtype", [xp.float32, xp.float64, xp.complex128])
def test_full_reduction_rules_match_the_namespace_path(fn, shape, keepdims, dtype):
    a = _RNG.standard_normal(shape) + (1j if dtype == xp.complex128 else 0)
    x = xp.tensor(np.asarray(a), dtype=dtype, requires_grad=True)
    g = _RNG.standard_normal((1,) * len(shape) if keepdims else ()) * 3.0
    if dtype == xp.complex128:
        g = g + 0.5j
    g = xp.asarray(np.asarray(g), dtype=dtype)
    node = fn(x, keepdims=keepdims).grad_fn
    fast = node.rule(node, g)  # a plain gradient: the fast path
    slow = node.rule(node, _graph_grad(g._array))  # a graph gradient: the namespace path
    assert type(fast) is xp.Tensor
    assert fast._array.shape == slow._array.shape == shape
    assert fast._array.dtype == slow._array.dtype
    np.testing.assert_array_equal(fast._array, slow._array)
    assert not fast._array.flags.writeable  # a read-only view, as broadcast_to's
    n = int(np.prod(shape))
    if fn is xp.mean and n:
        np.testing.assert_array_equal(fast._array, np.broadcast_to(g._array / n, shape))


def test_reduction_rules_with_an_axis_take_the_namespace_path():
    x = xp.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    xp.sum(xp.mean(x, axis=1) * xp.asarray([1.0, 2.0, 3.0])).backward()
    np.testing.assert_array_equal(x.grad._array, np.repeat([[0.25], [0.5], [0.75]], 4, 1))


def test_sum_and_mean_second_order():
    x = xp.tensor([0.5, -1.5, 2.0], requires_grad=True)
    (g,) = minitensor.autograd.grad(xp.mean(x * x * x), x, create_graph=True)
    np.testing.assert_allclose(g._array, x._array ** 2)
    (h,) = minitensor.autograd.grad(xp.sum(g), x)
    np.testing.assert_allclose(h._array, 2 * x._array / 1.0)


# ------------------------------------------------------------------- pow
@pytest.mark.parametrize("y", [2, 2.0])
@pytest.mark.parametrize("dtype", [xp.float32, xp.float64])
def test_pow_two_gradient_is_the_general_formula(y, dtype):
    a = np.array([-0.0, 0.0, 1.5, -2.25, np.inf, -np.inf, np.nan, 3e-30, 7.0])
    x = xp.tensor(a, dtype=dtype, requires_grad=True)
    g = xp.asarray(np.linspace(-2.0, 2.0, a.size), dtype=dtype)
    xp.pow(x, y).backward(g)
    xa = xp.asarray(a, dtype=dtype)
    general = g * (y * xp.pow(xa, y - 1))  # the rule's formula for other exponents
    np.testing.assert_array_equal(x.grad._array, general._array)
    assert x.grad.dtype == dtype


def test_pow_two_second_order_and_complex():
    x = xp.tensor([1.5, -2.0, 0.25], requires_grad=True)
    (g,) = minitensor.autograd.grad(xp.sum(x ** 2), x, create_graph=True)
    np.testing.assert_array_equal(g._array, 2 * x._array)
    (h,) = minitensor.autograd.grad(xp.sum(g * x), x)
    np.testing.assert_array_equal(h._array, 4 * x._array)
    z = xp.tensor([1 + 2j, -0.5j], requires_grad=True)
    (gz,) = minitensor.autograd.grad(xp.sum(xp.real(z ** 2)), z)
    np.testing.assert_allclose(gz._array, 2 * np.conj(z._array))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_square_by_multiplication(dtype):
    with np.errstate(over="ignore"):
        a = (_RNG.standard_normal(1000) * 10.0 ** _RNG.integers(-20, 20, 1000)).astype(dtype)
        a[:4] = [np.inf, -np.inf, np.nan, -0.0]
        sq = a * a
    for y in (2, 2.0):
        r = xp.pow(xp.asarray(a), y)._array
        np.testing.assert_array_equal(r, sq)
        np.testing.assert_array_equal((xp.asarray(a) ** y)._array, sq)
        t = xp.asarray(a.copy())
        t **= y  # (in place: the same square)
        np.testing.assert_array_equal(t._array, sq)
        assert r.dtype == a.dtype
    # 0-d, integer and complex arrays keep np.power
    assert xp.pow(xp.asarray(a[5]), 2).shape == ()
    np.testing.assert_array_equal(xp.pow(xp.asarray([3, -4]), 2)._array, [9, 16])
    c = np.array([1 + 2j, -3.5j])
    np.testing.assert_array_equal(xp.pow(xp.asarray(c), 2)._array, np.power(c, 2))


# --------------------------------------------- operators on 0-d tensors
@pytest.mark.parametrize("op", ["__add__", "__sub__", "__mul__", "__truediv__", "__pow__",
                                "__radd__", "__rsub__", "__rmul__", "__rtruediv__",
                                "__neg__", "__abs__"])
@pytest.mark.parametrize("dtype", [xp.float32, xp.float64, xp.int64])
@pytest.mark.parametrize("other", [2.5, 3, -0.0])
def test_zero_d_operators_take_the_fast_path_with_the_same_result(op, dtype, other):
    t = xp.asarray(1.75 if dtype != xp.int64 else 7, dtype=dtype)
    name = {"__add__": "add", "__sub__": "subtract", "__mul__": "multiply",
            "__truediv__": "divide", "__pow__": "pow", "__neg__": "negative",
            "__abs__": "abs"}.get(op.replace("__r", "__"))
    f = getattr(xp, name)
    if op in ("__neg__", "__abs__"):
        got, ref = getattr(t, op)(), f(t)
    elif op.startswith("__r"):
        if type(other) is float and dtype == xp.int64:
            return
        got, ref = getattr(t, op)(other), f(other, t)
    else:
        if type(other) is float and dtype == xp.int64:
            return
        got, ref = getattr(t, op)(other), f(t, other)
    assert type(got) is xp.Tensor and type(got._array) is np.ndarray
    assert got.shape == () and got.dtype == ref.dtype
    np.testing.assert_array_equal(got._array, ref._array)


def test_zero_d_scaled_gradient_update():
    w = xp.tensor(1.0, dtype=xp.float32, requires_grad=True)
    (w * 3.0).backward()
    step = 0.5 * w.grad
    assert type(step) is xp.Tensor and step.dtype == xp.float32 and float(step) == 1.5


# ------------------------------------------------------------------ clip
@pytest.mark.parametrize("lo, hi", [(0, None), (None, 1.5), (-0.5, 0.5), (0.0, -1.0),
                                    (float("nan"), None), (None, None), (2 ** 70, None),
                                    (-0.0, 0.0)])
@pytest.mark.parametrize("dtype", [xp.float32, xp.float64])
def test_clip_fast_path_matches_the_general_path(lo, hi, dtype):
    a = _RNG.standard_normal((6, 5))
    a[0, :3] = [np.nan, -0.0, 0.0]
    x = xp.asarray(a, dtype=dtype)
    fast = xp.clip(x, lo, hi)
    general = xp.clip(xp.asarray(np.asfortranarray(x._array)), lo, hi)  # (not C-contiguous)
    assert fast.dtype == general.dtype == dtype
    np.testing.assert_array_equal(fast._array, general._array)
    assert np.signbit(fast._array).tolist() == np.signbit(general._array).tolist()
    assert fast._array.flags.c_contiguous and fast._array.flags.owndata
    assert not np.shares_memory(fast._array, x._array)
    z = xp.clip(xp.asarray(np.float32(0.25)), lo, hi)
    assert type(z._array) is np.ndarray and z.shape == ()


def test_clip_fast_path_errors():
    x = xp.asarray([1.0, 2.0])
    with pytest.raises(OverflowError):
        xp.clip(x, 10 ** 400)
    with pytest.raises(TypeError):
        xp.clip(x, 1j)


# ------------------------------------------------ record: binary branch
def test_binary_record_versions_and_needs():
    a = xp.tensor([1.0, 2.0], requires_grad=True)
    b = xp.tensor([3.0, 4.0])
    b.requires_grad_(True)
    b.requires_grad_(False)  # a _GradTensor that does not require grad
    c = xp.asarray([5.0, 6.0])
    for x1, x2, needs in [(a, b, (True, False)), (b, a, (False, True)), (a, c, (True, False)),
                          (c, a, (False, True)), (a, a, (True, True))]:
        y = x1 * x2
        node = y.grad_fn
        assert node.needs_input_grad == needs
        assert [m.version for m in node.in_versions[0::2]] == list(node.in_versions[1::2]) == \
            [0] * sum(type(t) is not xp.Tensor for t in (x1, x2))
        z = x1 + x2  # add keeps no input: no versions
        assert z.grad_fn.in_versions == () and z.grad_fn._inputs == ()
    y = a * b
    with minitensor.no_grad():
        b.__imul__(2.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        xp.sum(y).backward()


def test_parameters_take_the_fast_path(monkeypatch):
    p = nn.Parameter(xp.asarray([1.0, -2.0]))
    x = xp.tensor([0.5, 0.25], requires_grad=True)
    calls = []
    attach = _engine._attach
    monkeypatch.setattr(_engine, "_attach", lambda *a: calls.append(a[0]) or attach(*a))
    y = xp.sum(x * p + p + xp.permute_dims(p[None], (1, 0))[:, 0])
    assert calls == []
    y.backward()
    np.testing.assert_array_equal(p.grad._array, x._array + 2.0)
    np.testing.assert_array_equal(x.grad._array, p._array)


# ------------------------------------------------------- saved-input checks
def test_write_registry_checks_only_writes_after_recording():
    x = xp.tensor([1.0, 2.0], requires_grad=True)
    v = xp.asarray([3.0, 4.0])
    v_alias = xp.asarray(np.asarray(v))  # the same buffer, outside autograd
    v_alias += 0.0  # an earlier write: does not concern graphs recorded after it
    y = x * v
    xp.sum(y).backward()
    np.testing.assert_array_equal(x.grad._array, [3.0, 4.0])
    y = x * v
    v_alias += 1.0  # a later write through another tensor
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        xp.sum(y).backward()


def test_node_inputs_does_not_fill_tuple_free_lists():
    # (tuple(generator) allocates 10 slots and shrinks: each call leaves one more
    # tuple in CPython's per-size free lists, a slow "leak" the memory test sees)
    x = xp.tensor([1.0, 2.0], requires_grad=True)
    y = x * xp.asarray([3.0, 4.0])
    node = y.grad_fn
    for _ in range(100):
        node.inputs
    gc.collect()
    before = sys.getallocatedblocks()
    for _ in range(3000):
        node.inputs
    assert sys.getallocatedblocks() - before < 100


# ------------------------------------------------------- custom Function
class _Cube(Function):
    @staticmethod
    def forward(ctx, x, k):
        ctx.save_for_backward(x)
        ctx.k = k
        assert not minitensor.autograd.is_grad_enabled()
        return x * x * x * k

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x * x * g * ctx.k, None


def test_function_apply_paths():
    x = xp.tensor([1.0, -2.0], requires_grad=True)
    y = _Cube.apply(x, 2.0)
    assert y.requires_grad and minitensor.autograd.is_grad_enabled()
    (g,) = minitensor.autograd.grad(xp.sum(y), x)
    np.testing.assert_array_equal(g._array, 6 * x._array ** 2)
    with minitensor.no_grad():
        z = _Cube.apply(x, 2.0)
    assert not getattr(z, "requires_grad", False) and minitensor.autograd.is_grad_enabled() is True
    p = _Cube.apply(xp.asarray([1.0, 2.0]), 1.0)  # nothing requires grad: no node
    assert type(p) is xp.Tensor

    class Boom(Function):
        @staticmethod
        def forward(ctx, x):
            raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        Boom.apply(x)
    assert minitensor.autograd.is_grad_enabled()  # the mode is restored


# --------------------------------------------------- shape and axis glue
@pytest.mark.parametrize("shape", [(6, 4), (6, -1), (-1,), (24,), (2, -1, 3), (1, 24, 1),
                                   (5, -1), (-1, -1), (-2, 12), (25,), (0, -1), ()])
def test_reshape_target_tuple_path_matches_the_general_path(shape):
    from minitensor._manipulation_functions import _reshape_target
    a = np.zeros((2, 3, 4))
    general = [np.int64(d) for d in shape]  # (a list of NumPy ints: the general path)
    try:
        want = _reshape_target(general, a)
    except (ValueError, TypeError) as e:
        with pytest.raises(type(e)) as info:
            _reshape_target(shape, a)
        assert str(info.value) == str(e)
        return
    got = _reshape_target(shape, a)
    assert got == want and type(got) is tuple and all(type(d) is int for d in got)


@pytest.mark.parametrize("axes", [(2, -3, 1), (0, 1, 2), (2, -4, 1), (2, 0, 0), (3, 0, 1),
                                  (-1, -2, -3), (True, 0, 2)])
def test_axis_tuples_take_the_inline_path_with_the_same_result(axes):
    from minitensor._manipulation_functions import _axes
    from minitensor._utility_functions import _normalize_axes
    for f in (_axes, _normalize_axes):
        general = [np.int64(a) if type(a) is int else a for a in axes]
        try:
            want = f("f", general, 3)
        except (ValueError, TypeError, IndexError) as e:
            with pytest.raises(type(e)):
                f("f", axes, 3)
            continue
        assert f("f", axes, 3) == want
    for ax in (-3, -1, 0, 2):
        assert _normalize_axes("f", ax, 3) == _normalize_axes("f", np.int64(ax), 3)
    with pytest.raises(IndexError):
        _normalize_axes("f", 3, 3)


# ------------------------------------------------ a leaf's first gradient
def test_first_gradient_is_taken_without_a_copy_only_when_unseen(monkeypatch):
    copies = []
    owned = _engine._owned
    monkeypatch.setattr(_engine, "_owned", lambda g, cg: copies.append(1) or owned(g, cg))
    x = xp.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    z = xp.tensor(np.ones((2, 3)), requires_grad=True)
    xp.sum(x * 2.0).backward()  # g * 2.0: a fresh buffer, nobody else sees it
    assert copies == []
    np.testing.assert_array_equal(x.grad._array, np.full((2, 3), 2.0))
    x.grad._array[0, 0] = 7.0  # (it is the leaf's own buffer: accumulated into later)
    xp.sum(x * 2.0).backward()
    assert x.grad._array[0, 0] == 9.0
    # one gradient object passed to two leaves (add): the first one copies
    x.grad = z.grad = None
    xp.sum((x + z) * 3.0).backward()
    assert len(copies) == 1 and not np.shares_memory(x.grad._array, z.grad._array)
    np.testing.assert_array_equal(x.grad._array, z.grad._array)
    # a hook that keeps the gradient, a view (sum's broadcast gradient), a gradient
    # given by the caller, create_graph: copies
    for make in (lambda: xp.sum(x * 2.0), lambda: xp.sum(x)):
        x.grad = None
        kept = []
        h = x.register_hook(lambda g: kept.append(g))
        make().backward()
        h.remove()
        assert not np.shares_memory(x.grad._array, kept[0]._array)
    x.grad = None
    seed = xp.ones((2, 3))
    (x * 1.0).backward(seed)
    assert not np.shares_memory(x.grad._array, seed._array)
    x.grad = None
    y = x * 1.0
    (g,) = minitensor.autograd.grad(xp.sum(y * y), x, create_graph=True)
    xp.sum(g).backward()
    np.testing.assert_array_equal(x.grad._array, np.full((2, 3), 2.0))


# ------------------------------------------- record: keyword arguments
_KW_CALLS = [
    lambda x: xp.sum(x, axis=0),
    lambda x: xp.mean(x, axis=(0, 1), keepdims=True),
    lambda x: xp.reshape(x, (6, 2), copy=False),
    lambda x: xp.clip(x, min=-0.5),
    lambda x: xp.var(x, axis=1, correction=1.0),
    lambda x: xp.tanh(x) * 2.0,  # (no keywords: the fast path either way)
]


@pytest.mark.parametrize("call", _KW_CALLS)
def test_keyword_calls_take_the_fast_path_with_the_same_node(monkeypatch, call):
    a = _RNG.standard_normal((3, 4))

    def run():
        x = xp.tensor(a, requires_grad=True)
        y = call(x)
        node = y.grad_fn
        fields = (node.name, node.kwargs, [type(v) for v in node.args], node.in_shapes,
                  node.in_dtypes, node.needs_input_grad, len(node.in_versions),
                  len(node._inputs), node.out_arrays is _engine._NOT_KEPT)
        xp.sum(y * y).backward()
        return fields, x.grad._array

    attach = []
    real_attach = _engine._attach
    monkeypatch.setattr(_engine, "_attach", lambda *a: attach.append(a[0]) or real_attach(*a))
    fast = run()
    assert attach == []
    monkeypatch.setattr(_engine, "_plain_kwargs", lambda kwargs: False)
    general = run()
    assert fast[0] == general[0]
    np.testing.assert_array_equal(fast[1], general[1])


def test_other_keyword_values_take_the_general_path(monkeypatch):
    x = xp.tensor(_RNG.standard_normal((3, 4)), requires_grad=True)
    seen = []
    real_collect = _engine._collect
    monkeypatch.setattr(_engine, "_collect", lambda v, i: seen.append(v) or real_collect(v, i))
    y = xp.sum(x, axis=[0, 1])  # a list (mutable: the general path copies it)
    assert [0, 1] in seen and y.grad_fn.kwargs["axis"] == [0, 1]
    seen.clear()
    y = xp.sum(x, axis=1, dtype=xp.float64)  # a DType object
    assert xp.float64 in seen
    y.backward(xp.ones(3))
    np.testing.assert_array_equal(x.grad._array, np.ones((3, 4)))
