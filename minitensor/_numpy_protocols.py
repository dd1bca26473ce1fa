"""NumPy's dispatch protocols on ``Tensor``: NEP-18 ``__array_function__`` and
NEP-13 ``__array_ufunc__`` (a mixin, :class:`_NumPyProtocols`, that ``Tensor``
inherits).

``np.exp(t)``, ``np.sum(t, axis=0)``, ``np.concatenate([t, u])``,
``np.add.reduce(t)``... unwrap every tensor argument (also inside lists and
tuples, and ``out=``) to its NumPy buffer (no copy), call NumPy's own
implementation and wrap the ndarray results back into tensors (no copy: a view
NumPy returns is a view of the tensor's buffer). This is how Dask (and xarray)
keep minitensor chunks: they have no Array API path, only these protocols.

- A NumPy scalar result (``np.sum(t)``, ``np.exp`` of a 0-d tensor) becomes a
  0-d tensor, as the namespace's reductions give (and Dask's ``meta`` of a 0-d
  result stays a tensor). Python results (``np.shape``, ``np.allclose``,
  ``np.shares_memory``) stay Python objects; an ndarray of a dtype minitensor
  has not (strings, ``longdouble``, objects) stays an ndarray.
- ``out=`` tensors are written in place and returned (the same objects); the
  write is noted for autograd's saved-tensor checks, as an in-place operator's.
- A tensor that requires grad (a leaf or a node of a recorded graph) raises
  TypeError: NumPy would drop its graph silently. ``np.asarray(t)`` (the
  ``__array__`` protocol, which SciPy and scikit-learn use) is unchanged: it
  returns the buffer of any tensor.
- ``ndarray <op> tensor`` (NumPy turns it into ``np.add(ndarray, tensor)``) goes
  to the namespace function, as ``tensor.__radd__`` did before these protocols:
  the result, promotion and gradient recording are the same in both orders.
- A foreign overriding type among the arguments (a Dask array, an xarray
  object) gets ``NotImplemented``, so that it handles the call (NEP-13/18).

Examples
--------
>>> import numpy as np
>>> import minitensor as xp
>>> t = xp.asarray([[1.0, 2.0], [3.0, 4.0]])
>>> np.exp(t).dtype, type(np.sum(t, axis=0)).__name__
(minitensor.float64, 'Tensor')
>>> np.sum(t)
Tensor(10., dtype=float64)
"""
import sys

import numpy as np

__all__ = []

_ndarray = np.ndarray
_generic = np.generic
_FROM_NP = None  # numpy.dtype -> DType (from _dtypes, filled on first use)
_Tensor = None   # the Tensor class (set on first use: _array_object imports this module)
_dispatch = None  # minitensor._dispatch.state

# ufuncs that ``ndarray <op> x`` calls, with the namespace function of the operator
_OPERATOR_UFUNCS = {
    np.add: "add", np.subtract: "subtract", np.multiply: "multiply",
    np.true_divide: "divide", np.floor_divide: "floor_divide", np.remainder: "remainder",
    np.power: "pow", np.matmul: "matmul", np.bitwise_and: "bitwise_and",
    np.bitwise_or: "bitwise_or", np.bitwise_xor: "bitwise_xor",
    np.left_shift: "bitwise_left_shift", np.right_shift: "bitwise_right_shift",
    np.less: "less", np.less_equal: "less_equal", np.greater: "greater",
    np.greater_equal: "greater_equal", np.equal: "equal", np.not_equal: "not_equal",
}


# the functions whose result is "an array like the prototype": a tensor or an error
_LIKE = frozenset({np.empty_like, np.zeros_like, np.ones_like, np.full_like})

# functions that read only metadata (shape, dtype, memory bounds), never values:
# allowed on tensors that require grad, since no graph can be dropped
_PLAIN = frozenset({int, float, bool, str})  # argument types passed through as they are

_METADATA = frozenset({np.ndim, np.shape, np.size, np.result_type, np.iscomplexobj,
                       np.isrealobj, np.shares_memory, np.may_share_memory})


def _init():
    global _Tensor, _FROM_NP, _dispatch
    from ._dispatch import state
    from ._dtypes import _FROM_NP as f
    _FROM_NP = f
    _dispatch = state
    # (the class this mixin is a base of, from the package: no import cycle)
    _Tensor = sys.modules[__package__].Tensor


def _name(what):
    """The ``numpy.name[.method]`` of ``what``: a function, or a (ufunc, method) pair
    (built only for an error message: the calls pass the objects, not strings)."""
    if type(what) is tuple:
        ufunc, method = what
        return f"numpy.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
    return f"numpy.{getattr(what, '__name__', what)}"


def _grad_error(what, t):
    how = "is part of a recorded graph" if t.grad_fn is not None else "requires grad"
    return TypeError(
        f"{_name(what)}: a tensor argument {how}; NumPy functions would drop its graph. Use "
        f"minitensor functions (they record gradients) or pass t.detach()")


def _unwrap(x, what, outs=None, strict=True):
    """``x`` with every tensor replaced by its ndarray (lists and tuples too); None
    when a foreign overriding type is found (the caller returns NotImplemented).
    ``strict``: a tensor that requires grad raises."""
    t = type(x)
    if t is _Tensor:
        return x._array
    if t is _ndarray or x is None or t is int or t is float or t is bool or t is str:
        return x
    if isinstance(x, _Tensor):
        if strict and x.requires_grad:
            raise _grad_error(what, x)
        return x._array
    if t is list or t is tuple:
        r = []
        for v in x:
            if type(v) is _Tensor:
                r.append(v._array)
                continue
            u = _unwrap(v, what, strict=strict)
            if u is None and v is not None:
                return None
            r.append(u)
        return r if t is list else tuple(r)
    if (not isinstance(x, (_ndarray, _generic, type))
            and getattr(t, "__array_ufunc__", None) is not None
            and getattr(t, "__array_function__", None) is not None):
        return None  # a foreign duck array (Dask, xarray): let it handle the call
    return x


def _wrap(r, outs):
    """Wrap NumPy's result: ndarrays (and NumPy scalars) of minitensor dtypes become
    tensors; out= arrays are returned as the objects passed; tuples recursively."""
    t = type(r)
    if outs is not None:
        for o, a in outs:
            if r is a:
                return o
    if t is _ndarray:
        if r.dtype in _FROM_NP:
            return _Tensor._new(r)
        return r
    if isinstance(r, _generic):
        if r.dtype in _FROM_NP:
            return _Tensor._new(np.asarray(r))
        return r
    if t is tuple or t is list:
        v = [_wrap(x, outs) for x in r]
        return tuple(v) if t is tuple else v
    if isinstance(r, tuple) and hasattr(r, "_fields"):  # a named tuple (SVDResult, ...)
        return t._make(_wrap(x, outs) for x in r)
    return r


def _out_pairs(out, what):
    """[(out object, its ndarray)] of ``out`` (tensors checked): NumPy returns these
    arrays, the caller returns the objects passed (an ndarray out stays one)."""
    pairs = []
    for o in out if type(out) is tuple else (out,):
        if isinstance(o, _Tensor):
            if o.requires_grad:
                raise _grad_error(what, o)
            pairs.append((o, o._array))
        elif o is not None:
            pairs.append((o, o))
    return pairs


def _note_writes(pairs):
    """Note writes into ``out=`` tensors for autograd's checks of saved tensors."""
    w = _dispatch.write
    if w is not None:
        for o, a in pairs:
            if o is not a:
                w(o, "out=", _nothing, ())


def _nothing(t):
    return None


def _namespace_operator(name, a, b):
    return getattr(sys.modules["minitensor"], name)(a, b)


class _NumPyProtocols:
    """NEP-13 and NEP-18 for ``Tensor`` (see the module docstring), and
    ``astype``, a NumPy-style method that Dask calls on chunks."""

    __slots__ = ()

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """NumPy ufuncs on tensors (NEP-13): ``np.exp(t)``, ``np.add(t, u, out=t)``,
        ``np.add.reduce(t)``, ``np.multiply.outer``, ``np.add.at``... run NumPy's
        loops on the tensors' buffers and return tensors.

        Examples
        --------
        >>> import numpy as np
        >>> import minitensor as xp
        >>> t = xp.asarray([1.0, 2.0, 3.0])
        >>> np.sqrt(t)
        Tensor([1.        , 1.41421356, 1.73205081], dtype=float64)
        >>> np.add.accumulate(t)
        Tensor([1., 3., 6.], dtype=float64)
        >>> np.multiply(t, 2, out=t) is t, t
        (True, Tensor([2., 4., 6.], dtype=float64))
        """
        if _Tensor is None:
            _init()
        if method == "__call__" and not kwargs and type(inputs[0]) is _Tensor:
            # the common np.f(t) / np.f(t, u): plain tensors (no graph), no out=
            if len(inputs) == 1:
                return _wrap(ufunc(inputs[0]._array), None)
            if len(inputs) == 2:
                b = inputs[1]
                if type(b) is _Tensor:
                    return _wrap(ufunc(inputs[0]._array, b._array), None)
                if type(b) in _PLAIN:
                    return _wrap(ufunc(inputs[0]._array, b), None)
        if (method == "__call__" and not kwargs and len(inputs) == 2
                and not isinstance(inputs[0], _Tensor)):
            name = _OPERATOR_UFUNCS.get(ufunc)
            if name is not None and (type(inputs[0]) is _ndarray
                                     or isinstance(inputs[0], _generic)):
                # Note: ``ndarray + tensor`` (NumPy calls ``np.add(ndarray, tensor)``)
                # is the namespace's ``add``, as ``tensor.__radd__`` was before
                # NEP-13: the same result in both orders, and gradients recorded.
                return _namespace_operator(name, inputs[0], inputs[1])
        what = (ufunc, method)
        args = []
        for x in inputs:
            u = _unwrap(x, what)
            if u is None and x is not None:
                return NotImplemented
            args.append(u)
        pairs = None
        if kwargs:
            out = kwargs.get("out")
            if out is not None:
                pairs = _out_pairs(out, what)
                u = _unwrap(out, what)
                if u is None:
                    return NotImplemented
                kwargs["out"] = u
            for k, v in kwargs.items():
                if k != "out" and v is not None and type(v) not in _PLAIN:
                    u = _unwrap(v, what)
                    if u is None:
                        return NotImplemented
                    kwargs[k] = u
        if method == "at" and isinstance(inputs[0], _Tensor):
            pairs = (pairs or []) + [(inputs[0], args[0])]
        r = getattr(ufunc, method)(*args, **kwargs)
        if pairs:
            _note_writes(pairs)
        return _wrap(r, pairs)

    def __array_function__(self, func, types, args, kwargs):
        """NumPy functions on tensors (NEP-18): ``np.sum(t)``, ``np.concatenate``,
        ``np.where``, ``np.linalg.svd``... run NumPy's implementation on the
        tensors' buffers and return tensors (views stay views).

        Examples
        --------
        >>> import numpy as np
        >>> import minitensor as xp
        >>> t = xp.asarray([[3.0, 1.0], [2.0, 4.0]])
        >>> np.sort(t, axis=1)
        Tensor([[1., 3.],
                [2., 4.]], dtype=float64)
        >>> np.concatenate([t, t]).shape, np.shares_memory(np.transpose(t), t)
        ((4, 2), True)
        """
        if _Tensor is None:
            _init()
        for t in types:
            if not (t is _Tensor or t is _ndarray or issubclass(t, _NumPyProtocols)):
                return NotImplemented
        what = func
        if func in _METADATA:
            return func(*_unwrap(args, what, strict=False),
                        **{k: _unwrap(v, what, strict=False) for k, v in kwargs.items()})
        if len(args) == 1 and type(args[0]) is _Tensor:
            args = (args[0]._array,)  # the common np.f(t, ...): a plain tensor, no graph
        else:
            args = _unwrap(args, what)
            if args is None:
                return NotImplemented
        pairs = None
        if kwargs:
            out = kwargs.get("out")
            if out is not None:
                pairs = _out_pairs(out, what)
            for k, v in kwargs.items():
                if not (v is None or type(v) in _PLAIN):
                    kwargs = {k: (v if v is None or type(v) in _PLAIN else _unwrap(v, what))
                              for k, v in kwargs.items()}
                    break
        r = getattr(func, "_implementation", func)(*args, **kwargs)
        if pairs:
            _note_writes(pairs)
        if func in _LIKE and type(r) is _ndarray and r.dtype not in _FROM_NP:
            # as CuPy: a tensor cannot hold it (Dask then takes its dict path)
            raise TypeError(f"{_name(what)}: minitensor tensors cannot have NumPy dtype {r.dtype}")
        return _wrap(r, pairs)

    def ravel(self):
        """The elements as a 1-D tensor (a view when the layout allows it), as
        ``torch.Tensor.ravel`` and NumPy's ``ndarray.ravel()``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.asarray([[1, 2], [3, 4]]).ravel()
        Tensor([1, 2, 3, 4], dtype=int64)
        """
        return sys.modules["minitensor"].reshape(self, (-1,))

    def astype(self, dtype, *, copy=True, casting="unsafe"):
        """The tensor cast to ``dtype``, as NumPy's ``ndarray.astype`` (Dask calls
        it on chunks): ``minitensor.astype(self, dtype, copy=copy)``.

        ``dtype`` is a minitensor dtype or a NumPy dtype, scalar type or name of
        one of them. ``casting`` (NumPy's: ``"unsafe"``, ``"same_kind"``,
        ``"safe"``, ``"equiv"``, ``"no"``) raises TypeError for a cast it does not
        allow. Complex to real raises (take ``real`` first), as the namespace.

        Examples
        --------
        >>> import numpy as np
        >>> import minitensor as xp
        >>> t = xp.asarray([1.5, -2.5])
        >>> t.astype(xp.int32)
        Tensor([ 1, -2], dtype=int32)
        >>> t.astype(np.float32).dtype, t.astype("float64", copy=False) is t
        (minitensor.float32, True)
        """
        if _Tensor is None:
            _init()
        ns = sys.modules["minitensor"]
        from ._dtypes import _as_dtype
        d = _as_dtype(dtype)
        if casting != "unsafe":
            if not np.can_cast(self._array.dtype, d._np_dtype, casting=casting):
                raise TypeError(f"astype: cannot cast {self.dtype} to {d} under the "
                                f"rule casting={casting!r}")
        return ns.astype(self, d, copy=copy)
