"""PyTorch's ``torch.distributed`` in the face: :mod:`minitensor.distributed` itself
(collectives over MPI; ``backend="mpi"`` only).

Examples
--------
>>> import minitensor
>>> import minitensor.torch.distributed as dist
>>> dist.all_reduce is minitensor.distributed.all_reduce
True
"""
from ._reexport import reexport as _reexport

_reexport(globals(), "minitensor.distributed")
del _reexport
