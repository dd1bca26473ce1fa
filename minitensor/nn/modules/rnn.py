"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` (multi-layer, bidirectional, batch_first,
packed variable-length input) and the single-step cells ``RNNCell``, ``LSTMCell``,
``GRUCell``."""
import math
import warnings

import numpy as np

from ..._array_object import Tensor
from ..._manipulation_functions import permute_dims, reshape, unstack
from ..._indexing_functions import take
from ... import _random
from .. import functional as F
from .. import init
from ..utils.rnn import PackedSequence, _padded_sorted
from .._sequence_ops import gru_cell, lstm_cell, rnn_stack
from .module import Module
from ._utils import _empty_param, _np_dtype, _pos_int

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


class RNNBase(Module):
    """Shared implementation of RNN, LSTM and GRU (PyTorch's parameter names and
    layout: ``weight_ih_l{k}[_reverse]`` (gates*hidden, input), ``weight_hh_l{k}``,
    ``bias_ih_l{k}``, ``bias_hh_l{k}``; all drawn from U(-1/sqrt(hidden_size),
    1/sqrt(hidden_size))).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> gru = nn.GRU(3, 4, bidirectional=True)
    >>> isinstance(gru, nn.RNNBase)
    True
    >>> [(name, p.shape) for name, p in gru.named_parameters()][:3]  # 3 gates * hidden 4
    [('weight_ih_l0', (12, 3)), ('weight_hh_l0', (12, 4)), ('bias_ih_l0', (12,))]
    >>> [name for name, _ in gru.named_parameters()][4:6]
    ['weight_ih_l0_reverse', 'weight_hh_l0_reverse']
    >>> all(bool(xp.all(xp.abs(p) <= 1 / 4 ** 0.5)) for p in gru.parameters())
    True
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        self.mode = mode
        self.input_size = _pos_int(name, "input_size", input_size)
        self.hidden_size = _pos_int(name, "hidden_size", hidden_size)
        self.num_layers = _pos_int(name, "num_layers", num_layers)
        self.bias = bias
        self.batch_first = batch_first
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or \
                not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        self.dropout = float(dropout)
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", UserWarning,
                          stacklevel=3)
        if proj_size:
            raise NotImplementedError(f"{name}: proj_size is not supported")
        self.proj_size = 0
        self.bidirectional = bidirectional
        D = 2 if bidirectional else 1
        g = _GATES[mode]
        dt = _np_dtype(dtype, device)
        self._flat_weights_names = []
        for layer in range(self.num_layers):
            for d in range(D):
                layer_in = self.input_size if layer == 0 else self.hidden_size * D
                sfx = "_reverse" if d == 1 else ""
                names = [f"weight_ih_l{layer}{sfx}", f"weight_hh_l{layer}{sfx}"]
                shapes = [(g * self.hidden_size, layer_in), (g * self.hidden_size, self.hidden_size)]
                if bias:
                    names += [f"bias_ih_l{layer}{sfx}", f"bias_hh_l{layer}{sfx}"]
                    shapes += [(g * self.hidden_size,), (g * self.hidden_size,)]
                for n, s in zip(names, shapes):
                    setattr(self, n, _empty_param(s, dt))
                self._flat_weights_names.extend(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        per = 4 if self.bias else 2
        w = self._flat_weights
        return [w[i:i + per] for i in range(0, len(w), per)]

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    def _check_hidden(self, h, expected, what):
        if not isinstance(h, Tensor):
            raise TypeError(f"{type(self).__name__}: {what} must be a minitensor Tensor, got "
                            f"{type(h).__name__}")
        if h.shape != expected:
            raise ValueError(f"{type(self).__name__}: expected {what} of shape {expected}, got "
                             f"{h.shape}")

    def _initial_state(self, hx, hshape, user_shape, dt):
        """``(h_0, c_0)`` from ``hx`` (checked against ``user_shape``), or zeros of
        ``hshape`` when it is None (``c_0`` None unless LSTM)."""
        lstm = self.mode == "LSTM"
        if hx is None:
            return (Tensor._new(np.zeros(hshape, dt)),
                    Tensor._new(np.zeros(hshape, dt)) if lstm else None)
        if lstm:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError(f"{type(self).__name__}: hx must be a tuple (h_0, c_0)")
            h0, c0 = hx
            self._check_hidden(h0, user_shape, "h_0")
            self._check_hidden(c0, user_shape, "c_0")
            return h0, c0
        self._check_hidden(hx, user_shape, "hx")
        return hx, None

    def forward(self, input, hx=None):
        name = type(self).__name__
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: input must be a minitensor Tensor, got {type(input).__name__}")
        w0 = self.weight_ih_l0
        if input._array.dtype != w0._array.dtype:
            raise TypeError(f"{name}: input dtype {input.dtype} does not match weight dtype "
                            f"{w0.dtype}; convert the input or the module (module.to(...))")
        if input.ndim not in (2, 3):
            raise ValueError(f"{name}: expected input of shape (L, N, {self.input_size}) "
                             f"{'(batch_first: (N, L, ...)) ' if self.batch_first else ''}or "
                             f"(L, {self.input_size}), got input of shape {input.shape}")
        if input.shape[-1] != self.input_size:
            raise ValueError(f"{name}: input.size(-1) must be equal to input_size. Expected "
                             f"{self.input_size}, got input of shape {input.shape}")
        batched = input.ndim == 3
        D = 2 if self.bidirectional else 1
        x = input
        if not batched:
            x = reshape(x, (x.shape[0], 1, x.shape[1]))
        elif self.batch_first:
            x = permute_dims(x, (1, 0, 2))
        if x.shape[0] == 0:
            raise RuntimeError(f"{name}: expected a sequence length larger than 0, got input "
                               f"of shape {input.shape}")
        n = x.shape[1]
        hshape = (self.num_layers * D, n, self.hidden_size)
        user_shape = hshape if batched else (self.num_layers * D, self.hidden_size)
        lstm = self.mode == "LSTM"
        dt = x._array.dtype
        h0, c0 = self._initial_state(hx, hshape, user_shape, dt)
        if hx is not None:
            if not batched:
                h0 = reshape(h0, hshape)
                if c0 is not None:
                    c0 = reshape(c0, hshape)
            for h in (h0, c0):
                if h is not None and h._array.dtype != dt:
                    raise TypeError(f"{name}: hidden state dtype {h.dtype} does not match input "
                                    f"dtype {Tensor._new(np.empty(0, dt)).dtype}")
        p = self.dropout if self.training else 0.0
        res = rnn_stack(x, h0, c0, self.mode, self.num_layers, self.bidirectional, p,
                        _random.default_generator(), tuple(self._flat_weights))
        out, hn = res[0], res[1]
        cn = res[2] if lstm else None
        if not batched:
            out = reshape(out, (out.shape[0], out.shape[2]))
            hn = reshape(hn, user_shape)
            if cn is not None:
                cn = reshape(cn, user_shape)
        elif self.batch_first:
            out = permute_dims(out, (1, 0, 2))
        return (out, (hn, cn)) if lstm else (out, hn)


class RNN(RNNBase):
    """Elman RNN: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), act tanh or relu.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> rnn = nn.RNN(4, 6, num_layers=2)
    >>> rnn
    RNN(4, 6, num_layers=2)
    >>> out, h = rnn(xp.zeros((7, 3, 4), dtype=xp.float32))  # (L, N, input_size)
    >>> out.shape, h.shape  # last layer at every step; every layer at the last step
    ((7, 3, 6), (2, 3, 6))
    >>> rnn = nn.RNN(2, 3, nonlinearity="relu", batch_first=True, bidirectional=True)
    >>> out, h = rnn(xp.zeros((5, 4, 2), dtype=xp.float32))  # (N, L, input_size)
    >>> out.shape, h.shape  # both directions
    ((5, 4, 6), (2, 5, 3))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             f"'relu'.")
        self.nonlinearity = nonlinearity
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)


class LSTM(RNNBase):
    """Long short-term memory (gates i, f, g, o as PyTorch); returns
    ``output, (h_n, c_n)``.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> lstm = nn.LSTM(4, 8, num_layers=2, batch_first=True)
    >>> out, (h, c) = lstm(xp.zeros((3, 5, 4), dtype=xp.float32))
    >>> out.shape, h.shape, c.shape
    ((3, 5, 8), (2, 3, 8), (2, 3, 8))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype)


class GRU(RNNBase):
    """Gated recurrent unit (gates r, z, n as PyTorch); returns ``output, h_n``.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> gru = nn.GRU(4, 8, batch_first=True)
    >>> x = xp.zeros((2, 5, 4), dtype=xp.float32)  # (N, L, input_size)
    >>> out, h = gru(x)
    >>> out.shape, h.shape
    ((2, 5, 8), (1, 2, 8))
    >>> bool(xp.all(out[:, -1] == h[0]))  # one layer: the last output is h_n
    True
    >>> out, h = gru(x, h)  # continue from a given hidden state
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)


# ---------------------------------------------------------------------------
# one recurrent step composed of nn.functional operations (differentiable twice)

def _step(mode, xi, h, c, w_hh, b_hh):
    """One step from the input projection ``xi = x W_ih^T + b_ih``: returns
    ``(h', c')`` (``c'`` None unless LSTM)."""
    hh = F.linear(h, w_hh, b_hh)
    H = h.shape[-1]
    if mode == "LSTM":
        # the gates split by one reshape and one unstack (two graph nodes, where
        # eight slices were eight, each with its own scatter in backward)
        gates = xi + hh
        i, f, g, o = unstack(reshape(gates, gates.shape[:-1] + (4, H)), axis=-2)
        i, f, g, o = F.sigmoid(i), F.sigmoid(f), F.tanh(g), F.sigmoid(o)
        c2 = f * c + i * g
        return o * F.tanh(c2), c2
    if mode == "GRU":
        xr, xz, xn = unstack(reshape(xi, xi.shape[:-1] + (3, H)), axis=-2)
        hr, hz, hn = unstack(reshape(hh, hh.shape[:-1] + (3, H)), axis=-2)
        r = F.sigmoid(xr + hr)
        z = F.sigmoid(xz + hz)
        n = F.tanh(xn + r * hn)
        return (1 - z) * n + z * h, None
    pre = xi + hh
    return (F.tanh(pre) if mode == "RNN_TANH" else F.relu(pre)), None


def _forward_packed(self, packed, hx):
    """RNNBase.forward for a PackedSequence: run the padded batch (in the packed,
    sorted order) step by step, updating the state of sequence ``b`` only while
    ``t < length[b]`` (the reverse direction starts at each sequence's last step)."""
    name = type(self).__name__
    data = packed.data
    if not isinstance(data, Tensor) or data.ndim != 2 or data.shape[1] != self.input_size:
        raise ValueError(f"{name}: expected packed data of shape (*, {self.input_size}), got "
                         f"{getattr(data, 'shape', None)}")
    dt = self.weight_ih_l0._array.dtype
    if data._array.dtype != dt:
        raise TypeError(f"{name}: input dtype {data.dtype} does not match weight dtype "
                        f"{self.weight_ih_l0.dtype}; convert the input or the module "
                        f"(module.to(...))")
    x, _ = _padded_sorted(packed)                 # (T, B, input), sorted order
    T, B = x.shape[0], x.shape[1]
    D = 2 if self.bidirectional else 1
    lstm = self.mode == "LSTM"
    hshape = (self.num_layers * D, B, self.hidden_size)
    h0, c0 = self._initial_state(hx, hshape, hshape, dt)
    if hx is not None:
        if packed.sorted_indices is not None:       # the user's order -> the packed order
            h0 = take(h0, packed.sorted_indices, axis=1)
            c0 = take(c0, packed.sorted_indices, axis=1) if lstm else None
    bs = np.asarray(packed.batch_sizes._array, dtype=np.int64)
    p = self.dropout if self.training else 0.0
    # one node for the whole stack: at step t only the first batch_sizes[t]
    # (sorted) sequences run; the others keep their state
    res = rnn_stack(x, h0, c0, self.mode, self.num_layers, self.bidirectional, p,
                    _random.default_generator(), tuple(self._flat_weights),
                    tuple(int(n) for n in bs[:T]))
    layer_in = res[0]
    hn = res[1]
    cn = res[2] if lstm else None
    # pack the output with the input's batch sizes (rows t * B + b, b < batch_sizes[t])
    rows = np.concatenate([t * B + np.arange(n) for t, n in enumerate(bs)])
    flat = reshape(layer_in, (T * B, layer_in.shape[2]))
    out = PackedSequence(take(flat, Tensor._new(rows), axis=0), packed.batch_sizes,
                         packed.sorted_indices, packed.unsorted_indices)
    if packed.unsorted_indices is not None:        # back to the user's order
        hn = take(hn, packed.unsorted_indices, axis=1)
        cn = take(cn, packed.unsorted_indices, axis=1) if lstm else None
    return (out, (hn, cn)) if lstm else (out, hn)


RNNBase._forward_packed = _forward_packed


class RNNCellBase(Module):
    """Shared implementation of the cells: parameters ``weight_ih`` (gates *
    hidden, input), ``weight_hh`` (gates * hidden, hidden), ``bias_ih``,
    ``bias_hh``, drawn from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) as
    PyTorch; one step composed of ``nn.functional`` operations (so it is
    differentiable twice).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> cell = nn.GRUCell(3, 4)
    >>> isinstance(cell, nn.RNNCellBase), [n for n, _ in cell.named_parameters()]
    (True, ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'])
    """

    _mode = None

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        self.input_size = _pos_int(name, "input_size", input_size)
        self.hidden_size = _pos_int(name, "hidden_size", hidden_size)
        self.bias = bool(bias)
        dt = _np_dtype(dtype, device)
        self.weight_ih = _empty_param((num_chunks * self.hidden_size, self.input_size), dt)
        self.weight_hh = _empty_param((num_chunks * self.hidden_size, self.hidden_size), dt)
        if self.bias:
            self.bias_ih = _empty_param((num_chunks * self.hidden_size,), dt)
            self.bias_hh = _empty_param((num_chunks * self.hidden_size,), dt)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _input(self, input):
        name = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: input must be a minitensor Tensor, got "
                            f"{type(input).__name__}")
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise ValueError(f"{name}: input has inconsistent input_size: got "
                             f"{input.shape[-1]} expected {self.input_size}")
        if input._array.dtype != self.weight_ih._array.dtype:
            raise TypeError(f"{name}: input dtype {input.dtype} does not match weight dtype "
                            f"{self.weight_ih.dtype}; convert the input or the module "
                            f"(module.to(...))")
        batched = input.ndim == 2
        return (input if batched else reshape(input, (1, input.shape[0]))), batched

    def _state(self, h, x, batched, what):
        name = type(self).__name__
        n = x.shape[0]
        if h is None:
            return Tensor._new(np.zeros((n, self.hidden_size), x._array.dtype))
        if not isinstance(h, Tensor):
            raise TypeError(f"{name}: {what} must be a minitensor Tensor, got "
                            f"{type(h).__name__}")
        expected = (n, self.hidden_size) if batched else (self.hidden_size,)
        if h.shape != expected:
            raise ValueError(f"{name}: expected {what} of shape {expected}, got {h.shape}")
        if h._array.dtype != x._array.dtype:
            raise TypeError(f"{name}: {what} dtype {h.dtype} does not match input dtype "
                            f"{x.dtype}")
        return h if batched else reshape(h, (1, self.hidden_size))

    def _run(self, input, hx, cx=None):
        x, batched = self._input(input)
        h = self._state(hx, x, batched, "hx")
        c = self._state(cx, x, batched, "cx") if self._mode == "LSTM" else None
        if self._mode == "LSTM":  # one graph node per step (PyTorch's LSTMCell records 15)
            r = lstm_cell(x, h, c, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
            h2, c2 = r[0], r[1]
        elif self._mode == "GRU":
            h2 = gru_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)[0]
            c2 = None
        else:
            xi = F.linear(x, self.weight_ih, self.bias_ih)
            h2, c2 = _step(self._mode, xi, h, c, self.weight_hh, self.bias_hh)
        if not batched:
            h2 = reshape(h2, (self.hidden_size,))
            c2 = None if c2 is None else reshape(c2, (self.hidden_size,))
        return h2, c2


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: ``h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)``
    with ``act`` tanh or relu.

    Parameters
    ----------
    input_size, hidden_size : int
    bias : bool, default True
    nonlinearity : {"tanh", "relu"}, default "tanh"
    device, dtype : optional
        Parameters are float32 unless ``dtype`` is given.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> cell = nn.RNNCell(3, 5)
    >>> h = cell(xp.ones((2, 3), dtype=xp.float32))      # (batch, input) -> (batch, hidden)
    >>> h = cell(xp.ones((2, 3), dtype=xp.float32), h)   # feed the state back
    >>> h.shape, cell(xp.ones(3, dtype=xp.float32)).shape   # unbatched
    ((2, 5), (5,))
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity
        self._mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)

    def forward(self, input, hx=None):
        return self._run(input, hx)[0]


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o in PyTorch's order); returns ``(h', c')``.

    Parameters
    ----------
    input_size, hidden_size : int
    bias : bool, default True
    device, dtype : optional
        Parameters are float32 unless ``dtype`` is given.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> cell = nn.LSTMCell(3, 4)
    >>> x = xp.ones((5, 2, 3), dtype=xp.float32)   # (time, batch, input)
    >>> h, c = cell(x[0])
    >>> for t in range(1, 5):
    ...     h, c = cell(x[t], (h, c))
    >>> h.shape, c.shape, cell.weight_ih.shape
    ((2, 4), (2, 4), (16, 3))
    """

    _mode = "LSTM"

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        if hx is None:
            h, c = None, None
        else:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError("LSTMCell: hx must be a tuple (h_0, c_0)")
            h, c = hx
        return self._run(input, h, c)


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n in PyTorch's order):
    ``h' = (1 - z) * n + z * h``.

    Parameters
    ----------
    input_size, hidden_size : int
    bias : bool, default True
    device, dtype : optional
        Parameters are float32 unless ``dtype`` is given.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> cell = nn.GRUCell(3, 4)
    >>> h = cell(xp.ones((2, 3), dtype=xp.float32))
    >>> h.shape, cell.weight_hh.shape
    ((2, 4), (12, 4))
    """

    _mode = "GRU"

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):
        return self._run(input, hx)[0]
