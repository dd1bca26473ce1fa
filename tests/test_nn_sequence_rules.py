"""The sequence primitives (``nn/_sequence_ops.py``: ``nn.embedding`` /
``nn.embedding_backward``, ``nn.scaled_dot_product_attention``,
``nn.multi_head_attention``, ``nn.rnn_stack``) and their rules
(``nn/_sequence_rules.py``): the fused first-order path (no ``create_graph``)
and the differentiable path agree, Hessian-vector products match finite
differences and PyTorch's double backward (LSTM, GRU, Elman RNN with tanh and
relu; layers, bidirectional, batch_first, dropout masks; attention masks, fully
masked rows, dropout, need_weights), and in-place writes into what the rules
read still raise at backward."""
import numpy as np
import pytest

import minitensor as xp
from minitensor import autograd, nn
from minitensor.autograd import gradgradcheck
from minitensor.autograd._engine import RULES
import minitensor.nn.functional as F
from minitensor.nn import _sequence_ops as S

from test_nn_rules import _check_second_order, torch

if torch is not None:
    import torch.nn.attention
    import torch.nn.functional as TF
    from torch.func import functional_call

rng = np.random.default_rng(11)
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


def _t(a, rg=True):
    return xp.tensor(np.array(a, dtype=np.float64), requires_grad=rg)


def test_primitives_have_rules():
    for name in ("embedding", "embedding_backward", "scaled_dot_product_attention",
                 "multi_head_attention", "rnn_stack"):
        assert "nn." + name in RULES
        assert hasattr(getattr(S, name), "__wrapped_raw__")


def test_one_node_per_call():
    w = _t(rng.standard_normal((4, 2)))
    assert F.embedding(xp.asarray([1, 3]), w).grad_fn.name == "nn.embedding"
    q = _t(rng.standard_normal((2, 3)))
    assert F.scaled_dot_product_attention(q, q, q).grad_fn.name == \
        "nn.scaled_dot_product_attention"
    lstm = nn.LSTM(2, 3, num_layers=2, dtype=xp.float64)
    out, (h, c) = lstm(_t(rng.standard_normal((4, 1, 2))))
    assert out.grad_fn is h.grad_fn is c.grad_fn
    assert out.grad_fn.name == "nn.rnn_stack"


# ========================================================================= embedding
IDX = np.array([[0, 2, 4], [2, 1, 0], [2, 2, 3]])


@pytest.mark.parametrize("kw", [{}, {"padding_idx": 2}, {"scale_grad_by_freq": True},
                                {"padding_idx": 0, "scale_grad_by_freq": True}])
def test_embedding_gradient_and_its_gradient(kw):
    # first order: the index-add (padding row zero, rows over their counts);
    # second order w.r.t. the cotangent: the adjoint gather with the same factors
    w = _t(rng.standard_normal((5, 3)))
    v = _t(rng.standard_normal((3, 3, 3)))
    g, = autograd.grad(F.embedding(xp.asarray(IDX), w, **kw), w, v, create_graph=True)
    counts = np.bincount(IDX.reshape(-1), minlength=5)
    f = np.ones(IDX.shape)
    if kw.get("scale_grad_by_freq"):
        f = f / counts[IDX]
    if "padding_idx" in kw:
        f = np.where(IDX == kw["padding_idx"], 0.0, f)
    expect = np.zeros((5, 3))
    np.add.at(expect, IDX.reshape(-1), (np.asarray(v.detach()) * f[..., None]).reshape(-1, 3))
    np.testing.assert_allclose(np.asarray(g.detach()), expect, rtol=1e-14)
    u = rng.standard_normal((5, 3))
    gv, = autograd.grad(xp.sum(g * xp.asarray(u)), v)
    np.testing.assert_allclose(np.asarray(gv), u[IDX] * f[..., None], rtol=1e-14)
    # finite differences of the (linear) first-order gradient w.r.t. the cotangent
    assert gradgradcheck(lambda w_: F.embedding(xp.asarray(IDX), w_, **kw), (w,))


def test_embedding_pair_is_closed_third_order():
    # embedding -> embedding_backward -> embedding: every order one primitive
    idx = xp.asarray(IDX)
    g = _t(rng.standard_normal((3, 3, 3)))
    assert gradgradcheck(lambda t: S.embedding_backward(t, idx, 5, 1, True), (g,))
    gw = S.embedding_backward(g, idx, 5, 1, True)
    assert gw.grad_fn.name == "nn.embedding_backward"
    u = _t(rng.standard_normal((5, 3)))
    gg, = autograd.grad(gw, g, u, create_graph=True)
    assert gg.grad_fn is not None
    ggg, = autograd.grad(xp.sum(gg * gg), u)
    assert ggg.shape == (5, 3)


def test_embedding_weight_may_change_after_the_call():
    # the gradient does not read the weight (as PyTorch): no in-place error
    w = _t(rng.standard_normal((5, 3)))
    y = F.embedding(xp.asarray(IDX), w)
    with xp.no_grad():
        w[0] = 1.0
    xp.sum(y).backward()
    np.testing.assert_array_equal(np.asarray(w.grad)[:, 0], np.bincount(IDX.reshape(-1)))


def test_embedding_index_written_in_place_raises():
    idx = xp.asarray(IDX.copy())
    y = F.embedding(idx, _t(rng.standard_normal((5, 3))))
    idx[0, 0] = 1
    with pytest.raises(RuntimeError, match="in-place|modified"):
        xp.sum(y).backward()


# ========================================================================= attention
Q, K, V = (rng.standard_normal(s) for s in ((2, 3, 2), (2, 4, 2), (2, 4, 3)))
BOOL = np.array([[1, 0, 1, 1], [0, 0, 0, 0], [1, 1, 1, 0]], bool)  # row 1: every key masked


def _flat(*ts, lib=xp):
    if lib is xp:
        return xp.concat([xp.reshape(t, (-1,)) for t in ts])
    return torch.cat([t.reshape(-1) for t in ts])


SDPA = {
    "plain": ({}, [Q, K, V]),
    "causal": ({"is_causal": True}, [Q, K, V]),
    "scale": ({"scale": 0.3}, [Q, K, V]),
    "float-mask": ({"attn_mask": rng.standard_normal((3, 4))}, [Q, K, V]),
    "bool-mask-dead-row": ({"attn_mask": BOOL}, [Q, K, V]),
    "broadcast-heads": ({}, [rng.standard_normal((2, 2, 3, 2)), rng.standard_normal((1, 4, 2)),
                             rng.standard_normal((2, 1, 4, 3))]),
}


@pytest.mark.parametrize("case", list(SDPA))
def test_sdpa_second_order(case):
    kw, arrays = SDPA[case]
    mk = {k: xp.asarray(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    tk = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()} \
        if torch is not None else {}
    _check_second_order(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **mk),
                        (lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, **tk))
                        if torch is not None else None, arrays)


def test_sdpa_float_mask_gets_a_gradient():
    # as PyTorch: a float attn_mask of the queries' dtype is differentiable
    # (broadcast over the batch: its gradient is summed back to (L, S))
    _check_second_order(
        lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m, scale=0.7),
        (lambda q, k, v, m: TF.scaled_dot_product_attention(q, k, v, attn_mask=m, scale=0.7))
        if torch is not None else None,
        [Q, K, V, rng.standard_normal((3, 4))])


def test_sdpa_dead_row_is_zero_with_zero_gradients():
    q, k, v = _t(Q), _t(K), _t(V)
    y = F.scaled_dot_product_attention(q, k, v, attn_mask=xp.asarray(BOOL))
    assert not np.asarray(y.detach())[:, 1].any()
    gq, = autograd.grad(xp.sum(y * y), q, create_graph=True)
    assert not np.asarray(gq.detach())[:, 1].any()
    h, = autograd.grad(xp.sum(gq * gq), q)
    assert np.isfinite(np.asarray(h)).all()


@pytest.mark.parametrize("p", [0.4, 1.0])
def test_sdpa_dropout_paths_agree_and_gradgradcheck(p):
    def f(q, k, v):
        xp.manual_seed(3)  # the same mask at every call
        return F.scaled_dot_product_attention(q, k, v, dropout_p=p)
    ins = (_t(Q), _t(K), _t(V))
    c = xp.asarray(rng.standard_normal((2, 3, 3)))
    g1 = autograd.grad(f(*ins), ins, c)
    g2 = autograd.grad(f(*ins), ins, c, create_graph=True)
    for a, b in zip(g1, g2):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b.detach()), rtol=1e-12, atol=1e-14)
    assert gradgradcheck(f, ins)


def test_sdpa_input_written_in_place_raises():
    q, k, v = _t(Q), _t(K), _t(V, False)
    y = F.scaled_dot_product_attention(q, k, v)
    v[0, 0, 0] = 5.0
    with pytest.raises(RuntimeError, match="in-place|modified"):
        xp.sum(y).backward()


def _mha_pair(batch_first, E=4, h=2, kdim=None):
    tm = torch.nn.MultiheadAttention(E, h, batch_first=batch_first, kdim=kdim, vdim=kdim,
                                     dtype=torch.float64)
    mm = nn.MultiheadAttention(E, h, batch_first=batch_first, kdim=kdim, vdim=kdim,
                               dtype=xp.float64)
    tp = dict(tm.named_parameters())
    for n, prm in mm.named_parameters():
        prm._array[...] = tp[n].detach().numpy()
    return mm, tm


MHA = {
    "weights-averaged": dict(need_weights=True),
    "weights-per-head": dict(need_weights=True, average_attn_weights=False),
    "no-weights": dict(need_weights=False),
    "key-padding": dict(need_weights=False, key_padding_mask=np.array([[0, 0, 1, 0],
                                                                        [1, 0, 0, 0]], bool)),
    "causal-batch-first": dict(need_weights=True, batch_first=True, is_causal=True,
                               attn_mask=np.triu(np.ones((3, 4), bool), 1)),
    "float-mask": dict(need_weights=True, attn_mask=rng.standard_normal((3, 4))),
    "kdim": dict(need_weights=True, kdim=3),
}


@needs_torch
@pytest.mark.parametrize("case", list(MHA))
def test_multihead_attention_second_order(case):
    kw = dict(MHA[case])
    bf = kw.pop("batch_first", False)
    kdim = kw.pop("kdim", None)
    mm, tm = _mha_pair(bf, kdim=kdim)
    kv = kdim or 4
    shape = (lambda n, s, e: (n, s, e)) if bf else (lambda n, s, e: (s, n, e))
    arrays = [rng.standard_normal(shape(2, 3, 4)), rng.standard_normal(shape(2, 4, kv)),
              rng.standard_normal(shape(2, 4, kv))]
    mk = {k: xp.asarray(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    tk = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}

    def f(q, k, v):
        o, w = mm(q, k, v, **mk)
        return o if w is None else _flat(o, w)

    def tf(q, k, v):
        # (the math backend: PyTorch's fused CPU attention has no double backward)
        with torch.nn.attention.sdpa_kernel(torch.nn.attention.SDPBackend.MATH):
            o, w = tm(q, k, v, **tk)
        return o if w is None else _flat(o, w, lib=torch)

    _check_second_order(f, tf, arrays)


@needs_torch
def test_multihead_attention_dropout_paths_agree():
    mm, _ = _mha_pair(False)
    mm.dropout = 0.3

    def f(q):
        xp.manual_seed(5)
        o, w = mm(q, q, q)
        return _flat(o, w)
    q = _t(rng.standard_normal((3, 2, 4)))
    c = xp.asarray(rng.standard_normal(f(q).shape))
    g1, = autograd.grad(f(q), q, c)
    g2, = autograd.grad(f(q), q, c, create_graph=True)
    np.testing.assert_allclose(np.asarray(g1), np.asarray(g2.detach()), rtol=1e-12, atol=1e-14)
    assert gradgradcheck(f, (q,))


# ========================================================================= recurrent
RNNS = {
    "lstm": ("LSTM", dict()),
    "lstm-2-layers-bidirectional": ("LSTM", dict(num_layers=2, bidirectional=True)),
    "lstm-batch-first-no-bias": ("LSTM", dict(batch_first=True, bias=False)),
    "gru": ("GRU", dict()),
    "gru-2-layers-bidirectional": ("GRU", dict(num_layers=2, bidirectional=True)),
    "rnn-tanh-2-layers": ("RNN", dict(num_layers=2)),
    "rnn-relu-bidirectional": ("RNN", dict(nonlinearity="relu", bidirectional=True)),
}


def _rnn_pair(mode, kw, I=2, H=3):
    mcls = {"LSTM": nn.LSTM, "GRU": nn.GRU, "RNN": nn.RNN}[mode]
    tcls = {"LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU, "RNN": torch.nn.RNN}[mode]
    tm = tcls(I, H, dtype=torch.float64, **kw)
    mm = mcls(I, H, dtype=xp.float64, **kw)
    names = [n for n, _ in tm.named_parameters()]
    return mm, tm, names


@needs_torch
@pytest.mark.parametrize("case", list(RNNS))
def test_rnn_second_order_inputs_states_weights(case):
    mode, kw = RNNS[case]
    torch.manual_seed(0)
    mm, tm, names = _rnn_pair(mode, kw)
    D = 2 if kw.get("bidirectional") else 1
    nl = kw.get("num_layers", 1)
    x = rng.standard_normal((2, 4, 2) if kw.get("batch_first") else (4, 2, 2))
    h0 = rng.standard_normal((nl * D, 2, 3)) * 0.5
    ws = [p.detach().numpy().copy() for p in tm.parameters()]
    lstm = mode == "LSTM"
    arrays = [x, h0] + ([rng.standard_normal(h0.shape) * 0.5] if lstm else []) + ws
    ns = 3 if lstm else 2

    def tf(*ts):
        params = dict(zip(names, ts[ns:]))
        hx = (ts[1], ts[2]) if lstm else ts[1]
        o, h = functional_call(tm, params, (ts[0], hx))
        return _flat(o, *(h if lstm else (h,)), lib=torch)

    _check_second_order(lambda *ts: _call_mt(mm, names, ts, ns, lstm), tf, arrays)


def _call_mt(mm, names, ts, ns, lstm):
    """The module's forward with its weights replaced by the tensors ``ts[ns:]``
    (the recurrent primitive called as the module calls it)."""
    ws = tuple(ts[ns:])
    x = ts[0]
    if mm.batch_first:
        x = xp.permute_dims(x, (1, 0, 2))
    r = S.rnn_stack(x, ts[1], ts[2] if lstm else None, mm.mode, mm.num_layers,
                    mm.bidirectional, 0.0, None, ws)
    o = r[0]
    if mm.batch_first:
        o = xp.permute_dims(o, (1, 0, 2))
    return _flat(o, r[1], r[2]) if lstm else _flat(o, r[1])


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN_TANH"])
@pytest.mark.parametrize("p", [0.5, 1.0])
def test_rnn_dropout_between_layers_paths_agree(mode, p):
    cls = {"LSTM": nn.LSTM, "GRU": nn.GRU, "RNN_TANH": nn.RNN}[mode]
    m = cls(2, 2, num_layers=2, dropout=p, dtype=xp.float64)

    def f(x):
        xp.manual_seed(9)
        out, h = m(x)
        return _flat(out, *(h if mode == "LSTM" else (h,)))
    x = _t(rng.standard_normal((3, 1, 2)))
    c = xp.asarray(rng.standard_normal(f(x).shape))
    ws = list(m.parameters())
    g1 = autograd.grad(f(x), [x] + ws, c)
    g2 = autograd.grad(f(x), [x] + ws, c, create_graph=True)
    for a, b in zip(g1, g2):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b.detach()), rtol=1e-11, atol=1e-13)
    assert gradgradcheck(f, (x,))


@needs_torch
def test_lstm_gradient_penalty_matches_torch():
    # d/dw of |d loss / d x|^2 through a 2-layer LSTM (WGAN-GP style)
    torch.manual_seed(1)
    mm, tm, names = _rnn_pair("LSTM", dict(num_layers=2))
    for n, prm in mm.named_parameters():
        prm._array[...] = dict(tm.named_parameters())[n].detach().numpy()
    x = rng.standard_normal((5, 2, 2))
    xm = _t(x)
    out, _ = mm(xm)
    g, = autograd.grad(xp.sum(out * out), xm, create_graph=True)
    xp.sum(g * g).backward()
    xt = torch.tensor(x, requires_grad=True)
    to, _ = tm(xt)
    gt, = torch.autograd.grad((to * to).sum(), xt, create_graph=True)
    (gt * gt).sum().backward()
    for n, prm in mm.named_parameters():
        np.testing.assert_allclose(np.asarray(prm.grad), dict(tm.named_parameters())[n]
                                   .grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("what", ["input", "weight"])
def test_rnn_written_in_place_raises(what):
    m = nn.GRU(2, 3, dtype=xp.float64)
    x = _t(rng.standard_normal((3, 1, 2)), False)
    out, _ = m(x)
    with xp.no_grad():
        if what == "input":
            x[0, 0, 0] = 1.0
        else:
            m.weight_hh_l0[0, 0] = 1.0
    with pytest.raises(RuntimeError, match="in-place|modified"):
        xp.sum(out).backward()


def test_rnn_output_written_in_place_keeps_gradient():
    # the output is not a kept state array (Elman RNN, one direction): writing
    # into it after the call does not change the gradient
    m = nn.RNN(2, 3, dtype=xp.float64)
    x = _t(rng.standard_normal((3, 1, 2)))
    out, _ = m(x)
    c = rng.standard_normal(out.shape)
    g1, = autograd.grad(out, x, xp.asarray(c))
    out2, _ = m(x)
    with xp.no_grad():
        out2.detach()[...] = 0.0
    g2, = autograd.grad(out2, x, xp.asarray(c))
    np.testing.assert_allclose(np.asarray(g1), np.asarray(g2), rtol=1e-14)


@needs_torch
def test_rnn_double_backward_through_a_non_leaf_input():
    # the create_graph rule calls autograd.grad inside backward: the gradient
    # must stop at the recurrent node's inputs (no second pass through tanh)
    torch.manual_seed(2)
    mm, tm, _ = _rnn_pair("GRU", dict(num_layers=2))
    for n, prm in mm.named_parameters():
        prm._array[...] = dict(tm.named_parameters())[n].detach().numpy()
    x = rng.standard_normal((4, 2, 2))
    a, at = _t(x), torch.tensor(x, requires_grad=True)
    om, hm = mm(xp.tanh(a) * 2.0)
    ot, ht = tm(torch.tanh(at) * 2.0)
    gm, = autograd.grad(xp.sum(om * om) + xp.sum(hm), a, create_graph=True)
    gt, = torch.autograd.grad((ot * ot).sum() + ht.sum(), at, create_graph=True)
    np.testing.assert_allclose(np.asarray(gm.detach()), gt.detach().numpy(), rtol=1e-10)
    xp.sum(gm * gm).backward()
    (gt * gt).sum().backward()
    np.testing.assert_allclose(np.asarray(a.grad), at.grad.numpy(), rtol=1e-9, atol=1e-14)
    for n, prm in mm.named_parameters():
        np.testing.assert_allclose(np.asarray(prm.grad), dict(tm.named_parameters())[n]
                                   .grad.numpy(), rtol=1e-9, atol=1e-14)
