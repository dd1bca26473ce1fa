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

from .._array_object import Tensor, _index_put
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


def _requires_grad(a):
    return type(a) is not Tensor and isinstance(a, Tensor) and a._meta is not None and \
        a._meta.requires_grad


def on_write(t, name, write, args):
    """``state.write``: the guard around every in-place write of the core (see the
    module docstring). ``name`` is the dunder (``__iadd__``) or the method
    (``fill_``); returns ``write(t, *args)``.

    Under grad mode, an in-place operation on a tensor of a recorded graph (not a
    leaf, not a view of another graph tensor), or one that writes a value that
    requires grad, is recorded as PyTorch does (:func:`_record`); a leaf that
    requires grad raises PyTorch's error."""
    m = None if type(t) is Tensor else t._meta
    if _grad_local.enabled:
        if (m is not None and m.requires_grad) or any(_requires_grad(a) for a in args):
            label = name if name[:2] == "__" else name + "()"
            if m is not None and m.requires_grad and m.grad_fn is None:
                raise RuntimeError(
                    f"{label}: a leaf Variable that requires grad is being used in an "
                    f"in-place operation: it cannot be modified in place while grad mode is "
                    f"on; wrap the update in minitensor.no_grad(), or compute out of place")
            r = _record(t, m, label, name, write, args)
            if r is not None:
                return r
            if m is not None and m.requires_grad:
                raise RuntimeError(
                    f"{label}: this in-place write into a tensor of a recorded graph cannot "
                    f"be recorded (index assignment, or an operation without a "
                    f"differentiable out-of-place form); compute out of place")
            raise _lost_gradient_error(name)
    r = write(t, *args)
    if r is t or r is None:  # written in place (not NotImplemented, not a new tensor)
        if m is not None:
            m.version += 1
        _note_write(t._array)
    return r


# the namespace function of each in-place operator
_IOPS = {"__iadd__": "add", "__isub__": "subtract", "__imul__": "multiply",
         "__itruediv__": "divide", "__ifloordiv__": "floor_divide", "__imod__": "remainder",
         "__ipow__": "pow", "__imatmul__": "matmul"}


def _record(t, m, label, name, write, args):
    """Record an in-place operation on ``t`` (PyTorch's semantics for a non-leaf,
    or for a tensor receiving a value that requires grad): compute the result
    out of place on an alias holding ``t``'s place in the graph, write it into
    ``t``'s memory and let ``t`` take the result's place (:func:`record_inplace`).
    None when the write has no out-of-place form here."""
    import sys
    xp = sys.modules["minitensor"]
    kind = getattr(write, "__name__", "")
    if kind == "inplace_raw":  # t op= other (the operators)
        fname = _IOPS.get(name)
        if fname is None:
            return None
        func = getattr(xp, fname)
        other = args[0]
        # (the rules of add and subtract do not read their operands: no copy)
        return record_inplace(label, t, lambda a: func(a, other),
                              reads_input=fname not in ("add", "subtract"))
    if kind == "_update_raw":  # the in-place methods (add_, clamp_, ...): compute(t, *args)
        compute, rest = args[1], args[2:]
        return record_inplace(label, t, lambda a: compute(a, *rest))
    if kind == "_setitem":  # t[key] = value
        key, value = args
        return record_inplace(label, t, lambda a: _index_put(a, key, value), reads_input=False)
    if kind == "_write_raw":  # fill_ / copy_ / zero_: the value replaces t's
        value = args[1]
        return record_inplace(label, t, lambda a: a * 0 + value, reads_input=False)
    return None


# the autograd state of the pre-write aliases whose operation does not read its
# input (they share the input's memory: not views of another tensor)
_ALIASES = weakref.WeakSet()


def check_not_a_view(label, t, m):
    """Refuse an in-place operation on a view of another tensor that requires grad
    (that tensor's history would not see the write; PyTorch rewrites it)."""
    a = t._array
    node = m.grad_fn
    is_view = False
    while node is not None:  # up the chain of views
        base = None
        for u in getattr(node, "_inputs", ()):
            um = None if type(u) is Tensor else getattr(u, "_meta", None)
            if um is not None and um.requires_grad and um not in _ALIASES and \
                    np.may_share_memory(a, u._array):
                base = um
                break
        if base is None:
            break
        if base.grad_fn is None:
            raise RuntimeError(f"{label}: a view of a leaf Variable that requires grad is "
                               f"being used in an in-place operation; compute out of place")
        is_view = True
        node = base.grad_fn
    if is_view:
        raise RuntimeError(f"{label}: an in-place operation on a view of another tensor of the "
                           f"recorded graph is not supported (that tensor's history would miss "
                           f"the write); compute out of place")


def record_inplace(label, t, compute, reads_input=True):
    """``t`` <- ``compute(alias)`` in place, recorded: ``alias`` has ``t``'s values
    (a copy when the operation's backward reads its input: ``reads_input``)
    and ``t``'s place in the graph; the result's values are written into ``t``
    (same shape; cast within its kind, as PyTorch), ``t``'s old version is
    invalidated (nodes that saved it refuse to backward) and ``t`` takes the
    result's place. Returns ``t``."""
    if not t._array.flags.writeable:
        raise RuntimeError(f"{label}: the tensor is read-only (several elements share one "
                           f"memory location, as in a broadcast view); clone() it first")
    m = None if type(t) is Tensor else t._meta
    if m is not None and m.requires_grad:
        check_not_a_view(label, t, m)
        alias = history_alias(t, copy=reads_input)
        if not reads_input:
            _ALIASES.add(alias._meta)
    else:
        alias = Tensor._new(t._array.copy() if reads_input else t._array)
    y = compute(alias)
    ya, a = y._array, t._array
    if ya.shape != a.shape:
        raise RuntimeError(f"{label}: output with shape {list(a.shape)} doesn't match the "
                           f"broadcast shape {list(ya.shape)}")
    if ya.dtype != a.dtype:
        if not np.can_cast(ya.dtype, a.dtype, casting="same_kind"):
            raise RuntimeError(f"{label}: result type {ya.dtype} can't be cast to the desired "
                               f"output type {a.dtype}")
        import sys
        xp = sys.modules["minitensor"]
        y = xp.astype(y, getattr(xp, a.dtype.name))
    if type(t) is Tensor and type(y) is not Tensor:
        t.__class__ = type(y)  # t joins autograd (as PyTorch: it now requires grad)
        t._meta = _Meta(False)
    return rebase(t, y)


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


