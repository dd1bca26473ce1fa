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
from . import _nn_kernels, _ops

_new = Tensor._new

__all__ = ["embedding", "embedding_backward", "scaled_dot_product_attention",
           "multi_head_attention", "rnn_stack", "lstm_cell", "gru_cell"]


# ========================================================================= embedding
@differentiable("nn.embedding")
def embedding(indices, weight, padding_idx=None, scale_grad_by_freq=False):
    """``weight[indices]`` (rows of ``weight``; ``padding_idx`` and
    ``scale_grad_by_freq`` act on the gradient only)."""
    return _new(weight._array.take(indices._array, axis=0))  # (weight[indices], faster)


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
    n = flat.shape[0]
    gw = None
    if num_weights * n <= 65536 and ga.dtype in _ops._BLAS and n:
        # a small table: one-hot (num_weights, n) @ g2, a BLAS product (np.add.at
        # costs ~0.3 us per row); a non-finite g (0 * inf) takes np.add.at
        onehot = np.zeros((num_weights, n), ga.dtype)
        onehot[flat, np.arange(n)] = 1
        gw = _ops._quiet(np.matmul, onehot, g2)
        if not np.isfinite(gw).all():
            gw = None
    if gw is None:
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
    return _ops._quiet(_softmax_rows_f, s, zero_masked_rows)


def _softmax_rows_f(s, zero_masked_rows):
    m = _ops.row_max(s)
    dead = None
    if zero_masked_rows:
        dead = m == -np.inf
        if dead.any():
            m = np.where(dead, 0, m)
        else:
            dead = None
    e = s - m
    np.exp(e, out=e)
    d = _ops.row_sum(e)[..., None]
    if dead is not None:
        d = np.where(dead, 1, d)  # (e is 0 throughout such a row)
    e /= d
    return e


def attn_forward(q, k, v, mask, scale, p, rng, zero_masked_rows=True):
    """(result, P, P dropped out or None, dropout mask or None) on arrays."""
    s = np.matmul(q, np.swapaxes(k, -1, -2))
    s *= scale
    if mask is not None:
        if (mask.ndim <= s.ndim and mask.shape == s.shape[s.ndim - mask.ndim:]
                and mask.dtype == s.dtype):
            s += mask  # (s is a new array of the result's shape)
        else:
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


def lstm_gates(gates, c, acts, tc, h_out):
    """The pointwise part of an LSTM step on n rows: ``gates`` (n, 4H) the
    pre-activations (overwritten), ``c`` (n, H) the cell state, updated in place
    to ``f c + i g``; writes the activations i, f, g, o into ``acts`` (n, 4H),
    ``tanh(c')`` into ``tc`` and ``o tanh(c')`` into ``h_out`` (all C-contiguous,
    one dtype)."""
    if _nn_kernels.lstm_gates(gates, c, acts, tc, h_out):
        return
    H = c.shape[1]
    a = _sigmoid_into(gates, acts)
    np.tanh(gates[:, 2 * H:3 * H], out=a[:, 2 * H:3 * H])
    i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
    c *= f
    gates = gates[:, :H]  # (scratch)
    np.multiply(i, g, out=gates)
    c += gates
    np.tanh(c, out=tc)
    np.multiply(o, tc, out=h_out)


def _rows(bs, t, N):
    return N if bs is None else bs[t]


def _lstm_forward(x, h0, c0, w_ih, w_hh, b, reverse, bs=None):
    """``bs``: the packed batch sizes (rows active at each step, a non-increasing
    sequence; the other rows keep their state and output zeros) or None."""
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
    out = np.empty((L, N, H), x.dtype) if bs is None else np.zeros((L, N, H), x.dtype)
    h = h0 if bs is None else h0.copy()
    c = c0.copy()  # (updated in place: c0 is the caller's)
    w_hh_t = w_hh.T
    for t in (range(L - 1, -1, -1) if reverse else range(L)):
        n = _rows(bs, t, N)
        hprev[t] = h
        cprev[t] = c
        hn = h[:n]
        gates = np.matmul(hn, w_hh_t)
        gates += xw[t, :n]
        lstm_gates(gates, c[:n], acts[t, :n], tcs[t, :n], out[t, :n])
        if bs is None:
            h = out[t]
        else:
            hn[...] = out[t, :n]
    return out, h, c, (x2, acts, tcs, cprev, hprev)


def gru_gates(xw, hw, h, rz, n_out, h_out):
    """The pointwise part of a GRU step on n rows: ``xw``, ``hw`` (n, 3H) the
    input and hidden projections (with their biases; ``xw`` is overwritten),
    ``h`` (n, H) the state; writes r, z into ``rz`` (n, 2H), n into ``n_out`` and
    ``h' = n + z (h - n)`` into ``h_out``."""
    H = h.shape[1]
    s = xw[:, :2 * H]
    s += hw[:, :2 * H]
    _sigmoid_into(s, rz)
    r, z = rz[:, :H], rz[:, H:]
    pn = xw[:, 2 * H:]
    pn += r * hw[:, 2 * H:]
    np.tanh(pn, out=n_out)
    np.subtract(h, n_out, out=h_out)
    h_out *= z
    h_out += n_out


def _gru_forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse, bs=None):
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
    out = np.empty((L, N, H), x.dtype) if bs is None else np.zeros((L, N, H), x.dtype)
    h = h0 if bs is None else h0.copy()
    w_hh_t = w_hh.T
    for t in (range(L - 1, -1, -1) if reverse else range(L)):
        n = _rows(bs, t, N)
        hprev[t] = h
        hn = h[:n]
        hw = np.matmul(hn, w_hh_t)
        if b_hh is not None:
            hw += b_hh
        gru_gates(xw[t, :n], hw, hn, rz[t, :n], ns[t, :n], out[t, :n])
        hwn[t, :n] = hw[:, 2 * H:]
        if bs is None:
            h = out[t]
        else:
            hn[...] = out[t, :n]
    return out, h, None, (x2, rz, ns, hwn, hprev)


def _rnn_forward(x, h0, c0, w_ih, w_hh, b, reverse, relu, bs=None):
    L, N, _ = x.shape
    H = w_hh.shape[1]
    x2 = x.reshape(L * N, x.shape[2])
    xw = np.matmul(x2, w_ih.T)
    if b is not None:
        xw += b
    xw = xw.reshape(L, N, H)
    hs = np.empty((L, N, H), x.dtype) if bs is None else np.zeros((L, N, H), x.dtype)
    hprev = np.empty((L, N, H), x.dtype)
    h = h0 if bs is None else h0.copy()
    w_hh_t = w_hh.T
    for t in (range(L - 1, -1, -1) if reverse else range(L)):
        n = _rows(bs, t, N)
        hprev[t] = h
        hn = h[:n]
        pre = np.matmul(hn, w_hh_t)
        pre += xw[t, :n]
        if relu:
            np.maximum(pre, 0, out=hs[t, :n])
        else:
            np.tanh(pre, out=hs[t, :n])
        if bs is None:
            h = hs[t]
        else:
            hn[...] = hs[t, :n]
    return hs, h, None, (x2, hs, hprev)


@differentiable("nn.lstm_cell")
def lstm_cell(x, h, c, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step on x (N, input), h, c (N, H) (gates i, f, g, o): returns
    ``(h', c', acts, tanh(c'))``, the last two residuals (the gate activations
    (N, 4H) and tanh(c'), for the gradient rule): one graph node per step."""
    xa, ha = x._array, h._array
    gates = np.matmul(xa, w_ih._array.T)
    gates += np.matmul(ha, w_hh._array.T)
    if b_ih is not None:
        gates += b_ih._array
    if b_hh is not None:
        gates += b_hh._array
    n, H = ha.shape
    dt = gates.dtype
    acts = np.empty(gates.shape, dt)
    c2 = np.array(c._array, dtype=dt, order="C")  # (updated in place)
    tc = np.empty((n, H), dt)
    h2 = np.empty((n, H), dt)
    lstm_gates(gates, c2, acts, tc, h2)
    return _new(h2), _new(c2), Residual(acts), Residual(tc)


@differentiable("nn.gru_cell")
def gru_cell(x, h, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step on x (N, input), h (N, H) (gates r, z, n): returns ``(h', rz,
    n, hw_n)``, the last three residuals (the gates r and z (N, 2H), n, and the
    hidden projection's n part, for the gradient rule): one graph node per step."""
    xa, ha = x._array, h._array
    xw = np.matmul(xa, w_ih._array.T)
    hw = np.matmul(ha, w_hh._array.T)
    if b_ih is not None:
        xw += b_ih._array
    if b_hh is not None:
        hw += b_hh._array
    n, H = ha.shape
    dt = xw.dtype
    rz = np.empty((n, 2 * H), dt)
    nn_ = np.empty((n, H), dt)
    h2 = np.empty((n, H), dt)
    gru_gates(xw, hw, ha, rz, nn_, h2)
    return _new(h2), Residual(rz), Residual(nn_), Residual(np.ascontiguousarray(hw[:, 2 * H:]))


# residual arrays per layer and direction
N_RESIDUALS = {"LSTM": 5, "GRU": 5, "RNN_TANH": 3, "RNN_RELU": 3}


def cell_forward(mode, x, h0, c0, ws, reverse, bs=None):
    w_ih, w_hh = ws[0], ws[1]
    b_ih = ws[2] if len(ws) > 2 else None
    b_hh = ws[3] if len(ws) > 2 else None
    if mode == "GRU":
        return _gru_forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse, bs)
    b = None if b_ih is None else b_ih + b_hh
    if mode == "LSTM":
        return _lstm_forward(x, h0, c0, w_ih, w_hh, b, reverse, bs)
    return _rnn_forward(x, h0, c0, w_ih, w_hh, b, reverse, mode == "RNN_RELU", bs)


@differentiable("nn.rnn_stack")
def rnn_stack(x, h0, c0, mode, num_layers, bidirectional, dropout, rng, weights,
              batch_sizes=None):
    """The stacked (bi)directional recurrent layer over x (L, N, features) from the
    states h0 (and c0 for ``mode="LSTM"``) (layers * directions, N, H); ``weights``
    is PyTorch's flat list: per layer and direction ``w_ih, w_hh[, b_ih, b_hh]``;
    ``dropout`` between layers. ``batch_sizes`` (a tuple of L non-increasing ints,
    a packed sequence's): at step t only the first ``batch_sizes[t]`` rows run,
    the others keep their state and output zeros (None: all rows).

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
                                            wa[k * per:(k + 1) * per], d == 1, batch_sizes)
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
