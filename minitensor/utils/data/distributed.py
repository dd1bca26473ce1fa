"""``DistributedSampler``: each rank of a data-parallel job reads its own shard."""
import math
import operator

import numpy as np

from .dataloader import Sampler

__all__ = ["DistributedSampler"]


def _int(v, name):
    if isinstance(v, bool):
        raise TypeError(f"DistributedSampler: {name} must be an integer, got bool")
    try:
        return operator.index(v)
    except TypeError:
        raise TypeError(f"DistributedSampler: {name} must be an integer, got "
                        f"{type(v).__name__}") from None


class DistributedSampler(Sampler):
    """The indices of one rank's shard of a dataset, as PyTorch's ``DistributedSampler``.

    Every rank sees ``num_samples = ceil(len(dataset) / num_replicas)`` indices: the
    (shuffled) index list is padded by repeating its first indices up to
    ``num_samples * num_replicas`` (``drop_last=False``, so every rank runs the same
    number of steps), or cut to a multiple of ``num_replicas`` (``drop_last=True``),
    and rank ``r`` takes the indices at positions ``r, r + num_replicas, ...``.

    Parameters
    ----------
    dataset : sized
    num_replicas : int, optional
        Number of ranks; default ``minitensor.distributed.get_world_size()``.
    rank : int, optional
        This rank; default ``minitensor.distributed.get_rank()``.
    shuffle : bool
        Shuffle with a generator seeded ``seed + epoch`` (the same permutation on every
        rank; call :meth:`set_epoch` at the start of each epoch for a new one).
    seed : int
        The same on every rank.
    drop_last : bool
        Drop the tail instead of padding.

    Notes
    -----
    # Note: the padding and the sharding are PyTorch's exactly (the same index lists
    # for ``shuffle=False``, and for the same permutation), but the permutation comes
    # from NumPy's PCG64 seeded ``seed + epoch``, not from PyTorch's generator, so
    # shuffled orders differ from PyTorch's.

    Examples
    --------
    >>> from minitensor.utils.data import DistributedSampler
    >>> data = list(range(10))
    >>> [list(DistributedSampler(data, num_replicas=3, rank=r, shuffle=False))
    ...  for r in range(3)]
    [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]
    >>> s = DistributedSampler(data, num_replicas=2, rank=0, seed=1)
    >>> s.set_epoch(3)
    >>> len(s), sorted(set(s) | set(DistributedSampler(data, 2, 1, seed=1)))[:3]
    (5, [0, 1, 2])
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0,
                 drop_last=False):
        if num_replicas is None or rank is None:
            from ... import distributed as dist
            if not dist.is_initialized():
                raise RuntimeError(
                    "DistributedSampler: pass num_replicas and rank, or call "
                    "minitensor.distributed.init_process_group() first")
            if num_replicas is None:
                num_replicas = dist.get_world_size()
            if rank is None:
                rank = dist.get_rank()
        num_replicas = _int(num_replicas, "num_replicas")
        rank = _int(rank, "rank")
        if num_replicas < 1:
            raise ValueError(f"DistributedSampler: num_replicas must be positive, got "
                             f"{num_replicas}")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = bool(drop_last)
        n = len(dataset)
        if self.drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = bool(shuffle)
        self.seed = _int(seed, "seed")

    def _order(self):
        """All ranks' index list before padding and sharding."""
        n = len(self.dataset)
        if self.shuffle:
            rng = np.random.Generator(np.random.PCG64((self.seed + self.epoch) % 2 ** 64))
            return rng.permutation(n).tolist()
        return list(range(n))

    def _shard(self, indices):
        """Pad or cut ``indices`` (all ranks' list) and take this rank's share."""
        indices = list(indices)
        if not self.drop_last:
            pad = self.total_size - len(indices)
            if pad <= len(indices):
                indices += indices[:pad]
            elif indices:
                indices += (indices * math.ceil(pad / len(indices)))[:pad]
        else:
            indices = indices[:self.total_size]
        return indices[self.rank:self.total_size:self.num_replicas]

    def __iter__(self):
        return iter(self._shard(self._order()))

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Set the epoch (the shuffle's seed is ``seed + epoch``): call it at the start
        of every epoch, with the same value on every rank.

        Examples
        --------
        >>> from minitensor.utils.data import DistributedSampler
        >>> s = DistributedSampler(range(8), num_replicas=2, rank=0)
        >>> s.set_epoch(0); first = list(s)
        >>> s.set_epoch(1); list(s) != first
        True
        """
        self.epoch = _int(epoch, "epoch")
