"""``torch.backends.mps``: no Apple GPU backend in minitensor."""
__all__ = ["is_available", "is_built"]


def is_available():
    """False: minitensor has no MPS backend.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.backends.mps.is_available()
    False
    """
    return False


def is_built():
    """False: minitensor has no MPS backend."""
    return False
