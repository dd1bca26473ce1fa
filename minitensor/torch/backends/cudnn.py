"""``torch.backends.cudnn``: settable flags (no cuDNN in minitensor; they change nothing)."""
__all__ = ["enabled", "benchmark", "deterministic", "allow_tf32", "is_available", "version"]

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available():
    """False: minitensor has no cuDNN.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.backends.cudnn.is_available()
    False
    """
    return False


def version():
    """None: minitensor has no cuDNN."""
    return None
