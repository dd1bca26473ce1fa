"""PyTorch's ``torch.nn`` in the face: the names of :mod:`minitensor.nn` itself.

``minitensor.torch.nn.Linear is minitensor.nn.Linear``; the submodules
(``functional``, ``init``, ``utils``, ``parameter``, ``modules``) are the namespace's
module objects registered under the face's names.

Examples
--------
>>> import minitensor
>>> import minitensor.torch.nn as nn
>>> import minitensor.torch.nn.functional as F
>>> nn.Linear is minitensor.nn.Linear, F is minitensor.nn.functional
(True, True)
"""
from .._reexport import reexport as _reexport

_reexport(globals(), "minitensor.nn", {
    "functional": "minitensor.nn.functional",
    "init": "minitensor.nn.init",
    "parameter": "minitensor.nn.parameter",
    "modules": "minitensor.nn.modules",
    "utils": "minitensor.nn.utils",
    "utils.rnn": "minitensor.nn.utils.rnn",
    "utils.parametrize": "minitensor.nn.utils.parametrize",
    "parallel": "minitensor.nn.parallel",
    "parallel.distributed": "minitensor.nn.parallel.distributed",
})
del _reexport
