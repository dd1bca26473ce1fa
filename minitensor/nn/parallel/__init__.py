"""Data parallelism (PyTorch's ``torch.nn.parallel``): :class:`DistributedDataParallel`
over MPI (:mod:`minitensor.distributed`).

Examples
--------
>>> from minitensor import nn
>>> nn.parallel.DistributedDataParallel is nn.parallel.distributed.DistributedDataParallel
True
"""
from . import distributed  # noqa: F401  (nn.parallel.distributed, as PyTorch)
from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
