"""``Parameter``: a tensor that is a module parameter (PyTorch's ``nn.Parameter``)."""
import numpy as np

from .._array_object import Tensor
from ..autograd._tensor import _GradTensor, _Meta

__all__ = ["Parameter", "Buffer"]

_object_new = object.__new__


class Parameter(_GradTensor):
    """A leaf tensor that requires grad and that ``Module`` registers as a parameter
    when assigned as an attribute.

    ``Parameter(data)`` shares memory with ``data`` (as PyTorch); it is usable
    everywhere a tensor is.

    Parameters
    ----------
    data : Tensor, optional
        The values (an empty float32 tensor if omitted).
    requires_grad : bool, default True

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> p = nn.Parameter(xp.zeros(2))
    >>> p.requires_grad, p.is_leaf
    (True, True)
    >>> p
    Parameter containing:
    Tensor([0., 0.], dtype=float64, requires_grad=True)
    """

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            arr = np.empty((0,), np.float32)
        elif isinstance(data, Tensor):
            arr = data._array
        else:
            raise TypeError(f"Parameter: data must be a minitensor Tensor, got "
                            f"{type(data).__name__} (convert with minitensor.asarray)")
        requires_grad = bool(requires_grad)
        if requires_grad and arr.dtype.kind not in "fc":
            raise RuntimeError(f"Parameter: only tensors of floating point or complex dtype can "
                               f"require gradients, got {Tensor._new(arr).dtype}")
        p = _object_new(cls)
        p._array = arr
        p._meta = _Meta(requires_grad)
        return p

    # ``data``: PyTorch's escape hatch (a tensor outside autograd sharing memory;
    # assigning replaces the values' array, keeping the Parameter object)
    @property
    def data(self):
        return Tensor._new(self._array)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"Parameter.data must be a Tensor, got {type(value).__name__}")
        self._array = value._array

    def __repr__(self):
        body = Tensor.__repr__(self)
        if self.requires_grad:
            body = body[:-1] + ", requires_grad=True)"
        return "Parameter containing:\n" + body

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self._array, self.requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        p = Parameter(Tensor._new(self._array.copy()), self.requires_grad)
        g = self.grad
        if g is not None:
            p.grad = Tensor._new(g._array.copy())
        memo[id(self)] = p
        return p

    def __copy__(self):
        return Parameter(Tensor._new(self._array), self.requires_grad)


def _rebuild_parameter(array, requires_grad):
    return Parameter(Tensor._new(np.asarray(array)), requires_grad)


class Buffer:
    """Marks a tensor as a buffer when assigned to a ``Module`` attribute
    (PyTorch's ``nn.Buffer``): ``self.running = nn.Buffer(xp.zeros(3))`` is
    ``self.register_buffer("running", xp.zeros(3))``.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> class M(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.count = nn.Buffer(xp.zeros(1), persistent=False)
    >>> list(M().state_dict())
    []
    """

    __slots__ = ("data", "persistent")

    def __init__(self, data=None, *, persistent=True):
        if data is not None and not isinstance(data, Tensor):
            raise TypeError(f"Buffer: data must be a minitensor Tensor, got {type(data).__name__}")
        self.data = data if data is not None else Tensor._new(np.empty((0,), np.float32))
        self.persistent = bool(persistent)
