"""PyTorch's ``torch.autograd`` in the face: the names of :mod:`minitensor.autograd`
(``grad``, ``backward``, ``Function``, ``gradcheck``, ``gradgradcheck``, grad modes).

Examples
--------
>>> import minitensor.torch as torch
>>> x = torch.tensor([2.0], requires_grad=True)
>>> (g,) = torch.autograd.grad((x ** 3).sum(), x)
>>> g
Tensor([12.], dtype=float32)
"""
from .._reexport import reexport as _reexport

_reexport(globals(), "minitensor.autograd", {})
del _reexport


def Variable(data, requires_grad=False, volatile=False):
    """PyTorch's deprecated ``Variable``: the tensor ``data`` itself (tensors record
    gradients on their own), made to require grad when asked.

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> from minitensor.torch.autograd import Variable
    >>> v = Variable(torch.ones(2), requires_grad=True)
    >>> v.requires_grad, isinstance(v, torch.Tensor)
    (True, True)
    """
    if requires_grad and not data.requires_grad:
        data.requires_grad_(True)
    return data


__all__.append("Variable")  # noqa: F821 (set by reexport)
