"""Op records of the elementwise functions (one per function of the 2025.12 standard).

``ref`` is the NumPy reference with the standard's result dtype: the functions
with ``result="float"`` in minitensor's table (floating-point functions that also
accept integer inputs, a NumPy-style extension) compute integer inputs in
float64 (``_f``), where NumPy would pick float16/float32 for small integers.
``dtypes`` is the dtype category minitensor accepts (for the logical functions
"all": a NumPy-style extension of the standard's boolean); ``domain`` draws
inputs valid for every argument (log: positive, acos: [-1, 1], divisors:
nonzero, shifts: [0, bits), ...). ``differentiable`` marks the functions with a
derivative on their (float) domain, for the gradient tests.
"""
import numpy as np

from op_records import OpRecord

_F64 = np.dtype(np.float64)


def _f(ufunc):
    """NumPy reference of a floating-point function: integer inputs compute in float64."""
    def ref(*args):
        if all(np.asarray(a).dtype.kind in "iub" for a in args):
            args = [np.asarray(a).astype(_F64) for a in args]
        with np.errstate(all="ignore"):
            return np.asarray(ufunc(*args))
    ref.__name__ = f"ref_{ufunc.__name__}"
    return ref


def _same(ufunc):
    def ref(*args):
        with np.errstate(all="ignore"):
            return np.asarray(ufunc(*args))
    ref.__name__ = f"ref_{ufunc.__name__}"
    return ref


def _real_part(ufunc):
    # NumPy's real/imag/abs already give the real dtype of the same precision
    return _same(ufunc)


# ----------------------------------------------------------------- domains
def _uniform(lo, hi):
    """Values in [lo, hi] (integers: the integers there, within the dtype's range)."""
    def domain(rng, shape, dt):
        dt = np.dtype(dt)
        if dt.kind in "iu":
            info = np.iinfo(dt)
            lo_i = max(int(np.ceil(lo)), info.min)
            hi_i = min(int(np.floor(hi)), info.max)
            return rng.integers(lo_i, hi_i + 1, size=shape).astype(dt)
        if dt.kind == "c":
            return (rng.uniform(lo, hi, shape) + 1j * rng.uniform(lo, hi, shape)).astype(dt)
        return rng.uniform(lo, hi, shape).astype(dt)
    return domain


def _nonzero(rng, shape, dt):
    """Nonzero values of both signs (unsigned: 1..100), for divisors."""
    dt = np.dtype(dt)
    if dt.kind == "u":
        return rng.integers(1, 101, size=shape).astype(dt)
    if dt.kind == "i":
        info = np.iinfo(dt)
        v = rng.integers(1, min(100, info.max) + 1, size=shape)
        return (v * rng.choice([-1, 1], size=shape)).astype(dt)
    mag = rng.uniform(0.25, 4.0, shape) * rng.choice([-1.0, 1.0], size=shape)
    if dt.kind == "c":
        return (mag + 1j * rng.uniform(-2, 2, shape)).astype(dt)
    return mag.astype(dt)


def _shift(rng, shape, dt):
    """Shift counts and shifted values in [0, bits of the dtype) (both arguments)."""
    dt = np.dtype(dt)
    return rng.integers(0, dt.itemsize * 8 - 1 if dt.kind == "i" else dt.itemsize * 8,
                        size=shape).astype(dt)


def _pow_domain(rng, shape, dt):
    """Bases and exponents for which pow stays in range: integers 0..5 (exponents
    must be nonnegative for integers), floating point 0.5..2 (complex: around 1)."""
    dt = np.dtype(dt)
    if dt.kind in "iu":
        return rng.integers(0, 6, size=shape).astype(dt)
    return _uniform(0.5, 2.0)(rng, shape, dt)


_POS = _uniform(0.05, 10.0)     # log family, sqrt, reciprocal (away from 0)
_UNIT = _uniform(-0.95, 0.95)   # acos, asin, atanh (inside the domain)
_GE1 = _uniform(1.05, 10.0)     # acosh
_MOD = _uniform(-20.0, 20.0)    # exp family, hyperbolic functions (no overflow)
_LOG1P = _uniform(-0.9, 10.0)

_T32 = {"float32": 2e-6, "float64": 1e-13}
_A32 = {"float32": 1e-6, "float64": 1e-13}


def _rec(name, ref, nargs, dtypes, domain=None, differentiable=False, **kw):
    return OpRecord(name=name, category="elementwise", ref=ref, nargs=nargs, dtypes=dtypes,
                    domain=domain, differentiable=differentiable, scalars=(nargs == 2),
                    rtol=kw.pop("rtol", _T32), atol=kw.pop("atol", _A32), **kw)


def _clip_ref(x, min=None, max=None):
    r = x
    if min is not None:
        r = np.maximum(r, min)
    if max is not None:
        r = np.minimum(r, max)
    return np.asarray(r).astype(x.dtype)


RECORDS = [
    # ---------------------------------------------------------------- unary
    _rec("abs", _real_part(np.absolute), 1, "numeric", differentiable=True),
    _rec("acos", _f(np.arccos), 1, "floating-point", _UNIT, differentiable=True),
    _rec("acosh", _f(np.arccosh), 1, "floating-point", _GE1, differentiable=True),
    _rec("asin", _f(np.arcsin), 1, "floating-point", _UNIT, differentiable=True),
    _rec("asinh", _f(np.arcsinh), 1, "floating-point", differentiable=True),
    _rec("atan", _f(np.arctan), 1, "floating-point", differentiable=True),
    _rec("atanh", _f(np.arctanh), 1, "floating-point", _UNIT, differentiable=True),
    _rec("bitwise_invert", _same(np.invert), 1, "integer or boolean"),
    _rec("ceil", _same(np.ceil), 1, "real numeric", differentiable=True),
    _rec("conj", _same(np.conjugate), 1, "numeric", differentiable=True),
    _rec("cos", _f(np.cos), 1, "floating-point", _MOD, differentiable=True),
    _rec("cosh", _f(np.cosh), 1, "floating-point", _MOD, differentiable=True),
    _rec("exp", _f(np.exp), 1, "floating-point", _MOD, differentiable=True),
    _rec("expm1", _f(np.expm1), 1, "floating-point", _MOD, differentiable=True),
    _rec("floor", _same(np.floor), 1, "real numeric", differentiable=True),
    _rec("imag", _real_part(np.imag), 1, "numeric", differentiable=True),
    _rec("isfinite", _same(np.isfinite), 1, "numeric"),
    _rec("isinf", _same(np.isinf), 1, "numeric"),
    _rec("isnan", _same(np.isnan), 1, "numeric"),
    _rec("log", _f(np.log), 1, "floating-point", _POS, differentiable=True),
    _rec("log1p", _f(np.log1p), 1, "floating-point", _LOG1P, differentiable=True),
    _rec("log2", _f(np.log2), 1, "floating-point", _POS, differentiable=True),
    _rec("log10", _f(np.log10), 1, "floating-point", _POS, differentiable=True),
    _rec("logical_not", _same(np.logical_not), 1, "all"),
    _rec("negative", _same(np.negative), 1, "numeric", differentiable=True),
    _rec("positive", _same(np.positive), 1, "numeric", differentiable=True),
    _rec("real", _real_part(np.real), 1, "numeric", differentiable=True),
    _rec("reciprocal", _f(np.reciprocal), 1, "floating-point", _POS, differentiable=True),
    _rec("round", _same(np.round), 1, "numeric", differentiable=True),
    _rec("sign", _same(np.sign), 1, "numeric", differentiable=True),
    _rec("signbit", _same(np.signbit), 1, "real floating-point"),
    _rec("sin", _f(np.sin), 1, "floating-point", _MOD, differentiable=True),
    _rec("sinh", _f(np.sinh), 1, "floating-point", _MOD, differentiable=True),
    _rec("square", _same(np.square), 1, "numeric", differentiable=True),
    _rec("sqrt", _f(np.sqrt), 1, "floating-point", _POS, differentiable=True),
    _rec("tan", _f(np.tan), 1, "floating-point", _uniform(-1.4, 1.4), differentiable=True),
    _rec("tanh", _f(np.tanh), 1, "floating-point", differentiable=True),
    _rec("trunc", _same(np.trunc), 1, "real numeric", differentiable=True),
    # --------------------------------------------------------------- binary
    _rec("add", _same(np.add), 2, "numeric", differentiable=True),
    _rec("atan2", _f(np.arctan2), 2, "real floating-point", _nonzero, differentiable=True),
    _rec("bitwise_and", _same(np.bitwise_and), 2, "integer or boolean"),
    _rec("bitwise_left_shift", _same(np.left_shift), 2, "integer", _shift),
    _rec("bitwise_or", _same(np.bitwise_or), 2, "integer or boolean"),
    _rec("bitwise_right_shift", _same(np.right_shift), 2, "integer", _shift),
    _rec("bitwise_xor", _same(np.bitwise_xor), 2, "integer or boolean"),
    _rec("copysign", _f(np.copysign), 2, "real floating-point", _nonzero, differentiable=True),
    _rec("divide", _f(np.true_divide), 2, "floating-point", _nonzero, differentiable=True),
    _rec("equal", _same(np.equal), 2, "all"),
    _rec("floor_divide", _same(np.floor_divide), 2, "real numeric", _nonzero, differentiable=True),
    _rec("greater", _same(np.greater), 2, "real numeric"),
    _rec("greater_equal", _same(np.greater_equal), 2, "real numeric"),
    _rec("hypot", _f(np.hypot), 2, "real floating-point", differentiable=True),
    _rec("less", _same(np.less), 2, "real numeric"),
    _rec("less_equal", _same(np.less_equal), 2, "real numeric"),
    _rec("logaddexp", _f(np.logaddexp), 2, "real floating-point", differentiable=True),
    _rec("logical_and", _same(np.logical_and), 2, "all"),
    _rec("logical_or", _same(np.logical_or), 2, "all"),
    _rec("logical_xor", _same(np.logical_xor), 2, "all"),
    _rec("maximum", _same(np.maximum), 2, "real numeric", differentiable=True),
    _rec("minimum", _same(np.minimum), 2, "real numeric", differentiable=True),
    _rec("multiply", _same(np.multiply), 2, "numeric", differentiable=True),
    _rec("nextafter", _f(np.nextafter), 2, "real floating-point", differentiable=True),
    _rec("not_equal", _same(np.not_equal), 2, "all"),
    _rec("pow", _same(np.power), 2, "numeric", _pow_domain, differentiable=True),
    _rec("remainder", _same(np.remainder), 2, "real numeric", _nonzero, differentiable=True),
    _rec("subtract", _same(np.subtract), 2, "numeric", differentiable=True),
    # -------------------------------------------------------------- ternary
    # clip(x, /, min=None, max=None): the bounds are keyword arguments
    OpRecord(name="clip", category="elementwise", ref=_clip_ref, nargs=1, dtypes="real numeric",
             kwargs={"min": 0, "max": 1}, differentiable=True, scalars=True,
             rtol=_T32, atol=_A32),
]
