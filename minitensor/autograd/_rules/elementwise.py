"""Gradient rules of the elementwise functions (unary, binary, ``clip``)."""
import cmath
import math

import minitensor as xp

from ..._array_object import Tensor
from . import rule
from ._helpers import LN2, LN10, complex_sign, conj_if_complex, is_complex

# (the output read once: each ``ctx.out`` checks its version and wraps it anew)
def _neg_square(y):
    return -(y * y)


def _one_plus_square(y):
    return 1 + y * y


def _one_minus_square(y):
    return 1 - y * y


# ---- unary functions f with a complex derivative: grad = g * conj(f'(x)). Each
# entry computes f'(x) from the input x and a thunk returning the output.
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
    "log2": lambda x, y: 1 / (x * LN2),
    "log10": lambda x, y: 1 / (x * LN10),
    "reciprocal": lambda x, y: _neg_square(y()),
    "sin": lambda x, y: xp.cos(x),
    "sinh": lambda x, y: xp.cosh(x),
    "sqrt": lambda x, y: 1 / (2 * y()),
    "square": lambda x, y: 2 * x,
    "tan": lambda x, y: _one_plus_square(y()),
    "tanh": lambda x, y: _one_minus_square(y()),
}
# derivatives that use only the output (the input is not read, nor version-checked)
_OUTPUT_ONLY = {"exp", "expm1", "reciprocal", "sqrt", "tan", "tanh"}


def _holomorphic_rule(name, deriv):
    if name in _OUTPUT_ONLY:
        def vjp(ctx, g):
            return g * conj_if_complex(deriv(None, lambda: ctx.out))
    else:
        def vjp(ctx, g, *, x):
            return g * conj_if_complex(deriv(x, lambda: ctx.out))
    vjp.__name__ = vjp.__qualname__ = f"{name}_vjp"
    return vjp


for _n, _d in _HOLOMORPHIC.items():
    rule(_n)(_holomorphic_rule(_n, _d))
del _n, _d


@rule("abs")
def abs_vjp(ctx, g, *, x):
    return g * complex_sign(x)


@rule("sign")
def sign_vjp(ctx, g, *, x):
    if not is_complex(x):
        return xp.zeros_like(g)
    # sgn(z) = z / |z|: (g - sgn^2 conj(g)) / (2 |z|), 0 at z = 0 (PyTorch's sgn_backward)
    s = ctx.out
    a = xp.abs(x)
    r = (g - s * s * xp.conj(g)) / (2 * xp.where(a == 0, 1.0, a))
    return xp.where(a == 0, 0.0, r)


@rule("ceil", "floor", "round", "trunc")
def zero_vjp(ctx, g, *, x_shape):
    return xp.zeros(x_shape, dtype=g.dtype)


@rule("conj")
def conj_vjp(ctx, g):
    return xp.conj(g)


@rule("negative")
def negative_vjp(ctx, g):
    return -g


@rule("positive", "real")
def identity_vjp(ctx, g):
    return g


@rule("imag")
def imag_vjp(ctx, g, *, x_shape, x_dtype):
    if x_dtype.kind != "c":
        return xp.zeros(x_shape, dtype=g.dtype)
    return g * 1j


# ---- binary functions: x1 and x2 are tensors (the saved inputs) or the Python
# scalars / NumPy arrays of the call; ``needs`` names the tensors that need a gradient
@rule("add")
def add_vjp(ctx, g, *, needs):
    return {"x1": g, "x2": g}


@rule("subtract")
def subtract_vjp(ctx, g, *, needs):
    return {"x1": g, "x2": -g if "x2" in needs else None}


@rule("multiply")
def multiply_vjp(ctx, g, *, x1, x2, needs):
    return {"x1": g * conj_if_complex(x2) if "x1" in needs else None,
            "x2": g * conj_if_complex(x1) if "x2" in needs else None}


@rule("divide")
def divide_vjp(ctx, g, *, x1, x2, needs):
    return {"x1": g / conj_if_complex(x2) if "x1" in needs else None,
            "x2": -g * conj_if_complex(x1 / x2 / x2) if "x2" in needs else None}


def _scalar_log(s):
    if isinstance(s, complex):
        return cmath.log(s) if s != 0 else complex(-math.inf, 0)
    if s > 0:
        return math.log(s)
    return -math.inf if s == 0 else math.nan


@rule("pow")
def pow_vjp(ctx, g, *, x1, x2, needs):
    x, y = x1, x2
    gx = gy = None
    if "x1" in needs:
        # d/dx x**y = y * x**(y-1); 0 where y == 0 (PyTorch's pow_backward_self)
        if isinstance(y, Tensor):
            gx = xp.where(y == 0, 0.0, g * conj_if_complex(y * xp.pow(x, y - 1)))
        elif y == 0:
            gx = xp.zeros_like(g)
        elif y == 2 and type(y) is not complex and x._array.dtype.kind == "f":
            # real x ** 1 is x exactly (also -0.0, infinities, NaN): one product less
            gx = g * conj_if_complex(y * x)
        else:
            gx = g * conj_if_complex(y * xp.pow(x, y - 1))
    if "x2" in needs:
        # d/dy x**y = x**y * log(x); 0 where x == 0 and y >= 0 (pow_backward_exponent)
        out = ctx.out
        yr = xp.real(y) if is_complex(y) else y
        if isinstance(x, Tensor):
            gy = xp.where((x == 0) & (yr >= 0), 0.0, g * conj_if_complex(out * xp.log(x)))
        else:
            gy = g * conj_if_complex(out * _scalar_log(x))
            if x == 0:
                gy = xp.where(yr >= 0, 0.0, gy)
    return {"x1": gx, "x2": gy}


@rule("atan2")
def atan2_vjp(ctx, g, *, x1, x2, needs):
    y, x = x1, x2  # atan2(y, x)
    d = x * x + y * y
    return {"x1": g * x / d if "x1" in needs else None,
            "x2": -g * y / d if "x2" in needs else None}


@rule("copysign")
def copysign_vjp(ctx, g, *, x1, needs):
    # copysign(x, y) / x: +-1 (0 where x == 0), PyTorch's copysign_tensor_self_backward
    return {"x1": g * (xp.sign(x1) * xp.sign(ctx.out)) if "x1" in needs else None,
            "x2": xp.zeros_like(g) if "x2" in needs else None}


@rule("hypot")
def hypot_vjp(ctx, g, *, x1, x2, needs):
    out = ctx.out
    return {"x1": g * x1 / out if "x1" in needs else None,
            "x2": g * x2 / out if "x2" in needs else None}


@rule("logaddexp")
def logaddexp_vjp(ctx, g, *, x1, x2, needs):
    return {"x1": g / (1 + xp.exp(x2 - x1)) if "x1" in needs else None,
            "x2": g / (1 + xp.exp(x1 - x2)) if "x2" in needs else None}


def _extremum_vjp(name, greater):
    def vjp(ctx, g, *, x1, x2, needs):
        eq = x1 == x2
        half = g / 2
        return {"x1": xp.where(eq, half, xp.where(greater(x1, x2), g, 0.0))
                if "x1" in needs else None,
                "x2": xp.where(eq, half, xp.where(greater(x2, x1), g, 0.0))
                if "x2" in needs else None}
    vjp.__name__ = vjp.__qualname__ = f"{name}_vjp"
    return vjp


# equal inputs share the gradient evenly (as torch.maximum)
rule("maximum")(_extremum_vjp("maximum", xp.greater))
rule("minimum")(_extremum_vjp("minimum", xp.less))


@rule("remainder")
def remainder_vjp(ctx, g, *, x1, x2, needs):
    # x1 - x2 * floor(x1 / x2)
    return {"x1": g if "x1" in needs else None,
            "x2": -g * xp.floor_divide(x1, x2) if "x2" in needs else None}


@rule("floor_divide")
def floor_divide_vjp(ctx, g):
    z = xp.zeros_like(g)
    return {"x1": z, "x2": z}


@rule("nextafter")
def nextafter_vjp(ctx, g, *, needs):
    return {"x1": g, "x2": xp.zeros_like(g) if "x2" in needs else None}


@rule("clip")
def clip_vjp(ctx, g, *, x, min, max, needs):
    lo, hi = min, max
    inside = None
    if lo is not None:
        inside = x >= lo
    if hi is not None:
        inside = (x <= hi) if inside is None else inside & (x <= hi)
    grads = {}
    if "x" in needs:
        grads["x"] = g if inside is None else xp.where(inside, g, 0.0)
    # the bounds (PyTorch's clamp_backward_min_max)
    if "min" in needs:
        m = x < lo
        if hi is not None:
            m = m & (lo < hi)
        grads["min"] = xp.where(m, g, 0.0)
    if "max" in needs:
        m = x > hi
        if lo is not None:
            m = m | (hi < lo)
        grads["max"] = xp.where(m, g, 0.0)
    return grads
