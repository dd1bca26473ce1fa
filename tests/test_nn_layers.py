"""nn layers: shapes, forward vs NumPy references and PyTorch (same weights),
gradients by finite differences (float64) and vs PyTorch, the Pythran nn kernels,
training/eval behaviour and bad input."""
import math

import numpy as np
import pytest

import minitensor as xp
from minitensor import nn
from minitensor.autograd import gradcheck
import minitensor.nn.functional as F
from minitensor.nn import _nn_kernels as K

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch not installed")

# PyTorch's own warning for even kernels with padding="same" (not ours)
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")


def rng(seed=0):
    return np.random.default_rng(seed)


def T(a, grad=False):
    return xp.tensor(np.asarray(a), requires_grad=grad)


# ----------------------------------------------------------------- torch helpers
def copy_from_torch(mt, tm):
    """Copy torch parameters into the minitensor module (names must agree)."""
    mp, tp = dict(mt.named_parameters()), dict(tm.named_parameters())
    assert list(mp) == list(tp)
    for k in mp:
        mp[k]._array[...] = tp[k].detach().numpy()
    assert [k for k, _ in mt.named_buffers()] == [k for k, _ in tm.named_buffers()]


def compare_with_torch(mt, tm, inputs, tol=1e-10, train=True, seed=1):
    """Forward and backward of ``mt`` and ``tm`` (float64) on the same inputs and
    weights: outputs, input gradients and parameter gradients must agree."""
    mt.to(xp.float64)
    tm.double()
    copy_from_torch(mt, tm)
    mt.train(train)
    tm.train(train)
    mx = [T(a, a.dtype.kind == "f") for a in inputs]
    tx = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in inputs]
    my, ty = mt(*mx), tm(*tx)
    if isinstance(ty, tuple):
        my, ty = my[0], ty[0]
    assert my.shape == tuple(ty.shape)
    assert my.dtype == xp.float64
    np.testing.assert_allclose(my._array, ty.detach().numpy(), rtol=tol, atol=tol)
    g = rng(seed).standard_normal(tuple(ty.shape))
    my.backward(xp.asarray(g))
    ty.backward(torch.tensor(g))
    for a, b in zip(mx, tx):
        if b.grad is not None:
            np.testing.assert_allclose(a.grad._array, b.grad.numpy(), rtol=tol, atol=tol)
    for (k, p), (_, tp) in zip(mt.named_parameters(), tm.named_parameters()):
        if tp.grad is None:
            assert p.grad is None, k
        else:
            np.testing.assert_allclose(p.grad._array, tp.grad.numpy(), rtol=tol, atol=tol,
                                       err_msg=k)


# layer name, constructor (lib -> module), input shapes (float inputs unless int)
LAYERS = [
    ("Linear", lambda L: L.Linear(5, 3), [(4, 5)]),
    ("Linear-3d-nobias", lambda L: L.Linear(5, 3, bias=False), [(2, 4, 5)]),
    ("Bilinear", lambda L: L.Bilinear(3, 4, 2), [(5, 3), (5, 4)]),
    ("Conv1d", lambda L: L.Conv1d(3, 4, 3, stride=2, padding=1), [(2, 3, 9)]),
    ("Conv2d", lambda L: L.Conv2d(3, 4, 3), [(2, 3, 6, 7)]),
    ("Conv2d-stride-pad", lambda L: L.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=(1, 2)),
     [(2, 3, 6, 7)]),
    ("Conv2d-dilation-groups", lambda L: L.Conv2d(4, 6, 3, dilation=2, padding=2, groups=2),
     [(2, 4, 7, 6)]),
    ("Conv2d-same-even", lambda L: L.Conv2d(2, 3, (2, 4), padding="same", bias=False),
     [(2, 2, 5, 6)]),
    ("Conv2d-valid", lambda L: L.Conv2d(2, 3, 3, padding="valid"), [(1, 2, 5, 5)]),
    ("Conv2d-reflect", lambda L: L.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"),
     [(2, 2, 5, 6)]),
    ("Conv2d-circular", lambda L: L.Conv2d(2, 3, 3, padding=2, padding_mode="circular"),
     [(1, 2, 5, 6)]),
    ("Conv2d-replicate", lambda L: L.Conv2d(2, 3, 3, padding=1, padding_mode="replicate"),
     [(1, 2, 5, 6)]),
    ("Conv2d-unbatched", lambda L: L.Conv2d(2, 3, 3), [(2, 5, 5)]),
    ("ConvTranspose1d", lambda L: L.ConvTranspose1d(3, 2, 3, stride=2), [(2, 3, 5)]),
    ("ConvTranspose2d", lambda L: L.ConvTranspose2d(3, 4, 3, stride=2, padding=1,
                                                    output_padding=1), [(2, 3, 4, 5)]),
    ("ConvTranspose2d-groups-dil", lambda L: L.ConvTranspose2d(4, 2, 3, groups=2, dilation=2),
     [(1, 4, 3, 4)]),
    ("MaxPool1d", lambda L: L.MaxPool1d(3, 2, padding=1), [(2, 3, 9)]),
    ("MaxPool2d", lambda L: L.MaxPool2d(2), [(2, 3, 6, 8)]),
    ("MaxPool2d-ceil-dil", lambda L: L.MaxPool2d(3, 2, padding=1, dilation=2, ceil_mode=True),
     [(1, 2, 9, 8)]),
    ("AvgPool1d", lambda L: L.AvgPool1d(3, 2, 1), [(2, 3, 9)]),
    ("AvgPool2d", lambda L: L.AvgPool2d(3, 2, 1), [(2, 3, 7, 8)]),
    ("AvgPool2d-nopad-ceil", lambda L: L.AvgPool2d(3, 2, 1, ceil_mode=True,
                                                   count_include_pad=False), [(2, 3, 7, 8)]),
    ("AvgPool2d-divisor", lambda L: L.AvgPool2d(2, divisor_override=3), [(1, 2, 4, 6)]),
    ("AdaptiveAvgPool1d", lambda L: L.AdaptiveAvgPool1d(4), [(2, 3, 9)]),
    ("AdaptiveAvgPool2d", lambda L: L.AdaptiveAvgPool2d((3, 5)), [(2, 3, 7, 8)]),
    ("BatchNorm1d", lambda L: L.BatchNorm1d(4), [(6, 4)]),
    ("BatchNorm1d-3d", lambda L: L.BatchNorm1d(4, affine=False), [(3, 4, 5)]),
    ("BatchNorm2d", lambda L: L.BatchNorm2d(3, momentum=None), [(2, 3, 4, 5)]),
    ("LayerNorm", lambda L: L.LayerNorm((4, 5)), [(3, 4, 5)]),
    ("LayerNorm-noaffine", lambda L: L.LayerNorm(5, elementwise_affine=False), [(3, 5)]),
    ("GroupNorm", lambda L: L.GroupNorm(2, 4), [(3, 4, 5, 2)]),
    ("RMSNorm", lambda L: L.RMSNorm(5), [(3, 4, 5)]),
    ("Flatten", lambda L: L.Flatten(), [(2, 3, 4)]),
    ("Unflatten", lambda L: L.Unflatten(1, (3, 4)), [(2, 12, 2)]),
    ("Identity", lambda L: L.Identity(), [(2, 3)]),
    ("Sequential", lambda L: L.Sequential(L.Linear(4, 6), L.Tanh(), L.Linear(6, 2)), [(3, 4)]),
    ("LSTM", lambda L: L.LSTM(3, 4), [(5, 2, 3)]),
    ("LSTM-2layer-bi-bf", lambda L: L.LSTM(3, 4, num_layers=2, bidirectional=True,
                                           batch_first=True), [(2, 5, 3)]),
    ("LSTM-unbatched-nobias", lambda L: L.LSTM(3, 4, bias=False), [(5, 3)]),
    ("GRU", lambda L: L.GRU(3, 4, num_layers=2), [(5, 2, 3)]),
    ("GRU-bi", lambda L: L.GRU(3, 4, bidirectional=True, batch_first=True), [(2, 5, 3)]),
    ("RNN-relu", lambda L: L.RNN(3, 4, nonlinearity="relu", num_layers=2), [(5, 2, 3)]),
    ("MultiheadAttention", lambda L: L.MultiheadAttention(8, 2), [(5, 3, 8)] * 3),
    ("MultiheadAttention-bf-kv", lambda L: L.MultiheadAttention(8, 4, batch_first=True, kdim=6,
                                                                vdim=4),
     [(3, 5, 8), (3, 4, 6), (3, 4, 4)]),
]

ACTIVATIONS = ["ReLU", "ReLU6", "LeakyReLU", "GELU", "SiLU", "Sigmoid", "Tanh", "ELU", "SELU",
               "CELU", "Softplus", "Hardtanh", "LogSigmoid", "Mish", "Hardsigmoid", "Hardswish",
               "Softsign", "PReLU"]


@needs_torch
@pytest.mark.parametrize("name,make,shapes", LAYERS, ids=[x[0] for x in LAYERS])
def test_layer_matches_torch(name, make, shapes):
    torch.manual_seed(0)
    r = rng(2)
    inputs = [r.standard_normal(s) for s in shapes]
    compare_with_torch(make(nn), make(torch.nn), inputs)


@needs_torch
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_matches_torch(name):
    x = rng(3).standard_normal((4, 5, 3)) * 3
    # Hardsigmoid's backward uses a float32 1/6 in PyTorch
    compare_with_torch(getattr(nn, name)(), getattr(torch.nn, name)(), [x],
                       tol=1e-7 if name == "Hardsigmoid" else 1e-10)


@needs_torch
@pytest.mark.parametrize("name,kwargs", [
    ("LeakyReLU", {"negative_slope": 0.2}), ("GELU", {"approximate": "tanh"}),
    ("ELU", {"alpha": 0.5}), ("CELU", {"alpha": 0.5}), ("Softplus", {"beta": 2, "threshold": 1}),
    ("Hardtanh", {"min_val": -0.5, "max_val": 2.0}), ("PReLU", {"num_parameters": 5}),
    ("Softmax", {"dim": 1}), ("LogSoftmax", {"dim": -1}), ("Softmin", {"dim": 0}),
])
def test_activation_options_match_torch(name, kwargs):
    x = rng(4).standard_normal((4, 5, 3)) * 3
    compare_with_torch(getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs), [x])


@needs_torch
def test_embedding_matches_torch():
    idx = rng(5).integers(0, 10, (4, 6))
    idx[0, 0] = 2
    compare_with_torch(nn.Embedding(10, 3, padding_idx=2), torch.nn.Embedding(10, 3,
                                                                              padding_idx=2), [idx])
    compare_with_torch(nn.Embedding(10, 3, scale_grad_by_freq=True),
                       torch.nn.Embedding(10, 3, scale_grad_by_freq=True), [idx])


@needs_torch
def test_batchnorm_running_stats_and_eval_match_torch():
    for momentum in (0.1, None):
        bm, bt = nn.BatchNorm2d(3, momentum=momentum).double(), torch.nn.BatchNorm2d(
            3, momentum=momentum).double()
        for seed in range(3):
            x = rng(seed).standard_normal((4, 3, 2, 5)) * (seed + 1) + seed
            bm(xp.asarray(x))
            bt(torch.tensor(x))
        np.testing.assert_allclose(bm.running_mean._array, bt.running_mean.numpy(), atol=1e-12)
        np.testing.assert_allclose(bm.running_var._array, bt.running_var.numpy(), atol=1e-12)
        assert int(bm.num_batches_tracked) == int(bt.num_batches_tracked) == 3
        bm.weight._array[...] = rng(9).standard_normal(3)
        with torch.no_grad():
            bt.weight.copy_(torch.tensor(bm.weight._array))
        x = rng(7).standard_normal((2, 3, 2, 5))
        compare_with_torch(bm, bt, [x], train=False)


@needs_torch
def test_lstm_with_initial_state_matches_torch():
    torch.manual_seed(0)
    mt, tm = nn.LSTM(3, 4, num_layers=2).double(), torch.nn.LSTM(3, 4, num_layers=2).double()
    copy_from_torch(mt, tm)
    r = rng(6)
    x, h0, c0 = r.standard_normal((5, 2, 3)), r.standard_normal((2, 2, 4)), r.standard_normal((2, 2, 4))
    mx, mh, mc = T(x, True), T(h0, True), T(c0, True)
    tx, th, tc = (torch.tensor(a, requires_grad=True) for a in (x, h0, c0))
    mo, (mhn, mcn) = mt(mx, (mh, mc))
    to, (thn, tcn) = tm(tx, (th, tc))
    for a, b in ((mo, to), (mhn, thn), (mcn, tcn)):
        np.testing.assert_allclose(a._array, b.detach().numpy(), atol=1e-12)
    # a loss using all three outputs
    loss_m = xp.sum(mo * mo) + xp.sum(mhn) + xp.sum(mcn * 2.0)
    loss_t = (to * to).sum() + thn.sum() + (tcn * 2.0).sum()
    loss_m.backward()
    loss_t.backward()
    for a, b in ((mx, tx), (mh, th), (mc, tc)):
        np.testing.assert_allclose(a.grad._array, b.grad.numpy(), atol=1e-12)


@needs_torch
@pytest.mark.parametrize("mask_kind", ["bool", "float", "causal", "key_padding", "unbatched"])
def test_multihead_attention_masks_match_torch(mask_kind):
    torch.manual_seed(0)
    mt, tm = nn.MultiheadAttention(8, 2).double(), torch.nn.MultiheadAttention(8, 2).double()
    copy_from_torch(mt, tm)
    r = rng(8)
    L, N = 4, 3
    shape = (L, 8) if mask_kind == "unbatched" else (L, N, 8)
    q = r.standard_normal(shape)
    kw_m, kw_t = {}, {}
    if mask_kind == "bool":
        m = r.random((L, L)) > 0.7
        np.fill_diagonal(m, False)
        kw_m["attn_mask"], kw_t["attn_mask"] = xp.asarray(m), torch.tensor(m)
    elif mask_kind == "float":
        m = r.standard_normal((N * 2, L, L))
        kw_m["attn_mask"], kw_t["attn_mask"] = xp.asarray(m), torch.tensor(m)
    elif mask_kind == "causal":
        m = np.triu(np.ones((L, L), bool), 1)
        kw_m["attn_mask"], kw_t["attn_mask"] = xp.asarray(m), torch.tensor(m)
    elif mask_kind == "key_padding":
        m = np.zeros((N, L), bool)
        m[:, -1] = True
        kw_m["key_padding_mask"], kw_t["key_padding_mask"] = xp.asarray(m), torch.tensor(m)
    mq, tq = T(q, True), torch.tensor(q, requires_grad=True)
    mo, mw = mt(mq, mq, mq, **kw_m)
    to, tw = tm(tq, tq, tq, **kw_t)
    np.testing.assert_allclose(mo._array, to.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(mw._array, tw.detach().numpy(), atol=1e-12)
    (xp.sum(mo * mo) + xp.sum(mw * mw)).backward()
    ((to * to).sum() + (tw * tw).sum()).backward()
    np.testing.assert_allclose(mq.grad._array, tq.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(mt.in_proj_weight.grad._array, tm.in_proj_weight.grad.numpy(),
                               atol=1e-12)


@needs_torch
@pytest.mark.parametrize("kwargs", [{}, {"is_causal": True}, {"scale": 0.3}, {"mask": "bool"},
                                    {"mask": "float"}])
def test_scaled_dot_product_attention_matches_torch(kwargs):
    r = rng(10)
    arrays = [r.standard_normal(s) for s in ((2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 7))]
    kw_m, kw_t = dict(kwargs), dict(kwargs)
    if "mask" in kwargs:
        m = r.random((5, 6)) > 0.3 if kwargs["mask"] == "bool" else r.standard_normal((5, 6))
        m[:, 0] = True if m.dtype == bool else m[:, 0]
        del kw_m["mask"], kw_t["mask"]
        kw_m["attn_mask"], kw_t["attn_mask"] = xp.asarray(m), torch.tensor(m)
    if kwargs.get("is_causal"):
        arrays[1], arrays[2] = arrays[1][:, :, :5], arrays[2][:, :, :5]
    ms = [T(a, True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    mo = F.scaled_dot_product_attention(*ms, **kw_m)
    to = torch.nn.functional.scaled_dot_product_attention(*ts, **kw_t)
    np.testing.assert_allclose(mo._array, to.detach().numpy(), atol=1e-12)
    g = r.standard_normal(tuple(to.shape))
    mo.backward(xp.asarray(g))
    to.backward(torch.tensor(g))
    for a, b in zip(ms, ts):
        np.testing.assert_allclose(a.grad._array, b.grad.numpy(), atol=1e-12)


@needs_torch
def test_float32_layers_match_torch():
    """The default float32 path (kernels, BLAS sgemm) agrees with PyTorch in float32."""
    torch.manual_seed(0)
    make = lambda L: L.Sequential(L.Conv2d(2, 4, 3, padding=1), L.ReLU(), L.MaxPool2d(2),
                                  L.Conv2d(4, 4, 3), L.GELU(), L.Flatten(), L.Linear(16, 3))
    mt, tm = make(nn), make(torch.nn)
    copy_from_torch(mt, tm)
    x = rng(11).standard_normal((3, 2, 8, 8)).astype(np.float32)
    mx, tx = T(x, True), torch.tensor(x, requires_grad=True)
    my, ty = mt(mx), tm(tx)
    assert my.dtype == xp.float32
    np.testing.assert_allclose(my._array, ty.detach().numpy(), rtol=1e-4, atol=1e-5)
    xp.sum(my * my).backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(mx.grad._array, tx.grad.numpy(), rtol=1e-3, atol=1e-5)
    for (k, p), (_, tp) in zip(mt.named_parameters(), tm.named_parameters()):
        np.testing.assert_allclose(p.grad._array, tp.grad.numpy(), rtol=1e-3, atol=1e-4,
                                   err_msg=k)


# ------------------------------------------------------- NumPy references
def conv2d_reference(x, w, b, stride, padding, dilation, groups):
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    sh, sw = stride
    ph, pw = padding
    dh, dw = dilation
    xp_ = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, o, ho, wo))
    og = o // groups
    for oc in range(o):
        g = oc // og
        for i in range(ho):
            for j in range(wo):
                patch = xp_[:, g * cg:(g + 1) * cg, i * sh:i * sh + dh * (kh - 1) + 1:dh,
                            j * sw:j * sw + dw * (kw - 1) + 1:dw]
                out[:, oc, i, j] = (patch * w[oc]).sum(axis=(1, 2, 3))
    if b is not None:
        out += b[:, None, None]
    return out


@pytest.mark.parametrize("stride,padding,dilation,groups", [
    ((1, 1), (0, 0), (1, 1), 1), ((2, 1), (1, 2), (1, 1), 1), ((1, 2), (2, 1), (2, 1), 2),
    ((3, 3), (1, 1), (1, 2), 1),
])
def test_conv2d_forward_matches_numpy_reference(stride, padding, dilation, groups):
    r = rng(12)
    x = r.standard_normal((2, 4, 7, 6))
    w = r.standard_normal((6, 4 // groups, 3, 2))
    b = r.standard_normal(6)
    y = F.conv2d(xp.asarray(x), xp.asarray(w), xp.asarray(b), stride, padding, dilation, groups)
    np.testing.assert_allclose(y._array, conv2d_reference(x, w, b, stride, padding, dilation,
                                                          groups), atol=1e-12)


def test_max_pool2d_matches_numpy_reference_and_propagates_nan():
    r = rng(13)
    x = r.standard_normal((2, 3, 6, 7))
    y, idx = F.max_pool2d(xp.asarray(x), 2, return_indices=True)
    ref = x[:, :, :6, :6].reshape(2, 3, 3, 2, 3, 2).max(axis=(3, 5))
    np.testing.assert_array_equal(y._array, ref)
    assert idx.dtype == xp.int64
    np.testing.assert_array_equal(np.take_along_axis(x.reshape(2, 3, -1),
                                                     idx._array.reshape(2, 3, -1), 2),
                                  ref.reshape(2, 3, -1))
    x[0, 0, 1, 1] = np.nan
    y = F.max_pool2d(xp.asarray(x), 2)
    assert np.isnan(y._array[0, 0, 0, 0]) and not np.isnan(y._array[0, 0, 0, 1])


def test_avg_and_adaptive_pool_match_numpy():
    x = rng(14).standard_normal((2, 3, 6, 8))
    y = F.avg_pool2d(xp.asarray(x), 2)
    np.testing.assert_allclose(y._array, x.reshape(2, 3, 3, 2, 4, 2).mean(axis=(3, 5)), atol=1e-12)
    y = F.adaptive_avg_pool2d(xp.asarray(x), 1)
    np.testing.assert_allclose(y._array, x.mean(axis=(2, 3), keepdims=True), atol=1e-12)
    y = F.adaptive_avg_pool2d(xp.asarray(x), (3, None))
    np.testing.assert_allclose(y._array, x.reshape(2, 3, 3, 2, 8).mean(axis=3), atol=1e-12)


def test_linear_and_norms_match_numpy():
    r = rng(15)
    x, w, b = r.standard_normal((3, 4)), r.standard_normal((5, 4)), r.standard_normal(5)
    np.testing.assert_allclose(F.linear(xp.asarray(x), xp.asarray(w), xp.asarray(b))._array,
                               x @ w.T + b, atol=1e-12)
    y = F.layer_norm(xp.asarray(x), (4,))._array
    np.testing.assert_allclose(y, (x - x.mean(1, keepdims=True)) /
                               np.sqrt(x.var(1, keepdims=True) + 1e-5), atol=1e-12)
    xb = r.standard_normal((6, 3, 2))
    y = F.batch_norm(xp.asarray(xb), None, None, training=True)._array
    ref = (xb - xb.mean((0, 2), keepdims=True)) / np.sqrt(xb.var((0, 2), keepdims=True) + 1e-5)
    np.testing.assert_allclose(y, ref, atol=1e-12)


# ------------------------------------------------------- finite differences
def _grad_inputs(*shapes, seed=16):
    r = rng(seed)
    return tuple(T(r.standard_normal(s), True) for s in shapes)


GRADCHECKS = [
    ("linear", lambda x, w, b: F.linear(x, w, b), [(2, 3), (4, 3), (4,)]),
    ("bilinear", lambda a, b, w: F.bilinear(a, b, w), [(2, 2), (2, 3), (2, 2, 3)]),
    ("conv2d", lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2)),
     [(1, 2, 4, 5), (2, 2, 2, 2), (2,)]),
    ("conv2d-groups-same", lambda x, w: F.conv2d(x, w, padding="same", groups=2),
     [(1, 4, 3, 4), (2, 2, 2, 3)]),
    ("conv1d", lambda x, w: F.conv1d(x, w, stride=2), [(2, 2, 6), (3, 2, 3)]),
    ("conv_transpose2d", lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1,
                                                             output_padding=1),
     [(1, 2, 3, 2), (2, 2, 3, 3), (2,)]),
    ("max_pool2d", lambda x: F.max_pool2d(x, 2, 1, padding=1), [(1, 2, 3, 4)]),
    ("avg_pool2d", lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
     [(1, 2, 5, 4)]),
    ("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (2, 3)), [(1, 2, 5, 4)]),
    ("batch_norm", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
     [(3, 2, 2), (2,), (2,)]),
    ("layer_norm", lambda x, w, b: F.layer_norm(x, (3,), w, b), [(2, 3), (3,), (3,)]),
    ("group_norm", lambda x, w, b: F.group_norm(x, 2, w, b), [(2, 4, 2), (4,), (4,)]),
    ("rms_norm", lambda x, w: F.rms_norm(x, (3,), w), [(2, 3), (3,)]),
    ("softmax", lambda x: F.softmax(x, dim=1), [(2, 4)]),
    ("log_softmax", lambda x: F.log_softmax(x, dim=0), [(3, 2)]),
    ("gelu", lambda x: F.gelu(x), [(7,)]),
    ("gelu-tanh", lambda x: F.gelu(x, approximate="tanh"), [(7,)]),
    ("silu", lambda x: F.silu(x), [(7,)]),
    ("elu", lambda x: F.elu(x, 0.7), [(7,)]),
    ("softplus", lambda x: F.softplus(x, 2.0, 1.0), [(7,)]),
    ("mish", lambda x: F.mish(x), [(7,)]),
    ("logsigmoid", lambda x: F.logsigmoid(x), [(7,)]),
    ("normalize", lambda x: F.normalize(x, p=3.0), [(2, 3)]),
    ("cosine_similarity", lambda a, b: F.cosine_similarity(a, b), [(2, 3), (2, 3)]),
    ("sdpa", lambda q, k, v: F.scaled_dot_product_attention(q, k, v), [(2, 3, 2), (2, 4, 2),
                                                                     (2, 4, 3)]),
    ("pad-reflect", lambda x: F.pad(x, (2, 1, 1, 0), mode="reflect"), [(1, 3, 4)]),
]


@pytest.mark.parametrize("name,fn,shapes", GRADCHECKS, ids=[g[0] for g in GRADCHECKS])
def test_gradcheck(name, fn, shapes):
    assert gradcheck(fn, _grad_inputs(*shapes))


def test_gradcheck_recurrent_layers():
    xp.manual_seed(0)
    for cls in (nn.LSTM, nn.GRU, nn.RNN):
        m = cls(2, 3, bidirectional=True).double()
        (x,) = _grad_inputs((3, 1, 2))
        assert gradcheck(lambda x, w: m(x)[0], (x, m.weight_hh_l0_reverse))


def test_gradcheck_embedding_and_attention_module():
    xp.manual_seed(0)
    idx = xp.asarray([[1, 3], [3, 0]])
    (w,) = _grad_inputs((4, 3))
    assert gradcheck(lambda w: F.embedding(idx, w), (w,))
    mha = nn.MultiheadAttention(4, 2, batch_first=True).double()
    (q,) = _grad_inputs((1, 3, 4))
    assert gradcheck(lambda q, wi: mha(q, q, q)[0], (q, mha.in_proj_weight))


# ------------------------------------------------------------- nn kernels
def _geometries():
    r = rng(17)
    out = []
    for _ in range(25):
        kh, kw = r.integers(1, 4, 2)
        sh, sw = r.integers(1, 4, 2)
        dh, dw = r.integers(1, 3, 2)
        ph, pw = r.integers(0, 4, 2)
        h, w = r.integers(1, 7, 2)
        ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
        wo = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
        if ho > 0 and wo > 0:
            out.append((int(h), int(w), (kh, kw), (sh, sw), (ph, pw), (dh, dw), (ho, wo)))
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_im2col_col2im_are_adjoint_and_match_numpy(dtype):
    r = rng(18)
    for h, w, k, s, p, d, o in _geometries():
        x = r.standard_normal((3, h, w)).astype(dtype)
        cols = K.im2col(x, k, s, p, d, o)
        # reference: windows of the zero-padded input
        xpad = np.pad(x, ((0, 0), (p[0], p[0] + k[0] * d[0]), (p[1], p[1] + k[1] * d[1])))
        ref = np.empty_like(cols).reshape(3, k[0], k[1], o[0], o[1])
        for i in range(k[0]):
            for j in range(k[1]):
                ref[:, i, j] = xpad[:, i * d[0]:i * d[0] + s[0] * (o[0] - 1) + 1:s[0],
                                    j * d[1]:j * d[1] + s[1] * (o[1] - 1) + 1:s[1]]
        np.testing.assert_array_equal(cols, ref.reshape(cols.shape))
        c = r.standard_normal(cols.shape).astype(dtype)
        back = K.col2im(c, (h, w), k, s, p, d, o)
        assert back.shape == x.shape and back.dtype == dtype
        lhs = np.vdot(cols.astype(np.float64), c.astype(np.float64))
        rhs = np.vdot(x.astype(np.float64), back.astype(np.float64))
        assert math.isclose(lhs, rhs, rel_tol=1e-4 if dtype == np.float32 else 1e-10, abs_tol=1e-4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compiled_nn_kernels_match_their_source(dtype):
    """Every exported kernel of _pythran/_nn.py: compiled module vs the file run as Python."""
    from minitensor import _pythran as P
    if not P.COMPILED.get("_nn"):
        pytest.skip("kernels not compiled")
    src = P._load_source("_nn")
    r = rng(20)
    x = r.standard_normal((2, 5, 6)).astype(dtype)
    x[1, 2, 3] = np.nan
    g = (3, 2, 2, 1, 1, 1, 1, 2, 4, 3)     # kh kw sh sw ph pw dh dw ho wo
    cols = r.standard_normal((2, 6, 12)).astype(dtype)
    v = r.standard_normal(37).astype(dtype)
    cases = {
        "im2col": lambda: (x, *g, np.empty((2, 6, 12), dtype), 1),
        "col2im": lambda: (cols, *g, np.empty((2, 5, 6), dtype), 1),
        "maxpool2d": lambda: (x, 3, 2, 2, 1, 1, 1, 1, 2, np.empty((2, 3, 4), np.int64),
                              np.empty((2, 3, 4), dtype), 1),
        "maxpool2d_backward": lambda: (cols[:, 0, :4].copy(), r.integers(0, 30, (2, 4)),
                                       np.empty((2, 30), dtype), 1),
        "gelu_erf": lambda: (v, np.empty_like(v), 1),
        "gelu_erf_backward": lambda: (v, v[::-1].copy(), np.empty_like(v), 1),
    }
    exported = {n for n in dir(P._nn) if not n.startswith("_") and callable(getattr(P._nn, n))}
    assert set(cases) <= exported   # the rest: tests/test_kernels.py::test_compiled_nn_matches_source
    for name, make in cases.items():
        r = rng(21)   # same random indices for both calls
        a_c = make()
        r = rng(21)
        a_s = make()
        getattr(P._nn, name)(*a_c)
        getattr(src, name)(*a_s)
        for u, w in zip(a_c, a_s):
            if isinstance(u, np.ndarray):
                np.testing.assert_allclose(u, w, rtol=1e-6, atol=1e-6, err_msg=name)


def test_kernels_serial_and_parallel_agree():
    from minitensor import _kernels
    old = _kernels.get_num_threads()
    x = rng(19).standard_normal((64, 30, 31)).astype(np.float32)
    try:
        res = []
        for nt in (1, 2):
            _kernels.set_num_threads(nt)
            cols = K.im2col(x, (3, 3), (1, 1), (1, 1), (1, 1), (30, 31))
            res.append((cols, K.col2im(cols, (30, 31), (3, 3), (1, 1), (1, 1), (1, 1), (30, 31)),
                        K.maxpool2d(x, (2, 2), (2, 2), (0, 0), (1, 1), (15, 15))[0],
                        K.gelu_erf(x)))
    finally:
        _kernels.set_num_threads(old)
    for a, b in zip(*res):
        np.testing.assert_array_equal(a, b)


def test_gelu_erf_kernel_matches_math_erf():
    x = np.linspace(-6, 6, 101)
    ref = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x])
    np.testing.assert_allclose(K.gelu_erf(x), ref, rtol=1e-14, atol=1e-15)
    g = np.ones_like(x)
    dref = np.array([0.5 * (1 + math.erf(v / math.sqrt(2))) + v * math.exp(-v * v / 2) /
                     math.sqrt(2 * math.pi) for v in x])
    np.testing.assert_allclose(K.gelu_erf_backward(x, g), dref, rtol=1e-13, atol=1e-15)


def test_kernel_glue_rejects_bad_arguments():
    x = np.zeros((2, 4, 4))
    with pytest.raises(TypeError, match="float32 or float64"):
        K.im2col(x.astype(np.int64), (2, 2), (1, 1), (0, 0), (1, 1), (3, 3))
    with pytest.raises(ValueError, match="3-D"):
        K.im2col(x[0], (2, 2), (1, 1), (0, 0), (1, 1), (3, 3))
    with pytest.raises(ValueError, match="stride"):
        K.im2col(x, (2, 2), (0, 1), (0, 0), (1, 1), (3, 3))
    with pytest.raises(ValueError, match="cols has shape"):
        K.col2im(np.zeros((2, 3, 9)), (4, 4), (2, 2), (1, 1), (0, 0), (1, 1), (3, 3))
    with pytest.raises(ValueError, match="outside"):
        K.maxpool2d_backward(np.zeros((1, 2, 2)), np.full((1, 2, 2), 16), (4, 4))
    # geometries whose windows fall entirely into the padding are safe (zeros)
    cols = K.im2col(np.ones((1, 2, 2)), (1, 1), (1, 1), (5, 5), (1, 1), (12, 12))
    assert cols.sum() == 4


# ------------------------------------------------------------- behaviour
def test_default_dtype_is_float32_and_dtype_argument():
    assert nn.Linear(2, 3).weight.dtype == xp.float32
    assert nn.Conv2d(1, 2, 3, dtype=xp.float64).weight.dtype == xp.float64
    assert nn.LSTM(2, 3, dtype="float64").weight_ih_l0.dtype == xp.float64
    bn = nn.BatchNorm1d(3, dtype=xp.float64)
    assert bn.running_mean.dtype == xp.float64 and bn.num_batches_tracked.dtype == xp.int64
    with pytest.raises(TypeError):
        nn.Linear(2, 3, dtype=xp.int64)


def test_dropout_train_eval_and_statistics():
    xp.manual_seed(0)
    d = nn.Dropout(0.3)
    x = xp.ones((200, 100), dtype=xp.float32)
    y = d(x)._array
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert d.eval()(x) is x
    xp.manual_seed(5)
    a = nn.Dropout(0.5)(x)._array
    xp.manual_seed(5)
    b = nn.Dropout(0.5)(x)._array
    np.testing.assert_array_equal(a, b)
    # the gradient uses the same mask
    xg = T(np.ones((4, 5)), True)
    out = F.dropout(xg, 0.5)
    xp.sum(out).backward()
    np.testing.assert_array_equal(xg.grad._array, out._array)
    y2 = nn.Dropout2d(0.5)(xp.ones((4, 6, 3, 3)))._array
    assert np.all((y2 == y2[:, :, :1, :1]))  # whole channels
    assert np.all(F.dropout(xp.ones(5), 1.0)._array == 0)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_batchnorm_training_and_eval_semantics():
    bn = nn.BatchNorm1d(2)
    x = xp.asarray([[1.0, 2.0], [3.0, 6.0]], dtype=xp.float32)
    y = bn(x)._array
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-6)
    np.testing.assert_allclose(bn.running_mean._array, [0.2, 0.4], rtol=1e-6)
    np.testing.assert_allclose(bn.running_var._array, [0.9 + 0.1 * 2, 0.9 + 0.1 * 8], rtol=1e-6)
    bn.eval()
    y = bn(x)._array
    ref = (x._array - bn.running_mean._array) / np.sqrt(bn.running_var._array + 1e-5)
    np.testing.assert_allclose(y, ref, rtol=1e-5)
    assert int(bn.num_batches_tracked) == 1
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(2)(xp.ones((1, 2), dtype=xp.float32))
    nostats = nn.BatchNorm1d(2, track_running_stats=False)
    assert nostats.running_mean is None
    nostats.eval()(x)  # batch statistics even in eval mode


def test_shapes_of_layers():
    f32 = xp.float32
    assert nn.Conv2d(3, 8, 5, stride=2, padding=2)(xp.zeros((2, 3, 9, 9), dtype=f32)).shape == \
        (2, 8, 5, 5)
    assert nn.ConvTranspose2d(8, 3, 4, stride=2, padding=1)(xp.zeros((2, 8, 5, 5), dtype=f32)).shape \
        == (2, 3, 10, 10)
    ct = nn.ConvTranspose2d(8, 3, 3, stride=2, padding=1)
    assert ct(xp.zeros((1, 8, 5, 5), dtype=f32), output_size=(10, 10)).shape == (1, 3, 10, 10)
    assert nn.MaxPool2d(3, 2, ceil_mode=True)(xp.zeros((1, 1, 8, 8))).shape == (1, 1, 4, 4)
    assert nn.AdaptiveAvgPool2d((2, 3))(xp.zeros((1, 4, 7, 9))).shape == (1, 4, 2, 3)
    assert nn.Flatten(0, -1)(xp.zeros((2, 3, 4))).shape == (24,)
    out, h = nn.GRU(3, 5, num_layers=3, bidirectional=True)(xp.zeros((7, 2, 3), dtype=f32))
    assert out.shape == (7, 2, 10) and h.shape == (6, 2, 5)
    out, (h, c) = nn.LSTM(3, 5, batch_first=True)(xp.zeros((2, 7, 3), dtype=f32))
    assert out.shape == (2, 7, 5) and h.shape == c.shape == (1, 2, 5)
    e = nn.Embedding(10, 4)
    assert e(xp.asarray(3)).shape == (4,)
    assert nn.Softmax(dim=-1)(xp.zeros((2, 3))).shape == (2, 3)


def test_embedding_padding_idx_and_from_pretrained():
    e = nn.Embedding(5, 3, padding_idx=1)
    assert np.all(e.weight._array[1] == 0)
    out = e(xp.asarray([1, 2, 1]))
    xp.sum(out).backward()
    np.testing.assert_array_equal(e.weight.grad._array[1], 0)
    np.testing.assert_array_equal(e.weight.grad._array[2], 1)
    w = xp.asarray(np.arange(6.0).reshape(3, 2))
    pre = nn.Embedding.from_pretrained(w)
    assert not pre.weight.requires_grad
    np.testing.assert_array_equal(pre(xp.asarray([2]))._array, [[4.0, 5.0]])
    e2 = nn.Embedding(4, 2, max_norm=1.0).double()
    e2.weight._array[...] = [[3.0, 4.0]] * 4
    e2(xp.asarray([0]))
    assert np.linalg.norm(e2.weight._array[0]) <= 1.0 + 1e-6
    assert np.linalg.norm(e2.weight._array[1]) == 5.0


def test_one_hot_and_pad():
    oh = F.one_hot(xp.asarray([0, 2, 1]))
    assert oh.dtype == xp.int64
    np.testing.assert_array_equal(oh._array, np.eye(3, dtype=np.int64)[[0, 2, 1]])
    assert F.one_hot(xp.asarray([1]), num_classes=4).shape == (1, 4)
    y = F.pad(xp.ones((2, 3)), (1, 2), value=5.0)
    np.testing.assert_array_equal(y._array, np.pad(np.ones((2, 3)), ((0, 0), (1, 2)),
                                                   constant_values=5.0))
    y = F.pad(xp.ones((2, 3)), (-1, 0, 1, 1))
    assert y.shape == (4, 2)
    with pytest.raises(ValueError, match="even length"):
        F.pad(xp.ones(3), (1,))


def test_double_backward_through_conv2d():
    # conv2d is a primitive with a differentiable rule (issue 12;
    # tests/test_nn_conv_rules.py): d/dw of |d/dx <c, conv2d(x, w)>|^2 by hand
    from minitensor import autograd
    rng = np.random.RandomState(0)
    c, wa = rng.standard_normal((3, 3)), rng.standard_normal((2, 2))
    x = T(np.arange(16.0).reshape(1, 1, 4, 4), True)
    w = T(wa.reshape(1, 1, 2, 2), True)
    y = xp.sum(F.conv2d(x, w) * T(c.reshape(1, 1, 3, 3)))
    (gx,) = autograd.grad(y, x, create_graph=True)
    ref = np.zeros((4, 4))          # gx[i + p, j + q] += c[i, j] w[p, q]
    for p in range(2):
        for q in range(2):
            ref[p:p + 3, q:q + 3] += c * wa[p, q]
    np.testing.assert_allclose(gx._array[0, 0], ref)
    (gw,) = autograd.grad(xp.sum(gx * gx), w)
    ref_w = [[2 * np.sum(ref[p:p + 3, q:q + 3] * c) for q in range(2)] for p in range(2)]
    np.testing.assert_allclose(gw._array[0, 0], ref_w)


# ------------------------------------------------------------- bad input
def test_wrong_input_shapes_name_expected_and_given():
    f32 = xp.float32
    with pytest.raises(ValueError, match=r"last dimension 4.*\(2, 3\)"):
        nn.Linear(4, 2)(xp.zeros((2, 3), dtype=f32))
    with pytest.raises(ValueError, match=r"3 channels.*\(1, 2, 5, 5\)"):
        nn.Conv2d(3, 4, 3)(xp.zeros((1, 2, 5, 5), dtype=f32))
    with pytest.raises(ValueError, match=r"4-D.*\(5, 5\)"):
        nn.Conv2d(3, 4, 3)(xp.zeros((5, 5), dtype=f32))
    with pytest.raises(ValueError, match="too small"):
        nn.Conv2d(1, 1, 5)(xp.zeros((1, 1, 3, 3), dtype=f32))
    with pytest.raises(ValueError, match=r"expected 4D input \(got 3D"):
        nn.BatchNorm2d(3)(xp.zeros((2, 3, 4), dtype=f32))
    with pytest.raises(ValueError, match=r"3 channels.*\(2, 4, 5, 5\)"):
        nn.BatchNorm2d(3)(xp.zeros((2, 4, 5, 5), dtype=f32))
    with pytest.raises(ValueError, match=r"\(\*, 4\).*\(2, 3\)"):
        nn.LayerNorm(4)(xp.zeros((2, 3), dtype=f32))
    with pytest.raises(ValueError, match=r"input_size.*Expected 3.*\(5, 2, 4\)"):
        nn.LSTM(3, 4)(xp.zeros((5, 2, 4), dtype=f32))
    with pytest.raises(ValueError, match=r"h_0 of shape \(1, 2, 4\)"):
        nn.LSTM(3, 4)(xp.zeros((5, 2, 3), dtype=f32), (xp.zeros((1, 3, 4), dtype=f32),) * 2)
    with pytest.raises(ValueError, match="half of effective kernel size"):
        F.max_pool2d(xp.zeros((1, 1, 4, 4)), 2, padding=2)
    with pytest.raises(IndexError, match="out of range"):
        nn.Embedding(3, 2)(xp.asarray([3]))
    with pytest.raises(IndexError, match="index -1 is out of range"):
        nn.Embedding(3, 2)(xp.asarray([-1]))


def test_wrong_dtypes_raise_type_error():
    with pytest.raises(TypeError, match="float64 does not match weight dtype float32"):
        nn.Linear(3, 2)(xp.zeros((1, 3)))
    with pytest.raises(TypeError, match="floating-point"):
        F.linear(xp.zeros((1, 3), dtype=xp.int64), xp.zeros((2, 3), dtype=xp.int64))
    with pytest.raises(TypeError, match="integer tensor of indices"):
        nn.Embedding(3, 2)(xp.zeros(2))
    with pytest.raises(TypeError, match="Tensor"):
        nn.ReLU()(np.zeros(3))
    # model.to(float64) makes float64 input work
    m = nn.Linear(3, 2).to(xp.float64)
    assert m(xp.zeros((1, 3))).dtype == xp.float64
