"""PyTorch's ``torch.optim`` in the face: the names of :mod:`minitensor.optim` itself.

Examples
--------
>>> import minitensor
>>> import minitensor.torch.optim as optim
>>> from minitensor.torch.optim.lr_scheduler import StepLR
>>> optim.SGD is minitensor.optim.SGD, StepLR is minitensor.optim.lr_scheduler.StepLR
(True, True)
"""
from .._reexport import reexport as _reexport

_reexport(globals(), "minitensor.optim", {
    "lr_scheduler": "minitensor.optim.lr_scheduler",
    "optimizer": "minitensor.optim.optimizer",
})
del _reexport
