"""Custom differentiable operations: ``minitensor.autograd.Function`` (PyTorch's API)."""
from .._array_object import Tensor
from . import _engine
from ._grad_mode import is_grad_enabled, no_grad

__all__ = ["Function", "FunctionCtx"]


class FunctionCtx:
    """The ``ctx`` of a custom Function: ``save_for_backward``, ``saved_tensors``,
    ``needs_input_grad``, and any attribute you set in ``forward``."""

    def save_for_backward(self, *tensors):
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward takes tensors or None, got {type(t).__name__}")
        self._saved = tensors

    @property
    def saved_tensors(self):
        return getattr(self, "_saved", ())

    def mark_non_differentiable(self, *tensors):
        self._non_diff = {id(t) for t in tensors}


class _FunctionMeta(type):
    pass


class Function(metaclass=_FunctionMeta):
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
        ctx = FunctionCtx()
        tensor_pos = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        needs = []
        for a in args:
            m = _engine._get_meta(a) if isinstance(a, Tensor) else None
            needs.append(bool(m is not None and m.requires_grad))
        ctx.needs_input_grad = tuple(needs)
        with no_grad():
            result = cls.forward(ctx, *args, **kwargs)
        if not (is_grad_enabled() and any(needs)):
            return result
        outs = result if isinstance(result, tuple) else (result,)
        non_diff = getattr(ctx, "_non_diff", set())

        def rule(node, *grads):
            in_grads = cls.backward(ctx, *grads)
            if not isinstance(in_grads, tuple):
                in_grads = (in_grads,)
            if len(in_grads) != len(args):
                raise RuntimeError(f"{cls.__name__}.backward returned {len(in_grads)} gradients; "
                                   f"forward takes {len(args)} arguments")
            return tuple(in_grads[i] for i in tensor_pos)

        inputs = tuple(args[i] for i in tensor_pos)
        edges = tuple(_engine._edge(t) for t in inputs)
        node = _engine.Node(cls.__name__, rule, (), {}, inputs, edges,
                            tuple(o._array if isinstance(o, Tensor) else None for o in outs))
        new = []
        for i, o in enumerate(outs):
            if isinstance(o, Tensor) and o._array.dtype.kind in "fc" and id(o) not in non_diff:
                new.append(_engine._make_grad_tensor(o._array, _engine._Meta(True, node, i)))
            else:
                new.append(o)
        return tuple(new) if isinstance(result, tuple) else new[0]
