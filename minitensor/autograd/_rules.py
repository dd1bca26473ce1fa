"""Gradient rules: one table keyed by namespace function name.

Each rule is ``rule(ctx, *grad_outputs) -> tuple of gradients``, one per tensor
input (``ctx.inputs``: positional tensor arguments in order, one level into
lists/tuples, then keyword tensor arguments by sorted name); ``None`` for an
input that gets no gradient. The engine undoes broadcasting (sums the gradient
down to the input's shape) and casts it to the input's dtype (the real part for
a real input). Sections mirror the namespace, as HIPS/autograd's
``numpy_vjps.py`` and PyTorch's ``derivatives.yaml``; the formulas are
PyTorch's (``tools/autograd/derivatives.yaml``, ``FunctionsManual.cpp``).

Rules are written with namespace functions, so the backward pass is itself
recorded under ``create_graph=True`` and higher-order gradients work. Rules that
need only the input's shape read ``ctx.in_shapes`` (not the saved tensors), so
in-place changes of those inputs after the call do not invalidate them. Rules
that read index tensors or masks from ``ctx.args`` (indexing, ``take``,
``take_along_axis``, ``repeat``, ``tile``) pass them through
``ctx.check_index`` first: writing into one after the call makes backward raise.

Conventions, as PyTorch:

* Complex numbers: the gradient is the conjugate Wirtinger derivative, i.e. for
  a real loss ``L`` the gradient of ``z`` is ``dL/d(conj z)`` scaled so that the
  vector-Jacobian product of a holomorphic ``f`` is ``g * conj(f'(z))`` (the
  gradient of ``multiply(x, y)`` with respect to ``x`` is ``g * conj(y)``). A
  real input of a complex result (``fft`` of real data, ``real * complex``) gets
  the real part. Every rule below supports complex inputs where the function
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
import math

import numpy as np

import minitensor as xp
from minitensor import fft as _fft
from minitensor import linalg as la

from .._array_object import Tensor
from .._grad_hook import differentiable
from .._linear_algebra_functions import _axes_seq, _vector_axis
from .._utility_functions import _normalize_axes, _normalize_axis
from ._engine import RULES
from ._surface_rules import _getitem_backward

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def rule(*names):
    def deco(fn):
        for n in names:
            RULES[n] = fn
        return fn
    return deco


# ----------------------------------------------------------------------- helpers
class _Call:
    """The arguments of a recorded call, with tensors replaced by ``ctx.inputs``
    (read lazily: reading them checks their versions), addressed by position or
    keyword; ``ret`` lays gradients out in the order of ``ctx.inputs``.

    A path is a position (int), a keyword (str), or ``(position or keyword, j)``
    for element ``j`` of a list/tuple argument.
    """

    __slots__ = ("ctx", "paths", "_vals")

    def __init__(self, ctx):
        self.ctx = ctx
        paths = []
        for i, a in enumerate(ctx.args):
            if isinstance(a, Tensor):
                paths.append(i)
            elif isinstance(a, (list, tuple)):
                paths.extend((i, j) for j, b in enumerate(a) if isinstance(b, Tensor))
        kwargs = ctx.kwargs or {}
        for k in sorted(kwargs):
            v = kwargs[k]
            if isinstance(v, Tensor):
                paths.append(k)
            elif isinstance(v, (list, tuple)):
                paths.extend((k, j) for j, b in enumerate(v) if isinstance(b, Tensor))
        self.paths = paths
        self._vals = None

    def key(self, pos, name=None):
        """The path of the argument at position ``pos`` or keyword ``name`` (None if absent)."""
        if pos is not None and pos < len(self.ctx.args):
            return pos
        if name is not None and self.ctx.kwargs and name in self.ctx.kwargs:
            return name
        return None

    def raw(self, pos, name=None, default=None):
        """The argument as passed (tensors not replaced)."""
        k = self.key(pos, name)
        if k is None:
            return default
        return self.ctx.args[k] if isinstance(k, int) else self.ctx.kwargs[k]

    def arg(self, pos, name=None, default=None):
        """The argument; a tensor is replaced by its ``ctx.inputs`` entry."""
        k = self.key(pos, name)
        if k is None:
            return default
        v = self.ctx.args[k] if isinstance(k, int) else self.ctx.kwargs[k]
        return self.vals[k] if isinstance(v, Tensor) else v

    @property
    def vals(self):
        if self._vals is None:
            self._vals = dict(zip(self.paths, self.ctx.inputs))
        return self._vals

    def needs(self, path):
        if path is None:
            return False
        try:
            return self.ctx.needs_input_grad[self.paths.index(path)]
        except ValueError:
            return False

    def ret(self, grads):
        return tuple(grads.get(p) for p in self.paths)


def _is_complex(v):
    if isinstance(v, Tensor):
        return v._array.dtype.kind == "c"
    if isinstance(v, (np.ndarray, np.generic)):
        return v.dtype.kind == "c"
    return isinstance(v, complex)


def _cj(v):
    """``conj(v)`` for complex values; real values unchanged (no copy)."""
    if not _is_complex(v):
        return v
    if isinstance(v, Tensor):
        return xp.conj(v)
    return np.conj(v) if isinstance(v, (np.ndarray, np.generic)) else v.conjugate()


def _mH(t):
    return _cj(xp.matrix_transpose(t))


def _real_dtype(t):
    return {np.dtype("complex64"): xp.float32, np.dtype("complex128"): xp.float64}.get(
        t._array.dtype, t.dtype)


def _const(a, like):
    """The NumPy constant ``a`` as a tensor of ``like``'s real dtype."""
    return xp.asarray(np.asarray(a), dtype=_real_dtype(like))


def _nonzero(t):
    """Whether the (gradient) tensor has a nonzero element (a zero-filled gradient
    of an unused output lets a rule skip terms that need extra assumptions)."""
    return bool(np.any(t._array))


def _sgn(x):
    """``x / |x|`` (0 at 0): ``sign`` for real tensors, the complex sign otherwise,
    written with differentiable operations."""
    if not _is_complex(x):
        return xp.sign(x)
    a = xp.abs(x)
    return x / xp.where(a == 0, 1.0, a)


def _eye(n, like, dtype=None):
    return xp.asarray(np.eye(n), dtype=dtype or _real_dtype(like))


def _diag_embed(v):
    """Square matrices with ``v`` (``(..., n)``) on their diagonals."""
    n = v.shape[-1]
    return xp.expand_dims(v, axis=-2) * _eye(n, v)


def _restore(g, ndim, axes, keepdims):
    """A reduction's gradient with the reduced axes back (size one)."""
    if not keepdims and axes:
        g = xp.expand_dims(g, axis=tuple(axes))
    return g


def _red_axes(name, axis, ndim):
    """Normalised sorted reduction axes (None: all)."""
    if ndim == 0:
        return ()
    return _normalize_axes(name, axis, ndim)


def _along(ndim, ax, sl):
    """An index key applying ``sl`` along axis ``ax``."""
    return (slice(None),) * ax + (sl, Ellipsis)


def _revcumsum(t, ax):
    """Reverse cumulative sum along ``ax``: ``out[i] = sum(t[i:])``."""
    return xp.flip(xp.cumulative_sum(xp.flip(t, axis=ax), axis=ax), axis=ax)


def _fit(t, n, ax):
    """``t`` trimmed or zero-padded at the end of axis ``ax`` to length ``n``."""
    m = t.shape[ax]
    if m == n:
        return t
    if m > n:
        return t[_along(t.ndim, ax, slice(0, n))]
    shape = list(t.shape)
    shape[ax] = n - m
    return xp.concat([t, xp.zeros(tuple(shape), dtype=t.dtype)], axis=ax)


def _shaped(shape):
    """A NumPy array of ``shape`` without memory (for the forward's argument helpers)."""
    return np.broadcast_to(np.empty((), dtype=np.bool_), shape)


# --------------------------------------------------------- elementwise functions
# Unary functions f with a complex derivative: grad = g * conj(f'(x)). Each entry
# computes f'(x) from the input x and a thunk returning the output.
_HOLOMORPHIC = {
    "acos": lambda x, y: -1 / xp.sqrt(1 - x * x),
    "acosh": lambda x, y: 1 / (xp.sqrt(x - 1) * xp.sqrt(x + 1)),
    "asin": lambda x, y: 1 / xp.sqrt(1 - x * x),
    "asinh": lambda x, y: 1 / xp.sqrt(x * x + 1),
    "atan": lambda x, y: 1 / (1 + x * x),
    "atanh": lambda x, y: 1 / (1 - x * x),
    "cos": lambda x, y: -xp.sin(x),
    "cosh": lambda x, y: xp.sinh(x),
    "exp": lambda x, y: y(),
    "expm1": lambda x, y: y() + 1,
    "log": lambda x, y: 1 / x,
    "log1p": lambda x, y: 1 / (x + 1),
    "log2": lambda x, y: 1 / (x * _LN2),
    "log10": lambda x, y: 1 / (x * _LN10),
    "reciprocal": lambda x, y: -(y() * y()),
    "sin": lambda x, y: xp.cos(x),
    "sinh": lambda x, y: xp.cosh(x),
    "sqrt": lambda x, y: 1 / (2 * y()),
    "square": lambda x, y: 2 * x,
    "tan": lambda x, y: 1 + y() * y(),
    "tanh": lambda x, y: 1 - y() * y(),
}
# derivatives that use only the output (the input is not read)
_OUTPUT_ONLY = {"exp", "expm1", "reciprocal", "sqrt", "tan", "tanh"}


def _holomorphic_rule(name, deriv):
    if name in _OUTPUT_ONLY:
        def r(ctx, g):
            return (g * _cj(deriv(None, lambda: ctx.out)),)
    else:
        def r(ctx, g):
            (x,) = ctx.inputs
            return (g * _cj(deriv(x, lambda: ctx.out)),)
    r.__name__ = f"_{name}_backward"
    return r


for _n, _d in _HOLOMORPHIC.items():
    RULES[_n] = _holomorphic_rule(_n, _d)
del _n, _d


@rule("abs")
def _abs(ctx, g):
    (x,) = ctx.inputs
    return (g * _sgn(x),)


@rule("sign")
def _sign(ctx, g):
    (x,) = ctx.inputs
    if not _is_complex(x):
        return (xp.zeros_like(g),)
    # sgn(z) = z / |z|: (g - sgn^2 conj(g)) / (2 |z|), 0 at z = 0 (PyTorch's sgn_backward)
    s = ctx.out
    a = xp.abs(x)
    r = (g - s * s * xp.conj(g)) / (2 * xp.where(a == 0, 1.0, a))
    return (xp.where(a == 0, 0.0, r),)


@rule("ceil", "floor", "round", "trunc")
def _zero_grad(ctx, g):
    return (xp.zeros(ctx.in_shapes[0], dtype=g.dtype),)


@rule("conj")
def _conj(ctx, g):
    return (xp.conj(g),)


@rule("negative")
def _negative(ctx, g):
    return (-g,)


@rule("positive")
def _positive(ctx, g):
    return (g,)


@rule("real")
def _real(ctx, g):
    return (g,)


@rule("imag")
def _imag(ctx, g):
    if np.dtype(ctx.in_dtypes[0]).kind != "c":
        return (xp.zeros(ctx.in_shapes[0], dtype=g.dtype),)
    return (g * 1j,)


# ---- binary functions: fn(ctx, x, y, g, need_x, need_y) -> (gx, gy); x and y are
# tensors (ctx.inputs) or the Python scalars / NumPy arrays of the call.
def _binary(*names):
    def deco(fn):
        def r(ctx, g):
            c = _Call(ctx)
            kx, ky = c.key(0), c.key(1)
            x_t = isinstance(ctx.args[0], Tensor)
            y_t = isinstance(ctx.args[1], Tensor)
            nx = x_t and c.needs(kx)
            ny = y_t and c.needs(ky)
            gx, gy = fn(ctx, c, g, nx, ny)
            grads = {}
            if nx:
                grads[kx] = gx
            if ny:
                grads[ky] = gy
            return c.ret(grads)
        r.__name__ = f"_{names[0]}_backward"
        for n in names:
            RULES[n] = r
        return fn
    return deco


def _xy(c):
    return c.arg(0), c.arg(1)


@_binary("add")
def _add(ctx, c, g, nx, ny):
    return g, g


@_binary("subtract")
def _subtract(ctx, c, g, nx, ny):
    return g, (-g if ny else None)


@_binary("multiply")
def _multiply(ctx, c, g, nx, ny):
    x, y = _xy(c)
    return (g * _cj(y) if nx else None), (g * _cj(x) if ny else None)


@_binary("divide")
def _divide(ctx, c, g, nx, ny):
    x, y = _xy(c)
    gx = g / _cj(y) if nx else None
    gy = -g * _cj(x / y / y) if ny else None
    return gx, gy


def _scalar_log(s):
    import cmath
    if isinstance(s, complex):
        return cmath.log(s) if s != 0 else complex(-math.inf, 0)
    if s > 0:
        return math.log(s)
    return -math.inf if s == 0 else math.nan


@_binary("pow")
def _pow(ctx, c, g, nx, ny):
    x, y = _xy(c)
    gx = gy = None
    if nx:
        # d/dx x**y = y * x**(y-1); 0 where y == 0 (PyTorch's pow_backward_self)
        if isinstance(y, Tensor):
            gx = xp.where(y == 0, 0.0, g * _cj(y * xp.pow(x, y - 1)))
        elif y == 0:
            gx = xp.zeros_like(g)
        else:
            gx = g * _cj(y * xp.pow(x, y - 1))
    if ny:
        # d/dy x**y = x**y * log(x); 0 where x == 0 and y >= 0 (pow_backward_exponent)
        out = ctx.out
        yr = xp.real(y) if _is_complex(y) else y
        if isinstance(x, Tensor):
            gy = xp.where((x == 0) & (yr >= 0), 0.0, g * _cj(out * xp.log(x)))
        else:
            lg = _scalar_log(x)
            gy = g * _cj(out * lg)
            if x == 0:
                gy = xp.where(yr >= 0, 0.0, gy)
    return gx, gy


@_binary("atan2")
def _atan2(ctx, c, g, nx, ny):
    y, x = _xy(c)  # atan2(x1=y, x2=x)
    d = x * x + y * y
    return (g * x / d if nx else None), (-g * y / d if ny else None)


@_binary("copysign")
def _copysign(ctx, c, g, nx, ny):
    x, _ = _xy(c)
    # copysign(x, y) / x: +-1 (0 where x == 0), PyTorch's copysign_tensor_self_backward
    gx = g * (xp.sign(x) * xp.sign(ctx.out)) if nx else None
    return gx, (xp.zeros_like(g) if ny else None)


@_binary("hypot")
def _hypot(ctx, c, g, nx, ny):
    x, y = _xy(c)
    out = ctx.out
    return (g * x / out if nx else None), (g * y / out if ny else None)


@_binary("logaddexp")
def _logaddexp(ctx, c, g, nx, ny):
    x, y = _xy(c)
    gx = g / (1 + xp.exp(y - x)) if nx else None
    gy = g / (1 + xp.exp(x - y)) if ny else None
    return gx, gy


def _extremum_pair(greater):
    def fn(ctx, c, g, nx, ny):
        x, y = _xy(c)
        eq = x == y
        half = g / 2
        gx = xp.where(eq, half, xp.where(greater(x, y), g, 0.0)) if nx else None
        gy = xp.where(eq, half, xp.where(greater(y, x), g, 0.0)) if ny else None
        return gx, gy
    return fn


_binary("maximum")(_extremum_pair(xp.greater))
_binary("minimum")(_extremum_pair(xp.less))


@_binary("remainder")
def _remainder(ctx, c, g, nx, ny):
    x, y = _xy(c)
    # x - y * floor(x / y)
    return (g if nx else None), (-g * xp.floor_divide(x, y) if ny else None)


@_binary("floor_divide")
def _floor_divide(ctx, c, g, nx, ny):
    z = xp.zeros_like(g)
    return z, z


@_binary("nextafter")
def _nextafter(ctx, c, g, nx, ny):
    return g, (xp.zeros_like(g) if ny else None)


@rule("clip")
def _clip(ctx, g):
    c = _Call(ctx)
    x = c.arg(0)
    lo = c.arg(1, "min")
    hi = c.arg(2, "max")
    klo, khi = c.key(1, "min"), c.key(2, "max")
    grads = {}
    inside = None
    if lo is not None:
        inside = x >= lo
    if hi is not None:
        inside = (x <= hi) if inside is None else inside & (x <= hi)
    if c.needs(0):
        grads[0] = g if inside is None else xp.where(inside, g, 0.0)
    # the bounds (PyTorch's clamp_backward_min_max)
    if isinstance(lo, Tensor) and c.needs(klo):
        m = x < lo
        if hi is not None:
            m = m & (lo < hi)
        grads[klo] = xp.where(m, g, 0.0)
    if isinstance(hi, Tensor) and c.needs(khi):
        m = x > hi
        if lo is not None:
            m = m | (hi < lo)
        grads[khi] = xp.where(m, g, 0.0)
    return c.ret(grads)


# ---------------------------------------------------------- searching functions
@rule("where")
def _where(ctx, g):
    c = _Call(ctx)
    cond = c.arg(0)
    grads = {}
    if isinstance(ctx.args[1], Tensor) and c.needs(1):
        grads[1] = xp.where(cond, g, 0.0)
    if isinstance(ctx.args[2], Tensor) and c.needs(2):
        grads[2] = xp.where(cond, 0.0, g)
    return c.ret(grads)


# -------------------------------------------------------- statistical functions
def _reduction_args(ctx, name):
    shape = ctx.in_shapes[0]
    axis = ctx.kwargs.get("axis") if ctx.kwargs else None
    keepdims = bool(ctx.kwargs.get("keepdims", False)) if ctx.kwargs else False
    return shape, _red_axes(name, axis, len(shape)), keepdims


@rule("sum")
def _sum(ctx, g):
    shape, axes, keepdims = _reduction_args(ctx, "sum")
    return (xp.broadcast_to(_restore(g, len(shape), axes, keepdims), shape),)


@rule("mean")
def _mean(ctx, g):
    shape, axes, keepdims = _reduction_args(ctx, "mean")
    n = math.prod(shape[a] for a in axes)
    g = _restore(g, len(shape), axes, keepdims)
    if n:
        g = g / n
    return (xp.broadcast_to(g, shape),)


def _prod_of_others(x, axes):
    """For each element of ``x``, the product of the other elements of its reduction
    group (over ``axes``): exclusive cumulative products from both ends, exact with
    zeros (PyTorch's prod_safe_zeros_backward)."""
    nd = x.ndim
    keep = [a for a in range(nd) if a not in axes]
    perm = keep + list(axes)
    xt = xp.permute_dims(x, tuple(perm)) if perm != list(range(nd)) else x
    lead = xt.shape[:len(keep)]
    n = math.prod(x.shape[a] for a in axes)
    xf = xp.reshape(xt, lead + (n,))
    left = xp.cumulative_prod(xf, axis=-1, include_initial=True)[..., :-1]
    right = xp.flip(xp.cumulative_prod(xp.flip(xf, axis=-1), axis=-1, include_initial=True)
                    [..., :-1], axis=-1)
    others = xp.reshape(left * right, xt.shape)
    if perm != list(range(nd)):
        others = xp.permute_dims(others, tuple(int(i) for i in np.argsort(perm)))
    return others


@rule("prod")
def _prod(ctx, g):
    (x,) = ctx.inputs
    shape, axes, keepdims = _reduction_args(ctx, "prod")
    g = _restore(g, len(shape), axes, keepdims)
    return (g * _cj(_prod_of_others(x, axes)),)


@rule("max", "min")
def _max(ctx, g):
    (x,) = ctx.inputs
    shape, axes, keepdims = _reduction_args(ctx, ctx.name)
    out = _restore(ctx.out, len(shape), axes, keepdims)
    g = _restore(g, len(shape), axes, keepdims)
    mask = x == out
    count = xp.sum(mask, axis=axes, keepdims=True)
    return (xp.where(mask, g / count, 0.0),)


def _var_parts(ctx, name):
    (x,) = ctx.inputs
    shape, axes, keepdims = _reduction_args(ctx, name)
    corr = float(ctx.kwargs.get("correction", 0.0)) if ctx.kwargs else 0.0
    n = math.prod(shape[a] for a in axes)
    d = x - xp.mean(x, axis=axes, keepdims=True)
    denom = n - corr
    return d, axes, keepdims, (2.0 / denom if denom > 0 else math.nan), len(shape)


@rule("var")
def _var(ctx, g):
    d, axes, keepdims, f, nd = _var_parts(ctx, "var")
    return (_restore(g, nd, axes, keepdims) * d * f,)


@rule("std")
def _std(ctx, g):
    d, axes, keepdims, f, nd = _var_parts(ctx, "std")
    out = ctx.out
    # d std = d var / (2 std); 0 where std == 0 (PyTorch's std_backward)
    gs = xp.where(out == 0, 0.0, g / (2 * xp.where(out == 0, 1.0, out)))
    return (_restore(gs, nd, axes, keepdims) * d * f,)


def _cumulative_args(ctx, name):
    shape = ctx.in_shapes[0]
    kw = ctx.kwargs or {}
    nd = max(len(shape), 1)
    axis = kw.get("axis")
    ax = 0 if axis is None else _normalize_axis(name, axis, nd)
    return shape, ax, bool(kw.get("include_initial", False))


@rule("cumulative_sum")
def _cumulative_sum(ctx, g):
    shape, ax, initial = _cumulative_args(ctx, "cumulative_sum")
    if initial:
        g = g[_along(g.ndim, ax, slice(1, None))]
    gx = _revcumsum(g, ax)
    return (xp.reshape(gx, shape) if len(shape) == 0 else gx,)


@rule("cumulative_prod")
def _cumulative_prod(ctx, g):
    shape, ax, initial = _cumulative_args(ctx, "cumulative_prod")
    (x,) = ctx.inputs
    out = ctx.out
    if len(shape) == 0:
        x = xp.reshape(x, (1,))
    if initial:
        g = g[_along(g.ndim, ax, slice(1, None))]
        out = out[_along(out.ndim, ax, slice(1, None))]
    xc = _cj(x)
    zero = x == 0
    seen = xp.cumulative_sum(zero, axis=ax)        # zeros up to and including i
    before = seen == 0                              # i before the first zero
    # before the first zero: sum_{k >= i} g_k out_k / x_i (out_k = 0 after the zero)
    r = _revcumsum(g * _cj(out), ax) / xp.where(before, xc, 1.0)
    first = zero & (seen == 1)
    if np.any(first._array):
        # at the first zero z: sum_{k >= z} g_k prod_{j <= k, j != z} x_j, the
        # cumulative product with x_z replaced by 1; after it: 0
        out1 = xp.cumulative_prod(xp.where(first, 1.0, x), axis=ax)
        r1 = _revcumsum(g * _cj(out1), ax)
        gx = xp.where(before, r, xp.where(first, r1, 0.0))
    else:
        gx = xp.where(before, r, 0.0)
    return (xp.reshape(gx, shape) if len(shape) == 0 else gx,)


# ------------------------------------------------------- manipulation functions
@rule("broadcast_to")
def _broadcast_to(ctx, g):
    return (g,)  # the engine sums the gradient down to the input's shape


@rule("broadcast_arrays")
def _broadcast_arrays(ctx, *grads):
    return tuple(g for a, g in zip(ctx.args, grads) if isinstance(a, Tensor))


@rule("concat")
def _concat(ctx, g):
    c = _Call(ctx)
    arrays = ctx.args[0]
    axis = c.raw(None, "axis", 0)
    grads = {}
    off = 0
    shapes = dict(zip(c.paths, ctx.in_shapes))
    for j, a in enumerate(arrays):
        shape = shapes.get((0, j)) if isinstance(a, Tensor) else np.shape(a)
        if axis is None:
            n = math.prod(shape)
            piece = xp.reshape(g[off:off + n], shape)
        else:
            ax = _normalize_axis("concat", axis, len(shape))
            n = shape[ax]
            piece = g[_along(g.ndim, ax, slice(off, off + n))]
        off += n
        if isinstance(a, Tensor):
            grads[(0, j)] = piece
    return c.ret(grads)


@rule("stack")
def _stack(ctx, g):
    c = _Call(ctx)
    arrays = ctx.args[0]
    axis = c.raw(None, "axis", 0)
    ax = _normalize_axis("stack", axis, g.ndim)
    pieces = xp.unstack(g, axis=ax)
    return c.ret({(0, j): p for j, (a, p) in enumerate(zip(arrays, pieces))
                  if isinstance(a, Tensor)})


@rule("unstack")
def _unstack(ctx, *grads):
    axis = ctx.kwargs.get("axis", 0) if ctx.kwargs else 0
    shape = ctx.in_shapes[0]
    ax = _normalize_axis("unstack", axis, len(shape))
    return (xp.stack(list(grads), axis=ax),)


@rule("expand_dims", "squeeze", "reshape")
def _reshape(ctx, g):
    return (xp.reshape(g, ctx.in_shapes[0]),)


@rule("flip")
def _flip(ctx, g):
    axis = ctx.kwargs.get("axis") if ctx.kwargs else None
    return (xp.flip(g, axis=axis),)


@rule("permute_dims")
def _permute_dims(ctx, g):
    c = _Call(ctx)
    axes = c.raw(1, "axes")
    nd = len(ctx.in_shapes[0])
    perm = [int(a) % nd for a in axes] if nd else []
    return (xp.permute_dims(g, tuple(int(i) for i in np.argsort(perm))),)


@rule("moveaxis")
def _moveaxis(ctx, g):
    return (xp.moveaxis(g, ctx.args[2], ctx.args[1]),)


@rule("matrix_transpose")
def _matrix_transpose(ctx, g):
    return (xp.matrix_transpose(g),)


def _scatter_along(g, idx, ax, shape):
    """Zeros of ``shape`` with ``g`` added at integer indices ``idx`` (NumPy array)
    along axis ``ax`` (repeated indices add up)."""
    return _getitem_backward(g, shape, (slice(None),) * ax + (idx,))


@rule("repeat")
def _repeat(ctx, g):
    c = _Call(ctx)
    shape = ctx.in_shapes[0]
    reps = ctx.check_index(c.raw(1, "repeats"))
    axis = c.raw(None, "axis")
    if isinstance(reps, Tensor):
        reps = reps._array
    reps = np.asarray(reps).astype(np.int64)
    if reps.ndim == 1 and reps.shape[0] == 1:
        reps = reps[0]
    if axis is None:
        n = math.prod(shape)
        idx = np.repeat(np.arange(n), reps)
        gx = xp.reshape(_scatter_along(g, idx, 0, (n,)), shape)
    else:
        ax = _normalize_axis("repeat", axis, len(shape))
        idx = np.repeat(np.arange(shape[ax]), reps)
        gx = _scatter_along(g, idx, ax, shape)
    return c.ret({0: gx})


@rule("tile")
def _tile(ctx, g):
    shape = ctx.in_shapes[0]
    reps = ctx.check_index(ctx.args[1])
    if isinstance(reps, Tensor):
        reps = reps.tolist()
    reps = tuple(int(r) for r in (reps if isinstance(reps, (tuple, list)) else (reps,)))
    d = max(len(shape), len(reps))
    xs = (1,) * (d - len(shape)) + tuple(shape)
    rs = (1,) * (d - len(reps)) + reps
    inter = []
    for r, s in zip(rs, xs):
        inter += [r, s]
    gx = xp.sum(xp.reshape(g, tuple(inter)), axis=tuple(range(0, 2 * d, 2)))
    return (xp.reshape(gx, shape),)


@rule("roll")
def _roll(ctx, g):
    c = _Call(ctx)
    shift = c.raw(1, "shift")
    axis = c.raw(None, "axis")
    neg = tuple(-int(s) for s in shift) if isinstance(shift, (tuple, list)) else -int(shift)
    return (xp.roll(g, shift=neg, axis=axis),)


# ----------------------------------------------------------- indexing functions
@rule("take")
def _take(ctx, g):
    c = _Call(ctx)
    shape = ctx.in_shapes[0]
    idx = ctx.check_index(c.raw(1, "indices"))
    idx = idx._array if isinstance(idx, Tensor) else np.asarray(idx)
    axis = c.raw(None, "axis")
    if axis is None:
        n = math.prod(shape)
        gx = xp.reshape(_getitem_backward(g, (n,), idx), shape)
    else:
        ax = _normalize_axis("take", axis, len(shape))
        gx = _scatter_along(g, idx, ax, shape)
    return c.ret({0: gx})


@rule("take_along_axis")
def _take_along_axis(ctx, g):
    c = _Call(ctx)
    shape = ctx.in_shapes[0]
    idx = ctx.check_index(c.raw(1, "indices"))
    idx = idx._array if isinstance(idx, Tensor) else np.asarray(idx)
    axis = c.raw(None, "axis", -1)
    if axis is None:
        n = math.prod(shape)
        return c.ret({0: xp.reshape(_getitem_backward(g, (n,), idx), shape)})
    nd = len(shape)
    ax = _normalize_axis("take_along_axis", axis, nd)
    out_shape = g.shape
    key = []
    for dim in range(nd):
        if dim == ax:
            key.append(np.broadcast_to(idx, out_shape))
            continue
        n = out_shape[dim]
        # an axis of length one in x broadcasts: every position maps to its index 0
        ar = np.arange(n) if shape[dim] == n else np.zeros(n, dtype=np.intp)
        key.append(ar.reshape((1,) * dim + (n,) + (1,) * (nd - dim - 1)))
    return c.ret({0: _getitem_backward(g, shape, tuple(key))})


# ------------------------------------------------------------ sorting functions
@rule("sort")
def _sort(ctx, g):
    (x,) = ctx.inputs
    kw = ctx.kwargs or {}
    ax = _normalize_axis("sort", kw.get("axis", -1), x.ndim)
    perm = xp.argsort(x, axis=ax, descending=bool(kw.get("descending", False)), stable=True)
    inv = xp.argsort(perm, axis=ax)
    return (xp.take_along_axis(g, inv, axis=ax),)


# ----------------------------------------------------- linear algebra functions
@rule("matmul")
def _matmul(ctx, g):
    c = _Call(ctx)
    a, b = c.arg(0), c.arg(1)
    na, nb = np.ndim(a), np.ndim(b)
    ga = gb = None
    need_a = isinstance(ctx.args[0], Tensor) and c.needs(0)
    need_b = isinstance(ctx.args[1], Tensor) and c.needs(1)
    if na == 1 and nb == 1:
        ga = g * _cj(b) if need_a else None
        gb = g * _cj(a) if need_b else None
    elif na == 1:  # (k,) @ (..., k, n) -> (..., n)
        if need_a:
            ga = xp.matmul(xp.expand_dims(g, axis=-2), _mH(b))[..., 0, :]
        if need_b:
            gb = xp.expand_dims(_cj(a), axis=-1) * xp.expand_dims(g, axis=-2)
    elif nb == 1:  # (..., m, k) @ (k,) -> (..., m)
        if need_a:
            ga = xp.expand_dims(g, axis=-1) * _cj(b)
        if need_b:
            gb = xp.matmul(_mH(a), xp.expand_dims(g, axis=-1))[..., 0]
    else:
        ga = xp.matmul(g, _mH(b)) if need_a else None
        gb = xp.matmul(_mH(a), g) if need_b else None
    grads = {}
    if need_a:
        grads[0] = ga
    if need_b:
        grads[1] = gb
    return c.ret(grads)


@rule("tensordot")
def _tensordot(ctx, g):
    c = _Call(ctx)
    a, b = c.arg(0), c.arg(1)
    na, nb = len(ctx.in_shapes[0]), len(ctx.in_shapes[1])
    axes = c.raw(None, "axes", 2)
    if isinstance(axes, (int, np.integer)) and not isinstance(axes, (bool, np.bool_)):
        ax_a = list(range(na - int(axes), na))
        ax_b = list(range(int(axes)))
    else:
        ax_a = _axes_seq(axes[0], na, "x1")
        ax_b = _axes_seq(axes[1], nb, "x2")
    free_a = [i for i in range(na) if i not in ax_a]
    free_b = [i for i in range(nb) if i not in ax_b]
    nfa, nfb = len(free_a), len(free_b)
    grads = {}
    if c.needs(0):
        # g (free_a + free_b) . conj(b) over free_b -> free_a + contracted axes of b in
        # b's order; each corresponds to the paired axis of a
        r = xp.tensordot(g, _cj(b), axes=(list(range(nfa, nfa + nfb)), free_b))
        order = free_a + [ax_a[ax_b.index(j)] for j in sorted(ax_b)]
        grads[0] = xp.permute_dims(r, tuple(int(i) for i in np.argsort(order)))
    if c.needs(1):
        r = xp.tensordot(_cj(a), g, axes=(free_a, list(range(nfa))))
        order = [ax_b[ax_a.index(i)] for i in sorted(ax_a)] + free_b
        grads[1] = xp.permute_dims(r, tuple(int(i) for i in np.argsort(order)))
    return c.ret(grads)


@rule("vecdot")
def _vecdot(ctx, g):
    c = _Call(ctx)
    a, b = c.arg(0), c.arg(1)
    axis = _vector_axis("vecdot", c.raw(None, "axis", -1), _shaped(ctx.in_shapes[0]),
                        _shaped(ctx.in_shapes[1]))
    ge = xp.expand_dims(g, axis=axis)
    grads = {}
    if isinstance(ctx.args[0], Tensor) and c.needs(0):
        grads[0] = _cj(ge) * b          # sum(conj(a) * b): antiholomorphic in a
    if isinstance(ctx.args[1], Tensor) and c.needs(1):
        grads[1] = ge * a
    return c.ret(grads)


# -------------------------------------------------------------- linalg extension
@rule("linalg.outer")
def _outer(ctx, g):
    c = _Call(ctx)
    a, b = c.arg(0), c.arg(1)
    grads = {}
    if c.needs(0):
        grads[0] = xp.matmul(g, _cj(b))
    if c.needs(1):
        grads[1] = xp.matmul(_cj(a), g)
    return c.ret(grads)


@rule("linalg.cross")
def _cross(ctx, g):
    c = _Call(ctx)
    a, b = c.arg(0), c.arg(1)
    axis = c.raw(None, "axis", -1)
    grads = {}
    if c.needs(0):
        grads[0] = la.cross(_cj(b), g, axis=axis)
    if c.needs(1):
        grads[1] = la.cross(g, _cj(a), axis=axis)
    return c.ret(grads)


def _diag_indices(shape, offset):
    m, n = shape[-2], shape[-1]
    if offset >= 0:
        k = max(0, min(m, n - offset))
        return np.arange(k), np.arange(k) + offset
    k = max(0, min(m + offset, n))
    return np.arange(k) - offset, np.arange(k)


@rule("linalg.diagonal")
def _diagonal(ctx, g):
    shape = ctx.in_shapes[0]
    offset = int(ctx.kwargs.get("offset", 0)) if ctx.kwargs else 0
    ri, ci = _diag_indices(shape, offset)
    return (_getitem_backward(g, shape, (Ellipsis, ri, ci)),)


@rule("linalg.trace")
def _trace(ctx, g):
    shape = ctx.in_shapes[0]
    offset = int(ctx.kwargs.get("offset", 0)) if ctx.kwargs else 0
    e = np.eye(shape[-2], shape[-1], k=offset)
    return (xp.expand_dims(g, axis=(-2, -1)) * _const(e, g),)


@rule("linalg.inv")
def _inv(ctx, g):
    y = ctx.out
    yh = _mH(y)
    return (-xp.matmul(yh, xp.matmul(g, yh)),)


@rule("linalg.det")
def _det(ctx, g):
    (a,) = ctx.inputs
    d = ctx.out
    if not np.all(d._array != 0):
        return (_det_backward_svd(a, g),)
    # d det / dA = det * A^{-T}: grad = g * conj(det) * A^{-H}
    return (xp.expand_dims(g * _cj(d), axis=(-2, -1)) * _mH(la.inv(a)),)


def _det_backward_svd(a, g):
    """The gradient of det for any (also singular) matrix: g * adj(A)^H, with
    adj(A) = det(U) det(Vh) V diag(prod_{j != i} s_j) U^H."""
    u, s, vh = la.svd(a)
    others = _prod_of_others(s, (s.ndim - 1,))
    adj = xp.expand_dims(la.det(u) * la.det(vh), axis=(-2, -1)) * xp.matmul(
        _mH(vh), xp.expand_dims(others, axis=-1) * _mH(u))
    return xp.expand_dims(g, axis=(-2, -1)) * _mH(adj)


@rule("linalg.slogdet")
def _slogdet(ctx, g_sign, g_logabs):
    (a,) = ctx.inputs
    # d logdet = tr(A^{-1} dA); logabsdet takes its real part, sign = exp(i Im(logdet))
    if _is_complex(a):
        sign = ctx.output(0)
        c = g_logabs - 1j * xp.imag(xp.conj(g_sign) * sign)
    else:
        c = g_logabs
    return (xp.expand_dims(c, axis=(-2, -1)) * _mH(la.inv(a)),)


@rule("linalg.solve")
def _solve(ctx, g):
    c = _Call(ctx)
    a = c.arg(0)
    x = ctx.out
    vec = np.ndim(c.raw(1)) == 1
    need_a, need_b = c.needs(0), c.needs(1)
    if vec:
        gb = la.solve(_mH(a), xp.expand_dims(g, axis=-1))[..., 0]
        ga = -xp.expand_dims(gb, axis=-1) * xp.expand_dims(_cj(x), axis=-2) if need_a else None
    else:
        gb = la.solve(_mH(a), g)
        ga = -xp.matmul(gb, _mH(x)) if need_a else None
    grads = {}
    if need_a:
        grads[0] = ga
    if need_b:
        grads[1] = gb
    return c.ret(grads)


def _tril_half(n, like):
    """Mask: 1 below the diagonal, 1/2 on it, 0 above."""
    return _const(np.tril(np.ones((n, n))) - 0.5 * np.eye(n), like)


@rule("linalg.cholesky")
def _cholesky(ctx, g):
    upper = bool(ctx.kwargs.get("upper", False)) if ctx.kwargs else False
    lo = ctx.out
    if upper:
        lo, g = _mH(lo), _mH(g)
    n = lo.shape[-1]
    phi = xp.matmul(_mH(lo), g) * _tril_half(n, lo)
    linv = la.inv(lo)
    ga = xp.matmul(_mH(linv), xp.matmul(phi, linv))
    return ((ga + _mH(ga)) * 0.5,)


def _syminvadj(m):
    """``triu(m) + triu(m)^H`` with the real part of ``m``'s diagonal on the diagonal."""
    n = m.shape[-1]
    u = m * _const(np.triu(np.ones((n, n))), m)
    return u + _mH(u) - xp.real(m) * _eye(n, m) if _is_complex(m) else \
        u + _mH(u) - m * _eye(n, m)


def _triliminvadjskew(m):
    """``tril(m - m^H)`` with the imaginary part of the diagonal halved."""
    n = m.shape[-1]
    r = (m - _mH(m)) * _const(np.tril(np.ones((n, n))), m)
    if _is_complex(m):
        r = r - 0.5 * r * _eye(n, m)  # the diagonal of m - m^H is imaginary
    return r


def _right_solve_rh(b, r):
    """``b @ inv(R)^H`` for a square R."""
    return _mH(la.solve(r, _mH(b)))


@rule("linalg.qr")
def _qr(ctx, gq, gr):
    q, r = ctx.output(0), ctx.output(1)
    mode = ctx.kwargs.get("mode", "reduced") if ctx.kwargs else "reduced"
    m, n = q.shape[-2], r.shape[-1]
    if mode == "complete" and m > n:
        # Q's last m - n columns are not determined by A: differentiable only
        # when the loss does not depend on them
        if _nonzero(gq[..., n:]):
            raise RuntimeError("linalg.qr: the gradient with mode='complete' and more rows than "
                               "columns is undefined when the loss depends on the last "
                               "M - N columns of Q; use mode='reduced'")
        q, gq = q[..., :n], gq[..., :n]
        r, gr = r[..., :n, :], gr[..., :n, :]
    mh = xp.matmul(gr, _mH(r)) - xp.matmul(_mH(q), gq)
    if m >= n:
        b = gq + xp.matmul(q, _syminvadj(mh))
        return (_right_solve_rh(b, r),)
    b = xp.matmul(q, _triliminvadjskew(-mh))
    ga = _right_solve_rh(b, r[..., :, :m])
    pad = list(ga.shape)
    pad[-1] = n - m
    ga = xp.concat([ga, xp.zeros(tuple(pad), dtype=ga.dtype)], axis=-1)
    return (ga + xp.matmul(q, gr),)


def _eigh_backward(gl, gv, lam, v):
    n = lam.shape[-1]
    eye = _eye(n, lam)
    inner = _diag_embed(gl)
    if gv is not None and _nonzero(gv):
        k = xp.matmul(_mH(v), gv)
        k = (k - _mH(k)) * 0.5   # the skew-Hermitian projection
        e = xp.expand_dims(lam, axis=-2) - xp.expand_dims(lam, axis=-1)   # lam_j - lam_i
        e = xp.where(eye == 1, 1.0, e)
        inner = inner + (k / e) * (1 - eye)
    return xp.matmul(v, xp.matmul(inner, _mH(v)))


@rule("linalg.eigh")
def _eigh(ctx, gl, gv):
    return (_eigh_backward(gl, gv, ctx.output(0), ctx.output(1)),)


@rule("linalg.eigvalsh")
def _eigvalsh(ctx, g):
    (a,) = ctx.inputs
    lam, v = la.eigh(a)
    return (_eigh_backward(g, None, lam, v),)


def _eig_backward(gl, gv, lam, v):
    n = lam.shape[-1]
    eye = _eye(n, v)
    vh = _mH(v)
    inner = _diag_embed(gl)
    if gv is not None and _nonzero(gv):
        k = xp.matmul(vh, gv)
        # project onto the tangent space of unit-norm columns
        k = k - xp.matmul(vh, v * xp.expand_dims(xp.real(la.diagonal(k)), axis=-2))
        lc = xp.conj(lam)
        e = xp.expand_dims(lc, axis=-2) - xp.expand_dims(lc, axis=-1)
        e = xp.where(eye == 1, 1.0, e)
        inner = inner + (k / e) * (1 - eye)
    return la.solve(vh, xp.matmul(inner, vh))


@rule("linalg.eig")
def _eig(ctx, gl, gv):
    return (_eig_backward(gl, gv, ctx.output(0), ctx.output(1)),)


@rule("linalg.eigvals")
def _eigvals(ctx, g):
    (a,) = ctx.inputs
    lam, v = la.eig(a)
    return (_eig_backward(g, None, lam, v),)


def _svd_backward(gu, gs, gvh, u, s, vh):
    """PyTorch's svd_backward for the reduced SVD (distinct singular values when
    the loss depends on the singular vectors)."""
    has_u = gu is not None and _nonzero(gu)
    has_v = gvh is not None and _nonzero(gvh)
    if not has_u and not has_v:
        return xp.matmul(u, xp.expand_dims(gs, axis=-1) * vh)
    m, n = u.shape[-2], vh.shape[-1]
    k = s.shape[-1]
    eye = _eye(k, s)
    s_row = xp.expand_dims(s, axis=-2)   # s_j at [i, j]
    s_col = xp.expand_dims(s, axis=-1)   # s_i at [i, j]
    s2 = s * s
    e = xp.expand_dims(s2, axis=-2) - xp.expand_dims(s2, axis=-1)   # s_j^2 - s_i^2
    e = xp.where(eye == 1, 1.0, e)
    inner = None
    if has_u:
        uhgu = xp.matmul(_mH(u), gu)
        uhgu = uhgu - _mH(uhgu)
        inner = uhgu * s_row
    if has_v:
        vhgv = xp.matmul(vh, _mH(gvh))
        vhgv = vhgv - _mH(vhgv)
        t = s_col * vhgv
        inner = t if inner is None else inner + t
    inner = (inner / e) * (1 - eye) + _diag_embed(gs)
    if has_u and _is_complex(u):
        # the phase of the singular vectors: i Im(diag(U^H gU)) / s
        inner = inner + _diag_embed(la.diagonal(uhgu) / (2 * s))
    if m > n and has_u:
        ga = xp.matmul(u, inner)
        gus = gu / s_row
        ga = ga + gus - xp.matmul(u, xp.matmul(_mH(u), gus))
        return xp.matmul(ga, vh)
    if m < n and has_v:
        ga = xp.matmul(inner, vh)
        gvs = _mH(gvh) / s_row
        ga = ga + _mH(gvs) - xp.matmul(xp.matmul(_mH(gvs), _mH(vh)), vh)
        return xp.matmul(u, ga)
    return xp.matmul(u, xp.matmul(inner, vh))


@rule("linalg.svd")
def _svd(ctx, gu, gs, gvh):
    u, s, vh = ctx.output(0), ctx.output(1), ctx.output(2)
    full = bool(ctx.kwargs.get("full_matrices", True)) if ctx.kwargs else True
    k = s.shape[-1]
    if full and (u.shape[-1] != k or vh.shape[-2] != k):
        if _nonzero(gu[..., k:]) or _nonzero(gvh[..., k:, :]):
            raise RuntimeError(
                "linalg.svd: with full_matrices=True the gradient is defined only when the "
                "loss does not depend on the singular vectors beyond the first min(M, N); "
                "use full_matrices=False")
        u, gu = u[..., :k], gu[..., :k]
        vh, gvh = vh[..., :k, :], gvh[..., :k, :]
    return (_svd_backward(gu, gs, gvh, u, s, vh),)


@rule("linalg.svdvals")
def _svdvals(ctx, g):
    (a,) = ctx.inputs
    u, s, vh = la.svd(a, full_matrices=False)
    return (xp.matmul(u, xp.expand_dims(g, axis=-1) * vh),)


def _pinv_backward(g, p, a):
    """The gradient of P = pinv(A) (constant rank): -P^H G P^H
    + (I - A P) G^H P P^H + P^H P G^H (I - P A)."""
    ph = _mH(p)
    gh = _mH(g)
    t2 = xp.matmul(gh, xp.matmul(p, ph))
    t3 = xp.matmul(xp.matmul(ph, p), gh)
    return (-xp.matmul(ph, xp.matmul(g, ph)) + t2 - xp.matmul(a, xp.matmul(p, t2))
            + t3 - xp.matmul(xp.matmul(t3, p), a))


@rule("linalg.pinv")
def _pinv(ctx, g):
    c = _Call(ctx)
    a = c.arg(0)
    return c.ret({0: _pinv_backward(g, ctx.out, a)})


@rule("linalg.lstsq")
def _lstsq(ctx, gsol, gres, grank, gs):
    c = _Call(ctx)
    a, b = c.arg(0), c.arg(1)
    rcond = c.raw(2, "rcond")
    sol, res = ctx.output(0), ctx.output(1)
    vec = b.ndim == 1
    b2 = xp.expand_dims(b, axis=-1) if vec else b
    x2 = xp.expand_dims(sol, axis=-1) if vec else sol
    g2 = xp.expand_dims(gsol, axis=-1) if vec else gsol
    p = la.pinv(a, rtol=None if rcond is None or rcond < 0 else float(rcond))
    ga = _pinv_backward(xp.matmul(g2, _mH(b2)), p, a)
    gb = xp.matmul(_mH(p), g2)
    if res.shape[0] and _nonzero(gres):
        # residuals ||b_k - A x_k||^2 (the residual is orthogonal to range(A))
        rr = (b2 - xp.matmul(a, x2)) * (2 * gres)
        gb = gb + rr
        ga = ga - xp.matmul(rr, _mH(x2))
    if _nonzero(gs):
        u, _, vh = la.svd(a, full_matrices=False)
        ga = ga + xp.matmul(u, xp.expand_dims(gs, axis=-1) * vh)
    grads = {0: ga, 1: gb[..., 0] if vec else gb}
    return c.ret({k: v for k, v in grads.items() if c.needs(k)})


@rule("linalg.matrix_power")
def _matrix_power(ctx, g):
    (a,) = ctx.inputs
    n = int(ctx.args[1])
    if n == 0:
        return (xp.zeros_like(g),)
    b = a if n > 0 else la.inv(a)
    k = abs(n)
    bh = _mH(b)
    pw = [None, bh]  # pw[i] = (B^H)^i
    for _ in range(2, k):
        pw.append(xp.matmul(pw[-1], bh))
    total = None
    for i in range(k):
        t = g if i == 0 else xp.matmul(pw[i], g)
        if k - 1 - i:
            t = xp.matmul(t, pw[k - 1 - i])
        total = t if total is None else total + t
    if n < 0:  # through B = A^{-1}
        total = -xp.matmul(bh, xp.matmul(total, bh))
    return (total,)


def _norm_grad(x, g, out, ordv, axes):
    """Gradient of the vector p-norm over ``axes`` (``g``, ``out`` with those axes
    kept, size one). PyTorch's norm_backward."""
    if ordv == 0:
        return xp.zeros_like(x) * g
    if ordv == 1:
        return g * _sgn(x)
    if ordv == 2:
        return x * xp.where(out == 0, 0.0, g / xp.where(out == 0, 1.0, out))
    if math.isinf(ordv):
        ax = xp.abs(x)
        mask = ax == out
        count = xp.sum(mask, axis=axes, keepdims=True)
        return _sgn(x) * xp.where(mask, g / count, 0.0)
    ax = xp.abs(x)
    scaled = _sgn(x) * xp.pow(ax, ordv - 1)
    if ordv < 1:
        scaled = xp.where(x == 0, 0.0, scaled)
    return scaled * xp.where(out == 0, 0.0, g / xp.pow(xp.where(out == 0, 1.0, out), ordv - 1))


@rule("linalg.vector_norm")
def _vector_norm(ctx, g):
    (x,) = ctx.inputs
    kw = ctx.kwargs or {}
    nd = x.ndim
    axis = kw.get("axis")
    axes = tuple(range(nd)) if axis is None else tuple(sorted(
        int(a) % nd for a in (axis if isinstance(axis, (tuple, list)) else (axis,))))
    keepdims = bool(kw.get("keepdims", False))
    ordv = float(kw.get("ord", 2))
    out = _restore(ctx.out, nd, axes, keepdims)
    g = _restore(g, nd, axes, keepdims)
    return (_norm_grad(x, g, out, ordv, axes),)


@rule("linalg.matrix_norm")
def _matrix_norm(ctx, g):
    (x,) = ctx.inputs
    kw = ctx.kwargs or {}
    keepdims = bool(kw.get("keepdims", False))
    ordv = kw.get("ord", "fro")
    nd = x.ndim
    axes = (nd - 2, nd - 1)
    out = _restore(ctx.out, nd, axes, keepdims)
    g = _restore(g, nd, axes, keepdims)
    if ordv == "fro":
        return (_norm_grad(x, g, out, 2.0, axes),)
    if ordv == "nuc" or ordv in (2, -2):
        u, s, vh = la.svd(x, full_matrices=False)
        if ordv == "nuc":
            return (g * xp.matmul(u, vh),)
        i = 0 if ordv == 2 else s.shape[-1] - 1
        return (g * xp.matmul(u[..., i:i + 1], vh[..., i:i + 1, :]),)
    # 1 / -1: max / min absolute column sum; inf / -inf: rows
    over = -2 if ordv in (1, -1) else -1
    sums = xp.sum(xp.abs(x), axis=over, keepdims=True)
    mask = sums == out
    count = xp.sum(mask, axis=-1 if over == -2 else -2, keepdims=True)
    return (_sgn(x) * xp.where(mask, g / count, 0.0),)


# ------------------------------------------------- creation / data type / utility
@rule("astype")
def _astype(ctx, g):
    return (g,)  # the engine casts the gradient back to the input's dtype


@rule("tril", "triu")
def _tri(ctx, g):
    k = ctx.kwargs.get("k", 0) if ctx.kwargs else 0
    return ((xp.tril if ctx.name == "tril" else xp.triu)(g, k=k),)


@rule("meshgrid")
def _meshgrid(ctx, *grads):
    indexing = ctx.kwargs.get("indexing", "xy") if ctx.kwargs else "xy"
    n = len(grads)
    out = []
    for i, (a, g) in enumerate(zip(ctx.args, grads)):
        if not isinstance(a, Tensor):
            continue
        ax = i
        if indexing == "xy" and n >= 2 and i < 2:
            ax = 1 - i
        out.append(xp.sum(g, axis=tuple(d for d in range(g.ndim) if d != ax)))
    return tuple(out)


@rule("diff")
def _diff(ctx, g):
    c = _Call(ctx)
    shape = ctx.in_shapes[0]
    n = int(c.raw(1, "n", 1))
    ax = _normalize_axis("diff", c.raw(2, "axis", -1), len(shape))
    total = g.shape[ax] + n
    if g.shape[ax] == 0:  # n >= the joined length: the result is empty
        total = sum((v.shape if isinstance(v, Tensor) else np.shape(v))[ax] for v in (
            c.raw(None, "prepend"), c.raw(0), c.raw(None, "append")) if v is not None)
        zshape = list(g.shape)
        zshape[ax] = total
        g = xp.zeros(tuple(zshape), dtype=g.dtype)
        n = 0
    for _ in range(n):
        # adjoint of y = z[1:] - z[:-1]
        zshape = list(g.shape)
        zshape[ax] = 1
        z = xp.zeros(tuple(zshape), dtype=g.dtype)
        g = xp.concat([z, g], axis=ax) - xp.concat([g, z], axis=ax)
    grads = {}
    off = 0
    for what, k in (("prepend", c.key(None, "prepend")), ("x", 0), ("append", c.key(None, "append"))):
        if k is None:
            continue
        v = c.raw(*((0,) if k == 0 else (None, k)))
        m = (v.shape if isinstance(v, Tensor) else np.shape(v))[ax]
        if isinstance(v, Tensor):
            grads[k] = g[_along(g.ndim, ax, slice(off, off + m))]
        off += m
    return c.ret(grads)


# ----------------------------------------------------------------- fft extension
_SWAP = {"backward": "forward", "forward": "backward", "ortho": "ortho", None: "forward"}


def _fft_args(ctx, name, default_n):
    (x_shape,) = ctx.in_shapes[:1]
    kw = ctx.kwargs or {}
    ax = _normalize_axis(name, kw.get("axis", -1), len(x_shape))
    n = kw.get("n")
    n = default_n(x_shape[ax]) if n is None else int(n)
    return x_shape, ax, n, _SWAP[kw.get("norm", "backward")]


def _c2c_adjoint(inverse_of):
    def r(ctx, g):
        shape, ax, n, sw = _fft_args(ctx, ctx.name, lambda m: m)
        gx = inverse_of(g, axis=ax, norm=sw)
        return (_fit(gx, shape[ax], ax),)
    return r


RULES["fft.fft"] = _c2c_adjoint(_fft.ifft)
RULES["fft.ifft"] = _c2c_adjoint(_fft.fft)


def _rfft_adjoint(g, n, ax, sw, length):
    """Adjoint of ``rfft(x, n)`` along ``ax`` (x of ``length``), applied to ``g``."""
    gx = _fft.ifft(_fit(g, n, ax), axis=ax, norm=sw)
    return _fit(xp.real(gx), length, ax)


def _irfft_adjoint(g, n, ax, sw, length):
    """Adjoint of ``irfft(x, n)`` along ``ax`` (x of ``length``): PyTorch's
    fft_c2r_backward (the entries that stand for two frequencies count twice)."""
    gi = _fft.rfft(g, axis=ax, norm=sw)
    m = gi.shape[ax]
    double = n - m
    if double > 0:
        w = np.ones(m)
        w[1:1 + double] = 2
        shape = [1] * gi.ndim
        shape[ax] = m
        gi = gi * _const(w.reshape(shape), gi)
    return _fit(gi, length, ax)


@rule("fft.rfft")
def _rfft(ctx, g):
    shape, ax, n, sw = _fft_args(ctx, "rfft", lambda m: m)
    return (_rfft_adjoint(g, n, ax, sw, shape[ax]),)


@rule("fft.irfft")
def _irfft(ctx, g):
    shape, ax, n, sw = _fft_args(ctx, "irfft", lambda m: 2 * (m - 1))
    return (_irfft_adjoint(g, n, ax, sw, shape[ax]),)


@rule("fft.hfft")
def _hfft(ctx, g):
    # hfft(x, n, norm) = irfft(conj(x), n, norm=swap(norm))
    shape, ax, n, sw = _fft_args(ctx, "hfft", lambda m: 2 * (m - 1))
    return (xp.conj(_irfft_adjoint(g, n, ax, _SWAP[sw], shape[ax])),)


@rule("fft.ihfft")
def _ihfft(ctx, g):
    # ihfft(x, n, norm) = conj(rfft(x, n, norm=swap(norm)))
    shape, ax, n, sw = _fft_args(ctx, "ihfft", lambda m: m)
    return (_rfft_adjoint(xp.conj(g), n, ax, _SWAP[sw], shape[ax]),)


def _fftn_args(ctx, name, inverse_real=False):
    kw = ctx.kwargs or {}
    shape = ctx.in_shapes[0]
    s, axes = _fft._s_axes(name, _shaped(shape), kw.get("s"), kw.get("axes"),
                           inverse_real=inverse_real)
    return shape, s, axes, _SWAP[kw.get("norm", "backward")]


def _c2c_nd_adjoint(inverse_of):
    def r(ctx, g):
        shape, s, axes, sw = _fftn_args(ctx, ctx.name[4:])
        if not axes:
            return (g,)
        gx = inverse_of(g, axes=axes, norm=sw)
        for ax in axes:
            gx = _fit(gx, shape[ax], ax)
        return (gx,)
    return r


RULES["fft.fftn"] = _c2c_nd_adjoint(_fft.ifftn)
RULES["fft.ifftn"] = _c2c_nd_adjoint(_fft.fftn)


@rule("fft.rfftn")
def _rfftn(ctx, g):
    # rfftn = fft over axes[:-1] (lengths s[:-1]) of rfft over axes[-1] (length s[-1])
    shape, s, axes, sw = _fftn_args(ctx, "rfftn")
    if len(axes) > 1:
        g = _fft.ifftn(g, axes=axes[:-1], norm=sw)
    gx = _rfft_adjoint(g, s[-1], axes[-1], sw, shape[axes[-1]])
    for ax in axes[:-1]:
        gx = _fit(gx, shape[ax], ax)
    return (gx,)


@rule("fft.irfftn")
def _irfftn(ctx, g):
    # irfftn = irfft over axes[-1] (length s[-1]) of ifft over axes[:-1] (lengths s[:-1])
    shape, s, axes, sw = _fftn_args(ctx, "irfftn", inverse_real=True)
    gx = _irfft_adjoint(g, s[-1], axes[-1], sw, shape[axes[-1]])
    if len(axes) > 1:
        gx = _fft.fftn(gx, axes=axes[:-1], norm=sw)
        for ax in axes[:-1]:
            gx = _fit(gx, shape[ax], ax)
    return (gx,)


@rule("fft.fftshift")
def _fftshift(ctx, g):
    axes = ctx.kwargs.get("axes") if ctx.kwargs else None
    return (_fft.ifftshift(g, axes=axes),)


@rule("fft.ifftshift")
def _ifftshift(ctx, g):
    axes = ctx.kwargs.get("axes") if ctx.kwargs else None
    return (_fft.fftshift(g, axes=axes),)
