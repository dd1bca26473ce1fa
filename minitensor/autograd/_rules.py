"""Gradient rules: one table keyed by namespace function name.

Each rule is ``rule(ctx, *grad_outputs) -> tuple of gradients``, one per tensor
input (``ctx.inputs``: positional tensor arguments in order, one level into
lists/tuples, then keyword tensor arguments by sorted name); ``None`` for an
input that gets no gradient. Rules are written with namespace functions, so the
backward pass is itself differentiable (``create_graph=True``). The engine undoes
broadcasting (sums the gradient down to the input's shape) and casts to the
input's dtype. Sections mirror the namespace, as HIPS/autograd's
``numpy_vjps.py`` and PyTorch's ``derivatives.yaml``. Complex inputs follow
PyTorch's convention (conjugate Wirtinger derivatives).
"""
import minitensor as xp

from ._engine import RULES


def rule(*names):
    def deco(fn):
        for n in names:
            RULES[n] = fn
        return fn
    return deco


def _scalar_arg(ctx, i):
    """Argument ``i`` of the call (a tensor, or a Python scalar)."""
    return ctx.args[i]


def _arg_tensors(ctx):
    """Map each positional arg to its tensor (from ctx.inputs) or the raw scalar."""
    it = iter(ctx.inputs)
    out = []
    for a in ctx.args:
        out.append(next(it) if isinstance(a, xp.Tensor) else a)
    return out


def _binary_grads(ctx, gx, gy):
    """Return the gradients of a binary op for the positional args that are tensors."""
    out = []
    for a, g in zip(ctx.args, (gx, gy)):
        if isinstance(a, xp.Tensor):
            out.append(g)
    return tuple(out)


# ------------------------------------------------------------ elementwise functions
@rule("add")
def _add(ctx, g):
    return _binary_grads(ctx, g, g)


@rule("subtract")
def _subtract(ctx, g):
    return _binary_grads(ctx, g, -g)


@rule("multiply")
def _multiply(ctx, g):
    x, y = _arg_tensors(ctx)
    return _binary_grads(ctx, g * xp.conj(y) if isinstance(y, xp.Tensor) else g * y,
                         g * xp.conj(x) if isinstance(x, xp.Tensor) else g * x)


@rule("exp")
def _exp(ctx, g):
    return (g * xp.conj(ctx.out),)


@rule("tanh")
def _tanh(ctx, g):
    y = ctx.out
    return (g * (1 - y * y),)


# ------------------------------------------------------------ statistical functions
@rule("sum")
def _sum(ctx, g):
    (x,) = ctx.inputs
    axis = ctx.kwargs.get("axis", ctx.args[1] if len(ctx.args) > 1 else None)
    keepdims = ctx.kwargs.get("keepdims", False)
    if not keepdims and axis is not None and x.ndim:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        axes = tuple(sorted(a % x.ndim for a in axes))
        g = xp.expand_dims(g, axis=axes)
    return (xp.broadcast_to(g, x.shape),)


@rule("conj")
def _conj(ctx, g):
    return (xp.conj(g),)


@rule("negative")
def _negative(ctx, g):
    return (-g,)
