"""Gradient rules: one table (``RULES``, keyed by namespace function name),
filled by the modules of this package, one per namespace category
(``elementwise``, ``statistical``, ``manipulation``, ``indexing``,
``searching``, ``sorting``, ``linear_algebra``, ``linalg``, ``fft``,
``creation``; ``special`` for the private special functions ``erf``,
``erfc``), as HIPS/autograd splits ``numpy_vjps.py``, ``linalg.py`` and
``fft.py``; shared helpers live in ``_helpers``. The rules of the nn primitives
(``"nn.linear"``, ``"nn.relu"``, ...; ``minitensor/nn/_ops.py``) are in ``nn``,
imported by ``minitensor.nn`` (autograd does not import nn).

How a rule gets its arguments
-----------------------------
A rule is registered with :func:`rule` and receives the recorded call's
arguments **by name**, the names of the namespace function's parameters::

    @rule("sum")
    def sum_vjp(ctx, g, *, x_shape, axis, keepdims):
        ...

The positional parameters are ``ctx`` (the graph node: ``ctx.out``,
``ctx.output(i)``, ``ctx.name``, ``ctx.check_index``) and the gradients of the
outputs (``*grads`` for a variable number). Every keyword-only parameter is
bound from the call, so the parameter list says what the rule reads:

* ``x`` (a parameter name of the function): the argument as passed, or the
  function's default when the call left it out. A tensor argument (or a list
  of tensors) is the saved input: reading it checks that no saved input was
  written in place since the call (``ctx.inputs``), and under
  ``create_graph=True`` it is the graph tensor, so the rule is differentiable.
* ``x_shape`` / ``x_dtype``: the shape / NumPy dtype of argument ``x`` without
  reading its values (no version check: ``x`` may change in place after the
  call). For a list argument, a list of shapes.
* ``needs``: the set of the names of the tensor arguments that need a gradient.
* arguments named in ``rule(..., index_args=(...))`` (index tensors and masks)
  are passed as recorded, after ``ctx.check_index`` (a write into one since the
  call makes backward raise), without checking the other inputs.

A rule returns the gradients by argument name, ``{"x1": gx1, "x2": gx2}`` (a
list for a sequence argument, ``None`` where there is no gradient; names of
arguments that are not tensors, or need no gradient, are ignored), or, for a
function of one tensor argument, the gradient alone. The engine undoes
broadcasting and casts each gradient to its input's dtype.

Nothing is added to the recording path: :func:`rule` stores in ``RULES`` a
binder generated once per function name, at import, from the namespace
function's signature and the rule's (straight-line code, see
:func:`_generate`); it maps the node's arguments (``ctx.args``/``ctx.kwargs``,
the call normalised by ``minitensor._dispatch.differentiable``:
positional(-or-keyword) parameters positionally, trailing defaults dropped,
keyword-only ones by keyword when given) to the rule's names only when backward
runs the node. A rule parameter that is not a parameter of the function fails
at import.

To add a rule: wrap the namespace function with ``@differentiable("name")`` (or
list it in an elementwise table), then write the rule in the module of its
category with namespace operations (so second-order gradients work) and
``@rule("name")``; ``tests/test_gradients.py`` checks that every differentiable
function has a rule and a gradient test.

Conventions, as PyTorch's (``derivatives.yaml``, ``FunctionsManual.cpp``):

* Complex numbers: the gradient is the conjugate Wirtinger derivative, i.e. for
  a real loss ``L`` the gradient of ``z`` is ``dL/d(conj z)`` scaled so that the
  vector-Jacobian product of a holomorphic ``f`` is ``g * conj(f'(z))`` (the
  gradient of ``multiply(x, y)`` with respect to ``x`` is ``g * conj(y)``). A
  real input of a complex result (``fft`` of real data, ``real * complex``) gets
  the real part. Every rule supports complex inputs where the function
  accepts them.
* Kinks: ``abs``, ``sign``-like and ``vector_norm`` use ``sign(0) = 0``
  (``abs`` at 0 has gradient 0); ``maximum``/``minimum`` split the gradient
  equally between equal inputs; ``max``/``min`` split it evenly among all
  maxima (PyTorch's ``amax`` rule); ``clip`` passes the gradient where
  ``min <= x <= max``; ``floor``, ``ceil``, ``round``, ``trunc``, real ``sign``
  and ``floor_divide`` have zero gradients; ``prod`` and ``cumulative_prod``
  are exact with zeros (no division by the input).
* Linear algebra follows PyTorch's formulas: the gradients of ``eigh`` and
  ``cholesky`` are Hermitian (the input is taken as Hermitian; NumPy reads only
  its lower triangle), ``svd``/``eig`` assume distinct (singular) eigenvalues
  (a gradient that flows only through the values needs no such assumption),
  ``det`` of a singular matrix uses the SVD, losses of singular vectors and
  eigenvectors must be invariant to their sign (phase).

Note: ``nextafter(x1, x2)`` gets the gradient ``g`` for ``x1`` and zero for
``x2`` (its derivative almost everywhere); PyTorch raises. ``svd`` with
``full_matrices=True`` differentiates through the first ``min(M, N)``
singular vectors (as PyTorch) and raises if the loss depends on the others.
"""
import dis
import inspect

import numpy as np

from ..._array_object import Tensor
from .._tensor import _GradTensor
from .._engine import RULES

__all__ = ["RULES", "rule"]

_P = inspect.Parameter
_G = _GradTensor
# what a rule parameter receives
_VALUE, _INDEX, _SHAPE, _DTYPE, _NEEDS = "value", "index", "shape", "dtype", "needs"


def rule(*names, index_args=(), params=None, func=None):
    """Register the decorated function as the gradient rule of ``names``.

    ``index_args``: parameters read as index tensors or masks (passed as
    recorded, after ``ctx.check_index``). ``params``: the function's positional
    parameter names, for a name that is not a namespace function
    (``__getitem__``). ``func``: the recorded function itself, for a primitive
    outside the namespace (the nn primitives of ``minitensor/nn/_ops.py``,
    named ``"nn.relu"``, ...): its signature gives the names."""
    def deco(fn):
        binders = {n: _binder(n, fn, tuple(index_args), params, func) for n in names}
        RULES.update(binders)  # all or none (a binder fails on a parameter mismatch)
        return fn
    return deco


def _namespace_signature(name, params, func=None):
    """(positional names, var-positional name or None, {name: default})."""
    if params is not None:
        return tuple(params), None, {}
    if func is not None:
        f = func
    else:
        import minitensor as xp
        mod, _, base = name.rpartition(".")
        f = getattr(getattr(xp, mod) if mod else xp, base)
    f = getattr(f, "__wrapped_raw__", f)
    pos, varpos, defaults = [], None, {}
    for p in inspect.signature(f).parameters.values():
        if p.kind is _P.VAR_POSITIONAL:
            varpos = p.name
            defaults[p.name] = ()
            continue
        if p.kind in (_P.POSITIONAL_ONLY, _P.POSITIONAL_OR_KEYWORD):
            pos.append(p.name)
        if p.default is not _P.empty:
            defaults[p.name] = p.default
    return tuple(pos), varpos, defaults


def _binder(name, fn, index_args, params, func=None):
    """The callable stored in ``RULES[name]``: ``(ctx, *grads) -> gradients in
    ctx.inputs order``, calling ``fn`` with the arguments it names."""
    pos, varpos, defaults = _namespace_signature(name, params, func)
    known = set(pos) | set(defaults) | ({varpos} if varpos else set())
    wanted = []  # (parameter of fn, kind, argument name)
    for p in inspect.signature(fn).parameters.values():
        if p.kind is not _P.KEYWORD_ONLY:
            continue
        n = p.name
        if n == "needs":
            wanted.append((n, _NEEDS, None))
        elif n in known:
            wanted.append((n, _INDEX if n in index_args else _VALUE, n))
        elif n.endswith("_shape") and n[:-6] in known:
            wanted.append((n, _SHAPE, n[:-6]))
        elif n.endswith("_dtype") and n[:-6] in known:
            wanted.append((n, _DTYPE, n[:-6]))
        else:
            raise TypeError(f"gradient rule {fn.__name__} of {name}: {n!r} is not a parameter "
                            f"of {name}{tuple(sorted(known))}")
    for n in index_args:
        if n not in known:
            raise TypeError(f"gradient rule of {name}: index argument {n!r} is not a parameter")
    bound = _generate(name, fn, pos, varpos, defaults, wanted)
    bound.keeps_inputs, bound.keeps_outputs = _saves(fn, wanted)
    bound.__name__ = f"{fn.__name__}[{name}]"
    bound.__qualname__ = bound.__name__
    bound.__doc__ = fn.__doc__
    bound.__wrapped__ = fn
    return bound


# ``ctx`` attributes a rule may read without needing the call's tensors or results
_CTX_NEUTRAL = frozenset({"create_graph", "needs_input_grad", "name", "in_shapes", "in_dtypes",
                          "residual"})
_CTX_OUTPUTS = frozenset({"out", "output", "out_arrays"})


def _saves(fn, wanted):
    """What a node of this rule keeps, PyTorch's "saved variables":
    ``(keeps_inputs, keeps_outputs)``.

    The inputs (their values) are kept if the rule names a parameter that can
    hold a tensor (not ``x_shape``, ``x_dtype``, ``needs``, nor a parameter that
    never holds one: ``axis``, ``keepdims``, ...); the outputs if it reads
    ``ctx.out`` / ``ctx.output(i)``. Read from the rule's bytecode: ``ctx`` used
    in any other way (passed on, stored, captured by an inner function, an
    unknown attribute) keeps both. A node that keeps neither lets the call's
    arrays go when the caller drops them, as in PyTorch (``a + b`` keeps
    nothing; ``exp`` its result; ``multiply`` its operands)."""
    from ..._dispatch import _NEVER_TENSORS
    inputs = any(kind in (_VALUE, _INDEX) and arg not in _NEVER_TENSORS
                 for _, kind, arg in wanted)
    outputs = False
    code = fn.__code__
    if "ctx" in code.co_cellvars:  # captured by a nested function
        return True, True
    instrs = list(dis.get_instructions(fn))
    for i, ins in enumerate(instrs):
        if ins.argval != "ctx" or not ins.opname.startswith("LOAD_"):
            continue
        nxt = instrs[i + 1] if i + 1 < len(instrs) else None
        if ins.opname != "LOAD_FAST" or nxt is None or nxt.opname not in ("LOAD_ATTR",
                                                                            "LOAD_METHOD"):
            return True, True
        attr = nxt.argval
        if attr in _CTX_OUTPUTS:
            outputs = True
        elif attr not in _CTX_NEUTRAL:
            return True, True
    return inputs, outputs


_MISSING = object()


def _generate(name, fn, pos, varpos, defaults, wanted):
    """The binder of ``fn`` for function ``name``: straight-line code generated
    once (at import) from the two signatures, so a backward step pays for the
    arguments the rule names and nothing else (no loop over parameters, no
    argument dict). Each name is looked up in the recorded call (``ctx.args``
    by position, then ``ctx.kwargs``, then the function's default); the tensor
    paths (``_tensor_paths``) are built only when a name needs them."""
    g = {"_fn": fn, "_pos": pos, "_varpos": varpos, "_MISSING": _MISSING, "_G": _GradTensor,
         "_T": Tensor, "_int": int, "_float": float, "_bool": bool, "_frozenset": frozenset,
         "_zip": zip, "_tuple": tuple, "_len": len, "_paths_of": _tensor_paths,
         "_has_tensor": _has_tensor, "_substitute": _substitute, "_describe": _describe,
         "_layout": _layout, "_isinstance": isinstance}
    paths = "paths = _paths_of(args, kwargs, _pos, _varpos) if paths is None else paths"
    body, call = [], []
    for k, (pname, kind, arg) in enumerate(wanted):
        v = f"_v{k}"
        call.append(f"{pname}={v}")
        if kind is _NEEDS:
            body += [paths,
                     "if pos_k >= 0:",
                     f"    {v} = _pos_needs.get((pos_k, ctx.needs_input_grad))",
                     f"    if {v} is None:",
                     f"        {v} = _pos_needs[(pos_k, ctx.needs_input_grad)] = _frozenset(",
                     "            [p[0] for p, e in _zip(paths, ctx.needs_input_grad) if e])",
                     "else:",
                     f"    {v} = _frozenset([p[0] for p, e in _zip(paths, ctx.needs_input_grad) "
                     "if e])"]
            continue
        i = pos.index(arg) if arg in pos else -1
        d = defaults.get(arg, _MISSING)
        if kind is _SHAPE or kind is _DTYPE:
            d = None if d is None or d is _MISSING else \
                (np.shape(d) if kind is _SHAPE else np.asarray(d).dtype)
        elif d is _MISSING:
            d = None
        g[f"_d{k}"] = d
        if i >= 0:
            body.append(f"v = args[{i}] if _len(args) > {i} else (kwargs[{arg!r}] if kwargs and "
                        f"{arg!r} in kwargs else _MISSING)")
        elif arg == varpos:
            body.append(f"v = _tuple(args[{len(pos)}:])")
        else:
            body.append(f"v = kwargs.get({arg!r}, _MISSING) if kwargs else _MISSING")
        body.append(f"if v is _MISSING: {v} = _d{k}")
        if kind is _INDEX:
            body.append(f"else: {v} = ctx.check_index(v)")
        elif kind is _VALUE:
            # a tensor first argument is input 0 (when passed positionally)
            first = "inputs[0]" if i == 0 else f"inputs[paths.index(({arg!r}, None))]"
            body += ["elif (type(v) is _G or type(v) is _T or (type(v) is not _int and "
                     "_isinstance(v, _T)))" + (" and args:" if i == 0 else ":"),
                     "    inputs = ctx.inputs if inputs is None else inputs",
                     *(["    " + paths] if i != 0 else []),
                     f"    {v} = {first}",
                     "elif (type(v) is _int or type(v) is _float or type(v) is _bool or v is None "
                     "or not _has_tensor(v)):",
                     f"    {v} = v",
                     "else:",
                     "    inputs = ctx.inputs if inputs is None else inputs",
                     "    " + paths,
                     f"    {v} = _substitute(v, {arg!r}, paths, inputs)"]
        else:
            table = "ctx.in_shapes" if kind is _SHAPE else "ctx.in_dtypes"
            if i == 0:
                body += ["elif (type(v) is _G or type(v) is _T or _isinstance(v, _T)) and args:",
                         f"    {v} = {table}[0]"]
            body += ["else:", "    " + paths,
                     f"    {v} = _describe(v, {arg!r}, paths, {table}, {kind!r})"]
    # the common call: every argument a tensor passed positionally (a + b,
    # matmul(a, b)): the paths and ``needs`` come from tables, no walk
    g["_pos_paths"] = [[(n, None) for n in pos[:k]] for k in range(len(pos) + 1)]
    g["_pos_needs"] = {}  # (number of arguments, needs_input_grad) -> needs
    g["_all_tensors"] = _all_tensors
    # (nn.Parameter, a subclass of _GradTensor: isinstance)
    tensor0 = "(type(args[0]) is _G or type(args[0]) is _T or _isinstance(args[0], _T))"
    fast = ["    pos_k = -1"]
    if varpos is None:
        if len(pos) == 2:  # (binary functions: both tested inline)
            all_t = (f"{tensor0} and (_len(args) == 1 or type(args[1]) is _G or "
                     "type(args[1]) is _T or _isinstance(args[1], _T))")
        elif len(pos) == 1:
            all_t = tensor0
        else:
            all_t = "_all_tensors(args)"
        fast += ["    if not kwargs and _len(args) == _len(ctx.in_shapes) and 0 < _len(args) <= "
                 f"{len(pos)} and {all_t}:",
                 "        pos_k = _len(args)",
                 "        paths = _pos_paths[pos_k]"]
        if pos:
            # one tensor input, the first argument (x * 2.0, x[key] with a basic key,
            # sum(x, axis=...)): every other argument holds no tensor
            fast += [f"    elif _len(ctx.in_shapes) == 1 and args and {tensor0}:",
                     "        pos_k = 1",
                     "        paths = _pos_paths[1]"]
    # the rule's gradient parameters: ``(ctx, g)`` (one output) is called without
    # packing the gradients into a tuple
    rparams = list(inspect.signature(fn).parameters.values())
    one = (len(rparams) >= 2 and all(p.kind in (_P.POSITIONAL_ONLY, _P.POSITIONAL_OR_KEYWORD)
                                     for p in rparams[:2])
           and not any(p.kind in (_P.POSITIONAL_ONLY, _P.POSITIONAL_OR_KEYWORD, _P.VAR_POSITIONAL)
                       for p in rparams[2:]))
    grads_sig, grads_call = ("g0", "g0") if one else ("*grads", "*grads")
    # gradients by name -> ctx.inputs order: for the positional paths, one .get each
    layout = []
    for k in range(1, min(len(pos), 4) + 1):
        layout += [f"        {'if' if k == 1 else 'elif'} pos_k == {k}:",
                   "            return (" + "".join(f"r.get({n!r}), " for n in pos[:k]) + ")"]
    src = "\n".join([
        f"def bound(ctx, {grads_sig}):",
        "    args = ctx.args",
        "    kwargs = ctx.kwargs",
        "    paths = inputs = None",
        *fast,
        *("    " + line for line in body),
        f"    r = _fn(ctx, {grads_call}{''.join(', ' + c for c in call)})",
        "    if type(r) is dict:",
        *layout,
        "        " + paths,
        "        return _layout(r, paths)",
        "    return r",
    ])
    exec(compile(src, f"<gradient rule binder of {name}>", "exec"), g)
    return g["bound"]


def _all_tensors(args):
    for a in args:
        t = type(a)
        if t is not _G and t is not Tensor and not isinstance(a, Tensor):
            return False
    return True


def _tensor_paths(args, kwargs, pos, varpos):
    """The path of each tensor input, in the order of ``ctx.inputs`` (positional
    arguments, one level into lists/tuples, then keywords by sorted name; see
    ``_engine.record``): ``(name, None)`` for a tensor argument, ``(name, k)`` for
    element ``k`` of a sequence argument (or of ``*args``), ``(name, j, k)``
    for element ``k`` of a sequence in ``*args``."""
    paths = []
    npos = len(pos)
    i = 0
    for a in args:
        if i < npos:
            n, j = pos[i], None
        else:
            n, j = varpos, i - npos
        i += 1
        t = type(a)
        if t is _G or t is Tensor:
            paths.append((n, j))
        elif t is list or t is tuple or isinstance(a, (Tensor, list, tuple)):
            _paths(paths, n, j, a)
    if kwargs:
        for k in sorted(kwargs):
            _paths(paths, k, None, kwargs[k])
    return paths


def _paths(paths, n, j, a):
    if isinstance(a, Tensor):
        paths.append((n, j))
    elif isinstance(a, (list, tuple)):
        for k, b in enumerate(a):
            if isinstance(b, Tensor):
                paths.append((n, k) if j is None else (n, j, k))


def _has_tensor(v):
    if isinstance(v, Tensor):
        return True
    if isinstance(v, (list, tuple)):
        for b in v:
            if isinstance(b, Tensor) or (isinstance(b, (list, tuple)) and _has_tensor(b)):
                return True
    return False


def _substitute(v, n, paths, inputs):
    """``v`` (argument ``n``) with its tensors replaced by their ``ctx.inputs`` entries."""
    if isinstance(v, Tensor):
        return inputs[paths.index((n, None))]
    out = []
    for k, b in enumerate(v):
        if isinstance(b, Tensor):
            out.append(inputs[paths.index((n, k))])
        elif isinstance(b, (list, tuple)):  # a sequence among *args
            out.append(type(b)([inputs[paths.index((n, k, m))]
                                if isinstance(c, Tensor) and (n, k, m) in paths else c
                                for m, c in enumerate(b)]))
        else:
            out.append(b)
    return type(v)(out) if type(v) in (list, tuple) else out


def _describe(v, n, paths, table, kind):
    """The shape (or dtype) of argument ``v``: recorded for tensors, else NumPy's."""
    if v is None:
        return None
    if isinstance(v, Tensor):
        return table[paths.index((n, None))]
    if isinstance(v, (list, tuple)) and _has_tensor(v):
        return [table[paths.index((n, k))] if isinstance(b, Tensor) else
                (np.shape(b) if kind == "shape" else np.asarray(b).dtype)
                for k, b in enumerate(v)]
    return np.shape(v) if kind == "shape" else np.asarray(v).dtype


def _layout(grads, paths):
    """Gradients by argument name -> a tuple in ``ctx.inputs`` order."""
    get = grads.get
    out = []
    for p in paths:
        g = get(p[0])
        if g is not None and p[1] is not None:
            g = g[p[1]]
            if len(p) > 2 and g is not None:
                g = g[p[2]]
        out.append(g)
    return tuple(out)


# the rule modules fill RULES
from . import (creation, elementwise, fft, indexing, linalg, linear_algebra,  # noqa: E402,F401
               manipulation, searching, sorting, special, statistical)
