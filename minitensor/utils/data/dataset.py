"""Datasets (PyTorch's ``torch.utils.data`` names and semantics)."""
import bisect
import math
import numbers
import operator

import numpy as np

from ..._array_object import Tensor

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset",
           "random_split"]


def _rng(generator, where):
    """The NumPy Generator to draw from: ``generator`` (a numpy.random.Generator, or an
    int seed), else the global one seeded by ``minitensor.manual_seed``."""
    if generator is None:
        from ..._random import default_generator
        return default_generator()
    if isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, numbers.Integral) and not isinstance(generator, bool):
        # Note: PyTorch wants a torch.Generator; we also accept a seed.
        return np.random.default_rng(int(generator))
    raise TypeError(f"{where}: generator must be a numpy.random.Generator, an int seed or "
                    f"None, got {type(generator).__name__}")


class Dataset:
    """A map-style dataset: ``dataset[i]`` is the i-th sample, ``len(dataset)`` the count.

    Subclasses implement ``__getitem__`` (and ``__len__`` for the default
    samplers); ``a + b`` concatenates datasets.

    Examples
    --------
    >>> from minitensor.utils.data import Dataset
    >>> class Squares(Dataset):
    ...     def __len__(self):
    ...         return 4
    ...     def __getitem__(self, i):
    ...         return i * i
    >>> [Squares()[i] for i in range(4)]
    [0, 1, 4, 9]
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset given by iteration (``__iter__``), e.g. a stream; the
    :class:`~minitensor.utils.data.DataLoader` batches it in order (no shuffling).

    Examples
    --------
    >>> from minitensor.utils.data import IterableDataset
    >>> class Count(IterableDataset):
    ...     def __iter__(self):
    ...         return iter(range(3))
    >>> list(Count())
    [0, 1, 2]
    """

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")


class TensorDataset(Dataset):
    """A dataset of tensors indexed along their first axis: sample ``i`` is
    ``tuple(t[i] for t in tensors)``.

    Parameters
    ----------
    *tensors : Tensor
        Tensors with the same size of the first axis.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor.utils.data import TensorDataset
    >>> ds = TensorDataset(xp.reshape(xp.arange(6.0), (3, 2)), xp.asarray([0, 1, 0]))
    >>> len(ds), ds[1]
    (3, (Tensor([2., 3.], dtype=float64), Tensor(1, dtype=int64)))
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset: argument {i} is a {type(t).__name__}, "
                                f"not a Tensor")
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: argument {i} is 0-dimensional")
        n = tensors[0].shape[0]
        if any(t.shape[0] != n for t in tensors):
            raise ValueError("Size mismatch between tensors: first axes have sizes "
                             + ", ".join(str(t.shape[0]) for t in tensors))
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices`` (in that order).

    Examples
    --------
    >>> from minitensor.utils.data import Subset
    >>> s = Subset(list("abcde"), [4, 0])
    >>> len(s), s[0], s[1]
    (2, 'e', 'a')
    """

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = [operator.index(i) for i in indices]

    def __getitem__(self, idx):
        if isinstance(idx, (list, tuple)):
            return [self.dataset[self.indices[i]] for i in idx]
        return self.dataset[self.indices[idx]]

    def __len__(self):
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several map-style datasets, one after another.

    Examples
    --------
    >>> from minitensor.utils.data import ConcatDataset
    >>> c = ConcatDataset([[1, 2], [3]])
    >>> len(c), [c[i] for i in range(3)], c[-1]
    (3, [1, 2, 3], 3)
    """

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = []
        total = 0
        for d in self.datasets:
            total += len(d)
            self.cumulative_sizes.append(total)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        n = len(self)
        if idx < 0:
            if -idx > n:
                raise IndexError(f"index {idx} is out of range for a dataset of length {n}")
            idx += n
        if idx >= n:
            raise IndexError(f"index {idx} is out of range for a dataset of length {n}")
        d = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[d - 1] if d > 0 else 0
        return self.datasets[d][idx - start]


def random_split(dataset, lengths, generator=None):
    """Split a dataset into non-overlapping random subsets.

    Parameters
    ----------
    dataset : Dataset
        A map-style dataset (with ``len``).
    lengths : sequence of int or of float
        The subsets' lengths (summing to ``len(dataset)``), or fractions summing
        to 1: each subset gets ``floor(frac * len)`` samples and the remainder
        is distributed one by one, round-robin, as PyTorch does.
    generator : numpy.random.Generator or int, optional
        Source of the permutation (default: the global generator seeded by
        ``minitensor.manual_seed``).

    Returns
    -------
    list of Subset

    Examples
    --------
    >>> from minitensor.utils.data import random_split
    >>> train, test = random_split(range(10), [0.8, 0.2], generator=0)
    >>> len(train), len(test), sorted(list(train) + list(test)) == list(range(10))
    (8, 2, True)
    """
    lengths = list(lengths)
    n = len(dataset)
    if not lengths:
        raise ValueError("random_split: lengths must not be empty")
    if all(isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in lengths):
        lengths = [int(x) for x in lengths]
        if any(x < 0 for x in lengths):
            raise ValueError(f"random_split: lengths must be >= 0, got {lengths}")
    elif all(isinstance(x, numbers.Real) and not isinstance(x, bool) for x in lengths):
        fracs = [float(x) for x in lengths]
        if any(not 0 <= f <= 1 for f in fracs):
            raise ValueError(f"random_split: fractions must be between 0 and 1, got {fracs}")
        if not math.isclose(sum(fracs), 1.0) or sum(fracs) > 1:
            raise ValueError(f"random_split: fractions must sum to 1, got sum {sum(fracs)}")
        lengths = [int(math.floor(n * f)) for f in fracs]
        remainder = n - sum(lengths)
        for i in range(remainder):
            lengths[i % len(lengths)] += 1
    else:
        raise TypeError(f"random_split: lengths must be ints or fractions, got {lengths}")
    if sum(lengths) != n:
        raise ValueError(f"random_split: sum of input lengths ({sum(lengths)}) does not equal "
                         f"the length of the input dataset ({n})")
    perm = _rng(generator, "random_split").permutation(n).tolist()
    out = []
    offset = 0
    for k in lengths:
        out.append(Subset(dataset, perm[offset:offset + k]))
        offset += k
    return out
