"""``torch.cuda`` as scripts probe it: minitensor has no CUDA device.

Examples
--------
>>> import minitensor.torch as torch
>>> torch.cuda.is_available(), torch.cuda.device_count()
(False, 0)
>>> torch.cuda.manual_seed_all(0)  # accepted, does nothing
"""
__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all", "is_initialized",
           "empty_cache", "synchronize", "current_device", "get_device_name",
           "is_bf16_supported"]


def is_available():
    """False: minitensor has no CUDA device."""
    return False


def device_count():
    """0: minitensor has no CUDA device."""
    return 0


def is_initialized():
    """False: there is no CUDA context."""
    return False


def is_bf16_supported(including_emulation=True):
    """False: there is no CUDA device."""
    return False


def manual_seed(seed):
    """Accepted and ignored (there is no CUDA generator), as PyTorch without CUDA."""


def manual_seed_all(seed):
    """Accepted and ignored (there is no CUDA generator), as PyTorch without CUDA."""


def empty_cache():
    """Accepted and ignored (there is no CUDA memory)."""


def synchronize(device=None):
    """Raise RuntimeError: there is no CUDA device to wait for."""
    raise RuntimeError("minitensor has no CUDA device (torch.cuda.is_available() is False)")


def current_device():
    """Raise RuntimeError: there is no CUDA device."""
    raise RuntimeError("minitensor has no CUDA device (torch.cuda.is_available() is False)")


def get_device_name(device=None):
    """Raise RuntimeError: there is no CUDA device."""
    raise RuntimeError("minitensor has no CUDA device (torch.cuda.is_available() is False)")
