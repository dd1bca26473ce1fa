"""Optimizers and learning-rate schedules (PyTorch's ``torch.optim`` API).

Every optimizer updates each parameter with one compiled Pythran kernel over its
buffers (float32/float64, C-contiguous) and falls back to a reference update
written with namespace operations otherwise; both follow PyTorch's formulas.

Examples
--------
>>> import minitensor as xp
>>> from minitensor import optim
>>> w = xp.tensor([3.0], requires_grad=True)
>>> opt = optim.Adam([w], lr=0.5)
>>> sched = optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
>>> for _ in range(100):
...     opt.zero_grad()
...     loss = xp.sum((w - 1.0) ** 2)
...     loss.backward()
...     _ = opt.step()
...     sched.step()
>>> abs(float(w[0]) - 1.0) < 0.05, sched.get_last_lr()
(True, [0.00048828125])
"""
from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD
from .sparse_adam import SparseAdam

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "NAdam",
           "Adadelta", "RAdam", "Rprop", "ASGD", "SparseAdam", "LBFGS", "lr_scheduler"]
