"""Samplers, batch collation and the DataLoader (PyTorch's ``torch.utils.data`` names)."""
import collections.abc
import numbers
import operator

import numpy as np

from ..._array_object import Tensor
from .dataset import IterableDataset, TensorDataset, _rng

__all__ = ["DataLoader", "Sampler", "SequentialSampler", "RandomSampler", "BatchSampler",
           "default_collate"]


class Sampler:
    """Base class of samplers: iterables of dataset indices.

    Examples
    --------
    A sampler that visits the even indices first, used by a ``DataLoader``:

    >>> import minitensor as xp
    >>> from minitensor.utils.data import DataLoader, Sampler
    >>> class EvenFirst(Sampler):
    ...     def __init__(self, n):
    ...         self.n = n
    ...     def __iter__(self):
    ...         return iter([*range(0, self.n, 2), *range(1, self.n, 2)])
    ...     def __len__(self):
    ...         return self.n
    >>> list(EvenFirst(5))
    [0, 2, 4, 1, 3]
    >>> loader = DataLoader(xp.arange(10, 15), batch_size=2, sampler=EvenFirst(5))
    >>> [batch.tolist() for batch in loader]
    [[10, 12], [14, 11], [13]]
    """

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """Indices ``0, 1, ..., len(data_source) - 1``.

    Examples
    --------
    >>> from minitensor.utils.data import SequentialSampler
    >>> list(SequentialSampler(range(3)))
    [0, 1, 2]
    """

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random permutation of the indices, drawn anew on every iteration.

    Parameters
    ----------
    data_source : sized
    generator : numpy.random.Generator or int, optional
        Default: the global generator (``minitensor.manual_seed``).

    Examples
    --------
    >>> from minitensor.utils.data import RandomSampler
    >>> sorted(RandomSampler(range(5), generator=0))
    [0, 1, 2, 3, 4]
    """

    def __init__(self, data_source, generator=None):
        self.data_source = data_source
        self.generator = None if generator is None else _rng(generator, "RandomSampler")

    def __iter__(self):
        rng = _rng(self.generator, "RandomSampler")
        return iter(rng.permutation(len(self.data_source)).tolist())

    def __len__(self):
        return len(self.data_source)


class BatchSampler(Sampler):
    """Group the indices of ``sampler`` into lists of ``batch_size``.

    Examples
    --------
    >>> from minitensor.utils.data import BatchSampler, SequentialSampler
    >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
    [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) \
                or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got "
                             f"drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for i in self.sampler:
            batch.append(i)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


def _stack(items):
    from ... import stack
    return stack(items, axis=0)


def default_collate(batch):
    """Merge a list of samples into a batch (PyTorch's ``default_collate``).

    * tensors are stacked along a new first axis (same shapes required);
    * NumPy arrays and scalars become stacked tensors;
    * Python floats, ints and bools become 1-D float64, int64 and bool tensors;
    * strings are returned as they are (the sequence of samples);
    * dicts are collated key by key, tuples and lists element by element
      (all samples must have the same length).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor.utils.data import default_collate
    >>> default_collate([(xp.asarray([1.0, 2.0]), 0), (xp.asarray([3.0, 4.0]), 1)])
    [Tensor([[1., 2.],
            [3., 4.]], dtype=float64), Tensor([0, 1], dtype=int64)]
    >>> default_collate([{"x": 1.5, "name": "a"}, {"x": 2.5, "name": "b"}])
    {'x': Tensor([1.5, 2.5], dtype=float64), 'name': ['a', 'b']}
    """
    if not isinstance(batch, collections.abc.Sequence) or len(batch) == 0:
        raise ValueError("default_collate: expected a non-empty list of samples")
    elem = batch[0]
    if isinstance(elem, Tensor):
        shapes = {tuple(b.shape) for b in batch if isinstance(b, Tensor)}
        if len(shapes) > 1 or not all(isinstance(b, Tensor) for b in batch):
            raise ValueError(f"default_collate: stack expects each tensor to be equal size, "
                             f"but got shapes {sorted(shapes)}")
        return _stack(list(batch))
    if isinstance(elem, (np.ndarray, np.generic)) and not isinstance(elem, (np.str_, np.bytes_)):
        arrays = [np.asarray(b) for b in batch]
        if arrays[0].dtype.hasobject or arrays[0].dtype.kind not in "biufc":
            raise TypeError(f"default_collate: cannot collate NumPy arrays of dtype "
                            f"{arrays[0].dtype}")
        if len({a.shape for a in arrays}) > 1:
            raise ValueError(f"default_collate: arrays of different shapes "
                             f"{sorted({a.shape for a in arrays})}")
        return Tensor._new(np.stack(arrays))
    if isinstance(elem, bool):
        return Tensor._new(np.array(batch, dtype=np.bool_))
    if isinstance(elem, int):
        return Tensor._new(np.array(batch, dtype=np.int64))
    if isinstance(elem, float):
        return Tensor._new(np.array(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):      # namedtuple
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        n = len(elem)
        if any(len(b) != n for b in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        # Note: as PyTorch, a batch of tuples or lists is returned as a list.
        return [default_collate(s) for s in zip(*batch)]
    raise TypeError(f"default_collate: batch must contain tensors, NumPy arrays, numbers, "
                    f"strings, dicts or lists; found {type(elem).__name__}")


class DataLoader:
    """Iterate over a dataset in (shuffled) mini-batches.

    Parameters
    ----------
    dataset : Dataset
        Map-style (``__getitem__``/``__len__``) or an
        :class:`~minitensor.utils.data.IterableDataset`.
    batch_size : int or None, default 1
        Samples per batch; ``None`` yields single samples without collation.
    shuffle : bool, default False
        Draw a new random order every epoch (every ``iter(loader)``).
    sampler : iterable of int, optional
        Custom index order (excludes ``shuffle``).
    batch_sampler : iterable of lists of int, optional
        Custom batches (excludes ``batch_size``, ``shuffle``, ``sampler``,
        ``drop_last``).
    num_workers : int, default 0
        Only 0 is supported (loading runs in the calling process).
    collate_fn : callable, optional
        Merges a list of samples into a batch; default :func:`default_collate`.
    drop_last : bool, default False
        Drop the last, incomplete batch.
    generator : numpy.random.Generator or int, optional
        Source of the shuffling; default the global generator seeded by
        ``minitensor.manual_seed`` (so ``manual_seed(s)`` makes runs repeatable).

    Notes
    -----
    A :class:`TensorDataset` with the default collation is batched by indexing
    its tensors with the batch's indices (one ``take`` per tensor), which gives
    the same batches as collating the samples one by one, faster.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor.utils.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(xp.arange(10.0), xp.arange(10) % 2)
    >>> loader = DataLoader(ds, batch_size=4, shuffle=True, generator=0)
    >>> [tuple(x.shape) for x, y in loader]
    [(4,), (4,), (2,)]
    >>> len(DataLoader(ds, batch_size=4, drop_last=True))
    2
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, drop_last=False, generator=None):
        if num_workers != 0:
            # Note: PyTorch loads in worker processes for num_workers > 0.
            raise ValueError(f"DataLoader: num_workers={num_workers} is not supported; "
                             f"minitensor loads data in the calling process (num_workers=0)")
        if not isinstance(shuffle, bool):
            raise TypeError(f"DataLoader: shuffle must be a bool, got {type(shuffle).__name__}")
        self.dataset = dataset
        self.num_workers = 0
        self.generator = None if generator is None else _rng(generator, "DataLoader")
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 "shuffle option, but got shuffle=True")
            if sampler is not None or batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 "sampler and batch_sampler options")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None:
            if drop_last:
                raise ValueError("batch_size=None option disables auto-batching and is "
                                 "mutually exclusive with drop_last")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if not self._iterable and sampler is None:
            sampler = RandomSampler(dataset, self.generator) if shuffle \
                else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        elif batch_size is not None and self._iterable:
            BatchSampler([], batch_size, drop_last)           # argument checks only
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.collate_fn = default_collate if collate_fn is None else collate_fn

    def _fetch(self, indices):
        ds = self.dataset
        if isinstance(ds, TensorDataset) and self.collate_fn is default_collate:
            from ... import asarray, take
            idx = asarray(np.asarray(indices, dtype=np.int64))
            n = len(ds)
            if len(indices) and (min(indices) < -n or max(indices) >= n):
                raise IndexError(f"DataLoader: index out of range for a dataset of length {n}")
            return [take(t, idx, axis=0) for t in ds.tensors]
        return self.collate_fn([ds[i] for i in indices])

    def __iter__(self):
        if self._iterable:
            it = iter(self.dataset)
            if self.batch_size is None:
                yield from it
                return
            batch = []
            for sample in it:
                batch.append(sample)
                if len(batch) == self.batch_size:
                    yield self.collate_fn(batch)
                    batch = []
            if batch and not self.drop_last:
                yield self.collate_fn(batch)
            return
        if self.batch_sampler is None:          # batch_size=None: single samples
            for i in self.sampler:
                yield self.dataset[i]
            return
        for indices in self.batch_sampler:
            yield self._fetch([operator.index(i) for i in indices])

    def __len__(self):
        if self._iterable:
            n = len(self.dataset)        # TypeError if the dataset has no length
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        if self.batch_sampler is None:
            return len(self.sampler)
        return len(self.batch_sampler)
