"""Gradient rules of the sequence primitives (``_sequence_ops.py``):
``nn.embedding``, ``nn.embedding_backward``, ``nn.scaled_dot_product_attention``,
``nn.multi_head_attention`` and ``nn.rnn_stack``; registered when
``minitensor.nn`` is imported.

* ``embedding`` and ``embedding_backward`` are a closed pair: the gradient of
  the gather w.r.t. the weight is the index-add ``embedding_backward``, whose
  gradient w.r.t. its incoming gradient is a gather again (times the
  padding / frequency factors), so every order is one primitive call.
* attention: without ``create_graph`` the rule runs the fused NumPy backward on
  the forward's residuals (softmax probabilities, dropout mask); under
  ``create_graph`` it recomputes the scores and the softmax from q and k with
  namespace operations and the nn softmax primitive (the dropout mask a
  constant, fully masked rows zero as in the forward) and writes the backward
  formulas with namespace operations, so they are differentiable.
* recurrent stacks: without ``create_graph`` the fused backpropagation through
  time over the kept gate activations and states; under ``create_graph`` the
  rule recomputes the forward from the inputs with nn primitives (``linear``,
  ``sigmoid``, ``tanh``, ``relu`` per step; the dropout masks between layers
  constants) and returns ``autograd.grad`` of that recomputation with
  ``create_graph=True``.

``tests/test_nn_sequence_rules.py`` checks both paths against each other and
against PyTorch (first and second order).
"""
import numpy as np

import minitensor as xp

from .._array_object import Tensor
from ..autograd._rules import rule
from . import _ops
from . import _sequence_ops as S

_new = Tensor._new


def _T(a):
    return None if a is None else _new(a)


def _arr(ctx, i):
    """The array the forward returned as ``Residual`` in output ``i`` (None if it
    kept none there)."""
    return ctx.residual(i)


# ========================================================================= embedding
@rule("nn.embedding", func=S.embedding, index_args=("indices",))
def embedding_vjp(ctx, g, *, indices, weight_shape, padding_idx, scale_grad_by_freq):
    # (the weight's values are not needed: it may change in place after the call)
    return {"weight": S.embedding_backward(g, indices, weight_shape[0], padding_idx,
                                           scale_grad_by_freq)}


@rule("nn.embedding_backward", func=S.embedding_backward, index_args=("indices",))
def embedding_backward_vjp(ctx, gg, *, indices, g_dtype, num_weights, padding_idx,
                           scale_grad_by_freq):
    # linear in g: the adjoint of the index-add is the gather of the same rows
    # Note: with scale_grad_by_freq the gather keeps the 1/count factors (the exact
    # adjoint); PyTorch 2.13's double backward of embedding drops them.
    y = S.embedding(indices, gg)
    f = S.embedding_factor(indices, num_weights, padding_idx, scale_grad_by_freq, g_dtype)
    return {"g": y if f is None else y * _new(f)}


# ========================================================================= attention
def _attn_backward(g_out, g_w, q, k, v, P, Pd, drop, scale, nq, nk, nv, nm=False):
    """(dq, dk, dv, dmask) on arrays from the gradient of the result and of the
    (dropped-out) attention weights (``g_w`` may be None); ``Pd`` None: P."""
    if Pd is None:
        Pd = P
    dv = np.matmul(np.swapaxes(Pd, -1, -2), g_out) if nv else None
    dq = dk = dm = None
    if nq or nk or nm:
        dPd = np.matmul(g_out, np.swapaxes(v, -1, -2))
        if g_w is not None:
            dPd = dPd + g_w
        dP = dPd if drop is None else dPd * drop
        with np.errstate(invalid="ignore"):
            ds = P * (dP - (dP * P).sum(axis=-1, keepdims=True))
        if nm:
            dm = ds.copy()  # (the mask is added to the scaled scores)
        ds *= scale
        if nq:
            dq = np.matmul(ds, k)
        if nk:
            dk = np.matmul(np.swapaxes(ds, -1, -2), q)
    return dq, dk, dv, dm


def _attn_backward_graph(g_out, g_w, q, k, v, mask, scale, drop, zero_masked_rows, nq, nk, nv,
                         nm=False):
    """The same gradients with namespace operations (differentiable), the
    probabilities recomputed from q and k (``mask``, ``drop``: constant tensors)."""
    s = xp.matmul(q, xp.matrix_transpose(k)) * scale
    if mask is not None:
        s = s + mask
    dead = None
    if zero_masked_rows and mask is not None and s.shape[-1]:
        # rows where every key is masked: zero weights, as the forward
        d = np.all(mask._array == -np.inf, axis=-1, keepdims=True)
        if d.any():
            dead = _new(np.broadcast_to(d, s.shape))
            s = xp.where(dead, xp.zeros_like(s), s)
    P = _ops.softmax(s, s.ndim - 1) if s.shape[-1] else s
    if dead is not None:
        P = xp.where(dead, xp.zeros_like(P), P)
    Pd = P if drop is None else P * drop
    dq = dk = dv = dm = None
    if nv:
        dv = xp.matmul(xp.matrix_transpose(Pd), g_out)
    if nq or nk or nm:
        dPd = xp.matmul(g_out, xp.matrix_transpose(v))
        if g_w is not None:
            dPd = dPd + g_w
        dP = dPd if drop is None else dPd * drop
        dm = P * (dP - xp.sum(dP * P, axis=-1, keepdims=True))
        ds = dm * scale
        if nq:
            dq = xp.matmul(ds, k)
        if nk:
            dk = xp.matmul(xp.matrix_transpose(ds), q)
    return dq, dk, dv, (dm if nm else None)


@rule("nn.scaled_dot_product_attention", func=S.scaled_dot_product_attention)
def scaled_dot_product_attention_vjp(ctx, g, g_p, g_pd, g_drop, *, q, k, v, mask, scale,
                                     needs):
    # (g_p, g_pd, g_drop: the residual outputs' gradients, unused)
    nq, nk, nv, nm = "q" in needs, "k" in needs, "v" in needs, "mask" in needs
    if not ctx.create_graph:
        dq, dk, dv, dm = _attn_backward(g._array, None, q._array, k._array, v._array,
                                        _arr(ctx, 1), _arr(ctx, 2), _arr(ctx, 3), scale,
                                        nq, nk, nv, nm)
        # (the engine sums broadcast leading axes back to each input's shape)
        return {"q": _T(dq), "k": _T(dk), "v": _T(dv), "mask": _T(dm)}
    drop = _arr(ctx, 3)
    dq, dk, dv, dm = _attn_backward_graph(g, None, q, k, v, mask, scale, _T(drop), True,
                                          nq, nk, nv, nm)
    return {"q": dq, "k": dk, "v": dv, "mask": dm}


@rule("nn.multi_head_attention", func=S.multi_head_attention)
def multi_head_attention_vjp(ctx, g_out, g_w, g_p, g_pd, g_drop, *, q, k, v, num_heads, mask,
                             batch_first, average, zero_masked_rows, needs):
    nq, nk, nv = "q" in needs, "k" in needs, "v" in needs
    h = num_heads
    if batch_first:
        L, N, E = q.shape[1], q.shape[0], q.shape[2]
        S_ = k.shape[1]
    else:
        L, N, E = q.shape
        S_ = k.shape[0]
    d = E // h
    Ev = v.shape[2]
    dv_ = Ev // h
    scale = 1.0 / np.sqrt(d)
    if not ctx.create_graph:
        qa, ka, va, ga = q._array, k._array, v._array, g_out._array
        if batch_first:
            qa, ka, va, ga = (np.swapaxes(a, 0, 1) for a in (qa, ka, va, ga))
        P = _arr(ctx, 2)
        gw = None
        if g_w is not None:
            gw = g_w._array
            if average:
                gw = np.broadcast_to((gw / h)[:, None], P.shape)
            if not gw.any():
                gw = None
        dq, dk, dvv, _ = _attn_backward(S.heads(ga, L, N, h, dv_), gw, S.heads(qa, L, N, h, d),
                                        S.heads(ka, S_, N, h, d), S.heads(va, S_, N, h, dv_),
                                        P, _arr(ctx, 3), _arr(ctx, 4), scale, nq, nk, nv)

        def merge(a, n_len, width):
            if a is None:
                return None
            m = a.transpose(2, 0, 1, 3).reshape(n_len, N, width)
            return _new(np.swapaxes(m, 0, 1) if batch_first else m)

        return {"q": merge(dq, L, E), "k": merge(dk, S_, E), "v": merge(dvv, S_, Ev)}
    if batch_first:
        q, k, v, g_out = (xp.permute_dims(t, (1, 0, 2)) for t in (q, k, v, g_out))

    def split(t, n_len, width):
        return xp.permute_dims(xp.reshape(t, (n_len, N, h, width)), (1, 2, 0, 3))

    gw = None
    if g_w is not None and not (type(g_w) is Tensor and not g_w._array.any()):
        gw = xp.expand_dims(g_w / h, axis=1) if average else g_w
    drop = _arr(ctx, 4)
    dq, dk, dvv, _ = _attn_backward_graph(split(g_out, L, dv_), gw, split(q, L, d),
                                          split(k, S_, d), split(v, S_, dv_), mask, scale,
                                          _T(drop), zero_masked_rows, nq, nk, nv)

    def merge_graph(a, n_len, width):
        if a is None:
            return None
        m = xp.reshape(xp.permute_dims(a, (2, 0, 1, 3)), (n_len, N, width))
        return xp.permute_dims(m, (1, 0, 2)) if batch_first else m

    return {"q": merge_graph(dq, L, E), "k": merge_graph(dk, S_, E),
            "v": merge_graph(dvv, S_, Ev)}


# ========================================================================= recurrent
def _lstm_backward(gout, ghn, gcn, cache, w_ih, w_hh, reverse, has_bias, mode):
    x2, acts, tcs, cprev, hprev = cache
    L, N, H4 = acts.shape
    H = H4 // 4
    dgates = np.empty_like(acts)
    dh = ghn.copy() if ghn is not None else np.zeros((N, H), acts.dtype)
    dc = gcn.copy() if gcn is not None else np.zeros((N, H), acts.dtype)
    tmp = np.empty((N, H), acts.dtype)
    # (in place on dh, dc and one scratch array: fewer temporaries per step)
    for t in (range(L) if reverse else range(L - 1, -1, -1)):
        dh += gout[t]
        a = acts[t]
        i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
        tc = tcs[t]
        dG = dgates[t]
        dGi, dGf, dGg, dGo = dG[:, :H], dG[:, H:2 * H], dG[:, 2 * H:3 * H], dG[:, 3 * H:]
        np.multiply(dh, o, out=dGo)            # (scratch) dh * o
        np.multiply(tc, tc, out=tmp)
        np.subtract(1, tmp, out=tmp)
        tmp *= dGo
        dc += tmp                              # dc + dh o (1 - tc^2)
        np.subtract(1, o, out=tmp)
        dGo *= tc
        dGo *= tmp                             # dh tc o (1 - o)
        np.multiply(dc, g, out=dGi)
        np.subtract(1, i, out=tmp)
        tmp *= i
        dGi *= tmp                             # dc g i (1 - i)
        np.multiply(dc, cprev[t], out=dGf)
        np.subtract(1, f, out=tmp)
        tmp *= f
        dGf *= tmp                             # dc c_prev f (1 - f)
        np.multiply(g, g, out=tmp)
        np.subtract(1, tmp, out=tmp)
        tmp *= i
        np.multiply(dc, tmp, out=dGg)          # dc i (1 - g^2)
        dc *= f
        dh = np.matmul(dG, w_hh)
    d2 = dgates.reshape(L * N, H4)
    gx = np.matmul(d2, w_ih).reshape(L, N, w_ih.shape[1])
    gw_ih = np.matmul(d2.T, x2)
    gw_hh = np.matmul(d2.T, hprev.reshape(L * N, H))
    gb = d2.sum(axis=0) if has_bias else None
    return gx, dh, dc, (gw_ih, gw_hh, gb, gb)


def _gru_backward(gout, ghn, gcn, cache, w_ih, w_hh, reverse, has_bias, mode):
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


def _rnn_backward(gout, ghn, gcn, cache, w_ih, w_hh, reverse, has_bias, mode):
    x2, hs, hprev = cache
    relu = mode == "RNN_RELU"
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


_BACKWARD = {"LSTM": _lstm_backward, "GRU": _gru_backward, "RNN_TANH": _rnn_backward,
             "RNN_RELU": _rnn_backward}


def _rnn_recompute(mode, x, h0, c0, weights, num_layers, D, masks):
    """The stack's forward written with nn primitives and namespace operations
    (differentiable); ``masks``: the forward's dropout masks (arrays or None)."""
    per = len(weights) // (num_layers * D)
    H = weights[1].shape[1]
    inp = x
    hn, cn = [], []
    for layer in range(num_layers):
        outs = []
        for d in range(D):
            kk = layer * D + d
            ws = weights[kk * per:(kk + 1) * per]
            w_ih, w_hh = ws[0], ws[1]
            b_ih = ws[2] if per > 2 else None
            b_hh = ws[3] if per > 2 else None
            L = inp.shape[0]
            xw = _ops.linear(inp, w_ih, b_ih)
            h = h0[kk]
            c = None if c0 is None else c0[kk]
            steps = [None] * L
            for t in (range(L - 1, -1, -1) if d == 1 else range(L)):
                hw = _ops.linear(h, w_hh, b_hh)
                xt = xw[t]
                if mode == "LSTM":
                    gates = xt + hw
                    i = _ops.sigmoid(gates[:, :H])
                    f = _ops.sigmoid(gates[:, H:2 * H])
                    gg = _ops.tanh(gates[:, 2 * H:3 * H])
                    o = _ops.sigmoid(gates[:, 3 * H:])
                    c = f * c + i * gg
                    h = o * _ops.tanh(c)
                elif mode == "GRU":
                    r = _ops.sigmoid(xt[:, :H] + hw[:, :H])
                    z = _ops.sigmoid(xt[:, H:2 * H] + hw[:, H:2 * H])
                    n = _ops.tanh(xt[:, 2 * H:] + r * hw[:, 2 * H:])
                    h = n + z * (h - n)
                else:
                    pre = xt + hw
                    h = _ops.relu(pre) if mode == "RNN_RELU" else _ops.tanh(pre)
                steps[t] = h
            outs.append(xp.stack(steps))
            hn.append(h)
            cn.append(c)
        out = outs[0] if D == 1 else xp.concat(outs, axis=-1)
        if masks[layer] is not None:
            out = out * _new(masks[layer])
        inp = out
    return inp, xp.stack(hn), (xp.stack(cn) if mode == "LSTM" else None)


@rule("nn.rnn_stack", func=S.rnn_stack)
def rnn_stack_vjp(ctx, gout, ghn, gcn, *residual_grads, x, h0, c0, mode, num_layers,
                  bidirectional, weights, needs):
    # (residual_grads: the residual outputs' gradients, unused)
    D = 2 if bidirectional else 1
    nk = num_layers * D
    nres = S.N_RESIDUALS[mode]
    masks = [_arr(ctx, 3 + nk * nres + layer) for layer in range(num_layers)]
    if ctx.create_graph:
        out, hn, cn = _rnn_recompute(mode, x, h0, c0, weights, num_layers, D, masks)
        targets = [("x", None, x), ("h0", None, h0), ("c0", None, c0)]
        targets += [("weights", j, w) for j, w in enumerate(weights)]
        targets = [tg for tg in targets if tg[2] is not None and tg[2].requires_grad]
        outs, grads = [out, hn], [gout, ghn]
        if cn is not None and gcn is not None:
            outs.append(cn)
            grads.append(gcn)
        from ..autograd import grad
        res = grad(outs, [tg[2] for tg in targets], grads, create_graph=True, allow_unused=True)
        r = {"x": None, "h0": None, "c0": None, "weights": [None] * len(weights)}
        for (name, j, _), gr in zip(targets, res):
            if j is None:
                r[name] = gr
            else:
                r[name][j] = gr
        return r
    wa = [w._array for w in weights]
    per = len(wa) // nk
    H = wa[1].shape[1]
    g = gout._array
    ghn_a = ghn._array
    gcn_a = None if gcn is None else gcn._array
    gws = [None] * len(wa)
    gh0 = np.empty(ghn_a.shape, ghn_a.dtype)
    gc0 = np.empty(ghn_a.shape, ghn_a.dtype) if c0 is not None else None
    bwd = _BACKWARD[mode]
    for layer in range(num_layers - 1, -1, -1):
        if masks[layer] is not None:
            g = g * masks[layer]
        ginp = None
        for d in range(D):
            k = layer * D + d
            ws = wa[k * per:(k + 1) * per]
            cache = tuple(_arr(ctx, 3 + k * nres + j) for j in range(nres))
            gd = g[..., d * H:(d + 1) * H] if D == 2 else g
            gx, dh, dc, gw = bwd(gd, ghn_a[k], None if gcn_a is None else gcn_a[k],
                                 cache, ws[0], ws[1], d == 1, per > 2, mode)
            gh0[k] = dh
            if gc0 is not None:
                gc0[k] = dc
            for j in range(per):
                gws[k * per + j] = gw[j]
            ginp = gx if ginp is None else ginp + gx
        g = ginp
    return {"x": _new(g) if "x" in needs else None,
            "h0": _new(gh0) if "h0" in needs else None,
            "c0": _new(gc0) if "c0" in needs and gc0 is not None else None,
            "weights": [_new(w) for w in gws] if "weights" in needs else None}
