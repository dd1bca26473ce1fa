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
from . import _nn_kernels, _ops
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
        # P * (dP - <dP, P>) by rows, in place (dP is a new array)
        ds = dP
        with np.errstate(invalid="ignore"):
            ds -= np.vecdot(dP, P)[..., None] if dP.dtype == P.dtype else (
                (dP * P).sum(axis=-1, keepdims=True))
            ds *= P
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
def lstm_gates_backward(dh, dc, a, tc, cprev, dG, tmp):
    """The pointwise backward of an LSTM step on n rows: from ``dh``, ``dc`` (n,
    H) the gradients of h' and c', the activations ``a`` (n, 4H), ``tc`` =
    tanh(c') and ``cprev`` = c, writes the pre-activation gradients into ``dG``
    (n, 4H) and turns ``dc`` (in place) into the gradient of c; ``tmp``: (n, H)
    scratch."""
    if _nn_kernels.lstm_gates_backward(dh, dc, a, tc, cprev, dG):
        return
    H = tc.shape[1]
    i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
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
    np.multiply(dc, cprev, out=dGf)
    np.subtract(1, f, out=tmp)
    tmp *= f
    dGf *= tmp                             # dc c_prev f (1 - f)
    np.multiply(g, g, out=tmp)
    np.subtract(1, tmp, out=tmp)
    tmp *= i
    np.multiply(dc, tmp, out=dGg)          # dc i (1 - g^2)
    dc *= f


def _rows(bs, t, N):
    return N if bs is None else bs[t]


def _lstm_backward(gout, ghn, gcn, cache, w_ih, w_hh, reverse, has_bias, mode, bs=None):
    x2, acts, tcs, cprev, hprev = cache
    L, N, H4 = acts.shape
    H = H4 // 4
    dgates = np.empty_like(acts) if bs is None else np.zeros_like(acts)
    dh = ghn.copy() if ghn is not None else np.zeros((N, H), acts.dtype)
    dc = gcn.copy() if gcn is not None else np.zeros((N, H), acts.dtype)
    tmp = np.empty((N, H), acts.dtype)
    same = w_hh.dtype == acts.dtype and dh.dtype == acts.dtype
    # (in place on dh, dc and one scratch array: fewer temporaries per step;
    # packed: only the first n rows take part in step t)
    for t in (range(L) if reverse else range(L - 1, -1, -1)):
        n = _rows(bs, t, N)
        dhn = dh[:n]
        dhn += gout[t, :n]
        dG = dgates[t, :n]
        lstm_gates_backward(dhn, dc[:n], acts[t, :n], tcs[t, :n], cprev[t, :n], dG, tmp[:n])
        if same:
            np.matmul(dG, w_hh, out=dhn)   # (no temporary; dG and w_hh do not overlap dh)
        else:
            dhn[...] = np.matmul(dG, w_hh)
    d2 = dgates.reshape(L * N, H4)
    gx = np.matmul(d2, w_ih).reshape(L, N, w_ih.shape[1])
    gw_ih = np.matmul(d2.T, x2)
    gw_hh = np.matmul(d2.T, hprev.reshape(L * N, H))
    gb = d2.sum(axis=0) if has_bias else None
    return gx, dh, dc, (gw_ih, gw_hh, gb, gb)


def gru_gates_backward(dh, rz, n_, hwn, hp, dX, dHw):
    """The pointwise backward of a GRU step on n rows: from ``dh`` (n, H) the
    gradient of h', the gates ``rz`` (n, 2H), ``n_``, the hidden projection's n
    part ``hwn`` and the previous state ``hp``, writes the gradients of the input
    projection ``dX`` and of the hidden projection ``dHw`` (n, 3H); returns the
    direct part ``dh z`` of the gradient of h."""
    H = n_.shape[1]
    r, z = rz[:, :H], rz[:, H:]
    dnp = dh * (1 - z) * (1 - n_ * n_)
    dzp = dh * (hp - n_) * z * (1 - z)
    drp = dnp * hwn * r * (1 - r)
    dX[:, :H] = drp
    dX[:, H:2 * H] = dzp
    dX[:, 2 * H:] = dnp
    dHw[:, :2 * H] = dX[:, :2 * H]
    np.multiply(dnp, r, out=dHw[:, 2 * H:])
    return dh * z


def _gru_backward(gout, ghn, gcn, cache, w_ih, w_hh, reverse, has_bias, mode, bs=None):
    x2, rz, ns, hwn, hprev = cache
    L, N, H = ns.shape
    alloc = np.empty if bs is None else np.zeros
    dxw = alloc((L, N, 3 * H), ns.dtype)
    dhw = alloc((L, N, 3 * H), ns.dtype)
    dh = ghn.copy() if ghn is not None else np.zeros((N, H), ns.dtype)
    for t in (range(L) if reverse else range(L - 1, -1, -1)):
        n = _rows(bs, t, N)
        dhn = dh[:n]
        dhn += gout[t, :n]
        dHw = dhw[t, :n]
        direct = gru_gates_backward(dhn, rz[t, :n], ns[t, :n], hwn[t, :n], hprev[t, :n],
                                    dxw[t, :n], dHw)
        np.matmul(dHw, w_hh, out=dhn)
        dhn += direct
    dx2 = dxw.reshape(L * N, 3 * H)
    dh2 = dhw.reshape(L * N, 3 * H)
    gx = np.matmul(dx2, w_ih).reshape(L, N, w_ih.shape[1])
    gw_ih = np.matmul(dx2.T, x2)
    gw_hh = np.matmul(dh2.T, hprev.reshape(L * N, H))
    gb_ih = dx2.sum(axis=0) if has_bias else None
    gb_hh = dh2.sum(axis=0) if has_bias else None
    return gx, dh, None, (gw_ih, gw_hh, gb_ih, gb_hh)


def _rnn_backward(gout, ghn, gcn, cache, w_ih, w_hh, reverse, has_bias, mode, bs=None):
    x2, hs, hprev = cache
    relu = mode == "RNN_RELU"
    L, N, H = hs.shape
    dpre = np.empty_like(hs) if bs is None else np.zeros_like(hs)
    dh = ghn.copy() if ghn is not None else np.zeros((N, H), hs.dtype)
    for t in (range(L) if reverse else range(L - 1, -1, -1)):
        n = _rows(bs, t, N)
        dhn = dh[:n]
        dhn += gout[t, :n]
        h = hs[t, :n]
        dp = np.where(h > 0, dhn, 0) if relu else dhn * (1 - h * h)
        dpre[t, :n] = dp
        np.matmul(dp, w_hh, out=dhn)
    d2 = dpre.reshape(L * N, H)
    gx = np.matmul(d2, w_ih).reshape(L, N, w_ih.shape[1])
    gw_ih = np.matmul(d2.T, x2)
    gw_hh = np.matmul(d2.T, hprev.reshape(L * N, H))
    gb = d2.sum(axis=0) if has_bias else None
    return gx, dh, None, (gw_ih, gw_hh, gb, gb)


_BACKWARD = {"LSTM": _lstm_backward, "GRU": _gru_backward, "RNN_TANH": _rnn_backward,
             "RNN_RELU": _rnn_backward}


def _rnn_recompute(mode, x, h0, c0, weights, num_layers, D, masks, bs=None):
    """The stack's forward written with nn primitives and namespace operations
    (differentiable); ``masks``: the forward's dropout masks (arrays or None);
    ``bs``: the packed batch sizes (rows past ``bs[t]`` keep their state and
    output zeros at step t) or None."""
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
                hprev, cprev = h, c
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
                if bs is not None and bs[t] < h.shape[0]:
                    m = _new((np.arange(h.shape[0]) < bs[t])[:, None])
                    steps[t] = xp.where(m, h, xp.zeros_like(h))
                    h = xp.where(m, h, hprev)
                    if c is not None:
                        c = xp.where(m, c, cprev)
                else:
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
                  bidirectional, weights, batch_sizes, needs):
    # (residual_grads: the residual outputs' gradients, unused)
    D = 2 if bidirectional else 1
    nk = num_layers * D
    nres = S.N_RESIDUALS[mode]
    masks = [_arr(ctx, 3 + nk * nres + layer) for layer in range(num_layers)]
    if ctx.create_graph:
        out, hn, cn = _rnn_recompute(mode, x, h0, c0, weights, num_layers, D, masks,
                                     batch_sizes)
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
                                 cache, ws[0], ws[1], d == 1, per > 2, mode, batch_sizes)
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


# ========================================================================= cells
def _cell_grad_graph(outs, grads, inputs, needs):
    """``autograd.grad`` of the recomputed step ``outs`` w.r.t. the named inputs
    that need a gradient, with ``create_graph=True`` (a dict by name)."""
    from ..autograd import grad
    names = [n for n, t in inputs.items() if t is not None and n in needs and t.requires_grad]
    pairs = [(o, g) for o, g in zip(outs, grads) if g is not None]
    r = dict.fromkeys(inputs)
    if names and pairs:
        res = grad([o for o, _ in pairs], [inputs[n] for n in names], [g for _, g in pairs],
                   create_graph=True, allow_unused=True)
        r.update(zip(names, res))
    return r


@rule("nn.lstm_cell", func=S.lstm_cell)
def lstm_cell_vjp(ctx, gh, gc, g_acts, g_tc, *, x, h, c, w_ih, w_hh, b_ih, b_hh, needs):
    # (g_acts, g_tc: the residual outputs' gradients, unused)
    H = h.shape[1]
    if ctx.create_graph:
        # the step recomputed with nn primitives (differentiable), then its gradient
        gates = _ops.linear(x, w_ih, b_ih) + _ops.linear(h, w_hh, b_hh)
        i = _ops.sigmoid(gates[:, :H])
        f = _ops.sigmoid(gates[:, H:2 * H])
        gg = _ops.tanh(gates[:, 2 * H:3 * H])
        o = _ops.sigmoid(gates[:, 3 * H:])
        c2 = f * c + i * gg
        h2 = o * _ops.tanh(c2)
        return _cell_grad_graph((h2, c2), (gh, gc), {"x": x, "h": h, "c": c, "w_ih": w_ih,
                                "w_hh": w_hh, "b_ih": b_ih, "b_hh": b_hh}, needs)
    a, tc = _arr(ctx, 2), _arr(ctx, 3)
    dt = a.dtype
    dh = np.zeros(tc.shape, dt) if gh is None else np.ascontiguousarray(gh._array, dtype=dt)
    dc = np.zeros(tc.shape, dt) if gc is None else np.array(gc._array, dtype=dt)
    dG = np.empty(a.shape, dt)
    lstm_gates_backward(dh, dc, a, tc, np.ascontiguousarray(c._array, dtype=dt), dG,
                        np.empty(tc.shape, dt))
    gb = dG.sum(axis=0) if ("b_ih" in needs or "b_hh" in needs) else None
    return {"x": _new(np.matmul(dG, w_ih._array)) if "x" in needs else None,
            "h": _new(np.matmul(dG, w_hh._array)) if "h" in needs else None,
            "c": _new(dc) if "c" in needs else None,
            "w_ih": _new(np.matmul(dG.T, x._array)) if "w_ih" in needs else None,
            "w_hh": _new(np.matmul(dG.T, h._array)) if "w_hh" in needs else None,
            "b_ih": _new(gb) if "b_ih" in needs else None,
            "b_hh": _new(gb.copy()) if "b_hh" in needs else None}


@rule("nn.gru_cell", func=S.gru_cell)
def gru_cell_vjp(ctx, gh, g_rz, g_n, g_hwn, *, x, h, w_ih, w_hh, b_ih, b_hh, needs):
    # (g_rz, g_n, g_hwn: the residual outputs' gradients, unused)
    H = h.shape[1]
    if ctx.create_graph:
        xw = _ops.linear(x, w_ih, b_ih)
        hw = _ops.linear(h, w_hh, b_hh)
        r = _ops.sigmoid(xw[:, :H] + hw[:, :H])
        z = _ops.sigmoid(xw[:, H:2 * H] + hw[:, H:2 * H])
        n = _ops.tanh(xw[:, 2 * H:] + r * hw[:, 2 * H:])
        h2 = n + z * (h - n)
        return _cell_grad_graph((h2,), (gh,), {"x": x, "h": h, "w_ih": w_ih, "w_hh": w_hh,
                                "b_ih": b_ih, "b_hh": b_hh}, needs)
    rz, n_, hwn = _arr(ctx, 1), _arr(ctx, 2), _arr(ctx, 3)
    dt = rz.dtype
    if gh is None:
        return dict.fromkeys(("x", "h", "w_ih", "w_hh", "b_ih", "b_hh"))
    N = n_.shape[0]
    dX = np.empty((N, 3 * H), dt)
    dHw = np.empty((N, 3 * H), dt)
    direct = gru_gates_backward(gh._array, rz, n_, hwn, h._array, dX, dHw)
    gh_prev = None
    if "h" in needs:
        gh_prev = np.matmul(dHw, w_hh._array)
        gh_prev += direct
    return {"x": _new(np.matmul(dX, w_ih._array)) if "x" in needs else None,
            "h": _new(gh_prev) if "h" in needs else None,
            "w_ih": _new(np.matmul(dX.T, x._array)) if "w_ih" in needs else None,
            "w_hh": _new(np.matmul(dHw.T, h._array)) if "w_hh" in needs else None,
            "b_ih": _new(dX.sum(axis=0)) if "b_ih" in needs else None,
            "b_hh": _new(dHw.sum(axis=0)) if "b_hh" in needs else None}
