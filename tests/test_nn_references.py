"""nn forward passes against plain NumPy references (no PyTorch needed): every
activation of the issue's list, GroupNorm, Embedding, MaxPool1d, ConvTranspose2d,
Bilinear, Flatten/Unflatten, Dropout, LSTM, GRU and MultiheadAttention; finite-
difference gradients of the activations and layers not covered elsewhere; default
initialisation statistics of the remaining layers."""
import math

import numpy as np
import pytest

import minitensor as xp
from minitensor import nn
from minitensor.autograd import gradcheck
import minitensor.nn.functional as F

_erf = np.vectorize(math.erf)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softplus(x, beta=1.0, threshold=20.0):
    return np.where(beta * x > threshold, x, np.log1p(np.exp(beta * x)) / beta)


def _log_softmax(x, axis):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946

# (module constructor, NumPy reference)
ACTIVATIONS = [
    ("ReLU", lambda: nn.ReLU(), lambda x: np.maximum(x, 0)),
    ("LeakyReLU", lambda: nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    ("ELU", lambda: nn.ELU(0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(x))),
    ("SELU", lambda: nn.SELU(),
     lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x))),
    ("GELU", lambda: nn.GELU(), lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2)))),
    ("GELU-tanh", lambda: nn.GELU(approximate="tanh"),
     lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))),
    ("SiLU", lambda: nn.SiLU(), lambda x: x * _sigmoid(x)),
    ("Mish", lambda: nn.Mish(), lambda x: x * np.tanh(_softplus(x))),
    ("Sigmoid", lambda: nn.Sigmoid(), _sigmoid),
    ("Tanh", lambda: nn.Tanh(), np.tanh),
    ("Softplus", lambda: nn.Softplus(beta=2.0, threshold=3.0),
     lambda x: _softplus(x, 2.0, 3.0)),
    ("Softmax", lambda: nn.Softmax(dim=1), lambda x: np.exp(_log_softmax(x, 1))),
    ("LogSoftmax", lambda: nn.LogSoftmax(dim=-1), lambda x: _log_softmax(x, -1)),
    ("Hardtanh", lambda: nn.Hardtanh(-0.5, 2.0), lambda x: np.clip(x, -0.5, 2.0)),
]
IDS = [a[0] for a in ACTIVATIONS]


def _x(shape=(3, 4, 5), seed=0, scale=3.0):
    return np.random.default_rng(seed).standard_normal(shape) * scale


@pytest.mark.parametrize("name,make,ref", ACTIVATIONS, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_forward_matches_numpy(name, make, ref, dtype):
    x = _x().astype(dtype)
    y = make()(xp.asarray(x))
    assert y.shape == x.shape and y._array.dtype == dtype
    tol = 1e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(y._array, ref(x.astype(np.float64)), rtol=tol, atol=tol)


@pytest.mark.parametrize("name,make,ref", ACTIVATIONS, ids=IDS)
def test_activation_gradients_by_finite_differences(name, make, ref):
    # away from the kinks (0, the Hardtanh bounds) where finite differences are undefined
    x = _x((2, 5), seed=1, scale=1.5)
    x[np.abs(x) < 0.05] += 0.2
    x[np.abs(x + 0.5) < 0.05] += 0.2
    x[np.abs(x - 2.0) < 0.05] += 0.2
    m = make()
    assert gradcheck(lambda t: m(t), (xp.tensor(x, requires_grad=True),))


def test_group_norm_matches_numpy():
    x = _x((2, 6, 3, 2), seed=2)
    w, b = _x((6,), 3), _x((6,), 4)
    m = nn.GroupNorm(3, 6).double()
    m.weight._array[...] = w
    m.bias._array[...] = b
    g = x.reshape(2, 3, -1)
    ref = ((g - g.mean(-1, keepdims=True)) / np.sqrt(g.var(-1, keepdims=True) + 1e-5))
    ref = ref.reshape(x.shape) * w[:, None, None] + b[:, None, None]
    np.testing.assert_allclose(m(xp.asarray(x))._array, ref, atol=1e-12)


def test_embedding_and_max_pool1d_match_numpy():
    w = _x((6, 3), 5)
    idx = np.array([[0, 5, 2], [2, 2, 1]])
    np.testing.assert_array_equal(F.embedding(xp.asarray(idx), xp.asarray(w))._array, w[idx])
    x = _x((2, 3, 9), 6)
    y = nn.MaxPool1d(3, 2)(xp.asarray(x))
    ref = np.stack([x[..., i:i + 3].max(-1) for i in range(0, 7, 2)], axis=-1)
    np.testing.assert_array_equal(y._array, ref)
    assert gradcheck(lambda t: F.max_pool1d(t, 3, 2, padding=1),
                     (xp.tensor(_x((1, 2, 7), 7), requires_grad=True),))


def conv_transpose2d_reference(x, w, b, stride, padding, output_padding, dilation):
    """Scatter each input pixel times the kernel into the (uncropped) output."""
    n, cin, h, wd = x.shape
    _, cout, kh, kw = w.shape
    (sh, sw), (ph, pw), (oh_, ow_), (dh, dw) = stride, padding, output_padding, dilation
    full = np.zeros((n, cout, (h - 1) * sh + dh * (kh - 1) + 1 + oh_,
                     (wd - 1) * sw + dw * (kw - 1) + 1 + ow_))
    for i in range(h):
        for j in range(wd):
            contrib = np.einsum("nc,cokl->nokl", x[:, :, i, j], w)
            full[:, :, i * sh:i * sh + dh * (kh - 1) + 1:dh,
                 j * sw:j * sw + dw * (kw - 1) + 1:dw] += contrib
    out = full[:, :, ph:full.shape[2] - ph, pw:full.shape[3] - pw]
    return out + b[:, None, None]


@pytest.mark.parametrize("stride,padding,output_padding,dilation", [
    ((1, 1), (0, 0), (0, 0), (1, 1)), ((2, 2), (1, 1), (1, 1), (1, 1)),
    ((2, 1), (1, 0), (1, 0), (1, 2)),
])
def test_conv_transpose2d_matches_numpy(stride, padding, output_padding, dilation):
    x, w, b = _x((2, 3, 4, 3), 8), _x((3, 2, 3, 2), 9), _x((2,), 10)
    y = F.conv_transpose2d(xp.asarray(x), xp.asarray(w), xp.asarray(b), stride, padding,
                           output_padding, 1, dilation)
    np.testing.assert_allclose(
        y._array, conv_transpose2d_reference(x, w, b, stride, padding, output_padding,
                                             dilation), atol=1e-12)


def test_bilinear_flatten_unflatten_identity_match_numpy():
    a, c, w, b = _x((4, 3), 11), _x((4, 2), 12), _x((5, 3, 2), 13), _x((5,), 14)
    y = F.bilinear(xp.asarray(a), xp.asarray(c), xp.asarray(w), xp.asarray(b))
    np.testing.assert_allclose(y._array, np.einsum("ni,oij,nj->no", a, w, c) + b, atol=1e-12)
    x = _x((2, 3, 4, 5), 15)
    np.testing.assert_array_equal(nn.Flatten()(xp.asarray(x))._array, x.reshape(2, -1))
    np.testing.assert_array_equal(nn.Flatten(0, 2)(xp.asarray(x))._array, x.reshape(-1, 5))
    np.testing.assert_array_equal(nn.Unflatten(1, (2, 6))(xp.asarray(x.reshape(2, 12, 5)))._array,
                                  x.reshape(2, 2, 6, 5))
    np.testing.assert_array_equal(nn.Identity(3, k=1)(xp.asarray(x))._array, x)


def test_dropout_scales_kept_values():
    xp.manual_seed(0)
    x = np.ones((200, 50))
    y = nn.Dropout(0.3)(xp.asarray(x))._array
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.7)
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_array_equal(nn.Dropout(0.3).eval()(xp.asarray(x))._array, x)
    assert not nn.Dropout(1.0)(xp.asarray(x))._array.any()


def _params(m):
    return {k: v._array for k, v in m.named_parameters()}


def lstm_reference(x, p, hidden):
    h = np.zeros((x.shape[1], hidden))
    c = np.zeros_like(h)
    out = []
    for t in range(x.shape[0]):
        gates = x[t] @ p["weight_ih_l0"].T + p["bias_ih_l0"] + h @ p["weight_hh_l0"].T \
            + p["bias_hh_l0"]
        i, f, g, o = np.split(gates, 4, axis=1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        out.append(h)
    return np.stack(out), h, c


def gru_reference(x, p, hidden):
    h = np.zeros((x.shape[1], hidden))
    out = []
    for t in range(x.shape[0]):
        gi = x[t] @ p["weight_ih_l0"].T + p["bias_ih_l0"]
        gh = h @ p["weight_hh_l0"].T + p["bias_hh_l0"]
        ir, iz, in_ = np.split(gi, 3, axis=1)
        hr, hz, hn = np.split(gh, 3, axis=1)
        r, z = _sigmoid(ir + hr), _sigmoid(iz + hz)
        n = np.tanh(in_ + r * hn)
        h = (1 - z) * n + z * h
        out.append(h)
    return np.stack(out), h


def test_lstm_and_gru_match_numpy():
    xp.manual_seed(0)
    x = _x((5, 2, 3), 16, 1.0)
    lstm = nn.LSTM(3, 4).double()
    out, (h, c) = lstm(xp.asarray(x))
    r_out, r_h, r_c = lstm_reference(x, _params(lstm), 4)
    np.testing.assert_allclose(out._array, r_out, atol=1e-12)
    np.testing.assert_allclose(h._array[0], r_h, atol=1e-12)
    np.testing.assert_allclose(c._array[0], r_c, atol=1e-12)
    gru = nn.GRU(3, 4).double()
    out, h = gru(xp.asarray(x))
    g_out, g_h = gru_reference(x, _params(gru), 4)
    np.testing.assert_allclose(out._array, g_out, atol=1e-12)
    np.testing.assert_allclose(h._array[0], g_h, atol=1e-12)
    # batch_first: the same computation on transposed input
    lstm_bf = nn.LSTM(3, 4, batch_first=True).double()
    lstm_bf.load_state_dict(lstm.state_dict())
    np.testing.assert_allclose(lstm_bf(xp.asarray(x.transpose(1, 0, 2)))[0]._array,
                               r_out.transpose(1, 0, 2), atol=1e-12)


def test_multihead_attention_matches_numpy():
    xp.manual_seed(0)
    e, heads, L, S, n = 6, 2, 3, 4, 2
    m = nn.MultiheadAttention(e, heads, batch_first=True).double()
    q, k, v = _x((n, L, e), 17, 1.0), _x((n, S, e), 18, 1.0), _x((n, S, e), 19, 1.0)
    out, weights = m(xp.asarray(q), xp.asarray(k), xp.asarray(v))
    p = _params(m)
    wq, wk, wv = np.split(p["in_proj_weight"], 3)
    bq, bk, bv = np.split(p["in_proj_bias"], 3)
    d = e // heads

    def heads_of(t):
        return t.reshape(n, -1, heads, d).transpose(0, 2, 1, 3)

    Q, K, V = heads_of(q @ wq.T + bq), heads_of(k @ wk.T + bk), heads_of(v @ wv.T + bv)
    att = np.exp(_log_softmax(Q @ K.transpose(0, 1, 3, 2) / math.sqrt(d), -1))
    ctx = (att @ V).transpose(0, 2, 1, 3).reshape(n, L, e)
    ref = ctx @ p["out_proj.weight"].T + p["out_proj.bias"]
    np.testing.assert_allclose(out._array, ref, atol=1e-12)
    np.testing.assert_allclose(weights._array, att.mean(axis=1), atol=1e-12)


def test_default_initialisation_of_remaining_layers():
    """PyTorch's defaults: U(+-1/sqrt(fan_in)) for Conv1d and Bilinear (fan_in = in1),
    U(+-1/sqrt(hidden)) for GRU, ones/zeros for the norms' affine parameters."""
    xp.manual_seed(4)
    conv = nn.Conv1d(8, 64, 5)
    bound = 1 / math.sqrt(8 * 5)
    w = conv.weight._array
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound
    bil = nn.Bilinear(20, 30, 40)
    bound = 1 / math.sqrt(20)
    assert np.abs(bil.weight._array).max() <= bound and np.abs(bil.bias._array).max() <= bound
    assert abs(bil.weight._array.std() - bound / math.sqrt(3)) < 0.05 * bound
    gru = nn.GRU(16, 32, num_layers=2)
    k = 1 / math.sqrt(32)
    for name, p in gru.named_parameters():
        a = p._array
        assert np.abs(a).max() <= k, name
    assert abs(gru.weight_hh_l1._array.std() - k / math.sqrt(3)) < 0.05 * k
    for norm in (nn.GroupNorm(2, 6), nn.LayerNorm(6), nn.BatchNorm1d(6)):
        assert np.all(norm.weight._array == 1) and not norm.bias._array.any()
    assert all(p.dtype == xp.float32 for p in gru.parameters())


# (layer, bad input shape, pattern naming the expectation): every layer of the issue's
# list rejects a wrong input shape with a ValueError that names the given shape
BAD_SHAPES = [
    (lambda: nn.Linear(4, 2), (2, 3), r"last dimension 4"),
    (lambda: nn.Bilinear(3, 3, 2), None, r"\(\*, 3\) and \(\*, 3\)"),
    (lambda: nn.Conv1d(3, 4, 3), (2, 2, 8), r"3 channels"),
    (lambda: nn.Conv1d(3, 4, 3), (2, 3, 4, 4), r"2-D.*3-D|3-D|2D or 3D"),
    (lambda: nn.Conv2d(3, 4, 3), (2, 2, 8, 8), r"3 channels"),
    (lambda: nn.ConvTranspose2d(3, 2, 3), (2, 2, 4, 4), r"3 channels"),
    (lambda: nn.MaxPool1d(2), (2, 2, 2, 2), r"2-D \(unbatched\) or 3-D"),
    (lambda: nn.MaxPool2d(2), (2,), r"3-D \(unbatched\) or 4-D"),
    (lambda: nn.AvgPool2d(2), (3, 4), r"3-D \(unbatched\) or 4-D"),
    (lambda: nn.AdaptiveAvgPool2d(2), (2,), r"3-D or 4-D"),
    (lambda: nn.BatchNorm1d(3), (2, 4), r"3 channels"),
    (lambda: nn.BatchNorm1d(3), (2,), r"2D or 3D"),
    (lambda: nn.BatchNorm2d(3), (2, 4, 5, 5), r"3 channels"),
    (lambda: nn.LayerNorm(4), (2, 3), r"\(\*, 4\)"),
    (lambda: nn.GroupNorm(2, 4), (2, 3, 5), r"\(N, 4, \*\)"),
    (lambda: nn.Unflatten(1, (2, 2)), (2, 5), r"\(2, 2\)"),
    (lambda: nn.LSTM(3, 4, batch_first=True), (2, 5, 2), r"Expected 3"),
    (lambda: nn.GRU(3, 4), (5, 2, 2), r"Expected 3"),
    (lambda: nn.MultiheadAttention(8, 2, batch_first=True), (2, 5, 6), r"last dimension 8"),
]


@pytest.mark.parametrize("make,shape,expected", BAD_SHAPES,
                         ids=[f"case{i}" for i in range(len(BAD_SHAPES))])
def test_wrong_input_shape_names_expected_and_given(make, shape, expected):
    m = make()
    with pytest.raises(ValueError, match=expected) as info:
        if isinstance(m, nn.Bilinear):
            m(xp.zeros((2, 3), dtype=xp.float32), xp.zeros((2, 4), dtype=xp.float32))
        elif isinstance(m, nn.MultiheadAttention):
            x = xp.zeros(shape, dtype=xp.float32)
            m(x, x, x)
        else:
            m(xp.zeros(shape, dtype=xp.float32))
    given = "(2, 4)" if shape is None else str(tuple(shape))
    assert given in str(info.value)
