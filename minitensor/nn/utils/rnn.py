"""Variable-length sequences for the recurrent layers (PyTorch's
``torch.nn.utils.rnn``): pad a list of sequences into one tensor, or pack a
padded batch into a :class:`PackedSequence` that ``nn.RNN``/``LSTM``/``GRU``
run up to each sequence's own length.

A ``PackedSequence`` stores the time steps one after another: ``data`` holds,
for each step ``t``, the ``batch_sizes[t]`` sequences (sorted by decreasing
length) that are still running at ``t``.

Examples
--------
>>> import minitensor as xp
>>> from minitensor.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
>>> x = xp.asarray([[1.0, 2.0, 3.0], [4.0, 5.0, 0.0]])      # (batch, time), padded
>>> packed = pack_padded_sequence(x, [3, 2], batch_first=True)
>>> packed.data.tolist(), packed.batch_sizes.tolist()
([1.0, 4.0, 2.0, 5.0, 3.0], [2, 2, 1])
>>> padded, lengths = pad_packed_sequence(packed, batch_first=True)
>>> padded.tolist(), lengths.tolist()
([[1.0, 2.0, 3.0], [4.0, 5.0, 0.0]], [3, 2])
"""
import numbers
from collections import namedtuple

import numpy as np

from ..._array_object import Tensor
from ... import _manipulation_functions as _manip
from ..._indexing_functions import take as _take
from ..._creation_functions import full as _full

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "pack_sequence", "unpad_sequence", "unpack_sequence"]


def _new(a):
    return Tensor._new(np.ascontiguousarray(a))


def _index(a):
    return _new(np.asarray(a, dtype=np.int64))


class PackedSequence(namedtuple("PackedSequence",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """A batch of variable-length sequences packed time step after time step
    (made by :func:`pack_padded_sequence` or :func:`pack_sequence`; do not build
    it by hand).

    Attributes
    ----------
    data : Tensor
        ``(sum(lengths), *)``: the elements of step 0 of every sequence, then of
        step 1 of the sequences at least 2 long, and so on.
    batch_sizes : Tensor
        int64 ``(max_length,)``: how many sequences run at each step.
    sorted_indices : Tensor or None
        The batch order used in ``data`` (by decreasing length), as indices into
        the original batch; None when the batch was already sorted.
    unsorted_indices : Tensor or None
        The inverse permutation of ``sorted_indices``.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor.nn.utils.rnn import pack_sequence
    >>> p = pack_sequence([xp.asarray([1.0]), xp.asarray([2.0, 3.0])], enforce_sorted=False)
    >>> p.data.tolist(), p.batch_sizes.tolist(), p.sorted_indices.tolist()
    ([2.0, 1.0, 3.0], [2, 1], [1, 0])
    """

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = _index(np.argsort(np.asarray(sorted_indices._array)))
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """The packed sequence with ``data`` converted by ``data.to(...)``."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else self._replace(data=data)

    @property
    def is_cuda(self):
        return False

    def is_pinned(self):
        return False


def _lengths_array(fname, lengths):
    if isinstance(lengths, Tensor):
        if lengths.ndim != 1:
            raise ValueError(f"{fname}: lengths must be a 1-D tensor, got shape {lengths.shape}")
        a = np.asarray(lengths._array)
        if a.dtype.kind not in "iu":
            raise TypeError(f"{fname}: lengths must be integers, got dtype {lengths.dtype}")
        return a.astype(np.int64)
    out = []
    for v in lengths:
        if isinstance(v, Tensor):
            v = v.item()
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"{fname}: lengths must be integers, got {v!r}")
        out.append(int(v))
    return np.asarray(out, dtype=np.int64)


def _batch_sizes(lengths_sorted):
    """For lengths sorted in decreasing order: how many are > t, for each step t."""
    T = int(lengths_sorted[0]) if lengths_sorted.size else 0
    return (lengths_sorted[None, :] > np.arange(T)[:, None]).sum(axis=1).astype(np.int64)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch of sequences (``(T, B, *)``, or ``(B, T, *)`` with
    ``batch_first``) whose ``b``-th sequence is ``lengths[b]`` long.

    Parameters
    ----------
    input : Tensor
        The padded batch.
    lengths : Tensor or list of int
        The length of each sequence (each >= 1 and <= T).
    batch_first : bool, default False
        ``input`` is ``(B, T, *)``.
    enforce_sorted : bool, default True
        Require ``lengths`` in decreasing order; with False the batch is sorted
        here and the permutation kept in the result.

    Returns
    -------
    PackedSequence

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor.nn.utils.rnn import pack_padded_sequence
    >>> x = xp.reshape(xp.arange(6.0), (3, 2))    # (T=3, B=2)
    >>> p = pack_padded_sequence(x, [1, 3], enforce_sorted=False)
    >>> p.data.tolist(), p.batch_sizes.tolist()   # the longer sequence first
    ([1.0, 0.0, 3.0, 5.0], [2, 1, 1])
    """
    f = "pack_padded_sequence"
    if not isinstance(input, Tensor):
        raise TypeError(f"{f}: input must be a minitensor Tensor, got {type(input).__name__}")
    if input.ndim < 2:
        raise ValueError(f"{f}: input must have at least 2 dimensions (T, B, *), got shape "
                         f"{input.shape}")
    lens = _lengths_array(f, lengths)
    x = _manip.permute_dims(input, (1, 0) + tuple(range(2, input.ndim))) if batch_first \
        else input
    T, B = x.shape[0], x.shape[1]
    if lens.shape[0] != B:
        raise ValueError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                         f"{lens.shape[0]} (batch_size={B})")
    if lens.size and lens.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if lens.size and lens.max() > T:
        raise ValueError(f"{f}: a length {int(lens.max())} exceeds the padded length {T}")
    if enforce_sorted:
        if np.any(np.diff(lens) > 0):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` "
                               "to pack_padded_sequence and/or pack_sequence to sidestep this "
                               "requirement if you do not need ONNX exportability.")
        order = None
        slens = lens
    else:
        order = np.argsort(-lens, kind="stable")
        slens = lens[order]
    bs = _batch_sizes(slens)
    # flat rows t * B + order[b] for b < batch_sizes[t]
    cols = np.arange(B) if order is None else order
    rows = np.concatenate([t * B + cols[:n] for t, n in enumerate(bs)]) if bs.size \
        else np.zeros(0, np.int64)
    flat = _manip.reshape(x, (T * B,) + tuple(x.shape[2:]))
    data = _take(flat, _index(rows), axis=0)
    if order is None:
        return PackedSequence(data, _index(bs), None, None)
    return PackedSequence(data, _index(bs), _index(order), _index(np.argsort(order)))


def _check_packed(fname, sequence):
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"{fname}: expected a PackedSequence, got {type(sequence).__name__}")
    return np.asarray(sequence.batch_sizes._array, dtype=np.int64)


def _padded_sorted(sequence, total_length=None, padding_value=0.0):
    """``(T, B, *)`` padded tensor in the packed (sorted) batch order, and the
    sorted lengths (NumPy)."""
    bs = _check_packed("pad_packed_sequence", sequence)
    data = sequence.data
    T = bs.shape[0]
    B = int(bs[0]) if T else 0
    Tout = T if total_length is None else total_length
    lengths = (bs[None, :] > np.arange(B)[:, None]).sum(axis=1).astype(np.int64)
    # index of each (t, b) in data, or the padding row appended at the end
    idx = np.full((Tout, B), data.shape[0], np.int64)
    offset = 0
    for t, n in enumerate(bs):
        idx[t, :n] = np.arange(offset, offset + n)
        offset += n
    pad_row = _full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype)
    ext = _manip.concat([data, pad_row], axis=0)
    out = _take(ext, _index(idx.reshape(-1)), axis=0)
    return _manip.reshape(out, (Tout, B) + tuple(data.shape[1:])), lengths


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo :func:`pack_padded_sequence`: the padded batch and the lengths.

    Parameters
    ----------
    sequence : PackedSequence
    batch_first : bool, default False
        Return ``(B, T, *)`` instead of ``(T, B, *)``.
    padding_value : float, default 0.0
        The value of the padded elements.
    total_length : int or None, default None
        Pad to this many steps (at least the longest length) instead of the
        longest length.

    Returns
    -------
    padded : Tensor
    lengths : Tensor
        int64 ``(B,)``, in the batch's original order.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor.nn.utils.rnn import pack_sequence, pad_packed_sequence
    >>> p = pack_sequence([xp.asarray([1.0, 2.0]), xp.asarray([3.0])])
    >>> padded, lengths = pad_packed_sequence(p, batch_first=True, total_length=3)
    >>> padded.tolist(), lengths.tolist()
    ([[1.0, 2.0, 0.0], [3.0, 0.0, 0.0]], [2, 1])
    """
    bs = _check_packed("pad_packed_sequence", sequence)
    if total_length is not None:
        if isinstance(total_length, bool) or not isinstance(total_length, numbers.Integral):
            raise TypeError(f"total_length must be an integer, got {type(total_length).__name__}")
        if total_length < bs.shape[0]:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {bs.shape[0]}")
    out, lengths = _padded_sorted(sequence, total_length, padding_value)
    if sequence.unsorted_indices is not None:
        un = sequence.unsorted_indices
        out = _take(out, un, axis=1)
        lengths = lengths[np.asarray(un._array)]
    if batch_first:
        out = _manip.permute_dims(out, (1, 0) + tuple(range(2, out.ndim)))
    return out, _index(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors of shapes ``(L_i, *)`` into one ``(max L, B, *)`` tensor (or
    ``(B, max L, *)`` with ``batch_first``), padding with ``padding_value``.

    Parameters
    ----------
    sequences : sequence of Tensor
        Tensors whose trailing shapes agree.
    batch_first : bool, default False
    padding_value : float, default 0.0
    padding_side : {"right", "left"}, default "right"
        Pad after (or before) each sequence.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor.nn.utils.rnn import pad_sequence
    >>> seqs = [xp.asarray([1.0, 2.0, 3.0]), xp.asarray([4.0])]
    >>> pad_sequence(seqs, batch_first=True).tolist()
    [[1.0, 2.0, 3.0], [4.0, 0.0, 0.0]]
    >>> pad_sequence(seqs, batch_first=True, padding_side="left", padding_value=-1).tolist()
    [[1.0, 2.0, 3.0], [-1.0, -1.0, 4.0]]
    """
    if isinstance(sequences, Tensor):
        sequences = list(sequences)       # a tensor: its rows are the sequences
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    for s in sequences:
        if not isinstance(s, Tensor):
            raise TypeError(f"pad_sequence: expected a list of Tensors, got "
                            f"{type(s).__name__}")
        if s.ndim < 1 or s.shape[1:] != sequences[0].shape[1:]:
            raise RuntimeError(f"pad_sequence: the sequences must have the same trailing "
                               f"shape, got {sequences[0].shape} and {s.shape}")
    lens = [s.shape[0] for s in sequences]
    T, B = max(lens), len(sequences)
    dt = sequences[0].dtype
    data = _manip.concat([s if s.dtype == dt else s.astype(dt) for s in sequences], axis=0)
    pad_row = _full((1,) + tuple(data.shape[1:]), padding_value, dtype=dt)
    ext = _manip.concat([data, pad_row], axis=0)
    idx = np.full((T, B), data.shape[0], np.int64)
    offset = 0
    for b, n in enumerate(lens):
        start = 0 if padding_side == "right" else T - n
        idx[start:start + n, b] = np.arange(offset, offset + n)
        offset += n
    if batch_first:
        idx = idx.T
    out = _take(ext, _index(idx.reshape(-1)), axis=0)
    return _manip.reshape(out, idx.shape + tuple(data.shape[1:]))


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into a list of tensors of the given lengths.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor.nn.utils.rnn import unpad_sequence
    >>> x = xp.asarray([[1.0, 2.0], [3.0, 0.0]])   # (T, B)
    >>> [s.tolist() for s in unpad_sequence(x, [2, 1])]
    [[1.0, 3.0], [2.0]]
    """
    lens = _lengths_array("unpad_sequence", lengths)
    x = padded_sequences
    if not batch_first:
        x = _manip.permute_dims(x, (1, 0) + tuple(range(2, x.ndim)))
    return [x[b, :int(n)] for b, n in enumerate(lens)]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of tensors of shapes ``(L_i, *)`` (:func:`pad_sequence`, then
    :func:`pack_padded_sequence`).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor.nn.utils.rnn import pack_sequence
    >>> p = pack_sequence([xp.asarray([1.0, 2.0, 3.0]), xp.asarray([4.0, 5.0])])
    >>> p.data.tolist(), p.batch_sizes.tolist()
    ([1.0, 4.0, 2.0, 5.0, 3.0], [2, 2, 1])
    """
    sequences = list(sequences)
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of tensors packed in a :class:`PackedSequence` (original order).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor.nn.utils.rnn import pack_sequence, unpack_sequence
    >>> p = pack_sequence([xp.asarray([1.0]), xp.asarray([2.0, 3.0])], enforce_sorted=False)
    >>> [s.tolist() for s in unpack_sequence(p)]
    [[1.0], [2.0, 3.0]]
    """
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
