"""``torch.backends.mkldnn``: not used by minitensor."""
__all__ = ["enabled", "is_available"]

enabled = False


def is_available():
    """False: minitensor does not use oneDNN (MKL-DNN).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.backends.mkldnn.is_available()
    False
    """
    return False
