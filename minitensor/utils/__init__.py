"""Utilities (PyTorch's ``torch.utils`` names): :mod:`minitensor.utils.data`."""
from . import data

__all__ = ["data"]
