"""``MultiheadAttention`` (PyTorch's parameters, defaults and masks)."""
import numpy as np

from ..._array_object import Tensor
from ..._manipulation_functions import reshape
from ... import _random
from .. import functional as F
from .. import init
from .._sequence_ops import multi_head_attention
from .._ops import linear as _linear
from ..._dtypes import _FROM_NP
from .linear import Linear
from .module import Module
from ._utils import _empty_param, _np_dtype, _pos_int

__all__ = ["MultiheadAttention"]


class MultiheadAttention(Module):
    """Multi-head scaled dot-product attention with input and output projections.

    Parameters ``in_proj_weight`` (3E, E) (``xavier_uniform_``), ``in_proj_bias``
    (zeros), ``out_proj`` (a Linear with zero bias); with ``kdim``/``vdim`` !=
    ``embed_dim``: separate ``q_proj_weight``, ``k_proj_weight``, ``v_proj_weight``.

    ``forward(query, key, value, key_padding_mask=None, need_weights=True,
    attn_mask=None, average_attn_weights=True, is_causal=False)`` returns
    ``(attn_output, attn_weights or None)``; boolean masks are True where
    attention is *not* allowed (PyTorch's convention), float masks are added.

    # Note: add_bias_kv and add_zero_attn are not supported.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> mha = nn.MultiheadAttention(8, 2, batch_first=True)
    >>> x = xp.zeros((3, 5, 8), dtype=xp.float32)
    >>> out, w = mha(x, x, x)
    >>> out.shape, w.shape
    ((3, 5, 8), (3, 5, 5))
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None):
        super().__init__()
        self.embed_dim = _pos_int("MultiheadAttention", "embed_dim", embed_dim)
        self.num_heads = _pos_int("MultiheadAttention", "num_heads", num_heads)
        if self.embed_dim % self.num_heads:
            raise ValueError("embed_dim must be divisible by num_heads")
        if add_bias_kv or add_zero_attn:
            raise NotImplementedError("MultiheadAttention: add_bias_kv and add_zero_attn are not "
                                      "supported")
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        dt = _np_dtype(dtype, device)
        E = self.embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = _empty_param((3 * E, E), dt)
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        else:
            self.q_proj_weight = _empty_param((E, E), dt)
            self.k_proj_weight = _empty_param((E, self.kdim), dt)
            self.v_proj_weight = _empty_param((E, self.vdim), dt)
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = _empty_param((3 * E,), dt)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(E, E, bias=bias, dtype=_FROM_NP[dt])
        self.bias_k = self.bias_v = None
        self.add_zero_attn = False
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)

    def _project(self, x, i, feat):
        """Projection ``i`` (0: q, 1: k, 2: v) of ``x``."""
        E = self.embed_dim
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight[i * E:(i + 1) * E]
        else:
            w = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)[i]
        b = None
        if self.in_proj_bias is not None:
            b = self.in_proj_bias[i * E:(i + 1) * E]
        if x.shape[-1] != feat:
            raise ValueError(f"MultiheadAttention: expected {('query', 'key', 'value')[i]} with "
                             f"last dimension {feat}, got shape {x.shape}")
        return _linear(x, w, b)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        for name, t in (("query", query), ("key", key), ("value", value)):
            if not isinstance(t, Tensor):
                raise TypeError(f"MultiheadAttention: {name} must be a minitensor Tensor")
            if t._array.dtype != self.out_proj.weight._array.dtype:
                raise TypeError(f"MultiheadAttention: {name} dtype {t.dtype} does not match the "
                                f"parameters' dtype {self.out_proj.weight.dtype}")
        batched = query.ndim == 3
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise ValueError(f"MultiheadAttention: expected 3-D (batched) or 2-D (unbatched) "
                             f"query, key, value, got shapes {query.shape}, {key.shape}, "
                             f"{value.shape}")
        if not batched:
            # (L, E) -> (L, 1, E) (sequence-first)
            query, key, value = (reshape(t, (t.shape[0], 1, t.shape[1]))
                                 for t in (query, key, value))
            batch_first = False
        else:
            batch_first = self.batch_first
        if batch_first:
            N, L = query.shape[:2]
            S = key.shape[1]
            if key.shape[:2] != (N, S) or value.shape[:2] != (N, S):
                raise ValueError(f"MultiheadAttention: key {key.shape} and value {value.shape} "
                                 f"must have shape (N, S, *) for query {query.shape}")
        else:
            L, N = query.shape[:2]
            S = key.shape[0]
            if key.shape[:2] != (S, N) or value.shape[:2] != (S, N):
                raise ValueError(f"MultiheadAttention: key {key.shape} and value {value.shape} "
                                 f"must have shape (S, N, *) for query {query.shape}")
        q = self._project(query, 0, self.embed_dim)
        k = self._project(key, 1, self.kdim)
        v = self._project(value, 2, self.vdim)
        dt = q._array.dtype
        mask = self._mask(attn_mask, key_padding_mask, is_causal, N, L, S, dt, batched)
        p = self.dropout if self.training else 0.0
        # a query whose keys are all masked: PyTorch 2.13 gives NaN when it returns the
        # weights (explicit softmax) and zeros when it does not (its fused attention)
        out, w = multi_head_attention(q, k, v, self.num_heads,
                                      None if mask is None else Tensor._new(mask), p,
                                      _random.default_generator(), batch_first,
                                      bool(average_attn_weights), not need_weights)[:2]
        out = self.out_proj(out)
        if not batched:
            out = reshape(out, (out.shape[0], out.shape[2]))
            if need_weights:
                w = reshape(w, w.shape[1:])
        return out, (w if need_weights else None)

    def _mask(self, attn_mask, key_padding_mask, is_causal, N, L, S, dt, batched):
        h = self.num_heads
        mask = None
        if attn_mask is None and is_causal:
            mask = np.where(np.triu(np.ones((L, S), bool), 1), -np.inf, 0.0).astype(dt)
        elif attn_mask is not None:
            m = F._additive_mask(attn_mask, dt, allowed_true=False)
            if m.shape == (L, S):
                mask = m
            elif m.shape == (N * h, L, S):
                mask = m.reshape(N, h, L, S)
            else:
                raise ValueError(f"MultiheadAttention: attn_mask must have shape ({L}, {S}) or "
                                 f"({N * h}, {L}, {S}), got {attn_mask.shape}")
        if key_padding_mask is not None:
            kp = F._additive_mask(key_padding_mask, dt, allowed_true=False)
            expected = (N, S) if batched else (S,)
            if kp.shape != expected:
                raise ValueError(f"MultiheadAttention: key_padding_mask must have shape "
                                 f"{expected}, got {key_padding_mask.shape}")
            kp = kp.reshape(N, 1, 1, S)
            mask = kp if mask is None else mask + kp
        return mask

    def extra_repr(self):
        return ""

