"""Convolution and pooling primitives (``minitensor/nn/_conv_ops.py``) and their
rules (``_conv_rules.py``, issue 12): the array path of the rules (no
``create_graph``) against the graph path, the three convolution primitives
closed under differentiation (third order against finite differences and
PyTorch), second order through a conv/pool network against PyTorch, in-place
safety and the indices of ``max_pool2d``. The per-function first and second
order tests are driven by ``records_nn.py`` (``tests/test_nn_gradcheck.py``).
"""
import numpy as np
import pytest

import minitensor as xp
import minitensor.nn.functional as F
from minitensor import autograd, nn
from minitensor.autograd import gradcheck, gradgradcheck
from minitensor.autograd._engine import RULES
from minitensor.nn import _conv_ops as C

try:
    import torch
    import torch.nn.functional as TF
except ImportError:  # pragma: no cover
    torch = TF = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


def _t(a, grad=False):
    t = xp.asarray(np.array(a, dtype=np.float64))
    return t.requires_grad_() if grad else t


def _close(a, b, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(np.asarray(a._array if hasattr(a, "_array") else a),
                               np.asarray(b.detach().numpy() if hasattr(b, "detach") else b),
                               rtol=rtol, atol=atol)


def test_primitives_have_rules():
    for name in C.__all__:
        assert "nn." + name in RULES, name
        assert hasattr(getattr(C, name), "__wrapped_raw__")


CONV_CASES = [
    # (x shape, w shape, kwargs)
    ((2, 3, 6, 5), (4, 3, 3, 2), {}),
    ((2, 4, 7, 6), (6, 2, 3, 3), dict(stride=2, padding=1, groups=2)),
    ((1, 2, 7, 7), (3, 2, 2, 3), dict(dilation=(2, 1), padding=(1, 2))),
    ((2, 2, 5, 5), (2, 2, 3, 3), dict(padding="same")),
    ((2, 3, 9), (4, 3, 3), dict(stride=2, padding=1)),
    ((2, 4, 8), (4, 1, 2), dict(groups=4, dilation=2)),
]


def _conv(x, w, b, kw):
    return (F.conv1d if x.ndim == 3 else F.conv2d)(x, w, b, **kw)


@pytest.mark.parametrize("xs,ws,kw", CONV_CASES)
def test_conv_rule_array_path_matches_graph_path(xs, ws, kw):
    rng = np.random.RandomState(0)
    xa, wa, ba = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    out = []
    for create_graph in (False, True):
        x, w, b = _t(xa, True), _t(wa, True), _t(ba, True)
        y = _conv(x, w, b, kw)
        c = _t(rng.standard_normal(y.shape) if not out else out[0][0])
        out.append([c] + list(autograd.grad(xp.sum(y * c), (x, w, b),
                                            create_graph=create_graph)))
    for a, b in zip(out[0][1:], out[1][1:]):
        _close(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("keep", [True, False])
def test_conv_weight_grad_with_and_without_kept_columns(keep, monkeypatch):
    monkeypatch.setattr(C, "KEEP_COLS", keep)
    rng = np.random.RandomState(1)
    x, w = _t(rng.standard_normal((2, 2, 5, 4)), True), _t(rng.standard_normal((3, 2, 2, 2)), True)
    y, cols = C.conv2d(x, w, None, (1, 1), (1, 0), (1, 1), 1, (6, 3))
    assert (cols is not None) == keep
    gw, = autograd.grad(xp.sum(y * y), (w,))
    ref = C.conv2d_weight_grad(x.detach(), 2 * y.detach(), (1, 1), (1, 0), (1, 1), 1, w.shape)
    _close(gw, ref, rtol=1e-12)


@pytest.mark.parametrize("xs,ws,kw", CONV_CASES[:2] + CONV_CASES[4:5])
def test_conv_transpose_rule_array_path_matches_graph_path(xs, ws, kw):
    kw = {k: v for k, v in kw.items() if k != "dilation"}
    rng = np.random.RandomState(2)
    # conv_transpose weight: (C_in, C_out/groups, k...)
    wa = rng.standard_normal((xs[1],) + ws[1:])
    xa, ba = rng.standard_normal(xs), rng.standard_normal(ws[1] * kw.get("groups", 1))
    f = F.conv_transpose1d if len(xs) == 3 else F.conv_transpose2d
    out = []
    for create_graph in (False, True):
        x, w, b = _t(xa, True), _t(wa, True), _t(ba, True)
        y = f(x, w, b, **kw)
        c = _t(np.random.RandomState(3).standard_normal(y.shape))
        out.append(autograd.grad(xp.sum(y * c), (x, w, b), create_graph=create_graph))
    for a, b in zip(*out):
        _close(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("groups", [1, 2])
def test_the_three_conv_primitives_differentiate_twice(groups):
    # each primitive's second derivative is built from the other two: the third
    # derivative of the convolution, checked by finite differences
    rng = np.random.RandomState(4)
    st, pd, dl = (2, 1), (1, 0), (1, 2)
    x = _t(rng.standard_normal((2, 4, 6, 7)), True)
    w = _t(rng.standard_normal((4, 4 // groups, 2, 3)), True)
    b = _t(rng.standard_normal(4), True)
    out = tuple((s + 2 * p - d * (k - 1) - 1) // s_ + 1
                for s, k, s_, p, d in zip((6, 7), (2, 3), st, pd, dl))
    g = _t(rng.standard_normal((2, 4) + out), True)

    def conv(x, w, b):
        return C.conv2d(x, w, b, st, pd, dl, groups, out)[0]

    def ig(g, w, b):
        return C.conv2d_input_grad(g, w, b, st, pd, dl, groups, (6, 7))

    def wg(x, g):
        return C.conv2d_weight_grad(x, g, st, pd, dl, groups, w.shape)

    for f, ins in ((conv, (x, w, b)), (ig, (g, w, b)), (wg, (x, g))):
        assert gradcheck(f, ins)
        assert gradgradcheck(f, ins)


@needs_torch
def test_third_order_through_conv2d_vs_torch():
    rng = np.random.RandomState(5)
    xa, wa = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))
    res = []
    for lib in ("mt", "th"):
        if lib == "mt":
            x, w = _t(xa, True), _t(wa, True)
            conv, grad, s = (lambda a, b: F.conv2d(a, b, stride=2, padding=1),
                             autograd.grad, xp.sum)
        else:
            x = torch.tensor(xa, requires_grad=True)
            w = torch.tensor(wa, requires_grad=True)
            conv, grad, s = (lambda a, b: TF.conv2d(a, b, stride=2, padding=1),
                             torch.autograd.grad, torch.sum)
        y = conv(x, w)
        gx, = grad(s(y * y * y), (x,), create_graph=True)     # 3 y^2 (x) w
        gw, = grad(s(gx * gx), (w,), create_graph=True)
        res.append(grad(s(gw * gw), (x, w)))
    for a, b in zip(*res):
        _close(a, b, rtol=1e-9, atol=1e-9)


def _net(lib):
    if lib == "mt":
        xp.manual_seed(0)
        m = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.Tanh(), nn.MaxPool2d(2),
                          nn.Conv2d(3, 4, 2), nn.Tanh(), nn.AvgPool2d(2, stride=1),
                          nn.AdaptiveAvgPool2d((2, 1)), nn.Flatten(), nn.Linear(8, 1))
        return m.double()
    return torch.nn.Sequential(
        torch.nn.Conv2d(2, 3, 3, padding=1), torch.nn.Tanh(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(3, 4, 2), torch.nn.Tanh(), torch.nn.AvgPool2d(2, stride=1),
        torch.nn.AdaptiveAvgPool2d((2, 1)), torch.nn.Flatten(), torch.nn.Linear(8, 1)).double()


@needs_torch
def test_gradient_penalty_through_conv_pool_net_vs_torch():
    rng = np.random.RandomState(6)
    xa = rng.standard_normal((3, 2, 9, 8))
    m, tm = _net("mt"), _net("th")
    with torch.no_grad():
        for p, tp in zip(m.parameters(), tm.parameters()):
            tp.copy_(torch.from_numpy(np.array(p._array)))
    x = _t(xa, True)
    gx, = autograd.grad(xp.sum(m(x)), (x,), create_graph=True)
    pen = xp.sum(xp.sum(gx * gx, axis=(1, 2, 3)) ** 0.5)
    pen.backward()
    tx = torch.tensor(xa, requires_grad=True)
    tgx, = torch.autograd.grad(tm(tx).sum(), (tx,), create_graph=True)
    tpen = (tgx * tgx).sum(dim=(1, 2, 3)).sqrt().sum()
    tpen.backward()
    _close(pen, tpen, rtol=1e-10)
    for p, tp in zip(m.parameters(), tm.parameters()):
        if tp.grad is None:  # the last bias: the input gradient does not depend on it
            assert p.grad is None or not np.any(p.grad._array)
            continue
        _close(p.grad, tp.grad, rtol=1e-8, atol=1e-10)
    _close(x.grad, tx.grad, rtol=1e-8, atol=1e-10)


def test_max_pool_backward_is_linear_and_gathers():
    rng = np.random.RandomState(7)
    x = _t(rng.permutation(2 * 3 * 5 * 4).reshape(2, 3, 5, 4) * 0.5)
    y, idx = C.max_pool2d(x, (2, 2), (2, 1), (1, 0), (1, 1), (3, 3))
    idx = xp.asarray(idx.value)  # (the primitive's Residual: its rule's input)
    g = _t(rng.standard_normal(y.shape), True)
    assert gradcheck(lambda g: C.max_pool2d_backward(g, idx, (5, 4)), (g,))
    assert gradgradcheck(lambda g: C.max_pool2d_backward(g, idx, (5, 4)), (g,))
    # the adjoint identity <h, S(g)> = <gather(h), g>
    h = rng.standard_normal((2, 3, 5, 4))
    sg = C.max_pool2d_backward(g, idx, (5, 4))._array
    gathered = np.take_along_axis(h.reshape(2, 3, -1), idx._array.reshape(2, 3, -1).astype(int),
                                  axis=2)
    np.testing.assert_allclose((h * sg).sum(), (gathered * g._array.reshape(2, 3, -1)).sum())


def test_avg_pool_and_its_backward_are_adjoint():
    rng = np.random.RandomState(8)
    for kw in (dict(count_include_pad=True, divisor_override=None),
               dict(count_include_pad=False, divisor_override=None),
               dict(count_include_pad=True, divisor_override=3)):
        args = ((3, 2), (2, 1), (1, 1))
        x = rng.standard_normal((2, 2, 5, 4))
        y = C.avg_pool2d(_t(x), *args, (3, 5), kw["count_include_pad"], kw["divisor_override"])
        g = rng.standard_normal(y.shape)
        gx = C.avg_pool2d_backward(_t(g), *args, (5, 4), kw["count_include_pad"],
                                   kw["divisor_override"])
        np.testing.assert_allclose((y._array * g).sum(), (x * gx._array).sum())


@needs_torch
@pytest.mark.parametrize("nd", [1, 2])
def test_max_pool_return_indices_vs_torch(nd):
    rng = np.random.RandomState(9)
    shape = (2, 3, 7) if nd == 1 else (2, 3, 7, 6)
    xa = rng.permutation(int(np.prod(shape))).reshape(shape) * 0.25
    f, tf = (F.max_pool1d, TF.max_pool1d) if nd == 1 else (F.max_pool2d, TF.max_pool2d)
    for a in (xa, xa[0]):
        x = _t(a, True)
        y, idx = f(x, 3, stride=2, padding=1, return_indices=True)
        ty, tidx = tf(torch.tensor(a), 3, stride=2, padding=1, return_indices=True)
        _close(y, ty, rtol=0, atol=0)
        assert idx.dtype == xp.int64
        np.testing.assert_array_equal(idx._array, tidx.numpy())
        # the returned indices are a copy: writing them does not change the gradient
        idx[...] = 0
        gx, = autograd.grad(xp.sum(y * y), (x,))
        tx = torch.tensor(a, requires_grad=True)
        (tf(tx, 3, stride=2, padding=1) ** 2).sum().backward()
        _close(gx, tx.grad, rtol=1e-12)


@pytest.mark.parametrize("op", ["conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d"])
def test_inplace_write_into_a_saved_input_raises_at_backward(op):
    rng = np.random.RandomState(10)
    x = _t(rng.standard_normal((1, 2, 4, 4)), True)
    w = _t(rng.standard_normal((2, 2, 2, 2)), True)
    h = x * 1.0
    y = {"conv2d": lambda: F.conv2d(h, w), "conv_transpose2d": lambda: F.conv_transpose2d(h, w),
         "max_pool2d": lambda: F.max_pool2d(h, 2), "avg_pool2d": lambda: F.avg_pool2d(h, 2)}[op]()
    with autograd.no_grad():
        h[0, 0, 0, 0] = 5.0
    if op == "avg_pool2d":  # linear in x: x is not saved (PyTorch does not raise either)
        xp.sum(y).backward()
        return
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        xp.sum(y * y).backward()


def test_adaptive_avg_pool_is_a_new_tensor_when_the_size_is_unchanged():
    x = _t(np.arange(12.0).reshape(1, 1, 3, 4))
    for f, size in ((F.adaptive_avg_pool2d, (3, 4)), (F.adaptive_avg_pool1d, 4)):
        y = f(x[0] if f is F.adaptive_avg_pool1d else x, size)
        assert y is not x
        _close(y, x[0]._array if f is F.adaptive_avg_pool1d else x._array, rtol=0, atol=0)
        y[...] = 0
        assert float(xp.sum(x)) == 66.0


@needs_torch
@pytest.mark.parametrize("op", ["conv2d", "conv1d", "conv_transpose2d", "max_pool2d",
                                "avg_pool2d"])
def test_empty_batch_first_and_second_order(op):
    rng = np.random.RandomState(11)
    xs, ws, kw = {"conv2d": ((0, 2, 5, 5), (4, 1, 3, 3), dict(padding=1, groups=2)),
                  "conv1d": ((0, 2, 5), (3, 2, 3), {}),
                  "conv_transpose2d": ((0, 2, 5, 5), (2, 3, 3, 3), dict(stride=2)),
                  "max_pool2d": ((0, 2, 4, 4), (1,), {}),
                  "avg_pool2d": ((0, 2, 4, 4), (1,), {})}[op]
    xa, wa = rng.standard_normal(xs), rng.standard_normal(ws)
    if op.endswith("pool2d"):
        f, tf = (lambda x, w: getattr(F, op)(x * w, 2)), (lambda x, w: getattr(TF, op)(x * w, 2))
    else:
        f = lambda x, w: getattr(F, op)(x, w, **kw)       # noqa: E731
        tf = lambda x, w: getattr(TF, op)(x, w, **kw)     # noqa: E731
    x, w = _t(xa, True), _t(wa, True)
    tx, tw = torch.tensor(xa, requires_grad=True), torch.tensor(wa, requires_grad=True)
    y, ty = f(x, w), tf(tx, tw)
    assert y.shape == tuple(ty.shape)
    gx, gw = autograd.grad(xp.sum(y), (x, w), create_graph=True)
    assert gx.shape == xs and gw.shape == ws
    np.testing.assert_array_equal(gw._array, np.zeros(ws))
    hw, = autograd.grad(xp.sum(gw * gw) + xp.sum(gx), (w,))
    np.testing.assert_array_equal(hw._array, np.zeros(ws))


def test_adaptive_avg_pool_empty_plane_raises_and_empty_batch_works():
    for f, shape in ((F.adaptive_avg_pool2d, (2, 3, 0, 4)), (F.adaptive_avg_pool2d, (3, 0, 4)),
                     (F.adaptive_avg_pool1d, (2, 0))):
        for size in (1, 2):
            with pytest.raises(ValueError, match="non-zero sizes"):
                f(xp.ones(shape), size)
    assert F.adaptive_avg_pool2d(xp.ones((0, 3, 2, 4)), (1, 3)).shape == (0, 3, 1, 3)
    assert F.adaptive_avg_pool1d(xp.ones((0, 2, 3)), 1).shape == (0, 2, 1)
