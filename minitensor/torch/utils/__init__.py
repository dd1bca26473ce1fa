"""PyTorch's ``torch.utils`` in the face: ``data`` is :mod:`minitensor.utils.data` itself.

Examples
--------
>>> import minitensor
>>> from minitensor.torch.utils.data import DataLoader, TensorDataset
>>> DataLoader is minitensor.utils.data.DataLoader
True
"""
from .._reexport import reexport as _reexport

_reexport(globals(), "minitensor.utils", {
    "data": "minitensor.utils.data",
    "data.dataloader": "minitensor.utils.data.dataloader",
    "data.dataset": "minitensor.utils.data.dataset",
    "data.distributed": "minitensor.utils.data.distributed",
    "hooks": "minitensor.utils.hooks",
})
del _reexport
