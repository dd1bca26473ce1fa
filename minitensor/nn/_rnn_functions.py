"""Recurrent layers (LSTM, GRU, Elman RNN) as one ``autograd.Function`` per call.

The whole stack (layers x directions, with dropout between layers) runs in one
node: the forward loop over time keeps the gate activations, the backward loop
(backpropagation through time) walks them in reverse and accumulates the
weight gradients with one matrix product per weight over all time steps.
Layout inside: time-major (L, N, features); PyTorch's gate order (LSTM: i, f, g,
o; GRU: r, z, n).
"""
import numpy as np

from .. import _kernels
from .._array_object import Tensor
from ..autograd import Function
from ._functions import _check_saved, _garr, _saved

_new = Tensor._new


def _sigmoid(a):
    return _kernels.sigmoid(a)


# ------------------------------------------------------------------------ cells
def _lstm_forward(x, h0, c0, w_ih, w_hh, b, reverse):
    L, N, _ = x.shape
    H = w_hh.shape[1]
    x2 = x.reshape(L * N, x.shape[2])  # (not -1: L * N may be 0)
    xw = np.matmul(x2, w_ih.T)
    if b is not None:
        xw += b
    xw = xw.reshape(L, N, 4 * H)
    acts = np.empty((L, N, 4 * H), x.dtype)
    tcs = np.empty((L, N, H), x.dtype)
    cprev = np.empty((L, N, H), x.dtype)
    hprev = np.empty((L, N, H), x.dtype)
    out = np.empty((L, N, H), x.dtype)
    h, c = h0, c0
    w_hh_t = w_hh.T
    for t in (range(L - 1, -1, -1) if reverse else range(L)):
        gates = xw[t] + np.matmul(h, w_hh_t)
        a = _sigmoid(gates)
        a[:, 2 * H:3 * H] = np.tanh(gates[:, 2 * H:3 * H])
        i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
        hprev[t] = h
        cprev[t] = c
        c = f * c + i * g
        tc = np.tanh(c)
        h = o * tc
        acts[t] = a
        tcs[t] = tc
        out[t] = h
    return out, h, c, (x2, acts, tcs, cprev, hprev)


def _lstm_backward(gout, ghn, gcn, cache, w_ih, w_hh, reverse, has_bias):
    x2, acts, tcs, cprev, hprev = cache
    L, N, H4 = acts.shape
    H = H4 // 4
    dgates = np.empty_like(acts)
    dh = ghn.copy() if ghn is not None else np.zeros((N, H), acts.dtype)
    dc = gcn.copy() if gcn is not None else np.zeros((N, H), acts.dtype)
    for t in (range(L) if reverse else range(L - 1, -1, -1)):
        dh = dh + gout[t]
        a = acts[t]
        i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
        tc = tcs[t]
        dc = dc + dh * o * (1 - tc * tc)
        dG = dgates[t]
        dG[:, 3 * H:] = dh * tc * o * (1 - o)
        dG[:, :H] = dc * g * i * (1 - i)
        dG[:, H:2 * H] = dc * cprev[t] * f * (1 - f)
        dG[:, 2 * H:3 * H] = dc * i * (1 - g * g)
        dc = dc * f
        dh = np.matmul(dG, w_hh)
    d2 = dgates.reshape(L * N, H4)
    gx = np.matmul(d2, w_ih).reshape(L, N, w_ih.shape[1])
    gw_ih = np.matmul(d2.T, x2)
    gw_hh = np.matmul(d2.T, hprev.reshape(L * N, H))
    gb = d2.sum(axis=0) if has_bias else None
    return gx, dh, dc, (gw_ih, gw_hh, gb, gb)


def _gru_forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse):
    L, N, _ = x.shape
    H = w_hh.shape[1]
    x2 = x.reshape(L * N, x.shape[2])  # (not -1: L * N may be 0)
    xw = np.matmul(x2, w_ih.T)
    if b_ih is not None:
        xw += b_ih
    xw = xw.reshape(L, N, 3 * H)
    rz = np.empty((L, N, 2 * H), x.dtype)
    ns = np.empty((L, N, H), x.dtype)
    hwn = np.empty((L, N, H), x.dtype)
    hprev = np.empty((L, N, H), x.dtype)
    out = np.empty((L, N, H), x.dtype)
    h = h0
    w_hh_t = w_hh.T
    for t in (range(L - 1, -1, -1) if reverse else range(L)):
        hw = np.matmul(h, w_hh_t)
        if b_hh is not None:
            hw += b_hh
        a = _sigmoid(xw[t, :, :2 * H] + hw[:, :2 * H])
        r, z = a[:, :H], a[:, H:]
        n = np.tanh(xw[t, :, 2 * H:] + r * hw[:, 2 * H:])
        hprev[t] = h
        h = n + z * (h - n)
        rz[t] = a
        ns[t] = n
        hwn[t] = hw[:, 2 * H:]
        out[t] = h
    return out, h, None, (x2, rz, ns, hwn, hprev)


def _gru_backward(gout, ghn, gcn, cache, w_ih, w_hh, reverse, has_bias):
    x2, rz, ns, hwn, hprev = cache
    L, N, H = ns.shape
    dxw = np.empty((L, N, 3 * H), ns.dtype)
    dhw = np.empty((L, N, 3 * H), ns.dtype)
    dh = ghn.copy() if ghn is not None else np.zeros((N, H), ns.dtype)
    for t in (range(L) if reverse else range(L - 1, -1, -1)):
        dh = dh + gout[t]
        r, z = rz[t, :, :H], rz[t, :, H:]
        n = ns[t]
        hp = hprev[t]
        dnp = dh * (1 - z) * (1 - n * n)
        dzp = dh * (hp - n) * z * (1 - z)
        drp = dnp * hwn[t] * r * (1 - r)
        dX = dxw[t]
        dX[:, :H] = drp
        dX[:, H:2 * H] = dzp
        dX[:, 2 * H:] = dnp
        dHw = dhw[t]
        dHw[:, :2 * H] = dX[:, :2 * H]
        dHw[:, 2 * H:] = dnp * r
        dh = dh * z + np.matmul(dHw, w_hh)
    dx2 = dxw.reshape(L * N, 3 * H)
    dh2 = dhw.reshape(L * N, 3 * H)
    gx = np.matmul(dx2, w_ih).reshape(L, N, w_ih.shape[1])
    gw_ih = np.matmul(dx2.T, x2)
    gw_hh = np.matmul(dh2.T, hprev.reshape(L * N, H))
    gb_ih = dx2.sum(axis=0) if has_bias else None
    gb_hh = dh2.sum(axis=0) if has_bias else None
    return gx, dh, None, (gw_ih, gw_hh, gb_ih, gb_hh)


def _rnn_forward(x, h0, c0, w_ih, w_hh, b, reverse, relu):
    L, N, _ = x.shape
    H = w_hh.shape[1]
    x2 = x.reshape(L * N, x.shape[2])  # (not -1: L * N may be 0)
    xw = np.matmul(x2, w_ih.T)
    if b is not None:
        xw += b
    xw = xw.reshape(L, N, H)
    hs = np.empty((L, N, H), x.dtype)
    hprev = np.empty((L, N, H), x.dtype)
    h = h0
    w_hh_t = w_hh.T
    for t in (range(L - 1, -1, -1) if reverse else range(L)):
        pre = xw[t] + np.matmul(h, w_hh_t)
        hprev[t] = h
        h = np.maximum(pre, 0) if relu else np.tanh(pre)
        hs[t] = h
    return hs, h, None, (x2, hs, hprev, relu)


def _rnn_backward(gout, ghn, gcn, cache, w_ih, w_hh, reverse, has_bias):
    x2, hs, hprev, relu = cache
    L, N, H = hs.shape
    dpre = np.empty_like(hs)
    dh = ghn.copy() if ghn is not None else np.zeros((N, H), hs.dtype)
    for t in (range(L) if reverse else range(L - 1, -1, -1)):
        dh = dh + gout[t]
        h = hs[t]
        dp = np.where(h > 0, dh, 0) if relu else dh * (1 - h * h)
        dpre[t] = dp
        dh = np.matmul(dp, w_hh)
    d2 = dpre.reshape(L * N, H)
    gx = np.matmul(d2, w_ih).reshape(L, N, w_ih.shape[1])
    gw_ih = np.matmul(d2.T, x2)
    gw_hh = np.matmul(d2.T, hprev.reshape(L * N, H))
    gb = d2.sum(axis=0) if has_bias else None
    return gx, dh, None, (gw_ih, gw_hh, gb, gb)


def _cell_forward(mode, x, h0, c0, ws, reverse):
    w_ih, w_hh = ws[0], ws[1]
    b_ih = ws[2] if len(ws) > 2 else None
    b_hh = ws[3] if len(ws) > 2 else None
    if mode == "GRU":
        return _gru_forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse)
    b = None if b_ih is None else b_ih + b_hh
    if mode == "LSTM":
        return _lstm_forward(x, h0, c0, w_ih, w_hh, b, reverse)
    return _rnn_forward(x, h0, c0, w_ih, w_hh, b, reverse, mode == "RNN_RELU")


_BACKWARD = {"LSTM": _lstm_backward, "GRU": _gru_backward, "RNN_TANH": _rnn_backward,
             "RNN_RELU": _rnn_backward}


class RNNStack(Function):
    """The stacked (bi)directional recurrent layer. ``weights`` is PyTorch's flat
    list: per layer and direction ``w_ih, w_hh[, b_ih, b_hh]``."""

    @staticmethod
    def forward(ctx, x, h0, c0, mode, num_layers, bidirectional, dropout, rng, *weights):
        xa = x._array
        D = 2 if bidirectional else 1
        per = len(weights) // (num_layers * D)
        wa = [w._array for w in weights]
        h0a = h0._array
        c0a = None if c0 is None else c0._array
        inp = xa
        hn, cn, caches, masks = [], [], [], []
        for layer in range(num_layers):
            outs = []
            for d in range(D):
                k = layer * D + d
                ws = wa[k * per:(k + 1) * per]
                out, h, c, cache = _cell_forward(mode, inp, h0a[k], None if c0a is None else c0a[k],
                                                 ws, d == 1)
                outs.append(out)
                hn.append(h)
                cn.append(c)
                caches.append(cache)
            out = outs[0] if D == 1 else np.concatenate(outs, axis=-1)
            mask = None
            if dropout >= 1 and layer < num_layers - 1:
                mask = np.zeros(out.shape, out.dtype)  # everything dropped (as PyTorch)
                out = out * mask
            elif dropout > 0 and layer < num_layers - 1:
                keep = rng.random(out.shape) >= dropout
                mask = keep.astype(out.dtype) * out.dtype.type(1.0 / (1.0 - dropout))
                out = out * mask
            masks.append(mask)
            inp = out
        ctx.saved_state = (mode, num_layers, D, per, wa, caches, masks, len(weights))
        ctx.has_c = c0 is not None
        if mode.startswith("RNN") and D == 1:
            inp = inp.copy()  # (not the cached states: the output may be written in place)
        # (the caches hold views of the input)
        _saved(ctx, *wa, *(a for c in caches for a in c if isinstance(a, np.ndarray)))
        hn_a = np.stack(hn)
        if mode == "LSTM":
            return _new(inp), _new(hn_a), _new(np.stack(cn))
        return _new(inp), _new(hn_a)

    @staticmethod
    def backward(ctx, gout, ghn, gcn=None):
        mode, num_layers, D, per, wa, caches, masks, nw = ctx.saved_state
        g = _garr("rnn", gout)
        _check_saved(ctx, "rnn")
        ghn_a = ghn._array
        gcn_a = None if gcn is None else gcn._array
        H = wa[1].shape[1]
        gws = [None] * nw
        gh0 = np.empty(ghn_a.shape, ghn_a.dtype)
        gc0 = np.empty(ghn_a.shape, ghn_a.dtype) if ctx.has_c else None
        bwd = _BACKWARD[mode]
        for layer in range(num_layers - 1, -1, -1):
            if masks[layer] is not None:
                g = g * masks[layer]
            ginp = None
            for d in range(D):
                k = layer * D + d
                ws = wa[k * per:(k + 1) * per]
                gd = g[..., d * H:(d + 1) * H] if D == 2 else g
                gx, dh, dc, gw = bwd(gd, ghn_a[k], None if gcn_a is None else gcn_a[k],
                                     caches[k], ws[0], ws[1], d == 1, per > 2)
                gh0[k] = dh
                if gc0 is not None:
                    gc0[k] = dc
                for j in range(per):
                    gws[k * per + j] = gw[j]
                ginp = gx if ginp is None else ginp + gx
            g = ginp
        nx, nh, nc = ctx.needs_input_grad[:3]
        return ((_new(g) if nx else None), (_new(gh0) if nh else None),
                (_new(gc0) if nc and gc0 is not None else None), None, None, None, None, None) + \
            tuple(_new(w) for w in gws)
