"""The autograd surface of tensors: :class:`_GradTensor` and its state, ``_Meta``.

Tensors that take part in autograd (leaves with ``requires_grad`` and results
of recorded operations) are instances of ``_GradTensor``, a subclass of
``Tensor`` with the same memory layout: a plain tensor switches class in place
on ``requires_grad_()`` (``Tensor.requires_grad_`` in ``_array_object.py`` is
the core's one lazy import of this layer). The autograd state lives in the
``_meta`` slot (a :class:`_Meta`). Everything a ``_GradTensor`` adds is written
in its class body below; nothing is assigned onto ``Tensor`` from here.
"""
import weakref

import numpy as np

from .._array_object import Tensor, _check_float
from .._dispatch import state as _dispatch_state


class _Meta:
    """Autograd state of a tensor that takes part in autograd."""

    __slots__ = ("requires_grad", "grad", "grad_fn", "output_nr", "hooks", "acc", "retains_grad",
                 "version", "edge", "__weakref__")

    def __init__(self, requires_grad=False, grad_fn=None, output_nr=0):
        self.requires_grad = requires_grad
        self.grad = None
        self.grad_fn = grad_fn
        self.output_nr = output_nr
        self.hooks = None          # leaf hooks (non-leaf hooks live on the node)
        self.acc = None            # the leaf's AccumulateGrad node (made on first use)
        self.retains_grad = False
        self.version = 0           # bumped by in-place writes (checked by backward)
        # the edge ``(node, output index)`` that receives this tensor's gradient, made
        # once per tensor and shared by every node that reads it (``grad_fn`` and
        # ``output_nr`` never change); a leaf's is set with its AccumulateGrad node
        self.edge = None if grad_fn is None else (grad_fn, output_nr)


def _check_grad_value(t, value):
    if not isinstance(value, Tensor):
        raise TypeError(f"assigned grad must be a tensor or None, got {type(value).__name__}")
    if value.shape != t.shape:
        raise RuntimeError(f"assigned grad has shape {value.shape}, but the tensor has shape {t.shape}")


def attach(t, requires_grad):
    """Make the plain tensor ``t`` take part in autograd, in place (it becomes a
    leaf ``_GradTensor``; ``Tensor.requires_grad_`` calls this); returns ``t``."""
    t.__class__ = _GradTensor
    t._meta = _Meta(requires_grad)
    return t


def set_plain_grad(t, value):
    """``t.grad = value`` on a plain tensor: checked, then ``t`` becomes a leaf
    that does not require grad and holds ``value``."""
    _check_grad_value(t, value)
    t.__class__ = _GradTensor
    t._meta = _Meta(False)
    t._meta.grad = value


_tensor_getitem = Tensor.__getitem__


def _namespace():
    import sys
    return sys.modules["minitensor"]


class _HookHandle:
    __slots__ = ("_list", "_fn")

    def __init__(self, lst, fn):
        self._list = lst
        self._fn = fn

    def remove(self):
        try:
            self._list.remove(self._fn)
        except ValueError:
            pass


class _GradTensor(Tensor):
    """A tensor that takes part in autograd (see ``minitensor.autograd``).

    Same slots as ``Tensor``; the autograd metadata lives in ``_meta``.
    """

    __slots__ = ()

    # ---------------------------------------------------------- autograd state
    @property
    def requires_grad(self):
        return self._meta.requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        m = self._meta
        if m.grad_fn is not None and not value:
            raise RuntimeError("requires_grad can only be changed on leaf tensors; use detach() "
                               "to get a tensor outside the graph")
        if value:
            _check_float(self, "requires_grad")
        m.requires_grad = bool(value)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place (on a leaf) and return the tensor."""
        _GradTensor.requires_grad.fset(self, requires_grad)
        return self

    @property
    def grad(self):
        """The accumulated gradient (or None)."""
        m = self._meta
        if m.grad is None and m.grad_fn is not None and not m.retains_grad:
            import warnings
            # as PyTorch: almost always a mistake (reading a non-leaf's gradient)
            warnings.warn(
                "The .grad attribute of a tensor that is not a leaf is being accessed; it is not "
                "populated by backward(). Call .retain_grad() on the non-leaf tensor to keep its "
                "gradient, or access the leaf tensor instead.", UserWarning, stacklevel=2)
        return m.grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            _check_grad_value(self, value)
        self._meta.grad = value

    @property
    def grad_fn(self):
        return self._meta.grad_fn

    @property
    def is_leaf(self):
        return self._meta.grad_fn is None

    @property
    def retains_grad(self):
        return self._meta.retains_grad

    def detach_(self):
        self._meta = None
        self.__class__ = Tensor
        return self

    def retain_grad(self):
        m = self._meta
        if not m.requires_grad:
            raise RuntimeError("retain_grad: the tensor does not require grad")
        if m.grad_fn is None:
            return  # leaves always keep their .grad
        node = m.grad_fn
        if node.out_retained is None:
            node.out_retained = {}
        node.out_retained[m.output_nr] = weakref.ref(m)
        m.retains_grad = True

    def register_hook(self, fn):
        """Register ``fn(grad) -> grad or None``, called when this tensor's gradient is
        computed; returns a handle with ``remove()``.

        A returned tensor replaces the gradient; it must have the gradient's shape and
        dtype (else backward raises RuntimeError, as PyTorch: no broadcasting, summing
        or casting), and returning anything but a tensor or None raises TypeError.
        # Note: a non-callable ``fn`` raises TypeError here; PyTorch 2.13 accepts it
        # and fails only when backward calls it.
        """
        if not callable(fn):
            raise TypeError(f"register_hook: the hook must be callable (fn(grad) -> Tensor or "
                            f"None), got {type(fn).__name__}")
        m = self._meta
        if not m.requires_grad:
            raise RuntimeError("register_hook: the tensor does not require grad")
        if m.grad_fn is None:
            if m.hooks is None:
                m.hooks = []
            lst = m.hooks
        else:
            node = m.grad_fn
            if node.out_hooks is None:
                node.out_hooks = {}
            lst = node.out_hooks.setdefault(m.output_nr, [])
        lst.append(fn)
        return _HookHandle(lst, fn)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate the gradient of this tensor into the leaves' ``.grad``."""
        from ._engine import backward
        backward(self, None if gradient is None else [gradient], retain_graph=retain_graph,
                 create_graph=create_graph, inputs=inputs)

    # ------------------------------------------- recorded views and iteration
    def __getitem__(self, key, /):
        # recorded: the gradient scatters back into the indexed positions
        return _dispatch_state.hook("__getitem__", _tensor_getitem, (self, key), {})

    def __iter__(self, /):
        if self._array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        for i in range(self._array.shape[0]):
            yield self[i]

    @property
    def T(self):
        if self._array.ndim != 2:
            return Tensor.T.fget(self)  # raises the ValueError
        return _namespace().permute_dims(self, (1, 0))

    @property
    def mT(self):
        if self._array.ndim < 2:
            return Tensor.mT.fget(self)  # raises the ValueError
        return _namespace().matrix_transpose(self)

    T.__doc__ = Tensor.T.__doc__
    mT.__doc__ = Tensor.mT.__doc__

    # ------------------------------------------------- presentation, copies
    def __repr__(self):
        body = Tensor.__repr__(self)[:-1]
        m = self._meta
        if m.grad_fn is not None:
            return f"{body}, grad_fn=<{m.grad_fn.name_()}>)"
        if m.requires_grad:
            return f"{body}, requires_grad=True)"
        return body + ")"

    def __copy__(self):
        return _GradTensor.__deepcopy__(self, {})

    def __deepcopy__(self, memo):
        # as PyTorch: only leaves copy (with requires_grad and a copy of .grad)
        if id(self) in memo:
            return memo[id(self)]
        m = self._meta
        if m.grad_fn is not None:
            raise RuntimeError("only tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol; detach() the tensor first")
        t = Tensor._new(self._array.copy())
        memo[id(self)] = t
        if m.requires_grad:
            t.requires_grad_(True)
        if m.grad is not None:
            t.grad = Tensor._new(m.grad._array.copy())
        return t

    def __reduce__(self):
        m = self._meta
        if m.grad_fn is not None and m.requires_grad:
            raise RuntimeError("cannot pickle a non-leaf tensor that requires grad (autograd "
                               "graphs do not cross process boundaries); detach() it first")
        return (_rebuild_grad, (self._array, m.requires_grad))


def _rebuild_grad(array, requires_grad):
    t = Tensor._new(np.asarray(array))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _make_grad_tensor(array, meta):
    """A ``_GradTensor`` over ``array`` with autograd state ``meta`` (no copy)."""
    t = object.__new__(_GradTensor)
    t._array = array
    t._meta = meta
    return t
