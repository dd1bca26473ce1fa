"""The one boundary between the namespace and an optional layer above it.

The core (``Tensor`` and the namespace functions) knows two slots and one
marker, and nothing of autograd:

- ``state.hook(name, raw, args, kwargs) -> result``: called by a namespace
  function when an argument is not a plain ``Tensor`` (a subclass instance, or a
  list/tuple holding one). The hook decides: ``minitensor.autograd`` records the
  call when an input takes part in autograd, or just calls ``raw``.
- ``state.write(tensor, name, write, args) -> result``: every in-place path of
  the core (``__setitem__``, the in-place operators, ``fill_``/``copy_``/
  ``zero_``) calls it instead of ``write(tensor, *args)`` when it is set; the
  layer checks, calls ``write`` and notes the write
  (``minitensor.autograd._inplace``).
- :func:`differentiable`: marks a namespace function by its rule name.

Both slots stay ``None`` until ``minitensor.autograd`` is imported (``import
minitensor`` does not import it). The namespace functions' fast paths test
``type(x) is Tensor``, so gradient-free calls pay nothing extra; before the
layer is imported a ``differentiable`` wrapper costs one attribute test.
"""
import functools
import sys


def _tensor_type():
    # ``_array_object`` imports this module (the in-place paths read
    # ``state.write``), so the Tensor class is looked up once it exists (first
    # ``differentiable`` decoration, when a namespace module is imported), not
    # imported: the import graph stays acyclic.
    global Tensor
    if Tensor is None:
        Tensor = sys.modules[__package__ + "._array_object"].Tensor
    return Tensor


Tensor = None


class _State:
    __slots__ = ("hook", "write")

    def __init__(self):
        # hook(name, raw_function, args, kwargs) -> result (minitensor.autograd: record)
        self.hook = None
        # write(tensor, method_name, write, args) -> write(tensor, *args), checked and
        # noted (minitensor.autograd._inplace.on_write)
        self.write = None


state = _State()


class Residual:
    """A value a primitive computed on the way and hands to its own gradient
    rule (im2col columns, softmax probabilities, dropout masks, gate
    activations), returned in the place of an output, as a JAX ``custom_vjp``
    forward returns residuals.

    When the call is recorded, the graph node keeps ``value`` (the rule reads
    it with ``ctx.residual(i)``, ``i`` the output's position) and nothing
    else does: the public function drops it. It is not a tensor, so it never
    gets a gradient (the rule's parameter for it receives None) and costs no
    zero-filled gradient buffer in backward.
    """

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def differentiable(name):
    """Route calls of the namespace function ``name`` through the autograd hook
    (when the hook is set and an argument is not a plain ``Tensor``).

    The wrapper has the raw function's exact signature (generated code, so no
    ``*args, **kwargs`` packing): before autograd is imported it costs one
    attribute test; after, plain-tensor, None, bool and int arguments are skipped
    by identity tests of their type. Functions with ``*args`` get a generic
    wrapper. The hook receives the call normalised: positional(-or-keyword)
    parameters positionally (trailing defaults dropped), keyword-only ones by
    keyword when not their default. See ``benchmarks/bench_autograd.py``."""
    def deco(raw):
        _tensor_type()
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
    _int = int

    def f(*args, **kwargs):
        hook = _state.hook
        if hook is not None:
            for a in args:
                t = type(a)
                if t is _T or t is _int or a is None:
                    continue
                if isinstance(a, _T) or ((t is list or t is tuple) and a and
                                         type(a[0]) is not _int and _any_sub(a)):
                    # (a tuple starting with an int is a shape or axes, not tensors)
                    return hook(name, raw, args, kwargs)
            if kwargs:
                for a in kwargs.values():
                    if type(a) is not _T and isinstance(a, _T):
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
    """Whether a non-Tensor argument is or carries a ``Tensor`` subclass instance
    (a list/tuple of tensors; a tuple starting with an int is a shape or axes).
    Called only when ``type(a) is not Tensor``."""
    if isinstance(a, Tensor):
        return True
    t = type(a)
    return (t is list or t is tuple) and bool(a) and type(a[0]) is not int and _any_sub(a)


def _any_sub(seq):
    """Whether an element of ``seq`` is an instance of a ``Tensor`` subclass."""
    _T = Tensor
    for b in seq:
        if type(b) is not _T and isinstance(b, _T):
            return True
    return False
