"""nn forward primitives of the sequence layers: ``embedding`` (and its
gradient ``embedding_backward``), scaled dot-product attention, the core of
multi-head attention and the recurrent stacks (LSTM, GRU, Elman RNN).

As in ``_ops.py``: each is marked ``@differentiable("nn.<name>")``, works on the
tensors' ``ndarray``\\ s (one graph node per call) and does not check its
arguments (``nn.functional`` and the modules do). The gradient rules are in
``_sequence_rules.py``. The intermediates that the first-order backward wants
(attention probabilities and dropout masks, the recurrent gate activations and
states) are returned as ``Residual`` values (as a JAX ``custom_vjp`` forward returns
them): the node keeps them while it lives; the public functions drop them.

Examples
--------
>>> import minitensor as xp
>>> from minitensor.nn import _sequence_ops as S
>>> w = xp.tensor([[0.0, 1.0], [2.0, 3.0]], requires_grad=True)
>>> y = S.embedding(xp.asarray([1, 1, 0]), w)
>>> y.grad_fn
<nn.embeddingBackward>
"""
import numpy as np

from .. import _kernels
from .._array_object import Tensor
from .._dispatch import Residual, differentiable

_new = Tensor._new

__all__ = ["embedding", "embedding_backward", "scaled_dot_product_attention",
           "multi_head_attention", "rnn_stack"]


# ========================================================================= embedding
@differentiable("nn.embedding")
def embedding(indices, weight, padding_idx=None, scale_grad_by_freq=False):
    """``weight[indices]`` (rows of ``weight``; ``padding_idx`` and
    ``scale_grad_by_freq`` act on the gradient only)."""
    return _new(weight._array[indices._array])


def _row_counts(flat, n):
    return np.bincount(flat, minlength=n)


@differentiable("nn.embedding_backward")
def embedding_backward(g, indices, num_weights, padding_idx=None, scale_grad_by_freq=False):
    """The gradient of ``embedding`` w.r.t. its weight: the rows of ``g`` added into
    a zero (num_weights, dim) array at ``indices`` (divided by the number of times
    each index occurs with ``scale_grad_by_freq``), row ``padding_idx`` zero."""
    ga = g._array
    d = ga.shape[-1]
    flat = indices._array.reshape(-1)
    g2 = ga.reshape(-1, d)
    if scale_grad_by_freq:
        g2 = g2 / _row_counts(flat, num_weights)[flat][:, None].astype(ga.dtype)
    gw = np.zeros((num_weights, d), ga.dtype)
    np.add.at(gw, flat, g2)
    if padding_idx is not None:
        gw[padding_idx] = 0
    return _new(gw)


def embedding_factor(indices, num_weights, padding_idx, scale_grad_by_freq, dtype):
    """The per-index factor of ``embedding_backward`` (shape ``indices.shape + (1,)``):
    0 at ``padding_idx``, 1 / count with ``scale_grad_by_freq``; None when 1."""
    if padding_idx is None and not scale_grad_by_freq:
        return None
    idx = indices._array
    f = np.ones(idx.shape, dtype)
    if scale_grad_by_freq:
        f = f / _row_counts(idx.reshape(-1), num_weights)[idx]
    if padding_idx is not None:
        f = np.where(idx == padding_idx, 0, f)
    return f.astype(dtype, copy=False)[..., None]


# ========================================================================= attention
def softmax_rows(s, zero_masked_rows):
    """softmax over the last axis of the scores ``s``; a row that is -inf throughout
    (every key masked) gives zero weights with ``zero_masked_rows`` (PyTorch's
    scaled_dot_product_attention), NaN without (its MultiheadAttention when it
    returns the weights)."""
    if s.shape[-1] == 0:
        return s  # no keys: no weights (and a zero result, a sum over nothing)
    with np.errstate(invalid="ignore", over="ignore"):
        m = s.max(axis=-1, keepdims=True)
        dead = None
        if zero_masked_rows:
            dead = m == -np.inf
            if dead.any():
                m = np.where(dead, 0, m)
            else:
                dead = None
        e = np.exp(s - m)
        d = e.sum(axis=-1, keepdims=True)
        if dead is not None:
            d = np.where(dead, 1, d)  # (e is 0 throughout such a row)
        return e / d


def attn_forward(q, k, v, mask, scale, p, rng, zero_masked_rows=True):
    """(result, P, P dropped out or None, dropout mask or None) on arrays."""
    s = np.matmul(q, np.swapaxes(k, -1, -2))
    s *= scale
    if mask is not None:
        s = s + mask
    P = softmax_rows(s, zero_masked_rows)
    drop = None
    Pd = P
    if p >= 1:
        drop = np.zeros(P.shape, P.dtype)  # everything dropped: a zero result (as PyTorch)
        Pd = drop
    elif p > 0:
        keep = rng.random(P.shape) >= p
        drop = keep.astype(P.dtype) * P.dtype.type(1.0 / (1.0 - p))
        Pd = P * drop
    return np.matmul(Pd, v), P, (None if drop is None else Pd), drop


@differentiable("nn.scaled_dot_product_attention")
def scaled_dot_product_attention(q, k, v, mask=None, scale=1.0, dropout_p=0.0, rng=None):
    """softmax(q k^T * scale + mask) v over the last two axes (any leading axes;
    ``mask`` a float tensor added to the scores). Returns ``(out, P, Pd, drop)``:
    the result and the residuals (softmax probabilities, dropped-out
    probabilities and the scaled dropout mask; the last two None without
    dropout)."""
    out, P, Pd, drop = attn_forward(q._array, k._array, v._array,
                                    None if mask is None else mask._array, scale, dropout_p, rng)
    return _new(out), Residual(P), _R(Pd), _R(drop)


def _R(a):
    return None if a is None else Residual(a)


def heads(a, n_len, N, h, d):
    """(n_len, N, h*d) -> (N, h, n_len, d) (a view)."""
    return a.reshape(n_len, N, h, d).transpose(1, 2, 0, 3)


@differentiable("nn.multi_head_attention")
def multi_head_attention(q, k, v, num_heads, mask=None, dropout_p=0.0, rng=None,
                         batch_first=False, average=True, zero_masked_rows=False):
    """Split the projected q (L, N, E), k, v (S, N, E) (or batch-first) into heads,
    attend, merge. Returns ``(output like q, attention weights (N, L, S) averaged
    over heads or (N, heads, L, S), P, Pd, drop)`` (the last three: residuals as in
    :func:`scaled_dot_product_attention`, over (N, heads, L, S))."""
    qa, ka, va = q._array, k._array, v._array
    if batch_first:
        qa, ka, va = (np.swapaxes(a, 0, 1) for a in (qa, ka, va))
    L, N, E = qa.shape
    S = ka.shape[0]
    h = num_heads
    d = E // h
    Ev = va.shape[2]
    out, P, Pd, drop = attn_forward(heads(qa, L, N, h, d), heads(ka, S, N, h, d),
                                    heads(va, S, N, h, Ev // h), None if mask is None else
                                    mask._array, 1.0 / np.sqrt(d), dropout_p, rng,
                                    zero_masked_rows)
    # (N, h, L, dv) -> (L, N, h*dv)
    o = out.transpose(2, 0, 1, 3).reshape(L, N, Ev)
    if batch_first:
        o = np.swapaxes(o, 0, 1)
    Pw = P if Pd is None else Pd
    w = Pw.mean(axis=1) if average else Pw
    return _new(np.ascontiguousarray(o)), _new(w), Residual(P), _R(Pd), _R(drop)


# ========================================================================= recurrent
# Layout inside: time-major (L, N, features); PyTorch's gate order (LSTM: i, f, g,
# o; GRU: r, z, n). Each cell forward returns (out, h_n, c_n, residuals).
def _sigmoid_into(x, out):
    """``sigmoid(x)`` written into ``out`` (C-contiguous, x's shape): the fused
    kernel without a temporary when the dtypes allow it."""
    if (x.dtype in _kernels._KERNEL_DTYPES and out.dtype == x.dtype and x.flags.c_contiguous
            and out.flags.c_contiguous):
        _kernels._k()[0].sigmoid(x.reshape(-1), out.reshape(-1), _kernels._num_threads)
    else:
        out[...] = _kernels.sigmoid(x)
    return out


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
    h = h0
    c = c0.copy()  # (updated in place: c0 is the caller's)
    ig = np.empty((N, H), x.dtype)
    w_hh_t = w_hh.T
    for t in (range(L - 1, -1, -1) if reverse else range(L)):
        gates = np.matmul(h, w_hh_t)
        gates += xw[t]
        a = _sigmoid_into(gates, acts[t])
        np.tanh(gates[:, 2 * H:3 * H], out=a[:, 2 * H:3 * H])
        i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
        hprev[t] = h
        cprev[t] = c
        c *= f
        c += np.multiply(i, g, out=ig)
        tc = np.tanh(c, out=tcs[t])
        h = np.multiply(o, tc, out=out[t])
    return out, h, c, (x2, acts, tcs, cprev, hprev)


def _gru_forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse):
    L, N, _ = x.shape
    H = w_hh.shape[1]
    x2 = x.reshape(L * N, x.shape[2])
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
        a = _kernels.sigmoid(xw[t, :, :2 * H] + hw[:, :2 * H])
        r, z = a[:, :H], a[:, H:]
        n = np.tanh(xw[t, :, 2 * H:] + r * hw[:, 2 * H:])
        hprev[t] = h
        h = n + z * (h - n)
        rz[t] = a
        ns[t] = n
        hwn[t] = hw[:, 2 * H:]
        out[t] = h
    return out, h, None, (x2, rz, ns, hwn, hprev)


def _rnn_forward(x, h0, c0, w_ih, w_hh, b, reverse, relu):
    L, N, _ = x.shape
    H = w_hh.shape[1]
    x2 = x.reshape(L * N, x.shape[2])
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
    return hs, h, None, (x2, hs, hprev)


# residual arrays per layer and direction
N_RESIDUALS = {"LSTM": 5, "GRU": 5, "RNN_TANH": 3, "RNN_RELU": 3}


def cell_forward(mode, x, h0, c0, ws, reverse):
    w_ih, w_hh = ws[0], ws[1]
    b_ih = ws[2] if len(ws) > 2 else None
    b_hh = ws[3] if len(ws) > 2 else None
    if mode == "GRU":
        return _gru_forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse)
    b = None if b_ih is None else b_ih + b_hh
    if mode == "LSTM":
        return _lstm_forward(x, h0, c0, w_ih, w_hh, b, reverse)
    return _rnn_forward(x, h0, c0, w_ih, w_hh, b, reverse, mode == "RNN_RELU")


@differentiable("nn.rnn_stack")
def rnn_stack(x, h0, c0, mode, num_layers, bidirectional, dropout, rng, weights):
    """The stacked (bi)directional recurrent layer over x (L, N, features) from the
    states h0 (and c0 for ``mode="LSTM"``) (layers * directions, N, H); ``weights``
    is PyTorch's flat list: per layer and direction ``w_ih, w_hh[, b_ih, b_hh]``;
    ``dropout`` between layers.

    Returns ``(out, h_n, c_n or None, *residuals)``: per layer and direction the
    cell's kept arrays (``N_RESIDUALS[mode]`` of them), then per layer the scaled
    dropout mask applied to its output (or None)."""
    xa = x._array
    D = 2 if bidirectional else 1
    per = len(weights) // (num_layers * D)
    wa = [w._array for w in weights]
    h0a = h0._array
    c0a = None if c0 is None else c0._array
    inp = xa
    hn, cn, residuals, masks = [], [], [], []
    for layer in range(num_layers):
        outs = []
        for d in range(D):
            k = layer * D + d
            out, h, c, cache = cell_forward(mode, inp, h0a[k], None if c0a is None else c0a[k],
                                            wa[k * per:(k + 1) * per], d == 1)
            outs.append(out)
            hn.append(h)
            cn.append(c)
            residuals.extend(cache)
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
    if mode.startswith("RNN") and D == 1:
        inp = inp.copy()  # (not a kept state array: the output may be written in place)
    cn_t = _new(np.stack(cn)) if mode == "LSTM" else None
    return (_new(inp), _new(np.stack(hn)), cn_t, *(Residual(a) for a in residuals),
            *(_R(m) for m in masks))
