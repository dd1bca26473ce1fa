"""Hostile inputs for minitensor.nn (issue 11), each checked against PyTorch 2.13
where it is installed and by a torch-free assertion of the expected result:

1. empty inputs PyTorch accepts (batch/group/layer/RMS norm, softmax over an
   empty axis, recurrent layers with batch 0, attention with no keys or queries);
2. attention edge cases: dropout_p=1, query rows whose keys are all masked
   (zero, not NaN, in scaled_dot_product_attention), padded batches;
3. ``inplace=True`` honoured by every activation and dropout with PyTorch's
   semantics (same object returned, version bump, leaf check, gradients);
4. elementwise activations at +-inf, +-1e30 and nan: PyTorch's values, no NumPy
   warnings (pytest turns warnings into errors).
"""
import inspect

import numpy as np
import pytest

import minitensor as xp
from minitensor import nn
import minitensor.nn.functional as F

try:
    import torch
    import torch.nn.functional as TF
except ImportError:  # pragma: no cover - the torch-free assertions still run
    torch = TF = None


def _np(t):
    if torch is not None and isinstance(t, torch.Tensor):
        return t.detach().numpy()
    if isinstance(t, xp.Tensor):
        return np.asarray(t.detach()._array)
    return np.asarray(t)


def close(a, b, rtol=1e-6, atol=1e-7):
    np.testing.assert_allclose(_np(a), _np(b), rtol=rtol, atol=atol, equal_nan=True)


def leaf(a):
    return xp.tensor(np.array(a, copy=True), requires_grad=True)


def tleaf(a):
    return torch.tensor(np.array(a, copy=True), requires_grad=True)


RNG = np.random.default_rng(11)


def randn(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


# ======================================================================= 1. empty inputs
@pytest.mark.parametrize("shape", [(0, 3), (0, 3, 4), (2, 0), (2, 3, 0)])
@pytest.mark.parametrize("training", [False, True])
def test_batch_norm_empty_input(shape, training):
    c = shape[1]
    x = leaf(np.zeros(shape))
    w, b = leaf(np.ones(c)), leaf(np.zeros(c))
    rm, rv = xp.asarray(np.full(c, 0.5)), xp.asarray(np.full(c, 2.0))
    y = F.batch_norm(x, rm, rv, w, b, training=training)
    assert y.shape == shape
    xp.sum(y).backward()
    assert x.grad.shape == shape
    close(w.grad, np.zeros(c))
    close(b.grad, np.zeros(c))
    close(rm, np.full(c, 0.5))  # the running statistics are untouched
    close(rv, np.full(c, 2.0))
    if torch is not None and c:  # (PyTorch 2.13 fails on C = 0 with a weight: IndexError)
        tx, tw, tb = tleaf(np.zeros(shape)), tleaf(np.ones(c)), tleaf(np.zeros(c))
        trm, trv = torch.full((c,), 0.5, dtype=torch.float64), torch.full((c,), 2.0,
                                                                        dtype=torch.float64)
        ty = TF.batch_norm(tx, trm, trv, tw, tb, training=training)
        ty.sum().backward()
        assert tuple(ty.shape) == shape
        close(w.grad, tw.grad)
        close(b.grad, tb.grad)
        close(rm, trm)
        close(rv, trv)


def test_batch_norm_module_empty_batch():
    bn = nn.BatchNorm1d(3)
    y = bn(xp.zeros((0, 3), dtype=xp.float32))
    assert y.shape == (0, 3)
    close(bn.running_mean, np.zeros(3))
    close(bn.running_var, np.ones(3))
    assert int(bn.num_batches_tracked) == 1
    bn.eval()
    assert bn(xp.zeros((0, 3, 5), dtype=xp.float32)).shape == (0, 3, 5)
    if torch is not None:
        tbn = torch.nn.BatchNorm1d(3)
        tbn(torch.zeros(0, 3))
        assert int(tbn.num_batches_tracked) == 1
        close(bn.running_var, tbn.running_var)


@pytest.mark.parametrize("shape,groups", [((0, 4, 3), 2), ((2, 0, 3), 2), ((2, 0, 3), 1),
                                          ((0, 0, 3), 2), ((2, 4, 0), 2)])
def test_group_norm_empty_input(shape, groups):
    c = shape[1]
    x, w, b = leaf(np.zeros(shape)), leaf(np.ones(c)), leaf(np.zeros(c))
    y = F.group_norm(x, groups, w, b)
    assert y.shape == shape
    xp.sum(y).backward()
    assert x.grad.shape == shape
    close(w.grad, np.zeros(c))  # a sum over no elements
    close(b.grad, np.zeros(c))
    if torch is not None:
        tx, tw, tb = tleaf(np.zeros(shape)), tleaf(np.ones(c)), tleaf(np.zeros(c))
        ty = TF.group_norm(tx, groups, tw, tb)
        assert tuple(ty.shape) == shape
        ty.sum().backward()
        close(b.grad, tb.grad)
        if shape[2] != 0:
            # Note: with an empty spatial axis PyTorch's weight gradient is NaN
            # (0 * the NaN statistics of nothing); here it is 0, the sum over nothing
            close(w.grad, tw.grad)


@pytest.mark.parametrize("fname", ["layer_norm", "rms_norm"])
@pytest.mark.parametrize("shape,norm", [((2, 0), (0,)), ((0, 3), (3,)), ((2, 0, 3), (0, 3)),
                                        ((0,), (0,))])
def test_layer_and_rms_norm_empty_input(fname, shape, norm):
    x, w, b = leaf(np.zeros(shape)), leaf(np.ones(norm)), leaf(np.zeros(norm))
    args = (w, b) if fname == "layer_norm" else (w,)
    y = getattr(F, fname)(x, norm, *args)
    assert y.shape == shape
    xp.sum(y).backward()
    assert x.grad.shape == shape
    close(w.grad, np.zeros(norm))
    if fname == "layer_norm":
        close(b.grad, np.zeros(norm))
    if torch is not None:
        tx, tw, tb = tleaf(np.zeros(shape)), tleaf(np.ones(norm)), tleaf(np.zeros(norm))
        targs = (tw, tb) if fname == "layer_norm" else (tw,)
        ty = getattr(TF, fname)(tx, norm, *targs)
        assert tuple(ty.shape) == shape
        ty.sum().backward()
        close(w.grad, tw.grad)


@pytest.mark.parametrize("fname", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("shape,dim", [((2, 0), 1), ((0,), 0), ((0, 3), 1), ((3, 0, 2), 1)])
def test_softmax_family_empty_axis(fname, shape, dim):
    x = leaf(np.zeros(shape))
    y = getattr(F, fname)(x, dim=dim)
    assert y.shape == shape and y.dtype == xp.float64
    xp.sum(y).backward()
    assert x.grad.shape == shape
    if torch is not None:
        assert tuple(getattr(TF, fname)(torch.zeros(shape), dim=dim).shape) == shape


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
def test_recurrent_batch_zero(cls):
    m = getattr(nn, cls)(3, 4, num_layers=2, bidirectional=True)
    x = xp.zeros((5, 0, 3), dtype=xp.float32)
    x.requires_grad_()
    out, h = m(x)
    hn = h[0] if cls == "LSTM" else h
    assert out.shape == (5, 0, 8) and hn.shape == (4, 0, 4)
    if cls == "LSTM":
        assert h[1].shape == (4, 0, 4)
    (xp.sum(out) + xp.sum(hn)).backward()
    assert x.grad.shape == (5, 0, 3)
    for p in m.parameters():
        close(p.grad, np.zeros(p.shape))
    mb = getattr(nn, cls)(3, 4, batch_first=True)
    assert mb(xp.zeros((0, 5, 3), dtype=xp.float32))[0].shape == (0, 5, 4)
    # an empty sequence is an error, as in PyTorch
    with pytest.raises(RuntimeError, match="sequence length"):
        mb(xp.zeros((2, 0, 3), dtype=xp.float32))
    with pytest.raises(RuntimeError, match="sequence length"):
        mb(xp.zeros((0, 3), dtype=xp.float32))
    if torch is not None:
        tm = getattr(torch.nn, cls)(3, 4, num_layers=2, bidirectional=True)
        tx = torch.zeros(5, 0, 3, requires_grad=True)
        to, th = tm(tx)
        assert tuple(to.shape) == out.shape
        tmb = getattr(torch.nn, cls)(3, 4, batch_first=True)
        with pytest.raises(RuntimeError, match="sequence length"):
            tmb(torch.zeros(2, 0, 3))


def test_kl_div_batchmean_of_an_empty_batch_is_nan():
    x = leaf(np.zeros((0, 3)))
    y = F.kl_div(x, xp.zeros((0, 3)), reduction="batchmean")
    assert np.isnan(float(y))
    y.backward()
    assert x.grad.shape == (0, 3)
    if torch is not None:
        assert torch.isnan(TF.kl_div(torch.zeros(0, 3), torch.zeros(0, 3),
                                     reduction="batchmean"))


def test_sdpa_with_empty_embedding_attends_uniformly():
    # every score is a sum over nothing: 0, so each query averages the values
    v = randn(2, 5, 4)
    out, gq, gk, gv = res = _sdpa(np.zeros((2, 3, 0)), np.zeros((2, 5, 0)), v)
    close(out, np.broadcast_to(v.mean(axis=1, keepdims=True), (2, 3, 4)), rtol=1e-12)
    assert gq.shape == (2, 3, 0) and gk.shape == (2, 5, 0)
    _compare_sdpa(np.zeros((2, 3, 0)), np.zeros((2, 5, 0)), v, res)


def _mha_pair(E=4, heads=2, batch_first=False, dropout=0.0):
    """A MultiheadAttention and (if torch is installed) a torch copy of it, with
    non-zero biases."""
    m = nn.MultiheadAttention(E, heads, batch_first=batch_first, dropout=dropout,
                              dtype=xp.float64)
    with xp.no_grad():
        m.in_proj_bias[...] = xp.asarray(randn(3 * E))
        m.out_proj.bias[...] = xp.asarray(randn(E))
    tm = None
    if torch is not None:
        tm = torch.nn.MultiheadAttention(E, heads, batch_first=batch_first, dropout=dropout,
                                         dtype=torch.float64)
        with torch.no_grad():
            for name, p in tm.named_parameters():
                p.copy_(torch.tensor(dict(m.named_parameters())[name]._array))
    return m, tm


def _mha_run(m, q, k, **kw):
    qt, kt = leaf(q), leaf(k)
    out, w = m(qt, kt, kt, **kw)
    xp.sum(out).backward()
    return out, w, qt.grad, kt.grad


def _tmha_run(tm, q, k, **kw):
    qt, kt = tleaf(q), tleaf(k)
    out, w = tm(qt, kt, kt, **kw)
    out.sum().backward()
    return out, w, qt.grad, kt.grad


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("L,S", [(3, 0), (0, 3)])
def test_multihead_attention_empty_keys_or_queries(batch_first, need_weights, L, S):
    N, E = 2, 4
    m, tm = _mha_pair(E, 2, batch_first)
    q = randn(N, L, E) if batch_first else randn(L, N, E)
    k = randn(N, S, E) if batch_first else randn(S, N, E)
    out, w, gq, gk = _mha_run(m, q, k, need_weights=need_weights)
    assert out.shape == q.shape and gq.shape == q.shape and gk.shape == k.shape
    if need_weights:
        assert w.shape == (N, L, S)
    else:
        assert w is None
    if S == 0:
        # no keys: the attention is a sum over nothing, so the output is out_proj's bias
        close(out, np.broadcast_to(m.out_proj.bias._array, q.shape))
        close(gq, np.zeros(q.shape))
    if tm is not None:
        tout, tw, tgq, tgk = _tmha_run(tm, q, k, need_weights=need_weights)
        close(out, tout)
        close(gq, tgq)
        close(gk, tgk)
        close(m.in_proj_weight.grad, tm.in_proj_weight.grad)


# ================================================================ 2. attention edge cases
def _sdpa(q, k, v, **kw):
    qt, kt, vt = leaf(q), leaf(k), leaf(v)
    out = F.scaled_dot_product_attention(qt, kt, vt, **kw)
    xp.sum(out * xp.asarray(np.arange(out.size, dtype=np.float64).reshape(out.shape) / 7)
           ).backward()
    return out, qt.grad, kt.grad, vt.grad


def _tsdpa(q, k, v, **kw):
    qt, kt, vt = tleaf(q), tleaf(k), tleaf(v)
    out = TF.scaled_dot_product_attention(qt, kt, vt, **kw)
    (out * torch.arange(out.numel(), dtype=torch.float64).reshape(out.shape) / 7).sum(
    ).backward()
    return out, qt.grad, kt.grad, vt.grad


def _compare_sdpa(q, k, v, res, mask_t=None, **kw):
    if torch is None:
        return
    if mask_t is not None:
        kw["attn_mask"] = mask_t
    for a, b in zip(res, _tsdpa(q, k, v, **kw)):
        close(a, b)


def test_sdpa_dropout_one_gives_zeros():
    q, k, v = randn(2, 3, 4), randn(2, 5, 4), randn(2, 5, 4)
    res = _sdpa(q, k, v, dropout_p=1.0)
    for t in res:
        close(t, np.zeros(t.shape))
    _compare_sdpa(q, k, v, res, dropout_p=1.0)


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_sdpa_fully_masked_query_row_is_zero(kind):
    q, k, v = randn(2, 3, 4), randn(2, 5, 4), randn(2, 5, 4)
    allowed = np.ones((3, 5), bool)
    allowed[1] = False          # query 1 may attend to nothing
    allowed[2, 3:] = False      # query 2 to keys 0..2 only
    mask = allowed if kind == "bool" else np.where(allowed, 0.0, -np.inf)
    out, gq, gk, gv = res = _sdpa(q, k, v, attn_mask=xp.asarray(mask))
    for t in res:
        assert np.isfinite(t._array).all()
    close(out[:, 1], np.zeros((2, 4)))
    close(gq[:, 1], np.zeros((2, 4)))
    # the other rows are those of attention over their allowed keys only
    ref = _sdpa(q[:, 2:], k[:, :3], v[:, :3])[0]
    close(out[:, 2:], ref, rtol=1e-12, atol=1e-12)
    _compare_sdpa(q, k, v, res, mask_t=None if torch is None else torch.tensor(mask))


def test_sdpa_padded_batch_does_not_turn_nan():
    # batch element 1 is all padding: a (N, 1, S) key mask masking every key
    q, k, v = randn(2, 3, 4), randn(2, 5, 4), randn(2, 5, 4)
    allowed = np.ones((2, 1, 5), bool)
    allowed[0, 0, 3:] = False
    allowed[1] = False
    res = _sdpa(q, k, v, attn_mask=xp.asarray(allowed))
    for t in res:
        assert np.isfinite(t._array).all()
    close(res[0][1], np.zeros((3, 4)))
    close(res[3][1], np.zeros((5, 4)))
    _compare_sdpa(q, k, v, res, mask_t=None if torch is None else torch.tensor(allowed))


@pytest.mark.parametrize("L,S", [(6, 2), (2, 6), (3, 3), (3, 0), (0, 3)])
def test_sdpa_causal_and_empty_shapes(L, S):
    q, k, v = randn(2, L, 4), randn(2, S, 4), randn(2, S, 4)
    res = _sdpa(q, k, v, is_causal=True)
    assert res[0].shape == (2, L, 4)
    for t in res:
        assert np.isfinite(t._array).all()
    if S == 0:
        close(res[0], np.zeros((2, L, 4)))
    _compare_sdpa(q, k, v, res, is_causal=True)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("need_weights", [True, False])
def test_multihead_attention_key_padding_mask_masking_every_key(batch_first, need_weights):
    N, L, S, E = 2, 3, 4, 4
    m, tm = _mha_pair(E, 2, batch_first)
    q = randn(N, L, E) if batch_first else randn(L, N, E)
    k = randn(N, S, E) if batch_first else randn(S, N, E)
    kpm = np.array([[False, False, True, True], [True, True, True, True]])
    out, w, gq, gk = _mha_run(m, q, k, key_padding_mask=xp.asarray(kpm),
                              need_weights=need_weights)
    o = out._array if batch_first else np.swapaxes(out._array, 0, 1)
    assert np.isfinite(o[0]).all()
    if need_weights:
        # PyTorch 2.13 returns the weights from an explicit softmax: NaN for the
        # element with no key to attend to
        assert np.isnan(o[1]).all() and np.isnan(w._array[1]).all()
    else:
        # ... and computes with its fused attention otherwise: zero attention, so
        # out_proj's bias, and finite gradients
        close(o[1], np.broadcast_to(m.out_proj.bias._array, (L, E)))
        assert np.isfinite(gq._array).all() and np.isfinite(gk._array).all()
        assert np.isfinite(m.in_proj_weight.grad._array).all()
    if tm is not None:
        tout, tw, tgq, tgk = _tmha_run(tm, q, k, key_padding_mask=torch.tensor(kpm),
                                       need_weights=need_weights)
        close(out, tout)
        close(gq, tgq)
        close(gk, tgk)
        close(m.in_proj_weight.grad, tm.in_proj_weight.grad)
        if need_weights:
            close(w, tw)


def test_dropout_one_in_attention_and_recurrent_layers():
    # 1 / (1 - p) was a ZeroDivisionError
    m, tm = _mha_pair(4, 2, batch_first=True, dropout=1.0)
    q = randn(2, 3, 4)
    for need_weights in (True, False):
        out, w = m(xp.asarray(q), xp.asarray(q), xp.asarray(q), need_weights=need_weights)
        close(out, np.broadcast_to(m.out_proj.bias._array, q.shape))
        if need_weights:
            close(w, np.zeros((2, 3, 3)))
        if tm is not None:
            tout, _ = tm(torch.tensor(q), torch.tensor(q), torch.tensor(q),
                         need_weights=need_weights)
            close(out, tout)
    lstm = nn.LSTM(3, 4, num_layers=2, dropout=1.0, dtype=xp.float64)
    x = leaf(randn(5, 2, 3))
    out, (h, c) = lstm(x)
    xp.sum(out).backward()
    close(x.grad, np.zeros(x.shape))  # the second layer sees zeros
    close(lstm.weight_ih_l0.grad, np.zeros(lstm.weight_ih_l0.shape))
    if torch is not None:
        tl = torch.nn.LSTM(3, 4, num_layers=2, dropout=1.0, dtype=torch.float64)
        with torch.no_grad():
            for name, p in tl.named_parameters():
                p.copy_(torch.tensor(getattr(lstm, name)._array))
        tout, (th, tc) = tl(tleaf(x._array))
        close(out, tout)
        close(h, th)
        close(c, tc)


# ======================================================================== 3. inplace=True
# every function of nn.functional and every module with an ``inplace`` parameter
INPLACE_FUNCTIONS = {
    "relu": (), "relu6": (), "leaky_relu": (0.2,), "elu": (0.7,), "selu": (), "celu": (1.3,),
    "silu": (), "hardsigmoid": (), "hardswish": (), "mish": (), "hardtanh": (-0.5, 2.0),
    "dropout": (0.4,), "dropout1d": (0.4,), "dropout2d": (0.4,), "dropout3d": (0.4,),
}
DETERMINISTIC = [n for n in INPLACE_FUNCTIONS if not n.startswith("dropout")]
INPLACE_MODULES = {
    "ReLU": (), "ReLU6": (), "LeakyReLU": (0.2,), "ELU": (0.7,), "SELU": (), "CELU": (1.3,),
    "SiLU": (), "Hardsigmoid": (), "Hardswish": (), "Mish": (), "Hardtanh": (-0.5, 2.0),
    "Dropout": (0.4,), "Dropout1d": (0.4,), "Dropout2d": (0.4,), "Dropout3d": (0.4,),
}


def _shape_for(name):
    return {"1d": (2, 3, 4), "2d": (2, 3, 2, 2), "3d": (2, 3, 2, 2, 2)}.get(name[-2:].lower(),
                                                                           (3, 5))


def test_inplace_parameters_are_all_covered():
    fns = {n for n in F.__all__
           if "inplace" in inspect.signature(getattr(F, n)).parameters}
    assert fns == set(INPLACE_FUNCTIONS)
    mods = {n for n in nn.__all__ if isinstance(getattr(nn, n), type)
            and "inplace" in inspect.signature(getattr(nn, n).__init__).parameters}
    assert mods == set(INPLACE_MODULES)


def _call(name, x, inplace, **kw):
    xp.manual_seed(3)
    return getattr(F, name)(x, *INPLACE_FUNCTIONS[name], inplace=inplace, **kw)


@pytest.mark.parametrize("name", list(INPLACE_FUNCTIONS))
def test_inplace_writes_the_input_and_returns_it(name):
    a = randn(*_shape_for(name)) * 3
    expected = _call(name, xp.asarray(a.copy()), False)._array
    x = xp.asarray(a.copy())
    y = _call(name, x, True)
    assert y is x
    close(x, expected, rtol=0, atol=0)
    assert not np.array_equal(x._array, a)  # it did change
    if name.startswith("dropout"):
        # evaluation mode and p=0: the input itself, untouched
        x = xp.asarray(a.copy())
        assert getattr(F, name)(x, 0.4, training=False, inplace=True) is x
        assert getattr(F, name)(x, 0.0, inplace=True) is x
        close(x, a, rtol=0, atol=0)
    elif torch is not None:
        tx = torch.tensor(a.copy())
        assert getattr(TF, name)(tx, *INPLACE_FUNCTIONS[name], inplace=True) is tx
        close(x, tx)


@pytest.mark.parametrize("name", list(INPLACE_MODULES))
def test_inplace_modules_write_the_input(name):
    a = randn(*_shape_for(name)) * 3
    m = getattr(nn, name)(*INPLACE_MODULES[name], inplace=True)
    ref = getattr(nn, name)(*INPLACE_MODULES[name])
    assert "inplace=True" in repr(m)
    xp.manual_seed(5)
    expected = ref(xp.asarray(a.copy()))._array
    x = xp.asarray(a.copy())
    xp.manual_seed(5)
    assert m(x) is x
    close(x, expected, rtol=0, atol=0)
    if torch is not None and not name.startswith("Dropout"):
        tx = torch.tensor(a.copy())
        getattr(torch.nn, name)(*INPLACE_MODULES[name], inplace=True)(tx)
        close(x, tx)


@pytest.mark.parametrize("name", list(INPLACE_FUNCTIONS))
def test_inplace_on_a_leaf_that_requires_grad_raises(name):
    a = randn(*_shape_for(name))
    w = leaf(a)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad is being used in "
                                           "an in-place operation"):
        _call(name, w, True)
    with pytest.raises(RuntimeError, match="view of a leaf Variable that requires grad"):
        _call(name, w[:1], True)
    close(w, a, rtol=0, atol=0)  # nothing was written
    if name.startswith("dropout"):  # the identity (evaluation, p=0) writes nothing: no error
        assert getattr(F, name)(w, 0.4, training=False, inplace=True) is w
        assert getattr(F, name)(w, 0.0, inplace=True) is w
        if torch is not None:
            tw = tleaf(a)
            assert getattr(TF, name)(tw, 0.4, training=False, inplace=True) is tw
    with xp.no_grad():  # allowed: the version is bumped
        assert _call(name, w, True) is w
    assert not np.array_equal(w._array, a)
    if torch is not None:
        tw = tleaf(a)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad is being used "
                                               "in an in-place operation"):
            getattr(TF, name)(tw, *INPLACE_FUNCTIONS[name], inplace=True)
        with pytest.raises(RuntimeError, match="view of a leaf Variable that requires grad"):
            getattr(TF, name)(tw[:1], *INPLACE_FUNCTIONS[name], inplace=True)


@pytest.mark.parametrize("name", list(INPLACE_FUNCTIONS))
def test_inplace_invalidates_graphs_that_saved_the_old_value(name):
    a = randn(*_shape_for(name))
    w = leaf(a)
    h = w * 2.0
    saved = xp.sum(h * h)  # multiply saves h
    _call(name, h, True)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        saved.backward()
    # a saved output of an nn operation too (sigmoid keeps its result)
    s = F.sigmoid(leaf(a) * 1.0)
    _call(name, s, True)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        xp.sum(s).backward()
    # and a leaf written under no_grad
    w = leaf(a)
    saved = xp.sum(w * w)
    with xp.no_grad():
        _call(name, w, True)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        saved.backward()
    if torch is not None:
        tw = tleaf(a)
        th = tw * 2.0
        tsaved = (th * th).sum()
        getattr(TF, name)(th, *INPLACE_FUNCTIONS[name], inplace=True)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            tsaved.backward()
        ts = torch.sigmoid(tleaf(a) * 1.0)
        getattr(TF, name)(ts, *INPLACE_FUNCTIONS[name], inplace=True)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            ts.sum().backward()


@pytest.mark.parametrize("name", DETERMINISTIC)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_inplace_gradients_on_a_non_leaf(name, dtype):
    a = randn(4, 6, dtype=dtype) * 3
    c = randn(4, 6, dtype=dtype)
    w = leaf(a)
    h = w * 1.5 + 0.25
    r = _call(name, h, True)
    assert r is h and h.requires_grad and not h.is_leaf
    xp.sum(h * xp.asarray(c)).backward()
    # the same as out of place
    w2 = leaf(a)
    h2 = _call(name, w2 * 1.5 + 0.25, False)
    xp.sum(h2 * xp.asarray(c)).backward()
    close(h, h2, rtol=0, atol=0)
    close(w.grad, w2.grad, rtol=0, atol=0)
    if torch is not None:
        tw = tleaf(a)
        th = tw * 1.5 + 0.25
        getattr(TF, name)(th, *INPLACE_FUNCTIONS[name], inplace=True)
        (th * torch.tensor(c)).sum().backward()
        # (PyTorch's float64 celu/hardsigmoid gradients use float32 constants)
        tol = 1e-5 if dtype == np.float32 else 1e-7
        close(h, th, rtol=tol, atol=tol)
        close(w.grad, tw.grad, rtol=tol, atol=tol)


@pytest.mark.parametrize("name", ["dropout", "dropout1d", "dropout2d", "dropout3d"])
def test_inplace_dropout_gradients_on_a_non_leaf(name):
    a = randn(*_shape_for(name))
    c = randn(*_shape_for(name))
    w = leaf(a)
    h = w * 2.0
    assert _call(name, h, True) is h
    xp.sum(h * xp.asarray(c)).backward()
    w2 = leaf(a)
    h2 = _call(name, w2 * 2.0, False)  # the same draws (same seed)
    xp.sum(h2 * xp.asarray(c)).backward()
    close(h, h2, rtol=0, atol=0)
    close(w.grad, w2.grad, rtol=0, atol=0)
    # p = 1: zeros, zero gradients (as PyTorch)
    w = leaf(a)
    h = w * 2.0
    assert getattr(F, name)(h, 1.0, inplace=True) is h
    xp.sum(h).backward()
    close(h, np.zeros(a.shape))
    close(w.grad, np.zeros(a.shape))
    if torch is not None:
        tw = tleaf(a)
        th = tw * 2.0
        getattr(TF, name)(th, 1.0, inplace=True)
        th.sum().backward()
        close(h, th)
        close(w.grad, tw.grad)


def test_inplace_activation_inside_a_network_trains_like_out_of_place():
    def net(inplace):
        xp.manual_seed(0)
        # (chained: ReLU then Dropout write into the same tensor)
        return nn.Sequential(nn.Linear(4, 8), nn.ReLU(inplace=inplace),
                             nn.Dropout(0.2, inplace=inplace), nn.Linear(8, 8),
                             nn.BatchNorm1d(8), nn.LeakyReLU(0.1, inplace=inplace),
                             nn.Dropout(0.3, inplace=inplace), nn.Hardtanh(inplace=inplace),
                             nn.Linear(8, 1))
    x = xp.asarray(randn(16, 4, dtype=np.float32))
    grads = []
    for inplace in (True, False):
        m = net(inplace)
        xp.manual_seed(1)
        loss = xp.sum(m(x) ** 2)
        loss.backward()
        grads.append([p.grad._array.copy() for p in m.parameters()])
    for g1, g2 in zip(*grads):
        close(g1, g2, rtol=0, atol=0)


@pytest.mark.parametrize("producer", ["elu", "gelu", "linear", "rnn", "layer_norm",
                                      "batch_norm", "conv1d"])
def test_inplace_on_an_output_its_operation_did_not_save(producer):
    # as PyTorch: these keep their input, not their output, for the backward, so the
    # output may be activated in place
    a, c = randn(2, 3, 4), randn(2, 3, 4)
    w = leaf(a)
    wt, wl = leaf(randn(3, 3, 1)), leaf(randn(4, 4))
    rnn = nn.RNN(4, 4, dtype=xp.float64)
    ops = {"elu": lambda t: F.elu(t), "gelu": lambda t: F.gelu(t),
           "linear": lambda t: F.linear(t, wl),
           "rnn": lambda t: rnn(t)[0], "layer_norm": lambda t: F.layer_norm(t, (4,)),
           "batch_norm": lambda t: F.batch_norm(t, None, None, training=True),
           "conv1d": lambda t: F.conv1d(t, wt, padding=0)}
    h = ops[producer](w * 1.0)
    assert F.relu(h, inplace=True) is h
    xp.sum(h * xp.asarray(c)).backward()
    w2 = leaf(a)
    h2 = F.relu(ops[producer](w2 * 1.0))
    xp.sum(h2 * xp.asarray(c)).backward()
    close(w.grad, w2.grad, rtol=0, atol=0)


def test_inplace_twice_on_the_same_tensor():
    a, c = randn(3, 4), randn(3, 4)
    w = leaf(a)
    h = w * 2.0
    for name in ("relu", "hardtanh", "relu", "elu", "relu"):
        assert _call(name, h, True) is h
    xp.sum(h * xp.asarray(c)).backward()
    w2 = leaf(a)
    h2 = w2 * 2.0
    for name in ("relu", "hardtanh", "relu", "elu", "relu"):
        h2 = _call(name, h2, False)
    xp.sum(h2 * xp.asarray(c)).backward()
    close(h, h2, rtol=0, atol=0)
    close(w.grad, w2.grad, rtol=0, atol=0)


def test_inplace_writes_through_views_of_plain_tensors():
    base = xp.asarray([[-1.0, 2.0], [-3.0, 4.0]])
    row = base[0]
    assert F.leaky_relu(row, 0.5, inplace=True) is row
    close(base, [[-0.5, 2.0], [-3.0, 4.0]], rtol=0, atol=0)
    if torch is not None:
        tbase = torch.tensor([[-1.0, 2.0], [-3.0, 4.0]], dtype=torch.float64)
        TF.leaky_relu(tbase[0], 0.5, inplace=True)
        close(base, tbase)


def test_inplace_on_a_read_only_tensor_is_refused():
    x = xp.broadcast_to(xp.asarray([-1.0, 2.0]), (3, 2))
    with pytest.raises(RuntimeError, match="read-only"):
        F.relu(x, inplace=True)
    if torch is not None:
        with pytest.raises(RuntimeError, match="single memory location"):
            TF.relu(torch.tensor([-1.0, 2.0]).expand(3, 2), inplace=True)


@pytest.mark.parametrize("which", ["row", "reshape", "columns"])
def test_inplace_on_a_view_of_a_non_leaf_is_recorded_on_its_base(which):
    # as PyTorch's CopySlices: the base's gradient sees the activation
    x0 = randn(2, 3)

    def run(mod, F, x):
        h = x * 2.0
        if which == "row":
            r = F.relu(h[0], inplace=True)
        elif which == "reshape":
            r = F.relu(h.reshape(3, 2), inplace=True)
        else:
            r = F.elu(h[:, 1:], inplace=True)
        (mod.sum(h * h * x) + mod.sum(r * r)).backward()
        return x.grad

    got = run(xp, F, leaf(x0))
    if torch is not None:
        close(got, run(torch, TF, tleaf(x0)), rtol=1e-12, atol=1e-12)


# ================================================== 4. activations at +-inf, 1e30, nan
SPECIAL = [-np.inf, -1e30, -1.0, 0.0, 1.0, 1e30, np.inf, np.nan]
_W = {np.float32: np.float32(0.25), np.float64: 0.25}
# every elementwise activation of nn.functional: (minitensor call, torch call)
ACTIVATIONS = {
    "relu": (F.relu, "relu"), "relu6": (F.relu6, "relu6"),
    "leaky_relu": (F.leaky_relu, "leaky_relu"),
    "gelu": (F.gelu, "gelu"),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"),
                  lambda x: TF.gelu(x, approximate="tanh")),
    "silu": (F.silu, "silu"), "sigmoid": (F.sigmoid, lambda x: torch.sigmoid(x)),
    "tanh": (F.tanh, lambda x: torch.tanh(x)),
    "elu": (F.elu, "elu"), "selu": (F.selu, "selu"), "celu": (F.celu, "celu"),
    "celu_a2": (lambda x: F.celu(x, 2.0), lambda x: TF.celu(x, 2.0)),
    "softplus": (F.softplus, "softplus"),
    "softplus_b2": (lambda x: F.softplus(x, 2.0, 5.0), lambda x: TF.softplus(x, 2.0, 5.0)),
    "hardtanh": (F.hardtanh, "hardtanh"), "logsigmoid": (F.logsigmoid, "logsigmoid"),
    "mish": (F.mish, "mish"), "hardsigmoid": (F.hardsigmoid, "hardsigmoid"),
    "hardswish": (F.hardswish, "hardswish"), "softsign": (F.softsign, "softsign"),
    "prelu": (lambda x: F.prelu(x, xp.asarray(np.array([0.25], x._array.dtype))),
              lambda x: TF.prelu(x, torch.tensor([0.25], dtype=x.dtype))),
}
# Deliberate differences from PyTorch 2.13 at these points: (name, dtype or None, input)
#   softsign(+-inf): the limits +-1 (PyTorch computes inf / inf = NaN, gradient NaN);
#   gelu(+inf) in float32: inf, as PyTorch's float64 (its float32 kernel gives NaN).
DIVERGES = {("softsign", None, np.inf), ("softsign", None, -np.inf),
            ("gelu", np.float32, np.inf)}


def test_special_values_cover_every_activation():
    section = F.__all__[F.__all__.index("relu"):F.__all__.index("softmax")]
    assert set(section) <= {n for n in ACTIVATIONS} | {"softmax"}


def test_softsign_at_infinity():
    for dt in (xp.float32, xp.float64):
        x = xp.tensor(np.array([-np.inf, np.inf, np.nan]), dtype=dt, requires_grad=True)
        y = F.softsign(x)
        close(y, [-1.0, 1.0, np.nan], rtol=0, atol=0)
        xp.sum(y).backward()
        close(x.grad[:2], [0.0, 0.0], rtol=0, atol=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_special_values(name, dtype):
    a = np.array(SPECIAL, dtype)
    f, tf = ACTIVATIONS[name]
    x = xp.tensor(a.copy(), requires_grad=True)
    y = f(x)  # (no NumPy warning: pytest makes them errors)
    assert y.dtype == x.dtype and y.shape == x.shape
    y.backward(xp.ones(y.shape, dtype=y.dtype))
    yv, gv = y.detach()._array, x.grad._array
    if name in ("relu", "relu6", "hardtanh", "hardsigmoid", "sigmoid", "tanh", "softsign",
                "elu", "selu", "celu", "celu_a2", "softplus", "softplus_b2", "leaky_relu",
                "logsigmoid", "prelu"):
        assert np.isnan(yv[-1])  # nan propagates
        assert not np.isnan(yv[:-1]).any()
    if torch is None:
        return
    tfn = getattr(TF, tf) if isinstance(tf, str) else tf
    tx = torch.tensor(a.copy(), requires_grad=True)
    ty = tfn(tx)
    ty.backward(torch.ones_like(ty))
    # (PyTorch's float64 celu/hardsigmoid gradients use float32 constants)
    tol = 1e-6 if dtype == np.float32 else 1e-7
    keep = np.array([(name, dtype, v) not in DIVERGES and (name, None, v) not in DIVERGES
                     for v in SPECIAL])
    np.testing.assert_allclose(yv[keep], ty.detach().numpy()[keep], rtol=tol, atol=tol,
                               equal_nan=True)
    # gradients at every point but nan (PyTorch's own gradient at nan depends on the
    # length of the array: its vectorised and scalar loops differ)
    keep[-1] = False
    np.testing.assert_allclose(gv[keep], tx.grad.numpy()[keep], rtol=tol, atol=tol,
                               equal_nan=True)
