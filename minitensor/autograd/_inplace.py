"""In-place writes under autograd: the one guard, and the write registry.

Every in-place path of the core (``Tensor.__setitem__``, the in-place
operators ``+=`` ..., ``fill_``/``copy_``/``zero_``) calls
``minitensor._dispatch.state.write(tensor, name, write, args)`` when that slot
is set; ``minitensor.autograd`` sets it to :func:`on_write`, which

- raises while grad mode is on if the tensor requires grad (the write would
  silently corrupt the recorded graph), or if the value requires grad but the
  tensor does not take part in autograd (the gradient would be lost);
- performs the write (``write(tensor, *args)``);
- then, if the tensor was written (the call returned it, or None), bumps its
  version (``_Meta.version``, checked by ``backward`` against the versions its
  nodes saved) and notes the write on its buffer (:func:`_note_write`, below).

A tensor's version catches writes through that tensor. Writes through another
view of the same memory (a slice of a saved tensor, the base of a saved view)
or through a plain tensor (no ``_meta``) are caught by the registry, as
PyTorch's version counter shared between views does: every in-place write notes
the epoch of the write on its root buffer (the ndarray at the end of the
``.base`` chain); a node remembers the epoch it was recorded at and, when its
rule reads a saved input or output, raises if that value's root buffer was
written since (:func:`_check_unwritten`).
"""
import functools
import weakref

import numpy as np

from .._array_object import Tensor
from ._grad_mode import _local as _grad_local
from ._tensor import _Meta, _make_grad_tensor


class _WritesState:
    __slots__ = ("epoch",)

    def __init__(self):
        self.epoch = 0


_writes_state = _WritesState()
_writes = {}  # id(root buffer) -> (epoch of its last in-place write, weakref to the root)


def _root(a):
    b = a.base
    while isinstance(b, np.ndarray):
        a = b
        b = a.base
    return a


def _forget(key, ref):
    e = _writes.get(key)
    if e is not None and e[1] is ref:
        del _writes[key]


def _note_write(a):
    """Record an in-place write into ndarray ``a`` (any view of its buffer)."""
    r = _root(a)
    _writes_state.epoch = epoch = _writes_state.epoch + 1
    k = id(r)
    e = _writes.get(k)
    if e is not None and e[1]() is r:
        _writes[k] = (epoch, e[1])
    else:
        _writes[k] = (epoch, weakref.ref(r, functools.partial(_forget, k)))


def _check_unwritten(a, epoch, name, out=None, how=None):
    r = _root(a)
    e = _writes.get(id(r))
    if e is not None and e[0] > epoch and e[1]() is r:
        what = f"output {out} of {name}" if out is not None else \
            f"one of the tensors needed to compute the gradient of {name}"
        how = how or "through another view of its memory or a tensor outside autograd"
        raise RuntimeError(
            f"{what} has been modified by an in-place operation ({how}) since the call was "
            f"recorded; do the in-place update after backward(), or compute out of place")


# ---------------------------------------------------------------- the guard
def _lost_gradient_error(name):
    return RuntimeError(
        f"{name}: the value requires grad but the tensor written in place does not take "
        f"part in autograd, so the gradient would be lost; build the result out of place "
        f"(where, concat, stack), or detach() the value, or write under minitensor.no_grad()")


def on_write(t, name, write, args):
    """``state.write``: the guard around every in-place write of the core (see the
    module docstring). ``name`` is the dunder (``__iadd__``) or the method
    (``fill_``); returns ``write(t, *args)``."""
    m = None if type(t) is Tensor else t._meta
    if _grad_local.enabled:
        if m is not None and m.requires_grad:
            what = "a leaf tensor that requires grad" if m.grad_fn is None else \
                "a tensor that is part of a recorded graph"
            label = name if name[:2] == "__" else name + "()"
            raise RuntimeError(
                f"{label}: {what} cannot be modified in place while grad mode is on; "
                f"wrap the update in minitensor.no_grad(), or compute out of place")
        for a in args:  # a value that requires grad, written into t
            if type(a) is not Tensor and isinstance(a, Tensor):
                am = a._meta
                if am is not None and am.requires_grad:
                    raise _lost_gradient_error(name)
    r = write(t, *args)
    if r is t or r is None:  # written in place (not NotImplemented, not a new tensor)
        if m is not None:
            m.version += 1
        _note_write(t._array)
    return r


def note_inplace(t):
    """Record that ``t``'s data was written in place by code that bypassed the
    core's in-place paths (NumPy kernels writing into ``t._array``, e.g. an
    optimizer step or an in-place activation): bumps ``t``'s version if it takes
    part in autograd and notes the write on its buffer."""
    if type(t) is not Tensor:
        m = t._meta
        if m is not None:
            m.version += 1
    _note_write(t._array)


# ------------------------------------------- in-place results of operations
# ``inplace=True`` in nn.functional: the operation runs out of place on an alias
# of the input that has the input's place in the graph, then the input takes the
# result's place (its values written in place, its old version invalidated).
def history_alias(t, copy):
    """A new tensor with ``t``'s values (a copy when ``copy``, else sharing its
    memory) and ``t``'s place in the graph (the same ``grad_fn`` and output)."""
    m = t._meta
    return _make_grad_tensor(t._array.copy() if copy else t._array,
                             _Meta(True, m.grad_fn, m.output_nr))


def rebase(t, y):
    """Write ``y``'s values into ``t`` in place and make ``t`` the result ``y`` in
    the graph (when ``y`` requires grad). Nodes that saved ``t``'s old values
    refuse to backward (version bump and write note); returns ``t``."""
    np.copyto(t._array, y._array)
    note_inplace(t)
    ym = None if type(y) is Tensor else y._meta
    if ym is not None and ym.requires_grad:
        t._meta = ym
    return t


