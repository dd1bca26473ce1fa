"""The fused recurrent cell primitives (``nn.lstm_cell``, ``nn.gru_cell`` in
``nn/_sequence_ops.py``; one graph node per step, used by ``nn.LSTMCell`` and
``nn.GRUCell``) and the packed path of ``nn.rnn_stack`` (``batch_sizes``: one
node for a whole ``nn.LSTM``/``GRU``/``RNN`` over a ``PackedSequence``): values
against PyTorch, the fused first-order rule against the differentiable
(``create_graph``) one, Hessian-vector products against finite differences
and PyTorch's double backward."""
import numpy as np
import pytest

import minitensor as xp
from minitensor import autograd, nn
from minitensor.autograd import gradcheck, gradgradcheck
from minitensor.autograd._engine import RULES
from minitensor.nn import _sequence_ops as S
from minitensor.nn.utils import rnn as R

from test_nn_rules import _check_second_order, torch

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
rng = np.random.default_rng(21)


def _flat(*ts, lib=xp):
    if lib is xp:
        return xp.concat([xp.reshape(t, (-1,)) for t in ts])
    return torch.cat([t.reshape(-1) for t in ts])


def test_cells_are_primitives_with_rules():
    for name in ("lstm_cell", "gru_cell"):
        assert "nn." + name in RULES
        assert hasattr(getattr(S, name), "__wrapped_raw__")


def test_one_node_per_cell_step():
    x = xp.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    lstm = nn.LSTMCell(3, 4, dtype=xp.float64)
    h, c = lstm(x)
    assert h.grad_fn is c.grad_fn and h.grad_fn.name == "nn.lstm_cell"
    h2, c2 = lstm(x, (h, c))
    assert h2.grad_fn.name == "nn.lstm_cell"
    gru = nn.GRUCell(3, 4, dtype=xp.float64)
    assert gru(x).grad_fn.name == "nn.gru_cell"


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_pytorch_values_and_gradients(mode, bias, batched, dtype):
    ours = getattr(nn, mode + "Cell")(3, 5, bias=bias, dtype=xp.asarray(np.zeros(1, dtype)).dtype)
    theirs = getattr(torch.nn, mode + "Cell")(3, 5, bias=bias,
                                              dtype=getattr(torch, np.dtype(dtype).name))
    with torch.no_grad():
        for n, p in ours.named_parameters():
            getattr(theirs, n).copy_(torch.from_numpy(np.asarray(p._array)))
    shape = (4, 3) if batched else (3,)
    hshape = (4, 5) if batched else (5,)
    xa, ha, ca = (rng.standard_normal(s).astype(dtype) for s in (shape, hshape, hshape))
    x, h, c = (xp.tensor(a, requires_grad=True) for a in (xa, ha, ca))
    tx, th, tc = (torch.tensor(a, requires_grad=True) for a in (xa, ha, ca))
    if mode == "LSTM":
        outs = ours(x, (h, c))
        touts = theirs(tx, (th, tc))
        ins, tins = [x, h, c], [tx, th, tc]
    else:
        outs = (ours(x, h),)
        touts = (theirs(tx, th),)
        ins, tins = [x, h], [tx, th]
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-13)
    for a, b in zip(outs, touts):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(np.asarray(a._array), b.detach().numpy(), **tol)
    ws = [rng.standard_normal(a.shape).astype(dtype) for a in outs]
    loss = sum(xp.sum(a * xp.asarray(w)) for a, w in zip(outs, ws))
    tloss = sum((a * torch.from_numpy(w)).sum() for a, w in zip(touts, ws))
    params = list(ours.parameters())
    g = autograd.grad(loss, ins + params)
    tg = torch.autograd.grad(tloss, tins + list(theirs.parameters()))
    for a, b in zip(g, tg):
        np.testing.assert_allclose(np.asarray(a._array), b.numpy(), **tol)


def _cell_fn(mode, bias):
    def f(*ts):
        x, h = ts[0], ts[1]
        if mode == "LSTM":
            c, ws = ts[2], ts[3:]
            r = S.lstm_cell(x, h, c, *ws) if bias else S.lstm_cell(x, h, c, ws[0], ws[1])
            return _flat(r[0], r[1])
        ws = ts[2:]
        r = S.gru_cell(x, h, *ws) if bias else S.gru_cell(x, h, ws[0], ws[1])
        return _flat(r[0])
    return f


def _torch_cell_fn(mode, bias):
    import torch.nn.functional  # noqa: F401

    def tf(*ts):
        x, h = ts[0], ts[1]
        if mode == "LSTM":
            c, ws = ts[2], ts[3:]
            hh, cc = torch._VF.lstm_cell(x, (h, c), *ws) if bias else \
                torch._VF.lstm_cell(x, (h, c), ws[0], ws[1])
            return _flat(hh, cc, lib=torch)
        ws = ts[2:]
        hh = torch._VF.gru_cell(x, h, *ws) if bias else torch._VF.gru_cell(x, h, ws[0], ws[1])
        return _flat(hh, lib=torch)
    return tf


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
@pytest.mark.parametrize("bias", [True, False])
def test_cell_second_order_all_inputs(mode, bias):
    g = 4 if mode == "LSTM" else 3
    N, I, H = 3, 2, 3
    arrays = [rng.standard_normal((N, I)), rng.standard_normal((N, H)) * 0.5]
    if mode == "LSTM":
        arrays.append(rng.standard_normal((N, H)) * 0.5)
    arrays += [rng.standard_normal((g * H, I)) * 0.5, rng.standard_normal((g * H, H)) * 0.5]
    if bias:
        arrays += [rng.standard_normal(g * H) * 0.5, rng.standard_normal(g * H) * 0.5]
    tf = _torch_cell_fn(mode, bias) if torch is not None else None
    _check_second_order(_cell_fn(mode, bias), tf, arrays)


def test_cell_gradgradcheck_and_unused_outputs():
    x = xp.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    h = xp.tensor(rng.standard_normal((2, 4)), requires_grad=True)
    c = xp.tensor(rng.standard_normal((2, 4)), requires_grad=True)
    cell = nn.LSTMCell(3, 4, dtype=xp.float64)
    assert gradcheck(lambda x, h, c: cell(x, (h, c))[0], (x, h, c))
    assert gradgradcheck(lambda x, h, c: cell(x, (h, c))[1], (x, h, c))
    # only h' used: c' gets no gradient, the rule still gives all of them
    gx, gc = autograd.grad(xp.sum(cell(x, (h, c))[0]), [x, c])
    assert gx.shape == x.shape and gc.shape == c.shape
    gru = nn.GRUCell(3, 4, dtype=xp.float64)
    assert gradgradcheck(lambda x, h: gru(x, h), (x, h))


# ========================================================================= packed stacks
PACKED = {
    "lstm": ("LSTM", {}, [5, 3, 3, 1]),
    "lstm-2-layers-bidirectional": ("LSTM", {"num_layers": 2, "bidirectional": True},
                                    [4, 4, 2, 1]),
    "gru-bidirectional": ("GRU", {"bidirectional": True}, [5, 2, 1]),
    "rnn-relu": ("RNN", {"nonlinearity": "relu"}, [4, 3, 1]),
    "rnn-tanh-2-layers-bidirectional": ("RNN", {"num_layers": 2, "bidirectional": True},
                                        [3, 3, 2]),
}


@pytest.mark.parametrize("case", list(PACKED))
def test_packed_stack_is_one_node_and_second_order(case):
    mode, kw, lengths = PACKED[case]
    I, H = 2, 3
    torch_ok = torch is not None
    mm = getattr(nn, mode)(I, H, dtype=xp.float64, **kw)
    D = 2 if kw.get("bidirectional") else 1
    nl = kw.get("num_layers", 1)
    B, T = len(lengths), max(lengths)
    x = rng.standard_normal((T, B, I))
    h0 = rng.standard_normal((nl * D, B, H)) * 0.5
    lstm = mode == "LSTM"
    names = [n for n, _ in mm.named_parameters()]
    ws = [np.asarray(p._array).copy() for p in mm.parameters()]
    arrays = [x, h0] + ([rng.standard_normal(h0.shape) * 0.5] if lstm else []) + ws
    ns = 3 if lstm else 2

    out, hn = mm(R.pack_padded_sequence(xp.tensor(x, requires_grad=True), lengths))
    assert out.data.grad_fn.name != "nn.rnn_stack"  # (the packing's take)
    assert (hn[0] if lstm else hn).grad_fn.name == "nn.rnn_stack"

    def f(*ts):
        for n, t in zip(names, ts[ns:]):
            mm._parameters[n] = t
        p = R.pack_padded_sequence(ts[0], lengths)
        o, h = mm(p, (ts[1], ts[2]) if lstm else ts[1])
        o = R.pad_packed_sequence(o)[0]
        return _flat(o, *(h if lstm else (h,)))

    tf = None
    if torch_ok:
        tm = getattr(torch.nn, mode)(I, H, dtype=torch.float64, **kw)
        from torch.func import functional_call

        def tf(*ts):
            p = torch.nn.utils.rnn.pack_padded_sequence(ts[0], lengths)
            o, h = functional_call(tm, dict(zip(names, ts[ns:])),
                                   (p, (ts[1], ts[2]) if lstm else ts[1]))
            o = torch.nn.utils.rnn.pad_packed_sequence(o)[0]
            return _flat(o, *(h if lstm else (h,)), lib=torch)
    saved = dict(mm._parameters)
    try:
        _check_second_order(f, tf, arrays)
    finally:
        mm._parameters.update(saved)


def test_packed_unsorted_with_dropout_paths_agree():
    m = nn.LSTM(2, 3, num_layers=2, dropout=0.4, dtype=xp.float64)
    x = xp.tensor(rng.standard_normal((4, 3, 2)), requires_grad=True)

    def f(x):
        xp.manual_seed(3)
        p = R.pack_padded_sequence(x, [2, 4, 1], enforce_sorted=False)
        o, (h, c) = m(p)
        return _flat(R.pad_packed_sequence(o)[0], h, c)
    c = xp.asarray(rng.standard_normal(f(x).shape))
    ws = list(m.parameters())
    g1 = autograd.grad(f(x), [x] + ws, c)
    g2 = autograd.grad(f(x), [x] + ws, c, create_graph=True)
    for a, b in zip(g1, g2):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b.detach()), rtol=1e-11, atol=1e-13)
    assert gradgradcheck(f, (x,))
