"""nn.init: gains, fans, the distributions' statistics and bounds, in-place
semantics (same tensor, outside autograd), seeding and the layers' default
initialisations (PyTorch's)."""
import math

import numpy as np
import pytest

import minitensor as xp
from minitensor import nn
from minitensor.nn import init

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


def empty(*shape, dtype=xp.float32):
    return xp.empty(shape, dtype=dtype)


def test_calculate_gain():
    assert init.calculate_gain("linear") == 1
    assert init.calculate_gain("conv2d") == 1
    assert init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("selu") == pytest.approx(0.75)
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", "a")
    if torch is not None:
        for nl, p in [("tanh", None), ("relu", None), ("leaky_relu", 0.3), ("selu", None)]:
            assert init.calculate_gain(nl, p) == pytest.approx(torch.nn.init.calculate_gain(nl, p))


def test_fans():
    assert init._calculate_fan_in_and_fan_out(empty(5, 3)) == (3, 5)
    assert init._calculate_fan_in_and_fan_out(empty(8, 4, 3, 2)) == (24, 48)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(empty(5))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(empty(3, 3), mode="fan_avg")


def _stats(t):
    a = np.asarray(t._array, dtype=np.float64)
    return a.mean(), a.std(), a.min(), a.max()


def test_uniform_normal_constant():
    xp.manual_seed(0)
    t = empty(200, 300)
    assert init.uniform_(t, -2.0, 3.0) is t
    m, s, lo, hi = _stats(t)
    assert -2.0 <= lo and hi <= 3.0
    assert abs(m - 0.5) < 0.02 and abs(s - 5 / math.sqrt(12)) < 0.02
    init.normal_(t, 1.0, 0.5)
    m, s, _, _ = _stats(t)
    assert abs(m - 1.0) < 0.01 and abs(s - 0.5) < 0.01
    init.constant_(t, 0.3)
    assert np.all(t._array == np.float32(0.3))
    init.zeros_(t)
    assert not t._array.any()
    init.ones_(t)
    assert np.all(t._array == 1)
    assert t.dtype == xp.float32


@pytest.mark.parametrize("dtype", [xp.float32, xp.float64])
def test_xavier_and_kaiming_statistics(dtype):
    xp.manual_seed(1)
    t = empty(256, 128, dtype=dtype)
    fan_in, fan_out = 128, 256
    init.xavier_uniform_(t, gain=2.0)
    a = 2.0 * math.sqrt(6 / (fan_in + fan_out))
    m, s, lo, hi = _stats(t)
    assert -a <= lo and hi <= a and abs(s - a / math.sqrt(3)) < 0.02 * a
    init.xavier_normal_(t)
    assert abs(_stats(t)[1] - math.sqrt(2 / (fan_in + fan_out))) < 0.01
    init.kaiming_uniform_(t, nonlinearity="relu")
    bound = math.sqrt(2) * math.sqrt(3 / fan_in)
    m, s, lo, hi = _stats(t)
    assert -bound <= lo and hi <= bound and abs(s - bound / math.sqrt(3)) < 0.02 * bound
    init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu")
    assert abs(_stats(t)[1] - math.sqrt(2 / fan_out)) < 0.02 * math.sqrt(2 / fan_out)
    assert t.dtype == dtype


def test_orthogonal_and_trunc_normal_and_others():
    xp.manual_seed(2)
    for shape in [(6, 4), (4, 6), (3, 2, 2)]:
        t = init.orthogonal_(empty(*shape, dtype=xp.float64), gain=2.0)
        q = t._array.reshape(shape[0], -1)
        g = q @ q.T if q.shape[0] <= q.shape[1] else q.T @ q
        np.testing.assert_allclose(g, 4.0 * np.eye(g.shape[0]), atol=1e-12)
    t = init.trunc_normal_(empty(100, 100), mean=0.5, std=1.0, a=-1.0, b=1.0)
    m, s, lo, hi = _stats(t)
    assert -1.0 <= lo and hi <= 1.0 and abs(m - 0.1437) < 0.02   # mean of the truncated law
    e = init.eye_(empty(3, 4))
    np.testing.assert_array_equal(e._array, np.eye(3, 4))
    d = init.dirac_(empty(4, 2, 3, 3))
    x = xp.asarray(np.random.default_rng(0).standard_normal((1, 2, 5, 5)).astype(np.float32))
    y = nn.functional.conv2d(x, d, padding=1)
    np.testing.assert_allclose(y._array[:, :2], x._array, atol=1e-6)
    assert not y._array[:, 2:].any()
    sp = init.sparse_(empty(10, 5), sparsity=0.3)
    assert all((sp._array[:, c] == 0).sum() >= 3 for c in range(5))


def test_in_place_outside_autograd_and_version():
    p = nn.Parameter(xp.zeros((3, 3)))
    out = xp.sum(p * p)
    init.ones_(p)                 # allowed although p requires grad
    assert p.requires_grad and p.grad_fn is None
    np.testing.assert_array_equal(p._array, 1)
    with pytest.raises(RuntimeError):
        out.backward()            # the recorded graph saw the old values
    with pytest.raises(TypeError, match="floating-point"):
        init.uniform_(xp.zeros(3, dtype=xp.int64))
    with pytest.raises(TypeError):
        init.uniform_(np.zeros(3))


def test_seeding_and_generators():
    xp.manual_seed(7)
    a = init.normal_(empty(5))._array.copy()
    xp.manual_seed(7)
    b = init.normal_(empty(5))._array.copy()
    np.testing.assert_array_equal(a, b)
    g1, g2 = np.random.default_rng(3), np.random.default_rng(3)
    np.testing.assert_array_equal(init.uniform_(empty(4), generator=g1)._array,
                                  init.uniform_(empty(4), generator=g2)._array)
    with pytest.raises(TypeError, match="generator"):
        init.uniform_(empty(2), generator=3)
    with pytest.raises(TypeError, match="integer"):
        xp.manual_seed(1.5)
    st = xp._random.get_rng_state()
    c = init.normal_(empty(3))._array.copy()
    xp._random.set_rng_state(st)
    np.testing.assert_array_equal(init.normal_(empty(3))._array, c)


def test_default_layer_initialisations():
    xp.manual_seed(3)
    lin = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)   # kaiming_uniform_(a=sqrt(5)) == U(-1/sqrt(fan_in), ..)
    m, s, lo, hi = _stats(lin.weight)
    assert -bound <= lo and hi <= bound and abs(s - bound / math.sqrt(3)) < 0.02 * bound
    assert hi > 0.95 * bound
    m, s, lo, hi = _stats(lin.bias)
    assert -bound <= lo and hi <= bound
    conv = nn.Conv2d(16, 32, 3)
    cb = 1 / math.sqrt(16 * 9)
    assert np.abs(conv.weight._array).max() <= cb and np.abs(conv.bias._array).max() <= cb
    ct = nn.ConvTranspose2d(16, 8, 3)   # fan_in from dim 1 (PyTorch's convention)
    assert np.abs(ct.weight._array).max() <= 1 / math.sqrt(8 * 9)
    emb = nn.Embedding(300, 200)
    m, s, _, _ = _stats(emb.weight)
    assert abs(m) < 0.01 and abs(s - 1) < 0.01
    lstm = nn.LSTM(10, 50)
    k = 1 / math.sqrt(50)
    assert all(np.abs(p._array).max() <= k for p in lstm.parameters())
    bn = nn.BatchNorm2d(4)
    assert np.all(bn.weight._array == 1) and not bn.bias._array.any()
    assert np.all(bn.running_var._array == 1) and not bn.running_mean._array.any()
    mha = nn.MultiheadAttention(16, 4)
    assert not mha.in_proj_bias._array.any() and not mha.out_proj.bias._array.any()
    a = math.sqrt(6 / (16 + 48))
    assert np.abs(mha.in_proj_weight._array).max() <= a
    assert nn.PReLU()._parameters["weight"]._array[0] == np.float32(0.25)
    ln = nn.LayerNorm((2, 3))
    assert np.all(ln.weight._array == 1) and ln.weight.shape == (2, 3)


@pytest.mark.skipif(torch is None, reason="PyTorch not installed")
def test_statistics_agree_with_torch_layers():
    """Same distribution family and scale as PyTorch's default init (std within 5%)."""
    torch.manual_seed(0)
    xp.manual_seed(0)
    for make in (lambda L: L.Linear(256, 128), lambda L: L.Conv2d(8, 16, 5),
                 lambda L: L.GRU(32, 64), lambda L: L.Bilinear(20, 30, 40)):
        ours = {k: np.asarray(v._array) for k, v in make(nn).named_parameters()}
        theirs = {k: v.detach().numpy() for k, v in make(torch.nn).named_parameters()}
        assert ours.keys() == theirs.keys()
        for k in ours:
            if ours[k].size >= 1000:   # enough samples for a 10% check of the std
                assert ours[k].std() == pytest.approx(theirs[k].std(), rel=0.1), k
