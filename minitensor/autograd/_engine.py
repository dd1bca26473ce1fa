"""Reverse-mode autograd engine: recording, graph nodes, the backward walk.

The graph hangs off the tensors: a recorded result's ``_meta.grad_fn`` is a
:class:`Node` that holds its inputs (and so their nodes), never the other way
round, so the graph is freed by reference counting when its tensors go. A node
keeps its outputs only as arrays (``ctx.output(i)`` rebuilds a tensor attached
to the node when a differentiable backward needs it), so recording creates no
reference cycles. Leaves accumulate into ``.grad`` through an
:class:`AccumulateGrad` node kept by the leaf.

The walk is iterative (Kahn's algorithm over dependency counts), so graph depth
is not limited by Python's recursion limit.
"""
import sys
import weakref

import numpy as np

from .._array_object import Tensor
from .._dispatch import Residual
from .._dtypes import _FROM_NP
from .._statistical_functions import _sum_same
from ._tensor import _GradTensor, _Meta, _make_grad_tensor
from ._grad_mode import _local as _grad_local, is_grad_enabled, set_grad_enabled, _set_enabled

_object_new = object.__new__
_new = Tensor._new
_ndarray = np.ndarray

# name -> rule(ctx, *grad_outputs) -> tuple of input gradients (see _rules/__init__.py)
RULES = {}


def _get_meta(t):
    if type(t) is Tensor:
        return None
    try:
        return t._meta
    except AttributeError:
        return None


def _plain(t):
    """The same data as a plain Tensor (no autograd), sharing memory."""
    if type(t) is Tensor:
        return t
    p = _new(t._array)
    return p


def _differentiable_dtype(a):
    return a.dtype.kind in "fc"


# ------------------------------------------------------------- in-place writes
# the write registry and the guard: see _inplace.py
from ._inplace import _check_unwritten, _note_write, _root, _writes, _writes_state  # noqa: E402,F401
from ._inplace import view_meta as _view_meta  # noqa: E402  (a view's state: writes through views)


def _key_tensors(v, out):
    """The tensors inside ``v`` (a tensor, or lists/tuples nesting tensors)."""
    if isinstance(v, Tensor):
        out.append(v)
    elif type(v) is tuple or type(v) is list:
        for b in v:
            _key_tensors(b, out)
    return out


# ---- values of a recorded call that the caller could mutate later. A node keeps
# the call's arguments; a rule reading a NumPy array or a list among them (an index
# key, a NumPy operand, the list of ``concat``/``stack``) at backward time would see
# later mutations of it, which no version check can catch. ``record`` replaces them
# by copies when it builds a node (only then: gradient-free calls pay nothing).
# Tensors are not copied; their writes are caught by the version/epoch checks.
def _mutable(v):
    """Whether ``v`` is or holds (in tuples) a list or a NumPy array."""
    t = type(v)
    if t is _GradTensor or t is Tensor or t is int or t is float or t is slice or v is None:
        return False
    if t is list:
        return True
    if t is tuple:
        for b in v:
            tb = type(b)
            if tb is int or tb is slice or b is None or b is Ellipsis or tb is Tensor:
                continue
            if _mutable(b):
                return True
        return False
    return isinstance(v, np.ndarray)


def _freeze(v):
    """``v`` with NumPy arrays and lists (also inside tuples and lists) replaced by
    copies (tensors and other values kept)."""
    t = type(v)
    if t is list:
        return [_freeze(b) if _mutable(b) else b for b in v]
    if t is tuple:
        return tuple([_freeze(b) if _mutable(b) else b for b in v])
    if isinstance(v, np.ndarray):
        return np.array(v, copy=True, subok=True)
    return v


# What a node keeps of a call whose rule reads no tensor values (the binder's
# ``keeps_inputs``/``keeps_outputs``, PyTorch's saved variables): the arguments
# with each tensor replaced by a stand-in (the binder still finds which
# arguments were tensors: ``needs``; shapes and dtypes are recorded apart), and
# no output (a one-output node's output is only read by its rule). So ``a + b``
# or ``sum`` let their operands go as soon as the caller does.
_STANDIN = _object_new(Tensor)
_STANDIN._array = None   # (no data: a rule that read it would fail loudly)
_STANDINS = [(_STANDIN,) * k for k in range(8)]  # (the released args of k tensors)
_NOT_KEPT = (None,)


def _released(args):
    out = []
    changed = False
    for a in args:
        t = type(a)
        if t is float or t is int or a is None:
            out.append(a)
        elif t is _GradTensor or t is Tensor or isinstance(a, Tensor):
            out.append(_STANDIN)
            changed = True
        elif t is list or t is tuple:
            out.append(t([_STANDIN if isinstance(b, Tensor) else b for b in a]))
            changed = True
        else:
            out.append(a)
    return tuple(out) if changed else args  # (the same tuple when it holds no tensor)


def _freeze_call(args, kwargs):
    """``(args, kwargs)`` of a call being recorded, frozen (see above); the same
    objects when nothing in them is mutable (most calls)."""
    for a in args:
        t = type(a)
        if t is _GradTensor or t is Tensor or t is float or t is int:
            continue
        if _mutable(a):
            args = _freeze(args)
            break
    if kwargs:
        for v in kwargs.values():
            if _mutable(v):
                kwargs = {k: _freeze(w) if _mutable(w) else w for k, w in kwargs.items()}
                break
    return args, kwargs


class Node:
    """A recorded operation: the context its gradient rule reads.

    Attributes used by rules: ``name``, ``args`` / ``kwargs`` (the call's
    arguments), ``inputs`` (the tensor arguments, flattened: positional args in
    order, one level into lists/tuples, then keyword args by sorted name),
    ``output(i)`` / ``out``, ``needs_input_grad``, ``saved`` (a rule may stash
    extra values at recording time via ``save``).
    """

    __slots__ = ("name", "rule", "args", "kwargs", "_inputs", "next_edges", "out_arrays",
                 "out_hooks", "out_retained", "freed", "create_graph", "needs_input_grad",
                 "in_shapes", "in_dtypes", "in_versions", "out_versions", "saved", "epoch",
                 "__weakref__")

    def __init__(self, name, rule, args, kwargs, inputs, next_edges, out_arrays):
        self.name = name
        self.rule = rule
        self.args = args
        self.kwargs = kwargs
        self._inputs = inputs
        self.next_edges = next_edges
        self.out_arrays = out_arrays
        self.out_hooks = None
        self.out_retained = None
        self.freed = False
        self.create_graph = False
        self.needs_input_grad = tuple([e is not None for e in next_edges])
        self.in_shapes = tuple([t._array.shape for t in inputs])
        self.in_dtypes = tuple([t._array.dtype for t in inputs])
        # (meta, version) of each kept input that takes part in autograd, flat:
        # (m0, v0, m1, v1, ...); empty when the node keeps no input (nothing to check)
        versions = []
        for t in inputs:
            m = _get_meta(t)
            if m is not None:
                versions += (m, m.version)
        self.in_versions = tuple(versions)
        # (weakref to output i's _Meta, its version) for i = 0, 1, ..., flat (None,
        # None for an output that is not a tensor); set by record when the rule
        # reads its outputs, None otherwise
        self.out_versions = None
        self.saved = None
        self.epoch = _writes_state.epoch

    def __repr__(self):
        return f"<{self.name}Backward>"

    def name_(self):
        return f"{self.name}Backward"

    @property
    def inputs(self):
        # reading the saved inputs checks that none was modified in place since the
        # call was recorded (as PyTorch checks its saved tensors' versions)
        if self.freed:
            self._check_freed()  # raises
        vs = self.in_versions
        if vs:
            if len(vs) == 2:
                if vs[0].version != vs[1]:
                    self._check_versions()  # raises
            else:
                self._check_versions()
        # (the write registry is read only if a write happened since the recording:
        # a write takes a new epoch, so an older one cannot be newer than the node)
        if _writes and _writes_state.epoch != self.epoch:
            for t in self._inputs:
                _check_unwritten(t._array, self.epoch, self.name)
        if self.create_graph:
            return self._inputs
        # (a list comprehension: ``tuple(generator)`` builds a 10-slot tuple and
        # shrinks it, which also defeats CPython's per-size tuple free lists)
        return tuple([t if type(t) is Tensor else _plain(t) for t in self._inputs])

    def output(self, i=0):
        """Output ``i`` of the operation (attached to this node when the backward is
        itself recorded, ``create_graph=True``)."""
        if self.freed:
            self._check_freed()  # raises
        ov = self.out_versions
        if ov is not None and ov[2 * i] is not None:
            m = ov[2 * i]()
            v = ov[2 * i + 1]
            if m is not None and m.version != v:
                raise RuntimeError(
                    f"output {i} of {self.name}, needed to compute its gradient, has been "
                    f"modified by an in-place operation (version {m.version}, expected {v}); "
                    f"do the in-place update after backward(), or compute out of place")
        a = self.out_arrays[i]
        if _writes and _writes_state.epoch != self.epoch:
            _check_unwritten(a, self.epoch, self.name, i)
        if self.create_graph:
            return _make_grad_tensor(a, _Meta(True, self, i))
        return Tensor._new(a)

    @property
    def out(self):
        return self.output(0)

    def residual(self, i):
        """The value the primitive returned as ``Residual`` in output ``i``
        (None if it returned None there)."""
        self._check_freed()
        r = self.saved
        return None if r is None else r.get(i)

    def check_index(self, v):
        """Return ``v`` (an index argument of the call: a tensor, or a key nesting
        tensors in tuples/lists) after checking that none of its tensors was written
        in place since the call was recorded.

        Rules whose gradient depends on integer indices or boolean masks
        (``x[key]``, ``take``, ``take_along_axis``, ``repeat``, ...) read them from
        ``args`` rather than ``inputs`` (the indexed tensor itself is not needed and
        may change later), so they check them here, as PyTorch checks the
        versions of its saved index tensors. NumPy arrays and lists in ``args``
        are copies (see ``_freeze``)."""
        self._check_freed()
        if _writes and _writes_state.epoch != self.epoch:
            for t in _key_tensors(v, []):
                _check_unwritten(t._array, self.epoch, self.name,
                                 how="an index tensor or mask saved by the call")
        return v

    @property
    def next_functions(self):
        return tuple((None, 0) if e is None else e for e in self.next_edges)

    def register_hook(self, fn):
        raise NotImplementedError("hooks on nodes are not supported; use Tensor.register_hook")

    def _check_freed(self):
        if self.freed:
            raise RuntimeError(
                f"Trying to backward through the graph a second time (or to read the saved "
                f"values of {self.name}Backward after they have been freed). Saved values are "
                f"freed by backward(); pass retain_graph=True to the first backward() call if "
                f"you need to backward through the graph again.")

    def _check_versions(self):
        vs = self.in_versions
        for j in range(0, len(vs), 2):
            m = vs[j]
            v = vs[j + 1]
            if m.version != v:
                raise RuntimeError(
                    f"one of the tensors needed to compute the gradient of {self.name} has been "
                    f"modified by an in-place operation (version {m.version}, expected {v}); "
                    f"do the in-place update after backward(), or compute out of place")

    def _free(self):
        self.args = self.kwargs = None
        self.rule = None  # a custom Function's rule holds its ctx (saved tensors)
        self._inputs = ()
        self.out_arrays = None
        self.saved = None
        self.in_versions = ()
        self.out_versions = None
        self.freed = True


class AccumulateGrad:
    """The graph node of a leaf: accumulates incoming gradients into ``.grad``.

    One per leaf, made on the leaf's first recorded use and kept by its ``_Meta``
    (``meta.acc``) for the leaf's lifetime, so recording an op on a leaf (a
    parameter, every step) allocates no node for it. The node refers back to the
    meta weakly (no reference cycle: a leaf dropped while a graph that reads it
    lives is freed at once; its gradient then has nowhere to go, as nothing can
    read it)."""

    __slots__ = ("_meta_ref", "shape", "dtype", "__weakref__")
    name = "AccumulateGrad"
    next_edges = ()
    freed = False

    def __init__(self, meta, shape, dtype):
        self._meta_ref = weakref.ref(meta)
        self.shape = shape
        self.dtype = dtype

    @property
    def meta(self):
        """The leaf's ``_Meta`` (None once the leaf is gone)."""
        return self._meta_ref()

    def __repr__(self):
        return "<AccumulateGrad>"

    def name_(self):
        return "AccumulateGrad"

    @property
    def next_functions(self):
        return ()


def _leaf_node(t, meta):
    acc = meta.acc
    if acc is None:
        acc = meta.acc = AccumulateGrad(meta, t._array.shape, t._array.dtype)
        meta.edge = (acc, 0)
    return acc


def _leaf_edge(t, meta):
    """The edge ``(AccumulateGrad node, 0)`` of leaf ``t`` (made on its first use)."""
    _leaf_node(t, meta)
    return meta.edge


def _edge(t):
    """The (node, output index) that receives the gradient of ``t``; None if ``t``
    does not require grad."""
    meta = _get_meta(t)
    if meta is None or not meta.requires_grad:
        return None
    e = meta.edge
    return e if e is not None else _leaf_edge(t, meta)


# ---------------------------------------------------------------------- recording
def _flatten(args, kwargs):
    out = []
    for a in args:
        if isinstance(a, Tensor):
            out.append(a)
        elif isinstance(a, (list, tuple)):
            out.extend(b for b in a if isinstance(b, Tensor))
    if kwargs:
        for k in sorted(kwargs):
            v = kwargs[k]
            if isinstance(v, Tensor):
                out.append(v)
            elif isinstance(v, (list, tuple)):
                out.extend(b for b in v if isinstance(b, Tensor))
    return out


def _strip(v):
    if isinstance(v, Tensor):
        return _plain(v)
    if type(v) is list:
        return [_strip(b) for b in v]
    if type(v) is tuple:
        return tuple(_strip(b) for b in v)
    return v


def _call_plain(raw, args, kwargs):
    return raw(*[_strip(a) for a in args], **{k: _strip(v) for k, v in kwargs.items()})


def _any_requires_grad(inputs):
    for t in inputs:
        if type(t) is not Tensor:
            m = _get_meta(t)
            if m is not None and m.requires_grad:
                return True
    return False


def _collect(v, inputs):
    """Append the tensors of argument ``v`` (itself, or one level into a list or
    tuple) to ``inputs``; return ``v`` with tensors as plain tensors and whether
    one of them requires grad."""
    if isinstance(v, Tensor):
        inputs.append(v)
        if type(v) is Tensor:
            return v, False
        m = getattr(v, "_meta", None)
        p = _new(v._array)
        return p, m is not None and m.requires_grad
    if isinstance(v, (list, tuple)):
        req = False
        found = False
        for b in v:
            if isinstance(b, Tensor):
                found = True
                inputs.append(b)
                if type(b) is not Tensor:
                    m = getattr(b, "_meta", None)
                    if m is not None and m.requires_grad:
                        req = True
        # (a shape or axes tuple holds no tensor: passed as it is)
        return (_strip(v) if found else v), req
    return v, False


def _atomic(v):
    """Whether tuple ``v`` holds only ints, floats, bools, slices, None and Ellipsis
    (a basic index key, a shape or axes: immutable and tensor-free, so ``record``'s
    fast path can keep it as it is)."""
    for b in v:
        t = type(b)
        if not (t is int or t is slice or b is None or b is Ellipsis or t is float
                or t is bool):
            return False
    return True


def _plain_kwargs(kwargs):
    """Whether every keyword value is a Python scalar, a string, None or a tuple of
    ints/slices/None (immutable, no tensor: ``record``'s fast path keeps them as they
    are, as ``_freeze_call`` would)."""
    for v in kwargs.values():
        t = type(v)
        if not (t is bool or t is int or t is float or v is None or t is str
                or (t is tuple and _atomic(v))):
            return False
    return True


_NEEDS = ((False,), (True,))
_NEEDS2 = (((False, False), (False, True)), ((True, False), (True, True)))
_weakref = weakref.ref


def record(name, raw, args, kwargs):
    """The autograd hook: run ``raw`` on plain tensors and, if an input requires
    grad and grad mode is on, attach a node to the differentiable outputs."""
    if not kwargs or _plain_kwargs(kwargs):
        # fast path: positional tensors and Python scalars (most calls), keywords
        # holding no tensor (``axis=``, ``keepdims=``, ``copy=``: the inputs are the
        # positional tensors). An argument of any other kind takes the general path
        # below; several outputs or a missing rule go on to ``_attach``. Same node,
        # fewer allocations.
        inputs = []
        plain = []
        req = False
        for a in args:
            t = type(a)
            if t is _GradTensor:
                inputs.append(a)
                p = _new(a._array)
                plain.append(p)
                if a._meta.requires_grad:
                    req = True
            elif t is float or t is int or t is Tensor or t is bool or a is None:
                if t is Tensor:
                    inputs.append(a)
                plain.append(a)
            elif t is slice or a is Ellipsis or (t is tuple and _atomic(a)):
                plain.append(a)  # basic index keys, shapes, axes: immutable, no tensor
            elif isinstance(a, _GradTensor):  # a subclass (nn.Parameter): the same
                inputs.append(a)
                p = _new(a._array)
                plain.append(p)
                if a._meta.requires_grad:
                    req = True
            else:
                break
        else:
            result = raw(*plain, **kwargs) if kwargs else raw(*plain)
            if not req or not _grad_local.enabled:
                return result
            if type(result) is Tensor:
                ra = result._array
                rule = RULES.get(name) if ra.dtype.kind in "fc" else None
                if rule is not None:
                    node = _object_new(Node)
                    # keep the inputs only if the rule reads them (see _released); only
                    # kept inputs need their versions checked (as PyTorch's saved ones)
                    keep = rule.keeps_inputs or ra.base is not None
                    if len(inputs) == 1:  # unary ops, tensor-scalar ops, reductions
                        t = inputs[0]
                        a = t._array
                        node.in_shapes = (a.shape,)
                        node.in_dtypes = (a.dtype,)
                        m = t._meta  # (a _GradTensor that requires grad: req)
                        node.in_versions = (m, m.version) if keep else ()
                        e = m.edge
                        edges = (e if e is not None else _leaf_edge(t, m),)
                        node.needs_input_grad = _NEEDS[1]
                    elif len(inputs) == 2:  # binary ops (a + b, x * w, matmul)
                        t, u = inputs
                        a = t._array
                        b = u._array
                        node.in_shapes = (a.shape, b.shape)
                        node.in_dtypes = (a.dtype, b.dtype)
                        if type(t) is Tensor:
                            m = e = None
                        else:
                            m = t._meta
                            if m.requires_grad:
                                e = m.edge
                                if e is None:
                                    e = _leaf_edge(t, m)
                            else:
                                e = None
                        if type(u) is Tensor:
                            mu = f = None
                        else:
                            mu = u._meta
                            if mu.requires_grad:
                                f = mu.edge
                                if f is None:
                                    f = _leaf_edge(u, mu)
                            else:
                                f = None
                        edges = (e, f)
                        node.needs_input_grad = _NEEDS2[e is not None][f is not None]
                        if not keep:
                            node.in_versions = ()
                        elif m is None:
                            node.in_versions = (mu, mu.version)  # (mu: req)
                        elif mu is None:
                            node.in_versions = (m, m.version)
                        else:
                            node.in_versions = (m, m.version, mu, mu.version)
                    else:
                        edges = []
                        versions = []
                        shapes = []
                        dtypes = []
                        for t in inputs:
                            a = t._array
                            shapes.append(a.shape)
                            dtypes.append(a.dtype)
                            if type(t) is Tensor:
                                edges.append(None)
                                continue
                            m = t._meta
                            if keep:
                                versions += (m, m.version)
                            if not m.requires_grad:
                                edges.append(None)
                            else:
                                e = m.edge
                                edges.append(e if e is not None else _leaf_edge(t, m))
                        edges = tuple(edges)
                        if len(edges) == 2:
                            node.needs_input_grad = _NEEDS2[edges[0] is not None][
                                edges[1] is not None]
                        else:
                            node.needs_input_grad = tuple([e is not None for e in edges])
                        node.in_shapes = tuple(shapes)
                        node.in_dtypes = tuple(dtypes)
                        node.in_versions = tuple(versions) if keep else ()
                    node.name = name
                    node.rule = rule
                    node.kwargs = kwargs
                    if keep:
                        # (a view keeps its base: nn's inplace=True checks walk views)
                        node.args = args
                        # (all arguments tensors: the args tuple is the inputs tuple)
                        node._inputs = args if len(inputs) == len(args) else tuple(inputs)
                    else:  # the rule reads no tensor: keep none (see _released)
                        node.args = (_STANDINS[len(args)] if len(inputs) == len(args) < 8
                                     else _released(args))
                        node._inputs = ()
                    node.next_edges = edges
                    node.out_hooks = None
                    node.out_retained = None
                    node.freed = False
                    node.create_graph = False
                    node.saved = None
                    node.epoch = _writes_state.epoch
                    m = _object_new(_Meta) if type(ra.base) is not _ndarray else _view_meta(ra)
                    m.requires_grad = True
                    m.grad = None
                    m.grad_fn = node
                    m.output_nr = 0
                    m.hooks = None
                    m.acc = None
                    m.retains_grad = False
                    m.version = 0
                    m.edge = (node, 0)
                    if rule.keeps_outputs:
                        node.out_arrays = (ra,)
                        node.out_versions = (_weakref(m), 0)
                    else:
                        node.out_arrays = _NOT_KEPT
                        node.out_versions = None
                    t = _object_new(_GradTensor)
                    t._array = ra
                    t._meta = m
                    return t
                elif ra.dtype.kind not in "fc":
                    return result  # integer/bool outputs are not differentiable
            # several outputs, or no rule (raises)
            return _attach(name, args, kwargs, inputs, result)
    # one pass over the arguments: the tensor inputs (positional in order, one
    # level into lists/tuples, then keywords by sorted name), the plain call
    # arguments, and whether an input requires grad
    inputs = []
    plain = []
    req = False
    for a in args:
        p, r = _collect(a, inputs)
        plain.append(p)
        if r:
            req = True
    if kwargs:
        pkw = {}
        for k in sorted(kwargs):
            p, r = _collect(kwargs[k], inputs)
            pkw[k] = p
            if r:
                req = True
        result = raw(*plain, **pkw)
    else:
        result = raw(*plain)
    if not req or not _grad_local.enabled:
        return result
    return _attach(name, args, kwargs, inputs, result)


def _attach(name, args, kwargs, inputs, result):
    """``result`` of a call to be recorded, with its differentiable outputs
    attached to a new node (``inputs``: the call's tensor inputs, see record)."""
    if type(result) is Tensor:
        outs = (result,)
        if result._array.dtype.kind not in "fc":
            return result  # integer/bool outputs are not differentiable
    else:
        outs = result if isinstance(result, (tuple, list)) else (result,)
        if not any(isinstance(o, Tensor) and o._array.dtype.kind in "fc" for o in outs):
            return result
    rule = RULES.get(name)
    if rule is None:
        raise RuntimeError(
            f"minitensor.autograd: {name}() has no gradient rule; call it on detached "
            f"tensors (x.detach()) or under minitensor.no_grad()")
    # the node, built directly (one loop over the inputs; see Node.__init__)
    edges = []
    shapes = []
    dtypes = []
    versions = []
    for t in inputs:
        a = t._array
        shapes.append(a.shape)
        dtypes.append(a.dtype)
        m = None if type(t) is Tensor else getattr(t, "_meta", None)
        if m is None:
            edges.append(None)
            continue
        versions += (m, m.version)
        if not m.requires_grad:
            edges.append(None)
        else:
            e = m.edge
            edges.append(e if e is not None else _leaf_edge(t, m))
    node = _object_new(Node)
    node.name = name
    node.rule = rule
    node.args, node.kwargs = _freeze_call(args, kwargs)
    out_arrays = tuple([o._array if isinstance(o, Tensor) else None for o in outs])
    if (getattr(rule, "keeps_inputs", True) or
            any(a is not None and a.base is not None for a in out_arrays)):
        node._inputs = tuple(inputs)
    else:  # the rule reads no tensor: keep none (see _released)
        node.args = _released(node.args)
        if node.kwargs:
            node.kwargs = {k: _released((v,))[0] for k, v in node.kwargs.items()}
        node._inputs = ()
        versions = ()  # (only kept inputs are checked)
    node.next_edges = edges = tuple(edges)
    if len(out_arrays) == 1 and not getattr(rule, "keeps_outputs", True):
        out_arrays = _NOT_KEPT
    node.out_arrays = out_arrays
    node.out_hooks = None
    node.out_retained = None
    node.freed = False
    node.create_graph = False
    node.needs_input_grad = tuple([e is not None for e in edges])
    node.in_shapes = tuple(shapes)
    node.in_dtypes = tuple(dtypes)
    node.in_versions = tuple(versions)
    node.saved = None
    node.epoch = _writes_state.epoch
    # (the outputs' versions are checked only when the rule reads them)
    keeps_outputs = getattr(rule, "keeps_outputs", True)
    if type(result) is Tensor:  # one output (the common case)
        ra = result._array
        m = _Meta(True, node, 0) if type(ra.base) is not _ndarray else _view_meta(ra, node, 0)
        node.out_versions = (weakref.ref(m), 0) if keeps_outputs else None
        t = _object_new(_GradTensor)
        t._array = result._array
        t._meta = m
        return t
    new = []
    out_versions = []
    i = 0
    for o in outs:
        if type(o) is Residual:  # kept for the rule (ctx.residual(i)), no gradient
            if node.saved is None:
                node.saved = {}
            node.saved[i] = o.value
            out_versions += (None, None)
            new.append(o)
        elif isinstance(o, Tensor) and o._array.dtype.kind in "fc":
            m = (_Meta(True, node, i) if type(o._array.base) is not _ndarray else
                 _view_meta(o._array, node, i))
            out_versions += (weakref.ref(m), 0)
            t = _object_new(_GradTensor)
            t._array = o._array
            t._meta = m
            new.append(t)
        else:
            out_versions += (None, None)
            new.append(o)
        i += 1
    node.out_versions = tuple(out_versions) if keeps_outputs else None
    if isinstance(result, tuple):
        if hasattr(result, "_fields"):  # named tuple results (eigh, svd, ...)
            return type(result)(*new)
        return tuple(new)
    if isinstance(result, list):
        return new
    return new[0]


# ---------------------------------------------------------------------- backward
def _unbroadcast(g, shape, dtype):
    """Sum ``g`` down to ``shape`` (undo broadcasting) and cast to ``dtype``."""
    a = g._array
    gs = a.shape
    if not shape and gs and type(g) is Tensor and a.dtype is dtype and a.dtype.kind in "fc":
        # (a scalar parameter's plain gradient: the sum over every axis, see below)
        r = _sum_same(a, None, False)
        return Tensor._new(r if type(r) is np.ndarray else np.asarray(r))
    if gs != shape:
        lead = len(gs) - len(shape)
        if lead < 0:
            raise RuntimeError(f"gradient of shape {gs} cannot flow into an input of shape {shape}")
        axes = [*range(lead)]
        i = lead
        for n in shape:
            m = gs[i]
            if n != m:
                if n != 1:
                    raise RuntimeError(f"gradient of shape {gs} does not match the input "
                                       f"shape {shape}")
                axes.append(i)
            i += 1
        if type(g) is Tensor and a.dtype.kind in "fc":
            # a plain gradient (not create_graph): one NumPy reduction, the one
            # ``xp.sum`` makes (``_sum_same``), and a reshape if size-one axes remain
            if len(axes) == lead:  # only leading axes: the sum has ``shape``
                r = _sum_same(a, None if not shape else tuple(axes), False)
            else:
                r = _sum_same(a, tuple(axes), True).reshape(shape)
            g = Tensor._new(r if type(r) is np.ndarray else np.asarray(r))
        else:
            xp = _xp()
            if len(axes) == lead:  # (one recorded op: the sum has ``shape``)
                g = xp.sum(g, axis=tuple(axes))
            else:
                g = xp.sum(g, axis=tuple(axes), keepdims=True)
                if lead:
                    g = xp.reshape(g, shape)
    if g._array.dtype != dtype:
        xp = _xp()
        if dtype.kind != "c" and g._array.dtype.kind == "c":
            g = xp.real(g)
        g = xp.astype(g, _FROM_NP[dtype])
    return g


def _xp():
    global _XP
    if _XP is None:
        import minitensor
        _XP = minitensor
    return _XP


_XP = None


def _accumulate(buf, i, g):
    prev = buf[i]
    buf[i] = g if prev is None else prev + g


def _zeros_for(node, i):
    a = node.out_arrays[i]
    if a is None:  # an output that is not a tensor
        return None
    return Tensor._new(np.zeros(a.shape, a.dtype))


def _run(roots, root_grads, retain_graph, create_graph, capture=None):
    """Walk the graph from ``roots`` (list of edges) seeded with ``root_grads``.

    capture: None to accumulate into leaves' ``.grad``; else a dict
    ``{(node id, output index): None}`` to fill with gradients instead
    (``autograd.grad``), leaving ``.grad`` alone.
    """
    # 1. dependency counts over the reachable graph (iterative DFS). Nodes hash by
    # identity: they are the keys (``deps`` is also the set of nodes seen)
    deps = {}
    stack = []
    for node, _ in roots:
        if node not in deps:
            deps[node] = 0
            stack.append(node)
    parents = {} if capture is not None else None
    while stack:
        node = stack.pop()
        for e in node.next_edges:
            if e is None:
                continue
            nxt = e[0]
            c = deps.get(nxt)
            if c is None:
                deps[nxt] = 1
                stack.append(nxt)
            else:
                deps[nxt] = c + 1
            if parents is not None:
                parents.setdefault(nxt, []).append(node)
    needed = None
    captured = None
    if capture is not None:
        captured = {k for k, _ in capture}  # (the ids of the nodes of captured tensors)
        # autograd.grad: run only the nodes from which a captured tensor is reachable
        # (the parents of such a node are such nodes too, so the counts stay valid)
        by_id = {id(node): node for node in deps}
        needed = set()
        stack = [by_id[k] for k, _ in capture if k in by_id]
        del by_id
        while stack:
            node = stack.pop()
            if node in needed:
                continue
            needed.add(node)
            stack.extend(parents.get(node, ()))
        del parents
    # 2. seed the buffers (per node, a list with one gradient slot per output)
    buffers = {}
    for (node, i), g in zip(roots, root_grads):
        buf = buffers.get(node)
        if buf is None:
            n_out = 1 if isinstance(node, AccumulateGrad) else len(node.out_arrays or ())
            if isinstance(node, Node):
                node._check_freed()
            buf = buffers[node] = [None] * max(n_out, 1)
        _accumulate(buf, i, g)
    ready = [node for node, c in deps.items() if c == 0 and (needed is None or node in needed)]
    # a gradient summed into a buffer is added in place when nothing else can see
    # it (see _sum_into); not under create_graph, where gradients are graph values
    inplace = not create_graph
    prev_mode = _grad_local.enabled
    try:
        _set_enabled(create_graph)
        while ready:
            node = ready.pop()
            buf = buffers.pop(node, None)
            if type(node) is AccumulateGrad:
                if buf is not None and buf[0] is not None:
                    _leaf_receive(node, buf[0], create_graph, capture)
                continue
            if node.freed:
                node._check_freed()  # raises
            grads = buf if buf is not None else [None]
            if node.out_hooks or node.out_retained or (capture is not None and
                                                       id(node) in captured):
                _output_hooks(node, grads, create_graph, capture)
            if len(grads) == 1:
                run = grads[0] is not None
                missing = False
            else:
                run = missing = False
                for g in grads:
                    if g is not None:
                        run = True
                    else:
                        missing = True
            edges = node.next_edges
            if run and needed is not None:
                run = False
                for e in edges:
                    if e is not None and e[0] in needed:
                        run = True
                        break
            if run:
                if missing:
                    for i in range(len(grads)):
                        if grads[i] is None:
                            grads[i] = _zeros_for(node, i)
                node.create_graph = create_graph
                in_grads = node.rule(node, *grads)
                if type(in_grads) is not tuple:
                    in_grads = tuple(in_grads) if isinstance(in_grads, list) else (in_grads,)
                if len(in_grads) != len(edges):
                    raise RuntimeError(
                        f"gradient rule of {node.name} returned {len(in_grads)} gradients for "
                        f"{len(edges)} tensor inputs")
                in_shapes = node.in_shapes
                in_dtypes = node.in_dtypes
            else:
                in_grads = None
            del grads, buf  # (the buffers of this node can go: see _sum_into)
            j = -1
            for e in edges:
                j += 1
                if e is None:
                    continue
                nxt = e[0]
                if needed is not None and nxt not in needed:
                    continue
                if in_grads is not None:
                    g = in_grads[j]
                    if g is not None:
                        tg = type(g)
                        if tg is not Tensor and tg is not _GradTensor and not isinstance(g, Tensor):
                            g = Tensor._new(np.asarray(g))
                        shape = in_shapes[j]
                        dtype = in_dtypes[j]
                        # (no local for g's array: the reference counts of _sum_into
                        # and _leaf_receive see only the buffers' references)
                        if g._array.shape != shape or g._array.dtype != dtype:
                            g = _unbroadcast(g, shape, dtype)
                        idx = e[1]
                        b = buffers.get(nxt)
                        if b is None:
                            if idx == 0 and (type(nxt) is AccumulateGrad or
                                             len(nxt.out_arrays or _NOT_KEPT) == 1):
                                buffers[nxt] = [g]
                            else:
                                b = buffers[nxt] = [None] * len(nxt.out_arrays or _NOT_KEPT)
                                b[idx] = g
                        else:
                            prev = b[idx]
                            if prev is None:
                                b[idx] = g
                            elif inplace and _sum_into(b, idx, g):
                                pass
                            else:
                                b[idx] = prev + g
                            del prev
                        del g
                d = deps[nxt] - 1
                deps[nxt] = d
                if d == 0:
                    ready.append(nxt)
            in_grads = None
            if not retain_graph:
                # release the saved values (Node._free, inlined)
                node.args = node.kwargs = None
                node.rule = None
                node._inputs = ()
                node.out_arrays = None
                node.saved = None
                node.in_versions = ()
                node.out_versions = None
                node.freed = True
    finally:
        _set_enabled(prev_mode)


_getrefcount = sys.getrefcount
_getweakrefcount = weakref.getweakrefcount


def _sum_into(b, idx, g):
    """``b[idx] += g`` in place, if ``b[idx]`` is a gradient nothing else can see (a
    plain tensor referenced only by this buffer, over an array that owns its
    memory and is referenced only by that tensor: a rule's fresh result, not an
    upstream gradient passed through, a view, the seed or an exported buffer) of
    the same shape and dtype as ``g``; returns whether it did."""
    prev = b[idx]
    # (references to prev: the list, _run's local, this local, the argument; to its
    # array: the tensor's slot and the argument)
    if type(prev) is not Tensor or _getrefcount(prev) != 4 or _getrefcount(prev._array) != 2:
        return False
    pa = prev._array
    ga = g._array
    if (pa.base is not None or pa.shape != ga.shape or pa.dtype != ga.dtype
            or not pa.flags.writeable):
        return False
    np.add(pa, ga, out=pa)
    return True


def _output_hooks(node, grads, create_graph, capture):
    """Hooks and retain_grad of a node's outputs; capture for autograd.grad."""
    for i in range(len(grads)):
        if grads[i] is None:
            continue
        if node.out_hooks and i in node.out_hooks:
            for fn in node.out_hooks[i]:
                r = fn(grads[i])
                if r is not None:
                    grads[i] = _hook_result(fn, grads[i], r)
        if node.out_retained and i in node.out_retained:
            m = node.out_retained[i]()  # weakref: the node does not keep outputs alive
            if m is not None:
                g = _owned(grads[i], create_graph)
                m.grad = g if m.grad is None else m.grad + g
        if capture is not None and (id(node), i) in capture:
            capture[(id(node), i)] = grads[i]


def _leaf_receive(acc, g, create_graph, capture):
    meta = acc._meta_ref()
    if meta is None:  # the leaf is gone: nothing can read its gradient
        return
    if meta.hooks:
        for fn in meta.hooks:
            r = fn(g)
            if r is not None:
                g = _hook_result(fn, g, r)
    if capture is not None:
        key = (id(acc), 0)
        if key in capture:
            capture[key] = g
        return
    if meta.grad is None:
        # a rule's fresh result that nothing else can see (as in _sum_into: the
        # references to g are the buffer list's, this local and the argument; to its
        # array, g's slot, ``a`` and the argument) becomes the .grad without a copy
        if (not create_graph and type(g) is Tensor and _getrefcount(g) == 3
                and not _getweakrefcount(g)):
            a = g._array
            if (_getrefcount(a) == 3 and a.base is None and a.flags.owndata
                    and a.flags.writeable and a.flags.c_contiguous):
                meta.grad = g
                return
        meta.grad = _owned(g, create_graph)
    elif create_graph or type(meta.grad) is not Tensor:
        meta.grad = meta.grad + g
    else:
        # later backward() calls accumulate in place (plain .grad buffers are owned
        # by their tensor, see _owned)
        a = meta.grad._array
        np.add(a, g._array, out=a, casting="unsafe")


def _hook_result(fn, g, r):
    """``r``, the value a tensor hook returned for gradient ``g``, if it can replace
    ``g``: a tensor of the same shape and dtype (PyTorch's checks and messages);
    anything else raises rather than being broadcast, summed or cast."""
    name = getattr(fn, "__name__", None) or type(fn).__name__
    if not isinstance(r, Tensor):
        raise TypeError(f"expected Tensor, but hook '{name}' returned '{type(r).__name__}' "
                        f"(a hook returns a tensor to replace the gradient, or None)")
    a, b = g._array, r._array
    if a.shape != b.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value (was {a.shape} got "
                           f"{b.shape})")
    if a.dtype != b.dtype:
        was, got = _FROM_NP.get(a.dtype, a.dtype), _FROM_NP.get(b.dtype, b.dtype)
        raise RuntimeError(f"hook '{name}' has changed the type of value (was {was} got {got})")
    return r


def _owned(g, create_graph):
    """``g`` as a value to store in a ``.grad``: a fresh plain buffer (the gradient
    may alias a graph value, the seed or another tensor's gradient, and plain
    ``.grad`` buffers are later accumulated into in place), or with
    ``create_graph`` a gradient that carries its graph as is."""
    if create_graph and type(g) is not Tensor:
        m = _get_meta(g)
        if m is not None and m.requires_grad:
            return g
    return Tensor._new(np.array(g._array, copy=True))


def _root_grads(tensors, grad_tensors, what):
    xp = _xp()
    out = []
    for t, g in zip(tensors, grad_tensors):
        if g is None:
            a = t._array
            if a.size != 1:
                raise RuntimeError(
                    f"{what}: grad can be implicitly created only for scalar outputs "
                    f"(got shape {t.shape}); pass a gradient of that shape")
            if a.dtype.kind == "c":
                raise RuntimeError(f"{what}: grad can be implicitly created only for real "
                                   f"scalar outputs (got {t.dtype}); pass a gradient")
            # (xp.ones_like's tensor; np.array for 0-d: a quarter of np.ones' time)
            out.append(Tensor._new(np.array(1, a.dtype) if not a.ndim else
                                   np.ones(a.shape, a.dtype)))
            continue
        elif not isinstance(g, Tensor):
            if t._array.dtype.kind != "c" and np.iscomplexobj(g):
                _complex_for_real(what, np.asarray(g).dtype, t)
            g = xp.asarray(g, dtype=t.dtype)
        elif g._array.dtype.kind == "c" and t._array.dtype.kind != "c":
            _complex_for_real(what, g._array.dtype, t)
        if g.shape != t.shape:
            raise RuntimeError(f"{what}: gradient of shape {g.shape} given for an output of "
                               f"shape {t.shape}")
        out.append(g)
    return out


def _complex_for_real(what, gdtype, t):
    # as PyTorch (RuntimeError): the imaginary part would be dropped silently
    raise RuntimeError(
        f"{what}: a complex gradient ({_FROM_NP.get(gdtype, gdtype)}) was given for a real output "
        f"({t.dtype}); for complex tensors, both the gradient and the output must be "
        f"complex. Pass a real gradient (e.g. the real part) for a real output")


def _as_list(x):
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate the gradients of ``tensors`` into the leaves' ``.grad`` (as
    ``torch.autograd.backward``).

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import autograd
    >>> x = xp.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> autograd.backward(xp.sum(x * x))
    >>> x.grad
    Tensor([2., 4., 6.], dtype=float64)

    A non-scalar output needs the gradient of the loss with respect to it:

    >>> y = xp.tensor([1.0, 2.0], requires_grad=True)
    >>> autograd.backward([y * 3], grad_tensors=[xp.asarray([1.0, 0.5])])
    >>> y.grad
    Tensor([3. , 1.5], dtype=float64)
    """
    tensors = _as_list(tensors)
    grad_tensors = [None] * len(tensors) if grad_tensors is None else _as_list(grad_tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"backward: got {len(grad_tensors)} gradients for {len(tensors)} tensors")
    if retain_graph is None:
        retain_graph = create_graph
    edges = []
    for t in tensors:
        e = _edge(t)
        if e is None:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a "
                               "grad_fn (call requires_grad_() on a leaf, or compute the output "
                               "from tensors that require grad outside no_grad())")
        edges.append(e)
    grads = _root_grads(tensors, grad_tensors, "backward")
    if inputs is not None:
        # accumulate only into the given leaves: capture, then add to their .grad
        inputs = _as_list(inputs)
        caps = grad(tensors, inputs, grad_tensors=grads, retain_graph=retain_graph,
                    create_graph=create_graph, allow_unused=True)
        for t, g in zip(inputs, caps):
            if g is None:
                continue
            m = t._meta
            m.grad = _owned(g, create_graph) if m.grad is None else m.grad + g
        return
    _run(edges, grads, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False, grad_tensors=None):
    """The gradients of ``outputs`` with respect to ``inputs``, returned as a tuple
    (``.grad`` is left alone), as ``torch.autograd.grad``.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import autograd
    >>> x = xp.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (g,) = autograd.grad(xp.sum(x * x), x)
    >>> g
    Tensor([2., 4., 6.], dtype=float64)
    """
    outputs = _as_list(outputs)
    inputs = _as_list(inputs)
    if grad_tensors is not None:
        grads = grad_tensors
    else:
        go = [None] * len(outputs) if grad_outputs is None else _as_list(grad_outputs)
        if len(go) != len(outputs):
            raise RuntimeError(f"grad: got {len(go)} grad_outputs for {len(outputs)} outputs")
        grads = _root_grads(outputs, go, "grad")
    if retain_graph is None:
        retain_graph = create_graph
    edges = []
    for t in outputs:
        e = _edge(t)
        if e is None:
            raise RuntimeError("grad: element 0 of outputs does not require grad and does not "
                               "have a grad_fn")
        edges.append(e)
    targets = []
    capture = {}
    for t in inputs:
        e = _edge(t)
        if e is None:
            raise RuntimeError("grad: one of the differentiated tensors does not require grad")
        key = (id(e[0]), e[1])
        targets.append((key, e[0]))  # keep the node alive during the walk
        capture[key] = None
    _run(edges, grads, retain_graph, create_graph, capture=capture)
    result = []
    for (key, _), t in zip(targets, inputs):
        g = capture[key]
        if g is None and not allow_unused:
            raise RuntimeError("grad: one of the differentiated tensors appears to not have been "
                               "used in the graph; pass allow_unused=True if this is intended")
        if g is not None and not create_graph:
            g = _plain(g)
        result.append(g)
    return tuple(result)
