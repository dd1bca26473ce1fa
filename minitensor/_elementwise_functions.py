"""Elementwise functions of the Array API standard.

Every function is built from one table row: (name, dtype category, NumPy ufunc,
result kind). The factories ``_unary`` and ``_binary`` give each one the same
path: operand check (tensors, Python scalars, NumPy arrays) -> dtype category
check (TypeError naming the function and dtype) -> promotion -> broadcasting
(ValueError naming both shapes) -> the NumPy ufunc -> the standard's special
cases where NumPy deviates. Operators (``a + b``) forward to these functions.

Single ufuncs stay in NumPy: they run at memory bandwidth or with NumPy's
hand-tuned SIMD, which our Pythran kernels do not beat
(``../shared/reference/pythran.md``).
"""
import numpy as np

from ._array_object import Tensor
from ._dtypes import (
    _FROM_NP, _dtype_categories,
)

_new = Tensor._new
_object_new = object.__new__
_ndarray = np.ndarray

# NumPy dtype sets per category (fast membership tests on the hot path)
_NP_CATEGORY = {k: frozenset(d._np_dtype for d in v) for k, v in _dtype_categories.items()}
_NP_INTEGER = _NP_CATEGORY["integer"]
_NP_BOOL = np.dtype(np.bool_)
_F64 = np.dtype(np.float64)

_SCALARS = (bool, int, float, complex)  # exact types: NumPy scalars are arrays here


def _to_array(name, x):
    """An operand that is not a Tensor or Python scalar: a NumPy array or scalar."""
    if isinstance(x, Tensor):
        return x._array
    if isinstance(x, (np.ndarray, np.generic)):
        # Note: NumPy arrays and scalars are accepted as operands (interop with
        # code that mixes them, e.g. scikit-learn's y_true); they are strongly typed.
        from ._creation_functions import _asarray_np
        return _asarray_np(x)
    raise TypeError(f"{name}: unsupported operand type {type(x).__name__!r}; expected a "
                    f"minitensor array or a Python scalar")


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


def _binary(name, category, ufunc, result="same", fix=None, doc=None):
    """Build the binary elementwise function ``name`` from its table row.

    result: "same" (promoted dtype), "float" (floating-point function: integer
    inputs give float64, as NumPy) or "bool".
    fix: optional ``fix(a, b, r) -> r`` applying the standard's special cases.
    """
    allowed = _NP_CATEGORY[category]
    if result == "float":
        # Note: integer inputs are accepted and give float64, as NumPy does (the
        # standard requires floating-point inputs); SciPy relies on it.
        allowed = allowed | _NP_INTEGER

    is_float = result == "float"

    def func(x1, x2, /):
        if type(x1) is Tensor and type(x2) is Tensor:  # the common, fast path
            a = x1._array
            b = x2._array
            if a.dtype not in allowed or b.dtype not in allowed:
                _binary_operands(name, category, allowed, a, b)  # raises the TypeError
        else:
            a, b = _binary_operands(name, category, allowed, x1, x2)
        if is_float:
            a, b = _float_inputs(a, b)
        r = ufunc(a, b)
        if fix is not None:
            r = fix(a, b, r)
        if type(r) is not _ndarray:
            r = np.asarray(r)
        t = _object_new(Tensor)
        t._array = r
        return t

    func.__name__ = func.__qualname__ = name
    func.__doc__ = doc or _default_doc(name, category, 2)
    func._category = category
    return func


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
        a = _to_array(name, x1)
        if a.dtype not in allowed:
            raise _category_error(name, category, _FROM_NP[a.dtype])
    if s2:
        _check_scalar(name, category, x2)
        b = x2
    else:
        b = _to_array(name, x2)
        if b.dtype not in allowed:
            raise _category_error(name, category, _FROM_NP[b.dtype])
    return a, b


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


def _unary(name, category, ufunc, result="same", fix=None, doc=None):
    """Build the unary elementwise function ``name`` from its table row.

    result: "same", "float" (integer input gives float64, NumPy-style) or "bool"
    or "real" (complex input gives the real dtype of the same precision).
    """
    allowed = _NP_CATEGORY[category]
    if result == "float":
        allowed = allowed | _NP_INTEGER

    is_float = result == "float"

    def func(x, /):
        a = x._array if type(x) is Tensor else _to_array(name, x)
        if a.dtype not in allowed:
            raise _category_error(name, category, _FROM_NP[a.dtype])
        if is_float and a.dtype.kind in "iu":
            a = a.astype(_F64)
        r = ufunc(a)
        if fix is not None:
            r = fix(a, r)
        if type(r) is not _ndarray:
            r = np.asarray(r)
        t = _object_new(Tensor)
        t._array = r
        return t

    func.__name__ = func.__qualname__ = name
    func.__doc__ = doc or _default_doc(name, category, 1)
    func._category = category
    return func


def _default_doc(name, category, nargs):
    args = "x" if nargs == 1 else "x1, x2"
    return (f"{name}({args}, /)\n\n"
            f"Elementwise ``{name}`` as specified by the Array API standard "
            f"(https://data-apis.org/array-api/latest/API_specification/generated/"
            f"array_api.{name}.html).\n\n"
            f"Accepts {category} dtypes"
            + ("; Python scalars on either side." if nargs == 2 else ".") + "\n")


# ---------------------------------------------------------------------------
# Special cases where NumPy deviates from the standard (filled in below)
# ---------------------------------------------------------------------------
def _identity(x):
    return x


# ---------------------------------------------------------------------------
# The tables: one row per function
# ---------------------------------------------------------------------------
# (name, dtype category, numpy ufunc, result kind)
_UNARY_TABLE = [
    ("abs", "numeric", np.absolute, "real"),
    ("acos", "floating-point", np.arccos, "float"),
    ("acosh", "floating-point", np.arccosh, "float"),
    ("asin", "floating-point", np.arcsin, "float"),
    ("asinh", "floating-point", np.arcsinh, "float"),
    ("atan", "floating-point", np.arctan, "float"),
    ("atanh", "floating-point", np.arctanh, "float"),
    ("bitwise_invert", "integer or boolean", np.invert, "same"),
    ("ceil", "real numeric", np.ceil, "same"),
    ("conj", "numeric", np.conjugate, "same"),
    ("cos", "floating-point", np.cos, "float"),
    ("cosh", "floating-point", np.cosh, "float"),
    ("exp", "floating-point", np.exp, "float"),
    ("expm1", "floating-point", np.expm1, "float"),
    ("floor", "real numeric", np.floor, "same"),
    ("imag", "numeric", np.imag, "real"),
    ("isfinite", "numeric", np.isfinite, "bool"),
    ("isinf", "numeric", np.isinf, "bool"),
    ("isnan", "numeric", np.isnan, "bool"),
    ("log", "floating-point", np.log, "float"),
    ("log1p", "floating-point", np.log1p, "float"),
    ("log2", "floating-point", np.log2, "float"),
    ("log10", "floating-point", np.log10, "float"),
    ("logical_not", "all", np.logical_not, "bool"),
    ("negative", "numeric", np.negative, "same"),
    ("positive", "numeric", np.positive, "same"),
    ("real", "numeric", np.real, "real"),
    ("reciprocal", "floating-point", np.reciprocal, "float"),
    ("round", "numeric", np.round, "same"),
    ("sign", "numeric", np.sign, "same"),
    ("signbit", "real floating-point", np.signbit, "bool"),
    ("sin", "floating-point", np.sin, "float"),
    ("sinh", "floating-point", np.sinh, "float"),
    ("square", "numeric", np.square, "same"),
    ("sqrt", "floating-point", np.sqrt, "float"),
    ("tan", "floating-point", np.tan, "float"),
    ("tanh", "floating-point", np.tanh, "float"),
    ("trunc", "real numeric", np.trunc, "same"),
]

_BINARY_TABLE = [
    ("add", "numeric", np.add, "same"),
    ("atan2", "real floating-point", np.arctan2, "float"),
    ("bitwise_and", "integer or boolean", np.bitwise_and, "same"),
    ("bitwise_left_shift", "integer", np.left_shift, "same"),
    ("bitwise_or", "integer or boolean", np.bitwise_or, "same"),
    ("bitwise_right_shift", "integer", np.right_shift, "same"),
    ("bitwise_xor", "integer or boolean", np.bitwise_xor, "same"),
    ("copysign", "real floating-point", np.copysign, "float"),
    ("divide", "floating-point", np.true_divide, "float"),
    ("equal", "all", np.equal, "bool"),
    ("floor_divide", "real numeric", np.floor_divide, "same"),
    ("greater", "real numeric", np.greater, "bool"),
    ("greater_equal", "real numeric", np.greater_equal, "bool"),
    ("hypot", "real floating-point", np.hypot, "float"),
    ("less", "real numeric", np.less, "bool"),
    ("less_equal", "real numeric", np.less_equal, "bool"),
    ("logaddexp", "real floating-point", np.logaddexp, "float"),
    # Note: the logical functions accept any dtype (truthiness), as NumPy does;
    # scikit-learn's roc_curve calls logical_or on integer arrays.
    ("logical_and", "all", np.logical_and, "bool"),
    ("logical_or", "all", np.logical_or, "bool"),
    ("logical_xor", "all", np.logical_xor, "bool"),
    ("maximum", "real numeric", np.maximum, "same"),
    ("minimum", "real numeric", np.minimum, "same"),
    ("multiply", "numeric", np.multiply, "same"),
    ("nextafter", "real floating-point", np.nextafter, "float"),
    ("not_equal", "all", np.not_equal, "bool"),
    ("pow", "numeric", np.power, "same"),
    ("remainder", "real numeric", np.remainder, "same"),
    ("subtract", "numeric", np.subtract, "same"),
]

_FIXES = {}  # name -> special-case function (see the section above)

_g = globals()
for _name, _cat, _uf, _res in _UNARY_TABLE:
    _g[_name] = _unary(_name, _cat, _uf, _res, fix=_FIXES.get(_name))
for _name, _cat, _uf, _res in _BINARY_TABLE:
    _g[_name] = _binary(_name, _cat, _uf, _res, fix=_FIXES.get(_name))
del _g, _name, _cat, _uf, _res

__all__ = [row[0] for row in _UNARY_TABLE] + [row[0] for row in _BINARY_TABLE] + ["clip"]


def clip(x, /, min=None, max=None):
    """Clamp each element of ``x`` to ``[min, max]``.

    ``min`` and ``max`` are Python scalars, tensors broadcastable to ``x``, or None.
    The result has the dtype and shape of ``x``.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.clip(xp.asarray([-2.0, 0.5, 3.0]), 0.0, 1.0)
    Tensor([0. , 0.5, 1. ], dtype=float64)
    """
    if not isinstance(x, Tensor):
        x = Tensor._new(_to_array("clip", x))
    a = x._array
    if a.dtype not in _NP_CATEGORY["real numeric"]:
        raise _category_error("clip", "real numeric", x.dtype)
    r = a
    if min is None and max is None:
        return _new(a.copy())
    bounds = []
    for bound in (min, max):
        if bound is None:
            bounds.append(None)
            continue
        if type(bound) in _SCALARS:
            _check_scalar("clip", "real numeric", bound)
            bounds.append(bound)
            continue
        b = _to_array("clip", bound)
        if b.dtype not in _NP_CATEGORY["real numeric"]:
            raise _category_error("clip", "real numeric", _FROM_NP[b.dtype])
        bounds.append(b)
    lo, hi = bounds
    shape = np.broadcast_shapes(a.shape, *(np.shape(b) for b in bounds if b is not None))
    if shape != a.shape:
        raise ValueError(f"clip: the bounds' shapes broadcast x of shape {a.shape} to {shape}; "
                         f"they must broadcast to x's shape")
    r = a.copy()
    with np.errstate(invalid="ignore"):
        if lo is not None:
            np.copyto(r, np.maximum(r, lo, dtype=_maxdt(a, lo)), casting="unsafe")
        if hi is not None:
            np.copyto(r, np.minimum(r, hi, dtype=_maxdt(a, hi)), casting="unsafe")
    return _new(r)


def _maxdt(a, b):
    """Compute clip's comparisons in a dtype that holds both x and the bound exactly."""
    if type(b) in (bool, int) and a.dtype.kind in "iu":
        info = np.iinfo(a.dtype)
        if not (info.min <= b <= info.max):
            return np.float64
        return a.dtype
    if type(b) in _SCALARS:
        return np.result_type(a.dtype, b)
    return np.result_type(a.dtype, b.dtype)
