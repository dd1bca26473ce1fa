"""Neural-network layers, losses and initialisation with PyTorch's names,
defaults and semantics: port a PyTorch script by changing ``import torch.nn as
nn`` to ``from minitensor import nn``.

* ``Module`` (subclassable; parameters, buffers, submodules, ``state_dict``),
  ``Parameter``, containers (``Sequential``, ``ModuleList``, ``ModuleDict``);
* layers (``Linear``, ``Conv2d``, ``BatchNorm2d``, ``LSTM``,
  ``MultiheadAttention``, ...), activations and losses as modules;
* ``nn.functional`` (stateless forms) and ``nn.init`` (initialisers).

# Note: layers create float32 parameters by default, as PyTorch, while the
# namespace's default floating dtype is float64: pass float32 inputs (or call
# ``model.to(minitensor.float64)``); a dtype mismatch raises TypeError.

Examples
--------
>>> import minitensor as xp
>>> from minitensor import nn
>>> _ = xp.manual_seed(0)
>>> model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
>>> x = xp.ones((8, 4), dtype=xp.float32)
>>> loss = nn.CrossEntropyLoss()(model(x), xp.zeros(8, dtype=xp.int64))
>>> loss.backward()
>>> model[0].weight.grad.shape
(16, 4)
"""
from . import _malloc
from . import functional, init, utils
from .parameter import Buffer, Parameter
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from . import parallel

__all__ = ["Parameter", "Buffer", "functional", "init", "utils"] + list(_modules_all)

_malloc.tune()   # reuse freed activation buffers (see _malloc.py; MINITENSOR_MALLOC_TUNING=0)
