"""The one cheap check between the namespace and the optional autograd layer.

``import minitensor`` does not import ``minitensor.autograd``. Tensors that take
part in autograd (leaves with ``requires_grad`` and results of recorded
operations) are instances of :class:`_GradTensor`, a subclass of ``Tensor`` with
the same memory layout (a tensor switches class in place on
``requires_grad_()``). The namespace functions' fast paths test
``type(x) is Tensor``, so gradient-free calls pay nothing extra; only the slow
path (Python scalars, NumPy inputs, subclasses) asks ``state.hook``, which stays
``None`` until the autograd layer is imported and then records the call.

Differentiable functions outside the elementwise tables are wrapped with
:func:`differentiable`, whose cost before autograd is imported is one global
lookup.
"""
import functools

from ._array_object import Tensor


class _GradTensor(Tensor):
    """A tensor that takes part in autograd (see ``minitensor.autograd``).

    Same slots as ``Tensor``; the autograd metadata lives in ``_meta``.
    """

    __slots__ = ()


class _State:
    __slots__ = ("hook", "write")

    def __init__(self):
        # hook(name, raw_function, args, kwargs) -> result, set by minitensor.autograd
        self.hook = None
        # write(tensor, method_name, value), called by Tensor.fill_/copy_/zero_ before
        # they write in place (set by minitensor.autograd: saved-value checks)
        self.write = None


state = _State()


def differentiable(name):
    """Route calls of the namespace function ``name`` through the autograd hook
    (when autograd is loaded and an argument is a ``_GradTensor``).

    The wrapper has the raw function's exact signature (generated code, so no
    ``*args, **kwargs`` packing): before autograd is imported it costs one
    attribute test; after, plain-tensor, None, bool and int arguments are skipped
    by identity tests of their type. Functions with ``*args`` get a generic
    wrapper. The hook receives the call normalised: positional(-or-keyword)
    parameters positionally (trailing defaults dropped), keyword-only ones by
    keyword when not their default. See ``benchmarks/bench_autograd.py``."""
    def deco(raw):
        f = _exact_wrapper(name, raw)
        if f is None:
            f = _generic_wrapper(name, raw)
        functools.update_wrapper(f, raw)
        f.__wrapped_raw__ = raw
        return f
    return deco


def _generic_wrapper(name, raw):
    _state = state
    _T = Tensor
    _G = _GradTensor
    _int = int

    def f(*args, **kwargs):
        hook = _state.hook
        if hook is not None:
            for a in args:
                t = type(a)
                if t is _T or t is _int or a is None:
                    continue
                if isinstance(a, _G) or ((t is list or t is tuple) and a and
                                         type(a[0]) is not _int and _any_grad(a)):
                    # (a tuple starting with an int is a shape or axes, not tensors)
                    return hook(name, raw, args, kwargs)
            if kwargs:
                for a in kwargs.values():
                    if type(a) is not _T and isinstance(a, _G):
                        return hook(name, raw, args, kwargs)
        return raw(*args, **kwargs)
    return f


def _exact_wrapper(name, raw):
    import inspect
    try:
        params = list(inspect.signature(raw).parameters.values())
    except (TypeError, ValueError):
        return None
    P = inspect.Parameter
    pos, kwonly, sig, defaults = [], [], [], {}
    seen_kwonly = False
    for i, p in enumerate(params):
        if p.kind in (P.VAR_POSITIONAL, P.VAR_KEYWORD) or not p.name.isidentifier():
            return None
        d = ""
        if p.default is not P.empty:
            defaults[f"_d{i}"] = p.default
            d = f"=_d{i}"
        if p.kind is P.KEYWORD_ONLY:
            if not seen_kwonly:
                sig.append("*")
                seen_kwonly = True
            kwonly.append((p.name, f"_d{i}" if d else None))
        else:
            pos.append((p.name, f"_d{i}" if d else None, p.kind))
        sig.append(p.name + d)
    # the "/" marker after the last positional-only parameter
    last_po = max((k for k, (_, _, kind) in enumerate(pos) if kind is P.POSITIONAL_ONLY),
                  default=None)
    if last_po is not None:
        sig.insert(last_po + 1, "/")
    names = [n for n, _, _ in pos] + [n for n, _ in kwonly]
    if "_raw" in names or any(n.startswith("_d") or n.startswith("_w_") for n in names):
        return None
    # only parameters that can carry a tensor are tested (not axis, dtype, shape...)
    carriers = [n for n in names if n not in _NEVER_TENSORS]
    check = " or ".join(
        f"(type({n}) is not _w_T and {n} is not None and type({n}) is not _w_bool and "
        f"type({n}) is not _w_int and _w_part({n}))" for n in carriers) or "False"
    # the fast path calls a positional twin of the raw function (the same code with
    # its keyword-only parameters made positional: no keyword matching per call)
    twin = _positional_twin(raw, len(names))
    if twin is not None:
        fast = f"_w_twin({', '.join(names)})"
    else:
        fast = "_raw(" + ", ".join([n for n, _, _ in pos] + [f"{n}={n}" for n, _ in kwonly]) + ")"
    slow = [f"        _a = [{', '.join(n for n, _, _ in pos)}]"]
    ndef = [d for _, d, _ in pos]
    slow.append(f"        _ad = [{', '.join(d or '_w_nodef' for d in ndef)}]")
    slow.append("        while _a and _a[-1] is _ad[len(_a) - 1]:")
    slow.append("            _a.pop()")
    slow.append("        _k = {}")
    for n, d in kwonly:
        slow.append(f"        if {n} is not {d}:" if d else "        if True:")
        slow.append(f"            _k[{n!r}] = {n}")
    src = "\n".join([
        f"def _w_make(_raw, _w_twin, _w_name, _w_state, _w_T, _w_bool, _w_int, _w_part, "
        f"_w_nodef, {', '.join(defaults) or '_w_unused=None'}):",
        f"    def _w_f({', '.join(sig)}):",
        f"        _h = _w_state.hook",
        f"        if _h is None or not ({check}):",
        f"            return {fast}",
        *slow,
        f"        return _h(_w_name, _raw, tuple(_a), _k)",
        f"    return _w_f",
    ])
    # the source depends only on the signature: compile each shape once (import time)
    make = _MAKERS.get(src)
    if make is None:
        ns = {}
        exec(compile(src, "<differentiable wrapper>", "exec"), globals(), ns)
        make = _MAKERS[src] = ns["_w_make"]
    f = make(raw, twin, name, state, Tensor, bool, int, _part, object(), **defaults)
    # tracebacks name the function
    f.__code__ = f.__code__.replace(co_name=raw.__name__)
    return f


_MAKERS = {}


# Parameters of the namespace functions that never hold a tensor: the wrapper
# does not test them (a tensor passed there is not differentiable anyway).
_NEVER_TENSORS = frozenset({
    "axis", "axes", "dtype", "keepdims", "copy", "shape", "correction", "descending",
    "stable", "device", "include_initial", "offset", "side", "upper", "full_matrices",
    "ord", "norm", "shift", "source", "destination", "n", "k", "indexing", "mode",
    "api_version", "rtol", "hermitian", "s",
})


def _positional_twin(raw, nparams):
    """``raw`` with all its parameters positional (same bytecode, same closure),
    or None where that is not possible."""
    import types
    code = getattr(raw, "__code__", None)
    if (code is None or code.co_flags & 0x0C  # *args / **kwargs
            or code.co_argcount + code.co_kwonlyargcount != nparams):
        return None
    try:
        twin = types.FunctionType(
            code.replace(co_argcount=nparams, co_posonlyargcount=nparams, co_kwonlyargcount=0),
            raw.__globals__, raw.__name__, None, raw.__closure__)
    except (TypeError, ValueError):
        return None
    twin.__qualname__ = raw.__qualname__
    return twin


def _part(a):
    """Whether a non-Tensor argument carries a ``_GradTensor`` (a subclass
    instance, or a list/tuple of tensors; a tuple starting with an int is a
    shape or axes)."""
    if isinstance(a, _GradTensor):
        return True
    t = type(a)
    return (t is list or t is tuple) and bool(a) and type(a[0]) is not int and _any_grad(a)


def _any_grad(seq):
    for b in seq:
        if isinstance(b, _GradTensor):
            return True
    return False


def _takes_part(args, kwargs):
    """Whether an argument is a ``_GradTensor``: positional arguments, the
    elements of a list/tuple argument (``concat``, ``stack``), keyword values."""
    for a in args:
        if isinstance(a, _GradTensor):
            return True
        if (type(a) is list or type(a) is tuple) and _any_grad(a):
            return True
    if kwargs:
        for a in kwargs.values():
            if isinstance(a, _GradTensor):
                return True
    return False


# ---------------------------------------------------------------------------
# The autograd surface of tensors (PyTorch names). A plain Tensor answers
# without importing the autograd layer; _GradTensor reads its _meta.
# ---------------------------------------------------------------------------
def _autograd():
    from . import autograd  # noqa: F401  (installs the hook)
    from .autograd import _engine
    return _engine


def _check_float(t, what):
    if t._array.dtype.kind not in "fc":
        raise RuntimeError(f"{what}: only tensors of floating point or complex dtype can require "
                           f"gradients, got {t.dtype}")


def _t_requires_grad_(self, requires_grad=True):
    """Set ``requires_grad`` in place (on a leaf) and return the tensor."""
    if not requires_grad:
        return self
    _check_float(self, "requires_grad_")
    eng = _autograd()
    self.__class__ = _GradTensor
    self._meta = eng._Meta(True)
    return self


def _t_set_requires_grad(self, value):
    if value:
        _t_requires_grad_(self, True)


def _t_set_grad(self, value):
    if value is None:
        return
    eng = _autograd()
    _check_grad_value(self, value)
    self.__class__ = _GradTensor
    self._meta = eng._Meta(False)
    self._meta.grad = value


def _check_grad_value(t, value):
    if not isinstance(value, Tensor):
        raise TypeError(f"assigned grad must be a tensor or None, got {type(value).__name__}")
    if value.shape != t.shape:
        raise RuntimeError(f"assigned grad has shape {value.shape}, but the tensor has shape {t.shape}")


def _t_detach(self):
    """A new tensor sharing this tensor's data, outside any graph."""
    t = object.__new__(Tensor)
    t._array = self._array
    return t


def _t_no_grad_error(what):
    def f(self, *args, **kwargs):
        raise RuntimeError(f"{what}: the tensor does not require grad and has no grad_fn; "
                           f"create it with requires_grad=True or call requires_grad_()")
    f.__name__ = what
    return f


Tensor.requires_grad = property(lambda self: False, _t_set_requires_grad,
                                doc="Whether gradients are computed for this tensor (PyTorch semantics).")
Tensor.grad = property(lambda self: None, _t_set_grad, doc="The accumulated gradient (or None).")
Tensor.grad_fn = property(lambda self: None, doc="The node that produced this tensor (None for leaves).")
Tensor.is_leaf = property(lambda self: True, doc="True for tensors not produced by a recorded operation.")
Tensor.retains_grad = property(lambda self: False)
Tensor.requires_grad_ = _t_requires_grad_
Tensor.detach = _t_detach
Tensor.detach_ = lambda self: self
Tensor.retain_grad = _t_no_grad_error("retain_grad")
Tensor.register_hook = _t_no_grad_error("register_hook")
Tensor.backward = _t_no_grad_error("backward")


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


def _g_requires_grad(self):
    return self._meta.requires_grad


def _g_set_requires_grad(self, value):
    m = self._meta
    if m.grad_fn is not None and not value:
        raise RuntimeError("requires_grad can only be changed on leaf tensors; use detach() "
                           "to get a tensor outside the graph")
    if value:
        _check_float(self, "requires_grad")
    m.requires_grad = bool(value)


def _g_requires_grad_(self, requires_grad=True):
    _g_set_requires_grad(self, requires_grad)
    return self


def _g_set_grad(self, value):
    if value is not None:
        _check_grad_value(self, value)
    self._meta.grad = value


def _g_detach_(self):
    self._meta = None
    self.__class__ = Tensor
    return self


def _g_retain_grad(self):
    import weakref
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


def _g_register_hook(self, fn):
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


def _g_backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate the gradient of this tensor into the leaves' ``.grad``."""
    from .autograd import _engine
    _engine.backward(self, None if gradient is None else [gradient], retain_graph=retain_graph,
                     create_graph=create_graph, inputs=inputs)


def _namespace():
    import sys
    return sys.modules["minitensor"]


def _g_getitem(self, key, /):
    # recorded: the gradient scatters back into the indexed positions
    return state.hook("__getitem__", _tensor_getitem, (self, key), {})


def _g_iter(self, /):
    if self._array.ndim == 0:
        raise TypeError("iteration over a 0-d tensor")
    for i in range(self._array.shape[0]):
        yield self[i]


def _g_T(self):
    if self._array.ndim != 2:
        return Tensor.T.fget(self)  # raises the ValueError
    return _namespace().permute_dims(self, (1, 0))


def _g_mT(self):
    if self._array.ndim < 2:
        return Tensor.mT.fget(self)  # raises the ValueError
    return _namespace().matrix_transpose(self)


def _g_repr(self):
    body = Tensor.__repr__(self)[:-1]
    m = self._meta
    if m.grad_fn is not None:
        return f"{body}, grad_fn=<{m.grad_fn.name_()}>)"
    if m.requires_grad:
        return f"{body}, requires_grad=True)"
    return body + ")"


def _g_deepcopy(self, memo):
    # as PyTorch: only leaves copy (with requires_grad and a copy of .grad)
    if id(self) in memo:
        return memo[id(self)]
    m = self._meta
    if m.grad_fn is not None:
        raise RuntimeError("only tensors created explicitly by the user (graph leaves) support "
                           "the deepcopy protocol; detach() the tensor first")
    t = Tensor._new(self._array.copy())
    memo[id(self)] = t
    if m.requires_grad:
        _t_requires_grad_(t, True)
    if m.grad is not None:
        t.grad = Tensor._new(m.grad._array.copy())
    return t


def _g_reduce(self):
    m = self._meta
    if m.grad_fn is not None and m.requires_grad:
        raise RuntimeError("cannot pickle a non-leaf tensor that requires grad (autograd "
                           "graphs do not cross process boundaries); detach() it first")
    return (_rebuild_grad, (self._array, m.requires_grad))


def _rebuild_grad(array, requires_grad):
    import numpy as np
    t = Tensor._new(np.asarray(array))
    if requires_grad:
        _t_requires_grad_(t, True)
    return t


def _t_data(self):
    """A tensor sharing this tensor's data, outside autograd (PyTorch's ``.data``)."""
    return _t_detach(self)


def _t_set_data(self, value):
    if not isinstance(value, Tensor):
        raise TypeError(f"data must be a tensor, got {type(value).__name__}")
    self._array = value._array


_tensor_getitem = Tensor.__getitem__
Tensor.data = property(_t_data, _t_set_data)
_GradTensor.__getitem__ = _g_getitem
_GradTensor.__iter__ = _g_iter
_GradTensor.T = property(_g_T, doc=Tensor.T.__doc__)
_GradTensor.mT = property(_g_mT, doc=Tensor.mT.__doc__)
_GradTensor.__repr__ = _g_repr
_GradTensor.__copy__ = lambda self: _g_deepcopy(self, {})
_GradTensor.__deepcopy__ = _g_deepcopy
_GradTensor.__reduce__ = _g_reduce
_GradTensor.requires_grad = property(_g_requires_grad, _g_set_requires_grad)
def _g_grad(self):
    m = self._meta
    if m.grad is None and m.grad_fn is not None and not m.retains_grad:
        import warnings
        # as PyTorch: almost always a mistake (reading a non-leaf's gradient)
        warnings.warn(
            "The .grad attribute of a tensor that is not a leaf is being accessed; it is not "
            "populated by backward(). Call .retain_grad() on the non-leaf tensor to keep its "
            "gradient, or access the leaf tensor instead.", UserWarning, stacklevel=2)
    return m.grad


_GradTensor.grad = property(_g_grad, _g_set_grad)
_GradTensor.grad_fn = property(lambda self: self._meta.grad_fn)
_GradTensor.is_leaf = property(lambda self: self._meta.grad_fn is None)
_GradTensor.retains_grad = property(lambda self: self._meta.retains_grad)
_GradTensor.requires_grad_ = _g_requires_grad_
_GradTensor.detach_ = _g_detach_
_GradTensor.retain_grad = _g_retain_grad
_GradTensor.register_hook = _g_register_hook
_GradTensor.backward = _g_backward
