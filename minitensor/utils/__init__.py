"""Utilities (PyTorch's ``torch.utils`` names): :mod:`minitensor.utils.data`, :mod:`minitensor.utils.hooks`."""
from . import data, hooks

__all__ = ["data", "hooks"]
