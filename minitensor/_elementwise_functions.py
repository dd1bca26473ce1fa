"""Elementwise functions of the Array API standard.

Every function is built from one table row: (name, dtype category, NumPy ufunc,
result kind, quiet). The factories ``_unary`` and ``_binary`` give each one the
same path: operand check (tensors, Python scalars, NumPy arrays) -> dtype
category check (TypeError naming the function and dtype) -> promotion ->
broadcasting (ValueError naming both shapes) -> the NumPy ufunc, with NumPy's
floating-point warnings off for the ``quiet`` rows -> the standard's special
cases where NumPy deviates (``_FIXES``, only for the functions that need one).
Operators (``a + b``) forward to these functions. ``clip`` is written out.

Single ufuncs stay in NumPy: they run at memory bandwidth or with NumPy's
hand-tuned SIMD, which our Pythran kernels do not beat
(``../shared/reference/pythran.md``).
"""
import contextvars

import numpy as np

from ._array_object import Tensor
from ._dispatch import differentiable, state as _grad
from ._validation import broadcast_error as _broadcast_error, plain_scalar as _plain_scalar
from ._dtypes import (
    _FROM_NP, _dtype_categories,
)

_new = Tensor._new
_ndarray = np.ndarray

# NumPy dtype sets per category (fast membership tests on the hot path)
_NP_CATEGORY = {k: frozenset(d._np_dtype for d in v) for k, v in _dtype_categories.items()}
_NP_INTEGER = _NP_CATEGORY["integer"]
_F64 = np.dtype(np.float64)

_SCALARS = (bool, int, float, complex)  # exact types: NumPy scalars are arrays here

# NumPy ufuncs report floating-point exceptions (division by zero, invalid,
# overflow) as RuntimeWarnings; the standard has no such warnings (inf - inf is
# NaN, 1/0 is inf, integer division by zero is implementation-defined). The
# functions whose ufunc can raise a flag (column ``quiet`` of the tables) run it
# with NumPy's floating-point errors ignored. ``np.errstate`` costs ~1.5 us per
# call (more than ``add`` itself) and setting NumPy's error-state context variable
# ~0.3 us, so the ufunc runs inside a prepared ``contextvars.Context`` holding the
# "ignore" state (``Context.run``, ~0.05 us). A Context can be entered by one
# thread at a time and not re-entered: then ``Context.run`` raises RuntimeError
# before calling anything, and ``_quiet_slow`` sets the variable instead.
def _quiet_callers():
    try:
        from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj
        ignore = _make_extobj(all="ignore")
    except (ImportError, AttributeError, TypeError):  # pragma: no cover - other NumPy
        def slow(f, *args):
            with np.errstate(all="ignore"):
                return f(*args)
        return slow, slow

    ctx = contextvars.Context()
    ctx.run(_extobj_contextvar.set, ignore)

    def slow(f, *args):
        token = _extobj_contextvar.set(ignore)
        try:
            return f(*args)
        finally:
            _extobj_contextvar.reset(token)
    return ctx.run, slow


_quiet_run, _quiet_slow = _quiet_callers()


def _to_array(name, x, scalars=False):
    """An operand that is not a Tensor or Python scalar: a NumPy array or scalar.
    ``scalars``: the caller also accepts Python scalars (for the error message)."""
    if isinstance(x, Tensor):
        return x._array
    if isinstance(x, (np.ndarray, np.generic)):
        # Note: NumPy arrays and scalars are accepted as operands (interop with
        # code that mixes them, e.g. scikit-learn's y_true); they are strongly typed.
        from ._creation_functions import _asarray_np
        return _asarray_np(x)
    raise TypeError(f"{name}: unsupported operand type {type(x).__name__!r}; expected a "
                    f"minitensor array" + (" or a Python scalar" if scalars else ""))


def _category_error(name, category, dtype):
    return TypeError(f"{name}() does not support dtype {dtype}; it needs "
                     f"{'a' if category[0] not in 'aeiou' else 'an'} {category} dtype")


def _scalar_types(category):
    """The Python scalar types a function of ``category`` accepts (2024.12 rules:
    bool with any dtype family that holds it, int with integer or floating
    dtypes, float with floating dtypes, complex with complex dtypes)."""
    kinds = {d.kind for d in _NP_CATEGORY[category]}
    ok = set()
    if kinds & set("biufc"):
        ok.add(bool)
    if kinds & set("iufc"):
        ok.add(int)
    if kinds & set("fc"):
        ok.add(float)
    if "c" in kinds:
        ok.add(complex)
    return frozenset(ok)


_SCALAR_TYPES = {k: _scalar_types(k) for k in _NP_CATEGORY}


def _check_scalar(name, category, s):
    """A Python scalar operand must fit the function's category."""
    if type(s) not in _SCALAR_TYPES[category]:
        raise TypeError(f"{name}() does not accept a Python {type(s).__name__} operand: it "
                        f"needs {category} values")


def _binary(name, category, ufunc, result="same", quiet=False, fix=None, doc=None):
    """Build the binary elementwise function ``name`` from its table row.

    result: "same" (promoted dtype), "float" (floating-point function: integer
    inputs give float64, as NumPy) or "bool".
    quiet: the ufunc can raise floating-point flags: run it (and ``fix``) with
    NumPy's floating-point errors ignored (no RuntimeWarning).
    fix: optional ``fix(a, b, r) -> r`` applying the standard's special cases
    (``a``/``b`` are ndarrays or Python scalars, ``r`` the ufunc's result).
    """
    allowed = _NP_CATEGORY[category]
    if result == "float":
        # Note: integer inputs are accepted and give float64, as NumPy does (the
        # standard requires floating-point inputs); SciPy relies on it.
        allowed = allowed | _NP_INTEGER

    is_float = result == "float"
    call = ufunc if fix is None else (lambda a, b: fix(a, b, ufunc(a, b)))

    def func(x1, x2, /):
        if type(x1) is Tensor and type(x2) is Tensor:  # the common, fast path
            a = x1._array
            b = x2._array
            if a.dtype not in allowed or b.dtype not in allowed:
                _binary_operands(name, category, allowed, a, b)  # raises the TypeError
        else:
            if _grad.hook is not None and ((type(x1) is not Tensor and isinstance(x1, Tensor)) or
                                           (type(x2) is not Tensor and isinstance(x2, Tensor))):
                # an argument of a Tensor subclass: the hook decides (autograd records)
                return _grad.hook(name, func, (x1, x2), {})  # autograd records the call
            a, b = _binary_operands(name, category, allowed, x1, x2)
        if is_float:
            a, b = _float_inputs(a, b)
        try:
            if quiet:
                try:
                    r = _quiet_run(call, a, b)
                except RuntimeError:  # the context is busy (another thread, nesting)
                    r = _quiet_slow(call, a, b)
            else:
                r = call(a, b)
        except (ValueError, OverflowError) as e:
            # NumPy's messages name the shapes / the value but not our function
            raise type(e)(f"{name}: {e}") from None
        if type(r) is not _ndarray:
            r = np.asarray(r)
        return _new(r)

    func.__name__ = func.__qualname__ = name
    func.__doc__ = doc or _default_doc(name, category, 2, result)
    func._category = category
    if fix is None and result in ("same", "float"):
        func._inplace = _inplace_writer(ufunc, allowed, quiet, is_float)
    if fix is None and (isinstance(ufunc, np.ufunc) or ufunc is _power):
        func._fast = _fast_spec(ufunc, allowed, category, quiet, is_float, result)
    return func


def _fast_spec(ufunc, allowed, category, quiet, is_float, result, nargs=2):
    """The operators' fast path for this function (``_array_object._Late``): the
    NumPy dtypes for which calling ``ufunc`` directly gives the function's result
    (one dtype for all tensor operands, a Python float or int of that dtype's kind
    or lower: no promotion, no category or scalar-type error), and those whose
    result may be written into a temporary operand (floating point, result of the
    operands' dtype)."""
    same = frozenset(d for d in allowed if not (is_float and d.kind in "iub"))
    elide = frozenset(d for d in same if d.kind in "fc") if result in ("same", "float") \
        else frozenset()
    if result == "real":
        elide = frozenset(d for d in elide if d.kind == "f")
    qrun = _quiet_run if quiet else None
    if nargs == 1:
        return ufunc, same, qrun, elide
    scalars = _SCALAR_TYPES[category]
    floats = frozenset(d for d in same if d.kind in "fc") if float in scalars else frozenset()
    ints = frozenset(d for d in same if d.kind in "iufc") if int in scalars else frozenset()
    return ufunc, same, floats, ints, qrun, elide


def _inplace_writer(ufunc, allowed, quiet, is_float):
    """The in-place operator's fast path (``x += y``, ``x /= 2.0``): the ufunc writes
    into ``x``'s buffer (``out=``), with no temporary and no copy back (NumPy's
    cost). Taken only when the result dtype is ``x``'s own: ``y`` a tensor of the
    same dtype broadcasting to ``x``'s shape, or a Python int/float of the same or
    a lower kind. ``write(a, other)`` returns False for everything else, and the
    operator then takes the general path (promotion checks, error messages)."""
    def write(a, other):
        dt = a.dtype
        if dt not in allowed or (is_float and dt.kind not in "fc"):
            return False
        t = type(other)
        if t is Tensor:
            b = other._array
            if b.dtype != dt:
                return False
            if b.shape != a.shape:
                try:
                    if np.broadcast_shapes(a.shape, b.shape) != a.shape:
                        return False
                except ValueError:
                    return False
        elif t is float:
            if dt.kind not in "fc":
                return False
            b = other
        elif t is int:
            if dt.kind == "b":
                return False
            b = other
        else:
            return False
        try:
            if quiet:
                try:
                    _quiet_run(ufunc, a, b, a)
                except RuntimeError:  # the context is busy (another thread, nesting)
                    _quiet_slow(ufunc, a, b, a)
            else:
                ufunc(a, b, a)
        except (OverflowError, ValueError):
            # NumPy checks its operands before writing (e.g. an int scalar out of
            # range, negative integer powers): the general path raises the error
            # with the function's name
            return False
        return True
    return write


def _binary_operands(name, category, allowed, x1, x2):
    s1 = type(x1) in _SCALARS
    s2 = type(x2) in _SCALARS
    if s1 and s2:
        raise TypeError(f"{name}: at least one argument must be an array, got two Python scalars")
    # Python scalars are passed to NumPy as they are: NumPy 2's weak-scalar rule
    # (NEP 50) is the 2024.12 rule (the scalar takes the array's dtype), and it
    # raises OverflowError for an integer out of the array dtype's range.
    # Note: a scalar of a higher kind than the array (int array with a float) is
    # left open by the standard; NEP 50 gives the default dtype of its kind.
    if s1:
        _check_scalar(name, category, x1)
        a = x1
    else:
        try:
            a = _to_array(name, x1, True)
        except TypeError:
            # an int/float/complex subclass (Tensor.size, an IntEnum): a Python scalar
            p = _plain_scalar(x1)
            if p is x1:
                raise
            return _binary_operands(name, category, allowed, p, x2)
    if s2:
        _check_scalar(name, category, x2)
        b = x2
    else:
        try:
            b = _to_array(name, x2, True)
        except TypeError:
            p = _plain_scalar(x2)
            if p is x2:
                raise
            return _binary_operands(name, category, allowed, x1, p)
    if not s1 and a.dtype not in allowed and not _bool_with_number(name, a, b):
        raise _category_error(name, category, _FROM_NP[a.dtype])
    if not s2 and b.dtype not in allowed and not _bool_with_number(name, b, a):
        raise _category_error(name, category, _FROM_NP[b.dtype])
    return a, b


# Note: the standard asks for numeric operands here and leaves bool open; as NumPy
# (and PyTorch), a bool array combined with a number of another kind (a non-bool
# array or a Python int/float/complex) is accepted and promoted like it
# (bool_mask * 3.14 is float64, bool + int8 is int8). SciPy relies on it (e.g.
# ``negative * xp.pi * 1j`` in scipy.integrate.tanhsinh). bool with bool stays a
# TypeError (NumPy gives a logical result for + and * but rejects -).
_BOOL_WITH_NUMBER = frozenset({"add", "subtract", "multiply"})


def _bool_with_number(name, a, other):
    if name not in _BOOL_WITH_NUMBER or a.dtype.kind != "b":
        return False
    t = type(other)
    if t is int or t is float or t is complex:
        return True
    return t is _ndarray and other.dtype.kind in "iufc"


def _is_intlike(v):
    if type(v) is _ndarray:
        return v.dtype.kind in "iub"
    return type(v) in (bool, int)


def _float_inputs(a, b):
    """Integer-only inputs of a floating-point function compute in float64
    (NumPy would pick float16 for int8 inputs)."""
    if _is_intlike(a) and _is_intlike(b):
        if type(a) is _ndarray:
            a = a.astype(_F64)
        if type(b) is _ndarray:
            b = b.astype(_F64)
    return a, b


def _unary(name, category, ufunc, result="same", quiet=False, fix=None, doc=None):
    """Build the unary elementwise function ``name`` from its table row.

    result: "same", "float" (integer input gives float64, NumPy-style) or "bool"
    or "real" (complex input gives the real dtype of the same precision).
    quiet, fix: as for :func:`_binary` (``fix(a, r) -> r``).
    """
    allowed = _NP_CATEGORY[category]
    if result == "float":
        allowed = allowed | _NP_INTEGER

    is_float = result == "float"
    call = ufunc if fix is None else (lambda a: fix(a, ufunc(a)))

    def func(x, /):
        if type(x) is Tensor:
            a = x._array
        else:
            if _grad.hook is not None and isinstance(x, Tensor):  # a subclass: the hook decides
                return _grad.hook(name, func, (x,), {})  # autograd records the call
            a = _to_array(name, x)
        if a.dtype not in allowed:
            raise _category_error(name, category, _FROM_NP[a.dtype])
        if is_float and a.dtype.kind in "iu":
            a = a.astype(_F64)
        if quiet:
            try:
                r = _quiet_run(call, a)
            except RuntimeError:  # the context is busy (another thread, nesting)
                r = _quiet_slow(call, a)
        else:
            r = call(a)
        if type(r) is not _ndarray:
            r = np.asarray(r)
        return _new(r)

    func.__name__ = func.__qualname__ = name
    func.__doc__ = doc or _default_doc(name, category, 1, result)
    func._category = category
    if fix is None and isinstance(ufunc, np.ufunc):
        func._fast = _fast_spec(ufunc, allowed, category, quiet, is_float, result, nargs=1)
    return func


def _default_doc(name, category, nargs, result="same", example=None):
    """The numpydoc docstring of a table function (``example``: summary, call, output)."""
    summary, call, output = example or (f"Elementwise ``{name}``.", None, None)
    if nargs == 1:
        params = f"x : Tensor\n    Input tensor of a {category} dtype."
    else:
        params = (f"x1, x2 : Tensor or Python scalar\n    Operands of {category} dtypes, "
                  f"broadcast together; at least one is a\n    tensor. A Python scalar takes "
                  f"the tensor's dtype (the standard's rule).")
    what = "x's dtype" if nargs == 1 else "the promoted dtype of x1 and x2"
    returns = {
        "same": f"Tensor\n    The elementwise results, of {what}.",
        "float": f"Tensor\n    The elementwise results, of {what} (floating point).",
        "bool": "Tensor\n    The elementwise results, of dtype bool.",
        "real": "Tensor\n    The elementwise results, of the real floating-point dtype of x's "
                "precision (complex64 -> float32, complex128 -> float64).",
    }[result]
    notes = ("Special cases (infinities, NaN, signed zeros) follow the standard:\n"
             f"https://data-apis.org/array-api/latest/API_specification/generated/"
             f"array_api.{name}.html")
    if result == "float":
        notes += ("\n\nNote: integer inputs are accepted (as in NumPy) and computed in "
                  "float64;\nthe standard asks for floating-point inputs.")
    if name in _NOTES:
        notes += "\n\n" + _NOTES[name]
    doc = (f"{name}({'x' if nargs == 1 else 'x1, x2'}, /)\n\n{summary}\n\n"
           f"Parameters\n----------\n{params}\n\nReturns\n-------\n{returns}\n\n"
           f"Notes\n-----\n{notes}\n")
    if call is not None:
        doc += (f"\nExamples\n--------\n>>> import minitensor as xp\n>>> {call}\n"
                f"{output}\n")
    return doc


# ---------------------------------------------------------------------------
# Special cases where NumPy deviates from the standard
# ---------------------------------------------------------------------------
# Each fix runs after the ufunc (inside the quiet context when the row is quiet),
# only for the functions listed in ``_FIXES``, and costs a few mask operations on
# the dtypes it concerns; other dtypes return at the first line.
_INF = np.inf


def _fix_floor_divide(a, b, r):
    """floor_divide with an infinite operand: the standard's ``floor(x1 / x2)``
    (inf // 2 is inf, 1 // -inf is -0); NumPy follows Python (NaN, -1.0)."""
    if r.dtype.kind != "f":
        return r
    m = np.isinf(a) | np.isinf(b)
    if not m.any():
        return r
    r = np.asarray(r)  # a 0-d result may be a NumPy scalar
    np.copyto(r, np.floor(np.divide(a, b, dtype=r.dtype)), where=m)
    return r


def _fix_expm1(a, r):
    """Complex expm1: NumPy computes ``expm1(x) cos(y) - 2 sin^2(y/2) + j exp(x) sin(y)``
    everywhere, which gives NaN for infinite inputs (inf + 0j -> inf + NaN j) and for
    ``y = 0`` with ``exp(x)`` overflowing. The standard's cases follow ``exp(z) - 1``."""
    if r.dtype.kind != "c":
        return r
    r = np.asarray(r)
    zero_imag = a.imag == 0
    if zero_imag.any():  # expm1(x + 0j) = expm1(x) + 0j (the imaginary zero keeps its sign)
        np.copyto(r.imag, a.imag, where=zero_imag)
        # the standard: expm1(+-0 + 0j) is 0 + 0j (+0 real part, as exp(z) - 1)
        np.copyto(r.real, 0.0, where=zero_imag & (a.real == 0))
    m = ~np.isfinite(a) & ~zero_imag
    if m.any():
        np.copyto(r, np.exp(a) - 1, where=m)
    return r


def _fix_tanh(a, r):
    """Complex tanh(+-inf + yj), y finite, is +-1 + 0j with the sign of y on the zero
    (the standard: ``1 + 0j`` for y > 0, with tanh(conj z) = conj(tanh z) and tanh odd);
    NumPy gives the sign of sin(2y)."""
    if r.dtype.kind != "c":
        return r
    re, im = a.real, a.imag
    m = np.isinf(re) & np.isfinite(im)
    if m.any():
        r = np.asarray(r)
        np.copyto(r.real, np.copysign(1, re), where=m, casting="unsafe")
        np.copyto(r.imag, np.copysign(0, im), where=m, casting="unsafe")
    return r


def _fix_sign(a, r):
    """Complex sign: a NaN component gives NaN + NaN j (NumPy's complex64 loop gives
    1j for NaN + inf j). An infinite value: the standard defines sign(z) as
    ``z / abs(z)`` with the special cases of division by the real ``abs(z) = inf``,
    componentwise: ``inf / inf`` is NaN and ``finite / inf`` a signed zero (sign(inf + 1j)
    is NaN + 0j). Note: NumPy returns the limit direction there (1 + 0j)."""
    if r.dtype.kind != "c":
        return r
    re, im = a.real, a.imag
    isnan = np.isnan(re) | np.isnan(im)
    m = (np.isinf(re) | np.isinf(im)) & ~isnan
    if m.any() or isnan.any():
        r = np.asarray(r)
        np.copyto(r.real, re / _INF, where=m)
        np.copyto(r.imag, im / _INF, where=m)
        np.copyto(r, complex(np.nan, np.nan), where=isnan)
    return r


def _fix_tan(a, r):
    """Complex tan(x + +-inf j), x finite: the standard's ``-1j * tanh(1j * z)`` with
    tanh's cases gives ``copysign(0, x) +- 1j``; NumPy's zero has the sign of sin(2x)."""
    if r.dtype.kind != "c":
        return r
    re, im = a.real, a.imag
    m = np.isinf(im) & np.isfinite(re)
    if m.any():
        r = np.asarray(r)
        np.copyto(r.real, np.copysign(0, re), where=m, casting="unsafe")
        np.copyto(r.imag, np.copysign(1, im), where=m, casting="unsafe")
    return r


def _fix_imag(a, r):
    """NumPy's imag of a real array is a read-only array of zeros; ours is writable."""
    if not r.flags.writeable:
        r = r.copy()
    return r


# Where minitensor's results differ from NumPy's (for the docstrings)
_NOTES = {
    "floor_divide": "Unlike NumPy (Python's rule), an infinite operand gives ``floor(x1 / x2)``:\n"
                    "``inf // 2`` is inf and ``1 // -inf`` is -0.0, as the standard prefers.",
    "expm1": "Complex special values follow ``exp(z) - 1`` (NumPy gives NaN parts there).",
    "tanh": "Complex ``tanh(+-inf + yj)`` is ``+-1 + 0j`` with the sign of y on the zero\n"
            "(NumPy: the sign of sin(2y)).",
    "tan": "Complex special values follow ``-1j * tanh(1j * x)`` (see tanh).",
    "sign": "A complex NaN gives NaN + NaN j; an infinite complex value gives\n"
            "``x / abs(x)`` with the division special cases (sign(inf + 1j) is NaN + 0j),\n"
            "as the standard says, where NumPy gives 1 + 0j.",
    "imag": "For real inputs, a new writable array of zeros (NumPy's is read-only).",
}

_FIXES = {
    "floor_divide": _fix_floor_divide,
    "expm1": _fix_expm1,
    "tanh": _fix_tanh,
    "tan": _fix_tan,
    "sign": _fix_sign,
    "imag": _fix_imag,
}


# ---------------------------------------------------------------------------
# The tables: one row per function
# ---------------------------------------------------------------------------
# (name, dtype category, NumPy ufunc, result kind, quiet)
# quiet: the ufunc can raise a floating-point flag for some input of an accepted
# dtype (NumPy would warn), so it runs with NumPy's floating-point errors ignored.
_UNARY_TABLE = [
    ("abs", "numeric", np.absolute, "real", False),
    ("acos", "floating-point", np.arccos, "float", True),
    ("acosh", "floating-point", np.arccosh, "float", True),
    ("asin", "floating-point", np.arcsin, "float", True),
    ("asinh", "floating-point", np.arcsinh, "float", True),
    ("atan", "floating-point", np.arctan, "float", True),
    ("atanh", "floating-point", np.arctanh, "float", True),
    ("bitwise_invert", "integer or boolean", np.invert, "same", False),
    ("ceil", "real numeric", np.ceil, "same", False),
    ("conj", "numeric", np.conjugate, "same", False),
    ("cos", "floating-point", np.cos, "float", True),
    ("cosh", "floating-point", np.cosh, "float", True),
    ("exp", "floating-point", np.exp, "float", True),
    ("expm1", "floating-point", np.expm1, "float", True),
    ("floor", "real numeric", np.floor, "same", False),
    ("imag", "numeric", np.imag, "real", False),
    ("isfinite", "numeric", np.isfinite, "bool", False),
    ("isinf", "numeric", np.isinf, "bool", False),
    ("isnan", "numeric", np.isnan, "bool", False),
    ("log", "floating-point", np.log, "float", True),
    ("log1p", "floating-point", np.log1p, "float", True),
    ("log2", "floating-point", np.log2, "float", True),
    ("log10", "floating-point", np.log10, "float", True),
    ("logical_not", "all", np.logical_not, "bool", False),
    ("negative", "numeric", np.negative, "same", False),
    ("positive", "numeric", np.positive, "same", False),
    ("real", "numeric", np.real, "real", False),
    ("reciprocal", "floating-point", np.reciprocal, "float", True),
    ("round", "numeric", np.round, "same", False),
    ("sign", "numeric", np.sign, "same", True),
    ("signbit", "real floating-point", np.signbit, "bool", False),
    ("sin", "floating-point", np.sin, "float", True),
    ("sinh", "floating-point", np.sinh, "float", True),
    ("square", "numeric", np.square, "same", True),
    ("sqrt", "floating-point", np.sqrt, "float", True),
    ("tan", "floating-point", np.tan, "float", True),
    ("tanh", "floating-point", np.tanh, "float", True),
    ("trunc", "real numeric", np.trunc, "same", False),
]

def _power(a, b, out=None):
    """``np.power``, with squares, cubes and fourth powers of a floating array by a
    Python int (or a float 2.0) done by multiplication, as PyTorch does for small
    integer exponents and NumPy's ``**`` operator for squares (NumPy's float32
    ``powf`` is ~100x slower; a square is correctly rounded, the other products
    are within an ulp or two of the correctly rounded power)."""
    if (out is None and (type(b) is int or type(b) is float) and (b == 2 or b == 3 or b == 4)
            and type(a) is _ndarray and a.dtype.kind == "f" and a.ndim):
        # (0-d: NumPy returns scalars; a float exponent only for 2.0)
        if b == 2:
            return np.multiply(a, a)
        if type(b) is int:
            sq = np.multiply(a, a)
            return np.multiply(sq, a, out=sq) if b == 3 else np.multiply(sq, sq, out=sq)
    if out is not None and b == 2 and (type(b) is int or type(b) is float) and \
            type(a) is _ndarray and a.dtype.kind == "f":
        return np.multiply(a, a, out)  # (x **= 2: the square ``x ** 2`` computes)
    return np.power(a, b) if out is None else np.power(a, b, out)


_BINARY_TABLE = [
    ("add", "numeric", np.add, "same", True),
    ("atan2", "real floating-point", np.arctan2, "float", True),
    ("bitwise_and", "integer or boolean", np.bitwise_and, "same", False),
    ("bitwise_left_shift", "integer", np.left_shift, "same", False),
    ("bitwise_or", "integer or boolean", np.bitwise_or, "same", False),
    ("bitwise_right_shift", "integer", np.right_shift, "same", False),
    ("bitwise_xor", "integer or boolean", np.bitwise_xor, "same", False),
    ("copysign", "real floating-point", np.copysign, "float", False),
    ("divide", "floating-point", np.true_divide, "float", True),
    ("equal", "all", np.equal, "bool", False),
    ("floor_divide", "real numeric", np.floor_divide, "same", True),
    ("greater", "real numeric", np.greater, "bool", False),
    ("greater_equal", "real numeric", np.greater_equal, "bool", False),
    ("hypot", "real floating-point", np.hypot, "float", True),
    ("less", "real numeric", np.less, "bool", False),
    ("less_equal", "real numeric", np.less_equal, "bool", False),
    ("logaddexp", "real floating-point", np.logaddexp, "float", True),
    # Note: the logical functions accept any dtype (truthiness), as NumPy does;
    # scikit-learn's roc_curve calls logical_or on integer arrays.
    ("logical_and", "all", np.logical_and, "bool", False),
    ("logical_or", "all", np.logical_or, "bool", False),
    ("logical_xor", "all", np.logical_xor, "bool", False),
    ("maximum", "real numeric", np.maximum, "same", False),
    ("minimum", "real numeric", np.minimum, "same", False),
    ("multiply", "numeric", np.multiply, "same", True),
    ("nextafter", "real floating-point", np.nextafter, "float", True),
    ("not_equal", "all", np.not_equal, "bool", False),
    ("pow", "numeric", _power, "same", True),
    ("remainder", "real numeric", np.remainder, "same", True),
    ("subtract", "numeric", np.subtract, "same", True),
]

# Docstrings: (summary, doctested call, its output)
_EXAMPLES = {
    'abs': (
        'Absolute value of each element (for complex numbers, the modulus).',
        'xp.abs(xp.asarray([-1.5, 0.0, 2.0]))',
        'Tensor([1.5, 0. , 2. ], dtype=float64)'),
    'acos': (
        'Inverse cosine of each element, in radians.',
        'xp.acos(xp.asarray([1.0, 0.0, -1.0]))',
        'Tensor([0.        , 1.57079633, 3.14159265], dtype=float64)'),
    'acosh': (
        'Inverse hyperbolic cosine of each element.',
        'xp.acosh(xp.asarray([1.0, 2.0]))',
        'Tensor([0.       , 1.3169579], dtype=float64)'),
    'asin': (
        'Inverse sine of each element, in radians.',
        'xp.asin(xp.asarray([0.0, 1.0]))',
        'Tensor([0.        , 1.57079633], dtype=float64)'),
    'asinh': (
        'Inverse hyperbolic sine of each element.',
        'xp.asinh(xp.asarray([0.0, 1.0]))',
        'Tensor([0.        , 0.88137359], dtype=float64)'),
    'atan': (
        'Inverse tangent of each element, in radians.',
        'xp.atan(xp.asarray([0.0, 1.0]))',
        'Tensor([0.        , 0.78539816], dtype=float64)'),
    'atanh': (
        'Inverse hyperbolic tangent of each element.',
        'xp.atanh(xp.asarray([0.0, 0.5]))',
        'Tensor([0.        , 0.54930614], dtype=float64)'),
    'bitwise_invert': (
        'Bitwise NOT of each element (logical NOT for booleans).',
        'xp.bitwise_invert(xp.asarray([0, 5], dtype=xp.uint8))',
        'Tensor([255, 250], dtype=uint8)'),
    'ceil': (
        'Smallest integer-valued number not less than each element.',
        'xp.ceil(xp.asarray([-1.5, 0.2, 2.0]))',
        'Tensor([-1.,  1.,  2.], dtype=float64)'),
    'conj': (
        'Complex conjugate of each element (real inputs are returned unchanged).',
        'xp.conj(xp.asarray([1 + 2j, 3 - 1j]))',
        'Tensor([1.-2.j, 3.+1.j], dtype=complex128)'),
    'cos': (
        'Cosine of each element (in radians).',
        'xp.cos(xp.asarray([0.0, xp.pi]))',
        'Tensor([ 1., -1.], dtype=float64)'),
    'cosh': (
        'Hyperbolic cosine of each element.',
        'xp.cosh(xp.asarray([0.0, 1.0]))',
        'Tensor([1.        , 1.54308063], dtype=float64)'),
    'exp': (
        'Exponential of each element.',
        'xp.exp(xp.asarray([0.0, 1.0]))',
        'Tensor([1.        , 2.71828183], dtype=float64)'),
    'expm1': (
        '``exp(x) - 1`` of each element, accurate for small ``x``.',
        'xp.expm1(xp.asarray([1e-10, 1.0]))',
        'Tensor([1.00000000e-10, 1.71828183e+00], dtype=float64)'),
    'floor': (
        'Largest integer-valued number not greater than each element.',
        'xp.floor(xp.asarray([-1.5, 0.2, 2.0]))',
        'Tensor([-2.,  0.,  2.], dtype=float64)'),
    'imag': (
        'Imaginary part of each element (zeros for real inputs).',
        'xp.imag(xp.asarray([1 + 2j, 3 - 1j]))',
        'Tensor([ 2., -1.], dtype=float64)'),
    'isfinite': (
        'Whether each element is finite (not infinite and not NaN).',
        'xp.isfinite(xp.asarray([1.0, xp.inf, xp.nan]))',
        'Tensor([ True, False, False], dtype=bool)'),
    'isinf': (
        'Whether each element is positive or negative infinity.',
        'xp.isinf(xp.asarray([1.0, -xp.inf, xp.nan]))',
        'Tensor([False,  True, False], dtype=bool)'),
    'isnan': (
        'Whether each element is NaN.',
        'xp.isnan(xp.asarray([1.0, xp.inf, xp.nan]))',
        'Tensor([False, False,  True], dtype=bool)'),
    'log': (
        'Natural logarithm of each element.',
        'xp.log(xp.asarray([1.0, xp.e, 0.0]))',
        'Tensor([  0.,   1., -inf], dtype=float64)'),
    'log1p': (
        '``log(1 + x)`` of each element, accurate for small ``x``.',
        'xp.log1p(xp.asarray([1e-10, 0.0]))',
        'Tensor([1.e-10, 0.e+00], dtype=float64)'),
    'log2': (
        'Base-2 logarithm of each element.',
        'xp.log2(xp.asarray([1.0, 8.0]))',
        'Tensor([0., 3.], dtype=float64)'),
    'log10': (
        'Base-10 logarithm of each element.',
        'xp.log10(xp.asarray([1.0, 1000.0]))',
        'Tensor([0., 3.], dtype=float64)'),
    'logical_not': (
        'Logical NOT of each element.',
        'xp.logical_not(xp.asarray([True, False]))',
        'Tensor([False,  True], dtype=bool)'),
    'negative': (
        'Numerical negative of each element.',
        'xp.negative(xp.asarray([1, -2]))',
        'Tensor([-1,  2], dtype=int64)'),
    'positive': (
        'Numerical positive of each element (a copy of ``x``).',
        'xp.positive(xp.asarray([1, -2]))',
        'Tensor([ 1, -2], dtype=int64)'),
    'real': (
        'Real part of each element.',
        'xp.real(xp.asarray([1 + 2j, 3 - 1j]))',
        'Tensor([1., 3.], dtype=float64)'),
    'reciprocal': (
        '``1 / x`` for each element.',
        'xp.reciprocal(xp.asarray([2.0, 0.0]))',
        'Tensor([0.5, inf], dtype=float64)'),
    'round': (
        'Each element rounded to the nearest integer value (halves to even).',
        'xp.round(xp.asarray([0.5, 1.5, 2.5, -0.5]))',
        'Tensor([ 0.,  2.,  2., -0.], dtype=float64)'),
    'sign': (
        'Sign of each element: -1, 0 or 1 (for complex numbers, ``x / abs(x)``).',
        'xp.sign(xp.asarray([-3.0, 0.0, 2.0]))',
        'Tensor([-1.,  0.,  1.], dtype=float64)'),
    'signbit': (
        'Whether the sign bit of each element is set (true for -0.0).',
        'xp.signbit(xp.asarray([-0.0, 0.0, -2.0]))',
        'Tensor([ True, False,  True], dtype=bool)'),
    'sin': (
        'Sine of each element (in radians).',
        'xp.sin(xp.asarray([0.0, xp.pi / 2]))',
        'Tensor([0., 1.], dtype=float64)'),
    'sinh': (
        'Hyperbolic sine of each element.',
        'xp.sinh(xp.asarray([0.0, 1.0]))',
        'Tensor([0.        , 1.17520119], dtype=float64)'),
    'square': (
        'Square of each element (``x * x``).',
        'xp.square(xp.asarray([-3, 4]))',
        'Tensor([ 9, 16], dtype=int64)'),
    'sqrt': (
        'Principal square root of each element.',
        'xp.sqrt(xp.asarray([4.0, 2.0]))',
        'Tensor([2.        , 1.41421356], dtype=float64)'),
    'tan': (
        'Tangent of each element (in radians).',
        'xp.tan(xp.asarray([0.0, xp.pi / 4]))',
        'Tensor([0., 1.], dtype=float64)'),
    'tanh': (
        'Hyperbolic tangent of each element.',
        'xp.tanh(xp.asarray([0.0, xp.inf]))',
        'Tensor([0., 1.], dtype=float64)'),
    'trunc': (
        'Each element rounded toward zero to an integer-valued number.',
        'xp.trunc(xp.asarray([-1.7, 1.7]))',
        'Tensor([-1.,  1.], dtype=float64)'),
    'add': (
        'Sum of each pair of elements.',
        'xp.add(xp.asarray([1, 2]), 10)',
        'Tensor([11, 12], dtype=int64)'),
    'atan2': (
        'Quadrant-aware inverse tangent of ``x1_i / x2_i``, in radians.',
        'xp.atan2(xp.asarray([1.0, -1.0]), -1.0)',
        'Tensor([ 2.35619449, -2.35619449], dtype=float64)'),
    'bitwise_and': (
        'Bitwise AND of each pair of elements.',
        'xp.bitwise_and(xp.asarray([12, 10]), 6)',
        'Tensor([4, 2], dtype=int64)'),
    'bitwise_left_shift': (
        'Shift the bits of each element of ``x1`` left by ``x2``.',
        'xp.bitwise_left_shift(xp.asarray([1, 3]), 2)',
        'Tensor([ 4, 12], dtype=int64)'),
    'bitwise_or': (
        'Bitwise OR of each pair of elements.',
        'xp.bitwise_or(xp.asarray([12, 10]), 6)',
        'Tensor([14, 14], dtype=int64)'),
    'bitwise_right_shift': (
        'Shift the bits of each element of ``x1`` right by ``x2``.',
        'xp.bitwise_right_shift(xp.asarray([16, 7]), 2)',
        'Tensor([4, 1], dtype=int64)'),
    'bitwise_xor': (
        'Bitwise XOR of each pair of elements.',
        'xp.bitwise_xor(xp.asarray([12, 10]), 6)',
        'Tensor([10, 12], dtype=int64)'),
    'copysign': (
        'The magnitude of ``x1`` with the sign of ``x2``, for each pair of elements.',
        'xp.copysign(xp.asarray([1.5, -2.0]), -0.0)',
        'Tensor([-1.5, -2. ], dtype=float64)'),
    'divide': (
        'True division of each pair of elements (integers give float64).',
        'xp.divide(xp.asarray([1, 3]), 2)',
        'Tensor([0.5, 1.5], dtype=float64)'),
    'equal': (
        'Whether each pair of elements is equal.',
        'xp.equal(xp.asarray([1.0, xp.nan]), xp.asarray([1.0, xp.nan]))',
        'Tensor([ True, False], dtype=bool)'),
    'floor_divide': (
        '``floor(x1 / x2)`` for each pair of elements.',
        'xp.floor_divide(xp.asarray([7.0, -7.0, xp.inf]), 2.0)',
        'Tensor([ 3., -4., inf], dtype=float64)'),
    'greater': (
        'Whether ``x1_i > x2_i`` for each pair of elements.',
        'xp.greater(xp.asarray([1, 5]), 3)',
        'Tensor([False,  True], dtype=bool)'),
    'greater_equal': (
        'Whether ``x1_i >= x2_i`` for each pair of elements.',
        'xp.greater_equal(xp.asarray([1, 3]), 3)',
        'Tensor([False,  True], dtype=bool)'),
    'hypot': (
        '``sqrt(x1**2 + x2**2)`` for each pair of elements, without undue overflow.',
        'xp.hypot(xp.asarray([3.0, 1e300]), xp.asarray([4.0, 1e300]))',
        'Tensor([5.00000000e+000, 1.41421356e+300], dtype=float64)'),
    'less': (
        'Whether ``x1_i < x2_i`` for each pair of elements.',
        'xp.less(xp.asarray([1, 5]), 3)',
        'Tensor([ True, False], dtype=bool)'),
    'less_equal': (
        'Whether ``x1_i <= x2_i`` for each pair of elements.',
        'xp.less_equal(xp.asarray([1, 3]), 3)',
        'Tensor([ True,  True], dtype=bool)'),
    'logaddexp': (
        '``log(exp(x1) + exp(x2))`` for each pair of elements, without overflow.',
        'xp.logaddexp(xp.asarray([0.0, 1000.0]), 0.0)',
        'Tensor([6.93147181e-01, 1.00000000e+03], dtype=float64)'),
    'logical_and': (
        'Logical AND of each pair of elements.',
        'xp.logical_and(xp.asarray([True, False]), True)',
        'Tensor([ True, False], dtype=bool)'),
    'logical_or': (
        'Logical OR of each pair of elements.',
        'xp.logical_or(xp.asarray([True, False]), False)',
        'Tensor([ True, False], dtype=bool)'),
    'logical_xor': (
        'Logical XOR of each pair of elements.',
        'xp.logical_xor(xp.asarray([True, False]), True)',
        'Tensor([False,  True], dtype=bool)'),
    'maximum': (
        'Larger of each pair of elements (NaN if either is NaN).',
        'xp.maximum(xp.asarray([1.0, 5.0, xp.nan]), 3.0)',
        'Tensor([ 3.,  5., nan], dtype=float64)'),
    'minimum': (
        'Smaller of each pair of elements (NaN if either is NaN).',
        'xp.minimum(xp.asarray([1.0, 5.0, xp.nan]), 3.0)',
        'Tensor([ 1.,  3., nan], dtype=float64)'),
    'multiply': (
        'Product of each pair of elements.',
        'xp.multiply(xp.asarray([1.5, 2.0]), 2)',
        'Tensor([3., 4.], dtype=float64)'),
    'nextafter': (
        'The next representable value after ``x1_i`` toward ``x2_i``.',
        'xp.nextafter(xp.asarray([1.0], dtype=xp.float32), 2.0) - 1',
        'Tensor([1.1920929e-07], dtype=float32)'),
    'not_equal': (
        'Whether each pair of elements differs.',
        'xp.not_equal(xp.asarray([1.0, xp.nan]), xp.asarray([1.0, xp.nan]))',
        'Tensor([False,  True], dtype=bool)'),
    'pow': (
        '``x1_i`` raised to the power ``x2_i``.',
        'xp.pow(xp.asarray([2, 3]), 3)',
        'Tensor([ 8, 27], dtype=int64)'),
    'remainder': (
        "Remainder of ``x1_i / x2_i`` with the sign of ``x2_i`` (Python's ``%``).",
        'xp.remainder(xp.asarray([7, -7]), 3)',
        'Tensor([1, 2], dtype=int64)'),
    'subtract': (
        'Difference of each pair of elements.',
        'xp.subtract(xp.asarray([1, 2]), 10)',
        'Tensor([-9, -8], dtype=int64)'),
}

_g = globals()
for _name, _cat, _uf, _res, _quiet in _UNARY_TABLE:
    _g[_name] = _unary(_name, _cat, _uf, _res, quiet=_quiet, fix=_FIXES.get(_name),
                       doc=_default_doc(_name, _cat, 1, _res, _EXAMPLES[_name]))
for _name, _cat, _uf, _res, _quiet in _BINARY_TABLE:
    _g[_name] = _binary(_name, _cat, _uf, _res, quiet=_quiet, fix=_FIXES.get(_name),
                        doc=_default_doc(_name, _cat, 2, _res, _EXAMPLES[_name]))
del _g, _name, _cat, _uf, _res, _quiet

__all__ = [row[0] for row in _UNARY_TABLE] + [row[0] for row in _BINARY_TABLE] + ["clip"]


@differentiable("clip")
def clip(x, /, min=None, max=None):
    """Clamp each element of ``x`` to ``[min, max]``.

    ``min`` and ``max`` are Python scalars, tensors, or None (no bound). ``x``, ``min``
    and ``max`` broadcast together; the result has the dtype of ``x`` and the
    broadcast shape. A NaN in ``x``, ``min`` or ``max`` gives NaN.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.clip(xp.asarray([-2.0, 0.5, 3.0]), 0.0, 1.0)
    Tensor([0. , 0.5, 1. ], dtype=float64)
    """
    a = x._array if type(x) is Tensor else _to_array("clip", x)
    if a.dtype.kind == "f" and (min is None or type(min) is float or type(min) is int) and \
            (max is None or type(max) is float or type(max) is int) and a.flags.c_contiguous:
        # the common call (floating x, Python number bounds): the two ufuncs of the
        # general path below, without its copy and dtype resolution (a Python
        # number takes x's dtype there too: NEP 50); C-contiguous x, so the result
        # has the general path's layout
        r = a
        try:
            if min is not None:
                r = _quiet_run(np.maximum, r, min)
            if max is not None:
                r = _quiet_run(np.minimum, r, max)
        except RuntimeError:  # the context is busy (another thread, nesting)
            r = a
            if min is not None:
                r = _quiet_slow(np.maximum, r, min)
            if max is not None:
                r = _quiet_slow(np.minimum, r, max)
        if r is a:
            r = a.copy()
        elif type(r) is not _ndarray:
            r = np.asarray(r)  # (0-d: NumPy gives a scalar)
        return _new(r)
    if a.dtype not in _NP_CATEGORY["real numeric"]:
        raise _category_error("clip", "real numeric", _FROM_NP[a.dtype])
    bounds = []
    for what, bound in (("min", min), ("max", max)):
        if bound is None:
            bounds.append(None)
            continue
        if type(bound) is not Tensor and type(bound) not in _SCALARS:
            bound = _plain_scalar(bound)  # an int/float subclass (Tensor.size, IntEnum)
        if type(bound) in _SCALARS:
            _check_scalar("clip", "real numeric", bound)
            bounds.append(_clip_scalar(a.dtype, bound))
        else:
            b = _to_array("clip", bound, True)
            if b.dtype not in _NP_CATEGORY["real numeric"]:
                raise TypeError(f"clip() does not support {what} of dtype {_FROM_NP[b.dtype]}; "
                                f"it needs a real numeric dtype")
            bounds.append(b)
    shapes = [a.shape] + [b.shape for b in bounds if type(b) is _ndarray]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        raise _broadcast_error("clip", shapes, ("x",) + tuple(
            w for w, b in zip(("min", "max"), bounds) if type(b) is _ndarray)) from None
    r = np.empty(shape, a.dtype)
    r[...] = a
    lo, hi = bounds
    with np.errstate(all="ignore"):
        # Note: the comparison runs in the dtype holding both x and the bound; a
        # bound of another dtype than x (left open by the standard) is cast back
        # to x's dtype, as NumPy's clip does.
        if lo is not None:
            np.copyto(r, np.maximum(r, lo, dtype=_cmp_dtype(a, lo)), casting="unsafe")
        if hi is not None:
            np.copyto(r, np.minimum(r, hi, dtype=_cmp_dtype(a, hi)), casting="unsafe")
    return _new(r)


def _clip_scalar(dtype, s):
    """A Python scalar bound of clip for ``x`` of ``dtype``. Note: an integer bound
    outside an integer dtype's range (left open by the standard) is clamped to the
    range, so no value of ``x`` is ever converted through float64."""
    if dtype.kind in "iu" and type(s) in (bool, int):
        info = np.iinfo(dtype)
        s = info.min if s < info.min else info.max if s > info.max else int(s)
    return s


def _cmp_dtype(a, b):
    """The dtype in which clip compares ``a`` with the bound ``b``."""
    if type(b) is _ndarray:
        return np.result_type(a.dtype, b.dtype)
    return np.result_type(a.dtype, b)
