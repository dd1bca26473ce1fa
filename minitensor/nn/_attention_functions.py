"""Scaled dot-product attention and the core of multi-head attention as
``autograd.Function`` subclasses (softmax(q k^T * scale + mask) v)."""
import numpy as np

from .._array_object import Tensor
from ..autograd import Function
from ._functions import _check_saved, _garr, _saved, _T

_new = Tensor._new


def _softmax_rows(s, zero_masked_rows):
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


def _attn_forward(q, k, v, mask, scale, p, rng, zero_masked_rows=True):
    s = np.matmul(q, np.swapaxes(k, -1, -2))
    s *= scale
    if mask is not None:
        s = s + mask
    P = _softmax_rows(s, zero_masked_rows)
    drop = None
    Pd = P
    if p >= 1:
        drop = np.zeros(P.shape, P.dtype)  # everything dropped: a zero result (as PyTorch)
        Pd = drop
    elif p > 0:
        keep = rng.random(P.shape) >= p
        drop = keep.astype(P.dtype) * P.dtype.type(1.0 / (1.0 - p))
        Pd = P * drop
    return np.matmul(Pd, v), P, Pd, drop


def _attn_backward(g_out, g_w, q, k, v, P, Pd, drop, scale, need):
    """Gradients (dq, dk, dv) given the gradient of the output and of the
    (dropped-out) attention weights (``g_w`` may be None)."""
    nq, nk, nv = need
    dv = np.matmul(np.swapaxes(Pd, -1, -2), g_out) if nv else None
    dq = dk = None
    if nq or nk:
        dPd = np.matmul(g_out, np.swapaxes(v, -1, -2))
        if g_w is not None:
            dPd = dPd + g_w
        dP = dPd if drop is None else dPd * drop
        with np.errstate(invalid="ignore"):
            ds = P * (dP - (dP * P).sum(axis=-1, keepdims=True))
        ds *= scale
        if nq:
            dq = np.matmul(ds, k)
        if nk:
            dk = np.matmul(np.swapaxes(ds, -1, -2), q)
    return dq, dk, dv


class ScaledDotProductAttention(Function):
    """softmax(q k^T * scale + mask) v over the last two axes (any leading axes)."""

    @staticmethod
    def forward(ctx, q, k, v, mask, scale, dropout_p, rng):
        qa, ka, va = q._array, k._array, v._array
        out, P, Pd, drop = _attn_forward(qa, ka, va, mask, scale, dropout_p, rng)
        ctx.saved = (qa, ka, va, P, Pd, drop, scale)
        _saved(ctx, qa, ka, va)
        return _new(out)

    @staticmethod
    def backward(ctx, g):
        ga = _garr("scaled_dot_product_attention", g)
        _check_saved(ctx, "scaled_dot_product_attention")
        qa, ka, va, P, Pd, drop, scale = ctx.saved
        dq, dk, dv = _attn_backward(ga, None, qa, ka, va, P, Pd, drop, scale,
                                    ctx.needs_input_grad[:3])
        # the engine sums broadcast leading axes back to each input's shape
        return _T(dq), _T(dk), _T(dv), None, None, None, None


class MultiheadAttentionCore(Function):
    """Split the projected q (L, N, E), k, v (S, N, E) (or batch-first) into
    heads, attend, merge: returns (output like q, attention weights (N, L, S)
    averaged over heads or (N, heads, L, S))."""

    @staticmethod
    def forward(ctx, q, k, v, num_heads, mask, dropout_p, rng, batch_first, average,
                zero_masked_rows=False):
        qa, ka, va = q._array, k._array, v._array
        _saved(ctx, qa, ka, va)
        if batch_first:
            qa, ka, va = (np.swapaxes(a, 0, 1) for a in (qa, ka, va))
        L, N, E = qa.shape
        S = ka.shape[0]
        h = num_heads
        d = E // h
        Ev = va.shape[2]
        dv = Ev // h
        # (L, N, E) -> (N, h, L, d)
        qh = qa.reshape(L, N, h, d).transpose(1, 2, 0, 3)
        kh = ka.reshape(S, N, h, d).transpose(1, 2, 0, 3)
        vh = va.reshape(S, N, h, dv).transpose(1, 2, 0, 3)
        scale = 1.0 / np.sqrt(d)
        out, P, Pd, drop = _attn_forward(qh, kh, vh, mask, scale, dropout_p, rng,
                                         zero_masked_rows)
        # (N, h, L, dv) -> (L, N, h*dv)
        o = out.transpose(2, 0, 1, 3).reshape(L, N, Ev)
        if batch_first:
            o = np.swapaxes(o, 0, 1)
        w = Pd.mean(axis=1) if average else Pd
        ctx.saved = (qh, kh, vh, P, Pd, drop, scale, batch_first, average, (L, N, E, S, h, d, dv))
        return _new(np.ascontiguousarray(o)), _new(w)

    @staticmethod
    def backward(ctx, g_out, g_w):
        ga = _garr("multi_head_attention", g_out)
        _check_saved(ctx, "multi_head_attention")
        qh, kh, vh, P, Pd, drop, scale, batch_first, average, dims = ctx.saved
        L, N, E, S, h, d, dv = dims
        if batch_first:
            ga = np.swapaxes(ga, 0, 1)
        go = ga.reshape(L, N, h, dv).transpose(1, 2, 0, 3)
        gw = g_w._array
        if average:
            gw = np.broadcast_to((gw / h)[:, None], P.shape)
        if not gw.any():
            gw = None
        dq, dk, dvv = _attn_backward(go, gw, qh, kh, vh, P, Pd, drop, scale,
                                     ctx.needs_input_grad[:3])

        def merge(a, n_len, width):
            if a is None:
                return None
            m = a.transpose(2, 0, 1, 3).reshape(n_len, N, width)
            return _new(np.swapaxes(m, 0, 1) if batch_first else m)

        return (merge(dq, L, E), merge(dk, S, E), merge(dvv, S, vh.shape[1] * vh.shape[3]),
                None, None, None, None, None, None, None)
