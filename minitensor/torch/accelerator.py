"""``torch.accelerator`` as scripts probe it: minitensor has no accelerator.

Examples
--------
>>> import minitensor.torch as torch
>>> torch.accelerator.is_available(), torch.accelerator.current_accelerator()
(False, None)
>>> dev = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
>>> dev
'cpu'
"""
__all__ = ["is_available", "device_count", "current_accelerator", "manual_seed",
           "manual_seed_all", "synchronize"]


def is_available():
    """False: minitensor computes on the CPU only."""
    return False


def device_count():
    """0: minitensor has no accelerator."""
    return 0


def current_accelerator(check_available=False):
    """None: minitensor has no accelerator."""
    return None


def manual_seed(seed):
    """Accepted and ignored (there is no accelerator generator)."""


def manual_seed_all(seed):
    """Accepted and ignored (there is no accelerator generator)."""


def synchronize(device=None):
    """Nothing to wait for (CPU computations are synchronous)."""
