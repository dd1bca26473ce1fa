"""``torch.backends.cuda``: settable ``matmul`` flags (no CUDA in minitensor)."""
__all__ = ["matmul", "is_built"]


class _MatmulFlags:
    """``torch.backends.cuda.matmul``: flags that can be set and read."""

    def __init__(self):
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True


matmul = _MatmulFlags()


def is_built():
    """False: minitensor is not built with CUDA.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.backends.cuda.is_built()
    False
    """
    return False
