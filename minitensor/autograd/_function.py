"""Custom differentiable operations: ``minitensor.autograd.Function`` (PyTorch's API)."""
import weakref

from .._array_object import Tensor
from . import _engine
from ._grad_mode import _local as _grad_local, _set_enabled

_object_new = object.__new__
_NONE = frozenset()

__all__ = ["Function", "FunctionCtx"]


class FunctionCtx:
    """The ``ctx`` of a custom Function: ``save_for_backward``, ``saved_tensors``,
    ``needs_input_grad``, ``mark_non_differentiable``, and any attribute you set
    in ``forward``.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor.autograd import Function
    >>> class Scale(Function):
    ...     @staticmethod
    ...     def forward(ctx, x, k):
    ...         print(ctx.needs_input_grad)  # one flag per argument
    ...         ctx.k = k                    # plain values: stored as attributes
    ...         return x * k
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         return g * ctx.k, None       # no gradient for k
    >>> x = xp.tensor([1.0, 2.0], requires_grad=True)
    >>> y = Scale.apply(x, 3.0)
    (True, False)
    >>> y.sum().backward()
    >>> x.grad
    Tensor([3., 3.], dtype=float64)
    """

    def save_for_backward(self, *tensors):
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward takes tensors or None, got {type(t).__name__}")
        self._saved = tensors

    @property
    def saved_tensors(self):
        """The tensors given to ``save_for_backward``. Outputs of ``forward`` come back
        attached to the graph (so a differentiable ``backward`` can use them under
        ``create_graph=True``); reading them after an in-place change of one of them
        raises, as in PyTorch."""
        saved = getattr(self, "_saved", ())
        slots = getattr(self, "_slots", None)
        if slots is None:
            return saved
        node = self._node() if self._node is not None else None
        if node is None or node.freed:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or to read saved "
                "tensors after they have been freed); pass retain_graph=True to the first "
                "backward() call if you need to backward through the graph again.")
        out = []
        for t, (kind, ref, version, i) in zip(saved, slots):
            if kind == "out":
                m = ref()
                if m is not None and m.version != version:
                    raise RuntimeError(self._modified_msg(m.version, version))
                out.append(node.output(i))
                continue
            if kind == "in" and ref.version != version:
                raise RuntimeError(self._modified_msg(ref.version, version))
            out.append(t)
        return tuple(out)

    def _modified_msg(self, got, expected):
        return (f"one of the tensors saved by {self._name}.forward for backward has been "
                f"modified by an in-place operation (version {got}, expected {expected}); "
                f"do the in-place update after backward(), or compute out of place")

    def mark_non_differentiable(self, *tensors):
        """Mark outputs of ``forward`` that get no gradient (they come back without
        ``requires_grad``)."""
        self._non_diff = {id(t) for t in tensors}


class Function:
    """Base class of custom autograd operations.

    Subclass it with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``
    methods and call ``YourFunction.apply(*args)``. ``backward`` returns one
    gradient (or None) per argument of ``forward``.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor.autograd import Function
    >>> class Cube(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x * x
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         return 3 * x * x * g
    >>> x = xp.tensor([2.0], requires_grad=True)
    >>> Cube.apply(x).backward(xp.ones(1))
    >>> x.grad
    Tensor([12.], dtype=float64)
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("a Function subclass must implement forward(ctx, *args)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("a Function subclass must implement backward(ctx, *grads)")

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = _object_new(FunctionCtx)
        ctx._name = cls.__name__
        tensor_pos = []
        needs = []
        req = False
        i = 0
        for a in args:
            if isinstance(a, Tensor):
                tensor_pos.append(i)
                m = None if type(a) is Tensor else getattr(a, "_meta", None)
                if m is not None and m.requires_grad:
                    req = True
                    needs.append(True)
                else:
                    needs.append(False)
            else:
                needs.append(False)
            i += 1
        ctx.needs_input_grad = tuple(needs)
        # forward runs without recording (no_grad(), without the context manager)
        prev = _grad_local.enabled
        _set_enabled(False)
        try:
            result = cls.forward(ctx, *args, **kwargs)
        finally:
            _set_enabled(prev)
        if not (req and prev):
            return result
        outs = result if isinstance(result, tuple) else (result,)
        non_diff = getattr(ctx, "_non_diff", _NONE)

        def rule(node, *grads):
            in_grads = cls.backward(ctx, *grads)
            if not isinstance(in_grads, tuple):
                in_grads = (in_grads,)
            if len(in_grads) != len(args):
                raise RuntimeError(f"{cls.__name__}.backward returned {len(in_grads)} gradients; "
                                   f"forward takes {len(args)} arguments")
            return tuple([in_grads[i] for i in tensor_pos])

        inputs = tuple([args[i] for i in tensor_pos])
        edges = tuple([_engine._edge(t) for t in inputs])
        node = _engine.Node(cls.__name__, rule, (), {}, inputs, edges,
                            tuple([o._array if isinstance(o, Tensor) else None for o in outs]))
        new = []
        out_meta = {}
        for i, o in enumerate(outs):
            if isinstance(o, Tensor) and o._array.dtype.kind in "fc" and id(o) not in non_diff:
                m = _engine._Meta(True, node, i)
                out_meta[id(o)] = (i, m)
                new.append(_engine._make_grad_tensor(o._array, m))
            else:
                new.append(o)
        saved = getattr(ctx, "_saved", None)
        if saved:
            # Saved outputs are kept as the node's output arrays and rebuilt on access
            # (a saved output tensor would hold its node: a reference cycle); saved
            # inputs remember their version.
            slots = []
            for t in saved:
                if t is not None and id(t) in out_meta:
                    i, m = out_meta[id(t)]
                    slots.append(("out", weakref.ref(m), 0, i))
                else:
                    m = _engine._get_meta(t) if t is not None else None
                    slots.append(("in", m, m.version, None) if m is not None else
                                 ("plain", None, None, None))
            ctx._saved = tuple([None if s[0] == "out" else t for t, s in zip(saved, slots)])
            ctx._slots = slots
            ctx._node = weakref.ref(node)
        return tuple(new) if isinstance(result, tuple) else new[0]
