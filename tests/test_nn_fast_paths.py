"""The faster array paths of the nn primitives and rules (issue 14): the
short-row reductions of ``nn/_ops.py`` (BLAS row/column sums, maxima over a
transposed copy) against NumPy, and the primitives that use them (softmax,
log_softmax, layer_norm, attention, the fused cross-entropy, leaky_relu,
embedding's gradient) against PyTorch in float32 and float64, special values
included, and against the rules' create_graph paths."""
import numpy as np
import pytest

import minitensor as xp
import minitensor.nn.functional as F
from minitensor.nn import _ops
from minitensor.nn import _sequence_ops as S

try:
    import torch
    import torch.nn.functional as TF
except ImportError:  # pragma: no cover
    torch = TF = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch not installed")
SHAPES = [(5, 7), (300, 16), (3, 4, 40, 9), (70, 128), (20, 300), (0, 6), (6, 1)]


def _arr(shape, dt, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dt) * 3


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dt", [np.float32, np.float64, np.float16])
def test_row_reductions_match_numpy(shape, dt):
    a = _arr(shape, dt)
    tol = {np.float16: 2e-2, np.float32: 1e-5, np.float64: 1e-12}[dt]
    np.testing.assert_allclose(_ops.row_sum(a), a.astype(np.float64).sum(-1), rtol=tol,
                               atol=tol * 10 * max(shape[-1], 1))
    assert _ops.row_sum(a).dtype == dt
    if a.shape[-1]:
        m = _ops.row_max(a)
        assert m.shape == a.shape[:-1] + (1,) and m.dtype == dt
        np.testing.assert_array_equal(m, a.max(-1, keepdims=True))
    a2 = a.reshape(-1, a.shape[-1])
    np.testing.assert_allclose(_ops.col_sum(a2), a2.astype(np.float64).sum(0), rtol=tol,
                               atol=tol * 10 * max(a2.shape[0], 1))


def test_row_reductions_special_values_and_strides():
    a = _arr((600, 12), np.float32)
    a[3, 4] = np.nan
    a[5, :] = -np.inf
    a[7, 2] = np.inf
    m = _ops.row_max(a)
    np.testing.assert_array_equal(m, a.max(-1, keepdims=True))
    s = _ops.row_sum(a)
    np.testing.assert_array_equal(np.isnan(s), np.isnan(a.sum(-1)))
    assert s[5] == -np.inf and s[7] == np.inf
    v = _arr((40, 30), np.float64)[:, ::3]  # (not contiguous)
    np.testing.assert_allclose(_ops.row_sum(v), v.sum(-1), rtol=1e-12)
    np.testing.assert_array_equal(_ops.row_max(v), v.max(-1, keepdims=True))
    ro = _ops.ones_vec(4, np.dtype(np.float64))
    assert not ro.flags.writeable


@needs_torch
@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(4, 6), (3, 50, 16), (8, 200)])
def test_softmax_family_last_axis_match_torch(dt, shape):
    x = _arr(shape, dt, 1)
    x.reshape(-1, shape[-1])[1, :] = -np.inf        # a fully masked row: NaN, as torch
    x.reshape(-1, shape[-1])[2, 0] = -np.inf
    tol = 1e-5 if dt == np.float32 else 1e-12
    g = _arr(shape, dt, 2)
    for f, tf in ((F.softmax, TF.softmax), (F.log_softmax, TF.log_softmax)):
        mx = xp.asarray(x).requires_grad_()
        y = f(mx, dim=-1)
        tx = torch.tensor(x, requires_grad=True)
        ty = tf(tx, dim=-1)
        np.testing.assert_allclose(y._array, ty.detach().numpy(), rtol=tol, atol=tol)
        fin = np.isfinite(ty.detach().numpy()).all(-1)   # (rows with a gradient to compare)
        (gx,) = xp.autograd.grad(y, mx, xp.asarray(g))
        (tg,) = torch.autograd.grad(ty, tx, torch.tensor(g))
        np.testing.assert_allclose(gx._array[fin], tg.numpy()[fin], rtol=tol, atol=tol)


@needs_torch
@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("affine", [False, True])
def test_layer_norm_match_torch(dt, affine):
    x = _arr((5, 6, 24), dt, 3) + 4
    w, b = _arr((24,), dt, 4), _arr((24,), dt, 5)
    g = _arr(x.shape, dt, 6)
    tol = 2e-5 if dt == np.float32 else 1e-12
    mx, mw, mb = (xp.asarray(a).requires_grad_() for a in (x, w, b))
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    y = F.layer_norm(mx, (24,), mw if affine else None, mb if affine else None)
    ty = TF.layer_norm(tx, (24,), tw if affine else None, tb if affine else None)
    np.testing.assert_allclose(y._array, ty.detach().numpy(), rtol=tol, atol=tol)
    ins, tins = ([mx, mw, mb], [tx, tw, tb]) if affine else ([mx], [tx])
    mg = xp.autograd.grad(y, ins, xp.asarray(g))
    tg = torch.autograd.grad(ty, tins, torch.tensor(g))
    for a, t in zip(mg, tg):
        np.testing.assert_allclose(a._array, t.numpy(), rtol=tol * 10, atol=tol * 10)
    y16 = F.layer_norm(xp.asarray(x.astype(np.float16)), (24,))
    assert y16.dtype == xp.float16
    np.testing.assert_allclose(y16._array, ty.detach().numpy() if not affine else
                               TF.layer_norm(torch.tensor(x), (24,)).numpy(), atol=2e-2)


@needs_torch
@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("slope", [0.2, 0.01, 1.0, 0.0, 1.5, -0.3])
def test_leaky_relu_special_values_match_torch_exactly(dt, slope):
    x = _arr(64, dt, 7)
    x[:5] = [np.nan, np.inf, -np.inf, 0.0, -0.0]
    g = _arr(64, dt, 8)
    g[5:8] = [np.inf, -np.inf, np.nan]
    mx = xp.asarray(x).requires_grad_()
    y = F.leaky_relu(mx * 1.0, slope)
    (gx,) = xp.autograd.grad(y, mx, xp.asarray(g), create_graph=False)
    tx = torch.tensor(x, requires_grad=True)
    ty = TF.leaky_relu(tx * 1.0, slope)
    (tg,) = torch.autograd.grad(ty, tx, torch.tensor(g))
    np.testing.assert_array_equal(y._array, ty.detach().numpy())
    np.testing.assert_array_equal(gx._array, tg.numpy())
    # the create_graph path (namespace operations) gives the same first derivative
    y = F.leaky_relu(mx * 1.0, slope)
    (gx2,) = xp.autograd.grad(y, mx, xp.asarray(g), create_graph=True)
    np.testing.assert_array_equal(gx2._array, tg.numpy())


@needs_torch
@pytest.mark.parametrize("num, n", [(7, 40), (3000, 40)])   # one-hot product / np.add.at
@pytest.mark.parametrize("padding_idx", [None, 2])
@pytest.mark.parametrize("freq", [False, True])
def test_embedding_gradient_both_paths_match_torch(num, n, padding_idx, freq):
    rng = np.random.default_rng(9)
    idx = rng.integers(0, 7, n)          # repeated indices (and the padding row)
    w = rng.standard_normal((num, 5))
    g = rng.standard_normal((n, 5))
    mw = xp.asarray(w).requires_grad_()
    y = F.embedding(xp.asarray(idx), mw, padding_idx=padding_idx, scale_grad_by_freq=freq)
    (gw,) = xp.autograd.grad(y, mw, xp.asarray(g))
    tw = torch.tensor(w, requires_grad=True)
    ty = TF.embedding(torch.tensor(idx), tw, padding_idx=padding_idx, scale_grad_by_freq=freq)
    (tg,) = torch.autograd.grad(ty, tw, torch.tensor(g))
    np.testing.assert_allclose(gw._array, tg.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(y._array, w[idx])


def test_embedding_backward_paths_agree_float32():
    rng = np.random.default_rng(10)
    idx = xp.asarray(rng.integers(0, 9, 300))
    g = xp.asarray(rng.standard_normal((300, 4)).astype(np.float32))
    small = S.embedding_backward(g, idx, 9)._array        # one-hot product
    big = S.embedding_backward(g, idx, 500)._array        # np.add.at
    assert small.dtype == big.dtype == np.float32
    np.testing.assert_allclose(small, big[:9], rtol=1e-5, atol=1e-5)
    assert not big[9:].any()
    # a non-finite gradient row reaches only its own weight row (no 0 * inf elsewhere)
    ga = g._array.copy()
    ga[5] = np.inf
    r = S.embedding_backward(xp.asarray(ga), idx, 9)._array
    ref = np.zeros((9, 4), np.float32)
    np.add.at(ref, idx._array, ga)
    np.testing.assert_array_equal(r, ref)
    assert np.isfinite(r[np.arange(9) != int(idx._array[5])]).all()


@needs_torch
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_attention_causal_and_masked_rows_match_torch(dt):
    rng = np.random.default_rng(11)
    q, k, v = (rng.standard_normal((2, 3, 6, 4)).astype(dt) for _ in range(3))
    g = rng.standard_normal((2, 3, 6, 4)).astype(dt)
    mask = rng.random((6, 6)) > 0.3
    mask[2] = False                       # a query that may attend to nothing: zero weights
    tol = 1e-5 if dt == np.float32 else 1e-12
    for kw in ({"is_causal": True}, {"attn_mask": mask}):
        mq, mk, mv = (xp.asarray(a).requires_grad_() for a in (q, k, v))
        tq, tk, tv = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
        mkw = {a: (xp.asarray(b) if a == "attn_mask" else b) for a, b in kw.items()}
        tkw = {a: (torch.tensor(b) if a == "attn_mask" else b) for a, b in kw.items()}
        y = F.scaled_dot_product_attention(mq, mk, mv, **mkw)
        ty = TF.scaled_dot_product_attention(tq, tk, tv, **tkw)
        ref = ty.detach().numpy()
        if "attn_mask" in kw:
            ref = np.where(mask.any(-1)[:, None], ref, 0.0)   # (torch: NaN; minitensor: 0)
            ty = torch.where(torch.tensor(mask.any(-1))[:, None], ty, 0.0)
        np.testing.assert_allclose(y._array, ref, rtol=tol, atol=tol)
        mg = xp.autograd.grad(y, [mq, mk, mv], xp.asarray(g))
        tg = torch.autograd.grad(ty, [tq, tk, tv], torch.tensor(g))
        for a, t in zip(mg, tg):
            np.testing.assert_allclose(a._array, np.nan_to_num(t.numpy()), rtol=tol * 10,
                                       atol=tol * 10)


@needs_torch
@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("cin,cout,k", [(8, 16, 3), (32, 1, 4), (3, 8, 3)])
def test_conv2d_gradients_match_torch(dt, cin, cout, k):
    # (8, 16, 3): c*k*k >= 64, float32 takes the transposed weight-gradient product;
    # (32, 1, 4): one output channel, the input gradient is an outer product
    rng = np.random.default_rng(12)
    x = rng.standard_normal((6, cin, 5, 5)).astype(dt)
    w = rng.standard_normal((cout, cin, k, k)).astype(dt)
    mx, mw = xp.asarray(x).requires_grad_(), xp.asarray(w).requires_grad_()
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    y = F.conv2d(mx, mw, padding=1)
    ty = TF.conv2d(tx, tw, padding=1)
    g = rng.standard_normal(tuple(ty.shape)).astype(dt)
    tol = 1e-4 if dt == np.float32 else 1e-11
    np.testing.assert_allclose(y._array, ty.detach().numpy(), rtol=tol, atol=tol)
    mg = xp.autograd.grad(y, [mx, mw], xp.asarray(g))
    tg = torch.autograd.grad(ty, [tx, tw], torch.tensor(g))
    for a, t in zip(mg, tg):
        assert a._array.flags.c_contiguous and a.dtype == y.dtype
        np.testing.assert_allclose(a._array, t.numpy(), rtol=tol, atol=tol * 10)


@needs_torch
@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("kw", [{}, {"divisor_override": 3}, {"stride": 2}])
def test_global_avg_pool2d_matches_torch_second_order(dt, kw):
    # a window over the whole plane: a sum per plane (and its adjoint), no im2col
    rng = np.random.default_rng(13)
    x = rng.standard_normal((3, 4, 5, 6)).astype(dt)
    g = rng.standard_normal((3, 4, 1, 1)).astype(dt)
    v = rng.standard_normal(x.shape).astype(dt)
    mx = xp.asarray(x).requires_grad_()
    tx = torch.tensor(x, requires_grad=True)
    mg_ = xp.asarray(g).requires_grad_()
    tg_ = torch.tensor(g, requires_grad=True)
    y = F.avg_pool2d(mx, (5, 6), **kw)
    ty = TF.avg_pool2d(tx, (5, 6), **kw)
    tol = 1e-5 if dt == np.float32 else 1e-12
    np.testing.assert_allclose(y._array, ty.detach().numpy(), rtol=tol, atol=tol)
    (gx,) = xp.autograd.grad(y, mx, mg_, create_graph=True)
    (tgx,) = torch.autograd.grad(ty, tx, tg_, create_graph=True)
    np.testing.assert_allclose(gx._array, tgx.detach().numpy(), rtol=tol, atol=tol)
    (gg,) = xp.autograd.grad(gx, mg_, xp.asarray(v))      # the adjoint's adjoint
    (tgg,) = torch.autograd.grad(tgx, tg_, torch.tensor(v))
    np.testing.assert_allclose(gg._array, tgg.numpy(), rtol=tol * 10, atol=tol * 10)
