"""``torch.backends`` as scripts probe and set it: ``mps.is_available()`` is False, the
``cudnn`` flags and ``cuda.matmul.allow_tf32`` can be set and read (they change nothing:
minitensor has neither cuDNN nor CUDA).

Examples
--------
>>> import minitensor.torch as torch
>>> torch.backends.mps.is_available(), torch.backends.cudnn.is_available()
(False, False)
>>> torch.backends.cudnn.benchmark = True
>>> torch.backends.cudnn.deterministic = True
>>> torch.backends.cuda.matmul.allow_tf32 = False
>>> torch.backends.cudnn.benchmark, torch.backends.cuda.matmul.allow_tf32
(True, False)
>>> torch.backends.cudnn.benchmark = False
"""
from . import cuda, cudnn, mkldnn, mps

__all__ = ["cuda", "cudnn", "mkldnn", "mps"]
