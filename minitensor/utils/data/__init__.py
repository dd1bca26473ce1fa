"""Datasets and data loading (PyTorch's ``torch.utils.data`` API).

Examples
--------
>>> import minitensor as xp
>>> from minitensor.utils.data import DataLoader, TensorDataset, random_split
>>> _ = xp.manual_seed(0)
>>> ds = TensorDataset(xp.reshape(xp.arange(20.0), (10, 2)), xp.arange(10))
>>> train, test = random_split(ds, [0.7, 0.3])
>>> loader = DataLoader(train, batch_size=3, shuffle=True)
>>> [tuple(x.shape) for x, y in loader]
[(3, 2), (3, 2), (1, 2)]
"""
from .dataloader import (
    BatchSampler, DataLoader, RandomSampler, Sampler, SequentialSampler, default_collate,
)
from .dataset import (
    ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split,
)
from .distributed import DistributedSampler

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "random_split",
    "DataLoader", "Sampler", "SequentialSampler", "RandomSampler", "BatchSampler",
    "default_collate", "DistributedSampler",
]
