"""In-place writes under autograd: the one guard, and the write registry.

Every in-place path of the core (``Tensor.__setitem__``, the in-place
operators ``+=`` ..., ``fill_``/``copy_``/``zero_``) calls
``minitensor._dispatch.state.write(tensor, name, write, args)`` when that slot
is set; ``minitensor.autograd`` sets it to :func:`on_write`, which

- under grad mode, when the tensor or the value requires grad: records the write
  as PyTorch does (the tensor takes the place of the out-of-place result; a write
  into a view of a graph tensor is recorded on that base, PyTorch's CopySlices,
  and the views are regenerated from the new base: :func:`record_inplace`), or
  raises PyTorch's error for a leaf that requires grad (or a view of one);
- otherwise performs the write (``write(tensor, *args)``, on a plain alias) and,
  if the tensor was written (the call returned it, or None), bumps its
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
from ._grad_mode import _local as _grad_local, _set_enabled
from ._tensor import _Meta, _make_grad_tensor

_object_new = object.__new__
_new = Tensor._new


class _WritesState:
    __slots__ = ("epoch",)

    def __init__(self):
        self.epoch = 0


_writes_state = _WritesState()
_writes = {}  # id(root buffer) -> [epoch of its last in-place write, weakref to the root]


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
    b = a.base
    while b is not None and isinstance(b, np.ndarray):  # (_root, inline: a hot path)
        a = b
        b = a.base
    _writes_state.epoch = epoch = _writes_state.epoch + 1
    k = id(a)
    e = _writes.get(k)
    if e is not None and e[1]() is a:
        e[0] = epoch
    else:
        _writes[k] = [epoch, weakref.ref(a, functools.partial(_forget, k))]


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
    (``fill_``); returns ``write(t, *args)``.

    Under grad mode, an in-place operation on a tensor of a recorded graph (a
    non-leaf, or a view of one: PyTorch's CopySlices, :func:`record_inplace`), or
    one that writes a value that requires grad, is recorded as PyTorch does
    (:func:`_record`); a leaf that requires grad (or a view of one) raises
    PyTorch's error.

    Everything else (no grad mode, or nothing that requires grad: an optimizer
    step under ``no_grad()``, ``grad.zero_()``) is the fast path: the write runs on
    a plain alias of ``t`` (the core's ufunc-into-the-buffer paths), then the
    version is bumped and the write noted on the buffer (:func:`_note_write`)."""
    if type(t) is Tensor:
        m = None
    else:
        m = t._meta
    if _grad_local.enabled and ((m is not None and m.requires_grad) or _any_requires_grad(args)):
        return _guarded(t, m, name, write, args)
    if m is None:
        r = write(t, *args)
        if r is t or r is None:  # written in place (not NotImplemented, not a new tensor)
            _note_write(t._array)
        return r
    # (a plain alias: the core's fast in-place paths take plain tensors only)
    p = _new(t._array)
    r = write(p, *args)
    if r is p or r is None:
        m.version += 1
        _note_write(p._array)
        return t if r is p else r
    return r


def _any_requires_grad(args):
    for a in args:
        if type(a) is not Tensor and isinstance(a, Tensor):
            am = a._meta
            if am is not None and am.requires_grad:
                return True
    return False


def _guarded(t, m, name, write, args):
    """The grad-mode path of :func:`on_write` (something requires grad)."""
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
            f"be recorded (an operation without a differentiable out-of-place form); "
            f"compute out of place")
    raise _lost_gradient_error(name)


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


def _graph_base(label, t, m, leaf_ok=False):
    """The tensor of the recorded graph that ``t`` (which requires grad) is a view
    of, up the chain of recorded views (the first one that is not itself a view);
    None when ``t`` is not a view of another graph tensor. A view of a leaf that
    requires grad raises PyTorch's error (``leaf_ok``: returns the leaf)."""
    a = t._array
    node = m.grad_fn
    base = None
    while node is not None:  # up the chain of views
        up = None
        for u in getattr(node, "_inputs", ()):
            um = None if type(u) is Tensor else getattr(u, "_meta", None)
            if um is not None and um.requires_grad and um not in _ALIASES and \
                    np.may_share_memory(a, u._array):
                up = u
                break
        if up is None:
            break
        um = up._meta
        if um.grad_fn is None:
            if leaf_ok:
                return up
            raise RuntimeError(f"{label}: a view of a leaf Variable that requires grad is "
                               f"being used in an in-place operation; compute out of place")
        base = up
        node = um.grad_fn
    return base


def record_inplace(label, t, compute, reads_input=True):
    """``t`` <- ``compute(alias)`` in place, recorded: ``alias`` has ``t``'s values
    (a copy when the operation's backward reads its input: ``reads_input``)
    and ``t``'s place in the graph; the result's values are written into ``t``
    (same shape; cast within its kind, as PyTorch), ``t``'s old version is
    invalidated (nodes that saved it refuse to backward) and ``t`` takes the
    result's place. Returns ``t``.

    When ``t`` is a view of another tensor of the graph (its base), the write is
    recorded on the base, as PyTorch's CopySlices: ``alias`` is the view's region
    of the base (a copy, with the base's history), the base takes the place of
    the base with that region replaced by the result, and ``t`` (and any other
    view of the base, when next used) is regenerated as a view of the new base
    (:func:`_write_through_view`)."""
    if not t._array.flags.writeable:
        raise RuntimeError(f"{label}: the tensor is read-only (several elements share one "
                           f"memory location, as in a broadcast view); clone() it first")
    m = None if type(t) is Tensor else t._meta
    base = None
    if m is not None and m.requires_grad:
        base = _graph_base(label, t, m)
        if base is not None:
            key = _view_key(base._array, t._array)
            if key is None:
                raise RuntimeError(
                    f"{label}: an in-place operation on this view of another tensor of the "
                    f"recorded graph cannot be recorded (its elements are not laid out as its "
                    f"base's: a view of another dtype, or overlapping); compute out of place")
            balias = history_alias(base, copy=False)
            _ALIASES.add(balias._meta)
            alias = _take(balias, key, t._array.shape)
        else:
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
    if base is not None:
        return _write_through_view(t, m, base, balias, key, y)
    if type(t) is Tensor and type(y) is not Tensor:
        # Note: t joins autograd (as PyTorch: it now requires grad). A plain tensor
        # does not know the tensor it may be a view of, so when ``t`` is a view of
        # another plain tensor, that tensor does not see the write in the graph
        # (PyTorch records it there too); write into the base itself instead.
        t.__class__ = type(y)
        t._meta = _Meta(False)
    r = rebase(t, y)
    _graph_written()
    return r


# ------------------------------------------------------ writes through views
# PyTorch's CopySlices and view regeneration. A write into a view ``t`` of a graph
# tensor ``base`` is recorded on ``base``: ``new_base = _index_put(old_base, key,
# f(old_base[key]))``, with ``key`` the positions of ``t``'s elements in ``base``
# (integer arrays, from the memory layout: :func:`_view_key`), so the base's
# gradient is ``g`` with the view's region replaced by the gradient through ``f``
# there (the rules of ``__getitem__`` and ``_index_put``, differentiable to any
# order). ``t`` is then regenerated as ``new_base[key]``. Other views of the base
# learn it lazily: the engine gives a recorded view (a result whose array is a
# NumPy view) a :class:`_ViewMeta`, whose ``grad_fn`` and ``edge`` check, when a
# recorded write happened since they were last checked (``_graph_writes``), that
# the tensor they view still has the version and graph place it had when the view
# was recorded (PyTorch keys a view's grad_fn by its base's version), and
# otherwise regenerate the view from its base.
_graph_writes = 0  # recorded in-place writes so far (views recheck their base after one)


def _graph_written():
    global _graph_writes
    _graph_writes += 1


class _ViewMeta(_Meta):
    """The autograd state of a recorded view: ``_Meta`` plus the view's array
    (``varray``: its memory layout) and the count of recorded writes when it was
    last checked (``vepoch``); ``grad_fn`` and ``edge`` (kept in ``vgrad_fn`` and
    ``vedge``) regenerate a stale view from its base before returning
    (:func:`_refresh`)."""

    __slots__ = ("varray", "vepoch", "vgrad_fn", "vedge")

    @property
    def grad_fn(self):
        if self.vepoch != _graph_writes:
            _refresh(self)
        return self.vgrad_fn

    @grad_fn.setter
    def grad_fn(self, node):
        self.vgrad_fn = node

    @property
    def edge(self):
        if self.vepoch != _graph_writes:
            _refresh(self)
        return self.vedge

    @edge.setter
    def edge(self, e):
        self.vedge = e


def view_meta(array, node=None, output_nr=0):
    """A :class:`_ViewMeta` for a recorded result over ``array`` (a NumPy view):
    the engine's constructor of the state of views (with ``node``: fully set up,
    as ``_Meta(True, node, output_nr)``; without: the engine fills the slots)."""
    m = _object_new(_ViewMeta)
    m.varray = array
    m.vepoch = _graph_writes
    if node is not None:
        _Meta.__init__(m, True, node, output_nr)
    return m


def _refresh(m):
    """Regenerate the view state ``m`` from its base if the base was written in place
    (its version or graph place changed) or regenerated itself since the view was
    recorded; the view's input is its base when their memory overlaps (checked
    only for a stale input: the common case is one version comparison)."""
    m.vepoch = _graph_writes
    node = m.vgrad_fn
    if node is None or node.freed:
        return
    vs = getattr(node, "in_versions", None)  # (a recorded node, not AccumulateGrad)
    if vs is None:
        return
    j = 0
    for u in node._inputs:
        if type(u) is Tensor:
            continue
        if j >= len(vs):
            return
        um, uv = vs[j], vs[j + 1]
        j += 2
        if not um.requires_grad:
            continue
        cur = u._meta
        stale = cur is not um or um.version != uv
        if not stale and type(cur) is _ViewMeta:
            # a view of a view: stale when the base was regenerated after this view
            g = cur.grad_fn
            stale = g is not None and getattr(g, "epoch", 0) > node.epoch
        if stale and np.may_share_memory(m.varray, u._array):
            _regenerate(m, u)
            return


def _regenerate(m, b):
    """Point the view state ``m`` (over ``m.varray``) at a new node: the view's
    elements taken from the current graph place of ``b``'s base."""
    bm = b._meta
    if bm is None or not bm.requires_grad:
        return
    root = b
    if bm.grad_fn is not None:
        up = _graph_base("view", b, bm, leaf_ok=True)
        if up is not None:
            root = up
    key = _view_key(root._array, m.varray)
    if key is None:
        raise RuntimeError("a view of a tensor that was modified in place by a recorded "
                           "operation cannot be regenerated from its base (its elements are not "
                           "laid out as its base's); take the view again after the write")
    prev = _grad_local.enabled
    _set_enabled(True)
    try:
        v = root[key] if key != () else _namespace().reshape(root, m.varray.shape)
    finally:
        _set_enabled(prev)
    node = v._meta.grad_fn
    m.vgrad_fn = node
    m.vedge = (node, 0)
    m.output_nr = 0


def _namespace():
    import sys
    return sys.modules["minitensor"]


def _take(balias, key, shape):
    """The region ``key`` of the base (a copy of ``shape``, recorded)."""
    if key == ():  # (a 0-d base: all of it)
        xp = _namespace()
        return xp.reshape(xp.asarray(balias, copy=True), shape)
    return balias[key]  # (advanced indexing: a copy)


def _put(balias, key, y):
    """The base with the region ``key`` replaced by ``y`` (out of place, recorded)."""
    if key == ():
        return _namespace().reshape(y, ())
    return _index_put(balias, key, y)


def _view_key(ba, ta):
    """The positions of the elements of ``ta`` (a view) in ``ba`` (the array it is a
    view of), as a tuple of integer arrays (NumPy's advanced index, ``ta``'s
    shape), read from the memory layout, or ``()`` for a 0-d ``ba`` (its one
    element); None when ``ta`` is not made of whole elements of ``ba`` (another
    dtype) or ``ba`` has overlapping elements."""
    if ba.dtype != ta.dtype:
        return None
    if ba.ndim == 0:
        same = ta.size == 1 and \
            ta.__array_interface__["data"][0] == ba.__array_interface__["data"][0]
        return () if same else None
    item = ba.itemsize
    if any(s % item for s in ba.strides) or any(s % item for s in ta.strides):
        return None
    if any(s == 0 and n > 1 for s, n in zip(ba.strides, ba.shape)):
        return None
    if not ta.size:  # (an empty view: no position)
        return tuple(np.zeros(ta.shape, dtype=np.intp) for _ in ba.shape)
    byte_bounds = np.lib.array_utils.byte_bounds
    blo, bhi = byte_bounds(ba)
    tlo, thi = byte_bounds(ta)
    if tlo < blo or thi > bhi:
        return None
    if ba.flags.c_contiguous:
        # (the common case: a position in memory is the flat index, no base-sized array)
        off = ta.__array_interface__["data"][0] - ba.__array_interface__["data"][0]
        if off % item:
            return None
        flat = np.full(ta.shape, off // item, dtype=np.intp)
        for k, (n, st) in enumerate(zip(ta.shape, ta.strides)):
            flat += (np.arange(n, dtype=np.intp) * (st // item)).reshape(
                (1,) * k + (n,) + (1,) * (ta.ndim - k - 1))
        return np.unravel_index(flat, ba.shape)
    mem = np.full(max((bhi - blo) // item, 1), -1, dtype=np.intp)
    step = mem.itemsize
    strided = np.lib.stride_tricks.as_strided
    b0 = (ba.__array_interface__["data"][0] - blo) // item
    pos = strided(mem[b0:], shape=ba.shape, strides=[s // item * step for s in ba.strides])
    pos[...] = np.arange(ba.size).reshape(ba.shape)
    t0 = (ta.__array_interface__["data"][0] - blo) // item
    flat = strided(mem[t0:], shape=ta.shape,
                   strides=[s // item * step for s in ta.strides]).copy()
    if (flat < 0).any():
        return None
    return np.unravel_index(flat, ba.shape)


def _write_through_view(t, m, base, balias, key, y):
    """The end of :func:`record_inplace` for a view ``t`` of the graph tensor
    ``base``: ``base`` takes the place of ``_index_put(balias, key, y)`` (its
    history, with the view's region replaced by ``y``), ``y``'s values are written
    into ``t``'s memory, then ``t`` is regenerated from the new base."""
    new = _put(balias, key, y)
    np.copyto(t._array, y._array)
    note_inplace(base)  # (the base's old version and buffer: saved values are stale)
    base._meta = new._meta
    m.version += 1
    _graph_written()
    if type(m) is _ViewMeta:
        _regenerate(m, base)
        m.vepoch = _graph_writes
    else:  # (a view the engine did not record as one)
        vm = view_meta(t._array)
        _Meta.__init__(vm, True, None, 0)
        vm.version = m.version
        vm.grad = m.grad
        _regenerate(vm, base)
        t._meta = vm
    return t


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


